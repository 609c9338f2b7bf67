"""Issue 12, reproduced at the service level: each test failed before its fix."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import ChatContext
from tests.unit.conftest import BUSAN, SURABAYA, Kit, member

Partners = tuple[ChatContext, ChatContext]


async def test_unremind_checks_the_creator_also_beyond_the_twenty_soonest(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    reminders = kit.services.reminders
    await reminders.remind(surabaya, member(1, "Ani"), "Jumat jam 10 Rapat penting")  # #1, Ani's
    attacker = member(66, "Mallory")
    for n in range(20):  # twenty sooner ones push #1 out of /reminders
        await reminders.remind(busan, attacker, f"내일 오전 {n % 9 + 1}시 소음 {n}")
    key, _ = await kit.refusal(reminders.unremind(busan, attacker, "1"), busan)
    assert key == "admin.only"
    assert await kit.services.reminder_engine.reminders.numbered(surabaya.scope, 1) is not None
    assert (await reminders.unremind(surabaya, member(1, "Ani"), "1")).key == "unremind.done"


async def test_a_group_that_leaves_stops_getting_the_bridges_reminders_and_cannot_press_them(
    kit: Kit, partners: Partners
) -> None:
    surabaya, busan = partners
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU tenggat Jumat jam 14:00")
    await kit.services.reminders.remind(surabaya, member(1), "besok jam 9 Siapkan agenda")
    kit.clock.now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    await kit.services.reminder_engine.run_due()
    old_button = kit.telegram.last(BUSAN).buttons
    assert old_button is not None
    await kit.services.bridges.leave(busan, kit.admin(BUSAN, 2), "")
    busan_left = await kit.here(BUSAN)
    before = len(kit.texts(BUSAN))
    kit.clock.now = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # the item's due time
    await kit.services.reminder_engine.run_due()
    assert len(kit.texts(BUSAN)) == before  # nothing more for the group that left
    assert any("🔔" in t or "⏰" in t for t in kit.texts(SURABAYA)[-2:])
    key, _ = await kit.refusal(kit.services.reminders.press(busan_left, member(3), old_button[0][0][1]), busan_left)
    assert key == "reminder.button_other_chat"
    snooze = old_button[0][1][1]
    key, _ = await kit.refusal(kit.services.reminders.press(busan_left, member(3), snooze), busan_left)
    assert key == "reminder.button_other_chat"


async def test_a_bridge_shrunk_to_one_group_still_shows_its_items(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU")
    await kit.services.bridges.leave(busan, kit.admin(BUSAN, 2), "")
    alone = await kit.here(SURABAYA)
    assert not alone.partnered and alone.scope == surabaya.scope
    listing = kit.render(await kit.services.actions.listing(alone, member(1), ""), alone)
    assert "Kirim draf MoU" in listing
