"""A meeting time across the bridge: ``/meet <duration> [period] [: title]``, ``/meet list``, ``/meet cancel <n>``
and the buttons under a proposal.

* ``/meet`` (any member; a group in no bridge plans for itself): up to three slots inside every group's working
  hours and outside its days off (bot/features/meeting_slots.py finds them), or the least bad with who would be
  outside their hours. The proposal is posted in every group of the bridge, in its language, each slot in its
  zone, with a 🗳 button per slot and a ✅ row for administrators.
* 🗳 toggles the presser's vote for that slot (one per person and slot; several slots may have it). The votes of
  every group count for the bridge: every group's proposal is edited with the tallies.
* ✅ (an administrator of the group where it is pressed) confirms a slot: every proposal shows the outcome, every
  group is told the time on its own clock, and the reminder engine reminds every group a day and an hour before.
* ``/meet cancel <n>`` (who proposed it, or an administrator) cancels a proposal or a confirmed meeting and its
  pending reminders; every group is told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.context import Actor, ChatContext, Refused, Reply, reply, zone_of
from bot.domain.errors import LimitReached
from bot.domain.meetings import MeetingRepository
from bot.domain.records import Chat, Meeting, MeetingPost, MeetingVote, NewMeeting, Reminder, Scope
from bot.domain.rules import (
    MEETING_DURATION_MAX,
    MEETING_DURATION_MIN,
    MEETING_TITLE_MAX,
    MEETINGS_OPEN_MAX,
)
from bot.features.announce import Announcer
from bot.features.calendars import Calendars
from bot.features.meeting_slots import PERIODS, MeetWords, find_slots, outside_groups, read_request, window
from bot.features.pages import footer, page_of, read_page, with_footer
from bot.language.calendars import WorkCalendar
from bot.language.catalog import Catalog, Markup
from bot.language.dates import format_when
from bot.language.localise import clock, format_duration
from bot.permissions import Permissions
from bot.ports import Buttons, DeliveryError, NotModified, Sender
from bot.translation.service import TranslationService

logger = logging.getLogger(__name__)

LEADS = (86400, 3600)  # a confirmed meeting is reminded of a day and an hour before
LIST_PAGE = 10
SEARCH_SECONDS = 10.0  # the slot search runs in a worker thread, at most this long
_BUTTON = re.compile(r"mt\|(\d{1,18})\|([vc])\|(\d)")


class MeetingReminders(Protocol):
    """What ``/meet`` asks of the reminder engine (bot/features/reminder_engine.py)."""

    async def add_meeting(
        self, scope: Scope, chats: Sequence[Chat], start: datetime, title: str, language: str, leads: Sequence[int]
    ) -> list[Reminder]: ...


class ReminderCancelling(Protocol):
    async def cancel_many(self, reminder_ids: Collection[int]) -> int: ...


class MeetingService:
    def __init__(
        self,
        *,
        meetings: MeetingRepository,
        calendars: Calendars,
        sender: Sender,
        announcer: Announcer,
        translations: TranslationService,
        permissions: Permissions,
        catalog: Catalog,
        engine: MeetingReminders,
        reminders: ReminderCancelling,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        open_max: int = MEETINGS_OPEN_MAX,
    ) -> None:
        self.meetings = meetings
        self.calendars = calendars
        self.sender = sender
        self.announcer = announcer
        self.translations = translations
        self.permissions = permissions
        self.catalog = catalog
        self.engine = engine
        self.reminders = reminders
        self.clock = clock
        self.open_max = open_max
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # per meeting: one change at a time, then its tallies

    def now(self) -> datetime:
        return self.clock()

    # ---- /meet ----------------------------------------------------------------------------------------------
    async def meet(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/meet <duration> [period] [: title]``, ``/meet list [page]``, ``/meet cancel <n>``."""
        text = text.strip()
        if not text:
            raise self._refused("meet.usage", here.ui)
        words = text.split()
        sub = self.catalog.choose(words[0], here.ui, ("list", "meet_cancel"))
        if sub == "list":
            return await self._listing(here, words[1:])
        if sub == "meet_cancel":
            await self._cancel(here, actor, words[1:])
        else:
            await self._propose(here, actor, text)
        return None  # the proposal, or the announcement, in this group is the answer

    def _refused(self, key: str, ui: str) -> Refused:
        """``key`` (the usage, or a duration out of range) with the shortest and longest meeting."""
        shortest = format_duration(MEETING_DURATION_MIN * 60, ui)
        return Refused(key, min=shortest, max=format_duration(MEETING_DURATION_MAX * 60, ui))

    def _words(self, ui: str) -> MeetWords:
        words = self.catalog.words
        return MeetWords(
            hours=words("meet_hours", ui),
            minutes=words("meet_minutes", ui),
            days=words("meet_days", ui),
            within=words("meet_within", ui),
            periods={kind: words(f"meet_{kind}", ui) for kind in PERIODS},
        )

    async def _propose(self, here: ChatContext, actor: Actor, text: str) -> None:
        request = read_request(text, self._words(here.ui))
        if request is None:
            raise self._refused("meet.usage", here.ui)
        if not MEETING_DURATION_MIN <= request.minutes <= MEETING_DURATION_MAX:
            raise self._refused("meet.bad_duration", here.ui)
        if request.title is not None and len(request.title) > MEETING_TITLE_MAX:
            raise Refused("meet.bad_title", length=len(request.title), limit=MEETING_TITLE_MAX)
        now = self.now()
        start, end = window(request.period, now, here.timezone)
        members = here.members
        calendars = await self.calendars.of_many(members)
        search = asyncio.to_thread(find_slots, calendars, request.minutes, start, end, now, zone=here.timezone)
        found = await asyncio.wait_for(search, SEARCH_SECONDS)
        if not found.slots:
            raise Refused("meet.no_time", duration=format_duration(request.minutes * 60, here.ui))
        new = NewMeeting(
            scope=here.scope,
            chat_id=here.id,
            created_by=actor.user_id,
            duration_minutes=request.minutes,
            title=request.title,
            language=here.language,
            slots=tuple(slot.start for slot in found.slots),
        )
        try:
            meeting = await self.meetings.add(new, open_max=self.open_max, now=now)
        except LimitReached:
            raise Refused("meet.too_many", limit=self.open_max) from None
        for chat in members:
            html, buttons = await self._card(meeting, chat, members, calendars, [])
            try:
                message_id = await self.sender.send_text(chat.id, html, buttons=buttons)
            except DeliveryError as exc:
                logger.warning("could not post meeting proposal %s in chat %s: %s", meeting.id, chat.id, exc)
                continue
            await self.meetings.add_post(MeetingPost(meeting.id, chat.id, message_id))

    # ---- the proposal as each group sees it -------------------------------------------------------------------
    async def _title(self, meeting: Meeting, chat: Chat) -> Markup:
        if not meeting.title:
            return Markup("")
        translated = await self.translations.translate(
            meeting.title, meeting.language, chat.language, bridge_id=meeting.scope.bridge_id
        )
        return Markup(self.catalog.t("meet.titled", chat.language, title=translated.text))

    def _span(self, start: datetime, minutes: int, ui: str, zone: str) -> tuple[str, str]:
        """The start (weekday, date and time) and the end (time) on the group's clock."""
        end = (start + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone))
        return format_when(start, ui, zone), clock(end.time(), ui)

    async def _card(
        self,
        meeting: Meeting,
        chat: Chat,
        members: Sequence[Chat],
        calendars: Mapping[int, WorkCalendar],
        votes: Sequence[MeetingVote],
    ) -> tuple[str, Buttons | None]:
        """The proposal in ``chat``'s language and zone, with its tallies, and its buttons while it is open."""
        t, ui, zone = self.catalog.t, self.catalog.resolve(chat.language), zone_of(chat)
        labels = {member.id: member.label for member in members}
        counts = [sum(1 for vote in votes if vote.slot == index) for index in range(len(meeting.slots))]
        lines: list[str] = []
        least_bad = False
        for index, start in enumerate(meeting.slots):
            when, end = self._span(start, meeting.duration_minutes, ui, zone)
            line = t("meet.slot", ui, n=index + 1, when=when, end=end, votes=counts[index])
            outside = outside_groups(calendars, start, start + timedelta(minutes=meeting.duration_minutes))
            if outside:
                least_bad = True
                groups = self.catalog.join((labels.get(key, str(key)) for key in outside), ui)
                line += "\n" + t("meet.slot_outside", ui, groups=groups)
            lines.append(line)
        if meeting.state == "confirmed" and meeting.confirmed_slot is not None:
            status = t("meet.status_confirmed", ui, n=meeting.confirmed_slot + 1)
        elif meeting.state == "cancelled":
            status = t("meet.status_cancelled", ui)
        else:
            status = t("meet.status_open", ui, voters=len({vote.user_id for vote in votes}))
        html = t(
            "meet.proposal",
            ui,
            number=meeting.number,
            title=await self._title(meeting, chat),
            duration=format_duration(meeting.duration_minutes * 60, ui),
            city=labels.get(meeting.chat_id or 0, "—"),
            note=Markup(t("meet.note_least_bad" if least_bad else "meet.note_fits", ui)),
            slots=Markup("\n".join(lines)),
            status=Markup(status),
        )
        if meeting.state != "proposed":
            return html, None
        slots = range(len(meeting.slots))
        return html, [
            [(t("meet.btn_vote", ui, n=i + 1, votes=counts[i]), f"mt|{meeting.id}|v|{i}") for i in slots],
            [(t("meet.btn_confirm", ui, n=i + 1), f"mt|{meeting.id}|c|{i}") for i in slots],
        ]

    async def _refresh(self, meeting_id: int, here: ChatContext) -> Meeting | None:
        """Edit the proposal in every group of the bridge to show the meeting as it is now."""
        meeting = await self.meetings.get(meeting_id)
        if meeting is None:
            return None
        members = {chat.id: chat for chat in here.members}
        calendars = await self.calendars.of_many(members.values())
        votes = await self.meetings.votes(meeting.id)
        for post in await self.meetings.posts(meeting.id):
            chat = members.get(post.chat_id)
            if chat is None:  # the group left the bridge: its message stays as it was
                continue
            html, buttons = await self._card(meeting, chat, tuple(members.values()), calendars, votes)
            try:
                await self.sender.edit_text(chat.id, post.message_id, html, buttons=buttons)
            except NotModified:
                pass
            except DeliveryError as exc:
                logger.warning("could not update meeting proposal %s in chat %s: %s", meeting.id, chat.id, exc)
        return meeting

    @contextlib.asynccontextmanager
    async def _serial(self, meeting_id: int) -> AsyncIterator[None]:
        """One change of a meeting at a time in this process, so its tallies are shown in the order they came."""
        lock, users = self._locks.get(meeting_id, (asyncio.Lock(), 0))
        self._locks[meeting_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[meeting_id]
            if users <= 1:
                del self._locks[meeting_id]
            else:
                self._locks[meeting_id] = (lock, users - 1)

    # ---- buttons -------------------------------------------------------------------------------------------
    async def press(self, here: ChatContext, actor: Actor, data: str) -> Reply:
        """🗳 or ✅ under a proposal; the presser's notice. Forged data, a meeting of another bridge or one that
        was decided is refused."""
        match = _BUTTON.fullmatch(data)
        if match is None:
            raise Refused("meet.gone")
        meeting = await self.meetings.get(int(match[1]))
        if meeting is None:
            raise Refused("meet.gone")
        if meeting.scope != here.scope:
            raise Refused("meet.other_bridge")
        slot = int(match[3])
        if slot >= len(meeting.slots):
            raise Refused("meet.gone")
        if meeting.state != "proposed":
            raise Refused("meet.decided")
        if match[2] == "v":
            return await self._vote(here, actor, meeting, slot)
        return await self._confirm(here, actor, meeting, slot)

    async def _vote(self, here: ChatContext, actor: Actor, meeting: Meeting, slot: int) -> Reply:
        if actor.user_id is None:
            raise Refused("meet.anonymous")
        async with self._serial(meeting.id):
            current = await self.meetings.get(meeting.id)
            if current is None or current.state != "proposed":
                raise Refused("meet.decided")
            counted = await self.meetings.vote(meeting.id, slot, actor.user_id, here.id)
            await self._refresh(meeting.id, here)
        return Reply("meet.voted" if counted else "meet.unvoted", {"n": slot + 1})

    async def _confirm(self, here: ChatContext, actor: Actor, meeting: Meeting, slot: int) -> Reply:
        await self.permissions.require_admin(here, actor)
        async with self._serial(meeting.id):
            confirmed = await self.meetings.confirm(meeting.id, slot)
            if confirmed is None or confirmed.start is None:
                raise Refused("meet.decided")
            members = here.members
            title = confirmed.title or f"#{confirmed.number}"
            added = await self.engine.add_meeting(
                here.scope, members, confirmed.start, title, confirmed.language, LEADS
            )
            ids = [reminder.id for reminder in added]
            if ids and not await self.meetings.set_reminders(confirmed.id, ids):
                await self.reminders.cancel_many(ids)  # cancelled meanwhile (another instance)
            await self._refresh(confirmed.id, here)
            for chat in members:
                ui = self.catalog.resolve(chat.language)
                when, end = self._span(confirmed.start, confirmed.duration_minutes, ui, zone_of(chat))
                html = self.catalog.t(
                    "meet.confirmed",
                    ui,
                    number=confirmed.number,
                    title=await self._title(confirmed, chat),
                    when=when,
                    end=end,
                    duration=format_duration(confirmed.duration_minutes * 60, ui),
                )
                await self.announcer.announce(chat.id, ui, html)
        return Reply("meet.status_confirmed", {"n": slot + 1})

    # ---- /meet cancel <n> ----------------------------------------------------------------------------------
    async def _cancel(self, here: ChatContext, actor: Actor, args: Sequence[str]) -> None:
        if len(args) != 1 or not args[0].isascii() or not args[0].isdigit() or len(args[0]) > 9:
            raise Refused("meet.cancel_usage")
        number = int(args[0])
        meeting = await self.meetings.numbered(here.scope, number)
        if meeting is None:
            raise Refused("meet.not_found", number=number)
        if meeting.state == "cancelled":
            raise Refused("meet.already_cancelled", number=number)
        if actor.user_id is None or meeting.created_by != actor.user_id:
            await self.permissions.require_admin(here, actor)
        async with self._serial(meeting.id):
            cancelled = await self.meetings.cancel(meeting.id)
            if cancelled is None:
                raise Refused("meet.already_cancelled", number=number)
            if cancelled.reminder_ids:
                await self.reminders.cancel_many(cancelled.reminder_ids)
            await self._refresh(cancelled.id, here)
            for chat in here.members:
                ui = self.catalog.resolve(chat.language)
                title = await self._title(cancelled, chat)
                await self.announcer.announce(
                    chat.id, ui, self.catalog.t("meet.cancelled", ui, number=number, title=title)
                )

    # ---- /meet list ----------------------------------------------------------------------------------------
    async def _listing(self, here: ChatContext, args: Sequence[str]) -> Reply:
        rest, page_number = read_page(args)
        if rest:
            raise self._refused("meet.usage", here.ui)
        now = self.now()
        total = await self.meetings.count_upcoming(here.scope, now)
        if total == 0:
            return reply("meet.list_none")
        found = await self.meetings.upcoming(here.scope, now, limit=page_number * LIST_PAGE)
        page = page_of(found, page_number, LIST_PAGE, total=total)
        t, ui, zone = self.catalog.t, here.ui, here.timezone
        lines = []
        for meeting in page.items:
            title = await self._title(meeting, here.chat)
            if meeting.state == "confirmed" and meeting.start is not None:
                when = format_when(meeting.start, ui, zone)
                duration = format_duration(meeting.duration_minutes * 60, ui)
                lines.append(
                    t("meet.line_confirmed", ui, number=meeting.number, when=when, duration=duration, title=title)
                )
            else:
                when = format_when(meeting.slots[0], ui, zone)
                lines.append(t("meet.line_proposed", ui, number=meeting.number, when=when, title=title))
        more = footer(self.catalog, ui, page, f"/meet {self.catalog.word('list', ui)}")
        return reply("meet.list", items=with_footer("\n".join(lines), more))
