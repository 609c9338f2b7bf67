"""The one module of bot/ that speaks python-telegram-bot to the services: the ``Sender`` and ``Members``
ports of bot/ports.py over a ``Bot``, and Telegram errors as the neutral ``DeliveryError`` kinds.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from telegram import Bot, ChatMember, InputFile, LinkPreviewOptions, ReplyParameters
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.ports import (
    Buttons,
    DeliveryError,
    DestinationGone,
    Migrated,
    NotAllowed,
    NotModified,
    Person,
    Rejected,
    RetryLater,
    Transient,
)
from bot.telegram.ratelimit import retry_seconds
from handlers.markup import keyboard

logger = logging.getLogger(__name__)

ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


# The bot is out of the chat for good (removed, blocked, or the chat deleted): only then is it unlinked.
GONE_MARKERS = (
    "chat not found",
    "bot was kicked",
    "bot is not a member",
    "group chat was deactivated",
    "group chat was deleted",
    "chat is deactivated",
    "bot was blocked",
    "user is deactivated",
    "bot can't initiate conversation",
)
# The chat's administrators restricted what the bot may send: it stays, what is refused is replaced.
RESTRICTED_MARKERS = (
    "not enough rights to send",
    "have no rights to send",
    "chat_write_forbidden",
    "need administrator rights",
    "chat_send_",
)


def classify(exc: TelegramError) -> DeliveryError:
    """Map a python-telegram-bot error to a neutral one (messages contain no token)."""
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, RetryAfter):
        return RetryLater(retry_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return Migrated(exc.new_chat_id)
    if any(marker in lowered for marker in RESTRICTED_MARKERS):
        return NotAllowed(text)
    if isinstance(exc, Forbidden):
        return DestinationGone(text)
    if isinstance(exc, BadRequest):
        if "message is not modified" in lowered:
            return NotModified(text)
        if any(marker in lowered for marker in GONE_MARKERS):
            return DestinationGone(text)
        return Rejected(text)
    if isinstance(exc, TimedOut | NetworkError):
        return Transient(text)
    return Transient(text)


NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _reply(reply_to: int | None) -> ReplyParameters | None:
    if reply_to is None:
        return None
    return ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)


class TelegramSender:
    """``Sender`` and ``Members`` over a python-telegram-bot ``Bot``; every Telegram error of a send leaves
    as a DeliveryError."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def _member(self, chat_id: int, user_id: int) -> ChatMember | None:
        """What Telegram says of the user in the chat (None when it cannot be told)."""
        try:
            return await self.bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            logger.warning("getChatMember failed for chat %s: %s", chat_id, exc)
            return None

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        member = await self._member(chat_id, user_id)
        return member is not None and member.status in ADMIN_STATUSES

    async def is_member(self, chat_id: int, user_id: int) -> bool:
        member = await self._member(chat_id, user_id)
        if member is None:
            return False
        if member.status in ADMIN_STATUSES or member.status == "member":
            return True
        return member.status == "restricted" and bool(getattr(member, "is_member", False))

    async def administrators(self, chat_id: int) -> list[Person]:
        try:
            found = await self.bot.get_chat_administrators(chat_id)
        except TelegramError as exc:
            logger.warning("getChatAdministrators failed for chat %s: %s", chat_id, exc)
            return []
        return [
            Person(member.user.id, member.user.full_name, member.user.username)
            for member in found
            if not member.user.is_bot
        ]

    async def download(self, file_id: str, max_bytes: int) -> bytes | None:
        try:
            found = await self.bot.get_file(file_id)
            if found.file_size is not None and found.file_size > max_bytes:
                return None
            data = bytes(await found.download_as_bytearray())
        except BadRequest as exc:  # the file id is no longer valid, or the file is too big for bots
            logger.info("a file could not be fetched: %s", exc)
            return None
        except TelegramError as exc:
            raise classify(exc) from None
        return data if len(data) <= max_bytes else None

    async def bot_can_read(self, chat_id: int) -> bool:
        if self.bot.can_read_all_group_messages:
            return True
        return await self.is_admin(chat_id, self.bot.id)

    async def send_text(
        self, chat_id: int, html: str, *, reply_to: int | None = None, buttons: Buttons | None = None
    ) -> int:
        try:
            message = await self.bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                reply_parameters=_reply(reply_to),
                reply_markup=keyboard(buttons),
                link_preview_options=NO_PREVIEW,
            )
        except TelegramError as exc:
            raise classify(exc) from None
        return message.message_id

    async def send_file(
        self, chat_id: int, data: bytes, filename: str, *, caption_html: str | None = None, photo: bool = False
    ) -> int:
        parse_mode = ParseMode.HTML if caption_html is not None else None
        try:
            if photo:
                message = await self.bot.send_photo(
                    chat_id, InputFile(data, filename=filename), caption=caption_html, parse_mode=parse_mode
                )
            else:
                message = await self.bot.send_document(
                    chat_id, InputFile(data, filename=filename), caption=caption_html, parse_mode=parse_mode
                )
        except TelegramError as exc:
            raise classify(exc) from None
        return message.message_id

    async def copy(
        self, chat_id: int, from_chat_id: int, message_id: int, *, caption_html: str | None, reply_to: int | None
    ) -> int:
        try:
            result = await self.bot.copy_message(
                chat_id,
                from_chat_id,
                message_id,
                caption=caption_html,
                parse_mode=ParseMode.HTML if caption_html is not None else None,
                reply_parameters=_reply(reply_to),
            )
        except TelegramError as exc:
            raise classify(exc) from None
        return result.message_id

    async def edit_text(self, chat_id: int, message_id: int, html: str, *, buttons: Buttons | None = None) -> None:
        try:
            await self.bot.edit_message_text(
                html,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=keyboard(buttons),
            )
        except TelegramError as exc:
            raise classify(exc) from None

    async def edit_caption(self, chat_id: int, message_id: int, html: str) -> None:
        try:
            await self.bot.edit_message_caption(
                chat_id=chat_id, message_id=message_id, caption=html, parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            raise classify(exc) from None


class OfflineSender:
    """Used by the CLI without a bot token: nothing can be sent, groups are not notified."""

    async def send_text(self, chat_id: int, html: str, *, reply_to: int | None = None, buttons: object = None) -> int:
        raise DeliveryError("no TELEGRAM_BOT_TOKEN: groups not notified")

    async def copy(
        self, chat_id: int, from_chat_id: int, message_id: int, *, caption_html: str | None, reply_to: int | None
    ) -> int:
        return await self.send_text(chat_id, "")

    async def edit_text(self, chat_id: int, message_id: int, html: str, *, buttons: Buttons | None = None) -> None:
        await self.send_text(chat_id, html)

    async def send_file(
        self, chat_id: int, data: bytes, filename: str, *, caption_html: str | None = None, photo: bool = False
    ) -> int:
        return await self.send_text(chat_id, "")

    async def edit_caption(self, chat_id: int, message_id: int, html: str) -> None:
        await self.send_text(chat_id, html)

    async def download(self, file_id: str, max_bytes: int) -> bytes | None:
        return None

    async def administrators(self, chat_id: int) -> list[Person]:
        return []

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return False

    async def is_member(self, chat_id: int, user_id: int) -> bool:
        return False

    async def bot_can_read(self, chat_id: int) -> bool:
        return False


async def operator_sender(token: str | None, bot_api_url: str, stack: AsyncExitStack) -> TelegramSender | OfflineSender:
    """What the operator's commands tell groups through: the bot when a token is set (its connection closed
    with ``stack``), else nothing at all."""
    if not token:
        return OfflineSender()
    bot = Bot(token, base_url=f"{bot_api_url}/bot")
    await stack.enter_async_context(bot)
    return TelegramSender(bot)
