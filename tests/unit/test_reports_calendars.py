"""Every city's calendar in reports and exports: days late counted in the asking group's working days (its
weekend, public holidays and extra days off), and ``/export calendar holidays`` with each group's days off as
all-day events, read back with ``icalendar``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from bot.domain.records import DayOff
from bot.domain.rules import DAYS_OFF_MAX
from bot.features import reports as report_feature
from bot.features.indicators import show_number
from bot.language.calendars import WorkCalendar
from bot.language.catalog import Catalog
from bot.reports.days_off import days_off_events
from bot.reports.model import IcsEvent
from tests.kit import BUSAN, SURABAYA, Kit, member

Partners = tuple[object, object]
PERTH = -1004  # an English-speaking group (its zone UTC: no country, so no public holidays of its own)


async def day_off(kit: Kit, chat_id: int, first: date, last: date, name: str) -> None:
    await kit.services.calendars.stored.add_day_off(chat_id, first, last, name, None, limit=DAYS_OFF_MAX)
    kit.services.calendars.changed(chat_id)


def jakarta(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour - 7, tzinfo=UTC)


async def test_days_late_in_reports_and_status_are_the_asking_groups_working_days(
    kit: Kit, partners: Partners, catalog: Catalog
) -> None:
    """Both items were due on Friday 4 December. Surabaya took Monday 7 December off; Busan did not. On
    Wednesday 9 December #1 is 2 working days late for Surabaya (Tuesday, Wednesday) and 3 for Busan; #2, done on
    Tuesday, was 1 working day late for Surabaya and 2 for Busan (calendar days: 5 and 4)."""
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    await day_off(kit, SURABAYA, date(2026, 12, 7), date(2026, 12, 7), "Libur kota")
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU tenggat Jumat jam 14.00")
    await kit.services.actions.create(surabaya, member(1), "Siapkan agenda kunjungan tenggat Jumat jam 15.00")
    kit.clock.now = jakarta(2026, 12, 8, 10)
    await kit.services.actions.done(surabaya, member(1), "2")
    kit.clock.now = jakarta(2026, 12, 9, 10)

    status = await kit.services.status.text(surabaya)
    assert catalog.t("action.overdue_by", "id", days=2) in status
    assert catalog.t("action.overdue_by", "ko", days=3) in await kit.services.status.text(busan)

    for here, overdue, late in ((surabaya, 2, 1), (busan, 3, 2)):
        assert await kit.services.reports.report(here, member(1), "") is None
        summary = next(t for t in kit.texts(here.id) if t.startswith("📊"))
        assert catalog.t("report.overdue_longest", here.ui, days=overdue, count=overdue) in summary
        done_late = catalog.t("report.done_late", here.ui, late=1, days=show_number(late, here.ui), count=late)
        assert done_late in summary


def all_day(events: list[icalendar.cal.Component]) -> dict[str, tuple[str, date, date]]:
    """The days-off events: uid → (summary, first day, the day after the last)."""
    found = {}
    for event in events:
        uid = str(event["UID"])
        if uid.startswith("kembar-off-"):
            start, end = event.decoded("DTSTART"), event.decoded("DTEND")
            assert type(start) is date and type(end) is date, uid  # all-day: VALUE=DATE, not an instant
            assert event["DTSTART"].to_ical() == start.strftime("%Y%m%d").encode()
            found[uid] = (str(event["SUMMARY"]), start, end)
    return found


def read(ics: bytes) -> list[icalendar.cal.Component]:
    return list(icalendar.Calendar.from_ical(ics).walk("VEVENT"))


async def test_the_calendar_export_carries_every_citys_days_off(kit: Kit, partners: Partners, catalog: Catalog) -> None:
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    await kit.group(PERTH, "Perth", "en")
    await kit.link(SURABAYA, PERTH)
    busan, perth = await kit.here(BUSAN), await kit.here(PERTH)
    await day_off(kit, BUSAN, date(2026, 12, 28), date(2026, 12, 30), "교류 행사 휴무")
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU tenggat Jumat jam 14.00")

    # Busan asks in Korean: Korea's holidays in Korean, Indonesia's in Indonesian (the library has no Korean
    # names for them), Busan's own three days off as one event.
    said = f"{catalog.word('calendar', 'ko')} {catalog.word('export_holidays', 'ko')}"
    assert await kit.services.reports.export(busan, member(2), said) is None
    sent = kit.telegram.last(BUSAN)
    assert sent.html == catalog.t("export.caption.calendar_holidays", "ko")
    assert sent.file is not None
    events = read(sent.file[1])
    assert f"kembar-{surabaya.scope.key}-1@kembar" in {str(e["UID"]) for e in events}  # the action is there too
    days = all_day(events)
    assert days[f"kembar-off-{BUSAN}-2026-12-25@kembar"] == (
        "기독탄신일 (Busan)",
        date(2026, 12, 25),
        date(2026, 12, 26),
    )
    assert days[f"kembar-off-{SURABAYA}-2026-12-25@kembar"][0] == "Hari Raya Natal (Surabaya)"
    assert days[f"kembar-off-{BUSAN}-2026-12-28@kembar"] == (
        "교류 행사 휴무 (Busan)",
        date(2026, 12, 28),
        date(2026, 12, 31),  # DTEND: the day after the last
    )
    assert days[f"kembar-off-{BUSAN}-2027-09-15@kembar"][0] == "추석 (Busan)"  # Chuseok, within 365 days
    assert all(date(2026, 12, 2) <= first <= date(2027, 12, 2) for _, first, _ in days.values())
    assert not any(uid.startswith(f"kembar-off-{PERTH}-") for uid in days)  # no country: no holidays
    assert {uid.rsplit("-", 3)[0] for uid in days} == {f"kembar-off-{SURABAYA}", f"kembar-off-{BUSAN}"}

    # Perth asks in English: both countries' holidays in English, where the library has them.
    assert await kit.services.reports.export(perth, member(3), "calendar holidays") is None
    assert perth.ui == "en"
    sent = kit.telegram.last(PERTH)
    assert sent.file is not None
    english = all_day(read(sent.file[1]))
    assert english[f"kembar-off-{BUSAN}-2026-12-25@kembar"][0] == "Christmas Day (Busan)"
    assert english[f"kembar-off-{SURABAYA}-2026-12-25@kembar"][0] == "Christmas Day (Surabaya)"
    assert english.keys() == days.keys()

    # The same uids again (importing updates), also a day later, while a run of days off is under way.
    again = await kit.services.reports.export_files(busan, "calendar", holidays=True)
    assert all_day(read(again.files[0][1])) == days
    kit.clock.now += timedelta(days=27)  # 29 December: Busan's three days off began yesterday
    later = all_day(read((await kit.services.reports.export_files(busan, "calendar", holidays=True)).files[0][1]))
    assert later[f"kembar-off-{BUSAN}-2026-12-28@kembar"] == days[f"kembar-off-{BUSAN}-2026-12-28@kembar"]
    assert f"kembar-off-{BUSAN}-2026-12-25@kembar" not in later  # over
    assert set(later) - set(days) and set(later) & set(days)

    # Without the word, the calendar holds the items only.
    plain = await kit.services.reports.export_files(busan, "calendar")
    assert not all_day(read(plain.files[0][1])) and (plain.rows, plain.total) == (1, 1)


async def test_days_off_count_against_the_export_limit_and_what_was_left_out_is_said(
    kit: Kit, partners: Partners, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU tenggat Jumat jam 14.00")
    whole = await kit.services.reports.export_files(busan, "calendar", holidays=True)
    holidays = whole.total - 1
    assert holidays > 20 and whole.rows == whole.total and whole.days_off_left == 0
    monkeypatch.setattr(report_feature, "EXPORT_MAX_ROWS", 5)
    assert await kit.services.reports.export(busan, member(2), "calendar holidays") is None
    sent = kit.telegram.last(BUSAN)
    assert sent.file is not None
    events = read(sent.file[1])
    assert len(events) == 5 and len(all_day(events)) == 4  # the action first, then what fits
    every = sorted((first, uid) for uid, (_, first, _) in all_day(read(whole.files[0][1])).items())
    assert sorted((first, uid) for uid, (_, first, _) in all_day(events).items()) == every[:4]  # the nearest
    assert catalog.t("export.cut", "ko", shown=5, total=whole.total) in sent.html
    assert catalog.t("export.days_off_left", "ko", left=holidays - 4) in sent.html


async def test_export_words(kit: Kit, partners: Partners) -> None:
    busan = await kit.here(BUSAN)
    for text, refusal in (
        ("calendar nonsense", "export.usage_calendar"),
        ("actions holidays", "export.usage"),
        ("calendar holidays more", "export.usage"),
        ("", "export.usage"),
    ):
        found, _ = await kit.refusal(kit.services.reports.export(busan, member(2), text), busan)
        assert found == refusal, text
    # An empty bridge calendar with days off asked for still has the days off.
    assert await kit.services.reports.export(busan, member(2), "캘린더 공휴일") is None
    assert kit.telegram.files(BUSAN)


def test_consecutive_days_off_of_one_name_are_one_event_and_weekends_none() -> None:
    retreat = DayOff(1, date(2027, 2, 2), date(2027, 2, 4), "")  # an extra day off without a name
    calendar = WorkCalendar("Asia/Seoul", country="KR", extra=(retreat,))

    def summary(name: str) -> str:
        return f"{name or 'Day off'} (Busan)"

    def events(today: date) -> list[IcsEvent]:
        return days_off_events(calendar, BUSAN, today, "en", summary=summary, notes=("holiday", "off"), ahead_days=20)

    found = events(date(2027, 2, 1))
    # The retreat: one event of three days. Seollal 2027: the day before, the day, the day after and a substitute
    # day have four names: four events. The weekends in between: none.
    assert [(e.summary, e.start, e.end, e.description) for e in found] == [
        ("Day off (Busan)", date(2027, 2, 2), date(2027, 2, 5), "off"),
        ("The day preceding Korean New Year (Busan)", date(2027, 2, 6), date(2027, 2, 7), "holiday"),
        ("Korean New Year (Busan)", date(2027, 2, 7), date(2027, 2, 8), "holiday"),
        ("The second day of Korean New Year (Busan)", date(2027, 2, 8), date(2027, 2, 9), "holiday"),
        ("Alternative holiday for Korean New Year (Busan)", date(2027, 2, 9), date(2027, 2, 10), "holiday"),
    ]
    assert len({e.uid for e in found}) == 5
    # Two days later the retreat is under way: the same event, the same uid.
    assert events(date(2027, 2, 3))[0] == found[0]
    assert events(date(2027, 2, 5))[0] == found[1]  # over
