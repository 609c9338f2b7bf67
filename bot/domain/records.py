"""Domain records returned by the repositories: plain frozen dataclasses, no ORM state attached."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Literal

from bot.domain.rules import DEFAULT_WORK_HOURS, DEFAULT_WORKDAYS

_SCOPE_KEY = re.compile(r"([bc])(-?[0-9]{1,20})")


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose action items, programmes and reminders: a bridge's, or one group's while it is in no bridge.

    Stored as a key, ``"b<bridge id>"`` or ``"c<chat id>"``; :meth:`parse` and :attr:`key` are the only
    places that read or write that form.
    """

    kind: Literal["bridge", "chat"]
    id: int

    @classmethod
    def of(cls, bridge_id: int | None, chat_id: int) -> Scope:
        """A group's scope: its bridge's when it has one, else its own."""
        return cls("bridge", bridge_id) if bridge_id is not None else cls("chat", chat_id)

    @classmethod
    def parse(cls, key: str) -> Scope:
        """The scope a key names; ValueError for anything else."""
        match = _SCOPE_KEY.fullmatch(key) if isinstance(key, str) else None
        if match is None:
            raise ValueError(f"invalid scope key {key!r}")
        return cls("bridge" if match.group(1) == "b" else "chat", int(match.group(2)))

    @property
    def key(self) -> str:
        return ("b" if self.kind == "bridge" else "c") + str(self.id)

    @property
    def bridge_id(self) -> int | None:
        return self.id if self.kind == "bridge" else None

    @property
    def chat_id(self) -> int | None:
        """The group of a single-group scope (None for a bridge's)."""
        return self.id if self.kind == "chat" else None

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    title: str
    type: str
    language: str
    timezone: str | None
    city: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    show_original: bool = False
    workdays: frozenset[int] = DEFAULT_WORKDAYS  # the working week: 0 Monday … 6 Sunday
    work_hours: tuple[int, int] = DEFAULT_WORK_HOURS  # minutes after local midnight, [start, end)
    country: str | None = None  # for public holidays (ISO 3166 alpha-2); None: guessed from the zone
    region: str | None = None  # the holidays library's subdivision of the country

    @property
    def label(self) -> str:
        """The name used in attribution: the city label, else the group title."""
        return self.city or self.title or str(self.id)


@dataclass(frozen=True, slots=True)
class DayOff:
    """An extra day off of a group (``first`` … ``last``, both included), numbered within the group."""

    number: int
    first: date
    last: date
    name: str

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class Bridge:
    """Linked partner chats; ``members`` in the order they joined."""

    id: int
    created_at: datetime
    members: tuple[Chat, ...]

    def others(self, chat_id: int) -> tuple[Chat, ...]:
        """The members other than ``chat_id``: where a message posted in ``chat_id`` is relayed to."""
        return tuple(chat for chat in self.members if chat.id != chat_id)

    @property
    def chat_ids(self) -> tuple[int, ...]:
        return tuple(chat.id for chat in self.members)


@dataclass(frozen=True, slots=True)
class MessageLink:
    """Destination message ``dst_message_id`` in ``dst_chat_id`` is (a part of) the copy of the source message."""

    src_chat_id: int
    src_message_id: int
    dst_chat_id: int
    dst_message_id: int


@dataclass(frozen=True, slots=True)
class NewRelayJob:
    """A relay job to enqueue; ``version`` is 0 for the original message, the edit date (epoch seconds) for an edit."""

    bridge_id: int | None
    src_chat_id: int
    src_message_id: int
    dst_chat_id: int
    version: int
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RelayJob:
    """A stored relay job; ``state`` is 'pending', 'done' or 'failed'; ``id`` is the global order."""

    id: int
    bridge_id: int | None
    src_chat_id: int
    src_message_id: int
    dst_chat_id: int
    version: int
    payload: dict[str, Any]
    state: str
    attempts: int
    created_at: datetime
    last_error: str | None = None
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class JoinRequest:
    """Group ``requester_chat_id`` asks to join the bridge of ``issuer_chat_id`` (whose code it used).
    ``state``: ``PENDING`` until an administrator of the issuer decides (``APPROVED``, ``DECLINED``), or the
    issuer withdrew its codes and requests (``REVOKED``)."""

    PENDING: ClassVar[str] = "pending"
    APPROVED: ClassVar[str] = "approved"
    DECLINED: ClassVar[str] = "declined"
    REVOKED: ClassVar[str] = "revoked"

    id: int
    issuer_chat_id: int
    requester_chat_id: int
    requested_by: int | None
    state: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    """A partnership term (as it was entered) and its rendering per language code."""

    term: str
    renderings: dict[str, str]


@dataclass(frozen=True, slots=True)
class Owner:
    """An owner of an action item: ``name`` as shown ("@kim_ms", "Kim Min-su", "Budi Santoso") and the
    Telegram user once known (a text mention carries it, an @username is resolved when that user is
    first seen). Permissions go by ``user_id`` only; a plain name never grants anything."""

    name: str
    user_id: int | None = None

    @property
    def username(self) -> str | None:
        """The Telegram username an "@name" owner stands for."""
        return self.name[1:] if self.name.startswith("@") and len(self.name) > 1 else None


@dataclass(frozen=True, slots=True)
class ActionItem:
    """An action item of a scope, shown as #``number`` there.

    ``chat_id`` is the group it was created in, ``language`` that of its title, ``owners`` in order,
    ``programme`` the programme's name; ``status`` is 'open', 'done' or 'dropped'; ``created_by`` a
    Telegram user id.
    """

    id: int
    scope: Scope
    number: int
    bridge_id: int | None
    chat_id: int
    title: str
    language: str
    owners: tuple[Owner, ...]
    programme: str | None
    due_at: datetime | None
    status: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None

    @property
    def owner_names(self) -> str:
        return ", ".join(owner.name for owner in self.owners)

    def is_overdue(self, now: datetime) -> bool:
        """Still open and past its due date."""
        return self.status == "open" and self.due_at is not None and self.due_at < now


@dataclass(frozen=True, slots=True)
class Programme:
    """A named programme of a scope (its name is used as a #tag); unique per scope regardless of case."""

    id: int
    scope: Scope
    name: str
    goal: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ProgrammeStats:
    """Action items of one programme (None: items in no programme). ``open`` includes the ``overdue`` ones."""

    programme: str | None
    open: int
    overdue: int
    done: int


@dataclass(frozen=True, slots=True)
class ScopeOverview:
    """Where a scope stands, read in one transaction (``ActionRepository.overview``; /status and the digest show
    it): the counts per programme; the open items past due (longest overdue first) and due next (soonest first),
    the items done lately (latest first), each list as long as asked for at most; when the scope's history last
    recorded anything (an indicator update too) and when an item last changed."""

    stats: tuple[ProgrammeStats, ...] = ()
    overdue: tuple[ActionItem, ...] = ()
    upcoming: tuple[ActionItem, ...] = ()
    done: tuple[ActionItem, ...] = ()
    last_event_at: datetime | None = None
    last_change_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Reminder:
    """A message to send to chat ``chat_id`` at ``due_at`` (storage.reminders).

    ``kind``: 'due' (an action item comes due in ``lead_seconds``), 'overdue', 'adhoc' (a user's one-off),
    'recurring' (a user's, repeating by ``recurrence`` in ``timezone``), 'digest' (a chat's weekly digest),
    'snooze' or 'report' (a group's automatic report: ``text`` 'monthly' or 'quarterly'). ``due_at`` is when
    it fires (possibly moved by quiet hours or a snooze), ``nominal_at`` the instant it stands for (to tell
    whether it went out late). A user's reminder has a ``number`` in its scope, shared by its rows when it
    is fanned out to each group of a bridge. ``state``: 'pending', 'claimed' (being sent), 'sent' or
    'cancelled'; ``sent_at`` and ``late`` describe the last sending.
    """

    id: int
    scope: Scope
    number: int | None
    chat_id: int
    kind: str
    action_item_id: int | None
    text: str | None
    language: str | None
    due_at: datetime
    nominal_at: datetime
    recurrence: str | None
    timezone: str | None
    lead_seconds: int | None
    state: str
    late: bool
    created_by: int | None
    created_at: datetime
    sent_at: datetime | None
    attempts: int = 0
    origin_chat_id: int | None = None  # the group a person set it in (its time kept there as said)


@dataclass(frozen=True, slots=True)
class NewReminder:
    """A reminder to add; ``nominal_at`` defaults to ``due_at``.

    ``numbered``: give it the scope's next number (a user's 'adhoc' or 'recurring' reminder); the numbered
    reminders of one scope added in one ``add_many`` call are one reminder fanned out, sharing one number.
    """

    scope: Scope
    chat_id: int
    kind: str
    due_at: datetime
    nominal_at: datetime | None = None
    action_item_id: int | None = None
    text: str | None = None
    language: str | None = None
    recurrence: str | None = None
    timezone: str | None = None
    lead_seconds: int | None = None
    created_by: int | None = None
    numbered: bool = False
    origin_chat_id: int | None = None


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """Reminders of a scope's action items: ``lead_seconds`` before each due instant (largest first; 0 is
    at the due instant, empty: none), and whether overdue items are reminded of."""

    scope: Scope
    lead_seconds: tuple[int, ...] = (86400, 0)
    overdue: bool = True


@dataclass(frozen=True, slots=True)
class ChatSchedule:
    """When a chat gets reminders: no reminder goes out in quiet hours ("HH:MM" in the chat's time zone,
    ``quiet_start`` None: none); the weekly digest on ``digest_weekday`` (Monday = 0, None: no digest) at
    ``digest_time``."""

    chat_id: int
    quiet_start: str | None = "21:00"
    quiet_end: str | None = "07:00"
    digest_weekday: int | None = 0
    digest_time: str = "08:00"


@dataclass(frozen=True, slots=True)
class DigestToPlan:
    """An active group with the weekly digest on and no digest pending or being sent: what planning its next
    digest needs (its schedule, the defaults when it has none stored; its bridge, None when in none)."""

    chat: Chat
    schedule: ChatSchedule
    bridge_id: int | None

    @property
    def scope(self) -> Scope:
        return Scope.of(self.bridge_id, self.chat.id)


@dataclass(frozen=True, slots=True)
class DigestWork:
    """What a sweep must do about weekly digests (``ReminderRepository.digest_work``): the groups whose next
    digest is to be planned, and the digests still pending or being sent in groups that turned it off."""

    to_plan: tuple[DigestToPlan, ...] = ()
    to_cancel: tuple[Reminder, ...] = ()


@dataclass(frozen=True, slots=True)
class Indicator:
    """A measurable target of a programme (``programme`` is its name), unique in it regardless of case.

    ``period``: 'year' or 'quarter' (``target`` per calendar year or quarter) or 'by' (``target`` in all,
    reached by ``by_date``); ``created_by`` a Telegram user id.
    """

    id: int
    scope: Scope
    programme_id: int
    programme: str
    name: str
    target: float
    period: str
    by_date: datetime | None
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IndicatorUpdate:
    """One change of an indicator: ``change`` and the value after it. ``by`` is the person's name as shown
    (empty once their group was forgotten, ``user_id`` then None), ``chat_id``/``city`` their group."""

    id: int
    indicator_id: int
    at: datetime
    change: float
    value_after: float
    user_id: int | None
    by: str
    chat_id: int
    city: str
    note: str | None


@dataclass(frozen=True, slots=True)
class NewEvent:
    """Something that happened to an action item (#``item_number``) or an indicator, to keep in the history.

    ``kind``: 'created', 'assigned', 'due', 'done', 'reopened', 'dropped', 'renamed' or 'indicator';
    ``programme`` the programme's name then; ``detail`` a short free text (cut to 500 characters).
    """

    scope: Scope
    at: datetime
    kind: str
    chat_id: int
    by: str
    city: str
    item_number: int | None = None
    indicator_id: int | None = None
    programme: str | None = None
    user_id: int | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A stored ``NewEvent`` (``by`` empty and ``user_id`` None once its group was forgotten)."""

    id: int
    scope: Scope
    at: datetime
    kind: str
    chat_id: int
    by: str
    city: str
    item_number: int | None
    indicator_id: int | None
    programme: str | None
    user_id: int | None
    detail: str | None


@dataclass(frozen=True, slots=True)
class ActivityDay:
    """Messages group ``chat_id`` relayed out (``sent``) and got relayed in (``received``) on a UTC ``day``."""

    chat_id: int
    day: date
    sent: int
    received: int


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A report sent to group ``chat_id``, #``number`` there; ``kind``: 'manual', 'monthly' or 'quarterly';
    the period is [``start``, ``end``); ``summary`` its Telegram HTML in ``language``."""

    id: int
    scope: Scope
    chat_id: int
    number: int
    kind: str
    start: datetime
    end: datetime
    created_at: datetime
    language: str
    summary: str


@dataclass(frozen=True, slots=True)
class Liveness:
    """This instance's id (``me``) and whether several instances may share the database (PostgreSQL): what
    taking over a gone instance's work needs to know (storage.cluster tells, in SQL, who is alive)."""

    me: str
    shared: bool


@dataclass(frozen=True, slots=True)
class InboxItem:
    """An update acknowledged to Telegram before it was processed: its id, the chat whose lane runs it, and
    the update as Telegram sent it."""

    update_id: int
    chat_key: int
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What forgetting a chat deleted: rows per table."""

    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@dataclass(frozen=True, slots=True)
class NewMeeting:
    """A meeting proposed with ``/meet``: its scope, the group and person that asked, its length, title (in
    ``language``) and the slots proposed (aware instants, in order)."""

    scope: Scope
    chat_id: int
    created_by: int | None
    duration_minutes: int
    title: str | None
    language: str
    slots: tuple[datetime, ...]


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting, numbered per scope. ``state``: proposed → confirmed (``confirmed_slot`` is the index of the slot
    chosen) or cancelled. ``chat_id`` and ``created_by`` are None once the group that asked was forgotten;
    ``reminder_ids``: the reminders made when it was confirmed."""

    id: int
    scope: Scope
    number: int
    chat_id: int | None
    created_by: int | None
    duration_minutes: int
    title: str | None
    language: str
    slots: tuple[datetime, ...]
    state: str
    confirmed_slot: int | None
    created_at: datetime
    reminder_ids: tuple[int, ...] = ()

    @property
    def start(self) -> datetime | None:
        """When a confirmed meeting starts (None while it is not confirmed)."""
        if self.confirmed_slot is None or not 0 <= self.confirmed_slot < len(self.slots):
            return None
        return self.slots[self.confirmed_slot]

    @property
    def end(self) -> datetime | None:
        start = self.start
        return None if start is None else start + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True, slots=True)
class MeetingVote:
    """One person's vote for one slot of a meeting, and the group they voted in."""

    meeting_id: int
    slot: int
    user_id: int
    chat_id: int


@dataclass(frozen=True, slots=True)
class MeetingPost:
    """The proposal message of a meeting in one group (edited as votes come in)."""

    meeting_id: int
    chat_id: int
    message_id: int
