"""Integration: continuity when people change, against the emulator — an Indonesian group (Surabaya) and a Korean one
(Busan) linked; a programme with three actions, two owned by a Korean member who then leaves the Korean group: the
handover notice in Korean with reassign buttons, a tap by Busan's administrator, the handover told in every group in
its language; /brief in Indonesian; a captioned photo in Surabaya listed by /evidence in Busan in Korean; /export
evidence as a ZIP whose index lists it; /decision and /decisions; /welcome."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from bot.sandbox.town import start_private_chat
from tests.conftest import Clock
from tests.world import World, services

NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # Wednesday, 09:00 in Surabaya, 11:00 in Busan


def buttons(message: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


async def test_a_coordinator_leaves_busan_and_the_partnership_carries_on(world: World, catalog: Catalog) -> None:
    emu = world.emu
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    kim = emu.create_user("Kim", last_name="Min-su", username="kim_busan", language_code="ko")
    lee = emu.create_user("Lee", last_name="Ji-eun", username="lee_busan", language_code="ko")
    async with world.bot(clock=Clock(NOW), reminder_jobs=False) as poller:
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/programme add pendidikan — Pertukaran pelajar")
        for user in (kim, lee):
            emu.add_member(busan.id, user.id)
            emu.post(busan.id, user.id, "안녕하세요")
        await world.relayed(surabaya, "Lee")  # both greetings crossed: both were seen in Busan
        emu.post(busan.id, kim.id, "/action MoU 초안 @kim_busan #pendidikan")
        await world.relayed(busan, "MoU 초안")
        emu.post(surabaya.id, surabaya.member.id, "/action Daftar peserta @kim_busan #pendidikan")
        await world.relayed(surabaya, "Daftar peserta")
        emu.post(surabaya.id, surabaya.member.id, "/action Jadwal kunjungan #pendidikan")
        await world.relayed(surabaya, "Jadwal kunjungan")

        # Kim leaves Busan: Busan's administrators are told in Korean, with buttons.
        emu.remove_member(busan.id, kim.id)
        notice = await world.relayed(busan, "👋 @kim_busan")
        assert "#1" in notice["text"] and "#2" in notice["text"] and "#3" not in notice["text"], notice["text"]
        in_korean = strip_tags(catalog.t("handover.notice", "ko", name="@kim_busan", held="", old="@kim_busan"))
        assert notice["text"].startswith(in_korean.split("\n")[0]), notice["text"]
        offered = buttons(notice)
        to_lee = catalog.t("handover.btn_to", "ko", name="@lee_busan")
        assert to_lee in offered and catalog.t("handover.btn_unowned", "ko") in offered, offered
        # A member's tap moves nothing; the administrator's does.
        refused = emu.press(busan.id, notice["message_id"], lee.id, offered[to_lee])
        assert (await emu.wait_for_callback_answer(refused))["text"] == catalog.t("admin.only", "ko")
        tapped = emu.press(busan.id, notice["message_id"], busan.admin.id, offered[to_lee])
        await emu.wait_for_callback_answer(tapped)
        told_surabaya = await world.relayed(surabaya, "🔁")
        assert "@lee_busan" in told_surabaya["text"] and "#1, #2" in told_surabaya["text"]
        heading = strip_tags(
            catalog.t("handover.done", "id", old="", new="", items="", reminders=0, indicators=0, by="", city="")
        )
        assert told_surabaya["text"].startswith(heading.split("(")[0].strip()), told_surabaya["text"]
        await world.relayed(busan, "📋")  # Lee never started the bot: the brief comes in the group
        told_busan = await world.relayed(busan, "🔁")
        assert "@lee_busan" in told_busan["text"] and "#1, #2" in told_busan["text"]
        kembar = services(poller)
        stored = await kembar.chats.get(surabaya.id)
        assert stored is not None
        here = await kembar.chats.context(stored)
        items = await kembar.actions.actions.list(here.scope)
        owners = {i.number: [o.name for o in i.owners] for i in items}
        assert await kembar.roster.get(busan.id, kim.id) is None  # gone from Busan's people, not seen again
        assert await kembar.roster.get(busan.id, lee.id) is not None
        assert owners[1] == ["@lee_busan"] and owners[2] == ["@lee_busan"] and owners[3] == []

        # /brief in Surabaya: in Indonesian, with the programme, the items and their new owner.
        brief = await world.ask(surabaya, "/brief", as_admin=False)
        assert brief.startswith("📋") and "#pendidikan" in brief and "@lee_busan" in brief, brief
        assert catalog.t("brief.unowned", "id") in brief and "Surabaya" in brief and "Busan" in brief
        assert strip_tags(catalog.t("brief.cities", "id", lines="")).strip() in brief

        # A captioned photo in Surabaya is evidence; /evidence in Busan shows it with its caption in Korean.
        emu.post(surabaya.id, surabaya.member.id, photo=True, caption="Kunjungan siswa #pendidikan")
        recorded = await world.relayed(surabaya, catalog.t("evidence.recorded", "id", number=1, name="pendidikan"))
        assert recorded["reply_to_message"]["caption"] == "Kunjungan siswa #pendidikan"
        await world.relayed(busan, "[ko] Kunjungan siswa")  # the photo's copy
        emu.post(busan.id, busan.member.id, "/evidence")
        listed = (await world.relayed(busan, "E1 🖼"))["text"]
        assert "[ko] Kunjungan siswa #pendidikan" in listed and "Surabaya" in listed, listed

        # /export evidence: a ZIP whose index lists it, with the photo fetched from Telegram.
        before = len(emu.sent(busan.id))
        emu.post(busan.id, busan.member.id, "/export evidence")
        sent = await emu.wait_for_sent(busan.id, before + 1)
        document = sent[before]["document"]
        found = emu.file_bytes(document["file_id"])
        assert found is not None and document["file_name"].endswith(".zip")
        archive = zipfile.ZipFile(io.BytesIO(found[0]))
        index = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
        assert index[1][0] == "1" and index[1][4] == "pendidikan" and "Kunjungan siswa" in index[1][9]
        assert index[1][6] == "files/0001-photo.jpg" and archive.read("files/0001-photo.jpg").startswith(b"\x89PNG")

        # A decision in Busan, announced in Surabaya in Indonesian (translated) and listed there.
        emu.post(busan.id, lee.id, "/decision 청소년 교류는 8월로 #pendidikan")
        await world.relayed(surabaya, "[id] 청소년 교류는 8월로")
        decisions = await world.ask(surabaya, "/decisions", as_admin=False)
        assert "D1" in decisions and "#pendidikan" in decisions

        # /welcome on in Busan: a newcomer is greeted in Korean with a "Brief me" button.
        await world.ask(busan, "/welcome on")
        anna = emu.create_user("Anna", language_code="ko")
        emu.add_member(busan.id, anna.id)
        greeted = await world.relayed(busan, "Anna")
        assert greeted["text"].startswith(
            strip_tags(catalog.t("welcome.text", "ko", name="Anna", cities="")).split(",")[0]
        )
        assert catalog.t("welcome.btn_brief", "ko") in buttons(greeted)


async def test_every_way_telegram_says_someone_left_gives_one_notice_and_a_private_brief(
    world: World, catalog: Catalog
) -> None:
    """With the bot an administrator, Telegram sends both the chat_member update and the service message: one notice.
    A chat_member update alone, and the owner's leaving (chat_owner_left) count too. A private /brief covers the
    bridge the person belongs to."""
    emu = world.emu
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    kim = emu.create_user("Kim", username="kim_busan", language_code="ko")
    park = emu.create_user("Park", username="park_busan", language_code="ko")
    choi = emu.create_user("Choi", username="choi_busan", language_code="ko")
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        await world.setup(surabaya, busan)
        emu.set_admin(busan.id, emu.bot.id)
        for user in (kim, park, choi):
            emu.add_member(busan.id, user.id)
            emu.post(busan.id, user.id, f"/action Tugas {user.first_name} @{user.username}")
            await world.relayed(busan, f"@{user.username}")

        # Both updates arrive for Kim's removal: one notice.
        emu.remove_member(busan.id, kim.id, by_user_id=busan.admin.id)
        await world.relayed(busan, "👋 @kim_busan")
        # A later command in the same group runs after both updates (one lane per chat): its answer is the barrier.
        emu.post(busan.id, busan.member.id, "/welcome")
        await world.relayed(busan, strip_tags(catalog.t("welcome.state_off", "ko"))[:20])
        assert sum("👋 @kim_busan" in t for t in world.texts(busan)) == 1

        # A chat_member update alone (no service message) for Park.
        member = {"user": park.to_api(), "status": "member"}
        emu.inject_raw_update(
            {
                "chat_member": {
                    "chat": {"id": busan.id, "type": "supergroup", "title": "Busan"},
                    "from": park.to_api(),
                    "date": int(NOW.timestamp()),
                    "old_chat_member": member,
                    "new_chat_member": {"user": park.to_api(), "status": "left"},
                }
            }
        )
        await world.relayed(busan, "👋 @park_busan")

        # The group's owner leaves (a service message naming who will own it next).
        emu.inject_raw_update(
            {
                "message": {
                    "message_id": 9000,
                    "date": int(NOW.timestamp()),
                    "chat": {"id": busan.id, "type": "supergroup", "title": "Busan"},
                    "from": choi.to_api(),
                    "chat_owner_left": {"new_owner": busan.admin.to_api()},
                }
            }
        )
        notice = await world.relayed(busan, "👋 @choi_busan")
        first = notice["reply_markup"]["inline_keyboard"][0][0]
        assert first["text"] == catalog.t("handover.btn_to", "ko", name=busan.admin.first_name), first

        # A private /brief for Busan's member: the bridge, in the member's private chat.
        await start_private_chat(emu, busan.member)
        before = len(emu.sent(busan.member.id))
        emu.post(busan.member.id, busan.member.id, "/brief")
        sent = await emu.wait_for_sent(busan.member.id, before + 1)
        assert "Surabaya" in sent[before]["text"] and "Busan" in sent[before]["text"], sent[before]["text"]
