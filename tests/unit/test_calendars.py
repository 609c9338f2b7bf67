"""Every city's calendar (bot/language/calendars.py): each rule of its docstring at several instants, in Busan
(KR), Surabaya and Makassar (ID) and in Lower Saxony and Bavaria (DE) — the clock changes, the year's end,
Chuseok, Indonesian and German regional holidays, extra days off, other working weeks and hours.

Every expectation is written out (instants in UTC, names as the holidays package spells them), never computed
by the code under test."""

from __future__ import annotations

from datetime import UTC, date, datetime

import holidays as holiday_tables
import pytest

from bot.domain.records import Chat, DayOff
from bot.language.calendars import (
    DEFAULT_HOURS,
    Off,
    WorkCalendar,
    calendar_of,
    country_name_ok,
    guess_country,
    holiday_language,
    holidays_of,
    regions_of,
)

BERLIN, SEOUL, JAKARTA, MAKASSAR = "Europe/Berlin", "Asia/Seoul", "Asia/Jakarta", "Asia/Makassar"
EVERY_DAY = frozenset(range(7))
SUN_THU = frozenset({6, 0, 1, 2, 3})


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


def chat(**settings: object) -> Chat:
    made = datetime(2026, 1, 1, tzinfo=UTC)
    defaults: dict[str, object] = {
        "id": -1,
        "title": "group",
        "type": "supergroup",
        "language": "en",
        "timezone": None,
        "city": None,
        "active": True,
        "created_at": made,
        "updated_at": made,
    }
    return Chat(**{**defaults, **settings})  # type: ignore[arg-type]


# -- working hours on the wall clock: both EU clock changes ---------------------------------------------------


def test_working_hours_are_the_wall_clock_s_on_both_clock_change_days() -> None:
    berlin = WorkCalendar(BERLIN, workdays=EVERY_DAY, country="DE")
    assert (berlin.start, berlin.end) == DEFAULT_HOURS == (8 * 60, 17 * 60)
    # Spring forward (Sunday 28 March 2027, 02:00 CET → 03:00 CEST): 08:00 is 07:00 UTC before, 06:00 UTC on it.
    assert berlin.opens(date(2027, 3, 27)) == utc(2027, 3, 27, 7)
    assert berlin.closes(date(2027, 3, 27)) == utc(2027, 3, 27, 16)
    assert berlin.opens(date(2027, 3, 28)) == utc(2027, 3, 28, 6)
    assert berlin.closes(date(2027, 3, 28)) == utc(2027, 3, 28, 15)
    # Fall back (Sunday 31 October 2027, 03:00 CEST → 02:00 CET).
    assert berlin.opens(date(2027, 10, 30)) == utc(2027, 10, 30, 6)
    assert berlin.opens(date(2027, 10, 31)) == utc(2027, 10, 31, 7)
    assert berlin.closes(date(2027, 10, 31)) == utc(2027, 10, 31, 16)

    spring = {
        utc(2027, 3, 27, 23, 30): utc(2027, 3, 28, 6),  # 00:30 CET: before opening, the same day's start
        utc(2027, 3, 28, 1, 30): utc(2027, 3, 28, 6),  # 03:30 CEST, just after the change
        utc(2027, 3, 28, 5, 59): utc(2027, 3, 28, 6),  # 07:59 CEST
        utc(2027, 3, 28, 6): utc(2027, 3, 28, 6),  # 08:00 CEST: inside, stays
        utc(2027, 3, 28, 14, 59): utc(2027, 3, 28, 14, 59),
        # 17:00 CEST: closed; Monday 29 March is Easter Monday, so Tuesday 08:00 CEST.
        utc(2027, 3, 28, 15): utc(2027, 3, 30, 6),
    }
    assert {now: berlin.next_working_start(now) for now in spring} == spring
    autumn = {
        utc(2027, 10, 31, 0, 30): utc(2027, 10, 31, 7),  # the first 02:30 (CEST)
        utc(2027, 10, 31, 1, 30): utc(2027, 10, 31, 7),  # the second 02:30 (CET)
        utc(2027, 10, 31, 6, 30): utc(2027, 10, 31, 7),  # 07:30 CET (08:30 by yesterday's offset)
        utc(2027, 10, 31, 7): utc(2027, 10, 31, 7),
        utc(2027, 10, 31, 15, 59): utc(2027, 10, 31, 15, 59),
        utc(2027, 10, 31, 16): utc(2027, 11, 1, 7),  # 17:00 CET → Monday 08:00 CET
    }
    assert {now: berlin.next_working_start(now) for now in autumn} == autumn
    assert not berlin.working_at(utc(2027, 10, 31, 6, 30))
    assert berlin.why_not(utc(2027, 10, 31, 6, 30)) == "hours"
    assert berlin.working_at(utc(2027, 10, 31, 7))
    assert berlin.why_not(utc(2027, 3, 28, 6)) is None


def test_a_start_in_the_spring_forward_gap_moves_forward_by_the_gap() -> None:
    early = WorkCalendar(BERLIN, workdays=EVERY_DAY, start=2 * 60 + 30, end=17 * 60)
    assert early.opens(date(2027, 3, 27)) == utc(2027, 3, 27, 1, 30)  # 02:30 CET
    assert early.opens(date(2027, 3, 28)) == utc(2027, 3, 28, 1, 30)  # 02:30 does not exist: 03:30 CEST
    assert early.opens(date(2027, 3, 29)) == utc(2027, 3, 29, 0, 30)  # 02:30 CEST
    assert early.opens(date(2027, 10, 31)) == utc(2027, 10, 31, 0, 30)  # ambiguous: the first 02:30 (CEST)
    assert early.next_working_start(utc(2027, 3, 28, 0, 59)) == utc(2027, 3, 28, 1, 30)  # 01:59 CET
    assert not early.working_at(utc(2027, 3, 28, 1))  # 03:00 CEST: before the moved start
    assert early.working_at(utc(2027, 3, 28, 1, 30))

    # An end inside the gap is its end too, and 24:00 is the next midnight.
    night = WorkCalendar(BERLIN, workdays=EVERY_DAY, start=0, end=2 * 60 + 30)
    assert night.opens(date(2027, 3, 28)) == utc(2027, 3, 27, 23)
    assert night.closes(date(2027, 3, 28)) == utc(2027, 3, 28, 1, 30)
    late = WorkCalendar(BERLIN, workdays=EVERY_DAY, start=22 * 60, end=24 * 60)
    assert late.closes(date(2027, 3, 27)) == utc(2027, 3, 27, 23)  # midnight before the change: CET
    assert late.closes(date(2027, 3, 28)) == utc(2027, 3, 28, 22)  # the next midnight: CEST
    assert late.next_working_start(utc(2027, 3, 27, 22, 59)) == utc(2027, 3, 27, 22, 59)
    assert late.next_working_start(utc(2027, 3, 27, 23)) == utc(2027, 3, 28, 20)


# -- the year's end --------------------------------------------------------------------------------------------


def test_the_next_working_day_after_new_year_s_eve_is_next_year_s_with_next_year_s_holidays() -> None:
    busan = WorkCalendar(SEOUL, country="KR")
    # Thursday 31 December 2026 after 17:00 KST: Friday 1 January 2027 is New Year's Day, then the weekend.
    assert busan.next_working_start(utc(2026, 12, 31, 8)) == utc(2027, 1, 3, 23)
    assert busan.next_working_start(utc(2026, 12, 31, 14, 59)) == utc(2027, 1, 3, 23)  # 23:59 KST
    assert busan.next_working_start(utc(2026, 12, 31, 7, 59)) == utc(2026, 12, 31, 7, 59)  # 16:59 KST: inside
    assert busan.day_off(date(2027, 1, 1), "ko") == "신정연휴"
    assert busan.day_off(date(2027, 1, 1), "en") == "New Year's Day"
    assert busan.days_off(date(2026, 12, 31), date(2027, 1, 4), "en") == [Off(date(2027, 1, 1), "New Year's Day", True)]
    assert busan.days_off(date(2026, 12, 31), date(2027, 1, 4), "en", weekends=True) == [
        Off(date(2027, 1, 1), "New Year's Day", True),
        Off(date(2027, 1, 2), "", False),
        Off(date(2027, 1, 3), "", False),
    ]
    assert busan.previous_working_day(date(2027, 1, 4)) == date(2026, 12, 31)
    assert busan.working_days_between(date(2026, 12, 30), date(2027, 1, 5)) == 3  # 31 Dec, 4 and 5 Jan

    surabaya = WorkCalendar(JAKARTA, country="ID")
    # 17:00 WIB is closing time (the end is not inside): Monday 4 January 08:00 WIB.
    assert surabaya.next_working_start(utc(2026, 12, 31, 10)) == utc(2027, 1, 4, 1)
    assert surabaya.day_off(date(2027, 1, 1), "id") == "Tahun Baru Masehi"
    # Monday after closing: Tuesday 5 January is Isra Mikraj, so Wednesday.
    assert surabaya.next_working_start(utc(2027, 1, 4, 10)) == utc(2027, 1, 6, 1)

    braunschweig = WorkCalendar(BERLIN, country="DE", region="NI")
    assert braunschweig.next_working_start(utc(2026, 12, 31, 15, 59, 59)) == utc(2026, 12, 31, 15, 59, 59)
    assert braunschweig.next_working_start(utc(2026, 12, 31, 16)) == utc(2027, 1, 4, 7)
    assert braunschweig.why_not(utc(2027, 1, 1, 10), "de") == "Neujahr"
    # The last day of 2027: Saturday 1 January 2028 is a holiday on a weekend, Monday 3 January the next start.
    assert braunschweig.next_working_start(utc(2027, 12, 31, 16)) == utc(2028, 1, 3, 7)
    assert braunschweig.days_off(date(2027, 12, 31), date(2028, 1, 3), "de") == [Off(date(2028, 1, 1), "Neujahr", True)]


# -- public holidays: Chuseok, Indonesia, German regions ----------------------------------------------------------


def test_chuseok_2027_is_three_days_off_in_korea() -> None:
    busan = WorkCalendar(SEOUL, country="KR")
    expected = utc(2027, 9, 16, 23)  # Friday 17 September 08:00 KST
    for now in (
        utc(2027, 9, 13, 8),  # Monday 17:00 KST, closing
        utc(2027, 9, 13, 14),  # Monday 23:00 KST
        utc(2027, 9, 13, 23),  # Tuesday 08:00 KST: the day before Chuseok
        utc(2027, 9, 15, 3),  # Chuseok itself, noon
        utc(2027, 9, 16, 22, 59),  # Friday 07:59 KST: the same day's start
    ):
        assert busan.next_working_start(now) == expected, now
    assert busan.next_working_start(utc(2027, 9, 13, 7, 59)) == utc(2027, 9, 13, 7, 59)
    assert busan.why_not(utc(2027, 9, 15, 3), "ko") == "추석"
    assert busan.why_not(utc(2027, 9, 15, 3)) == "추석"  # no reader's language: the country's own
    assert busan.why_not(utc(2027, 9, 15, 3), "en") == "Chuseok"
    assert busan.days_off(date(2027, 9, 13), date(2027, 9, 19), "ko") == [
        Off(date(2027, 9, 14), "추석 전날", True),
        Off(date(2027, 9, 15), "추석", True),
        Off(date(2027, 9, 16), "추석 다음날", True),
    ]
    assert [off.day for off in busan.days_off(date(2027, 9, 13), date(2027, 9, 19), weekends=True)] == [
        date(2027, 9, 14),
        date(2027, 9, 15),
        date(2027, 9, 16),
        date(2027, 9, 18),
        date(2027, 9, 19),
    ]
    assert busan.previous_working_day(date(2027, 9, 17)) == date(2027, 9, 13)
    assert busan.working_days_between(date(2027, 9, 13), date(2027, 9, 17)) == 1
    assert busan.working_days_between(date(2027, 9, 17), date(2027, 9, 13)) == 0
    assert busan.working_days_between(date(2027, 9, 17), date(2027, 9, 17)) == 0
    assert list(busan.periods(date(2027, 9, 13), date(2027, 9, 19))) == [
        (utc(2027, 9, 12, 23), utc(2027, 9, 13, 8)),
        (utc(2027, 9, 16, 23), utc(2027, 9, 17, 8)),
    ]
    # National Foundation Day falls on Sunday 3 October: Monday 4 October is its alternative holiday.
    assert busan.next_working_start(utc(2027, 10, 1, 8)) == utc(2027, 10, 4, 23)


def test_indonesian_holidays_in_surabaya_and_makassar() -> None:
    real = holiday_tables.country_holidays("ID", years=2027, language="id")
    for day in (date(2027, 3, 8), date(2027, 3, 10), date(2027, 3, 11), date(2027, 8, 17)):
        assert day in real  # the library's own table has them (Nyepi, Idul Fitri, Independence Day)
    surabaya = WorkCalendar(JAKARTA, country="ID")
    # Friday 5 March after closing: Monday 8 March is Nyepi, so Tuesday 08:00 WIB (01:00 UTC).
    assert surabaya.next_working_start(utc(2027, 3, 5, 10)) == utc(2027, 3, 9, 1)
    # Tuesday 9 March after closing: Idul Fitri on Wednesday and Thursday, so Friday.
    assert surabaya.next_working_start(utc(2027, 3, 9, 10)) == utc(2027, 3, 12, 1)
    assert surabaya.why_not(utc(2027, 3, 8, 3), "id") == "Hari Suci Nyepi"
    assert surabaya.days_off(date(2027, 3, 5), date(2027, 3, 12), "id") == [
        Off(date(2027, 3, 8), "Hari Suci Nyepi", True),
        Off(date(2027, 3, 10), "Hari Raya Idul Fitri (perkiraan)", True),
        Off(date(2027, 3, 11), "Hari kedua dari Hari Raya Idul Fitri (perkiraan)", True),
    ]
    # A holiday on a weekend is listed without the weekends too (Easter Sunday).
    assert surabaya.days_off(date(2027, 3, 26), date(2027, 3, 28), "id") == [
        Off(date(2027, 3, 26), "Wafat Yesus Kristus", True),
        Off(date(2027, 3, 28), "Kebangkitan Yesus Kristus", True),
    ]
    assert surabaya.working_days_between(date(2027, 3, 5), date(2027, 3, 12)) == 2  # 9 and 12 March
    assert surabaya.previous_working_day(date(2027, 3, 12)) == date(2027, 3, 9)
    makassar = WorkCalendar(MAKASSAR, country="ID")  # WITA, UTC+8
    assert makassar.opens(date(2027, 8, 18)) == utc(2027, 8, 18, 0)
    assert makassar.next_working_start(utc(2027, 8, 16, 9)) == utc(2027, 8, 18, 0)  # Independence Day on Tue 17


def test_german_regions_keep_their_own_holidays() -> None:
    lower_saxony = WorkCalendar(BERLIN, country="DE", region="NI")
    bavaria = WorkCalendar(BERLIN, country="DE", region="BY")
    # Reformation Day (Sunday 31 October 2027) is Lower Saxony's; All Saints' Day (Monday 1 November) Bavaria's.
    assert lower_saxony.day_off(date(2027, 10, 31), "de") == "Reformationstag"
    assert bavaria.day_off(date(2027, 10, 31), "de") == ""  # only a Sunday there
    assert lower_saxony.days_off(date(2027, 10, 25), date(2027, 11, 7), "de") == [
        Off(date(2027, 10, 31), "Reformationstag", True)
    ]
    assert bavaria.days_off(date(2027, 10, 25), date(2027, 11, 7), "de") == [
        Off(date(2027, 11, 1), "Allerheiligen", True)
    ]
    friday_evening = utc(2027, 10, 29, 15)  # 17:00 CEST
    assert lower_saxony.next_working_start(friday_evening) == utc(2027, 11, 1, 7)
    assert bavaria.next_working_start(friday_evening) == utc(2027, 11, 2, 7)
    # Epiphany (Wednesday 6 January 2027) is Bavaria's, not Lower Saxony's.
    tuesday_evening = utc(2027, 1, 5, 16)  # 17:00 CET
    assert bavaria.next_working_start(tuesday_evening) == utc(2027, 1, 7, 7)
    assert lower_saxony.next_working_start(tuesday_evening) == utc(2027, 1, 6, 7)
    assert bavaria.why_not(utc(2027, 1, 6, 10), "de") == "Heilige Drei Könige"
    assert bavaria.why_not(utc(2027, 1, 6, 10), "en") == "Epiphany"
    assert lower_saxony.why_not(utc(2027, 1, 6, 10)) is None
    assert bavaria.working_days_between(date(2027, 1, 5), date(2027, 1, 8)) == 2
    assert lower_saxony.working_days_between(date(2027, 1, 5), date(2027, 1, 8)) == 3
    # The whole country: neither.
    germany = WorkCalendar(BERLIN, country="DE")
    assert germany.days_off(date(2027, 1, 6), date(2027, 1, 6)) == []
    assert germany.days_off(date(2027, 10, 31), date(2027, 11, 1)) == []
    # A region the library does not know (a stored code it renamed): the whole country's, not none.
    renamed = WorkCalendar(BERLIN, country="DE", region="XX")
    assert renamed.day_off(date(2027, 1, 1), "de") == "Neujahr" and renamed.day_off(date(2027, 1, 6)) is None


# -- extra days off, other weeks and hours --------------------------------------------------------------------------


def test_extra_days_off_are_days_off_after_the_holidays() -> None:
    leave = DayOff(1, date(2027, 12, 27), date(2027, 12, 31), "Betriebsferien")
    fair = DayOff(2, date(2027, 7, 14), date(2027, 7, 14), "Stadtfest")
    bridge = DayOff(3, date(2027, 10, 31), date(2027, 11, 2), "Brückentage")
    braunschweig = WorkCalendar(BERLIN, country="DE", region="NI", extra=(leave, fair, bridge))
    assert braunschweig.day_off(date(2027, 12, 27)) == "Betriebsferien"
    assert braunschweig.day_off(date(2027, 12, 25), "de") == "Erster Weihnachtstag"  # a holiday's name first
    assert braunschweig.day_off(date(2027, 10, 31), "de") == "Reformationstag"
    assert braunschweig.day_off(date(2027, 11, 2)) == "Brückentage"
    assert braunschweig.day_off(date(2027, 11, 3)) is None
    assert braunschweig.why_not(utc(2027, 7, 14, 10), "de") == "Stadtfest"
    assert braunschweig.next_working_start(utc(2027, 7, 14, 10)) == utc(2027, 7, 15, 6)
    assert braunschweig.next_working_start(utc(2027, 12, 23, 16)) == utc(2027, 12, 24, 7)  # Christmas Eve works
    # Christmas Eve after closing: Christmas, the leave, New Year's Day and a Sunday: Monday 3 January 2028.
    assert braunschweig.next_working_start(utc(2027, 12, 24, 16)) == utc(2028, 1, 3, 7)
    assert braunschweig.days_off(date(2027, 12, 24), date(2028, 1, 3), "de") == [
        Off(date(2027, 12, 25), "Erster Weihnachtstag", True),
        Off(date(2027, 12, 26), "Zweiter Weihnachtstag", True),
        Off(date(2027, 12, 27), "Betriebsferien", False),
        Off(date(2027, 12, 28), "Betriebsferien", False),
        Off(date(2027, 12, 29), "Betriebsferien", False),
        Off(date(2027, 12, 30), "Betriebsferien", False),
        Off(date(2027, 12, 31), "Betriebsferien", False),
        Off(date(2028, 1, 1), "Neujahr", True),
    ]
    assert braunschweig.days_off(date(2027, 12, 31), date(2028, 1, 3), "de", weekends=True) == [
        Off(date(2027, 12, 31), "Betriebsferien", False),
        Off(date(2028, 1, 1), "Neujahr", True),
        Off(date(2028, 1, 2), "", False),
    ]
    assert braunschweig.previous_working_day(date(2028, 1, 3)) == date(2027, 12, 24)
    assert braunschweig.working_days_between(date(2027, 12, 23), date(2028, 1, 4)) == 3  # 24 Dec, 3 and 4 Jan
    assert braunschweig.extra_off(date(2027, 12, 30)) == leave
    assert braunschweig.extra_off(date(2027, 12, 26)) is None


def test_a_sunday_to_thursday_week_with_its_own_hours() -> None:
    office = WorkCalendar(JAKARTA, workdays=SUN_THU, start=7 * 60 + 30, end=15 * 60 + 30)
    sunday_start = utc(2027, 7, 18, 0, 30)  # Sunday 07:30 WIB
    for now in (
        utc(2027, 7, 15, 8, 30),  # Thursday 15:30 WIB: closing
        utc(2027, 7, 16, 3),  # Friday 10:00
        utc(2027, 7, 17, 3),  # Saturday 10:00
        utc(2027, 7, 18, 0, 29),  # Sunday 07:29
    ):
        assert office.next_working_start(now) == sunday_start, now
    assert office.next_working_start(utc(2027, 7, 18, 0, 30)) == utc(2027, 7, 18, 0, 30)
    assert office.next_working_start(utc(2027, 7, 15, 8, 29)) == utc(2027, 7, 15, 8, 29)
    assert office.next_working_start(utc(2027, 7, 14, 23, 29)) == utc(2027, 7, 15, 0, 30)  # Thursday 06:29
    assert office.why_not(utc(2027, 7, 16, 3)) == ""
    assert office.why_not(utc(2027, 7, 15, 9)) == "hours"  # Thursday 16:00
    assert office.why_not(utc(2027, 7, 18, 1)) is None
    assert office.days_off(date(2027, 7, 12), date(2027, 7, 18)) == []  # no country: no holidays
    assert office.days_off(date(2027, 7, 12), date(2027, 7, 18), weekends=True) == [
        Off(date(2027, 7, 16), "", False),
        Off(date(2027, 7, 17), "", False),
    ]
    assert office.previous_working_day(date(2027, 7, 18)) == date(2027, 7, 15)
    assert office.working_days_between(date(2027, 7, 15), date(2027, 7, 18)) == 1
    assert office.is_working_day(date(2027, 7, 18)) and not office.is_working_day(date(2027, 7, 16))
    assert list(office.periods(date(2027, 7, 15), date(2027, 7, 18))) == [
        (utc(2027, 7, 15, 0, 30), utc(2027, 7, 15, 8, 30)),
        (utc(2027, 7, 18, 0, 30), utc(2027, 7, 18, 8, 30)),
    ]


def test_why_not_says_why_an_instant_is_outside_working_time() -> None:
    busan = WorkCalendar(SEOUL, country="KR", extra=(DayOff(1, date(2027, 9, 20), date(2027, 9, 20), "워크숍"),))
    assert busan.why_not(utc(2027, 9, 13, 1)) is None  # Monday 10:00 KST
    assert busan.why_not(utc(2027, 9, 12, 22, 59)) == "hours"  # Monday 07:59
    assert busan.why_not(utc(2027, 9, 13, 8)) == "hours"  # Monday 17:00
    assert busan.why_not(utc(2027, 9, 11, 1)) == ""  # Saturday
    assert busan.why_not(utc(2027, 9, 14, 1), "en") == "The day preceding Chuseok"
    assert busan.why_not(utc(2027, 9, 20, 1)) == "워크숍"
    assert busan.working_at(utc(2027, 9, 13, 1)) and not busan.working_at(utc(2027, 9, 20, 1))


def test_hours_outside_one_day_or_backwards_are_refused() -> None:
    for start, end in ((17 * 60, 8 * 60), (8 * 60, 8 * 60), (-1, 8 * 60), (8 * 60, 24 * 60 + 1), (22 * 60, 6 * 60)):
        with pytest.raises(ValueError):
            WorkCalendar(BERLIN, start=start, end=end)
    assert WorkCalendar(BERLIN, start=0, end=24 * 60).working_at(utc(2027, 9, 13, 22, 30))  # Monday 00:30 CEST


def test_a_calendar_without_working_days_says_so() -> None:
    never = WorkCalendar(BERLIN, workdays=frozenset())
    with pytest.raises(ValueError):
        never.next_working_start(utc(2027, 9, 13, 10))
    with pytest.raises(ValueError):
        never.previous_working_day(date(2027, 9, 13))
    assert never.working_days_between(date(2027, 9, 1), date(2027, 9, 30)) == 0


# -- the holidays package: languages, countries, regions -------------------------------------------------------


def test_holiday_names_come_in_the_reader_s_language_else_the_country_s() -> None:
    assert "ko" not in holiday_tables.country_holidays("ID").supported_languages  # what the library has
    assert holiday_language("ID", "ko") == "id"
    assert holidays_of("ID", None, 2027, "ko")[date(2027, 8, 17)] == "Hari Kemerdekaan Republik Indonesia"
    assert holiday_language("ID", "en") == "en_US"
    assert holidays_of("ID", None, 2027, "en")[date(2027, 8, 17)] == "Independence Day"
    assert holiday_language("KR", "ko") == "ko"
    assert holiday_language("KR", "id") == "ko"
    assert holiday_language("CN", "zh") == "zh_CN"
    assert holidays_of("CN", None, 2027, "zh")[date(2027, 1, 1)] == "元旦"
    assert holiday_language("DE", "zh") == "de"
    assert holiday_language("JP", "ja") == "ja"
    assert holiday_language("DE", None) == "de"
    assert holiday_language("XX", "en") is None
    assert holidays_of("XX", None, 2027, "en") == {}
    unknown_region = holidays_of("DE", "XX", 2027, "de")  # a region the library does not know: the country's
    assert len(unknown_region) == 9 and unknown_region[date(2027, 1, 1)] == "Neujahr"
    assert date(2027, 10, 31) not in unknown_region and date(2027, 1, 6) not in unknown_region


def test_holidays_of_a_year_are_that_year_s_in_order() -> None:
    korea = holidays_of("KR", None, 2027, "en")
    assert len(korea) == 24
    assert list(korea)[:2] == [date(2027, 1, 1), date(2027, 2, 6)]
    assert list(korea) == sorted(korea) and {day.year for day in korea} == {2027}
    assert korea[date(2027, 12, 27)] == "Alternative holiday for Christmas Day"
    lower_saxony = holidays_of("DE", "NI", 2027, "de")
    assert date(2027, 10, 31) in lower_saxony and date(2027, 1, 6) not in lower_saxony
    assert date(2027, 1, 6) in holidays_of("DE", "BY", 2027, "de")


def test_countries_and_regions_the_library_knows() -> None:
    assert country_name_ok("KR") and country_name_ok("ID") and country_name_ok("DE")
    assert not country_name_ok("XX") and not country_name_ok("de")
    german = regions_of("DE")
    assert {"NI", "BY", "BE", "HH"} <= set(german) and len(german) >= 16
    assert regions_of("XX") == ()


def test_the_country_is_guessed_from_the_zone() -> None:
    guesses = {
        "Asia/Seoul": "KR",
        "Asia/Jakarta": "ID",
        "Asia/Makassar": "ID",
        "Asia/Jayapura": "ID",
        "Asia/Pontianak": "ID",
        "Europe/Berlin": "DE",
        "Asia/Tokyo": "JP",
        "UTC": None,
        "Etc/GMT-7": None,
    }
    assert {zone: guess_country(zone) for zone in guesses} == guesses


def test_a_group_s_calendar_is_its_settings() -> None:
    leave = (DayOff(1, date(2027, 8, 2), date(2027, 8, 6), "Sommerpause"),)
    own = calendar_of(
        chat(country="DE", region="BY", workdays=SUN_THU, work_hours=(9 * 60, 18 * 60)), "Asia/Jakarta", leave
    )
    assert (own.zone, own.country, own.region, own.workdays) == ("Asia/Jakarta", "DE", "BY", SUN_THU)
    assert (own.start, own.end, own.extra) == (9 * 60, 18 * 60, leave)
    assert own.day_off(date(2027, 1, 6), "de") == "Heilige Drei Könige"  # Bavaria's, even in Jakarta
    assert own.opens(date(2027, 1, 6)) == utc(2027, 1, 6, 2)  # 09:00 WIB

    guessed = calendar_of(chat(region="BY"), "Asia/Seoul")  # a region without a country is not used
    assert (guessed.country, guessed.region) == ("KR", None)
    assert (guessed.start, guessed.end, guessed.workdays, guessed.extra) == (8 * 60, 17 * 60, frozenset(range(5)), ())
    assert guessed.day_off(date(2027, 9, 15), "en") == "Chuseok"
    assert calendar_of(chat(), "Europe/Berlin").country == "DE"
    assert calendar_of(chat(), "Europe/Berlin").day_off(date(2027, 1, 6)) is None  # the whole country's holidays

    nowhere = calendar_of(chat(), "UTC")
    assert nowhere.country is None and nowhere.region is None
    assert nowhere.day_off(date(2027, 1, 1)) is None  # a Friday, no holidays
    assert nowhere.next_working_start(utc(2027, 1, 1, 17)) == utc(2027, 1, 4, 8)
