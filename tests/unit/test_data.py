"""Data kept only as long as needed: /forget, the retention run, the operator's approval and limits."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bot.context import ChatContext
from bot.domain.records import InboxItem
from bot.features.action_text import Mention
from bot.language.catalog import Catalog
from bot.relay.service import InboundMessage
from tests.fakes.memory import Memory
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, eventually, make_kit, member

Partners = tuple[ChatContext, ChatContext]


def message(n: int) -> InboundMessage:
    text = f"Pesan rahasia nomor {n}"
    return InboundMessage(SURABAYA, n, 7, "Ani", "Surabaya", "id", text, text, None, None, 0, 1_800_000_000)


async def test_forget_asks_an_administrator_to_confirm_then_deletes_the_group_and_tells_its_partners(
    kit: Kit, partners: Partners
) -> None:
    surabaya, busan = partners
    privacy = kit.services.privacy
    await kit.services.actions.create(busan, member(2), "Busan's own item")
    await kit.services.actions.create(surabaya, member(1), "Surabaya's item")
    key, _ = await kit.refusal(privacy.forget_command(surabaya, member(3), ""), surabaya)
    assert key == "admin.only"
    admin = kit.admin(SURABAYA, 1)
    asked = await privacy.forget_command(surabaya, admin, "")
    assert asked.buttons is not None and "Surabaya" in kit.render(asked, surabaya)
    confirm, cancel = (data for _, data in asked.buttons[0])
    assert (await privacy.press(surabaya, admin, cancel)) is not None
    assert await kit.services.chats.get(SURABAYA) is not None  # cancelled: nothing gone
    key, _ = await kit.refusal(privacy.press(surabaya, member(3), confirm), surabaya)
    assert key == "admin.only"
    done = await privacy.press(surabaya, admin, confirm)
    assert done is not None and done.alert
    assert await kit.services.chats.get(SURABAYA) is None
    assert any("Surabaya" in t and "menghapus" not in t and "삭제를 요청하고" in t for t in kit.texts(BUSAN))
    listing = kit.render(await kit.services.actions.listing(await kit.here(BUSAN), member(2), "all"), busan)
    assert "Busan's own item" in listing and "Surabaya's item" not in listing


def strings(value: object, seen: set[int] | None = None) -> Iterator[str]:
    """Every string kept in ``value``: in its records, collections and attributes (fakes, rows), deep."""
    seen = set() if seen is None else seen
    if isinstance(value, str):
        yield value
        return
    if id(value) in seen or value is None or isinstance(value, int | float | datetime):
        return
    seen.add(id(value))
    if isinstance(value, dict):
        children: list[object] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        children = list(value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        children = [getattr(value, field.name) for field in dataclasses.fields(value)]
    elif hasattr(value, "__dict__"):
        children = [v for k, v in vars(value).items() if k != "memory"]  # not back up to the whole memory
    else:
        return
    for child in children:
        yield from strings(child, seen)


SECRETS = ("rahasia", "siti", "budi santoso")  # Surabaya's titles, notes, messages and people, in any case


def kept_secrets(memory: Memory) -> dict[str, set[str]]:
    """Which secrets each fake repository keeps somewhere in its stored records."""
    found: dict[str, set[str]] = {}
    for fake in memory.fakes():
        written = " ".join(strings(fake)).casefold()
        hits = {secret for secret in SECRETS if secret in written}
        if hits:
            found[type(fake).__name__] = hits
    return found


async def test_after_forget_none_of_the_groups_titles_names_notes_or_messages_is_kept_anywhere(
    catalog: Catalog,
) -> None:
    memory = Memory()
    async with make_kit(catalog, memory) as kit:
        surabaya = await kit.group(SURABAYA, "Surabaya", "id")
        busan = await kit.group(BUSAN, "Busan", "ko")
        await kit.link(SURABAYA, BUSAN)
        surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
        assert surabaya.bridge is not None
        siti, kim = kit.admin(SURABAYA, 1, "Siti Wulandari"), kit.admin(BUSAN, 2, "Kim")
        budi = [Mention("Budi Santoso", 31)]
        actions, indicators = kit.services.actions, kit.services.indicators
        await actions.create(surabaya, siti, "Judul rahasia")
        await actions.assign(surabaya, siti, "1 Budi Santoso", budi)
        await actions.rename(busan, kim, "1 Judul rahasia baru")  # Busan's words, on Surabaya's item
        await actions.create(busan, kim, "Busan visit")
        await actions.assign(surabaya, siti, "2 Budi Santoso", budi)  # Surabaya acts on Busan's item …
        await actions.assign(busan, kim, "2 Kim")  # … whose owners Busan sets again
        await kit.services.programmes.programme(surabaya, siti, "add pendidikan")
        await indicators.indicator(surabaya, siti, "add pendidikan pertukaran target 10")
        await indicators.indicator(surabaya, siti, "pendidikan pertukaran +5 catatan rahasia")
        await indicators.indicator(busan, member(7, "Kim"), "pendidikan pertukaran +1 Busan note")
        await kit.services.relay.submit(message(1), surabaya.bridge)
        await kit.telegram.wait_for(lambda: any("Pesan rahasia nomor 1" in t for t in kit.texts(BUSAN)))

        async def cached() -> bool:  # the translations are cached behind the messages
            texts = {row.text for row in memory.translation_cache.rows.values()}
            return {"Pesan rahasia nomor 1", "catatan rahasia", "Judul rahasia"} <= texts

        await eventually(cached)
        assert set(kept_secrets(memory)) >= {
            "FakeActionRepository",
            "FakeEventRepository",
            "FakeIndicatorRepository",
            "FakeTranslationCacheRepository",
        }
        await kit.services.privacy.forget(SURABAYA)
        assert kept_secrets(memory) == {}
        # What is Busan's stays: its item, its history of it, its note, its translations made since.
        busan = await kit.here(BUSAN)
        listing = kit.render(await actions.listing(busan, member(7), "all"), busan)
        assert "Busan visit" in listing and "Judul" not in listing
        assert [(e.kind, e.item_number, e.detail) for e in memory.events.rows if e.chat_id == BUSAN] == [
            ("renamed", 1, None),  # Surabaya's item is gone: what its history said of it too
            ("created", 2, "Busan visit"),
            ("assigned", 2, "Kim"),
            ("indicator", None, "+1 → 6"),
        ]
        assert [u.note for u in memory.indicators.kept] == [None, "Busan note"]


async def test_a_group_the_bot_was_removed_from_is_forgotten_after_some_days(kit: Kit, partners: Partners) -> None:
    await kit.services.bridges.bot_removed(BUSAN)
    assert (await kit.services.privacy.run_retention(datetime.now(UTC)))["removed_groups"] == 0
    result = await kit.services.privacy.run_retention(datetime.now(UTC) + timedelta(days=31))
    assert result["removed_groups"] == 1 and await kit.services.chats.get(BUSAN) is None
    assert await kit.services.chats.get(SURABAYA) is not None


async def test_with_approval_on_only_approved_groups_can_link(catalog: Catalog) -> None:
    async with make_kit(catalog, approval=True, allowed_chats=(SURABAYA,)) as kit:
        surabaya = await kit.group(SURABAYA, "Surabaya", "id")
        busan = await kit.group(BUSAN, "Busan", "ko")
        admin_sby, admin_pus = kit.admin(SURABAYA, 1), kit.admin(BUSAN, 2)
        await kit.services.bridges.link_command(surabaya, admin_sby, "")  # allowed by configuration
        code = kit.texts(1)[-1].split("<code>")[1].split("</code>")[0]
        key, text = await kit.refusal(kit.services.bridges.link_command(busan, admin_pus, code), busan)
        assert key == "link.not_approved" and str(BUSAN) in text
        await kit.services.bridges.approve(BUSAN)
        asked = await kit.services.bridges.link_command(busan, admin_pus, code)
        assert asked.key == "link.requested"


async def test_limits_per_bridge_on_groups_items_and_reminders(catalog: Catalog) -> None:
    async with make_kit(catalog, max_groups_per_bridge=2, max_open_items=2, max_reminders=1) as kit:
        surabaya = await kit.group(SURABAYA, "Surabaya", "id")
        await kit.group(BUSAN, "Busan", "ko")
        third = await kit.group(BRAUNSCHWEIG, "Braunschweig", "de")
        await kit.link(SURABAYA, BUSAN)
        surabaya = await kit.here(SURABAYA)
        for title in ("Satu", "Dua"):
            await kit.services.actions.create(surabaya, member(1), title)
        key, _ = await kit.refusal(kit.services.actions.create(surabaya, member(1), "Tiga"), surabaya)
        assert key == "action.too_many"
        await kit.services.reminders.remind(surabaya, member(1), "besok jam 9 Rapat")
        key, _ = await kit.refusal(kit.services.reminders.remind(surabaya, member(1), "besok jam 10 Lagi"), surabaya)
        assert key == "remind.too_many"
        admin = kit.admin(SURABAYA, 1)
        await kit.services.bridges.link_command(surabaya, admin, "")
        code = kit.texts(1)[-1].split("<code>")[1].split("</code>")[0]
        await kit.services.bridges.link_command(third, kit.admin(BRAUNSCHWEIG, 3), code)
        request = kit.telegram.last(SURABAYA).buttons
        assert request is not None
        key, _ = await kit.refusal(kit.services.bridges.press(surabaya, admin, request[0][0][1]), surabaya)
        assert key == "link.bridge_full"


async def test_revoking_a_groups_approval_takes_it_out_of_its_bridge_and_tells_everyone(catalog: Catalog) -> None:
    async with make_kit(catalog, approval=True, allowed_chats=(SURABAYA,)) as kit:
        await kit.group(SURABAYA, "Surabaya", "id")
        await kit.group(BUSAN, "Busan", "ko")
        await kit.group(BRAUNSCHWEIG, "Braunschweig", "de")
        bridges = kit.services.bridges
        await bridges.approve(BUSAN)
        await bridges.approve(BRAUNSCHWEIG)
        await kit.link(SURABAYA, BUSAN, BRAUNSCHWEIG)
        assert await bridges.revoke_approval(SURABAYA) == (False, False)  # allowed by configuration: stays
        assert await bridges.revoke_approval(BUSAN) == (True, True)
        assert (await kit.here(BUSAN)).bridge is None
        assert [c.id for c in (await kit.here(SURABAYA)).members] == [SURABAYA, BRAUNSCHWEIG]
        assert any("Busan" in t and "mencabut" in t for t in kit.texts(SURABAYA))
        assert any("Busan" in t and "Freigabe" in t for t in kit.texts(BRAUNSCHWEIG))
        assert any("승인을 철회" in t for t in kit.texts(BUSAN))
        assert await bridges.revoke_approval(BUSAN) == (False, False)  # nothing left to revoke
    async with make_kit(catalog) as open_kit:  # approval off: revoking changes nothing about the bridge
        await open_kit.group(SURABAYA, "Surabaya", "id")
        await open_kit.group(BUSAN, "Busan", "ko")
        await open_kit.link(SURABAYA, BUSAN)
        await open_kit.services.bridges.approve(BUSAN)
        assert await open_kit.services.bridges.revoke_approval(BUSAN) == (True, False)
        assert (await open_kit.here(BUSAN)).partnered


async def test_an_update_set_aside_is_kept_30_days_for_the_operator_a_processed_one_2(kit: Kit) -> None:
    inbox = kit.services.inbox
    await inbox.quarantine(7, {"update_id": 7, "message": "unreadable"}, "ValidationError")
    await inbox.store([InboxItem(8, SURABAYA, {"update_id": 8})])
    await inbox.start([8])
    await inbox.finish([8])
    now = datetime.now(UTC)  # what the rows were stamped with
    assert (await kit.services.privacy.run_retention(now + timedelta(days=3)))["updates"] == 1  # the processed one
    assert [update_id for update_id, _, _ in await inbox.quarantined()] == [7]
    assert (await kit.services.privacy.run_retention(now + timedelta(days=31)))["updates"] == 1
    assert await inbox.quarantined() == []
