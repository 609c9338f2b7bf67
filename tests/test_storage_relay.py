"""Relay storage on SQLite and PostgreSQL: bridges, link codes, message links, outbox, glossary, cache."""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from datetime import timedelta

import pytest
from sqlalchemy import Connection, inspect, select, text, update

from bot.domain.errors import AlreadyBridged, CodeExpired, CodeNotFound, CodeOwnChat, CodeUsed, LinkCodeError
from bot.domain.records import Bridge, Chat, MessageLink, NewRelayJob
from storage.bridges import BridgeRepository
from storage.chats import ChatRepository
from storage.db import Database
from storage.glossary import GlossaryRepository
from storage.linkcodes import CODE_ALPHABET, CODE_BITS, CODE_LENGTH, LinkCodeRepository, hash_code, normalise_code
from storage.messagelinks import MessageLinkRepository
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import ChatRow, LinkCodeRow, TranslationCacheRow, utcnow
from storage.outbox import OutboxRepository
from storage.translation_cache import TranslationCacheRepository, normalise_text, text_hash

CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


async def make_chats(db: Database, *ids: int) -> None:
    chats = ChatRepository(db)
    for chat_id in ids:
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="en")


def member_ids(bridge: Bridge | None) -> list[int]:
    assert bridge is not None
    return [chat.id for chat in bridge.members]


async def assert_bridges_consistent(db: Database) -> list[Bridge]:
    """Every chat in at most one bridge, and no bridge left without members."""
    bridges = await BridgeRepository(db).all()
    seen = [chat.id for bridge in bridges for chat in bridge.members]
    assert len(seen) == len(set(seen))
    assert all(bridge.members for bridge in bridges)
    return bridges


# -- chats.show_original -----------------------------------------------------------------------------


async def test_show_original_flag(db: Database) -> None:
    chats = ChatRepository(db)
    chat = await chats.ensure(-1, title="Surabaya", type="supergroup", default_language="id")
    assert chat.show_original is False
    on = await chats.set_show_original(-1, True)
    assert on.show_original is True
    assert (await chats.get(-1)) == on
    assert (await chats.ensure(-1, title="Surabaya", type="supergroup", default_language="en")).show_original
    assert (await chats.set_show_original(-1, False)).show_original is False
    with pytest.raises(LookupError):
        await chats.set_show_original(-999, True)
    # Existing constructors keep working: the new field comes last, with a default.
    now = utcnow()
    assert Chat(1, "t", "group", "en", None, None, True, now, now).show_original is False


# -- bridges -------------------------------------------------------------------------------------------


async def test_link_builds_n_way_bridges_in_join_order(db: Database) -> None:
    await make_chats(db, -1, -2, -3, -4, -5, -6)
    bridges = BridgeRepository(db)
    assert await bridges.bridge_of(-1) is None
    assert await bridges.all() == []

    first = await bridges.link(-1, -2)
    assert member_ids(first) == [-1, -2]
    assert first.created_at.utcoffset() == timedelta(0)
    three = await bridges.link(-1, -3)
    assert three.id == first.id
    assert member_ids(three) == [-1, -2, -3]
    four = await bridges.link(-3, -4)  # any member can bring in the next partner
    assert member_ids(four) == [-1, -2, -3, -4]
    assert [c.id for c in four.others(-3)] == [-1, -2, -4]
    assert four.others(-99) == four.members

    assert await bridges.bridge_of(-4) == four
    assert await bridges.get(four.id) == four
    assert await bridges.get(four.id + 100) is None
    other = await bridges.link(-6, -5)  # chat_a first
    assert member_ids(other) == [-6, -5]
    assert [b.id for b in await bridges.all()] == [four.id, other.id]
    assert [member_ids(b) for b in await bridges.all()] == [[-1, -2, -3, -4], [-6, -5]]
    # Members are full chat records.
    await ChatRepository(db).set_language(-2, "ko")
    refreshed = await bridges.bridge_of(-1)
    assert refreshed is not None and refreshed.members[1].language == "ko"


async def test_link_refuses_chats_already_bridged_and_bad_input(db: Database) -> None:
    await make_chats(db, -1, -2, -3, -4, -5)
    bridges = BridgeRepository(db)
    bridge = await bridges.link(-1, -2)
    other = await bridges.link(-4, -5)

    with pytest.raises(AlreadyBridged) as info:
        await bridges.link(-1, -2)  # already in A's own bridge
    assert (info.value.chat_id, info.value.bridge_id) == (-2, bridge.id)
    with pytest.raises(AlreadyBridged) as info:
        await bridges.link(-3, -1)  # B in a bridge, A in none
    assert (info.value.chat_id, info.value.bridge_id) == (-1, bridge.id)
    with pytest.raises(AlreadyBridged) as info:
        await bridges.link(-1, -4)  # B in another bridge
    assert (info.value.chat_id, info.value.bridge_id) == (-4, other.id)
    with pytest.raises(ValueError):
        await bridges.link(-3, -3)
    with pytest.raises(LookupError):
        await bridges.link(-3, -999)
    with pytest.raises(LookupError):
        await bridges.link(-999, -3)
    assert [member_ids(b) for b in await assert_bridges_consistent(db)] == [[-1, -2], [-4, -5]]


async def test_leave_keeps_a_bridge_with_one_member_and_deletes_an_empty_one(db: Database) -> None:
    await make_chats(db, -1, -2, -3, -4)
    bridges = BridgeRepository(db)
    glossary = GlossaryRepository(db)
    bridge = await bridges.link(-1, -2)
    await bridges.link(-2, -3)
    await glossary.add(bridge.id, "MoU", {"id": "nota kesepahaman"})

    assert await bridges.leave(-4) is None  # in no bridge

    after = await bridges.leave(-2)
    assert after is not None and after.id == bridge.id and member_ids(after) == [-1, -3]
    assert await bridges.bridge_of(-2) is None

    after = await bridges.leave(-1)
    assert member_ids(after) == [-3]
    assert await bridges.get(bridge.id) == after  # one member keeps the bridge …
    assert [e.term for e in await glossary.list(bridge.id)] == ["MoU"]  # … and its glossary

    rejoined = await bridges.link(-3, -4)
    assert rejoined.id == bridge.id and member_ids(rejoined) == [-3, -4]
    await bridges.leave(-3)
    emptied = await bridges.leave(-4)
    assert emptied is not None and emptied.id == bridge.id and emptied.members == ()
    assert await bridges.get(bridge.id) is None
    assert await bridges.all() == []
    assert await glossary.list(bridge.id) == []  # the glossary goes with its bridge
    assert await bridges.leave(-4) is None


async def test_concurrent_links_of_one_chat_leave_it_in_exactly_one_bridge(db: Database) -> None:
    await make_chats(db, -1, -2, -3, -4, -5)
    bridges = BridgeRepository(db)
    # -2 invited into two different new bridges at once.
    results = await asyncio.gather(bridges.link(-1, -2), bridges.link(-3, -2), return_exceptions=True)
    won = [r for r in results if isinstance(r, Bridge)]
    lost = [r for r in results if isinstance(r, AlreadyBridged)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].chat_id == -2 and lost[0].bridge_id == won[0].id
    assert await bridges.bridge_of(-2) == won[0]
    assert [member_ids(b) for b in await assert_bridges_consistent(db)] == [member_ids(won[0])]

    # The same inviter bringing in two partners at once: both join one bridge.
    await make_chats(db, -10, -11, -12)
    first, second = await asyncio.gather(bridges.link(-10, -11), bridges.link(-10, -12))
    assert first.id == second.id
    final = await bridges.bridge_of(-10)
    assert final is not None and member_ids(final)[0] == -10 and set(member_ids(final)) == {-10, -11, -12}
    await assert_bridges_consistent(db)


async def test_link_storm_stays_consistent(db: Database) -> None:
    ids = list(range(-20, -30, -1))
    await make_chats(db, *ids)
    bridges = BridgeRepository(db)
    pairs = [(a, b) for a in ids[:5] for b in ids[5:]]
    calls = [bridges.link(a, b) for a, b in pairs] + [bridges.link(b, a) for a, b in pairs]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, Bridge | AlreadyBridged) for r in results), results
    current = await assert_bridges_consistent(db)
    assert sum(len(b.members) for b in current) >= 2
    for result in results:
        if isinstance(result, AlreadyBridged):
            assert await bridges.bridge_of(result.chat_id) is not None


async def test_concurrent_leaves_of_the_last_members_delete_the_bridge(db: Database) -> None:
    await make_chats(db, -1, -2)
    bridges = BridgeRepository(db)
    bridge = await bridges.link(-1, -2)
    results = await asyncio.gather(bridges.leave(-1), bridges.leave(-2))
    assert sorted(len(r.members) for r in results if r is not None) == [0, 1]
    assert await bridges.get(bridge.id) is None
    assert await bridges.all() == []


# -- link codes ----------------------------------------------------------------------------------------


async def test_link_code_format_and_entropy(db: Database) -> None:
    await make_chats(db, -1)
    codes = LinkCodeRepository(db)
    assert len(set(CODE_ALPHABET)) == 32 and not set("ILOU") & set(CODE_ALPHABET)
    assert CODE_LENGTH == 10 and math.log2(len(CODE_ALPHABET) ** CODE_LENGTH) >= 50 == CODE_BITS
    issued = [await codes.create(-1, created_by=7) for _ in range(40)]
    assert all(CODE_RE.match(code) for code in issued), issued
    assert len(set(issued)) == len(issued)
    # All symbols show up across the codes (they are drawn from the whole alphabet).
    assert len(set("".join(issued).replace("-", ""))) > 24
    with pytest.raises(LookupError):
        await codes.create(-999, created_by=None)
    with pytest.raises(ValueError):
        await codes.create(-1, created_by=None, ttl=timedelta(0))


async def test_only_the_hash_of_a_link_code_is_stored(db: Database) -> None:
    await make_chats(db, -1)
    code = await LinkCodeRepository(db).create(-1, created_by=42, ttl=timedelta(minutes=5))
    plain = code.replace("-", "")
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(LinkCodeRow.__table__))).all()
    assert len(rows) == 1
    values = [str(value) for value in rows[0]]
    for value in values:
        assert plain not in value.upper() and code not in value.upper()
    assert rows[0].code_hash == hashlib.sha256(plain.encode()).hexdigest() == hash_code(code)
    assert rows[0].chat_id == -1 and rows[0].created_by == 42 and rows[0].used_at is None


def test_normalise_code() -> None:
    assert normalise_code("  abcde-fghjk ") == "ABCDEFGHJK"
    assert normalise_code("abcde fghjk") == "ABCDEFGHJK"
    assert normalise_code("ab cd e - fg hj k") == "ABCDEFGHJK"
    assert normalise_code("O0o0O-IiLl1") == "00000" + "11111"
    assert normalise_code("uuvvw") == "VVVVW"
    assert normalise_code("ABCDE–FGHJK") == "ABCDEFGHJK"  # an en dash from a phone keyboard
    assert hash_code("abcde fghjk") == hash_code("ABCDE-FGHJK")


async def test_redeem_accepts_sloppy_typing_and_is_single_use(db: Database) -> None:
    await make_chats(db, -1, -2, -3)
    codes = LinkCodeRepository(db)
    code = await codes.create(-1, created_by=None)
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert await codes.redeem(f"  {sloppy} ", by_chat_id=-2) == -1
    with pytest.raises(CodeUsed):
        await codes.redeem(code, by_chat_id=-3)
    async with db.session() as session:
        row = (await session.scalars(select(LinkCodeRow))).one()
        assert row.used_by_chat == -2 and row.used_at is not None
    with pytest.raises(CodeNotFound):
        await codes.redeem("ZZZZZ-ZZZZZ", by_chat_id=-2)
    with pytest.raises(CodeNotFound):
        await codes.redeem("hello", by_chat_id=-2)
    assert issubclass(CodeNotFound, LinkCodeError) and issubclass(CodeOwnChat, LinkCodeError)


async def test_redeem_in_the_issuing_chat_does_not_consume_the_code(db: Database) -> None:
    await make_chats(db, -1, -2)
    codes = LinkCodeRepository(db)
    code = await codes.create(-1, created_by=None)
    with pytest.raises(CodeOwnChat):
        await codes.redeem(code, by_chat_id=-1)
    assert await codes.redeem(code, by_chat_id=-2) == -1


async def test_link_codes_expire_and_are_purged(db: Database) -> None:
    await make_chats(db, -1, -2)
    codes = LinkCodeRepository(db)
    code = await codes.create(-1, created_by=None, ttl=timedelta(minutes=30))
    fresh = await codes.create(-1, created_by=None, ttl=timedelta(hours=2))
    later = utcnow() + timedelta(minutes=31)
    with pytest.raises(CodeExpired):
        await codes.redeem(code, by_chat_id=-2, now=later)
    assert await codes.purge_expired(later) == 1
    with pytest.raises(CodeNotFound):
        await codes.redeem(code, by_chat_id=-2)
    assert await codes.redeem(fresh, by_chat_id=-2, now=later) == -1
    assert await codes.purge_expired() == 0


async def test_concurrent_redemptions_have_exactly_one_winner(db: Database) -> None:
    contenders = list(range(-2, -10, -1))
    await make_chats(db, -1, *contenders)
    codes = LinkCodeRepository(db)
    code = await codes.create(-1, created_by=None)
    results = await asyncio.gather(*(codes.redeem(code, by_chat_id=c) for c in contenders), return_exceptions=True)
    assert results.count(-1) == 1, results
    assert all(isinstance(r, CodeUsed) for r in results if r != -1), results


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


# -- glossary ------------------------------------------------------------------------------------------


async def test_glossary_upsert_remove_and_case_insensitivity(db: Database) -> None:
    await make_chats(db, -1, -2)
    bridge = await BridgeRepository(db).link(-1, -2)
    glossary = GlossaryRepository(db)
    entry = await glossary.add(bridge.id, "MoU", {"id": "nota kesepahaman", "ko": "양해각서"})
    assert entry.term == "MoU" and entry.renderings == {"id": "nota kesepahaman", "ko": "양해각서"}
    await glossary.add(bridge.id, "Surabaya", {})
    await glossary.add(bridge.id, "kota kembar", {"en": "sister city"})

    replaced = await glossary.add(bridge.id, "  MOU ", {"de": "Absichtserklärung"})  # same term, any case
    assert replaced.term == "MOU"
    assert await glossary.list(bridge.id) == [
        type(entry)("kota kembar", {"en": "sister city"}),
        type(entry)("MOU", {"de": "Absichtserklärung"}),
        type(entry)("Surabaya", {}),
    ]
    assert await glossary.as_mapping(bridge.id) == {
        "kota kembar": {"en": "sister city"},
        "MOU": {"de": "Absichtserklärung"},
        "Surabaya": {},
    }

    assert await glossary.remove(bridge.id, "mou") is True
    assert await glossary.remove(bridge.id, "mou") is False
    assert await glossary.remove(bridge.id + 1, "Surabaya") is False
    assert [e.term for e in await glossary.list(bridge.id)] == ["kota kembar", "Surabaya"]
    assert await glossary.list(bridge.id + 1) == []
    with pytest.raises(ValueError):
        await glossary.add(bridge.id, "   ", {})
    with pytest.raises(LookupError):
        await glossary.add(bridge.id + 1, "KPI", {})


# -- translation cache ---------------------------------------------------------------------------------


async def test_translation_cache_round_trip_with_normalisation(db: Database) -> None:
    cache = TranslationCacheRepository(db)
    assert await cache.get_many("google", "id", "ko", []) == {}
    assert await cache.get_many("google", "id", "ko", ["Selamat pagi"]) == {}
    pairs = {"Selamat  pagi ": "좋은 아침", "Rapat besok\njam 10": "내일 회의\n10시"}
    await cache.put_many("google", "id", "ko", pairs)
    await cache.put_many("google", "id", "ko", {"Selamat pagi": "좋은 아침"})  # idempotent
    await cache.put_many("google", "id", "ko", {})

    decomposed = "Cafe\u0301"  # "Café" with a combining accent: NFC makes it the same text
    await cache.put_many("google", "id", "ko", {"Café": "카페"})
    hits = await cache.get_many(
        "google", "id", "ko", ["Selamat pagi", "\tSelamat   pagi\n", decomposed, "Rapat besok jam 10", "unknown"]
    )
    assert hits == {"Selamat pagi": "좋은 아침", "\tSelamat   pagi\n": "좋은 아침", decomposed: "카페"}
    # Line breaks are part of the text: a one-line variant is another text.
    assert await cache.get_many("google", "id", "ko", ["Rapat  besok \njam 10"]) == {
        "Rapat  besok \njam 10": "내일 회의\n10시"
    }
    # Keyed by provider, source and target.
    assert await cache.get_many("deepl", "id", "ko", ["Selamat pagi"]) == {}
    assert await cache.get_many("google", "id", "en", ["Selamat pagi"]) == {}
    assert await cache.get_many("google", "auto", "ko", ["Selamat pagi"]) == {}

    # An unknown source is "auto"; a new translation replaces the cached one.
    await cache.put_many("google", None, "en", {"Guten Morgen": "Good morning"})
    await cache.put_many("google", "auto", "en", {"Guten Morgen": "Good morning!"})
    assert await cache.get_many("google", None, "en", ["Guten Morgen"]) == {"Guten Morgen": "Good morning!"}

    async with db.session() as session:
        row = await session.get(TranslationCacheRow, ("google", "id", "ko", text_hash("Selamat pagi")))
        assert row is not None and row.text == "Selamat pagi"
    assert text_hash(" a \u00a0 b ") == hashlib.sha256(b"a b").hexdigest()
    assert normalise_text("  x \r\n  y  ") == "x\ny"


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
