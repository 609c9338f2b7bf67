"""Programmes: the areas of a partnership (education, tourism, trade …) that tag action items as ``#name``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot.context import Actor, ChatContext, Refused, Reply, reply
from bot.domain.records import Programme
from bot.domain.repositories import ActionRepository, ProgrammeRepository
from bot.domain.rules import PROGRAMME_NAME_MAX
from bot.features.action_text import Mention, parse_action_text
from bot.features.actions import LIST_MAX, ActionService
from bot.features.pages import footer, page_of, read_page, with_footer
from bot.language.catalog import Catalog, Markup
from bot.language.htmltext import escape
from bot.permissions import Permissions

SHOW_MAX = 30  # items on one page of /programme <name>


class ProgrammeService:
    def __init__(
        self,
        *,
        programmes: ProgrammeRepository,
        items: ActionRepository,
        actions: ActionService,
        catalog: Catalog,
        permissions: Permissions,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.programmes = programmes
        self.items = items
        self.actions = actions
        self.clock = clock
        self.catalog = catalog
        self.permissions = permissions

    async def programme(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/programme add <name> [— goal]`` (administrators) or ``/programme <name>``."""
        action, _, remainder = text.strip().partition(" ")
        if not action:
            raise Refused("programme.usage")
        if self.catalog.choose(action, here.ui, ("add",)):
            name, _, goal = remainder.replace("—", "--").partition("--")
            return await self.add(here, actor, name.strip(), " ".join(goal.split()) or None)
        rest, page_number = read_page(remainder.split())
        if rest:
            raise Refused("programme.usage")
        return await self.show(here, action, page_number)

    async def add(self, here: ChatContext, actor: Actor, name: str, goal: str | None) -> Reply:
        await self.permissions.require_admin(here, actor)
        saved = await self._add(here, name, goal)
        return reply("programme.added", name=saved.name, goal=_goal(saved))

    async def show(self, here: ChatContext, name: str, page_number: int = 1) -> Reply:
        found = await self.programmes.get(here.scope, name)
        if found is None:
            raise Refused("programme.not_found", name=name[:PROGRAMME_NAME_MAX])
        items = await self.items.list(here.scope, statuses=("open", "done"), programme_id=found.id)
        now = self.clock()
        page = page_of(items, page_number, SHOW_MAX)
        more = footer(self.catalog, here.ui, page, f"/programme {found.name}")
        return reply(
            "programme.show",
            name=found.name,
            goal=_goal(found),
            done=sum(1 for i in items if i.status == "done"),
            total=len(items),
            overdue=sum(1 for i in items if i.is_overdue(now)),
            items=with_footer(await self.actions.cards(page.items, here), more),
        )

    async def listing(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/programmes [page]``: each with its open, overdue and done counts."""
        rest, page_number = read_page(text.split())
        if rest:
            raise Refused("programme.usage")
        found = await self.programmes.list(here.scope)
        if not found:
            return reply("programme.none")
        stats = {s.programme: s for s in await self.items.stats(here.scope, self.clock())}
        page = page_of(found, page_number, LIST_MAX)
        lines = []
        for p in page.items:
            s = stats.get(p.name)
            lines.append(
                self.catalog.t(
                    "programme.line",
                    here.language,
                    name=p.name,
                    goal=_goal(p),
                    open=s.open if s else 0,
                    overdue=s.overdue if s else 0,
                    done=s.done if s else 0,
                )
            )
        more = footer(self.catalog, here.ui, page, "/programmes")
        return reply("programme.list", items=with_footer("\n".join(lines), more))

    async def accept_offer(
        self,
        here: ChatContext,
        actor: Actor,
        *,
        command_text: str | None,
        author: Actor | None,
        mentions: Sequence[Mention] = (),
    ) -> Reply:
        """The "create #name" button under an /action refused for an unknown programme (administrators):
        create the programme, then record the action as its author wrote it."""
        if command_text is None or author is None:
            raise Refused("programme.offer_gone")
        parsed_name = parse_action_text(command_text, here.language, [m.text for m in mentions]).programme
        if parsed_name is None:
            raise Refused("programme.offer_gone")
        await self.permissions.require_admin(here, actor)
        if await self.programmes.get(here.scope, parsed_name) is None:
            await self._add(here, parsed_name, None)
        await self.actions.create(here, author, command_text, mentions=mentions)
        return Reply("programme.offer_done", {"name": parsed_name})

    async def _add(self, here: ChatContext, name: str, goal: str | None) -> Programme:
        try:
            return await self.programmes.add(here.scope, name, goal)
        except ValueError:
            raise Refused("programme.bad_name") from None


def _goal(programme: Programme) -> Markup:
    return Markup(f" — {escape(programme.goal)}") if programme.goal else Markup("")
