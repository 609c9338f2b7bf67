"""Action items and programmes in memory (storage/actions.py).

Validation, owners and programme names go through storage's own pure helpers, so the two cannot disagree.
The fakes keep what the tables ``action_items``, ``action_counters`` and ``programmes`` hold:

- ``FakeActionRepository.rows``: item id → ``_Item`` (the row, with its ``programme_id``; the programme's
  name is read when the item is, as storage's join does); ``counters``: scope → last number handed out;
- ``FakeProgrammeRepository.rows``: programme id → ``Programme``; ``keys``: programme id → its name key.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.errors import LimitReached
from bot.domain.records import ActionItem, Owner, Programme, ProgrammeStats, Scope, ScopeOverview
from bot.domain.rules import ACTION_STATUSES, GOAL_MAX
from storage._shared import checked_scope, require_aware
from storage.actions import _language, _owners, _programme_name, _statuses, _title, programme_key

if TYPE_CHECKING:
    from tests.fakes.memory import Memory

# Changes of one item are stamped at least this much apart, so "changed later" holds even when the clock
# has not moved on between two calls.
_TICK = timedelta(microseconds=1)


def _utc(instant: datetime | None) -> datetime | None:
    """As the database reads an instant back: in UTC."""
    return None if instant is None else instant.astimezone(UTC)


@dataclass(slots=True)
class _Item:
    """A row of ``action_items``."""

    id: int
    scope: Scope
    number: int
    bridge_id: int | None
    chat_id: int
    programme_id: int | None
    title: str
    language: str
    owners: tuple[Owner, ...]
    due_at: datetime | None
    status: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None


class FakeActionRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, _Item] = {}
        self.counters: dict[Scope, int] = {}

    async def create(
        self,
        *,
        scope: Scope,
        bridge_id: int | None,
        chat_id: int,
        title: str,
        language: str,
        owners: Sequence[Owner] = (),
        programme_id: int | None = None,
        due_at: datetime | None = None,
        created_by: int | None = None,
        open_max: int | None = None,
    ) -> ActionItem:
        scope = checked_scope(scope)
        cleaned_title = _title(title)
        cleaned_language = _language(language)
        owner_list = _owners(owners)
        require_aware(due_at, "due_at")
        # Everything is checked before the counter moves: a failed create hands out no number.
        if open_max is not None and await self.count_open(scope) >= open_max:
            raise LimitReached(open_max)
        if not self.memory.chats.known(chat_id):
            raise LookupError(f"chat {chat_id} is not known")
        if bridge_id is not None and bridge_id not in self.memory.bridges.created:
            raise LookupError(f"bridge {bridge_id} is not known")
        if programme_id is not None:
            programme = self.memory.programmes.rows.get(programme_id)
            if programme is None or programme.scope != scope:
                raise LookupError(f"programme {programme_id} is not one of {scope}'s")
        number = self.counters.get(scope, 0) + 1
        self.counters[scope] = number
        now = self._now()
        item = _Item(
            id=self.memory.next_id("action_items"),
            scope=scope,
            number=number,
            bridge_id=bridge_id,
            chat_id=chat_id,
            programme_id=programme_id,
            title=cleaned_title,
            language=cleaned_language,
            owners=tuple(owner_list),
            due_at=_utc(due_at),
            status="open",
            created_by=created_by,
            created_at=now,
            updated_at=now,
            done_at=None,
        )
        self.rows[item.id] = item
        return self._record(item)

    async def get(self, scope: Scope, number: int) -> ActionItem | None:
        item = self._find(scope, number)
        return None if item is None else self._record(item)

    async def get_by_id(self, item_id: int) -> ActionItem | None:
        item = self.rows.get(item_id)
        return None if item is None else self._record(item)

    async def list(
        self,
        scope: Scope,
        *,
        statuses: Collection[str] = ("open",),
        programme_id: int | None = None,
        limit: int | None = None,
    ) -> builtins.list[ActionItem]:
        wanted = _statuses(statuses)
        if not wanted or (limit is not None and limit <= 0):
            return []
        found = [
            item
            for item in self.rows.values()
            if item.scope == scope
            and item.status in wanted
            and (programme_id is None or item.programme_id == programme_id)
        ]
        found.sort(key=_soonest_undated_last)
        return self._records(found[:limit] if limit is not None else found)

    async def numbered(
        self, scope: Scope, *, statuses: Collection[str], dated: bool = False, limit: int | None = None
    ) -> builtins.list[ActionItem]:
        wanted = _statuses(statuses)
        if not wanted or (limit is not None and limit <= 0):
            return []
        found = sorted(
            (
                item
                for item in self.rows.values()
                if item.scope == scope and item.status in wanted and (not dated or item.due_at is not None)
            ),
            key=lambda item: item.number,
        )
        return self._records(found[:limit] if limit is not None else found)

    async def count(self, scope: Scope, *, statuses: Collection[str], dated: bool = False) -> int:
        wanted = _statuses(statuses)
        return sum(
            1
            for item in self.rows.values()
            if item.scope == scope and item.status in wanted and (not dated or item.due_at is not None)
        )

    async def done_between(self, scope: Scope, start: datetime, end: datetime) -> builtins.list[ActionItem]:
        require_aware(start, "start")
        require_aware(end, "end")
        found = sorted(
            (
                item
                for item in self.rows.values()
                if item.scope == scope
                and item.status == "done"
                and item.done_at is not None
                and start <= item.done_at < end
            ),
            key=lambda item: item.number,
        )
        return self._records(found)

    async def set_status(self, scope: Scope, number: int, status: str, now: datetime) -> ActionItem:
        if status not in ACTION_STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {', '.join(ACTION_STATUSES)}")
        require_aware(now, "now")

        def apply(item: _Item) -> None:
            if status == "done":
                if item.status != "done" or item.done_at is None:
                    item.done_at = _utc(now)
            else:
                item.done_at = None
            item.status = status

        return self._change(scope, number, apply)

    async def set_owners(self, scope: Scope, number: int, owners: Sequence[Owner]) -> ActionItem:
        owner_list = _owners(owners)

        def apply(item: _Item) -> None:
            item.owners = tuple(owner_list)

        return self._change(scope, number, apply)

    async def add_owners(self, scope: Scope, number: int, owners: Sequence[Owner]) -> ActionItem:
        extra = _owners(owners)

        def apply(item: _Item) -> None:
            item.owners = tuple(_owners([*item.owners, *extra]))

        return self._change(scope, number, apply)

    async def bind_owner(self, item_id: int, username: str, user_id: int) -> ActionItem | None:
        item = self.rows.get(item_id)
        if item is None:
            return None
        wanted = username.casefold()
        bound = [
            Owner(o.name, user_id) if o.user_id is None and (o.username or "").casefold() == wanted else o
            for o in item.owners
        ]
        if bound == list(item.owners):
            return None
        item.owners = tuple(_owners(bound))
        item.updated_at = self._stamp(item)  # the row changed: its updated_at moves (onupdate)
        return self._record(item)

    async def set_due(self, scope: Scope, number: int, due_at: datetime | None) -> ActionItem:
        require_aware(due_at, "due_at")

        def apply(item: _Item) -> None:
            item.due_at = _utc(due_at)

        return self._change(scope, number, apply)

    async def set_title(self, scope: Scope, number: int, title: str, language: str) -> ActionItem:
        cleaned, lang = _title(title), _language(language)

        def apply(item: _Item) -> None:
            item.title = cleaned
            item.language = lang

        return self._change(scope, number, apply)

    async def count_open(self, scope: Scope) -> int:
        return sum(1 for item in self.rows.values() if item.scope == scope and item.status == "open")

    async def stats(self, scope: Scope, now: datetime) -> builtins.list[ProgrammeStats]:
        require_aware(now, "now")
        return self._stats(scope, now)

    async def overview(
        self, scope: Scope, now: datetime, *, next_max: int, done_since: datetime, done_max: int
    ) -> ScopeOverview:
        require_aware(now, "now")
        require_aware(done_since, "done_since")
        stats = tuple(self._stats(scope, now))
        if not stats:
            return ScopeOverview()
        items = [item for item in self.rows.values() if item.scope == scope]
        opened = [item for item in items if item.status == "open"]
        overdue = sorted((i for i in opened if i.due_at is not None and i.due_at < now), key=_soonest)
        upcoming = sorted((i for i in opened if i.due_at is not None and i.due_at >= now), key=_soonest)
        done = sorted(
            (i for i in items if i.status == "done" and i.done_at is not None and i.done_at >= done_since),
            key=_latest_done,
            reverse=True,
        )
        events = [event.at for event in self.memory.events.rows if event.scope == scope]
        return ScopeOverview(
            stats=stats,
            overdue=tuple(self._records(overdue[: max(0, next_max)])),
            upcoming=tuple(self._records(upcoming[: max(0, next_max)])),
            done=tuple(self._records(done[: max(0, done_max)])),
            last_event_at=_utc(max(events, default=None)),
            last_change_at=max((item.updated_at for item in items), default=None),
        )

    async def upcoming(self, scope: Scope, now: datetime, limit: int = 3) -> builtins.list[ActionItem]:
        require_aware(now, "now")
        if limit <= 0:
            return []
        found = [
            item
            for item in self.rows.values()
            if item.scope == scope and item.status == "open" and item.due_at is not None and item.due_at >= now
        ]
        found.sort(key=_soonest)
        return self._records(found[:limit])

    # -- internals ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.memory.now().astimezone(UTC)

    def _stamp(self, item: _Item) -> datetime:
        """The instant a change of ``item`` is stamped with: now, and never before its last change."""
        return max(self._now(), item.updated_at + _TICK)

    def _find(self, scope: Scope, number: int) -> _Item | None:
        return next((i for i in self.rows.values() if i.scope == scope and i.number == number), None)

    def _change(self, scope: Scope, number: int, apply: Callable[[_Item], None]) -> ActionItem:
        item = self._find(scope, number)
        if item is None:
            raise LookupError(f"no action item #{number} in {scope}")
        apply(item)
        item.updated_at = self._stamp(item)
        return self._record(item)

    def _record(self, item: _Item) -> ActionItem:
        programme = None if item.programme_id is None else self.memory.programmes.rows.get(item.programme_id)
        return ActionItem(
            id=item.id,
            scope=item.scope,
            number=item.number,
            bridge_id=item.bridge_id,
            chat_id=item.chat_id,
            title=item.title,
            language=item.language,
            owners=item.owners,
            programme=None if programme is None else programme.name,
            due_at=item.due_at,
            status=item.status,
            created_by=item.created_by,
            created_at=item.created_at,
            updated_at=item.updated_at,
            done_at=item.done_at,
        )

    def _records(self, items: Iterable[_Item]) -> builtins.list[ActionItem]:
        return [self._record(item) for item in items]

    def _stats(self, scope: Scope, now: datetime) -> builtins.list[ProgrammeStats]:
        """Per programme (by its name key, items in none last): open, overdue and done; dropped not counted."""
        counts: dict[int | None, builtins.list[int]] = {}
        for item in self.rows.values():
            if item.scope != scope or item.status not in ("open", "done"):
                continue
            row = counts.setdefault(item.programme_id, [0, 0, 0])
            if item.status == "open":
                row[0] += 1
                if item.due_at is not None and item.due_at < now:
                    row[1] += 1
            else:
                row[2] += 1
        programmes = self.memory.programmes

        def order(programme_id: int | None) -> tuple[bool, str]:
            return programme_id is None, "" if programme_id is None else programmes.keys[programme_id]

        return [
            ProgrammeStats(
                programme=None if programme_id is None else programmes.rows[programme_id].name,
                open=n_open,
                overdue=n_overdue,
                done=n_done,
            )
            for programme_id, (n_open, n_overdue, n_done) in sorted(counts.items(), key=lambda kv: order(kv[0]))
        ]

    def _delete(self, doomed: builtins.list[int]) -> int:
        """Delete these items; the reminders of them go too (ON DELETE CASCADE)."""
        for item_id in doomed:
            del self.rows[item_id]
        self.memory.cascade("_items_deleted", doomed)
        return len(doomed)

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        for item in self.rows.values():
            if item.chat_id == old:
                item.chat_id = new
                item.updated_at = self._stamp(item)  # an UPDATE of the row: onupdate moves updated_at

    def _rescope(self, old: Scope, new: Scope) -> None:
        if old == new:
            return
        if old in self.counters and new in self.counters:
            # storage: the UPDATE of action_counters (and of the items' numbers) violates a unique key
            raise ValueError(f"scope {new} has action items of its own; {old}'s cannot move there")
        for item in self.rows.values():
            if item.scope == old:
                item.scope = new
                item.updated_at = self._stamp(item)
        if old in self.counters:
            self.counters[new] = self.counters.pop(old)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        # storage deletes the chat's reminders before its items (whose reminders then go uncounted)
        reminders = self.memory.reminders._delete_for_chat(chat_id)
        doomed = [item.id for item in self.rows.values() if item.chat_id == chat_id]
        return {"reminders": reminders, "action_items": self._delete(doomed)}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        doomed = [item.id for item in self.rows.values() if item.scope == scope]
        counters = 1 if self.counters.pop(scope, None) is not None else 0
        return {"action_items": self._delete(doomed), "action_counters": counters}

    def _chats_deleted(self, chat_ids: set[int]) -> None:
        self._delete([item.id for item in self.rows.values() if item.chat_id in chat_ids])

    def _bridges_deleted(self, bridge_ids: set[int]) -> None:
        for item in self.rows.values():
            if item.bridge_id in bridge_ids:
                item.bridge_id = None  # ON DELETE SET NULL

    def _programmes_deleted(self, programme_ids: set[int]) -> None:
        for item in self.rows.values():
            if item.programme_id in programme_ids:
                item.programme_id = None  # ON DELETE SET NULL


_NEVER = datetime.min.replace(tzinfo=UTC)


def _soonest_undated_last(item: _Item) -> tuple[bool, datetime, int]:
    return item.due_at is None, item.due_at or _NEVER, item.number


def _soonest(item: _Item) -> tuple[datetime, int]:
    """By due instant, then number (for items that have one)."""
    return item.due_at or _NEVER, item.number


def _latest_done(item: _Item) -> tuple[datetime, int]:
    """By done instant, then number (reversed: most recently done first)."""
    return item.done_at or _NEVER, item.number


class FakeProgrammeRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, Programme] = {}
        self.keys: dict[int, str] = {}  # programme id → name key (NFC, case-folded): unique per scope

    async def add(self, scope: Scope, name: str, goal: str | None = None) -> Programme:
        scope = checked_scope(scope)
        shown = _programme_name(name)
        key = shown.casefold()
        cleaned_goal: str | None = None
        if goal is not None:
            cleaned_goal = goal.strip() or None
            if cleaned_goal is not None and len(cleaned_goal) > GOAL_MAX:
                raise ValueError(f"a programme goal is at most {GOAL_MAX} characters")
        found = self._find(scope, key)
        if found is None:
            programme = Programme(
                id=self.memory.next_id("programmes"),
                scope=scope,
                name=shown,
                goal=cleaned_goal,
                created_at=self.memory.now().astimezone(UTC),
            )
            self.keys[programme.id] = key
        else:
            programme = replace(found, name=shown, goal=found.goal if goal is None else cleaned_goal)
        self.rows[programme.id] = programme
        return programme

    async def get(self, scope: Scope, name: str) -> Programme | None:
        try:
            key = programme_key(name)
        except ValueError:
            return None
        return self._find(scope, key)

    async def list(self, scope: Scope) -> builtins.list[Programme]:
        return sorted((p for p in self.rows.values() if p.scope == scope), key=lambda p: self.keys[p.id])

    def _find(self, scope: Scope, key: str) -> Programme | None:
        return next((p for p in self.rows.values() if p.scope == scope and self.keys[p.id] == key), None)

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------

    def _rescope(self, old: Scope, new: Scope) -> None:
        if old == new:
            return
        theirs = {self.keys[p.id] for p in self.rows.values() if p.scope == new}
        clash = sorted(self.keys[p.id] for p in self.rows.values() if p.scope == old and self.keys[p.id] in theirs)
        if clash:  # storage: the UPDATE violates the unique (scope, name_key)
            raise ValueError(f"scope {new} has a programme {clash[0]!r} already")
        for programme_id, programme in list(self.rows.items()):
            if programme.scope == old:
                self.rows[programme_id] = replace(programme, scope=new)

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        doomed = [p.id for p in self.rows.values() if p.scope == scope]
        for programme_id in doomed:
            del self.rows[programme_id]
            del self.keys[programme_id]
        # items lose the programme (SET NULL), indicators go with it (CASCADE)
        self.memory.cascade("_programmes_deleted", doomed)
        return {"programmes": len(doomed)}
