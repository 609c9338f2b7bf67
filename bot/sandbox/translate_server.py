"""A local, deterministic translation server that speaks LibreTranslate's HTTP API.

It lets tests (and the interactive sandbox) use the *real* deep-translator ``LibreTranslator`` over
loopback instead of a network service:

* ``POST /translate`` takes ``q``, ``source``, ``target``, ``format`` and ``api_key`` from the query
  string, a form-encoded body or a JSON body (deep-translator sends them in the query string of a
  POST) and answers ``{"translatedText": ...}`` (a list when ``q`` is a JSON list), plus
  ``detectedLanguage`` when ``source`` is ``auto``.
* ``GET /languages`` answers ``[{"code", "name", "targets"}, ...]``.
* ``POST /detect`` answers ``[{"confidence", "language"}]``.
* Errors look like LibreTranslate's: ``{"error": "..."}`` with 400 (bad request, unsupported
  language, text over the limit), 403 (missing or invalid API key when one is required), 429 and 5xx
  (injected failures).

Translation is deterministic: an exact phrase table per (source, target) pair, and for anything else
``"[<target>] " + text`` so tests can assert on it. With ``unknown="refuse"`` (the interactive sandbox) a
``/translate`` call with any text the table does not know is answered 400 instead, as a provider that
cannot translate it: Kembar does not retry that nor count it against the provider's circuit breaker,
and relays the original marked untranslated (``relay.untranslated``), as for any provider failure. Kembar
fails or succeeds a whole batch (the texts asked for together, sent joined in one request), so a known
phrase batched with an unknown text goes untranslated too; each message posted in the sandbox is a batch
of its own. Text without a letter (numbers, placeholders) counts as known and comes back unchanged.

The server runs in the current asyncio event loop (tornado), on 127.0.0.1 with an ephemeral port by
default, and can be made slow (``latency``, applied server-side with an asyncio sleep) or flaky
(``fail_share``, ``fail_next``) at run time. Every ``/translate`` call is recorded in ``requests`` and the
peak number of concurrent calls is kept in ``max_concurrent``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import socket
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Final, Literal, TypedDict

import tornado.httpserver
import tornado.netutil
import tornado.web

__all__ = [
    "DEFAULT_LANGUAGES",
    "DEFAULT_PHRASES",
    "LANGUAGE_NAMES",
    "PHRASE_ROWS",
    "RecordedRequest",
    "TranslationServer",
    "UnknownText",
    "build_phrase_table",
]

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGES: Final[tuple[str, ...]] = ("id", "en", "ko", "de", "ja", "zh")

LANGUAGE_NAMES: Final[Mapping[str, str]] = {
    "id": "Indonesian",
    "en": "English",
    "ko": "Korean",
    "de": "German",
    "ja": "Japanese",
    "zh": "Chinese",
    "fr": "French",
    "es": "Spanish",
    "nl": "Dutch",
    "pt": "Portuguese",
    "ru": "Russian",
    "ar": "Arabic",
    "vi": "Vietnamese",
    "th": "Thai",
}

# One row per phrase: the same sentence in each language. Every ordered pair of languages in a row
# becomes an entry of the phrase table.
PHRASE_ROWS: Final[tuple[Mapping[str, str], ...]] = (
    {"id": "Selamat pagi", "en": "Good morning", "ko": "좋은 아침", "de": "Guten Morgen"},
    {
        "id": "Rapat besok jam 10",
        "en": "Meeting tomorrow at 10",
        "ko": "내일 10시에 회의",
        "de": "Besprechung morgen um 10 Uhr",
    },
    {"id": "Terima kasih", "en": "Thank you", "ko": "감사합니다", "de": "Danke"},
    {"id": "Sampai jumpa", "en": "See you", "ko": "또 만나요", "de": "Bis bald"},
    {"id": "Kota kembar", "en": "Sister city", "ko": "자매도시", "de": "Partnerstadt"},
    {
        "id": "Delegasi tiba hari Senin",
        "en": "The delegation arrives on Monday",
        "ko": "대표단은 월요일에 도착합니다",
        "de": "Die Delegation kommt am Montag an",
    },
    {
        "id": "Tolong kirim laporannya",
        "en": "Please send the report",
        "ko": "보고서를 보내 주세요",
        "de": "Bitte schicken Sie den Bericht",
    },
    {
        "id": "Penandatanganan MoU hari Jumat",
        "en": "The MoU signing is on Friday",
        "ko": "MoU 서명은 금요일입니다",
        "de": "Die Unterzeichnung des MoU ist am Freitag",
    },
)


def build_phrase_table(rows: Iterable[Mapping[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """Turn multilingual rows into ``{(source, target): {source_text: target_text}}``."""
    table: dict[tuple[str, str], dict[str, str]] = {}
    for row in rows:
        for source, source_text in row.items():
            for target, target_text in row.items():
                if source != target:
                    table.setdefault((source, target), {})[source_text] = target_text
    return table


DEFAULT_PHRASES: Final[Mapping[tuple[str, str], Mapping[str, str]]] = build_phrase_table(PHRASE_ROWS)

_PLACEHOLDER: Final = re.compile(r"\[\[\d+\]\]")

_FAILURE_MESSAGES: Final[Mapping[int, str]] = {
    429: "Too many request limits violations",
    500: "Cannot translate text: injected failure",
    502: "Bad gateway",
    503: "Service unavailable",
}


class UnknownText(LookupError):
    """Raised by ``translate_text`` in ``unknown="refuse"`` mode for text the phrase table does not know."""


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in _PLACEHOLDER.sub("", text))


class RecordedRequest(TypedDict):
    """One ``/translate`` call as the server saw it; ``status`` is filled in when it is answered."""

    q: str | list[str] | None
    source: str | None
    target: str | None
    format: str | None
    api_key: bool
    status: int | None


class _Reply(Exception):
    """Internal: ends request handling with a status and a JSON payload."""

    def __init__(self, status: int, payload: Any) -> None:
        super().__init__(status)
        self.status = status
        self.payload = payload


def _script_language(text: str) -> str | None:
    """Guess a language from its script: Hangul → ko, kana → ja, Han → zh; None for anything else."""
    han = False
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            return "ko"
        if 0x3040 <= code <= 0x30FF:
            return "ja"
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            han = True
    return "zh" if han else None


class TranslationServer:
    """A LibreTranslate-compatible server for tests and the sandbox.

    Use as ``async with TranslationServer() as server:`` and point a client at ``server.root_url``.
    The attributes ``latency`` (seconds), ``fail_share`` (0..1), ``fail_status``, ``char_limit`` and
    ``unknown`` may be changed while it runs. ``unknown``: ``"tag"`` answers text the phrase table does
    not know as ``"[<target>] " + text``; ``"refuse"`` answers the whole call 400 (the module's docstring).
    """

    def __init__(
        self,
        *,
        phrases: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        default_source: str = "en",
        latency: float = 0.0,
        fail_share: float = 0.0,
        fail_status: int = 500,
        char_limit: int | None = None,
        seed: int = 0,
        unknown: Literal["tag", "refuse"] = "tag",
    ) -> None:
        if unknown not in ("tag", "refuse"):
            raise ValueError("unknown must be 'tag' or 'refuse'")
        self.phrases: Mapping[tuple[str, str], Mapping[str, str]] = DEFAULT_PHRASES if phrases is None else phrases
        self.languages: tuple[str, ...] = tuple(languages)
        self.api_key = api_key
        self.host = host
        self.default_source = default_source
        self.latency = latency
        self.fail_share = fail_share
        self.fail_status = fail_status
        self.char_limit = char_limit
        self.unknown: Literal["tag", "refuse"] = unknown
        self.requests: list[RecordedRequest] = []
        self._requested_port = port
        self._port: int | None = None
        self._rng = random.Random(seed)
        self._fail_queue: deque[int] = deque()
        self._in_flight = 0
        self._max_concurrent = 0
        self._in_flight_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._server: tornado.httpserver.HTTPServer | None = None
        self._closing: asyncio.Event | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on ``host:port`` in the running event loop (port 0 picks a free port)."""
        if self._server is not None:
            raise RuntimeError("TranslationServer is already running")
        self._closing = asyncio.Event()
        app = tornado.web.Application(
            [
                (r"/translate", _TranslateHandler, {"server": self}),
                (r"/languages", _LanguagesHandler, {"server": self}),
                (r"/detect", _DetectHandler, {"server": self}),
            ],
            default_handler_class=_NotFoundHandler,
            log_function=_log_request,
        )
        sockets = tornado.netutil.bind_sockets(self._requested_port, address=self.host, family=socket.AF_INET)
        server = tornado.httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        self._port = int(sockets[0].getsockname()[1])
        self._server = server

    async def stop(self) -> None:
        """Stop listening, wake up requests waiting on ``latency`` and close all connections."""
        server, self._server = self._server, None
        if server is None:
            return
        if self._closing is not None:
            self._closing.set()
        server.stop()
        await server.close_all_connections()

    async def __aenter__(self) -> TranslationServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("TranslationServer is not running")
        return self._port

    @property
    def root_url(self) -> str:
        """The base URL with a trailing slash, e.g. ``http://127.0.0.1:54321/``."""
        return f"http://{self.host}:{self.port}/"

    # -- run-time knobs and counters -------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` ``/translate`` calls with ``status`` (e.g. 500, 503 or 429)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status")
        self._fail_queue.extend([status] * n)

    def reset(self) -> None:
        """Forget recorded requests, pending failures and the concurrency peak; zero the knobs."""
        self.requests.clear()
        self._fail_queue.clear()
        self._max_concurrent = self._in_flight
        self.latency = 0.0
        self.fail_share = 0.0

    @property
    def in_flight(self) -> int:
        """``/translate`` calls being handled right now."""
        return self._in_flight

    @property
    def max_concurrent(self) -> int:
        """The largest number of ``/translate`` calls that were handled at the same time."""
        return self._max_concurrent

    @property
    def translate_count(self) -> int:
        return len(self.requests)

    async def wait_for_in_flight(self, n: int) -> None:
        """Return once at least ``n`` ``/translate`` calls are being handled at the same time."""
        if self._in_flight >= n:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._in_flight_waiters.append((n, waiter))
        try:
            await waiter
        finally:
            self._in_flight_waiters = [(k, w) for k, w in self._in_flight_waiters if w is not waiter]

    def _set_in_flight(self, value: int) -> None:
        self._in_flight = value
        self._max_concurrent = max(self._max_concurrent, value)
        for n, waiter in self._in_flight_waiters:
            if value >= n and not waiter.done():
                waiter.set_result(None)

    # -- behaviour -------------------------------------------------------------------------------

    def detect(self, text: str) -> str:
        """Phrase-table lookup, then the script (Hangul → ko, kana → ja, Han → zh), then the default."""
        stripped = text.strip()
        for (source, _target), table in self.phrases.items():
            if stripped in table and source in self.languages:
                return source
        return _script_language(stripped) or self.default_source

    def translate_text(self, text: str, source: str, target: str) -> str:
        """The deterministic translation: the phrase table for the whole text; else line by line (as
        translation engines keep line breaks), each line from the phrase table, else
        ``"[target] " + line``; lines without a letter (numbers, placeholders like ``[[7000]]``) stay.
        With ``unknown="refuse"``, a line (or single-line text) with a letter that the table does not know
        raises ``UnknownText`` instead, and a single-line text without a letter stays as it is."""
        if source == target:
            return text
        stripped = text.strip()
        if not stripped:
            return text
        table = self.phrases.get((source, target), {})
        hit = table.get(stripped)
        refuse = self.unknown == "refuse"
        if hit is None:
            lines = stripped.split("\n")
            if len(lines) > 1:
                hit = "\n".join(self._translate_line(line, table, target, refuse=refuse) for line in lines)
            elif not refuse:
                hit = f"[{target}] {stripped}"
            elif _has_letter(stripped):
                raise UnknownText(f"not in the {source}->{target} phrase table")
            else:
                hit = stripped
        start = text.find(stripped)
        return text[:start] + hit + text[start + len(stripped) :]

    @staticmethod
    def _translate_line(line: str, table: Mapping[str, str], target: str, *, refuse: bool = False) -> str:
        core = line.strip()
        if not core:
            return line
        hit = table.get(core)
        if hit is None:
            if not _has_letter(core):
                return line
            if refuse:
                raise UnknownText(f"a line is not in the ->{target} phrase table")
            hit = f"[{target}] {core}"
        start = line.find(core)
        return line[:start] + hit + line[start + len(core) :]

    def languages_payload(self) -> list[dict[str, Any]]:
        return [
            {
                "code": code,
                "name": LANGUAGE_NAMES.get(code, code),
                "targets": [t for t in self.languages if t != code],
            }
            for code in self.languages
        ]

    def _check_api_key(self, args: Mapping[str, Any]) -> None:
        if self.api_key is None:
            return
        given = args.get("api_key")
        if not given:
            raise _Reply(403, {"error": "Please contact the server operator to get an API key"})
        if given != self.api_key:
            raise _Reply(403, {"error": "Invalid API key"})

    def _next_failure(self) -> int | None:
        if self._fail_queue:
            return self._fail_queue.popleft()
        if self.fail_share > 0 and self._rng.random() < self.fail_share:
            return self.fail_status
        return None

    async def _wait_latency(self, disconnected: asyncio.Event | None) -> None:
        """Sleep ``latency`` seconds, cut short by ``stop()`` (503) or the client hanging up (499)."""
        if self.latency <= 0 or self._closing is None:
            return
        waits = [asyncio.ensure_future(self._closing.wait())]
        if disconnected is not None:
            waits.append(asyncio.ensure_future(disconnected.wait()))
        try:
            done, _pending = await asyncio.wait(waits, timeout=self.latency, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waits:
                waiter.cancel()
        if not done:
            return
        if self._closing.is_set():
            raise _Reply(503, {"error": "Server is shutting down"})
        raise _Reply(499, {"error": "Client closed the connection"})

    async def handle_translate(
        self, args: Mapping[str, Any], disconnected: asyncio.Event | None = None
    ) -> tuple[int, Any]:
        """Answer one ``/translate`` call given its merged arguments; records it in ``requests``.

        A call counts as in flight until it is answered or its client hangs up (status 499).
        """
        record: RecordedRequest = {
            "q": args.get("q"),
            "source": args.get("source"),
            "target": args.get("target"),
            "format": args.get("format"),
            "api_key": bool(args.get("api_key")),
            "status": None,
        }
        self.requests.append(record)
        self._set_in_flight(self._in_flight + 1)
        try:
            failure = self._next_failure()
            await self._wait_latency(disconnected)
            if failure is not None:
                raise _Reply(failure, {"error": _FAILURE_MESSAGES.get(failure, "Injected failure")})
            status, payload = 200, self._translate_payload(args)
        except _Reply as reply:
            status, payload = reply.status, reply.payload
        finally:
            self._set_in_flight(self._in_flight - 1)
        record["status"] = status
        return status, payload

    def _translate_payload(self, args: Mapping[str, Any]) -> dict[str, Any]:
        self._check_api_key(args)
        q = args.get("q")
        for name in ("q", "source", "target"):
            value = args.get(name)
            if value is None or (name != "q" and not str(value).strip()):
                raise _Reply(400, {"error": f"Invalid request: missing {name} parameter"})
        texts: list[str]
        if isinstance(q, list):
            if not all(isinstance(item, str) for item in q):
                raise _Reply(400, {"error": "Invalid request: q must be a string or a list of strings"})
            texts = list(q)
        elif isinstance(q, str):
            texts = [q]
        else:
            raise _Reply(400, {"error": "Invalid request: q must be a string or a list of strings"})
        total = sum(len(t) for t in texts)
        if self.char_limit is not None and total > self.char_limit:
            raise _Reply(
                400,
                {"error": f"Invalid request: request ({total}) exceeds text limit ({self.char_limit})"},
            )
        source = str(args["source"]).strip()
        target = str(args["target"]).strip()
        detected: str | None = None
        if source == "auto":
            detected = self.detect(" ".join(texts))
            source = detected
        if source not in self.languages:
            raise _Reply(400, {"error": f"{source} is not supported"})
        if target not in self.languages:
            raise _Reply(400, {"error": f"{target} is not supported"})
        try:
            translated = [self.translate_text(t, source, target) for t in texts]
        except UnknownText:
            # A provider that cannot translate the text: 400 is neither retried nor counted against the
            # provider by Kembar, which relays the original marked untranslated.
            raise _Reply(400, {"error": "Cannot translate text: not in the phrase table"}) from None
        payload: dict[str, Any] = {"translatedText": translated if isinstance(q, list) else translated[0]}
        if detected is not None:
            payload["detectedLanguage"] = {"confidence": 90.0, "language": detected}
        return payload

    def handle_detect(self, args: Mapping[str, Any]) -> tuple[int, Any]:
        try:
            self._check_api_key(args)
        except _Reply as reply:
            return reply.status, reply.payload
        q = args.get("q")
        if not isinstance(q, str):
            return 400, {"error": "Invalid request: missing q parameter"}
        return 200, [{"confidence": 90.0, "language": self.detect(q)}]


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Log the path only: the query string carries the API key and the user's text.
    request = handler.request
    logger.debug("%s %s -> %d", request.method, request.path, handler.get_status())


class _BaseHandler(tornado.web.RequestHandler):
    def initialize(self, server: TranslationServer) -> None:
        self.translation_server = server

    def reply(self, status: int, payload: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload, ensure_ascii=False))

    def arguments(self) -> dict[str, Any]:
        """Query-string arguments, overlaid with a form-encoded or JSON body (as LibreTranslate)."""
        args: dict[str, Any] = {
            name: values[-1].decode("utf-8", "replace")
            for name, values in self.request.query_arguments.items()
            if values
        }
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() == "application/json":
            try:
                body = json.loads(self.request.body or b"{}")
            except ValueError:
                raise _Reply(400, {"error": "Invalid request: invalid JSON body"}) from None
            if not isinstance(body, dict):
                raise _Reply(400, {"error": "Invalid request: the JSON body must be an object"})
            args.update(body)
        else:
            for name, values in self.request.body_arguments.items():
                if values:
                    args[name] = values[-1].decode("utf-8", "replace")
        return args

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.reply(status_code, {"error": self._reason})


class _TranslateHandler(_BaseHandler):
    def initialize(self, server: TranslationServer) -> None:
        super().initialize(server)
        self.disconnected = asyncio.Event()

    def on_connection_close(self) -> None:
        super().on_connection_close()
        self.disconnected.set()

    async def post(self) -> None:
        try:
            args = self.arguments()
        except _Reply as reply:
            self.reply(reply.status, reply.payload)
            return
        status, payload = await self.translation_server.handle_translate(args, self.disconnected)
        if not self.disconnected.is_set():
            self.reply(status, payload)


class _DetectHandler(_BaseHandler):
    async def post(self) -> None:
        try:
            args = self.arguments()
        except _Reply as reply:
            self.reply(reply.status, reply.payload)
            return
        status, payload = self.translation_server.handle_detect(args)
        self.reply(status, payload)


class _LanguagesHandler(_BaseHandler):
    async def get(self) -> None:
        self.reply(200, self.translation_server.languages_payload())


class _NotFoundHandler(tornado.web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": "Not Found"}))
