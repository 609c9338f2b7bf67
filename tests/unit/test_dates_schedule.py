"""bot.language.schedule: recurrences, quiet hours, local times and durations, checked against exact UTC instants.

Asia/Jakarta is UTC+7 and Asia/Seoul UTC+9 all year. Europe/Berlin is CET (UTC+1) in winter and CEST (UTC+2) in
summer; in 2026 it springs forward on Sunday 2026-03-29 (02:00 CET → 03:00 CEST at 01:00Z) and falls back on Sunday
2026-10-25 (03:00 CEST → 02:00 CET at 01:00Z). 2026-12-02 is a Wednesday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.language.schedule import (
    DAY_CODES,
    after_quiet_hours,
    duration_parts,
    in_quiet_hours,
    next_local_time,
    next_occurrence,
    parse_durations,
    parse_hhmm,
    parse_recurrence,
    parse_weekday_time,
    recurrence_rule,
)

JAKARTA = "Asia/Jakarta"
SEOUL = "Asia/Seoul"
BERLIN = "Europe/Berlin"
WORKDAYS = "MO,TU,WE,TH,FR"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(tz: str, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz))


# -- parse_recurrence ------------------------------------------------------------------------------------------------

Case = tuple[str, tuple[str, str] | None]

EN_RECURRENCES: list[Case] = [
    ("every monday 09:00 Submit report", ("MO@09:00", "Submit report")),
    ("every mon,fri 9am Standup", ("MO,FR@09:00", "Standup")),
    ("every day 08:30 Coffee", ("*@08:30", "Coffee")),
    ("daily 8:30 Coffee", ("*@08:30", "Coffee")),
    ("Every Tuesday at 6pm Choir practice", ("TU@18:00", "Choir practice")),
    ("every monday and thursday at 7:15 pm Yoga", ("MO,TH@19:15", "Yoga")),
    ("every sat 10:30 am Market", ("SA@10:30", "Market")),
    ("each day at noon Lunch", ("*@12:00", "Lunch")),
    ("every weekday at 9 standup", ("WD@09:00", "standup")),
    ("every mon-fri 9am at the office", (f"{WORKDAYS}@09:00", "at the office")),  # "at" is not part of the time
    ("every fri-mon 8am Weekend shift", ("MO,FR,SA,SU@08:00", "Weekend shift")),  # a range may wrap
    ("every day 9am: water the plants", ("*@09:00", "water the plants")),
    ("every monday at midnight Backup", ("TU@00:00", "Backup")),  # midnight ends the named day
    ("every mon, tue, wed, thu, fri, sat, sun 6am Run", ("*@06:00", "Run")),
    ("  every friday 17:00   Timesheets  ", ("FR@17:00", "Timesheets")),
    ("every day 9 pm 2 pills", ("*@21:00", "2 pills")),
]
EN_INVALID = [
    "every monday standup",  # no time
    "every monday 9am",  # no text
    "every monday 9am   ",
    "every month 9am Invoice",
    "every 9am Standup",
    "weekly 9am Standup",
    "every monday 25:00 Standup",
    "every monday 13pm Standup",
    "every day morning Standup",  # a period word is not a clock time
    "every monday 9 Standup",  # a bare hour is not a time in English
    "remind me every monday 9am Standup",  # the keyword must come first
    "every mon- 9am Standup",
    "",
]

ID_RECURRENCES: list[Case] = [
    ("setiap Senin 09:00 Kirim laporan", ("MO@09:00", "Kirim laporan")),
    ("setiap Senin dan Jumat jam 9 Rapat", ("MO,FR@09:00", "Rapat")),
    ("setiap hari jam 08.30 Apel pagi", ("*@08:30", "Apel pagi")),
    ("tiap Senin jam 9 pagi Rapat", ("MO@09:00", "Rapat")),
    ("Setiap Rabu pukul 15.00 Piket", ("WE@15:00", "Piket")),
    ("setiap hari Minggu jam 7 Ibadah", ("SU@07:00", "Ibadah")),
    ("tiap hari jam 3 sore Minum obat", ("*@15:00", "Minum obat")),
    ("setiap Selasa, Kamis pukul 19.30 Latihan", ("TU,TH@19:30", "Latihan")),
    ("setiap Senin sampai Jumat pukul 07.30 Absen", (f"{WORKDAYS}@07:30", "Absen")),
    ("setiap hari kerja jam 8 Absen", ("WD@08:00", "Absen")),
    ("setiap Jum’at jam 11.30 Jumatan", ("FR@11:30", "Jumatan")),
    ("setiap Sabtu jam 12 malam Cadangkan data", ("SU@00:00", "Cadangkan data")),
    ("every friday 5pm Laporan mingguan", ("FR@17:00", "Laporan mingguan")),
]
ID_INVALID = [
    "setiap minggu jam 9 Rapat",  # "every week" or "every Sunday"?
    "setiap Senin Rapat",
    "setiap Senin jam 9",
    "setiap jam 9 Rapat",
    "setiap Senin jam 25 Rapat",
    "setiap bulan jam 9 Rapat",
    "Senin jam 9 Rapat",
]

KO_RECURRENCES: list[Case] = [
    ("매주 월요일 09:00 보고서 제출", ("MO@09:00", "보고서 제출")),
    ("매주 월,금 오전 9시 회의", ("MO,FR@09:00", "회의")),
    ("매일 오전 8시 30분 운동", ("*@08:30", "운동")),
    ("매주 화요일과 목요일 저녁 7시 스터디", ("TU,TH@19:00", "스터디")),
    ("매주 월~금 오후 6시 퇴근 준비", (f"{WORKDAYS}@18:00", "퇴근 준비")),
    ("월요일마다 오전 9시에 주간 회의", ("MO@09:00", "주간 회의")),
    ("매일 오후 3시 반 산책", ("*@15:30", "산책")),
    ("매일 9시 에어컨 끄기", ("*@09:00", "에어컨 끄기")),
    ("매주 일요일 자정 백업", ("MO@00:00", "백업")),
    ("평일 오전 9시 출근 체크", ("WD@09:00", "출근 체크")),
    ("every monday 9am 회의", ("MO@09:00", "회의")),
]
KO_INVALID = [
    "매주 회의 오전 9시",
    "매일 회의",
    "매주 월요일 오전 9시",
    "매일 오전 13시 운동",
    "매달 오전 9시 회의",
    "월요일 오전 9시 회의",
]

DE_RECURRENCES: list[Case] = [
    ("jeden Montag 09:00 Bericht abgeben", ("MO@09:00", "Bericht abgeben")),
    ("montags 9 Uhr Bericht", ("MO@09:00", "Bericht")),
    ("jeden Tag 8:30 Uhr Kaffee", ("*@08:30", "Kaffee")),
    ("täglich 8:30 Kaffee", ("*@08:30", "Kaffee")),
    ("Täglich um 18 Uhr Abendessen", ("*@18:00", "Abendessen")),
    ("montags und freitags um 9 Uhr Sport", ("MO,FR@09:00", "Sport")),
    ("jeden Mo, Fr 9 Uhr Sport", ("MO,FR@09:00", "Sport")),
    ("jeden Mittwoch um 14.30 Uhr Sprechstunde", ("WE@14:30", "Sprechstunde")),
    ("werktags 7 Uhr Zug", ("WD@07:00", "Zug")),
    ("montags bis freitags 7:15 Bus", (f"{WORKDAYS}@07:15", "Bus")),
    ("jeden Sonntag 8 Uhr abends Wochenplanung", ("SU@20:00", "Wochenplanung")),
    ("every monday 9am Bericht", ("MO@09:00", "Bericht")),
]
DE_INVALID = [
    "jeden Montag Bericht",
    "Montag 9 Uhr Bericht",  # a single Monday: not a recurrence
    "jeden Monat 9 Uhr Miete",
    "täglich 25 Uhr Kaffee",
    "jeden Montag 9 Uhr",
    "montag 9 Uhr Bericht",
]

JA_ZH_RECURRENCES: list[tuple[str, str, tuple[str, str] | None]] = [
    ("ja", "毎週月曜日 9時 会議", ("MO@09:00", "会議")),
    ("ja", "毎日9時に会議", ("*@09:00", "会議")),
    ("ja", "毎日9時朝礼", ("*@09:00", "朝礼")),  # 朝 starts the text, it is not "morning"
    ("ja", "毎週月・金 午前9時 朝礼", ("MO,FR@09:00", "朝礼")),
    ("ja", "毎日午後3時半におやつ", ("*@15:30", "おやつ")),
    ("zh", "每周一 9点 开会", ("MO@09:00", "开会")),
    ("zh", "每天上午9点开会", ("*@09:00", "开会")),
    ("zh", "每周一、周五 09:00 周报", ("MO,FR@09:00", "周报")),
    ("zh", "每天下午3点半开会", ("*@15:30", "开会")),
    ("zh", "每周一次会议", None),
    ("ja", "毎日 会議", None),
    ("fr", "every monday 9am réunion", ("MO@09:00", "réunion")),
    ("fr", "tous les lundis 9h réunion", None),
]


@pytest.mark.parametrize(("text", "expected"), EN_RECURRENCES + [(t, None) for t in EN_INVALID])
def test_parse_recurrence_en(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_recurrence(text, "en") == expected


@pytest.mark.parametrize(("text", "expected"), ID_RECURRENCES + [(t, None) for t in ID_INVALID])
def test_parse_recurrence_id(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_recurrence(text, "id") == expected


@pytest.mark.parametrize(("text", "expected"), KO_RECURRENCES + [(t, None) for t in KO_INVALID])
def test_parse_recurrence_ko(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_recurrence(text, "ko") == expected


@pytest.mark.parametrize(("text", "expected"), DE_RECURRENCES + [(t, None) for t in DE_INVALID])
def test_parse_recurrence_de(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_recurrence(text, "de") == expected


@pytest.mark.parametrize(("lang", "text", "expected"), JA_ZH_RECURRENCES)
def test_parse_recurrence_other_languages(lang: str, text: str, expected: tuple[str, str] | None) -> None:
    assert parse_recurrence(text, lang) == expected


@pytest.mark.parametrize("lang", ["id", "en", "ko", "de", "ja", "zh", "pt-BR"])
def test_english_every_works_in_every_language(lang: str) -> None:
    assert parse_recurrence("every mon,fri 9am Standup", lang) == ("MO,FR@09:00", "Standup")
    assert parse_recurrence("daily 08:30 Coffee", lang) == ("*@08:30", "Coffee")


def test_parsed_recurrences_are_valid_rules() -> None:
    cases = [("en", t, e) for t, e in EN_RECURRENCES] + [("id", t, e) for t, e in ID_RECURRENCES]
    cases += [("ko", t, e) for t, e in KO_RECURRENCES] + [("de", t, e) for t, e in DE_RECURRENCES]
    for lang, text, _ in cases:
        parsed = parse_recurrence(text, lang)
        assert parsed is not None
        assert next_occurrence(parsed[0], BERLIN, utc("2026-12-02 08:00")) > utc("2026-12-02 08:00")
        assert recurrence_rule(parsed[0])[0]


# -- next_occurrence -------------------------------------------------------------------------------------------------

OCCURRENCES = [
    # Jakarta, UTC+7; after = Wednesday 2026-12-02 09:00 local
    ("MO@09:00", JAKARTA, "2026-12-02 02:00", "2026-12-07 02:00"),
    ("WE@09:00", JAKARTA, "2026-12-02 02:00", "2026-12-09 02:00"),  # strictly after: not today's 09:00
    ("WE@09:00", JAKARTA, "2026-12-02 01:59", "2026-12-02 02:00"),
    ("*@08:30", JAKARTA, "2026-12-02 02:00", "2026-12-03 01:30"),
    ("*@23:30", JAKARTA, "2026-12-02 02:00", "2026-12-02 16:30"),
    ("*@00:00", JAKARTA, "2026-12-02 02:00", "2026-12-02 17:00"),
    ("SU@06:00", JAKARTA, "2026-12-05 23:00", "2026-12-12 23:00"),  # exactly Sunday 06:00: next week
    (WORKDAYS + "@07:30", JAKARTA, "2026-12-04 01:00", "2026-12-07 00:30"),  # Friday 08:00 → Monday
    # Seoul, UTC+9
    ("MO,FR@09:00", SEOUL, "2026-12-02 00:00", "2026-12-04 00:00"),
    ("MO,FR@09:00", SEOUL, "2026-12-04 00:00", "2026-12-07 00:00"),
    ("*@00:00", SEOUL, "2026-12-01 15:00", "2026-12-02 15:00"),
    ("*@00:00", SEOUL, "2026-12-01 14:59", "2026-12-01 15:00"),
    ("SA@07:00", SEOUL, "2026-12-31 23:00", "2027-01-01 22:00"),  # across the new year
    ("TU,TH@19:00", SEOUL, "2026-12-02 09:59", "2026-12-03 10:00"),
    # Berlin, winter and summer
    ("MO@09:00", BERLIN, "2026-12-02 08:00", "2026-12-07 08:00"),
    ("MO@09:00", BERLIN, "2026-07-01 12:00", "2026-07-06 07:00"),
    ("*@09:00", BERLIN, "2026-12-02 08:00", "2026-12-03 08:00"),
    # spring forward (Sunday 2026-03-29): the same 09:00 local is one hour earlier in UTC
    ("MO@09:00", BERLIN, "2026-03-27 12:00", "2026-03-30 07:00"),
    ("*@09:00", BERLIN, "2026-03-28 08:00", "2026-03-29 07:00"),
    ("SU@09:00", BERLIN, "2026-03-22 08:00", "2026-03-29 07:00"),
    ("SA,SU@01:30", BERLIN, "2026-03-28 00:30", "2026-03-29 00:30"),  # just before the change: still CET
    ("SU@03:00", BERLIN, "2026-03-28 12:00", "2026-03-29 01:00"),  # first minute of summer time
    ("SU@02:30", BERLIN, "2026-03-28 12:00", "2026-03-29 01:30"),  # does not exist: 03:30 CEST
    ("*@02:30", BERLIN, "2026-03-29 01:30", "2026-03-30 00:30"),
    ("*@02:00", BERLIN, "2026-03-28 12:00", "2026-03-29 01:00"),  # 02:00 → 03:00 CEST
    # fall back (Sunday 2026-10-25): one hour later in UTC
    ("MO@09:00", BERLIN, "2026-10-23 12:00", "2026-10-26 08:00"),
    ("*@09:00", BERLIN, "2026-10-24 07:00", "2026-10-25 08:00"),
    ("SU@02:30", BERLIN, "2026-10-24 12:00", "2026-10-25 00:30"),  # ambiguous: the first (CEST) 02:30
    ("SU@02:30", BERLIN, "2026-10-25 00:30", "2026-11-01 01:30"),  # never the second 02:30
    ("*@02:30", BERLIN, "2026-10-25 00:30", "2026-10-26 01:30"),
    ("SU@01:59", BERLIN, "2026-10-24 12:00", "2026-10-24 23:59"),
    ("SU@03:00", BERLIN, "2026-10-24 12:00", "2026-10-25 02:00"),
]


@pytest.mark.parametrize(("rule", "tz", "after", "expected"), OCCURRENCES)
def test_next_occurrence(rule: str, tz: str, after: str, expected: str) -> None:
    got = next_occurrence(rule, tz, utc(after))
    assert got == utc(expected)
    assert got.tzinfo is UTC


def test_next_occurrence_accepts_any_aware_after() -> None:
    after = local(JAKARTA, "2026-12-02 09:00")
    assert next_occurrence("*@09:00", JAKARTA, after) == utc("2026-12-03 02:00")


@pytest.mark.parametrize("rule", ["", "*", "MO", "MO@9:00", "MO@24:00", "mo@09:00", "MO;FR@09:00", "XX@09:00", "*@9"])
def test_malformed_recurrences(rule: str) -> None:
    with pytest.raises(ValueError):
        next_occurrence(rule, BERLIN, utc("2026-12-02 08:00"))
    with pytest.raises(ValueError):
        recurrence_rule(rule)


def test_naive_instants_are_rejected() -> None:
    with pytest.raises(ValueError):
        next_occurrence("*@09:00", BERLIN, datetime(2026, 12, 2, 8))
    with pytest.raises(ValueError):
        next_local_time(BERLIN, "09:00", datetime(2026, 12, 2, 8))
    with pytest.raises(ValueError):
        after_quiet_hours(datetime(2026, 12, 2, 8), BERLIN, "21:00", "07:00")


# -- next_local_time -------------------------------------------------------------------------------------------------

LOCAL_TIMES = [
    (BERLIN, "09:00", "2026-12-02 08:00", None, "2026-12-03 08:00"),
    (BERLIN, "09:00", "2026-12-02 07:59", None, "2026-12-02 08:00"),
    (BERLIN, "9am", "2026-12-02 07:59", None, "2026-12-02 08:00"),
    (BERLIN, "09:00", "2026-12-02 08:00", 0, "2026-12-07 08:00"),
    (BERLIN, "09:00", "2026-12-02 07:59", 2, "2026-12-02 08:00"),
    (BERLIN, "09:00", "2026-03-28 09:00", None, "2026-03-29 07:00"),  # across spring forward
    (BERLIN, "08:00", "2026-10-19 12:00", 0, "2026-10-26 07:00"),  # weekly digest across fall back
    (JAKARTA, "08:00", "2026-12-07 01:00", 0, "2026-12-14 01:00"),  # exactly at the digest: next week
    (JAKARTA, "08:00", "2026-12-07 00:59", 0, "2026-12-07 01:00"),
    (JAKARTA, "09:00", "2026-12-02 02:00", 6, "2026-12-06 02:00"),
    (SEOUL, "9", "2026-12-02 00:00", None, "2026-12-03 00:00"),
    (SEOUL, "18.30", "2026-12-02 00:00", 4, "2026-12-04 09:30"),
]


@pytest.mark.parametrize(("tz", "hhmm", "after", "weekday", "expected"), LOCAL_TIMES)
def test_next_local_time(tz: str, hhmm: str, after: str, weekday: int | None, expected: str) -> None:
    assert next_local_time(tz, hhmm, utc(after), weekday) == utc(expected)


@pytest.mark.parametrize(("hhmm", "weekday"), [("25:00", None), ("", None), ("09:00", 7), ("09:00", -1)])
def test_next_local_time_rejects_bad_input(hhmm: str, weekday: int | None) -> None:
    with pytest.raises(ValueError):
        next_local_time(BERLIN, hhmm, utc("2026-12-02 08:00"), weekday)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", "09:00"),
        ("9:00", "09:00"),
        ("09.00", "09:00"),
        ("9am", "09:00"),
        ("9 p.m.", "21:00"),
        ("9PM", "21:00"),
        ("21:30", "21:30"),
        ("0:05", "00:05"),
        ("12am", "00:00"),
        ("12pm", "12:00"),
        (" 07:00 ", "07:00"),
        ("２１:３０", "21:30"),
        ("24:00", None),
        ("9:60", None),
        ("9:5", None),
        ("13pm", None),
        ("0am", None),
        ("", None),
        ("nine", None),
        ("9:00:00", None),
    ],
)
def test_parse_hhmm(text: str, expected: str | None) -> None:
    assert parse_hhmm(text) == expected


# -- quiet hours -----------------------------------------------------------------------------------------------------

QUIET = [
    # Jakarta, 21:00-07:00 (wraps midnight); 21:00 local = 14:00Z, 07:00 local = 00:00Z
    (JAKARTA, "21:00", "07:00", "2026-12-02 15:00", "2026-12-03 00:00"),  # 22:00
    (JAKARTA, "21:00", "07:00", "2026-12-02 14:00", "2026-12-03 00:00"),  # 21:00 exactly: inside
    (JAKARTA, "21:00", "07:00", "2026-12-02 13:59", "2026-12-02 13:59"),  # 20:59: outside
    (JAKARTA, "21:00", "07:00", "2026-12-02 17:00", "2026-12-03 00:00"),  # 00:00
    (JAKARTA, "21:00", "07:00", "2026-12-02 23:59", "2026-12-03 00:00"),  # 06:59
    (JAKARTA, "21:00", "07:00", "2026-12-03 00:00", "2026-12-03 00:00"),  # 07:00 exactly: outside
    (JAKARTA, "21:00", "07:00", "2026-12-03 05:00", "2026-12-03 05:00"),  # noon
    # a window within one day
    (SEOUL, "12:00", "13:00", "2026-12-02 03:30", "2026-12-02 04:00"),
    (SEOUL, "12:00", "13:00", "2026-12-02 03:00", "2026-12-02 04:00"),
    (SEOUL, "12:00", "13:00", "2026-12-02 04:00", "2026-12-02 04:00"),
    (SEOUL, "12:00", "13:00", "2026-12-02 02:59", "2026-12-02 02:59"),
    (SEOUL, "00:00", "06:00", "2026-12-01 15:00", "2026-12-01 21:00"),
    (SEOUL, "22:00", "00:00", "2026-12-02 14:30", "2026-12-02 15:00"),  # until midnight
    # no window, an empty window
    (SEOUL, None, None, "2026-12-02 03:30", "2026-12-02 03:30"),
    (SEOUL, "12:00", None, "2026-12-02 03:30", "2026-12-02 03:30"),
    (SEOUL, None, "13:00", "2026-12-02 03:30", "2026-12-02 03:30"),
    (SEOUL, "12:00", "12:00", "2026-12-02 03:30", "2026-12-02 03:30"),
    # Berlin: a winter and a summer night
    (BERLIN, "22:00", "07:00", "2026-12-02 22:00", "2026-12-03 06:00"),
    (BERLIN, "22:00", "07:00", "2026-07-01 22:00", "2026-07-02 05:00"),
    # the spring-forward night is one hour shorter, the fall-back night one hour longer
    (BERLIN, "22:00", "07:00", "2026-03-28 22:00", "2026-03-29 05:00"),
    (BERLIN, "22:00", "07:00", "2026-03-29 00:59", "2026-03-29 05:00"),  # 01:59 CET
    (BERLIN, "22:00", "07:00", "2026-03-29 01:00", "2026-03-29 05:00"),  # 03:00 CEST
    (BERLIN, "22:00", "07:00", "2026-10-24 21:00", "2026-10-25 06:00"),
    (BERLIN, "22:00", "07:00", "2026-10-25 00:30", "2026-10-25 06:00"),  # first 02:30 (CEST)
    (BERLIN, "22:00", "07:00", "2026-10-25 01:30", "2026-10-25 06:00"),  # second 02:30 (CET)
    # an end that does not exist: the window ends when the clock jumps over it
    (BERLIN, "22:00", "02:30", "2026-03-29 00:30", "2026-03-29 01:00"),  # 01:30 CET → 03:00 CEST
    (BERLIN, "22:00", "02:30", "2026-03-29 01:00", "2026-03-29 01:00"),  # 03:00 CEST: outside
    # an end that happens twice: the next one
    (BERLIN, "22:00", "02:30", "2026-10-25 00:10", "2026-10-25 00:30"),  # 02:10 CEST → 02:30 CEST
    (BERLIN, "22:00", "02:30", "2026-10-25 00:40", "2026-10-25 00:40"),  # 02:40 CEST: outside
    (BERLIN, "22:00", "02:30", "2026-10-25 01:00", "2026-10-25 01:30"),  # 02:00 CET, inside again → 02:30 CET
    (BERLIN, "22:00", "02:30", "2026-10-25 01:10", "2026-10-25 01:30"),
    # the clock change skips all of the time outside the window: quiet until the next day's end
    (BERLIN, "02:01", "02:00", "2026-03-29 00:30", "2026-03-30 00:00"),
    # a start inside the skipped hour
    (BERLIN, "02:15", "06:00", "2026-03-29 00:59", "2026-03-29 00:59"),  # 01:59 CET
    (BERLIN, "02:15", "06:00", "2026-03-29 01:00", "2026-03-29 04:00"),  # 03:00 CEST
]


@pytest.mark.parametrize(("tz", "start", "end", "instant", "expected"), QUIET)
def test_after_quiet_hours(tz: str, start: str | None, end: str | None, instant: str, expected: str) -> None:
    got = after_quiet_hours(utc(instant), tz, start, end)
    assert got == utc(expected)
    assert in_quiet_hours(utc(instant), tz, start, end) == (got != utc(instant))
    assert not in_quiet_hours(got, tz, start, end)


def test_after_quiet_hours_keeps_an_instant_outside_unchanged() -> None:
    instant = local(SEOUL, "2026-12-02 10:00")
    assert after_quiet_hours(instant, SEOUL, "21:00", "07:00") is instant


def test_quiet_hours_accept_any_hhmm_form() -> None:
    assert after_quiet_hours(utc("2026-12-02 15:00"), JAKARTA, "9pm", "7") == utc("2026-12-03 00:00")
    with pytest.raises(ValueError):
        in_quiet_hours(utc("2026-12-02 15:00"), JAKARTA, "21:00", "7 o'clock")


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-12-02 13:59", False),
        ("2026-12-02 14:00", True),
        ("2026-12-02 18:00", True),
        ("2026-12-02 23:59", True),
        ("2026-12-03 00:00", False),
        ("2026-12-03 05:00", False),
    ],
)
def test_in_quiet_hours(instant: str, expected: bool) -> None:
    assert in_quiet_hours(utc(instant), JAKARTA, "21:00", "07:00") is expected


# -- durations -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24h 1h", [86400, 3600]),
        ("1d 2h 30m", [86400, 7200, 1800]),
        ("2d", [172800]),
        ("0", [0]),
        ("90m", [5400]),
        ("1h30m", [5400]),
        ("1d12h", [129600]),
        ("24H, 1H", [86400, 3600]),
        ("1w", [604800]),
        ("15min", [900]),
        ("0 24h", [0, 86400]),
        ("366d", [366 * 86400]),
        ("", None),
        ("   ", None),
        ("24", None),
        ("1x", None),
        ("24h soon", None),
        ("h", None),
        ("-1h", None),
        ("1.5h", None),
        ("30m1h", None),
        ("367d", None),
    ],
)
def test_parse_durations(text: str, expected: list[int] | None) -> None:
    assert parse_durations(text) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (86400, [(24, "hour")]),
        (1800, [(30, "minute")]),
        (5400, [(1, "hour"), (30, "minute")]),
        (129600, [(36, "hour")]),
        (172800, [(2, "day")]),
        (194400, [(2, "day"), (6, "hour")]),
        (0, [(0, "minute")]),
        (45, [(45, "second")]),
    ],
)
def test_duration_parts(seconds: int, expected: list[tuple[int, str]]) -> None:
    assert duration_parts(seconds) == expected


def test_duration_parts_rejects_negative() -> None:
    with pytest.raises(ValueError):
        duration_parts(-1)


# -- parse_weekday_time ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("monday 08:00", "en", (0, "08:00")),
        ("Mon 8am", "en", (0, "08:00")),
        ("on friday at 5pm", "en", (4, "17:00")),
        ("every sunday 18:30", "en", (6, "18:30")),
        ("Senin 08.00", "id", (0, "08:00")),
        ("Jumat jam 4 sore", "id", (4, "16:00")),
        ("Minggu jam 9", "id", (6, "09:00")),  # for /digest, Minggu can only be Sunday
        ("월요일 오전 8시", "ko", (0, "08:00")),
        ("금요일 오후 5시 30분", "ko", (4, "17:30")),
        ("Montag 8 Uhr", "de", (0, "08:00")),
        ("montags 8:30", "de", (0, "08:30")),
        ("Freitag Mitternacht", "de", (5, "00:00")),  # midnight ends Friday
        ("月曜日 9時", "ja", (0, "09:00")),
        ("周一 上午9点", "zh", (0, "09:00")),
        ("monday 08:00", "de", (0, "08:00")),  # English names in any language
        ("monday", "en", None),
        ("08:00", "en", None),
        ("monday friday 08:00", "en", None),
        ("mon,fri 08:00", "en", None),
        ("monday 25:00", "en", None),
        ("monday 08:00 please", "en", None),
        ("Montag", "de", None),
        ("월요일", "ko", None),
    ],
)
def test_parse_weekday_time(text: str, lang: str, expected: tuple[int, str] | None) -> None:
    assert parse_weekday_time(text, lang) == expected


# -- properties ------------------------------------------------------------------------------------------------------

ZONES = [JAKARTA, SEOUL, BERLIN, "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/Sao_Paulo"]
TRANSITIONS = [
    utc("2026-03-29 01:00"),  # Berlin
    utc("2026-10-25 01:00"),
    utc("2026-03-08 07:00"),  # New York
    utc("2026-11-01 06:00"),
    utc("2026-04-04 15:00"),  # Lord Howe (30 minutes)
    utc("2026-10-03 15:30"),
    utc("2018-11-04 03:00"),  # Sao Paulo, at local midnight
    utc("2019-02-17 02:00"),
]

instants = st.one_of(
    st.datetimes(datetime(2015, 1, 1), datetime(2035, 12, 31), timezones=st.just(UTC)),
    st.builds(
        lambda base, seconds: base + timedelta(seconds=seconds),
        st.sampled_from(TRANSITIONS),
        st.integers(-8 * 86400, 3 * 86400),
    ),
)
clock_times = st.builds(time, st.one_of(st.integers(0, 23), st.sampled_from([0, 1, 2, 3])), st.integers(0, 59))


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall


def _is_occurrence(instant: datetime, zone: ZoneInfo, days: frozenset[int], at: time) -> bool:
    """The oracle: the wall clock shows the rule's time on one of its days (the first time, if it shows it twice),
    or the rule's time is skipped by a spring-forward change and the clock shows it moved forward by the gap."""
    aware = instant.astimezone(zone)
    wall = aware.replace(tzinfo=None)
    for day in (wall.date(), wall.date() - timedelta(days=1)):
        if day.weekday() not in days:
            continue
        target = datetime.combine(day, at)
        if wall == target:
            return aware.fold == 0
        if not _exists(target, zone):
            before = (target - timedelta(hours=6)).replace(tzinfo=zone).utcoffset()
            after = (target + timedelta(hours=6)).replace(tzinfo=zone).utcoffset()
            assert before is not None and after is not None
            if wall == target + (after - before):
                return True
    return False


def _rule(days: frozenset[int], at: time) -> str:
    codes = "*" if len(days) == 7 else ",".join(DAY_CODES[d] for d in sorted(days))
    return f"{codes}@{at:%H:%M}"


@settings(max_examples=300, deadline=None)
@given(
    after=instants,
    tz=st.sampled_from(ZONES),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    at=clock_times,
)
def test_next_occurrence_property(after: datetime, tz: str, days: frozenset[int], at: time) -> None:
    zone = ZoneInfo(tz)
    got = next_occurrence(_rule(days, at), tz, after)
    assert got.tzinfo is UTC
    assert got > after
    assert got - after <= timedelta(days=7, hours=2)
    assert _is_occurrence(got, zone, days, at), f"{got} is {got.astimezone(zone)} local"
    # no occurrence in between: step through every instant whose local minute can match (all offsets of these
    # zones are multiples of 15 minutes)
    step = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    step += timedelta(minutes=(at.minute - step.minute) % 15)
    while step < got:
        assert not _is_occurrence(step, zone, days, at), f"missed {step} ({step.astimezone(zone)} local)"
        step += timedelta(minutes=15)


@settings(max_examples=200, deadline=None)
@given(instant=instants, tz=st.sampled_from(ZONES), start=clock_times, end=clock_times)
def test_after_quiet_hours_property(instant: datetime, tz: str, start: time, end: time) -> None:
    zone = ZoneInfo(tz)
    first, last = f"{start:%H:%M}", f"{end:%H:%M}"
    got = after_quiet_hours(instant, tz, first, last)
    if not in_quiet_hours(instant, tz, first, last):
        assert got == instant
        return
    assert got > instant
    # a day at most, or two when a spring-forward change skips all the time outside the window (quiet 02:01-02:00)
    assert got - instant <= timedelta(hours=49)
    assert not in_quiet_hours(got, tz, first, last)
    assert in_quiet_hours(got - timedelta(microseconds=1), tz, first, last)  # the window ends right there
    wall = got.astimezone(zone).replace(tzinfo=None)
    if wall.time() != end:  # only when ``end`` was skipped by the clock change at ``got``
        assert not _exists(datetime.combine(wall.date(), end), zone)
    # the wall clock did not reach ``end`` earlier
    step = instant.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while step < got:
        assert step.astimezone(zone).time() != end, f"{step} reached {end} before {got}"
        step += timedelta(minutes=1)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=60),
        st.builds(
            "{} {} {}".format,
            st.sampled_from(
                ["every", "daily", "setiap", "tiap hari", "매주", "매일", "jeden", "montags", "毎週", "每周"]
            ),
            st.text(alphabet="0123456789:.,- amphjUrSeninMonday월요일시분오전후", max_size=20),
            st.text(max_size=10),
        ),
    ),
    lang=st.sampled_from(["id", "en", "ko", "de", "ja", "zh", "fr", ""]),
)
def test_parsers_never_raise(text: str, lang: str) -> None:
    parsed = parse_recurrence(text, lang)
    if parsed is not None:
        rule, message = parsed
        assert message and message == message.strip()
        assert next_occurrence(rule, SEOUL, utc("2026-12-02 00:00")) > utc("2026-12-02 00:00")
    weekday_time = parse_weekday_time(text, lang)
    if weekday_time is not None:
        assert 0 <= weekday_time[0] <= 6 and parse_hhmm(weekday_time[1]) == weekday_time[1]
    hhmm = parse_hhmm(text)
    assert hhmm is None or parse_hhmm(hhmm) == hhmm
    durations = parse_durations(text)
    assert durations is None or all(0 <= seconds <= 366 * 86400 for seconds in durations)


def test_date_is_not_a_time() -> None:
    assert parse_recurrence("every monday 30.03. Bericht", "de") is None
    assert parse_recurrence("every monday 25/12 Party", "en") is None
    assert date(2026, 3, 29).weekday() == 6  # the spring-forward day used above is a Sunday


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("setiap Senin jam 4 Rapat koordinasi", "id", ("MO@16:00", "Rapat koordinasi")),
        ("setiap Senin jam 04.00 Rapat koordinasi", "id", ("MO@04:00", "Rapat koordinasi")),
        ("매주 월요일 4시 주간 회의", "ko", ("MO@16:00", "주간 회의")),
        ("매주 월요일 오전 4시 주간 회의", "ko", ("MO@04:00", "주간 회의")),
        ("jeden Montag um 4 Bericht", "de", ("MO@16:00", "Bericht")),
        ("jeden Montag um 9 Bericht", "de", ("MO@09:00", "Bericht")),
        ("毎週月曜日 3時 定例会議", "ja", ("MO@15:00", "定例会議")),
        ("every friday 2pm Call", "en", ("FR@14:00", "Call")),
    ],
)
def test_a_bare_hour_in_a_recurrence_is_read_in_working_hours(
    text: str, lang: str, expected: tuple[str, str]
) -> None:
    assert parse_recurrence(text, lang) == expected


def test_a_bare_digest_hour_is_read_in_working_hours() -> None:
    assert parse_weekday_time("Senin jam 4", "id") == (0, "16:00")
    assert parse_weekday_time("Senin jam 04.00", "id") == (0, "04:00")
