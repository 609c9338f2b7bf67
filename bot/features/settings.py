"""Group settings: ``/lang``, ``/city``, ``/tz``, ``/workweek``, ``/original`` and the bridge's ``/glossary``.

Anyone may look; administrators change. A glossary change makes earlier translations of the bridge
stale, so they are forgotten at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.context import Actor, ChatContext, Phrase, Refused, Reply, reply, zone_of
from bot.domain.repositories import ChatRepository, GlossaryRepository
from bot.domain.rules import CITY_MAX, GLOSSARY_TERM_MAX, WORKWEEK_INPUT_MAX
from bot.features.pages import footer, page_of, read_page, with_footer
from bot.language.catalog import (
    SUGGESTED_LANGUAGES,
    Catalog,
    Markup,
    babel_locale,
    is_language_code,
    language_name,
)
from bot.language.dates import normalise, rules_for
from bot.language.dates.rules import SPECS
from bot.language.dates.zones import ABBREVIATIONS, fixed_zone_key
from bot.language.htmltext import escape
from bot.language.localise import describe_workdays, weekday_time
from bot.permissions import Permissions
from bot.translation.service import TranslationService

GLOSSARY_PAGE = 50  # terms on one page of /glossary list
_RENDERING = re.compile(r"^\s*([A-Za-z]{2})\s*:\s*(.+?)\s*$")


# The zone a group means by an abbreviation of the date reader's table (``zones.ABBREVIATIONS``, where each names
# one fixed offset): the region's own, whose clock the group lives by, summer time included ("CET" in July is
# Berlin's CEST). An abbreviation the table gains and this does not name stands for its fixed offset.
ABBREVIATION_ZONES: Final[Mapping[str, str]] = {
    "wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura", "kst": "Asia/Seoul", "jst": "Asia/Tokyo",
    "cet": "Europe/Berlin", "mez": "Europe/Berlin", "cest": "Europe/Berlin", "mesz": "Europe/Berlin",
    "bst": "Europe/London", "hkt": "Asia/Hong_Kong", "sgt": "Asia/Singapore",
}  # fmt: skip
# An offset written out, in whole hours as the date reader reads it: "UTC+7", "GMT+9", "utc-3", "UTC+07:00".
_OFFSET = re.compile(r"(?:utc|gmt)\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?::?00)?")
# The default zone of English and of languages without a home: it names no place, so a group still on it by
# default takes its new language's zone with /lang (as a group does when it first sets its language).
NO_PLACE = "UTC"
ZONE_INPUT_MAX = 64


@lru_cache(maxsize=1)
def _iana_names() -> Mapping[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


def place_zone(text: str, language: str = "en") -> str | None:
    """The IANA zone of a city or country the date reader knows, in any of its languages' spellings ("Busan",
    "부산", "東京", "Braunschweig"; ``language``'s own first); None for any other text."""
    key = normalise(text)
    if not key:
        return None
    for code in dict.fromkeys((language, *SPECS)):
        zone = rules_for(code).places.get(key)
        if zone is not None:
            return zone
    return None


def resolve_timezone(text: str, language: str = "en") -> str | None:
    """The IANA zone ``text`` names, None when it names none: an offset in whole hours ("UTC+7" → Etc/GMT-7, as
    the date reader reads it), an abbreviation of the date reader's table ("WIB" → Asia/Jakarta, "KST" →
    Asia/Seoul, see ``ABBREVIATION_ZONES``), a city or country of its place tables ("Busan", "부산" → Asia/Seoul)
    or an IANA name, matched case-insensitively (asia/jakarta → Asia/Jakarta). The table wins over IANA's old
    aliases of the same spelling ("CET" → Europe/Berlin, "Japan" → Asia/Tokyo)."""
    text = text.strip()
    if not text or len(text) > ZONE_INPUT_MAX:
        return None
    key = normalise(text)
    offset = _OFFSET.fullmatch(key)
    if offset is not None:
        hours = int(offset["h"]) * (-1 if offset["sign"] in "-−" else 1)
        return fixed_zone_key(hours) if -12 <= hours <= 14 else None
    if key in ABBREVIATIONS:
        return ABBREVIATION_ZONES.get(key) or fixed_zone_key(ABBREVIATIONS[key])
    return place_zone(text, language) or _iana_names().get(text.lower())


def parse_glossary_add(text: str) -> tuple[str, dict[str, str]] | None:
    """``term`` or ``term = en:HR, ko:인적 자원`` → (term, renderings); None when malformed."""
    term, sep, spec = text.partition("=")
    term = " ".join(term.split())
    if not term or len(term) > GLOSSARY_TERM_MAX:
        return None
    renderings: dict[str, str] = {}
    if sep:
        for item in spec.split(","):
            match = _RENDERING.match(item)
            if match is None:
                return None
            lang, value = match.group(1).lower(), match.group(2)
            if not is_language_code(lang) or len(value) > GLOSSARY_TERM_MAX:
                return None
            renderings[lang] = value
        if not renderings:
            return None
    return term, renderings


# What may stand between the days of a working week ("mon, wed", "月、水", "Senin Rabu"), and the marks of a
# range ("mon-fri", "月〜金", "월~금"); the words of a range ("to", "sampai", "bis", "至") are catalogue words
# (``word.through``). The text is NFKC-normalised first: full-width "，" and "～" arrive as "," and "~".
_LIST_SEPARATORS = r"[\s,;/&+、・·]+"
_RANGE_MARKS = ("-", "–", "—", "~", "〜", "..")
_WORKWEEK_ITEMS_MAX = 7  # days and ranges named


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _latin_letter(ch: str) -> bool:
    return ch.isalpha() and ord(ch) < 0x250


@lru_cache(maxsize=64)
def _weekday_words(languages: tuple[str, ...]) -> Mapping[str, int]:
    """The weekday names a member may type (0 Monday … 6 Sunday): those the date reader knows and Babel's full and
    short names, of each language, English first (a later language's meaning wins)."""
    names: dict[str, int] = {}
    for code in ("en", *languages):
        names.update((_fold(name), day) for name, day in rules_for(code).weekday_names.items())
        days = babel_locale(code).days
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated", "short"):
                for day, name in days.get(context, {}).get(width, {}).items():
                    folded = _fold(str(name)).rstrip(".")
                    if folded:
                        names[folded] = int(day)
                        if folded.endswith("曜日"):  # "月曜" as well as "月曜日"
                            names[folded[:-1]] = int(day)
    return names


@lru_cache(maxsize=64)
def _workweek_pattern(names: tuple[tuple[str, int], ...], through: tuple[str, ...]) -> re.Pattern[str]:
    def token(word: str) -> str:
        # A Latin word must end where a word ends: "mon" is not the start of "monat".
        return re.escape(word) + (r"(?![^\W\d_])" if _latin_letter(word[-1]) else "")

    days = sorted({name for name, _day in names}, key=lambda w: (-len(w), w))
    ranges = sorted({*through, *_RANGE_MARKS} - set(days), key=lambda w: (-len(w), w))
    day = f"(?P<day>{'|'.join(map(token, days))})(?:\\.(?!\\.))?"  # "Mo.-Fr." (but "mon..fri" is a range)
    return re.compile(f"(?P<sep>{_LIST_SEPARATORS})|{day}|(?P<to>{'|'.join(map(token, ranges))})")


def parse_workdays(text: str, names: Mapping[str, int], through: Iterable[str]) -> frozenset[int] | None:
    """The working days ``text`` names (0 Monday … 6 Sunday), or None when it is anything else: days and ranges
    of days, in any order ("mon-fri", "sun-thu", "mon,tue,wed", "Senin sampai Jumat", "월~금", "月火水木金",
    "周一至周五"). A range runs forward through the week ("fri-mon" is Friday to Monday); a range word closing
    a range at the end ("월요일부터 금요일까지", "月曜日から金曜日まで") is read with it."""
    folded = _fold(text).strip()
    words = tuple(word for word in (_fold(w) for w in through) if word)
    pattern = _workweek_pattern(tuple(sorted(names.items())), words)
    days: set[int] = set()
    items = 0
    previous: int | None = None  # the last day named, while it may start a range
    in_range = closed = False
    position = 0
    while position < len(folded):
        match = pattern.match(folded, position)
        if match is None:
            return None
        position = match.end()
        if match["sep"] is not None:
            continue
        if match["to"] is not None:
            if previous is None or in_range:
                ending = closed and position == len(folded) and match["to"] not in _RANGE_MARKS
                if ending:
                    continue
                return None
            in_range, closed = True, False
            continue
        day = names[match["day"]]
        if in_range and previous is not None:
            days.update((previous + step) % 7 for step in range((day - previous) % 7 + 1))
            previous, in_range, closed = None, False, True
        else:
            days.add(day)
            items += 1
            previous, closed = day, False
        if items > _WORKWEEK_ITEMS_MAX:
            return None
    if in_range or not days:
        return None
    return frozenset(days)


def read_workdays(text: str, catalog: Catalog, ui: str, language: str) -> frozenset[int] | None:
    """The working days ``text`` names as ``/workweek`` reads them: weekday names of the group's languages and
    English, range words of its catalogue (:func:`parse_workdays`); None when it names none."""
    names = _weekday_words(tuple(dict.fromkeys((ui, language))))
    return parse_workdays(text, names, catalog.words("through", ui))


def _choices() -> Markup:
    return Markup(", ".join(f"<code>{c}</code>" for c in SUGGESTED_LANGUAGES))


class SettingsService:
    def __init__(
        self,
        *,
        chats: ChatRepository,
        glossary: GlossaryRepository,
        translations: TranslationService,
        permissions: Permissions,
        catalog: Catalog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.chats = chats
        self.glossary = glossary
        self.translations = translations
        self.permissions = permissions
        self.catalog = catalog
        self.ui_language = catalog.resolve
        self.clock = clock

    async def language(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/lang`` shows, ``/lang <code>`` sets (administrators); the answer is in the new language."""
        args = text.split()
        if not args:
            name = language_name(here.language, here.ui)
            return reply("lang.current", language=name, code=here.language, choices=_choices())
        await self.permissions.require_admin(here, actor)
        code = args[0].strip().lower()
        if not is_language_code(code):
            raise Refused("lang.invalid", code=args[0][:32], choices=_choices())
        if code == here.language:
            return reply("lang.unchanged", language=language_name(code, here.ui), code=code)
        # The zone follows /tz and /city, never the language: a group on its language's default zone keeps
        # that zone (stored first, so that a failed language change leaves the zone as it was), unless the
        # default names no place (UTC), which a group never chose.
        before = here.timezone
        keep = here.chat.timezone is None and before != NO_PLACE
        if keep:
            await self.chats.set_timezone(here.id, before)
        chat = await self.chats.set_language(here.id, code)
        zone = zone_of(chat)
        ui = self.ui_language(code)
        values = {"language": language_name(code, ui), "code": code, "tz": zone}
        if zone != before:
            return Reply("lang.set_zone_moved", values, language=code)
        if keep or here.chat.timezone is not None:
            return Reply("lang.set_zone_kept", values, language=code)
        return Reply("lang.set", values, language=code)

    async def city(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/city [name]``: the name that signs the group's relayed messages. A city the date reader's place
        tables know ("Busan", "Surabaya", "東京") also sets the group's zone unless it has one stored (by /tz,
        an earlier /city, or kept by /lang): then the answer says how /tz would follow the city."""
        name = " ".join(text.split())
        if not name:
            return reply("city.current", city=here.label)
        await self.permissions.require_admin(here, actor)
        if len(name) > CITY_MAX:
            raise Refused("city.invalid")
        zone = place_zone(name, here.language)
        if zone is not None and here.chat.timezone is None:
            await self.chats.set_timezone(here.id, zone)
        await self.chats.set_city(here.id, name)
        if zone is None or zone == here.timezone:
            return reply("city.set", city=name)
        if here.chat.timezone is None:
            return reply("city.set_zone", city=name, tz=zone)
        return reply("city.set_zone_kept", city=name, tz=here.timezone, city_tz=zone)

    async def timezone(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/tz [zone]``: the group's IANA time zone, named by IANA name, abbreviation, city or offset
        (:func:`resolve_timezone`); the answer names the IANA zone chosen."""
        arg = " ".join(text.split())
        if not arg:
            return reply("tz.current", tz=here.timezone)
        await self.permissions.require_admin(here, actor)
        zone = resolve_timezone(arg, here.language)
        if zone is None:
            raise Refused("tz.invalid", tz=arg[:ZONE_INPUT_MAX])
        try:
            now = self.clock().astimezone(ZoneInfo(zone))
        except ZoneInfoNotFoundError:
            raise Refused("tz.invalid", tz=arg[:ZONE_INPUT_MAX]) from None
        await self.chats.set_timezone(here.id, zone)
        shown = weekday_time(now, here.ui)
        if zone.lower() == arg.lower():
            return reply("tz.set", tz=zone, now=shown)
        written = arg.upper() if normalise(arg) in ABBREVIATIONS else arg
        return reply("tz.set_from", tz=zone, written=written, now=shown)

    async def workweek(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/workweek [days]``: the group's working week ("mon-fri", "sun-thu", "Senin,Selasa,Rabu", "월~금"),
        which "end of the week" and "end of the month" in due dates follow."""
        arg = text.strip()
        if not arg:
            return reply("workweek.current", days=describe_workdays(self.catalog, here.workdays, here.ui))
        await self.permissions.require_admin(here, actor)
        if len(arg) > WORKWEEK_INPUT_MAX:
            raise Refused("workweek.too_long", max=WORKWEEK_INPUT_MAX)
        days = read_workdays(arg, self.catalog, here.ui, here.language)
        if days is None:
            raise Refused("workweek.invalid", text=arg)
        await self.chats.set_workdays(here.id, days)
        return reply("workweek.set", days=describe_workdays(self.catalog, days, here.ui))

    async def original(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/original on|off``: show the original text under translations relayed into this group."""
        arg = self.catalog.choose(text, here.ui, ("on", "off"))
        if arg is None:
            return reply("original.state", state=Phrase("state.on" if here.chat.show_original else "state.off"))
        await self.permissions.require_admin(here, actor)
        await self.chats.set_show_original(here.id, arg == "on")
        return reply("original.on" if arg == "on" else "original.off")

    async def glossary_command(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/glossary add|remove|list``: the bridge's terms (administrators change them)."""
        typed, _, rest = text.strip().partition(" ")
        action = self.catalog.choose(typed, here.ui, ("add", "remove", "list"))
        if action is None:
            raise Refused("glossary.usage")
        bridge_id = here.bridge_id
        if bridge_id is None:
            raise Refused("glossary.no_bridge")
        if action == "list":
            words, page_number = read_page(rest.split())
            if words:
                raise Refused("glossary.usage")
            entries = await self.glossary.list(bridge_id)
            if not entries:
                return reply("glossary.empty")
            page = page_of(entries, page_number, GLOSSARY_PAGE)
            lines = [
                f"• <b>{escape(e.term)}</b>"
                + (
                    " — " + ", ".join(f"{escape(k)}: {escape(v)}" for k, v in sorted(e.renderings.items()))
                    if e.renderings
                    else ""
                )
                for e in page.items
            ]
            more = footer(self.catalog, here.ui, page, f"/glossary {self.catalog.word('list', here.ui)}")
            return reply("glossary.list", entries=with_footer("\n".join(lines), more))
        await self.permissions.require_admin(here, actor)
        if action == "remove":
            term = " ".join(rest.split())
            if not term:
                raise Refused("glossary.usage")
            if not await self.glossary.remove(bridge_id, term):
                raise Refused("glossary.not_found", term=term)
            self.translations.forget(bridge_id)
            return reply("glossary.removed", term=term)
        parsed = parse_glossary_add(rest)
        if parsed is None:
            raise Refused("glossary.invalid")
        term, renderings = parsed
        await self.glossary.add(bridge_id, term, renderings)
        self.translations.forget(bridge_id)
        if renderings:
            described: object = Markup(
                ", ".join(f"{escape(language_name(k, here.ui))}: {escape(v)}" for k, v in sorted(renderings.items()))
            )
        else:
            described = Phrase("glossary.kept")
        return reply("glossary.added", term=term, renderings=described)
