"""Report figures from a seeded history: known answers for every figure, periods and automatic report times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.records import ActionItem, ActivityDay, DayOff, Event, Indicator, IndicatorUpdate, Owner, Scope
from bot.language.calendars import WorkCalendar
from bot.reports import periods
from bot.reports.figures import (
    counted_span,
    days_late,
    figures,
    indicator_progress,
    indicator_standing,
    indicator_value,
    indicator_window,
)
from bot.reports.model import Bucket, Period

JAKARTA = ZoneInfo("Asia/Jakarta")
SCOPE = Scope("bridge", 1)
SURABAYA, BUSAN = -1001, -1002


def at(text: str) -> datetime:
    """A local Jakarta time as an aware UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA).astimezone(UTC)


def item(
    number: int,
    created: str,
    *,
    due: str | None = None,
    done: str | None = None,
    programme: str | None = "edu",
    chat: int = SURABAYA,
    status: str | None = None,
) -> ActionItem:
    return ActionItem(
        id=number,
        scope=SCOPE,
        number=number,
        bridge_id=1,
        chat_id=chat,
        title=f"item {number}",
        language="id",
        owners=(Owner("Kim", 7),),
        programme=programme,
        due_at=at(due) if due else None,
        status=status or ("done" if done else "open"),
        created_by=1,
        created_at=at(created),
        updated_at=at(created),
        done_at=at(done) if done else None,
    )


def event(kind: str, number: int, when: str, *, programme: str | None = "edu", chat: int = SURABAYA) -> Event:
    return Event(
        id=0,
        scope=SCOPE,
        at=at(when),
        kind=kind,
        chat_id=chat,
        by="Kim",
        city="x",
        item_number=number,
        indicator_id=None,
        programme=programme,
        user_id=7,
        detail=None,
    )


def test_a_quarter_of_seeded_history_has_known_figures() -> None:
    quarter = periods.current("quarter", at("2026-11-15 10:00"), JAKARTA)
    assert quarter == Period(at("2026-10-01 00:00"), at("2027-01-01 00:00"))
    items = [
        item(1, "2026-10-01 09:00", due="2026-10-10 17:00", done="2026-10-05 10:00"),  # on time, 4 days
        item(2, "2026-10-02 09:00", due="2026-10-03 17:00", done="2026-10-12 09:00"),  # late, 10 days
        item(3, "2026-10-20 09:00", done="2026-10-26 09:00"),  # no due date, 6 days
        item(4, "2026-11-01 09:00", due="2026-11-10 17:00"),  # overdue on 15 November
        item(5, "2026-11-02 09:00", due="2026-12-20 17:00", programme=None, chat=BUSAN),
        item(6, "2026-09-01 09:00", done="2026-09-10 09:00"),  # before the quarter
    ]
    events = [
        event("created", 6, "2026-09-01 09:00"),
        event("created", 1, "2026-10-01 09:00"),
        event("created", 2, "2026-10-02 09:00"),
        event("done", 1, "2026-10-05 10:00"),
        event("done", 2, "2026-10-12 09:00", chat=BUSAN),
        event("created", 3, "2026-10-20 09:00"),
        event("done", 3, "2026-10-26 09:00"),
        event("created", 4, "2026-11-01 09:00"),
        event("created", 5, "2026-11-02 09:00", programme=None, chat=BUSAN),
    ]
    days = [ActivityDay(SURABAYA, date(2026, 11, 1), 5, 2), ActivityDay(BUSAN, date(2026, 11, 3), 4, 5)]
    found = figures(
        period=quarter,
        now=at("2026-11-15 10:00"),
        zone=JAKARTA,
        items=items,
        events=events,
        indicators=[],
        values={},
        days=days,
        cities={SURABAYA: "Surabaya", BUSAN: "Busan"},
        last_exchange=date(2026, 11, 3),
    )
    edu, none = found.programmes
    assert (edu.name, edu.opened, edu.done, edu.overdue) == ("edu", 4, 3, 1)
    assert edu.on_time_rate == pytest.approx(0.5)  # #1 on time, #2 late, #3 had no due date
    assert edu.median_days == pytest.approx(6.0)  # 4, 10 and 6 days
    # Without a calendar, days late are calendar days: #4 is 5 days overdue, #2 was done 9 days late.
    assert (edu.overdue_days_max, edu.late_done, edu.late_days_median) == (5, 1, 9)
    assert (none.name, none.opened, none.done, none.overdue, none.on_time_rate, none.median_days) == (
        None,
        1,
        0,
        0,
        None,
        None,
    )
    assert (none.overdue_days_max, none.late_done, none.late_days_median) == (None, 0, None)
    weeks = found.buckets
    assert weeks[0] == Bucket(date(2026, 9, 28), 2, 0) and len(weeks) == 14  # Mondays from 28 Sep to 28 Dec
    assert sum(b.opened for b in weeks) == 5 and sum(b.done for b in weeks) == 3
    assert [(c.city, c.owns_open, c.did) for c in found.cities] == [("Busan", 1, 1), ("Surabaya", 1, 2)]
    assert [(a.city, a.total) for a in found.activity] == [("Busan", 4), ("Surabaya", 5)]
    assert found.days_since_exchange == 12
    assert [i.number for i in found.next_deadlines] == [5]


def test_days_late_are_working_days_of_the_asking_groups_calendar() -> None:
    """Surabaya's calendar: Christmas is a public holiday in Indonesia, 30 December an extra day off of the group,
    and the weekend is off; days late count the working days after the due date's day."""
    calendar = WorkCalendar(
        "Asia/Jakarta", country="ID", extra=(DayOff(1, date(2026, 12, 30), date(2026, 12, 30), "Libur kota"),)
    )
    working = calendar.working_days_between
    now = at("2026-12-31 10:00")  # a Thursday
    overdue = item(1, "2026-12-01 09:00", due="2026-12-24 17:00")  # the Thursday before Christmas
    late = item(2, "2026-12-01 09:00", due="2026-12-23 17:00", done="2026-12-28 09:00")  # Wednesday → Monday
    same_day = item(3, "2026-12-01 09:00", due="2026-12-29 09:00", done="2026-12-29 15:00")  # hours late
    in_time = item(4, "2026-12-01 09:00", due="2026-12-23 17:00", done="2026-12-23 16:00")
    not_due = item(5, "2026-12-01 09:00", due="2027-01-05 17:00")
    dropped = item(6, "2026-12-01 09:00", due="2026-12-01 17:00", status="dropped")
    # 25 (Christmas), 26–27 (weekend) and 30 (the group's day off) are not counted: 28, 29 and 31 are.
    assert days_late(overdue, now, JAKARTA, working) == 3
    assert days_late(overdue, now, JAKARTA) == 7  # calendar days without a calendar
    assert days_late(late, now, JAKARTA, working) == 2  # 24 and 28 December; 5 calendar days
    assert days_late(late, now, JAKARTA) == 5
    assert days_late(same_day, now, JAKARTA, working) == 0
    assert [days_late(i, now, JAKARTA, working) for i in (in_time, not_due, dropped)] == [None, None, None]
    found = figures(
        period=periods.current("month", now, JAKARTA),
        now=now,
        zone=JAKARTA,
        items=[overdue, late, same_day, in_time, not_due, dropped],
        events=[],
        indicators=[],
        values={},
        days=[],
        cities={},
        last_exchange=None,
        working_days=working,
    )
    (edu,) = found.programmes
    assert (edu.overdue, edu.overdue_days_max) == (1, 3)
    assert (edu.late_done, edu.late_days_median) == (2, 1.0)  # 2 and 0 working days


def test_a_year_is_counted_per_month() -> None:
    year = periods.current("year", at("2026-06-15 10:00"), JAKARTA)
    found = figures(
        period=year,
        now=at("2026-06-15 10:00"),
        zone=JAKARTA,
        items=[],
        events=[event("created", 1, "2026-01-31 23:30"), event("done", 1, "2026-02-01 00:30")],
        indicators=[],
        values={},
        days=[],
        cities={},
        last_exchange=None,
    )
    assert [b.start.month for b in found.buckets] == list(range(1, 13))
    assert found.buckets[0] == Bucket(date(2026, 1, 1), 1, 0) and found.buckets[1] == Bucket(date(2026, 2, 1), 0, 1)
    assert found.days_since_exchange is None


def indicator(period: str, *, by: str | None = None, created: str = "2026-01-01 00:00") -> Indicator:
    return Indicator(
        id=1,
        scope=SCOPE,
        programme_id=1,
        programme="edu",
        name="exchanges",
        target=40,
        period=period,
        by_date=at(by) if by else None,
        created_by=1,
        created_at=at(created),
    )


def update(when: str, change: float, value: float) -> IndicatorUpdate:
    return IndicatorUpdate(
        id=0,
        indicator_id=1,
        at=at(when),
        change=change,
        value_after=value,
        user_id=7,
        by="Kim",
        chat_id=SURABAYA,
        city="Surabaya",
        note=None,
    )


def test_indicator_pace_per_year_quarter_and_by_a_date() -> None:
    updates = [update("2025-12-20 10:00", 8, 8), update("2026-02-01 10:00", 10, 18), update("2026-07-01 10:00", 5, 23)]
    now = at("2026-07-02 12:00")  # exactly half of 2026 has passed by 2 July 12:00
    yearly = indicator_progress(indicator("year"), updates, now, JAKARTA)
    assert yearly.value == 15 and yearly.expected == pytest.approx(20, abs=0.1) and not yearly.on_track
    quarterly = indicator_progress(indicator("quarter"), updates, now, JAKARTA)  # Q3 started on 1 July
    assert quarterly.value == 5 and quarterly.expected == pytest.approx(40 * 1.5 / 92, abs=0.01) and quarterly.on_track
    by_date = indicator_progress(
        indicator("by", by="2026-12-31 00:00", created="2025-12-01 00:00"), updates, now, JAKARTA
    )
    assert by_date.value == 23
    share = (now - at("2025-12-01 00:00")) / (at("2026-12-31 00:00") - at("2025-12-01 00:00"))
    assert by_date.expected == pytest.approx(40 * share) and by_date.on_track is (23 >= 40 * share)


def test_what_counts_for_an_indicator_is_defined_once() -> None:
    """The window of a per-year or per-quarter target up to now (now included), or a "by" target's running
    total: the listing and the report ask storage for exactly these sums (``counted_span``), and
    ``indicator_value`` applies the same definition to a list of updates."""
    now = at("2026-07-02 12:00")
    yearly, quarterly = indicator("year"), indicator("quarter")
    assert indicator_window(yearly, now, JAKARTA) == (at("2026-01-01 00:00"), at("2027-01-01 00:00"))
    assert indicator_window(quarterly, now, JAKARTA) == (at("2026-07-01 00:00"), at("2026-10-01 00:00"))
    assert counted_span(yearly, now, JAKARTA) == (at("2026-01-01 00:00"), now + timedelta(microseconds=1))
    assert counted_span(indicator("by", by="2026-12-31 00:00"), now, JAKARTA) is None
    updates = [
        update("2025-12-31 23:59", 100, 100),  # last year
        update("2026-01-01 00:00", 1, 101),  # the window's first instant
        update("2026-07-02 12:00", 2, 103),  # now: counted
        update("2026-07-02 12:00:00.000001", 50, 153),  # after now: not yet
    ]
    assert indicator_value(yearly, updates, now, JAKARTA) == 3
    assert indicator_value(quarterly, updates, now, JAKARTA) == 2
    assert indicator_value(indicator("by", by="2026-12-31 00:00"), updates, now, JAKARTA) == 103
    assert indicator_value(yearly, [replace(u, indicator_id=2) for u in updates], now, JAKARTA) == 0  # not its own
    standing = indicator_standing(yearly, 3, now, JAKARTA)
    assert standing == indicator_progress(yearly, updates, now, JAKARTA)
    assert standing.value == 3 and standing.expected == pytest.approx(20, abs=0.1) and not standing.on_track
    # A past period's report sees it as it stood at its end: a window ending then, nothing after it counted.
    assert indicator_value(yearly, updates, at("2026-03-31 23:59"), JAKARTA) == 1


def test_a_report_takes_each_indicators_value_as_given() -> None:
    now = at("2026-07-02 12:00")
    quarter = periods.current("quarter", now, JAKARTA)
    one, two = indicator("year"), replace(indicator("quarter"), id=2, name="visits")
    found = figures(
        period=quarter,
        now=now,
        zone=JAKARTA,
        items=[],
        events=[],
        indicators=[one, two],
        values={1: 25.0},  # two: none given, so 0
        days=[],
        cities={},
        last_exchange=None,
    )
    shown = [(i.name, i.value, i.on_track) for i in found.indicators]
    assert shown == [("exchanges", 25.0, True), ("visits", 0.0, False)]
    assert found.indicators[0] == indicator_standing(one, 25.0, now, JAKARTA)


@pytest.mark.parametrize(
    ("kind", "after", "expected"),
    [
        ("month", "2026-12-01 10:00", "2027-01-01 09:00"),  # 1 January 2027 is a Friday
        ("month", "2027-01-20 10:00", "2027-02-01 09:00"),
        ("month", "2027-04-15 10:00", "2027-05-03 09:00"),  # 1 May 2027 is a Saturday
        ("quarter", "2026-12-01 10:00", "2027-01-01 09:00"),
        ("quarter", "2027-01-01 09:00", "2027-04-01 09:00"),  # strictly after
        ("month", "2027-02-01 08:59", "2027-02-01 09:00"),
    ],
)
def test_automatic_reports_come_on_the_first_working_day_at_nine(kind: str, after: str, expected: str) -> None:
    assert periods.next_automatic(kind, at(after), JAKARTA) == at(expected)


def test_previous_periods_and_day_ranges() -> None:
    assert periods.previous("month", at("2027-01-04 10:00"), JAKARTA) == Period(
        at("2026-12-01 00:00"), at("2027-01-01 00:00")
    )
    assert periods.previous("quarter", at("2027-01-04 10:00"), JAKARTA) == Period(
        at("2026-10-01 00:00"), at("2027-01-01 00:00")
    )
    assert periods.days(date(2026, 1, 1), date(2026, 3, 31), JAKARTA) == Period(
        at("2026-01-01 00:00"), at("2026-04-01 00:00")
    )
    with pytest.raises(ValueError):
        periods.days(date(2026, 3, 1), date(2026, 1, 1), JAKARTA)
    with pytest.raises(ValueError):
        periods.days(date(2020, 1, 1), date(2026, 1, 1), JAKARTA)
    assert periods.current("month", at("2026-12-31 23:30"), JAKARTA).start == at("2026-12-01 00:00")
    assert timedelta(0) < periods.current("year", at("2026-12-31 23:30"), JAKARTA).end - at("2026-12-31 23:30")
