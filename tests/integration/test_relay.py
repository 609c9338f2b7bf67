"""Integration: bridges and translated relay, real Application ↔ emulator ↔ local translation server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from bot.domain.records import NewRelayJob, RelayJob
from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.town import start_private_chat
from bot.sandbox.translate_server import TranslationServer
from handlers.context import SERVICES_KEY
from storage.db import Database
from storage.models import LinkCodeRow
from storage.outbox import OutboxRepository
from storage.translation_cache import TranslationCacheRepository
from tests.world import CODE_RE, TOKEN, World


def translate_requests(world: World, target: str | None = None) -> list[dict[str, object]]:
    return [dict(r) for r in world.server.requests if target is None or r["target"] == target]


async def test_two_way_relay_indonesian_korean(world: World, catalog: Catalog) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        world.emu.post(surabaya.id, surabaya.member.id, "Selamat pagi")
        copy = await world.relayed(busan, "좋은 아침")
        world.emu.post(busan.id, busan.member.id, "감사합니다")
        back = await world.relayed(surabaya, "Terima kasih")
    assert copy["text"] == "\u2068Surabaya Member\u2069 · \u2068Surabaya\u2069\n좋은 아침"
    assert copy["html"].startswith("<b>\u2068Surabaya Member\u2069</b> · \u2068Surabaya\u2069")
    assert back["text"] == "\u2068Busan Member\u2069 · \u2068Busan\u2069\nTerima kasih"
    # The bridge members were told: Surabaya learned that Busan joined, in Indonesian.
    joined = catalog.t("bridge.joined", "id", city="Busan", members="")
    assert any(str(m.get("html")).startswith(joined) for m in world.emu.sent(surabaya.id))


async def test_three_way_one_provider_call_per_language(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan, bs = world.town("Surabaya", "id"), world.town("Busan", "ko"), world.town("Braunschweig", "de")
    async with world.bot():
        await world.setup(surabaya, busan, bs)
        before = len(world.server.requests)
        world.emu.post(surabaya.id, surabaya.member.id, "Rapat besok jam 10")
        await world.relayed(busan, "내일 10시에 회의")
        await world.relayed(bs, "Besprechung morgen um 10 Uhr")
        world.emu.post(bs.id, bs.member.id, "Danke")
        await world.relayed(surabaya, "Terima kasih")
        await world.relayed(busan, "감사합니다")
        bridge = await world.ask(busan, "/bridge")
    calls = world.server.requests[before:]
    # One call per distinct target language per message: ko+de for the first, id+ko for the second.
    assert sorted(str(c["target"]) for c in calls) == ["de", "id", "ko", "ko"]
    assert "Surabaya" in bridge and "Busan" in bridge and "Braunschweig" in bridge


async def test_same_language_skips_and_repeats_use_the_cache(sqlite_world: World) -> None:
    world = sqlite_world
    jakarta, surabaya, seoul = world.town("Jakarta", "id"), world.town("Surabaya", "id"), world.town("Seoul", "ko")
    async with world.bot():
        await world.setup(jakarta, surabaya, seoul)
        before = len(world.server.requests)
        world.emu.post(jakarta.id, jakarta.member.id, "Tolong kirim laporannya")
        same = await world.relayed(surabaya, "Tolong kirim laporannya")
        await world.relayed(seoul, "보고서를 보내 주세요")
        world.emu.post(jakarta.id, jakarta.admin.id, "Tolong kirim laporannya")
        await world.emu.wait_for(lambda: len(world.texts(seoul)) >= 2 and "보고서" in world.texts(seoul)[-1])
    assert same["text"] == "\u2068Jakarta Member\u2069 · \u2068Jakarta\u2069\nTolong kirim laporannya"
    assert [r["target"] for r in world.server.requests[before:]] == ["ko"], "one call: id→id skipped, repeat cached"


async def test_replies_and_edits_are_mirrored_after_a_restart(world: World) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        original = world.emu.post(surabaya.id, surabaya.member.id, "Delegasi tiba hari Senin")
        copy = await world.relayed(busan, "대표단은 월요일에 도착합니다")
    async with world.bot():  # restart: message links come from the database
        reply = world.emu.post(busan.id, busan.member.id, "감사합니다", reply_to=copy["message_id"])
        mirrored = await world.relayed(surabaya, "Terima kasih")
        world.emu.edit(surabaya.id, original["message_id"], "Rapat besok jam 10")
        await world.emu.wait_for(
            lambda: "내일 10시에 회의" in str(world.emu.message(busan.id, copy["message_id"])["text"])
        )
        # A reply in Surabaya to the relayed copy of Busan's reply goes back to Busan's original reply.
        world.emu.post(surabaya.id, surabaya.admin.id, "Sampai jumpa", reply_to=mirrored["message_id"])
        back = await world.relayed(busan, "또 만나요")
    assert mirrored["reply_to_message"]["message_id"] == original["message_id"]
    edited = world.emu.message(busan.id, copy["message_id"])
    assert edited["text"].startswith("✏️ \u2068Surabaya Member\u2069 · \u2068Surabaya\u2069")
    assert back["reply_to_message"]["message_id"] == reply["message_id"]


async def test_photo_with_caption_is_copied_and_captioned(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        world.emu.post(surabaya.id, surabaya.member.id, caption="Kota kembar", photo=True)
        copy = await world.relayed(busan, "자매도시")
    assert copy.get("photo"), copy
    assert copy["caption"] == "\u2068Surabaya Member\u2069 · \u2068Surabaya\u2069\n자매도시"


async def test_glossary_and_protected_spans_survive_translation(sqlite_world: World, catalog: Catalog) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        assert "SDM" in await world.ask(surabaya, "/glossary add SDM = ko:인적자원, en:HR")
        assert "MoU" in await world.ask(busan, "/glossary add MoU")
        refused = await world.ask(busan, "/glossary add KPI", as_admin=False)
        listing = await world.ask(busan, "/glossary list")
        text = "Laporan SDM dan MoU ada di https://surabaya.go.id/sc?id=7 cc @budi_s #kotakembar 🎉 budi@surabaya.go.id"
        world.emu.post(surabaya.id, surabaya.member.id, text)
        copy = await world.relayed(busan, "[ko]")
    body = copy["text"]
    for span in (
        "인적자원",
        "MoU",
        "https://surabaya.go.id/sc?id=7",
        "@budi_s",
        "#kotakembar",
        "🎉",
        "budi@surabaya.go.id",
    ):
        assert body.count(span) == 1, (span, body)
    assert "SDM" not in body.split("\n", 1)[1]
    assert refused == strip_tags(catalog.t("admin.only", "ko"))
    assert "SDM" in listing and "MoU" in listing
    sent_to_provider = str(world.server.requests[-1]["q"])
    assert "https://" not in sent_to_provider and "@budi_s" not in sent_to_provider


async def test_translator_down_still_relays_with_a_marker(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        world.server.fail_share = 1.0
        world.emu.post(surabaya.id, surabaya.member.id, "Terima kasih")
        copy = await world.relayed(busan, "Terima kasih", timeout=20)
        world.server.fail_share = 0.0
        world.emu.post(busan.id, busan.member.id, "또 만나요")
        back = await world.relayed(surabaya, "Sampai jumpa")
    assert copy["text"].startswith("\u2068Surabaya Member\u2069 · \u2068Surabaya\u2069\nTerima kasih\n⚠️ 번역되지 않음")
    assert back["text"] == "\u2068Busan Member\u2069 · \u2068Busan\u2069\nSampai jumpa"


async def test_original_on_appends_the_source_text(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        await world.ask(busan, "/original on")
        world.emu.post(surabaya.id, surabaya.member.id, "Selamat pagi")
        copy = await world.relayed(busan, "좋은 아침")
    assert "<blockquote expandable>Selamat pagi</blockquote>" in copy["html"]


async def test_long_translations_are_split_into_several_messages(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    sentence = "Kerja sama pendidikan dan pelabuhan berjalan baik. "
    text = (sentence * 80).strip()  # about 4000 characters, over the limit once header and prefix are added
    async with world.bot():
        await world.setup(surabaya, busan)
        before = len(world.emu.sent(busan.id))
        world.emu.post(surabaya.id, surabaya.member.id, text)
        parts = (await world.emu.wait_for_sent(busan.id, before + 2))[before:]
    assert all(len(p["text"]) <= 4096 for p in parts)
    joined = "".join(str(p["text"]) for p in parts)
    assert joined.count("berjalan baik") == 80
    assert parts[1]["reply_to_message"]["message_id"] == parts[0]["message_id"]


def _buttons(message: dict[str, object]) -> dict[str, str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])  # type: ignore[attr-defined]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_link_codes_go_privately_and_a_join_needs_approval(world: World, catalog: Catalog) -> None:
    surabaya, busan, seoul = world.town("Surabaya", "id"), world.town("Busan", "ko"), world.town("Seoul", "ko")
    emu = world.emu
    async with world.bot():
        refused = await world.ask(surabaya, "/link", as_admin=False)
        # The administrator never opened a private chat with the bot: the code is shown on demand, to them only.
        await world.ask(surabaya, "/link")
        fallback_message = emu.sent(surabaya.id)[-1]
        show = _buttons(fallback_message)["🔑 Tampilkan kode penghubung"]
        member_press = emu.press(surabaya.id, fallback_message["message_id"], surabaya.member.id, show)
        member_alert = await emu.wait_for_callback_answer(member_press)
        admin_press = emu.press(surabaya.id, fallback_message["message_id"], surabaya.admin.id, show)
        admin_alert = await emu.wait_for_callback_answer(admin_press)
        alert_code = CODE_RE.search(admin_alert["text"])
        assert alert_code is not None
        # With a private chat, the code goes there.
        await start_private_chat(emu, surabaya.admin)
        sent_privately = await world.ask(surabaya, "/link")
        private = emu.sent(surabaya.admin.id)[-1]["text"]
        code = CODE_RE.search(private)
        assert code is not None
        own = await world.ask(surabaya, f"/link {code.group(1)}")
        not_admin = await world.ask(busan, f"/link {code.group(1)}", as_admin=False)
        requested = await world.ask(busan, f"/link {code.group(1).lower().replace('-', ' ')}")
        approval = await world.relayed(surabaya, "meminta bergabung")
        approve = _buttons(approval)["✅ Setujui"]
        by_member = emu.press(surabaya.id, approval["message_id"], surabaya.member.id, approve)
        member_refused = await emu.wait_for_callback_answer(by_member)
        not_yet = await world.ask(busan, "/bridge")  # not linked before an administrator approves
        by_admin = emu.press(surabaya.id, approval["message_id"], surabaya.admin.id, approve)
        approved = await emu.wait_for_callback_answer(by_admin)
        joined = await world.relayed(busan, "연결에 참여했습니다")
        twice = emu.press(surabaya.id, approval["message_id"], surabaya.admin.id, approve)
        twice_answer = await emu.wait_for_callback_answer(twice)
        reused = await world.ask(seoul, f"/link {code.group(1)}")
        wrong = await world.ask(seoul, "/link ZZZZZ-ZZZZZ")
        # A request can be declined; the group that asked is told.
        await world.ask(surabaya, "/link")
        second = CODE_RE.search(emu.sent(surabaya.admin.id)[-1]["text"])
        assert second is not None
        await world.ask(seoul, f"/link {second.group(1)}")
        asked = await world.relayed(surabaya, "Seoul")
        decline = emu.press(surabaya.id, asked["message_id"], surabaya.admin.id, _buttons(asked)["❌ Tolak"])
        declined = await emu.wait_for_callback_answer(decline)
        told = await world.relayed(seoul, "거절했습니다")
        # Codes can be revoked, and they expire.
        await world.ask(surabaya, "/link")
        third = CODE_RE.search(emu.sent(surabaya.admin.id)[-1]["text"])
        assert third is not None
        revoked = await world.ask(surabaya, "/link revoke")
        after_revoke = await world.ask(seoul, f"/link {third.group(1)}")
        await world.ask(surabaya, "/link")
        fourth = CODE_RE.search(emu.sent(surabaya.admin.id)[-1]["text"])
        assert fourth is not None
        db = Database(world.database_url)
        try:
            async with db.session() as session:
                await session.execute(update(LinkCodeRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        finally:
            await db.dispose()
        expired = await world.ask(seoul, f"/link {fourth.group(1)}")
        unlink_refused = await world.ask(busan, "/unlink", as_admin=False)
    assert refused == strip_tags(catalog.t("admin.only", "id"))  # Surabaya's admins use Telegram in Indonesian
    assert fallback_message["text"] == strip_tags(catalog.t("link.start_private", "id", name="Surabaya Admin"))
    assert CODE_RE.search(fallback_message["text"]) is None  # no code in the group
    assert member_alert["text"] == strip_tags(catalog.t("admin.only", "id")) and member_alert["show_alert"]
    assert admin_alert["show_alert"] and "Kode penghubung untuk Surabaya" in admin_alert["text"]
    assert sent_privately == strip_tags(catalog.t("link.sent_privately", "id", name="Surabaya Admin", minutes=30))
    assert CODE_RE.search(sent_privately) is None
    assert "Berlaku 30 menit" in private
    assert own == strip_tags(catalog.t("link.own", "id"))
    assert not_admin == strip_tags(catalog.t("admin.only", "ko"))
    assert requested == strip_tags(catalog.t("link.requested", "ko", city="Surabaya", hours=24))
    assert "Busan" in approval["text"] and "Busan Admin" in approval["text"]
    assert member_refused["text"] == strip_tags(catalog.t("admin.only", "id"))
    assert not_yet.startswith("이 그룹은 아직 상대 그룹과 연결되어 있지 않습니다")
    assert approved["text"].startswith("Disetujui: Busan")
    assert "Surabaya" in joined["text"] and "Busan" in joined["text"]
    assert twice_answer["text"].startswith("Permintaan ini sudah diputuskan")
    assert reused.startswith("이미 사용된 코드입니다")
    assert wrong.startswith("유효하지 않은 코드입니다")
    assert declined["text"].startswith("Ditolak")
    assert "Surabaya" in told["text"]
    assert revoked.startswith("Dibatalkan: 2 kode")  # the one shown by the button, and the third
    assert after_revoke.startswith("만료된 코드입니다")
    assert expired.startswith("만료된 코드입니다")
    assert unlink_refused == strip_tags(catalog.t("admin.only", "ko"))


async def test_wrong_codes_are_rate_limited(sqlite_world: World) -> None:
    world = sqlite_world
    seoul = world.town("Seoul", "en")
    async with world.bot():
        answers = [await world.ask(seoul, f"/link AAAAA-AAAA{i}") for i in range(6)]
    assert all(a.startswith("That code is not valid") for a in answers[:5])
    assert answers[5].startswith("Too many wrong codes")


async def test_unlink_and_bot_removal_update_the_bridge(world: World, catalog: Catalog) -> None:
    surabaya, busan, bs = world.town("Surabaya", "id"), world.town("Busan", "ko"), world.town("Braunschweig", "de")
    async with world.bot():
        await world.setup(surabaya, busan, bs)
        left = await world.ask(bs, "/unlink")
        await world.relayed(surabaya, "Braunschweig telah keluar")
        await world.relayed(busan, strip_tags(catalog.t("bridge.other_left", "ko", city="Braunschweig")))
        world.emu.remove_bot_from_chat(busan.id, busan.admin.id)
        await world.relayed(surabaya, "Busan tidak dapat dijangkau lagi")
        none = await world.ask(surabaya, "/bridge")
        world.emu.post(surabaya.id, surabaya.member.id, "Selamat pagi")
        await world.emu.wait_until_delivered()
    assert left == strip_tags(catalog.t("bridge.left", "de"))
    assert none.startswith("Grup ini belum terhubung")
    assert not any("Selamat" in t or "아침" in t for t in world.texts(busan))
    assert not any("Selamat" in t or "Guten" in t for t in world.texts(bs))


def numbered(world: World, town_name: str, texts: list[str]) -> list[int]:
    """The numbers N of relayed "msg <town> N" lines, in the order they arrived."""
    found: list[int] = []
    for text in texts:
        marker = f"msg-{town_name}-"
        if marker in text:
            found.append(int(text.split(marker, 1)[1].split()[0]))
    return found


@pytest.mark.parametrize("send_rate", [10000.0, 0.0], ids=["rate-limiter", "no-rate-limiter"])
async def test_flood_control_on_30_percent_of_sends_loses_nothing(sqlite_world: World, send_rate: float) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot(send_rate=send_rate):
        await world.setup(surabaya, busan)
        world.emu.faults.add(method="sendMessage", kind="429", retry_after=1, share=0.3, chat_id=busan.id)
        for n in range(30):
            world.emu.post(surabaya.id, surabaya.member.id, f"msg-sby-{n} 🙂")
        await world.emu.wait_for(lambda: len(numbered(world, "sby", world.texts(busan))) >= 30, timeout=60)
        world.emu.faults.clear()
    throttled = [c for c in world.emu.calls_to("sendMessage") if c.status == 429]
    assert throttled, "the fault injector should have throttled some sends"
    assert numbered(world, "sby", world.texts(busan)) == list(range(30))  # exactly once, in order


async def test_burst_of_200_from_two_groups_arrives_complete_and_ordered(world: World) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        for n in range(100):
            world.emu.post(surabaya.id, surabaya.member.id, f"msg-sby-{n} 🙂")
            world.emu.post(busan.id, busan.member.id, f"msg-pus-{n} 🙂")
        await world.emu.wait_for(
            lambda: (
                len(numbered(world, "sby", world.texts(busan))) >= 100
                and len(numbered(world, "pus", world.texts(surabaya))) >= 100
            ),
            timeout=120,
        )
    assert numbered(world, "sby", world.texts(busan)) == list(range(100))
    assert numbered(world, "pus", world.texts(surabaya)) == list(range(100))


async def test_a_burst_is_stored_and_translated_in_batches(sqlite_world: World) -> None:
    """60 messages posted at once: a handful of provider requests (texts joined), not 60."""
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        before = len(world.server.requests)
        for n in range(60):
            world.emu.post(surabaya.id, surabaya.member.id, f"msg-sby-{n} laporan kegiatan minggu ini")
        await world.emu.wait_for(lambda: len(numbered(world, "sby", world.texts(busan))) >= 60, timeout=60)
    assert numbered(world, "sby", world.texts(busan)) == list(range(60))
    assert all("[ko] msg-sby-" in text for text in world.texts(busan) if "msg-sby-" in text)
    calls = world.server.requests[before:]
    assert 1 <= len(calls) <= 4, [str(c["q"])[:40] for c in calls]
    assert sum(str(c["q"]).count("msg-sby-") for c in calls) == 60  # each text translated once


async def test_storing_a_batch_is_retried_and_then_left_unacknowledged(
    sqlite_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database refuses the relay jobs for a while: nothing is lost, the updates come again."""
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    failures = {"left": 7}  # more than one batch's attempts: the first batch is not acknowledged
    original = OutboxRepository.enqueue

    async def flaky(self: OutboxRepository, jobs: Sequence[NewRelayJob], *, read_back: bool = True) -> list[RelayJob]:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return await original(self, jobs, read_back=read_back)

    async with world.bot() as poller:
        await world.setup(surabaya, busan)
        services = poller.app.bot_data[SERVICES_KEY]
        services.relay.retry_delay = 0.001
        poller.max_backoff = 0.2
        monkeypatch.setattr(OutboxRepository, "enqueue", flaky)
        for n in range(5):
            world.emu.post(surabaya.id, surabaya.member.id, f"msg-sby-{n} halo")
        await world.emu.wait_for(lambda: len(numbered(world, "sby", world.texts(busan))) >= 5, timeout=30)
    assert failures["left"] == 0
    assert numbered(world, "sby", world.texts(busan)) == list(range(5))


@pytest.mark.parametrize("step", ["chat", "people"])
async def test_a_database_error_while_loading_the_chat_loses_no_message(
    world: World, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    """Message 2 of 3 meets the database away while its chat is loaded (the chat row, or a new member's
    username): its batch is not acknowledged and comes again; each message is relayed once, in order."""
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    newcomer = world.emu.create_user("Newcomer", language_code="id")
    world.emu.add_member(surabaya.id, newcomer.id, by_user_id=surabaya.admin.id)  # not seen by the bot before
    failures = {"left": 1}
    async with world.bot() as poller:
        await world.setup(surabaya, busan)
        services = poller.app.bot_data[SERVICES_KEY]
        poller.max_backoff = 0.2
        world.emu.post(surabaya.id, surabaya.member.id, "msg-sby-0 halo")
        await world.relayed(busan, "msg-sby-0")
        repository = services.chats.chats if step == "chat" else services.chats.people
        name = "ensure" if step == "chat" else "seen"
        real = getattr(repository, name)

        async def flaky(*args: object, **kwargs: object) -> object:
            if failures["left"] > 0:
                failures["left"] -= 1
                raise OperationalError("UPDATE", {}, Exception("database is locked"))
            return await real(*args, **kwargs)

        monkeypatch.setattr(repository, name, flaky)
        world.emu.post(surabaya.id, newcomer.id, "msg-sby-1 halo")  # a new member: stored on first sight
        world.emu.post(surabaya.id, surabaya.member.id, "msg-sby-2 halo")
        await world.relayed(busan, "msg-sby-2")
        await world.emu.wait_until_delivered()
    assert failures["left"] == 0
    assert numbered(world, "sby", world.texts(busan)) == [0, 1, 2]


async def test_a_failing_cache_write_does_not_hold_up_the_relay(
    sqlite_world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """New translations are cached behind the message: if that write fails, the copy still goes out."""
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")

    async def broken(self: TranslationCacheRepository, *args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    async with world.bot():
        await world.setup(surabaya, busan)
        monkeypatch.setattr(TranslationCacheRepository, "put_many", broken)
        with caplog.at_level(logging.WARNING, logger="bot.relay.service"):
            world.emu.post(surabaya.id, surabaya.member.id, "Selamat pagi")
            copy = await world.relayed(busan, "좋은 아침")
            await world.emu.wait_for(lambda: "caching 1 translations failed" in caplog.text, timeout=10)
    assert copy["text"].endswith("좋은 아침")
    assert "Selamat pagi" not in caplog.text  # the log names the failure, never the text


async def test_stickers_topics_bots_and_service_messages(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    other_bot = world.emu.create_user("Helper Bot", username="helper_bot", is_bot=True)
    world.emu.add_member(surabaya.id, other_bot.id)
    async with world.bot():
        await world.setup(surabaya, busan)
        sticker = world.emu.post(surabaya.id, surabaya.member.id, sticker=True)
        await world.emu.wait_for(lambda: any(m.get("sticker") for m in world.emu.sent(busan.id)))
        world.emu.post(surabaya.id, other_bot.id, "Selamat pagi from a bot")
        world.emu.post(surabaya.id, surabaya.member.id, "Terima kasih", thread_id=7)
        await world.relayed(busan, "감사합니다")
        await world.emu.wait_until_delivered()
    sent = world.emu.sent(busan.id)
    copy = next(m for m in sent if m.get("sticker"))
    header = world.emu.message(busan.id, copy["reply_to_message"]["message_id"])
    assert header["text"] == "\u2068Surabaya Member\u2069 · \u2068Surabaya\u2069"
    assert copy["sticker"]["file_id"] == sticker["sticker"]["file_id"]
    assert not any("from a bot" in str(m.get("text")) for m in sent), "bots are never relayed"
    relayed_topic = next(m for m in sent if "감사합니다" in str(m.get("text")))
    assert "message_thread_id" not in relayed_topic  # into the destination's general topic
    # Kembar's own notices in Surabaya (e.g. "Busan joined") were not relayed back to Busan.
    assert not any("bergabung" in str(m.get("text")) for m in sent)


async def test_a_destination_that_is_gone_leaves_the_bridge(sqlite_world: World, catalog: Catalog) -> None:
    world = sqlite_world
    surabaya, busan, bs = world.town("Surabaya", "id"), world.town("Busan", "ko"), world.town("Braunschweig", "de")
    async with world.bot():
        await world.setup(surabaya, busan, bs)
        world.emu.remove_bot_silently(bs.id)  # no update reaches the bot: it learns on the next send
        world.emu.post(surabaya.id, surabaya.member.id, "Selamat pagi")
        await world.relayed(busan, "좋은 아침")
        await world.relayed(surabaya, "Braunschweig tidak dapat dijangkau lagi")
        await world.relayed(busan, strip_tags(catalog.t("bridge.other_gone", "ko", city="Braunschweig")))
        world.emu.post(surabaya.id, surabaya.member.id, "Terima kasih")
        await world.relayed(busan, "감사합니다")
        members = await world.ask(surabaya, "/bridge")
    assert "Braunschweig" not in members and "Busan" in members
    forbidden = [c for c in world.emu.calls_to("sendMessage") if c.status == 403]
    assert len(forbidden) == 1, "after the first 403 nothing more is sent to the lost group"


async def test_privacy_mode_is_explained(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with BotApiEmulator(token=TOKEN, privacy_mode=True) as emu, TranslationServer() as server:
        world = World(emu, server, f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
        town = world.town("Surabaya", "id")
        with caplog.at_level(logging.WARNING, logger="bot.telegram.app"):
            async with world.bot():
                answer = await world.ask(town, "/link")
                emu.set_admin(town.id, emu.bot.id)  # an administrator bot reads everything
                code = await world.ask(town, "/link")
    assert "Privacy mode is on" in caplog.text
    assert answer.startswith("⚠️ Saya tidak dapat membaca pesan biasa")
    assert code.startswith("🔑")  # a code is on offer now


async def test_formatting_and_links_survive_translation(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    text = "Agenda rapat ada di sini, mohon dibaca"
    entities = [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "text_link", "offset": 20, "length": 4, "url": "https://surabaya.go.id/agenda"},
    ]
    async with world.bot():
        await world.setup(surabaya, busan)
        world.emu.post(surabaya.id, surabaya.member.id, text, entities=entities)
        copy = await world.relayed(busan, "[ko]")
    body = copy["html"].split("\n", 1)[1]
    # The local server's translation of unknown text is "[ko] " + text, markers included.
    assert body == '[ko] <b>Agenda</b> rapat ada di <a href="https://surabaya.go.id/agenda">sini</a>, mohon dibaca'

    assert "[[" not in copy["text"]


async def test_city_timezone_and_original_settings(sqlite_world: World, catalog: Catalog) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Kota Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        shown = await world.ask(surabaya, "/city")
        refused = await world.ask(surabaya, "/city Sby", as_admin=False)
        too_long = await world.ask(surabaya, "/city " + "x" * 65)
        city_set = await world.ask(surabaya, "/city   Surabaya  City ")
        tz_default = await world.ask(surabaya, "/tz")
        tz_bad = await world.ask(surabaya, "/tz Mars/Olympus")
        tz_set = await world.ask(surabaya, "/tz asia/makassar")
        tz_now = await world.ask(surabaya, "/tz")
        original_state = await world.ask(busan, "/original")
        await world.ask(busan, "/original on")
        off = await world.ask(busan, "/original off")
        world.emu.post(surabaya.id, surabaya.member.id, "Selamat pagi")
        copy = await world.relayed(busan, "좋은 아침")
    assert "Kota Surabaya" in shown
    assert refused == strip_tags(catalog.t("admin.only", "id"))
    assert too_long == strip_tags(catalog.t("city.invalid", "id"))
    assert city_set == strip_tags(catalog.t("city.set", "id", city="Surabaya City"))
    assert copy["text"].startswith("\u2068Kota Surabaya Member\u2069 · \u2068Surabaya City\u2069\n")
    assert "blockquote" not in copy["html"]
    assert "Asia/Jakarta" in tz_default
    assert tz_bad.startswith("Mars/Olympus bukan zona waktu")
    assert tz_set.startswith("Zona waktu grup ini sekarang Asia/Makassar (waktu setempat saat ini: ")
    assert "Asia/Makassar" in tz_now
    assert "꺼짐" in original_state
    assert off == strip_tags(catalog.t("original.off", "ko"))


async def test_text_already_in_the_target_language_is_not_sent_to_the_provider(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, london = world.town("Surabaya", "id"), world.town("London", "en")
    async with world.bot():
        await world.setup(surabaya, london)
        before = len(world.server.requests)
        text = "The delegation from Busan arrives on Monday morning at the port"
        world.emu.post(surabaya.id, surabaya.member.id, text)
        copy = await world.relayed(london, "delegation")
    assert copy["text"] == f"\u2068Surabaya Member\u2069 · \u2068Surabaya\u2069\n{text}"
    assert world.server.requests[before:] == []


async def test_a_throttled_destination_does_not_hold_up_the_others(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan, bs = world.town("Surabaya", "id"), world.town("Busan", "ko"), world.town("Braunschweig", "de")
    async with world.bot():
        await world.setup(surabaya, busan, bs)
        world.emu.faults.add(method="sendMessage", kind="429", retry_after=6, chat_id=busan.id, times=1)
        world.emu.post(surabaya.id, surabaya.member.id, "Selamat pagi")
        await world.relayed(bs, "Guten Morgen", timeout=5)  # before Busan's 6 s flood wait ends
        assert not any("좋은 아침" in t for t in world.texts(busan))
        await world.relayed(busan, "좋은 아침", timeout=15)


async def test_translation_failures_are_logged_without_the_text(
    sqlite_world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    secret_text = "Anggaran rahasia program pertukaran pelajar"
    async with world.bot():
        await world.setup(surabaya, busan)
        world.server.fail_share = 1.0
        with caplog.at_level(logging.INFO):  # the production level (DEBUG would show library request dumps)
            world.emu.post(surabaya.id, surabaya.member.id, secret_text)
            await world.relayed(busan, secret_text, timeout=20)
    failures = [r.getMessage() for r in caplog.records if "translation id->ko via libre failed" in r.getMessage()]
    assert failures, "the failure names the provider"
    leaks = [(r.name, r.getMessage()) for r in caplog.records if "rahasia" in r.getMessage()]
    assert not [leak for leak in leaks if not leak[0].startswith("bot.sandbox")], leaks


async def test_member_lists_name_languages_in_the_notice_language(sqlite_world: World, catalog: Catalog) -> None:
    world = sqlite_world
    surabaya, busan, bs = world.town("Surabaya", "id"), world.town("Busan", "ko"), world.town("Braunschweig", "de")
    async with world.bot():
        await world.setup(surabaya, busan, bs)
    joined_ko = strip_tags(catalog.t("bridge.joined", "ko", city="Braunschweig", members=""))
    joined_id = strip_tags(catalog.t("bridge.joined", "id", city="Braunschweig", members=""))
    told_busan = next(m["text"] for m in world.emu.sent(busan.id) if str(m["text"]).startswith(joined_ko))
    told_surabaya = next(m["text"] for m in world.emu.sent(surabaya.id) if str(m["text"]).startswith(joined_id))
    assert "Busan — 한국어" in told_busan and "Braunschweig — 독일어" in told_busan  # Korean UI, Korean names
    assert "Busan — bahasa Korea" in told_surabaya and "Braunschweig — bahasa Jerman" in told_surabaya


async def test_edits_older_than_48_hours_are_not_mirrored(sqlite_world: World) -> None:
    import time

    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot():
        await world.setup(surabaya, busan)
        old = world.emu.post(surabaya.id, surabaya.member.id, "Selamat pagi", date=int(time.time()) - 49 * 3600)
        copy = await world.relayed(busan, "좋은 아침")
        world.emu.edit(surabaya.id, old["message_id"], "Terima kasih")
        recent = world.emu.post(surabaya.id, surabaya.member.id, "Sampai jumpa")
        recent_copy = await world.relayed(busan, "또 만나요")
        world.emu.edit(surabaya.id, recent["message_id"], "Kota kembar")
        await world.emu.wait_for(
            lambda: "자매도시" in str(world.emu.message(busan.id, recent_copy["message_id"])["text"])
        )
    assert world.emu.message(busan.id, copy["message_id"])["text"].endswith("좋은 아침")


async def test_a_job_for_a_chat_that_left_its_bridge_is_never_sent(world: World) -> None:
    """Another instance whose cache still had Busan in the bridge stores a job for it after Busan left:
    delivery reads the membership at send time and sends nothing."""
    from bot.relay.service import InboundMessage

    surabaya, busan, bs = world.town("Surabaya", "id"), world.town("Busan", "ko"), world.town("Braunschweig", "de")
    async with world.bot() as poller:
        await world.setup(surabaya, busan, bs)
        services = poller.app.bot_data[SERVICES_KEY]
        bridge = await services.bridges.bridges.bridge_of(surabaya.id)
        await world.ask(busan, "/unlink")
        message = InboundMessage(
            chat_id=surabaya.id, message_id=9999, sender_id=surabaya.member.id, sender_name="Budi",
            source_label="Surabaya", source_language="id", text="Pesan basi", html=None, media_kind=None,
            reply_to=None, version=0, date=int(datetime.now(UTC).timestamp()),
        )  # fmt: skip
        stale = [
            NewRelayJob(bridge.id, surabaya.id, 9999, dst.id, 0, message.to_payload()) for dst in (busan, bs)
        ]
        jobs = await services.outbox.enqueue(stale)
        for job in jobs:
            services.delivery.notify(job.dst_chat_id)
        await world.relayed(bs, "Pesan basi")  # still in the bridge: delivered

        left = None
        for _ in range(200):  # the job for Busan settles (a condition on the database, 10 s at most)
            left = await services.outbox.get(jobs[0].id)
            if left is not None and left.state != "pending":
                break
            await asyncio.sleep(0.05)
    assert left is not None and left.state == "failed" and "no longer in bridge" in (left.last_error or "")
    assert not any("basi" in t for t in world.texts(busan))
