"""The participation page and its actions (owner and consultant)."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import services
from assessments.models import Respondent

from ..links import add_link_respondent


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def owner(client, personas):
    client.force_login(personas.users["owner"])
    return client


def url(name, personas, *extra):
    return reverse(name, args=["org-a", personas.assessment.pk, *extra])


CSV = (
    b"name,email,perspective,language\n"
    b"Anna Berg,anna@example.org,business,de\n"
    b"Ben Ito,ben@example.org,it,en\n"
)


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.mark.django_db
def test_upload_preview_then_confirm_adds_and_invites(owner, personas, immediate_tasks):
    upload = SimpleUploadedFile("people.csv", CSV, content_type="text/csv")
    response = owner.post(url("respondent_upload", personas), {"file": upload})
    assert response.status_code == 200
    assert b"anna@example.org" in response.content
    with scopes_disabled():
        assert not Respondent.objects.filter(email="anna@example.org").exists()
    response = owner.post(url("respondent_import_confirm", personas), {"invite": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        assert (
            Respondent.objects.filter(assessment=personas.assessment).exclude(email="").count() == 2
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "ben@example.org"]
    # The rows are used once: a second confirm adds nothing.
    owner.post(url("respondent_import_confirm", personas))
    with scopes_disabled():
        assert Respondent.objects.exclude(email="").count() == 2


@pytest.mark.django_db
def test_upload_with_errors_shows_rows_and_saves_nothing(owner, personas):
    bad = CSV + b"=cmd|' /C calc'!A0,evil@example.org,it,de\n"
    upload = SimpleUploadedFile("people.csv", bad, content_type="text/csv")
    response = owner.post(url("respondent_upload", personas), {"file": upload})
    assert response.status_code == 400
    assert b"Row 4" in response.content and b"formula" in response.content
    assert owner.post(url("respondent_import_confirm", personas)).status_code == 302
    with scopes_disabled():
        assert not Respondent.objects.exclude(email="").exists()


@pytest.mark.django_db
def test_add_one_respondent_and_bad_email(owner, personas):
    data = {"name": "Cora", "email": "cora@example.org", "perspective": "it", "language": "en"}
    assert owner.post(url("respondent_add", personas), data).status_code == 302
    response = owner.post(url("respondent_add", personas), {**data, "email": "nope"})
    assert response.status_code == 400
    response = owner.post(url("respondent_add", personas), data)
    assert response.status_code == 400 and b"already a respondent" in response.content
    with scopes_disabled():
        assert Respondent.objects.filter(email="cora@example.org").count() == 1


@pytest.mark.django_db
def test_participation_page_shows_status_never_answers(
    owner, personas, django_assert_max_num_queries
):
    rita = add_link_respondent(personas.assessment)
    for i in range(5):
        add_link_respondent(personas.assessment, email=f"p{i}@example.org")
    with scopes_disabled():
        rita.answers.create(
            question_id=personas.assessment.catalogue.questions.first().pk,
            value=3,
            comment="secret note",
        )
    response = owner.get(url("participation", personas))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Rita Respondent" in body and "in progress" in body
    assert "secret note" not in body
    assert "0 of 7 submitted" in body
    # Constant in the number of respondents.
    with django_assert_max_num_queries(14) as first:
        owner.get(url("participation", personas))
    for i in range(5, 15):
        add_link_respondent(personas.assessment, email=f"p{i}@example.org")
    with django_assert_max_num_queries(len(first.captured_queries)):
        owner.get(url("participation", personas))


@pytest.mark.django_db
def test_remind_resend_revoke(owner, personas, immediate_tasks):
    rita = add_link_respondent(personas.assessment, invite=True)
    mail.outbox.clear()
    assert owner.post(url("respondent_remind", personas, rita.pk)).status_code == 302
    assert len(mail.outbox) == 1
    assert owner.get(url("respondent_revoke", personas, rita.pk)).status_code == 200
    with scopes_disabled():
        assert Respondent.objects.get(pk=rita.pk).revoked_at is None  # GET only asks
    owner.post(url("respondent_revoke", personas, rita.pk))
    with scopes_disabled():
        assert Respondent.objects.get(pk=rita.pk).revoked_at is not None
    owner.post(url("respondent_remind", personas, rita.pk))
    assert len(mail.outbox) == 1  # no reminder on a revoked link
    owner.post(url("respondent_resend", personas, rita.pk))
    assert len(mail.outbox) == 2
    with scopes_disabled():
        assert Respondent.objects.get(pk=rita.pk).revoked_at is None


@pytest.mark.django_db
def test_action_on_another_assessments_respondent_is_not_found(owner, personas):
    other = add_link_respondent(personas.assessment_b, email="b@example.org")
    assert owner.post(url("respondent_revoke", personas, other.pk)).status_code == 404


@pytest.mark.django_db
def test_schedule_saves_and_refuses_more_than_three(owner, personas):
    response = owner.post(
        url("assessment_schedule", personas),
        {"deadline": "2030-01-31", "days_after": "3, 7", "days_before": "2"},
    )
    assert response.status_code == 302
    personas.assessment.refresh_from_db()
    assert personas.assessment.reminder_days_after == [3, 7]
    owner.post(
        url("assessment_schedule", personas),
        {"deadline": "2030-01-31", "days_after": "1, 3, 7", "days_before": "2"},
    )
    personas.assessment.refresh_from_db()
    assert personas.assessment.reminder_days_after == [3, 7]


@pytest.mark.django_db
def test_results_page_shows_response_rate_per_perspective(owner, personas, questions):
    rita = add_link_respondent(personas.assessment, perspective="it")
    add_link_respondent(personas.assessment, email="b@example.org", perspective="it")
    with scope(organisation=personas.org_a):
        for q in questions:
            services.save_answer(respondent=rita, question=q, value=3)
            services.save_answer(respondent=personas.respondent, question=q, value=2)
        services.submit_respondent(respondent=rita)
        services.close_assessment(assessment=personas.assessment)
    response = owner.get(url("results", personas), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    rate = body.split('id="response-rate"')[1].split("</p>")[0]
    assert "Business 0/1 (0 %)" in rate
    assert "IT 1/2 (50 %)" in rate
    assert "Total 1/3 (33 %)" in rate


@pytest.mark.django_db
def test_failed_mail_is_shown_with_its_retry(owner, personas):
    rita = add_link_respondent(personas.assessment)
    with scopes_disabled():
        Respondent.objects.filter(pk=rita.pk).update(
            mail_pending="invitation",
            mail_attempts=1,
            mail_error="SMTPConnectError: refused",
            mail_retry_at=timezone.now(),
        )
    body = owner.get(url("participation", personas)).content.decode()
    assert "Sending failed" in body and "SMTPConnectError: refused" in body
    assert "Attempt 1 failed; next try" in body
