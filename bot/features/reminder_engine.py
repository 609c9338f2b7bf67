"""The reminder engine: database rows are the truth; the bot wakes at the next due instant, claims, sends,
moves on. (The commands that make and change reminders are bot.features.reminders; the wake-up jobs are
bot.telegram.jobs.)

- Due reminders: per open item with a due date, one row per group and lead time (due - 24 h, due).
- Overdue: one row per group at the next 09:00 local after the due date, moved a day on after firing.
- Ad hoc and recurring reminders: rows per group of the bridge sharing one number (/reminders, /unremind).
- Weekly digest: one row per group at its digest day and time.
Automatic reminders that fall in a group's quiet hours wait until they end; explicit /remind times
are honoured. A reminder is claimed with an atomic UPDATE before it is sent, so it fires once even
with several bot processes on one PostgreSQL database. After downtime each missed reminder fires once,
marked late; a recurring one fires once for the missed period.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from bot.chats import ChatDirectory
from bot.context import ChatContext, zone_of
from bot.domain.records import ActionItem, Chat, Liveness, NewReminder, Reminder, Scope
from bot.domain.repositories import ActionRepository, ReminderRepository, ReminderSettingsRepository
from bot.features.calendars import Calendars
from bot.features.status import StatusService
from bot.language.catalog import Catalog, Markup
from bot.language.dates import format_when
from bot.language.htmltext import split_html
from bot.language.schedule import after_quiet_hours, next_local_time, next_occurrence
from bot.ops.metrics import REMINDER_LAG
from bot.ports import Buttons, DeliveryError, DestinationGone, Migrated, NotAllowed, RetryLater, Sender
from bot.signals import Signal
from bot.translation.service import TranslationService

logger = logging.getLogger(__name__)
_T = TypeVar("_T")


class AutomaticReports(Protocol):
    async def automatic(self, here: ChatContext, reminder: Reminder) -> datetime | None:
        """Post the report a 'report' reminder stands for; when the next one is due (None: no more)."""
        ...


LATE_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5  # failed sends of one reminder before it is stopped
RETRY_BASE = timedelta(minutes=1)  # then 2, 4, 8 … minutes
RETRY_CAP = timedelta(hours=1)
TEXT_LIMIT = 4096
DUE_BATCH = 100  # reminders read at a time by run_due
OVERDUE_TIME = "09:00"
ITEM_KINDS = ("due", "overdue")
KEPT_AS_SAID = ("snooze", "meeting")  # kinds that go out at their time whatever the group's calendar


Wakeups = Signal[[]]
"""Where the engine says "my next due instant may have changed"; the jobs (bot.telegram.jobs) listen once they run."""


class ReminderEngine:
    def __init__(
        self,
        *,
        reminders: ReminderRepository,
        settings: ReminderSettingsRepository,
        actions: ActionRepository,
        chats: ChatDirectory,
        status: StatusService,
        translations: TranslationService,
        catalog: Catalog,
        sender: Sender,
        clock: Callable[[], datetime],
        on_schedule_change: Callable[[], None] = lambda: None,
        live: Liveness,
        reports: AutomaticReports | None = None,
        calendars: Calendars,
    ) -> None:
        self.reminders = reminders
        self.calendars = calendars
        self.reports = reports
        self.settings = settings
        self.actions = actions
        self.chats = chats
        self.status = status
        self.translations = translations
        self.catalog = catalog
        self.sender = sender
        self.clock = clock
        # Claims name the instance (bot.ops.cluster): a gone instance's claims are released at once, and
        # a live one's are never taken from it (it may still be sending them).
        self.live = live
        self.claimer = live.me
        # Told whenever the next due instant may have changed (bot.telegram.jobs moves its wake-up).
        self.on_schedule_change = on_schedule_change
        self._lock = asyncio.Lock()

    def now(self) -> datetime:
        return self.clock()

    # ---- scheduling ------------------------------------------------------------------------------
    async def chat_left(self, chat_id: int, scope: Scope) -> int:
        """A group left a bridge: its reminders of the bridge's scope stop (how many were cancelled)."""
        cancelled = await self.reminders.cancel_for_chat(chat_id, scope)
        self.on_schedule_change()
        return cancelled

    async def automatic_time(self, chat: Chat, instant: datetime) -> datetime:
        """When an automatic reminder meant for ``instant`` goes out in ``chat``: after its quiet hours, and inside
        its working time (the start of its next working period when ``instant`` is on a day off or outside the
        hours)."""
        schedule = await self.settings.schedule(chat.id)
        calendar = await self.calendars.of(chat)
        when = instant
        for _ in range(4):  # working time and quiet hours rarely overlap; a few rounds settle any setting
            quiet_over = after_quiet_hours(when, zone_of(chat), schedule.quiet_start, schedule.quiet_end)
            when = calendar.next_working_start(quiet_over)
            if when == quiet_over:
                break
        return when

    async def calendar_changed(self, chat: Chat, scope: Scope) -> None:
        """A group's calendar changed (country, region, hours, days off): its automatic reminders are planned
        again (what is already pending is checked again when it comes due anyway)."""
        self.calendars.changed(chat.id)
        await self.resync_scope(scope)
        await self.reset_digest(chat)

    async def add_meeting(
        self, scope: Scope, chats: Sequence[Chat], start: datetime, title: str, language: str, leads: Sequence[int]
    ) -> list[Reminder]:
        """Reminders of a confirmed meeting at ``start``: one per group and lead (seconds before it) still ahead,
        at the time said in every group (a meeting does not wait for anyone's working hours)."""
        now = self.now()
        news = [
            NewReminder(
                scope=scope,
                chat_id=chat.id,
                kind="meeting",
                due_at=start - timedelta(seconds=lead),
                text=title,
                language=language,
                lead_seconds=lead,
                origin_chat_id=chat.id,
            )
            for chat in chats
            for lead in leads
            if start - timedelta(seconds=lead) > now
        ]
        added = await self.reminders.add_many(news) if news else []
        self.on_schedule_change()
        return added

    async def sync_item(self, item: ActionItem) -> None:
        """(Re)plan the due and overdue reminders of an item: after creation and every change."""
        await self.reminders.cancel_for_item(item.id, ITEM_KINDS)
        if item.status != "open" or item.due_at is None:
            self.on_schedule_change()
            return
        settings = await self.settings.get(item.scope)
        now = self.now()
        news: list[NewReminder] = []
        for chat in await self.chats.members_of(item.scope, item.chat_id):
            for lead in settings.lead_seconds:
                nominal = item.due_at - timedelta(seconds=lead)
                if nominal <= now:
                    continue
                news.append(
                    NewReminder(
                        scope=item.scope,
                        chat_id=chat.id,
                        kind="due",
                        due_at=await self.automatic_time(chat, nominal),
                        nominal_at=nominal,
                        action_item_id=item.id,
                        lead_seconds=lead,
                    )
                )
            if settings.overdue:
                first = next_local_time(zone_of(chat), OVERDUE_TIME, item.due_at)
                news.append(
                    NewReminder(
                        scope=item.scope,
                        chat_id=chat.id,
                        kind="overdue",
                        due_at=await self.automatic_time(chat, first),
                        nominal_at=first,
                        action_item_id=item.id,
                    )
                )
        if news:
            await self.reminders.add_many(news)
        self.on_schedule_change()

    async def resync_scope(self, scope: Scope) -> int:
        items = await self.actions.list(scope, statuses=("open",))
        for item in items:
            await self.sync_item(item)
        return len(items)

    async def add_adhoc(
        self, chat: Chat, scope: Scope, when: datetime, text: str, created_by: int | None, *, limit: int | None = None
    ) -> list[Reminder]:
        """``/remind <when> <text>``: one numbered reminder, a row per group of the bridge (``LimitReached``
        when the scope has ``limit`` users' reminders already)."""
        return await self._add_numbered(chat, scope, "adhoc", when, text, created_by, limit=limit)

    async def add_recurring(
        self, chat: Chat, scope: Scope, recurrence: str, text: str, created_by: int | None, *, limit: int | None = None
    ) -> list[Reminder]:
        """``/remind every …``: on the wall clock of the group that set it ("every working day": its working
        days)."""
        tz = zone_of(chat)
        first = next_occurrence(recurrence, tz, self.now(), (await self.calendars.of(chat)).is_working_day)
        return await self._add_numbered(chat, scope, "recurring", first, text, created_by, recurrence, tz, limit=limit)

    async def _next_recurring(self, reminder: Reminder, chat: Chat, after: datetime) -> datetime:
        """The next occurrence of a repeating reminder after ``after``: on the wall clock and, for "every working
        day", the working days of the group it was set in (this one when that group is gone)."""
        assert reminder.recurrence is not None
        origin = chat
        if reminder.origin_chat_id is not None and reminder.origin_chat_id != chat.id:
            origin = await self.chats.get(reminder.origin_chat_id) or chat
        working = (await self.calendars.of(origin)).is_working_day
        return next_occurrence(reminder.recurrence, reminder.timezone or zone_of(origin), after, working)

    async def _add_numbered(
        self,
        chat: Chat,
        scope: Scope,
        kind: str,
        due_at: datetime,
        text: str,
        created_by: int | None,
        recurrence: str | None = None,
        tz: str | None = None,
        *,
        limit: int | None = None,
    ) -> list[Reminder]:
        # The time said is kept in the group it was said in; the other groups get it inside their working time.
        news = [
            NewReminder(
                scope=scope,
                chat_id=member.id,
                kind=kind,
                due_at=due_at if member.id == chat.id else await self.automatic_time(member, due_at),
                nominal_at=due_at,
                text=text,
                language=chat.language,
                recurrence=recurrence,
                timezone=tz,
                created_by=created_by,
                numbered=True,
                origin_chat_id=chat.id if member.id == chat.id else None,
            )
            for member in await self.chats.members_of(scope, chat.id)
        ]
        added = await self.reminders.add_many(news, numbered_max=limit)
        self.on_schedule_change()
        return added

    async def move(self, scope: Scope, number: int, was: datetime, to: datetime) -> bool:
        """Move the one-off reminder #``number`` from ``was`` to ``to`` in every group (False: nothing to move)."""
        moved = await self.reminders.move_number(scope, number, was, to)
        if moved:
            self.on_schedule_change()
        return moved > 0

    async def tell(self, chat: Chat, text: str) -> None:
        """A notice in one group (logged, never raised, when Telegram refuses it)."""
        try:
            await self.sender.send_text(chat.id, text)
        except DeliveryError as exc:
            logger.warning("notice to chat %s failed: %s", chat.id, exc)

    async def snooze(self, reminder: Reminder, delta: timedelta) -> Reminder:
        when = self.now() + delta
        added = await self.reminders.add(
            NewReminder(
                scope=reminder.scope,
                chat_id=reminder.chat_id,
                kind="snooze",
                due_at=when,
                action_item_id=reminder.action_item_id,
                text=reminder.text,
                language=reminder.language,
                origin_chat_id=reminder.chat_id,  # a person chose it: kept as said
            )
        )
        self.on_schedule_change()
        return added

    async def ensure_digests(self) -> int:
        """Every active group with the digest on has exactly one pending digest row; a group that turned it
        off has none. The database says which groups need anything (two queries, however many groups there
        are); only those are planned. Returns how many digests were planned."""
        work = await self.reminders.digest_work()
        if work.to_cancel:
            await self.reminders.cancel_many([reminder.id for reminder in work.to_cancel])
        now = self.now()
        news: list[NewReminder] = []
        for plan in work.to_plan:
            chat, schedule, tz = plan.chat, plan.schedule, zone_of(plan.chat)
            when = next_local_time(tz, schedule.digest_time, now, schedule.digest_weekday)
            news.append(
                NewReminder(
                    scope=plan.scope,
                    chat_id=chat.id,
                    kind="digest",
                    due_at=after_quiet_hours(when, tz, schedule.quiet_start, schedule.quiet_end),
                    nominal_at=when,
                )
            )
        if news:
            await self.reminders.add_many(news)
        if news or work.to_cancel:
            self.on_schedule_change()
        return len(news)

    async def reset_digest(self, chat: Chat) -> None:
        existing = await self.reminders.find(chat.id, "digest", states=("pending", "claimed"))
        if existing is not None:
            await self.reminders.cancel(existing.id)
        await self.ensure_digests()

    # ---- firing ----------------------------------------------------------------------------------
    async def run_due(self) -> int:
        """Claim and send everything due now; returns how many reminders fired."""
        async with self._lock:
            now = self.now()
            # Claims are judged by liveness, never by age: a gone instance's go back at once; this one's own
            # (it has none in flight now, under the lock) are leftovers of a failure that was not recorded.
            await self.reminders.release_gone(self.live)
            await self.reminders.release_own(self.claimer)
            fired = 0
            seen: set[int] = set()
            while True:
                found = await self.reminders.due(now, limit=DUE_BATCH)
                batch = [r for r in found if r.id not in seen]
                if not batch:
                    break
                for reminder in batch:
                    seen.add(reminder.id)
                    if await self._claim(reminder, now):
                        await self._fire_one(reminder, now)
                        fired += 1
                if len(found) < DUE_BATCH:
                    break  # that was all that is due (what becomes due meanwhile wakes the engine again)
            return fired

    async def _claim(self, reminder: Reminder, now: datetime) -> bool:
        try:
            return await self.reminders.claim(reminder.id, now, self.claimer)
        except Exception as exc:  # the database failed for this one: the others of the batch still go
            logger.warning("claiming reminder %s failed (%s); tried again later", reminder.id, type(exc).__name__)
            return False

    async def _fire_one(self, reminder: Reminder, now: datetime) -> None:
        """Fire one claimed reminder. Whatever goes wrong (not only Telegram refusing it: a report that cannot
        be made, a database error) counts as a failed attempt with the same back-off and cap as a failed
        send, then its group is told; it never stops the rest of the batch."""
        try:
            await self._fire(reminder, now)
        except Exception as exc:
            # The class only (a message may quote a group's text, e.g. SQL parameters); the trace at DEBUG.
            logger.error("reminder %s (%s) failed: %s", reminder.id, reminder.kind, type(exc).__name__)
            logger.debug("reminder %s failed", reminder.id, exc_info=True)
            try:
                await self._failed(reminder, None, now, exc)
            except Exception as again:  # its claim is released by the next run_due (release_own)
                logger.warning("recording reminder %s's failure failed too (%s)", reminder.id, type(again).__name__)

    async def next_due_at(self) -> datetime | None:
        return await self.reminders.next_due_at()

    async def _fire(self, reminder: Reminder, now: datetime) -> None:
        chat = await self.chats.get(reminder.chat_id)
        if chat is None or not chat.active:
            await self.reminders.mark_sent(reminder.id, now, late=False)
            return
        if await self._waits_for_working_time(reminder, chat, now):
            return
        late = now - reminder.nominal_at > LATE_AFTER
        if reminder.kind == "report":
            await self._fire_report(reminder, chat, now, late)
            return
        try:
            text, buttons, keep_going = await self._render(reminder, chat, late)
        except LookupError:
            await self.reminders.mark_sent(reminder.id, now, late=late)
            return
        if text is not None:
            sent, _ = await self._delivered(reminder, chat, now, late, lambda: self._send(chat.id, text, buttons))
            if not sent:
                return
        await self._after_fire(reminder, chat, now, late, keep_going)

    async def _waits_for_working_time(self, reminder: Reminder, chat: Chat, now: datetime) -> bool:
        """An automatic reminder (or another group's copy of one a person set) that comes due on the group's day
        off or outside its working hours waits for the start of its next working period: rescheduled, True. A
        repeating one whose next occurrence comes before that period ends skips this occurrence instead. What a
        person set in this group (and snoozes, and meetings) goes out as said."""
        if reminder.kind in KEPT_AS_SAID or reminder.origin_chat_id == chat.id:
            return False
        calendar = await self.calendars.of(chat)
        if calendar.working_at(now):
            return False
        later = await self.automatic_time(chat, now)
        if later <= now:
            return False
        if reminder.kind == "recurring" and reminder.recurrence:
            following = await self._next_recurring(reminder, chat, now)
            if following <= calendar.closes(calendar.local(later).date()):
                await self.reminders.reschedule(reminder.id, following, following)
                return True
        await self.reminders.reschedule(reminder.id, later, reminder.nominal_at)
        return True

    async def _delivered(
        self, reminder: Reminder, chat: Chat, now: datetime, late: bool, send: Callable[[], Awaitable[_T]]
    ) -> tuple[bool, _T | None]:
        """``send``'s result, or (False, None) when Telegram refused it and the reminder was dealt with here:
        retried later, moved with its group, dropped for a group that is gone, or counted as a failure."""
        try:
            result = await send()
            REMINDER_LAG.observe(max(0.0, (self.now() - reminder.due_at).total_seconds()))
            return True, result
        except RetryLater as exc:
            await self.reminders.reschedule(reminder.id, now + timedelta(seconds=exc.seconds), reminder.nominal_at)
        except Migrated as exc:  # the group became a supergroup: everything moves, then it is sent there
            await self.chats.migrated(chat.id, exc.new_chat_id)
            await self.reminders.reschedule(reminder.id, now, reminder.nominal_at)
        except DestinationGone:
            await self.reminders.mark_sent(reminder.id, now, late=late)
        except DeliveryError as exc:
            await self._failed(reminder, chat, now, exc)
        return False, None

    async def _fire_report(self, reminder: Reminder, chat: Chat, now: datetime, late: bool) -> None:
        """An automatic report: once per period, also after downtime (the missed ones are not made up)."""
        reports = self.reports
        if reports is None:
            await self.reminders.mark_sent(reminder.id, now, late=late)
            return
        here = await self.chats.context(chat)
        sent, following = await self._delivered(reminder, chat, now, late, lambda: reports.automatic(here, reminder))
        if not sent:
            return
        if following is None:
            await self.reminders.mark_sent(reminder.id, now, late=late)
        else:
            await self.reminders.reschedule(reminder.id, following, following)

    async def _send(self, chat_id: int, text: str, buttons: Buttons | None) -> None:
        """A reminder longer than one message goes out in parts, its buttons under the last."""
        parts = split_html(text, TEXT_LIMIT) or [text]
        for index, part in enumerate(parts):
            await self.sender.send_text(chat_id, part, buttons=buttons if index == len(parts) - 1 else None)

    async def _failed(self, reminder: Reminder, chat: Chat | None, now: datetime, error: Exception) -> None:
        """A send (or the work before it) failed: tried again later with back-off; stopped after
        ``MAX_ATTEMPTS``, the group told once."""
        attempt = reminder.attempts + 1
        why = str(error) if isinstance(error, DeliveryError) else type(error).__name__
        if attempt < MAX_ATTEMPTS and not isinstance(error, NotAllowed):
            delay = min(RETRY_CAP, RETRY_BASE * 2 ** (attempt - 1))
            logger.warning(
                "reminder %s to chat %s failed (%s); retry %d in %s", reminder.id, reminder.chat_id, why, attempt, delay
            )
            await self.reminders.retry_later(reminder.id, now + delay)
            return
        logger.error(
            "reminder %s to chat %s failed %d times (%s); stopped", reminder.id, reminder.chat_id, attempt, why
        )
        await self.reminders.mark_failed(reminder.id)
        if isinstance(error, NotAllowed):
            return  # the bot may not write there at all
        chat = chat or await self.chats.get(reminder.chat_id)
        if chat is None:
            return
        await self.tell(chat, self._stopped_notice(reminder, chat.language, refused=isinstance(error, DeliveryError)))

    def _stopped_notice(self, reminder: Reminder, language: str, *, refused: bool) -> str:
        """What a group is told when one of its reminders (or its automatic report) stopped."""
        t = self.catalog.t
        if reminder.kind == "report":
            every = t(f"report.every.{reminder.text}", language) if reminder.text in ("monthly", "quarterly") else ""
            return t("report.auto_failed", language, kind=every)
        what = f"#{reminder.number}" if reminder.number is not None else ""
        if refused:  # Telegram refused it: an unnumbered one (a due date, the digest) leaves a gap for the number
            return t("reminder.failed", language, what=what).replace("  ", " ")
        if reminder.kind == "digest":
            return t("digest.broken", language)
        return t("reminder.broken", language, what=what) if what else t("reminder.broken_other", language)

    async def _after_fire(self, reminder: Reminder, chat: Chat, now: datetime, late: bool, keep_going: bool) -> None:
        tz = zone_of(chat)
        if reminder.kind == "recurring" and reminder.recurrence and keep_going:
            # Once for the missed period: the next occurrence after now, not after the missed one.
            nxt = await self._next_recurring(reminder, chat, now)
            await self.reminders.reschedule(reminder.id, nxt, nxt)
        elif reminder.kind == "overdue" and keep_going:
            nxt = next_local_time(tz, OVERDUE_TIME, now)
            await self.reminders.reschedule(reminder.id, await self.automatic_time(chat, nxt), nxt)
        elif reminder.kind == "digest":
            schedule = await self.settings.schedule(chat.id)
            if schedule.digest_weekday is None:
                await self.reminders.mark_sent(reminder.id, now, late=late)
                return
            nxt = next_local_time(tz, schedule.digest_time, now, schedule.digest_weekday)
            await self.reminders.reschedule(reminder.id, await self.automatic_time(chat, nxt), nxt)
        else:
            await self.reminders.mark_sent(reminder.id, now, late=late)

    def buttons(self, reminder: Reminder, language: str) -> Buttons:
        data = f"rem|{reminder.id}|"
        t = self.catalog.t
        return [
            [
                (t("btn.done", language), data + "done"),
                (t("btn.snooze_hour", language), data + "h1"),
                (t("btn.snooze_day", language), data + "d1"),
            ]
        ]

    async def _render(self, reminder: Reminder, chat: Chat, late: bool) -> tuple[str | None, Buttons | None, bool]:
        """The message for one group, its buttons, and whether a repeating reminder goes on."""
        t, lang = self.catalog.t, chat.language
        ui = self.catalog.resolve(lang)
        tz = zone_of(chat)
        late_mark = ("\n" + t("reminder.late", lang)) if late else ""
        bridge_id = reminder.scope.bridge_id
        if reminder.kind == "digest":
            here = await self.chats.context(chat)
            if not await self.status.has_items(here):
                return None, None, True  # nothing recorded yet: no digest this week
            body = await self.status.text(here)
            return t("reminder.digest", lang, body=Markup(body)) + late_mark, None, True
        if reminder.action_item_id is not None:
            item = await self.actions.get_by_id(reminder.action_item_id)
            if item is None or item.status != "open":
                return None, None, False
            title = (await self.translations.translate(item.title, item.language, lang, bridge_id=bridge_id)).text
            owners = Markup("")
            if item.owners:
                names = self.catalog.join((o.name for o in item.owners), lang)
                owners = Markup(t("fmt.separator", lang) + t("action.owners", lang, owners=names))
            when = format_when(item.due_at, ui, tz) if item.due_at else ""
            if reminder.kind == "overdue" or (item.due_at is not None and item.due_at <= self.now()):
                key = "reminder.overdue" if reminder.kind == "overdue" else "reminder.due_now"
            else:
                key = "reminder.due_soon"
            text = t(key, lang, number=item.number, title=title, when=when, owners=owners)
            return text + late_mark, self.buttons(reminder, ui), True
        if reminder.kind == "meeting":
            start = reminder.nominal_at + timedelta(seconds=reminder.lead_seconds or 0)
            title = reminder.text or ""
            if title and reminder.language:
                title = (await self.translations.translate(title, reminder.language, lang, bridge_id=bridge_id)).text
            shown = format_when(start, ui, tz)
            return t("reminder.meeting", lang, title=title, when=shown) + late_mark, None, False
        message = reminder.text or ""
        if reminder.language:
            message = (await self.translations.translate(message, reminder.language, lang, bridge_id=bridge_id)).text
        return t("reminder.adhoc", lang, text=message) + late_mark, self.buttons(reminder, ui), True
