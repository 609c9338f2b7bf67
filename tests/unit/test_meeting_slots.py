"""The pure slot finder of /meet (bot/features/meeting_slots.py): slots inside every group's working hours, on
different days, around public holidays and extra days off, across a daylight saving change, the least-bad slots
when nothing fits, and what a member types (durations and periods in the six languages)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.records import DayOff
from bot.features.meeting_slots import (
    PERIODS,
    MeetWords,
    Period,
    Slot,
    find_slots,
    first_start,
    outside_groups,
    read_request,
    window,
)
from bot.language.calendars import WorkCalendar
from bot.language.catalog import Catalog

JAKARTA, SEOUL, BERLIN = -1, -2, -3
WIB, KST = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Seoul")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def jakarta(extra: tuple[DayOff, ...] = ()) -> WorkCalendar:
    return WorkCalendar("Asia/Jakarta", country="ID", extra=extra)  # 08:00–17:00, Monday to Friday


def seoul(start: int = 8 * 60, end: int = 17 * 60) -> WorkCalendar:
    return WorkCalendar("Asia/Seoul", start=start, end=end, country="KR")


def berlin() -> WorkCalendar:
    return WorkCalendar("Europe/Berlin", start=9 * 60, end=17 * 60, country="DE")


def local(slot: Slot, zone: ZoneInfo) -> tuple[str, str]:
    return slot.start.astimezone(zone).strftime("%a %d %H:%M"), slot.end.astimezone(zone).strftime("%H:%M")


# ---- the search ------------------------------------------------------------------------------------------------
def test_slots_lie_inside_both_groups_hours_one_a_day() -> None:
    """Jakarta 08–17 WIB and Seoul 08–17 KST overlap 08:00–15:00 WIB. Asked on Wednesday 2 December 2026 at 09:00
    WIB: the first slot is 30 minutes after now, then the first slot of each of the next days."""
    now = at(2026, 12, 2, 2, 0)
    start, end = window(Period(), now, "Asia/Jakarta")
    found = find_slots({JAKARTA: jakarta(), SEOUL: seoul()}, 60, start, end, now, zone="Asia/Jakarta")
    assert found.fits
    assert [local(slot, WIB) for slot in found.slots] == [
        ("Wed 02 09:30", "10:30"),
        ("Thu 03 08:00", "09:00"),
        ("Fri 04 08:00", "09:00"),
    ]
    assert [local(slot, KST)[0] for slot in found.slots] == ["Wed 02 11:30", "Thu 03 10:00", "Fri 04 10:00"]
    assert all(slot.outside == () for slot in found.slots)


def test_the_longest_meeting_that_fits_is_the_whole_overlap() -> None:
    now = at(2026, 12, 2, 2, 0)
    calendars = {JAKARTA: jakarta(), SEOUL: seoul()}
    found = find_slots(calendars, 7 * 60, now, now + timedelta(days=7), now, zone="Asia/Jakarta")
    assert found.fits
    assert [local(slot, WIB) for slot in found.slots] == [
        ("Thu 03 08:00", "15:00"),
        ("Fri 04 08:00", "15:00"),
        ("Mon 07 08:00", "15:00"),  # not the weekend
    ]
    longer = find_slots(calendars, 7 * 60 + 30, now, now + timedelta(days=7), now, zone="Asia/Jakarta")
    assert not longer.fits and all(slot.minutes_outside == 30 for slot in longer.slots)


def test_a_korean_public_holiday_is_avoided() -> None:
    """Chuseok 2027: 14, 15 and 16 September are public holidays in Korea; only Friday 17 is left that week, so
    its three slots are on that day and do not overlap."""
    found = find_slots(
        {JAKARTA: jakarta(), SEOUL: seoul()}, 60, at(2027, 9, 14), at(2027, 9, 18), at(2027, 9, 1), zone="Asia/Seoul"
    )
    assert found.fits
    assert [local(slot, KST) for slot in found.slots] == [
        ("Fri 17 10:00", "11:00"),
        ("Fri 17 11:00", "12:00"),
        ("Fri 17 12:00", "13:00"),
    ]


def test_an_indonesian_collective_leave_day_is_avoided() -> None:
    """Cuti bersama on Thursday 24 December 2026 in Jakarta, Christmas on the 25th in both: the 23rd, 28th and
    29th."""
    leave = (DayOff(1, date(2026, 12, 24), date(2026, 12, 24), "Cuti bersama"),)
    found = find_slots(
        {JAKARTA: jakarta(leave), SEOUL: seoul()}, 60, at(2026, 12, 23), at(2026, 12, 30), at(2026, 12, 1)
    )
    assert found.fits
    assert [slot.start.astimezone(WIB).date().day for slot in found.slots] == [23, 28, 29]


def test_berlin_summer_time_widens_the_overlap_with_jakarta() -> None:
    """Berlin 09–17 and Jakarta 08–17 overlap two hours in winter (08:00–10:00 UTC) and three in summer (07:00–10:00
    UTC, from Sunday 28 March 2027). Good Friday (26 March) is a holiday in both, Easter Monday in Berlin: a 3-hour
    meeting fits only on Tuesday 30 and Wednesday 31 March."""
    calendars = {BERLIN: berlin(), JAKARTA: jakarta()}
    start, end, now = at(2027, 3, 25), at(2027, 4, 1), at(2027, 3, 20)
    three = find_slots(calendars, 180, start, end, now, zone="Europe/Berlin")
    assert three.fits
    assert three.slots == (
        Slot(at(2027, 3, 30, 7, 0), at(2027, 3, 30, 10, 0)),
        Slot(at(2027, 3, 31, 7, 0), at(2027, 3, 31, 10, 0)),
    )
    assert local(three.slots[0], ZoneInfo("Europe/Berlin")) == ("Tue 30 09:00", "12:00")
    two = find_slots(calendars, 120, start, end, now, zone="Europe/Berlin")
    assert [local(slot, ZoneInfo("Europe/Berlin"))[0] for slot in two.slots] == [
        "Thu 25 09:00",  # 08:00 UTC in winter
        "Tue 30 09:00",  # 07:00 UTC in summer
        "Wed 31 09:00",
    ]


def test_without_any_overlap_the_least_bad_slots_say_who_is_outside() -> None:
    """Berlin 09–17 CET (08:00–16:00 UTC) and Seoul 09–12 KST (00:00–03:00 UTC) never overlap: one group is
    outside for the whole hour, as close to its working hours as can be."""
    calendars = {BERLIN: berlin(), SEOUL: seoul(9 * 60, 12 * 60)}
    found = find_slots(calendars, 60, at(2026, 12, 7), at(2026, 12, 9), at(2026, 12, 1), zone="Europe/Berlin")
    assert not found.fits
    assert [(slot.start, slot.outside, slot.minutes_outside) for slot in found.slots] == [
        (at(2026, 12, 7, 2, 0), (BERLIN,), 60),  # Seoul 11:00–12:00, Berlin 03:00
        (at(2026, 12, 7, 8, 0), (SEOUL,), 60),  # Berlin 09:00–10:00, Seoul 17:00
        (at(2026, 12, 8, 2, 0), (BERLIN,), 60),
    ]
    assert outside_groups(calendars, at(2026, 12, 7, 8, 0), at(2026, 12, 7, 9, 0)) == (SEOUL,)


def test_least_bad_slots_avoid_a_public_holiday_when_they_can() -> None:
    calendars = {BERLIN: berlin(), SEOUL: seoul(9 * 60, 12 * 60)}
    found = find_slots(calendars, 60, at(2026, 12, 24), at(2026, 12, 26), at(2026, 12, 1), zone="Europe/Berlin")
    assert not found.fits and len(found.slots) == 3
    assert {slot.start.date() for slot in found.slots} == {date(2026, 12, 24)}  # Christmas is off in both


def test_a_window_that_is_over_has_no_slots() -> None:
    now = at(2026, 12, 2, 16, 10)  # 23:10 in Jakarta: the first slot would start at midnight
    start, end = window(Period("today"), now, "Asia/Jakarta")
    found = find_slots({JAKARTA: jakarta()}, 60, start, end, now, zone="Asia/Jakarta")
    assert found.slots == ()


def test_the_first_slot_is_on_the_grid_half_an_hour_after_now() -> None:
    assert first_start(at(2026, 12, 2), at(2026, 12, 2, 9, 0)) == at(2026, 12, 2, 9, 30)
    assert first_start(at(2026, 12, 2), at(2026, 12, 2, 9, 10)) == at(2026, 12, 2, 10, 0)
    assert first_start(at(2026, 12, 3, 0, 40), at(2026, 12, 2, 9, 10)) == at(2026, 12, 3, 1, 0)


# ---- periods ---------------------------------------------------------------------------------------------------
def test_periods_on_the_asking_groups_clock() -> None:
    now = at(2026, 12, 2, 2, 0)  # Wednesday 09:00 in Jakarta

    def wib(period: Period) -> tuple[str, str]:
        start, end = window(period, now, "Asia/Jakarta")
        return start.astimezone(WIB).strftime("%a %d %H:%M"), end.astimezone(WIB).strftime("%a %d %H:%M")

    assert wib(Period()) == ("Wed 02 09:00", "Wed 09 09:00")
    assert wib(Period("today")) == ("Wed 02 09:00", "Thu 03 00:00")
    assert wib(Period("tomorrow")) == ("Thu 03 00:00", "Fri 04 00:00")
    assert wib(Period("this_week")) == ("Wed 02 09:00", "Mon 07 00:00")
    assert wib(Period("next_week")) == ("Mon 07 00:00", "Mon 14 00:00")
    assert wib(Period("days", 3)) == ("Wed 02 09:00", "Sat 05 09:00")


# ---- what a member types ---------------------------------------------------------------------------------------
def words_of(catalog: Catalog, lang: str) -> MeetWords:
    return MeetWords(
        hours=catalog.words("meet_hours", lang),
        minutes=catalog.words("meet_minutes", lang),
        days=catalog.words("meet_days", lang),
        within=catalog.words("meet_within", lang),
        periods={kind: catalog.words(f"meet_{kind}", lang) for kind in PERIODS},
    )


@pytest.mark.parametrize(
    ("lang", "typed", "minutes", "period", "title"),
    [
        ("en", "1h", 60, Period(), None),
        ("en", "90m next week", 90, Period("next_week"), None),
        ("en", "1h30m within 3 days: MoU review", 90, Period("days", 3), "MoU review"),
        ("en", "1h 30m tomorrow", 90, Period("tomorrow"), None),
        ("en", "2 hours this week", 120, Period("this_week"), None),
        ("id", "1 jam minggu depan", 60, Period("next_week"), None),
        ("id", "1 jam 30 menit dalam 3 hari: Tinjauan MoU", 90, Period("days", 3), "Tinjauan MoU"),
        ("id", "45 menit hari ini", 45, Period("today"), None),
        ("id", "1h besok", 60, Period("tomorrow"), None),
        ("ko", "1시간 다음 주", 60, Period("next_week"), None),
        ("ko", "1시간 30분 3일 이내: MoU 검토", 90, Period("days", 3), "MoU 검토"),
        ("ko", "90분 다음주", 90, Period("next_week"), None),
        ("de", "1 Stunde nächste Woche", 60, Period("next_week"), None),
        ("de", "90 Minuten innerhalb von 5 Tagen", 90, Period("days", 5), None),
        ("ja", "1時間 来週", 60, Period("next_week"), None),
        ("ja", "30分 3日以内：MoUの確認", 30, Period("days", 3), "MoUの確認"),
        ("zh", "1小时 下周", 60, Period("next_week"), None),
        ("zh", "2小时 3天内", 120, Period("days", 3), None),
    ],
)
def test_what_a_member_types_is_read_in_their_language_and_english(
    catalog: Catalog, lang: str, typed: str, minutes: int, period: Period, title: str | None
) -> None:
    request = read_request(typed, words_of(catalog, lang))
    assert request is not None, typed
    assert (request.minutes, request.period, request.title) == (minutes, period, title)


@pytest.mark.parametrize(
    "typed",
    ["soon", "1h sometime", "1h next month", "1h in 40 days", "1h 0 days", "1.5h", "next week 1h", "1 jamuan", ""],
)
def test_anything_else_is_not_guessed(catalog: Catalog, typed: str) -> None:
    assert read_request(typed, words_of(catalog, "id")) is None
