"""/link, /bridge, /unlink and the bot's own membership changes."""

from __future__ import annotations

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus

from handlers.common import Command, text_command
from handlers.context import KembarContext

LEFT_STATUSES = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)

link = text_command(lambda services: services.bridges.link_command)
show_bridge = text_command(lambda services: services.bridges.show)
unlink = text_command(lambda services: services.bridges.leave)

COMMANDS = {
    "link": Command(link, "cmd.link"),
    "bridge": Command(show_bridge, "cmd.bridge"),
    "unlink": Command(unlink, "cmd.unlink"),
}


async def my_membership(update: Update, context: KembarContext) -> None:
    """The bot was removed from a group: it leaves its bridge and the others are told."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is not None and change.new_chat_member.status in LEFT_STATUSES:
        await context.services.bridges.bot_removed(change.chat.id)
