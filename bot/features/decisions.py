"""Decisions of a bridge (``/decision``, ``/decisions``): what the partners decided, kept with who, when, city and
(optionally) its programme, translated into each group's language, announced in every group and written to the
event history; the brief and the reports show them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.context import Actor, ChatContext, Refused, Reply, reply
from bot.domain.continuity import Decision, DecisionRepository, NewDecision
from bot.domain.errors import LimitReached
from bot.domain.records import Chat, NewEvent
from bot.domain.repositories import EventRepository, ProgrammeRepository
from bot.domain.rules import DECISION_TEXT_MAX, DECISIONS_MAX, EVENT_DETAIL_MAX, PERSON_NAME_MAX
from bot.features.announce import Announcer
from bot.features.pages import Page, count_pages, footer, read_page, with_footer
from bot.features.tags import listed_programme, only_tags, programme_of
from bot.language.catalog import Catalog, Markup
from bot.language.dates import format_when
from bot.language.htmltext import escape
from bot.translation.service import TranslationService

PAGE_SIZE = 10  # decisions on one page of /decisions


@dataclass(frozen=True)
class Stated:
    """The message a ``/decision`` replies to: its id and text (or caption)."""

    message_id: int
    text: str


class DecisionService:
    def __init__(
        self,
        *,
        decisions: DecisionRepository,
        programmes: ProgrammeRepository,
        translations: TranslationService,
        announcer: Announcer,
        catalog: Catalog,
        history: EventRepository | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        kept_max: int = DECISIONS_MAX,
    ) -> None:
        self.decisions = decisions
        self.programmes = programmes
        self.translations = translations
        self.announcer = announcer
        self.catalog = catalog
        self.history = history
        self.clock = clock
        self.kept_max = kept_max

    async def decide(self, here: ChatContext, actor: Actor, text: str, stated: Stated | None = None) -> Reply:
        """``/decision <text> [#programme]``, or a reply ``/decision [#programme]`` to the message that states it
        (any member): stored, announced in every group of the bridge in its language, kept in the history."""
        if here.is_private:
            raise Refused("decision.private")
        tagged = await programme_of(self.programmes, here.scope, text)
        if tagged.programme is None and tagged.unknown is not None and only_tags(text):
            raise Refused("decision.no_programme", name=tagged.unknown)  # "#tag" alone names a programme
        said = tagged.text
        if stated is not None and not said:
            said = " ".join(stated.text.split())
        if not said:
            raise Refused("decision.usage")
        if len(said) > DECISION_TEXT_MAX:
            raise Refused("decision.too_long", length=len(said), limit=DECISION_TEXT_MAX)
        programme = tagged.programme.name if tagged.programme is not None else None
        new = NewDecision(
            scope=here.scope,
            chat_id=here.id,
            user_id=actor.user_id,
            by=actor.label[:128],
            city=here.label[:PERSON_NAME_MAX],
            text=said,
            language=here.language,
            programme=programme,
            message_id=stated.message_id if stated is not None else None,
        )
        try:
            decision = await self.decisions.add(new, kept_max=self.kept_max)
        except LimitReached as limit:
            raise Refused("decision.limit", limit=limit.limit) from None
        if self.history is not None:
            await self.history.add(
                NewEvent(
                    scope=here.scope,
                    at=decision.created_at,
                    kind="decision",
                    chat_id=here.id,
                    by=new.by,
                    city=here.label[:PERSON_NAME_MAX],
                    programme=programme,
                    user_id=actor.user_id,
                    detail=said[:EVENT_DETAIL_MAX],
                )
            )
        await self._announce(decision, here)
        return reply("decision.recorded", number=decision.number)

    async def _announce(self, decision: Decision, here: ChatContext) -> None:
        async def one(chat: Chat) -> None:
            html = self.catalog.t(
                "decision.announced",
                chat.language,
                number=decision.number,
                city=decision.city,
                by=decision.by or self.catalog.t("sender.unknown", chat.language),
                text=await self.text_in(decision, chat.language, here.bridge_id),
                tag=_tag(decision),
            )
            await self.announcer.announce(chat.id, chat.language, html)

        await asyncio.gather(*(one(chat) for chat in here.members))

    async def text_in(self, decision: Decision, language: str, bridge_id: int | None) -> str:
        translated = await self.translations.translate(decision.text, decision.language, language, bridge_id=bridge_id)
        return translated.text

    async def listing(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/decisions [#programme] [page]``: newest first, in pages that say how many of how many."""
        words, number = read_page(text.split())
        programme = await listed_programme(
            self.programmes, here.scope, words, usage="decisions.usage", unknown="decision.no_programme"
        )
        total = await self.decisions.count(here.scope, programme=programme)
        if total == 0:
            return reply("decisions.none")
        pages = count_pages(total, number, PAGE_SIZE)
        found_page = await self.decisions.page(
            here.scope, programme=programme, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        body = await self.lines(found_page, here)
        command = "/decisions" + (f" #{programme}" if programme else "")
        more = footer(self.catalog, here.ui, Page(found_page, number, pages, total, PAGE_SIZE), command)
        return reply("decisions.list", count=total, items=with_footer(body, more))

    async def lines(self, decisions: Sequence[Decision], here: ChatContext) -> str:
        """Decisions as lines of a list in the group's language, date and zone."""
        texts = await asyncio.gather(*(self.text_in(d, here.language, here.bridge_id) for d in decisions))
        return "\n\n".join(
            self.catalog.t(
                "decision.line",
                here.ui,
                number=d.number,
                when=format_when(d.created_at, here.ui, here.timezone),
                city=d.city or self.catalog.t("sender.unknown", here.ui),
                by=d.by or self.catalog.t("sender.unknown", here.ui),
                text=text,
                tag=_tag(d),
            )
            for d, text in zip(decisions, texts, strict=True)
        )

    async def recent(self, here: ChatContext, since: datetime, limit: int) -> tuple[list[Decision], int]:
        """The scope's decisions made since ``since`` (newest first, at most ``limit``) and how many there are."""
        found = await self.decisions.page(here.scope, since=since, limit=limit)
        total = len(found) if len(found) < limit else await self.decisions.count(here.scope, since=since)
        return found, total


def _tag(decision: Decision) -> Markup:
    return Markup(f" #{escape(decision.programme)}") if decision.programme else Markup("")
