"""build_application(settings): the only wiring point between Kembar and python-telegram-bot."""

from __future__ import annotations

import asyncio
import contextlib
import gc
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
    ContextTypes,
)

from bot.config import Settings
from bot.domain.records import Liveness
from bot.domain.repositories import InboxRepository
from bot.language.catalog import FALLBACK, Catalog
from bot.ops import metrics
from bot.ops.connections import connection_budget, current_limit, raise_limit
from bot.services import Services
from bot.telegram.health import readiness, telegram_ready
from bot.telegram.intake import Intake
from bot.telegram.jobs import ReminderJobs, start_retention
from bot.telegram.polling import DurablePoller
from bot.telegram.ratelimit import PerChatRateLimiter
from bot.telegram.sender import TelegramSender
from bot.telegram.web import WebServer, webhook_path
from bot.translation import Translator
from handlers import registry
from handlers.context import SERVICES_KEY, KembarContext
from handlers.errors import NotStarted

logger = logging.getLogger(__name__)

JOBS_KEY = "kembar.reminder_jobs"
DUTY_SECONDS = 1.0  # with several instances: how often one looks for a lead and for a gone one's work

KembarApp = Application[Any, KembarContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]


class KembarApplication(Application[Any, KembarContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]):
    """python-telegram-bot's Application, but an update whose handling could not begin does not count as
    handled. ``Application.process_update`` hands whatever a handler raises to :meth:`process_error` (the
    error handlers) and returns normally, so the intake would acknowledge an update that never ran; a
    ``NotStarted`` (handlers.errors: the chat's context could not be loaded) is raised out of
    ``process_update`` instead, and the intake fails the update's batch: it comes again."""

    async def process_error(
        self, update: object | None, error: Exception, job: Any = None, coroutine: Any = None
    ) -> bool:
        if isinstance(error, NotStarted) and isinstance(update, Update) and job is None and coroutine is None:
            raise error
        return await super().process_error(update, error, job, coroutine)


MENU = registry.MENU


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
        # What start-up made (libraries, catalogues, the services) lives as long as the process: out of the
        # collector's sight, a full collection no longer walks it (about 100 ms of event-loop stall each).
        gc.collect()
        gc.freeze()
        if reminder_jobs and app.job_queue is not None:
            cluster = services.cluster
            leading = lambda: cluster.leading  # noqa: E731 (read at each sweep)
            jobs = ReminderJobs(app.job_queue, services.reminder_engine, services.wakeups, leading=leading)
            jobs.start()
            app.bot_data[JOBS_KEY] = jobs
            start_retention(app.job_queue, services.privacy, leading=leading)

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
        .application_class(KembarApplication)
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
    registry.register(app)
    return app


def _batch(app: KembarApp) -> AbstractAsyncContextManager[object]:
    """Relay's batch (its jobs stored together, before the poller acknowledges the updates)."""
    services = app.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        return contextlib.nullcontext()
    return services.relay.batch()


def _services(app: KembarApp) -> Services | None:
    services = app.bot_data.get(SERVICES_KEY)
    return services if isinstance(services, Services) else None


def _inbox(app: KembarApp) -> InboxRepository | None:
    """Where updates wait to be processed after their acknowledgement (None before the services run)."""
    services = _services(app)
    return services.inbox if services is not None else None


def _live(app: KembarApp) -> Liveness | None:
    services = _services(app)
    return services.cluster.live if services is not None else None


async def _lead(app: KembarApp) -> bool:
    services = _services(app)
    return services is not None and await services.cluster.try_lead()


def make_intake(app: KembarApp) -> Intake:
    return Intake(app, batch=lambda: _batch(app), inbox=lambda: _inbox(app), live=lambda: _live(app))


async def _duties(app: KembarApp, intake: Intake) -> None:
    """With several instances (PostgreSQL), every second: try for the lead (housekeeping, and polling in
    polling mode), run the updates a gone instance had taken, deliver to the chats it delivered to."""
    services = _services(app)
    if services is None or not services.cluster.shared:
        return
    while not intake.stopping:
        try:
            metrics.LEADER.set(1 if await services.cluster.try_lead() else 0)
            await intake.adopt()
            await services.delivery.resume()
        except Exception as exc:
            logger.warning("looking for the work of gone instances failed (%s); trying again", type(exc).__name__)
        await intake.pause(DUTY_SECONDS)


@asynccontextmanager
async def _started(app: KembarApp) -> AsyncIterator[Intake]:
    """initialize, post_init (the services), start … stop, shutdown, post_shutdown, around the intake."""
    await app.initialize()
    intake = make_intake(app)
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        duties = asyncio.create_task(_duties(app, intake), name="kembar-duties")
        try:
            yield intake
        finally:
            await intake.stop()
            await duties
            if app.running:
                await app.stop()
    finally:
        try:
            await app.shutdown()
        finally:
            if app.post_shutdown:
                await app.post_shutdown(app)


@asynccontextmanager
async def running(app: KembarApp, *, poll_timeout: int = 10) -> AsyncIterator[DurablePoller]:
    """Run the application with durable long polling inside the current event loop (with several instances,
    this one polls once it leads). Mirrors ``Application.run_polling``."""
    async with _started(app) as intake:
        poller = DurablePoller(
            app, intake, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES, lead=lambda: _lead(app)
        )
        await poller.start()
        try:
            yield poller
        finally:
            await poller.stop()


@asynccontextmanager
async def _listener(app: KembarApp, settings: Settings, intake: Intake | None) -> AsyncIterator[WebServer | None]:
    """The HTTP listener (bot.telegram.web): with ``intake``, the webhook on KEMBAR_LISTEN beside /healthz, /readyz and
    /metrics; without, those three on KEMBAR_METRICS_LISTEN when it is set (polling mode)."""
    services = _services(app)
    address = settings.listen if intake is not None else settings.metrics_listen
    if services is None or address is None:
        yield None
        return
    metrics.set_instance(services.cluster.live.me, "webhook" if intake is not None else "polling")
    store, cluster, outbox = services.store, services.cluster, services.outbox

    async def refresh() -> None:
        metrics.LEADER.set(1 if cluster.leading else 0)
        metrics.set_outbox(await outbox.counts())

    cap = connection_budget(settings.max_connections, current_limit().soft)
    if cap < settings.max_connections:
        logger.warning(
            "KEMBAR_MAX_CONNECTIONS is %d, but the open-file limit allows %d HTTP connections (half of it)",
            settings.max_connections,
            cap,
        )
    server = WebServer(
        host=address[0],
        port=address[1],
        max_connections=cap,
        readiness=readiness({"database": store.ready, "telegram": lambda: telegram_ready(app.bot)}),
        refresh=refresh,
        intake=intake.take_payload if intake is not None else None,
        secret=settings.webhook_secret,
        webhook_path=webhook_path(settings.webhook_url) if settings.webhook_url else "/telegram",
    )
    await server.start()
    logger.info("listening on %s:%s", address[0], server.port)
    try:
        yield server
    finally:
        await server.stop()  # no new updates; those in progress finish (then the lanes do)


@asynccontextmanager
async def serving_webhook(app: KembarApp, settings: Settings) -> AsyncIterator[WebServer]:
    """Run the application in webhook mode inside the current event loop: Telegram posts each update to
    KEMBAR_WEBHOOK_URL (in front of one instance or several), and is answered 200 once its work is stored.

    The webhook is registered with ``max_connections=1``: Telegram then posts one update at a time, in
    order, and waits for its answer; with the 200 given only after the relay jobs are committed, the jobs
    get their order (their ids) in the order the messages were sent, whichever instance took them."""
    if not settings.webhook_url or not settings.webhook_secret:
        raise ValueError("webhook mode needs KEMBAR_WEBHOOK_URL and KEMBAR_WEBHOOK_SECRET")
    async with _started(app) as intake:
        await intake.adopt()  # acknowledged before a stop, never started
        async with _listener(app, settings, intake) as server:
            assert server is not None
            await app.bot.set_webhook(
                url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                max_connections=1,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
            yield server


class ClusterLost(Exception):
    """This instance lost its coordination connection (bot.ops.cluster): it stops, others take its work over."""


async def serve(settings: Settings) -> None:
    """``kembar run``: long polling, or the webhook with ``KEMBAR_WEBHOOK_URL``, until SIGINT/SIGTERM, a fatal
    error such as a rejected token, or the loss of this instance's place in the cluster (ClusterLost)."""
    import signal

    raise_limit()  # every socket is a descriptor; the soft limit is often 1,024 (bot.ops.connections)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    app = build_application(settings)
    async with contextlib.AsyncExitStack() as stack:
        if settings.webhook:
            await stack.enter_async_context(serving_webhook(app, settings))
            ending: asyncio.Future[Any] = loop.create_future()  # the webhook never ends by itself
        else:
            poller = await stack.enter_async_context(running(app))
            await stack.enter_async_context(_listener(app, settings, None))
            # Shielded: leaving the block stops the poller cleanly (running() does), never by cancelling it.
            ending = asyncio.ensure_future(asyncio.shield(poller.wait()))
        services = _services(app)
        assert services is not None
        waiters: set[asyncio.Future[Any]] = {
            asyncio.ensure_future(stop.wait()),
            asyncio.ensure_future(services.cluster.lost.wait()),
        }
        await asyncio.wait({*waiters, ending}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
        if ending.done():
            ending.result()  # re-raise a fatal polling error
        else:
            ending.cancel()
        if services.cluster.lost.is_set():
            raise ClusterLost("this instance lost its database connection; its work is taken over by the others")
