"""Reminders and their settings in memory (storage/reminders.py).

Validation goes through storage's own pure helpers, so the two cannot disagree. The fakes keep what the
tables hold:

- ``FakeReminderRepository.rows``: reminder id → ``Reminder``; ``claims``: reminder id → (claimed_at,
  claimed_by), the claim columns, which no record shows; ``counters``: scope → last number handed out;
- ``FakeReminderSettingsRepository.settings``: scope → ``ReminderSettings``; ``schedules``: chat id →
  ``ChatSchedule`` (only those stored: the others have the defaults).

Claims are stamped and judged by ``memory.now()`` (storage: the database's clock). Who is alive
(``release_gone``): with ``Liveness.shared`` False, as on SQLite, every claimer but ``live.me`` is gone;
with ``shared`` True the instances alive are ``live.me`` and those in ``memory.leases.alive`` (empty unless a
test adds some: memory has no PostgreSQL advisory locks to read; tests/fakes/relay.py, ``gone``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

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
from storage._shared import checked_scope, require_aware
from storage.reminders import (
    CANCELLED,
    CLAIMED,
    FAILED,
    MAX_CLAIMER_LENGTH,
    PENDING,
    SENT,
    _check_new,
    _kinds,
    _leads,
    _states,
    hh_mm,
)
from tests.fakes.relay import gone

if TYPE_CHECKING:
    from tests.fakes.memory import Memory

_ACTIVE = (PENDING, CLAIMED)
_FINISHED = (SENT, CANCELLED, FAILED)


def _by_due(reminder: Reminder) -> tuple[datetime, int]:
    return reminder.due_at, reminder.id


class FakeReminderRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, Reminder] = {}
        self.claims: dict[int, tuple[datetime, str]] = {}
        self.counters: dict[Scope, int] = {}

    async def add(self, new: NewReminder) -> Reminder:
        return (await self.add_many([new]))[0]

    async def add_many(self, news: Sequence[NewReminder], *, numbered_max: int | None = None) -> list[Reminder]:
        if not news:
            return []
        for new in news:
            _check_new(new)
        # What the foreign keys refuse, checked before any counter moves: a failed add hands out no number.
        unknown_chats = {new.chat_id for new in news} - set(self.memory.chats.rows)
        if unknown_chats:
            raise LookupError(f"chat {min(unknown_chats)} is not known")
        item_ids = {new.action_item_id for new in news if new.action_item_id is not None}
        unknown_items = item_ids - set(self.memory.actions.rows)
        if unknown_items:
            raise LookupError(f"action item {min(unknown_items)} is not known")
        numbered_scopes = sorted({new.scope for new in news if new.numbered}, key=lambda scope: scope.key)
        if numbered_max is not None:
            for scope in numbered_scopes:
                if await self.count_numbered(scope) >= numbered_max:
                    raise LimitReached(numbered_max)
        numbers: dict[Scope, int] = {}
        for scope in numbered_scopes:
            numbers[scope] = self.counters[scope] = self.counters.get(scope, 0) + 1
        now = self._now()
        added: list[Reminder] = []
        for new in news:
            due_at = new.due_at.astimezone(UTC)
            reminder = Reminder(
                id=self.memory.next_id("reminders"),
                scope=new.scope,
                number=numbers.get(new.scope) if new.numbered else None,
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
                created_by=new.created_by,
                created_at=now,
                sent_at=None,
                attempts=0,
                origin_chat_id=new.origin_chat_id,
            )
            self.rows[reminder.id] = reminder
            added.append(reminder)
        return added

    async def get(self, reminder_id: int) -> Reminder | None:
        return self.rows.get(reminder_id)

    async def due(self, now: datetime, limit: int = 100) -> list[Reminder]:
        require_aware(now, "now")
        if limit <= 0:
            return []
        return sorted(self._where(lambda r: r.state == PENDING and r.due_at <= now), key=_by_due)[:limit]

    async def next_due_at(self) -> datetime | None:
        return min((r.due_at for r in self._where(lambda r: r.state == PENDING)), default=None)

    async def pending_count(self) -> int:
        return len(self._where(lambda r: r.state == PENDING))

    async def claim(self, reminder_id: int, now: datetime, claimer: str) -> bool:
        require_aware(now, "now")
        if not claimer or len(claimer) > MAX_CLAIMER_LENGTH:
            raise ValueError(f"a claimer is 1 to {MAX_CLAIMER_LENGTH} characters")
        reminder = self.rows.get(reminder_id)
        if reminder is None or reminder.state != PENDING or reminder.due_at > now:
            return False
        self.rows[reminder_id] = replace(reminder, state=CLAIMED)
        self.claims[reminder_id] = (self._now(), claimer)
        return True

    async def mark_sent(self, reminder_id: int, now: datetime, *, late: bool) -> None:
        require_aware(now, "now")
        reminder = self.rows.get(reminder_id)
        if reminder is not None:  # the claim columns stay as they were (storage leaves them)
            self.rows[reminder_id] = replace(reminder, state=SENT, sent_at=now.astimezone(UTC), late=late)

    async def reschedule(self, reminder_id: int, due_at: datetime, nominal_at: datetime | None = None) -> Reminder:
        require_aware(due_at, "due_at")
        require_aware(nominal_at, "nominal_at")
        due_at = due_at.astimezone(UTC)
        nominal = due_at if nominal_at is None else nominal_at.astimezone(UTC)
        reminder = self.rows.get(reminder_id)
        if reminder is None:
            raise LookupError(f"no reminder {reminder_id}")
        if reminder.state != CANCELLED:
            reminder = self._pending(reminder, due_at=due_at, nominal_at=nominal, attempts=0)
        return reminder

    async def release_own(self, claimer: str) -> int:
        own = [r for r in self._where(lambda r: r.state == CLAIMED) if self._claim(r.id)[1] == claimer]
        for reminder in own:
            self._pending(reminder)
        return len(own)

    async def release_gone(self, live: Liveness) -> int:
        claimed = self._where(lambda r: r.state == CLAIMED)
        abandoned = [r for r in claimed if gone(self.memory, live, self._claim(r.id)[1])]
        for reminder in abandoned:
            self._pending(reminder)
        return len(abandoned)

    async def retry_later(self, reminder_id: int, due_at: datetime) -> int:
        require_aware(due_at, "due_at")
        reminder = self.rows.get(reminder_id)
        if reminder is None:
            return 0
        if reminder.state != CANCELLED:
            reminder = self._pending(reminder, due_at=due_at.astimezone(UTC), attempts=reminder.attempts + 1)
        return reminder.attempts

    async def mark_failed(self, reminder_id: int) -> None:
        reminder = self.rows.get(reminder_id)
        if reminder is not None:
            self.rows[reminder_id] = replace(reminder, state=FAILED)
            self.claims.pop(reminder_id, None)

    async def cancel(self, reminder_id: int) -> bool:
        return self._cancel(lambda r: r.id == reminder_id) > 0

    async def cancel_number(self, scope: Scope, number: int) -> Reminder | None:
        cancelled = self._cancelled(lambda r: r.scope == scope and r.number == number)
        return min(cancelled, key=_by_due, default=None)

    async def move_number(self, scope: Scope, number: int, was: datetime, due_at: datetime) -> int:
        require_aware(was, "was")
        require_aware(due_at, "due_at")
        due_at = due_at.astimezone(UTC)
        low, high = was - timedelta(seconds=1), was + timedelta(seconds=1)
        moved = self._where(
            lambda r: (
                r.scope == scope
                and r.number == number
                and r.state == PENDING
                and r.kind == "adhoc"
                and low < r.nominal_at < high
            )
        )
        for reminder in moved:
            self.rows[reminder.id] = replace(reminder, due_at=due_at, nominal_at=due_at, attempts=0)
        return len(moved)

    async def count_numbered(self, scope: Scope) -> int:
        active = self._where(lambda r: r.scope == scope and r.number is not None and r.state in _ACTIVE)
        return len({r.number for r in active})

    async def purge_finished(self, before: datetime) -> int:
        require_aware(before, "before")
        finished = self._where(lambda r: r.state in _FINISHED and (r.sent_at or r.created_at) < before)
        self._delete(r.id for r in finished)
        return len(finished)

    async def numbered(self, scope: Scope, number: int) -> Reminder | None:
        found = self._where(lambda r: r.scope == scope and r.number == number and r.state in _ACTIVE)
        return min(found, key=_by_due, default=None)

    async def cancel_for_chat(self, chat_id: int, scope: Scope) -> int:
        return self._cancel(lambda r: r.chat_id == chat_id and r.scope == scope)

    async def cancel_for_item(self, action_item_id: int, kinds: Collection[str] | None = None) -> int:
        wanted = None if kinds is None else _kinds(kinds)
        return self._cancel(lambda r: r.action_item_id == action_item_id and (wanted is None or r.kind in wanted))

    async def for_item(
        self, action_item_id: int, kinds: Collection[str] | None = None, states: Collection[str] = (PENDING,)
    ) -> list[Reminder]:
        in_states = _states(states)
        wanted = None if kinds is None else _kinds(kinds)
        found = self._where(
            lambda r: (
                r.action_item_id == action_item_id and r.state in in_states and (wanted is None or r.kind in wanted)
            )
        )
        return sorted(found, key=_by_due)

    async def upcoming(self, scope: Scope, limit: int = 20) -> list[Reminder]:
        if limit <= 0:
            return []
        first: dict[int, Reminder] = {}  # number → its row due first
        for reminder in self._where(lambda r: r.scope == scope and r.number is not None and r.state == PENDING):
            assert reminder.number is not None
            kept = first.get(reminder.number)
            if kept is None or _by_due(reminder) < _by_due(kept):
                first[reminder.number] = reminder
        return sorted(first.values(), key=lambda r: (r.due_at, r.number or 0))[:limit]

    async def find(self, chat_id: int, kind: str, *, states: Collection[str] = (PENDING,)) -> Reminder | None:
        wanted = _kinds([kind])[0]
        in_states = _states(states)
        found = self._where(lambda r: r.chat_id == chat_id and r.kind == wanted and r.state in in_states)
        return min(found, key=_by_due, default=None)

    async def digest_work(self) -> DigestWork:
        schedules = self.memory.reminder_settings.schedules
        default_on = ChatSchedule(chat_id=0).digest_weekday is not None

        def digest_on(chat_id: int) -> bool:
            stored = schedules.get(chat_id)
            return default_on if stored is None else stored.digest_weekday is not None

        groups = [
            chat for _chat_id, chat in sorted(self.memory.chats.rows.items()) if chat.active and chat.type != "private"
        ]
        digests = self._where(lambda r: r.kind == "digest" and r.state in _ACTIVE)
        with_digest = {r.chat_id for r in digests}
        membership = self.memory.bridges.membership
        to_plan = tuple(
            DigestToPlan(
                chat=chat,
                schedule=schedules.get(chat.id) or ChatSchedule(chat_id=chat.id),
                bridge_id=membership[chat.id][0] if chat.id in membership else None,
            )
            for chat in groups
            if digest_on(chat.id) and chat.id not in with_digest
        )
        off = {chat.id for chat in groups if not digest_on(chat.id)}
        to_cancel = sorted((r for r in digests if r.chat_id in off), key=lambda r: (r.chat_id, r.due_at, r.id))
        return DigestWork(to_plan=to_plan, to_cancel=tuple(to_cancel))

    async def cancel_many(self, reminder_ids: Collection[int]) -> int:
        ids = set(reminder_ids)
        if not ids:
            return 0
        return self._cancel(lambda r: r.id in ids)

    # -- internals ---------------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.memory.now().astimezone(UTC)

    def _where(self, condition: Callable[[Reminder], bool]) -> list[Reminder]:
        """The rows that meet ``condition``, by id."""
        return [reminder for _id, reminder in sorted(self.rows.items()) if condition(reminder)]

    def _claim(self, reminder_id: int) -> tuple[datetime, str | None]:
        return self.claims.get(reminder_id, (datetime.min.replace(tzinfo=UTC), None))

    def _pending(self, reminder: Reminder, **changes: Any) -> Reminder:
        """Back to pending, its claim cleared (with ``changes``)."""
        self.claims.pop(reminder.id, None)
        reminder = self.rows[reminder.id] = replace(reminder, state=PENDING, **changes)
        return reminder

    def _cancelled(self, condition: Callable[[Reminder], bool]) -> list[Reminder]:
        """Cancel the pending and claimed rows that meet ``condition`` (their claim columns stay); them."""
        cancelled = [replace(r, state=CANCELLED) for r in self._where(lambda r: r.state in _ACTIVE and condition(r))]
        for reminder in cancelled:
            self.rows[reminder.id] = reminder
        return cancelled

    def _cancel(self, condition: Callable[[Reminder], bool]) -> int:
        return len(self._cancelled(condition))

    def _delete(self, reminder_ids: Iterable[int]) -> int:
        count = 0
        for reminder_id in list(reminder_ids):
            if self.rows.pop(reminder_id, None) is not None:
                count += 1
            self.claims.pop(reminder_id, None)
        return count

    def _delete_for_chat(self, chat_id: int) -> int:
        """Delete the chat's reminders (forgetting it); how many. The actions fake calls this before it
        deletes the chat's items, as storage deletes reminders first (so the count is storage's)."""
        return self._delete(r.id for r in self._where(lambda r: r.chat_id == chat_id))

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        for reminder in self._where(lambda r: r.chat_id == old):
            self.rows[reminder.id] = replace(reminder, chat_id=new)
        for reminder in self._where(lambda r: r.origin_chat_id == old):
            self.rows[reminder.id] = replace(reminder, origin_chat_id=new)

    def _rescope(self, old: Scope, new: Scope) -> None:
        if old == new:
            return
        if old in self.counters and new in self.counters:  # storage: reminder_counters' primary key
            raise ValueError(f"scope {new} has numbered reminders of its own; {old}'s cannot move there")
        for reminder in self._where(lambda r: r.scope == old):
            self.rows[reminder.id] = replace(reminder, scope=new)
        if old in self.counters:
            self.counters[new] = self.counters.pop(old)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        deleted = self._delete_for_chat(chat_id)
        for reminder in self._where(lambda r: r.origin_chat_id == chat_id):
            self.rows[reminder.id] = replace(reminder, origin_chat_id=None)
        return {"reminders": deleted}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        deleted = self._delete(r.id for r in self._where(lambda r: r.scope == scope))
        counters = 1 if self.counters.pop(scope, None) is not None else 0
        return {"reminders": deleted, "reminder_counters": counters}

    def _chats_deleted(self, chat_ids: set[int]) -> None:
        self._delete(r.id for r in self._where(lambda r: r.chat_id in chat_ids))

    def _items_deleted(self, item_ids: set[int]) -> None:
        self._delete(r.id for r in self._where(lambda r: r.action_item_id in item_ids))


class FakeReminderSettingsRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.settings: dict[Scope, ReminderSettings] = {}
        self.schedules: dict[int, ChatSchedule] = {}

    async def get(self, scope: Scope) -> ReminderSettings:
        return self.settings.get(scope) or ReminderSettings(scope=scope)

    async def set_lead(self, scope: Scope, lead_seconds: Sequence[int]) -> ReminderSettings:
        leads = _leads(lead_seconds)
        return self._set_settings(scope, lead_seconds=tuple(leads))

    async def set_overdue(self, scope: Scope, on: bool) -> ReminderSettings:
        return self._set_settings(scope, overdue=bool(on))

    async def schedule(self, chat_id: int) -> ChatSchedule:
        return self.schedules.get(chat_id) or ChatSchedule(chat_id=chat_id)

    async def set_quiet(self, chat_id: int, start: str | None, end: str | None) -> ChatSchedule:
        if start is None:
            quiet_start, quiet_end = None, None
        else:
            if end is None:
                raise ValueError("quiet hours need an end")
            quiet_start, quiet_end = hh_mm(start), hh_mm(end)
            if quiet_start == quiet_end:
                raise ValueError("quiet hours must not start and end at the same time")
        return self._set_schedule(chat_id, quiet_start=quiet_start, quiet_end=quiet_end)

    async def set_digest(self, chat_id: int, weekday: int | None, time: str | None = None) -> ChatSchedule:
        if weekday is not None and (isinstance(weekday, bool) or not 0 <= weekday <= 6):
            raise ValueError(f"a weekday is 0 (Monday) to 6 (Sunday), not {weekday!r}")
        changes: dict[str, Any] = {"digest_weekday": weekday}
        if time is not None:
            changes["digest_time"] = hh_mm(time)
        return self._set_schedule(chat_id, **changes)

    # -- internals ---------------------------------------------------------------------------------

    def _set_settings(self, scope: Scope, **changes: Any) -> ReminderSettings:
        scope = checked_scope(scope)
        settings = self.settings[scope] = replace(self.settings.get(scope) or ReminderSettings(scope=scope), **changes)
        return settings

    def _set_schedule(self, chat_id: int, **changes: Any) -> ChatSchedule:
        if not self.memory.chats.known(chat_id):
            raise LookupError(f"chat {chat_id} is not known")
        stored = self.schedules.get(chat_id) or ChatSchedule(chat_id=chat_id)
        schedule = self.schedules[chat_id] = replace(stored, **changes)
        return schedule

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        if old in self.schedules:  # the old group's schedule replaces what the new one got on first sight
            self.schedules[new] = replace(self.schedules.pop(old), chat_id=new)

    def _rescope(self, old: Scope, new: Scope) -> None:
        if old == new or old not in self.settings:
            return
        if new in self.settings:  # storage: reminder_settings' primary key
            raise ValueError(f"scope {new} has reminder settings of its own; {old}'s cannot move there")
        self.settings[new] = replace(self.settings.pop(old), scope=new)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        return {"chat_schedules": 1 if self.schedules.pop(chat_id, None) is not None else 0}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        return {"reminder_settings": 1 if self.settings.pop(scope, None) is not None else 0}

    def _chats_deleted(self, chat_ids: set[int]) -> None:
        for chat_id in chat_ids:
            self.schedules.pop(chat_id, None)
