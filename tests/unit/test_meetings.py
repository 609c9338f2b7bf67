"""MeetingService (/meet and the buttons under a proposal) on repositories in memory with a fake Telegram: the
proposal in every group in its language and zone, votes tallied across the bridge, confirmation by an
administrator with announcements and reminders, cancelling, listing, the limits and forged buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.context import Actor, ChatContext, Refused
from bot.domain.records import Reminder
from bot.language.catalog import Catalog
from tests.fakes.memory import Memory
from tests.fakes.telegram import Sent
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, make_kit, member

JAKARTA, SEOUL, SOLO = -1004, -1005, -1006
Partners = tuple[ChatContext, ChatContext]


@pytest.fixture
def memory() -> Memory:
    return Memory()


@pytest.fixture
async def kit(catalog: Catalog, memory: Memory) -> AsyncIterator[Kit]:
    async with make_kit(catalog, memory) as made:
        yield made


def proposals(kit: Kit, chat_id: int) -> list[Sent]:
    return [s for s in kit.telegram.sent if s.chat_id == chat_id and s.buttons and s.buttons[0][0][1].startswith("mt|")]


def shown(sent: Sent) -> str:
    """The proposal as it stands (its last edit)."""
    return sent.edits[-1] if sent.edits else sent.html


def buttons_now(sent: Sent) -> object:
    return sent.edited_buttons[-1] if sent.edited_buttons else sent.buttons


def meeting_reminders(memory: Memory) -> list[Reminder]:
    return sorted(
        (r for r in memory.reminders.rows.values() if r.kind == "meeting"), key=lambda r: (r.chat_id, r.due_at)
    )


async def test_a_proposal_is_posted_in_every_group_in_its_language_and_zone(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    assert await kit.services.meetings.meet(surabaya, member(1), "1 jam: Rapat MoU") is None
    [in_surabaya], [in_busan] = proposals(kit, SURABAYA), proposals(kit, BUSAN)
    # Wednesday 2 December 2026, 09:00 in Jakarta: from 09:30, one slot a day inside 08:00–15:00 WIB.
    assert "📅 <b>Rapat #1</b>: Rapat MoU · 1 jam" in in_surabaya.html
    assert "Diusulkan dari Surabaya." in in_surabaya.html
    assert "<b>1.</b> Rab, 2 Des 2026 09.30–10.30 · 🗳 0" in in_surabaya.html
    assert "<b>2.</b> Kam, 3 Des 2026 08.00–09.00" in in_surabaya.html
    assert "<b>3.</b> Jum, 4 Des 2026 08.00–09.00" in in_surabaya.html
    assert "📅 <b>회의 #1</b>: [ko] Rapat MoU · 1시간" in in_busan.html
    assert "<b>1.</b> 2026년 12월 2일 (수) 11:30–12:30 · 🗳 0" in in_busan.html
    assert "<b>2.</b> 2026년 12월 3일 (목) 10:00–11:00" in in_busan.html
    assert "근무 시간 밖" not in in_busan.html and "모든 안이 모든 그룹의 근무 시간 안에" in in_busan.html
    assert in_busan.buttons == [
        [("🗳 1 · 0", "mt|1|v|0"), ("🗳 2 · 0", "mt|1|v|1"), ("🗳 3 · 0", "mt|1|v|2")],
        [("✅ 1", "mt|1|c|0"), ("✅ 2", "mt|1|c|1"), ("✅ 3", "mt|1|c|2")],
    ]
    assert all(len(data.encode()) <= 64 for row in in_busan.buttons for _, data in row)


async def test_votes_from_both_groups_are_tallied_in_both_one_per_person_and_slot(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    meetings = kit.services.meetings
    await meetings.meet(surabaya, member(1), "1h")
    assert kit.render(await meetings.press(surabaya, member(1), "mt|1|v|0"), surabaya).startswith(
        "Suara Anda untuk pilihan 1 dihitung."
    )
    await meetings.press(busan, member(2), "mt|1|v|0")
    await meetings.press(busan, member(2), "mt|1|v|2")  # several slots may have one's vote
    [in_surabaya], [in_busan] = proposals(kit, SURABAYA), proposals(kit, BUSAN)
    assert "11:30–12:30 · 🗳 2" in shown(in_busan) and "09.30–10.30 · 🗳 2" in shown(in_surabaya)
    assert "투표한 사람: 2명." in shown(in_busan) and "Yang sudah memilih: 2 orang." in shown(in_surabaya)
    assert buttons_now(in_busan) == [
        [("🗳 1 · 2", "mt|1|v|0"), ("🗳 2 · 0", "mt|1|v|1"), ("🗳 3 · 1", "mt|1|v|2")],
        [("✅ 1", "mt|1|c|0"), ("✅ 2", "mt|1|c|1"), ("✅ 3", "mt|1|c|2")],
    ]
    # The same person pressing the same slot in the other group takes the vote back: one vote per person and slot.
    taken_back = await meetings.press(busan, member(1), "mt|1|v|0")
    assert taken_back.key == "meet.unvoted"
    assert "· 🗳 1" in shown(in_surabaya).split("\n<b>2.")[0] and "투표한 사람: 1명." in shown(in_busan)


async def test_only_an_administrator_confirms_and_every_group_is_told_and_reminded(
    kit: Kit, memory: Memory, partners: Partners
) -> None:
    surabaya, busan = partners
    meetings = kit.services.meetings
    await meetings.meet(surabaya, member(1), "2 jam besok: Rapat MoU")
    key, text = await kit.refusal(meetings.press(busan, member(2), "mt|1|c|1"), busan)
    assert key == "admin.only" and text.startswith("죄송합니다") and memory.meetings.rows[1].state == "proposed"
    done = await meetings.press(busan, kit.admin(BUSAN, 9), "mt|1|c|1")
    assert done.key == "meet.status_confirmed"
    # Tomorrow's slots, on Jakarta's clock: 08:00, 10:00, 12:00 (one day, not overlapping).
    told_surabaya = [t for t in kit.texts(SURABAYA) if "dikonfirmasi" in t]
    told_busan = [t for t in kit.texts(BUSAN) if "확정</b>" in t]
    assert told_surabaya == [
        "✅ <b>Rapat #1 dikonfirmasi</b>: Rapat MoU\n📅 Kam, 3 Des 2026 10.00–12.00 (2 jam)\n"
        "Semua diingatkan sehari dan sejam sebelumnya."
    ]
    assert len(told_busan) == 1 and "📅 2026년 12월 3일 (목) 12:00–14:00 (2시간)" in told_busan[0]
    [in_surabaya] = proposals(kit, SURABAYA)
    assert "✅ Dikonfirmasi: pilihan 2." in shown(in_surabaya) and buttons_now(in_surabaya) is None
    # A day and an hour before, in both groups; kept by the meeting for cancelling.
    start = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    reminders = meeting_reminders(memory)
    assert [(r.chat_id, r.due_at, r.text) for r in reminders] == [
        (BUSAN, datetime(2026, 12, 2, 3, 0, tzinfo=UTC), "Rapat MoU"),
        (BUSAN, datetime(2026, 12, 3, 2, 0, tzinfo=UTC), "Rapat MoU"),
        (SURABAYA, datetime(2026, 12, 2, 3, 0, tzinfo=UTC), "Rapat MoU"),
        (SURABAYA, datetime(2026, 12, 3, 2, 0, tzinfo=UTC), "Rapat MoU"),
    ]
    assert set(memory.meetings.rows[1].reminder_ids) == {r.id for r in reminders}
    assert [m.start for m in await memory.meetings.confirmed(surabaya.scope, start)] == [start]
    kit.clock.now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    assert await kit.services.reminder_engine.run_due() == 2
    assert any("📅 회의 2026년 12월 3일 (목) 12:00: [ko] Rapat MoU" in t for t in kit.texts(BUSAN))
    # Decided: every button says so.
    key, _ = await kit.refusal(meetings.press(surabaya, member(1), "mt|1|v|0"), surabaya)
    assert key == "meet.decided"
    key, _ = await kit.refusal(meetings.press(busan, kit.admin(BUSAN, 9), "mt|1|c|0"), busan)
    assert key == "meet.decided"


async def test_cancel_by_who_proposed_or_an_administrator_cancels_its_reminders(
    kit: Kit, memory: Memory, partners: Partners
) -> None:
    surabaya, busan = partners
    meetings = kit.services.meetings
    await meetings.meet(surabaya, member(1), "1h")
    await meetings.meet(surabaya, member(1), "30m minggu depan")
    await meetings.press(surabaya, kit.admin(SURABAYA, 8), "mt|2|c|0")
    assert len(meeting_reminders(memory)) == 4
    key, _ = await kit.refusal(meetings.meet(busan, member(2), "취소 1"), busan)
    assert key == "admin.only"
    assert await meetings.meet(busan, member(1), "취소 1") is None  # who proposed it, from either group
    assert await meetings.meet(busan, kit.admin(BUSAN, 9), "cancel 2") is None
    assert {r.state for r in meeting_reminders(memory)} == {"cancelled"}
    assert [t for t in kit.texts(SURABAYA) if "dibatalkan" in t] == [
        "❌ Rapat #1 dibatalkan.",
        "❌ Rapat #2 dibatalkan.",
    ]
    assert "❌ 취소되었습니다." in shown(proposals(kit, BUSAN)[0])
    for text, key in (
        ("batal 1", "meet.already_cancelled"),
        ("batal 7", "meet.not_found"),
        ("batal", "meet.cancel_usage"),
    ):
        found, _ = await kit.refusal(meetings.meet(surabaya, member(1), text), surabaya)
        assert found == key, text


async def test_list_shows_confirmed_meetings_then_proposals_in_pages(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    meetings = kit.services.meetings
    assert kit.render(await meetings.meet(busan, member(2), "목록"), busan).startswith("📅 예정된 회의도")
    for number in range(1, 12):
        await meetings.meet(surabaya, member(1), "1h")
        if number < 11:
            await meetings.press(surabaya, kit.admin(SURABAYA, 8), f"mt|{number}|c|0")
    first = kit.render(await meetings.meet(busan, member(2), "목록"), busan)
    assert first.startswith("📅 <b>회의</b>\n✅ #1 2026년 12월 2일 (수) 11:30 (1시간)")
    assert "1–10" in first and "/meet 목록 2" in first
    second = kit.render(await meetings.meet(surabaya, member(1), "daftar 2"), surabaya)
    assert "🗳 #11 sedang dipilih, pilihan pertama Rab, 2 Des 2026 09.30" in second and "11–11" in second


async def test_what_cannot_be_read_or_is_beyond_the_limits_is_refused(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    meetings = kit.services.meetings
    for text, key in (
        ("", "meet.usage"),
        ("kapan-kapan", "meet.usage"),
        ("1 jam bulan depan", "meet.usage"),
        ("5m", "meet.bad_duration"),
        ("9h", "meet.bad_duration"),
        ("1h: " + "x" * 201, "meet.bad_title"),
    ):
        found, rendered = await kit.refusal(meetings.meet(surabaya, member(1), text), surabaya)
        assert found == key, text
    assert "15 menit" in rendered or key != "meet.bad_duration"
    for _ in range(5):
        await meetings.meet(surabaya, member(1), "1h")
    key, rendered = await kit.refusal(meetings.meet(surabaya, member(1), "1h"), surabaya)
    assert key == "meet.too_many" and "5" in rendered
    kit.clock.now = datetime(2026, 12, 2, 16, 10, tzinfo=UTC)  # 23:10 in Jakarta: today is over
    key, _ = await kit.refusal(meetings.meet(surabaya, member(1), "1h hari ini"), surabaya)
    assert key == "meet.no_time"


async def test_forged_buttons_and_another_bridges_are_refused(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    await kit.group(JAKARTA, "Jakarta", "id")
    await kit.group(SEOUL, "Seoul", "ko")
    await kit.link(JAKARTA, SEOUL)
    meetings = kit.services.meetings
    await meetings.meet(surabaya, member(1), "1h")
    jakarta = await kit.here(JAKARTA)
    for here, data, key in (
        (jakarta, "mt|1|v|0", "meet.other_bridge"),
        (jakarta, "mt|1|c|0", "meet.other_bridge"),
        (surabaya, "mt|1|v|7", "meet.gone"),
        (surabaya, "mt|99|v|0", "meet.gone"),
        (surabaya, "mt|1|x|0", "meet.gone"),
        (surabaya, "mt|", "meet.gone"),
    ):
        actor = kit.admin(JAKARTA, 5) if here is jakarta else member(1)
        found, _ = await kit.refusal(meetings.press(here, actor, data), here)
        assert found == key, data
    anonymous = Actor(user_id=None, name="Surabaya", as_chat=True)
    found, _ = await kit.refusal(meetings.press(surabaya, anonymous, "mt|1|v|0"), surabaya)
    assert found == "meet.anonymous"
    assert "🗳 0" in shown(proposals(kit, SURABAYA)[0])


async def test_when_nothing_fits_the_least_bad_slots_say_who_is_outside(kit: Kit) -> None:
    """Braunschweig 09–17 (Berlin) and Busan 09–12 (Seoul) never overlap."""
    await kit.group(BRAUNSCHWEIG, "Braunschweig", "de")
    await kit.group(BUSAN, "Busan", "ko")
    await kit.link(BRAUNSCHWEIG, BUSAN)
    chats = kit.services.chats.chats
    await chats.set_work_hours(BRAUNSCHWEIG, 9 * 60, 17 * 60)
    await chats.set_work_hours(BUSAN, 9 * 60, 12 * 60)
    await kit.services.meetings.meet(await kit.here(BRAUNSCHWEIG), member(1), "1 Stunde")
    [in_braunschweig], [in_busan] = proposals(kit, BRAUNSCHWEIG), proposals(kit, BUSAN)
    assert "⚠️ Keine Zeit in diesem Zeitraum" in in_braunschweig.html
    assert "⚠️ außerhalb der Arbeitszeit: Busan" in in_braunschweig.html
    assert "⚠️ außerhalb der Arbeitszeit: Braunschweig" in in_braunschweig.html
    assert "⚠️ 근무 시간 밖: Braunschweig" in in_busan.html


async def test_a_group_in_no_bridge_plans_for_itself(kit: Kit) -> None:
    solo = await kit.group(SOLO, "Solo", "id")
    await kit.services.meetings.meet(solo, member(1), "30 menit minggu depan")
    [posted] = proposals(kit, SOLO)
    assert "<b>1.</b> Sen, 7 Des 2026 08.00–08.30" in posted.html
    assert [s.chat_id for s in kit.telegram.sent] == [SOLO]


async def test_meet_is_refused_in_the_groups_language(kit: Kit, partners: Partners) -> None:
    _, busan = partners
    try:
        await kit.services.meetings.meet(busan, member(2), "")
    except Refused as refused:
        text = kit.render(refused.reply, busan)
    else:
        raise AssertionError("not refused")
    assert "<code>/meet &lt;길이&gt;" in text and "15분" in text and "8시간" in text


async def test_meetings_are_forgotten_thirty_days_after_they_are_over(
    kit: Kit, memory: Memory, partners: Partners
) -> None:
    surabaya, _ = partners
    meetings = kit.services.meetings
    await meetings.meet(surabaya, member(1), "1h besok")  # Thursday 3 December, 08:00, 10:00, 12:00 in Jakarta
    await meetings.meet(surabaya, member(1), "1h minggu depan")
    await meetings.press(surabaya, member(1), "mt|1|v|0")
    await meetings.press(surabaya, kit.admin(SURABAYA, 8), "mt|1|c|0")  # 08:00–09:00, over at 02:00 UTC
    over = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    privacy = kit.services.privacy
    assert (await privacy.run_retention(over + timedelta(days=30)))["meetings"] == 0
    assert (await privacy.run_retention(over + timedelta(days=30, seconds=1)))["meetings"] == 1
    assert set(memory.meetings.rows) == {2} and memory.meetings.kept_votes == []
