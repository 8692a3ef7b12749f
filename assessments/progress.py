"""Question-level progress between two assessments, across catalogue versions.

``compare(previous, current, code_map=...)`` is pure: it takes the two stored scoring results
(``ResultSnapshot.data["result"]``) and the current catalogue's ``code_map`` (every code of
the previous version → the list of codes that succeed it; ``[]`` = no counterpart) and
returns one row per question of the current result. Section-level progress is the results
page's (``reports.content.progress``); this module only maps questions.

Rules:
- same catalogue version (or no map): a question compares with the same code;
- with a map: a current question compares with the previous questions that map to it; with
  several (a merge), their mean value counts as "before";
- a current question no previous question maps to, or whose predecessors have no value, is
  "not comparable" (``before`` None, ``comparable`` False);
- a previous code mapped to ``[]`` is listed in ``dropped`` (also not comparable).
"""

from __future__ import annotations


def _predecessors(code_map: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for old, new_codes in code_map.items():
        for new in new_codes:
            out.setdefault(new, []).append(old)
    return out


def compare(previous: dict, current: dict, *, code_map: dict[str, list[str]] | None) -> dict:
    """``{"rows": [{"code", "section", "before_codes", "before", "now", "change",
    "comparable"}], "dropped": [previous codes without counterpart], "mapped": bool}``.

    ``before``/``now`` are the questions' values (0..4, means over respondents) or None."""
    before_values = {code: data["value"] for code, data in previous["questions"].items()}
    mapped = bool(code_map)
    if mapped:
        predecessors = _predecessors(code_map)
        dropped = sorted(old for old, new in code_map.items() if not new)
    else:
        predecessors = {code: [code] for code in before_values}
        dropped = sorted(set(before_values) - set(current["questions"]))
    rows = []
    for code, data in current["questions"].items():
        before_codes = [c for c in predecessors.get(code, []) if c in before_values]
        values = [before_values[c] for c in before_codes if before_values[c] is not None]
        before = sum(values) / len(values) if values else None
        now = data["value"]
        comparable = before is not None and now is not None
        rows.append(
            {
                "code": code,
                "section": data["section"],
                "before_codes": before_codes,
                "before": before,
                "now": now,
                "change": now - before if comparable else None,
                "comparable": comparable,
            }
        )
    return {"rows": rows, "dropped": dropped, "mapped": mapped}
