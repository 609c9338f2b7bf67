"""Bridges: linking groups with one-time codes, leaving, and telling every member what changed."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from bot.i18n import Catalog, Markup, language_name
from bot.telegram_io import DeliveryError, Sender
from storage.records import Bridge, Chat
from storage.repos import BridgeRepository, ChatRepository, LinkCodeRepository

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=30)


class TooManyAttempts(Exception):
    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"wait {wait_seconds:.0f}s")
        self.wait_seconds = wait_seconds


class AttemptLimiter:
    """At most ``limit`` wrong codes per chat in a sliding ``window`` (seconds)."""

    def __init__(self, limit: int = 5, window: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[int, deque[float]] = {}

    def check(self, chat_id: int) -> None:
        failures = self._failures.get(chat_id)
        if not failures:
            return
        now = self.clock()
        while failures and now - failures[0] > self.window:
            failures.popleft()
        if len(failures) >= self.limit:
            raise TooManyAttempts(self.window - (now - failures[0]))

    def failed(self, chat_id: int) -> None:
        self._failures.setdefault(chat_id, deque()).append(self.clock())

    def succeeded(self, chat_id: int) -> None:
        self._failures.pop(chat_id, None)


class BridgeService:
    def __init__(
        self,
        *,
        bridges: BridgeRepository,
        codes: LinkCodeRepository,
        chats: ChatRepository,
        catalog: Catalog,
        sender: Sender,
        limiter: AttemptLimiter | None = None,
    ) -> None:
        self.bridges = bridges
        self.codes = codes
        self.chats = chats
        self.catalog = catalog
        self.sender = sender
        self.limiter = limiter or AttemptLimiter()

    async def create_code(self, chat_id: int, user_id: int | None) -> str:
        return await self.codes.create(chat_id, user_id, CODE_TTL)

    async def redeem(self, code: str, chat_id: int) -> Bridge:
        """Join ``chat_id`` to the bridge of the chat that issued ``code``; tell every member.

        Raises TooManyAttempts, the LinkCodeError subclasses, or AlreadyBridged.
        """
        self.limiter.check(chat_id)
        from storage.repos import LinkCodeError

        try:
            issuer = await self.codes.redeem(code, chat_id)
        except LinkCodeError:
            self.limiter.failed(chat_id)
            raise
        self.limiter.succeeded(chat_id)
        bridge = await self.bridges.link(issuer, chat_id)
        joined = next(m for m in bridge.members if m.id == chat_id)
        await self.tell(bridge.others(chat_id), "bridge.joined", city=joined.label, bridge=bridge)
        return bridge

    async def link(self, chat_a: int, chat_b: int) -> Bridge:
        """Operator link (CLI): no code needed."""
        bridge = await self.bridges.link(chat_a, chat_b)
        joined = next(m for m in bridge.members if m.id == chat_b)
        await self.tell(bridge.members, "bridge.joined", city=joined.label, bridge=bridge)
        return bridge

    async def unlink(self, chat_id: int, *, gone: bool = False) -> Bridge | None:
        """Take a chat out of its bridge and tell the remaining members."""
        chat = await self.chats.get(chat_id)
        remaining = await self.bridges.leave(chat_id)
        if remaining is not None and chat is not None:
            key = "bridge.other_gone" if gone else "bridge.other_left"
            await self.tell(remaining.members, key, city=chat.label)
        return remaining

    def members_text(self, bridge: Bridge, language: str) -> Markup:
        lines = [
            self.catalog.t("bridge.line", language, city=m.label, language=language_name(m.language, language))
            for m in bridge.members
        ]
        return Markup("\n".join(lines))

    async def tell(self, chats: tuple[Chat, ...], key: str, *, bridge: Bridge | None = None, **values: object) -> None:
        """Send a notice to each chat in its own language; one unreachable chat doesn't stop the others."""
        for chat in chats:
            extra: dict[str, object] = dict(values)
            if bridge is not None:  # language names in the language the notice is written in
                extra["members"] = self.members_text(bridge, self.catalog.resolve(chat.language))
            try:
                await self.sender.send_text(chat.id, self.catalog.t(key, chat.language, **extra))
            except DeliveryError as exc:
                logger.warning("could not notify chat %s (%s): %s", chat.id, key, exc)
