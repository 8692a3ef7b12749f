"""PDF report benchmark on the demo assessment ("Standortbestimmung 2026" of
muster-versicherung, created by ``manage.py seed_demo``).

Prints:
- cold: a new process that imports Django, starts chromium, exports the charts and renders
  the PDF (wall time of the whole process, and of the render call alone);
- warm: renders in a process whose charts are cached (median of several, wall and CPU);
- the number of chart exports during the second download (must be 0).

Runs against a throw-away SQLite database in a temporary folder (or --database-url), so it
never touches the development data. Usage: .venv/bin/python bench/report_bench.py
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET_WARM = 2.0  # issue 10 §4: WeasyPrint through its public API only, up to 2 s


def child(mode: str, runs: int) -> dict:
    """Runs inside a fresh process: render the demo report and report figures as JSON."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maturity.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django_scopes import scope, scopes_disabled

    from assessments.models import Assessment
    from reports import services, svg
    from reports.models import ChartSVG

    with scopes_disabled():
        assessment = Assessment.objects.select_related("organisation", "snapshot").get(
            organisation__slug="muster-versicherung", title="Standortbestimmung 2026"
        )
    snapshot = assessment.snapshot
    out: dict = {}
    with scope(organisation=assessment.organisation):
        if mode == "cold":
            ChartSVG.objects.filter(snapshot=snapshot).delete()
            before = svg.export_count
            t0 = time.perf_counter()
            data = services.report_pdf(snapshot=snapshot, lang="de")
            out["render"] = time.perf_counter() - t0
            out["exports"] = svg.export_count - before
            out["bytes"] = len(data)
            out["process"] = time.perf_counter() - started
            svg.shutdown()
        else:
            # The flow of the results page: ask, the worker renders (charts cached), ask
            # again and download the stored PDF.
            from django.test import Client
            from django.urls import reverse

            from reports.models import ReportRender

            ReportRender.objects.filter(snapshot=snapshot).delete()
            before = svg.export_count
            render, _queued = services.request_report(snapshot=snapshot, lang="de")
            t0 = time.perf_counter()
            services.run_render(render=render)
            out["first_render"] = time.perf_counter() - t0
            again, _queued = services.request_report(snapshot=snapshot, lang="de")
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(get_user_model().objects.get(username="vorstand"))
            url = reverse(
                "report_download",
                kwargs={
                    "org_slug": assessment.organisation.slug,
                    "pk": assessment.pk,
                    "render_pk": again.pk,
                },
            )
            client.get(url)
            d0 = time.perf_counter()
            response = client.get(url)
            out["download"] = time.perf_counter() - d0
            out["download_ok"] = response.status_code == 200 and again.pk == render.pk
            out["exports_second"] = svg.export_count - before
            walls, cpus = [], []
            for _ in range(runs):
                w0, c0 = time.perf_counter(), time.process_time()
                services.report_pdf(snapshot=snapshot, lang="de")
                walls.append(time.perf_counter() - w0)
                cpus.append(time.process_time() - c0)
            out["wall"] = walls
            out["cpu"] = cpus
            a0 = time.perf_counter()
            services.report_pdf(snapshot=snapshot, lang="de", answers=True)
            out["with_answers"] = time.perf_counter() - a0
    return out


def run_child(mode: str, env: dict, runs: int) -> dict:
    t0 = time.perf_counter()
    result = subprocess.run(
        [PYTHON, __file__, "--child", mode, "--runs", str(runs)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"{mode} run failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["spawn_to_exit"] = time.perf_counter() - t0
    return figures


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], env=env, cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["cold", "warm"])
    parser.add_argument(
        "--runs", type=int, default=9, help="warm renders; the median is steadier with more"
    )
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.runs)))
        return

    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        env = {
            **os.environ,
            "COMPASS_VAR_DIR": tmp,
            "DJANGO_HTTPS": "false",
            "DJANGO_SETTINGS_MODULE": "maturity.settings",
        }
        env.setdefault("BROWSER_PATH", "/usr/bin/chromium")
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "catalogue", "load", "assessments/catalogues/co-creation-2026.1.yaml")
        manage(env, "seed_demo")

        cold = run_child("cold", env, args.runs)
        warm = run_child("warm", env, args.runs)

    wall = statistics.median(warm["wall"])
    cpu = statistics.median(warm["cpu"])
    print("PDF report, demo assessment 'Standortbestimmung 2026' (de, without answers appendix)")
    print(
        f"  cold, new process: {cold['spawn_to_exit']:.2f} s process "
        f"(render call {cold['render']:.2f} s incl. chromium start, {cold['exports']} chart "
        f"exports, {cold['bytes'] // 1024} KB)"
    )
    print(
        f"  warm, cached charts: median {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"over {len(warm['wall'])} renders (min {min(warm['wall']):.2f} s, "
        f"max {max(warm['wall']):.2f} s); "
        f"target <= {TARGET_WARM:.1f} s: {'met' if wall <= TARGET_WARM else 'NOT met'}"
    )
    print(f"  warm, first render in the task worker: {warm['first_render']:.2f} s")
    print(
        f"  second download (stored PDF, HTTP GET): {warm['download'] * 1000:.0f} ms, "
        f"{'ok' if warm['download_ok'] else 'FAILED'}"
    )
    print(f"  warm with answers appendix: {warm['with_answers']:.2f} s")
    print(f"  chart exports on the second download: {warm['exports_second']} (must be 0)")
    try:
        load = os.getloadavg()[0]
        print(f"  load average during the run: {load:.1f} on {os.cpu_count()} cores")
    except OSError:
        pass
    if warm["exports_second"] != 0 or not warm["download_ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
