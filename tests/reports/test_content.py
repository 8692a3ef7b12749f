"""The report's computed content: the roadmap priority and its groups, strongest and weakest
questions, summary sentences that quote the figures."""

import pytest
from django.utils import translation
from django_scopes import scope

from assessments import narrative, scoring
from assessments import selectors as assessment_selectors
from assessments.formatting import num, pct
from reports import content


@pytest.mark.parametrize(("theta", "level"), [(0.6, 3), (0.5, 2), (0.75, 3), (0.8, 4), (1.0, 4)])
def test_target_level_is_ceiling_of_four_theta(theta, level):
    assert content.target_level(theta) == level


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Zeile\x0bzwei", "Zeile zwei"),  # Word's manual line break
        ("Seite\x0cneu", "Seite neu"),
        ("a\x00b\x01c\x1fd", "abcd"),
        ("Tab\tund\nZeilen\r\n bleiben", "Tab\tund\nZeilen\r\n bleiben"),
        ("Größe – „gut“ 😀", "Größe – „gut“ 😀"),
    ],
)
def test_printable_drops_control_characters(text, expected):
    assert content.printable(text) == expected


@pytest.mark.parametrize(
    ("weight", "value", "expected"),
    [
        (1, 3, 0),
        (1, 4, 0),
        (1, 2, 3),
        (1, 1, 8),
        (1, 0, 15),
        (2, 1, 16),
        (1, None, 15),
        (1, 2.5, 1.25),
    ],
)
def test_priority_formula(weight, value, expected):
    assert content.priority(weight, value, 3) == pytest.approx(expected)


@pytest.fixture
def sections(catalogue):
    return assessment_selectors.catalogue_sections(catalogue=catalogue)


@pytest.mark.django_db
def test_roadmap_groups_next_rung_now_and_orders_by_priority(snapshot, sections):
    result = snapshot.data["result"]
    plan = content.roadmap(result, sections)
    stage = result["stage"]["index"]
    next_key = scoring.STAGE_SECTIONS[stage]
    assert plan["now"], "the demo-like data has work on the next rung"
    assert {item["section_key"] for item in plan["now"]} == {next_key}
    for group in ("now", "next", "later"):
        priorities = [item["priority"] for item in plan[group]]
        assert priorities == sorted(priorities, reverse=True)
        assert all(p > 0 for p in priorities)
    assert plan["top"] == plan["now"][0]
    for item in plan["now"]:
        value = result["questions"][item["code"]]["value"]
        assert item["priority"] == round(content.priority(item["weight"], value, 3), 2)


@pytest.mark.django_db
def test_strongest_and_weakest_do_not_overlap(snapshot, sections):
    shown = scoring.round_result(snapshot.data["result"])
    top, bottom = content.strongest_weakest(shown, sections)
    assert len(top) == len(bottom) == 3
    assert not {q["code"] for q in top} & {q["code"] for q in bottom}
    assert min(q["value"] for q in top) >= max(q["value"] for q in bottom)


@pytest.mark.django_db
def test_summary_sentences_quote_the_figures(personas, snapshot, sections):
    result = snapshot.data["result"]
    shown = scoring.round_result(result)
    with translation.override("en"), scope(organisation=personas.org_a):
        view = narrative.result_view(result, sections)
        plan = content.roadmap(result, sections)
        gaps = content.largest_gaps(shown, sections)
        sentences = content.summary_sentences(
            organisation="Organisation A", view=view, shown=shown, sections=sections,
            plan=plan, prog=None, gaps=gaps,
        )  # fmt: skip
        text = " ".join(sentences)
        assert f"position {num(shown['position'], 2)}" in text
        assert view["stage_label"] in text
        # the most important next step is the first question of the path to the next stage
        first = view["steps"][0]
        assert f"{first['code']} “{first['text']}” from “{first['current']}”" in text
        assert "priority" not in text
        if abs(gaps[0]["gap"]) > 0.1:
            assert pct(gaps[0]["business"]) in text
        else:
            assert "most differently" not in text


@pytest.mark.django_db
def test_round_rows_first_and_last_round_agreement(sections):
    def r(number, agreement):
        return {"round": number, "n": 3, "sigma": None, "agreement": agreement}

    data = {
        "rounds": {
            "AL-02": [r(1, 0.5), r(2, 0.75)],
            "AL-01": [r(1, None), r(2, 0.8), r(3, 0.9)],
            "XX-99": [r(1, 0.5), r(2, 0.6)],
        }
    }
    rows = content.round_rows(data, sections)
    assert [(r["code"], r["rounds"], r["first"], r["last"], r["change"]) for r in rows] == [
        ("AL-01", 3, None, 0.9, None),
        ("AL-02", 2, 0.5, 0.75, 0.25),
    ]
    assert content.round_rows({}, sections) == []
