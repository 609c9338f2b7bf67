"""Relay: one inbound message of a bridged group becomes durable relay jobs, one per destination chat.

Translation happens later, in delivery (bot.relay.delivery), but is started (prefetched) as soon as the jobs
are stored, so translation latency overlaps with sending earlier messages (bot.translation.service
batches and shares the requests). Within a poller batch, messages are staged and their jobs stored in
one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from bot.context import zone_of
from bot.domain.records import Bridge, Chat, NewRelayJob, RelayJob
from bot.domain.repositories import OutboxRepository
from bot.language.htmltext import has_tags, mask_tags
from bot.relay.activity import ActivityCounter
from bot.translation.service import TranslationService

logger = logging.getLogger(__name__)

PREFETCH_MAX = 256  # translations started ahead of delivery at once; beyond that delivery asks itself
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

    @property
    def formatted(self) -> bool:
        """The text carries formatting (bold, italic, links ...), not just plain text."""
        return bool(self.html) and has_tags(self.html or "")

    @property
    def translatable(self) -> str | None:
        """What goes to translation: the plain text, or for formatted text the text with its tags masked."""
        if self.formatted and self.html:
            return mask_tags(self.html)[0]
        return self.text

    def to_payload(self) -> dict[str, Any]:
        # Every field is a plain value: a flat copy (asdict would deep-copy each one).
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> InboundMessage:
        return cls(**{name: payload.get(name) for name in cls.__dataclass_fields__})  # type: ignore[arg-type]


# The message, its bridge, its destinations, their jobs and the source group's time zone (None: not known).
_Staged = tuple[InboundMessage, int, tuple[Chat, ...], list[NewRelayJob], str | None]
STORE_ATTEMPTS = 5  # a batch of jobs the database refused is tried this often before the batch is given up


class RelayService:
    """Turns inbound messages into durable relay jobs and starts their translations early.

    Inside ``batch()`` (the poller opens one per getUpdates response) messages are staged and stored
    together, in one transaction, when the batch ends, before the poller acknowledges its updates.
    """

    def __init__(
        self,
        outbox: OutboxRepository,
        translations: TranslationService,
        notify: Callable[[int], None],
        *,
        retry_delay: float = 0.2,
        activity: ActivityCounter | None = None,
    ) -> None:
        self.activity = activity
        self.outbox = outbox
        self.translations = translations
        self.notify = notify  # wakes the delivery worker of a destination
        self.retry_delay = retry_delay
        # The batch open in this task (the poller's, or a chat lane's): batches of concurrent tasks never mix.
        self._staged: ContextVar[list[_Staged] | None] = ContextVar(f"relay-batch-{id(self)}", default=None)

    async def submit(self, message: InboundMessage, bridge: Bridge) -> list[RelayJob]:
        """Store the message's jobs (or stage them, inside ``batch()``); the jobs stored now."""
        destinations = bridge.others(message.chat_id)
        if not destinations:
            return []
        payload = message.to_payload()
        jobs = [
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
        # The source group's zone (its activity day), from the bridge at hand: no read.
        zone = next((zone_of(chat) for chat in bridge.members if chat.id == message.chat_id), None)
        staged = self._staged.get()
        if staged is not None:
            staged.append((message, bridge.id, destinations, jobs, zone))
            return []
        stored = await self.outbox.enqueue(jobs)
        self._stored(message, bridge.id, destinations, zone)
        return stored

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[None]:
        """Stage the messages submitted inside; store them all in one transaction on the way out."""
        if self._staged.get() is not None:  # nested: part of the batch already open
            yield
            return
        staged: list[_Staged] = []
        token = self._staged.set(staged)
        try:
            yield
        finally:
            self._staged.reset(token)
            if staged:
                await self._store(staged)

    async def _store(self, staged: list[_Staged]) -> None:
        jobs = [job for _, _, _, message_jobs, _ in staged for job in message_jobs]
        attempt = 0
        while True:
            try:
                await self.outbox.enqueue(jobs, read_back=False)  # delivery reads them when it sends
                break
            except Exception as exc:  # the database is down or locked: the updates are not acknowledged yet
                attempt += 1
                if attempt >= STORE_ATTEMPTS:
                    raise
                logger.warning("storing %d relay jobs failed (%s); retry %d", len(jobs), type(exc).__name__, attempt)
                await asyncio.sleep(self.retry_delay * 2 ** (attempt - 1))
        for message, bridge_id, destinations, _, zone in staged:
            self._stored(message, bridge_id, destinations, zone)

    def _stored(
        self, message: InboundMessage, bridge_id: int, destinations: tuple[Chat, ...], zone: str | None
    ) -> None:
        if self.activity is not None and not message.is_edit:
            self.activity.sent(message.chat_id, zone)
        if message.translatable:
            for language in {dst.language for dst in destinations}:
                self.prefetch(message, language, bridge_id)
        for dst in destinations:
            self.notify(dst.id)

    def prefetch(self, message: InboundMessage, target: str, bridge_id: int | None) -> None:
        text = message.translatable
        if text and self.translations.in_flight < PREFETCH_MAX:  # beyond that, delivery asks when it gets there
            self.translations.start(text, message.source_language, target, bridge_id=bridge_id)
