"""Status: where the partnership stands — per programme the counts, the next deadlines with owners, what
was done in the last week and the last activity, in the group's language and time zone. ``/status`` and
the weekly digest both read it. How late an overdue item is counts the working days of the group's calendar
(``bot.reports.figures.days_late``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.context import Actor, ChatContext, Refused, Reply
from bot.domain.repositories import ActionRepository, EventRepository
from bot.features.actions import ItemTitles
from bot.features.calendars import Calendars
from bot.features.record_exports import RecordExports
from bot.language.catalog import Catalog, Markup
from bot.language.dates import format_when
from bot.language.htmltext import escape
from bot.reports.figures import days_late

RECENT_DAYS = 7
RECENT_MAX = 10
NEXT_MAX = 3


class StatusService:
    def __init__(
        self,
        *,
        actions: ActionRepository,
        titles: ItemTitles,
        catalog: Catalog,
        clock: Callable[[], datetime],
        calendars: Calendars,
        history: EventRepository | None = None,
        records: RecordExports | None = None,
    ) -> None:
        self.records = records
        self.history = history
        self.calendars = calendars
        self.actions = actions
        self.titles = titles
        self.catalog = catalog
        self.clock = clock

    async def status(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/status`` (no arguments)."""
        if text.strip():
            raise Refused("command.no_args", command="status")
        return Reply("status.body", {"body": Markup(await self.text(here))})

    async def has_items(self, here: ChatContext) -> bool:
        return bool(await self.actions.stats(here.scope, self.clock()))

    async def text(self, here: ChatContext) -> str:
        """The status of the chat's scope as Telegram HTML in the chat's language."""
        now = self.clock()
        view = await self.actions.overview(
            here.scope, now, next_max=NEXT_MAX, done_since=now - timedelta(days=RECENT_DAYS), done_max=RECENT_MAX
        )
        t, lang, ui, tz = self.catalog.t, here.language, here.ui, here.timezone
        if not view.stats:
            said = await self.records.status_line(here) if self.records is not None else None
            return t("status.empty", lang) + (f"\n\n{said}" if said else "")
        scope_name = t("status.this_bridge" if here.partnered else "status.this_group", lang)
        lines = [t("status.title", lang, scope=scope_name, date=format_when(now, ui, tz))]
        for s in view.stats:
            name = s.programme if s.programme is not None else t("status.no_programme", lang)
            lines.append(t("status.programme_line", lang, name=name, open=s.open, overdue=s.overdue, done=s.done))
        # The overdue first, longest overdue first; then what is due next.
        nexts = [*view.overdue, *view.upcoming][:NEXT_MAX]
        lines.append("")
        lines.append(t("status.next", lang))
        if nexts:
            titles = await self.titles.titles_in(nexts, lang, here.bridge_id)
            working_days = (await self.calendars.of(here.chat)).working_days_between
            for item, title in zip(nexts, titles, strict=True):
                separator = t("fmt.separator", lang)
                owners = ""
                if item.owners:
                    names = self.catalog.join((o.name for o in item.owners), lang)
                    owners = separator + t("action.owners", lang, owners=names)
                when = escape(format_when(item.due_at, ui, tz)) if item.due_at else t("due.none", lang)
                if item.is_overdue(now):
                    late = days_late(item, now, ZoneInfo(tz), working_days)
                    overdue = t("action.overdue_by", lang, days=late, count=late) if late else t("action.overdue", lang)
                    when += separator + overdue
                values = {"number": item.number, "title": title, "when": Markup(when), "owners": Markup(owners)}
                lines.append(t("status.next_line", lang, **values))
        else:
            lines.append(t("status.no_deadlines", lang))
        lines.append("")
        lines.append(t("status.recent", lang))
        if view.done:
            titles = await self.titles.titles_in(view.done, lang, here.bridge_id)
            for i, title in zip(view.done, titles, strict=True):
                lines.append(t("status.done_line", lang, number=i.number, title=title))
        else:
            lines.append(t("status.nothing_recent", lang))
        said = await self.records.status_line(here) if self.records is not None else None
        if said:
            lines += ["", said]
        # The event history knows the last change of any kind (an indicator update too).
        last = (view.last_event_at if self.history is not None else None) or view.last_change_at
        if last is not None:
            lines.append("")
            lines.append(t("status.last_activity", lang, when=format_when(last, ui, tz)))
        return "\n".join(lines)
