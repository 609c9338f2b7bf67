"""The kinds of phrase the review of the date reader found refused or silently wrong, one or more per kind and
language, read on a Friday evening two days before the EU clocks go back (Fri 23 October 2026, 18:40 in the
group's zone). Expected values are local wall-clock times in the group's zone, worked out by hand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.language.dates import read_date

ZONE = {"id": "Asia/Jakarta", "en": "Europe/London", "ko": "Asia/Seoul", "de": "Europe/Berlin",
        "ja": "Asia/Tokyo", "zh": "Asia/Shanghai"}  # fmt: skip

# (language, phrase, local answer, other reading or None, the zone read or None)
CASES = [
    # end of the month on a weekend: 31 October 2026 is a Saturday, the last working day Friday the 30th
    ("id", "akhir bulan", "Fri 30 Oct 17:00", None, None),
    ("ko", "이번 달 말까지", "Fri 30 Oct 17:00", None, None),
    ("de", "bis Monatsende", "Fri 30 Oct 17:00", None, None),
    ("en", "by end of month", "Fri 30 Oct 17:00", None, None),
    ("ja", "月末まで", "Fri 30 Oct 17:00", None, None),
    ("zh", "月底前", "Fri 30 Oct 17:00", None, None),
    # English h:mm is read in working hours, the other reading offered
    ("en", "Thursday 4:30", "Thu 29 Oct 16:30", "Thu 29 Oct 04:30", None),
    # another city's clock (Berlin is still on summer time until Sunday, CET from Monday 26 October)
    ("id", "jam 9 waktu Busan", "Sat 24 Oct 07:00", "Fri 23 Oct 19:00", "Asia/Seoul"),
    ("de", "9 Uhr Berliner Zeit", "Sat 24 Oct 09:00", "Fri 23 Oct 21:00", "Europe/Berlin"),
    ("ko", "서울 시간 오후 3시", "Sat 24 Oct 15:00", None, "Asia/Seoul"),
    ("ja", "ドイツ時間の月曜9時", "Mon 26 Oct 17:00", "Tue 27 Oct 05:00", "Europe/Berlin"),
    ("zh", "德国时间周一上午9点", "Mon 26 Oct 16:00", None, "Europe/Berlin"),
    ("en", "Monday 9am London time", "Mon 26 Oct 09:00", None, "Europe/London"),
    ("en", "tomorrow EOD Berlin time", "Sat 24 Oct 16:00", None, "Europe/Berlin"),
    ("en", "Friday 3pm CET", "Fri 30 Oct 14:00", None, "Etc/GMT-1"),
    ("de", "Montag 9 Uhr MEZ", "Mon 26 Oct 09:00", "Mon 26 Oct 21:00", "Etc/GMT-1"),
    ("en", "Friday 3pm UTC+1", "Fri 30 Oct 14:00", None, "Etc/GMT-1"),
    ("en", "Friday 3pm GMT-5", "Fri 23 Oct 21:00", None, "Etc/GMT+5"),
    ("zh", "首尔时间（UTC+9）周一上午9点", "Mon 26 Oct 08:00", None, "Asia/Seoul"),
    ("en", "half past four on Thursday", "Thu 29 Oct 16:30", "Thu 29 Oct 04:30", None),
    ("en", "November 9 afternoon", "Mon 09 Nov 15:00", None, None),
    # the own zone named is simply accepted
    ("ja", "月曜 10時 JST", "Mon 26 Oct 10:00", "Mon 26 Oct 22:00", "Etc/GMT-9"),
    ("zh", "北京时间周五下午3点", "Fri 30 Oct 15:00", None, "Asia/Shanghai"),
    ("ko", "금요일 오후 3시 KST", "Fri 30 Oct 15:00", None, "Etc/GMT-9"),
    ("id", "Jumat jam 14.00 WIB", "Fri 30 Oct 14:00", None, "Etc/GMT-7"),
    # the week after next
    ("ja", "再来週の金曜日", "Fri 06 Nov 17:00", None, None),
    ("zh", "下下周五", "Fri 06 Nov 17:00", None, None),
    ("ko", "다다음 주 금요일", "Fri 06 Nov 17:00", None, None),
    ("de", "übernächste Woche Freitag", "Fri 06 Nov 17:00", None, None),
    ("id", "Jumat minggu depan lagi", "Fri 06 Nov 17:00", None, None),
    # a day of next month
    ("ja", "来月5日", "Thu 05 Nov 17:00", None, None),
    ("ko", "다음 달 3일", "Tue 03 Nov 17:00", None, None),
    ("id", "tgl 5 bulan depan", "Thu 05 Nov 17:00", None, None),
    # ranges of weekdays: the start, the end offered
    ("ja", "月〜水", "Mon 26 Oct 17:00", "Wed 28 Oct 17:00", None),
    ("zh", "下周二到周四", "Tue 27 Oct 17:00", "Thu 29 Oct 17:00", None),
    # weekdays with digits, formal deadline lines
    ("zh", "周4", "Thu 29 Oct 17:00", None, None),
    ("zh", "下周5", "Fri 30 Oct 17:00", None, None),
    ("ja", "〆切：11/2(月) 17:00", "Mon 02 Nov 17:00", None, None),
    ("id", "Batas waktu: Senin, 2/11 pukul 17.00", "Mon 02 Nov 17:00", None, None),
    # everyday English
    ("en", "first thing Monday", "Mon 26 Oct 09:00", None, None),
    ("en", "midnight tonight", "Sat 24 Oct 00:00", None, None),
    ("en", "in an hour and a half", "Fri 23 Oct 20:10", None, None),
    ("de", "in 1,5 Stunden", "Fri 23 Oct 20:10", None, None),
    ("id", "1,5 jam lagi", "Fri 23 Oct 20:10", None, None),
    ("ja", "1時間半後", "Fri 23 Oct 20:10", None, None),
    ("ko", "1시간 반 후", "Fri 23 Oct 20:10", None, None),
    # deadline words where people write them
    ("ko", "12월 18일까지", "Fri 18 Dec 17:00", None, None),
    ("id", "paling lambat Jumat", "Fri 30 Oct 17:00", None, None),
    ("ja", "来週の金曜日までに", "Fri 30 Oct 17:00", None, None),
    ("zh", "下周五之前", "Fri 30 Oct 17:00", None, None),
    ("zh", "截止12月18日下午3点", "Fri 18 Dec 15:00", None, None),
    # yesterday is read (and refused as past by the commands)
    ("id", "kemarin", "Thu 22 Oct 17:00", None, None),
    ("en", "yesterday", "Thu 22 Oct 17:00", None, None),
    # "halb" follows the working-hours rule on the time meant
    ("de", "nächsten Montag um halb 10", "Mon 26 Oct 09:30", "Mon 26 Oct 21:30", None),
    ("de", "Montag halb 7", "Mon 26 Oct 18:30", "Mon 26 Oct 06:30", None),
    # two-digit years are year-first in Korean
    ("ko", "26.11.30", "Mon 30 Nov 17:00", None, None),
]


def local(instant: datetime, lang: str) -> str:
    return instant.astimezone(ZoneInfo(ZONE[lang])).strftime("%a %d %b %H:%M")


@pytest.mark.parametrize(("lang", "text", "when", "other", "zone"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_issue_phrase(lang: str, text: str, when: str, other: str | None, zone: str | None) -> None:
    now = datetime(2026, 10, 23, 18, 40, tzinfo=ZoneInfo(ZONE[lang]))
    reading = read_date(text, lang, ZONE[lang], now)
    assert reading is not None, text
    assert local(reading.when, lang) == when
    assert (local(reading.other, lang) if reading.other else None) == other
    assert reading.zone == zone


def test_end_of_the_month_follows_the_working_week() -> None:
    """A Sunday–Thursday week: the end of October 2026 (Saturday 31st) is Thursday the 29th."""
    now = datetime(2026, 10, 20, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    reading = read_date("akhir bulan", "id", "Asia/Jakarta", now, workdays=frozenset({6, 0, 1, 2, 3}))
    assert reading is not None and local(reading.when, "id") == "Thu 29 Oct 17:00"
    reading = read_date("end of the week", "en", "Asia/Jakarta", now, workdays=frozenset({6, 0, 1, 2, 3}))
    assert reading is not None and local(reading.when, "id") == "Thu 22 Oct 17:00"


def test_a_date_on_the_weekend_is_flagged() -> None:
    now = datetime(2026, 10, 20, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    saturday = read_date("Samstag 10 Uhr", "de", "Europe/Berlin", now)
    monday = read_date("Montag 10 Uhr", "de", "Europe/Berlin", now)
    in_hours = read_date("in 2 Stunden", "de", "Europe/Berlin", now)
    assert saturday is not None and saturday.off_day
    assert monday is not None and not monday.off_day
    assert in_hours is not None and not in_hours.off_day
    friday_off = read_date("Freitag", "de", "Europe/Berlin", now, workdays=frozenset({6, 0, 1, 2, 3}))
    assert friday_off is not None and friday_off.off_day


def test_the_bridge_cities_name_zones() -> None:
    """A city label a group gave itself names its zone ("Kochi" is known; "Surabaya Kota" is the label)."""
    now = datetime(2026, 10, 20, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    plain = read_date("Montag 9 Uhr Surabaya Kota Zeit", "de", "Europe/Berlin", now)
    labelled = read_date(
        "Montag 9 Uhr Surabaya Kota Zeit", "de", "Europe/Berlin", now, places={"Surabaya Kota": "Asia/Jakarta"}
    )
    assert plain is None
    assert labelled is not None and labelled.zone == "Asia/Jakarta"
    assert local(labelled.when, "de") == "Mon 26 Oct 03:00"


def test_two_zones_are_refused() -> None:
    now = datetime(2026, 10, 20, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    assert read_date("Monday 9am Berlin time KST", "en", "Europe/London", now) is None
