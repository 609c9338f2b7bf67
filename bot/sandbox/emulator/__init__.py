"""A faithful, in-process emulator of the Telegram Bot API for tests and the sandbox.

:class:`BotApiEmulator` serves the Bot API over HTTP on ``127.0.0.1`` with tornado, inside the
*current* asyncio event loop, so a real python-telegram-bot ``Bot``/``Application`` and the test
that drives it can share one loop::

    async with BotApiEmulator() as emu:
        chat = emu.create_chat("Kembar Twins")
        alice = emu.create_user("Alice", language_code="en")
        app = Application.builder().token(emu.token).base_url(emu.base_url).build()
        ...
        emu.post(chat.id, alice.id, "/status")
        reply = await emu.wait_for_text(chat.id, "Status")

The server side reproduces the parts of Telegram's behaviour a bot depends on: per-chat message
ids shared by users and the bot, ``getUpdates`` with offset acknowledgement and long polling,
webhooks, HTML ``parse_mode`` with Telegram's own error messages, length limits, replies, edits,
copies, file uploads, callback queries, chat member rosters, bot commands per scope and language,
groups upgraded to supergroups, deleted groups, a restricted bot, anonymous administrators, raw
updates python-telegram-bot cannot parse, and the error responses (400/403/409/429...) with the
exact descriptions python-telegram-bot maps to its exceptions. Faults (429 flood waits, 5xx,
latency, dropped connections) can be injected per method or chat through
:attr:`BotApiEmulator.faults`.

The synchronous half of the API (``create_chat``, ``post``, ``press`` ...) plays the users; the
asynchronous ``wait_for*`` methods wait on state changes, never on fixed sleeps.

The package has one module per concern: ``state`` (value types and records), ``faults``,
``params`` (request parameters, replies and errors), ``server`` (HTTP handlers and lifecycle),
``base`` (the shared state and helpers), the Bot API method families ``messages``, ``files``,
``chats``, ``callbacks``, ``commands`` and ``updates``, ``users`` (the simulated users),
``groups`` (a group's upgrade to a supergroup, its deletion, the bot's restrictions in it),
``rights`` (what a restricted bot may send) and ``inspection`` (reading state and waiting).
:class:`BotApiEmulator` composes them.
"""

from __future__ import annotations

from bot.sandbox.emulator.callbacks import _CallbacksMixin
from bot.sandbox.emulator.chats import _ChatsMixin
from bot.sandbox.emulator.commands import _CommandsMixin
from bot.sandbox.emulator.faults import Fault, FaultInjector, FaultKind
from bot.sandbox.emulator.groups import _GroupsMixin
from bot.sandbox.emulator.inspection import _InspectionMixin
from bot.sandbox.emulator.messages import _MessagesMixin
from bot.sandbox.emulator.params import _Handler
from bot.sandbox.emulator.server import _ServerMixin
from bot.sandbox.emulator.state import GROUP_ANONYMOUS_BOT as GROUP_ANONYMOUS_BOT
from bot.sandbox.emulator.state import MAX_CALLBACK_ANSWER_LENGTH as MAX_CALLBACK_ANSWER_LENGTH
from bot.sandbox.emulator.state import MAX_CAPTION_LENGTH as MAX_CAPTION_LENGTH
from bot.sandbox.emulator.state import MAX_DOWNLOAD_SIZE as MAX_DOWNLOAD_SIZE
from bot.sandbox.emulator.state import MAX_TEXT_LENGTH as MAX_TEXT_LENGTH
from bot.sandbox.emulator.state import ApiCall, Chat, ChatType, User
from bot.sandbox.emulator.updates import _UpdatesMixin
from bot.sandbox.emulator.users import _UsersMixin
from bot.sandbox.html_check import JsonDict

__all__ = [
    "ApiCall",
    "BotApiEmulator",
    "Chat",
    "ChatType",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "JsonDict",
    "User",
]


class BotApiEmulator(
    _UsersMixin,
    _GroupsMixin,
    _InspectionMixin,
    _MessagesMixin,
    _ChatsMixin,
    _CallbacksMixin,
    _CommandsMixin,
    _UpdatesMixin,
    _ServerMixin,
):
    """An emulated Telegram Bot API server plus a Python API that plays the users.

    Point python-telegram-bot at it with ``base_url=emu.base_url`` (``f"{emu.root_url}/bot"``) and
    ``base_file_url=emu.base_file_url``.

    ``privacy_mode`` emulates BotFather's group privacy: when true, in groups where the bot is not
    an administrator it only receives commands, replies to its own messages and service messages.
    ``callback_query_ttl`` (seconds) makes unanswered callback queries expire like on Telegram;
    ``None`` disables expiry. ``seed`` makes fault sampling and generated ids reproducible.
    ``clock_offset`` (seconds, may be changed while running) sets Telegram's clock apart from this
    machine's: the HTTP ``Date`` header, message dates and webhook error dates all follow it.
    ``on_bot_message(chat_id, message)`` is called whenever the bot sends, edits or deletes a
    message (the message dictionary is the same as :meth:`sent` returns).
    """

    def _method_table(self) -> dict[str, _Handler]:
        return {
            "getMe": self._get_me,
            "logOut": self._log_out,
            "close": self._log_out,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "deleteMessage": self._delete_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "getFile": self._get_file,
            "sendChatAction": self._send_chat_action,
            "answerCallbackQuery": self._answer_callback_query,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "leaveChat": self._leave_chat,
            "pinChatMessage": self._pin_chat_message,
            "unpinChatMessage": self._unpin_chat_message,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyName": self._set_my_name,
            "getMyName": self._get_my_name,
            "setMyDescription": self._set_my_description,
            "getMyDescription": self._get_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "getMyShortDescription": self._get_my_short_description,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
        }
