"""Reminders and deadlines that respect each city's calendar (bot/features/reminder_engine.py,
bot/features/deadlines.py): Surabaya (Indonesia, Asia/Jakarta) and Busan (Korea, Asia/Seoul), both on the default
working week and hours (Monday–Friday 08:00–17:00), holidays from the holidays package."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.context import ChatContext, Reply
from bot.domain.records import Reminder
from bot.features.action_text import Mention
from tests.kit import BUSAN, SURABAYA, Kit, member

Partners = tuple[ChatContext, ChatContext]

# Chuseok 2027 in Korea: 14, 15 and 16 September (Tuesday to Thursday). Indonesia works those days.
BEFORE_CHUSEOK = datetime(2027, 9, 10, 2, 0, tzinfo=UTC)  # Friday 09:00 in Jakarta


async def pending(kit: Kit, kind: str) -> dict[int, list[Reminder]]:
    rows = await kit.services.reminder_engine.reminders.due(kit.clock.now + timedelta(days=60), limit=100)
    found: dict[int, list[Reminder]] = {}
    for row in rows:
        if row.kind == kind:
            found.setdefault(row.chat_id, []).append(row)
    return found


async def test_a_due_reminder_on_chuseok_reaches_busan_on_the_next_working_morning_and_surabaya_on_time(
    kit: Kit, partners: Partners
) -> None:
    kit.clock.now = BEFORE_CHUSEOK
    surabaya, _ = partners
    await kit.services.actions.create(surabaya, member(11), "Kirim draf MoU tenggat 15 September 2027 jam 10:00")
    due = await pending(kit, "due")
    # 24 hours before: Tuesday 14 September 10:00 in Jakarta (03:00 UTC); at the due time: Wednesday 10:00.
    assert sorted(r.due_at for r in due[SURABAYA]) == [
        datetime(2027, 9, 14, 3, 0, tzinfo=UTC),
        datetime(2027, 9, 15, 3, 0, tzinfo=UTC),
    ]
    # Busan is off from the 14th to the 16th: both wait for Friday 17 September 08:00 in Seoul.
    assert [r.due_at for r in due[BUSAN]] == [datetime(2027, 9, 16, 23, 0, tzinfo=UTC)] * 2
    engine = kit.services.reminder_engine
    kit.clock.now = datetime(2027, 9, 14, 3, 0, tzinfo=UTC)
    assert await engine.run_due() == 1
    assert any("Kirim draf MoU" in t for t in kit.texts(SURABAYA))
    assert not any("Kirim draf MoU" in t and "⏰" in t for t in kit.texts(BUSAN))
    kit.clock.now = datetime(2027, 9, 16, 23, 0, tzinfo=UTC)
    await engine.run_due()
    assert len([t for t in kit.texts(BUSAN) if "⏰" in t and "Kirim draf MoU" in t]) == 2


async def test_a_reminder_that_comes_due_on_a_day_off_added_later_waits(kit: Kit, partners: Partners) -> None:
    """The calendar is checked again when a reminder comes due: a day off added after it was planned holds it."""
    surabaya, _ = partners
    await kit.services.reminders.reminders(surabaya, kit.admin(SURABAYA, 1), "lead 0")
    await kit.services.actions.create(surabaya, member(11), "Rapat koordinasi tenggat Jumat jam 10:00")
    await kit.services.calendars.stored.add_day_off(SURABAYA, date(2026, 12, 4), date(2026, 12, 4), "Cuti", 1, limit=9)
    kit.services.calendars.changed(SURABAYA)
    engine = kit.services.reminder_engine
    kit.clock.now = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # Friday 10:00 in Jakarta: the day off
    await engine.run_due()
    assert not any("Rapat koordinasi" in t and "⏰" in t for t in kit.texts(SURABAYA))
    [held] = (await pending(kit, "due"))[SURABAYA]
    assert held.due_at == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 08:00 in Jakarta
    assert held.nominal_at == datetime(2026, 12, 4, 3, 0, tzinfo=UTC)  # still says when it was meant for


async def test_an_explicit_time_is_kept_where_it_was_said_and_the_partner_gets_it_at_work(
    kit: Kit, partners: Partners
) -> None:
    surabaya, _ = partners
    answer = await kit.services.reminders.remind(surabaya, member(11), "Minggu jam 10:00 Telepon Busan")
    adhoc = await pending(kit, "adhoc")
    sunday = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # Sunday 10:00 in Jakarta: as said
    assert [r.due_at for r in adhoc[SURABAYA]] == [sunday]
    assert [r.due_at for r in adhoc[BUSAN]] == [datetime(2026, 12, 6, 23, 0, tzinfo=UTC)]  # Monday 08:00 Seoul
    text = kit.render(answer, surabaya)
    assert "Busan" in text and "Sen, 7 Des 2026 06.00" in text and "hari libur" in text


async def test_every_working_day_skips_the_holidays_of_the_group_that_set_it(kit: Kit, partners: Partners) -> None:
    kit.clock.now = datetime(2027, 8, 16, 3, 0, tzinfo=UTC)  # Monday 10:00 in Jakarta
    surabaya, _ = partners
    answer = await kit.services.reminders.remind(surabaya, member(11), "setiap hari kerja jam 9 Apel pagi")
    assert isinstance(answer, Reply) and "hari kerja" in kit.render(answer, surabaya)
    [row] = (await pending(kit, "recurring"))[SURABAYA]
    # Tuesday 17 August is Independence Day: the first one is Wednesday 18 August 09:00 in Jakarta.
    assert row.due_at == datetime(2027, 8, 18, 2, 0, tzinfo=UTC)
    kit.clock.now = row.due_at
    await kit.services.reminder_engine.run_due()
    [again] = (await pending(kit, "recurring"))[SURABAYA]
    assert again.due_at == datetime(2027, 8, 19, 2, 0, tzinfo=UTC)


async def test_a_partner_copy_of_a_daily_reminder_skips_a_day_off_rather_than_doubling(
    kit: Kit, partners: Partners
) -> None:
    """Busan's copy of Surabaya's daily 09:00 (11:00 in Seoul) on Chuseok would move to the next working morning,
    but the next occurrence comes that same working day: the held one is skipped, not sent twice."""
    kit.clock.now = datetime(2027, 9, 13, 3, 0, tzinfo=UTC)  # Monday 10:00 in Jakarta
    surabaya, _ = partners
    await kit.services.reminders.remind(surabaya, member(11), "setiap hari jam 9 Apel")
    engine = kit.services.reminder_engine
    for day in range(14, 18):  # 14–16 Chuseok in Busan, 17 a working Friday
        kit.clock.now = datetime(2027, 9, day, 2, 0, tzinfo=UTC)
        await engine.run_due()
    busan_copies = [t for t in kit.texts(BUSAN) if "Apel" in t]
    assert len(busan_copies) == 1  # Friday's only
    assert len([t for t in kit.texts(SURABAYA) if "Apel" in t]) == 4


async def test_a_due_date_on_a_partner_holiday_is_noted_with_a_button_to_the_previous_working_day(
    kit: Kit, partners: Partners
) -> None:
    kit.clock.now = BEFORE_CHUSEOK
    surabaya, busan = partners
    answer = await kit.services.actions.create(
        surabaya, member(11), "Kirim draf MoU tenggat 15 September 2027 jam 10:00"
    )
    assert answer is not None and answer.buttons is not None
    text = kit.render(answer, surabaya)
    assert "추석" in text and "Busan" in text  # the library has no Indonesian names for Korea: its own
    [[(label, data)]] = answer.buttons[-1:]
    assert "14 Sep 2027" in label  # Tuesday, a working day in Surabaya (the only owner's city)
    assert await kit.services.actions.move_deadline(busan, member(99), "dl|b1|1|x|y") is None  # not Kembar's
    other, _ = await kit.refusal(
        kit.services.actions.move_deadline(busan, member(99), data.replace("|b", "|b9")), busan
    )
    assert other == "action.button_other_bridge"  # another bridge's item
    refused, _ = await kit.refusal(kit.services.actions.move_deadline(busan, member(99), data), busan)
    assert refused == "action.not_allowed"  # neither its creator, an owner nor an administrator
    done = await kit.services.actions.move_deadline(surabaya, member(11), data)
    assert done is not None and done.key == "deadline.moved"
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.due_at == datetime(2027, 9, 14, 3, 0, tzinfo=UTC)
    again, _ = await kit.refusal(kit.services.actions.move_deadline(surabaya, member(11), data), surabaya)
    assert again == "when.choice_gone"


async def test_an_owner_in_a_group_outside_its_working_hours_is_noted(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    answer = await kit.services.actions.create(surabaya, member(11), "Siapkan agenda tenggat Jumat jam 16:00")
    assert answer is None  # 16:00 in Jakarta is 18:00 in Seoul, but no one in Busan owns it
    kit.telegram.make_member(BUSAN, 21)  # Telegram says user 21 is in Busan's group
    answer = await kit.services.actions.create(
        surabaya, member(11), "Siapkan ruang Kim tenggat Jumat jam 16:00", mentions=[Mention("Kim", 21)]
    )
    assert answer is not None and answer.buttons is not None
    text = kit.render(answer, surabaya)
    assert "Busan" in text and "jam kerja" in text
    [[(label, _)]] = answer.buttons[-1:]
    assert "Kam, 3 Des 2026 16.00" in label  # Thursday: a working day in both owners' cities


async def test_a_working_due_date_gets_no_note(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    answer = await kit.services.actions.create(surabaya, member(11), "Kirim laporan tenggat Kamis jam 10:00")
    assert answer is None


async def test_a_confirmed_meeting_is_an_event_of_the_calendar_export(kit: Kit, partners: Partners) -> None:
    import icalendar

    from bot.domain.records import NewMeeting

    surabaya, _ = partners
    start = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)  # Wednesday 10:00 in Jakarta
    meetings = kit.services.meetings.meetings
    meeting = await meetings.add(
        NewMeeting(surabaya.scope, SURABAYA, 11, 60, "Rapat MoU", "id", (start,)), open_max=5, now=kit.clock.now
    )
    made = await kit.services.reports.export_files(surabaya, "calendar")
    assert made.files == []  # proposed, not confirmed: nothing to export yet
    await meetings.confirm(meeting.id, 0)
    made = await kit.services.reports.export_files(surabaya, "calendar")
    [(name, ics)] = made.files
    [event] = list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))
    assert name.endswith(".ics") and "Rapat MoU" in str(event["SUMMARY"])
    assert event.decoded("DTSTART").astimezone(UTC) == start
    assert event.decoded("DTEND").astimezone(UTC) == start + timedelta(hours=1)
