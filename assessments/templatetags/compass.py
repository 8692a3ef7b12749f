"""Number formatting for results: localised decimals (2,43 in German), an en dash for
"no value", percentages with one decimal so a percentage and the stored fraction agree."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

NONE = "–"


@register.filter
def num(value, digits=2):
    if value is None or value == "":
        return NONE
    return floatformat(value, f"{int(digits)}")


@register.filter
def pct(value):
    if value is None or value == "":
        return NONE
    return f"{floatformat(value * 100, '1')} %"


@register.filter
def signed_pct(value):
    if value is None or value == "":
        return NONE
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{floatformat(abs(value) * 100, '1')} %"
