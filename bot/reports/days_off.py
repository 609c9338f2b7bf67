"""The cities' days off as all-day events of the calendar export (``/export calendar holidays``): pure, from a
group's :class:`~bot.language.calendars.WorkCalendar`, for :func:`bot.reports.exports.calendar_ics`.

Consecutive days off with the same name and kind (a public holiday, or an extra day off of the group) are one
event, ``DTEND`` the day after its last day. The uid is the group's and the event's first day: importing the
file again updates an event rather than adding it twice. A run of days that began before today (up to
``LOOKBACK_DAYS``) keeps its first day, so its uid stays the same while it lasts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Final

from bot.language.calendars import Off, WorkCalendar
from bot.reports.model import IcsEvent

__all__ = ["AHEAD_DAYS", "LOOKBACK_DAYS", "days_off_events"]

AHEAD_DAYS: Final = 365  # from today to this many days ahead
LOOKBACK_DAYS: Final = 14  # how far back a run of days off that goes on today is looked for


def days_off_events(
    calendar: WorkCalendar,
    chat_id: int,
    today: date,
    language: str | None,
    *,
    summary: Callable[[str], str],
    notes: tuple[str, str],
    ahead_days: int = AHEAD_DAYS,
) -> list[IcsEvent]:
    """``calendar``'s public holidays and extra days off from ``today`` to ``ahead_days`` later (weekends are not
    listed), as all-day events in date order; holiday names in ``language`` where the holidays library has it.
    ``summary(name)`` is an event's title (``name`` is ``""`` for an extra day off without a name); ``notes``
    are the descriptions of a public holiday and of an extra day off."""
    found = calendar.days_off(today - timedelta(days=LOOKBACK_DAYS), today + timedelta(days=ahead_days), language)
    runs: list[list[Off]] = []
    for off in found:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and off.day == previous.day + timedelta(days=1)
            and (off.name, off.holiday) == (previous.name, previous.holiday)
        ):
            runs[-1].append(off)
        else:
            runs.append([off])
    return [
        IcsEvent(
            uid=f"kembar-off-{chat_id}-{run[0].day.isoformat()}@kembar",
            summary=summary(run[0].name),
            start=run[0].day,
            end=run[-1].day + timedelta(days=1),
            description=notes[0] if run[0].holiday else notes[1],
        )
        for run in runs
        if run[-1].day >= today
    ]
