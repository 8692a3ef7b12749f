import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scope

from assessments import scoring, services
from assessments.models import Answer, Invitation, Membership, ResultSnapshot, Role

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
            )
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


def test_save_answer_keeps_rounds_apart(personas, questions):
    with scope(organisation=personas.org_a):
        r = personas.respondent
        services.save_answer(respondent=r, question=questions[0], value=1, client_ts=10)
        services.save_answer(respondent=r, question=questions[0], value=3, client_ts=5, round=2)
        rows = sorted(Answer.objects.filter(respondent=r).values_list("round", "value"))
        assert rows == [(1, 1), (2, 3)]
