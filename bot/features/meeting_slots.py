"""Finding a meeting time across a bridge (pure: no clock, no I/O; ``/meet`` is bot/features/meetings.py).

Rules (tested in tests/unit/test_meeting_slots.py):

* **Candidates** start on a 30-minute grid aligned in UTC (:00 and :30), from the later of the window's start and
  ``now`` rounded up to the grid plus 30 minutes, and end inside the window ``[start, end)``.
* A candidate **fits** when, for every group, it lies inside one working period of the group's
  :class:`~bot.language.calendars.WorkCalendar` (a working day, between its opening and closing on the group's
  wall clock: public holidays, extra days off and days outside the working week have none).
* Up to three fitting slots are proposed, **on different days where possible**: the earliest slot of each of the
  first days (days on the clock of the zone given, the asking group's), then the earliest others that do not
  overlap those, then any; shown in time order.
* When **none fits**, the least-bad slots are proposed instead, best first by: not on a public holiday or extra
  day off of any group (when that can be avoided), the fewest groups outside their working time, the fewest
  minutes outside it, the least far outside it (minutes from each outside group's nearest working time), then the
  earliest; non-overlapping ones first, shown in time order. Each says which groups would be outside.

What a member types after ``/meet`` (:func:`read_request`): a duration — ``1h``, ``90m``, ``1h30m`` (as
:func:`bot.language.schedule.parse_durations` reads them), or a number and a unit word of the group's language
("2 jam", "1시간 30분", "90 Minuten") — then optionally a period, then optionally ``: title``. The periods are the
catalogue's words for today, tomorrow, this week (now to Sunday's end), next week (Monday to Sunday), and a
number of days ("3 days", "3 hari", "3일", "3 Tage", "3日", "3天": now to that many days later), each optionally
after a "within" word ("within next week", "dalam 3 hari"). No period: the next seven days. Anything else is not
understood (nothing is guessed).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.rules import MEETING_GRID_MINUTES, MEETING_SLOTS, MEETING_WINDOW_DAYS_MAX
from bot.language.calendars import WorkCalendar
from bot.language.schedule import parse_durations

__all__ = [
    "DEFAULT_WINDOW",
    "GRID",
    "PERIODS",
    "Found",
    "MeetWords",
    "Period",
    "Request",
    "Slot",
    "find_slots",
    "first_start",
    "outside_groups",
    "read_request",
    "window",
]

GRID: Final = timedelta(minutes=MEETING_GRID_MINUTES)
LEAD: Final = timedelta(minutes=30)  # the first slot starts at least this long after now (rounded up to the grid)
DEFAULT_WINDOW: Final = timedelta(days=7)
PERIODS: Final = ("today", "tomorrow", "this_week", "next_week")
_EPOCH: Final = datetime(2000, 1, 1, tzinfo=UTC)
_TITLE_MARKS: Final = (":", "：", "\n")


@dataclass(frozen=True, slots=True)
class Slot:
    """A proposed time ``[start, end)`` (aware UTC); ``outside``: the groups (their keys) that would be outside
    their working time, and for how many minutes in all (least-bad slots only)."""

    start: datetime
    end: datetime
    outside: tuple[int, ...] = ()
    minutes_outside: int = 0


@dataclass(frozen=True, slots=True)
class Found:
    """The slots found (in time order): inside every group's working time (``fits``), or the least bad."""

    slots: tuple[Slot, ...]
    fits: bool


# ---- the search ------------------------------------------------------------------------------------------------
def grid_ceil(instant: datetime) -> datetime:
    """``instant`` rounded up to the grid (UTC :00 / :30)."""
    instant = instant.astimezone(UTC)
    steps = -(-(instant - _EPOCH) // GRID)
    return _EPOCH + steps * GRID


def first_start(start: datetime, now: datetime) -> datetime:
    """The earliest candidate of a window starting at ``start``: never sooner than ``now`` rounded up plus 30
    minutes."""
    return max(grid_ceil(start), grid_ceil(now) + LEAD)


Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class _Working:
    """A group's working periods around the window, merged where one ends as the next begins."""

    spans: list[Span]
    starts: list[datetime] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", [s for s, _ in self.spans])

    @classmethod
    def of(cls, calendar: WorkCalendar, start: datetime, end: datetime) -> _Working:
        first = calendar.local(start).date() - timedelta(days=1)
        last = calendar.local(end).date() + timedelta(days=1)
        merged: list[Span] = []
        for opens, closes in calendar.periods(first, last):
            if merged and merged[-1][1] >= opens:
                merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
            else:
                merged.append((opens, closes))
        return cls(merged)

    def contains(self, start: datetime, end: datetime) -> bool:
        index = bisect.bisect_right(self.starts, start) - 1
        return index >= 0 and self.spans[index][1] >= end

    def overlap(self, start: datetime, end: datetime) -> timedelta:
        index = max(0, bisect.bisect_right(self.starts, start) - 1)
        total = timedelta(0)
        while index < len(self.spans) and self.spans[index][0] < end:
            opens, closes = self.spans[index]
            if closes > start:
                total += min(closes, end) - max(opens, start)
            index += 1
        return total

    def distance(self, start: datetime, end: datetime) -> timedelta:
        """How far ``[start, end)`` is from the nearest working time (0 when it touches some)."""
        index = bisect.bisect_right(self.starts, start)
        gaps = []
        if index > 0:
            gaps.append(max(timedelta(0), start - self.spans[index - 1][1]))
        if index < len(self.spans):
            gaps.append(max(timedelta(0), self.spans[index][0] - end))
        return min(gaps, default=timedelta(days=MEETING_WINDOW_DAYS_MAX))


def _off_day(calendar: WorkCalendar, start: datetime, end: datetime) -> bool:
    """The slot touches a public holiday or an extra day off of the group (weekends are not counted here)."""
    days = {calendar.local(start).date(), calendar.local(end - timedelta(microseconds=1)).date()}
    return any(calendar.holiday(day) is not None or calendar.extra_off(day) is not None for day in days)


def outside_groups(calendars: Mapping[int, WorkCalendar], start: datetime, end: datetime) -> tuple[int, ...]:
    """The groups for which ``[start, end)`` is not inside one of their working periods."""
    return tuple(
        key for key, calendar in calendars.items() if not _Working.of(calendar, start, end).contains(start, end)
    )


def find_slots(
    calendars: Mapping[int, WorkCalendar],
    minutes: int,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    zone: str = "UTC",
    count: int = MEETING_SLOTS,
) -> Found:
    """Up to ``count`` slots of ``minutes`` in ``[start, end)`` for the groups' ``calendars`` (see the module's
    rules); days are told apart on ``zone``'s clock. No candidate at all (the window is over): no slots."""
    duration = timedelta(minutes=minutes)
    starts: list[datetime] = []
    candidate = first_start(start, now)
    while candidate + duration <= end:
        starts.append(candidate)
        candidate += GRID
    if not starts:
        return Found((), True)
    working = {key: _Working.of(calendar, starts[0], starts[-1] + duration) for key, calendar in calendars.items()}
    fitting = [
        Slot(s, s + duration) for s in starts if all(hours.contains(s, s + duration) for hours in working.values())
    ]
    if fitting:
        return Found(_by_days(fitting, count, ZoneInfo(zone)), True)
    scored: list[tuple[tuple[bool, int, int, int, datetime], Slot]] = []
    for s in starts:
        e = s + duration
        outside: list[int] = []
        minutes_out, far, off = 0, 0, False
        for key, hours in working.items():
            inside = hours.overlap(s, e)
            if inside < duration:
                outside.append(key)
                minutes_out += int((duration - inside).total_seconds() // 60)
                far += int(hours.distance(s, e).total_seconds() // 60)
            off = off or _off_day(calendars[key], s, e)
        scored.append(((off, len(outside), minutes_out, far, s), Slot(s, e, tuple(outside), minutes_out)))
    scored.sort(key=lambda entry: entry[0])
    return Found(_spread([slot for _, slot in scored], count), False)


def _overlaps(a: Slot, b: Slot) -> bool:
    return a.start < b.end and b.start < a.end


def _spread(ranked: Sequence[Slot], count: int, picks: Sequence[Slot] = ()) -> tuple[Slot, ...]:
    """``picks`` and then, in ``ranked`` order, those not overlapping any picked, then any: ``count`` in time order."""
    chosen = list(picks)
    for slot in ranked:
        if len(chosen) >= count:
            break
        if slot not in chosen and not any(_overlaps(slot, other) for other in chosen):
            chosen.append(slot)
    for slot in ranked:
        if len(chosen) >= count:
            break
        if slot not in chosen:
            chosen.append(slot)
    return tuple(sorted(chosen, key=lambda slot: slot.start))


def _by_days(fitting: Sequence[Slot], count: int, zone: ZoneInfo) -> tuple[Slot, ...]:
    """The earliest slot of each of the first days, then the earliest others (non-overlapping first)."""
    days: set[date] = set()
    picks: list[Slot] = []
    for slot in fitting:
        day = slot.start.astimezone(zone).date()
        if day not in days:
            days.add(day)
            picks.append(slot)
            if len(picks) == count:
                break
    return _spread(fitting, count, picks)


# ---- what a member types ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Period:
    """The window asked for: ``kind`` one of "default", :data:`PERIODS` or "days" (``days`` of them)."""

    kind: str = "default"
    days: int = 0


@dataclass(frozen=True, slots=True)
class Request:
    minutes: int
    period: Period
    title: str | None


@dataclass(frozen=True)
class MeetWords:
    """The words of the group's language (and English) that ``/meet`` reads, from the catalogue."""

    hours: Sequence[str]
    minutes: Sequence[str]
    days: Sequence[str]
    within: Sequence[str]
    periods: Mapping[str, Sequence[str]]


def _alternatives(words: Sequence[str]) -> str:
    """A regular expression for any of ``words`` (longest first; a space in a word matches any spacing or none)."""
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    return "|".join(r"\s*".join(re.escape(part) for part in w.split()) for w in ordered)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _duration(head: str, words: MeetWords) -> tuple[int, str] | None:
    """The duration at the start of ``head`` (minutes) and what follows it."""
    tokens = head.split(" ")
    taken = 0
    while taken < len(tokens) and (seconds := parse_durations(tokens[taken])) is not None and len(seconds) == 1:
        taken += 1
    if taken:  # "1h", "90m", "1h30m", "1h 30m"
        total = sum((parse_durations(token) or [0])[0] for token in tokens[:taken])
        return total // 60, " ".join(tokens[taken:])
    hours, minutes = _alternatives(words.hours), _alternatives(words.minutes)
    unit_end = r"(?![a-z])"
    found = re.match(rf"(\d{{1,2}})\s*(?:{hours}){unit_end}(?:\s*(\d{{1,3}})\s*(?:{minutes}){unit_end})?", head)
    if found is not None:
        return int(found[1]) * 60 + int(found[2] or 0), head[found.end() :]
    found = re.match(rf"(\d{{1,4}})\s*(?:{minutes}){unit_end}", head)
    if found is not None:
        return int(found[1]), head[found.end() :]
    return None


def _period(text: str, words: MeetWords) -> Period | None:
    text = text.strip()
    if not text:
        return Period()
    fixed = {_normal(w).replace(" ", ""): kind for kind in PERIODS for w in words.periods.get(kind, ())}
    within = _alternatives(words.within)
    prefix = rf"(?:(?:{within})\s*)?" if within else ""
    named = _alternatives([w for kind in PERIODS for w in words.periods.get(kind, ())])
    days = _alternatives(words.days)
    found = re.fullmatch(rf"{prefix}(?:(?P<fixed>{named})|(?P<n>\d{{1,3}})\s*(?:{days}))", text)
    if found is None:
        return None
    if found["n"] is not None:
        count = int(found["n"])
        return Period("days", count) if 1 <= count <= MEETING_WINDOW_DAYS_MAX else None
    kind = fixed.get(found["fixed"].replace(" ", ""))
    return Period(kind) if kind is not None else None


def read_request(text: str, words: MeetWords) -> Request | None:
    """The duration, period and title of ``/meet …`` (None: not understood). The duration is not checked against
    the limits here; the title is what follows the first ":" (or the first line), stripped (None when empty)."""
    cut = min((i for i in (text.find(mark) for mark in _TITLE_MARKS) if i >= 0), default=len(text))
    head, title = _normal(text[:cut]), text[cut + 1 :].strip() or None
    duration = _duration(head, words)
    if duration is None:
        return None
    period = _period(duration[1], words)
    if period is None:
        return None
    return Request(duration[0], period, title)


def window(period: Period, now: datetime, zone: str) -> tuple[datetime, datetime]:
    """The instants ``[start, end)`` a period names on ``zone``'s clock (aware UTC)."""
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()

    def midnight(days: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(0), tzinfo=tz).astimezone(UTC)

    now = now.astimezone(UTC)
    monday = 7 - today.weekday()  # days to next Monday
    if period.kind == "today":
        return now, midnight(1)
    if period.kind == "tomorrow":
        return midnight(1), midnight(2)
    if period.kind == "this_week":
        return now, midnight(monday)
    if period.kind == "next_week":
        return midnight(monday), midnight(monday + 7)
    if period.kind == "days":
        return now, now + timedelta(days=period.days)
    return now, now + DEFAULT_WINDOW
