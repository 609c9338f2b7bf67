"""Reminders: the messages the bot sends at a given instant, and the settings that decide them.

The reminders table is the truth; a scheduler only wakes the bot at ``next_due_at()``. A reminder is
claimed with one atomic ``UPDATE … WHERE state = 'pending'`` before it is sent, so it goes out once even
with several bot processes on one PostgreSQL database, and a claim left by a crashed process is released
by ``release_stale``.

States: pending → claimed → sent, or (pending/claimed) → cancelled; ``reschedule`` puts a claimed or
sent reminder back to pending (a recurring one, a digest), never a cancelled one.

A user's reminder ('adhoc' or 'recurring') is numbered 1, 2, 3 … per scope so that ``/reminders`` can list
it and ``/unremind 2`` cancel it. In a bridge it has one row per group, all with the same number: the
numbers come from a counter row per scope, bumped once per ``add_many`` call in the transaction that
inserts the rows (as storage.actions does for action items).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, true, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from bot.domain.errors import LimitReached
from bot.domain.records import (
    ChatSchedule,
    DigestToPlan,
    DigestWork,
    Liveness,
    NewReminder,
    Reminder,
    ReminderSettings,
    Scope,
)
from bot.domain.rules import LANGUAGE_CODE_MAX, REMINDER_LEAD_SECONDS_MAX, REMINDER_LEADS_MAX
from storage._shared import chat_record, checked_scope, is_retryable, require_aware, rowcount, upsert
from storage.cluster import gone
from storage.db import Database
from storage.models import (
    ActionItemRow,
    BridgeMemberRow,
    ChatRow,
    ChatScheduleRow,
    ReminderCounterRow,
    ReminderRow,
    ReminderSettingsRow,
    utcnow,
)

PENDING = "pending"
CLAIMED = "claimed"
SENT = "sent"
CANCELLED = "cancelled"
FAILED = "failed"  # Telegram refused it too often: stopped, and the group told
STATES = (PENDING, CLAIMED, SENT, CANCELLED, FAILED)
# "report": a group's automatic report (``text`` "monthly" or "quarterly").
KINDS = ("due", "overdue", "adhoc", "recurring", "digest", "snooze", "report", "meeting")
# The kinds a user makes, which are numbered per scope.
NUMBERED_KINDS = ("adhoc", "recurring")

MAX_TEXT_LENGTH = 4096
MAX_RECURRENCE_LENGTH = 255
MAX_TIMEZONE_LENGTH = 64
MAX_CLAIMER_LENGTH = 128

# How often add_many() re-runs its transaction after a PostgreSQL deadlock or serialization failure.
_ADD_ATTEMPTS = 5
_ACTIVE = (PENDING, CLAIMED)
_HH_MM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class ReminderRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, new: NewReminder) -> Reminder:
        """Store one reminder (pending). See ``add_many``."""
        return (await self.add_many([new]))[0]

    async def add_many(self, news: Sequence[NewReminder], *, numbered_max: int | None = None) -> list[Reminder]:
        """Store the reminders (pending) in one transaction, ids increasing in list order.

        The ``numbered`` ones of a scope get ONE new number of that scope, shared: they are one user
        reminder fanned out to the groups of a bridge. Only 'adhoc' and 'recurring' reminders are numbered.
        Raises ValueError for an invalid value, LookupError when a chat or action item is not known,
        ``LimitReached`` when a scope of the numbered ones has ``numbered_max`` users' reminders pending or
        being sent already (counted under the scope's counter lock).
        """
        if not news:
            return []
        for new in news:
            _check_new(new)
        numbered_scopes = sorted({new.scope for new in news if new.numbered}, key=lambda scope: scope.key)
        for attempt in range(_ADD_ATTEMPTS):
            try:
                async with self.db.session() as session:
                    # Writes only, the counters first: on SQLite the first takes the write lock, and sorted
                    # scopes keep concurrent calls on PostgreSQL from locking counters in opposite orders.
                    numbers = {scope: await self._next_number(session, scope) for scope in numbered_scopes}
                    if numbered_max is not None:
                        for scope in numbered_scopes:
                            if await _numbered_count(session, scope) >= numbered_max:
                                raise LimitReached(numbered_max)
                    now = utcnow()
                    rows = [_row(new, numbers.get(new.scope) if new.numbered else None, now) for new in news]
                    session.add_all(rows)
                    await session.flush()
                    return [_reminder(row) for row in rows]
            except IntegrityError as exc:
                await self._explain(exc, news)
                raise
            except DBAPIError as exc:
                if not is_retryable(exc) or attempt == _ADD_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def get(self, reminder_id: int) -> Reminder | None:
        async with self.db.session() as session:
            row = await session.get(ReminderRow, reminder_id)
            return _reminder(row) if row else None

    async def due(self, now: datetime, limit: int = 100) -> list[Reminder]:
        """Pending reminders due at or before ``now``, oldest first, at most ``limit`` (index state, due_at)."""
        require_aware(now, "now")
        if limit <= 0:
            return []
        statement = (
            select(ReminderRow)
            .where(ReminderRow.state == PENDING, ReminderRow.due_at <= now)
            .order_by(ReminderRow.due_at, ReminderRow.id)
            .limit(limit)
        )
        async with self.db.session() as session:
            return [_reminder(row) for row in (await session.scalars(statement)).all()]

    async def next_due_at(self) -> datetime | None:
        """When the next pending reminder is due (possibly in the past); None when none is pending."""
        async with self.db.session() as session:
            return await session.scalar(select(func.min(ReminderRow.due_at)).where(ReminderRow.state == PENDING))

    async def pending_count(self) -> int:
        """How many reminders are pending, in every scope."""
        async with self.db.session() as session:
            count = await session.scalar(
                select(func.count()).select_from(ReminderRow).where(ReminderRow.state == PENDING)
            )
            return int(count or 0)

    async def claim(self, reminder_id: int, now: datetime, claimer: str) -> bool:
        """Claim a pending reminder that is due, to send it; True for exactly one of concurrent claimers."""
        require_aware(now, "now")
        if not claimer or len(claimer) > MAX_CLAIMER_LENGTH:
            raise ValueError(f"a claimer is 1 to {MAX_CLAIMER_LENGTH} characters")
        statement = (
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id, ReminderRow.state == PENDING, ReminderRow.due_at <= now)
            .values(state=CLAIMED, claimed_at=self._database_now(), claimed_by=claimer)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            return rowcount(await session.execute(statement)) == 1

    async def mark_sent(self, reminder_id: int, now: datetime, *, late: bool) -> None:
        """Record that the reminder went out at ``now`` (``late``: well after its nominal instant).

        It is 'sent' whatever its state was: even one cancelled while it was being sent did go out.
        Nothing happens for an unknown id (its chat may have been deleted meanwhile).
        """
        require_aware(now, "now")
        statement = (
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id)
            .values(state=SENT, sent_at=now, late=late)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            await session.execute(statement)

    async def reschedule(self, reminder_id: int, due_at: datetime, nominal_at: datetime | None = None) -> Reminder:
        """Put the reminder back to pending, due at ``due_at`` (standing for ``nominal_at``, by default the
        same), its claim cleared; ``sent_at`` and ``late`` still tell of the last sending.

        A cancelled reminder stays cancelled (it is returned as it is): cancelling wins over a sender that
        reschedules a recurring reminder it was sending. LookupError for an unknown id.
        """
        require_aware(due_at, "due_at")
        require_aware(nominal_at, "nominal_at")
        due_at = due_at.astimezone(UTC)
        nominal = due_at if nominal_at is None else nominal_at.astimezone(UTC)
        statement = (
            update(ReminderRow)
            .where(ReminderRow.id == reminder_id, ReminderRow.state != CANCELLED)
            .values(state=PENDING, due_at=due_at, nominal_at=nominal, claimed_at=None, claimed_by=None, attempts=0)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            await session.execute(statement)
            row = await session.get(ReminderRow, reminder_id, populate_existing=True)
            if row is None:
                raise LookupError(f"no reminder {reminder_id}")
            return _reminder(row)

    async def release_own(self, claimer: str) -> int:
        """Put back to pending the reminders ``claimer`` claimed: this instance's own claims left over from a
        sending that went wrong before its outcome was recorded (it has nothing in flight when it asks)."""
        statement = (
            update(ReminderRow)
            .where(ReminderRow.state == CLAIMED, ReminderRow.claimed_by == claimer)
            .values(state=PENDING, claimed_at=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            return rowcount(await session.execute(statement))

    async def release_gone(self, live: Liveness) -> int:
        """Put back to pending the reminders claimed by instances that are gone (killed while sending);
        how many. One that was sent but not yet marked goes out a second time: at most once more."""
        statement = (
            update(ReminderRow)
            .where(ReminderRow.state == CLAIMED, gone(live, ReminderRow.claimed_by))
            .values(state=PENDING, claimed_at=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            return rowcount(await session.execute(statement))

    async def retry_later(self, reminder_id: int, due_at: datetime) -> int:
        """A send failed: pending again at ``due_at`` (unless cancelled meanwhile); how many attempts
        failed so far."""
        require_aware(due_at, "due_at")
        async with self.db.session() as session:
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id == reminder_id, ReminderRow.state != CANCELLED)
                .values(
                    state=PENDING,
                    due_at=due_at.astimezone(UTC),
                    claimed_at=None,
                    claimed_by=None,
                    attempts=ReminderRow.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            return int(await session.scalar(select(ReminderRow.attempts).where(ReminderRow.id == reminder_id)) or 0)

    async def mark_failed(self, reminder_id: int) -> None:
        """Stop a reminder Telegram keeps refusing."""
        async with self.db.session() as session:
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id == reminder_id)
                .values(state=FAILED, claimed_at=None, claimed_by=None)
                .execution_options(synchronize_session=False)
            )

    def _database_now(self, offset: timedelta = timedelta(0)) -> ColumnElement[datetime]:
        """The database's own clock (plus ``offset``), as a value for ``claimed_at``."""
        if self.db.engine.dialect.name == "sqlite":
            # The form SQLAlchemy stores a SQLite DateTime in: "YYYY-MM-DD HH:MM:SS.ffffff".
            modifier = f"{offset.total_seconds():+.6f} seconds"
            return func.strftime("%Y-%m-%d %H:%M:%f000", "now", modifier)
        return func.now() + offset

    async def cancel(self, reminder_id: int) -> bool:
        """Cancel a pending or claimed reminder; False when there is none such."""
        return await self._cancel(ReminderRow.id == reminder_id) > 0

    async def cancel_number(self, scope: Scope, number: int) -> Reminder | None:
        """Cancel the user's reminder #``number`` of the scope (all its rows, pending or being sent).

        Returns its row in the chat where it is due first, now cancelled; None when the scope has no such
        reminder pending (or being sent).
        """
        where = (ReminderRow.scope == scope, ReminderRow.number == number, ReminderRow.state.in_(_ACTIVE))
        async with self.db.session() as session:
            # The UPDATE first (row locks on PostgreSQL, the write lock on SQLite), then read what it changed.
            changed = await session.execute(
                update(ReminderRow)
                .where(*where)
                .values(state=CANCELLED)
                .returning(ReminderRow.id)
                .execution_options(synchronize_session=False)
            )
            ids = list(changed.scalars().all())
            if not ids:
                return None
            row = (
                await session.scalars(
                    select(ReminderRow)
                    .where(ReminderRow.id.in_(ids))
                    .order_by(ReminderRow.due_at, ReminderRow.id)
                    .limit(1)
                    .execution_options(populate_existing=True)
                )
            ).one()
            return _reminder(row)

    async def move_number(self, scope: Scope, number: int, was: datetime, due_at: datetime) -> int:
        """Move the user's one-off reminder #``number`` from ``was`` to ``due_at`` (all its pending rows);
        the number of rows moved (0 when it already fired, was cancelled or was moved meanwhile)."""
        require_aware(was, "was")
        require_aware(due_at, "due_at")
        due_at = due_at.astimezone(UTC)
        statement = (
            update(ReminderRow)
            .where(
                ReminderRow.scope == scope,
                ReminderRow.number == number,
                ReminderRow.state == PENDING,
                ReminderRow.kind == "adhoc",
                ReminderRow.nominal_at > was.astimezone(UTC) - timedelta(seconds=1),
                ReminderRow.nominal_at < was.astimezone(UTC) + timedelta(seconds=1),
            )
            .values(due_at=due_at, nominal_at=due_at, attempts=0)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            return rowcount(await session.execute(statement))

    async def count_numbered(self, scope: Scope) -> int:
        """The scope's users' reminders pending or being sent (each counted once, not per group)."""
        async with self.db.session() as session:
            return await _numbered_count(session, scope)

    async def purge_finished(self, before: datetime) -> int:
        """Forget reminders sent, cancelled or stopped before ``before`` (their texts with them); how many."""
        require_aware(before, "before")
        async with self.db.session() as session:
            result = await session.execute(
                delete(ReminderRow).where(
                    ReminderRow.state.in_((SENT, CANCELLED, FAILED)),
                    func.coalesce(ReminderRow.sent_at, ReminderRow.created_at) < before,
                )
            )
            return rowcount(result)

    async def numbered(self, scope: Scope, number: int) -> Reminder | None:
        """The user's reminder #``number`` of the scope (its row due first), if it is pending or being sent."""
        statement = (
            select(ReminderRow)
            .where(ReminderRow.scope == scope, ReminderRow.number == number, ReminderRow.state.in_(_ACTIVE))
            .order_by(ReminderRow.due_at, ReminderRow.id)
            .limit(1)
        )
        async with self.db.session() as session:
            row = (await session.scalars(statement)).first()
            return _reminder(row) if row is not None else None

    async def cancel_for_chat(self, chat_id: int, scope: Scope) -> int:
        """Cancel the chat's pending and claimed reminders of a scope (the chat left it); how many."""
        return await self._cancel(ReminderRow.chat_id == chat_id, ReminderRow.scope == scope)

    async def cancel_for_item(self, action_item_id: int, kinds: Collection[str] | None = None) -> int:
        """Cancel the item's pending and claimed reminders (of the given kinds; None: all); how many."""
        conditions = [ReminderRow.action_item_id == action_item_id]
        if kinds is not None:
            conditions.append(ReminderRow.kind.in_(_kinds(kinds)))
        return await self._cancel(*conditions)

    async def for_item(
        self,
        action_item_id: int,
        kinds: Collection[str] | None = None,
        states: Collection[str] = (PENDING,),
    ) -> list[Reminder]:
        """The item's reminders of the given kinds (None: all) and states, soonest due first."""
        conditions = [ReminderRow.action_item_id == action_item_id, ReminderRow.state.in_(_states(states))]
        if kinds is not None:
            conditions.append(ReminderRow.kind.in_(_kinds(kinds)))
        statement = select(ReminderRow).where(*conditions).order_by(ReminderRow.due_at, ReminderRow.id)
        async with self.db.session() as session:
            return [_reminder(row) for row in (await session.scalars(statement)).all()]

    async def upcoming(self, scope: Scope, limit: int = 20) -> list[Reminder]:
        """The scope's pending numbered reminders, one row per number (the one due first), soonest first."""
        if limit <= 0:
            return []
        rank = (
            func.row_number()
            .over(partition_by=ReminderRow.number, order_by=(ReminderRow.due_at, ReminderRow.id))
            .label("rank")
        )
        ranked = (
            select(ReminderRow.id, rank)
            .where(ReminderRow.scope == scope, ReminderRow.number.is_not(None), ReminderRow.state == PENDING)
            .subquery()
        )
        statement = (
            select(ReminderRow)
            .join(ranked, ranked.c.id == ReminderRow.id)
            .where(ranked.c.rank == 1)
            .order_by(ReminderRow.due_at, ReminderRow.number)
            .limit(limit)
        )
        async with self.db.session() as session:
            return [_reminder(row) for row in (await session.scalars(statement)).all()]

    async def find(self, chat_id: int, kind: str, *, states: Collection[str] = (PENDING,)) -> Reminder | None:
        """The chat's reminder of that kind in those states (the one due first), e.g. its pending digest."""
        statement = (
            select(ReminderRow)
            .where(
                ReminderRow.chat_id == chat_id,
                ReminderRow.kind == _kinds([kind])[0],
                ReminderRow.state.in_(_states(states)),
            )
            .order_by(ReminderRow.due_at, ReminderRow.id)
            .limit(1)
        )
        async with self.db.session() as session:
            row = await session.scalar(statement)
            return _reminder(row) if row else None

    async def digest_work(self) -> DigestWork:
        """What the weekly digests need now, in two queries whatever the number of groups (the per-minute
        sweep runs this; it must never walk every chat):

        - ``to_plan``: the active groups (not private chats) with the digest on — a stored schedule with a
          weekday, or no stored schedule while the defaults (``ChatSchedule``) have one — and no digest
          pending or being sent; each with its schedule (the defaults when none is stored) and bridge;
        - ``to_cancel``: the digests pending or being sent of active groups whose digest is off.

        Both in chat id order (then due first). Inactive groups and private chats are left as they are.
        """
        digest_on: ColumnElement[bool] = ChatScheduleRow.digest_weekday.is_not(None)
        if ChatSchedule(chat_id=0).digest_weekday is not None:
            digest_on = or_(ChatScheduleRow.chat_id.is_(None), digest_on)
        group = (ChatRow.active == true(), ChatRow.type != "private")
        has_digest = exists().where(
            ReminderRow.chat_id == ChatRow.id, ReminderRow.kind == "digest", ReminderRow.state.in_(_ACTIVE)
        )
        missing = (
            select(ChatRow, ChatScheduleRow, BridgeMemberRow.bridge_id)
            .outerjoin(ChatScheduleRow, ChatScheduleRow.chat_id == ChatRow.id)
            .outerjoin(BridgeMemberRow, BridgeMemberRow.chat_id == ChatRow.id)
            .where(*group, digest_on, ~has_digest)
            .order_by(ChatRow.id)
        )
        # Driven by the groups with the digest off (then the index on chat, kind, state): a join would let the
        # planner walk every pending reminder instead.
        digest_off = (
            select(ChatRow.id)
            .outerjoin(ChatScheduleRow, ChatScheduleRow.chat_id == ChatRow.id)
            .where(*group, ~digest_on)
        )
        unwanted = (
            select(ReminderRow)
            .where(ReminderRow.chat_id.in_(digest_off), ReminderRow.kind == "digest", ReminderRow.state.in_(_ACTIVE))
            .order_by(ReminderRow.chat_id, ReminderRow.due_at, ReminderRow.id)
        )
        async with self.db.session() as session:
            to_plan = tuple(
                DigestToPlan(
                    chat=chat_record(chat),
                    schedule=_schedule(schedule) if schedule is not None else ChatSchedule(chat_id=chat.id),
                    bridge_id=bridge_id,
                )
                for chat, schedule, bridge_id in await session.execute(missing)
            )
            to_cancel = tuple(_reminder(row) for row in (await session.scalars(unwanted)).all())
        return DigestWork(to_plan=to_plan, to_cancel=to_cancel)

    async def cancel_many(self, reminder_ids: Collection[int]) -> int:
        """Cancel those of these reminders that are pending or being sent (one statement); how many."""
        ids = sorted(set(reminder_ids))
        if not ids:
            return 0
        return await self._cancel(ReminderRow.id.in_(ids))

    # -- internals ---------------------------------------------------------------------------------

    async def _next_number(self, session: AsyncSession, scope: Scope) -> int:
        """Bump the scope's counter (creating it at 1) and return the new value; the row stays locked."""
        insert = upsert(self.db, ReminderCounterRow).values(scope=scope, last_number=1)
        statement = insert.on_conflict_do_update(
            index_elements=["scope"], set_={"last_number": ReminderCounterRow.last_number + 1}
        ).returning(ReminderCounterRow.last_number)
        return (await session.execute(statement)).scalar_one()

    async def _cancel(self, *conditions: ColumnElement[bool]) -> int:
        statement = (
            update(ReminderRow)
            .where(*conditions, ReminderRow.state.in_(_ACTIVE))
            .values(state=CANCELLED)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            return rowcount(await session.execute(statement))

    async def _explain(self, exc: IntegrityError, news: Sequence[NewReminder]) -> None:
        """Raise LookupError when the insert failed for an unknown chat or action item (checked only once
        the failed transaction is over, so that add_many itself never reads before it writes)."""
        chat_ids = {new.chat_id for new in news}
        item_ids = {new.action_item_id for new in news if new.action_item_id is not None}
        async with self.db.session() as session:
            known_chats = set((await session.scalars(select(ChatRow.id).where(ChatRow.id.in_(chat_ids)))).all())
            known_items: set[int] = set()
            if item_ids:
                known_items = set(
                    (await session.scalars(select(ActionItemRow.id).where(ActionItemRow.id.in_(item_ids)))).all()
                )
        if chat_ids - known_chats:
            raise LookupError(f"chat {min(chat_ids - known_chats)} is not known") from exc
        if item_ids - known_items:
            raise LookupError(f"action item {min(item_ids - known_items)} is not known") from exc


class ReminderSettingsRepository:
    """Reminder settings per scope (ReminderSettings) and the schedule of each chat (ChatSchedule)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, scope: Scope) -> ReminderSettings:
        """The scope's settings; the defaults when it has none stored."""
        async with self.db.session() as session:
            row = await session.get(ReminderSettingsRow, scope)
            return _settings(row) if row else ReminderSettings(scope=scope)

    async def set_lead(self, scope: Scope, lead_seconds: Sequence[int]) -> ReminderSettings:
        """Remind of the scope's items these many seconds before they are due (0: at the due instant).

        Each 0 to 30 days, at most 5 different values (duplicates are dropped); empty: no such reminders.
        """
        leads = _leads(lead_seconds)
        return await self._set_settings(scope, lead_seconds=leads)

    async def set_overdue(self, scope: Scope, on: bool) -> ReminderSettings:
        """Whether overdue items of the scope are reminded of."""
        return await self._set_settings(scope, overdue=bool(on))

    async def schedule(self, chat_id: int) -> ChatSchedule:
        """The chat's schedule; the defaults when it has none stored."""
        async with self.db.session() as session:
            row = await session.get(ChatScheduleRow, chat_id)
            return _schedule(row) if row else ChatSchedule(chat_id=chat_id)

    async def set_quiet(self, chat_id: int, start: str | None, end: str | None) -> ChatSchedule:
        """Quiet hours from ``start`` to ``end`` ("HH:MM", the chat's local time; may span midnight), or
        none when ``start`` is None (``end`` is then ignored).

        ValueError for a malformed time, a missing end or an empty span; LookupError for an unknown chat.
        """
        if start is None:
            quiet_start, quiet_end = None, None
        else:
            if end is None:
                raise ValueError("quiet hours need an end")
            quiet_start, quiet_end = hh_mm(start), hh_mm(end)
            if quiet_start == quiet_end:
                raise ValueError("quiet hours must not start and end at the same time")
        return await self._set_schedule(chat_id, quiet_start=quiet_start, quiet_end=quiet_end)

    async def set_digest(self, chat_id: int, weekday: int | None, time: str | None = None) -> ChatSchedule:
        """The weekly digest on ``weekday`` (Monday = 0 … Sunday = 6; None: no digest) at ``time`` ("HH:MM",
        the chat's local time; None: keep the current one). ValueError for an invalid value, LookupError for
        an unknown chat."""
        if weekday is not None and (isinstance(weekday, bool) or not 0 <= weekday <= 6):
            raise ValueError(f"a weekday is 0 (Monday) to 6 (Sunday), not {weekday!r}")
        values: dict[str, Any] = {"digest_weekday": weekday}
        if time is not None:
            values["digest_time"] = hh_mm(time)
        return await self._set_schedule(chat_id, **values)

    # -- internals ---------------------------------------------------------------------------------

    async def _set_settings(self, scope: Scope, **changes: Any) -> ReminderSettings:
        scope = checked_scope(scope)
        defaults = ReminderSettings(scope=scope)
        values: dict[str, Any] = {
            "scope": scope,
            "lead_seconds": list(defaults.lead_seconds),
            "overdue": defaults.overdue,
            "updated_at": utcnow(),
        }
        values.update(changes)
        statement = upsert(self.db, ReminderSettingsRow).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["scope"], set_={**changes, "updated_at": values["updated_at"]}
        )
        async with self.db.session() as session:
            await session.execute(statement)
            row = await session.get(ReminderSettingsRow, scope, populate_existing=True)
            assert row is not None
            return _settings(row)

    async def _set_schedule(self, chat_id: int, **changes: Any) -> ChatSchedule:
        defaults = ChatSchedule(chat_id=chat_id)
        values: dict[str, Any] = {
            "chat_id": chat_id,
            "quiet_start": defaults.quiet_start,
            "quiet_end": defaults.quiet_end,
            "digest_weekday": defaults.digest_weekday,
            "digest_time": defaults.digest_time,
            "updated_at": utcnow(),
        }
        values.update(changes)
        statement = upsert(self.db, ChatScheduleRow).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["chat_id"], set_={**changes, "updated_at": values["updated_at"]}
        )
        try:
            async with self.db.session() as session:
                await session.execute(statement)
                row = await session.get(ChatScheduleRow, chat_id, populate_existing=True)
                assert row is not None
                return _schedule(row)
        except IntegrityError as exc:
            async with self.db.session() as session:
                known = await session.get(ChatRow, chat_id)
            if known is None:
                raise LookupError(f"chat {chat_id} is not known") from exc
            raise


# -- helpers -----------------------------------------------------------------------------------------------


def hh_mm(value: str) -> str:
    """A time of day "H:MM" or "HH:MM" (00:00 to 23:59) as "HH:MM"; ValueError for anything else."""
    match = _HH_MM.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"a time of day is HH:MM, 00:00 to 23:59, not {value!r}")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _optional_text(value: str | None, limit: int, what: str) -> None:
    if value is not None and len(value) > limit:
        raise ValueError(f"{what} is at most {limit} characters")


def _check_new(new: NewReminder) -> None:
    checked_scope(new.scope)
    if new.kind not in KINDS:
        raise ValueError(f"unknown reminder kind {new.kind!r}; one of {', '.join(KINDS)}")
    if new.numbered and new.kind not in NUMBERED_KINDS:
        raise ValueError(f"only {' and '.join(NUMBERED_KINDS)} reminders are numbered, not {new.kind!r}")
    require_aware(new.due_at, "due_at")
    require_aware(new.nominal_at, "nominal_at")
    _optional_text(new.text, MAX_TEXT_LENGTH, "a reminder text")
    if new.language is not None and not 0 < len(new.language) <= LANGUAGE_CODE_MAX:
        raise ValueError(f"invalid language code {new.language!r}")
    _optional_text(new.recurrence, MAX_RECURRENCE_LENGTH, "a recurrence")
    _optional_text(new.timezone, MAX_TIMEZONE_LENGTH, "a time zone")
    if new.lead_seconds is not None and not 0 <= new.lead_seconds <= REMINDER_LEAD_SECONDS_MAX:
        raise ValueError(f"lead_seconds is 0 to {REMINDER_LEAD_SECONDS_MAX}, not {new.lead_seconds}")


def _row(new: NewReminder, number: int | None, now: datetime) -> ReminderRow:
    due_at = new.due_at.astimezone(UTC)
    return ReminderRow(
        scope=new.scope,
        number=number,
        chat_id=new.chat_id,
        kind=new.kind,
        action_item_id=new.action_item_id,
        text=new.text,
        language=new.language,
        due_at=due_at,
        nominal_at=due_at if new.nominal_at is None else new.nominal_at.astimezone(UTC),
        recurrence=new.recurrence,
        timezone=new.timezone,
        lead_seconds=new.lead_seconds,
        state=PENDING,
        late=False,
        claimed_at=None,
        claimed_by=None,
        sent_at=None,
        created_by=new.created_by,
        created_at=now,
        origin_chat_id=new.origin_chat_id,
    )


def _checked(values: Collection[str], allowed: Sequence[str], what: str) -> list[str]:
    if isinstance(values, str):
        raise TypeError(f"{what}s must be a collection of strings, not a string")
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"unknown {what} {sorted(unknown)[0]!r}; one of {', '.join(allowed)}")
    return [value for value in allowed if value in values]


def _kinds(kinds: Collection[str]) -> list[str]:
    return _checked(kinds, KINDS, "reminder kind")


def _states(states: Collection[str]) -> list[str]:
    return _checked(states, STATES, "reminder state")


def _leads(lead_seconds: Iterable[int]) -> list[int]:
    if isinstance(lead_seconds, str):
        raise TypeError("lead_seconds must be a sequence of integers, not a string")
    leads: set[int] = set()
    for lead in lead_seconds:
        if isinstance(lead, bool) or not isinstance(lead, int) or not 0 <= lead <= REMINDER_LEAD_SECONDS_MAX:
            raise ValueError(f"a lead time is 0 to {REMINDER_LEAD_SECONDS_MAX} seconds (30 days), not {lead!r}")
        leads.add(lead)
    if len(leads) > REMINDER_LEADS_MAX:
        raise ValueError(f"at most {REMINDER_LEADS_MAX} lead times")
    return sorted(leads, reverse=True)


def _reminder(row: ReminderRow) -> Reminder:
    return Reminder(
        id=row.id,
        scope=row.scope,
        number=row.number,
        chat_id=row.chat_id,
        kind=row.kind,
        action_item_id=row.action_item_id,
        text=row.text,
        language=row.language,
        due_at=row.due_at,
        nominal_at=row.nominal_at,
        recurrence=row.recurrence,
        timezone=row.timezone,
        lead_seconds=row.lead_seconds,
        state=row.state,
        late=row.late,
        created_by=row.created_by,
        created_at=row.created_at,
        sent_at=row.sent_at,
        attempts=row.attempts or 0,
        origin_chat_id=row.origin_chat_id,
    )


def _settings(row: ReminderSettingsRow) -> ReminderSettings:
    return ReminderSettings(scope=row.scope, lead_seconds=tuple(int(s) for s in row.lead_seconds), overdue=row.overdue)


def _schedule(row: ChatScheduleRow) -> ChatSchedule:
    return ChatSchedule(
        chat_id=row.chat_id,
        quiet_start=row.quiet_start,
        quiet_end=row.quiet_end,
        digest_weekday=row.digest_weekday,
        digest_time=row.digest_time,
    )


async def _numbered_count(session: AsyncSession, scope: Scope) -> int:
    count = await session.scalar(
        select(func.count(func.distinct(ReminderRow.number))).where(
            ReminderRow.scope == scope, ReminderRow.number.is_not(None), ReminderRow.state.in_(_ACTIVE)
        )
    )
    return int(count or 0)
