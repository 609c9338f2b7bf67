"""Integration: ``/report`` for the period just ended, typed in the group's language, against the emulator — an
Indonesian group (Asia/Jakarta) and a Korean one (Asia/Seoul) in one bridge each get the report on November,
the local calendar month before 2 December 2026, not the usage text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from tests.conftest import Clock
from tests.world import World

# Wednesday 2 December 2026, 09:00 in Jakarta, 11:00 in Seoul.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


async def test_the_report_on_last_month_in_surabaya_and_busan(world: World, catalog: Catalog) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot(clock=Clock(NOW), reminder_jobs=False):
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/tz Asia/Jakarta")
        await world.ask(busan, "/tz Asia/Seoul")
        for town, asked, first, last in (
            (surabaya, "/report bulan lalu", "1 Nov 2026", "30 Nov 2026"),
            (busan, "/report 지난달", "2026. 11. 1.", "2026. 11. 30."),
        ):
            said = await world.ask(town, asked, as_admin=False)
            usage = strip_tags(catalog.t("report.usage", town.language)).splitlines()[0]
            assert usage not in said, said
            title = said.splitlines()[0]
            assert title.startswith("📊") and f"{first} – {last}" in title, said
