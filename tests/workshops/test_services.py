"""Workshop services: join, rate limit, blind vote, reveal, re-vote, consensus, closing."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django_scopes import scope

from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.models import Answer, Consensus, Respondent
from workshops import selectors, services, throttle
from workshops.models import JOIN_ALPHABET, Participant, Phase, QuestionRound, WorkshopSession


def test_start_session_code_unguessable_alphabet(room):
    code = room.session.code
    assert len(code) >= 6
    assert set(code) <= set(JOIN_ALPHABET)
    assert not set(code) & set("0O1IL")


def test_start_session_codes_differ(personas, room):
    with scope(organisation=personas.org_a):
        other = services.start_session(
            assessment=personas.assessment, mode="self", section=None, user=None
        )
    assert other.code != room.session.code


def test_start_session_opens_first_question_round_one(room):
    session = room.refresh()
    with scope(organisation=room.org):
        assert session.current_question.code == "AL-01"
        assert session.phase == Phase.VOTING
        assert QuestionRound.objects.filter(session=session).count() == 1


def test_start_session_closed_assessment_refused(personas, clear_cache):
    with scope(organisation=personas.org_a):
        personas.assessment.status = "closed"
        personas.assessment.save()
        with pytest.raises(ValidationError):
            services.start_session(
                assessment=personas.assessment, mode="facilitator", section=None, user=None
            )


def _join(room, perspective="business", name="", nonce=""):
    with scope(organisation=room.org):
        return services.join_session(
            session=room.session, perspective=perspective, display_name=name, nonce=nonce
        )


def test_join_creates_respondent_without_user(room):
    participant, token = _join(room, "it", "Anna")
    with scope(organisation=room.org):
        respondent = Respondent.objects.get(pk=participant.respondent_id)
        assert respondent.user is None
        assert respondent.perspective == "it"
        assert respondent.assessment_id == room.session.assessment_id
        stored = Participant.objects.get(pk=participant.pk)
    assert stored.token_hash == services.hash_token(token)
    assert token not in stored.token_hash


def test_join_same_nonce_returns_same_participant(room):
    first, token1 = _join(room, "business", nonce="n-1")
    again, token2 = _join(room, "business", nonce="n-1")
    assert first.pk == again.pk
    assert token1 != token2
    with scope(organisation=room.org):
        assert Participant.objects.filter(session=room.session).count() == 1
        # The retried join's token is the valid one now.
        assert Participant.objects.get(pk=first.pk).token_hash == services.hash_token(token2)
        # Counted once.
        assert WorkshopSession.objects.get(pk=room.session.pk).participant_total == 1


def test_join_closed_session_refused(room):
    with scope(organisation=room.org):
        services.close_session(session=room.session)
    with pytest.raises(services.SessionClosed):
        room.join()


def test_join_unknown_perspective_refused(room):
    with pytest.raises(ValidationError):
        room.join("marketing")


def _browser(address="10.0.0.1"):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    request.session = {}  # the throttle reads and writes one key of the session
    return request


def test_throttle_blocks_the_failing_browser_not_its_neighbours(clear_cache, settings):
    settings.WORKSHOP_JOIN_FAILURES = 3
    typist, neighbour = _browser(), _browser()
    assert not throttle.is_blocked(typist)
    for _ in range(3):
        throttle.note_failure(typist)
    assert throttle.is_blocked(typist)
    assert not throttle.is_blocked(neighbour)
    assert not throttle.is_blocked(_browser("10.0.0.2"))


def test_throttle_blocks_the_address_at_its_ceiling(clear_cache, settings):
    settings.WORKSHOP_JOIN_ADDRESS_FAILURES = 4
    for _ in range(4):
        throttle.note_failure(_browser())  # cookie-less: a new browser every time
    assert throttle.is_blocked(_browser())
    assert not throttle.is_blocked(_browser("10.0.0.2"))


def _vote(room, participant, value, ts, round=None, code=None):
    with scope(organisation=room.org):
        session = room.refresh()
        target = selectors.vote_target(session=session, code=code or session.current_question.code)
        return services.cast_vote(
            session=session,
            respondent_id=participant.respondent_id,
            target=target,
            value=value,
            client_ts=ts,
            round=round,
        )


def test_vote_stored_as_answer_of_current_round(room):
    participant, _token = room.join()
    _answer, applied = _vote(room, participant, 3, 1000)
    assert applied
    with scope(organisation=room.org):
        rows = list(Answer.objects.filter(respondent=participant.respondent))
    assert [(a.question.code, a.round, a.value) for a in rows] == [("AL-01", 1, 3)]


def test_vote_retry_and_older_click_change_nothing(room):
    participant, _token = room.join()
    _vote(room, participant, 3, 2000)
    _answer, applied_retry = _vote(room, participant, 3, 2000)
    _answer, applied_old = _vote(room, participant, 1, 1000)
    assert not applied_retry and not applied_old
    with scope(organisation=room.org):
        rows = list(Answer.objects.filter(respondent=participant.respondent))
    assert [(a.value, a.client_ts) for a in rows] == [(3, 2000)]


def test_vote_counter_counts_first_vote_only_in_its_round(room):
    participant, _token = room.join()
    _vote(room, participant, 3, 1000)
    _vote(room, participant, 1, 2000)  # a changed mind is not a second voter
    with scope(organisation=room.org):
        assert QuestionRound.objects.get(session=room.session, number=1).votes == 1


def test_vote_for_a_respondent_of_another_assessment_stores_nothing(personas, room):
    """The vote's statements run without the organisation's filter; the respondent named by
    the cookie must belong to the session's assessment, or nothing is written anywhere."""
    with scope(organisation=personas.org_b):
        outsider = Respondent.objects.create(
            assessment=personas.assessment_b, user=None, perspective="it"
        )
    with scope(organisation=room.org):
        target = selectors.current_target(session=room.refresh(), code="AL-01")
        with pytest.raises(services.SessionClosed):
            services.cast_vote(
                session=room.session,
                respondent_id=outsider.pk,
                target=target,
                value=4,
                client_ts=1000,
            )
        assert QuestionRound.objects.get(session=room.session, number=1).votes == 0
    with scope(organisation=personas.org_b):
        assert not Answer.objects.filter(respondent=outsider).exists()


def test_store_answer_reports_created_only_for_the_first_save(personas, questions):
    with scope(organisation=personas.org_a):
        kwargs = {"respondent": personas.respondent, "question": questions[0]}
        first = assessment_services.store_answer(**kwargs, value=1, client_ts=10)
        again = assessment_services.store_answer(**kwargs, value=2, client_ts=20)
        stale = assessment_services.store_answer(**kwargs, value=3, client_ts=15)
    assert (first.created, first.applied) == (True, True)
    assert (again.created, again.applied) == (False, True)
    assert (stale.created, stale.applied) == (False, False)
    assert stale.answer.value == 2


def test_vote_not_yet_opened_question_refused_when_facilitated(room):
    participant, _token = room.join()
    with pytest.raises(services.VotingClosed):
        _vote(room, participant, 2, 1000, code="AL-05")


def test_vote_any_question_when_self_paced(self_paced_room):
    room = self_paced_room
    participant, _token = room.join()
    _vote(room, participant, 2, 1000, code="AL-05")
    with scope(organisation=room.org):
        assert Answer.objects.get(respondent=participant.respondent).round == 1


def test_vote_after_reveal_refused(room):
    participant, _token = room.join()
    with scope(organisation=room.org):
        services.reveal(session=room.session)
    with pytest.raises(services.VotingClosed):
        _vote(room, participant, 2, 1000)


def test_vote_closed_session_refused(room):
    participant, _token = room.join()
    _vote(room, participant, 2, 1000)
    with scope(organisation=room.org):
        services.close_session(session=room.session)
    with pytest.raises(services.SessionClosed):
        _vote(room, participant, 3, 2000)


def test_vote_closed_session_refused_even_with_stale_session_object(room):
    """A vote in flight that read the session before it closed is refused by the lock on
    the respondent (submitted), never stored."""
    participant, _token = room.join()
    _vote(room, participant, 2, 1000)
    with scope(organisation=room.org):
        stale = WorkshopSession.objects.get(pk=room.session.pk)
        services.close_session(session=room.session)
        target = selectors.vote_target(session=stale, code="AL-01")
        with pytest.raises(services.SessionClosed):
            services.cast_vote(
                session=stale,
                respondent_id=participant.respondent_id,
                target=target,
                value=4,
                client_ts=5000,
            )
        assert Answer.objects.get(respondent=participant.respondent).value == 2


def test_blind_phase_summary_not_computed_before_reveal(room):
    """The presenter/participant state carries counts only while voting."""
    p1, _ = room.join("business")
    _vote(room, p1, 4, 1000)
    with scope(organisation=room.org):
        live = selectors.live_counts(session=room.refresh())
    assert live == {"participants": 1, "votes": 1}


def test_reveal_summary_figures(room, settings):
    votes = [("business", 4), ("business", 2), ("it", 0), ("other", None)]
    for i, (perspective, value) in enumerate(votes):
        participant, _ = room.join(perspective)
        _vote(room, participant, value, 1000 + i)
    with scope(organisation=room.org):
        session = services.reveal(session=room.session)
        summary = selectors.reveal_summary(
            session=session, question_id=session.current_question_id, number=1
        )
    current = summary["current"]
    assert current["distribution"] == [1, 0, 1, 0, 1]
    assert current["dont_know"] == 1
    assert current["mean"] == pytest.approx(2.0)
    assert current["agreement"] == pytest.approx(0.0)  # r_wg: sample variance 4
    # k = 3 from the catalogue: two business and one IT vote are too few to compare.
    assert current["groups"] is None
    assert summary["first"] is None


def test_reveal_groups_shown_when_both_reach_k(room):
    with scope(organisation=room.org):
        catalogue = room.session.assessment.catalogue
        catalogue.min_group_size = 2
        catalogue.save()
    for i, (perspective, value) in enumerate(
        [("business", 4), ("business", 3), ("it", 1), ("it", 2)]
    ):
        participant, _ = room.join(perspective)
        _vote(room, participant, value, 1000 + i)
    with scope(organisation=room.org):
        session = services.reveal(session=room.session)
        session = WorkshopSession.objects.select_related("assessment__catalogue").get(pk=session.pk)
        summary = selectors.reveal_summary(
            session=session, question_id=session.current_question_id, number=1
        )
    groups = summary["current"]["groups"]
    assert groups["business"]["mean"] == pytest.approx(3.5)
    assert groups["it"]["mean"] == pytest.approx(1.5)
    assert groups["gap"] == pytest.approx(2.0)


def test_revote_keeps_both_rounds_and_scoring_takes_latest(room):
    a, _ = room.join("business")
    b, _ = room.join("it")
    _vote(room, a, 4, 1000)
    _vote(room, b, 0, 1001)
    with scope(organisation=room.org):
        services.reveal(session=room.session)
        session = services.revote(session=room.session)
    assert session.current_round == 2
    assert session.phase == Phase.VOTING
    # A late retry of a round-1 click is not counted as a round-2 vote.
    with pytest.raises(services.VotingClosed):
        _vote(room, a, 4, 1002, round=1)
    _vote(room, a, 3, 2000, round=2)
    _vote(room, b, 2, 2001, round=2)
    with scope(organisation=room.org):
        rows = sorted(
            Answer.objects.filter(
                respondent__workshop_participant__session=room.session
            ).values_list("respondent__perspective", "round", "value")
        )
        latest = assessment_selectors.latest_answers(assessment=room.session.assessment)
        session = services.reveal(session=room.session)
        summary = selectors.reveal_summary(
            session=session, question_id=session.current_question_id, number=2
        )
    assert rows == [("business", 1, 4), ("business", 2, 3), ("it", 1, 0), ("it", 2, 2)]
    assert sorted(r["value"] for r in latest) == [2, 3]
    assert summary["first"]["agreement"] == pytest.approx(0.0)
    assert summary["current"]["agreement"] == pytest.approx(0.75)
    assert summary["agreement_change"] == pytest.approx(0.75)


def test_revote_before_reveal_refused(room):
    with scope(organisation=room.org), pytest.raises(services.WorkshopError):
        services.revote(session=room.session)


def test_step_moves_and_stops_at_the_ends(room):
    with scope(organisation=room.org):
        session = services.step(session=room.session, offset=-1)
        assert session.current_question.code == "AL-01"
        session = services.step(session=session, offset=1)
        assert session.current_question.code == "AL-02"
        assert session.phase == Phase.VOTING
        for _ in range(20):
            session = services.step(session=session, offset=1)
        assert session.current_question.code == "AL-10"


def test_going_back_to_revealed_question_shows_it_revealed(room):
    with scope(organisation=room.org):
        services.reveal(session=room.session)
        services.step(session=room.session, offset=1)
        session = services.step(session=room.session, offset=-1)
    assert session.phase == Phase.REVEALED
    assert session.current_round == 1


def test_consensus_value_unanswered_and_leave_mean(room):
    with scope(organisation=room.org):
        session = room.refresh()
        question = session.current_question
        services.record_consensus(
            session=session, question=question, value=2, note="agreed", user=None
        )
        consensus = Consensus.objects.get(assessment=session.assessment, question=question)
        assert (consensus.value, consensus.note) == (2, "agreed")
        services.record_consensus(
            session=session, question=question, value=None, note="", user=None
        )
        consensus.refresh_from_db()
        assert consensus.value is None  # "leave unanswered" is a stored null
        services.leave_mean(session=session, question=question)
        assert not Consensus.objects.filter(assessment=session.assessment).exists()


def test_close_marks_submitted_and_drops_silent_participants(room):
    voter, _ = room.join("business")
    room.join("it")  # joined, never voted
    _vote(room, voter, 3, 1000)
    with scope(organisation=room.org):
        services.close_session(session=room.session)
        respondents = list(Respondent.objects.filter(workshop_participant__session=room.session))
    assert [r.pk for r in respondents] == [voter.respondent_id]
    assert respondents[0].submitted_at is not None


def test_workshop_votes_and_consensus_feed_close_assessment(personas, room):
    a, _ = room.join("business", "Anna Secret")
    b, _ = room.join("it", "Bob Secret")
    _vote(room, a, 4, 1000)
    _vote(room, b, 2, 1001)
    with scope(organisation=room.org):
        session = services.reveal(session=room.session)
        services.record_consensus(
            session=session, question=session.current_question, value=3, note="", user=None
        )
        services.close_session(session=session)
        snapshot = assessment_services.close_assessment(assessment=personas.assessment)
    question = snapshot.data["result"]["questions"]["AL-01"]
    assert question["mean"] == 3.0
    assert question["consensus"] == 3
    assert question["n"] == 2
    assert "Secret" not in str(snapshot.data)


def test_workshop_rounds_reach_the_snapshot(personas, room):
    """Both rounds are stored; the closed result scores the latest and reports the change
    in agreement between the rounds."""
    a, _ = room.join("business")
    b, _ = room.join("it")
    _vote(room, a, 4, 1000)
    _vote(room, b, 0, 1001)
    with scope(organisation=room.org):
        services.reveal(session=room.session)
        services.revote(session=room.session)
    _vote(room, a, 3, 2000, round=2)
    _vote(room, b, 3, 2001, round=2)
    with scope(organisation=room.org):
        services.close_session(session=room.session)
        snapshot = assessment_services.close_assessment(assessment=personas.assessment)
    assert snapshot.data["result"]["questions"]["AL-01"]["mean"] == 3.0
    rounds = snapshot.data["rounds"]["AL-01"]
    assert [(r["round"], r["agreement"]) for r in rounds] == [(1, 0.0), (2, 1.0)]
