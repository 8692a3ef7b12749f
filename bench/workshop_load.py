"""Workshop load and fault benchmark: 300 phones join a live workshop and answer every question
of one section within a minute while the presenter screen polls; afterwards the answers the
server acknowledged are compared with the rows stored (0 lost, 0 duplicated).

Starts its own PostgreSQL 15 (a throw-away cluster in a temporary folder, on a free
127.0.0.1 port, so restarting it never disturbs anybody else's database) and gunicorn (sync
workers, DEBUG off, plain http) on a free port, then runs the locust users of
``bench/workshop_locust.py`` headless.

Runs:
- ``normal``: as described; prints join / vote / poll p50 and p99, errors, retries and the
  acknowledged-vs-stored comparison (target: vote p99 <= 200 ms on the 2-core machine);
- ``faults``: the same, while PostgreSQL is restarted mid-run (``pg_ctl restart -m fast``,
  what ``pg_ctlcluster ... restart`` does; with ``--pg-url`` the given ``--restart-cmd``,
  e.g. ``pg_ctlcluster --skip-systemctl-redirect 15 main restart``) and one gunicorn worker
  is killed with SIGKILL. Clients retry until acknowledged; still 0 lost.

    .venv/bin/python bench/workshop_load.py                 # both runs
    .venv/bin/python bench/workshop_load.py --run normal --users 100
"""

import argparse
import hashlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
CATALOGUE = ROOT / "assessments" / "catalogues" / "co-creation-2026.1.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    # UTC: django.setup() switches the process's local time zone (TIME_ZONE) mid-run.
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# --------------------------------------------------------------------------- PostgreSQL


class PrivateCluster:
    """initdb + pg_ctl in a temporary folder, as the postgres user when run as root."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "pgdata"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/compass"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        options = f"-p {self.port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self.ctl = [*self.as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w"]
        self.options = ["-o", options, "-l", str(folder / "postgres.log")]

    def start(self) -> None:
        if self.as_postgres:
            shutil.chown(self.folder, user="postgres")
        initdb = [*self.as_postgres, str(PG_BIN / "initdb"), "-D", str(self.data)]
        subprocess.run(
            [*initdb, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            check=True,
            capture_output=True,
        )
        subprocess.run([*self.ctl, *self.options, "start"], check=True, capture_output=True)
        subprocess.run(
            [
                str(PG_BIN / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "compass",
            ],
            check=True,
        )

    def restart(self) -> float:
        started = time.monotonic()
        subprocess.run(
            [*self.ctl, *self.options, "-m", "fast", "restart"], check=True, capture_output=True
        )
        return time.monotonic() - started

    def stop(self) -> None:
        subprocess.run([*self.ctl, "-m", "immediate", "stop"], capture_output=True)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])


class ExternalServer:
    def __init__(self, url: str, restart_cmd: str):
        self.url = url
        self.restart_cmd = restart_cmd

    def start(self) -> None:
        pass

    def restart(self) -> float:
        started = time.monotonic()
        subprocess.run(shlex.split(self.restart_cmd), check=True, capture_output=True)
        return time.monotonic() - started

    def stop(self) -> None:
        pass

    def postmaster_pid(self) -> int:
        return 0  # not ours to account for


# --------------------------------------------------------------------------- set-up


def manage(env: dict, *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare_database(env: dict) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    manage(env, "catalogue", "load", str(CATALOGUE))
    manage(env, "collectstatic", "--noinput", "-v0")


def create_session(section_key: str) -> dict:
    """A fresh self-paced workshop on one section, and a signed-in consultant session."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django_scopes import scope

    from assessments import services as assessment_services
    from assessments.catalogue import active_catalogue
    from assessments.models import Membership, Organisation, Question, Role, Section
    from workshops import services

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

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
            assessment=assessment, mode="self", section=section, user=user
        )
        questions = list(
            Question.objects.filter(section=section)
            .order_by("order")
            .values_list("code", flat=True)
        )
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {
        "session_pk": session.pk,
        "org": org,
        "code": session.code,
        "questions": questions,
        "presenter_url": f"/o/{org.slug}/workshops/{session.pk}/",
        "presenter_session": store.session_key,
    }


# --------------------------------------------------------------------------- gunicorn


class Gunicorn:
    def __init__(self, env: dict, workers: int, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / f"gunicorn-{self.port}.log"
        self.env = env
        self.workers = workers

    def start(self) -> None:
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        bind = [GUNICORN, "maturity.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*bind, "--workers", str(self.workers), "--timeout", "30", "--graceful-timeout", "5"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2).read()  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not start, see {self.log_path}")

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def kill_one_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


# --------------------------------------------------------------------------- CPU


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy since boot (all processes, all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def per_process() -> dict[int, tuple[str, float]]:
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
            except OSError:
                continue
            fields = tail.split()
            out[int(entry.name)] = (
                head.split("(", 1)[1],
                sum(int(x) for x in fields[11:13]) / ticks,
            )
    return out


def top_others(before: dict, after: dict, mine: set[int]) -> list[tuple[str, float]]:
    """The other processes that used the most CPU during the run (what skews the figures)."""
    used: Counter = Counter()
    for pid, (name, seconds) in after.items():
        if pid not in mine:
            used[name] += seconds - before.get(pid, (name, 0.0))[1]
    return [(name, round(seconds, 1)) for name, seconds in used.most_common(4) if seconds >= 1]


def cpu_seconds(roots: dict[str, int]) -> dict[str, float]:
    """CPU seconds of each process tree in ``roots`` (kind -> pid): the root's own time,
    the time of its children already reaped (cutime), and that of its live children."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), [int(x) for x in fields[11:15]])
    totals = {}
    for kind, pid in roots.items():
        if pid not in stats:
            continue
        own = stats[pid][1]
        used = sum(own)  # utime stime cutime cstime
        used += sum(sum(t[:2]) for ppid, t in stats.values() if ppid == pid)
        totals[kind] = used / ticks
    return totals


# --------------------------------------------------------------------------- one run


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def verify(setup: dict, result: dict) -> dict:
    """Acknowledged votes against the rows stored."""
    from django.db import connections
    from django_scopes import scope

    from assessments.models import Answer
    from workshops.models import Participant

    connections.close_all()  # the driver's own connection did not survive a restart
    with scope(organisation=setup["org"]):
        participants = {
            p.token_hash: p.respondent_id
            for p in Participant.objects.filter(session_id=setup["session_pk"])
        }
        rows = list(
            Answer.objects.filter(
                respondent__workshop_participant__session_id=setup["session_pk"]
            ).values_list("respondent_id", "question__code", "round", "value", "client_ts")
        )
    per_key = Counter((r, q, n) for r, q, n, _v, _t in rows)
    stored = {(r, q, n): (v, t) for r, q, n, v, t in rows}
    joined = {hashlib.sha256(j["token"].encode()).hexdigest() for j in result["joined"]}
    lost = wrong = 0
    matched = set()
    for ack in result["acked"]:
        respondent = participants.get(hashlib.sha256(ack["token"].encode()).hexdigest())
        key = (respondent, ack["question"], 1)
        value = None if ack["value"] == "dk" else int(ack["value"])
        if respondent is None or key not in stored:
            lost += 1
        elif stored[key] != (value, ack["ts"]):
            wrong += 1
        matched.add(key)
    return {
        "acknowledged": len(result["acked"]),
        "stored": len(rows),
        "lost": lost,
        "wrong_value": wrong,
        "duplicated_rows": sum(n - 1 for n in per_key.values() if n > 1),
        "stored_unacknowledged": len(set(stored) - matched),
        "participants_joined": len(joined),
        "participants_stored": len(participants),
        "duplicate_participants": len(set(participants) - joined),
        "missing_participants": len(joined - set(participants)),
    }


def wait_for_quiet(limit: float, seconds: float) -> None:
    """Other work on the machine skews latencies: wait (bounded) until the 1-minute load
    average is below ``limit``."""
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= limit and time.monotonic() < deadline:
        time.sleep(5)
    log(f"load average {os.getloadavg()[0]:.1f}")


def run(name: str, args, env: dict, pg, folder: Path) -> dict:
    wait_for_quiet(args.quiet_load, args.quiet_wait)
    setup = create_session(args.section)
    server = Gunicorn(env, args.workers, folder)
    server.start()
    config = {
        "code": setup["code"],
        "questions": setup["questions"],
        "presenter_url": setup["presenter_url"],
        "presenter_session": setup["presenter_session"],
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "think": [args.think_min, args.think_max],
        "max_seconds": args.max_seconds,
        "poll": args.poll,
    }
    config_path = folder / f"{name}-config.json"
    out_path = folder / f"{name}-result.json"
    config_path.write_text(json.dumps(config))
    faults: list[str] = []

    def inject():
        time.sleep(args.restart_at)
        took = pg.restart()
        faults.append(f"PostgreSQL restarted at {args.restart_at:.0f} s (took {took:.1f} s)")
        time.sleep(max(0.0, args.kill_at - args.restart_at - took))
        pid = server.kill_one_worker()
        faults.append(f"gunicorn worker {pid} killed (SIGKILL) at {args.kill_at:.0f} s")

    load_before = os.getloadavg()[0]
    roots = {"gunicorn": server.process.pid, "postgres": pg.postmaster_pid()}
    cpu_before = cpu_seconds(roots)
    busy_before = machine_busy()
    procs_before = per_process()
    log(f"{name}: {args.users} phones, code {setup['code']}, {server.url}")
    command = [PY, str(ROOT / "bench" / "workshop_locust.py"), "--host", server.url]
    locust = subprocess.Popen(
        [*command, "--config", str(config_path), "--out", str(out_path)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / f"{name}-locust.log", "w"),  # noqa: SIM115
    )
    injector = None
    if name == "faults":
        injector = threading.Thread(target=inject, daemon=True)
        injector.start()
    locust_cpu: dict[str, float] = {}
    while locust.poll() is None:
        locust_cpu = cpu_seconds({"locust": locust.pid}) or locust_cpu  # while alive
        time.sleep(0.5)
    if injector is not None:
        injector.join(timeout=30)
    roots["postgres"] = pg.postmaster_pid()  # a restart started a new postmaster
    cpu_after = cpu_seconds(roots)
    busy = machine_busy() - busy_before
    procs_after = per_process()
    mine = {os.getpid(), server.process.pid, *server.worker_pids()}
    mine |= {
        pid for pid, (name, _s) in procs_after.items() if name.startswith(("postgres", "locust"))
    }
    others = top_others(procs_before, procs_after, mine)
    server.stop()
    result = json.loads(out_path.read_text())
    checked = verify(setup, result)
    server_errors = sum(
        1 for line in server.log_path.read_text().splitlines() if "Traceback" in line
    )
    return {
        "name": name,
        "result": result,
        "checked": checked,
        "faults": faults,
        "server_tracebacks": server_errors,
        "load": (load_before, os.getloadavg()[0]),
        "others": others,
        "cpu": cpu_split(cpu_before, cpu_after, locust_cpu, busy, bool(faults)),
        "workers": args.workers,
        "questions": len(setup["questions"]),
    }


def cpu_split(before, after, locust, busy, restarted) -> dict[str, float]:
    split = {"gunicorn": after.get("gunicorn", 0) - before.get("gunicorn", 0)}
    # After a restart the new postmaster's tree holds the whole run's database work.
    pg_before = 0 if restarted else before.get("postgres", 0)
    split["postgres"] = after.get("postgres", 0) - pg_before
    split["locust"] = locust.get("locust", 0)
    split["everything else"] = max(0.0, busy - sum(split.values()))
    return split


def report(outcome: dict, users: int) -> None:
    result, checked = outcome["result"], outcome["checked"]
    lat = result["latencies"]
    total = sum(len(v) for v in lat.values())
    print()
    print(
        f"== workshop {outcome['name']} run: {users} phones × {outcome['questions']} questions, "
        f"gunicorn {outcome['workers']} sync workers, PostgreSQL 15, DEBUG off =="
    )
    print(
        f"   finished in {result['elapsed']:.1f} s · {total} requests "
        f"({total / result['elapsed']:.0f}/s) · load average {outcome['load'][0]:.1f} → "
        f"{outcome['load'][1]:.1f}"
    )
    cpu = outcome["cpu"]
    print(
        "   CPU seconds: "
        + ", ".join(f"{kind} {seconds:.0f}" for kind, seconds in cpu.items())
        + f" (machine: 2 cores × {result['elapsed']:.0f} s = {2 * result['elapsed']:.0f})"
    )
    if outcome["others"]:
        print(f"   busiest other processes (CPU s): {outcome['others']}")
    for fault in outcome["faults"]:
        print(f"   fault: {fault}")
    print(f"   {'request':<18}{'n':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name in ("join page", "join", "participant page", "vote", "state", "presenter"):
        values = lat.get(name, [])
        if values:
            print(
                f"   {name:<18}{len(values):>7}{pct(values, 50):>9.0f}{pct(values, 99):>9.0f}"
                f"{max(values):>9.0f}"
            )
    vote_p99 = pct(lat.get("vote", []), 99)
    verdict = "met" if vote_p99 <= 200 else "MISSED"
    print(f"   vote p99 {vote_p99:.0f} ms: target <= 200 ms {verdict}")
    errors = dict(result["errors"]) or "none"
    print(f"   errors (each retried): {errors}")
    print(
        f"   retries: {dict(result['retries']) or 'none'} · server tracebacks logged: "
        f"{outcome['server_tracebacks']}"
    )
    finished = result["finished"]
    print(
        f"   phones finished {finished['phones']}/{users}, joins failed "
        f"{finished['join_failed']}, votes given up {finished['votes_given_up']}, "
        f"refused {finished['votes_refused']}"
    )
    print(
        f"   acknowledged {checked['acknowledged']} · stored {checked['stored']} · "
        f"LOST {checked['lost']} · DUPLICATED {checked['duplicated_rows']} · wrong value "
        f"{checked['wrong_value']} · stored without ack {checked['stored_unacknowledged']}"
    )
    print(
        f"   participants joined {checked['participants_joined']} · stored "
        f"{checked['participants_stored']} · duplicate joins "
        f"{checked['duplicate_participants']} · missing {checked['missing_participants']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", choices=["normal", "faults", "both"], default="both")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--spawn-rate", type=float, default=30)
    parser.add_argument("--section", default="alignment")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--poll", type=float, default=20, help="participant poll interval, s")
    parser.add_argument("--think-min", type=float, default=2.0)
    parser.add_argument("--think-max", type=float, default=4.0)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--restart-at", type=float, default=15)
    parser.add_argument("--kill-at", type=float, default=25)
    parser.add_argument("--pg-url", help="use this PostgreSQL (127.0.0.1) instead of a private one")
    parser.add_argument(
        "--restart-cmd",
        default="pg_ctlcluster --skip-systemctl-redirect 15 main restart",
        help="how to restart the --pg-url server in the fault run",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--quiet-load", type=float, default=1.0, help="wait for load below")
    parser.add_argument("--quiet-wait", type=float, default=600, help="but at most s")
    args = parser.parse_args()
    if args.pg_url and "127.0.0.1" not in args.pg_url and "localhost" not in args.pg_url:
        parser.error("--pg-url must point at 127.0.0.1")

    folder = Path(tempfile.mkdtemp(prefix="workshop-bench-"))
    pg = ExternalServer(args.pg_url, args.restart_cmd) if args.pg_url else PrivateCluster(folder)
    env = {
        **os.environ,
        "DATABASE_URL": pg.url,
        "DJANGO_DEBUG": "false",
        "DJANGO_HTTPS": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "COMPASS_VAR_DIR": str(folder / "var"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        # Manifest without compression: collectstatic in seconds, pages as in production.
        "DJANGO_STATICFILES_STORAGE": (
            "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        ),
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    outcomes = []
    try:
        log(f"PostgreSQL: {'private cluster' if not args.pg_url else args.pg_url}")
        pg.start()
        prepare_database(env)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        runs = ["normal", "faults"] if args.run == "both" else [args.run]
        for name in runs:
            outcomes.append(run(name, args, env, pg, folder))
            report(outcomes[-1], args.users)
    finally:
        from contextlib import suppress

        with suppress(Exception):
            from django.db import connections

            connections.close_all()
        pg.stop()
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    bad = [o for o in outcomes if o["checked"]["lost"] or o["checked"]["duplicated_rows"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
