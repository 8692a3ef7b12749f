"""Pushed updates of a workshop room, through a GRIP proxy (Pushpin) with django-eventstream.

One channel per session (``room_channel``). Phones and the shared screen open an SSE stream
(``/w/<code>/events/``, ``…/screen-events/``): Pushpin holds the connection, Django answers the
opening request with GRIP instructions and returns at once, so the sync workers hold no
connection. Events:

- ``state``: the room's whole state (the same JSON the ``state/`` endpoints return): the current
  question with its texts, round, phase, counts, and the distribution after a reveal. Sent
  after every facilitator action (next, reveal, re-vote, consensus, close, open question).
- ``counts``: participants and votes of the current round, at most about once a second per
  session (``publish_counts_if_due``).
- ``voices``: the open answers the facilitator chose to show (never an unmoderated one).

Without a GRIP proxy in front (plain ``runserver``, or Pushpin down) the stream endpoints
answer 204 and the pages poll the ``state/`` endpoints instead. A phone that (re)connects reads
the state endpoint once, so it never depends on an event it may have missed.

Publishing goes to every control URI in ``settings.GRIP_PROXIES`` (one per Pushpin server);
with none configured nothing is published and the pages poll.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import QuestionRound, WorkshopSession

log = logging.getLogger(__name__)

COUNTS_INTERVAL = timedelta(seconds=1)

# When this process last tried to claim a session's count slot. A vote skips the shared
# claim (a write to the session's row) while this process tried within the interval: in a
# burst each process writes the slot about once a second instead of once per vote.
claims_tried: dict[int, float] = {}


def _tried_recently(session: WorkshopSession) -> bool:
    now = time.monotonic()
    last = claims_tried.get(session.pk)
    if last is not None and now - last < COUNTS_INTERVAL.total_seconds():
        return True
    if len(claims_tried) > 1000:  # sessions long over
        claims_tried.clear()
    claims_tried[session.pk] = now
    return False


def enabled() -> bool:
    return bool(getattr(settings, "GRIP_PROXIES", None))


def room_channel(session: WorkshopSession) -> str:
    return f"ws-{session.code}"


def _send(session: WorkshopSession, event: str, data: dict, *, blocking: bool) -> None:
    if not enabled():
        return
    from django_eventstream import send_event

    try:
        send_event(room_channel(session), event, data, async_publish=not blocking)
    except Exception:  # a push engine that is down must never fail the request
        log.warning("workshop push to %s failed", room_channel(session), exc_info=True)


def publish_state(session: WorkshopSession, payload: dict) -> None:
    """After the facilitator's transaction commits: the new state to every screen. Blocking,
    so the facilitator's click returns once Pushpin has the event."""
    transaction.on_commit(lambda: _send(session, "state", payload, blocking=True))


def publish_voices(session: WorkshopSession, payload: dict) -> None:
    transaction.on_commit(lambda: _send(session, "voices", payload, blocking=True))


def current_counts(session: WorkshopSession) -> dict:
    """Participants and votes of the current round from the counters (two small reads)."""
    row = WorkshopSession.objects.filter(pk=session.pk).values(
        "participant_total", "current_question_id", "current_round", "phase"
    )[0]
    votes = 0
    if row["current_question_id"]:
        votes = (
            QuestionRound.objects.filter(
                session_id=session.pk,
                question_id=row["current_question_id"],
                number=row["current_round"],
            )
            .values_list("votes", flat=True)
            .first()
            or 0
        )
    return {
        "participants": row["participant_total"],
        "votes": votes,
        "question": row["current_question_id"],
        "round": row["current_round"],
    }


def _signature(counts: dict) -> str:
    return f"{counts['participants']}/{counts['question']}/{counts['round']}/{counts['votes']}"


def publish_counts_if_due(session: WorkshopSession, *, counts: dict | None = None) -> bool:
    """Coalesced count push: at most one per ``COUNTS_INTERVAL`` per session, whichever
    process gets there first (a conditional UPDATE claims the slot, so several app servers
    coalesce together). No timer thread: a vote or join publishes when the slot is free;
    the trailing count after a burst goes out with the next request that calls this, which
    is the facilitator's and the shared screen's one-second state poll (and every later vote).
    A vote (no ``counts``) leaves the slot alone while this process tried it less than the
    interval ago. Returns True when this call published."""
    if not enabled():
        return False
    if counts is None and _tried_recently(session):
        return False
    now = timezone.now()
    cutoff = now - COUNTS_INTERVAL
    if counts is not None and session.counts_pushed == _signature(counts):
        return False  # nothing new since the last push
    claimed = (
        WorkshopSession.objects.filter(pk=session.pk)
        .filter(Q(counts_pushed_at__isnull=True) | Q(counts_pushed_at__lte=cutoff))
        .update(counts_pushed_at=now)
    )
    if not claimed:
        return False
    counts = current_counts(session)
    signature = _signature(counts)
    WorkshopSession.objects.filter(pk=session.pk).update(counts_pushed=signature)
    data = {"participants": counts["participants"], "votes": counts["votes"]}
    _send(session, "counts", data, blocking=False)
    return True
