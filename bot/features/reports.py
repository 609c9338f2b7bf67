"""Reports for monitoring and evaluation: ``/report`` (a summary and charts, in each asking group's language and
zone), automatic monthly or quarterly reports, ``/reports`` (the last ones, sent again on request) and
``/export`` (CSV, XLSX and iCalendar files). Figures come from the event history (``bot.reports.figures``).

Heavy work stays off the event loop: a report reads only what it counts (the open items, those done in the
period, the period's "created" and "done" events, one sum per indicator), storage maps the rows in one
``Database.run_sync`` (on a SQLite file: the database thread), the figures are computed in a worker thread,
and the charts and the export files (with their rows) are made in the ``Workshop``'s worker process. An
export reads at most the rows it holds and counts the rest. The same ``/report`` or ``/export`` asked again
in the same group within ``REPORT_COOLDOWN`` / ``EXPORT_COOLDOWN`` gets a short notice that it was just sent
instead of being made again (remembered by this process: another instance makes it again)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_percent
from babel.units import format_unit

from bot.context import Actor, ChatContext, Phrase, Refused, Reply, reply, zone_of
from bot.domain.meetings import MeetingRepository
from bot.domain.records import ActionItem, NewReminder, Reminder, StoredReport
from bot.domain.repositories import (
    ActionRepository,
    EventRepository,
    IndicatorRepository,
    ReminderRepository,
    ReminderSettingsRepository,
    ReportRepository,
)
from bot.domain.rules import REPORT_SUMMARY_MAX
from bot.features.actions import ItemTitles
from bot.features.calendars import Calendars
from bot.features.indicators import indicator_values
from bot.features.record_exports import RecordExports
from bot.features.when import read_when
from bot.language.catalog import Catalog, Markup, babel_locale
from bot.language.dates import format_when
from bot.language.htmltext import escape, shorten_html, split_html, strip_tags
from bot.language.numbers import rounded, show_count, show_figure
from bot.permissions import Permissions
from bot.ports import Sender
from bot.relay.activity import ActivityCounter
from bot.reports import periods
from bot.reports.days_off import days_off_events
from bot.reports.figures import ReportFigures, figures
from bot.reports.model import CalendarItem, ChartText, IcsEvent, Period
from bot.reports.period_words import read_period
from bot.reports.sheets import (
    ActionSheet,
    IndicatorSheet,
    action_files,
    deadline_day,
    indicator_files,
    period_words,
    zone_form,
)

logger = logging.getLogger(__name__)
_T = TypeVar("_T")


def cjk_unit(text: str, ui: str) -> str:
    """Japanese and Chinese write a number and its unit together ("0日", "3天"); CLDR's long form puts a space."""
    return re.sub(r"(?<=\d) (?=\S)", "", text) if ui in ("ja", "zh") else text

CHART_TIMEOUT = 30.0  # seconds for drawing one report's charts in the workshop
FIGURES_TIMEOUT = 30.0  # seconds for computing one report's figures in a worker thread
EXPORT_TIMEOUT = 30.0  # seconds for making one export's files in the workshop
EXPORT_MAX_ROWS = 10_000
TITLES_AT_ONCE = 100  # titles translated together: each batch is a short turn of the event loop
REPORT_COOLDOWN = timedelta(seconds=60)  # the same /report in the same group: "just sent" instead
EXPORT_COOLDOWN = timedelta(seconds=60)  # the same /export in the same group: "just sent" instead
SENT_KEPT = 1024  # reports and exports remembered for their cooldown, all groups together
REPORTS_SHOWN = 10
SUMMARY_LIMIT = 4000  # characters of one message; a longer summary is sent in parts
AUTOMATIC = {"monthly": "month", "quarterly": "quarter"}


class Workshop:
    """Where charts and export files are made: a worker process, one job at a time, so that neither their CPU
    time nor their garbage reaches the event loop. matplotlib, openpyxl and icalendar allocate hundreds of
    thousands of objects for one big file; made in a thread of the bot's own process, Python's cyclic garbage
    collector, running in the middle of that, stops every thread — the event loop's too — for each full pass
    over the whole heap (100–500 ms measured with 5,000 actions: ``tests/e2e/reliability_heavy.py``). In a
    worker process only the worker pauses, and the bot never loads those libraries at all.

    The worker is a fresh interpreter (multiprocessing's "spawn": nothing of the bot's threads, locks or
    connections is inherited, and it talks to the bot over pipes only; the main module must guard its start
    with ``if __name__ == "__main__"``, as ``kembar`` does), started by the first job and kept for the next
    ones, at a lower priority than the bot (``os.nice``: on a small machine the event loop wins the processor).
    A job that overruns its time is killed with its worker; a worker that dies is replaced for the next job
    (the job that was running fails: it may be what killed it). Where no worker can be started at all
    (``processes=False``, the system refuses, or the first one dies before it has done anything) the work runs
    in a thread."""

    def __init__(self, *, processes: bool = True) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._proven = False  # the current worker has done a job
        self._lock = threading.Lock()

    def _get(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._pool is None and self.processes:
                try:
                    self._pool = ProcessPoolExecutor(
                        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_background
                    )
                    self._proven = False
                except (OSError, ImportError, NotImplementedError, ValueError) as exc:
                    self._threads(exc)
            return self._pool

    def _threads(self, cause: BaseException) -> None:
        logger.warning("no worker process for charts and files (%r): they are made in threads", cause)
        self.processes = False

    def _discard(self, pool: ProcessPoolExecutor, *, kill: bool) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        if kill:  # a worker past its time would hold the next jobs up (ProcessPoolExecutor kills none before 3.14)
            for process in list(pool._processes.values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, timeout: float, work: Callable[..., _T], *args: Any) -> _T:  # noqa: ASYNC109
        """``work(*args)`` (a module-level function, its arguments and result picklable) in the worker;
        TimeoutError after ``timeout`` seconds, ``BrokenProcessPool`` when the worker died doing it."""
        pool = await asyncio.to_thread(self._get)
        if pool is None:
            return await asyncio.wait_for(asyncio.to_thread(work, *args), timeout)
        try:  # from a thread: the first job starts the worker process
            submitted = await asyncio.to_thread(pool.submit, work, *args)
        except (BrokenProcessPool, OSError, RuntimeError) as exc:  # no worker could be started
            self._discard(pool, kill=False)
            self._threads(exc)
            return await asyncio.wait_for(asyncio.to_thread(work, *args), timeout)
        try:
            found = await asyncio.wait_for(asyncio.wrap_future(submitted), timeout)
        except TimeoutError:
            self._discard(pool, kill=True)
            raise
        except BrokenProcessPool as exc:
            proven = self._proven
            self._discard(pool, kill=False)
            if proven:
                raise
            self._threads(exc)  # the first worker died before doing anything: it could not start
            return await asyncio.wait_for(asyncio.to_thread(work, *args), timeout)
        self._proven = True
        return found

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


WORKSHOP = Workshop()  # one worker process for the whole bot, started by the first chart or file


def _background() -> None:
    """The workshop's worker yields the processor to the bot: a file can wait, the event loop should not."""
    with contextlib.suppress(AttributeError, OSError):  # no os.nice on Windows; a refused one changes nothing
        os.nice(10)


def draw_charts(found: ReportFigures, text: ChartText) -> list[tuple[str, bytes]]:
    """A report's charts as (file name, PNG): in the workshop's worker."""
    from bot.reports import charts  # matplotlib (~45 MB) is loaded by the first report, not at start-up

    drawn = []
    if found.indicators:
        drawn.append(("indicators.png", charts.indicator_chart(found.indicators, text)))
    if any(b.opened or b.done for b in found.buckets):
        drawn.append(("actions.png", charts.actions_chart(found.buckets, text)))
    if any(a.days for a in found.activity):
        drawn.append(("activity.png", charts.activity_chart(found.activity, text)))
    return drawn


def calendar_file(
    items: Sequence[CalendarItem], lead_seconds: Sequence[int], name: str, events: Sequence[IcsEvent] = ()
) -> bytes:
    """The calendar export as iCalendar (the items, then the other ``events``): in the workshop's worker."""
    from bot.reports import exports

    return exports.calendar_ics(items, lead_seconds, name, events=events)


@dataclass(frozen=True)
class Export:
    """The files of an export, the rows they hold, and how many rows there are (more when cut); of the cities'
    days off (``/export calendar holidays``), how many did not fit."""

    files: list[tuple[str, bytes]]
    rows: int
    total: int
    days_off_left: int = 0


class ReportService:
    def __init__(
        self,
        *,
        actions: ActionRepository,
        titles: ItemTitles,
        events: EventRepository,
        indicators: IndicatorRepository,
        activity: ActivityCounter,
        reports: ReportRepository,
        reminders: ReminderRepository,
        reminder_settings: ReminderSettingsRepository,
        catalog: Catalog,
        sender: Sender,
        permissions: Permissions,
        clock: Callable[[], datetime],
        on_schedule_change: Callable[[], None],
        calendars: Calendars,
        meetings: MeetingRepository | None = None,
        workshop: Workshop = WORKSHOP,
        records: RecordExports | None = None,
    ) -> None:
        self.meetings = meetings
        self.records = records  # decisions and evidence: their report lines and exports
        self.actions = actions
        self.titles = titles
        self.events = events
        self.indicators = indicators
        self.activity = activity
        self.reports = reports
        self.reminders = reminders
        self.reminder_settings = reminder_settings
        self.catalog = catalog
        self.sender = sender
        self.permissions = permissions
        self.clock = clock
        self.on_schedule_change = on_schedule_change
        self.calendars = calendars
        self.workshop = workshop
        # What was just sent, per (chat, request): when, and the report's number (None for an export)
        self._sent: dict[tuple[int, str], tuple[datetime, int | None]] = {}

    # ---- /report ------------------------------------------------------------------------------------
    async def report(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/report [month|quarter|year|last month|<month>|Q<n> <year>|<year>|<from> <to>]``; ``/report
        monthly|quarterly on|off`` (administrators)."""
        if here.is_private:
            raise Refused("report.private")
        words = text.split()
        auto = self.catalog.choose(words[0], here.ui, tuple(AUTOMATIC)) if words else None
        if auto is not None:
            switch = self.catalog.choose(words[1], here.ui, ("on", "off")) if len(words) == 2 else None
            if switch is None:
                raise Refused("report.usage")
            await self.permissions.require_admin(here, actor)
            return await self._automatic_switch(here, auto, switch == "on")
        period = await self._period(here, words)
        request = f"report {here.ui} {period.start.isoformat()} {period.end.isoformat()}"
        just = self._just_sent(here, request, REPORT_COOLDOWN)
        if just is not None:
            return reply("report.just_sent", number=just[1] or 0)
        stored = await self.produce(here, period, "manual")
        self._remember(here, request, stored.number)
        return None

    def _just_sent(self, here: ChatContext, request: str, window: timedelta) -> tuple[datetime, int | None] | None:
        """When ``request`` was last answered in this group (and the report's number), if within ``window``."""
        sent = self._sent.get((here.id, request))
        return sent if sent is not None and self.clock() - sent[0] < window else None

    def _remember(self, here: ChatContext, request: str, number: int | None) -> None:
        now = self.clock()
        self._sent[(here.id, request)] = (now, number)
        if len(self._sent) > SENT_KEPT:  # what has passed every window goes, then the oldest
            longest = max(REPORT_COOLDOWN, EXPORT_COOLDOWN)
            kept = sorted(
                ((key, sent) for key, sent in self._sent.items() if now - sent[0] < longest),
                key=lambda entry: entry[1][0],
            )
            self._sent = dict(kept[-SENT_KEPT:])

    async def _period(self, here: ChatContext, words: list[str]) -> Period:
        zone, now = ZoneInfo(here.timezone), self.clock()
        if not words:
            return periods.current("month", now, zone)
        named = read_period(" ".join(words), self.catalog, here.ui, zone, now)  # last month, Q3 2026, 2026
        if named is not None:
            return named
        if len(words) == 1:
            kind = self.catalog.choose(words[0], here.ui, periods.KINDS)
            if kind is None:
                raise Refused("report.usage")
            return periods.current(kind, now, zone)
        if len(words) == 2:
            first = await self._day(here, words[0])
            last = await self._day(here, words[1])
            try:
                return periods.days(first, last, zone)
            except ValueError:
                raise Refused("report.bad_period") from None
        raise Refused("report.usage")

    async def _day(self, here: ChatContext, text: str) -> date:
        reading = await read_when(text, here, self.clock())
        if reading is None:
            raise Refused("report.bad_period")
        return reading.when.astimezone(ZoneInfo(here.timezone)).date()

    async def produce(self, here: ChatContext, period: Period, kind: str) -> StoredReport:
        """Compute, send (summary, then charts) and keep one report for the asking group."""
        found = await self._figures(here, period)
        summary = await self.summary(here, found, kind)
        # Sent whole (in parts); kept shortened when it is longer than a stored summary may be.
        kept = shorten_html(summary, REPORT_SUMMARY_MAX, "\n" + self.catalog.t("report.shortened", here.ui))
        when = self.clock()
        stored = await self.reports.add(here.scope, here.id, kind, period.start, period.end, kept, here.ui, when)
        await self._send(here, summary, found)
        return stored

    async def _figures(self, here: ChatContext, period: Period) -> ReportFigures:
        """The report's figures: only what they count is read (the open items and those done in the period, the
        period's "created" and "done" events, each indicator's value from storage's sums), and they are
        computed in a worker thread."""
        zone = ZoneInfo(here.timezone)
        now = min(self.clock(), period.end)  # a past period is seen as it stood at its end
        scope = here.scope
        items = [
            *await self.actions.list(scope, statuses=("open",)),
            *await self.actions.done_between(scope, period.start, period.end),
        ]
        events = await self.events.between(scope, period.start, period.end, kinds=("created", "done"))
        indicators = await self.indicators.list(scope)
        values = await indicator_values(self.indicators, indicators, now, zone)
        chats = {c.id: c.label for c in here.members}
        start, end = period.start.astimezone(zone).date(), period.end.astimezone(zone).date()
        try:
            await self.activity.flush()  # what was counted in memory until now belongs in the report
        except Exception:
            logger.warning("activity counts could not be written before a report", exc_info=True)
        days = await self.activity.between(list(chats), start, end)  # each group's days, in its own zone
        # The last exchange on this group's own days (each message in its bridge was relayed out of it or into
        # it), up to the day the report is seen at: the days since then count in this group's zone.
        seen = (now - timedelta(microseconds=1)).astimezone(zone).date() + timedelta(days=1)  # a past period: its end
        last = await self.activity.last_exchange([here.id], sent=True, before=seen)
        calendar = await self.calendars.of(here.chat)  # days late are this group's working days

        def compute() -> ReportFigures:
            return figures(
                period=period,
                now=now,
                zone=zone,
                items=items,
                events=events,
                indicators=indicators,
                values=values,
                days=days,
                cities=chats,
                last_exchange=last,
                working_days=calendar.working_days_between,
            )

        return await asyncio.wait_for(asyncio.to_thread(compute), FIGURES_TIMEOUT)

    async def summary(self, here: ChatContext, found: ReportFigures, kind: str) -> str:
        """The report's text in the group's language (Telegram HTML)."""
        t, ui, tz = self.catalog.t, here.ui, here.timezone
        locale = babel_locale(ui)
        first, last = self.days_of(found.period, here)
        scope = t("status.this_bridge" if here.partnered else "status.this_group", ui)
        lines = [t("report.title", ui, scope=Markup(scope), start=first, end=last)]
        if kind != "manual":
            lines.append(t(f"report.kind.{kind}", ui))
        if not found.programmes and not found.indicators:
            lines.append(t("report.nothing", ui))
        for p in found.programmes:
            name = p.name if p.name is not None else t("status.no_programme", ui)
            on_time = format_percent(p.on_time_rate, locale=locale) if p.on_time_rate is not None else "—"
            median = (
                cjk_unit(format_unit(rounded(p.median_days), "duration-day", length="long", locale=locale), ui)
                if p.median_days is not None
                else "—"
            )
            lines.append(
                t(
                    "report.programme",
                    ui,
                    name=name,
                    opened=p.opened,
                    done=p.done,
                    overdue=p.overdue,
                    on_time=on_time,
                    median=median,
                )
            )
            if p.overdue_days_max:  # in working days of this group's calendar
                days_max = p.overdue_days_max
                lines.append(t("report.overdue_longest", ui, days=show_count(days_max, ui), count=days_max))
            if p.late_days_median is not None:
                late_median = p.late_days_median  # the noun agrees with the days shown (1 working day, 1.5 days)
                days = show_figure(late_median, ui)
                late = show_count(p.late_done, ui)
                lines.append(t("report.done_late", ui, late=late, days=days, count=float(rounded(late_median))))
        if found.indicators:
            lines += ["", t("report.indicators", ui)]
            for i in found.indicators:
                pace = t("indicator.on_track" if i.on_track else "indicator.behind", ui)
                lines.append(
                    t(
                        "report.indicator",
                        ui,
                        programme=i.programme,
                        name=i.name,
                        value=show_figure(i.value, ui),
                        target=show_figure(i.target, ui),
                        expected=show_figure(i.expected, ui),
                        pace=Markup(pace),
                    )
                )
        if self.records is not None:
            lines += await self.records.report_lines(here, found.period.start, found.period.end)
        if here.partnered:
            lines += ["", t("report.cities", ui)]
            for c in found.cities:
                lines.append(t("report.city", ui, city=c.city, open=c.owns_open, did=c.did, count=c.owns_open))
            if found.days_since_exchange is None:
                lines.append(t("report.no_exchange", ui))
            else:
                since = found.days_since_exchange
                lines.append(t("report.exchange", ui, days=show_count(since, ui), count=since))
        lines += ["", t("status.next", ui)]
        if found.next_deadlines:
            titles = await self.titles.titles_in(found.next_deadlines, here.language, here.bridge_id)
            for item, title in zip(found.next_deadlines, titles, strict=True):
                when = escape(format_when(item.due_at, ui, tz)) if item.due_at else ""
                lines.append(
                    t("status.next_line", ui, number=item.number, title=title, when=Markup(when), owners=Markup(""))
                )
        else:
            lines.append(t("status.no_deadlines", ui))
        return "\n".join(lines)

    def days_of(self, period: Period, here: ChatContext) -> tuple[str, str]:
        """The first and the last day of ``period`` (its end is exclusive), as the group writes dates."""
        zone, locale = ZoneInfo(here.timezone), babel_locale(here.ui)
        last = (period.end - timedelta(microseconds=1)).astimezone(zone).date()
        return (
            format_date(period.start.astimezone(zone).date(), "medium", locale=locale),
            format_date(last, "medium", locale=locale),
        )

    def chart_text(self, language: str, heading: str = "") -> ChartText:
        t = self.catalog.t
        return ChartText(
            indicators_title=t("report.chart.indicators", language),
            target=t("report.chart.target", language),
            expected=t("report.chart.expected", language),
            value=t("report.chart.value", language),
            actions_title=t("report.chart.actions", language),
            opened=t("report.chart.opened", language),
            done=t("report.chart.done", language),
            activity_title=t("report.chart.activity", language),
            extra={"empty": t("report.chart.empty", language), "behind": t("indicator.behind", language)},
            language=language,
            heading=heading,
        )

    def chart_heading(self, here: ChatContext, period: Period) -> str:
        """Over every chart: the partnership (its cities) and the period, as plain text in the group's language."""
        cities = self.catalog.join((c.label for c in here.members), here.ui)
        first, last = self.days_of(period, here)
        return strip_tags(self.catalog.t("report.chart.heading", here.ui, cities=cities, start=first, end=last))

    def draw(self, found: ReportFigures, language: str) -> list[tuple[str, bytes]]:
        """The report's charts as (file name, PNG), here and now (a report draws them in the workshop)."""
        return draw_charts(found, self.chart_text(language))

    async def _send(self, here: ChatContext, summary: str, found: ReportFigures) -> None:
        for part in split_html(summary, SUMMARY_LIMIT) or [summary]:
            await self.sender.send_text(here.id, part)
        try:
            text = self.chart_text(here.ui, self.chart_heading(here, found.period))
            drawn = await self.workshop.run(CHART_TIMEOUT, draw_charts, found, text)
        except (TimeoutError, BrokenProcessPool):
            logger.warning("report charts for chat %s took too long or failed", here.id, exc_info=True)
            await self.sender.send_text(here.id, self.catalog.t("report.charts_failed", here.ui))
            return
        for name, png in drawn:
            await self.sender.send_file(here.id, png, name, photo=True)

    # ---- automatic reports --------------------------------------------------------------------------
    async def _automatic_switch(self, here: ChatContext, auto: str, on: bool) -> Reply:
        kind = AUTOMATIC[auto]
        existing = await self.reminders.find(here.id, "report", states=("pending", "claimed"))
        if existing is not None:
            await self.reminders.cancel(existing.id)
        if not on:
            return reply("report.auto_off")
        due = periods.next_automatic(kind, self.clock(), ZoneInfo(here.timezone))
        await self.reminders.add(
            NewReminder(scope=here.scope, chat_id=here.id, kind="report", due_at=due, text=auto, language=here.ui)
        )
        self.on_schedule_change()
        return reply(
            "report.auto_on", kind=Phrase(f"report.every.{auto}"), when=format_when(due, here.ui, here.timezone)
        )

    async def automatic(self, here: ChatContext, reminder: Reminder) -> datetime | None:
        """An automatic report is due: the period that just ended; the next due instant (None: stop)."""
        auto = reminder.text or ""
        kind = AUTOMATIC.get(auto)
        if kind is None:
            return None
        zone = ZoneInfo(zone_of(here.chat))
        await self.produce(here, periods.previous(kind, reminder.nominal_at, zone), auto)
        return periods.next_automatic(kind, max(self.clock(), reminder.nominal_at), zone)

    # ---- /reports -----------------------------------------------------------------------------------
    async def history(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/reports``: the last reports of this group; ``/reports <n>`` sends one again."""
        if here.is_private:
            raise Refused("report.private")
        arg = text.strip()
        if arg:
            if not arg.isdigit() or len(arg) > 9:
                raise Refused("reports.usage")
            stored = await self.reports.numbered(here.id, int(arg))
            if stored is None:
                raise Refused("reports.not_found", number=int(arg))
            period = Period(stored.start, stored.end)
            await self._send(here, stored.summary, await self._figures(here, period))
            return None
        recent = await self.reports.recent(here.id, REPORTS_SHOWN)
        if not recent:
            return reply("reports.none")
        kept = await self.reports.count(here.id)
        lines = []
        for r in recent:
            first, last = self.days_of(Period(r.start, r.end), here)
            lines.append(
                self.catalog.t(
                    "reports.line",
                    here.ui,
                    number=r.number,
                    start=first,
                    end=last,
                    kind=Markup(self.catalog.t(f"report.kind_word.{r.kind}", here.ui)),
                    created=format_when(r.created_at, here.ui, here.timezone),
                )
            )
        if kept > len(recent):  # the older ones are reachable by their numbers
            lines += ["", self.catalog.t("reports.more", here.ui, shown=len(recent), total=kept)]
        return reply("reports.list", items=Markup("\n".join(lines)))

    # ---- /export ------------------------------------------------------------------------------------
    async def export(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/export actions|indicators|calendar``, ``/export calendar holidays`` (with every city's days off):
        files in the chat, for members of the bridge's groups."""
        if here.is_private:
            raise Refused("report.private")
        words = text.split()
        kinds = ("actions", "indicators", "calendar", "decisions", "evidence")
        what = self.catalog.choose(words[0], here.ui, kinds) if words else None
        if what is None or len(words) > 2 or (len(words) == 2 and what != "calendar"):
            raise Refused("export.usage")
        holidays = len(words) == 2
        if holidays and self.catalog.choose(words[1], here.ui, ("export_holidays",)) is None:
            raise Refused("export.usage_calendar")
        shown = "calendar_holidays" if holidays else what
        request = f"export {here.ui} {shown}"
        if self._just_sent(here, request, EXPORT_COOLDOWN) is not None:
            return reply("export.just_sent", what=Phrase(f"export.caption.{shown}"))
        made = await self.export_files(here, what, holidays=holidays)
        if not made.files:
            return reply("export.empty")
        caption = self.catalog.t(f"export.caption.{shown}", here.ui)
        if made.rows < made.total:  # said, never cut silently
            caption += "\n" + self.catalog.t("export.cut", here.ui, shown=made.rows, total=made.total)
        if made.days_off_left:
            caption += "\n" + self.catalog.t("export.days_off_left", here.ui, left=made.days_off_left)
        for name, data in made.files:
            await self.sender.send_file(here.id, data, name, caption_html=caption)
        self._remember(here, request, None)
        return None

    async def export_files(self, here: ChatContext, what: str, *, holidays: bool = False) -> Export:
        """The files of one export (also for ``kembar export``), and how many rows they hold of how many;
        ``holidays``: the calendar with every city's days off too (as many as fit after the items)."""
        ui, tz = here.ui, here.timezone
        if what in ("decisions", "evidence") and self.records is not None:
            made = await self.records.files(here, what, self.workshop)
            return Export(made.files, made.rows, made.total)
        stem = f"kembar-{what}-{self.clock().astimezone(ZoneInfo(tz)).date().isoformat()}"
        if what == "actions":
            actions, total = await self.action_sheet(here)
            if not actions.items:
                return Export([], 0, 0)
            headers, title = self._headers(what, ui)
            form = zone_form(self.catalog, ui)
            files = await self.workshop.run(EXPORT_TIMEOUT, action_files, actions, headers, tz, title, form)
            return Export([(stem + ".csv", files[0]), (stem + ".xlsx", files[1])], len(actions.items), total)
        if what == "indicators":
            indicators, total = await self.indicator_sheet(here)
            if not indicators.indicators:
                return Export([], 0, 0)
            headers, title = self._headers(what, ui)
            form = zone_form(self.catalog, ui)
            files = await self.workshop.run(EXPORT_TIMEOUT, indicator_files, indicators, headers, tz, title, form)
            return Export([(stem + ".csv", files[0]), (stem + ".xlsx", files[1])], indicators.size, total)
        items, total = await self.calendar_items(here)
        days_off = [*await self.meeting_events(here), *(await self.days_off_events(here) if holidays else [])]
        kept = days_off[: max(0, EXPORT_MAX_ROWS - len(items))]  # the items first: a file holds so many events
        if not items and not kept:
            return Export([], 0, 0)
        settings = await self.reminder_settings.get(here.scope)
        name = self.catalog.t("export.calendar_name", ui, scope=here.label)
        leads = list(settings.lead_seconds)
        ics = await self.workshop.run(EXPORT_TIMEOUT, calendar_file, items, leads, name, kept)
        rows, left = len(items) + len(kept), len(days_off) - len(kept)
        return Export([(stem + ".ics", ics)], rows, total + len(days_off), left)

    def _headers(self, what: str, ui: str) -> tuple[list[str], str]:
        """A spreadsheet export's column headers and sheet title in the group's language."""
        return self.catalog.t(f"export.headers.{what}", ui).split("|"), self.catalog.t(f"export.sheet.{what}", ui)

    async def _in_thread(self, work: Callable[[], _T]) -> _T:
        return await asyncio.wait_for(asyncio.to_thread(work), EXPORT_TIMEOUT)

    async def _titles(self, items: Sequence[ActionItem], here: ChatContext) -> list[str]:
        """The items' titles in the group's language, ``TITLES_AT_ONCE`` at a time (thousands at once would
        start thousands of tasks in one turn of the event loop)."""
        titles: list[str] = []
        for first in range(0, len(items), TITLES_AT_ONCE):
            chunk = items[first : first + TITLES_AT_ONCE]
            titles += await self.titles.titles_in(chunk, here.language, here.bridge_id)
        return titles

    async def action_sheet(self, here: ChatContext) -> tuple[ActionSheet, int]:
        """What the actions export is written from (at most ``EXPORT_MAX_ROWS`` items, read no more), and how
        many items there are."""
        statuses = ("open", "done", "dropped")
        items = await self.actions.numbered(here.scope, statuses=statuses, limit=EXPORT_MAX_ROWS)
        total = len(items) if len(items) < EXPORT_MAX_ROWS else await self.actions.count(here.scope, statuses=statuses)
        titles = await self._titles(items, here)
        ui = here.ui
        owners = await self._in_thread(lambda: [self.catalog.join((o.name for o in i.owners), ui) for i in items])
        status = {
            "open": self.catalog.t("action.filter.open", ui),
            "done": self.catalog.t("action.done_mark", ui),
            "dropped": self.catalog.t("action.dropped_mark", ui),
        }
        cities = {c.id: c.label for c in here.members}
        return ActionSheet(items, titles, owners, status, cities, self.clock()), total

    async def indicator_sheet(self, here: ChatContext) -> tuple[IndicatorSheet, int]:
        """What the indicators export is written from (one row per indicator, then its updates; at most
        ``EXPORT_MAX_ROWS`` rows, read no more), and how many rows there would be."""
        indicators = await self.indicators.list(here.scope)
        if not indicators:
            return IndicatorSheet([], []), 0
        ids = [i.id for i in indicators]
        room = max(0, EXPORT_MAX_ROWS - len(indicators))
        updates = await self.indicators.updates(ids, limit=room)
        counted = len(updates) if len(updates) < room else await self.indicators.update_count(ids)
        words = period_words(indicators, self.catalog, here.ui, here.timezone)
        created = strip_tags(self.catalog.t("export.indicator_created", here.ui))
        return IndicatorSheet(indicators, updates, words, created), len(indicators) + counted

    async def meeting_events(self, here: ChatContext) -> list[IcsEvent]:
        """The bridge's confirmed meetings still ahead (``/meet``), in the asking group's zone, with alarms a day and
        an hour before."""
        if self.meetings is None:
            return []
        events: list[IcsEvent] = []
        for meeting in await self.meetings.confirmed(here.scope, self.clock()):
            start, end = meeting.start, meeting.end
            if start is None or end is None:
                continue
            title = meeting.title or f"#{meeting.number}"
            summary = self.catalog.t("export.meeting", here.ui, title=title)
            uid = f"kembar-meeting-{meeting.scope.key}-{meeting.number}"
            events.append(IcsEvent(uid, summary, start, end, timezone=here.timezone, alarm_seconds=(86400, 3600)))
        return events

    async def days_off_events(self, here: ChatContext) -> list[IcsEvent]:
        """Every group's public holidays and extra days off of the scope, from the asking group's today to
        ``AHEAD_DAYS`` ahead, as all-day events (names in the asking group's language where the holidays
        library has it), in date order: a file that cannot hold them all leaves out the furthest ahead."""
        ui, chats = here.ui, [here.chat if c.id == here.id else c for c in here.members]
        calendars = await self.calendars.of_many(chats)
        today = self.clock().astimezone(ZoneInfo(here.timezone)).date()

        def plain(key: str, **values: object) -> str:  # the file holds plain text, not Telegram HTML
            return strip_tags(self.catalog.t(key, ui, **values))

        def events() -> list[IcsEvent]:
            found: list[IcsEvent] = []
            unnamed = plain("export.day_off")
            for chat in chats:
                city = chat.label
                notes = (plain("export.holiday_note", city=city), plain("export.day_off_note", city=city))

                def summary(name: str, city: str = city) -> str:
                    return plain("export.day_off_summary", name=name or unnamed, city=city)

                found += days_off_events(calendars[chat.id], chat.id, today, ui, summary=summary, notes=notes)
            return sorted(found, key=lambda event: (event.start, event.uid))

        return await self._in_thread(events)

    async def calendar_items(self, here: ChatContext) -> tuple[list[CalendarItem], int]:
        """The events of the calendar export (at most ``EXPORT_MAX_ROWS``, read no more), and how many open
        items have a due date."""
        scope = here.scope
        items = await self.actions.numbered(scope, statuses=("open",), dated=True, limit=EXPORT_MAX_ROWS)
        total = (
            len(items)
            if len(items) < EXPORT_MAX_ROWS
            else await self.actions.count(scope, statuses=("open",), dated=True)
        )
        titles = await self._titles(items, here)
        zones = {c.id: zone_of(c) for c in here.members}  # a whole day is one in the zone of the group that set it
        return [
            CalendarItem(
                uid=f"kembar-{i.scope.key}-{i.number}@kembar",
                title=f"#{i.number} {title}",
                description=self.catalog.join((o.name for o in i.owners), here.ui),
                due_at=i.due_at,
                timezone=here.timezone,
                day=deadline_day(i.due_at, zones.get(i.chat_id, here.timezone)),
            )
            for i, title in zip(items, titles, strict=True)
            if i.due_at is not None
        ], total
