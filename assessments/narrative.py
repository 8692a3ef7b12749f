"""Turns a stored scoring result into what people read: labels, warnings in plain words,
what holds the organisation at its stage. Shared by the results page and the PDF report;
call inside the language the reader wants (``translation.override``)."""

from django.utils.translation import gettext as _

from . import scoring
from .formatting import pct
from .models import Section


def stage_label(index: int) -> str:
    return [
        _("Silo"),
        _("Alignment"),
        _("Integration"),
        _("Co-Creation"),
        _("Fusion / Convergence"),
    ][index]


def band_label(band: str | None) -> str:
    return {
        "low": _("just starting"),
        "mid": _("under way, below the threshold"),
        "high": _("reached the threshold"),
        None: _("no answers"),
    }[band]


def warning_text(code: str, titles: dict[str, str], parameters: dict) -> str:
    if code.startswith("insufficient_data:"):
        key = code.split(":", 1)[1]
        return _(
            "Too few answers for “%(section)s”: less than %(coverage)s of its questions "
            "(by weight) were answered, so it counts as not reached."
        ) % {"section": titles[key], "coverage": pct(parameters["min_coverage"])}
    if code == "bizdevops_not_reached":
        return _(
            "The organisation works at Co-Creation level or above, but BizDevOps is not "
            "reached: continuous co-creation lacks its delivery model."
        )
    if code == "dto_not_reached":
        return _(
            "The organisation has reached Fusion, but the Digital Twin of the Organization "
            "is not reached: strategy, operations and technology lack a shared model."
        )
    return code


def section_titles(sections: list[Section]) -> dict[str, str]:
    return {s.key: s.title for s in sections}


def round_rows(rounds: dict, questions: dict) -> list[dict]:
    """Questions voted on again in a workshop: agreement in the first and the last round."""
    rows = []
    for code, per_round in rounds.items():
        if code not in questions:
            continue
        first, last = per_round[0], per_round[-1]
        change = (
            last["agreement"] - first["agreement"]
            if first["agreement"] is not None and last["agreement"] is not None
            else None
        )
        rows.append(
            {
                "question": questions[code],
                "rounds": len(per_round),
                "first": first,
                "last": last,
                "change": change,
            }
        )
    return sorted(rows, key=lambda r: (r["question"].section.order, r["question"].order))


def result_view(result: dict, sections: list[Section], rounds: dict | None = None) -> dict:
    """Everything the results page and the report show, rounded for display, in the
    active language. ``result`` is the full-precision snapshot result."""
    shown = scoring.round_result(result)
    titles = section_titles(sections)
    questions = {q.code: q for s in sections for q in s.questions.all()}
    parameters = shown["parameters"]
    stage = shown["stage"]["index"]

    section_rows = []
    for section in sections:
        data = shown["sections"][section.key]
        # The band only picks the catalogue's recommendation texts (method 1 stored it).
        band = scoring.band(result["sections"][section.key]["fulfilment"], parameters["threshold"])
        section_rows.append(
            {
                "section": section,
                "key": section.key,
                "title": section.title,
                "kind": data["kind"],
                "fulfilment": data["fulfilment"],
                "coverage": data["coverage"],
                "sufficient": data["sufficient"],
                "reached": data["reached"],
                "agreement": data["agreement"],
                "band": band,
                "band_label": band_label(band),
                "disputed": [questions[c] for c in data["disputed"]],
                "recommendations": section.recommendations_for(band or "low"),
                "perception_gap": shown["perception_gap"].get(section.key),
                "outlier": section.key in shown["outliers"],
            }
        )

    def question_row(code: str) -> dict:
        q = shown["questions"][code]
        question = questions[code]
        value = q["value"]
        anchor = question.labels[scoring.label_index(value)] if value is not None else None
        return {"question": question, "data": q, "value": value, "anchor": anchor}

    next_key = shown["next_section"]
    # Method 2 names the fewest questions that reach the next stage; method 1 results
    # (stored before it) listed "blockers".
    path = shown.get("next_stage_path")
    blocking_codes = path["questions"] if path else shown.get("blockers", [])
    blockers = [question_row(code) for code in blocking_codes[:5]]
    next_section = next((r for r in section_rows if r["key"] == next_key), None)
    unanswered_next = (
        [questions[c] for c in shown["sections"][next_key]["unanswered"]] if next_key else []
    )

    return {
        "result": shown,
        "stage_index": stage,
        "stage_label": stage_label(stage),
        "position": shown["position"],
        "target_stage": shown["target_stage"],
        "target_label": stage_label(shown["target_stage"]) if shown["target_stage"] else None,
        "target_gap": shown["target_gap"],
        "sections": section_rows,
        "stage_sections": [r for r in section_rows if r["kind"] == "stage"],
        "enabler_sections": [r for r in section_rows if r["kind"] == "enabler"],
        "outliers": [titles[k] for k in shown["outliers"]],
        "warnings": [warning_text(w, titles, parameters) for w in shown["warnings"]],
        "next_section": next_section,
        "blockers": blockers,
        "unanswered_next": unanswered_next,
        "questions": [question_row(q.code) for s in sections for q in s.questions.all()],
        "respondents": shown["respondents"],
        "parameters": parameters,
        "multi": shown["respondents"]["total"] > 1,
        "groups_shown": sorted(shown.get("groups", {})),
        "titles": titles,
        "round_rows": round_rows(rounds or {}, questions),
    }
