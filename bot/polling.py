"""Durable long polling: an update is acknowledged to Telegram only once its work is safe.

python-telegram-bot's Updater acknowledges a batch (by asking for the next offset) while the handlers
may still be working on it, so a crash loses those updates. Here, for each getUpdates response:

- **Relay messages** of a chat with nothing else under way are processed at once, inside the relay
  batch: their jobs are committed to the outbox before the next getUpdates call moves the offset past
  them. A crash re-delivers at most the unfinished response, and relay jobs are idempotent per (source
  chat, source message, destination, version).
- **Everything else** (commands, buttons, membership changes, and the relay messages of a chat whose
  lane is busy) is stored in the inbox first, then acknowledged, then processed in its chat's lane:
  one lane per chat, so a chat's updates keep their order while a slow command in one chat never holds
  up another chat. The inbox marks an update started before it runs, so a redelivered update or one a
  crash interrupted is never processed a second time (at most once).
- An update python-telegram-bot cannot parse is set aside in the inbox (quarantined, raw JSON kept for
  the operator) and acknowledged, instead of stopping the bot on every restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any, Protocol

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from storage.inbox import InboxItem

logger = logging.getLogger(__name__)

LANE_STOP_SECONDS = 10.0  # how long stop() lets the lanes finish the update at hand
LANE_BATCH_MAX = 100  # relay messages of a lane processed as one relay batch


class Inbox(Protocol):
    async def store(self, items: Sequence[InboxItem]) -> list[int]: ...

    async def start(self, update_ids: Sequence[int]) -> set[int]: ...

    async def release(self, update_ids: Sequence[int]) -> None: ...

    async def finish(self, update_ids: Sequence[int]) -> None: ...

    async def pending(self) -> list[InboxItem]: ...

    async def abandon_started(self) -> int: ...

    async def quarantine(self, update_id: int, payload: dict[str, Any], error: str) -> None: ...


def chat_key(update: Update) -> int:
    """The lane of an update: its chat, else its user, else 0."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return 0


def is_relay_message(update: Update) -> bool:
    """A plain group message (new or edited) that only the relay handles: no command, no service message."""
    message: Message | None = update.message or update.edited_message
    if message is None or message.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return False
    entities = message.entities or message.caption_entities
    if entities and entities[0].type == MessageEntityType.BOT_COMMAND and entities[0].offset == 0:
        return False
    if message.migrate_to_chat_id or message.migrate_from_chat_id or message.new_chat_members:
        return False
    return message.text is not None or message.caption is not None or message.effective_attachment is not None


class DurablePoller:
    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        *,
        timeout: int = 10,
        allowed_updates: Sequence[str] | None = None,
        max_backoff: float = 30.0,
        batch: Callable[[], AbstractAsyncContextManager[object]] | None = None,
        inbox: Callable[[], Inbox | None] | None = None,
    ) -> None:
        self.app = app
        # Opened around the inline processing of each getUpdates response; the response is acknowledged
        # only after it closed without error (relay stages its jobs and stores them when it closes).
        self.batch = batch or contextlib.nullcontext
        # The inbox of updates processed after their acknowledgement (None: everything inline, in order).
        self.inbox = inbox or (lambda: None)
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else Update.ALL_TYPES
        self.max_backoff = max_backoff
        self.offset: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._lanes: dict[int, deque[Update]] = {}
        self._lane_tasks: dict[int, asyncio.Task[None]] = {}
        self.processed = 0
        self.quarantined = 0

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def busy(self) -> bool:
        """Some chat's lane still has updates to process."""
        return bool(self._lanes)

    async def start(self) -> None:
        await self.app.bot.delete_webhook(drop_pending_updates=False)
        inbox = self.inbox()
        if inbox is not None:
            abandoned = await inbox.abandon_started()
            if abandoned:
                logger.warning("%d update(s) were interrupted by a stop and are not run again", abandoned)
            for item in await inbox.pending():  # acknowledged before a stop, never started
                self._enqueue(item.chat_key, Update.de_json(item.payload, self.app.bot))
        self._stop.clear()
        self._task = asyncio.create_task(self._loop(), name="kembar-poller")

    async def stop(self) -> None:
        """Stop polling, let the lanes finish the update at hand, acknowledge what was taken."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        lanes = list(self._lane_tasks.values())
        if lanes:
            _, late = await asyncio.wait(lanes, timeout=LANE_STOP_SECONDS)
            for task in late:  # their updates stay in the inbox: started ones are abandoned, the rest resume
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self.offset is not None:
            with contextlib.suppress(TelegramError):
                # Confirms everything below offset; whatever it returns stays unacknowledged.
                await self.app.bot.get_updates(offset=self.offset, limit=1, timeout=0)

    async def wait(self) -> None:
        """Until the poller ends (stop(), or a fatal error such as a rejected token, which is re-raised)."""
        if self._task is not None:
            await self._task

    # ---- fetching --------------------------------------------------------------------------------
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
        try:
            updates: tuple[Update, ...] = fetch.result()
        except (TelegramError, asyncio.CancelledError):
            raise
        except Exception as exc:  # python-telegram-bot could not parse the answer
            logger.error("an update could not be read (%s); fetching them one by one", type(exc).__name__)
            return await self._fetch_each()
        return updates

    async def _fetch_each(self) -> tuple[Update, ...]:
        """The same updates as raw JSON, parsed one at a time; the unreadable ones are set aside."""
        with warnings.catch_warnings():  # python-telegram-bot warns that getUpdates has its own method
            warnings.simplefilter("ignore")
            raw = await self.app.bot.do_api_request(
                "getUpdates",
                api_kwargs={"offset": self.offset, "timeout": 0, "allowed_updates": self.allowed_updates},
            )
        parsed: list[Update] = []
        inbox = self.inbox()
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
                self.quarantined += 1
                logger.error("update %s set aside: it cannot be read (%s)", update_id, type(exc).__name__)
                if inbox is not None:
                    await inbox.quarantine(update_id, data, f"{type(exc).__name__}: {exc}")
                self.offset = max(self.offset or 0, update_id + 1)
        return tuple(parsed)

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
            if not updates:
                continue
            try:
                queued = await self._take(updates)
            except Exception:
                # Not acknowledged: Telegram delivers the response again (relay jobs are idempotent, the
                # inbox knows the updates it took).
                logger.exception("storing the work of %d updates failed; they will be delivered again", len(updates))
                await self._pause(self.max_backoff / 4)
                continue
            self._advance(updates[-1].update_id + 1)
            for key, update in queued:
                self._enqueue(key, update)

    async def _take(self, updates: Sequence[Update]) -> list[tuple[int, Update]]:
        """Process the inline updates and store the others in the inbox; the new ones to run in lanes."""
        inbox = self.inbox()
        inline: list[Update] = []
        queued: list[tuple[int, Update]] = []
        waiting = set(self._lanes)
        for update in updates:
            key = chat_key(update)
            if inbox is None or (key not in waiting and is_relay_message(update)):
                inline.append(update)
            else:
                queued.append((key, update))
                waiting.add(key)
        async with self.batch():
            for update in inline:
                # process_update runs the handlers and the error handler; an exception in a handler never
                # escapes here, so one bad update cannot wedge the queue.
                await self.app.process_update(update)
        self.processed += len(inline)
        if not queued or inbox is None:
            return []
        items = [InboxItem(update.update_id, key, update.to_dict()) for key, update in queued]
        fresh = set(await inbox.store(items))
        return [(key, update) for key, update in queued if update.update_id in fresh]

    def _advance(self, offset: int) -> None:
        """Acknowledge everything below ``offset`` (with the next getUpdates call)."""
        self.offset = offset

    def _enqueue(self, key: int, update: Update) -> None:
        lane = self._lanes.setdefault(key, deque())
        lane.append(update)
        task = self._lane_tasks.get(key)
        if task is None or task.done():
            self._lane_tasks[key] = asyncio.create_task(self._lane(key), name=f"kembar-lane:{key}")

    async def _lane(self, key: int) -> None:
        """One chat's updates in order: one at a time, except that relay messages waiting one after the
        other go together (one relay batch)."""
        lane = self._lanes[key]
        try:
            while lane:
                run = 1
                if is_relay_message(lane[0]):
                    while run < LANE_BATCH_MAX and run < len(lane) and is_relay_message(lane[run]):
                        run += 1
                failures = 0
                while not await self._run([lane[index] for index in range(run)]):
                    failures += 1  # relay jobs that could not be stored: tried again, never lost
                    await self._pause(min(self.max_backoff, 0.5 * 2 ** min(failures, 8)))
                    if self._stop.is_set():
                        return
                for _ in range(run):
                    lane.popleft()
        finally:
            if not lane or self._stop.is_set():
                self._lanes.pop(key, None)
                if self._lane_tasks.get(key) is asyncio.current_task():
                    self._lane_tasks.pop(key, None)

    async def _run(self, updates: Sequence[Update]) -> bool:
        """Process a run of a lane; False when relay work could not be stored (the run is tried again)."""
        inbox = self.inbox()
        ids = [update.update_id for update in updates]
        try:
            claimed = await inbox.start(ids) if inbox is not None else set(ids)
        except Exception:
            logger.exception("the inbox could not be read for updates %s", ids)
            return False
        try:
            async with self.batch():
                for update in updates:
                    if update.update_id in claimed:  # one taken before is never run twice
                        await self.app.process_update(update)
        except asyncio.CancelledError:
            raise
        except Exception:  # the relay jobs were not stored: these relay messages go again, later
            logger.exception("storing the relay work of updates %s failed; trying again", ids)
            with contextlib.suppress(Exception):
                if inbox is not None:
                    await inbox.release(sorted(claimed))
            return False
        try:
            if inbox is not None:
                await inbox.finish(sorted(claimed))
        except Exception:  # processed; at worst marked abandoned after a restart, never run twice
            logger.exception("updates %s were processed but could not be marked done", ids)
        self.processed += len(updates)
        return True

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
