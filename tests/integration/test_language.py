"""Integration: the interface in all six languages, sub-commands typed in the group's language, and a date with
two plausible readings answered with a one-tap choice (emulator + local translator)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.language.catalog import Catalog
from bot.language.dates import format_when
from bot.language.localise import describe_recurrence
from bot.telegram.app import MENU
from tests.conftest import Clock
from tests.world import World

# Wednesday 2 December 2026, 02:00 UTC (09:00 in Jakarta, 11:00 in Seoul and Tokyo).
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
SIX = ("id", "en", "ko", "de", "ja", "zh")


def buttons(message: dict[str, Any]) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


def plain(text: str) -> str:
    """What Telegram shows of a message written in Telegram HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@pytest.mark.parametrize("lang", ["ja", "zh"])
async def test_a_new_japanese_or_chinese_group_starts_in_its_language(
    sqlite_world: World, catalog: Catalog, lang: str
) -> None:
    world = sqlite_world
    town = world.town("Kyoto" if lang == "ja" else "Suzhou", lang)
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        helped = await world.ask(town, "/help")
        assert helped == plain(catalog.t("help.text", lang))
        listed = await world.ask(town, "/actions")
        assert listed == plain(catalog.t("action.none", lang))


async def test_command_menus_in_all_six_languages(sqlite_world: World, catalog: Catalog) -> None:
    world = sqlite_world
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        for lang in SIX:
            menu = {c["command"]: c["description"] for c in world.emu.commands(language_code=lang)}
            assert menu == {name: catalog.t(key, lang) for name, key in MENU}, lang


@pytest.mark.parametrize("lang", SIX)
async def test_sub_commands_are_typed_in_the_groups_language(sqlite_world: World, catalog: Catalog, lang: str) -> None:
    world = sqlite_world
    town = world.town("Kota", lang)
    word = catalog.word
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        await world.ask(town, "/action Kirim draf MoU")
        await world.ask(town, "/done 1")
        done = await world.ask(town, f"/actions {word('done', lang)}")
        assert "#1" in done and "Kirim draf MoU" in done
        none_open = await world.ask(town, f"/actions {word('open', lang)}")
        assert none_open == plain(catalog.t("action.none", lang))
        bad = await world.ask(town, "/actions xyz")
        assert all(word(f, lang) in bad for f in ("open", "mine", "overdue", "done", "all"))
        quiet_off = await world.ask(town, f"/reminders {word('quiet', lang)} {word('off', lang)}")
        assert quiet_off == plain(catalog.t("reminders.quiet_off", lang))
        overdue = await world.ask(town, f"/reminders {word('overdue', lang)} {word('off', lang)}")
        assert overdue == plain(catalog.t("reminders.overdue_set", lang, state=catalog.t("state.off", lang)))
        shown = await world.ask(town, f"/original {word('on', lang)}")
        assert shown == plain(catalog.t("original.on", lang))
        english = await world.ask(town, "/original off")
        assert english == plain(catalog.t("original.off", lang))


async def test_a_bare_hour_offers_the_other_reading_and_the_press_moves_the_reminder(
    sqlite_world: World, catalog: Catalog
) -> None:
    world = sqlite_world
    london = world.town("London", "en")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False):
        before = len(world.emu.sent(london.id))
        world.emu.post(london.id, london.admin.id, "/remind friday at 4 Call Busan")
        answer = (await world.emu.wait_for_sent(london.id, before + 1))[before]
        text = plain(answer["text"])
        assert "Fri, 4 Dec 2026, 16:00" in text and "Call Busan" in text  # the working-hours reading, shown
        choice = buttons(answer)
        assert list(choice) == [html.unescape(catalog.t("btn.other_reading", "en", when="Fri, 4 Dec 2026, 04:00"))]
        data = next(iter(choice.values()))

        stranger = world.emu.create_user("Stranger", language_code="en")
        world.emu.add_member(london.id, stranger.id)
        refused = world.emu.press(london.id, answer["message_id"], stranger.id, data)
        assert (await world.emu.wait_for_callback_answer(refused))["text"] == plain(catalog.t("admin.only", "en"))

        sent = len(world.emu.sent(london.id))
        pressed = world.emu.press(london.id, answer["message_id"], london.admin.id, data)
        assert (await world.emu.wait_for_callback_answer(pressed))["text"] == catalog.t(
            "when.reminder_taken", "en", number=1, when="Fri, 4 Dec 2026, 04:00"
        )
        moved = (await world.emu.wait_for_sent(london.id, sent + 1))[sent]
        assert plain(moved["text"]) == plain(
            catalog.t("when.moved", "en", number=1, when="Fri, 4 Dec 2026, 04:00", text="Call Busan")
        )
        listing = plain(await world.ask(london, "/reminders"))
        assert "Fri, 4 Dec 2026, 04:00 — Call Busan" in listing and "16:00" not in listing

        again = world.emu.press(london.id, answer["message_id"], london.admin.id, data)
        assert (await world.emu.wait_for_callback_answer(again))["text"] == catalog.t("when.choice_gone", "en")


async def test_the_other_reading_of_a_due_date_is_announced_in_each_groups_zone(
    sqlite_world: World, catalog: Catalog
) -> None:
    world = sqlite_world
    london, busan = world.town("London", "en"), world.town("Busan", "ko")
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        await world.setup(london, busan)
        before = len(world.emu.sent(london.id))
        world.emu.post(london.id, london.admin.id, "/action Send the MoU draft due friday at 3")
        sent = await world.emu.wait_for_sent(london.id, before + 2)
        offers = [m for m in sent[before:] if any(d.startswith("when|a|") for d in buttons(m).values())]
        assert len(offers) == 1 and "Fri, 4 Dec 2026, 15:00" in plain(offers[0]["text"])
        data = next(d for d in buttons(offers[0]).values() if d.startswith("when|a|"))
        await world.relayed(busan, "#1")

        member = world.emu.press(london.id, offers[0]["message_id"], london.member.id, data)
        assert (await world.emu.wait_for_callback_answer(member))["text"] == plain(
            catalog.t("action.not_allowed", "en")
        )
        pressed = world.emu.press(london.id, offers[0]["message_id"], london.admin.id, data)
        assert (await world.emu.wait_for_callback_answer(pressed))["text"] == catalog.t(
            "when.due_taken", "en", number=1, when="Fri, 4 Dec 2026, 03:00"
        )
        # 03:00 in London is 12:00 in Seoul: each group reads the new due date in its own zone.
        korean = await world.relayed(busan, "📅 #1")
        assert "2026년 12월 4일 (금) 12:00" in plain(korean["text"])
        english = await world.relayed(london, "📅 #1")
        assert "Fri, 4 Dec 2026, 03:00" in plain(english["text"])


async def test_japanese_recurring_reminder_and_chinese_due_date_after_the_title(
    sqlite_world: World, catalog: Catalog
) -> None:
    world = sqlite_world
    kyoto, suzhou = world.town("Kyoto", "ja"), world.town("Suzhou", "zh")
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        made = await world.ask(kyoto, "/remind 毎週月曜日 09:00 定例会議")
        rule = describe_recurrence(catalog, "MO@09:00", "ja")
        assert made == plain(catalog.t("remind.created_recurring", "ja", number=1, rule=rule, text="定例会議"))
        await world.ask(suzhou, "/action 发送MoU草案 负责人：张伟，李娜 3月30日 15:00截止")
        listed = await world.ask(suzhou, f"/actions {catalog.word('open', 'zh')}")
        due = format_when(datetime(2027, 3, 30, 7, 0, tzinfo=UTC), "zh", "Asia/Shanghai")
        assert "发送MoU草案" in listed and due in listed and catalog.join(["张伟", "李娜"], "zh") in listed
