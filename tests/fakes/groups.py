"""People, operator approvals, link codes, join requests, the glossary and the translation cache in memory (storage/people.py, approvals.py, linkcodes.py, joinrequests.py, glossary.py, translation_cache.py)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.records import *  # noqa: F403 (the stub names what it will need)
from bot.domain.rules import LINK_CODE_TTL

if TYPE_CHECKING:
    from tests.fakes.memory import Memory



class FakePeopleRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def seen(self, user_id: int, username: str | None) -> None:
        raise NotImplementedError

    async def by_username(self, username: str) -> int | None:
        raise NotImplementedError

    async def forget_unseen(self, before: datetime) -> int:
        raise NotImplementedError


class FakeApprovalRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def approve(self, chat_id: int) -> None:
        raise NotImplementedError

    async def revoke(self, chat_id: int) -> bool:
        raise NotImplementedError

    async def is_approved(self, chat_id: int) -> bool:
        raise NotImplementedError

    async def all(self) -> list[int]:
        raise NotImplementedError


class FakeLinkCodeRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def create(self, chat_id: int, created_by: int | None, ttl: timedelta = LINK_CODE_TTL) -> str:
        raise NotImplementedError

    async def redeem(self, code: str, by_chat_id: int, now: datetime | None = None) -> int:
        raise NotImplementedError

    async def revoke_code(self, code: str, now: datetime | None = None) -> bool:
        raise NotImplementedError

    async def revoke(self, chat_id: int, now: datetime | None = None) -> int:
        raise NotImplementedError

    async def purge_expired(self, now: datetime | None = None) -> int:
        raise NotImplementedError


class FakeJoinRequestRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def create(self, issuer: int, requester: int, requested_by: int | None, ttl: timedelta) -> JoinRequest:
        raise NotImplementedError

    async def get(self, request_id: int) -> JoinRequest | None:
        raise NotImplementedError

    async def decide(self, request_id: int, state: str, by: int | None, now: datetime | None = None) -> bool:
        raise NotImplementedError

    async def revoke(self, issuer: int, now: datetime | None = None) -> int:
        raise NotImplementedError

    async def purge_finished(self, before: datetime) -> int:
        raise NotImplementedError


class FakeGlossaryRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def add(self, bridge_id: int, term: str, renderings: Mapping[str, str]) -> GlossaryEntry:
        raise NotImplementedError

    async def remove(self, bridge_id: int, term: str) -> bool:
        raise NotImplementedError

    async def list(self, bridge_id: int) -> builtins.list[GlossaryEntry]:
        raise NotImplementedError

    async def as_mapping(self, bridge_id: int) -> dict[str, dict[str, str]]:
        raise NotImplementedError


class FakeTranslationCacheRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def get_many(self, provider: str, source: str | None, target: str, texts: Sequence[str]) -> dict[str, str]:
        raise NotImplementedError

    async def purge(self, before: datetime, keep_at_most: int) -> int:
        raise NotImplementedError

    async def put_many(self, provider: str, source: str | None, target: str, pairs: Mapping[str, str]) -> None:
        raise NotImplementedError
