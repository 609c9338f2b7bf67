"""Each group's extra days off (``/calendar off``): periods of days with a name, numbered per group. The rest of a
group's calendar (country, region, working week and hours) is on its chat row (storage/chats.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import LimitReached
from bot.domain.records import DayOff
from bot.domain.rules import DAY_OFF_NAME_MAX, DAY_OFF_SPAN_MAX
from storage._shared import rowcount
from storage.db import Database
from storage.models import ChatRow, DayOffRow, utcnow


def checked_day_off(first: date, last: date, name: str) -> None:
    """ValueError for a period Kembar does not store (the features refuse it first, in the group's language)."""
    if last < first or (last - first).days + 1 > DAY_OFF_SPAN_MAX:
        raise ValueError(f"a period off is 1 to {DAY_OFF_SPAN_MAX} days, not {first} … {last}")
    if len(name) > DAY_OFF_NAME_MAX:
        raise ValueError(f"a day off's name is at most {DAY_OFF_NAME_MAX} characters")


class CalendarRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def days_off(self, chat_ids: Sequence[int]) -> dict[int, tuple[DayOff, ...]]:
        """Each chat's extra days off, earliest first (a chat without any maps to ``()``)."""
        found: dict[int, list[DayOff]] = {chat_id: [] for chat_id in chat_ids}
        if not chat_ids:
            return {}
        async with self.db.session() as session:
            rows = await session.scalars(
                select(DayOffRow)
                .where(DayOffRow.chat_id.in_(list(chat_ids)))
                .order_by(DayOffRow.first_day, DayOffRow.number)
            )
            for row in rows:
                found[row.chat_id].append(_day_off(row))
        return {chat_id: tuple(days) for chat_id, days in found.items()}

    async def add_day_off(
        self, chat_id: int, first: date, last: date, name: str, created_by: int | None, *, limit: int
    ) -> DayOff:
        """A new period off, numbered after the chat's highest; ``LimitReached`` when it has ``limit`` already,
        ``LookupError`` when the chat is not known. Counted and numbered under the chat's lock: two at once queue."""
        checked_day_off(first, last, name)
        async with self.db.session() as session:
            await self._lock_chat(session, chat_id)
            count = await session.scalar(select(func.count()).where(DayOffRow.chat_id == chat_id))
            if (count or 0) >= limit:
                raise LimitReached(limit)
            highest = await session.scalar(select(func.max(DayOffRow.number)).where(DayOffRow.chat_id == chat_id))
            row = DayOffRow(
                chat_id=chat_id,
                number=(highest or 0) + 1,
                first_day=first,
                last_day=last,
                name=name,
                created_by=created_by,
                created_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return _day_off(row)

    async def _lock_chat(self, session: AsyncSession, chat_id: int) -> None:
        """Lock the chat's row until the transaction ends; LookupError when there is none."""
        if self.db.engine.dialect.name == "sqlite":
            # A write first: it takes the write lock (waiting its turn) before the count is read.
            touched = await session.execute(
                update(ChatRow)
                .where(ChatRow.id == chat_id)
                .values(id=ChatRow.id)
                .execution_options(synchronize_session=False)
            )
            found = rowcount(touched) > 0
        else:  # NO KEY UPDATE: rows that refer to the chat can still be added meanwhile
            locked = select(ChatRow.id).where(ChatRow.id == chat_id).with_for_update(key_share=True)
            found = await session.scalar(locked) is not None
        if not found:
            raise LookupError(f"chat {chat_id} is not known")

    async def remove_day_off(self, chat_id: int, number: int) -> DayOff | None:
        """Remove period off #``number`` of the chat; what was removed (None: there was none)."""
        async with self.db.session() as session:
            row = await session.scalar(
                select(DayOffRow).where(DayOffRow.chat_id == chat_id, DayOffRow.number == number)
            )
            if row is None:
                return None
            removed = _day_off(row)
            await session.execute(delete(DayOffRow).where(DayOffRow.id == row.id))
            return removed


def _day_off(row: DayOffRow) -> DayOff:
    return DayOff(number=row.number, first=row.first_day, last=row.last_day, name=row.name)
