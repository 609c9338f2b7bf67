"""What tests look at: the chats' messages, callback answers, the call log and a summary, and the
waits on state changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from bot.sandbox.emulator.base import _EmulatorBase
from bot.sandbox.emulator.state import ApiCall
from bot.sandbox.html_check import JsonDict

_T = TypeVar("_T")


class _InspectionMixin(_EmulatorBase):
    """Reading the emulator's state and waiting for it to change."""

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

    def callback_answer(self, query_id: str) -> JsonDict | None:
        """The bot's answer to a callback query, if it answered."""
        return next((a for a in self.callback_answers if a["callback_query_id"] == query_id), None)

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
