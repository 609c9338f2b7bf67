"""Message links, the outbox, the inbox and delivery leases in memory (storage/messagelinks.py, outbox.py, inbox.py, cluster.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain.records import *  # noqa: F403 (the stub names what it will need)

if TYPE_CHECKING:
    from tests.fakes.memory import Memory



class FakeMessageLinkRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def add_many(self, links: Iterable[MessageLink]) -> None:
        raise NotImplementedError

    async def purge_older(self, before: datetime) -> int:
        raise NotImplementedError

    async def copies_of(self, src_chat_id: int, src_message_id: int) -> list[MessageLink]:
        raise NotImplementedError

    async def resolve_reply(self, chat_id: int, message_id: int, dst_chat_id: int) -> int | None:
        raise NotImplementedError


class FakeOutboxRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def enqueue(self, jobs: Sequence[NewRelayJob], *, read_back: bool = True) -> list[RelayJob]:
        raise NotImplementedError

    async def pending(self, dst_chat_id: int | None = None, limit: int = 100) -> list[RelayJob]:
        raise NotImplementedError

    async def pending_destinations(self, live: Liveness | None = None) -> list[int]:
        raise NotImplementedError

    async def get(self, job_id: int) -> RelayJob | None:
        raise NotImplementedError

    async def complete(self, job_id: int, links: Iterable[MessageLink] = ()) -> None:
        raise NotImplementedError

    async def drain(self) -> None:
        raise NotImplementedError

    async def mark_failed(self, job_id: int, error: str) -> None:
        raise NotImplementedError

    async def record_attempt(self, job_id: int, error: str) -> int:
        raise NotImplementedError

    async def fail_pending_for(self, dst_chat_id: int, error: str) -> int:
        raise NotImplementedError

    async def counts(self) -> dict[str, int]:
        raise NotImplementedError

    async def purge_finished(self, before: datetime) -> int:
        raise NotImplementedError


class FakeInboxRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def store(self, items: Sequence[InboxItem], holder: str | None = None) -> list[int]:
        raise NotImplementedError

    async def start(self, update_ids: Sequence[int]) -> set[int]:
        raise NotImplementedError

    async def release(self, update_ids: Sequence[int]) -> None:
        raise NotImplementedError

    async def finish(self, update_ids: Sequence[int]) -> None:
        raise NotImplementedError

    async def adopt(self, live: Liveness) -> tuple[int, list[InboxItem]]:
        raise NotImplementedError

    async def counts(self) -> dict[str, int]:
        raise NotImplementedError

    async def quarantine(self, update_id: int, payload: dict[str, Any], error: str) -> None:
        raise NotImplementedError

    async def purge_finished(self, before: datetime) -> int:
        raise NotImplementedError


class FakeLeaseRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def acquire(self, dst_chat_id: int, live: Liveness) -> bool:
        raise NotImplementedError

    async def release(self, dst_chat_id: int, live: Liveness) -> None:
        raise NotImplementedError
