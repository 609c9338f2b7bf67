"""Helpers shared by the repositories (internal to storage/)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Row, Select, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.exc import DBAPIError

from bot.domain.records import Chat, Scope
from bot.domain.rules import work_hours_of_code, workdays_of_code
from storage.db import Database
from storage.models import Base, ChatRow

# PostgreSQL: deadlock detected, serialization failure. Worth running the transaction again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
_T = TypeVar("_T")


def chat_record(row: ChatRow) -> Chat:
    return Chat(
        id=row.id,
        title=row.title,
        type=row.type,
        language=row.language,
        timezone=row.timezone,
        city=row.city,
        active=row.active,
        created_at=row.created_at,
        updated_at=row.updated_at,
        show_original=row.show_original,
        workdays=workdays_of_code(row.workdays),
        work_hours=work_hours_of_code(row.work_hours),
        country=row.country,
        region=row.region,
    )


def upsert(db: Database, model: type[Base]) -> sqlite.Insert | postgresql.Insert:
    """An INSERT of the database's dialect, so ``on_conflict_do_nothing``/``_do_update`` are available."""
    table = cast(Table, model.__table__)
    if db.engine.dialect.name == "sqlite":
        return sqlite.insert(table)
    return postgresql.insert(table)


def rowcount(result: Result[Any]) -> int:
    """Rows matched by an UPDATE or DELETE."""
    return cast(CursorResult[Any], result).rowcount


def is_retryable(exc: DBAPIError) -> bool:
    """A transient conflict between concurrent transactions (e.g. a PostgreSQL deadlock)."""
    orig = exc.orig
    code = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)
    return code in _RETRYABLE_SQLSTATES


def require_aware(instant: datetime | None, what: str) -> None:
    """Instants are aware datetimes (stored in UTC); a naive one is a bug in the caller."""
    if instant is not None and instant.tzinfo is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")


def checked_scope(scope: Scope) -> Scope:
    """The scope of items, programmes and reminders (a ``Scope``, never a bare key)."""
    if not isinstance(scope, Scope):
        raise ValueError(f"invalid scope {scope!r}")
    return scope


READ_CHUNK = 500  # rows mapped between two turns of the event loop (PostgreSQL)


async def read_rows(db: Database, statement: Select[Any], mapper: Callable[[Row[Any]], _T]) -> list[_T]:
    """The rows of ``statement`` as records (``mapper`` of each row: SQLAlchemy Core rows, lighter than ORM
    objects, read by attribute as an ORM object is), without holding the event loop however many there are: on a
    SQLite file read and mapped in one ``Database.run_sync`` (the database thread); elsewhere (PostgreSQL, where
    ``run_sync`` would map them all on the event loop at once) streamed from a server-side cursor and mapped
    ``READ_CHUNK`` rows at a time, the loop free between two chunks."""
    if db.raw_sqlite:
        return await db.run_sync(lambda conn: [mapper(row) for row in conn.execute(statement)])
    found: list[_T] = []
    async with db.session() as session:
        result = await session.stream(statement)
        async for chunk in result.partitions(READ_CHUNK):
            found.extend(mapper(row) for row in chunk)
    return found
