"""Continuity when people change (bot/domain/continuity.py): decisions and evidence of a scope, numbered per scope
and kind (``continuity_counters``), who was seen in which group (``people_seen``), and what a handover moves from
one person to another (their reminders and indicators) with a group's welcome flag (``chats.welcome``). What a
group's moving or forgetting does to them is storage/chatdata.py's.

Limits: a decision or evidence is numbered by an upsert of its scope's counter row, the first statement of the
transaction that stores it (PostgreSQL: concurrent adds queue on that row; SQLite: it takes the write lock before
anything is read), so the count checked against ``kept_max`` after it cannot be passed by two adds at once.
"""

from __future__ import annotations

import builtins
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Select, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from bot.domain.continuity import (
    EVIDENCE_KINDS,
    Decision,
    Evidence,
    NewDecision,
    NewEvidence,
    SeenPerson,
)
from bot.domain.errors import LimitReached
from bot.domain.records import Indicator, Reminder, Scope
from bot.domain.rules import (
    DECISION_TEXT_MAX,
    EVIDENCE_CAPTION_MAX,
    EVIDENCE_FILE_NAME_MAX,
    EVIDENCE_NOTE_MAX,
    FILE_ID_MAX,
    LANGUAGE_CODE_MAX,
    PERSON_NAME_MAX,
)
from storage._shared import checked_scope, require_aware, rowcount, upsert
from storage.actions import programme_key
from storage.db import Database
from storage.models import (
    ChatRow,
    ContinuityCounterRow,
    DecisionRow,
    EvidenceRow,
    IndicatorRow,
    ReminderRow,
    SeenPersonRow,
    utcnow,
)
from storage.monitoring import _indicators
from storage.reminders import _reminder

DECISION = "decision"
EVIDENCE = "evidence"
LABEL_MAX = 128  # characters of the city label kept with a decision or evidence (a group's city, else its title)
USERNAME_MAX = 32  # characters of a Telegram username as stored
_SEEN_CHUNK = 1000  # people written per statement (every row's values are bound parameters)
_HANDED_OVER = ("pending", "claimed")  # a reminder's rows that move to the new person (also one being sent)


def programme_filter(name: str) -> str:
    """The key a programme filter compares with (NFC, '#' and spaces dropped, case-folded): ``programme_key`` for a
    valid name, and for any other text one no stored key equals."""
    return unicodedata.normalize("NFC", name).strip().removeprefix("#").casefold()


def _programme(name: str) -> tuple[str, str]:
    """The programme's name as stored (NFC, without '#') and its key; ValueError for an invalid name."""
    key = programme_key(name)
    return unicodedata.normalize("NFC", name).strip().removeprefix("#"), key


def _check_person(by: str, city: str, language: str) -> None:
    if len(by) > PERSON_NAME_MAX:
        raise ValueError(f"a person's name is at most {PERSON_NAME_MAX} characters")
    if len(city) > LABEL_MAX:
        raise ValueError(f"a city label is at most {LABEL_MAX} characters")
    if not language.strip() or len(language) > LANGUAGE_CODE_MAX:
        raise ValueError(f"invalid language code {language!r}")


def checked_decision(new: NewDecision) -> tuple[NewDecision, str | None]:
    """The decision as stored (its programme's name normalised) and its programme's key; ValueError for a decision
    Kembar does not store (the features refuse it first, in the group's language)."""
    checked_scope(new.scope)
    if not new.text.strip() or len(new.text) > DECISION_TEXT_MAX:
        raise ValueError(f"a decision is 1 to {DECISION_TEXT_MAX} characters")
    _check_person(new.by, new.city, new.language)
    if new.programme is None:
        return new, None
    programme, key = _programme(new.programme)
    return replace(new, programme=programme), key


def checked_evidence(new: NewEvidence) -> tuple[NewEvidence, str]:
    """The evidence as stored (its programme's name normalised) and its programme's key; ValueError for evidence
    Kembar does not store."""
    checked_scope(new.scope)
    if new.kind not in EVIDENCE_KINDS:
        raise ValueError(f"evidence is one of {', '.join(EVIDENCE_KINDS)}, not {new.kind!r}")
    for file_id in (new.file_id, new.file_unique_id):
        if not file_id or len(file_id) > FILE_ID_MAX:
            raise ValueError(f"a file id is 1 to {FILE_ID_MAX} characters")
    for text, limit, what in (
        (new.caption, EVIDENCE_CAPTION_MAX, "caption"),
        (new.note, EVIDENCE_NOTE_MAX, "note"),
        (new.file_name, EVIDENCE_FILE_NAME_MAX, "file name"),
    ):
        if text is not None and len(text) > limit:
            raise ValueError(f"an evidence's {what} is at most {limit} characters")
    if new.file_size is not None and new.file_size < 0:
        raise ValueError("a file's size is not negative")
    _check_person(new.by, new.city, new.language)
    programme, key = _programme(new.programme)
    return replace(new, programme=programme), key


def checked_people(people: Sequence[SeenPerson]) -> builtins.list[SeenPerson]:
    """The people to remember: names and usernames cut to their columns, one per (group, person) — the latest, the
    last given of equal instants — in (group, person) order. ValueError for a naive instant."""
    latest: dict[tuple[int, int], SeenPerson] = {}
    for person in people:
        require_aware(person.seen_at, "seen_at")
        username = None if person.username is None else person.username[:USERNAME_MAX]
        cut = replace(person, name=person.name[:PERSON_NAME_MAX], username=username)
        key = (person.chat_id, person.user_id)
        kept = latest.get(key)
        if kept is None or cut.seen_at >= kept.seen_at:
            latest[key] = cut
    return [latest[key] for key in sorted(latest)]


async def _next_number(db: Database, session: AsyncSession, scope: Scope, kind: str) -> int:
    insert = upsert(db, ContinuityCounterRow).values(scope=scope, kind=kind, last_number=1)
    statement = insert.on_conflict_do_update(
        index_elements=["scope", "kind"], set_={"last_number": ContinuityCounterRow.last_number + 1}
    ).returning(ContinuityCounterRow.last_number)
    return int((await session.execute(statement)).scalar_one())


async def _kept(session: AsyncSession, model: type[DecisionRow] | type[EvidenceRow], scope: Scope) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(model.scope == scope)) or 0)


def _decision_filter(scope: Scope, programme: str | None, since: datetime | None) -> list[ColumnElement[bool]]:
    conditions = [DecisionRow.scope == scope]
    if programme is not None:
        conditions.append(DecisionRow.programme_key == programme_filter(programme))
    if since is not None:
        require_aware(since, "since")
        conditions.append(DecisionRow.created_at >= since)
    return conditions


def _evidence_filter(scope: Scope, programme: str | None) -> list[ColumnElement[bool]]:
    conditions = [EvidenceRow.scope == scope]
    if programme is not None:
        conditions.append(EvidenceRow.programme_key == programme_filter(programme))
    return conditions


class DecisionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, new: NewDecision, *, kept_max: int) -> Decision:
        new, key = checked_decision(new)
        async with self.db.session() as session:
            number = await _next_number(self.db, session, new.scope, DECISION)  # first: the scope's lock
            if await _kept(session, DecisionRow, new.scope) >= kept_max:
                raise LimitReached(kept_max)
            row = DecisionRow(
                scope=new.scope,
                number=number,
                chat_id=new.chat_id,
                user_id=new.user_id,
                by_name=new.by,
                city=new.city,
                text=new.text,
                language=new.language,
                programme=new.programme,
                programme_key=key,
                message_id=new.message_id,
                created_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return _decision(row)

    async def numbered(self, scope: Scope, number: int) -> Decision | None:
        async with self.db.session() as session:
            row = await session.scalar(
                select(DecisionRow).where(DecisionRow.scope == scope, DecisionRow.number == number)
            )
            return None if row is None else _decision(row)

    async def page(
        self,
        scope: Scope,
        *,
        programme: str | None = None,
        since: datetime | None = None,
        offset: int = 0,
        limit: int,
    ) -> builtins.list[Decision]:
        conditions = _decision_filter(scope, programme, since)
        if limit <= 0:
            return []
        statement = (
            select(DecisionRow)
            .where(*conditions)
            .order_by(DecisionRow.created_at.desc(), DecisionRow.number.desc())
            .offset(max(0, offset))
            .limit(limit)
        )
        async with self.db.session() as session:
            return [_decision(row) for row in await session.scalars(statement)]

    async def count(self, scope: Scope, *, programme: str | None = None, since: datetime | None = None) -> int:
        conditions = _decision_filter(scope, programme, since)
        async with self.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(DecisionRow).where(*conditions)) or 0)


class _Recorded(Exception):
    """The message is recorded already: roll back (the number taken goes back) and answer with the stored one."""

    def __init__(self, evidence: Evidence) -> None:
        super().__init__(evidence.id)
        self.evidence = evidence


class EvidenceRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, new: NewEvidence, *, kept_max: int) -> tuple[Evidence, bool]:
        new, key = checked_evidence(new)
        try:
            async with self.db.session() as session:
                number = await _next_number(self.db, session, new.scope, EVIDENCE)  # first: the scope's lock
                found = await session.scalar(_at(new.chat_id, new.message_id))
                if found is not None:
                    raise _Recorded(_evidence(found))
                if await _kept(session, EvidenceRow, new.scope) >= kept_max:
                    raise LimitReached(kept_max)
                row = EvidenceRow(
                    scope=new.scope,
                    number=number,
                    chat_id=new.chat_id,
                    message_id=new.message_id,
                    user_id=new.user_id,
                    by_name=new.by,
                    city=new.city,
                    kind=new.kind,
                    file_id=new.file_id,
                    file_unique_id=new.file_unique_id,
                    programme=new.programme,
                    programme_key=key,
                    language=new.language,
                    file_name=new.file_name,
                    file_size=new.file_size,
                    caption=new.caption,
                    note=new.note,
                    created_at=utcnow(),
                )
                session.add(row)
                await session.flush()
                return _evidence(row), True
        except _Recorded as recorded:
            return recorded.evidence, False
        except IntegrityError:  # recorded meanwhile under another scope's lock: the stored one stands
            async with self.db.session() as session:
                found = await session.scalar(_at(new.chat_id, new.message_id))
            if found is None:
                raise
            return _evidence(found), False

    async def numbered(self, scope: Scope, number: int) -> Evidence | None:
        async with self.db.session() as session:
            row = await session.scalar(
                select(EvidenceRow).where(EvidenceRow.scope == scope, EvidenceRow.number == number)
            )
            return None if row is None else _evidence(row)

    async def page(
        self, scope: Scope, *, programme: str | None = None, offset: int = 0, limit: int
    ) -> builtins.list[Evidence]:
        if limit <= 0:
            return []
        statement = (
            select(EvidenceRow)
            .where(*_evidence_filter(scope, programme))
            .order_by(EvidenceRow.created_at.desc(), EvidenceRow.number.desc())
            .offset(max(0, offset))
            .limit(limit)
        )
        async with self.db.session() as session:
            return [_evidence(row) for row in await session.scalars(statement)]

    async def count(self, scope: Scope, *, programme: str | None = None) -> int:
        statement = select(func.count()).select_from(EvidenceRow).where(*_evidence_filter(scope, programme))
        async with self.db.session() as session:
            return int(await session.scalar(statement) or 0)

    async def counts(
        self, scope: Scope, *, start: datetime | None = None, end: datetime | None = None
    ) -> dict[str, int]:
        conditions = [EvidenceRow.scope == scope]
        if start is not None:
            require_aware(start, "start")
            conditions.append(EvidenceRow.created_at >= start)
        if end is not None:
            require_aware(end, "end")
            conditions.append(EvidenceRow.created_at < end)
        statement = (
            select(EvidenceRow.programme, func.count())
            .where(*conditions)
            .group_by(EvidenceRow.programme)
            .order_by(EvidenceRow.programme)
        )
        async with self.db.session() as session:
            return {programme: int(n) for programme, n in (await session.execute(statement)).all()}


def _at(chat_id: int, message_id: int) -> Select[EvidenceRow]:
    return select(EvidenceRow).where(EvidenceRow.chat_id == chat_id, EvidenceRow.message_id == message_id)


class RosterRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def seen_many(self, people: Sequence[SeenPerson]) -> None:
        rows = checked_people(people)
        if not rows:
            return
        async with self.db.session() as session:
            for start in range(0, len(rows), _SEEN_CHUNK):
                chunk = rows[start : start + _SEEN_CHUNK]
                statement = upsert(self.db, SeenPersonRow).values(
                    [
                        {
                            "chat_id": p.chat_id,
                            "user_id": p.user_id,
                            "name": p.name,
                            "username": p.username,
                            "seen_at": p.seen_at,
                        }
                        for p in chunk
                    ]
                )
                stored = SeenPersonRow.__table__.c
                later = statement.excluded.seen_at >= stored.seen_at
                await session.execute(
                    statement.on_conflict_do_update(
                        index_elements=["chat_id", "user_id"],
                        set_={
                            column: case((later, statement.excluded[column]), else_=stored[column])
                            for column in ("name", "username", "seen_at")
                        },
                    )
                )

    async def get(self, chat_id: int, user_id: int) -> SeenPerson | None:
        async with self.db.session() as session:
            row = await session.get(SeenPersonRow, (chat_id, user_id))
            return None if row is None else _seen(row)

    async def recent(
        self, chat_ids: Collection[int], *, since: datetime | None = None, limit: int
    ) -> builtins.list[SeenPerson]:
        """One row per group and person, the latest first (then by user id and group)."""
        ids = sorted({int(chat_id) for chat_id in chat_ids})
        if not ids or limit <= 0:
            return []
        conditions: list[ColumnElement[bool]] = [SeenPersonRow.chat_id.in_(ids)]
        if since is not None:
            require_aware(since, "since")
            conditions.append(SeenPersonRow.seen_at >= since)
        statement = (
            select(SeenPersonRow)
            .where(*conditions)
            .order_by(SeenPersonRow.seen_at.desc(), SeenPersonRow.user_id, SeenPersonRow.chat_id)
            .limit(limit)
        )
        async with self.db.session() as session:
            return [_seen(row) for row in await session.scalars(statement)]

    async def chats_of(self, user_id: int) -> builtins.list[int]:
        """The groups the person was seen in, the latest first."""
        statement = (
            select(SeenPersonRow.chat_id)
            .where(SeenPersonRow.user_id == user_id)
            .order_by(SeenPersonRow.seen_at.desc(), SeenPersonRow.chat_id)
        )
        async with self.db.session() as session:
            return [int(chat_id) for chat_id in await session.scalars(statement)]

    async def gone(self, chat_id: int, user_id: int) -> None:
        async with self.db.session() as session:
            await session.execute(
                delete(SeenPersonRow).where(SeenPersonRow.chat_id == chat_id, SeenPersonRow.user_id == user_id)
            )

    async def purge(self, before: datetime) -> int:
        require_aware(before, "before")
        async with self.db.session() as session:
            return rowcount(await session.execute(delete(SeenPersonRow).where(SeenPersonRow.seen_at < before)))


def _handed_over(scope: Scope, user_id: int, states: Collection[str]) -> list[ColumnElement[bool]]:
    return [
        ReminderRow.scope == scope,
        ReminderRow.number.is_not(None),
        ReminderRow.created_by == user_id,
        ReminderRow.state.in_(list(states)),
    ]


class HandoverRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def reminders_of(self, scope: Scope, user_id: int) -> builtins.list[Reminder]:
        """One row per number (its row due first, as ``ReminderRepository.upcoming``), by number."""
        rank = (
            func.row_number()
            .over(partition_by=ReminderRow.number, order_by=(ReminderRow.due_at, ReminderRow.id))
            .label("rank")
        )
        ranked = select(ReminderRow.id, rank).where(*_handed_over(scope, user_id, ("pending",))).subquery()
        statement = (
            select(ReminderRow)
            .join(ranked, ranked.c.id == ReminderRow.id)
            .where(ranked.c.rank == 1)
            .order_by(ReminderRow.number)
        )
        async with self.db.session() as session:
            return [_reminder(row) for row in await session.scalars(statement)]

    async def reassign_reminders(self, scope: Scope, old: int, new: int) -> int:
        """Every row of them, pending or being sent (a recurring one comes back as the new person's); how many
        reminders (numbers), not rows."""
        statement = (
            update(ReminderRow)
            .where(*_handed_over(scope, old, _HANDED_OVER))
            .values(created_by=new)
            .returning(ReminderRow.number)
            .execution_options(synchronize_session=False)
        )
        async with self.db.session() as session:
            return len(set((await session.scalars(statement)).all()))

    async def indicators_of(self, scope: Scope, user_id: int) -> builtins.list[Indicator]:
        async with self.db.session() as session:
            return await _indicators(session, IndicatorRow.scope == scope, IndicatorRow.created_by == user_id)

    async def reassign_indicators(self, scope: Scope, old: int, new: int) -> int:
        async with self.db.session() as session:
            changed = await session.execute(
                update(IndicatorRow)
                .where(IndicatorRow.scope == scope, IndicatorRow.created_by == old)
                .values(created_by=new)
                .execution_options(synchronize_session=False)
            )
            return rowcount(changed)

    async def welcome(self, chat_id: int) -> bool:
        async with self.db.session() as session:
            return bool(await session.scalar(select(ChatRow.welcome).where(ChatRow.id == chat_id)))

    async def set_welcome(self, chat_id: int, on: bool) -> None:
        """LookupError for a chat not known."""
        try:
            async with self.db.session() as session:
                changed = await session.execute(
                    update(ChatRow)
                    .where(ChatRow.id == chat_id)
                    .values(welcome=bool(on))
                    .execution_options(synchronize_session=False)
                )
                if rowcount(changed) == 0:
                    raise LookupError(f"chat {chat_id} is not known")
        finally:
            self.db.cache.chat_changed(chat_id)


def _decision(row: DecisionRow) -> Decision:
    return Decision(
        id=row.id,
        scope=row.scope,
        number=row.number,
        chat_id=row.chat_id,
        user_id=row.user_id,
        by=row.by_name,
        city=row.city,
        text=row.text,
        language=row.language,
        programme=row.programme,
        message_id=row.message_id,
        created_at=row.created_at,
    )


def _evidence(row: EvidenceRow) -> Evidence:
    return Evidence(
        id=row.id,
        scope=row.scope,
        number=row.number,
        chat_id=row.chat_id,
        message_id=row.message_id,
        user_id=row.user_id,
        by=row.by_name,
        city=row.city,
        kind=row.kind,
        file_id=row.file_id,
        file_unique_id=row.file_unique_id,
        programme=row.programme,
        language=row.language,
        file_name=row.file_name,
        file_size=row.file_size,
        caption=row.caption,
        note=row.note,
        created_at=row.created_at,
    )


def _seen(row: SeenPersonRow) -> SeenPerson:
    return SeenPerson(
        chat_id=row.chat_id, user_id=row.user_id, name=row.name, username=row.username, seen_at=row.seen_at
    )
