import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_scopes import scope

from assessments import engagement, narrative, plans, scoring, selectors
from assessments.models import PlanStatus

from ..factories import MembershipFactory, PlanItemFactory, UserFactory
from .answered import answer_all, close

pytestmark = pytest.mark.django_db


def codes_of(questions, section):
    return [q.code for q in questions if q.section.key == section]


def scored_with(personas, snapshot, answers):
    """The scoring module's own result for the snapshot's respondent with ``answers``."""
    spec = selectors.catalogue_spec(catalogue=personas.assessment.catalogue)
    entry = snapshot.data["inputs"]["respondents"][0]
    return scoring.score(
        spec,
        [scoring.ResponseSet(perspective=entry["perspective"], answers=answers)],
        target_stage=personas.assessment.target_stage,
    )


def test_projected_stage_is_the_scoring_result_with_plan_questions_at_largely(personas, questions):
    answer_all(personas, questions)  # alignment 4, integration 2, co-creation 1, fusion 0
    snapshot = close(personas)
    integration = codes_of(questions, "integration")
    with scope(organisation=personas.org_a):
        items = [
            PlanItemFactory(organisation=personas.org_a, question_codes=integration[:3]),
            PlanItemFactory(
                organisation=personas.org_a,
                question_codes=integration[3:],
                status=PlanStatus.IN_PROGRESS,
            ),
        ]
        spec = selectors.catalogue_spec(catalogue=personas.assessment.catalogue)
        projected = plans.projected_stage(snapshot=snapshot, spec=spec, items=items)
    answers = dict(snapshot.data["inputs"]["respondents"][0]["answers"])
    answers.update(dict.fromkeys(integration, 3))
    expected = scored_with(personas, snapshot, answers)
    assert snapshot.data["result"]["stage"]["index"] == 1
    assert projected["index"] == expected["stage"]["index"] == 2
    assert projected["position"] == pytest.approx(expected["position"])
    assert projected["raised"] == sorted(integration)
    assert projected["changed"] is True


def test_projected_stage_ignores_done_and_dropped_items_and_never_lowers(personas, questions):
    answer_all(personas, questions)
    snapshot = close(personas)
    alignment = codes_of(questions, "alignment")  # answered 4: stays 4, not lowered to 3
    integration = codes_of(questions, "integration")
    with scope(organisation=personas.org_a):
        items = [
            PlanItemFactory(organisation=personas.org_a, question_codes=alignment),
            PlanItemFactory(
                organisation=personas.org_a, question_codes=integration, status=PlanStatus.DONE
            ),
            PlanItemFactory(
                organisation=personas.org_a,
                question_codes=integration,
                status=PlanStatus.DROPPED,
            ),
            PlanItemFactory(organisation=personas.org_a, question_codes=["ZZ-99"]),
        ]
        spec = selectors.catalogue_spec(catalogue=personas.assessment.catalogue)
        projected = plans.projected_stage(snapshot=snapshot, spec=spec, items=items)
    result = snapshot.data["result"]
    assert projected == {
        "index": result["stage"]["index"],
        "label": narrative.stage_label(result["stage"]["index"]),
        "position": result["position"],
        "raised": [],
        "changed": False,
    }


def test_projected_stage_raises_one_question_exactly_as_the_scoring_does(personas, questions):
    answer_all(personas, questions, levels={"alignment": 4, "integration": 2})
    snapshot = close(personas)
    one = codes_of(questions, "integration")[0]
    with scope(organisation=personas.org_a):
        item = PlanItemFactory(organisation=personas.org_a, question_codes=[one])
        spec = selectors.catalogue_spec(catalogue=personas.assessment.catalogue)
        projected = plans.projected_stage(snapshot=snapshot, spec=spec, items=[item])
    answers = {**snapshot.data["inputs"]["respondents"][0]["answers"], one: 3}
    expected = scored_with(personas, snapshot, answers)
    assert projected["index"] == expected["stage"]["index"]
    assert projected["position"] == pytest.approx(expected["position"])
    assert projected["position"] > snapshot.data["result"]["position"]


def test_plan_rows_are_plain_dicts_in_status_and_due_order(personas):
    owner = personas.users["consultant"]
    with scope(organisation=personas.org_a):
        PlanItemFactory(organisation=personas.org_a, title="Done", status=PlanStatus.DONE)
        PlanItemFactory(
            organisation=personas.org_a,
            title="Later",
            owner_name="Extern GmbH",
            due_date=datetime.date(2027, 6, 1),
        )
        PlanItemFactory(
            organisation=personas.org_a,
            title="Sooner",
            owner=owner,
            question_codes=["IN-01"],
            due_date=datetime.date(2027, 3, 1),
            assessment=personas.assessment,
        )
        PlanItemFactory(organisation=personas.org_b, title="Other organisation")
        with translation.override("en"):
            rows = plans.plan_rows(organisation=personas.org_a)
    assert [r["title"] for r in rows] == ["Sooner", "Later", "Done"]
    assert rows[0] == {
        "title": "Sooner",
        "questions": ["IN-01"],
        "owner": owner.get_full_name(),
        "due_date": datetime.date(2027, 3, 1),
        "status": "open",
        "status_label": "Open",
        "note": "",
        "assessment": "Assessment A",
    }
    assert rows[1]["owner"] == "Extern GmbH"


def test_create_plan_item_refuses_an_owner_who_is_not_a_member(personas):
    with scope(organisation=personas.org_a), pytest.raises(ValidationError):
        plans.create_plan_item(
            organisation=personas.org_a,
            created_by=personas.users["owner"],
            title="X",
            question_codes=[],
            owner=personas.users["outsider"],
        )


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Standortbestimmung 2026", "Standortbestimmung 2027"),
        ("2025/2026 Review", "2025/2027 Review"),
        ("Baseline", "Baseline (follow-up)"),
    ],
)
def test_next_title_counts_the_last_year_up_or_adds_follow_up(title, expected):
    with translation.override("en"):
        assert plans.next_title(title) == expected


def test_start_next_assessment_copies_members_target_and_title(personas, questions):
    answer_all(personas, questions)
    close(personas)
    with scope(organisation=personas.org_a):
        extra = MembershipFactory(organisation=personas.org_a, user=UserFactory())
        personas.assessment.respondents.create(user=extra.user, perspective="it")
        gone = MembershipFactory(organisation=personas.org_a, user=UserFactory())
        personas.assessment.respondents.create(user=gone.user, perspective="other")
        gone.delete()  # no longer a member: not asked again
        with translation.override("en"):
            new = plans.start_next_assessment(
                assessment=personas.assessment, created_by=personas.users["owner"]
            )
        copied = {(r.user_id, r.perspective) for r in new.respondents.all()}
        answers = sum(r.answers.count() for r in new.respondents.all())
    assert new.title == "Assessment A (follow-up)"
    assert new.target_stage == personas.assessment.target_stage
    assert new.is_open
    assert copied == {(personas.users["respondent"].pk, "business"), (extra.user_id, "it")}
    assert answers == 0


def test_progress_compares_the_plan_question_then_and_now(personas, questions):
    answer_all(personas, questions)
    first = close(personas)
    code = codes_of(questions, "integration")[0]
    with scope(organisation=personas.org_a):
        item = PlanItemFactory(
            organisation=personas.org_a, question_codes=[code], assessment=personas.assessment
        )
        new = plans.start_next_assessment(
            assessment=personas.assessment, created_by=personas.users["owner"]
        )
        respondent = new.respondents.get()
    answer_all(personas, questions, levels={"integration": 3}, respondent=respondent)
    second = close(personas, assessment=new)
    with scope(organisation=personas.org_a):
        rows = plans.plan_progress(snapshot=second, items=[item])
    assert first.data["result"]["questions"][code]["value"] == 2
    assert rows == [{"item": item, "code": code, "then": 2, "now": 3, "change": 1}]


def test_plan_report_is_plain_data_with_the_projected_stage(personas, questions):
    answer_all(personas, questions)
    snapshot = close(personas)
    integration = codes_of(questions, "integration")
    with scope(organisation=personas.org_a):
        item = PlanItemFactory(organisation=personas.org_a, question_codes=integration)
        report = plans.plan_report(assessment=personas.assessment, snapshot=snapshot)
        spec = selectors.catalogue_spec(catalogue=personas.assessment.catalogue)
        projected = plans.projected_stage(snapshot=snapshot, spec=spec, items=[item])
    assert report["projected"] == projected
    assert [r["title"] for r in report["rows"]] == [item.title]
    assert report["progress"] == []  # the action came from no earlier assessment


def test_start_next_assessment_copies_respondents_without_accounts_with_new_links(
    personas, questions
):
    answer_all(personas, questions)
    close(personas)
    rows = [
        {
            "name": "Anna Beispiel",
            "email": "anna@example.org",
            "perspective": "it",
            "language": "en",
        }
    ]
    with scope(organisation=personas.org_a):
        (old,) = engagement.add_respondents(assessment=personas.assessment, rows=rows, invite=False)
        new = plans.start_next_assessment(
            assessment=personas.assessment, created_by=personas.users["owner"]
        )
        (copied,) = new.respondents.filter(user__isnull=True)
    assert (copied.name, copied.email, copied.perspective, copied.language) == (
        "Anna Beispiel",
        "anna@example.org",
        "it",
        "en",
    )
    assert copied.link_user_id is not None and copied.link_user_id != old.link_user_id
    assert copied.invited_at is None  # invited when the owner sends the invitations
