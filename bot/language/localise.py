"""Values formatted in a group's language: durations, clock times, recurrences, quiet hours, weekdays, working
weeks.

The numbers, units, list joining and time patterns come from Babel (CLDR); the sentence around them from the
group's catalogue (``recur.*``, ``quiet.window``). Nothing here is English unless the group's language is.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Final, Literal

from babel.dates import format_skeleton, get_day_names
from babel.lists import format_list
from babel.units import format_unit

from bot.language.catalog import Catalog, babel_locale
from bot.language.schedule import ALL_DAYS, WORKDAYS, duration_parts, is_working_days, recurrence_rule

__all__ = [
    "clock",
    "describe_recurrence",
    "describe_workdays",
    "format_duration",
    "quiet_window",
    "weekday_name",
    "weekday_time",
    "workweek_order",
]

_UNITS = {"day": "duration-day", "hour": "duration-hour", "minute": "duration-minute", "second": "duration-second"}


def format_duration(seconds: int, lang: str) -> str:
    """ "24 hours", "24 jam", "24시간", "24 Stunden", "1 Stunde und 30 Minuten" … (days from 48 hours on)."""
    locale = babel_locale(lang)
    parts = [format_unit(n, _UNITS[unit], length="long", locale=locale) for n, unit in duration_parts(seconds)]
    return format_list(parts, style="unit", locale=locale)


def clock(at: time | str, lang: str) -> str:
    """A wall-clock time the way the language writes it: "08:00" (en, de, ko), "08.00" (id), "8:00" (ja)."""
    if isinstance(at, str):  # "HH:MM" as stored
        hours, minutes = at.split(":")
        at = time(int(hours), int(minutes))
    return str(format_skeleton("Hm", at, locale=babel_locale(lang)))


# Languages whose "every <weekday>" takes another width of the name: Chinese writes 每周一, not 每星期一.
_EVERY_WEEKDAY_WIDTH: Final[dict[str, Literal["abbreviated"]]] = {"zh": "abbreviated"}


def weekday_name(weekday: int, lang: str, *, every: bool = False) -> str:
    """The weekday's full name (Monday = 0); ``every``: as it follows "every" (周一 in Chinese, after 每)."""
    width: Literal["abbreviated", "wide"] = "wide"
    if every:
        width = _EVERY_WEEKDAY_WIDTH.get(lang.split("-")[0].lower(), "wide")
    return str(get_day_names(width, locale=babel_locale(lang))[weekday])


def weekday_time(when: datetime, lang: str) -> str:
    """ "Monday 14:00", "Senin 14.00", "월요일 14:00" (for "local time now")."""
    return f"{weekday_name(when.weekday(), lang)} {clock(when.time(), lang)}"


def describe_recurrence(catalog: Catalog, recurrence: str, lang: str) -> str:
    """ "every Monday and Friday at 09:00", "setiap Senin dan Jumat pukul 09.00", "매주 월요일 및 금요일 09:00" …
    Raises ``ValueError`` for a malformed recurrence."""
    days, at = recurrence_rule(recurrence)
    shown = clock(at, lang)
    if is_working_days(recurrence):
        return catalog.t("recur.working_days", lang, time=shown)
    if days == ALL_DAYS:
        return catalog.t("recur.daily", lang, time=shown)
    if days == WORKDAYS:
        return catalog.t("recur.workdays", lang, time=shown)
    names = catalog.join((weekday_name(day, lang, every=True) for day in sorted(days)), lang)
    return catalog.t("recur.days", lang, days=names, time=shown)


def quiet_window(catalog: Catalog, start: str | None, end: str | None, lang: str) -> str:
    """Quiet hours as "21:00–07:00" ("21.00–07.00" in Indonesian), or the word for off."""
    if not start or not end:
        return catalog.t("state.off", lang)
    return catalog.t("quiet.window", lang, start=clock(start, lang), end=clock(end, lang))


def workweek_order(days: frozenset[int]) -> list[int]:
    """The working days in the order a week of them runs: from the day after the longest stretch of days off
    ([6, 0, 1, 2, 3] for Sunday to Thursday); Monday first when every day is a working day."""
    chosen = sorted(day for day in days if 0 <= day <= 6)
    if len(chosen) == 7 or not chosen:
        return chosen

    def days_off_before(day: int) -> int:
        count = 0
        while (day - count - 1) % 7 not in days:
            count += 1
        return count

    start = max(chosen, key=lambda day: (days_off_before(day), -day))
    return [(start + step) % 7 for step in range(7) if (start + step) % 7 in days]


def describe_workdays(catalog: Catalog, days: frozenset[int], lang: str) -> str:
    """A working week: "Monday to Friday", "Minggu sampai Kamis", "월요일~금요일" for three days and more in a
    row (``workweek.span``), else the days listed ("Monday, Wednesday and Friday")."""
    ordered = workweek_order(days)
    names = [weekday_name(day, lang) for day in ordered]
    in_a_row = all((ordered[i] + 1) % 7 == ordered[i + 1] for i in range(len(ordered) - 1))
    if len(ordered) >= 3 and in_a_row:
        return catalog.t("workweek.span", lang, first=names[0], last=names[-1])
    return catalog.join(names, lang)
