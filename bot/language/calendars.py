"""Every city's calendar (pure functions, no clock, no I/O beyond the ``holidays`` package's own tables).

A group's :class:`WorkCalendar` is its zone, its working week (0 Monday … 6 Sunday), its working hours (local
wall clock, ``start < end``: no overnight shifts), its country and region for public holidays (the ``holidays``
package) and its extra days off (collective leave, closures: ``/calendar off``).

Rules (tested in tests/unit/test_calendars.py):

* A **day off** is a day outside the working week, a public holiday of the country (and region) or an extra day
  off. :meth:`WorkCalendar.day_off` says why (the holiday's or the extra day's name, or ``""`` for the weekend).
* **Working time** is ``[start, end)`` of each working day on the group's wall clock. An instant outside it is
  moved by :meth:`WorkCalendar.next_working_start` to the start of the next working period (the same day's
  start when it is before it, else the next working day's); an instant inside it stays. The wall-clock start
  is read as :mod:`bot.language.schedule` reads local times: a start inside a spring-forward gap moves forward by
  the gap (02:30 → 03:30 summer time).
* Holiday names come in the reader's language where the library has it, otherwise in the country's own
  language (:func:`holiday_language`).
* The country is guessed from the zone (the IANA ``zone.tab``) when a group set none (:func:`guess_country`);
  a guess is said to be one where it is shown.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import holidays as holiday_tables

from bot.domain.records import Chat, DayOff
from bot.domain.rules import DEFAULT_WORK_HOURS

__all__ = [
    "DEFAULT_HOURS",
    "DayOff",
    "Off",
    "WorkCalendar",
    "calendar_of",
    "country_name_ok",
    "guess_country",
    "holiday_language",
    "holidays_of",
    "regions_of",
]

DEFAULT_HOURS: Final = DEFAULT_WORK_HOURS  # 08:00–17:00
SEARCH_DAYS: Final = 400  # how far a search for the next working day looks (a year of days off is refused)
_LANGUAGES: Final = {"en": "en_US", "zh": "zh_CN"}
# When zone.tab cannot be read: the partner countries of the article.
_FALLBACK_ZONES: Final = {
    "Asia/Jakarta": "ID",
    "Asia/Makassar": "ID",
    "Asia/Jayapura": "ID",
    "Asia/Pontianak": "ID",
    "Asia/Seoul": "KR",
    "Asia/Tokyo": "JP",
    "Asia/Shanghai": "CN",
    "Europe/Berlin": "DE",
}


@dataclass(frozen=True, slots=True)
class Off:
    """A day off as listed: its day, its name ("" for the weekend) and whether it is a public holiday."""

    day: date
    name: str
    holiday: bool


@dataclass(frozen=True)
class WorkCalendar:
    zone: str
    workdays: frozenset[int] = frozenset(range(5))
    start: int = DEFAULT_HOURS[0]  # minutes after local midnight
    end: int = DEFAULT_HOURS[1]
    country: str | None = None
    region: str | None = None
    extra: tuple[DayOff, ...] = ()
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= 24 * 60:
            raise ValueError(f"not working hours: {self.start}–{self.end}")
        object.__setattr__(self, "_tz", ZoneInfo(self.zone))

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    # ---- days ------------------------------------------------------------------------------------------------
    def holiday(self, day: date, language: str | None = None) -> str | None:
        """The public holiday's name on ``day`` (None when it is none)."""
        if self.country is None:
            return None
        return holidays_of(self.country, self.region, day.year, language).get(day)

    def extra_off(self, day: date) -> DayOff | None:
        return next((off for off in self.extra if off.covers(day)), None)

    def day_off(self, day: date, language: str | None = None) -> str | None:
        """Why ``day`` is off: a holiday's or extra day's name, ``""`` outside the working week; None on a working
        day."""
        if (name := self.holiday(day, language)) is not None:
            return name
        if (extra := self.extra_off(day)) is not None:
            return extra.name
        return None if day.weekday() in self.workdays else ""

    def closed(self, day: date) -> bool:
        """A public holiday or an extra day off (whatever the working week says)."""
        return self.holiday(day) is not None or self.extra_off(day) is not None

    def is_working_day(self, day: date) -> bool:
        return self.day_off(day) is None

    def days_off(self, first: date, last: date, language: str | None = None, *, weekends: bool = False) -> list[Off]:
        """The days off from ``first`` to ``last`` (both included): holidays and extra days, and with ``weekends``
        the days outside the working week too."""
        found: list[Off] = []
        day = first
        while day <= last:
            holiday = self.holiday(day, language)
            if holiday is not None:
                found.append(Off(day, holiday, True))
            elif (extra := self.extra_off(day)) is not None:
                found.append(Off(day, extra.name, False))
            elif weekends and day.weekday() not in self.workdays:
                found.append(Off(day, "", False))
            day += timedelta(days=1)
        return found

    def previous_working_day(self, day: date) -> date:
        """The last working day before ``day`` (ValueError when none within a year)."""
        for back in range(1, SEARCH_DAYS):
            candidate = day - timedelta(days=back)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("no working day within a year")

    # ---- instants --------------------------------------------------------------------------------------------
    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self._tz)

    def opens(self, day: date) -> datetime:
        """The start of working hours on ``day`` (aware UTC)."""
        return _instant(day, self.start, self._tz)

    def closes(self, day: date) -> datetime:
        return _instant(day, self.end, self._tz)

    def working_at(self, instant: datetime) -> bool:
        """Whether ``instant`` is inside a working period."""
        day = self.local(instant).date()
        return self.is_working_day(day) and self.opens(day) <= instant < self.closes(day)

    def why_not(self, instant: datetime, language: str | None = None) -> str | None:
        """Why ``instant`` is outside working time: the day off's name ("" for the weekend), or "hours" for a
        working day outside the hours; None inside working time."""
        day = self.local(instant).date()
        off = self.day_off(day, language)
        if off is not None:
            return off
        return None if self.opens(day) <= instant < self.closes(day) else "hours"

    def next_working_start(self, instant: datetime) -> datetime:
        """``instant`` when it is working time, else the start of the next working period (aware UTC)."""
        day = self.local(instant).date()
        if self.is_working_day(day):
            if self.opens(day) <= instant < self.closes(day):
                return instant.astimezone(UTC)
            if instant < self.opens(day):
                return self.opens(day)
        for ahead in range(1, SEARCH_DAYS):
            candidate = day + timedelta(days=ahead)
            if self.is_working_day(candidate):
                return self.opens(candidate)
        raise ValueError("no working day within a year")

    def periods(self, first: date, last: date) -> Iterator[tuple[datetime, datetime]]:
        """The working periods from ``first`` to ``last`` (both included), as aware UTC [start, end)."""
        day = first
        while day <= last:
            if self.is_working_day(day):
                yield self.opens(day), self.closes(day)
            day += timedelta(days=1)

    def working_days_between(self, first: date, last: date) -> int:
        """Working days after ``first`` up to ``last`` included (0 when ``last`` <= ``first``): days late."""
        count, day = 0, first + timedelta(days=1)
        while day <= last:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count


def _instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """Local wall-clock ``day`` + ``minutes`` as aware UTC; a time in a spring-forward gap is its end."""
    if minutes >= 24 * 60:
        return _instant(day + timedelta(days=1), minutes - 24 * 60, zone)
    # fold=0: a time in a gap is read with the offset before it, which lands after the gap (02:30 → 03:30).
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(UTC)


# ---- the holidays package ------------------------------------------------------------------------------------
def holiday_language(country: str, language: str | None) -> str | None:
    """The library's language for ``language`` in ``country``'s tables, else the country's own (None: default)."""
    try:
        table = holiday_tables.country_holidays(country)
    except NotImplementedError:
        return None
    supported = tuple(getattr(table, "supported_languages", ()))
    wanted = _LANGUAGES.get(language or "", language)
    if wanted in supported:
        return wanted
    return getattr(table, "default_language", None)


@lru_cache(maxsize=512)
def holidays_of(country: str, region: str | None, year: int, language: str | None = None) -> Mapping[date, str]:
    """The public holidays of ``country`` (and ``region``) in ``year``: day → name (several joined by "; "). A
    region the library does not know (any more) keeps the whole country's holidays."""
    try:
        table = holiday_tables.country_holidays(
            country, subdiv=region, years=year, language=holiday_language(country, language)
        )
    except NotImplementedError:
        return {} if region is None else holidays_of(country, None, year, language)
    return {day: name for day, name in sorted(table.items()) if day.year == year}


def country_name_ok(country: str) -> bool:
    """Whether the library knows ``country`` (ISO 3166 alpha-2, upper case)."""
    return country in holiday_tables.list_supported_countries()


def regions_of(country: str) -> tuple[str, ...]:
    """The subdivisions the library knows for ``country`` (ISO codes, then its other names)."""
    return tuple(holiday_tables.list_supported_countries().get(country, ()))


@lru_cache(maxsize=1)
def _zone_countries() -> Mapping[str, str]:
    text = None
    try:
        text = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        system = Path("/usr/share/zoneinfo/zone.tab")
        text = system.read_text(encoding="utf-8") if system.exists() else None
    found = dict(_FALLBACK_ZONES)
    for line in (text or "").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            found.setdefault(parts[2], parts[0])
    return found


def guess_country(zone: str) -> str | None:
    """The country of an IANA zone (``Asia/Seoul`` → ``KR``), when the library has its holidays."""
    country = _zone_countries().get(zone)
    return country if country is not None and country_name_ok(country) else None


def calendar_of(chat: Chat, zone: str, extra: tuple[DayOff, ...] = ()) -> WorkCalendar:
    """A group's calendar: its zone (the caller resolves the default), working week and hours, its country (else
    the one its zone is in) and region, and its extra days off."""
    country = chat.country or guess_country(zone)
    return WorkCalendar(
        zone=zone,
        workdays=chat.workdays,
        start=chat.work_hours[0],
        end=chat.work_hours[1],
        country=country,
        region=chat.region if chat.country else None,
        extra=extra,
    )
