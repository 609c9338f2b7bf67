"""The service container built once per running bot and handed to handlers through the context."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.i18n import Catalog, default_timezone
from storage.db import Database
from storage.records import Chat
from storage.repos import ChatRepository


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    db: Database
    chats: ChatRepository

    @classmethod
    def create(cls, settings: Settings, catalog: Catalog) -> Services:
        db = Database(settings.database_url)
        return cls(settings=settings, catalog=catalog, db=db, chats=ChatRepository(db))

    async def start(self) -> None:
        await self.db.upgrade()

    async def close(self) -> None:
        await self.db.dispose()

    def timezone_of(self, chat: Chat) -> str:
        return chat.timezone or default_timezone(chat.language)
