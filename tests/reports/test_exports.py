"""Exports round-trip the snapshot's numbers, use the language's CSV conventions, escape
formula cells and keep respondents pseudonymous."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from django_scopes import scope
from openpyxl import load_workbook

from assessments import scoring, services
from assessments.models import ContextQuestion, Question, Respondent
from reports import exports

from .conftest import COMMENT, answer_all


def read_csv(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def build(personas, snapshot, kind, fmt, lang="en"):
    with scope(organisation=personas.org_a):
        return exports.build_export(snapshot=snapshot, kind=kind, fmt=fmt, lang=lang)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30", "'+49 30"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("fine", "fine"),
        ("", ""),
        (-0.5, -0.5),
        (3, 3),
        (None, None),
    ],
)
def test_escape_cell_prefixes_formula_text(value, expected):
    assert exports.escape_cell(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "delimiter", "decimal"), [("de", ";", ","), ("en", ",", ".")])
def test_sections_csv_round_trips_figures(personas, snapshot, lang, delimiter, decimal):
    rows = read_csv(build(personas, snapshot, "sections", "csv", lang).data, delimiter)
    shown = scoring.round_result(snapshot.data["result"])
    body = {row[0]: row for row in rows[1:]}
    assert set(body) == {*scoring.SECTION_KEYS, "position", "next_stage_path"}
    for key in scoring.SECTION_KEYS:
        figures = shown["sections"][key]
        fulfilment, coverage, agreement, gap = (body[key][i] for i in (4, 5, 12, 13))
        assert float(fulfilment.replace(decimal, ".")) == figures["fulfilment"]
        assert float(coverage.replace(decimal, ".")) == figures["coverage"]
        assert float(agreement.replace(decimal, ".")) == figures["agreement"]
        assert float(gap.replace(decimal, ".")) == shown["perception_gap"][key]
        assert body[key][8] == ("1" if figures["reached"] else "0")
        assert body[key][9] == str(figures["defining_met_count"])
        assert body[key][10] == str(figures["defining_total"])
    assert float(body["position"][4].replace(decimal, ".")) == shown["position"]
    assert body["next_stage_path"][2] == " ".join(shown["next_stage_path"]["questions"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "delimiter", "kind", "yes", "robust"),
    [
        ("de", ";", "Stufe", "ja", "Keine einzelne Antwort ändert die Stufe."),
        ("en", ",", "Stage", "yes", "No single answer changes the stage."),
    ],
)
def test_sections_csv_labels_keys_in_the_readers_language(
    personas, snapshot, lang, delimiter, kind, yes, robust
):
    rows = read_csv(build(personas, snapshot, "sections", "csv", lang).data, delimiter)
    body = {row[0]: row for row in rows[1:]}
    alignment = body["alignment"]
    assert (alignment[2], alignment[3]) == ("stage", kind)
    assert alignment[6] == "1" and alignment[7] == yes
    result = snapshot.data["result"]
    if result["robustness"]["robust"]:
        assert body["position"][3] == robust
    else:
        assert body["position"][3] != robust and body["position"][3]


@pytest.mark.django_db
def test_answers_csv_round_trips_values_and_escapes_comments(personas, snapshot):
    rows = read_csv(build(personas, snapshot, "answers", "csv", "en").data, ",")
    header, body = rows[0], rows[1:]
    assert header == [
        "Respondent", "Perspective", "Perspective (label)", "Section", "Question", "Value",
        "Answer", "Comment",
    ]  # fmt: skip
    inputs = snapshot.data["inputs"]["respondents"]
    assert len(body) == len(inputs) * 60
    for row in body:
        respondent = next(r for r in inputs if r["id"] == row[0])
        value = respondent["answers"].get(row[4])
        assert row[5] == ("" if value is None else str(value))
        assert row[2] == {"business": "Business", "it": "IT"}[row[1]]
    commented = [row for row in body if row[7]]
    assert [row[7] for row in commented] == ["'" + COMMENT]
    assert {row[0] for row in body} == {f"R{i}" for i in range(1, 7)}


@pytest.mark.django_db
def test_answers_xlsx_round_trips_values_and_escapes_comments(personas, snapshot):
    workbook = load_workbook(io.BytesIO(build(personas, snapshot, "answers", "xlsx").data))
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    inputs = {r["id"]: r for r in snapshot.data["inputs"]["respondents"]}
    for respondent, _perspective, _label, _section, code, value, _answer, _comment in rows[1:]:
        assert value == inputs[respondent]["answers"].get(code)
    comments = [row[7] for row in rows[1:] if row[7]]
    assert comments == ["'" + COMMENT]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.django_db
def test_answers_xlsx_takes_a_comment_with_control_characters(personas, snapshot):
    pasted = "Erste Zeile\x0bzweite Zeile\x01"
    first = snapshot.data["inputs"]["respondents"][0]
    code = next(iter(first["answers"]))
    first["comments"] = {code: pasted}
    snapshot.save(update_fields=["data"])
    workbook = load_workbook(io.BytesIO(build(personas, snapshot, "answers", "xlsx").data))
    comments = {row[7] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert "Erste Zeile zweite Zeile" in comments
    # CSV holds any text: there the comment stays as it was given.
    rows = read_csv(build(personas, snapshot, "answers", "csv").data, ",")
    assert pasted in {row[7] for row in rows}


@pytest.mark.django_db
def test_sections_xlsx_round_trips_figures(personas, snapshot):
    workbook = load_workbook(io.BytesIO(build(personas, snapshot, "sections", "xlsx").data))
    rows = {row[0]: row for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    shown = scoring.round_result(snapshot.data["result"])
    for key in scoring.SECTION_KEYS:
        assert rows[key][4] == shown["sections"][key]["fulfilment"]
        assert rows[key][5] == shown["sections"][key]["coverage"]
        assert rows[key][12] == shown["sections"][key]["agreement"]
        assert rows[key][13] == shown["perception_gap"][key]
    assert rows["position"][4] == shown["position"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "dont_know", "skipped"),
    [("en", "don't know", "not answered"), ("de", "Weiß nicht", "nicht beantwortet")],
)
def test_answers_export_tells_dont_know_from_not_answered(
    personas, snapshot, lang, dont_know, skipped
):
    first = snapshot.data["inputs"]["respondents"][0]
    codes = list(first["answers"])
    first["answers"][codes[0]] = None  # answered "don't know"
    del first["answers"][codes[1]]  # skipped
    snapshot.save(update_fields=["data"])
    delimiter = ";" if lang == "de" else ","
    rows = read_csv(build(personas, snapshot, "answers", "csv", lang).data, delimiter)
    meaning = {row[4]: row[6] for row in rows[1:] if row[0] == first["id"]}
    assert meaning[codes[0]] == dont_know
    assert meaning[codes[1]] == skipped


@pytest.mark.django_db
def test_answers_export_hides_perspective_of_groups_below_k(personas, questions):
    from .conftest import answer_all

    with scope(organisation=personas.org_a):
        small = answer_all(personas.assessment, questions, ["business", "business", "it"])
        data = exports.build_export(snapshot=small, kind="answers", fmt="csv", lang="en").data
    rows = read_csv(data, ",")[1:]
    perspectives = {row[0]: row[1] for row in rows}
    assert perspectives == {"R1": "business", "R2": "business", "R3": "business", "R4": ""}


@pytest.mark.django_db
def test_snapshot_json_round_trips(personas, snapshot):
    document = json.loads(build(personas, snapshot, "snapshot", "json").data)
    assert document["data"] == snapshot.data
    assert document["method"] == scoring.METHOD
    assert document["summary"]["robustness"]
    assert [s["code"] for s in document["summary"]["next_stage_path"]] == (
        snapshot.data["result"]["next_stage_path"]["questions"]
    )
    assert document["assessment"] == "Assessment A"
    assert document["catalogue_version"] == snapshot.catalogue_version


@pytest.mark.django_db
def test_build_export_rejects_unknown_kind_and_language(personas, snapshot):
    with translation.override("en"):
        with pytest.raises(exports.ExportError, match=r"available: answers\.csv"):
            build(personas, snapshot, "answers", "pdf")
        with pytest.raises(exports.ExportError, match="use de or en"):
            build(personas, snapshot, "answers", "csv", "fr")


@pytest.mark.django_db
def test_export_command_writes_csv_to_stdout(personas, snapshot):
    out = io.StringIO()
    call_command("export_results", personas.assessment.pk, "sections", "--lang", "de", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff")), delimiter=";"))
    assert rows[1][0] == "alignment"


@pytest.mark.django_db
def test_export_command_writes_xlsx_file(personas, snapshot, tmp_path):
    target = tmp_path / "answers.xlsx"
    call_command(
        "export_results", personas.assessment.pk, "answers", "--format", "xlsx",
        "--output", str(target), stderr=io.StringIO(),
    )  # fmt: skip
    assert load_workbook(target).active.max_row == 6 * 60 + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", "answers"], "There is no assessment with id 999999"),
        (["{pk}", "votes"], "Unknown kind 'votes'"),
        (["{pk}", "answers", "--format", "json"], "answers can be exported as csv, xlsx"),
        (["{pk}", "answers", "--lang", "fr"], "Unknown language 'fr'"),
        (["{pk}", "answers", "--format", "xlsx"], "give --output"),
        (["{pk}", "answers", "--output", "/nonexistent/dir/x.csv"], "Cannot write"),
    ],
)
def test_export_command_bad_input_is_a_clear_error(personas, snapshot, args, message):
    args = [a.format(pk=personas.assessment.pk) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("export_results", *args, stdout=io.StringIO())


@pytest.mark.django_db
def test_export_command_without_snapshot_is_a_clear_error(personas):
    with pytest.raises(CommandError, match="has no stored result yet"):
        call_command("export_results", personas.assessment.pk, "snapshot")


@pytest.mark.django_db
def test_context_csv_lists_distributions_from_k_answers_only(personas_2026_2):
    personas = personas_2026_2
    catalogue = personas.assessment.catalogue
    context = list(ContextQuestion.objects.filter(catalogue=catalogue).order_by("order"))
    first, second = context[:2]
    with scope(organisation=personas.org_a):
        Respondent.objects.bulk_create(
            Respondent(assessment=personas.assessment, perspective=p) for p in ("it", "it")
        )
        for respondent in personas.assessment.respondents.all():
            # Everyone answers the first question; only one person the second.
            answers = {first: first.options[1]["key"]}
            if respondent.pk == personas.respondent.pk:
                answers[second] = second.options[0]["key"]
            services.save_context_answers(respondent=respondent, answers=answers)
        questions = list(Question.objects.filter(catalogue=catalogue).select_related("section"))
        snapshot = answer_all(personas.assessment, questions, [])

        export = exports.build_export(snapshot=snapshot, kind="context", fmt="csv", lang="en")

    rows = read_csv(export.data, ",")
    assert rows[0] == ["Code", "Question", "Answer", "Answers", "Share"]
    first_rows = [r for r in rows[1:] if r[0] == first.code]
    assert [r[2] for r in first_rows] == [o["label"]["en"] for o in first.options]
    assert first_rows[1][3:] == ["3", "1.0"]
    second_rows = [r for r in rows[1:] if r[0] == second.code]
    assert second_rows == [[second.code, second.text_en, "fewer than 3 answers", "", ""]]
