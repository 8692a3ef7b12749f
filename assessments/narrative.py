"""Turns a stored scoring result into what people read: labels, warnings in plain words,
what holds the organisation at its stage. Shared by the results page and the PDF report;
call inside the language the reader wants (``translation.override``)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import scoring, selectors
from .formatting import num, pct
from .models import Section


def stage_label(index: int) -> str:
    return [
        _("Silo"),
        _("Alignment"),
        _("Integration"),
        _("Co-Creation"),
        _("Fusion / Convergence"),
    ][index]


def scale_word(level: int) -> str:
    """The answer scale in one word or two (the question's own labels are sentences)."""
    return [
        _("not in place"),
        _("ad hoc"),
        _("partly"),
        _("largely"),
        _("fully and systematically"),
    ][level]


def band_label(band: str | None) -> str:
    return {
        "low": _("just starting"),
        "mid": _("under way, below the threshold"),
        "high": _("reached the threshold"),
        None: _("no answers"),
    }[band]


def _title(titles: dict[str, str], key: str) -> str:
    return titles.get(key, stage_label(STAGE_KEYS.index(key) + 1) if key in STAGE_KEYS else key)


STAGE_KEYS = scoring.STAGE_SECTIONS
PERSPECTIVE_WORDS = {"business": "business", "it": "IT"}


def warning_text(code: str, titles: dict[str, str], parameters: dict) -> str:
    """Every warning code of methods 1 and 2 in plain words; a code this function does not
    know is never shown raw (an empty string, which the callers drop)."""
    kind, _sep, key = code.partition(":")
    if kind == "insufficient_data":
        return _(
            "Too few answers for “%(section)s”: less than %(coverage)s of its questions "
            "(by weight) were answered, so it cannot be assessed and counts as not reached."
        ) % {
            "section": _title(titles, key),
            "coverage": pct(parameters.get("min_coverage", scoring.Parameters.min_coverage)),
        }
    if kind == "defining_not_met":
        return _(
            "“%(section)s” has enough fulfilment, but at least one of its defining questions "
            "is answered below “partly”: without it the stage is not reached."
        ) % {"section": _title(titles, key)}
    if kind == "perspective_missing":
        if key == "business":
            return _(
                "Only IT has answered; nobody from the business. The result is IT's view of "
                "the collaboration, not a shared one, and business and IT cannot be compared."
            )
        return _(
            "Only the business has answered; nobody from IT. The result is the business's "
            "view of the collaboration, not a shared one, and business and IT cannot be "
            "compared."
        )
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
    if code == "not_robust":
        return _(
            "The stage hangs on single answers: moving one answer by its uncertainty "
            "changes it. Treat the stage as a range, not a point."
        )
    return ""


def headline(result: dict) -> str:
    """ "Integration (2.4)": the stage with the position to one decimal."""
    return _("%(stage)s (%(position)s)") % {
        "stage": stage_label(result["stage"]["index"]),
        "position": num(result["position"], 1),
    }


def _stage_range(low: int, high: int) -> str:
    if low == high:
        return stage_label(low)
    return _("%(low)s to %(high)s") % {"low": stage_label(low), "high": stage_label(high)}


def robustness_verdict(result: dict) -> str:
    """Whether one answer, moved by its uncertainty, could change the stage; empty for a
    method-1 result (it was not computed then)."""
    robustness = result.get("robustness")
    if not robustness:
        return ""
    if robustness["robust"]:
        return _("No single answer changes the stage.")
    return _("One answer could change the stage: between %(low)s and %(high)s.") % {
        "low": stage_label(robustness["stage_min"]),
        "high": stage_label(robustness["stage_max"]),
    }


def trust_statement(result: dict, titles: dict[str, str]) -> list[str]:
    """How far to trust the stage, in a few sentences a board member reads in one breath:
    who answered, how much was answered and disputed, whether one answer could change the
    stage, what the unanswered questions could do, and which stage section cannot be
    assessed (the stage is then a lower bound). Works on method-1 results too (they lack
    robustness; those sentences are left out). Used by the results page and the PDF."""
    people = result["respondents"]
    questions = result["questions"]
    sentences = []
    if people["total"] == 1:
        sentences.append(_("Answered by one person."))
    else:
        parts = [
            (people.get("business", 0), _("business")),
            (people.get("it", 0), _("IT")),
            (people.get("other", 0), _("other")),
        ]
        listed = ", ".join(f"{n} {word}" for n, word in parts if n)
        if people.get("blank"):
            sentences.append(
                _("Asked: %(total)s people (%(listed)s); %(blank)s of them gave no answer.")
                % {"total": people["total"], "listed": listed, "blank": people["blank"]}
            )
        else:
            sentences.append(
                _("Answered by %(total)s people (%(listed)s).")
                % {"total": people["total"], "listed": listed}
            )
    answered = sum(1 for q in questions.values() if q.get("answered", q["value"] is not None))
    disputed = sum(1 for q in questions.values() if q.get("disputed"))
    total = len(questions)
    sentence = _("%(answered)s of %(total)s questions are answered (coverage %(coverage)s).") % {
        "answered": answered,
        "total": total,
        "coverage": pct(answered / total if total else None),
    }
    if people["total"] > 1:
        sentence += " " + _("%(disputed)s of them are disputed (%(share)s).") % {
            "disputed": disputed,
            "share": pct(disputed / answered if answered else None),
        }
    sentences.append(sentence)
    robustness = result.get("robustness")
    if robustness:
        sentences.append(robustness_verdict(result))
        unanswered = total - answered
        if unanswered:
            sentences.append(
                ngettext(
                    "Answered lowest or highest, the %(count)s unanswered question would "
                    "give %(range)s.",
                    "Answered lowest or highest, the %(count)s unanswered questions would "
                    "give %(range)s.",
                    unanswered,
                )
                % {
                    "count": unanswered,
                    "range": _stage_range(
                        robustness["stage_if_unanswered_lowest"],
                        robustness["stage_if_unanswered_highest"],
                    ),
                }
            )
    missing = [
        _title(titles, key)
        for key in STAGE_KEYS
        if not result["sections"].get(key, {}).get("sufficient", True)
    ]
    if missing:
        sentences.append(
            ngettext(
                "“%(sections)s” cannot be assessed (too few answers), so the stage is a lower "
                "bound: it may be higher.",
                "“%(sections)s” cannot be assessed (too few answers), so the stage is a "
                "lower bound: it may be higher.",
                len(missing),
            )
            % {"sections": "”, “".join(missing)}
        )
    return sentences


def agreement_words(value: float | None) -> str:
    """r_wg in words: 0 means answers as spread as random ones, 1 everyone the same."""
    if value is None:
        return _("fewer than two answers")
    if value >= 1 - scoring.EPSILON:
        return _("everyone the same")
    if value >= 0.7 - scoring.EPSILON:
        return _("broad agreement")
    if value > scoring.EPSILON:
        return _("weak agreement")
    return _("answers as spread as random ones")


def _answer_label(question, value: float | None) -> str:
    """The question's own label for a value (a sentence), or "unanswered"."""
    if value is None:
        return _("unanswered")
    return question.labels[scoring.label_index(value)]


def _answer_word(value: float | None) -> str:
    """The scale word for a value ("ad hoc"), or "unanswered"."""
    if value is None:
        return _("unanswered")
    return scale_word(scoring.label_index(value))


def _unmet_answer(value: float | None) -> str:
    """An unmet defining question's answer: the scale word, and the value too when it is a
    mean, since a mean of 1.6 reads "partly" and is still below the 2 it needs."""
    word = _answer_word(value)
    if value is None or float(value).is_integer():
        return word
    return f"{num(value, 1)}, {word}"


def not_reached_reasons(result: dict, sections: list[Section]) -> list[str]:
    """Why each stage section from the next one up is not reached, in words: a defining
    question below "partly" is named as the reason even when the fulfilment is enough."""
    params = result["parameters"]
    threshold = params["threshold"]
    defining_min = params.get("defining_min", scoring.Parameters.defining_min)
    questions = {q.code: q for s in sections for q in s.questions.all()}
    by_key = {s.key: s for s in sections}
    reasons = []
    for key in STAGE_KEYS[result["stage"]["index"] :]:
        data = result["sections"][key]
        if data["reached"] or key not in by_key:
            continue
        title = by_key[key].title
        if not data["sufficient"]:
            reasons.append(
                _(
                    "“%(section)s” cannot be assessed: only %(coverage)s of it is answered, "
                    "at least %(minimum)s are needed."
                )
                % {
                    "section": title,
                    "coverage": pct(data["coverage"]),
                    "minimum": pct(params["min_coverage"]),
                }
            )
        else:
            named = "; ".join(
                _("%(code)s “%(text)s”: %(answer)s")
                % {
                    "code": code,
                    "text": questions[code].text,
                    "answer": _unmet_answer(result["questions"][code]["value"]),
                }
                for code in data.get("defining_unmet", [])
                if code in questions
            )
            values = {
                "section": title,
                "fulfilment": pct(data["fulfilment"]),
                "threshold": pct(threshold),
                "needed": scale_word(defining_min),
                "questions": named,
            }
            enough = data["fulfilment"] is not None and (
                data["fulfilment"] >= threshold - scoring.EPSILON
            )
            if enough:
                reasons.append(
                    _(
                        "“%(section)s” is not reached although its fulfilment is "
                        "%(fulfilment)s: a defining question is answered below “%(needed)s” "
                        "(%(questions)s)."
                    )
                    % values
                )
            elif named:
                reasons.append(
                    _(
                        "“%(section)s” is not reached: its fulfilment is %(fulfilment)s, it "
                        "needs %(threshold)s, and a defining question is answered below "
                        "“%(needed)s” (%(questions)s)."
                    )
                    % values
                )
            else:
                reasons.append(
                    _(
                        "“%(section)s” is not reached: its fulfilment is %(fulfilment)s, "
                        "it needs %(threshold)s."
                    )
                    % values
                )
        break  # the next stage is what the reader acts on; higher ones follow from it
    return reasons


def next_stage_steps(result: dict, sections: list[Section]) -> list[dict]:
    """THE list of what holds the organisation back: the fewest questions that, answered
    "largely", reach the next stage (``next_stage_path``), in the engine's order. The
    results page, the executive summary's most important next step and the roadmap's
    "now" group all read this list. Each item: ``code``, ``question`` (the Question),
    ``text``, ``section`` (its key), ``value`` (full precision or None), ``current`` (the
    answer label, or "unanswered"), ``needed`` (the label of "largely"), ``defining``.
    ``current`` and ``needed`` are scale words ("ad hoc", "largely"); ``current_label`` and
    ``needed_label`` the question's own answer sentences.
    Method-1 results had no path; their stored "blockers" stand in."""
    questions = {q.code: q for s in sections for q in s.questions.all()}
    path = result.get("next_stage_path")
    codes = path["questions"] if path else result.get("blockers", [])
    steps = []
    for code in codes:
        if code not in questions:
            continue
        question = questions[code]
        data = result["questions"][code]
        steps.append(
            {
                "code": code,
                "question": question,
                "text": question.text,
                "section": data.get("section", question.section.key),
                "value": data["value"],
                "current": _answer_word(data["value"]),
                "needed": scale_word(scoring.PATH_VALUE),
                "current_label": _answer_label(question, data["value"]),
                "needed_label": question.labels[scoring.PATH_VALUE],
                "defining": bool(data.get("defining", question.defining)),
            }
        )
    return steps


def step_text(step: dict) -> str:
    """One path item as a sentence: what answer it needs."""
    return _("%(code)s %(text)s – from “%(current)s” to “%(needed)s”") % step


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
        return {
            "question": question,
            "data": q,
            "value": value,
            "anchor": anchor,
            "agreement_words": agreement_words(q.get("agreement")) if q.get("n", 0) > 1 else "",
        }

    next_key = shown["next_section"]
    all_rows = [question_row(q.code) for s in sections for q in s.questions.all()]
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
        "warnings": [
            t for t in (warning_text(w, titles, parameters) for w in shown["warnings"]) if t
        ],
        "headline": headline(result),
        "trust": trust_statement(result, titles),
        "reasons": not_reached_reasons(result, sections),
        "next_section": next_section,
        "steps": next_stage_steps(result, sections),
        "unanswered_next": unanswered_next,
        # Disputed questions first: they are what a workshop should talk about.
        "questions": sorted(all_rows, key=lambda r: not r["data"].get("disputed")),
        "method": result.get("method", 1),
        "respondents": shown["respondents"],
        "parameters": parameters,
        "multi": shown["respondents"]["total"] > 1,
        "groups_shown": sorted(shown.get("groups", {})),
        "titles": titles,
        "round_rows": round_rows(rounds or {}, questions),
    }


def progress(
    *,
    now: dict,
    then: dict,
    sections: list[Section],
    previous,
    catalogue_version: str,
    recomputed: bool,
) -> dict:
    """Change per section and in position since the organisation's previous result.
    ``now``/``then`` are results of the same method (``selectors.comparable_results``);
    ``previous`` is the earlier snapshot: its title, and the assessment's dates (closed,
    else created), not the day its result was stored. Used by the results page and PDF."""
    shown = scoring.round_result(now)
    before = scoring.round_result(then)
    rows = []
    for section in sections:
        value_now = shown["sections"][section.key]["fulfilment"]
        value_then = before["sections"].get(section.key, {}).get("fulfilment")
        change = (
            None if value_now is None or value_then is None else round(value_now - value_then, 4)
        )
        rows.append(
            {"title": section.title, "then": value_then, "now": value_now, "change": change}
        )
    earlier = previous.assessment
    return {
        "title": earlier.title,
        "date": earlier.closed_at or earlier.created_at,
        "catalogue_version": previous.catalogue_version,
        "same_catalogue": previous.catalogue_version == catalogue_version,
        "method": now.get("method", 1),
        "recomputed": recomputed,
        "position_then": before["position"],
        "position_now": shown["position"],
        "position_change": round(shown["position"] - before["position"], 2),
        "stage_then": stage_label(before["stage"]["index"]),
        "stage_now": stage_label(shown["stage"]["index"]),
        "sections": rows,
    }


def progress_since_previous(*, snapshot, sections) -> dict | None:
    """Progress against the previous closed assessment, for the results page and the PDF
    alike: results of the same method only (the older one recomputed where needed, which
    the text then says). None when there is no previous assessment."""
    previous = selectors.previous_snapshot(snapshot=snapshot)
    if previous is None:
        return None
    pair = selectors.comparable_results(snapshot=snapshot, previous=previous)
    return progress(
        now=pair["now"],
        then=pair["then"],
        sections=sections,
        previous=previous,
        catalogue_version=snapshot.catalogue_version,
        recomputed=pair["recomputed_now"] or pair["recomputed_then"],
    )
