"""Join requests: a group that redeemed another's link code asks to join its bridge; an administrator of the
issuing group approves or declines (once: only one decision ever wins)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update

from bot.domain.records import JoinRequest
from storage._shared import rowcount
from storage.db import Database
from storage.models import JoinRequestRow, utcnow

PENDING, APPROVED, DECLINED, REVOKED = (
    JoinRequest.PENDING,
    JoinRequest.APPROVED,
    JoinRequest.DECLINED,
    JoinRequest.REVOKED,
)


class JoinRequestRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, issuer: int, requester: int, requested_by: int | None, ttl: timedelta) -> JoinRequest:
        now = utcnow()
        async with self.db.session() as session:
            row = JoinRequestRow(
                issuer_chat_id=issuer,
                requester_chat_id=requester,
                requested_by=requested_by,
                state=PENDING,
                created_at=now,
                expires_at=now + ttl,
            )
            session.add(row)
            await session.flush()
            return _request(row)

    async def get(self, request_id: int) -> JoinRequest | None:
        async with self.db.session() as session:
            row = await session.get(JoinRequestRow, request_id)
            return _request(row) if row is not None else None

    async def decide(self, request_id: int, state: str, by: int | None, now: datetime | None = None) -> bool:
        """Approve or decline a pending, unexpired request; False when it was decided already (or expired,
        or revoked): only one decision ever wins."""
        if state not in (APPROVED, DECLINED):
            raise ValueError(f"a decision is {APPROVED} or {DECLINED}, not {state!r}")
        now = now or utcnow()
        async with self.db.session() as session:
            result = await session.execute(
                update(JoinRequestRow)
                .where(
                    JoinRequestRow.id == request_id,
                    JoinRequestRow.state == PENDING,
                    JoinRequestRow.expires_at > now,
                )
                .values(state=state, decided_by=by, decided_at=now)
                .execution_options(synchronize_session=False)
            )
            return rowcount(result) == 1

    async def revoke(self, issuer: int, now: datetime | None = None) -> int:
        """Withdraw the issuer's pending requests; how many."""
        now = now or utcnow()
        async with self.db.session() as session:
            result = await session.execute(
                update(JoinRequestRow)
                .where(JoinRequestRow.issuer_chat_id == issuer, JoinRequestRow.state == PENDING)
                .values(state=REVOKED, decided_at=now)
                .execution_options(synchronize_session=False)
            )
            return rowcount(result)

    async def purge_finished(self, before: datetime) -> int:
        """Delete the requests decided, revoked or expired before ``before``; how many."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(JoinRequestRow)
                .where((JoinRequestRow.state != PENDING) | (JoinRequestRow.expires_at <= before))
                .where((JoinRequestRow.decided_at.is_(None)) | (JoinRequestRow.decided_at < before))
                .execution_options(synchronize_session=False)
            )
            return rowcount(result)


def _request(row: JoinRequestRow) -> JoinRequest:
    return JoinRequest(
        id=row.id,
        issuer_chat_id=row.issuer_chat_id,
        requester_chat_id=row.requester_chat_id,
        requested_by=row.requested_by,
        state=row.state,
        created_at=row.created_at,
        expires_at=row.expires_at,
    )
