"""The scoring module against SCORING.md (method 2). No database: the module is pure.

Expected numbers are worked out in each test from the contract's formulas (balanced mean,
f = Σ w·v / (4·Σ w), f⁰, c, r_wg = 1 − s²/2, P = S + min(f⁰_n/θ, 0.99)·m_n/D_n, ...),
never copied from the implementation.
"""

import itertools
import json
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments import scoring
from assessments.scoring import (
    CatalogueSpec,
    Parameters,
    QuestionSpec,
    ResponseSet,
    ScoringError,
    SectionSpec,
    label_index,
    round_half_up,
    round_result,
    score,
)

PREFIX = {
    "alignment": "AL",
    "integration": "IN",
    "co_creation": "CC",
    "fusion": "FU",
    "bizdevops": "BD",
    "dto": "DT",
}
THETA = 0.6


def make_spec(
    per_section: int | dict[str, int] = 4,
    weights: dict[str, float] | None = None,
    defining: set[str] = frozenset(),
    **parameters,
) -> CatalogueSpec:
    """Six sections of ``per_section`` questions (AL-1..AL-n, IN-1.., ...), weight 1 unless
    ``weights`` says otherwise, defining where ``defining`` names the code."""
    weights = weights or {}
    sizes = per_section if isinstance(per_section, dict) else {}
    return CatalogueSpec(
        sections=tuple(
            SectionSpec(
                key=key,
                questions=tuple(
                    QuestionSpec(
                        code=f"{prefix}-{i}",
                        weight=weights.get(f"{prefix}-{i}", 1.0),
                        defining=f"{prefix}-{i}" in defining,
                    )
                    for i in range(1, sizes.get(key, per_section if not sizes else 4) + 1)
                ),
            )
            for key, prefix in PREFIX.items()
        ),
        parameters=Parameters(**parameters),
    )


def fill(section: str, values: list[int | None]) -> dict[str, int | None]:
    return {f"{PREFIX[section]}-{i}": v for i, v in enumerate(values, start=1)}


def one(answers: dict, perspective: str = "business") -> list[ResponseSet]:
    return [ResponseSet(perspective=perspective, answers=answers)]


def people(perspective: str, values: list[int | None], code: str = "AL-1") -> list[ResponseSet]:
    return [ResponseSet(perspective, {code: v}) for v in values]


def r_wg(values: list[int]) -> float:
    """The contract's agreement, recomputed here: 1 − s²/2 with the sample variance."""
    n = len(values)
    mean = Fraction(sum(values), n)
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    return float(max(Fraction(0), 1 - variance / 2))


SPEC = make_spec()


# --------------------------------------------------------------------------- balanced mean


def test_score_balanced_mean_two_business_at_1_and_nine_it_at_3_gives_2():
    respondents = people("business", [1, 1]) + people("it", [3] * 9)
    n_b, n_i = 2, 9
    w_b, w_i = Fraction(n_b + n_i, 2 * n_b), Fraction(n_b + n_i, 2 * n_i)
    expected = (n_b * w_b * 1 + n_i * w_i * 3) / (n_b * w_b + n_i * w_i)

    question = score(SPEC, respondents)["questions"]["AL-1"]

    assert expected == 2
    assert question["value"] == question["mean"] == 2.0


def test_score_balanced_mean_one_business_at_2_three_it_at_4_is_exactly_3():
    respondents = people("business", [2]) + people("it", [4, 4, 4])

    assert score(SPEC, respondents)["questions"]["AL-1"]["value"] == 3.0


def test_score_balanced_mean_gives_other_perspective_weight_one():
    respondents = people("business", [4]) + people("it", [0, 0, 0]) + people("other", [2])
    w_b, w_i = Fraction(4, 2), Fraction(4, 6)
    expected = (w_b * 4 + 3 * w_i * 0 + 1 * 2) / (w_b + 3 * w_i + 1)

    assert score(SPEC, respondents)["questions"]["AL-1"]["value"] == float(expected) == 2.0


def test_score_single_perspective_is_plain_mean():
    respondents = people("it", [1, 2, 4]) + people("other", [4])

    assert score(SPEC, respondents)["questions"]["AL-1"]["value"] == 11 / 4


# --------------------------------------------------------------------------- consensus


def test_score_consensus_value_replaces_the_mean_but_not_agreement():
    respondents = people("business", [4]) + people("it", [2])

    question = score(SPEC, respondents, consensus={"AL-1": 1})["questions"]["AL-1"]

    assert question["value"] == 1.0
    assert question["mean"] == 3.0
    assert question["has_consensus"] is True
    assert question["agreement"] == r_wg([4, 2]) == 0.0
    assert question["delta"] == 1.0


def test_score_consensus_null_makes_an_answered_question_unanswered():
    answers = fill("alignment", [4, 4, 4, 4])
    respondents = [ResponseSet("business", answers), ResponseSet("it", answers)]

    result = score(SPEC, respondents, consensus={"AL-1": None})

    question = result["questions"]["AL-1"]
    assert question["value"] is None
    assert question["answered"] is False
    assert question["n"] == 2
    assert question["agreement"] == 1.0
    alignment = result["sections"]["alignment"]
    assert alignment["coverage"] == 3 / 4
    assert alignment["fulfilment"] == 12 / (4 * 3)
    assert alignment["fulfilment_zero"] == 12 / (4 * 4)
    assert alignment["unanswered"] == ["AL-1"]


# --------------------------------------------------------------------------- agreement


@pytest.mark.parametrize(
    ("values", "expected"), [([1, 3], 0.0), ([1, 2, 3], 0.5), ([2, 3], 0.75), ([2, 2], 1.0)]
)
def test_score_agreement_is_r_wg(values, expected):
    question = score(SPEC, people("other", values))["questions"]["AL-1"]

    assert question["agreement"] == r_wg(values) == expected
    assert question["disputed"] is (expected < 0.7)


def test_score_agreement_null_with_one_value():
    question = score(SPEC, people("other", [3, None]))["questions"]["AL-1"]

    assert question["agreement"] is None
    assert question["disputed"] is False


def test_score_agreement_exactly_at_r_min_is_not_disputed():
    spec_at = make_spec(agreement_min=0.75)
    spec_above = make_spec(agreement_min=0.76)

    assert score(spec_at, people("other", [2, 3]))["questions"]["AL-1"]["disputed"] is False
    assert score(spec_above, people("other", [2, 3]))["questions"]["AL-1"]["disputed"] is True


def test_score_agreement_exactly_at_default_r_min_of_0_7():
    values = [0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2]  # s² = 6/10, so a = 1 − 0.3 = 0.7
    n = len(values)
    mean = sum(values) / n

    question = score(SPEC, people("other", values))["questions"]["AL-1"]

    assert math.isclose(sum((v - mean) ** 2 for v in values) / (n - 1), 0.6)
    assert question["agreement"] == pytest.approx(0.7)
    assert question["disputed"] is False


def test_score_business_and_it_two_steps_apart_is_disputed_despite_agreement():
    respondents = people("business", [1]) + people("it", [3] * 10)

    question = score(SPEC, respondents)["questions"]["AL-1"]

    assert question["agreement"] == r_wg([1] + [3] * 10) > 0.7
    assert question["disputed"] is True


def test_score_business_and_it_means_exactly_two_apart_is_disputed():
    respondents = people("business", [1, 2]) + people("it", [3, 4])  # 1.5 and 3.5

    assert score(make_spec(agreement_min=0.1), respondents)["questions"]["AL-1"]["disputed"]


def test_score_business_and_it_one_step_apart_is_not_disputed():
    respondents = people("business", [2]) + people("it", [3] * 10)

    assert score(SPEC, respondents)["questions"]["AL-1"]["disputed"] is False


def test_score_section_agreement_is_mean_of_question_agreements():
    respondents = [
        ResponseSet("other", fill("alignment", [1, 2, 4, None])),
        ResponseSet("other", fill("alignment", [3, 2, 3, 4])),
    ]

    section = score(SPEC, respondents)["sections"]["alignment"]

    assert section["agreement"] == (r_wg([1, 3]) + r_wg([2, 2]) + r_wg([4, 3])) / 3
    assert section["disputed"] == ["AL-1"]


# --------------------------------------------------------------------------- sections


def test_score_coverage_exactly_at_c_min_is_sufficient():
    result = score(SPEC, one(fill("alignment", [4, 4, 4, None])))

    alignment = result["sections"]["alignment"]
    assert alignment["coverage"] == 3 / 4 == 0.75
    assert alignment["sufficient"] is True
    assert alignment["reached"] is True


def test_score_coverage_equal_to_c_min_within_epsilon_is_sufficient():
    # 0.7 / 0.8 is 0.875 in decimal but 0.8749999999999999 in floating point: the
    # tolerance ε makes it "at c_min".
    weights = {"AL-1": 0.1, "AL-2": 0.1, "AL-3": 0.5, "AL-4": 0.1}
    spec = make_spec(weights=weights, min_coverage=0.875)

    alignment = score(spec, one(fill("alignment", [4, 4, 4, None])))["sections"]["alignment"]

    assert alignment["coverage"] < 0.875
    assert alignment["coverage"] == pytest.approx(0.875)
    assert alignment["sufficient"] is True


def test_score_coverage_below_c_min_is_insufficient():
    result = score(SPEC, one(fill("alignment", [4, 4, None, None])))

    assert result["sections"]["alignment"]["sufficient"] is False
    assert result["warnings"][0] == "insufficient_data:alignment"


def test_score_fulfilment_exactly_at_theta_reaches():
    spec = make_spec(per_section=5)
    values = [3, 3, 3, 3, 0]

    alignment = score(spec, one(fill("alignment", values)))["sections"]["alignment"]

    assert alignment["fulfilment"] == sum(values) / (4 * 5) == THETA
    assert alignment["reached"] is True


def test_score_fulfilment_below_theta_does_not_reach():
    spec = make_spec(per_section=5)

    alignment = score(spec, one(fill("alignment", [3, 3, 3, 2, 0])))["sections"]["alignment"]

    assert alignment["fulfilment"] == 11 / 20
    assert alignment["reached"] is False


def test_score_weighted_fulfilment_and_coverage():
    spec = make_spec(weights={"AL-1": 2.0, "AL-2": 0.5})
    answers = fill("alignment", [3, 4, None, 1])

    alignment = score(spec, one(answers))["sections"]["alignment"]

    assert alignment["fulfilment"] == pytest.approx((2 * 3 + 0.5 * 4 + 1 * 1) / (4 * 3.5))
    assert alignment["fulfilment_zero"] == pytest.approx((2 * 3 + 0.5 * 4 + 1 * 1) / (4 * 4.5))
    assert alignment["coverage"] == pytest.approx(3.5 / 4.5)


# --------------------------------------------------------------------------- defining questions


def test_score_defining_question_at_1_blocks_a_section_at_90_percent_and_halves_the_fraction():
    spec = make_spec(per_section=10, defining={"IN-1", "IN-2"})
    integration = [1, 4, 4, 4, 4, 4, 4, 4, 4, 3]
    answers = {**fill("alignment", [4] * 10), **fill("integration", integration)}
    f = sum(integration) / (4 * 10)
    d_total, m = 2, 1

    result = score(spec, one(answers))

    section = result["sections"]["integration"]
    assert f == 0.9
    assert section["fulfilment"] == f
    assert section["defining_met"] is False
    assert (section["defining_total"], section["defining_met_count"]) == (d_total, m)
    assert section["defining_unmet"] == ["IN-1"]
    assert section["reached"] is False
    assert result["stage"] == {"index": 1, "key": "alignment"}
    assert result["position"] == 1 + min(f / THETA, 0.99) * (m / d_total) == 1.495
    assert "defining_not_met:integration" in result["warnings"]


def test_score_defining_question_at_d_is_met():
    spec = make_spec(defining={"AL-1"})

    section = score(spec, one(fill("alignment", [2, 4, 4, 4])))["sections"]["alignment"]

    assert section["defining_met"] is True
    assert section["reached"] is True


def test_score_unanswered_defining_question_is_not_met():
    spec = make_spec(defining={"AL-1"})

    result = score(spec, one(fill("alignment", [None, 4, 4, 4])))

    assert result["sections"]["alignment"]["defining_met"] is False
    assert result["position"] == 0.0  # m/D = 0


# --------------------------------------------------------------------------- stage and position


def test_score_position_counts_unanswered_questions_of_next_stage_as_zero():
    answers = {**fill("alignment", [4, 4, 4, 4]), **fill("integration", [4, 4, None, None])}
    f_zero = 8 / 16

    result = score(SPEC, one(answers))

    assert result["stage"]["index"] == 1
    assert result["sections"]["integration"]["fulfilment_zero"] == f_zero
    assert result["position"] == pytest.approx(1 + f_zero / THETA)


def test_score_position_fraction_capped_at_0_99():
    spec = make_spec(threshold=0.25)
    answers = fill("alignment", [4, 4, None, None])  # c = 0.5: not sufficient

    result = score(spec, one(answers))

    assert result["sections"]["alignment"]["fulfilment_zero"] / 0.25 == 2.0
    assert result["stage"]["index"] == 0
    assert result["position"] == 0.99


def test_score_stage_needs_the_ladder_without_gap_and_reports_outliers():
    answers = {
        **fill("alignment", [1, 1, 1, 1]),
        **fill("integration", [4, 4, 4, 4]),
        **fill("fusion", [4, 4, 4, 4]),
    }

    result = score(SPEC, one(answers))

    assert result["stage"] == {"index": 0, "key": "silo"}
    assert result["position"] == pytest.approx(min((4 / 16) / THETA, 0.99))
    assert result["outliers"] == ["integration", "fusion"]


def test_score_all_stage_sections_reached_gives_4_and_no_path():
    answers = {key: 4 for s in SPEC.sections for key in fill(s.key, [4, 4, 4, 4])}
    answers.update(fill("dto", [0, 0, 0, 0]))

    result = score(SPEC, one(answers))

    assert result["stage"] == {"index": 4, "key": "fusion"}
    assert result["position"] == 4.0
    assert result["next_stage_path"] is None
    assert result["warnings"] == ["dto_not_reached"]


# --------------------------------------------------------------------------- warnings


def test_score_warnings_in_contract_order():
    spec = make_spec(defining={"CC-1", "FU-1"})
    answers = {
        **fill("alignment", [4, 4, 4, 4]),
        **fill("integration", [4, 4, 4, 4]),
        **fill("co_creation", [3, 3, 3, 3]),
        **fill("fusion", [1, 4, 4, 4]),  # f = 13/16 ≥ θ, but FU-1 is below d
        **fill("bizdevops", [0, 0, None, None]),
    }
    respondents = [ResponseSet("it", answers), ResponseSet("business", {})]

    result = score(spec, respondents)

    assert result["stage"]["index"] == 3
    # FU-1 one step up (δ = 1) meets d and reaches fusion: not robust.
    assert result["robustness"]["stage_max"] == 4
    assert result["warnings"] == [
        "insufficient_data:bizdevops",
        "insufficient_data:dto",
        "defining_not_met:fusion",
        "perspective_missing:business",
        "bizdevops_not_reached",
        "not_robust",
    ]


def test_score_defining_not_met_warning_in_ladder_order():
    spec = make_spec(defining={"AL-1", "CC-1"})
    answers = {
        **fill("alignment", [1, 4, 4, 4]),
        **fill("integration", [4, 4, 4, 4]),
        **fill("co_creation", [0, 4, 4, 4]),
    }

    warnings = score(spec, one(answers))["warnings"]

    assert [w for w in warnings if w.startswith("defining")] == [
        "defining_not_met:alignment",
        "defining_not_met:co_creation",
    ]


def test_score_perspective_missing_only_with_two_or_more_respondents():
    assert "perspective_missing:it" not in score(SPEC, one({"AL-1": 3}))["warnings"]
    two = [ResponseSet("business", {"AL-1": 3}), ResponseSet("business", {"AL-1": 2})]
    warnings = score(SPEC, two)["warnings"]
    assert "perspective_missing:it" in warnings
    assert "perspective_missing:business" not in warnings


def test_score_blank_it_respondent_counts_as_missing_perspective():
    respondents = [ResponseSet("business", {"AL-1": 3}), ResponseSet("it", {"AL-1": None})]

    result = score(SPEC, respondents)

    assert "perspective_missing:it" in result["warnings"]
    assert result["respondents"] == {"total": 2, "business": 1, "it": 1, "other": 0, "blank": 1}


# --------------------------------------------------------------------------- robustness


def test_score_robustness_knife_edge_one_step_changes_the_stage():
    spec = make_spec(per_section=5)
    answers = {**fill("alignment", [3, 3, 3, 3, 0]), **fill("integration", [0] * 5)}

    result = score(spec, one(answers))

    # f = 12/20 = θ exactly; one respondent (δ = 1) lowering a 3 gives 11/20 < θ.
    assert result["stage"]["index"] == 1
    robustness = result["robustness"]
    assert robustness["robust"] is False
    assert robustness["stage_min"] == 0
    assert robustness["stage_max"] == 1
    assert {"question": "AL-1", "value": 2.0, "stage": 0} in robustness["changes"]
    assert result["warnings"][-1] == "not_robust"


def test_score_robustness_clear_case_is_robust():
    answers = {**fill("alignment", [4, 4, 4, 4]), **fill("integration", [0, 0, 0, 0])}

    result = score(SPEC, one(answers))

    assert result["robustness"]["robust"] is True
    assert result["robustness"]["stage_min"] == result["robustness"]["stage_max"] == 1
    assert "not_robust" not in result["warnings"]


def test_score_robustness_delta_is_one_respondents_share():
    respondents = people("business", [3, 3]) + people("it", [3] * 9)
    w_b, w_i = Fraction(11, 4), Fraction(11, 18)

    question = score(SPEC, respondents)["questions"]["AL-1"]

    assert question["delta"] == float(max(w_b, w_i) / (2 * w_b + 9 * w_i)) == 0.25


def test_score_robustness_unanswered_question_could_reach_a_section():
    spec = make_spec(per_section=5)
    answers = fill("alignment", [4, 4, 4, None, None])  # c = 0.6 < 0.75

    result = score(spec, one(answers))

    robustness = result["robustness"]
    assert result["stage"]["index"] == 0
    assert robustness["robust"] is False
    assert robustness["stage_max"] == 1  # one more answer of 4: c = 0.8, f = 1
    # All unanswered at 0: c = 1 and f = 12/20 = θ, so alignment is reached even then.
    assert robustness["stage_if_unanswered_lowest"] == 1
    # All unanswered at 4: every section is full of 4s.
    assert robustness["stage_if_unanswered_highest"] == 4
    assert result["position_if_unanswered"]["lowest"] == 1.0
    assert result["position_if_unanswered"]["highest"] == 4.0


def test_score_position_if_unanswered_includes_consensus_nulls():
    answers = {**fill("alignment", [4, 4, 4, 4]), **fill("integration", [4, 4, 4, 4])}

    result = score(SPEC, one(answers), consensus={"IN-1": None, "IN-2": None})

    assert result["stage"]["index"] == 1
    assert result["position_if_unanswered"]["lowest"] == pytest.approx(1 + (8 / 16) / THETA)
    assert result["robustness"]["stage_if_unanswered_lowest"] == 1
    assert result["robustness"]["stage_if_unanswered_highest"] == 4


# --------------------------------------------------------------------------- next stage path


def test_score_next_stage_path_shorter_than_greedy():
    # Greedy by gain would take IN-2 (unanswered, gain 3) first and still not reach
    # integration, because its defining question IN-1 is below d; IN-1 alone suffices.
    spec = make_spec(defining={"IN-1"})
    answers = {**fill("alignment", [4] * 4), **fill("integration", [1, None, 4, 4])}

    result = score(spec, one(answers))

    assert result["next_stage_path"] == {"stage": "integration", "questions": ["IN-1"]}
    raised = score(spec, one({**answers, "IN-1": 3}))
    assert raised["stage"]["index"] == 2


def test_score_next_stage_path_ties_take_lexicographically_first_codes():
    spec = make_spec(per_section={"alignment": 10})
    answers = fill("alignment", [2] * 10)  # f = 0.5; two questions at 3 give 22/40 < θ

    path = score(spec, one(answers))["next_stage_path"]

    # Four questions raised to 3: 24/40 = 0.6 = θ. Every such set has the same f, so the
    # codes that sort first win: AL-1, AL-10, AL-2, AL-3 (string order).
    assert path["stage"] == "alignment"
    assert path["questions"] == ["AL-1", "AL-10", "AL-2", "AL-3"]


def test_score_next_stage_path_prefers_largest_fulfilment():
    answers = fill("alignment", [1, 0, 4, 4])  # f = 9/16 < θ

    path = score(SPEC, one(answers))["next_stage_path"]

    # AL-1 alone gives 11/16 and AL-2 alone 12/16: both reach, AL-2's f is larger.
    assert path["questions"] == ["AL-2"]


def test_score_next_stage_path_orders_unmet_defining_first_then_gain():
    spec = make_spec(weights={"AL-3": 0.5}, defining={"AL-3"})
    # Weights 1, 1, 0.5, 1: coverage (1 + 1) / 3.5 < 0.75, AL-3 (defining) below d.
    answers = fill("alignment", [None, 4, 1, 4])

    path = score(spec, one(answers))["next_stage_path"]

    # AL-3's gain is 0.5·(3 − 1) = 1 and AL-1's 1·(3 − 0) = 3, but AL-3 is defining.
    assert path["questions"] == ["AL-3", "AL-1"]


def test_score_next_stage_path_gain_descending_then_code():
    spec = make_spec(per_section={"alignment": 6})
    answers = fill("alignment", [1, 2, 0, 2, 4, 4])

    path = score(spec, one(answers))["next_stage_path"]

    # f = 13/24; AL-3 alone gives 16/24 ≥ θ: the single best set.
    assert path["questions"] == ["AL-3"]
    answers = fill("alignment", [0, 0, 0, 0, 4, 4])  # f = 8/24; needs 3 at 3: 17/24
    path = score(spec, one(answers))["next_stage_path"]
    assert path["questions"] == ["AL-1", "AL-2", "AL-3"]


def test_score_next_stage_path_orders_by_gain_before_code():
    spec = make_spec(weights={"AL-2": 2.0}, threshold=0.75)
    answers = fill("alignment", [0, 1, 4, 4])  # Σw·v = 10 of 20; θ needs 15

    path = score(spec, one(answers))["next_stage_path"]

    # Only both together reach (17/20); gains: AL-1 1·(3 − 0) = 3, AL-2 2·(3 − 1) = 4.
    assert path["questions"] == ["AL-2", "AL-1"]


# --------------------------------------------------------------------------- groups


def test_score_blank_respondent_does_not_count_towards_k():
    answers = fill("alignment", [3, 3, 3, 3])
    blank = ResponseSet("business", {"AL-1": None})
    respondents = (
        [ResponseSet("business", answers)] * 2 + [blank] + [ResponseSet("it", answers)] * 3
    )

    result = score(SPEC, respondents)

    assert result["groups"] == {}
    assert result["perception_gap"]["alignment"] is None
    more = score(SPEC, [*respondents, ResponseSet("business", fill("alignment", [1, 1, 1, 1]))])
    assert more["groups"]["business"]["sections"]["alignment"]["respondents"] == 3
    f_business = (2 * 12 + 4) / 3 / 16
    assert more["perception_gap"]["alignment"] == pytest.approx(f_business - 12 / 16)


def test_score_group_figures_only_in_sections_where_both_groups_qualify():
    spec = make_spec(min_group_size=2)
    business = {**fill("alignment", [4, 4, 4, 4]), **fill("integration", [2, 2, 2, 2])}
    it = fill("alignment", [2, 2, 2, 2])
    respondents = [ResponseSet("business", business)] * 2 + [ResponseSet("it", it)] * 2

    result = score(spec, respondents)

    for perspective in ("business", "it"):
        assert set(result["groups"][perspective]["sections"]) == {"alignment"}
    assert result["perception_gap"]["alignment"] == 1.0 - 0.5
    assert result["perception_gap"]["integration"] is None


# --------------------------------------------------------------------------- target, rounding


def test_score_target_gap_uses_position_rounded_to_two_decimals():
    answers = {**fill("alignment", [4, 4, 4, 4]), **fill("integration", [4, 4, None, None])}

    result = score(SPEC, one(answers), target_stage=3)

    position = 1 + (8 / 16) / THETA  # 1.8333…, shown as 1.83
    assert result["target_gap"] == 1.17
    assert round_result(result)["position"] == 1.83
    assert round_half_up(position, 2) == 1.83


def test_score_target_below_stage_gives_zero_gap():
    result = score(SPEC, one(fill("alignment", [4, 4, 4, 4])), target_stage=1)

    assert result["target_gap"] == 0.0


@pytest.mark.parametrize(("value", "expected"), [(2.5, 3), (3.5, 4), (2.49, 2), (0.5, 1), (4, 4)])
def test_label_index_rounds_half_up(value, expected):
    assert label_index(value) == expected


def test_label_index_tolerates_floating_point_just_below_half():
    assert label_index(2.4999999999) == 3


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(0.12345, 4, 0.1235), (2.675, 2, 2.68), (0.125, 2, 0.13), (-0.00001, 4, 0.0), (2.0, 2, 2.0)],
)
def test_round_half_up(value, digits, expected):
    assert round_half_up(value, digits) == expected


def test_round_result_rounds_half_up_and_keeps_full_precision_result():
    respondents = people("other", [1, 2, 2])  # mean 5/3
    result = score(SPEC, respondents)

    shown = round_result(result)

    assert shown["questions"]["AL-1"]["value"] == 1.6667
    assert result["questions"]["AL-1"]["value"] == 5 / 3
    json.dumps(shown)


def test_round_result_accepts_a_method_1_result():
    method_1 = {
        "stage": {"index": 1, "key": "alignment"},
        "position": 1.23456,
        "sections": {"alignment": {"fulfilment": 0.123456, "coverage": 1.0, "band": "low"}},
        "questions": {"AL-1": {"value": 1.23456, "sigma": 0.55555, "agreement": 0.7}},
        "perception_gap": {"alignment": None},
        "target_gap": None,
        "groups": {},
        "blockers": ["AL-1"],
    }

    shown = round_result(method_1)

    assert shown["position"] == 1.23
    assert shown["questions"]["AL-1"]["sigma"] == 0.5556


def test_score_result_has_the_contract_keys():
    result = score(SPEC, one(fill("alignment", [3, 3, 3, 3])), target_stage=2)

    assert result["method"] == 2
    assert {
        "stage",
        "position",
        "sections",
        "questions",
        "outliers",
        "warnings",
        "perception_gap",
        "target_gap",
        "robustness",
        "position_if_unanswered",
        "next_stage_path",
    } <= set(result)
    assert list(result["sections"]) == list(scoring.SECTION_KEYS)
    assert set(result["questions"]) == {q.code for s in SPEC.sections for q in s.questions}
    assert set(result["robustness"]) >= {
        "robust",
        "stage_min",
        "stage_max",
        "stage_if_unanswered_lowest",
        "stage_if_unanswered_highest",
    }
    assert json.loads(json.dumps(result)) == result


def test_project_sets_questions_to_the_given_values():
    answers = {**fill("alignment", [4, 4, 4, 4]), **fill("integration", [1, 1, 1, 1])}

    projected = scoring.project(SPEC, one(answers), raise_to={"IN-1": 3, "IN-2": 3, "IN-3": 3})

    assert projected["stage"]["index"] == 2
    assert projected["position"] == pytest.approx(2 + 0.0)


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"respondents": []}, "one or more respondents"),
        ({"respondents": one({"XX-1": 1})}, "unknown question code 'XX-1'"),
        ({"respondents": one({"AL-1": 5})}, "outside 0..4"),
        ({"respondents": one({"AL-1": -1})}, "outside 0..4"),
        ({"respondents": one({"AL-1": 3.0})}, "expected an integer"),
        ({"respondents": one({"AL-1": True})}, "expected an integer"),
        ({"respondents": one({"AL-1": "3"})}, "expected an integer"),
        ({"respondents": one({}, perspective="board")}, "unknown perspective 'board'"),
        ({"consensus": {"XX-1": 1}}, "consensus: unknown question code"),
        ({"consensus": {"AL-1": 7}}, "consensus.AL-1"),
        ({"consensus": {"AL-1": False}}, "consensus.AL-1"),
        ({"target_stage": 0}, "target_stage"),
        ({"target_stage": 5}, "target_stage"),
        ({"target_stage": True}, "target_stage"),
        ({"target_stage": 2.0}, "target_stage"),
    ],
)
def test_score_invalid_input_raises_scoring_error(kwargs, message):
    kwargs = {"respondents": one({}), **kwargs}
    with pytest.raises(ScoringError, match=message.replace(".", r"\.")):
        score(SPEC, kwargs.pop("respondents"), **kwargs)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (make_spec(threshold=0.8), "threshold"),
        (make_spec(threshold=0), "threshold"),
        (make_spec(min_coverage=0), "min_coverage"),
        (make_spec(min_group_size=1), "min_group_size"),
        (make_spec(defining_min=0), "defining_min"),
        (make_spec(defining_min=4), "defining_min"),
        (make_spec(agreement_min=0), "agreement_min"),
        (make_spec(agreement_min=1.1), "agreement_min"),
        (make_spec(defining={"BD-1"}), "only questions of stage sections"),
        (make_spec(per_section={"alignment": 17}), "1 to 16"),
        (CatalogueSpec(sections=SPEC.sections[:5]), "expected exactly the sections"),
    ],
)
def test_score_invalid_catalogue_raises(spec, message):
    with pytest.raises(ScoringError, match=message):
        score(spec, one({}))


def test_scoring_error_is_value_error():
    assert issubclass(ScoringError, ValueError)


# --------------------------------------------------------------------------- properties

PROPERTY_SPEC = make_spec(
    per_section=3,
    weights={"AL-1": 2.0, "IN-2": 0.5, "CC-3": 3.0},
    defining={"AL-2", "CC-1", "FU-3"},
)
CODES = [q.code for s in PROPERTY_SPEC.sections for q in s.questions]
# Skewed towards high answers so that the higher rungs are reached often enough.
VALUES = st.sampled_from([None, 0, 1, 2, 3, 3, 4, 4, 4])
respondent = st.builds(
    ResponseSet,
    perspective=st.sampled_from(scoring.PERSPECTIVES),
    answers=st.dictionaries(st.sampled_from(CODES), VALUES),
)
respondents_st = st.lists(respondent, min_size=1, max_size=6)
parameters_st = st.builds(
    Parameters,
    threshold=st.sampled_from([0.25, 0.5, 0.6, 0.75]),
    min_coverage=st.sampled_from([0.3, 0.5, 0.75, 1.0]),
    min_group_size=st.integers(min_value=2, max_value=3),
    defining_min=st.integers(min_value=1, max_value=3),
    agreement_min=st.sampled_from([0.5, 0.7, 1.0]),
)
consensus_st = st.dictionaries(st.sampled_from(CODES), VALUES, max_size=3)
FEW = settings(max_examples=40, deadline=None)


def with_parameters(parameters: Parameters) -> CatalogueSpec:
    return CatalogueSpec(sections=PROPERTY_SPEC.sections, parameters=parameters)


@FEW
@given(respondents=respondents_st, parameters=parameters_st, data=st.data())
def test_score_raising_an_answer_never_lowers_position(respondents, parameters, data):
    raisable = [
        (i, code)
        for i, r in enumerate(respondents)
        for code, value in r.answers.items()
        if value is not None and value < 4
    ]
    if not raisable:
        return
    index, code = data.draw(st.sampled_from(raisable))
    raised = list(respondents)
    answers = dict(raised[index].answers)
    answers[code] += 1
    raised[index] = ResponseSet(raised[index].perspective, answers)
    spec = with_parameters(parameters)

    assert score(spec, raised)["position"] >= score(spec, respondents)["position"]


@FEW
@given(respondents=respondents_st, parameters=parameters_st, consensus=consensus_st)
def test_score_position_and_stage_stay_on_the_ladder(respondents, parameters, consensus):
    result = score(with_parameters(parameters), respondents, consensus=consensus)
    stage = result["stage"]["index"]
    robustness = result["robustness"]

    assert 0 <= result["position"] <= 4
    assert stage <= result["position"] < stage + 1 or stage == result["position"] == 4
    assert robustness["stage_min"] <= stage <= robustness["stage_max"]
    for i, key in enumerate(scoring.STAGE_SECTIONS):
        if i < stage:
            assert result["sections"][key]["reached"]
    if stage < 4:
        assert not result["sections"][scoring.STAGE_SECTIONS[stage]]["reached"]
    assert result["stage"]["key"] == scoring.STAGES[stage]


@FEW
@given(respondents=respondents_st, parameters=parameters_st, data=st.data())
def test_score_answering_an_unanswered_next_stage_question_never_lowers_position(
    respondents, parameters, data
):
    spec = with_parameters(parameters)
    before = score(spec, respondents)
    stage = before["stage"]["index"]
    if stage == 4:
        return
    unanswered = before["sections"][scoring.STAGE_SECTIONS[stage]]["unanswered"]
    if not unanswered:
        return
    code = data.draw(st.sampled_from(unanswered))
    value = data.draw(st.integers(min_value=0, max_value=4))
    index = data.draw(st.integers(min_value=0, max_value=len(respondents) - 1))
    changed = list(respondents)
    changed[index] = ResponseSet(
        changed[index].perspective, {**changed[index].answers, code: value}
    )

    assert score(spec, changed)["position"] >= before["position"]


@FEW
@given(
    perspective=st.sampled_from(scoring.PERSPECTIVES),
    values=st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=12),
)
def test_score_one_perspective_balanced_mean_is_plain_mean(perspective, values):
    result = score(SPEC, people(perspective, values))

    assert result["questions"]["AL-1"]["value"] == float(Fraction(sum(values), len(values)))


PATH_SPEC = make_spec(
    per_section=4, weights={"AL-2": 2.0, "IN-3": 0.5, "IN-4": 1.5}, defining={"AL-1", "IN-2"}
)
PATH_CODES = [q.code for s in PATH_SPEC.sections for q in s.questions]
path_respondents_st = st.lists(
    st.builds(
        ResponseSet,
        perspective=st.sampled_from(scoring.PERSPECTIVES),
        answers=st.dictionaries(st.sampled_from(PATH_CODES), VALUES),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(respondents=path_respondents_st, parameters=parameters_st)
def test_score_next_stage_path_reaches_the_next_stage_and_is_smallest(respondents, parameters):
    spec = CatalogueSpec(sections=PATH_SPEC.sections, parameters=parameters)
    result = score(spec, respondents)
    path = result["next_stage_path"]
    stage = result["stage"]["index"]
    if stage == 4:
        assert path is None
        return
    key = scoring.STAGE_SECTIONS[stage]
    section = next(s for s in spec.sections if s.key == key)
    values = {code: q["value"] for code, q in result["questions"].items()}
    candidates = [q.code for q in section.questions if values[q.code] is None or values[q.code] < 3]

    def reaches(codes) -> bool:
        raised = score(spec, respondents, consensus=dict.fromkeys(codes, 3))
        return raised["sections"][key]["reached"]

    assert path["stage"] == key
    assert set(path["questions"]) <= set(candidates)
    if reaches(candidates):
        assert reaches(path["questions"])
        assert (
            score(spec, respondents, consensus=dict.fromkeys(path["questions"], 3))["stage"][
                "index"
            ]
            > stage
        )
        for size in range(len(path["questions"])):
            for subset in itertools.combinations(candidates, size):
                assert not reaches(subset)
        # Of the sets of that size that reach: largest f, then the codes that sort first.
        reaching = []
        for subset in itertools.combinations(candidates, len(path["questions"])):
            raised = score(spec, respondents, consensus=dict.fromkeys(subset, 3))
            if raised["sections"][key]["reached"]:
                reaching.append((raised["sections"][key]["fulfilment"], sorted(subset)))
        best_f = max(f for f, _ in reaching)
        expected = min(codes for f, codes in reaching if f > best_f - 1e-9)
        assert sorted(path["questions"]) == expected
    else:
        assert sorted(path["questions"]) == sorted(candidates)


@FEW
@given(respondents=respondents_st, parameters=parameters_st)
def test_score_group_figures_below_k_never_appear(respondents, parameters):
    result = score(with_parameters(parameters), respondents)
    k = parameters.min_group_size

    def answering(perspective: str, key: str) -> int:
        section = next(s for s in PROPERTY_SPEC.sections if s.key == key)
        return sum(
            1
            for r in respondents
            if r.perspective == perspective
            and any(r.answers.get(q.code) is not None for q in section.questions)
        )

    assert set(result["groups"]) <= {"business", "it"}
    for group in result["groups"].values():
        for key in group["sections"]:
            assert answering("business", key) >= k
            assert answering("it", key) >= k
    for key, gap in result["perception_gap"].items():
        if gap is not None:
            assert answering("business", key) >= k and answering("it", key) >= k
    json.dumps(result)


@FEW
@given(respondents=respondents_st, parameters=parameters_st)
def test_score_dont_know_and_skipped_are_identical(respondents, parameters):
    skipped = [
        ResponseSet(r.perspective, {c: v for c, v in r.answers.items() if v is not None})
        for r in respondents
    ]
    dont_know = [
        ResponseSet(r.perspective, {c: r.answers.get(c) for c in CODES}) for r in respondents
    ]
    spec = with_parameters(parameters)

    assert score(spec, skipped) == score(spec, dont_know) == score(spec, respondents)


@st.composite
def path_cases(draw):
    """One stage section of up to 8 questions with its values, the rest of the catalogue
    filler; returns (spec, values)."""
    size = draw(st.integers(min_value=1, max_value=8))
    weights = draw(
        st.lists(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]), min_size=size, max_size=size)
    )
    defining = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    values = draw(
        st.lists(
            st.sampled_from([None, 0.0, 1.0, 2.0, 2.5, 3.0, 4.0]), min_size=size, max_size=size
        )
    )
    parameters = draw(parameters_st)
    alignment = SectionSpec(
        "alignment",
        tuple(QuestionSpec(f"AL-{i + 1}", weights[i], defining[i]) for i in range(size)),
    )
    spec = CatalogueSpec(sections=(alignment, *SPEC.sections[1:]), parameters=parameters)
    all_values = {q.code: None for s in spec.sections for q in s.questions}
    all_values.update({f"AL-{i + 1}": values[i] for i in range(size)})
    return spec, all_values


def reached_by_hand(section: SectionSpec, values: dict, params: Parameters) -> Fraction | None:
    """The contract's "reached" in exact fractions (weights and values are binary
    fractions here, so no tolerance is needed); f if reached, else None."""
    answered = [
        (Fraction(q.weight), Fraction(values[q.code]))
        for q in section.questions
        if values[q.code] is not None
    ]
    total = sum(Fraction(q.weight) for q in section.questions)
    weight = sum(w for w, _ in answered)
    if not answered or weight / total < Fraction(str(params.min_coverage)):
        return None
    f = sum(w * v for w, v in answered) / (4 * weight)
    if f < Fraction(str(params.threshold)):
        return None
    for q in section.questions:
        if q.defining and (values[q.code] is None or values[q.code] < params.defining_min):
            return None
    return f


@settings(max_examples=80, deadline=None)
@given(case=path_cases())
def test_next_stage_path_equals_brute_force(case):
    spec, values = case
    section = spec.sections[0]
    params = spec.parameters
    if reached_by_hand(section, values, params) is not None:
        return  # the stage section is reached: no path asked for it
    candidates = sorted(
        q.code for q in section.questions if values[q.code] is None or values[q.code] < 3
    )
    found = None
    for size in range(len(candidates) + 1):
        options = []
        for subset in itertools.combinations(candidates, size):
            f = reached_by_hand(section, {**values, **dict.fromkeys(subset, 3.0)}, params)
            if f is not None:
                options.append((-f, list(subset)))
        if options:
            found = min(options)[1]
            break
    expected = found if found is not None else candidates
    weight = {q.code: q.weight for q in section.questions}
    unmet = {
        q.code
        for q in section.questions
        if q.defining and (values[q.code] is None or values[q.code] < params.defining_min)
    }

    def gain(code):
        return weight[code] * (3 - (values[code] or 0))

    order = sorted(expected, key=lambda c: (c not in unmet, -gain(c), c))

    path = scoring.next_stage_path(spec, values, 0)

    assert path == {"stage": "alignment", "questions": order}
