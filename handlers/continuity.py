"""Continuity: /brief, /decision, /decisions, /evidence, /handover, /welcome, their buttons, evidence posted with a
#programme caption, and members joining or leaving a group (the handover notice, the welcome)."""

from __future__ import annotations

from telegram import ChatMemberUpdated, Message, Update, User
from telegram.constants import ChatMemberStatus

from bot.context import ChatContext, Reply
from bot.features.decisions import Stated
from bot.features.evidence import Media
from bot.ports import Person
from handlers.common import Command, actor_of, button, command, command_text, send_reply, text_command, text_mentions
from handlers.context import KembarContext

PRESENT = (ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)
GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)

brief = text_command(lambda services: services.brief.brief)
decisions = text_command(lambda services: services.decisions.listing)
welcome = text_command(lambda services: services.handover.welcome)


def media_of(message: Message | None) -> Media | None:
    """The photo, video or document of a message (the largest size of a photo)."""
    if message is None:
        return None
    caption = message.caption
    if message.photo:
        largest = message.photo[-1]
        return Media(
            message.message_id, "photo", largest.file_id, largest.file_unique_id, caption, None, largest.file_size
        )
    if message.video:
        video = message.video
        return Media(
            message.message_id, "video", video.file_id, video.file_unique_id, caption, video.file_name, video.file_size
        )
    if message.document and not message.animation:
        doc = message.document
        return Media(
            message.message_id, "document", doc.file_id, doc.file_unique_id, caption, doc.file_name, doc.file_size
        )
    return None


def person(user: User) -> Person:
    return Person(user.id, user.full_name, user.username)


@command
async def decision(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    message = update.effective_message
    replied = message.reply_to_message if message else None
    stated = None
    if replied is not None and not replied.forum_topic_created:
        stated = Stated(replied.message_id, replied.text or replied.caption or "")
    return await context.services.decisions.decide(here, actor_of(update), command_text(message), stated)


@command
async def evidence(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    message = update.effective_message
    replied = message.reply_to_message if message else None
    is_reply = replied is not None and not replied.forum_topic_created
    return await context.services.evidence.command(
        here, actor_of(update), command_text(message), media_of(replied) if is_reply else None, reply_to=is_reply
    )


@command
async def handover(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    message = update.effective_message
    return await context.services.handover.command(
        here, actor_of(update), command_text(message), text_mentions(message)
    )


@button
async def on_handover(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    query = update.callback_query
    if query is None:
        return None
    message_id = query.message.message_id if query.message is not None else None
    return await context.services.handover.press(here, actor_of(update), query.data or "", message_id)


@button
async def on_brief_me(update: Update, context: KembarContext, here: ChatContext) -> Reply | None:
    return await context.services.handover.brief_me(here, actor_of(update))


async def posted_evidence(update: Update, context: KembarContext) -> None:
    """A photo, video or document whose caption tags a programme: recorded as its evidence (a new post only)."""
    message = update.message
    here = context.here
    if message is None or here is None or here.is_private or not message.caption or "#" not in message.caption:
        return
    media = media_of(message)
    if media is None or (message.from_user is not None and message.from_user.is_bot and message.sender_chat is None):
        return
    actor = actor_of(update)
    answer = await context.services.evidence.posted(here, actor, media)
    if answer is not None and context.services.limits.allow("command", here.id, actor.user_id)[0]:
        await send_reply(update, context, here, answer)  # recorded either way; a flood gets no flood of answers


async def membership(update: Update, context: KembarContext) -> None:
    """Someone joined or left a group (the chat_member update, or the service message; both may come)."""
    here = context.here
    if here is None or here.is_private:
        return
    change: ChatMemberUpdated | None = update.chat_member
    services = context.services
    if change is not None:
        user = change.new_chat_member.user
        if user.is_bot:
            return
        old, new = change.old_chat_member.status, change.new_chat_member.status
        if new in GONE and old not in GONE:
            await services.handover.left(here, person(user))
        elif old in GONE and new not in GONE:
            await services.handover.joined(here, person(user))
        return
    message = update.message
    if message is None:
        return
    if message.left_chat_member is not None and not message.left_chat_member.is_bot:
        await services.handover.left(here, person(message.left_chat_member))
    for user in message.new_chat_members or ():
        if not user.is_bot:
            await services.handover.joined(here, person(user))
    if message.chat_owner_changed is not None and message.from_user is not None:
        new_owner = message.chat_owner_changed.new_owner
        await services.handover.owner_changed(here, person(message.from_user), person(new_owner))
    if message.chat_owner_left is not None and message.from_user is not None:
        successor = message.chat_owner_left.new_owner
        await services.handover.left(
            here, person(message.from_user), person(successor) if successor is not None else None
        )


COMMANDS = {
    "brief": Command(brief, "cmd.brief"),
    "decision": Command(decision, "cmd.decision"),
    "decisions": Command(decisions, "cmd.decisions"),
    "evidence": Command(evidence, "cmd.evidence"),
    "handover": Command(handover, "cmd.handover"),
    "welcome": Command(welcome, "cmd.welcome"),
}
BUTTONS = {r"^ho\|": on_handover, r"^br\|": on_brief_me}
