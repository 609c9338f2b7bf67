"""Storage: migrations, UTC instants, SQLite pragmas, the read cache (on SQLite and PostgreSQL); chats and
people, in memory too (``repos``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, inspect, text

from bot.domain.repositories import Repositories
from storage.chats import ChatRepository
from storage.db import Database, is_sqlite
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import BridgeMemberRow, BridgeRow, ChatRow, LinkCodeRow, ReminderRow, utcnow

CORE_TABLES = {
    "chats",
    "bridges",
    "bridge_members",
    "link_codes",
    "message_links",
    "translation_cache",
    "action_items",
    "reminders",
    "programmes",
}


async def test_upgrade_creates_core_tables_and_is_idempotent(db: Database) -> None:
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert CORE_TABLES <= tables
    assert await current_revision(db.engine) == head_revision()
    await db.upgrade()  # a second run is a no-op
    assert await current_revision(db.engine) == head_revision()


async def test_downgrade_then_upgrade_round_trips(db: Database) -> None:
    await downgrade(db.engine, "base")
    async with db.engine.connect() as conn:
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert not (CORE_TABLES & tables)
    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()


async def test_chat_repository_creates_updates_and_returns_records(repos: Repositories) -> None:
    chats = repos.chats
    assert await chats.get(-1001) is None
    created = await chats.ensure(-1001, title="Surabaya Sister City", type="supergroup", default_language="id")
    assert (created.id, created.language, created.city, created.timezone) == (-1001, "id", None, None)
    assert created.label == "Surabaya Sister City"
    assert created.created_at.tzinfo is not None

    again = await chats.ensure(-1001, title="Surabaya–Busan", type="supergroup", default_language="en")
    assert again.language == "id", "ensure must not overwrite the stored language"
    assert again.title == "Surabaya–Busan"

    updated = await chats.set_language(-1001, "ko")
    updated = await chats.set_city(-1001, "Surabaya")
    updated = await chats.set_timezone(-1001, "Asia/Jakarta")
    assert (updated.language, updated.city, updated.timezone, updated.label) == (
        "ko",
        "Surabaya",
        "Asia/Jakarta",
        "Surabaya",
    )
    fetched = await chats.get(-1001)
    assert fetched == updated
    assert [c.id for c in await chats.all()] == [-1001]

    with pytest.raises(LookupError):
        await chats.set_language(-999, "en")


async def test_people_are_found_by_username_until_forgotten(repos: Repositories) -> None:
    people = repos.people
    assert await people.by_username("budi") is None
    await people.seen(5, "Budi")
    await people.seen(6, None)
    await people.seen(9, "")  # no username
    assert await people.by_username("budi") == 5
    assert await people.by_username("BUDI") == 5  # usernames are case-insensitive
    await people.seen(7, "budi")  # the username moved to whoever holds it now
    assert await people.by_username("Budi") == 7
    await people.seen(5, "Budi_S")
    assert await people.by_username("budi_s") == 5
    await people.seen(8, "K" * 40)  # kept as Telegram allows: 32 characters
    assert await people.by_username("k" * 32) == 8
    assert await people.by_username("k" * 40) is None
    await people.seen(7, None)  # 7 gave the username up
    assert await people.by_username("budi") is None

    assert await people.forget_unseen(utcnow() - timedelta(days=1)) == 0
    assert await people.by_username("budi_s") == 5
    assert await people.forget_unseen(utcnow() + timedelta(seconds=1)) == 5
    assert await people.by_username("budi_s") is None
    assert await people.forget_unseen(utcnow() + timedelta(seconds=1)) == 0


async def test_instants_round_trip_as_aware_utc(db: Database) -> None:
    chats = ChatRepository(db)
    await chats.ensure(-42, title="Busan", type="group", default_language="ko")
    seoul_time = datetime(2026, 12, 1, 9, 30, tzinfo=UTC) + timedelta(hours=9)
    due = seoul_time.astimezone(UTC)
    async with db.session() as session:
        session.add(ReminderRow(chat_id=-42, text="MoU", due_at=due))
    async with db.session() as session:
        reminder = await session.get(ReminderRow, 1)
        assert reminder is not None
        assert reminder.due_at == due
        assert reminder.due_at.utcoffset() == timedelta(0)


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(Exception) as info:
        async with db.session() as session:
            session.add(
                LinkCodeRow(
                    code_hash="x" * 64,
                    chat_id=-777,  # no such chat
                    expires_at=datetime.now(UTC) + timedelta(minutes=30),
                )
            )
    assert "foreign key" in str(info.value).lower()


async def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        assert is_sqlite(sqlite_url)
        await database.upgrade()
        async with database.engine.connect() as conn:
            mode: object = (await conn.execute(text("PRAGMA journal_mode"))).scalar_one()
            fks: object = (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one()
        assert (str(mode).lower(), fks) == ("wal", 1)
    finally:
        await database.dispose()


async def test_data_survives_a_new_engine(db_url: str) -> None:
    first = Database(db_url)
    await first.upgrade()
    await ChatRepository(first).ensure(-5, title="Bandung", type="group", default_language="id")
    await ChatRepository(first).set_language(-5, "de")
    await first.dispose()

    second = Database(db_url)
    try:
        await second.upgrade()
        chat = await ChatRepository(second).get(-5)
        assert chat is not None and chat.language == "de"
    finally:
        await second.dispose()


async def test_concurrent_first_sight_of_a_chat_is_safe(db: Database) -> None:
    chats = ChatRepository(db)
    results = await asyncio.gather(
        *(chats.ensure(-100, title="Busan", type="supergroup", default_language="ko") for _ in range(8))
    )
    assert {r.id for r in results} == {-100}
    assert {r.language for r in results} == {"ko"}
    assert len(await chats.all()) == 1


async def test_migrations_keep_existing_data(db_url: str) -> None:
    """Batch migrations rebuild SQLite tables; members of a bridge must survive them (no FK cascades)."""
    from storage.bridges import BridgeRepository

    database = Database(db_url)
    try:
        await upgrade(database.engine, "0002")
        # Written in Core with the columns revision 0002 has: the ORM's chats row has columns added later.
        async with database.engine.begin() as conn:
            for chat_id in (-1, -2):
                await conn.execute(
                    insert(ChatRow).values(id=chat_id, title=str(chat_id), type="group", language="id", active=True)
                )
            bridge_id = (await conn.execute(insert(BridgeRow).values(name=None).returning(BridgeRow.id))).scalar_one()
            for chat_id in (-1, -2):
                await conn.execute(insert(BridgeMemberRow).values(bridge_id=bridge_id, chat_id=chat_id))
        await upgrade(database.engine)
        await downgrade(database.engine, "0001")
        await upgrade(database.engine)
        bridges = await BridgeRepository(database).all()
        assert [[c.id for c in b.members] for b in bridges] == [[-1, -2]]
    finally:
        await database.dispose()


async def test_read_cache_sees_own_changes_at_once_and_others_after_the_ttl(db_url: str) -> None:
    """Two Database objects stand for two bot processes sharing one database."""
    from storage.bridges import BridgeRepository

    now = [0.0]
    first, second = Database(db_url), Database(db_url)
    try:
        await first.upgrade()
        for database in (first, second):
            database.cache.clock = lambda: now[0]
        chats_a, chats_b = ChatRepository(first), ChatRepository(second)
        await chats_a.ensure(-1, title="Surabaya", type="group", default_language="id")
        await chats_a.ensure(-2, title="Busan", type="group", default_language="ko")
        assert (await chats_b.get(-1)) is not None  # process B has it cached now
        assert await BridgeRepository(second).bridge_of(-1) is None

        await chats_a.set_language(-1, "en")
        await BridgeRepository(first).link(-1, -2)
        assert (await chats_a.get(-1)).language == "en"  # type: ignore[union-attr]  # own change: at once
        assert [c.id for c in (await BridgeRepository(first).bridge_of(-1)).members] == [-1, -2]  # type: ignore[union-attr]
        assert (await chats_b.get(-1)).language == "id"  # type: ignore[union-attr]  # other process: not yet
        now[0] += 5.1
        assert (await chats_b.get(-1)).language == "en"  # type: ignore[union-attr]  # after the TTL
        assert await BridgeRepository(second).bridge_of(-1) is not None
    finally:
        await first.dispose()
        await second.dispose()
