"""Reminder commands: ``/remind``, ``/reminders`` (list and settings), ``/unremind``, ``/digest`` and the
buttons under a reminder. What fires them is the engine (bot.features.reminder_engine)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Sequence
from datetime import datetime, timedelta

from bot.context import Actor, ChatContext, Phrase, Refused, Reply, reply
from bot.domain.errors import LimitReached
from bot.domain.records import Reminder
from bot.domain.repositories import ReminderRepository, ReminderSettingsRepository
from bot.domain.rules import REMINDER_LEAD_SECONDS_MAX, REMINDER_LEADS_MAX
from bot.features.actions import ActionService
from bot.features.calendars import Calendars
from bot.features.pages import footer, page_of, read_page, with_footer
from bot.features.reminder_engine import ReminderEngine
from bot.features.when import choice_data, examples, noted, offer_other, read_choice, read_leading_when
from bot.language.catalog import Catalog, Markup
from bot.language.dates import format_when, is_past
from bot.language.htmltext import escape
from bot.language.localise import clock, describe_recurrence, format_duration, quiet_window, weekday_name
from bot.language.schedule import parse_durations, parse_hhmm, parse_recurrence, parse_weekday_time
from bot.permissions import Permissions

LIST_PAGE = 20  # reminders on one page of /reminders
TEXT_MAX = 1000  # characters of a reminder's text: it is posted, translated, in every group
# How a recurring /remind starts in each language: text that starts so but is not a recurrence gets the usage.
RECURRING_STARTS = ("every ", "daily", "setiap", "tiap", "매주", "매일", "jeden ", "jede ", "täglich", "毎", "每")
_BUTTON = re.compile(r"^rem\|(\d{1,18})\|(done|h1|d1)$")


def lead_text(catalog: Catalog, lead_seconds: Sequence[int], language: str) -> str:
    """When due-date reminders come, as one phrase of the language (Telegram HTML): "24 hours before the deadline
    and at the deadline", "24 Stunden vor der Frist und bei Fälligkeit", "마감 24시간 전과 마감 시각에" … —
    the lead times before the deadline joined as the language joins a list, then "at the deadline" (a lead
    time of 0)."""
    before = sorted({s for s in lead_seconds if s > 0}, reverse=True)
    durations = Markup(catalog.join((escape(format_duration(s, language)) for s in before), language))
    if not before:
        return catalog.t("reminders.lead_at", language)
    if 0 in lead_seconds:
        return catalog.t("reminders.lead_both", language, durations=durations)
    return catalog.t("reminders.lead_before", language, durations=durations)


class ReminderService:
    def __init__(
        self,
        *,
        engine: ReminderEngine,
        stored: ReminderRepository,
        settings: ReminderSettingsRepository,
        actions: ActionService,
        catalog: Catalog,
        permissions: Permissions,
        calendars: Calendars,
        max_reminders: int = 200,
    ) -> None:
        self.engine = engine
        self.calendars = calendars
        self.stored = stored  # the reminders as stored (``reminders`` is the /reminders command)
        self.settings = settings
        self.max_reminders = max_reminders
        self.actions = actions
        self.catalog = catalog
        self.permissions = permissions

    # ---- /remind ------------------------------------------------------------------------------------
    async def remind(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/remind <when> <text>`` or ``/remind every <day> <time> <text>``, for every group of the bridge."""
        text = text.strip()
        if not text:
            raise Refused("remind.usage", examples=examples(here.ui))
        if await self.stored.count_numbered(here.scope) >= self.max_reminders:
            raise Refused("remind.too_many", limit=self.max_reminders)
        parsed = parse_recurrence(text, here.language) or parse_recurrence(text, "en")
        if parsed is None and text.lower().startswith(RECURRING_STARTS):
            raise Refused("remind.usage", examples=examples(here.ui))
        if parsed is not None:
            recurrence, message = parsed
            if not message.strip():
                raise Refused("remind.no_text")
            self._check_length(message)
            added = await self._added(
                self.engine.add_recurring(
                    here.chat, here.scope, recurrence, message.strip(), actor.user_id, limit=self.max_reminders
                )
            )
            rule = Markup(describe_recurrence(self.catalog, recurrence, here.ui))
            return reply("remind.created_recurring", number=added[0].number, rule=rule, text=message)
        found = await read_leading_when(text, here, self.engine.now(), (await self.calendars.of(here.chat)).closed)
        if found is None:
            raise Refused("remind.usage", examples=examples(here.ui))
        reading, message = found
        when = reading.when
        shown = format_when(when, here.ui, here.timezone)
        if is_past(when, self.engine.now()):
            raise Refused("remind.past", when=shown)
        if not message.strip():
            raise Refused("remind.no_text")
        self._check_length(message)
        added = await self._added(
            self.engine.add_adhoc(here.chat, here.scope, when, message.strip(), actor.user_id, limit=self.max_reminders)
        )
        number = added[0].number or 0
        body = self.catalog.t("remind.created", here.ui, number=number, when=shown, text=message)
        waits = await self.partners_wait(here, added, when)
        if reading.other is None or is_past(reading.other, self.engine.now()):
            return noted(self.catalog, here, body, reading, waits) or reply(
                "remind.created", number=number, when=shown, text=message
            )
        return offer_other(self.catalog, here, body, reading, choice_data("r", here.scope, number, reading), waits)

    async def partners_wait(self, here: ChatContext, added: Sequence[Reminder], when: datetime) -> list[str]:
        """A line per partner group whose copy waits for its working time: when it arrives there (in this group's
        language and zone) and why (the holiday, the day off, or its working hours)."""
        lines: list[str] = []
        others = {chat.id: chat for chat in here.members if chat.id != here.id}
        for row in added:
            chat = others.get(row.chat_id)
            if chat is None or row.due_at <= when:
                continue
            calendar = await self.calendars.of(chat)
            why = calendar.why_not(when, here.ui)
            reason = (
                self.catalog.t("calendar.why_hours", here.ui)
                if why == "hours" or why is None
                else self.catalog.t("calendar.why_weekend", here.ui)
                if why == ""
                else escape(why)
            )
            arrives = format_when(row.due_at, here.ui, here.timezone)
            lines.append(
                self.catalog.t("remind.partner_waits", here.ui, city=chat.label, when=arrives, why=Markup(reason))
            )
        return lines

    async def _added(self, adding: Awaitable[list[Reminder]]) -> list[Reminder]:
        """The reminder's rows; refused when the scope reached its limit meanwhile (two groups at once)."""
        try:
            return await adding
        except LimitReached:
            raise Refused("remind.too_many", limit=self.max_reminders) from None

    async def take_other(self, here: ChatContext, actor: Actor, data: str) -> Reply | None:
        """The other-reading button under a new reminder: its creator or an administrator moves it there;
        nothing changes when it already fired, was cancelled or was moved meanwhile."""
        choice = read_choice(data)
        if choice is None or choice.kind != "r":
            return None
        if choice.scope != here.scope:
            raise Refused("reminder.button_other_chat")
        found = await self.stored.numbered(here.scope, choice.number)
        if found is None:
            raise Refused("when.choice_gone")
        if actor.user_id is None or found.created_by != actor.user_id:
            await self.permissions.require_admin(here, actor)
        shown = format_when(choice.other, here.ui, here.timezone)
        if is_past(choice.other, self.engine.now()):
            raise Refused("remind.past", when=shown)
        if not await self.engine.move(here.scope, choice.number, choice.taken, choice.other):
            raise Refused("when.choice_gone")
        notice = self.catalog.t("when.moved", here.ui, number=choice.number, when=shown, text=found.text or "")
        await self.engine.tell(here.chat, notice)
        return Reply("when.reminder_taken", {"number": choice.number, "when": shown})

    def _check_length(self, message: str) -> None:
        if len(message.strip()) > TEXT_MAX:
            raise Refused("remind.too_long", length=len(message.strip()), limit=TEXT_MAX)

    # ---- /reminders ---------------------------------------------------------------------------------
    async def reminders(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/reminders [page]``: the upcoming ones and the settings; ``lead …``, ``overdue on|off``,
        ``quiet …`` change the settings (administrators)."""
        words, page_number = read_page(text.split())
        if not words:
            return await self._listing(here, page_number)
        args = text.split()
        option, values = self.catalog.choose(args[0], here.ui, ("lead", "overdue", "quiet")), args[1:]
        if option is None:
            raise Refused("reminders.usage")
        switch = self.catalog.choose(values[0], here.ui, ("on", "off")) if len(values) == 1 else None
        await self.permissions.require_admin(here, actor)
        settings = self.settings
        if option == "lead":
            seconds = parse_durations(" ".join(values)) if values else None
            too_long = seconds and any(s < 0 or s > REMINDER_LEAD_SECONDS_MAX for s in seconds)
            if not seconds or len(seconds) > REMINDER_LEADS_MAX or too_long:
                raise Refused("reminders.lead_invalid")
            changed = await settings.set_lead(here.scope, seconds)
            await self.engine.resync_scope(here.scope)
            return reply("reminders.lead_set", lead=self._lead_text(here, changed.lead_seconds))
        if option == "overdue":
            if switch is None:
                raise Refused("reminders.usage")
            await settings.set_overdue(here.scope, switch == "on")
            await self.engine.resync_scope(here.scope)
            return reply("reminders.overdue_set", state=Phrase(f"state.{switch}"))
        if switch == "off":
            await settings.set_quiet(here.id, None, None)
            await self.engine.resync_scope(here.scope)
            return reply("reminders.quiet_off")
        window = "".join(values).replace("–", "-").split("-")
        start = parse_hhmm(window[0]) if len(window) == 2 else None
        end = parse_hhmm(window[1]) if len(window) == 2 else None
        if start is None or end is None or start == end:
            raise Refused("reminders.quiet_invalid")
        schedule = await settings.set_quiet(here.id, start, end)
        await self.engine.resync_scope(here.scope)
        return reply("reminders.quiet_set", quiet=self._quiet_text(here, schedule.quiet_start, schedule.quiet_end))

    async def _listing(self, here: ChatContext, page_number: int) -> Reply:
        # All of them (a scope has at most max_reminders, and some more made at the same moment): the count is
        # exact and every page reachable.
        upcoming = await self.stored.upcoming(here.scope, limit=self.max_reminders + LIST_PAGE)
        page = page_of(upcoming, page_number, LIST_PAGE)
        settings = await self.settings.get(here.scope)
        schedule = await self.settings.schedule(here.id)
        t = self.catalog.t
        summary = t(
            "reminders.settings",
            here.ui,
            lead=self._lead_text(here, settings.lead_seconds),
            overdue=t("state.on" if settings.overdue else "state.off", here.ui),
            quiet=self._quiet_text(here, schedule.quiet_start, schedule.quiet_end),
            digest=self._digest_text(here, schedule.digest_weekday, schedule.digest_time),
        )
        if not upcoming:
            return reply("reminders.overview", items=Phrase("reminders.none"), settings=Markup(summary))
        lines = []
        for r in page.items:
            if r.recurrence:
                when = Markup(describe_recurrence(self.catalog, r.recurrence, here.ui))
            else:
                when = Markup(escape(format_when(r.due_at, here.ui, here.timezone)))
            lines.append(t("reminders.line", here.ui, number=r.number or 0, when=when, text=r.text or ""))
        more = footer(self.catalog, here.ui, page, "/reminders")
        listing = t("reminders.list", here.ui, items=with_footer("\n".join(lines), more))
        return reply("reminders.overview", items=Markup(listing), settings=Markup(summary))

    def _lead_text(self, here: ChatContext, lead_seconds: tuple[int, ...]) -> Markup:
        return Markup(lead_text(self.catalog, lead_seconds, here.ui))

    def _quiet_text(self, here: ChatContext, start: str | None, end: str | None) -> Markup:
        return Markup(quiet_window(self.catalog, start, end, here.ui))

    def _digest_text(self, here: ChatContext, weekday: int | None, time: str) -> Markup:
        if weekday is None:
            return Markup(self.catalog.t("digest.state_off", here.ui))
        day = weekday_name(weekday, here.ui, every=True)
        return Markup(self.catalog.t("digest.when", here.ui, weekday=day, time=clock(time, here.ui)))

    # ---- /unremind ----------------------------------------------------------------------------------
    async def unremind(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/unremind <n>``: its creator or an administrator."""
        args = text.split()
        if len(args) != 1 or not args[0].isdigit() or len(args[0]) > 9:
            raise Refused("unremind.usage")
        number = int(args[0])
        found = await self.stored.numbered(here.scope, number)
        if found is None:
            raise Refused("unremind.not_found", number=number)
        if actor.user_id is None or found.created_by != actor.user_id:
            await self.permissions.require_admin(here, actor)
        if await self.stored.cancel_number(here.scope, number) is None:
            raise Refused("unremind.not_found", number=number)
        return reply("unremind.done", number=number)

    # ---- /digest ------------------------------------------------------------------------------------
    async def digest(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/digest off|on|<weekday> <time>`` (administrators)."""
        text = text.strip()
        if not text:
            raise Refused("digest.usage")
        await self.permissions.require_admin(here, actor)
        settings = self.settings
        switch = self.catalog.choose(text, here.ui, ("on", "off"))
        if switch == "off":
            await settings.set_digest(here.id, None)
            await self.engine.reset_digest(here.chat)
            return reply("digest.off")
        if switch == "on":
            current = await settings.schedule(here.id)
            await settings.set_digest(here.id, 0 if current.digest_weekday is None else current.digest_weekday)
        else:
            parsed = parse_weekday_time(text, here.language) or parse_weekday_time(text, "en")
            if parsed is None:
                raise Refused("digest.usage")
            await settings.set_digest(here.id, parsed[0], parsed[1])
        schedule = await settings.schedule(here.id)
        await self.engine.reset_digest(here.chat)
        return reply("digest.set", when=self._digest_text(here, schedule.digest_weekday, schedule.digest_time))

    # ---- buttons ------------------------------------------------------------------------------------
    async def press(self, here: ChatContext, actor: Actor, data: str) -> Reply | None:
        """✅ done, ⏰ 1 hour, ⏰ 1 day under a reminder; the presser's notice, or None for forged data."""
        match = _BUTTON.match(data)
        if match is None:
            return None
        reminder = await self.stored.get(int(match.group(1)))
        if reminder is None or reminder.chat_id != here.id or reminder.scope != here.scope:
            raise Refused("reminder.button_other_chat")
        op = match.group(2)
        if op in ("h1", "d1"):
            await self.engine.snooze(reminder, timedelta(hours=1) if op == "h1" else timedelta(days=1))
            return Reply("snooze.hour" if op == "h1" else "snooze.day")
        if reminder.action_item_id is None:
            return Reply("reminder.done_ack")
        item = await self.actions.item(reminder.action_item_id)
        if item is None or item.status != "open":
            return Reply("action.button_stale")
        # The same path as the ✅ button of the item itself (permissions, announcement, reminders cancelled).
        return await self.actions.complete(here, actor, item)
