"""Several Kembar instances on one database: who is alive, and the delivery leases (bot.ops.cluster).

An instance is *alive* while it holds its PostgreSQL session advisory lock (``pg_try_advisory_lock(
INSTANCE_LOCKS, number)``) on its coordination connection. The server drops the lock the moment that
connection ends — a clean stop, a crash, ``kill -9``, or (with TCP keep-alives) a machine that vanished —
so "the holder is gone" is a fact the database knows, read from ``pg_locks`` inside the very statement
that takes the work over. Nothing depends on the instances' clocks.

On SQLite there is only ever one instance (bot.ops.cluster refuses a second): everything not held by it
belongs to an earlier run of it, which is gone.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import ColumnElement, Table, delete, or_, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql._typing import _ColumnExpressionArgument

from bot.domain.records import Liveness
from storage.db import Database
from storage.models import DeliveryLeaseRow, utcnow

INSTANCE_LOCKS = 0x4B4D  # advisory lock class of the instances: (INSTANCE_LOCKS, instance number)
LEADER_LOCK = (0x4B4C, 1)  # the leader's advisory lock: the poller in polling mode, housekeeping in both

# Where an instance's lock shows in pg_locks; the numbers alive are its objid, as text (holders are text).
_LIVE_WHERE = (
    f"locktype = 'advisory' AND classid = {INSTANCE_LOCKS} AND objsubid = 2 AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)
_LIVE = select(text("objid::text")).select_from(text("pg_locks")).where(text(_LIVE_WHERE)).scalar_subquery()


def gone(live: Liveness, holder: _ColumnExpressionArgument[str | None]) -> ColumnElement[bool]:
    """True where ``holder`` names no live instance (or nobody), as ``live`` tells who is alive."""
    column = cast("ColumnElement[str | None]", holder)
    if live.shared:
        return or_(column.is_(None), column.not_in(_LIVE))
    return or_(column.is_(None), column != live.me)


class LeaseRepository:
    """One deliverer per destination chat. The lease also fences its holder: a worker reads it (:meth:`holds`)
    before it sends after a wait, and ``OutboxRepository.complete`` marks a job done only while the lease is
    its instance's, so an instance taken for gone while it still runs stops before its next send."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def acquire(self, dst_chat_id: int, live: Liveness) -> bool:
        """Take (or keep) the lease on a destination; False while another live instance holds it."""
        if not live.shared:
            return True  # one instance: nobody else delivers
        leases = cast(Table, DeliveryLeaseRow.__table__)
        insert = postgresql.insert(leases).values(dst_chat_id=dst_chat_id, holder=live.me, taken_at=utcnow())
        statement = insert.on_conflict_do_update(
            index_elements=[leases.c.dst_chat_id],
            set_={"holder": insert.excluded.holder, "taken_at": insert.excluded.taken_at},
            # Row-locked and re-checked on the latest version: of two instances taking over a dead
            # holder's lease at once, exactly one gets it.
            where=or_(leases.c.holder == live.me, gone(live, leases.c.holder)),
        ).returning(leases.c.holder)
        async with self.db.session() as session:
            return bool((await session.scalar(statement)) == live.me)

    async def holds(self, dst_chat_id: int, live: Liveness) -> bool:
        """Whether ``live`` holds the lease on a destination now (always, alone on the database): a worker asks
        before it sends after a wait, and stops once another instance took the destination over."""
        if not live.shared:
            return True
        async with self.db.session() as session:
            holder = await session.scalar(
                select(DeliveryLeaseRow.holder).where(DeliveryLeaseRow.dst_chat_id == dst_chat_id)
            )
            return holder == live.me

    async def release(self, dst_chat_id: int, live: Liveness) -> None:
        if not live.shared:
            return
        async with self.db.session() as session:
            await session.execute(
                delete(DeliveryLeaseRow).where(
                    DeliveryLeaseRow.dst_chat_id == dst_chat_id, DeliveryLeaseRow.holder == live.me
                )
            )

    async def held(self, live: Liveness) -> list[int]:
        """The destinations this instance holds (tests and the operator)."""
        async with self.db.session() as session:
            rows = await session.scalars(select(DeliveryLeaseRow.dst_chat_id).where(DeliveryLeaseRow.holder == live.me))
            return list(rows.all())

    async def live_instances(self) -> list[str]:
        """The instances alive on this database (PostgreSQL only; [] on SQLite)."""
        if self.db.engine.dialect.name != "postgresql":
            return []
        async with self.db.session() as session:
            rows = await session.scalars(text(f"SELECT objid::text FROM pg_locks WHERE {_LIVE_WHERE}"))
            return sorted(rows.all())
