"""ReminderService (the commands) and ReminderEngine (planning and firing) with a fake Telegram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.context import ChatContext
from bot.ports import Rejected
from tests.kit import BRAUNSCHWEIG, BUSAN, NOW, SURABAYA, Kit, member

Partners = tuple[ChatContext, ChatContext]


async def test_an_adhoc_reminder_is_numbered_once_and_fires_in_every_group(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    made = await kit.services.reminders.remind(surabaya, member(1), "besok jam 9 Siapkan agenda delegasi")
    text = kit.render(made, surabaya)
    assert "Pengingat 1 dijadwalkan" in text and "Kam, 3 Des 2026 09.00" in text and "Siapkan agenda delegasi" in text
    # "jam 9" is read as 09:00 (working hours) and 21:00 is offered with one tap.
    assert made.key == "when.choice" and made.buttons is not None and "21.00" in made.buttons[0][0][0]
    listing = kit.render(await kit.services.reminders.reminders(busan, member(2), ""), busan)
    assert "1. 2026년 12월 3일 (목) 11:00 — Siapkan agenda delegasi" in listing and "24시간" in listing
    engine = kit.services.reminder_engine
    assert await engine.run_due() == 0
    kit.clock.now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 09:00 Jakarta
    assert await engine.run_due() == 2
    assert any("🔔 Siapkan agenda delegasi" in t for t in kit.texts(SURABAYA))
    assert any("🔔 [ko] Siapkan agenda delegasi" in t for t in kit.texts(BUSAN))
    assert await engine.run_due() == 0  # claimed once


async def test_remind_refuses_what_it_cannot_read(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    remind = kit.services.reminders.remind
    for text, key in (
        ("", "remind.usage"),
        ("kapan-kapan saja", "remind.usage"),
        ("besok jam 9", "remind.no_text"),
        ("1 Desember 2026 Rapat", "remind.past"),
        ("every someday Rapat", "remind.usage"),
        ("every monday 09:00", "remind.usage"),
    ):
        found, _ = await kit.refusal(remind(surabaya, member(1), text), surabaya)
        assert found == key, text


async def test_recurring_reminder_and_unremind_by_creator_or_admin(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    reminders = kit.services.reminders
    made = kit.render(await reminders.remind(surabaya, member(1), "setiap Senin 09:00 Rapat koordinasi"), surabaya)
    assert "Pengingat 1 dijadwalkan setiap Senin pukul 09.00" in made
    await reminders.remind(surabaya, member(1), "besok jam 10 Kirim laporan")
    key, _ = await kit.refusal(reminders.unremind(busan, member(2), "1"), busan)
    assert key == "admin.only"
    assert (await reminders.unremind(surabaya, member(1), "1")).key == "unremind.done"
    assert (await reminders.unremind(busan, kit.admin(BUSAN, 3), "2")).key == "unremind.done"
    for text, key in (("3", "unremind.not_found"), ("x", "unremind.usage"), ("1 2", "unremind.usage")):
        found, _ = await kit.refusal(reminders.unremind(surabaya, member(1), text), surabaya)
        assert found == key


async def test_settings_of_the_bridge_and_of_each_group(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    reminders, admin = kit.services.reminders, kit.admin(SURABAYA, 1)
    key, _ = await kit.refusal(reminders.reminders(surabaya, member(2), "lead 1h"), surabaya)
    assert key == "admin.only"
    assert "1 jam" in kit.render(await reminders.reminders(surabaya, admin, "lead 1h"), surabaya)
    assert (await kit.services.reminder_engine.settings.get(busan.scope)).lead_seconds == (3600,)
    off = kit.render(await reminders.reminders(surabaya, admin, "overdue off"), surabaya)
    assert "nonaktif" in off
    quiet = kit.render(await reminders.reminders(surabaya, admin, "quiet 22:00-06:00"), surabaya)
    assert "22.00–06.00" in quiet  # Indonesian writes times with a dot
    for text, key in (
        ("lead 40d", "reminders.lead_invalid"),
        ("quiet 22:00", "reminders.quiet_invalid"),
        ("overdue maybe", "reminders.usage"),
        ("sometimes", "reminders.usage"),
    ):
        found, _ = await kit.refusal(reminders.reminders(surabaya, admin, text), surabaya)
        assert found == key
    digest = kit.render(await reminders.digest(busan, kit.admin(BUSAN, 4), "friday 17:00"), busan)
    assert "금요일 17:00" in digest
    assert (await reminders.digest(busan, kit.admin(BUSAN, 4), "off")).key == "digest.off"


async def test_due_reminders_follow_the_item_and_its_buttons_complete_it(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU @kim_ms tenggat Jumat jam 14:00")
    engine = kit.services.reminder_engine
    kit.clock.now = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # 24 hours before
    assert await engine.run_due() == 2
    reminder_ko = kit.telegram.last(BUSAN)
    assert "[ko] Kirim draf MoU" in reminder_ko.html and reminder_ko.buttons is not None
    done_data = reminder_ko.buttons[0][0][1]
    key, _ = await kit.refusal(kit.services.reminders.press(surabaya, member(9), done_data), surabaya)
    assert key == "reminder.button_other_chat"  # Busan's reminder pressed in Surabaya
    key, _ = await kit.refusal(kit.services.reminders.press(busan, member(9), done_data), busan)
    assert key == "action.not_allowed"
    done = await kit.services.reminders.press(busan, member(9, "Kim", "kim_ms"), done_data)
    assert done is not None and done.key == "action.button_done"
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.status == "done"
    kit.clock.now = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
    assert await engine.run_due() == 0  # done: the due-time reminders were cancelled
    snooze = await kit.services.reminders.press(busan, member(9), reminder_ko.buttons[0][1][1])
    assert snooze is not None and snooze.key == "snooze.hour"
    assert await kit.services.reminders.press(busan, member(9), "rem|x|done") is None


async def test_a_reminder_telegram_keeps_refusing_is_retried_with_back_off_then_stopped_and_the_group_told(
    kit: Kit, partners: Partners
) -> None:
    surabaya, _ = partners
    await kit.services.reminders.remind(surabaya, member(1), "besok jam 09.00 Siapkan agenda")
    engine, reminders = kit.services.reminder_engine, kit.services.reminder_engine.reminders
    send = kit.telegram.send_text

    async def refuse_the_reminder_in_busan(chat_id: int, html: str, **kwargs: Any) -> int:
        if chat_id == BUSAN and "Siapkan agenda" in html:
            raise Rejected("Bad Request: can't parse entities")
        return await send(chat_id, html, **kwargs)

    kit.telegram.send_text = refuse_the_reminder_in_busan  # type: ignore[method-assign,assignment]
    kit.clock.now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    assert await engine.run_due() == 2  # Surabaya's goes out, Busan's is refused
    delays = []
    while pending := await reminders.due(kit.clock.now + timedelta(days=1)):
        [row] = pending
        delays.append(row.due_at - kit.clock.now)
        kit.clock.now = row.due_at
        await engine.run_due()
    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8)]
    assert any("⚠️ 알림 #1 게시가 텔레그램에서 여러 번 거부되어" in t for t in kit.texts(BUSAN))
    assert any("🔔 Siapkan agenda" in t for t in kit.texts(SURABAYA))


async def test_a_reminder_text_has_a_limit_at_input(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    too_long = "besok jam 9 " + "x" * 1001
    key, text = await kit.refusal(kit.services.reminders.remind(surabaya, member(1), too_long), surabaya)
    assert key == "remind.too_long" and "1001" in text


async def test_the_sweep_plans_each_groups_digest_in_its_scope_after_quiet_hours(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    alone = await kit.group(BRAUNSCHWEIG, "Braunschweig", "de")
    engine = kit.services.reminder_engine
    await engine.settings.set_digest(BUSAN, 4, "17:00")
    await engine.settings.set_quiet(BRAUNSCHWEIG, "07:00", "09:00")  # the default Monday 08:00 waits until 09:00
    assert await engine.ensure_digests() == 3
    assert await engine.ensure_digests() == 0  # one each, once
    planned = {chat_id: await engine.reminders.find(chat_id, "digest") for chat_id in (SURABAYA, BUSAN, BRAUNSCHWEIG)}
    by_jakarta, by_seoul, by_berlin = planned[SURABAYA], planned[BUSAN], planned[BRAUNSCHWEIG]
    assert by_jakarta is not None and by_seoul is not None and by_berlin is not None
    assert by_jakarta.scope == by_seoul.scope == surabaya.scope == busan.scope and by_berlin.scope == alone.scope
    # Now is Wednesday 2 December: Monday 08:00 in Jakarta, Friday 17:00 in Seoul, Monday 09:00 in Berlin.
    assert by_jakarta.due_at == by_jakarta.nominal_at == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert by_seoul.due_at == by_seoul.nominal_at == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert by_berlin.nominal_at == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    assert by_berlin.due_at == datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    await engine.settings.set_digest(BUSAN, None)  # turned off: the next sweep cancels its digest
    assert await engine.ensure_digests() == 0
    cancelled = await engine.reminders.get(by_seoul.id)
    assert cancelled is not None and cancelled.state == "cancelled"
    assert await engine.reminders.find(BUSAN, "digest", states=("pending", "claimed")) is None
    assert await engine.reminders.find(SURABAYA, "digest") == by_jakarta


async def test_run_due_sends_everything_due_batch_after_batch(kit: Kit, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.domain.records import NewReminder, Scope
    from bot.features import reminder_engine

    monkeypatch.setattr(reminder_engine, "DUE_BATCH", 7)
    await kit.group(SURABAYA, "Surabaya", "id")
    engine = kit.services.reminder_engine
    due = [
        NewReminder(
            scope=Scope.of(None, SURABAYA),
            chat_id=SURABAYA,
            kind="adhoc",
            due_at=NOW - timedelta(seconds=n),
            text=f"R{n}",
        )
        for n in range(20)  # two full batches and a short one
    ]
    await engine.reminders.add_many(due)
    assert await engine.run_due() == 20
    assert await engine.run_due() == 0
    assert sorted(t for t in kit.texts(SURABAYA) if "R" in t) == sorted(f"🔔 R{n}" for n in range(20))


async def test_a_claim_whose_failure_could_not_be_recorded_is_taken_up_again_by_the_next_run(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims are judged by liveness, never by age: this instance's own leftover claim (its sending failed
    and even recording that failed) goes back to pending at its next run, not after ten minutes."""
    surabaya, _ = partners
    await kit.services.reminders.remind(surabaya, member(1), "besok jam 09.00 Siapkan agenda")
    engine = kit.services.reminder_engine
    repository = engine.reminders
    send, retry_later = kit.telegram.send_text, repository.retry_later
    broken = {"send": True, "record": True}

    async def refuse(chat_id: int, html: str, **kwargs: Any) -> int:
        if broken["send"] and chat_id == BUSAN:
            raise Rejected("Bad Request: can't parse entities")
        return await send(chat_id, html, **kwargs)

    async def database_down(reminder_id: int, due_at: datetime) -> int:
        if broken["record"]:
            raise ConnectionError("the database went away")
        return await retry_later(reminder_id, due_at)

    kit.telegram.send_text = refuse  # type: ignore[method-assign,assignment]
    monkeypatch.setattr(repository, "retry_later", database_down)
    kit.clock.now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    assert await engine.run_due() == 2  # Surabaya's went out; Busan's failed and its failure was not recorded
    claimed = await repository.find(BUSAN, "adhoc", states=("claimed",))
    assert claimed is not None  # left claimed
    broken.update(send=False, record=False)
    assert await engine.run_due() == 1  # released by its own instance and sent at once
    assert any("🔔 [ko] Siapkan agenda" in t for t in kit.texts(BUSAN))


async def test_a_reminder_in_a_partner_citys_clock_says_which_zone_it_read(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    made = await kit.services.reminders.remind(surabaya, member(1), "besok 09.00 waktu Busan Rapat daring")
    text = kit.render(made, surabaya)
    assert "🌐" in text and "(Busan)" in text and "07.00 di sini" in text
