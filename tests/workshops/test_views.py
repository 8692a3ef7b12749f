"""Workshop screens through the test client, as personas and as anonymous participants."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from django_scopes import scope

from assessments import formatting
from assessments.models import Answer, Consensus
from workshops import services
from workshops.models import Participant, Phase, SessionStatus, WorkshopSession
from workshops.views import COOKIE_PREFIX

JSON = {"HTTP_ACCEPT": "application/json"}


def presenter_url(room, name="workshop_presenter"):
    return reverse(name, args=[room.org.slug, room.session.pk])


def signed_in(client, personas, role="consultant"):
    client.force_login(personas.users[role])
    return client


def vote(client, room, value="3", ts="1700000000000", question="AL-01", **extra):
    data = {"question": question, "value": value, "ts": ts, **extra}
    return client.post(reverse("workshop_vote", args=[room.session.code]), data, **JSON)


# ------------------------------------------------------------------ starting and listing


def test_assessment_page_links_workshops_for_facilitators(client, personas):
    url = reverse("assessment", args=[personas.org_a.slug, personas.assessment.pk])
    assert "workshops-link" in signed_in(client, personas, "owner").get(url).content.decode()
    client.logout()
    assert "workshops-link" not in signed_in(client, personas, "viewer").get(url).content.decode()


def test_start_creates_session_and_opens_presenter(client, personas, clear_cache):
    url = reverse("workshop_start", args=[personas.org_a.slug, personas.assessment.pk])
    response = signed_in(client, personas).post(url, {"mode": "self", "section": ""})
    with scope(organisation=personas.org_a):
        session = WorkshopSession.objects.get()
    assert session.mode == "self" and session.section is None
    assert response.url == reverse("workshop_facilitator", args=[personas.org_a.slug, session.pk])


def test_start_invalid_mode_changes_nothing(client, personas, clear_cache):
    url = reverse("workshop_start", args=[personas.org_a.slug, personas.assessment.pk])
    response = signed_in(client, personas).post(url, {"mode": "chaos"})
    assert response.status_code == 302
    with scope(organisation=personas.org_a):
        assert not WorkshopSession.objects.exists()


def test_start_on_closed_assessment_shows_message(client, personas, clear_cache):
    with scope(organisation=personas.org_a):
        personas.assessment.status = "closed"
        personas.assessment.save()
    url = reverse("workshop_start", args=[personas.org_a.slug, personas.assessment.pk])
    response = signed_in(client, personas).post(url, {"mode": "facilitator"}, follow=True)
    assert "This assessment is closed" in response.content.decode()


def test_list_shows_sessions(client, personas, room):
    url = reverse("workshop_list", args=[personas.org_a.slug, personas.assessment.pk])
    assert room.session.code in signed_in(client, personas).get(url).content.decode()


# ------------------------------------------------------------------ presenter


def test_presenter_shows_code_qr_and_count_but_no_distribution_while_voting(client, personas, room):
    room.join("business", "Visible Nowhere")
    html = signed_in(client, personas).get(presenter_url(room)).content.decode()
    assert room.session.code in html
    assert "<svg" in html and "ws-qr-svg" in html
    assert 'id="ws-participants" data-count="1"' in html
    assert 'id="ws-votes" data-count="0"' in html
    assert 'id="ws-results" hidden' in html
    assert 'id="ws-mean">–</dd>' in html  # no figure of the votes before the reveal
    assert "Visible Nowhere" not in html
    # Projected: no app chrome, no facilitator controls.
    assert "navbar" not in html and "<footer" not in html and "lang-select" not in html
    assert "ws-reveal-form" not in html and "ws-consensus-form" not in html
    assert "ws-close-link" not in html


def test_presenter_reveal_shows_histogram_mean_and_spread(client, personas, room):
    for value in ("4", "2"):
        _p, token = room.join()
        vote(room.cookie(client.__class__(), token), room, value)
    signed_in(client, personas)
    html = client.get(presenter_url(room)).content.decode()
    assert 'id="ws-results" hidden' in html
    response = client.post(presenter_url(room, "workshop_reveal"))
    assert response.status_code == 302
    html = client.get(presenter_url(room)).content.decode()
    assert 'id="ws-results" hidden' not in html
    bars = [
        int(row.split('value="')[1].split('"')[0])
        for row in html.split('id="ws-bars"')[1].split("</ul>")[0].split("<progress")[1:]
    ]
    assert bars == [0, 0, 1, 0, 1, 0]
    assert 'id="ws-mean">3,00<' in html or 'id="ws-mean">3.00<' in html
    assert f'id="ws-agreement">{formatting.pct(0.0)}<' in html  # r_wg of 2 and 4
    assert 'id="ws-groups-hidden">' in html  # two votes: below k, no business/IT figures
    assert (
        "ws-consensus-form"
        in client.get(presenter_url(room, "workshop_facilitator")).content.decode()
    )
    state = client.get(presenter_url(room, "workshop_presenter_state")).json()
    assert state["reveal"]["current"]["distribution"] == [0, 0, 1, 0, 1]


def test_presenter_state_json_counts_from_counters_blind_while_voting(client, personas, room):
    _p, token = room.join()
    vote(room.cookie(client.__class__(), token), room, "4")
    state = signed_in(client, personas).get(presenter_url(room, "workshop_presenter_state")).json()
    assert (state["participants"], state["votes"], state["phase"]) == (1, 1, "voting")
    assert state["reveal"] is None
    assert state["question"]["code"] == "AL-01"
    assert set(state["question"]["text"]) == {"en", "de"}


def test_facilitator_state_partial_refreshes_on_change(client, personas, room):
    signed_in(client, personas)
    url = presenter_url(room, "workshop_facilitator_state")
    response = client.get(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="ws-live"' in html and "<html" not in html
    key = html.split("?v=")[1].split('"')[0]
    assert client.get(url + "?v=" + key, HTTP_HX_REQUEST="true").headers.get("HX-Refresh") is None
    client.post(presenter_url(room, "workshop_navigate"), {"to": "next"})
    # Another screen moved on: the polling page reloads.
    response = client.get(url + "?v=" + key, HTTP_HX_REQUEST="true")
    assert response.headers["HX-Refresh"] == "true"


def test_presenter_navigate_jump_and_unknown(client, personas, room):
    signed_in(client, personas)
    client.post(presenter_url(room, "workshop_navigate"), {"to": "AL-07"})
    assert room.refresh().current_question.code == "AL-07"
    response = client.post(presenter_url(room, "workshop_navigate"), {"to": "XX-99"}, follow=True)
    assert "There is no such question" in response.content.decode()
    assert room.refresh().current_question.code == "AL-07"


def test_presenter_revote_needs_reveal(client, personas, room):
    signed_in(client, personas)
    response = client.post(presenter_url(room, "workshop_revote"), follow=True)
    assert "Reveal the votes before" in response.content.decode()
    client.post(presenter_url(room, "workshop_reveal"))
    client.post(presenter_url(room, "workshop_revote"))
    session = room.refresh()
    assert (session.current_round, session.phase) == (2, Phase.VOTING)


def test_presenter_consensus_value_and_leave_mean(client, personas, room):
    signed_in(client, personas)
    url = presenter_url(room, "workshop_consensus")
    client.post(url, {"action": "consensus", "value": "none", "note": "unclear"})
    with scope(organisation=room.org):
        consensus = Consensus.objects.get()
        assert (consensus.value, consensus.note) == (None, "unclear")
    client.post(url, {"action": "consensus", "value": "3", "note": ""})
    with scope(organisation=room.org):
        assert Consensus.objects.get().value == 3
    response = client.post(url, {"action": "consensus", "value": "7"}, follow=True)
    assert "Choose a consensus value" in response.content.decode()
    client.post(url, {"action": "mean"})
    with scope(organisation=room.org):
        assert not Consensus.objects.exists()


def test_presenter_of_other_organisation_not_found(client, personas, room):
    client.force_login(personas.users["outsider"])
    assert client.get(presenter_url(room)).status_code == 404
    url = reverse("workshop_presenter", args=[personas.org_b.slug, room.session.pk])
    assert client.get(url).status_code == 404
    url = reverse("workshop_reveal", args=[personas.org_b.slug, room.session.pk])
    assert client.post(url).status_code == 404
    assert room.refresh().phase == Phase.VOTING


def test_close_without_confirmation_changes_nothing_and_says_what_happens(client, personas, room):
    """Probe finding 10: ending the workshop is irreversible, so it takes a confirmation
    step that says what will happen (before: one click closed it)."""
    _voter, token = room.join()
    room.join()  # joined, never voted: will be removed
    vote(room.cookie(client.__class__(), token), room, "3")
    signed_in(client, personas)
    response = client.post(presenter_url(room, "workshop_close"))
    assert response.status_code == 200
    assert room.refresh().status == SessionStatus.OPEN
    html = client.get(presenter_url(room, "workshop_close")).content.decode()
    assert "2 participants have joined." in html
    assert "1 of them has not voted and will be removed" in html


def test_close_confirmed_locks_session(client, personas, room):
    signed_in(client, personas)
    response = client.post(presenter_url(room, "workshop_close"), {"confirm": "yes"})
    assert response.status_code == 302
    assert room.refresh().status == SessionStatus.CLOSED
    html = client.get(presenter_url(room, "workshop_facilitator")).content.decode()
    assert "ws-reveal-form" not in html


# ------------------------------------------------------------------ joining


def test_join_form_normalises_typed_code(client, room):
    typed = " " + room.session.code[:4].lower() + "-" + room.session.code[4:].lower()
    response = client.post(reverse("workshop_join_form"), {"code": typed})
    assert response.url == reverse("workshop_join", args=[room.session.code])


def test_join_form_unknown_code_clear_error(client, room):
    response = client.post(reverse("workshop_join_form"), {"code": "ZZZZZZZZ"})
    assert response.status_code == 404
    assert "There is no workshop with this code" in response.content.decode()


def test_join_sets_httponly_lax_cookie_and_redirects(client, room):
    url = reverse("workshop_join", args=[room.session.code])
    page = client.get(url).content.decode()
    nonce = page.split('name="nonce" value="')[1].split('"')[0]
    response = client.post(url, {"perspective": "it", "display_name": "Kim", "nonce": nonce})
    assert response.url == reverse("workshop_participant", args=[room.session.code])
    cookie = response.cookies[COOKIE_PREFIX + room.session.code]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and not cookie["secure"]
    with scope(organisation=room.org):
        participant = Participant.objects.get()
    assert participant.display_name == "Kim"
    # Signed: the participant is known without a database lookup, and cannot be forged.
    assert cookie.value.startswith(f"{participant.pk}.{participant.respondent_id}:")
    forged = client.__class__()
    forged.cookies[COOKIE_PREFIX + room.session.code] = cookie.value[:-2] + "xx"
    state_url = reverse("workshop_participant_state", args=[room.session.code])
    assert forged.get(state_url, **JSON).status_code == 403
    # Reloading the join page continues where the person was.
    assert client.get(url).url == reverse("workshop_participant", args=[room.session.code])


def test_join_retried_post_same_nonce_one_participant(client, room):
    url = reverse("workshop_join", args=[room.session.code])
    data = {"perspective": "business", "nonce": "fixed-nonce"}
    client.post(url, data)
    client.cookies.clear()  # the first response never arrived
    client.post(url, data)
    with scope(organisation=room.org):
        assert Participant.objects.count() == 1


def test_join_cookie_secure_over_https(client, room, settings):
    settings.HTTPS = True
    url = reverse("workshop_join", args=[room.session.code])
    response = client.post(url, {"perspective": "business"})
    assert response.cookies[COOKIE_PREFIX + room.session.code]["secure"]


def test_join_without_perspective_shows_error_nothing_created(client, room):
    url = reverse("workshop_join", args=[room.session.code])
    response = client.post(url, {"perspective": ""})
    assert response.status_code == 400
    assert "Choose your perspective" in response.content.decode()
    with scope(organisation=room.org):
        assert not Participant.objects.exists()


def test_join_closed_session_clear_message(client, room):
    with scope(organisation=room.org):
        services.close_session(session=room.session)
    response = client.get(reverse("workshop_join", args=[room.session.code]))
    assert response.status_code == 410
    assert "This workshop has ended" in response.content.decode()


def test_join_unknown_code_rate_limited(client, room, settings):
    settings.WORKSHOP_JOIN_FAILURES = 20
    for i in range(20):
        response = client.get(reverse("workshop_join", args=[f"ABCDEF{i:02d}"]))
        assert response.status_code == 404
    response = client.get(reverse("workshop_join", args=[room.session.code]))
    assert response.status_code == 429
    assert "Too many workshop codes" in response.content.decode()
    other = client.__class__(REMOTE_ADDR="198.51.100.9")
    assert other.get(reverse("workshop_join", args=[room.session.code])).status_code == 200


def test_join_malformed_code_not_found(client, clear_cache):
    assert client.get(reverse("workshop_join", args=["<script>"])).status_code == 404


# ------------------------------------------------------------------ participant screen


def test_participant_without_cookie_goes_to_join(client, room):
    response = client.get(reverse("workshop_participant", args=[room.session.code]))
    assert response.url == reverse("workshop_join", args=[room.session.code])


def test_participant_sees_question_labels_and_count_not_distribution(client, room):
    _p, token = room.join("business", "Robin")
    _other, other_token = room.join("it")
    vote(room.cookie(client.__class__(), other_token), room, "1")
    html = (
        room.cookie(client, token)
        .get(reverse("workshop_participant", args=[room.session.code]))
        .content.decode()
    )
    with scope(organisation=room.org):
        question = room.refresh().current_question
    assert escape(question.text_en) in html
    assert 'id="v-AL-01-dk"' in html
    assert all(f'id="v-AL-01-{i}"' in html for i in range(5))
    assert 'id="ws-votes" data-count="1"' in html
    assert 'id="ws-results" aria-labelledby="reveal-h" hidden' in html
    assert "Robin" in html  # the person's own screen only
    assert "navbar" not in html and "<footer" not in html  # a focused app-like screen


def test_participant_sees_result_after_reveal(client, room):
    _p, token = room.join()
    room.cookie(client, token)
    vote(client, room, "2")
    with scope(organisation=room.org):
        services.reveal(session=room.session)
    html = client.get(reverse("workshop_participant", args=[room.session.code])).content.decode()
    assert "ws-results" in html
    assert 'id="closed-AL-01"' in html


def test_participant_state_carries_next_question_and_own_vote(client, room):
    _p, token = room.join()
    room.cookie(client, token)
    vote(client, room, "dk")
    url = reverse("workshop_participant_state", args=[room.session.code])
    first = client.get(url, **JSON).json()
    assert (first["question"]["code"], first["mine"]) == ("AL-01", "dk")
    with scope(organisation=room.org):
        services.step(session=room.session, offset=1)
    state = client.get(url, **JSON).json()
    assert state["v"] != first["v"]
    assert state["question"]["code"] == "AL-02"
    assert state["question"]["labels"]["en"] and state["mine"] is None


def test_participant_state_without_cookie_asks_to_rejoin(client, room):
    url = reverse("workshop_participant_state", args=[room.session.code])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"] == reverse("workshop_join", args=[room.session.code])
    assert client.get(url, **JSON).json()["rejoin"] is True


def test_stream_without_push_engine_answers_204_so_pages_poll(client, room):
    _p, token = room.join()
    url = reverse("workshop_participant_events", args=[room.session.code])
    assert room.cookie(client, token).get(url).status_code == 204


def test_stream_behind_grip_proxy_holds_the_room_channel(client, room, settings):
    settings.GRIP_PROXIES = [{"control_uri": "http://127.0.0.1:9"}]
    url = reverse("workshop_participant_events", args=[room.session.code])
    # As Pushpin asks (its follow-up requests carry no cookie of the phone).
    response = client.get(url, HTTP_GRIP_SIG="x")
    assert response.status_code == 200
    assert response["Grip-Hold"] == "stream"
    assert f"events-ws-{room.session.code}" in response["Grip-Channel"]
    assert "event: stream-open" in response.content.decode()


def test_self_paced_participant_resumes_at_first_unanswered(client, self_paced_room):
    room = self_paced_room
    _p, token = room.join()
    room.cookie(client, token)
    vote(client, room, "2", question="AL-01")
    html = client.get(reverse("workshop_participant", args=[room.session.code])).content.decode()
    assert 'class="ws-item ws-animate is-current" id="item-AL-02"' in html
    html = client.get(
        reverse("workshop_participant", args=[room.session.code]) + "?q=AL-05"
    ).content.decode()
    assert 'class="ws-item ws-animate is-current" id="item-AL-05"' in html


# ------------------------------------------------------------------ voting


def test_vote_acknowledged_with_same_ts_once(client, room):
    _p, token = room.join()
    room.cookie(client, token)
    first = vote(client, room, "3", "1700000000001").json()
    again = vote(client, room, "3", "1700000000001").json()
    assert first == {
        "ok": True,
        "question": "AL-01",
        "round": 1,
        "ts": 1700000000001,
        "applied": True,
    }
    assert again["ok"] and not again["applied"]
    with scope(organisation=room.org):
        assert Answer.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"value": "5"},
        {"value": ""},
        {"value": "2", "ts": "abc"},
        {"value": "2", "ts": "-4"},
        {"value": "2", "round": "x"},
        # Probe finding 1: integers beyond 64 bits were a 500 OverflowError.
        {"value": "2", "ts": str(2**64 + 1)},
        {"value": "2", "ts": "9" * 40},
        {"value": "2", "round": str(2**63)},
        {"value": "2", "ts": "１２３"},  # non-ASCII digits
    ],
)
def test_vote_invalid_input_400_nothing_stored(client, room, data):
    _p, token = room.join()
    room.cookie(client, token)
    response = vote(client, room, **{"ts": "1700000000000", **data})
    assert response.status_code == 400
    assert response.json()["ok"] is False
    with scope(organisation=room.org):
        assert not Answer.objects.exists()


def test_vote_unknown_question_404(client, room):
    _p, token = room.join()
    response = vote(room.cookie(client, token), room, "2", question="IN-01")
    assert response.status_code == 404


def test_vote_after_close_refused_with_clear_json(client, room):
    _p, token = room.join()
    room.cookie(client, token)
    with scope(organisation=room.org):
        services.close_session(session=room.session)
    response = vote(client, room, "2")
    assert response.status_code == 409
    assert response.json()["error"] == "This workshop has ended; votes are no longer accepted."


def test_vote_without_cookie_json_asks_to_rejoin(client, room):
    response = vote(client, room, "2")
    assert response.status_code == 403
    assert response.json()["rejoin"] is True


def test_vote_without_javascript_redirects_to_next_question(client, self_paced_room):
    room = self_paced_room
    _p, token = room.join()
    room.cookie(client, token)
    url = reverse("workshop_vote", args=[room.session.code])
    response = client.post(url, {"question": "AL-03", "value": "dk", "round": "1"})
    assert response.url == reverse("workshop_participant", args=[room.session.code]) + "?q=AL-04"
    with scope(organisation=room.org):
        answer = Answer.objects.get()
    assert (answer.question.code, answer.value) == ("AL-03", None)


def test_blocked_address_learns_nothing_but_joined_phones_keep_voting(client, room, settings):
    """After the limit, unknown and known codes alike answer 429 to cookie-less requests;
    people already in the room (same venue network) keep voting."""
    settings.WORKSHOP_JOIN_FAILURES = 3
    _p, token = room.join()
    for i in range(3):
        client.get(reverse("workshop_join", args=[f"ABCDEF{i:02d}"]))
    assert client.get(reverse("workshop_join", args=["ABCDEF99"])).status_code == 429
    state = reverse("workshop_participant_state", args=[room.session.code])
    assert client.get(state).status_code == 429
    response = client.post(reverse("workshop_join_form"), {"code": room.session.code})
    assert response.status_code == 429
    room.cookie(client, token)
    assert vote(client, room, "2").json()["ok"] is True


def test_typos_of_one_phone_do_not_block_the_room_behind_the_same_network(client, room, settings):
    """One person's wrong codes block that browser only; a neighbour on the same NAT with no
    failures of their own gets in with the valid code, typed or scanned."""
    settings.WORKSHOP_JOIN_FAILURES = 3
    for i in range(3):
        client.get(reverse("workshop_join", args=[f"ABCDEF{i:02d}"]))
    assert client.get(reverse("workshop_join", args=[room.session.code])).status_code == 429
    neighbour = client.__class__()  # same REMOTE_ADDR, another phone
    assert neighbour.get(reverse("workshop_join", args=[room.session.code])).status_code == 200
    response = neighbour.post(reverse("workshop_join_form"), {"code": room.session.code})
    assert response.status_code == 302


def test_join_failures_counted_per_client_behind_trusted_proxy(client, room, settings):
    settings.WORKSHOP_JOIN_FAILURES = 3
    settings.WORKSHOP_JOIN_ADDRESS_FAILURES = 5
    settings.TRUSTED_PROXY_COUNT = 1
    behind_proxy = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for i in range(5):  # a scanner without cookies: every request a "new" browser
        scanner = client.__class__(**behind_proxy)
        assert scanner.get(reverse("workshop_join", args=[f"ABCDEF{i:02d}"])).status_code == 404
    scanner = client.__class__(**behind_proxy)
    assert scanner.get(reverse("workshop_join", args=[room.session.code])).status_code == 429
    elsewhere = client.__class__(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert elsewhere.get(reverse("workshop_join", args=[room.session.code])).status_code == 200


def test_vote_on_question_no_longer_on_screen_refused(client, room):
    """Probe finding 6: when the facilitator sets the pace only the question on the screen
    takes votes; before, a vote on the previous (never revealed) question was stored."""
    _p, token = room.join()
    room.cookie(client, token)
    assert vote(client, room, "2", "1700000000001").json()["ok"]
    with scope(organisation=room.org):
        services.step(session=room.session, offset=1)  # AL-02 on screen, AL-01 never revealed
    response = vote(client, room, "4", "1700000000002", question="AL-01", round="1")
    assert response.status_code == 409
    assert response.json()["error"] == "This question is no longer open for voting."
    with scope(organisation=room.org):
        assert list(Answer.objects.values_list("question__code", "value")) == [("AL-01", 2)]
    assert vote(client, room, "1", "1700000000003", question="AL-02", round="1").json()["ok"]


def test_vote_counter_counts_people_not_clicks(client, personas, room):
    _p, token = room.join()
    room.cookie(client, token)
    for ts, value in (("1700000000001", "1"), ("1700000000002", "3"), ("1700000000002", "3")):
        assert vote(client, room, value, ts).json()["ok"]
    state = signed_in(client.__class__(), personas).get(
        presenter_url(room, "workshop_presenter_state")
    )
    assert state.json()["votes"] == 1


# ------------------------------------------------------------------ open question


def _ask(client, personas, room, prompt="What holds us back here?"):
    with scope(organisation=room.org):
        section = room.refresh().current_question.section
    signed_in(client, personas).post(
        presenter_url(room, "workshop_open_question"), {"prompt": prompt, "section": section.pk}
    )
    return section


def answer(client, room, text):
    url = reverse("workshop_open_answer", args=[room.session.code])
    return client.post(url, {"text": text}, **JSON)


def test_open_answers_reach_the_screen_only_when_shown(client, personas, room):
    from workshops.models import OpenAnswer
    from workshops.selectors import open_answers_for

    facilitator = client.__class__()
    section = _ask(facilitator, personas, room)
    _p, token = room.join("business", "Anna Secret")
    phone = room.cookie(client.__class__(), token)
    assert answer(phone, room, "  Budget   silos ").json()["ok"]
    assert answer(phone, room, "Nobody owns the data").json()["ok"]
    screen = facilitator.get(presenter_url(room)).content.decode()
    assert "Budget silos" not in screen  # not moderated yet
    assert facilitator.get(presenter_url(room, "workshop_presenter_state")).json()["voices"] == []
    pending = facilitator.get(presenter_url(room, "workshop_facilitator_state")).content.decode()
    assert "Budget silos" in pending and "Nobody owns the data" in pending
    with scope(organisation=room.org):
        first, second = OpenAnswer.objects.order_by("id")
    facilitator.post(
        presenter_url(room, "workshop_moderate"), {"answer": first.pk, "action": "show"}
    )
    facilitator.post(
        presenter_url(room, "workshop_moderate"), {"answer": second.pk, "action": "hide"}
    )
    state = facilitator.get(presenter_url(room, "workshop_presenter_state")).json()
    assert state["voices"] == ["Budget silos"]
    assert "Budget silos" in facilitator.get(presenter_url(room)).content.decode()
    with scope(organisation=room.org):
        assert open_answers_for(personas.assessment) == {section.key: ["Budget silos"]}
        assert OpenAnswer.objects.count() == 1  # the hidden one is gone
        assert not any("Anna" in str(v) for v in OpenAnswer.objects.values().get().values())


def test_open_answer_too_long_or_without_question_refused(client, personas, room):
    _p, token = room.join()
    phone = room.cookie(client, token)
    response = answer(phone, room, "x")
    assert response.status_code == 409  # no open question asked
    _ask(client.__class__(), personas, room)
    assert answer(phone, room, "x" * 281).status_code == 400
    assert answer(phone, room, "   ").status_code == 400


def test_open_answers_rate_limited_per_participant(client, personas, room):
    _ask(client.__class__(), personas, room)
    _p, token = room.join()
    phone = room.cookie(client, token)
    statuses = [answer(phone, room, f"idea {i}").status_code for i in range(7)]
    assert statuses == [200] * 5 + [429, 429]
    _other, other_token = room.join()
    assert answer(room.cookie(client.__class__(), other_token), room, "mine").status_code == 200
