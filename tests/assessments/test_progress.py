"""Question-level progress across catalogue versions through the code map."""

import pytest

from assessments import progress
from assessments.catalogue import LATEST_CATALOGUE_PATH, read_catalogue_file


def result(values: dict) -> dict:
    return {"questions": {c: {"value": v, "section": "alignment"} for c, v in values.items()}}


def test_compare_maps_codes_and_names_questions_without_counterpart():
    previous = result({"AL-01": 1.0, "AL-03": 2.0, "AL-07": 3.0, "FU-06": 2.0})
    current = result({"AL-11": 2.5, "AL-14": 3.0, "AL-99": 1.0})
    code_map = {"AL-01": ["AL-11"], "AL-03": ["AL-14"], "AL-07": ["AL-14"], "FU-06": []}

    compared = progress.compare(previous, current, code_map=code_map)

    rows = {r["code"]: r for r in compared["rows"]}
    assert rows["AL-11"]["before"] == 1.0 and rows["AL-11"]["change"] == 1.5
    assert rows["AL-14"]["before_codes"] == ["AL-03", "AL-07"]
    assert rows["AL-14"]["before"] == 2.5  # a merge compares with the mean
    assert rows["AL-99"]["comparable"] is False and rows["AL-99"]["before"] is None
    assert compared["dropped"] == ["FU-06"]
    assert compared["mapped"] is True


def test_compare_same_version_uses_same_codes():
    compared = progress.compare(
        result({"AL-01": 1.0, "AL-02": None}), result({"AL-01": 2.0, "AL-02": 3.0}), code_map={}
    )

    rows = {r["code"]: r for r in compared["rows"]}
    assert rows["AL-01"]["change"] == 1.0
    assert rows["AL-02"]["comparable"] is False  # no value before
    assert compared["dropped"] == []


@pytest.mark.parametrize("code", ["AL-09", "FU-02"])
def test_catalogue_2026_2_code_map_marks_dropped_questions(code):
    data = read_catalogue_file(LATEST_CATALOGUE_PATH)

    assert data["code_map"][code] == []
