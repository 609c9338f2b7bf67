"""TranslationService: what Kembar asks of translation — skip, cache, protect, batch, translate, restore.

Each text is translated once per distinct target language: concurrent requests for the same (text,
source, target, bridge) share one result, and the texts asked for while the event loop is busy go out
together (one cache lookup, one provider request per batch, see ``providers``). A provider failure
never raises here: the result says "failed" and the caller relays the original, marked.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from bot.domain.repositories import GlossaryRepository, TranslationCacheRepository
from bot.language.langdetect import LanguageDetector
from bot.translation.base import TranslationError, Translator
from bot.translation.protect import is_all_protected, protect, restore

logger = logging.getLogger(__name__)

_Key = tuple[str, str, str, int | None]
RECENT_SECONDS = 60.0
RECENT_MAX = 2048
GLOSSARY_SECONDS = 5.0
GLOSSARIES_KEPT = 256  # bridges whose glossary is remembered; beyond, the stale ones are dropped
BATCH_MAX = 64  # texts translated together (one cache lookup, one provider request when they fit)


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
        if len(self._glossaries) > GLOSSARIES_KEPT:
            for key in [k for k, (at, _) in self._glossaries.items() if self.clock() - at >= GLOSSARY_SECONDS]:
                del self._glossaries[key]
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

    def _write_behind(
        self, provider: str, source: str, target: str, bridge_id: int | None, pairs: dict[str, str]
    ) -> None:
        """Cache new translations (for their bridge: forgetting a group clears its bridges' entries) without
        making their messages wait for the write."""
        write = asyncio.create_task(self._store(provider, source, target, bridge_id, pairs))
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)

    async def _store(
        self, provider: str, source: str, target: str, bridge_id: int | None, pairs: dict[str, str]
    ) -> None:
        try:
            await self.cache.put_many(provider, source, target, bridge_id, pairs)
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
                self._write_behind(provider, source, target, bridge_id, fresh)
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
