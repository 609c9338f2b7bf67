"""Every list says how many it shows of how many, and every entry can be reached page by page."""

from __future__ import annotations

import pytest

from bot.context import Refused
from bot.features.pages import page_of, read_page
from bot.language.catalog import Catalog
from tests.e2e.reliability_lists import hidden_list_items
from tests.kit import SURABAYA, Kit, member


async def test_no_list_hides_an_entry_with_0_20_21_or_60_entries() -> None:
    found = await hidden_list_items((0, 20, 21, 60))
    assert found["hidden_list_items"] == 0, found


async def test_a_reminder_beyond_the_first_page_is_listed_on_the_next(kit: Kit, partners: object) -> None:
    """The reviewer's case: a reminder due in three days vanished behind 20 sooner ones."""
    surabaya = await kit.here(SURABAYA)
    for hour in range(20):
        await kit.services.reminders.remind(surabaya, member(1), f"besok jam {8 + hour % 10}.{hour:02d} Rapat {hour}")
    await kit.services.reminders.remind(surabaya, member(1), "5 Desember 2026 jam 10.00 Kirim laporan tahunan")
    first = kit.render(await kit.services.reminders.reminders(surabaya, member(1), ""), surabaya)
    assert "Kirim laporan tahunan" not in first
    assert "Ditampilkan 1–20 dari 21. Halaman berikutnya: /reminders 2" in first
    second = kit.render(await kit.services.reminders.reminders(surabaya, member(1), "2"), surabaya)
    assert "Kirim laporan tahunan" in second and "Ditampilkan 21–21 dari 21 (halaman terakhir)" in second
    key, text = await kit.refusal(kit.services.reminders.reminders(surabaya, member(1), "3"), surabaya)
    assert key == "list.no_page" and "2" in text


def test_pages_are_counted_from_one_and_a_page_past_the_last_is_refused(catalog: Catalog) -> None:
    page = page_of(list(range(45)), 3, 20)
    assert (list(page.items), page.first, page.last, page.total, page.pages) == ([40, 41, 42, 43, 44], 41, 45, 45, 3)
    assert page_of([], 1, 20).pages == 1 and page_of([], 1, 20).first == 0
    with pytest.raises(Refused):
        page_of(list(range(45)), 4, 20)
    assert read_page(["open", "2"]) == (["open"], 2)
    assert read_page(["open"]) == (["open"], 1)
    assert read_page(["0"]) == (["0"], 1) and read_page(["٣"]) == (["٣"], 1)  # not a page: left as words
