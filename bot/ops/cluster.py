"""One Kembar or several: who this instance is, whether it leads, and when it must stop.

- **SQLite** (:class:`SoloCluster`): one instance only. It holds an exclusive lock on ``<database>.lock``
  beside the SQLite file; a second instance pointed at the same file refuses to start with one line
  (several instances need PostgreSQL). The kernel drops the lock when the process ends, however it ends.
- **PostgreSQL** (:class:`PostgresCluster`): any number of instances. Each holds, on a coordination
  connection of its own, a session advisory lock on its instance number: it is alive exactly as long as
  that lock is held (storage.cluster explains how the others read it). The **leader** holds one more
  advisory lock; it polls Telegram (polling mode) and runs the housekeeping (digest planning, retention).
  A standby tries for it every second: when the leader dies, even by ``kill -9``, the server releases its
  locks at once and a standby leads within about a second. Relay jobs of the destinations a gone
  instance delivered to, the updates it had taken, and the reminders it had claimed are taken over by
  the live instances (storage.cluster, storage.inbox, storage.reminders).

The coordination connection also LISTENs for new relay jobs (storage.outbox notifies, on commit, which
destinations have new work), so the instance that delivers to a chat hears of a job another instance
stored. A watchdog pings it; when it fails, the instance has lost its locks (others may be taking its
work over), so it stops: :attr:`Cluster.lost` is set and ``kembar run`` ends, to be restarted by its
supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.config import ConfigError
from bot.domain.records import Liveness
from storage.cluster import INSTANCE_LOCKS, LEADER_LOCK
from storage.db import Database, is_sqlite
from storage.outbox import CHANNEL

logger = logging.getLogger(__name__)

WATCHDOG_SECONDS = 2.0  # how often the coordination connection is checked
WATCHDOG_TIMEOUT = 5.0  # a ping that takes longer than this counts as a lost connection
# The server notices a vanished machine (no FIN, no RST) through TCP keep-alives: 5 s idle, then a probe
# every 2 s, gone after 3 unanswered ones — about 11 s.
_KEEPALIVES = ("SET tcp_keepalives_idle = 5", "SET tcp_keepalives_interval = 2", "SET tcp_keepalives_count = 3")

OnJobs = Callable[[list[int]], None]


class AlreadyRunning(ConfigError):
    """Another instance runs on this SQLite database: a configuration error of ``DATABASE_URL`` (several
    instances need PostgreSQL); ``kembar`` prints it as one line."""

    def __init__(self, problem: str) -> None:
        super().__init__("DATABASE_URL", problem)


class Cluster:
    """The interface; also the lone instance on SQLite (see :class:`SoloCluster`)."""

    live: Liveness

    def __init__(self) -> None:
        self.leading = False
        self.lost = asyncio.Event()  # set when this instance must stop (its locks are gone)
        self._on_jobs: list[OnJobs] = []

    @property
    def shared(self) -> bool:
        return self.live.shared

    def on_jobs(self, callback: OnJobs) -> None:
        """``callback(destinations)`` when another instance stored relay jobs for them."""
        self._on_jobs.append(callback)

    def _jobs(self, destinations: list[int]) -> None:
        for callback in self._on_jobs:
            callback(destinations)

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def try_lead(self) -> bool:
        """Become the leader if no live instance is; True while this one leads."""
        raise NotImplementedError


class SoloCluster(Cluster):
    """The only instance on a SQLite database: always alive, always leading."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.live = Liveness(me=f"s{secrets.token_hex(4)}", shared=False)
        database = make_url(database_url).database
        self.lock_path = Path(f"{database}.lock") if database and database != ":memory:" else None
        self._lock: IO[str] | None = None

    async def start(self) -> None:
        if self.lock_path is not None and self._lock is None:
            handle = self.lock_path.open("a+")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                raise AlreadyRunning(
                    f"another Kembar is already running on the SQLite file {self.lock_path.with_suffix('')}; "
                    "several instances need PostgreSQL (DATABASE_URL=postgresql+asyncpg://…)"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            self._lock = handle
        self.leading = True

    async def stop(self) -> None:
        self.leading = False
        if self._lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    async def try_lead(self) -> bool:
        return self.leading


class PostgresCluster(Cluster):
    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.number = secrets.randbelow(2**31 - 2) + 1
        self.live = Liveness(me=str(self.number), shared=True)
        self.url = database_url
        self._engine: AsyncEngine | None = None
        self._conn: AsyncConnection | None = None
        self._use = asyncio.Lock()  # one statement at a time on the coordination connection
        self._leading = asyncio.Lock()  # one attempt at a time (the lock is re-entrant: never take it twice)
        self._watchdog: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # A connection of its own, outside the pool: its session holds the locks.
        self._engine = create_async_engine(self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self._conn = await self._engine.connect()
        for statement in _KEEPALIVES:
            await self._conn.execute(text(statement))
        if not await self._scalar("SELECT pg_try_advisory_lock(:a, :b)", a=INSTANCE_LOCKS, b=self.number):
            raise RuntimeError(f"instance number {self.number} is taken (a one-in-a-billion clash): start again")
        raw = await self._conn.get_raw_connection()
        driver: Any = raw.driver_connection
        await driver.add_listener(CHANNEL, self._notified)
        self._watchdog = asyncio.create_task(self._watch(), name="kembar-cluster-watchdog")
        logger.info("instance %s joined the cluster", self.number)

    async def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
            self._watchdog = None
        self.leading = False
        if self._conn is not None:  # closing the session releases its advisory locks
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def try_lead(self) -> bool:
        async with self._leading:
            return await self._try_lead()

    async def _try_lead(self) -> bool:
        if self.leading or self.lost.is_set():
            return self.leading
        try:
            won = bool(await self._scalar("SELECT pg_try_advisory_lock(:a, :b)", a=LEADER_LOCK[0], b=LEADER_LOCK[1]))
        except Exception as exc:
            logger.warning("could not try for the lead: %s", type(exc).__name__)
            return False
        if won:
            self.leading = True
            logger.info("instance %s leads", self.number)
        return won

    async def _scalar(self, statement: str, **params: int) -> object:
        assert self._conn is not None
        async with self._use:
            return (await self._conn.execute(text(statement), params)).scalar()

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        destinations = [int(part) for part in payload.split(",") if part.strip().lstrip("-").isdigit()]
        if destinations:
            self._jobs(destinations)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCHDOG_SECONDS)
            try:
                await asyncio.wait_for(self._scalar("SELECT 1"), WATCHDOG_TIMEOUT)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.critical(
                    "instance %s lost its database connection (%s): its work is taken over; stopping",
                    self.number,
                    type(exc).__name__,
                )
                self.leading = False
                self.lost.set()
                return


def make_cluster(db: Database) -> Cluster:
    return SoloCluster(db.url) if is_sqlite(db.url) else PostgresCluster(db.url)
