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
from bot.language.catalog import Catalog
from bot.ops.cluster import AlreadyRunning, PostgresCluster, SoloCluster, make_cluster
from bot.relay.delivery import Delivery
from bot.relay.rendering import Renderer
from bot.relay.service import InboundMessage
from bot.translation.service import TranslationService
from storage.chats import ChatRepository
from storage.cluster import LeaseRepository
from storage.db import Database
from storage.inbox import InboxRepository
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository
from storage.repositories import repositories
from tests.fakes.telegram import FakeTelegram, FakeTranslator
from tests.kit import eventually

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


# -- the delivery fence --------------------------------------------------------------------------------

SOURCE, DESTINATION = -1, -2


class HeldTelegram(FakeTelegram):
    """Telegram that holds the send of one text until ``let_go`` is set: that job is in flight for as long."""

    def __init__(self, hold: str) -> None:
        super().__init__()
        self.hold = hold
        self.holding = asyncio.Event()
        self.let_go = asyncio.Event()

    async def send_text(self, chat_id: int, html: str, *, reply_to: int | None = None, buttons: object = None) -> int:
        if self.hold in html and not self.let_go.is_set():
            self.holding.set()
            await self.let_go.wait()
        return await super().send_text(chat_id, html, reply_to=reply_to)


def deliverer(db: Database, cluster: PostgresCluster, telegram: FakeTelegram, catalog: Catalog) -> Delivery:
    """One instance's delivery, on its own repositories (its own outbox and group commit)."""
    repos = repositories(db)

    async def nothing(*_: object) -> None:
        return None

    return Delivery(
        outbox=repos.outbox,
        links=repos.message_links,
        chats=repos.chats,
        translations=TranslationService(FakeTranslator(), repos.translation_cache, repos.glossary, None),
        renderer=Renderer(catalog),
        sender=telegram,
        on_gone=nothing,
        on_migrated=nothing,
        max_backoff=0.1,
        leases=repos.leases,
        live=cluster.live,
    )


async def relay_jobs(db: Database, *numbers: int) -> None:
    chats = ChatRepository(db)
    for chat_id in (SOURCE, DESTINATION):
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="id")
    jobs = []
    for n in numbers:
        message = InboundMessage(
            SOURCE, n, 7, "Ani", "Surabaya", "id", f"pesan-{n} halo", None, None, None, 0, 1_700_000_000
        )
        jobs.append(NewRelayJob(1, SOURCE, n, DESTINATION, 0, message.to_payload()))
    await OutboxRepository(db).enqueue(jobs)


def sent(telegram: FakeTelegram) -> list[int]:
    return [int(text.split("pesan-")[1].split()[0]) for text in telegram.texts(DESTINATION) if "pesan-" in text]


async def test_an_instance_taken_for_gone_sends_at_most_the_job_in_flight_after_the_takeover(
    pg: Database, pg_url: str, catalog: Catalog
) -> None:
    """A loses its coordination connection while it sends job 3 of 6: B takes the chat over and sends 3 to
    6; A's completion of 3 is refused and A sends nothing more (before the fence it went on with its batch)."""
    a, b = await _instances(pg, 2)
    other_db = Database(pg_url)
    held, fresh = HeldTelegram(hold="pesan-3"), FakeTelegram()
    first, second = deliverer(pg, a, held, catalog), deliverer(other_db, b, fresh, catalog)
    try:
        await relay_jobs(pg, *range(1, 7))
        first.notify(DESTINATION)
        await asyncio.wait_for(held.holding.wait(), 10)  # jobs 1 and 2 done, 3 in flight
        assert sent(held) == [1, 2]
        await a.stop()  # A's locks are gone: for the others, A is gone (A itself still runs)
        assert await second.resume() == 1
        await fresh.wait_for(lambda: sent(fresh) == [3, 4, 5, 6], timeout=10)
        held.let_go.set()  # A's send of job 3 goes through, late

        async def settled() -> bool:  # A stopped, or sent more than the job in flight
            return not first.busy or 4 in sent(held)

        await eventually(settled, timeout=10)
        assert sent(held) == [1, 2, 3]  # job 3 twice, nothing after it
        assert not first.busy
        outbox = OutboxRepository(pg)
        assert await outbox.counts() == {"pending": 0, "done": 6, "failed": 0}
        assert await LeaseRepository(pg).held(b.live) == [DESTINATION]
    finally:
        await first.stop()
        await second.stop()
        for cluster in (a, b):
            await cluster.stop()
        await other_db.dispose()


async def test_a_worker_whose_lease_was_taken_while_it_waited_sends_nothing(
    pg: Database, pg_url: str, catalog: Catalog
) -> None:
    """A delivered job 1 and waits for more, holding the lease; it is taken for gone and B takes the chat
    over. Told of job 2 (as A would be by its own intake), A reads the lease first and stops: B sends 2."""
    a, b = await _instances(pg, 2)
    other_db = Database(pg_url)
    late, fresh = FakeTelegram(), FakeTelegram()
    first, second = deliverer(pg, a, late, catalog), deliverer(other_db, b, fresh, catalog)
    try:
        await relay_jobs(pg, 1)
        first.notify(DESTINATION)
        await late.wait_for(lambda: sent(late) == [1], timeout=10)
        await a.stop()
        assert await LeaseRepository(pg).acquire(DESTINATION, b.live)  # B takes over the gone instance's lease
        await relay_jobs(pg, 2)
        first.notify(DESTINATION)

        async def settled() -> bool:  # A stopped, or sent job 2
            return not first.busy or 2 in sent(late)

        await eventually(settled, timeout=10)
        assert sent(late) == [1]
        assert not first.busy
        assert await second.resume() == 1
        await fresh.wait_for(lambda: sent(fresh) == [2], timeout=10)
    finally:
        await first.stop()
        await second.stop()
        for cluster in (a, b):
            await cluster.stop()
        await other_db.dispose()
