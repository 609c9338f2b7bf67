"""The simulated users: creating users and chats, roster changes, adding, removing and blocking
the bot, and posting, editing and pressing inline buttons."""

from __future__ import annotations

import base64
import time
from typing import cast

from bot.sandbox.emulator.files import _FilesMixin
from bot.sandbox.emulator.state import (
    GROUP_ANONYMOUS_BOT,
    MAX_CAPTION_LENGTH,
    MAX_TEXT_LENGTH,
    Chat,
    ChatType,
    User,
    _CallbackQuery,
    _ChatState,
)
from bot.sandbox.html_check import JsonDict

# A 2x2 PNG used for photos posted by emulated users.
_SAMPLE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)


class _UsersMixin(_FilesMixin):
    """The synchronous half of the API: it plays the users, whose actions become updates."""

    # -- the user side: setup -------------------------------------------------------------------

    def create_user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = None,
        user_id: int | None = None,
        last_name: str | None = None,
        is_bot: bool = False,
    ) -> User:
        """Register a user (a human, or another bot with ``is_bot=True``)."""
        if user_id is None:
            while self._next_user_id in self._users:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        if user_id <= 0:
            raise ValueError("user ids are positive")
        if user_id in self._users:
            raise ValueError(f"user {user_id} already exists")
        user = User(
            id=user_id,
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
            is_bot=is_bot,
        )
        self._users[user_id] = user
        return user

    def create_chat(
        self,
        title: str,
        *,
        type: ChatType = "supergroup",
        chat_id: int | None = None,
        username: str | None = None,
        with_bot: bool = True,
    ) -> Chat:
        """Create a group, supergroup or channel (the bot is a member unless ``with_bot`` is false).

        Ids are negative like Telegram's: supergroups and channels count from -1001000000001, basic
        groups from -4000000001. A private chat has the id of its user (``type="private"``,
        ``chat_id=user.id``; ``title`` is ignored); it also appears by itself when the user first
        posts to the bot (``post(user.id, user.id, "/start")``).
        """
        if type == "private":
            if chat_id is None or chat_id in self._chats:
                raise ValueError("a new private chat needs chat_id=<id of a user without one>")
            state = self._private_state(chat_id, create=True)
            state.private_started = True
            self._notify()
            return state.chat
        if chat_id is None:
            if type == "group":
                chat_id = -4_000_000_000 - self._next_group
                self._next_group += 1
            else:
                chat_id = self._new_supergroup_id()
        if chat_id >= 0:
            raise ValueError("group and channel ids are negative")
        if chat_id in self._chats:
            raise ValueError(f"chat {chat_id} already exists")
        chat = Chat(id=chat_id, type=type, title=title, username=username)
        state = _ChatState(chat=chat, bot_status="member" if with_bot else "left")
        if type == "channel" and with_bot:
            state.bot_status = "administrator"
        self._chats[chat_id] = state
        self._notify()
        return chat

    def chat(self, chat_id: int) -> Chat:
        """A chat by id."""
        return self._state(chat_id).chat

    def user(self, user_id: int) -> User:
        """A user by id."""
        return self._user(user_id)

    def add_member(self, chat_id: int, user_id: int, *, by_user_id: int | None = None) -> None:
        """A user joins a group: roster change, ``chat_member`` update and a service message."""
        state = self._group_state(chat_id)
        user = self._user(user_id)
        if user_id in state.members:
            return
        old = self._member_json(state, user)
        state.members.append(user_id)
        actor = self._user(by_user_id) if by_user_id is not None else user
        self._emit_chat_member(state, actor, user, old)
        self._service_message(state, actor, {"new_chat_members": [user.to_api()]})

    def remove_member(self, chat_id: int, user_id: int, *, by_user_id: int | None = None) -> None:
        """A user leaves (or is removed from) a group."""
        state = self._group_state(chat_id)
        user = self._user(user_id)
        if user_id not in state.members:
            return
        old = self._member_json(state, user)
        state.members.remove(user_id)
        if user_id in state.admins:
            state.admins.remove(user_id)
        if state.creator == user_id:
            state.creator = None
        actor = self._user(by_user_id) if by_user_id is not None else user
        self._emit_chat_member(state, actor, user, old)
        self._service_message(state, actor, {"left_chat_member": user.to_api()})

    def set_admin(self, chat_id: int, user_id: int, admin: bool = True) -> None:
        """Promote (or demote) a user, or the bot itself, in a group's administrator roster."""
        state = self._group_state(chat_id)
        if user_id == self.bot.id:
            if state.bot_status in ("left", "kicked"):
                raise ValueError("add the bot to the chat before promoting it")
            old = self._member_json(state, self.bot)
            state.bot_status = "administrator" if admin else "member"
            if admin:
                state.bot_rights = None  # administrators are not restricted
            if old["status"] != state.bot_status:
                self._emit_my_chat_member(state, self._chat_owner(state), old)
            return
        user = self._user(user_id)
        old = self._member_json(state, user)
        if user_id not in state.members:
            state.members.append(user_id)
        if admin and user_id not in state.admins:
            state.admins.append(user_id)
        elif not admin and user_id in state.admins:
            state.admins.remove(user_id)
        if old != self._member_json(state, user):
            self._emit_chat_member(state, self._chat_owner(state), user, old)

    def set_creator(self, chat_id: int, user_id: int) -> None:
        """Make a user the owner of a group."""
        state = self._group_state(chat_id)
        user = self._user(user_id)
        old = self._member_json(state, user)
        if user_id not in state.members:
            state.members.append(user_id)
        state.creator = user_id
        if old != self._member_json(state, user):
            self._emit_chat_member(state, user, user, old)

    def add_bot_to_chat(self, chat_id: int, by_user_id: int) -> None:
        """A user adds the bot to a group: ``my_chat_member`` (left -> member) and a service message."""
        state = self._group_state(chat_id)
        actor = self._user(by_user_id)
        if by_user_id not in state.members:
            state.members.append(by_user_id)
        if state.bot_status in ("member", "administrator"):
            return
        old = self._member_json(state, self.bot)
        state.bot_status = "member"
        state.bot_was_removed = False
        self._emit_my_chat_member(state, actor, old)
        self._service_message(state, actor, {"new_chat_members": [self.bot.to_api()]})

    def remove_bot_from_chat(self, chat_id: int, by_user_id: int) -> None:
        """A user removes the bot: ``my_chat_member`` (-> left); later sends get 403 "bot was kicked"."""
        state = self._group_state(chat_id)
        actor = self._user(by_user_id)
        if state.bot_status in ("left", "kicked"):
            return
        old = self._member_json(state, self.bot)
        state.bot_status = "left"
        state.bot_was_removed = True
        self._emit_my_chat_member(state, actor, old)
        self._store_message(state, actor, {"left_chat_member": self.bot.to_api()})

    def remove_bot_silently(self, chat_id: int) -> None:
        """The bot loses the group without an update reaching it (e.g. the group was deleted while the
        bot was offline and the update expired): later sends get 403 "bot was kicked"."""
        state = self._group_state(chat_id)
        state.bot_status = "kicked"
        state.bot_was_removed = True

    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot in their private chat (``my_chat_member`` -> kicked)."""
        state = self._private_state(user_id, create=True)
        if state.bot_status == "kicked":
            return
        old = self._member_json(state, self.bot)
        state.bot_status = "kicked"
        self._emit_my_chat_member(state, self._user(user_id), old)

    def unblock_bot(self, user_id: int) -> None:
        """The user unblocks the bot (``my_chat_member`` -> member)."""
        state = self._private_state(user_id, create=True)
        if state.bot_status != "kicked":
            return
        old = self._member_json(state, self.bot)
        state.bot_status = "member"
        self._emit_my_chat_member(state, self._user(user_id), old)

    # -- the user side: activity ----------------------------------------------------------------

    def post(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        reply_to: int | None = None,
        caption: str | None = None,
        photo: bool = False,
        document: bool = False,
        sticker: bool = False,
        entities: list[JsonDict] | None = None,
        thread_id: int | None = None,
        date: int | None = None,
        as_chat: bool = False,
    ) -> JsonDict:
        """A user sends a message; returns it as stored (the bot gets a ``message`` update).

        Entities are detected like Telegram does (``/command`` and ``/command@kembar_bot`` get a
        ``bot_command`` entity, mentions, hashtags, URLs...). ``entities`` adds client formatting
        (bold etc.) to the text or caption. ``chat_id`` equal to ``user_id`` is the user's private
        chat with the bot, created on first use.

        ``as_chat=True`` posts as an anonymous administrator: the message is on behalf of the
        supergroup (its ``sender_chat``) and ``from`` is GroupAnonymousBot (id 1087968824), as on
        Telegram; ``user_id`` must be an administrator or the creator of the supergroup.
        """
        user = self._user(user_id)
        if chat_id == user_id:
            state = self._private_state(user_id, create=True)
            if state.bot_status == "kicked":
                raise ValueError(f"user {user_id} has blocked the bot; call unblock_bot() first")
            state.private_started = True
        else:
            state = self._live_state(chat_id)
            if state.chat.type == "private":
                raise ValueError("only the owner of a private chat can post in it")
        if as_chat:
            self._check_anonymous_admin(state, user_id)
        if photo + document + sticker > 1:
            raise ValueError("a message has one of photo, document or sticker")
        if sticker and caption is not None:
            raise ValueError("stickers have no caption")
        has_media = photo or document or sticker
        if has_media and text is not None:
            raise ValueError("media messages have a caption, not a text")
        if not has_media and caption is not None:
            raise ValueError("a caption needs photo=True or document=True")
        if not has_media and text is None:
            raise ValueError("nothing to post: pass text, or photo/document")

        content: JsonDict = {}
        if sticker:
            file_id, unique_id = self._new_file_ids("sticker")
            content["sticker"] = {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "🤝",
            }
        elif has_media:
            stored = self._store_file(
                "photo" if photo else "document",
                _SAMPLE_PNG if photo else b"Sister-city partnership agreement\n",
                file_name=None if photo else "agreement.txt",
                mime_type=None if photo else "text/plain",
            )
            if photo:
                content["photo"] = [dict(size) for size in stored.sizes]
            else:
                content["document"] = stored.document_json()
            if caption:
                formatted = self._user_text(caption, entities, allow_empty=True)
                if len(formatted.text) > MAX_CAPTION_LENGTH:
                    raise ValueError("caption is longer than 1024 characters")
                if formatted.text:
                    content["caption"] = formatted.text
                    if formatted.entities:
                        content["caption_entities"] = formatted.entities
        else:
            formatted = self._user_text(cast(str, text), entities, allow_empty=False)
            if len(formatted.text) > MAX_TEXT_LENGTH:
                raise ValueError("text is longer than 4096 characters")
            content["text"] = formatted.text
            if formatted.entities:
                content["entities"] = formatted.entities

        if thread_id is not None:  # a message inside a forum topic
            content["message_thread_id"] = thread_id
            content["is_topic_message"] = True
        if state.chat.type not in ("private", "channel") and user_id not in state.members:
            state.members.append(user_id)
        if reply_to is not None:
            target = state.messages.get(reply_to)
            if target is None or target.deleted:
                raise ValueError(f"message {reply_to} does not exist in chat {chat_id}")
        sender = GROUP_ANONYMOUS_BOT if as_chat else None if state.chat.type == "channel" else user
        message = self._store_message(
            state, sender, content, reply_to=reply_to, sender_chat=state.chat if as_chat else None
        )
        if date is not None:  # a message sent earlier (e.g. to test edit windows)
            message.date = date
        if self._bot_receives(state, message):
            kind = "channel_post" if state.chat.type == "channel" else "message"
            self._emit(kind, self._message_json(message))
        return self._view(message)

    @staticmethod
    def _check_anonymous_admin(state: _ChatState, user_id: int) -> None:
        if state.chat.type != "supergroup":
            # Telegram's clients upgrade a basic group before an administrator can be anonymous.
            raise ValueError("only supergroups have anonymous administrators; see migrate_to_supergroup()")
        if user_id != state.creator and user_id not in state.admins:
            raise ValueError(f"user {user_id} is not an administrator of chat {state.chat.id}")

    def edit(self, chat_id: int, message_id: int, new_text: str) -> JsonDict:
        """A user edits their message (text, or caption of a media message): ``edited_message``."""
        state = self._live_state(chat_id)
        message = self._existing(state, message_id)
        if message.sender is not None and message.sender.id == self.bot.id:
            raise ValueError("the bot's messages are edited through the Bot API, not edit()")
        if message.is_service:
            raise ValueError("service messages cannot be edited")
        key = message.body_key
        formatted = self._user_text(new_text, None, allow_empty=key == "caption")
        self._snapshot(message)
        self._set_body(message, key, formatted)
        message.edit_date = int(self._now())
        self._notify()
        if self._bot_receives(state, message):
            kind = "edited_channel_post" if state.chat.type == "channel" else "edited_message"
            self._emit(kind, self._message_json(message))
        return self._view(message)

    def press(self, chat_id: int, message_id: int, user_id: int, data: str) -> str:
        """A user presses the inline button carrying ``data``; returns the callback query id."""
        state = self._live_state(chat_id)
        user = self._user(user_id)
        message = self._existing(state, message_id)
        buttons = [
            button
            for row in (message.reply_markup or {}).get("inline_keyboard", [])
            for button in row
            if "callback_data" in button
        ]
        if not any(button["callback_data"] == data for button in buttons):
            available = [button["callback_data"] for button in buttons]
            raise ValueError(
                f"message {message_id} in chat {chat_id} has no button with callback_data {data!r}; "
                f"available: {available}"
            )
        if not self._bot_present(state):
            raise ValueError("the bot is no longer in this chat")
        query_id = str(self._ids.getrandbits(63))
        self._queries[query_id] = _CallbackQuery(
            id=query_id,
            user_id=user_id,
            chat_id=chat_id,
            message_id=message_id,
            data=data,
            created=time.monotonic(),
        )
        self._emit(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": self._message_json(message),
                "chat_instance": str(abs(chat_id) * 7919 % 2**63),
                "data": data,
            },
        )
        return query_id
