"""What every handler does: read who asks and what they typed, call one service method, render the answer.

``command`` and ``button`` wrap a handler function ``(update, context, here) -> Reply | None``: they skip
updates without a chat context, answer a ``Refused`` in the chat's language, and render a ``Reply``
through the catalogue (long answers are split into several messages).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import CallbackQuery, Message, MessageEntity, Update
from telegram.constants import ParseMode

from bot.context import Actor, ChatContext, Refused, Reply, render
from bot.features.action_text import Mention
from bot.language.htmltext import split_html, strip_tags
from bot.services import Services
from handlers.context import KembarContext
from handlers.markup import keyboard

TEXT_LIMIT = 4096
_AFTER_COMMAND = re.compile(r"\S+\s+(.*)", re.DOTALL)
ALERT_LIMIT = 200  # Telegram's limit for a callback answer

Handler = Callable[[Update, KembarContext], Coroutine[Any, Any, None]]
UseCase = Callable[[Update, KembarContext, ChatContext], Awaitable[Reply | None]]
TextUseCase = Callable[[ChatContext, Actor, str], Awaitable[Reply | None]]


@dataclass(frozen=True)
class Command:
    """A command a handler module offers: its handler and, for the command menu, the catalogue key of its
    description (None: not in the menu)."""

    handler: Handler
    menu: str | None = None


def actor_of(update: Update) -> Actor:
    """Who sent the update. A message posted as the group itself (an anonymous administrator) has no
    user: only the group's administrators can post so."""
    message = update.effective_message
    if update.callback_query is None and message is not None:
        author = author_of(message)
        if author is not None:
            return author
    user = update.effective_user
    if user is None:
        return Actor(user_id=None, name="")  # shown as sender.unknown
    return Actor(user_id=user.id, name=user.full_name, username=user.username)


def author_of(message: Message) -> Actor | None:
    """Who wrote ``message`` (for a command brought back by a button)."""
    if message.sender_chat is not None and message.sender_chat.id == message.chat_id:
        return Actor(user_id=None, name=message.chat.title or "", as_chat=True)
    user = message.from_user
    if user is None:
        return None
    return Actor(user_id=user.id, name=user.full_name, username=user.username)


def command_text(message: Message | None) -> str:
    """The text after the command, exactly as typed (``context.args`` loses the spacing)."""
    text = (message.text or "") if message else ""
    found = _AFTER_COMMAND.match(text)
    return found.group(1).strip() if found else ""


def text_mentions(message: Message | None) -> list[Mention]:
    """The mentions of users without a username: their text and the user each names."""
    if message is None or not message.text:
        return []
    return [
        Mention(message.parse_entity(entity), entity.user.id)
        for entity in message.entities
        if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None
    ]


async def send_reply(update: Update, context: KembarContext, here: ChatContext, reply: Reply) -> None:
    """The answer in the asking chat; parts of a long one follow each other, the buttons under the last."""
    message = update.effective_message
    if message is None:
        return
    text = render(context.services.catalog, reply, here.language)
    parts = split_html(text, TEXT_LIMIT) or [text]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        await message.reply_text(
            part,
            parse_mode=ParseMode.HTML,
            do_quote=reply.quote and index == 0,
            reply_markup=keyboard(reply.buttons) if last else None,
        )


async def answer_button(query: CallbackQuery, context: KembarContext, here: ChatContext, reply: Reply | None) -> None:
    """The short notice shown to whoever pressed a button (plain text, at most 200 characters)."""
    if reply is None:
        await query.answer()
        return
    text = strip_tags(render(context.services.catalog, reply, here.language))
    if len(text) > ALERT_LIMIT:
        text = text[: ALERT_LIMIT - 1] + "…"
    await query.answer(text, show_alert=reply.alert)


def command(use_case: UseCase) -> Handler:
    """A command handler: the use case's Reply (or Refused) is answered in the chat."""

    @functools.wraps(use_case)
    async def handle(update: Update, context: KembarContext) -> None:
        here = context.here
        if here is None:
            return
        actor = actor_of(update)
        allowed, tell = context.services.limits.allow("command", here.id, actor.user_id)
        if not allowed:  # too many commands from one member: told once, then ignored for a while
            if tell:
                await send_reply(update, context, here, Reply("limit.commands", {"name": actor.name}))
            return
        try:
            result = await use_case(update, context, here)
        except Refused as refused:
            result = refused.reply
        if result is not None:
            await send_reply(update, context, here, result)

    return handle


def text_command(pick: Callable[[Services], TextUseCase]) -> Handler:
    """The most common command: the service method ``pick`` names gets the chat, who asks and the text
    after the command."""

    @command
    async def handle(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
        return await pick(context.services)(here, actor_of(update), command_text(update.effective_message))

    return handle


def button(use_case: UseCase) -> Handler:
    """A callback-query handler: the use case's Reply (or Refused, as an alert) is the presser's notice."""

    @functools.wraps(use_case)
    async def handle(update: Update, context: KembarContext) -> None:
        query = update.callback_query
        if query is None:
            return
        here = context.here
        if here is None:
            await query.answer()
            return
        allowed, _ = context.services.limits.allow("press", here.id, query.from_user.id)
        if not allowed:
            await answer_button(query, context, here, Reply("limit.presses", alert=True))
            return
        try:
            result = await use_case(update, context, here)
        except Refused as refused:
            result = refused.reply
        await answer_button(query, context, here, result)

    return handle
