"""/link, /bridge, /unlink and the bot's own membership changes."""

from __future__ import annotations

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus

from bot.context import ChatContext, Reply
from handlers.common import Command, actor_of, button, text_command
from handlers.context import KembarContext

LEFT_STATUSES = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)

link = text_command(lambda services: services.bridges.link_command)
show_bridge = text_command(lambda services: services.bridges.show)
unlink = text_command(lambda services: services.bridges.leave)

@button
async def on_button(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    return await context.services.bridges.press(here, actor_of(update), (query.data or "") if query else "")


COMMANDS = {
    "link": Command(link, "cmd.link"),
    "bridge": Command(show_bridge, "cmd.bridge"),
    "unlink": Command(unlink, "cmd.unlink"),
}


async def chat_migrated(update: Update, context: KembarContext) -> None:
    """A basic group became a supergroup (Telegram's service message, in the old chat or the new one):
    everything about it moves to the new id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await context.services.chats.migrated(message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await context.services.chats.migrated(message.migrate_from_chat_id, message.chat_id)


async def my_membership(update: Update, context: KembarContext) -> None:
    """The bot was removed from a group: it leaves its bridge and the others are told."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is not None and change.new_chat_member.status in LEFT_STATUSES:
        await context.services.bridges.bot_removed(change.chat.id)


BUTTONS = {r"^lnk\|": on_button}
