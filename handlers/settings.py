"""Group settings: /lang, /city, /tz, /original and the bridge glossary."""

from __future__ import annotations

from handlers.common import Command, text_command

lang = text_command(lambda services: services.chat_settings.language)
city = text_command(lambda services: services.chat_settings.city)
timezone = text_command(lambda services: services.chat_settings.timezone)
original = text_command(lambda services: services.chat_settings.original)
glossary = text_command(lambda services: services.chat_settings.glossary_command)

COMMANDS = {
    "lang": Command(lang, "cmd.lang"),
    "city": Command(city, "cmd.city"),
    "tz": Command(timezone, "cmd.tz"),
    "glossary": Command(glossary, "cmd.glossary"),
    "original": Command(original, "cmd.original"),
}
