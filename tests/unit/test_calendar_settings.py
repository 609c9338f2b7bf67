"""CalendarService: /calendar (country, region, working week and hours, a group's own days off) and /holidays."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.context import ChatContext
from bot.domain.records import Chat, Scope
from bot.domain.rules import DAY_OFF_NAME_MAX, DAY_OFF_SPAN_MAX, DAYS_OFF_MAX
from bot.features.calendar_settings import CalendarService, read_hours, runs
from bot.language.calendars import Off
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, member

Partners = tuple[ChatContext, ChatContext]
# Thursday 12 August 2027, 09:00 in Jakarta: the next 60 days hold Indonesia's Independence Day and Chuseok.
AUGUST = datetime(2027, 8, 12, 2, 0, tzinfo=UTC)
CHANGES = (
    "country KR",
    "country auto",
    "region off",
    "hours 08:00-16:00",
    "off 2027-04-05 Cuti bersama",
    "remove 1",
)


@dataclass
class Heard:
    """The reminder engine's side of a change: which group's calendar changed, in which scope."""

    changes: list[tuple[int, Scope]] = field(default_factory=list)

    async def calendar_changed(self, chat: Chat, scope: Scope) -> None:
        self.changes.append((chat.id, scope))


def listening(kit: Kit, heard: Heard) -> CalendarService:
    """The kit's calendar service, with ``heard`` in the reminder engine's place."""
    built = kit.services.calendar_settings
    return CalendarService(
        chats=built.chats,
        stored=built.stored,
        calendars=built.calendars,
        engine=heard,
        permissions=built.permissions,
        catalog=built.catalog,
        clock=built.clock,
    )


async def test_the_calendar_shows_a_guessed_country_and_the_defaults(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    calendar = kit.services.calendar_settings
    shown = kit.render(await calendar.calendar(surabaya, member(2), ""), surabaya)
    assert "Indonesia (<code>ID</code>), ditebak dari zona waktu <code>Asia/Jakarta</code>" in shown
    assert "Senin sampai Jumat" in shown and "08.00–17.00" in shown and "seluruh negara" in shown
    assert "Jum, 25 Des 2026 — Hari Raya Natal" in shown  # within the next 30 days (2 December 2026)
    assert "<code>/calendar negara ID</code>" in shown  # how to change it, in the group's words
    braunschweig = await kit.group(BRAUNSCHWEIG, "Braunschweig", "en")  # English: UTC, no country
    shown = kit.render(await calendar.calendar(braunschweig, member(3), ""), braunschweig)
    assert "Public holidays: none: no public holidays" in shown
    assert "Days off in the next 30 days</b>\n<i>none</i>" in shown


async def test_only_administrators_change_the_calendar(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    heard = Heard()
    calendar = listening(kit, heard)
    kit.admin(SURABAYA, 1)  # an administrator, but not the one asking
    for change in CHANGES:
        key, text = await kit.refusal(calendar.calendar(surabaya, member(2, "Admin"), change), surabaya)
        assert key == "admin.only" and "hanya administrator" in text, change
    assert heard.changes == []
    chat = await kit.services.chats.get(SURABAYA)
    assert chat is not None and chat.country is None and chat.work_hours == (8 * 60, 17 * 60)


async def test_country_and_region(kit: Kit) -> None:
    busan = await kit.group(BUSAN, "Busan", "ko")
    heard = Heard()
    calendar, admin = listening(kit, heard), kit.admin(BUSAN, 1)
    key, _ = await kit.refusal(calendar.calendar(busan, admin, "region NI"), busan)
    assert key == "calendar.region_no_country"  # a guessed country has no region
    set_kr = kit.render(await calendar.calendar(busan, admin, "국가 kr"), busan)
    assert "대한민국(<code>KR</code>)의 공휴일" in set_kr and "지역" not in set_kr  # Korea has no regions
    assert heard.changes == [(BUSAN, busan.scope)]
    for text, refused in (("country XX", "calendar.country_invalid"), ("country", "calendar.country_usage")):
        key, shown = await kit.refusal(calendar.calendar(busan, admin, text), busan)
        assert key == refused, text
    key, shown = await kit.refusal(calendar.calendar(busan, admin, "country Korea"), busan)
    assert key == "calendar.country_invalid" and "<code>Korea</code>" in shown
    busan = await kit.here(BUSAN)
    key, shown = await kit.refusal(calendar.calendar(busan, admin, "지역 Seoul"), busan)
    assert key == "calendar.no_regions" and "대한민국" in shown
    german = kit.render(await calendar.calendar(busan, admin, "country DE"), busan)
    assert "독일(<code>DE</code>)" in german and "<code>NI</code>" in german  # its regions are named
    busan = await kit.here(BUSAN)
    key, shown = await kit.refusal(calendar.calendar(busan, admin, "region Mars"), busan)
    assert key == "calendar.region_invalid" and "<code>BY</code>" in shown
    assert (await calendar.calendar(busan, admin, "region ni")).key == "calendar.region_set"
    chat = await kit.services.chats.get(BUSAN)
    assert chat is not None and (chat.country, chat.region) == ("DE", "NI")
    busan = await kit.here(BUSAN)
    shown = kit.render(await calendar.calendar(busan, member(2), ""), busan)
    assert "공휴일: 독일(<code>DE</code>)\n지역: <code>NI</code>" in shown
    await calendar.calendar(busan, admin, "country de")  # the same country keeps its region
    chat = await kit.services.chats.get(BUSAN)
    assert chat is not None and chat.region == "NI"
    await calendar.calendar(await kit.here(BUSAN), admin, "region 끄기")
    chat = await kit.services.chats.get(BUSAN)
    assert chat is not None and (chat.country, chat.region) == ("DE", None)
    await calendar.calendar(await kit.here(BUSAN), admin, "region BY")
    await calendar.calendar(await kit.here(BUSAN), admin, "country KR")  # another country clears the region
    chat = await kit.services.chats.get(BUSAN)
    assert chat is not None and (chat.country, chat.region) == ("KR", None)
    cleared = kit.render(await calendar.calendar(await kit.here(BUSAN), admin, "country 자동"), busan)
    assert "시간대 <code>Asia/Seoul</code>에서 추정" in cleared
    chat = await kit.services.chats.get(BUSAN)
    assert chat is not None and chat.country is None
    assert len(heard.changes) == 8 and set(heard.changes) == {(BUSAN, busan.scope)}
    key, shown = await kit.refusal(calendar.calendar(busan, admin, "zap"), busan)
    assert key == "calendar.unknown" and "/calendar 국가 KR" in shown


async def test_working_week_and_hours(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    heard = Heard()
    calendar, admin = listening(kit, heard), kit.admin(SURABAYA, 1)
    done = kit.render(await calendar.calendar(surabaya, admin, "jam senin-kamis 07.30-15.30"), surabaya)
    assert "<b>Senin sampai Kamis</b>, <b>07.30–15.30</b>" in done
    chat = await kit.services.chats.get(SURABAYA)
    assert chat is not None and chat.workdays == frozenset(range(4)) and chat.work_hours == (450, 930)
    await calendar.calendar(await kit.here(SURABAYA), admin, "hours 9:00-24:00")  # the week stays
    chat = await kit.services.chats.get(SURABAYA)
    assert chat is not None and chat.workdays == frozenset(range(4)) and chat.work_hours == (540, 1440)
    shown = kit.render(await calendar.calendar(await kit.here(SURABAYA), member(2), ""), surabaya)
    assert "Jam kerja: 09.00–24.00" in shown
    await calendar.calendar(await kit.here(SURABAYA), admin, "hours Sun-Thu 08:00-16:00")
    chat = await kit.services.chats.get(SURABAYA)
    assert chat is not None and chat.workdays == frozenset({6, 0, 1, 2, 3}) and chat.work_hours == (480, 960)
    assert len(heard.changes) == 3
    for text in ("16:00-08:00", "08:00-08:00", "25:00-26:00", "8-16", "08:00", "xyz 08:00-16:00", "08:60-09:00", ""):
        key, shown = await kit.refusal(calendar.calendar(surabaya, admin, f"hours {text}"), surabaya)
        assert key == "calendar.hours_invalid", text
    assert len(heard.changes) == 3


def test_reading_hours() -> None:
    assert read_hours("08:00-16:00") == ("", 480, 960)
    assert read_hours("Mo-Fr 8:30–17:00") == ("Mo-Fr", 510, 1020)
    assert read_hours("월-금 ０９：００～１８：００") == ("월-금", 540, 1080)  # full-width digits
    assert read_hours("00:00-24:00") == ("", 0, 1440)
    assert read_hours("10:00-24:30") is None and read_hours("mon-fri08:00-16:00") is None


async def test_days_off_added_listed_and_removed(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    heard = Heard()
    calendar, admin = listening(kit, heard), kit.admin(SURABAYA, 1)
    added = kit.render(await calendar.calendar(surabaya, admin, "libur 2027-04-05 2027-04-09 Cuti bersama"), surabaya)
    assert "hari libur 1 grup ini, Sen, 5 Apr–Jum, 9 Apr 2027: <b>Cuti bersama</b>" in added
    assert (await calendar.calendar(surabaya, admin, "off 2026-12-24 Malam Natal")).values["number"] == 2
    assert (await calendar.calendar(surabaya, admin, "off 2026-12-28..2026-12-29 Tutup buku")).key == (
        "calendar.off_added"
    )
    assert len(heard.changes) == 3
    shown = kit.render(await calendar.calendar(surabaya, member(2), ""), surabaya)
    assert "2. Kam, 24 Des 2026 — Malam Natal\n3. Sen, 28 Des–Sel, 29 Des 2026 — Tutup buku\n1. Sen, 5 Apr" in shown
    assert "• Kam, 24 Des 2026 — Malam Natal <i>(libur khusus grup)</i>\n• Jum, 25 Des 2026 — Hari Raya Natal" in shown
    kit.clock.now = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    shown = kit.render(await calendar.calendar(surabaya, member(2), ""), surabaya)
    assert "Malam Natal <i>(sudah lewat)</i>" in shown and "Cuti bersama <i>" not in shown
    removed = kit.render(await calendar.calendar(surabaya, admin, "hapus 2"), surabaya)
    assert removed == "Dihapus: hari libur 2, Kam, 24 Des 2026: Malam Natal."
    for text, refused in (
        ("remove 2", "calendar.remove_not_found"),
        ("remove x", "calendar.remove_usage"),
        ("remove", "calendar.remove_usage"),
    ):
        key, _ = await kit.refusal(calendar.calendar(surabaya, admin, text), surabaya)
        assert key == refused, text
    assert len(heard.changes) == 4
    days = await kit.services.calendar_settings.stored.days_off([SURABAYA])
    assert [off.number for off in days[SURABAYA]] == [3, 1]


async def test_days_off_written_in_words(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    braunschweig = await kit.group(BRAUNSCHWEIG, "Braunschweig", "de")
    calendar = kit.services.calendar_settings
    admin, admin_de = kit.admin(SURABAYA, 1), kit.admin(BRAUNSCHWEIG, 7)
    one = await calendar.calendar(surabaya, admin, "libur 24 Desember Cuti bersama Natal")
    assert one.values["when"] == "Kam, 24 Des 2026" and one.values["name"] == "Cuti bersama Natal"
    two = await calendar.calendar(surabaya, admin, "libur 28 Desember sampai 30 Desember Tutup buku")
    assert two.values["when"] == "Sen, 28 Des–Rab, 30 Des 2026" and two.values["name"] == "Tutup buku"
    english = await calendar.calendar(surabaya, admin, "off 5 April 2027 - 9 April 2027 Easter closure")
    assert english.values["name"] == "Easter closure" and "5 Apr" in str(english.values["when"])
    german = await calendar.calendar(braunschweig, admin_de, "frei 27.12.2026 30.12.2026 Betriebsferien")
    assert str(german.values["when"]).replace("\u2009", " ") == "So., 27. – Mi., 30. Dez. 2026"  # thin spaces
    key, _ = await kit.refusal(calendar.calendar(surabaya, admin, "libur besok jam 10 Rapat"), surabaya)
    assert key == "calendar.off_usage"  # a time of day is no day off


async def test_days_off_are_checked(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    calendar, admin = kit.services.calendar_settings, kit.admin(SURABAYA, 1)
    long_period = f"off 2027-01-01 2027-02-{DAY_OFF_SPAN_MAX - 30:02d} Libur panjang"
    for text, refused in (
        ("off", "calendar.off_usage"),
        ("off Cuti bersama", "calendar.off_usage"),
        ("off 2027-04-05", "calendar.off_no_name"),
        ("off 2027-04-05 2027-04-09", "calendar.off_no_name"),
        ("off 2027-02-30 Libur", "calendar.off_bad_date"),
        ("off 2027-04-09 2027-04-05 Libur", "calendar.off_backwards"),
        (long_period, "calendar.off_too_long"),
        ("off 2026-11-30 2026-12-01 Libur", "calendar.off_past"),
        (f"off 2027-04-05 {'x' * (DAY_OFF_NAME_MAX + 1)}", "calendar.off_name_long"),
    ):
        key, shown = await kit.refusal(calendar.calendar(surabaya, admin, text), surabaya)
        assert key == refused, text
        assert "{" not in shown
    key, shown = await kit.refusal(calendar.calendar(surabaya, admin, "off 2027-04-05"), surabaya)
    assert "<code>/calendar libur 2027-04-05 2027-04-09 Cuti bersama</code>" in shown  # with the usage
    assert (await calendar.calendar(surabaya, admin, "off 2026-12-01 2026-12-02 Sisa cuti")).key == (
        "calendar.off_added"  # a period that has not entirely passed
    )
    assert (await calendar.calendar(surabaya, admin, f"off 2027-01-01 {'x' * DAY_OFF_NAME_MAX}")).key == (
        "calendar.off_added"
    )
    for number in range(DAYS_OFF_MAX - 2):
        await calendar.stored.add_day_off(SURABAYA, date(2027, 3, 1), date(2027, 3, 1), f"d{number}", 1, limit=999)
    key, shown = await kit.refusal(calendar.calendar(surabaya, admin, "off 2027-05-01 Libur"), surabaya)
    assert key == "calendar.off_too_many" and str(DAYS_OFF_MAX) in shown
    shown = kit.render(await calendar.calendar(surabaya, member(2), ""), surabaya)
    assert f"Ditampilkan 1–20 dari {DAYS_OFF_MAX}. Halaman berikutnya: /calendar 2" in shown
    last = kit.render(await calendar.calendar(surabaya, member(2), "5"), surabaya)
    assert f"Ditampilkan 81–100 dari {DAYS_OFF_MAX} (halaman terakhir)" in last
    key, _ = await kit.refusal(calendar.calendar(surabaya, member(2), "6"), surabaya)
    assert key == "list.no_page"


async def test_holidays_of_a_korean_and_an_indonesian_city(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    kit.clock.now = AUGUST
    calendar = kit.services.calendar_settings
    await calendar.calendar(busan, kit.admin(BUSAN, 2), "country KR")
    await calendar.calendar(surabaya, kit.admin(SURABAYA, 1), "libur 2027-09-20 2027-09-22 Cuti bersama")
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    korean = kit.render(await calendar.holidays(busan, member(3), ""), busan)
    assert "<b>Surabaya</b> — 인도네시아(<code>ID</code>), 시간대 <code>Asia/Jakarta</code>에서 추정" in korean
    assert "<b>Busan</b> — 대한민국(<code>KR</code>)" in korean
    assert "• 2027년 9월 15일 (수) — 추석\n" in korean
    assert "• 2027년 8월 17일 (화) — Hari Kemerdekaan Republik Indonesia" in korean  # no Korean names for ID
    assert "• 2027년 9월 20일 (월)~22일 (수) — Cuti bersama <i>(그룹 휴무일)</i>" in korean
    assert korean.index("<b>Surabaya</b>") < korean.index("Hari Kemerdekaan") < korean.index("<b>Busan</b>")
    assert "광복절" in korean.split("<b>Busan</b>")[1] and "토요일" not in korean  # weekends are not listed
    indonesian = kit.render(await calendar.holidays(surabaya, member(4), ""), surabaya)
    assert "<b>Busan</b> — Korea Selatan (<code>KR</code>)" in indonesian
    assert "• Rab, 15 Sep 2027 — 추석\n" in indonesian  # the library has no Indonesian for Korea: Korean
    assert "• Sel, 17 Agu 2027 — Hari Kemerdekaan Republik Indonesia" in indonesian
    assert "Sen, 20 Sep–Rab, 22 Sep 2027 — Cuti bersama <i>(libur khusus grup)</i>" in indonesian
    await kit.services.chats.chats.set_language(BUSAN, "en")
    busan = await kit.here(BUSAN)
    english = kit.render(await calendar.holidays(busan, member(3), ""), busan)
    assert "• Wed, 15 Sept 2027 — Chuseok\n" in english and "Independence Day" in english
    assert "Days off in the next 60 days" in english
    assert "2027-10-11" not in english and "11 Oct" not in english  # the 61st day is outside the window


async def test_holidays_in_pages(kit: Kit, partners: Partners) -> None:
    busan = partners[1]
    kit.clock.now = AUGUST
    for number in range(40):  # one a day from 18 August: distinct names, so none joins another
        day = date(2027, 8, 18) + timedelta(days=number)
        await kit.services.calendar_settings.stored.add_day_off(SURABAYA, day, day, f"Rapat {number}", 1, limit=100)
    calendar = kit.services.calendar_settings
    first = kit.render(await calendar.holidays(busan, member(3), ""), busan)
    total = re.search(r"전체 (\d+)개 중 1–40번째를 표시했습니다\. 다음 페이지: /holidays 2", first)
    assert total is not None and int(total.group(1)) > 40
    assert "<b>Busan</b>" not in first  # Surabaya's 42 lines fill the first page
    second = kit.render(await calendar.holidays(busan, member(3), "2"), busan)
    assert "<b>Surabaya</b>" in second and "<b>Busan</b>" in second and "추석" in second
    assert "(마지막 페이지)" in second
    key, _ = await kit.refusal(calendar.holidays(busan, member(3), "3"), busan)
    assert key == "list.no_page"
    key, _ = await kit.refusal(calendar.holidays(busan, member(3), "next"), busan)
    assert key == "holidays.usage"


async def test_a_group_alone_and_a_group_without_holidays(kit: Kit) -> None:
    kit.clock.now = AUGUST
    alone = await kit.group(BRAUNSCHWEIG, "Braunschweig", "en")
    shown = kit.render(await kit.services.calendar_settings.holidays(alone, member(3), ""), alone)
    assert "<b>Braunschweig</b> — none: no public holidays\n<i>no public holidays or days off" in shown


def test_days_in_a_row_with_one_name_are_one_line() -> None:
    offs = [
        Off(date(2027, 4, 5), "Cuti", False),
        Off(date(2027, 4, 6), "Cuti", False),
        Off(date(2027, 4, 7), "Paskah", True),
        Off(date(2027, 4, 9), "Paskah", True),
    ]
    assert [(run.first.day, run.last.day, run.name) for run in runs(offs)] == [
        (5, 6, "Cuti"),
        (7, 7, "Paskah"),
        (9, 9, "Paskah"),
    ]


@pytest.mark.parametrize("language", ["id", "en", "ko", "de", "ja", "zh"])
async def test_every_calendar_example_in_the_catalogues_is_understood(kit: Kit, language: str) -> None:
    catalog, calendar = kit.services.catalog, kit.services.calendar_settings
    here = await kit.group(SURABAYA, "Surabaya", language)
    admin = kit.admin(SURABAYA, 1)
    examples = [
        example
        for key in ("calendar.help", "help.text")
        for example in re.findall(r"<code>/calendar ([^<]+)</code>", catalog.messages[language][key])
        if "&lt;" not in example
    ]
    assert len(examples) >= 6, examples
    for example in examples:
        answer = await calendar.calendar(await kit.here(SURABAYA), admin, example)
        assert answer.key.startswith("calendar.") and answer.key.endswith(("_set", "_added", "removed")), example
    assert here.language == language
