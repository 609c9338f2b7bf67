"""Integration: /meet across a bridge against the emulator — an Indonesian group (Asia/Jakarta, ID calendar) and a
Korean one (Asia/Seoul, KR calendar): slots inside both groups' working hours, votes from both groups tallied in
both, an administrator's confirmation announced in both zones, and the meeting's reminders."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.language.catalog import Catalog
from tests.conftest import Clock
from tests.world import World, services

# Wednesday 2 December 2026, 09:00 in Jakarta (08:00–17:00 WIB = 01:00–10:00 UTC), 11:00 in Seoul
# (08:00–17:00 KST = 23:00–08:00 UTC): both at work from 08:00 to 15:00 in Jakarta.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


async def test_a_meeting_time_for_jakarta_and_seoul(world: World, catalog: Catalog) -> None:
    jakarta, seoul = world.town("Jakarta", "id"), world.town("Seoul", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(jakarta, seoul)
        await world.ask(jakarta, "/tz Asia/Jakarta")
        await world.ask(seoul, "/tz Asia/Seoul")
        await world.ask(jakarta, "/meet 1h: Rapat MoU", as_admin=False)
        in_jakarta = await world.relayed(jakarta, "📅 Rapat #1")
        in_seoul = await world.relayed(seoul, "📅 회의 #1")
        # One slot a day, inside 08:00–15:00 in Jakarta, 10:00–17:00 in Seoul.
        for shown in (
            "1. Rab, 2 Des 2026 09.30–10.30",
            "2. Kam, 3 Des 2026 08.00–09.00",
            "3. Jum, 4 Des 2026 08.00–09.00",
        ):
            assert shown in in_jakarta["text"], in_jakarta["text"]
        for shown in (
            "1. 2026년 12월 2일 (수) 11:30–12:30",
            "2. 2026년 12월 3일 (목) 10:00–11:00",
            "3. 2026년 12월 4일 (금) 10:00–11:00",
        ):
            assert shown in in_seoul["text"], in_seoul["text"]
        assert "근무 시간 밖" not in in_seoul["text"] and "di luar jam kerja" not in in_jakarta["text"]

        # A vote for option 3 in each group: both messages show two votes.
        voted = world.emu.press(jakarta.id, in_jakarta["message_id"], jakarta.member.id, buttons(in_jakarta)["🗳 3 · 0"])
        assert (await world.emu.wait_for_callback_answer(voted))["text"] == catalog.t("meet.voted", "id", n=3)
        in_seoul = world.emu.message(seoul.id, in_seoul["message_id"])
        voted = world.emu.press(seoul.id, in_seoul["message_id"], seoul.member.id, buttons(in_seoul)["🗳 3 · 1"])
        await world.emu.wait_for_callback_answer(voted)

        def tallied() -> bool:
            here = world.emu.message(jakarta.id, in_jakarta["message_id"])
            there = world.emu.message(seoul.id, in_seoul["message_id"])
            return "🗳 3 · 2" in buttons(here) and "🗳 3 · 2" in buttons(there) and "10:00–11:00 · 🗳 2" in there["text"]

        await world.emu.wait_for(tallied, message="two votes for option 3 in both groups")
        assert "Yang sudah memilih: 2 orang." in world.emu.message(jakarta.id, in_jakarta["message_id"])["text"]

        # A member cannot confirm; Seoul's administrator does.
        in_seoul = world.emu.message(seoul.id, in_seoul["message_id"])
        refused = world.emu.press(seoul.id, in_seoul["message_id"], seoul.member.id, buttons(in_seoul)["✅ 3"])
        assert (await world.emu.wait_for_callback_answer(refused))["text"] == catalog.t("admin.only", "ko")
        confirmed = world.emu.press(seoul.id, in_seoul["message_id"], seoul.admin.id, buttons(in_seoul)["✅ 3"])
        assert (await world.emu.wait_for_callback_answer(confirmed))["text"] == catalog.t(
            "meet.status_confirmed", "ko", n=3
        )
        told_jakarta = await world.relayed(jakarta, "Rapat #1 dikonfirmasi")
        told_seoul = await world.relayed(seoul, "회의 #1 확정")
        assert "📅 Jum, 4 Des 2026 08.00–09.00 (1 jam)" in told_jakarta["text"]
        assert "📅 2026년 12월 4일 (금) 10:00–11:00 (1시간)" in told_seoul["text"]
        assert world.emu.message(seoul.id, in_seoul["message_id"]).get("reply_markup") is None

        # Reminders a day and an hour before, in both groups.
        stored = services(poller).reminder_engine.reminders
        for town in (jakarta, seoul):
            first = await stored.find(town.id, "meeting")
            assert first is not None and first.due_at == datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
        clock.now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
        assert await services(poller).reminder_engine.run_due() == 2
        reminded = await world.relayed(seoul, "📅 회의 2026년 12월 4일 (금) 10:00")
    assert "Rapat MoU" in reminded["text"]
