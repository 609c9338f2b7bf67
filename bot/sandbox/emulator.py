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
and the error responses (400/403/409/429...) with the exact descriptions python-telegram-bot maps to
its exceptions. Faults (429 flood waits, 5xx, latency, dropped connections) can be injected per
method or chat through :attr:`BotApiEmulator.faults`.

The synchronous half of the API (``create_chat``, ``post``, ``press`` ...) plays the users; the
asynchronous ``wait_for*`` methods wait on state changes, never on fixed sleeps.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import json
import logging
import math
import mimetypes
import random
import re
import socket
import struct
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeVar, cast, get_args
from urllib.parse import unquote, urlsplit

import httpx
import tornado.httpserver
import tornado.httputil
import tornado.iostream
import tornado.netutil
import tornado.web

from bot.sandbox.html_check import (
    EmptyTextError,
    EntitiesFieldError,
    EntityParseError,
    FormattedText,
    JsonDict,
    entities_from_param,
    entity_text,
    finalize,
    parse_html,
)

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

_LOGGER = logging.getLogger(__name__)
_T = TypeVar("_T")

ChatType = Literal["private", "group", "supergroup", "channel"]
FaultKind = Literal["429", "500", "502", "slow", "network_drop", "lost_response"]
_FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

# Update types delivered when allowed_updates is not specified (or is an empty list).
_ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_DEFAULT_UPDATE_TYPES = _ALL_UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

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
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
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

_BAD_GATEWAY_BODY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


# ------------------------------------------------------------------------------------------------
# Public value types
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """A Telegram user (or the bot itself) known to the emulator."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> JsonDict:
        """The Bot API ``User`` object."""
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class Chat:
    """A chat known to the emulator: a group, supergroup, channel or a private chat with a user."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def to_api(self) -> JsonDict:
        """The Bot API ``Chat`` object as embedded in messages."""
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or ""
            if self.last_name:
                data["last_name"] = self.last_name
        else:
            data["title"] = self.title or ""
        if self.username:
            data["username"] = self.username
        return data


class ApiCall(NamedTuple):
    """One request the bot made: canonical method name, decoded parameters, monotonic time, status."""

    method: str
    params: JsonDict
    time: float
    status: int


@dataclass
class Fault:
    """An injected failure; see :meth:`FaultInjector.add`."""

    kind: FaultKind
    method: str | None = None
    retry_after: int = 1
    delay: float = 0.5
    times: int | None = None
    share: float = 1.0
    chat_id: int | str | None = None
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        """Whether the fault already fired ``times`` times."""
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, chat_id: str | None) -> bool:
        """Whether a call of ``method`` for ``chat_id`` is subject to this fault."""
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == chat_id


class FaultInjector:
    """Injected failures, consulted on every API call (after token and method checks).

    Kinds: ``"429"`` (flood wait with ``retry_after``; the request is not executed), ``"500"`` and
    ``"502"`` (server errors; not executed; the 502 body is nginx's HTML page like Telegram's),
    ``"slow"`` (``delay`` seconds of latency before executing), ``"network_drop"`` (the connection
    is closed without a response and the request is not executed) and ``"lost_response"`` (the
    request *is* executed, then the connection is closed without a response).
    """

    def __init__(self, seed: int = 0) -> None:
        self._faults: list[Fault] = []
        self._random = random.Random(seed)

    def add(
        self,
        method: str | None = None,
        kind: FaultKind | int = "429",
        *,
        retry_after: int = 1,
        delay: float = 0.5,
        times: int | None = None,
        share: float = 1.0,
        chat_id: int | str | None = None,
    ) -> Fault:
        """Register a fault for ``method`` (case-insensitive; ``None`` means every method).

        ``times`` limits how often it fires (``None``: forever); ``share`` is the probability that a
        matching call is hit, drawn from a seeded generator so runs are reproducible; ``chat_id``
        restricts it to calls whose ``chat_id`` parameter matches.
        """
        kind_name = str(kind)
        if kind_name not in _FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(_FAULT_KINDS)}")
        if not 0.0 <= share <= 1.0:
            raise ValueError("share must be between 0 and 1")
        if times is not None and times < 0:
            raise ValueError("times must be non-negative")
        if retry_after < 1:
            raise ValueError("retry_after must be at least 1 second")
        if delay < 0:
            raise ValueError("delay must be non-negative")
        fault = Fault(
            kind=cast(FaultKind, kind_name),
            method=method,
            retry_after=retry_after,
            delay=delay,
            times=times,
            share=share,
            chat_id=chat_id,
        )
        self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Unregister one fault."""
        self._faults.remove(fault)

    def clear(self) -> None:
        """Unregister every fault."""
        self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def pick(self, method: str, chat_id: str | None) -> Fault | None:
        """The fault that fires for this call, if any (counts it as fired)."""
        for fault in self._faults:
            if fault.exhausted or not fault.matches(method, chat_id):
                continue
            if fault.share < 1.0 and self._random.random() >= fault.share:
                continue
            fault.fired += 1
            return fault
        return None


# ------------------------------------------------------------------------------------------------
# Internal state
# ------------------------------------------------------------------------------------------------


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


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: Literal["photo", "document"]
    data: bytes | None
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    source_url: str | None = None
    sizes: list[JsonDict] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0

    def document_json(self) -> JsonDict:
        data: JsonDict = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        if self.data is not None:
            data["file_size"] = self.size
        return data


@dataclass
class _Message:
    chat_id: int
    message_id: int
    date: int
    sender: User | None
    content: JsonDict
    reply_to: int | None = None
    external_reply: JsonDict | None = None
    quote: JsonDict | None = None
    forward_origin: JsonDict | None = None
    reply_markup: JsonDict | None = None
    edit_date: int | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    history: list[JsonDict] = field(default_factory=list)
    options: JsonDict = field(default_factory=dict)
    deleted: bool = False

    @property
    def is_service(self) -> bool:
        return not any(key in self.content for key in ("text", "photo", "document", "sticker"))

    @property
    def body_key(self) -> str:
        return "text" if "text" in self.content else "caption"


@dataclass
class _ChatState:
    chat: Chat
    members: list[int] = field(default_factory=list)
    admins: list[int] = field(default_factory=list)
    creator: int | None = None
    bot_status: Literal["member", "administrator", "left", "kicked"] = "member"
    bot_was_removed: bool = False
    private_started: bool = False
    messages: dict[int, _Message] = field(default_factory=dict)
    next_message_id: int = 1
    pinned: int | None = None
    menu_button: JsonDict | None = None


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None


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


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG image, or ``None`` if it is not one of those."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        position = 2
        while position + 9 < len(data):
            if data[position] != 0xFF:
                return None
            marker = data[position + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                position += 2
                continue
            (length,) = struct.unpack(">H", data[position + 2 : position + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[position + 5 : position + 9])
                return int(width), int(height)
            position += 2 + int(length)
    return None


# A 2x2 PNG used for photos posted by emulated users.
_SAMPLE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)


# ------------------------------------------------------------------------------------------------
# HTTP handlers
# ------------------------------------------------------------------------------------------------


class _ApiHandler(tornado.web.RequestHandler):
    """``/bot<token>/<method>``."""

    def initialize(self, emulator: BotApiEmulator) -> None:
        self._emulator = emulator

    async def get(self, token: str, method: str) -> None:
        await self._respond(token, method)

    async def post(self, token: str, method: str) -> None:
        await self._respond(token, method)

    async def _respond(self, token: str, method: str) -> None:
        try:
            params = _Params.from_request(self.request)
        except _ApiError as error:
            reply = _json_error(error)
        else:
            try:
                reply = await self._emulator._serve(token, method, params)
            except Exception as exc:  # a bug in the emulator: report it instead of hiding it
                _LOGGER.exception("Bot API emulator failed to handle %s", method)
                reply = _json_error(_ApiError(500, f"Internal Server Error: emulator failure: {exc!r}"))
        if reply.drop:
            with contextlib.suppress(Exception):
                self.detach().close()
            return
        self.set_status(reply.status)
        self.set_header("Content-Type", reply.content_type)
        # If the client went away meanwhile (it timed out or was cancelled) the request still took
        # effect, as on Telegram's side; writing the answer then fails quietly.
        with contextlib.suppress(tornado.iostream.StreamClosedError):
            await self.finish(reply.body)


class _FileHandler(tornado.web.RequestHandler):
    """``/file/bot<token>/<file_path>``."""

    def initialize(self, emulator: BotApiEmulator) -> None:
        self._emulator = emulator

    def get(self, token: str, path: str) -> None:
        data = self._emulator._download(token, unquote(path))
        if data is None:
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            self.finish(_json_body({"ok": False, "error_code": 404, "description": "Not Found"}))
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(data)


class _NotFoundHandler(tornado.web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(_json_body({"ok": False, "error_code": 404, "description": "Not Found"}))


def _json_body(payload: object) -> bytes:
    return json.dumps(payload).encode("utf-8")


def _json_error(error: _ApiError) -> _Reply:
    payload: JsonDict = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        payload["parameters"] = error.parameters
    return _Reply(error.code, _json_body(payload))


# ------------------------------------------------------------------------------------------------
# The emulator
# ------------------------------------------------------------------------------------------------


class BotApiEmulator:
    """An emulated Telegram Bot API server plus a Python API that plays the users.

    Point python-telegram-bot at it with ``base_url=emu.base_url`` (``f"{emu.root_url}/bot"``) and
    ``base_file_url=emu.base_file_url``.

    ``privacy_mode`` emulates BotFather's group privacy: when true, in groups where the bot is not
    an administrator it only receives commands, replies to its own messages and service messages.
    ``callback_query_ttl`` (seconds) makes unanswered callback queries expire like on Telegram;
    ``None`` disables expiry. ``seed`` makes fault sampling and generated ids reproducible.
    ``on_bot_message(chat_id, message)`` is called whenever the bot sends, edits or deletes a
    message (the message dictionary is the same as :meth:`sent` returns).
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
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.bot = User(id=int(bot_id), first_name=bot_name, username=bot_username, is_bot=True)
        self.privacy_mode = privacy_mode
        self.callback_query_ttl = callback_query_ttl
        self.on_bot_message = on_bot_message
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

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start serving in the running event loop."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/([A-Za-z0-9_]*)", _ApiHandler, {"emulator": self}),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"emulator": self}),
            ],
            default_handler_class=_NotFoundHandler,
            log_function=_log_request,
        )
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sockets = tornado.netutil.bind_sockets(self._port, self._host, family=family)
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        self._server = server
        self._bound_port = int(sockets[0].getsockname()[1])
        self._closing = False
        self._changed = asyncio.Event()
        _LOGGER.debug("Bot API emulator listening on %s", self.root_url)

    async def stop(self) -> None:
        """Release long polls, stop webhook delivery and close the server."""
        if self._server is None:
            return
        self._closing = True
        self._notify()
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        server, self._server = self._server, None
        server.stop()
        await asyncio.sleep(0)  # let released long polls answer before connections are closed
        await server.close_all_connections()

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._bound_port is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._bound_port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The ``base_url`` for python-telegram-bot: ``f"{root_url}/bot"``."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """The ``base_file_url`` for python-telegram-bot: ``f"{root_url}/file/bot"``."""
        return f"{self.root_url}/file/bot"

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
                chat_id = -1_001_000_000_000 - self._next_supergroup
                self._next_supergroup += 1
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
    ) -> JsonDict:
        """A user sends a message; returns it as stored (the bot gets a ``message`` update).

        Entities are detected like Telegram does (``/command`` and ``/command@kembar_bot`` get a
        ``bot_command`` entity, mentions, hashtags, URLs...). ``entities`` adds client formatting
        (bold etc.) to the text or caption. ``chat_id`` equal to ``user_id`` is the user's private
        chat with the bot, created on first use.
        """
        user = self._user(user_id)
        if chat_id == user_id:
            state = self._private_state(user_id, create=True)
            if state.bot_status == "kicked":
                raise ValueError(f"user {user_id} has blocked the bot; call unblock_bot() first")
            state.private_started = True
        else:
            state = self._state(chat_id)
            if state.chat.type == "private":
                raise ValueError("only the owner of a private chat can post in it")
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
        message = self._store_message(state, None if state.chat.type == "channel" else user, content, reply_to=reply_to)
        if date is not None:  # a message sent earlier (e.g. to test edit windows)
            message.date = date
        if self._bot_receives(state, message):
            kind = "channel_post" if state.chat.type == "channel" else "message"
            self._emit(kind, self._message_json(message))
        return self._view(message)

    def edit(self, chat_id: int, message_id: int, new_text: str) -> JsonDict:
        """A user edits their message (text, or caption of a media message): ``edited_message``."""
        state = self._state(chat_id)
        message = self._existing(state, message_id)
        if message.sender is not None and message.sender.id == self.bot.id:
            raise ValueError("the bot's messages are edited through the Bot API, not edit()")
        if message.is_service:
            raise ValueError("service messages cannot be edited")
        key = message.body_key
        formatted = self._user_text(new_text, None, allow_empty=key == "caption")
        self._snapshot(message)
        self._set_body(message, key, formatted)
        message.edit_date = int(time.time())
        self._notify()
        if self._bot_receives(state, message):
            kind = "edited_channel_post" if state.chat.type == "channel" else "edited_message"
            self._emit(kind, self._message_json(message))
        return self._view(message)

    def press(self, chat_id: int, message_id: int, user_id: int, data: str) -> str:
        """A user presses the inline button carrying ``data``; returns the callback query id."""
        state = self._state(chat_id)
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

    # -- reading state --------------------------------------------------------------------------

    def sent(self, chat_id: int, *, include_deleted: bool = False) -> list[JsonDict]:
        """Messages the bot sent to a chat, in order, in their current state (after edits)."""
        state = self._state(chat_id)
        return [
            self._view(message)
            for message in state.messages.values()
            if message.sender is not None
            and message.sender.id == self.bot.id
            and not message.is_service
            and (include_deleted or not message.deleted)
        ]

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[JsonDict]:
        """Every message in a chat (users', the bot's and service messages), in order."""
        state = self._state(chat_id)
        return [self._view(message) for message in state.messages.values() if include_deleted or not message.deleted]

    def message(self, chat_id: int, message_id: int) -> JsonDict:
        """One message by id (also if deleted; see its ``deleted`` key)."""
        state = self._state(chat_id)
        if message_id not in state.messages:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return self._view(state.messages[message_id])

    def pinned(self, chat_id: int) -> JsonDict | None:
        """The pinned message of a chat, if any."""
        state = self._state(chat_id)
        return self._view(state.messages[state.pinned]) if state.pinned is not None else None

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

    def callback_answer(self, query_id: str) -> JsonDict | None:
        """The bot's answer to a callback query, if it answered."""
        return next((a for a in self.callback_answers if a["callback_query_id"] == query_id), None)

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet acknowledged by the bot (oldest first)."""
        return copy.deepcopy(self._pending)

    @property
    def active_polls(self) -> int:
        """How many ``getUpdates`` requests are currently being served (long polling)."""
        return self._active_polls

    @property
    def webhook_url(self) -> str:
        """The webhook URL, ``""`` when polling."""
        return self._webhook.url if self._webhook is not None else ""

    def calls_to(self, method: str) -> list[ApiCall]:
        """The logged calls of one method (case-insensitive)."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def summary(self, *, limit: int = 5) -> str:
        """A human-readable account of what the bot did, for assertion messages."""
        lines: list[str] = []
        for state in self._chats.values():
            sent = [
                m
                for m in state.messages.values()
                if m.sender is not None and m.sender.id == self.bot.id and not m.is_service
            ]
            name = state.chat.title or state.chat.first_name or str(state.chat.id)
            lines.append(f"chat {state.chat.id} ({name}): bot sent {len(sent)} message(s)")
            for message in sent[-limit:]:
                media = "<photo>" if "photo" in message.content else "<document>"
                body = str(message.content.get(message.body_key, media))
                flag = " [deleted]" if message.deleted else ""
                shown = body if len(body) <= 120 else body[:117] + "..."
                lines.append(f"  #{message.message_id}{flag}: {shown!r}")
        failures = [call for call in self.calls if call.status != 200]
        if failures:
            lines.append(f"{len(failures)} failed API call(s), latest:")
            lines.extend(f"  {call.method} -> {call.status}" for call in failures[-limit:])
        lines.append(f"{len(self._pending)} pending update(s); {len(self.calls)} API call(s) in total")
        return "\n".join(lines)

    # -- waiting --------------------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], _T | None],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        poll_interval: float | None = 0.1,
        message: str | None = None,
    ) -> _T:
        """Wait until ``predicate()`` returns something other than ``None``/``False``; return it.

        The predicate is re-evaluated on every emulator state change; ``poll_interval`` also
        re-evaluates it periodically, for conditions on state outside the emulator (a database
        the bot writes to, say); ``None`` disables that. Raises :class:`TimeoutError` with
        ``message`` and a :meth:`summary` of what the bot did.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = message or f"condition {getattr(predicate, '__qualname__', predicate)!r}"
                raise TimeoutError(f"{what} not met within {timeout:g}s\n{self.summary()}")
            wait = remaining if poll_interval is None else min(remaining, poll_interval)
            await self._wait_change(wait)

    async def wait_for_sent(self, chat_id: int, count: int = 1, timeout: float = 5.0) -> list[JsonDict]:  # noqa: ASYNC109
        """Wait until the bot has sent at least ``count`` (non-deleted) messages to the chat."""
        self._state(chat_id)

        def check() -> list[JsonDict] | None:
            sent = self.sent(chat_id)
            return sent if len(sent) >= count else None

        return await self.wait_for(check, timeout, message=f"the bot sending {count} message(s) to chat {chat_id}")

    async def wait_for_text(
        self,
        chat_id: int,
        substring: str,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        since: int | None = None,
    ) -> JsonDict:
        """Wait for a bot message in the chat whose text or caption contains ``substring``.

        Returns the most recent match; ``since`` only considers messages with a greater id.
        """
        self._state(chat_id)

        def check() -> JsonDict | None:
            for message in reversed(self.sent(chat_id)):
                if since is not None and message["message_id"] <= since:
                    continue
                if substring in str(message.get("text", message.get("caption", ""))):
                    return message
            return None

        return await self.wait_for(check, timeout, message=f"a bot message containing {substring!r} in chat {chat_id}")

    async def wait_for_callback_answer(self, query_id: str, timeout: float = 5.0) -> JsonDict:  # noqa: ASYNC109
        """Wait until the bot answers the callback query."""
        return await self.wait_for(
            lambda: self.callback_answer(query_id), timeout, message=f"an answer to callback query {query_id}"
        )

    async def wait_until_delivered(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot acknowledged every pending update (it polled past them)."""
        await self.wait_for(lambda: not self._pending, timeout, message="the bot acknowledging all updates")

    # -- internals: state helpers ---------------------------------------------------------------

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

    def _group_state(self, chat_id: int) -> _ChatState:
        state = self._state(chat_id)
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
    ) -> _Message:
        message = _Message(
            chat_id=state.chat.id,
            message_id=state.next_message_id,
            date=int(time.time()),
            sender=sender,
            content=content,
            reply_to=reply_to,
        )
        state.next_message_id += 1
        state.messages[message.message_id] = message
        self._notify()
        return message

    def _service_message(self, state: _ChatState, actor: User, content: JsonDict) -> None:
        message = self._store_message(state, actor, content)
        if self._bot_present(state):
            self._emit("message", self._message_json(message))

    def _member_json(self, state: _ChatState, user: User) -> JsonDict:
        if user.id == self.bot.id:
            status: str = state.bot_status
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
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def _emit_my_chat_member(self, state: _ChatState, actor: User, old: JsonDict) -> None:
        self._emit(
            "my_chat_member",
            {
                "chat": state.chat.to_api(),
                "from": actor.to_api(),
                "date": int(time.time()),
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
                "date": int(time.time()),
                "old_chat_member": old,
                "new_chat_member": self._member_json(state, user),
            },
        )

    def _emit(self, kind: str, payload: JsonDict) -> None:
        if kind not in self._allowed:
            self._notify()
            return
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._pending.append(update)
        self._notify()

    def _message_json(self, message: _Message, *, nested: bool = False) -> JsonDict:
        state = self._chats[message.chat_id]
        data: JsonDict = {"message_id": message.message_id}
        if message.sender is not None:
            data["from"] = message.sender.to_api()
        elif state.chat.type == "channel":
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

    # -- internals: files -----------------------------------------------------------------------

    def _new_file_ids(self, kind: str) -> tuple[str, str]:
        self._file_counter += 1
        token = base64.urlsafe_b64encode(self._ids.randbytes(24)).decode().rstrip("=")
        unique = base64.urlsafe_b64encode(self._ids.randbytes(9)).decode().rstrip("=")
        prefix = "AgACAgIAAxkBAA" if kind == "photo" else "BQACAgIAAxkBAA"
        return f"{prefix}{self._file_counter}{token}", f"AQAD{self._file_counter}{unique}"

    def _store_file(
        self,
        kind: Literal["photo", "document"],
        data: bytes | None,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        source_url: str | None = None,
    ) -> _StoredFile:
        file_id, unique_id = self._new_file_ids(kind)
        folder = "photos" if kind == "photo" else "documents"
        extension = ""
        if kind == "photo":
            extension = ".jpg"
        elif file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        stored = _StoredFile(
            file_id=file_id,
            file_unique_id=unique_id,
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{self._file_counter}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            source_url=source_url,
        )
        if kind == "photo":
            size = _image_size(data) if data is not None else (512, 512)
            if size is None:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if width <= 0 or height <= 0 or width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise _bad_request("PHOTO_INVALID_DIMENSIONS")
            stored.width, stored.height = width, height
            stored.sizes = self._photo_sizes(stored)
            for size_json in stored.sizes:
                self._files[size_json["file_id"]] = stored
        self._files[file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _photo_sizes(self, stored: _StoredFile) -> list[JsonDict]:
        longest = max(stored.width, stored.height)
        sizes: list[JsonDict] = []
        for limit in (90, 320, 800, 1280):
            scale = min(1.0, limit / longest)
            width = max(1, round(stored.width * scale))
            height = max(1, round(stored.height * scale))
            is_full = scale >= 1.0 or limit == 1280
            if is_full:
                file_id, unique_id = stored.file_id, stored.file_unique_id
            else:
                file_id, unique_id = self._new_file_ids("photo")
            area = (width * height) / max(1, stored.width * stored.height)
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": height,
                    "file_size": max(1, math.ceil(stored.size * area)) if stored.data is not None else 0,
                }
            )
            if is_full:
                break
        return sizes

    def _input_file(self, params: _Params, name: Literal["photo", "document"]) -> _StoredFile:
        upload = params.get_upload(name)
        if upload is not None:
            if not upload.body:
                raise _bad_request("file must be non-empty")
            if name == "photo":
                return self._store_file("photo", upload.body)
            mime_type = upload.content_type
            if not mime_type or mime_type == "application/octet-stream":
                mime_type = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
            return self._store_file("document", upload.body, file_name=upload.filename, mime_type=mime_type)
        value = params.get_str(name)
        if not value:
            raise _bad_request(f"there is no {name} in the request")
        if value.startswith(("http://", "https://")):
            file_name = urlsplit(value).path.rsplit("/", 1)[-1] or None
            guessed = mimetypes.guess_type(file_name or "")[0] if name == "document" else None
            return self._store_file(name, None, file_name=file_name, mime_type=guessed, source_url=value)
        stored = self._files.get(value)
        if stored is None:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != name:
            raise _bad_request(f"can't use file of type {stored.kind.capitalize()} as {name.capitalize()}")
        return stored

    def _download(self, token: str, path: str) -> bytes | None:
        if token != self.token:
            return None
        stored = self._file_paths.get(path)
        return stored.data if stored is not None else None

    # -- internals: request handling ------------------------------------------------------------

    async def _serve(self, token: str, method_name: str, params: _Params) -> _Reply:
        if token != self.token:
            return _json_error(_ApiError(401, "Unauthorized"))
        entry = self._methods.get(method_name.lower())
        if entry is None:
            return _json_error(_ApiError(404, "Not Found"))
        method, handler = entry
        chat_id = params.get_str("chat_id")
        fault = self.faults.pick(method, chat_id)
        if fault is not None:
            early = await self._apply_fault(fault, method, params)
            if early is not None:
                return early
        try:
            result = await handler(params)
        except _ApiError as error:
            reply = _json_error(error)
        else:
            payload: JsonDict = {"ok": True}
            if isinstance(result, _Ok):
                payload["result"] = result.result
                payload["description"] = result.description
            else:
                payload["result"] = result
            reply = _Reply(200, _json_body(payload))
        self._log_call(method, params, reply.status)
        if fault is not None and fault.kind == "lost_response":
            return _Reply(reply.status, reply.body, drop=True)
        return reply

    async def _apply_fault(self, fault: Fault, method: str, params: _Params) -> _Reply | None:
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
            return None
        if fault.kind == "lost_response":
            return None
        if fault.kind == "429":
            reply = _json_error(
                _ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
            )
        elif fault.kind == "500":
            reply = _json_error(_ApiError(500, "Internal Server Error"))
        elif fault.kind == "502":
            reply = _Reply(502, _BAD_GATEWAY_BODY, content_type="text/html")
        else:  # network_drop
            reply = _Reply(0, b"", drop=True)
        self._log_call(method, params, reply.status)
        return reply

    def _log_call(self, method: str, params: _Params, status: int) -> None:
        self.calls.append(ApiCall(method, params.logged(), time.monotonic(), status))
        self._notify()

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

    # -- internals: parameter helpers -----------------------------------------------------------

    def _chat_param(self, params: _Params, name: str = "chat_id") -> _ChatState:
        value = params.get_str(name)
        if value is None or value == "":
            raise _bad_request(f"{name} is empty")
        if value.startswith("@"):
            wanted = value[1:].lower()
            for candidate in self._chats.values():
                if candidate.chat.username and candidate.chat.username.lower() == wanted:
                    return candidate
            raise _bad_request("chat not found")
        try:
            chat_id = int(value)
        except ValueError:
            raise _bad_request("chat not found") from None
        state = self._chats.get(chat_id)
        if state is None:
            if chat_id in self._users and not self._users[chat_id].is_bot:
                raise _ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise _bad_request("chat not found")
        return state

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

    def _message_id_param(self, params: _Params, name: str = "message_id") -> int:
        message_id = params.get_int(name)
        if message_id is None:
            raise _bad_request(f"{name} is empty" if name != "message_id" else "message identifier is not specified")
        return message_id

    def _formatted(
        self, params: _Params, text_name: str, entities_name: str, *, allow_empty: bool
    ) -> tuple[FormattedText, str | None, str | None]:
        """Parse a text/caption parameter; returns (formatted, raw text, parse_mode)."""
        raw = params.get_str(text_name)
        if raw is None:
            raw = ""
        parse_mode = params.get_str("parse_mode") or None
        try:
            if params.has(entities_name):
                explicit = entities_from_param(params.get_json(entities_name), raw, resolve_user=self._resolve_user)
                formatted = finalize(raw, explicit, allow_empty=allow_empty)
            elif parse_mode is not None:
                mode = parse_mode.lower()
                if mode == "html":
                    parsed = parse_html(raw, resolve_user=self._resolve_user)
                    formatted = finalize(parsed.text, parsed.entities, allow_empty=allow_empty)
                elif mode in ("markdown", "markdownv2"):
                    # Markdown dialects are accepted but not parsed: the text is stored verbatim.
                    formatted = finalize(raw, [], allow_empty=allow_empty)
                else:
                    raise _bad_request("unsupported parse_mode")
            else:
                formatted = finalize(raw, [], allow_empty=allow_empty)
        except EntityParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from None
        except EntitiesFieldError as error:
            raise _bad_request(str(error)) from None
        except EmptyTextError:
            raise _bad_request("message text is empty") from None
        return formatted, (raw or None), parse_mode

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

    def _reply_target(self, state: _ChatState, params: _Params) -> tuple[int | None, JsonDict | None, JsonDict | None]:
        """(reply_to message id in this chat, external_reply, quote) from reply parameters."""
        raw = params.get_json("reply_parameters")
        if raw is None:
            legacy = params.get_int("reply_to_message_id")
            if legacy is None:
                return None, None, None
            raw = {
                "message_id": legacy,
                "allow_sending_without_reply": params.get_bool("allow_sending_without_reply"),
            }
        if not isinstance(raw, dict):
            raise _bad_request("can't parse reply parameters JSON object")
        message_id = raw.get("message_id")
        if isinstance(message_id, str) and message_id.lstrip("-").isdigit():
            message_id = int(message_id)
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise _bad_request('can\'t parse ReplyParameters: Field "message_id" must be of type Number')
        target_state = state
        if raw.get("chat_id") is not None and str(raw["chat_id"]) != str(state.chat.id):
            target_state = self._accessible(self._chat_param(_Params({"chat_id": raw["chat_id"]}, {})))
        target = target_state.messages.get(message_id)
        if target is None or target.deleted:
            if raw.get("allow_sending_without_reply") in (True, "true", 1):
                return None, None, None
            raise _bad_request("message to be replied not found")
        quote: JsonDict | None = None
        quote_text = raw.get("quote")
        if isinstance(quote_text, str) and quote_text:
            body = str(target.content.get(target.body_key, ""))
            position = raw.get("quote_position")
            start = body.find(quote_text, position if isinstance(position, int) else 0)
            if start < 0:
                raise _bad_request("QUOTE_TEXT_INVALID")
            quote = {"text": quote_text, "position": start, "is_manual": True}
        if target_state is state:
            return message_id, None, quote
        external: JsonDict = {
            "origin": self._origin(target),
            "chat": target_state.chat.to_api(),
            "message_id": message_id,
        }
        for key in ("photo", "document"):
            if key in target.content:
                external[key] = copy.deepcopy(target.content[key])
        return None, external, quote

    def _origin(self, message: _Message) -> JsonDict:
        state = self._chats[message.chat_id]
        if message.sender is None:
            return {
                "type": "channel",
                "date": message.date,
                "chat": state.chat.to_api(),
                "message_id": message.message_id,
            }
        return {"type": "user", "date": message.date, "sender_user": message.sender.to_api()}

    def _options(self, params: _Params, raw_markup: JsonDict | None) -> JsonDict:
        options: JsonDict = {}
        for name in ("disable_notification", "protect_content", "allow_paid_broadcast"):
            if params.has(name):
                options[name] = params.get_bool(name)
        for name in ("link_preview_options", "message_thread_id", "message_effect_id"):
            if params.has(name):
                options[name] = params.get_json(name) if name != "message_effect_id" else params.get_str(name)
        if raw_markup is not None:
            options["reply_markup"] = raw_markup
        return options

    def _send(
        self,
        state: _ChatState,
        params: _Params,
        content: JsonDict,
        *,
        raw_text: str | None,
        parse_mode: str | None,
    ) -> _Message:
        reply_to, external, quote = self._reply_target(state, params)
        markup, raw_markup = self._inline_markup(params)
        message = self._store_message(state, self.bot, content, reply_to=reply_to)
        message.external_reply = external
        message.quote = quote
        message.reply_markup = markup
        message.raw_text = raw_text
        message.parse_mode = parse_mode
        message.options = self._options(params, raw_markup)
        self._bot_message_changed(message)
        return message

    def _own_message(self, params: _Params, *, action: str) -> tuple[_ChatState, _Message]:
        if params.has("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        state = self._accessible(self._chat_param(params))
        message_id = self._message_id_param(params)
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request(f"message to {action} not found")
        if message.sender is None or message.sender.id != self.bot.id:
            raise _bad_request(f"message can't be {action}ed")
        return state, message

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

    async def _get_updates(self, params: _Params) -> object:
        if self._webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset") or 0
        limit = params.get_int("limit")
        limit = 100 if limit is None else min(100, max(1, limit))
        timeout = max(0.0, params.get_float("timeout") or 0.0)
        self._set_allowed(params.get_json("allowed_updates"))
        self._poll_generation += 1
        generation = self._poll_generation
        self._acknowledge(offset)
        self._notify()  # wakes an older poll, which then ends with 409 Conflict
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._active_polls += 1
        self._notify()
        try:
            while not self._pending and not self._closing:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                await self._wait_change(remaining)
                if generation != self._poll_generation:
                    raise _ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                if self._webhook is not None:
                    break
        finally:
            self._active_polls -= 1
            self._notify()
        return copy.deepcopy(self._pending[:limit])

    def _set_allowed(self, value: object) -> None:
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise _bad_request("can't parse allowed updates JSON object")
        self._allowed = frozenset(value) & _ALL_UPDATE_TYPES if value else _DEFAULT_UPDATE_TYPES

    def _acknowledge(self, offset: int) -> None:
        if offset > 0:
            self._pending = [update for update in self._pending if update["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    async def _set_webhook(self, params: _Params) -> object:
        url = params.get_str("url") or ""
        if params.get_bool("drop_pending_updates"):
            self._pending.clear()
        if not url:
            return await self._remove_webhook()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if parts.hostname not in _LOOPBACK_HOSTS:
            raise _bad_request("bad webhook: the emulator only delivers webhooks to loopback addresses")
        secret = params.get_str("secret_token")
        if secret is not None and secret != "" and not _SECRET_TOKEN.match(secret):
            raise _bad_request("secret token contains unallowed characters")
        max_connections = params.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise _bad_request("invalid max_connections specified")
        self._set_allowed(params.get_json("allowed_updates"))
        unchanged = self._webhook is not None and self._webhook.url == url
        self._webhook = _Webhook(
            url=url,
            secret_token=secret or None,
            max_connections=max_connections,
            ip_address=params.get_str("ip_address") or None,
        )
        if self._webhook_task is not None:
            self._webhook_task.cancel()
        self._webhook_task = asyncio.create_task(self._deliver_webhooks(self._webhook), name="BotApiEmulator:webhook")
        self._poll_generation += 1
        self._notify()
        return _Ok(True, "Webhook is already set" if unchanged else "Webhook was set")

    async def _delete_webhook(self, params: _Params) -> object:
        if params.get_bool("drop_pending_updates"):
            self._pending.clear()
        return await self._remove_webhook()

    async def _remove_webhook(self) -> _Ok:
        if self._webhook is None:
            return _Ok(True, "Webhook is already deleted")
        self._webhook = None
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
        self._notify()
        return _Ok(True, "Webhook was deleted")

    async def _get_webhook_info(self, params: _Params) -> object:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        hook = self._webhook
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            if self._allowed != _DEFAULT_UPDATE_TYPES:
                info["allowed_updates"] = sorted(self._allowed)
        return info

    async def _deliver_webhooks(self, hook: _Webhook) -> None:
        backoff = 0.05
        async with httpx.AsyncClient(timeout=10.0) as client:
            while self._webhook is hook and not self._closing:
                if not self._pending:
                    await self._wait_change(None)
                    continue
                update = self._pending[0]
                headers = {"Content-Type": "application/json"}
                if hook.secret_token:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
                error: str | None = None
                try:
                    response = await client.post(hook.url, content=_json_body(update), headers=headers)
                except httpx.HTTPError as exc:
                    error = f"Connection failed: {exc.__class__.__name__}"
                else:
                    if not 200 <= response.status_code < 300:
                        error = f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
                if self._webhook is not hook:
                    return
                if error is None:
                    self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]
                    backoff = 0.05
                    self._notify()
                    continue
                hook.last_error_date = int(time.time())
                hook.last_error_message = error
                self._notify()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def _send_message(self, params: _Params) -> object:
        state = self._writable(params)
        if not params.has("text"):
            raise _bad_request("message text is empty")
        formatted, raw, parse_mode = self._formatted(params, "text", "entities", allow_empty=False)
        if len(formatted.text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        content: JsonDict = {"text": formatted.text}
        if formatted.entities:
            content["entities"] = formatted.entities
        link_preview = params.get_json("link_preview_options")
        if isinstance(link_preview, dict) and link_preview:
            content["link_preview_options"] = link_preview
        message = self._send(state, params, content, raw_text=raw, parse_mode=parse_mode)
        return self._message_json(message)

    async def _send_media(self, params: _Params, kind: Literal["photo", "document"]) -> object:
        state = self._writable(params)
        formatted, raw, parse_mode = self._formatted(params, "caption", "caption_entities", allow_empty=True)
        if len(formatted.text) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        stored = self._input_file(params, kind)
        content: JsonDict = {}
        if kind == "photo":
            content["photo"] = [dict(size) for size in stored.sizes]
            if params.get_bool("has_spoiler"):
                content["has_media_spoiler"] = True
            if params.get_bool("show_caption_above_media"):
                content["show_caption_above_media"] = True
        else:
            content["document"] = stored.document_json()
        if formatted.text:
            content["caption"] = formatted.text
            if formatted.entities:
                content["caption_entities"] = formatted.entities
        message = self._send(state, params, content, raw_text=raw, parse_mode=parse_mode)
        return self._message_json(message)

    async def _send_photo(self, params: _Params) -> object:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: _Params) -> object:
        return await self._send_media(params, "document")

    async def _get_file(self, params: _Params) -> object:
        file_id = params.get_str("file_id")
        stored = self._files.get(file_id or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            raise _bad_request("file is too big")
        size = next((s for s in stored.sizes if s["file_id"] == file_id), None)
        unique_id = size["file_unique_id"] if size is not None else stored.file_unique_id
        result: JsonDict = {"file_id": file_id, "file_unique_id": unique_id, "file_path": stored.file_path}
        if stored.data is not None:
            result["file_size"] = stored.size
        return result

    async def _edit_message_text(self, params: _Params) -> object:
        _, message = self._own_message(params, action="edit")
        if "text" not in message.content:
            raise _bad_request("there is no text in the message to edit")
        if not params.has("text"):
            raise _bad_request("text must be non-empty")
        formatted, raw, parse_mode = self._formatted(params, "text", "entities", allow_empty=False)
        if len(formatted.text) > MAX_TEXT_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        markup, _ = self._inline_markup(params)
        self._apply_edit(message, "text", formatted, markup, raw, parse_mode)
        return self._message_json(message)

    async def _edit_message_caption(self, params: _Params) -> object:
        _, message = self._own_message(params, action="edit")
        if "text" in message.content or message.is_service:
            raise _bad_request("there is no caption in the message to edit")
        formatted, raw, parse_mode = self._formatted(params, "caption", "caption_entities", allow_empty=True)
        if len(formatted.text) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        markup, _ = self._inline_markup(params)
        self._apply_edit(message, "caption", formatted, markup, raw, parse_mode)
        return self._message_json(message)

    async def _edit_message_reply_markup(self, params: _Params) -> object:
        _, message = self._own_message(params, action="edit")
        markup, _ = self._inline_markup(params)
        if markup == message.reply_markup:
            raise _bad_request(_NOT_MODIFIED)
        self._snapshot(message)
        message.reply_markup = markup
        message.edit_date = int(time.time())
        self._bot_message_changed(message)
        return self._message_json(message)

    def _apply_edit(
        self,
        message: _Message,
        key: str,
        formatted: FormattedText,
        markup: JsonDict | None,
        raw: str | None,
        parse_mode: str | None,
    ) -> None:
        entities_key = "entities" if key == "text" else "caption_entities"
        unchanged = (
            message.content.get(key, "") == formatted.text
            and message.content.get(entities_key, []) == formatted.entities
            and message.reply_markup == markup
        )
        if unchanged:
            raise _bad_request(_NOT_MODIFIED)
        self._snapshot(message)
        self._set_body(message, key, formatted)
        message.reply_markup = markup
        message.raw_text = raw
        message.parse_mode = parse_mode
        message.edit_date = int(time.time())
        self._bot_message_changed(message)

    def _source_message(self, params: _Params, *, action: Literal["copy", "forward"]) -> tuple[_ChatState, _Message]:
        source_state = self._accessible(self._chat_param(params, "from_chat_id"))
        message_id = self._message_id_param(params)
        source = source_state.messages.get(message_id)
        if source is None or source.deleted:
            raise _bad_request(f"message to {action} not found")
        if source.is_service or source.options.get("protect_content"):
            raise _bad_request("message can't be copied" if action == "copy" else "message can't be forwarded")
        return source_state, source

    async def _copy_message(self, params: _Params) -> object:
        _, source = self._source_message(params, action="copy")
        state = self._writable(params)
        content = {
            key: copy.deepcopy(value)
            for key, value in source.content.items()
            if key
            in ("text", "entities", "photo", "document", "sticker", "caption", "caption_entities", "has_media_spoiler")
        }
        if "sticker" in content and params.get_str("caption") is not None:
            raise _bad_request("can't use caption with a sticker")
        raw_text, parse_mode = source.raw_text, source.parse_mode
        if "text" not in content and params.get_str("caption") is not None:
            formatted, raw_text, parse_mode = self._formatted(params, "caption", "caption_entities", allow_empty=True)
            if len(formatted.text) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if formatted.text:
                content["caption"] = formatted.text
                if formatted.entities:
                    content["caption_entities"] = formatted.entities
        message = self._send(state, params, content, raw_text=raw_text, parse_mode=parse_mode)
        message.options["copied_from"] = {"chat_id": source.chat_id, "message_id": source.message_id}
        return {"message_id": message.message_id}

    async def _forward_message(self, params: _Params) -> object:
        _, source = self._source_message(params, action="forward")
        state = self._writable(params)
        content = {
            key: copy.deepcopy(value)
            for key, value in source.content.items()
            if key in ("text", "entities", "photo", "document", "caption", "caption_entities")
        }
        message = self._store_message(state, self.bot, content)
        message.forward_origin = source.forward_origin or self._origin(source)
        message.raw_text = source.raw_text
        message.parse_mode = source.parse_mode
        message.options = self._options(params, None)
        self._bot_message_changed(message)
        return self._message_json(message)

    async def _delete_message(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params))
        message_id = self._message_id_param(params)
        message = state.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request("message to delete not found")
        own = message.sender is not None and message.sender.id == self.bot.id
        if not own and state.chat.type != "private" and state.bot_status != "administrator":
            raise _bad_request("message can't be deleted")
        message.deleted = True
        if state.pinned == message_id:
            state.pinned = None
        self._bot_message_changed(message)
        return True

    async def _send_chat_action(self, params: _Params) -> object:
        state = self._writable(params)
        action = params.get_str("action") or ""
        if action not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self.chat_actions.append((state.chat.id, action))
        self._notify()
        return True

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

    async def _get_chat(self, params: _Params) -> object:
        state = self._accessible(self._chat_param(params))
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
        state = self._accessible(self._chat_param(params))
        user_id = params.get_int("user_id")
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
        state = self._accessible(self._chat_param(params))
        if state.chat.type == "private":
            raise _bad_request("chat member status can't be changed in private chats")
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


def _log_request(handler: tornado.web.RequestHandler) -> None:
    _LOGGER.debug("%s %s -> %d", handler.request.method, handler.request.path.split("/", 2)[-1], handler.get_status())
