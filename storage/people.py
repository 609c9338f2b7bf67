"""People Kembar has seen: a Telegram user id and its current username, to resolve "@username" owners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from storage._shared import rowcount, upsert
from storage.db import Database
from storage.models import PersonRow, utcnow

MAX_USERNAME_LENGTH = 32


class PeopleRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def seen(self, user_id: int, username: str | None) -> None:
        """Remember that ``user_id`` goes by ``username`` now (a username moves to whoever holds it last)."""
        name = username.casefold()[:MAX_USERNAME_LENGTH] if username else None
        now = utcnow()
        async with self.db.session() as session:
            if name is not None:  # usernames are unique on Telegram: whoever had it before no longer does
                await session.execute(
                    update(PersonRow).where(PersonRow.username == name, PersonRow.id != user_id).values(username=None)
                )
            statement = upsert(self.db, PersonRow).values(id=user_id, username=name, seen_at=now)
            statement = statement.on_conflict_do_update(index_elements=["id"], set_={"username": name, "seen_at": now})
            await session.execute(statement)

    async def by_username(self, username: str) -> int | None:
        async with self.db.session() as session:
            return await session.scalar(select(PersonRow.id).where(PersonRow.username == username.casefold()))

    async def forget_unseen(self, before: datetime) -> int:
        """Forget the people not seen since ``before``; how many."""
        async with self.db.session() as session:
            return rowcount(await session.execute(delete(PersonRow).where(PersonRow.seen_at < before)))
