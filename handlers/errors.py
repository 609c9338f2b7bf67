"""The error handler: log the exception (secrets are redacted by bot.logsetup) and tell the user briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from handlers.context import KembarContext

logger = logging.getLogger(__name__)


async def on_error(update: object, context: KembarContext) -> None:
    logger.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        language = context.chat.language if context.chat else None
        text = context.services.catalog.t("error.generic", language)
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except (TelegramError, RuntimeError) as exc:
        logger.warning("Could not tell chat %s about the error: %s", update.effective_chat.id, exc)
