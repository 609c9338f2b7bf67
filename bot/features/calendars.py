"""Every city's calendar as the features see it: a group's :class:`~bot.language.calendars.WorkCalendar` built
from its chat row and its extra days off, kept for a short while (the reminder sweep asks for it per reminder).
The rules themselves are pure and live in :mod:`bot.language.calendars`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from bot.context import zone_of
from bot.domain.records import Chat, DayOff
from bot.domain.repositories import CalendarRepository
from bot.language.calendars import WorkCalendar, calendar_of

CACHE_SECONDS = 30.0  # how long a group's days off are kept in memory (changes made here clear it at once)
CACHE_MAX = 5000


class Calendars:
    """The groups' calendars. ``of(chat)`` is cheap after the first call for a group (its extra days off are
    cached for ``CACHE_SECONDS``; the chat row itself is the caller's, so a changed zone or week counts at once)."""

    def __init__(self, stored: CalendarRepository, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.stored = stored
        self.monotonic = monotonic
        self._extra: dict[int, tuple[float, tuple[DayOff, ...]]] = {}

    async def of(self, chat: Chat) -> WorkCalendar:
        return (await self.of_many((chat,)))[chat.id]

    async def of_many(self, chats: Iterable[Chat]) -> dict[int, WorkCalendar]:
        chats = list(chats)
        now = self.monotonic()
        missing = [c.id for c in chats if (kept := self._extra.get(c.id)) is None or now - kept[0] > CACHE_SECONDS]
        if missing:
            found = await self.stored.days_off(missing)
            if len(self._extra) + len(missing) > CACHE_MAX:
                self._extra.clear()
            for chat_id in missing:
                self._extra[chat_id] = (now, found.get(chat_id, ()))
        return {chat.id: calendar_of(chat, zone_of(chat), self._extra[chat.id][1]) for chat in chats}

    def changed(self, chat_id: int) -> None:
        """The group's days off changed (here): read them again next time."""
        self._extra.pop(chat_id, None)
