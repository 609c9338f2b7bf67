"""The translation contract: the ``Translator`` protocol, its errors and provider-neutral helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, Protocol, runtime_checkable

__all__ = [
    "CircuitOpenError",
    "TranslationAuthError",
    "TranslationError",
    "TranslationRejected",
    "TranslationTimeout",
    "TranslationUnavailable",
    "Translator",
    "UnsupportedLanguage",
    "split_text",
    "utf8_length",
]


class TranslationError(Exception):
    """A translation could not be produced. Messages never contain API keys or user text."""


class TranslationUnavailable(TranslationError):
    """The provider is unreachable, overloaded, rate limiting or failing: worth retrying later."""


class TranslationTimeout(TranslationUnavailable):
    """The provider did not answer within the configured timeout."""


class CircuitOpenError(TranslationUnavailable):
    """Failing fast: the provider failed repeatedly and is cooling down (circuit breaker open)."""


class TranslationRejected(TranslationError):
    """The provider answered but refused this request; retrying the same request will not help."""


class UnsupportedLanguage(TranslationRejected):
    """The language code is malformed or not supported by the provider."""


class TranslationAuthError(TranslationRejected):
    """The provider rejected the credentials (missing, invalid or blocked API key)."""


@runtime_checkable
class Translator(Protocol):
    """Translates a batch of texts from ``source`` (``None``: detect) into ``target``.

    Returns one string per input, in order. Empty and whitespace-only texts come back unchanged.
    Raises ``TranslationError`` (or a subclass) when the batch cannot be translated.
    """

    name: str

    async def translate(self, texts: list[str], source: str | None, target: str) -> list[str]: ...


def utf8_length(text: str) -> int:
    """Length in UTF-8 bytes (for providers whose limit is in bytes)."""
    return len(text.encode("utf-8"))


# Where a piece may end, strongest first: after sentence punctuation (with closing quotes/brackets)
# followed by whitespace, after CJK sentence punctuation (no space needed), after a line break.
_SENTENCE_END: Final = re.compile(
    r"[.!?…]+[\"'”’»)\]]*\s+|[。！？]+[」』”’）)]*\s*|\n\s*",
)
_WHITESPACE: Final = re.compile(r"\s+")


def _fit(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """The largest n >= 1 such that ``measure(text[:n]) <= limit`` (``measure`` must be additive)."""
    if measure is len:
        return max(1, min(len(text), limit))
    total = 0
    for index, ch in enumerate(text):
        total += measure(ch)
        if total > limit:
            return max(1, index)
    return len(text)


def _last_end(pattern: re.Pattern[str], window: str) -> int:
    last = 0
    for match in pattern.finditer(window):
        last = match.end()
    return last


def split_text(text: str, limit: int, *, measure: Callable[[str], int] = len) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` (as counted by ``measure``).

    Pieces end on sentence boundaries when possible, else on whitespace, else are cut hard. The
    whitespace after a boundary stays with the piece before it, so ``"".join(pieces) == text``.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pieces: list[str] = []
    rest = text
    while measure(rest) > limit:
        end = _fit(rest, limit, measure)
        window = rest[:end]
        cut = _last_end(_SENTENCE_END, window) or _last_end(_WHITESPACE, window) or end
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces
