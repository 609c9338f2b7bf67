"""Bridges: linking groups with link codes (``/link`` for one group, ``/link <n>`` for several), showing
(``/bridge``) and leaving (``/unlink``) them, the bot's own removal from a group, and telling every member what
changed."""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.context import Actor, ChatContext, Phrase, Refused, Reply, reply
from bot.domain.errors import (
    AlreadyBridged,
    CodeExpired,
    CodeNotFound,
    CodeOwnChat,
    CodeUsed,
    LimitReached,
    LinkCodeError,
)
from bot.domain.records import Bridge, Chat, JoinRequest, Scope
from bot.domain.repositories import (
    ApprovalRepository,
    BridgeRepository,
    ChatRepository,
    JoinRequestRepository,
    LinkCodeRepository,
)
from bot.domain.rules import LINK_CODE_MULTI_TTL, LINK_CODE_TTL, LINK_CODE_USES_MAX, LINK_CODE_USES_MIN
from bot.features.reminder_engine import ReminderEngine
from bot.language.catalog import Catalog, Markup, language_name
from bot.language.dates import format_when
from bot.permissions import Permissions
from bot.ports import DeliveryError, Members, Sender

logger = logging.getLogger(__name__)

CODE_MINUTES = int(LINK_CODE_TTL.total_seconds() // 60)
MULTI_HOURS = int(LINK_CODE_MULTI_TTL.total_seconds() // 3600)
REQUEST_TTL = timedelta(hours=24)  # partners sit in other time zones: an approval may take a night
REQUEST_HOURS = int(REQUEST_TTL.total_seconds() // 3600)
SHOW_CODE = "lnk|code"  # "lnk|code|<n>": a code for n groups
_SHOW_CODE = re.compile(r"^lnk\|code(?:\|(\d{1,2}))?$")
_USES = re.compile(r"\d{1,9}")  # /link 4: digits only; a code has ten symbols (XXXXX-XXXXX)
_DECISION = re.compile(r"^lnk\|(ok|no)\|(\d{1,18})$")
CODE_ERRORS: dict[type[LinkCodeError], str] = {
    CodeNotFound: "link.not_found",
    CodeExpired: "link.expired",
    CodeUsed: "link.used",
    CodeOwnChat: "link.own",
}


def uses_of(digits: str) -> int:
    """The groups a ``/link <n>`` code is for; ``Refused`` (in the group's language) outside 2 to 10."""
    uses = int(digits)
    if not LINK_CODE_USES_MIN <= uses <= LINK_CODE_USES_MAX:
        raise Refused(
            "link.uses_range", min=LINK_CODE_USES_MIN, max=LINK_CODE_USES_MAX, hours=MULTI_HOURS, minutes=CODE_MINUTES
        )
    return uses


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
        now = self.clock()
        self._failures.setdefault(chat_id, deque()).append(now)
        if len(self._failures) > 1024:  # forget the chats whose failures are all older than the window
            for key in [k for k, times in self._failures.items() if now - times[-1] > self.window]:
                del self._failures[key]

    def succeeded(self, chat_id: int) -> None:
        self._failures.pop(chat_id, None)


class BridgeService:
    def __init__(
        self,
        *,
        bridges: BridgeRepository,
        codes: LinkCodeRepository,
        joins: JoinRequestRepository,
        chats: ChatRepository,
        catalog: Catalog,
        sender: Sender,
        members: Members,
        permissions: Permissions,
        reminders: ReminderEngine,
        approvals: ApprovalRepository,
        approval_required: bool = False,
        allowed_chats: tuple[int, ...] = (),
        max_groups: int = 10,
        limiter: AttemptLimiter | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bridges = bridges
        self.codes = codes
        self.joins = joins
        self.chats = chats
        self.catalog = catalog
        self.sender = sender
        self.members = members
        self.permissions = permissions
        self.reminders = reminders
        self.approvals = approvals
        self.approval_required = approval_required
        self.allowed_chats = frozenset(allowed_chats)
        self.max_groups = max_groups
        self.limiter = limiter or AttemptLimiter()
        self.clock = clock  # the instant a code's expiry is shown from (storage stamps it with its own)

    # ---- use cases ----------------------------------------------------------------------------------
    async def link_command(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/link``: a one-time code, sent privately to the administrator who asked; ``/link <n>`` (digits
        only, 2 to 10): one code for up to n groups within 24 hours; ``/link <code>`` in the partner group asks
        to join (an administrator of the issuing group approves each join); ``/link revoke`` cancels this
        group's unused codes and pending requests. Administrators only."""
        if here.is_private:
            raise Refused("link.private")
        await self.permissions.require_admin(here, actor)
        argument = "".join(text.split())
        if self.catalog.choose(argument, here.ui, ("revoke",)):
            codes, requests = await self.codes.revoke(here.id), await self.joins.revoke(here.id)
            return reply("link.revoked", codes=codes, requests=requests)
        uses = uses_of(argument) if _USES.fullmatch(argument) else None
        if not await self.approved(here.id):
            raise Refused("link.not_approved", chat_id=here.id)
        if not await self.members.bot_can_read(here.id):
            raise Refused("link.cannot_read")
        if not argument:
            return await self._issue(here, actor)
        if uses is not None:
            return await self._issue(here, actor, uses)
        return await self._request(here, actor, argument)

    async def _issue(self, here: ChatContext, actor: Actor, uses: int = 1) -> Reply:
        """The code goes to the administrator privately; when the bot cannot write to them (they never
        started a chat with it), a button shows it to whichever administrator presses it, to them alone."""
        if actor.user_id is not None:
            code, until = await self._new_code(here, actor.user_id, uses)
            if uses == 1:
                text = self.catalog.t(
                    "link.private_code", here.language, city=here.label, code=code, minutes=CODE_MINUTES
                )
            else:
                text = self.catalog.t(
                    "link.private_code_multi", here.language, city=here.label, code=code, uses=uses, until=until
                )
            try:
                await self.sender.send_text(actor.user_id, text)
            except DeliveryError:
                await self.codes.revoke_code(code)
            else:
                name = actor.name or Phrase("sender.unknown")
                if uses == 1:
                    return reply("link.sent_privately", name=name, minutes=CODE_MINUTES)
                return reply("link.sent_privately_multi", name=name, uses=uses, until=until)
        data = SHOW_CODE if uses == 1 else f"{SHOW_CODE}|{uses}"
        show = [[(self.catalog.t("btn.show_code", here.language), data)]]
        return Reply("link.start_private", {"name": actor.name or Phrase("sender.unknown")}, buttons=show)

    async def _new_code(self, here: ChatContext, user_id: int | None, uses: int) -> tuple[str, str]:
        """A new code of the group for ``uses`` groups, and its expiry as the group writes it: 30 minutes for
        one group, 24 hours for several (shown from before it was stored, so never later than it lapses)."""
        ttl = LINK_CODE_TTL if uses == 1 else LINK_CODE_MULTI_TTL
        until = format_when(self.clock() + ttl, self.catalog.resolve(here.language), here.timezone)
        return await self.codes.create(here.id, user_id, ttl, uses=uses), until

    async def _request(self, here: ChatContext, actor: Actor, code_text: str) -> Reply:
        if await self.bridges.bridge_of(here.id) is not None:
            raise Refused("link.already")
        try:
            self.limiter.check(here.id)
        except TooManyAttempts as exc:
            raise Refused("link.rate_limited", minutes=max(1, round(exc.wait_seconds / 60))) from None
        try:
            issuer_id = await self.codes.redeem(code_text, here.id)
        except LinkCodeError as exc:
            self.limiter.failed(here.id)
            raise Refused(CODE_ERRORS.get(type(exc), "link.not_found")) from None
        self.limiter.succeeded(here.id)
        issuer = await self.chats.get(issuer_id)
        if issuer is None:
            raise Refused("link.not_found")
        request = await self.joins.create(issuer_id, here.id, actor.user_id, REQUEST_TTL)
        buttons = [
            [
                (self.catalog.t("btn.approve", issuer.language), f"lnk|ok|{request.id}"),
                (self.catalog.t("btn.decline", issuer.language), f"lnk|no|{request.id}"),
            ]
        ]
        language = language_name(here.language, self.catalog.resolve(issuer.language))
        text = self.catalog.t(
            "link.approval", issuer.language, city=here.label, language=language, name=actor.name, hours=REQUEST_HOURS
        )
        try:
            await self.sender.send_text(issuer_id, text, buttons=buttons)
        except DeliveryError as exc:
            logger.warning("could not ask chat %s to approve a join: %s", issuer_id, exc)
            raise Refused("link.issuer_unreachable", city=issuer.label) from None
        return reply("link.requested", city=issuer.label, hours=REQUEST_HOURS)

    async def press(self, here: ChatContext, actor: Actor, data: str) -> Reply | None:
        """🔑 show the code (administrators of this group), ✅/❌ a join request (administrators of the
        group that issued the code)."""
        shown = _SHOW_CODE.match(data)
        if shown is not None:
            await self.permissions.require_admin(here, actor)
            uses = uses_of(shown.group(1)) if shown.group(1) else 1
            code, until = await self._new_code(here, actor.user_id, uses)
            if uses == 1:
                values: dict[str, object] = {"city": here.label, "code": code, "minutes": CODE_MINUTES}
                return Reply("link.code_alert", values, alert=True)
            values = {"city": here.label, "code": code, "uses": uses, "until": until}
            return Reply("link.code_alert_multi", values, alert=True)
        match = _DECISION.match(data)
        if match is None:
            return None
        request = await self.joins.get(int(match.group(2)))
        if request is None or request.issuer_chat_id != here.id:
            raise Refused("link.request_gone")
        await self.permissions.require_admin(here, actor)
        requester = await self.chats.get(request.requester_chat_id)
        if requester is None or request.state != JoinRequest.PENDING:
            raise Refused("link.request_gone")
        if match.group(1) == "no":
            if not await self.joins.decide(request.id, JoinRequest.DECLINED, actor.user_id):
                raise Refused("link.request_gone")
            await self.tell((requester,), "link.request_declined", city=here.label)
            return Reply("link.declined_alert")
        if await self.bridges.bridge_of(requester.id) is not None:
            await self.joins.decide(request.id, JoinRequest.DECLINED, actor.user_id)
            raise Refused("link.requester_linked", city=requester.label)
        current = await self.bridges.bridge_of(here.id)
        if current is not None and len(current.members) >= self.max_groups:
            raise Refused("link.bridge_full", limit=self.max_groups)
        if not await self.joins.decide(request.id, JoinRequest.APPROVED, actor.user_id):
            raise Refused("link.request_gone")
        try:
            bridge = await self.bridges.link(here.id, requester.id, members_max=self.max_groups)
        except AlreadyBridged:
            raise Refused("link.requester_linked", city=requester.label) from None
        except LimitReached:  # another request was approved at the same moment
            raise Refused("link.bridge_full", limit=self.max_groups) from None
        await self.tell(bridge.members, "bridge.joined", city=requester.label, bridge=bridge)
        return Reply("link.approved", {"city": requester.label})

    async def approve(self, chat_id: int) -> None:
        """The operator lets the group link (``kembar chats approve``)."""
        await self.approvals.approve(chat_id)

    async def revoke_approval(self, chat_id: int) -> tuple[bool, bool]:
        """The operator takes the approval back (``kembar chats revoke``): whether the group had one, and
        whether it left its bridge. With approval on, a group that may no longer link may no longer relay
        either (on the operator's translator quota): it leaves its bridge, the group and its partners told."""
        had = await self.approvals.revoke(chat_id)
        if await self.approved(chat_id) or await self.bridges.bridge_of(chat_id) is None:
            return had, False
        await self.unlink(chat_id, because="bridge.other_revoked")
        chat = await self.chats.get(chat_id)
        if chat is not None:
            await self.tell((chat,), "bridge.revoked")
        return had, True

    async def approved_chats(self) -> list[int]:
        """The groups approved by the operator, in the database or in ``KEMBAR_ALLOWED_CHATS``."""
        return sorted({*await self.approvals.all(), *self.allowed_chats})

    async def approved(self, chat_id: int) -> bool:
        """May this group link? Always, unless the operator turned approval on (KEMBAR_APPROVAL): then
        only the groups listed in KEMBAR_ALLOWED_CHATS or approved with ``kembar chats approve``."""
        if not self.approval_required or chat_id in self.allowed_chats:
            return True
        return await self.approvals.is_approved(chat_id)

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

    async def link(self, chat_a: int, chat_b: int) -> Bridge:
        """Operator link (CLI): no code needed."""
        bridge = await self.bridges.link(chat_a, chat_b)
        joined = next(m for m in bridge.members if m.id == chat_b)
        await self.tell(bridge.members, "bridge.joined", city=joined.label, bridge=bridge)
        return bridge

    async def unlink(self, chat_id: int, *, gone: bool = False, because: str | None = None) -> Bridge | None:
        """Take a chat out of its bridge (its reminders of the bridge stop) and tell the remaining members
        (``because``: the catalogue key they are told, taking ``city``)."""
        chat = await self.chats.get(chat_id)
        bridge = await self.bridges.bridge_of(chat_id)
        remaining = await self.bridges.leave(chat_id)
        if bridge is not None:
            await self.reminders.chat_left(chat_id, Scope.of(bridge.id, chat_id))
        if remaining is not None and chat is not None:
            key = because or ("bridge.other_gone" if gone else "bridge.other_left")
            await self.tell(remaining.members, key, city=chat.label)
        return remaining

    async def tell_partners(self, chat_id: int, key: str) -> None:
        """Tell the other groups of the chat's bridge something about it (``key`` takes ``city``)."""
        chat, bridge = await self.chats.get(chat_id), await self.bridges.bridge_of(chat_id)
        if chat is not None and bridge is not None:
            await self.tell(bridge.others(chat_id), key, city=chat.label)

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
