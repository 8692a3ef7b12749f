"""The scoring method, exactly as /work/shared/SCORING.md (the contract) describes it.

A pure module: no Django, no database. Inputs are plain data classes, the output is a
JSON-serialisable dict in full precision (stored as the result snapshot); ``round_result``
makes the rounded copy used for display and machine-readable output.

Notation follows the contract: v_q value of a question, σ_q its spread, a_q = 1 − σ_q/2 its
agreement; f_s fulfilment and c_s coverage of a section; θ threshold, c_min minimum
coverage, k minimum group size; S stage, P position, T target stage.
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

STAGES = ("silo", "alignment", "integration", "co_creation", "fusion")
STAGE_SECTIONS = ("alignment", "integration", "co_creation", "fusion")
ENABLER_SECTIONS = ("bizdevops", "dto")
SECTION_KEYS = STAGE_SECTIONS + ENABLER_SECTIONS
PERSPECTIVES = ("business", "it", "other")

SCALE_MIN = 0
SCALE_MAX = 4
LOW_BAND_LIMIT = 0.35
DISPUTE_SIGMA = 1.0


class ScoringError(ValueError):
    """The inputs cannot be scored; the message says which value and why."""


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    weight: float = 1.0


@dataclass(frozen=True)
class SectionSpec:
    key: str
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class Parameters:
    threshold: float = 0.6
    min_coverage: float = 0.5
    min_group_size: int = 3


@dataclass(frozen=True)
class CatalogueSpec:
    sections: tuple[SectionSpec, ...]
    parameters: Parameters = field(default_factory=Parameters)


@dataclass(frozen=True)
class ResponseSet:
    """One respondent: a missing code is a skipped question, which counts as don't know."""

    perspective: str
    answers: Mapping[str, int | None]


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
        if not section.questions:
            raise ScoringError(f"catalogue: section {section.key} has no questions")
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
    params = catalogue.parameters
    if not _is_number(params.threshold) or not 0 < params.threshold <= 1:
        raise ScoringError(f"parameters: threshold {params.threshold!r} must be in (0, 1]")
    if not _is_number(params.min_coverage) or not 0 <= params.min_coverage <= 1:
        raise ScoringError(f"parameters: min_coverage {params.min_coverage!r} must be in [0, 1]")
    if not _is_int(params.min_group_size) or params.min_group_size < 1:
        raise ScoringError(
            f"parameters: min_group_size {params.min_group_size!r} must be an integer >= 1"
        )


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


# --------------------------------------------------------------------------- formulas


def spread(values: Sequence[int]) -> tuple[float | None, float | None]:
    """(σ, agreement) of two or more non-null answers, as the contract defines them."""
    if len(values) < 2:
        return None, None
    sigma = statistics.pstdev(values)
    return sigma, 1 - sigma / 2


def band(fulfilment: float | None, threshold: float) -> str | None:
    """Recommendation band of a section: low below 0.35, high from θ, mid between."""
    if fulfilment is None:
        return None
    if fulfilment < LOW_BAND_LIMIT:
        return "low"
    if fulfilment < threshold:
        return "mid"
    return "high"


def _question_values(
    catalogue: CatalogueSpec,
    respondents: Sequence[ResponseSet],
    consensus: Mapping[str, int | None] | None,
) -> dict[str, float | None]:
    """v_q per code: the mean of the non-null values, replaced by a consensus if given."""
    values: dict[str, float | None] = {}
    for section in catalogue.sections:
        for question in section.questions:
            given = [r.answers.get(question.code) for r in respondents]
            numbers = [v for v in given if v is not None]
            value = sum(numbers) / len(numbers) if numbers else None
            if consensus is not None and question.code in consensus:
                value = consensus[question.code]
            values[question.code] = value
    return values


def _section_figures(
    section: SectionSpec, values: Mapping[str, float | None]
) -> tuple[float | None, float]:
    """(f_s, c_s): f_s = Σ w·v / (4·Σ w) over answered questions, c_s = answered weight share."""
    total_weight = sum(q.weight for q in section.questions)
    answered = [(q.weight, values[q.code]) for q in section.questions if values[q.code] is not None]
    answered_weight = sum(w for w, _ in answered)
    fulfilment = (
        sum(w * v for w, v in answered) / (SCALE_MAX * answered_weight) if answered else None
    )
    return fulfilment, answered_weight / total_weight


def _group_figures(
    catalogue: CatalogueSpec, respondents: Sequence[ResponseSet]
) -> dict[str, dict[str, float | None]]:
    values = _question_values(catalogue, respondents, None)
    figures = {}
    for section in catalogue.sections:
        fulfilment, coverage = _section_figures(section, values)
        figures[section.key] = {"fulfilment": fulfilment, "coverage": coverage}
    return figures


def score(
    catalogue: CatalogueSpec,
    respondents: Sequence[ResponseSet],
    *,
    consensus: Mapping[str, int | None] | None = None,
    target_stage: int | None = None,
) -> dict:
    """Score an assessment. Raises ScoringError for inputs the contract does not allow."""
    _check_catalogue(catalogue)
    codes = {q.code for s in catalogue.sections for q in s.questions}
    _check_inputs(codes, respondents, consensus, target_stage)
    params = catalogue.parameters
    theta = params.threshold
    consensus = dict(consensus) if consensus is not None else None

    # Per question.
    values = _question_values(catalogue, respondents, consensus)
    questions: dict[str, dict] = {}
    for section in catalogue.sections:
        for question in section.questions:
            code = question.code
            numbers = [r.answers[code] for r in respondents if r.answers.get(code) is not None]
            sigma = statistics.pstdev(numbers) if len(numbers) >= 2 else None
            has_consensus = consensus is not None and code in consensus
            questions[code] = {
                "section": section.key,
                "weight": question.weight,
                "value": values[code],
                "mean": sum(numbers) / len(numbers) if numbers else None,
                "consensus": consensus[code] if has_consensus else None,
                "has_consensus": has_consensus,
                "n": len(numbers),
                "dont_know": len(respondents) - len(numbers),
                "distribution": [numbers.count(v) for v in range(SCALE_MIN, SCALE_MAX + 1)],
                "sigma": sigma,
                "agreement": 1 - sigma / 2 if sigma is not None else None,
                "disputed": sigma is not None and sigma >= DISPUTE_SIGMA,
            }

    # Per section.
    sections: dict[str, dict] = {}
    for section in catalogue.sections:
        fulfilment, coverage = _section_figures(section, values)
        sufficient = coverage >= params.min_coverage
        agreements = [
            questions[q.code]["agreement"]
            for q in section.questions
            if questions[q.code]["agreement"] is not None
        ]
        sections[section.key] = {
            "kind": "stage" if section.key in STAGE_SECTIONS else "enabler",
            "fulfilment": fulfilment,
            "coverage": coverage,
            "sufficient": sufficient,
            "reached": sufficient and fulfilment is not None and fulfilment >= theta,
            "agreement": sum(agreements) / len(agreements) if agreements else None,
            "disputed": [q.code for q in section.questions if questions[q.code]["disputed"]],
            "unanswered": [q.code for q in section.questions if values[q.code] is None],
            "band": band(fulfilment, theta),
        }

    # Stage and position.
    stage = 0
    for key in STAGE_SECTIONS:
        if not sections[key]["reached"]:
            break
        stage += 1
    if stage == len(STAGE_SECTIONS):
        position = float(stage)
        next_section = None
    else:
        next_section = STAGE_SECTIONS[stage]
        upper = sections[next_section]
        if upper["sufficient"] and upper["fulfilment"] is not None:
            position = stage + upper["fulfilment"] / theta
        else:
            position = float(stage)
    outliers = [key for key in STAGE_SECTIONS[stage:] if sections[key]["reached"]]

    # Warnings, in the contract's order.
    warnings = [
        f"insufficient_data:{key}" for key in SECTION_KEYS if not sections[key]["sufficient"]
    ]
    if stage >= 3 and not sections["bizdevops"]["reached"]:
        warnings.append("bizdevops_not_reached")
    if stage == 4 and not sections["dto"]["reached"]:
        warnings.append("dto_not_reached")

    # Groups (anonymity: a group below k appears nowhere) and perception gap.
    counts = {p: sum(1 for r in respondents if r.perspective == p) for p in PERSPECTIVES}
    groups: dict[str, dict] = {}
    for perspective in PERSPECTIVES:
        if counts[perspective] >= params.min_group_size:
            members = [r for r in respondents if r.perspective == perspective]
            groups[perspective] = {
                "respondents": counts[perspective],
                "sections": _group_figures(catalogue, members),
            }
    perception_gap: dict[str, float | None] = {}
    for section in catalogue.sections:
        gap = None
        if "business" in groups and "it" in groups:
            f_business = groups["business"]["sections"][section.key]["fulfilment"]
            f_it = groups["it"]["sections"][section.key]["fulfilment"]
            if f_business is not None and f_it is not None:
                gap = f_business - f_it
        perception_gap[section.key] = gap

    # What blocks the next rung: answered questions below 4, weakest and heaviest first.
    blockers: list[str] = []
    if next_section is not None:
        section = next(s for s in catalogue.sections if s.key == next_section)
        candidates = [
            (values[q.code], -q.weight, order, q.code)
            for order, q in enumerate(section.questions)
            if values[q.code] is not None and values[q.code] < SCALE_MAX
        ]
        blockers = [code for *_, code in sorted(candidates)]

    return {
        "stage": {"index": stage, "key": STAGES[stage]},
        "position": position,
        "sections": sections,
        "outliers": outliers,
        "warnings": warnings,
        "perception_gap": perception_gap,
        "target_stage": target_stage,
        "target_gap": max(0.0, target_stage - position) if target_stage is not None else None,
        "questions": questions,
        "respondents": {"total": len(respondents), **counts},
        "groups": groups,
        "next_section": next_section,
        "blockers": blockers,
        "parameters": {
            "threshold": theta,
            "min_coverage": params.min_coverage,
            "min_group_size": params.min_group_size,
        },
    }


# --------------------------------------------------------------------------- rounding


def _round(value: float | None, digits: int) -> float | None:
    if value is None:
        return None
    return round(value, digits) + 0.0  # + 0.0 turns a rounded -0.0 into 0.0


def round_result(result: dict) -> dict:
    """A copy rounded for display and output: figures to 4 decimals, position to 2."""
    out = copy.deepcopy(result)
    out["position"] = _round(out["position"], 2)
    out["target_gap"] = _round(out.get("target_gap"), 4)
    for figures in out["sections"].values():
        for name in ("fulfilment", "coverage", "agreement"):
            figures[name] = _round(figures[name], 4)
    out["perception_gap"] = {k: _round(v, 4) for k, v in out["perception_gap"].items()}
    for figures in out["questions"].values():
        for name in ("value", "mean", "sigma", "agreement"):
            figures[name] = _round(figures[name], 4)
    for group in out["groups"].values():
        for figures in group["sections"].values():
            for name in ("fulfilment", "coverage"):
                figures[name] = _round(figures[name], 4)
    return out
