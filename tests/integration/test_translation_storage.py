"""Translation storage: the translation cache, in memory, on SQLite and on PostgreSQL (``repos``); what a row
keeps, on the databases (``db``); what forgetting or moving a group does to it, and migration 0012."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection

from bot.domain.records import Forgotten, NewEvent, NewRelayJob, NewReminder, Scope
from bot.domain.repositories import Repositories
from storage.db import Database
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Base, TranslationCacheChatRow, TranslationCacheRow, utcnow
from storage.repositories import repositories
from storage.translation_cache import TranslationCacheRepository, normalise_text, text_hash

# -- translation cache ---------------------------------------------------------------------------------


async def test_translation_cache_round_trip_with_normalisation(repos: Repositories) -> None:
    cache = repos.translation_cache
    assert await cache.get_many("google", "id", "ko", []) == {}
    assert await cache.get_many("google", "id", "ko", ["Selamat pagi"]) == {}
    pairs = {"Selamat  pagi ": "좋은 아침", "Rapat besok\njam 10": "내일 회의\n10시"}
    await cache.put_many("google", "id", "ko", None, pairs)
    await cache.put_many("google", "id", "ko", None, {"Selamat pagi": "좋은 아침"})  # idempotent
    await cache.put_many("google", "id", "ko", None, {})

    decomposed = "Cafe\u0301"  # "Café" with a combining accent: NFC makes it the same text
    await cache.put_many("google", "id", "ko", None, {"Café": "카페"})
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
    await cache.put_many("google", None, "en", None, {"Guten Morgen": "Good morning"})
    await cache.put_many("google", "auto", "en", None, {"Guten Morgen": "Good morning!"})
    assert await cache.get_many("google", None, "en", ["Guten Morgen"]) == {"Guten Morgen": "Good morning!"}

    assert text_hash(" a \u00a0 b ") == hashlib.sha256(b"a b").hexdigest()
    assert normalise_text("  x \r\n  y  ") == "x\ny"


async def test_the_cache_keeps_the_normalised_text(db: Database) -> None:
    cache = TranslationCacheRepository(db)
    await cache.put_many("google", "id", "ko", None, {"Selamat  pagi ": "좋은 아침"})
    async with db.session() as session:
        row = await session.get(TranslationCacheRow, ("google", "id", "ko", text_hash("Selamat pagi")))
        assert row is not None and row.text == "Selamat pagi"


async def test_translation_cache_purge_drops_the_old_and_the_oldest_beyond_the_limit(repos: Repositories) -> None:
    cache = repos.translation_cache
    texts = ["satu", "dua", "tiga", "empat", "lima"]
    assert await cache.purge(utcnow(), keep_at_most=10) == 0  # nothing cached
    await cache.put_many("google", "id", "ko", None, {"satu": "하나"})
    await cache.put_many("google", "id", "ko", None, {"dua": "둘"})
    await cache.put_many("deepl", None, "en", None, {"tiga": "three", "empat": "four"})  # one batch, one instant
    await cache.put_many("google", "id", "ko", None, {"lima": "다섯"})
    yesterday = utcnow() - timedelta(days=1)
    assert await cache.purge(yesterday, keep_at_most=5) == 0
    assert await cache.purge(yesterday, keep_at_most=4) == 1  # the oldest beyond four
    assert await cache.get_many("google", "id", "ko", texts) == {"dua": "둘", "lima": "다섯"}
    # A cut-off inside a batch takes the whole batch: rows as old as the cut-off go with it.
    assert await cache.purge(yesterday, keep_at_most=2) == 3
    assert await cache.get_many("deepl", None, "en", texts) == {}
    assert await cache.get_many("google", "id", "ko", texts) == {"lima": "다섯"}
    await cache.put_many("google", "id", "ko", None, {"satu": "하나"})
    assert await cache.purge(utcnow() + timedelta(seconds=1), keep_at_most=10) == 2  # stored before `before`
    assert await cache.get_many("google", "id", "ko", texts) == {}


# -- the bridge of an entry, and forgetting a group --------------------------------------------------------

A, B, C, D, NEW = -1, -2, -3, -4, -1001
LATER = datetime(2030, 1, 1, tzinfo=UTC)


async def _chats(repos: Repositories, *chat_ids: int) -> None:
    for chat_id in chat_ids:
        await repos.chats.ensure(chat_id, title=f"group {chat_id}", type="group", default_language="id")


async def _cached(repos: Repositories, *texts: str) -> set[str]:
    """Which of ``texts`` are cached (id → ko, provider "google")."""
    return set(await repos.translation_cache.get_many("google", "id", "ko", list(texts)))


async def _put(repos: Repositories, bridge_id: int | None, *texts: str) -> None:
    await repos.translation_cache.put_many("google", "id", "ko", bridge_id, {t: f"[ko] {t}" for t in texts})


async def test_an_entry_is_its_bridges_and_marks_the_groups_of_the_bridge(db: Database) -> None:
    repos = repositories(db)
    await _chats(repos, A, B, C, D)
    first = await repos.bridges.link(A, B)
    second = await repos.bridges.link(C, D)
    await _put(repos, first.id, "Rapat besok")
    await _put(repos, None, "Sendiri")
    async with db.session() as session:
        entries = {(r.text, r.bridge_id) for r in (await session.scalars(select(TranslationCacheRow))).all()}
        marks = {(m.chat_id, m.bridge_id) for m in (await session.scalars(select(TranslationCacheChatRow))).all()}
    assert entries == {("Rapat besok", first.id), ("Sendiri", None)}
    assert marks == {(A, first.id), (B, first.id)}  # no bridge, no marks
    # A hit needs no bridge: an entry serves every bridge. Stored again for another bridge, it is that one's.
    assert await _cached(repos, "Rapat besok") == {"Rapat besok"}
    await _put(repos, second.id, "Rapat besok")
    async with db.session() as session:
        row = await session.get(TranslationCacheRow, ("google", "id", "ko", text_hash("Rapat besok")))
        assert row is not None and row.bridge_id == second.id
        marks = {(m.chat_id, m.bridge_id) for m in (await session.scalars(select(TranslationCacheChatRow))).all()}
    assert marks == {(A, first.id), (B, first.id), (C, second.id), (D, second.id)}


async def test_forgetting_a_group_deletes_the_translations_of_its_bridge_and_of_none(repos: Repositories) -> None:
    await _chats(repos, A, B, C, D)
    ours = await repos.bridges.link(A, B)
    theirs = await repos.bridges.link(C, D)
    await _put(repos, ours.id, "Pesan Bandung", "Nachricht aus Braunschweig")
    await _put(repos, theirs.id, "Pesan Surabaya")
    await _put(repos, None, "Pesan tanpa jembatan")
    forgotten = await repos.chat_data.forget(A)
    # The bridge's entries go (A's texts cannot be told from B's), with the bridge's marks, and every entry of
    # no bridge (whose group cannot be told); the other bridge keeps its own.
    assert forgotten == Forgotten(
        {"translation_cache": 3, "translation_cache_chats": 2, "bridge_members": 1, "chats": 1}
    )
    everything = ("Pesan Bandung", "Nachricht aus Braunschweig", "Pesan Surabaya", "Pesan tanpa jembatan")
    assert await _cached(repos, *everything) == {"Pesan Surabaya"}
    # B, still in the bridge, caches again, marked alone: forgetting C (another bridge) leaves it.
    await _put(repos, ours.id, "Nachricht aus Braunschweig")
    assert await repos.chat_data.forget(C) == Forgotten(
        {"translation_cache": 1, "translation_cache_chats": 2, "bridge_members": 1, "chats": 1}
    )
    assert await _cached(repos, *everything) == {"Nachricht aus Braunschweig"}


async def _left_item(repos: Repositories, bridge: Scope) -> None:
    await repos.actions.create(scope=bridge, bridge_id=bridge.bridge_id, chat_id=A, title="MoU", language="id")


async def _left_reminder(repos: Repositories, bridge: Scope) -> None:
    await repos.reminders.add_many([NewReminder(scope=bridge, chat_id=A, kind="adhoc", due_at=LATER, text="Rapat")])


async def _left_event(repos: Repositories, bridge: Scope) -> None:
    await repos.events.add(NewEvent(scope=bridge, at=utcnow(), kind="assigned", chat_id=A, by="Budi", city="Bandung"))


async def _left_update(repos: Repositories, bridge: Scope) -> None:
    programme = await repos.programmes.add(bridge, "Pemuda")
    indicator = await repos.indicators.add(bridge, programme.id, "Kunjungan", 10, "year", None, None)
    await repos.indicators.record(
        indicator.id, change=1, at=utcnow(), user_id=None, by="Budi", chat_id=A, city="Bandung", note=None
    )


async def _left_relay_job(repos: Repositories, bridge: Scope) -> None:
    assert bridge.bridge_id is not None
    await repos.outbox.enqueue([NewRelayJob(bridge.bridge_id, A, 1, B, 0, {"text": "Pesan"})])


async def _nothing_left(repos: Repositories, bridge: Scope) -> None:
    return None


@pytest.mark.parametrize(
    ("trace", "taken"),
    [
        (_left_item, True),
        (_left_reminder, True),
        (_left_event, True),
        (_left_update, True),
        (_left_relay_job, True),
        (_nothing_left, False),
    ],
)
async def test_a_group_that_left_its_bridge_takes_the_bridges_translations_when_it_left_a_trace_there(
    repos: Repositories, trace: Callable[[Repositories, Scope], Awaitable[None]], taken: bool
) -> None:
    """Its mark is gone (purged with the entries stored while it was a member), and texts of it may still be
    translated for the bridge (its items in the partners' digests, its relay work in flight): what it left in
    the bridge names the bridge."""
    await _chats(repos, A, B, C)
    bridge = await repos.bridges.link(A, B)
    await repos.bridges.link(B, C)
    await _put(repos, bridge.id, "Lama")  # marks A, B and C
    await repos.bridges.leave(A)
    await trace(repos, Scope.of(bridge.id, A))
    await _put(repos, bridge.id, "Baru")  # marks B and C again, not A
    assert await repos.translation_cache.purge(utcnow() - timedelta(days=1), keep_at_most=1) == 1  # "Lama", A's mark
    await repos.chat_data.forget(A)
    assert await _cached(repos, "Baru") == (set() if taken else {"Baru"})


async def test_a_group_that_left_its_bridge_is_still_marked_in_it(repos: Repositories) -> None:
    await _chats(repos, A, B, C)
    bridge = await repos.bridges.link(A, B)
    await repos.bridges.link(B, C)
    await _put(repos, bridge.id, "Pesan Bandung")  # A was a member then
    await repos.bridges.leave(A)
    await _put(repos, bridge.id, "Pesan Braunschweig")
    forgotten = await repos.chat_data.forget(A)  # in no bridge now, and no trace but its mark
    assert forgotten.rows["translation_cache"] == 2
    assert await _cached(repos, "Pesan Bandung", "Pesan Braunschweig") == set()


async def test_a_moved_group_keeps_its_marks_under_its_new_id(repos: Repositories) -> None:
    await _chats(repos, A, B, C)
    bridge = await repos.bridges.link(A, B)
    await repos.bridges.link(B, C)
    await _put(repos, bridge.id, "Pesan")
    assert await repos.chat_data.move(A, NEW)
    await repos.bridges.leave(NEW)
    assert (await repos.chat_data.forget(A)).rows.get("translation_cache") is None  # the old id has no marks
    assert await _cached(repos, "Pesan") == {"Pesan"}
    assert (await repos.chat_data.forget(NEW)).rows["translation_cache"] == 1
    assert await _cached(repos, "Pesan") == set()


async def test_moving_onto_an_id_already_marked_keeps_the_later_mark(db: Database) -> None:
    repos = repositories(db)
    await _chats(repos, A, B, NEW)
    bridge = await repos.bridges.link(NEW, B)
    await _put(repos, bridge.id, "Pertama")  # NEW and B marked
    await repos.bridges.leave(NEW)
    await repos.bridges.link(B, A)
    await _put(repos, bridge.id, "Kedua")  # B and A marked, later
    assert await repos.chat_data.move(A, NEW)
    async with db.session() as session:
        marks = {(m.chat_id, m.bridge_id): m.at for m in (await session.scalars(select(TranslationCacheChatRow))).all()}
        kedua = await session.get(TranslationCacheRow, ("google", "id", "ko", text_hash("Kedua")))
    assert set(marks) == {(NEW, bridge.id), (B, bridge.id)}
    assert kedua is not None and marks[(NEW, bridge.id)] == kedua.created_at


async def test_purging_takes_the_marks_no_entry_needs_any_more(db: Database) -> None:
    repos = repositories(db)
    await _chats(repos, A, B, C)
    bridge = await repos.bridges.link(A, B)
    await _put(repos, bridge.id, "Lama")
    await repos.bridges.leave(A)
    await repos.bridges.link(B, C)
    await _put(repos, bridge.id, "Baru")

    async def marks() -> set[int]:
        async with db.session() as session:
            return set((await session.scalars(select(TranslationCacheChatRow.chat_id))).all())

    assert await marks() == {A, B, C}
    assert await repos.translation_cache.purge(utcnow() - timedelta(days=1), keep_at_most=5) == 0
    assert await marks() == {A, B, C}
    assert await repos.translation_cache.purge(utcnow() - timedelta(days=1), keep_at_most=1) == 1
    assert await marks() == {B, C}  # A's mark covered only "Lama"
    assert await repos.translation_cache.purge(utcnow() + timedelta(seconds=1), keep_at_most=5) == 1
    assert await marks() == set()


# -- migration 0012 ----------------------------------------------------------------------------------------

TRANSLATION_TABLES = {"translation_cache", "translation_cache_chats"}


def _ours(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name in TRANSLATION_TABLES


def _ours_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return _ours(name, type_)


def _schema_drift(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": _ours, "include_object": _ours_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _cache_columns(conn: Connection) -> tuple[set[str], set[str]]:
    return set(inspect(conn).get_table_names()), {c["name"] for c in inspect(conn).get_columns("translation_cache")}


async def test_migration_0012_downgrades_and_upgrades_again(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []
    repos = repositories(db)
    await _chats(repos, A, B)
    bridge = await repos.bridges.link(A, B)
    await _put(repos, bridge.id, "Selamat pagi")

    await downgrade(db.engine, "0011")
    assert await current_revision(db.engine) == "0011"
    async with db.engine.connect() as conn:
        tables, columns = await conn.run_sync(_cache_columns)
        kept: list[str] = list((await conn.execute(text("SELECT text FROM translation_cache"))).scalars().all())
    assert "translation_cache_chats" not in tables and "bridge_id" not in columns
    assert kept == ["Selamat pagi"]  # the translations themselves stay

    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []
    # An entry from before has no bridge: the next forgetting, of any group, takes it.
    assert await _cached(repos, "Selamat pagi") == {"Selamat pagi"}
    await _chats(repos, C)
    assert (await repos.chat_data.forget(C)).rows["translation_cache"] == 1
    assert await _cached(repos, "Selamat pagi") == set()
