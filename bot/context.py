"""What every use case receives and returns, free of Telegram types.

- ``ChatContext``: the chat a command runs in, resolved once per update (its stored settings, UI
  language, time zone, working week, label, bridge and scope);
- ``Actor``: who asks, by Telegram user id (display names are for showing only, never for permissions);
- ``Reply``: what the command answers in that chat, as a catalogue key and values that the handler
  renders; ``Refused``: the same, raised where a use case stops (bad input, not allowed).

Who may do what is ``bot.permissions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.records import Bridge, Chat, Scope
from bot.language.catalog import Catalog, Markup, default_timezone
from bot.ports import Buttons


def zone_of(chat: Chat) -> str:
    """The chat's IANA time zone: the one it set, else the default for its language."""
    return chat.timezone or default_timezone(chat.language)


@dataclass(frozen=True, slots=True)
class ChatContext:
    """A chat as the use cases see it. ``bridge`` is its bridge, also when the partners have left it (the
    bridge's items stay visible to the group that remains); ``partnered`` says whether anyone is there
    to relay to."""

    chat: Chat
    ui: str  # the catalogue language its messages are written in
    bridge: Bridge | None = None

    @property
    def id(self) -> int:
        return self.chat.id

    @property
    def language(self) -> str:
        """The chat's content language (what relayed text is translated into)."""
        return self.chat.language

    @property
    def timezone(self) -> str:
        return zone_of(self.chat)

    @property
    def label(self) -> str:
        return self.chat.label

    @property
    def is_private(self) -> bool:
        return self.chat.type == "private"

    @property
    def partnered(self) -> bool:
        return self.bridge is not None and len(self.bridge.members) >= 2

    @property
    def bridge_id(self) -> int | None:
        return self.bridge.id if self.bridge is not None else None

    @property
    def scope(self) -> Scope:
        """Whose items, programmes and reminders this chat sees: its bridge's, else its own."""
        return Scope.of(self.bridge_id, self.chat.id)

    @property
    def members(self) -> tuple[Chat, ...]:
        """The groups that share the scope (this one alone when it is in no bridge)."""
        return self.bridge.members if self.bridge is not None else (self.chat,)

    @property
    def workdays(self) -> frozenset[int]:
        """The chat's working week (0 Monday … 6 Sunday; Monday to Friday unless it set another)."""
        return self.chat.workdays

    @property
    def places(self) -> dict[str, str]:
        """Each member's city label (``/city``, where one was set) → its time zone: the places a date may be
        written in ("10:00 Busan time")."""
        chats = (self.chat if chat.id == self.chat.id else chat for chat in self.members)
        return {chat.city: zone_of(chat) for chat in chats if chat.city}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks. ``as_chat``: posted as the group itself (an anonymous administrator), which only an
    administrator of that group can do."""

    user_id: int | None
    name: str
    username: str | None = None
    as_chat: bool = False

    @property
    def label(self) -> str:
        """How announcements name them."""
        return f"@{self.username}" if self.username else self.name


class Phrase(str):
    """A value of a ``Reply`` that is itself a catalogue key, rendered in the reply's language."""


@dataclass(frozen=True)
class Reply:
    """An answer in the asking chat: catalogue ``key`` rendered with ``values`` (HTML-escaped unless
    ``Markup``; a ``Phrase`` is rendered first), in ``language`` when given (else the chat's), with inline
    ``buttons``. For a button
    press it is the short notice shown to the presser (``alert``: as a dialog)."""

    key: str
    values: Mapping[str, object] = field(default_factory=dict)
    buttons: Buttons | None = None
    language: str | None = None
    alert: bool = False
    quote: bool = False  # answer as a reply to the command (a button under it needs the command back)


def reply(key: str, /, **values: object) -> Reply:
    return Reply(key, values)


def render(catalog: Catalog, answer: Reply, language: str) -> str:
    """A reply as Telegram HTML in ``language`` (its own ``language`` wins)."""
    values: Mapping[str, object] = {
        name: Markup(catalog.t(value, answer.language or language)) if isinstance(value, Phrase) else value
        for name, value in answer.values.items()
    }
    return catalog.t(answer.key, answer.language or language, **values)


class Refused(Exception):
    """A use case stops here and says why: the handler answers with ``key`` (an alert for a button)."""

    def __init__(self, key: str, /, *, buttons: Buttons | None = None, quote: bool = False, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
        self.buttons = buttons
        self.quote = quote

    @property
    def reply(self) -> Reply:
        return Reply(self.key, self.values, buttons=self.buttons, alert=True, quote=self.quote)
