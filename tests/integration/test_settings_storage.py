"""Settings storage on SQLite and PostgreSQL: the bridge's glossary."""

from __future__ import annotations

import pytest

from storage.bridges import BridgeRepository
from storage.chats import ChatRepository
from storage.db import Database
from storage.glossary import GlossaryRepository


async def make_chats(db: Database, *ids: int) -> None:
    chats = ChatRepository(db)
    for chat_id in ids:
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="en")


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
