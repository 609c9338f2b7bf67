"""Report figures computed from the stored history: plain functions of plain values (no database, no Telegram),
so a report over a seeded history has known answers (tests/unit/test_reports_figures.py).

Definitions (also in the README):

* *opened* / *done* in a period: "created" / "done" events in it (a later reopening does not undo a "done" of
  the period: the history says what happened then);
* *overdue*: open now and past its due date;
* *days late*: the working days of the asking group's calendar after the due date's day up to today (an open
  item) or the day it was done (:func:`days_late`; plain calendar days when no calendar is given);
* *on-time rate*: of the items done in the period that had a due date, the share done by it;
* *median days to close*: over the items done in the period, from creation to done;
* a city *owns* the open items created in its group, and *did* the "done" events its members recorded;
* an indicator's *value* is what counts for its target: the sum of its changes in the current year or quarter
  (per-year / per-quarter targets) or its running total (a "by <date>" target); *expected* is the target times
  the elapsed share of that period; *on track* when the value is at least the expected one;
* *days since the last exchange*: from the asking group's last day with a message relayed out of it or into it
  to today, both days in its zone (a group's activity is counted on its own local days).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.records import ActionItem, ActivityDay, Event, Indicator, IndicatorUpdate
from bot.reports.model import Bucket, CityActivity, IndicatorProgress, Period

NEXT_MAX = 5
WEEKLY_UP_TO_DAYS = 100  # a period up to this long is counted per week, a longer one per month

# Days counted after the first date up to the second (0 when the second is not later): a group's
# ``WorkCalendar.working_days_between`` (bot/language/calendars.py), or :func:`calendar_days`.
WorkingDays = Callable[[date, date], int]


@dataclass(frozen=True, slots=True)
class ProgrammeFigures:
    name: str | None  # None: actions in no programme
    opened: int
    done: int
    overdue: int
    on_time_rate: float | None  # None: nothing with a due date was done
    median_days: float | None  # None: nothing was done
    overdue_days_max: int | None = None  # the longest an item overdue now is late, in working days (None: none)
    late_done: int = 0  # items done in the period after their due time
    late_days_median: float | None = None  # how late those were, in working days (None: none was late)


@dataclass(frozen=True, slots=True)
class CityFigures:
    chat_id: int
    city: str
    owns_open: int
    did: int


@dataclass(frozen=True, slots=True)
class ReportFigures:
    period: Period
    programmes: tuple[ProgrammeFigures, ...]
    indicators: tuple[IndicatorProgress, ...]
    buckets: tuple[Bucket, ...]
    activity: tuple[CityActivity, ...]
    cities: tuple[CityFigures, ...]
    days_since_exchange: int | None
    next_deadlines: tuple[ActionItem, ...]


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def calendar_days(first: date, last: date) -> int:
    """Days after ``first`` up to ``last`` (0 when ``last`` is not later): days late without a calendar."""
    return max(0, (last - first).days)


def days_late(item: ActionItem, now: datetime, zone: ZoneInfo, working_days: WorkingDays = calendar_days) -> int | None:
    """How many days ``item`` is late (open and past due at ``now``) or was late (done after its due time): the
    days ``working_days`` counts after its due date's day up to today's or its done day's, both in ``zone`` (0
    for an item late by hours on its due day, or over a weekend only). None when it is not late: no due date,
    done in time, not due yet, or dropped."""
    if item.due_at is None:
        return None
    if item.status == "done" and item.done_at is not None:
        end = item.done_at
    elif item.is_overdue(now):
        end = now
    else:
        return None
    if end <= item.due_at:
        return None
    return working_days(local_day(item.due_at, zone), local_day(end, zone))


def programme_figures(
    items: Sequence[ActionItem],
    events: Sequence[Event],
    period: Period,
    now: datetime,
    zone: ZoneInfo,
    working_days: WorkingDays = calendar_days,
) -> tuple[ProgrammeFigures, ...]:
    """Per programme; days late are counted on ``zone``'s days with ``working_days``."""
    opened = Counter(e.programme for e in events if e.kind == "created")
    done = Counter(e.programme for e in events if e.kind == "done")
    overdue = Counter(i.programme for i in items if i.is_overdue(now))
    overdue_days: dict[str | None, list[int]] = defaultdict(list)
    for item in items:
        if item.is_overdue(now) and (behind := days_late(item, now, zone, working_days)) is not None:
            overdue_days[item.programme].append(behind)
    closed: dict[str | None, list[ActionItem]] = defaultdict(list)
    for item in items:
        if item.status == "done" and item.done_at is not None and period.start <= item.done_at < period.end:
            closed[item.programme].append(item)
    names = sorted(set(opened) | set(done) | set(overdue) | set(closed), key=lambda n: (n is None, n or ""))
    figures = []
    for name in names:
        finished = closed.get(name, [])
        with_due = [i for i in finished if i.due_at is not None]
        on_time = sum(1 for i in with_due if i.done_at is not None and i.due_at is not None and i.done_at <= i.due_at)
        days = [(i.done_at - i.created_at).total_seconds() / 86400 for i in finished if i.done_at is not None]
        late = [d for i in with_due if (d := days_late(i, now, zone, working_days)) is not None]
        longest = overdue_days.get(name)
        figures.append(
            ProgrammeFigures(
                name=name,
                opened=opened.get(name, 0),
                done=done.get(name, 0),
                overdue=overdue.get(name, 0),
                on_time_rate=(on_time / len(with_due)) if with_due else None,
                median_days=statistics.median(days) if days else None,
                overdue_days_max=max(longest) if longest else None,
                late_done=len(late),
                late_days_median=statistics.median(late) if late else None,
            )
        )
    return tuple(figures)


def indicator_window(indicator: Indicator, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period ``indicator``'s target is for at ``now``: the current calendar year or quarter in ``zone``, or
    from its creation to its date (a "by <date>" target); ``start`` inclusive, ``end`` exclusive."""
    local = now.astimezone(zone)
    if indicator.period == "year":
        start = datetime(local.year, 1, 1, tzinfo=zone)
        end = datetime(local.year + 1, 1, 1, tzinfo=zone)
    elif indicator.period == "quarter":
        first = 3 * ((local.month - 1) // 3) + 1
        start = datetime(local.year, first, 1, tzinfo=zone)
        end = datetime(local.year + (first == 10), (first + 3 - 1) % 12 + 1, 1, tzinfo=zone)
    else:
        start = indicator.created_at
        end = indicator.by_date if indicator.by_date is not None and indicator.by_date > start else now
    return start, end


def counted_span(indicator: Indicator, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The instants whose changes make up a per-year or per-quarter indicator's value at ``now``: its window up
    to ``now`` included (``start`` inclusive, ``end`` exclusive; instants are exact to the microsecond). None
    for a "by <date>" target, whose value is its running total at ``now`` (the value after its last update at
    or before ``now``).

    The one definition of what counts: :func:`indicator_value` applies it to a list of updates, the listing and
    the report ask storage for the same sums (``IndicatorRepository.change_sums`` and ``values_at``)."""
    if indicator.period == "by":
        return None
    start, end = indicator_window(indicator, now, zone)
    return start, max(start, min(end, now + timedelta(microseconds=1)))


def indicator_value(indicator: Indicator, updates: Sequence[IndicatorUpdate], now: datetime, zone: ZoneInfo) -> float:
    """What counts for ``indicator``'s target at ``now``, from its ``updates`` (in time order; others ignored)."""
    mine = [u for u in updates if u.indicator_id == indicator.id]
    span = counted_span(indicator, now, zone)
    if span is None:
        return next((u.value_after for u in reversed(mine) if u.at <= now), 0.0)
    return sum(u.change for u in mine if span[0] <= u.at < span[1])


def indicator_standing(indicator: Indicator, value: float, now: datetime, zone: ZoneInfo) -> IndicatorProgress:
    """``indicator`` against its target at ``now``, its ``value`` known (:func:`indicator_value`, or storage's
    sums): what the elapsed share of its window expects, and whether the value keeps that pace."""
    start, end = indicator_window(indicator, now, zone)
    span = (end - start).total_seconds()
    share = 1.0 if span <= 0 else min(max((now - start).total_seconds() / span, 0.0), 1.0)
    expected = indicator.target * share
    return IndicatorProgress(
        programme=indicator.programme,
        name=indicator.name,
        target=indicator.target,
        period=indicator.period,
        value=value,
        expected=expected,
        on_track=value >= expected - 1e-9,
    )


def indicator_progress(
    indicator: Indicator, updates: Sequence[IndicatorUpdate], now: datetime, zone: ZoneInfo
) -> IndicatorProgress:
    """One indicator against its target at ``now`` (``updates``: its own, in time order)."""
    return indicator_standing(indicator, indicator_value(indicator, updates, now, zone), now, zone)


def buckets(events: Sequence[Event], period: Period, zone: ZoneInfo) -> tuple[Bucket, ...]:
    """Opened and done per week (Mondays) or, for periods longer than ~3 months, per month."""
    first, last = local_day(period.start, zone), local_day(period.end - timedelta(microseconds=1), zone)
    weekly = (last - first).days <= WEEKLY_UP_TO_DAYS

    def start_of(day: date) -> date:
        return day - timedelta(days=day.weekday()) if weekly else day.replace(day=1)

    starts: list[date] = []
    cursor = start_of(first)
    while cursor <= last:
        starts.append(cursor)
        cursor = cursor + timedelta(days=7) if weekly else (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    opened: Counter[date] = Counter()
    done: Counter[date] = Counter()
    for event in events:
        key = start_of(local_day(event.at, zone))
        if event.kind == "created":
            opened[key] += 1
        elif event.kind == "done":
            done[key] += 1
    return tuple(Bucket(s, opened.get(s, 0), done.get(s, 0)) for s in starts)


def activity(days: Iterable[ActivityDay], cities: Mapping[int, str]) -> tuple[CityActivity, ...]:
    """Messages each city relayed out per day: its days as stored, each group's own local day (the chart's x
    axis; the asking group's line is on its own days)."""
    per_chat: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for day in days:
        if day.sent:
            per_chat[day.chat_id].append((day.day, day.sent))
    return tuple(
        CityActivity(city, tuple(sorted(per_chat.get(chat_id, []))))
        for chat_id, city in sorted(cities.items(), key=lambda kv: kv[1])
    )


def city_figures(
    items: Sequence[ActionItem], events: Sequence[Event], cities: Mapping[int, str]
) -> tuple[CityFigures, ...]:
    owns = Counter(i.chat_id for i in items if i.status == "open")
    did = Counter(e.chat_id for e in events if e.kind == "done")
    return tuple(
        CityFigures(chat_id, city, owns.get(chat_id, 0), did.get(chat_id, 0))
        for chat_id, city in sorted(cities.items(), key=lambda kv: kv[1])
    )


def figures(
    *,
    period: Period,
    now: datetime,
    zone: ZoneInfo,
    items: Sequence[ActionItem],
    events: Sequence[Event],
    indicators: Sequence[Indicator],
    values: Mapping[int, float],
    days: Sequence[ActivityDay],
    cities: Mapping[int, str],
    last_exchange: date | None,
    working_days: WorkingDays = calendar_days,
) -> ReportFigures:
    """Everything a report shows, for ``period``, as seen at ``now`` in the asking group's ``zone``; ``values``:
    each indicator's value at ``now`` (by id; :func:`indicator_value`, or storage's sums), 0 where missing.
    ``items`` need hold only the open ones and those done in the period (nothing else is counted).
    ``working_days``: how days late are counted (the asking group's calendar; calendar days by default).
    ``last_exchange``: the asking group's last day of an exchange, on its own days (in ``zone``); the days since
    are from it to ``now``'s day in ``zone``."""
    in_period = [e for e in events if period.start <= e.at < period.end]
    upcoming = sorted(
        (i for i in items if i.status == "open" and i.due_at is not None and i.due_at >= now),
        key=lambda i: (i.due_at, i.number),
    )
    today = local_day(now, zone)
    return ReportFigures(
        period=period,
        programmes=programme_figures(items, in_period, period, now, zone, working_days),
        indicators=tuple(indicator_standing(i, values.get(i.id, 0.0), now, zone) for i in indicators),
        buckets=buckets(in_period, period, zone),
        activity=activity(days, cities),
        cities=city_figures(items, in_period, cities),
        days_since_exchange=max(0, (today - last_exchange).days) if last_exchange is not None else None,
        next_deadlines=tuple(upcoming[:NEXT_MAX]),
    )
