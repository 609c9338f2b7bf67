"""Chats Kembar knows: their settings (language, zone, city, whether relayed copies show the original, the
working week), read through the short-lived cache of storage.db."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.domain.records import Chat
from bot.domain.rules import COUNTRY_MAX, REGION_MAX, work_hours_code, workdays_code
from storage._shared import chat_record as _chat
from storage.db import Database
from storage.models import ChatRow, utcnow


class ChatRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, chat_id: int) -> Chat | None:
        cache = self.db.cache
        entry = cache.chats.get(chat_id)
        if cache.fresh(entry):
            return entry[1]  # type: ignore[index,no-any-return]
        started = cache.start_read()
        async with self.db.session() as session:
            row = await session.get(ChatRow, chat_id)
            chat = _chat(row) if row else None
        cache.store(cache.chats, chat_id, chat, started)
        return chat

    async def ensure(self, chat_id: int, *, title: str, type: str, default_language: str) -> Chat:
        """Return the chat, creating it on first sight; keeps the stored title in step with Telegram's."""
        cached = await self.get(chat_id)
        if cached is not None and cached.active and (not title or cached.title == title):
            return cached
        try:
            return await self._ensure(chat_id, title=title, type=type, default_language=default_language)
        finally:
            self.db.cache.chat_changed(chat_id)

    async def _ensure(self, chat_id: int, *, title: str, type: str, default_language: str) -> Chat:
        async with self.db.session() as session:
            row = await session.get(ChatRow, chat_id)
            if row is None:
                # Race-safe first sight: two updates of a new chat (or two bot processes) may arrive at once.
                now = utcnow()
                values = {
                    "id": chat_id,
                    "title": title,
                    "type": type,
                    "language": default_language,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                insert = sqlite_insert if self.db.engine.dialect.name == "sqlite" else pg_insert
                await session.execute(insert(ChatRow).values(**values).on_conflict_do_nothing())
                row = await session.get(ChatRow, chat_id, populate_existing=True)
                assert row is not None
            if (title and row.title != title) or not row.active:
                row.title = title or row.title
                row.active = True
                await session.flush()
                await session.refresh(row)
            return _chat(row)

    async def _update(self, chat_id: int, **values: object) -> Chat:
        try:
            return await self._write(chat_id, **values)
        finally:
            self.db.cache.chat_changed(chat_id)

    async def _write(self, chat_id: int, **values: object) -> Chat:
        async with self.db.session() as session:
            row = await session.get(ChatRow, chat_id, with_for_update=True)
            if row is None:
                raise LookupError(f"chat {chat_id} is not known")
            for key, value in values.items():
                setattr(row, key, value)
            await session.flush()
            await session.refresh(row)
            return _chat(row)

    async def set_language(self, chat_id: int, language: str) -> Chat:
        return await self._update(chat_id, language=language)

    async def set_timezone(self, chat_id: int, timezone: str | None) -> Chat:
        return await self._update(chat_id, timezone=timezone)

    async def set_city(self, chat_id: int, city: str | None) -> Chat:
        return await self._update(chat_id, city=city)

    async def set_active(self, chat_id: int, active: bool) -> Chat:
        return await self._update(chat_id, active=active)

    async def set_show_original(self, chat_id: int, on: bool) -> Chat:
        """Whether relayed translations into this chat also show the original text."""
        return await self._update(chat_id, show_original=on)

    async def set_workdays(self, chat_id: int, days: frozenset[int]) -> Chat:
        """The chat's working week (0 Monday … 6 Sunday); ValueError when it has no day or a day outside 0–6."""
        return await self._update(chat_id, workdays=workdays_code(days))

    async def set_calendar(self, chat_id: int, country: str | None, region: str | None) -> Chat:
        """Whose public holidays the chat keeps (None: guessed from its zone; region None: the whole country)."""
        if (country is not None and len(country) > COUNTRY_MAX) or (region is not None and len(region) > REGION_MAX):
            raise ValueError("a country is two letters, a region at most 16 characters")
        return await self._update(chat_id, country=country, region=region)

    async def set_work_hours(self, chat_id: int, start: int, end: int) -> Chat:
        """The chat's working hours, minutes after local midnight; ValueError unless 0 <= start < end <= 24:00."""
        return await self._update(chat_id, work_hours=work_hours_code(start, end))

    async def all(self) -> list[Chat]:
        async with self.db.session() as session:
            rows = (await session.scalars(select(ChatRow).order_by(ChatRow.id))).all()
            return [_chat(r) for r in rows]
