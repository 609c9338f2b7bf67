"""The service container built once per running bot and handed to handlers through the context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.actions import ActionService
from bot.bridges import BridgeService
from bot.config import Settings
from bot.delivery import Delivery
from bot.i18n import SUGGESTED_LANGUAGES, Catalog, default_timezone
from bot.langdetect import LanguageDetector
from bot.relay import RelayService, Renderer, TranslationService
from bot.reminders import ReminderService
from bot.telegram_io import Sender
from bot.translation import Translator, build_translator
from storage.db import Database
from storage.records import Chat
from storage.repos import (
    ActionRepository,
    BridgeRepository,
    ChatRepository,
    GlossaryRepository,
    LinkCodeRepository,
    MessageLinkRepository,
    OutboxRepository,
    ProgrammeRepository,
    ReminderRepository,
    ReminderSettingsRepository,
    TranslationCacheRepository,
)


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    db: Database
    chats: ChatRepository
    bridges: BridgeRepository
    links: MessageLinkRepository
    outbox: OutboxRepository
    glossary: GlossaryRepository
    translator: Translator
    translations: TranslationService
    relay: RelayService
    delivery: Delivery
    bridge_service: BridgeService
    actions: ActionService
    reminders: ReminderService

    @classmethod
    def create(
        cls,
        settings: Settings,
        catalog: Catalog,
        sender: Sender,
        *,
        translator: Translator | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        detector_languages: tuple[str, ...] = SUGGESTED_LANGUAGES,
    ) -> Services:
        db = Database(settings.database_url)
        chats = ChatRepository(db)
        bridges = BridgeRepository(db)
        links = MessageLinkRepository(db)
        outbox = OutboxRepository(db)
        glossary = GlossaryRepository(db)
        translator = translator or build_translator(
            settings.translator,
            url=settings.translator_url,
            api_key=settings.translator_api_key,
            timeout=settings.translator_timeout,
            max_concurrency=settings.translator_concurrency,
        )
        translations = TranslationService(
            translator, TranslationCacheRepository(db), glossary, LanguageDetector(detector_languages)
        )
        bridge_service = BridgeService(
            bridges=bridges, codes=LinkCodeRepository(db), chats=chats, catalog=catalog, sender=sender
        )

        async def on_gone(chat_id: int, reason: str) -> None:
            await bridge_service.unlink(chat_id, gone=True)
            await chats.set_active(chat_id, False)

        delivery = Delivery(
            outbox=outbox,
            links=links,
            chats=chats,
            translations=translations,
            renderer=Renderer(catalog),
            sender=sender,
            on_gone=on_gone,
        )
        relay = RelayService(outbox, translations, delivery.notify)
        actions = ActionService(
            actions=ActionRepository(db),
            programmes=ProgrammeRepository(db),
            bridges=bridges,
            translations=translations,
            catalog=catalog,
            sender=sender,
            clock=clock,
        )

        def timezone_of(chat: Chat) -> str:
            return chat.timezone or default_timezone(chat.language)

        reminders = ReminderService(
            reminders=ReminderRepository(db),
            settings=ReminderSettingsRepository(db),
            actions=actions.actions,
            chats=chats,
            bridges=bridges,
            translations=translations,
            catalog=catalog,
            sender=sender,
            clock=clock,
            timezone_of=timezone_of,
            status_text=actions.status_text,
        )
        actions.on_change = reminders.sync_item
        return cls(
            settings=settings,
            catalog=catalog,
            db=db,
            chats=chats,
            bridges=bridges,
            links=links,
            outbox=outbox,
            glossary=glossary,
            translator=translator,
            translations=translations,
            relay=relay,
            delivery=delivery,
            bridge_service=bridge_service,
            actions=actions,
            reminders=reminders,
        )

    async def start(self) -> None:
        await self.db.upgrade()
        await self.delivery.start()

    async def close(self) -> None:
        await self.delivery.stop()
        await self.translations.close()
        close = getattr(self.translator, "close", None)
        if callable(close):
            close()
        await self.db.dispose()

    def timezone_of(self, chat: Chat) -> str:
        return chat.timezone or default_timezone(chat.language)
