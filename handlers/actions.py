"""Action items and programmes: /action, /actions, /done, /reopen, /drop, /assign, /due, /rename,
/programme(s), /status and the buttons. Each handler reads the update and calls one service method."""

from __future__ import annotations

import re

from telegram import Update

from bot.context import ChatContext, Reply
from bot.features.actions import PROGRAMME_OFFER
from handlers.common import Command, actor_of, author_of, button, command, command_text, text_command, text_mentions
from handlers.context import KembarContext


@command
async def create_action(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    message = update.effective_message
    replied = message.reply_to_message if message else None
    return await context.services.actions.create(
        here,
        actor_of(update),
        command_text(message),
        mentions=text_mentions(message),
        replied_text=(replied.text or replied.caption or "") if replied is not None else None,
    )


list_actions = text_command(lambda services: services.actions.listing)
done = text_command(lambda services: services.actions.done)
reopen = text_command(lambda services: services.actions.reopen)
drop = text_command(lambda services: services.actions.drop)
due = text_command(lambda services: services.actions.due)
rename = text_command(lambda services: services.actions.rename)


@command
async def assign(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    message = update.effective_message
    await context.services.actions.assign(here, actor_of(update), command_text(message), text_mentions(message))
    return None


@button
async def on_button(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    return await context.services.actions.press(here, actor_of(update), (query.data or "") if query else "")


@button
async def on_deadline_move(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    return await context.services.actions.move_deadline(here, actor_of(update), (query.data or "") if query else "")


@button
async def on_other_reading(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    return await context.services.actions.take_other(here, actor_of(update), (query.data or "") if query else "")


programme = text_command(lambda services: services.programmes.programme)
programmes = text_command(lambda services: services.programmes.listing)


@button
async def on_programme_offer(update: Update, context: KembarContext, here: ChatContext) -> Reply:
    """ "Create #name" under a refused /action: the refusal answered the command, so the command is back."""
    query = update.callback_query
    refusal = query.message if query is not None else None
    original = getattr(refusal, "reply_to_message", None)
    return await context.services.programmes.accept_offer(
        here,
        actor_of(update),
        command_text=command_text(original) if original is not None else None,
        author=author_of(original) if original is not None else None,
        mentions=text_mentions(original),
    )


status = text_command(lambda services: services.status.status)

COMMANDS = {
    "action": Command(create_action, "cmd.action"),
    "actions": Command(list_actions, "cmd.actions"),
    "done": Command(done, "cmd.done"),
    "status": Command(status, "cmd.status"),
    "programme": Command(programme, "cmd.programme"),
    "program": Command(programme),
    "programmes": Command(programmes),
    "reopen": Command(reopen),
    "drop": Command(drop),
    "assign": Command(assign),
    "due": Command(due),
    "rename": Command(rename),
}
BUTTONS = {
    r"^dl\|": on_deadline_move,
    r"^act\|": on_button,
    r"^when\|a\|": on_other_reading,
    f"^{re.escape(PROGRAMME_OFFER)}$": on_programme_offer,
}
