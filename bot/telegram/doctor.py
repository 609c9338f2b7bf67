"""``kembar doctor``: check a deployment, one line per check, each failure with what to do.

The checks, in order: the bot token (``getMe``), group privacy mode, how updates arrive (the webhook
Telegram has against the configured mode), the database (reachable, migrations applied), the
translator (one short translation) and the clock (this machine's against the ``Date`` of a Bot API
answer). Each gives a :class:`Check` of level ``ok``, ``warn`` or ``FAIL``; checks that need a working
Telegram connection are ``skip`` when the token check could not get one. Nothing printed carries a
secret: every detail passes through :func:`bot.ops.logsetup.redact` with the settings' secrets, URLs are
shown without the token, database URLs without the password.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Final, Literal

import httpx
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from telegram import Bot, User
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError

from bot.config import DEFAULT_BOT_API_URL, Settings
from bot.ops.logsetup import redact

__all__ = [
    "CLOCK_FAIL_SECONDS",
    "CLOCK_WARN_SECONDS",
    "Check",
    "Level",
    "doctor",
    "exit_status",
    "format",
    "run_checks",
]

logger = logging.getLogger(__name__)

Level = Literal["ok", "warn", "FAIL", "skip"]

CLOCK_WARN_SECONDS: Final = 5.0
CLOCK_FAIL_SECONDS: Final = 60.0
PROBE_TEXT: Final = ("hello", "en", "id")  # what the translator check translates, from, into
_MAX_DETAIL: Final = 160
_NETWORK_ERROR: Final = re.compile(r"network error \((\w+)")


@dataclass(frozen=True)
class Check:
    """One line of the report: ``advice`` says what to do (empty when there is nothing to do)."""

    name: str
    level: Level
    detail: str
    advice: str = ""


def _short(value: str, limit: int = _MAX_DETAIL) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _error(exc: BaseException) -> str:
    """An exception in a few words: its kind and the first part of its message, never a traceback."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        # The driver's own message, without SQLAlchemy's statement and link or the adapter's class name.
        message = str(exc.orig).split("\n", 1)[0]
        return _short(message.split(">: ", 1)[1] if message.startswith("<class '") else message, 120)
    if isinstance(exc, TelegramError):
        return _short(exc.message, 120)
    message = str(exc).split("\n", 1)[0]
    name = type(exc).__name__
    return _short(f"{name}: {message}" if message else name, 120)


def _age(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"


# -- Telegram ------------------------------------------------------------------------------------


@dataclass
class _Telegram:
    """What the token check learnt: the bot (``None`` when it failed) and why the others cannot run."""

    me: User | None = None
    skip_reason: str = ""
    reachable: bool = False  # the Bot API answered (even if it refused the token)


async def _check_token(bot: Bot | None, settings: Settings) -> tuple[Check, _Telegram]:
    if bot is None:
        check = Check(
            "token",
            "FAIL",
            "TELEGRAM_BOT_TOKEN not set (the sandbox needs none; a real bot does)",
            "get one from @BotFather and set TELEGRAM_BOT_TOKEN",
        )
        return check, _Telegram(skip_reason="no token")
    try:
        await bot.initialize()  # getMe
    except InvalidToken:
        advice = "get a new one from @BotFather (/token) and set TELEGRAM_BOT_TOKEN"
        if settings.bot_api_url != DEFAULT_BOT_API_URL:
            advice += f" (or KEMBAR_BOT_API_URL {settings.bot_api_url} is not a Bot API server)"
        check = Check("token", "FAIL", "the token was refused", advice)
        return check, _Telegram(skip_reason="the token was refused", reachable=True)
    except NetworkError as exc:
        if isinstance(exc, BadRequest):  # Telegram answered, with a refusal
            return _token_error(exc)
        check = Check(
            "token",
            "FAIL",
            f"Bot API unreachable at {settings.bot_api_url} ({_error(exc)})",
            "check the network and KEMBAR_BOT_API_URL",
        )
        return check, _Telegram(skip_reason="the Bot API is unreachable")
    except TelegramError as exc:
        return _token_error(exc)
    me = bot.bot
    return Check("token", "ok", f"@{me.username} (id {me.id})"), _Telegram(me=me, reachable=True)


def _token_error(exc: TelegramError) -> tuple[Check, _Telegram]:
    check = Check("token", "FAIL", f"getMe failed: {_error(exc)}", "try again; if it persists, check the Bot API")
    return check, _Telegram(skip_reason="getMe failed", reachable=True)


def _check_privacy(me: User) -> Check:
    if me.can_read_all_group_messages:
        return Check("privacy", "ok", "group privacy is off, the bot reads every group message")
    return Check(
        "privacy",
        "FAIL",
        "group privacy is on: the bot sees only commands and replies in groups, so it relays nothing",
        "@BotFather: /setprivacy → this bot → Disable; then remove the bot from each group and add it again",
    )


async def _check_updates(bot: Bot, settings: Settings, now: Callable[[], float]) -> Check:
    try:
        info = await bot.get_webhook_info()
    except TelegramError as exc:
        return Check("updates", "FAIL", f"getWebhookInfo failed: {_error(exc)}", "try again")
    pending = info.pending_update_count
    waiting = f"{pending} update{'s' if pending != 1 else ''} waiting"
    if not settings.webhook:
        if info.url:
            return Check(
                "updates",
                "FAIL",
                f"polling is configured, but a webhook is set ({info.url}), so getUpdates gets nothing",
                "a leftover? kembar run removes it on start; else another deployment runs in webhook mode: "
                "stop one of them",
            )
        return Check("updates", "ok", "long polling, no webhook set" + (f", {waiting}" if pending else ""))
    if not info.url:
        return Check(
            "updates",
            "FAIL",
            f"webhook mode, but no webhook is set at Telegram ({waiting})",
            "kembar run sets it on start; is it running? (KEMBAR_WEBHOOK_URL)",
        )
    if info.url != settings.webhook_url:
        return Check(
            "updates",
            "FAIL",
            f"the webhook is {info.url}, not KEMBAR_WEBHOOK_URL ({settings.webhook_url})",
            "another deployment set it, or the setting changed: stop the other one; kembar run sets it on start",
        )
    if info.last_error_message:
        age = ""
        if info.last_error_date is not None:
            age = f" {_age(now() - info.last_error_date.timestamp())} ago"
        host, port = settings.listen
        return Check(
            "updates",
            "FAIL",
            f"Telegram's last delivery failed{age}: {_short(info.last_error_message, 80)} ({waiting})",
            f"check that {settings.webhook_url} reaches kembar run (listening on {host}:{port}): "
            "DNS, TLS certificate, proxy, firewall",
        )
    if pending:
        return Check(
            "updates",
            "warn",
            f"webhook {info.url}, {waiting}",
            "Telegram is still delivering them; if the number grows, check that kembar run is up",
        )
    return Check("updates", "ok", f"webhook {info.url}, nothing waiting")


async def _check_clock(settings: Settings, now: Callable[[], float], wait_seconds: float) -> Check:
    """This machine's clock against the ``Date`` header of a Bot API answer (whole seconds)."""
    url = f"{settings.bot_api_url}/bot{settings.token}/getMe"
    try:
        async with httpx.AsyncClient(timeout=wait_seconds) as client:
            sent = now()
            response = await client.get(url)
            received = now()
    except httpx.HTTPError as exc:
        return Check("clock", "FAIL", f"no answer from the Bot API ({type(exc).__name__})", "try again")
    header = response.headers.get("Date")
    try:
        telegram_time = parsedate_to_datetime(header).timestamp() if header else None
    except (TypeError, ValueError):
        telegram_time = None
    if telegram_time is None:
        return Check("clock", "warn", "the Bot API's answer has no usable Date header, cannot compare clocks")
    # The header has whole seconds: Telegram's time was somewhere in [date, date + 1).
    skew = telegram_time + 0.5 - (sent + received) / 2
    if abs(skew) <= 1.5:
        return Check("clock", "ok", "in step with Telegram (within 1 s)")
    side = "behind" if skew > 0 else "ahead of"
    detail = f"this machine is {abs(skew):.0f} s {side} Telegram"
    if abs(skew) <= CLOCK_WARN_SECONDS:
        return Check("clock", "ok", detail)
    advice = "sync the clock (NTP: timedatectl set-ntp true, or chrony)"
    if abs(skew) <= CLOCK_FAIL_SECONDS:
        return Check("clock", "warn", detail, advice)
    return Check("clock", "FAIL", detail + ": reminders and due dates fire early or late", advice)


async def _telegram_checks(settings: Settings, now: Callable[[], float], wait_seconds: float) -> list[Check]:
    bot = Bot(settings.token, base_url=f"{settings.bot_api_url}/bot") if settings.token else None
    try:
        token, telegram = await _check_token(bot, settings)
        checks = [token]
        if bot is not None and telegram.me is not None:
            checks += [_check_privacy(telegram.me), await _check_updates(bot, settings, now)]
        else:
            checks += [
                Check("privacy", "skip", f"not checked: {telegram.skip_reason}"),
                Check("updates", "skip", f"not checked: {telegram.skip_reason}"),
            ]
    finally:
        if bot is not None:
            await bot.shutdown()
    if telegram.reachable:
        checks.append(await _check_clock(settings, now, wait_seconds))
    else:
        checks.append(Check("clock", "skip", f"not checked: {telegram.skip_reason}"))
    return checks


# -- database ------------------------------------------------------------------------------------


def _where(url: URL) -> str:
    """The database named without its password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database or ':memory:'}"
    user = f"{url.username}@" if url.username else ""
    port = f":{url.port}" if url.port else ""
    return f"{url.get_backend_name()} {user}{url.host or 'localhost'}{port}/{url.database or ''}"


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from storage.migrate import alembic_config

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


async def _check_database(settings: Settings, wait_seconds: float) -> Check:
    from storage.db import Database
    from storage.migrate import current_revision, head_revision

    url = make_url(settings.database_url)
    where = _where(url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        if not await asyncio.to_thread(Path(url.database).exists):  # opening it would create an empty file
            return Check(
                "database", "FAIL", f"no file at {url.database}", "kembar run creates it, or kembar db upgrade"
            )
    db = Database(settings.database_url)
    try:
        async with asyncio.timeout(wait_seconds):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            current = await current_revision(db.engine)
    except Exception as exc:  # any failure to reach it is the finding
        error = f"no answer within {wait_seconds:g} s" if isinstance(exc, TimeoutError) else _error(exc)
        return Check("database", "FAIL", f"{where} unreachable: {error}", "check DATABASE_URL and the database server")
    finally:
        await db.dispose()
    head = head_revision()
    if current == head:
        return Check("database", "ok", f"{where}, migration {current} (latest)")
    if current is None:
        return Check("database", "FAIL", f"{where} has no tables yet", "run kembar db upgrade")
    if not _known_revision(current):
        return Check(
            "database",
            "FAIL",
            f"{where} is at migration {current}, which this Kembar does not know (a newer version migrated it?)",
            "run the Kembar version that matches the database",
        )
    return Check(
        "database", "FAIL", f"{where} is at migration {current}, this Kembar needs {head}", "run kembar db upgrade"
    )


# -- translator ----------------------------------------------------------------------------------


def _translator_advice(settings: Settings, auth: bool) -> str:
    if auth:
        return "check KEMBAR_TRANSLATOR_API_KEY"
    if settings.translator == "libre":
        return f"check KEMBAR_TRANSLATOR_URL ({settings.translator_url}) and that the server is up"
    if settings.translator in ("deepl", "microsoft"):
        return "check the network, and KEMBAR_TRANSLATOR_API_KEY's plan and quota"
    return f"check this machine's internet access ({settings.translator} is an online service)"


async def _check_translator(settings: Settings) -> Check:
    from bot.translation import (
        TranslationAuthError,
        TranslationError,
        TranslationRejected,
        TranslationTimeout,
        TranslationUnavailable,
        build_translator,
    )

    provider = settings.translator
    try:
        translator = build_translator(  # exactly as bot.services builds it
            settings.translator,
            url=settings.translator_url,
            api_key=settings.translator_api_key,
            timeout=settings.translator_timeout,
            max_concurrency=settings.translator_concurrency,
        )
    except ValueError as exc:
        return Check("translator", "FAIL", f"{provider}: {exc}", "check the KEMBAR_TRANSLATOR settings")
    word, source, target = PROBE_TEXT
    # The translator runs each request in a worker thread under the configured timeout and retries
    # twice; the guard only bounds the whole of it.
    guard = settings.translator_timeout * 3 + 10
    started = time.monotonic()
    try:
        async with asyncio.timeout(guard):
            (result,) = await translator.translate([word], source, target)
    except TimeoutError:
        error: Exception = TranslationTimeout(f"no answer within {guard:g} s")
    except TranslationError as exc:
        error = exc
    else:
        took = time.monotonic() - started
        return Check("translator", "ok", f"{provider}: {word!r} → {_short(result, 40)!r} in {took:.1f} s")
    finally:
        translator.close()
    if isinstance(error, TranslationTimeout):
        kind = "timed out"
    elif isinstance(error, TranslationAuthError):
        kind = "API key refused"
    elif isinstance(error, TranslationUnavailable):
        kind = "unavailable"
    elif isinstance(error, TranslationRejected):
        kind = "refused the request"
    else:
        kind = "failed"
    message = str(error).removeprefix(f"{provider}: ")
    network = _NETWORK_ERROR.match(message)
    if network:  # the exception's kind says enough; its text is requests' long account of the connection
        message = f"network error ({network[1]})"
    return Check(
        "translator",
        "FAIL",
        f"{provider} {kind}: {_short(message, 100)}",
        _translator_advice(settings, isinstance(error, TranslationAuthError)),
    )


# -- the report ----------------------------------------------------------------------------------


async def run_checks(
    settings: Settings, *, now: Callable[[], float] = time.time, wait_seconds: float = 10.0
) -> list[Check]:
    """Every check, in the report's order, details redacted of the settings' secrets.

    ``now`` is this machine's clock (Unix seconds); ``wait_seconds`` bounds the Bot API and database
    calls (the translator has its own, ``KEMBAR_TRANSLATOR_TIMEOUT``).
    """
    telegram = await _telegram_checks(settings, now, wait_seconds)
    checks = [
        *telegram[:3],
        await _check_database(settings, wait_seconds),
        await _check_translator(settings),
        telegram[3],
    ]
    return [
        replace(check, detail=redact(check.detail, settings.secrets), advice=redact(check.advice, settings.secrets))
        for check in checks
    ]


def exit_status(checks: Sequence[Check]) -> int:
    """0 when nothing failed (warnings are fine), else 1."""
    return 1 if any(check.level == "FAIL" for check in checks) else 0


_LABELS: Final[dict[Level, str]] = {"ok": "ok  ", "warn": "warn", "FAIL": "FAIL", "skip": "skip"}


def format(checks: Sequence[Check]) -> str:
    """The report: one line per check (``FAIL database: … — run kembar db upgrade``), then a summary."""
    lines = [
        f"{_LABELS[check.level]} {check.name}: {check.detail}" + (f" — {check.advice}" if check.advice else "")
        for check in checks
    ]
    failed = sum(check.level == "FAIL" for check in checks)
    warned = sum(check.level == "warn" for check in checks)
    if failed:
        lines.append(f"{failed} of {len(checks)} checks failed" + (f", {warned} warned" if warned else ""))
    else:
        lines.append(f"all {len(checks)} checks passed" + (f" ({warned} with a warning)" if warned else ""))
    return "\n".join(lines)


async def doctor(settings: Settings) -> int:
    """``kembar doctor``: print the report; the exit status is :func:`exit_status`."""
    checks = await run_checks(settings)
    print(format(checks), flush=True)
    return exit_status(checks)
