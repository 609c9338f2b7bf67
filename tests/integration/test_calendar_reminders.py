"""Integration: every city's calendar through the emulator — a Korean group (KR calendar, guessed from Asia/Seoul)
and an Indonesian group (ID, from Asia/Jakarta) around Chuseok 2027 (14–16 September in Korea)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from bot.sandbox.town import Town
from bot.telegram.polling import DurablePoller
from tests.conftest import Clock
from tests.world import World, services

BEFORE_CHUSEOK = datetime(2027, 9, 10, 2, 0, tzinfo=UTC)  # Friday 09:00 in Jakarta, 11:00 in Seoul


async def fire(world: World, poller: DurablePoller) -> int:
    return await services(poller).reminder_engine.run_due()


def reminders_of(world: World, town: Town, marker: str) -> list[str]:
    return [t for t in world.texts(town) if "⏰" in t and marker in t]


def move_button(message: dict[str, Any]) -> dict[str, Any]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    [button] = [b for row in rows for b in row if str(b.get("callback_data", "")).startswith("dl|")]
    return cast(dict[str, Any], button)


def with_move(world: World, town: Town, marker: str) -> dict[str, Any] | None:
    """The first message in ``town`` that says ``marker`` and carries a deadline's move button."""
    for message in world.emu.sent(town.id):
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if marker in str(message.get("text")) and any(
            str(b.get("callback_data", "")).startswith("dl|") for row in rows for b in row
        ):
            return message
    return None


async def test_chuseok_holds_busans_reminder_notes_the_deadline_and_moves_it(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(BEFORE_CHUSEOK)
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(surabaya, busan)
        # A due date on Chuseok, set from the Indonesian group: the note names the holiday and the city.
        await world.ask(surabaya, "/action Kirim draf MoU tenggat 15 September 2027 jam 10:00")
        noted = await world.relayed(surabaya, "추석")
        assert "Busan" in noted["text"]
        move = move_button(noted)
        assert "14 Sep 2027" in move["text"]  # the working day before, in Surabaya (the owner's city)

        # A second item, moved with its button by the administrator who set it.
        await world.ask(surabaya, "/action Rapat evaluasi tenggat 16 September 2027 jam 10:00")
        second = await world.emu.wait_for(lambda: with_move(world, surabaya, "#2"), 10.0, message="#2's note")
        move2 = move_button(second)
        query = world.emu.press(surabaya.id, second["message_id"], surabaya.admin.id, move2["callback_data"])
        assert (await world.emu.wait_for_callback_answer(query))["text"] == "Tenggat dipindahkan."
        await world.relayed(busan, "2027년 9월 15일")  # Busan is told of the new due date in its own zone

        # Item #1's reminder a day ahead: on time in Surabaya, held in Busan until Friday 17 September 08:00.
        clock.now = datetime(2027, 9, 14, 3, 0, tzinfo=UTC)  # Tuesday 10:00 Jakarta, Chuseok eve in Seoul
        await fire(world, poller)
        await world.relayed(surabaya, "⏰ Pengingat: #1 Kirim draf MoU")
        assert reminders_of(world, busan, "Kirim draf MoU") == []
        clock.now = datetime(2027, 9, 16, 22, 59, tzinfo=UTC)  # Friday 07:59 in Seoul
        await fire(world, poller)
        assert reminders_of(world, busan, "Kirim draf MoU") == []
        clock.now = datetime(2027, 9, 16, 23, 0, tzinfo=UTC)  # Friday 08:00 in Seoul: the next working morning
        await fire(world, poller)
        await world.relayed(busan, "#1 [ko] Kirim draf MoU")
        assert len(reminders_of(world, busan, "Kirim draf MoU")) == 2  # the day-ahead one and the due one

        # Every city's days off, in the reader's language.
        listed = await world.ask(busan, "/holidays")
    assert "Surabaya" in listed and "Busan" in listed
