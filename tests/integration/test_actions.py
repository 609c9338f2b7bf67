"""Integration: action items, programmes, buttons and /status across a bridge (emulator + local translator)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.language.catalog import Catalog
from bot.sandbox.town import Town
from tests.conftest import Clock
from tests.world import World

# Wednesday 2 December 2026, 09:00 in Jakarta, 11:00 in Seoul.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def named(world: World, town: Town, username: str, first_name: str) -> Any:
    user = world.emu.create_user(first_name, username=username, language_code=town.language)
    world.emu.add_member(town.id, user.id)
    return user


async def post_as(world: World, town: Town, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
    before = len(world.emu.sent(town.id))
    world.emu.post(town.id, user_id, text, **kwargs)
    sent = await world.emu.wait_for_sent(town.id, before + 1)
    return sent[before]


async def test_create_list_translate_and_status_on_both_sides(world: World) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    kim = named(world, busan, "kim_ms", "Kim Min-su")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False):
        await world.setup(surabaya, busan)
        added = await world.ask(surabaya, "/programme add pendidikan — 50 pertukaran pelajar per tahun")
        await world.ask(surabaya, "/action Kirim draf MoU @kim_ms tenggat Jumat jam 14:00 #pendidikan")
        card_id = await world.relayed(surabaya, "Tindak lanjut baru #1")
        card_ko = await world.relayed(busan, "새 과제 #1")
        await world.ask(busan, "/action Delegation visit plan due 2026-12-10")
        await world.relayed(surabaya, "Tindak lanjut baru #2")
        listing = await world.ask(busan, "/actions")
        mine = await post_as(world, busan, kim.id, "/actions mine")
        status_id = await world.ask(surabaya, "/status")
        status_ko = await world.ask(busan, "/status")
    assert "pendidikan" in added and "50 pertukaran" in added
    assert "#1 Kirim draf MoU" in card_id["text"]
    assert "👤 @kim_ms" in card_id["text"] and "#pendidikan" in card_id["text"]
    assert "Jum, 4 Des 2026" in card_id["text"] and "14.00" in card_id["text"]  # Jakarta time, Indonesian format
    assert "[ko] Kirim draf MoU" in card_ko["text"]  # translated for Busan
    assert "16:00" in card_ko["text"]  # Friday 14:00 in Jakarta is 16:00 in Seoul
    buttons = [b["callback_data"] for row in card_ko["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons and all(b.startswith("act|b") and b.count("|") == 3 for b in buttons)
    assert "#1 [ko] Kirim draf MoU" in listing and "#2 Delegation visit plan" in listing
    assert listing.index("#1") < listing.index("#2"), "sorted by due date"
    assert "#1" in mine["text"] and "#2" not in mine["text"]
    assert "pendidikan: 1 berjalan, 0 melewati tenggat, 0 selesai" in status_id
    assert "#1 Kirim draf MoU" in status_id and "@kim_ms" in status_id
    assert "pendidikan: 진행 중 1, 기한 초과 0, 완료 0" in status_ko
    assert "[ko] Kirim draf MoU" in status_ko


async def test_action_from_a_reply_and_changes_announced_everywhere(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False):
        await world.setup(surabaya, busan)
        agreed = world.emu.post(busan.id, busan.member.id, "Busan sends the MoU draft")
        await world.relayed(surabaya, "Busan sends the MoU draft")
        await post_as(world, busan, busan.admin.id, "/action @lee due tomorrow 10am", reply_to=agreed["message_id"])
        card = await world.relayed(surabaya, "Tindak lanjut baru #1")
        await world.ask(busan, "/due 1 friday 3pm")
        moved = await world.relayed(surabaya, "📅 #1")
        await world.ask(busan, "/assign 1 @lee, Budi Santoso")
        assigned = await world.relayed(surabaya, "👤 #1")
        await world.ask(busan, "/rename 1 Busan sends the final MoU draft")
        renamed = await world.relayed(surabaya, "✏️ Judul #1")
        await world.ask(busan, "/done 1")
        done = await world.relayed(surabaya, "✅ #1")
        again = await world.ask(busan, "/done 1")
        await world.ask(busan, "/reopen 1")
        await world.relayed(surabaya, "↩️ #1")
        await world.ask(busan, "/drop 1")
        await world.relayed(surabaya, "🗑 #1")
    assert "[id] Busan sends the MoU draft" in card["text"] and "👤 @lee" in card["text"]
    assert "Kam, 3 Des 2026" in card["text"]  # tomorrow 10:00 in Seoul = Thursday 08:00 in Jakarta
    assert "Jum, 4 Des 2026 13.00" in moved["text"]  # Friday 15:00 Seoul
    assert "@lee dan Budi Santoso" in assigned["text"]
    assert "[id] Busan sends the final MoU draft" in renamed["text"]
    assert "selesai" in done["text"] and "Busan Admin" in done["text"] and "Busan" in done["text"]
    assert again.startswith("#1 과제는 이미")


async def test_buttons_done_take_postpone_and_scope(sqlite_world: World, catalog: Catalog) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False):
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/action Siapkan ruang rapat tenggat besok jam 10")
        card = await world.relayed(busan, "새 과제 #1")
        data = {b["text"]: b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row}
        take = world.emu.press(busan.id, card["message_id"], busan.member.id, data[catalog.t("btn.take", "ko")])
        assert (await world.emu.wait_for_callback_answer(take))["text"] == catalog.t("action.button_taken", "ko")
        await world.relayed(surabaya, "Busan Member")
        later = world.emu.press(busan.id, card["message_id"], busan.member.id, data[catalog.t("btn.plus_day", "ko")])
        await world.emu.wait_for_callback_answer(later)
        postponed = await world.relayed(surabaya, "📅 #1")
        stranger = named(world, busan, "stranger", "Stranger")
        refused = world.emu.press(busan.id, card["message_id"], stranger.id, data[catalog.t("btn.done", "ko")])
        refused_answer = await world.emu.wait_for_callback_answer(refused)
        done = world.emu.press(busan.id, card["message_id"], busan.member.id, data[catalog.t("btn.done", "ko")])
        await world.emu.wait_for_callback_answer(done)
        await world.relayed(surabaya, "✅ #1")
        await world.ask(busan, "/unlink")
        other = world.emu.press(busan.id, card["message_id"], busan.admin.id, data[catalog.t("btn.done", "ko")])
        other_answer = await world.emu.wait_for_callback_answer(other)
    assert "Jum, 4 Des 2026 10.00" in postponed["text"]  # Thursday 10:00 + 1 day
    assert refused_answer["text"] == catalog.t("action.not_allowed", "ko")
    assert other_answer["text"] == catalog.t("action.button_other_bridge", "ko")
    assert other_answer.get("show_alert") is True


async def test_bad_input_gets_clear_answers(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, london = world.town("Surabaya", "id"), world.town("London", "en")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False):
        await world.setup(surabaya, london)
        answers = {
            "empty": await world.ask(london, "/action"),
            "long": await world.ask(london, "/action " + "x" * 501),
            "bad_when": await world.ask(london, "/action Send report due someday maybe"),
            "past": await world.ask(london, "/action Send report due 1.1.2020"),
            "programme": await world.ask(london, "/action Send report #tourism"),
            "bad_filter": await world.ask(london, "/actions later"),
            "extra_filter": await world.ask(london, "/actions open now"),
            "no_number": await world.ask(london, "/done first"),
            "missing": await world.ask(london, "/done 42"),
        }
        await world.ask(london, "/action Send report due tomorrow")
        answers["extra"] = await world.ask(london, "/done 1 please")
        answers["no_owner"] = await world.ask(london, "/assign 1")
        answers["bad_due"] = await world.ask(london, "/due 1 whenever")
        answers["not_allowed"] = await world.ask(london, "/drop 1", as_admin=False)
        answers["bad_programme"] = await world.ask(london, "/programme add two words")
        answers["status_args"] = await world.ask(london, "/status now")
    assert answers["empty"].startswith("The action needs a title")
    assert answers["long"] == "That title has 501 characters; the limit is 500."
    assert answers["bad_when"].startswith("I could not read someday maybe as a date")
    assert answers["past"].endswith("is in the past. Please give a future date.")
    assert answers["programme"].startswith("There is no programme tourism")
    assert answers["bad_filter"].startswith("Unknown option later")
    assert answers["extra_filter"].startswith("Unknown option open now")
    assert answers["no_number"].startswith("Please give the action's number")
    assert answers["missing"].startswith("There is no action #42 here")
    assert answers["extra"].startswith("/done takes only the action's number")
    assert answers["no_owner"].startswith("Name at least one owner")
    assert answers["bad_due"].startswith("I could not read whenever")
    assert answers["not_allowed"].startswith("Only the action's creator or a group administrator")
    assert answers["bad_programme"].startswith("A programme name is one word")
    assert answers["status_args"] == "/status takes no arguments."


async def test_unbridged_group_keeps_its_own_actions(sqlite_world: World) -> None:
    world = sqlite_world
    bandung = world.town("Bandung", "id")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False):
        await world.ask(bandung, "/lang id")
        created = await world.ask(bandung, "/action Undang delegasi Braunschweig tenggat 30 Desember")
        clock.now = NOW + timedelta(days=40)
        overdue = await world.ask(bandung, "/actions overdue")
        status = await world.ask(bandung, "/status")
    assert created.startswith("📌 Tindak lanjut baru #1 dari Bandung")
    assert "Rab, 30 Des 2026 17.00" in created  # a bare date means 17:00 local
    assert "#1 Undang delegasi Braunschweig" in overdue and "melewati tenggat" in overdue
    assert "Perkembangan grup ini" in status and "1 melewati tenggat" in status


def test_split_owner_names() -> None:
    from bot.features.action_text import split_owner_names

    assert split_owner_names("@kim_ms, Budi Santoso,  @lee_j") == ["@kim_ms", "@lee_j", "Budi Santoso"]
    assert split_owner_names("Kim Min-su", ["Kim Min-su"]) == ["Kim Min-su"]
    assert split_owner_names(" , ") == []


async def test_free_text_owners_in_action(sqlite_world: World) -> None:
    world = sqlite_world
    bandung = world.town("Bandung", "id")
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        await world.ask(bandung, "/lang id")
        created = await world.ask(bandung, "/action Undang delegasi pj: Budi Santoso, Kim tenggat Jumat")
    assert created.startswith("📌 Tindak lanjut baru #1 dari Bandung")
    assert "#1 Undang delegasi" in created and "👤 Budi Santoso dan Kim" in created


async def test_an_unknown_programme_is_created_with_one_tap_and_the_action_recorded(sqlite_world: World) -> None:
    """The README's example in a fresh bridge: no dead end, an administrator creates the programme."""
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "en"), world.town("Busan", "ko")
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        await world.setup(surabaya, busan)
        command = world.emu.post(
            surabaya.id, surabaya.member.id, "/action Busan sends the MoU draft @kim_ms due Friday 14:00 #education"
        )
        offer = (await world.emu.wait_for_sent(surabaya.id, len(world.emu.sent(surabaya.id)) + 1))[-1]
        assert offer["reply_to_message"]["message_id"] == command["message_id"]
        [[button]] = offer["reply_markup"]["inline_keyboard"]
        refused = world.emu.press(surabaya.id, offer["message_id"], surabaya.member.id, button["callback_data"])
        refused_answer = await world.emu.wait_for_callback_answer(refused)
        accepted = world.emu.press(surabaya.id, offer["message_id"], surabaya.admin.id, button["callback_data"])
        accepted_answer = await world.emu.wait_for_callback_answer(accepted)
        card_en = await world.relayed(surabaya, "New action #1")
        card_ko = await world.relayed(busan, "새 과제 #1")
        programmes = await world.ask(busan, "/programmes")
    assert offer["text"].startswith("There is no programme education yet. An administrator can create it")
    assert button["text"] == "➕ Create #education"
    assert refused_answer["text"].startswith("Sorry, only an administrator") and refused_answer["show_alert"]
    assert accepted_answer["text"] == "Programme #education created; the action is recorded."
    assert "#education" in card_en["text"] and "@kim_ms" in card_en["text"] and "Surabaya" in card_en["text"]
    assert "[ko] Busan sends the MoU draft" in card_ko["text"]
    assert "education" in programmes
