"""Reading dates in use cases: the group's language first, then English (partners often write English in any
group), in a worker thread with a timeout (parsing never blocks the event loop)."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.context import ChatContext, Reply
from bot.domain.records import Scope
from bot.features.action_text import Due, find_due
from bot.language.catalog import Catalog, Markup
from bot.language.dates import EXAMPLES, Reading, format_when, normalise, read_date
from bot.language.htmltext import escape

PARSE_TIMEOUT = 5.0
MAX_WHEN_WORDS = 8  # the longest date phrase looked for at the start of a /remind text


def reader(
    here: ChatContext, now: datetime, off_days: Callable[[date], bool] | None = None
) -> Callable[[str], Reading | None]:
    """Reading dates as ``here`` does: its language first, then English (partners often write English in any
    group), in its zone, with its bridge's cities as zone names and its working week (and ``off_days``: its
    calendar's holidays and days off, which "end of the week/month" skip)."""
    places, workdays = here.places, here.workdays

    def read(text: str) -> Reading | None:
        for lang in dict.fromkeys((here.language, "en")):
            reading = read_date(text, lang, here.timezone, now, places=places, workdays=workdays, off_days=off_days)
            if reading is not None:
                return reading
        return None

    return read


def _leading(read: Callable[[str], Reading | None], text: str) -> tuple[Reading, str] | None:
    words = text.split()
    best: tuple[Reading, str] | None = None
    for count in range(1, min(len(words), MAX_WHEN_WORDS) + 1):
        when = read(" ".join(words[:count]))
        if when is not None:
            best = (when, " ".join(words[count:]))
    return best


async def read_when(
    text: str, here: ChatContext, now: datetime, off_days: Callable[[date], bool] | None = None
) -> Reading | None:
    """The instant ``text`` names for ``here`` (with the other plausible reading, if any), or None (also when
    reading it takes too long)."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(reader(here, now, off_days), text), PARSE_TIMEOUT)
    except TimeoutError:
        return None


async def read_leading_when(
    text: str, here: ChatContext, now: datetime, off_days: Callable[[date], bool] | None = None
) -> tuple[Reading, str] | None:
    """The longest leading words of ``text`` that name an instant, and the rest: "besok jam 9 Siapkan agenda"."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(_leading, reader(here, now, off_days), text), PARSE_TIMEOUT)
    except TimeoutError:
        return None


async def read_due(text: str, here: ChatContext, now: datetime, off_days: Callable[[date], bool] | None = None) -> Due:
    """The due phrase of ``/action`` arguments wherever it is (:func:`bot.features.action_text.find_due`); the
    text unchanged when reading takes too long."""
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(find_due, text, here.language, reader(here, now, off_days)), PARSE_TIMEOUT
        )
    except TimeoutError:
        return Due(text)


def notes(catalog: Catalog, here: ChatContext, reading: Reading | None) -> list[str]:
    """Lines that say how a date was read when it could surprise: in another city's zone ("Mon 26 Oct, 09:00
    Berlin time = 15:00 here"; none for the group's own zone named, "WIB" in Surabaya), or on a day outside the
    group's working week."""
    if reading is None:
        return []
    lines: list[str] = []
    if reading.zone is not None and _offset(reading.when, reading.zone) != _offset(reading.when, here.timezone):
        label = reading.zone_label or reading.zone
        own = {normalise(city): city for city in here.places}  # a bridge city as its group wrote it
        fixed = reading.zone.startswith("Etc/") or reading.zone == "UTC"
        zone = own.get(label) or (label.upper() if fixed else label.title() if label.isascii() else label)
        lines.append(
            catalog.t(
                "when.zone_read",
                here.ui,
                there=format_when(reading.when, here.ui, reading.zone),
                zone=zone,
                here=format_when(reading.when, here.ui, here.timezone),
            )
        )
    if reading.off_day:
        lines.append(catalog.t("when.off_day", here.ui, when=format_when(reading.when, here.ui, here.timezone)))
    return lines


def _offset(when: datetime, zone: str) -> timedelta | None:
    return when.astimezone(ZoneInfo(zone)).utcoffset()


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


def offer_other(
    catalog: Catalog, here: ChatContext, body: str, reading: Reading, data: str, extra: Sequence[str] = ()
) -> Reply:
    """The answer when a date had two plausible readings: ``body`` (Telegram HTML), the reading taken, and a
    button with the other one, in the group's language and zone; then the :func:`notes` and ``extra`` lines."""
    assert reading.other is not None
    taken = format_when(reading.when, here.ui, here.timezone)
    other = format_when(reading.other, here.ui, here.timezone)
    label = html.unescape(catalog.t("btn.other_reading", here.ui, when=other))
    lines = [*notes(catalog, here, reading), *extra]
    body = "\n".join([body, *lines])
    values = {"body": Markup(body), "when": taken, "other": other}
    return Reply("when.choice", values, buttons=[[(label, data)]])


def noted(
    catalog: Catalog, here: ChatContext, body: str, reading: Reading | None, extra: Sequence[str] = ()
) -> Reply | None:
    """``body`` with the :func:`notes` on how a date was read and ``extra`` lines; None when there is nothing to
    say (the announcement is the answer)."""
    lines = [*notes(catalog, here, reading), *extra]
    if not lines:
        return None
    return Reply("when.noted", {"body": Markup(body), "notes": Markup("\n".join(lines))})
