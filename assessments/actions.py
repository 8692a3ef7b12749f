"""Actions instead of band recommendations (catalogue 2026.2): which questions get an action,
in which order, and the dimension heatmap's cells.

Pure functions over a stored scoring result and the catalogue's rows (already fetched); no
queries of their own when the sections come with their questions prefetched. Call inside the
reader's language (``translation.override``): texts are picked in the active language.

Rules (issue 12):
- a question gets an action only while it stands below "largely": its value's answer label
  (``scoring.label_index``) is below 3, or it has no answer. A question at 3 or 4 never does;
- a section without a single answer gets no action at all: "answer these questions first";
- order: the questions of method 2's path to the next stage first (in the path's order),
  then the questions of the rungs after it up to the target stage (and the enablers the
  target needs: BizDevOps from Co-Creation, the DTO at Fusion), then everything else below
  "largely"; catalogue order breaks ties. The list is then grouped by the action's horizon
  (now / next / later), keeping that order inside each group.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import scoring
from .figures import short_titles
from .models import Perspective

LARGELY = 3  # the answer label from which a question needs no action
HORIZONS = ("now", "next", "later")
PATH, TOWARDS_TARGET, FURTHER = 0, 1, 2
SUMMARY_ACTIONS = 3  # the executive summary names at most this many actions of the path


def _lang() -> str:
    lang = (get_language() or "de")[:2]
    return lang if lang in ("en", "de") else "en"


def pick(texts: dict | None) -> str:
    """The active language's text of an ``{en, de}`` mapping ("" when absent)."""
    if not texts:
        return ""
    return texts.get(_lang()) or texts.get("en", "")


def horizon_label(horizon: str) -> str:
    return {
        "now": _("Now (up to 3 months)"),
        "next": _("Next (3 to 12 months)"),
        "later": _("Later (12 to 24 months)"),
    }[horizon]


def effort_label(effort: str) -> str:
    return {"S": _("small"), "M": _("medium"), "L": _("large")}[effort]


def needs_action(value: float | None) -> bool:
    """Below "largely": no answer, or an answer label below 3."""
    return value is None or scoring.label_index(value) < LARGELY


def has_actions(sections) -> bool:
    """Whether the catalogue carries actions (2026.2); older ones keep the band texts."""
    return any(q.action for s in sections for q in s.questions.all())


def _tiers(result: dict) -> tuple[list[str], set[str]]:
    """(the path's question codes in order, the section keys towards the target)."""
    stage = result["stage"]["index"]
    target = result.get("target_stage") or 0
    path = result.get("next_stage_path") or {}
    codes = list(path.get("questions") or result.get("blockers") or [])
    keys = list(scoring.STAGE_SECTIONS)
    towards = {keys[rung - 1] for rung in range(stage + 1, target + 1) if 1 <= rung <= len(keys)}
    aim = max(stage + 1, target)
    if aim >= 3:
        towards.add("bizdevops")
    if aim >= 4:
        towards.add("dto")
    return codes, towards


def action_plan(result: dict, sections, owner_roles: list[dict]) -> dict:
    """The roadmap of actions for a result whose catalogue carries actions.

    Returns ``{"groups": [{"horizon", "label", "items": [...]}, ...] (the path and the way
    to the target; non-empty groups in now/next/later order), "further": (the same for the
    other questions below "largely"), "path": [the path's items, at most SUMMARY_ACTIONS],
    "answer_first": [{"section", "questions"}] (sections without any answer),
    "count": number of items}``. Each item has code, question, section (title), tier
    (0 path, 1 towards the target, 2 further), value, anchor (current label), title, owner,
    owner_title, horizon, horizon_label, effort, effort_label, first_step, indicator,
    prerequisites."""
    owners = {o["key"]: pick(o["title"]) for o in owner_roles}
    path_codes, towards = _tiers(result)
    path_rank = {code: i for i, code in enumerate(path_codes)}
    items = []
    answer_first = []
    order = 0
    for section in sections:
        questions = list(section.questions.all())
        if all(result["questions"][q.code]["value"] is None for q in questions):
            answer_first.append({"section": section, "questions": questions})
            order += len(questions)
            continue
        for question in questions:
            order += 1
            value = result["questions"][question.code]["value"]
            if not question.action or not needs_action(value):
                continue
            if question.code in path_rank:
                tier, rank = PATH, path_rank[question.code]
            elif section.key in towards:
                tier, rank = TOWARDS_TARGET, 0
            else:
                tier, rank = FURTHER, 0
            action = question.action
            items.append(
                {
                    "code": question.code,
                    "question": question,
                    "section": section.title,
                    "section_key": section.key,
                    "tier": tier,
                    "value": value,
                    "anchor": (
                        question.labels[scoring.label_index(value)] if value is not None else None
                    ),
                    "title": pick(action["title"]),
                    "owner": action["owner"],
                    "owner_title": owners.get(action["owner"], action["owner"]),
                    "horizon": action["horizon"],
                    "horizon_label": horizon_label(action["horizon"]),
                    "effort": action["effort"],
                    "effort_label": effort_label(action["effort"]),
                    "first_step": pick(action["first_step"]),
                    "indicator": pick(action["indicator"]),
                    "prerequisites": pick(action.get("prerequisites")),
                    "sort": (tier, rank, order),
                }
            )
    items.sort(key=lambda item: item["sort"])

    def grouped(members: list[dict]) -> list[dict]:
        return [
            {
                "horizon": h,
                "label": horizon_label(h),
                "items": [i for i in members if i["horizon"] == h],
            }
            for h in HORIZONS
            if any(i["horizon"] == h for i in members)
        ]

    return {
        "groups": grouped([i for i in items if i["tier"] != FURTHER]),
        # Below "largely" but neither on the path nor towards the target (e.g. rungs above
        # the target, enablers the target does not need): listed after the others.
        "further": grouped([i for i in items if i["tier"] == FURTHER]),
        "path": [i for i in items if i["tier"] == PATH][:SUMMARY_ACTIONS],
        "answer_first": answer_first,
        "count": len(items),
    }


def risk_of_staying(result: dict, sections) -> str:
    """The articles' words on what staying at the current stage risks (the current stage's
    section; at Silo, the first rung's), or "" if the catalogue has none."""
    stage = result["stage"]["index"]
    keys = list(scoring.STAGE_SECTIONS)
    key = keys[max(stage, 1) - 1] if stage < len(keys) else None
    for section in sections:
        if section.key == key:
            return pick(section.risk_of_staying)
    return ""


def heatmap(result: dict, sections, dimensions: list[dict]) -> dict:
    """Dimension × section: the mean fulfilment (value ÷ 4) of the answered questions in
    each cell; None where the cell has no question ("empty": True) or no answer.

    Returns ``{"columns": [(key, title)], "rows": [{"key", "title", "cells": [{"value",
    "empty", "count"}]}]}``; rows only for dimensions that have a question."""
    short = short_titles()
    columns = [(s.key, short.get(s.key, s.title)) for s in sections]
    cells: dict[tuple[str, str], list] = {}
    for section in sections:
        for question in section.questions.all():
            if not question.dimension:
                continue
            cell = cells.setdefault((question.dimension, section.key), [])
            cell.append(result["questions"][question.code]["value"])
    rows = []
    for dimension in dimensions:
        if not any(key[0] == dimension["key"] for key in cells):
            continue
        row = []
        for key, _title in columns:
            values = cells.get((dimension["key"], key))
            answered = [v for v in values or [] if v is not None]
            row.append(
                {
                    "value": sum(answered) / len(answered) / 4 if answered else None,
                    "empty": values is None,
                    "count": len(values or []),
                }
            )
        rows.append({"key": dimension["key"], "title": pick(dimension["title"]), "cells": row})
    return {"columns": columns, "rows": rows}


def perspective_heatmap(result: dict, sections) -> dict | None:
    """Perspective × section fulfilment where the result may show the groups (business and
    IT both reach the catalogue's k in the section; other cells are empty); None when no
    section qualifies."""
    groups = result.get("groups") or {}
    shown = [p for p in Perspective.values if p in groups]
    if len(shown) < 2:
        return None
    labels = dict(Perspective.choices)
    short = short_titles()
    return {
        "columns": [(s.key, short.get(s.key, s.title)) for s in sections],
        "rows": [
            {
                "key": name,
                "title": str(labels[name]),
                "cells": [
                    {
                        "value": groups[name]["sections"].get(s.key, {}).get("fulfilment"),
                        # a section where not both groups reach k is not shown
                        "empty": s.key not in groups[name]["sections"],
                        "count": None,
                    }
                    for s in sections
                ],
            }
            for name in shown
        ],
    }


def result_blocks(result: dict, sections, catalogue) -> dict:
    """What the results page and the report show beside the scores (catalogue 2026.2): the
    action plan (None for a catalogue without actions; both keep the band recommendations
    then), the risk of staying, the dimension heatmap and, beside it, the perspective heatmap
    (both None for a catalogue without dimensions)."""
    heat = heatmap(result, sections, catalogue.dimensions)
    return {
        "actions": (
            action_plan(result, sections, catalogue.owner_roles) if has_actions(sections) else None
        ),
        "risk_of_staying": risk_of_staying(result, sections),
        "heatmap": heat if heat["rows"] else None,
        # For an older catalogue the perception-gap chart shows the same figures.
        "heatmap_groups": perspective_heatmap(result, sections) if heat["rows"] else None,
    }
