"""Action items and programmes in memory (storage/actions.py)."""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.records import *  # noqa: F403 (the stub names what it will need)

if TYPE_CHECKING:
    from tests.fakes.memory import Memory



class FakeActionRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def create(
        self,
        *,
        scope: Scope,
        bridge_id: int | None,
        chat_id: int,
        title: str,
        language: str,
        owners: Sequence[Owner] = (),
        programme_id: int | None = None,
        due_at: datetime | None = None,
        created_by: int | None = None,
    ) -> ActionItem:
        raise NotImplementedError

    async def get(self, scope: Scope, number: int) -> ActionItem | None:
        raise NotImplementedError

    async def get_by_id(self, item_id: int) -> ActionItem | None:
        raise NotImplementedError

    async def list(
        self,
        scope: Scope,
        *,
        statuses: Collection[str] = ("open",),
        programme_id: int | None = None,
        limit: int | None = None,
    ) -> builtins.list[ActionItem]:
        raise NotImplementedError

    async def set_status(self, scope: Scope, number: int, status: str, now: datetime) -> ActionItem:
        raise NotImplementedError

    async def set_owners(self, scope: Scope, number: int, owners: Sequence[Owner]) -> ActionItem:
        raise NotImplementedError

    async def add_owners(self, scope: Scope, number: int, owners: Sequence[Owner]) -> ActionItem:
        raise NotImplementedError

    async def bind_owner(self, item_id: int, username: str, user_id: int) -> ActionItem | None:
        raise NotImplementedError

    async def set_due(self, scope: Scope, number: int, due_at: datetime | None) -> ActionItem:
        raise NotImplementedError

    async def set_title(self, scope: Scope, number: int, title: str, language: str) -> ActionItem:
        raise NotImplementedError

    async def count_open(self, scope: Scope) -> int:
        raise NotImplementedError

    async def stats(self, scope: Scope, now: datetime) -> builtins.list[ProgrammeStats]:
        raise NotImplementedError

    async def overview(
        self, scope: Scope, now: datetime, *, next_max: int, done_since: datetime, done_max: int
    ) -> ScopeOverview:
        raise NotImplementedError

    async def upcoming(self, scope: Scope, now: datetime, limit: int = 3) -> builtins.list[ActionItem]:
        raise NotImplementedError


class FakeProgrammeRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def add(self, scope: Scope, name: str, goal: str | None = None) -> Programme:
        raise NotImplementedError

    async def get(self, scope: Scope, name: str) -> Programme | None:
        raise NotImplementedError

    async def list(self, scope: Scope) -> builtins.list[Programme]:
        raise NotImplementedError
