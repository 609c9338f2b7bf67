"""``/link <n>`` end to end on the Bot API emulator: one code sent privately links four groups, each join
approved with its button in the issuing group; the code is spent after its last use."""

from __future__ import annotations

from typing import Any

from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from bot.sandbox.town import Town, start_private_chat
from tests.world import CODE_RE, World


def _approvals(world: World, town: Town, since: int) -> list[tuple[int, str]]:
    """The (message id, approve data) of the join requests posted in ``town`` from message ``since`` on."""
    found = []
    for message in world.emu.sent(town.id)[since:]:
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                data = str(button.get("callback_data", ""))
                if data.startswith("lnk|ok|"):
                    found.append((int(message["message_id"]), data))
    return found


async def test_one_code_for_three_groups_links_four_each_join_approved(world: World, catalog: Catalog) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    bs, nagoya, hangzhou = world.town("Braunschweig", "de"), world.town("Nagoya", "ja"), world.town("Hangzhou", "zh")
    partners = (busan, bs, nagoya)
    emu = world.emu
    async with world.bot():
        for town in (surabaya, *partners, hangzhou):
            await world.ask(town, f"/lang {town.language}")
        await start_private_chat(emu, surabaya.admin)
        sent_privately = await world.ask(surabaya, "/link 3")
        private = str(emu.sent(surabaya.admin.id)[-1]["text"])
        match = CODE_RE.search(private)
        assert match is not None, private
        code = match.group(1)
        asked_from = len(emu.sent(surabaya.id))
        requested = [await world.ask(town, f"/link {code}") for town in partners]

        def three() -> list[tuple[int, str]] | None:
            found = _approvals(world, surabaya, asked_from)
            return found if len(found) == 3 else None

        approvals: list[tuple[int, str]] = await emu.wait_for(three, 10.0, message="three join requests")
        not_yet = await world.ask(busan, "/bridge")  # nothing joined before an administrator approves
        answers: list[dict[str, Any]] = []
        for message_id, data in approvals:
            query = emu.press(surabaya.id, message_id, surabaya.admin.id, data)
            answers.append(await emu.wait_for_callback_answer(query))
        joined = {
            "ko": "Nagoya 그룹이 연결에 참여",
            "de": "Nagoya ist dem Verbund beigetreten",
            "ja": "Nagoyaが連携に参加",
        }
        for town in partners:  # each is told, in its language, that the last one joined
            await world.relayed(town, joined[town.language])
        spent = await world.ask(hangzhou, f"/link {code}")
        members = await world.ask(surabaya, "/bridge")
    assert CODE_RE.search(sent_privately) is None and "hingga 3 grup" in sent_privately
    assert "hingga 3 grup mitra" in private
    assert requested == [
        strip_tags(catalog.t("link.requested", town.language, city="Surabaya", hours=24)) for town in partners
    ]
    assert not_yet.startswith("이 그룹은 아직 상대 그룹과 연결되어 있지 않습니다")
    assert [a["text"] for a in answers] == [strip_tags(catalog.t("link.approved", "id", city=t.city)) for t in partners]
    assert spent == strip_tags(catalog.t("link.used", "zh"))
    assert all(town.city in members for town in (surabaya, *partners)) and "Hangzhou" not in members
