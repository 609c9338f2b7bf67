"""Integration: what the intake and the durable poller do when the database fails before an update's work is
stored (bot/telegram/intake.py, bot/telegram/polling.py), real Application ↔ emulator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.domain.records import NewRelayJob, RelayJob
from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from bot.telegram import intake as intake_module
from storage.outbox import OutboxRepository
from tests.kit import eventually
from tests.world import World, services


def locked() -> OperationalError:
    return OperationalError("UPDATE", {}, Exception("database is locked"))


def relayed_numbers(world: World, town_id: int) -> list[int]:
    """The N of the relayed "msg-N" texts in a town, in the order they arrived."""
    found: list[int] = []
    for message in world.emu.sent(town_id):
        text = str(message.get("text") or "")
        if "msg-" in text:
            found.append(int(text.split("msg-", 1)[1].split()[0]))
    return found


async def test_a_command_whose_chat_cannot_be_loaded_runs_once_later(
    sqlite_world: World, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    """/help is stored in the inbox and acknowledged; in its lane the chat cannot be loaded (the database is
    locked): the lane tries it again, and it is answered once, not with an error."""
    world = sqlite_world
    town = world.town("Surabaya", "id")
    failures = {"left": 2}
    async with world.bot() as poller:
        await world.ask(town, "/start")
        poller.intake.max_backoff = 0.05
        chats = services(poller).chats.chats
        real = chats.ensure

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            if failures["left"] > 0:
                failures["left"] -= 1
                raise locked()
            return await real(*args, **kwargs)

        monkeypatch.setattr(chats, "ensure", flaky)
        before = len(world.emu.sent(town.id))
        world.emu.post(town.id, town.member.id, "/help")
        world.emu.post(town.id, town.member.id, "/start")  # after it in the lane
        answers = await world.emu.wait_for_sent(town.id, before + 2)
        await world.emu.wait_until_delivered()
    texts = [str(m["text"]) for m in answers[before:]]
    assert failures["left"] == 0
    assert texts[0].startswith("Perintah Kembar") and "Kembar menghubungkan" in texts[1]
    assert strip_tags(catalog.t("error.generic", "id")) not in world.texts(town)
    assert len(world.texts(town)) == before + 2  # each answered once


async def test_the_offset_moves_past_an_unreadable_update_only_with_the_updates_before_it(
    sqlite_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One response: a message, an update python-telegram-bot cannot read, a message. The relay jobs cannot
    be stored for a while: nothing of the response is acknowledged, the unreadable one included, so the
    first message is not lost when the response comes again."""
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    failures = {"left": 7}  # more than one batch's attempts: the first response is not acknowledged
    original = OutboxRepository.enqueue

    async def flaky(self: OutboxRepository, jobs: Sequence[NewRelayJob], *, read_back: bool = True) -> list[RelayJob]:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise locked()
        return await original(self, jobs, read_back=read_back)

    async with world.bot() as poller:
        await world.setup(surabaya, busan)
        services(poller).relay.retry_delay = 0.001
        poller.max_backoff = 0.2
        monkeypatch.setattr(OutboxRepository, "enqueue", flaky)
        world.emu.post(surabaya.id, surabaya.member.id, "msg-0 halo")
        bad = world.emu.inject_raw_update(
            {"message": {"message_id": 999, "date": "yesterday", "chat": {"id": surabaya.id, "type": "supergroup"}}}
        )
        world.emu.post(surabaya.id, surabaya.member.id, "msg-1 halo")
        await world.relayed(busan, "msg-1")
        await world.emu.wait_until_delivered()
        quarantined = await services(poller).inbox.quarantined()
    assert failures["left"] == 0
    assert relayed_numbers(world, busan.id) == [0, 1]
    assert [update_id for update_id, _, _ in quarantined] == [bad]


async def test_a_database_error_while_setting_an_update_aside_does_not_stop_the_poller(
    sqlite_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unreadable update cannot be set aside at first: the response comes again (nothing acknowledged),
    and the poller goes on."""
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    failures = {"left": 1}
    async with world.bot() as poller:
        await world.setup(surabaya, busan)
        poller.max_backoff = 0.2
        inbox = services(poller).inbox
        real = inbox.quarantine

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            if failures["left"] > 0:
                failures["left"] -= 1
                raise locked()
            return await real(*args, **kwargs)

        monkeypatch.setattr(inbox, "quarantine", flaky)
        world.emu.post(surabaya.id, surabaya.member.id, "msg-0 halo")
        bad = world.emu.inject_raw_update(
            {"message": {"message_id": 999, "date": "yesterday", "chat": {"id": surabaya.id, "type": "supergroup"}}}
        )
        world.emu.post(surabaya.id, surabaya.member.id, "msg-1 halo")
        await world.emu.wait_for(
            lambda: 1 in relayed_numbers(world, busan.id) or not poller.running, timeout=10, message="msg-1"
        )
        assert poller.running
        await world.emu.wait_until_delivered()
        quarantined = await inbox.quarantined()
    assert failures["left"] == 0
    assert relayed_numbers(world, busan.id) == [0, 1]
    assert [update_id for update_id, _, _ in quarantined] == [bad]
    assert poller.quarantined == 1


async def test_an_update_that_can_never_begin_is_set_aside_and_the_others_go_on(
    sqlite_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One group's chat can never be loaded: its message (inline) and its command (in its lane) are each
    tried a few times, then set aside for the operator; the others' updates are not held up for good."""
    world = sqlite_world
    surabaya, busan, medan = world.town("Surabaya", "id"), world.town("Busan", "ko"), world.town("Medan", "id")
    monkeypatch.setattr(intake_module, "NOT_STARTED_ATTEMPTS", 3)
    async with world.bot() as poller:
        await world.setup(surabaya, busan)
        await world.ask(medan, "/start")
        poller.max_backoff = 0.2
        poller.intake.max_backoff = 0.05
        chats = services(poller).chats.chats
        real = chats.ensure

        async def broken_for_medan(chat_id: int, **kwargs: Any) -> Any:
            if chat_id == medan.id:
                raise locked()
            return await real(chat_id, **kwargs)

        monkeypatch.setattr(chats, "ensure", broken_for_medan)
        await world.emu.wait_for(lambda: not poller.busy, timeout=5)  # Medan's lane is idle: its message goes inline
        world.emu.post(medan.id, medan.member.id, "Halo dari Medan")
        world.emu.post(medan.id, medan.member.id, "/help")
        world.emu.post(surabaya.id, surabaya.member.id, "msg-0 halo")
        await world.relayed(busan, "msg-0")
        await world.emu.wait_until_delivered()

        async def both_set_aside() -> bool:  # the command's tries, in its lane, follow the acknowledgement
            return len(await services(poller).inbox.quarantined()) == 2

        await eventually(both_set_aside, timeout=10)
        quarantined = await services(poller).inbox.quarantined()
        assert poller.running
    assert sorted(payload["message"]["text"] for _, payload, _ in quarantined) == ["/help", "Halo dari Medan"]
    assert all(error.startswith("NotStarted: the context of chat") for _, _, error in quarantined)
    assert all("Halo" not in error for _, _, error in quarantined)
    assert not [t for t in world.texts(medan) if t.startswith("Perintah Kembar")]  # never run
