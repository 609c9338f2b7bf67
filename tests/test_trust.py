"""Issue 12 end to end (emulator): restricted groups, upgraded groups, deleted groups, anonymous
administrators. Each test failed before its fix."""

from __future__ import annotations

from tests.relay_world import World


async def test_a_group_that_refuses_photos_gets_the_text_and_stays_in_the_bridge(sqlite_world: World) -> None:
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
    assert "photo" not in copy and "이 그룹은 이런 미디어를" in copy["text"]
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


async def test_a_deleted_group_leaves_the_bridge_and_the_others_are_told(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        world.emu.delete_chat(surabaya.id)
        world.emu.post(busan.id, busan.member.id, "여보세요?")
        told = await world.relayed(busan, "더 이상 연락할 수 없어")
        bridge = await world.ask(busan, "/bridge")
    assert "Surabaya" in told["text"]
    assert bridge.startswith("이 그룹은 아직 상대 그룹과 연결되어 있지 않습니다")


async def test_an_anonymous_administrator_can_use_administrator_commands(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya = world.town("Surabaya", "id")
    async with world.bot():
        before = len(world.emu.sent(surabaya.id))
        world.emu.post(surabaya.id, surabaya.admin.id, "/city Kota Pahlawan", as_chat=True)
        [answer] = (await world.emu.wait_for_sent(surabaya.id, before + 1))[before:]
    assert answer["text"] == "Selesai: pesan dari grup ini sekarang ditandai Kota Pahlawan."
