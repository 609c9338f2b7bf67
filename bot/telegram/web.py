"""Kembar's HTTP side: the Telegram webhook, ``/healthz``, ``/readyz`` and ``/metrics``, on tornado.

Why not python-telegram-bot's own webhook server: its handler answers Telegram's POST with 200 as soon
as the update is put on the application's in-memory queue, before any of the update's work is stored.
Telegram forgets an update once it has its 200, so a crash, a restart or a full disk in the moments
after would lose the update for good. Kembar answers 200 only when the update's work is durable (the
``intake`` callable has returned: relay jobs or the inbox row committed); when it is not (``intake``
raised), it answers 503 and Telegram delivers the update again later. So a webhook update is
acknowledged on the same terms as a polled one (``kembar run``: the offset moves on only after the work
is stored), and the intake must accept the same update twice (a 200 lost on the way back is retried).

The server runs in the current asyncio event loop (tornado's IOLoop is asyncio's), as the Bot API
emulator and the local translation server do; ``port=0`` binds an ephemeral port, read back from
``WebServer.port``.

Routes (any other path or method: 404):

* ``POST <webhook_path>`` (only with an ``intake``): the ``X-Telegram-Bot-Api-Secret-Token`` header must
  equal ``secret`` (compared in constant time), else 403 before the body is read. A body over
  ``MAX_BODY`` bytes is 413 (counted, never buffered beyond the limit, never parsed); a body that is not
  a JSON object is 400. Then ``await intake(update)``: 200 ``{}`` when it returns, 503 (no details) when
  it raises. Logs name the reason, the remote address and the exception's class, never the body or the
  header's value; refusals are counted in ``kembar_webhook_refused_total{reason}``.
* ``GET /healthz``: 200 ``ok`` — the process and its event loop answer.
* ``GET /readyz``: the readiness checks, ``{name: {"ok": bool, "detail": str}}``; 200 when all are ok,
  else 503. Checks that raise or take longer than ``timeout`` seconds count as not ready.
* ``GET /metrics``: ``refresh()`` first (scrape-time gauges such as the outbox depth; a failure is logged
  and the metrics are served anyway), then the Prometheus text format of ``bot.ops.metrics.REGISTRY``.

``/readyz`` and ``/metrics`` need no credentials and cost real work (database queries), so each answer is
reused for ``cache_seconds`` (``CACHE_SECONDS``, one second) after it was computed, and requests that
arrive while it is being computed wait for that one computation: a flood of them costs one computation
a second.

The connections themselves (bot.ops.connections): at most ``max_connections`` open at once (beyond it one
still waiting for its request header makes room, a stalled one first; a webhook update on its way never
does), ``HEADER_TIMEOUT`` seconds for the first request header of a connection, ``IDLE_TIMEOUT`` seconds
between the end of a response and the next complete header, ``BODY_TIMEOUT`` seconds for a body; failures
to accept are logged at most once a minute.

The readiness checks themselves (database, Telegram) are in bot.telegram.health.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import socket
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ClassVar, Final, Generic, TypeVar
from urllib.parse import urlsplit

import tornado.http1connection
import tornado.httpserver
import tornado.httputil
import tornado.iostream
import tornado.netutil
import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.ops.connections import ConnectionGuard, GuardedHTTPServer, quiet_tornado_logs
from bot.ops.metrics import REGISTRY, WEBHOOK_REFUSED

__all__ = [
    "BODY_TIMEOUT",
    "CACHE_SECONDS",
    "HEADER_TIMEOUT",
    "IDLE_TIMEOUT",
    "MAX_BODY",
    "MAX_CONNECTIONS",
    "SECRET_HEADER",
    "Intake",
    "Readiness",
    "Refresh",
    "WebServer",
    "webhook_path",
]

logger = logging.getLogger(__name__)

Intake = Callable[[dict[str, Any]], Awaitable[None]]  # returns once the update's work is durable; raises if not
Readiness = Callable[[], Awaitable[dict[str, tuple[bool, str]]]]  # check name -> (ok, detail)
Refresh = Callable[[], Awaitable[None]]  # updates scrape-time gauges (outbox depth) before /metrics renders

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY: Final = 1024 * 1024  # bytes of one webhook update; Telegram's are a few kilobytes
# An authenticated body over MAX_BODY is read to its end (and dropped) up to this size, so the 413 arrives
# cleanly; beyond it tornado answers 400 and closes the connection. Other routes take no body at all.
_DRAIN_LIMIT: Final = 4 * MAX_BODY
_OTHER_BODY_LIMIT: Final = 64 * 1024
_SECRET_LOG_EVERY: Final = 10.0  # seconds between two log lines about refused secret tokens (all counted)
_RESERVED: Final = ("/healthz", "/readyz", "/metrics")
MAX_CONNECTIONS: Final = 256  # open connections at once (KEMBAR_MAX_CONNECTIONS)
HEADER_TIMEOUT: Final = 10.0  # seconds from accepting a connection to its first complete request header
IDLE_TIMEOUT: Final = 15.0  # seconds from the end of a response to the next complete request header
BODY_TIMEOUT: Final = 30.0  # seconds for a request body (a webhook update: a few kilobytes)
CACHE_SECONDS: Final = 1.0  # how long an answer of /readyz or /metrics is reused
_BACKLOG: Final = 1024  # the listen queue (the system may cap it: net.core.somaxconn)

_T = TypeVar("_T")


class _Shared(Generic[_T]):
    """The result of ``compute()``, reused for ``ttl`` seconds after it is known; callers that come while it
    is being computed share that one computation."""

    def __init__(self, compute: Callable[[], Awaitable[_T]], ttl: float) -> None:
        self.compute = compute
        self.ttl = ttl
        self.computed = 0  # how many times compute() ran
        self._value: tuple[_T] | None = None
        self._fresh_until = 0.0
        self._task: asyncio.Task[_T] | None = None

    async def get(self) -> _T:
        if self._value is not None and time.monotonic() < self._fresh_until:
            return self._value[0]
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
        return await asyncio.shield(self._task)

    async def _run(self) -> _T:
        try:
            self.computed += 1
            value = await self.compute()
            self._value, self._fresh_until = (value,), time.monotonic() + self.ttl
            return value
        finally:
            self._task = None


def webhook_path(url: str) -> str:
    """The path part of ``KEMBAR_WEBHOOK_URL`` (``/`` if none): where Telegram posts, so where we listen.

    ``https://bot.example.org/kembar/telegram?x=1`` → ``/kembar/telegram``.
    """
    return urlsplit(url).path or "/"


class WebServer:
    """The HTTP server; ``start()`` in the running event loop, ``stop()`` on shutdown."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        readiness: Readiness,
        refresh: Refresh | None = None,
        intake: Intake | None = None,
        secret: str | None = None,
        webhook_path: str = "/telegram",
        timeout: float = 5.0,
        drain_timeout: float = 10.0,
        max_connections: int = MAX_CONNECTIONS,
        header_timeout: float = HEADER_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
        cache_seconds: float = CACHE_SECONDS,
        log_every: float = 60.0,
        backlog: int = _BACKLOG,
    ) -> None:
        """``timeout``: seconds that ``readiness`` and ``refresh`` may take; ``drain_timeout``: seconds
        ``stop()`` waits for webhook updates in progress; ``max_connections``, ``header_timeout`` and
        ``idle_timeout``: the connections (see above); ``cache_seconds``: how long an answer of ``/readyz``
        and ``/metrics`` is reused; ``log_every``: seconds between two log lines about failures to accept;
        ``backlog``: the listen queue."""
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if intake is not None and not secret:
            raise ValueError("a webhook intake needs a secret token")
        if not webhook_path.startswith("/"):
            raise ValueError(f"the webhook path must start with '/', got {webhook_path!r}")
        if intake is not None and webhook_path in _RESERVED:
            raise ValueError(f"the webhook path {webhook_path!r} is taken by {', '.join(_RESERVED)}")
        self.host = host
        self._port = port
        self.readiness = readiness
        self.refresh = refresh
        self.intake = intake
        self.webhook_path = webhook_path
        self.timeout = timeout
        self.drain_timeout = drain_timeout
        self._secret = secret.encode() if secret else b""
        self._server: tornado.httpserver.HTTPServer | None = None
        self._bound_port: int | None = None
        self.closing = asyncio.Event()  # set when stop() begins
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._secret_logged_at: float | None = None
        self._secret_unlogged = 0
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self.log_every = log_every
        self.backlog = backlog
        self.guard: ConnectionGuard | None = None
        self.ready_answers = _Shared(self._check_ready, cache_seconds)
        self.metrics_answers = _Shared(self._render_metrics, cache_seconds)

    # -- lifecycle --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind and serve in the running event loop."""
        if self._server is not None:
            raise RuntimeError("the web server is already running")
        routes: list[Any] = [
            (r"/healthz", _Healthz, {"web": self}),
            (r"/readyz", _Readyz, {"web": self}),
            (r"/metrics", _Metrics, {"web": self}),
        ]
        if self.intake is not None:
            routes.append((re.escape(self.webhook_path), _Webhook, {"web": self}))
        app = tornado.web.Application(
            routes, default_handler_class=_NotFound, default_handler_args={"web": self}, log_function=_log_request
        )
        if not self.host:
            family = socket.AF_UNSPEC
        else:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sockets = tornado.netutil.bind_sockets(self._port, self.host or None, family=family, backlog=self.backlog)
        server = GuardedHTTPServer(
            app,
            xheaders=False,  # the peer's address, not a header anyone can set
            max_body_size=_OTHER_BODY_LIMIT,  # the webhook raises it for its own requests
            body_timeout=BODY_TIMEOUT,
            # Tornado's own limit on waiting for a header: a backstop behind the guard's two timeouts.
            idle_connection_timeout=max(self.header_timeout, self.idle_timeout) + 1.0,
        )
        self._bound_port = int(sockets[0].getsockname()[1])
        where = f"{self.host or '*'}:{self._bound_port}"
        guard = ConnectionGuard(
            server,
            sockets,
            cap=self.max_connections,
            header_timeout=self.header_timeout,
            idle_timeout=self.idle_timeout,
            exempt=self._exempt,
            log_every=self.log_every,
            where=where,
        )
        guard.start()
        quiet_tornado_logs()
        self._server, self.guard = server, guard
        self.closing.clear()
        webhook = f" (webhook at {self.webhook_path})" if self.intake else ""
        logger.info("HTTP server on %s%s, at most %d connections", where, webhook, self.max_connections)

    def _exempt(self, start_line: tornado.httputil.RequestStartLine) -> bool:
        """A webhook update (its header is complete: its secret is checked next, its body may follow) is
        never closed to make room for another connection."""
        return (
            self.intake is not None
            and start_line.method == "POST"
            and start_line.path.split("?", 1)[0] == self.webhook_path
        )

    async def stop(self) -> None:
        """Stop accepting, let webhook updates in progress finish (up to ``drain_timeout``), close."""
        server = self._server
        if server is None:
            return
        self.closing.set()  # requests still arriving on open connections get 503: Telegram retries
        if self.guard is not None:
            self.guard.stop()
        try:
            await asyncio.wait_for(self._idle.wait(), self.drain_timeout)
        except TimeoutError:
            logger.warning("HTTP server stopped with %d webhook update(s) still in progress", self._in_flight)
        self._server = None
        await server.close_all_connections()
        self.guard = None

    @property
    def port(self) -> int:
        """The bound port (after ``start()``)."""
        if self._bound_port is None:
            raise RuntimeError("the web server has not been started")
        return self._bound_port

    # -- webhook ----------------------------------------------------------------------------------

    def secret_ok(self, given: str | None) -> bool:
        if given is None:
            return False
        return hmac.compare_digest(given.encode("utf-8", "replace"), self._secret)

    def refused_secret(self, given: str | None, remote_ip: str | None) -> None:
        """Count a refused token; log it, at most one line every ``_SECRET_LOG_EVERY`` seconds (anyone
        can send these)."""
        WEBHOOK_REFUSED.labels("secret").inc()
        now = time.monotonic()
        if self._secret_logged_at is not None and now - self._secret_logged_at < _SECRET_LOG_EVERY:
            self._secret_unlogged += 1
            return
        unlogged, self._secret_unlogged, self._secret_logged_at = self._secret_unlogged, 0, now
        more = f"; {unlogged} more refused since the last such line" if unlogged else ""
        what = "missing" if not given else "wrong"
        logger.warning("webhook request refused: %s secret token (from %s)%s", what, remote_ip or "?", more)

    def begin_update(self) -> bool:
        """Whether an update may start now (not while stopping); pair with ``end_update()``."""
        if self.closing.is_set():
            return False
        self._in_flight += 1
        self._idle.clear()
        return True

    def end_update(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()

    # -- readiness and metrics --------------------------------------------------------------------

    async def ready(self) -> tuple[bool, dict[str, dict[str, Any]]]:
        """All checks ok, and the body of ``/readyz`` (reused for ``cache_seconds``)."""
        return await self.ready_answers.get()

    async def render_metrics(self) -> bytes:
        """The body of ``/metrics`` (reused for ``cache_seconds``)."""
        return await self.metrics_answers.get()

    async def _check_ready(self) -> tuple[bool, dict[str, dict[str, Any]]]:
        try:
            results = await asyncio.wait_for(self.readiness(), self.timeout)
        except TimeoutError:
            logger.warning("readiness checks took longer than %gs", self.timeout)
            return False, {"readiness": {"ok": False, "detail": f"no answer within {self.timeout:g}s"}}
        except Exception as exc:
            logger.warning("readiness checks failed: %s", type(exc).__name__, exc_info=True)
            return False, {"readiness": {"ok": False, "detail": f"failed: {type(exc).__name__}"}}
        if not isinstance(results, dict):
            return False, {"readiness": {"ok": False, "detail": "malformed readiness result"}}
        body: dict[str, dict[str, Any]] = {}
        for name, result in results.items():
            try:
                ok, detail = result
            except (TypeError, ValueError):
                ok, detail = False, "malformed check result"
            body[str(name)] = {"ok": ok is True, "detail": str(detail)}
        if not body:
            return False, {"readiness": {"ok": False, "detail": "no checks"}}
        return all(entry["ok"] for entry in body.values()), body

    async def _render_metrics(self) -> bytes:
        if self.refresh is not None:
            try:
                await asyncio.wait_for(self.refresh(), self.timeout)
            except TimeoutError:
                logger.warning("metrics refresh took longer than %gs; serving the last values", self.timeout)
            except Exception as exc:
                logger.warning("metrics refresh failed (%s); serving the last values", type(exc).__name__)
        return generate_latest(REGISTRY)


# ------------------------------------------------------------------------------------------------
# Handlers
# ------------------------------------------------------------------------------------------------


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # The access log: method, path (no query string) and status at DEBUG; never headers or bodies.
    request = handler.request
    millis = 1000.0 * request.request_time()
    logger.debug("%s %s -> %d (%.1f ms)", request.method, request.path, handler.get_status(), millis)


class _Base(tornado.web.RequestHandler):
    ALLOWED: ClassVar[tuple[str, ...]] = ()

    def initialize(self, web: WebServer) -> None:
        self.web = web

    async def prepare(self) -> None:
        if self.request.method not in self.ALLOWED:
            await self.answer(404, "not found\n")

    async def answer(self, status: int, body: str | bytes, content_type: str = "text/plain; charset=utf-8") -> None:
        """Send the response and wait until it is handed to the connection (quietly, if the peer left)."""
        self.set_status(status)
        self.set_header("Content-Type", content_type)
        self.set_header("Cache-Control", "no-store")
        with contextlib.suppress(tornado.iostream.StreamClosedError):
            await self.finish(body)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")

    def log_exception(
        self, typ: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Tornado's own line prints the request's URI, query string included; this one the path only.
        if value is None or isinstance(value, tornado.web.HTTPError):
            return
        request = self.request
        logger.error("HTTP %s %s failed: %s", request.method, request.path, type(value).__name__, exc_info=value)


class _NotFound(_Base):
    pass  # ALLOWED is empty: every method is 404


class _Healthz(_Base):
    ALLOWED = ("GET",)

    async def get(self) -> None:
        await self.answer(200, "ok\n")


class _Readyz(_Base):
    ALLOWED = ("GET",)

    async def get(self) -> None:
        ok, body = await self.web.ready()
        await self.answer(200 if ok else 503, json.dumps(body, ensure_ascii=False), "application/json")


class _Metrics(_Base):
    ALLOWED = ("GET",)

    async def get(self) -> None:
        await self.answer(200, await self.web.render_metrics(), CONTENT_TYPE_LATEST)


@tornado.web.stream_request_body
class _Webhook(_Base):
    """``POST <webhook_path>``: the body is streamed in, so the token is checked before it is read and an
    oversized one is never held in memory."""

    ALLOWED = ("POST",)

    def initialize(self, web: WebServer) -> None:
        super().initialize(web)
        self.chunks = bytearray()
        self.received = 0

    async def prepare(self) -> None:
        await super().prepare()
        if self._finished:
            return
        given = self.request.headers.get(SECRET_HEADER)
        if not self.web.secret_ok(given):
            self.web.refused_secret(given, self.request.remote_ip)
            await self.answer(403, "forbidden\n")  # the body is never read; the connection closes
            return
        connection = self.request.connection
        if isinstance(connection, tornado.http1connection.HTTP1Connection):
            connection.set_max_body_size(_DRAIN_LIMIT)

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self.received += len(chunk)
        if self.received <= MAX_BODY:
            self.chunks += chunk
        elif self.chunks:
            self.chunks = bytearray()  # over the limit: nothing more is kept

    async def post(self) -> None:
        remote = self.request.remote_ip or "?"
        if self.received > MAX_BODY:
            WEBHOOK_REFUSED.labels("too_large").inc()
            logger.warning(
                "webhook request refused: body of %d bytes over the limit of %d (from %s)",
                self.received,
                MAX_BODY,
                remote,
            )
            await self.answer(413, "request body too large\n")
            return
        try:
            update = json.loads(bytes(self.chunks))
        except (ValueError, RecursionError):
            update = None
        self.chunks = bytearray()
        if not isinstance(update, dict):
            WEBHOOK_REFUSED.labels("bad_request").inc()
            logger.warning("webhook request refused: the body is not a JSON object (from %s)", remote)
            await self.answer(400, "expected a JSON object\n")
            return
        update_id = update.get("update_id")
        label = str(update_id) if isinstance(update_id, int) else "without update_id"
        intake = self.web.intake
        assert intake is not None  # this route exists only with an intake
        if not self.web.begin_update():  # stopping: Telegram retries, here after the restart or elsewhere
            WEBHOOK_REFUSED.labels("unavailable").inc()
            await self.answer(503, "unavailable\n")
            return
        try:  # in progress until the answer is on its way, so stop() does not close the connection first
            try:
                await intake(update)
            except Exception as exc:
                WEBHOOK_REFUSED.labels("unavailable").inc()
                # The class only: a message may quote the update (SQL parameters, the user's text).
                logger.warning(
                    "webhook update %s not accepted (%s); answered 503, Telegram retries", label, type(exc).__name__
                )
                await self.answer(503, "unavailable\n")
                return
            await self.answer(200, "{}", "application/json")
        finally:
            self.web.end_update()
