"""Template filters for numbers: the functions of assessments/formatting.py, which the PDF,
the charts and the exports use too, so every page rounds and writes a number alike."""

from django import template

from .. import formatting

register = template.Library()

register.filter("num", formatting.num)
register.filter("pct", formatting.pct)
register.filter("signed_num", formatting.signed_num)
register.filter("signed_pp", formatting.signed_pp)
