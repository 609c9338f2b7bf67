"""Activity without message text: per group and day, how many messages it relayed out and received. The day is
the group's own: a message counts for the local day of the group it was posted in (sent) and of the group it
was delivered to (received), in that group's time zone (``bot.context.zone_of``), which the caller knows.

Counting is in memory and cheap (the relay's hot path only adds one to a dict); the counts are written to the
database (one statement for all groups) at most every ``FLUSH_SECONDS``, before a report is made, and at
shutdown. A crash loses at most that many seconds of counts — never a message, and never any text (none is
looked at).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from bot.domain.records import ActivityDay
from bot.domain.repositories import ActivityRepository

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 30.0


class ActivityCounter:
    def __init__(
        self,
        repository: ActivityRepository,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        flush_seconds: float = FLUSH_SECONDS,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.monotonic = monotonic
        self.flush_seconds = flush_seconds
        self._counts: dict[tuple[int, date], list[int]] = {}
        self._zones: dict[str, tzinfo] = {}  # IANA name → zone, so the hot path does not build one per message
        self._last_flush = monotonic()
        self._flushing: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def sent(self, chat_id: int, zone: str | None = None) -> None:
        """A message of ``chat_id`` was relayed out (once per message, whatever the number of partners); it
        counts for the day it is in ``zone``, the group's IANA time zone (None: UTC)."""
        self._add(chat_id, zone, 0)

    def received(self, chat_id: int, zone: str | None = None) -> None:
        """A message from a partner was delivered into ``chat_id``; it counts for the day it is in ``zone``,
        that group's IANA time zone (None: UTC)."""
        self._add(chat_id, zone, 1)

    def _zone(self, name: str | None) -> tzinfo:
        if name is None:
            return UTC
        found = self._zones.get(name)
        if found is None:
            try:
                found = ZoneInfo(name)
            except (ValueError, KeyError):  # not a zone (stored zones are checked by /tz): the UTC day
                logger.warning("unknown time zone %r: activity counted on UTC days", name)
                found = UTC
            self._zones[name] = found
        return found

    def _add(self, chat_id: int, zone: str | None, index: int) -> None:
        key = (chat_id, self.clock().astimezone(self._zone(zone)).date())
        counts = self._counts.setdefault(key, [0, 0])
        counts[index] += 1
        if self.monotonic() - self._last_flush >= self.flush_seconds and self._flushing is None:
            self._last_flush = self.monotonic()
            try:
                self._flushing = asyncio.get_running_loop().create_task(self._background_flush())
            except RuntimeError:  # no loop (a synchronous caller): the next flush() writes it
                pass

    async def _background_flush(self) -> None:
        try:
            await self.flush()
        except Exception:  # the database is down: the counts stay for the next flush
            logger.warning("writing activity counts failed; kept for the next try", exc_info=True)
        finally:
            self._flushing = None

    async def flush(self) -> None:
        """Write what was counted since the last flush: one statement for every group and day counted."""
        async with self._lock:
            counts, self._counts = self._counts, {}
            self._last_flush = self.monotonic()
            if not counts:
                return
            try:
                await self.repository.count_many({key: (sent, received) for key, (sent, received) in counts.items()})
            except BaseException:
                for key, (sent, received) in counts.items():  # nothing was written: keep it all for the next try
                    kept = self._counts.setdefault(key, [0, 0])
                    kept[0] += sent
                    kept[1] += received
                raise

    async def between(self, chat_ids: Collection[int], start: date, end: date) -> list[ActivityDay]:
        """The written counts of these groups from ``start`` to ``end`` (exclusive): ``flush`` first for the
        latest."""
        return await self.repository.between(chat_ids, start, end)

    async def last_exchange(
        self, chat_ids: Collection[int], *, sent: bool = False, before: date | None = None
    ) -> date | None:
        """The last day (each group's own) any of these groups received a relayed message, or with ``sent``
        also relayed one out; with ``before``, the last day before it (as written)."""
        return await self.repository.last_exchange(chat_ids, sent=sent, before=before)

    @property
    def pending(self) -> int:
        return len(self._counts)
