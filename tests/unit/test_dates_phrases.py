"""bot.language.dates on fresh everyday phrases: each kind of phrase the user study found refused or silently wrong.

Every phrase is said on Wednesday 2027-03-24 at 10:00 in the group's zone (Asia/Jakarta for id, Europe/London for en,
Asia/Seoul for ko, Europe/Berlin for de, Asia/Tokyo for ja, Asia/Shanghai for zh) and is checked against the local
wall-clock result, the other reading ``read_date`` offers and its kind. ``None`` means the phrase must be refused.
Useful dates: Thu 25, Fri 26, Sat 27, Sun 28 (Europe switches to summer time), Mon 29, Tue 30, Wed 31 March; Thu 1,
Fri 2, Sat 3 April; this is ISO week 12; the end of March is Wednesday the 31st, of April Friday the 30th.

Kinds: hour (a bare hour in working hours), past (a recent date without a year), end (end of day/week/month), range
(a range of times is its start), short (short forms, typos, a weekday in parentheses, day.month after a date word,
calendar weeks, halves and quarters), zone (zone abbreviations are fixed offsets), and the ambiguities offered as
``Reading.other`` (hour, day_month, next_weekday).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest

from bot.language.dates import Reading, is_past, parse_when, read_date

ZONE_OF = {
    "id": "Asia/Jakarta",
    "en": "Europe/London",
    "ko": "Asia/Seoul",
    "de": "Europe/Berlin",
    "ja": "Asia/Tokyo",
    "zh": "Asia/Shanghai",
}
SAID = "2027-03-24 10:00"  # a Wednesday


class P(NamedTuple):
    text: str
    when: str | None  # local "YYYY-MM-DD HH:MM", or None: refused
    other: str | None = None  # local, the other reading offered
    kind: str | None = None  # Reading.kind


# -- Indonesian, Asia/Jakarta ---------------------------------------------------------------------------------------

ID = [
    # hour: a bare hour 1-6 is in the afternoon, 7-11 as said; the other reading is offered
    P("Kamis jam 3", "2027-03-25 15:00", "2027-03-25 03:00", "hour"),
    P("Selasa jam 5", "2027-03-30 17:00", "2027-03-30 05:00", "hour"),
    P("jam 6", "2027-03-24 18:00", "2027-03-25 06:00", "hour"),
    P("besok jam 11", "2027-03-25 11:00", "2027-03-25 23:00", "hour"),
    P("Jumat pukul 1", "2027-03-26 13:00", "2027-03-26 01:00", "hour"),
    P("jam 12", "2027-03-24 12:00"),
    P("jam 05.00", "2027-03-25 05:00"),  # minutes: 24-hour clock
    P("jam 3.15", "2027-03-25 03:15"),
    P("jam 03", "2027-03-25 03:00"),  # a leading zero: 24-hour clock
    P("jam 2 siang", "2027-03-24 14:00"),
    P("jam 18", "2027-03-24 18:00"),
    # past: a date without a year in the last 62 days is that date
    P("15 Maret", "2027-03-15 17:00"),
    P("tgl 1 Februari", "2027-02-01 17:00"),
    P("18 Januari", "2028-01-18 17:00"),  # 65 days ago: next year's
    P("24 Maret jam 4", "2027-03-24 16:00", "2027-03-24 04:00", "hour"),  # today is today
    P("10/3", "2027-03-10 17:00", "2027-10-03 17:00", "day_month"),
    # end of day / week / month
    P("paling lambat akhir pekan", "2027-03-26 17:00"),
    P("akhir minggu ini", "2027-03-26 17:00"),
    P("akhir pekan depan", "2027-04-02 17:00"),
    P("akhir bulan ini", "2027-03-31 17:00"),
    P("sebelum akhir bulan depan", "2027-04-30 17:00"),
    P("Senin eod", "2027-03-29 17:00"),
    P("jam pulang kantor", "2027-03-24 17:00"),
    P("akhir tahun", None),  # not a kind we read
    # range: the start
    P("Jumat 14.00-16.00", "2027-03-26 14:00"),
    P("besok jam 8-10", "2027-03-25 08:00", "2027-03-25 20:00", "hour"),
    P("jam 1-3 siang", "2027-03-24 13:00"),
    P("Kamis jam 9-13", "2027-03-25 09:00"),  # the end shows the 24-hour clock: no other reading
    P("9-11", None),  # no clock word: not a time
    # short forms and typos
    P("bsok jam 9", "2027-03-25 09:00", "2027-03-25 21:00", "hour"),
    P("besuk pagi", "2027-03-25 09:00"),
    P("lsa jam 10", "2027-03-26 10:00", "2027-03-26 22:00", "hour"),
    P("hr ini jam 7 malam", "2027-03-24 19:00"),
    P("kam", "2027-03-25 17:00"),
    P("jum jam 2", "2027-03-26 14:00", "2027-03-26 02:00", "hour"),
    P("sab pagi", "2027-03-27 09:00"),
    P("ahad", "2027-03-28 17:00"),
    P("rab", "2027-03-24 17:00"),
    P("kemis jam 9 pagi", "2027-03-25 09:00"),
    P("tgl 6.4", "2027-04-06 17:00"),
    P("tanggal 12.5 jam 9", "2027-05-12 09:00", "2027-05-12 21:00", "hour"),
    P("2/4", "2027-04-02 17:00", "2027-02-04 17:00", "day_month"),
    P("1 April (Kamis)", "2027-04-01 17:00"),
    P("1 April (Jum)", None),  # 1 April 2027 is a Thursday
    P("minggu ke-15", "2027-04-12 17:00"),
    P("pekan ke 14 hari Jumat", "2027-04-09 17:00"),
    # next weekday
    P("Sabtu depan", "2027-03-27 17:00", "2027-04-03 17:00", "next_weekday"),
    P("Rabu depan", "2027-03-31 17:00"),  # already in next week: no other
    P("Sabtu minggu depan", "2027-04-03 17:00"),
    # zone
    P("besok 09.00 WITA", "2027-03-25 08:00"),
    P("jam 10 WIB WITA", None),
]

# -- English, Europe/London -----------------------------------------------------------------------------------------

EN = [
    P("thursday at 3", "2027-03-25 15:00", "2027-03-25 03:00", "hour"),
    P("at 5 tomorrow", "2027-03-25 17:00", "2027-03-25 05:00", "hour"),
    P("at 11", "2027-03-24 11:00", "2027-03-24 23:00", "hour"),
    P("at 7", "2027-03-25 07:00", "2027-03-24 19:00", "hour"),
    P("at 12", "2027-03-24 12:00"),
    P("at 4:00", "2027-03-24 16:00", "2027-03-25 04:00", "hour"),  # English: "4:00" is read in working hours too
    P("at 04", "2027-03-25 04:00"),
    P("friday at 16", "2027-03-26 16:00"),
    P("quarter past 5", "2027-03-24 17:15", "2027-03-25 05:15", "hour"),
    P("half past 1", "2027-03-24 13:30", "2027-03-25 01:30", "hour"),
    # past
    P("the 14th of march", "2027-03-14 17:00"),
    P("feb 1", "2027-02-01 17:00"),
    P("jan 20", "2028-01-20 17:00"),  # 63 days ago
    P("march 24 at 3", "2027-03-24 15:00", "2027-03-24 03:00", "hour"),
    P("3/2", "2027-02-03 17:00", "2027-03-02 17:00", "day_month"),
    P("5/4 at 3", "2027-04-05 15:00", "2027-05-04 15:00", "day_month"),  # the date ambiguity wins over the hour
    # end
    P("by cob friday", "2027-03-26 17:00"),
    P("eod tomorrow", "2027-03-25 17:00"),
    P("close of business", "2027-03-24 17:00"),
    P("by the end of this week", "2027-03-26 17:00"),
    P("end of week", "2027-03-26 17:00"),
    P("by the end of next week", "2027-04-02 17:00"),
    P("end of month", "2027-03-31 17:00"),
    P("by end of next month", "2027-04-30 17:00"),
    P("this weekend", None),  # a weekend is not a deadline in English
    # range
    P("friday 1pm-2pm", "2027-03-26 13:00"),
    P("tomorrow 09:30-10:30", "2027-03-25 09:30"),
    P("at 3-4", "2027-03-24 15:00", "2027-03-25 03:00", "hour"),
    P("9-10pm", None),  # does the pm cover the 9?
    # short forms and typos
    P("tomorow at 8", "2027-03-25 08:00", "2027-03-25 20:00", "hour"),
    P("2morrow 6pm", "2027-03-25 18:00"),
    P("tmr", "2027-03-25 17:00"),
    P("wensday 2pm", "2027-03-24 14:00"),
    P("thrusday", "2027-03-25 17:00"),
    P("tues at noon", "2027-03-30 12:00"),
    P("25/3", "2027-03-25 17:00"),  # only one order is a date
    P("tomorrow 11.45.", "2027-03-25 11:45", "2027-03-25 23:45", "hour"),  # 45 is no month: a time before a full stop
    P("07.04.", "2027-04-07 17:00", "2027-07-04 17:00", "day_month"),
    P("on 9.4", "2027-04-09 17:00", "2027-09-04 17:00", "day_month"),
    P("1 April (Thu)", "2027-04-01 17:00"),
    P("1 April (Fri)", None),
    P("week 16", "2027-04-19 17:00"),
    P("wk 30 friday", "2027-07-30 17:00"),
    # next weekday
    P("next saturday", "2027-03-27 17:00", "2027-04-03 17:00", "next_weekday"),
    P("next tuesday", "2027-03-30 17:00"),
    P("saturday next week", "2027-04-03 17:00"),
    P("this coming saturday", "2027-03-27 17:00"),
    # zone
    P("tomorrow 10am CEST", "2027-03-25 08:00"),
    P("tomorrow 10am CET", "2027-03-25 09:00"),
    P("9am CET CEST", None),
]

# -- Korean, Asia/Seoul ---------------------------------------------------------------------------------------------

KO = [
    P("금요일 2시", "2027-03-26 14:00", "2027-03-26 02:00", "hour"),
    P("내일 5시", "2027-03-25 17:00", "2027-03-25 05:00", "hour"),
    P("8시", "2027-03-25 08:00", "2027-03-24 20:00", "hour"),
    P("11시에", "2027-03-24 11:00", "2027-03-24 23:00", "hour"),
    P("12시", "2027-03-24 12:00"),
    P("모레 6시 반", "2027-03-26 18:30", "2027-03-26 06:30", "hour"),
    P("목요일 2시 15분", "2027-03-25 02:15"),
    P("05시", "2027-03-25 05:00"),
    P("15시", "2027-03-24 15:00"),
    # past
    P("3월 10일", "2027-03-10 17:00"),
    P("1월 21일", "2027-01-21 17:00"),  # 62 days ago: still that date
    P("1월 20일", "2028-01-20 17:00"),  # 63 days ago: next year's
    P("3/15", "2027-03-15 17:00"),
    P("5/6", "2027-05-06 17:00", "2027-06-05 17:00", "day_month"),
    # end
    P("이번 주말까지", "2027-03-26 17:00"),
    P("주말", "2027-03-26 17:00"),
    P("다음 주말까지", "2027-04-02 17:00"),
    P("이달 말", "2027-03-31 17:00"),
    P("담달 말까지", "2027-04-30 17:00"),
    P("금요일 퇴근 전까지", "2027-03-26 17:00"),
    P("업무 종료 전", "2027-03-24 17:00"),
    P("연말", None),
    # range
    P("오후 1시~3시", "2027-03-24 13:00"),
    P("목요일 10시~12시", "2027-03-25 10:00", "2027-03-25 22:00", "hour"),
    P("14시-16시", "2027-03-24 14:00"),
    P("오전 11시~12시", "2027-03-24 11:00"),
    # short forms
    P("낼 오전 11시", "2027-03-25 11:00"),
    P("낼모레 저녁", "2027-03-26 19:00"),
    P("화욜", "2027-03-30 17:00"),
    P("담주 수욜", "2027-03-31 17:00"),
    P("오늘 저녁 7시", "2027-03-24 19:00"),
    P("4월 2일(금)", "2027-04-02 17:00"),
    P("4월 2일(목)", None),
    P("15주차", "2027-04-12 17:00"),
    # next weekday
    P("다음 토요일", "2027-03-27 17:00", "2027-04-03 17:00", "next_weekday"),
    P("다음 화요일", "2027-03-30 17:00"),
    P("다음주 토요일", "2027-04-03 17:00"),
    P("다음 토요일 3시", "2027-03-27 15:00", "2027-04-03 15:00", "next_weekday"),  # the date ambiguity wins
    # zone
    P("내일 10시 KST", "2027-03-25 10:00", "2027-03-25 22:00", "hour"),
    P("오전 9시 CET", "2027-03-24 17:00"),
    P("오전 9시 KST CET", None),
]

# -- German, Europe/Berlin (CET until Sunday 28 March, then CEST) ---------------------------------------------------

DE = [
    P("Freitag um 2", "2027-03-26 14:00", "2027-03-26 02:00", "hour"),
    P("morgen um 5", "2027-03-25 17:00", "2027-03-25 05:00", "hour"),
    P("um 11", "2027-03-24 11:00", "2027-03-24 23:00", "hour"),
    P("um 7 Uhr", "2027-03-25 07:00", "2027-03-24 19:00", "hour"),
    P("um 12", "2027-03-24 12:00"),
    P("Montag um 4:00", "2027-03-29 04:00"),
    P("um 06 Uhr", "2027-03-25 06:00"),
    P("Dienstag 17 Uhr", "2027-03-30 17:00"),
    P("um vier", "2027-03-24 16:00", "2027-03-25 04:00", "hour"),
    P("halb fünf", "2027-03-24 16:30", "2027-03-25 04:30", "hour"),
    P("Viertel nach zwei", "2027-03-24 14:15", "2027-03-25 02:15", "hour"),
    P("viertel vor acht", "2027-03-25 07:45", "2027-03-24 19:45", "hour"),
    P("dreiviertel drei", "2027-03-24 14:45", "2027-03-25 02:45", "hour"),
    # past
    P("10. März", "2027-03-10 17:00"),
    P("am 1.2.", "2027-02-01 17:00"),
    P("19.01.", "2028-01-19 17:00"),  # 64 days ago
    P("12/3", "2027-03-12 17:00", "2027-12-03 17:00", "day_month"),
    # end
    P("bis Ende der Woche", "2027-03-26 17:00"),
    P("bis zum Wochenende", "2027-03-26 17:00"),
    P("übers Wochenende", None),  # the weekend itself, not a deadline
    P("bis Ende nächster Woche", "2027-04-02 17:00"),
    P("zum Monatsende", "2027-03-31 17:00"),
    P("Ende des nächsten Monats", "2027-04-30 17:00"),
    P("Donnerstag Feierabend", "2027-03-25 17:00"),
    P("bis Dienstschluss", "2027-03-24 17:00"),
    # range
    P("Freitag 13-15 Uhr", "2027-03-26 13:00"),
    P("morgen 8-10 Uhr", "2027-03-25 08:00", "2027-03-25 20:00", "hour"),
    P("11-15 Uhr", "2027-03-24 11:00"),  # the end shows the 24-hour clock: no other reading
    P("zwischen 2 und 4", None),
    # short forms
    P("Do 3 Uhr", "2027-03-25 15:00", "2027-03-25 03:00", "hour"),
    P("Di. um 9", "2027-03-30 09:00", "2027-03-30 21:00", "hour"),
    P("Fr", "2027-03-26 17:00"),
    P("Sa. 11 Uhr", "2027-03-27 11:00", "2027-03-27 23:00", "hour"),
    P("am 9.4", "2027-04-09 17:00"),
    P("bis 14.4.", "2027-04-14 17:00"),
    P("morgen 9.45.", "2027-03-25 09:45"),
    P("2. April (Fr.)", "2027-04-02 17:00"),
    P("2. April (Do.)", None),
    P("KW 18", "2027-05-03 17:00"),
    P("Mittwoch KW 13", "2027-03-31 17:00"),
    # next weekday
    P("nächsten Samstag", "2027-03-27 17:00", "2027-04-03 17:00", "next_weekday"),
    P("nächsten Dienstag", "2027-03-30 17:00"),
    P("kommenden Samstag", "2027-03-27 17:00"),
    # zone: MESZ is +02:00 and MEZ +01:00 whatever the date
    P("morgen 15 Uhr MESZ", "2027-03-25 14:00"),
    P("1.4. 15 Uhr MEZ", "2027-04-01 16:00"),
    P("morgen 9 Uhr MEZ MESZ", None),
]

# -- Japanese, Asia/Tokyo -------------------------------------------------------------------------------------------

JA = [
    P("金曜 3時", "2027-03-26 15:00", "2027-03-26 03:00", "hour"),
    P("あした5時", "2027-03-25 17:00", "2027-03-25 05:00", "hour"),
    P("11時", "2027-03-24 11:00", "2027-03-24 23:00", "hour"),
    P("05時", "2027-03-25 05:00"),
    P("6時15分", "2027-03-25 06:15"),
    P("3月15日", "2027-03-15 17:00"),
    P("1月10日", "2028-01-10 17:00"),
    P("週末まで", "2027-03-26 17:00"),
    P("来週末", "2027-04-02 17:00"),
    P("今月末まで", "2027-03-31 17:00"),
    P("来月末", "2027-04-30 17:00"),
    P("木曜の終業まで", "2027-03-25 17:00"),
    P("年末", None),
    P("午後1時〜3時", "2027-03-24 13:00"),
    P("明日10時〜12時", "2027-03-25 10:00", "2027-03-25 22:00", "hour"),
    P("あす", "2027-03-25 17:00"),
    P("しあさって", "2027-03-27 17:00"),
    P("来週土曜", "2027-04-03 17:00"),
    P("次の土曜", "2027-03-27 17:00", "2027-04-03 17:00", "next_weekday"),
    P("4月2日(金)", "2027-04-02 17:00"),
    P("4月2日(木)", None),
    P("第15週", "2027-04-12 17:00"),
    P("5/6", "2027-05-06 17:00", "2027-06-05 17:00", "day_month"),
    P("明日 午前10時 CET", "2027-03-25 18:00"),
    P("明日10時 JST CET", None),
]

# -- Chinese, Asia/Shanghai -----------------------------------------------------------------------------------------

ZH = [
    P("周四3点", "2027-03-25 15:00", "2027-03-25 03:00", "hour"),
    P("明天5点", "2027-03-25 17:00", "2027-03-25 05:00", "hour"),
    P("11点", "2027-03-24 11:00", "2027-03-24 23:00", "hour"),
    P("四点半", "2027-03-24 16:30", "2027-03-25 04:30", "hour"),
    P("05:00", "2027-03-25 05:00"),
    P("3月15日", "2027-03-15 17:00"),
    P("1月10号", "2028-01-10 17:00"),
    P("本周末前", "2027-03-26 17:00"),
    P("下周末", "2027-04-02 17:00"),
    P("月底前", "2027-03-31 17:00"),
    P("下个月底", "2027-04-30 17:00"),
    P("礼拜四下班前", "2027-03-25 17:00"),
    P("年底", None),
    P("下午3点到5点", "2027-03-24 15:00"),
    P("明天9点到11点", "2027-03-25 09:00", "2027-03-25 21:00", "hour"),
    P("后天", "2027-03-26 17:00"),
    P("下礼拜二", "2027-03-30 17:00"),
    P("礼拜六", "2027-03-27 17:00"),
    P("4月2日(周五)", "2027-04-02 17:00"),
    P("4月2日(四)", None),
    P("第15周", "2027-04-12 17:00"),
    P("5/6", "2027-05-06 17:00", "2027-06-05 17:00", "day_month"),
    P("明天上午10点 JST", "2027-03-25 09:00"),
    P("明天10点 CET KST", None),
    P("下周五", "2027-04-02 17:00"),  # names the week: nothing to offer
]

CASES = {"id": ID, "en": EN, "ko": KO, "de": DE, "ja": JA, "zh": ZH}
ALL = [(lang, case) for lang, cases in CASES.items() for case in cases]


def _local(when: datetime, lang: str) -> str:
    return when.astimezone(ZoneInfo(ZONE_OF[lang])).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(("lang", "case"), ALL, ids=[f"{lang}-{case.text}" for lang, case in ALL])
def test_phrase(lang: str, case: P) -> None:
    zone = ZONE_OF[lang]
    now = datetime.fromisoformat(SAID).replace(tzinfo=ZoneInfo(zone))
    reading = read_date(case.text, lang, zone, now)
    assert parse_when(case.text, lang, zone, now) == (reading.when if reading else None)
    if case.when is None:
        assert reading is None, f"{case.text!r} ({lang}) must be refused, got {reading}"
        return
    assert reading is not None, f"{case.text!r} ({lang}) should be {case.when}"
    assert isinstance(reading, Reading)
    assert reading.when.tzinfo is UTC and (reading.other is None or reading.other.tzinfo is UTC)
    assert _local(reading.when, lang) == case.when
    assert (None if reading.other is None else _local(reading.other, lang)) == case.other
    assert reading.kind == case.kind
    if case.when < SAID[:10]:
        assert is_past(reading.when, now)  # a recent date without a year is returned as past; callers refuse it


def test_enough_phrases_per_language() -> None:
    counts = {lang: len(cases) for lang, cases in CASES.items()}
    assert all(counts[lang] >= 40 for lang in ("id", "en", "ko", "de")), counts
    assert all(counts[lang] >= 15 for lang in ("ja", "zh")), counts
    for lang, cases in CASES.items():
        assert len({case.text for case in cases}) == len(cases), lang  # no phrase twice
        kinds = {case.kind for case in cases}
        assert {"hour", "day_month"} <= kinds, lang
        assert any(case.when is None for case in cases), lang


def test_reading_defaults_and_kind() -> None:
    reading = Reading(datetime(2027, 3, 24, tzinfo=UTC))
    assert reading.other is None and reading.kind is None
    now = datetime.fromisoformat(SAID).replace(tzinfo=ZoneInfo("Europe/London"))
    assert read_date("2027-03-30 09:00", "en", "Europe/London", now) == Reading(
        datetime.fromisoformat("2027-03-30 08:00+00:00")
    )  # nothing ambiguous: no other reading, no kind
