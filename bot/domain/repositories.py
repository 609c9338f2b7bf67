"""The repositories the features need, as protocols: what each one promises, in the words of the domain.

``storage/`` implements every one of them on SQLAlchemy (SQLite and PostgreSQL); the unit tests implement
them in memory (tests/unit/fakes/). ``Repositories`` is the set a running Kembar is built from
(``bot.services.Services.assemble``). Only the methods the rest of Kembar calls are here; storage may offer
more to its own tests and to the operator's commands.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from bot.domain.continuity import DecisionRepository, EvidenceRepository, HandoverRepository, RosterRepository
from bot.domain.meetings import MeetingRepository
from bot.domain.records import (
    ActionItem,
    ActivityDay,
    Bridge,
    Chat,
    ChatSchedule,
    DayOff,
    DigestWork,
    Event,
    Forgotten,
    GlossaryEntry,
    InboxItem,
    Indicator,
    IndicatorUpdate,
    JoinRequest,
    Liveness,
    MessageLink,
    NewEvent,
    NewRelayJob,
    NewReminder,
    Owner,
    Programme,
    ProgrammeStats,
    RelayJob,
    Reminder,
    ReminderSettings,
    Scope,
    ScopeOverview,
    StoredReport,
)
from bot.domain.rules import LINK_CODE_TTL


class ChatRepository(Protocol):
    async def get(self, chat_id: int) -> Chat | None: ...

    async def ensure(self, chat_id: int, *, title: str, type: str, default_language: str) -> Chat:
        """Return the chat, creating it on first sight; keeps the stored title in step with Telegram's."""

    async def set_language(self, chat_id: int, language: str) -> Chat: ...

    async def set_timezone(self, chat_id: int, timezone: str | None) -> Chat: ...

    async def set_city(self, chat_id: int, city: str | None) -> Chat: ...

    async def set_active(self, chat_id: int, active: bool) -> Chat: ...

    async def set_show_original(self, chat_id: int, on: bool) -> Chat:
        """Whether relayed translations into this chat also show the original text."""

    async def set_workdays(self, chat_id: int, days: frozenset[int]) -> Chat:
        """The chat's working week (0 Monday … 6 Sunday); ValueError when it has no day or a day outside 0–6,
        LookupError when the chat is not known."""

    async def set_calendar(self, chat_id: int, country: str | None, region: str | None) -> Chat:
        """Whose public holidays the chat keeps (None: guessed from its zone; region None: the whole country)."""

    async def set_work_hours(self, chat_id: int, start: int, end: int) -> Chat:
        """The chat's working hours, minutes after local midnight; ValueError unless 0 <= start < end <= 24:00."""

    async def all(self) -> list[Chat]: ...


class CalendarRepository(Protocol):
    """Each group's extra days off (``/calendar off``), numbered per group."""

    async def days_off(self, chat_ids: Sequence[int]) -> dict[int, tuple[DayOff, ...]]:
        """Each chat's extra days off, earliest first (a chat without any maps to ``()``)."""

    async def add_day_off(
        self, chat_id: int, first: date, last: date, name: str, created_by: int | None, *, limit: int
    ) -> DayOff:
        """A new period off numbered after the chat's highest; ``LimitReached`` at ``limit``; LookupError for an
        unknown chat; ValueError for a period over DAY_OFF_SPAN_MAX days, backwards, or a name over DAY_OFF_NAME_MAX."""

    async def remove_day_off(self, chat_id: int, number: int) -> DayOff | None:
        """Remove period off #``number`` of the chat; what was removed (None: there was none)."""


class BridgeRepository(Protocol):
    async def bridge_of(self, chat_id: int) -> Bridge | None: ...

    async def is_member(self, bridge_id: int, chat_id: int) -> bool:
        """Whether the chat is in that bridge now: read from the database, never from a cache (delivery asks
        it before every send, so no instance ever sends to a chat that left, whatever it has cached)."""

    async def get(self, bridge_id: int) -> Bridge | None: ...

    async def all(self) -> list[Bridge]: ...

    async def link(self, chat_a: int, chat_b: int, *, members_max: int | None = None) -> Bridge:
        """Put ``chat_b`` in ``chat_a``'s bridge, or make a new bridge of the two (``chat_a`` first).

        Raises ``AlreadyBridged`` when ``chat_b`` is in a bridge already (also ``chat_a``'s own),
        ``ValueError`` when both are the same chat, ``LookupError`` when a chat is not known,
        ``LimitReached`` when ``chat_a``'s bridge has ``members_max`` groups already (checked atomically).
        Safe against concurrent calls: a chat ends up in exactly one bridge."""

    async def leave(self, chat_id: int) -> Bridge | None:
        """Take the chat out of its bridge; the bridge as it is afterwards, or None if it was in none.

        A bridge left without members is deleted (it is returned with no members); a bridge with one
        member left is kept, with its glossary, so a new partner can join it."""


class PeopleRepository(Protocol):
    async def seen(self, user_id: int, username: str | None) -> None:
        """Remember that ``user_id`` goes by ``username`` now (a username moves to whoever holds it last)."""

    async def by_username(self, username: str) -> int | None: ...

    async def forget_unseen(self, before: datetime) -> int:
        """Forget the people not seen since ``before``; how many."""


class ChatDataRepository(Protocol):
    async def move(self, old: int, new: int, *, new_type: str = "supergroup") -> bool:
        """A basic group became supergroup ``new``: its settings, bridge membership, items, programmes,
        reminders, pending relay work, indicators, history, message counts and reports move to the new id
        (in one transaction; counts of a day the new id has too are added up, and reports are numbered
        after any the new id has already). Copies already sent
        into the old group stay linked to it (the new group has new message ids). False when ``old`` is
        not known or was moved already."""

    async def forget(self, chat_id: int) -> Forgotten:
        """Delete everything stored about the chat: its settings, bridge membership, codes and requests,
        the items, programmes, reminders, indicators and history of its own scope and the items it created
        in a bridge, its reminders, relay work and message links from and to it, its message counts and
        reports, and the cached translations of every bridge its texts may be in (and of no bridge). The
        bridge's other groups keep what is theirs, and the bridge's history keeps what the group did
        without saying who or what was written: names, user ids, details and notes of its rows cleared,
        details of the history of the items it created cleared, its city kept only when it is a city
        (storage/chatdata.py says exactly what)."""

    async def inactive_since(self, before: datetime) -> list[int]:
        """Chats the bot was removed from (inactive) and not touched since ``before``."""


class ApprovalRepository(Protocol):
    async def approve(self, chat_id: int) -> None: ...

    async def revoke(self, chat_id: int) -> bool: ...

    async def is_approved(self, chat_id: int) -> bool: ...

    async def all(self) -> list[int]: ...


class LinkCodeRepository(Protocol):
    async def create(
        self, chat_id: int, created_by: int | None, ttl: timedelta = LINK_CODE_TTL, *, uses: int = 1
    ) -> str:
        """Issue a new code for ``chat_id``, valid for ``ttl`` and ``uses`` redemptions (1 to
        LINK_CODE_USES_MAX, else ``ValueError``); returns it as ``XXXXX-XXXXX``."""

    async def redeem(self, code: str, by_chat_id: int, now: datetime | None = None) -> int:
        """Use the code in ``by_chat_id``; returns the chat that issued it. Each of its uses is taken once, also
        under races (of two groups taking the last use at once, one gets ``CodeUsed``); the last spends it.

        Raises ``CodeNotFound``, ``CodeUsed``, ``CodeExpired``, or ``CodeOwnChat`` (which leaves the code
        valid). The exceptions never carry the code itself."""

    async def revoke_code(self, code: str, now: datetime | None = None) -> bool:
        """Expire one unused code now (it was never handed to anyone); False when it was not open."""

    async def revoke(self, chat_id: int, now: datetime | None = None) -> int:
        """Expire the chat's unused codes now; returns how many."""

    async def purge_expired(self, now: datetime | None = None) -> int:
        """Delete the codes expired at ``now`` (used or not); returns how many."""


class JoinRequestRepository(Protocol):
    async def create(self, issuer: int, requester: int, requested_by: int | None, ttl: timedelta) -> JoinRequest: ...

    async def get(self, request_id: int) -> JoinRequest | None: ...

    async def decide(self, request_id: int, state: str, by: int | None, now: datetime | None = None) -> bool:
        """Approve or decline a pending, unexpired request; False when it was decided already (or expired,
        or revoked): only one decision ever wins."""

    async def revoke(self, issuer: int, now: datetime | None = None) -> int:
        """Withdraw the issuer's pending requests; how many."""

    async def purge_finished(self, before: datetime) -> int:
        """Delete the requests decided, revoked or expired before ``before``; how many."""


class GlossaryRepository(Protocol):
    async def add(self, bridge_id: int, term: str, renderings: Mapping[str, str]) -> GlossaryEntry:
        """Add a term, or replace the spelling and renderings of the same term in any case."""

    async def remove(self, bridge_id: int, term: str) -> bool:
        """Remove a term (in any case); False if the bridge had no such term."""

    async def list(self, bridge_id: int) -> builtins.list[GlossaryEntry]:
        """The bridge's terms, sorted case-insensitively."""

    async def as_mapping(self, bridge_id: int) -> dict[str, dict[str, str]]:
        """term → {language: rendering}, for the translation layer."""


class TranslationCacheRepository(Protocol):
    async def get_many(self, provider: str, source: str | None, target: str, texts: Sequence[str]) -> dict[str, str]:
        """text → cached translation, for the texts that are cached (one query)."""

    async def purge(self, before: datetime, keep_at_most: int) -> int:
        """Drop translations stored before ``before``, and the oldest beyond ``keep_at_most``; how many.
        The marks of groups no remaining entry could hold the texts of go too (not counted)."""

    async def put_many(
        self, provider: str, source: str | None, target: str, bridge_id: int | None, pairs: Mapping[str, str]
    ) -> None:
        """Store text → translation pairs translated for bridge ``bridge_id`` (None: for a group in no
        bridge); a text cached already gets the new translation and is that bridge's from now on. Every
        group of the bridge is marked as one whose texts the bridge's entries may hold: forgetting a group
        deletes the entries of its bridges (``ChatDataRepository.forget``)."""


class MessageLinkRepository(Protocol):
    """The source → destination message map used for replies and edits.

    A long message split into several destination messages has one link per part: ``copies_of`` returns
    every part, and the part with the lowest message id in a chat (the first one sent) stands for the
    whole copy in ``resolve_reply``. Each destination message is the copy of exactly one source message."""

    async def add_many(self, links: Iterable[MessageLink]) -> None:
        """Store links; idempotent (a link stored already is ignored)."""

    async def purge_older(self, before: datetime) -> int:
        """Forget which copy stands for which message for copies made before ``before`` (replies to and
        edits of such old messages are then relayed without threading); how many."""

    async def copies_of(self, src_chat_id: int, src_message_id: int) -> list[MessageLink]:
        """Every relayed copy (every part of it) of a source message, by destination chat, then message id."""

    async def resolve_reply(self, chat_id: int, message_id: int, dst_chat_id: int) -> int | None:
        """The message in ``dst_chat_id`` that stands for message (chat_id, message_id), or None.

        An original: its copy in ``dst_chat_id``. A copy of (S, O): O when ``dst_chat_id`` is S, else the
        copy of (S, O) in ``dst_chat_id``. A message of ``dst_chat_id`` itself: that message."""


class OutboxRepository(Protocol):
    """Relay jobs in their global order (``id``); a destination's jobs are sent in that order."""

    async def enqueue(self, jobs: Sequence[NewRelayJob], *, read_back: bool = True) -> list[RelayJob]:
        """Store the jobs in one transaction, ids increasing in list order, skipping those stored already.

        Idempotent (a redelivered update enqueues nothing new). Returns the stored job for each distinct
        key (src_chat_id, src_message_id, dst_chat_id, version) in list order, new or existing; with
        ``read_back=False`` nothing is read back and the list is empty."""

    async def pending(self, dst_chat_id: int | None = None, limit: int = 100) -> list[RelayJob]:
        """The oldest pending jobs (of one destination, or of all), in order."""

    async def pending_destinations(self, live: Liveness | None = None) -> list[int]:
        """The chats with pending jobs, the one waiting longest first; with ``live``, only those that no live
        instance but this one delivers to (no lease, a lease of a gone instance, or this one's own)."""

    async def get(self, job_id: int) -> RelayJob | None: ...

    async def complete(self, job_id: int, links: Iterable[MessageLink] = (), live: Liveness | None = None) -> bool:
        """Store the links of what a job sent and mark it done, in one transaction; True once committed.

        With ``live`` on a shared database (``live.shared``), only while ``live`` holds the delivery lease of
        the job's destination (``LeaseRepository``), checked atomically with the commit: otherwise nothing is
        stored and the answer is False (the instance that took the destination over sends the job, so only
        the job in flight can go twice). Alone on its database an instance's completions are never refused.

        Completions that arrive while another is being written are written together (group commit):
        destinations sending at the same time share transactions. Raises ``LookupError`` for an
        unknown job (whose links are then not stored either)."""

    async def drain(self) -> None:
        """Until the completions already handed in are written (shutdown)."""

    async def mark_failed(self, job_id: int, error: str) -> None:
        """Given up on: the error is kept for a while, the text is not."""

    async def record_attempt(self, job_id: int, error: str) -> int:
        """Count a failed attempt (the job stays pending); returns the attempts so far."""

    async def fail_pending_for(self, dst_chat_id: int, error: str) -> int:
        """Fail every pending job of a destination that is gone; returns how many."""

    async def counts(self) -> dict[str, int]:
        """Jobs per state; 'pending', 'done' and 'failed' are always present."""

    async def purge_finished(self, before: datetime) -> int:
        """Delete done and failed jobs finished before ``before``; returns how many.

        A job purged no longer makes a redelivered update idempotent: purge well after Telegram stops
        redelivering (days, not minutes)."""


class InboxRepository(Protocol):
    async def store(self, items: Sequence[InboxItem], holder: str | None = None) -> list[int]:
        """Store updates to process (taken by ``holder``, the instance that runs them); returns the ids that
        are new (a redelivered update is not)."""

    async def start(self, update_ids: Sequence[int]) -> set[int]:
        """Claim pending updates to process them now; the ones claimed (an update started before is
        never claimed again: at most once)."""

    async def release(self, update_ids: Sequence[int]) -> None:
        """Started updates whose work could not be stored (relay messages, safe to run again): pending."""

    async def finish(self, update_ids: Sequence[int]) -> None:
        """The updates were processed: done, and their payload dropped."""

    async def adopt(self, live: Liveness) -> tuple[int, list[InboxItem]]:
        """Take over the updates of instances that are gone (or of an earlier run of this one): those a
        crash interrupted are abandoned (never run twice: at most once), those not started yet are now
        this instance's to run, oldest first. Returns (how many were abandoned, the updates taken)."""

    async def counts(self) -> dict[str, int]:
        """Updates per state (the operator's view of what waits)."""

    async def quarantine(self, update_id: int, payload: dict[str, Any], error: str) -> None:
        """Set aside an update that cannot be read, or whose handling could never begin: its raw JSON is kept
        for the operator and it is never run. One stored already and not finished (pending, started) is set
        aside too; one done, abandoned or set aside before stays as it is."""

    async def quarantined(self) -> list[tuple[int, dict[str, Any], str]]:
        """The updates set aside, by update id: (update id, raw JSON, why)."""

    async def purge_finished(self, before: datetime, quarantined_before: datetime | None = None) -> int:
        """Forget updates done or abandoned before ``before``, and those set aside before ``quarantined_before``
        (kept longer, for the operator; by default the same instant); how many."""


class LeaseRepository(Protocol):
    """One deliverer per destination chat."""

    async def acquire(self, dst_chat_id: int, live: Liveness) -> bool:
        """Take (or keep) the lease on a destination; False while another live instance holds it."""

    async def holds(self, dst_chat_id: int, live: Liveness) -> bool:
        """Whether ``live`` holds the lease on a destination now (always, alone on its database: not
        ``live.shared``); False once another instance took it over, or nobody holds it."""

    async def release(self, dst_chat_id: int, live: Liveness) -> None: ...


class ActionRepository(Protocol):
    async def create(
        self,
        *,
        scope: Scope,
        bridge_id: int | None,
        chat_id: int,
        title: str,
        language: str,
        owners: Sequence[Owner] = (),
        programme_id: int | None = None,
        due_at: datetime | None = None,
        created_by: int | None = None,
        open_max: int | None = None,
    ) -> ActionItem:
        """A new open item, numbered next in its scope.

        Raises ValueError for an invalid scope, title, language or owner, LookupError when the chat or
        bridge is not known or the programme is not one of the scope's, ``LimitReached`` when the scope
        has ``open_max`` open items already (checked atomically with the insert)."""

    async def get(self, scope: Scope, number: int) -> ActionItem | None: ...

    async def get_by_id(self, item_id: int) -> ActionItem | None: ...

    async def list(
        self,
        scope: Scope,
        *,
        statuses: Collection[str] = ("open",),
        programme_id: int | None = None,
        limit: int | None = None,
    ) -> builtins.list[ActionItem]:
        """The scope's items in the given statuses (and programme): soonest due first, undated last, then by number."""

    async def numbered(
        self, scope: Scope, *, statuses: Collection[str], dated: bool = False, limit: int | None = None
    ) -> builtins.list[ActionItem]:
        """The scope's items in the given statuses (only those with a due date when ``dated``), by number; the
        first ``limit`` of them when given (an export reads no more than it holds)."""

    async def count(self, scope: Scope, *, statuses: Collection[str], dated: bool = False) -> int:
        """How many items ``numbered`` would return without a limit."""

    async def done_between(self, scope: Scope, start: datetime, end: datetime) -> builtins.list[ActionItem]:
        """The scope's items that are done, done from ``start`` (inclusive) to ``end`` (exclusive), by number."""

    async def set_status(self, scope: Scope, number: int, status: str, now: datetime) -> ActionItem:
        """'done' stamps done_at with ``now`` (kept when already done); 'open' and 'dropped' clear it."""

    async def set_owners(self, scope: Scope, number: int, owners: Sequence[Owner]) -> ActionItem:
        """Replace the owners (an empty sequence: nobody); duplicates are dropped (see ``_owners``)."""

    async def add_owners(self, scope: Scope, number: int, owners: Sequence[Owner]) -> ActionItem:
        """Append the owners not there yet."""

    async def bind_owner(self, item_id: int, username: str, user_id: int) -> ActionItem | None:
        """The user ``user_id`` turned out to be "@username": owners of that name without a user get it.
        Returns the item when an owner was bound, else None (nothing to bind, or bound already)."""

    async def set_due(self, scope: Scope, number: int, due_at: datetime | None) -> ActionItem: ...

    async def set_title(self, scope: Scope, number: int, title: str, language: str) -> ActionItem: ...

    async def count_open(self, scope: Scope) -> int: ...

    async def stats(self, scope: Scope, now: datetime) -> builtins.list[ProgrammeStats]:
        """Open (overdue included), overdue and done items per programme, by programme name, items in none last.

        Dropped items are not counted; a programme with no other items has no row."""

    async def overview(
        self, scope: Scope, now: datetime, *, next_max: int, done_since: datetime, done_max: int
    ) -> ScopeOverview:
        """Where the scope stands (``ScopeOverview``), read in one transaction: ``stats``; at most ``next_max``
        open items past due and as many due at or after ``now``; at most ``done_max`` items done at or after
        ``done_since``; the last event of its history and the last change of an item. A scope without items
        (stats empty) gets an empty overview, read with one query.

        One thread hop on a SQLite file (``Database.run_sync``) rather than several per query: /status is
        asked for by every group, and the digest is the same text."""

    async def upcoming(self, scope: Scope, now: datetime, limit: int = 3) -> builtins.list[ActionItem]:
        """Open items due at or after ``now``, soonest first."""


class ProgrammeRepository(Protocol):
    async def add(self, scope: Scope, name: str, goal: str | None = None) -> Programme:
        """Add a programme, or update the one of the same name in any case: its spelling, and its goal
        unless ``goal`` is None (an empty goal clears it).

        The name may start with '#'; ValueError unless it is 1–64 letters, digits, '-' or '_'."""

    async def get(self, scope: Scope, name: str) -> Programme | None:
        """The programme of that name in any case, with or without a leading '#'; None if there is none."""

    async def list(self, scope: Scope) -> builtins.list[Programme]:
        """The scope's programmes, by name regardless of case."""


class ReminderRepository(Protocol):
    async def add(self, new: NewReminder) -> Reminder:
        """Store one reminder (pending). See ``add_many``."""

    async def add_many(self, news: Sequence[NewReminder], *, numbered_max: int | None = None) -> list[Reminder]:
        """Store the reminders (pending) in one transaction, ids increasing in list order.

        The ``numbered`` ones of a scope get ONE new number of that scope, shared: they are one user
        reminder fanned out to the groups of a bridge. Only 'adhoc' and 'recurring' reminders are numbered.
        Raises ValueError for an invalid value, LookupError when a chat or action item is not known,
        ``LimitReached`` when a scope of the numbered ones has ``numbered_max`` users' reminders pending or
        being sent already (checked atomically with the insert)."""

    async def get(self, reminder_id: int) -> Reminder | None: ...

    async def due(self, now: datetime, limit: int = 100) -> list[Reminder]:
        """Pending reminders due at or before ``now``, oldest first, at most ``limit`` (index state, due_at)."""

    async def next_due_at(self) -> datetime | None:
        """When the next pending reminder is due (possibly in the past); None when none is pending."""

    async def pending_count(self) -> int:
        """How many reminders are pending, in every scope."""

    async def claim(self, reminder_id: int, now: datetime, claimer: str) -> bool:
        """Claim a pending reminder that is due, to send it; True for exactly one of concurrent claimers."""

    async def mark_sent(self, reminder_id: int, now: datetime, *, late: bool) -> None:
        """Record that the reminder went out at ``now`` (``late``: well after its nominal instant).

        It is 'sent' whatever its state was: even one cancelled while it was being sent did go out.
        Nothing happens for an unknown id (its chat may have been deleted meanwhile)."""

    async def reschedule(self, reminder_id: int, due_at: datetime, nominal_at: datetime | None = None) -> Reminder:
        """Put the reminder back to pending, due at ``due_at`` (standing for ``nominal_at``, by default the
        same), its claim cleared; ``sent_at`` and ``late`` still tell of the last sending.

        A cancelled reminder stays cancelled (it is returned as it is): cancelling wins over a sender that
        reschedules a recurring reminder it was sending. LookupError for an unknown id."""

    async def release_own(self, claimer: str) -> int:
        """Put back to pending the reminders ``claimer`` claimed: this instance's own claims left over from a
        sending that went wrong before its outcome was recorded (it has nothing in flight when it asks)."""

    async def release_gone(self, live: Liveness) -> int:
        """Put back to pending the reminders claimed by instances that are gone (killed while sending);
        how many. One that was sent but not yet marked goes out a second time: at most once more."""

    async def retry_later(self, reminder_id: int, due_at: datetime) -> int:
        """A send failed: pending again at ``due_at`` (unless cancelled meanwhile); how many attempts
        failed so far."""

    async def mark_failed(self, reminder_id: int) -> None:
        """Stop a reminder Telegram keeps refusing."""

    async def cancel(self, reminder_id: int) -> bool:
        """Cancel a pending or claimed reminder; False when there is none such."""

    async def cancel_number(self, scope: Scope, number: int) -> Reminder | None:
        """Cancel the user's reminder #``number`` of the scope (all its rows, pending or being sent).

        Returns its row in the chat where it is due first, now cancelled; None when the scope has no such
        reminder pending (or being sent)."""

    async def move_number(self, scope: Scope, number: int, was: datetime, due_at: datetime) -> int:
        """Move the user's one-off reminder #``number`` from ``was`` to ``due_at`` (all its pending rows);
        the number of rows moved (0 when it already fired, was cancelled or was moved meanwhile)."""

    async def count_numbered(self, scope: Scope) -> int:
        """The scope's users' reminders pending or being sent (each counted once, not per group)."""

    async def purge_finished(self, before: datetime) -> int:
        """Forget reminders sent, cancelled or stopped before ``before`` (their texts with them); how many."""

    async def numbered(self, scope: Scope, number: int) -> Reminder | None:
        """The user's reminder #``number`` of the scope (its row due first), if it is pending or being sent."""

    async def cancel_for_chat(self, chat_id: int, scope: Scope) -> int:
        """Cancel the chat's pending and claimed reminders of a scope (the chat left it); how many."""

    async def cancel_for_item(self, action_item_id: int, kinds: Collection[str] | None = None) -> int:
        """Cancel the item's pending and claimed reminders (of the given kinds; None: all); how many."""

    async def for_item(
        self, action_item_id: int, kinds: Collection[str] | None = None, states: Collection[str] = ("pending",)
    ) -> list[Reminder]:
        """The item's reminders of the given kinds (None: all) and states, soonest due first."""

    async def upcoming(self, scope: Scope, limit: int = 20) -> list[Reminder]:
        """The scope's pending numbered reminders, one row per number (the one due first), soonest first."""

    async def find(self, chat_id: int, kind: str, *, states: Collection[str] = ("pending",)) -> Reminder | None:
        """The chat's reminder of that kind in those states (the one due first), e.g. its pending digest."""

    async def digest_work(self) -> DigestWork:
        """What the weekly digests need now, in two queries whatever the number of groups (the per-minute
        sweep runs this; it must never walk every chat):

        - ``to_plan``: the active groups (not private chats) with the digest on — a stored schedule with a
          weekday, or no stored schedule while the defaults (``ChatSchedule``) have one — and no digest
          pending or being sent; each with its schedule (the defaults when none is stored) and bridge;
        - ``to_cancel``: the digests pending or being sent of active groups whose digest is off.

        Both in chat id order (then due first). Inactive groups and private chats are left as they are."""

    async def cancel_many(self, reminder_ids: Collection[int]) -> int:
        """Cancel those of these reminders that are pending or being sent (one statement); how many."""


class ReminderSettingsRepository(Protocol):
    """Reminder settings per scope (ReminderSettings) and the schedule of each chat (ChatSchedule)."""

    async def get(self, scope: Scope) -> ReminderSettings:
        """The scope's settings; the defaults when it has none stored."""

    async def set_lead(self, scope: Scope, lead_seconds: Sequence[int]) -> ReminderSettings:
        """Remind of the scope's items these many seconds before they are due (0: at the due instant).

        Each 0 to 30 days, at most 5 different values (duplicates are dropped); empty: no such reminders."""

    async def set_overdue(self, scope: Scope, on: bool) -> ReminderSettings:
        """Whether overdue items of the scope are reminded of."""

    async def schedule(self, chat_id: int) -> ChatSchedule:
        """The chat's schedule; the defaults when it has none stored."""

    async def set_quiet(self, chat_id: int, start: str | None, end: str | None) -> ChatSchedule:
        """Quiet hours from ``start`` to ``end`` ("HH:MM", the chat's local time; may span midnight), or
        none when ``start`` is None (``end`` is then ignored).

        ValueError for a malformed time, a missing end or an empty span; LookupError for an unknown chat."""

    async def set_digest(self, chat_id: int, weekday: int | None, time: str | None = None) -> ChatSchedule:
        """The weekly digest on ``weekday`` (Monday = 0 … Sunday = 6; None: no digest) at ``time`` ("HH:MM",
        the chat's local time; None: keep the current one). ValueError for an invalid value, LookupError for
        an unknown chat."""


class IndicatorRepository(Protocol):
    async def add(
        self,
        scope: Scope,
        programme_id: int,
        name: str,
        target: float,
        period: str,
        by_date: datetime | None,
        created_by: int | None,
    ) -> Indicator:
        """A new indicator of the scope's programme.

        ValueError("exists") when the programme has one of that name in any case; ValueError for an invalid
        name, a target that is not a positive number, a period not in ``PERIODS``, or a ``by_date`` missing
        for period 'by' (or given for another); LookupError when the programme is not the scope's."""

    async def get(self, scope: Scope, programme_id: int, name: str) -> Indicator | None:
        """The programme's indicator of that name in any case; None if there is none."""

    async def list(self, scope: Scope, programme_id: int | None = None) -> builtins.list[Indicator]:
        """The scope's indicators (of one programme), by programme name and then name, regardless of case."""

    async def count(self, scope: Scope) -> int: ...

    async def record(
        self,
        indicator_id: int,
        *,
        change: float | None = None,
        value: float | None = None,
        at: datetime,
        user_id: int | None,
        by: str,
        chat_id: int,
        city: str,
        note: str | None,
        non_negative: bool = False,
    ) -> IndicatorUpdate:
        """Record a change of the indicator (``change``: added to its value) or its new ``value``.

        The value before is that of the last update recorded (0 before the first); the update stores both
        the change and the value after it. ``by`` and ``city`` are cut to 128 characters. ValueError unless
        exactly one of ``change`` and ``value`` is given (a finite number), for a naive ``at`` or a note
        over 300 characters (``INDICATOR_NOTE_MAX``); LookupError when the indicator is not known. With
        ``non_negative`` (a total of things counted), an update that would lower the value below 0 is not
        recorded: ``LimitReached(0)``, decided under the indicator's lock (two at once cannot both pass)."""

    async def undo(
        self, indicator_id: int, *, at: datetime, user_id: int | None, by: str, chat_id: int, city: str
    ) -> tuple[IndicatorUpdate, IndicatorUpdate] | None:
        """Undo the indicator's last update (in recording order) by recording its opposite: a change of minus
        its change, so the value goes back to what it was before it. Both stay in the history; the new one's
        note is ``storage.monitoring.undo_note`` of the one undone. Returns (the update undone, the new one);
        None when the indicator has no update. ValueError for a naive ``at``, LookupError when the indicator
        is not known."""

    async def updates(
        self, indicator_ids: Sequence[int], until: datetime | None = None, *, limit: int | None = None
    ) -> builtins.list[IndicatorUpdate]:
        """The updates of these indicators (before ``until``, exclusive), by time and then recording order; the
        first ``limit`` of them when given."""

    async def update_count(self, indicator_ids: Sequence[int]) -> int:
        """How many updates these indicators have (what ``updates`` would return without a limit)."""

    async def change_sums(self, indicator_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, float]:
        """Per indicator, the sum of the changes of its updates from ``start`` (inclusive) to ``end``
        (exclusive); every id asked for is in the answer (0 where it has none). One grouped query: a row per
        indicator, however many updates there are."""

    async def values_at(self, indicator_ids: Sequence[int], at: datetime) -> dict[int, float]:
        """Per indicator, its value after its last update at or before ``at`` (the last by time, then recording
        order); every id asked for is in the answer (0 where it has none by then). A row per indicator."""


class EventRepository(Protocol):
    async def add(self, event: NewEvent) -> None:
        """Keep the event; ``by``, ``city`` and ``programme`` are cut to their columns, ``detail`` to 500
        characters. ValueError for an unknown kind or a naive instant."""

    async def between(
        self, scope: Scope, start: datetime, end: datetime, kinds: Collection[str] | None = None
    ) -> builtins.list[Event]:
        """The scope's events (of these kinds; None: all) from ``start`` (inclusive) to ``end`` (exclusive),
        by time and then the order they were kept in."""


class ActivityRepository(Protocol):
    """Messages relayed per group and day (the group's own local day). Counts only: no message text is ever
    stored here."""

    async def count(self, chat_id: int, day: date, *, sent: int = 0, received: int = 0) -> None:
        """Add ``sent`` (relayed out of the group) and ``received`` (relayed into it) to the day's counts."""

    async def count_many(self, counts: Mapping[tuple[int, date], tuple[int, int]]) -> None:
        """Add to the counts of several groups and days — (chat id, day) → (sent, received) — in one statement
        and transaction, however many there are (all are written, or none). ValueError or TypeError for a bad
        count or day, before anything is written."""

    async def between(self, chat_ids: Collection[int], start: date, end: date) -> builtins.list[ActivityDay]:
        """The days of these groups from ``start`` (inclusive) to ``end`` (exclusive), by day and then group."""

    async def last_exchange(
        self, chat_ids: Collection[int], *, sent: bool = False, before: date | None = None
    ) -> date | None:
        """The last day any of these groups received a relayed message — with ``sent``, or relayed one out —;
        with ``before``, the last such day before it. None if there is none."""


class ReportRepository(Protocol):
    async def add(
        self,
        scope: Scope,
        chat_id: int,
        kind: str,
        start: datetime,
        end: datetime,
        summary: str,
        language: str,
        created_at: datetime,
    ) -> StoredReport:
        """Keep a report sent to the chat, numbered next there (1, 2, 3 …); the chat keeps its last
        ``REPORTS_KEPT`` (older ones are forgotten in the same transaction).

        ValueError for an unknown kind, naive instants, a period that does not end after it starts, an
        empty summary or one over 16,000 characters, or an invalid language code."""

    async def recent(self, chat_id: int, limit: int = 10) -> builtins.list[StoredReport]:
        """The chat's last reports, newest first."""

    async def count(self, chat_id: int) -> int:
        """How many reports the chat keeps."""

    async def numbered(self, chat_id: int, number: int) -> StoredReport | None:
        """The chat's report #``number``; None if there is none."""


class Store(Protocol):
    """The database behind the repositories: brought to the current schema at start, closed at the end."""

    async def upgrade(self) -> None: ...

    async def ready(self) -> tuple[bool, str]:
        """Whether it answers and its schema is current, with a short detail safe to show anyone."""
        ...

    async def dispose(self) -> None: ...


@dataclass(frozen=True)
class Repositories:
    """Every repository a running Kembar uses: storage.repositories builds them on a database, the unit
    tests in memory."""

    chats: ChatRepository
    calendars: CalendarRepository
    bridges: BridgeRepository
    people: PeopleRepository
    chat_data: ChatDataRepository
    approvals: ApprovalRepository
    link_codes: LinkCodeRepository
    join_requests: JoinRequestRepository
    glossary: GlossaryRepository
    translation_cache: TranslationCacheRepository
    message_links: MessageLinkRepository
    outbox: OutboxRepository
    inbox: InboxRepository
    leases: LeaseRepository
    actions: ActionRepository
    programmes: ProgrammeRepository
    reminders: ReminderRepository
    reminder_settings: ReminderSettingsRepository
    indicators: IndicatorRepository
    events: EventRepository
    activity: ActivityRepository
    reports: ReportRepository
    meetings: MeetingRepository
    decisions: DecisionRepository
    evidence: EvidenceRepository
    roster: RosterRepository
    handover: HandoverRepository
