"""Indicators with targets per programme: ``/indicator add``, ``/indicator <programme> <name> +n|-n|= n``,
``/indicator undo``, ``/indicators``. Every update is kept (who, when, from which city, how much, a note),
announced in every group of the bridge in its language, and written to the event history.

Indicators count things: a total never goes below 0 (storage refuses such an update under the indicator's
lock). Setting the total (``= n``) and undoing the last update (a compensating update: both stay in the
history) are for administrators.

``/indicators`` reads a few rows per indicator (storage's grouped sums, ``indicator_values``), never every
update; the same listing asked again in the same group within ``LISTING_COOLDOWN`` is the same text again,
until an indicator of the scope changes (through this process; another instance's change shows once the
window has passed)."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.context import Actor, ChatContext, Refused, Reply, reply, zone_of
from bot.domain.errors import LimitReached
from bot.domain.records import Chat, Indicator, IndicatorUpdate, NewEvent, Scope
from bot.domain.repositories import EventRepository, IndicatorRepository, ProgrammeRepository
from bot.domain.rules import INDICATOR_NAME_MAX, INDICATOR_NOTE_MAX, PROGRAMME_NAME_MAX
from bot.features.announce import Announcer
from bot.features.when import read_when
from bot.language.catalog import Catalog, Markup
from bot.language.dates import format_when, is_past
from bot.language.numbers import show_figure
from bot.permissions import Permissions
from bot.reports.figures import counted_span, indicator_standing
from bot.reports.model import IndicatorProgress
from bot.translation.service import TranslationService

logger = logging.getLogger(__name__)

NAME_RE = re.compile(rf"^[\w-]{{1,{INDICATOR_NAME_MAX}}}$")
NUMBER_RE = re.compile(r"^[+-]?\d{1,12}(?:[.,]\d{1,4})?$")
MAX_INDICATORS = 100  # per bridge
VALUE_MAX = 1e12
PERIODS = ("year", "quarter")
WRITTEN_PERIODS = {"per_year": "year", "per_quarter": "quarter"}  # word.per_year: "每年", "jährlich", …
LISTING_COOLDOWN = timedelta(seconds=30)  # the same /indicators in the same group: the same text again
LISTINGS_KEPT = 1024  # listings kept for their cooldown, all groups together (the oldest go first)


def read_number(text: str) -> float | None:
    """ "12", "+3", "-2", "2,5", "2.5" → the number; anything else (1e9, "ten", NaN) → None."""
    if not NUMBER_RE.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) and abs(value) <= VALUE_MAX else None


def show_number(value: float, language: str) -> str:
    """12 → "12", 2.5 → "2,5" in Indonesian and German, "2.5" in English: the one rule for indicator figures
    (:func:`bot.language.numbers.show_figure`, at most one decimal)."""
    return show_figure(value, language)


def show_change(change: float, language: str) -> str:
    """+3, -1, +2,5: a change with its sign."""
    return f"{'+' if change > 0 else ''}{show_number(change, language)}"


async def indicator_values(
    repository: IndicatorRepository, indicators: Sequence[Indicator], now: datetime, zone: ZoneInfo
) -> dict[int, float]:
    """Each indicator's value at ``now`` (by id), as ``bot.reports.figures.counted_span`` defines it, from
    storage's grouped sums: one query per distinct window (the per-year ones share one, the per-quarter ones
    another) and one for the "by <date>" totals — a few rows per indicator, however many updates there are."""
    windows: dict[tuple[datetime, datetime], list[int]] = defaultdict(list)
    totals: list[int] = []
    for indicator in indicators:
        span = counted_span(indicator, now, zone)
        if span is None:
            totals.append(indicator.id)
        else:
            windows[span].append(indicator.id)
    values: dict[int, float] = {}
    for (start, end), ids in windows.items():
        values.update(await repository.change_sums(ids, start, end))
    if totals:
        values.update(await repository.values_at(totals, now))
    return values


BRIEF_MAX = 20  # indicators in the brief


class IndicatorService:
    def __init__(
        self,
        *,
        indicators: IndicatorRepository,
        events: EventRepository,
        programmes: ProgrammeRepository,
        translations: TranslationService,
        catalog: Catalog,
        announcer: Announcer,
        permissions: Permissions,
        clock: Callable[[], datetime],
    ) -> None:
        self.indicators = indicators
        self.events = events
        self.programmes = programmes
        self.translations = translations
        self.catalog = catalog
        self.announcer = announcer
        self.permissions = permissions
        self.clock = clock
        # /indicators answers per scope (key) and request (chat, language, zone, programme): when, and what
        self._listed: dict[str, dict[tuple[int, str, str, str], tuple[datetime, Reply]]] = {}
        # per scope (key), changes seen: a listing computed across a change is not kept
        self._changes: dict[str, int] = {}

    # ---- /indicator ---------------------------------------------------------------------------------
    async def indicator(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/indicator add <programme> <name> target <n> [per year|per quarter|by <date>]`` (administrators);
        ``/indicator <programme> <name> +<n>|-<n> [note]`` (anyone in the bridge; a total never goes below 0);
        ``/indicator <programme> <name> = <n> [note]`` and ``/indicator undo <programme> <name>``
        (administrators)."""
        words = text.split()
        if not words:
            raise Refused("indicator.usage")
        if self.catalog.choose(words[0], here.ui, ("add",)):
            return await self._add(here, actor, words[1:])
        if self.catalog.choose(words[0], here.ui, ("undo",)):
            await self._undo(here, actor, words[1:])
            return None
        if len(words) < 3:
            raise Refused("indicator.usage")
        indicator = await self._find(here, words[0], words[1])
        change: float | None = None
        value: float | None = None
        amount, rest = words[2], words[3:]
        if amount == "=" and rest:
            amount, rest = "=" + rest[0], rest[1:]
        if amount.startswith("="):
            value = read_number(amount[1:])
            if value is None or value < 0:
                raise Refused("indicator.bad_number", number=amount[:20])
        else:
            if not amount.startswith(("+", "-")):
                raise Refused("indicator.bad_number", number=amount[:20])
            change = read_number(amount)
            if change is None or change == 0:
                raise Refused("indicator.bad_number", number=amount[:20])
        note = " ".join(rest)
        if len(note) > INDICATOR_NOTE_MAX:
            raise Refused("indicator.note_too_long", length=len(note), limit=INDICATOR_NOTE_MAX)
        if value is not None:  # the total replaced, whatever it was: for administrators
            await self.permissions.require_admin(here, actor)
        now = self.clock()
        try:
            update = await self.indicators.record(
                indicator.id,
                change=change,
                value=value,
                at=now,
                user_id=actor.user_id,
                by=actor.label,
                chat_id=here.id,
                city=here.label,
                note=note or None,
                non_negative=True,
            )
        except LimitReached:
            total = (await self.indicators.values_at([indicator.id], now)).get(indicator.id, 0.0)
            raise Refused(
                "indicator.negative",
                programme=indicator.programme,
                name=indicator.name,
                value=show_number(total, here.ui),
                change=show_change(change or 0.0, here.ui),
            ) from None
        self._changed(here.scope)
        await self._history(here, actor, indicator, now, f"{update.change:+g} → {update.value_after:g}")
        await self._announce(here, actor, indicator, update)
        return None

    async def _undo(self, here: ChatContext, actor: Actor, words: list[str]) -> None:
        """``/indicator undo <programme> <name>``: the last update undone by its opposite, announced."""
        await self.permissions.require_admin(here, actor)
        if len(words) != 2:
            raise Refused("indicator.usage")
        indicator = await self._find(here, words[0], words[1])
        now = self.clock()
        done = await self.indicators.undo(
            indicator.id, at=now, user_id=actor.user_id, by=actor.label, chat_id=here.id, city=here.label
        )
        if done is None:
            raise Refused("indicator.nothing_to_undo", programme=indicator.programme, name=indicator.name)
        undone, update = done
        self._changed(here.scope)
        detail = f"↩ {undone.change:+g} ({undone.at.isoformat()}) → {update.value_after:g}"
        await self._history(here, actor, indicator, now, detail)

        async def one(chat: Chat) -> None:
            lang = chat.language
            text = self.catalog.t(
                "indicator.undone",
                lang,
                programme=indicator.programme,
                name=indicator.name,
                change=show_change(undone.change, lang),
                when=format_when(undone.at, lang, zone_of(chat)),
                who=undone.by or self.catalog.t("sender.unknown", lang),
                value=show_number(update.value_after, lang),
                target=show_number(indicator.target, lang),
                by=actor.label or self.catalog.t("sender.unknown", lang),
                city=here.label,
            )
            await self.announcer.announce(chat.id, lang, text)

        await asyncio.gather(*(one(chat) for chat in here.members))

    async def _history(self, here: ChatContext, actor: Actor, indicator: Indicator, at: datetime, detail: str) -> None:
        await self.events.add(
            NewEvent(
                scope=here.scope,
                at=at,
                kind="indicator",
                item_number=None,
                indicator_id=indicator.id,
                programme=indicator.programme,
                user_id=actor.user_id,
                by=actor.label,
                chat_id=here.id,
                city=here.label,
                detail=detail,
            )
        )

    def _changed(self, scope: Scope) -> None:
        """An indicator of ``scope`` changed: its listings kept for their cooldown are stale."""
        self._listed.pop(scope.key, None)
        self._changes[scope.key] = self._changes.get(scope.key, 0) + 1

    async def _add(self, here: ChatContext, actor: Actor, words: list[str]) -> Reply:
        await self.permissions.require_admin(here, actor)
        if len(words) < 4 or not self.catalog.choose(words[2], here.ui, ("target",)):
            raise Refused("indicator.usage")
        programme_name, name = words[0].lstrip("#"), words[1]
        if not NAME_RE.fullmatch(name):
            raise Refused("indicator.bad_name", name=name[:INDICATOR_NAME_MAX])
        target = read_number(words[3])
        if target is None or target <= 0:
            raise Refused("indicator.bad_number", number=words[3][:20])
        programme = await self.programmes.get(here.scope, programme_name)
        if programme is None:
            raise Refused("programme.not_found", name=programme_name[:PROGRAMME_NAME_MAX])
        period, by_date = await self._period(here, words[4:])
        if await self.indicators.count(here.scope) >= MAX_INDICATORS:
            raise Refused("indicator.too_many", limit=MAX_INDICATORS)
        try:
            await self.indicators.add(here.scope, programme.id, name, target, period, by_date, actor.user_id)
        except ValueError:
            raise Refused("indicator.exists", programme=programme.name, name=name) from None
        self._changed(here.scope)
        shown = self._period_text(period, by_date, here)
        return reply(
            "indicator.added", programme=programme.name, name=name, target=show_number(target, here.ui), period=shown
        )

    async def _period(self, here: ChatContext, words: list[str]) -> tuple[str, datetime | None]:
        """ "per year" (the default), "per quarter", "by <date>"; also as people write them ("每年", "四半期ごと",
        "분기별", "pro Jahr": ``word.per_year`` and ``word.per_quarter``) and as "per" and a period word apart."""
        if not words:
            return "year", None
        written = self.catalog.choose(" ".join(words), here.ui, WRITTEN_PERIODS)
        if written is not None:
            return WRITTEN_PERIODS[written], None
        if self.catalog.choose(words[0], here.ui, ("by",)) and len(words) > 1:
            reading = await read_when(" ".join(words[1:]), here, self.clock())
            if reading is None or is_past(reading.when, self.clock()):
                raise Refused("indicator.bad_period")
            return "by", reading.when
        if self.catalog.choose(words[0], here.ui, ("per",)) and len(words) == 2:
            period = self.catalog.choose(words[1], here.ui, PERIODS)
            if period is not None:
                return period, None
        if len(words) == 1:
            period = self.catalog.choose(words[0], here.ui, PERIODS)
            if period is not None:
                return period, None
        raise Refused("indicator.bad_period")

    def _period_text(self, period: str, by_date: datetime | None, here: ChatContext) -> Markup:
        if period == "by" and by_date is not None:
            return Markup(
                self.catalog.t("indicator.period.by", here.ui, date=format_when(by_date, here.ui, here.timezone))
            )
        return Markup(self.catalog.t(f"indicator.period.{period}", here.ui))

    async def _find(self, here: ChatContext, programme_name: str, name: str) -> Indicator:
        programme = await self.programmes.get(here.scope, programme_name.lstrip("#"))
        if programme is None:
            raise Refused("programme.not_found", name=programme_name[:PROGRAMME_NAME_MAX])
        indicator = await self.indicators.get(here.scope, programme.id, name)
        if indicator is None:
            raise Refused("indicator.not_found", programme=programme.name, name=name[:INDICATOR_NAME_MAX])
        return indicator

    async def _announce(self, here: ChatContext, actor: Actor, indicator: Indicator, update: IndicatorUpdate) -> None:
        async def one(chat: Chat) -> None:
            lang = chat.language
            note = ""
            if update.note:
                translated = await self.translations.translate(
                    update.note, here.language, lang, bridge_id=here.bridge_id
                )
                note = self.catalog.t("indicator.note", lang, note=translated.text)
            text = self.catalog.t(
                "indicator.updated",
                lang,
                programme=indicator.programme,
                name=indicator.name,
                change=show_change(update.change, lang),
                value=show_number(update.value_after, lang),
                target=show_number(indicator.target, lang),
                by=actor.label or self.catalog.t("sender.unknown", lang),
                city=here.label,
                note=Markup(note),
            )
            await self.announcer.announce(chat.id, lang, text)

        await asyncio.gather(*(one(chat) for chat in here.members))

    # ---- /indicators --------------------------------------------------------------------------------
    async def listing(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/indicators [programme]``: progress against target and pace. Asked again in the same group within
        ``LISTING_COOLDOWN``, the same answer, unless an indicator of the scope changed meanwhile."""
        now = self.clock()
        wanted = text.strip().lstrip("#")
        key = (here.id, here.ui, here.timezone, wanted.casefold())
        kept = self._listed.get(here.scope.key, {}).get(key)
        if kept is not None and now - kept[0] < LISTING_COOLDOWN:
            return kept[1]
        changes = self._changes.get(here.scope.key, 0)
        answer = await self._listing(here, wanted, now)
        if self._changes.get(here.scope.key, 0) == changes:  # nothing changed while it was read
            self._keep(here.scope, key, now, answer)
        return answer

    async def _listing(self, here: ChatContext, wanted: str, now: datetime) -> Reply:
        programme_id = None
        if wanted:
            programme = await self.programmes.get(here.scope, wanted)
            if programme is None:
                raise Refused("programme.not_found", name=wanted[:PROGRAMME_NAME_MAX])
            programme_id = programme.id
        indicators = await self.indicators.list(here.scope, programme_id)
        if not indicators:
            return reply("indicator.none")
        zone = ZoneInfo(here.timezone)
        values = await indicator_values(self.indicators, indicators, now, zone)
        lines = [
            self.progress_line(i, indicator_standing(i, values.get(i.id, 0.0), now, zone), here) for i in indicators
        ]
        return reply("indicator.list", items=Markup("\n".join(lines)))

    async def standing(self, here: ChatContext) -> tuple[list[str], int]:
        """The scope's indicators against target and pace as ``/indicators`` lines (the first ``BRIEF_MAX``), and how
        many there are."""
        indicators = await self.indicators.list(here.scope)
        now, zone = self.clock(), ZoneInfo(here.timezone)
        shown = indicators[:BRIEF_MAX]
        values = await indicator_values(self.indicators, shown, now, zone)
        return [
            self.progress_line(i, indicator_standing(i, values.get(i.id, 0.0), now, zone), here) for i in shown
        ], len(indicators)

    def _keep(self, scope: Scope, key: tuple[int, str, str, str], now: datetime, answer: Reply) -> None:
        """Keep a listing for its cooldown; what has passed its window (or, past ``LISTINGS_KEPT``, the oldest)
        goes."""
        self._listed.setdefault(scope.key, {})[key] = (now, answer)
        if sum(len(kept) for kept in self._listed.values()) <= LISTINGS_KEPT:
            return
        entries = sorted(
            ((at, scope_key, k) for scope_key, kept in self._listed.items() for k, (at, _) in kept.items()),
            key=lambda entry: entry[0],
        )
        for number, (at, scope_key, k) in enumerate(entries):
            if now - at < LISTING_COOLDOWN and len(entries) - number <= LISTINGS_KEPT:
                break
            del self._listed[scope_key][k]
        self._listed = {scope_key: kept for scope_key, kept in self._listed.items() if kept}

    def progress_line(self, indicator: Indicator, progress: IndicatorProgress, here: ChatContext) -> str:
        ui = here.ui
        return self.catalog.t(
            "indicator.line",
            ui,
            programme=progress.programme,
            name=indicator.name,
            value=show_number(progress.value, ui),
            target=show_number(indicator.target, ui),
            period=self._period_text(indicator.period, indicator.by_date, here),
            pace=Markup(self.catalog.t("indicator.on_track" if progress.on_track else "indicator.behind", ui)),
        )
