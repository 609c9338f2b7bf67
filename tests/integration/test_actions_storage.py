"""Action items and programmes: numbering per scope, changes, digests, migration 0003.

The tests that take ``repos`` run in memory (tests/fakes/actions.py), on SQLite and on PostgreSQL: the contract
the fakes keep. Those that need the database itself (concurrent transactions, storage-only reads, the
migration) take ``db``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.domain.errors import LimitReached
from bot.domain.records import ActionItem, NewEvent, Owner, Programme, ProgrammeStats, Scope, ScopeOverview
from bot.domain.repositories import ActionRepository as Actions
from bot.domain.repositories import Repositories
from bot.domain.rules import OWNER_NAME_MAX, PROGRAMME_NAME_MAX, TITLE_MAX
from storage.actions import ActionRepository, ProgrammeRepository
from storage.db import Database
from storage.migrate import current_revision, downgrade, upgrade
from storage.models import Base
from storage.monitoring import EventRepository
from storage.repositories import repositories

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)

B1 = Scope.parse("b1")
B2 = Scope.parse("b2")
B3 = Scope.parse("b3")
B7 = Scope.parse("b7")
B999 = Scope.parse("b999")
C_1 = Scope.parse("c-1")
C_100123 = Scope.parse("c-100123")
C_2 = Scope.parse("c-2")
C_999 = Scope.parse("c-999")
C42 = Scope.parse("c42")


async def make_chats(repos: Repositories, *ids: int) -> None:
    for chat_id in ids:
        await repos.chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="en")


async def bridged(repos: Repositories, chat_a: int, chat_b: int) -> tuple[int, Scope]:
    """Link two (new) chats; the bridge id and its scope."""
    await make_chats(repos, chat_a, chat_b)
    bridge = await repos.bridges.link(chat_a, chat_b)
    return bridge.id, Scope.of(bridge.id, chat_a)


async def new_item(
    actions: Actions, scope: Scope, title: str, *, chat_id: int = -1, bridge_id: int | None = None, **kw: Any
) -> ActionItem:
    return await actions.create(scope=scope, bridge_id=bridge_id, chat_id=chat_id, title=title, language="en", **kw)


def numbers(items: list[ActionItem]) -> list[int]:
    return [item.number for item in items]


def test_scope_of_and_its_key() -> None:
    assert Scope.of(7, -100123) == Scope.parse("b7")
    assert Scope.of(None, -100123) == Scope.parse("c-100123")
    assert Scope.of(None, 42) == Scope.parse("c42")
    assert Scope.of(7, -1).key == "b7" and Scope.of(None, -100123).key == "c-100123"
    assert Scope.parse("b7").bridge_id == 7 and Scope.parse("b7").chat_id is None
    assert Scope.parse("c-5").chat_id == -5 and Scope.parse("c-5").bridge_id is None
    for bad in ("", "b", "x7", " b7", "b7 ", "b-", "c1.5", "B7", "b" + "9" * 21):
        with pytest.raises(ValueError):
            Scope.parse(bad)


# -- creating and numbering ------------------------------------------------------------------------------


async def test_create_returns_a_full_record_numbered_from_one(repos: Repositories) -> None:
    bridge_id, scope = await bridged(repos, -1, -2)
    programme = await repos.programmes.add(scope, "Youth", "exchange 20 students")
    actions = repos.actions
    due = datetime(2026, 12, 24, 9, 0, tzinfo=UTC) + timedelta(hours=7)
    item = await actions.create(
        scope=scope,
        bridge_id=bridge_id,
        chat_id=-2,
        title="  Draft the MoU  ",
        language="id",
        owners=[Owner("@budi", 7), Owner(" Kim Min-su ")],
        programme_id=programme.id,
        due_at=due.astimezone(UTC),
        created_by=555,
    )
    assert (item.scope, item.number, item.bridge_id, item.chat_id) == (scope, 1, bridge_id, -2)
    assert (item.title, item.language, item.owners, item.programme) == (
        "Draft the MoU",
        "id",
        (Owner("@budi", 7), Owner("Kim Min-su")),
        "Youth",
    )
    assert item.due_at == due and item.due_at is not None and item.due_at.utcoffset() == timedelta(0)
    assert (item.status, item.created_by, item.done_at) == ("open", 555, None)
    assert item.created_at == item.updated_at
    assert item.created_at.utcoffset() == timedelta(0)
    assert await actions.get(scope, 1) == item
    assert await actions.get(scope, 2) is None
    assert await actions.get(B999, 1) is None

    second = await new_item(actions, scope, "Book the venue", chat_id=-1, bridge_id=bridge_id)
    assert (second.number, second.owners, second.programme, second.due_at, second.created_by) == (
        2,
        (),
        None,
        None,
        None,
    )


async def test_numbers_are_independent_per_scope(repos: Repositories) -> None:
    bridge_id, bridge_scope = await bridged(repos, -1, -2)
    await make_chats(repos, -3)
    lone_scope = Scope.of(None, -3)
    actions = repos.actions
    created = [
        await new_item(actions, bridge_scope, "a", bridge_id=bridge_id),
        await new_item(actions, lone_scope, "b", chat_id=-3),
        await new_item(actions, bridge_scope, "c", chat_id=-2, bridge_id=bridge_id),
        await new_item(actions, lone_scope, "d", chat_id=-3),
        await new_item(actions, lone_scope, "e", chat_id=-3),
    ]
    assert [(i.scope, i.number) for i in created] == [
        (bridge_scope, 1),
        (lone_scope, 1),
        (bridge_scope, 2),
        (lone_scope, 2),
        (lone_scope, 3),
    ]
    assert [i.title for i in await actions.list(bridge_scope)] == ["a", "c"]
    assert [i.title for i in await actions.list(lone_scope)] == ["b", "d", "e"]


async def test_concurrent_creates_get_distinct_consecutive_numbers(db: Database) -> None:
    await make_chats(repositories(db), -1, -2)
    actions = ActionRepository(db)
    first = await asyncio.gather(*(new_item(actions, C_1, f"task {n}") for n in range(10)))
    assert sorted(numbers(list(first))) == list(range(1, 11))
    # Two scopes at once, the second one new: each counts on its own.
    mixed = await asyncio.gather(
        *(new_item(actions, C_1, f"more {n}") for n in range(5)),
        *(new_item(actions, C_2, f"other {n}", chat_id=-2) for n in range(5)),
    )
    assert sorted(i.number for i in mixed if i.scope == C_1) == list(range(11, 16))
    assert sorted(i.number for i in mixed if i.scope == C_2) == list(range(1, 6))
    assert numbers(await actions.list(C_1)) == list(range(1, 16))


async def test_concurrent_creates_never_pass_the_open_items_limit(db: Database) -> None:
    """The limit is counted where the item is stored, under the scope's counter lock: two groups of a bridge
    (two lanes, two instances) creating at once cannot both slip under it."""
    await make_chats(repositories(db), -1)
    actions = ActionRepository(db)
    await new_item(actions, C_1, "already open")
    outcomes = await asyncio.gather(
        *(new_item(actions, C_1, f"at once {n}", open_max=5) for n in range(12)), return_exceptions=True
    )
    made = [o for o in outcomes if isinstance(o, ActionItem)]
    refused = [o for o in outcomes if isinstance(o, LimitReached)]
    assert len(made) == 4 and len(refused) == 8 and all(r.limit == 5 for r in refused)
    assert await actions.count_open(C_1) == 5
    assert numbers(await actions.list(C_1)) == [1, 2, 3, 4, 5]  # a refused create took no number


async def test_the_open_items_limit_counts_open_items_only(repos: Repositories) -> None:
    await make_chats(repos, -1)
    actions = repos.actions
    first = await new_item(actions, C_1, "one", open_max=2)
    await new_item(actions, C_1, "two", open_max=2)
    with pytest.raises(LimitReached):
        await new_item(actions, C_1, "three", open_max=2)
    await actions.set_status(C_1, first.number, "done", NOW)
    third = await new_item(actions, C_1, "three", open_max=2)  # done items do not count
    assert third.number == 3  # the refused one took no number
    assert (await new_item(actions, C_1, "no limit given")).number == 4


async def test_create_validates_and_a_failed_create_takes_no_number(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    programmes = repos.programmes
    other_programme = await programmes.add(C_2, "Culture")
    actions = repos.actions
    for title in ("", "   ", "x" * (TITLE_MAX + 1)):
        with pytest.raises(ValueError):
            await new_item(actions, C_1, title)
    for owners in ([""], ["  "], ["@budi", "x" * (OWNER_NAME_MAX + 1)]):
        with pytest.raises(ValueError):
            await new_item(actions, C_1, "ok", owners=[Owner(name) for name in owners])
    with pytest.raises(TypeError):
        await new_item(actions, C_1, "ok", owners=["@budi"])
    with pytest.raises(ValueError):
        await actions.create(scope="", bridge_id=None, chat_id=-1, title="ok", language="en")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await actions.create(scope=C_1, bridge_id=None, chat_id=-1, title="ok", language=" ")
    with pytest.raises(ValueError):
        await new_item(actions, C_1, "ok", due_at=datetime(2026, 12, 24, 9, 0))  # naive
    with pytest.raises(LookupError):
        await new_item(actions, C_999, "ok", chat_id=-999)  # unknown chat
    with pytest.raises(LookupError):
        await new_item(actions, B999, "ok", bridge_id=999)  # unknown bridge
    with pytest.raises(LookupError):
        await new_item(actions, C_1, "ok", programme_id=other_programme.id)  # another scope's programme
    with pytest.raises(LookupError):
        await new_item(actions, C_1, "ok", programme_id=other_programme.id + 100)

    longest = await new_item(actions, C_1, "y" * TITLE_MAX, owners=[Owner("z" * OWNER_NAME_MAX)])
    assert longest.number == 1  # none of the failures above used up a number
    assert await actions.list(C_1, statuses=("open", "done", "dropped")) == [longest]


# -- listing ---------------------------------------------------------------------------------------------


async def test_list_orders_by_due_date_undated_last_then_number_and_filters(repos: Repositories) -> None:
    await make_chats(repos, -1)
    programmes = repos.programmes
    youth = await programmes.add(C_1, "Youth")
    trade = await programmes.add(C_1, "Trade")
    actions = repos.actions
    await new_item(actions, C_1, "one")  # 1: undated
    await new_item(actions, C_1, "two", due_at=NOW + 2 * DAY, programme_id=youth.id)  # 2
    await new_item(actions, C_1, "three", due_at=NOW - DAY)  # 3: overdue
    await new_item(actions, C_1, "four", programme_id=youth.id)  # 4: undated
    await new_item(actions, C_1, "five", due_at=NOW + 2 * DAY, programme_id=trade.id)  # 5: same day as 2
    await new_item(actions, C_1, "six", due_at=NOW + DAY)  # 6
    await actions.set_status(C_1, 6, "done", NOW)
    await actions.set_status(C_1, 4, "dropped", NOW)

    assert numbers(await actions.list(C_1)) == [3, 2, 5, 1]
    assert numbers(await actions.list(C_1, statuses=["done"])) == [6]
    assert numbers(await actions.list(C_1, statuses={"open", "done", "dropped"})) == [3, 6, 2, 5, 1, 4]
    assert numbers(await actions.list(C_1, statuses=("open", "dropped"), programme_id=youth.id)) == [2, 4]
    assert numbers(await actions.list(C_1, programme_id=trade.id)) == [5]
    assert numbers(await actions.list(C_1, limit=2)) == [3, 2]
    assert await actions.list(C_1, statuses=()) == []
    assert await actions.list(C_2) == []
    assert [i.programme for i in await actions.list(C_1)] == [None, "Youth", "Trade", None]
    with pytest.raises(ValueError):
        await actions.list(C_1, statuses=("open", "closed"))


async def test_numbered_reads_by_number_up_to_a_limit_and_count_says_how_many(repos: Repositories) -> None:
    """What an export reads: no more items than it holds, by number; and how many there are in all."""
    await make_chats(repos, -1, -2)
    actions = repos.actions
    await new_item(actions, C_1, "one", due_at=NOW + 3 * DAY)  # 1
    await new_item(actions, C_1, "two")  # 2: undated
    await new_item(actions, C_1, "three", due_at=NOW - DAY)  # 3
    await new_item(actions, C_1, "four", due_at=NOW + DAY)  # 4
    await new_item(actions, C_1, "five")  # 5: undated
    await new_item(actions, C_2, "elsewhere", chat_id=-2)
    await actions.set_status(C_1, 4, "done", NOW)
    await actions.set_status(C_1, 5, "dropped", NOW)
    every = ("open", "done", "dropped")

    assert numbers(await actions.numbered(C_1, statuses=every)) == [1, 2, 3, 4, 5]
    assert numbers(await actions.numbered(C_1, statuses=every, limit=3)) == [1, 2, 3]
    assert numbers(await actions.numbered(C_1, statuses=("open",))) == [1, 2, 3]
    assert numbers(await actions.numbered(C_1, statuses=("open",), dated=True)) == [1, 3]
    assert numbers(await actions.numbered(C_1, statuses=("open", "done"), dated=True, limit=2)) == [1, 3]
    assert await actions.numbered(C_1, statuses=every, limit=0) == []
    assert await actions.numbered(C_1, statuses=()) == []
    assert await actions.numbered(B999, statuses=every) == []
    assert await actions.numbered(C_1, statuses=every) == [await actions.get(C_1, n) for n in range(1, 6)]
    assert await actions.count(C_1, statuses=every) == 5
    assert await actions.count(C_1, statuses=("open",)) == 3
    assert await actions.count(C_1, statuses=("open",), dated=True) == 2
    assert await actions.count(C_1, statuses=()) == 0
    assert await actions.count(C_2, statuses=every) == 1
    with pytest.raises(ValueError):
        await actions.numbered(C_1, statuses=("open", "closed"))
    with pytest.raises(ValueError):
        await actions.count(C_1, statuses=("closed",))


async def test_done_between_is_the_items_done_in_a_period(repos: Repositories) -> None:
    """What a report reads of the items closed: done in the period (start inclusive, end exclusive), still done."""
    await make_chats(repos, -1, -2)
    actions = repos.actions
    for title in ("one", "two", "three", "four", "five"):
        await new_item(actions, C_1, title)
    await new_item(actions, C_2, "elsewhere", chat_id=-2)
    await actions.set_status(C_1, 1, "done", NOW - timedelta(microseconds=1))  # before the period
    await actions.set_status(C_1, 2, "done", NOW)  # its first instant
    await actions.set_status(C_1, 3, "done", NOW + DAY)
    await actions.set_status(C_1, 4, "done", NOW + 2 * DAY)  # its end: out
    await actions.set_status(C_1, 5, "done", NOW + DAY)
    await actions.set_status(C_1, 5, "open", NOW + DAY)  # reopened since
    await actions.set_status(C_2, 1, "done", NOW + DAY)

    found = await actions.done_between(C_1, NOW, NOW + 2 * DAY)
    assert numbers(found) == [2, 3] and found == [await actions.get(C_1, 2), await actions.get(C_1, 3)]
    assert await actions.done_between(C_1, NOW + 2 * DAY, NOW) == []
    assert numbers(await actions.done_between(C_2, NOW, NOW + 2 * DAY)) == [1]
    with pytest.raises(ValueError):
        await actions.done_between(C_1, NOW.replace(tzinfo=None), NOW + DAY)


# -- changes -----------------------------------------------------------------------------------------------


async def test_status_transitions_stamp_and_clear_done_at(repos: Repositories) -> None:
    await make_chats(repos, -1)
    actions = repos.actions
    item = await new_item(actions, C_1, "Send the invitation")

    done = await actions.set_status(C_1, 1, "done", NOW)
    assert (done.status, done.done_at) == ("done", NOW)
    assert done.updated_at > item.updated_at
    again = await actions.set_status(C_1, 1, "done", NOW + DAY)
    assert again.done_at == NOW, "marking a done item done again keeps when it was done"
    assert again.updated_at > done.updated_at

    reopened = await actions.set_status(C_1, 1, "open", NOW + DAY)
    assert (reopened.status, reopened.done_at) == ("open", None)
    redone = await actions.set_status(C_1, 1, "done", NOW + 2 * DAY)
    assert redone.done_at == NOW + 2 * DAY
    dropped = await actions.set_status(C_1, 1, "dropped", NOW + 3 * DAY)
    assert (dropped.status, dropped.done_at) == ("dropped", None)
    assert await actions.get(C_1, 1) == dropped

    with pytest.raises(ValueError):
        await actions.set_status(C_1, 1, "finished", NOW)
    with pytest.raises(ValueError):
        await actions.set_status(C_1, 1, "done", NOW.replace(tzinfo=None))
    with pytest.raises(LookupError):
        await actions.set_status(C_1, 2, "done", NOW)
    with pytest.raises(LookupError):
        await actions.set_status(C_2, 1, "done", NOW)
    assert await actions.get(C_1, 1) == dropped


async def test_owners_are_set_and_added_without_duplicates(repos: Repositories) -> None:
    await make_chats(repos, -1)
    actions = repos.actions
    await new_item(actions, C_1, "Translate the brochure", owners=[Owner("@budi"), Owner("@BUDI"), Owner("Siti")])
    item = await actions.get(C_1, 1)
    assert item is not None and item.owners == (Owner("@budi"), Owner("Siti"))
    assert item.owner_names == "@budi, Siti"

    added = await actions.add_owners(C_1, 1, [Owner("siti"), Owner("Kim Min-su"), Owner(" kim min-su"), Owner("@Park")])
    assert added.owners == (Owner("@budi"), Owner("Siti"), Owner("Kim Min-su"), Owner("@Park"))
    assert added.updated_at > item.updated_at
    replaced = await actions.set_owners(C_1, 1, [Owner("Kim Min-su"), Owner("@park", 5), Owner("@Park")])
    assert replaced.owners == (Owner("Kim Min-su"), Owner("@park", 5))
    # The same user under another name is one owner; a known user wins over the bare name.
    same_user = await actions.add_owners(C_1, 1, [Owner("Park Ji-hoon", 5), Owner("kim min-su", 9)])
    assert same_user.owners == (Owner("Kim Min-su", 9), Owner("@park", 5))
    assert (await actions.add_owners(C_1, 1, [])).owners == same_user.owners
    assert (await actions.set_owners(C_1, 1, [])).owners == ()

    with pytest.raises(ValueError):
        await actions.add_owners(C_1, 1, [Owner("x" * (OWNER_NAME_MAX + 1))])
    with pytest.raises(ValueError):
        await actions.set_owners(C_1, 1, [Owner(" ")])
    with pytest.raises(LookupError):
        await actions.add_owners(C_1, 9, [Owner("@budi")])
    with pytest.raises(LookupError):
        await actions.set_owners(C_1, 9, [Owner("@budi")])


async def test_an_at_username_owner_is_bound_to_its_user_once(repos: Repositories) -> None:
    await make_chats(repos, -1)
    actions = repos.actions
    item = await new_item(actions, C_1, "Plan", owners=[Owner("@Kim_MS"), Owner("Kim MS"), Owner("@lee", 3)])
    bound = await actions.bind_owner(item.id, "kim_ms", 42)
    assert bound is not None and bound.owners == (Owner("@Kim_MS", 42), Owner("Kim MS"), Owner("@lee", 3))
    assert await actions.bind_owner(item.id, "kim_ms", 43) is None  # bound already: never moved
    assert await actions.bind_owner(item.id, "lee", 44) is None  # known user: never rebound
    assert await actions.bind_owner(item.id + 100, "kim_ms", 42) is None


async def test_concurrent_add_owners_lose_no_update(db: Database) -> None:
    await make_chats(repositories(db), -1)
    actions = ActionRepository(db)
    await new_item(actions, C_1, "Plan the visit")
    await asyncio.gather(*(actions.add_owners(C_1, 1, [Owner(f"@owner{n}", n)]) for n in range(6)))
    item = await actions.get(C_1, 1)
    assert item is not None and sorted(o.name for o in item.owners) == sorted(f"@owner{n}" for n in range(6))


async def test_due_and_title_changes(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    actions = repos.actions
    item = await new_item(actions, C_1, "Invite the mayor")

    due = await actions.set_due(C_1, 1, NOW + DAY)
    assert due.due_at == NOW + DAY and due.updated_at > item.updated_at
    assert (await actions.set_due(C_1, 1, None)).due_at is None
    with pytest.raises(ValueError):
        await actions.set_due(C_1, 1, datetime(2026, 12, 1, 12, 0))

    retitled = await actions.set_title(C_1, 1, "  Undang wali kota  ", "id")
    assert (retitled.title, retitled.language) == ("Undang wali kota", "id")
    for bad in ("", "  ", "x" * (TITLE_MAX + 1)):
        with pytest.raises(ValueError):
            await actions.set_title(C_1, 1, bad, "id")

    assert (retitled.due_at, retitled.number, retitled.created_at) == (None, 1, item.created_at)
    for change in (
        actions.set_due(C_1, 2, NOW),
        actions.set_title(C_1, 2, "t", "en"),
    ):
        with pytest.raises(LookupError):
            await change


# -- digests -------------------------------------------------------------------------------------------------


async def test_stats_count_per_programme_by_name_without_programme_last(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    programmes = repos.programmes
    youth = await programmes.add(C_1, "youth")
    culture = await programmes.add(C_1, "Culture")
    await programmes.add(C_1, "Empty")  # no items: no row
    idle = await programmes.add(C_1, "Idle")  # only a dropped item: no row
    actions = repos.actions
    assert await actions.stats(C_1, NOW) == []

    await new_item(actions, C_1, "y1", programme_id=youth.id, due_at=NOW - DAY)  # 1 overdue
    await new_item(actions, C_1, "y2", programme_id=youth.id, due_at=NOW + DAY)  # 2 open
    await new_item(actions, C_1, "y3", programme_id=youth.id)  # 3 → done
    await new_item(actions, C_1, "c1", programme_id=culture.id, due_at=NOW - 2 * DAY)  # 4 → done (not overdue)
    await new_item(actions, C_1, "n1", due_at=NOW - timedelta(seconds=1))  # 5 overdue
    await new_item(actions, C_1, "n2", due_at=NOW)  # 6 due right now: not overdue yet
    await new_item(actions, C_1, "i1", programme_id=idle.id)  # 7 → dropped
    await new_item(actions, C_2, "elsewhere", chat_id=-2, due_at=NOW - DAY)
    await actions.set_status(C_1, 3, "done", NOW)
    await actions.set_status(C_1, 4, "done", NOW)
    await actions.set_status(C_1, 7, "dropped", NOW)

    assert await actions.stats(C_1, NOW) == [
        ProgrammeStats(programme="Culture", open=0, overdue=0, done=1),
        ProgrammeStats(programme="youth", open=2, overdue=1, done=1),
        ProgrammeStats(programme=None, open=2, overdue=1, done=0),
    ]
    assert await actions.stats(C_2, NOW) == [ProgrammeStats(programme=None, open=1, overdue=1, done=0)]
    later = await actions.stats(C_1, NOW + 2 * DAY)
    assert [(s.programme, s.overdue) for s in later] == [("Culture", 0), ("youth", 2), (None, 2)]

    naive = NOW.replace(tzinfo=None)
    for query in (actions.stats(C_1, naive), actions.upcoming(C_1, naive)):
        with pytest.raises(ValueError):
            await query

    item = await actions.get(C_1, 1)
    assert item is not None and item.is_overdue(NOW) and not item.is_overdue(NOW - 2 * DAY)
    undated = await new_item(actions, C_1, "undated")
    assert not undated.is_overdue(NOW)
    done = await actions.get(C_1, 4)
    assert done is not None and not done.is_overdue(NOW)


async def _dated_items(actions: Actions) -> None:
    """Seven items of C_1 due at various instants (#6 undated), #7 done."""
    await new_item(actions, C_1, "past", due_at=NOW - DAY)  # 1
    await new_item(actions, C_1, "in three days", due_at=NOW + 3 * DAY)  # 2
    await new_item(actions, C_1, "now", due_at=NOW)  # 3
    await new_item(actions, C_1, "tomorrow", due_at=NOW + DAY)  # 4
    await new_item(actions, C_1, "in two days", due_at=NOW + 2 * DAY)  # 5
    await new_item(actions, C_1, "undated")  # 6
    await new_item(actions, C_1, "tomorrow too", due_at=NOW + DAY)  # 7 → done
    await actions.set_status(C_1, 7, "done", NOW - timedelta(hours=1))


async def test_upcoming_is_open_items_due_from_now_soonest_first(repos: Repositories) -> None:
    await make_chats(repos, -1)
    actions = repos.actions
    assert await actions.upcoming(C_1, NOW) == []
    await _dated_items(actions)

    assert numbers(await actions.upcoming(C_1, NOW)) == [3, 4, 5]
    assert numbers(await actions.upcoming(C_1, NOW, limit=10)) == [3, 4, 5, 2]
    assert numbers(await actions.upcoming(C_1, NOW + timedelta(seconds=1), limit=1)) == [4]
    assert await actions.upcoming(C_1, NOW, limit=0) == []


async def test_count_open_counts_the_scopes_open_items(repos: Repositories) -> None:
    await make_chats(repos, -1, -2)
    actions = repos.actions
    assert await actions.count_open(C_1) == 0
    await _dated_items(actions)  # seven, #7 done
    await new_item(actions, C_2, "elsewhere", chat_id=-2)
    assert await actions.count_open(C_1) == 6
    await actions.set_status(C_1, 1, "dropped", NOW)
    await actions.set_status(C_1, 2, "done", NOW)
    assert await actions.count_open(C_1) == 4
    await actions.set_status(C_1, 7, "open", NOW)
    assert await actions.count_open(C_1) == 5
    assert await actions.count_open(C_2) == 1
    assert await actions.count_open(B999) == 0


async def test_done_since_and_last_activity(db: Database) -> None:
    """Reads only storage offers (its own tests and the operator's commands use them)."""
    await make_chats(repositories(db), -1)
    actions = ActionRepository(db)
    assert await actions.done_since(C_1, NOW - DAY) == []
    assert await actions.last_activity(C_1) is None
    with pytest.raises(ValueError):
        await actions.done_since(C_1, NOW.replace(tzinfo=None))
    await _dated_items(actions)

    await actions.set_status(C_1, 1, "done", NOW - 3 * DAY)
    await actions.set_status(C_1, 6, "done", NOW)
    await actions.set_status(C_1, 2, "done", NOW - DAY)
    await actions.set_status(C_1, 5, "dropped", NOW)
    assert numbers(await actions.done_since(C_1, NOW - 2 * DAY)) == [6, 7, 2]
    assert numbers(await actions.done_since(C_1, NOW)) == [6]
    assert numbers(await actions.done_since(C_1, NOW + DAY)) == []
    assert await actions.done_since(C_2, NOW - 10 * DAY) == []

    every = await actions.list(C_1, statuses=("open", "done", "dropped"))
    latest = await actions.last_activity(C_1)
    last_changed = await actions.get(C_1, 5)
    assert last_changed is not None
    assert latest == max(i.updated_at for i in every) == last_changed.updated_at
    assert latest is not None and latest.utcoffset() == timedelta(0)
    touched = await actions.set_title(C_1, 1, "past, renamed", "en")
    assert await actions.last_activity(C_1) == touched.updated_at
    assert await actions.last_activity(C_2) is None


_SINCE = NOW - 7 * DAY


async def _status_items(repos: Repositories, bridge_id: int, scope: Scope) -> None:
    """Nine items of the bridge's scope: open, overdue, done (two since ``_SINCE``) and dropped."""
    actions = repos.actions
    youth = await repos.programmes.add(scope, "youth")
    owners = [Owner("@budi", 7), Owner("Kim")]
    for n, due in enumerate((-5, -1, -3, 1, 2, 0, 4, None, -2)):
        await new_item(
            actions,
            scope,
            f"item {n + 1}",
            bridge_id=bridge_id,
            due_at=None if due is None else NOW + due * DAY,
            programme_id=youth.id if n % 2 else None,
            owners=owners if n % 3 == 0 else (),
        )
    await actions.set_status(scope, 9, "done", NOW - DAY)
    await actions.set_status(scope, 8, "done", NOW - 10 * DAY)  # too long ago
    await actions.set_status(scope, 7, "done", NOW - 2 * DAY)
    await actions.set_status(scope, 4, "dropped", NOW)


async def test_overview_is_what_the_separate_reads_say_in_one_transaction(repos: Repositories) -> None:
    """/status reads the scope in one transaction: the same as stats, the overdue of list, upcoming, the
    items done since, the history's last event and the last change of an item, each cut to the length asked
    for."""
    bridge_id, scope = await bridged(repos, -1, -2)
    actions, events = repos.actions, repos.events

    async def overview(next_max: int = 3, done_max: int = 10, now: datetime = NOW) -> ScopeOverview:
        return await actions.overview(scope, now, next_max=next_max, done_since=_SINCE, done_max=done_max)

    assert await overview() == ScopeOverview()  # no items: nothing else is read
    await _status_items(repos, bridge_id, scope)
    assert (await overview()).last_event_at is None
    await events.add(NewEvent(scope=scope, at=NOW - 3 * DAY, kind="created", chat_id=-1, by="Budi", city="Surabaya"))
    await events.add(NewEvent(scope=C_1, at=NOW, kind="created", chat_id=-1, by="Budi", city="Surabaya"))  # not its

    view = await overview()
    opened = await actions.list(scope, statuses=("open",))
    every = await actions.list(scope, statuses=("open", "done", "dropped"))
    done = {i.number: i for i in every if i.status == "done"}
    assert view.stats == tuple(await actions.stats(scope, NOW))
    assert view.overdue == tuple(i for i in opened if i.is_overdue(NOW))[:3]
    assert numbers(list(view.overdue)) == [1, 3, 2]  # longest overdue first, at most 3 of the 4
    assert view.upcoming == tuple(await actions.upcoming(scope, NOW, limit=3))
    assert view.done == (done[9], done[7]) and numbers(list(view.done)) == [9, 7]  # most recently done first
    assert len(view.overdue[0].owners) == 2 and view.overdue[2].programme == "youth"  # as list() reads them
    assert view.last_event_at == NOW - 3 * DAY
    assert view.last_change_at == max(i.updated_at for i in every)
    short = await overview(next_max=1, done_max=1)
    assert numbers(list(short.overdue)) == [1] and len(short.upcoming) == 1 and numbers(list(short.done)) == [9]
    none = await overview(next_max=0, done_max=0)
    assert none.overdue == none.upcoming == none.done == () and none.stats == view.stats
    with pytest.raises(ValueError):
        await overview(now=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        await actions.overview(scope, NOW, next_max=3, done_since=_SINCE.replace(tzinfo=None), done_max=3)


async def test_overview_agrees_with_the_reads_only_storage_offers(db: Database) -> None:
    """The overview's done items, last event and last change are what done_since, the history's last_at
    and last_activity say."""
    repos = repositories(db)
    bridge_id, scope = await bridged(repos, -1, -2)
    await _status_items(repos, bridge_id, scope)
    actions, events = ActionRepository(db), EventRepository(db)
    await events.add(NewEvent(scope=scope, at=NOW - 3 * DAY, kind="created", chat_id=-1, by="Budi", city="Surabaya"))
    view = await actions.overview(scope, NOW, next_max=3, done_since=_SINCE, done_max=10)
    assert view.done == tuple(await actions.done_since(scope, _SINCE)) and numbers(list(view.done)) == [9, 7]
    assert view.last_event_at == await events.last_at(scope) == NOW - 3 * DAY
    assert view.last_change_at == await actions.last_activity(scope)


# -- programmes ------------------------------------------------------------------------------------------


async def test_programmes_add_get_list_case_insensitively(repos: Repositories) -> None:
    programmes = repos.programmes
    assert await programmes.list(B1) == []
    youth = await programmes.add(B1, "  YouthExchange ", "20 students a year")
    assert (youth.scope, youth.name, youth.goal) == (B1, "YouthExchange", "20 students a year")
    assert youth.created_at.utcoffset() == timedelta(0)
    trade = await programmes.add(B1, "#trade-fair_2027")
    assert (trade.name, trade.goal) == ("trade-fair_2027", None)
    korean = await programmes.add(B1, "교류")
    elsewhere = await programmes.add(B2, "youthexchange", "other bridge")
    assert elsewhere.id != youth.id

    for spelling in ("YouthExchange", "youthexchange", "#YOUTHEXCHANGE", " #youthExchange "):
        assert await programmes.get(B1, spelling) == youth
    assert await programmes.get(B1, "Youth") is None
    assert await programmes.get(B3, "YouthExchange") is None
    assert await programmes.get(B1, "not a name!") is None
    assert await programmes.get(B1, "#") is None
    assert [p.name for p in await programmes.list(B1)] == ["trade-fair_2027", "YouthExchange", "교류"]
    assert await programmes.list(B2) == [elsewhere]

    # Re-adding: same row, new spelling; the goal is replaced, kept when None, cleared when empty.
    renamed = await programmes.add(B1, "#youthexchange", "30 students a year")
    assert (renamed.id, renamed.name, renamed.goal, renamed.created_at) == (
        youth.id,
        "youthexchange",
        "30 students a year",
        youth.created_at,
    )
    kept = await programmes.add(B1, "YOUTHEXCHANGE")
    assert (kept.id, kept.name, kept.goal) == (youth.id, "YOUTHEXCHANGE", "30 students a year")
    cleared = await programmes.add(B1, "YouthExchange", "  ")
    assert (cleared.id, cleared.goal) == (youth.id, None)
    assert len(await programmes.list(B1)) == 3
    assert await programmes.get(B1, "교류") == korean


async def test_programme_names_are_validated(repos: Repositories) -> None:
    programmes = repos.programmes
    longest = "p" * PROGRAMME_NAME_MAX
    assert (await programmes.add(B1, longest)).name == longest
    for bad in ("", "   ", "#", "##youth", "youth exchange", "youth!", "a.b", "p" * (PROGRAMME_NAME_MAX + 1)):
        with pytest.raises(ValueError):
            await programmes.add(B1, bad)
    with pytest.raises(ValueError):
        await programmes.add(B1, "Youth", "g" * 501)
    with pytest.raises(ValueError):
        await programmes.add("", "Youth")  # type: ignore[arg-type]
    assert [p.name for p in await programmes.list(B1)] == [longest]


async def test_concurrent_adds_of_one_programme_make_one_row(db: Database) -> None:
    programmes = ProgrammeRepository(db)
    added: list[Programme] = list(
        await asyncio.gather(*(programmes.add(B1, name) for name in ("Youth", "youth", "#YOUTH", "Youth") * 2))
    )
    assert len({p.id for p in added}) == 1
    assert len(await programmes.list(B1)) == 1


# -- migration 0003 ----------------------------------------------------------------------------------------

ACTION_TABLES = {"action_items", "programmes", "action_counters"}


def _ours(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name in ACTION_TABLES


def _ours_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return _ours(name, type_)


def _schema_drift(conn: Connection) -> list[Any]:
    """Differences between the models and the database, for the tables of this feature."""
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "include_name": _ours, "include_object": _ours_object}
    )
    return list(compare_metadata(context, Base.metadata))


def _shape(conn: Connection) -> dict[str, Any]:
    inspector = inspect(conn)
    return {
        "tables": set(inspector.get_table_names()),
        "action_items": {c["name"] for c in inspector.get_columns("action_items")},
        "programmes": {c["name"] for c in inspector.get_columns("programmes")},
        "programme_fks": [fk["referred_table"] for fk in inspector.get_foreign_keys("programmes")],
    }


async def test_migration_0003_downgrades_and_upgrades_again(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []
    await make_chats(repositories(db), -1)
    programme = await ProgrammeRepository(db).add(C_1, "Youth")
    actions = ActionRepository(db)
    await new_item(actions, C_1, "one", programme_id=programme.id)
    await new_item(actions, C_1, "two")

    await downgrade(db.engine, "0002")
    assert await current_revision(db.engine) == "0002"
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) != []  # the check sees the difference
        shape = await conn.run_sync(_shape)
        counts: list[int] = [
            (await conn.execute(text(f"SELECT COUNT(*) FROM {table}"))).scalar_one()
            for table in ("action_items", "programmes", "chats")
        ]
    assert "action_counters" not in shape["tables"]
    assert {"owner", "owner_chat_id", "bridge_id", "programme_id"} <= shape["action_items"]
    assert not {"scope", "number", "owners"} & shape["action_items"]
    assert {"bridge_id", "description"} <= shape["programmes"]
    assert not {"scope", "name_key", "goal"} & shape["programmes"]
    assert shape["programme_fks"] == ["bridges"]
    assert counts == [0, 0, 1]  # the items and programmes are discarded, nothing else

    await upgrade(db.engine, "0003")
    assert await current_revision(db.engine) == "0003"
    await upgrade(db.engine)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_schema_drift) == []
    again = await new_item(actions, C_1, "after the round trip")
    assert again.number == 1  # the counters went with the items
    assert await ProgrammeRepository(db).list(C_1) == []


async def test_get_by_id(repos: Repositories) -> None:
    await repos.chats.ensure(-1, title="Bandung", type="group", default_language="id")
    repo = repos.actions
    item = await repo.create(scope=C_1, bridge_id=None, chat_id=-1, title="Undang delegasi", language="id")
    assert await repo.get_by_id(item.id) == item
    assert await repo.get_by_id(item.id + 1000) is None
