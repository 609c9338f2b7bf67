"""Issue 12 end to end (emulator): restricted groups, upgraded groups, deleted groups, anonymous
administrators. Each test failed before its fix."""

from __future__ import annotations

import pytest

from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from bot.telegram import app as bot_app
from bot.telegram.polling import DurablePoller
from handlers.context import SERVICES_KEY
from tests.world import World


async def test_a_group_that_refuses_photos_gets_the_text_and_stays_in_the_bridge(
    sqlite_world: World, catalog: Catalog
) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        world.emu.restrict_bot(busan.id, can_send_photos=False)
        world.emu.post(surabaya.id, surabaya.member.id, photo=True, caption="Foto penandatanganan MoU")
        copy = await world.relayed(busan, "Foto penandatanganan MoU")
        world.emu.post(surabaya.id, surabaya.member.id, "Terima kasih semuanya")
        await world.relayed(busan, "Terima kasih semuanya")
        bridge = await world.ask(busan, "/bridge")
    assert "photo" not in copy and strip_tags(catalog.t("relay.media_refused", "ko")) in copy["text"]
    assert "Surabaya" in bridge and "Busan" in bridge


async def test_a_group_upgraded_to_a_supergroup_keeps_its_settings_bridge_and_items(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id", basic_group=True), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/city Kota Surabaya")
        await world.ask(surabaya, "/action Kirim draf MoU")
        await world.relayed(busan, "새 과제 #1")
        old_id = surabaya.id
        new_id = world.emu.migrate_to_supergroup(old_id)
        surabaya.moved_to(world.emu.chat(new_id))
        city = await world.ask(surabaya, "/city")  # answered in Indonesian: the settings moved
        world.emu.post(surabaya.id, surabaya.member.id, "Salam dari supergrup")
        relayed = await world.relayed(busan, "Salam dari supergrup")
        world.emu.post(busan.id, busan.member.id, "안녕하세요")
        back = await world.relayed(surabaya, "Busan Member")
        listing = await world.ask(surabaya, "/actions")
    assert "Kota Surabaya" in city and city.startswith("Pesan dari grup ini")
    assert "Kota Surabaya" in relayed["text"]
    assert back["chat"]["id"] == new_id
    assert "#1 Kirim draf MoU" in listing


async def test_a_deleted_group_leaves_the_bridge_and_the_others_are_told(sqlite_world: World, catalog: Catalog) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        world.emu.delete_chat(surabaya.id)
        world.emu.post(busan.id, busan.member.id, "여보세요?")
        told = await world.relayed(busan, strip_tags(catalog.t("bridge.other_gone", "ko", city="Surabaya")))
        bridge = await world.ask(busan, "/bridge")
    assert "Surabaya" in told["text"]
    assert bridge.startswith("이 그룹은 아직 상대 그룹과 연결되어 있지 않습니다")


async def test_an_anonymous_administrator_can_use_administrator_commands(sqlite_world: World, catalog: Catalog) -> None:
    world = sqlite_world
    surabaya = world.town("Surabaya", "id")
    async with world.bot():
        before = len(world.emu.sent(surabaya.id))
        world.emu.post(surabaya.id, surabaya.admin.id, "/city Kota Pahlawan", as_chat=True)
        [answer] = (await world.emu.wait_for_sent(surabaya.id, before + 1))[before:]
    assert answer["text"] == strip_tags(catalog.t("city.set", "id", city="Kota Pahlawan"))


async def test_a_slow_command_in_one_group_does_not_hold_up_another_bridge(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    bandung, braunschweig = world.town("Bandung", "id"), world.town("Braunschweig", "de")
    async with world.bot():
        await world.setup(surabaya, busan)
        await world.setup(bandung, braunschweig)
        # Telegram takes 4 s to answer who is an administrator in Surabaya.
        world.emu.faults.add("getChatMember", "slow", delay=4.0, chat_id=surabaya.id)
        before = len(world.emu.sent(surabaya.id))
        world.emu.post(surabaya.id, surabaya.admin.id, "/city Kota Pahlawan")
        world.emu.post(bandung.id, bandung.member.id, "Selamat pagi dari Bandung")
        await world.relayed(braunschweig, "Selamat pagi dari Bandung")
        answered_meanwhile = len(world.emu.sent(surabaya.id)) > before
        # Surabaya's own order is kept: its message waits behind its command, then is relayed.
        world.emu.post(surabaya.id, surabaya.member.id, "Pesan setelah perintah")
        await world.relayed(busan, "Pesan setelah perintah", timeout=15)
        answer = world.texts(surabaya)[before]
    assert not answered_meanwhile  # the relay in the other bridge did not wait for Surabaya's command
    assert "Kota Pahlawan" in answer


class _LosesFirstAcknowledgement(DurablePoller):
    """A poller whose first acknowledgement is lost (a crash before it reached Telegram)."""

    lost = False

    def _advance(self, offset: int) -> None:
        if not self.lost:
            self.lost = True
            return
        super()._advance(offset)


async def test_a_redelivered_command_is_not_run_twice(sqlite_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world = sqlite_world
    surabaya = world.town("Surabaya", "id")
    async with world.bot():
        await world.ask(surabaya, "/lang id")
    monkeypatch.setattr(bot_app, "DurablePoller", _LosesFirstAcknowledgement)
    async with world.bot() as poller:
        world.emu.post(surabaya.id, surabaya.member.id, "/action Kirim draf MoU")
        await world.relayed(surabaya, "Tindak lanjut baru #1")
        world.emu.post(surabaya.id, surabaya.member.id, "/actions")  # the first response comes again first
        listing = await world.relayed(surabaya, "Tindak lanjut —")
        assert isinstance(poller, _LosesFirstAcknowledgement) and poller.lost
    assert [t for t in world.texts(surabaya) if "Tindak lanjut baru #" in t] == [world.texts(surabaya)[-2]]
    assert "#2" not in listing["text"]


async def test_an_update_that_cannot_be_read_is_set_aside_and_the_bot_goes_on(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot() as poller:
        await world.setup(surabaya, busan)
        bad = world.emu.inject_raw_update(
            {"message": {"message_id": 999, "date": "yesterday", "chat": {"id": surabaya.id, "type": "supergroup"}}}
        )
        world.emu.post(surabaya.id, surabaya.member.id, "Masih jalan")
        await world.relayed(busan, "Masih jalan")
        services = poller.app.bot_data[SERVICES_KEY]
        quarantined = await services.inbox.quarantined()
    assert poller.quarantined == 1
    assert [(update_id, payload["message"]["date"]) for update_id, payload, _ in quarantined] == [(bad, "yesterday")]


async def test_a_member_flooding_commands_is_told_once_and_then_ignored(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        before = len(world.emu.sent(surabaya.id))
        for _ in range(25):
            world.emu.post(surabaya.id, surabaya.member.id, "/status")
        world.emu.post(surabaya.id, surabaya.member.id, "Pesan biasa setelahnya")  # queued behind the commands
        await world.relayed(busan, "Pesan biasa setelahnya")
        answers = world.texts(surabaya)[before:]
        other = await world.ask(surabaya, "/status")  # another member (the admin) is not limited
    assert len(answers) == 21
    assert sum("terlalu banyak perintah" in a for a in answers) == 1
    assert other.startswith("📊")


async def test_long_answers_are_split_into_messages_telegram_accepts(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot() as poller:
        await world.setup(surabaya, busan)
        services = poller.app.bot_data[SERVICES_KEY]
        here = await services.chats.context(await services.chats.get(surabaya.id))
        for n in range(40):  # forty items with long titles, straight through the service
            await services.actions.actions.create(
                scope=here.scope,
                bridge_id=here.bridge_id,
                chat_id=surabaya.id,
                title=f"Butir {n:02d} " + "x" * 400,
                language="id",
            )
        before = len(world.emu.sent(surabaya.id))
        world.emu.post(surabaya.id, surabaya.member.id, "/actions all")
        world.emu.post(surabaya.id, surabaya.member.id, "Penanda akhir")
        await world.relayed(busan, "Penanda akhir")
        parts = world.texts(surabaya)[before:]
    assert len(parts) > 1 and all(len(part) <= 4096 for part in parts)
    listed = "".join(parts)
    assert all(f"Butir {n:02d}" in listed for n in range(40))
