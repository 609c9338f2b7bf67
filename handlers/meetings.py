"""/meet and the buttons under a meeting proposal."""

from __future__ import annotations

from telegram import Update

from bot.context import ChatContext, Reply
from handlers.common import Command, actor_of, button, text_command
from handlers.context import KembarContext

meet = text_command(lambda services: services.meetings.meet)


@button
async def on_button(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    return await context.services.meetings.press(here, actor_of(update), (query.data or "") if query else "")


COMMANDS = {"meet": Command(meet, "cmd.meet")}
BUTTONS = {r"^mt\|": on_button}
