"""The figures of one revealed voting round, as SCORING.md defines them for a question: mean
of the non-null values and the agreement r_wg (``assessments.scoring.agreement``, the same
figure the result and the report show; only with two or more values). A pure module: plain
data in, plain data out.

Anonymity: the business and IT means are shown only when both groups have at least k
numeric votes in the round; below that neither appears.
"""

from collections.abc import Sequence

from assessments.scoring import agreement

SCALE = range(5)


def summarise(votes: Sequence[tuple[str, int | None]], k: int) -> dict:
    """``votes`` is (perspective, value) per participant who voted in the round."""
    numbers = [value for _perspective, value in votes if value is not None]
    by_group = {
        name: [v for perspective, v in votes if perspective == name and v is not None]
        for name in ("business", "it")
    }
    groups = None
    if all(len(values) >= k for values in by_group.values()):
        business = sum(by_group["business"]) / len(by_group["business"])
        it = sum(by_group["it"]) / len(by_group["it"])
        groups = {
            "business": {"n": len(by_group["business"]), "mean": business},
            "it": {"n": len(by_group["it"]), "mean": it},
            "gap": business - it,
        }
    return {
        "votes": len(votes),
        "n": len(numbers),
        "dont_know": len(votes) - len(numbers),
        "distribution": [numbers.count(value) for value in SCALE],
        "mean": sum(numbers) / len(numbers) if numbers else None,
        "agreement": agreement(numbers),
        "groups": groups,
    }


def agreement_change(first: dict | None, last: dict | None) -> float | None:
    """Change in agreement from one round's summary to another's (None if either round has
    fewer than two values)."""
    if not first or not last or first["agreement"] is None or last["agreement"] is None:
        return None
    return last["agreement"] - first["agreement"]
