"""Telegram-style message formatting for the Bot API emulator.

This module reproduces, as closely as practical, what the Bot API server does with the text of a
message before storing it:

* :func:`parse_html` is a port of tdlib's ``parse_html`` (``td/telegram/MessageEntity.cpp``): the
  same accepted tags, the same lenient handling of ``&`` and ``>``, and the same error messages
  (``Unsupported start tag "p" at byte offset 12`` ...), with byte offsets counted in UTF-8.
* :func:`entities_from_param` validates an explicit ``entities``/``caption_entities`` parameter.
* :func:`finalize` mirrors ``fix_formatted_text``: it drops carriage returns and a few invisible
  characters, trims leading and trailing whitespace, removes whitespace-only entities and adds the
  entities Telegram detects by itself (bot commands, mentions, hashtags, cashtags, URLs, e-mails).

Entity offsets and lengths are in UTF-16 code units, exactly like in the Bot API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

JsonDict = dict[str, Any]

__all__ = [
    "EmptyTextError",
    "EntitiesFieldError",
    "EntityParseError",
    "FormattedText",
    "JsonDict",
    "entities_from_param",
    "finalize",
    "find_entities",
    "normalize_url",
    "parse_html",
    "utf16_len",
]


class EntityParseError(ValueError):
    """The HTML could not be parsed; ``str(exc)`` is tdlib's wording of the problem.

    The Bot API reports it as ``Bad Request: can't parse entities: <message>``.
    """


class EntitiesFieldError(ValueError):
    """An explicit ``entities`` parameter is malformed; ``str(exc)`` is the whole description."""


class EmptyTextError(ValueError):
    """The text is empty once formatting and surrounding whitespace are removed."""


@dataclass(frozen=True)
class FormattedText:
    """Plain text plus its entities (Bot API ``MessageEntity`` dictionaries, UTF-16 offsets)."""

    text: str
    entities: list[JsonDict] = field(default_factory=list)


# Tags accepted by the Bot API HTML parser.
_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAGS: Mapping[str, str] = MappingProxyType(
    {
        "b": "bold",
        "strong": "bold",
        "i": "italic",
        "em": "italic",
        "u": "underline",
        "ins": "underline",
        "s": "strikethrough",
        "strike": "strikethrough",
        "del": "strikethrough",
        "tg-spoiler": "spoiler",
        "span": "spoiler",
    }
)
# tdlib's is_space(); the end of the text counts as a NUL character.
_SPACES = frozenset(" \t\r\n\v\f\0")

# Sort priority of entity types at the same offset and length (tdlib get_type_priority).
_PRIORITY: Mapping[str, int] = MappingProxyType(
    {
        "mention": 50,
        "hashtag": 50,
        "bot_command": 50,
        "url": 50,
        "email": 50,
        "bold": 90,
        "italic": 91,
        "code": 20,
        "pre": 11,
        "text_link": 49,
        "text_mention": 49,
        "cashtag": 50,
        "phone_number": 50,
        "underline": 92,
        "strikethrough": 93,
        "blockquote": 0,
        "expandable_blockquote": 0,
        "spoiler": 94,
        "custom_emoji": 99,
    }
)
_NAMED_REFERENCES: Mapping[str, str] = MappingProxyType({"lt": "<", "gt": ">", "amp": "&", "quot": '"'})

# Entity types a client may set explicitly; the others are detected by the server.
_USER_ENTITY_TYPES = frozenset(
    {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "blockquote",
        "expandable_blockquote",
    }
)
_DETECTED_ENTITY_TYPES = frozenset(
    {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bank_card"}
)
# Automatically detected entities never overlap these.
_OPAQUE_TYPES = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji"})

_MAX_INT64 = 2**63 - 1


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _sort_key(entity: JsonDict) -> tuple[int, int, int]:
    return (int(entity["offset"]), -int(entity["length"]), _PRIORITY.get(str(entity["type"]), 50))


def sort_entities(entities: list[JsonDict]) -> list[JsonDict]:
    """Sort entities the way the Bot API returns them."""
    return sorted(entities, key=_sort_key)


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def _decode_html_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode ``&...`` at ``pos`` like tdlib; returns (character or None, position after it)."""
    size = len(text)

    def at(i: int) -> str:
        return text[i] if i < size else "\0"

    end = pos + 1
    code = 0
    if at(pos + 1) == "#":
        end += 1
        if at(pos + 2) == "x":
            end += 1
            while at(end) in "0123456789abcdefABCDEF":
                code = code * 16 + int(at(end), 16)
                end += 1
                if code >= 0x10FFFF:
                    break
        else:
            while at(end).isascii() and at(end).isdigit():
                code = code * 10 + int(at(end))
                end += 1
                if code >= 0x10FFFF:
                    break
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None, pos
        char = chr(code)
    else:
        while at(end).isascii() and at(end).isalpha():
            end += 1
        name = text[pos + 1 : end]
        named = _NAMED_REFERENCES.get(name)
        if named is None:
            return None, pos
        char = named
    if at(end) == ";":
        end += 1
    return char, end


@dataclass
class _OpenTag:
    tag: str
    argument: str
    utf16_offset: int
    out_index: int


_SPECIAL: Final = re.compile(r"[<&]")


class _ByteOffsets:
    """UTF-8 byte offsets of character positions (for error messages only, so worked out on demand)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __getitem__(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8", "surrogatepass"))


def parse_html(source: str, *, resolve_user: Callable[[int], JsonDict | None] | None = None) -> FormattedText:
    """Parse Bot API HTML into plain text and entities; raises :class:`EntityParseError`.

    ``resolve_user`` maps the id of a ``tg://user?id=N`` link to a Bot API ``User`` dictionary;
    links to unknown users become plain text, as the Bot API cannot mention them.
    """
    size = len(source)
    byte_at = _ByteOffsets(source)

    def at(i: int) -> str:
        return source[i] if i < size else "\0"

    def ended(i: int) -> bool:
        return i >= size or source[i] == "\0"

    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[JsonDict] = []
    i = 0
    while i < size:
        char = source[i]
        if char == "&":
            decoded, after = _decode_html_entity(source, i)
            if decoded is not None:
                out.append(decoded)
                utf16 += _units(decoded)
                i = after
                continue
        if char != "<":
            # Plain text up to the next tag or entity, in one piece.
            special = _SPECIAL.search(source, i + 1)
            after = special.start() if special is not None else size
            chunk = source[i:after]
            out.append(chunk)
            utf16 += _unit_count(chunk)
            i = after
            continue

        begin = i
        i += 1
        if at(i) != "/":
            # A start tag.
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            if ended(i):
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_at[begin]}")
            tag = source[begin + 1 : i].lower()
            if tag not in _TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {byte_at[begin]}')
            argument = ""
            while at(i) != ">":
                while not ended(i) and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                attribute_begin = i
                while at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                attribute_name = source[attribute_begin:i].lower()
                if not attribute_name:
                    raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {byte_at[begin]}')
                while not ended(i) and at(i) in _SPACES:
                    i += 1
                if ended(i):
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_at[begin]}')
                if at(i) != "=":
                    if tag == "blockquote" and attribute_name == "expandable":
                        argument = "1"
                        continue
                    raise EntityParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {byte_at[begin]}'
                    )
                i += 1
                while not ended(i) and at(i) in _SPACES:
                    i += 1
                if ended(i):
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_at[begin]}')
                if at(i) not in "'\"":
                    # A name token: letters, digits, periods and hyphens; case-insensitive.
                    token_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                        i += 1
                    value = source[token_begin:i].lower()
                    if at(i) not in _SPACES and at(i) != ">":
                        raise EntityParseError(f"Unexpected end of name token at byte offset {byte_at[token_begin]}")
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while not ended(i) and at(i) != quote:
                        if at(i) == "&":
                            decoded, after = _decode_html_entity(source, i)
                            if decoded is not None:
                                chars.append(decoded)
                                i = after
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if ended(i):
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_at[begin]}")
                if tag == "a" and attribute_name == "href":
                    argument = value
                elif tag == "code" and attribute_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attribute_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attribute_name == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attribute_name == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_at[begin]}')
            stack.append(_OpenTag(tag, argument, utf16, len(out)))
        else:
            # An end tag.
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_at[begin]}")
            i += 1
            name_begin = i
            while at(i) not in _SPACES and at(i) != ">":
                i += 1
            end_tag = source[name_begin:i]
            while not ended(i) and at(i) in _SPACES:
                i += 1
            if at(i) != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_at[begin]}")
            opened = stack.pop()
            if end_tag and end_tag != opened.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {byte_at[begin]}, expected "</{opened.tag}>", '
                    f'found "</{end_tag}>"'
                )
            if utf16 > opened.utf16_offset:
                _close_entity(opened, utf16, "".join(out[opened.out_index :]), entities, resolve_user)
        i += 1  # the closing '>'

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')

    text = "".join(out)
    try:
        # Joins surrogate pairs written as two numeric references; fails on unmatched ones.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from None
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return FormattedText(text, sort_entities(entities))


def _close_entity(
    opened: _OpenTag,
    utf16_end: int,
    content: str,
    entities: list[JsonDict],
    resolve_user: Callable[[int], JsonDict | None] | None,
) -> None:
    offset = opened.utf16_offset
    length = utf16_end - offset
    tag = opened.tag
    base: JsonDict = {"offset": offset, "length": length}
    last = entities[-1] if entities else None
    same_range = last is not None and last["offset"] == offset and last["length"] == length
    if tag in _SIMPLE_TAGS:
        entities.append({"type": _SIMPLE_TAGS[tag], **base})
    elif tag == "a":
        url = opened.argument or content
        user_id = _link_user_id(url)
        if user_id is not None:
            user = resolve_user(user_id) if resolve_user is not None else None
            if user is not None:
                entities.append({"type": "text_mention", **base, "user": user})
            return
        normalized = normalize_url(url)
        if normalized is not None:
            entities.append({"type": "text_link", **base, "url": normalized})
    elif tag == "pre":
        if last is not None and same_range and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", **base})
    elif tag == "code":
        if last is not None and same_range and last["type"] == "pre" and opened.argument:
            last["language"] = opened.argument
        else:
            entity: JsonDict = {"type": "code", **base}
            if opened.argument:
                entity["language"] = opened.argument
            entities.append(entity)
    elif tag == "tg-emoji":
        argument = opened.argument
        if not (argument.isascii() and argument.isdigit()) or not 0 < int(argument) <= _MAX_INT64:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append({"type": "custom_emoji", **base, "custom_emoji_id": argument})
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        entities.append({"type": kind, **base})


_USER_LINK = re.compile(r"^tg://user\?id=(\d{1,19})$", re.IGNORECASE)


def _link_user_id(url: str) -> int | None:
    match = _USER_LINK.match(url.strip())
    if match is None:
        return None
    user_id = int(match.group(1))
    return user_id if 0 < user_id <= _MAX_INT64 else None


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST = re.compile(
    r"^(?:[A-Za-z0-9\u00a1-\uffff](?:[A-Za-z0-9\u00a1-\uffff-]*[A-Za-z0-9\u00a1-\uffff])?\.)+"
    r"[A-Za-z\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff-]*[A-Za-z0-9\u00a1-\uffff]$"
)
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


def normalize_url(url: str) -> str | None:
    """Validate and normalize a link target like tdlib's ``check_url``; ``None`` if invalid.

    ``telegram.org?x`` becomes ``http://telegram.org/?x``; ``tg://`` and ``ton://`` links are kept.
    """
    if not url or any(char in url for char in " \n\t\r"):
        return None
    match = _SCHEME.match(url)
    if match is None:
        if ":" in url.split("/", 1)[0].split("?", 1)[0] and not re.match(r"^[^:]+:\d+", url):
            return None  # "javascript:..." and other non-hierarchical schemes
        scheme, rest = "http", url
    else:
        scheme, rest = match.group(1).lower(), url[match.end() :]
    if scheme in ("tg", "ton", "tonsite"):
        return f"{scheme}://{rest}" if rest else None
    if scheme not in ("http", "https", "ftp"):
        return None
    cut = len(rest)
    for separator in "/?#":
        position = rest.find(separator)
        if position != -1:
            cut = min(cut, position)
    authority, tail = rest[:cut], rest[cut:]
    host = authority.rsplit("@", 1)[-1]
    if host.count(":") == 1:
        host, port = host.split(":")
        if not port.isdigit() or not 0 < int(port) < 65536:
            return None
    if not (_HOST.match(host) or _IPV4.match(host)):
        return None
    if not tail.startswith("/"):
        tail = "/" + tail
    return f"{scheme}://{authority}{tail}"


# --------------------------------------------------------------------------------------------
# Explicit entities
# --------------------------------------------------------------------------------------------


def entities_from_param(
    value: object, text: str, *, resolve_user: Callable[[int], JsonDict | None] | None = None
) -> list[JsonDict]:
    """Validate an ``entities`` parameter (already JSON-decoded) against ``text``.

    Raises :class:`EntitiesFieldError` with the Bot API description for malformed input. Entity
    types that Telegram detects by itself (mentions, URLs, ...) are dropped, like the server does;
    entities outside the text are clipped or dropped.
    """
    if not isinstance(value, list):
        raise EntitiesFieldError("can't parse entities JSON object")
    total = utf16_len(text)
    result: list[JsonDict] = []
    for raw in value:
        if not isinstance(raw, dict):
            raise EntitiesFieldError("can't parse MessageEntity: expected an Object")
        for name in ("type", "offset", "length"):
            if name not in raw:
                raise EntitiesFieldError(f"can't parse MessageEntity: Can't find field \"{name}\"")
        kind = raw["type"]
        if not isinstance(kind, str):
            raise EntitiesFieldError('can\'t parse MessageEntity: Field "type" must be of type String')
        for name in ("offset", "length"):
            if not isinstance(raw[name], int) or isinstance(raw[name], bool):
                raise EntitiesFieldError(f'can\'t parse MessageEntity: Field "{name}" must be of type Number')
        if kind in _DETECTED_ENTITY_TYPES:
            continue
        if kind not in _USER_ENTITY_TYPES:
            raise EntitiesFieldError("can't parse MessageEntity: Unsupported type specified")
        offset, length = int(raw["offset"]), int(raw["length"])
        if offset < 0 or length <= 0 or offset >= total:
            continue
        length = min(length, total - offset)
        entity: JsonDict = {"type": kind, "offset": offset, "length": length}
        if kind == "text_link":
            url = raw.get("url")
            if not isinstance(url, str):
                raise EntitiesFieldError("can't parse MessageEntity: Can't find field \"url\"")
            normalized = normalize_url(url)
            if normalized is None:
                raise EntitiesFieldError("can't parse MessageEntity: Wrong URL specified")
            entity["url"] = normalized
        elif kind == "text_mention":
            user = raw.get("user")
            if not isinstance(user, dict) or not isinstance(user.get("id"), int):
                raise EntitiesFieldError("can't parse MessageEntity: Can't find field \"user\"")
            resolved = resolve_user(int(user["id"])) if resolve_user is not None else user
            if resolved is None:
                raise EntitiesFieldError("can't parse MessageEntity: User not found")
            entity["user"] = resolved
        elif kind == "custom_emoji":
            emoji_id = raw.get("custom_emoji_id")
            if not isinstance(emoji_id, str) or not emoji_id.isdigit():
                raise EntitiesFieldError("can't parse MessageEntity: Invalid custom emoji identifier specified")
            entity["custom_emoji_id"] = emoji_id
        elif kind == "pre" and isinstance(raw.get("language"), str) and raw["language"]:
            entity["language"] = raw["language"]
        result.append(entity)
    return sort_entities(result)


# --------------------------------------------------------------------------------------------
# Normalization and detected entities
# --------------------------------------------------------------------------------------------

# Characters the server removes from texts: U+2028..U+202E and three combining marks.
_REMOVED = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")


def _is_blank(char: str) -> bool:
    return ord(char) <= 32


def _unit_count(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _remap(text: str, entities: Sequence[JsonDict], keep: Sequence[bool]) -> tuple[str, list[JsonDict]]:
    """Remove the characters whose ``keep`` flag is false, shifting and shrinking entities."""
    if all(keep):  # the common case: positions stay, entities are only clipped to the text
        units = _unit_count(text)
        clipped: list[JsonDict] = []
        for entity in entities:
            start = min(int(entity["offset"]), units)
            end = min(int(entity["offset"]) + int(entity["length"]), units)
            if end > start:
                clipped.append({**entity, "offset": start, "length": end - start})
        return text, clipped
    return _remap_each(text, entities, keep)


def _remap_each(text: str, entities: Sequence[JsonDict], keep: Sequence[bool]) -> tuple[str, list[JsonDict]]:
    """``_remap`` character by character (any ``keep``)."""
    new_position: list[int] = []
    count = 0
    for char, kept in zip(text, keep, strict=True):
        for _ in range(_units(char)):
            new_position.append(count)
            count += 1 if kept else 0
    new_position.append(count)
    result: list[JsonDict] = []
    for entity in entities:
        start = new_position[min(int(entity["offset"]), len(new_position) - 1)]
        end = new_position[min(int(entity["offset"]) + int(entity["length"]), len(new_position) - 1)]
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    new_text = "".join(char for char, kept in zip(text, keep, strict=True) if kept)
    return new_text, result


def _char_index_by_unit(text: str) -> list[int]:
    """For every UTF-16 unit offset (plus the end), the index of the character it falls in."""
    if _unit_count(text) == len(text):  # no character outside the BMP: units are characters
        return list(range(len(text) + 1))
    index: list[int] = []
    for position, char in enumerate(text):
        index.extend([position] * _units(char))
    index.append(len(text))
    return index


def finalize(text: str, entities: Sequence[JsonDict], *, allow_empty: bool = False) -> FormattedText:
    """Normalize a parsed text the way the server stores it, then add detected entities.

    Raises :class:`EmptyTextError` if nothing but whitespace remains and ``allow_empty`` is false.
    """
    keep = [char not in _REMOVED for char in text]
    text, kept_entities = _remap(text, entities, keep)

    # Whitespace-only entities are dropped.
    unit_to_char = _char_index_by_unit(text)
    visible: list[JsonDict] = []
    for entity in kept_entities:
        first = unit_to_char[entity["offset"]]
        last = unit_to_char[entity["offset"] + entity["length"]]
        if any(not _is_blank(char) for char in text[first:last]):
            visible.append(entity)

    # Trailing whitespace is trimmed; leading spaces and newlines only before the first entity.
    end = len(text)
    while end > 0 and _is_blank(text[end - 1]):
        end -= 1
    first_entity = min((unit_to_char[e["offset"]] for e in visible), default=end)
    start = 0
    while start < min(end, first_entity) and text[start] in " \n":
        start += 1
    keep = [start <= position < end for position in range(len(text))]
    text, visible = _remap(text, visible, keep)

    if not text or all(_is_blank(char) for char in text):
        if allow_empty:
            return FormattedText("", [])
        raise EmptyTextError("text is empty")

    return FormattedText(text, merge_detected(text, visible))


def merge_detected(text: str, entities: Sequence[JsonDict]) -> list[JsonDict]:
    """Add the automatically detected entities that do not clash with ``entities``."""
    opaque = [(e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _OPAQUE_TYPES]
    merged = list(entities)
    for found in find_entities(text):
        start, end = found["offset"], found["offset"] + found["length"]
        if all(end <= o_start or start >= o_end for o_start, o_end in opaque):
            merged.append(found)
    return sort_entities(merged)


_BOT_COMMAND = re.compile(
    r"(?<![\w/<>])/([A-Za-z0-9_]{1,64})(?![A-Za-z0-9_])(?:@[A-Za-z0-9_]{3,32}(?![A-Za-z0-9_]))?(?![\w/<>@])"
)
_MENTION = re.compile(r"(?<!\w)@[A-Za-z0-9_]{2,32}(?![A-Za-z0-9_])(?!\w)")
_HASHTAG = re.compile(r"(?<![\w\u200c\u00b7])#[\w\u200c\u00b7]{1,256}(?![\w\u200c\u00b7]*#)")
_CASHTAG = re.compile(r"(?<![$\w\u200c])\$(?:1INCH|[A-Z]{1,8})(?![$\w\u200c])")
_EMAIL = re.compile(r"(?<![\w.+%-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?![\w@])")
_TLDS = (
    "com|org|net|io|dev|app|info|biz|edu|gov|me|co|ru|de|uk|fr|it|es|nl|pl|ua|kz|by|id|my|sg|"
    "jp|cn|in|br|us|ca|au|eu|ch|at|be|se|no|fi|dk|cz|tr|gr|pt|ro|hu|il|ir|ae|sa|za|mx|ar|tv|xyz|"
    "online|site|store|tech|ai|gg|ly|to|cc|fm|am|su|ton|link|page|blog|news|cloud|city|travel"
)
_URL = re.compile(
    r"(?<![\w@.\-/])(?:"
    r"(?:https?|ftp)://[^\s<>\"]+"
    r"|www\.[^\s<>\"]+"
    rf"|(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:{_TLDS})(?![\w-])(?::\d{{1,5}})?(?:[/?#][^\s<>\"]*)?"
    r")",
    re.IGNORECASE,
)
_URL_TRAILING = ".,:;!?'\")]}"


def find_entities(text: str) -> list[JsonDict]:
    """Entities the server detects by itself: URLs, e-mails, bot commands, mentions, tags."""
    spans: list[tuple[int, int, str]] = []

    def add(start: int, end: int, kind: str) -> None:
        if all(end <= s or start >= e for s, e, _ in spans):
            spans.append((start, end, kind))

    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAILING:
            if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
                break
            end -= 1
        add(start, end, "url")
    for match in _EMAIL.finditer(text):
        add(*match.span(), "email")
    for match in _BOT_COMMAND.finditer(text):
        add(*match.span(), "bot_command")
    for match in _MENTION.finditer(text):
        add(*match.span(), "mention")
    for match in _HASHTAG.finditer(text):
        if any(char.isalpha() for char in match.group()[1:]):
            add(*match.span(), "hashtag")
    for match in _CASHTAG.finditer(text):
        add(*match.span(), "cashtag")

    if _unit_count(text) == len(text):
        unit_offset = list(range(len(text) + 1))
    else:
        unit_offset = [0]
        for char in text:
            unit_offset.append(unit_offset[-1] + _units(char))
    return sort_entities(
        [
            {"type": kind, "offset": unit_offset[start], "length": unit_offset[end] - unit_offset[start]}
            for start, end, kind in spans
        ]
    )


def entity_text(text: str, entity: Mapping[str, Any]) -> str:
    """The part of ``text`` an entity covers."""
    encoded = text.encode("utf-16-le", "surrogatepass")
    start = int(entity["offset"]) * 2
    end = start + int(entity["length"]) * 2
    return encoded[start:end].decode("utf-16-le", "surrogatepass")
