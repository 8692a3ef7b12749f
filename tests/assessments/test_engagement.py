"""Respondents without accounts: the upload checks, personal links, invitation and reminder
mails with their schedule, retries and opt-out (assessments/engagement.py)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook

from assessments import engagement
from assessments.models import Respondent

from .links import add_link_respondent


@pytest.fixture(autouse=True)
def english():
    # Messages are checked in English; the German ones are checked by test_translations.
    with translation.override("en"):
        yield


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def csv_upload(text: str, name="people.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def parse(personas, upload):
    with scope(organisation=personas.org_a):
        return engagement.parse_upload(upload, assessment=personas.assessment)


GOOD = (
    "name,email,perspective,language\n"
    "Anna Berg,anna@example.org,business,de\n"
    "Ben Ito,ben@example.org,IT,en\n"
    "Cora Dahl,cora@example.org,Fachbereich,\n"
)


@pytest.mark.django_db
def test_parse_upload_good_csv_gives_rows(personas):
    result = parse(personas, csv_upload(GOOD))
    assert result.errors == []
    assert [r["email"] for r in result.rows] == [
        "anna@example.org",
        "ben@example.org",
        "cora@example.org",
    ]
    assert [r["perspective"] for r in result.rows] == ["business", "it", "business"]
    assert [r["language"] for r in result.rows] == ["de", "en", "de"]


@pytest.mark.django_db
def test_parse_upload_xlsx_and_semicolon_csv_with_german_headers(personas):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "E-Mail", "Perspektive", "Sprache"])
    sheet.append(["Anna Berg", "anna@example.org", "IT", "Deutsch"])
    data = __import__("io").BytesIO()
    book.save(data)
    result = parse(personas, SimpleUploadedFile("people.xlsx", data.getvalue()))
    assert result.errors == []
    assert result.rows[0]["perspective"] == "it"
    semicolon = "Name;E-Mail;Perspektive\nBen Ito;ben@example.org;Sonstige\n"
    result = parse(personas, csv_upload(semicolon))
    assert result.errors == []
    assert result.rows[0]["perspective"] == "other"


@pytest.mark.django_db
def test_parse_upload_wrong_columns_is_refused(personas):
    result = parse(personas, csv_upload("vorname,mail\nAnna,anna@example.org\n"))
    assert result.rows == []
    assert "name, email, perspective" in result.errors[0]


@pytest.mark.django_db
def test_parse_upload_bad_email_and_duplicates_are_reported_by_row(personas):
    add_link_respondent(personas.assessment, email="taken@example.org")
    text = (
        "name,email,perspective\n"
        "Anna Berg,anna@example.org,business\n"
        "Bad Mail,not-an-address,it\n"
        "Anna Again,ANNA@example.org,it\n"
        "Taken,taken@example.org,other\n"
        "Odd View,odd@example.org,marketing\n"
    )
    result = parse(personas, csv_upload(text))
    assert result.rows == []  # nothing is saved from a file with errors
    joined = "\n".join(result.errors)
    assert len(result.errors) == 4
    assert "Row 3:" in joined and "not-an-address" in joined
    assert "Row 4:" in joined and "appears twice" in joined
    assert "Row 5:" in joined and "already a respondent" in joined
    assert "Row 6:" in joined and "marketing" in joined


@pytest.mark.django_db
@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)"])
def test_parse_upload_formula_in_name_is_refused(personas, name):
    result = parse(personas, csv_upload(f'name,email,perspective\n"{name}",f@example.org,it\n'))
    assert result.rows == []
    assert "formula" in result.errors[0]


@pytest.mark.django_db
def test_parse_upload_20_mb_file_is_refused_before_reading(personas):
    class Huge(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("a file over the limit must not be read")

    upload = Huge("people.csv", b"x")
    upload.size = 20 * 1024 * 1024
    result = parse(personas, upload)
    assert result.rows == []
    assert "20.0 MB" in result.errors[0] and "2 MB" in result.errors[0]


@pytest.mark.django_db
def test_parse_upload_other_file_types_and_broken_xlsx_are_refused(personas):
    assert "csv or .xlsx" in parse(personas, csv_upload("x", name="people.pdf")).errors[0]
    broken = SimpleUploadedFile("people.xlsx", b"not a zip")
    assert "XLSX" in parse(personas, broken).errors[0]
    assert parse(personas, csv_upload("")).errors == ["The file is empty."]


@pytest.mark.django_db
def test_add_respondents_creates_link_users_that_cannot_sign_in(personas):
    respondent = add_link_respondent(personas.assessment)
    user = respondent.link_user
    assert not user.has_usable_password()
    assert user.email == ""
    with scopes_disabled():
        assert not user.memberships.exists()
    assert respondent.user is None


@pytest.mark.django_db
def test_add_respondents_with_an_existing_email_saves_nothing(personas):
    add_link_respondent(personas.assessment, email="anna@example.org")
    with scope(organisation=personas.org_a), pytest.raises(ValidationError):
        engagement.add_respondents(
            assessment=personas.assessment,
            rows=[
                {"name": "New", "email": "new@example.org", "perspective": "it", "language": "de"},
                {"name": "Dup", "email": "anna@example.org", "perspective": "it", "language": "de"},
            ],
            invite=False,
        )
    with scopes_disabled():
        assert not Respondent.objects.filter(email="new@example.org").exists()


@pytest.mark.django_db
def test_invitation_mail_in_respondents_language_with_org_deadline_link_and_optout(
    personas, immediate_tasks
):
    personas.assessment.deadline = date(2030, 3, 31)
    personas.assessment.save()
    respondent = add_link_respondent(personas.assessment, language="en", invite=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rita@example.org"]
    assert "Organisation A asks for your view" in message.subject
    assert "Please answer by" in message.body and "2030" in message.body
    assert f"/o/org-a/a/{personas.assessment.pk}/r/{respondent.pk}/?sesame=" in message.body
    assert f"/r/{respondent.pk}/opt-out/?sesame=" in message.body
    with scopes_disabled():
        respondent.refresh_from_db()
    assert respondent.invited_at is not None
    assert respondent.mail_pending == ""


@pytest.mark.django_db
def test_invitation_mail_in_german(personas, immediate_tasks):
    add_link_respondent(personas.assessment, language="de", invite=True)
    assert "bittet um Ihre Einschätzung" in mail.outbox[0].subject


@pytest.mark.django_db
def test_failed_send_is_kept_retried_by_remind_and_then_given_up(
    personas, immediate_tasks, settings, monkeypatch
):
    from assessments import engagement as module

    def broken(**kwargs):
        raise ConnectionRefusedError("SMTP server refused")

    monkeypatch.setattr(module, "send_mail", broken)
    respondent = add_link_respondent(personas.assessment, invite=True)
    with scopes_disabled():
        respondent.refresh_from_db()
    assert respondent.mail_pending == "invitation"
    assert respondent.mail_attempts == 1
    assert "SMTP server refused" in respondent.mail_error
    assert respondent.mail_retry_at is not None
    assert respondent.invited_at is None
    # Not yet due: remind leaves it; due: it is tried again, until the last attempt.
    assert engagement.send_due_reminders(now=timezone.now())["retries"] == 0
    for attempt in (2, 3, 4):
        later = timezone.now() + timedelta(days=attempt)
        assert engagement.send_due_reminders(now=later)["retries"] == 1
        with scopes_disabled():
            respondent.refresh_from_db()
        assert respondent.mail_attempts == attempt
    assert respondent.mail_retry_at is None  # given up: shown, with "send link again"
    assert respondent.mail_pending == "invitation"
    monkeypatch.undo()
    with scope(organisation=personas.org_a):
        engagement.resend_link(respondent=respondent)
    assert len(mail.outbox) == 1
    with scopes_disabled():
        respondent.refresh_from_db()
    assert respondent.mail_error == "" and respondent.invited_at is not None


def _invited(personas, email, days_ago, **changes):
    respondent = add_link_respondent(personas.assessment, email=email)
    with scopes_disabled():
        Respondent.objects.filter(pk=respondent.pk).update(
            invited_at=timezone.now() - timedelta(days=days_ago), **changes
        )
        respondent.refresh_from_db()
    return respondent


@pytest.mark.django_db
def test_reminders_follow_the_schedule_and_skip_submitted_and_opted_out(personas, immediate_tasks):
    due = _invited(personas, "due@example.org", 4)
    _invited(personas, "fresh@example.org", 1)
    _invited(personas, "done@example.org", 4, submitted_at=timezone.now())
    _invited(personas, "quiet@example.org", 4, reminders_opt_out=True)
    assert engagement.send_due_reminders()["reminders"] == 1
    assert [m.to for m in mail.outbox] == [["due@example.org"]]
    assert "Reminder" in mail.outbox[0].subject or "Erinnerung" in mail.outbox[0].subject
    # A second run before the next point in time sends nothing more.
    assert engagement.send_due_reminders()["reminders"] == 0
    # Four days on: the second reminder (7 days) for "due", the first (3 days) for "fresh";
    # still none for the submitted and the opted-out.
    mail.outbox.clear()
    assert engagement.send_due_reminders(now=timezone.now() + timedelta(days=4))["reminders"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["due@example.org", "fresh@example.org"]
    with scopes_disabled():
        due.refresh_from_db()
    assert due.reminders_sent == 2


@pytest.mark.django_db
def test_reminder_times_at_most_three_with_deadline(personas):
    assessment = personas.assessment
    assessment.deadline = date(2030, 1, 31)
    assessment.reminder_days_after = [3, 7, 14]
    invited = timezone.make_aware(timezone.datetime(2030, 1, 1, 10, 0))
    times = engagement.reminder_times(assessment, invited)
    assert len(times) == 3
    assert [t.day for t in times] == [4, 8, 15]
    assessment.reminder_days_after = [3]
    times = engagement.reminder_times(assessment, invited)
    assert [t.day for t in times] == [4, 29]


@pytest.mark.django_db
def test_missed_reminders_are_caught_up_with_one_mail(personas, immediate_tasks):
    _invited(personas, "late@example.org", 10)  # both 3 and 7 days passed unseen
    assert engagement.send_due_reminders()["reminders"] == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_reminders_after_the_deadline(personas, immediate_tasks):
    personas.assessment.deadline = timezone.localdate() - timedelta(days=1)
    personas.assessment.save()
    _invited(personas, "late@example.org", 10)
    assert engagement.send_due_reminders()["reminders"] == 0


@pytest.mark.django_db
def test_remind_command_sends_due_reminders(personas, immediate_tasks, capsys):
    _invited(personas, "due@example.org", 4)
    call_command("remind")
    assert "1 reminder(s) queued" in capsys.readouterr().out
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_remind_command_with_bad_now_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date and time"):
        call_command("remind", "--now", "tomorrow")


@pytest.mark.django_db
def test_revoked_link_gets_no_mail_and_its_token_no_longer_works(personas, immediate_tasks, rf):
    respondent = add_link_respondent(personas.assessment)
    from .links import link_path

    old = link_path(respondent)
    assert engagement.token_is_valid(rf.get(old), respondent)
    with scope(organisation=personas.org_a):
        engagement.revoke_link(respondent=respondent)
        assert engagement.remind_now(respondents=[respondent]) == 0
    assert not engagement.token_is_valid(rf.get(old), respondent)
    with scope(organisation=personas.org_a):
        engagement.resend_link(respondent=respondent)
    assert not engagement.token_is_valid(rf.get(old), respondent)  # the old one stays dead
    assert engagement.token_is_valid(rf.get(link_path(respondent)), respondent)


@pytest.mark.django_db
def test_token_of_one_respondent_does_not_open_another(personas, rf):
    from .links import link_path

    rita = add_link_respondent(personas.assessment)
    other = add_link_respondent(personas.assessment, email="other@example.org")
    assert not engagement.token_is_valid(rf.get(link_path(rita)), other)


@pytest.mark.django_db
def test_link_expires_after_configured_days(personas, rf, settings):
    from .links import link_path

    respondent = add_link_respondent(personas.assessment)
    path = link_path(respondent)
    settings.SESAME_MAX_AGE = 1
    import time

    time.sleep(2)
    assert not engagement.token_is_valid(rf.get(path), respondent)


@pytest.mark.django_db
def test_participation_counts_per_perspective_and_total(personas, django_assert_num_queries):
    rita = add_link_respondent(personas.assessment, perspective="it")
    add_link_respondent(personas.assessment, email="b@example.org", perspective="it")
    with scopes_disabled():
        Respondent.objects.filter(pk=rita.pk).update(
            invited_at=timezone.now(), opened_at=timezone.now(), submitted_at=timezone.now()
        )
    with scope(organisation=personas.org_a), django_assert_num_queries(1):
        data = engagement.participation(assessment=personas.assessment)
    it = next(b for b in data["perspectives"] if b["label"] == "IT")
    assert (it["total"], it["invited"], it["opened"], it["submitted"], it["rate"]) == (
        2,
        1,
        1,
        1,
        50,
    )
    assert data["total"]["total"] == 3  # the member respondent of the personas
    assert data["total"]["submitted"] == 1
