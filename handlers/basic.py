"""/start, /help and /lang, plus the group -1 loader that attaches the chat's settings to the context."""

from __future__ import annotations

import logging

from telegram import Chat as TgChat
from telegram import Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import TelegramError

from bot.i18n import SUGGESTED_LANGUAGES, Markup, is_language_code, language_name
from handlers.context import KembarContext

logger = logging.getLogger(__name__)

ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def load_chat(update: Update, context: KembarContext) -> None:
    """Group -1: load (or create on first sight) the chat's stored settings once per update."""
    tg_chat = update.effective_chat
    if tg_chat is None:
        return
    services = context.services
    user = update.effective_user
    default_language = services.catalog.resolve(user.language_code if user else None)
    title = tg_chat.title or tg_chat.full_name or tg_chat.username or ""
    context.chat = await services.chats.ensure(
        tg_chat.id, title=title, type=tg_chat.type, default_language=default_language
    )


async def reply(update: Update, context: KembarContext, text: str) -> None:
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(text, parse_mode=ParseMode.HTML, do_quote=False)


async def is_admin(update: Update, context: KembarContext) -> bool:
    """True for chat administrators (asked of Telegram each time: rosters change) and in private chats."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == TgChat.PRIVATE:
        return True
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        logger.warning("getChatMember failed for chat %s: %s", chat.id, exc)
        return False
    return member.status in ADMIN_STATUSES


async def start(update: Update, context: KembarContext) -> None:
    lang = context.language
    code = context.chat.language if context.chat else lang
    await reply(update, context, context.t("start.text", language=language_name(code, lang)))


async def help_command(update: Update, context: KembarContext) -> None:
    await reply(update, context, context.t("help.text"))


def _choices() -> str:
    return ", ".join(f"<code>{c}</code>" for c in SUGGESTED_LANGUAGES)


async def lang(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    args = context.args or []
    if not args:
        await reply(
            update,
            context,
            context.t(
                "lang.current",
                language=language_name(chat.language, context.language),
                code=chat.language,
                choices=Markup(_choices()),
            ),
        )
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    code = args[0].strip().lower()
    if not is_language_code(code):
        await reply(update, context, context.t("lang.invalid", code=args[0][:32], choices=Markup(_choices())))
        return
    if code == chat.language:
        await reply(
            update,
            context,
            context.t("lang.unchanged", language=language_name(code, context.language), code=code),
        )
        return
    context.chat = await context.services.chats.set_language(chat.id, code)
    # Answer in the new language when Kembar has a catalogue for it.
    await reply(update, context, context.t("lang.set", language=language_name(code, context.language), code=code))
