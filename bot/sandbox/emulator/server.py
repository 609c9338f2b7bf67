"""HTTP plumbing: the tornado handlers and the server's lifecycle.

Every ``/bot<token>/<method>`` request goes through :meth:`_ServerMixin._serve`, which checks the
token, finds the method, applies an injected fault, runs the method and logs the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from typing import Any, Self
from urllib.parse import unquote

import tornado.httpserver
import tornado.httputil
import tornado.iostream
import tornado.netutil
import tornado.web

from bot.sandbox.emulator.faults import Fault
from bot.sandbox.emulator.files import _FilesMixin
from bot.sandbox.emulator.params import _ApiError, _json_body, _json_error, _Ok, _Params, _Reply
from bot.sandbox.emulator.state import ApiCall
from bot.sandbox.html_check import JsonDict

# The package's logger: records keep the name they had when the emulator was a single module.
_LOGGER = logging.getLogger(__package__)

_BAD_GATEWAY_BODY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


# ------------------------------------------------------------------------------------------------
# HTTP handlers
# ------------------------------------------------------------------------------------------------


class _EmulatorHandler(tornado.web.RequestHandler):
    """The emulator's handlers: every answer's ``Date`` header tells the emulator's clock (``clock_offset``),
    taken when the answer is sent, as a real server's."""

    def initialize(self, emulator: _ServerMixin) -> None:
        self._emulator = emulator

    def finish(self, chunk: str | bytes | dict[str, Any] | None = None) -> asyncio.Future[None]:
        self.set_header("Date", tornado.httputil.format_timestamp(self._emulator._now()))
        return super().finish(chunk)


class _ApiHandler(_EmulatorHandler):
    """``/bot<token>/<method>``."""

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


class _FileHandler(_EmulatorHandler):
    """``/file/bot<token>/<file_path>``."""

    def get(self, token: str, path: str) -> None:
        data = self._emulator._download(token, unquote(path))
        if data is None:
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            self.finish(_json_body({"ok": False, "error_code": 404, "description": "Not Found"}))
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(data)


class _NotFoundHandler(_EmulatorHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(_json_body({"ok": False, "error_code": 404, "description": "Not Found"}))


class _ServerMixin(_FilesMixin):
    """Serves the Bot API methods and the stored files over HTTP in the running event loop."""

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
            default_handler_args={"emulator": self},
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

    async def __aenter__(self) -> Self:
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


def _log_request(handler: tornado.web.RequestHandler) -> None:
    _LOGGER.debug("%s %s -> %d", handler.request.method, handler.request.path.split("/", 2)[-1], handler.get_status())
