"""Values formatted in the group's language: durations, clock times, recurrences, quiet hours, lists."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.language.catalog import Catalog
from bot.language.localise import clock, describe_recurrence, format_duration, quiet_window, weekday_name, weekday_time
from bot.language.schedule import parse_recurrence

LANGUAGES = ("en", "id", "ko", "de", "ja", "zh")


@pytest.mark.parametrize(
    ("seconds", "lang", "expected"),
    [
        (86400, "en", "24 hours"),
        (3600, "en", "1 hour"),
        (5400, "en", "1 hour, 30 minutes"),
        (172800, "en", "2 days"),
        (0, "en", "0 minutes"),
        (86400, "id", "24 jam"),
        (172800, "id", "2 hari"),
        (86400, "ko", "24시간"),
        (5400, "ko", "1시간 30분"),
        (86400, "de", "24 Stunden"),
        (3600, "de", "1 Stunde"),
        (5400, "de", "1 Stunde, 30 Minuten"),
        (86400, "ja", "24 時間"),
        (5400, "zh", "1小时30分钟"),
    ],
)
def test_durations_come_from_cldr(seconds: int, lang: str, expected: str) -> None:
    assert format_duration(seconds, lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"), [("en", "08:05"), ("id", "08.05"), ("ko", "08:05"), ("de", "08:05"), ("ja", "8:05")]
)
def test_clock_times_are_written_the_languages_way(lang: str, expected: str) -> None:
    assert clock("08:05", lang) == expected
    assert clock(time(8, 5), lang) == expected
    assert clock(time(8, 5, 59), lang) == expected


def test_weekday_names_and_local_time_now() -> None:
    assert weekday_name(4, "id") == "Jumat"
    assert weekday_name(0, "de") == "Montag"
    now = datetime(2026, 12, 4, 14, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert weekday_time(now, "id") == "Jumat 14.30"
    assert weekday_time(now, "en") == "Friday 14:30"


@pytest.mark.parametrize(("lang", "conjunction"), [("en", " and "), ("id", " dan "), ("de", " und "), ("ko", " 및 ")])
def test_lists_are_joined_the_languages_way(catalog: Catalog, lang: str, conjunction: str) -> None:
    assert catalog.join(["A", "B"], lang) == f"A{conjunction}B"
    assert catalog.join(["A"], lang) == "A"
    assert catalog.join([], lang) == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_recurrences_use_the_catalogue_and_the_languages_list(catalog: Catalog, lang: str) -> None:
    days = catalog.join([weekday_name(0, lang, every=True), weekday_name(4, lang, every=True)], lang)
    described = describe_recurrence(catalog, "MO,FR@09:00", lang)
    assert days in described and clock("09:00", lang) in described
    assert described == catalog.t("recur.days", lang, days=days, time=clock("09:00", lang))
    assert describe_recurrence(catalog, "*@08:30", lang) == catalog.t("recur.daily", lang, time=clock("08:30", lang))
    workdays = describe_recurrence(catalog, "MO,TU,WE,TH,FR@07:30", lang)
    assert workdays == catalog.t("recur.workdays", lang, time=clock("07:30", lang))


def test_chinese_says_every_monday_as_mei_zhou_yi(catalog: Catalog) -> None:
    assert describe_recurrence(catalog, "MO@09:00", "zh") == "每周一 09:00"
    assert weekday_name(0, "zh") == "星期一"  # on its own, the full name
    assert weekday_name(0, "de", every=True) == "Montag"


def test_english_recurrences(catalog: Catalog) -> None:
    assert describe_recurrence(catalog, "MO,FR@09:00", "en") == "every Monday and Friday at 09:00"
    assert describe_recurrence(catalog, "MO,WE,FR@09:00", "en") == "every Monday, Wednesday and Friday at 09:00"
    assert describe_recurrence(catalog, "*@09:00", "en") == "every day at 09:00"


@pytest.mark.parametrize("rule", ["", "MO@24:00", "XX@09:00"])
def test_malformed_recurrences_are_refused(catalog: Catalog, rule: str) -> None:
    with pytest.raises(ValueError):
        describe_recurrence(catalog, rule, "en")


def test_english_descriptions_read_back(catalog: Catalog) -> None:
    for codes in ("MO", "MO,FR", "TU,TH", "SA,SU", "*", "MO,TU,WE,TH,FR"):
        rule = f"{codes}@07:45"
        said = describe_recurrence(catalog, rule, "en").replace(" at ", " ")
        assert parse_recurrence(f"{said} Check", "en") == (rule, "Check")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quiet_hours(catalog: Catalog, lang: str) -> None:
    assert quiet_window(catalog, None, None, lang) == catalog.t("state.off", lang)
    shown = quiet_window(catalog, "21:00", "07:00", lang)
    assert clock("21:00", lang) in shown and clock("07:00", lang) in shown
