"""build_application(settings): the only wiring point between Kembar and python-telegram-bot."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.i18n import FALLBACK, Catalog
from bot.services import Services
from handlers import basic
from handlers.context import SERVICES_KEY, KembarContext
from handlers.errors import on_error

logger = logging.getLogger(__name__)

KembarApp = Application[Any, KembarContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]

# (command, catalogue key of its description) for the command menu.
MENU = (("start", "cmd.start"), ("help", "cmd.help"), ("lang", "cmd.lang"))


async def set_command_menus(app: KembarApp, catalog: Catalog) -> None:
    """One command menu per UI language; a failure is logged, never fatal."""
    for language in [None, *catalog.languages]:
        commands = [BotCommand(name, catalog.t(key, language or FALLBACK)) for name, key in MENU]
        try:
            await app.bot.set_my_commands(commands, language_code=language)
        except TelegramError as exc:
            logger.warning("setMyCommands(language_code=%s) failed: %s", language, exc)


def build_application(settings: Settings, *, catalog: Catalog | None = None) -> KembarApp:
    if not settings.token:
        raise ValueError("build_application needs a bot token")
    catalog = catalog or Catalog.load()
    root = settings.bot_api_url.rstrip("/")

    async def post_init(app: KembarApp) -> None:
        services = Services.create(settings, catalog)
        await services.start()
        app.bot_data[SERVICES_KEY] = services
        await set_command_menus(app, catalog)

    async def post_shutdown(app: KembarApp) -> None:
        services = app.bot_data.pop(SERVICES_KEY, None)
        if isinstance(services, Services):
            await services.close()

    app: KembarApp = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=KembarContext))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(app)
    return app


def register_handlers(app: KembarApp) -> None:
    app.add_handler(TypeHandler(Update, basic.load_chat), group=-1)
    new_messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", basic.start, filters=new_messages))
    app.add_handler(CommandHandler("help", basic.help_command, filters=new_messages))
    app.add_handler(CommandHandler("lang", basic.lang, filters=new_messages))
    app.add_error_handler(on_error)


@asynccontextmanager
async def running(app: KembarApp, *, poll_timeout: int = 10) -> AsyncIterator[KembarApp]:
    """Run the application with long polling inside the current event loop (tests, sandbox).

    Mirrors ``Application.run_polling``: initialize, post_init, start, poll ... stop, shutdown, post_shutdown.
    """
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
