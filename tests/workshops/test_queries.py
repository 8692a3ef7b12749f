"""Query counts of the screens that are polled (shared screen and facilitator each second,
phones only without a push engine), read on every reconnect, or hit on every vote: constant in
the number of participants (3 vs 30) and of questions. The participant is known from the
signed cookie (no query), the counts come from counters (no COUNT)."""

import pytest
from django.urls import reverse
from django_scopes import scope

from workshops import services

from .conftest import Room

JSON = {"HTTP_ACCEPT": "application/json"}


def fill(room, client_class, n):
    """n participants (business/IT alternating), each voting on the current question."""
    tokens = []
    for i in range(n):
        _participant, token = room.join("business" if i % 2 else "it")
        tokens.append(token)
        client = room.cookie(client_class(), token)
        client.post(
            reverse("workshop_vote", args=[room.session.code]),
            {"question": "AL-01", "value": str(i % 5), "ts": str(1000 + i)},
            **JSON,
        )
    return tokens


@pytest.fixture(params=[3, 30], ids=["3-participants", "30-participants"])
def filled(request, personas, clear_cache, client):
    room = Room(personas)
    tokens = fill(room, client.__class__, request.param)
    return room, tokens


@pytest.fixture(params=[3, 30], ids=["3-participants", "30-participants"])
def filled_self_paced(request, personas, clear_cache, client):
    room = Room(personas, mode="self", section_key=None)
    tokens = fill(room, client.__class__, request.param)
    return room, tokens


# Signed-in pages read Django's session and user (two queries). A vote reads the session, then
# goes through assessments.services.store_answer (the respondent's row lock, the stored
# answer, the write) and adds to the round's counter in the same transaction (a savepoint
# here); the push slot is claimed at most once a second per process.
PRESENTER_PAGE = 5
PRESENTER_PAGE_REVEALED = 6
PRESENTER_STATE = 5
PRESENTER_STATE_SELF_PACED = 5
FACILITATOR_PAGE = 9
FACILITATOR_STATE = 6
PARTICIPANT_PAGE = 5
PARTICIPANT_PAGE_SELF_PACED = 5
PARTICIPANT_STATE = 3
PARTICIPANT_STATE_SELF_PACED = 2
VOTE = 6


def _presenter(client, personas, room, name):
    client.force_login(personas.users["consultant"])
    return reverse(name, args=[room.org.slug, room.session.pk])


def test_presenter_page_queries_constant(client, personas, filled, django_assert_num_queries):
    room, _tokens = filled
    url = _presenter(client, personas, room, "workshop_presenter")
    with django_assert_num_queries(PRESENTER_PAGE):
        assert client.get(url).status_code == 200


def test_presenter_page_revealed_queries_constant(
    client, personas, filled, django_assert_num_queries
):
    room, _tokens = filled
    with scope(organisation=room.org):
        services.reveal(session=room.session)
    url = _presenter(client, personas, room, "workshop_presenter")
    with django_assert_num_queries(PRESENTER_PAGE_REVEALED):
        assert 'id="ws-results" hidden' not in client.get(url).content.decode()


def test_presenter_state_queries_constant(client, personas, filled, django_assert_num_queries):
    room, _tokens = filled
    url = _presenter(client, personas, room, "workshop_presenter_state")
    with django_assert_num_queries(PRESENTER_STATE):
        assert client.get(url).json()["participants"] == len(_tokens)


def test_facilitator_page_queries_constant(client, personas, filled, django_assert_num_queries):
    room, _tokens = filled
    url = _presenter(client, personas, room, "workshop_facilitator")
    with django_assert_num_queries(FACILITATOR_PAGE):
        assert client.get(url).status_code == 200


def test_facilitator_state_queries_constant(client, personas, filled, django_assert_num_queries):
    room, _tokens = filled
    url = _presenter(client, personas, room, "workshop_facilitator_state")
    with django_assert_num_queries(FACILITATOR_STATE):
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200


def test_presenter_state_self_paced_queries_constant(
    client, personas, filled_self_paced, django_assert_num_queries
):
    room, _tokens = filled_self_paced
    url = _presenter(client, personas, room, "workshop_presenter_state")
    with django_assert_num_queries(PRESENTER_STATE_SELF_PACED):
        assert client.get(url).json()["mode"] == "self"


def test_participant_page_queries_constant(client, filled, django_assert_num_queries):
    room, tokens = filled
    room.cookie(client, tokens[0])
    with django_assert_num_queries(PARTICIPANT_PAGE):
        client.get(reverse("workshop_participant", args=[room.session.code]))


def test_participant_page_self_paced_queries_constant(
    client, filled_self_paced, django_assert_num_queries
):
    room, tokens = filled_self_paced
    room.cookie(client, tokens[0])
    with django_assert_num_queries(PARTICIPANT_PAGE_SELF_PACED):
        html = client.get(reverse("workshop_participant", args=[room.session.code]))
    assert "item-DT-10" in html.content.decode()  # all 60 questions on the page


def test_participant_state_queries_constant(client, filled, django_assert_num_queries):
    room, tokens = filled
    room.cookie(client, tokens[0])
    url = reverse("workshop_participant_state", args=[room.session.code])
    with django_assert_num_queries(PARTICIPANT_STATE):
        assert client.get(url, **JSON).json()["mine"] is not None


def test_participant_state_self_paced_queries_constant(
    client, filled_self_paced, django_assert_num_queries
):
    room, tokens = filled_self_paced
    room.cookie(client, tokens[0])
    url = reverse("workshop_participant_state", args=[room.session.code])
    with django_assert_num_queries(PARTICIPANT_STATE_SELF_PACED):
        assert client.get(url, **JSON).status_code == 200


def test_vote_queries_constant(client, filled, django_assert_num_queries):
    room, tokens = filled
    room.cookie(client, tokens[0])
    url = reverse("workshop_vote", args=[room.session.code])
    with django_assert_num_queries(VOTE):
        response = client.post(url, {"question": "AL-01", "value": "4", "ts": "99999"}, **JSON)
    assert response.json()["ok"]
