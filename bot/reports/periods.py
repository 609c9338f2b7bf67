"""Report periods in a group's zone: the calendar month, quarter or year, a range of days, and when an
automatic report is due (the first working day of the next period, 09:00 local)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.reports.model import Period

KINDS = ("month", "quarter", "year")
MAX_DAYS = 5 * 366  # a longer range is refused: nobody reports on it, and it costs
AUTOMATIC_AT = time(9, 0)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _start_of(kind: str, day: date) -> date:
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if kind == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"not a period kind: {kind!r}")


def _next_start(kind: str, start: date) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def current(kind: str, now: datetime, zone: ZoneInfo) -> Period:
    """The calendar month, quarter or year that contains ``now`` in ``zone``."""
    return containing(kind, now.astimezone(zone).date(), zone)


def containing(kind: str, day: date, zone: ZoneInfo) -> Period:
    """The calendar month, quarter or year that contains the local ``day``, from midnight to midnight in ``zone``."""
    start = _start_of(kind, day)
    return Period(_midnight(start, zone), _midnight(_next_start(kind, start), zone))


def previous(kind: str, now: datetime, zone: ZoneInfo) -> Period:
    """The calendar period before the one that contains ``now`` (what an automatic report covers)."""
    this = _start_of(kind, now.astimezone(zone).date())
    start = _start_of(kind, this - timedelta(days=1))
    return Period(_midnight(start, zone), _midnight(this, zone))


def days(first: date, last: date, zone: ZoneInfo) -> Period:
    """From local midnight of ``first`` to the end of ``last`` (both days included); ValueError when empty or
    longer than five years."""
    if last < first:
        raise ValueError("the period ends before it starts")
    if (last - first).days > MAX_DAYS:
        raise ValueError("the period is too long")
    return Period(_midnight(first, zone), _midnight(last + timedelta(days=1), zone))


def next_automatic(kind: str, after: datetime, zone: ZoneInfo) -> datetime:
    """The first working day (Monday to Friday) of the next month or quarter, 09:00 local, strictly after
    ``after``."""
    start = _start_of(kind, after.astimezone(zone).date())
    while True:
        day = start
        while day.weekday() >= 5:
            day += timedelta(days=1)
        at = datetime.combine(day, AUTOMATIC_AT, tzinfo=zone)
        if at > after:
            return at
        start = _next_start(kind, start)
