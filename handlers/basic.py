"""/start and /help, and the group -1 loader that resolves the chat's context once per update."""

from __future__ import annotations

from telegram import Update

from bot.context import ChatContext, Reply, reply
from bot.language.catalog import language_name
from handlers.common import Command, Handler, command
from handlers.context import KembarContext
from handlers.errors import NotStarted


async def load_chat(update: Update, context: KembarContext) -> None:
    """Group -1: the chat's context (settings, language, zone, bridge, scope), stored on first sight.

    When it cannot be loaded, nothing of the update runs: NotStarted fails the update's batch (it is not
    acknowledged and comes again) instead of letting the handlers go on without a context."""
    tg_chat = update.effective_chat
    if tg_chat is None:
        return
    user = update.effective_user
    try:
        context.here = await context.services.chats.arrive(
            tg_chat.id,
            title=tg_chat.title or tg_chat.full_name or tg_chat.username or "",
            type=tg_chat.type,
            user_language=user.language_code if user else None,
            user=(user.id, user.username) if user is not None and not user.is_bot else None,
        )
    except Exception as exc:
        raise NotStarted(f"the context of chat {tg_chat.id} could not be loaded ({type(exc).__name__})") from exc
    message = update.effective_message
    leaving = update.chat_member is not None or (message is not None and message.left_chat_member is not None)
    if user is not None and not user.is_bot and tg_chat.type in ("group", "supergroup") and not leaving:
        # who was seen where (the handover's candidates, the brief): written at most every few minutes
        await context.services.roster.seen(tg_chat.id, user.id, user.full_name, user.username)


@command
async def start(update: Update, context: KembarContext, here: ChatContext) -> Reply:
    return reply("start.text", language=language_name(here.language, here.ui))


@command
async def help_command(update: Update, context: KembarContext, here: ChatContext) -> Reply:
    return reply("help.text")


COMMANDS = {"start": Command(start, "cmd.start"), "help": Command(help_command, "cmd.help")}
BUTTONS: dict[str, Handler] = {}
