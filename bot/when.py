"""Reading dates in use cases: the group's language first, then English (partners often write English in any
group), in a worker thread with a timeout (parsing never blocks the event loop)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.dates import EXAMPLES, parse_when
from bot.htmltext import escape
from bot.i18n import Markup

PARSE_TIMEOUT = 5.0
MAX_WHEN_WORDS = 8  # the longest date phrase looked for at the start of a /remind text


def _read(text: str, language: str, tz: str, now: datetime) -> datetime | None:
    for lang in dict.fromkeys((language, "en")):
        when = parse_when(text, lang, tz, now)
        if when is not None:
            return when
    return None


def _leading(text: str, language: str, tz: str, now: datetime) -> tuple[datetime, str] | None:
    words = text.split()
    best: tuple[datetime, str] | None = None
    for count in range(1, min(len(words), MAX_WHEN_WORDS) + 1):
        when = _read(" ".join(words[:count]), language, tz, now)
        if when is not None:
            best = (when, " ".join(words[count:]))
    return best


async def read_when(text: str, language: str, tz: str, now: datetime) -> datetime | None:
    """The instant ``text`` names in zone ``tz``, or None (also when reading it takes too long)."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(_read, text, language, tz, now), PARSE_TIMEOUT)
    except TimeoutError:
        return None


async def read_leading_when(text: str, language: str, tz: str, now: datetime) -> tuple[datetime, str] | None:
    """The longest leading words of ``text`` that name an instant, and the rest: "besok jam 9 Siapkan agenda"."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(_leading, text, language, tz, now), PARSE_TIMEOUT)
    except TimeoutError:
        return None


def examples(ui: str) -> Markup:
    """Date examples in the group's language, for answers that refuse a date."""
    found = EXAMPLES.get(ui) or EXAMPLES["en"]
    return Markup(", ".join(f"<code>{escape(e)}</code>" for e in found))
