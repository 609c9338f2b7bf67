"""Meetings as stored (storage/meetings.py), in memory, on SQLite and on PostgreSQL (``repos``: the fake keeps the
same promises), what moving and forgetting a group does to them (storage/chatdata.py), and migration 0015."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.domain.errors import LimitReached
from bot.domain.records import MeetingPost, MeetingVote, NewMeeting, Scope
from bot.domain.repositories import Repositories
from storage.db import Database
from storage.migrate import current_revision, downgrade, upgrade
from storage.models import Base
from storage.repositories import repositories

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
A, B, ALONE, NEW = -31, -32, -33, -10031
TABLES = {"meetings", "meeting_votes", "meeting_posts", "meeting_counters"}


async def world(repos: Repositories) -> Scope:
    for chat_id, language in ((A, "id"), (B, "ko"), (ALONE, "de")):
        await repos.chats.ensure(chat_id, title=f"group {chat_id}", type="group", default_language=language)
    bridge = await repos.bridges.link(A, B)
    return Scope.of(bridge.id, A)


def proposal(
    scope: Scope, chat_id: int = A, *, hours: tuple[int, ...] = (1, 25, 49), title: str | None = "MoU"
) -> NewMeeting:
    return NewMeeting(scope, chat_id, 7, 60, title, "id", tuple(NOW + h * HOUR for h in hours))


async def test_proposals_are_numbered_per_scope_and_limited_while_open(repos: Repositories) -> None:
    scope = await world(repos)
    meetings = repos.meetings
    first = await meetings.add(proposal(scope), open_max=2, now=NOW)
    second = await meetings.add(proposal(scope, B, title=None), open_max=2, now=NOW)
    with pytest.raises(LimitReached):
        await meetings.add(proposal(scope), open_max=2, now=NOW)
    # Once their slots are over they no longer count as open.
    later = NOW + timedelta(days=3)
    third = await meetings.add(proposal(scope, hours=(80,)), open_max=2, now=later)
    alone = await meetings.add(proposal(Scope.of(None, ALONE), ALONE), open_max=2, now=NOW)
    assert [(m.number, m.chat_id, m.title, m.state) for m in (first, second, third, alone)] == [
        (1, A, "MoU", "proposed"),
        (2, B, None, "proposed"),
        (3, A, "MoU", "proposed"),
        (1, ALONE, "MoU", "proposed"),
    ]
    assert first.slots == (NOW + HOUR, NOW + 25 * HOUR, NOW + 49 * HOUR)
    assert await meetings.get(first.id) == first
    assert await meetings.numbered(scope, 2) == second
    assert await meetings.numbered(scope, 9) is None
    with pytest.raises(ValueError, match="lasts"):
        await meetings.add(NewMeeting(scope, A, 7, 5, None, "id", (NOW,)), open_max=9, now=NOW)
    with pytest.raises(ValueError, match="slots"):
        await meetings.add(NewMeeting(scope, A, 7, 60, None, "id", ()), open_max=9, now=NOW)
    with pytest.raises(ValueError, match="title"):
        await meetings.add(NewMeeting(scope, A, 7, 60, "x" * 201, "id", (NOW,)), open_max=9, now=NOW)


async def test_one_vote_per_person_and_slot_toggled(repos: Repositories) -> None:
    scope = await world(repos)
    meetings = repos.meetings
    meeting = await meetings.add(proposal(scope), open_max=5, now=NOW)
    assert await meetings.vote(meeting.id, 0, 100, A) is True
    assert await meetings.vote(meeting.id, 0, 200, B) is True
    assert await meetings.vote(meeting.id, 2, 100, A) is True
    assert await meetings.vote(meeting.id, 0, 100, A) is False  # taken back
    assert await meetings.vote(meeting.id, 1, 200, B) is True
    assert await meetings.votes(meeting.id) == [
        MeetingVote(meeting.id, 0, 200, B),
        MeetingVote(meeting.id, 1, 200, B),
        MeetingVote(meeting.id, 2, 100, A),
    ]
    with pytest.raises(ValueError, match="slot"):
        await meetings.vote(meeting.id, 3, 100, A)
    with pytest.raises(LookupError):
        await meetings.vote(meeting.id + 100, 0, 100, A)


async def test_confirm_once_then_cancel_with_its_reminders(repos: Repositories) -> None:
    scope = await world(repos)
    meetings = repos.meetings
    meeting = await meetings.add(proposal(scope), open_max=5, now=NOW)
    assert await meetings.confirm(meeting.id, 3) is None  # no such slot
    confirmed = await meetings.confirm(meeting.id, 1)
    assert confirmed is not None and confirmed.state == "confirmed" and confirmed.confirmed_slot == 1
    assert (confirmed.start, confirmed.end) == (NOW + 25 * HOUR, NOW + 26 * HOUR)
    assert await meetings.confirm(meeting.id, 0) is None  # decided already
    assert await meetings.set_reminders(meeting.id, [5, 6]) is True
    assert await meetings.confirmed(scope, NOW) == [await meetings.get(meeting.id)]
    assert await meetings.confirmed(scope, NOW + 26 * HOUR) == []
    cancelled = await meetings.cancel(meeting.id)
    assert cancelled is not None and cancelled.state == "cancelled" and cancelled.reminder_ids == (5, 6)
    assert await meetings.cancel(meeting.id) is None
    assert await meetings.set_reminders(meeting.id, [7]) is False
    assert await meetings.confirmed(scope, NOW) == []


async def test_upcoming_lists_confirmed_meetings_then_open_proposals(repos: Repositories) -> None:
    scope = await world(repos)
    meetings = repos.meetings
    early = await meetings.add(proposal(scope, hours=(2,)), open_max=9, now=NOW)
    late = await meetings.add(proposal(scope, hours=(30,)), open_max=9, now=NOW)
    voting = await meetings.add(proposal(scope, hours=(5, 6)), open_max=9, now=NOW)
    dropped = await meetings.add(proposal(scope, hours=(7,)), open_max=9, now=NOW)
    await meetings.confirm(late.id, 0)
    await meetings.confirm(early.id, 0)
    await meetings.cancel(dropped.id)
    assert [m.number for m in await meetings.upcoming(scope, NOW, limit=10)] == [
        early.number,
        late.number,
        voting.number,
    ]
    assert [m.number for m in await meetings.upcoming(scope, NOW, limit=2)] == [early.number, late.number]
    assert await meetings.count_upcoming(scope, NOW) == 3
    assert [m.number for m in await meetings.upcoming(scope, NOW + 4 * HOUR, limit=10)] == [late.number, voting.number]
    assert await meetings.count_upcoming(scope, NOW + 40 * HOUR) == 0


async def test_posts_one_per_group_and_purging_past_meetings(repos: Repositories) -> None:
    scope = await world(repos)
    meetings = repos.meetings
    old = await meetings.add(proposal(scope, hours=(1,)), open_max=9, now=NOW)
    kept = await meetings.add(proposal(scope, hours=(1, 200)), open_max=9, now=NOW)
    for meeting_id, chat_id, message_id in ((old.id, A, 10), (old.id, B, 20), (old.id, A, 11), (kept.id, A, 30)):
        await meetings.add_post(MeetingPost(meeting_id, chat_id, message_id))
    await meetings.vote(old.id, 0, 100, A)
    assert sorted(await meetings.posts(old.id), key=lambda p: p.message_id) == [
        MeetingPost(old.id, A, 11),
        MeetingPost(old.id, B, 20),
    ]
    assert await meetings.purge_past(NOW + 2 * HOUR) == 0  # old's only slot ends at NOW + 2 h: not before
    assert await meetings.purge_past(NOW + 2 * HOUR + timedelta(seconds=1)) == 1
    assert await meetings.get(old.id) is None
    assert await meetings.posts(old.id) == [] and await meetings.votes(old.id) == []
    assert await meetings.get(kept.id) is not None


async def test_a_moved_group_keeps_its_meetings_and_votes_and_a_forgotten_one_loses_them(repos: Repositories) -> None:
    scope = await world(repos)
    meetings = repos.meetings
    bridged = await meetings.add(proposal(scope), open_max=9, now=NOW)
    alone_scope = Scope.of(None, ALONE)
    alone = await meetings.add(proposal(alone_scope, ALONE), open_max=9, now=NOW)
    await meetings.vote(bridged.id, 0, 100, A)
    await meetings.vote(bridged.id, 0, 200, B)
    await meetings.vote(alone.id, 0, 300, ALONE)
    await meetings.add_post(MeetingPost(bridged.id, A, 10))
    await meetings.add_post(MeetingPost(bridged.id, B, 20))
    await meetings.add_post(MeetingPost(alone.id, ALONE, 30))

    assert await repos.chat_data.move(A, NEW)
    moved = await meetings.get(bridged.id)
    assert moved is not None and moved.chat_id == NEW and moved.created_by == 7
    assert {(v.user_id, v.chat_id) for v in await meetings.votes(bridged.id)} == {(100, NEW), (200, B)}
    assert await meetings.posts(bridged.id) == [MeetingPost(bridged.id, B, 20)]  # the old group's message stays there

    assert await repos.chat_data.move(ALONE, ALONE - 10000)
    new_alone = Scope.of(None, ALONE - 10000)
    assert [m.id for m in await meetings.upcoming(new_alone, NOW, limit=9)] == [alone.id]

    forgotten = await repos.chat_data.forget(NEW)
    assert forgotten.rows.get("meeting_votes") == 1
    kept = await meetings.get(bridged.id)  # the bridge's meeting stays, without who asked
    assert kept is not None and kept.chat_id is None and kept.created_by is None
    assert await meetings.votes(bridged.id) == [MeetingVote(bridged.id, 0, 200, B)]
    forgotten_alone = await repos.chat_data.forget(ALONE - 10000)
    assert forgotten_alone.rows.get("meetings") == 1
    assert await meetings.get(alone.id) is None and await meetings.votes(alone.id) == []
    # Numbering goes on after a move and starts again for a forgotten scope.
    again = await meetings.add(proposal(scope, B), open_max=9, now=NOW)
    assert again.number == 2


# -- migration 0015 ----------------------------------------------------------------------------------------------
def _ours(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name in TABLES


def _ours_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return _ours(name, type_)


def _drift(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": _ours, "include_object": _ours_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_migration_0015_matches_the_models_and_downgrades(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_drift) == []
        assert await conn.run_sync(_tables) >= TABLES
    repos = repositories(db)
    scope = await world(repos)
    await repos.meetings.add(proposal(scope), open_max=9, now=NOW)
    await downgrade(db.engine, "0014")
    assert await current_revision(db.engine) == "0014"
    async with db.engine.connect() as conn:
        assert not TABLES & await conn.run_sync(_tables)
    await upgrade(db.engine)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_drift) == []
    assert (await repos.meetings.add(proposal(scope), open_max=9, now=NOW)).number == 1
