"""ActionService: creating, listing and changing items, who may do what, and what the groups are told."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.context import ChatContext, Phrase, Refused
from bot.domain.records import Owner
from bot.features.actions import PROGRAMME_OFFER
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, member

Partners = tuple[ChatContext, ChatContext]


async def test_create_announces_a_card_in_every_group_in_its_language_and_zone(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    ani = member(11, "Ani")
    await kit.services.actions.create(surabaya, ani, "Kirim draf MoU @kim_ms tenggat Jumat jam 14:00")
    card_id, card_ko = kit.telegram.last(SURABAYA), kit.telegram.last(BUSAN)
    assert "Tindak lanjut baru <b>#1</b> dari Surabaya" in card_id.html and "Kirim draf MoU" in card_id.html
    assert "Jum, 4 Des 2026 14.00" in card_id.html  # Friday 14:00 Jakarta
    assert "[ko] Kirim draf MoU" in card_ko.html and "16:00" in card_ko.html  # 16:00 in Seoul
    assert card_ko.buttons is not None
    assert [data for _, data in card_ko.buttons[0]] == ["act|b1|1|done", "act|b1|1|take", "act|b1|1|plus1d"]
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.created_by == 11 and item.owners == (Owner("@kim_ms"),)
    assert item.due_at == datetime(2026, 12, 4, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "action.empty_title"),
        ("x" * 501, "action.title_too_long"),
        ("Kirim laporan tenggat kapan-kapan", "action.bad_when"),
        ("Kirim laporan tenggat 1 Desember 2026", "action.past_when"),
    ],
)
async def test_create_refuses_bad_input_and_records_nothing(kit: Kit, partners: Partners, text: str, key: str) -> None:
    surabaya, _ = partners
    with pytest.raises(Refused) as refused:
        await kit.services.actions.create(surabaya, member(11), text)
    assert refused.value.key == key
    assert await kit.services.actions.actions.list(surabaya.scope, statuses=("open",)) == []
    assert kit.texts(BUSAN) == []


async def test_an_unknown_programme_is_offered_as_a_button_under_the_quoted_command(
    kit: Kit, partners: Partners
) -> None:
    surabaya, _ = partners
    with pytest.raises(Refused) as refused:
        await kit.services.actions.create(surabaya, member(11), "Kirim draf MoU #pendidikan")
    assert refused.value.key == "action.unknown_programme" and refused.value.quote
    assert refused.value.buttons is not None and refused.value.buttons[0][0] == ("➕ Buat #pendidikan", PROGRAMME_OFFER)


async def test_a_reply_gives_the_title_and_the_arguments_only_owners_and_date(kit: Kit, partners: Partners) -> None:
    _, busan = partners
    lee = member(21, "Lee")
    await kit.services.actions.create(busan, lee, "@lee due tomorrow 10am", replied_text="Busan sends  the MoU")
    item = await kit.services.actions.actions.get(busan.scope, 1)
    assert item is not None and item.title == "Busan sends the MoU" and item.owner_names == "@lee"
    with pytest.raises(Refused) as refused:
        await kit.services.actions.create(busan, lee, "A title too", replied_text="Busan sends the MoU")
    assert refused.value.key == "action.usage"


async def test_listing_filters(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    actions = kit.services.actions
    await actions.create(surabaya, member(11), "Alpha @kim_ms tenggat besok")
    await actions.create(surabaya, member(11), "Bravo tenggat besok jam 10")
    kit.clock.now = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # after both due instants
    await actions.create(surabaya, member(11), "Charlie")
    kim = member(22, "Kim Min-su", "kim_ms")
    mine = kit.render(await actions.listing(surabaya, kim, "mine"), surabaya)
    assert "Alpha" in mine and "Bravo" not in mine and "Tindak lanjut — tanggung jawab Anda" in mine
    overdue = kit.render(await actions.listing(surabaya, kim, "overdue"), surabaya)
    assert "Alpha" in overdue and "Bravo" in overdue and "Charlie" not in overdue and "melewati tenggat" in overdue
    everything = kit.render(await actions.listing(surabaya, kim, "all"), surabaya)
    assert all(title in everything for title in ("Alpha", "Bravo", "Charlie"))
    none = await actions.listing(surabaya, kim, "done")
    assert none.key == "action.none_filtered"
    with pytest.raises(Refused) as refused:
        await actions.listing(surabaya, kim, "everything")
    assert refused.value.key == "action.bad_filter"


async def test_who_may_change_an_item(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    actions = kit.services.actions
    creator, owner, stranger = member(11, "Ani"), member(22, "Kim", "kim_ms"), member(33, "Stranger")
    admin = kit.admin(BUSAN, 44, "Admin Busan")
    await actions.create(surabaya, creator, "Kirim draf @kim_ms")
    for who in (stranger,):
        with pytest.raises(Refused) as refused:
            await actions.done(busan, who, "1")
        assert refused.value.key == "action.not_allowed"
    with pytest.raises(Refused) as refused:
        await actions.drop(busan, owner, "1")
    assert refused.value.key == "action.drop_not_allowed"
    await actions.done(busan, owner, "1")
    with pytest.raises(Refused) as refused:
        await actions.done(busan, owner, "#1")
    assert refused.value.key == "action.already" and refused.value.values["state"] == Phrase("action.done_mark")
    await actions.reopen(surabaya, creator, "1")
    await actions.drop(busan, admin, "1")
    item = await actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.status == "dropped"
    announced = kit.texts(SURABAYA)
    assert any("✅ #1" in t and "@kim_ms" in t for t in announced)
    assert any("↩️ #1" in t for t in announced) and any("🗑 #1" in t and "Admin Busan" in t for t in announced)


@pytest.mark.parametrize(
    ("command", "text", "key"),
    [("done", "", "action.bad_number"), ("done", "x", "action.bad_number"), ("done", "1 2", "action.extra_args")],
)
async def test_item_numbers_are_checked(kit: Kit, partners: Partners, command: str, text: str, key: str) -> None:
    surabaya, _ = partners
    with pytest.raises(Refused) as refused:
        await kit.services.actions.done(surabaya, member(11), text)
    assert refused.value.key == key and refused.value.values.get("command", command) == command
    with pytest.raises(Refused) as missing:
        await kit.services.actions.done(surabaya, member(11), "7")
    assert missing.value.key == "action.not_found"


async def test_assign_due_and_rename(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    actions, ani = kit.services.actions, member(11, "Ani", "ani")
    await actions.create(surabaya, ani, "Kirim laporan")
    await actions.assign(surabaya, ani, "1 @lee, Budi Santoso")
    await actions.due(surabaya, ani, "1 Jumat jam 15.00")
    await actions.rename(surabaya, ani, "1 Kirim laporan akhir")
    item = await actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.owner_names == "@lee, Budi Santoso" and item.title == "Kirim laporan akhir"
    assert item.due_at == datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    busan_texts = kit.texts(BUSAN)
    assert any("👤 #1" in t and "@lee 및 Budi Santoso" in t for t in busan_texts)
    assert any("📅 #1" in t and "17:00" in t for t in busan_texts)  # 15:00 Jakarta = 17:00 Seoul
    for text, key in (("1", "action.no_owners"), ("1 kapan-kapan", "action.bad_when"), ("1", "action.empty_title")):
        method = {"action.no_owners": actions.assign, "action.bad_when": actions.due}.get(key, actions.rename)
        with pytest.raises(Refused) as refused:
            await method(busan, ani, text)
        assert refused.value.key == key


async def test_buttons_take_postpone_done_and_scope(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    actions = kit.services.actions
    await actions.create(surabaya, member(11), "Kirim draf tenggat besok jam 10")
    lee = member(21, "Lee", "lee")
    taken = await actions.press(busan, lee, "act|b1|1|take")
    assert taken is not None and taken.key == "action.button_taken"
    later = await actions.press(busan, lee, "act|b1|1|plus1d")
    assert later is not None and later.key == "action.button_postponed"
    done = await actions.press(busan, lee, "act|b1|1|done")
    assert done is not None and done.key == "action.button_done"
    item = await actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.status == "done" and item.owners == (Owner("@lee", 21),)
    assert item.due_at == datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
    assert await actions.press(busan, lee, "act|b1|1|explode") is None
    with pytest.raises(Refused) as other:
        await actions.press(busan, lee, "act|c-1001|1|done")
    assert other.value.key == "action.button_other_bridge"
    with pytest.raises(Refused) as stale:
        await actions.press(busan, lee, "act|b1|9|done")
    assert stale.value.key == "action.button_stale"


async def test_a_group_without_a_bridge_keeps_its_own_items(kit: Kit) -> None:
    alone = await kit.group(SURABAYA, "Surabaya", "id")
    await kit.services.actions.create(alone, member(11), "Rapat internal")
    assert alone.scope.key == f"c{SURABAYA}"
    assert len(kit.texts(SURABAYA)) == 1 and "Rapat internal" in kit.texts(SURABAYA)[0]


# -- dates as people write them (issue: dates that generalize) ------------------------------------------------------


async def test_a_due_date_in_a_partner_citys_clock_says_which_zone_it_read(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    answer = await kit.services.actions.create(surabaya, member(11), "Kirim draf MoU tenggat Jumat 09.00 waktu Busan")
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.due_at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 09:00 in Seoul
    text = kit.render(answer, surabaya)
    assert "🌐" in text and "(Busan)" in text and "09.00" in text and "07.00 di sini" in text


async def test_a_bridge_citys_own_label_names_its_zone(kit: Kit, partners: Partners) -> None:
    await kit.group(BRAUNSCHWEIG, "Kota Kembar", "de")
    await kit.link(SURABAYA, BRAUNSCHWEIG)
    here = await kit.here(SURABAYA)
    answer = await kit.services.actions.create(here, member(11), "Rapat daring tenggat Senin 10.00 waktu Kota Kembar")
    item = await kit.services.actions.actions.get(here.scope, 1)
    assert item is not None and item.due_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 10:00 in Berlin (CET)
    assert item.title == "Rapat daring"
    assert "(Kota Kembar)" in kit.render(answer, here)


async def test_a_due_date_on_a_day_off_is_said_and_kept(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    answer = await kit.services.actions.create(surabaya, member(11), "Kirim laporan tenggat Sabtu 10.00")
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.due_at == datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    assert "📅" in kit.render(answer, surabaya) and "di luar hari kerja" in kit.render(answer, surabaya)


async def test_date_words_left_in_the_title_are_reported(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    answer = await kit.services.actions.create(surabaya, member(11), "Siapkan agenda rapat Senin pagi untuk delegasi")
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.due_at is None and item.title == "Siapkan agenda rapat Senin pagi untuk delegasi"
    text = kit.render(answer, surabaya)
    assert "“Senin pagi”" in text and "/due 1" in text


async def test_the_due_date_is_found_after_the_owner(kit: Kit, partners: Partners) -> None:
    _, busan = partners
    answer = await kit.services.actions.create(busan, member(21), "교류 계획서 제출 담당: 김민수 다음 주 금요일까지")
    item = await kit.services.actions.actions.get(busan.scope, 1)
    assert item is not None and item.title == "교류 계획서 제출" and item.owner_names == "김민수"
    assert item.due_at == datetime(2026, 12, 11, 8, 0, tzinfo=UTC)  # Friday 17:00 in Seoul
    assert answer is None  # nothing to add to the announcement


async def test_yesterday_is_refused_as_past_not_as_unreadable(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    await kit.services.actions.create(surabaya, member(11), "Kirim laporan")
    with pytest.raises(Refused) as refused:
        await kit.services.actions.due(surabaya, member(11), "1 kemarin")
    assert refused.value.key == "action.past_when"


async def test_the_end_of_the_week_follows_the_groups_working_week(kit: Kit, partners: Partners) -> None:
    await kit.services.chats.chats.set_workdays(SURABAYA, frozenset({6, 0, 1, 2, 3}))  # Sunday to Thursday
    surabaya = await kit.here(SURABAYA)
    await kit.services.actions.create(surabaya, member(11), "Kirim laporan tenggat akhir minggu")
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.due_at == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # Thursday 17:00 WIB


async def test_the_groups_own_zone_named_needs_no_note(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    answer = await kit.services.actions.create(surabaya, member(11), "Kirim draf MoU tenggat Jumat 09.00 WIB")
    item = await kit.services.actions.actions.get(surabaya.scope, 1)
    assert item is not None and item.due_at == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    assert answer is None
