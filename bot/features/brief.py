"""``/brief``: the partnership on one screen for someone new, in the reader's language and zone — the cities with
their groups, languages and local time; programmes with their indicators' pace; open items grouped by owner; the
decisions of the last 90 days; the next deadlines and reminders; evidence per programme; who is who in each city.

Asked in a group, it is that group's bridge; asked in a private chat, it is every bridge the person was seen in and
still belongs to (asked of Telegram). Long briefs are split like every long answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.chats import ChatDirectory
from bot.context import Actor, ChatContext, Refused, Reply, reply, zone_of
from bot.domain.records import ActionItem, Owner
from bot.domain.repositories import ActionRepository, ProgrammeRepository, ReminderRepository
from bot.features.actions import ItemTitles
from bot.features.decisions import DecisionService
from bot.features.evidence import EvidenceService
from bot.features.indicators import IndicatorService
from bot.features.roster import Roster
from bot.language.catalog import Catalog, Markup, language_name
from bot.language.dates import format_when
from bot.language.htmltext import escape
from bot.language.localise import clock as clock_text
from bot.ports import Members

DECISION_DAYS = 90
ITEMS_MAX = 30  # open items in a brief
DECISIONS_MAX = 10
NEXT_MAX = 5  # deadlines, and reminders, shown as "next"
PEOPLE_MAX = 8  # people named per city and kind
SEEN_DAYS = 90  # "last seen" looks this far back
BRIDGES_MAX = 3  # bridges of one private /brief
GROUPS_ASKED = 20  # groups a private /brief asks Telegram about (the person's latest first)


class BriefService:
    def __init__(
        self,
        *,
        chats: ChatDirectory,
        actions: ActionRepository,
        programmes: ProgrammeRepository,
        reminders: ReminderRepository,
        titles: ItemTitles,
        indicators: IndicatorService,
        decisions: DecisionService,
        evidence: EvidenceService,
        roster: Roster,
        members: Members,
        catalog: Catalog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.chats = chats
        self.actions = actions
        self.programmes = programmes
        self.reminders = reminders
        self.titles = titles
        self.indicators = indicators
        self.decisions = decisions
        self.evidence = evidence
        self.roster = roster
        self.members = members
        self.catalog = catalog
        self.clock = clock

    async def brief(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/brief`` (any member): the group's bridge, or in a private chat every bridge the person belongs to."""
        if text.strip():
            raise Refused("brief.usage")
        if not here.is_private:
            return reply("brief.text", text=Markup(await self.compose(here, here)))
        if actor.user_id is None:
            raise Refused("brief.private_none")
        groups = await self.groups_of(actor.user_id)
        if not groups:
            raise Refused("brief.private_none")
        parts = [await self.compose(group, here) for group in groups[:BRIDGES_MAX]]
        if len(groups) > BRIDGES_MAX:
            parts.append(self.catalog.t("brief.more_bridges", here.ui, shown=BRIDGES_MAX, total=len(groups)))
        return reply("brief.text", text=Markup("\n\n".join(parts)))

    async def groups_of(self, user_id: int) -> list[ChatContext]:
        """One group per bridge (or lone group) the person was seen in and is still a member of."""
        found: list[ChatContext] = []
        scopes: set[str] = set()
        for chat_id in (await self.roster.chats_of(user_id))[:GROUPS_ASKED]:
            chat = await self.chats.get(chat_id)
            if chat is None or not chat.active or chat.type == "private":
                continue
            group = await self.chats.context(chat)
            if group.scope.key in scopes or not await self.members.is_member(chat_id, user_id):
                continue
            scopes.add(group.scope.key)
            found.append(group)
        return found

    async def compose(self, group: ChatContext, reader: ChatContext) -> str:
        """The brief of ``group``'s bridge as Telegram HTML, in ``reader``'s language and zone."""
        view = ChatContext(
            replace(group.chat, language=reader.language, timezone=reader.timezone),
            reader.ui,
            group.bridge,
        )
        now = self.clock()
        items = await self.actions.list(view.scope, statuses=("open",))
        sections = [
            self.catalog.t(
                "brief.title",
                view.ui,
                scope=self.catalog.join((c.label for c in view.members), view.ui),
                when=format_when(now, view.ui, view.timezone),
            ),
            self._cities(view, now),
            await self._programmes(view),
            await self._items(view, items),
            await self._decisions(view, now),
            await self._next(view, items, now),
            await self._people(view, items, now),
        ]
        return "\n\n".join(s for s in sections if s)

    def _cities(self, view: ChatContext, now: datetime) -> str:
        lines = []
        for chat in view.members:
            zone = zone_of(chat)
            lines.append(
                self.catalog.t(
                    "brief.city",
                    view.ui,
                    city=chat.label,
                    group=chat.title,
                    language=language_name(chat.language, view.ui),
                    time=clock_text(now.astimezone(ZoneInfo(zone)).time(), view.ui),
                    zone=zone,
                )
            )
        return self.catalog.t("brief.cities", view.ui, lines=Markup("\n".join(lines)))

    async def _programmes(self, view: ChatContext) -> str:
        programmes = await self.programmes.list(view.scope)
        stats = {s.programme: s for s in await self.actions.stats(view.scope, self.clock())}
        evidence = await self.evidence.counts(view)
        lines = []
        for p in programmes:
            s = stats.get(p.name)
            lines.append(
                self.catalog.t(
                    "brief.programme",
                    view.ui,
                    name=p.name,
                    goal=Markup(f" — {escape(p.goal)}") if p.goal else Markup(""),
                    open=s.open if s else 0,
                    overdue=s.overdue if s else 0,
                    done=s.done if s else 0,
                    evidence=evidence.get(p.name, 0),
                )
            )
        indicators, total = await self.indicators.standing(view)
        if indicators:
            lines += ["", *indicators]
            if total > len(indicators):
                lines.append(self.catalog.t("brief.shown", view.ui, shown=len(indicators), total=total))
        if not lines:
            return self.catalog.t("brief.programmes_none", view.ui)
        return self.catalog.t("brief.programmes", view.ui, lines=Markup("\n".join(lines)))

    async def _items(self, view: ChatContext, items: Sequence[ActionItem]) -> str:
        if not items:
            return self.catalog.t("brief.items_none", view.ui)
        shown = list(items[:ITEMS_MAX])
        titles = await self.titles.titles_in(shown, view.language, view.bridge_id)
        by_owner: dict[str, list[str]] = {}
        unowned = self.catalog.t("brief.unowned", view.ui)
        for item, title in zip(shown, titles, strict=True):
            due = (
                self.catalog.t("brief.due", view.ui, when=format_when(item.due_at, view.ui, view.timezone))
                if item.due_at
                else ""
            )
            line = self.catalog.t("brief.item", view.ui, number=item.number, title=title, due=Markup(due))
            for name in [o.name for o in item.owners] or [unowned]:
                by_owner.setdefault(name, []).append(line)
        blocks = [
            self.catalog.t("brief.owner", view.ui, owner=owner, lines=Markup("\n".join(lines)))
            for owner, lines in sorted(by_owner.items(), key=lambda kv: (kv[0] == unowned, kv[0].casefold()))
        ]
        if len(items) > len(shown):
            blocks.append(self.catalog.t("brief.shown", view.ui, shown=len(shown), total=len(items)))
        return self.catalog.t("brief.items", view.ui, count=len(items), lines=Markup("\n".join(blocks)))

    async def _decisions(self, view: ChatContext, now: datetime) -> str:
        found, total = await self.decisions.recent(view, now - timedelta(days=DECISION_DAYS), DECISIONS_MAX)
        if not found:
            return self.catalog.t("brief.decisions_none", view.ui, days=DECISION_DAYS)
        lines = await self.decisions.lines(found, view)
        if total > len(found):
            lines += "\n" + self.catalog.t("brief.shown", view.ui, shown=len(found), total=total)
        return self.catalog.t("brief.decisions", view.ui, days=DECISION_DAYS, lines=Markup(lines))

    async def _next(self, view: ChatContext, items: Sequence[ActionItem], now: datetime) -> str:
        dated = sorted((i for i in items if i.due_at is not None and i.due_at >= now), key=lambda i: i.due_at or now)
        dated = dated[:NEXT_MAX]
        titles = await self.titles.titles_in(dated, view.language, view.bridge_id)
        lines = [
            self.catalog.t(
                "brief.deadline",
                view.ui,
                when=format_when(i.due_at, view.ui, view.timezone),
                number=i.number,
                title=title,
            )
            for i, title in zip(dated, titles, strict=True)
            if i.due_at is not None
        ]
        for r in await self.reminders.upcoming(view.scope, limit=NEXT_MAX):
            lines.append(
                self.catalog.t(
                    "brief.reminder",
                    view.ui,
                    when=format_when(r.due_at, view.ui, view.timezone),
                    number=r.number or 0,
                    text=(r.text or "")[:200],
                )
            )
        if not lines:
            return self.catalog.t("brief.next_none", view.ui)
        return self.catalog.t("brief.next", view.ui, lines=Markup("\n".join(lines)))

    async def _people(self, view: ChatContext, items: Sequence[ActionItem], now: datetime) -> str:
        chats = list(view.members)
        admins = await asyncio.gather(*(self.members.administrators(c.id) for c in chats))
        seen = await self.roster.recent([c.id for c in chats], since=now - timedelta(days=SEEN_DAYS), limit=200)
        owners: dict[int, list[Owner]] = {}
        for item in items:
            for owner in item.owners:
                if owner not in owners.setdefault(item.chat_id, []):
                    owners[item.chat_id].append(owner)
        blocks = []
        for chat, chat_admins in zip(chats, admins, strict=True):
            parts = []
            names = [a.name or (f"@{a.username}" if a.username else str(a.user_id)) for a in chat_admins]
            if names:
                parts.append(self._named("brief.admins", view, names))
            if owners.get(chat.id):
                parts.append(self._named("brief.owners", view, [o.name for o in owners[chat.id]]))
            recent = [p for p in seen if p.chat_id == chat.id]
            if recent:
                shown = [
                    self.catalog.t(
                        "brief.seen_one",
                        view.ui,
                        name=p.name or (f"@{p.username}" if p.username else ""),
                        when=format_when(p.seen_at, view.ui, view.timezone),
                    )
                    for p in recent[:PEOPLE_MAX]
                ]
                parts.append(self.catalog.t("brief.seen", view.ui, people=Markup("; ".join(shown))))
            if not parts:
                parts.append(self.catalog.t("brief.nobody", view.ui))
            blocks.append(self.catalog.t("brief.people_city", view.ui, city=chat.label, lines=Markup("\n".join(parts))))
        return self.catalog.t("brief.people", view.ui, lines=Markup("\n".join(blocks)))

    def _named(self, key: str, view: ChatContext, names: Sequence[str]) -> str:
        shown = list(dict.fromkeys(names))
        more = len(shown) - PEOPLE_MAX
        text = self.catalog.join([escape(n) for n in shown[:PEOPLE_MAX]], view.ui)
        if more > 0:
            text += " " + self.catalog.t("brief.and_more", view.ui, count=more)
        return self.catalog.t(key, view.ui, names=Markup(text))
