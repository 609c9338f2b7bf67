"""The one placeholder scheme of the translation path: ``[[n]]``, in three ranges.

Text on its way to a machine translator carries markers that the engine must leave alone and that
Kembar swaps back afterwards. They all have the form ``[[n]]``: plain ASCII (neural engines such as
Argos/LibreTranslate drop or mangle rare symbols like ``⟦``, and letter tokens like ``XQZ0XQZ`` get
re-cased, inflected or transliterated), no word an engine would translate, and a doubled bracket
around a number almost never occurs in real text. Each step of the path owns one range:

==================  =====================  ==========================================================
range               owner                  stands for
==================  =====================  ==========================================================
``[[0]]``–6999      ``translation.protect``  a protected span: URL, @mention, #tag, emoji, code,
                                           amount, glossary term (and any marker-like text)
``[[7000]]``–8999   ``translation.providers``  a separator line between texts packed into one
                                           provider request
``[[9000]]``–9999   ``bot.language.htmltext``          a formatting tag (``<b>``, ``</a>`` …) of a relayed message
==================  =====================  ==========================================================

The order on the way out: formatting tags become TAG markers (``htmltext.mask_tags``); ``protect``
replaces the protected spans, and every marker-looking text among them, by SPAN placeholders numbered
from 0, so a TAG marker travels as a unit; a provider joins several protected texts with PACK
separators. The way back undoes the steps in reverse order: split at the separators, ``restore`` the
spans, unmask the tags. Because ``protect`` renumbers everything it finds from 0, a text never reaches
a provider with a marker outside the SPAN range except the PACK separators the provider itself adds.

Engines sometimes put spaces or zero-width characters inside a marker (``[ [ 0 ] ]``), or write it
with full-width brackets and digits (``［［０］］``, as Japanese and Chinese output sometimes has):
:data:`MARKER` accepts all of these.
"""

from __future__ import annotations

import re
from typing import Final

SPAN_BASE: Final = 0
SPAN_LIMIT: Final = 7000
PACK_BASE: Final = 7000
PACK_LIMIT: Final = 2000
TAG_BASE: Final = 9000
TAG_LIMIT: Final = 1000

# What an engine may put inside a marker: spaces, no-break spaces, zero-width characters.
_GAP: Final = r"[\s\u200b\u200c\u200d\u2060\ufeff]*"
_OPEN: Final = r"[\[［]"
_CLOSE: Final = r"[\]］]"

MARKER_LIKE: Final = rf"{_OPEN}{_GAP}{_OPEN}{_GAP}\d+{_GAP}{_CLOSE}{_GAP}{_CLOSE}"
"""A regular expression (as text) for anything that looks like a marker, as an engine may return it."""

MARKER: Final = re.compile(rf"{_OPEN}{_GAP}{_OPEN}{_GAP}(\d+){_GAP}{_CLOSE}{_GAP}{_CLOSE}")
"""A marker as an engine may return it; group 1 is its number (any Unicode decimal digits)."""

PACK_SEPARATOR: Final = re.compile(r"\s*\[\[([78]\d{3})\]\]\s*")
"""A PACK separator line (7000–8999) with the whitespace around it; group 1 is its number."""

TAG_MARKER: Final = re.compile(r"\[\[(9\d{3})\]\]")
"""A TAG marker (9000–9999) as ``mask_tags`` writes it; group 1 is its number."""


def marker(number: int) -> str:
    return f"[[{number}]]"


def _in_range(index: int, limit: int, what: str) -> int:
    if not 0 <= index < limit:
        raise ValueError(f"{what} marker index {index} is outside 0..{limit - 1}")
    return index


def span_marker(index: int) -> str:
    """The placeholder of protected span ``index``."""
    return marker(SPAN_BASE + _in_range(index, SPAN_LIMIT, "span"))


def pack_marker(index: int) -> str:
    """The separator before the ``index + 1``-th packed text."""
    return marker(PACK_BASE + _in_range(index, PACK_LIMIT, "pack"))


def tag_marker(index: int) -> str:
    """The marker of formatting tag ``index``."""
    return marker(TAG_BASE + _in_range(index, TAG_LIMIT, "tag"))


def pack_index(number: str | int) -> int | None:
    """The pack index of a marker number, None outside the PACK range."""
    index = int(number) - PACK_BASE
    return index if 0 <= index < PACK_LIMIT else None


def tag_index(number: str | int) -> int | None:
    """The tag index of a marker number, None outside the TAG range."""
    index = int(number) - TAG_BASE
    return index if 0 <= index < TAG_LIMIT else None
