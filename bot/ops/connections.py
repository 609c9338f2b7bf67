"""Holding connections safely: the open-file limit, and the HTTP listener's accept loop, cap and timeouts.

**Descriptors.** Every socket is a descriptor: each HTTP connection to the listener, each connection to
PostgreSQL and to Telegram, each request to the translator, the SQLite files. Many systems start a process
with a soft limit of 1,024, and a process at its limit can open nothing at all: a crowd of idle HTTP
connections would cut the bot off from Telegram and its database. ``raise_limit`` (called at the start of
``kembar run``) lifts the soft limit to the hard one, the ceiling an unprivileged process may raise it to,
and logs what it found; ``connection_budget`` keeps the listener's cap to at most half of the limit in force.

**Connections** (``GuardedHTTPServer``, used by bot.telegram.web). Tornado's own accept loop
(``tornado.netutil.add_accept_handler``) lets an ``accept()`` error escape on every turn of the event loop:
at the descriptor limit that is one logged traceback per turn, hundreds of thousands a minute, while the
listening socket stays readable. It has no cap on connections either, and its one timeout,
``idle_connection_timeout``, is also how long a half-sent request header may take. So the server here
accepts by itself:

* At most ``cap`` connections are open. A connection beyond it takes the place of an open one that is
  waiting for a complete request header, which is closed: first the one that has been stalled longest
  (it sent part of a header and not the rest, as a client trickling its header in a byte at a time does,
  or it is idle between two requests), else the oldest of those that have sent nothing since they
  connected (passing over one whose whole request header has arrived and only waits for its turn to be
  read: a peek at its socket says so). Only when every open connection is in the middle of a request (a
  handler running, or an authenticated webhook body on its way) or has its request waiting is the
  newcomer closed at once. So slow or idle clients hold the listener's places only until someone else
  needs them, and a health probe, which sends its whole request as soon as it is connected, gets its
  answer.
* A connection must send its first complete request header within ``header_timeout`` seconds of being
  accepted, and each later one within ``idle_timeout`` seconds of the previous response; otherwise it is
  closed. (Tornado's ``header_timeout`` stays behind these, a little longer, as a backstop.)
* ``accept()`` failing for want of descriptors or memory (``EMFILE``, ``ENFILE``, ``ENOBUFS``, ``ENOMEM``)
  closes a connection waiting for its header the same way (which frees a descriptor) and stops accepting for
  ``ACCEPT_PAUSE`` seconds instead of spinning; a full accept queue (the kernel is dropping new
  connections: Linux reports the queue's length) is noticed too. Each kind of trouble is counted
  (``kembar_http_accept_errors_total``) and logged at most once every ``log_every`` seconds (a minute),
  with the number of occurrences left out of the log in between.
* Tornado's own line per malformed request or timed-out body (logger ``tornado.general``, with the peer's
  address in it) gets through once a minute per place in its code (``quiet_tornado_logs``).

Connections closed before a request are counted in ``kembar_http_connections_closed_total{reason}``
(``evicted``, ``refused``, ``header_timeout``, ``idle_timeout``); ``kembar_http_connections`` is the number
open.
"""

from __future__ import annotations

import asyncio
import errno
import itertools
import logging
import socket
import struct
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

import tornado.httpserver
import tornado.httputil
import tornado.iostream
from prometheus_client import Counter, Gauge

from bot.ops.metrics import REGISTRY

__all__ = [
    "ACCEPT_ERRORS",
    "ACCEPT_PAUSE",
    "CONNECTIONS",
    "CONNECTIONS_CLOSED",
    "FALLBACKS",
    "ConnectionGuard",
    "GuardedHTTPServer",
    "Limit",
    "Throttled",
    "connection_budget",
    "current_limit",
    "quiet_tornado_logs",
    "raise_limit",
]

logger = logging.getLogger(__name__)

# ------------------------------------------------------------------------------------------------
# The open-file limit
# ------------------------------------------------------------------------------------------------

# Tried in turn when the hard limit is "unlimited" (macOS), which no soft limit may be set to.
FALLBACKS: Final = (1_048_576, 65_536, 10_240)
_MIN_CONNECTIONS: Final = 8


@dataclass(frozen=True)
class Limit:
    """The open-file limit: ``soft`` now, ``before`` it was raised, ``hard``; ``None`` means unlimited or unknown."""

    before: int | None
    soft: int | None
    hard: int | None

    @property
    def raised(self) -> bool:
        return self.before != self.soft


def _finite(value: int) -> int | None:
    if sys.platform == "win32":
        return None
    import resource

    return None if value == resource.RLIM_INFINITY or value < 0 else value


def _text(value: int | None) -> str:
    return "unlimited" if value is None else str(value)


def current_limit() -> Limit:
    """The soft and hard open-file limits of this process (``None`` where unlimited or unknown)."""
    if sys.platform == "win32":
        return Limit(None, None, None)
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return Limit(_finite(soft), _finite(soft), _finite(hard))


def raise_limit(target: int | None = None) -> Limit:
    """Raise the soft open-file limit toward ``target`` (default: the hard limit) and log the outcome.

    Never lowers it; a refusal by the system is logged, not raised."""
    if sys.platform == "win32":
        return Limit(None, None, None)
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    before, ceiling = _finite(soft), _finite(hard)
    top = target if target is not None else ceiling
    wanted = [value for value in (top, *FALLBACKS) if value is not None]
    if top is not None:
        wanted = [value for value in wanted if value <= top]
    if ceiling is not None:
        wanted = [min(value, ceiling) for value in wanted]
    for value in sorted(set(wanted), reverse=True):
        if before is None or value <= before:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (value, hard))
        except (ValueError, OSError) as exc:
            logger.debug("open files: the soft limit cannot be set to %d (%s)", value, exc)
            continue
        break
    now = _finite(resource.getrlimit(resource.RLIMIT_NOFILE)[0])
    limit = Limit(before, now, ceiling)
    if limit.raised:
        logger.info("open files: soft limit raised from %s to %s (hard limit %s)", before, _text(now), _text(ceiling))
    else:
        logger.info("open files: soft limit %s (hard limit %s)", _text(now), _text(ceiling))
    return limit


def connection_budget(requested: int, soft: int | None) -> int:
    """The HTTP connection cap to use: ``requested``, but at most half of the soft limit ``soft`` (the other
    half is for the database, Telegram, the translator and files) and at least 8."""
    if soft is None:
        return requested
    return max(_MIN_CONNECTIONS, min(requested, soft // 2))


# ------------------------------------------------------------------------------------------------
# Log lines that anyone can cause: at most one a period
# ------------------------------------------------------------------------------------------------


class Throttled:
    """Logs one line at most every ``every`` seconds; the calls in between are counted, and at the end of
    the period one line repeats the last message with that count. Needs a running event loop."""

    def __init__(self, level: int, every: float = 60.0, log: logging.Logger = logger) -> None:
        self.level = level
        self.every = every
        self.log = log
        self.skipped = 0
        self._last = ""
        self._quiet_until = float("-inf")
        self._summary: asyncio.TimerHandle | None = None

    def __call__(self, message: str) -> None:
        now = time.monotonic()
        if now >= self._quiet_until:
            self._quiet_until = now + self.every
            self.log.log(self.level, "%s", message)
            return
        self.skipped += 1
        self._last = message
        if self._summary is None:
            self._summary = asyncio.get_running_loop().call_later(self._quiet_until - now, self.flush)

    def flush(self) -> None:
        """Log the count of what was left out now (also when the owner stops)."""
        if self._summary is not None:
            self._summary.cancel()
            self._summary = None
        if self.skipped:
            more = f"{self.skipped} more like this in the last {self.every:g} s"
            self.skipped = 0
            self._quiet_until = time.monotonic() + self.every
            self.log.log(self.level, "%s (%s)", self._last, more)


class _OncePerSite(logging.Filter):
    """Lets through one record per place in the code every ``every`` seconds; the next one let through says
    how many were left out. (Tornado logs a line for each malformed request or body that timed out, with
    the peer's address in it: anyone could fill the disk with them.)"""

    def __init__(self, every: float) -> None:
        super().__init__()
        self.every = every
        self.sites: dict[tuple[str, int], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        site = (record.pathname, record.lineno)
        now = time.monotonic()
        since, skipped = self.sites.get(site, (float("-inf"), 0))
        if now - since < self.every:
            self.sites[site] = (since, skipped + 1)
            return False
        self.sites[site] = (now, 0)
        if skipped:
            record.msg = f"{record.getMessage()} ({skipped} more like this in the last {self.every:g} s)"
            record.args = None
        return True


def quiet_tornado_logs(every: float = 60.0) -> None:
    """At most one line per place in tornado's connection-handling code (``tornado.general``) every ``every``
    seconds, for the whole process; installed once."""
    general = logging.getLogger("tornado.general")
    if not any(isinstance(f, _OncePerSite) for f in general.filters):
        general.addFilter(_OncePerSite(every))


# ------------------------------------------------------------------------------------------------
# The HTTP listener's connections
# ------------------------------------------------------------------------------------------------

CONNECTIONS: Final = Gauge("kembar_http_connections", "Open connections to the HTTP listener.", registry=REGISTRY)
CLOSE_REASONS: Final = ("evicted", "refused", "header_timeout", "idle_timeout")
CONNECTIONS_CLOSED: Final = Counter(
    "kembar_http_connections_closed_total",
    "Connections the HTTP listener closed without a request: evicted (to make room at the cap), refused (at the "
    "cap, every connection busy), header_timeout, idle_timeout.",
    ["reason"],
    registry=REGISTRY,
)
ACCEPT_ERRORS: Final = Counter(
    "kembar_http_accept_errors_total",
    "Failures to accept a connection, by errno name (EMFILE, ENFILE …), and queue_full when the kernel's "
    "accept queue was found full.",
    ["error"],
    registry=REGISTRY,
)
for _reason in CLOSE_REASONS:
    CONNECTIONS_CLOSED.labels(_reason)
ACCEPT_PAUSE: Final = 0.1  # seconds without accepting after a failure for want of descriptors or memory
_SCARCE: Final = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_EVICTION_LOOKS: Final = 16  # new connections looked at, oldest first, for one without its request waiting
_PEEK: Final = 8192
_TCP_INFO_QUEUE: Final = struct.Struct("=8x4x4x4x4xII")  # tcp_info: tcpi_unacked (queue length), tcpi_sacked (limit)


def accept_queue(sock: socket.socket) -> tuple[int, int] | None:
    """The length and the limit of a listening socket's accept queue (Linux; ``None`` elsewhere)."""
    if sys.platform != "linux":
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_QUEUE.size)
    except OSError:
        return None
    if len(info) < _TCP_INFO_QUEUE.size:
        return None
    queued, limit = _TCP_INFO_QUEUE.unpack(info)
    return int(queued), int(limit)


def _request_waiting(stream: tornado.iostream.IOStream) -> bool:
    """A complete request header has arrived on the stream's socket, not yet read (a peek: nothing is taken)."""
    sock = stream.socket
    if sock is None:
        return False
    try:
        data = sock.recv(_PEEK, socket.MSG_PEEK)
    except OSError:  # BlockingIOError: nothing yet; others: the connection is broken
        return False
    return b"\r\n\r\n" in data or b"\n\n" in data


class _Stream(tornado.iostream.IOStream):
    """An IOStream that tells its guard when bytes arrive while it waits for a request header."""

    on_bytes: Callable[[_Stream], None] | None = None

    def read_from_fd(self, buf: bytearray | memoryview) -> int | None:
        count = super().read_from_fd(buf)
        if count and self.on_bytes is not None:
            self.on_bytes(self)
        return count


class _Connection:
    __slots__ = ("requests", "stream", "timer")

    def __init__(self, stream: _Stream) -> None:
        self.stream = stream
        self.timer: asyncio.TimerHandle | None = None
        self.requests = 0


class _Watched(tornado.httputil.HTTPMessageDelegate):
    """Passes one request on, telling the guard when its header is complete and when its handler starts."""

    def __init__(
        self, guard: ConnectionGuard, connection: _Connection, inner: tornado.httputil.HTTPMessageDelegate
    ) -> None:
        self.guard = guard
        self.connection = connection
        self.inner = inner

    def headers_received(
        self,
        start_line: tornado.httputil.RequestStartLine | tornado.httputil.ResponseStartLine,
        headers: tornado.httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        self.guard.header_complete(self.connection, start_line)
        return self.inner.headers_received(start_line, headers)

    def data_received(self, chunk: bytes) -> Awaitable[None] | None:
        return self.inner.data_received(chunk)

    def finish(self) -> None:
        self.guard.busy(self.connection)
        self.inner.finish()

    def on_connection_close(self) -> None:
        self.inner.on_connection_close()


class GuardedHTTPServer(tornado.httpserver.HTTPServer):
    """Tornado's HTTP server with its connections admitted and watched by a ``ConnectionGuard``."""

    guard: ConnectionGuard | None = None

    def start_request(
        self, server_conn: object, request_conn: tornado.httputil.HTTPConnection
    ) -> tornado.httputil.HTTPMessageDelegate:
        delegate = super().start_request(server_conn, request_conn)
        if self.guard is None:
            return delegate
        return self.guard.request(server_conn, delegate)

    def on_close(self, server_conn: object) -> None:
        super().on_close(server_conn)
        if self.guard is not None:
            self.guard.closed(server_conn)


class ConnectionGuard:
    """Accepts on ``sockets`` for ``server`` (see the module's docstring); ``start()``, then ``stop()``.

    ``exempt(start_line)``: whether a request, once its header is complete, may no longer be closed to make
    room (the authenticated webhook's body is on its way)."""

    def __init__(
        self,
        server: GuardedHTTPServer,
        sockets: list[socket.socket],
        *,
        cap: int,
        header_timeout: float,
        idle_timeout: float,
        exempt: Callable[[tornado.httputil.RequestStartLine], bool] = lambda _: False,
        log_every: float = 60.0,
        where: str = "",
    ) -> None:
        if cap < 1:
            raise ValueError("the connection cap must be at least 1")
        self.server = server
        self.sockets = sockets
        self.cap = cap
        self.header_timeout = header_timeout
        self.idle_timeout = idle_timeout
        self.exempt = exempt
        self.where = where or ", ".join(f"{s.getsockname()[0]}:{s.getsockname()[1]}" for s in sockets)
        # Accepted per turn of the event loop: a fraction of the cap, so a connection has a few turns to
        # have its request read before newcomers could push it out.
        self.batch = max(1, min(64, cap // 4))
        self.open: dict[tornado.iostream.IOStream, _Connection] = {}
        # Waiting for a complete header (may be evicted), oldest first: those that sent nothing since they
        # connected, and the stalled ones (part of a header sent, or idle after a response).
        self.fresh: OrderedDict[tornado.iostream.IOStream, _Connection] = OrderedDict()
        self.stalled: OrderedDict[tornado.iostream.IOStream, _Connection] = OrderedDict()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._paused: asyncio.TimerHandle | None = None
        self._accepting = False
        self._log_accept = Throttled(logging.WARNING, log_every)
        self._log_queue = Throttled(logging.WARNING, log_every)
        self._log_cap = Throttled(logging.WARNING, log_every)

    # -- accepting --------------------------------------------------------------------------------

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.server.guard = self
        self._accepting = True
        self._watch()

    def stop(self) -> None:
        """Stop accepting and close the listening sockets; open connections stay (the server closes them)."""
        self._accepting = False
        self._unwatch()
        if self._paused is not None:
            self._paused.cancel()
            self._paused = None
        for sock in self.sockets:
            sock.close()
        for throttled in (self._log_accept, self._log_queue, self._log_cap):
            throttled.flush()

    def _watch(self) -> None:
        assert self._loop is not None
        for sock in self.sockets:
            self._loop.add_reader(sock.fileno(), self._accept, sock)

    def _unwatch(self) -> None:
        if self._loop is None:
            return
        for sock in self.sockets:
            if sock.fileno() >= 0:
                self._loop.remove_reader(sock.fileno())

    def _resume(self) -> None:
        self._paused = None
        if self._accepting:
            self._watch()

    def _accept(self, sock: socket.socket) -> None:
        queue = accept_queue(sock)
        if queue is not None and queue[0] > queue[1]:  # Linux drops new connections while it is so
            ACCEPT_ERRORS.labels("queue_full").inc()
            self._log_queue(
                f"HTTP listener on {self.where}: the accept queue is full ({queue[0]} waiting, room for {queue[1]}); "
                "the system drops new connections until it drains"
            )
        for _ in range(self.batch):
            try:
                connection, address = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue  # closed by the peer while it waited in the queue
            except OSError as exc:
                if self._accept_failed(sock, exc):
                    return
                continue
            self._admit(connection, address)

    def _accept_failed(self, sock: socket.socket, exc: OSError) -> bool:
        """Count and log (throttled) a failed accept(); whether to stop accepting for a moment."""
        scarce = exc.errno in _SCARCE
        queue = accept_queue(sock)
        if scarce and queue is not None and queue[0] == 0:
            # Linux takes a descriptor before it looks at the queue: at the limit, accept() says EMFILE even
            # when nobody is waiting (right after the last waiting connection was accepted). Nothing to do.
            return True
        name = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
        ACCEPT_ERRORS.labels(name).inc()
        action = ""
        if scarce:  # close a waiting connection, which frees a descriptor, and let the system breathe
            # (Where the queue cannot be seen, only a stalled one: one just accepted may be all there was.)
            if self._evict("evicted", fresh=queue is not None):
                action = "; closed a connection waiting for its request header"
            action += f"; not accepting for {ACCEPT_PAUSE:g} s"
        self._log_accept(f"HTTP listener on {self.where}: accept() failed: {exc.strerror or exc} ({name}){action}")
        if not scarce:
            return False
        self._unwatch()
        assert self._loop is not None
        self._paused = self._loop.call_later(ACCEPT_PAUSE, self._resume)
        return True

    def _admit(self, sock: socket.socket, address: Any) -> None:
        if len(self.open) >= self.cap:
            if self._evict("evicted"):
                self._log_cap(
                    f"HTTP listener on {self.where}: {self.cap} connections open (KEMBAR_MAX_CONNECTIONS); one "
                    "still waiting for its request header was closed to make room for a new one"
                )
            else:
                CONNECTIONS_CLOSED.labels("refused").inc()
                self._log_cap(
                    f"HTTP listener on {self.where}: {self.cap} connections open (KEMBAR_MAX_CONNECTIONS), every "
                    "one busy with a request or with one waiting; a new connection was closed at once"
                )
                sock.close()
                return
        try:
            stream = _Stream(
                sock, max_buffer_size=self.server.max_buffer_size, read_chunk_size=self.server.read_chunk_size
            )
        except Exception:
            sock.close()
            raise
        stream.on_bytes = self._bytes_arrived
        connection = _Connection(stream)
        self.open[stream] = connection
        CONNECTIONS.inc()
        self._wait(connection, self.header_timeout, "header_timeout")
        try:
            self.server.handle_stream(stream, address)
        except Exception:
            logger.exception("HTTP listener on %s: could not serve a connection", self.where)
            self._drop(connection, None)

    # -- the connections --------------------------------------------------------------------------

    @property
    def waiting(self) -> int:
        """Connections waiting for a complete request header."""
        return len(self.fresh) + len(self.stalled)

    def _wait(self, connection: _Connection, seconds: float, reason: str) -> None:
        """The connection waits for a complete request header, at most ``seconds``; it may be evicted."""
        assert self._loop is not None
        if connection.timer is not None:
            connection.timer.cancel()
        connection.timer = self._loop.call_later(seconds, self._drop, connection, reason)
        self._not_waiting(connection)
        queue = self.stalled if connection.requests else self.fresh  # after a response: idle
        queue[connection.stream] = connection

    def _bytes_arrived(self, stream: _Stream) -> None:
        connection = self.fresh.pop(stream, None)
        if connection is not None:  # part of a header (a complete one is taken off the queues at once)
            self.stalled[stream] = connection

    def _not_waiting(self, connection: _Connection) -> None:
        self.fresh.pop(connection.stream, None)
        self.stalled.pop(connection.stream, None)

    def _evict(self, reason: str, *, fresh: bool = True) -> bool:
        """Close a connection waiting for a request header, the longest stalled first, else (with ``fresh``)
        the oldest of those that sent nothing yet — passing over any whose whole request header has arrived
        and is only waiting for its turn to be read; whether there was one."""
        if self.stalled:
            _, connection = self.stalled.popitem(last=False)
            self._drop(connection, reason)
            return True
        if not fresh:
            return False
        for candidate in itertools.islice(self.fresh.values(), _EVICTION_LOOKS):
            if not _request_waiting(candidate.stream):
                self._drop(candidate, reason)
                return True
        return False

    def _drop(self, connection: _Connection, reason: str | None) -> None:
        """Forget the connection and close it (``reason``: counted)."""
        if connection.timer is not None:
            connection.timer.cancel()
            connection.timer = None
        self._not_waiting(connection)
        if self.open.pop(connection.stream, None) is not None:
            CONNECTIONS.dec()
            if reason is not None:
                CONNECTIONS_CLOSED.labels(reason).inc()
        connection.stream.close()

    def request(
        self, server_conn: object, delegate: tornado.httputil.HTTPMessageDelegate
    ) -> tornado.httputil.HTTPMessageDelegate:
        """A request begins on a connection: its header is awaited now."""
        stream = getattr(server_conn, "stream", None)
        connection = self.open.get(stream) if isinstance(stream, tornado.iostream.IOStream) else None
        if connection is None:
            return delegate
        if connection.requests:
            self._wait(connection, self.idle_timeout, "idle_timeout")
        connection.requests += 1
        return _Watched(self, connection, delegate)

    def header_complete(
        self,
        connection: _Connection,
        start_line: tornado.httputil.RequestStartLine | tornado.httputil.ResponseStartLine,
    ) -> None:
        if connection.timer is not None:
            connection.timer.cancel()
            connection.timer = None
        if isinstance(start_line, tornado.httputil.RequestStartLine) and self.exempt(start_line):
            self._not_waiting(connection)

    def busy(self, connection: _Connection) -> None:
        """The request is read; its handler runs: the connection is no longer evicted."""
        self._not_waiting(connection)

    def closed(self, server_conn: object) -> None:
        stream = getattr(server_conn, "stream", None)
        connection = self.open.get(stream) if isinstance(stream, tornado.iostream.IOStream) else None
        if connection is not None:
            self._drop(connection, None)
