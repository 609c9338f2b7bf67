"""The service container built once per running bot and handed to handlers through the context."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.i18n import Catalog, default_timezone
from bot.translation import Translator, build_translator
from storage.db import Database
from storage.records import Chat
from storage.repos import ChatRepository


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    db: Database
    chats: ChatRepository
    translator: Translator

    @classmethod
    def create(cls, settings: Settings, catalog: Catalog) -> Services:
        db = Database(settings.database_url)
        translator = build_translator(
            settings.translator, url=settings.translator_url, api_key=settings.translator_api_key
        )
        return cls(settings=settings, catalog=catalog, db=db, chats=ChatRepository(db), translator=translator)

    async def start(self) -> None:
        await self.db.upgrade()

    async def close(self) -> None:
        await self.db.dispose()

    def timezone_of(self, chat: Chat) -> str:
        return chat.timezone or default_timezone(chat.language)
