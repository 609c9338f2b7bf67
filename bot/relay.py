"""Relay: one inbound message of a bridged group becomes durable relay jobs, one per destination chat.

Translation happens later, in delivery, but is started (prefetched) as soon as the jobs are stored, so
translation latency overlaps with sending earlier messages. One provider call per distinct target
language per message: concurrent requests for the same (text, source, target) share one call.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.i18n import Catalog, Markup
from bot.langdetect import LanguageDetector
from bot.textproc import escape, is_all_protected, protect, restore, split_html
from bot.translation import TranslationError, Translator
from storage.records import Bridge, Chat, RelayJob
from storage.repos import GlossaryRepository, NewRelayJob, OutboxRepository, TranslationCacheRepository

logger = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
EDIT_WINDOW_SECONDS = 48 * 3600

# Media Telegram can carry a caption on (copyMessage keeps the file, we set the translated caption).
CAPTION_MEDIA = frozenset({"photo", "document", "video", "audio", "voice", "animation"})


@dataclass(frozen=True)
class InboundMessage:
    """A Telegram message as relay needs it, free of Telegram types (stored as the job payload)."""

    chat_id: int
    message_id: int
    sender_id: int
    sender_name: str
    source_label: str
    source_language: str
    text: str | None  # the text, or the caption of a media message (plain)
    html: str | None  # the same with its formatting, as Telegram HTML
    media_kind: str | None  # photo, document, video, voice, audio, animation, sticker, video_note, other
    reply_to: int | None
    version: int  # 0 for a new message, the edit date (epoch seconds) for an edit
    date: int

    @property
    def is_edit(self) -> bool:
        return self.version != 0

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> InboundMessage:
        return cls(**{name: payload.get(name) for name in cls.__dataclass_fields__})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Translated:
    text: str
    status: Literal["same", "translated", "failed"]


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


class TranslationService:
    """Skip, cache, protect, translate, restore; never raises for a provider failure."""

    def __init__(
        self,
        translator: Translator,
        cache: TranslationCacheRepository,
        glossary: GlossaryRepository,
        detector: LanguageDetector | None,
    ) -> None:
        self.translator = translator
        self.cache = cache
        self.glossary = glossary
        self.detector = detector
        self._inflight: dict[tuple[str, str, str, int | None], asyncio.Task[Translated]] = {}

    async def translate(self, text: str, source: str, target: str, *, bridge_id: int | None) -> Translated:
        if not text.strip() or source == target or is_all_protected(text):
            return Translated(text, "same")
        if self.detector is not None and self.detector.detect(text) == target:
            return Translated(text, "same")
        key = (hashlib.sha256(text.encode()).hexdigest(), source, target, bridge_id)
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._translate(text, source, target, bridge_id))
            self._inflight[key] = task
            task.add_done_callback(lambda _t: self._inflight.pop(key, None))
        return await asyncio.shield(task)

    async def _translate(self, text: str, source: str, target: str, bridge_id: int | None) -> Translated:
        glossary = await self.glossary.as_mapping(bridge_id) if bridge_id is not None else {}
        protected = protect(text, glossary, target=target)
        provider = self.translator.name
        cached = await self.cache.get_many(provider, source, target, [protected.text])
        masked = cached.get(protected.text)
        if masked is None:
            try:
                [masked] = await self.translator.translate([protected.text], source, target)
            except TranslationError as exc:
                # Name the provider and the error, never the text.
                logger.warning("translation %s->%s via %s failed: %s", source, target, provider, exc)
                return Translated(text, "failed")
            await self.cache.put_many(provider, source, target, {protected.text: masked})
        result = restore(masked, protected, target=target)
        if _normalise(result) == _normalise(text):
            return Translated(text, "same")
        return Translated(result, "translated")


@dataclass(frozen=True)
class Rendered:
    """What one destination receives for one job: HTML parts (the first is the caption for media)."""

    parts: list[str]
    header: str


class Renderer:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def render(self, message: InboundMessage, dst: Chat, translated: Translated | None) -> Rendered:
        lang = dst.language
        header = self.catalog.t("relay.header", lang, name=message.sender_name, city=message.source_label)
        if message.is_edit:
            header = self.catalog.t("relay.edited", lang, header=Markup(header))
        if not message.text or translated is None:
            return Rendered(parts=[header], header=header)
        if translated.status == "same" and message.html:
            body = message.html  # untranslated: keep the sender's formatting
        else:
            body = escape(translated.text)
        html = f"{header}\n{body}"
        if translated.status == "failed":
            html += "\n" + self.catalog.t("relay.untranslated", lang)
        elif translated.status == "translated" and dst.show_original:
            html += "\n<blockquote expandable>" + escape(message.text) + "</blockquote>"
        limit = CAPTION_LIMIT if message.media_kind in CAPTION_MEDIA else TEXT_LIMIT
        first, *rest = split_html(html, limit) or [html]
        parts = [first]
        for part in rest:  # overflow of a caption goes on in text messages
            parts.extend(split_html(part, TEXT_LIMIT) if limit != TEXT_LIMIT else [part])
        return Rendered(parts=parts, header=header)


class RelayService:
    """Turns inbound messages into durable relay jobs and starts their translations early."""

    def __init__(
        self,
        outbox: OutboxRepository,
        translations: TranslationService,
        notify: Callable[[int], None],
    ) -> None:
        self.outbox = outbox
        self.translations = translations
        self.notify = notify  # wakes the delivery worker of a destination

    async def submit(self, message: InboundMessage, bridge: Bridge) -> list[RelayJob]:
        destinations = bridge.others(message.chat_id)
        if not destinations:
            return []
        payload = message.to_payload()
        jobs = await self.outbox.enqueue(
            [
                NewRelayJob(
                    bridge_id=bridge.id,
                    src_chat_id=message.chat_id,
                    src_message_id=message.message_id,
                    dst_chat_id=dst.id,
                    version=message.version,
                    payload=payload,
                )
                for dst in destinations
            ]
        )
        if message.text:
            for language in {dst.language for dst in destinations}:
                self.prefetch(message, language, bridge.id)
        for dst in destinations:
            self.notify(dst.id)
        return jobs

    def prefetch(self, message: InboundMessage, target: str, bridge_id: int | None) -> None:
        if not message.text:
            return
        task = asyncio.ensure_future(
            self.translations.translate(message.text, message.source_language, target, bridge_id=bridge_id)
        )
        task.add_done_callback(_ignore_result)


def _ignore_result(task: asyncio.Future[Translated]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.warning("prefetching a translation failed: %s", type(task.exception()).__name__)
