"""Group settings: /lang, /city, /tz, /workweek, /original and the bridge glossary."""

from __future__ import annotations

from telegram import Update

from bot.context import ChatContext, Reply
from handlers.common import Command, actor_of, button, text_command
from handlers.context import KembarContext

lang = text_command(lambda services: services.chat_settings.language)
city = text_command(lambda services: services.chat_settings.city)
timezone = text_command(lambda services: services.chat_settings.timezone)
workweek = text_command(lambda services: services.chat_settings.workweek)
original = text_command(lambda services: services.chat_settings.original)
glossary = text_command(lambda services: services.chat_settings.glossary_command)
forget = text_command(lambda services: services.privacy.forget_command)


@button
async def on_forget_button(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    return await context.services.privacy.press(here, actor_of(update), (query.data or "") if query else "")


COMMANDS = {
    "lang": Command(lang, "cmd.lang"),
    "city": Command(city, "cmd.city"),
    "tz": Command(timezone, "cmd.tz"),
    "workweek": Command(workweek, "cmd.workweek"),
    "glossary": Command(glossary, "cmd.glossary"),
    "original": Command(original, "cmd.original"),
    "forget": Command(forget),
}
BUTTONS = {r"^fgt\|": on_forget_button}
