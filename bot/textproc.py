"""Text processing around translation: masking what must not be translated, and splitting messages.

Everything here is pure, synchronous and free of Telegram or database imports.

Protection (:func:`protect` / :func:`restore`)
    URLs, e-mail addresses, @mentions, #hashtags, /commands, emoji sequences, code (```blocks``` and
    `inline`), numbers with units or currencies and glossary terms are replaced by placeholders
    ``[[0]]``, ``[[1]]``, ... before the text goes to a machine translator, and put back afterwards.

    Why ``[[n]]``: it is plain ASCII (neural engines such as Argos/LibreTranslate may drop or mangle
    rare symbols like ``⟦``, and letter tokens like ``XQZ0XQZ`` get re-cased, inflected or
    transliterated), it contains no word an engine would translate, and a doubled bracket around a
    number almost never occurs in real text. :func:`restore` accepts what engines do to it: spaces or
    zero-width characters inside (``[ [ 0 ] ]``), full-width brackets and digits (``［［０］］``, as
    Japanese/Chinese output sometimes has) and any Unicode decimal digits. Text that already looks
    like a placeholder is itself protected, so it cannot be confused with one.

    Adjacent spans separated only by spaces or tabs (``@ana @budi``, ``👉 https://…``) share one
    placeholder, so an engine cannot glue them together or reorder them.

Splitting (:func:`split_message` / :func:`split_html`)
    Lengths are counted in UTF-16 code units, as Telegram does (4096 for a text, 1024 for a caption).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Final

__all__ = [
    "Protected",
    "Renderings",
    "escape",
    "is_all_protected",
    "placeholder",
    "protect",
    "restore",
    "split_html",
    "split_message",
    "utf16_len",
]

Renderings = tuple[tuple[str, str], ...]
"""A glossary term's renderings as sorted ``(language, rendering)`` pairs (hashable)."""


@dataclass(frozen=True)
class Protected:
    """A masked text and what its placeholders stand for.

    ``text`` is the text to send to the translator; ``spans`` are the original substrings, in order,
    placeholder ``[[i]]`` standing for ``spans[i]``. ``renderings[i]`` holds the glossary renderings of
    span ``i`` (empty for anything that is not a glossary term); ``target`` is the language given to
    :func:`protect`, used by :func:`restore` when it is not given one.
    """

    text: str
    spans: tuple[str, ...]
    renderings: tuple[Renderings, ...] = ()
    target: str | None = None


# --------------------------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------------------------

# What an engine may put inside a placeholder: spaces, no-break spaces, zero-width characters.
_GAP: Final = r"[\s\u200b\u200c\u200d\u2060\ufeff]*"
_OPEN: Final = r"[\[［]"
_CLOSE: Final = r"[\]］]"
_PLACEHOLDER: Final = re.compile(rf"{_OPEN}{_GAP}{_OPEN}{_GAP}(\d+){_GAP}{_CLOSE}{_GAP}{_CLOSE}")
_PLACEHOLDER_LIKE: Final = rf"{_OPEN}{_GAP}{_OPEN}{_GAP}\d+{_GAP}{_CLOSE}{_GAP}{_CLOSE}"


def placeholder(index: int) -> str:
    """The placeholder standing for span ``index``: ``[[index]]``."""
    return f"[[{index}]]"


# --------------------------------------------------------------------------------------------
# What gets protected
# --------------------------------------------------------------------------------------------

# Emoji: an approximation of Extended_Pictographic that needs no third-party module. Characters of
# the BMP that are usually text (©, ®, ™, arrows, ...) count only with the emoji selector U+FE0F.
_PICTOGRAPHIC: Final = (
    "\u231a\u231b\u23e9-\u23f3\u23f8-\u23fa\u2600-\u27bf\u2b1b\u2b1c\u2b50\u2b55"
    "\U0001f000-\U0001f1e5\U0001f200-\U0001faff\U0001fc00-\U0001fffd"
)
_TEXT_DEFAULT: Final = (
    "\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u2328\u23cf\u24c2"
    "\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2934\u2935\u2b05-\u2b07\u3030\u303d\u3297\u3299"
)
_REGIONAL: Final = "\U0001f1e6-\U0001f1ff"
_EMOJI_ELEMENT: Final = (
    rf"(?:[{_REGIONAL}]{{1,2}}"  # flags: a pair of regional indicators
    r"|[#*0-9]\ufe0f?\u20e3"  # keycaps
    rf"|(?:[{_PICTOGRAPHIC}]|[{_TEXT_DEFAULT}]\ufe0f)"
    r"[\ufe0e\ufe0f]?[\U0001f3fb-\U0001f3ff]?[\U000e0020-\U000e007f]*\u20e3?)"  # style, skin tone, tags
)
_EMOJI_SEQUENCE: Final = rf"{_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*\ufe0f?"

_UNITS: Final = r"km/h|km²|km2|m²|m³|m2|m3|km|cm|mm|kg|mg|ml|ha|kWh|MWh|GWh|kW|MW|GW|°C|°F|TB|GB|MB|kB|Gbps|Mbps|m|g"
_NUMBER: Final = r"\d+(?:[.,]\d+)*"
_CURRENCY_BEFORE: Final = r"Rp\.?|IDR|KRW|USD|EUR|JPY|CNY|US\$|[$€£¥₩]"
_CURRENCY_AFTER: Final = r"IDR|KRW|USD|EUR|JPY|CNY|€"

# Every alternative starts at a character that is not an ASCII letter, digit or underscore, or
# after one that is not (a keycap may follow a letter): the leading check skips other positions fast.
# URLs and e-mail addresses are ASCII (plus Latin letters in URLs), so that words written right
# after them, as Korean particles are ("https://x.com에서"), stay text.
_STRUCTURAL: Final = re.compile(
    r"(?:(?<![A-Za-z0-9_])|(?![A-Za-z0-9_])|(?=\d\ufe0f?\u20e3))(?:"
    + "|".join(
        (
            r"(?P<block>```[\s\S]*?```)",
            r"(?P<code>`[^`\n]+`)",
            rf"(?P<placeholder>{_PLACEHOLDER_LIKE})",
            r"(?P<url>(?<![A-Za-z0-9_@/.])(?i:https?://|www\.|t\.me/)[A-Za-z0-9\u00c0-\u024f\-._~:/?#\[\]@!$&'()*+,;=%]+)",
            r"(?P<email>(?<![A-Za-z0-9_.+\-])[A-Za-z0-9_.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![\w\-]))",
            r"(?P<mention>(?<![\w@.])@[A-Za-z0-9_]{2,32}(?![\w@]))",
            r"(?P<hashtag>(?<![\w#&])#\w+)",
            r"(?P<command>(?<![\w/])/[A-Za-z][A-Za-z0-9_]{0,31}(?:@[A-Za-z0-9_]{3,32})?(?![\w/]))",
            rf"(?P<emoji>(?:{_EMOJI_SEQUENCE})+)",
            rf"(?P<amount>(?<![\w.,])(?:(?:{_CURRENCY_BEFORE})\s?{_NUMBER}(?![\w])"
            rf"|{_NUMBER}\s?(?:(?:{_UNITS}|{_CURRENCY_AFTER})(?![\w/²³])|[원円元])))",
        )
    )
    + ")"
)
_URL_TRAILING: Final = ".,;:!?'\"*"
_URL_PREFIX: Final = re.compile(r"(?i:https?://|www\.|t\.me/)")
_HORIZONTAL_SPACE: Final = re.compile(r"[^\S\n\r\u2028\u2029\x0b\x0c\x1c-\x1e\x85]*")


def _trim_url(url: str) -> str:
    """Drop punctuation that ends the sentence rather than the URL, and unbalanced closing brackets."""
    while url:
        last = url[-1]
        if last in _URL_TRAILING or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        elif last == "]" and url.count("]") > url.count("["):
            url = url[:-1]
        else:
            break
    return url


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x1100 <= code <= 0x11FF
        or 0x2E80 <= code <= 0x9FFF
        or 0xA960 <= code <= 0xA97F
        or 0xAC00 <= code <= 0xD7FF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF66 <= code <= 0xFF9F
        or 0x20000 <= code <= 0x3FFFF
    )


def _normalize_term(term: str) -> str:
    return " ".join(term.split()).casefold()


@lru_cache(maxsize=64)
def _glossary_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for all terms, longest first; whole words except at CJK edges (particles attach)."""
    alternatives: list[str] = []
    for term in sorted(terms, key=lambda t: (-len(t), t)):
        body = r"\s+".join(re.escape(word) for word in term.split())
        before = "" if _is_cjk(term[0]) else r"(?<!\w)"
        after = "" if _is_cjk(term[-1]) else r"(?!\w)"
        alternatives.append(f"{before}{body}{after}")
    if not alternatives:
        return None
    return re.compile("|".join(alternatives), re.IGNORECASE)


# A found span: (start, end, renderings or None when it is not a glossary term).
_Span = tuple[int, int, Renderings | None]


@lru_cache(maxsize=1024)  # a relayed text is checked when it arrives and protected when it is translated
def _structural_spans(text: str) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for match in _STRUCTURAL.finditer(text):
        start, end = match.span()
        if match.lastgroup == "url":
            url = _trim_url(match.group())
            if _URL_PREFIX.fullmatch(url):
                continue  # nothing after "www." or "https://"
            end = start + len(url)
        if spans and _HORIZONTAL_SPACE.fullmatch(text, spans[-1][1], start):
            spans[-1] = (spans[-1][0], end)  # only spaces between: share one placeholder
        else:
            spans.append((start, end))
    return tuple(spans)


def _find_spans(text: str, glossary: Mapping[str, Mapping[str, str]] | None) -> list[_Span]:
    structural = _structural_spans(text)
    terms = tuple(term for term in (glossary or {}) if term.strip())
    pattern = _glossary_pattern(terms) if terms else None
    if pattern is None or glossary is None:
        return [(start, end, None) for start, end in structural]

    entries: dict[str, Renderings] = {}
    for term in terms:
        renderings = glossary[term]
        key = _normalize_term(term)
        if key not in entries:
            entries[key] = tuple(sorted((str(lang).lower(), str(value)) for lang, value in renderings.items()))

    result: list[_Span] = []
    position = 0
    for start, end in [*structural, (len(text), len(text))]:
        for match in pattern.finditer(text, position, start):
            result.append((match.start(), match.end(), entries.get(_normalize_term(match.group()), ())))
        if start < end:
            result.append((start, end, None))
        position = end
    return result


def protect(
    text: str,
    glossary: Mapping[str, Mapping[str, str]] | None = None,
    *,
    target: str | None = None,
) -> Protected:
    """Replace what must not be translated by placeholders ``[[0]]``, ``[[1]]``, ...

    ``glossary`` maps a term to its renderings by language (``{"SDM": {"en": "HR"}}``); terms match
    case-insensitively as whole words (any whitespace between their words), longest first. A term
    with a rendering for the target language comes back as that rendering, any other term as written.
    ``target`` is remembered for :func:`restore`. Text with nothing to protect comes back unchanged,
    with ``spans == ()``.
    """
    found = _find_spans(text, glossary)
    if not found:
        return Protected(text, (), (), target)
    pieces: list[str] = []
    position = 0
    for index, (start, end, _) in enumerate(found):
        pieces.append(text[position:start])
        pieces.append(placeholder(index))
        position = end
    pieces.append(text[position:])
    return Protected(
        "".join(pieces),
        tuple(text[start:end] for start, end, _ in found),
        tuple(renderings or () for _, _, renderings in found),
        target,
    )


def _rendering(renderings: Renderings, target: str | None) -> str | None:
    if not renderings or not target:
        return None
    table = dict(renderings)
    wanted = target.lower()
    return table.get(wanted) or table.get(re.split(r"[-_]", wanted)[0])


def restore(translated: str, protected: Protected, *, target: str | None = None) -> str:
    """Put the protected spans back into a translation of ``protected.text``.

    Placeholders are recognised even when the engine put spaces or zero-width characters inside,
    used full-width brackets or other decimal digits; one repeated by the engine is restored each
    time. Glossary terms come back as their rendering for ``target`` (default: the target given to
    :func:`protect`) when the glossary has one, else as written in the original.

    Nothing is ever lost: spans whose placeholder is missing from the translation are appended at
    the end, in their original order, separated by a space (a line break for multi-line spans).
    """
    if not protected.spans:
        return translated
    language = target if target is not None else protected.target
    values: list[str] = []
    for index, span in enumerate(protected.spans):
        renderings = protected.renderings[index] if index < len(protected.renderings) else ()
        rendered = _rendering(renderings, language)
        values.append(span if rendered is None else rendered)

    seen: set[int] = set()

    def put_back(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index >= len(values):
            return match.group()
        seen.add(index)
        return values[index]

    result = _PLACEHOLDER.sub(put_back, translated)
    missing = [value for index, value in enumerate(values) if index not in seen]
    for value in missing:
        separator = "\n" if "\n" in value else " "
        result = f"{result.rstrip()}{separator}{value}" if result.strip() else value
    return result


def is_all_protected(text: str, glossary: Mapping[str, Mapping[str, str]] | None = None) -> bool:
    """True when there is nothing to translate: no letter outside the protected spans.

    An emoji-only or URL-only message, digits and punctuation, and the empty text all qualify.
    """
    masked = _PLACEHOLDER.sub(" ", protect(text, glossary).text)
    return not any(char.isalpha() for char in masked)


# --------------------------------------------------------------------------------------------
# Lengths and HTML
# --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts message and caption lengths."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for Telegram HTML (quotes need no escaping outside attributes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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


_TAG: Final = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:\s+[^\s=>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]*))?)*)\s*>|</>")
_NAMED_ENTITIES: Final[Mapping[str, str]] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY: Final = re.compile(r"&(?:#[xX]([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z]+));?")


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
