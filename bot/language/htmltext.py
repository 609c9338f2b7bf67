"""Telegram HTML, written once: escaping, lengths, tags (strip, mask for translation, unmask) and splitting.

Pure, synchronous, free of Telegram and database imports. Lengths are counted in UTF-16 code units,
as Telegram does (4096 for a text, 1024 for a caption). Formatting tags travel through translation as
TAG markers ``[[9000]]``, ``[[9001]]`` … (:mod:`bot.language.markers` documents the scheme).
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Final

from bot.language.markers import TAG_LIMIT, TAG_MARKER, tag_index, tag_marker

__all__ = [
    "escape",
    "has_tags",
    "mask_tags",
    "split_html",
    "split_message",
    "strip_tag_marks",
    "strip_tags",
    "unmask_tags",
    "utf16_len",
]

# --------------------------------------------------------------------------------------------
# Lengths and escaping
# --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts message and caption lengths."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for Telegram HTML (quotes need no escaping outside attributes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------------------------

_TAG: Final = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:\s+[^\s=>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]*))?)*)\s*>|</>")
_NAMED_ENTITIES: Final[Mapping[str, str]] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY: Final = re.compile(r"&(?:#[xX]([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+));?")


def has_tags(html_text: str) -> bool:
    """The text carries formatting (at least one tag), not just escaped plain text."""
    return _TAG.search(html_text) is not None


def strip_tags(html_text: str) -> str:
    """The visible text of Telegram HTML, as plain text."""
    return _html.unescape(_TAG.sub("", html_text))


def mask_tags(html_text: str) -> tuple[str, list[str]]:
    """Telegram HTML → plain text with each tag replaced by a TAG marker, and the tags in order.

    A text with more tags than the TAG range holds comes back as plain text without markers (and no
    tags): it is translated, and relayed, without its formatting.
    """
    tags: list[str] = []
    out: list[str] = []
    position = 0
    for match in _TAG.finditer(html_text):
        out.append(_html.unescape(html_text[position : match.start()]))
        if len(tags) == TAG_LIMIT:
            return strip_tags(html_text), []
        out.append(tag_marker(len(tags)))
        tags.append(match.group())
        position = match.end()
    out.append(_html.unescape(html_text[position:]))
    return "".join(out), tags


def unmask_tags(text: str, tags: list[str]) -> str | None:
    """Translated masked text → Telegram HTML; None unless every tag came back once, in order."""
    out: list[str] = []
    seen: list[int] = []
    position = 0
    for match in TAG_MARKER.finditer(text):
        index = tag_index(match.group(1))
        if index is None or index >= len(tags):
            continue
        out.append(escape(text[position : match.start()]))
        out.append(tags[index])
        seen.append(index)
        position = match.end()
    out.append(escape(text[position:]))
    if seen != list(range(len(tags))):
        return None
    return "".join(out)


def strip_tag_marks(text: str) -> str:
    """Translated masked text without its TAG markers (when they cannot be unmasked)."""
    return TAG_MARKER.sub("", text)


# --------------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------------

# Where a part may end, best first. Each entry: (pattern, cut before the match? else after it).
_BOUNDARIES: Final[tuple[tuple[re.Pattern[str], bool], ...]] = (
    (re.compile(r"\n[^\S\n]*\n"), True),  # paragraph
    (re.compile(r"\n"), True),  # line
    (re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|[。！？｡．]+[」』”’）)\]]*"), False),  # sentence
    (re.compile(r"[,;:]+(?=\s)|[、，；：]+"), False),  # clause
    (re.compile(r"\s+"), True),  # word
)
# A boundary of a better kind is used only if it leaves the part at least this full.
_MIN_FILL: Final = 0.5


def _extends(char: str) -> bool:
    """Characters that belong to the grapheme before them."""
    code = ord(char)
    return (
        code == 0x200D
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
        or 0xE0100 <= code <= 0xE01EF
        or 0x1160 <= code <= 0x11FF  # Hangul medial vowels and final consonants
        or 0xD7B0 <= code <= 0xD7FF
        or unicodedata.category(char) in ("Mn", "Me", "Mc")
    )


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _grapheme_break(text: str, index: int) -> bool:
    """Whether a cut between ``text[index - 1]`` and ``text[index]`` keeps graphemes whole."""
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    if _extends(after) or before == "\u200d" or (before == "\r" and after == "\n"):
        return False
    if _is_regional(before) and _is_regional(after):
        run = 0
        while index - 1 - run >= 0 and _is_regional(text[index - 1 - run]):
            run += 1
        return run % 2 == 0
    return True


def _choose_cut(text: str, start: int, stop: int) -> int:
    """Where to end a part that starts at ``start`` and may not reach beyond ``stop`` (exclusive)."""
    window = text[start : min(stop + 1, len(text))]  # one more character, to see what follows
    size = stop - start
    furthest = 0
    for pattern, before in _BOUNDARIES:
        best = 0
        for match in pattern.finditer(window):
            cut = match.start() if before else match.end()
            if 0 < cut <= size and window[:cut].strip():
                best = max(best, cut)
        if best >= size * _MIN_FILL:
            return start + best
        furthest = max(furthest, best)
    if furthest:
        return start + furthest
    cut = stop
    while cut > start and not _grapheme_break(text, cut):
        cut -= 1
    return cut if cut > start else stop  # a single grapheme longer than the limit: cut it


def _ranges(text: str, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each part of ``text``, for a text that does not fit in one part."""
    units = list(accumulate((2 if ord(char) > 0xFFFF else 1 for char in text), initial=0))
    size = len(text)
    ranges: list[tuple[int, int]] = []
    position = 0
    while True:
        while position < size and text[position].isspace():
            position += 1
        if position >= size:
            break
        if units[size] - units[position] <= limit:
            end = size
        else:
            stop = bisect_right(units, units[position] + limit) - 1
            if stop <= position:
                raise ValueError(f"limit {limit} is too small for the character {text[position]!r}")
            end = _choose_cut(text, position, stop)
        next_position = end
        while end > position and text[end - 1].isspace():
            end -= 1
        ranges.append((position, end))
        position = next_position
    return ranges


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` UTF-16 code units (Telegram: 4096, 1024).

    A text that fits is returned unchanged (``[text]``); an empty or whitespace-only text gives
    ``[]``. Otherwise parts end, by preference, at a paragraph break, a line break, a sentence end
    (``. ! ? …`` before whitespace, ``。！？`` anywhere), a clause end (``, ; :``, ``、，``), whitespace,
    and only as a last resort inside a word, never inside a grapheme (emoji ZWJ sequence, flag,
    keycap, skin tone, combining mark) unless one grapheme alone exceeds the limit. A better kind of
    boundary is taken only if it fills the part at least half way.

    Exactly: ``text == g0 + p1 + g1 + p2 + ... + pn + gn`` where ``p1..pn`` are the parts and every
    ``g`` is whitespace only (the whitespace at a cut point is dropped). No part is empty, and no part
    starts or ends with whitespace. Raises ``ValueError`` if ``limit < 1`` or a single character does
    not fit (an astral character with ``limit == 1``).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if not text.strip():
        return []
    if utf16_len(text) <= limit:
        return [text]
    return [text[start:end] for start, end in _ranges(text, limit)]


def _decode_entity(html: str, position: int) -> tuple[str, int] | None:
    """Decode the character reference at ``position`` the way Telegram does, if it is one."""
    match = _ENTITY.match(html, position)
    if match is None:
        return None
    hexadecimal, decimal, name = match.groups()
    if name is not None:
        named = _NAMED_ENTITIES.get(name)
        return (named, match.end()) if named is not None else None
    try:
        code = int(hexadecimal, 16) if hexadecimal is not None else int(decimal)
    except ValueError:
        return None
    if code == 0 or code >= 0x10FFFF or match.end() - position > 10:
        return None
    return chr(code), match.end()


@dataclass(frozen=True)
class _Tag:
    index: int  # visible character before which the tag stands
    opening: bool
    name: str
    source: str


def _parse_html(html: str) -> tuple[list[str], list[int], list[int], list[_Tag]]:
    """Visible characters with their source ranges, and the tags between them."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    tags: list[_Tag] = []
    position = 0
    size = len(html)
    while position < size:
        char = html[position]
        if char == "<":
            match = _TAG.match(html, position)
            if match is not None:
                closing, name = match.group(1), match.group(2)
                tags.append(_Tag(len(chars), not closing and name is not None, (name or "").lower(), match.group()))
                position = match.end()
                continue
        elif char == "&":
            decoded = _decode_entity(html, position)
            if decoded is not None:
                chars.append(decoded[0])
                starts.append(position)
                ends.append(decoded[1])
                position = decoded[1]
                continue
        chars.append(char)
        starts.append(position)
        ends.append(position + 1)
        position += 1
    return chars, starts, ends, tags


def _apply(stack: list[_Tag], tag: _Tag) -> None:
    if tag.opening:
        stack.append(tag)
    elif stack:
        stack.pop()


_ENTITY_LIKE: Final = re.compile(r"&[#\w]*;?")
_NOT_SPACE: Final = re.compile(r"\S")


def split_html(html: str, limit: int) -> list[str]:
    """Split Telegram HTML into valid HTML parts whose visible text is at most ``limit`` UTF-16 units.

    The visible text (after entity decoding, as Telegram counts it) is split exactly like
    :func:`split_message`; cuts never fall inside a tag or a character reference such as ``&amp;``.
    Tags open at a cut (``b``, ``i``, ``u``, ``s``, ``code``, ``pre``, ``a``, ``blockquote``, spoilers,
    ...) are closed at the end of a part and reopened, with their attributes, at the start of the
    next. ``html`` must be valid Telegram HTML. A text that fits is returned unchanged, an empty one
    gives ``[]``.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if utf16_len(html) <= limit and _NOT_SPACE.search(_ENTITY_LIKE.sub("", _TAG.sub("", html))):
        # It fits (the visible text is never longer than its HTML) and something visible is not blank:
        # a character outside every tag and everything that could be a character reference.
        return [html]
    return _split_parsed(html, limit)


def _split_parsed(html: str, limit: int) -> list[str]:
    """``split_html`` through the full parse."""
    chars, starts, ends, tags = _parse_html(html)
    plain = "".join(chars)
    if not plain.strip():
        return []
    if utf16_len(plain) <= limit:
        return [html]

    parts: list[str] = []
    stack: list[_Tag] = []
    next_tag = 0
    for start, end in _ranges(plain, limit):
        while next_tag < len(tags) and tags[next_tag].index <= start:
            _apply(stack, tags[next_tag])
            next_tag += 1
        opening = "".join(tag.source for tag in stack)
        body = html[starts[start] : ends[end - 1]]
        while next_tag < len(tags) and tags[next_tag].index < end:
            _apply(stack, tags[next_tag])
            next_tag += 1
        closing = "".join(f"</{tag.name}>" for tag in reversed(stack))
        parts.append(opening + body + closing)
    return parts


def shorten_html(html: str, max_chars: int, tail: str = "") -> str:
    """``html`` itself when it is at most ``max_chars`` characters as written (tags and character references
    counted: ``&amp;`` is five), else its beginning, cut at a place :func:`split_html` allows and followed
    by ``tail`` (Telegram HTML too), the whole at most ``max_chars``."""
    if len(html) <= max_chars:
        return html
    room = max_chars - len(tail)
    if room < 1:
        raise ValueError("no room for any text beside the tail")
    limit = room
    while limit >= 1:
        parts = split_html(html, limit)
        if parts and len(parts[0]) <= room:
            return parts[0] + tail
        limit = limit * 3 // 4 if limit > 4 else limit - 1
    return tail
