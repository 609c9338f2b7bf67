"""Durable long polling: an update is acknowledged to Telegram only after Kembar has processed it.

python-telegram-bot's Updater acknowledges a batch (by asking for the next offset) while the handlers
may still be working on it, so a crash loses those updates. Here each update is processed — for relay
that means its jobs are committed to the outbox — before the next getUpdates call moves the offset past
it. A crash re-delivers at most the unfinished batch, and relay jobs are idempotent per
(source chat, source message, destination, version).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

logger = logging.getLogger(__name__)


class DurablePoller:
    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        *,
        timeout: int = 10,
        allowed_updates: Sequence[str] | None = None,
        max_backoff: float = 30.0,
        batch: Callable[[], AbstractAsyncContextManager[object]] | None = None,
    ) -> None:
        self.app = app
        # Opened around the processing of each getUpdates response; the response is acknowledged only
        # after it closed without error (relay stages its jobs and stores them when it closes).
        self.batch = batch or contextlib.nullcontext
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else Update.ALL_TYPES
        self.max_backoff = max_backoff
        self.offset: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self.processed = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        self._stop.clear()
        self._task = asyncio.create_task(self._loop(), name="kembar-poller")

    async def stop(self) -> None:
        """Stop after the update being processed; acknowledge what was processed."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                # Confirms everything below offset; whatever it returns stays unacknowledged.
                await self.app.bot.get_updates(offset=self.offset, limit=1, timeout=0)

    async def wait(self) -> None:
        """Until the poller ends (stop(), or a fatal error such as a rejected token, which is re-raised)."""
        if self._task is not None:
            await self._task

    async def _fetch(self) -> tuple[Update, ...] | None:
        """getUpdates, abandoned (not acknowledged) when stop() is called during the long poll."""
        fetch = asyncio.ensure_future(
            self.app.bot.get_updates(
                offset=self.offset,
                timeout=timedelta(seconds=self.timeout),
                allowed_updates=self.allowed_updates,
                read_timeout=self.timeout + 10,
            )
        )
        stop = asyncio.ensure_future(self._stop.wait())
        done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        if fetch not in done:
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            return None
        stop.cancel()
        updates: tuple[Update, ...] = fetch.result()
        return updates

    async def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                updates = await self._fetch()
            except InvalidToken:
                raise
            except RetryAfter as exc:
                after = exc.retry_after
                await self._pause(after.total_seconds() if isinstance(after, timedelta) else float(after))
                continue
            except (TimedOut, NetworkError, Conflict) as exc:
                failures += 1
                delay = min(self.max_backoff, 0.5 * 2 ** min(failures, 8))
                logger.warning("getUpdates failed (%s); retrying in %.1fs", exc, delay)
                await self._pause(delay)
                continue
            if updates is None:
                return
            failures = 0
            if not updates:
                continue
            try:
                async with self.batch():
                    for update in updates:
                        # process_update runs the handlers and the error handler; an exception in a
                        # handler never escapes here, so one bad update cannot wedge the queue.
                        await self.app.process_update(update)
            except Exception:
                # Not acknowledged: Telegram delivers the batch again (relay jobs are idempotent).
                logger.exception("storing the work of %d updates failed; they will be delivered again", len(updates))
                await self._pause(self.max_backoff / 4)
                continue
            self.offset = updates[-1].update_id + 1
            self.processed += len(updates)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
