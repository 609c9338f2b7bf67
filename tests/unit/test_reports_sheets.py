"""Exports and charts that keep their context (bot/reports/sheets.py and the report service): the indicators
export's period column in the group's words, its first rows dated (no undated value-0 row), XLSX headers naming
the zone, due dates as whole days or moments in the calendar export, and the charts' heading."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest

from bot.context import ChatContext
from bot.language.catalog import Catalog
from bot.language.dates.spec import END_OF_WORKING_DAY
from bot.reports import periods, sheets
from bot.reports.sheets import deadline_day, zone_form
from tests.kit import SURABAYA, Kit, member

Partners = tuple[ChatContext, ChatContext]
BERLIN, SEOUL = "Europe/Berlin", "Asia/Seoul"


def test_the_default_time_of_a_bare_date_is_the_one_the_date_reader_uses() -> None:
    assert sheets.END_OF_WORKING_DAY == END_OF_WORKING_DAY


@pytest.mark.parametrize(
    ("local", "day"),
    [
        (datetime(2026, 12, 4, 17, 0), date(2026, 12, 4)),  # "Friday": 17:00
        (datetime(2026, 12, 4, 23, 59), date(2026, 12, 4)),
        (datetime(2026, 12, 4, 23, 59, 59), date(2026, 12, 4)),
        (datetime(2026, 12, 5, 0, 0), date(2026, 12, 4)),  # midnight: the end of the day before
        (datetime(2026, 12, 4, 14, 0), None),  # a time of its own
        (datetime(2026, 12, 4, 17, 30), None),
        (datetime(2026, 12, 4, 0, 0, 30), None),
    ],
)
def test_deadline_day(local: datetime, day: date | None) -> None:
    due = local.replace(tzinfo=ZoneInfo(BERLIN)).astimezone(UTC)
    assert deadline_day(due, BERLIN) == day
    # in the zone of the group that set it, not of the one reading it: 17:00 in Berlin is 01:00 in Seoul
    assert deadline_day(datetime(2026, 12, 4, 16, 0, tzinfo=UTC), SEOUL) is None


def test_zone_form_in_every_language(catalog: Catalog) -> None:
    assert zone_form(catalog, "en") == "{header} ({zone})"
    assert zone_form(catalog, "ja") == "{header}（{zone}）" and zone_form(catalog, "zh") == "{header}（{zone}）"


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


async def test_the_indicators_export_is_dated_worded_and_zoned(kit: Kit, partners: Partners, catalog: Catalog) -> None:
    surabaya, busan = partners
    admin = kit.admin(SURABAYA, 1)
    services = kit.services
    await services.programmes.programme(surabaya, admin, "add pendidikan")
    word = kit.services.catalog.word
    await services.indicators.indicator(surabaya, admin, "add pendidikan pertukaran target 40")
    quarterly = f"{word('per', 'id')} {word('quarter', 'id')}"
    await services.indicators.indicator(surabaya, admin, f"add pendidikan kunjungan target 8 {quarterly}")
    # (storage stamps an indicator's creation with its own clock, the real one in these fakes)
    kit.clock.now = max(kit.clock.now, datetime.now(UTC)) + timedelta(days=1)
    await services.indicators.indicator(busan, member(7, "Kim"), "pendidikan pertukaran +12")
    made = await services.reports.export_files(busan, "indicators")
    files = {name.rsplit(".", 1)[1]: data for name, data in made.files}
    headers = catalog.t("export.headers.indicators", "ko").split("|")
    rows = rows_of(files["csv"])
    assert rows[0] == headers and len(rows) == 4 and made.rows == 3
    year, quarter = catalog.t("indicator.period.year", "ko"), catalog.t("indicator.period.quarter", "ko")
    created = catalog.t("export.indicator_created", "ko")
    assert [(r[1], r[3], r[6], r[9]) for r in rows[1:]] == [
        ("pertukaran", year, "", created),  # when it was set up: no value yet, not a 0
        ("kunjungan", quarter, "", created),
        ("pertukaran", year, "12", ""),
    ]
    stamps = [datetime.fromisoformat(r[4]) for r in rows[1:]]
    assert stamps == sorted(stamps) and all(s.utcoffset() == timedelta(hours=9) for s in stamps)  # Busan's zone
    listed = await services.reports.indicators.list(busan.scope)
    assert stamps[:2] == sorted(i.created_at.replace(microsecond=0) for i in listed)  # when each was set up
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"])).active
    assert sheet is not None
    top = [c.value for c in sheet[1]]
    assert top[4] == f"{headers[4]} (Asia/Seoul)" and top[:4] == headers[:4] and top[5:] == headers[5:]
    assert [sheet.cell(row, 4).value for row in (2, 3, 4)] == [year, quarter, year]
    assert sheet.cell(2, 7).value is None and isinstance(sheet.cell(2, 5).value, datetime)
    # the same export from Surabaya: its own words and zone
    surabaya_rows = rows_of((await services.reports.export_files(surabaya, "indicators")).files[0][1])
    assert surabaya_rows[1][3] == catalog.t("indicator.period.year", "id")
    assert datetime.fromisoformat(surabaya_rows[1][4]).utcoffset() == timedelta(hours=7)


async def test_a_by_date_indicator_names_its_date(kit: Kit, partners: Partners, catalog: Catalog) -> None:
    surabaya, busan = partners
    admin = kit.admin(SURABAYA, 1)
    await kit.services.programmes.programme(surabaya, admin, "add pendidikan")
    indicator = kit.services.indicators
    by = kit.services.catalog.word("by", "id")
    await indicator.indicator(surabaya, admin, f"add pendidikan beasiswa target 5 {by} 30 Juni 2027")
    listed = await kit.services.reports.indicators.list(busan.scope)
    assert [i.period for i in listed] == ["by"]
    words = sheets.period_words(listed, catalog, "de", BERLIN)
    assert words[listed[0].id] == "bis 30.06.2027"


async def test_due_dates_in_the_calendar_are_days_or_moments(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU tenggat Jumat")  # 17:00 in Jakarta
    await kit.services.actions.create(surabaya, member(1), "Rapat koordinasi tenggat Jumat jam 14.00")
    made = await kit.services.reports.export_files(busan, "calendar")
    cal = icalendar.Calendar.from_ical(made.files[0][1])
    whole, moment = sorted(cal.walk("VEVENT"), key=lambda e: str(e["SUMMARY"]))
    friday = date(2026, 12, 4)
    assert (whole.decoded("DTSTART"), whole.decoded("DTEND")) == (friday, friday + timedelta(days=1))
    assert not isinstance(whole.decoded("DTSTART"), datetime)
    assert moment.decoded("DTSTART") == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # 14:00 in Jakarta
    assert moment["DTSTART"].params["TZID"] == SEOUL and "DTEND" not in moment
    assert all(str(e["TRANSP"]) == "TRANSPARENT" for e in (whole, moment))
    alarms = [a.decoded("TRIGGER") for a in whole.walk("VALARM")]
    assert datetime(2026, 12, 4, 10, 0, tzinfo=UTC) in alarms  # at 17:00 in Jakarta, when it is due


async def test_charts_are_headed_with_the_cities_and_the_period(kit: Kit, partners: Partners) -> None:
    _, busan = partners
    reports = kit.services.reports
    period = periods.current("month", kit.clock.now, ZoneInfo(busan.timezone))
    heading = reports.chart_heading(busan, period)
    first, last = reports.days_of(period, busan)
    assert "Surabaya" in heading and "Busan" in heading and first in heading and last in heading
    assert reports.chart_text("ko", heading).heading == heading
