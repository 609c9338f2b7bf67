"""What a report is made of: plain values computed by ``bot.reports.figures`` from the stored history, drawn by
``bot.reports.charts`` and exported by ``bot.reports.exports``. Nothing here reads the database or Telegram."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Period:
    """A report's period: ``start`` inclusive, ``end`` exclusive, both aware UTC instants (local midnights of the
    group that asked)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class IndicatorProgress:
    """One indicator against its target. ``value`` is what counts for the target now (the sum in the current
    year or quarter for a per-year/per-quarter target, the running total for a "by <date>" one); ``expected``
    what the elapsed share of its period asks for. (No history of updates: a report reads one sum per
    indicator, never its updates.)"""

    programme: str
    name: str
    target: float
    period: str  # "year", "quarter" or "by"
    value: float
    expected: float
    on_track: bool


@dataclass(frozen=True, slots=True)
class Bucket:
    """Actions opened and done in one week or month starting on ``start`` (a local date)."""

    start: date
    opened: int
    done: int


@dataclass(frozen=True, slots=True)
class CityActivity:
    """Messages one city's group relayed out, per local day of the period (days without any are left out)."""

    city: str
    days: tuple[tuple[date, int], ...]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.days)


@dataclass(frozen=True, slots=True)
class ChartText:
    """Every word a chart shows, already in the group's language (from its catalogue)."""

    indicators_title: str = "Indicators"
    target: str = "target"
    expected: str = "expected by now"
    value: str = "achieved"
    actions_title: str = "Actions"
    opened: str = "opened"
    done: str = "done"
    activity_title: str = "Messages relayed"
    extra: Mapping[str, str] = field(default_factory=dict)
    language: str = "en"  # the numbers' signs (46.7, 46,7) and the dates' form (7 Dec, 12월 7일)
    heading: str = ""  # plain text over every chart: the partnership (its cities) and the period


@dataclass(frozen=True, slots=True)
class ActionRow:
    """One action item in an export. Instants are aware (shown in the asking group's zone); ``title`` is in the
    asking group's language, ``original`` as it was written."""

    number: int
    title: str
    original: str
    programme: str
    owners: str
    city: str
    status: str  # translated status word
    created_at: datetime
    due_at: datetime | None
    done_at: datetime | None
    late: bool


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One indicator update in an export, or the indicator itself (``at`` its creation, no ``change`` and no
    ``value``; ``at`` None when not known). ``period`` is the word the group reads ("per year", "bis 30.06.2027")."""

    programme: str
    name: str
    target: float
    period: str
    at: datetime | None
    change: float | None
    value: float | None
    by: str
    city: str
    note: str


@dataclass(frozen=True, slots=True)
class CalendarItem:
    """An open action's due date as a calendar event; ``uid`` is stable for the same item. ``day``: the due
    date is a whole day (set without a time of day, or at the end of the day), that day as the group that set it
    counts days; the file then holds an all-day item on it, else a zero-length event at ``due_at``."""

    uid: str
    title: str
    description: str
    due_at: datetime
    timezone: str
    day: date | None = None


@dataclass(frozen=True, slots=True)
class IcsEvent:
    """Any other event of the calendar export (a day off, a meeting): ``uid`` stable for the same event, so that
    importing again updates it. ``start`` and ``end`` are both dates (an all-day event; ``end`` is the day after
    its last day, as iCalendar has it) or both aware instants (shown in ``timezone`` when given, else in UTC);
    ``alarm_seconds``: display alarms that long before the start (none by default)."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime
    description: str = ""
    timezone: str | None = None
    alarm_seconds: tuple[int, ...] = ()
