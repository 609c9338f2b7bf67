"""Everything about one chat: moved to a supergroup's new id, or forgotten (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.domain.records import MessageLink, NewRelayJob, NewReminder, Owner, Scope
from storage.actions import ActionRepository, ProgrammeRepository
from storage.bridges import BridgeRepository
from storage.chatdata import ChatDataRepository, chat_columns
from storage.chats import ChatRepository
from storage.db import Database
from storage.glossary import GlossaryRepository
from storage.linkcodes import LinkCodeRepository
from storage.messagelinks import MessageLinkRepository
from storage.models import Base, MessageLinkRow, RelayJobRow, TranslationCacheRow
from storage.outbox import OutboxRepository
from storage.reminders import ReminderRepository, ReminderSettingsRepository

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


async def _world(db: Database) -> None:
    chats = ChatRepository(db)
    for chat_id, title in ((OLD, "Bandung"), (PARTNER, "Braunschweig"), (ALONE, "Solo")):
        await chats.ensure(chat_id, title=title, type="group", default_language="id")
    await chats.set_language(OLD, "id")
    await chats.set_city(OLD, "Bandung")
    await chats.set_timezone(OLD, "Asia/Jakarta")
    bridge = await BridgeRepository(db).link(OLD, PARTNER)
    scope = Scope.of(bridge.id, OLD)
    actions = ActionRepository(db)
    await actions.create(
        scope=scope, bridge_id=bridge.id, chat_id=OLD, title="MoU", language="id", owners=[Owner("@budi", 5)]
    )
    await actions.create(scope=scope, bridge_id=bridge.id, chat_id=PARTNER, title="Visit", language="de")
    await ProgrammeRepository(db).add(scope, "education")
    await GlossaryRepository(db).add(bridge.id, "MoU", {})
    reminders = ReminderRepository(db)
    await reminders.add_many(
        [
            NewReminder(scope=scope, chat_id=chat_id, kind="adhoc", due_at=LATER, text="Rapat", numbered=True)
            for chat_id in (OLD, PARTNER)
        ]
    )
    await ReminderSettingsRepository(db).set_quiet(OLD, "22:00", "06:00")
    await LinkCodeRepository(db).create(OLD, 1)
    outbox = OutboxRepository(db)
    jobs = [
        NewRelayJob(bridge.id, PARTNER, 7, OLD, 0, {"text": "Hallo"}),
        NewRelayJob(bridge.id, OLD, 8, PARTNER, 0, {}),
    ]
    stored = await outbox.enqueue(jobs)
    await outbox.complete(stored[1].id, [MessageLink(OLD, 8, PARTNER, 80)])
    await MessageLinkRepository(db).add_many([MessageLink(PARTNER, 6, OLD, 60)])
    # A group in no bridge has its own scope.
    await actions.create(scope=Scope.of(None, ALONE), bridge_id=None, chat_id=ALONE, title="Solo", language="id")


async def test_a_group_upgraded_to_a_supergroup_keeps_everything_under_its_new_id(db: Database) -> None:
    await _world(db)
    data = ChatDataRepository(db)
    await ChatRepository(db).ensure(NEW, title="Bandung", type="supergroup", default_language="en")  # first sight
    assert await data.move(OLD, NEW)
    assert not await data.move(OLD, NEW)  # once
    chats = ChatRepository(db)
    moved, old = await chats.get(NEW), await chats.get(OLD)
    assert moved is not None and (moved.language, moved.city, moved.timezone, moved.type) == (
        "id",
        "Bandung",
        "Asia/Jakarta",
        "supergroup",
    )
    assert old is not None and not old.active
    bridge = await BridgeRepository(db).bridge_of(NEW)
    assert bridge is not None and set(bridge.chat_ids) == {NEW, PARTNER}
    assert await BridgeRepository(db).bridge_of(OLD) is None
    item = await ActionRepository(db).get(Scope.of(bridge.id, NEW), 1)
    assert item is not None and item.chat_id == NEW and item.owners == (Owner("@budi", 5),)
    reminders = ReminderRepository(db)
    assert {r.chat_id for r in await reminders.due(LATER + timedelta(seconds=1))} == {NEW, PARTNER}
    assert (await ReminderSettingsRepository(db).schedule(NEW)).quiet_start == "22:00"
    assert [j.dst_chat_id for j in await OutboxRepository(db).pending()] == [NEW]  # pending work follows


async def test_forgetting_a_group_deletes_what_is_its_own_and_leaves_the_partner_theirs(db: Database) -> None:
    await _world(db)
    bridge = await BridgeRepository(db).bridge_of(OLD)
    assert bridge is not None
    forgotten = await ChatDataRepository(db).forget(OLD)
    assert forgotten.total > 0 and forgotten.rows["chats"] == 1
    assert await ChatRepository(db).get(OLD) is None
    scope = Scope.of(bridge.id, PARTNER)
    assert [i.title for i in await ActionRepository(db).list(scope)] == ["Visit"]  # Bandung's own item went
    assert {r.chat_id for r in await ReminderRepository(db).due(LATER + timedelta(seconds=1))} == {PARTNER}
    async with db.session() as session:
        jobs = await session.scalar(select(func.count()).select_from(RelayJobRow))
        links = await session.scalar(select(func.count()).select_from(MessageLinkRow))
    assert jobs == 0 and links == 0
    assert await GlossaryRepository(db).list(bridge.id) != []  # the bridge lives on with Braunschweig
    # The last group of a bridge takes the bridge's data with it.
    await ChatDataRepository(db).forget(PARTNER)
    assert await BridgeRepository(db).get(bridge.id) is None
    assert await ActionRepository(db).list(scope, statuses=("open", "done", "dropped")) == []
    assert [i.title for i in await ActionRepository(db).list(Scope.of(None, ALONE))] == ["Solo"]
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(TranslationCacheRow)) == 0


async def test_moving_again_after_the_old_group_woke_up_loses_nothing(db: Database) -> None:
    """The old group's own service message may arrive after the move and bring it back to life for a
    moment: moving it again must not take the new group out of its bridge."""
    await _world(db)
    data = ChatDataRepository(db)
    assert await data.move(OLD, NEW)
    await ChatRepository(db).ensure(OLD, title="Bandung", type="group", default_language="en")  # woke up
    assert await data.move(OLD, NEW)
    bridge = await BridgeRepository(db).bridge_of(NEW)
    assert bridge is not None and set(bridge.chat_ids) == {NEW, PARTNER}
    assert (await ReminderSettingsRepository(db).schedule(NEW)).quiet_start == "22:00"
