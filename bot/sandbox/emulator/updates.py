"""Update delivery: ``getUpdates`` with offset acknowledgement and long polling, and webhooks
with their delivery loop."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.sandbox.emulator.base import _EmulatorBase
from bot.sandbox.emulator.params import _ApiError, _bad_request, _json_body, _Ok, _Params
from bot.sandbox.emulator.state import _ALL_UPDATE_TYPES, _DEFAULT_UPDATE_TYPES, _Webhook
from bot.sandbox.html_check import JsonDict

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class _UpdatesMixin(_EmulatorBase):
    """Pending updates and how they reach the bot: long polling or a webhook."""

    # -- reading state --------------------------------------------------------------------------

    def start_updates_at(self, update_id: int) -> None:
        """The next update gets ``update_id`` and the ones after it count up from there: a bot that keeps the ids of
        updates it has processed (Kembar's inbox) and runs against a fresh emulator again must not see them twice."""
        if self._pending:
            raise ValueError("updates are waiting: set the first update id before any")
        if not 1 <= update_id < 2**31:
            raise ValueError(f"update ids are positive 32-bit integers, not {update_id}")
        self._next_update_id = update_id

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

    @property
    def webhook_last_error(self) -> str | None:
        """The last webhook delivery error (``getWebhookInfo``'s ``last_error_message``), ``None`` if none."""
        return self._webhook.last_error_message if self._webhook is not None else None

    # -- injecting updates ----------------------------------------------------------------------

    def inject_raw_update(self, payload: Mapping[str, Any]) -> int:
        """Queue an update whose body is ``payload`` as given; returns the ``update_id`` it got.

        Nothing is checked or filtered (not even by ``allowed_updates``), so a test can deliver an
        update python-telegram-bot cannot parse (a ``message`` whose ``date`` is a string makes
        ``get_updates`` raise) or parses into something odd (without ``chat`` it builds a
        ``Message`` whose ``chat`` is ``None``). It is served by ``getUpdates`` (waking a long
        poll) or the webhook and acknowledged by offset like any other update.
        """
        if "update_id" in payload:
            raise ValueError("the emulator assigns update_id; leave it out of the payload")
        return self._queue_update(copy.deepcopy(dict(payload)))

    # -- API methods ----------------------------------------------------------------------------

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
                hook.last_error_date = int(self._now())
                hook.last_error_message = error
                self._notify()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
