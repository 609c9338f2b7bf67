"""How many decimals a number shows: one rule per quantity, used wherever the quantity is shown.

- a figure (an indicator's value, target, change and its expected-by-now value; a median of days): at most
  one decimal, rounded half away from zero on the digits as written (46.75 → 46.8, never 46.7 from the binary
  float 46.74999…); whole numbers show none;
- a count (items, reminders, days, messages): whole;
- a figure in an export (data for a spreadsheet): as entered, at most ``ENTRY_DECIMALS`` decimals, without
  the float noise of a running sum (0.1 + 0.2 is 0.3).

The digits are the same in every language; only the signs differ (the decimal sign and the grouping: 46.7 in
English, 46,7 in Indonesian and German).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel.numbers import format_compact_decimal, format_decimal

from bot.language.catalog import babel_locale

FIGURE_DECIMALS = 1  # shown in chat, in reports and on charts
ENTRY_DECIMALS = 4  # what /indicator accepts (bot.features.indicators.NUMBER_RE), kept in exports


def rounded(value: float, decimals: int = FIGURE_DECIMALS) -> Decimal:
    """``value`` rounded to at most ``decimals`` decimals, half away from zero, as a ``Decimal`` (never -0)."""
    exact = Decimal(repr(float(value)))  # the shortest decimal that reads back as this float
    result = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    result = result.normalize() if result else Decimal(0)
    # normalize() writes 1200 as 1.2E+3: back to a plain integer exponent
    return result.quantize(Decimal(1)) if result == result.to_integral_value() else result


def show_figure(value: float, language: str) -> str:
    """A figure as the language writes it: 46.7 (en), 46,7 (id, de); 12 → "12"; 12500 → "12,500" / "12.500"."""
    return str(format_decimal(rounded(value), format="#,##0.#", locale=babel_locale(language)))


def show_short(value: float, language: str) -> str:
    """A figure where room is short (a chart's labels): :func:`show_figure` up to a million, then the language's
    short form with as many decimals (1.2M, 1,2 Mio., 1,2 jt, 125만)."""
    if abs(value) < 1_000_000:
        return show_figure(value, language)
    with localcontext(rounding=ROUND_HALF_UP):  # Babel rounds in the decimal context: the same rule
        shown = format_compact_decimal(
            rounded(value, 0), locale=babel_locale(language), fraction_digits=FIGURE_DECIMALS
        )
    return str(shown)


def show_count(count: int, language: str) -> str:
    """A count, whole, with the language's grouping: 1,250 (en), 1.250 (id, de)."""
    return str(format_decimal(int(count), format="#,##0", locale=babel_locale(language)))


def entered(value: float) -> Decimal:
    """A figure as data for an export: the digits entered, at most ``ENTRY_DECIMALS`` decimals."""
    return rounded(value, ENTRY_DECIMALS)
