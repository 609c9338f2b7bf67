"""Request parameters and replies: :class:`_Params` reads what the bot sent, a method answers
with a result, an :class:`_Ok` or an :class:`_ApiError`, and :func:`_json_error` and
:func:`_json_body` turn that into the JSON Telegram would reply."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import tornado.httputil

from bot.sandbox.html_check import JsonDict

# Keys whose form values are plain strings, never JSON (used to decode the call log).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "language_code",
        "description",
        "short_description",
        "name",
        "action",
        "file_id",
        "photo",
        "document",
        "ip_address",
        "title",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
    }
)


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad_request(message: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {message}")


@dataclass(frozen=True)
class _Ok:
    """A successful result carrying a description, like setWebhook's "Webhook was set"."""

    result: object
    description: str


@dataclass(frozen=True)
class _Upload:
    filename: str
    content_type: str
    body: bytes


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    drop: bool = False


class _Params:
    """Request parameters from the query string, a form, a multipart body or a JSON body."""

    def __init__(self, values: Mapping[str, object], files: Mapping[str, _Upload]) -> None:
        self._values = dict(values)
        self._files = dict(files)

    @classmethod
    def from_request(cls, request: tornado.httputil.HTTPServerRequest) -> _Params:
        values: dict[str, object] = {
            name: raw[-1].decode("utf-8", "replace") for name, raw in request.query_arguments.items()
        }
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                raise _bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise _bad_request("can't parse JSON object")
            values.update(body)
        else:
            for name, raw in request.body_arguments.items():
                values[name] = raw[-1].decode("utf-8", "replace")
        files = {
            name: _Upload(parts[-1].filename, parts[-1].content_type, parts[-1].body)
            for name, parts in request.files.items()
        }
        return cls(values, files)

    def has(self, name: str) -> bool:
        value = self._values.get(name)
        return value is not None and value != ""

    def get_str(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str) -> int | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise _bad_request(f"invalid {name} specified") from None

    def get_float(self, name: str) -> float | None:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        try:
            return float(str(value).strip())
        except ValueError:
            raise _bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self._values.get(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return value != 0
        return isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on")

    def get_json(self, name: str) -> object:
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad_request(f"can't parse {name} JSON object") from None
        return value

    def get_upload(self, name: str) -> _Upload | None:
        if name in self._files:
            return self._files[name]
        value = self._values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = self._files.get(value[len("attach://") :])
            if upload is None:
                raise _bad_request("wrong file identifier/HTTP URL specified")
            return upload
        return None

    def logged(self) -> JsonDict:
        """The parameters in a readable form for :attr:`BotApiEmulator.calls`."""
        result: JsonDict = {}
        for name, value in self._values.items():
            if isinstance(value, str) and name not in _STRING_PARAMS:
                try:
                    result[name] = json.loads(value)
                except ValueError:
                    result[name] = value
            else:
                result[name] = value
        for name, upload in self._files.items():
            result[name] = {"file_name": upload.filename, "mime_type": upload.content_type, "size": len(upload.body)}
        return result


_Handler = Callable[[_Params], Awaitable[object]]


def _json_body(payload: object) -> bytes:
    return json.dumps(payload).encode("utf-8")


def _json_error(error: _ApiError) -> _Reply:
    payload: JsonDict = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        payload["parameters"] = error.parameters
    return _Reply(error.code, _json_body(payload))
