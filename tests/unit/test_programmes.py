"""ProgrammeService and StatusService: programmes of a scope, the offer under a refused /action, /status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.context import ChatContext, Refused
from tests.kit import BUSAN, SURABAYA, Kit, member

Partners = tuple[ChatContext, ChatContext]


async def test_programmes_are_added_by_administrators_and_listed_with_counts(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    programmes, admin = kit.services.programmes, kit.admin(SURABAYA, 1)
    key, text = await kit.refusal(programmes.programme(surabaya, member(2), "add pendidikan"), surabaya)
    assert key == "admin.only" and "hanya admin" in text
    added = await programmes.programme(surabaya, admin, "add pendidikan — 50 pertukaran pelajar per tahun")
    assert "pendidikan" in kit.render(added, surabaya) and "50 pertukaran" in kit.render(added, surabaya)
    key, _ = await kit.refusal(programmes.programme(surabaya, admin, "add bad name!"), surabaya)
    assert key == "programme.bad_name"
    await kit.services.actions.create(busan, member(3), "MoU 초안 #PENDIDIKAN 마감 12월 3일")
    await kit.services.actions.create(busan, member(3), "방문 계획 #pendidikan")
    await kit.services.actions.done(busan, member(3), "2")
    kit.clock.now = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
    listing = kit.render(await programmes.listing(busan, member(3), ""), busan)
    assert "<b>pendidikan</b> — 50 pertukaran pelajar per tahun — 진행 중 1, 기한 초과 1, 완료 1" in listing
    shown = kit.render(await programmes.programme(surabaya, member(3), "pendidikan"), surabaya)
    assert "[id] MoU 초안" in shown and "[id] 방문 계획" in shown
    key, _ = await kit.refusal(programmes.programme(surabaya, member(3), "budaya"), surabaya)
    assert key == "programme.not_found"
    for bad in ("", "pendidikan extra"):
        key, _ = await kit.refusal(programmes.programme(surabaya, member(3), bad), surabaya)
        assert key == "programme.usage"


async def test_the_offer_creates_the_programme_and_records_the_action_as_its_author(
    kit: Kit, partners: Partners
) -> None:
    surabaya, _ = partners
    author, admin = member(5, "Ani", "ani"), kit.admin(SURABAYA, 1, "Admin")
    command = "Kirim draf MoU #pendidikan tenggat Jumat"
    key, _ = await kit.refusal(kit.services.actions.create(surabaya, author, command), surabaya)
    assert key == "action.unknown_programme"
    offer = kit.services.programmes.accept_offer
    key, _ = await kit.refusal(offer(surabaya, member(6), command_text=command, author=author), surabaya)
    assert key == "admin.only"
    done = await offer(surabaya, admin, command_text=command, author=author)
    assert "pendidikan" in kit.render(done, surabaya)
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.programme == "pendidikan" and item.created_by == 5
    assert any("새 과제 <b>#1</b>" in t for t in kit.texts(BUSAN))
    key, _ = await kit.refusal(offer(surabaya, admin, command_text=None, author=None), surabaya)
    assert key == "programme.offer_gone"
    # Pressed twice: the programme exists already, a second action is recorded, nothing breaks.
    await offer(surabaya, admin, command_text=command, author=author)
    assert await kit.services.actions.actions.get(surabaya.scope, 2) is not None


async def test_status_per_programme_next_deadlines_and_recent_work_in_each_language(
    kit: Kit, partners: Partners
) -> None:
    surabaya, busan = partners
    status = kit.services.status
    empty = kit.render(await status.status(surabaya, member(1), ""), surabaya)
    assert "Belum ada tindak lanjut" in empty
    await kit.services.programmes.add(surabaya, kit.admin(SURABAYA, 1), "pendidikan", None)
    await kit.services.actions.create(surabaya, member(2), "Kirim draf MoU @kim tenggat Jumat jam 14:00 #pendidikan")
    await kit.services.actions.create(surabaya, member(2), "Rapat koordinasi")
    await kit.services.actions.done(surabaya, member(2), "2")
    text_id = kit.render(await status.status(surabaya, member(1), ""), surabaya)
    text_ko = kit.render(await status.status(busan, member(1), ""), busan)
    assert "<b>pendidikan</b>: 1 berjalan, 0 melewati tenggat, 0 selesai" in text_id
    assert "#1 Kirim draf MoU" in text_id and "@kim" in text_id and "✅ #2 Rapat koordinasi" in text_id
    assert "<b>pendidikan</b>: 진행 중 1, 기한 초과 0, 완료 0" in text_ko and "[ko] Kirim draf MoU" in text_ko
    assert "16:00" in text_ko  # the deadline in Seoul time
    with pytest.raises(Refused) as refused:
        await status.status(surabaya, member(1), "now")
    assert refused.value.key == "command.no_args"
