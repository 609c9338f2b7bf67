"""Action items: what the partners agree, kept with owners, a due date and a status, shown and announced in
every group of the scope in its own language and time zone.

Every command of the feature is one method of ``ActionService`` (``ActionService.create``,
``ActionService.listing``, ``ActionService.done``, ``ActionService.reopen``, ``ActionService.drop``,
``ActionService.assign``, ``ActionService.due``, ``ActionService.rename``, and ``ActionService.press`` for
the buttons under an item); each takes the chat's context, who asks and the command's text, and answers
with a ``Reply`` (or ``None`` when the announcement to the groups is the answer) or raises ``Refused``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

from bot.context import Actor, ChatContext, Phrase, Refused, Reply, reply, zone_of
from bot.domain.errors import LimitReached
from bot.domain.records import ActionItem, Chat, NewEvent, Owner, Scope
from bot.domain.repositories import ActionRepository, EventRepository, PeopleRepository, ProgrammeRepository
from bot.domain.rules import EVENT_DETAIL_MAX, OWNER_NAME_MAX, TITLE_MAX
from bot.features.action_text import Mention, parse_action_text, plus_one_day, split_owner_names
from bot.features.announce import Announcer
from bot.features.deadlines import Deadlines, read_move
from bot.features.pages import footer, page_of, read_page, with_footer
from bot.features.when import choice_data, examples, noted, offer_other, read_choice, read_due, read_when
from bot.language.catalog import Catalog, Markup
from bot.language.dates import Reading, format_when, is_past
from bot.language.htmltext import escape
from bot.permissions import Permissions
from bot.ports import Buttons
from bot.translation.service import TranslationService

logger = logging.getLogger(__name__)

FILTERS = ("open", "mine", "overdue", "done", "all")
LIST_MAX = 50  # items on one page of /actions
_BUTTON = re.compile(r"^act\|([bc]-?\d{1,20})\|(\d{1,9})\|(done|take|plus1d)$")
_STATUS_KEYS = {"done": "action.done_mark", "dropped": "action.dropped_mark", "open": "action.filter.open"}
PROGRAMME_OFFER = "prg|add"  # callback data of the "create this programme" button under a refused /action
MERGE_SECONDS = 10.0  # announcements of the same change to the same item merged within this window


@dataclass
class _Burst:
    """Announcements of one kind of change to one item: when the last went out, the latest waiting."""

    sent_at: float
    latest: tuple[ActionItem, ChatContext, Actor] | None = None
    timer: asyncio.Task[None] | None = None


class ItemTitles:
    """An item's title in a group's language (translated once per language, cached like any text)."""

    def __init__(self, translations: TranslationService) -> None:
        self.translations = translations

    async def title_in(self, item: ActionItem, language: str, bridge_id: int | None) -> str:
        translated = await self.translations.translate(item.title, item.language, language, bridge_id=bridge_id)
        return translated.text

    async def titles_in(self, items: Sequence[ActionItem], language: str, bridge_id: int | None) -> list[str]:
        return list(await asyncio.gather(*(self.title_in(i, language, bridge_id) for i in items)))


class ItemPlanner(Protocol):
    """Told of every created or changed item (the reminders plan themselves around it)."""

    async def sync_item(self, item: ActionItem) -> None: ...


@dataclass(frozen=True)
class ItemArgs:
    """``<n> [rest]`` of a command that names an item, resolved to the item of the chat's scope."""

    item: ActionItem
    rest: str


# Announcements of a change, and the event each one stands for in the history.
_EVENT_KINDS = {
    "action.changed.done": "done",
    "action.changed.open": "reopened",
    "action.changed.dropped": "dropped",
    "action.changed.owners": "assigned",
    "action.changed.due": "due",
    "action.changed.title": "renamed",
}


class ActionService:
    def __init__(
        self,
        *,
        actions: ActionRepository,
        programmes: ProgrammeRepository,
        people: PeopleRepository,
        titles: ItemTitles,
        catalog: Catalog,
        announcer: Announcer,
        permissions: Permissions,
        planner: ItemPlanner,
        deadlines: Deadlines,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        merge_seconds: float = MERGE_SECONDS,
        max_open_items: int = 500,
        history: EventRepository | None = None,
    ) -> None:
        self.actions = actions
        self.programmes = programmes
        self.people = people
        self.titles = titles
        self.catalog = catalog
        self.announcer = announcer
        self.permissions = permissions
        self.planner = planner
        self.deadlines = deadlines
        self.clock = clock
        self.monotonic = monotonic
        self.merge_seconds = merge_seconds
        self.max_open_items = max_open_items
        self.history = history
        self._bursts: dict[tuple[Scope, int, str], _Burst] = {}

    def now(self) -> datetime:
        return self.clock()

    # ---- use cases ----------------------------------------------------------------------------------
    async def create(
        self,
        here: ChatContext,
        actor: Actor,
        text: str,
        *,
        mentions: Sequence[Mention] = (),
        replied_text: str | None = None,
    ) -> Reply | None:
        """``/action <title> [@owner] [due <when>] [#programme]``, or ``/action @owner due <when>`` in reply
        to the message that becomes the title. The new item is announced in every group of the scope."""
        if await self.actions.count_open(here.scope) >= self.max_open_items:
            raise Refused("action.too_many", limit=self.max_open_items)
        due = await read_due(text, here, self.now(), await self.deadlines.off_days(here))
        if due.unreadable is not None:
            raise Refused("action.bad_when", when=due.unreadable[:100], examples=examples(here.ui))
        parsed = parse_action_text(due.rest, here.language, [m.text for m in mentions])
        title = parsed.title
        reading = due.reading
        due_at = reading.when if reading is not None else None
        if replied_text is not None:
            if title:  # with a reply, the arguments give only owners, due date and programme
                raise Refused("action.usage", examples=examples(here.ui))
            title = " ".join(replied_text.split())
        title = self._checked_title(title)
        self._check_future(here, due_at)
        programme_id = None
        if parsed.programme is not None:
            programme = await self.programmes.get(here.scope, parsed.programme)
            if programme is None:
                offer = [[(self.catalog.t("btn.create_programme", here.ui, name=parsed.programme), PROGRAMME_OFFER)]]
                raise Refused("action.unknown_programme", name=parsed.programme, buttons=offer, quote=True)
            programme_id = programme.id
        try:
            item = await self.actions.create(
                scope=here.scope,
                bridge_id=here.bridge_id,
                chat_id=here.id,
                title=title,
                language=here.language,
                owners=await self._owners(parsed.owners, mentions),
                programme_id=programme_id,
                due_at=due_at,
                created_by=actor.user_id,
                open_max=self.max_open_items,  # checked again where it is stored: two groups at once
            )
        except LimitReached:
            raise Refused("action.too_many", limit=self.max_open_items) from None
        await self.record(item, here, "created", actor, item.title)
        await self.announce_new(item, here)
        extra = []
        if due.unread is not None:
            extra.append(self.catalog.t("action.due_unread", here.ui, words=due.unread[:100], number=item.number))
        return await self._answer(here, item, reading, extra)

    async def _answer(
        self, here: ChatContext, item: ActionItem, reading: Reading | None, extra: Sequence[str] = ()
    ) -> Reply | None:
        """What a new or changed due date answers: :meth:`_offer_other`, with the deadline's notes (a holiday or
        day off of a city, an owner's city outside working time) and the button that moves it."""
        notes, move = await self.deadlines.check(here, item, self.now())
        answer = self._offer_other(here, item, reading, [*extra, *notes])
        if answer is None or move is None:
            return answer
        return replace(answer, buttons=[*(answer.buttons or []), *move])

    async def move_deadline(self, here: ChatContext, actor: Actor, data: str) -> Reply | None:
        """The deadline's move button: the same rules as ``/due``; nothing changes when the due date was changed
        meanwhile."""
        move = read_move(data)
        if move is None:
            return None
        if move.scope != here.scope:
            raise Refused("action.button_other_bridge")
        item = await self.actions.get(move.scope, move.number)
        if item is None or item.status != "open" or item.due_at is None:
            raise Refused("when.choice_gone")
        if abs((item.due_at - move.was).total_seconds()) >= 1:
            raise Refused("when.choice_gone")
        self._check_future(here, move.to)
        await self._require_change(here, actor, item)
        item = await self.actions.set_due(item.scope, item.number, move.to)
        await self.announce_change(item, here, "action.changed.due", by=actor)
        return Reply("deadline.moved")

    def _offer_other(
        self, here: ChatContext, item: ActionItem, reading: Reading | None, extra: Sequence[str] = ()
    ) -> Reply | None:
        """When the due date had another plausible reading (still ahead), a button that takes it instead; notes on
        how it was read (another city's zone, a day off) and ``extra`` lines below."""
        body = f"<b>#{item.number}</b> {escape(item.title)}"
        if reading is None or reading.other is None or is_past(reading.other, self.now()):
            return noted(self.catalog, here, body, reading, extra)
        data = choice_data("a", item.scope, item.number, reading)
        return offer_other(self.catalog, here, body, reading, data, extra)

    async def take_other(self, here: ChatContext, actor: Actor, data: str) -> Reply | None:
        """The other-reading button under a due date: the same rules as ``/due``; nothing changes when the
        due date was changed meanwhile."""
        choice = read_choice(data)
        if choice is None or choice.kind != "a":
            return None
        if choice.scope != here.scope:
            raise Refused("action.button_other_bridge")
        item = await self.actions.get(choice.scope, choice.number)
        if item is None or item.status != "open" or item.due_at is None:
            raise Refused("when.choice_gone")
        if abs((item.due_at - choice.taken).total_seconds()) >= 1:
            raise Refused("when.choice_gone")
        self._check_future(here, choice.other)
        await self._require_change(here, actor, item)
        item = await self.actions.set_due(item.scope, item.number, choice.other)
        await self.announce_change(item, here, "action.changed.due", by=actor)
        shown = format_when(choice.other, here.ui, here.timezone)
        return Reply("when.due_taken", {"number": item.number, "when": shown})

    async def listing(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/actions [open|mine|overdue|done|all] [page]``."""
        args, page_number = read_page(text.split())
        option = self.catalog.choose(args[0], here.ui, FILTERS) if args else "open"
        if option is None or len(args) > 1:
            words = (f"<code>{escape(self.catalog.word(f, here.ui))}</code>" for f in FILTERS)
            shown = self.catalog.join(words, here.ui, alternatives=True)
            raise Refused("action.bad_filter", option=" ".join(args)[:40], options=Markup(shown))
        statuses = {"open": ("open",), "mine": ("open",), "overdue": ("open",), "done": ("done",)}.get(
            option, ("open", "done")
        )
        items = await self.actions.list(here.scope, statuses=statuses)
        now = self.now()
        if option == "mine":
            items = [i for i in items if await self.owns(i, actor)]
        elif option == "overdue":
            items = [i for i in items if i.is_overdue(now)]
        label = Phrase(f"action.filter.{option}")
        if not items:
            return reply("action.none" if option in ("open", "all") else "action.none_filtered", filter=label)
        page = page_of(items, page_number, LIST_MAX)
        more = footer(self.catalog, here.ui, page, f"/actions {self.catalog.word(option, here.ui)}")
        return reply("action.list", filter=label, items=with_footer(await self.cards(page.items, here), more))

    async def done(self, here: ChatContext, actor: Actor, text: str) -> None:
        """``/done <n>``."""
        await self._set_status(here, actor, "done", text, "done")

    async def reopen(self, here: ChatContext, actor: Actor, text: str) -> None:
        """``/reopen <n>``."""
        await self._set_status(here, actor, "reopen", text, "open")

    async def drop(self, here: ChatContext, actor: Actor, text: str) -> None:
        """``/drop <n>`` (the creator or an administrator)."""
        await self._set_status(here, actor, "drop", text, "dropped")

    async def _set_status(self, here: ChatContext, actor: Actor, command: str, text: str, status: str) -> None:
        found = await self.item_args(here, command, text, more=False)
        await self._change_status(here, actor, found.item, status)

    async def assign(self, here: ChatContext, actor: Actor, text: str, mentions: Sequence[Mention] = ()) -> None:
        """``/assign <n> @owner, Name``: replaces the owners."""
        found = await self.item_args(here, "assign", text, more=True)
        names = split_owner_names(found.rest, [m.text for m in mentions])
        if not names or any(len(o) > OWNER_NAME_MAX for o in names):
            raise Refused("action.no_owners", number=found.item.number)
        await self._require_change(here, actor, found.item)
        item = await self.actions.set_owners(here.scope, found.item.number, await self._owners(names, mentions))
        await self.announce_change(item, here, "action.changed.owners", by=actor)

    async def due(self, here: ChatContext, actor: Actor, text: str) -> Reply | None:
        """``/due <n> <when>``."""
        found = await self.item_args(here, "due", text, more=True)
        if not found.rest:
            raise Refused("action.bad_when", when="", examples=examples(here.ui))
        reading = await read_when(found.rest, here, self.now(), await self.deadlines.off_days(here))
        if reading is None:
            raise Refused("action.bad_when", when=found.rest[:100], examples=examples(here.ui))
        self._check_future(here, reading.when)
        await self._require_change(here, actor, found.item)
        item = await self.actions.set_due(here.scope, found.item.number, reading.when)
        await self.announce_change(item, here, "action.changed.due", by=actor)
        return await self._answer(here, item, reading)

    async def rename(self, here: ChatContext, actor: Actor, text: str) -> None:
        """``/rename <n> <title>``."""
        found = await self.item_args(here, "rename", text, more=True)
        title = self._checked_title(" ".join(found.rest.split()))
        await self._require_change(here, actor, found.item)
        item = await self.actions.set_title(here.scope, found.item.number, title, here.language)
        await self.announce_change(item, here, "action.changed.title", by=actor)

    async def press(self, here: ChatContext, actor: Actor, data: str) -> Reply | None:
        """A button under an item: ✅ done, 🙋 take it, 📅 +1 day. The answer is the presser's notice
        (None for data no button of Kembar's carries)."""
        match = _BUTTON.match(data)
        if match is None:
            return None
        scope, number, op = Scope.parse(match.group(1)), int(match.group(2)), match.group(3)
        if scope != here.scope:
            raise Refused("action.button_other_bridge")
        item = await self.actions.get(scope, number)
        if item is None or item.status == "dropped":
            raise Refused("action.button_stale")
        if op == "take":
            return await self._take(here, actor, item)
        if op == "done":
            return await self.complete(here, actor, item)
        await self._require_change(here, actor, item)
        item = await self.actions.set_due(scope, number, plus_one_day(item.due_at, self.now(), here.timezone))
        await self.announce_change(item, here, "action.changed.due", by=actor)
        return Reply("action.button_postponed")

    async def complete(self, here: ChatContext, actor: Actor, item: ActionItem) -> Reply:
        """✅ from an item's card or from one of its reminders."""
        if item.scope != here.scope:
            raise Refused("action.button_other_bridge")
        await self._require_change(here, actor, item)
        if item.status == "done":
            return Reply("action.already", {"number": item.number, "state": Phrase("action.done_mark")})
        item = await self.actions.set_status(item.scope, item.number, "done", self.now())
        await self.announce_change(item, here, "action.changed.done", by=actor)
        return Reply("action.button_done")

    async def item(self, item_id: int) -> ActionItem | None:
        return await self.actions.get_by_id(item_id)

    async def _take(self, here: ChatContext, actor: Actor, item: ActionItem) -> Reply:
        """🙋: an unowned item is anyone's to take; an owned one only an administrator can join."""
        if actor.user_id is None:
            raise Refused("action.not_allowed")
        if await self.owns(item, actor):
            return Reply("action.button_taken")
        if item.owners and not await self.permissions.is_admin(here, actor):
            raise Refused("action.take_owned")
        owner = Owner(actor.label or self.catalog.t("sender.unknown", here.ui), actor.user_id)
        item = await self.actions.add_owners(item.scope, item.number, [owner])
        await self.announce_change(item, here, "action.changed.owners", by=actor)
        return Reply("action.button_taken")

    # ---- rules --------------------------------------------------------------------------------------
    async def owns(self, item: ActionItem, actor: Actor) -> bool:
        """An owner by Telegram user id. An "@username" owner not resolved yet is bound to the first user
        seen with that username (Telegram usernames are unique); display names never count."""
        if actor.user_id is None:
            return False
        if any(owner.user_id == actor.user_id for owner in item.owners):
            return True
        if actor.username and any(
            owner.user_id is None and (owner.username or "").casefold() == actor.username.casefold()
            for owner in item.owners
        ):
            await self.actions.bind_owner(item.id, actor.username, actor.user_id)
            return True
        return False

    async def _owners(self, names: Sequence[str], mentions: Sequence[Mention]) -> list[Owner]:
        """Owners for the names given: a text mention knows its user, an @username the user last seen
        with it (None until then), a plain name none."""
        by_text = {mention.text: mention.user_id for mention in mentions}
        owners: list[Owner] = []
        for name in names:
            if name in by_text:
                owners.append(Owner(name, by_text[name]))
            elif name.startswith("@"):
                owners.append(Owner(name, await self.people.by_username(name[1:])))
            else:
                owners.append(Owner(name))
        return owners

    async def may_change(self, here: ChatContext, actor: Actor, item: ActionItem, *, drop: bool = False) -> bool:
        """The creator, the owners (except dropping) and the group's administrators."""
        if actor.user_id is not None and item.created_by == actor.user_id:
            return True
        if not drop and await self.owns(item, actor):
            return True
        return await self.permissions.is_admin(here, actor)

    async def _require_change(self, here: ChatContext, actor: Actor, item: ActionItem, *, drop: bool = False) -> None:
        if not await self.may_change(here, actor, item, drop=drop):
            raise Refused("action.drop_not_allowed" if drop else "action.not_allowed")

    async def _change_status(self, here: ChatContext, actor: Actor, item: ActionItem, status: str) -> None:
        await self._require_change(here, actor, item, drop=status == "dropped")
        if item.status == status:
            raise Refused("action.already", number=item.number, state=Phrase(_STATUS_KEYS[status]))
        item = await self.actions.set_status(here.scope, item.number, status, self.now())
        await self.announce_change(item, here, f"action.changed.{status}", by=actor)

    async def item_args(self, here: ChatContext, command: str, text: str, *, more: bool) -> ItemArgs:
        """``<n> [rest]`` naming an item of the chat's scope."""
        number_text, _, rest = text.strip().partition(" ")
        number_text = number_text.lstrip("#")
        if not number_text.isdigit() or len(number_text) > 9:
            raise Refused("action.bad_number", command=command)
        if rest.strip() and not more:
            raise Refused("action.extra_args", command=command)
        item = await self.actions.get(here.scope, int(number_text))
        if item is None:
            raise Refused("action.not_found", number=int(number_text))
        return ItemArgs(item, rest.strip())

    def _checked_title(self, title: str) -> str:
        if not title:
            raise Refused("action.empty_title")
        if len(title) > TITLE_MAX:
            raise Refused("action.title_too_long", length=len(title))
        return title

    def _check_future(self, here: ChatContext, when: datetime | None) -> None:
        if when is not None and is_past(when, self.now()):
            raise Refused("action.past_when", when=format_when(when, here.ui, here.timezone))

    # ---- rendering and announcing -------------------------------------------------------------------
    def when_text(self, when: datetime | None, chat: Chat) -> str:
        if when is None:
            return self.catalog.t("due.none", chat.language)
        return format_when(when, self.catalog.resolve(chat.language), zone_of(chat))

    def owner_names(self, item: ActionItem, language: str | None) -> str:
        """The owners' names joined the way the language joins a list ("Kim dan Budi", "Kim und Budi")."""
        return self.catalog.join((owner.name for owner in item.owners), language)

    def card(self, item: ActionItem, title: str, chat: Chat) -> str:
        lang = chat.language
        parts: list[str] = []
        if item.owners:
            parts.append(self.catalog.t("action.owners", lang, owners=self.owner_names(item, lang)))
        if item.due_at is not None:
            parts.append(self.catalog.t("action.due", lang, when=self.when_text(item.due_at, chat)))
        if item.programme:
            parts.append(self.catalog.t("action.programme", lang, programme="#" + item.programme))
        if item.status == "done":
            parts.append(self.catalog.t("action.done_mark", lang))
        elif item.status == "dropped":
            parts.append(self.catalog.t("action.dropped_mark", lang))
        elif item.is_overdue(self.now()):
            parts.append(self.catalog.t("action.overdue", lang))
        details = ("\n" + self.catalog.t("fmt.separator", lang).join(parts)) if parts else ""
        return self.catalog.t("action.card", lang, number=item.number, title=title, details=Markup(details))

    async def cards(self, items: Sequence[ActionItem], here: ChatContext) -> str:
        titles = await self.titles.titles_in(items, here.language, here.bridge_id)
        return "\n\n".join(self.card(item, title, here.chat) for item, title in zip(items, titles, strict=True))

    def buttons(self, item: ActionItem, language: str) -> Buttons | None:
        if item.status != "open":
            return None
        data = f"act|{item.scope.key}|{item.number}|"
        return [
            [
                (self.catalog.t("btn.done", language), data + "done"),
                (self.catalog.t("btn.take", language), data + "take"),
                (self.catalog.t("btn.plus_day", language), data + "plus1d"),
            ]
        ]

    async def record(self, item: ActionItem, here: ChatContext, kind: str, by: Actor, detail: str = "") -> None:
        """One line of the event history (who, when, from which city): what reports count."""
        if self.history is None:
            return
        await self.history.add(
            NewEvent(
                scope=item.scope,
                at=self.now(),
                kind=kind,
                item_number=item.number,
                indicator_id=None,
                programme=item.programme,
                user_id=by.user_id,
                by=by.label,
                chat_id=here.id,
                city=here.label,
                detail=detail[:EVENT_DETAIL_MAX] or None,
            )
        )

    async def owners_changed(self, item: ActionItem, here: ChatContext, by: Actor) -> None:
        """An item's owners were changed by a handover (announced there, once for all its items): the reminders
        re-plan and the history records it."""
        await self.planner.sync_item(item)
        await self.record(item, here, "assigned", by, ", ".join(o.name for o in item.owners))

    async def announce_new(self, item: ActionItem, here: ChatContext) -> None:
        """Tell every group of the scope about a new item (and let the reminders plan for it)."""
        await self.planner.sync_item(item)

        async def one(chat: Chat) -> None:
            title = await self.titles.title_in(item, chat.language, here.bridge_id)
            card = self.card(item, title, chat)
            text = self.catalog.t(
                "action.created", chat.language, number=item.number, city=here.label, card=Markup(card)
            )
            buttons = self.buttons(item, self.catalog.resolve(chat.language))
            await self.announcer.announce(chat.id, chat.language, text, buttons)

        await asyncio.gather(*(one(chat) for chat in here.members))

    async def announce_change(self, item: ActionItem, here: ChatContext, key: str, *, by: Actor) -> None:
        """One line to every group of the scope about a change (and let the reminders re-plan).

        Changes of the same kind to the same item within ``MERGE_SECONDS`` are merged: the first is
        announced at once, the last of the rest when the window ends (five taps on 🙋 make two lines,
        not five), so a burst cannot use up a group's message budget."""
        await self.planner.sync_item(item)
        kind = _EVENT_KINDS.get(key)
        if kind is not None:
            detail = {
                "assigned": lambda: ", ".join(o.name for o in item.owners),
                "due": lambda: item.due_at.isoformat() if item.due_at else "",
                "renamed": lambda: item.title,
            }.get(kind, lambda: "")()
            await self.record(item, here, kind, by, detail)
        burst_key = (item.scope, item.number, key)
        now = self.monotonic()
        window = self.merge_seconds
        for stale in [k for k, b in self._bursts.items() if now - b.sent_at >= window and b.timer is None]:
            del self._bursts[stale]
        burst = self._bursts.get(burst_key)
        if burst is not None and now - burst.sent_at < window:
            burst.latest = (item, here, by)
            if burst.timer is None:
                burst.timer = asyncio.create_task(self._flush_later(burst_key, burst.sent_at + window - now))
            return
        self._bursts[burst_key] = _Burst(sent_at=now)
        await self._announce_change(item, here, key, by)

    async def _flush_later(self, burst_key: tuple[Scope, int, str], delay: float) -> None:
        await asyncio.sleep(delay)  # the end of the merge window
        burst = self._bursts.get(burst_key)
        if burst is None or burst.latest is None:
            return
        item, here, by = burst.latest
        burst.latest, burst.timer, burst.sent_at = None, None, self.monotonic()
        await self._announce_change(item, here, burst_key[2], by)

    async def close(self) -> None:
        """Send the merged announcements still waiting (shutdown)."""
        timers = [b.timer for b in self._bursts.values() if b.timer is not None]
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        for burst_key, burst in list(self._bursts.items()):
            if burst.latest is not None:
                item, here, by = burst.latest
                burst.latest = None
                await self._announce_change(item, here, burst_key[2], by)

    async def _announce_change(self, item: ActionItem, here: ChatContext, key: str, by: Actor) -> None:
        async def one(chat: Chat) -> None:
            title = await self.titles.title_in(item, chat.language, here.bridge_id)
            values: dict[str, object] = {"number": item.number, "title": title, "by": by.label, "city": here.label}
            values["by"] = by.label or self.catalog.t("sender.unknown", chat.language)
            if key == "action.changed.owners":
                values["owners"] = self.owner_names(item, chat.language)
            if key == "action.changed.due":
                values["when"] = self.when_text(item.due_at, chat)
            await self.announcer.announce(chat.id, chat.language, self.catalog.t(key, chat.language, **values))

        await asyncio.gather(*(one(chat) for chat in here.members))
