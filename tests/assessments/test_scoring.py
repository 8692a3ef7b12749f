"""The scoring module against SCORING.md. No database: the module is pure.

Expected numbers are worked out in each test from the formulas as the contract writes them
(f = Σ w·v / (4·Σ w), c = answered weight / all weight, P = S + f_n / θ, ...), never copied
from the implementation.
"""

import json
import math

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
    band,
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
    per_section: int = 4, weights: dict[str, float] | None = None, **parameters
) -> CatalogueSpec:
    """Six sections of ``per_section`` questions (AL-1..AL-n, IN-1.., ...), weight 1 unless
    ``weights`` says otherwise."""
    weights = weights or {}
    return CatalogueSpec(
        sections=tuple(
            SectionSpec(
                key=key,
                questions=tuple(
                    QuestionSpec(code=f"{prefix}-{i}", weight=weights.get(f"{prefix}-{i}", 1.0))
                    for i in range(1, per_section + 1)
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


SPEC = make_spec()


# --------------------------------------------------------------------------- worked examples


def test_score_single_respondent_gives_stage_position_and_figures():
    answers = {
        **fill("alignment", [4, 3, 3, 2]),  # f = 12 / 16 = 0.75 ≥ θ → reached
        **fill("integration", [2, 2, 1, 1]),  # f = 6 / 16 = 0.375 < θ
        **fill("bizdevops", [4, None]),  # c = 1 / 4 < 0.5
    }
    result = score(SPEC, one(answers))

    f_al = (4 + 3 + 3 + 2) / (4 * 4)
    f_in = (2 + 2 + 1 + 1) / (4 * 4)
    assert result["sections"]["alignment"]["fulfilment"] == pytest.approx(f_al)
    assert result["sections"]["alignment"]["coverage"] == 1.0
    assert result["sections"]["alignment"]["reached"] is True
    assert result["sections"]["integration"]["fulfilment"] == pytest.approx(f_in)
    assert result["sections"]["integration"]["reached"] is False
    assert result["sections"]["bizdevops"]["fulfilment"] == pytest.approx(4 / 4)
    assert result["sections"]["bizdevops"]["coverage"] == pytest.approx(1 / 4)
    assert result["sections"]["bizdevops"]["sufficient"] is False
    assert result["sections"]["fusion"]["fulfilment"] is None
    assert result["sections"]["fusion"]["coverage"] == 0.0
    assert result["stage"] == {"index": 1, "key": "alignment"}
    assert result["position"] == pytest.approx(1 + f_in / THETA)
    # One respondent: no spread anywhere.
    assert result["sections"]["alignment"]["agreement"] is None
    assert result["questions"]["AL-1"]["sigma"] is None
    assert result["questions"]["AL-1"]["distribution"] == [0, 0, 0, 0, 1]
    assert result["questions"]["BD-2"]["dont_know"] == 1
    assert result["questions"]["BD-2"]["n"] == 0
    assert result["sections"]["bizdevops"]["unanswered"] == ["BD-2", "BD-3", "BD-4"]
    assert result["respondents"] == {"total": 1, "business": 1, "it": 0, "other": 0}
    assert result["next_section"] == "integration"
    assert result["target_stage"] is None
    assert result["target_gap"] is None
    assert result["parameters"] == {"threshold": 0.6, "min_coverage": 0.5, "min_group_size": 3}
    json.dumps(result)  # stored as a snapshot: must be JSON-serialisable


def test_score_weights_not_one_weigh_values_and_coverage():
    spec = make_spec(weights={"AL-1": 3.0, "AL-2": 0.5})
    answers = fill("alignment", [4, 0, 2, None])
    result = score(spec, one(answers))["sections"]["alignment"]

    weights = {"AL-1": 3.0, "AL-2": 0.5, "AL-3": 1.0, "AL-4": 1.0}
    answered = {"AL-1": 4, "AL-2": 0, "AL-3": 2}
    expected_f = sum(weights[c] * v for c, v in answered.items()) / (
        4 * sum(weights[c] for c in answered)
    )
    expected_c = sum(weights[c] for c in answered) / sum(weights.values())
    assert result["fulfilment"] == pytest.approx(expected_f)
    assert result["coverage"] == pytest.approx(expected_c)


def test_score_consensus_replaces_mean_but_not_spread():
    respondents = [
        ResponseSet("business", fill("alignment", [4, 4, 2, 1])),
        ResponseSet("it", fill("alignment", [0, 4, 2, 3])),
    ]
    result = score(SPEC, respondents, consensus={"AL-1": 3})

    q1 = result["questions"]["AL-1"]
    assert q1["mean"] == pytest.approx((4 + 0) / 2)
    assert q1["value"] == 3
    assert q1["consensus"] == 3
    assert q1["has_consensus"] is True
    sigma_1 = math.sqrt(((4 - 2) ** 2 + (0 - 2) ** 2) / 2)  # population σ = 2
    assert q1["sigma"] == pytest.approx(sigma_1)
    assert q1["agreement"] == pytest.approx(1 - sigma_1 / 2)
    assert q1["disputed"] is True
    q4 = result["questions"]["AL-4"]
    sigma_4 = math.sqrt(((1 - 2) ** 2 + (3 - 2) ** 2) / 2)  # exactly 1.0: disputed
    assert q4["sigma"] == pytest.approx(sigma_4)
    assert q4["disputed"] is True
    assert result["questions"]["AL-2"]["disputed"] is False
    assert result["questions"]["AL-2"]["has_consensus"] is False

    values = [3, (4 + 4) / 2, (2 + 2) / 2, (1 + 3) / 2]
    assert result["sections"]["alignment"]["fulfilment"] == pytest.approx(sum(values) / 16)
    agreements = [1 - sigma_1 / 2, 1 - 0 / 2, 1 - 0 / 2, 1 - sigma_4 / 2]
    assert result["sections"]["alignment"]["agreement"] == pytest.approx(
        sum(agreements) / len(agreements)
    )
    assert result["sections"]["alignment"]["disputed"] == ["AL-1", "AL-4"]


def test_score_consensus_null_makes_question_unanswered():
    respondents = one(fill("alignment", [4, 4, 2, 2]))
    result = score(SPEC, respondents, consensus={"AL-1": None, "AL-2": None})

    section = result["sections"]["alignment"]
    assert section["coverage"] == pytest.approx(2 / 4)
    assert section["fulfilment"] == pytest.approx((2 + 2) / (4 * 2))
    assert section["unanswered"] == ["AL-1", "AL-2"]
    assert result["questions"]["AL-1"]["value"] is None
    assert result["questions"]["AL-1"]["mean"] == 4
    assert result["questions"]["AL-1"]["has_consensus"] is True


def test_score_coverage_below_minimum_keeps_position_at_stage():
    answers = {**fill("alignment", [4, 4, 4, 4]), **fill("integration", [3])}
    result = score(SPEC, one(answers))

    integration = result["sections"]["integration"]
    assert integration["coverage"] == pytest.approx(1 / 4)
    assert integration["sufficient"] is False
    assert integration["fulfilment"] == pytest.approx(3 / 4)  # high, but not enough data
    assert integration["reached"] is False
    assert result["stage"]["index"] == 1
    assert result["position"] == 1.0


def test_score_gap_in_ladder_stops_stage_and_reports_outlier():
    answers = {
        **fill("alignment", [3, 3, 3, 3]),  # 0.75 reached
        **fill("integration", [1, 2, 1, 2]),  # 0.375 not reached
        **fill("co_creation", [4, 4, 3, 3]),  # 0.875 reached: outlier
        **fill("fusion", [0, 0, 0, 0]),
    }
    result = score(SPEC, one(answers))

    assert result["sections"]["co_creation"]["reached"] is True
    assert result["stage"] == {"index": 1, "key": "alignment"}
    assert result["position"] == pytest.approx(1 + (6 / 16) / THETA)
    assert result["outliers"] == ["co_creation"]


def test_score_all_rungs_reached_gives_position_four():
    answers = {}
    for section in scoring.STAGE_SECTIONS:
        answers.update(fill(section, [3, 3, 3, 3]))  # 0.75 each
    answers.update(fill("bizdevops", [4, 4, 4, 4]))
    answers.update(fill("dto", [1, 1, 1, 1]))
    result = score(SPEC, one(answers), target_stage=3)

    assert result["stage"] == {"index": 4, "key": "fusion"}
    assert result["position"] == 4
    assert result["next_section"] is None
    assert result["blockers"] == []
    assert result["outliers"] == []
    assert result["warnings"] == ["dto_not_reached"]
    assert result["target_gap"] == 0


def test_score_warnings_follow_contract_order():
    answers = {}
    for section in ("alignment", "integration", "co_creation"):
        answers.update(fill(section, [4, 4, 4, 4]))
    answers.update(fill("fusion", [1]))  # insufficient
    answers.update(fill("bizdevops", [0, 0, 0, 0]))  # sufficient, not reached
    # dto left empty: insufficient
    result = score(SPEC, one(answers))

    assert result["stage"]["index"] == 3
    assert result["warnings"] == [
        "insufficient_data:fusion",
        "insufficient_data:dto",
        "bizdevops_not_reached",
    ]


def test_score_enablers_warn_only_from_their_stage():
    answers = {}
    for section in ("alignment", "integration"):
        answers.update(fill(section, [4, 4, 4, 4]))
    for section in ("co_creation", "fusion", "bizdevops", "dto"):
        answers.update(fill(section, [0, 0, 0, 0]))
    result = score(SPEC, one(answers))

    assert result["stage"]["index"] == 2
    assert result["warnings"] == []  # S < 3: neither enabler warns


def test_score_enablers_never_change_stage():
    base = {}
    for section in ("alignment", "integration"):
        base.update(fill(section, [3, 3, 3, 3]))
    base.update(fill("co_creation", [2, 2, 1, 1]))
    low = score(SPEC, one({**base, **fill("bizdevops", [0] * 4), **fill("dto", [0] * 4)}))
    high = score(SPEC, one({**base, **fill("bizdevops", [4] * 4), **fill("dto", [4] * 4)}))

    assert low["position"] == high["position"] == pytest.approx(2 + (6 / 16) / THETA)
    assert low["stage"] == high["stage"]


def test_score_perception_gap_with_enough_in_both_groups():
    business = [fill("alignment", [4, 4, 4, 4]), fill("alignment", [4, 4, 2, 2])]
    business.append(fill("alignment", [3, 3, 3, 3]))
    it = [fill("alignment", [2, 2, 2, 2]), fill("alignment", [1, 1, 1, 1])]
    it.append(fill("alignment", [0, 0, 4, None]))
    respondents = [ResponseSet("business", a) for a in business] + [
        ResponseSet("it", a) for a in it
    ]
    # A consensus changes the overall figures but never the groups'.
    result = score(SPEC, respondents, consensus={"AL-1": 0})

    f_business = ((4 + 4 + 3) / 3 + (4 + 4 + 3) / 3 + (4 + 2 + 3) / 3 + (4 + 2 + 3) / 3) / 16
    f_it = ((2 + 1 + 0) / 3 + (2 + 1 + 0) / 3 + (2 + 1 + 4) / 3 + (2 + 1) / 2) / 16
    assert result["groups"]["business"]["respondents"] == 3
    assert result["groups"]["business"]["sections"]["alignment"]["fulfilment"] == pytest.approx(
        f_business
    )
    assert result["groups"]["it"]["sections"]["alignment"]["fulfilment"] == pytest.approx(f_it)
    assert result["groups"]["it"]["sections"]["alignment"]["coverage"] == 1.0
    assert result["perception_gap"]["alignment"] == pytest.approx(f_business - f_it)
    assert result["perception_gap"]["fusion"] is None  # no values in either group
    assert set(result["perception_gap"]) == set(scoring.SECTION_KEYS)
    assert "other" not in result["groups"]


def test_score_group_below_min_size_appears_nowhere():
    respondents = [ResponseSet("business", fill("alignment", [4, 4, 4, 4]))] * 3 + [
        ResponseSet("it", fill("alignment", [0, 0, 0, 0]))
    ] * 2
    result = score(SPEC, respondents)

    assert set(result["groups"]) == {"business"}
    assert all(gap is None for gap in result["perception_gap"].values())
    assert result["respondents"] == {"total": 5, "business": 3, "it": 2, "other": 0}


def test_score_min_group_size_one_shows_small_groups():
    respondents = [
        ResponseSet("business", fill("alignment", [4, 4, 4, 4])),
        ResponseSet("it", fill("alignment", [2, 2, 2, 2])),
    ]
    result = score(make_spec(min_group_size=1), respondents)

    assert result["perception_gap"]["alignment"] == pytest.approx(16 / 16 - 8 / 16)


def test_score_target_gap_is_distance_to_target_never_negative():
    answers = {**fill("alignment", [3, 3, 3, 3]), **fill("integration", [2, 2, 2, 1])}
    below = score(SPEC, one(answers), target_stage=3)
    above = score(SPEC, one(answers), target_stage=1)

    position = 1 + ((2 + 2 + 2 + 1) / 16) / THETA
    assert below["position"] == pytest.approx(position)
    assert below["target_stage"] == 3
    assert below["target_gap"] == pytest.approx(3 - position)
    assert above["target_gap"] == 0


def test_score_blockers_sorted_by_value_then_weight_then_order():
    spec = make_spec(per_section=6, weights={"IN-3": 2.0})
    answers = {
        **fill("alignment", [4, 4, 4, 4, 4, 4]),
        **fill("integration", [2, 4, 1, 1, None, 2]),
    }
    result = score(spec, one(answers))

    assert result["next_section"] == "integration"
    # value 1: IN-3 (weight 2) before IN-4; value 2: IN-1 before IN-6;
    # IN-2 (value 4) and IN-5 (unanswered) are no blockers
    assert result["blockers"] == ["IN-3", "IN-4", "IN-1", "IN-6"]


def test_score_result_keeps_full_precision_and_round_result_rounds():
    respondents = [
        ResponseSet(
            "business",
            {
                **fill("alignment", [4, 4, 4, 4]),
                **fill("integration", [2, 1, 1, 0]),
                **fill("dto", [1, 1, 0, None]),
            },
        ),
        ResponseSet("it", fill("alignment", [3, 4, 4, 4])),
        ResponseSet("other", fill("alignment", [2])),
    ]
    result = score(SPEC, respondents, target_stage=4)
    rounded = round_result(result)

    position = 1 + ((2 + 1 + 1 + 0) / 16) / THETA  # 1.41666...
    assert result["position"] == pytest.approx(position, abs=1e-12)
    assert rounded["position"] == 1.42
    assert rounded["target_gap"] == 2.5833  # 4 - 1.41666...
    f_dto = (1 + 1 + 0) / (4 * 3)  # 0.16666...
    assert result["sections"]["dto"]["fulfilment"] == pytest.approx(f_dto, abs=1e-12)
    assert rounded["sections"]["dto"]["fulfilment"] == 0.1667
    assert rounded["sections"]["dto"]["coverage"] == 0.75
    sigma = math.sqrt(((4 - 3) ** 2 + (3 - 3) ** 2 + (2 - 3) ** 2) / 3)  # 0.81649...
    assert result["questions"]["AL-1"]["sigma"] == pytest.approx(sigma, abs=1e-12)
    assert rounded["questions"]["AL-1"]["sigma"] == 0.8165
    assert rounded["questions"]["AL-1"]["agreement"] == 0.5918  # 1 - 0.81649.../2
    assert rounded["stage"] == result["stage"]
    assert rounded["warnings"] == result["warnings"]
    assert result["position"] == pytest.approx(position, abs=1e-12)  # original untouched


def test_round_result_never_gives_negative_zero():
    spec = make_spec(min_group_size=1, weights={"AL-1": 10000.0})
    respondents = [
        ResponseSet("business", fill("alignment", [2, 2])),
        ResponseSet("it", fill("alignment", [2, 3])),
    ]
    result = score(spec, respondents)
    rounded = round_result(result)

    gap = 2 / 4 - (10000 * 2 + 3) / (4 * 10001)  # -0.000025
    assert result["perception_gap"]["alignment"] == pytest.approx(gap)
    assert json.dumps(rounded["perception_gap"]["alignment"]) == "0.0"


@pytest.mark.parametrize(
    ("fulfilment", "expected"),
    [(None, None), (0.0, "low"), (0.3499, "low"), (0.35, "mid"), (0.5999, "mid"), (0.6, "high")],
)
def test_band_limits(fulfilment, expected):
    assert band(fulfilment, 0.6) == expected


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


def test_scoring_error_is_value_error():
    assert issubclass(ScoringError, ValueError)


def test_score_catalogue_missing_section_raises():
    spec = CatalogueSpec(sections=SPEC.sections[:5])
    with pytest.raises(ScoringError, match="expected exactly the sections"):
        score(spec, one({}))


# --------------------------------------------------------------------------- properties

PROPERTY_SPEC = make_spec(per_section=3, weights={"AL-1": 2.0, "IN-2": 0.5, "CC-3": 3.0})
CODES = [q.code for s in PROPERTY_SPEC.sections for q in s.questions]
# Skewed towards high answers so that the higher rungs are reached often enough.
VALUES = st.sampled_from([None, 0, 1, 2, 3, 3, 4, 4, 4])
respondent = st.builds(
    ResponseSet,
    perspective=st.sampled_from(scoring.PERSPECTIVES),
    answers=st.dictionaries(st.sampled_from(CODES), VALUES),
)
respondents_st = st.lists(respondent, min_size=1, max_size=8)
parameters_st = st.builds(
    Parameters,
    threshold=st.sampled_from([0.25, 0.5, 0.6, 0.75, 1.0]),
    min_coverage=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
    min_group_size=st.integers(min_value=1, max_value=4),
)


def with_parameters(parameters: Parameters) -> CatalogueSpec:
    return CatalogueSpec(sections=PROPERTY_SPEC.sections, parameters=parameters)


@settings(max_examples=150, deadline=None)
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


@settings(max_examples=150, deadline=None)
@given(respondents=respondents_st, parameters=parameters_st, target=st.sampled_from([None, 2]))
def test_score_position_and_stage_stay_on_the_ladder(respondents, parameters, target):
    result = score(with_parameters(parameters), respondents, target_stage=target)
    stage = result["stage"]["index"]

    assert 0 <= result["position"] <= 4
    assert stage <= result["position"] < stage + 1 or stage == result["position"] == 4
    for i, key in enumerate(scoring.STAGE_SECTIONS):
        if i < stage:
            assert result["sections"][key]["reached"]
    if stage < 4:
        assert not result["sections"][scoring.STAGE_SECTIONS[stage]]["reached"]
        assert result["next_section"] == scoring.STAGE_SECTIONS[stage]
    assert result["stage"]["key"] == scoring.STAGES[stage]


@settings(max_examples=150, deadline=None)
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


@settings(max_examples=150, deadline=None)
@given(respondents=respondents_st, parameters=parameters_st)
def test_score_small_groups_never_shown(respondents, parameters):
    result = score(with_parameters(parameters), respondents)
    k = parameters.min_group_size
    counts = {p: sum(r.perspective == p for r in respondents) for p in scoring.PERSPECTIVES}

    for perspective, count in counts.items():
        assert (perspective in result["groups"]) == (count >= k)
        if perspective in result["groups"]:
            assert result["groups"][perspective]["respondents"] == count
    if counts["business"] < k or counts["it"] < k:
        assert all(gap is None for gap in result["perception_gap"].values())
    json.dumps(result)
