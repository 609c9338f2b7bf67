"""Monitoring and evaluation: indicators of programmes and their updates, the history of a scope's action
items and indicators (events), messages relayed per group and day (activity_days), and the reports sent.

Instants are aware datetimes (stored in UTC); a day of activity is the group's own local date (the caller's
choice). Each read for a report is one query per table, however many rows it returns.

Concurrency: an indicator update locks its indicator first (PostgreSQL: ``SELECT … FOR UPDATE``; SQLite: a
touching UPDATE takes the database's write lock before anything is read), so concurrent updates of one
indicator each build on the one before. Activity counts are one ``INSERT … ON CONFLICT DO UPDATE`` that adds
to the stored counts. A report's number is the chat's highest plus one, computed inside its INSERT, with
the chat's row locked on PostgreSQL (and the INSERT run again should two still collide).
"""

from __future__ import annotations

import builtins
import math
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from bot.domain.errors import LimitReached
from bot.domain.records import ActivityDay, Event, Indicator, IndicatorUpdate, NewEvent, Scope, StoredReport
from bot.domain.rules import (
    EVENT_DETAIL_MAX,
    INDICATOR_NAME_MAX,
    INDICATOR_NOTE_MAX,
    PROGRAMME_NAME_MAX,
    REPORT_SUMMARY_MAX,
    REPORTS_KEPT,
)
from storage._shared import checked_scope, is_retryable, read_rows, require_aware, rowcount, upsert
from storage.db import Database
from storage.models import (
    ActivityDayRow,
    ChatRow,
    EventRow,
    IndicatorRow,
    IndicatorUpdateRow,
    ProgrammeRow,
    ReportRow,
    utcnow,
)

PERIODS = ("year", "quarter", "by")
EVENT_KINDS = (
    *("created", "assigned", "due", "done", "reopened", "dropped", "renamed", "indicator"),
    *("decision", "evidence"),  # a decision recorded, evidence recorded (bot/features/decisions.py, evidence.py)
)
REPORT_KINDS = ("manual", "monthly", "quarterly")
MAX_NAME_LENGTH = 128  # a person's name and a city, as shown (longer ones are cut)
MAX_REPORT_LANGUAGE_LENGTH = 8

_SPACES = re.compile(r"\s+")
# How often a transaction is run again after a PostgreSQL deadlock or serialization failure, or (a report)
# a number taken meanwhile by a concurrent one.
_ATTEMPTS = 20


def indicator_key(name: str) -> str:
    """The identity of an indicator name within its programme (raises ValueError for an invalid name)."""
    shown = _indicator_name(name)
    key = shown.casefold()
    if len(key) > INDICATOR_NAME_MAX:
        raise ValueError(f"an indicator name is 1 to {INDICATOR_NAME_MAX} characters: {name!r}")
    return key


class IndicatorRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

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
        """A new indicator of the scope's programme.

        ValueError("exists") when the programme has one of that name in any case; ValueError for an invalid
        name, a target that is not a positive number, a period not in ``PERIODS``, or a ``by_date`` missing
        for period 'by' (or given for another); LookupError when the programme is not the scope's.
        """
        scope, shown, target = checked_indicator(scope, name, target, period, by_date)
        key = indicator_key(shown)
        statement = (
            upsert(self.db, IndicatorRow)
            .values(
                scope=scope,
                programme_id=programme_id,
                name=shown,
                name_key=key,
                target=target,
                period=period,
                by_date=by_date,
                created_by=created_by,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["programme_id", "name_key"])
            .returning(IndicatorRow.id)
        )
        async with self.db.session() as session:
            found = await session.scalar(select(ProgrammeRow.scope).where(ProgrammeRow.id == programme_id))
            if found != scope:
                raise LookupError(f"programme {programme_id} is not one of {scope}'s")
            new_id = await session.scalar(statement)
            if new_id is None:
                raise ValueError("exists")
            return (await _indicators(session, IndicatorRow.id == new_id))[0]

    async def get(self, scope: Scope, programme_id: int, name: str) -> Indicator | None:
        """The programme's indicator of that name in any case; None if there is none."""
        try:
            key = indicator_key(name)
        except ValueError:
            return None
        async with self.db.session() as session:
            found = await _indicators(
                session,
                IndicatorRow.scope == scope,
                IndicatorRow.programme_id == programme_id,
                IndicatorRow.name_key == key,
            )
            return found[0] if found else None

    async def list(self, scope: Scope, programme_id: int | None = None) -> builtins.list[Indicator]:
        """The scope's indicators (of one programme), by programme name and then name, regardless of case."""
        conditions = [IndicatorRow.scope == scope]
        if programme_id is not None:
            conditions.append(IndicatorRow.programme_id == programme_id)
        async with self.db.session() as session:
            return await _indicators(session, *conditions)

    async def count(self, scope: Scope) -> int:
        async with self.db.session() as session:
            found = await session.scalar(
                select(func.count()).select_from(IndicatorRow).where(IndicatorRow.scope == scope)
            )
            return int(found or 0)

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
        """Record a change of the indicator (``change``: added to its value) or its new ``value``.

        The value before is that of the last update recorded (0 before the first); the update stores both
        the change and the value after it. ``by`` and ``city`` are cut to 128 characters. ValueError unless
        exactly one of ``change`` and ``value`` is given (a finite number), for a naive ``at`` or a note
        over 300 characters (``INDICATOR_NOTE_MAX``); LookupError when the indicator is not known. With
        ``non_negative`` (a total of things counted), an update that would lower the value below 0 is not
        recorded: ``LimitReached(0)``, decided on the value read under the indicator's lock.
        """
        given, cleaned_note = checked_update(change, value, at, note)
        for attempt in range(_ATTEMPTS):
            try:
                async with self.db.session() as session:
                    await self._lock(session, indicator_id)
                    last = await _last_value(session, indicator_id)
                    delta, after = (given, last + given) if change is not None else (given - last, given)
                    if non_negative and below_zero(last, after):
                        raise LimitReached(0)
                    row = IndicatorUpdateRow(
                        indicator_id=indicator_id,
                        at=at,
                        change=delta,
                        value_after=after,
                        user_id=user_id,
                        by_name=_cut(by, MAX_NAME_LENGTH),
                        chat_id=chat_id,
                        city=_cut(city, MAX_NAME_LENGTH),
                        note=cleaned_note,
                    )
                    session.add(row)
                    await session.flush()
                    return _update(row)
            except IntegrityError:
                raise
            except DBAPIError as exc:
                if not is_retryable(exc) or attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def undo(
        self, indicator_id: int, *, at: datetime, user_id: int | None, by: str, chat_id: int, city: str
    ) -> tuple[IndicatorUpdate, IndicatorUpdate] | None:
        """Undo the indicator's last update (in recording order) by recording its opposite: a change of minus
        its change, so the value goes back to what it was before it. Both stay in the history; the new one's
        note is ``undo_note`` of the one undone. Returns (the update undone, the new one); None when the
        indicator has no update. Under the indicator's lock, as :meth:`record`; ValueError for a naive ``at``,
        LookupError when the indicator is not known."""
        require_aware(at, "at")
        for attempt in range(_ATTEMPTS):
            try:
                async with self.db.session() as session:
                    await self._lock(session, indicator_id)
                    last = await session.scalar(
                        select(IndicatorUpdateRow)
                        .where(IndicatorUpdateRow.indicator_id == indicator_id)
                        .order_by(IndicatorUpdateRow.id.desc())
                        .limit(1)
                    )
                    if last is None:
                        return None
                    undone = _update(last)
                    row = IndicatorUpdateRow(
                        indicator_id=indicator_id,
                        at=at,
                        change=-undone.change,
                        value_after=undone.value_after - undone.change,
                        user_id=user_id,
                        by_name=_cut(by, MAX_NAME_LENGTH),
                        chat_id=chat_id,
                        city=_cut(city, MAX_NAME_LENGTH),
                        note=undo_note(undone),
                    )
                    session.add(row)
                    await session.flush()
                    return undone, _update(row)
            except IntegrityError:
                raise
            except DBAPIError as exc:
                if not is_retryable(exc) or attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def updates(
        self, indicator_ids: Sequence[int], until: datetime | None = None, *, limit: int | None = None
    ) -> builtins.list[IndicatorUpdate]:
        """The updates of these indicators (before ``until``, exclusive), by time and then recording order; the
        first ``limit`` of them when given (read with ``storage._shared.read_rows``: never long on the event
        loop)."""
        ids = _indicator_ids(indicator_ids)
        require_aware(until, "until")
        if not ids or (limit is not None and limit <= 0):
            return []
        statement = select(*IndicatorUpdateRow.__table__.columns).where(IndicatorUpdateRow.indicator_id.in_(ids))
        if until is not None:
            statement = statement.where(IndicatorUpdateRow.at < until)
        statement = statement.order_by(IndicatorUpdateRow.at, IndicatorUpdateRow.id)
        if limit is not None:
            statement = statement.limit(limit)
        return await read_rows(self.db, statement, _update)

    async def update_count(self, indicator_ids: Sequence[int]) -> int:
        """How many updates these indicators have (what :meth:`updates` would return without a limit)."""
        ids = _indicator_ids(indicator_ids)
        if not ids:
            return 0
        statement = select(func.count()).where(IndicatorUpdateRow.indicator_id.in_(ids))
        async with self.db.session() as session:
            return int(await session.scalar(statement) or 0)

    async def change_sums(self, indicator_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, float]:
        """Per indicator, the sum of the changes of its updates from ``start`` (inclusive) to ``end``
        (exclusive); every id asked for is in the answer (0 where it has none). One grouped query: a row per
        indicator, however many updates there are."""
        ids = _indicator_ids(indicator_ids)
        require_aware(start, "start")
        require_aware(end, "end")
        found = dict.fromkeys(ids, 0.0)
        if not ids or start >= end:
            return found
        statement = (
            select(IndicatorUpdateRow.indicator_id, func.sum(IndicatorUpdateRow.change))
            .where(
                IndicatorUpdateRow.indicator_id.in_(ids),
                IndicatorUpdateRow.at >= start,
                IndicatorUpdateRow.at < end,
            )
            .group_by(IndicatorUpdateRow.indicator_id)
        )
        async with self.db.session() as session:
            for indicator_id, total in (await session.execute(statement)).all():
                found[indicator_id] = float(total or 0.0)
        return found

    async def values_at(self, indicator_ids: Sequence[int], at: datetime) -> dict[int, float]:
        """Per indicator, its value after its last update at or before ``at`` (the last by time, then recording
        order); every id asked for is in the answer (0 where it has none by then). One query, a row per
        indicator (each found through the index on (indicator, instant))."""
        ids = _indicator_ids(indicator_ids)
        require_aware(at, "at")
        found = dict.fromkeys(ids, 0.0)
        if not ids:
            return found
        last = (
            select(IndicatorUpdateRow.value_after)
            .where(IndicatorUpdateRow.indicator_id == IndicatorRow.id, IndicatorUpdateRow.at <= at)
            .order_by(IndicatorUpdateRow.at.desc(), IndicatorUpdateRow.id.desc())
            .limit(1)
            .correlate(IndicatorRow)
            .scalar_subquery()
            .label("value_after")
        )
        statement = select(IndicatorRow.id, last).where(IndicatorRow.id.in_(ids))
        async with self.db.session() as session:
            for row in (await session.execute(statement)).mappings():
                if row["value_after"] is not None:
                    found[row["id"]] = float(row["value_after"])
        return found

    async def _lock(self, session: AsyncSession, indicator_id: int) -> None:
        """Lock the indicator's row until the transaction ends; LookupError when there is none."""
        if self.db.engine.dialect.name == "sqlite":
            # A write first: it takes the write lock (waiting its turn) before the last value is read.
            touched = await session.execute(
                update(IndicatorRow)
                .where(IndicatorRow.id == indicator_id)
                .values(id=IndicatorRow.id)
                .execution_options(synchronize_session=False)
            )
            found = rowcount(touched) > 0
        else:
            found = (
                await session.scalar(select(IndicatorRow.id).where(IndicatorRow.id == indicator_id).with_for_update())
            ) is not None
        if not found:
            raise LookupError(f"indicator {indicator_id} is not known")


class EventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, event: NewEvent) -> None:
        """Keep the event; ``by``, ``city`` and ``programme`` are cut to their columns, ``detail`` to 500
        characters. ValueError for an unknown kind or a naive instant."""
        scope = checked_scope(event.scope)
        _kinds([event.kind])
        require_aware(event.at, "at")
        detail = None if event.detail is None else event.detail.strip() or None
        async with self.db.session() as session:
            session.add(
                EventRow(
                    scope=scope,
                    at=event.at,
                    kind=event.kind,
                    item_number=event.item_number,
                    indicator_id=event.indicator_id,
                    programme=None if event.programme is None else _cut(event.programme, PROGRAMME_NAME_MAX),
                    user_id=event.user_id,
                    by_name=_cut(event.by, MAX_NAME_LENGTH),
                    chat_id=event.chat_id,
                    city=_cut(event.city, MAX_NAME_LENGTH),
                    detail=None if detail is None else _cut(detail, EVENT_DETAIL_MAX),
                )
            )

    async def between(
        self, scope: Scope, start: datetime, end: datetime, kinds: Collection[str] | None = None
    ) -> builtins.list[Event]:
        """The scope's events (of these kinds; None: all) from ``start`` (inclusive) to ``end`` (exclusive),
        by time and then the order they were kept in."""
        require_aware(start, "start")
        require_aware(end, "end")
        conditions = [EventRow.scope == scope, EventRow.at >= start, EventRow.at < end]
        if kinds is not None:
            wanted = _kinds(kinds)
            if not wanted:
                return []
            conditions.append(EventRow.kind.in_(wanted))
        if start >= end:
            return []
        statement = select(*EventRow.__table__.columns).where(*conditions).order_by(EventRow.at, EventRow.id)
        return await read_rows(self.db, statement, _event_of)  # a year of a busy bridge: thousands of rows

    async def last_at(self, scope: Scope, kinds: Collection[str] | None = None) -> datetime | None:
        """When the scope's last event (of these kinds; None: any) happened; None if it has none."""
        statement = select(func.max(EventRow.at)).where(EventRow.scope == scope)
        if kinds is not None:
            wanted = _kinds(kinds)
            if not wanted:
                return None
            statement = statement.where(EventRow.kind.in_(wanted))
        async with self.db.session() as session:
            return await session.scalar(statement)


class ActivityRepository:
    """Messages relayed per group and day (the group's own local day: the caller decides which day counts).
    Counts only: no message text is ever stored here."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def count(self, chat_id: int, day: date, *, sent: int = 0, received: int = 0) -> None:
        """Add ``sent`` (relayed out of the group) and ``received`` (relayed into it) to the day's counts."""
        await self.count_many({(chat_id, day): (sent, received)})

    async def count_many(self, counts: Mapping[tuple[int, date], tuple[int, int]]) -> None:
        """Add to the counts of several groups and days — (chat id, day) → (sent, received) — in one statement
        and transaction, however many there are (all are written, or none). ValueError or TypeError for a bad
        count or day, before anything is written."""
        rows = [
            {"chat_id": chat_id, "day": day, "sent": sent, "received": received}
            for (chat_id, day), (sent, received) in checked_counts(counts)
        ]
        if not rows:
            return
        statement = upsert(self.db, ActivityDayRow)
        statement = statement.on_conflict_do_update(
            index_elements=["chat_id", "day"],
            set_={
                "sent": ActivityDayRow.sent + statement.excluded.sent,
                "received": ActivityDayRow.received + statement.excluded.received,
            },
        )
        async with self.db.session() as session:
            # Sorted by (chat, day): concurrent writers on PostgreSQL lock the rows in the same order.
            await session.execute(statement, rows)

    async def between(self, chat_ids: Collection[int], start: date, end: date) -> builtins.list[ActivityDay]:
        """The days of these groups from ``start`` (inclusive) to ``end`` (exclusive), by day and then group."""
        ids = _ids(chat_ids)
        _day(start)
        _day(end)
        if not ids or start >= end:
            return []
        statement = (
            select(ActivityDayRow)
            .where(ActivityDayRow.chat_id.in_(ids), ActivityDayRow.day >= start, ActivityDayRow.day < end)
            .order_by(ActivityDayRow.day, ActivityDayRow.chat_id)
        )
        async with self.db.session() as session:
            return [
                ActivityDay(chat_id=row.chat_id, day=row.day, sent=row.sent, received=row.received)
                for row in (await session.scalars(statement)).all()
            ]

    async def last_exchange(
        self, chat_ids: Collection[int], *, sent: bool = False, before: date | None = None
    ) -> date | None:
        """The last day any of these groups received a relayed message — with ``sent``, or relayed one out —;
        with ``before``, the last such day before it. None if there is none."""
        ids = _ids(chat_ids)
        if before is not None:
            _day(before)
        if not ids:
            return None
        counted = or_(ActivityDayRow.received > 0, ActivityDayRow.sent > 0) if sent else ActivityDayRow.received > 0
        conditions = [ActivityDayRow.chat_id.in_(ids), counted]
        if before is not None:
            conditions.append(ActivityDayRow.day < before)
        statement = select(func.max(ActivityDayRow.day)).where(*conditions)
        async with self.db.session() as session:
            return await session.scalar(statement)


class ReportRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

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
        """Keep a report sent to the chat, numbered next there (1, 2, 3 …); the chat keeps its last
        ``REPORTS_KEPT`` (older ones are forgotten in the same transaction).

        ValueError for an unknown kind, naive instants, a period that does not end after it starts, an
        empty summary or one over 16,000 characters, or an invalid language code.
        """
        scope, cleaned_language = checked_report(scope, kind, start, end, summary, language, created_at)
        following = (
            select(func.coalesce(func.max(ReportRow.number), 0) + 1)
            .where(ReportRow.chat_id == chat_id)
            .scalar_subquery()
        )
        statement = (
            insert(ReportRow)
            .values(
                scope=scope,
                chat_id=chat_id,
                number=following,
                kind=kind,
                period_start=start,
                period_end=end,
                created_at=created_at,
                language=cleaned_language,
                summary=summary,
            )
            .returning(ReportRow.id)
        )
        for attempt in range(_ATTEMPTS):
            try:
                async with self.db.session() as session:
                    if self.db.engine.dialect.name != "sqlite":
                        # Concurrent reports of one chat queue here (NO KEY UPDATE: rows that refer to the
                        # chat can still be added meanwhile). On SQLite the INSERT itself holds the write lock.
                        await session.execute(
                            select(ChatRow.id).where(ChatRow.id == chat_id).with_for_update(key_share=True)
                        )
                    new_id = (await session.execute(statement)).scalar_one()
                    row = await session.get_one(ReportRow, new_id)
                    await session.execute(
                        delete(ReportRow)
                        .where(ReportRow.chat_id == chat_id, ReportRow.number <= row.number - REPORTS_KEPT)
                        .execution_options(synchronize_session=False)
                    )
                    return _report(row)
            except DBAPIError as exc:
                # A number taken by a concurrent report (an unknown chat has no row to queue on), or a deadlock.
                retry = isinstance(exc, IntegrityError) or is_retryable(exc)
                if not retry or attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def recent(self, chat_id: int, limit: int = 10) -> builtins.list[StoredReport]:
        """The chat's last reports, newest first."""
        if limit <= 0:
            return []
        statement = select(ReportRow).where(ReportRow.chat_id == chat_id).order_by(ReportRow.number.desc()).limit(limit)
        async with self.db.session() as session:
            return [_report(row) for row in (await session.scalars(statement)).all()]

    async def count(self, chat_id: int) -> int:
        """How many reports the chat keeps."""
        async with self.db.session() as session:
            return int(await session.scalar(select(func.count()).where(ReportRow.chat_id == chat_id)) or 0)

    async def numbered(self, chat_id: int, number: int) -> StoredReport | None:
        """The chat's report #``number``; None if there is none."""
        async with self.db.session() as session:
            row = await session.scalar(
                select(ReportRow).where(ReportRow.chat_id == chat_id, ReportRow.number == number)
            )
            return _report(row) if row is not None else None


# -- what may be stored (the repositories in memory of the unit tests check with the same functions) --------


def checked_indicator(
    scope: Scope, name: str, target: float, period: str, by_date: datetime | None
) -> tuple[Scope, str, float]:
    """The scope, the name as shown and the target of a valid new indicator; ValueError otherwise."""
    scope = checked_scope(scope)
    shown = _indicator_name(name)
    target = _number(target, "target")
    if target <= 0:
        raise ValueError("an indicator's target is a positive number")
    if period not in PERIODS:
        raise ValueError(f"unknown indicator period {period!r}; one of {', '.join(PERIODS)}")
    require_aware(by_date, "by_date")
    if (period == "by") != (by_date is not None):
        raise ValueError("a 'by' indicator needs its date, and only it has one")
    return scope, shown, target


def checked_update(
    change: float | None, value: float | None, at: datetime, note: str | None
) -> tuple[float, str | None]:
    """The number given (a change or a value) and the note as kept, of a valid indicator update."""
    if (change is None) == (value is None):
        raise ValueError("give exactly one of change and value")
    given = _number(change if change is not None else value, "change" if change is not None else "value")
    require_aware(at, "at")
    cleaned_note = None if note is None else note.strip() or None
    if cleaned_note is not None and len(cleaned_note) > INDICATOR_NOTE_MAX:
        raise ValueError(f"a note is at most {INDICATOR_NOTE_MAX} characters")
    return given, cleaned_note


def checked_counts(
    counts: Mapping[tuple[int, date], tuple[int, int]],
) -> builtins.list[tuple[tuple[int, date], tuple[int, int]]]:
    """The counts worth writing (not both 0), by (chat, day); ValueError or TypeError for a bad one, before
    anything is written."""
    kept: builtins.list[tuple[tuple[int, date], tuple[int, int]]] = []
    for (chat_id, day), (sent, received) in sorted(counts.items()):
        _day(day)
        for what, amount in (("sent", sent), ("received", received)):
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                raise ValueError(f"{what} is a count (an int, 0 or more)")
        if sent or received:
            kept.append(((chat_id, day), (sent, received)))
    return kept


def checked_report(
    scope: Scope, kind: str, start: datetime, end: datetime, summary: str, language: str, created_at: datetime
) -> tuple[Scope, str]:
    """The scope and the language code of a valid report to keep; ValueError otherwise."""
    scope = checked_scope(scope)
    if kind not in REPORT_KINDS:
        raise ValueError(f"unknown report kind {kind!r}; one of {', '.join(REPORT_KINDS)}")
    require_aware(start, "start")
    require_aware(end, "end")
    require_aware(created_at, "created_at")
    if end <= start:
        raise ValueError("a report's period ends after it starts")
    if not summary.strip():
        raise ValueError("a report needs a summary")
    if len(summary) > REPORT_SUMMARY_MAX:
        raise ValueError(f"a report's summary is at most {REPORT_SUMMARY_MAX} characters")
    cleaned_language = language.strip()
    if not cleaned_language or len(cleaned_language) > MAX_REPORT_LANGUAGE_LENGTH:
        raise ValueError(f"invalid language code {language!r}")
    return scope, cleaned_language


def below_zero(before: float, after: float) -> bool:
    """An update from ``before`` to ``after`` would take a total of things counted below 0 (lowering it: a total
    that is below 0 already, from before the rule, may still be raised)."""
    return after < 0 and after < before


def undo_note(undone: IndicatorUpdate) -> str:
    """The note kept with the update that undoes ``undone``: its change, language-neutral (``↩ +5``)."""
    return f"↩ {undone.change:+g}"


# -- helpers -----------------------------------------------------------------------------------------------


def _indicator_name(name: str) -> str:
    if not isinstance(name, str):
        raise ValueError(f"invalid indicator name {name!r}")
    shown = _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
    if not shown or len(shown) > INDICATOR_NAME_MAX or any(unicodedata.category(ch).startswith("C") for ch in shown):
        raise ValueError(f"an indicator name is 1 to {INDICATOR_NAME_MAX} characters: {name!r}")
    return shown


def _number(value: float | None, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    return float(value)


def _cut(text: str, limit: int) -> str:
    cleaned = text.strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _kinds(kinds: Collection[str]) -> builtins.list[str]:
    if isinstance(kinds, str):
        raise TypeError("kinds must be a collection of strings, not a string")
    unknown = set(kinds) - set(EVENT_KINDS)
    if unknown:
        raise ValueError(f"unknown event kind {sorted(unknown)[0]!r}; one of {', '.join(EVENT_KINDS)}")
    return [kind for kind in EVENT_KINDS if kind in kinds]


def _indicator_ids(indicator_ids: Sequence[int]) -> builtins.list[int]:
    if isinstance(indicator_ids, str):
        raise TypeError("indicator_ids must be a sequence of ints")
    return sorted(set(indicator_ids))


async def _last_value(session: AsyncSession, indicator_id: int) -> float:
    """The indicator's value after its last update in recording order (0 before the first)."""
    before = await session.scalar(
        select(IndicatorUpdateRow.value_after)
        .where(IndicatorUpdateRow.indicator_id == indicator_id)
        .order_by(IndicatorUpdateRow.id.desc())
        .limit(1)
    )
    return float(before or 0.0)


def _ids(chat_ids: Collection[int]) -> builtins.list[int]:
    if isinstance(chat_ids, str):
        raise TypeError("chat_ids must be a collection of ints")
    return sorted(set(chat_ids))


def _day(day: date) -> None:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"a day is a date, not {type(day).__name__}")


async def _indicators(session: AsyncSession, *conditions: ColumnElement[bool]) -> builtins.list[Indicator]:
    statement = (
        select(IndicatorRow, ProgrammeRow.name)
        .join(ProgrammeRow, ProgrammeRow.id == IndicatorRow.programme_id)
        .where(*conditions)
        .order_by(ProgrammeRow.name_key, IndicatorRow.name_key)
    )
    return [
        Indicator(
            id=row.id,
            scope=row.scope,
            programme_id=row.programme_id,
            programme=programme,
            name=row.name,
            target=row.target,
            period=row.period,
            by_date=row.by_date,
            created_by=row.created_by,
            created_at=row.created_at,
        )
        for row, programme in (await session.execute(statement)).all()
    ]


def _update(row: IndicatorUpdateRow | Row[Any]) -> IndicatorUpdate:
    return IndicatorUpdate(
        id=row.id,
        indicator_id=row.indicator_id,
        at=row.at,
        change=row.change,
        value_after=row.value_after,
        user_id=row.user_id,
        by=row.by_name,
        chat_id=row.chat_id,
        city=row.city,
        note=row.note,
    )


def _event_of(row: Row[Any]) -> Event:
    """An event from the columns of ``events`` (Core; lighter than the ORM row)."""
    return Event(
        id=row.id,
        scope=row.scope,
        at=row.at,
        kind=row.kind,
        chat_id=row.chat_id,
        by=row.by_name,
        city=row.city,
        item_number=row.item_number,
        indicator_id=row.indicator_id,
        programme=row.programme,
        user_id=row.user_id,
        detail=row.detail,
    )


def _report(row: ReportRow) -> StoredReport:
    return StoredReport(
        id=row.id,
        scope=row.scope,
        chat_id=row.chat_id,
        number=row.number,
        kind=row.kind,
        start=row.period_start,
        end=row.period_end,
        created_at=row.created_at,
        language=row.language,
        summary=row.summary,
    )
