"""Coalesced vote-count pushes: a burst of votes claims the shared push slot (a write to the
session's row) about once a second per process, not once per vote."""

import django_grip
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshops import push

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def grip_without_servers(settings):
    """Publishing switched on, to no server: what is sent goes nowhere."""
    settings.GRIP_PROXIES = [{"control_uri": "http://127.0.0.1:9"}]
    publisher = django_grip.get_pubcontrol()
    publisher.remove_all_clients()
    push.claims_tried.clear()
    yield
    push.claims_tried.clear()


def _slot_claims(queries) -> int:
    return sum(
        1
        for q in queries
        if q["sql"].startswith('UPDATE "workshops_workshopsession"')
        and "counts_pushed_at" in q["sql"]
    )


def test_vote_burst_claims_the_count_slot_once_per_interval(client, room, grip_without_servers):
    url = reverse("workshop_vote", args=[room.session.code])
    with CaptureQueriesContext(connection) as queries:
        for i in range(5):
            _participant, token = room.join()
            room.cookie(client, token)
            response = client.post(
                url, {"question": "AL-01", "value": "2", "ts": str(i + 1)}, **JSON
            )
            assert response.json()["ok"]
    assert _slot_claims(queries.captured_queries) == 1


def test_vote_after_the_interval_claims_the_slot_again(client, room, grip_without_servers):
    url = reverse("workshop_vote", args=[room.session.code])
    for i in range(2):
        _participant, token = room.join()
        room.cookie(client, token)
        # As if this process had tried more than the interval ago.
        push.claims_tried.clear()
        with CaptureQueriesContext(connection) as queries:
            client.post(url, {"question": "AL-01", "value": "2", "ts": str(i + 1)}, **JSON)
        assert _slot_claims(queries.captured_queries) == 1


def test_stream_through_push_engine_is_held_on_the_room_channel_without_next_link(
    client, room, settings
):
    """Behind Pushpin the stream request is answered with GRIP instructions; without a next
    link Pushpin never sends recovery requests for the room's (unreliable) channel."""
    settings.GRIP_PROXIES = [{"control_uri": "http://127.0.0.1:9"}]
    url = reverse("workshop_participant_events", args=[room.session.code])
    response = client.get(url, HTTP_GRIP_SIG="from-pushpin", HTTP_ACCEPT="text/event-stream")
    assert response.status_code == 200
    assert response["Grip-Hold"] == "stream"
    assert push.room_channel(room.session) in response["Grip-Channel"]
    assert "Grip-Link" not in response
    assert b"stream-open" in response.content
