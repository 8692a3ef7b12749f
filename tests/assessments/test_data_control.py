import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from assessments import data_control, engagement, services
from assessments.models import (
    Answer,
    Assessment,
    AuditEvent,
    AuditKind,
    Consensus,
    PlanItem,
    Respondent,
    ResultSnapshot,
)
from reports.models import ChartSVG, RenderStatus, ReportRender
from workshops import services as workshop_services
from workshops.models import Mode, Participant, QuestionRound, WorkshopSession

from ..factories import PlanItemFactory
from .answered import add_member_respondent, answer_all, close

pytestmark = pytest.mark.django_db


def paths_to_assessment() -> dict:
    """Every model with a chain of foreign keys (any on_delete) to Assessment, with the
    lookup, found independently of the code under test."""
    paths = {}
    frontier = {Assessment: ""}
    while frontier:
        found = {}
        for model in apps.get_models():
            if model in paths or model is Assessment:
                continue
            for field in model._meta.get_fields():
                if (field.many_to_one or field.one_to_one) and field.concrete:
                    prefix = frontier.get(field.related_model)
                    if prefix is not None:
                        found[model] = f"{field.name}__{prefix}" if prefix else field.name
                        break
        paths.update(found)
        frontier = found
    return paths


def full_engagement(personas, questions):
    """Assessment A with answers of two people, a consensus value, a workshop with a
    participant and a round, a closed result with a PDF and a chart, and a plan item."""
    answer_all(personas, questions)
    add_member_respondent(personas, questions)
    with scope(organisation=personas.org_a):
        services.set_consensus(
            assessment=personas.assessment,
            question=questions[0],
            value=3,
            note="",
            user=personas.users["owner"],
        )
        session = workshop_services.start_session(
            assessment=personas.assessment, mode=Mode.FACILITATOR, section=None, user=None
        )
        workshop_services.join_session(session=session, perspective="it", display_name="Kim")
        PlanItemFactory(organisation=personas.org_a, assessment=personas.assessment)
    snapshot = close(personas)
    with scope(organisation=personas.org_a):
        ReportRender.objects.create(
            snapshot=snapshot, lang="en", status=RenderStatus.DONE, pdf=b"%PDF-1.7"
        )
        ChartSVG.objects.create(snapshot=snapshot, lang="en", name="ladder", svg="<svg/>")
    return snapshot


def rows_left(paths, pk) -> dict:
    with scopes_disabled():
        return {
            model._meta.label: model.objects.filter(**{path: pk}).count()
            for model, path in paths.items()
        }


def test_deleting_an_assessment_leaves_no_row_of_it_behind(personas, questions):
    full_engagement(personas, questions)
    pk = personas.assessment.pk
    paths = paths_to_assessment()
    before = rows_left(paths, pk)
    # The walk reaches every kind of row made above (so this test can fail).
    for model in (Respondent, Answer, Consensus, ResultSnapshot, PlanItem, WorkshopSession):
        assert before[model._meta.label] > 0, model
    for model in (Participant, QuestionRound, ReportRender, ChartSVG):
        assert before[model._meta.label] > 0, model
    b_rows = rows_left(paths, personas.assessment_b.pk)
    with scope(organisation=personas.org_a):
        event = data_control.delete_assessment(
            assessment=personas.assessment, actor=personas.users["owner"]
        )
    assert rows_left(paths, pk) == dict.fromkeys(before, 0)
    with scopes_disabled():
        assert not Assessment.objects.filter(pk=pk).exists()
        plan_item = PlanItem.objects.get(organisation=personas.org_a)
    assert plan_item.assessment_id is None  # the plan stays, without the link
    assert rows_left(paths, personas.assessment_b.pk) == b_rows  # nothing else went
    assert event.kind == AuditKind.ASSESSMENT_DELETED
    assert event.actor == personas.users["owner"]
    assert event.assessment_ref == pk
    assert event.counts["assessments.answer"] == before["assessments.Answer"]
    assert event.counts["assessments.respondent"] == before["assessments.Respondent"]
    assert event.counts["plan_items_unlinked"] == 1
    assert "Assessment A" not in str(event.counts)


def test_deletion_counts_name_every_kind_of_row_that_goes(personas, questions):
    full_engagement(personas, questions)
    with scope(organisation=personas.org_a):
        counts = {
            row["model"]: row["count"]
            for row in data_control.deletion_counts(assessment=personas.assessment)
        }
        answers = Answer.objects.filter(respondent__assessment=personas.assessment).count()
    assert counts[Answer] == answers
    assert counts[Respondent] == 3  # two members and the workshop participant
    assert counts[ResultSnapshot] == 1 and counts[ReportRender] == 1
    assert PlanItem not in counts  # plan items stay


def test_erasing_a_respondent_removes_their_answers_and_their_snapshot_entry(personas, questions):
    answer_all(personas, questions)
    other = add_member_respondent(personas, questions, value=1)
    snapshot = close(personas)
    result_before = snapshot.data["result"]
    with scope(organisation=personas.org_a):
        event = data_control.erase_respondent(
            respondent=personas.respondent, actor=personas.users["owner"]
        )
        snapshot.refresh_from_db()
        remaining = list(personas.assessment.respondents.all())
        answers_left = Answer.objects.filter(respondent__assessment=personas.assessment)
        assert {a.respondent_id for a in answers_left} == {other.pk}
    assert remaining == [other]
    entries = snapshot.data["inputs"]["respondents"]
    assert entries[0] == {
        "id": "R1",
        "perspective": "business",
        "answers": {},
        "comments": {},
        "erased": True,
    }
    assert set(entries[1]["answers"].values()) == {1}  # the other person's entry stays
    assert snapshot.data["result"] == result_before  # figures stay
    assert event.kind == AuditKind.RESPONDENT_ERASED
    assert event.counts == {"assessments.respondent": 1, "assessments.answer": len(questions)}


def test_erasing_finds_the_entry_by_content_after_an_earlier_erasure(personas, questions):
    first = add_member_respondent(personas, questions, value=0)
    second = add_member_respondent(personas, questions, value=4)
    close(personas)
    with scope(organisation=personas.org_a):
        data_control.erase_respondent(respondent=first, actor=None)
        data_control.erase_respondent(respondent=second, actor=None)
        snapshot = ResultSnapshot.objects.get(assessment=personas.assessment)
    entries = snapshot.data["inputs"]["respondents"]
    # R1 is the persona respondent (no answers), R2 and R3 are the erased two.
    assert [e.get("erased", False) for e in entries] == [False, True, True]


def test_erasing_a_workshop_participant_deletes_the_participant_and_display_name(
    personas, questions
):
    with scope(organisation=personas.org_a):
        session = workshop_services.start_session(
            assessment=personas.assessment, mode=Mode.FACILITATOR, section=None, user=None
        )
        participant, _token = workshop_services.join_session(
            session=session, perspective="it", display_name="Kim"
        )
        data_control.erase_respondent(respondent=participant.respondent, actor=None)
        assert not Participant.objects.filter(pk=participant.pk).exists()


def close_months_ago(personas, months):
    snapshot = close(personas)
    with scope(organisation=personas.org_a):
        Assessment.objects.filter(pk=personas.assessment.pk).update(
            closed_at=data_control.months_before(timezone.now(), months)
            - datetime.timedelta(minutes=1)
        )
    return snapshot


def test_retention_erases_respondents_of_assessments_closed_long_enough_ago(personas, questions):
    answer_all(personas, questions)
    snapshot = close_months_ago(personas, 6)
    personas.org_a.retention_months = 6
    personas.org_a.save()
    events = data_control.apply_retention()
    assert len(events) == 1
    with scope(organisation=personas.org_a):
        assert not personas.assessment.respondents.exists()
        snapshot.refresh_from_db()
        assert AuditEvent.objects.get().kind == AuditKind.RETENTION_APPLIED
    assert all(e["answers"] == {} for e in snapshot.data["inputs"]["respondents"])
    assert events[0].actor is None
    assert events[0].counts["assessments.answer"] == len(questions)
    assert data_control.apply_retention() == []  # nothing left to do the second time


@pytest.mark.parametrize(("retention", "closed_months_ago"), [(None, 60), (12, 11)])
def test_retention_keeps_data_without_setting_or_before_the_period(
    personas, questions, retention, closed_months_ago
):
    answer_all(personas, questions)
    close_months_ago(personas, closed_months_ago)
    personas.org_a.retention_months = retention
    personas.org_a.save()
    assert data_control.apply_retention() == []
    with scope(organisation=personas.org_a):
        assert personas.assessment.respondents.count() == 1


def test_retention_skips_open_assessments(personas, questions):
    answer_all(personas, questions)
    personas.org_a.retention_months = 1
    personas.org_a.save()
    later = timezone.now() + datetime.timedelta(days=400)
    assert data_control.apply_retention(now=later) == []


def test_apply_retention_command_reports_what_it_erased(personas, questions):
    answer_all(personas, questions)
    close_months_ago(personas, 3)
    personas.org_a.retention_months = 3
    personas.org_a.save()
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert f"org-a: assessment {personas.assessment.pk}: 1 respondents" in out.getvalue()
    assert "1 assessment(s) changed" in out.getvalue()


def test_apply_retention_enqueue_runs_the_task(personas, questions, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    answer_all(personas, questions)
    close_months_ago(personas, 3)
    personas.org_a.retention_months = 3
    personas.org_a.save()
    out = StringIO()
    call_command("apply_retention", "--enqueue", stdout=out)
    assert "Queued retention task" in out.getvalue()
    with scope(organisation=personas.org_a):
        assert not personas.assessment.respondents.exists()


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime.datetime(2026, 5, 31, 12), 3, datetime.datetime(2026, 2, 28, 12)),
        (datetime.datetime(2026, 1, 15), 1, datetime.datetime(2025, 12, 15)),
        (datetime.datetime(2024, 3, 31), 1, datetime.datetime(2024, 2, 29)),
        (datetime.datetime(2026, 11, 30), 24, datetime.datetime(2024, 11, 30)),
    ],
)
def test_months_before_goes_back_calendar_months(moment, months, expected):
    assert data_control.months_before(moment, months) == expected


def test_apply_retention_is_silent_with_verbosity_0(personas, questions):
    answer_all(personas, questions)
    close_months_ago(personas, 3)
    personas.org_a.retention_months = 3
    personas.org_a.save()
    out = StringIO()
    call_command("apply_retention", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    with scope(organisation=personas.org_a):
        assert not personas.assessment.respondents.exists()


def test_deleting_respondents_without_accounts_removes_their_hidden_link_accounts(
    personas, questions
):
    rows = [{"name": "Anna", "email": "anna@example.org", "perspective": "it", "language": "de"}]
    with scope(organisation=personas.org_a):
        (respondent,) = engagement.add_respondents(
            assessment=personas.assessment, rows=rows, invite=False
        )
        link_user_id = respondent.link_user_id
        data_control.delete_assessment(
            assessment=personas.assessment, actor=personas.users["owner"]
        )
    assert not get_user_model().objects.filter(pk=link_user_id).exists()
    assert get_user_model().objects.filter(pk=personas.users["respondent"].pk).exists()
