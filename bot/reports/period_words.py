"""Report periods named in words after ``/report``: the period just ended ("last month", "bulan lalu", "지난달",
"上个月"), a named month ("November", "Nov 2026", "2026-11", "11월", "十一月"), a named quarter ("Q3 2026",
"triwulan III 2026", "3. Quartal 2026", "2026年第三季度") or a year ("2026"), in the group's UI language or in
English. Pure: the words come from the catalogue (``word.last_month``, ``word.quarter`` …), the month names from
Babel, and every period is the group's local calendar month, quarter or year (``bot.reports.periods``).

A month or quarter named without a year is the latest one that has begun (November asked in December 2026 is
November 2026, asked in October 2026 November 2025); a period that has not begun yet is not read."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale

from bot.language.catalog import Catalog, babel_locale
from bot.reports import periods
from bot.reports.model import Period

# The catalogue's words for the period just ended, and the kind of period each names.
RELATIVE = {"last_month": "month", "last_quarter": "quarter", "last_year": "year"}
FIRST_YEAR = 1900

_ISO_MONTH = re.compile(r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})")  # 2026-11
_MONTH_ISO = re.compile(r"(?P<month>\d{1,2})[-/.](?P<year>\d{4})")  # 11/2026
_YEAR_FIRST = re.compile(r"(?P<year>\d{4})\s*(?:年|년)?[\s,/-]*(?P<rest>.*)")  # 2026年第3四半期, 2026 Q3
_YEAR_LAST = re.compile(r"(?P<rest>.*?)[\s,/-]*(?P<year>\d{4})\s*(?:年|년)?")  # November 2026, Q3/2026
_NUMBERS = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4, "一": 1, "二": 2, "三": 3, "四": 4}
_NUMBER = r"(?P<n>[1-4]|iv|iii|ii|i|[一二三四])"
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def read_period(text: str, catalog: Catalog, language: str, zone: ZoneInfo, now: datetime) -> Period | None:
    """The period ``text`` (the words after ``/report``) names in ``language`` or English, in ``zone``; None when
    it names none (or one that has not begun)."""
    typed = _fold(text)
    if not typed:
        return None
    relative = catalog.choose(typed, language, tuple(RELATIVE))
    if relative is not None:
        return periods.previous(RELATIVE[relative], now, zone)
    today = now.astimezone(zone).date()
    named = _named(typed, catalog, language, today)
    if named is None or named[1] > today:
        return None
    return periods.containing(named[0], named[1], zone)


def _fold(text: str) -> str:
    """Full-width forms made plain (２０２６ → 2026), case folded, spaces collapsed, outer punctuation dropped."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split()).strip(" ,;:!?")


def _named(typed: str, catalog: Catalog, language: str, today: date) -> tuple[str, date] | None:
    """The kind and the first day of the month, quarter or year ``typed`` names."""
    for pattern in (_ISO_MONTH, _MONTH_ISO):
        numeric = pattern.fullmatch(typed)
        if numeric is not None:
            year, month = int(numeric["year"]), int(numeric["month"])
            return ("month", date(year, month, 1)) if FIRST_YEAR <= year and 1 <= month <= 12 else None
    for pattern in (_YEAR_FIRST, _YEAR_LAST):
        found = pattern.fullmatch(typed)
        if found is not None:
            year = int(found["year"])
            named = _core(found["rest"], year, catalog, language, today) if year >= FIRST_YEAR else None
            if named is not None:
                return named
    return _core(typed, None, catalog, language, today)


def _core(core: str, year: int | None, catalog: Catalog, language: str, today: date) -> tuple[str, date] | None:
    """What is left once the year is taken: nothing or the word for year (a year), a month's name, a quarter."""
    core = core.strip(" .,")
    if year is not None and (not core or core in catalog.words("year", language)):
        return "year", date(year, 1, 1)
    kind, month = "month", _month(core, catalog, language)
    if month is None:
        quarter = _quarter(core, catalog.words("quarter", language))
        if quarter is None:
            return None
        kind, month = "quarter", 3 * quarter - 2
    if year is None:  # the latest such month or quarter that has begun
        year = today.year if month <= today.month else today.year - 1
    return kind, date(year, month, 1)


def _month(core: str, catalog: Catalog, language: str) -> int | None:
    """The month ``core`` names ("november", "nov", "11월", "十一月"), also after the word for month
    ("bulan november")."""
    names = _month_names(language)
    found = names.get(core) or names.get(core.replace(" ", ""))
    if found is None:
        first, _, rest = core.partition(" ")
        if rest and first in catalog.words("month", language):
            found = names.get(rest.rstrip("."))
    return found


@lru_cache(maxsize=32)
def _month_names(language: str) -> dict[str, int]:
    """Babel's month names, wide and abbreviated, of the UI language and of English (folded, without the
    abbreviation's dot; German also without umlauts)."""
    names: dict[str, int] = {}
    for locale in (babel_locale(language), babel_locale("en"), Locale.parse("en")):
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    folded = _fold(name).rstrip(".")
                    names.setdefault(folded, int(number))
                    names.setdefault(folded.translate(_UMLAUTS), int(number))
    return names


@lru_cache(maxsize=32)
def _quarter_patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The forms of a quarter: q3, 3q, 3. quartal, 3rd quarter, 第3四半期, 三季度, 3분기, kuartal 3, triwulan iii."""
    named = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return (
        re.compile(r"q\s*(?P<n>[1-4])"),
        re.compile(r"(?P<n>[1-4])\s*q"),
        re.compile(rf"(?:第\s*)?{_NUMBER}\s*(?:\.|st|nd|rd|th)?\s*(?:{named})"),
        re.compile(rf"(?:{named})\s*(?:ke-?\s*)?{_NUMBER}"),
    )


def _quarter(core: str, words: tuple[str, ...]) -> int | None:
    for pattern in _quarter_patterns(words):
        found = pattern.fullmatch(core)
        if found is not None:
            return _NUMBERS[found["n"]]
    return None
