"""Settings storage, in memory, on SQLite and on PostgreSQL (``repos``): the bridge's glossary."""

from __future__ import annotations

import pytest

from bot.domain import repositories as domain
from bot.domain.repositories import Repositories
from bot.domain.rules import GLOSSARY_TERM_MAX


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
