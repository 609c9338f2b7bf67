"""The public reading: :func:`read_date` and its kin, on top of the parse (:mod:`bot.language.dates.engine`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from bot.language.dates.engine import PAREN, Parse
from bot.language.dates.rules import babel_locale, base_language, normalise, paren_weekdays, rules_for
from bot.language.dates.spec import MAX_YEARS_AWAY, WORKING_WEEK, NotADate, Reading


def read_date(
    text: str,
    lang: str,
    tz: str,
    now: datetime,
    *,
    places: Mapping[str, str] | None = None,
    workdays: frozenset[int] = WORKING_WEEK,
    off_days: Callable[[date], bool] | None = None,
) -> Reading | None:
    """The instant ``text`` names with the other plausible reading, if any; ``None`` when it is not a date.

    ``lang`` is the group's language (unknown ones use the English rules plus dateparser), ``tz`` its IANA zone,
    ``now`` an aware datetime in any zone. Past dates are not rejected here (see :func:`is_past`).
    ``places`` adds place names a phrase may name as its zone (a bridge's cities: label -> IANA zone);
    ``workdays`` is the group's working week (0 Monday … 6 Sunday), which "end of the week/month" follow, skipping
    the days ``off_days`` says are off (its calendar's public holidays and days off).
    Raises ``ValueError`` for a naive ``now`` and ``ZoneInfoNotFoundError`` for an unknown ``tz``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    zone = ZoneInfo(tz)
    if len(text) > 400:
        return None
    code = base_language(lang)
    paren_weekday = None
    if (paren := PAREN.search(text)) is not None:
        names = paren_weekdays(code)
        key = normalise(paren.group(1)).rstrip(".")
        if key in names:
            paren_weekday = names[key]
            text = f"{text[: paren.start()]} {text[paren.end() :]}"
    s = normalise(text)
    if not s or len(s) > 200:
        return None
    try:
        parse = Parse(
            s,
            rules_for(code),
            zone,
            now,
            working_hours=True,
            paren_weekday=paren_weekday,
            workdays=workdays or WORKING_WEEK,
            off_days=off_days,
            places=tuple(sorted((places or {}).items())),
        )
        reading = parse.run()
    except (NotADate, OverflowError):
        return None
    if reading is None or abs(reading.when.year - now.year) > MAX_YEARS_AWAY:
        return None
    return reading


def parse_when(text: str, lang: str, tz: str, now: datetime) -> datetime | None:
    """The instant ``text`` names, as an aware UTC datetime, or ``None`` when it is not a date.

    The default reading of :func:`read_date`; same arguments and errors.
    """
    reading = read_date(text, lang, tz, now)
    return reading.when if reading is not None else None


def is_past(when: datetime, now: datetime) -> bool:
    """True when ``when`` is not strictly in the future of ``now`` (both aware; an instant equal to now is past)."""
    if when.utcoffset() is None or now.utcoffset() is None:
        raise ValueError("both datetimes must be aware")
    return when <= now


def format_when(when: datetime, lang: str, tz: str) -> str:
    """``when`` in the group's zone, localised with Babel: weekday, date and 24-hour time.

    id "Jum, 4 Des 2026 14.00", en "Fri, 4 Dec 2026, 14:00", de "Fr., 4. Dez. 2026, 14:00",
    ko "2026년 12월 4일 (금) 14:00". English uses the international (en_001) conventions, not the US ones.
    """
    if when.utcoffset() is None:
        raise ValueError("when must be an aware datetime")
    zone = ZoneInfo(tz)
    locale = babel_locale(lang)
    day = format_skeleton("yMMMEd", when, tzinfo=zone, locale=locale)
    clock = format_skeleton("Hm", when, tzinfo=zone, locale=locale)
    pattern = str(locale.datetime_formats.get("medium", "{1} {0}")).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", clock)


_EPOCH: Final = datetime(2000, 1, 3, tzinfo=UTC)  # any instant: a time of day alone needs no "now"


def clock_minutes(s: str, code: str) -> int | None:
    """Minutes after midnight (1440 for the midnight words) when the normalised text ``s`` is exactly a time of day
    by the rules of ``code`` (clock words, clocks, bare clocks and period words, a bare hour in working hours);
    ``None`` otherwise, also for a period word without a clock."""
    parse = Parse(s, rules_for(code), UTC, _EPOCH, working_hours=True)
    try:
        parse.read_time_only()
        if parse.rest() is not None or (parse.clock is None and parse.clock_minutes is None):
            return None
        return parse.time_of_day()
    except NotADate:
        return None
