"""Exports read back with the tools a user's software uses: CSV with ``csv``, XLSX with openpyxl, iCalendar with
``icalendar``; every field, the formula-injection guard, zones and DST, stable UIDs."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.language.catalog import Catalog
from bot.reports import exports
from bot.reports.exports import (
    ACTION_COLUMNS,
    INDICATOR_COLUMNS,
    MAX_CELL_CHARS,
    MAX_ROWS,
    IcsEvent,
    TooManyRows,
    actions_csv,
    actions_xlsx,
    calendar_ics,
    indicators_csv,
    indicators_xlsx,
    sheet_title,
)
from bot.reports.model import ActionRow, CalendarItem, IndicatorRow

JAKARTA = "Asia/Jakarta"
ACTION_HEADERS = [
    "No",
    "Judul",
    "Asli",
    "Program",
    "Penanggung jawab",
    "Kota",
    "Status",
    "Dibuat",
    "Tenggat",
    "Selesai",
    "Terlambat",
]
INDICATOR_HEADERS = [
    "Program",
    "Indikator",
    "Target",
    "Periode",
    "Waktu",
    "Perubahan",
    "Nilai",
    "Oleh",
    "Kota",
    "Catatan",
]

KOREAN = "청소년 교류 프로그램 일정 확정"
JAPANESE = "姉妹都市の訪問団スケジュールを確認する"
GERMAN = "Übergabe der Straßenbahnpläne an Bürgermeisterin Müller"
HOSTILE = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\r=1", "＝1+1", "  =1"]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def actions() -> list[ActionRow]:
    return [
        ActionRow(
            1,
            KOREAN,
            "청소년 교류",
            "Pemuda",
            "@kim, @lee",
            "Suwon",
            "terbuka",
            utc(2026, 11, 30, 2, 15, 30),
            utc(2026, 12, 4, 7, 0),
            None,
            False,
        ),
        ActionRow(
            2,
            JAPANESE,
            "訪問団",
            "Budaya",
            "@tanaka",
            "Kyoto",
            "selesai",
            utc(2026, 10, 1, 0, 0),
            utc(2026, 10, 5, 9, 0),
            utc(2026, 10, 6, 1, 2, 3),
            True,
        ),
        ActionRow(
            3, GERMAN, GERMAN, "Transportasi", "", "Freiburg", "terbuka", utc(2026, 1, 2, 3, 4, 5), None, None, False
        ),
    ]


def indicators() -> list[IndicatorRow]:
    return [
        IndicatorRow(
            "Pemuda", "Peserta pertukaran", 120.0, "year", utc(2026, 3, 1, 5, 0), 15.0, 15.0, "@kim", "Suwon", "첫 방문"
        ),
        IndicatorRow(
            "Pemuda",
            "Peserta pertukaran",
            120.0,
            "year",
            utc(2026, 4, 1, 5, 0),
            -2.5,
            12.5,
            "@lee",
            "Suwon",
            "-Korrektur",
        ),
        IndicatorRow("Budaya", "Pameran", 4.0, "by", None, None, 0.0, "", "", ""),
    ]


def read_csv(data: bytes, delimiter: str = ",") -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def sheet(data: bytes) -> Worksheet:
    ws = load_workbook(io.BytesIO(data)).active
    assert isinstance(ws, Worksheet)
    return ws


def cells(ws: Worksheet) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


# --- CSV -------------------------------------------------------------------------------------------------------


def test_actions_csv_every_field_round_trips() -> None:
    data = actions_csv(actions(), ACTION_HEADERS, JAKARTA)
    assert b"\r\n" in data and data.count(b"\r\n") == 4 and b"\n" not in data.replace(b"\r\n", b"")
    assert read_csv(data) == [
        ACTION_HEADERS,
        [
            "1",
            KOREAN,
            "청소년 교류",
            "Pemuda",
            "'@kim, @lee",
            "Suwon",
            "terbuka",
            "2026-11-30T09:15:30+07:00",
            "2026-12-04T14:00:00+07:00",
            "",
            "0",
        ],
        [
            "2",
            JAPANESE,
            "訪問団",
            "Budaya",
            "'@tanaka",
            "Kyoto",
            "selesai",
            "2026-10-01T07:00:00+07:00",
            "2026-10-05T16:00:00+07:00",
            "2026-10-06T08:02:03+07:00",
            "1",
        ],
        ["3", GERMAN, GERMAN, "Transportasi", "", "Freiburg", "terbuka", "2026-01-02T10:04:05+07:00", "", "", "0"],
    ]
    assert ACTION_COLUMNS == len(ACTION_HEADERS)


def test_actions_csv_late_words_and_semicolon() -> None:
    rows = read_csv(actions_csv(actions(), ACTION_HEADERS, JAKARTA, late_words=("ya", "tidak")))
    assert [r[10] for r in rows[1:]] == ["tidak", "ya", "tidak"]
    data = actions_csv(actions()[:1], ACTION_HEADERS, "Europe/Berlin", delimiter=";")
    text = data.decode("utf-8-sig")
    row = next(iter(csv.reader(io.StringIO(text.split("\r\n")[1]), delimiter=";")))
    assert row[4] == "'@kim, @lee" and row[8] == "2026-12-04T08:00:00+01:00"


def test_indicators_csv_every_field_round_trips() -> None:
    assert read_csv(indicators_csv(indicators(), INDICATOR_HEADERS, JAKARTA)) == [
        INDICATOR_HEADERS,
        [
            "Pemuda",
            "Peserta pertukaran",
            "120",
            "year",
            "2026-03-01T12:00:00+07:00",
            "15",
            "15",
            "'@kim",
            "Suwon",
            "첫 방문",
        ],
        [
            "Pemuda",
            "Peserta pertukaran",
            "120",
            "year",
            "2026-04-01T12:00:00+07:00",
            "-2.5",
            "12.5",
            "'@lee",
            "Suwon",
            "'-Korrektur",
        ],
        ["Budaya", "Pameran", "4", "by", "", "", "0", "", "", ""],
    ]
    assert INDICATOR_COLUMNS == len(INDICATOR_HEADERS)
    rows = read_csv(indicators_csv(indicators(), INDICATOR_HEADERS, JAKARTA, delimiter=";", decimal=","), ";")
    assert rows[2][5:7] == ["-2,5", "12,5"]


def test_csv_formula_injection_guard() -> None:
    rows = [
        ActionRow(i, title, title, "P", "@x", "C", "s", utc(2026, 1, 1), None, None, False)
        for i, title in enumerate(HOSTILE, start=1)
    ]
    back = read_csv(actions_csv(rows, ACTION_HEADERS, JAKARTA))[1:]
    for title, row in zip(HOSTILE, back, strict=True):
        assert row[1] == "'" + title and row[2] == "'" + title
    assert read_csv(actions_csv(rows[:1], ACTION_HEADERS, JAKARTA))[1][0] == "1"  # numbers are not guarded


def test_csv_controls_dropped_and_cells_cut() -> None:
    long = "가" * (MAX_CELL_CHARS + 500)
    row = ActionRow(
        1, "a\x00b\x07c\nd", long, "=" * (MAX_CELL_CHARS + 10), "", "", "", utc(2026, 1, 1), None, None, False
    )
    back = read_csv(actions_csv([row], ACTION_HEADERS, JAKARTA))[1]
    assert back[1] == "abc\nd"
    assert back[2] == "가" * MAX_CELL_CHARS
    assert len(back[3]) == MAX_CELL_CHARS and back[3].startswith("'=")


def test_wrong_header_count_and_too_many_rows() -> None:
    with pytest.raises(ValueError):
        actions_csv(actions(), ACTION_HEADERS[:-1], JAKARTA)
    with pytest.raises(ValueError):
        indicators_xlsx(indicators(), ACTION_HEADERS, JAKARTA, "x")
    row = actions()[0]
    with pytest.raises(TooManyRows):
        actions_csv([row] * (MAX_ROWS + 1), ACTION_HEADERS, JAKARTA)


def test_naive_datetime_is_refused() -> None:
    row = ActionRow(1, "t", "t", "p", "", "", "", datetime(2026, 1, 1), None, None, False)
    with pytest.raises(ValueError):
        actions_csv([row], ACTION_HEADERS, JAKARTA)


# --- XLSX ------------------------------------------------------------------------------------------------------


def test_actions_xlsx_values_datetimes_and_layout() -> None:
    ws = sheet(actions_xlsx(actions(), ACTION_HEADERS, JAKARTA, "Tindak lanjut"))
    assert ws.title == "Tindak lanjut"
    got = cells(ws)
    # the naive datetimes' columns say which zone they are in
    assert got[0] == [*ACTION_HEADERS[:7], *(f"{h} (Asia/Jakarta)" for h in ACTION_HEADERS[7:10]), ACTION_HEADERS[10]]
    assert got[1] == [
        1,
        KOREAN,
        "청소년 교류",
        "Pemuda",
        "@kim, @lee",
        "Suwon",
        "terbuka",
        datetime(2026, 11, 30, 9, 15, 30),
        datetime(2026, 12, 4, 14, 0),
        None,
        False,
    ]
    assert got[2] == [
        2,
        JAPANESE,
        "訪問団",
        "Budaya",
        "@tanaka",
        "Kyoto",
        "selesai",
        datetime(2026, 10, 1, 7, 0),
        datetime(2026, 10, 5, 16, 0),
        datetime(2026, 10, 6, 8, 2, 3),
        True,
    ]
    assert got[3] == [
        3,
        GERMAN,
        GERMAN,
        "Transportasi",
        None,
        "Freiburg",
        "terbuka",
        datetime(2026, 1, 2, 10, 4, 5),
        None,
        None,
        False,
    ]
    assert all(c.font.bold for c in ws[1])
    assert not ws["B2"].font.bold
    assert ws.freeze_panes == "A2"
    assert ws["H2"].is_date and "yyyy" in ws["H2"].number_format and "hh:mm" in ws["H2"].number_format
    widths = {col: ws.column_dimensions[col].width for col in "ABH"}
    assert 6 <= widths["A"] < widths["B"] <= 60 and widths["H"] >= 17


def test_actions_xlsx_late_words() -> None:
    got = cells(sheet(actions_xlsx(actions(), ACTION_HEADERS, JAKARTA, "x", late_words=("ja", "nein"))))
    assert [r[10] for r in got[1:]] == ["nein", "ja", "nein"]


def test_indicators_xlsx_round_trips() -> None:
    got = cells(sheet(indicators_xlsx(indicators(), INDICATOR_HEADERS, "Asia/Seoul", "지표")))
    assert got[0] == [*INDICATOR_HEADERS[:4], "Waktu (Asia/Seoul)", *INDICATOR_HEADERS[5:]]
    assert got[1] == [
        "Pemuda",
        "Peserta pertukaran",
        120,
        "year",
        datetime(2026, 3, 1, 14, 0),
        15,
        15,
        "@kim",
        "Suwon",
        "첫 방문",
    ]
    assert got[2][5:7] == [-2.5, 12.5] and got[2][9] == "-Korrektur"
    assert got[3] == ["Budaya", "Pameran", 4, "by", None, None, 0, None, None, None]


def test_xlsx_formula_injection_guard() -> None:
    rows = [
        ActionRow(i, title, title, "P", "@x", "C", "s", utc(2026, 1, 1), None, None, False)
        for i, title in enumerate(HOSTILE, start=1)
    ]
    data = actions_xlsx(rows, ACTION_HEADERS, JAKARTA, "x")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()
    ws = sheet(data)
    for i, title in enumerate(HOSTILE, start=2):
        cell = ws.cell(row=i, column=2)
        # XML turns a bare CR into LF when read; the guard still holds
        assert cell.value == title.replace("\r", "\n") and cell.data_type == "s" and cell.quotePrefix
    assert not ws.cell(row=2, column=4).quotePrefix
    assert ws.cell(row=2, column=5).value == "@x" and ws.cell(row=2, column=5).quotePrefix


def test_xlsx_controls_and_long_cells() -> None:
    row = ActionRow(1, "a\x00b\x0bc", "字" * (MAX_CELL_CHARS + 1), "p", "", "", "", utc(2026, 1, 1), None, None, False)
    got = cells(sheet(actions_xlsx([row], ACTION_HEADERS, JAKARTA, "x")))
    assert got[1][1] == "abc" and got[1][2] == "字" * MAX_CELL_CHARS


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tindak lanjut", "Tindak lanjut"),
        ("a[b]:c*d?e/f\\g", "a b  c d e f g"),
        ("x" * 40, "x" * 31),
        ("'quoted'", "quoted"),
        ("", "Sheet1"),
        ("[]", "Sheet1"),
        ("History", "Sheet1"),
        ("😀" * 20, "😀" * 15),
        ("액션 아이템 — 수원·자카르타 자매도시 프로그램 2026/27", "액션 아이템 — 수원·자카르타 자매도시 프로그램 2026"),
    ],
)
def test_sheet_title(name: str, expected: str) -> None:
    assert sheet_title(name) == expected


def test_xlsx_accepts_any_sheet_name() -> None:
    assert (
        sheet(actions_xlsx(actions(), ACTION_HEADERS, JAKARTA, "Q3/Q4: [draft]?" * 3)).title
        == "Q3 Q4   draft  Q3 Q4   draft  Q"
    )


# --- iCalendar -------------------------------------------------------------------------------------------------


def items() -> list[CalendarItem]:
    return [
        CalendarItem("action-1@kembar", KOREAN, "#1 Suwon", utc(2026, 12, 4, 7, 0), JAKARTA),
        CalendarItem("action-2@kembar", GERMAN, "Bitte bis Mittag", utc(2026, 7, 15, 8, 0), "Europe/Berlin"),
        CalendarItem("action-3@kembar", JAPANESE, "", utc(2027, 1, 15, 8, 0), "Europe/Berlin"),
    ]


def events(data: bytes) -> tuple[Calendar, list[Any]]:
    cal = Calendar.from_ical(data)
    return cal, list(cal.walk("VEVENT"))


def test_calendar_round_trips() -> None:
    data = calendar_ics(items(), [0, 900, 86400], "Kembar — Suwon")
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    cal, evs = events(data)
    assert str(cal["VERSION"]) == "2.0" and "Kembar" in str(cal["PRODID"])
    assert str(cal["X-WR-CALNAME"]) == "Kembar — Suwon"
    assert [str(e["UID"]) for e in evs] == [i.uid for i in items()]
    for item, event in zip(items(), evs, strict=True):
        start = event.decoded("DTSTART")
        assert start == item.due_at and start.utcoffset() is not None
        assert event["DTSTART"].params["TZID"] == item.timezone
        # a deadline is a moment, not a half-hour meeting: no DTEND (RFC 5545: it ends as it starts), not busy
        assert "DTEND" not in event and "DURATION" not in event and str(event["TRANSP"]) == "TRANSPARENT"
        assert str(event["SUMMARY"]) == item.title
        assert event.decoded("DTSTAMP").tzinfo is not None
        alarms = event.walk("VALARM")
        assert sorted(-a.decoded("TRIGGER") for a in alarms) == [timedelta(0), timedelta(minutes=15), timedelta(days=1)]
        assert all(str(a["ACTION"]) == "DISPLAY" and str(a["DESCRIPTION"]) == item.title for a in alarms)
    assert str(evs[0]["DESCRIPTION"]) == "#1 Suwon" and "DESCRIPTION" not in evs[2]
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {JAKARTA, "Europe/Berlin"}
    assert cal.get_missing_tzids() == set()
    names = [component.name for component in cal.subcomponents]
    assert names == ["VTIMEZONE", "VTIMEZONE", "VEVENT", "VEVENT", "VEVENT"]
    assert b"DTSTART;TZID=Asia/Jakarta:20261204T140000\r\n" in data


def test_calendar_name_is_plain_text_not_html(catalog: Catalog) -> None:
    # The name comes from the catalogue, as Telegram HTML: "&" arrives as "&amp;". Calendar apps show the
    # name verbatim, so the file carries the plain text.
    name = catalog.t("export.calendar_name", "en", scope="Busan & Surabaya <2026>")
    assert "&amp;" in name
    data = calendar_ics(items(), [0], name)
    cal, _ = events(data)
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == "Kembar: Busan & Surabaya <2026>"
    assert b"&amp;" not in data and b"&lt;" not in data
    assert str(events(calendar_ics([], [0], "R&D — Suwon"))[0]["X-WR-CALNAME"]) == "R&D — Suwon"


def test_calendar_dst() -> None:
    _, evs = events(calendar_ics(items(), [], "x"))
    july, january = evs[1].decoded("DTSTART"), evs[2].decoded("DTSTART")
    assert july.isoformat() == "2026-07-15T10:00:00+02:00"
    assert january.isoformat() == "2027-01-15T09:00:00+01:00"
    assert all(not e.walk("VALARM") for e in evs)


def test_calendar_uids_stable() -> None:
    first = calendar_ics(items(), [600], "x", stamp=utc(2026, 1, 1))
    again = calendar_ics(list(reversed(items())), [600], "x")
    assert sorted(str(e["UID"]) for e in events(first)[1]) == sorted(str(e["UID"]) for e in events(again)[1])
    assert first == calendar_ics(items(), [600], "x", stamp=utc(2026, 1, 1))


def test_calendar_duplicates_and_bad_leads() -> None:
    _, evs = events(calendar_ics([*items(), items()[0]], [300, 300], "x"))
    assert len(evs) == 3 and len(evs[0].walk("VALARM")) == 1
    with pytest.raises(ValueError):
        calendar_ics(items(), [-60], "x")
    cal, evs = events(calendar_ics([], [0], "x"))
    assert evs == [] and not cal.walk("VTIMEZONE")


def test_calendar_utc_and_hostile_text() -> None:
    item = CalendarItem("u@k", "a\x00b\nc;d,e", "x" * 40_000, utc(2026, 5, 5, 5, 5), "UTC")
    data = calendar_ics([item], [0], "n")
    _, evs = events(data)
    assert str(evs[0]["SUMMARY"]) == "ab\nc;d,e"
    assert evs[0].decoded("DTSTART") == item.due_at
    assert len(str(evs[0]["DESCRIPTION"])) == MAX_CELL_CHARS
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_two_thousand_actions_are_quick() -> None:
    base = actions()
    rows = [
        ActionRow(
            n,
            f"{base[n % 3].title} {n}",
            base[n % 3].original,
            "P",
            "@a",
            "Suwon",
            "terbuka",
            utc(2026, 1, 1) + timedelta(hours=n),
            utc(2026, 6, 1) + timedelta(hours=n),
            None,
            n % 2 == 0,
        )
        for n in range(2000)
    ]
    started = time.perf_counter()
    csv_data = actions_csv(rows, ACTION_HEADERS, JAKARTA)
    xlsx_data = actions_xlsx(rows, ACTION_HEADERS, JAKARTA, "x")
    ics = calendar_ics(
        [CalendarItem(f"a{r.number}@k", r.title, "", r.due_at or r.created_at, "Europe/Berlin") for r in rows],
        [0, 3600],
        "x",
    )
    elapsed = time.perf_counter() - started
    assert len(read_csv(csv_data)) == 2001 and sheet(xlsx_data).max_row == 2001 and len(events(ics)[1]) == 2000
    assert elapsed < 15
    assert ZoneInfo(JAKARTA)  # the zone database is installed (tzdata on Windows)


# --- other events (days off, meetings) -------------------------------------------------------------------------


def test_calendar_other_events_all_day_and_timed() -> None:
    off = IcsEvent("off-1@kembar", "설날 (Busan)", date(2027, 2, 6), date(2027, 2, 9), "Public holiday in Busan")
    meeting = IcsEvent(
        "meeting-1@kembar",
        "Koordinasi",
        utc(2027, 3, 3, 3, 0),
        utc(2027, 3, 3, 4, 0),
        timezone="Europe/Berlin",
        alarm_seconds=(600, 600, 0),
    )
    data = calendar_ics(items()[:1], [0], "x", events=[off, meeting, replace(off, summary="again")])
    cal, evs = events(data)
    assert [str(e["UID"]) for e in evs] == ["action-1@kembar", "off-1@kembar", "meeting-1@kembar"]  # first uid wins
    day = evs[1]
    assert b"DTSTART;VALUE=DATE:20270206\r\n" in data and b"DTEND;VALUE=DATE:20270209\r\n" in data
    assert (day.decoded("DTSTART"), day.decoded("DTEND")) == (date(2027, 2, 6), date(2027, 2, 9))
    assert str(day["SUMMARY"]) == "설날 (Busan)" and str(day["DESCRIPTION"]) == "Public holiday in Busan"
    assert str(day["TRANSP"]) == "TRANSPARENT" and not day.walk("VALARM")
    timed = evs[2]
    assert timed["DTSTART"].params["TZID"] == "Europe/Berlin" and timed.decoded("DTSTART") == utc(2027, 3, 3, 3, 0)
    assert sorted(-a.decoded("TRIGGER") for a in timed.walk("VALARM")) == [timedelta(0), timedelta(minutes=10)]
    assert "DESCRIPTION" not in timed
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {JAKARTA, "Europe/Berlin"}
    assert cal.get_missing_tzids() == set()
    utc_only = events(calendar_ics([], [], "x", events=[replace(meeting, timezone=None)]))[1][0]
    assert utc_only.decoded("DTSTART") == utc(2027, 3, 3, 3, 0)


def test_calendar_events_count_against_the_limit_and_must_make_sense(monkeypatch: pytest.MonkeyPatch) -> None:
    days = [
        IcsEvent(f"off-{n}@k", "Libur", date(2027, 1, 1) + timedelta(days=n), date(2027, 1, 2) + timedelta(days=n))
        for n in range(3)
    ]
    monkeypatch.setattr(exports, "MAX_ROWS", 5)
    assert len(events(calendar_ics(items()[:2], [0], "x", events=days))[1]) == 5
    with pytest.raises(TooManyRows):
        calendar_ics(items(), [0], "x", events=days)
    for bad in (
        IcsEvent("b@k", "x", date(2027, 1, 2), date(2027, 1, 2)),  # DTEND is the day after the last
        IcsEvent("b@k", "x", date(2027, 1, 2), utc(2027, 1, 3)),  # a date and an instant
        IcsEvent("b@k", "x", utc(2027, 1, 3), utc(2027, 1, 2)),  # ends before it starts
        IcsEvent("b@k", "x", utc(2027, 1, 3), utc(2027, 1, 4), alarm_seconds=(-60,)),
    ):
        with pytest.raises(ValueError):
            calendar_ics([], [0], "x", events=[bad])


# --- zones named in XLSX headers; deadlines as whole days or moments; VTIMEZONE beyond the next years ---------------


def test_xlsx_zone_form_in_the_groups_language() -> None:
    got = cells(
        sheet(indicators_xlsx(indicators(), INDICATOR_HEADERS, "Asia/Tokyo", "x", zone_form="{header}（{zone}）"))
    )
    assert got[0][4] == "Waktu（Asia/Tokyo）" and got[0][3] == "Periode"
    table = exports.table_xlsx(["No", "Dicatat"], [[1, utc(2026, 1, 1)]], JAKARTA, "x")
    assert cells(sheet(table))[0] == ["No", "Dicatat (Asia/Jakarta)"]
    assert exports.zoned_headers(["a {zone}", "b"], frozenset({0}), "UTC") == ["a {zone} (UTC)", "b"]


def test_indicator_row_without_value_or_change_leaves_the_cells_empty() -> None:
    row = IndicatorRow("Pemuda", "Peserta", 120.0, "per tahun", utc(2026, 2, 1), None, None, "", "", "dibuat")
    assert read_csv(indicators_csv([row], INDICATOR_HEADERS, JAKARTA))[1] == [
        "Pemuda",
        "Peserta",
        "120",
        "per tahun",
        "2026-02-01T07:00:00+07:00",
        "",
        "",
        "",
        "",
        "dibuat",
    ]
    got = cells(sheet(indicators_xlsx([row], INDICATOR_HEADERS, JAKARTA, "x")))[1]
    assert got[4] == datetime(2026, 2, 1, 7, 0) and got[5] is None and got[6] is None


def test_a_whole_day_deadline_is_an_all_day_item_with_alarms_at_the_due_instant() -> None:
    # Braunschweig set "Friday" (17:00 in Berlin, 01:00 on Saturday in Busan); Busan exports its calendar.
    due = datetime(2026, 12, 4, 17, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    item = CalendarItem("d@k", "#7 Antrag", "", due, "Asia/Seoul", day=date(2026, 12, 4))
    data = calendar_ics([item], [0, 86400], "x", stamp=utc(2026, 12, 1))
    cal, (event,) = events(data)
    assert b"DTSTART;VALUE=DATE:20261204\r\n" in data and b"DTEND;VALUE=DATE:20261205\r\n" in data
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (date(2026, 12, 4), date(2026, 12, 5))
    assert str(event["TRANSP"]) == "TRANSPARENT"
    triggers = sorted(a.decoded("TRIGGER") for a in event.walk("VALARM"))
    assert triggers == [utc(2026, 12, 3, 16, 0), utc(2026, 12, 4, 16, 0)]  # a day before, and at the due instant
    assert all(a["TRIGGER"].params["VALUE"] == "DATE-TIME" for a in event.walk("VALARM"))
    assert b"T010000" not in data  # never 01:00 on Saturday
    assert not cal.walk("VTIMEZONE") and cal.get_missing_tzids() == set()  # nothing refers to a zone


def test_a_timed_deadline_is_a_zero_length_event_with_its_alarms() -> None:
    item = CalendarItem("t@k", "#8 Call", "", utc(2026, 12, 4, 5, 30), "Asia/Seoul")
    data = calendar_ics([item], [600], "x")
    _, (event,) = events(data)
    assert b"DTSTART;TZID=Asia/Seoul:20261204T143000\r\n" in data
    assert event.decoded("DTSTART") == item.due_at and "DTEND" not in event and "DURATION" not in event
    assert [a.decoded("TRIGGER") for a in event.walk("VALARM")] == [timedelta(minutes=-10)]


def transitions(cal: Calendar, tzid: str) -> list[datetime]:
    (tz,) = [t for t in cal.walk("VTIMEZONE") if str(t["TZID"]) == tzid]
    found: list[datetime] = []
    for part in tz.walk():
        if part.name in ("STANDARD", "DAYLIGHT"):
            found.append(part.decoded("DTSTART"))
            rdates = part.get("RDATE", [])
            for rdate in rdates if isinstance(rdates, list) else [rdates]:
                found += [d.dt for d in rdate.dts]
    return sorted(found)


def test_the_time_zone_block_reaches_ten_years_past_the_events() -> None:
    cal, _ = events(calendar_ics(items(), [0], "x", stamp=utc(2026, 12, 8)))
    berlin = transitions(cal, "Europe/Berlin")
    assert berlin[0].year <= 2026 and max(d.year for d in berlin) == 2037  # the events run to 2027: +10 years
    assert datetime(2035, 3, 25, 3, 0) in berlin and datetime(2035, 10, 28, 3, 0) in berlin  # CEST on, off in 2035
    # a file made later for events of earlier years still reaches ten years past the day it is made
    cal, _ = events(calendar_ics(items()[1:2], [0], "x", stamp=utc(2029, 1, 1)))
    assert max(d.year for d in transitions(cal, "Europe/Berlin")) == 2039
