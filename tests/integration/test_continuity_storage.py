"""Decisions, evidence, the people seen and handovers as stored (storage/continuity.py), in memory, on SQLite and on
PostgreSQL (``repos``: the fakes keep the same promises), what moving and forgetting a group does to them
(storage/chatdata.py), and migration 0016."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.domain.continuity import NewDecision, NewEvidence, SeenPerson
from bot.domain.errors import LimitReached
from bot.domain.records import NewReminder, Scope
from bot.domain.repositories import Repositories
from storage.db import Database
from storage.migrate import current_revision, downgrade, upgrade
from storage.models import Base
from storage.repositories import repositories

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
LATER = datetime(2030, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
A, B, ALONE, NEW = -41, -42, -43, -10041
TABLES = {"decisions", "evidence", "continuity_counters", "people_seen"}


async def world(repos: Repositories) -> Scope:
    for chat_id, language in ((A, "id"), (B, "ko"), (ALONE, "de")):
        await repos.chats.ensure(chat_id, title=f"group {chat_id}", type="group", default_language=language)
    bridge = await repos.bridges.link(A, B)
    return Scope.of(bridge.id, A)


def decision(within: Scope, text: str = "Go ahead with the MoU", chat_id: int = A, **changes: Any) -> NewDecision:
    said = NewDecision(within, chat_id, 7, "Budi", "Bandung", text, "id")
    return replace(said, **changes)


def evidence(
    within: Scope, message_id: int, chat_id: int = A, programme: str = "Beasiswa", **changes: Any
) -> NewEvidence:
    posted = NewEvidence(
        within, chat_id, message_id, 7, "Budi", "Bandung", "photo", f"F{chat_id}{message_id}", f"U{message_id}",
        programme, "id", caption="Kunjungan",
    )  # fmt: skip
    return replace(posted, **changes)


# -- decisions -----------------------------------------------------------------------------------------------------
async def test_decisions_are_numbered_per_scope_and_kept_up_to_the_limit(repos: Repositories) -> None:
    scope = await world(repos)
    decisions = repos.decisions
    first = await decisions.add(decision(scope, programme="#Beasiswa", message_id=99), kept_max=3)
    second = await decisions.add(decision(scope, "Visit in May", B, by="Kim", city="Seoul"), kept_max=3)
    third = await decisions.add(decision(scope, "Budget agreed"), kept_max=3)
    alone = await decisions.add(decision(Scope.of(None, ALONE), chat_id=ALONE), kept_max=3)
    assert [(d.number, d.chat_id, d.by, d.city, d.programme) for d in (first, second, third, alone)] == [
        (1, A, "Budi", "Bandung", "Beasiswa"),  # the programme's name as stored: without '#'
        (2, B, "Kim", "Seoul", None),
        (3, A, "Budi", "Bandung", None),
        (1, ALONE, "Budi", "Bandung", None),
    ]
    assert first.message_id == 99 and first.user_id == 7 and first.language == "id"
    assert first.created_at.utcoffset() == timedelta(0)
    with pytest.raises(LimitReached) as reached:
        await decisions.add(decision(scope), kept_max=3)
    assert reached.value.limit == 3
    # A refused decision takes no number.
    assert (await decisions.add(decision(scope), kept_max=4)).number == 4
    assert await decisions.numbered(scope, 2) == second
    assert await decisions.numbered(scope, 9) is None
    assert await decisions.numbered(Scope.of(None, ALONE), 1) == alone


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"text": "  "}, "decision"),
        ({"text": "x" * 1001}, "decision"),
        ({"by": "x" * 129}, "name"),
        ({"city": "x" * 129}, "city"),
        ({"language": ""}, "language"),
        ({"language": "x" * 17}, "language"),
        ({"programme": "two words"}, "programme"),
        ({"programme": "x" * 65}, "programme"),
        ({"scope": "b1"}, "scope"),
    ],
)
async def test_decisions_beyond_the_rules_are_refused(repos: Repositories, changes: dict[str, Any], match: str) -> None:
    scope = await world(repos)
    with pytest.raises(ValueError, match=match):
        await repos.decisions.add(decision(scope, **changes), kept_max=10)
    assert await repos.decisions.count(scope) == 0
    assert (await repos.decisions.add(decision(scope, "x" * 1000, by="y" * 128), kept_max=10)).number == 1


async def test_decision_pages_are_newest_first_of_a_programme_and_since(repos: Repositories) -> None:
    scope = await world(repos)
    decisions = repos.decisions
    said = [
        await decisions.add(decision(scope, f"decision {n}", programme=programme), kept_max=10)
        for n, programme in enumerate(("Beasiswa", None, "Riset", "Beasiswa", None, "Beasiswa"), start=1)
    ]
    numbers = [d.number for d in await decisions.page(scope, limit=10)]
    assert numbers == [6, 5, 4, 3, 2, 1]
    assert [d.number for d in await decisions.page(scope, limit=2)] == [6, 5]
    assert [d.number for d in await decisions.page(scope, offset=2, limit=2)] == [4, 3]
    assert [d.number for d in await decisions.page(scope, offset=5, limit=2)] == [1]
    assert await decisions.page(scope, limit=0) == []
    for spelling in ("beasiswa", "#BEASISWA", "Beasiswa"):
        assert [d.number for d in await decisions.page(scope, programme=spelling, limit=10)] == [6, 4, 1]
        assert await decisions.count(scope, programme=spelling) == 3
    assert await decisions.page(scope, programme="Nothing", limit=10) == []
    assert await decisions.page(scope, programme="not a tag", limit=10) == []
    since = said[3].created_at
    assert [d.number for d in await decisions.page(scope, since=since, limit=10)] == [6, 5, 4]
    assert [d.number for d in await decisions.page(scope, programme="beasiswa", since=since, limit=1)] == [6]
    assert await decisions.count(scope, programme="beasiswa", since=since) == 2
    assert await decisions.count(scope) == 6
    assert await decisions.count(Scope.of(None, ALONE)) == 0
    with pytest.raises(ValueError):
        await decisions.page(scope, since=since.replace(tzinfo=None), limit=10)


# -- evidence ------------------------------------------------------------------------------------------------------
async def test_evidence_is_kept_once_per_message_numbered_and_limited(repos: Repositories) -> None:
    scope = await world(repos)
    kept = repos.evidence
    first, created = await kept.add(evidence(scope, 10, file_name="foto.jpg", file_size=2048, note="day 1"), kept_max=2)
    assert created and first.number == 1 and first.programme == "Beasiswa"
    assert (first.file_name, first.file_size, first.caption, first.note) == ("foto.jpg", 2048, "Kunjungan", "day 1")
    # The same message id in another group is another message.
    second, created = await kept.add(evidence(scope, 10, B, kind="video"), kept_max=2)
    assert created and second.number == 2 and second.kind == "video"
    # The same message again: the stored one, unchanged, even at the limit.
    again, created = await kept.add(evidence(scope, 10, caption="other", programme="Riset"), kept_max=2)
    assert not created and again == first
    with pytest.raises(LimitReached):
        await kept.add(evidence(scope, 11), kept_max=2)
    third, created = await kept.add(evidence(scope, 11, kind="document"), kept_max=3)
    assert created and third.number == 3  # neither the repeat nor the refused one took a number
    assert await kept.numbered(scope, 1) == first
    assert await kept.numbered(scope, 4) is None
    alone, _ = await kept.add(evidence(Scope.of(None, ALONE), 10, ALONE), kept_max=3)
    assert alone.number == 1


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"kind": "audio"}, "evidence"),
        ({"file_id": ""}, "file id"),
        ({"file_unique_id": "x" * 256}, "file id"),
        ({"caption": "x" * 1025}, "caption"),
        ({"note": "x" * 301}, "note"),
        ({"file_name": "x" * 256}, "file name"),
        ({"file_size": -1}, "size"),
        ({"by": "x" * 129}, "name"),
        ({"city": "x" * 129}, "city"),
        ({"language": ""}, "language"),
        ({"programme": ""}, "programme"),
    ],
)
async def test_evidence_beyond_the_rules_is_refused(repos: Repositories, changes: dict[str, Any], match: str) -> None:
    scope = await world(repos)
    with pytest.raises(ValueError, match=match):
        await repos.evidence.add(evidence(scope, 10, **changes), kept_max=10)
    assert await repos.evidence.count(scope) == 0
    most: dict[str, Any] = {"caption": "x" * 1024, "note": "x" * 300, "file_name": "x" * 255, "file_id": "x" * 255}
    stored, created = await repos.evidence.add(evidence(scope, 10, **most), kept_max=10)
    assert created and stored.number == 1 and stored.caption == "x" * 1024


async def test_evidence_pages_newest_first_and_counts_per_programme(repos: Repositories) -> None:
    scope = await world(repos)
    kept = repos.evidence
    posted = [
        (await kept.add(evidence(scope, n, programme=programme), kept_max=10))[0]
        for n, programme in enumerate(("Beasiswa", "Riset", "Beasiswa", "Beasiswa", "Riset"), start=1)
    ]
    await kept.add(evidence(Scope.of(None, ALONE), 1, ALONE), kept_max=10)
    assert [e.number for e in await kept.page(scope, limit=10)] == [5, 4, 3, 2, 1]
    assert [e.number for e in await kept.page(scope, programme="BEASISWA", limit=2)] == [4, 3]
    assert [e.number for e in await kept.page(scope, programme="#beasiswa", offset=2, limit=2)] == [1]
    assert await kept.page(scope, limit=0) == []
    assert await kept.count(scope) == 5
    assert await kept.count(scope, programme="riset") == 2
    assert await kept.count(scope, programme="Lain") == 0
    assert await kept.counts(scope) == {"Beasiswa": 3, "Riset": 2}
    start, end = posted[1].created_at, posted[4].created_at
    assert await kept.counts(scope, start=start) == {"Beasiswa": 2, "Riset": 2}
    assert await kept.counts(scope, end=end) == {"Beasiswa": 3, "Riset": 1}  # the end is not included
    assert await kept.counts(scope, start=start, end=end) == {"Beasiswa": 2, "Riset": 1}
    assert await kept.counts(scope, start=end + HOUR) == {}
    assert await kept.counts(Scope.of(None, B)) == {}


async def test_adds_at_once_keep_the_limit_and_one_row_per_message(repos: Repositories) -> None:
    scope = await world(repos)
    results = await asyncio.gather(
        *(repos.decisions.add(decision(scope, f"decision {n}"), kept_max=3) for n in range(6)),
        return_exceptions=True,
    )
    stored = [r for r in results if not isinstance(r, BaseException)]
    assert sorted(d.number for d in stored) == [1, 2, 3]
    assert all(isinstance(r, LimitReached) for r in results if isinstance(r, BaseException))
    # The same message recorded twice at once (here under two scopes, so no lock of a scope orders them).
    alone = Scope.of(None, ALONE)
    both = await asyncio.gather(
        repos.evidence.add(evidence(scope, 77), kept_max=9), repos.evidence.add(evidence(alone, 77), kept_max=9)
    )
    assert sorted(created for _, created in both) == [False, True]
    assert both[0][0] == both[1][0]
    assert await repos.evidence.count(scope) + await repos.evidence.count(alone) == 1


# -- the people seen -----------------------------------------------------------------------------------------------
def seen(chat_id: int, user_id: int, name: str, hours: float, username: str | None = None) -> SeenPerson:
    return SeenPerson(chat_id, user_id, name, username, NOW + hours * HOUR)


async def test_people_seen_keep_their_latest_instant_and_name(repos: Repositories) -> None:
    roster = repos.roster
    await roster.seen_many(
        [
            seen(A, 1, "Budi", 1, "budi"),
            seen(B, 1, "Budi S.", 3),
            seen(A, 2, "Siti", 2),
            seen(A, 2, "Siti N.", 4, "siti"),  # the later of two in one call
            seen(A, 2, "Siti old", 0),
            seen(B, 3, "Kim", 0),
            seen(A, 4, "x" * 200, 0, "y" * 40),
        ]
    )
    await roster.seen_many([])
    assert await roster.get(A, 2) == seen(A, 2, "Siti N.", 4, "siti")
    long = await roster.get(A, 4)
    assert long is not None and long.name == "x" * 128 and long.username == "y" * 32
    # An earlier instant changes nothing; a later one brings the name then.
    await roster.seen_many([seen(A, 1, "Old name", 0)])
    assert await roster.get(A, 1) == seen(A, 1, "Budi", 1, "budi")
    await roster.seen_many([seen(A, 1, "Budi Santoso", 5)])
    assert await roster.get(A, 1) == seen(A, 1, "Budi Santoso", 5)
    assert await roster.get(B, 2) is None
    with pytest.raises(ValueError):
        await roster.seen_many([SeenPerson(A, 9, "Naive", None, datetime(2026, 1, 1))])
    assert await roster.get(A, 9) is None


async def test_recent_people_are_the_latest_first(repos: Repositories) -> None:
    roster = repos.roster
    await roster.seen_many(
        [
            seen(A, 1, "Budi", 1),
            seen(B, 1, "Budi", 3),
            seen(A, 2, "Siti", 2),
            seen(B, 3, "Kim", 0),
            seen(ALONE, 4, "Anna", 9),
            seen(A, 5, "Eko", 2),
        ]
    )
    assert await roster.recent([A, B], limit=10) == [
        seen(B, 1, "Budi", 3),
        seen(A, 2, "Siti", 2),  # two seen at the same instant: by user id
        seen(A, 5, "Eko", 2),
        seen(A, 1, "Budi", 1),  # a person seen in two groups: once for each
        seen(B, 3, "Kim", 0),
    ]
    assert [p.user_id for p in await roster.recent([A, B], limit=2)] == [1, 2]
    assert [p.user_id for p in await roster.recent([A, B], since=NOW + 2 * HOUR, limit=10)] == [1, 2, 5]
    assert await roster.recent([A], limit=10) == [seen(A, 2, "Siti", 2), seen(A, 5, "Eko", 2), seen(A, 1, "Budi", 1)]
    assert await roster.recent([], limit=10) == []
    assert await roster.recent([A], limit=0) == []
    assert await roster.chats_of(1) == [B, A]  # the latest first
    assert await roster.chats_of(99) == []
    await roster.gone(B, 1)
    await roster.gone(B, 99)  # never seen: nothing happens
    assert await roster.get(B, 1) is None and await roster.chats_of(1) == [A]
    assert await roster.purge(NOW + 2 * HOUR) == 2  # Budi in A (1 h) and Kim (0 h); 2 h is kept
    assert [p.user_id for p in await roster.recent([A, B, ALONE], limit=10)] == [4, 2, 5]
    assert await roster.purge(NOW + 2 * HOUR) == 0


# -- handovers -----------------------------------------------------------------------------------------------------
async def test_handover_moves_a_persons_reminders_and_indicators(repos: Repositories) -> None:
    scope = await world(repos)
    reminders = repos.reminders

    async def remind(by: int, chat_ids: tuple[int, ...], hours: int, within: Scope = scope) -> int:
        rows = await reminders.add_many(
            [
                NewReminder(within, c, "adhoc", LATER + hours * HOUR, text="Rapat", numbered=True, created_by=by)
                for c in chat_ids
            ]
        )
        assert rows[0].number is not None
        return rows[0].number

    one = await remind(7, (A, B), 5)  # in both groups: one reminder
    two = await remind(7, (B,), 1)
    three = await remind(8, (A,), 2)
    sending = await remind(7, (A,), 0)
    elsewhere = await remind(7, (ALONE,), 1, Scope.of(None, ALONE))
    await reminders.add_many([NewReminder(scope, A, "digest", LATER, created_by=7)])  # not numbered
    claimed = await reminders.numbered(scope, sending)
    assert claimed is not None and await reminders.claim(claimed.id, LATER, "me")
    assert [(r.number, r.created_by, r.state) for r in await repos.handover.reminders_of(scope, 7)] == [
        (one, 7, "pending"),
        (two, 7, "pending"),
    ]  # one row each (a pending one), by number; the one being sent is not listed
    assert await repos.handover.reassign_reminders(scope, 7, 9) == 3  # the one being sent too
    assert await repos.handover.reminders_of(scope, 7) == []
    assert [(r.number, r.created_by) for r in await repos.handover.reminders_of(scope, 9)] == [(one, 9), (two, 9)]
    being_sent = await reminders.numbered(scope, sending)
    assert being_sent is not None and being_sent.state == "claimed" and being_sent.created_by == 9
    assert [r.number for r in await repos.handover.reminders_of(scope, 8)] == [three]
    assert [r.created_by for r in await repos.handover.reminders_of(Scope.of(None, ALONE), 7)] == [7]
    assert elsewhere == 1
    assert await repos.handover.reassign_reminders(scope, 7, 9) == 0

    programmes = repos.programmes
    riset = await programmes.add(scope, "riset")
    beasiswa = await programmes.add(scope, "Beasiswa")
    indicators = repos.indicators
    papers = await indicators.add(scope, riset.id, "papers", 4, "year", None, 7)
    visits = await indicators.add(scope, beasiswa.id, "visits", 10, "year", None, 7)
    grants = await indicators.add(scope, beasiswa.id, "Grants", 2, "year", None, 7)
    await indicators.add(scope, beasiswa.id, "students", 40, "year", None, 8)
    mine = await repos.handover.indicators_of(scope, 7)
    assert [(i.programme, i.name) for i in mine] == [
        ("Beasiswa", "Grants"),
        ("Beasiswa", "visits"),
        ("riset", "papers"),
    ]
    assert {i.id for i in mine} == {papers.id, visits.id, grants.id}
    assert await repos.handover.reassign_indicators(scope, 7, 9) == 3
    assert await repos.handover.indicators_of(scope, 7) == []
    assert [i.created_by for i in await repos.handover.indicators_of(scope, 9)] == [9, 9, 9]
    assert [i.name for i in await repos.handover.indicators_of(scope, 8)] == ["students"]
    assert await repos.handover.reassign_indicators(Scope.of(None, ALONE), 8, 9) == 0


async def test_the_welcome_flag_is_off_unless_set(repos: Repositories) -> None:
    await world(repos)
    handover = repos.handover
    assert await handover.welcome(A) is False
    await handover.set_welcome(A, True)
    assert await handover.welcome(A) is True and await handover.welcome(B) is False
    await handover.set_welcome(A, False)
    assert await handover.welcome(A) is False
    with pytest.raises(LookupError):
        await handover.set_welcome(NEW, True)
    assert await handover.welcome(NEW) is False
    chat = await repos.chats.get(A)
    assert chat is not None and chat.language == "id"  # the chat's settings are untouched


# -- moving and forgetting a group ---------------------------------------------------------------------------------
async def test_a_moved_group_keeps_its_decisions_evidence_people_and_welcome(repos: Repositories) -> None:
    scope = await world(repos)
    await repos.decisions.add(decision(scope), kept_max=10)
    await repos.decisions.add(decision(scope, "Partner's", B), kept_max=10)
    await repos.evidence.add(evidence(scope, 5), kept_max=10)
    await repos.evidence.add(evidence(scope, 6), kept_max=10)
    await repos.handover.set_welcome(A, True)
    # The supergroup's first update got there first: it recorded its own message 5 and saw two people.
    await repos.chats.ensure(NEW, title="group", type="supergroup", default_language="en")
    own_new = Scope.of(None, NEW)
    await repos.evidence.add(evidence(own_new, 5, NEW, caption="new group's"), kept_max=10)
    await repos.roster.seen_many(
        [seen(A, 1, "Budi", 1), seen(A, 2, "Siti (old)", 3), seen(NEW, 1, "Budi (new)", 2), seen(NEW, 2, "Siti", 2)]
    )

    assert await repos.chat_data.move(A, NEW)
    assert [(d.number, d.chat_id) for d in await repos.decisions.page(scope, limit=10)] == [(2, B), (1, NEW)]
    assert [(e.number, e.chat_id, e.message_id) for e in await repos.evidence.page(scope, limit=10)] == [
        (2, NEW, 6),
        (1, NEW, -5),  # the new group's message 5 is another message: the old one's id is kept negated
    ]
    assert [(e.message_id, e.caption) for e in await repos.evidence.page(own_new, limit=10)] == [(5, "new group's")]
    again, created = await repos.evidence.add(evidence(scope, 5, NEW), kept_max=10)
    assert not created and again.caption == "new group's"
    assert await repos.roster.recent([NEW], limit=10) == [seen(NEW, 2, "Siti (old)", 3), seen(NEW, 1, "Budi (new)", 2)]
    assert await repos.roster.recent([A], limit=10) == []
    assert await repos.handover.welcome(NEW) is True
    # Numbering goes on.
    assert (await repos.decisions.add(decision(scope, chat_id=NEW), kept_max=10)).number == 3

    # A group in no bridge takes its own scope along.
    alone = Scope.of(None, ALONE)
    await repos.decisions.add(decision(alone, chat_id=ALONE), kept_max=10)
    await repos.evidence.add(evidence(alone, 1, ALONE), kept_max=10)
    assert await repos.chat_data.move(ALONE, ALONE - 10000)
    moved = Scope.of(None, ALONE - 10000)
    assert [d.chat_id for d in await repos.decisions.page(moved, limit=10)] == [ALONE - 10000]
    assert [e.chat_id for e in await repos.evidence.page(moved, limit=10)] == [ALONE - 10000]
    assert await repos.decisions.count(alone) == 0
    assert (await repos.evidence.add(evidence(moved, 2, ALONE - 10000), kept_max=10))[0].number == 2
    assert await repos.handover.welcome(ALONE - 10000) is False


async def test_a_forgotten_group_takes_what_it_recorded_and_its_people(repos: Repositories) -> None:
    scope = await world(repos)
    await repos.decisions.add(decision(scope), kept_max=10)
    partners = await repos.decisions.add(decision(scope, "Partner's", B), kept_max=10)
    await repos.evidence.add(evidence(scope, 5), kept_max=10)
    theirs, _ = await repos.evidence.add(evidence(scope, 5, B), kept_max=10)
    await repos.roster.seen_many([seen(A, 1, "Budi", 1), seen(A, 2, "Siti", 1), seen(B, 1, "Budi", 2)])
    await repos.handover.set_welcome(A, True)
    alone = Scope.of(None, ALONE)
    await repos.decisions.add(decision(alone, chat_id=ALONE), kept_max=10)
    await repos.evidence.add(evidence(alone, 1, ALONE), kept_max=10)

    forgotten = await repos.chat_data.forget(A)
    assert {name: forgotten.rows.get(name) for name in ("decisions", "evidence", "people_seen")} == {
        "decisions": 1,
        "evidence": 1,
        "people_seen": 2,
    }
    assert "continuity_counters" not in forgotten.rows  # the bridge's numbering is its partners' too
    assert await repos.decisions.page(scope, limit=10) == [partners]
    assert await repos.evidence.page(scope, limit=10) == [theirs]
    assert await repos.roster.chats_of(1) == [B] and await repos.roster.get(A, 2) is None
    assert await repos.handover.welcome(A) is False
    assert (await repos.decisions.add(decision(scope, chat_id=B), kept_max=10)).number == 3

    forgotten_alone = await repos.chat_data.forget(ALONE)
    assert {name: forgotten_alone.rows.get(name) for name in ("decisions", "evidence", "continuity_counters")} == {
        "decisions": 1,
        "evidence": 1,
        "continuity_counters": 2,
    }
    # The last group of the bridge takes the bridge's with it.
    forgotten_b = await repos.chat_data.forget(B)
    assert {name: forgotten_b.rows.get(name) for name in ("decisions", "evidence", "continuity_counters")} == {
        "decisions": 2,
        "evidence": 1,
        "continuity_counters": 2,
    }
    await repos.chats.ensure(ALONE, title="again", type="group", default_language="de")
    assert (await repos.decisions.add(decision(alone, chat_id=ALONE), kept_max=10)).number == 1  # afresh


# -- migration 0016 ------------------------------------------------------------------------------------------------
def _ours(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name in TABLES or name == "chats"


def _ours_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return _ours(name, type_)


def _drift(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": _ours, "include_object": _ours_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _chat_columns(conn: Connection) -> set[str]:
    return {column["name"] for column in inspect(conn).get_columns("chats")}


async def test_migration_0016_matches_the_models_and_downgrades(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_drift) == []
        assert await conn.run_sync(_tables) >= TABLES
    repos = repositories(db)
    scope = await world(repos)
    await repos.handover.set_welcome(A, True)
    await repos.decisions.add(decision(scope), kept_max=9)
    await repos.evidence.add(evidence(scope, 5), kept_max=9)
    await repos.roster.seen_many([seen(A, 1, "Budi", 1)])
    await downgrade(db.engine, "0015")
    assert await current_revision(db.engine) == "0015"
    async with db.engine.connect() as conn:
        assert not TABLES & await conn.run_sync(_tables)
        assert "welcome" not in await conn.run_sync(_chat_columns)
    await upgrade(db.engine)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_drift) == []
    chats = await repos.chats.all()
    assert {c.id for c in chats} >= {A, B, ALONE}  # the groups survived the round trip
    assert await repos.handover.welcome(A) is False  # a column added afresh: off
    assert (await repos.decisions.add(decision(scope), kept_max=9)).number == 1
    assert await repos.roster.recent([A], limit=9) == []
