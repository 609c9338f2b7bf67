"""The emulator's state and the helpers every part of it shares.

:class:`_EmulatorBase` holds the users, chats, messages, files, pending updates and settings, and
the helpers the method families and the simulated users build on: looking chats and users up,
storing messages and rendering them as Bot API JSON, emitting updates, waking waiters, and reading
the ``chat_id``/``message_id`` parameters with Telegram's errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import random
import time
from collections.abc import Callable

import tornado.httpserver

from bot.sandbox.emulator.faults import FaultInjector
from bot.sandbox.emulator.params import _ApiError, _bad_request, _Handler, _Params
from bot.sandbox.emulator.rights import missing_right, restricted_member_fields
from bot.sandbox.emulator.state import (
    _DEFAULT_UPDATE_TYPES,
    ApiCall,
    Chat,
    User,
    _CallbackQuery,
    _ChatState,
    _Message,
    _StoredFile,
    _Webhook,
)
from bot.sandbox.html_check import (
    EmptyTextError,
    EntitiesFieldError,
    FormattedText,
    JsonDict,
    entities_from_param,
    entity_text,
    finalize,
)

# The package's logger: records keep the name they had when the emulator was a single module.
_LOGGER = logging.getLogger(__package__)


class _EmulatorBase:
    """The state of an emulated Bot API server and the helpers its parts share.

    :class:`~bot.sandbox.emulator.BotApiEmulator` composes it with one mixin per concern (the
    method families, the HTTP server, the simulated users, the test waits); each mixin subclasses
    this class, so everything here is typed for all of them.
    """

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_username: str = "kembar_bot",
        bot_name: str = "Kembar",
        host: str = "127.0.0.1",
        port: int = 0,
        privacy_mode: bool = False,
        callback_query_ttl: float | None = None,
        seed: int = 0,
        on_bot_message: Callable[[int, JsonDict], None] | None = None,
        clock_offset: float = 0.0,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.bot = User(id=int(bot_id), first_name=bot_name, username=bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.callback_query_ttl = callback_query_ttl
        self.on_bot_message = on_bot_message
        self.clock_offset = clock_offset
        self.faults = FaultInjector(seed)
        self.calls: list[ApiCall] = []
        self.callback_answers: list[JsonDict] = []
        self.chat_actions: list[tuple[int, str]] = []

        self._host = host
        self._port = port
        self._bound_port: int | None = None
        self._server: tornado.httpserver.HTTPServer | None = None
        self._closing = False
        self._changed = asyncio.Event()
        self._ids = random.Random(seed)

        self._users: dict[int, User] = {self.bot.id: self.bot}
        self._chats: dict[int, _ChatState] = {}
        self._next_user_id = 1_000_001
        self._next_supergroup = 1
        self._next_group = 1
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, _StoredFile] = {}
        self._file_counter = 0

        self._pending: list[JsonDict] = []
        self._next_update_id = 1
        self._allowed: frozenset[str] = _DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._active_polls = 0
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._queries: dict[str, _CallbackQuery] = {}

        self._commands: dict[tuple[str, int | None, int | None, str], list[JsonDict]] = {}
        self._profile: dict[tuple[str, str], str] = {}
        self._default_menu_button: JsonDict = {"type": "commands"}
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler) for name, handler in self._method_table().items()
        }

    def _method_table(self) -> dict[str, _Handler]:
        """The Bot API methods by canonical name; :class:`~bot.sandbox.emulator.BotApiEmulator` lists them."""
        raise NotImplementedError

    # -- internals: state helpers ---------------------------------------------------------------

    def _now(self) -> float:
        """Telegram's time: this machine's, shifted by ``clock_offset`` (dates in messages, the ``Date`` header)."""
        return time.time() + self.clock_offset

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, seconds: float | None) -> None:
        """Wait for the next state change, or at most ``seconds``."""
        event = self._changed
        if seconds is None:
            await event.wait()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def _user(self, user_id: int) -> User:
        try:
            return self._users[user_id]
        except KeyError:
            raise ValueError(f"unknown user {user_id}; create it with create_user()") from None

    def _state(self, chat_id: int) -> _ChatState:
        try:
            return self._chats[chat_id]
        except KeyError:
            raise ValueError(f"unknown chat {chat_id}; create it with create_chat()") from None

    def _live_state(self, chat_id: int) -> _ChatState:
        """A chat users can still act in: not upgraded to a supergroup, not deleted."""
        state = self._state(chat_id)
        if state.migrated_to is not None:
            raise ValueError(f"chat {chat_id} was upgraded to the supergroup {state.migrated_to}; use that chat")
        if state.deleted:
            raise ValueError(f"chat {chat_id} was deleted")
        return state

    def _group_state(self, chat_id: int) -> _ChatState:
        state = self._live_state(chat_id)
        if state.chat.type == "private":
            raise ValueError("this operation needs a group, supergroup or channel")
        return state

    def _private_state(self, user_id: int, *, create: bool) -> _ChatState:
        user = self._user(user_id)
        if user.is_bot:
            raise ValueError("bots cannot talk to each other")
        state = self._chats.get(user_id)
        if state is None:
            if not create:
                raise ValueError(f"user {user_id} has no private chat with the bot")
            chat = Chat(
                id=user.id,
                type="private",
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
            )
            state = _ChatState(chat=chat, members=[user_id])
            self._chats[user_id] = state
        return state

    def _new_supergroup_id(self) -> int:
        """The next free id of the form Telegram gives supergroups and channels (-100...)."""
        while True:
            chat_id = -1_001_000_000_000 - self._next_supergroup
            self._next_supergroup += 1
            if chat_id not in self._chats:
                return chat_id

    def _chat_owner(self, state: _ChatState) -> User:
        if state.creator is not None:
            return self._users[state.creator]
        if state.admins:
            return self._users[state.admins[0]]
        if state.members:
            return self._users[state.members[0]]
        return self.bot

    def _existing(self, state: _ChatState, message_id: int) -> _Message:
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise ValueError(f"no message {message_id} in chat {state.chat.id}")
        return message

    def _bot_present(self, state: _ChatState) -> bool:
        return state.bot_status in ("member", "administrator")

    def _bot_receives(self, state: _ChatState, message: _Message) -> bool:
        if not self._bot_present(state):
            return False
        if state.chat.type in ("private", "channel"):
            return True
        if not self.privacy_mode or state.bot_status == "administrator" or message.is_service:
            return True
        if message.reply_to is not None:
            target = state.messages.get(message.reply_to)
            if target is not None and target.sender is not None and target.sender.id == self.bot.id:
                return True
        body = str(message.content.get(message.body_key, ""))
        entities = message.content.get("entities" if message.body_key == "text" else "caption_entities", [])
        for entity in entities:
            if entity["type"] == "bot_command":
                _, _, target_bot = entity_text(body, entity).partition("@")
                if not target_bot or target_bot.lower() == (self.bot.username or "").lower():
                    return True
        return False

    def _user_text(self, text: str, entities: list[JsonDict] | None, *, allow_empty: bool) -> FormattedText:
        try:
            explicit = entities_from_param(entities, text, resolve_user=self._resolve_user) if entities else []
            return finalize(text, explicit, allow_empty=allow_empty)
        except (EntitiesFieldError, EmptyTextError) as error:
            raise ValueError(str(error)) from None

    def _resolve_user(self, user_id: int) -> JsonDict | None:
        user = self._users.get(user_id)
        return user.to_api() if user is not None else None

    def _store_message(
        self,
        state: _ChatState,
        sender: User | None,
        content: JsonDict,
        *,
        reply_to: int | None = None,
        sender_chat: Chat | None = None,
    ) -> _Message:
        message = _Message(
            chat_id=state.chat.id,
            message_id=state.next_message_id,
            date=int(self._now()),
            sender=sender,
            content=content,
            reply_to=reply_to,
            sender_chat=sender_chat,
        )
        state.next_message_id += 1
        state.messages[message.message_id] = message
        self._notify()
        return message

    def _service_message(
        self, state: _ChatState, actor: User, content: JsonDict, *, sender_chat: Chat | None = None
    ) -> None:
        message = self._store_message(state, actor, content, sender_chat=sender_chat)
        if self._bot_present(state):
            self._emit("message", self._message_json(message))

    def _member_json(self, state: _ChatState, user: User) -> JsonDict:
        if user.id == self.bot.id:
            status: str = state.bot_status
            # A basic group has no per-member restrictions: there they are the group's defaults.
            if status == "member" and state.bot_rights is not None and state.chat.type == "supergroup":
                status = "restricted"
        elif state.chat.type == "private":
            status = "member" if user.id == state.chat.id else "left"
        elif state.creator == user.id:
            status = "creator"
        elif user.id in state.admins:
            status = "administrator"
        elif user.id in state.members:
            status = "member"
        else:
            status = "left"
        data: JsonDict = {"status": status, "user": user.to_api()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            channel = state.chat.type == "channel"
            data.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": True,
                    "can_edit_stories": True,
                    "can_delete_stories": True,
                }
            )
            if channel:
                data.update({"can_post_messages": True, "can_edit_messages": True})
            else:
                data["can_pin_messages"] = True
        elif status == "restricted" and state.bot_rights is not None:
            data.update(restricted_member_fields(state.bot_rights))
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def _emit_my_chat_member(self, state: _ChatState, actor: User, old: JsonDict) -> None:
        self._emit(
            "my_chat_member",
            {
                "chat": state.chat.to_api(),
                "from": actor.to_api(),
                "date": int(self._now()),
                "old_chat_member": old,
                "new_chat_member": self._member_json(state, self.bot),
            },
        )

    def _emit_chat_member(self, state: _ChatState, actor: User, user: User, old: JsonDict) -> None:
        if state.bot_status != "administrator":
            self._notify()
            return  # Telegram only sends chat_member updates to administrator bots
        self._emit(
            "chat_member",
            {
                "chat": state.chat.to_api(),
                "from": actor.to_api(),
                "date": int(self._now()),
                "old_chat_member": old,
                "new_chat_member": self._member_json(state, user),
            },
        )

    def _emit(self, kind: str, payload: JsonDict) -> None:
        if kind not in self._allowed:
            self._notify()
            return
        self._queue_update({kind: payload})

    def _queue_update(self, body: JsonDict) -> int:
        """Queue an update with this body under the next ``update_id``; returns the id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._pending.append({"update_id": update_id} | body)
        self._notify()
        return update_id

    def _message_json(self, message: _Message, *, nested: bool = False) -> JsonDict:
        state = self._chats[message.chat_id]
        data: JsonDict = {"message_id": message.message_id}
        if message.sender is not None:
            data["from"] = message.sender.to_api()
        if message.sender_chat is not None:
            data["sender_chat"] = message.sender_chat.to_api()
        elif message.sender is None and state.chat.type == "channel":
            data["sender_chat"] = state.chat.to_api()
        data["chat"] = state.chat.to_api()
        data["date"] = message.date
        if message.forward_origin is not None:
            data["forward_origin"] = dict(message.forward_origin)
        if not nested and message.reply_to is not None:
            target = state.messages.get(message.reply_to)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self._message_json(target, nested=True)
        if message.external_reply is not None:
            data["external_reply"] = copy.deepcopy(message.external_reply)
        if message.quote is not None:
            data["quote"] = dict(message.quote)
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        data.update(copy.deepcopy(message.content))
        if message.reply_markup is not None:
            data["reply_markup"] = copy.deepcopy(message.reply_markup)
        return data

    def _view(self, message: _Message) -> JsonDict:
        view = self._message_json(message)
        is_html = message.parse_mode is not None and message.parse_mode.lower() == "html"
        view["raw_text"] = message.raw_text
        view["parse_mode"] = message.parse_mode
        view["html"] = message.raw_text if is_html else None
        view["edit_history"] = copy.deepcopy(message.history)
        view["options"] = copy.deepcopy(message.options)
        view["deleted"] = message.deleted
        return view

    def _snapshot(self, message: _Message) -> None:
        snapshot: JsonDict = {"date": message.edit_date or message.date}
        key = message.body_key
        if key in message.content:
            snapshot[key] = message.content[key]
        entities_key = "entities" if key == "text" else "caption_entities"
        snapshot[entities_key] = copy.deepcopy(message.content.get(entities_key, []))
        snapshot["raw_text"] = message.raw_text
        snapshot["parse_mode"] = message.parse_mode
        snapshot["reply_markup"] = copy.deepcopy(message.reply_markup)
        message.history.append(snapshot)

    @staticmethod
    def _set_body(message: _Message, key: str, formatted: FormattedText) -> None:
        entities_key = "entities" if key == "text" else "caption_entities"
        message.content.pop(key, None)
        message.content.pop(entities_key, None)
        if formatted.text:
            message.content[key] = formatted.text
            if formatted.entities:
                message.content[entities_key] = copy.deepcopy(formatted.entities)

    def _bot_message_changed(self, message: _Message) -> None:
        self._notify()
        if self.on_bot_message is not None:
            try:
                self.on_bot_message(message.chat_id, self._view(message))
            except Exception:
                _LOGGER.exception("on_bot_message hook failed")

    # -- internals: parameter helpers -----------------------------------------------------------

    def _chat_param(self, params: _Params, name: str = "chat_id", *, read_only: bool = False) -> _ChatState:
        """The chat a parameter names, with the errors Telegram gives for chats that are gone.

        ``read_only`` marks what the Bot API server checks with read access only (``getChat``,
        ``getChatMember`` about the bot itself, ``leaveChat``, the chat copied or forwarded from,
        the chat of a reply): an upgraded or deleted basic group passes there. Everything else
        (sends, deletions, pins, chat actions, the member list, command scopes, and edits, whose
        answer from Telegram the server does not decide) gets, for a basic group upgraded to a
        supergroup, 400 ``Bad Request: group chat was upgraded to a supergroup chat`` with
        ``parameters.migrate_to_chat_id``, and for a deleted basic group 403 ``Forbidden: the group
        chat was deleted``. A deleted supergroup or channel is 400 ``Bad Request: chat not found``
        for every method.
        """
        value = params.get_str(name)
        if value is None or value == "":
            raise _bad_request(f"{name} is empty")
        if value.startswith("@"):
            wanted = value[1:].lower()
            state = next(
                (s for s in self._chats.values() if s.chat.username and s.chat.username.lower() == wanted), None
            )
        else:
            try:
                chat_id = int(value)
            except ValueError:
                raise _bad_request("chat not found") from None
            state = self._chats.get(chat_id)
            if state is None and chat_id in self._users and not self._users[chat_id].is_bot:
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if state is None or (state.deleted and state.chat.type != "group"):
            raise _bad_request("chat not found")
        if read_only or not state.inactive:
            return state
        if state.migrated_to is not None:
            raise _ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        raise _ApiError(403, "Forbidden: the group chat was deleted")

    def _accessible(self, state: _ChatState) -> _ChatState:
        """Raise the error Telegram gives when the bot cannot act in the chat."""
        chat = state.chat
        if chat.type == "private":
            if state.bot_status == "kicked":
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            if not state.private_started:
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return state
        if state.bot_status in ("member", "administrator"):
            return state
        if state.bot_was_removed:
            raise _ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        raise _ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat")

    def _writable(self, params: _Params) -> _ChatState:
        state = self._accessible(self._chat_param(params))
        if state.chat.type == "channel" and state.bot_status != "administrator":
            raise _bad_request("need administrator rights in the channel chat")
        return state

    def _check_rights(self, state: _ChatState, content: JsonDict) -> None:
        """Raise Telegram's error when a restricted bot may not send this kind of content."""
        error = missing_right(state.bot_rights, content)
        if error is not None:
            raise _bad_request(error)

    def _message_id_param(self, params: _Params, name: str = "message_id") -> int:
        message_id = params.get_int(name)
        if message_id is None:
            raise _bad_request(f"{name} is empty" if name != "message_id" else "message identifier is not specified")
        return message_id
