"""Message links: which destination messages are relayed copies of which source message."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Executable, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.records import MessageLink
from storage._shared import rowcount, upsert
from storage.db import Database
from storage.models import MessageLinkRow, utcnow


class MessageLinkRepository:
    """The source → destination message map used for replies and edits.

    A long message split into several destination messages has one link per part: ``copies_of`` returns
    every part, and the part with the lowest message id in a chat (the first one sent) stands for the
    whole copy in ``resolve_reply``. Each destination message is the copy of exactly one source message.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_many(self, links: Iterable[MessageLink]) -> None:
        """Store links; idempotent (a link stored already is ignored)."""
        async with self.db.session() as session:
            await insert_links(session, self.db, links)

    async def purge_older(self, before: datetime) -> int:
        """Forget which copy stands for which message for copies made before ``before`` (replies to and
        edits of such old messages are then relayed without threading); how many."""
        return await _purge_links(self.db, before)

    async def copies_of(self, src_chat_id: int, src_message_id: int) -> list[MessageLink]:
        """Every relayed copy (every part of it) of a source message, by destination chat, then message id."""
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(MessageLinkRow)
                    .where(MessageLinkRow.src_chat_id == src_chat_id, MessageLinkRow.src_message_id == src_message_id)
                    .order_by(MessageLinkRow.dst_chat_id, MessageLinkRow.dst_message_id)
                )
            ).all()
            return [MessageLink(r.src_chat_id, r.src_message_id, r.dst_chat_id, r.dst_message_id) for r in rows]

    async def resolve_reply(self, chat_id: int, message_id: int, dst_chat_id: int) -> int | None:
        """The message in ``dst_chat_id`` that stands for message (chat_id, message_id), or None.

        An original: its copy in ``dst_chat_id``. A copy of (S, O): O when ``dst_chat_id`` is S, else the
        copy of (S, O) in ``dst_chat_id``. A message of ``dst_chat_id`` itself: that message.
        """
        if chat_id == dst_chat_id:
            return message_id
        async with self.db.session() as session:
            original = await self._original_of(session, chat_id, message_id)
            if original is None:
                return await self._first_copy(session, chat_id, message_id, dst_chat_id)
            src_chat_id, src_message_id = original
            if src_chat_id == dst_chat_id:
                return src_message_id
            return await self._first_copy(session, src_chat_id, src_message_id, dst_chat_id)

    @staticmethod
    async def _original_of(session: AsyncSession, chat_id: int, message_id: int) -> tuple[int, int] | None:
        # Served by ix_message_links_dst.
        row = (
            await session.execute(
                select(MessageLinkRow.src_chat_id, MessageLinkRow.src_message_id)
                .where(MessageLinkRow.dst_chat_id == chat_id, MessageLinkRow.dst_message_id == message_id)
                .order_by(MessageLinkRow.id)
                .limit(1)
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    @staticmethod
    async def _first_copy(session: AsyncSession, src_chat_id: int, src_message_id: int, dst_chat_id: int) -> int | None:
        # Served by the unique index on (src_chat_id, src_message_id, dst_chat_id, dst_message_id).
        return await session.scalar(
            select(func.min(MessageLinkRow.dst_message_id)).where(
                MessageLinkRow.src_chat_id == src_chat_id,
                MessageLinkRow.src_message_id == src_message_id,
                MessageLinkRow.dst_chat_id == dst_chat_id,
            )
        )


async def _purge_links(db: Database, before: datetime) -> int:
    async with db.session() as session:
        result = await session.execute(delete(MessageLinkRow).where(MessageLinkRow.created_at < before))
        return rowcount(result)


def links_statement(db: Database, links: Iterable[MessageLink]) -> Executable | None:
    """The INSERT of these links that ignores ones stored already; None when there are none."""
    unique = list(dict.fromkeys(links))
    if not unique:
        return None
    now = utcnow()
    values = [
        {
            "src_chat_id": link.src_chat_id,
            "src_message_id": link.src_message_id,
            "dst_chat_id": link.dst_chat_id,
            "dst_message_id": link.dst_message_id,
            "created_at": now,
        }
        for link in unique
    ]
    return upsert(db, MessageLinkRow).values(values).on_conflict_do_nothing()


async def insert_links(session: AsyncSession, db: Database, links: Iterable[MessageLink]) -> None:
    """Insert links in the session's transaction, ignoring ones stored already."""
    statement = links_statement(db, links)
    if statement is not None:
        await session.execute(statement)
