"""The error handler: log the exception (secrets are redacted by bot.ops.logsetup) and tell the user briefly.

It hears of the failures of an update's own work (a command that raised). A failure before any of that
work could begin is :class:`NotStarted`: it never reaches the error handler, it fails the update's batch
(bot.telegram.app lets it out of ``process_update`` to the intake, bot.telegram.intake), so the update is
not acknowledged and comes again.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode

from handlers.context import KembarContext

logger = logging.getLogger(__name__)


class NotStarted(Exception):
    """An update whose handling could not begin (its chat's context could not be loaded: the database away
    or locked): nothing of it ran, so it is offered again rather than counted as handled."""


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
