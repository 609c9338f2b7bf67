"""The group's time zone follows /tz and /city, never /lang; /tz reads IANA names, the date reader's zone
abbreviations, its cities and countries in their own scripts, and offsets in whole hours."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features.settings import ABBREVIATION_ZONES, resolve_timezone
from bot.language.catalog import Catalog
from bot.language.dates.zones import ABBREVIATIONS
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, member


async def stored_zone(kit: Kit, chat_id: int) -> str | None:
    chat = await kit.services.chats.get(chat_id)
    assert chat is not None
    return chat.timezone


async def test_lang_keeps_the_zone_the_group_had_and_says_so(kit: Kit) -> None:
    here = await kit.group(SURABAYA, "Surabaya", "id")
    settings, admin = kit.services.chat_settings, kit.admin(SURABAYA, 1)
    assert here.chat.timezone is None and here.timezone == "Asia/Jakarta"  # Indonesian's zone, never set
    changed = await settings.language(here, admin, "en")
    assert changed.key == "lang.set_zone_kept"
    assert kit.render(changed, here) == (
        "Done: this group's language is now <b>English</b> (<code>en</code>). "
        "Its time zone stays <b>Asia/Jakarta</b>; <code>/tz</code> changes it."
    )
    here = await kit.here(SURABAYA)
    assert (here.language, here.timezone) == ("en", "Asia/Jakarta")
    assert await stored_zone(kit, SURABAYA) == "Asia/Jakarta"  # stored, so that no later /lang moves it
    again = await settings.language(here, admin, "ko")
    assert again.key == "lang.set_zone_kept" and "<b>Asia/Jakarta</b>" in kit.render(again, here)
    assert "시간대" in kit.render(again, here)  # said in the new language
    assert (await kit.here(SURABAYA)).timezone == "Asia/Jakarta"


async def test_lang_keeps_a_zone_set_with_tz(kit: Kit) -> None:
    here = await kit.group(BUSAN, "Busan", "ko")
    settings, admin = kit.services.chat_settings, kit.admin(BUSAN, 2)
    await settings.timezone(here, admin, "UTC")  # set on purpose: the zone of English, yet kept
    here = await kit.here(BUSAN)
    changed = await settings.language(here, admin, "id")
    assert changed.key == "lang.set_zone_kept" and "Zona waktunya tetap <b>UTC</b>" in kit.render(changed, here)
    assert (await kit.here(BUSAN)).timezone == "UTC"
    await settings.timezone(await kit.here(BUSAN), admin, "Asia/Tokyo")
    changed = await settings.language(await kit.here(BUSAN), admin, "de")
    assert changed.key == "lang.set_zone_kept" and "<b>Asia/Tokyo</b>" in kit.render(changed, here)
    assert (await kit.here(BUSAN)).timezone == "Asia/Tokyo"


async def test_a_group_on_the_default_utc_takes_its_new_languages_zone(kit: Kit) -> None:
    """UTC, the zone of English, names no place: a new group set up in English that switches to Indonesian
    lives in Jakarta's zone, as before; the answer says so."""
    here = await kit.group(BRAUNSCHWEIG, "Kota", "en")
    settings, admin = kit.services.chat_settings, kit.admin(BRAUNSCHWEIG, 3)
    changed = await settings.language(here, admin, "id")
    assert changed.key == "lang.set_zone_moved"
    assert "Zona waktunya sekarang <b>Asia/Jakarta</b>" in kit.render(changed, here)
    assert (await kit.here(BRAUNSCHWEIG)).timezone == "Asia/Jakarta"
    assert await stored_zone(kit, BRAUNSCHWEIG) is None  # still the language's default, as for a new group
    back = await settings.language(await kit.here(BRAUNSCHWEIG), admin, "en")  # now it stays
    assert back.key == "lang.set_zone_kept" and (await kit.here(BRAUNSCHWEIG)).timezone == "Asia/Jakarta"


async def test_lang_without_a_zone_to_say_anything_about(kit: Kit) -> None:
    here = await kit.group(BRAUNSCHWEIG, "Kota", "en")
    changed = await kit.services.chat_settings.language(here, kit.admin(BRAUNSCHWEIG, 3), "es")  # no home zone
    assert changed.key == "lang.set" and (await kit.here(BRAUNSCHWEIG)).timezone == "UTC"


@pytest.mark.parametrize(
    ("typed", "zone", "written", "now"),
    [
        ("WIB", "Asia/Jakarta", "WIB", "09:00"),
        ("wita", "Asia/Makassar", "WITA", "10:00"),
        ("jakarta", "Asia/Jakarta", "jakarta", "09:00"),
        ("KST", "Asia/Seoul", "KST", "11:00"),
        ("Busan", "Asia/Seoul", "Busan", "11:00"),
        ("부산", "Asia/Seoul", "부산", "11:00"),
        ("東京", "Asia/Tokyo", "東京", "11:00"),
        ("广州", "Asia/Shanghai", "广州", "10:00"),
        ("Braunschweig", "Europe/Berlin", "Braunschweig", "03:00"),
        ("mez", "Europe/Berlin", "MEZ", "03:00"),
        ("south  korea", "Asia/Seoul", "south korea", "11:00"),
        ("UTC+7", "Etc/GMT-7", "UTC+7", "09:00"),
        ("gmt-3", "Etc/GMT+3", "gmt-3", "23:00"),
    ],
)
async def test_tz_reads_abbreviations_cities_and_offsets_and_names_the_zone(
    kit: Kit, typed: str, zone: str, written: str, now: str
) -> None:
    here = await kit.group(BRAUNSCHWEIG, "Kota", "en")
    answer = await kit.services.chat_settings.timezone(here, kit.admin(BRAUNSCHWEIG, 3), typed)
    assert answer.key == "tz.set_from"
    assert kit.render(answer, here) == (
        f"Done: this group's time zone is now <b>{zone}</b> ({written}), local time now: "
        f"{'Tuesday' if now == '23:00' else 'Wednesday'} {now}."
    )
    assert await stored_zone(kit, BRAUNSCHWEIG) == zone


async def test_tz_with_an_iana_name_answers_as_before(kit: Kit) -> None:
    here = await kit.group(SURABAYA, "Surabaya", "id")
    answer = await kit.services.chat_settings.timezone(here, kit.admin(SURABAYA, 1), "asia/makassar")
    assert answer.key == "tz.set" and answer.values["tz"] == "Asia/Makassar"
    assert (
        kit.render(answer, here)
        == "Zona waktu grup ini sekarang <b>Asia/Makassar</b> (waktu setempat saat ini: Rabu 10.00)."
    )


@pytest.mark.parametrize("typed", ["Mars/Olympus", "CST", "UTC+5:30", "UTC+15", "Surabaya City", "x" * 65])
async def test_tz_refuses_what_it_cannot_read_and_says_what_works(kit: Kit, typed: str) -> None:
    here = await kit.group(BUSAN, "Busan", "en")
    settings = kit.services.chat_settings
    key, text = await kit.refusal(settings.timezone(here, kit.admin(BUSAN, 2), typed), here)
    assert key == "tz.invalid"
    assert "<code>WIB</code>" in text and "<code>Busan</code>" in text  # abbreviations and cities work
    assert await stored_zone(kit, BUSAN) is None


async def test_tz_is_for_administrators(kit: Kit) -> None:
    here = await kit.group(BUSAN, "Busan", "ko")
    key, _ = await kit.refusal(kit.services.chat_settings.timezone(here, member(9), "KST"), here)
    assert key == "admin.only" and await stored_zone(kit, BUSAN) is None


@pytest.mark.parametrize("lang", ["en", "id", "ko", "de", "ja", "zh"])
def test_every_example_of_the_refusal_is_read(catalog: Catalog, lang: str) -> None:
    examples = re.findall(r"<code>([^<{]+)</code>", catalog.messages[lang]["tz.invalid"])
    assert len(examples) >= 4, lang
    for example in examples:
        assert resolve_timezone(example, lang) is not None, (lang, example)


def test_each_abbreviation_stands_for_a_zone_on_its_offset() -> None:
    """The regional zone of an abbreviation keeps the offset the date reader's table gives it, in winter or,
    for the summer names (CEST, MESZ, BST), in summer."""
    assert set(ABBREVIATION_ZONES) <= set(ABBREVIATIONS)
    for abbreviation, hours in ABBREVIATIONS.items():
        zone = resolve_timezone(abbreviation.upper())
        assert zone is not None, abbreviation
        offsets = {datetime(2026, month, 15, tzinfo=UTC).astimezone(ZoneInfo(zone)).utcoffset() for month in (1, 7)}
        assert any(o is not None and o.total_seconds() == hours * 3600 for o in offsets), (abbreviation, zone)


def test_the_table_wins_over_old_iana_aliases_and_iana_names_still_work() -> None:
    assert resolve_timezone("CET") == "Europe/Berlin" and resolve_timezone("Japan") == "Asia/Tokyo"
    assert resolve_timezone("europe/LONDON") == "Europe/London" and resolve_timezone("EST") == "EST"
    assert resolve_timezone("UTC") == "UTC" and resolve_timezone("  ") is None


async def test_city_sets_the_zone_of_a_city_the_table_knows_unless_a_zone_was_set(kit: Kit) -> None:
    here = await kit.group(BUSAN, "Pusan office", "en")
    settings, admin = kit.services.chat_settings, kit.admin(BUSAN, 2)
    answer = await settings.city(here, admin, "Busan")
    assert answer.key == "city.set_zone"
    assert kit.render(answer, here) == (
        "Done: messages from this group are now signed <b>Busan</b>, and its time zone is now <b>Asia/Seoul</b>; "
        "<code>/tz</code> changes it."
    )
    here = await kit.here(BUSAN)
    assert (here.label, here.timezone) == ("Busan", "Asia/Seoul")
    # A zone is stored now: another known city does not move it, and the answer says how /tz would.
    answer = await settings.city(here, admin, "Braunschweig")
    assert answer.key == "city.set_zone_kept"
    assert "stays <b>Asia/Seoul</b>; <code>/tz Braunschweig</code> would change it to Europe/Berlin" in kit.render(
        answer, here
    )
    assert (await kit.here(BUSAN)).timezone == "Asia/Seoul"
    assert (await settings.city(await kit.here(BUSAN), admin, "Kota Pahlawan")).key == "city.set"  # not a place
    assert (await kit.here(BUSAN)).timezone == "Asia/Seoul"


async def test_city_in_its_own_zone_answers_as_before_and_keeps_the_zone_through_lang(kit: Kit) -> None:
    here = await kit.group(SURABAYA, "Kota", "id")
    settings, admin = kit.services.chat_settings, kit.admin(SURABAYA, 1)
    assert (await settings.city(here, admin, "Surabaya")).key == "city.set"  # Asia/Jakarta already
    assert await stored_zone(kit, SURABAYA) == "Asia/Jakarta"
    changed = await settings.language(await kit.here(SURABAYA), admin, "de")
    assert changed.key == "lang.set_zone_kept" and (await kit.here(SURABAYA)).timezone == "Asia/Jakarta"
