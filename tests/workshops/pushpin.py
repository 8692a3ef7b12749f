"""A Pushpin server in front of the live test server, started by deploy/pushpin/run.sh (the
same script `make run` uses), on ports from COMPASS_TEST_PUSHPIN_PORT (default 8161: proxy;
8162-8165: publishing). Pushpin is a system package the Makefile installs; a machine without
it fails this fixture rather than skipping the pushed-updates test."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_port(host: str, port: int, process, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pushpin exited with {process.returncode}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"pushpin did not listen on {host}:{port} within {timeout} s")


class Pushpin:
    def __init__(self, backend_url: str, workdir: Path):
        # One port block per xdist worker (gw0, gw1, ...), so parallel runs never collide.
        worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
        base = int(os.environ.get("COMPASS_TEST_PUSHPIN_PORT", "8161"))
        self.port = base + 10 * worker
        self.publish_base = self.port + 1
        self.url = f"http://127.0.0.1:{self.port}"
        self.control_uri = f"http://127.0.0.1:{self.publish_base + 1}"
        backend = urlsplit(backend_url)
        self.env = {
            **os.environ,
            "PUSHPIN_DIR": str(workdir),
            "PUSHPIN_HTTP": f"127.0.0.1:{self.port}",
            "PUSHPIN_BACKEND": f"{backend.hostname}:{backend.port}",
            "PUSHPIN_PUBLISH_BASE": str(self.publish_base),
        }
        self.process = None
        self.log = workdir / "pushpin.out"

    def start(self):
        if shutil.which("pushpin") is None:
            pytest.fail("pushpin is not installed: `make system-packages` installs it")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                pytest.fail(f"port {self.port} is taken (set COMPASS_TEST_PUSHPIN_PORT)")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.output = self.log.open("wb")
        self.process = subprocess.Popen(
            [str(ROOT / "deploy" / "pushpin" / "run.sh")],
            env=self.env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_for_port("127.0.0.1", self.port, self.process)
            _wait_for_port("127.0.0.1", self.publish_base + 1, self.process)
        except RuntimeError:
            self.stop()
            raise

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.output.close()


@pytest.fixture
def pushpin(live_app, settings):
    """Pushpin proxying to the live server; Django publishes to its control URI."""
    import django_grip

    # A short directory of its own: Pushpin's ZeroMQ sockets live there, and a Unix socket
    # path may not exceed 107 bytes (pytest's tmp_path under xdist is longer).
    workdir = Path(tempfile.mkdtemp(prefix="pushpin-"))
    server = Pushpin(live_app.url, workdir)
    server.start()
    request_finalizer = server.stop
    settings.GRIP_PROXIES = [{"control_uri": server.control_uri}]
    # django_grip builds its publisher once from the settings at import: point it at this
    # server for the test (public API of gripcontrol's GripPubControl).
    publisher = django_grip.get_pubcontrol()
    publisher.remove_all_clients()
    publisher.apply_grip_config(settings.GRIP_PROXIES)
    yield server
    publisher.wait_all_sent()
    publisher.remove_all_clients()
    request_finalizer()
    shutil.rmtree(workdir, ignore_errors=True)
