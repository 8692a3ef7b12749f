"""What the reader is told about a method-2 result: the trust statement, why a stage is not
reached, the one path to the next stage and every warning code in words, in both languages.
Results are computed here with the scoring module on the repository's catalogue."""

import re

import pytest
from django.utils import translation

from assessments import narrative, scoring, selectors
from assessments.formatting import pct

pytestmark = pytest.mark.django_db

LEVELS = {"alignment": 4, "integration": 3, "co_creation": 1, "fusion": 0, "bizdevops": 0, "dto": 0}


@pytest.fixture
def sections(catalogue):
    return selectors.catalogue_sections(catalogue=catalogue)


def spec(sections, defining=frozenset()):
    return scoring.CatalogueSpec(
        sections=tuple(
            scoring.SectionSpec(
                key=s.key,
                questions=tuple(
                    scoring.QuestionSpec(code=q.code, weight=q.weight, defining=q.code in defining)
                    for q in s.questions.all()
                ),
            )
            for s in sections
        )
    )


def answers(sections, levels=LEVELS, **override):
    return {
        q.code: override.get(q.code, levels[s.key]) for s in sections for q in s.questions.all()
    }


def score(sections, respondents, defining=frozenset()):
    return scoring.score(spec(sections, defining), respondents)


def test_headline_has_one_decimal(sections):
    result = score(sections, [scoring.ResponseSet("business", answers(sections))])
    with translation.override("en"):
        assert re.fullmatch(r"Integration \(2\.\d\)", narrative.headline(result))
    with translation.override("de"):
        assert re.fullmatch(r"Integration \(2,\d\)", narrative.headline(result))


def test_trust_statement_names_people_coverage_disputed_and_a_robust_stage(sections):
    people = [
        scoring.ResponseSet("business", answers(sections)),
        scoring.ResponseSet("business", answers(sections)),
        scoring.ResponseSet("it", answers(sections)),
        scoring.ResponseSet("other", {}),
    ]
    result = score(sections, people)
    assert result["robustness"]["robust"]
    with translation.override("en"):
        text = " ".join(narrative.trust_statement(result, narrative.section_titles(sections)))
    assert "Asked: 4 people (2 business, 1 IT, 1 other); 1 of them gave no answer." in text
    assert "60 of 60 questions are answered (coverage 100 %)." in text
    assert "0 of them are disputed (0 %)." in text
    assert "No single answer changes the stage." in text
    assert "unanswered" not in text and "lower bound" not in text


def test_trust_statement_knife_edge_names_the_range_and_the_unanswered(sections):
    # Integration exactly at the threshold with one question unanswered: one answer, moved
    # down, loses Integration; answered high, the unanswered question cannot lift further.
    integration = next(s for s in sections if s.key == "integration")
    codes = [q.code for q in integration.questions.all()]
    given = answers(sections)
    given.pop(codes[0])
    result = score(sections, [scoring.ResponseSet("it", given)])
    robustness = result["robustness"]
    with translation.override("en"):
        text = " ".join(narrative.trust_statement(result, narrative.section_titles(sections)))
        if robustness["robust"]:
            assert "No single answer changes the stage." in text
        else:
            low = narrative.stage_label(robustness["stage_min"])
            high = narrative.stage_label(robustness["stage_max"])
            assert f"One answer could change the stage: between {low} and {high}." in text
        assert "Answered lowest or highest, the 1 unanswered question would give" in text
    with translation.override("de"):
        text = " ".join(narrative.trust_statement(result, narrative.section_titles(sections)))
        assert "Am niedrigsten oder höchsten beantwortet, ergäbe die 1 offene Frage" in text


def test_trust_statement_not_robust_between_two_stages(sections):
    # One respondent (δ = 1). Alignment: every question at 2 (50 %), then questions raised
    # to 3 until the fulfilment first reaches θ = 60 %: the margin above θ is less than the
    # last raised question's weight, so lowering that one answer drops the stage to Silo.
    alignment = next(s for s in sections if s.key == "alignment")
    questions = list(alignment.questions.all())
    given = answers(sections, dict(LEVELS, integration=0))
    total = sum(q.weight for q in questions)
    needed = 0.6 * 4 * total - 2 * total  # weight that must stand at 3
    for q in questions:
        given[q.code] = 2
    for q in questions:
        given[q.code] = 3
        needed -= q.weight
        if needed <= 0:
            break
    result = score(sections, [scoring.ResponseSet("business", given)])
    assert result["stage"]["index"] == 1
    assert not result["robustness"]["robust"]
    with translation.override("en"):
        verdict = narrative.robustness_verdict(result)
    assert verdict == "One answer could change the stage: between Silo and Alignment."
    with translation.override("de"):
        verdict = narrative.robustness_verdict(result)
    assert verdict == "Eine einzelne Antwort könnte die Stufe ändern: zwischen Silo und Alignment."


def test_trust_statement_calls_the_stage_a_lower_bound_when_a_section_cannot_be_assessed(
    sections,
):
    given = answers(sections)
    fusion = next(s for s in sections if s.key == "fusion")
    for q in fusion.questions.all():
        given.pop(q.code)
    result = score(sections, [scoring.ResponseSet("business", given)])
    assert not result["sections"]["fusion"]["sufficient"]
    with translation.override("en"):
        text = " ".join(narrative.trust_statement(result, narrative.section_titles(sections)))
    assert f"“{fusion.title_en}” cannot be assessed (too few answers)" in text
    assert "the stage is a lower bound" in text


def test_defining_question_below_partly_is_named_as_the_reason(sections):
    # Co-Creation fully answered "largely" except CC-01 (defining) at "ad hoc".
    levels = dict(LEVELS, co_creation=3)
    given = answers(sections, levels, **{"CC-01": 1})
    result = score(sections, [scoring.ResponseSet("it", given)], defining={"CC-01"})
    assert result["stage"]["index"] == 2
    assert result["sections"]["co_creation"]["fulfilment"] >= 0.6
    cc01 = next(q for s in sections for q in s.questions.all() if q.code == "CC-01")
    with translation.override("en"):
        reasons = narrative.not_reached_reasons(result, sections)
        fulfilment = pct(result["sections"]["co_creation"]["fulfilment"])
        assert reasons == [
            f"“{cc01.section.title_en}” is not reached although its fulfilment is "
            f"{fulfilment}: a defining question is answered below “partly” "
            f"(CC-01 “{cc01.text_en}”: ad hoc)."
        ]
    with translation.override("de"):
        (reason,) = narrative.not_reached_reasons(result, sections)
        assert "ist nicht erreicht, obwohl der Erfüllungsgrad" in reason
        assert "unter „teilweise“" in reason and "CC-01" in reason


def test_next_stage_steps_follow_the_engine_path_and_say_the_answer_needed(sections):
    result = score(sections, [scoring.ResponseSet("it", answers(sections))])
    path = result["next_stage_path"]["questions"]
    with translation.override("en"):
        steps = narrative.next_stage_steps(result, sections)
        assert [s["code"] for s in steps] == path
        first = steps[0]
        assert first["current"] == "ad hoc"  # all Co-Creation at 1
        assert first["needed"] == "largely"
        assert first["needed_label"] == first["question"].labels_en[3]
        text = narrative.step_text(first)
        assert text.endswith(f"from “{first['current']}” to “{first['needed']}”")
        assert "priority" not in text


def test_next_stage_steps_name_unanswered_questions_as_unanswered(sections):
    given = answers(sections)
    co = next(s for s in sections if s.key == "co_creation")
    first_code = co.questions.all()[0].code
    given.pop(first_code)
    result = score(sections, [scoring.ResponseSet("it", given)])
    with translation.override("en"):
        steps = {s["code"]: s for s in narrative.next_stage_steps(result, sections)}
    if first_code in steps:
        assert steps[first_code]["current"] == "unanswered"


WARNINGS = [
    "insufficient_data:alignment",
    "insufficient_data:dto",
    "defining_not_met:co_creation",
    "perspective_missing:business",
    "perspective_missing:it",
    "bizdevops_not_reached",
    "dto_not_reached",
    "not_robust",
]
EXPECTED = {
    ("en", "insufficient_data:alignment"): "Too few answers for “Business-IT Alignment”",
    ("de", "insufficient_data:alignment"): "Zu wenige Antworten für „Business-IT-Alignment“",
    ("en", "insufficient_data:dto"): "cannot be assessed",
    ("de", "insufficient_data:dto"): "nicht auswertbar",
    ("en", "defining_not_met:co_creation"): "defining questions is answered below “partly”",
    ("de", "defining_not_met:co_creation"): "prägenden Fragen ist schlechter als „teilweise“",
    ("en", "perspective_missing:business"): "Only IT has answered; nobody from the business.",
    ("de", "perspective_missing:business"): "Nur die IT hat geantwortet, niemand aus dem",
    ("en", "perspective_missing:it"): "Only the business has answered; nobody from IT.",
    ("de", "perspective_missing:it"): "Nur der Fachbereich hat geantwortet, niemand aus der IT.",
    ("en", "bizdevops_not_reached"): "BizDevOps is not reached",
    ("de", "bizdevops_not_reached"): "BizDevOps",
    ("en", "dto_not_reached"): "Digital Twin of the Organization is not reached",
    ("de", "dto_not_reached"): "Digital Twin",
    ("en", "not_robust"): "The stage hangs on single answers",
    ("de", "not_robust"): "Die Stufe hängt an einzelnen Antworten",
}


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("code", WARNINGS)
def test_warning_text_every_method_2_code_in_words(sections, lang, code):
    with translation.override(lang):
        titles = narrative.section_titles(sections)
        text = narrative.warning_text(code, titles, scoring.round_result(
            score(sections, [scoring.ResponseSet("it", answers(sections))])
        )["parameters"])  # fmt: skip
    assert EXPECTED[(lang, code)] in text
    assert code.split(":")[0] not in text and "_" not in text


def test_warning_text_of_an_unknown_code_is_never_shown_raw(sections):
    assert narrative.warning_text("something_new:alignment", {}, {}) == ""


def test_agreement_words_at_the_ends_of_the_scale():
    with translation.override("en"):
        assert narrative.agreement_words(0.0) == "answers as spread as random ones"
        assert narrative.agreement_words(1.0) == "everyone the same"
    with translation.override("de"):
        assert narrative.agreement_words(1.0) == "alle antworten gleich"


def test_unmet_defining_mean_that_reads_partly_shows_its_value_too(sections):
    # Two respondents at 1 and 2: the mean 1.5 reads "partly" but is below the 2 needed.
    levels = dict(LEVELS, co_creation=3)
    one = answers(sections, levels, **{"CC-01": 1})
    two = answers(sections, levels, **{"CC-01": 2})
    respondents = [scoring.ResponseSet("it", one), scoring.ResponseSet("it", two)]
    result = score(sections, respondents, defining={"CC-01"})
    assert result["sections"]["co_creation"]["defining_unmet"] == ["CC-01"]
    with translation.override("en"):
        (reason,) = narrative.not_reached_reasons(result, sections)
    assert reason.endswith(": 1.5, partly).")
    with translation.override("de"):
        (reason,) = narrative.not_reached_reasons(result, sections)
    assert reason.endswith(": 1,5, teilweise).")
