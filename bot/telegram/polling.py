"""Durable long polling: an update is acknowledged to Telegram only once its work is safe (bot.telegram.intake says
what that means for each kind of update). python-telegram-bot's Updater acknowledges a batch (by asking
for the next offset) while the handlers may still be working on it, so a crash loses those updates; here
the next getUpdates call, which moves the offset past a response, is made only after the intake took it:
the offset moves past a response only once every update in it is stored, the ones set aside as unreadable
included; when any of that fails (the database away), the whole response comes again.

With several instances (bot.ops.cluster) only the leader polls; the others wait at :attr:`DurablePoller.lead`
and one of them takes over when the leader is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.telegram.intake import Intake
from bot.telegram.intake import chat_key as chat_key
from bot.telegram.intake import is_relay_message as is_relay_message

logger = logging.getLogger(__name__)

LEAD_RETRY_SECONDS = 1.0  # how often a standby tries for the lead


async def _always() -> bool:
    return True


@dataclass(frozen=True)
class Fetched:
    """One getUpdates response: the updates read, and those python-telegram-bot could not read
    (update id, raw JSON, the error), which are set aside."""

    updates: tuple[Update, ...]
    unreadable: tuple[tuple[int, dict[str, Any], str], ...] = ()

    @property
    def next_offset(self) -> int | None:
        """The offset that acknowledges the whole response (None when it is empty)."""
        ids = [update.update_id for update in self.updates] + [update_id for update_id, _, _ in self.unreadable]
        return max(ids) + 1 if ids else None


class DurablePoller:
    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        intake: Intake,
        *,
        timeout: int = 10,
        allowed_updates: list[str] | None = None,
        max_backoff: float = 30.0,
        lead: Callable[[], Awaitable[bool]] = _always,
    ) -> None:
        self.app = app
        self.intake = intake
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else Update.ALL_TYPES
        self.max_backoff = max_backoff
        self.lead = lead  # True once this instance may poll (it leads); asked until it does
        self.offset: int | None = None
        self.polling = False  # this instance leads and polls
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def processed(self) -> int:
        return self.intake.processed

    @property
    def quarantined(self) -> int:
        return self.intake.quarantined

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def busy(self) -> bool:
        """Some chat's lane still has updates to process."""
        return self.intake.busy

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._run(), name="kembar-poller")

    async def _run(self) -> None:
        while not await self.lead():  # a standby: the leader polls
            await self._pause(LEAD_RETRY_SECONDS)
            if self._stop.is_set():
                return
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        await self.intake.adopt()  # acknowledged before a stop (or by a leader now gone), never started
        self.polling = True
        try:
            await self._loop()
        finally:
            self.polling = False

    async def stop(self) -> None:
        """Stop polling, let the lanes finish the update at hand, acknowledge what was taken."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.intake.stop()
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                # Confirms everything below offset; whatever it returns stays unacknowledged.
                await self.app.bot.get_updates(offset=self.offset, limit=1, timeout=0)

    async def wait(self) -> None:
        """Until the poller ends (stop(), or a fatal error such as a rejected token, which is re-raised)."""
        if self._task is not None:
            await self._task

    # ---- fetching --------------------------------------------------------------------------------
    async def _fetch(self) -> Fetched | None:
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
        try:
            updates: tuple[Update, ...] = fetch.result()
        except (TelegramError, asyncio.CancelledError):
            raise
        except Exception as exc:  # python-telegram-bot could not parse the answer
            logger.error("an update could not be read (%s); fetching them one by one", type(exc).__name__)
            return await self._fetch_each()
        return Fetched(updates)

    async def _fetch_each(self) -> Fetched:
        """The same updates as raw JSON, parsed one at a time; the unreadable ones are returned apart, to be
        set aside with the others' work (the offset moves past none of them before)."""
        with warnings.catch_warnings():  # python-telegram-bot warns that getUpdates has its own method
            warnings.simplefilter("ignore")
            raw = await self.app.bot.do_api_request(
                "getUpdates",
                api_kwargs={"offset": self.offset, "timeout": 0, "allowed_updates": self.allowed_updates},
            )
        parsed: list[Update] = []
        unreadable: list[tuple[int, dict[str, Any], str]] = []
        for data in raw if isinstance(raw, list) else []:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            try:
                update = Update.de_json(data, self.app.bot)
                if update is None:
                    raise ValueError("empty update")
                parsed.append(update)
            except Exception as exc:
                if not isinstance(update_id, int):
                    raise  # nothing to acknowledge it by: a fault of the API itself
                unreadable.append((update_id, data, f"{type(exc).__name__}: {exc}"))
        return Fetched(tuple(parsed), tuple(unreadable))

    # ---- processing ------------------------------------------------------------------------------
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
            offset = updates.next_offset
            if offset is None:
                continue
            try:
                for update_id, data, error in updates.unreadable:
                    await self.intake.set_aside(update_id, data, error)
                queued = await self.intake.take(updates.updates) if updates.updates else []
            except Exception:
                # Not acknowledged: Telegram delivers the response again (relay jobs are idempotent, the
                # inbox knows the updates it took or set aside).
                count = len(updates.updates) + len(updates.unreadable)
                logger.exception("storing the work of %d updates failed; they will be delivered again", count)
                await self._pause(self.max_backoff / 4)
                continue
            self._advance(offset)
            self.intake.enqueue(queued)

    def _advance(self, offset: int) -> None:
        """Acknowledge everything below ``offset`` (with the next getUpdates call)."""
        self.offset = offset

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
