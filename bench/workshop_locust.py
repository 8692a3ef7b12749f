"""Locust users of the workshop load test, run headless as a library by
``bench/workshop_load.py`` (not meant to be started on its own).

- ``Phone``: one workshop participant. Opens the join page, joins (the form nonce makes a
  retried join idempotent), opens the participant page, then answers every question of the
  section with a few seconds of thinking in between, polling the state partial as the
  self-paced page does (every 20 s). Every vote is retried until the server acknowledges it with
  {"ok": true, "ts": <same ts>}; acknowledged votes are recorded for the driver to compare
  with the database.
- ``Presenter``: one signed-in consultant polling the presenter state every 2 s and
  reloading the presenter page every 10 s.

Only 127.0.0.1 targets; every loop is bounded (attempts and a deadline).
"""

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from contextlib import suppress

import gevent
from locust import HttpUser, constant, events, task
from locust.env import Environment
from locust.exception import StopUser

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
CONFIG: dict = {}
LATENCIES: dict[str, list[float]] = defaultdict(list)
ERRORS: Counter = Counter()
ACKED: list[dict] = []
JOINED: list[dict] = []
FINISHED = {"phones": 0, "join_failed": 0, "votes_given_up": 0, "votes_refused": 0}
RETRIES = Counter()


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, response, **kw):
    LATENCIES[name].append(response_time)
    if exception is not None:
        ERRORS[f"{name}: {type(exception).__name__}"] += 1
    elif response is not None and response.status_code >= 400:
        ERRORS[f"{name}: HTTP {response.status_code}"] += 1


def _backoff(attempt: int) -> float:
    return min(0.25 * (2**attempt), 2.0) * (0.5 + random.random())


class Phone(HttpUser):
    wait_time = constant(0)

    def _retrying(self, what, call, ok, attempts=60, final=lambda r: False):
        """Call until ``ok(response)`` (or a ``final`` refusal); bounded by attempts and the
        run's deadline."""
        for attempt in range(attempts):
            if time.monotonic() > CONFIG["deadline"]:
                break
            try:
                response = call()
            except Exception:  # connection reset by a killed worker: retry
                response = None
            if response is not None and (ok(response) or final(response)):
                return response
            RETRIES[what] += 1
            gevent.sleep(_backoff(attempt))
        return None

    def _join(self) -> bool:
        code = CONFIG["code"]
        page = self._retrying(
            "join page",
            lambda: self.client.get(f"/join/{code}/", name="join page"),
            lambda r: r.status_code == 200 and NONCE.search(r.text) is not None,
        )
        if page is None:
            return False
        nonce = NONCE.search(page.text).group(1)
        csrf = self.client.cookies.get("csrftoken")
        perspective = random.choice(["business", "business", "it", "it", "other"])
        data = {
            "perspective": perspective,
            "display_name": f"Phone {id(self) % 10000}",
            "nonce": nonce,
            "csrfmiddlewaretoken": csrf,
        }
        joined = self._retrying(
            "join",
            lambda: self.client.post(
                f"/join/{code}/", data=data, name="join", allow_redirects=False
            ),
            lambda r: r.status_code == 302 and r.cookies.get(f"compass_ws_{code}"),
        )
        if joined is None:
            return False
        self.token = joined.cookies.get(f"compass_ws_{code}")
        JOINED.append({"token": self.token, "perspective": perspective})
        return True

    def _vote(self, question: str, value: str) -> None:
        ts = int(time.time() * 1000)
        data = {"question": question, "round": "1", "value": value, "ts": str(ts)}
        headers = {
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Accept": "application/json",
        }

        def acknowledged(response):
            if response.status_code != 200:
                return False
            try:
                body = response.json()
            except ValueError:
                return False
            return body.get("ok") is True and str(body.get("ts")) == str(ts)

        response = self._retrying(
            "vote",
            lambda: self.client.post(
                f"/w/{CONFIG['code']}/vote/", data=data, headers=headers, name="vote"
            ),
            acknowledged,
            # A refusal in JSON (closed, invalid) is final: retrying cannot help.
            final=lambda r: (
                r.status_code in (400, 403, 404, 409)
                and r.headers.get("Content-Type", "").startswith("application/json")
            ),
        )
        if response is None:
            FINISHED["votes_given_up"] += 1
        elif response.status_code != 200:
            FINISHED["votes_refused"] += 1
        else:
            ACKED.append({"token": self.token, "question": question, "value": value, "ts": ts})

    def _poll(self):
        # A failed poll is simply the next poll's job (the request hook counts the error).
        with suppress(Exception):
            self.client.get(
                f"/w/{CONFIG['code']}/state/", headers={"HX-Request": "true"}, name="state"
            )

    @task
    def take_part(self):
        if not self._join():
            FINISHED["join_failed"] += 1
            raise StopUser
        self._retrying(
            "participant page",
            lambda: self.client.get(f"/w/{CONFIG['code']}/", name="participant page"),
            lambda r: r.status_code == 200,
            attempts=10,
        )
        last_poll = time.monotonic()
        for question in CONFIG["questions"]:
            gevent.sleep(random.uniform(*CONFIG["think"]))
            if time.monotonic() - last_poll >= CONFIG["poll"]:
                self._poll()
                last_poll = time.monotonic()
            self._vote(question, random.choice(["0", "1", "2", "3", "4", "dk"]))
        FINISHED["phones"] += 1
        raise StopUser


class Presenter(HttpUser):
    fixed_count = 1
    wait_time = constant(2)

    def on_start(self):
        self.client.cookies.set("sessionid", CONFIG["presenter_session"])
        self.last_page = 0.0

    @task
    def poll(self):
        self.client.get(
            CONFIG["presenter_url"] + "state/", headers={"HX-Request": "true"}, name="presenter"
        )
        if time.monotonic() - self.last_page >= 10:
            self.client.get(CONFIG["presenter_url"], name="presenter page")
            self.last_page = time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not args.host.startswith("http://127.0.0.1:"):
        sys.exit("only 127.0.0.1 targets")
    with open(args.config) as fh:
        CONFIG.update(json.load(fh))
    started = time.monotonic()
    CONFIG["deadline"] = started + CONFIG["max_seconds"]
    Phone.host = Presenter.host = args.host
    env = Environment(user_classes=[Phone, Presenter], events=events)
    runner = env.create_local_runner()
    runner.start(CONFIG["users"] + 1, spawn_rate=CONFIG["spawn_rate"])
    while time.monotonic() < CONFIG["deadline"] + 5:
        if FINISHED["phones"] + FINISHED["join_failed"] >= CONFIG["users"]:
            break
        gevent.sleep(0.5)
    elapsed = time.monotonic() - started
    runner.quit()
    with open(args.out, "w") as fh:
        json.dump(
            {
                "elapsed": elapsed,
                "latencies": LATENCIES,
                "errors": ERRORS,
                "retries": RETRIES,
                "acked": ACKED,
                "joined": JOINED,
                "finished": FINISHED,
            },
            fh,
        )


if __name__ == "__main__":
    main()
