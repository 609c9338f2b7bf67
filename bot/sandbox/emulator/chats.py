"""Bot API methods on chats and their members: ``getChat``, ``getChatMember``, the administrators,
the member count, ``leaveChat``, pinning and chat actions."""

from __future__ import annotations

from bot.sandbox.emulator.base import _EmulatorBase
from bot.sandbox.emulator.params import _bad_request, _Params

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class _ChatsMixin(_EmulatorBase):
    """Chats, members, administrators, pins and chat actions as the bot sees them."""

    # -- API methods ----------------------------------------------------------------------------

    async def _send_chat_action(self, params: _Params) -> object:
        state = self._writable(params)
        action = params.get_str("action") or ""
        if action not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self.chat_actions.append((state.chat.id, action))
        self._notify()
        return True

    async def _get_chat(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params, read_only=True))
        info = state.chat.to_api() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if state.pinned is not None and not state.messages[state.pinned].deleted:
            info["pinned_message"] = self._message_json(state.messages[state.pinned])
        return info

    async def _get_chat_member(self, params: _Params) -> object:
        user_id = params.get_int("user_id")
        # The server reads the bot's own membership with read access, anyone else's as the member list.
        state = self._accessible(self._chat_param(params, read_only=user_id == self.bot.id))
        if user_id is None:
            raise _bad_request("user_id is empty")
        user = self._users.get(user_id)
        if user is None:
            raise _bad_request("user not found")
        return self._member_json(state, user)

    async def _get_chat_administrators(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params))
        if state.chat.type == "private":
            raise _bad_request("there are no administrators in the private chat")
        ids: list[int] = []
        if state.creator is not None:
            ids.append(state.creator)
        ids.extend(user_id for user_id in state.admins if user_id != state.creator)
        if state.bot_status == "administrator":
            ids.append(self.bot.id)
        return [self._member_json(state, self._users[user_id]) for user_id in ids]

    async def _get_chat_member_count(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params))
        if state.chat.type == "private":
            return 2
        return len(state.members) + (1 if self._bot_present(state) else 0)

    async def _leave_chat(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params, read_only=True))
        if state.chat.type == "private":
            raise _bad_request("chat member status can't be changed in private chats")
        if state.inactive:  # an upgraded or deleted basic group: TDLib refuses to leave it
            raise _bad_request("chat is deactivated")
        old = self._member_json(state, self.bot)
        state.bot_status = "left"
        state.bot_was_removed = False
        self._emit_my_chat_member(state, self.bot, old)
        return True

    async def _pin_chat_message(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params))
        message_id = self._message_id_param(params)
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request("message to pin not found")
        if state.chat.type != "private" and state.bot_status != "administrator":
            raise _bad_request("not enough rights to manage pinned messages in the chat")
        state.pinned = message_id
        if state.chat.type != "private":
            service = self._store_message(state, self.bot, {"pinned_message": self._message_json(message, nested=True)})
            self._bot_message_changed(service)
        self._notify()
        return True

    async def _unpin_chat_message(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params))
        if state.chat.type != "private" and state.bot_status != "administrator":
            raise _bad_request("not enough rights to manage pinned messages in the chat")
        message_id = params.get_int("message_id")
        if message_id is not None and message_id != state.pinned:
            raise _bad_request("message to unpin not found")
        state.pinned = None
        self._notify()
        return True
