"""A rate limiter whose flood-control pause applies to the chat that was throttled, not to every chat.

python-telegram-bot's AIORateLimiter keeps Telegram's limits (about 30 messages/s overall, 20/min per
group) but, on a ``RetryAfter``, stops *all* requests until the wait is over. A relay serves many
groups: one throttled group must not hold up the others. This subclass keeps the limits and the
retries and pauses only the chat concerned. It relies on ``AIORateLimiter._run_request`` (present
throughout python-telegram-bot 22.x, which pyproject pins).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter


def retry_seconds(exc: RetryAfter) -> float:
    after: Any = exc._retry_after  # the timedelta behind the (deprecated-typed) public property
    return after.total_seconds() if isinstance(after, timedelta) else float(after)


class PerChatRateLimiter(AIORateLimiter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._resume_at: dict[int | str | None, float] = {}

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        max_retries = self._max_retries if rate_limit_args is None else rate_limit_args
        chat_id: Any = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        group: int | str | bool = (
            chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str) else False
        )
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            pause = self._resume_at.get(chat_id, 0.0) - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
            try:
                return await self._run_request(
                    chat=chat_id is not None,
                    group=group,
                    allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                    callback=callback,
                    args=args,
                    kwargs=kwargs,
                )
            except RetryAfter as exc:
                if attempt >= max_retries:
                    raise
                attempt += 1
                self._resume_at[chat_id] = max(
                    self._resume_at.get(chat_id, 0.0), loop.time() + retry_seconds(exc) + 0.1
                )
                if len(self._resume_at) > 512:  # forget the pauses that are over
                    now = loop.time()
                    for key in [k for k, until in self._resume_at.items() if until <= now]:
                        del self._resume_at[key]
