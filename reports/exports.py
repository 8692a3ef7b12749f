"""Data exports of a stored result: the answers and the section results as CSV or XLSX, and
the snapshot as JSON. Built from the snapshot only, like the report.

- Respondents appear as R1, R2, ... (the snapshot never holds names). A respondent's
  perspective is only given where that perspective has at least k respondents: below k, a
  group's answers must not be singled out (SCORING.md, anonymity).
- CSV is UTF-8 with a BOM (Excel detects the encoding), separated by ";" in German (where
  Excel expects it, with decimal commas) and "," in English.
- Text cells beginning with = + - @, a tab or a carriage return are prefixed with a single
  quote, so a spreadsheet never runs a comment as a formula.
- XLSX cannot hold control characters: they are taken out there (content.printable). CSV
  and JSON keep every text as it was given.
"""

import csv
import io
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from assessments import context as context_questions
from assessments import narrative, plans, scoring
from assessments import selectors as assessment_selectors
from assessments.models import ResultSnapshot

from .content import printable

KINDS = {
    "answers": ("csv", "xlsx"),
    "sections": ("csv", "xlsx"),
    "snapshot": ("json",),
    "plan": ("csv", "xlsx"),
    "context": ("csv", "xlsx"),
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(ValueError):
    """An export that cannot be made; the message says why."""


@dataclass
class Export:
    filename: str
    content_type: str
    data: bytes


def escape_cell(value):
    """Neutralise spreadsheet formulas in text cells (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _shown_perspectives(inputs: dict, k: int) -> set[str]:
    counts: dict[str, int] = {}
    for respondent in inputs.get("respondents", []):
        counts[respondent["perspective"]] = counts.get(respondent["perspective"], 0) + 1
    return {p for p, n in counts.items() if n >= k}


def _perspective_label(key: str) -> str:
    return {"business": _("Business"), "it": _("IT"), "other": _("Other"), "": ""}.get(key, key)


def _yes_no(value) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def answer_rows(snapshot: ResultSnapshot, sections) -> tuple[list[str], list[list]]:
    """One row per respondent and question: respondent, perspective (key and label in the
    reader's language), section, code, value (empty unless 0 to 4), what the value means
    ("don't know" is an answer someone gave; "not answered" a question skipped), comment.
    A perspective group smaller than k is not named."""
    data = snapshot.data
    inputs = data.get("inputs", {})
    k = data["result"]["parameters"]["min_group_size"]
    shown = _shown_perspectives(inputs, k)
    header = [
        _("Respondent"),
        _("Perspective"),
        _("Perspective (label)"),
        _("Section"),
        _("Question"),
        _("Value"),
        _("Answer"),
        _("Comment"),
    ]
    questions = [(s.key, q) for s in sections for q in s.questions.all()]
    rows = []
    for respondent in inputs.get("respondents", []):
        perspective = respondent["perspective"] if respondent["perspective"] in shown else ""
        answers = respondent.get("answers", {})
        comments = respondent.get("comments") or {}
        for section_key, question in questions:
            code = question.code
            value = answers.get(code)
            if code not in answers:
                meaning = _("not answered")
            elif value is None:
                meaning = _("don't know")
            else:
                meaning = question.labels[value]
            rows.append(
                [
                    respondent["id"],
                    perspective,
                    _perspective_label(perspective),
                    section_key,
                    code,
                    value,
                    meaning,
                    comments.get(code, ""),
                ]
            )
    return header, rows


def section_rows(snapshot: ResultSnapshot, sections) -> tuple[list[str], list[list]]:
    """One row per section, figures rounded as displayed (4 decimals, fractions 0..1),
    stable keys with labels in the reader's language beside them; then the position with
    the robustness verdict, and the path to the next stage (method 2 figures; a method-1
    result leaves them empty)."""
    result = snapshot.data["result"]
    shown = scoring.round_result(result)
    header = [
        _("Section"),
        _("Title"),
        _("Kind"),
        _("Kind (label)"),
        _("Fulfilment"),
        _("Coverage"),
        _("Sufficient"),
        _("Sufficient (label)"),
        _("Reached"),
        _("Defining questions met"),
        _("Defining questions"),
        _("Defining questions below the minimum"),
        _("Agreement (r_wg)"),
        _("Gap business − IT (pp)"),
        _("Disputed"),
    ]
    kinds = {"stage": _("Stage"), "enabler": _("Enabler")}
    rows = []
    for section in sections:
        figures = shown["sections"][section.key]
        rows.append(
            [
                section.key,
                section.title,
                figures["kind"],
                kinds.get(figures["kind"], figures["kind"]),
                figures["fulfilment"],
                figures["coverage"],
                figures["sufficient"],
                _yes_no(figures["sufficient"]),
                figures["reached"],
                figures.get("defining_met_count"),
                figures.get("defining_total"),
                " ".join(figures.get("defining_unmet", [])),
                figures["agreement"],
                shown["perception_gap"].get(section.key),
                " ".join(figures["disputed"]),
            ]
        )
    blank = [None] * (len(header) - 4)
    rows.append(
        [
            "position",
            _("Position") + f" ({narrative.stage_label(shown['stage']['index'])})",
            "",
            narrative.robustness_verdict(result),
            shown["position"],
            *blank[1:],
        ]
    )
    steps = narrative.next_stage_steps(result, sections)
    rows.append(
        [
            "next_stage_path",
            _("What holds the organisation back"),
            " ".join(step["code"] for step in steps),
            "; ".join(narrative.step_text(step) for step in steps),
            *blank,
        ]
    )
    return header, rows


def plan_table(organisation) -> tuple[list[str], list[list]]:
    """The organisation's action plan (assessments.plans.plan_rows), one row per action."""
    header = [
        _("Action"),
        _("Questions"),
        pgettext("plan item", "Owner"),
        _("Due"),
        _("Status"),
        _("Note"),
        _("From the assessment"),
    ]
    rows = [
        [
            row["title"],
            " ".join(row["questions"]),
            row["owner"],
            row["due_date"],
            row["status_label"],
            row["note"],
            row["assessment"],
        ]
        for row in plans.plan_rows(organisation=organisation)
    ]
    return header, rows


def _csv_value(value, decimal: str):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", decimal)
    if isinstance(value, int):
        return str(value)
    return escape_cell(value)


def to_csv(header: list[str], rows: list[list], lang: str) -> bytes:
    separator, decimal = (";", ",") if lang == "de" else (",", ".")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([escape_cell(h) for h in header])
    for row in rows:
        writer.writerow([_csv_value(v, decimal) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: list[str], rows: list[list], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([escape_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # XLSX cannot hold control characters (openpyxl refuses the whole file).
        sheet.append([escape_cell(printable(v) if isinstance(v, str) else v) for v in row])
        # openpyxl would store a text starting with "=" as a formula: force text cells.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reader_summary(snapshot: ResultSnapshot, sections) -> dict:
    """What the results page and the PDF say, in the active language, for machines: the
    headline, the trust statement, the robustness verdict and the path to the next stage."""
    result = snapshot.data["result"]
    return {
        "language": translation.get_language(),
        "method": snapshot.method,
        "stage": narrative.stage_label(result["stage"]["index"]),
        "position": scoring.round_result(result)["position"],
        "headline": narrative.headline(result),
        "trust": narrative.trust_statement(result, narrative.section_titles(sections)),
        "robustness": narrative.robustness_verdict(result),
        "next_stage_path": [
            {
                "code": step["code"],
                "text": step["text"],
                "current": step["current"],
                "needed": step["needed"],
                "defining": step["defining"],
            }
            for step in narrative.next_stage_steps(result, sections)
        ],
    }


def snapshot_json(snapshot: ResultSnapshot, sections) -> bytes:
    assessment = snapshot.assessment
    document = {
        "organisation": assessment.organisation.name,
        "assessment": assessment.title,
        "catalogue_version": snapshot.catalogue_version,
        "method": snapshot.method,
        "closed_at": assessment.closed_at,
        "created_at": snapshot.created_at,
        "summary": reader_summary(snapshot, sections),
        "data": snapshot.data,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def context_rows(snapshot: ResultSnapshot) -> tuple[list[str], list[list]]:
    """The context questions' answer distributions (catalogue 2026.2), one row per option;
    a question with fewer than k answers gets one row saying so, without counts."""
    header = [_("Code"), _("Question"), _("Answer"), _("Answers"), _("Share")]
    rows = []
    for item in context_questions.distribution(snapshot.assessment):
        question = item["question"]
        if not item["shown"]:
            rows.append(
                [
                    question.code,
                    printable(question.text),
                    _("fewer than %(k)s answers") % {"k": item["k"]},
                    None,
                    None,
                ]
            )
            continue
        for row in item["rows"]:
            rows.append(
                [
                    question.code,
                    printable(question.text),
                    printable(row["label"]),
                    row["count"],
                    round(row["share"], 4),
                ]
            )
    return header, rows


def build_export(*, snapshot: ResultSnapshot, kind: str, fmt: str, lang: str) -> Export:
    """The export ``kind`` (answers, sections, snapshot) in ``fmt`` (csv, xlsx, json)."""
    if fmt not in KINDS.get(kind, ()):
        available = ", ".join(f"{k}.{f}" for k, formats in KINDS.items() for f in formats)
        raise ExportError(
            _("Unknown export “%(name)s”; available: %(available)s.")
            % {"name": f"{kind}.{fmt}", "available": available}
        )
    if lang not in ("de", "en"):
        raise ExportError(_("Unknown language “%(lang)s”: use de or en.") % {"lang": lang})
    assessment = snapshot.assessment
    base = f"{assessment.organisation.slug}-{assessment.pk}-{kind}"
    with translation.override(lang):
        sections = assessment_selectors.catalogue_sections(catalogue=assessment.catalogue)
        if kind == "snapshot":
            return Export(
                f"{base}-{lang}.json", "application/json", snapshot_json(snapshot, sections)
            )
        if kind == "answers":
            header, rows = answer_rows(snapshot, sections)
            title = _("Answers")
        elif kind == "plan":
            header, rows = plan_table(assessment.organisation)
            title = _("Action plan")
        elif kind == "context":
            header, rows = context_rows(snapshot)
            title = _("Context")
        else:
            header, rows = section_rows(snapshot, sections)
            title = _("Sections")
        if fmt == "csv":
            return Export(
                f"{base}-{lang}.csv", "text/csv; charset=utf-8", to_csv(header, rows, lang)
            )
        return Export(
            f"{base}-{lang}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            to_xlsx(header, rows, title),
        )
