"""The front door `make run` and the benchmark start (deploy/nginx/run.sh): the workshop's
event streams reach the push engine, everything else the app servers."""

import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server(name: str) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"{name} {self.path} {self.headers.get('X-Forwarded-For')}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def front_door(tmp_path):
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed: `make system-packages` installs it")
    app, push = _server("app"), _server("push")
    port = _free_port()
    env = {
        **os.environ,
        "NGINX_DIR": str(tmp_path),
        "NGINX_HTTP": f"127.0.0.1:{port}",
        "NGINX_APP": f"127.0.0.1:{app.server_port}",
        "NGINX_PUSH": f"127.0.0.1:{push.server_port}",
    }
    process = subprocess.Popen(
        [str(ROOT / "deploy" / "nginx" / "run.sh")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()  # noqa: S310 - loopback
            break
        except OSError:
            time.sleep(0.05)
    yield url
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=10)
    for server in (app, push):
        server.shutdown()
        server.server_close()


def _get(url: str) -> str:
    return urllib.request.urlopen(url, timeout=5).read().decode()  # noqa: S310 - loopback


def test_front_door_sends_event_streams_to_the_push_engine(front_door):
    assert _get(front_door + "/w/ABCD2345/events/").startswith("push /w/ABCD2345/events/ ")


def test_front_door_sends_votes_pages_and_state_to_the_app(front_door):
    for path in ("/w/ABCD2345/vote/", "/w/ABCD2345/state/", "/w/ABCD2345/", "/join/"):
        assert _get(front_door + path).startswith(f"app {path} ")


def test_front_door_tells_the_app_the_client_address(front_door):
    assert _get(front_door + "/join/").endswith(" 127.0.0.1")


def test_front_door_configuration_check_passes(tmp_path):
    env = {
        **os.environ,
        "NGINX_DIR": str(tmp_path),
        "NGINX_CHECK": "1",
        "NGINX_APP": "10.0.0.1:8001,10.0.0.2:8001",
        "NGINX_PUSH": "10.0.0.3:8000",
    }
    result = subprocess.run(
        [str(ROOT / "deploy" / "nginx" / "run.sh")], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "nginx.conf").read_text()
    assert "server 10.0.0.1:8001;" in config and "server 10.0.0.2:8001;" in config
