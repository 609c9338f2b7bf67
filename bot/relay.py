"""Relay: one inbound message of a bridged group becomes durable relay jobs, one per destination chat.

Translation happens later, in delivery, but is started (prefetched) as soon as the jobs are stored, so
translation latency overlaps with sending earlier messages. Each text is translated once per distinct
target language: concurrent requests for the same (text, source, target) share one result, and the
texts asked for while the event loop is busy go out together (one cache lookup, one provider request
per batch). Within a poller batch, messages are staged and their jobs stored in one transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
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

    @property
    def formatted(self) -> bool:
        """The text carries formatting (bold, italic, links ...), not just plain text."""
        return bool(self.html) and _TAG.search(self.html or "") is not None

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


_TAG = re.compile(r"<[^<>]+>")
_TAG_MARK = re.compile(r"\[\[(\d+)\]\]")
TAG_BASE = 9000  # tag markers are [[9000]], [[9001]] ...; protect() keeps them intact as spans


def mask_tags(html_text: str) -> tuple[str, list[str]]:
    """Telegram HTML → plain text with each tag replaced by a marker, and the tags in order."""
    tags: list[str] = []
    out: list[str] = []
    for piece in re.split(r"(<[^<>]+>)", html_text):
        if _TAG.fullmatch(piece):
            out.append(f"[[{TAG_BASE + len(tags)}]]")
            tags.append(piece)
        else:
            out.append(html.unescape(piece))
    return "".join(out), tags


def unmask_tags(text: str, tags: list[str]) -> str | None:
    """Translated masked text → Telegram HTML; None unless every tag came back once, in order."""
    out: list[str] = []
    seen: list[int] = []
    position = 0
    for match in _TAG_MARK.finditer(text):
        index = int(match.group(1)) - TAG_BASE
        if not 0 <= index < len(tags):
            continue
        out.append(escape(text[position : match.start()]))
        out.append(tags[index])
        seen.append(index)
        position = match.end()
    out.append(escape(text[position:]))
    if seen != list(range(len(tags))):
        return None
    return "".join(out)


def strip_tag_marks(text: str) -> str:
    return _TAG_MARK.sub("", text)


_Key = tuple[str, str, str, int | None]
RECENT_SECONDS = 60.0
RECENT_MAX = 2048
GLOSSARY_SECONDS = 5.0
BATCH_MAX = 64  # texts translated together (one cache lookup, one provider request when they fit)
PREFETCH_MAX = 256  # translations started ahead of delivery at once; beyond that delivery asks itself


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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.translator = translator
        self.cache = cache
        self.glossary = glossary
        self.detector = detector
        self.clock = clock
        self._inflight: dict[_Key, asyncio.Future[Translated]] = {}
        self._queue: dict[tuple[str, str, int | None], list[tuple[str, asyncio.Future[Translated]]]] = {}
        self._flusher: asyncio.Task[None] | None = None
        self._batches: set[asyncio.Task[None]] = set()
        self._writes: set[asyncio.Task[None]] = set()
        # Results of the last minute: delivery asks again for what the prefetch just translated,
        # and every destination of a language asks for the same text.
        self._recent: OrderedDict[_Key, tuple[float, Translated]] = OrderedDict()
        self._glossaries: dict[int, tuple[float, dict[str, dict[str, str]]]] = {}

    async def translate(self, text: str, source: str, target: str, *, bridge_id: int | None) -> Translated:
        ready = self._ready(text, source, target, bridge_id)
        if isinstance(ready, Translated):
            return ready
        return await asyncio.shield(ready)

    @property
    def in_flight(self) -> int:
        """Translations asked for and not finished yet."""
        return len(self._inflight)

    def start(self, text: str, source: str, target: str, *, bridge_id: int | None) -> None:
        """Start translating (joining the next batch) without waiting: ``translate`` later finds it done
        or in flight. Failures show there, not here."""
        self._ready(text, source, target, bridge_id)

    def _ready(
        self, text: str, source: str, target: str, bridge_id: int | None
    ) -> Translated | asyncio.Future[Translated]:
        """The result when it is known now, else the (possibly new, queued) future of its batch."""
        if not text.strip() or source == target:
            return Translated(text, "same")
        key = (hashlib.sha256(text.encode()).hexdigest(), source, target, bridge_id)
        recent = self._recent.get(key)
        if recent is not None and self.clock() - recent[0] < RECENT_SECONDS:
            self._recent.move_to_end(key)
            return recent[1]
        future = self._inflight.get(key)
        if future is not None:
            return future
        # Only now the costlier checks: a text asked for again was answered above.
        if is_all_protected(text) or (self.detector is not None and self.detector.is_in_language(text, target)):
            return Translated(text, "same")
        # Queued: every translation asked for while the loop is busy goes out in one batch.
        future = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        future.add_done_callback(lambda done: self._finished(key, done))
        self._queue.setdefault((source, target, bridge_id), []).append((text, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return future

    async def _flush(self) -> None:
        """Start one batch per (source, target, bridge) for everything queued so far, then end."""
        await asyncio.sleep(0)  # let the requests made in this turn of the loop join the batch
        queue, self._queue = self._queue, {}
        for (source, target, bridge_id), items in queue.items():
            for start in range(0, len(items), BATCH_MAX):
                chunk = items[start : start + BATCH_MAX]
                batch = asyncio.create_task(self._run_batch(chunk, source, target, bridge_id))
                self._batches.add(batch)
                batch.add_done_callback(self._batches.discard)

    async def _run_batch(
        self, items: list[tuple[str, asyncio.Future[Translated]]], source: str, target: str, bridge_id: int | None
    ) -> None:
        try:
            results = await self._translate([text for text, _ in items], source, target, bridge_id)
        except BaseException as exc:
            for _, future in items:
                if not future.done():
                    if isinstance(exc, asyncio.CancelledError):
                        future.cancel()
                    else:
                        future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), result in zip(items, results, strict=True):
            if not future.done():
                future.set_result(result)

    def _finished(self, key: _Key, task: asyncio.Future[Translated]) -> None:
        self._inflight.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        result = task.result()
        if result.status != "failed":  # a failure is tried again next time
            self._recent[key] = (self.clock(), result)
            while len(self._recent) > RECENT_MAX:
                self._recent.popitem(last=False)

    def forget(self, bridge_id: int | None) -> None:
        """The bridge's glossary changed: translations made with the old one must not be reused."""
        for key in [k for k in self._recent if k[3] == bridge_id]:
            del self._recent[key]
        if bridge_id is not None:
            self._glossaries.pop(bridge_id, None)

    async def _glossary(self, bridge_id: int | None) -> dict[str, dict[str, str]]:
        """The bridge's glossary, read at most every few seconds (another process may change it)."""
        if bridge_id is None:
            return {}
        entry = self._glossaries.get(bridge_id)
        if entry is not None and self.clock() - entry[0] < GLOSSARY_SECONDS:
            return entry[1]
        started = self.clock()
        mapping = await self.glossary.as_mapping(bridge_id)
        self._glossaries[bridge_id] = (started, mapping)
        return mapping

    async def close(self) -> None:
        """Cancel translations still in flight and finish the cache writes (shutdown)."""
        tasks: list[asyncio.Future[Any]] = [*self._batches, *self._inflight.values()]
        if self._flusher is not None:
            tasks.append(self._flusher)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*self._writes, return_exceptions=True)

    def _write_behind(self, provider: str, source: str, target: str, pairs: dict[str, str]) -> None:
        """Cache new translations without making their messages wait for the write."""
        write = asyncio.create_task(self._store(provider, source, target, pairs))
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)

    async def _store(self, provider: str, source: str, target: str, pairs: dict[str, str]) -> None:
        try:
            await self.cache.put_many(provider, source, target, pairs)
        except Exception as exc:  # only the cache is lost: the next request asks the provider again
            logger.warning("caching %d translations failed: %s", len(pairs), type(exc).__name__)

    async def _translate(self, texts: list[str], source: str, target: str, bridge_id: int | None) -> list[Translated]:
        """A batch: one cache lookup, one provider request for what is not cached; new translations are
        cached behind (nobody waits for that write)."""
        glossary = await self._glossary(bridge_id)
        protected = [protect(text, glossary, target=target) for text in texts]
        provider = self.translator.name
        masked = await self.cache.get_many(provider, source, target, [p.text for p in protected])
        missing = list(dict.fromkeys(p.text for p in protected if p.text not in masked))
        failed = False
        if missing:
            try:
                fresh = dict(zip(missing, await self.translator.translate(missing, source, target), strict=True))
            except TranslationError as exc:
                # Name the provider and the error, never the text.
                logger.warning("translation %s->%s via %s failed: %s", source, target, provider, exc)
                failed = True
            else:
                masked.update(fresh)
                self._write_behind(provider, source, target, fresh)
        results: list[Translated] = []
        for text, protection in zip(texts, protected, strict=True):
            translated = masked.get(protection.text)
            if translated is None:
                assert failed
                results.append(Translated(text, "failed"))
                continue
            result = restore(translated, protection, target=target)
            results.append(
                Translated(text, "same") if _normalise(result) == _normalise(text) else Translated(result, "translated")
            )
        return results


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
        if translated.status != "translated" and message.html:
            body = message.html  # untranslated: keep the sender's formatting
        elif message.formatted and message.html:
            # Formatting travels as markers through translation; if the engine lost or reordered
            # any, the text still goes out, without formatting.
            tags = mask_tags(message.html)[1]
            body = unmask_tags(translated.text, tags) or escape(strip_tag_marks(translated.text))
        else:
            body = escape(translated.text)
        out = f"{header}\n{body}"
        if translated.status == "failed":
            out += "\n" + self.catalog.t("relay.untranslated", lang)
        elif translated.status == "translated" and dst.show_original:
            out += "\n<blockquote expandable>" + escape(message.text) + "</blockquote>"
        limit = CAPTION_LIMIT if message.media_kind in CAPTION_MEDIA else TEXT_LIMIT
        first, *rest = split_html(out, limit) or [out]
        parts = [first]
        for part in rest:  # overflow of a caption goes on in text messages
            parts.extend(split_html(part, TEXT_LIMIT) if limit != TEXT_LIMIT else [part])
        return Rendered(parts=parts, header=header)


_Staged = tuple[InboundMessage, int, tuple[Chat, ...], list[NewRelayJob]]
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
    ) -> None:
        self.outbox = outbox
        self.translations = translations
        self.notify = notify  # wakes the delivery worker of a destination
        self.retry_delay = retry_delay
        self._staged: list[_Staged] | None = None

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
        if self._staged is not None:
            self._staged.append((message, bridge.id, destinations, jobs))
            return []
        stored = await self.outbox.enqueue(jobs)
        self._stored(message, bridge.id, destinations)
        return stored

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[None]:
        """Stage the messages submitted inside; store them all in one transaction on the way out."""
        if self._staged is not None:  # nested: part of the batch already open
            yield
            return
        self._staged = []
        try:
            yield
        finally:
            staged, self._staged = self._staged, None
            if staged:
                await self._store(staged)

    async def _store(self, staged: list[_Staged]) -> None:
        jobs = [job for *_, message_jobs in staged for job in message_jobs]
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
        for message, bridge_id, destinations, _ in staged:
            self._stored(message, bridge_id, destinations)

    def _stored(self, message: InboundMessage, bridge_id: int, destinations: tuple[Chat, ...]) -> None:
        if message.translatable:
            for language in {dst.language for dst in destinations}:
                self.prefetch(message, language, bridge_id)
        for dst in destinations:
            self.notify(dst.id)

    def prefetch(self, message: InboundMessage, target: str, bridge_id: int | None) -> None:
        text = message.translatable
        if text and self.translations.in_flight < PREFETCH_MAX:  # beyond that, delivery asks when it gets there
            self.translations.start(text, message.source_language, target, bridge_id=bridge_id)
