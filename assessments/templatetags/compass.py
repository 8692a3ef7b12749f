"""Template filters for numbers: the functions of assessments/formatting.py, which the PDF,
the charts and the exports use too, so every page rounds and writes a number alike."""

from django import template

from .. import formatting, narrative

register = template.Library()

register.filter("num", formatting.num)
register.filter("pct", formatting.pct)
register.filter("signed_num", formatting.signed_num)
register.filter("signed_pp", formatting.signed_pp)


@register.filter
def stage_name(index: int | None) -> str:
    """A stage's name for its number (a target stage is never shown as a bare number)."""
    return narrative.stage_label(index) if index is not None and 0 <= index <= 4 else ""
