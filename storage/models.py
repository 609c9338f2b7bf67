"""SQLAlchemy 2 ORM models. Only storage/ sees these; the layers above get dataclasses from the repositories.

Instants are stored in UTC (timezone-aware columns).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import false
from sqlalchemy.types import TypeDecorator

from bot.domain.records import Scope

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class ScopeKey(TypeDecorator[Scope]):
    """A ``Scope`` stored as its key ("b<bridge id>" or "c<chat id>"), read back as a ``Scope``."""

    impl = String(64)
    cache_ok = True

    def process_bind_param(self, value: Scope | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Scope):
            raise TypeError(f"a Scope is needed, not {type(value).__name__}")
        return value.key

    def process_result_value(self, value: str | None, dialect: Dialect) -> Scope | None:
        return None if value is None else Scope.parse(value)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC; SQLite (which keeps no offset) reads back aware UTC too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ChatRow(Base):
    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(255), default="")
    type: Mapped[str] = mapped_column(String(32), default="group")
    language: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    city: Mapped[str | None] = mapped_column(String(128), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Relay the untranslated text under each translation into this chat.
    show_original: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The working week, Monday first, "1" for a working day ("1111100"); NULL: Monday to Friday
    # (bot/domain/rules.py, workdays_code).
    workdays: Mapped[str | None] = mapped_column(String(7), nullable=True)
    # Whose public holidays (ISO 3166 alpha-2, the holidays library's subdivision); NULL: guessed from the zone.
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    region: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Working hours "08:00-17:00" on the local wall clock; NULL: 08:00–17:00 (bot/domain/rules.py, work_hours_code).
    work_hours: Mapped[str | None] = mapped_column(String(11), nullable=True)
    # Greet newcomers (/welcome, storage.continuity); no part of records.Chat.
    welcome: Mapped[bool] = mapped_column(Boolean, server_default=false())


class DayOffRow(Base):
    """An extra day off of a group (collective leave, a closure): ``first_day`` … ``last_day``, numbered per group."""

    __tablename__ = "days_off"
    __table_args__ = (UniqueConstraint("chat_id", "number", name="uq_days_off_chat_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("chats.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BridgeRow(Base):
    __tablename__ = "bridges"
    # Never reuse a deleted bridge's id on SQLite: action items and programmes are scoped by it.
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012 (SQLAlchemy reads it as declared)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BridgeMemberRow(Base):
    __tablename__ = "bridge_members"

    bridge_id: Mapped[int] = mapped_column(ForeignKey("bridges.id", ondelete="CASCADE"), primary_key=True)
    # A chat belongs to at most one bridge.
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True, unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LinkCodeRow(Base):
    __tablename__ = "link_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the last use is taken (the code is spent); ``used_by_chat``: the group that took the latest use.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    used_by_chat: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # Redemptions left: 1 for a one-time code, up to LINK_CODE_USES_MAX for /link <n>; 0 once spent.
    uses_left: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class JoinRequestRow(Base):
    """A group asking to join the bridge of the group whose link code it used; an administrator of the
    issuing group approves or declines it. ``state``: pending, approved, declined or revoked."""

    __tablename__ = "join_requests"
    __table_args__ = (Index("ix_join_requests_issuer_state", "issuer_chat_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    requester_chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MessageLinkRow(Base):
    """One relayed copy: destination message ``dst`` is (a part of) the copy of source message ``src``.

    A long message may be split into several destination messages, so a source message may have several
    copies per destination chat; each destination message is the copy of exactly one source message.
    """

    __tablename__ = "message_links"
    __table_args__ = (
        UniqueConstraint(
            "src_chat_id", "src_message_id", "dst_chat_id", "dst_message_id", name="uq_message_links_src_dst_part"
        ),
        Index("ix_message_links_dst", "dst_chat_id", "dst_message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    src_chat_id: Mapped[int] = mapped_column(BigInteger)
    src_message_id: Mapped[int] = mapped_column(BigInteger)
    dst_chat_id: Mapped[int] = mapped_column(BigInteger)
    dst_message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class TranslationCacheRow(Base):
    """A translation, shared by every bridge (a hit may come from another bridge's entry).

    ``bridge_id``: the bridge it was last stored for (no foreign key: it outlives its bridge until it
    expires); None for a text of a group in no bridge, or stored before revision 0012. Forgetting a group
    deletes the entries of the bridges its texts may be in, and every None one (storage.chatdata)."""

    __tablename__ = "translation_cache"
    __table_args__ = (
        Index("ix_translation_cache_created_at", "created_at"),
        Index("ix_translation_cache_bridge_id", "bridge_id"),
    )

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    target: Mapped[str] = mapped_column(String(16), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    translation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    bridge_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TranslationCacheChatRow(Base):
    """A group whose texts a bridge's cached translations may hold: every group of the bridge when an entry
    was stored for it, marked then (``at``). Outlives the group's membership, so a group forgotten after it
    left its bridge still takes that bridge's entries with it; a mark older than every entry it could
    cover is purged with them."""

    __tablename__ = "translation_cache_chats"
    __table_args__ = (PrimaryKeyConstraint("chat_id", "bridge_id"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, autoincrement=False)
    bridge_id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProgrammeRow(Base):
    """A named programme of a scope (a bridge, or a group in no bridge); unique per scope regardless of case."""

    __tablename__ = "programmes"
    __table_args__ = (UniqueConstraint("scope", "name_key", name="uq_programmes_scope_name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey)
    # The name as entered (used as a #tag), and its NFC case-folded form: the identity within the scope.
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(255))
    goal: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActionItemRow(Base):
    """An action item, numbered 1, 2, 3 … within its scope."""

    __tablename__ = "action_items"
    __table_args__ = (
        UniqueConstraint("scope", "number", name="uq_action_items_scope_number"),
        Index("ix_action_items_scope_status_due", "scope", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey)
    number: Mapped[int] = mapped_column(Integer)
    bridge_id: Mapped[int | None] = mapped_column(
        ForeignKey("bridges.id", ondelete="SET NULL"), nullable=True, index=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The group the item was created in.
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    # Display strings as given ("@budi", "Kim Min-su"), in order, without duplicates; ``owner_ids`` holds
    # the Telegram user id of each (null where not known yet), aligned with ``owners``.
    owners: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_ids: Mapped[list[int | None] | None] = mapped_column(JSON, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApprovedChatRow(Base):
    """A group the operator approved (when approval is on, only these can link and use the translator)."""

    __tablename__ = "approved_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonRow(Base):
    """A Telegram user Kembar has seen (an update from them), kept only to resolve an @username owner to
    the user it names; forgotten after a while without being seen."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The username in lower case (Telegram usernames are case-insensitive), when the user has one.
    username: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActionCounterRow(Base):
    """The last action item number handed out in a scope: bumped in the transaction that creates the item."""

    __tablename__ = "action_counters"

    scope: Mapped[Scope] = mapped_column(ScopeKey, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


def _parameters(context: DefaultExecutionContext) -> dict[str, Any]:
    """The values of the row being inserted (for a default computed from other columns)."""
    parameters: dict[str, Any] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return parameters


def _own_scope(context: DefaultExecutionContext) -> Scope:
    """A reminder inserted without a scope belongs to its chat's own."""
    return Scope.of(None, int(_parameters(context)["chat_id"]))


def _nominal_at(context: DefaultExecutionContext) -> datetime:
    """A reminder inserted without a nominal instant stands for the instant it is due."""
    due_at: datetime = _parameters(context)["due_at"]
    return due_at


class ReminderRow(Base):
    """A message to send to one chat at ``due_at`` (storage.reminders).

    ``nominal_at`` is the instant it stands for (``due_at`` may be moved by quiet hours or a snooze).
    A user's reminder is numbered per scope; when it is fanned out to every group of a bridge, its rows
    (one per chat) share the number. ``state``: pending → claimed (being sent) → sent, or cancelled.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_state_due", "state", "due_at"),
        Index("ix_reminders_chat_kind_state_due", "chat_id", "kind", "state", "due_at"),
        Index("ix_reminders_scope_number_state", "scope", "number", "state"),
        Index("ix_reminders_action_item_state_due", "action_item_id", "state", "due_at"),
        # Never reuse a deleted reminder's id on SQLite: buttons and scheduled jobs refer to it.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey, default=_own_scope)
    number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="adhoc")
    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    nominal_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_nominal_at)
    recurrence: Mapped[str | None] = mapped_column(String(255), nullable=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lead_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Sends Telegram refused or that failed since the last one that went out (capped, then 'failed').
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The group a person set it in (its time is kept there as said); NULL for automatic ones.
    origin_chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ReminderCounterRow(Base):
    """The last reminder number handed out in a scope: bumped in the transaction that adds the reminder."""

    __tablename__ = "reminder_counters"

    scope: Mapped[Scope] = mapped_column(ScopeKey, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class ReminderSettingsRow(Base):
    """Reminder settings of a scope; a scope without a row has the defaults (records.ReminderSettings)."""

    __tablename__ = "reminder_settings"

    scope: Mapped[Scope] = mapped_column(ScopeKey, primary_key=True)
    # Seconds before an action item's due instant to remind of it, largest first (0: at the due instant).
    lead_seconds: Mapped[list[int]] = mapped_column(JSON)
    overdue: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ChatScheduleRow(Base):
    """When a chat wants no reminders (quiet hours) and its weekly digest; absent: the defaults."""

    __tablename__ = "chat_schedules"

    chat_id: Mapped[int] = mapped_column(
        ForeignKey("chats.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # "HH:MM" in the chat's time zone; quiet_start None: no quiet hours.
    quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    # Monday = 0; None: no digest.
    digest_weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    digest_time: Mapped[str] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RelayJobRow(Base):
    """Durable relay work (the outbox): one message to send, or edit, in one destination chat.

    ``id`` is the global order; ``version`` is 0 for the original message and the edit date (epoch
    seconds) for an edit. ``bridge_id`` is deliberately no foreign key: a job must never fail to enqueue,
    nor vanish, because its bridge changes meanwhile.
    """

    __tablename__ = "relay_jobs"
    __table_args__ = (
        UniqueConstraint(
            "src_chat_id", "src_message_id", "dst_chat_id", "version", name="uq_relay_jobs_src_dst_version"
        ),
        Index("ix_relay_jobs_dst_state", "dst_chat_id", "state", "id"),
        Index("ix_relay_jobs_state", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bridge_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    src_chat_id: Mapped[int] = mapped_column(BigInteger)
    src_message_id: Mapped[int] = mapped_column(BigInteger)
    dst_chat_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class InboxRow(Base):
    """An update taken from Telegram to be processed after it was acknowledged (commands, buttons and
    whatever waits behind them in its chat), or set aside because it could not be read.

    ``state``: pending → started → done; ``abandoned`` when a crash interrupted it (it is never run a
    second time); ``quarantined`` for an update python-telegram-bot could not parse (its raw JSON kept
    for the operator). ``payload`` is dropped once the update is done.
    """

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_state_update", "state", "update_id"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_key: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The instance that took it (bot.ops.cluster); another instance adopts it when that one is gone.
    holder: Mapped[str | None] = mapped_column(String(32), nullable=True)


class DeliveryLeaseRow(Base):
    """Which instance delivers to a destination chat now (bot.ops.cluster): one at a time, so a chat's copies
    keep their order across instances. A lease whose holder is no longer alive is taken over."""

    __tablename__ = "delivery_leases"

    dst_chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(32))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GlossaryTermRow(Base):
    """A partnership term and how it is rendered per language; unique per bridge regardless of case."""

    __tablename__ = "glossary_terms"
    __table_args__ = (PrimaryKeyConstraint("bridge_id", "term_key"),)

    bridge_id: Mapped[int] = mapped_column(ForeignKey("bridges.id", ondelete="CASCADE"))
    # The case-folded, whitespace-normalised term: the identity of the entry within its bridge.
    term_key: Mapped[str] = mapped_column(String(255))
    term: Mapped[str] = mapped_column(String(255))
    renderings: Mapped[dict[str, str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class IndicatorRow(Base):
    """A measurable target of a programme ("students exchanged: 40 a year"); unique per programme regardless
    of case. ``period``: 'year' or 'quarter' (the target is per calendar year or quarter), or 'by' (a total
    to reach by ``by_date``)."""

    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("programme_id", "name_key", name="uq_indicators_programme_name_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey, index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"))
    # The name as entered, and its NFC case-folded form: the identity within the programme.
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(64))
    target: Mapped[float] = mapped_column(Float)
    period: Mapped[str] = mapped_column(String(8))
    by_date: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IndicatorUpdateRow(Base):
    """One change of an indicator's value, and the value after it (the running value, in recording order).

    ``by_name`` and ``user_id`` say who; a group that is forgotten leaves its rows nameless (storage.chatdata).
    """

    __tablename__ = "indicator_updates"
    __table_args__ = (Index("ix_indicator_updates_indicator_at", "indicator_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    change: Mapped[float] = mapped_column(Float)
    value_after: Mapped[float] = mapped_column(Float)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    by_name: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    city: Mapped[str] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)


class EventRow(Base):
    """The history of a scope's action items and indicators (what reports are made from).

    ``kind``: created, assigned, due, done, reopened, dropped, renamed (of action item ``item_number``),
    indicator (an update of ``indicator_id``), decision or evidence (recorded; ``detail``: its text or
    caption). ``indicator_id`` is deliberately no foreign key: the history
    outlives a deleted indicator. A group that is forgotten leaves its rows nameless (storage.chatdata).
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_scope_at", "scope", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    item_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    indicator_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    programme: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    by_name: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    city: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str | None] = mapped_column(String(500), nullable=True)


class ActivityDayRow(Base):
    """How many messages a group relayed out (``sent``) and got relayed in (``received``) on one day:
    the group's own local day (rows written before that rule hold UTC days, left as they are). Counts only: no
    message text, ever."""

    __tablename__ = "activity_days"
    __table_args__ = (PrimaryKeyConstraint("chat_id", "day"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, autoincrement=False)
    day: Mapped[date] = mapped_column(Date)
    sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ReportRow(Base):
    """A report sent to a group, numbered 1, 2, 3 … per group; ``summary`` is its Telegram HTML text.
    ``kind``: manual, monthly or quarterly; the period is [``period_start``, ``period_end``)."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("chat_id", "number", name="uq_reports_chat_id_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime)
    period_end: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    language: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)


class MeetingCounterRow(Base):
    """The last meeting number handed out in a scope: bumped in the transaction that adds the meeting."""

    __tablename__ = "meeting_counters"

    scope: Mapped[Scope] = mapped_column(ScopeKey, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class MeetingRow(Base):
    """A meeting proposed with /meet (storage.meetings), numbered per scope. ``slots``: the proposed starts (ISO
    instants, UTC); ``state``: proposed → confirmed (``confirmed_slot``) or cancelled. ``starts_at``/``ends_at``:
    the first proposed slot's start and the last one's end, or the confirmed slot's (listing, retention).
    ``chat_id``/``created_by``: the group and person that asked (NULL once that group is forgotten)."""

    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("scope", "number", name="uq_meetings_scope_number"),
        Index("ix_meetings_scope_state_ends", "scope", "state", "ends_at"),
        Index("ix_meetings_ends_at", "ends_at"),
        # Never reuse a deleted meeting's id on SQLite: buttons refer to it.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey)
    number: Mapped[int] = mapped_column(Integer)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str] = mapped_column(String(16))
    slots: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="proposed")
    confirmed_slot: Mapped[int | None] = mapped_column(Integer, nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminder_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingVoteRow(Base):
    """One person's vote for one slot of a meeting, and the group it was given in."""

    __tablename__ = "meeting_votes"
    __table_args__ = (UniqueConstraint("meeting_id", "slot", "user_id", name="uq_meeting_votes_meeting_slot_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingPostRow(Base):
    """The proposal message of a meeting in one group, edited as the votes come in."""

    __tablename__ = "meeting_posts"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, index=True)
    message_id: Mapped[int] = mapped_column(BigInteger)


class ContinuityCounterRow(Base):
    """The last decision or evidence number (``kind``) handed out in a scope: bumped in the transaction that adds it."""

    __tablename__ = "continuity_counters"
    __table_args__ = (PrimaryKeyConstraint("scope", "kind"),)

    scope: Mapped[Scope] = mapped_column(ScopeKey)
    kind: Mapped[str] = mapped_column(String(16))  # 'decision' or 'evidence'
    last_number: Mapped[int] = mapped_column(Integer)


class DecisionRow(Base):
    """A decision of a scope (/decision, storage.continuity), numbered per scope; ``programme_key``: the NFC
    case-folded ``programme`` (filters regardless of case). A forgotten group's decisions go with it."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("scope", "number", name="uq_decisions_scope_number"),
        Index("ix_decisions_scope_created_at", "scope", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey)
    number: Mapped[int] = mapped_column(Integer)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    by_name: Mapped[str] = mapped_column(String(128))
    city: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    programme: Mapped[str | None] = mapped_column(String(64), nullable=True)
    programme_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EvidenceRow(Base):
    """A photo, video or document posted as evidence of a programme (/evidence, storage.continuity), numbered per
    scope; the file stays in Telegram (its ids are kept). One row per message (``chat_id``, ``message_id``)."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("scope", "number", name="uq_evidence_scope_number"),
        UniqueConstraint("chat_id", "message_id", name="uq_evidence_chat_message"),
        Index("ix_evidence_scope_created_at", "scope", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[Scope] = mapped_column(ScopeKey)
    number: Mapped[int] = mapped_column(Integer)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    by_name: Mapped[str] = mapped_column(String(128))
    city: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(255))
    programme: Mapped[str] = mapped_column(String(64))
    programme_key: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    file_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    caption: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeenPersonRow(Base):
    """Someone seen posting in a group, and when last (storage.continuity); forgotten after a while unseen."""

    __tablename__ = "people_seen"
    __table_args__ = (PrimaryKeyConstraint("chat_id", "user_id"),)

    chat_id: Mapped[int] = mapped_column(BigInteger, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, autoincrement=False, index=True)
    name: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(32), nullable=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
