"""/remind, /reminders, /unremind, /digest and the buttons under a reminder."""

from __future__ import annotations

from telegram import Update

from bot.context import ChatContext, Reply
from handlers.common import Command, actor_of, button, text_command
from handlers.context import KembarContext

remind = text_command(lambda services: services.reminders.remind)
reminders = text_command(lambda services: services.reminders.reminders)
unremind = text_command(lambda services: services.reminders.unremind)
digest = text_command(lambda services: services.reminders.digest)


@button
async def on_button(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    return await context.services.reminders.press(here, actor_of(update), (query.data or "") if query else "")


@button
async def on_other_reading(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    return await context.services.reminders.take_other(here, actor_of(update), (query.data or "") if query else "")


COMMANDS = {
    "remind": Command(remind, "cmd.remind"),
    "reminders": Command(reminders, "cmd.reminders"),
    "digest": Command(digest, "cmd.digest"),
    "unremind": Command(unremind),
}
BUTTONS = {r"^rem\|": on_button, r"^when\|r\|": on_other_reading}
