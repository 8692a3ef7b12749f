"""The action plan export (kind "plan"): one row per action, translated headers, formula
cells escaped, in CSV and XLSX."""

import csv
import datetime
import io

import pytest
from django_scopes import scope
from openpyxl import load_workbook

from assessments.models import PlanStatus
from reports import exports

from ..factories import PlanItemFactory

pytestmark = pytest.mark.django_db


def build(personas, snapshot, fmt, lang):
    with scope(organisation=personas.org_a):
        return exports.build_export(snapshot=snapshot, kind="plan", fmt=fmt, lang=lang)


@pytest.fixture
def plan(personas):
    with scope(organisation=personas.org_a):
        PlanItemFactory(
            organisation=personas.org_a,
            title="=HYPERLINK(evil)",
            question_codes=["IN-01", "IN-02"],
            owner_name="Kim Weber",
            due_date=datetime.date(2027, 3, 31),
            status=PlanStatus.IN_PROGRESS,
            assessment=personas.assessment,
        )
        PlanItemFactory(organisation=personas.org_b, title="Not ours")


def test_plan_csv_in_german_has_the_actions_of_the_organisation(personas, snapshot, plan):
    export = build(personas, snapshot, "csv", "de")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Maßnahme",
        "Fragen",
        "Verantwortlich",
        "Fällig",
        "Status",
        "Notiz",
        "Aus dem Assessment",
    ]
    assert rows[1:] == [
        [
            "'=HYPERLINK(evil)",
            "IN-01 IN-02",
            "Kim Weber",
            "2027-03-31",
            "In Arbeit",
            "",
            personas.assessment.title,
        ]
    ]
    assert export.filename.endswith("-plan-de.csv")


def test_plan_xlsx_keeps_the_formula_as_text(personas, snapshot, plan):
    export = build(personas, snapshot, "xlsx", "en")
    sheet = load_workbook(io.BytesIO(export.data)).active
    assert sheet.title == "Action plan"
    assert sheet["A2"].value == "'=HYPERLINK(evil)" and sheet["A2"].data_type == "s"
    assert sheet["E2"].value == "In progress"
