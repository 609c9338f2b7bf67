"""The inbox: updates acknowledged to Telegram before they were processed, so each is processed at most
once (a redelivered or crashed-over update is never run again), and updates set aside unread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update

from bot.domain.records import InboxItem, Liveness
from storage._shared import rowcount, upsert
from storage.cluster import gone
from storage.db import Database
from storage.models import InboxRow, utcnow

PENDING, STARTED, DONE, ABANDONED, QUARANTINED = "pending", "started", "done", "abandoned", "quarantined"
MAX_ERROR_LENGTH = 1000


class InboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def store(self, items: Sequence[InboxItem], holder: str | None = None) -> list[int]:
        """Store updates to process (taken by ``holder``, the instance that runs them); returns the ids that
        are new (a redelivered update is not)."""
        if not items:
            return []
        now = utcnow()
        ids = [item.update_id for item in items]
        async with self.db.session() as session:
            known = set((await session.scalars(select(InboxRow.update_id).where(InboxRow.update_id.in_(ids)))).all())
            fresh = [item for item in items if item.update_id not in known]
            if fresh:
                statement = upsert(self.db, InboxRow).values(
                    [
                        {
                            "update_id": item.update_id,
                            "chat_key": item.chat_key,
                            "state": PENDING,
                            "payload": item.payload,
                            "received_at": now,
                            "holder": holder,
                        }
                        for item in fresh
                    ]
                )
                await session.execute(statement.on_conflict_do_nothing(index_elements=["update_id"]))
            return [item.update_id for item in fresh]

    async def known(self, update_ids: Sequence[int]) -> set[int]:
        """Which of these updates were taken already (in any state)."""
        if not update_ids:
            return set()
        async with self.db.session() as session:
            rows = await session.scalars(select(InboxRow.update_id).where(InboxRow.update_id.in_(list(update_ids))))
            return set(rows.all())

    async def start(self, update_ids: Sequence[int]) -> set[int]:
        """Claim pending updates to process them now; the ones claimed (an update started before is
        never claimed again: at most once)."""
        if not update_ids:
            return set()
        async with self.db.session() as session:
            result = await session.execute(
                update(InboxRow)
                .where(InboxRow.update_id.in_(list(update_ids)), InboxRow.state == PENDING)
                .values(state=STARTED)
                .returning(InboxRow.update_id)
                .execution_options(synchronize_session=False)
            )
            return set(result.scalars().all())

    async def release(self, update_ids: Sequence[int]) -> None:
        """Started updates whose work could not be stored (relay messages, safe to run again): pending."""
        if not update_ids:
            return
        async with self.db.session() as session:
            await session.execute(
                update(InboxRow)
                .where(InboxRow.update_id.in_(list(update_ids)), InboxRow.state == STARTED)
                .values(state=PENDING)
                .execution_options(synchronize_session=False)
            )

    async def finish(self, update_ids: Sequence[int]) -> None:
        """The updates were processed: done, and their payload dropped."""
        if not update_ids:
            return
        async with self.db.session() as session:
            await session.execute(
                update(InboxRow)
                .where(InboxRow.update_id.in_(list(update_ids)))
                .values(state=DONE, payload=None, done_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    async def adopt(self, live: Liveness) -> tuple[int, list[InboxItem]]:
        """Take over the updates of instances that are gone (or of an earlier run of this one): those a
        crash interrupted are abandoned (never run twice: at most once), those not started yet are now
        this instance's to run, oldest first. Returns (how many were abandoned, the updates taken)."""
        async with self.db.session() as session:
            abandoned = await session.execute(
                update(InboxRow)
                .where(InboxRow.state == STARTED, gone(live, InboxRow.holder))
                .values(state=ABANDONED, payload=None, done_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            rows = await session.execute(
                update(InboxRow)
                .where(InboxRow.state == PENDING, gone(live, InboxRow.holder))
                .values(holder=live.me)
                .returning(InboxRow.update_id, InboxRow.chat_key, InboxRow.payload)
                .execution_options(synchronize_session=False)
            )
            taken = sorted((row.update_id, row.chat_key, row.payload) for row in rows)
            items = [InboxItem(update_id, key, dict(payload or {})) for update_id, key, payload in taken]
            return rowcount(abandoned), items

    async def counts(self) -> dict[str, int]:
        """Updates per state (the operator's view of what waits)."""
        async with self.db.session() as session:
            rows = await session.execute(select(InboxRow.state, func.count()).group_by(InboxRow.state))
            return {state: count for state, count in rows}

    async def quarantine(self, update_id: int, payload: dict[str, Any], error: str) -> None:
        """Set aside an update that cannot be read, or whose handling could never begin: its raw JSON is kept
        for the operator and it is never run. One stored already and not finished (pending, started) is set
        aside too; one done, abandoned or set aside before stays as it is."""
        async with self.db.session() as session:
            statement = upsert(self.db, InboxRow).values(
                update_id=update_id,
                chat_key=0,
                state=QUARANTINED,
                payload=payload,
                error=error[:MAX_ERROR_LENGTH],
                received_at=utcnow(),
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["update_id"],
                    set_={
                        "state": QUARANTINED,
                        "payload": statement.excluded.payload,
                        "error": statement.excluded.error,
                    },
                    where=InboxRow.state.in_((PENDING, STARTED)),
                )
            )

    async def quarantined(self) -> list[tuple[int, dict[str, Any], str]]:
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(InboxRow).where(InboxRow.state == QUARANTINED).order_by(InboxRow.update_id)
                )
            ).all()
            return [(r.update_id, dict(r.payload or {}), r.error or "") for r in rows]

    async def purge_finished(self, before: datetime, quarantined_before: datetime | None = None) -> int:
        """Forget updates done or abandoned before ``before``, and those set aside before ``quarantined_before``
        (kept longer, for the operator; by default the same instant); how many."""
        set_aside = before if quarantined_before is None else quarantined_before
        async with self.db.session() as session:
            result = await session.execute(
                delete(InboxRow).where(
                    or_(
                        and_(InboxRow.state.in_((DONE, ABANDONED)), InboxRow.received_at < before),
                        and_(InboxRow.state == QUARANTINED, InboxRow.received_at < set_aside),
                    )
                )
            )
            return rowcount(result)
