"""Everything about one group, moved or forgotten, in memory (storage/chatdata.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.records import *  # noqa: F403 (the stub names what it will need)

if TYPE_CHECKING:
    from tests.fakes.memory import Memory



class FakeChatDataRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def move(self, old: int, new: int, *, new_type: str = "supergroup") -> bool:
        raise NotImplementedError

    async def forget(self, chat_id: int) -> Forgotten:
        raise NotImplementedError

    async def inactive_since(self, before: datetime) -> list[int]:
        raise NotImplementedError
