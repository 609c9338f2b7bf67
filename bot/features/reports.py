"""Reports for monitoring and evaluation: ``/report`` (a summary and charts, in each asking group's language and
zone), automatic monthly or quarterly reports, ``/reports`` (the last ones, sent again on request) and
``/export`` (CSV, XLSX and iCalendar files). Figures come from the event history (``bot.reports.figures``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_percent
from babel.units import format_unit

from bot.context import Actor, ChatContext, Phrase, Refused, Reply, reply, zone_of
from bot.domain.records import NewReminder, Reminder, StoredReport
from bot.domain.repositories import (
    ActionRepository,
    EventRepository,
    IndicatorRepository,
    ReminderRepository,
    ReminderSettingsRepository,
    ReportRepository,
)
from bot.features.actions import ItemTitles
from bot.features.indicators import show_number
from bot.features.when import read_when
from bot.language.catalog import Catalog, Markup, babel_locale
from bot.language.dates import format_when
from bot.language.htmltext import escape, split_html
from bot.permissions import Permissions
from bot.ports import Sender
from bot.relay.activity import ActivityCounter
from bot.reports import periods
from bot.reports.figures import ReportFigures, figures
from bot.reports.model import ActionRow, CalendarItem, ChartText, IndicatorRow, Period

logger = logging.getLogger(__name__)
_T = TypeVar("_T")

CHART_TIMEOUT = 30.0  # seconds for drawing one report's charts in a worker thread
EXPORT_TIMEOUT = 30.0
EXPORT_MAX_ROWS = 10_000
REPORTS_SHOWN = 10
SUMMARY_LIMIT = 4000  # characters of one message; a longer summary is sent in parts
AUTOMATIC = {"monthly": "month", "quarterly": "quarter"}


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
    ) -> None:
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

    # ---- /report ------------------------------------------------------------------------------------
    async def report(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/report [month|quarter|year|<from> <to>]``; ``/report monthly|quarterly on|off`` (administrators)."""
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
        await self.produce(here, period, "manual")
        return None

    async def _period(self, here: ChatContext, words: list[str]) -> Period:
        zone, now = ZoneInfo(here.timezone), self.clock()
        if not words:
            return periods.current("month", now, zone)
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
        reading = await read_when(text, here.language, here.timezone, self.clock())
        if reading is None:
            raise Refused("report.bad_period")
        return reading.when.astimezone(ZoneInfo(here.timezone)).date()

    async def produce(self, here: ChatContext, period: Period, kind: str) -> StoredReport:
        """Compute, send (summary, then charts) and keep one report for the asking group."""
        found = await self._figures(here, period)
        summary = await self.summary(here, found, kind)
        stored = await self.reports.add(
            here.scope, here.id, kind, period.start, period.end, summary, here.ui, self.clock()
        )
        await self._send(here, summary, found)
        return stored

    async def _figures(self, here: ChatContext, period: Period) -> ReportFigures:
        zone, now = ZoneInfo(here.timezone), self.clock()
        scope = here.scope
        items = await self.actions.list(scope, statuses=("open", "done", "dropped"))
        events = await self.events.between(scope, period.start, period.end)
        indicators = await self.indicators.list(scope)
        updates = await self.indicators.updates([i.id for i in indicators]) if indicators else []
        chats = {c.id: c.label for c in here.members}
        start, end = period.start.astimezone(zone).date(), period.end.astimezone(zone).date()
        try:
            await self.activity.flush()  # what was counted in memory until now belongs in the report
        except Exception:
            logger.warning("activity counts could not be written before a report", exc_info=True)
        days = await self.activity.between(list(chats), start, end)
        last = await self.activity.last_exchange(list(chats))
        return figures(
            period=period,
            now=min(now, period.end),  # a past period is seen as it stood at its end
            zone=zone,
            items=items,
            events=events,
            indicators=indicators,
            updates=updates,
            days=days,
            cities=chats,
            last_exchange=last,
        )

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
                format_unit(round(p.median_days, 1), "duration-day", length="long", locale=locale)
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
                        value=show_number(i.value, ui),
                        target=show_number(i.target, ui),
                        expected=show_number(i.expected, ui),
                        pace=Markup(pace),
                    )
                )
        if here.partnered:
            lines += ["", t("report.cities", ui)]
            for c in found.cities:
                lines.append(t("report.city", ui, city=c.city, open=c.owns_open, did=c.did))
            if found.days_since_exchange is None:
                lines.append(t("report.no_exchange", ui))
            else:
                lines.append(t("report.exchange", ui, days=found.days_since_exchange))
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

    def chart_text(self, language: str) -> ChartText:
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
        )

    def draw(self, found: ReportFigures, language: str) -> list[tuple[str, bytes]]:
        """The report's charts as (file name, PNG); runs in a worker thread."""
        from bot.reports import charts  # matplotlib (~45 MB) is loaded by the first report, not at start-up

        text = self.chart_text(language)
        drawn = []
        if found.indicators:
            drawn.append(("indicators.png", charts.indicator_chart(found.indicators, text)))
        if any(b.opened or b.done for b in found.buckets):
            drawn.append(("actions.png", charts.actions_chart(found.buckets, text)))
        if any(a.days for a in found.activity):
            drawn.append(("activity.png", charts.activity_chart(found.activity, text)))
        return drawn

    async def _send(self, here: ChatContext, summary: str, found: ReportFigures) -> None:
        for part in split_html(summary, SUMMARY_LIMIT) or [summary]:
            await self.sender.send_text(here.id, part)
        try:
            drawn = await asyncio.wait_for(asyncio.to_thread(self.draw, found, here.ui), CHART_TIMEOUT)
        except TimeoutError:
            logger.warning("report charts for chat %s took too long", here.id)
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
        return reply("reports.list", items=Markup("\n".join(lines)))

    # ---- /export ------------------------------------------------------------------------------------
    async def export(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/export actions|indicators|calendar``: files in the chat, for members of the bridge's groups."""
        if here.is_private:
            raise Refused("report.private")
        what = self.catalog.choose(text.strip(), here.ui, ("actions", "indicators", "calendar"))
        if what is None:
            raise Refused("export.usage")
        files = await self.export_files(here, what)
        if not files:
            return reply("export.empty")
        for name, data in files:
            await self.sender.send_file(
                here.id, data, name, caption_html=self.catalog.t(f"export.caption.{what}", here.ui)
            )
        return None

    async def export_files(self, here: ChatContext, what: str) -> list[tuple[str, bytes]]:
        """The files of one export (also for ``kembar export``)."""
        from bot.reports import exports  # openpyxl and icalendar are loaded by the first export

        ui, tz = here.ui, here.timezone
        stem = f"kembar-{what}-{self.clock().astimezone(ZoneInfo(tz)).date().isoformat()}"
        if what == "actions":
            rows = await self.action_rows(here)
            if not rows:
                return []
            headers = self.catalog.t("export.headers.actions", ui).split("|")
            sheet = self.catalog.t("export.sheet.actions", ui)
            csv_data, xlsx_data = await self._in_thread(
                lambda: (exports.actions_csv(rows, headers, tz), exports.actions_xlsx(rows, headers, tz, sheet))
            )
            return [(stem + ".csv", csv_data), (stem + ".xlsx", xlsx_data)]
        if what == "indicators":
            indicator_rows = await self.indicator_rows(here)
            if not indicator_rows:
                return []
            headers = self.catalog.t("export.headers.indicators", ui).split("|")
            sheet = self.catalog.t("export.sheet.indicators", ui)
            csv_data, xlsx_data = await self._in_thread(
                lambda: (
                    exports.indicators_csv(indicator_rows, headers, tz),
                    exports.indicators_xlsx(indicator_rows, headers, tz, sheet),
                )
            )
            return [(stem + ".csv", csv_data), (stem + ".xlsx", xlsx_data)]
        items = await self.calendar_items(here)
        if not items:
            return []
        settings = await self.reminder_settings.get(here.scope)
        name = self.catalog.t("export.calendar_name", ui, scope=here.label)
        ics = await self._in_thread(lambda: exports.calendar_ics(items, settings.lead_seconds, name))
        return [(stem + ".ics", ics)]

    async def _in_thread(self, work: Callable[[], _T]) -> _T:
        return await asyncio.wait_for(asyncio.to_thread(work), EXPORT_TIMEOUT)

    async def action_rows(self, here: ChatContext) -> list[ActionRow]:
        items = await self.actions.list(here.scope, statuses=("open", "done", "dropped"))
        items = sorted(items, key=lambda i: i.number)[:EXPORT_MAX_ROWS]
        titles = await self.titles.titles_in(items, here.language, here.bridge_id)
        cities = {c.id: c.label for c in here.members}
        t, ui = self.catalog.t, here.ui
        status = {
            "open": t("action.filter.open", ui),
            "done": t("action.done_mark", ui),
            "dropped": t("action.dropped_mark", ui),
        }
        return [
            ActionRow(
                number=i.number,
                title=title,
                original=i.title,
                programme=i.programme or "",
                owners=self.catalog.join((o.name for o in i.owners), ui),
                city=cities.get(i.chat_id, ""),
                status=status.get(i.status, i.status),
                created_at=i.created_at,
                due_at=i.due_at,
                done_at=i.done_at,
                late=i.due_at is not None
                and ((i.done_at is not None and i.done_at > i.due_at) or i.is_overdue(self.clock())),
            )
            for i, title in zip(items, titles, strict=True)
        ]

    async def indicator_rows(self, here: ChatContext) -> list[IndicatorRow]:
        indicators = await self.indicators.list(here.scope)
        if not indicators:
            return []
        updates = await self.indicators.updates([i.id for i in indicators])
        by_id = {i.id: i for i in indicators}
        rows = [IndicatorRow(i.programme, i.name, i.target, i.period, None, None, 0.0, "", "", "") for i in indicators]
        for u in updates[: EXPORT_MAX_ROWS - len(rows)]:
            i = by_id[u.indicator_id]
            rows.append(
                IndicatorRow(
                    i.programme, i.name, i.target, i.period, u.at, u.change, u.value_after, u.by, u.city, u.note or ""
                )
            )
        return rows

    async def calendar_items(self, here: ChatContext) -> list[CalendarItem]:
        items = [i for i in await self.actions.list(here.scope, statuses=("open",)) if i.due_at is not None]
        items = sorted(items, key=lambda i: i.number)[:EXPORT_MAX_ROWS]
        titles = await self.titles.titles_in(items, here.language, here.bridge_id)
        return [
            CalendarItem(
                uid=f"kembar-{i.scope.key}-{i.number}@kembar",
                title=f"#{i.number} {title}",
                description=self.catalog.join((o.name for o in i.owners), here.ui),
                due_at=i.due_at,
                timezone=here.timezone,
            )
            for i, title in zip(items, titles, strict=True)
            if i.due_at is not None
        ]
