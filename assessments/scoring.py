"""Scoring method 2, exactly as /work/shared/SCORING.md (the contract) describes it.

A pure module: no Django, no database. Inputs are plain data classes, the output of
``score`` is a JSON-serialisable dict in full precision (stored as the result snapshot);
``round_result`` makes the rounded copy used for display and machine-readable output.

Notation follows the contract: v_q value of a question (balanced business/IT mean, or a
consensus), a_q its agreement (r_wg); f_s fulfilment, f⁰_s fulfilment counting unanswered
questions as 0, c_s coverage, D_s / m_s defining questions of a section and how many are
met; θ threshold, c_min minimum coverage, k minimum group size, d defining minimum, r_min
agreement minimum; S stage, P position, T target stage. Every comparison uses the
tolerance ε = 1e-9 (``_ge``/``_lt``); means of answers are computed exactly with fractions.

Projections ("what if these questions were answered 3?"): pass the values as consensus
overrides, e.g. ``score(spec, respondents, consensus={**consensus, "CC-01": 3})``, or use
``project`` which does exactly that and returns stage and position.

Method-1 results (stored before method 2) lack most of the method-2 keys; ``round_result``
rounds whatever figures a result has, so old snapshots stay readable.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cmp_to_key

METHOD = 2

STAGES = ("silo", "alignment", "integration", "co_creation", "fusion")
STAGE_SECTIONS = ("alignment", "integration", "co_creation", "fusion")
ENABLER_SECTIONS = ("bizdevops", "dto")
SECTION_KEYS = STAGE_SECTIONS + ENABLER_SECTIONS
PERSPECTIVES = ("business", "it", "other")

SCALE_MIN = 0
SCALE_MAX = 4
EPSILON = 1e-9
MAX_QUESTIONS = 16
PATH_VALUE = 3  # "largely": the answer next_stage_path asks for
DISPUTE_STEPS = 2  # business and IT means this far apart make a question disputed
POSITION_FRACTION_MAX = 0.99
LOW_BAND_LIMIT = 0.35


class ScoringError(ValueError):
    """The inputs cannot be scored; the message says which value and why."""


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    weight: float = 1.0
    defining: bool = False


@dataclass(frozen=True)
class SectionSpec:
    key: str
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class Parameters:
    threshold: float = 0.6
    min_coverage: float = 0.75
    min_group_size: int = 3
    defining_min: int = 2
    agreement_min: float = 0.7


@dataclass(frozen=True)
class CatalogueSpec:
    sections: tuple[SectionSpec, ...]
    parameters: Parameters = field(default_factory=Parameters)


@dataclass(frozen=True)
class ResponseSet:
    """One respondent: a missing code is a skipped question, which counts as don't know."""

    perspective: str
    answers: Mapping[str, int | None]


# --------------------------------------------------------------------------- comparisons


def _ge(x: float, t: float) -> bool:
    """x ≥ t with the contract's tolerance."""
    return x > t - EPSILON


def _lt(x: float, t: float) -> bool:
    """x < t with the contract's tolerance."""
    return x < t - EPSILON


def label_index(value: float) -> int:
    """The answer label shown for a value (a mean, say): ⌊v + 0.5 + ε⌋, within 0..4."""
    return min(SCALE_MAX, max(SCALE_MIN, math.floor(value + 0.5 + EPSILON)))


def round_half_up(value: float | None, digits: int) -> float | None:
    """Round for display, half up, from the shortest decimal form of the float
    (0.12345 → 0.1235 with 4 digits, 2.5 → 3 with 0)."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    return float(rounded) + 0.0  # + 0.0 turns -0.0 into 0.0


# --------------------------------------------------------------------------- validation


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_value(value: object, where: str) -> None:
    if value is None:
        return
    if not _is_int(value):
        raise ScoringError(f"{where}: expected an integer 0..4 or null, got {value!r}")
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ScoringError(f"{where}: value {value} is outside 0..4")


def check_parameters(params: Parameters) -> None:
    """The ranges of SCORING.md's parameter table; ScoringError names the first one out."""
    if not _is_number(params.threshold) or not 0 < params.threshold <= 0.75:
        raise ScoringError(f"parameters: threshold {params.threshold!r} must be in (0, 0.75]")
    if not _is_number(params.min_coverage) or not 0 < params.min_coverage <= 1:
        raise ScoringError(f"parameters: min_coverage {params.min_coverage!r} must be in (0, 1]")
    if not _is_int(params.min_group_size) or params.min_group_size < 2:
        raise ScoringError(
            f"parameters: min_group_size {params.min_group_size!r} must be an integer >= 2"
        )
    if not _is_int(params.defining_min) or not 1 <= params.defining_min <= 3:
        raise ScoringError(
            f"parameters: defining_min {params.defining_min!r} must be an integer 1..3"
        )
    if not _is_number(params.agreement_min) or not 0 < params.agreement_min <= 1:
        raise ScoringError(f"parameters: agreement_min {params.agreement_min!r} must be in (0, 1]")


def _check_catalogue(catalogue: CatalogueSpec) -> None:
    if not isinstance(catalogue, CatalogueSpec):
        raise ScoringError("catalogue: expected a CatalogueSpec")
    keys = [section.key for section in catalogue.sections]
    if sorted(keys) != sorted(SECTION_KEYS):
        raise ScoringError(
            f"catalogue: expected exactly the sections {', '.join(SECTION_KEYS)}, "
            f"got {', '.join(map(str, keys)) or 'none'}"
        )
    seen: set[str] = set()
    for section in catalogue.sections:
        if not 1 <= len(section.questions) <= MAX_QUESTIONS:
            raise ScoringError(
                f"catalogue: section {section.key} has {len(section.questions)} questions; "
                f"1 to {MAX_QUESTIONS} are allowed"
            )
        for question in section.questions:
            if not isinstance(question.code, str) or not question.code:
                raise ScoringError(f"catalogue: section {section.key} has an empty code")
            if question.code in seen:
                raise ScoringError(f"catalogue: question code {question.code} is not unique")
            seen.add(question.code)
            if not _is_number(question.weight) or question.weight <= 0:
                raise ScoringError(
                    f"catalogue: question {question.code} has weight {question.weight!r}; "
                    "weights must be positive numbers"
                )
            if question.defining and section.key not in STAGE_SECTIONS:
                raise ScoringError(
                    f"catalogue: question {question.code} is defining, but only questions "
                    "of stage sections may be"
                )
    check_parameters(catalogue.parameters)


def _check_inputs(
    codes: set[str],
    respondents: Sequence[ResponseSet],
    consensus: Mapping[str, int | None] | None,
    target_stage: int | None,
) -> None:
    if isinstance(respondents, str | bytes) or not isinstance(respondents, Sequence):
        raise ScoringError("respondents: expected a list of respondents")
    if not respondents:
        raise ScoringError("respondents: one or more respondents are required")
    for index, respondent in enumerate(respondents):
        where = f"respondents[{index}]"
        if not isinstance(respondent, ResponseSet):
            raise ScoringError(f"{where}: expected a ResponseSet")
        if respondent.perspective not in PERSPECTIVES:
            raise ScoringError(
                f"{where}.perspective: unknown perspective {respondent.perspective!r} "
                f"(expected one of {', '.join(PERSPECTIVES)})"
            )
        if not isinstance(respondent.answers, Mapping):
            raise ScoringError(f"{where}.answers: expected a mapping of question codes")
        for code, value in respondent.answers.items():
            if code not in codes:
                raise ScoringError(f"{where}.answers: unknown question code {code!r}")
            _check_value(value, f"{where}.answers.{code}")
    if consensus is not None:
        if not isinstance(consensus, Mapping):
            raise ScoringError("consensus: expected a mapping of question codes")
        for code, value in consensus.items():
            if code not in codes:
                raise ScoringError(f"consensus: unknown question code {code!r}")
            _check_value(value, f"consensus.{code}")
    if target_stage is not None and (not _is_int(target_stage) or not 1 <= target_stage <= 4):
        raise ScoringError(f"target_stage: expected an integer 1..4 or null, got {target_stage!r}")


# --------------------------------------------------------------------------- per question


def agreement(values: Sequence[int]) -> float | None:
    """r_wg of two or more non-null answers: max(0, 1 − s²/2), s² the sample variance
    (divisor n − 1), computed exactly; None with fewer than two values."""
    if len(values) < 2:
        return None
    mean = Fraction(sum(values), len(values))
    variance = sum((Fraction(v) - mean) ** 2 for v in values) / (len(values) - 1)
    return float(max(Fraction(0), 1 - variance / 2))


def perspective_weights(n_business: int, n_it: int) -> dict[str, Fraction]:
    """The weight of one answer per perspective in the balanced mean."""
    if n_business >= 1 and n_it >= 1:
        return {
            "business": Fraction(n_business + n_it, 2 * n_business),
            "it": Fraction(n_business + n_it, 2 * n_it),
            "other": Fraction(1),
        }
    return {p: Fraction(1) for p in PERSPECTIVES}


@dataclass
class _Answers:
    """The non-null answers to one question, by perspective."""

    by_perspective: dict[str, list[int]]

    @property
    def all(self) -> list[int]:
        return [v for p in PERSPECTIVES for v in self.by_perspective[p]]

    def weights(self) -> dict[str, Fraction]:
        return perspective_weights(
            len(self.by_perspective["business"]), len(self.by_perspective["it"])
        )

    def balanced_mean(self) -> Fraction | None:
        weights = self.weights()
        total = sum(weights[p] * len(vs) for p, vs in self.by_perspective.items())
        if not total:
            return None
        return sum(weights[p] * sum(vs) for p, vs in self.by_perspective.items()) / total

    def delta(self) -> Fraction:
        """One respondent moving one step: largest weight / sum of weights."""
        weights = self.weights()
        present = [p for p, vs in self.by_perspective.items() if vs]
        total = sum(weights[p] * len(self.by_perspective[p]) for p in present)
        return max(weights[p] for p in present) / total

    def sides_apart(self) -> bool:
        business, it = self.by_perspective["business"], self.by_perspective["it"]
        if not business or not it:
            return False
        gap = abs(Fraction(sum(business), len(business)) - Fraction(sum(it), len(it)))
        return _ge(float(gap), DISPUTE_STEPS)


def _collect(catalogue: CatalogueSpec, respondents: Sequence[ResponseSet]) -> dict[str, _Answers]:
    answers = {
        q.code: _Answers({p: [] for p in PERSPECTIVES})
        for s in catalogue.sections
        for q in s.questions
    }
    for respondent in respondents:
        for code, value in respondent.answers.items():
            if value is not None:
                answers[code].by_perspective[respondent.perspective].append(value)
    return answers


# --------------------------------------------------------------------------- per section


@dataclass(frozen=True)
class _SectionFigures:
    fulfilment: float | None
    fulfilment_zero: float
    coverage: float
    sufficient: bool
    defining_total: int
    defining_met_count: int
    reached: bool

    @property
    def defining_met(self) -> bool:
        return self.defining_met_count == self.defining_total


def _section_figures(
    section: SectionSpec, values: Mapping[str, float | None], params: Parameters
) -> _SectionFigures:
    answered = [(q.weight, values[q.code]) for q in section.questions if values[q.code] is not None]
    total_weight = math.fsum(q.weight for q in section.questions)
    answered_weight = math.fsum(w for w, _ in answered)
    weighted = math.fsum(w * v for w, v in answered)
    fulfilment = weighted / (SCALE_MAX * answered_weight) if answered else None
    coverage = answered_weight / total_weight
    defining = [q for q in section.questions if q.defining]
    met = sum(
        1
        for q in defining
        if values[q.code] is not None and _ge(values[q.code], params.defining_min)
    )
    sufficient = _ge(coverage, params.min_coverage)
    return _SectionFigures(
        fulfilment=fulfilment,
        fulfilment_zero=weighted / (SCALE_MAX * total_weight),
        coverage=coverage,
        sufficient=sufficient,
        defining_total=len(defining),
        defining_met_count=met,
        reached=(
            sufficient
            and fulfilment is not None
            and _ge(fulfilment, params.threshold)
            and met == len(defining)
        ),
    )


def _stage_and_position(
    sections: Mapping[str, SectionSpec],
    values: Mapping[str, float | None],
    params: Parameters,
) -> tuple[int, float]:
    """(S, P) from question values: stage sections reached without a gap, then the
    fraction of the next one (f⁰_n / θ, at most 0.99, times m_n / D_n)."""
    stage = 0
    for key in STAGE_SECTIONS:
        figures = _section_figures(sections[key], values, params)
        if not figures.reached:
            share = (
                figures.defining_met_count / figures.defining_total
                if figures.defining_total
                else 1.0
            )
            fraction = min(figures.fulfilment_zero / params.threshold, POSITION_FRACTION_MAX)
            return stage, stage + fraction * share
        stage += 1
    return stage, float(stage)


# --------------------------------------------------------------------------- robustness


def _robustness(
    sections: Mapping[str, SectionSpec],
    values: dict[str, float | None],
    deltas: Mapping[str, float],
    params: Parameters,
    stage: int,
) -> dict:
    changes = []
    stages = [stage]
    for key in STAGE_SECTIONS:  # enabler values never change S
        for question in sections[key].questions:
            code = question.code
            value = values[code]
            if value is None:
                trials = [float(SCALE_MIN), float(SCALE_MAX)]
            else:
                trials = [
                    min(float(SCALE_MAX), value + deltas[code]),
                    max(float(SCALE_MIN), value - deltas[code]),
                ]
            for trial in trials:
                changed, _ = _stage_and_position(sections, {**values, code: trial}, params)
                stages.append(changed)
                if changed != stage:
                    changes.append({"question": code, "value": trial, "stage": changed})
    unanswered = [code for code, value in values.items() if value is None]
    lowest = _stage_and_position(
        sections, {**values, **dict.fromkeys(unanswered, float(SCALE_MIN))}, params
    )
    highest = _stage_and_position(
        sections, {**values, **dict.fromkeys(unanswered, float(SCALE_MAX))}, params
    )
    return {
        "robustness": {
            "robust": not changes,
            "stage_min": min(stages),
            "stage_max": max(stages),
            "stage_if_unanswered_lowest": lowest[0],
            "stage_if_unanswered_highest": highest[0],
            "changes": changes,
        },
        "position_if_unanswered": {"lowest": lowest[1], "highest": highest[1]},
    }


# --------------------------------------------------------------------------- next stage path


def _gain(question: QuestionSpec, value: float | None) -> float:
    return question.weight * (PATH_VALUE - (value if value is not None else 0.0))


def _compare_gain(a: tuple[float, str], b: tuple[float, str]) -> int:
    """Gain descending with the tolerance, then code ascending."""
    if abs(a[0] - b[0]) > EPSILON:
        return -1 if a[0] > b[0] else 1
    return (a[1] > b[1]) - (a[1] < b[1])


def next_stage_path(
    catalogue: CatalogueSpec, values: Mapping[str, float | None], stage: int
) -> dict | None:
    """The smallest set of the next stage section's questions that, answered "largely"
    (3), reach that section; ordered as the contract says. None at stage 4.

    An exact search (a section has at most 16 questions). Every defining question that
    is not met must be in the set (nothing else meets it). Setting a question to 3 never
    un-reaches a section (3 is at least θ·4 and at least d), so if all candidates together
    do not reach it, no set does, and the path is all candidates."""
    if stage >= len(STAGE_SECTIONS):
        return None
    params = catalogue.parameters
    section = next(s for s in catalogue.sections if s.key == STAGE_SECTIONS[stage])
    questions = section.questions
    total_weight = math.fsum(q.weight for q in questions)

    def is_candidate(q: QuestionSpec) -> bool:
        return values[q.code] is None or _lt(values[q.code], PATH_VALUE)

    def is_unmet_defining(q: QuestionSpec) -> bool:
        value = values[q.code]
        return q.defining and (value is None or _lt(value, params.defining_min))

    candidates = sorted((q for q in questions if is_candidate(q)), key=lambda q: q.code)
    mandatory = [q for q in candidates if is_unmet_defining(q)]
    optional = [q for q in candidates if not is_unmet_defining(q)]

    def fulfilment_if_reached(chosen: set[str]) -> float | None:
        """f of the section with ``chosen`` set to 3 if that reaches it (the defining
        questions are met: the unmet ones are always chosen), else None."""
        answered = [
            (q.weight, float(PATH_VALUE) if q.code in chosen else values[q.code])
            for q in questions
            if q.code in chosen or values[q.code] is not None
        ]
        answered_weight = math.fsum(w for w, _ in answered)
        if not answered or not _ge(answered_weight / total_weight, params.min_coverage):
            return None
        fulfilment = math.fsum(w * v for w, v in answered) / (SCALE_MAX * answered_weight)
        return fulfilment if _ge(fulfilment, params.threshold) else None

    # The smallest size: a set of k questions reaches the section if and only if, for some
    # split k = a + b, the a answered candidates of largest gain with the b unanswered ones
    # of largest weight reach it (those give the most coverage, and the most fulfilment
    # wherever fulfilment is below 3/4 ≥ θ). So trying the splits finds the size exactly;
    # only sets of that size are then searched for the largest f and the first codes.
    answered_by_gain = sorted(
        (q for q in optional if values[q.code] is not None),
        key=cmp_to_key(
            lambda x, y: _compare_gain(
                (_gain(x, values[x.code]), x.code), (_gain(y, values[y.code]), y.code)
            )
        ),
    )
    unanswered_by_weight = sorted(
        (q for q in optional if values[q.code] is None), key=lambda q: (-q.weight, q.code)
    )

    def some_set_of_size_reaches(size: int) -> bool:
        for a in range(
            max(0, size - len(unanswered_by_weight)), min(size, len(answered_by_gain)) + 1
        ):
            picked = [*mandatory, *answered_by_gain[:a], *unanswered_by_weight[: size - a]]
            if fulfilment_if_reached({q.code for q in picked}) is not None:
                return True
        return False

    chosen: list[QuestionSpec] = candidates
    size = next((k for k in range(len(optional) + 1) if some_set_of_size_reaches(k)), None)
    if size is not None:
        best: tuple[float, tuple[str, ...]] | None = None
        for subset in itertools.combinations(optional, size):
            codes = tuple(sorted(q.code for q in (*mandatory, *subset)))
            fulfilment = fulfilment_if_reached(set(codes))
            if fulfilment is None:
                continue
            if (
                best is None
                or fulfilment > best[0] + EPSILON
                or (abs(fulfilment - best[0]) <= EPSILON and codes < best[1])
            ):
                best = (fulfilment, codes)
        chosen = [q for q in candidates if q.code in best[1]]

    def ordered(group: list[QuestionSpec]) -> list[str]:
        keyed = sorted(
            ((_gain(q, values[q.code]), q.code) for q in group), key=cmp_to_key(_compare_gain)
        )
        return [code for _, code in keyed]

    return {
        "stage": section.key,
        "questions": ordered([q for q in chosen if is_unmet_defining(q)])
        + ordered([q for q in chosen if not is_unmet_defining(q)]),
    }


# --------------------------------------------------------------------------- groups


def _groups(
    catalogue: CatalogueSpec, respondents: Sequence[ResponseSet]
) -> tuple[dict, dict[str, float | None]]:
    """Business and IT scored on their own; a section's group figures (and its perception
    gap) appear only where both groups have at least k respondents answering in it."""
    params = catalogue.parameters
    k = params.min_group_size
    figures: dict[str, dict[str, _SectionFigures]] = {}
    qualifies: dict[str, dict[str, bool]] = {}
    counts: dict[str, dict[str, int]] = {}
    for perspective in ("business", "it"):
        members = [r for r in respondents if r.perspective == perspective]
        answers = _collect(catalogue, members)
        values = {
            code: float(m) if (m := a.balanced_mean()) is not None else None
            for code, a in answers.items()
        }
        figures[perspective] = {
            s.key: _section_figures(s, values, params) for s in catalogue.sections
        }
        counts[perspective] = {
            s.key: sum(
                1 for r in members if any(r.answers.get(q.code) is not None for q in s.questions)
            )
            for s in catalogue.sections
        }
        qualifies[perspective] = {key: n >= k for key, n in counts[perspective].items()}
    shown = [
        s.key for s in catalogue.sections if qualifies["business"][s.key] and qualifies["it"][s.key]
    ]
    groups = {}
    if shown:
        for perspective in ("business", "it"):
            groups[perspective] = {
                "respondents": sum(1 for r in respondents if r.perspective == perspective),
                "sections": {
                    key: {
                        "fulfilment": figures[perspective][key].fulfilment,
                        "coverage": figures[perspective][key].coverage,
                        "respondents": counts[perspective][key],
                    }
                    for key in shown
                },
            }
    gap: dict[str, float | None] = {}
    for section in catalogue.sections:
        f_business = figures["business"][section.key].fulfilment
        f_it = figures["it"][section.key].fulfilment
        gap[section.key] = (
            f_business - f_it
            if section.key in shown and f_business is not None and f_it is not None
            else None
        )
    return groups, gap


# --------------------------------------------------------------------------- score


def score(
    catalogue: CatalogueSpec,
    respondents: Sequence[ResponseSet],
    *,
    consensus: Mapping[str, int | None] | None = None,
    target_stage: int | None = None,
) -> dict:
    """Score an assessment with method 2; raises ScoringError for inputs the contract
    does not allow. The result is in full precision and JSON-serialisable.

    Keys: method, stage {index, key}, position, sections[key] {kind, fulfilment,
    fulfilment_zero, coverage, sufficient, defining_met, defining_total,
    defining_met_count, defining_unmet, reached, agreement, disputed, unanswered},
    questions[code] {section, weight, defining, value, mean, consensus, has_consensus,
    answered, n, dont_know, distribution, agreement, disputed, delta}, outliers,
    warnings, perception_gap, target_stage, target_gap, robustness {robust, stage_min,
    stage_max, stage_if_unanswered_lowest, stage_if_unanswered_highest, changes},
    position_if_unanswered {lowest, highest}, next_stage_path, next_section,
    respondents {total, business, it, other, blank}, groups, parameters.
    """
    _check_catalogue(catalogue)
    codes = {q.code for s in catalogue.sections for q in s.questions}
    _check_inputs(codes, respondents, consensus, target_stage)
    params = catalogue.parameters
    consensus = dict(consensus) if consensus is not None else {}
    sections_by_key = {s.key: s for s in catalogue.sections}

    # Per question.
    answers = _collect(catalogue, respondents)
    values: dict[str, float | None] = {}
    deltas: dict[str, float] = {}
    questions: dict[str, dict] = {}
    for section in catalogue.sections:
        for question in section.questions:
            code = question.code
            given = answers[code]
            numbers = given.all
            mean = given.balanced_mean()
            has_consensus = code in consensus
            value = consensus[code] if has_consensus else mean
            values[code] = float(value) if value is not None else None
            if value is not None:
                deltas[code] = 1.0 if has_consensus else float(given.delta())
            a_q = agreement(numbers)
            questions[code] = {
                "section": section.key,
                "weight": question.weight,
                "defining": question.defining,
                "value": values[code],
                "mean": float(mean) if mean is not None else None,
                "consensus": consensus.get(code),
                "has_consensus": has_consensus,
                "answered": value is not None,
                "n": len(numbers),
                "dont_know": len(respondents) - len(numbers),
                "distribution": [numbers.count(v) for v in range(SCALE_MIN, SCALE_MAX + 1)],
                "agreement": a_q,
                "disputed": (a_q is not None and _lt(a_q, params.agreement_min))
                or given.sides_apart(),
                "delta": deltas.get(code),
            }

    # Per section.
    sections: dict[str, dict] = {}
    for section in catalogue.sections:
        figures = _section_figures(section, values, params)
        agreements = [
            questions[q.code]["agreement"]
            for q in section.questions
            if questions[q.code]["agreement"] is not None
        ]
        sections[section.key] = {
            "kind": "stage" if section.key in STAGE_SECTIONS else "enabler",
            "fulfilment": figures.fulfilment,
            "fulfilment_zero": figures.fulfilment_zero,
            "coverage": figures.coverage,
            "sufficient": figures.sufficient,
            "defining_met": figures.defining_met,
            "defining_total": figures.defining_total,
            "defining_met_count": figures.defining_met_count,
            "defining_unmet": [
                q.code
                for q in section.questions
                if q.defining
                and (values[q.code] is None or _lt(values[q.code], params.defining_min))
            ],
            "reached": figures.reached,
            "agreement": math.fsum(agreements) / len(agreements) if agreements else None,
            "disputed": [q.code for q in section.questions if questions[q.code]["disputed"]],
            "unanswered": [q.code for q in section.questions if values[q.code] is None],
        }

    # Stage, position, outliers.
    stage, position = _stage_and_position(sections_by_key, values, params)
    next_section = STAGE_SECTIONS[stage] if stage < len(STAGE_SECTIONS) else None
    outliers = [key for key in STAGE_SECTIONS[stage:] if sections[key]["reached"]]
    robustness = _robustness(sections_by_key, values, deltas, params, stage)

    # Warnings, in the contract's order.
    warnings = [
        f"insufficient_data:{key}" for key in SECTION_KEYS if not sections[key]["sufficient"]
    ]
    warnings += [
        f"defining_not_met:{key}"
        for key in STAGE_SECTIONS
        if sections[key]["sufficient"]
        and sections[key]["fulfilment"] is not None
        and _ge(sections[key]["fulfilment"], params.threshold)
        and not sections[key]["defining_met"]
    ]
    non_blank = [r for r in respondents if any(v is not None for v in r.answers.values())]
    if len(respondents) >= 2:
        warnings += [
            f"perspective_missing:{p}"
            for p in ("business", "it")
            if not any(r.perspective == p for r in non_blank)
        ]
    if stage >= 3 and not sections["bizdevops"]["reached"]:
        warnings.append("bizdevops_not_reached")
    if stage == 4 and not sections["dto"]["reached"]:
        warnings.append("dto_not_reached")
    if not robustness["robustness"]["robust"]:
        warnings.append("not_robust")

    # Groups (anonymity: per section, only where both business and IT reach k).
    if len(respondents) >= 2:
        groups, perception_gap = _groups(catalogue, respondents)
    else:
        groups, perception_gap = {}, {key: None for key in SECTION_KEYS}

    target_gap = None
    if target_stage is not None:
        shown_position = Decimal(repr(round_half_up(position, 2)))
        target_gap = float(max(Decimal(0), Decimal(target_stage) - shown_position))

    return {
        "method": METHOD,
        "stage": {"index": stage, "key": STAGES[stage]},
        "position": position,
        "sections": {key: sections[key] for key in SECTION_KEYS},
        "questions": questions,
        "outliers": outliers,
        "warnings": warnings,
        "perception_gap": {key: perception_gap[key] for key in SECTION_KEYS},
        "target_stage": target_stage,
        "target_gap": target_gap,
        **robustness,
        "next_stage_path": next_stage_path(catalogue, values, stage),
        "next_section": next_section,
        "respondents": {
            "total": len(respondents),
            **{p: sum(1 for r in respondents if r.perspective == p) for p in PERSPECTIVES},
            "blank": len(respondents) - len(non_blank),
        },
        "groups": groups,
        "parameters": {
            "threshold": params.threshold,
            "min_coverage": params.min_coverage,
            "min_group_size": params.min_group_size,
            "defining_min": params.defining_min,
            "agreement_min": params.agreement_min,
        },
    }


def project(
    catalogue: CatalogueSpec,
    respondents: Sequence[ResponseSet],
    *,
    consensus: Mapping[str, int | None] | None = None,
    raise_to: Mapping[str, int],
) -> dict:
    """Stage and position if the questions in ``raise_to`` had those values (as a
    consensus would set them): ``{"stage": {...}, "position": P}``."""
    result = score(catalogue, respondents, consensus={**(consensus or {}), **raise_to})
    return {"stage": result["stage"], "position": result["position"]}


# --------------------------------------------------------------------------- display helpers


def band(fulfilment: float | None, threshold: float) -> str | None:
    """Which of a section's catalogue recommendations apply: low below 0.35, high from θ,
    mid between. Not part of the method; it only picks recommendation texts."""
    if fulfilment is None:
        return None
    if _lt(fulfilment, LOW_BAND_LIMIT):
        return "low"
    if _lt(fulfilment, threshold):
        return "mid"
    return "high"


# --------------------------------------------------------------------------- rounding

_FOUR = ("value", "mean", "sigma", "agreement", "fulfilment", "fulfilment_zero", "coverage")


def _round_keys(figures: dict, names: Iterable[str], digits: int = 4) -> None:
    for name in names:
        if name in figures and figures[name] is not None:
            figures[name] = round_half_up(figures[name], digits)


def round_result(result: dict) -> dict:
    """A copy rounded half up for display and output: figures to 4 decimals, positions to
    2. Works for results of method 1 too (it rounds the figures a result has)."""
    out = copy.deepcopy(result)
    out["position"] = round_half_up(out["position"], 2)
    _round_keys(out, ["target_gap"])
    for figures in out["sections"].values():
        _round_keys(figures, _FOUR)
    out["perception_gap"] = {k: round_half_up(v, 4) for k, v in out["perception_gap"].items()}
    for figures in out["questions"].values():
        _round_keys(figures, (*_FOUR, "delta"))
    for group in out.get("groups", {}).values():
        for figures in group["sections"].values():
            _round_keys(figures, _FOUR)
    if out.get("position_if_unanswered"):
        out["position_if_unanswered"] = {
            k: round_half_up(v, 2) for k, v in out["position_if_unanswered"].items()
        }
    for change in out.get("robustness", {}).get("changes", []):
        _round_keys(change, ["value"])
    return out
