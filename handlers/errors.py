"""The error handler: log the exception (secrets are redacted by bot.ops.logsetup) and tell the user briefly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode

from handlers.context import KembarContext

logger = logging.getLogger(__name__)


async def on_error(update: object, context: KembarContext) -> None:
    logger.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        # The error handler gets a fresh context (python-telegram-bot builds it from the error), so the
        # chat loaded in group -1 is not on it: read the chat again.
        services = context.services
        chat = await services.chats.get(update.effective_chat.id)
        text = services.catalog.t("error.generic", chat.language if chat else None)
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except Exception as exc:  # the error path must never raise
        logger.warning("Could not tell chat %s about the error: %s", update.effective_chat.id, exc)
