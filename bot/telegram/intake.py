"""The intake: what happens to updates taken from Telegram, by long polling (bot.telegram.polling) or by webhook
(bot.telegram.web). Either way an update is acknowledged — the next getUpdates offset, or the webhook's 200 —
only once its work is safe:

- **Relay messages** of a chat with nothing else under way are processed at once, inside a relay batch:
  their jobs are committed to the outbox before the acknowledgement. A crash re-delivers at most the
  unacknowledged updates, and relay jobs are idempotent per (source chat, source message, destination,
  version).
- **Everything else** (commands, buttons, membership changes, and the relay messages of a chat whose
  lane is busy) is stored in the inbox first, then acknowledged, then processed in its chat's lane: one
  lane per chat, so a chat's updates keep their order while a slow command in one chat never holds up
  another chat. The inbox marks an update started before it runs, so a redelivered update or one a
  crash interrupted is never processed a second time (at most once). Updates taken by an instance
  that is gone are adopted by a live one (:meth:`Intake.adopt`).
- **A failure before an update's work is stored** fails the update's batch as a whole: the chat's context
  could not be loaded (``NotStarted``, which bot.telegram.app lets out of ``process_update``: the database
  away or locked while ``ChatDirectory.arrive`` stores the chat or the person), or the relay jobs or the
  inbox rows could not be stored. The batch is not acknowledged (the poller's offset stays, the webhook
  answers 503) and Telegram sends it again; in a lane the run is released and tried again. Nothing of the
  failed update ran, and what earlier updates of the batch stored is stored idempotently (relay job keys,
  the inbox's update ids), so nothing is lost and nothing runs twice. A failure of an update's own work
  once it ran (a command that raised) goes to the error handler (handlers.errors) as before.
- An update python-telegram-bot cannot parse is set aside in the inbox (quarantined, raw JSON kept for
  the operator) and acknowledged, instead of being offered again forever; so is one whose handling could
  not begin ``NOT_STARTED_ATTEMPTS`` times in a row while the database could store it aside, so that one
  update that can never begin does not hold up the others for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType
from telegram.ext import Application

from bot.domain.records import InboxItem, Liveness
from bot.ops import metrics

logger = logging.getLogger(__name__)

LANE_STOP_SECONDS = 10.0  # how long stop() lets the lanes finish the update at hand
LANE_BATCH_MAX = 100  # relay messages of a lane processed as one relay batch
MAX_BACKOFF = 30.0
NOT_STARTED_ATTEMPTS = 10  # an update whose handling could not begin this often in a row is set aside
NOT_STARTED_REMEMBERED = 1000  # updates whose failures are counted at once


class Inbox(Protocol):
    async def store(self, items: Sequence[InboxItem], holder: str | None = None) -> list[int]: ...

    async def start(self, update_ids: Sequence[int]) -> set[int]: ...

    async def release(self, update_ids: Sequence[int]) -> None: ...

    async def finish(self, update_ids: Sequence[int]) -> None: ...

    async def adopt(self, live: Liveness) -> tuple[int, list[InboxItem]]: ...

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


class Intake:
    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        *,
        batch: Callable[[], AbstractAsyncContextManager[object]] | None = None,
        inbox: Callable[[], Inbox | None] | None = None,
        live: Callable[[], Liveness | None] | None = None,
        max_backoff: float = MAX_BACKOFF,
    ) -> None:
        self.app = app
        # Opened around the inline processing of updates; they are acknowledged only after it closed
        # without error (relay stages its jobs and stores them when it closes).
        self.batch = batch or contextlib.nullcontext
        # The inbox of updates processed after their acknowledgement (None: everything inline, in order).
        self.inbox = inbox or (lambda: None)
        self.live = live or (lambda: None)
        self.max_backoff = max_backoff
        self._stop = asyncio.Event()
        self._lanes: dict[int, deque[Update]] = {}
        self._lane_tasks: dict[int, asyncio.Task[None]] = {}
        self.processed = 0
        self.quarantined = 0
        self._not_started: dict[int, int] = {}  # update id → times in a row its handling could not begin

    @property
    def busy(self) -> bool:
        """Some chat's lane still has updates to process."""
        return bool(self._lanes)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    async def adopt(self) -> int:
        """Run the updates of gone instances (or of this one's earlier run) that were acknowledged but not
        started; abandon those a crash interrupted. How many were taken."""
        inbox, live = self.inbox(), self.live()
        if inbox is None or live is None or self._stop.is_set():
            return 0
        abandoned, items = await inbox.adopt(live)
        if abandoned:
            logger.warning("%d update(s) were interrupted by a stop and are not run again", abandoned)
        for item in items:
            self._enqueue(item.chat_key, Update.de_json(item.payload, self.app.bot))
        return len(items)

    async def stop(self) -> None:
        """Let the lanes finish the update at hand (what is left stays in the inbox)."""
        self._stop.set()
        lanes = list(self._lane_tasks.values())
        if lanes:
            _, late = await asyncio.wait(lanes, timeout=LANE_STOP_SECONDS)
            for task in late:  # their updates stay in the inbox: started ones are abandoned, the rest resume
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    # ---- taking updates --------------------------------------------------------------------------
    async def set_aside(self, update_id: int, data: dict[str, Any], error: str) -> None:
        """Keep an update for the operator instead of running it (raises when the inbox cannot store it)."""
        inbox = self.inbox()
        if inbox is not None:
            await inbox.quarantine(update_id, data, error)
        self.quarantined += 1
        logger.error("update %s set aside (%s)", update_id, error.split(":", 1)[0])

    async def take_payload(self, data: dict[str, Any]) -> None:
        """One update as a webhook brings it: returns once its work is safe (then it may be answered 200);
        raises when it is not (answer an error: Telegram sends it again)."""
        update_id = data.get("update_id")
        if not isinstance(update_id, int):
            raise ValueError("an update without an update_id")
        try:
            update = Update.de_json(data, self.app.bot)
            if update is None:
                raise ValueError("empty update")
        except Exception as exc:
            await self.set_aside(update_id, data, f"{type(exc).__name__}: {exc}")
            return
        self.enqueue(await self.take([update]))

    async def take(self, updates: Sequence[Update]) -> list[tuple[int, Update]]:
        """Process the inline updates and store the others in the inbox; returns the new ones, to hand to
        :meth:`enqueue` once the updates are acknowledged. Raises when the work could not be stored."""
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
                await self._process(update)  # raises when the update could not begin: the batch fails
        self.processed += len(inline)
        metrics.UPDATES.labels(how="inline").inc(len(inline))
        if not queued or inbox is None:
            return []
        live = self.live()
        items = [InboxItem(update.update_id, key, update.to_dict()) for key, update in queued]
        fresh = set(await inbox.store(items, live.me if live is not None else None))
        return [(key, update) for key, update in queued if update.update_id in fresh]

    def enqueue(self, queued: Sequence[tuple[int, Update]]) -> None:
        for key, update in queued:
            self._enqueue(key, update)

    # ---- lanes -----------------------------------------------------------------------------------
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
                    await self.pause(min(self.max_backoff, 0.5 * 2 ** min(failures, 8)))
                    if self._stop.is_set():
                        return
                for _ in range(run):
                    lane.popleft()
        finally:
            if not lane or self._stop.is_set():
                self._lanes.pop(key, None)
                if self._lane_tasks.get(key) is asyncio.current_task():
                    self._lane_tasks.pop(key, None)

    async def _process(self, update: Update) -> bool:
        """Run the update's handlers: True once it ran (its own failures went to the error handler), False
        when it was set aside instead; raises when its handling could not begin (its batch fails), except
        the ``NOT_STARTED_ATTEMPTS``-th time in a row, when it is set aside."""
        update_id = update.update_id
        try:
            await self.app.process_update(update)
        except Exception as exc:
            failures = self._not_started.pop(update_id, 0) + 1
            self._not_started[update_id] = failures  # the newest last: the oldest is forgotten first
            while len(self._not_started) > NOT_STARTED_REMEMBERED:
                del self._not_started[next(iter(self._not_started))]
            if failures < NOT_STARTED_ATTEMPTS:
                raise
            reason = f"{type(exc).__name__}: {exc} ({failures} times in a row)"
            await self.set_aside(update_id, update.to_dict(), reason)  # raises when the database is away
            self._not_started.pop(update_id, None)
            return False
        self._not_started.pop(update_id, None)
        return True

    async def _run(self, updates: Sequence[Update]) -> bool:
        """Process a run of a lane; False when it could not begin or its relay work could not be stored (the
        run is tried again: the updates that did not run are released, those that ran are stored
        idempotently)."""
        inbox = self.inbox()
        ids = [update.update_id for update in updates]
        try:
            claimed = await inbox.start(ids) if inbox is not None else set(ids)
        except Exception:
            logger.exception("the inbox could not be read for updates %s", ids)
            return False
        set_aside: set[int] = set()
        try:
            async with self.batch():
                for update in updates:
                    if update.update_id in claimed:  # one taken before is never run twice
                        if not await self._process(update):
                            set_aside.add(update.update_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # not begun, or the relay jobs not stored: these updates go again, later
            logger.exception("the work of updates %s could not begin or be stored; trying again", ids)
            with contextlib.suppress(Exception):
                if inbox is not None:
                    await inbox.release(sorted(claimed))
            return False
        try:
            if inbox is not None:
                await inbox.finish(sorted(claimed - set_aside))
        except Exception:  # processed; at worst marked abandoned after a restart, never run twice
            logger.exception("updates %s were processed but could not be marked done", ids)
        self.processed += len(updates)
        metrics.UPDATES.labels(how="queued").inc(len(claimed))
        return True

    async def pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
