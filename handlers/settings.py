"""Group settings: /city, /tz, /original and the bridge glossary."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_datetime
from telegram import Update

from bot.i18n import Markup, is_language_code, language_name
from bot.textproc import escape
from handlers.basic import is_admin, reply
from handlers.context import KembarContext

CITY_MAX = 64
TERM_MAX = 64


def _rest(update: Update) -> str:
    """The text after the command, exactly as typed (context.args loses the spacing)."""
    message = update.effective_message
    text = (message.text or "") if message else ""
    _, _, rest = text.partition(" ")
    return rest.strip()


async def city(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    name = " ".join(_rest(update).split())
    if not name:
        await reply(update, context, context.t("city.current", city=chat.label))
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    if len(name) > CITY_MAX:
        await reply(update, context, context.t("city.invalid"))
        return
    context.chat = await context.services.chats.set_city(chat.id, name)
    await reply(update, context, context.t("city.set", city=name))


def resolve_timezone(text: str) -> str | None:
    """An IANA zone name, matched case-insensitively (asia/jakarta → Asia/Jakarta)."""
    text = text.strip()
    if not text or len(text) > 64:
        return None
    lowered = text.lower()
    for zone in available_timezones():
        if zone.lower() == lowered:
            return zone
    return None


async def timezone(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    arg = _rest(update)
    current = context.services.timezone_of(chat)
    if not arg:
        await reply(update, context, context.t("tz.current", tz=current))
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    zone = resolve_timezone(arg)
    if zone is None:
        await reply(update, context, context.t("tz.invalid", tz=arg[:64]))
        return
    try:
        now = datetime.now(UTC).astimezone(ZoneInfo(zone))
    except ZoneInfoNotFoundError:
        await reply(update, context, context.t("tz.invalid", tz=arg[:64]))
        return
    context.chat = await context.services.chats.set_timezone(chat.id, zone)
    local = format_datetime(now, "EEEE HH:mm", locale=context.language)
    await reply(update, context, context.t("tz.set", tz=zone, now=local))


async def original(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    arg = _rest(update).lower()
    if arg not in ("on", "off"):
        state = context.t("state.on" if chat.show_original else "state.off")
        await reply(update, context, context.t("original.state", state=state))
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    context.chat = await context.services.chats.set_show_original(chat.id, arg == "on")
    await reply(update, context, context.t("original.on" if arg == "on" else "original.off"))


_RENDERING = re.compile(r"^\s*([A-Za-z]{2})\s*:\s*(.+?)\s*$")


def parse_glossary_add(text: str) -> tuple[str, dict[str, str]] | None:
    """``term`` or ``term = en:HR, ko:인적 자원`` → (term, renderings); None when malformed."""
    term, sep, spec = text.partition("=")
    term = " ".join(term.split())
    if not term or len(term) > TERM_MAX:
        return None
    renderings: dict[str, str] = {}
    if sep:
        for item in spec.split(","):
            match = _RENDERING.match(item)
            if match is None:
                return None
            lang, value = match.group(1).lower(), match.group(2)
            if not is_language_code(lang) or len(value) > TERM_MAX:
                return None
            renderings[lang] = value
        if not renderings:
            return None
    return term, renderings


async def glossary(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    services = context.services
    action, _, rest = _rest(update).partition(" ")
    action = action.lower()
    if action not in ("add", "remove", "list"):
        await reply(update, context, context.t("glossary.usage"))
        return
    bridge = await services.bridges.bridge_of(chat.id)
    if bridge is None:
        await reply(update, context, context.t("glossary.no_bridge"))
        return
    if action == "list":
        entries = await services.glossary.list(bridge.id)
        if not entries:
            await reply(update, context, context.t("glossary.empty"))
            return
        lines = [
            f"• <b>{escape(e.term)}</b>"
            + (
                " — " + ", ".join(f"{escape(k)}: {escape(v)}" for k, v in sorted(e.renderings.items()))
                if e.renderings
                else ""
            )
            for e in entries
        ]
        await reply(update, context, context.t("glossary.list", entries=Markup("\n".join(lines))))
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    if action == "remove":
        term = " ".join(rest.split())
        if not term:
            await reply(update, context, context.t("glossary.usage"))
        elif await services.glossary.remove(bridge.id, term):
            services.translations.forget(bridge.id)
            await reply(update, context, context.t("glossary.removed", term=term))
        else:
            await reply(update, context, context.t("glossary.not_found", term=term))
        return
    parsed = parse_glossary_add(rest)
    if parsed is None:
        await reply(update, context, context.t("glossary.invalid"))
        return
    term, renderings = parsed
    await services.glossary.add(bridge.id, term, renderings)
    services.translations.forget(bridge.id)
    if renderings:
        described = ", ".join(
            f"{escape(language_name(k, context.language))}: {escape(v)}" for k, v in sorted(renderings.items())
        )
    else:
        described = context.t("glossary.kept")
    await reply(update, context, context.t("glossary.added", term=term, renderings=Markup(described)))
