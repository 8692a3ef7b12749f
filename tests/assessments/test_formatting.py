"""Numbers as people read them: half-up rounding, the reader's decimal separator,
percentages without decimals, differences of percentages in percentage points."""

import pytest
from django.template import Context, Template
from django.utils import translation

from assessments import formatting


@pytest.mark.parametrize(
    ("value", "digits", "en", "de"),
    [
        (2.675, 2, "2.68", "2,68"),  # half-up, from the decimal it prints as (not 2.67)
        (0.125, 2, "0.13", "0,13"),  # round() would give 0.12
        (2.5, 0, "3", "3"),  # round() would give 2
        (4, 2, "4.00", "4,00"),
        (None, 2, "–", "–"),
    ],
)
def test_num_rounds_half_up_in_the_readers_notation(value, digits, en, de):
    with translation.override("en"):
        assert formatting.num(value, digits) == en
    with translation.override("de"):
        assert formatting.num(value, digits) == de


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.125, "13 %"), (0.145, "15 %"), (0.625, "63 %"), (0.005, "1 %"), (1, "100 %")],
)
def test_pct_has_no_decimals_and_rounds_half_up(value, expected):
    with translation.override("en"):
        assert formatting.pct(value) == expected


def test_pct_with_a_decimal_uses_the_german_comma():
    with translation.override("de"):
        assert formatting.pct(0.62549, 1) == "62,5 %"
        assert formatting.pct("") == "–"


@pytest.mark.parametrize(
    ("value", "en", "de"),
    [
        (0.5, "+50 pp", "+50 Pp."),
        (-0.125, "−13 pp", "−13 Pp."),
        (0.004, "±0 pp", "±0 Pp."),  # rounds to zero: no sign
        (None, "–", "–"),
    ],
)
def test_signed_pp_writes_percentage_points(value, en, de):
    with translation.override("en"):
        assert formatting.signed_pp(value) == en
    with translation.override("de"):
        assert formatting.signed_pp(value) == de


def test_signed_num_takes_the_sign_of_the_rounded_value():
    with translation.override("de"):
        assert formatting.signed_num(0.255) == "+0,26"
        assert formatting.signed_num(-1.5, 1) == "−1,5"
        assert formatting.signed_num(-0.001) == "±0,00"


def test_template_filters_are_the_same_functions():
    template = Template(
        "{% load compass %}{{ a|num:2 }} {{ b|pct }} {{ c|signed_pp }} {{ d|signed_num }}"
    )
    with translation.override("de"):
        text = template.render(Context({"a": 2.675, "b": 0.125, "c": 0.5, "d": -0.25}))
    assert text == "2,68 13 % +50 Pp. −0,25"
