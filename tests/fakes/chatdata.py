"""Everything about one group, moved or forgotten, in memory (storage/chatdata.py).

The chat's own row and its bridge membership are handled here, step by step as storage does; every other
table is its fake's, asked through the hooks of tests/fakes/memory.py. What needs several fakes at once is
done here too, as storage does it in one transaction: the history of the items the group created loses
its detail (in every group's events), and the translation cache loses the entries of the bridges the
group's texts may be in (read, like storage, before anything is deleted).
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
                workdays=source.workdays,
                work_hours=source.work_hours,
                country=source.country,
                region=source.region,
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

        own = Scope.of(None, chat_id)
        # Known before anything goes, as storage reads them first: the items the group created in a bridge
        # (every group's history of them loses its text) and the bridges its texts may be cached for.
        items = self.memory.actions.rows.values()
        created = {(i.scope, i.number) for i in items if i.chat_id == chat_id and i.scope != own}
        translated_for = self._translated_for(chat_id)
        count(self.memory.each("_forget_scope", own))
        count(self.memory.each("_forget_chat", chat_id))
        events = self.memory.events
        events.rows = [replace(e, detail=None) if (e.scope, e.item_number) in created else e for e in events.rows]
        count(self.memory.translation_cache._forget_translations(chat_id, translated_for))
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

    def _translated_for(self, chat_id: int) -> set[int]:
        """The bridges whose cached translations may hold the chat's texts (as storage/chatdata.py finds
        them): its bridge, those it was marked in, those of its items, reminders, history, the indicators it
        updated and the relay work from it."""
        memory = self.memory
        found = {bridge_id for (marked, bridge_id) in memory.translation_cache.marks if marked == chat_id}
        member_of = memory.bridges._bridge_id_of(chat_id)
        if member_of is not None:
            found.add(member_of)
        found.update(
            job.bridge_id
            for job in memory.outbox.jobs.values()
            if job.src_chat_id == chat_id and job.bridge_id is not None
        )
        indicators = memory.indicators
        scopes = [
            *(i.scope for i in memory.actions.rows.values() if i.chat_id == chat_id),
            *(r.scope for r in memory.reminders.rows.values() if r.chat_id == chat_id),
            *(e.scope for e in memory.events.rows if e.chat_id == chat_id),
            *(indicators.rows[u.indicator_id].scope for u in indicators.kept if u.chat_id == chat_id),
        ]
        found.update(scope.bridge_id for scope in scopes if scope.bridge_id is not None)
        return found

    async def inactive_since(self, before: datetime) -> list[int]:
        """In chat id order (storage's query has no ORDER BY: its order is the database's)."""
        return [chat.id for chat in await self.memory.chats.all() if not chat.active and chat.updated_at < before]
