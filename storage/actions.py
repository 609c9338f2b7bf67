"""Action items and programmes of a scope: a bridge, or a group in no bridge (records.Scope).

Action items are numbered 1, 2, 3 … per scope. The number comes from a counter row per scope, bumped by
an upsert in the transaction that inserts the item: concurrent creates queue on that row (PostgreSQL) or
on the database's write lock (SQLite), so they get distinct numbers, and a failed create hands out none.
"""

from __future__ import annotations

import builtins
import unicodedata
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, Select, and_, case, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import ColumnElement

from bot.domain.errors import LimitReached
from bot.domain.records import ActionItem, Owner, Programme, ProgrammeStats, Scope, ScopeOverview
from bot.domain.rules import (
    ACTION_STATUSES,
    GOAL_MAX,
    LANGUAGE_CODE_MAX,
    OWNER_NAME_MAX,
    PROGRAMME_NAME_MAX,
    TAG_NAME,
    TITLE_MAX,
)
from storage._shared import checked_scope, is_retryable, read_rows, require_aware, rowcount, upsert
from storage.db import Database
from storage.models import ActionCounterRow, ActionItemRow, BridgeRow, ChatRow, EventRow, ProgrammeRow, utcnow

# How often create() re-runs its transaction after a PostgreSQL deadlock or serialization failure.
_CREATE_ATTEMPTS = 5
_T = TypeVar("_T")


def programme_key(name: str) -> str:
    """The identity of a programme name within its scope (raises ValueError for an invalid name)."""
    return _programme_name(name).casefold()


class ActionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

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
        """A new open item, numbered next in its scope.

        Raises ValueError for an invalid scope, title, language or owner, LookupError when the chat or
        bridge is not known or the programme is not one of the scope's, ``LimitReached`` when the scope
        has ``open_max`` open items already (counted under the scope's counter lock).
        """
        scope = checked_scope(scope)
        title = _title(title)
        language = _language(language)
        owner_list = _owners(owners)
        require_aware(due_at, "due_at")
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                async with self.db.session() as session:
                    # The counter first: on SQLite this takes the write lock before anything is read.
                    number = await self._next_number(session, scope)
                    if open_max is not None and await _open_count(session, scope) >= open_max:
                        raise LimitReached(open_max)
                    if await session.get(ChatRow, chat_id) is None:
                        raise LookupError(f"chat {chat_id} is not known")
                    if bridge_id is not None and await session.get(BridgeRow, bridge_id) is None:
                        raise LookupError(f"bridge {bridge_id} is not known")
                    if programme_id is not None:
                        await _check_programme(session, scope, programme_id)
                    now = utcnow()
                    row = ActionItemRow(
                        scope=scope,
                        number=number,
                        bridge_id=bridge_id,
                        chat_id=chat_id,
                        programme_id=programme_id,
                        title=title,
                        language=language,
                        owners=[o.name for o in owner_list],
                        owner_ids=[o.user_id for o in owner_list],
                        due_at=due_at,
                        status="open",
                        created_by=created_by,
                        created_at=now,
                        updated_at=now,
                        done_at=None,
                    )
                    session.add(row)
                    await session.flush()
                    return await _one(session, row.id)
            except IntegrityError:
                raise
            except DBAPIError as exc:
                if not is_retryable(exc) or attempt == _CREATE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def get(self, scope: Scope, number: int) -> ActionItem | None:
        async with self.db.session() as session:
            items = await _load(session, ActionItemRow.scope == scope, ActionItemRow.number == number)
            return items[0] if items else None

    async def get_by_id(self, item_id: int) -> ActionItem | None:
        async with self.db.session() as session:
            items = await _load(session, ActionItemRow.id == item_id)
            return items[0] if items else None

    async def list(
        self,
        scope: Scope,
        *,
        statuses: Collection[str] = ("open",),
        programme_id: int | None = None,
        limit: int | None = None,
    ) -> builtins.list[ActionItem]:
        """The scope's items in the given statuses (and programme): soonest due first, undated last, then by number."""
        wanted = _statuses(statuses)
        if not wanted or (limit is not None and limit <= 0):
            return []
        conditions = [ActionItemRow.scope == scope, ActionItemRow.status.in_(wanted)]
        if programme_id is not None:
            conditions.append(ActionItemRow.programme_id == programme_id)
        order = (ActionItemRow.due_at.is_(None), ActionItemRow.due_at, ActionItemRow.number)
        return await self._read(_items_statement(*conditions, order_by=order, limit=limit))

    async def numbered(
        self, scope: Scope, *, statuses: Collection[str], dated: bool = False, limit: int | None = None
    ) -> builtins.list[ActionItem]:
        """The scope's items in the given statuses (only those with a due date when ``dated``), by number; the
        first ``limit`` of them when given (an export reads no more than it holds)."""
        wanted = _statuses(statuses)
        if not wanted or (limit is not None and limit <= 0):
            return []
        conditions = [ActionItemRow.scope == scope, ActionItemRow.status.in_(wanted)]
        if dated:
            conditions.append(ActionItemRow.due_at.is_not(None))
        return await self._read(_items_statement(*conditions, order_by=(ActionItemRow.number,), limit=limit))

    async def count(self, scope: Scope, *, statuses: Collection[str], dated: bool = False) -> int:
        """How many items ``numbered`` would return without a limit."""
        wanted = _statuses(statuses)
        if not wanted:
            return 0
        statement = select(func.count()).where(ActionItemRow.scope == scope, ActionItemRow.status.in_(wanted))
        if dated:
            statement = statement.where(ActionItemRow.due_at.is_not(None))
        async with self.db.session() as session:
            return int(await session.scalar(statement) or 0)

    async def done_between(self, scope: Scope, start: datetime, end: datetime) -> builtins.list[ActionItem]:
        """The scope's items that are done, done from ``start`` (inclusive) to ``end`` (exclusive), by number."""
        require_aware(start, "start")
        require_aware(end, "end")
        if start >= end:
            return []
        statement = _items_statement(
            ActionItemRow.scope == scope,
            ActionItemRow.status == "done",
            ActionItemRow.done_at >= start,
            ActionItemRow.done_at < end,
            order_by=(ActionItemRow.number,),
        )
        return await self._read(statement)

    async def _read(self, statement: Select[Any]) -> builtins.list[ActionItem]:
        """Items read with ``read_rows`` (a report or an export reads thousands)."""
        return await read_rows(self.db, statement, _item_of)

    async def set_status(self, scope: Scope, number: int, status: str, now: datetime) -> ActionItem:
        """'done' stamps done_at with ``now`` (kept when already done); 'open' and 'dropped' clear it."""
        if status not in ACTION_STATUSES:
            raise ValueError(f"unknown status {status!r}; one of {', '.join(ACTION_STATUSES)}")
        require_aware(now, "now")

        async def apply(_session: AsyncSession, row: ActionItemRow) -> None:
            if status == "done":
                if row.status != "done" or row.done_at is None:
                    row.done_at = now
            else:
                row.done_at = None
            row.status = status

        return await self._change(scope, number, apply)

    async def set_owners(self, scope: Scope, number: int, owners: Sequence[Owner]) -> ActionItem:
        """Replace the owners (an empty sequence: nobody); duplicates are dropped (see ``_owners``)."""
        owner_list = _owners(owners)

        async def apply(_session: AsyncSession, row: ActionItemRow) -> None:
            _store_owners(row, owner_list)

        return await self._change(scope, number, apply)

    async def add_owners(self, scope: Scope, number: int, owners: Sequence[Owner]) -> ActionItem:
        """Append the owners not there yet."""
        extra = _owners(owners)

        async def apply(_session: AsyncSession, row: ActionItemRow) -> None:
            _store_owners(row, _owners([*_row_owners(row), *extra]))

        return await self._change(scope, number, apply)

    async def bind_owner(self, item_id: int, username: str, user_id: int) -> ActionItem | None:
        """The user ``user_id`` turned out to be "@username": owners of that name without a user get it.
        Returns the item when an owner was bound, else None (nothing to bind, or bound already)."""
        wanted = username.casefold()
        async with self.db.session() as session:
            row = await session.get(ActionItemRow, item_id, with_for_update=True)
            if row is None:
                return None
            owners = _row_owners(row)
            bound = [
                Owner(o.name, user_id) if o.user_id is None and (o.username or "").casefold() == wanted else o
                for o in owners
            ]
            if bound == owners:
                return None
            _store_owners(row, _owners(bound))
            await session.flush()
            return await _one(session, row.id)

    async def set_due(self, scope: Scope, number: int, due_at: datetime | None) -> ActionItem:
        require_aware(due_at, "due_at")

        async def apply(_session: AsyncSession, row: ActionItemRow) -> None:
            row.due_at = due_at

        return await self._change(scope, number, apply)

    async def set_title(self, scope: Scope, number: int, title: str, language: str) -> ActionItem:
        cleaned, lang = _title(title), _language(language)

        async def apply(_session: AsyncSession, row: ActionItemRow) -> None:
            row.title = cleaned
            row.language = lang

        return await self._change(scope, number, apply)

    async def count_open(self, scope: Scope) -> int:
        async with self.db.session() as session:
            return await _open_count(session, scope)

    async def stats(self, scope: Scope, now: datetime) -> builtins.list[ProgrammeStats]:
        """Open (overdue included), overdue and done items per programme, by programme name, items in none last.

        Dropped items are not counted; a programme with no other items has no row.
        """
        require_aware(now, "now")
        async with self.db.session() as session:
            rows = (await session.execute(_stats_statement(scope, now))).all()
        return [_stats(row) for row in rows]

    async def overview(
        self, scope: Scope, now: datetime, *, next_max: int, done_since: datetime, done_max: int
    ) -> ScopeOverview:
        """Where the scope stands (``ScopeOverview``), read in one transaction: ``stats``; at most ``next_max``
        open items past due and as many due at or after ``now``; at most ``done_max`` items done at or after
        ``done_since``; the last event of its history and the last change of an item. A scope without items
        (stats empty) gets an empty overview, read with one query.

        One thread hop on a SQLite file (``Database.run_sync``) rather than several per query: /status is
        asked for by every group, and the digest is the same text.
        """
        require_aware(now, "now")
        require_aware(done_since, "done_since")
        is_open = (ActionItemRow.scope == scope, ActionItemRow.status == "open")
        overdue = _items_statement(
            *is_open,
            ActionItemRow.due_at.is_not(None),
            ActionItemRow.due_at < now,
            order_by=(ActionItemRow.due_at, ActionItemRow.number),
            limit=max(0, next_max),
        )
        upcoming = _items_statement(
            *is_open,
            ActionItemRow.due_at >= now,
            order_by=(ActionItemRow.due_at, ActionItemRow.number),
            limit=max(0, next_max),
        )
        done = _items_statement(
            ActionItemRow.scope == scope,
            ActionItemRow.status == "done",
            ActionItemRow.done_at >= done_since,
            order_by=(ActionItemRow.done_at.desc(), ActionItemRow.number.desc()),
            limit=max(0, done_max),
        )
        last_event = select(func.max(EventRow.at)).where(EventRow.scope == scope)
        last_change = select(func.max(ActionItemRow.updated_at)).where(ActionItemRow.scope == scope)

        def read(conn: Connection) -> ScopeOverview:
            stats = tuple(_stats(row) for row in conn.execute(_stats_statement(scope, now)))
            if not stats:
                return ScopeOverview()

            def items(statement: Select[Any]) -> tuple[ActionItem, ...]:
                return tuple(_item_of(row) for row in conn.execute(statement))

            return ScopeOverview(
                stats=stats,
                overdue=items(overdue) if next_max > 0 else (),
                upcoming=items(upcoming) if next_max > 0 else (),
                done=items(done) if done_max > 0 else (),
                last_event_at=conn.execute(last_event).scalar(),
                last_change_at=conn.execute(last_change).scalar(),
            )

        return await self.db.run_sync(read)

    async def upcoming(self, scope: Scope, now: datetime, limit: int = 3) -> builtins.list[ActionItem]:
        """Open items due at or after ``now``, soonest first."""
        require_aware(now, "now")
        if limit <= 0:
            return []
        async with self.db.session() as session:
            return await _load(
                session,
                ActionItemRow.scope == scope,
                ActionItemRow.status == "open",
                ActionItemRow.due_at >= now,
                order_by=(ActionItemRow.due_at, ActionItemRow.number),
                limit=limit,
            )

    async def done_since(self, scope: Scope, since: datetime) -> builtins.list[ActionItem]:
        """Items done at or after ``since``, most recently done first."""
        require_aware(since, "since")
        async with self.db.session() as session:
            return await _load(
                session,
                ActionItemRow.scope == scope,
                ActionItemRow.status == "done",
                ActionItemRow.done_at >= since,
                order_by=(ActionItemRow.done_at.desc(), ActionItemRow.number.desc()),
            )

    async def last_activity(self, scope: Scope) -> datetime | None:
        """When an item of the scope was last created or changed; None if it has none."""
        async with self.db.session() as session:
            return await session.scalar(select(func.max(ActionItemRow.updated_at)).where(ActionItemRow.scope == scope))

    # -- internals ---------------------------------------------------------------------------------

    async def _next_number(self, session: AsyncSession, scope: Scope) -> int:
        """Bump the scope's counter (creating it at 1) and return the new value; the row stays locked."""
        insert = upsert(self.db, ActionCounterRow).values(scope=scope, last_number=1)
        statement = insert.on_conflict_do_update(
            index_elements=["scope"], set_={"last_number": ActionCounterRow.last_number + 1}
        ).returning(ActionCounterRow.last_number)
        return (await session.execute(statement)).scalar_one()

    async def _change(
        self, scope: Scope, number: int, apply: Callable[[AsyncSession, ActionItemRow], Awaitable[None]]
    ) -> ActionItem:
        """Lock the item, move its updated_at, apply the change and return the item as it is then.

        The touching UPDATE comes first: it locks the row on PostgreSQL and starts the write transaction
        on SQLite, so the row read next cannot change before this transaction commits.
        """
        where = (ActionItemRow.scope == scope, ActionItemRow.number == number)
        now = utcnow()
        async with self.db.session() as session:
            touched = await session.execute(
                update(ActionItemRow).where(*where).values(updated_at=now).execution_options(synchronize_session=False)
            )
            if rowcount(touched) == 0:
                raise LookupError(f"no action item #{number} in {scope}")
            row = (
                await session.scalars(select(ActionItemRow).where(*where).execution_options(populate_existing=True))
            ).one()
            await apply(session, row)
            row.updated_at = now
            await session.flush()
            return await _one(session, row.id)


class ProgrammeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, scope: Scope, name: str, goal: str | None = None) -> Programme:
        """Add a programme, or update the one of the same name in any case: its spelling, and its goal
        unless ``goal`` is None (an empty goal clears it).

        The name may start with '#'; ValueError unless it is 1–64 letters, digits, '-' or '_'.
        """
        scope = checked_scope(scope)
        shown = _programme_name(name)
        key = shown.casefold()
        cleaned_goal: str | None = None
        if goal is not None:
            cleaned_goal = goal.strip() or None
            if cleaned_goal is not None and len(cleaned_goal) > GOAL_MAX:
                raise ValueError(f"a programme goal is at most {GOAL_MAX} characters")
        statement = upsert(self.db, ProgrammeRow).values(
            scope=scope, name=shown, name_key=key, goal=cleaned_goal, created_at=utcnow()
        )
        changes: dict[str, object] = {"name": statement.excluded.name}
        if goal is not None:
            changes["goal"] = statement.excluded.goal
        statement = statement.on_conflict_do_update(index_elements=["scope", "name_key"], set_=changes)
        async with self.db.session() as session:
            await session.execute(statement)
            row = (
                await session.scalars(
                    select(ProgrammeRow)
                    .where(ProgrammeRow.scope == scope, ProgrammeRow.name_key == key)
                    .execution_options(populate_existing=True)
                )
            ).one()
            return _programme(row)

    async def get(self, scope: Scope, name: str) -> Programme | None:
        """The programme of that name in any case, with or without a leading '#'; None if there is none."""
        try:
            key = programme_key(name)
        except ValueError:
            return None
        async with self.db.session() as session:
            row = await session.scalar(
                select(ProgrammeRow).where(ProgrammeRow.scope == scope, ProgrammeRow.name_key == key)
            )
            return _programme(row) if row else None

    async def list(self, scope: Scope) -> builtins.list[Programme]:
        """The scope's programmes, by name regardless of case."""
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(ProgrammeRow).where(ProgrammeRow.scope == scope).order_by(ProgrammeRow.name_key)
                )
            ).all()
            return [_programme(row) for row in rows]


# -- helpers -----------------------------------------------------------------------------------------------

def _title(title: str) -> str:
    cleaned = title.strip()
    if not cleaned:
        raise ValueError("an action item needs a title")
    if len(cleaned) > TITLE_MAX:
        raise ValueError(f"an action item title is at most {TITLE_MAX} characters")
    return cleaned


def _language(language: str) -> str:
    cleaned = language.strip()
    if not cleaned or len(cleaned) > LANGUAGE_CODE_MAX:
        raise ValueError(f"invalid language code {language!r}")
    return cleaned


def _owners(owners: Sequence[Owner]) -> builtins.list[Owner]:
    """Names stripped and validated; without duplicates: the same user, or the same name (regardless of
    case) where no user is known (the first wins; a known user wins over the bare name)."""
    if isinstance(owners, str) or any(not isinstance(owner, Owner) for owner in owners):
        raise TypeError("owners must be a sequence of Owner")
    result: builtins.list[Owner] = []
    for owner in owners:
        cleaned = owner.name.strip()
        if not cleaned or len(cleaned) > OWNER_NAME_MAX:
            raise ValueError(f"an owner is 1 to {OWNER_NAME_MAX} characters: {owner.name!r}")
        if owner.user_id is not None and (not isinstance(owner.user_id, int) or isinstance(owner.user_id, bool)):
            raise TypeError("an owner's user_id is an int")
        key = unicodedata.normalize("NFC", cleaned).casefold()
        duplicate = next(
            (
                index
                for index, kept in enumerate(result)
                if (owner.user_id is not None and kept.user_id == owner.user_id)
                or unicodedata.normalize("NFC", kept.name).casefold() == key
            ),
            None,
        )
        if duplicate is None:
            result.append(Owner(cleaned, owner.user_id))
        elif result[duplicate].user_id is None and owner.user_id is not None:
            result[duplicate] = Owner(result[duplicate].name, owner.user_id)
    return result


def _row_owners(row: ActionItemRow | Row[Any]) -> builtins.list[Owner]:
    ids = list(row.owner_ids or [])
    return [Owner(name, ids[index] if index < len(ids) else None) for index, name in enumerate(row.owners)]


def _store_owners(row: ActionItemRow, owners: Sequence[Owner]) -> None:
    row.owners = [o.name for o in owners]
    row.owner_ids = [o.user_id for o in owners]


def _statuses(statuses: Collection[str]) -> builtins.list[str]:
    if isinstance(statuses, str):
        raise TypeError("statuses must be a collection of strings, not a string")
    unknown = set(statuses) - set(ACTION_STATUSES)
    if unknown:
        raise ValueError(f"unknown status {sorted(unknown)[0]!r}; one of {', '.join(ACTION_STATUSES)}")
    return [status for status in ACTION_STATUSES if status in statuses]


def _programme_name(name: str) -> str:
    shown = unicodedata.normalize("NFC", name).strip()
    shown = shown.removeprefix("#")
    if not TAG_NAME.fullmatch(shown) or len(shown) > PROGRAMME_NAME_MAX:
        raise ValueError(f"a programme name is 1 to {PROGRAMME_NAME_MAX} letters, digits, '-' or '_': {name!r}")
    return shown


def _programme(row: ProgrammeRow) -> Programme:
    return Programme(id=row.id, scope=row.scope, name=row.name, goal=row.goal, created_at=row.created_at)


async def _check_programme(session: AsyncSession, scope: Scope, programme_id: int) -> None:
    found = await session.scalar(select(ProgrammeRow.scope).where(ProgrammeRow.id == programme_id))
    if found != scope:
        raise LookupError(f"programme {programme_id} is not one of {scope}'s")


def _items_statement(
    *conditions: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]] = (),
    limit: int | None = None,
) -> Select[Any]:
    """Items with their programme's name (``programme_name``), as columns (for Core, see ``_item_of``)."""
    statement = (
        select(*ActionItemRow.__table__.columns, ProgrammeRow.name.label("programme_name"))
        .outerjoin(ProgrammeRow, ProgrammeRow.id == ActionItemRow.programme_id)
        .where(*conditions)
        .order_by(*order_by)
    )
    return statement if limit is None else statement.limit(limit)


def _stats_statement(scope: Scope, now: datetime) -> Select[str, Any, Any, Any]:
    is_open = ActionItemRow.status == "open"
    overdue = and_(is_open, ActionItemRow.due_at.is_not(None), ActionItemRow.due_at < now)
    return (
        select(
            ProgrammeRow.name,
            func.sum(case((is_open, 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((ActionItemRow.status == "done", 1), else_=0)),
        )
        .select_from(ActionItemRow)
        .outerjoin(ProgrammeRow, ProgrammeRow.id == ActionItemRow.programme_id)
        .where(ActionItemRow.scope == scope, ActionItemRow.status.in_(("open", "done")))
        .group_by(ActionItemRow.programme_id, ProgrammeRow.name, ProgrammeRow.name_key)
        .order_by(ActionItemRow.programme_id.is_(None), ProgrammeRow.name_key)
    )


def _stats(row: Any) -> ProgrammeStats:
    name, n_open, n_overdue, n_done = row
    return ProgrammeStats(programme=name, open=int(n_open or 0), overdue=int(n_overdue or 0), done=int(n_done or 0))


async def _load(
    session: AsyncSession,
    *conditions: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]] = (),
    limit: int | None = None,
) -> builtins.list[ActionItem]:
    statement = (
        select(ActionItemRow, ProgrammeRow.name)
        .outerjoin(ProgrammeRow, ProgrammeRow.id == ActionItemRow.programme_id)
        .where(*conditions)
        .order_by(*order_by)
        .execution_options(populate_existing=True)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [_item(row, programme) for row, programme in (await session.execute(statement)).all()]


async def _one(session: AsyncSession, item_id: int) -> ActionItem:
    return (await _load(session, ActionItemRow.id == item_id))[0]


def _item_of(row: Row[Any]) -> ActionItem:
    """An item from the columns ``_items_statement`` selects (Core: lighter than an ORM object)."""
    return _item(row, row.programme_name)


def _item(row: ActionItemRow | Row[Any], programme: str | None) -> ActionItem:
    return ActionItem(
        id=row.id,
        scope=row.scope,
        number=row.number,
        bridge_id=row.bridge_id,
        chat_id=row.chat_id,
        title=row.title,
        language=row.language,
        owners=tuple(_row_owners(row)),
        programme=programme,
        due_at=row.due_at,
        status=row.status,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        done_at=row.done_at,
    )


async def _open_count(session: AsyncSession, scope: Scope) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(ActionItemRow)
        .where(ActionItemRow.scope == scope, ActionItemRow.status == "open")
    )
    return int(count or 0)
