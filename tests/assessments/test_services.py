import threading
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation
from django_scopes import scope

from assessments import scoring, selectors, services
from assessments.models import Answer, Assessment, Invitation, Membership, ResultSnapshot, Role

from ..factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_create_organisation_makes_creator_owner():
    user = UserFactory()
    organisation = services.create_organisation(
        user=user, name="Beispiel GmbH", size_band="small", country="de"
    )
    with scope(organisation=organisation):
        membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (user, Role.OWNER)
    assert organisation.slug == "beispiel-gmbh"
    assert organisation.country == "DE"


def test_create_organisation_slug_unique_when_name_repeats():
    user = UserFactory()
    first = services.create_organisation(user=user, name="Acme", size_band="small", country="DE")
    second = services.create_organisation(user=user, name="Acme", size_band="small", country="DE")
    assert first.slug != second.slug


def test_change_role_of_last_owner_refused(personas):
    with scope(organisation=personas.org_a):
        owner = Membership.objects.get(organisation=personas.org_a, role=Role.OWNER)
        with pytest.raises(ValidationError):
            services.change_role(membership=owner, role=Role.VIEWER)
        owner.refresh_from_db()
        assert owner.role == Role.OWNER


def test_remove_last_owner_refused_but_other_member_removed(personas):
    with scope(organisation=personas.org_a):
        owner = Membership.objects.get(organisation=personas.org_a, role=Role.OWNER)
        with pytest.raises(ValidationError):
            services.remove_member(membership=owner)
        viewer = Membership.objects.get(organisation=personas.org_a, role=Role.VIEWER)
        services.remove_member(membership=viewer)
        assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_invitation_sends_link_and_accepting_creates_membership(personas):
    with scope(organisation=personas.org_a):
        invitation = services.invite_member(
            organisation=personas.org_a,
            email="Neu@Example.org",
            role=Role.VIEWER,
            invited_by=personas.users["owner"],
            accept_url_for=lambda token: f"https://compass.example/invitations/{token}/",
        )
        assert invitation.email == "neu@example.org"
        assert len(mail.outbox) == 1
        assert invitation.token in mail.outbox[0].body
        newcomer = UserFactory(email="neu@example.org")
        membership = services.accept_invitation(invitation=invitation, user=newcomer)
        assert membership.role == Role.VIEWER
        with pytest.raises(ValidationError):
            services.accept_invitation(
                invitation=Invitation.objects.get(pk=invitation.pk),
                user=UserFactory(email="neu@example.org"),
            )


def test_accept_invitation_keeps_existing_role(personas):
    with scope(organisation=personas.org_a):
        invitation = Invitation.objects.create(
            organisation=personas.org_a, email=personas.users["owner"].email, role=Role.VIEWER
        )
        membership = services.accept_invitation(invitation=invitation, user=personas.users["owner"])
        assert membership.role == Role.OWNER


@pytest.mark.parametrize("problem", ["other address", "expired", "revoked"])
def test_accept_invitation_refused_and_nothing_changes(personas, problem):
    with scope(organisation=personas.org_a):
        invitation = Invitation.objects.create(
            organisation=personas.org_a, email="neu@example.org", role=Role.OWNER
        )
        if problem == "expired":
            invitation.expires_at = invitation.created_at
            invitation.save()
        if problem == "revoked":
            services.revoke_invitation(invitation=invitation)
        email = "other@example.org" if problem == "other address" else "neu@example.org"
        user = UserFactory(email=email)
        with pytest.raises(ValidationError):
            services.accept_invitation(invitation=invitation, user=user)
        assert not Membership.objects.filter(user=user).exists()
        invitation.refresh_from_db()
        assert invitation.accepted_at is None


def test_save_answer_same_click_twice_stores_once(personas, questions):
    with scope(organisation=personas.org_a):
        r = personas.respondent
        _first, applied_first = services.save_answer(
            respondent=r, question=questions[0], value=3, client_ts=1000
        )
        _again, applied_again = services.save_answer(
            respondent=r, question=questions[0], value=3, client_ts=1000
        )
        assert (applied_first, applied_again) == (True, False)
        assert Answer.objects.filter(respondent=r).count() == 1


def test_save_answer_older_retry_never_overwrites_newer(personas, questions):
    with scope(organisation=personas.org_a):
        r = personas.respondent
        services.save_answer(respondent=r, question=questions[0], value=4, client_ts=2000)
        _answer, applied = services.save_answer(
            respondent=r, question=questions[0], value=1, client_ts=1500
        )
        assert not applied
        assert Answer.objects.get(respondent=r).value == 4
        services.save_answer(respondent=r, question=questions[0], value=None, client_ts=2500)
        assert Answer.objects.get(respondent=r).value is None


@pytest.mark.parametrize("value", [5, -1, "3", 2.0, True])
def test_save_answer_invalid_value_refused_and_nothing_stored(personas, questions, value):
    with scope(organisation=personas.org_a):
        with pytest.raises(ValidationError):
            services.save_answer(respondent=personas.respondent, question=questions[0], value=value)
        assert not Answer.objects.filter(respondent=personas.respondent).exists()


def test_save_answer_after_submit_locked(personas, questions):
    with scope(organisation=personas.org_a):
        services.submit_respondent(respondent=personas.respondent)
        with pytest.raises(services.AnswerLocked):
            services.save_answer(respondent=personas.respondent, question=questions[0], value=2)


def test_close_assessment_snapshot_equals_scoring_of_answers(personas, questions):
    with scope(organisation=personas.org_a):
        values = [i % 5 for i in range(len(questions))]
        for question, value in zip(questions, values, strict=True):
            services.save_answer(respondent=personas.respondent, question=question, value=value)
        snapshot = services.close_assessment(assessment=personas.assessment)
        spec = scoring.CatalogueSpec(
            sections=tuple(
                scoring.SectionSpec(
                    key=key,
                    questions=tuple(
                        scoring.QuestionSpec(code=q.code, weight=q.weight)
                        for q in questions
                        if q.section.key == key
                    ),
                )
                for key in scoring.SECTION_KEYS
            ),
            # catalogue 2026.1 names these; d and r_min are method 2's defaults
            parameters=scoring.Parameters(threshold=0.6, min_coverage=0.5, min_group_size=3),
        )
        expected = scoring.score(
            spec,
            [
                scoring.ResponseSet(
                    perspective="business",
                    answers={q.code: v for q, v in zip(questions, values, strict=True)},
                )
            ],
            target_stage=3,
        )
        assert snapshot.data["result"] == expected
        assert snapshot.data["inputs"]["respondents"][0]["id"] == "R1"
        personas.assessment.refresh_from_db()
        assert personas.assessment.status == "closed"


def test_close_reopen_close_replaces_snapshot(personas, questions):
    with scope(organisation=personas.org_a):
        services.save_answer(respondent=personas.respondent, question=questions[0], value=1)
        first = services.close_assessment(assessment=personas.assessment)
        services.reopen_assessment(assessment=personas.assessment)
        assert ResultSnapshot.objects.filter(pk=first.pk).exists()  # readable meanwhile
        services.close_assessment(assessment=personas.assessment)
        snapshots = ResultSnapshot.objects.filter(assessment=personas.assessment)
        assert snapshots.count() == 1
        assert snapshots.get().pk != first.pk


def test_close_twice_refused(personas):
    with scope(organisation=personas.org_a):
        services.close_assessment(assessment=personas.assessment)
        with pytest.raises(ValidationError):
            services.close_assessment(assessment=personas.assessment)


def test_update_assessment_keeps_respondent_who_answered(personas, questions):
    with scope(organisation=personas.org_a):
        services.save_answer(respondent=personas.respondent, question=questions[0], value=2)
        with pytest.raises(ValidationError):
            services.update_assessment(
                assessment=personas.assessment, title="New", target_stage=None, respondents=[]
            )
        assert personas.assessment.respondents.count() == 1


def test_update_assessment_adds_and_changes_perspective(personas):
    with scope(organisation=personas.org_a):
        services.update_assessment(
            assessment=personas.assessment,
            title="Renamed",
            target_stage=4,
            respondents=[
                (personas.users["respondent"], "it"),
                (personas.users["owner"], "business"),
            ],
        )
        perspectives = dict(
            personas.assessment.respondents.values_list("user__username", "perspective")
        )
        assert perspectives == {"a-respondent": "it", "a-owner": "business"}


def test_membership_unique_per_organisation():
    membership = MembershipFactory(organisation=OrganisationFactory())
    from django.db import IntegrityError, transaction

    with (
        scope(organisation=membership.organisation),
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        Membership.objects.create(
            user=membership.user, organisation=membership.organisation, role=Role.VIEWER
        )


def test_save_answer_after_close_locked_and_nothing_stored(personas, questions):
    with scope(organisation=personas.org_a):
        services.close_assessment(assessment=personas.assessment)
        with pytest.raises(services.AnswerLocked):
            services.save_answer(respondent=personas.respondent, question=questions[0], value=2)
        assert not Answer.objects.filter(respondent=personas.respondent).exists()


def test_store_answer_on_created_runs_for_a_new_row_only_and_in_its_transaction(
    personas, questions
):
    """A workshop vote counts its voter in the answer's transaction: the step runs once, for
    the save that adds the row, and a failing step leaves no answer behind."""
    calls = []
    with scope(organisation=personas.org_a):
        r = personas.respondent
        for ts in (10, 20):
            services.store_answer(
                respondent=r,
                question=questions[0],
                value=ts // 10,
                client_ts=ts,
                on_created=lambda: calls.append("counted"),
            )
        assert calls == ["counted"]

        def fails():
            raise RuntimeError("the counter's table is gone")

        with pytest.raises(RuntimeError):
            services.store_answer(respondent=r, question=questions[1], value=1, on_created=fails)
        stored = sorted(Answer.objects.filter(respondent=r).values_list("question_id", "value"))
    assert stored == [(questions[0].pk, 2)]


def test_save_answer_keeps_rounds_apart(personas, questions):
    with scope(organisation=personas.org_a):
        r = personas.respondent
        services.save_answer(respondent=r, question=questions[0], value=1, client_ts=10)
        services.save_answer(respondent=r, question=questions[0], value=3, client_ts=5, round=2)
        rows = sorted(Answer.objects.filter(respondent=r).values_list("round", "value"))
        assert rows == [(1, 1), (2, 3)]


# --------------------------------------------------------------------------- method 2: rescoring


def _closed_with_method_1(personas, questions) -> ResultSnapshot:
    """A closed assessment whose stored result was computed with method 1 (as every result
    stored before method 2 was): the migration labels such snapshots 1."""
    with scope(organisation=personas.org_a):
        values = [4, 4, 3, 3, 4, 4, 3, 0, 2, 2, 1, 0]
        for question, value in zip(questions[:12], values, strict=True):
            services.save_answer(respondent=personas.respondent, question=question, value=value)
        snapshot = services.close_assessment(assessment=personas.assessment)
        data = dict(snapshot.data)
        data["result"] = {"stage": {"index": 1, "key": "alignment"}, "blockers": ["IN-01"]}
        snapshot.data = data
        snapshot.method = 1
        snapshot.save()
        return snapshot


def test_close_assessment_stores_method_2(personas):
    with scope(organisation=personas.org_a):
        snapshot = services.close_assessment(assessment=personas.assessment)

    assert snapshot.method == scoring.METHOD == 2
    assert snapshot.data["result"]["method"] == 2


def test_recompute_result_scores_stored_answers_and_keeps_earlier_result(personas, questions):
    old = _closed_with_method_1(personas, questions)
    with scope(organisation=personas.org_a):
        # Live rows changed behind the snapshot's back: the recomputation must not see them.
        Answer.objects.filter(respondent=personas.respondent).update(value=0)
        expected = selectors.score_inputs(
            catalogue=personas.assessment.catalogue, inputs=old.data["inputs"]
        )

        snapshot = services.recompute_result(assessment=personas.assessment)

        snapshot.refresh_from_db()
        assert snapshot.method == 2
        assert snapshot.data["result"] == expected
        assert snapshot.data["result"]["sections"]["alignment"]["fulfilment"] > 0
        assert snapshot.previous_results == [
            {
                "method": 1,
                "computed_at": old.created_at.isoformat(),
                "result": {"stage": {"index": 1, "key": "alignment"}, "blockers": ["IN-01"]},
            }
        ]
        assert snapshot.created_at == old.created_at
        assert snapshot.data["inputs"] == old.data["inputs"]
        personas.assessment.refresh_from_db()
        assert personas.assessment.closed_at == old.created_at


def test_recompute_result_twice_leaves_current_method_result_alone(personas, questions):
    _closed_with_method_1(personas, questions)
    with scope(organisation=personas.org_a):
        first = services.recompute_result(assessment=personas.assessment)
        again = services.recompute_result(assessment=personas.assessment)

        again.refresh_from_db()
        assert again.data == first.data
        assert len(again.previous_results) == 1


def test_recompute_result_open_assessment_refused(personas):
    with (
        scope(organisation=personas.org_a),
        translation.override("en"),
        pytest.raises(ValidationError, match="Only a closed assessment can be recomputed"),
    ):
        services.recompute_result(assessment=personas.assessment)


def test_result_for_comparison_recomputes_other_method_without_storing(personas, questions):
    old = _closed_with_method_1(personas, questions)
    with scope(organisation=personas.org_a):
        snapshot = ResultSnapshot.objects.select_related("assessment__catalogue").get(pk=old.pk)

        result = selectors.result_for_comparison(snapshot=snapshot)

        assert result["method"] == 2
        assert result == selectors.score_inputs(
            catalogue=personas.assessment.catalogue, inputs=old.data["inputs"]
        )
        snapshot.refresh_from_db()
        assert snapshot.method == 1
        assert "blockers" in snapshot.data["result"]


def test_result_for_comparison_same_method_returns_stored_result(personas):
    with scope(organisation=personas.org_a):
        snapshot = services.close_assessment(assessment=personas.assessment)

        assert selectors.result_for_comparison(snapshot=snapshot) == snapshot.data["result"]


def test_save_answer_click_time_ahead_of_the_server_stored_as_now(personas, questions):
    with scope(organisation=personas.org_a):
        before = services.now_ms()
        answer, applied = services.save_answer(
            respondent=personas.respondent, question=questions[0], value=2, client_ts=10**30
        )
        assert applied and before <= answer.client_ts <= services.now_ms()
        assert Answer.objects.get(pk=answer.pk).client_ts == answer.client_ts


def test_save_answer_without_click_time_applies_over_a_newer_click(personas, questions):
    # A plain form post (no click time) is the person's latest intent.
    with scope(organisation=personas.org_a):
        r = personas.respondent
        services.save_answer(respondent=r, question=questions[0], value=4, client_ts=1000)
        Answer.objects.filter(respondent=r).update(client_ts=10**15)  # stored before clamping
        _answer, applied = services.save_answer(respondent=r, question=questions[0], value=0)
        assert applied
        assert Answer.objects.get(respondent=r).value == 0


def test_save_answers_applies_each_in_the_same_queries_whatever_their_number(
    personas, questions, django_assert_num_queries
):
    with scope(organisation=personas.org_a):
        r = personas.respondent
        services.save_answer(respondent=r, question=questions[0], value=4, client_ts=1000)
        Answer.objects.filter(respondent=r).update(client_ts=10**15)
        # Savepoint, lock, stored answers, insert, update, release.
        with django_assert_num_queries(6):
            services.save_answers(
                respondent=r, answers=[(questions[0], 1, "Neu"), (questions[1], None, "")]
            )
        with django_assert_num_queries(6):
            services.save_answers(
                respondent=r, answers=[(q, 2, "") for q in questions[:3]] + [(questions[9], 3, "")]
            )
        stored = dict(Answer.objects.filter(respondent=r).values_list("question_id", "value"))
        assert stored == {
            questions[0].pk: 2,
            questions[1].pk: 2,
            questions[2].pk: 2,
            questions[9].pk: 3,
        }


def test_save_answers_after_submit_locked_and_nothing_stored(personas, questions):
    with scope(organisation=personas.org_a):
        services.submit_respondent(respondent=personas.respondent)
        with pytest.raises(services.AnswerLocked):
            services.save_answers(respondent=personas.respondent, answers=[(questions[0], 1, "")])
        assert not Answer.objects.filter(respondent=personas.respondent).exists()


def test_save_answers_invalid_value_refused_and_nothing_stored(personas, questions):
    with scope(organisation=personas.org_a):
        with pytest.raises(ValidationError):
            services.save_answers(
                respondent=personas.respondent,
                answers=[(questions[0], 1, ""), (questions[1], 7, "")],
            )
        assert not Answer.objects.filter(respondent=personas.respondent).exists()


def test_create_assessment_same_creation_token_returns_the_first(personas, catalogue):
    token = uuid.uuid4()
    with scope(organisation=personas.org_a):
        kwargs = {
            "organisation": personas.org_a,
            "created_by": personas.users["owner"],
            "title": "Einmal",
            "catalogue": catalogue,
            "target_stage": None,
            "respondents": [(personas.users["respondent"], "it")],
            "creation_token": token,
        }
        first = services.create_assessment(**kwargs)
        again = services.create_assessment(**{**kwargs, "title": "Zweimal"})
        assert again == first
        assert Assessment.objects.filter(organisation=personas.org_a).count() == 2  # + personas'
        other = services.create_assessment(**{**kwargs, "creation_token": uuid.uuid4()})
        assert other != first


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer anyway")
@pytest.mark.django_db(transaction=True)
def test_save_answer_locks_only_its_own_respondent(personas, questions):
    """While one person's click is being written, another respondent's click of the same
    assessment goes through: the lock is on the respondent row, not the assessment."""
    with scope(organisation=personas.org_a):
        colleague = personas.assessment.respondents.create(user=UserFactory(), perspective="it")
    done = threading.Event()

    def colleague_clicks():
        try:
            with scope(organisation=personas.org_a):
                services.save_answer(respondent=colleague, question=questions[0], value=2)
            done.set()
        finally:
            connection.close()

    with scope(organisation=personas.org_a), transaction.atomic():
        services.save_answer(respondent=personas.respondent, question=questions[0], value=1)
        thread = threading.Thread(target=colleague_clicks)
        thread.start()
        finished_while_locked = done.wait(timeout=10)
    thread.join(timeout=10)
    assert finished_while_locked
