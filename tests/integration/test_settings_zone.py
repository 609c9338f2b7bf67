"""Integration: the time zone against the emulator — /lang in an Indonesian group keeps Jakarta's zone and says
so, and /tz in a Korean group reads "KST" and answers with the IANA zone it chose."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from tests.conftest import Clock
from tests.world import World

# Wednesday 2 December 2026, 09:00 in Jakarta, 11:00 in Seoul.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


async def test_lang_keeps_the_zone_and_tz_reads_an_abbreviation(world: World, catalog: Catalog) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        assert await world.ask(surabaya, "/tz") == strip_tags(catalog.t("tz.current", "id", tz="Asia/Jakarta"))
        changed = await world.ask(surabaya, "/lang en")
        zone = await world.ask(surabaya, "/tz")
        kst = await world.ask(busan, "/tz KST")
        shown = await world.ask(busan, "/tz")
    assert changed == (
        "Done: this group's language is now English (en). Its time zone stays Asia/Jakarta; /tz changes it."
    )
    assert zone == strip_tags(catalog.t("tz.current", "en", tz="Asia/Jakarta"))
    assert kst == "완료되었습니다. 이 그룹의 시간대가 이제 Asia/Seoul(KST)입니다. 현재 현지 시각: 수요일 11:00"
    assert shown == strip_tags(catalog.t("tz.current", "ko", tz="Asia/Seoul"))
