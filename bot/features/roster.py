"""Who was seen in which group, and when last: the people a leaving coordinator's items may be handed to, the brief's
"who is who", the bridges a person's private ``/brief`` covers. Written at most once per ``EVERY`` per person and group
(not on every message), forgotten ``PEOPLE_SEEN_KEPT_DAYS`` after they were last seen (bot/features/privacy.py)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from bot.domain.continuity import RosterRepository, SeenPerson
from bot.domain.rules import PERSON_NAME_MAX

logger = logging.getLogger(__name__)

EVERY = timedelta(minutes=10)  # a person's "last seen" in a group is written at most this often
REMEMBERED = 20_000  # (group, person) pairs whose last write is remembered in memory


class Roster:
    def __init__(self, repository: RosterRepository, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.repository = repository
        self.clock = clock
        self._written: OrderedDict[tuple[int, int], tuple[datetime, str, str | None]] = OrderedDict()

    async def seen(self, chat_id: int, user_id: int, name: str, username: str | None) -> None:
        """The person posted or pressed in the group now. A failure is logged, never raised: it must not stop the
        update it came with."""
        now = self.clock()
        key = (chat_id, user_id)
        name = name[:PERSON_NAME_MAX]
        last = self._written.get(key)
        if last is not None and now - last[0] < EVERY and last[1:] == (name, username):
            return
        try:
            await self.repository.seen_many([SeenPerson(chat_id, user_id, name, username, now)])
        except Exception:
            logger.warning("could not remember who was seen in chat %s", chat_id, exc_info=True)
            return
        self._written[key] = (now, name, username)
        self._written.move_to_end(key)
        while len(self._written) > REMEMBERED:
            self._written.popitem(last=False)

    async def gone(self, chat_id: int, user_id: int) -> None:
        self._written.pop((chat_id, user_id), None)
        await self.repository.gone(chat_id, user_id)

    async def recent(self, chat_ids: Collection[int], *, since: datetime | None, limit: int) -> list[SeenPerson]:
        return await self.repository.recent(chat_ids, since=since, limit=limit)

    async def get(self, chat_id: int, user_id: int) -> SeenPerson | None:
        return await self.repository.get(chat_id, user_id)

    async def chats_of(self, user_id: int) -> list[int]:
        return await self.repository.chats_of(user_id)

    async def purge(self, before: datetime) -> int:
        self._written.clear()
        return await self.repository.purge(before)
