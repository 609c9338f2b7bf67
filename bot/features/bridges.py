"""Bridges: linking groups with one-time codes (``/link``), showing (``/bridge``) and leaving (``/unlink``)
them, the bot's own removal from a group, and telling every member what changed."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from bot.context import Actor, ChatContext, Permissions, Refused, Reply, reply
from bot.features.reminder_engine import ReminderEngine
from bot.i18n import Catalog, Markup, language_name
from bot.ports import DeliveryError, Members, Sender
from storage.records import Bridge, Chat, Scope
from storage.repos import (
    AlreadyBridged,
    BridgeRepository,
    ChatRepository,
    CodeExpired,
    CodeNotFound,
    CodeOwnChat,
    CodeUsed,
    LinkCodeError,
    LinkCodeRepository,
)

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=30)
CODE_ERRORS: dict[type[LinkCodeError], str] = {
    CodeNotFound: "link.not_found",
    CodeExpired: "link.expired",
    CodeUsed: "link.used",
    CodeOwnChat: "link.own",
}


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
        members: Members,
        permissions: Permissions,
        reminders: ReminderEngine,
        limiter: AttemptLimiter | None = None,
    ) -> None:
        self.bridges = bridges
        self.codes = codes
        self.chats = chats
        self.catalog = catalog
        self.sender = sender
        self.members = members
        self.permissions = permissions
        self.reminders = reminders
        self.limiter = limiter or AttemptLimiter()

    # ---- use cases ----------------------------------------------------------------------------------
    async def link_command(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/link`` gives a one-time code; ``/link <code>`` in the partner group joins (administrators)."""
        if here.is_private:
            raise Refused("link.private")
        await self.permissions.require_admin(here, actor)
        if not await self.members.bot_can_read(here.id):
            raise Refused("link.cannot_read")
        code_text = "".join(text.split())
        if not code_text:
            code = await self.create_code(here.id, actor.user_id)
            return reply("link.code", code=code, minutes=int(CODE_TTL.total_seconds() // 60))
        if await self.bridges.bridge_of(here.id) is not None:
            raise Refused("link.already")
        try:
            bridge = await self.redeem(code_text, here.id)
        except TooManyAttempts as exc:
            raise Refused("link.rate_limited", minutes=max(1, round(exc.wait_seconds / 60))) from None
        except LinkCodeError as exc:
            raise Refused(CODE_ERRORS.get(type(exc), "link.not_found")) from None
        except AlreadyBridged:
            raise Refused("link.already") from None
        return reply("bridge.members", members=self.members_text(bridge, here.ui))

    async def show(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/bridge``: the groups of this bridge, with language and city."""
        bridge = await self.bridges.bridge_of(here.id)
        if bridge is None or len(bridge.members) < 2:
            raise Refused("bridge.none")
        return reply("bridge.members", members=self.members_text(bridge, here.ui))

    async def leave(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/unlink`` (administrators): the others are told."""
        await self.permissions.require_admin(here, actor)
        if await self.bridges.bridge_of(here.id) is None:
            raise Refused("bridge.none")
        await self.unlink(here.id)
        return reply("bridge.left")

    async def destination_gone(self, chat_id: int, reason: str) -> None:
        """Delivery found a destination gone (the bot was removed or the chat deleted)."""
        await self.bot_removed(chat_id)

    async def bot_removed(self, chat_id: int) -> None:
        """The bot was removed from a group: it leaves its bridge (the others are told) and goes quiet."""
        if await self.bridges.bridge_of(chat_id) is not None:
            await self.unlink(chat_id, gone=True)
        await self.chats.set_active(chat_id, False)

    async def create_code(self, chat_id: int, user_id: int | None) -> str:
        return await self.codes.create(chat_id, user_id, CODE_TTL)

    async def redeem(self, code: str, chat_id: int) -> Bridge:
        """Join ``chat_id`` to the bridge of the chat that issued ``code``; tell every member.

        Raises TooManyAttempts, the LinkCodeError subclasses, or AlreadyBridged.
        """
        self.limiter.check(chat_id)
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
        """Take a chat out of its bridge (its reminders of the bridge stop) and tell the remaining members."""
        chat = await self.chats.get(chat_id)
        bridge = await self.bridges.bridge_of(chat_id)
        remaining = await self.bridges.leave(chat_id)
        if bridge is not None:
            await self.reminders.chat_left(chat_id, Scope.of(bridge.id, chat_id))
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
