"""Reminders: due/claim/send/reschedule, numbering per scope, settings, migration 0004.

The tests that take ``repos`` run in memory (tests/fakes/reminders.py), on SQLite and on PostgreSQL: the
contract the fakes keep. Those that need the database itself (query plans, statement counts, concurrent
transactions, raw SQL, the migration) take ``db``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, event, inspect, text
from sqlalchemy.engine import Connection

from bot.domain.errors import LimitReached
from bot.domain.records import ChatSchedule, DigestWork, Liveness, NewReminder, Reminder, ReminderSettings, Scope
from bot.domain.repositories import Repositories
from bot.domain.rules import REMINDER_LEAD_SECONDS_MAX
from storage.actions import ActionRepository
from storage.db import Database
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Base, ReminderRow
from storage.reminders import MAX_TEXT_LENGTH, ReminderRepository, ReminderSettingsRepository, hh_mm
from storage.repositories import repositories

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
JAKARTA = timezone(timedelta(hours=7))

B1 = Scope.parse("b1")
B2 = Scope.parse("b2")
B999 = Scope.parse("b999")
C_1 = Scope.parse("c-1")
C_2 = Scope.parse("c-2")
C_3 = Scope.parse("c-3")
C_5 = Scope.parse("c-5")


async def make_chats(repos: Repositories, *ids: int) -> None:
    for chat_id in ids:
        await repos.chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="en")


def adhoc(due_at: datetime, chat_id: int = -1, scope: Scope = C_1, **kw: Any) -> NewReminder:
    return NewReminder(scope=scope, chat_id=chat_id, kind="adhoc", due_at=due_at, **kw)


def ids(reminders: list[Reminder]) -> list[int]:
    return [r.id for r in reminders]


# -- adding ----------------------------------------------------------------------------------------------


async def test_the_numbered_reminders_limit_is_kept_where_they_are_stored(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    reminders = repos.reminders
    first = await reminders.add_many([adhoc(NOW, numbered=True), adhoc(NOW, chat_id=-2, numbered=True)], numbered_max=2)
    await reminders.add_many([adhoc(NOW, numbered=True)], numbered_max=2)
    with pytest.raises(LimitReached) as refused:
        await reminders.add_many([adhoc(NOW, numbered=True), adhoc(NOW, chat_id=-2, numbered=True)], numbered_max=2)
    assert refused.value.limit == 2
    assert await reminders.count_numbered(C_1) == 2  # one reminder fanned out to two groups counts once
    await reminders.add_many([adhoc(NOW)], numbered_max=2)  # unnumbered ones (due dates, digests) never count
    assert await reminders.cancel_number(C_1, first[0].number or 0) is not None
    again = await reminders.add_many([adhoc(NOW, numbered=True)], numbered_max=2)
    assert again[0].number == 3  # the refused add took no number


async def test_concurrent_numbered_adds_never_pass_the_limit(db: Database) -> None:
    await make_chats(repositories(db), -1)
    reminders = ReminderRepository(db)
    outcomes = await asyncio.gather(
        *(reminders.add_many([adhoc(NOW, numbered=True)], numbered_max=3) for _ in range(10)), return_exceptions=True
    )
    assert sum(isinstance(o, list) for o in outcomes) == 3
    assert sum(isinstance(o, LimitReached) for o in outcomes) == 7
    assert await reminders.count_numbered(C_1) == 3


async def test_add_returns_a_full_record_in_utc(repos: Repositories) -> None:
    await make_chats(repos, -1)
    item = await repos.actions.create(scope=C_1, bridge_id=None, chat_id=-1, title="MoU", language="en")
    reminders = repos.reminders
    due_local = datetime(2026, 12, 24, 16, 0, tzinfo=JAKARTA)
    added = await reminders.add(
        NewReminder(
            scope=C_1,
            chat_id=-1,
            kind="due",
            due_at=due_local,
            nominal_at=due_local + HOUR,
            action_item_id=item.id,
            text="Draft the MoU",
            language="id",
            timezone="Asia/Jakarta",
            lead_seconds=3600,
            created_by=555,
        )
    )
    assert added.due_at == due_local and added.due_at.utcoffset() == timedelta(0)
    assert added.nominal_at == due_local + HOUR and added.nominal_at.utcoffset() == timedelta(0)
    assert (added.scope, added.number, added.chat_id, added.kind, added.action_item_id) == (
        C_1,
        None,
        -1,
        "due",
        item.id,
    )
    assert (added.text, added.language, added.timezone, added.lead_seconds, added.created_by) == (
        "Draft the MoU",
        "id",
        "Asia/Jakarta",
        3600,
        555,
    )
    assert (added.state, added.late, added.sent_at, added.recurrence) == ("pending", False, None, None)
    assert added.created_at.utcoffset() == timedelta(0)
    assert await reminders.get(added.id) == added
    assert await reminders.get(added.id + 1000) is None

    plain = await reminders.add(adhoc(NOW))
    assert (plain.nominal_at, plain.text, plain.language, plain.number) == (NOW, None, None, None)
    assert plain.id > added.id
    assert await reminders.add_many([]) == []


async def test_add_validates_and_a_failed_add_stores_nothing(repos: Repositories) -> None:
    await make_chats(repos, -1)
    reminders = repos.reminders
    bad = [
        NewReminder(scope=C_1, chat_id=-1, kind="nudge", due_at=NOW),  # unknown kind
        NewReminder(scope=C_1, chat_id=-1, kind="due", due_at=NOW, numbered=True),  # only user reminders
        adhoc(datetime(2026, 12, 1, 12, 0)),  # naive
        adhoc(NOW, nominal_at=datetime(2026, 12, 1, 12, 0)),  # naive
        adhoc(NOW, scope=""),  # type: ignore[arg-type]
        adhoc(NOW, scope=" c-1"),  # type: ignore[arg-type]
        adhoc(NOW, text="x" * (MAX_TEXT_LENGTH + 1)),
        adhoc(NOW, language=""),
        adhoc(NOW, lead_seconds=-1),
        adhoc(NOW, lead_seconds=REMINDER_LEAD_SECONDS_MAX + 1),
    ]
    for new in bad:
        with pytest.raises(ValueError):
            await reminders.add(new)
    with pytest.raises(LookupError, match="chat -999"):
        await reminders.add_many([adhoc(NOW, numbered=True), adhoc(NOW, chat_id=-999, numbered=True)])
    with pytest.raises(LookupError, match="action item 12345"):
        await reminders.add(adhoc(NOW, action_item_id=12345))
    assert await reminders.pending_count() == 0
    first = await reminders.add(adhoc(NOW, numbered=True, text="x" * MAX_TEXT_LENGTH))
    assert first.number == 1  # the failed numbered add handed out no number


async def test_add_many_keeps_list_order_in_one_transaction(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    reminders = repos.reminders
    news = [adhoc(NOW + n * MINUTE, chat_id=(-1, -2)[n % 2], text=str(n)) for n in range(6)]
    added = await reminders.add_many(news)
    assert [r.text for r in added] == [str(n) for n in range(6)]
    assert ids(added) == sorted(ids(added))
    assert [await reminders.get(r.id) for r in added] == added


# -- due, next_due_at, claim -------------------------------------------------------------------------------


async def test_due_is_oldest_first_limited_and_only_pending_and_due(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    reminders = repos.reminders
    assert await reminders.due(NOW) == []
    assert await reminders.next_due_at() is None
    assert await reminders.pending_count() == 0

    later = await reminders.add(adhoc(NOW - MINUTE))
    earliest = await reminders.add(adhoc(NOW - DAY, chat_id=-2))
    tie_a, tie_b = await reminders.add_many([adhoc(NOW - HOUR), adhoc(NOW - HOUR, chat_id=-2)])
    exactly_now = await reminders.add(adhoc(NOW))
    future = await reminders.add(adhoc(NOW + MINUTE))
    claimed = await reminders.add(adhoc(NOW - 2 * DAY))
    sent = await reminders.add(adhoc(NOW - 2 * DAY))
    cancelled = await reminders.add(adhoc(NOW - 2 * DAY))
    assert await reminders.claim(claimed.id, NOW, "p1")
    assert await reminders.claim(sent.id, NOW, "p1")
    await reminders.mark_sent(sent.id, NOW, late=False)
    assert await reminders.cancel(cancelled.id)

    assert ids(await reminders.due(NOW)) == [earliest.id, tie_a.id, tie_b.id, later.id, exactly_now.id]
    assert ids(await reminders.due(NOW, limit=2)) == [earliest.id, tie_a.id]
    assert await reminders.due(NOW, limit=0) == []
    assert ids(await reminders.due(NOW - HOUR)) == [earliest.id, tie_a.id, tie_b.id]
    assert ids(await reminders.due(NOW + DAY)) == [*ids(await reminders.due(NOW)), future.id]
    assert await reminders.next_due_at() == NOW - DAY
    assert await reminders.pending_count() == 6
    with pytest.raises(ValueError):
        await reminders.due(datetime(2026, 12, 1, 12, 0))

    for reminder in await reminders.due(NOW):
        assert await reminders.claim(reminder.id, NOW, "p1")
    assert await reminders.due(NOW) == []
    assert await reminders.next_due_at() == NOW + MINUTE
    assert await reminders.pending_count() == 1


@contextmanager
def captured_sql(database: Database) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(database.engine.sync_engine, "before_cursor_execute", grab)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", grab)


async def test_due_and_next_due_at_use_the_state_due_index(sqlite_url: str) -> None:
    """SQLite's EXPLAIN QUERY PLAN of the statements due() and next_due_at() run: an index, no scan, no sort."""
    database = Database(sqlite_url)
    try:
        await database.upgrade()
        await make_chats(repositories(database), -1)
        reminders = ReminderRepository(database)
        await reminders.add_many([adhoc(NOW + n * HOUR - DAY) for n in range(48)])
        plans: dict[str, str] = {}
        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "due": lambda: reminders.due(NOW, limit=5),
            "next": reminders.next_due_at,
        }
        for name, call in calls.items():
            with captured_sql(database) as statements:
                await call()
            [(statement, parameters)] = [s for s in statements if s[0].lstrip().upper().startswith("SELECT")]
            if name == "due":
                assert "LIMIT" in statement.upper()  # never more rows than asked for
            async with database.engine.connect() as conn:
                rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                plans[name] = " | ".join(str(row[-1]) for row in rows)
    finally:
        await database.dispose()
    for plan in plans.values():
        assert "ix_reminders_state_due" in plan, plan
        assert "SCAN reminders" not in plan and "TEMP B-TREE" not in plan, plan


async def test_claim_is_atomic_and_the_winner_is_kept(db: Database) -> None:
    await make_chats(repositories(db), -1)
    reminders = ReminderRepository(db)
    target = await reminders.add(adhoc(NOW - MINUTE))
    wins = await asyncio.gather(*(reminders.claim(target.id, NOW, f"worker-{n}") for n in range(20)))
    assert wins.count(True) == 1
    winner = f"worker-{wins.index(True)}"
    async with db.engine.connect() as conn:
        claimed_by = (
            await conn.execute(text("SELECT claimed_by FROM reminders WHERE id = :id"), {"id": target.id})
        ).scalar()
    assert claimed_by == winner
    claimed = await reminders.get(target.id)
    assert claimed is not None and claimed.state == "claimed"


async def test_claim_is_only_for_due_pending_reminders(repos: Repositories) -> None:
    await make_chats(repos, -1)
    reminders = repos.reminders
    target = await reminders.add(adhoc(NOW - MINUTE))
    future = await reminders.add(adhoc(NOW + MINUTE))
    assert await reminders.claim(target.id, NOW, "worker-1")
    claimed = await reminders.get(target.id)
    assert claimed is not None and claimed.state == "claimed"
    assert not await reminders.claim(target.id, NOW + DAY, "again")  # claimed already
    assert not await reminders.claim(future.id, NOW, "early")  # not due yet
    assert not await reminders.claim(future.id + 1000, NOW, "ghost")
    assert await reminders.claim(future.id, NOW + MINUTE, "on time")
    for bad_claimer in ("", "x" * 129):
        with pytest.raises(ValueError):
            await reminders.claim(target.id, NOW, bad_claimer)
    with pytest.raises(ValueError):
        await reminders.claim(target.id, datetime(2026, 12, 1, 12, 0), "naive")


async def _race_two_engines(url: str) -> None:
    """Two processes (two engines) on one database claim the same reminders at once: one winner each."""
    first, second = Database(url), Database(url)
    try:
        await first.upgrade()
        await make_chats(repositories(first), -1)
        added = await ReminderRepository(first).add_many([adhoc(NOW - n * MINUTE) for n in range(10)])
        repos = (ReminderRepository(first), ReminderRepository(second))
        attempts = [(reminder.id, side, f"p{side}-{n}") for reminder in added for side in (0, 1) for n in range(3)]
        results = await asyncio.gather(
            *(repos[side].claim(reminder_id, NOW, claimer) for reminder_id, side, claimer in attempts)
        )
        winners: dict[int, list[str]] = {}
        for (reminder_id, _side, claimer), won in zip(attempts, results, strict=True):
            if won:
                winners.setdefault(reminder_id, []).append(claimer)
        assert sorted(winners) == sorted(ids(added))
        assert all(len(claimers) == 1 for claimers in winners.values()), winners
        assert await repos[1].due(NOW) == []
        assert await repos[0].pending_count() == 0
    finally:
        await first.dispose()
        await second.dispose()


async def test_claim_race_between_two_engines_on_postgresql(pg_url: str) -> None:
    await _race_two_engines(pg_url)


async def test_claim_race_between_two_engines_on_one_sqlite_file(sqlite_url: str) -> None:
    await _race_two_engines(sqlite_url)


# -- sending, rescheduling, crash recovery ---------------------------------------------------------------


async def test_mark_sent_records_when_and_whether_late(repos: Repositories) -> None:
    await make_chats(repos, -1)
    reminders = repos.reminders
    on_time, late = await reminders.add_many([adhoc(NOW - MINUTE), adhoc(NOW - DAY)])
    for reminder in (on_time, late):
        assert await reminders.claim(reminder.id, NOW, "p1")
    await reminders.mark_sent(on_time.id, NOW, late=False)
    await reminders.mark_sent(late.id, NOW + MINUTE, late=True)
    sent_on_time, sent_late = await reminders.get(on_time.id), await reminders.get(late.id)
    assert sent_on_time is not None and sent_late is not None
    assert (sent_on_time.state, sent_on_time.sent_at, sent_on_time.late) == ("sent", NOW, False)
    assert (sent_late.state, sent_late.sent_at, sent_late.late) == ("sent", NOW + MINUTE, True)
    assert sent_late.sent_at is not None and sent_late.sent_at.utcoffset() == timedelta(0)
    assert not await reminders.claim(on_time.id, NOW + DAY, "p2")
    assert not await reminders.cancel(on_time.id)  # sent is final
    await reminders.mark_sent(on_time.id + 1000, NOW, late=False)  # unknown: nothing happens
    assert await reminders.due(NOW + DAY) == []


async def test_reschedule_puts_a_reminder_back_to_pending(repos: Repositories) -> None:
    await make_chats(repos, -1)
    reminders = repos.reminders
    weekly = await reminders.add(
        NewReminder(
            scope=C_1,
            chat_id=-1,
            kind="recurring",
            due_at=NOW,
            recurrence="weekly:MO@09:00",
            timezone="Asia/Jakarta",
            numbered=True,
        )
    )
    assert await reminders.claim(weekly.id, NOW, "p1")
    await reminders.mark_sent(weekly.id, NOW, late=False)
    next_week = await reminders.reschedule(weekly.id, (NOW + 7 * DAY).astimezone(JAKARTA))
    assert next_week == replace(weekly, due_at=NOW + 7 * DAY, nominal_at=NOW + 7 * DAY, sent_at=NOW)
    assert next_week.due_at.utcoffset() == timedelta(0)
    assert await reminders.next_due_at() == NOW + 7 * DAY

    # Claimed, then moved by quiet hours: a new due time standing for the nominal one; the claim is cleared.
    assert await reminders.claim(weekly.id, NOW + 7 * DAY, "p1")
    moved = await reminders.reschedule(weekly.id, NOW + 7 * DAY + 10 * HOUR, NOW + 7 * DAY)
    assert (moved.state, moved.due_at, moved.nominal_at) == ("pending", NOW + 7 * DAY + 10 * HOUR, NOW + 7 * DAY)
    assert await reminders.release_own("p1") == 0  # nothing claimed any more
    assert await reminders.claim(weekly.id, NOW + 8 * DAY, "p2")

    # Cancelled while it was being sent: the sender's reschedule does not bring it back.
    assert await reminders.cancel(weekly.id)
    kept = await reminders.reschedule(weekly.id, NOW + 14 * DAY)
    assert (kept.state, kept.due_at) == ("cancelled", NOW + 7 * DAY + 10 * HOUR)
    assert await reminders.pending_count() == 0

    with pytest.raises(LookupError):
        await reminders.reschedule(weekly.id + 1000, NOW)
    with pytest.raises(ValueError):
        await reminders.reschedule(weekly.id, datetime(2026, 12, 1, 12, 0))


async def test_release_gone_and_release_own_put_abandoned_claims_back(repos: Repositories) -> None:
    await make_chats(repos, -1)
    reminders = repos.reminders
    mine, theirs, pending = await reminders.add_many([adhoc(NOW - DAY) for _ in range(3)])
    assert await reminders.claim(mine.id, NOW, "me")
    assert await reminders.claim(theirs.id, NOW, "an earlier run")
    assert await reminders.release_own("nobody") == 0  # claims are released by their claimer, not by age
    one_instance = Liveness(me="me", shared=False)
    assert await reminders.release_gone(one_instance) == 1  # alone on the database: every other claimer is gone
    assert ids(await reminders.due(NOW)) == [theirs.id, pending.id]
    assert await reminders.release_gone(one_instance) == 0  # its own claim stays
    kept = await reminders.get(mine.id)
    assert kept is not None and kept.state == "claimed"
    assert await reminders.release_own("me") == 1  # its own leftover claim, released by itself
    assert ids(await reminders.due(NOW)) == [mine.id, theirs.id, pending.id]
    assert await reminders.claim(mine.id, NOW, "someone else")


async def test_failed_sends_are_counted_and_a_failed_reminder_stops(repos: Repositories) -> None:
    await make_chats(repos, -1)
    reminders = repos.reminders
    [reminder] = await reminders.add_many([adhoc(NOW)])
    assert await reminders.claim(reminder.id, NOW, "p")
    assert await reminders.retry_later(reminder.id, NOW + MINUTE) == 1
    assert not await reminders.claim(reminder.id, NOW, "p")  # not due again yet
    assert await reminders.claim(reminder.id, NOW + MINUTE, "p")
    assert await reminders.retry_later(reminder.id, NOW + 3 * MINUTE) == 2
    again = await reminders.get(reminder.id)
    assert again is not None and (again.attempts, again.state) == (2, "pending")
    await reminders.mark_failed(reminder.id)
    assert await reminders.due(NOW + DAY) == [] and await reminders.pending_count() == 0
    stopped = await reminders.get(reminder.id)
    assert stopped is not None and stopped.state == "failed"


# -- cancelling ----------------------------------------------------------------------------------------------


async def test_cancel_cancel_for_item_and_for_item(repos: Repositories) -> None:
    await make_chats(repos, -1)
    actions = repos.actions
    item = await actions.create(scope=C_1, bridge_id=None, chat_id=-1, title="MoU", language="en")
    other = await actions.create(scope=C_1, bridge_id=None, chat_id=-1, title="Venue", language="en")
    reminders = repos.reminders

    def for_(item_id: int, kind: str, due_at: datetime, lead: int | None = None) -> NewReminder:
        return NewReminder(scope=C_1, chat_id=-1, kind=kind, due_at=due_at, action_item_id=item_id, lead_seconds=lead)

    day_before, at_due, overdue, others = await reminders.add_many(
        [
            for_(item.id, "due", NOW - DAY, 86400),
            for_(item.id, "due", NOW, 0),
            for_(item.id, "overdue", NOW + DAY),
            for_(other.id, "due", NOW),
        ]
    )
    assert ids(await reminders.for_item(item.id)) == [day_before.id, at_due.id, overdue.id]
    assert ids(await reminders.for_item(item.id, kinds=["overdue"])) == [overdue.id]
    assert await reminders.for_item(item.id, kinds=()) == []
    assert await reminders.claim(day_before.id, NOW, "p1")
    assert ids(await reminders.for_item(item.id, states={"claimed"})) == [day_before.id]
    assert ids(await reminders.for_item(item.id, kinds={"due"}, states=("pending", "claimed"))) == [
        day_before.id,
        at_due.id,
    ]
    with pytest.raises(ValueError):
        await reminders.for_item(item.id, kinds=["nudge"])
    with pytest.raises(ValueError):
        await reminders.for_item(item.id, states=["done"])
    with pytest.raises(TypeError):
        await reminders.for_item(item.id, kinds="due")

    assert await reminders.cancel_for_item(item.id, kinds=["overdue"]) == 1
    assert await reminders.cancel_for_item(item.id) == 2  # the claimed one too
    assert await reminders.cancel_for_item(item.id) == 0
    assert ids(await reminders.for_item(item.id, states=["cancelled"])) == [day_before.id, at_due.id, overdue.id]
    assert ids(await reminders.for_item(other.id)) == [others.id]

    assert await reminders.cancel(others.id)
    assert not await reminders.cancel(others.id)
    assert not await reminders.cancel(others.id + 1000)
    cancelled = await reminders.get(others.id)
    assert cancelled is not None and cancelled.state == "cancelled"
    assert await reminders.pending_count() == 0


async def test_cancel_number_cancels_every_row_of_a_user_reminder(repos: Repositories) -> None:
    _, scope = await _bridge(repos, -1, -2)
    reminders = repos.reminders
    first = await reminders.add_many(
        [
            adhoc(NOW + HOUR, chat_id=-1, scope=scope, numbered=True),
            adhoc(NOW + 10 * HOUR, chat_id=-2, scope=scope, numbered=True),  # moved by quiet hours there
        ]
    )
    second = await reminders.add_many([adhoc(NOW + DAY, chat_id=c, scope=scope, numbered=True) for c in (-1, -2)])
    unnumbered = await reminders.add(adhoc(NOW, scope=scope))
    assert await reminders.claim(first[0].id, NOW + HOUR, "p1")  # one row is being sent

    cancelled = await reminders.cancel_number(scope, 1)
    assert cancelled is not None
    assert (cancelled.id, cancelled.number, cancelled.state) == (first[0].id, 1, "cancelled")
    assert await reminders.cancel_number(scope, 1) is None
    assert await reminders.cancel_number(scope, 3) is None
    assert await reminders.cancel_number(C_1, 2) is None  # another scope
    for row in first:
        got = await reminders.get(row.id)
        assert got is not None and got.state == "cancelled"
    assert {r.id for r in await reminders.due(NOW + 2 * DAY)} == {*ids(second), unnumbered.id}


async def test_cancel_for_chat_and_purge_finished(repos: Repositories) -> None:
    _, scope = await _bridge(repos, -1, -2)
    reminders = repos.reminders
    in_1, in_2 = await reminders.add_many([adhoc(NOW, chat_id=c, scope=scope, numbered=True) for c in (-1, -2)])
    claimed_1, own_1 = await reminders.add_many([adhoc(NOW - HOUR, scope=scope), adhoc(NOW, scope=C_1)])
    assert await reminders.claim(claimed_1.id, NOW, "p1")
    assert await reminders.cancel_for_chat(-1, scope) == 2  # pending and being sent, of that scope only
    assert await reminders.cancel_for_chat(-1, scope) == 0
    assert await reminders.cancel_for_chat(-2, C_1) == 0
    states = {r.id: r.state for r in [await reminders.get(i) for i in ids([in_1, in_2, claimed_1, own_1])] if r}
    assert states == {in_1.id: "cancelled", in_2.id: "pending", claimed_1.id: "cancelled", own_1.id: "pending"}

    # Finished (sent, cancelled, stopped) before an instant: when sent, else when created.
    real = datetime.now(UTC)
    sent_long_ago, sent_lately, failed = await reminders.add_many([adhoc(NOW - DAY) for _ in range(3)])
    for reminder in (sent_long_ago, sent_lately):
        assert await reminders.claim(reminder.id, NOW, "p1")
    await reminders.mark_sent(sent_long_ago.id, real - 10 * DAY, late=False)
    await reminders.mark_sent(sent_lately.id, real - MINUTE, late=False)
    await reminders.mark_failed(failed.id)
    assert await reminders.purge_finished(real - DAY) == 1  # the others were sent or made a moment ago
    assert await reminders.get(sent_long_ago.id) is None
    assert await reminders.purge_finished(real + DAY) == 4  # two cancelled, one sent, one failed
    left = [await reminders.get(i) for i in ids([in_1, in_2, claimed_1, own_1, sent_lately, failed])]
    assert [r.id for r in left if r is not None] == [in_2.id, own_1.id]  # pending ones are never purged
    assert await reminders.purge_finished(real + DAY) == 0
    with pytest.raises(ValueError):
        await reminders.purge_finished(datetime(2026, 12, 1, 12, 0))


# -- numbering and upcoming ---------------------------------------------------------------------------------


async def _bridge(repos: Repositories, chat_a: int, chat_b: int) -> tuple[int, Scope]:
    await make_chats(repos, chat_a, chat_b)
    bridge = await repos.bridges.link(chat_a, chat_b)
    return bridge.id, Scope.of(bridge.id, chat_a)


async def test_numbers_are_shared_by_fanned_out_rows_and_independent_per_scope(repos: Repositories) -> None:
    _, scope = await _bridge(repos, -1, -2)
    await make_chats(repos, -3)
    reminders = repos.reminders
    fanned = await reminders.add_many([adhoc(NOW, chat_id=c, scope=scope, numbered=True) for c in (-1, -2)])
    assert [(r.scope, r.number) for r in fanned] == [(scope, 1), (scope, 1)]
    lone = await reminders.add(adhoc(NOW, chat_id=-3, scope=C_3, numbered=True))
    assert lone.number == 1
    mixed = await reminders.add_many(
        [
            adhoc(NOW, chat_id=-1, scope=scope, numbered=True),
            NewReminder(scope=scope, chat_id=-1, kind="digest", due_at=NOW),  # not numbered
            NewReminder(scope=scope, chat_id=-2, kind="recurring", due_at=NOW, recurrence="daily", numbered=True),
            adhoc(NOW, chat_id=-3, scope=C_3, numbered=True),
        ]
    )
    assert [r.number for r in mixed] == [2, None, 2, 2]
    assert (await reminders.add(adhoc(NOW, chat_id=-3, scope=C_3, numbered=True))).number == 3


async def test_concurrent_user_reminders_get_distinct_numbers(db: Database) -> None:
    """Concurrent user reminders of one scope get distinct numbers, each shared by its own rows."""
    _, scope = await _bridge(repositories(db), -1, -2)
    reminders = ReminderRepository(db)
    for _ in range(2):  # numbers 1 and 2 taken
        await reminders.add_many([adhoc(NOW, chat_id=c, scope=scope, numbered=True) for c in (-1, -2)])
    calls = await asyncio.gather(
        *(
            reminders.add_many([adhoc(NOW, chat_id=c, scope=scope, numbered=True, text=str(n)) for c in (-1, -2)])
            for n in range(8)
        )
    )
    for rows in calls:
        assert len({r.number for r in rows}) == 1
    assert sorted(rows[0].number or 0 for rows in calls) == list(range(3, 11))


async def test_upcoming_lists_each_pending_user_reminder_once(repos: Repositories) -> None:
    _, scope = await _bridge(repos, -1, -2)
    reminders = repos.reminders

    async def user_reminder(due: datetime, *, quiet_shift: timedelta = timedelta(0)) -> list[Reminder]:
        return await reminders.add_many(
            [
                adhoc(due, chat_id=-1, scope=scope, numbered=True),
                adhoc(due + quiet_shift, chat_id=-2, scope=scope, nominal_at=due, numbered=True),
            ]
        )

    one = await user_reminder(NOW + 3 * DAY)
    two = await user_reminder(NOW + DAY, quiet_shift=-2 * HOUR)  # due earlier in chat -2
    three = await user_reminder(NOW + 2 * DAY)
    await reminders.add(adhoc(NOW, scope=scope))  # unnumbered: not listed
    await reminders.add(NewReminder(scope=scope, chat_id=-1, kind="digest", due_at=NOW))
    await reminders.add(adhoc(NOW, chat_id=-1, scope=C_1, numbered=True))  # another scope

    listed = await reminders.upcoming(scope)
    assert [(r.number, r.id) for r in listed] == [(2, two[1].id), (3, three[0].id), (1, one[0].id)]
    assert ids(await reminders.upcoming(scope, limit=2)) == [two[1].id, three[0].id]
    assert await reminders.upcoming(scope, limit=0) == []
    assert await reminders.upcoming(B999) == []

    assert await reminders.claim(two[1].id, NOW + DAY, "p1")  # being sent in chat -2: the other row is listed
    assert [(r.number, r.id) for r in await reminders.upcoming(scope)] == [
        (2, two[0].id),
        (3, three[0].id),
        (1, one[0].id),
    ]
    await reminders.cancel_number(scope, 3)
    assert [r.number for r in await reminders.upcoming(scope)] == [2, 1]
    assert [r.number for r in await reminders.upcoming(C_1)] == [1]


async def test_numbered_count_numbered_and_move_number(repos: Repositories) -> None:
    _, scope = await _bridge(repos, -1, -2)
    reminders = repos.reminders
    assert await reminders.count_numbered(scope) == 0
    assert await reminders.numbered(scope, 1) is None
    one = await reminders.add_many(
        [
            adhoc(NOW + HOUR, chat_id=-1, scope=scope, numbered=True),
            adhoc(NOW + 2 * HOUR, chat_id=-2, scope=scope, nominal_at=NOW + HOUR, numbered=True),  # quiet hours
        ]
    )
    two = await reminders.add_many(
        [
            NewReminder(scope=scope, chat_id=c, kind="recurring", due_at=NOW + DAY, recurrence="daily", numbered=True)
            for c in (-1, -2)
        ]
    )
    await reminders.add(adhoc(NOW, scope=scope))  # unnumbered
    await reminders.add(adhoc(NOW, chat_id=-1, scope=C_1, numbered=True))  # another scope's #1
    assert await reminders.count_numbered(scope) == 2  # each once, not per group
    assert await reminders.numbered(scope, 1) == one[0]  # its row due first
    assert await reminders.numbered(scope, 2) == two[0]
    assert await reminders.numbered(scope, 3) is None

    # Only a one-off's pending rows standing for ``was`` (to the second) move; the attempts start again.
    assert await reminders.move_number(scope, 2, NOW + DAY, NOW + 2 * DAY) == 0  # recurring: not a one-off
    assert await reminders.move_number(scope, 1, NOW + 2 * HOUR, NOW + 2 * DAY) == 0  # not what it stands for
    assert await reminders.retry_later(one[1].id, NOW + 2 * HOUR) == 1
    assert await reminders.claim(one[0].id, NOW + HOUR, "p1")  # being sent in -1: stays where it is
    later = (NOW + 3 * DAY).astimezone(JAKARTA)
    assert await reminders.move_number(scope, 1, NOW + HOUR + timedelta(milliseconds=500), later) == 1
    moved = await reminders.get(one[1].id)
    assert moved is not None and (moved.due_at, moved.nominal_at, moved.attempts) == (later, later, 0)
    assert moved.due_at.utcoffset() == timedelta(0) and moved.nominal_at.utcoffset() == timedelta(0)
    assert await reminders.move_number(scope, 1, NOW + HOUR, NOW + 4 * DAY) == 0  # moved meanwhile
    assert await reminders.numbered(scope, 1) == await reminders.get(one[0].id)  # being sent: still there
    with pytest.raises(ValueError):
        await reminders.move_number(scope, 1, datetime(2026, 12, 1, 12, 0), NOW)

    assert await reminders.cancel_number(scope, 1) is not None
    assert await reminders.numbered(scope, 1) is None
    assert await reminders.count_numbered(scope) == 1
    assert await reminders.count_numbered(C_1) == 1


async def test_find_returns_the_chats_reminder_of_a_kind(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    reminders = repos.reminders
    assert await reminders.find(-1, "digest") is None
    digest = await reminders.add(NewReminder(scope=C_1, chat_id=-1, kind="digest", due_at=NOW + DAY))
    await reminders.add(NewReminder(scope=C_2, chat_id=-2, kind="digest", due_at=NOW))
    await reminders.add(adhoc(NOW - DAY))
    assert await reminders.find(-1, "digest") == digest
    assert await reminders.find(-1, "overdue") is None
    assert await reminders.claim(digest.id, NOW + DAY, "p1")
    assert await reminders.find(-1, "digest") is None  # pending only, by default
    found = await reminders.find(-1, "digest", states=("pending", "claimed"))
    assert found is not None and found.id == digest.id
    with pytest.raises(ValueError):
        await reminders.find(-1, "weekly")


async def test_digest_work_finds_the_groups_to_plan_and_the_digests_to_cancel(repos: Repositories) -> None:
    """The groups with the digest on (a stored weekday, or no stored schedule: the defaults) and none pending
    or being sent; the digests of groups that turned it off. Inactive groups and private chats are left alone."""
    await make_chats(repos, *(chat_id for chat_id in range(-12, 0) if chat_id != -5))
    chats, settings, reminders = repos.chats, repos.reminder_settings, repos.reminders
    await repos.bridges.link(-2, -3)
    bridge = await repos.bridges.bridge_of(-2)
    assert bridge is not None
    await chats.ensure(-5, title="a person", type="private", default_language="en")  # no schedule: default on
    await chats.set_active(-6, False)
    await settings.set_digest(-2, 4, "17:00")
    await settings.set_quiet(-2, None, None)
    for off in (-4, -6, -7, -11):
        await settings.set_digest(off, None)
    await settings.set_quiet(-12, "22:00", "06:00")  # a stored schedule, the digest on by default

    def digest(chat_id: int, due_at: datetime = NOW + DAY) -> NewReminder:
        return NewReminder(scope=Scope.of(None, chat_id), chat_id=chat_id, kind="digest", due_at=due_at)

    # -3: pending; -8: being sent; -9: only sent and cancelled ones; -4: off, pending and claimed ones (and a
    # sent one, and a pending reminder of another kind); -6: off but inactive; -11: off, nothing pending.
    _, _, claimed_8, sent_9, cancelled_9, off_4, off_4_claimed, sent_4, _, _ = await reminders.add_many(
        [
            digest(-3),
            digest(-6),
            digest(-8, NOW),
            digest(-9, NOW - DAY),
            digest(-9),
            digest(-4, NOW + 2 * DAY),
            digest(-4, NOW - HOUR),
            digest(-4, NOW - DAY),
            adhoc(NOW, chat_id=-4, scope=Scope.of(None, -4)),
            adhoc(NOW, chat_id=-10, scope=Scope.of(None, -10)),
        ]
    )
    assert await reminders.claim(claimed_8.id, NOW, "p1")
    assert await reminders.claim(off_4_claimed.id, NOW, "p1")
    assert await reminders.claim(sent_9.id, NOW, "p1")
    await reminders.mark_sent(sent_9.id, NOW, late=False)
    await reminders.mark_sent(sent_4.id, NOW, late=False)
    assert await reminders.cancel(cancelled_9.id)

    work = await reminders.digest_work()
    by_chat = {plan.chat.id: plan for plan in work.to_plan}
    assert list(by_chat) == [-12, -10, -9, -2, -1]  # chat id order
    assert by_chat[-1].schedule == ChatSchedule(chat_id=-1)  # no stored schedule: the defaults
    assert by_chat[-1].bridge_id is None and by_chat[-1].scope == C_1
    assert by_chat[-1].chat == await chats.get(-1)
    assert by_chat[-2].schedule == ChatSchedule(
        chat_id=-2, quiet_start=None, quiet_end=None, digest_weekday=4, digest_time="17:00"
    )
    assert by_chat[-2].bridge_id == bridge.id and by_chat[-2].scope == Scope.of(bridge.id, -2)
    assert by_chat[-12].schedule == ChatSchedule(chat_id=-12, quiet_start="22:00", quiet_end="06:00")
    assert [r.id for r in work.to_cancel] == [off_4_claimed.id, off_4.id]  # due first
    assert {r.state for r in work.to_cancel} == {"pending", "claimed"}

    assert await reminders.cancel_many([r.id for r in work.to_cancel] + [sent_4.id]) == 2
    await reminders.add_many([digest(plan.chat.id) for plan in work.to_plan])
    assert await reminders.digest_work() == DigestWork()
    await settings.set_digest(-1, None)  # turned off: its new digest is to be cancelled
    await chats.set_active(-2, False)  # inactive: left as it is
    again = await reminders.digest_work()
    assert again.to_plan == () and [r.chat_id for r in again.to_cancel] == [-1]
    assert await reminders.cancel_many([]) == 0


async def test_digest_work_reads_with_two_queries_whatever_the_number_of_groups(db: Database) -> None:
    """One query each: the groups to plan, the digests to cancel (the per-minute sweep runs this)."""
    repos = repositories(db)
    await make_chats(repos, *range(-8, 0))
    await repos.chats.ensure(-9, title="a person", type="private", default_language="en")
    await repos.chats.set_active(-7, False)
    await repos.bridges.link(-4, -5)
    settings, reminders = ReminderSettingsRepository(db), ReminderRepository(db)
    for off in (-2, -3):
        await settings.set_digest(off, None)
    await settings.set_quiet(-6, "22:00", "06:00")
    await reminders.add_many(
        [
            NewReminder(scope=Scope.of(None, chat_id), chat_id=chat_id, kind="digest", due_at=NOW + DAY)
            for chat_id in (-1, -2)
        ]
    )
    with captured_sql(db) as statements:
        work = await reminders.digest_work()
    assert len(statements) == 2, statements  # one query each, whatever the number of groups
    assert [plan.chat.id for plan in work.to_plan] == [-8, -6, -5, -4]
    assert [plan.bridge_id for plan in work.to_plan] == [None, None, 1, 1]
    assert [r.chat_id for r in work.to_cancel] == [-2]


async def test_digest_work_looks_reminders_up_by_chat_never_by_walking_them(sqlite_url: str) -> None:
    """SQLite's EXPLAIN QUERY PLAN of digest_work's two queries: the reminders are found through the index on
    (chat, kind, state), never by scanning the pending ones (there are a hundred thousand in a network)."""
    database = Database(sqlite_url)
    try:
        await database.upgrade()
        await make_chats(repositories(database), -1, -2)
        await ReminderSettingsRepository(database).set_digest(-2, None)
        reminders = ReminderRepository(database)
        await reminders.add_many([adhoc(NOW + n * MINUTE) for n in range(50)])
        with captured_sql(database) as statements:
            await reminders.digest_work()
        assert len(statements) == 2
        plans = []
        async with database.engine.connect() as conn:
            for statement, parameters in statements:
                rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                plans.append(" | ".join(str(row[-1]) for row in rows))
    finally:
        await database.dispose()
    for plan in plans:
        assert "ix_reminders_chat_kind_state_due" in plan, plan
        assert "SCAN reminders" not in plan and "ix_reminders_state_due" not in plan, plan


async def test_ids_are_not_reused_and_reminders_go_with_their_chat(db: Database) -> None:
    await make_chats(repositories(db), -1, -2)
    reminders = ReminderRepository(db)
    kept, last = await reminders.add_many([adhoc(NOW, chat_id=-1), adhoc(NOW, chat_id=-2)])
    async with db.session() as session:
        await session.execute(delete(ReminderRow).where(ReminderRow.id == last.id))
    again = await reminders.add(adhoc(NOW, chat_id=-2))
    assert again.id > last.id  # a button or job naming the deleted id can never reach this one
    async with db.engine.begin() as conn:
        await conn.execute(text("DELETE FROM chats WHERE id = -2"))
    assert await reminders.get(again.id) is None
    assert await reminders.get(kept.id) == kept


# -- settings --------------------------------------------------------------------------------------------------


async def test_reminder_settings_defaults_round_trip_and_validation(repos: Repositories) -> None:
    settings = repos.reminder_settings
    assert await settings.get(B1) == ReminderSettings(scope=B1, lead_seconds=(86400, 0), overdue=True)

    changed = await settings.set_lead(B1, [0, 3600, 7 * 86400, 3600])
    assert changed == ReminderSettings(scope=B1, lead_seconds=(7 * 86400, 3600, 0), overdue=True)
    assert await settings.get(B1) == changed
    assert await settings.set_overdue(B1, False) == replace(changed, overdue=False)
    assert await settings.get(B1) == replace(changed, overdue=False)
    assert await settings.set_lead(B1, []) == ReminderSettings(scope=B1, lead_seconds=(), overdue=False)
    assert await settings.set_lead(B1, [REMINDER_LEAD_SECONDS_MAX, 5, 4, 3, 2, 2]) == ReminderSettings(
        scope=B1, lead_seconds=(REMINDER_LEAD_SECONDS_MAX, 5, 4, 3, 2), overdue=False
    )
    assert await settings.get(B2) == ReminderSettings(scope=B2)  # per scope
    assert await settings.set_overdue(C_5, False) == ReminderSettings(scope=C_5, overdue=False)

    for bad in ([-1], [REMINDER_LEAD_SECONDS_MAX + 1], [1, 2, 3, 4, 5, 6], [True], [1.5]):
        with pytest.raises(ValueError):
            await settings.set_lead(B1, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await settings.set_lead(B1, "0")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await settings.set_overdue("", True)  # type: ignore[arg-type]
    assert (await settings.get(B1)).lead_seconds == (REMINDER_LEAD_SECONDS_MAX, 5, 4, 3, 2)


def test_hh_mm() -> None:
    assert hh_mm("7:05") == "07:05"
    assert hh_mm(" 21:00 ") == "21:00"
    assert hh_mm("00:00") == "00:00"
    assert hh_mm("23:59") == "23:59"
    for bad in ("24:00", "7", "07:60", "7:5", "07:00:00", "", "ab:cd", "٠٧:٠٠"):
        with pytest.raises(ValueError):
            hh_mm(bad)


async def test_chat_schedule_defaults_round_trip_and_validation(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    settings = repos.reminder_settings
    assert await settings.schedule(-1) == ChatSchedule(
        chat_id=-1, quiet_start="21:00", quiet_end="07:00", digest_weekday=0, digest_time="08:00"
    )
    quiet = await settings.set_quiet(-1, "22:30", "6:00")
    assert quiet == ChatSchedule(chat_id=-1, quiet_start="22:30", quiet_end="06:00")
    assert await settings.schedule(-1) == quiet
    assert await settings.set_digest(-1, 4, "17:00") == replace(quiet, digest_weekday=4, digest_time="17:00")
    assert await settings.set_digest(-1, None) == replace(quiet, digest_weekday=None, digest_time="17:00")
    assert await settings.set_digest(-1, 6) == replace(quiet, digest_weekday=6, digest_time="17:00")
    no_quiet = await settings.set_quiet(-1, None, "07:00")
    assert (no_quiet.quiet_start, no_quiet.quiet_end, no_quiet.digest_weekday) == (None, None, 6)
    assert await settings.schedule(-1) == no_quiet
    assert await settings.set_digest(-2, None) == ChatSchedule(chat_id=-2, digest_weekday=None)

    for start, end in (("24:00", "07:00"), ("21:00", "7"), ("21:00", None), ("08:00", "8:00")):
        with pytest.raises(ValueError):
            await settings.set_quiet(-1, start, end)
    for weekday, at in ((7, None), (-1, None), (1, "8"), (True, None)):
        with pytest.raises(ValueError):
            await settings.set_digest(-1, weekday, at)
    with pytest.raises(LookupError):
        await settings.set_quiet(-999, "21:00", "07:00")
    with pytest.raises(LookupError):
        await settings.set_digest(-999, 1)
    assert await settings.schedule(-999) == ChatSchedule(chat_id=-999)
    assert await settings.schedule(-1) == no_quiet


# -- migration 0004 ------------------------------------------------------------------------------------------

REMINDER_TABLES = {"reminders", "reminder_counters", "reminder_settings", "chat_schedules"}


def _ours(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name in REMINDER_TABLES


def _ours_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return _ours(name, type_)


def _schema_drift(conn: Connection) -> list[Any]:
    """Differences between the models and the database, for the tables of this feature."""
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": _ours, "include_object": _ours_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _shape(conn: Connection) -> dict[str, Any]:
    inspector = inspect(conn)
    return {
        "tables": set(inspector.get_table_names()),
        "reminders": {c["name"] for c in inspector.get_columns("reminders")},
        "indexes": {i["name"] for i in inspector.get_indexes("reminders")},
    }


async def _counts(conn: Any, tables: tuple[str, ...]) -> dict[str, int]:
    return {table: (await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one() for table in tables}


async def test_migration_0004_downgrades_and_upgrades_again(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []
        shape = await conn.run_sync(_shape)
    assert REMINDER_TABLES <= shape["tables"]
    assert {"ix_reminders_state_due", "ix_reminders_chat_kind_state_due"} <= shape["indexes"]

    bridge_id, scope = await _bridge(repositories(db), -1, -2)
    item = await ActionRepository(db).create(scope=scope, bridge_id=bridge_id, chat_id=-1, title="MoU", language="en")
    reminders = ReminderRepository(db)
    await reminders.add_many([adhoc(NOW, chat_id=c, scope=scope, numbered=True) for c in (-1, -2)])
    await reminders.add(NewReminder(scope=scope, chat_id=-1, kind="due", due_at=NOW, action_item_id=item.id))
    settings = ReminderSettingsRepository(db)
    await settings.set_lead(scope, [3600])
    await settings.set_quiet(-1, "22:00", "06:00")
    others = ("chats", "bridges", "bridge_members", "action_items", "action_counters")
    async with db.engine.connect() as conn:
        before = await _counts(conn, others)

    await downgrade(db.engine, "0003")
    assert await current_revision(db.engine) == "0003"
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) != []  # the check sees the difference
        shape = await conn.run_sync(_shape)
        after = await _counts(conn, (*others, "reminders"))
    assert not {"reminder_counters", "reminder_settings", "chat_schedules"} & shape["tables"]
    assert not {"scope", "number", "nominal_at", "late", "claimed_by"} & shape["reminders"]
    assert shape["indexes"] == {"ix_reminders_chat_id", "ix_reminders_state_due"}
    assert after == {**before, "reminders": 0}  # the reminders are discarded, nothing else

    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []
        assert await _counts(conn, others) == before
    again = await reminders.add(adhoc(NOW, chat_id=-1, scope=scope, numbered=True))
    assert again.number == 1  # the counters went with the reminders
    assert await settings.get(scope) == ReminderSettings(scope=scope)
    assert await settings.schedule(-1) == ChatSchedule(chat_id=-1)
    assert [i.title for i in await ActionRepository(db).list(scope)] == ["MoU"]
