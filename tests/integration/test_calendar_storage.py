"""Calendars storage, in memory, on SQLite and on PostgreSQL (``repos``): each group's extra days off
(storage/calendars.py), its country, region and working hours (``ChatRepository.set_calendar`` and
``set_work_hours``), what moving and forgetting a group does to them and to reminders' ``origin_chat_id``
(storage/chatdata.py); migration 0014 on the databases (``db``)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.domain import repositories as domain
from bot.domain.errors import LimitReached
from bot.domain.records import DayOff, NewReminder, Scope
from bot.domain.repositories import Repositories
from bot.domain.rules import DAY_OFF_NAME_MAX, DAY_OFF_SPAN_MAX, DAYS_OFF_MAX, DEFAULT_WORK_HOURS
from storage.db import Database
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Base
from storage.repositories import repositories

OLD, NEW, PARTNER = -11, -10011, -22
LATER = datetime(2030, 1, 1, tzinfo=UTC)
LEAVE = (date(2027, 12, 27), date(2027, 12, 31), "Betriebsferien")
FAIR = (date(2027, 7, 14), date(2027, 7, 14), "Stadtfest")


async def make_chats(chats: domain.ChatRepository, *ids: int) -> None:
    for chat_id in ids:
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="de")


async def add(repos: Repositories, chat_id: int, off: tuple[date, date, str], *, limit: int = DAYS_OFF_MAX) -> DayOff:
    return await repos.calendars.add_day_off(chat_id, off[0], off[1], off[2], 7, limit=limit)


# -- days off ----------------------------------------------------------------------------------------------------


async def test_days_off_are_numbered_per_group_and_listed_earliest_first(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3)
    calendars = repos.calendars
    assert await add(repos, -1, LEAVE) == DayOff(1, date(2027, 12, 27), date(2027, 12, 31), "Betriebsferien")
    assert await add(repos, -1, FAIR) == DayOff(2, date(2027, 7, 14), date(2027, 7, 14), "Stadtfest")
    assert await add(repos, -2, (date(2027, 9, 14), date(2027, 9, 16), "추석 연휴")) == DayOff(
        1, date(2027, 9, 14), date(2027, 9, 16), "추석 연휴"
    )
    same_day = await add(repos, -1, (date(2027, 7, 14), date(2027, 7, 15), "Brückentag"))
    assert same_day == DayOff(3, date(2027, 7, 14), date(2027, 7, 15), "Brückentag")
    expected = {
        -2: (DayOff(1, date(2027, 9, 14), date(2027, 9, 16), "추석 연휴"),),
        -1: (
            DayOff(2, date(2027, 7, 14), date(2027, 7, 14), "Stadtfest"),
            DayOff(3, date(2027, 7, 14), date(2027, 7, 15), "Brückentag"),  # the same first day: by number
            DayOff(1, date(2027, 12, 27), date(2027, 12, 31), "Betriebsferien"),
        ),
        -3: (),
    }
    assert await calendars.days_off([-2, -1, -3]) == expected
    assert await calendars.days_off([-3]) == {-3: ()}
    assert await calendars.days_off([]) == {}

    assert await calendars.remove_day_off(-1, 2) == DayOff(2, date(2027, 7, 14), date(2027, 7, 14), "Stadtfest")
    assert await calendars.remove_day_off(-1, 2) is None  # once
    assert await calendars.remove_day_off(-2, 3) is None  # another group's number
    assert await calendars.remove_day_off(-3, 1) is None
    assert (await calendars.days_off([-2]))[-2] == expected[-2]  # the other group keeps its own
    assert (await add(repos, -1, FAIR)).number == 4  # after the highest, not in the gap
    assert [off.number for off in (await calendars.days_off([-1]))[-1]] == [3, 4, 1]  # by first day, then number


async def test_a_group_keeps_at_most_the_limit_of_days_off(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2)
    for day in (1, 2, 3):
        await add(repos, -1, (date(2027, 8, day), date(2027, 8, day), f"day {day}"), limit=3)
    with pytest.raises(LimitReached) as refused:
        await add(repos, -1, FAIR, limit=3)
    assert refused.value.limit == 3
    assert len((await repos.calendars.days_off([-1]))[-1]) == 3
    assert (await add(repos, -2, FAIR, limit=3)).number == 1  # each group counts its own
    await repos.calendars.remove_day_off(-1, 2)
    assert (await add(repos, -1, FAIR, limit=3)).number == 4


async def test_days_off_at_once_never_pass_the_limit_nor_share_a_number(repos: Repositories) -> None:
    await make_chats(repos.chats, -1)
    outcomes = await asyncio.gather(
        *(add(repos, -1, (date(2027, 8, n), date(2027, 8, n), f"day {n}"), limit=5) for n in range(1, 11)),
        return_exceptions=True,
    )
    made = [o for o in outcomes if isinstance(o, DayOff)]
    refused = [o for o in outcomes if isinstance(o, LimitReached)]
    assert len(made) == 5 and len(refused) == 5, outcomes
    assert sorted(off.number for off in made) == [1, 2, 3, 4, 5]
    assert sorted(off.number for off in (await repos.calendars.days_off([-1]))[-1]) == [1, 2, 3, 4, 5]


async def test_periods_and_names_storage_refuses(repos: Repositories) -> None:
    await make_chats(repos.chats, -1)
    first = date(2027, 12, 1)
    longest = (first, date(2027, 12, DAY_OFF_SPAN_MAX), "n" * DAY_OFF_NAME_MAX)
    assert DAY_OFF_SPAN_MAX == 31 and (await add(repos, -1, longest)).number == 1
    for wrong in (
        (first, date(2028, 1, 1), "32 days"),
        (date(2027, 1, 1), date(2027, 12, 31), "a year"),
        (first, date(2027, 11, 30), "backwards"),
        (first, first, "n" * (DAY_OFF_NAME_MAX + 1)),
    ):
        with pytest.raises(ValueError):
            await add(repos, -1, wrong)
    with pytest.raises(LookupError):  # a group Kembar does not know
        await add(repos, -99, FAIR)
    assert (await repos.calendars.days_off([-1, -99])) == {-1: (DayOff(1, *longest),), -99: ()}
    assert (await add(repos, -1, FAIR)).number == 2  # a refused one took no number


# -- a group's country, region and working hours ---------------------------------------------------------------------


async def test_country_region_and_working_hours_round_trip(repos: Repositories) -> None:
    chats = repos.chats
    await make_chats(chats, -1, -2)
    fresh = await chats.get(-1)
    assert fresh is not None and (fresh.country, fresh.region, fresh.work_hours) == (None, None, DEFAULT_WORK_HOURS)
    assert DEFAULT_WORK_HOURS == (8 * 60, 17 * 60)

    changed = await chats.set_calendar(-1, "DE", "NI")
    assert (changed.country, changed.region) == ("DE", "NI")
    changed = await chats.set_work_hours(-1, 7 * 60 + 30, 15 * 60 + 30)
    assert changed.work_hours == (450, 930) and (changed.country, changed.region) == ("DE", "NI")
    again = await chats.get(-1)
    assert again is not None and (again.country, again.region, again.work_hours) == ("DE", "NI", (450, 930))
    assert (await chats.set_work_hours(-1, 0, 24 * 60)).work_hours == (0, 1440)
    assert (await chats.set_work_hours(-1, 23 * 60 + 59, 24 * 60)).work_hours == (1439, 1440)
    region_only = await chats.set_calendar(-1, "DE", None)
    assert (region_only.country, region_only.region) == ("DE", None)
    assert (await chats.set_calendar(-1, "DE", "x" * 16)).region == "x" * 16

    for start, end in ((600, 600), (17 * 60, 8 * 60), (-1, 60), (0, 24 * 60 + 1)):
        with pytest.raises(ValueError):
            await chats.set_work_hours(-1, start, end)
    for country, region in (("DEU", None), ("DE", "x" * 17)):
        with pytest.raises(ValueError):
            await chats.set_calendar(-1, country, region)
    with pytest.raises(LookupError):
        await chats.set_calendar(-99, "KR", None)
    with pytest.raises(LookupError):
        await chats.set_work_hours(-99, 480, 1020)
    kept = await chats.get(-1)
    assert kept is not None and (kept.country, kept.region, kept.work_hours) == ("DE", "x" * 16, (1439, 1440))

    cleared = await chats.set_calendar(-1, None, None)  # back to the country guessed from the zone
    assert (cleared.country, cleared.region) == (None, None)
    other = await chats.get(-2)
    assert other is not None and (other.country, other.region, other.work_hours) == (None, None, DEFAULT_WORK_HOURS)
    assert {chat.id: chat.work_hours for chat in await chats.all()} == {-2: (480, 1020), -1: (1439, 1440)}


# -- moving and forgetting a group -------------------------------------------------------------------------------


async def _calendar_world(repos: Repositories) -> list[int]:
    """Old (a basic group in Lower Saxony) with its calendar, days off and reminders, and its partner's reminder
    that Old set; the reminders' ids."""
    chats = repos.chats
    await chats.ensure(OLD, title="Braunschweig", type="group", default_language="de")
    await chats.ensure(PARTNER, title="Bandung", type="supergroup", default_language="id")
    await chats.set_timezone(OLD, "Europe/Berlin")
    await chats.set_calendar(OLD, "DE", "NI")
    await chats.set_work_hours(OLD, 7 * 60, 16 * 60)
    await chats.set_calendar(PARTNER, "ID", None)
    await add(repos, OLD, LEAVE)
    await add(repos, OLD, FAIR)
    await add(repos, PARTNER, (date(2027, 3, 10), date(2027, 3, 12), "Cuti bersama"))
    bridge = await repos.bridges.link(OLD, PARTNER)
    scope = Scope.of(bridge.id, OLD)
    added = await repos.reminders.add_many(
        [
            NewReminder(scope=scope, chat_id=chat_id, kind="meeting", due_at=LATER, text="Rapat", origin_chat_id=OLD)
            for chat_id in (OLD, PARTNER)
        ]
    )
    own = await repos.reminders.add(
        NewReminder(scope=scope, chat_id=PARTNER, kind="adhoc", due_at=LATER, text="Laporan", origin_chat_id=PARTNER)
    )
    return [*(r.id for r in added), own.id]


async def _origins(repos: Repositories, ids: list[int]) -> list[tuple[int, int | None] | None]:
    found = [await repos.reminders.get(reminder_id) for reminder_id in ids]
    return [None if r is None else (r.chat_id, r.origin_chat_id) for r in found]


async def test_a_supergroup_keeps_its_calendar_days_off_and_the_reminders_it_set(repos: Repositories) -> None:
    ids = await _calendar_world(repos)
    await repos.chats.ensure(NEW, title="Braunschweig", type="supergroup", default_language="en")  # first sight
    await add(repos, NEW, (date(2027, 5, 1), date(2027, 5, 1), "first sight"))  # replaced by what Old has
    assert await repos.chat_data.move(OLD, NEW)
    moved = await repos.chats.get(NEW)
    assert moved is not None
    assert (moved.country, moved.region, moved.work_hours, moved.timezone) == ("DE", "NI", (420, 960), "Europe/Berlin")
    calendars = repos.calendars
    assert await calendars.days_off([OLD, NEW, PARTNER]) == {
        OLD: (),
        NEW: (
            DayOff(2, date(2027, 7, 14), date(2027, 7, 14), "Stadtfest"),
            DayOff(1, date(2027, 12, 27), date(2027, 12, 31), "Betriebsferien"),
        ),
        PARTNER: (DayOff(1, date(2027, 3, 10), date(2027, 3, 12), "Cuti bersama"),),
    }
    assert await _origins(repos, ids) == [(NEW, NEW), (PARTNER, NEW), (PARTNER, PARTNER)]
    assert (await add(repos, NEW, FAIR)).number == 3  # numbered after the moved ones
    assert await calendars.remove_day_off(NEW, 1) is not None


async def test_a_supergroup_keeps_its_own_days_off_when_the_old_group_had_none(repos: Repositories) -> None:
    chats = repos.chats
    await chats.ensure(OLD, title="Busan", type="group", default_language="ko")
    await chats.set_calendar(OLD, "KR", None)
    await chats.ensure(NEW, title="Busan", type="supergroup", default_language="ko")
    await add(repos, NEW, FAIR)
    assert await repos.chat_data.move(OLD, NEW)
    moved = await chats.get(NEW)
    assert moved is not None and (moved.country, moved.region, moved.work_hours) == ("KR", None, DEFAULT_WORK_HOURS)
    assert await repos.calendars.days_off([NEW]) == {NEW: (DayOff(1, *FAIR),)}


async def test_forgetting_a_group_deletes_its_days_off_and_its_name_on_partners_reminders(repos: Repositories) -> None:
    ids = await _calendar_world(repos)
    forgotten = await repos.chat_data.forget(OLD)
    assert forgotten.rows["days_off"] == 2 and forgotten.rows["chats"] == 1
    assert forgotten.rows["reminders"] == 1  # its own copy; the partner's copy stays
    assert await repos.calendars.days_off([OLD, PARTNER]) == {
        OLD: (),
        PARTNER: (DayOff(1, date(2027, 3, 10), date(2027, 3, 12), "Cuti bersama"),),
    }
    assert await _origins(repos, ids) == [None, (PARTNER, None), (PARTNER, PARTNER)]
    partner = await repos.chats.get(PARTNER)
    assert partner is not None and partner.country == "ID"
    with pytest.raises(LookupError):  # the group is gone: nothing can be added for it
        await add(repos, OLD, FAIR)
    await repos.chats.ensure(OLD, title="Braunschweig", type="group", default_language="de")  # back again: anew
    back = await repos.chats.get(OLD)
    assert back is not None and (back.country, back.region, back.work_hours) == (None, None, DEFAULT_WORK_HOURS)
    assert (await add(repos, OLD, FAIR)).number == 1


# -- migration 0014 ----------------------------------------------------------------------------------------------

TABLES = ("chats", "reminders", "days_off")


def _ours(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name in TABLES


def _drift(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "include_name": _ours,
            "include_object": lambda _obj, name, type_, *_: _ours(name, type_),
        },
    )
    return list(compare_metadata(context, Base.metadata))


def _shape(conn: Connection) -> dict[str, set[str]]:
    found = inspect(conn)
    return {
        "tables": set(found.get_table_names()),
        "chats": {column["name"] for column in found.get_columns("chats")},
        "reminders": {column["name"] for column in found.get_columns("reminders")},
    }


async def test_migration_0014_downgrades_and_upgrades_again(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_drift) == []
    repos = repositories(db)
    await make_chats(repos.chats, -1, -2)
    await repos.chats.set_city(-1, "Braunschweig")
    await repos.chats.set_calendar(-1, "DE", "NI")
    await repos.chats.set_work_hours(-1, 420, 960)
    await add(repos, -1, LEAVE)
    scope = Scope.of(None, -1)
    kinds = ("adhoc", "recurring", "snooze", "digest", "meeting")
    await repos.reminders.add_many(
        [NewReminder(scope=scope, chat_id=-1, kind=kind, due_at=LATER, origin_chat_id=-2) for kind in kinds]
    )

    await downgrade(db.engine, "0013")
    assert await current_revision(db.engine) == "0013"
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_drift) != []  # the check sees the difference
        shape = await conn.run_sync(_shape)
        chats = (await conn.execute(text("SELECT id, city FROM chats ORDER BY id"))).all()
        reminders = (await conn.execute(text("SELECT kind FROM reminders ORDER BY id"))).all()
    assert "days_off" not in shape["tables"]
    assert not {"country", "region", "work_hours"} & shape["chats"] and "city" in shape["chats"]
    assert "origin_chat_id" not in shape["reminders"]
    assert [tuple(row) for row in chats] == [(-2, None), (-1, "Braunschweig")]  # the rest stays
    assert [row[0] for row in reminders] == list(kinds)

    await upgrade(db.engine)
    assert await current_revision(db.engine) == head_revision()
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_drift) == []
        origins = (await conn.execute(text("SELECT kind, origin_chat_id FROM reminders ORDER BY id"))).all()
    # A person's reminders and snoozes were kept as set in their own group: that group is their origin.
    assert [tuple(row) for row in origins] == [
        ("adhoc", -1),
        ("recurring", -1),
        ("snooze", -1),
        ("digest", None),
        ("meeting", None),
    ]
    db.cache.chat_changed(-1)
    chat = await repos.chats.get(-1)
    assert chat is not None and (chat.country, chat.region, chat.work_hours) == (None, None, DEFAULT_WORK_HOURS)
    assert chat.city == "Braunschweig"
    assert await repos.calendars.days_off([-1]) == {-1: ()}
    assert (await add(repos, -1, FAIR)).number == 1
    assert (await repos.chats.set_work_hours(-1, 480, 960)).work_hours == (480, 960)
