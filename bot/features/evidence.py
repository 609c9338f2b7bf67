"""Evidence of a programme (``/evidence``): a photo, video or document posted with a ``#programme`` tag in its caption,
or named by a reply ``/evidence #programme [note]``, is recorded with Telegram's file id (the file stays in Telegram),
its caption, who, city and when. Listed with captions in each group's language; counted in ``/status``, reports and
the brief; exported as a ZIP (bot/features/record_exports.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.context import Actor, ChatContext, Refused, Reply, reply
from bot.domain.continuity import EVIDENCE_KINDS, Evidence, EvidenceRepository, NewEvidence
from bot.domain.errors import LimitReached
from bot.domain.records import NewEvent
from bot.domain.repositories import EventRepository, ProgrammeRepository
from bot.domain.rules import (
    EVENT_DETAIL_MAX,
    EVIDENCE_CAPTION_MAX,
    EVIDENCE_FILE_NAME_MAX,
    EVIDENCE_MAX,
    EVIDENCE_NOTE_MAX,
    FILE_ID_MAX,
    PERSON_NAME_MAX,
)
from bot.features.pages import Page, count_pages, footer, read_page, with_footer
from bot.features.tags import listed_programme, programme_of
from bot.language.catalog import Catalog, Markup
from bot.language.dates import format_when
from bot.language.htmltext import escape
from bot.translation.service import TranslationService

PAGE_SIZE = 10  # evidence on one page of /evidence
KIND_MARKS = {"photo": "🖼", "video": "🎬", "document": "📄"}


@dataclass(frozen=True)
class Media:
    """A photo, video or document message as the handler read it."""

    message_id: int
    kind: str  # one of EVIDENCE_KINDS
    file_id: str
    file_unique_id: str
    caption: str | None = None
    file_name: str | None = None
    file_size: int | None = None


class EvidenceService:
    def __init__(
        self,
        *,
        evidence: EvidenceRepository,
        programmes: ProgrammeRepository,
        translations: TranslationService,
        catalog: Catalog,
        history: EventRepository | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        kept_max: int = EVIDENCE_MAX,
    ) -> None:
        self.evidence = evidence
        self.programmes = programmes
        self.translations = translations
        self.catalog = catalog
        self.history = history
        self.clock = clock
        self.kept_max = kept_max

    async def posted(self, here: ChatContext, actor: Actor, media: Media) -> Reply | None:
        """A photo, video or document posted in a group: evidence when its caption tags one of the scope's programmes
        (a hashtag that names none is just a hashtag: nothing is said)."""
        if here.is_private or not media.caption or media.kind not in EVIDENCE_KINDS or "#" not in media.caption:
            return None
        tagged = await programme_of(self.programmes, here.scope, media.caption)
        if tagged.programme is None:
            return None
        return await self._record(here, actor, media, tagged.programme.name, None)

    async def command(
        self, here: ChatContext, actor: Actor, text: str, replied: Media | None, *, reply_to: bool
    ) -> Reply:
        """``/evidence [#programme] [page]`` lists; as a reply to a photo, video or document,
        ``/evidence #programme [note]`` records it."""
        if here.is_private:
            raise Refused("evidence.private")
        if not reply_to:
            return await self.listing(here, text)
        if replied is None:
            raise Refused("evidence.not_media")
        tagged = await programme_of(self.programmes, here.scope, text)
        if tagged.programme is None:
            if tagged.unknown is not None:
                raise Refused("evidence.no_programme", name=tagged.unknown)
            raise Refused("evidence.usage")
        note = tagged.text or None
        if note is not None and len(note) > EVIDENCE_NOTE_MAX:
            raise Refused("evidence.note_too_long", length=len(note), limit=EVIDENCE_NOTE_MAX)
        return await self._record(here, actor, replied, tagged.programme.name, note)

    async def _record(self, here: ChatContext, actor: Actor, media: Media, programme: str, note: str | None) -> Reply:
        if len(media.file_id) > FILE_ID_MAX or len(media.file_unique_id) > FILE_ID_MAX:
            raise Refused("evidence.not_media")
        caption = " ".join((media.caption or "").split())[:EVIDENCE_CAPTION_MAX] or None
        new = NewEvidence(
            scope=here.scope,
            chat_id=here.id,
            message_id=media.message_id,
            user_id=actor.user_id,
            by=actor.label[:128],
            city=here.label[:PERSON_NAME_MAX],
            kind=media.kind,
            file_id=media.file_id,
            file_unique_id=media.file_unique_id,
            programme=programme,
            language=here.language,
            file_name=media.file_name[:EVIDENCE_FILE_NAME_MAX] if media.file_name else None,
            file_size=media.file_size,
            caption=caption,
            note=note,
        )
        try:
            stored, created = await self.evidence.add(new, kept_max=self.kept_max)
        except LimitReached as limit:
            raise Refused("evidence.limit", limit=limit.limit) from None
        if not created:
            return Reply("evidence.already", {"number": stored.number, "name": stored.programme}, quote=True)
        if self.history is not None:
            await self.history.add(
                NewEvent(
                    scope=here.scope,
                    at=stored.created_at,
                    kind="evidence",
                    chat_id=here.id,
                    by=new.by,
                    city=here.label[:PERSON_NAME_MAX],
                    programme=programme,
                    user_id=actor.user_id,
                    detail=(caption or note or "")[:EVENT_DETAIL_MAX] or None,
                )
            )
        return Reply("evidence.recorded", {"number": stored.number, "name": programme}, quote=True)

    async def listing(self, here: ChatContext, text: str) -> Reply:
        words, number = read_page(text.split())
        programme = await listed_programme(
            self.programmes, here.scope, words, usage="evidence.usage", unknown="evidence.no_programme"
        )
        total = await self.evidence.count(here.scope, programme=programme)
        if total == 0:
            return reply("evidence.none")
        pages = count_pages(total, number, PAGE_SIZE)
        found_page = await self.evidence.page(
            here.scope, programme=programme, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        body = await self.lines(found_page, here)
        command = "/evidence" + (f" #{programme}" if programme else "")
        more = footer(self.catalog, here.ui, Page(found_page, number, pages, total, PAGE_SIZE), command)
        return reply("evidence.list", count=total, items=with_footer(body, more))

    async def caption_in(self, item: Evidence, language: str, bridge_id: int | None) -> str:
        """The caption (or, without one, the note) in ``language``."""
        said = item.caption or item.note or ""
        if not said:
            return ""
        translated = await self.translations.translate(said, item.language, language, bridge_id=bridge_id)
        return translated.text

    async def lines(self, items: Sequence[Evidence], here: ChatContext) -> str:
        captions = await asyncio.gather(*(self.caption_in(e, here.language, here.bridge_id) for e in items))
        lines = []
        for item, caption in zip(items, captions, strict=True):
            said = self.catalog.t("evidence.caption", here.ui, caption=caption) if caption else ""
            note = self.catalog.t("evidence.note", here.ui, note=item.note) if item.note and item.caption else ""
            lines.append(
                self.catalog.t(
                    "evidence.line",
                    here.ui,
                    number=item.number,
                    mark=KIND_MARKS.get(item.kind, "📎"),
                    kind=self.catalog.t(f"evidence.kind.{item.kind}", here.ui),
                    when=format_when(item.created_at, here.ui, here.timezone),
                    city=item.city or self.catalog.t("sender.unknown", here.ui),
                    by=item.by or self.catalog.t("sender.unknown", here.ui),
                    tag=Markup(f"#{escape(item.programme)}"),
                    caption=Markup(said),
                    note=Markup(note),
                )
            )
        return "\n\n".join(lines)

    async def counts(
        self, here: ChatContext, start: datetime | None = None, end: datetime | None = None
    ) -> dict[str, int]:
        """Evidence per programme of the scope (recorded between ``start`` and ``end`` when given)."""
        return await self.evidence.counts(here.scope, start=start, end=end)
