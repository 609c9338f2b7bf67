"""Everything stored about one chat, as a whole: moved to a new id when a group becomes a supergroup,
forgotten when the group asks (or some time after the bot was removed).

The history of a bridge (events, indicator updates) outlives a group that is forgotten while its partners
stay: its rows keep the group's id and city, so the bridge's reports still add up, but no longer who did
it (``by_name`` emptied, ``user_id`` cleared). A forgotten group's message counts and reports are deleted.

The list of tables is here and nowhere else: a table that keeps a chat id must be added to ``_TABLES``
(tests/integration/test_data_storage.py checks every column that refers to chats is covered).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Executable, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.records import Forgotten, Scope
from storage._shared import rowcount
from storage.db import Database
from storage.models import (
    ActionCounterRow,
    ActionItemRow,
    ActivityDayRow,
    ApprovedChatRow,
    BridgeMemberRow,
    BridgeRow,
    ChatRow,
    ChatScheduleRow,
    DeliveryLeaseRow,
    EventRow,
    IndicatorRow,
    IndicatorUpdateRow,
    JoinRequestRow,
    LinkCodeRow,
    MessageLinkRow,
    ProgrammeRow,
    RelayJobRow,
    ReminderCounterRow,
    ReminderRow,
    ReminderSettingsRow,
    ReportRow,
    utcnow,
)

# The tables keyed by a scope (a group's own scope is "c<chat id>"). Indicator updates go with their
# indicator (ON DELETE CASCADE).
_SCOPED = (
    ActionItemRow,
    ActionCounterRow,
    ProgrammeRow,
    ReminderRow,
    ReminderCounterRow,
    ReminderSettingsRow,
    IndicatorRow,
    EventRow,
    ReportRow,
)
# History of a bridge that names who did what: kept when the group is forgotten, without the names.
_HISTORY = (EventRow, IndicatorUpdateRow)


def chat_columns() -> list[tuple[str, str]]:
    """(table, column) of every column this module treats as a chat id."""
    return [
        ("bridge_members", "chat_id"),
        ("link_codes", "chat_id"),
        ("link_codes", "used_by_chat"),
        ("join_requests", "issuer_chat_id"),
        ("join_requests", "requester_chat_id"),
        ("action_items", "chat_id"),
        ("reminders", "chat_id"),
        ("chat_schedules", "chat_id"),
        ("relay_jobs", "src_chat_id"),
        ("relay_jobs", "dst_chat_id"),
        ("delivery_leases", "dst_chat_id"),
        ("message_links", "src_chat_id"),
        ("message_links", "dst_chat_id"),
        ("approved_chats", "chat_id"),
        ("indicator_updates", "chat_id"),
        ("events", "chat_id"),
        ("activity_days", "chat_id"),
        ("reports", "chat_id"),
    ]


class ChatDataRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def move(self, old: int, new: int, *, new_type: str = "supergroup") -> bool:
        """A basic group became supergroup ``new``: its settings, bridge membership, items, programmes,
        reminders, pending relay work, indicators, history, message counts and reports move to the new id
        (in one transaction; counts of a day the new id has too are added up, and reports are numbered
        after any the new id has already). Copies already sent
        into the old group stay linked to it (the new group has new message ids). False when ``old`` is
        not known or was moved already."""
        if old == new:
            return False
        try:
            async with self.db.session() as session:
                source = await session.get(ChatRow, old, with_for_update=True)
                if source is None or not source.active:
                    return False
                target = await session.get(ChatRow, new, with_for_update=True)
                now = utcnow()
                settings = {
                    "title": source.title,
                    "language": source.language,
                    "timezone": source.timezone,
                    "city": source.city,
                    "show_original": source.show_original,
                    "active": True,
                    "updated_at": now,
                }
                if target is None:
                    session.add(ChatRow(id=new, type=new_type, created_at=source.created_at, **settings))
                else:  # the new group's first update got there first: it takes the old group's settings
                    for key, value in settings.items():
                        setattr(target, key, value)
                    target.type = new_type
                await session.flush()
                # What the old group has replaces what the new one got on first sight; nothing else is
                # touched (the old group's own service message may come after the move and run it again).
                if await session.get(ChatScheduleRow, old) is not None:
                    await session.execute(delete(ChatScheduleRow).where(ChatScheduleRow.chat_id == new))
                if await session.scalar(select(BridgeMemberRow.bridge_id).where(BridgeMemberRow.chat_id == old)):
                    await session.execute(delete(BridgeMemberRow).where(BridgeMemberRow.chat_id == new))
                if await session.get(ApprovedChatRow, old) is not None:
                    await session.execute(delete(ApprovedChatRow).where(ApprovedChatRow.chat_id == new))
                for model, column in (
                    (BridgeMemberRow, BridgeMemberRow.chat_id),
                    (LinkCodeRow, LinkCodeRow.chat_id),
                    (JoinRequestRow, JoinRequestRow.issuer_chat_id),
                    (JoinRequestRow, JoinRequestRow.requester_chat_id),
                    (ActionItemRow, ActionItemRow.chat_id),
                    (ReminderRow, ReminderRow.chat_id),
                    (ChatScheduleRow, ChatScheduleRow.chat_id),
                    (ApprovedChatRow, ApprovedChatRow.chat_id),
                    (EventRow, EventRow.chat_id),
                    (IndicatorUpdateRow, IndicatorUpdateRow.chat_id),
                ):
                    await session.execute(
                        update(model).where(column == old).values({column.key: new}).execution_options(
                            synchronize_session=False
                        )
                    )
                await session.execute(
                    update(RelayJobRow)
                    .where(RelayJobRow.dst_chat_id == old, RelayJobRow.state == "pending")
                    .values(dst_chat_id=new)
                    .execution_options(synchronize_session=False)
                )
                # Whoever delivered to the old id lets go; the new id's deliverer takes its own lease.
                await session.execute(delete(DeliveryLeaseRow).where(DeliveryLeaseRow.dst_chat_id == old))
                await _move_activity(session, old, new)
                await _move_reports(session, old, new)
                await _rescope(session, Scope.of(None, old), Scope.of(None, new))
                source.active = False
                source.updated_at = now
        finally:
            self.db.cache.chat_changed(old)
            self.db.cache.chat_changed(new)
            self.db.cache.bridges_changed()
        return True

    async def forget(self, chat_id: int) -> Forgotten:
        """Delete everything stored about the chat: its settings, bridge membership, codes and requests,
        the items, programmes, reminders, indicators and history of its own scope and the items it created
        in a bridge, its reminders, relay work and message links from and to it, its message counts and
        reports. The bridge's other groups keep what is theirs, and the bridge's history keeps what the
        group did without saying who (names and user ids of its rows cleared)."""
        own = Scope.of(None, chat_id)
        counts: dict[str, int] = {}


        async def run(session: AsyncSession, name: str, statement: Executable) -> None:
            counts[name] = counts.get(name, 0) + rowcount(await session.execute(statement))

        try:
            async with self.db.session() as session:
                for model in _SCOPED:
                    await run(session, model.__tablename__, delete(model).where(model.scope == own))
                await run(session, "reminders", delete(ReminderRow).where(ReminderRow.chat_id == chat_id))
                await run(session, "action_items", delete(ActionItemRow).where(ActionItemRow.chat_id == chat_id))
                either = or_(RelayJobRow.src_chat_id == chat_id, RelayJobRow.dst_chat_id == chat_id)
                await run(session, "relay_jobs", delete(RelayJobRow).where(either))
                dst_lease = DeliveryLeaseRow.dst_chat_id == chat_id
                await run(session, "delivery_leases", delete(DeliveryLeaseRow).where(dst_lease))
                await run(session,
                    "message_links",
                    delete(MessageLinkRow).where(
                        or_(MessageLinkRow.src_chat_id == chat_id, MessageLinkRow.dst_chat_id == chat_id)
                    ),
                )
                await run(session,
                    "join_requests",
                    delete(JoinRequestRow).where(
                        or_(JoinRequestRow.issuer_chat_id == chat_id, JoinRequestRow.requester_chat_id == chat_id)
                    ),
                )
                await run(session, "link_codes", delete(LinkCodeRow).where(LinkCodeRow.chat_id == chat_id))
                await session.execute(
                    update(LinkCodeRow).where(LinkCodeRow.used_by_chat == chat_id).values(used_by_chat=None)
                )
                await run(session, "chat_schedules", delete(ChatScheduleRow).where(ChatScheduleRow.chat_id == chat_id))
                await run(session, "approved_chats", delete(ApprovedChatRow).where(ApprovedChatRow.chat_id == chat_id))
                await run(session, "activity_days", delete(ActivityDayRow).where(ActivityDayRow.chat_id == chat_id))
                await run(session, "reports", delete(ReportRow).where(ReportRow.chat_id == chat_id))
                for history in _HISTORY:  # not deleted: nameless
                    await session.execute(
                        update(history)
                        .where(history.chat_id == chat_id)
                        .values(by_name="", user_id=None)
                        .execution_options(synchronize_session=False)
                    )
                bridge_id = await session.scalar(
                    select(BridgeMemberRow.bridge_id).where(BridgeMemberRow.chat_id == chat_id)
                )
                await run(session, "bridge_members", delete(BridgeMemberRow).where(BridgeMemberRow.chat_id == chat_id))
                if bridge_id is not None and not await session.scalar(
                    select(BridgeMemberRow.chat_id).where(BridgeMemberRow.bridge_id == bridge_id).limit(1)
                ):  # the last group of its bridge: the bridge's own data goes too (glossary by cascade)
                    bridge_scope = Scope.of(bridge_id, chat_id)
                    for model in _SCOPED:
                        await run(session, model.__tablename__, delete(model).where(model.scope == bridge_scope))
                    await run(session, "bridges", delete(BridgeRow).where(BridgeRow.id == bridge_id))
                await run(session, "chats", delete(ChatRow).where(ChatRow.id == chat_id))
        finally:
            self.db.cache.chat_changed(chat_id)
            self.db.cache.bridges_changed()
        return Forgotten({name: count for name, count in counts.items() if count})

    async def inactive_since(self, before: datetime) -> list[int]:
        """Chats the bot was removed from (inactive) and not touched since ``before``."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ChatRow.id).where(ChatRow.active.is_(False), ChatRow.updated_at < before)
            )
            return list(rows.all())


async def _rescope(session: AsyncSession, old: Scope, new: Scope) -> None:
    for model in _SCOPED:
        await session.execute(
            update(model).where(model.scope == old).values(scope=new).execution_options(synchronize_session=False)
        )


async def _move_activity(session: AsyncSession, old: int, new: int) -> None:
    """The old id's daily counts go to the new id, added to the new id's where it has the same day."""
    other = aliased(ActivityDayRow)
    same_day = select(other.day).where(other.chat_id == new).scalar_subquery()
    for column in (ActivityDayRow.sent, ActivityDayRow.received):
        moved = getattr(other, column.key)
        await session.execute(
            update(ActivityDayRow)
            .where(
                ActivityDayRow.chat_id == new,
                ActivityDayRow.day.in_(select(other.day).where(other.chat_id == old).scalar_subquery()),
            )
            .values(
                {
                    column.key: column
                    + select(moved).where(other.chat_id == old, other.day == ActivityDayRow.day).scalar_subquery()
                }
            )
            .execution_options(synchronize_session=False)
        )
    await session.execute(
        delete(ActivityDayRow)
        .where(ActivityDayRow.chat_id == old, ActivityDayRow.day.in_(same_day))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(ActivityDayRow)
        .where(ActivityDayRow.chat_id == old)
        .values(chat_id=new)
        .execution_options(synchronize_session=False)
    )


async def _move_reports(session: AsyncSession, old: int, new: int) -> None:
    """The old id's reports go to the new id, numbered after any it has already (none, as a rule)."""
    highest = select(func.coalesce(func.max(ReportRow.number), 0)).where(ReportRow.chat_id == new)
    offset = int(await session.scalar(highest) or 0)
    await session.execute(
        update(ReportRow)
        .where(ReportRow.chat_id == old)
        .values(chat_id=new, number=ReportRow.number + offset)
        .execution_options(synchronize_session=False)
    )
