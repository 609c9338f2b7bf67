"""Everything about one group, moved or forgotten, in memory (storage/chatdata.py).

The chat's own row and its bridge membership are handled here, step by step as storage does; every other
table is its fake's, asked through the hooks of tests/fakes/memory.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.records import Forgotten, Scope

if TYPE_CHECKING:
    from tests.fakes.memory import Memory


class FakeChatDataRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    async def move(self, old: int, new: int, *, new_type: str = "supergroup") -> bool:
        if old == new:
            return False
        chats = self.memory.chats.rows
        source = chats.get(old)
        if source is None or not source.active:
            return False
        now = self.memory.now()
        target = chats.get(new)
        if target is None:  # the new id is created with the old one's settings (and its creation instant)
            moved = replace(source, id=new, type=new_type, active=True, updated_at=now)
        else:  # the new group's first update got there first: it takes the old group's settings
            moved = replace(
                target,
                title=source.title,
                language=source.language,
                timezone=source.timezone,
                city=source.city,
                show_original=source.show_original,
                type=new_type,
                active=True,
                updated_at=now,
            )
        chats[new] = moved
        self.memory.each("_move_chat", old, new)
        self.memory.each("_rescope", Scope.of(None, old), Scope.of(None, new))
        chats[old] = replace(source, active=False, updated_at=now)
        return True

    async def forget(self, chat_id: int) -> Forgotten:
        counts: dict[str, int] = {}

        def count(rows: dict[str, int]) -> None:
            for table, n in rows.items():
                counts[table] = counts.get(table, 0) + n

        count(self.memory.each("_forget_scope", Scope.of(None, chat_id)))
        count(self.memory.each("_forget_chat", chat_id))
        bridges = self.memory.bridges
        bridge_id = bridges._forget_member(chat_id)
        if bridge_id is not None:
            count({"bridge_members": 1})
            if not bridges._has_members(bridge_id):  # the last group of its bridge: the bridge's data goes too
                count(self.memory.each("_forget_scope", Scope.of(bridge_id, chat_id)))
                if bridge_id in bridges.created:
                    bridges._delete(bridge_id)  # its glossary by cascade
                    count({"bridges": 1})
        count({"chats": self.memory.chats._delete(chat_id)})
        return Forgotten({table: n for table, n in counts.items() if n})

    async def inactive_since(self, before: datetime) -> list[int]:
        """In chat id order (storage's query has no ORDER BY: its order is the database's)."""
        return [chat.id for chat in await self.memory.chats.all() if not chat.active and chat.updated_at < before]
