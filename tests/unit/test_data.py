"""Data kept only as long as needed: /forget, the retention run, the operator's approval and limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.context import ChatContext
from bot.language.catalog import Catalog
from bot.relay.service import InboundMessage
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, make_kit, member

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
