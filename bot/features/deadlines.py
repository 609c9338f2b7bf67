"""Deadlines that warn: a due date on a public holiday or extra day off of any city of the bridge, or outside the
working time of a group whose members own the item, gets a note naming the day and the city, with a button that
moves it to the previous working day of all the owners' cities (at the same time of day in the asking group).

Whose groups the owners are in is asked of Telegram (``Members.is_member``) for owners Kembar knows by user id;
the group the item was created in always counts. At most ``OWNERS_ASKED`` owners are asked about.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.context import ChatContext
from bot.domain.records import ActionItem, Chat, Scope
from bot.features.calendars import Calendars
from bot.language.calendars import WorkCalendar
from bot.language.catalog import Catalog
from bot.language.dates import format_when
from bot.language.htmltext import escape
from bot.ports import Buttons, Members

OWNERS_ASKED = 10
SEARCH_BACK = 31  # days looked back for a working day of every owner's city
MOVE_PREFIX = "dl|"
_MOVE = re.compile(r"^dl\|([bc]-?\d{1,18})\|(\d{1,9})\|(\d{1,12})\|(\d{1,12})$")


@dataclass(frozen=True)
class Move:
    """The move button's data: item ``number`` of ``scope`` from ``was`` to ``to``."""

    scope: Scope
    number: int
    was: datetime
    to: datetime

    @property
    def data(self) -> str:
        return f"{MOVE_PREFIX}{self.scope.key}|{self.number}|{int(self.was.timestamp())}|{int(self.to.timestamp())}"


def read_move(data: str) -> Move | None:
    match = _MOVE.match(data)
    if match is None:
        return None
    try:
        scope = Scope.parse(match.group(1))
    except ValueError:
        return None
    was = datetime.fromtimestamp(int(match.group(3)), UTC)
    to = datetime.fromtimestamp(int(match.group(4)), UTC)
    return Move(scope, int(match.group(2)), was, to)


class Deadlines:
    def __init__(self, calendars: Calendars, members: Members, catalog: Catalog) -> None:
        self.calendars = calendars
        self.members = members
        self.catalog = catalog

    async def off_days(self, here: ChatContext) -> Callable[[date], bool]:
        """The group's public holidays and days off, for the date reader ("end of the month" skips them)."""
        return (await self.calendars.of(here.chat)).closed

    async def owner_groups(self, here: ChatContext, item: ActionItem) -> list[Chat]:
        """The groups of the scope whose members own the item (and the group it was created in)."""
        found: list[Chat] = []
        known = [owner.user_id for owner in item.owners if owner.user_id is not None][:OWNERS_ASKED]
        for chat in here.members:
            if chat.id == item.chat_id:
                found.append(chat)
                continue
            for user_id in known:
                if await self.members.is_member(chat.id, user_id):
                    found.append(chat)
                    break
        return found

    async def check(self, here: ChatContext, item: ActionItem, now: datetime) -> tuple[list[str], Buttons | None]:
        """The notes on ``item``'s due date in ``here``'s language, and the move button (None without a move)."""
        due = item.due_at
        if due is None or item.status != "open":
            return [], None
        calendars = await self.calendars.of_many(here.members)
        owners = await self.owner_groups(here, item)
        owner_ids = {chat.id for chat in owners}
        t, lang = self.catalog.t, here.ui
        notes: list[str] = []
        for chat in here.members:
            calendar = calendars[chat.id]
            day = calendar.local(due).date()
            holiday = calendar.holiday(day, lang)
            extra = calendar.extra_off(day)
            shown = format_when(due, lang, calendar.zone)
            if holiday is not None or extra is not None:
                name = holiday if holiday is not None else extra.name if extra is not None else ""
                notes.append(t("deadline.holiday", lang, when=shown, name=escape(name), city=chat.label))
            elif chat.id in owner_ids:
                why = calendar.why_not(due, lang)
                if why == "hours" and due == calendar.closes(day):
                    why = None  # "by the end of the working day" is inside it
                if why == "":
                    notes.append(t("deadline.day_off", lang, when=shown, city=chat.label))
                elif why is not None:
                    notes.append(t("deadline.hours", lang, when=shown, city=chat.label))
        if not notes:
            return [], None
        target = self._previous_working(here, due, [calendars[chat.id] for chat in owners])
        if target is None or target <= now:
            return notes, None
        label = html.unescape(t("btn.deadline_move", lang, when=format_when(target, lang, here.timezone)))
        return notes, [[(label, Move(item.scope, item.number, due, target).data)]]

    @staticmethod
    def _previous_working(here: ChatContext, due: datetime, owners: list[WorkCalendar]) -> datetime | None:
        """The same local time (in ``here``'s zone) on the last day before the due day that is a working day in
        every owner's city (None when none within a month)."""
        zone = ZoneInfo(here.timezone)
        local = due.astimezone(zone)
        for back in range(1, SEARCH_BACK):
            day = local.date() - timedelta(days=back)
            if all(calendar.is_working_day(day) for calendar in owners):
                return datetime.combine(day, local.time(), tzinfo=zone).astimezone(UTC)
        return None
