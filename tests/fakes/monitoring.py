"""Indicators, events, activity counts and reports in memory (storage/monitoring.py).

The validation and cleaning are storage's own (``storage.monitoring``'s pure helpers), so both refuse and cut
alike. Instants come back in UTC, as storage reads them back.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from bot.domain.errors import LimitReached
from bot.domain.records import ActivityDay, Event, Indicator, IndicatorUpdate, NewEvent, Programme, Scope, StoredReport
from bot.domain.rules import EVENT_DETAIL_MAX, PROGRAMME_NAME_MAX, REPORTS_KEPT
from storage._shared import checked_scope, require_aware
from storage.actions import programme_key
from storage.monitoring import (
    MAX_NAME_LENGTH,
    _cut,
    _day,
    _ids,
    _indicator_ids,
    _kinds,
    below_zero,
    checked_counts,
    checked_indicator,
    checked_report,
    checked_update,
    indicator_key,
    undo_note,
)

if TYPE_CHECKING:
    from tests.fakes.memory import Memory


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class StoredIndicator:
    """An indicator as stored (table ``indicators``): its programme's name is read from the programmes."""

    id: int
    scope: Scope
    programme_id: int
    name: str
    name_key: str
    target: float
    period: str
    by_date: datetime | None
    created_by: int | None
    created_at: datetime

    def record(self, programme: str) -> Indicator:
        return Indicator(
            id=self.id,
            scope=self.scope,
            programme_id=self.programme_id,
            programme=programme,
            name=self.name,
            target=self.target,
            period=self.period,
            by_date=self.by_date,
            created_by=self.created_by,
            created_at=self.created_at,
        )


class FakeIndicatorRepository:
    """Indicators and their updates.

    ``rows``: indicator id → ``StoredIndicator``; ``kept``: every ``IndicatorUpdate``, in recording order (ids
    rising). An indicator's programme (that it is the scope's, its current name) is asked of
    ``memory.programmes``.
    """

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, StoredIndicator] = {}
        self.kept: builtins.list[IndicatorUpdate] = []

    async def _programmes(self, scope: Scope) -> dict[int, Programme]:
        return {programme.id: programme for programme in await self.memory.programmes.list(scope)}

    async def _records(self, rows: Collection[StoredIndicator]) -> builtins.list[Indicator]:
        """The rows as records, by programme name and then name regardless of case (as storage's join, which
        leaves out a row whose programme is not found)."""
        programmes: dict[Scope, dict[int, Programme]] = {}
        found: builtins.list[tuple[str, str, Indicator]] = []
        for row in rows:
            if row.scope not in programmes:
                programmes[row.scope] = await self._programmes(row.scope)
            programme = programmes[row.scope].get(row.programme_id)
            if programme is not None:
                found.append((programme_key(programme.name), row.name_key, row.record(programme.name)))
        return [indicator for _programme, _name, indicator in sorted(found, key=lambda f: (f[0], f[1]))]

    async def add(
        self,
        scope: Scope,
        programme_id: int,
        name: str,
        target: float,
        period: str,
        by_date: datetime | None,
        created_by: int | None,
    ) -> Indicator:
        scope, shown, target = checked_indicator(scope, name, target, period, by_date)
        key = indicator_key(shown)
        if programme_id not in await self._programmes(scope):
            raise LookupError(f"programme {programme_id} is not one of {scope}'s")
        if any(row.programme_id == programme_id and row.name_key == key for row in self.rows.values()):
            raise ValueError("exists")
        row = StoredIndicator(
            id=self.memory.next_id("indicators"),
            scope=scope,
            programme_id=programme_id,
            name=shown,
            name_key=key,
            target=target,
            period=period,
            by_date=None if by_date is None else _utc(by_date),
            created_by=created_by,
            created_at=_utc(self.memory.now()),
        )
        self.rows[row.id] = row
        return (await self._records([row]))[0]

    async def get(self, scope: Scope, programme_id: int, name: str) -> Indicator | None:
        try:
            key = indicator_key(name)
        except ValueError:
            return None
        found = await self._records(
            [
                row
                for row in self.rows.values()
                if row.scope == scope and row.programme_id == programme_id and row.name_key == key
            ]
        )
        return found[0] if found else None

    async def list(self, scope: Scope, programme_id: int | None = None) -> builtins.list[Indicator]:
        return await self._records(
            [
                row
                for row in self.rows.values()
                if row.scope == scope and (programme_id is None or row.programme_id == programme_id)
            ]
        )

    async def count(self, scope: Scope) -> int:
        return sum(1 for row in self.rows.values() if row.scope == scope)

    async def record(
        self,
        indicator_id: int,
        *,
        change: float | None = None,
        value: float | None = None,
        at: datetime,
        user_id: int | None,
        by: str,
        chat_id: int,
        city: str,
        note: str | None,
        non_negative: bool = False,
    ) -> IndicatorUpdate:
        given, cleaned_note = checked_update(change, value, at, note)
        if indicator_id not in self.rows:
            raise LookupError(f"indicator {indicator_id} is not known")
        last = next((u.value_after for u in reversed(self.kept) if u.indicator_id == indicator_id), 0.0)
        delta, after = (given, last + given) if change is not None else (given - last, given)
        if non_negative and below_zero(last, after):
            raise LimitReached(0)
        update = IndicatorUpdate(
            id=self.memory.next_id("indicator_updates"),
            indicator_id=indicator_id,
            at=_utc(at),
            change=delta,
            value_after=after,
            user_id=user_id,
            by=_cut(by, MAX_NAME_LENGTH),
            chat_id=chat_id,
            city=_cut(city, MAX_NAME_LENGTH),
            note=cleaned_note,
        )
        self.kept.append(update)
        return replace(update, at=at)  # as storage: the instant as given (read back later in UTC)

    async def undo(
        self, indicator_id: int, *, at: datetime, user_id: int | None, by: str, chat_id: int, city: str
    ) -> tuple[IndicatorUpdate, IndicatorUpdate] | None:
        require_aware(at, "at")
        if indicator_id not in self.rows:
            raise LookupError(f"indicator {indicator_id} is not known")
        undone = next((u for u in reversed(self.kept) if u.indicator_id == indicator_id), None)
        if undone is None:
            return None
        update = IndicatorUpdate(
            id=self.memory.next_id("indicator_updates"),
            indicator_id=indicator_id,
            at=_utc(at),
            change=-undone.change,
            value_after=undone.value_after - undone.change,
            user_id=user_id,
            by=_cut(by, MAX_NAME_LENGTH),
            chat_id=chat_id,
            city=_cut(city, MAX_NAME_LENGTH),
            note=undo_note(undone),
        )
        self.kept.append(update)
        return undone, replace(update, at=at)  # as storage: the new one's instant as given

    async def updates(
        self, indicator_ids: Sequence[int], until: datetime | None = None, *, limit: int | None = None
    ) -> builtins.list[IndicatorUpdate]:
        ids = set(_indicator_ids(indicator_ids))
        require_aware(until, "until")
        if limit is not None and limit <= 0:
            return []
        found = sorted(
            (u for u in self.kept if u.indicator_id in ids and (until is None or u.at < until)),
            key=lambda u: (u.at, u.id),
        )
        return found if limit is None else found[:limit]

    async def update_count(self, indicator_ids: Sequence[int]) -> int:
        ids = set(_indicator_ids(indicator_ids))
        return sum(1 for u in self.kept if u.indicator_id in ids)

    async def change_sums(self, indicator_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, float]:
        ids = _indicator_ids(indicator_ids)
        require_aware(start, "start")
        require_aware(end, "end")
        found = dict.fromkeys(ids, 0.0)
        for u in sorted(self.kept, key=lambda u: (u.at, u.id)):
            if u.indicator_id in found and start <= u.at < end:
                found[u.indicator_id] += u.change
        return found

    async def values_at(self, indicator_ids: Sequence[int], at: datetime) -> dict[int, float]:
        ids = _indicator_ids(indicator_ids)
        require_aware(at, "at")
        found = dict.fromkeys(ids, 0.0)
        for u in sorted(self.kept, key=lambda u: (u.at, u.id)):  # the last at or before ``at`` wins
            if u.indicator_id in found and u.indicator_id in self.rows and u.at <= at:
                found[u.indicator_id] = u.value_after
        return found

    # -- what moving and forgetting a group, and deleting a programme, do here ---------------------------

    def _delete(self, indicator_ids: set[int]) -> None:
        for indicator_id in indicator_ids:
            del self.rows[indicator_id]
        self.memory.cascade("_indicators_deleted", indicator_ids)

    def _move_chat(self, old: int, new: int) -> None:
        self.kept = [replace(u, chat_id=new) if u.chat_id == old else u for u in self.kept]

    def _rescope(self, old: Scope, new: Scope) -> None:
        for indicator_id, row in self.rows.items():
            if row.scope == old:
                self.rows[indicator_id] = replace(row, scope=new)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        # The bridge's history keeps what the group did, not who did it nor what was written (not counted as
        # deleted); its city only where it is the group's city as set.
        chat = self.memory.chats.rows.get(chat_id)
        city = chat.city if chat is not None and chat.city else None
        self.kept = [
            replace(u, by="", user_id=None, note=None, city=u.city if u.city == city else "")
            if u.chat_id == chat_id
            else u
            for u in self.kept
        ]
        return {}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        # Storage deletes the scope's programmes first: their indicators go by the foreign key's cascade, so
        # its DELETE of the scope's indicators finds none left to count.
        self._delete({indicator_id for indicator_id, row in self.rows.items() if row.scope == scope})
        return {}

    def _programmes_deleted(self, programme_ids: set[int]) -> None:
        self._delete({indicator_id for indicator_id, row in self.rows.items() if row.programme_id in programme_ids})

    def _indicators_deleted(self, indicator_ids: set[int]) -> None:
        self.kept = [u for u in self.kept if u.indicator_id not in indicator_ids]


class FakeEventRepository:
    """The history of the scopes' action items and indicators.

    ``rows``: every stored ``Event``, in the order kept (ids rising); the actions fake reads it for
    ``ActionRepository.overview``'s ``last_event_at`` (what :meth:`last_at` answers).
    """

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: builtins.list[Event] = []

    async def add(self, event: NewEvent) -> None:
        scope = checked_scope(event.scope)
        _kinds([event.kind])
        require_aware(event.at, "at")
        detail = None if event.detail is None else event.detail.strip() or None
        self.rows.append(
            Event(
                id=self.memory.next_id("events"),
                scope=scope,
                at=_utc(event.at),
                kind=event.kind,
                chat_id=event.chat_id,
                by=_cut(event.by, MAX_NAME_LENGTH),
                city=_cut(event.city, MAX_NAME_LENGTH),
                item_number=event.item_number,
                indicator_id=event.indicator_id,
                programme=None if event.programme is None else _cut(event.programme, PROGRAMME_NAME_MAX),
                user_id=event.user_id,
                detail=None if detail is None else _cut(detail, EVENT_DETAIL_MAX),
            )
        )

    async def between(
        self, scope: Scope, start: datetime, end: datetime, kinds: Collection[str] | None = None
    ) -> builtins.list[Event]:
        require_aware(start, "start")
        require_aware(end, "end")
        wanted = None if kinds is None else set(_kinds(kinds))
        if start >= end:
            return []
        found = [
            e for e in self.rows if e.scope == scope and start <= e.at < end and (wanted is None or e.kind in wanted)
        ]
        return sorted(found, key=lambda e: (e.at, e.id))

    async def last_at(self, scope: Scope, kinds: Collection[str] | None = None) -> datetime | None:
        """When the scope's last event (of these kinds; None: any) happened; None if it has none."""
        wanted = None if kinds is None else set(_kinds(kinds))
        return max((e.at for e in self.rows if e.scope == scope and (wanted is None or e.kind in wanted)), default=None)

    # -- what moving and forgetting a group does here ----------------------------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        self.rows = [replace(e, chat_id=new) if e.chat_id == old else e for e in self.rows]

    def _rescope(self, old: Scope, new: Scope) -> None:
        self.rows = [replace(e, scope=new) if e.scope == old else e for e in self.rows]

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        # The bridge's history keeps what the group did, not who did it nor what was written (not counted as
        # deleted); its city only where it is the group's city as set. (The chat data fake clears the detail
        # of every group's events about the items the group created.)
        chat = self.memory.chats.rows.get(chat_id)
        city = chat.city if chat is not None and chat.city else None
        self.rows = [
            replace(e, by="", user_id=None, detail=None, city=e.city if e.city == city else "")
            if e.chat_id == chat_id
            else e
            for e in self.rows
        ]
        return {}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        kept = [e for e in self.rows if e.scope != scope]
        deleted, self.rows = len(self.rows) - len(kept), kept
        return {"events": deleted} if deleted else {}


class FakeActivityRepository:
    """Messages relayed per group and (the group's own) day. ``rows``: (chat id, day) → ``ActivityDay``."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[tuple[int, date], ActivityDay] = {}

    async def count(self, chat_id: int, day: date, *, sent: int = 0, received: int = 0) -> None:
        await self.count_many({(chat_id, day): (sent, received)})

    async def count_many(self, counts: Mapping[tuple[int, date], tuple[int, int]]) -> None:
        for (chat_id, day), (sent, received) in checked_counts(counts):  # all checked first: all are written
            self._add(ActivityDay(chat_id=chat_id, day=day, sent=sent, received=received))

    def _add(self, add: ActivityDay) -> None:
        key = (add.chat_id, add.day)
        stored = self.rows.get(key)
        self.rows[key] = (
            add
            if stored is None
            else replace(stored, sent=stored.sent + add.sent, received=stored.received + add.received)
        )

    async def between(self, chat_ids: Collection[int], start: date, end: date) -> builtins.list[ActivityDay]:
        ids = set(_ids(chat_ids))
        _day(start)
        _day(end)
        found = [d for d in self.rows.values() if d.chat_id in ids and start <= d.day < end]
        return sorted(found, key=lambda d: (d.day, d.chat_id))

    async def last_exchange(
        self, chat_ids: Collection[int], *, sent: bool = False, before: date | None = None
    ) -> date | None:
        ids = set(_ids(chat_ids))
        if before is not None:
            _day(before)
        return max(
            (
                d.day
                for d in self.rows.values()
                if d.chat_id in ids and (d.received > 0 or (sent and d.sent > 0)) and (before is None or d.day < before)
            ),
            default=None,
        )

    # -- what moving and forgetting a group does here ----------------------------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        """The old id's days go to the new id, added to the new id's where it has the same day."""
        for (chat_id, day), moved in sorted(self.rows.items()):
            if chat_id == old:
                del self.rows[(chat_id, day)]
                self._add(replace(moved, chat_id=new))

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        gone = [key for key in self.rows if key[0] == chat_id]
        for key in gone:
            del self.rows[key]
        return {"activity_days": len(gone)} if gone else {}


class FakeReportRepository:
    """Reports sent, numbered per chat. ``rows``: every ``StoredReport``, in the order kept (ids rising)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: builtins.list[StoredReport] = []

    async def add(
        self,
        scope: Scope,
        chat_id: int,
        kind: str,
        start: datetime,
        end: datetime,
        summary: str,
        language: str,
        created_at: datetime,
    ) -> StoredReport:
        scope, cleaned_language = checked_report(scope, kind, start, end, summary, language, created_at)
        report = StoredReport(
            id=self.memory.next_id("reports"),
            scope=scope,
            chat_id=chat_id,
            number=self._highest(chat_id) + 1,
            kind=kind,
            start=_utc(start),
            end=_utc(end),
            created_at=_utc(created_at),
            language=cleaned_language,
            summary=summary,
        )
        self.rows.append(report)
        self.rows = [r for r in self.rows if r.chat_id != chat_id or r.number > report.number - REPORTS_KEPT]
        return report

    def _highest(self, chat_id: int) -> int:
        return max((r.number for r in self.rows if r.chat_id == chat_id), default=0)

    async def recent(self, chat_id: int, limit: int = 10) -> builtins.list[StoredReport]:
        if limit <= 0:
            return []
        return sorted((r for r in self.rows if r.chat_id == chat_id), key=lambda r: r.number, reverse=True)[:limit]

    async def count(self, chat_id: int) -> int:
        return sum(1 for r in self.rows if r.chat_id == chat_id)

    async def numbered(self, chat_id: int, number: int) -> StoredReport | None:
        return next((r for r in self.rows if r.chat_id == chat_id and r.number == number), None)

    # -- what moving and forgetting a group does here ----------------------------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        """The old id's reports go to the new id, numbered after any it has already."""
        offset = self._highest(new)
        self.rows = [replace(r, chat_id=new, number=r.number + offset) if r.chat_id == old else r for r in self.rows]

    def _rescope(self, old: Scope, new: Scope) -> None:
        self.rows = [replace(r, scope=new) if r.scope == old else r for r in self.rows]

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        kept = [r for r in self.rows if r.chat_id != chat_id]
        deleted, self.rows = len(self.rows) - len(kept), kept
        return {"reports": deleted} if deleted else {}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        kept = [r for r in self.rows if r.scope != scope]
        deleted, self.rows = len(self.rows) - len(kept), kept
        return {"reports": deleted} if deleted else {}
