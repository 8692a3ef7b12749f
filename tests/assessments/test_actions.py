"""Actions instead of band recommendations (catalogue 2026.2): which questions get one, in
which order, and the dimension heatmaps."""

import pytest
from django.utils import translation
from django_scopes import scope

from assessments import actions, scoring, selectors, services

from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LEVELS = {
    "alignment": 4,
    "integration": 3,
    "co_creation": 1,
    "fusion": 0,
    "bizdevops": 2,
    "dto": 2,
}


def sections_of(personas):
    return selectors.catalogue_sections(catalogue=personas.assessment.catalogue)


def answer(personas, respondent, value_of):
    with scope(organisation=personas.org_a):
        for section in sections_of(personas):
            for question in section.questions.all():
                value = value_of(question)
                if value != "skip":
                    services.save_answer(respondent=respondent, question=question, value=value)


def result_of(personas):
    with scope(organisation=personas.org_a):
        return services.compute_result(assessment=personas.assessment)[1]


def add_respondents(personas, perspective, count, value_of):
    for _ in range(count):
        with scope(organisation=personas.org_a):
            member = MembershipFactory(organisation=personas.org_a, user=UserFactory())
            respondent = personas.assessment.respondents.create(
                user=member.user, perspective=perspective
            )
        answer(personas, respondent, value_of)


def plan_of(personas, result):
    sections = sections_of(personas)
    with translation.override("en"):
        return actions.action_plan(result, sections, personas.assessment.catalogue.owner_roles)


def items_of(plan):
    return [i for g in plan["groups"] + plan["further"] for i in g["items"]]


def test_action_plan_never_lists_a_question_at_largely_or_above(personas_2026_2):
    personas = personas_2026_2
    first_cc = next(
        q for s in sections_of(personas) if s.key == "co_creation" for q in s.questions.all()
    )
    answer(
        personas,
        personas.respondent,
        lambda q: 3 if q.code == first_cc.code else LEVELS[q.section.key],
    )
    result = result_of(personas)

    listed = items_of(plan_of(personas, result))

    assert listed, "questions below largely get actions"
    values = {code: data["value"] for code, data in result["questions"].items()}
    assert all(values[i["code"]] is None or values[i["code"]] < 2.5 for i in listed)
    codes = {i["code"] for i in listed}
    assert first_cc.code not in codes
    assert not {i["section_key"] for i in listed} & {"alignment", "integration"}


def test_action_plan_orders_the_path_to_the_next_stage_first(personas_2026_2):
    personas = personas_2026_2
    answer(personas, personas.respondent, lambda q: LEVELS[q.section.key])
    result = result_of(personas)
    path = result["next_stage_path"]["questions"]

    plan = plan_of(personas, result)

    assert result["stage"]["index"] == 2  # integration reached, co-creation next
    assert [i["code"] for i in plan["path"]] == path[: actions.SUMMARY_ACTIONS]
    for group in plan["groups"]:
        tiers = [i["tier"] for i in group["items"]]
        assert tiers == sorted(tiers)
        in_path = [i["code"] for i in group["items"] if i["tier"] == actions.PATH]
        assert in_path == [c for c in path if c in in_path]
    on_path = {i["code"] for i in items_of(plan) if i["tier"] == actions.PATH}
    assert on_path == set(path)
    # Target 3 (Co-Creation): BizDevOps is on the way; Fusion and the DTO are further.
    towards = {i["section_key"] for i in items_of(plan) if i["tier"] == actions.TOWARDS_TARGET}
    assert towards <= {"co_creation", "bizdevops"}
    further = {i["section_key"] for i in items_of(plan) if i["tier"] == actions.FURTHER}
    assert further == {"fusion", "dto"}
    assert [g["horizon"] for g in plan["groups"]] == [
        h for h in actions.HORIZONS if h in {g["horizon"] for g in plan["groups"]}
    ]


def test_action_plan_section_without_answers_asks_for_answers_first(personas_2026_2):
    personas = personas_2026_2
    answer(
        personas,
        personas.respondent,
        lambda q: "skip" if q.section.key == "fusion" else LEVELS[q.section.key],
    )

    plan = plan_of(personas, result_of(personas))

    assert [item["section"].key for item in plan["answer_first"]] == ["fusion"]
    assert "fusion" not in {i["section_key"] for i in items_of(plan)}


def test_action_item_carries_owner_title_horizon_effort_and_texts(personas_2026_2):
    personas = personas_2026_2
    answer(personas, personas.respondent, lambda q: 0)

    item = items_of(plan_of(personas, result_of(personas)))[0]

    question = item["question"]
    owners = {o["key"]: o["title"]["en"] for o in personas.assessment.catalogue.owner_roles}
    assert item["owner_title"] == owners[question.action["owner"]]
    assert item["title"] == question.action["title"]["en"]
    assert item["first_step"] == question.action["first_step"]["en"]
    assert item["indicator"] == question.action["indicator"]["en"]
    assert item["horizon"] in actions.HORIZONS and item["effort"] in ("S", "M", "L")


def test_heatmap_cell_is_mean_fulfilment_and_empty_without_question(personas_2026_2):
    personas = personas_2026_2
    answer(personas, personas.respondent, lambda q: LEVELS[q.section.key])
    result = result_of(personas)
    sections = sections_of(personas)
    dimensions = personas.assessment.catalogue.dimensions

    heat = actions.heatmap(result, sections, dimensions)

    keys = [key for key, _title in heat["columns"]]
    for row in heat["rows"]:
        for key, cell in zip(keys, row["cells"], strict=True):
            section = next(s for s in sections if s.key == key)
            members = [q for q in section.questions.all() if q.dimension == row["key"]]
            if not members:
                assert cell["empty"] and cell["value"] is None
            else:
                assert cell["value"] == pytest.approx(LEVELS[key] / 4)
                assert cell["count"] == len(members)
    assert any(c["empty"] for row in heat["rows"] for c in row["cells"])


def test_perspective_heatmap_only_where_both_groups_reach_k(personas_2026_2):
    personas = personas_2026_2
    answer(personas, personas.respondent, lambda q: 2)
    assert actions.perspective_heatmap(result_of(personas), sections_of(personas)) is None

    add_respondents(personas, "business", 2, lambda q: 3)
    add_respondents(personas, "it", 3, lambda q: 1)
    result = result_of(personas)

    table = actions.perspective_heatmap(result, sections_of(personas))

    assert [row["key"] for row in table["rows"]] == ["business", "it"]
    it_row = table["rows"][1]
    assert [c["value"] for c in it_row["cells"]] == pytest.approx([0.25] * len(it_row["cells"]))
    assert not any(c["empty"] for c in it_row["cells"])


def test_needs_action_by_label_rule():
    assert actions.needs_action(None)
    assert actions.needs_action(2.49)
    assert not actions.needs_action(2.5)  # label "largely"
    assert not actions.needs_action(4)
    assert scoring.label_index(2.5) == 3


def test_risk_of_staying_quotes_the_current_stage(personas_2026_2):
    personas = personas_2026_2
    answer(personas, personas.respondent, lambda q: LEVELS[q.section.key])
    result = result_of(personas)

    with translation.override("de"):
        text = actions.risk_of_staying(result, sections_of(personas))

    assert result["stage"]["index"] == 2
    assert "Integration ist ein Fortschritt" in text
