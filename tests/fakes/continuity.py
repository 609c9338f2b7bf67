"""Decisions, evidence, the people seen and handovers in memory (storage/continuity.py).

Validation and cleaning are storage's own (``storage.continuity``'s pure helpers), so both refuse and cut alike.
``FakeHandoverRepository`` works on the reminders and indicators of the other fakes, and keeps the groups' welcome
flags (a column of ``chats`` in storage, shown by no ``Chat`` record).
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.domain.continuity import Decision, Evidence, NewDecision, NewEvidence, SeenPerson
from bot.domain.errors import LimitReached
from bot.domain.records import Indicator, Reminder, Scope
from storage._shared import require_aware
from storage.continuity import checked_decision, checked_evidence, checked_people, programme_filter

if TYPE_CHECKING:
    from tests.fakes.memory import Memory


def _of(programme: str | None, wanted: str | None) -> bool:
    return wanted is None or (programme is not None and programme_filter(programme) == programme_filter(wanted))


class _Numbered:
    """What decisions and evidence share: numbers per scope (``continuity_counters``, one kind each)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.counters: dict[Scope, int] = {}

    def _next(self, scope: Scope) -> int:
        return self.counters.get(scope, 0) + 1

    def _rescope_counter(self, old: Scope, new: Scope, what: str) -> None:
        if old in self.counters and new in self.counters:  # storage: continuity_counters' primary key
            raise ValueError(f"scope {new} has {what} of its own; {old}'s cannot move there")
        if old in self.counters:
            self.counters[new] = self.counters.pop(old)

    def _forget_counter(self, scope: Scope) -> int:
        return 1 if self.counters.pop(scope, None) is not None else 0


class FakeDecisionRepository(_Numbered):
    def __init__(self, memory: Memory) -> None:
        super().__init__(memory)
        self.rows: dict[int, Decision] = {}

    async def add(self, new: NewDecision, *, kept_max: int) -> Decision:
        new, _key = checked_decision(new)
        number = self._next(new.scope)
        if sum(1 for d in self.rows.values() if d.scope == new.scope) >= kept_max:
            raise LimitReached(kept_max)
        self.counters[new.scope] = number
        decision = Decision(
            id=self.memory.next_id("decisions"),
            scope=new.scope,
            number=number,
            chat_id=new.chat_id,
            user_id=new.user_id,
            by=new.by,
            city=new.city,
            text=new.text,
            language=new.language,
            programme=new.programme,
            message_id=new.message_id,
            created_at=self.memory.now().astimezone(UTC),
        )
        self.rows[decision.id] = decision
        return decision

    async def numbered(self, scope: Scope, number: int) -> Decision | None:
        return next((d for d in self.rows.values() if d.scope == scope and d.number == number), None)

    def _found(self, scope: Scope, programme: str | None, since: datetime | None) -> builtins.list[Decision]:
        require_aware(since, "since")
        found = [
            d
            for d in self.rows.values()
            if d.scope == scope and _of(d.programme, programme) and (since is None or d.created_at >= since)
        ]
        return sorted(found, key=lambda d: (d.created_at, d.number), reverse=True)

    async def page(
        self,
        scope: Scope,
        *,
        programme: str | None = None,
        since: datetime | None = None,
        offset: int = 0,
        limit: int,
    ) -> builtins.list[Decision]:
        found = self._found(scope, programme, since)
        return found[max(0, offset) : max(0, offset) + limit] if limit > 0 else []

    async def count(self, scope: Scope, *, programme: str | None = None, since: datetime | None = None) -> int:
        return len(self._found(scope, programme, since))

    # ---- what storage/chatdata.py does to this table -----------------------------------------------------------
    def _move_chat(self, old: int, new: int) -> None:
        for decision in [d for d in self.rows.values() if d.chat_id == old]:
            self.rows[decision.id] = replace(decision, chat_id=new)

    def _rescope(self, old: Scope, new: Scope) -> None:
        if old == new:
            return
        self._rescope_counter(old, new, "decisions")
        for decision in [d for d in self.rows.values() if d.scope == old]:
            self.rows[decision.id] = replace(decision, scope=new)

    def _delete(self, ids: Collection[int]) -> int:
        for decision_id in ids:
            del self.rows[decision_id]
        return len(ids)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        return {"decisions": self._delete([d.id for d in self.rows.values() if d.chat_id == chat_id])}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        deleted = self._delete([d.id for d in self.rows.values() if d.scope == scope])
        return {"decisions": deleted, "continuity_counters": self._forget_counter(scope)}


class FakeEvidenceRepository(_Numbered):
    def __init__(self, memory: Memory) -> None:
        super().__init__(memory)
        self.rows: dict[int, Evidence] = {}

    async def add(self, new: NewEvidence, *, kept_max: int) -> tuple[Evidence, bool]:
        new, _key = checked_evidence(new)
        stored = next(
            (e for e in self.rows.values() if (e.chat_id, e.message_id) == (new.chat_id, new.message_id)), None
        )
        if stored is not None:
            return stored, False
        number = self._next(new.scope)
        if sum(1 for e in self.rows.values() if e.scope == new.scope) >= kept_max:
            raise LimitReached(kept_max)
        self.counters[new.scope] = number
        evidence = Evidence(
            id=self.memory.next_id("evidence"),
            scope=new.scope,
            number=number,
            chat_id=new.chat_id,
            message_id=new.message_id,
            user_id=new.user_id,
            by=new.by,
            city=new.city,
            kind=new.kind,
            file_id=new.file_id,
            file_unique_id=new.file_unique_id,
            programme=new.programme,
            language=new.language,
            file_name=new.file_name,
            file_size=new.file_size,
            caption=new.caption,
            note=new.note,
            created_at=self.memory.now().astimezone(UTC),
        )
        self.rows[evidence.id] = evidence
        return evidence, True

    async def numbered(self, scope: Scope, number: int) -> Evidence | None:
        return next((e for e in self.rows.values() if e.scope == scope and e.number == number), None)

    def _found(self, scope: Scope, programme: str | None) -> builtins.list[Evidence]:
        found = [e for e in self.rows.values() if e.scope == scope and _of(e.programme, programme)]
        return sorted(found, key=lambda e: (e.created_at, e.number), reverse=True)

    async def page(
        self, scope: Scope, *, programme: str | None = None, offset: int = 0, limit: int
    ) -> builtins.list[Evidence]:
        found = self._found(scope, programme)
        return found[max(0, offset) : max(0, offset) + limit] if limit > 0 else []

    async def count(self, scope: Scope, *, programme: str | None = None) -> int:
        return len(self._found(scope, programme))

    async def counts(
        self, scope: Scope, *, start: datetime | None = None, end: datetime | None = None
    ) -> dict[str, int]:
        require_aware(start, "start")
        require_aware(end, "end")
        counted: dict[str, int] = {}
        for e in self.rows.values():
            if e.scope == scope and (start is None or e.created_at >= start) and (end is None or e.created_at < end):
                counted[e.programme] = counted.get(e.programme, 0) + 1
        return dict(sorted(counted.items()))

    # ---- what storage/chatdata.py does to this table -----------------------------------------------------------
    def _move_chat(self, old: int, new: int) -> None:
        taken = {e.message_id for e in self.rows.values() if e.chat_id == new}
        for e in [e for e in self.rows.values() if e.chat_id == old]:
            message_id = -e.message_id if e.message_id in taken else e.message_id
            self.rows[e.id] = replace(e, chat_id=new, message_id=message_id)

    def _rescope(self, old: Scope, new: Scope) -> None:
        if old == new:
            return
        self._rescope_counter(old, new, "evidence")
        for e in [e for e in self.rows.values() if e.scope == old]:
            self.rows[e.id] = replace(e, scope=new)

    def _delete(self, ids: Collection[int]) -> int:
        for evidence_id in ids:
            del self.rows[evidence_id]
        return len(ids)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        return {"evidence": self._delete([e.id for e in self.rows.values() if e.chat_id == chat_id])}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        deleted = self._delete([e.id for e in self.rows.values() if e.scope == scope])
        return {"evidence": deleted, "continuity_counters": self._forget_counter(scope)}


class FakeRosterRepository:
    """``rows``: (chat id, user id) → ``SeenPerson`` (its instant in UTC, as storage reads it back)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[tuple[int, int], SeenPerson] = {}

    def _remember(self, person: SeenPerson) -> None:
        key = (person.chat_id, person.user_id)
        kept = self.rows.get(key)
        if kept is None or person.seen_at >= kept.seen_at:
            self.rows[key] = person

    async def seen_many(self, people: Sequence[SeenPerson]) -> None:
        for person in checked_people(people):
            self._remember(replace(person, seen_at=person.seen_at.astimezone(UTC)))

    async def get(self, chat_id: int, user_id: int) -> SeenPerson | None:
        return self.rows.get((chat_id, user_id))

    async def recent(
        self, chat_ids: Collection[int], *, since: datetime | None = None, limit: int
    ) -> builtins.list[SeenPerson]:
        require_aware(since, "since")
        ids = set(chat_ids)
        found = [p for p in self.rows.values() if p.chat_id in ids and (since is None or p.seen_at >= since)]
        found.sort(key=lambda p: (-p.seen_at.timestamp(), p.user_id, p.chat_id))
        return found[:limit] if limit > 0 else []

    async def chats_of(self, user_id: int) -> builtins.list[int]:
        mine = [p for p in self.rows.values() if p.user_id == user_id]
        return [p.chat_id for p in sorted(mine, key=lambda p: (-p.seen_at.timestamp(), p.chat_id))]

    async def gone(self, chat_id: int, user_id: int) -> None:
        self.rows.pop((chat_id, user_id), None)

    async def purge(self, before: datetime) -> int:
        require_aware(before, "before")
        old = [key for key, p in self.rows.items() if p.seen_at < before]
        for key in old:
            del self.rows[key]
        return len(old)

    # ---- what storage/chatdata.py does to this table -----------------------------------------------------------
    def _move_chat(self, old: int, new: int) -> None:
        for key in sorted(k for k in self.rows if k[0] == old):
            self._remember(replace(self.rows.pop(key), chat_id=new))

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        gone = [key for key in self.rows if key[0] == chat_id]
        for key in gone:
            del self.rows[key]
        return {"people_seen": len(gone)}


class FakeHandoverRepository:
    """``flags``: chat id → welcome (storage: ``chats.welcome``, false unless set)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.flags: dict[int, bool] = {}

    def _reminders(self, scope: Scope, user_id: int, states: Collection[str]) -> builtins.list[Reminder]:
        return [
            r
            for r in self.memory.reminders.rows.values()
            if r.scope == scope and r.number is not None and r.created_by == user_id and r.state in states
        ]

    async def reminders_of(self, scope: Scope, user_id: int) -> builtins.list[Reminder]:
        first: dict[int, Reminder] = {}  # number → its row due first
        for reminder in sorted(self._reminders(scope, user_id, ("pending",)), key=lambda r: (r.due_at, r.id)):
            assert reminder.number is not None
            first.setdefault(reminder.number, reminder)
        return [first[number] for number in sorted(first)]

    async def reassign_reminders(self, scope: Scope, old: int, new: int) -> int:
        rows = self.memory.reminders.rows
        moved = self._reminders(scope, old, ("pending", "claimed"))
        for reminder in moved:
            rows[reminder.id] = replace(reminder, created_by=new)
        return len({r.number for r in moved})

    async def indicators_of(self, scope: Scope, user_id: int) -> builtins.list[Indicator]:
        indicators = self.memory.indicators
        mine = [row for row in indicators.rows.values() if row.scope == scope and row.created_by == user_id]
        return await indicators._records(mine)

    async def reassign_indicators(self, scope: Scope, old: int, new: int) -> int:
        rows = self.memory.indicators.rows
        moved = [row for row in rows.values() if row.scope == scope and row.created_by == old]
        for row in moved:
            rows[row.id] = replace(row, created_by=new)
        return len(moved)

    async def welcome(self, chat_id: int) -> bool:
        return self.flags.get(chat_id, False) and self.memory.chats.known(chat_id)

    async def set_welcome(self, chat_id: int, on: bool) -> None:
        self.memory.chats._write(chat_id)  # LookupError for a chat not known; its row is updated (updated_at)
        self.flags[chat_id] = bool(on)

    # ---- what storage/chatdata.py does to the column -----------------------------------------------------------
    def _move_chat(self, old: int, new: int) -> None:
        self.flags[new] = self.flags.get(old, False)  # the new id takes the old one's settings

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        self.flags.pop(chat_id, None)
        return {}

    def _chats_deleted(self, chat_ids: set[int]) -> None:
        for chat_id in chat_ids:
            self.flags.pop(chat_id, None)
