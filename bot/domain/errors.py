"""What a repository raises that a feature answers in the group's language."""

from __future__ import annotations


class AlreadyBridged(Exception):
    """``chat_id`` already belongs to bridge ``bridge_id`` (a chat is in at most one bridge)."""

    def __init__(self, chat_id: int, bridge_id: int) -> None:
        super().__init__(f"chat {chat_id} is already in bridge {bridge_id}")
        self.chat_id = chat_id
        self.bridge_id = bridge_id


class LinkCodeError(Exception):
    """A link code cannot be redeemed."""


class CodeNotFound(LinkCodeError):
    """No such code (mistyped, or purged)."""


class CodeExpired(LinkCodeError):
    """The code is past its expiry."""


class CodeUsed(LinkCodeError):
    """The code was redeemed already (every one of its uses was taken)."""


class CodeOwnChat(LinkCodeError):
    """The code was redeemed in the chat that issued it; it stays valid."""


class LimitReached(Exception):
    """Storing this would pass ``limit`` (open items of a scope, reminders of a scope, groups of a bridge):
    checked in the transaction that stores it, so two requests at once cannot both pass."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the limit of {limit} is reached")
        self.limit = limit
