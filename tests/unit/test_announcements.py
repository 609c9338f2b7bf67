"""Announcements within a budget (bot/features/announce.py): at most a share of a group's sending budget,
the rest merged, nothing dropped without a word."""

from __future__ import annotations

import asyncio

from bot.features.announce import PER_MINUTE, WINDOW, Announcer
from bot.language.catalog import Catalog
from tests.fakes.telegram import FakeTelegram
from tests.kit import BUSAN, SURABAYA, Kit, member


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def no_sleep(_seconds: float) -> None:
    """The drain loop waits here; the test moves the clock and flushes itself."""
    await asyncio.Event().wait()


async def test_a_burst_goes_out_within_the_budget_and_the_rest_merged_in_order(catalog: Catalog) -> None:
    telegram, clock = FakeTelegram(), Clock()
    announcer = Announcer(telegram, catalog, monotonic=clock, sleep=no_sleep)
    for n in range(12):
        await announcer.announce(SURABAYA, "en", f"change {n}")
    sent = telegram.texts(SURABAYA)
    assert sent == [f"change {n}" for n in range(PER_MINUTE)]  # one by one while there is room
    assert announcer.waiting(SURABAYA) == 12 - PER_MINUTE
    assert await announcer.flush(SURABAYA) == 0  # no room in this minute
    clock.now += WINDOW
    assert await announcer.flush(SURABAYA) == 1
    merged = telegram.texts(SURABAYA)[-1]
    assert [f"change {n}" in merged for n in range(PER_MINUTE, 12)] == [True] * (12 - PER_MINUTE)
    assert merged.index("change 5") < merged.index("change 11")  # the oldest first
    assert announcer.waiting(SURABAYA) == 0
    await announcer.announce(BUSAN, "en", "elsewhere")  # each group has its own budget
    assert telegram.texts(BUSAN) == ["elsewhere"]
    await announcer.close()


async def test_what_does_not_fit_one_message_is_counted_not_dropped_silently(catalog: Catalog) -> None:
    telegram, clock = FakeTelegram(), Clock()
    announcer = Announcer(telegram, catalog, monotonic=clock, sleep=no_sleep)
    for n in range(PER_MINUTE + 300):
        await announcer.announce(SURABAYA, "id", f"perubahan nomor {n} " + "x" * 40)
    clock.now += WINDOW
    await announcer.flush(SURABAYA)
    merged = telegram.texts(SURABAYA)[-1]
    assert len(merged) <= 4096
    shown = sum(f"perubahan nomor {n} " in merged for n in range(PER_MINUTE, PER_MINUTE + 300))
    assert 0 < shown < 300 and f"dan {300 - shown} perubahan lain" in merged
    await announcer.close()


async def test_shutdown_sends_what_waits(catalog: Catalog) -> None:
    telegram = FakeTelegram()
    announcer = Announcer(telegram, catalog, monotonic=Clock(), sleep=no_sleep)
    for n in range(PER_MINUTE + 2):
        await announcer.announce(SURABAYA, "en", f"change {n}")
    await announcer.close()
    assert "change 6" in telegram.texts(SURABAYA)[-1]


async def test_spammed_indicator_updates_take_at_most_the_budget_in_the_partner_group(
    kit: Kit, partners: tuple[object, object]
) -> None:
    surabaya = await kit.here(SURABAYA)
    admin = kit.admin(SURABAYA, 1)
    await kit.services.programmes.programme(surabaya, admin, "add pendidikan")
    await kit.services.indicators.indicator(surabaya, admin, "add pendidikan pertukaran target 50 per year")
    before = len(kit.texts(BUSAN))
    for _ in range(20):
        await kit.services.indicators.indicator(surabaya, member(2), "pendidikan pertukaran +1")
    announced = kit.texts(BUSAN)[before:]
    assert len(announced) == PER_MINUTE  # the rest wait, merged
    assert kit.services.announcer.waiting(BUSAN) == 20 - PER_MINUTE
