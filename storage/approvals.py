"""The groups the operator approved: with approval on, only they may link into bridges."""

from __future__ import annotations

from sqlalchemy import delete, select

from storage._shared import rowcount, upsert
from storage.db import Database
from storage.models import ApprovedChatRow, utcnow


class ApprovalRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def approve(self, chat_id: int) -> None:
        async with self.db.session() as session:
            statement = upsert(self.db, ApprovedChatRow).values(chat_id=chat_id, approved_at=utcnow())
            await session.execute(statement.on_conflict_do_nothing(index_elements=["chat_id"]))

    async def revoke(self, chat_id: int) -> bool:
        async with self.db.session() as session:
            result = await session.execute(delete(ApprovedChatRow).where(ApprovedChatRow.chat_id == chat_id))
            return rowcount(result) > 0

    async def is_approved(self, chat_id: int) -> bool:
        async with self.db.session() as session:
            return await session.get(ApprovedChatRow, chat_id) is not None

    async def all(self) -> list[int]:
        async with self.db.session() as session:
            return list(
                (await session.scalars(select(ApprovedChatRow.chat_id).order_by(ApprovedChatRow.chat_id))).all()
            )
