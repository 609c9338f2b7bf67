"""Monitoring storage: indicators and their updates, events, activity days, reports, what forgetting and
moving a group does to them, and migration 0010.

The tests that take ``repos`` run in memory (tests/fakes), on SQLite and on PostgreSQL: the contract the fakes
keep. Those that take ``db`` look at the database itself (SQL, concurrent transactions, migrations).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.engine import Connection

from bot.domain import repositories as domain
from bot.domain.errors import LimitReached
from bot.domain.records import ActivityDay, NewEvent, NewReminder, Scope
from bot.domain.repositories import Repositories
from bot.domain.rules import INDICATOR_NOTE_MAX, REPORT_SUMMARY_MAX, REPORTS_KEPT
from bot.features.indicators import indicator_values
from bot.reports.figures import indicator_value
from storage.db import Database
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Base, EventRow, IndicatorUpdateRow
from storage.monitoring import (
    ActivityRepository,
    EventRepository,
    IndicatorRepository,
    ReportRepository,
)
from storage.repositories import repositories

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
A, B, ALONE, NEW = -1, -2, -3, -1001
MONITORING_TABLES = {"indicators", "indicator_updates", "events", "activity_days", "reports"}


async def _chats(repos: Repositories, *chat_ids: int) -> None:
    for chat_id in chat_ids:
        await repos.chats.ensure(chat_id, title=f"group {chat_id}", type="group", default_language="en")


async def _bridge(repos: Repositories) -> Scope:
    await _chats(repos, A, B)
    bridge = await repos.bridges.link(A, B)
    return Scope.of(bridge.id, A)


async def _programme(repos: Repositories, scope: Scope, name: str = "Youth") -> int:
    return (await repos.programmes.add(scope, name)).id


def _event(scope: Scope, at: datetime, kind: str = "created", **kw: Any) -> NewEvent:
    values: dict[str, Any] = {"chat_id": A, "by": "Budi", "city": "Bandung", "item_number": 1, "user_id": 5}
    values.update(kw)
    return NewEvent(scope=scope, at=at, kind=kind, **values)


@runtime_checkable
class _LastAt(Protocol):
    async def last_at(self, scope: Scope, kinds: Collection[str] | None = None) -> datetime | None: ...


def _last_at(events: domain.EventRepository) -> _LastAt:
    """Storage's ``EventRepository.last_at`` (and the fake's): not in the protocol, only tests ask it."""
    assert isinstance(events, _LastAt)
    return events


@contextmanager
def captured_sql(database: Database) -> Iterator[list[str]]:
    """Every statement run, on the async engine and (a SQLite file) on the database thread's engine of
    ``Database.run_sync``."""
    statements: list[str] = []

    def grab(_conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool) -> None:
        statements.append(statement)

    engines = [database.engine.sync_engine, *([database._sync_engine] if database._sync_engine is not None else [])]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", grab)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", grab)


# -- indicators --------------------------------------------------------------------------------------------


async def test_indicators_are_added_found_listed_and_counted(repos: Repositories) -> None:
    scope = await _bridge(repos)
    youth, culture = await _programme(repos, scope, "Youth"), await _programme(repos, scope, "culture")
    indicators = repos.indicators
    students = await indicators.add(scope, youth, "  Students   exchanged ", 40, "year", None, 5)
    assert (students.name, students.programme, students.target, students.period) == (
        "Students exchanged",
        "Youth",
        40.0,
        "year",
    )
    assert (students.by_date, students.created_by, students.scope) == (None, 5, scope)
    assert students.created_at.tzinfo is not None
    by = datetime(2027, 6, 30, 17, 0, tzinfo=timezone(timedelta(hours=7)))
    visits = await indicators.add(scope, youth, "school visits", 6, "quarter", None, None)
    mou = await indicators.add(scope, culture, "MoUs signed", 2, "by", by, None)
    assert mou.by_date == by and mou.by_date.utcoffset() == timedelta(0)  # aware UTC out

    assert await indicators.get(scope, youth, "STUDENTS EXCHANGED") == students
    assert await indicators.get(scope, culture, "students exchanged") is None
    assert await indicators.get(Scope.of(None, ALONE), youth, "students exchanged") is None
    assert await indicators.get(scope, youth, "") is None
    # by programme name, then name, regardless of case
    assert [i.id for i in await indicators.list(scope)] == [mou.id, visits.id, students.id]
    assert [i.id for i in await indicators.list(scope, youth)] == [visits.id, students.id]
    assert await indicators.list(Scope.of(None, ALONE)) == []
    assert await indicators.count(scope) == 3
    assert await indicators.count(Scope.of(None, ALONE)) == 0


async def test_a_duplicate_indicator_or_bad_input_is_refused(repos: Repositories) -> None:
    scope = await _bridge(repos)
    youth = await _programme(repos, scope)
    indicators = repos.indicators
    await indicators.add(scope, youth, "Students", 40, "year", None, None)
    with pytest.raises(ValueError, match="exists"):
        await indicators.add(scope, youth, "STUDENTS", 10, "quarter", None, None)
    other = await _programme(repos, scope, "Culture")
    await indicators.add(scope, other, "Students", 40, "year", None, None)  # another programme: fine
    for name, target, period, by_date in (
        ("Visits", 10, "month", None),  # unknown period
        ("Visits", 10, "by", None),  # 'by' needs its date
        ("Visits", 10, "year", NOW),  # only 'by' has one
        ("Visits", 10, "by", datetime(2027, 1, 1)),  # naive
        ("Visits", 0, "year", None),
        ("Visits", -1, "year", None),
        ("Visits", float("nan"), "year", None),
        ("Visits", float("inf"), "year", None),
        ("", 10, "year", None),
        ("x" * 65, 10, "year", None),
        ("a\nb\x00", 10, "year", None),
    ):
        with pytest.raises(ValueError):
            await indicators.add(scope, youth, name, target, period, by_date, None)
    with pytest.raises(LookupError):  # the programme is another scope's
        await indicators.add(Scope.of(None, ALONE), youth, "Visits", 10, "year", None, None)
    assert await indicators.count(scope) == 2


async def test_an_indicator_names_its_programme_as_spelled_now(repos: Repositories) -> None:
    scope = await _bridge(repos)
    youth = await _programme(repos, scope, "youth")
    visits = await repos.indicators.add(scope, youth, "Visits", 3, "year", None, None)
    assert visits.programme == "youth"
    assert (await repos.programmes.add(scope, "YOUTH")).id == youth  # the same programme, spelled anew
    found = await repos.indicators.get(scope, youth, "visits")
    assert found is not None and (found.id, found.programme) == (visits.id, "YOUTH")
    assert [i.programme for i in await repos.indicators.list(scope, youth)] == ["YOUTH"]
    assert await repos.indicators.list(scope, youth + 1000) == []
    with pytest.raises(LookupError):  # no such programme at all
        await repos.indicators.add(scope, youth + 1000, "Visits", 3, "year", None, None)


async def test_concurrent_adds_of_one_name_make_one_indicator(db: Database) -> None:
    scope = await _bridge(repositories(db))
    youth = await _programme(repositories(db), scope)
    indicators = IndicatorRepository(db)
    results = await asyncio.gather(
        *(indicators.add(scope, youth, name, 5, "year", None, None) for name in ("Visits", "visits", "VISITS") * 3),
        return_exceptions=True,
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, ValueError) and str(r) == "exists" for r in results if isinstance(r, BaseException))
    assert await indicators.count(scope) == 1


async def test_updates_keep_the_change_and_the_value_after(repos: Repositories) -> None:
    scope = await _bridge(repos)
    indicators = repos.indicators
    students = await indicators.add(scope, await _programme(repos, scope), "Students", 40, "year", None, 5)
    record = indicators.record
    first = await record(
        students.id, change=5, at=NOW, user_id=5, by="Budi", chat_id=A, city="Bandung", note=" first group "
    )
    assert (first.change, first.value_after, first.note, first.by, first.city) == (
        5.0,
        5.0,
        "first group",
        "Budi",
        "Bandung",
    )
    second = await record(
        students.id, value=12, at=NOW + DAY, user_id=None, by="Anna", chat_id=B, city="Braunschweig", note=None
    )
    assert (second.change, second.value_after, second.user_id) == (7.0, 12.0, None)
    third = await record(
        students.id, change=-2.5, at=NOW + 2 * DAY, user_id=5, by="x" * 300, chat_id=A, city="", note=""
    )
    assert (third.change, third.value_after, third.note, len(third.by)) == (-2.5, 9.5, None, 128)
    assert third.at == NOW + 2 * DAY and third.at.tzinfo is not None

    assert await indicators.updates([students.id]) == [first, second, third]
    assert await indicators.updates([students.id], until=NOW + DAY) == [first]  # until: exclusive
    assert await indicators.updates([]) == []
    assert await indicators.updates([students.id + 1000]) == []


async def test_updates_of_several_indicators_come_in_time_order(repos: Repositories) -> None:
    scope = await _bridge(repos)
    youth = await _programme(repos, scope)
    indicators = repos.indicators
    one = await indicators.add(scope, youth, "One", 10, "year", None, None)
    two = await indicators.add(scope, youth, "Two", 10, "year", None, None)
    kw: dict[str, Any] = {"user_id": None, "by": "B", "chat_id": A, "city": "C", "note": None}
    await indicators.record(one.id, change=1, at=NOW + 2 * DAY, **kw)
    await indicators.record(two.id, change=1, at=NOW, **kw)
    await indicators.record(two.id, change=1, at=NOW + 2 * DAY, **kw)
    await indicators.record(one.id, change=1, at=NOW + DAY, **kw)
    found = await indicators.updates([two.id, one.id])
    assert [(u.indicator_id, u.at) for u in found] == [
        (two.id, NOW),
        (one.id, NOW + DAY),
        (one.id, NOW + 2 * DAY),
        (two.id, NOW + 2 * DAY),
    ]
    assert [u.at for u in found] == sorted(u.at for u in found)


async def test_a_bad_update_is_refused(repos: Repositories) -> None:
    scope = await _bridge(repos)
    indicators = repos.indicators
    students = await indicators.add(scope, await _programme(repos, scope), "Students", 40, "year", None, None)
    kw: dict[str, Any] = {"user_id": None, "by": "B", "chat_id": A, "city": "C", "note": None}
    with pytest.raises(ValueError):
        await indicators.record(students.id, at=NOW, **kw)  # neither
    with pytest.raises(ValueError):
        await indicators.record(students.id, change=1, value=2, at=NOW, **kw)  # both
    with pytest.raises(ValueError):
        await indicators.record(students.id, change=float("nan"), at=NOW, **kw)
    with pytest.raises(ValueError):
        await indicators.record(students.id, change=1, at=datetime(2026, 12, 1), **kw)  # naive
    with pytest.raises(ValueError):
        await indicators.record(students.id, change=1, at=NOW, **{**kw, "note": "n" * 501})
    with pytest.raises(LookupError):
        await indicators.record(students.id + 1000, change=1, at=NOW, **kw)
    with pytest.raises(ValueError):
        await indicators.updates([students.id], until=datetime(2026, 12, 1))
    assert await indicators.updates([students.id]) == []


async def test_an_update_keeps_a_note_up_to_the_limit_and_cuts_names(repos: Repositories) -> None:
    scope = await _bridge(repos)
    indicators = repos.indicators
    students = await indicators.add(scope, await _programme(repos, scope), "Students", 40, "year", None, None)
    jakarta = timezone(timedelta(hours=7))
    kw: dict[str, Any] = {"user_id": 7, "chat_id": A}
    with pytest.raises(ValueError):
        await indicators.record(
            students.id, change=1, at=NOW, by="B", city="C", note="n" * (INDICATOR_NOTE_MAX + 1), **kw
        )
    kept = await indicators.record(
        students.id,
        value=3,
        at=NOW.astimezone(jakarta),
        by="  Budi  ",
        city="c" * 129,
        note=f" {'n' * INDICATOR_NOTE_MAX} ",
        **kw,
    )
    assert (kept.note, kept.by, kept.city, kept.change, kept.value_after) == (
        "n" * INDICATOR_NOTE_MAX,
        "Budi",
        "c" * 127 + "…",
        3.0,
        3.0,
    )
    assert await indicators.updates([students.id, students.id]) == [kept]
    read = (await indicators.updates([students.id]))[0]
    assert read.at == kept.at == NOW and read.at.utcoffset() == timedelta(0)  # aware UTC out
    with pytest.raises(TypeError):
        await indicators.updates(str(students.id))  # type: ignore[arg-type]


async def test_concurrent_updates_of_one_indicator_all_count(db: Database) -> None:
    scope = await _bridge(repositories(db))
    indicators = IndicatorRepository(db)
    students = await indicators.add(
        scope, await _programme(repositories(db), scope), "Students", 400, "year", None, None
    )
    await asyncio.gather(
        *(
            indicators.record(
                students.id, change=n, at=NOW, user_id=n, by=f"p{n}", chat_id=A, city="Bandung", note=None
            )
            for n in range(1, 21)
        )
    )
    updates = await indicators.updates([students.id])
    assert len(updates) == 20
    assert updates[-1].value_after == sum(range(1, 21)) == max(u.value_after for u in updates)
    # each builds on the one before
    for before, after in itertools.pairwise(updates):
        assert after.value_after == before.value_after + after.change


async def test_deleting_a_programme_takes_its_indicators_and_their_updates(db: Database) -> None:
    scope = await _bridge(repositories(db))
    youth = await _programme(repositories(db), scope)
    indicators = IndicatorRepository(db)
    students = await indicators.add(scope, youth, "Students", 40, "year", None, None)
    await indicators.record(students.id, change=1, at=NOW, user_id=None, by="B", chat_id=A, city="C", note=None)
    async with db.session() as session:
        await session.execute(text("DELETE FROM programmes"))
    assert await indicators.list(scope) == []
    assert await indicators.updates([students.id]) == []


async def _recorded(repos: Repositories, period: str = "year") -> tuple[int, int, Any]:
    """Two indicators of one bridge and a way to record on them (as Budi, in A)."""
    scope = await _bridge(repos)
    youth = await _programme(repos, scope)
    one = await repos.indicators.add(scope, youth, "One", 10, period, None, None)
    two = await repos.indicators.add(scope, youth, "Two", 10, period, None, None)

    async def record(
        indicator_id: int, at: datetime, *, change: float | None = None, value: float | None = None
    ) -> Any:
        return await repos.indicators.record(
            indicator_id, change=change, value=value, at=at, user_id=5, by="Budi", chat_id=A, city="Bandung", note=None
        )

    return one.id, two.id, record


async def test_change_sums_add_each_indicators_changes_in_a_window(repos: Repositories) -> None:
    one, two, record = await _recorded(repos)
    await record(one, NOW - timedelta(microseconds=1), change=100)  # before the window
    await record(one, NOW, change=3)  # its first instant
    await record(one, NOW + DAY, value=110)  # a change of +7
    await record(two, NOW + DAY, change=2)
    await record(two, NOW + DAY, change=-1.5)
    await record(one, NOW + 2 * DAY, change=50)  # its end: out
    sums = repos.indicators.change_sums
    assert await sums([one, two], NOW, NOW + 2 * DAY) == {one: 10.0, two: 0.5}
    assert await sums([two, one, one], NOW + DAY, NOW + DAY + timedelta(microseconds=1)) == {one: 7.0, two: 0.5}
    assert await sums([one, two, one + two + 1000], NOW + 3 * DAY, NOW + 4 * DAY) == {
        one: 0.0,
        two: 0.0,
        one + two + 1000: 0.0,
    }
    assert await sums([one], NOW + DAY, NOW) == {one: 0.0}  # an empty window
    assert await sums([], NOW, NOW + DAY) == {}
    with pytest.raises(ValueError):
        await sums([one], NOW.replace(tzinfo=None), NOW + DAY)
    with pytest.raises(TypeError):
        await sums(str(one), NOW, NOW + DAY)  # type: ignore[arg-type]


async def test_values_at_are_the_values_after_the_last_update_by_then(repos: Repositories) -> None:
    one, two, record = await _recorded(repos, "year")
    await record(one, NOW, change=3)
    await record(one, NOW + DAY, change=4)  # 7
    await record(one, NOW + DAY, value=5)  # the same instant, recorded later: 5
    await record(two, NOW + 2 * DAY, change=9)
    values = repos.indicators.values_at
    assert await values([one, two], NOW - timedelta(microseconds=1)) == {one: 0.0, two: 0.0}
    assert await values([one, two], NOW) == {one: 3.0, two: 0.0}  # at the instant: included
    assert await values([one, two], NOW + DAY) == {one: 5.0, two: 0.0}
    assert await values([two, one], NOW + 3 * DAY) == {one: 5.0, two: 9.0}
    assert await values([one + two + 1000], NOW + 3 * DAY) == {one + two + 1000: 0.0}
    assert await values([], NOW) == {}
    with pytest.raises(ValueError):
        await values([one], NOW.replace(tzinfo=None))


async def test_a_count_never_goes_below_zero(repos: Repositories) -> None:
    one, _two, record = await _recorded(repos)
    await record(one, NOW, change=3)
    kw: dict[str, Any] = {"user_id": 5, "by": "Budi", "chat_id": A, "city": "Bandung", "note": None}
    with pytest.raises(LimitReached) as refused:
        await repos.indicators.record(one, change=-4, at=NOW + DAY, non_negative=True, **kw)
    assert refused.value.limit == 0
    assert [u.value_after for u in await repos.indicators.updates([one])] == [3.0]  # nothing recorded
    down = await repos.indicators.record(one, change=-3, at=NOW + DAY, non_negative=True, **kw)
    assert (down.change, down.value_after) == (-3.0, 0.0)
    zero = await repos.indicators.record(one, value=0, at=NOW + DAY, non_negative=True, **kw)
    assert (zero.change, zero.value_after) == (0.0, 0.0)
    # Without the rule (a stored history from before it) a total may be below 0; raising it is still allowed,
    # lowering it further is not.
    await repos.indicators.record(one, change=-5, at=NOW + 2 * DAY, **kw)
    up = await repos.indicators.record(one, change=2, at=NOW + 3 * DAY, non_negative=True, **kw)
    assert up.value_after == -3.0
    with pytest.raises(LimitReached):
        await repos.indicators.record(one, change=-1, at=NOW + 3 * DAY, non_negative=True, **kw)
    assert (await repos.indicators.values_at([one], NOW + 4 * DAY))[one] == -3.0


async def test_concurrent_decreases_cannot_both_pass_zero(db: Database) -> None:
    scope = await _bridge(repositories(db))
    indicators = IndicatorRepository(db)
    visits = await indicators.add(scope, await _programme(repositories(db), scope), "Visits", 10, "year", None, None)
    kw: dict[str, Any] = {"user_id": 5, "by": "B", "chat_id": A, "city": "C", "note": None}
    await indicators.record(visits.id, change=5, at=NOW, **kw)
    results = await asyncio.gather(
        *(indicators.record(visits.id, change=-3, at=NOW, non_negative=True, **kw) for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(1 for r in results if isinstance(r, LimitReached)) == 3
    assert [u.value_after for u in await indicators.updates([visits.id])] == [5.0, 2.0]


async def test_undo_records_the_opposite_of_the_last_update(repos: Repositories) -> None:
    one, two, record = await _recorded(repos)
    undo = repos.indicators.undo
    kw: dict[str, Any] = {"user_id": 9, "by": "  Admin ", "chat_id": B, "city": "Braunschweig"}
    assert await undo(one, at=NOW, **kw) is None  # nothing to undo
    first = await record(one, NOW, change=5)
    second = await record(one, NOW + DAY, value=12)  # +7
    await record(two, NOW + 2 * DAY, change=1)  # another indicator's: not this one's last
    done = await undo(one, at=NOW + 3 * DAY, **kw)
    assert done is not None
    undone, opposite = done
    assert undone == second
    assert (opposite.change, opposite.value_after, opposite.note) == (-7.0, 5.0, "↩ +7")
    assert (opposite.by, opposite.user_id, opposite.chat_id, opposite.city) == ("Admin", 9, B, "Braunschweig")
    assert opposite.at == NOW + 3 * DAY and opposite.indicator_id == one
    assert await repos.indicators.updates([one]) == [first, second, opposite]  # the history keeps both
    again = await undo(one, at=NOW + 4 * DAY, **kw)  # undoing the undo
    assert again is not None and again[0] == opposite
    assert (again[1].change, again[1].value_after, again[1].note) == (7.0, 12.0, "↩ -7")
    assert (await repos.indicators.values_at([one, two], NOW + 5 * DAY)) == {one: 12.0, two: 1.0}
    with pytest.raises(LookupError):
        await undo(one + two + 1000, at=NOW, **kw)
    with pytest.raises(ValueError):
        await undo(one, at=NOW.replace(tzinfo=None), **kw)
    assert len(await repos.indicators.updates([one])) == 4


async def test_updates_are_read_up_to_a_limit_and_counted(repos: Repositories) -> None:
    one, two, record = await _recorded(repos)
    for n in range(5):
        await record(one if n % 2 else two, NOW + n * DAY, change=1)
    everything = await repos.indicators.updates([one, two])
    assert len(everything) == 5
    assert await repos.indicators.updates([one, two], limit=3) == everything[:3]
    assert await repos.indicators.updates([one, two], limit=0) == []
    assert await repos.indicators.updates([one, two], until=NOW + 3 * DAY, limit=2) == everything[:2]
    assert await repos.indicators.update_count([one, two]) == 5
    assert await repos.indicators.update_count([one]) == 2
    assert await repos.indicators.update_count([]) == 0
    assert await repos.indicators.update_count([one + two + 1000]) == 0


async def test_storages_sums_give_the_values_the_figures_define(repos: Repositories) -> None:
    """``/indicators`` and ``/report`` read each indicator's value from storage's grouped sums
    (``bot.features.indicators.indicator_values``); they are what ``bot.reports.figures`` defines from the
    updates themselves, also at the edges of a year, a quarter and now."""
    scope = await _bridge(repos)
    youth = await _programme(repos, scope)
    jakarta = ZoneInfo("Asia/Jakarta")
    now = datetime(2026, 7, 2, 5, 0, tzinfo=UTC)
    found = [
        await repos.indicators.add(scope, youth, "Yearly", 40, "year", None, None),
        await repos.indicators.add(scope, youth, "Quarterly", 10, "quarter", None, None),
        await repos.indicators.add(scope, youth, "Total", 100, "by", now + 100 * DAY, None),
    ]
    edges = [
        datetime(2026, 1, 1, tzinfo=jakarta),
        datetime(2026, 7, 1, tzinfo=jakarta),
        now,
        now + timedelta(microseconds=1),
    ]
    rng = random.Random(21)
    instants = [edge + timedelta(microseconds=d) for edge in edges for d in (-1, 0, 1)]
    instants += [now - timedelta(days=rng.uniform(-30, 600)) for _ in range(60)]
    for n, instant in enumerate(instants):
        indicator = found[n % 3]
        await repos.indicators.record(
            indicator.id,
            change=rng.choice((1, 2, 0.5, -1, 3)),
            at=instant,
            user_id=5,
            by="B",
            chat_id=A,
            city="C",
            note=None,
        )
    updates = await repos.indicators.updates([i.id for i in found])
    expected = {i.id: indicator_value(i, updates, now, jakarta) for i in found}
    assert await indicator_values(repos.indicators, found, now, jakarta) == expected
    assert all(expected.values())  # every indicator had updates that count


async def test_indicator_values_are_one_grouped_query_each(db: Database) -> None:
    """However many updates there are: one query for the sums of a window, one for the values at an instant,
    each answering a row per indicator."""
    scope = await _bridge(repositories(db))
    indicators = IndicatorRepository(db)
    youth = await _programme(repositories(db), scope)
    ids = [(await indicators.add(scope, youth, f"I{n}", 10, "year", None, None)).id for n in range(5)]
    async with db.session() as session:
        session.add_all(
            IndicatorUpdateRow(
                indicator_id=ids[n % 5],
                at=NOW + timedelta(hours=n),
                change=1,
                value_after=n // 5 + 1,
                by_name="B",
                chat_id=A,
                city="C",
            )
            for n in range(2000)
        )
    with captured_sql(db) as statements:
        assert await indicators.change_sums(ids, NOW, NOW + 1000 * DAY) == dict.fromkeys(ids, 400.0)
        assert await indicators.values_at(ids, NOW + 1000 * DAY) == dict.fromkeys(ids, 400.0)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 2, statements
    assert "GROUP BY" in reads[0].upper()


# -- events ------------------------------------------------------------------------------------------------


async def test_events_between_take_the_start_and_leave_out_the_end(repos: Repositories) -> None:
    scope = await _bridge(repos)
    events = repos.events
    await events.add(_event(scope, NOW - timedelta(microseconds=1)))
    await events.add(_event(scope, NOW, "created", item_number=1, programme="Youth"))
    await events.add(_event(scope, NOW + DAY, "done", item_number=1, detail="  finished  "))
    await events.add(_event(scope, NOW + DAY, "indicator", item_number=None, indicator_id=7, detail="+5"))
    await events.add(_event(scope, NOW + 2 * DAY, "renamed", detail="x" * 900))
    await events.add(_event(Scope.of(None, ALONE), NOW, chat_id=ALONE))

    found = await events.between(scope, NOW, NOW + 2 * DAY)
    assert [(e.kind, e.at) for e in found] == [("created", NOW), ("done", NOW + DAY), ("indicator", NOW + DAY)]
    created, done, indicator = found
    assert (created.programme, created.by, created.city, created.user_id, created.scope) == (
        "Youth",
        "Budi",
        "Bandung",
        5,
        scope,
    )
    assert done.detail == "finished" and indicator.indicator_id == 7 and indicator.item_number is None
    assert done.id < indicator.id  # same instant: in the order they were kept
    assert [e.kind for e in await events.between(scope, NOW, NOW + 3 * DAY, kinds=("done", "renamed"))] == [
        "done",
        "renamed",
    ]
    renamed = (await events.between(scope, NOW, NOW + 3 * DAY, kinds=["renamed"]))[0]
    assert renamed.detail is not None and len(renamed.detail) == 500 and renamed.detail.endswith("…")
    assert await events.between(scope, NOW, NOW + 3 * DAY, kinds=()) == []
    assert await events.between(scope, NOW + DAY, NOW) == []
    # zones do not matter, instants do
    jakarta = timezone(timedelta(hours=7))
    assert len(await events.between(scope, NOW.astimezone(jakarta), (NOW + DAY).astimezone(jakarta))) == 1

    last_at = _last_at(events).last_at
    assert await last_at(scope) == NOW + 2 * DAY
    assert await last_at(scope, kinds=("done", "created")) == NOW + DAY
    assert await last_at(scope, kinds=("dropped",)) is None
    assert await last_at(Scope.of(None, B)) is None
    last = await last_at(Scope.of(None, ALONE))
    assert last == NOW and last is not None and last.tzinfo is not None


async def test_an_event_cuts_names_to_their_columns(repos: Repositories) -> None:
    scope = await _bridge(repos)
    jakarta = timezone(timedelta(hours=7))
    await repos.events.add(
        _event(
            scope, NOW.astimezone(jakarta), "due", by=f" {'b' * 200}", city="c" * 129, programme="p" * 65, detail=" "
        )
    )
    (kept,) = await repos.events.between(scope, NOW, NOW + DAY)
    assert (kept.kind, kept.by, kept.city, kept.programme, kept.detail) == (
        "due",
        "b" * 127 + "…",
        "c" * 127 + "…",
        "p" * 63 + "…",
        None,
    )
    assert kept.at == NOW and kept.at.utcoffset() == timedelta(0)  # aware UTC out


async def test_a_bad_event_is_refused(repos: Repositories) -> None:
    scope = await _bridge(repos)
    events = repos.events
    with pytest.raises(ValueError):
        await events.add(_event(scope, NOW, "exploded"))
    with pytest.raises(ValueError):
        await events.add(_event(scope, datetime(2026, 12, 1)))
    with pytest.raises(ValueError):
        await events.add(NewEvent(scope="b1", at=NOW, kind="done", chat_id=A, by="B", city="C"))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await events.between(scope, NOW, NOW + DAY, kinds=("exploded",))
    with pytest.raises(TypeError):
        await events.between(scope, NOW, NOW + DAY, kinds="done")
    with pytest.raises(ValueError):
        await events.between(scope, datetime(2026, 12, 1), NOW)
    assert await _last_at(events).last_at(scope) is None


async def test_a_year_of_history_reads_with_one_query_per_table(db: Database) -> None:
    scope = await _bridge(repositories(db))
    indicators = IndicatorRepository(db)
    youth = await _programme(repositories(db), scope)
    ids = [(await indicators.add(scope, youth, f"I{n}", 10, "year", None, None)).id for n in range(5)]
    async with db.session() as session:
        session.add_all(
            EventRow(
                scope=scope,
                at=NOW + timedelta(hours=4 * n),
                kind="created",
                item_number=n % 2000 + 1,
                by_name="B",
                chat_id=A,
                city="C",
            )
            for n in range(2190)
        )
        session.add_all(
            IndicatorUpdateRow(
                indicator_id=ids[n % 5],
                at=NOW + timedelta(days=n),
                change=1,
                value_after=n,
                by_name="B",
                chat_id=A,
                city="C",
            )
            for n in range(365)
        )
    activity = ActivityRepository(db)
    for n in range(30):
        await activity.count(A, NOW.date() + timedelta(days=n), sent=1, received=1)
    with captured_sql(db) as statements:
        assert len(await EventRepository(db).between(scope, NOW, NOW + 366 * DAY)) == 2190
        assert len(await indicators.updates(ids)) == 365
        assert len(await activity.between([A, B], NOW.date(), NOW.date() + 366 * DAY)) == 30
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 3, statements


# -- activity ----------------------------------------------------------------------------------------------


async def test_activity_is_counted_per_group_and_day(repos: Repositories) -> None:
    activity = repos.activity
    today = date(2026, 12, 1)
    await activity.count(A, today, sent=1)
    await activity.count(A, today, received=2)
    await activity.count(A, today, sent=3, received=1)
    await activity.count(B, today, received=4)
    await activity.count(A, today + timedelta(days=1), sent=1)
    await activity.count(A, today - timedelta(days=1), sent=0, received=0)  # nothing: no row
    assert await activity.between([A, B], today - timedelta(days=1), today + timedelta(days=2)) == [
        ActivityDay(B, today, 0, 4),  # by day, then group (B's id is the lower)
        ActivityDay(A, today, 4, 3),
        ActivityDay(A, today + timedelta(days=1), 1, 0),
    ]
    # start inclusive, end exclusive
    assert await activity.between([A], today, today + timedelta(days=1)) == [ActivityDay(A, today, 4, 3)]
    assert await activity.between([A], today + timedelta(days=1), today) == []
    assert await activity.between([], today, today + timedelta(days=2)) == []
    assert await activity.between([ALONE], today, today + timedelta(days=2)) == []

    assert await activity.last_exchange([A, B]) == today  # the later day only had a message sent
    assert await activity.last_exchange([B]) == today
    assert await activity.last_exchange([ALONE]) is None
    assert await activity.last_exchange([]) is None
    await activity.count(B, today + timedelta(days=5), received=1)
    found = await activity.last_exchange([A, B])
    assert found == today + timedelta(days=5) and type(found) is date


async def test_the_last_exchange_counts_a_message_sent_out_and_stops_before_a_day(repos: Repositories) -> None:
    """A group's own days: with ``sent``, a day it relayed a message out counts too; ``before`` bounds it."""
    activity = repos.activity
    today = date(2026, 12, 1)
    await activity.count(A, today, received=1)
    await activity.count(A, today + timedelta(days=2), sent=1)
    await activity.count(A, today + timedelta(days=9), received=1)
    assert await activity.last_exchange([A], before=today + timedelta(days=9)) == today  # received only
    assert await activity.last_exchange([A], sent=True, before=today + timedelta(days=9)) == today + timedelta(days=2)
    assert await activity.last_exchange([A], sent=True) == today + timedelta(days=9)
    assert await activity.last_exchange([A], sent=True, before=today + timedelta(days=2)) == today  # exclusive
    assert await activity.last_exchange([A], sent=True, before=today) is None
    assert await activity.last_exchange([ALONE], sent=True) is None
    with pytest.raises(TypeError):
        await activity.last_exchange([A], before=NOW)  # a datetime is no day


async def test_bad_activity_counts_are_refused(repos: Repositories) -> None:
    activity = repos.activity
    with pytest.raises(ValueError):
        await activity.count(A, date(2026, 12, 1), sent=-1)
    with pytest.raises(ValueError):
        await activity.count(A, date(2026, 12, 1), received=True)
    with pytest.raises(TypeError):
        await activity.count(A, NOW)  # a datetime is no day
    with pytest.raises(TypeError):
        await activity.between("AB", date(2026, 12, 1), date(2026, 12, 2))  # type: ignore[arg-type]


async def test_many_counts_are_one_statement(db: Database) -> None:
    activity = ActivityRepository(db)
    today = date(2026, 12, 1)
    await activity.count(A, today, sent=1)
    counts = {(chat_id, today + timedelta(days=n)): (n, 1) for chat_id in (A, B) for n in range(20)}
    with captured_sql(db) as statements:
        await activity.count_many(counts)
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 1, statements


async def test_many_counts_add_up_all_or_nothing(repos: Repositories) -> None:
    activity = repos.activity
    today = date(2026, 12, 1)
    await activity.count(A, today, sent=1)
    counts = {(chat_id, today + timedelta(days=n)): (n, 1) for chat_id in (A, B) for n in range(20)}
    await activity.count_many(counts)
    days = await activity.between([A, B], today, today + timedelta(days=20))
    assert len(days) == 40 and ActivityDay(A, today, 1, 1) in days and ActivityDay(B, today + 19 * DAY, 19, 1) in days
    with pytest.raises(ValueError):
        await activity.count_many({(A, today): (1, 0), (B, today): (-1, 0)})
    with pytest.raises(TypeError):  # a datetime is no day: checked before anything is written
        await activity.count_many({(B, today): (1, 0), (A, NOW): (1, 0)})
    assert await activity.between([A, B], today, today + timedelta(days=1)) == [
        ActivityDay(B, today, 0, 1),
        ActivityDay(A, today, 1, 1),
    ]
    await activity.count_many({})
    await activity.count_many({(A, today): (0, 0)})  # nothing to add
    assert await activity.between([A, B], today, today + timedelta(days=1)) == [
        ActivityDay(B, today, 0, 1),
        ActivityDay(A, today, 1, 1),
    ]


async def test_concurrent_counts_all_add_up(db: Database) -> None:
    activity = ActivityRepository(db)
    today = date(2026, 12, 1)
    await asyncio.gather(*(activity.count(A, today, sent=1, received=n % 3) for n in range(50)))
    assert await activity.between([A], today, today + timedelta(days=1)) == [
        ActivityDay(A, today, 50, sum(n % 3 for n in range(50)))
    ]


# -- reports -----------------------------------------------------------------------------------------------


async def _report(reports: domain.ReportRepository, chat_id: int, n: int = 0, kind: str = "manual") -> Any:
    return await reports.add(
        Scope.of(None, chat_id), chat_id, kind, NOW - 30 * DAY, NOW, f"<b>Report</b> {n}", "id", NOW + n * DAY
    )


async def test_reports_are_numbered_per_group(repos: Repositories) -> None:
    await _chats(repos, A, B)
    reports = repos.reports
    first = await _report(reports, A, 0)
    assert (first.number, first.chat_id, first.kind, first.language, first.summary) == (
        1,
        A,
        "manual",
        "id",
        "<b>Report</b> 0",
    )
    assert (first.start, first.end, first.created_at, first.scope) == (NOW - 30 * DAY, NOW, NOW, Scope.of(None, A))
    second = await _report(reports, A, 1, "monthly")
    other = await _report(reports, B, 2, "quarterly")
    assert (second.number, other.number) == (2, 1)
    assert await reports.recent(A) == [second, first]
    assert await reports.recent(A, limit=1) == [second]
    assert await reports.recent(A, limit=0) == []
    assert await reports.recent(ALONE) == []
    assert await reports.numbered(A, 1) == first
    assert await reports.numbered(B, 1) == other
    assert await reports.numbered(B, 2) is None
    assert await reports.numbered(ALONE, 1) is None


async def test_a_report_keeps_its_instants_in_utc_and_its_language_trimmed(repos: Repositories) -> None:
    jakarta = timezone(timedelta(hours=7))
    kept = await repos.reports.add(
        Scope.of(None, A),
        A,
        "quarterly",
        (NOW - DAY).astimezone(jakarta),
        NOW.astimezone(jakarta),
        " <i>x</i> ",
        " zh-CN ",
        NOW.astimezone(jakarta),
    )
    assert (kept.start, kept.end, kept.created_at, kept.language, kept.summary, kept.kind) == (
        NOW - DAY,
        NOW,
        NOW,
        "zh-CN",
        " <i>x</i> ",  # the summary as given
        "quarterly",
    )
    assert {kept.start.utcoffset(), kept.end.utcoffset(), kept.created_at.utcoffset()} == {timedelta(0)}
    assert await repos.reports.numbered(A, 1) == kept
    assert await repos.reports.recent(A, limit=5) == [kept]


async def test_concurrent_reports_get_distinct_numbers(db: Database) -> None:
    await _chats(repositories(db), A)
    reports = ReportRepository(db)
    made = await asyncio.gather(*(_report(reports, A, n) for n in range(10)))
    assert sorted(r.number for r in made) == list(range(1, 11))
    # a chat Kembar has no row for still gets distinct numbers (the INSERT runs again on a collision)
    unknown = await asyncio.gather(*(_report(reports, ALONE, n) for n in range(5)))
    assert sorted(r.number for r in unknown) == list(range(1, 6))


async def test_a_bad_report_is_refused(repos: Repositories) -> None:
    reports = repos.reports
    scope = Scope.of(None, A)
    good: dict[str, Any] = {
        "scope": scope,
        "chat_id": A,
        "kind": "monthly",
        "start": NOW - DAY,
        "end": NOW,
        "summary": "<b>x</b>",
        "language": "en",
        "created_at": NOW,
    }
    for bad in (
        {"kind": "weekly"},
        {"start": NOW},  # empty period
        {"start": NOW + DAY},
        {"start": datetime(2026, 11, 1)},
        {"end": datetime(2026, 12, 2)},
        {"created_at": datetime(2026, 12, 2)},
        {"summary": "  "},
        {"summary": "x" * (REPORT_SUMMARY_MAX + 1)},
        {"language": ""},
        {"language": "x" * 9},
        {"scope": "c-1"},
    ):
        with pytest.raises(ValueError):
            await reports.add(**{**good, **bad})
    assert (await reports.add(**{**good, "summary": "x" * REPORT_SUMMARY_MAX})).number == 1


async def test_a_report_reminder_can_be_stored(repos: Repositories) -> None:
    await _chats(repos, A)
    stored = await repos.reminders.add(
        NewReminder(scope=Scope.of(None, A), chat_id=A, kind="report", due_at=NOW, text="monthly")
    )
    assert (stored.kind, stored.text, stored.number) == ("report", "monthly", None)


# -- forgetting and moving a group -------------------------------------------------------------------------


async def _history(repos: Repositories) -> tuple[Scope, int]:
    """A bridge of A (Bandung) and B (Braunschweig) with an indicator both updated with a note, events of both
    with a detail, counts and reports; a group in no bridge with its own indicator and events."""
    scope = await _bridge(repos)
    await _chats(repos, ALONE)
    indicators, events = repos.indicators, repos.events
    students = await indicators.add(scope, await _programme(repos, scope), "Students", 40, "year", None, 5)
    for chat_id, who, city in ((A, "Budi", "Bandung"), (B, "Anna", "Braunschweig")):
        await repos.chats.set_city(chat_id, city)
        await indicators.record(
            students.id, change=2, at=NOW, user_id=-chat_id, by=who, chat_id=chat_id, city=city, note=f"{who}'s note"
        )
        await events.add(
            _event(scope, NOW, chat_id=chat_id, by=who, city=city, user_id=-chat_id, detail=f"{who}'s detail")
        )
    alone = Scope.of(None, ALONE)
    solo = await indicators.add(alone, await _programme(repos, alone, "Solo"), "Visits", 3, "year", None, None)
    await indicators.record(solo.id, change=1, at=NOW, user_id=9, by="Sri", chat_id=ALONE, city="Solo", note=None)
    await events.add(_event(alone, NOW, chat_id=ALONE, by="Sri", city="Solo", user_id=9))
    activity, reports = repos.activity, repos.reports
    for chat_id in (A, B, ALONE):
        await activity.count(chat_id, NOW.date(), sent=1, received=1)
        await _report(reports, chat_id)
    return scope, students.id


async def test_forgetting_a_bridged_group_keeps_the_bridge_history_without_its_people(repos: Repositories) -> None:
    scope, students = await _history(repos)
    forgotten = await repos.chat_data.forget(A)
    assert forgotten.rows["activity_days"] == 1 and forgotten.rows["reports"] == 1
    activity, reports = repos.activity, repos.reports
    assert [d.chat_id for d in await activity.between([A, B], NOW.date(), NOW.date() + DAY)] == [B]
    assert await reports.recent(A) == [] and len(await reports.recent(B)) == 1

    updates = await repos.indicators.updates([students])
    assert [(u.chat_id, u.city, u.by, u.user_id, u.value_after, u.note) for u in updates] == [
        (A, "Bandung", "", None, 2.0, None),  # what Bandung did still counts, but not who did it nor what was said
        (B, "Braunschweig", "Anna", 2, 4.0, "Anna's note"),
    ]
    events = await repos.events.between(scope, NOW, NOW + DAY)
    assert [(e.chat_id, e.kind, e.item_number, e.city, e.by, e.user_id, e.detail) for e in events] == [
        (A, "created", 1, "Bandung", "", None, None),
        (B, "created", 1, "Braunschweig", "Anna", 2, "Anna's detail"),
    ]
    assert await repos.indicators.count(scope) == 1

    # The last group of the bridge takes the bridge's indicators and history with it.
    await repos.chat_data.forget(B)
    assert await repos.indicators.count(scope) == 0
    assert await repos.indicators.updates([students]) == []
    assert await repos.events.between(scope, NOW, NOW + DAY) == []
    assert await activity.between([B], NOW.date(), NOW.date() + DAY) == []
    # The group in no bridge is untouched.
    alone = Scope.of(None, ALONE)
    assert await repos.indicators.count(alone) == 1
    assert len(await repos.events.between(alone, NOW, NOW + DAY)) == 1


async def test_forgetting_a_group_in_no_bridge_deletes_its_indicators_and_history(repos: Repositories) -> None:
    scope, _ = await _history(repos)
    alone = Scope.of(None, ALONE)
    solo = (await repos.indicators.list(alone))[0]
    forgotten = await repos.chat_data.forget(ALONE)
    assert [forgotten.rows[t] for t in ("programmes", "events", "reports", "activity_days")] == [1, 1, 1, 1]
    assert await repos.indicators.count(alone) == 0
    assert await repos.indicators.updates([solo.id]) == []
    assert await repos.events.between(alone, NOW, NOW + DAY) == []
    assert await repos.reports.recent(ALONE) == []
    assert await repos.activity.between([ALONE], NOW.date(), NOW.date() + DAY) == []
    assert await repos.indicators.count(scope) == 1  # the bridge is untouched


async def test_forgetting_a_group_in_no_bridge_leaves_no_nameless_history(db: Database) -> None:
    await _history(repositories(db))
    await repositories(db).chat_data.forget(ALONE)
    async with db.session() as session:  # its events are deleted, not kept without names
        assert await session.scalar(select(func.count()).select_from(EventRow).where(EventRow.by_name == "")) == 0


async def test_forgetting_a_group_keeps_its_city_only_where_it_is_its_city(repos: Repositories) -> None:
    """A group's label is its title until it sets a city; a title may name people, so only the city stays."""
    scope = await _bridge(repos)
    await _chats(repos, ALONE)
    events = repos.events
    programme = await _programme(repos, scope)
    visits = await repos.indicators.add(scope, programme, "Visits", 10, "year", None, None)
    for chat_id, label in ((A, "group -1"), (A, "Bandung"), (B, "group -2"), (ALONE, "group -3")):
        await events.add(_event(scope, NOW, chat_id=chat_id, city=label))
        await repos.indicators.record(
            visits.id, change=1, at=NOW, user_id=None, by="Budi", chat_id=chat_id, city=label, note=None
        )
    await repos.chats.set_city(A, "Bandung")  # A set its city after a first event under its title
    await repos.chat_data.forget(A)
    await repos.chat_data.forget(ALONE)  # never set one (its rows here are in A and B's bridge, as a test)
    expected = [(A, ""), (A, "Bandung"), (B, "group -2"), (ALONE, "")]
    assert [(e.chat_id, e.city) for e in await events.between(scope, NOW, NOW + DAY)] == expected
    assert [(u.chat_id, u.city) for u in await repos.indicators.updates([visits.id])] == expected


async def test_forgetting_a_group_clears_every_groups_history_of_the_items_it_created(repos: Repositories) -> None:
    """Its items are deleted: their titles ("created", "renamed") and owners ("assigned") leave the history,
    whoever recorded them; the partner's items keep theirs, except what the forgotten group wrote."""
    scope = await _bridge(repos)
    actions, events = repos.actions, repos.events
    ours = await actions.create(scope=scope, bridge_id=scope.bridge_id, chat_id=A, title="Rahasia", language="id")
    theirs = await actions.create(scope=scope, bridge_id=scope.bridge_id, chat_id=B, title="Visit", language="de")
    assert (ours.number, theirs.number) == (1, 2)
    history = [
        (A, "created", 1, "Rahasia"),
        (B, "renamed", 1, "Rahasia besar"),
        (B, "assigned", 1, "Kim, Budi Santoso"),
        (B, "created", 2, "Visit"),
        (A, "assigned", 2, "Budi Santoso"),
        (B, "due", 2, "2027-01-01T00:00:00+00:00"),
    ]
    for n, (chat_id, kind, number, detail) in enumerate(history):
        who, at = ("Budi" if chat_id == A else "Anna"), NOW + n * timedelta(minutes=1)
        await events.add(_event(scope, at, kind, chat_id=chat_id, by=who, item_number=number, detail=detail))
    await repos.chat_data.forget(A)
    kept = [(e.chat_id, e.kind, e.item_number, e.by, e.detail) for e in await events.between(scope, NOW, NOW + DAY)]
    assert kept == [
        (A, "created", 1, "", None),
        (B, "renamed", 1, "Anna", None),
        (B, "assigned", 1, "Anna", None),
        (B, "created", 2, "Anna", "Visit"),
        (A, "assigned", 2, "", None),
        (B, "due", 2, "Anna", "2027-01-01T00:00:00+00:00"),
    ]


async def test_migration_0012_clears_the_text_left_by_groups_forgotten_before(db: Database) -> None:
    """Groups forgotten before revision 0012 left their history nameless but with its text: upgrading
    clears it, and the history of the items they created."""
    repos = repositories(db)
    scope, students = await _history(repos)
    await repos.actions.create(scope=scope, bridge_id=scope.bridge_id, chat_id=B, title="Visit", language="de")
    await repos.actions.create(scope=scope, bridge_id=scope.bridge_id, chat_id=A, title="Rahasia", language="id")
    await repos.events.add(_event(scope, NOW, "renamed", chat_id=B, by="Anna", item_number=1, detail="Visit 2"))
    await repos.events.add(_event(scope, NOW, "renamed", chat_id=B, by="Anna", item_number=2, detail="Rahasia besar"))
    await downgrade(db.engine, "0011")
    async with db.engine.begin() as conn:  # what forgetting A did before 0012
        for statement in (
            "UPDATE events SET by_name = '', user_id = NULL WHERE chat_id = -1",
            "UPDATE indicator_updates SET by_name = '', user_id = NULL WHERE chat_id = -1",
            "DELETE FROM action_items WHERE chat_id = -1",
            "DELETE FROM bridge_members WHERE chat_id = -1",
            "DELETE FROM chats WHERE id = -1",
        ):
            await conn.execute(text(statement))
    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()
    events = await repos.events.between(scope, NOW, NOW + DAY)
    assert sorted((e.chat_id, e.kind, e.item_number or 0, e.detail or "") for e in events) == sorted(
        [
            (A, "created", 1, ""),
            (B, "created", 1, "Anna's detail"),
            (B, "renamed", 1, "Visit 2"),  # B's item
            (B, "renamed", 2, ""),  # A's item, deleted
        ]
    )
    updates = await repos.indicators.updates([students])
    assert [(u.chat_id, u.note, u.city) for u in updates] == [(A, None, "Bandung"), (B, "Anna's note", "Braunschweig")]


async def test_moving_a_group_takes_its_history_counts_and_reports_along(repos: Repositories) -> None:
    scope, students = await _history(repos)
    activity, reports = repos.activity, repos.reports
    await activity.count(A, NOW.date() + DAY, sent=5)
    await repos.chats.ensure(NEW, title="Bandung", type="supergroup", default_language="en")
    await activity.count(NEW, NOW.date(), sent=10, received=20)  # the new id's first messages, the same day
    assert await repos.chat_data.move(A, NEW)

    assert await activity.between([A], NOW.date(), NOW.date() + 2 * DAY) == []
    assert await activity.between([NEW], NOW.date(), NOW.date() + 2 * DAY) == [
        ActivityDay(NEW, NOW.date(), 11, 21),
        ActivityDay(NEW, NOW.date() + DAY, 5, 0),
    ]
    assert await reports.recent(A) == []
    assert [r.number for r in await reports.recent(NEW)] == [1]
    assert (await _report(reports, NEW, 3)).number == 2
    assert {u.chat_id for u in await repos.indicators.updates([students])} == {NEW, B}
    assert {e.chat_id for e in await repos.events.between(scope, NOW, NOW + DAY)} == {NEW, B}
    assert [u.by for u in await repos.indicators.updates([students])] == ["Budi", "Anna"]


async def test_moving_a_group_in_no_bridge_moves_its_scope(repos: Repositories) -> None:
    await _history(repos)
    reports = repos.reports
    await repos.chats.ensure(NEW, title="Solo", type="supergroup", default_language="en")
    await _report(reports, NEW)  # a report the new id got first (rare): the moved ones are numbered after it
    assert await repos.chat_data.move(ALONE, NEW)
    old, new = Scope.of(None, ALONE), Scope.of(None, NEW)
    assert await repos.indicators.count(old) == 0
    moved = await repos.indicators.list(new)
    assert [i.name for i in moved] == ["Visits"]
    assert [u.chat_id for u in await repos.indicators.updates([moved[0].id])] == [NEW]
    assert [e.scope for e in await repos.events.between(new, NOW, NOW + DAY)] == [new]
    assert [(r.number, r.scope) for r in await reports.recent(NEW)] == [(2, new), (1, new)]


# -- migration 0010 ----------------------------------------------------------------------------------------


def _ours(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name in MONITORING_TABLES


def _ours_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return _ours(name, type_)


def _schema_drift(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": _ours, "include_object": _ours_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_migration_0010_downgrades_and_upgrades_again(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []
        assert MONITORING_TABLES <= await conn.run_sync(_tables)
    scope, _ = await _history(repositories(db))
    others = ("chats", "bridges", "bridge_members", "programmes")
    async with db.engine.connect() as conn:
        before: dict[str, int] = {
            t: (await conn.execute(text(f"SELECT COUNT(*) FROM {t}"))).scalar_one() for t in others
        }

    await downgrade(db.engine, "0009")
    assert await current_revision(db.engine) == "0009"
    async with db.engine.connect() as conn:
        assert not MONITORING_TABLES & await conn.run_sync(_tables)
        after: dict[str, int] = {
            t: (await conn.execute(text(f"SELECT COUNT(*) FROM {t}"))).scalar_one() for t in others
        }
    assert after == before  # nothing else is touched

    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []
    assert await IndicatorRepository(db).count(scope) == 0
    assert (await _report(ReportRepository(db), A)).number == 1


async def test_a_group_keeps_its_last_reports_only(repos: Repositories) -> None:
    await _chats(repos, A, B)
    reports = repos.reports
    await _report(reports, B, 0)
    for n in range(REPORTS_KEPT + 3):
        await _report(reports, A, n)
    assert await reports.count(A) == REPORTS_KEPT and await reports.count(B) == 1
    assert await reports.numbered(A, 3) is None and await reports.numbered(A, 4) is not None
    newest = await reports.recent(A, limit=1)
    assert [r.number for r in newest] == [REPORTS_KEPT + 3]  # numbers go on; the oldest are forgotten
    assert await reports.count(ALONE) == 0
