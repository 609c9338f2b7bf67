"""Settings storage, in memory, on SQLite and on PostgreSQL (``repos``): the bridge's glossary; migration 0013
(each group's working week, ``chats.workdays``; storing it is tested with the chats in
tests/integration/test_bridges_storage.py)."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.domain import repositories as domain
from bot.domain.repositories import Repositories
from bot.domain.rules import GLOSSARY_TERM_MAX
from storage.chats import ChatRepository
from storage.db import Database
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Base


async def make_chats(chats: domain.ChatRepository, *ids: int) -> None:
    for chat_id in ids:
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="en")


# -- glossary ------------------------------------------------------------------------------------------


async def test_glossary_upsert_remove_and_case_insensitivity(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2)
    bridge = await repos.bridges.link(-1, -2)
    glossary = repos.glossary
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


async def test_glossary_terms_are_normalised_and_limited(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3, -4)
    bridge = await repos.bridges.link(-1, -2)
    other = await repos.bridges.link(-3, -4)
    glossary = repos.glossary
    composed = await glossary.add(bridge.id, " Cafe\u0301 \t kota\n", {"ko": "카페"})
    assert composed.term == "Caf\u00e9 kota"  # NFC, whitespace collapsed
    await glossary.add(other.id, "Café kota", {"de": "Café"})  # each bridge has its own glossary
    assert await glossary.as_mapping(bridge.id) == {"Café kota": {"ko": "카페"}}
    assert await glossary.remove(bridge.id, "CAFÉ   KOTA") is True
    assert await glossary.list(bridge.id) == []
    assert await glossary.as_mapping(other.id) == {"Café kota": {"de": "Café"}}

    longest = "x" * GLOSSARY_TERM_MAX
    assert (await glossary.add(bridge.id, f" {longest} ", {})).term == longest
    with pytest.raises(ValueError):
        await glossary.add(bridge.id, longest + "y", {})
    with pytest.raises(ValueError):  # the case-folded key is too long ("ß" folds to "ss")
        await glossary.add(bridge.id, "ß" * GLOSSARY_TERM_MAX, {})
    assert (await glossary.add(bridge.id, "SDM", {"en": "h" * GLOSSARY_TERM_MAX})).renderings["en"] == "h" * 64
    with pytest.raises(ValueError):  # a rendering has the same limit as its term
        await glossary.add(bridge.id, "SDM", {"en": "h" * (GLOSSARY_TERM_MAX + 1)})
    assert await glossary.as_mapping(bridge.id) == {longest: {}, "SDM": {"en": "h" * GLOSSARY_TERM_MAX}}


# -- migration 0013: chats.workdays --------------------------------------------------------------------------


def _chats_only(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name == "chats"


def _chats_drift(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "include_name": _chats_only,
            "include_object": lambda _obj, name, type_, *_: _chats_only(name, type_),
        },
    )
    return list(compare_metadata(context, Base.metadata))


def _chat_columns(conn: Connection) -> set[str]:
    return {column["name"] for column in inspect(conn).get_columns("chats")}


async def test_migration_0013_downgrades_and_upgrades_again(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_chats_drift) == []
    chats = ChatRepository(db)
    for chat_id in (-1, -2):
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="id")
    await chats.set_city(-1, "Surabaya")
    await chats.set_show_original(-1, True)
    await chats.set_workdays(-1, frozenset({6, 0, 1, 2, 3}))

    await downgrade(db.engine, "0012")
    assert await current_revision(db.engine) == "0012"
    async with db.engine.connect() as conn:
        columns = await conn.run_sync(_chat_columns)
        kept = (await conn.execute(text("SELECT id, city, show_original FROM chats ORDER BY id"))).all()
    assert "workdays" not in columns
    assert [tuple(row) for row in kept] == [(-2, None, False), (-1, "Surabaya", True)]  # the rest stays

    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_chats_drift) == []
    db.cache.chat_changed(-1)
    db.cache.chat_changed(-2)
    first, second = await chats.get(-1), await chats.get(-2)
    assert first is not None and second is not None
    assert first.workdays == second.workdays == frozenset(range(5))  # NULL after upgrading: Monday to Friday
    assert (first.city, first.show_original) == ("Surabaya", True)
    assert (await chats.set_workdays(-2, frozenset({5, 6}))).workdays == frozenset({5, 6})
