"""/link, /bridge, /unlink and the bot's own membership changes."""

from __future__ import annotations

import logging

from telegram import Chat as TgChat
from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.bridges import CODE_TTL, TooManyAttempts
from handlers.basic import ADMIN_STATUSES, is_admin, reply
from handlers.context import KembarContext
from storage.repos import AlreadyBridged, CodeExpired, CodeNotFound, CodeOwnChat, CodeUsed, LinkCodeError

logger = logging.getLogger(__name__)

CODE_ERRORS: dict[type[LinkCodeError], str] = {
    CodeNotFound: "link.not_found",
    CodeExpired: "link.expired",
    CodeUsed: "link.used",
    CodeOwnChat: "link.own",
}


async def bot_can_read(update: Update, context: KembarContext) -> bool:
    """Privacy mode off, or an administrator here: then the bot sees every group message."""
    if context.bot.can_read_all_group_messages:
        return True
    chat = update.effective_chat
    if chat is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, context.bot.id)
    except TelegramError as exc:
        logger.warning("getChatMember(bot) failed in chat %s: %s", chat.id, exc)
        return False
    return member.status in ADMIN_STATUSES


async def link(update: Update, context: KembarContext) -> None:
    chat, tg_chat = context.chat, update.effective_chat
    if chat is None or tg_chat is None:
        return
    if tg_chat.type == TgChat.PRIVATE:
        await reply(update, context, context.t("link.private"))
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    if not await bot_can_read(update, context):
        await reply(update, context, context.t("link.cannot_read"))
        return
    services = context.services
    args = context.args or []
    if not args:
        user = update.effective_user
        code = await services.bridge_service.create_code(chat.id, user.id if user else None)
        await reply(update, context, context.t("link.code", code=code, minutes=int(CODE_TTL.total_seconds() // 60)))
        return
    if await services.bridges.bridge_of(chat.id) is not None:
        await reply(update, context, context.t("link.already"))
        return
    try:
        bridge = await services.bridge_service.redeem("".join(args), chat.id)
    except TooManyAttempts as exc:
        minutes = max(1, round(exc.wait_seconds / 60))
        await reply(update, context, context.t("link.rate_limited", minutes=minutes))
        return
    except LinkCodeError as exc:
        await reply(update, context, context.t(CODE_ERRORS.get(type(exc), "link.not_found")))
        return
    except AlreadyBridged:
        await reply(update, context, context.t("link.already"))
        return
    members = services.bridge_service.members_text(bridge, context.language)
    await reply(update, context, context.t("bridge.members", members=members))


async def show_bridge(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    services = context.services
    bridge = await services.bridges.bridge_of(chat.id)
    if bridge is None or len(bridge.members) < 2:
        await reply(update, context, context.t("bridge.none"))
        return
    members = services.bridge_service.members_text(bridge, context.language)
    await reply(update, context, context.t("bridge.members", members=members))


async def unlink(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    services = context.services
    if await services.bridges.bridge_of(chat.id) is None:
        await reply(update, context, context.t("bridge.none"))
        return
    await services.bridge_service.unlink(chat.id)
    await reply(update, context, context.t("bridge.left"))


LEFT_STATUSES = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)


async def my_membership(update: Update, context: KembarContext) -> None:
    """The bot was removed from a group: it leaves its bridge and the others are told."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    if change.new_chat_member.status in LEFT_STATUSES:
        services = context.services
        chat_id = change.chat.id
        if await services.bridges.bridge_of(chat_id) is not None:
            await services.bridge_service.unlink(chat_id, gone=True)
        await services.chats.set_active(chat_id, False)
