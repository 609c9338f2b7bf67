"""Everything about one chat: moved to a supergroup's new id, or forgotten (in memory, on SQLite and on
PostgreSQL: ``repos``; what is left in the tables, on the databases: ``db``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.errors import CodeNotFound, CodeOwnChat, CodeUsed
from bot.domain.records import Forgotten, MessageLink, NewEvent, NewRelayJob, NewReminder, Owner, Scope
from bot.domain.repositories import Repositories
from storage.chatdata import chat_columns
from storage.db import Database
from storage.models import Base, MessageLinkRow, RelayJobRow, TranslationCacheRow, utcnow
from storage.repositories import repositories

OLD, NEW, PARTNER, ALONE = -11, -10011, -22, -33
LATER = datetime(2030, 1, 1, tzinfo=UTC)


def test_every_column_that_refers_to_a_chat_is_handled() -> None:
    referring = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if any(fk.column.table.name == "chats" for fk in column.foreign_keys)
        or (column.name.endswith(("chat_id", "_chat")) and table.name != "chats")
    }
    assert referring == set(chat_columns())


async def _world(repos: Repositories) -> None:
    chats = repos.chats
    for chat_id, title in ((OLD, "Bandung"), (PARTNER, "Braunschweig"), (ALONE, "Solo")):
        await chats.ensure(chat_id, title=title, type="group", default_language="id")
    await chats.set_language(OLD, "id")
    await chats.set_city(OLD, "Bandung")
    await chats.set_timezone(OLD, "Asia/Jakarta")
    await chats.set_workdays(OLD, frozenset({6, 0, 1, 2, 3}))
    bridge = await repos.bridges.link(OLD, PARTNER)
    scope = Scope.of(bridge.id, OLD)
    actions = repos.actions
    await actions.create(
        scope=scope, bridge_id=bridge.id, chat_id=OLD, title="MoU", language="id", owners=[Owner("@budi", 5)]
    )
    await actions.create(scope=scope, bridge_id=bridge.id, chat_id=PARTNER, title="Visit", language="de")
    await repos.programmes.add(scope, "education")
    await repos.glossary.add(bridge.id, "MoU", {})
    reminders = repos.reminders
    await reminders.add_many(
        [
            NewReminder(scope=scope, chat_id=chat_id, kind="adhoc", due_at=LATER, text="Rapat", numbered=True)
            for chat_id in (OLD, PARTNER)
        ]
    )
    await repos.reminder_settings.set_quiet(OLD, "22:00", "06:00")
    await repos.link_codes.create(OLD, 1)
    outbox = repos.outbox
    jobs = [
        NewRelayJob(bridge.id, PARTNER, 7, OLD, 0, {"text": "Hallo"}),
        NewRelayJob(bridge.id, OLD, 8, PARTNER, 0, {}),
    ]
    stored = await outbox.enqueue(jobs)
    await outbox.complete(stored[1].id, [MessageLink(OLD, 8, PARTNER, 80)])
    await repos.message_links.add_many([MessageLink(PARTNER, 6, OLD, 60)])
    await repos.translation_cache.put_many("google", "de", "id", bridge.id, {"Hallo": "Halo"})
    # A group in no bridge has its own scope.
    await actions.create(scope=Scope.of(None, ALONE), bridge_id=None, chat_id=ALONE, title="Solo", language="id")


async def test_a_group_upgraded_to_a_supergroup_keeps_everything_under_its_new_id(repos: Repositories) -> None:
    await _world(repos)
    data = repos.chat_data
    await repos.chats.ensure(NEW, title="Bandung", type="supergroup", default_language="en")  # first sight
    assert await data.move(OLD, NEW)
    assert not await data.move(OLD, NEW)  # once
    chats = repos.chats
    moved, old = await chats.get(NEW), await chats.get(OLD)
    assert moved is not None and (moved.language, moved.city, moved.timezone, moved.type) == (
        "id",
        "Bandung",
        "Asia/Jakarta",
        "supergroup",
    )
    assert moved.workdays == frozenset({6, 0, 1, 2, 3})  # the working week moves with the other settings
    assert old is not None and not old.active
    bridge = await repos.bridges.bridge_of(NEW)
    assert bridge is not None and set(bridge.chat_ids) == {NEW, PARTNER}
    assert await repos.bridges.bridge_of(OLD) is None
    item = await repos.actions.get(Scope.of(bridge.id, NEW), 1)
    assert item is not None and item.chat_id == NEW and item.owners == (Owner("@budi", 5),)
    reminders = repos.reminders
    assert {r.chat_id for r in await reminders.due(LATER + timedelta(seconds=1))} == {NEW, PARTNER}
    assert (await repos.reminder_settings.schedule(NEW)).quiet_start == "22:00"
    assert [j.dst_chat_id for j in await repos.outbox.pending()] == [NEW]  # pending work follows


async def test_forgetting_a_group_deletes_what_is_its_own_and_leaves_the_partner_theirs(repos: Repositories) -> None:
    await _world(repos)
    bridge = await repos.bridges.bridge_of(OLD)
    assert bridge is not None
    forgotten = await repos.chat_data.forget(OLD)
    assert forgotten.total > 0 and forgotten.rows["chats"] == 1
    assert forgotten == Forgotten(
        {
            "action_items": 1,
            "reminders": 1,
            "relay_jobs": 2,
            "message_links": 2,
            "link_codes": 1,
            "chat_schedules": 1,
            "translation_cache": 1,  # the bridge's: Bandung's texts cannot be told from Braunschweig's
            "translation_cache_chats": 2,
            "bridge_members": 1,
            "chats": 1,
        }
    )
    assert await repos.chats.get(OLD) is None
    assert await repos.translation_cache.get_many("google", "de", "id", ["Hallo"]) == {}
    scope = Scope.of(bridge.id, PARTNER)
    assert [i.title for i in await repos.actions.list(scope)] == ["Visit"]  # Bandung's own item went
    assert {r.chat_id for r in await repos.reminders.due(LATER + timedelta(seconds=1))} == {PARTNER}
    assert await repos.outbox.counts() == {"pending": 0, "done": 0, "failed": 0}  # its relay work went …
    assert await repos.message_links.copies_of(OLD, 8) == []  # … and its links, both ways
    assert await repos.message_links.copies_of(PARTNER, 6) == []
    assert await repos.glossary.list(bridge.id) != []  # the bridge lives on with Braunschweig
    # The last group of a bridge takes the bridge's data with it.
    assert await repos.chat_data.forget(PARTNER) == Forgotten(
        {
            "action_items": 1,
            "action_counters": 1,
            "programmes": 1,
            "reminders": 1,
            "reminder_counters": 1,
            "bridge_members": 1,
            "bridges": 1,
            "chats": 1,
        }
    )
    assert await repos.bridges.get(bridge.id) is None
    assert await repos.glossary.list(bridge.id) == []
    assert await repos.actions.list(scope, statuses=("open", "done", "dropped")) == []
    assert [i.title for i in await repos.actions.list(Scope.of(None, ALONE))] == ["Solo"]


async def test_forgetting_leaves_no_relay_work_links_or_translations_behind(db: Database) -> None:
    repos = repositories(db)
    await _world(repos)
    data = repos.chat_data
    await data.forget(OLD)
    async with db.session() as session:
        jobs = await session.scalar(select(func.count()).select_from(RelayJobRow))
        links = await session.scalar(select(func.count()).select_from(MessageLinkRow))
    assert jobs == 0 and links == 0
    await data.forget(PARTNER)
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(TranslationCacheRow)) == 0


SECRETS = ("rahasia", "siti", "keluarga")  # what Bandung's people wrote or are called, in any case


async def test_forgetting_leaves_none_of_the_groups_text_or_names_in_any_table(db: Database) -> None:
    """Bandung (titled after a family, no city set) wrote titles, notes, reminders and messages and named its
    people; its partner recorded changes to Bandung's items. Afterwards no table holds any of it."""
    repos = repositories(db)
    await repos.chats.ensure(OLD, title="Keluarga Siti", type="group", default_language="id")
    await repos.chats.ensure(PARTNER, title="Braunschweig", type="group", default_language="de")
    await repos.chats.set_city(PARTNER, "Braunschweig")
    bridge = await repos.bridges.link(OLD, PARTNER)
    scope = Scope.of(bridge.id, OLD)
    owners = [Owner("Siti Rahasia", 5)]
    ours = await repos.actions.create(
        scope=scope, bridge_id=bridge.id, chat_id=OLD, title="Judul rahasia", language="id", owners=owners
    )
    await repos.actions.create(scope=scope, bridge_id=bridge.id, chat_id=PARTNER, title="Visit", language="de")
    programme = await repos.programmes.add(scope, "education")
    visits = await repos.indicators.add(scope, programme.id, "Visits", 10, "year", None, None)
    now = utcnow()
    for chat_id, by, city, kind, detail in (
        (OLD, "Siti Rahasia", "Keluarga Siti", "created", "Judul rahasia"),
        (PARTNER, "Anna", "Braunschweig", "assigned", "Siti Rahasia"),
        (PARTNER, "Anna", "Braunschweig", "renamed", "Judul rahasia baru"),
    ):
        await repos.events.add(
            NewEvent(scope, now, kind, chat_id, by, city, item_number=ours.number, user_id=5, detail=detail)
        )
    await repos.indicators.record(
        visits.id, change=1, at=now, user_id=5, by="Siti", chat_id=OLD, city="Keluarga Siti", note="catatan rahasia"
    )
    await repos.events.add(
        NewEvent(scope, now, "indicator", OLD, "Siti", "Keluarga Siti", indicator_id=visits.id, detail="+1 → 1")
    )
    await repos.reminders.add_many(
        [NewReminder(scope=scope, chat_id=OLD, kind="adhoc", due_at=LATER, text="Pengingat rahasia", numbered=True)]
    )
    await repos.outbox.enqueue([NewRelayJob(bridge.id, OLD, 7, PARTNER, 0, {"text": "Pesan rahasia", "by": "Siti"})])
    await repos.translation_cache.put_many(
        "google", "id", "de", bridge.id, {"Pesan rahasia": "Geheime Nachricht", "Judul rahasia": "Geheimer Titel"}
    )
    month = now - timedelta(days=30)
    await repos.reports.add(Scope.of(None, OLD), OLD, "manual", month, now, "Laporan rahasia", "id", now)

    async def found() -> list[tuple[str, str]]:
        hits: list[tuple[str, str]] = []
        async with db.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                for row in (await conn.execute(table.select())).all():
                    written = " ".join(str(value) for value in row).casefold()
                    hits += [(table.name, secret) for secret in SECRETS if secret in written]
        return hits

    assert {table for table, _ in await found()} >= {
        "chats", "action_items", "events", "indicator_updates", "reminders", "relay_jobs", "translation_cache",
        "reports",
    }  # fmt: skip
    await repos.chat_data.forget(OLD)
    assert await found() == []
    assert [i.title for i in await repos.actions.list(scope)] == ["Visit"]  # Braunschweig's own is kept


async def test_moving_again_after_the_old_group_woke_up_loses_nothing(repos: Repositories) -> None:
    """The old group's own service message may arrive after the move and bring it back to life for a
    moment: moving it again must not take the new group out of its bridge."""
    await _world(repos)
    data = repos.chat_data
    assert await data.move(OLD, NEW)
    await repos.chats.ensure(OLD, title="Bandung", type="group", default_language="en")  # woke up
    assert await data.move(OLD, NEW)
    bridge = await repos.bridges.bridge_of(NEW)
    assert bridge is not None and set(bridge.chat_ids) == {NEW, PARTNER}
    assert (await repos.reminder_settings.schedule(NEW)).quiet_start == "22:00"


async def test_codes_requests_and_the_approval_follow_a_moved_group_and_go_with_it(repos: Repositories) -> None:
    for chat_id in (OLD, PARTNER, ALONE):
        await repos.chats.ensure(chat_id, title=str(chat_id), type="group", default_language="id")
    await repos.chats.set_show_original(OLD, True)
    data, codes, requests = repos.chat_data, repos.link_codes, repos.join_requests
    await repos.approvals.approve(OLD)
    issued = await codes.create(OLD, 1)
    partners = await codes.create(PARTNER, 2)
    asked = await requests.create(OLD, PARTNER, None, timedelta(hours=1))
    asking = await requests.create(ALONE, OLD, 3, timedelta(hours=1))
    assert await data.move(ALONE, ALONE) is False
    assert await data.move(-999, -1999) is False  # not known
    assert await repos.chats.get(-1999) is None

    assert await data.move(OLD, NEW)  # NEW not seen yet: created with OLD's settings
    moved = await repos.chats.get(NEW)
    assert moved is not None and (moved.title, moved.type, moved.show_original, moved.active) == (
        str(OLD),
        "supergroup",
        True,
        True,
    )
    assert moved.workdays == frozenset(range(5))  # never set: Monday to Friday
    assert await repos.approvals.all() == [NEW]
    with pytest.raises(CodeOwnChat):
        await codes.redeem(issued, by_chat_id=NEW)
    assert await codes.redeem(issued, by_chat_id=PARTNER) == NEW
    assert await codes.redeem(partners, by_chat_id=NEW) == PARTNER
    after = [await requests.get(asked.id), await requests.get(asking.id)]
    assert [(r.issuer_chat_id, r.requester_chat_id) if r else None for r in after] == [(NEW, PARTNER), (ALONE, NEW)]

    assert await data.forget(NEW) == Forgotten({"approved_chats": 1, "link_codes": 1, "join_requests": 2, "chats": 1})
    assert await repos.approvals.all() == []
    assert await requests.get(asked.id) is None and await requests.get(asking.id) is None
    with pytest.raises(CodeNotFound):  # the codes it issued went
        await codes.redeem(issued, by_chat_id=ALONE)
    with pytest.raises(CodeUsed):  # a code it used stays another group's, used
        await codes.redeem(partners, by_chat_id=ALONE)
    assert await data.forget(NEW) == Forgotten({})  # nothing left


async def test_groups_the_bot_left_long_ago_are_found(repos: Repositories) -> None:
    chats, data = repos.chats, repos.chat_data
    for chat_id in (-1, -2, -3):
        await chats.ensure(chat_id, title=str(chat_id), type="group", default_language="id")
    assert await data.inactive_since(utcnow() + timedelta(seconds=1)) == []  # every one active
    await chats.set_active(-2, False)
    await chats.set_active(-3, False)
    assert sorted(await data.inactive_since(utcnow() + timedelta(seconds=1))) == [-3, -2]
    assert await data.inactive_since(utcnow() - timedelta(days=1)) == []  # removed only now
    await chats.ensure(-3, title="-3", type="group", default_language="id")  # back again
    assert await data.inactive_since(utcnow() + timedelta(seconds=1)) == [-2]
    assert await data.move(-1, -4)  # a moved group is inactive under its old id
    assert sorted(await data.inactive_since(utcnow() + timedelta(seconds=1))) == [-2, -1]
