"""The bot's own profile: ``getMe``, ``logOut``/``close``, commands per scope and language, the
name, descriptions and the menu button (and the readers tests use to check them)."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, Literal

from bot.sandbox.emulator.base import _EmulatorBase
from bot.sandbox.emulator.params import _ApiError, _bad_request, _Params
from bot.sandbox.html_check import JsonDict

_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")


class _CommandsMixin(_EmulatorBase):
    """The bot's identity, commands, names, descriptions and menu button."""

    # -- reading state --------------------------------------------------------------------------

    def commands(self, language_code: str | None = None, scope: str | Mapping[str, Any] = "default") -> list[JsonDict]:
        """The commands set with ``setMyCommands`` for exactly this scope and language.

        ``scope`` is a scope type (``"default"``, ``"all_group_chats"`` ...) or a full
        ``BotCommandScope`` dictionary such as ``{"type": "chat", "chat_id": -100...}``.
        """
        scope_json: JsonDict = {"type": scope} if isinstance(scope, str) else dict(scope)
        try:
            key = self._command_key(scope_json, language_code or "")
        except _ApiError as error:
            raise ValueError(error.description) from None
        return [dict(command) for command in self._commands.get(key, [])]

    def profile(
        self, field_name: Literal["name", "description", "short_description"], language_code: str | None = None
    ) -> str:
        """The bot's name, description or short description for a language, as getMy* returns it."""
        return self._profile_value(field_name, language_code or "")

    def menu_button(self, chat_id: int | None = None) -> JsonDict:
        """The menu button for a private chat, or the default one."""
        if chat_id is not None:
            state = self._state(chat_id)
            if state.menu_button is not None:
                return dict(state.menu_button)
        return dict(self._default_menu_button)

    # -- API methods ----------------------------------------------------------------------------

    async def _get_me(self, params: _Params) -> object:
        return self.bot.to_api() | {
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _log_out(self, params: _Params) -> object:
        return True

    def _command_key(self, scope: JsonDict, language_code: str) -> tuple[str, int | None, int | None, str]:
        kind = scope.get("type")
        if kind not in _COMMAND_SCOPES:
            raise _bad_request("can't parse BotCommandScope: unsupported type specified")
        chat_id: int | None = None
        user_id: int | None = None
        if kind in ("chat", "chat_administrators", "chat_member"):
            if scope.get("chat_id") is None:
                raise _bad_request("can't parse BotCommandScope: Can't find field \"chat_id\"")
            chat_id = self._chat_param(_Params({"chat_id": scope["chat_id"]}, {})).chat.id
        if kind == "chat_member":
            raw_user = scope.get("user_id")
            if not isinstance(raw_user, int) or raw_user not in self._users:
                raise _bad_request("user not found")
            user_id = raw_user
        if language_code and not re.fullmatch(r"[a-z]{2}", language_code):
            raise _bad_request("invalid language code specified")
        return (str(kind), chat_id, user_id, language_code)

    def _command_key_param(self, params: _Params) -> tuple[str, int | None, int | None, str]:
        scope = params.get_json("scope")
        if scope is None:
            scope = {"type": "default"}
        if not isinstance(scope, dict):
            raise _bad_request("can't parse BotCommandScope JSON object")
        return self._command_key(scope, params.get_str("language_code") or "")

    async def _set_my_commands(self, params: _Params) -> object:
        raw = params.get_json("commands")
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raise _bad_request("can't parse commands JSON object")
        if len(raw) > 100:
            raise _bad_request("too many commands specified")
        commands: list[JsonDict] = []
        for item in raw:
            if not isinstance(item, dict):
                raise _bad_request("can't parse BotCommand: expected an Object")
            for name in ("command", "description"):
                if not isinstance(item.get(name), str):
                    raise _bad_request(f"can't parse BotCommand: Can't find field \"{name}\"")
            command = item["command"].removeprefix("/")
            description = item["description"].strip()
            if not _COMMAND_NAME.match(command):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not description:
                raise _bad_request("command description must be non-empty")
            if len(description) > 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            commands.append({"command": command, "description": description})
        key = self._command_key_param(params)
        if commands:
            self._commands[key] = commands
        else:
            self._commands.pop(key, None)
        self._notify()
        return True

    async def _get_my_commands(self, params: _Params) -> object:
        return copy.deepcopy(self._commands.get(self._command_key_param(params), []))

    async def _delete_my_commands(self, params: _Params) -> object:
        self._commands.pop(self._command_key_param(params), None)
        self._notify()
        return True

    def _set_profile(self, params: _Params, field_name: str, limit: int) -> object:
        value = params.get_str(field_name) or ""
        if len(value) > limit:
            raise _bad_request(f"bot {field_name.replace('_', ' ')} is too long")
        language_code = params.get_str("language_code") or ""
        if language_code and not re.fullmatch(r"[a-z]{2}", language_code):
            raise _bad_request("invalid language code specified")
        if value:
            self._profile[(field_name, language_code)] = value
        else:
            self._profile.pop((field_name, language_code), None)
        self._notify()
        return True

    def _get_profile(self, params: _Params, field_name: str) -> object:
        language_code = params.get_str("language_code") or ""
        return {field_name: self._profile_value(field_name, language_code)}

    def _profile_value(self, field_name: str, language_code: str) -> str:
        value = self._profile.get((field_name, language_code)) or self._profile.get((field_name, ""))
        if value is None and field_name == "name":
            return self.bot.first_name
        return value or ""

    async def _set_my_name(self, params: _Params) -> object:
        return self._set_profile(params, "name", 64)

    async def _get_my_name(self, params: _Params) -> object:
        return self._get_profile(params, "name")

    async def _set_my_description(self, params: _Params) -> object:
        return self._set_profile(params, "description", 512)

    async def _get_my_description(self, params: _Params) -> object:
        return self._get_profile(params, "description")

    async def _set_my_short_description(self, params: _Params) -> object:
        return self._set_profile(params, "short_description", 120)

    async def _get_my_short_description(self, params: _Params) -> object:
        return self._get_profile(params, "short_description")

    async def _set_chat_menu_button(self, params: _Params) -> object:
        button = params.get_json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
            raise _bad_request("can't parse menu button JSON object")
        if params.has("chat_id"):
            state = self._accessible(self._chat_param(params))
            if state.chat.type != "private":
                raise _bad_request("the menu button can be set only in private chats")
            state.menu_button = button
        else:
            self._default_menu_button = button if button["type"] != "default" else {"type": "commands"}
        self._notify()
        return True

    async def _get_chat_menu_button(self, params: _Params) -> object:
        if params.has("chat_id"):
            state = self._accessible(self._chat_param(params))
            if state.menu_button is not None:
                return dict(state.menu_button)
        return dict(self._default_menu_button)
