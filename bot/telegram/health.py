"""Readiness checks for ``/readyz`` (bot.telegram.web): Telegram's, and ``readiness()`` to combine it with the
database's (``Store.ready``).

Each check answers ``(ok, detail)``. Details are short and safe to serve on a public port: a revision,
a bot's username, or an exception's class name, never an error's message (which may carry a URL with a
password or a token); the message goes to the log (redacted there, bot.ops.logsetup).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import telegram

from bot.telegram.web import Readiness

__all__ = ["Check", "readiness", "telegram_ready"]

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[tuple[bool, str]]]

TELEGRAM_MAX_AGE = 10.0  # seconds a getMe answer (or failure) is reused


@dataclass
class _GetMeCache:
    at: float = float("-inf")
    result: tuple[bool, str] = (False, "not checked yet")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


_GET_ME: dict[int, _GetMeCache] = {}  # by id(bot); an entry goes with its bot


def _cache_of(bot: telegram.Bot) -> _GetMeCache:
    key = id(bot)
    entry = _GET_ME.get(key)
    if entry is None:
        entry = _GET_ME[key] = _GetMeCache()
        weakref.finalize(bot, _GET_ME.pop, key, None)
    return entry


async def telegram_ready(bot: telegram.Bot, *, max_age: float = TELEGRAM_MAX_AGE) -> tuple[bool, str]:
    """Telegram answers ``getMe`` for this bot. The answer (or the failure) is reused for ``max_age``
    seconds, so frequent scrapes of ``/readyz`` do not become frequent calls to Telegram; concurrent
    checks share one call."""
    entry = _cache_of(bot)
    async with entry.lock:
        if time.monotonic() - entry.at < max_age:
            return entry.result
        try:
            me = await bot.get_me()
        except Exception as exc:
            logger.warning("readiness: Telegram getMe failed: %s", exc)
            entry.result = (False, f"getMe failed: {type(exc).__name__}")
        else:
            entry.result = (True, f"@{me.username}")
        entry.at = time.monotonic()
        return entry.result


def readiness(checks: Mapping[str, Check], *, timeout: float = 4.0) -> Readiness:
    """A ``Readiness`` for bot.telegram.web that runs ``checks`` at once; one that raises or takes longer than
    ``timeout`` seconds is reported as not ok, beside the others.

    ``readiness({"database": store.ready, "telegram": lambda: telegram_ready(bot)})``
    """

    async def one(check: Check) -> tuple[bool, str]:
        try:
            ok, detail = await asyncio.wait_for(check(), timeout)
        except TimeoutError:
            return False, f"no answer within {timeout:g}s"
        except Exception as exc:
            logger.warning("readiness check failed: %s", exc)
            return False, f"failed: {type(exc).__name__}"
        return bool(ok), str(detail)

    async def run() -> dict[str, tuple[bool, str]]:
        names = list(checks)
        results = await asyncio.gather(*(one(checks[name]) for name in names))
        return dict(zip(names, results, strict=True))

    return run
