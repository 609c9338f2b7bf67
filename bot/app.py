"""build_application(settings): the only wiring point between Kembar and python-telegram-bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

import handlers
from bot.config import Settings
from bot.i18n import FALLBACK, Catalog
from bot.jobs import ReminderJobs, start_retention
from bot.polling import DurablePoller
from bot.ratelimit import PerChatRateLimiter
from bot.services import Services
from bot.telegram_io import TelegramSender
from bot.translation import Translator
from handlers import basic, bridge, relay
from handlers.context import SERVICES_KEY, KembarContext
from handlers.errors import on_error
from storage.inbox import InboxRepository

logger = logging.getLogger(__name__)

JOBS_KEY = "kembar.reminder_jobs"

KembarApp = Application[Any, KembarContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]

COMMANDS = handlers.commands()
# (command, catalogue key of its description) for the command menu, in the handler modules' order.
MENU = tuple((name, command.menu) for name, command in COMMANDS.items() if command.menu)


async def set_command_menus(app: KembarApp, catalog: Catalog) -> None:
    """One command menu per UI language; a failure is logged, never fatal."""
    for language in [None, *catalog.languages]:
        commands = [BotCommand(name, catalog.t(key, language or FALLBACK)) for name, key in MENU]
        try:
            await app.bot.set_my_commands(commands, language_code=language)
        except TelegramError as exc:
            logger.warning("setMyCommands(language_code=%s) failed: %s", language, exc)


def build_application(
    settings: Settings,
    *,
    catalog: Catalog | None = None,
    translator: Translator | None = None,
    clock: Callable[[], datetime] | None = None,
    reminder_jobs: bool = True,
) -> KembarApp:
    """The wired application. ``clock`` and ``reminder_jobs=False`` let tests drive time themselves."""
    if not settings.token:
        raise ValueError("build_application needs a bot token")
    catalog = catalog or Catalog.load()
    root = settings.bot_api_url.rstrip("/")

    async def post_init(app: KembarApp) -> None:
        telegram = TelegramSender(app.bot)
        services = Services.create(
            settings,
            catalog,
            telegram,
            telegram,
            translator=translator,
            clock=clock or (lambda: datetime.now(UTC)),
        )
        await services.start()
        app.bot_data[SERVICES_KEY] = services
        if not app.bot.can_read_all_group_messages:
            logger.warning(
                "Privacy mode is on (getMe: can_read_all_group_messages=false): Kembar sees only commands in "
                "groups where it is not an administrator. Turn it off with BotFather (/setprivacy -> Disable)."
            )
        await set_command_menus(app, catalog)
        if reminder_jobs and app.job_queue is not None:
            jobs = ReminderJobs(app.job_queue, services.reminder_engine, services.wakeups)
            jobs.start()
            app.bot_data[JOBS_KEY] = jobs
            start_retention(app.job_queue, services.privacy)

    async def post_shutdown(app: KembarApp) -> None:
        services = app.bot_data.pop(SERVICES_KEY, None)
        if isinstance(services, Services):
            await services.close()

    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=KembarContext))
        .updater(None)
    )
    app: KembarApp
    if settings.send_rate > 0:
        limiter = PerChatRateLimiter(
            overall_max_rate=settings.send_rate,
            overall_time_period=1,
            group_max_rate=settings.group_rate,
            group_time_period=60,
            max_retries=5,
        )
        app = builder.rate_limiter(limiter).post_init(post_init).post_shutdown(post_shutdown).build()
    else:  # no limiter: a RetryAfter from Telegram still pauses just that destination
        app = builder.post_init(post_init).post_shutdown(post_shutdown).build()
    register_handlers(app)
    return app


def register_handlers(app: KembarApp) -> None:
    app.add_handler(TypeHandler(Update, basic.load_chat), group=-1)
    new_messages = filters.UpdateType.MESSAGE
    for name, command in COMMANDS.items():
        app.add_handler(CommandHandler(name, command.handler, filters=new_messages))
    content = (filters.TEXT | filters.CAPTION | filters.ATTACHMENT) & ~filters.COMMAND & filters.ChatType.GROUPS
    app.add_handler(
        MessageHandler(content & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE), relay.relay_message)
    )
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, bridge.chat_migrated))
    app.add_handler(ChatMemberHandler(bridge.my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    for pattern, handler in handlers.buttons().items():
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern))
    app.add_error_handler(on_error)


def _batch(app: KembarApp) -> AbstractAsyncContextManager[object]:
    """Relay's batch (its jobs stored together, before the poller acknowledges the updates)."""
    services = app.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        return contextlib.nullcontext()
    return services.relay.batch()


def _inbox(app: KembarApp) -> InboxRepository | None:
    """Where updates wait to be processed after their acknowledgement (None before the services run)."""
    services = app.bot_data.get(SERVICES_KEY)
    return services.inbox if isinstance(services, Services) else None


@asynccontextmanager
async def running(app: KembarApp, *, poll_timeout: int = 10) -> AsyncIterator[DurablePoller]:
    """Run the application with durable long polling inside the current event loop.

    Mirrors ``Application.run_polling``: initialize, post_init, start, poll ... stop, shutdown, post_shutdown.
    """
    await app.initialize()
    poller = DurablePoller(
        app,
        timeout=poll_timeout,
        allowed_updates=Update.ALL_TYPES,
        batch=lambda: _batch(app),
        inbox=lambda: _inbox(app),
    )
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await poller.start()
        try:
            yield poller
        finally:
            await poller.stop()
            if app.running:
                await app.stop()
    finally:
        try:
            await app.shutdown()
        finally:
            if app.post_shutdown:
                await app.post_shutdown(app)


async def serve(settings: Settings) -> None:
    """``kembar run``: poll until SIGINT/SIGTERM (or a fatal error such as a rejected token)."""
    import signal

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(build_application(settings)) as poller:
        waiter = asyncio.ensure_future(stop.wait())
        polling = asyncio.ensure_future(poller.wait())
        await asyncio.wait({waiter, polling}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if polling.done():
            polling.result()  # re-raise a fatal polling error
        else:
            polling.cancel()
