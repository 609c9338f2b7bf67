"""``/link <n>``: one code admits up to n groups within 24 hours, each join still approved by an administrator of
the issuing group; ``/link <code>`` and ``/link <n>`` told apart; a number out of range refused in the group's
language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.context import ChatContext, reply
from bot.features.bridges import _USES
from bot.language.dates import format_when
from bot.ports import DeliveryError
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, member

CODE = re.compile(r"\b([0-9A-Z]{5}-[0-9A-Z]{5})\b")
JEJU, NAGOYA = -1004, -1005
DAY = timedelta(hours=24)


def code_in(text: str) -> str:
    found = CODE.search(text)
    assert found is not None, text
    return found.group(1)


async def join(kit: Kit, issuer: ChatContext, requester: ChatContext, code: str, admin_id: int) -> None:
    """``requester`` asks with ``code``; an administrator of ``issuer`` approves the request's button."""
    bridges = kit.services.bridges
    asked = await bridges.link_command(requester, kit.admin(requester.id, admin_id), code)
    assert asked.key == "link.requested"
    assert (await kit.here(requester.id)).bridge is None  # nothing joined before an approval
    approval = kit.telegram.last(issuer.id)
    assert requester.label in approval.html and approval.buttons is not None
    approve = approval.buttons[0][0][1]
    approved = await bridges.press(await kit.here(issuer.id), kit.admin(issuer.id, 1, "Ani"), approve)
    assert approved is not None and approved.key == "link.approved"


async def test_link_3_admits_three_groups_each_approved_and_refuses_a_fourth(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    others = [
        await kit.group(chat_id, city, language)
        for chat_id, city, language in (
            (BUSAN, "Busan", "ko"),
            (BRAUNSCHWEIG, "Braunschweig", "de"),
            (JEJU, "Jeju", "ko"),
        )
    ]
    fourth = await kit.group(NAGOYA, "Nagoya", "ja")
    bridges, admin = kit.services.bridges, kit.admin(SURABAYA, 1, "Ani")
    start = datetime.now(UTC)
    issued = kit.render(await bridges.link_command(surabaya, admin, "3"), surabaya)
    end = datetime.now(UTC)
    private = kit.texts(1)[-1]  # the administrator's private chat
    code = code_in(private)
    assert CODE.search(issued) is None and "Ani" in issued and "3 grup" in issued  # the group never sees the code
    assert "hingga 3 grup mitra" in private
    shown = {format_when(at + DAY, "id", surabaya.timezone) for at in (start, end)}  # the same minute, or the next
    assert any(until in private for until in shown) and any(until in issued for until in shown), (private, shown)
    for number, other in enumerate(others, start=2):
        await join(kit, surabaya, other, code, number)
    bridge = (await kit.here(SURABAYA)).bridge
    assert bridge is not None and [c.id for c in bridge.members] == [SURABAYA, BUSAN, BRAUNSCHWEIG, JEJU]
    key, text = await kit.refusal(bridges.link_command(fourth, kit.admin(NAGOYA, 5), code), fourth)
    assert key == "link.used" and text == kit.render(reply("link.used"), fourth)  # as for a spent one-time code
    assert (await kit.here(NAGOYA)).bridge is None
    assert (await bridges.link_command(surabaya, admin, "revoke")).values["codes"] == 0  # spent: nothing to revoke


async def test_every_redemption_is_approved_or_declined_by_the_issuing_group(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    busan, jeju = await kit.group(BUSAN, "Busan", "ko"), await kit.group(JEJU, "Jeju", "ko")
    bridges, admin = kit.services.bridges, kit.admin(SURABAYA, 1, "Ani")
    await bridges.link_command(surabaya, admin, "2")
    code = code_in(kit.texts(1)[-1])
    await bridges.link_command(busan, kit.admin(BUSAN, 2), code)
    approval = kit.telegram.last(SURABAYA)
    assert approval.buttons is not None
    decline = approval.buttons[0][1][1]
    key, _ = await kit.refusal(bridges.press(surabaya, member(3), decline), surabaya)
    assert key == "admin.only"
    assert (await bridges.press(surabaya, admin, decline)) is not None
    assert any("Surabaya" in t for t in kit.texts(BUSAN))  # told it was declined
    await join(kit, surabaya, jeju, code, 4)  # the second use, approved
    key, _ = await kit.refusal(bridges.link_command(busan, kit.admin(BUSAN, 2), code), busan)
    assert key == "link.used"  # two uses taken: one declined, one approved
    assert (await kit.here(BUSAN)).bridge is None


@pytest.mark.parametrize("argument", ["1", "0", "11", "100", "00", "999999999"])
async def test_a_number_outside_two_to_ten_is_refused_in_the_groups_language(kit: Kit, argument: str) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    busan = await kit.group(BUSAN, "Busan", "ko")
    bridges = kit.services.bridges
    key, text = await kit.refusal(bridges.link_command(surabaya, kit.admin(SURABAYA, 1), argument), surabaya)
    assert key == "link.uses_range" and "2 sampai 10 grup" in text and "24 jam" in text and "30 menit" in text
    key, text = await kit.refusal(bridges.link_command(busan, kit.admin(BUSAN, 2), f" {argument} "), busan)
    assert key == "link.uses_range" and "2~10개 그룹" in text
    assert kit.texts(1) == [] and kit.texts(2) == []  # no code was made
    assert await bridges.codes.revoke(SURABAYA) == 0


async def test_digits_ask_for_uses_and_a_code_asks_to_join(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    busan = await kit.group(BUSAN, "Busan", "ko")
    bridges = kit.services.bridges
    assert (await bridges.link_command(surabaya, kit.admin(SURABAYA, 1), "１０")).key == "link.sent_privately_multi"
    assert "hingga 10 grup" in kit.texts(1)[-1]  # full-width digits, as a Japanese or Chinese keyboard types them
    assert (await bridges.link_command(surabaya, kit.admin(SURABAYA, 1), "")).key == "link.sent_privately"
    single = kit.texts(1)[-1]
    assert "30 menit" in single and "satu kali" in single
    code = code_in(single)
    assert (await bridges.link_command(busan, kit.admin(BUSAN, 2), code)).key == "link.requested"
    for typed in ("12345-6789Z", "1234567890", "3x"):  # a code of digits and mistypes: codes, never a count
        key, _ = await kit.refusal(bridges.link_command(busan, kit.admin(BUSAN, 2), typed), busan)
        assert key == "link.not_found", typed
    key, _ = await kit.refusal(bridges.link_command(surabaya, member(3), "3"), surabaya)
    assert key == "admin.only"


async def test_the_code_button_gives_a_code_for_as_many_groups(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    bridges, admin = kit.services.bridges, kit.admin(SURABAYA, 1, "Ani")
    kit.telegram.failing[1] = DeliveryError("Forbidden: bot can't initiate conversation with a user")
    offered = await bridges.link_command(surabaya, admin, "4")
    assert offered.key == "link.start_private" and offered.buttons is not None
    show = offered.buttons[0][0][1]
    assert show == "lnk|code|4"
    key, _ = await kit.refusal(bridges.press(surabaya, member(3), show), surabaya)
    assert key == "admin.only"
    alert = await bridges.press(surabaya, admin, show)
    assert alert is not None and alert.alert and alert.key == "link.code_alert_multi"
    text = kit.render(alert, surabaya)
    assert "hingga 4 grup" in text and len(text) <= 200  # Telegram's limit for an alert
    code = code_in(text)
    for chat_id in (BUSAN, BRAUNSCHWEIG, JEJU, NAGOYA):
        await kit.group(chat_id, f"City {chat_id}", "en")
        assert await bridges.codes.redeem(code, chat_id) == SURABAYA
    key, _ = await kit.refusal(bridges.press(surabaya, admin, "lnk|code|11"), surabaya)  # a forged button
    assert key == "link.uses_range"
    revoked = kit.render(await bridges.link_command(surabaya, admin, "revoke"), surabaya)
    assert revoked.startswith("Dibatalkan: 0 kode")  # the undelivered one was revoked at once, the shown one spent


def test_digits_only_are_a_count() -> None:
    assert all(_USES.fullmatch(s) for s in ("2", "10", "３", "007"))
    assert not any(_USES.fullmatch(s) for s in ("", "ABCDE-12345", "1234567890", "3x", "-3", "2.5"))
