"""What happens to a group as a whole: its upgrade to a supergroup, its deletion, and the
restrictions its administrators put on the bot."""

from __future__ import annotations

from bot.sandbox.emulator.base import _EmulatorBase
from bot.sandbox.emulator.rights import BOT_RIGHTS
from bot.sandbox.emulator.state import GROUP_ANONYMOUS_BOT, Chat, _ChatState


class _GroupsMixin(_EmulatorBase):
    """Upgrading a basic group to a supergroup, deleting a group, restricting the bot in one."""

    def migrate_to_supergroup(
        self, chat_id: int, *, new_chat_id: int | None = None, by_user_id: int | None = None
    ) -> int:
        """Upgrade a basic group to a supergroup the way Telegram does; returns the new chat's id.

        The supergroup gets a new id (by default the next free -100... id) and the group's title,
        members, administrators, creator and the bot's status and restrictions. The old group gets
        a service message with ``migrate_to_chat_id`` from ``by_user_id`` (by default the group's
        owner); the supergroup starts with message 1, a service message with
        ``migrate_from_chat_id`` sent, as on Telegram, by GroupAnonymousBot on behalf of the
        supergroup. Both reach the bot as ``message`` updates if it is in the group.

        Afterwards methods addressed to the old id answer 400 ``Bad Request: group chat was
        upgraded to a supergroup chat`` with ``parameters.migrate_to_chat_id`` (python-telegram-bot
        raises ``ChatMigrated``), except those the Bot API server runs with read access only
        (``getChat``, ``getChatMember`` about the bot itself, the chat copied or forwarded from,
        the chat of a reply), which still answer, and ``leaveChat``, which answers 400 ``Bad
        Request: chat is deactivated``. Users can only act in the new chat (the old one raises
        :class:`ValueError`).
        """
        old = self._group_state(chat_id)
        if old.chat.type != "group":
            raise ValueError("only a basic group (type='group') can be upgraded to a supergroup")
        actor = self._user(by_user_id) if by_user_id is not None else self._chat_owner(old)
        if new_chat_id is None:
            new_chat_id = self._new_supergroup_id()
        elif new_chat_id >= 0 or new_chat_id in self._chats:
            raise ValueError(f"new_chat_id {new_chat_id} must be a negative id no other chat has")
        chat = Chat(id=new_chat_id, type="supergroup", title=old.chat.title)
        new = _ChatState(
            chat=chat,
            members=list(old.members),
            admins=list(old.admins),
            creator=old.creator,
            bot_status=old.bot_status,
            bot_was_removed=old.bot_was_removed,
            bot_rights=dict(old.bot_rights) if old.bot_rights is not None else None,
        )
        self._chats[new_chat_id] = new
        old.migrated_to = new_chat_id
        self._service_message(old, actor, {"migrate_to_chat_id": new_chat_id})
        self._service_message(new, GROUP_ANONYMOUS_BOT, {"migrate_from_chat_id": chat_id}, sender_chat=chat)
        return new_chat_id

    def delete_chat(self, chat_id: int) -> None:
        """The group (or channel) is deleted; no update reaches the bot.

        Afterwards the Bot API answers as Telegram does: for a basic group 403 ``Forbidden: the
        group chat was deleted`` (but ``getChat``, ``getChatMember`` about the bot and the other
        read-only uses still answer, and ``leaveChat`` gives 400 ``Bad Request: chat is
        deactivated``, as for an upgraded group); for a supergroup or channel 400 ``Bad Request:
        chat not found`` to every method. Users can no longer act in it (:class:`ValueError`).
        """
        state = self._group_state(chat_id)
        state.deleted = True
        self._notify()

    def restrict_bot(
        self,
        chat_id: int,
        *,
        can_send_messages: bool = True,
        can_send_photos: bool = True,
        can_send_documents: bool = True,
        can_send_videos: bool = True,
        can_send_audios: bool = True,
        can_send_voice_notes: bool = True,
        can_send_video_notes: bool = True,
        can_send_other_messages: bool = True,
    ) -> None:
        """An administrator restricts what the bot may send in a group; all rights on lifts it.

        A send the bot lacks the right for answers 400 with TDLib's text (see
        :mod:`bot.sandbox.emulator.rights`): ``sendMessage`` ``Bad Request: not enough rights to
        send text messages to the chat``, ``sendPhoto`` ``... to send photos to the chat``,
        ``sendDocument`` ``... to send documents to the chat``; ``copyMessage`` and
        ``forwardMessage`` check the right for the content's kind (a sticker comes under
        ``can_send_other_messages``: ``... to send stickers to the chat``). In a supergroup
        ``getChatMember`` reports the bot as ``restricted`` with these rights and the bot gets a
        ``my_chat_member`` update; a basic group has no per-member restrictions (there they are the
        group's default permissions), so the bot stays a ``member`` and gets no update.
        """
        state = self._group_state(chat_id)
        if state.chat.type not in ("group", "supergroup"):
            raise ValueError("the bot can only be restricted in a group or supergroup")
        if not self._bot_present(state):
            raise ValueError("add the bot to the chat before restricting it")
        if state.bot_status == "administrator":
            raise ValueError("administrators cannot be restricted; demote the bot with set_admin(..., False) first")
        values = (
            can_send_messages,
            can_send_photos,
            can_send_documents,
            can_send_videos,
            can_send_audios,
            can_send_voice_notes,
            can_send_video_notes,
            can_send_other_messages,
        )
        self._set_bot_rights(state, None if all(values) else dict(zip(BOT_RIGHTS, values, strict=True)))

    def unrestrict_bot(self, chat_id: int) -> None:
        """Lift the bot's restrictions in a group (the same as :meth:`restrict_bot` with every right)."""
        self._set_bot_rights(self._group_state(chat_id), None)

    def _set_bot_rights(self, state: _ChatState, rights: dict[str, bool] | None) -> None:
        old = self._member_json(state, self.bot)
        state.bot_rights = rights
        if old != self._member_json(state, self.bot):
            self._emit_my_chat_member(state, self._chat_owner(state), old)
        else:
            self._notify()
