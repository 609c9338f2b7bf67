"""A group's calendar: ``/calendar`` (its country and region for public holidays, its working week and hours,
its own extra days off) and ``/holidays`` (the days off of every city of the bridge).

Anyone may look; administrators change. Every change clears the group's cached calendar
(:meth:`bot.features.calendars.Calendars.changed`) and tells the reminder engine, which plans the group's
automatic reminders again. The rules of a calendar themselves are pure (:mod:`bot.language.calendars`).
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_interval, format_skeleton

from bot.context import Actor, ChatContext, Phrase, Refused, Reply, reply
from bot.domain.errors import LimitReached
from bot.domain.records import Chat, DayOff, Scope
from bot.domain.repositories import CalendarRepository, ChatRepository
from bot.domain.rules import DAY_OFF_NAME_MAX, DAY_OFF_SPAN_MAX, DAYS_OFF_MAX, REGION_MAX, WORKWEEK_INPUT_MAX
from bot.features.calendars import Calendars
from bot.features.pages import footer, page_of, read_page, with_footer
from bot.features.settings import read_workdays
from bot.language.calendars import Off, WorkCalendar, country_name_ok, guess_country, regions_of
from bot.language.catalog import Catalog, Markup, babel_locale
from bot.language.dates import Reading, read_date
from bot.language.htmltext import escape
from bot.language.localise import clock, describe_workdays
from bot.permissions import Permissions

UPCOMING_DAYS = 30  # the days off /calendar shows ahead
HOLIDAYS_DAYS = 60  # the days off /holidays shows ahead
EXTRA_PAGE = 20  # extra days off on one page of /calendar
HOLIDAYS_PAGE = 40  # lines on one page of /holidays
REGIONS_SHOWN = 40  # region codes named when one is refused
READ_TIMEOUT = 5.0  # seconds reading dates written in words may take
DATE_WORDS_MAX = 6  # the longest date phrase looked for
DAY_OFF_INPUT_MAX = DAY_OFF_NAME_MAX + 200  # characters after "/calendar off" (dates and the name)
_ACTIONS = ("country", "region", "hours", "dayoff", "remove")
_ISO_DAY = r"(\d{4}-\d{1,2}-\d{1,2})"
_ISO_PERIOD = re.compile(rf"^{_ISO_DAY}(?:\s*(?:\.\.|[-–—~〜])\s*|\s+){_ISO_DAY}(?=\s|$)|^{_ISO_DAY}(?=\s|$)")
_RANGE_MARKS = ("-", "–", "—", "~", "〜", "..")
_HOURS = re.compile(r"(?:^|\s)(\d{1,2})[:.](\d{2})\s*[-–—~]\s*(\d{1,2})[:.](\d{2})$")
_BARE_DAY = time(17, 0)  # the date reader reads a bare date as 17:00 local (a phrase with a time is no day)


class CalendarListener(Protocol):
    """Who hears of a changed calendar (the reminder engine: it plans the group's reminders again)."""

    async def calendar_changed(self, chat: Chat, scope: Scope) -> None: ...


@dataclass(frozen=True, slots=True)
class Run:
    """Days off in a row with the same name: ``first`` … ``last``; ``holiday`` for public holidays."""

    first: date
    last: date
    name: str
    holiday: bool


def runs(offs: Sequence[Off]) -> list[Run]:
    """Days off in a row with the same name and kind, joined (Lebaran's collective leave is one line)."""
    found: list[Run] = []
    for off in offs:
        last = found[-1] if found else None
        if last is not None and (last.name, last.holiday) == (off.name, off.holiday):
            if off.day == last.last + timedelta(days=1):
                found[-1] = Run(last.first, off.day, off.name, off.holiday)
                continue
        found.append(Run(off.day, off.day, off.name, off.holiday))
    return found


def format_days(first: date, last: date, lang: str) -> str:
    """A day or a period of days the way the language writes it ("Mon, 5 – Fri, 9 Apr 2027", "2027년 4월 5일
    (월)~9일 (금)")."""
    locale = babel_locale(lang)
    if first == last:
        return str(format_skeleton("yMMMEd", first, locale=locale))
    return str(format_interval(first, last, "yMMMEd", locale=locale))


def format_minutes(minutes: int, lang: str) -> str:
    """Minutes after midnight as the language writes a clock time; the end of the day as 24:00."""
    if minutes >= 24 * 60:
        midnight = clock(time(0, 0), lang)
        return "24" + midnight[2:] if midnight.startswith("00") else "24" + midnight[1:]
    return clock(time(minutes // 60, minutes % 60), lang)


def read_hours(text: str) -> tuple[str, int, int] | None:
    """``[days] HH:MM-HH:MM`` (H:MM, and ``.`` for ``:``) → the days' text and the hours in minutes; None when it
    does not end with such hours or they do not run forward within a day (24:00 may end them)."""
    text = unicodedata.normalize("NFKC", text).strip()
    match = _HOURS.search(text)
    if match is None:
        return None
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        return None
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start >= end:
        return None
    return text[: match.start()].strip(), start, end


def _iso(text: str) -> date | None:
    year, month, day = (int(part) for part in text.split("-"))
    try:
        return date(year, month, day)
    except ValueError:
        return None


class CalendarService:
    def __init__(
        self,
        *,
        chats: ChatRepository,
        stored: CalendarRepository,
        calendars: Calendars,
        engine: CalendarListener,
        permissions: Permissions,
        catalog: Catalog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.chats = chats
        self.stored = stored  # the extra days off as stored
        self.calendars = calendars
        self.engine = engine
        self.permissions = permissions
        self.catalog = catalog
        self.clock = clock

    # ---- /calendar ---------------------------------------------------------------------------------------------
    async def calendar(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/calendar [page]`` shows; ``country``, ``region``, ``hours``, ``off`` and ``remove`` change it
        (administrators)."""
        words, page_number = read_page(text.split())
        if not words:
            return await self._show(here, page_number)
        typed, rest = (*text.split(maxsplit=1), "")[:2]
        action = self.catalog.choose(typed, here.ui, _ACTIONS)
        if action is None:
            raise Refused("calendar.unknown", usage=Phrase("calendar.help"))
        await self.permissions.require_admin(here, actor)
        rest = rest.strip()
        if action == "country":
            return await self._country(here, rest)
        if action == "region":
            return await self._region(here, rest)
        if action == "hours":
            return await self._hours(here, rest)
        if action == "dayoff":
            return await self._add_day_off(here, actor, rest)
        return await self._remove_day_off(here, rest)

    async def _show(self, here: ChatContext, page_number: int) -> Reply:
        calendar = await self.calendars.of(here.chat)
        today = self.clock().astimezone(calendar.tz).date()
        upcoming = await asyncio.to_thread(calendar.days_off, today, today + timedelta(days=UPCOMING_DAYS - 1), here.ui)
        extra = calendar.extra
        page = page_of(extra, page_number, EXTRA_PAGE) if extra else None
        if page is None:
            kept = self.catalog.t("calendar.none", here.ui)
        else:
            lines = [self._extra_line(off, today, here.ui) for off in page.items]
            kept = with_footer("\n".join(lines), footer(self.catalog, here.ui, page, "/calendar")).html
        return reply(
            "calendar.show",
            city=here.label,
            country=Markup(self._country_text(here.chat, here.timezone, here.ui)),
            region=Markup(self._region_text(here.chat, here.ui)),
            week=describe_workdays(self.catalog, calendar.workdays, here.ui),
            hours=self._hours_text(calendar.start, calendar.end, here.ui),
            days=UPCOMING_DAYS,
            upcoming=Markup(self._day_lines(upcoming, here.ui) or self.catalog.t("calendar.none", here.ui)),
            extra=Markup(kept),
            usage=Phrase("calendar.help"),
        )

    def _extra_line(self, off: DayOff, today: date, lang: str) -> str:
        key = "calendar.extra_past" if off.last < today else "calendar.extra_line"
        return self.catalog.t(key, lang, number=off.number, when=format_days(off.first, off.last, lang), name=off.name)

    def _day_lines(self, offs: Sequence[Off], lang: str) -> str:
        return "\n".join(self._run_line(run, lang) for run in runs(offs))

    def _run_line(self, run: Run, lang: str) -> str:
        key = "calendar.holiday_line" if run.holiday else "calendar.own_line"
        return self.catalog.t(key, lang, when=format_days(run.first, run.last, lang), name=run.name)

    def _country_text(self, chat: Chat, zone: str, lang: str) -> str:
        """Whose public holidays the group keeps: the country it set, the one its zone is in (said to be a guess),
        or none."""
        if chat.country is not None:
            return self.catalog.t("calendar.country", lang, name=_territory(chat.country, lang), code=chat.country)
        guessed = guess_country(zone)
        if guessed is None:
            return self.catalog.t("calendar.country_none", lang)
        return self.catalog.t("calendar.country_guessed", lang, name=_territory(guessed, lang), code=guessed, zone=zone)

    def _region_text(self, chat: Chat, lang: str) -> str:
        if chat.country is not None and chat.region:
            return f"<code>{escape(chat.region)}</code>"
        return self.catalog.t("calendar.region_whole", lang)

    def _hours_text(self, start: int, end: int, lang: str) -> str:
        return self.catalog.t("calendar.hours", lang, start=format_minutes(start, lang), end=format_minutes(end, lang))

    async def _changed(self, here: ChatContext, chat: Chat) -> None:
        self.calendars.changed(chat.id)
        await self.engine.calendar_changed(chat, here.scope)

    # ---- country, region, hours ----------------------------------------------------------------------------
    async def _country(self, here: ChatContext, text: str) -> Reply:
        args = text.split()
        if len(args) != 1:
            raise Refused("calendar.country_usage")
        if self.catalog.choose(args[0], here.ui, ("auto",)) is not None:
            chat = await self.chats.set_calendar(here.id, None, None)
        else:
            code = args[0].upper()
            if len(code) != 2 or not code.isascii() or not code.isalpha() or not country_name_ok(code):
                raise Refused("calendar.country_invalid", code=args[0][:16])
            region = here.chat.region if code == here.chat.country else None
            chat = await self.chats.set_calendar(here.id, code, region)
        await self._changed(here, chat)
        known = [region for region in regions_of(chat.country) if len(region) <= REGION_MAX] if chat.country else []
        regions = self.catalog.t("calendar.has_regions", here.ui, regions=_codes(known)) if known else ""
        return reply(
            "calendar.country_set",
            country=Markup(self._country_text(chat, here.timezone, here.ui)),
            regions=Markup(regions),
        )

    async def _region(self, here: ChatContext, text: str) -> Reply:
        args = text.split()
        country = here.chat.country
        if len(args) != 1:
            raise Refused("calendar.region_usage")
        if country is None:
            raise Refused("calendar.region_no_country")
        if self.catalog.choose(args[0], here.ui, ("off",)) is not None:
            chat = await self.chats.set_calendar(here.id, country, None)
            await self._changed(here, chat)
            return reply("calendar.region_cleared", country=Markup(self._country_text(chat, here.timezone, here.ui)))
        known = [region for region in regions_of(country) if len(region) <= REGION_MAX]
        if not known:
            raise Refused("calendar.no_regions", country=_territory(country, here.ui))
        wanted = args[0].casefold()
        region = next((r for r in known if r.casefold() == wanted), None)
        if region is None:
            raise Refused("calendar.region_invalid", region=args[0][:REGION_MAX], regions=_codes(known))
        chat = await self.chats.set_calendar(here.id, country, region)
        await self._changed(here, chat)
        country_text = Markup(self._country_text(chat, here.timezone, here.ui))
        return reply("calendar.region_set", country=country_text, region=region)

    async def _hours(self, here: ChatContext, text: str) -> Reply:
        if len(text) > WORKWEEK_INPUT_MAX + 20:
            raise Refused("calendar.hours_invalid", text=text[:40] + "…")
        read = read_hours(text)
        if read is None:
            raise Refused("calendar.hours_invalid", text=text)
        days_text, start, end = read
        days = here.workdays
        if days_text:
            found = read_workdays(days_text, self.catalog, here.ui, here.language)
            if found is None:
                raise Refused("calendar.hours_invalid", text=text)
            days = found
            await self.chats.set_workdays(here.id, days)
        chat = await self.chats.set_work_hours(here.id, start, end)
        await self._changed(here, chat)
        return reply(
            "calendar.hours_set",
            week=describe_workdays(self.catalog, days, here.ui),
            hours=self._hours_text(start, end, here.ui),
        )

    # ---- extra days off ------------------------------------------------------------------------------------
    async def _add_day_off(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        if len(text) > DAY_OFF_INPUT_MAX:
            raise Refused("calendar.off_name_long", max=DAY_OFF_NAME_MAX)
        kept = (await self.stored.days_off([here.id])).get(here.id, ())
        if len(kept) >= DAYS_OFF_MAX:
            raise Refused("calendar.off_too_many", max=DAYS_OFF_MAX)
        first, last, name = await self._period(here, text)
        if not name:
            raise Refused("calendar.off_no_name", usage=Phrase("calendar.help"))
        if len(name) > DAY_OFF_NAME_MAX:
            raise Refused("calendar.off_name_long", max=DAY_OFF_NAME_MAX)
        if last < first:
            raise Refused(
                "calendar.off_backwards",
                first=format_days(first, first, here.ui),
                last=format_days(last, last, here.ui),
            )
        shown = format_days(first, last, here.ui)
        if (last - first).days + 1 > DAY_OFF_SPAN_MAX:
            raise Refused("calendar.off_too_long", when=shown, max=DAY_OFF_SPAN_MAX)
        if last < self.clock().astimezone(ZoneInfo(here.timezone)).date():
            raise Refused("calendar.off_past", when=shown)
        try:
            added = await self.stored.add_day_off(here.id, first, last, name, actor.user_id, limit=DAYS_OFF_MAX)
        except LimitReached:
            raise Refused("calendar.off_too_many", max=DAYS_OFF_MAX) from None
        await self._changed(here, here.chat)
        return reply("calendar.off_added", number=added.number, when=shown, name=name)

    async def _period(self, here: ChatContext, text: str) -> tuple[date, date, str]:
        """The first and last day and the name of ``/calendar off`` text: ISO dates, or dates written in words
        in the group's language (or English)."""
        text = " ".join(text.split())
        match = _ISO_PERIOD.match(text)
        if match is not None:
            written = [part for part in match.groups() if part is not None]
            days = [_iso(part) for part in written]
            if any(day is None for day in days):
                raise Refused("calendar.off_bad_date", text=" ".join(written), usage=Phrase("calendar.help"))
            first, last = days[0], days[-1]
            assert first is not None and last is not None
            return first, last, text[match.end() :].strip()
        now = self.clock()
        through = self.catalog.words("through", here.ui)
        languages = tuple(dict.fromkeys((here.language, "en")))
        try:
            found = await asyncio.wait_for(
                asyncio.to_thread(_read_period, text, languages, here.timezone, now, here.workdays, through),
                READ_TIMEOUT,
            )
        except TimeoutError:
            found = None
        if found is None:
            raise Refused("calendar.off_usage", usage=Phrase("calendar.help"))
        return found

    async def _remove_day_off(self, here: ChatContext, text: str) -> Reply:
        args = text.split()
        if len(args) != 1 or not args[0].isascii() or not args[0].isdigit() or len(args[0]) > 9:
            raise Refused("calendar.remove_usage")
        number = int(args[0])
        removed = await self.stored.remove_day_off(here.id, number)
        if removed is None:
            raise Refused("calendar.remove_not_found", number=number)
        await self._changed(here, here.chat)
        return reply(
            "calendar.removed",
            number=number,
            when=format_days(removed.first, removed.last, here.ui),
            name=removed.name,
        )

    # ---- /holidays -----------------------------------------------------------------------------------------
    async def holidays(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/holidays [page]``: the public holidays and own days off of every city of the bridge in the next
        ``HOLIDAYS_DAYS`` days (weekends are not listed), each city with whose calendar it follows."""
        words, page_number = read_page(text.split())
        if words:
            raise Refused("holidays.usage")
        members = here.members
        calendars = await self.calendars.of_many(members)
        lines: list[tuple[int, str]] = []  # (the city's place in the bridge, the line)
        for index, chat in enumerate(members):
            offs = await asyncio.to_thread(self._ahead, calendars[chat.id], here.ui)
            found = [(index, self._run_line(run, here.ui)) for run in runs(offs)]
            lines.extend(found or [(index, self.catalog.t("holidays.city_none", here.ui, days=HOLIDAYS_DAYS))])
        page = page_of(lines, page_number, HOLIDAYS_PAGE)
        blocks: list[str] = []
        for index, chat in enumerate(members):
            shown = [line for city, line in page.items if city == index]
            if shown:
                follows = self._follows(chat, calendars[chat.id], here.ui)
                blocks.append("\n".join((follows, *shown)))
        more = footer(self.catalog, here.ui, page, "/holidays")
        return reply("holidays.list", days=HOLIDAYS_DAYS, cities=with_footer("\n\n".join(blocks), more))

    def _ahead(self, calendar: WorkCalendar, lang: str) -> list[Off]:
        today = self.clock().astimezone(calendar.tz).date()
        return calendar.days_off(today, today + timedelta(days=HOLIDAYS_DAYS - 1), lang)

    def _follows(self, chat: Chat, calendar: WorkCalendar, lang: str) -> str:
        country = Markup(self._country_text(chat, calendar.zone, lang))
        if chat.country is not None and chat.region:
            country = Markup(self.catalog.t("calendar.with_region", lang, country=country, region=chat.region))
        return self.catalog.t("holidays.follows", lang, city=chat.label, calendar=country)


def _codes(regions: Sequence[str]) -> Markup:
    """Region codes as shown: the first ``REGIONS_SHOWN``, and "…" when there are more."""
    shown = ", ".join(f"<code>{escape(region)}</code>" for region in regions[:REGIONS_SHOWN])
    return Markup(shown + (", …" if len(regions) > REGIONS_SHOWN else ""))


def _territory(code: str, lang: str) -> str:
    """A country's name in the reader's language ("Korea Selatan", "대한민국"); its code when Babel has none."""
    return str(babel_locale(lang).territories.get(code, code))


def _read_period(
    text: str,
    languages: tuple[str, ...],
    zone: str,
    now: datetime,
    workdays: frozenset[int],
    through: tuple[str, ...],
) -> tuple[date, date, str] | None:
    """One or two days written in words at the start of ``text`` ("17 Agustus", "5 April – 9 April", "4월 5일
    4월 9일") and the rest; None when it does not start with a day. Each is the longest leading phrase the date
    reader reads, which must be a bare day (a phrase with a time of day names no day off)."""
    tz = ZoneInfo(zone)

    def reading_of(phrase: str) -> Reading | None:
        for lang in languages:
            reading = read_date(phrase, lang, zone, now, workdays=workdays)
            if reading is not None:
                return reading
        return None

    def leading(words: list[str]) -> tuple[date, list[str]] | None:
        best: tuple[Reading, int] | None = None
        for count in range(1, min(len(words), DATE_WORDS_MAX) + 1):
            reading = reading_of(" ".join(words[:count]))
            if reading is not None:
                best = (reading, count)
        if best is None:
            return None
        reading, count = best
        local = reading.when.astimezone(tz)
        if reading.zone is not None or local.time() != _BARE_DAY:
            return None  # "besok jam 10": a time of day names no day off
        return local.date(), words[count:]

    found = leading(text.split())
    if found is None:
        return None
    first, rest = found
    joined = bool(rest) and (rest[0] in _RANGE_MARKS or rest[0].casefold() in through)
    second = leading(rest[1:] if joined else rest)
    if second is None:
        return None if joined else (first, first, " ".join(rest))
    last, rest = second
    return first, last, " ".join(rest)
