"""Async engine and session factory; SQLite in WAL mode with foreign keys on."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

_T = TypeVar("_T")
logger = logging.getLogger(__name__)
_HEAD: dict[str, str | None] = {}  # the migrations' head revision, read from the scripts once per process


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ReadCache:
    """Chats and bridge memberships read on every message, kept for a few seconds.

    Writes through the repositories of this process clear it at once, so one bot process always sees
    its own changes. Another process sharing the database (scale-out on PostgreSQL) sees a change
    within ``ttl`` seconds.
    """

    def __init__(self, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic, max_entries: int = 4096) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self.chats: dict[int, tuple[float, Any]] = {}
        self.bridges: dict[int, tuple[float, Any]] = {}  # chat id -> (stored at, Bridge | None)
        # Bumped by every change: a read that started before a change must not store what it read.
        self.generation = 0

    def fresh(self, entry: tuple[float, Any] | None) -> bool:
        return entry is not None and self.clock() - entry[0] < self.ttl

    def start_read(self) -> tuple[float, int]:
        return self.clock(), self.generation

    def store(self, table: dict[int, tuple[float, Any]], key: int, value: Any, started: tuple[float, int]) -> None:
        if started[1] == self.generation:
            table[key] = (started[0], value)
            if len(table) > self.max_entries:  # entries past their ttl are of no use: drop them
                now = self.clock()
                for stale in [k for k, (at, _) in table.items() if now - at >= self.ttl]:
                    del table[stale]

    def chat_changed(self, chat_id: int) -> None:
        self.generation += 1
        self.chats.pop(chat_id, None)
        self.bridges.clear()  # bridges carry their members' settings (language, city)

    def bridges_changed(self) -> None:
        self.generation += 1
        self.bridges.clear()


class Database:
    """Owns the async engine. Create inside the event loop that will use it; ``dispose()`` on shutdown."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo}
        if is_sqlite(url):
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # A small pool: opening an aiosqlite connection costs a thread and the pragmas. WAL lets
            # readers and a writer work side by side; busy_timeout makes writers queue.
            kwargs["pool_size"] = 5
            kwargs["max_overflow"] = 10
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if is_sqlite(url):
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.cache = ReadCache()
        # Hot paths (the outbox) run a whole transaction as one synchronous function. On a SQLite file
        # that function runs on a thread of its own with a plain sqlite3 connection: one thread hop per
        # transaction, where aiosqlite takes several per statement.
        self._sync_engine: Engine | None = None
        self._sync_thread: ThreadPoolExecutor | None = None
        if is_sqlite(url):
            database = make_url(url).database
            if database and database != ":memory:":
                self._sync_engine = create_engine(make_url(url).set(drivername="sqlite+pysqlite"), echo=echo)
                event.listen(self._sync_engine, "connect", _sqlite_pragmas)
                self._sync_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kembar-db")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def run_sync(self, work: Callable[[Connection], _T]) -> _T:
        """Run ``work`` in one transaction (committed when it returns, rolled back when it raises).

        ``work`` uses SQLAlchemy Core on a synchronous ``Connection``. On a SQLite file it runs on the
        database thread; otherwise on the async engine (``AsyncConnection.run_sync``).
        """
        if self._sync_engine is None or self._sync_thread is None:
            async with self.engine.begin() as conn:
                return await conn.run_sync(work)
        engine = self._sync_engine

        def transaction() -> _T:
            with engine.begin() as conn:
                return work(conn)

        return await asyncio.get_running_loop().run_in_executor(self._sync_thread, transaction)

    @property
    def raw_sqlite(self) -> bool:
        """``run_sqlite`` is available (a SQLite file)."""
        return self._sync_engine is not None

    async def run_sqlite(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """SQLite files only: run ``work`` with a plain ``sqlite3`` connection on the database thread, in one
        transaction (committed when it returns, rolled back when it raises). For the hottest path, where
        even SQLAlchemy Core's per-statement work shows; values must be bound as the column types store them.
        """
        if self._sync_engine is None or self._sync_thread is None:
            raise RuntimeError("run_sqlite needs a SQLite file database")

        engine = self._sync_engine

        def transaction() -> _T:
            pooled = engine.raw_connection()  # the database thread's connection, pragmas already set
            try:
                conn = pooled.driver_connection
                assert isinstance(conn, sqlite3.Connection)
                with conn:  # commit, or roll back on an exception
                    return work(conn)
            finally:
                pooled.close()  # back to the pool

        return await asyncio.get_running_loop().run_in_executor(self._sync_thread, transaction)

    async def upgrade(self) -> None:
        from storage.migrate import upgrade

        await upgrade(self.engine)

    async def ready(self) -> tuple[bool, str]:
        """Whether the database answers ``SELECT 1`` and its schema is at the migrations' head, with a short
        detail safe to serve on a public port (a revision, or an exception's class name: never an error's
        message, which may carry a URL with a password; that goes to the log, redacted there)."""
        from storage.migrate import current_revision, head_revision

        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            current = await current_revision(self.engine)
        except Exception as exc:
            logger.warning("readiness: the database does not answer: %s", exc)
            return False, f"unreachable: {type(exc).__name__}"
        head = _HEAD.get("head") or _HEAD.setdefault("head", head_revision())  # the scripts are read once
        if current != head:
            return False, f"schema at revision {current or 'none'}, expected {head}: run kembar db upgrade"
        return True, f"schema at revision {current}"

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sync_engine is not None and self._sync_thread is not None:
            await asyncio.get_running_loop().run_in_executor(self._sync_thread, self._sync_engine.dispose)
            self._sync_thread.shutdown(wait=False)
