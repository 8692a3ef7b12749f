"""What the report says, computed from a stored snapshot: the executive summary's sentences,
the strongest and weakest questions, the roadmap, the perception gaps, progress since the
previous assessment and the answers appendix.

Pure functions over the snapshot's result dict and the catalogue's sections; no database.
Call inside ``translation.override(lang)``: sentences and number formats follow the active
language. Every number a sentence quotes is formatted by assessments.formatting, as in the
templates, and appears again in a table or chart of the report, so every sentence can be
traced to a figure.
"""

import math
import re

from django.utils.translation import gettext as _

from assessments import narrative, scoring
from assessments.formatting import num, pct, signed_num, signed_pp

SCALE_MAX = 4
# The roadmap lists the most important items of each group (the rest are counted).
GROUP_LIMITS = {"now": 8, "next": 5, "later": 3}
DISPUTED_LIMIT = 8  # the most disputed questions are listed, the others named
NAMED_GAP_MIN = 0.10  # the largest perception gap is named above 10 percentage points
HOLDING_LIMIT = 3  # a section page names the three weakest questions
# C0 control characters other than tab, line feed and carriage return.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def printable(text: str) -> str:
    """text without control characters; vertical tab and form feed become spaces.

    Text pasted from a word processor can carry them (Word's manual line break is a vertical
    tab). No font draws them, and XML, so XLSX and the report's parser, does not allow them."""
    return _UNPRINTABLE.sub(lambda match: " " if match[0] in "\x0b\x0c" else "", text)


def target_level(threshold: float) -> int:
    """L: the answer level every question of a rung needs so that the rung is reached.
    A section whose questions all stand at L has fulfilment L/4 ≥ θ; L = ⌈4·θ⌉ (3 for
    θ = 0.6, "largely")."""
    return min(SCALE_MAX, max(1, math.ceil(SCALE_MAX * threshold - 1e-9)))


def priority(weight: float, current: float | None, level: int) -> float:
    """w · max((1 + L − C)² − 1, 0), C = the question's value (0 if unanswered)."""
    c = 0.0 if current is None else current
    return weight * max((1 + level - c) ** 2 - 1, 0.0)


def _questions(sections) -> dict:
    return {q.code: q for s in sections for q in s.questions.all()}


def _order(sections) -> dict[str, int]:
    return {q.code: i for i, q in enumerate(q for s in sections for q in s.questions.all())}


def _anchor(question, value: float | None) -> str | None:
    if value is None:
        return None
    return question.labels[round(value)]


def strongest_weakest(shown: dict, sections, count: int = 3) -> tuple[list[dict], list[dict]]:
    """The answered questions with the highest and the lowest values (catalogue order breaks
    ties; the two lists never share a question)."""
    questions = _questions(sections)
    order = _order(sections)
    titles = narrative.section_titles(sections)
    answered = [
        (code, data) for code, data in shown["questions"].items() if data["value"] is not None
    ]
    top = sorted(answered, key=lambda item: (-item[1]["value"], order[item[0]]))[:count]
    top_codes = {code for code, _data in top}
    rest = [item for item in answered if item[0] not in top_codes]
    bottom = sorted(rest, key=lambda item: (item[1]["value"], order[item[0]]))[:count]

    def row(item):
        code, data = item
        question = questions[code]
        return {
            "code": code,
            "question": question,
            "value": data["value"],
            "anchor": _anchor(question, data["value"]),
            "section": titles[data["section"]],
        }

    return [row(i) for i in top], [row(i) for i in bottom]


def roadmap(result: dict, sections) -> dict:
    """Prioritised actions, grouped:

    - now: the questions of the next rung (the one that raises the stage); at Fusion, the
      enablers that are not reached;
    - next: the rungs after it up to the target stage, and the enablers the target needs
      (BizDevOps from Co-Creation, the DTO at Fusion);
    - later: every other question below the level L.

    Within a group the priority w · max((1 + L − C)² − 1, 0) orders, catalogue order breaks
    ties. Questions at or above L have priority 0 and are left out.
    """
    shown = scoring.round_result(result)
    stage = result["stage"]["index"]
    target = result.get("target_stage") or 0
    level = target_level(result["parameters"]["threshold"])
    questions = _questions(sections)
    order = _order(sections)
    titles = narrative.section_titles(sections)
    stage_keys = list(scoring.STAGE_SECTIONS)
    horizon = max(stage + 1, target)  # the highest rung the plan aims for

    def group_of(section_key: str) -> str:
        if section_key in stage_keys:
            rung = stage_keys.index(section_key) + 1
            if rung <= stage:
                return "later"  # already reached
            if rung == stage + 1:
                return "now"
            return "next" if rung <= target else "later"
        if stage == len(stage_keys):
            return "now" if not result["sections"][section_key]["reached"] else "later"
        needed_from = 3 if section_key == "bizdevops" else 4
        return "next" if horizon >= needed_from else "later"

    groups: dict[str, list[dict]] = {"now": [], "next": [], "later": []}
    for code, data in result["questions"].items():
        value = data["value"]
        score = priority(data["weight"], value, level)
        if score <= 0:
            continue
        question = questions[code]
        groups[group_of(data["section"])].append(
            {
                "code": code,
                "question": question,
                "section": titles[data["section"]],
                "section_key": data["section"],
                "weight": data["weight"],
                "value": shown["questions"][code]["value"],
                "anchor": _anchor(question, value),
                "target_anchor": question.labels[level],
                "priority": round(score, 2),
                "sort": (-score, order[code]),
            }
        )
    for items in groups.values():
        items.sort(key=lambda item: item["sort"])
    top = (groups["now"] or groups["next"] or groups["later"] or [None])[0]
    plan = {"level": level, "level_label": scale_label(level), "top": top}
    for name, limit in GROUP_LIMITS.items():
        plan[name] = groups[name][:limit]
        plan[f"{name}_hidden"] = max(0, len(groups[name]) - limit)
    return plan


def scale_label(level: int) -> str:
    return narrative.scale_word(level)


def largest_gaps(shown: dict, sections, count: int = 3) -> list[dict]:
    """The sections where business and IT differ most (only where the gap may be shown)."""
    titles = narrative.section_titles(sections)
    groups = shown.get("groups", {})
    gaps = [
        (key, gap)
        for key, gap in shown["perception_gap"].items()
        if gap is not None and "business" in groups and "it" in groups
    ]
    gaps.sort(key=lambda item: -abs(item[1]))
    return [
        {
            "key": key,
            "title": titles[key],
            "business": groups["business"]["sections"][key]["fulfilment"],
            "it": groups["it"]["sections"][key]["fulfilment"],
            "gap": gap,
        }
        for key, gap in gaps[:count]
    ]


def disputed_questions(shown: dict, sections) -> dict:
    """The disputed questions, lowest agreement first (catalogue order breaks ties): the
    first few with their answers, the rest by code."""
    questions = _questions(sections)
    order = _order(sections)
    titles = narrative.section_titles(sections)
    codes = sorted(
        (code for code, data in shown["questions"].items() if data["disputed"]),
        key=lambda code: (shown["questions"][code]["agreement"] or 0.0, order[code]),
    )
    rows = [
        {
            "code": code,
            "question": questions[code],
            "section": titles[shown["questions"][code]["section"]],
            "data": shown["questions"][code],
        }
        for code in codes[:DISPUTED_LIMIT]
    ]
    return {"rows": rows, "more": sorted(codes[DISPUTED_LIMIT:], key=order.__getitem__)}


def section_pages(view: dict, shown: dict, sections, level: int) -> list[dict]:
    """Per section: its row of the results view, the questions that hold it back (below
    L, highest roadmap priority first) and the unanswered ones."""
    questions = _questions(sections)
    pages = []
    for row, section in zip(view["sections"], sections, strict=True):
        data = shown["sections"][section.key]
        items = []
        for question in section.questions.all():
            figures = shown["questions"][question.code]
            items.append(
                {
                    "question": question,
                    "data": figures,
                    "anchor": _anchor(question, figures["value"]),
                }
            )
        # Ordered like the roadmap: the highest priority first.
        holding = sorted(
            (i for i in items if i["data"]["value"] is not None and i["data"]["value"] < level),
            key=lambda i: -priority(i["data"]["weight"], i["data"]["value"], level),
        )[:HOLDING_LIMIT]
        pages.append(
            {
                **row,
                "questions": items,
                "holding": holding,
                "unanswered": [questions[c] for c in data["unanswered"]],
            }
        )
    return pages


def summary_sentences(
    *, organisation: str, view: dict, shown: dict, sections, plan: dict, prog, gaps
) -> list[str]:
    """The executive summary in sentences, each built from figures shown in the report."""
    sentences = [
        _(
            "%(organisation)s stands at the stage “%(stage)s”, at position %(position)s "
            "on the scale from 0 (Silo) to 4 (Fusion / Convergence)."
        )
        % {
            "organisation": organisation,
            "stage": view["stage_label"],
            "position": num(view["position"], 2),
        }
    ]
    if view["target_stage"]:
        if view["target_gap"] and view["target_gap"] > 0:
            sentences.append(
                _("Gap to the target stage “%(target)s” (%(index)s): %(gap)s.")
                % {
                    "target": view["target_label"],
                    "index": view["target_stage"],
                    "gap": num(view["target_gap"], 1),
                }
            )
        else:
            sentences.append(
                _("The target stage “%(target)s” is reached.") % {"target": view["target_label"]}
            )
    nxt = view["next_section"]
    if nxt is not None:
        threshold = pct(shown["parameters"]["threshold"])
        if not nxt["sufficient"]:
            sentences.append(
                _(
                    "The next stage, “%(section)s”, cannot be assessed yet: only %(coverage)s "
                    "of its questions are answered, at least %(minimum)s are needed."
                )
                % {
                    "section": nxt["title"],
                    "coverage": pct(nxt["coverage"]),
                    "minimum": pct(shown["parameters"]["min_coverage"]),
                }
            )
        else:
            sentences.append(
                _(
                    "The next stage, “%(section)s”, stands at a fulfilment of %(fulfilment)s; "
                    "it is reached at %(threshold)s and with its defining questions met."
                )
                % {
                    "section": nxt["title"],
                    "fulfilment": pct(nxt["fulfilment"]),
                    "threshold": threshold,
                }
            )
    steps = view["steps"]
    if steps:
        # The same list as the results page and the roadmap's "now" group: the first
        # question of the path to the next stage.
        top = steps[0]
        sentences.append(
            _(
                "The most important next step: %(code)s “%(text)s” from “%(current)s” to "
                "“%(needed)s”."
            )
            % top
        )
    # A perception gap is named only when it is larger than 10 percentage points.
    if gaps and abs(gaps[0]["gap"]) > NAMED_GAP_MIN + scoring.EPSILON:
        first = gaps[0]
        sentences.append(
            _(
                "Business and IT see “%(section)s” most differently: business %(business)s, "
                "IT %(it)s (gap %(gap)s)."
            )
            % {
                "section": first["title"],
                "business": pct(first["business"]),
                "it": pct(first["it"]),
                "gap": signed_pp(first["gap"]),
            }
        )
    if prog is not None:
        sentences.append(
            _("Since “%(title)s” the position has moved from %(then)s to %(now)s (%(change)s).")
            % {
                "title": prog["title"],
                "then": num(prog["position_then"], 2),
                "now": num(prog["position_now"], 2),
                "change": signed_num(prog["position_change"]),
            }
        )
    return sentences


def answers_appendix(inputs: dict, shown: dict, sections) -> list[dict]:
    """Per section, every question with each pseudonymised respondent's value and the
    comments. Names never reach the snapshot (R1, R2, ... only)."""
    respondents = inputs.get("respondents", [])
    consensus = inputs.get("consensus") or {}
    out = []
    for section in sections:
        rows = []
        comments = []
        for question in section.questions.all():
            code = question.code
            values = [r.get("answers", {}).get(code) for r in respondents]
            rows.append(
                {
                    "code": code,
                    "text": question.text,
                    "values": values,
                    "consensus": consensus.get(code) if code in consensus else None,
                    "has_consensus": code in consensus,
                    "value": shown["questions"][code]["value"],
                    "agreement": shown["questions"][code].get("agreement"),
                }
            )
            for r in respondents:
                comment = (r.get("comments") or {}).get(code)
                if comment:
                    comments.append({"code": code, "respondent": r["id"], "text": comment})
        out.append({"title": section.title, "rows": rows, "comments": comments})
    return out


def round_rows(data: dict, sections) -> list[dict]:
    """Workshop voting rounds stored in the snapshot (``data["rounds"]``, see
    assessments.selectors.round_summary): agreement in the first and the last round. Without
    rounds the report simply has no such table."""
    from assessments.narrative import round_rows as agreement_rows

    return [
        {
            "code": row["question"].code,
            "question": row["question"],
            "rounds": row["rounds"],
            "first": row["first"]["agreement"],
            "last": row["last"]["agreement"],
            "change": row["change"],
        }
        for row in agreement_rows(data.get("rounds") or {}, _questions(sections))
    ]
