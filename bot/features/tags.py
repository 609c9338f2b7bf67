"""``#programme`` tags in what members write (a decision, a caption, ``/evidence #tag``): which programme of the scope
a text names, and the text without that tag."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.context import Refused
from bot.domain.records import Programme, Scope
from bot.domain.repositories import ProgrammeRepository
from bot.domain.rules import PROGRAMME_NAME_MAX

_TAG = re.compile(r"(?<![\w#])#([\w-]+)")
TAGS_READ = 5  # tags of one text looked up (a caption full of hashtags costs no more)


@dataclass(frozen=True)
class Tagged:
    """What a text's tags name: the scope's ``programme`` (the first tag that is one), the text without that tag,
    and the first tag that names no programme (``unknown``; None when every tag did or there was none)."""

    programme: Programme | None
    text: str
    unknown: str | None


def tags_in(text: str) -> list[str]:
    """The ``#tags`` of ``text`` in order, without the ``#``, the first ``TAGS_READ`` of them."""
    return [m.group(1)[:PROGRAMME_NAME_MAX] for m in _TAG.finditer(text)][:TAGS_READ]


async def programme_of(programmes: ProgrammeRepository, scope: Scope, text: str) -> Tagged:
    """The programme the first of ``text``'s tags that names one of the scope's programmes."""
    unknown: str | None = None
    for tag in tags_in(text):
        found = await programmes.get(scope, tag)
        if found is not None:
            stripped = re.sub(rf"(?<![\w#])#{re.escape(tag)}(?![\w-])", " ", text, count=1)
            return Tagged(found, " ".join(stripped.split()), unknown)
        unknown = unknown or tag
    return Tagged(None, " ".join(text.split()), unknown)


def only_tags(text: str) -> bool:
    """The text is tags and nothing else ("#pendidikan", "#a #b")."""
    return bool(text.strip()) and not _TAG.sub(" ", text).strip()


async def listed_programme(
    programmes: ProgrammeRepository, scope: Scope, words: list[str], *, usage: str, unknown: str
) -> str | None:
    """The programme a list command's words name (``/decisions #tag``, ``/evidence #tag``): None for no words;
    refused with ``usage`` for anything but one #tag, with ``unknown`` for a tag that names none of the scope's."""
    if not words:
        return None
    tags = tags_in(" ".join(words))
    if len(words) != 1 or len(tags) != 1:
        raise Refused(usage)
    found = await programmes.get(scope, tags[0])
    if found is None:
        raise Refused(unknown, name=tags[0])
    return found.name
