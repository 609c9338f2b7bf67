"""/remind, /reminders, /unremind, /digest, the reminder buttons, and the wake-up jobs."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

from babel.dates import get_day_names
from telegram import Update
from telegram.ext import Application, ContextTypes, Job

from bot.dates import EXAMPLES, format_when, is_past, parse_when
from bot.i18n import Markup
from bot.reminders import ReminderService
from bot.schedule import (
    describe_recurrence,
    format_duration,
    parse_durations,
    parse_hhmm,
    parse_recurrence,
    parse_weekday_time,
)
from bot.textproc import escape
from handlers.basic import is_admin, reply
from handlers.context import SERVICES_KEY, KembarContext

logger = logging.getLogger(__name__)

MAX_WHEN_WORDS = 8
RECURRING_WORDS = ("every", "daily", "setiap", "tiap", "매주", "매일", "jeden", "jede", "täglich", "montags")


def _rest(update: Update) -> str:
    message = update.effective_message
    text = (message.text or "") if message else ""
    _, _, rest = text.partition(" ")
    return rest.strip()


def _examples(lang: str) -> Markup:
    examples = EXAMPLES.get(lang) or EXAMPLES["en"]
    return Markup(", ".join(f"<code>{escape(e)}</code>" for e in examples))


def split_when(text: str, lang: str, tz: str, now: datetime) -> tuple[datetime, str] | None:
    """The longest leading words that name a time, and the rest (the reminder's text)."""
    words = text.split()
    best: tuple[datetime, str] | None = None
    for count in range(1, min(len(words), MAX_WHEN_WORDS) + 1):
        phrase = " ".join(words[:count])
        when = None
        for language in dict.fromkeys((lang, "en")):
            when = parse_when(phrase, language, tz, now)
            if when is not None:
                break
        if when is not None:
            best = (when, " ".join(words[count:]))
    return best


async def remind(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    services = context.services
    service = services.reminders
    text = _rest(update)
    lang = context.language
    if not text:
        await reply(update, context, context.t("remind.usage", examples=_examples(lang)))
        return
    scope = await services.actions.scope_for(chat)
    user = update.effective_user
    tz = services.timezone_of(chat)
    first_word = text.split()[0].lower()
    if first_word in RECURRING_WORDS or text.lower().startswith(("every ", "jeden ")):
        parsed = parse_recurrence(text, chat.language) or parse_recurrence(text, "en")
        if parsed is None:
            await reply(update, context, context.t("remind.usage", examples=_examples(lang)))
            return
        recurrence, message = parsed
        if not message.strip():
            await reply(update, context, context.t("remind.no_text"))
            return
        added = await service.add_recurring(chat, scope.key, recurrence, message.strip(), user.id if user else None)
        rule = describe_recurrence(recurrence, lang)
        await reply(
            update, context, context.t("remind.created_recurring", number=added[0].number, rule=rule, text=message)
        )
        return
    found = await asyncio.to_thread(split_when, text, chat.language, tz, service.now())
    if found is None:
        await reply(update, context, context.t("remind.usage", examples=_examples(lang)))
        return
    when, message = found
    shown = format_when(when, lang, tz)
    if is_past(when, service.now()):
        await reply(update, context, context.t("remind.past", when=shown))
        return
    if not message.strip():
        await reply(update, context, context.t("remind.no_text"))
        return
    added = await service.add_adhoc(chat, scope.key, when, message.strip(), user.id if user else None)
    await reply(update, context, context.t("remind.created", number=added[0].number, when=shown, text=message))


def _quiet_text(context: KembarContext, start: str | None, end: str | None) -> str:
    return f"{start}–{end}" if start and end else context.t("state.off")


async def _digest_text(context: KembarContext, weekday: int | None, time: str) -> str:
    if weekday is None:
        return context.t("digest.state_off")
    day = get_day_names("wide", locale=context.language)[weekday]
    return context.t("digest.when", weekday=day, time=time)


async def reminders(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    services = context.services
    service = services.reminders
    args = _rest(update).split()
    scope = await services.actions.scope_for(chat)
    lang = context.language
    tz = services.timezone_of(chat)
    if not args:
        upcoming = await service.upcoming(scope.key)
        settings = await service.settings.get(scope.key)
        schedule = await service.settings.schedule(chat.id)
        lead = ", ".join(
            format_duration(s, lang) if s else context.t("reminders.at_due") for s in settings.lead_seconds
        )
        summary = context.t(
            "reminders.settings",
            lead=lead,
            overdue=context.t("state.on" if settings.overdue else "state.off"),
            quiet=_quiet_text(context, schedule.quiet_start, schedule.quiet_end),
            digest=await _digest_text(context, schedule.digest_weekday, schedule.digest_time),
        )
        if not upcoming:
            await reply(update, context, context.t("reminders.none") + "\n\n" + summary)
            return
        lines = []
        for r in upcoming:
            when = describe_recurrence(r.recurrence, lang) if r.recurrence else format_when(r.due_at, lang, tz)
            lines.append(context.t("reminders.line", number=r.number or 0, when=when, text=r.text or ""))
        await reply(update, context, context.t("reminders.list", items=Markup("\n".join(lines))) + "\n\n" + summary)
        return
    option, values = args[0].lower(), args[1:]
    if option not in ("lead", "overdue", "quiet"):
        await reply(update, context, context.t("reminders.usage"))
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    if option == "lead":
        seconds = parse_durations(" ".join(values)) if values else None
        if not seconds or len(seconds) > 5 or any(s < 0 or s > 30 * 86400 for s in seconds):
            await reply(update, context, context.t("reminders.lead_invalid"))
            return
        settings = await service.settings.set_lead(scope.key, seconds)
        await service.resync_scope(scope.key)
        lead = ", ".join(
            format_duration(s, lang) if s else context.t("reminders.at_due") for s in settings.lead_seconds
        )
        await reply(update, context, context.t("reminders.lead_set", lead=lead))
        return
    if option == "overdue":
        if values not in (["on"], ["off"]):
            await reply(update, context, context.t("reminders.usage"))
            return
        await service.settings.set_overdue(scope.key, values == ["on"])
        await service.resync_scope(scope.key)
        await reply(update, context, context.t("reminders.overdue_set", state=context.t(f"state.{values[0]}")))
        return
    if values == ["off"]:
        schedule = await service.settings.set_quiet(chat.id, None, None)
    else:
        window = "".join(values).replace("–", "-").split("-")
        start = parse_hhmm(window[0]) if len(window) == 2 else None
        end = parse_hhmm(window[1]) if len(window) == 2 else None
        if start is None or end is None or start == end:
            await reply(update, context, context.t("reminders.quiet_invalid"))
            return
        schedule = await service.settings.set_quiet(chat.id, start, end)
    await service.resync_scope(scope.key)
    await reply(
        update,
        context,
        context.t("reminders.quiet_set", quiet=_quiet_text(context, schedule.quiet_start, schedule.quiet_end)),
    )


async def unremind(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    args = _rest(update).split()
    if len(args) != 1 or not args[0].isdigit() or len(args[0]) > 9:
        await reply(update, context, context.t("unremind.usage"))
        return
    services = context.services
    scope = await services.actions.scope_for(chat)
    number = int(args[0])
    candidates = [r for r in await services.reminders.upcoming(scope.key) if r.number == number]
    user = update.effective_user
    if candidates and (user is None or candidates[0].created_by != user.id) and not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    cancelled = await services.reminders.reminders.cancel_number(scope.key, number)
    if cancelled is None:
        await reply(update, context, context.t("unremind.not_found", number=number))
        return
    await reply(update, context, context.t("unremind.done", number=number))


async def digest(update: Update, context: KembarContext) -> None:
    chat = context.chat
    if chat is None:
        return
    text = _rest(update)
    if not text:
        await reply(update, context, context.t("digest.usage"))
        return
    if not await is_admin(update, context):
        await reply(update, context, context.t("admin.only"))
        return
    service = context.services.reminders
    lowered = text.lower()
    if lowered == "off":
        await service.settings.set_digest(chat.id, None)
        await service.reset_digest(chat)
        await reply(update, context, context.t("digest.off"))
        return
    if lowered == "on":
        current = await service.settings.schedule(chat.id)
        await service.settings.set_digest(chat.id, 0 if current.digest_weekday is None else current.digest_weekday)
    else:
        parsed = parse_weekday_time(text, chat.language) or parse_weekday_time(text, "en")
        if parsed is None:
            await reply(update, context, context.t("digest.usage"))
            return
        await service.settings.set_digest(chat.id, parsed[0], parsed[1])
    schedule = await service.settings.schedule(chat.id)
    await service.reset_digest(chat)
    await reply(
        update,
        context,
        context.t("digest.set", when=await _digest_text(context, schedule.digest_weekday, schedule.digest_time)),
    )


async def on_button(update: Update, context: KembarContext) -> None:
    query = update.callback_query
    chat = context.chat
    if query is None:
        return
    parts = (query.data or "").split("|")
    if (
        len(parts) != 3
        or parts[0] != "rem"
        or not parts[1].isdigit()
        or parts[2] not in ("done", "h1", "d1")
        or chat is None
    ):
        await query.answer()
        return
    services = context.services
    service = services.reminders
    reminder = await service.reminders.get(int(parts[1]))
    if reminder is None or reminder.chat_id != chat.id:
        await query.answer(context.t("reminder.button_other_chat"), show_alert=True)
        return
    op = parts[2]
    if op in ("h1", "d1"):
        await service.snooze(reminder, timedelta(hours=1) if op == "h1" else timedelta(days=1))
        await query.answer(context.t("snooze.hour" if op == "h1" else "snooze.day"))
        return
    if reminder.action_item_id is None:
        await query.answer(context.t("reminder.done_ack"))
        return
    item = await services.actions.actions.get_by_id(reminder.action_item_id)
    if item is None or item.status != "open":
        await query.answer(context.t("action.button_stale"))
        return
    # The same path as the ✅ button of the item itself (permissions, announcement, reminders cancelled).
    from handlers.actions import complete_item

    await complete_item(update, context, item)


# ---- wake-ups ---------------------------------------------------------------------------------------

SWEEP_SECONDS = 60.0
WAKE_JOB = "kembar-reminders-wake"


def _service(app: Application[Any, Any, Any, Any, Any, Any]) -> ReminderService | None:
    services = app.bot_data.get(SERVICES_KEY)
    return getattr(services, "reminders", None)


async def _fire(context: ContextTypes.DEFAULT_TYPE) -> None:
    service = _service(context.application)
    if service is None:
        return
    try:
        await service.run_due()
    except Exception:
        logger.exception("firing reminders failed; the sweep retries")
    await schedule_wake(context.application)


async def _sweep(context: ContextTypes.DEFAULT_TYPE) -> None:
    service = _service(context.application)
    if service is None:
        return
    try:
        await service.ensure_digests()
    except Exception:
        logger.exception("planning digests failed")
    await _fire(context)


async def schedule_wake(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """One job at the next due instant (the database knows it); the sweep catches the rest."""
    service = _service(app)
    queue = app.job_queue
    if service is None or queue is None:
        return
    nxt = await service.next_due_at()
    for job in queue.get_jobs_by_name(WAKE_JOB):
        job.schedule_removal()
    if nxt is None:
        return
    delay = max(0.0, (nxt - service.now()).total_seconds())
    if delay < SWEEP_SECONDS:
        queue.run_once(_fire, delay, name=WAKE_JOB, job_kwargs={"misfire_grace_time": None})


def start_jobs(app: Application[Any, Any, Any, Any, Any, Any]) -> list[Job[Any]]:
    """Called once the services exist: the sweep (also right away, for reminders missed while down)."""
    queue = app.job_queue
    if queue is None:
        return []
    service = _service(app)
    if service is not None:
        loop = asyncio.get_running_loop()
        pending: set[asyncio.Task[None]] = set()

        def changed() -> None:
            task = loop.create_task(schedule_wake(app))
            pending.add(task)
            task.add_done_callback(pending.discard)

        service.on_schedule_change = changed
    return [
        queue.run_repeating(
            _sweep,
            SWEEP_SECONDS,
            first=0.5,
            name="kembar-reminders-sweep",
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )
    ]
