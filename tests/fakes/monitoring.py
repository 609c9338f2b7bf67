"""Indicators, events, activity counts and reports in memory (storage/monitoring.py)."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.domain.records import *  # noqa: F403 (the stub names what it will need)

if TYPE_CHECKING:
    from tests.fakes.memory import Memory



class FakeIndicatorRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def add(
        self,
        scope: Scope,
        programme_id: int,
        name: str,
        target: float,
        period: str,
        by_date: datetime | None,
        created_by: int | None,
    ) -> Indicator:
        raise NotImplementedError

    async def get(self, scope: Scope, programme_id: int, name: str) -> Indicator | None:
        raise NotImplementedError

    async def list(self, scope: Scope, programme_id: int | None = None) -> builtins.list[Indicator]:
        raise NotImplementedError

    async def count(self, scope: Scope) -> int:
        raise NotImplementedError

    async def record(
        self,
        indicator_id: int,
        *,
        change: float | None = None,
        value: float | None = None,
        at: datetime,
        user_id: int | None,
        by: str,
        chat_id: int,
        city: str,
        note: str | None,
    ) -> IndicatorUpdate:
        raise NotImplementedError

    async def updates(
        self, indicator_ids: Sequence[int], until: datetime | None = None
    ) -> builtins.list[IndicatorUpdate]:
        raise NotImplementedError


class FakeEventRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def add(self, event: NewEvent) -> None:
        raise NotImplementedError

    async def between(
        self, scope: Scope, start: datetime, end: datetime, kinds: Collection[str] | None = None
    ) -> builtins.list[Event]:
        raise NotImplementedError


class FakeActivityRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def count(self, chat_id: int, day: date, *, sent: int = 0, received: int = 0) -> None:
        raise NotImplementedError

    async def count_many(self, counts: Mapping[tuple[int, date], tuple[int, int]]) -> None:
        raise NotImplementedError

    async def between(self, chat_ids: Collection[int], start: date, end: date) -> builtins.list[ActivityDay]:
        raise NotImplementedError

    async def last_exchange(self, chat_ids: Collection[int]) -> date | None:
        raise NotImplementedError


class FakeReportRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def add(
        self,
        scope: Scope,
        chat_id: int,
        kind: str,
        start: datetime,
        end: datetime,
        summary: str,
        language: str,
        created_at: datetime,
    ) -> StoredReport:
        raise NotImplementedError

    async def recent(self, chat_id: int, limit: int = 10) -> builtins.list[StoredReport]:
        raise NotImplementedError

    async def numbered(self, chat_id: int, number: int) -> StoredReport | None:
        raise NotImplementedError
