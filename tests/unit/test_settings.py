"""SettingsService and BridgeService: group settings, the glossary, linking and leaving bridges."""

from __future__ import annotations

import re

from bot.context import ChatContext
from bot.ports import DeliveryError
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, member

Partners = tuple[ChatContext, ChatContext]
CODE = re.compile(r"\b([0-9A-Z]{5}-[0-9A-Z]{5})\b")


async def test_language_city_zone_and_original(kit: Kit) -> None:
    here = await kit.group(SURABAYA, "Surabaya", "id")
    settings, admin = kit.services.chat_settings, kit.admin(SURABAYA, 1)
    assert "<b>bahasa Indonesia</b> (<code>id</code>)" in kit.render(await settings.language(here, member(2), ""), here)
    key, text = await kit.refusal(settings.language(here, member(2), "ko"), here)
    assert key == "admin.only" and "hanya admin" in text
    key, _ = await kit.refusal(settings.language(here, admin, "xx"), here)
    assert key == "lang.invalid"
    assert (await settings.language(here, admin, "id")).key == "lang.unchanged"
    changed = await settings.language(here, admin, "ko")
    assert "한국어" in kit.render(changed, here)  # answered in the new language
    here = await kit.here(SURABAYA)
    assert here.language == "ko" and here.timezone == "Asia/Jakarta"  # the language never moves the zone
    assert (await settings.city(here, admin, "Kota Surabaya")).key == "city.set"
    key, _ = await kit.refusal(settings.city(here, admin, "x" * 65), here)
    assert key == "city.invalid"
    zone = kit.render(await settings.timezone(here, admin, "asia/jakarta"), here)
    assert "Asia/Jakarta" in zone and "09:00" in zone
    key, _ = await kit.refusal(settings.timezone(here, admin, "Mars/Olympus"), here)
    assert key == "tz.invalid"
    here = await kit.here(SURABAYA)
    assert here.label == "Kota Surabaya" and here.timezone == "Asia/Jakarta"
    assert (await settings.original(here, admin, "on")).key == "original.on"
    assert "켜짐" in kit.render(await settings.original(await kit.here(SURABAYA), member(2), ""), here)


async def test_glossary_belongs_to_the_bridge_and_changes_translations_at_once(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    settings, admin = kit.services.chat_settings, kit.admin(SURABAYA, 1)
    translations = kit.services.translations
    before = await translations.translate("Laporan SDM", "id", "ko", bridge_id=surabaya.bridge_id)
    assert before.text == "[ko] Laporan SDM"
    added = kit.render(await settings.glossary_command(surabaya, admin, "add SDM = ko:인적 자원, en:HR"), surabaya)
    assert "SDM" in added and "인적 자원" in added
    after = await translations.translate("Laporan SDM", "id", "ko", bridge_id=surabaya.bridge_id)
    assert after.text == "[ko] Laporan 인적 자원"  # not the remembered translation from before
    listing = kit.render(await settings.glossary_command(busan, member(2), "list"), busan)
    assert "<b>SDM</b> — en: HR, ko: 인적 자원" in listing
    key, _ = await kit.refusal(settings.glossary_command(busan, member(2), "remove SDM"), busan)
    assert key == "admin.only"
    assert (await settings.glossary_command(surabaya, admin, "remove sdm")).key == "glossary.removed"
    for text, key in (
        ("remove MoU", "glossary.not_found"),
        ("add = ko:x", "glossary.invalid"),
        ("zap", "glossary.usage"),
    ):
        found, _ = await kit.refusal(settings.glossary_command(surabaya, admin, text), surabaya)
        assert found == key
    alone = await kit.group(BRAUNSCHWEIG, "Braunschweig", "de")
    found, _ = await kit.refusal(settings.glossary_command(alone, kit.admin(BRAUNSCHWEIG, 7), "list"), alone)
    assert found == "glossary.no_bridge"


async def test_linking_a_private_code_an_approved_request_leaving_and_the_bot_removed(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    busan = await kit.group(BUSAN, "Busan", "ko")
    bridges = kit.services.bridges
    admin_sby, admin_pus = kit.admin(SURABAYA, 1, "Ani"), kit.admin(BUSAN, 2, "Kim")
    key, _ = await kit.refusal(bridges.link_command(surabaya, member(3), ""), surabaya)
    assert key == "admin.only"
    kit.telegram.unreadable.add(SURABAYA)
    key, _ = await kit.refusal(bridges.link_command(surabaya, admin_sby, ""), surabaya)
    assert key == "link.cannot_read"
    kit.telegram.unreadable.clear()
    issued = kit.render(await bridges.link_command(surabaya, admin_sby, ""), surabaya)
    assert CODE.search(issued) is None and "Ani" in issued  # the group never sees the code
    code = CODE.search(kit.texts(1)[-1])  # the administrator's private chat
    assert code is not None and "30 menit" in kit.texts(1)[-1]
    key, _ = await kit.refusal(bridges.link_command(surabaya, admin_sby, code.group(1)), surabaya)
    assert key == "link.own"
    requested = kit.render(await bridges.link_command(busan, admin_pus, code.group(1).lower()), busan)
    assert "Surabaya" in requested
    assert (await kit.here(BUSAN)).bridge is None  # nothing joined before an approval
    approval = kit.telegram.last(SURABAYA)
    assert "Busan" in approval.html and "Kim" in approval.html and approval.buttons is not None
    approve, decline = (data for _, data in approval.buttons[0])
    key, _ = await kit.refusal(bridges.press(surabaya, member(3), approve), surabaya)
    assert key == "admin.only"
    key, _ = await kit.refusal(bridges.press(busan, admin_pus, approve), busan)  # not the issuing group
    assert key == "link.request_gone"
    approved = await bridges.press(surabaya, admin_sby, approve)
    assert approved is not None and kit.render(approved, surabaya).startswith("Disetujui: Busan")
    key, _ = await kit.refusal(bridges.press(surabaya, admin_sby, decline), surabaya)
    assert key == "link.request_gone"  # one decision only
    assert any("Busan" in t and "bergabung" in t for t in kit.texts(SURABAYA))
    busan = await kit.here(BUSAN)
    assert busan.bridge is not None and busan.scope.key == f"b{busan.bridge.id}"
    key, _ = await kit.refusal(bridges.link_command(busan, admin_pus, code.group(1)), busan)
    assert key == "link.already"
    assert "Surabaya" in kit.render(await bridges.show(busan, member(4), ""), busan)
    left = await bridges.leave(busan, admin_pus, "")
    assert left.key == "bridge.left" and any("Busan" in t for t in kit.texts(SURABAYA)[-1:])
    key, _ = await kit.refusal(bridges.show(await kit.here(BUSAN), member(4), ""), busan)
    assert key == "bridge.none"
    await bridges.bot_removed(SURABAYA)
    chat = await kit.services.chats.get(SURABAYA)
    assert chat is not None and not chat.active


async def test_without_a_private_chat_the_code_is_shown_to_an_administrator_alone(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    bridges, admin = kit.services.bridges, kit.admin(SURABAYA, 1, "Ani")
    kit.telegram.failing[1] = DeliveryError("Forbidden: bot can't initiate conversation with a user")
    offered = await bridges.link_command(surabaya, admin, "")
    assert offered.key == "link.start_private" and offered.buttons is not None
    show = offered.buttons[0][0][1]
    key, _ = await kit.refusal(bridges.press(surabaya, member(3), show), surabaya)
    assert key == "admin.only"
    alert = await bridges.press(surabaya, admin, show)
    assert alert is not None and alert.alert and CODE.search(kit.render(alert, surabaya))
    revoked = kit.render(await bridges.link_command(surabaya, admin, "revoke"), surabaya)
    assert revoked.startswith("Dibatalkan: 1 kode")  # the one shown; the undelivered one was revoked at once


async def test_a_declined_request_tells_the_group_that_asked(kit: Kit) -> None:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    busan = await kit.group(BUSAN, "Busan", "ko")
    bridges, admin_sby = kit.services.bridges, kit.admin(SURABAYA, 1)
    await bridges.link_command(surabaya, admin_sby, "")
    code = CODE.search(kit.texts(1)[-1])
    assert code is not None
    await bridges.link_command(busan, kit.admin(BUSAN, 2), code.group(1))
    approval = kit.telegram.last(SURABAYA)
    assert approval.buttons is not None
    declined = await bridges.press(surabaya, admin_sby, approval.buttons[0][1][1])
    assert declined is not None and declined.key == "link.declined_alert"
    assert "거절했습니다" in kit.telegram.last(BUSAN).html
    assert (await kit.here(BUSAN)).bridge is None


async def test_wrong_codes_are_rate_limited_per_group(kit: Kit) -> None:
    busan = await kit.group(BUSAN, "Busan", "ko")
    admin = kit.admin(BUSAN, 2)
    for _ in range(5):
        key, _ = await kit.refusal(kit.services.bridges.link_command(busan, admin, "AAAAA-BBBBB"), busan)
        assert key == "link.not_found"
    key, text = await kit.refusal(kit.services.bridges.link_command(busan, admin, "AAAAA-BBBBB"), busan)
    assert key == "link.rate_limited" and "10" in text


async def test_a_private_chat_cannot_link(kit: Kit) -> None:
    await kit.services.chats.chats.ensure(42, title="Ani", type="private", default_language="id")
    here = await kit.here(42)
    key, _ = await kit.refusal(kit.services.bridges.link_command(here, member(42), ""), here)
    assert key == "link.private"


# -- /workweek -------------------------------------------------------------------------------------------

MONDAY_TO_FRIDAY = frozenset(range(5))
SUNDAY_TO_THURSDAY = frozenset({6, 0, 1, 2, 3})


async def test_workweek_anyone_sees_it_administrators_set_it(kit: Kit) -> None:
    here = await kit.group(SURABAYA, "Surabaya", "id")
    settings, admin = kit.services.chat_settings, kit.admin(SURABAYA, 1)
    assert here.workdays == MONDAY_TO_FRIDAY and here.chat.workdays == MONDAY_TO_FRIDAY
    shown = kit.render(await settings.workweek(here, member(2), ""), here)
    assert "<b>Senin sampai Jumat</b>" in shown and "<code>/workweek minggu-kamis</code>" in shown

    key, text = await kit.refusal(settings.workweek(here, member(2), "minggu-kamis"), here)
    assert key == "admin.only" and "hanya admin" in text
    assert (await kit.here(SURABAYA)).workdays == MONDAY_TO_FRIDAY

    answer = await settings.workweek(here, admin, "Minggu sampai Kamis")  # the group's own weekday names
    assert answer.key == "workweek.set" and "<b>Minggu sampai Kamis</b>" in kit.render(answer, here)
    here = await kit.here(SURABAYA)
    assert here.workdays == SUNDAY_TO_THURSDAY
    assert "<b>Minggu sampai Kamis</b>" in kit.render(await settings.workweek(here, member(2), ""), here)

    for typed, days in (  # English is always understood
        ("mon,tue,wed,thu,fri,sat", frozenset(range(6))),
        ("sun-thu", SUNDAY_TO_THURSDAY),
        ("Mon, Wed, Fri", frozenset({0, 2, 4})),
        ("sen-jum", MONDAY_TO_FRIDAY),
        ("fri-mon", frozenset({4, 5, 6, 0})),
        ("jumat", frozenset({4})),
        ("senin s/d sabtu", frozenset(range(6))),
    ):
        await settings.workweek(here, admin, typed)
        assert (await kit.here(SURABAYA)).workdays == days, typed
    shown = kit.render(await settings.workweek(await kit.here(SURABAYA), member(2), ""), here)
    assert "<b>Senin sampai Sabtu</b>" in shown
    await settings.workweek(here, admin, "mon, wed, fri")
    shown = kit.render(await settings.workweek(await kit.here(SURABAYA), member(2), ""), here)
    assert "<b>Senin, Rabu, dan Jumat</b>" in shown  # Babel's list, in the group's language


async def test_workweek_refuses_bad_input_in_the_groups_language(kit: Kit) -> None:
    here = await kit.group(SURABAYA, "Surabaya", "id")
    settings, admin = kit.services.chat_settings, kit.admin(SURABAYA, 1)
    await settings.workweek(here, admin, "minggu-kamis")
    for typed in (
        "besok",
        "mon-",
        "-fri",
        "mon-wed-fri",
        "monfri",
        "semua hari",
        "0",
        "mon,tue,wed,thu,fri,sat,sun,mon",  # more than seven days named
        "<b>senin</b>",
        "senin jam 9",
    ):
        key, text = await kit.refusal(settings.workweek(here, admin, typed), here)
        assert key == "workweek.invalid", typed
        assert "tidak dapat dibaca sebagai hari kerja" in text and "<code>/workweek senin-jumat</code>" in text
    key, text = await kit.refusal(settings.workweek(here, admin, "<b>senin</b>"), here)
    assert "&lt;b&gt;senin&lt;/b&gt;" in text  # what was typed is shown, escaped
    long = ", ".join(["senin"] * 17)  # 117 characters
    assert len(long) > 100
    key, text = await kit.refusal(settings.workweek(here, admin, long), here)
    assert key == "workweek.too_long" and "100 karakter" in text and "/workweek senin-jumat" in text
    key, _ = await kit.refusal(settings.workweek(here, member(2), "besok"), here)
    assert key == "admin.only"  # permission first, as /tz
    assert (await kit.here(SURABAYA)).workdays == SUNDAY_TO_THURSDAY  # nothing refused was stored


async def test_workweek_in_every_language(kit: Kit) -> None:
    cases = (
        (
            BUSAN,
            "Busan",
            "ko",
            "월요일부터 토요일까지",
            frozenset(range(6)),
            "월요일~토요일",
            "근무일로 읽을 수 없습니다",
        ),
        (
            BRAUNSCHWEIG,
            "Braunschweig",
            "de",
            "Mo, Mi, Fr",
            frozenset({0, 2, 4}),
            "Montag, Mittwoch und Freitag",
            "nicht als Arbeitstage",
        ),
        (-1006, "Kyoto", "ja", "日曜〜木曜", SUNDAY_TO_THURSDAY, "日曜日〜木曜日", "勤務日として読み取れませんでした"),
        (-1007, "Guangzhou", "zh", "周日至周四", SUNDAY_TO_THURSDAY, "星期日至星期四", "识别为工作日"),
        (-1008, "Seattle", "en", "sunday through thursday", SUNDAY_TO_THURSDAY, "Sunday to Thursday", "could not read"),
    )
    settings = kit.services.chat_settings
    for chat_id, city, language, typed, days, shown, refused in cases:
        here = await kit.group(chat_id, city, language)
        admin = kit.admin(chat_id, 1)
        answer = await settings.workweek(here, admin, typed)
        assert f"<b>{shown}</b>" in kit.render(answer, here), language
        assert (await kit.here(chat_id)).workdays == days, language
        assert (await settings.workweek(here, admin, "mon-fri")).key == "workweek.set"  # English too
        assert (await kit.here(chat_id)).workdays == MONDAY_TO_FRIDAY
        key, text = await kit.refusal(settings.workweek(here, admin, "xyz"), here)
        assert key == "workweek.invalid" and refused in text, language


async def test_every_workweek_example_in_the_catalogues_is_understood(kit: Kit) -> None:
    catalog, settings = kit.services.catalog, kit.services.chat_settings
    for index, language in enumerate(("id", "en", "ko", "de", "ja", "zh")):
        chat_id = -2000 - index
        here = await kit.group(chat_id, f"City {index}", language)
        admin = kit.admin(chat_id, 1)
        examples = {
            example
            for key in ("help.text", "workweek.current", "workweek.invalid", "workweek.too_long")
            for example in re.findall(r"<code>/workweek ([^<]+)</code>", catalog.messages[language][key])
        }
        assert len(examples) >= 2, language
        for example in examples:
            assert (await settings.workweek(here, admin, example)).key == "workweek.set", (language, example)


async def test_the_context_knows_the_working_week_and_the_places_of_the_bridge(kit: Kit, partners: Partners) -> None:
    surabaya, busan = partners
    assert surabaya.places == {"Surabaya": "Asia/Jakarta", "Busan": "Asia/Seoul"}
    assert busan.places == surabaya.places
    await kit.services.chats.chats.set_workdays(BUSAN, frozenset({0, 1, 2, 3, 4, 5}))
    busan = await kit.here(BUSAN)
    assert busan.workdays == frozenset(range(6)) and (await kit.here(SURABAYA)).workdays == MONDAY_TO_FRIDAY
    alone = await kit.group(BRAUNSCHWEIG, "Braunschweig", "de")
    assert alone.places == {"Braunschweig": "Europe/Berlin"}
    await kit.services.chats.chats.set_city(BRAUNSCHWEIG, None)
    assert (await kit.here(BRAUNSCHWEIG)).places == {}  # a group without a city label names no place
