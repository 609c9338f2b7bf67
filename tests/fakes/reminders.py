"""Reminders and their settings in memory (storage/reminders.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.records import *  # noqa: F403 (the stub names what it will need)

if TYPE_CHECKING:
    from tests.fakes.memory import Memory



class FakeReminderRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def add(self, new: NewReminder) -> Reminder:
        raise NotImplementedError

    async def add_many(self, news: Sequence[NewReminder]) -> list[Reminder]:
        raise NotImplementedError

    async def get(self, reminder_id: int) -> Reminder | None:
        raise NotImplementedError

    async def due(self, now: datetime, limit: int = 100) -> list[Reminder]:
        raise NotImplementedError

    async def next_due_at(self) -> datetime | None:
        raise NotImplementedError

    async def pending_count(self) -> int:
        raise NotImplementedError

    async def claim(self, reminder_id: int, now: datetime, claimer: str) -> bool:
        raise NotImplementedError

    async def mark_sent(self, reminder_id: int, now: datetime, *, late: bool) -> None:
        raise NotImplementedError

    async def reschedule(self, reminder_id: int, due_at: datetime, nominal_at: datetime | None = None) -> Reminder:
        raise NotImplementedError

    async def release_stale(self, older_than: timedelta) -> int:
        raise NotImplementedError

    async def release_gone(self, live: Liveness) -> int:
        raise NotImplementedError

    async def retry_later(self, reminder_id: int, due_at: datetime) -> int:
        raise NotImplementedError

    async def mark_failed(self, reminder_id: int) -> None:
        raise NotImplementedError

    async def cancel(self, reminder_id: int) -> bool:
        raise NotImplementedError

    async def cancel_number(self, scope: Scope, number: int) -> Reminder | None:
        raise NotImplementedError

    async def move_number(self, scope: Scope, number: int, was: datetime, due_at: datetime) -> int:
        raise NotImplementedError

    async def count_numbered(self, scope: Scope) -> int:
        raise NotImplementedError

    async def purge_finished(self, before: datetime) -> int:
        raise NotImplementedError

    async def numbered(self, scope: Scope, number: int) -> Reminder | None:
        raise NotImplementedError

    async def cancel_for_chat(self, chat_id: int, scope: Scope) -> int:
        raise NotImplementedError

    async def cancel_for_item(self, action_item_id: int, kinds: Collection[str] | None = None) -> int:
        raise NotImplementedError

    async def for_item(
        self, action_item_id: int, kinds: Collection[str] | None = None, states: Collection[str] = ("pending",)
    ) -> list[Reminder]:
        raise NotImplementedError

    async def upcoming(self, scope: Scope, limit: int = 20) -> list[Reminder]:
        raise NotImplementedError

    async def find(self, chat_id: int, kind: str, *, states: Collection[str] = ("pending",)) -> Reminder | None:
        raise NotImplementedError

    async def digest_work(self) -> DigestWork:
        raise NotImplementedError

    async def cancel_many(self, reminder_ids: Collection[int]) -> int:
        raise NotImplementedError


class FakeReminderSettingsRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def get(self, scope: Scope) -> ReminderSettings:
        raise NotImplementedError

    async def set_lead(self, scope: Scope, lead_seconds: Sequence[int]) -> ReminderSettings:
        raise NotImplementedError

    async def set_overdue(self, scope: Scope, on: bool) -> ReminderSettings:
        raise NotImplementedError

    async def schedule(self, chat_id: int) -> ChatSchedule:
        raise NotImplementedError

    async def set_quiet(self, chat_id: int, start: str | None, end: str | None) -> ChatSchedule:
        raise NotImplementedError

    async def set_digest(self, chat_id: int, weekday: int | None, time: str | None = None) -> ChatSchedule:
        raise NotImplementedError
