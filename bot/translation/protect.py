"""Protection: what must not be translated is masked before a text goes to a machine translator.

Pure, synchronous, free of Telegram and database imports.

URLs, e-mail addresses, @mentions, #hashtags, /commands, emoji sequences, code (```blocks``` and
`inline`), numbers with units or currencies and glossary terms are replaced by SPAN placeholders
``[[0]]``, ``[[1]]``, ... (:mod:`bot.language.markers` documents the scheme and its ranges) and put
back afterwards. :func:`restore` accepts what engines do to a placeholder (spaces or zero-width
characters inside, full-width brackets and digits, other Unicode decimal digits). Text that already
looks like a marker is itself protected, so it cannot be confused with one.

Adjacent spans separated only by spaces or tabs (``@ana @budi``, ``👉 https://…``) share one
placeholder, so an engine cannot glue them together or reorder them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from bot.language.markers import MARKER, MARKER_LIKE, SPAN_LIMIT, span_marker

__all__ = ["Protected", "Renderings", "is_all_protected", "protect", "restore"]

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
            rf"(?P<placeholder>{MARKER_LIKE})",
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
    found = _find_spans(text, glossary)[:SPAN_LIMIT]  # beyond the range (never in a Telegram message): text
    if not found:
        return Protected(text, (), (), target)
    pieces: list[str] = []
    position = 0
    for index, (start, end, _) in enumerate(found):
        pieces.append(text[position:start])
        pieces.append(span_marker(index))
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

    result = MARKER.sub(put_back, translated)
    missing = [value for index, value in enumerate(values) if index not in seen]
    for value in missing:
        separator = "\n" if "\n" in value else " "
        result = f"{result.rstrip()}{separator}{value}" if result.strip() else value
    return result


def is_all_protected(text: str, glossary: Mapping[str, Mapping[str, str]] | None = None) -> bool:
    """True when there is nothing to translate: no letter outside the protected spans.

    An emoji-only or URL-only message, digits and punctuation, and the empty text all qualify.
    """
    masked = MARKER.sub(" ", protect(text, glossary).text)
    return not any(char.isalpha() for char in masked)
