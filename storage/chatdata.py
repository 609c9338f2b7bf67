"""Everything stored about one chat, as a whole: moved to a new id when a group becomes a supergroup,
forgotten when the group asks (or some time after the bot was removed).

The history of a bridge (events, indicator updates) outlives a group that is forgotten while its partners
stay: its rows keep what reports count — the kind, the instant, the group's id, the programme, the item's
number or the indicator, the change and the value after it — and lose every text a person wrote and every
name:

- ``events``: ``by_name`` emptied, ``user_id`` cleared, ``detail`` cleared (an item's title, its owners'
  names, a due date, an indicator's change); and ``detail`` of every group's events about the items the
  forgotten group created, which are deleted (their title is in "created" and "renamed", owners' names in
  "assigned");
- ``indicator_updates``: ``by_name`` emptied, ``user_id`` cleared, ``note`` cleared;
- both: ``city`` is kept only where it is the group's city as set with /city; any other label (the group's
  title, when it had set no city, or an earlier label) is emptied: a title may name people.

``programme`` stays: it is the bridge's programme, which the bridge's other groups keep. A forgotten
group's message counts and reports are deleted.

The translation cache cannot tell which group a text came from, only which bridge it was stored for
(storage/translation_cache.py). Forgetting a group deletes the entries of every bridge its texts may be
in: the bridge it is in, the bridges it was marked in (``translation_cache_chats``: it was a member when
an entry was stored), and the bridges of its items, reminders, history and relay work; and every entry of
no bridge (a group in no bridge, or stored before revision 0012). The bridges' other groups lose only
cached translations: their texts are translated again when next needed.

The list of tables is here and nowhere else: a table that keeps a chat id must be added to ``chat_columns``
(tests/integration/test_data_storage.py checks every column that refers to chats is covered).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Executable, case, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased
from sqlalchemy.sql import ColumnElement

from bot.domain.records import Forgotten, Scope
from storage._shared import rowcount, upsert
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
    ContinuityCounterRow,
    DayOffRow,
    DecisionRow,
    DeliveryLeaseRow,
    EventRow,
    EvidenceRow,
    IndicatorRow,
    IndicatorUpdateRow,
    JoinRequestRow,
    LinkCodeRow,
    MeetingCounterRow,
    MeetingPostRow,
    MeetingRow,
    MeetingVoteRow,
    MessageLinkRow,
    ProgrammeRow,
    RelayJobRow,
    ReminderCounterRow,
    ReminderRow,
    ReminderSettingsRow,
    ReportRow,
    SeenPersonRow,
    TranslationCacheChatRow,
    TranslationCacheRow,
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
    MeetingRow,
    MeetingCounterRow,
    DecisionRow,
    EvidenceRow,
    ContinuityCounterRow,
)


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
        ("reminders", "origin_chat_id"),
        ("chat_schedules", "chat_id"),
        ("days_off", "chat_id"),
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
        ("translation_cache_chats", "chat_id"),
        ("meetings", "chat_id"),
        ("meeting_votes", "chat_id"),
        ("meeting_posts", "chat_id"),
        ("decisions", "chat_id"),
        ("evidence", "chat_id"),
        ("people_seen", "chat_id"),
    ]


class ChatDataRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def move(self, old: int, new: int, *, new_type: str = "supergroup") -> bool:
        """A basic group became supergroup ``new``: its settings, bridge membership, items, programmes,
        reminders, meetings and votes, decisions, evidence and the people seen there, pending relay work,
        indicators, history, message counts and reports move to the new id
        (in one transaction; counts of a day the new id has too are added up, reports are numbered after any
        the new id has already, and a person seen in both keeps the later instant). Copies already sent
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
                    "workdays": source.workdays,
                    "work_hours": source.work_hours,
                    "country": source.country,
                    "region": source.region,
                    "welcome": source.welcome,
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
                if await session.scalar(select(DayOffRow.id).where(DayOffRow.chat_id == old).limit(1)) is not None:
                    await session.execute(delete(DayOffRow).where(DayOffRow.chat_id == new))
                if await session.get(ApprovedChatRow, old) is not None:
                    await session.execute(delete(ApprovedChatRow).where(ApprovedChatRow.chat_id == new))
                for model, column in (
                    (BridgeMemberRow, BridgeMemberRow.chat_id),
                    (LinkCodeRow, LinkCodeRow.chat_id),
                    (JoinRequestRow, JoinRequestRow.issuer_chat_id),
                    (JoinRequestRow, JoinRequestRow.requester_chat_id),
                    (ActionItemRow, ActionItemRow.chat_id),
                    (ReminderRow, ReminderRow.chat_id),
                    (ReminderRow, ReminderRow.origin_chat_id),
                    (DayOffRow, DayOffRow.chat_id),
                    (ChatScheduleRow, ChatScheduleRow.chat_id),
                    (ApprovedChatRow, ApprovedChatRow.chat_id),
                    (EventRow, EventRow.chat_id),
                    (IndicatorUpdateRow, IndicatorUpdateRow.chat_id),
                    (MeetingRow, MeetingRow.chat_id),
                    (MeetingVoteRow, MeetingVoteRow.chat_id),
                    (DecisionRow, DecisionRow.chat_id),
                ):
                    await session.execute(
                        update(model)
                        .where(column == old)
                        .values({column.key: new})
                        .execution_options(synchronize_session=False)
                    )
                await session.execute(
                    update(RelayJobRow)
                    .where(RelayJobRow.dst_chat_id == old, RelayJobRow.state == "pending")
                    .values(dst_chat_id=new)
                    .execution_options(synchronize_session=False)
                )
                # A proposal message in the old group cannot be edited from the new one: its tallies stop there.
                await session.execute(delete(MeetingPostRow).where(MeetingPostRow.chat_id == old))
                # Whoever delivered to the old id lets go; the new id's deliverer takes its own lease.
                await session.execute(delete(DeliveryLeaseRow).where(DeliveryLeaseRow.dst_chat_id == old))
                await self._move_marks(session, old, new)
                await self._move_people(session, old, new)
                await _move_evidence(session, old, new)
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
        in a bridge, its reminders, meeting votes and proposal messages, the decisions and evidence it recorded
        (in a bridge too) and the people seen there, relay work and message links from and to it, its message
        counts and reports, and the cached translations its texts may be in. The bridge's
        other groups keep what is theirs (the meetings it proposed to them too, without who asked), and the
        bridge's history keeps what the group did without saying who or what was written (see the module's
        docstring)."""
        own = Scope.of(None, chat_id)
        counts: dict[str, int] = {}

        async def run(session: AsyncSession, name: str, statement: Executable) -> None:
            counts[name] = counts.get(name, 0) + rowcount(await session.execute(statement))

        try:
            async with self.db.session() as session:
                # What must be known before anything goes: the group's city, the items it created in a
                # bridge (their history loses its text) and the bridges its texts may be cached for.
                chat = await session.get(ChatRow, chat_id)
                city = chat.city if chat is not None and chat.city else None
                created = [
                    (scope, number)
                    for scope, number in await session.execute(
                        select(ActionItemRow.scope, ActionItemRow.number).where(
                            ActionItemRow.chat_id == chat_id, ActionItemRow.scope != own
                        )
                    )
                ]
                translated_for = await _translated_for(session, chat_id)

                for model in _SCOPED:
                    await run(session, model.__tablename__, delete(model).where(model.scope == own))
                await run(session, "reminders", delete(ReminderRow).where(ReminderRow.chat_id == chat_id))
                await session.execute(
                    update(ReminderRow).where(ReminderRow.origin_chat_id == chat_id).values(origin_chat_id=None)
                )
                await run(session, "action_items", delete(ActionItemRow).where(ActionItemRow.chat_id == chat_id))
                either = or_(RelayJobRow.src_chat_id == chat_id, RelayJobRow.dst_chat_id == chat_id)
                await run(session, "relay_jobs", delete(RelayJobRow).where(either))
                dst_lease = DeliveryLeaseRow.dst_chat_id == chat_id
                await run(session, "delivery_leases", delete(DeliveryLeaseRow).where(dst_lease))
                await run(
                    session,
                    "message_links",
                    delete(MessageLinkRow).where(
                        or_(MessageLinkRow.src_chat_id == chat_id, MessageLinkRow.dst_chat_id == chat_id)
                    ),
                )
                await run(
                    session,
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
                await run(session, "days_off", delete(DayOffRow).where(DayOffRow.chat_id == chat_id))
                await run(session, "approved_chats", delete(ApprovedChatRow).where(ApprovedChatRow.chat_id == chat_id))
                await run(session, "activity_days", delete(ActivityDayRow).where(ActivityDayRow.chat_id == chat_id))
                await run(session, "reports", delete(ReportRow).where(ReportRow.chat_id == chat_id))
                # Its votes and proposal messages go; the bridge's meetings it asked for stay, without who asked.
                await run(session, "meeting_votes", delete(MeetingVoteRow).where(MeetingVoteRow.chat_id == chat_id))
                await run(session, "meeting_posts", delete(MeetingPostRow).where(MeetingPostRow.chat_id == chat_id))
                await session.execute(
                    update(MeetingRow).where(MeetingRow.chat_id == chat_id).values(chat_id=None, created_by=None)
                )
                # What it recorded for the bridge was written or posted by its people: it goes, as its items do.
                await run(session, "decisions", delete(DecisionRow).where(DecisionRow.chat_id == chat_id))
                await run(session, "evidence", delete(EvidenceRow).where(EvidenceRow.chat_id == chat_id))
                await run(session, "people_seen", delete(SeenPersonRow).where(SeenPersonRow.chat_id == chat_id))
                await _blank_history(session, chat_id, city, created)
                cache, marks = TranslationCacheRow, TranslationCacheChatRow
                whose = or_(cache.bridge_id.is_(None), cache.bridge_id.in_(translated_for))
                await _lock(session, whose, cache.provider, cache.source, cache.target, cache.text_hash)
                await run(session, "translation_cache", delete(cache).where(whose))
                marked = or_(marks.chat_id == chat_id, marks.bridge_id.in_(translated_for))
                await _lock(session, marked, marks.chat_id, marks.bridge_id)
                await run(session, "translation_cache_chats", delete(marks).where(marked))
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

    async def _move_marks(self, session: AsyncSession, old: int, new: int) -> None:
        """The old id's translation cache marks go to the new id (the later instant where both have one)."""
        marks = TranslationCacheChatRow
        moved = upsert(self.db, marks).from_select(
            ["chat_id", "bridge_id", "at"],
            select(literal(new, BigInteger()), marks.bridge_id, marks.at)
            .where(marks.chat_id == old)
            .order_by(marks.bridge_id),
        )
        table = marks.__table__.c
        later = case((moved.excluded.at > table.at, moved.excluded.at), else_=table.at)
        await session.execute(moved.on_conflict_do_update(index_elements=["chat_id", "bridge_id"], set_={"at": later}))
        await session.execute(delete(marks).where(marks.chat_id == old))

    async def _move_people(self, session: AsyncSession, old: int, new: int) -> None:
        """The people seen in the old id are seen in the new one (where seen in both: the later instant, and the
        name and username seen then)."""
        seen = SeenPersonRow
        columns = ["chat_id", "user_id", "name", "username", "seen_at"]
        moved = upsert(self.db, seen).from_select(
            columns,
            select(literal(new, BigInteger()), seen.user_id, seen.name, seen.username, seen.seen_at)
            .where(seen.chat_id == old)
            .order_by(seen.user_id),
        )
        table = seen.__table__.c
        later = moved.excluded.seen_at > table.seen_at
        await session.execute(
            moved.on_conflict_do_update(
                index_elements=["chat_id", "user_id"],
                set_={column: case((later, moved.excluded[column]), else_=table[column]) for column in columns[2:]},
            )
        )
        await session.execute(delete(seen).where(seen.chat_id == old))

    async def inactive_since(self, before: datetime) -> list[int]:
        """Chats the bot was removed from (inactive) and not touched since ``before``."""
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ChatRow.id).where(ChatRow.active.is_(False), ChatRow.updated_at < before)
            )
            return list(rows.all())


async def _translated_for(session: AsyncSession, chat_id: int) -> list[int]:
    """The bridges whose cached translations may hold the chat's texts: the bridge it is in, those it was
    marked in, and those of its items, reminders, history (also of an indicator it updated) and of the
    relay work from it."""
    found: set[int] = set()
    marks = TranslationCacheChatRow
    for query in (
        select(BridgeMemberRow.bridge_id).where(BridgeMemberRow.chat_id == chat_id),
        select(marks.bridge_id).where(marks.chat_id == chat_id),
        select(RelayJobRow.bridge_id).where(RelayJobRow.src_chat_id == chat_id, RelayJobRow.bridge_id.is_not(None)),
    ):
        found.update(b for b in (await session.scalars(query.distinct())).all() if b is not None)
    for scopes in (
        select(ActionItemRow.scope).where(ActionItemRow.chat_id == chat_id),
        select(ReminderRow.scope).where(ReminderRow.chat_id == chat_id),
        select(EventRow.scope).where(EventRow.chat_id == chat_id),
        select(IndicatorRow.scope)
        .join(IndicatorUpdateRow, IndicatorUpdateRow.indicator_id == IndicatorRow.id)
        .where(IndicatorUpdateRow.chat_id == chat_id),
    ):
        for scope in (await session.scalars(scopes.distinct())).all():
            if scope.bridge_id is not None:
                found.add(scope.bridge_id)
    return sorted(found)


async def _lock(session: AsyncSession, where: ColumnElement[bool], *key: InstrumentedAttribute[Any]) -> None:
    """Lock the rows ``where`` selects in ``key`` order before deleting them (PostgreSQL; SQLite has one
    writer at a time): a cache write takes its rows in that order too, so the two cannot deadlock."""
    await session.execute(select(*key).where(where).order_by(*key).with_for_update())


async def _blank_history(
    session: AsyncSession, chat_id: int, city: str | None, created: Sequence[tuple[Scope, int]]
) -> None:
    """The bridge's history of a forgotten group, without names or text (see the module's docstring)."""
    for history, text in ((EventRow, EventRow.detail), (IndicatorUpdateRow, IndicatorUpdateRow.note)):
        label = "" if city is None else case((history.city == city, history.city), else_="")
        await session.execute(
            update(history)
            .where(history.chat_id == chat_id)
            .values({history.by_name: "", history.user_id: None, text: None, history.city: label})
            .execution_options(synchronize_session=False)
        )
    numbers: dict[Scope, list[int]] = {}
    for scope, number in created:
        numbers.setdefault(scope, []).append(number)
    for scope, items in numbers.items():
        await session.execute(
            update(EventRow)
            .where(EventRow.scope == scope, EventRow.item_number.in_(items), EventRow.detail.is_not(None))
            .values(detail=None)
            .execution_options(synchronize_session=False)
        )


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


async def _move_evidence(session: AsyncSession, old: int, new: int) -> None:
    """The old id's evidence goes to the new id. A supergroup numbers its messages afresh: an old message id the
    new id has recorded evidence of too is kept negated (no message of the new group is ever taken for it, and
    each message still has one row)."""
    other = aliased(EvidenceRow)
    taken = select(other.message_id).where(other.chat_id == new).scalar_subquery()
    await session.execute(
        update(EvidenceRow)
        .where(EvidenceRow.chat_id == old, EvidenceRow.message_id.in_(taken))
        .values(message_id=-EvidenceRow.message_id)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(EvidenceRow)
        .where(EvidenceRow.chat_id == old)
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
