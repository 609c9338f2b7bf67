"""Meetings proposed with ``/meet`` (bot/features/meetings.py): numbered per scope (``meeting_counters``), their
votes (one per person and slot) and their proposal message in each group. What a group's moving or forgetting
does to them is storage/chatdata.py's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import LimitReached
from bot.domain.records import Meeting, MeetingPost, MeetingVote, NewMeeting, Scope
from bot.domain.rules import (
    LANGUAGE_CODE_MAX,
    MEETING_DURATION_MAX,
    MEETING_DURATION_MIN,
    MEETING_SLOTS,
    MEETING_TITLE_MAX,
)
from storage._shared import checked_scope, rowcount, upsert
from storage.db import Database
from storage.models import MeetingCounterRow, MeetingPostRow, MeetingRow, MeetingVoteRow, utcnow


def checked_meeting(new: NewMeeting) -> NewMeeting:
    """ValueError for a meeting Kembar does not store (the features refuse it first, in the group's language)."""
    checked_scope(new.scope)
    if not MEETING_DURATION_MIN <= new.duration_minutes <= MEETING_DURATION_MAX:
        raise ValueError(f"a meeting lasts {MEETING_DURATION_MIN} to {MEETING_DURATION_MAX} minutes")
    if new.title is not None and (not new.title.strip() or len(new.title) > MEETING_TITLE_MAX):
        raise ValueError(f"a meeting's title is 1 to {MEETING_TITLE_MAX} characters")
    if not new.language.strip() or len(new.language) > LANGUAGE_CODE_MAX:
        raise ValueError(f"invalid language code {new.language!r}")
    if not 1 <= len(new.slots) <= MEETING_SLOTS or any(slot.utcoffset() is None for slot in new.slots):
        raise ValueError(f"a meeting has 1 to {MEETING_SLOTS} slots, each an aware instant")
    if list(new.slots) != sorted(new.slots):
        raise ValueError("a meeting's slots are in time order")
    return new


def span(meeting: NewMeeting | Meeting, slot: int | None = None) -> tuple[datetime, datetime]:
    """When the meeting's time starts and ends: the slot's, else from the first slot to the end of the last."""
    length = timedelta(minutes=meeting.duration_minutes)
    if slot is not None:
        return meeting.slots[slot], meeting.slots[slot] + length
    return meeting.slots[0], meeting.slots[-1] + length


class _Undo(Exception):
    """Roll the transaction back: the change does not apply."""


class MeetingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, new: NewMeeting, *, open_max: int, now: datetime) -> Meeting:
        new = checked_meeting(new)
        starts_at, ends_at = span(new)
        async with self.db.session() as session:
            # The counter first: on SQLite this takes the write lock before anything is read.
            number = await self._next_number(session, new.scope)
            open_now = await session.scalar(
                select(func.count())
                .select_from(MeetingRow)
                .where(MeetingRow.scope == new.scope, MeetingRow.state == "proposed", MeetingRow.ends_at > now)
            )
            if (open_now or 0) >= open_max:
                raise LimitReached(open_max)
            row = MeetingRow(
                scope=new.scope,
                number=number,
                chat_id=new.chat_id,
                created_by=new.created_by,
                duration_minutes=new.duration_minutes,
                title=new.title,
                language=new.language,
                slots=[slot.astimezone(UTC).isoformat() for slot in new.slots],
                state="proposed",
                confirmed_slot=None,
                starts_at=starts_at,
                ends_at=ends_at,
                reminder_ids=[],
                created_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return _meeting(row)

    async def _next_number(self, session: AsyncSession, scope: Scope) -> int:
        insert = upsert(self.db, MeetingCounterRow).values(scope=scope, last_number=1)
        statement = insert.on_conflict_do_update(
            index_elements=["scope"], set_={"last_number": MeetingCounterRow.last_number + 1}
        ).returning(MeetingCounterRow.last_number)
        return int((await session.execute(statement)).scalar_one())

    async def get(self, meeting_id: int) -> Meeting | None:
        async with self.db.session() as session:
            row = await session.get(MeetingRow, meeting_id)
            return None if row is None else _meeting(row)

    async def numbered(self, scope: Scope, number: int) -> Meeting | None:
        async with self.db.session() as session:
            row = await session.scalar(select(MeetingRow).where(MeetingRow.scope == scope, MeetingRow.number == number))
            return None if row is None else _meeting(row)

    async def upcoming(self, scope: Scope, now: datetime, *, limit: int) -> list[Meeting]:
        if limit <= 0:
            return []
        async with self.db.session() as session:
            found: list[Meeting] = []
            for state, order in (("confirmed", MeetingRow.starts_at), ("proposed", MeetingRow.number)):
                rows = await session.scalars(
                    select(MeetingRow)
                    .where(MeetingRow.scope == scope, MeetingRow.state == state, MeetingRow.ends_at > now)
                    .order_by(order, MeetingRow.number)
                    .limit(limit - len(found))
                )
                found.extend(_meeting(row) for row in rows)
                if len(found) >= limit:
                    break
            return found

    async def count_upcoming(self, scope: Scope, now: datetime) -> int:
        async with self.db.session() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(MeetingRow)
                .where(
                    MeetingRow.scope == scope,
                    MeetingRow.state.in_(("confirmed", "proposed")),
                    MeetingRow.ends_at > now,
                )
            )
            return int(count or 0)

    async def confirm(self, meeting_id: int, slot: int) -> Meeting | None:
        try:
            async with self.db.session() as session:
                changed = await session.execute(
                    update(MeetingRow)
                    .where(MeetingRow.id == meeting_id, MeetingRow.state == "proposed")
                    .values(state="confirmed", confirmed_slot=slot)
                    .execution_options(synchronize_session=False)
                )
                if rowcount(changed) == 0:
                    return None
                row = await session.get(MeetingRow, meeting_id, populate_existing=True)
                if row is None or not 0 <= slot < len(row.slots):
                    raise _Undo
                row.starts_at, row.ends_at = span(_meeting(row), slot)
                await session.flush()
                return _meeting(row)
        except _Undo:
            return None

    async def cancel(self, meeting_id: int) -> Meeting | None:
        async with self.db.session() as session:
            changed = await session.execute(
                update(MeetingRow)
                .where(MeetingRow.id == meeting_id, MeetingRow.state.in_(("proposed", "confirmed")))
                .values(state="cancelled")
                .execution_options(synchronize_session=False)
            )
            if rowcount(changed) == 0:
                return None
            row = await session.get(MeetingRow, meeting_id, populate_existing=True)
            return None if row is None else _meeting(row)

    async def set_reminders(self, meeting_id: int, reminder_ids: Sequence[int]) -> bool:
        async with self.db.session() as session:
            changed = await session.execute(
                update(MeetingRow)
                .where(MeetingRow.id == meeting_id, MeetingRow.state == "confirmed")
                .values(reminder_ids=[int(i) for i in reminder_ids])
                .execution_options(synchronize_session=False)
            )
            return rowcount(changed) > 0

    async def vote(self, meeting_id: int, slot: int, user_id: int, chat_id: int) -> bool:
        try:
            async with self.db.session() as session:
                # The delete first: it takes the write lock (SQLite) before the meeting is read.
                taken_back = await session.execute(
                    delete(MeetingVoteRow).where(
                        MeetingVoteRow.meeting_id == meeting_id,
                        MeetingVoteRow.slot == slot,
                        MeetingVoteRow.user_id == user_id,
                    )
                )
                if rowcount(taken_back):
                    return False
                row = await session.get(MeetingRow, meeting_id)
                if row is None:
                    raise LookupError(f"meeting {meeting_id} is not known")
                if not 0 <= slot < len(row.slots):
                    raise ValueError(f"meeting {meeting_id} has no slot {slot}")
                session.add(
                    MeetingVoteRow(
                        meeting_id=meeting_id, slot=slot, user_id=user_id, chat_id=chat_id, created_at=utcnow()
                    )
                )
                await session.flush()
                return True
        except IntegrityError:  # the same person's other press got there first: the vote is counted
            return True

    async def votes(self, meeting_id: int) -> list[MeetingVote]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(MeetingVoteRow)
                .where(MeetingVoteRow.meeting_id == meeting_id)
                .order_by(MeetingVoteRow.slot, MeetingVoteRow.id)
            )
            return [MeetingVote(row.meeting_id, row.slot, row.user_id, row.chat_id) for row in rows]

    async def add_post(self, post: MeetingPost) -> None:
        statement = upsert(self.db, MeetingPostRow).values(
            meeting_id=post.meeting_id, chat_id=post.chat_id, message_id=post.message_id
        )
        async with self.db.session() as session:
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["meeting_id", "chat_id"], set_={"message_id": post.message_id}
                )
            )

    async def posts(self, meeting_id: int) -> list[MeetingPost]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(MeetingPostRow).where(MeetingPostRow.meeting_id == meeting_id).order_by(MeetingPostRow.chat_id)
            )
            return [MeetingPost(row.meeting_id, row.chat_id, row.message_id) for row in rows]

    async def confirmed(self, scope: Scope, after: datetime) -> list[Meeting]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(MeetingRow)
                .where(MeetingRow.scope == scope, MeetingRow.state == "confirmed", MeetingRow.ends_at > after)
                .order_by(MeetingRow.starts_at, MeetingRow.number)
            )
            return [_meeting(row) for row in rows]

    async def purge_past(self, before: datetime) -> int:
        async with self.db.session() as session:
            return rowcount(await session.execute(delete(MeetingRow).where(MeetingRow.ends_at < before)))


def _meeting(row: MeetingRow) -> Meeting:
    return Meeting(
        id=row.id,
        scope=row.scope,
        number=row.number,
        chat_id=row.chat_id,
        created_by=row.created_by,
        duration_minutes=row.duration_minutes,
        title=row.title,
        language=row.language,
        slots=tuple(datetime.fromisoformat(slot).astimezone(UTC) for slot in row.slots),
        state=row.state,
        confirmed_slot=row.confirmed_slot,
        created_at=row.created_at,
        reminder_ids=tuple(int(i) for i in row.reminder_ids or ()),
    )
