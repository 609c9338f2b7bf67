"""Report periods named in words (bot/reports/period_words.py): the period just ended, a named month, quarter or
year in each of the six UI languages and in English, always the asking group's local calendar period; and
``/report`` with them against the services."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.language.catalog import Catalog
from bot.reports.model import Period
from bot.reports.period_words import read_period
from tests.kit import BUSAN, SURABAYA, Kit, member

Partners = tuple[object, object]

ZONES = {
    "en": ZoneInfo("UTC"),
    "id": ZoneInfo("Asia/Jakarta"),
    "ko": ZoneInfo("Asia/Seoul"),
    "de": ZoneInfo("Europe/Berlin"),
    "ja": ZoneInfo("Asia/Tokyo"),
    "zh": ZoneInfo("Asia/Shanghai"),
}
DECEMBER = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wednesday 2 December 2026 in every one of these zones
OCTOBER = datetime(2026, 10, 15, 2, 0, tzinfo=UTC)

LAST_MONTH = (date(2026, 11, 1), date(2026, 12, 1))
LAST_QUARTER = (date(2026, 7, 1), date(2026, 10, 1))
LAST_YEAR = (date(2025, 1, 1), date(2026, 1, 1))
NOVEMBER = (date(2026, 11, 1), date(2026, 12, 1))
Q3 = (date(2026, 7, 1), date(2026, 10, 1))
YEAR = (date(2026, 1, 1), date(2027, 1, 1))


def local_days(period: Period | None, zone: ZoneInfo) -> tuple[date, date] | None:
    """The first day and the (exclusive) end day of ``period``, checking both are local midnights in ``zone``."""
    if period is None:
        return None
    for instant in (period.start, period.end):
        local = instant.astimezone(zone)
        assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0), instant
    return period.start.astimezone(zone).date(), period.end.astimezone(zone).date()


SAID = {
    "en": [
        ("last month", LAST_MONTH),
        ("Previous month", LAST_MONTH),
        ("last quarter", LAST_QUARTER),
        ("last year", LAST_YEAR),
        ("November", NOVEMBER),
        ("November 2026", NOVEMBER),
        ("Nov 2026", NOVEMBER),
        ("nov. 2026", NOVEMBER),
        ("2026-11", NOVEMBER),
        ("11/2026", NOVEMBER),
        ("Q3 2026", Q3),
        ("q3", Q3),
        ("2026 Q3", Q3),
        ("2026-Q3", Q3),
        ("3rd quarter 2026", Q3),
        ("2026", YEAR),
        ("Sept 2025", (date(2025, 9, 1), date(2025, 10, 1))),
    ],
    "id": [
        ("bulan lalu", LAST_MONTH),
        ("Bulan  Lalu", LAST_MONTH),
        ("kuartal lalu", LAST_QUARTER),
        ("triwulan lalu", LAST_QUARTER),
        ("tahun lalu", LAST_YEAR),
        ("last month", LAST_MONTH),  # English in an Indonesian group
        ("November", NOVEMBER),
        ("Nov", NOVEMBER),
        ("bulan November 2026", NOVEMBER),
        ("Agustus 2026", (date(2026, 8, 1), date(2026, 9, 1))),
        ("Des 2025", (date(2025, 12, 1), date(2026, 1, 1))),
        ("kuartal 3 2026", Q3),
        ("triwulan III 2026", Q3),
        ("triwulan ke-3 2026", Q3),
        ("Q3 2026", Q3),
        ("tahun 2026", YEAR),
        ("2026", YEAR),
    ],
    "ko": [
        ("지난달", LAST_MONTH),
        ("지난 달", LAST_MONTH),
        ("지난 분기", LAST_QUARTER),
        ("작년", LAST_YEAR),
        ("지난해", LAST_YEAR),
        ("11월", NOVEMBER),
        ("2026년 11월", NOVEMBER),
        ("2026년11월", NOVEMBER),
        ("2026년 3분기", Q3),
        ("3분기", Q3),
        ("Q3 2026", Q3),
        ("2026년", YEAR),
    ],
    "de": [
        ("letzter Monat", LAST_MONTH),
        ("letzten Monat", LAST_MONTH),
        ("Vormonat", LAST_MONTH),
        ("letztes Quartal", LAST_QUARTER),
        ("Vorquartal", LAST_QUARTER),
        ("letztes Jahr", LAST_YEAR),
        ("Vorjahr", LAST_YEAR),
        ("November", NOVEMBER),
        ("November 2026", NOVEMBER),
        ("Nov. 2026", NOVEMBER),
        ("März 2026", (date(2026, 3, 1), date(2026, 4, 1))),
        ("Maerz 2026", (date(2026, 3, 1), date(2026, 4, 1))),
        ("3. Quartal 2026", Q3),
        ("Q3 2026", Q3),
        ("2026", YEAR),
    ],
    "ja": [
        ("先月", LAST_MONTH),
        ("前四半期", LAST_QUARTER),
        ("昨年", LAST_YEAR),
        ("去年", LAST_YEAR),
        ("11月", NOVEMBER),
        ("2026年11月", NOVEMBER),
        ("2026年第3四半期", Q3),
        ("２０２６年第３四半期", Q3),  # full-width digits
        ("第3四半期", Q3),
        ("2026年", YEAR),
    ],
    "zh": [
        ("上个月", LAST_MONTH),
        ("上月", LAST_MONTH),
        ("上季度", LAST_QUARTER),
        ("上个季度", LAST_QUARTER),
        ("去年", LAST_YEAR),
        ("十一月", NOVEMBER),
        ("11月", NOVEMBER),
        ("2026年十一月", NOVEMBER),
        ("2026年第三季度", Q3),
        ("第3季度", Q3),
        ("三季度", Q3),
        ("2026年", YEAR),
    ],
}


@pytest.mark.parametrize(
    ("lang", "text", "expected"), [(lang, text, expected) for lang, said in SAID.items() for text, expected in said]
)
def test_a_period_is_read_in_each_language(catalog: Catalog, lang: str, text: str, expected: tuple[date, date]) -> None:
    zone = ZONES[lang]
    assert local_days(read_period(text, catalog, lang, zone, DECEMBER), zone) == expected


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "November"),
        ("id", "November"),
        ("de", "November"),
        ("ko", "11월"),
        ("ja", "11月"),
        ("zh", "十一月"),
    ],
)
def test_a_month_without_a_year_is_the_latest_that_has_begun(catalog: Catalog, lang: str, text: str) -> None:
    zone = ZONES[lang]
    assert local_days(read_period(text, catalog, lang, zone, DECEMBER), zone) == NOVEMBER
    asked_in_october = read_period(text, catalog, lang, zone, OCTOBER)
    assert local_days(asked_in_october, zone) == (date(2025, 11, 1), date(2025, 12, 1))
    # This month is this month, the whole of it (as /report month).
    this = {"en": "October", "id": "Oktober", "de": "Oktober", "ko": "10월", "ja": "10月", "zh": "十月"}[lang]
    assert local_days(read_period(this, catalog, lang, zone, OCTOBER), zone) == (date(2026, 10, 1), date(2026, 11, 1))


@pytest.mark.parametrize(
    ("lang", "third", "fourth"),
    [
        ("en", "Q3", "Q4"),
        ("id", "triwulan III", "kuartal 4"),
        ("ko", "3분기", "4분기"),
        ("de", "3. Quartal", "Q4"),
        ("ja", "第3四半期", "第4四半期"),
        ("zh", "第三季度", "四季度"),
    ],
)
def test_a_quarter_without_a_year_is_the_latest_that_has_begun(
    catalog: Catalog, lang: str, third: str, fourth: str
) -> None:
    zone = ZONES[lang]
    assert local_days(read_period(third, catalog, lang, zone, OCTOBER), zone) == Q3
    assert local_days(read_period(fourth, catalog, lang, zone, OCTOBER), zone) == (date(2026, 10, 1), date(2027, 1, 1))
    assert local_days(read_period(fourth, catalog, lang, zone, datetime(2026, 9, 15, tzinfo=UTC)), zone) == (
        date(2025, 10, 1),
        date(2026, 1, 1),
    )


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("id", "bulan depan"),
        ("id", "kapan-kapan"),
        ("en", "next month"),
        ("en", "next year"),
        ("en", "December 2027"),  # has not begun
        ("en", "Q1 2027"),
        ("en", "2027"),
        ("en", "Q5 2026"),
        ("en", "2026-13"),
        ("en", "Smarch 2026"),
        ("en", "November 0999"),
        ("en", ""),
        ("en", "2026-01-01 2026-03-31"),  # a range of days is read by /report itself
        ("en", "month"),  # this month is /report month
        ("de", "nächsten Monat"),
        ("ko", "다음 달"),
        ("ko", "13월"),
        ("ja", "来月"),
        ("ja", "第5四半期"),
        ("zh", "下个月"),
        ("zh", "第五季度"),
    ],
)
def test_what_is_not_a_period_gone_by_is_not_read(catalog: Catalog, lang: str, text: str) -> None:
    assert read_period(text, catalog, lang, ZONES[lang], DECEMBER) is None


def test_a_period_is_the_groups_local_calendar_period(catalog: Catalog) -> None:
    # 30 November 2026, 20:00 UTC: already 1 December in Seoul (05:00), still 30 November in Berlin (21:00).
    now = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    seoul, berlin = ZoneInfo("Asia/Seoul"), ZoneInfo("Europe/Berlin")
    in_seoul = read_period("지난달", catalog, "ko", seoul, now)
    in_berlin = read_period("letzter Monat", catalog, "de", berlin, now)
    assert in_seoul == Period(datetime(2026, 11, 1, tzinfo=seoul), datetime(2026, 12, 1, tzinfo=seoul))
    assert in_berlin == Period(datetime(2026, 10, 1, tzinfo=berlin), datetime(2026, 11, 1, tzinfo=berlin))
    assert in_seoul.start.astimezone(UTC) == datetime(2026, 10, 31, 15, 0, tzinfo=UTC)
    # "December" has begun in Seoul, not yet in Berlin (there it is December 2025).
    assert local_days(read_period("12월", catalog, "ko", seoul, now), seoul) == (date(2026, 12, 1), date(2027, 1, 1))
    assert local_days(read_period("Dezember", catalog, "de", berlin, now), berlin) == (
        date(2025, 12, 1),
        date(2026, 1, 1),
    )


@pytest.mark.parametrize("lang", sorted(ZONES))
def test_the_usage_shows_periods_that_are_read(catalog: Catalog, lang: str) -> None:
    usage = catalog.t("report.usage", lang)
    line = next(line for line in usage.splitlines() if catalog.word("last_month", lang) in line.casefold())
    shown = re.findall(r"<code>/report ([^<]+)</code>", line)
    assert len(shown) == 3, line
    for text in shown:
        assert read_period(text, catalog, lang, ZONES[lang], DECEMBER) is not None, (lang, text)


# -- /report against the services (2 December 2026: Surabaya in Asia/Jakarta, Busan in Asia/Seoul) --------


async def test_report_for_the_month_just_ended_in_each_group(kit: Kit, partners: Partners) -> None:
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    reports = kit.services.reports
    assert await reports.report(surabaya, member(1), "bulan lalu") is None
    assert await reports.report(busan, member(7), "지난달") is None
    said_in_surabaya = [t for t in kit.texts(SURABAYA) if t.startswith("📊")]
    said_in_busan = [t for t in kit.texts(BUSAN) if t.startswith("📊")]
    assert len(said_in_surabaya) == 1 and "1 Nov 2026 – 30 Nov 2026" in said_in_surabaya[0]
    assert len(said_in_busan) == 1 and "2026. 11. 1. – 2026. 11. 30." in said_in_busan[0]
    jakarta, seoul = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Seoul")
    (kept,) = await reports.reports.recent(SURABAYA)
    assert (kept.start, kept.end) == (
        datetime(2026, 11, 1, tzinfo=jakarta),
        datetime(2026, 12, 1, tzinfo=jakarta),
    )
    (kept,) = await reports.reports.recent(BUSAN)
    assert (kept.start, kept.end) == (datetime(2026, 11, 1, tzinfo=seoul), datetime(2026, 12, 1, tzinfo=seoul))


async def test_named_periods_and_what_is_refused(kit: Kit, partners: Partners) -> None:
    surabaya = await kit.here(SURABAYA)
    reports = kit.services.reports
    assert await reports.report(surabaya, member(1), "triwulan III 2026") is None
    assert await reports.report(surabaya, member(1), "2026") is None  # this year, as /report tahun
    titles = [t.split("\n", 1)[0] for t in kit.texts(SURABAYA) if t.startswith("📊")]
    assert len(titles) == 2
    assert "1 Jul 2026 – 30 Sep 2026" in titles[0] and "1 Jan 2026 – 31 Des 2026" in titles[1]
    assert await reports.report(surabaya, member(1), "tahun") is not None  # the same report: just sent
    for text, refusals in (
        ("bulan depan", {"report.bad_period", "report.usage"}),
        ("Desember 2027", {"report.bad_period", "report.usage"}),
        ("kapan-kapan", {"report.usage"}),
        ("kemarin entah", {"report.bad_period"}),
    ):
        found, _ = await kit.refusal(reports.report(surabaya, member(1), text), surabaya)
        assert found in refusals, text
