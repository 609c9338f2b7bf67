"""Handover when people change (``/handover``, ``/welcome``, the notice when a member leaves).

When someone who holds open items, reminders or indicators leaves a group of the bridge (or is removed; the group's
owner leaving counts too), that group's administrators are told in the group — who left, what they held — with
buttons to hand it all to one of the people seen in the bridge lately, or to leave the items unowned. Nothing moves
without an administrator's tap. ``/handover @old @new`` does the same at once; the new holder gets the brief
(privately when they have started the bot, else in the group). ``/welcome on`` greets newcomers with a "Brief me"
button."""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.context import Actor, ChatContext, Refused, Reply, reply
from bot.domain.continuity import HandoverRepository
from bot.domain.records import ActionItem, Chat, Indicator, Owner, Reminder
from bot.domain.repositories import ActionRepository, PeopleRepository
from bot.domain.rules import OWNER_NAME_MAX
from bot.features.action_text import Mention
from bot.features.actions import ActionService, ItemTitles
from bot.features.announce import Announcer
from bot.features.brief import BriefService
from bot.features.roster import Roster
from bot.language.catalog import Catalog, Markup
from bot.language.htmltext import split_html
from bot.permissions import Permissions
from bot.ports import Buttons, DeliveryError, Members, Person, Sender

logger = logging.getLogger(__name__)

CANDIDATES_MAX = 8  # people offered as buttons under a handover notice
CANDIDATES_DAYS = 90  # seen in the bridge this recently
HELD_SHOWN = 10  # items named in a notice
NOTICE_ONCE = 600.0  # seconds: the same person leaving the same group (two updates say so) is told once
REMEMBERED = 2_000
BRIEF_IN_GROUP_EVERY = 300.0  # seconds between briefs posted in one group for "Brief me" presses
TEXT_LIMIT = 4096
_USERNAME = re.compile(r"@([A-Za-z0-9_]{4,32})")


@dataclass(frozen=True)
class Holdings:
    """What a person holds in a scope."""

    items: list[ActionItem]
    reminders: list[Reminder]
    indicators: list[Indicator]

    @property
    def empty(self) -> bool:
        return not (self.items or self.reminders or self.indicators)


def holds(owner: Owner, person: Person) -> bool:
    """The owner is the person: by user id, or by @username while the owner has none."""
    if owner.user_id is not None:
        return owner.user_id == person.user_id
    return bool(person.username) and owner.name.casefold() == f"@{person.username}".casefold()


class HandoverService:
    def __init__(
        self,
        *,
        actions: ActionRepository,
        action_service: ActionService,
        titles: ItemTitles,
        handover: HandoverRepository,
        roster: Roster,
        people: PeopleRepository,
        brief: BriefService,
        announcer: Announcer,
        sender: Sender,
        permissions: Permissions,
        members: Members,
        catalog: Catalog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.actions = actions
        self.action_service = action_service
        self.titles = titles
        self.handover = handover
        self.roster = roster
        self.people = people
        self.brief = brief
        self.announcer = announcer
        self.sender = sender
        self.permissions = permissions
        self.members = members
        self.catalog = catalog
        self.clock = clock
        self.monotonic = monotonic
        self._told: OrderedDict[tuple[int, int, str], float] = OrderedDict()
        self._labels: OrderedDict[tuple[int, int], str] = OrderedDict()  # who left, as the notice named them
        self._briefed_in_group: dict[int, float] = {}

    # ---- what a person holds -------------------------------------------------------------------------
    async def holdings(self, here: ChatContext, person: Person) -> Holdings:
        items = [
            i
            for i in await self.actions.list(here.scope, statuses=("open",))
            if any(holds(o, person) for o in i.owners)
        ]
        return Holdings(
            items,
            await self.handover.reminders_of(here.scope, person.user_id),
            await self.handover.indicators_of(here.scope, person.user_id),
        )

    def _once(self, chat_id: int, user_id: int, what: str) -> bool:
        """True the first time in ``NOTICE_ONCE`` (the service message and the chat_member update both come)."""
        now = self.monotonic()
        key = (chat_id, user_id, what)
        last = self._told.get(key)
        if last is not None and now - last < NOTICE_ONCE:
            return False
        self._told[key] = now
        self._told.move_to_end(key)
        while len(self._told) > REMEMBERED:
            self._told.popitem(last=False)
        return True

    # ---- someone left -------------------------------------------------------------------------------
    async def left(self, here: ChatContext, person: Person, suggested: Person | None = None) -> None:
        """``person`` left the group (or was removed; the owner left): its administrators are told what the person
        held, with buttons to hand it over. Nothing is said of someone who held nothing."""
        if here.is_private or not self._once(here.id, person.user_id, "left"):
            return
        await self.roster.gone(here.id, person.user_id)
        held = await self.holdings(here, person)
        if held.empty:
            return
        label = _label(person)
        self._labels[(here.id, person.user_id)] = label
        while len(self._labels) > REMEMBERED:
            self._labels.popitem(last=False)
        candidates = await self._candidates(here, person, suggested)
        html = self.catalog.t(
            "handover.notice",
            here.language,
            name=label,
            held=Markup(await self._held_text(here, held)),
            old=f"@{person.username}" if person.username else label,
        )
        await self._send(here.id, html, self._buttons(here, person.user_id, candidates))

    async def _candidates(self, here: ChatContext, leaver: Person, suggested: Person | None) -> list[Person]:
        since = self.clock() - timedelta(days=CANDIDATES_DAYS)
        seen = await self.roster.recent([c.id for c in here.members], since=since, limit=200)
        found: dict[int, Person] = {}
        if suggested is not None and suggested.user_id != leaver.user_id:
            found[suggested.user_id] = suggested
        for p in seen:
            if p.user_id != leaver.user_id and p.user_id not in found:
                found[p.user_id] = Person(p.user_id, p.name, p.username)
        return list(found.values())[:CANDIDATES_MAX]

    def _buttons(self, here: ChatContext, old: int, candidates: Sequence[Person]) -> Buttons:
        rows: list[list[tuple[str, str]]] = []
        for index in range(0, len(candidates), 2):
            rows.append(
                [
                    (
                        self.catalog.t("handover.btn_to", here.language, name=_label(p)[:40]),
                        f"ho|{here.scope.key}|{old}|{p.user_id}",
                    )
                    for p in candidates[index : index + 2]
                ]
            )
        rows.append([(self.catalog.t("handover.btn_unowned", here.language), f"ho|{here.scope.key}|{old}|0")])
        return rows

    async def _held_text(self, here: ChatContext, held: Holdings) -> str:
        lines = []
        shown = held.items[:HELD_SHOWN]
        titles = await self.titles.titles_in(shown, here.language, here.bridge_id)
        for item, title in zip(shown, titles, strict=True):
            lines.append(self.catalog.t("handover.held_item", here.language, number=item.number, title=title))
        if len(held.items) > len(shown):
            lines.append(self.catalog.t("brief.shown", here.language, shown=len(shown), total=len(held.items)))
        if held.reminders:
            numbers = ", ".join(f"{r.number}" for r in held.reminders if r.number is not None)
            lines.append(
                self.catalog.t("handover.held_reminders", here.language, count=len(held.reminders), numbers=numbers)
            )
        if held.indicators:
            names = self.catalog.join((f"{i.programme}/{i.name}" for i in held.indicators), here.language)
            lines.append(
                self.catalog.t("handover.held_indicators", here.language, count=len(held.indicators), names=names)
            )
        return "\n".join(lines)

    async def _send(self, chat_id: int, html: str, buttons: Buttons | None = None) -> int | None:
        try:
            return await self.sender.send_text(chat_id, html, buttons=buttons)
        except DeliveryError as exc:
            logger.warning("could not post a handover message in chat %s: %s", chat_id, exc)
            return None

    async def owner_changed(self, here: ChatContext, old: Person, new: Person) -> None:
        """The group's ownership went from ``old`` to ``new``: when ``old`` is no longer in the group, it is a
        departure like any other (``new`` offered first)."""
        if old.user_id != new.user_id and not await self.members.is_member(here.id, old.user_id):
            await self.left(here, old, new)

    # ---- the buttons --------------------------------------------------------------------------------
    async def press(self, here: ChatContext, actor: Actor, data: str, message_id: int | None) -> Reply:
        """A tap under a handover notice (administrators of the group): hand over to the person, or leave unowned."""
        parts = data.split("|")
        if len(parts) != 4 or not parts[2].lstrip("-").isdigit() or not parts[3].lstrip("-").isdigit():
            raise Refused("handover.gone")
        if parts[1] != here.scope.key:
            raise Refused("handover.gone")
        await self.permissions.require_admin(here, actor)
        old, new = int(parts[2]), int(parts[3])
        leaver = await self._person(here, old, self._labels.get((here.id, old)))
        taker = None if new == 0 else await self._person(here, new, None)
        done = await self.transfer(here, actor, leaver, taker)
        if message_id is not None:
            key = "handover.closed_to" if taker is not None else "handover.closed_unowned"
            closed = self.catalog.t(
                key, here.language, name=leaver.name, to=_label(taker) if taker else "", by=actor.label
            )
            try:
                await self.sender.edit_text(here.id, message_id, closed)
            except DeliveryError as exc:
                logger.info("could not close a handover notice in chat %s: %s", here.id, exc)
        return Reply("handover.pressed", {"count": done}, alert=False)

    async def _person(self, here: ChatContext, user_id: int, label: str | None) -> Person:
        """A person of the bridge by user id, named as the groups last saw them."""
        for chat in here.members:
            seen = await self.roster.get(chat.id, user_id)
            if seen is not None:
                return Person(user_id, seen.name, seen.username)
        if label:
            return Person(user_id, label)
        for item in await self.actions.list(here.scope, statuses=("open",)):
            for owner in item.owners:
                if owner.user_id == user_id:
                    return Person(user_id, owner.name)
        return Person(user_id, self.catalog.t("handover.someone", here.language, id=user_id))

    # ---- /handover @old @new ------------------------------------------------------------------------
    async def command(self, here: ChatContext, actor: Actor, text: str, mentions: Sequence[Mention] = ()) -> Reply:
        """``/handover @old @new`` (administrators): everything the old person holds in the bridge goes to the new."""
        if here.is_private:
            raise Refused("handover.private")
        named = await self._named(text, mentions)
        if len(named) != 2:
            raise Refused("handover.usage")
        await self.permissions.require_admin(here, actor)
        old, new = named
        if old.user_id == new.user_id:
            raise Refused("handover.same")
        held = await self.holdings(here, old)
        if held.empty:
            raise Refused("handover.nothing", name=_label(old))
        count = await self.transfer(here, actor, old, new)
        return reply("handover.command_done", count=count, name=_label(new))

    async def _named(self, text: str, mentions: Sequence[Mention]) -> list[Person]:
        """The people ``text`` names in order: @usernames Kembar has seen, and mentions of people without one."""
        found: list[tuple[int, Person]] = []
        for mention in mentions:
            at = text.find(mention.text)
            if at >= 0 and mention.user_id is not None:
                found.append((at, Person(mention.user_id, mention.text[:OWNER_NAME_MAX])))
        for match in _USERNAME.finditer(text):
            user_id = await self.people.by_username(match.group(1))
            if user_id is None:
                raise Refused("handover.unknown", name=match.group(0))
            found.append((match.start(), Person(user_id, match.group(0), match.group(1))))
        return [p for _, p in sorted(found, key=lambda f: f[0])]

    # ---- the move -----------------------------------------------------------------------------------
    async def transfer(self, here: ChatContext, by: Actor, old: Person, new: Person | None) -> int:
        """Move what ``old`` holds in the scope to ``new`` (None: the items are left unowned; reminders and
        indicators stay as they are), announce it in every group in its language, and give ``new`` the brief. How
        many things moved."""
        held = await self.holdings(here, old)
        taker = None if new is None else Owner(_label(new)[:OWNER_NAME_MAX], new.user_id)
        moved: list[ActionItem] = []
        for item in held.items:
            owners = [o for o in item.owners if not holds(o, old)]
            if taker is not None and taker not in owners:
                owners.append(taker)
            changed = await self.actions.set_owners(item.scope, item.number, owners)
            await self.action_service.owners_changed(changed, here, by)
            moved.append(changed)
        reminders = indicators = 0
        if new is not None:
            reminders = await self.handover.reassign_reminders(here.scope, old.user_id, new.user_id)
            indicators = await self.handover.reassign_indicators(here.scope, old.user_id, new.user_id)
        await self._announce(here, by, old, new, moved, reminders, indicators)
        if new is not None:
            await self.send_brief(here, new.user_id)
        return len(moved) + reminders + indicators

    async def _announce(
        self,
        here: ChatContext,
        by: Actor,
        old: Person,
        new: Person | None,
        items: Sequence[ActionItem],
        reminders: int,
        indicators: int,
    ) -> None:
        numbers = ", ".join(f"#{i.number}" for i in items) or "—"
        for chat in here.members:
            key = "handover.done" if new is not None else "handover.unowned"
            html = self.catalog.t(
                key,
                chat.language,
                old=_label(old),
                new=_label(new) if new is not None else "",
                items=numbers,
                reminders=reminders,
                indicators=indicators,
                by=by.label or self.catalog.t("sender.unknown", chat.language),
                city=here.label,
            )
            await self.announcer.announce(chat.id, chat.language, html)

    async def send_brief(self, here: ChatContext, user_id: int) -> str:
        """The brief to the person: privately (in the language and zone of the group of the bridge they were last seen
        in) when they have started the bot, else in the group (at most once per ``BRIEF_IN_GROUP_EVERY`` there). Where
        it went: "private", "group" or "" (not sent)."""
        reader = await self._home(here, user_id)
        text = await self.brief.compose(here, reader)
        try:
            await self._parts(user_id, self.catalog.t("brief.text", reader.language, text=Markup(text)))
            return "private"
        except DeliveryError:
            pass
        now = self.monotonic()
        last = self._briefed_in_group.get(here.id)
        if last is not None and now - last < BRIEF_IN_GROUP_EVERY:
            return ""
        self._briefed_in_group[here.id] = now
        if reader.id != here.id:
            text = await self.brief.compose(here, here)
        try:
            await self._parts(here.id, self.catalog.t("brief.text", here.language, text=Markup(text)))
        except DeliveryError as exc:
            logger.warning("could not post the brief in chat %s: %s", here.id, exc)
            return ""
        return "group"

    async def _home(self, here: ChatContext, user_id: int) -> ChatContext:
        """The group of ``here``'s bridge the person was seen in last (``here`` when none)."""
        latest: tuple[datetime, Chat] | None = None
        for chat in here.members:
            seen = await self.roster.get(chat.id, user_id)
            if seen is not None and (latest is None or seen.seen_at > latest[0]):
                latest = (seen.seen_at, chat)
        if latest is None or latest[1].id == here.id:
            return here
        chat = latest[1]
        return ChatContext(chat, self.catalog.resolve(chat.language), here.bridge)

    async def _parts(self, chat_id: int, html: str) -> None:
        for part in split_html(html, TEXT_LIMIT) or [html]:
            await self.sender.send_text(chat_id, part)

    async def brief_me(self, here: ChatContext, actor: Actor) -> Reply:
        """The "Brief me" button under a welcome."""
        if actor.user_id is None:
            raise Refused("brief.private_none")
        where = await self.send_brief(here, actor.user_id)
        return Reply({"private": "brief.sent_private", "group": "brief.sent_group"}.get(where, "brief.not_sent"))

    # ---- newcomers ----------------------------------------------------------------------------------
    async def joined(self, here: ChatContext, person: Person) -> None:
        """Someone joined the group: remembered among its people; greeted when the group has ``/welcome on``."""
        if here.is_private:
            return
        await self.roster.seen(here.id, person.user_id, person.name, person.username)
        if not await self.handover.welcome(here.id) or not self._once(here.id, person.user_id, "joined"):
            return
        html = self.catalog.t(
            "welcome.text",
            here.language,
            name=_label(person),
            cities=self.catalog.join((c.label for c in here.members), here.language),
        )
        await self._send(here.id, html, [[(self.catalog.t("welcome.btn_brief", here.language), "br|")]])

    async def welcome(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/welcome`` shows the setting; ``/welcome on|off`` changes it (administrators)."""
        if here.is_private:
            raise Refused("handover.private")
        word = text.strip()
        if not word:
            on = await self.handover.welcome(here.id)
            return reply("welcome.state_on" if on else "welcome.state_off")
        choice = self.catalog.choose(word, here.ui, ("on", "off"))
        if choice is None:
            raise Refused("welcome.usage")
        await self.permissions.require_admin(here, actor)
        await self.handover.set_welcome(here.id, choice == "on")
        return reply("welcome.set_on" if choice == "on" else "welcome.set_off")


def _label(person: Person | None) -> str:
    if person is None:
        return ""
    return f"@{person.username}" if person.username else person.name
