"""Several instances on one database, in one process: each PostgresCluster holds its own coordination
connection, so stopping one is, for the database, exactly an instance that died (its locks are gone)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.records import InboxItem, NewRelayJob, NewReminder, Scope
from bot.ops.cluster import AlreadyRunning, PostgresCluster, SoloCluster, make_cluster
from storage.chats import ChatRepository
from storage.cluster import LeaseRepository
from storage.db import Database
from storage.inbox import InboxRepository
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[Database]:
    db = Database(pg_url)
    await db.upgrade()
    try:
        yield db
    finally:
        await db.dispose()


async def _instances(db: Database, count: int) -> list[PostgresCluster]:
    clusters = [PostgresCluster(db.url) for _ in range(count)]
    for cluster in clusters:
        await cluster.start()
    return clusters


async def test_one_deliverer_per_destination_and_a_gone_ones_leases_are_taken_over(pg: Database) -> None:
    a, b = await _instances(pg, 2)
    leases = LeaseRepository(pg)
    try:
        assert sorted(await leases.live_instances()) == sorted([a.live.me, b.live.me])
        assert await leases.acquire(-100, a.live)
        assert await leases.acquire(-100, a.live)  # kept by its holder
        assert not await leases.acquire(-100, b.live)  # a live holder keeps it
        assert await leases.acquire(-200, b.live)
        await leases.release(-100, b.live)  # not b's to release
        assert not await leases.acquire(-100, b.live)
        await a.stop()  # a dies: its locks go with its connection
        assert await leases.live_instances() == [b.live.me]
        assert await leases.acquire(-100, b.live)
        assert sorted(await leases.held(b.live)) == [-200, -100]
        await leases.release(-100, b.live)
        assert await leases.held(b.live) == [-200]
    finally:
        for cluster in (a, b):
            await cluster.stop()


async def test_exactly_one_leads_and_a_standby_takes_over(pg: Database) -> None:
    a, b, c = await _instances(pg, 3)
    try:
        assert [await x.try_lead() for x in (a, b, c)] == [True, False, False]
        assert await a.try_lead()  # still leading (and not locked twice)
        await a.stop()
        assert [await x.try_lead() for x in (b, c)] == [True, False]
        assert b.leading and not c.leading
    finally:
        for cluster in (a, b, c):
            await cluster.stop()


async def test_updates_and_reminders_of_a_gone_instance_are_adopted(pg: Database) -> None:
    a, b = await _instances(pg, 2)
    inbox = InboxRepository(pg)
    try:
        await inbox.store([InboxItem(1, -5, {"update_id": 1}), InboxItem(2, -5, {"update_id": 2})], a.live.me)
        await inbox.store([InboxItem(3, -6, {"update_id": 3})], b.live.me)
        assert await inbox.start([1]) == {1}  # a was running update 1 when it died
        assert await inbox.adopt(b.live) == (0, [])  # a is alive: nothing to adopt
        await a.stop()
        abandoned, items = await inbox.adopt(b.live)
        assert abandoned == 1 and [item.update_id for item in items] == [2]  # never 1 again, never b's own 3
        assert await inbox.adopt(b.live) == (0, [])
        assert (await inbox.counts())["abandoned"] == 1

        chat = await ChatRepository(pg).ensure(-5, title="Surabaya", type="group", default_language="id")
        reminders = ReminderRepository(pg)
        added = await reminders.add(
            NewReminder(scope=Scope.of(None, chat.id), chat_id=chat.id, kind="adhoc", due_at=NOW, text="x")
        )
        assert await reminders.claim(added.id, NOW + timedelta(minutes=1), "12345")  # an instance never seen
        assert await reminders.release_gone(b.live) == 1
        assert await reminders.claim(added.id, NOW + timedelta(minutes=1), b.live.me)
        assert await reminders.release_gone(b.live) == 0  # b is alive: its claim stays
    finally:
        for cluster in (a, b):
            await cluster.stop()


async def test_new_jobs_wake_the_other_instances_and_orphans_are_found(pg: Database) -> None:
    a, b = await _instances(pg, 2)
    heard: list[list[int]] = []
    arrived = asyncio.Event()

    def hear(destinations: list[int]) -> None:
        heard.append(destinations)
        arrived.set()

    b.on_jobs(hear)
    outbox, leases = OutboxRepository(pg), LeaseRepository(pg)
    try:
        job = NewRelayJob(bridge_id=1, src_chat_id=-1, src_message_id=7, dst_chat_id=-2, version=0, payload={})
        await outbox.enqueue([job, dataclasses.replace(job, dst_chat_id=-3)])
        await asyncio.wait_for(arrived.wait(), 5)
        assert sorted(heard[0]) == [-3, -2]
        assert await leases.acquire(-2, a.live)
        assert await outbox.pending_destinations(b.live) == [-3]  # -2 is a's, and a is alive
        assert await outbox.pending_destinations(a.live) == [-2, -3]
        await a.stop()
        assert await outbox.pending_destinations(b.live) == [-2, -3]
    finally:
        for cluster in (a, b):
            await cluster.stop()


async def test_a_second_instance_on_one_sqlite_file_refuses_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{(tmp_path / 'kembar.db').as_posix()}"
    first, second = SoloCluster(url), make_cluster(Database(url))
    assert isinstance(second, SoloCluster)
    await first.start()
    try:
        with pytest.raises(AlreadyRunning) as refused:
            await second.start()
        assert "\n" not in str(refused.value) and "several instances need PostgreSQL" in str(refused.value)
        assert refused.value.variable == "DATABASE_URL"
    finally:
        await first.stop()
    await second.start()  # once the first is gone, it may run
    assert second.leading
    await second.stop()


async def test_instances_starting_together_migrate_one_after_the_other(pg_url: str) -> None:
    from storage.migrate import current_revision, head_revision

    databases = [Database(pg_url) for _ in range(3)]
    try:
        # Without the migration lock, concurrent DDL transactions wait on each other for good.
        await asyncio.wait_for(asyncio.gather(*(db.upgrade() for db in databases)), 60)
        assert await current_revision(databases[0].engine) == head_revision()
    finally:
        for db in databases:
            await db.dispose()
