"""The outbox: durable relay work, one job per (source message, destination chat, version)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, delete, exists, func, or_, select, text, tuple_, update
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite as sqlite_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.records import Liveness, MessageLink, NewRelayJob, RelayJob
from storage._shared import rowcount, upsert
from storage.cluster import gone
from storage.db import Database
from storage.messagelinks import links_statement
from storage.models import DeliveryLeaseRow, RelayJobRow, utcnow

PENDING = "pending"
DONE = "done"
FAILED = "failed"
STATES = (PENDING, DONE, FAILED)

_Key = tuple[int, int, int, int]
_Completion = tuple[int, tuple[MessageLink, ...], str | None]  # job id, its links, the lease holder it needs
_KEYS_PER_QUERY = 200  # (src chat, src message, dst chat, version) tuples per IN list
CHANNEL = "kembar_outbox"  # PostgreSQL NOTIFY channel: new jobs for these destinations (comma-separated ids)
_NOTIFY_PER_CALL = 300  # destination ids per notification (a payload is at most 8000 bytes)
_SQLITE_INSERT_LINK = (
    "INSERT INTO message_links (src_chat_id, src_message_id, dst_chat_id, dst_message_id, created_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_SQLITE_DONE = "UPDATE relay_jobs SET state = ?, done_at = ?, payload = '{}' WHERE id = ?"
_SQLITE_DIALECT = sqlite_dialect()
_SQLITE_STAMP = cast("Callable[[datetime], str]", RelayJobRow.__table__.c.done_at.type.bind_processor(_SQLITE_DIALECT))


def _sqlite_stamp(when: datetime) -> str:
    """An instant as SQLAlchemy stores it in a SQLite UTC column."""
    return _SQLITE_STAMP(when)


def _key(job: NewRelayJob | RelayJobRow | Row[Any]) -> _Key:
    return (job.src_chat_id, job.src_message_id, job.dst_chat_id, job.version)


def _job(row: RelayJobRow | Row[Any]) -> RelayJob:
    return RelayJob(
        id=row.id,
        bridge_id=row.bridge_id,
        src_chat_id=row.src_chat_id,
        src_message_id=row.src_message_id,
        dst_chat_id=row.dst_chat_id,
        version=row.version,
        payload=dict(row.payload),
        state=row.state,
        attempts=row.attempts,
        created_at=row.created_at,
        last_error=row.last_error,
        done_at=row.done_at,
    )


class OutboxRepository:
    """Relay jobs in their global order (``id``); a destination's jobs are sent in that order."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._completions: list[tuple[_Completion, asyncio.Future[bool]]] = []
        self._committer: asyncio.Task[None] | None = None

    async def enqueue(self, jobs: Sequence[NewRelayJob], *, read_back: bool = True) -> list[RelayJob]:
        """Store the jobs in one transaction, ids increasing in list order, skipping those stored already.

        Idempotent (a redelivered update enqueues nothing new). Returns the stored job for each distinct
        key (src_chat_id, src_message_id, dst_chat_id, version) in list order, new or existing; with
        ``read_back=False`` nothing is read back and the list is empty.
        """
        first: dict[_Key, NewRelayJob] = {}
        for job in jobs:
            first.setdefault(_key(job), job)
        unique = list(first.values())
        if not unique:
            return []
        now = utcnow()
        rows = [
            {
                "bridge_id": job.bridge_id,
                "src_chat_id": job.src_chat_id,
                "src_message_id": job.src_message_id,
                "dst_chat_id": job.dst_chat_id,
                "version": job.version,
                "payload": job.payload,
                "state": PENDING,
                "attempts": 0,
                "created_at": now,
            }
            for job in unique
        ]
        keys = list(first)
        insert = upsert(self.db, RelayJobRow).on_conflict_do_nothing()
        key_columns = tuple_(
            RelayJobRow.src_chat_id, RelayJobRow.src_message_id, RelayJobRow.dst_chat_id, RelayJobRow.version
        )

        shared = self.db.engine.dialect.name == "postgresql"
        destinations = sorted({job.dst_chat_id for job in unique})

        def work(conn: Connection) -> list[RelayJob]:
            # executemany inserts the rows one after another, so the ids follow the list order.
            conn.execute(insert, rows)
            if shared:  # wakes the deliverer of each destination, on whichever instance, once this commits
                for start in range(0, len(destinations), _NOTIFY_PER_CALL):
                    ids = ",".join(str(dst) for dst in destinations[start : start + _NOTIFY_PER_CALL])
                    conn.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": ids})
            if not read_back:
                return []
            stored: dict[_Key, RelayJob] = {}
            for start in range(0, len(keys), _KEYS_PER_QUERY):
                chunk = keys[start : start + _KEYS_PER_QUERY]
                for row in conn.execute(select(RelayJobRow.__table__).where(key_columns.in_(chunk))):
                    stored[_key(row)] = _job(row)
            return [stored[key] for key in keys]

        return await self.db.run_sync(work)

    async def pending(self, dst_chat_id: int | None = None, limit: int = 100) -> list[RelayJob]:
        """The oldest pending jobs (of one destination, or of all), in order."""
        query = select(RelayJobRow.__table__).where(RelayJobRow.state == PENDING)
        if dst_chat_id is not None:
            query = query.where(RelayJobRow.dst_chat_id == dst_chat_id)
        query = query.order_by(RelayJobRow.id).limit(limit)
        return await self.db.run_sync(lambda conn: [_job(row) for row in conn.execute(query)])

    async def pending_destinations(self, live: Liveness | None = None) -> list[int]:
        """The chats with pending jobs, the one waiting longest first; with ``live``, only those that no live
        instance but this one delivers to (no lease, a lease of a gone instance, or this one's own)."""
        oldest = func.min(RelayJobRow.id)
        query = select(RelayJobRow.dst_chat_id, oldest).where(RelayJobRow.state == PENDING)
        if live is not None and live.shared:
            lease = DeliveryLeaseRow
            query = query.outerjoin(lease, lease.dst_chat_id == RelayJobRow.dst_chat_id).where(
                or_(lease.holder == live.me, gone(live, lease.holder))
            )
        async with self.db.session() as session:
            rows = await session.execute(query.group_by(RelayJobRow.dst_chat_id).order_by(oldest))
            return [dst for dst, _ in rows]

    async def get(self, job_id: int) -> RelayJob | None:
        async with self.db.session() as session:
            row = await session.get(RelayJobRow, job_id)
            return _job(row) if row is not None else None

    async def complete(self, job_id: int, links: Iterable[MessageLink] = (), live: Liveness | None = None) -> bool:
        """Store the links of what a job sent and mark it done, in one transaction; True once committed.

        With ``live`` on a shared database, only while ``live`` holds the delivery lease of the job's
        destination (the lease row is locked until the commit, so a takeover waits for it or it sees the
        takeover): otherwise nothing is stored and the answer is False — the instance that took the
        destination over sends the job, so only the job in flight can go twice.

        Completions that arrive while another is being written are written together (group commit):
        destinations sending at the same time share transactions. Raises ``LookupError`` for an
        unknown job (whose links are then not stored either).
        """
        holder = live.me if live is not None and live.shared else None
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._completions.append(((job_id, tuple(dict.fromkeys(links)), holder), future))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit())
        return await future

    async def drain(self) -> None:
        """Until the completions already handed in are written (shutdown)."""
        if self._committer is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._committer)

    async def _commit(self) -> None:
        while self._completions:
            batch, self._completions = self._completions, []
            try:
                missing, refused = await self._complete_many([item for item, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except BaseException:
                for _, future in batch:
                    future.cancel()
                raise
            for (job_id, *_), future in batch:
                if future.done():  # its caller gave up waiting; the job is committed all the same
                    continue
                if job_id in missing:
                    future.set_exception(LookupError(f"relay job {job_id} is not known"))
                else:
                    future.set_result(job_id not in refused)

    async def _complete_many(self, items: list[_Completion]) -> tuple[set[int], set[int]]:
        """Mark the jobs done and store their links in one transaction; the ids that are not known, and those
        refused because their lease is no longer the holder's."""
        if self.db.raw_sqlite and all(holder is None for *_, holder in items):  # the leanest path there is
            stamp = _sqlite_stamp(utcnow())

            def raw_work(conn: sqlite3.Connection) -> tuple[set[int], set[int]]:
                missing: set[int] = set()
                for job_id, links, _ in items:
                    if conn.execute(_SQLITE_DONE, (DONE, stamp, job_id)).rowcount == 0:
                        missing.add(job_id)
                    elif links:
                        conn.executemany(
                            _SQLITE_INSERT_LINK,
                            [
                                (ln.src_chat_id, ln.src_message_id, ln.dst_chat_id, ln.dst_message_id, stamp)
                                for ln in links
                            ],
                        )
                return missing, set()

            return await self.db.run_sqlite(raw_work)
        now = utcnow()

        def work(conn: Connection) -> tuple[set[int], set[int]]:
            missing: set[int] = set()
            refused: set[int] = set()
            for job_id, links, holder in items:
                done = (
                    update(RelayJobRow)
                    .where(RelayJobRow.id == job_id)
                    .values(state=DONE, done_at=now, payload={})  # the text is not kept once delivered
                )
                if holder is not None:  # the fence: the lease row is share-locked until this commits
                    held = (
                        select(DeliveryLeaseRow.dst_chat_id)
                        .where(
                            DeliveryLeaseRow.dst_chat_id == RelayJobRow.dst_chat_id, DeliveryLeaseRow.holder == holder
                        )
                        .with_for_update(read=True)
                    )
                    done = done.where(exists(held))
                if conn.execute(done).rowcount == 0:
                    known = conn.execute(select(RelayJobRow.id).where(RelayJobRow.id == job_id)).first()
                    (refused if known is not None else missing).add(job_id)
                    continue
                statement = links_statement(self.db, links)
                if statement is not None:
                    conn.execute(statement)
            return missing, refused

        return await self.db.run_sync(work)

    async def mark_failed(self, job_id: int, error: str) -> None:
        """Given up on: the error is kept for a while, the text is not."""
        await self._set(job_id, state=FAILED, last_error=error[:500], done_at=utcnow(), payload={})

    async def record_attempt(self, job_id: int, error: str) -> int:
        """Count a failed attempt (the job stays pending); returns the attempts so far."""
        async with self.db.session() as session:
            await self._update(session, job_id, attempts=RelayJobRow.attempts + 1, last_error=error)
            attempts = await session.scalar(select(RelayJobRow.attempts).where(RelayJobRow.id == job_id))
            assert attempts is not None
            return attempts

    async def fail_pending_for(self, dst_chat_id: int, error: str) -> int:
        """Fail every pending job of a destination that is gone; returns how many."""
        async with self.db.session() as session:
            result = await session.execute(
                update(RelayJobRow)
                .where(RelayJobRow.dst_chat_id == dst_chat_id, RelayJobRow.state == PENDING)
                .values(state=FAILED, last_error=error, done_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return rowcount(result)

    async def counts(self) -> dict[str, int]:
        """Jobs per state; 'pending', 'done' and 'failed' are always present."""
        async with self.db.session() as session:
            rows = await session.execute(select(RelayJobRow.state, func.count()).group_by(RelayJobRow.state))
            counts = dict.fromkeys(STATES, 0)
            counts.update({state: count for state, count in rows})
            return counts

    async def purge_finished(self, before: datetime) -> int:
        """Delete done and failed jobs finished before ``before``; returns how many.

        A job purged no longer makes a redelivered update idempotent: purge well after Telegram stops
        redelivering (days, not minutes).
        """
        async with self.db.session() as session:
            result = await session.execute(
                delete(RelayJobRow)
                .where(RelayJobRow.state.in_((DONE, FAILED)), RelayJobRow.done_at < before)
                .execution_options(synchronize_session=False)
            )
            return rowcount(result)

    async def _set(self, job_id: int, **values: Any) -> None:
        async with self.db.session() as session:
            await self._update(session, job_id, **values)

    @staticmethod
    async def _update(session: AsyncSession, job_id: int, **values: Any) -> None:
        result = await session.execute(
            update(RelayJobRow)
            .where(RelayJobRow.id == job_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if rowcount(result) == 0:
            raise LookupError(f"relay job {job_id} is not known")
