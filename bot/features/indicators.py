"""Indicators with targets per programme: ``/indicator add``, ``/indicator <programme> <name> +n|= n``,
``/indicators``. Every update is kept (who, when, from which city, how much, a note), announced in every group
of the bridge in its language, and written to the event history."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from bot.context import Actor, ChatContext, Refused, Reply, reply
from bot.domain.records import Chat, Indicator, IndicatorUpdate, NewEvent
from bot.domain.repositories import EventRepository, IndicatorRepository, ProgrammeRepository
from bot.domain.rules import INDICATOR_NAME_MAX, INDICATOR_NOTE_MAX, PROGRAMME_NAME_MAX
from bot.features.when import read_when
from bot.language.catalog import Catalog, Markup, babel_locale
from bot.language.dates import format_when, is_past
from bot.permissions import Permissions
from bot.ports import DeliveryError, Sender
from bot.reports.figures import indicator_progress
from bot.reports.model import IndicatorProgress
from bot.translation.service import TranslationService

logger = logging.getLogger(__name__)

NAME_RE = re.compile(rf"^[\w-]{{1,{INDICATOR_NAME_MAX}}}$")
NUMBER_RE = re.compile(r"^[+-]?\d{1,12}(?:[.,]\d{1,4})?$")
MAX_INDICATORS = 100  # per bridge
VALUE_MAX = 1e12
PERIODS = ("year", "quarter")


def read_number(text: str) -> float | None:
    """ "12", "+3", "-2", "2,5", "2.5" → the number; anything else (1e9, "ten", NaN) → None."""
    if not NUMBER_RE.fullmatch(text):
        return None
    value = float(text.replace(",", "."))
    return value if math.isfinite(value) and abs(value) <= VALUE_MAX else None


def show_number(value: float, language: str) -> str:
    """12 → "12", 2.5 → "2,5" in Indonesian and German, "2.5" in English."""
    return str(format_decimal(round(value, 2), locale=babel_locale(language)))


class IndicatorService:
    def __init__(
        self,
        *,
        indicators: IndicatorRepository,
        events: EventRepository,
        programmes: ProgrammeRepository,
        translations: TranslationService,
        catalog: Catalog,
        sender: Sender,
        permissions: Permissions,
        clock: Callable[[], datetime],
    ) -> None:
        self.indicators = indicators
        self.events = events
        self.programmes = programmes
        self.translations = translations
        self.catalog = catalog
        self.sender = sender
        self.permissions = permissions
        self.clock = clock

    # ---- /indicator ---------------------------------------------------------------------------------
    async def indicator(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/indicator add <programme> <name> target <n> [per year|per quarter|by <date>]`` (administrators);
        ``/indicator <programme> <name> +<n> [note]`` or ``= <n> [note]`` (anyone in the bridge)."""
        words = text.split()
        if not words:
            raise Refused("indicator.usage")
        if self.catalog.choose(words[0], here.ui, ("add",)):
            return await self._add(here, actor, words[1:])
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
        now = self.clock()
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
        )
        await self.events.add(
            NewEvent(
                scope=here.scope,
                at=now,
                kind="indicator",
                item_number=None,
                indicator_id=indicator.id,
                programme=indicator.programme,
                user_id=actor.user_id,
                by=actor.label,
                chat_id=here.id,
                city=here.label,
                detail=f"{update.change:+g} → {update.value_after:g}",
            )
        )
        await self._announce(here, actor, indicator, update)
        return None

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
        shown = self._period_text(period, by_date, here)
        return reply(
            "indicator.added", programme=programme.name, name=name, target=show_number(target, here.ui), period=shown
        )

    async def _period(self, here: ChatContext, words: list[str]) -> tuple[str, datetime | None]:
        """ "per year" (the default), "per quarter", "by <date>"."""
        if not words:
            return "year", None
        if self.catalog.choose(words[0], here.ui, ("by",)) and len(words) > 1:
            reading = await read_when(" ".join(words[1:]), here.language, here.timezone, self.clock())
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
                change=f"{'+' if update.change > 0 else ''}{show_number(update.change, lang)}",
                value=show_number(update.value_after, lang),
                target=show_number(indicator.target, lang),
                by=actor.label or self.catalog.t("sender.unknown", lang),
                city=here.label,
                note=Markup(note),
            )
            try:
                await self.sender.send_text(chat.id, text)
            except DeliveryError as exc:
                logger.warning("indicator update to chat %s failed: %s", chat.id, exc)

        await asyncio.gather(*(one(chat) for chat in here.members))

    # ---- /indicators --------------------------------------------------------------------------------
    async def listing(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/indicators [programme]``: progress against target and pace."""
        programme_id = None
        if text.strip():
            programme = await self.programmes.get(here.scope, text.strip().lstrip("#"))
            if programme is None:
                raise Refused("programme.not_found", name=text.strip()[:PROGRAMME_NAME_MAX])
            programme_id = programme.id
        indicators = await self.indicators.list(here.scope, programme_id)
        if not indicators:
            return reply("indicator.none")
        updates = await self.indicators.updates([i.id for i in indicators])
        now, zone = self.clock(), ZoneInfo(here.timezone)
        lines = [self.progress_line(i, indicator_progress(i, updates, now, zone), here) for i in indicators]
        return reply("indicator.list", items=Markup("\n".join(lines)))

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
