"""Workshop load and fault benchmark at conference scale (facilitator-paced, pushed updates).

Starts gunicorn (sync workers, DEBUG off) and Pushpin in front of it (deploy/pushpin/run.sh),
on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/compass_wsbench), and
drives N phones from one asyncio process (aiohttp) that behave like workshop-participant.js /
workshop-live.js: join (join page, join form), open the page, hold an SSE connection through
Pushpin, read the state endpoint on every (re)connect, render the pushed question, vote after a
1–8 s think time through the never-lose rules (retry with back-off until {"ok": true, "ts"}),
reconnect after a dropped stream. The presenter screen polls its state each second (as the
page does; it also publishes the trailing vote count). The facilitator (this process, through
``workshops.services`` as the facilitator view's POSTs do) opens 10 questions and reveals each.

Measured: vote p99 (client round trip through Pushpin), how fast a reveal / next question
reaches the phones (share within 1 s, all within 3 s), and acknowledged votes against the rows
stored (0 lost, 0 duplicated). The ``faults`` run restarts Pushpin and SIGKILLs one gunicorn
worker mid-run.

    .venv/bin/python bench/workshop_load.py                       # 1,000 phones, both runs
    .venv/bin/python bench/workshop_load.py --phones 2000 --runs normal
"""

import argparse
import asyncio
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PY = str(ROOT / ".venv" / "bin" / "python")
CATALOGUE = ROOT / "assessments" / "catalogues" / "co-creation-2026.1.yaml"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/compass_wsbench"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def raise_fd_limit(need: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
    log(f"file descriptors: {resource.getrlimit(resource.RLIMIT_NOFILE)[0]} (need ~{need})")


# --------------------------------------------------------------------------- servers


class Servers:
    """As `make run` serves: nginx on --front-port (deploy/nginx/run.sh) sends the event
    streams to Pushpin on --push-port (publishing from --push-port + 1) and everything else to
    gunicorn on --app-port."""

    def __init__(self, args, env: dict, folder: Path):
        self.args = args
        self.env = env
        self.folder = folder
        self.app = f"127.0.0.1:{args.app_port}"
        self.url = f"http://127.0.0.1:{args.front_port}"
        self.gunicorn = self.pushpin = self.nginx = None

    def start_nginx(self) -> None:
        env = {
            **self.env,
            "NGINX_DIR": str(self.folder / "nginx"),
            "NGINX_HTTP": f"127.0.0.1:{self.args.front_port}",
            "NGINX_APP": self.app,
            "NGINX_PUSH": f"127.0.0.1:{self.args.push_port}",
        }
        self.nginx, self.nginx_log = self._script("nginx", env)
        self._wait(f"{self.url}/healthz")

    def _script(self, name: str, env: dict):
        """deploy/<name>/run.sh in its own process group, its output appended to a log."""
        log_file = open(self.folder / f"{name}.log", "a")  # noqa: SIM115
        process = subprocess.Popen(
            [str(ROOT / "deploy" / name / "run.sh")],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return process, log_file

    def start_gunicorn(self) -> None:
        self.gunicorn_log = open(self.folder / "gunicorn.log", "w")  # noqa: SIM115
        self.gunicorn = subprocess.Popen(
            [
                *(GUNICORN, "maturity.wsgi", "--bind", self.app),
                *("--workers", str(self.args.workers), "--timeout", "30"),
                *("--graceful-timeout", "5", "--backlog", "4096"),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.gunicorn_log,
            stderr=subprocess.STDOUT,
        )
        self._wait(f"http://{self.app}/healthz")

    def start_pushpin(self) -> None:
        env = {
            **self.env,
            "PUSHPIN_DIR": str(self.folder / "pushpin"),
            "PUSHPIN_HTTP": f"127.0.0.1:{self.args.push_port}",
            "PUSHPIN_BACKEND": self.app,
            "PUSHPIN_PUBLISH_BASE": str(self.args.push_port + 1),
            "PUSHPIN_LOG_LEVEL": os.environ.get("BENCH_PUSHPIN_LOG_LEVEL", "1"),
        }
        self.pushpin, self.pushpin_log = self._script("pushpin", env)
        # Listening is enough: under load a round trip through it to gunicorn may queue.
        for _ in range(300):
            if self._port_open(self.args.push_port):
                return
            time.sleep(0.1)
        raise RuntimeError("Pushpin did not listen")

    @staticmethod
    def _port_open(port: int) -> bool:
        import socket

        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", port)) == 0

    def _wait(self, url: str) -> None:
        for _ in range(150):
            try:
                urllib.request.urlopen(url, timeout=2).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer")

    def stop_pushpin(self) -> None:
        if self.pushpin and self.pushpin.poll() is None:
            os.killpg(self.pushpin.pid, signal.SIGTERM)
            self.pushpin.wait(timeout=15)
        self.pushpin_log.close()

    def restart_pushpin(self) -> float:
        started = time.monotonic()
        self.stop_pushpin()
        for _ in range(150):  # its children release the port a moment after it exits
            if not self._port_open(self.args.push_port):
                break
            time.sleep(0.1)
        self.start_pushpin()
        return time.monotonic() - started

    def kill_one_worker(self) -> int:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.gunicorn.pid:
                    os.kill(int(entry.name), signal.SIGKILL)
                    return int(entry.name)
        return 0

    def stop(self) -> None:
        if self.nginx and self.nginx.poll() is None:
            os.killpg(self.nginx.pid, signal.SIGTERM)
            self.nginx.wait(timeout=15)
            self.nginx_log.close()
        if self.pushpin:
            self.stop_pushpin()
        if self.gunicorn:
            self.gunicorn.send_signal(signal.SIGTERM)
            self.gunicorn.wait(timeout=20)
            self.gunicorn_log.close()


# --------------------------------------------------------------------------- the room


def create_room(section_key: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_scopes import scope

    from assessments import services as assessment_services
    from assessments.catalogue import active_catalogue
    from assessments.models import Membership, Organisation, Role, Section
    from workshops import selectors, services

    org, _ = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    user, _ = get_user_model().objects.get_or_create(username="bench-consultant")
    catalogue = active_catalogue()
    with scope(organisation=org):
        Membership.objects.get_or_create(
            user=user, organisation=org, defaults={"role": Role.CONSULTANT}
        )
        assessment = assessment_services.create_assessment(
            organisation=org,
            created_by=user,
            title=f"Workshop bench {time.strftime('%H:%M:%S')}",
            catalogue=catalogue,
            target_stage=3,
            respondents=[],
        )
        section = Section.objects.get(catalogue=catalogue, key=section_key)
        session = services.start_session(
            assessment=assessment, mode="facilitator", section=section, user=user
        )
        questions = selectors.session_questions(session=session)
        selectors.room_state(session=session)  # the catalogue is read once per process
    client = Client()
    client.force_login(user)  # a session row for the presenter screen's polling
    return {
        "org": org,
        "session": session,
        "questions": len(questions),
        "code": session.code,
        "screen_state": f"/o/{org.slug}/workshops/{session.pk}/state/",
        "cookie": f"sessionid={client.cookies['sessionid'].value}",
    }


class Stats:
    def __init__(self):
        self.vote_ms: list[float] = []
        self.vote_ms_by_round: dict[str, list[float]] = {}  # "AL-01/1" → round trips
        self.join_ms: list[float] = []
        self.acked: list[dict] = []
        self.refused = 0
        self.vote_errors = 0
        self.retries = 0
        self.received: dict[str, list[float]] = {}  # state key → arrival times
        self.reconnects = 0
        self.resyncs = 0
        self.polls = 0
        self.stream_errors = 0
        self.stream_reasons: Counter = Counter()
        self.refusals: Counter = Counter()


class Phone:
    """One phone as the JavaScript behaves."""

    def __init__(self, n: int, room: dict, base: str, http, stats: Stats, stop: asyncio.Event):
        self.n = n
        self.room = room
        self.base = base
        self.http = http
        self.stats = stats
        self.stop = stop
        self.cookies: dict[str, str] = {}
        self.last_ts = 0
        self.seen: set[str] = set()
        self.voted: set[tuple[str, int]] = set()
        self.tasks: set[asyncio.Task] = set()
        self.background: set[asyncio.Task] = set()
        self.polling = False
        self.streaming = False

    def headers(self, **extra) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, **extra}

    def keep(self, response) -> None:
        for name, morsel in response.cookies.items():
            self.cookies[name] = morsel.value

    async def join(self) -> None:
        code = self.room["code"]
        started = time.monotonic()
        while True:
            try:
                async with self.http.get(f"{self.base}/join/{code}/", headers=self.headers()) as r:
                    page = await r.text()
                    self.keep(r)
                nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
                data = {
                    "perspective": random.choice(["business", "it", "other"]),
                    "display_name": "",
                    "nonce": nonce,
                    "csrfmiddlewaretoken": self.cookies["csrftoken"],
                }
                async with self.http.post(
                    f"{self.base}/join/{code}/",
                    data=data,
                    headers=self.headers(),
                    allow_redirects=False,
                ) as r:
                    self.keep(r)
                    if r.status != 302:
                        raise RuntimeError(r.status)
                async with self.http.get(f"{self.base}/w/{code}/", headers=self.headers()) as r:
                    await r.read()
                break
            except Exception:  # the join form is retried by a person, with the same nonce
                await asyncio.sleep(1 + random.random())
        self.stats.join_ms.append((time.monotonic() - started) * 1000)

    async def read_state(self) -> None:
        url = f"{self.base}/w/{self.room['code']}/state/"
        try:
            async with self.http.get(url, headers=self.headers(Accept="application/json")) as r:
                if r.status == 200:
                    self.apply(await r.json(), resync=True)
        except Exception:
            self.stats.stream_errors += 1

    def apply(self, state: dict, resync: bool = False) -> None:
        key = state.get("v")
        if key and key not in self.seen:
            self.seen.add(key)
            self.stats.received.setdefault(key, []).append(time.monotonic())
        question = state.get("question")
        if state.get("status") != "open" or not question or state.get("phase") != "voting":
            return
        target = (question["code"], state["round"])
        if target in self.voted or (resync and state.get("mine")):
            return
        self.voted.add(target)
        task = asyncio.create_task(self.vote(*target))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def vote(self, code: str, number: int) -> None:
        await asyncio.sleep(random.uniform(1, 8))  # think time
        self.last_ts = max(int(time.time() * 1000), self.last_ts + 1)
        value = random.choice(["0", "1", "2", "3", "4", "dk"])
        body = {"question": code, "round": str(number), "value": value, "ts": str(self.last_ts)}
        delay = 1.0
        while True:
            started = time.monotonic()
            try:
                async with self.http.post(
                    f"{self.base}/w/{self.room['code']}/vote/",
                    data=body,
                    headers=self.headers(
                        Accept="application/json", **{"X-CSRFToken": self.cookies["csrftoken"]}
                    ),
                    allow_redirects=False,
                ) as r:
                    data = await r.json() if "json" in r.headers.get("Content-Type", "") else {}
                    status = r.status
            except Exception:
                status, data = 0, {}
            if status == 200 and data.get("ok") and str(data.get("ts")) == body["ts"]:
                took = (time.monotonic() - started) * 1000
                self.stats.vote_ms.append(took)
                self.stats.vote_ms_by_round.setdefault(f"{code}/{number}", []).append(took)
                _participant, respondent = (
                    self.cookies[f"compass_ws_{self.room['code']}"].split(":")[0].split(".")
                )
                self.stats.acked.append(
                    {
                        "respondent": int(respondent),
                        "question": code,
                        "round": number,
                        "value": None if value == "dk" else int(value),
                        "ts": int(body["ts"]),
                    }
                )
                return
            if status in (400, 404, 409):
                self.stats.refused += 1
                # Refused for good (voting closed): never reported "saved".
                self.stats.refusals[f"{status} {data.get('error', '')}"] += 1
                return
            self.stats.retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 15)

    async def poll(self) -> None:
        """workshop-live.js while it has no stream: the state endpoint every 2 s, from a
        random moment on."""
        await asyncio.sleep(random.uniform(0, 2))
        while self.polling and not self.stop.is_set():
            self.stats.polls += 1
            await self.read_state()
            await asyncio.sleep(2)

    def start_polling(self) -> None:
        if not self.polling:
            self.polling = True
            self.spawn(self.poll())

    def spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def resync(self) -> None:
        """workshop-live.js's safety net: a state read every 60-90 s while streaming."""
        while not self.stop.is_set():
            await asyncio.sleep(random.uniform(60, 90))
            if not self.polling:
                await self.read_state()

    async def listen(self) -> None:
        """An EventSource as workshop-live.js uses it: on a dropped connection the browser
        reconnects after ~3 s, and the page polls only if it has no stream 5-10 s later; a
        refused one (not 200) is closed for good: the page polls, and opens the stream again
        after 20-40 s."""
        url = f"{self.base}/w/{self.room['code']}/events/"
        self.spawn(self.resync())
        while not self.stop.is_set():
            delay = 3.0
            try:
                async with self.http.get(
                    url, headers=self.headers(Accept="text/event-stream"), timeout=None
                ) as r:
                    if r.status != 200:
                        delay = random.uniform(20, 40)
                        raise RuntimeError(r.status)
                    event = None
                    async for raw in r.content:
                        line = raw.decode().rstrip("\n")
                        if line.startswith("event: "):
                            event = line[7:]
                        elif line.startswith("data:") and event:
                            if event == "stream-open":
                                self.stats.resyncs += 1
                                self.polling = False
                                self.streaming = True
                                await self.read_state()
                            elif event == "state":
                                self.apply(json.loads(line[5:]))
                        elif line == "":
                            event = None
                        if self.stop.is_set():
                            return
            except asyncio.CancelledError:
                return
            except Exception as error:
                self.stats.stream_errors += 1
                self.stats.stream_reasons[type(error).__name__ + str(error)[:40]] += 1
            if self.stop.is_set():
                return
            self.stats.reconnects += 1
            self.streaming = False
            if delay > 3:
                self.start_polling()  # closed for good: poll at once
            else:
                self.spawn(self.poll_unless_reconnected(random.uniform(5, 10)))
            await asyncio.sleep(delay)

    async def poll_unless_reconnected(self, wait: float) -> None:
        """A dropped stream: the browser reconnects; the page polls only if that takes long."""
        await asyncio.sleep(wait)
        if not self.streaming:
            self.start_polling()


async def presenter(room: dict, base: str, http, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            async with http.get(
                base + room["screen_state"], headers={"Cookie": room["cookie"]}
            ) as r:
                await r.read()
        except Exception:  # noqa: S110 - the screen keeps polling
            pass
        await asyncio.sleep(1)


def facilitator_step(room: dict, action: str) -> str:
    from django_scopes import scope

    from workshops import selectors, services

    with scope(organisation=room["org"]):
        session = room["session"]
        if action == "reveal":
            session = services.reveal(session=session)
        else:
            session = services.step(session=session, offset=1)
        room["session"] = session
        return selectors.state_key(session)


async def phones_main(args, room: dict, base: str, indices: range, stop_flag, out, screen):
    """One client process: its share of the phones (and the presenter screen in the first),
    until the parent sets ``stop_flag``; then its figures go back through ``out``."""
    import aiohttp

    stats = Stats()
    stop = asyncio.Event()
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=10),
    ) as http:
        phones = [Phone(i, room, base, http, stats, stop) for i in indices]
        sem = asyncio.Semaphore(max(1, 40 // args.client_processes))
        listeners = []

        async def join(phone):
            await asyncio.sleep(random.uniform(0, args.join_seconds))
            async with sem:
                await phone.join()
            # The participant page opens its stream as soon as it has loaded.
            listeners.append(asyncio.create_task(phone.listen()))

        await asyncio.gather(*(join(p) for p in phones))
        out.put(("joined", len(phones)))
        tasks = [asyncio.create_task(presenter(room, base, http, stop))] if screen else []
        while not stop_flag.is_set():
            await asyncio.sleep(0.2)
        pending = [t for p in phones for t in p.tasks]
        if pending:
            await asyncio.wait(pending, timeout=60)
        stop.set()
        tasks += [*listeners, *(t for p in phones for t in p.background)]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    out.put(("stats", vars(stats)))


def phones_process(*arguments) -> None:
    random.seed()  # forked: each process draws its own think times
    if os.environ.get("BENCH_NO_GC"):
        import gc

        gc.disable()
    if os.environ.get("BENCH_DEBUG"):
        import gc

        pauses, started = [], {}

        def timed(phase, info):
            if phase == "start":
                started["t"] = time.monotonic()
            elif info["generation"] == 2:
                pauses.append((time.monotonic() - started["t"]) * 1000)

        gc.callbacks.append(timed)
        asyncio.run(phones_main(*arguments))
        log(f"phones' full collections: {len(pauses)}, longest {max(pauses, default=0):.0f} ms")
        return
    asyncio.run(phones_main(*arguments))


def merge(parts: list[dict]) -> Stats:
    stats = Stats()
    for part in parts:
        for name, value in part.items():
            mine = getattr(stats, name)
            if isinstance(mine, dict) and not isinstance(mine, Counter):
                for key, items in value.items():
                    mine.setdefault(key, []).extend(items)
            elif isinstance(mine, list | Counter):
                mine.update(value) if isinstance(mine, Counter) else mine.extend(value)
            else:
                setattr(stats, name, mine + value)
    return stats


def run(args, name: str, servers: Servers, room: dict) -> dict:
    """The phones run in --client-processes processes (real phones do not share one event
    loop: a single process would deliver a push to 1,000 phones one after the other); this
    process plays the facilitator."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # not shared with the forked clients
    context = multiprocessing.get_context("fork")
    stop_flag, out = context.Event(), context.Queue()
    count = args.client_processes
    shares = [range(i, args.phones, count) for i in range(count)]
    processes = [
        context.Process(
            target=phones_process,
            args=(args, room, servers.url, share, stop_flag, out, i == 0),
        )
        for i, share in enumerate(shares)
    ]
    log(f"[{name}] {args.phones} phones join (spread over {args.join_seconds} s)")
    for process in processes:
        process.start()
    if os.environ.get("BENCH_DEBUG"):
        groups = {
            "app": [servers.gunicorn.pid],
            "push": [servers.pushpin.pid],
            "nginx": [servers.nginx.pid],
            "phones": [p.pid for p in processes],
        }
        threading.Thread(target=cpu_timeline, args=(groups, stop_flag), daemon=True).start()
    for _ in processes:
        assert out.get()[0] == "joined"
    started = time.monotonic()
    time.sleep(3)
    actions = []  # (what, state key, t0)
    faults = {}
    for index in range(min(args.questions, room["questions"])):
        if index > 0:
            t0 = time.monotonic()
            actions.append(("next", facilitator_step(room, "next"), t0))
        time.sleep(args.vote_seconds)
        if name == "faults" and index == min(args.questions, room["questions"]) // 2:
            faults["pushpin_restart_s"] = servers.restart_pushpin()
            faults["killed_worker"] = servers.kill_one_worker()
            log(
                f"[faults] Pushpin restarted in {faults['pushpin_restart_s']:.1f} s, "
                f"worker {faults['killed_worker']} killed"
            )
            time.sleep(4)
        t0 = time.monotonic()
        actions.append(("reveal", facilitator_step(room, "reveal"), t0))
        time.sleep(args.reveal_seconds)
    stop_flag.set()
    parts = []
    for _ in processes:
        kind, part = out.get()
        assert kind == "stats"
        parts.append(part)
    for process in processes:
        process.join()
    stats = merge(parts)
    reach = []
    for what, key, t0 in actions:
        arrivals = sorted(t - t0 for t in stats.received.get(key, []))
        if os.environ.get("BENCH_DEBUG"):
            deciles = [f"{pct(arrivals, p):.2f}" for p in range(10, 101, 10)]
            wall = time.strftime("%H:%M:%S", time.gmtime(time.time() - (time.monotonic() - t0)))
            log(f"{what} at {t0 - started:.1f} s ({wall}): deciles {' '.join(deciles)}")
        within1 = sum(1 for a in arrivals if a <= 1.0) / args.phones
        within3 = sum(1 for a in arrivals if a <= 3.0) / args.phones
        reach.append(
            {
                "what": what,
                "within_1s": within1,
                "within_3s": within3,
                "p95": pct(arrivals, 95) if len(arrivals) else float("nan"),
                "first": arrivals[0] if arrivals else float("nan"),
                "received": len(arrivals),
            }
        )
    if os.environ.get("BENCH_DEBUG"):
        for key, took in stats.vote_ms_by_round.items():
            log(
                f"votes {key}: n {len(took)},"
                f" p50 {pct(took, 50):.0f} ms, p99 {pct(took, 99):.0f} ms"
            )
    return {"stats": stats, "reach": reach, "faults": faults}


def verify(room: dict, stats: Stats) -> dict:
    from django.db import connections
    from django_scopes import scope

    from assessments.models import Answer

    connections.close_all()
    with scope(organisation=room["org"]):
        rows = list(
            Answer.objects.filter(
                respondent__workshop_participant__session=room["session"]
            ).values_list("respondent_id", "question__code", "round", "value", "client_ts")
        )
    per_key = Counter((r, q, n) for r, q, n, _v, _t in rows)
    stored = {(r, q, n): (v, t) for r, q, n, v, t in rows}
    lost = wrong = 0
    for ack in stats.acked:
        key = (ack["respondent"], ack["question"], ack["round"])
        if key not in stored:
            lost += 1
        elif stored[key] != (ack["value"], ack["ts"]):
            wrong += 1
    return {
        "acknowledged": len(stats.acked),
        "stored": len(rows),
        "lost": lost,
        "wrong": wrong,
        "duplicated": sum(n - 1 for n in per_key.values() if n > 1),
    }


def report(name: str, args, outcome: dict, check: dict, cpu: dict) -> bool:
    stats = outcome["stats"]
    reach = outcome["reach"]
    worst1 = min((r["within_1s"] for r in reach), default=0)
    worst3 = min((r["within_3s"] for r in reach), default=0)
    p99 = pct(stats.vote_ms, 99)
    ok = (
        p99 <= 200
        and worst1 >= 0.95
        and worst3 >= 1.0
        and check["lost"] == 0
        and check["duplicated"] == 0
    )
    print(f"\n=== {name}: {args.phones} phones, {args.workers} gunicorn workers, 1 Pushpin ===")
    print(f"join   p50 {pct(stats.join_ms, 50):7.0f} ms  p99 {pct(stats.join_ms, 99):7.0f} ms")
    print(
        f"vote   p50 {pct(stats.vote_ms, 50):7.0f} ms  p99 {p99:7.0f} ms"
        f"   (n={len(stats.vote_ms)}, "
        f"retries {stats.retries}, refused after the reveal {stats.refused})"
    )
    print(
        f"pushes: reveal/next reaching phones within 1 s: worst {worst1:.1%}, mean "
        f"{sum(r['within_1s'] for r in reach) / max(len(reach), 1):.1%};"
        f" within 3 s: worst {worst3:.1%}"
    )
    print("        reach p95 per action (s): " + " ".join(f"{r['p95']:.2f}" for r in reach))
    print("        first phone per action (s): " + " ".join(f"{r['first']:.2f}" for r in reach))
    print(
        f"streams: reconnects {stats.reconnects}, resyncs {stats.resyncs}, polls {stats.polls}, "
        "errors "
        f"{stats.stream_errors} {dict(stats.stream_reasons.most_common(3))}"
    )
    if stats.refusals:
        print(f"refused: {dict(stats.refusals.most_common(3))}")
    if outcome["faults"]:
        print(f"faults: {outcome['faults']}")
    print(
        f"votes: acknowledged {check['acknowledged']}, stored {check['stored']}, lost "
        f"{check['lost']}, wrong value {check['wrong']}, duplicated {check['duplicated']}"
    )
    print("CPU seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()))
    print(
        f"verdict: {'MEETS' if ok else 'MISSES'} the targets (vote p99 <= 200 ms, 95 % within 1 s, "
        "all within 3 s, 0 lost, 0 duplicated)"
    )
    return ok


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid, pgid = int(entry.name), int(fields[1]), int(fields[2])
        if pid in pids or ppid in pids or pgid in pids:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def postgres_cpu() -> float:
    """CPU seconds of the running PostgreSQL processes (the backends of open connections)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().startswith("postgres"):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return total


def cpu_timeline(groups: dict[str, list[int]], stop) -> None:
    """BENCH_DEBUG: each 5 s, the cores each part of the system used meanwhile."""

    def sample():
        return {
            **{name: cpu_of(pids) for name, pids in groups.items()},
            "postgres": postgres_cpu(),
            "machine": machine_cpu(),
        }

    last, then = sample(), time.monotonic()
    while not stop.wait(5):
        now, at = sample(), time.monotonic()
        cores = " ".join(f"{k} {(now[k] - last[k]) / (at - then):.2f}" for k in now)
        log(f"cores: {cores}")
        last, then = now, at


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the phones' processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_cpu() -> float:
    """CPU seconds the whole machine spent busy (all processes, PostgreSQL's short-lived
    backends included), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--runs", default="normal,faults")
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("BENCH_APP_PORT", 8150)))
    parser.add_argument(
        "--push-port", type=int, default=int(os.environ.get("BENCH_PUSH_PORT", 8151))
    )
    parser.add_argument(
        "--front-port", type=int, default=int(os.environ.get("BENCH_FRONT_PORT", 8149))
    )
    parser.add_argument("--join-seconds", type=float, default=30)
    parser.add_argument("--vote-seconds", type=float, default=10)
    parser.add_argument("--reveal-seconds", type=float, default=3)
    parser.add_argument("--section", default="alignment")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--skip-collectstatic", action="store_true")
    parser.add_argument(
        "--client-processes", type=int, default=2, help="processes the phones are spread over"
    )
    args = parser.parse_args()
    raise_fd_limit(args.phones * 3 + 500)

    folder = ROOT / "var" / "bench-workshop"
    folder.mkdir(parents=True, exist_ok=True)
    control = f"http://127.0.0.1:{args.push_port + 2}"
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "COMPASS_PUSHPIN_CONTROL_URIS": control,
        "DJANGO_SETTINGS_MODULE": "maturity.settings",
    }
    os.environ.update(env)
    db = env["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {db}"],
        capture_output=True,
        check=False,
    )
    commands = [
        ["migrate", "--noinput", "-v0"],
        ["createcachetable"],
        ["catalogue", "load", str(CATALOGUE)],
    ]
    if not args.skip_collectstatic:
        commands.append(["collectstatic", "--noinput", "-v0"])  # DEBUG off: hashed files
    for command in commands:
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    servers = Servers(args, env, folder)
    failed = False
    try:
        servers.start_gunicorn()
        servers.start_pushpin()
        servers.start_nginx()
        for name in args.runs.split(","):
            room = create_room(args.section)
            log(f"[{name}] room {room['code']}, {room['questions']} questions")
            roots = [servers.gunicorn.pid, servers.pushpin.pid]
            before = {
                "app": cpu_of([servers.gunicorn.pid]),
                "push": cpu_of([servers.pushpin.pid]),
                "nginx": cpu_of([servers.nginx.pid]),
                "bench": cpu_of([os.getpid()]) + children_cpu(),
                "machine": machine_cpu(),
            }
            started = time.monotonic()
            outcome = run(args, name, servers, room)
            elapsed = time.monotonic() - started
            after = {
                "app": cpu_of([servers.gunicorn.pid]),
                "push": cpu_of([servers.pushpin.pid]),
                "nginx": cpu_of([servers.nginx.pid]),
                "bench": cpu_of([os.getpid()]) + children_cpu(),
                "machine": machine_cpu(),
            }
            cpu = {k: after[k] - before[k] for k in before}
            cpu["wall"] = elapsed
            del roots
            check = verify(room, outcome["stats"])
            failed |= not report(name, args, outcome, check, cpu)
    finally:
        servers.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
