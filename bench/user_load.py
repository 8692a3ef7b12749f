"""What users feel under a realistic load, on SQLite and on PostgreSQL.

Starts gunicorn (2 sync workers, DEBUG off, whitenoise) and a ``db_worker`` on a fresh
database with the demo data, then measures:

1. **200 respondents answering at once.** Each opens a questionnaire section, clicks an
   answer every 2-5 s (a real autosave POST, retried until confirmed, as autosave.js
   does), and opens the next section when one is done. Prints p50/p99 of the section page
   and of the autosave, and checks that every acknowledged answer is stored (0 lost).
   Targets: autosave p99 <= 100 ms, section page p99 <= 150 ms, 0 lost.
2. **Results page ready** (DOMContentLoaded) in a cold browser cache, Playwright driving
   the system chromium. Target <= 1 s.
3. **PDF: click to download ready** with the worker running: the POST of the results page's
   button, then the time until the stored PDF is there, for several fresh reports; also the
   worker's pick-up delay (queued -> running). Target p95 <= 5 s.

    .venv/bin/python bench/user_load.py [--pg-url postgres://...] [--duration 60]
"""

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CSRF = "benchbenchbenchbenchbenchbench12"  # any 32 alphanumerics: cookie and header match
ORG = "muster-versicherung"

# Runs in `manage.py shell`: bench users, one assessment with all of them as respondents,
# a signed-in session each, and the sections' question codes. Uses only public APIs, so it
# works with whatever session engine the settings name.
SETUP_SCRIPT = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django_scopes import scope, scopes_disabled
from assessments import services
from assessments.catalogue import active_catalogue
from assessments.models import Assessment, Membership, Organisation, Section
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
org = Organisation.objects.get(slug="%(org)s")
catalogue = active_catalogue()
User = get_user_model()

def session_for(user):
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key

with scope(organisation=org):
    users = []
    for i in range(%(n)d):
        user, _ = User.objects.get_or_create(username=f"bench{i}")
        Membership.objects.get_or_create(
            user=user, organisation=org, defaults={"role": "respondent"})
        users.append(user)
    assessment = services.create_assessment(organisation=org, created_by=users[0], title="Bench",
        catalogue=catalogue, target_stage=3,
        respondents=[(u, "business" if i %% 2 else "it") for i, u in enumerate(users)])
    sections = [
        {"key": s.key, "codes": [q.code for q in s.questions.order_by("order")]}
        for s in Section.objects.filter(catalogue=catalogue).order_by("order")
    ]
    results_of = Assessment.objects.filter(snapshot__isnull=False).order_by("-closed_at").first()
viewer = User.objects.get(username="vorstand")
print(json.dumps({"assessment": assessment.pk, "sessions": [session_for(u) for u in users],
                  "sections": sections, "viewer": session_for(viewer),
                  "results": results_of.pk}))
"""

PENDING_SCRIPT = """
from django_tasks_db.models import DBTaskResult
print(DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count())
"""

STORED_SCRIPT = """
import json
from django_scopes import scopes_disabled
from assessments.models import Answer
with scopes_disabled():
    rows = Answer.objects.filter(respondent__assessment_id=%(pk)d, round=1).values_list(
        "respondent__user__username", "question__code", "value")
    print(json.dumps([list(r) for r in rows]))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=capture, text=True
    )
    return result.stdout


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


class Respondents:
    """200 people answering: latencies and what the server acknowledged."""

    def __init__(self, base: str, data: dict, duration: float):
        self.base = base
        self.data = data
        self.duration = duration
        self.page_ms: list[float] = []
        self.save_ms: list[float] = []
        self.failures = 0
        self.acknowledged: dict[tuple[str, str], int | None] = {}

    async def person(self, session: aiohttp.ClientSession, index: int, sessionid: str):
        headers = {
            "Cookie": f"sessionid={sessionid}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Referer": self.base + "/",
            "Accept-Language": "de",
        }
        prefix = f"/o/{ORG}/a/{self.data['assessment']}/questionnaire"
        end = time.monotonic() + self.duration
        await asyncio.sleep(random.uniform(0, 5))  # people do not start in the same second
        last_ts = 0
        for section in self.data["sections"]:
            t0 = time.perf_counter()
            async with session.get(f"{self.base}{prefix}/{section['key']}/", headers=headers) as r:
                await r.read()
                if r.status != 200:
                    self.failures += 1
            self.page_ms.append((time.perf_counter() - t0) * 1000)
            for code in section["codes"]:
                await asyncio.sleep(random.uniform(2, 5))
                if time.monotonic() > end:
                    return
                value = random.choice(["0", "1", "2", "3", "4", "dk"])
                last_ts = max(last_ts + 1, int(time.time() * 1000))
                body = {"question": code, "value": value, "ts": str(last_ts)}
                while True:  # autosave.js keeps a click queued until the server confirms it
                    t0 = time.perf_counter()
                    try:
                        async with session.post(
                            f"{self.base}{prefix}/save/", data=body, headers=headers
                        ) as r:
                            payload = await r.json(content_type=None) if r.status == 200 else {}
                    except (aiohttp.ClientError, json.JSONDecodeError):
                        payload = {}
                    self.save_ms.append((time.perf_counter() - t0) * 1000)
                    if payload.get("ok"):
                        name = f"bench{index}"
                        self.acknowledged[(name, code)] = None if value == "dk" else int(value)
                        break
                    self.failures += 1
                    await asyncio.sleep(0.5)

    async def run(self):
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(
                *(self.person(session, i, sid) for i, sid in enumerate(self.data["sessions"]))
            )


def start_server(env, workers: int):
    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "maturity.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - localhost
            return server, base
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def results_page_ready(base: str, data: dict, runs: int = 5) -> list[float]:
    """DOMContentLoaded of the results page, each run in a new browser context (cold cache)."""
    from playwright.sync_api import sync_playwright

    url = f"{base}/o/{ORG}/a/{data['results']}/results/"
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("BROWSER_PATH", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
        )
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            context.add_cookies([{"name": "sessionid", "value": data["viewer"], "url": base}])
            page = context.new_page()
            response = page.goto(url, wait_until="load")
            if response is None or response.status != 200:
                raise SystemExit(f"results page answered {response and response.status}")
            dcl = page.evaluate(
                "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
            )
            times.append(dcl / 1000)
            context.close()
        browser.close()
    return times


def pdf_click_to_ready(base: str, data: dict, env: dict, clicks: int = 6) -> list[dict]:
    """POST the report button, then poll until the PDF is stored. Each click asks for a
    report that does not exist yet (earlier renders removed), alternating the language."""
    import requests

    # This process runs one database only (main() starts one per database), so Django can
    # be set up here with the bench's environment.
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
    import django

    django.setup()
    from django_scopes import scopes_disabled

    from reports.models import ReportRender

    http = requests.Session()
    http.cookies.set("sessionid", data["viewer"])
    http.cookies.set("csrftoken", CSRF)
    url = f"{base}/o/{ORG}/a/{data['results']}/report/"
    figures = []
    for i in range(clicks):
        lang = "de" if i % 2 == 0 else "en"
        with scopes_disabled():
            ReportRender.objects.filter(snapshot__assessment_id=data["results"]).delete()
        t0 = time.perf_counter()
        response = http.post(
            url, data={"lang": lang}, headers={"X-CSRFToken": CSRF, "Referer": base + "/"}
        )
        if response.status_code >= 400:
            raise SystemExit(f"report request answered {response.status_code}")
        picked = None
        while True:
            with scopes_disabled():
                status = (
                    ReportRender.objects.filter(snapshot__assessment_id=data["results"], lang=lang)
                    .values_list("status", flat=True)
                    .first()
                )
            if status == "running" and picked is None:
                picked = time.perf_counter() - t0
            if status in ("done", "failed"):
                break
            if time.perf_counter() - t0 > 60:
                status = "timeout"
                break
            time.sleep(0.05)
        total = time.perf_counter() - t0
        figures.append({"total": total, "pickup": picked or float("nan"), "status": status})
    return figures


def run(
    label: str,
    database_url: str,
    duration: float,
    respondents: int,
    workers: int,
    catalogues: list[str],
) -> None:
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
        "BROWSER_PATH": os.environ.get("BROWSER_PATH", "/usr/bin/chromium"),
    }
    manage(env, "migrate", "--noinput", "-v0")
    if database_url:
        manage(env, "flush", "--noinput")
    manage(env, "createcachetable")
    for path in catalogues:
        manage(env, "catalogue", "load", path)
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput", "-v0")
    out = manage(env, "shell", "-c", SETUP_SCRIPT % {"n": respondents, "org": ORG}, capture=True)
    data = json.loads(out.strip().splitlines()[-1])
    server, base = start_server(env, workers)
    worker = subprocess.Popen(
        [PY, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.25"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # The demo's closes queued chart exports: let the worker finish them first, as it
        # has long before people answer the next assessment.
        for _ in range(240):
            if manage(env, "shell", "-c", PENDING_SCRIPT, capture=True).strip().endswith("0"):
                break
            time.sleep(0.5)
        load = Respondents(base, data, duration)
        asyncio.run(load.run())
        stored_rows = json.loads(
            manage(env, "shell", "-c", STORED_SCRIPT % {"pk": data["assessment"]}, capture=True)
            .strip()
            .splitlines()[-1]
        )
        stored = {(name, code): value for name, code, value in stored_rows}
        lost = sum(1 for key, value in load.acknowledged.items() if stored.get(key, -1) != value)
        dcl = results_page_ready(base, data)
        pdfs = pdf_click_to_ready(base, data, env)
    finally:
        for process in (server, worker):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        shutil.rmtree(var, ignore_errors=True)

    page_p99, save_p99 = pct(load.page_ms, 99), pct(load.save_ms, 99)
    print(f"\n{label}: {respondents} respondents, {duration:.0f} s, {workers} sync workers")
    print(
        f"  section page  n={len(load.page_ms):5d}  p50 {pct(load.page_ms, 50):6.1f} ms  "
        f"p99 {page_p99:6.1f} ms   target p99 <= 150 ms: {verdict(page_p99 <= 150)}"
    )
    print(
        f"  autosave      n={len(load.save_ms):5d}  p50 {pct(load.save_ms, 50):6.1f} ms  "
        f"p99 {save_p99:6.1f} ms   target p99 <= 100 ms: {verdict(save_p99 <= 100)}"
    )
    print(
        f"  answers: {len(load.acknowledged)} acknowledged, {lost} lost "
        f"({verdict(lost == 0)}), {load.failures} failed requests retried"
    )
    print(
        f"  results page DOMContentLoaded, cold cache: median {statistics.median(dcl):.2f} s, "
        f"max {max(dcl):.2f} s over {len(dcl)}   target <= 1 s: {verdict(max(dcl) <= 1.0)}"
    )
    totals = [f["total"] for f in pdfs]
    pickups = [f["pickup"] for f in pdfs]
    statuses = {f["status"] for f in pdfs}
    print(
        f"  PDF click to ready: {', '.join(f'{t:.2f}' for t in totals)} s "
        f"(first includes the worker's chromium start); p95 {pct(totals, 95):.2f} s   "
        f"target p95 <= 5 s: {verdict(pct(totals, 95) <= 5 and statuses == {'done'})}"
    )
    print(f"  worker pick-up delay: {', '.join(f'{t:.2f}' for t in pickups)} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="", help="PostgreSQL URL; empty skips PostgreSQL")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--catalogue",
        action="append",
        help="catalogue file to load (repeatable); default: every file make run loads",
    )
    parser.add_argument("--one", nargs=2, metavar=("LABEL", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    catalogues = args.catalogue or [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "assessments" / "catalogues").glob("*.yaml"))
    ]
    if args.one:
        label, url = args.one
        run(
            label,
            "" if url == "-" else url,
            args.duration,
            args.respondents,
            args.workers,
            catalogues,
        )
        return 0
    runs = ([("SQLite", "-")] if args.sqlite else []) + (
        [("PostgreSQL", args.pg_url)] if args.pg_url else []
    )
    common = ["--duration", str(args.duration), "--respondents", str(args.respondents)]
    common += [f"--catalogue={path}" for path in catalogues]
    for label, url in runs:  # one process per database: Django reads its settings once
        subprocess.run(
            [PY, __file__, "--one", label, url, *common, "--workers", str(args.workers)],
            check=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
