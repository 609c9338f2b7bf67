"""Domain records returned by the repositories: plain frozen dataclasses, no ORM state attached."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    title: str
    type: str
    language: str
    timezone: str | None
    city: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    show_original: bool = False

    @property
    def label(self) -> str:
        """The name used in attribution: the city label, else the group title."""
        return self.city or self.title or str(self.id)


@dataclass(frozen=True, slots=True)
class Bridge:
    """Linked partner chats; ``members`` in the order they joined."""

    id: int
    created_at: datetime
    members: tuple[Chat, ...]

    def others(self, chat_id: int) -> tuple[Chat, ...]:
        """The members other than ``chat_id``: where a message posted in ``chat_id`` is relayed to."""
        return tuple(chat for chat in self.members if chat.id != chat_id)

    @property
    def chat_ids(self) -> tuple[int, ...]:
        return tuple(chat.id for chat in self.members)


@dataclass(frozen=True, slots=True)
class MessageLink:
    """Destination message ``dst_message_id`` in ``dst_chat_id`` is (a part of) the copy of the source message."""

    src_chat_id: int
    src_message_id: int
    dst_chat_id: int
    dst_message_id: int


@dataclass(frozen=True, slots=True)
class NewRelayJob:
    """A relay job to enqueue; ``version`` is 0 for the original message, the edit date (epoch seconds) for an edit."""

    bridge_id: int | None
    src_chat_id: int
    src_message_id: int
    dst_chat_id: int
    version: int
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RelayJob:
    """A stored relay job; ``state`` is 'pending', 'done' or 'failed'; ``id`` is the global order."""

    id: int
    bridge_id: int | None
    src_chat_id: int
    src_message_id: int
    dst_chat_id: int
    version: int
    payload: dict[str, Any]
    state: str
    attempts: int
    created_at: datetime
    last_error: str | None = None
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """A partnership term (as it was entered) and its rendering per language code."""

    term: str
    renderings: dict[str, str]
