"""bot.language.dates: natural-language dates per language and zone, checked against exact UTC instants.

Unless a test says otherwise, "now" is Wednesday 2026-12-02 09:00 in the group's zone:
Asia/Jakarta (UTC+7) → 02:00Z, Asia/Seoul (UTC+9) → 00:00Z, Europe/Berlin (CET, UTC+1) → 08:00Z.
Berlin switches to summer time on 2026-03-29 (02:00 → 03:00) and back on 2026-10-25 (03:00 → 02:00);
2027-03-30 is already summer time (UTC+2).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.language import dates
from bot.language.dates import EXAMPLES, format_when, is_past, parse_when

JAKARTA = "Asia/Jakarta"
SEOUL = "Asia/Seoul"
BERLIN = "Europe/Berlin"
ZONE_OF = {"id": JAKARTA, "en": BERLIN, "ko": SEOUL, "de": BERLIN, "ja": "Asia/Tokyo", "zh": "Asia/Shanghai"}


def local(tz: str, text: str) -> datetime:
    """An aware datetime from "YYYY-MM-DD HH:MM" local wall-clock time in ``tz``."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def wednesday(tz: str) -> datetime:
    return local(tz, "2026-12-02 09:00")


def check(text: str, lang: str, tz: str, now: datetime, expected: str | None) -> None:
    got = parse_when(text, lang, tz, now)
    if expected is None:
        assert got is None, f"{text!r} ({lang}) should not be a date, got {got}"
        return
    assert got is not None, f"{text!r} ({lang}) should be {expected}Z"
    assert got.tzinfo is UTC
    assert got == utc(expected), f"{text!r} ({lang}): {got} != {expected}Z"


# -- Indonesian, Asia/Jakarta (now = 02:00Z) ------------------------------------------------------------------------

ID_CASES = [
    ("besok jam 10", "2026-12-03 03:00"),
    ("lusa pukul 09.00", "2026-12-04 02:00"),
    ("hari ini jam 15", "2026-12-02 08:00"),
    ("Jumat jam 14:00", "2026-12-04 07:00"),
    ("jum'at jam 9 pagi", "2026-12-04 02:00"),
    ("Senin depan", "2026-12-07 10:00"),
    ("minggu depan hari Senin", "2026-12-07 10:00"),
    ("Jumat minggu depan", "2026-12-11 10:00"),
    ("Rabu depan", "2026-12-09 10:00"),
    ("Rabu", "2026-12-02 10:00"),  # today, 17:00 is still ahead
    ("Rabu jam 8", "2026-12-09 01:00"),  # today's 08:00 has passed: next week
    ("hari Minggu", "2026-12-06 10:00"),
    ("Minggu jam 10", "2026-12-06 03:00"),
    ("dalam 2 jam", "2026-12-02 04:00"),
    ("2 jam lagi", "2026-12-02 04:00"),
    ("dalam 30 menit", "2026-12-02 02:30"),
    ("sejam lagi", "2026-12-02 03:00"),
    ("setengah jam lagi", "2026-12-02 02:30"),
    ("3 hari lagi", "2026-12-05 02:00"),
    ("3 hari lagi jam 10", "2026-12-05 03:00"),
    ("2 minggu lagi", "2026-12-16 02:00"),
    ("30 Maret", "2027-03-30 10:00"),
    ("30 Maret 2027 pukul 09.00", "2027-03-30 02:00"),
    ("tanggal 30 Maret jam 10", "2027-03-30 03:00"),
    ("4 Des", "2026-12-04 10:00"),
    ("25/12 15:00", "2026-12-25 08:00"),
    ("30/03/2027", "2027-03-30 10:00"),
    ("2026-12-01", "2026-12-01 10:00"),  # past dates are returned; callers reject them
    ("2026-12-01 14:30", "2026-12-01 07:30"),
    ("jam 10", "2026-12-02 03:00"),
    ("jam 8", "2026-12-03 01:00"),  # already past today: tomorrow
    ("pukul 10.30", "2026-12-02 03:30"),
    ("10.30", "2026-12-02 03:30"),
    ("jam 10 pagi", "2026-12-02 03:00"),
    ("jam 3 sore", "2026-12-02 08:00"),
    ("jam 12 siang", "2026-12-02 05:00"),
    ("jam 1 siang", "2026-12-02 06:00"),
    ("jam 7 malam", "2026-12-02 12:00"),
    ("jam 19.00 malam", "2026-12-02 12:00"),
    ("besok jam 12 malam", "2026-12-03 17:00"),  # midnight at the end of tomorrow
    ("jam setengah 3 sore", "2026-12-02 07:30"),
    ("besok pagi", "2026-12-03 02:00"),
    ("nanti malam", "2026-12-02 12:00"),
    ("besok 7 malam", "2026-12-03 12:00"),
    ("besok", "2026-12-03 10:00"),
    ("Jumat, 4 Desember 2026", "2026-12-04 10:00"),
    ("tanggal 5", "2026-12-05 10:00"),
    ("besok sampai jam 10", "2026-12-03 03:00"),
    ("BESOK JAM 10 🙂", "2026-12-03 03:00"),
]


@pytest.mark.parametrize(("text", "expected"), ID_CASES)
def test_indonesian(text: str, expected: str) -> None:
    check(text, "id", JAKARTA, wednesday(JAKARTA), expected)


# -- English, Europe/Berlin (now = 08:00Z) --------------------------------------------------------------------------

EN_CASES = [
    ("tomorrow 10am", "2026-12-03 09:00"),
    ("today at 5pm", "2026-12-02 16:00"),
    ("the day after tomorrow at 9:30", "2026-12-04 08:30"),
    ("friday 2pm", "2026-12-04 13:00"),
    ("Fri 2 p.m.", "2026-12-04 13:00"),
    ("tomorrow 10.30am", "2026-12-03 09:30"),
    ("at 10 tomorrow", "2026-12-03 09:00"),
    ("on friday at 3pm", "2026-12-04 14:00"),
    ("next monday", "2026-12-07 16:00"),
    ("next wednesday", "2026-12-09 16:00"),  # strictly after today
    ("wednesday", "2026-12-02 16:00"),
    ("friday next week", "2026-12-11 16:00"),
    ("next week on monday", "2026-12-07 16:00"),
    ("in 2 hours", "2026-12-02 10:00"),
    ("in 45 minutes", "2026-12-02 08:45"),
    ("in half an hour", "2026-12-02 08:30"),
    ("in 3 days", "2026-12-05 08:00"),
    ("in 3 days at 10am", "2026-12-05 09:00"),
    ("2 hours from now", "2026-12-02 10:00"),
    ("March 30", "2027-03-30 15:00"),  # 17:00 CEST
    ("30 March 2027 14:00", "2027-03-30 12:00"),
    ("Dec 4, 2026 2pm", "2026-12-04 13:00"),
    ("3/30", "2027-03-30 15:00"),  # month/day only because 30 cannot be a month
    ("4/12", "2026-12-04 16:00"),  # day/month
    ("4th of december", "2026-12-04 16:00"),
    ("2026-12-24 18:00", "2026-12-24 17:00"),
    ("2026-12-24T18:00", "2026-12-24 17:00"),
    ("noon", "2026-12-02 11:00"),
    ("tomorrow at noon", "2026-12-03 11:00"),
    ("midnight", "2026-12-02 23:00"),
    ("friday midnight", "2026-12-04 23:00"),  # the end of Friday
    ("10:30", "2026-12-02 09:30"),
    ("12am", "2026-12-02 23:00"),
    ("12pm", "2026-12-02 11:00"),
    ("at 10", "2026-12-02 09:00"),
    ("10 o'clock", "2026-12-02 09:00"),
    ("tonight at 8", "2026-12-02 19:00"),
    ("tomorrow morning", "2026-12-03 08:00"),
    ("tomorrow 7 in the evening", "2026-12-03 18:00"),
]


@pytest.mark.parametrize(("text", "expected"), EN_CASES)
def test_english(text: str, expected: str) -> None:
    check(text, "en", BERLIN, wednesday(BERLIN), expected)


# -- Korean, Asia/Seoul (now = 00:00Z) ------------------------------------------------------------------------------

KO_CASES = [
    ("내일 오전 10시", "2026-12-03 01:00"),
    ("모레 오후 3시 30분", "2026-12-04 06:30"),
    ("오늘 오후 5시", "2026-12-02 08:00"),
    ("내일모레 오전 9시", "2026-12-04 00:00"),
    ("금요일 오후 2시", "2026-12-04 05:00"),
    ("금요일 14:00", "2026-12-04 05:00"),
    ("다음 주 월요일", "2026-12-07 08:00"),
    ("다음주 금요일", "2026-12-11 08:00"),
    ("다음 월요일", "2026-12-07 08:00"),
    ("이번 주 금요일", "2026-12-04 08:00"),
    ("이번 주 월요일", "2026-11-30 08:00"),  # already past: returned as such
    ("2시간 후", "2026-12-02 02:00"),
    ("두 시간 후", "2026-12-02 02:00"),
    ("1시간 30분 후", "2026-12-02 01:30"),
    ("30분 후", "2026-12-02 00:30"),
    ("3일 후", "2026-12-05 00:00"),
    ("3일 후 오전 10시", "2026-12-05 01:00"),
    ("3월 30일", "2027-03-30 08:00"),
    ("2027년 3월 30일", "2027-03-30 08:00"),
    ("12월 25일 오후 3시", "2026-12-25 06:00"),
    ("2026. 12. 25.", "2026-12-25 08:00"),
    ("3/30", "2027-03-30 08:00"),
    ("30일", "2026-12-30 08:00"),
    ("3시 반", "2026-12-02 06:30"),  # a bare hour 1-6 is in the afternoon: 15:30
    ("3시 30분", "2026-12-02 18:30"),  # written minutes keep the 24-hour clock: 03:30 tomorrow
    ("오후 3시 반", "2026-12-02 06:30"),
    ("세 시 반", "2026-12-02 06:30"),
    ("아침 8시", "2026-12-02 23:00"),  # 08:00 tomorrow
    ("저녁 7시", "2026-12-02 10:00"),
    ("밤 12시", "2026-12-02 15:00"),  # midnight at the end of today
    ("오전 12시", "2026-12-02 15:00"),  # 00:00, the next one
    ("오후 12시", "2026-12-02 03:00"),
    ("내일까지", "2026-12-03 08:00"),
    ("금요일까지", "2026-12-04 08:00"),
    ("내일 10시에", "2026-12-03 01:00"),
    ("오늘 밤", "2026-12-02 12:00"),
]


@pytest.mark.parametrize(("text", "expected"), KO_CASES)
def test_korean(text: str, expected: str) -> None:
    check(text, "ko", SEOUL, wednesday(SEOUL), expected)


# -- German, Europe/Berlin (now = 08:00Z) ---------------------------------------------------------------------------

DE_CASES = [
    ("morgen um 10 Uhr", "2026-12-03 09:00"),
    ("übermorgen 9:30", "2026-12-04 08:30"),
    ("heute 17 Uhr", "2026-12-02 16:00"),
    ("Freitag 14 Uhr", "2026-12-04 13:00"),
    ("am Freitag um 14:30", "2026-12-04 13:30"),
    ("nächsten Montag", "2026-12-07 16:00"),
    ("nächste Woche Freitag", "2026-12-11 16:00"),
    ("Freitag nächste Woche", "2026-12-11 16:00"),
    ("Mittwoch", "2026-12-02 16:00"),
    ("in 2 Stunden", "2026-12-02 10:00"),
    ("in 30 Minuten", "2026-12-02 08:30"),
    ("in einer Stunde", "2026-12-02 09:00"),
    ("in einer halben Stunde", "2026-12-02 08:30"),
    ("in 3 Tagen", "2026-12-05 08:00"),
    ("in 2 Wochen", "2026-12-16 08:00"),
    ("30. März", "2027-03-30 15:00"),  # 17:00 CEST
    ("30.03.2027", "2027-03-30 15:00"),
    ("30.03.", "2027-03-30 15:00"),
    ("25.12. 15:00", "2026-12-25 14:00"),
    ("am 24.12. um 18 Uhr", "2026-12-24 17:00"),
    ("Montag, den 7.12.", "2026-12-07 16:00"),
    ("14.30 Uhr", "2026-12-02 13:30"),
    ("10:30 Uhr", "2026-12-02 09:30"),
    ("14 Uhr 30", "2026-12-02 13:30"),
    ("um halb 3 nachmittags", "2026-12-02 13:30"),
    ("morgen früh", "2026-12-03 08:00"),
    ("morgens um 7", "2026-12-03 06:00"),
    ("vormittags 11 Uhr", "2026-12-02 10:00"),
    ("nachmittags um 3", "2026-12-02 14:00"),
    ("um 8 Uhr abends", "2026-12-02 19:00"),
    ("Freitag 8 abends", "2026-12-04 19:00"),
    ("heute Abend", "2026-12-02 18:00"),
    ("heute Abend um 8", "2026-12-02 19:00"),
    ("Freitagabend", "2026-12-04 18:00"),
    ("um Mitternacht", "2026-12-02 23:00"),
]


@pytest.mark.parametrize(("text", "expected"), DE_CASES)
def test_german(text: str, expected: str) -> None:
    check(text, "de", BERLIN, wednesday(BERLIN), expected)


# -- Japanese and Chinese (a smaller set) ---------------------------------------------------------------------------

CJK_CASES = [
    ("ja", "明日 午前10時", "2026-12-03 01:00"),
    ("ja", "明日の10時に", "2026-12-03 01:00"),
    ("ja", "金曜日 午後2時", "2026-12-04 05:00"),
    ("ja", "来週の月曜日", "2026-12-07 08:00"),
    ("ja", "2時間後", "2026-12-02 02:00"),
    ("ja", "3月30日 15時", "2027-03-30 06:00"),
    ("ja", "十二月四日", "2026-12-04 08:00"),
    ("zh", "明天上午10点", "2026-12-03 02:00"),
    ("zh", "星期五下午2点", "2026-12-04 06:00"),
    ("zh", "下周一", "2026-12-07 09:00"),
    ("zh", "2小时后", "2026-12-02 03:00"),
    ("zh", "两个小时后", "2026-12-02 03:00"),
    ("zh", "三点半", "2026-12-02 07:30"),  # a bare hour 1-6 is in the afternoon: 15:30
    ("zh", "3点30分", "2026-12-02 19:30"),  # written minutes keep the 24-hour clock: 03:30 tomorrow
    ("zh", "今晚8点", "2026-12-02 12:00"),
    ("zh", "3月30日 15:00", "2027-03-30 07:00"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CJK_CASES)
def test_japanese_and_chinese(lang: str, text: str, expected: str) -> None:
    tz = ZONE_OF[lang]
    check(text, lang, tz, wednesday(tz), expected)


# -- daylight-saving changes in Europe/Berlin -----------------------------------------------------------------------

DST_CASES = [
    # said on Saturday 2026-03-28 09:00 CET (08:00Z); the clocks jump 02:00 → 03:00 on Sunday
    ("de", "2026-03-28 09:00", "morgen um 10 Uhr", "2026-03-29 08:00"),
    ("de", "2026-03-28 09:00", "morgen", "2026-03-29 15:00"),
    ("de", "2026-03-28 09:00", "in 3 Tagen", "2026-03-31 07:00"),  # same wall-clock time, now CEST
    ("de", "2026-03-28 09:00", "in 24 Stunden", "2026-03-29 08:00"),  # exact: 10:00 CEST
    ("de", "2026-03-28 09:00", "Sonntag 10 Uhr", "2026-03-29 08:00"),
    ("de", "2026-03-28 09:00", "Montag 9 Uhr", "2026-03-30 07:00"),
    ("de", "2026-03-28 09:00", "morgen 2:30", "2026-03-29 01:30"),  # does not exist: 03:30 CEST
    ("de", "2026-03-28 09:00", "2:30", "2026-03-29 01:30"),
    ("en", "2026-03-28 09:00", "tomorrow 10am", "2026-03-29 08:00"),
    ("en", "2026-03-28 09:00", "in 3 days", "2026-03-31 07:00"),
    # said at 01:30 CET on the night of the change (00:30Z)
    ("de", "2026-03-29 01:30", "in 2 Stunden", "2026-03-29 02:30"),  # 04:30 CEST
    ("de", "2026-03-29 01:30", "in 1 Tag", "2026-03-29 23:30"),  # 01:30 CEST on Monday
    ("de", "2026-03-29 01:30", "3 Uhr", "2026-03-29 13:00"),  # a bare hour: 15:00 CEST
    ("de", "2026-03-29 01:30", "03 Uhr", "2026-03-29 01:00"),  # a leading zero: 03:00 CEST, right after the gap
    # said on Saturday 2026-10-24 09:00 CEST (07:00Z); the clocks go back 03:00 → 02:00 on Sunday
    ("de", "2026-10-24 09:00", "morgen um 10 Uhr", "2026-10-25 09:00"),
    ("de", "2026-10-24 09:00", "in 3 Tagen", "2026-10-27 08:00"),
    ("de", "2026-10-24 09:00", "in 24 Stunden", "2026-10-25 07:00"),  # exact: 08:00 CET
    ("de", "2026-10-24 09:00", "Sonntag 10 Uhr", "2026-10-25 09:00"),
    ("de", "2026-10-24 09:00", "Montag 9 Uhr", "2026-10-26 08:00"),
    ("de", "2026-10-24 09:00", "morgen 2:30", "2026-10-25 00:30"),  # twice: the first one (CEST)
    ("en", "2026-10-24 09:00", "tomorrow 10am", "2026-10-25 09:00"),
    ("en", "2026-10-24 09:00", "next monday", "2026-10-26 16:00"),
]


@pytest.mark.parametrize(("lang", "said", "text", "expected"), DST_CASES)
def test_daylight_saving_changes(lang: str, said: str, text: str, expected: str) -> None:
    check(text, lang, BERLIN, local(BERLIN, said), expected)


def test_now_in_another_zone_is_read_in_the_groups_zone() -> None:
    now = utc("2026-12-02 02:00")  # 09:00 in Jakarta
    check("besok jam 10", "id", JAKARTA, now, "2026-12-03 03:00")
    check("besok jam 10", "id", JAKARTA, now.astimezone(ZoneInfo("America/New_York")), "2026-12-03 03:00")


def test_zone_designator_overrides_the_groups_zone() -> None:
    now = wednesday(BERLIN)
    check("besok 15.00 WIB", "id", BERLIN, now, "2026-12-03 08:00")
    check("morgen 10 Uhr MEZ", "de", JAKARTA, wednesday(JAKARTA), "2026-12-03 09:00")
    check("tomorrow 10:00 UTC", "en", SEOUL, wednesday(SEOUL), "2026-12-03 10:00")


# -- not dates ------------------------------------------------------------------------------------------------------

NOT_DATES = [
    ("id", ""),
    ("id", "   "),
    ("id", "hello"),
    ("id", "asdf 99"),
    ("id", "jam"),
    ("id", "besok jam"),
    ("id", "minggu depan"),  # next week, but which day?
    ("id", "31 Februari"),
    ("id", "30.02.2027"),
    ("id", "jam 10.70"),
    ("id", "besok jam 25"),
    ("id", "15.00 pagi"),  # the period contradicts the hour
    ("id", "jam 10 jam 11"),
    ("id", "besok lusa"),
    ("id", "Senin, 4 Desember 2026"),  # 4 December 2026 is a Friday
    ("id", "besok 10"),  # a bare number is neither a time nor a day
    ("id", "12"),
    ("id", "2026"),
    ("id", "1700000000"),
    ("id", "0001-01-01"),
    ("id", "kapan-kapan"),
    ("en", "Monday-ish"),
    ("en", "hello"),
    ("en", "25:00"),
    ("en", "13pm"),
    ("en", "next week"),
    ("en", "in 2 hours at 10am"),
    ("en", "march"),
    ("en", "a 10"),
    ("en", "tomorrow 9"),
    ("en", "2026-13-01"),
    ("en", "10 apples"),
    ("en", "last friday"),  # past forms are not silently read as the next one
    ("en", "every monday"),
    ("en", "5 minutes ago"),
    ("en", "tomorrow or friday"),
    ("en", "10-11am"),
    ("id", "jam 10 sampai 12"),
    ("id", "Jumat kemarin"),
    ("id", "pagi jam 10 malam"),
    ("de", "letzten Freitag"),
    ("de", "zwischen 10 und 11 Uhr"),
    ("ko", "지난주 금요일"),
    ("ko", "3시간 반 전"),  # ago: past forms are not read
    ("ko", "안녕하세요"),
    ("ko", "오전 13시"),
    ("ko", "13시 70분"),
    ("ko", "다음 주"),
    ("ko", "2월 30일"),
    ("de", "13 Uhr 70"),
    ("de", "25:00 Uhr"),
    ("de", "Uhr"),
    ("de", "nächste Woche"),
    ("de", "31.04."),
    ("de", "Samstag, 30.10.2026"),  # a Friday
    ("de", "Hallo zusammen"),
    ("ja", "こんにちは"),
    ("zh", "你好"),
    ("fr", "bonjour"),
]


@pytest.mark.parametrize(("lang", "text"), NOT_DATES)
def test_not_a_date(lang: str, text: str) -> None:
    tz = ZONE_OF.get(lang, BERLIN)
    check(text, lang, tz, wednesday(tz), None)


# -- defaults: bare dates, bare times -------------------------------------------------------------------------------

BARE_DATES = [
    ("id", "besok"),
    ("id", "Jumat"),
    ("id", "30 Maret"),
    ("en", "friday"),
    ("en", "tomorrow"),
    ("ko", "3월 30일"),
    ("ko", "내일"),
    ("de", "30.03."),
    ("de", "übermorgen"),
    ("ja", "明日"),
    ("zh", "后天"),
]


@pytest.mark.parametrize(("lang", "text"), BARE_DATES)
def test_a_bare_date_means_five_pm_local(lang: str, text: str) -> None:
    tz = ZONE_OF[lang]
    got = parse_when(text, lang, tz, wednesday(tz))
    assert got is not None
    assert got.astimezone(ZoneInfo(tz)).time().isoformat() == "17:00:00"


BARE_TIMES = [
    ("id", "jam 10", "2026-12-02 10:00"),
    ("id", "jam 8", "2026-12-03 08:00"),
    ("id", "09.00", "2026-12-03 09:00"),  # exactly now is not ahead
    ("id", "09.01", "2026-12-02 09:01"),
    ("en", "10am", "2026-12-02 10:00"),
    ("en", "8:59", "2026-12-03 08:59"),
    ("ko", "오후 3시", "2026-12-02 15:00"),
    ("ko", "오전 8시", "2026-12-03 08:00"),
    ("de", "15:00", "2026-12-02 15:00"),
    ("de", "8 Uhr", "2026-12-03 08:00"),
]


@pytest.mark.parametrize(("lang", "text", "expected_local"), BARE_TIMES)
def test_a_bare_time_is_its_next_occurrence(lang: str, text: str, expected_local: str) -> None:
    tz = ZONE_OF[lang]
    assert parse_when(text, lang, tz, wednesday(tz)) == local(tz, expected_local)


def test_relative_durations_are_exact_from_now() -> None:
    now = local(JAKARTA, "2026-12-02 09:17:42")
    assert parse_when("dalam 2 jam", "id", JAKARTA, now) == now + (utc("2026-01-01 02:00") - utc("2026-01-01 00:00"))
    assert parse_when("in 45 minutes", "en", JAKARTA, now) == utc("2026-12-02 03:02:42")


def test_unknown_language_uses_english_rules_and_dateparser() -> None:
    now = wednesday(BERLIN)
    check("tomorrow 10am", "xx", BERLIN, now, "2026-12-03 09:00")
    check("demain 10:00", "fr", "Europe/Paris", local("Europe/Paris", "2026-12-02 09:00"), "2026-12-03 09:00")
    check("4 décembre", "fr", "Europe/Paris", local("Europe/Paris", "2026-12-02 09:00"), "2026-12-04 16:00")
    check("donderdag", "nl", "Europe/Amsterdam", local("Europe/Amsterdam", "2026-12-02 09:00"), "2026-12-03 16:00")
    check("dans 2 heures", "fr", "Europe/Paris", local("Europe/Paris", "2026-12-02 09:00"), None)


def test_language_tags_with_regions() -> None:
    check("明天下午3點", "zh-TW", "Asia/Taipei", local("Asia/Taipei", "2026-12-02 09:00"), "2026-12-03 07:00")
    check("morgen um 10 Uhr", "de_AT", "Europe/Vienna", local("Europe/Vienna", "2026-12-02 09:00"), "2026-12-03 09:00")


def test_leap_day_without_year_is_the_next_one() -> None:
    check("29 Februari", "id", JAKARTA, wednesday(JAKARTA), "2028-02-29 10:00")


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_when("besok", "id", JAKARTA, datetime(2026, 12, 2, 9, 0))


@pytest.mark.parametrize("lang", sorted(EXAMPLES))
def test_examples_parse(lang: str) -> None:
    assert 3 <= len(EXAMPLES[lang]) <= 4
    tz = ZONE_OF[lang]
    for example in EXAMPLES[lang]:
        got = parse_when(example, lang, tz, wednesday(tz))
        assert got is not None, example
        assert not is_past(got, wednesday(tz)), example


def test_dateparser_objects_are_reused() -> None:
    now = local("Europe/Paris", "2026-12-02 09:00")
    check("après-demain", "fr", "Europe/Paris", now, "2026-12-04 16:00")
    before = dates.rules.date_parser.cache_info()
    check("demain", "fr", "Europe/Paris", now.replace(hour=11), "2026-12-03 16:00")
    after = dates.rules.date_parser.cache_info()
    assert after.hits == before.hits + 1
    assert after.misses == before.misses


def test_parse_when_is_safe_in_worker_threads() -> None:
    jobs = [(text, "en", BERLIN) for text, _ in EN_CASES] + [(text, "id", JAKARTA) for text, _ in ID_CASES]
    expected = [parse_when(text, lang, tz, wednesday(tz)) for text, lang, tz in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda job: parse_when(job[0], job[1], job[2], wednesday(job[2])), jobs * 3))
    assert got == expected * 3


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from("0123456789 :./-jamuhrpkisoeb시월일후내오전후月日点明天abcdefghtuvwxyz"), max_size=30
    ),
    lang=st.sampled_from(["id", "en", "ko", "de", "ja", "zh", "fr"]),
)
def test_never_raises_and_answers_utc_or_none(text: str, lang: str) -> None:
    got = parse_when(text, lang, BERLIN, wednesday(BERLIN))
    assert got is None or (got.tzinfo is UTC and abs(got.year - 2026) <= 100)


# -- is_past --------------------------------------------------------------------------------------------------------


def test_is_past() -> None:
    now = wednesday(JAKARTA)
    assert is_past(utc("2026-12-02 01:59"), now)
    assert is_past(utc("2026-12-02 02:00"), now)  # exactly now is not in the future
    assert not is_past(utc("2026-12-02 02:01"), now)
    assert not is_past(local(SEOUL, "2026-12-02 11:01"), now)  # zones do not matter
    with pytest.raises(ValueError):
        is_past(datetime(2026, 12, 2, 2, 0), now)


def test_past_dates_are_parsed_and_is_past_flags_them() -> None:
    now = wednesday(JAKARTA)
    when = parse_when("2026-12-01", "id", JAKARTA, now)
    assert when is not None and is_past(when, now)
    when = parse_when("besok", "id", JAKARTA, now)
    assert when is not None and not is_past(when, now)


# -- format_when ----------------------------------------------------------------------------------------------------

FORMATS = [
    ("id", JAKARTA, "Jum, 4 Des 2026 14.00"),
    ("en", JAKARTA, "Fri, 4 Dec 2026, 14:00"),
    ("ko", JAKARTA, "2026년 12월 4일 (금) 14:00"),
    ("de", JAKARTA, "Fr., 4. Dez. 2026, 14:00"),
    ("ja", JAKARTA, "2026年12月4日(金) 14:00"),
    ("zh", JAKARTA, "2026年12月4日周五 14:00"),
    ("de", BERLIN, "Fr., 4. Dez. 2026, 08:00"),
    ("ko", SEOUL, "2026년 12월 4일 (금) 16:00"),
    ("en", "America/New_York", "Fri, 4 Dec 2026, 02:00"),
    ("xx", JAKARTA, "Fri, 4 Dec 2026, 14:00"),  # unknown languages: English
]


@pytest.mark.parametrize(("lang", "tz", "expected"), FORMATS)
def test_format_when(lang: str, tz: str, expected: str) -> None:
    assert format_when(utc("2026-12-04 07:00"), lang, tz) == expected


def test_format_when_refuses_naive() -> None:
    with pytest.raises(ValueError):
        format_when(datetime(2026, 12, 4, 7, 0), "id", JAKARTA)


@pytest.mark.parametrize("lang", ["id", "en", "ko", "de"])
def test_format_then_parse_round_trip_for_iso(lang: str) -> None:
    tz = ZONE_OF[lang]
    when = parse_when("2026-12-24 18:30", lang, tz, wednesday(tz))
    assert when is not None
    assert "18" in format_when(when, lang, tz) and "30" in format_when(when, lang, tz)
