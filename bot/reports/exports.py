"""Files a group can download: actions and indicator updates as CSV and XLSX (they open in Excel, LibreOffice and
Numbers with every script intact) and open actions' due dates as an iCalendar file (RFC 5545) for calendar apps, with
any other events the caller adds (:class:`IcsEvent`: the cities' days off as all-day events, meetings).

Everything here is pure: values in, ``bytes`` out; the caller sends them as a Telegram document.

Choices, for every export:

* Instants are shown in the asking group's zone ``tz``: in CSV as ISO 8601 with the offset in force at that instant
  (``2026-12-04T14:00:00+07:00``, whole seconds); in XLSX as real Excel datetimes, naive (Excel has no zones) in
  that zone, formatted ``yyyy-mm-dd hh:mm``, to the second, and the header of each such column names the zone
  (``zone_form``, ``"{header} ({zone})"`` unless the caller gives its language's form: "Due (Asia/Seoul)").
* Text from members (titles, notes, names) is hostile: C0 control characters other than tab, line feed and carriage
  return are dropped (XLSX cannot store them), lone surrogates become U+FFFD, and a cell is cut at
  :data:`MAX_CELL_CHARS` characters (Excel holds 32,767 per cell). A text cell that would start a formula (its first
  non-blank character is ``=``, ``+``, ``-``, ``@`` or a full-width one of these, or it starts with a tab or carriage
  return) gets a leading apostrophe in CSV; in XLSX it is stored as a string (never as a formula) and marked
  "quote prefix", the way Excel marks text typed after an apostrophe, so it shows without one. Numbers (action
  numbers, indicator targets and values) are written as numbers and never guarded, so ``-3`` stays a number.
* ``late``: with ``late_words=None`` (the default) CSV writes ``1``/``0`` and XLSX a real boolean (Excel shows it as
  TRUE/FALSE in its own language); with ``late_words=(yes, no)`` both write those words instead.
* CSV is UTF-8 with a byte order mark, CRLF line ends, comma separated with ``.`` as decimal point; Excel with a
  German or Indonesian regional setting expects ``;`` and a decimal comma, so both can be chosen (``delimiter``,
  ``decimal``). A ``sep=`` first line is deliberately not used: Excel then ignores the BOM and garbles Hangul.
* At most :data:`MAX_ROWS` rows (or calendar items and events together) per file; more raise :class:`TooManyRows`.
* The work is CPU-bound (2,000 actions: CSV ~20 ms, XLSX ~0.25 s, iCalendar ~0.6 s; 10,000: ~0.1 s, ~1.3 s, ~4 s),
  so a handler should call these through ``asyncio.to_thread`` rather than on the event loop.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.language.htmltext import strip_tags
from bot.language.numbers import entered
from bot.reports.model import ActionRow, CalendarItem, IcsEvent, IndicatorRow

__all__ = [
    "ACTION_COLUMNS",
    "INDICATOR_COLUMNS",
    "MAX_CELL_CHARS",
    "MAX_ROWS",
    "PRODID",
    "IcsEvent",
    "TooManyRows",
    "actions_csv",
    "actions_xlsx",
    "calendar_ics",
    "indicators_csv",
    "indicators_xlsx",
    "sheet_title",
]

# number, title, original, programme, owners, city, status, created, due, done, late
ACTION_COLUMNS = 11
# programme, name, target, period, at, change, value, by, city, note
INDICATOR_COLUMNS = 10
MAX_ROWS = 10_000
MAX_CELL_CHARS = 32_000
PRODID = "-//Kembar//Sister-city action items//EN"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
ZONE_FORM = "{header} ({zone})"  # an XLSX datetime column's header: the zone its naive datetimes are in
ZONE_YEARS = 10  # a VTIMEZONE describes the zone's offsets up to this many years after the last event

_BOM = "\ufeff"
# What XLSX cannot hold (and no spreadsheet cell wants): C0 controls except tab, LF, CR.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FORMULA_START = frozenset("=+-@＝＋－＠")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX_UTF16 = 31
_WIDTH_MIN, _WIDTH_MAX, _WIDTH_DATETIME = 6, 60, 17
_BOLD = Font(bold=True)


class TooManyRows(ValueError):
    """More than :data:`MAX_ROWS` rows for one file; the caller should narrow the request (a period, a programme)."""


# --- cells -----------------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Hostile text made storable: controls dropped, lone surrogates replaced, cut to the cell limit."""
    text = _CONTROL.sub("", text)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text[:MAX_CELL_CHARS]


def _formula_like(text: str) -> bool:
    if text[:1] in ("\t", "\r"):
        return True
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in _FORMULA_START


def _csv_text(text: str) -> str:
    text = _clean(text)
    if _formula_like(text):
        text = ("'" + text)[:MAX_CELL_CHARS]
    return text


def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)  # an unknown name raises ZoneInfoNotFoundError (a KeyError): the caller validated it


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime in an export: {instant!r}")
    return instant


def _iso(instant: datetime | None, zone: ZoneInfo) -> str:
    if instant is None:
        return ""
    return _aware(instant).astimezone(zone).isoformat(timespec="seconds")


def _local_naive(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    if instant is None:
        return None
    return _aware(instant).astimezone(zone).replace(tzinfo=None, microsecond=0)


def _number_text(value: float | int | None, decimal: str) -> str:
    """A number as data: a figure with the digits entered (:func:`bot.language.numbers.entered`: no float noise
    such as 0.30000000000000004), whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = format(entered(value), "f") if math.isfinite(value) else repr(value)
    else:
        text = str(value)
    return text.replace(".", decimal) if decimal != "." else text


def _figure(value: float | None) -> float | None:
    """A figure for an XLSX cell: the digits entered, as a number."""
    return float(entered(value)) if value is not None and math.isfinite(value) else value


def _check(count: int, headers: Sequence[str], columns: int) -> None:
    if len(headers) != columns:
        raise ValueError(f"expected {columns} headers, got {len(headers)}")
    if count > MAX_ROWS:
        raise TooManyRows(f"{count} rows; at most {MAX_ROWS} per file")


# --- CSV -------------------------------------------------------------------------------------------------------


def _csv_bytes(headers: Sequence[str], rows: Iterable[list[str]], delimiter: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_csv_text(h) for h in headers])
    writer.writerows(rows)
    return (_BOM + out.getvalue()).encode("utf-8")


def actions_csv(
    rows: Sequence[ActionRow],
    headers: Sequence[str],
    tz: str,
    *,
    late_words: tuple[str, str] | None = None,
    delimiter: str = ",",
) -> bytes:
    """Actions as CSV (UTF-8 with BOM, CRLF), one row per action, columns as in :data:`ACTION_COLUMNS`; ``headers``
    in the group's language. ``late`` is ``1``/``0`` unless ``late_words`` (yes, no) are given."""
    _check(len(rows), headers, ACTION_COLUMNS)
    zone = _zone(tz)
    yes, no = late_words if late_words is not None else ("1", "0")
    yes, no = _csv_text(yes), _csv_text(no)

    def line(r: ActionRow) -> list[str]:
        return [
            str(r.number),
            _csv_text(r.title),
            _csv_text(r.original),
            _csv_text(r.programme),
            _csv_text(r.owners),
            _csv_text(r.city),
            _csv_text(r.status),
            _iso(r.created_at, zone),
            _iso(r.due_at, zone),
            _iso(r.done_at, zone),
            yes if r.late else no,
        ]

    return _csv_bytes(headers, map(line, rows), delimiter)


def indicators_csv(
    rows: Sequence[IndicatorRow],
    headers: Sequence[str],
    tz: str,
    *,
    delimiter: str = ",",
    decimal: str = ".",
) -> bytes:
    """Indicator updates as CSV (UTF-8 with BOM, CRLF), columns as in :data:`INDICATOR_COLUMNS`; numbers with
    ``decimal`` as decimal point (whole numbers without one)."""
    _check(len(rows), headers, INDICATOR_COLUMNS)
    if decimal == delimiter:
        raise ValueError("the decimal point cannot be the delimiter")
    zone = _zone(tz)

    def line(r: IndicatorRow) -> list[str]:
        return [
            _csv_text(r.programme),
            _csv_text(r.name),
            _number_text(r.target, decimal),
            _csv_text(r.period),
            _iso(r.at, zone),
            _number_text(r.change, decimal),
            _number_text(r.value, decimal),
            _csv_text(r.by),
            _csv_text(r.city),
            _csv_text(r.note),
        ]

    return _csv_bytes(headers, map(line, rows), delimiter)


# --- XLSX ------------------------------------------------------------------------------------------------------

XlsxValue = str | int | float | bool | datetime | None


def sheet_title(name: str) -> str:
    """``name`` as an Excel sheet title: no ``[]:*?/\\``, no controls, no apostrophe at either end, at most 31
    UTF-16 units (what Excel counts), never empty or Excel's reserved "History"."""
    title = _SHEET_FORBIDDEN.sub(" ", _clean(name)).strip().strip("'").strip()
    out: list[str] = []
    used = 0
    for ch in title:
        units = 2 if ord(ch) > 0xFFFF else 1
        if used + units > _SHEET_MAX_UTF16:
            break
        out.append(ch)
        used += units
    title = "".join(out).rstrip().rstrip("'").rstrip()
    if not title or title.casefold() == "history":
        return "Sheet1"
    return title


def _display_width(text: str) -> int:
    """Roughly how many Latin character widths ``text``'s longest line takes (East Asian wide count double)."""
    best = 0
    for part in text[: _WIDTH_MAX * 2].split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in part)
        best = max(best, width)
    return best


def zoned_headers(headers: Sequence[str], columns: frozenset[int], tz: str, form: str = ZONE_FORM) -> list[str]:
    """``headers`` with the zone named in those of the datetime ``columns``: ``form`` with ``{header}`` and
    ``{zone}`` ("Due (Asia/Seoul)", "期限（Asia/Tokyo）")."""
    return [form.replace("{zone}", tz).replace("{header}", h) if n in columns else h for n, h in enumerate(headers)]


def _xlsx(
    headers: Sequence[str],
    rows: Iterable[list[XlsxValue]],
    sheet: str,
    datetime_columns: frozenset[int],
    zone: tuple[str, str] | None = None,
) -> bytes:
    """``zone``: (the zone's name, ``zone_form``): the datetime columns' headers name it."""
    if zone is not None:
        headers = zoned_headers(headers, datetime_columns, *zone)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title(sheet)
    widths = [0] * len(headers)

    def put(row: int, column: int, value: XlsxValue) -> Cell:
        cell = ws.cell(row=row, column=column)
        assert isinstance(cell, Cell)  # nothing is merged here
        if isinstance(value, str):
            value = _clean(value)
            cell.value = value
            # Never a formula: a string assigned to a cell that starts with "=" would become one.
            cell.data_type = "s"
            if _formula_like(value):
                cell.quotePrefix = True
            widths[column - 1] = max(widths[column - 1], _display_width(value))
        else:
            cell.value = value
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif value is not None:
                widths[column - 1] = max(widths[column - 1], len(str(value)))
        return cell

    row_number = 1
    for column, header in enumerate(headers, start=1):
        put(row_number, column, header).font = _BOLD
    for values in rows:
        row_number += 1
        for column, value in enumerate(values, start=1):
            if value is not None:
                put(row_number, column, value)

    ws.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        if column - 1 in datetime_columns:
            width = max(width, _WIDTH_DATETIME)
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, _WIDTH_MIN), _WIDTH_MAX)
    if row_number > 1:
        ws.auto_filter.ref = ws.dimensions

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def actions_xlsx(
    rows: Sequence[ActionRow],
    headers: Sequence[str],
    tz: str,
    sheet: str,
    *,
    late_words: tuple[str, str] | None = None,
    zone_form: str = ZONE_FORM,
) -> bytes:
    """Actions as an XLSX workbook with one sheet (title from :func:`sheet_title`), the same columns as
    :func:`actions_csv`; instants as naive local datetimes in ``tz`` (named in their headers by ``zone_form``);
    ``late`` a boolean unless ``late_words``."""
    _check(len(rows), headers, ACTION_COLUMNS)
    zone = _zone(tz)
    late: Callable[[bool], XlsxValue] = (
        (lambda v: v) if late_words is None else (lambda v: late_words[0] if v else late_words[1])
    )

    def line(r: ActionRow) -> list[XlsxValue]:
        return [
            r.number,
            r.title,
            r.original,
            r.programme,
            r.owners,
            r.city,
            r.status,
            _local_naive(r.created_at, zone),
            _local_naive(r.due_at, zone),
            _local_naive(r.done_at, zone),
            late(r.late),
        ]

    return _xlsx(headers, map(line, rows), sheet, frozenset({7, 8, 9}), (tz, zone_form))


def indicators_xlsx(
    rows: Sequence[IndicatorRow], headers: Sequence[str], tz: str, sheet: str, *, zone_form: str = ZONE_FORM
) -> bytes:
    """Indicator updates as an XLSX workbook, the same columns as :func:`indicators_csv`; numbers as numbers, the
    instants' header naming ``tz`` (``zone_form``)."""
    _check(len(rows), headers, INDICATOR_COLUMNS)
    zone = _zone(tz)

    def line(r: IndicatorRow) -> list[XlsxValue]:
        return [
            r.programme,
            r.name,
            _figure(r.target),
            r.period,
            _local_naive(r.at, zone),
            _figure(r.change),
            _figure(r.value),
            r.by,
            r.city,
            r.note,
        ]

    return _xlsx(headers, map(line, rows), sheet, frozenset({4}), (tz, zone_form))


# --- iCalendar -------------------------------------------------------------------------------------------------


def _ical_text(text: str) -> str:
    return _clean(text)


def calendar_ics(
    items: Sequence[CalendarItem],
    lead_seconds: Sequence[int],
    name: str,
    *,
    events: Sequence[IcsEvent] = (),
    stamp: datetime | None = None,
) -> bytes:
    """Open actions' due dates as an iCalendar file: one VEVENT per item (``UID`` the item's stable uid, so importing
    again updates rather than duplicates; the first of items sharing a uid wins). A due date is a deadline, not a
    meeting: it never blocks time (``TRANSP:TRANSPARENT``) and never lasts half an hour. An item with a ``day`` (a
    date said without a time, due at the end of that day) is an all-day item on that day (``DTSTART;VALUE=DATE``,
    ``DTEND`` the day after), whose alarms fire at fixed instants before the due instant (``TRIGGER;VALUE=DATE-TIME``,
    in UTC: an all-day item's own start would be midnight wherever the calendar is); any other is a zero-length event
    at the due instant in the item's zone (``DTSTART;TZID=…`` and no ``DTEND``, which RFC 5545 reads as ending when
    it starts), its alarms before its start. One display alarm per distinct lead time (``0`` = at the due instant).
    Each zone used gets a VTIMEZONE from the year before the first event to :data:`ZONE_YEARS` years after the last
    one (or after ``stamp``'s year, if later). ``stamp`` is the DTSTAMP (now by default). An empty ``items`` gives a
    calendar without events.

    ``events`` follow the items, one VEVENT each (a uid already used is skipped): an all-day event has
    ``DTSTART;VALUE=DATE`` and ``DTEND`` the day after its last day; a timed one starts and ends in its zone.
    Items and events together count against :data:`MAX_ROWS`.

    ``name`` is the calendar's name as a catalogue message gives it, in Telegram HTML (``&amp;`` for ``&``); the file
    carries its plain text (``X-WR-CALNAME``, ``NAME``), as calendar apps show it verbatim."""
    if len(items) + len(events) > MAX_ROWS:
        raise TooManyRows(f"{len(items)} items and {len(events)} events; at most {MAX_ROWS} per file")
    leads = sorted(set(lead_seconds), reverse=True)
    if any(lead < 0 for lead in leads) or any(lead < 0 for e in events for lead in e.alarm_seconds):
        raise ValueError("lead times are seconds before the due time, not after")
    dtstamp = (_aware(stamp) if stamp is not None else datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    calname = _ical_text(strip_tags(name))
    cal.add("x-wr-calname", calname)
    cal.add("name", calname)

    seen: set[str] = set()
    years: list[int] = []
    for item in items:
        if item.uid in seen:
            continue
        seen.add(item.uid)
        due = _aware(item.due_at).astimezone(_zone(item.timezone)).replace(microsecond=0)
        description = _ical_text(item.description) if item.description else ""
        title = _ical_text(item.title)
        if item.day is not None:
            at = due.astimezone(UTC)
            alarms: list[int | datetime] = [at - timedelta(seconds=lead) for lead in leads]
            _add_event(cal, item.uid, dtstamp, title, item.day, item.day + timedelta(days=1), description, alarms)
        else:
            years.append(due.year)
            _add_event(cal, item.uid, dtstamp, title, due, None, description, leads, busy=False)
    for event in events:
        if event.uid in seen:
            continue
        seen.add(event.uid)
        start, end = _span(event)
        if isinstance(start, datetime):
            years.append(start.year)
        summary, description = _ical_text(event.summary), _ical_text(event.description)
        _add_event(cal, event.uid, dtstamp, summary, start, end, description, sorted(set(event.alarm_seconds))[::-1])

    if years:
        last = max(*years, dtstamp.year) + ZONE_YEARS
        cal.add_missing_timezones(date(min(years) - 1, 1, 1), date(last + 1, 1, 1))
        # before the events that use them (icalendar < 6.3.2 appended them at the end)
        cal.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    data: bytes = cal.to_ical()
    return data


def _span(event: IcsEvent) -> tuple[date, date] | tuple[datetime, datetime]:
    """An event's start and end as the file writes them: two dates, or two instants in its zone (else UTC)."""
    start, end = event.start, event.end
    if isinstance(start, datetime) and isinstance(end, datetime):
        zone = _zone(event.timezone) if event.timezone else UTC
        first = _aware(start).astimezone(zone).replace(microsecond=0)
        last = _aware(end).astimezone(zone).replace(microsecond=0)
        if last < first:
            raise ValueError(f"event {event.uid!r} ends before it starts")
        return first, last
    if isinstance(start, datetime) or isinstance(end, datetime):
        raise ValueError(f"event {event.uid!r} mixes a date and an instant")
    if end <= start:
        raise ValueError(f"all-day event {event.uid!r} must end after its first day (DTEND is the day after)")
    return start, end


def _add_event(
    cal: Calendar,
    uid: str,
    dtstamp: datetime,
    summary: str,
    start: date | datetime,
    end: date | datetime | None,
    description: str,
    alarms: Sequence[int | datetime],
    *,
    busy: bool = True,
) -> None:
    """One VEVENT: no ``end`` makes it zero-length; ``alarms`` are seconds before the start or UTC instants."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", dtstamp)
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if not busy or not isinstance(start, datetime):
        event.add("transp", "TRANSPARENT")  # a day off or a deadline does not make anyone busy in a calendar app
    for when in alarms:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        if isinstance(when, datetime):
            alarm.add("trigger", when, parameters={"VALUE": "DATE-TIME"})
        else:
            alarm.add("trigger", timedelta(seconds=-when))
        event.add_component(alarm)
    cal.add_component(event)


# --- plain tables (decisions, the evidence index) -------------------------------------------------------------

TableValue = str | int | datetime | None


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[TableValue]], tz: str, *, delimiter: str = ",") -> bytes:
    """A table as CSV (UTF-8 with BOM, CRLF): text as text (never a formula), instants in ISO 8601 in ``tz``."""
    _check(len(rows), headers, len(headers))
    zone = _zone(tz)

    def cell(value: TableValue) -> str:
        if isinstance(value, datetime):
            return _iso(value, zone)
        if isinstance(value, int):
            return str(value)
        return _csv_text(value or "")

    return _csv_bytes(headers, ([cell(v) for v in row] for row in rows), delimiter)


def table_xlsx(
    headers: Sequence[str], rows: Sequence[Sequence[TableValue]], tz: str, sheet: str, *, zone_form: str = ZONE_FORM
) -> bytes:
    """The same table as an XLSX workbook: instants as naive local datetimes in ``tz``, named in their headers."""
    _check(len(rows), headers, len(headers))
    zone = _zone(tz)
    columns = frozenset(i for row in rows[:1] for i, v in enumerate(row) if isinstance(v, datetime))

    def cell(value: TableValue) -> XlsxValue:
        return _local_naive(value, zone) if isinstance(value, datetime) else value

    return _xlsx(headers, ([cell(v) for v in row] for row in rows), sheet, columns, (tz, zone_form))
