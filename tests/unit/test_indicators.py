"""Indicator totals against the services: a count never goes below 0 (refused with the total), setting the total
and undoing the last update are for administrators, an undo is announced and kept in the history, and
``/indicators`` reads storage's grouped sums (never the updates) and answers the same request again from its
cooldown until an indicator of the bridge changes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.context import Actor
from bot.features.indicators import LISTING_COOLDOWN
from bot.reports.figures import indicator_progress
from tests.kit import BUSAN, SURABAYA, Kit, member

Partners = tuple[object, object]


async def indicator(kit: Kit, text: str = "add pendidikan pertukaran target 40") -> Actor:
    """The programme "pendidikan" with one indicator; its administrator (user 1 of Surabaya)."""
    here, admin = await kit.here(SURABAYA), kit.admin(SURABAYA, 1)
    await kit.services.programmes.programme(here, admin, "add pendidikan")
    await kit.services.indicators.indicator(here, admin, text)
    return admin


async def history(kit: Kit) -> list[tuple[float, float, str | None]]:
    repository = kit.services.indicators.indicators
    found = await repository.list((await kit.here(SURABAYA)).scope)
    return [(u.change, u.value_after, u.note) for u in await repository.updates([i.id for i in found])]


def counting(kit: Kit, monkeypatch: pytest.MonkeyPatch, method: str) -> list[int]:
    """Calls of the indicators repository's ``method``, counted (the call goes through)."""
    repository = kit.services.indicators.indicators
    original: Callable[..., Awaitable[Any]] = getattr(repository, method)
    calls: list[int] = []

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return await original(*args, **kwargs)

    monkeypatch.setattr(repository, method, counted)
    return calls


async def test_a_count_never_goes_below_zero_and_the_refusal_says_the_total(kit: Kit, partners: Partners) -> None:
    await indicator(kit)
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    indicators = kit.services.indicators
    await indicators.indicator(busan, member(7, "Kim"), "pendidikan pertukaran +3")
    lower = indicators.indicator(surabaya, member(8), "pendidikan pertukaran -5 koreksi")
    key, said = await kit.refusal(lower, surabaya)
    assert key == "indicator.negative"
    assert "<b>pertukaran</b>" in said and " 3;" in said and "-5" in said
    assert await history(kit) == [(3, 3, None)]  # nothing recorded
    announced = len(kit.texts(BUSAN))
    await indicators.indicator(surabaya, member(8), "pendidikan pertukaran -3 koreksi")
    assert await history(kit) == [(3, 3, None), (-3, 0, "koreksi")]
    assert len(kit.texts(BUSAN)) == announced + 1  # a correction is announced like any update
    key, said = await kit.refusal(indicators.indicator(busan, member(7), "pendidikan pertukaran -0,5"), busan)
    assert key == "indicator.negative" and "0" in said
    listing = kit.render(await indicators.listing(surabaya, member(2), ""), surabaya)
    assert "pertukaran</b>: 0 " in listing


async def test_setting_the_total_is_for_administrators(kit: Kit, partners: Partners) -> None:
    admin = await indicator(kit)
    surabaya = await kit.here(SURABAYA)
    indicators = kit.services.indicators
    await indicators.indicator(surabaya, member(8), "pendidikan pertukaran +5")
    key, _ = await kit.refusal(indicators.indicator(surabaya, member(8), "pendidikan pertukaran = 2"), surabaya)
    assert key == "admin.only"
    await indicators.indicator(surabaya, admin, "pendidikan pertukaran = 2 dihitung ulang")
    assert await history(kit) == [(5, 5, None), (-3, 2, "dihitung ulang")]


async def test_an_administrator_undoes_the_last_update(kit: Kit, partners: Partners) -> None:
    admin = await indicator(kit)
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    indicators = kit.services.indicators
    key, _ = await kit.refusal(indicators.indicator(surabaya, admin, "undo pendidikan pertukaran"), surabaya)
    assert key == "indicator.nothing_to_undo"
    await indicators.indicator(busan, member(7, "Kim"), "pendidikan pertukaran +5")
    await indicators.indicator(busan, member(7, "Kim"), "pendidikan pertukaran +20 salah ketik")
    key, _ = await kit.refusal(indicators.indicator(surabaya, member(8), "undo pendidikan pertukaran"), surabaya)
    assert key == "admin.only"
    for text in ("undo pendidikan", "undo pendidikan pertukaran lagi", "undo budaya pertukaran"):
        key, _ = await kit.refusal(indicators.indicator(surabaya, admin, text), surabaya)
        assert key in ("indicator.usage", "programme.not_found"), text
    word = kit.services.catalog.word("undo", "id")
    assert word != "undo"
    named = Actor(user_id=1, name="Admin", username="admin_sby")
    await indicators.indicator(surabaya, named, f"{word} pendidikan pertukaran")
    # The history keeps both; the undo is an update of its own, the opposite change.
    assert await history(kit) == [(5, 5, None), (20, 25, "salah ketik"), (-20, 5, "↩ +20")]
    undone = [t for t in kit.texts(BUSAN) if t.startswith("↩️")]
    assert len(undone) == 1 and "+20" in undone[0] and "@admin_sby" in undone[0] and "Kim" in undone[0]
    assert any(t.startswith("↩️") and "Surabaya" in t for t in kit.texts(SURABAYA))
    events = await kit.services.reports.events.between(
        surabaya.scope, kit.clock.now - timedelta(days=1), kit.clock.now + timedelta(days=1), kinds=("indicator",)
    )
    assert [e.detail for e in events][-1] is not None and str(events[-1].detail).startswith("↩ +20")
    assert (events[-1].user_id, events[-1].city) == (1, "Surabaya")
    listing = kit.render(await indicators.listing(busan, member(7), ""), busan)
    assert "pertukaran</b>: 5 " in listing


async def test_the_listing_reads_sums_never_the_updates(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    await indicator(kit)
    surabaya = await kit.here(SURABAYA)
    indicators = kit.services.indicators
    admin = kit.admin(SURABAYA, 1)
    await indicators.indicator(surabaya, admin, "add pendidikan kunjungan target 8 per quarter")
    await indicators.indicator(surabaya, admin, "add pendidikan mou target 2 hingga 31 Desember 2027")
    for text in ("pertukaran +30", "kunjungan +3", "mou +1", "pertukaran +5"):
        await indicators.indicator(surabaya, member(8), f"pendidikan {text}")
    repository = indicators.indicators
    found = await repository.list(surabaya.scope)
    everything = await repository.updates([i.id for i in found])

    async def refused(*_args: object, **_kwargs: object) -> list[object]:
        raise AssertionError("the listing read every update")

    monkeypatch.setattr(repository, "updates", refused)
    listing = kit.render(await indicators.listing(surabaya, member(2), ""), surabaya)
    zone = ZoneInfo(surabaya.timezone)
    # The same values as the figures compute from every update.
    shown = {i.name: indicator_progress(i, everything, kit.clock.now, zone).value for i in found}
    assert shown == {"pertukaran": 35, "kunjungan": 3, "mou": 1}
    for name, value in shown.items():
        assert f"<b>{name}</b>: {value:g} " in listing


async def test_the_same_listing_again_within_its_cooldown_is_not_computed_again(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    await indicator(kit)
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    indicators = kit.services.indicators
    await indicators.indicator(surabaya, member(8), "pendidikan pertukaran +3")
    computed = counting(kit, monkeypatch, "list")
    first = await indicators.listing(surabaya, member(2), "")
    assert len(computed) == 1
    kit.clock.advance(seconds=LISTING_COOLDOWN.total_seconds() - 1)
    assert await indicators.listing(surabaya, member(9), "") is first  # another member, the same request
    assert len(computed) == 1
    # A different request is answered as usual: another programme filter, another group.
    await indicators.listing(surabaya, member(2), "#pendidikan")
    await indicators.listing(busan, member(7), "")
    assert len(computed) == 3
    # Any update of the bridge's indicators: computed again, with it.
    await indicators.indicator(busan, member(7), "pendidikan pertukaran +4")
    again = kit.render(await indicators.listing(surabaya, member(2), ""), surabaya)
    assert len(computed) == 4 and "pertukaran</b>: 7 " in again
    await indicators.listing(surabaya, member(2), "")
    assert len(computed) == 4
    kit.clock.advance(seconds=LISTING_COOLDOWN.total_seconds())  # the window has passed
    await indicators.listing(surabaya, member(2), "")
    assert len(computed) == 5
    # A new indicator, and an undo, count as changes too.
    await indicators.indicator(surabaya, kit.admin(SURABAYA, 1), "add pendidikan kunjungan target 8")
    assert "kunjungan" in kit.render(await indicators.listing(surabaya, member(2), ""), surabaya)
    await indicators.indicator(surabaya, kit.admin(SURABAYA, 1), "undo pendidikan pertukaran")
    assert "pertukaran</b>: 3 " in kit.render(await indicators.listing(surabaya, member(2), ""), surabaya)
    assert len(computed) == 7


async def test_listings_kept_for_their_cooldown_are_bounded(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    await indicator(kit)
    monkeypatch.setattr("bot.features.indicators.LISTINGS_KEPT", 2)
    indicators = kit.services.indicators
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    first = await indicators.listing(surabaya, member(2), "")
    kit.clock.advance(seconds=1)
    second = await indicators.listing(busan, member(7), "")
    kit.clock.advance(seconds=1)
    await indicators.listing(surabaya, member(2), "pendidikan")
    assert sum(len(kept) for kept in indicators._listed.values()) == 2
    assert await indicators.listing(busan, member(7), "") is second
    assert await indicators.listing(surabaya, member(2), "") is not first  # the oldest went first


async def test_a_listing_read_while_an_indicator_changes_is_not_kept(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    await indicator(kit)
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    indicators = kit.services.indicators
    repository = indicators.indicators
    original = repository.change_sums
    meanwhile = True

    async def summed(*args: Any, **kwargs: Any) -> Any:
        nonlocal meanwhile
        found = await original(*args, **kwargs)
        if meanwhile:  # another group records an update just after this listing read its sums
            meanwhile = False
            await indicators.indicator(busan, member(7), "pendidikan pertukaran +6")
        return found

    monkeypatch.setattr(repository, "change_sums", summed)
    assert "pertukaran</b>: 0 " in kit.render(await indicators.listing(surabaya, member(2), ""), surabaya)
    assert "pertukaran</b>: 6 " in kit.render(await indicators.listing(surabaya, member(2), ""), surabaya)


WRITTEN_PERIODS = [
    ("zh", "每年", "year"),
    ("zh", "每 年", "year"),
    ("zh", "年度", "year"),
    ("zh", "每季度", "quarter"),
    ("zh", "每个季度", "quarter"),
    ("zh", "每 季度", "quarter"),
    ("ja", "年間", "year"),
    ("ja", "毎年", "year"),
    ("ja", "毎 年", "year"),
    ("ja", "四半期ごと", "quarter"),
    ("ja", "四半期毎", "quarter"),
    ("ja", "毎 四半期", "quarter"),
    ("ko", "연간", "year"),
    ("ko", "매년", "year"),
    ("ko", "매 연도", "year"),
    ("ko", "분기별", "quarter"),
    ("ko", "매분기", "quarter"),
    ("ko", "매 분기", "quarter"),
    ("id", "per tahun", "year"),
    ("id", "tahunan", "year"),
    ("id", "per kuartal", "quarter"),
    ("id", "triwulanan", "quarter"),
    ("de", "pro Jahr", "year"),
    ("de", "jährlich", "year"),
    ("de", "pro Quartal", "quarter"),
    ("de", "quartalsweise", "quarter"),
    ("en", "yearly", "year"),
    ("en", "per quarter", "quarter"),
    ("zh", "quarterly", "quarter"),  # English is understood everywhere
]


@pytest.mark.parametrize(("language", "written", "period"), WRITTEN_PERIODS)
async def test_a_period_is_read_as_people_write_it(
    kit: Kit, partners: Partners, language: str, written: str, period: str
) -> None:
    here = await kit.group(SURABAYA, "Surabaya", language)
    admin, indicators = kit.admin(SURABAYA, 1), kit.services.indicators
    await kit.services.programmes.programme(here, admin, "add pendidikan")
    said = kit.render(await indicators.indicator(here, admin, f"add pendidikan siswa target 50 {written}"), here)
    assert kit.services.catalog.t(f"indicator.period.{period}", language) in said
    [made] = await kit.services.indicators.indicators.list(here.scope)
    assert (made.name, made.period, made.by_date) == ("siswa", period, None)


@pytest.mark.parametrize(
    ("language", "written"),
    [("zh", "每 月"), ("zh", "每年 每年"), ("ja", "年間 四半期"), ("ko", "매 주"), ("de", "pro Monat")],
)
async def test_a_period_that_is_not_a_year_or_a_quarter_is_refused(
    kit: Kit, partners: Partners, language: str, written: str
) -> None:
    here = await kit.group(SURABAYA, "Surabaya", language)
    admin, indicators = kit.admin(SURABAYA, 1), kit.services.indicators
    await kit.services.programmes.programme(here, admin, "add pendidikan")
    key, _ = await kit.refusal(indicators.indicator(here, admin, f"add pendidikan siswa target 50 {written}"), here)
    assert key == "indicator.bad_period"
    assert await indicators.indicators.list(here.scope) == []
