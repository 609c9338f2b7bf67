"""Inline keyboards and callback queries: the checks on ``reply_markup`` and ``answerCallbackQuery``."""

from __future__ import annotations

import copy
import time

from bot.sandbox.emulator.base import _EmulatorBase
from bot.sandbox.emulator.params import _bad_request, _Params
from bot.sandbox.emulator.state import MAX_CALLBACK_ANSWER_LENGTH
from bot.sandbox.html_check import JsonDict

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class _CallbacksMixin(_EmulatorBase):
    """Inline keyboards in the bot's messages and the answers to callback queries."""

    # -- internals: inline keyboards ------------------------------------------------------------

    def _inline_markup(self, params: _Params) -> tuple[JsonDict | None, JsonDict | None]:
        """(inline keyboard kept in the message, any reply markup as sent)."""
        value = params.get_json("reply_markup")
        if value is None:
            return None, None
        if not isinstance(value, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in value:
            if not any(key in value for key in ("keyboard", "remove_keyboard", "force_reply")):
                raise _bad_request("can't parse reply keyboard markup JSON object")
            return None, value
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                self._check_button(button)
        if not any(rows):
            return None, value
        return {"inline_keyboard": copy.deepcopy([row for row in rows if row])}, value

    @staticmethod
    def _check_button(button: object) -> None:
        if not isinstance(button, dict):
            raise _bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
        if not isinstance(button.get("text"), str):
            raise _bad_request("can't parse inline keyboard button: Can't find field \"text\"")
        actions = [name for name in _BUTTON_ACTIONS if name in button]
        if not actions:
            raise _bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if "callback_data" in button and (not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64):
            raise _bad_request("BUTTON_DATA_INVALID")
        url = button.get("url")
        if "url" in button and (not isinstance(url, str) or not url.strip()):
            raise _bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")

    # -- API methods ----------------------------------------------------------------------------

    async def _answer_callback_query(self, params: _Params) -> object:
        query_id = params.get_str("callback_query_id") or ""
        query = self._queries.get(query_id)
        expired = (
            query is not None
            and self.callback_query_ttl is not None
            and time.monotonic() - query.created > self.callback_query_ttl
        )
        if query is None or query.answered or expired:
            raise _bad_request(_QUERY_TOO_OLD)
        text = params.get_str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": params.get_bool("show_alert"),
                "url": params.get_str("url"),
                "cache_time": params.get_int("cache_time") or 0,
                "data": query.data,
                "user_id": query.user_id,
                "chat_id": query.chat_id,
                "message_id": query.message_id,
            }
        )
        self._notify()
        return True
