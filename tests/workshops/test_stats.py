"""The reveal figures follow SCORING.md's per-question formulas."""

import pytest

from workshops import stats


def test_summarise_empty_round():
    result = stats.summarise([], 3)
    assert result["votes"] == 0
    assert result["mean"] is None
    assert result["agreement"] is None
    assert result["distribution"] == [0, 0, 0, 0, 0]


def test_summarise_single_vote_has_no_spread():
    result = stats.summarise([("it", 2)], 1)
    assert result["mean"] == 2
    assert result["agreement"] is None


def test_summarise_dont_know_excluded_from_mean():
    result = stats.summarise([("it", 4), ("it", None), ("business", 2)], 3)
    assert result["mean"] == 3
    assert result["dont_know"] == 1
    # r_wg as in the result: sample variance 2 → max(0, 1 − 2/2) = 0
    assert result["agreement"] == pytest.approx(0.0)


def test_summarise_agreement_is_the_results_r_wg():
    result = stats.summarise([("it", 3), ("it", 2), ("business", 3), ("business", 3)], 3)
    # sample variance 0.25 → 1 − 0.125
    assert result["agreement"] == pytest.approx(0.875)


def test_summarise_groups_need_k_numeric_votes_each():
    votes = [("business", 4), ("business", None), ("it", 1), ("it", 1)]
    assert stats.summarise(votes, 2)["groups"] is None
    assert stats.summarise(votes, 1)["groups"]["gap"] == pytest.approx(3.0)


def test_agreement_change_needs_both_rounds():
    a = stats.summarise([("it", 0), ("it", 4)], 3)
    b = stats.summarise([("it", 2), ("it", 2)], 3)
    assert stats.agreement_change(a, b) == pytest.approx(1.0)
    assert stats.agreement_change(None, b) is None
