"""Chats and bridges in memory (storage/chats.py, storage/bridges.py)."""

from __future__ import annotations

import builtins
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.errors import AlreadyBridged, LimitReached
from bot.domain.records import Bridge, Chat
from bot.domain.rules import COUNTRY_MAX, REGION_MAX, work_hours_code, workdays_code

if TYPE_CHECKING:
    from tests.fakes.memory import Memory

_TICK = timedelta(microseconds=1)


class FakeChatRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, Chat] = {}

    def known(self, chat_id: int) -> bool:
        return chat_id in self.rows

    async def get(self, chat_id: int) -> Chat | None:
        return self.rows.get(chat_id)

    async def ensure(self, chat_id: int, *, title: str, type: str, default_language: str) -> Chat:
        row = self.rows.get(chat_id)
        if row is None:
            now = self.memory.now()
            row = self.rows[chat_id] = Chat(
                id=chat_id,
                title=title,
                type=type,
                language=default_language,
                timezone=None,
                city=None,
                active=True,
                created_at=now,
                updated_at=now,
            )
        if (title and row.title != title) or not row.active:
            row = self._write(chat_id, title=title or row.title, active=True)
        return row

    def _write(self, chat_id: int, **values: object) -> Chat:
        row = self.rows.get(chat_id)
        if row is None:
            raise LookupError(f"chat {chat_id} is not known")
        row = self.rows[chat_id] = replace(row, **values, updated_at=self.memory.now())  # type: ignore[arg-type]
        return row

    async def set_language(self, chat_id: int, language: str) -> Chat:
        return self._write(chat_id, language=language)

    async def set_timezone(self, chat_id: int, timezone: str | None) -> Chat:
        return self._write(chat_id, timezone=timezone)

    async def set_city(self, chat_id: int, city: str | None) -> Chat:
        return self._write(chat_id, city=city)

    async def set_active(self, chat_id: int, active: bool) -> Chat:
        return self._write(chat_id, active=active)

    async def set_show_original(self, chat_id: int, on: bool) -> Chat:
        return self._write(chat_id, show_original=on)

    async def set_calendar(self, chat_id: int, country: str | None, region: str | None) -> Chat:
        if (country is not None and len(country) > COUNTRY_MAX) or (region is not None and len(region) > REGION_MAX):
            raise ValueError("a country is two letters, a region at most 16 characters")
        return self._write(chat_id, country=country, region=region)

    async def set_work_hours(self, chat_id: int, start: int, end: int) -> Chat:
        work_hours_code(start, end)  # refuses what storage refuses
        return self._write(chat_id, work_hours=(start, end))

    async def set_workdays(self, chat_id: int, days: frozenset[int]) -> Chat:
        workdays_code(days)  # refuses what storage refuses
        return self._write(chat_id, workdays=frozenset(days))

    async def all(self) -> builtins.list[Chat]:
        return [self.rows[chat_id] for chat_id in sorted(self.rows)]

    def _delete(self, chat_id: int) -> int:
        """Delete a chat (what refers to it goes, as the foreign keys say); 1, or 0 when it was not known."""
        if self.rows.pop(chat_id, None) is None:
            return 0
        self.memory.cascade("_chats_deleted", {chat_id})
        return 1


class FakeBridgeRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.created: dict[int, datetime] = {}  # bridge id → created_at
        self.membership: dict[int, tuple[int, datetime]] = {}  # chat id → (bridge id, joined_at)

    def _bridge_id_of(self, chat_id: int) -> int | None:
        found = self.membership.get(chat_id)
        return found[0] if found is not None else None

    def _load(self, bridge_id: int) -> Bridge | None:
        created = self.created.get(bridge_id)
        if created is None:
            return None
        members = sorted(
            ((joined, chat_id) for chat_id, (bid, joined) in self.membership.items() if bid == bridge_id),
        )
        chats = tuple(self.memory.chats.rows[chat_id] for _joined, chat_id in members)
        return Bridge(id=bridge_id, created_at=created, members=chats)

    async def bridge_of(self, chat_id: int) -> Bridge | None:
        bridge_id = self._bridge_id_of(chat_id)
        return None if bridge_id is None else self._load(bridge_id)

    async def is_member(self, bridge_id: int, chat_id: int) -> bool:
        return self._bridge_id_of(chat_id) == bridge_id

    async def get(self, bridge_id: int) -> Bridge | None:
        return self._load(bridge_id)

    async def all(self) -> builtins.list[Bridge]:
        return [bridge for bridge_id in sorted(self.created) if (bridge := self._load(bridge_id)) is not None]

    async def link(self, chat_a: int, chat_b: int, *, members_max: int | None = None) -> Bridge:
        if chat_a == chat_b:
            raise ValueError("a chat cannot be bridged with itself")
        for chat_id in (chat_a, chat_b):
            if not self.memory.chats.known(chat_id):
                raise LookupError(f"chat {chat_id} is not known")
        b_bridge = self._bridge_id_of(chat_b)
        if b_bridge is not None:
            raise AlreadyBridged(chat_b, b_bridge)
        now = self.memory.now()
        bridge_id = self._bridge_id_of(chat_a)
        if bridge_id is not None:
            joined = [at for bid, at in self.membership.values() if bid == bridge_id]
            if members_max is not None and len(joined) >= members_max:
                raise LimitReached(members_max)
            latest = max(joined, default=None)
            self.membership[chat_b] = (bridge_id, now if latest is None or now > latest else latest + _TICK)
        else:
            bridge_id = self.memory.next_id("bridges")
            self.created[bridge_id] = now
            self.membership[chat_a] = (bridge_id, now)
            self.membership[chat_b] = (bridge_id, now + _TICK)
        bridge = self._load(bridge_id)
        assert bridge is not None
        return bridge

    async def leave(self, chat_id: int) -> Bridge | None:
        bridge_id = self._bridge_id_of(chat_id)
        if bridge_id is None:
            return None
        del self.membership[chat_id]
        if self._has_members(bridge_id):
            return self._load(bridge_id)
        return Bridge(id=bridge_id, created_at=self._delete(bridge_id), members=())

    def _has_members(self, bridge_id: int) -> bool:
        return any(bid == bridge_id for bid, _at in self.membership.values())

    def _delete(self, bridge_id: int) -> datetime:
        """Delete a bridge (what refers to it goes, or lets go, as the foreign keys say); when it was created."""
        created = self.created.pop(bridge_id)
        self.memory.cascade("_bridges_deleted", {bridge_id})
        return created

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        if old in self.membership:  # the old group's membership replaces what the new one got on first sight
            self.membership.pop(new, None)
            self.membership[new] = self.membership.pop(old)

    def _forget_member(self, chat_id: int) -> int | None:
        """Take a forgotten group out of its bridge (the bridge stays, even empty); the bridge it was in."""
        found = self.membership.pop(chat_id, None)
        return found[0] if found is not None else None

    def _chats_deleted(self, chat_ids: set[int]) -> None:
        for chat_id in chat_ids:
            self.membership.pop(chat_id, None)
