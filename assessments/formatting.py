"""The one place numbers become text: results page, PDF report, charts and exports.

- Rounding is half-up (2.675 → 2.68, 0.125 → 13 %), as people round by hand, not Python's
  round-half-even; the value is rounded from its shortest decimal form, so a float such as
  0.145 rounds as the 0.145 it prints as.
- The decimal separator follows the active language (2,43 in German): call inside the
  reader's language (``translation.override`` for the PDF and exports).
- Percentages have no decimals by default: a self-assessment of ten items has no
  one-decimal precision. Differences of two percentages are percentage points ("Pp." in
  German, "pp" in English), never "%".
- "No value" is an en dash.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

NONE = "–"
MINUS = "−"  # U+2212: the typographic minus, as wide as the plus


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _rounded(value: Decimal, digits: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _missing(value) -> bool:
    return value is None or value == ""


def _localised(value: Decimal, digits: int) -> str:
    return number_format(value, decimal_pos=digits)


def num(value, digits: int = 2) -> str:
    """2.43 / 2,43; en dash for no value."""
    if _missing(value):
        return NONE
    digits = int(digits)
    return _localised(_rounded(_decimal(value), digits), digits)


def pct(value, digits: int = 0) -> str:
    """A fraction 0..1 as a percentage: 0.625 → "63 %"."""
    if _missing(value):
        return NONE
    digits = int(digits)
    return f"{_localised(_rounded(_decimal(value) * 100, digits), digits)} %"


def _signed(rounded: Decimal, digits: int) -> str:
    sign = "+" if rounded > 0 else (MINUS if rounded < 0 else "±")
    return sign + _localised(abs(rounded), digits)


def signed_num(value, digits: int = 2) -> str:
    """A change of a number: +0,25 / −0,25 / ±0,00 (the sign of the rounded value)."""
    if _missing(value):
        return NONE
    digits = int(digits)
    return _signed(_rounded(_decimal(value), digits), digits)


def signed_pp(value, digits: int = 0) -> str:
    """A difference of two fractions in percentage points: 0.5 → "+50 pp" ("+50 Pp.")."""
    if _missing(value):
        return NONE
    digits = int(digits)
    rounded = _rounded(_decimal(value) * 100, digits)
    # Translators: the unit of a difference of two percentages (percentage points).
    unit = _("pp")
    return f"{_signed(rounded, digits)} {unit}"
