"""Announcements within a budget: what the features tell every group of a bridge (a new item, a change, an
indicator update) never takes more than a share of a group's sending budget, so relayed conversation
always keeps most of it.

Telegram lets a bot post about 20 messages a minute into one group (``KEMBAR_GROUP_RATE``). Each group
gets at most a quarter of that (``SHARE``: 5 announcements a minute), one at a time as they come while
there is room; beyond that they wait and go out together, as one message (the oldest first, each as it
would have been posted, up to one message's length; what does not fit is counted: "… and 7 more changes:
/actions"). Nothing is dropped without a word. Waiting announcements live in memory: a restart loses at
most those of the last minute (the changes themselves are stored; /actions, /indicators show them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.language.catalog import Catalog
from bot.language.htmltext import utf16_len
from bot.ports import Buttons, DeliveryError, Sender

logger = logging.getLogger(__name__)

SHARE = 0.25  # of a group's sending budget (KEMBAR_GROUP_RATE) that announcements may take
PER_MINUTE = 5  # announcements into one group a minute at Telegram's 20 messages a minute


def per_minute(group_rate: float) -> int:
    """Announcements a minute into one group, for a sending budget of ``group_rate`` messages a minute."""
    return max(1, int(group_rate * SHARE))
WINDOW = 60.0
TEXT_LIMIT = 4096
WAITING_MAX = 500  # announcements kept waiting per group; beyond, only counted
SEPARATOR = "\n\n"


@dataclass
class _Group:
    language: str
    sent: deque[float] = field(default_factory=deque)  # when the announcements of the last minute went out
    waiting: deque[str] = field(default_factory=deque)
    uncounted: int = 0  # beyond WAITING_MAX: only counted
    drain: asyncio.Task[None] | None = None


class Announcer:
    def __init__(
        self,
        sender: Sender,
        catalog: Catalog,
        *,
        per_minute: int = PER_MINUTE,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.sender = sender
        self.catalog = catalog
        self.per_minute = per_minute
        self.monotonic = monotonic
        self.sleep = sleep
        self._groups: dict[int, _Group] = {}
        self._lock = asyncio.Lock()

    async def announce(self, chat_id: int, language: str, html: str, buttons: Buttons | None = None) -> None:
        """Post ``html`` in the group now when its budget has room, else later, merged with the others
        waiting there (then without ``buttons``: the merged message is text)."""
        group = self._groups.setdefault(chat_id, _Group(language))
        group.language = language
        now = self.monotonic()
        self._forget_old(group, now)
        if not group.waiting and len(group.sent) < self.per_minute:
            group.sent.append(now)
            await self._send(chat_id, html, buttons)
            return
        if len(group.waiting) < WAITING_MAX:
            group.waiting.append(html)
        else:
            group.uncounted += 1
        if group.drain is None or group.drain.done():
            group.drain = asyncio.get_running_loop().create_task(self._drain(chat_id))

    def waiting(self, chat_id: int) -> int:
        group = self._groups.get(chat_id)
        return 0 if group is None else len(group.waiting) + group.uncounted

    async def flush(self, chat_id: int | None = None) -> int:
        """Send what waits (in ``chat_id``, or everywhere) if the budget has room now; messages sent."""
        sent = 0
        for key in [chat_id] if chat_id is not None else list(self._groups):
            group = self._groups.get(key)
            if group is None or not (group.waiting or group.uncounted):
                continue
            self._forget_old(group, self.monotonic())
            if len(group.sent) < self.per_minute:
                group.sent.append(self.monotonic())
                await self._send(key, self._merged(group), None)
                sent += 1
        return sent

    async def close(self) -> None:
        """Shutdown: what still waits goes out now, merged (once per group), whatever the budget."""
        tasks = [g.drain for g in self._groups.values() if g.drain is not None and not g.drain.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for key, group in list(self._groups.items()):
            if group.waiting or group.uncounted:
                await self._send(key, self._merged(group), None)

    # -- internals ---------------------------------------------------------------------------------

    def _forget_old(self, group: _Group, now: float) -> None:
        while group.sent and now - group.sent[0] >= WINDOW:
            group.sent.popleft()

    async def _drain(self, chat_id: int) -> None:
        group = self._groups[chat_id]
        while group.waiting or group.uncounted:
            now = self.monotonic()
            self._forget_old(group, now)
            if len(group.sent) >= self.per_minute:
                await self.sleep(max(0.0, group.sent[0] + WINDOW - now))
                continue
            await self.flush(chat_id)

    def _merged(self, group: _Group) -> str:
        """The waiting announcements as one message, the oldest first; what does not fit is counted."""
        parts: list[str] = []
        length = 0
        while group.waiting:
            nxt = group.waiting[0]
            added = utf16_len(nxt) + (utf16_len(SEPARATOR) if parts else 0)
            room = TEXT_LIMIT - 200  # the count line below
            if parts and length + added > room:
                break
            parts.append(group.waiting.popleft())
            length += added
        more = len(group.waiting) + group.uncounted
        if more:  # they stay counted here and are not sent later: the message says so
            group.waiting.clear()
            group.uncounted = 0
            parts.append(self.catalog.t("announce.more", group.language, count=more))
        return SEPARATOR.join(parts)

    async def _send(self, chat_id: int, html: str, buttons: Buttons | None) -> None:
        try:
            await self.sender.send_text(chat_id, html, buttons=buttons)
        except DeliveryError as exc:
            logger.warning("could not announce to chat %s: %s", chat_id, exc)
