"""Questionnaire throughput, in one run, on SQLite and on PostgreSQL.

Starts gunicorn (2 sync workers, DEBUG off) on a fresh database with the demo data and 32
bench respondents, then drives it with wrk (2 threads, 32 connections, 10 s) against:

- a trivial Django view (/healthz: no database, no session) as the baseline,
- a questionnaire section page (10 questions, anchored labels, the respondent's answers),
- the autosave POST (each request a real write: rotating respondents, questions, values).

Prints requests/s, p50 and p99 latency, and the ratios to the trivial view. Targets on the
2-core machine: section page >= 0.10 x trivial, autosave >= 0.15 x trivial and p99 <= 100 ms.

    .venv/bin/python bench/questionnaire_bench.py [--pg-url postgres://...] [--duration 10]
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CSRF = "benchbenchbenchbenchbenchbench12"  # any 32 alphanumerics: cookie and header match
RESPONDENTS = 32

SETUP_SCRIPT = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from importlib import import_module
from django.conf import settings
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
from django_scopes import scope
from assessments import services
from assessments.catalogue import active_catalogue
from assessments.models import Membership, Organisation, Question
org = Organisation.objects.get(slug="muster-versicherung")
catalogue = active_catalogue()
User = get_user_model()
with scope(organisation=org):
    users = []
    for i in range(%(n)d):
        user, _ = User.objects.get_or_create(username=f"bench{i}")
        Membership.objects.get_or_create(
            user=user, organisation=org, defaults={"role": "respondent"}
        )
        users.append(user)
    assessment = services.create_assessment(organisation=org, created_by=users[0], title="Bench",
        catalogue=catalogue, target_stage=3, respondents=[(u, "business") for u in users])
    codes = list(Question.objects.filter(catalogue=catalogue).values_list("code", flat=True))
sessions = []
for user in users:
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    sessions.append(s.session_key)
print(json.dumps({"assessment": assessment.pk, "sessions": sessions, "codes": codes}))
"""

POST_LUA = """
local sessions = {%(sessions)s}
local codes = {%(codes)s}
local counter = 0
local base = %(base)d
local tid = 0
function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
end
function request()
  counter = counter + 1
  local s = sessions[(counter %% #sessions) + 1]
  local code = codes[((counter * 7) %% #codes) + 1]
  local ts = base + counter * 4 + tid
  local body = "question=" .. code .. "&value=" .. (counter %% 5) .. "&ts=" .. ts
  return wrk.format("POST", "%(path)s", {
    ["Cookie"] = "sessionid=" .. s .. "; csrftoken=%(csrf)s",
    ["X-CSRFToken"] = "%(csrf)s",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Referer"] = "http://127.0.0.1/",
  }, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False):
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return result.stdout


def wrk(url, duration, extra=(), script=None):
    cmd = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", *extra]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": to_ms(lat["50"]),
        "p99": to_ms(lat["99"]),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def to_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run(label: str, database_url: str, duration: int, workers: int, threads: int) -> dict:
    var = tempfile.mkdtemp(prefix="compass-bench-")
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "COMPASS_VAR_DIR": var,
        "DATABASE_URL": database_url or f"sqlite:///{var}/bench.sqlite3",
        "DJANGO_STATIC_ROOT": str(Path(var) / "static"),
        "AXES_ENABLED": "false",
    }
    manage(env, "migrate", "--noinput", "-v0")
    if database_url:
        manage(env, "flush", "--noinput")
    manage(env, "createcachetable")
    manage(env, "catalogue", "load", "assessments/catalogues/co-creation-2026.1.yaml")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v0")
    import json

    data = json.loads(
        manage(env, "shell", "-c", SETUP_SCRIPT % {"n": RESPONDENTS}, capture=True)
        .strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [
            GUNICORN,
            "maturity.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - localhost
                break
            except OSError:
                time.sleep(0.2)
        prefix = f"/o/muster-versicherung/a/{data['assessment']}/questionnaire"
        cookie = f"Cookie: sessionid={data['sessions'][0]}; csrftoken={CSRF}"
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(
                POST_LUA
                % {
                    "sessions": ", ".join(f'"{s}"' for s in data["sessions"]),
                    "codes": ", ".join(f'"{c}"' for c in data["codes"]),
                    "base": int(time.time() * 1000),
                    "path": prefix + "/save/",
                    "csrf": CSRF,
                }
            )
        results = {
            "trivial view": wrk(base + "/healthz", duration),
            "section page": wrk(
                base + prefix + "/alignment/",
                duration,
                extra=["-H", cookie, "-H", "Accept-Language: de"],
            ),
            "autosave POST": wrk(base + prefix + "/save/", duration, script=lua.name),
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)
    print(f"\n{label}")
    print(f"  {'':15} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x trivial':>10} {'non-2xx':>8}")
    trivial = results["trivial view"]["rps"]
    for name, r in results.items():
        print(
            f"  {name:15} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} "
            f"{r['rps'] / trivial:10.3f} {r['non2xx']:8d}  {r['socket_errors']}"
        )
    section, save = results["section page"], results["autosave POST"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(
        f"  targets: section >= 0.10 x trivial: {verdict(section['rps'] / trivial >= 0.10)}; "
        f"autosave >= 0.15 x trivial: {verdict(save['rps'] / trivial >= 0.15)}; "
        f"autosave p99 <= 100 ms: {verdict(save['p99'] <= 100)}"
    )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="", help="PostgreSQL URL; empty skips PostgreSQL")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--pg-only", action="store_true", help="skip SQLite")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (more than 1: gthread)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    kind = "sync" if args.threads == 1 else f"gthread x {args.threads} threads"
    print(
        f"Questionnaire benchmark: gunicorn {args.workers} {kind} workers, DEBUG off, wrk -t2 -c32"
    )
    if not args.pg_only:
        run("SQLite", "", args.duration, args.workers, args.threads)
    if args.pg_url:
        run("PostgreSQL", args.pg_url, args.duration, args.workers, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
