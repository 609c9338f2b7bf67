"""Relay storage on SQLite and PostgreSQL: message links and the outbox (and migration 0002)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import Connection, inspect, text, update

from bot.domain.records import MessageLink, NewRelayJob
from storage.chats import ChatRepository
from storage.db import Database
from storage.messagelinks import MessageLinkRepository
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import ChatRow, utcnow
from storage.outbox import OutboxRepository


async def make_chats(db: Database, *ids: int) -> None:
    chats = ChatRepository(db)
    for chat_id in ids:
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="en")


# -- message links -------------------------------------------------------------------------------------


async def test_message_links_resolve_replies_in_every_direction(db: Database) -> None:
    links = MessageLinkRepository(db)
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


async def test_outbox_enqueue_is_ordered_and_idempotent(db: Database) -> None:
    outbox = OutboxRepository(db)
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


async def test_outbox_payload_round_trips_json(db: Database) -> None:
    outbox = OutboxRepository(db)
    entities = [{"type": "bold", "offset": 0, "length": 2}]
    [stored] = await outbox.enqueue([job(-2, text="서울 — Surabaya 🌉", entities=entities, n=None)])
    [loaded] = await outbox.pending(-2)
    assert loaded.payload == stored.payload == {"text": "서울 — Surabaya 🌉", "entities": entities, "n": None}


async def test_outbox_pending_per_destination_and_states(db: Database) -> None:
    outbox = OutboxRepository(db)
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


async def test_concurrent_enqueue_of_the_same_update_stores_it_once(db: Database) -> None:
    outbox = OutboxRepository(db)
    batch = [job(-2), job(-3)]
    results = await asyncio.gather(*(outbox.enqueue(batch) for _ in range(4)))
    assert all(r == results[0] for r in results)
    assert (await outbox.counts())["pending"] == 2


async def test_outbox_enqueue_of_a_large_batch_keeps_list_order(db: Database) -> None:
    """One getUpdates response is stored in one call: hundreds of jobs, ids in list order."""
    outbox = OutboxRepository(db)
    jobs = [job(-2 - (n % 3), 1000 - n) for n in range(450)]  # message ids descending: order is the list's
    stored = await outbox.enqueue(jobs)
    assert [(j.dst_chat_id, j.src_message_id) for j in stored] == [(j.dst_chat_id, j.src_message_id) for j in jobs]
    assert [j.id for j in stored] == sorted(j.id for j in stored)
    again = await outbox.enqueue([*jobs[100:], job(-9, 1)])  # redelivered, plus one new
    assert again[:-1] == stored[100:] and again[-1].id > stored[-1].id
    assert (await outbox.counts())["pending"] == 451


async def test_complete_stores_links_and_marks_done_in_one_transaction(db: Database) -> None:
    outbox = OutboxRepository(db)
    links = MessageLinkRepository(db)
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

    async def counting(self: OutboxRepository, items: list[tuple[int, tuple[MessageLink, ...]]]) -> set[int]:
        nonlocal transactions
        transactions += 1
        return await original(self, items)

    monkeypatch.setattr(OutboxRepository, "_complete_many", counting)
    results = await asyncio.gather(
        *(outbox.complete(j.id, [MessageLink(-1, 10, j.dst_chat_id, 700 + n)]) for n, j in enumerate(jobs)),
        outbox.complete(99_999, [MessageLink(-1, 77, -2, 999)]),
        return_exceptions=True,
    )
    assert results[:-1] == [None] * 12
    assert isinstance(results[-1], LookupError)
    assert transactions <= 2  # the first alone, the rest (queued meanwhile) together
    assert (await outbox.counts())["done"] == 12
    assert [await links.resolve_reply(-1, 10, j.dst_chat_id) for j in jobs] == list(range(700, 712))
    assert await links.resolve_reply(-1, 77, -2) is None  # the unknown job's links were not stored
    await outbox.drain()


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
