"""Relay storage on SQLite and PostgreSQL: message links, the outbox, the inbox and the delivery leases (and
migration 0002). The tests that take ``repos`` run in memory too (tests/fakes/relay.py): they are the
contract the fakes keep; the ones on ``db`` look at the database itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, inspect, text, update

from bot.domain.records import InboxItem, Liveness, MessageLink, NewRelayJob
from bot.domain.repositories import Repositories
from storage.chats import ChatRepository
from storage.db import Database
from storage.messagelinks import MessageLinkRepository
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import ChatRow, utcnow
from storage.outbox import OutboxRepository
from tests.fakes.memory import Memory


async def make_chats(db: Database, *ids: int) -> None:
    chats = ChatRepository(db)
    for chat_id in ids:
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="en")


# -- message links -------------------------------------------------------------------------------------


async def test_message_links_resolve_replies_in_every_direction(repos: Repositories) -> None:
    links = repos.message_links
    # Message 10 in A was relayed to B (as 110) and to C (as 210, split into 210 and 211).
    copies = [MessageLink(-1, 10, -2, 110), MessageLink(-1, 10, -3, 211), MessageLink(-1, 10, -3, 210)]
    await links.add_many(copies)
    await links.add_many(copies)  # idempotent
    await links.add_many(iter([MessageLink(-1, 10, -2, 110)]))
    await links.add_many([])
    assert await links.copies_of(-1, 10) == [  # by destination chat id, then message id
        MessageLink(-1, 10, -3, 210),
        MessageLink(-1, 10, -3, 211),
        MessageLink(-1, 10, -2, 110),
    ]
    assert await links.copies_of(-1, 11) == []

    # original → its copy (the first part of a split copy)
    assert await links.resolve_reply(-1, 10, -2) == 110
    assert await links.resolve_reply(-1, 10, -3) == 210
    # copy → original
    assert await links.resolve_reply(-2, 110, -1) == 10
    assert await links.resolve_reply(-3, 211, -1) == 10
    # copy → the other chat's copy
    assert await links.resolve_reply(-2, 110, -3) == 210
    assert await links.resolve_reply(-3, 211, -2) == 110
    # unknown: never relayed, or not relayed to that chat
    assert await links.resolve_reply(-1, 99, -2) is None
    assert await links.resolve_reply(-2, 110, -4) is None
    assert await links.resolve_reply(-4, 5, -1) is None
    # a message of the destination chat itself
    assert await links.resolve_reply(-2, 110, -2) == 110


async def test_message_links_are_forgotten_by_age(repos: Repositories) -> None:
    links = repos.message_links
    await links.add_many([MessageLink(-1, 10, -2, 110), MessageLink(-1, 10, -2, 111), MessageLink(-2, 5, -1, 6)])
    assert await links.purge_older(datetime.now(UTC) - timedelta(minutes=1)) == 0
    assert len(await links.copies_of(-1, 10)) == 2
    assert await links.purge_older(datetime.now(UTC) + timedelta(seconds=1)) == 3
    assert await links.copies_of(-1, 10) == []
    assert await links.resolve_reply(-1, 10, -2) is None  # relayed without threading from now on
    assert await links.resolve_reply(-1, 6, -2) is None
    assert await links.purge_older(datetime.now(UTC) + timedelta(seconds=1)) == 0
    await links.add_many([MessageLink(-1, 10, -2, 111)])  # stored again after it was forgotten
    assert await links.resolve_reply(-1, 10, -2) == 111


async def test_message_link_queries_use_indexes(sqlite_url: str) -> None:
    """SQLite's EXPLAIN QUERY PLAN shows the lookups in both directions use an index."""
    db = Database(sqlite_url)
    await db.upgrade()
    async with db.engine.connect() as conn:
        by_dst = " ".join(
            str(row[-1])
            for row in await conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT src_chat_id FROM message_links WHERE dst_chat_id=1 AND dst_message_id=2"
                )
            )
        )
        by_src = " ".join(
            str(row[-1])
            for row in await conn.execute(
                text(
                    "EXPLAIN QUERY PLAN SELECT min(dst_message_id) FROM message_links"
                    " WHERE src_chat_id=1 AND src_message_id=2 AND dst_chat_id=3"
                )
            )
        )
    await db.dispose()
    assert "ix_message_links_dst" in by_dst
    assert "INDEX" in by_src.upper() and "SCAN message_links" not in by_src


# -- outbox --------------------------------------------------------------------------------------------


def job(dst: int, src_message: int = 10, version: int = 0, **payload: object) -> NewRelayJob:
    return NewRelayJob(
        bridge_id=1,
        src_chat_id=-1,
        src_message_id=src_message,
        dst_chat_id=dst,
        version=version,
        payload={"text": "Halo", **payload},
    )


async def test_outbox_enqueue_is_ordered_and_idempotent(repos: Repositories) -> None:
    outbox = repos.outbox
    first = await outbox.enqueue([job(-2), job(-3), job(-4)])
    assert [j.dst_chat_id for j in first] == [-2, -3, -4]
    assert first[0].id < first[1].id < first[2].id
    assert {(j.state, j.attempts, j.version, j.bridge_id) for j in first} == {("pending", 0, 0, 1)}
    assert first[0].payload == {"text": "Halo"} and first[0].created_at.utcoffset() == timedelta(0)

    # A redelivered update: nothing new, the stored jobs come back (their payload is not replaced).
    again = await outbox.enqueue([job(-2, text="other"), job(-3), job(-4)])
    assert again == first
    # Partly new: the new job is added after the existing ones; duplicates in the list collapse.
    mixed = await outbox.enqueue([job(-2), job(-5), job(-5)])
    assert len(mixed) == 2 and mixed[0] == first[0] and mixed[1].id > first[2].id
    # An edit is a new version of the same message.
    edit = await outbox.enqueue([job(-2, version=1_767_000_000, text="Halo!")])
    assert edit[0].version == 1_767_000_000 and edit[0].id > mixed[1].id
    assert await outbox.enqueue([]) == []
    pending = await outbox.pending()
    assert [j.id for j in pending] == sorted(j.id for j in pending)
    assert len(pending) == 5

    # Without reading back (the relay's batches): stored all the same, still idempotent.
    assert await outbox.enqueue([job(-6), job(-2), job(-6)], read_back=False) == []
    pending = await outbox.pending()
    assert len(pending) == 6 and pending[-1].dst_chat_id == -6 and pending[-1].id > edit[0].id


async def test_outbox_payload_round_trips_json(repos: Repositories) -> None:
    outbox = repos.outbox
    entities = [{"type": "bold", "offset": 0, "length": 2}]
    [stored] = await outbox.enqueue([job(-2, text="서울 — Surabaya 🌉", entities=entities, n=None)])
    [loaded] = await outbox.pending(-2)
    assert loaded.payload == stored.payload == {"text": "서울 — Surabaya 🌉", "entities": entities, "n": None}


async def test_outbox_pending_per_destination_and_states(repos: Repositories) -> None:
    outbox = repos.outbox
    jobs = await outbox.enqueue([job(-3, 10), job(-2, 10)])
    jobs += await outbox.enqueue([job(-3, 11), job(-2, 11)])
    jobs += await outbox.enqueue([job(-4, 12)])
    assert [(j.dst_chat_id, j.src_message_id) for j in await outbox.pending(-2)] == [(-2, 10), (-2, 11)]
    assert [j.src_message_id for j in await outbox.pending(-3, limit=1)] == [10]
    assert len(await outbox.pending(limit=3)) == 3
    assert await outbox.pending_destinations() == [-3, -2, -4]
    assert await outbox.counts() == {"pending": 5, "done": 0, "failed": 0}

    assert await outbox.record_attempt(jobs[1].id, "timeout") == 1
    assert await outbox.record_attempt(jobs[1].id, "network down") == 2
    retried = (await outbox.pending(-2))[0]
    assert (retried.attempts, retried.last_error, retried.state) == (2, "network down", "pending")

    await outbox.complete(jobs[1].id)
    await outbox.mark_failed(jobs[0].id, "Bad Request: can't parse entities")
    assert [j.src_message_id for j in await outbox.pending(-2)] == [11]
    assert [j.src_message_id for j in await outbox.pending(-3)] == [11]
    done = await outbox.get(jobs[1].id)
    assert done is not None and done.state == "done" and done.done_at is not None
    failed = await outbox.get(jobs[0].id)
    assert failed is not None and (failed.state, failed.last_error) == ("failed", "Bad Request: can't parse entities")

    assert await outbox.fail_pending_for(-2, "Forbidden: bot was kicked") == 1
    assert await outbox.fail_pending_for(-2, "again") == 0
    assert await outbox.pending(-2) == []
    assert await outbox.pending_destinations() == [-3, -4]
    assert await outbox.counts() == {"pending": 2, "done": 1, "failed": 2}

    with pytest.raises(LookupError):
        await outbox.record_attempt(10_000, "x")
    assert await outbox.purge_finished(utcnow() + timedelta(seconds=1)) == 3
    assert await outbox.counts() == {"pending": 2, "done": 0, "failed": 0}


async def test_concurrent_enqueue_of_the_same_update_stores_it_once(repos: Repositories) -> None:
    outbox = repos.outbox
    batch = [job(-2), job(-3)]
    results = await asyncio.gather(*(outbox.enqueue(batch) for _ in range(4)))
    assert all(r == results[0] for r in results)
    assert (await outbox.counts())["pending"] == 2


async def test_outbox_enqueue_of_a_large_batch_keeps_list_order(repos: Repositories) -> None:
    """One getUpdates response is stored in one call: hundreds of jobs, ids in list order."""
    outbox = repos.outbox
    jobs = [job(-2 - (n % 3), 1000 - n) for n in range(450)]  # message ids descending: order is the list's
    stored = await outbox.enqueue(jobs)
    assert [(j.dst_chat_id, j.src_message_id) for j in stored] == [(j.dst_chat_id, j.src_message_id) for j in jobs]
    assert [j.id for j in stored] == sorted(j.id for j in stored)
    again = await outbox.enqueue([*jobs[100:], job(-9, 1)])  # redelivered, plus one new
    assert again[:-1] == stored[100:] and again[-1].id > stored[-1].id
    assert (await outbox.counts())["pending"] == 451


async def test_complete_stores_links_and_marks_done_in_one_transaction(repos: Repositories) -> None:
    outbox = repos.outbox
    links = repos.message_links
    [first] = await outbox.enqueue([job(-2, 10)])
    await outbox.complete(first.id, [MessageLink(-1, 10, -2, 500), MessageLink(-1, 10, -2, 501)])
    done = await outbox.get(first.id)
    assert done is not None and done.state == "done" and done.done_at is not None
    assert await links.resolve_reply(-1, 10, -2) == 500
    # An unknown job: the links of that transaction are rolled back with it.
    with pytest.raises(LookupError):
        await outbox.complete(10_000, [MessageLink(-1, 77, -2, 900)])
    assert await links.resolve_reply(-1, 77, -2) is None
    # done_at is stored as every other instant is: purging by age finds the job.
    assert await outbox.purge_finished(done.done_at - timedelta(seconds=1)) == 0
    assert await outbox.purge_finished(utcnow() + timedelta(seconds=1)) == 1


async def test_concurrent_completions_share_transactions_and_fail_alone(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Destinations finishing sends at once are recorded together; an unknown job fails on its own."""
    outbox = OutboxRepository(db)
    links = MessageLinkRepository(db)
    jobs = await outbox.enqueue([job(-2 - n, 10) for n in range(12)])
    transactions = 0
    original = OutboxRepository._complete_many

    async def counting(
        self: OutboxRepository, items: list[tuple[int, tuple[MessageLink, ...], str | None]]
    ) -> tuple[set[int], set[int]]:
        nonlocal transactions
        transactions += 1
        return await original(self, items)

    monkeypatch.setattr(OutboxRepository, "_complete_many", counting)
    results = await asyncio.gather(
        *(outbox.complete(j.id, [MessageLink(-1, 10, j.dst_chat_id, 700 + n)]) for n, j in enumerate(jobs)),
        outbox.complete(99_999, [MessageLink(-1, 77, -2, 999)]),
        return_exceptions=True,
    )
    assert results[:-1] == [True] * 12
    assert isinstance(results[-1], LookupError)
    assert transactions <= 2  # the first alone, the rest (queued meanwhile) together
    assert (await outbox.counts())["done"] == 12
    assert [await links.resolve_reply(-1, 10, j.dst_chat_id) for j in jobs] == list(range(700, 712))
    assert await links.resolve_reply(-1, 77, -2) is None  # the unknown job's links were not stored
    await outbox.drain()


async def test_concurrent_completions_are_all_recorded_and_an_unknown_one_fails_alone(repos: Repositories) -> None:
    """What the group commit above promises, as any outbox keeps it."""
    outbox, links = repos.outbox, repos.message_links
    jobs = await outbox.enqueue([job(-2 - n, 10) for n in range(12)])
    results = await asyncio.gather(
        *(outbox.complete(j.id, [MessageLink(-1, 10, j.dst_chat_id, 700 + n)]) for n, j in enumerate(jobs)),
        outbox.complete(99_999, [MessageLink(-1, 77, -2, 999)]),
        return_exceptions=True,
    )
    assert results[:-1] == [True] * 12
    assert isinstance(results[-1], LookupError)
    await outbox.drain()
    assert await outbox.counts() == {"pending": 0, "done": 12, "failed": 0}
    assert await outbox.pending() == [] and await outbox.pending_destinations() == []
    assert [await links.resolve_reply(-1, 10, j.dst_chat_id) for j in jobs] == list(range(700, 712))
    assert await links.resolve_reply(-1, 77, -2) is None  # the unknown job's links were not stored
    await outbox.drain()  # nothing left to wait for


async def test_outbox_keeps_no_text_once_a_job_is_sent_or_given_up(repos: Repositories) -> None:
    outbox = repos.outbox
    sent, given_up, waiting = await outbox.enqueue([job(-2, 10), job(-2, 11), job(-2, 12)])
    await outbox.complete(sent.id, [])
    await outbox.mark_failed(given_up.id, "x" * 600)
    done, failed, pending = [await outbox.get(j.id) for j in (sent, given_up, waiting)]
    assert done is not None and (done.state, done.payload, done.last_error) == ("done", {}, None)
    assert failed is not None and (failed.state, failed.payload) == ("failed", {})
    assert failed.last_error == "x" * 500 and failed.done_at is not None  # the error is kept, shortened
    assert pending is not None
    assert (pending.state, pending.payload, pending.done_at) == ("pending", {"text": "Halo"}, None)
    assert await outbox.get(10_000) is None
    with pytest.raises(LookupError):
        await outbox.mark_failed(10_000, "x")
    with pytest.raises(LookupError):
        await outbox.complete(10_000)
    assert await outbox.counts() == {"pending": 1, "done": 1, "failed": 1}

    # Once purged, a job no longer makes its update idempotent: the same key is a new job.
    assert await outbox.purge_finished(datetime.now(UTC) + timedelta(seconds=1)) == 2
    assert await outbox.get(sent.id) is None and await outbox.get(given_up.id) is None
    [again] = await outbox.enqueue([job(-2, 10)])
    assert again.id > waiting.id and (again.state, again.attempts) == ("pending", 0)
    assert [j.id for j in await outbox.pending(-2)] == [waiting.id, again.id]
    assert await outbox.pending(-2, limit=0) == []


# -- inbox ---------------------------------------------------------------------------------------------


def item(update_id: int, chat_key: int = -5, **payload: object) -> InboxItem:
    return InboxItem(update_id, chat_key, {"update_id": update_id, **payload})


async def test_inbox_runs_each_update_at_most_once(repos: Repositories) -> None:
    inbox = repos.inbox
    me = Liveness("1", shared=False)
    first = [item(1, text="서울 — Surabaya 🌉", entities=[{"type": "bold"}], n=None), item(2), item(3, -6)]
    assert await inbox.store(first, me.me) == [1, 2, 3]
    assert await inbox.store([item(1, text="redelivered"), item(4, -6)], me.me) == [4]  # 1 is not new
    assert await inbox.store([]) == []
    assert await inbox.counts() == {"pending": 4}

    assert await inbox.start([1, 2, 99]) == {1, 2}
    assert await inbox.start([1, 3]) == {3}  # never claimed twice
    assert await inbox.start([]) == set()
    await inbox.release([2, 4])  # 2 could not be stored: pending again; 4 was never started
    await inbox.release([])
    assert await inbox.counts() == {"pending": 2, "started": 2}
    assert await inbox.start([2, 4]) == {2, 4}
    await inbox.finish([1, 2])
    await inbox.finish([])
    await inbox.release([1])  # done stays done
    assert await inbox.start([1, 2]) == set()
    assert await inbox.counts() == {"done": 2, "started": 2}
    assert await inbox.adopt(me) == (0, [])  # its own updates, while it runs: nothing to take over


async def test_inbox_adopts_the_updates_of_an_earlier_run(repos: Repositories) -> None:
    inbox = repos.inbox
    earlier, me = Liveness("1", shared=False), Liveness("2", shared=False)
    assert await inbox.store([item(7, -6, text="Halo")]) == [7]  # taken by nobody
    await inbox.store([item(1), item(2, entities=[{"type": "bold", "offset": 0}], n=None), item(5)], earlier.me)
    await inbox.store([item(4, -6)], me.me)
    assert await inbox.start([1, 4]) == {1, 4}
    await inbox.finish([5])

    abandoned, items = await inbox.adopt(me)
    # 1 was running when the earlier run stopped: never run again; 4 is this run's own, 5 was done.
    assert abandoned == 1
    assert items == [item(2, entities=[{"type": "bold", "offset": 0}], n=None), item(7, -6, text="Halo")]
    assert await inbox.adopt(me) == (0, [])  # they are this run's now
    assert await inbox.counts() == {"abandoned": 1, "pending": 2, "started": 1, "done": 1}
    assert await inbox.start([1, 2, 7]) == {2, 7}
    # Should the earlier instance come back, the updates this one took are no longer its to take.
    assert await inbox.adopt(earlier) == (3, [])  # started by ``me``, which it takes for gone
    assert await inbox.counts() == {"abandoned": 4, "done": 1}


async def test_inbox_sets_aside_what_cannot_be_read_and_purges_what_is_finished(repos: Repositories) -> None:
    inbox = repos.inbox
    await inbox.quarantine(9, {"update_id": 9, "message": {"date": "yesterday"}}, "x" * 2000)
    await inbox.quarantine(9, {"update_id": 9}, "again")  # set aside once
    assert await inbox.counts() == {"quarantined": 1}
    assert await inbox.store([item(9)], "1") == []  # taken already: never run
    assert await inbox.start([9]) == set()

    await inbox.store([item(1), item(2), item(3), item(4)], "1")
    assert await inbox.start([1, 2, 3]) == {1, 2, 3}
    await inbox.finish([1])
    assert await inbox.adopt(Liveness("2", shared=False)) == (2, [item(4)])
    assert await inbox.counts() == {"quarantined": 1, "done": 1, "abandoned": 2, "pending": 1}
    assert await inbox.purge_finished(datetime.now(UTC) - timedelta(minutes=1)) == 0
    later, earlier = datetime.now(UTC) + timedelta(seconds=1), datetime.now(UTC) - timedelta(minutes=1)
    assert await inbox.purge_finished(later, quarantined_before=earlier) == 3  # done, abandoned: set aside stays
    assert await inbox.counts() == {"quarantined": 1, "pending": 1}
    assert await inbox.purge_finished(later) == 1  # the set aside one, when its own time has come
    assert await inbox.counts() == {"pending": 1}
    assert await inbox.store([item(1), item(9)], "2") == [1, 9]  # forgotten: new again


async def test_inbox_sets_aside_an_update_it_holds_that_never_could_begin(repos: Repositories) -> None:
    """An update taken into the inbox whose handling failed before it began, time after time, is set aside
    in place (its JSON kept, never run); a finished one stays finished."""
    inbox = repos.inbox
    await inbox.store([item(1), item(2), item(3), item(4)], "1")
    assert await inbox.start([2, 3]) == {2, 3}
    await inbox.finish([3])
    for update_id in (1, 2, 3):
        await inbox.quarantine(update_id, {"update_id": update_id, "chat": "x"}, f"NotStarted: {update_id}")
    await inbox.quarantine(2, {"update_id": 2}, "again")  # set aside once
    assert await inbox.counts() == {"quarantined": 2, "done": 1, "pending": 1}
    assert await inbox.quarantined() == [
        (1, {"update_id": 1, "chat": "x"}, "NotStarted: 1"),
        (2, {"update_id": 2, "chat": "x"}, "NotStarted: 2"),
    ]
    assert await inbox.start([1, 2, 3, 4]) == {4}  # never run
    await inbox.release([1, 2])  # a release does not bring them back
    assert await inbox.adopt(Liveness("2", shared=False)) == (1, [])  # 4 was started; 1 and 2 stay aside
    assert await inbox.counts() == {"quarantined": 2, "done": 1, "abandoned": 1}


# -- delivery leases -----------------------------------------------------------------------------------


async def test_one_instance_delivers_to_every_destination(repos: Repositories) -> None:
    """Alone on its database (SQLite, or ``shared=False``), an instance needs no lease from anybody."""
    leases, outbox = repos.leases, repos.outbox
    me, earlier = Liveness("1", shared=False), Liveness("2", shared=False)
    assert await leases.acquire(-2, me)
    assert await leases.acquire(-2, me)  # kept
    assert await leases.acquire(-2, earlier)  # whatever another id held is gone
    await leases.release(-2, me)
    await leases.release(-3, me)  # held by nobody: nothing to do
    assert await leases.acquire(-2, me) and await leases.acquire(-3, me)
    await outbox.enqueue([job(-3), job(-2), job(-3, 11)])
    assert await outbox.pending_destinations(me) == [-3, -2] == await outbox.pending_destinations()
    assert await outbox.pending_destinations(earlier) == [-3, -2]


async def test_only_the_holder_of_the_lease_completes_a_job(repos: Repositories) -> None:
    """The fence of delivery: with several instances (``shared``), a job is marked done, and its links
    stored, only while the instance completing it holds the lease of its destination; alone on its
    database an instance is never refused."""
    outbox, leases, links = repos.outbox, repos.leases, repos.message_links
    first, second, third = await outbox.enqueue([job(-2, 10), job(-2, 11), job(-2, 12)])
    alone = Liveness("1", shared=False)
    assert await leases.holds(-2, alone)
    assert await outbox.complete(first.id, [MessageLink(-1, 10, -2, 500)], alone)
    if isinstance(repos.outbox, OutboxRepository) and repos.outbox.db.engine.dialect.name == "sqlite":
        return  # several instances need PostgreSQL
    # No instance is alive here (no cluster runs): a lease whose holder is not the asker's is taken over.
    a, b = Liveness("101", shared=True), Liveness("102", shared=True)
    assert not await leases.holds(-2, a)  # nobody holds it: refused
    assert not await outbox.complete(second.id, [MessageLink(-1, 11, -2, 501)], a)
    assert await leases.acquire(-2, a) and await leases.holds(-2, a)
    assert await outbox.complete(second.id, [MessageLink(-1, 11, -2, 501)], a)
    assert await leases.acquire(-2, b)  # b takes the chat over
    assert await leases.holds(-2, b) and not await leases.holds(-2, a)
    assert not await outbox.complete(third.id, [MessageLink(-1, 12, -2, 502)], a)  # a sent it too late
    refused = await outbox.get(third.id)
    assert refused is not None and refused.state == "pending" and refused.payload == {"text": "Halo"}
    assert await links.resolve_reply(-1, 12, -2) is None  # nothing of it stored
    with pytest.raises(LookupError):
        await outbox.complete(10_000, [], b)
    assert await outbox.complete(third.id, [MessageLink(-1, 12, -2, 502)], b)
    assert await outbox.counts() == {"pending": 0, "done": 3, "failed": 0}
    assert [await links.resolve_reply(-1, n, -2) for n in (10, 11, 12)] == [500, 501, 502]
    await outbox.drain()


async def test_the_memory_model_of_several_instances_agrees_with_postgresql() -> None:
    """tests/integration/test_cluster_storage.py checks these on PostgreSQL with instances that really come
    and go; in memory the instances alive are ``memory.leases.alive`` (tests/fakes/relay.py)."""
    memory = Memory()
    a, b = Liveness("101", shared=True), Liveness("102", shared=True)
    memory.leases.alive |= {a.me, b.me}
    leases, inbox, outbox = memory.leases, memory.inbox, memory.outbox

    assert await leases.live_instances() == [a.me, b.me]
    assert await leases.acquire(-100, a)
    assert await leases.acquire(-100, a)  # kept by its holder
    assert not await leases.acquire(-100, b)  # a live holder keeps it
    assert await leases.acquire(-200, b)
    await leases.release(-100, b)  # not b's to release
    assert not await leases.acquire(-100, b)

    await outbox.enqueue([job(-200), job(-100), job(-300)])
    assert await outbox.pending_destinations(b) == [-200, -300]  # -100 is a's, and a is alive
    assert await outbox.pending_destinations(a) == [-100, -300]
    assert await outbox.pending_destinations() == [-200, -100, -300]

    await inbox.store([item(1), item(2)], a.me)
    await inbox.store([item(3, -6)], b.me)
    assert await inbox.start([1]) == {1}  # a was running update 1 when it died
    assert await inbox.adopt(b) == (0, [])  # a is alive: nothing to adopt

    memory.leases.alive.discard(a.me)  # a dies
    assert await leases.live_instances() == [b.me]
    assert await outbox.pending_destinations(b) == [-200, -100, -300]
    assert await leases.acquire(-100, b)
    assert sorted(await leases.held(b)) == [-200, -100]
    await leases.release(-100, b)
    assert await leases.held(b) == [-200]
    abandoned, items = await inbox.adopt(b)
    assert abandoned == 1 and [item.update_id for item in items] == [2]  # never 1 again, never b's own 3
    assert await inbox.adopt(b) == (0, [])
    assert (await inbox.counts())["abandoned"] == 1


async def test_run_sync_commits_or_rolls_back_the_whole_transaction(db: Database) -> None:
    chats = ChatRepository(db)
    await make_chats(db, -70)

    def rename(conn: Connection) -> int:
        conn.execute(update(ChatRow).where(ChatRow.id == -70).values(title="renamed"))
        return 7

    def rename_then_fail(conn: Connection) -> None:
        conn.execute(update(ChatRow).where(ChatRow.id == -70).values(title="lost"))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await db.run_sync(rename_then_fail)
    db.cache.chat_changed(-70)
    chat = await chats.get(-70)
    assert chat is not None and chat.title == "group -70"
    assert await db.run_sync(rename) == 7
    db.cache.chat_changed(-70)
    chat = await chats.get(-70)
    assert chat is not None and chat.title == "renamed"


# -- migration 0002 ------------------------------------------------------------------------------------


async def test_migration_0002_downgrades_and_upgrades_again(db: Database) -> None:
    await make_chats(db, -1, -2)
    await ChatRepository(db).set_show_original(-1, True)
    links = MessageLinkRepository(db)
    await links.add_many([MessageLink(-1, 10, -2, 110), MessageLink(-1, 10, -2, 111), MessageLink(-2, 5, -1, 6)])
    await OutboxRepository(db).enqueue([job(-2)])

    await downgrade(db.engine, "0001")
    assert await current_revision(db.engine) == "0001"
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
        chat_columns = {c["name"] for c in await conn.run_sync(lambda c: inspect(c).get_columns("chats"))}
        uniques = await conn.run_sync(lambda c: inspect(c).get_unique_constraints("message_links"))
        kept = (await conn.execute(text("SELECT dst_message_id FROM message_links ORDER BY dst_message_id"))).all()
    assert not {"relay_jobs", "glossary_terms"} & tables
    assert "show_original" not in chat_columns
    assert [sorted(u["column_names"]) for u in uniques] == [sorted(["src_chat_id", "src_message_id", "dst_chat_id"])]
    assert [r[0] for r in kept] == [6, 110]  # the first part of a split copy is kept

    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert {"relay_jobs", "glossary_terms"} <= tables
    chat = await ChatRepository(db).get(-1)
    assert chat is not None and chat.show_original is False  # the server default fills existing rows
    await links.add_many([MessageLink(-1, 10, -2, 111)])
    assert len(await links.copies_of(-1, 10)) == 2
    assert len(await OutboxRepository(db).enqueue([job(-2)])) == 1
