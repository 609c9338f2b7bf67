"""The relay handler: a group message (new or edited) becomes relay jobs for the rest of its bridge."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Message, Update

from bot.relay.service import EDIT_WINDOW_SECONDS, InboundMessage
from handlers.context import KembarContext

MEDIA_KINDS = ("animation", "photo", "document", "video", "audio", "voice", "sticker", "video_note")


def media_kind(message: Message) -> str | None:
    for kind in MEDIA_KINDS:  # animation first: an animation message also carries a document
        if getattr(message, kind):
            return kind
    if message.text is not None:
        return None
    return "other"  # location, contact, poll, dice, venue ...: copied as they are


def sender_name(message: Message) -> str:
    if message.sender_chat is not None:  # anonymous admin or a linked channel
        return message.sender_chat.title or message.sender_chat.full_name or ""
    user = message.from_user
    return user.full_name if user else ""  # rendered as sender.unknown


def to_inbound(message: Message, *, label: str, language: str, edited: bool) -> InboundMessage:
    text = message.text if message.text is not None else message.caption
    html = message.text_html if message.text is not None else (message.caption_html if message.caption else None)
    version = 0
    if edited:
        version = int((message.edit_date or datetime.now(UTC)).timestamp())
    return InboundMessage(
        chat_id=message.chat_id,
        message_id=message.message_id,
        sender_id=message.from_user.id if message.from_user else 0,
        sender_name=sender_name(message),
        source_label=label,
        source_language=language,
        text=text,
        html=html,
        media_kind=media_kind(message),
        reply_to=message.reply_to_message.message_id if message.reply_to_message else None,
        version=version,
        date=int(message.date.timestamp()),
    )


async def relay_message(update: Update, context: KembarContext) -> None:
    message = update.effective_message
    here = context.here
    if message is None or here is None or here.bridge is None or not here.partnered:
        return
    user = message.from_user
    if user is not None and user.is_bot and message.sender_chat is None:
        return  # bots, Kembar included, are never relayed: no loops
    if message.is_automatic_forward:
        return
    edited = update.edited_message is not None
    if edited and message.edit_date is not None:
        if (message.edit_date - message.date).total_seconds() > EDIT_WINDOW_SECONDS:
            return
    inbound = to_inbound(message, label=here.label, language=here.language, edited=edited)
    await context.services.relay.submit(inbound, here.bridge)
