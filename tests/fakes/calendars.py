"""Each group's extra days off in memory (storage/calendars.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from bot.domain.errors import LimitReached
from bot.domain.records import DayOff
from storage.calendars import checked_day_off

if TYPE_CHECKING:
    from tests.fakes.memory import Memory


class FakeCalendarRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, list[DayOff]] = {}

    async def days_off(self, chat_ids: Sequence[int]) -> dict[int, tuple[DayOff, ...]]:
        return {
            chat_id: tuple(sorted(self.rows.get(chat_id, ()), key=lambda off: (off.first, off.number)))
            for chat_id in chat_ids
        }

    async def add_day_off(
        self, chat_id: int, first: date, last: date, name: str, created_by: int | None, *, limit: int
    ) -> DayOff:
        checked_day_off(first, last, name)
        if chat_id not in self.memory.chats.rows:
            raise LookupError(f"chat {chat_id} is not known")
        kept = self.rows.setdefault(chat_id, [])
        if len(kept) >= limit:
            raise LimitReached(limit)
        off = DayOff(number=max((o.number for o in kept), default=0) + 1, first=first, last=last, name=name)
        kept.append(off)
        return off

    async def remove_day_off(self, chat_id: int, number: int) -> DayOff | None:
        kept = self.rows.get(chat_id, [])
        found = next((off for off in kept if off.number == number), None)
        if found is not None:
            kept.remove(found)
        return found

    def _move_chat(self, old: int, new: int) -> None:
        if self.rows.get(old):
            self.rows[new] = [replace(off) for off in self.rows.pop(old)]

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        return {"days_off": len(self.rows.pop(chat_id, []))}

    def _chats_deleted(self, chat_ids: set[int]) -> None:
        for chat_id in chat_ids:
            self.rows.pop(chat_id, None)
