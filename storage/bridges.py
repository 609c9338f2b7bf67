"""Bridges: partner chats linked so that every message in one is relayed to the others."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import AlreadyBridged, LimitReached
from bot.domain.records import Bridge, Chat
from storage._shared import chat_record, is_retryable, rowcount
from storage.db import Database
from storage.models import BridgeMemberRow, BridgeRow, ChatRow, utcnow

# How often link() re-runs its transaction after losing a race to a concurrent link() or leave().
_LINK_ATTEMPTS = 10
_TICK = timedelta(microseconds=1)


_MEMBER_SQL = "SELECT 1 FROM bridge_members WHERE bridge_id = ? AND chat_id = ?"


class _Retry(Exception):
    """The state read at the start of the transaction changed under it: run it again."""


class BridgeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def bridge_of(self, chat_id: int) -> Bridge | None:
        cache = self.db.cache
        entry = cache.bridges.get(chat_id)
        if cache.fresh(entry):
            return entry[1]  # type: ignore[index,no-any-return]
        started = cache.start_read()
        async with self.db.session() as session:
            bridge_id = await self._bridge_id_of(session, chat_id)
            bridge = None if bridge_id is None else (await self._load(session, [bridge_id])).get(bridge_id)
        cache.store(cache.bridges, chat_id, bridge, started)
        return bridge

    async def is_member(self, bridge_id: int, chat_id: int) -> bool:
        """Whether the chat is in that bridge now: read from the database, never from a cache (delivery asks
        it before every send, so no instance ever sends to a chat that left, whatever it has cached)."""
        if self.db.raw_sqlite:  # once per message sent: the leanest path there is
            return await self.db.run_sqlite(
                lambda conn: conn.execute(_MEMBER_SQL, (bridge_id, chat_id)).fetchone() is not None
            )
        query = select(BridgeMemberRow.chat_id).where(
            BridgeMemberRow.bridge_id == bridge_id, BridgeMemberRow.chat_id == chat_id
        )
        return await self.db.run_sync(lambda conn: conn.execute(query).first() is not None)

    async def get(self, bridge_id: int) -> Bridge | None:
        async with self.db.session() as session:
            return (await self._load(session, [bridge_id])).get(bridge_id)

    async def all(self) -> list[Bridge]:
        async with self.db.session() as session:
            return list((await self._load(session, None)).values())

    async def link(self, chat_a: int, chat_b: int, *, members_max: int | None = None) -> Bridge:
        """Put ``chat_b`` in ``chat_a``'s bridge, or make a new bridge of the two (``chat_a`` first).

        Raises ``AlreadyBridged`` when ``chat_b`` is in a bridge already (also ``chat_a``'s own),
        ``ValueError`` when both are the same chat, ``LookupError`` when a chat is not known,
        ``LimitReached`` when ``chat_a``'s bridge has ``members_max`` groups already (counted with the
        bridge locked). Safe against concurrent calls: a chat ends up in exactly one bridge.
        """
        if chat_a == chat_b:
            raise ValueError("a chat cannot be bridged with itself")
        try:
            return await self._link_with_retries(chat_a, chat_b, members_max)
        finally:
            self.db.cache.bridges_changed()

    async def _link_with_retries(self, chat_a: int, chat_b: int, members_max: int | None) -> Bridge:
        for attempt in range(_LINK_ATTEMPTS):
            try:
                async with self.db.session() as session:
                    return await self._link(session, chat_a, chat_b, members_max)
            except _Retry:
                continue
            except IntegrityError:
                # A concurrent link() put one of the chats in a bridge first, or its bridge was just
                # deleted: the next round sees it and joins the bridge, or raises AlreadyBridged.
                continue
            except DBAPIError as exc:
                if not is_retryable(exc) or attempt == _LINK_ATTEMPTS - 1:
                    raise
        # Still losing races after several rounds: report the state as it is now.
        current = await self.bridge_of(chat_b)
        if current is not None:
            raise AlreadyBridged(chat_b, current.id)
        raise RuntimeError(f"could not link chats {chat_a} and {chat_b}: too much contention")

    async def leave(self, chat_id: int) -> Bridge | None:
        """Take the chat out of its bridge; the bridge as it is afterwards, or None if it was in none.

        A bridge left without members is deleted (it is returned with no members); a bridge with one
        member left is kept, with its glossary, so a new partner can join it.
        """
        try:
            return await self._leave(chat_id)
        finally:
            self.db.cache.bridges_changed()

    async def _leave(self, chat_id: int) -> Bridge | None:
        async with self.db.session() as session:
            bridge_id = await self._bridge_id_of(session, chat_id)
            if bridge_id is None:
                return None
            bridge = await self._lock(session, bridge_id)
            if bridge is None:
                return None  # the bridge was deleted meanwhile: the chat is in none
            removed = await session.execute(
                delete(BridgeMemberRow)
                .where(BridgeMemberRow.chat_id == chat_id, BridgeMemberRow.bridge_id == bridge_id)
                .execution_options(synchronize_session=False)
            )
            if rowcount(removed) == 0:
                return None  # a concurrent leave() took it out first
            remaining = await session.scalar(
                select(func.count()).select_from(BridgeMemberRow).where(BridgeMemberRow.bridge_id == bridge_id)
            )
            if not remaining:
                await session.execute(
                    delete(BridgeRow).where(BridgeRow.id == bridge_id).execution_options(synchronize_session=False)
                )
                return Bridge(id=bridge_id, created_at=bridge.created_at, members=())
            return (await self._load(session, [bridge_id]))[bridge_id]

    # -- internals ---------------------------------------------------------------------------------

    async def _link(self, session: AsyncSession, chat_a: int, chat_b: int, members_max: int | None) -> Bridge:
        known = set((await session.scalars(select(ChatRow.id).where(ChatRow.id.in_((chat_a, chat_b))))).all())
        for chat_id in (chat_a, chat_b):
            if chat_id not in known:
                raise LookupError(f"chat {chat_id} is not known")
        b_bridge = await self._bridge_id_of(session, chat_b)
        if b_bridge is not None:
            raise AlreadyBridged(chat_b, b_bridge)
        a_bridge = await self._bridge_id_of(session, chat_a)
        now = utcnow()
        if a_bridge is not None:
            if await self._lock(session, a_bridge) is None:
                raise _Retry
            joined = (
                await session.scalars(select(BridgeMemberRow.joined_at).where(BridgeMemberRow.bridge_id == a_bridge))
            ).all()
            if await self._bridge_id_of(session, chat_a) != a_bridge:
                raise _Retry  # chat_a left (or moved) between our reads
            if members_max is not None and len(joined) >= members_max:
                raise LimitReached(members_max)
            session.add(BridgeMemberRow(bridge_id=a_bridge, chat_id=chat_b, joined_at=_after(now, joined)))
            await session.flush()
            bridge_id = a_bridge
        else:
            row = BridgeRow(created_at=now)
            session.add(row)
            await session.flush()
            bridge_id = row.id
            # Insert in chat id order (so concurrent link() calls take the unique-key locks in the same
            # order and cannot deadlock); joined_at keeps chat_a first.
            members = {chat_a: now, chat_b: now + _TICK}
            for chat_id in sorted(members):
                session.add(BridgeMemberRow(bridge_id=bridge_id, chat_id=chat_id, joined_at=members[chat_id]))
                await session.flush()
        return (await self._load(session, [bridge_id]))[bridge_id]

    @staticmethod
    async def _bridge_id_of(session: AsyncSession, chat_id: int) -> int | None:
        return await session.scalar(select(BridgeMemberRow.bridge_id).where(BridgeMemberRow.chat_id == chat_id))

    @staticmethod
    async def _lock(session: AsyncSession, bridge_id: int) -> BridgeRow | None:
        """Lock the bridge row until the end of the transaction; None if it no longer exists.

        A no-op UPDATE rather than SELECT … FOR UPDATE: it locks the row on PostgreSQL and, on SQLite
        (which ignores FOR UPDATE), starts the write transaction, so what is read next stays true.
        """
        touched = await session.execute(
            update(BridgeRow)
            .where(BridgeRow.id == bridge_id)
            .values(name=BridgeRow.name)
            .execution_options(synchronize_session=False)
        )
        if rowcount(touched) == 0:
            return None
        return await session.get(BridgeRow, bridge_id, populate_existing=True)

    @staticmethod
    async def _load(session: AsyncSession, bridge_ids: Sequence[int] | None) -> dict[int, Bridge]:
        """Bridges with their members (in join order), by id in id order; all bridges when ``bridge_ids`` is None."""
        bridges = select(BridgeRow).order_by(BridgeRow.id)
        members = (
            select(BridgeMemberRow.bridge_id, ChatRow)
            .join(ChatRow, ChatRow.id == BridgeMemberRow.chat_id)
            .order_by(BridgeMemberRow.bridge_id, BridgeMemberRow.joined_at, BridgeMemberRow.chat_id)
        )
        if bridge_ids is not None:
            bridges = bridges.where(BridgeRow.id.in_(bridge_ids))
            members = members.where(BridgeMemberRow.bridge_id.in_(bridge_ids))
        by_bridge: dict[int, list[Chat]] = {}
        for bridge_id, chat in await session.execute(members):
            by_bridge.setdefault(bridge_id, []).append(chat_record(chat))
        return {
            row.id: Bridge(id=row.id, created_at=row.created_at, members=tuple(by_bridge.get(row.id, ())))
            for row in (await session.scalars(bridges)).all()
        }


def _after(now: datetime, joined: Sequence[datetime]) -> datetime:
    """A join time later than every earlier member's, so the join order is never a tie."""
    latest = max(joined, default=None)
    return now if latest is None or now > latest else latest + _TICK
