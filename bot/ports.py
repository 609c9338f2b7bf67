"""The outside world as the services see it: sending to chats and asking about members.

Neutral: no Telegram types. ``bot.telegram.sender`` implements these over python-telegram-bot; the unit
tests implement them with fakes. Every sending error leaves as one of the ``DeliveryError`` kinds below.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

Buttons = Sequence[Sequence[tuple[str, str]]]
"""Inline buttons: rows of (label, callback data)."""


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in a chat as Telegram names them: user id, full name, username."""

    user_id: int
    name: str
    username: str | None = None


class DeliveryError(Exception):
    """Base of the neutral sending errors."""


class RetryLater(DeliveryError):
    """Flood control: try again after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds:g}s")
        self.seconds = seconds


class Transient(DeliveryError):
    """Network trouble or a server error: retry with back-off."""


class DestinationGone(DeliveryError):
    """The bot can no longer post there (kicked, chat deleted, not found): stop sending to it."""


class NotModified(DeliveryError):
    """An edit that changes nothing: nothing to do."""


class Migrated(DeliveryError):
    """The group became a supergroup with another id: everything moves there, and the send is repeated."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class NotAllowed(DeliveryError):
    """The group does not let the bot send this (its administrators restricted media or messages): the
    bot stays in the bridge; what it may not send is replaced or skipped."""


class Rejected(DeliveryError):
    """Telegram refused this particular message (bad HTML, too long, ...): retrying it unchanged won't help."""


class Sender(Protocol):
    async def send_text(
        self, chat_id: int, html: str, *, reply_to: int | None = None, buttons: Buttons | None = None
    ) -> int: ...

    async def copy(
        self, chat_id: int, from_chat_id: int, message_id: int, *, caption_html: str | None, reply_to: int | None
    ) -> int: ...

    async def edit_text(self, chat_id: int, message_id: int, html: str, *, buttons: Buttons | None = None) -> None:
        """Replace a message's text; its inline buttons become ``buttons`` (None: none, as Telegram does)."""
        ...

    async def send_file(
        self, chat_id: int, data: bytes, filename: str, *, caption_html: str | None = None, photo: bool = False
    ) -> int:
        """A file in the chat: a document, or with ``photo`` an image Telegram shows inline (PNG charts)."""
        ...

    async def edit_caption(self, chat_id: int, message_id: int, html: str) -> None: ...

    async def download(self, file_id: str, max_bytes: int) -> bytes | None:
        """A file posted in a chat (Telegram keeps it; ``getFile``), when it is at most ``max_bytes``; None when it is
        bigger or Telegram no longer gives it. Only the sending errors above leave it."""
        ...


class Members(Protocol):
    """Who is who in a chat, asked of Telegram each time (rosters change)."""

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        """The user administers the chat; False when it cannot be told."""
        ...

    async def is_member(self, chat_id: int, user_id: int) -> bool:
        """The user is in the chat now (a member, an administrator, or restricted but present); False when it
        cannot be told."""
        ...

    async def administrators(self, chat_id: int) -> list[Person]:
        """The chat's administrators who are people (bots left out); empty when it cannot be told."""
        ...

    async def bot_can_read(self, chat_id: int) -> bool:
        """The bot sees every message of the group (privacy mode off, or it is an administrator there)."""
        ...
