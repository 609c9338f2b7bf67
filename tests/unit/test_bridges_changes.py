"""Issue 12, reproduced at the service level: each test failed before its fix."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import ChatContext
from bot.domain.records import Owner
from bot.features.action_text import Mention
from bot.features.bridges import AttemptLimiter
from bot.ops.limits import UserLimits
from storage.db import ReadCache
from tests.kit import BUSAN, SURABAYA, Kit, member

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


async def test_owners_are_matched_on_user_ids_never_on_display_names(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    actions = kit.services.actions
    await actions.create(surabaya, member(1, "Ani"), "Kirim draf MoU @kim_ms")
    impostor = member(66, "@kim_ms")  # a display name that looks like the owner's username
    namesake = member(67, "kim_ms")
    for who in (impostor, namesake):
        key, _ = await kit.refusal(actions.done(busan, who, "1"), busan)
        assert key == "action.not_allowed"
        key, _ = await kit.refusal(actions.rename(busan, who, "1 Dibajak"), busan)
        assert key == "action.not_allowed"
        key, _ = await kit.refusal(actions.assign(busan, who, "1 @mallory"), busan)
        assert key == "action.not_allowed"
    kim = member(22, "Kim Min-su", "kim_ms")
    await actions.done(busan, kim, "1")  # the real @kim_ms: bound to user 22 on first sight
    item = await actions.actions.get(busan.scope, 1)
    assert item is not None and item.status == "done" and item.owners == (Owner("@kim_ms", 22),)
    thief = member(23, "Someone Else", "kim_ms")  # the username later taken by someone else
    key, _ = await kit.refusal(actions.reopen(busan, thief, "1"), busan)
    assert key == "action.not_allowed"


async def test_a_text_mention_owner_counts_by_id_and_a_plain_name_grants_nothing(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    actions = kit.services.actions
    await actions.create(surabaya, member(1), "Kirim laporan Budi Santoso", mentions=[Mention("Budi Santoso", 31)])
    await actions.create(surabaya, member(1), "Siapkan ruangan owner: Siti Aminah")
    first, second = await actions.actions.get(surabaya.scope, 1), await actions.actions.get(surabaya.scope, 2)
    assert first is not None and first.owners == (Owner("Budi Santoso", 31),)
    assert second is not None and second.owners == (Owner("Siti Aminah"),)
    key, _ = await kit.refusal(actions.done(surabaya, member(32, "Budi Santoso"), "1"), surabaya)
    assert key == "action.not_allowed"
    await actions.done(surabaya, member(31, "Budi"), "1")
    key, _ = await kit.refusal(actions.done(surabaya, member(33, "Siti Aminah"), "2"), surabaya)
    assert key == "action.not_allowed"


async def test_take_it_is_for_unowned_items_or_administrators(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    actions = kit.services.actions
    await actions.create(surabaya, member(1), "Kirim draf MoU @kim_ms")
    key, _ = await kit.refusal(actions.press(busan, member(66, "Mallory", "mallory"), "act|b1|1|take"), busan)
    assert key == "action.take_owned"
    taken = await actions.press(busan, kit.admin(BUSAN, 44, "Admin", "admin_busan"), "act|b1|1|take")
    assert taken is not None and taken.key == "action.button_taken"
    item = await actions.actions.get(busan.scope, 1)
    assert item is not None and [o.name for o in item.owners] == ["@kim_ms", "@admin_busan"]


async def test_an_owner_given_by_username_is_resolved_from_people_already_seen(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    await kit.services.chats.seen(22, "Kim_MS")
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU @kim_ms")
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.owners == (Owner("@kim_ms", 22),)
    await kit.services.chats.seen(23, "kim_ms")  # the username moved to someone else: the owner stays 22
    await kit.services.actions.done(busan, member(22, "Kim Min-su", "kim_new"), "1")


async def test_five_taps_make_two_announcements_not_five(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    actions = kit.services.actions
    actions.merge_seconds = 0.3
    await actions.create(surabaya, member(1), "Kirim draf MoU")
    for n in range(5):  # five administrators tap 🙋 one after the other
        await actions.press(busan, kit.admin(BUSAN, 40 + n, f"Admin {n}", f"admin{n}"), "act|b1|1|take")

    def owner_lines() -> list[str]:
        return [t for t in kit.texts(SURABAYA) if t.startswith("👤 #1")]

    await kit.telegram.wait_for(lambda: len(owner_lines()) == 2)
    first, merged = owner_lines()
    assert "@admin0" in first and "@admin1" not in first
    assert all(f"@admin{n}" in merged for n in range(5))  # the last line tells the final state
    same = await actions.press(busan, kit.admin(BUSAN, 40, "Admin 0", "admin0"), "act|b1|1|take")
    assert same is not None and same.key == "action.button_taken"  # already an owner: nothing announced


def test_commands_and_taps_are_limited_per_member_and_told_once() -> None:
    now = [0.0]
    limits = UserLimits(commands_per_minute=3, presses_per_minute=2, clock=lambda: now[0])
    assert [limits.allow("command", -1, 7) for _ in range(5)] == [
        (True, False),
        (True, False),
        (True, False),
        (False, True),
        (False, False),
    ]
    assert limits.allow("command", -1, 8) == (True, False)  # another member
    assert limits.allow("command", -2, 7) == (True, False)  # another group
    assert limits.allow("press", -1, 7) == (True, False)  # buttons count apart
    now[0] = 61.0
    assert limits.allow("command", -1, 7) == (True, False)  # a new minute
    # Posting as the group (anonymous administrators) is limited too: one window for the group's anonymous posts.
    assert [limits.allow("command", -1, None) for _ in range(4)] == [
        (True, False),
        (True, False),
        (True, False),
        (False, True),
    ]
    assert limits.allow("command", -2, None) == (True, False)  # another group's anonymous posts count apart


def test_per_chat_memories_are_trimmed() -> None:
    now = [0.0]
    cache = ReadCache(ttl=5.0, clock=lambda: now[0], max_entries=10)
    for chat_id in range(10):
        cache.store(cache.chats, chat_id, None, cache.start_read())
    now[0] = 6.0  # all of them past their ttl
    cache.store(cache.chats, 99, None, cache.start_read())
    assert list(cache.chats) == [99]
    limiter = AttemptLimiter(limit=5, window=60.0, clock=lambda: now[0])
    for chat_id in range(1025):
        limiter.failed(chat_id)
    now[0] = 100.0
    limiter.failed(5000)
    assert list(limiter._failures) == [5000]
