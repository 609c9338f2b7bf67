"""Reading dates in use cases: the group's language first, then English (partners often write English in any
group), in a worker thread with a timeout (parsing never blocks the event loop)."""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.context import ChatContext, Reply
from bot.domain.records import Scope
from bot.language.catalog import Catalog, Markup
from bot.language.dates import EXAMPLES, Reading, format_when, read_date
from bot.language.htmltext import escape

PARSE_TIMEOUT = 5.0
MAX_WHEN_WORDS = 8  # the longest date phrase looked for at the start of a /remind text


def _read(text: str, language: str, tz: str, now: datetime) -> Reading | None:
    for lang in dict.fromkeys((language, "en")):
        reading = read_date(text, lang, tz, now)
        if reading is not None:
            return reading
    return None


def _leading(text: str, language: str, tz: str, now: datetime) -> tuple[Reading, str] | None:
    words = text.split()
    best: tuple[Reading, str] | None = None
    for count in range(1, min(len(words), MAX_WHEN_WORDS) + 1):
        when = _read(" ".join(words[:count]), language, tz, now)
        if when is not None:
            best = (when, " ".join(words[count:]))
    return best


async def read_when(text: str, language: str, tz: str, now: datetime) -> Reading | None:
    """The instant ``text`` names in zone ``tz`` (with the other plausible reading, if any), or None (also when
    reading it takes too long)."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(_read, text, language, tz, now), PARSE_TIMEOUT)
    except TimeoutError:
        return None


async def read_leading_when(text: str, language: str, tz: str, now: datetime) -> tuple[Reading, str] | None:
    """The longest leading words of ``text`` that name an instant, and the rest: "besok jam 9 Siapkan agenda"."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(_leading, text, language, tz, now), PARSE_TIMEOUT)
    except TimeoutError:
        return None


def examples(ui: str) -> Markup:
    """Date examples in the group's language, for answers that refuse a date."""
    found = EXAMPLES.get(ui) or EXAMPLES["en"]
    return Markup(", ".join(f"<code>{escape(e)}</code>" for e in found))


CHOICE = re.compile(r"^when\|([ar])\|([bc]-?\d{1,20})\|(\d{1,9})\|(\d{1,12})\|(\d{1,12})$")


def choice_data(kind: str, scope: Scope, number: int, reading: Reading) -> str:
    """The button's data: what to change (``a`` an action's due date, ``r`` a reminder), the instant read and
    the other one (so a press after someone changed it meanwhile changes nothing)."""
    other = reading.other if reading.other is not None else reading.when
    return f"when|{kind}|{scope.key}|{number}|{int(reading.when.timestamp())}|{int(other.timestamp())}"


@dataclass(frozen=True)
class Choice:
    kind: str
    scope: Scope
    number: int
    taken: datetime
    other: datetime


def read_choice(data: str) -> Choice | None:
    """The press of an other-reading button, or None for data Kembar never made."""
    match = CHOICE.match(data)
    if match is None:
        return None
    try:
        scope = Scope.parse(match.group(2))
        taken, other = (datetime.fromtimestamp(int(match.group(i)), UTC) for i in (4, 5))
    except (ValueError, OverflowError, OSError):
        return None
    return Choice(match.group(1), scope, int(match.group(3)), taken, other)


def offer_other(catalog: Catalog, here: ChatContext, body: str, reading: Reading, data: str) -> Reply:
    """The answer when a date had two plausible readings: ``body`` (Telegram HTML), the reading taken, and a
    button with the other one, in the group's language and zone."""
    assert reading.other is not None
    taken = format_when(reading.when, here.ui, here.timezone)
    other = format_when(reading.other, here.ui, here.timezone)
    label = html.unescape(catalog.t("btn.other_reading", here.ui, when=other))
    values = {"body": Markup(body), "when": taken, "other": other}
    return Reply("when.choice", values, buttons=[[(label, data)]])
