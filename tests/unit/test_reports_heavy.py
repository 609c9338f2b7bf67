"""Heavy reports and exports against the services: a report reads only what it counts (and still has the figures
the whole history gives), an export reads no more rows than it holds and says how many there are, and the same
/report or /export in the same group within its cooldown gets a short notice instead of being made again."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.features import reports as reports_module
from bot.features.reports import EXPORT_COOLDOWN, REPORT_COOLDOWN
from bot.reports import periods
from bot.reports.figures import figures, indicator_value
from tests.kit import BUSAN, SURABAYA, Kit, member

Partners = tuple[object, object]


def summaries(kit: Kit, chat_id: int) -> list[str]:
    return [t for t in kit.texts(chat_id) if t.startswith("📊")]


def spy(monkeypatch: pytest.MonkeyPatch, repository: object, method: str) -> list[dict[str, Any]]:
    """The keyword arguments of each call of ``repository.method`` (the call goes through)."""
    original: Callable[..., Awaitable[Any]] = getattr(repository, method)
    calls: list[dict[str, Any]] = []

    async def seen(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return await original(*args, **kwargs)

    monkeypatch.setattr(repository, method, seen)
    return calls


async def history(kit: Kit) -> None:
    """A bridge with items in every state (six: #2 overdue, #3 and #4 done, #5 dropped, #6 Busan's), their
    events, and two indicators with three updates."""
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    admin = kit.admin(SURABAYA, 1)
    services = kit.services
    await services.programmes.programme(surabaya, admin, "add pendidikan")
    for text in (
        "Kirim draf MoU #pendidikan tenggat Jumat jam 14.00",
        "Rapat koordinasi #pendidikan tenggat Kamis jam 10.00",
        "Susun jadwal kunjungan",
        "Terjemahkan proposal tenggat 10 Desember 2026 jam 09.00",
        "Undang mitra ke festival",
    ):
        await services.actions.create(surabaya, member(1), text)
    await services.actions.create(busan, member(7), "교류 계획서 제출 마감 금요일 오후 3시")
    await services.actions.done(surabaya, member(1), "3")
    await services.actions.drop(surabaya, member(1), "5")
    kit.clock.advance(days=2)
    await services.actions.done(surabaya, member(1), "4")
    await services.indicators.indicator(surabaya, admin, "add pendidikan pertukaran target 40")
    await services.indicators.indicator(surabaya, admin, "add pendidikan kunjungan target 8 per quarter")
    for text in ("pertukaran +12", "kunjungan +3", "pertukaran +4"):
        await services.indicators.indicator(busan, member(7), f"pendidikan {text}")


async def test_a_report_reads_only_what_it_counts_and_has_the_whole_historys_figures(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(kit)
    busan = await kit.here(BUSAN)
    zone, now = ZoneInfo(busan.timezone), kit.clock.now
    period = periods.current("quarter", now, zone)
    services = kit.services
    indicators = await services.reports.indicators.list(busan.scope)
    updates = await services.reports.indicators.updates([i.id for i in indicators])
    expected = figures(
        period=period,
        now=now,
        zone=zone,
        items=await services.reports.actions.list(busan.scope, statuses=("open", "done", "dropped")),
        events=await services.reports.events.between(busan.scope, period.start, period.end),
        indicators=indicators,
        values={i.id: indicator_value(i, updates, now, zone) for i in indicators},
        days=[],
        cities={c.id: c.label for c in busan.members},
        last_exchange=None,
    )

    async def refused(*_args: object, **_kwargs: object) -> list[object]:
        raise AssertionError("a report read every indicator update")

    monkeypatch.setattr(services.reports.indicators, "updates", refused)
    listed = spy(monkeypatch, services.reports.actions, "list")
    between = spy(monkeypatch, services.reports.events, "between")
    found = await services.reports._figures(busan, period)
    assert found == expected
    assert [tuple(c["statuses"]) for c in listed] == [("open",)]  # the done ones: only the period's
    assert [set(c["kinds"]) for c in between] == [{"created", "done"}]
    assert sum(p.done for p in found.programmes) == 2 and sum(p.overdue for p in found.programmes) == 1
    assert [i.value for i in found.indicators] == [3, 16]  # kunjungan, pertukaran


async def test_the_same_report_within_a_minute_gets_a_notice_with_its_number(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(kit)
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    reports = kit.services.reports
    quarter = kit.services.catalog.word("quarter", "ko")
    made = reports.produce

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the database is away")

    monkeypatch.setattr(reports, "produce", broken)
    with pytest.raises(RuntimeError):
        await reports.report(busan, member(7), quarter)
    monkeypatch.setattr(reports, "produce", made)  # a report that failed holds nothing back
    assert await reports.report(busan, member(7), quarter) is None
    assert len(summaries(kit, BUSAN)) == 1
    kit.clock.advance(seconds=REPORT_COOLDOWN.total_seconds() - 1)
    notice = await reports.report(busan, member(8), "quarter")  # another member, the same report
    assert notice is not None and notice.key == "report.just_sent" and notice.values["number"] == 1
    said = kit.render(notice, busan)
    assert "/reports 1" in said and "보고서 1" in said
    assert len(summaries(kit, BUSAN)) == 1  # not made again
    # A different request is not held up: another period, another group.
    assert await reports.report(busan, member(7), "") is None
    assert await reports.report(surabaya, member(1), "quarter") is None
    assert len(summaries(kit, BUSAN)) == 2 and len(summaries(kit, SURABAYA)) == 1
    kit.clock.advance(seconds=2)  # the window of the first has passed
    assert await reports.report(busan, member(7), "quarter") is None
    assert len(summaries(kit, BUSAN)) == 3
    assert [r.number for r in await reports.reports.recent(BUSAN, 10)] == [3, 2, 1]


async def test_the_same_export_within_a_minute_gets_a_notice(kit: Kit, partners: Partners) -> None:
    await history(kit)
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    reports = kit.services.reports
    assert await reports.export(busan, member(7), "actions") is None
    assert len(kit.telegram.files(BUSAN)) == 2
    kit.clock.advance(seconds=EXPORT_COOLDOWN.total_seconds() - 1)
    notice = await reports.export(busan, member(8), kit.services.catalog.word("actions", "ko"))
    assert notice is not None and notice.key == "export.just_sent"
    assert kit.services.catalog.t("export.caption.actions", "ko") in kit.render(notice, busan)
    assert len(kit.telegram.files(BUSAN)) == 2  # not made again
    assert await reports.export(busan, member(7), "calendar") is None  # another export: made
    assert await reports.export(surabaya, member(1), "actions") is None  # another group: made
    assert len(kit.telegram.files(BUSAN)) == 3 and len(kit.telegram.files(SURABAYA)) == 2
    kit.clock.advance(seconds=2)
    assert await reports.export(busan, member(7), "actions") is None
    assert len(kit.telegram.files(BUSAN)) == 5


async def test_an_export_reads_no_more_than_it_holds_and_says_how_many_there_are(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(kit)  # 6 items (3 open with a due date), 2 indicators with 3 updates
    busan = await kit.here(BUSAN)
    reports = kit.services.reports
    monkeypatch.setattr(reports_module, "EXPORT_MAX_ROWS", 3)
    numbered = spy(monkeypatch, reports.actions, "numbered")
    read = spy(monkeypatch, reports.indicators, "updates")
    cut = kit.services.catalog.t("export.cut", "ko", shown=3, total=6)
    assert await reports.export(busan, member(7), "actions") is None
    assert [c["limit"] for c in numbered] == [3]
    sent = kit.telegram.sent[-2:]
    assert all(cut in one.html for one in sent)
    assert sent[0].file is not None
    rows = list(csv.reader(io.StringIO(sent[0].file[1].decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert await reports.export(busan, member(7), "indicators") is None
    assert [c["limit"] for c in read] == [1]  # two rows are the indicators themselves
    cut = kit.services.catalog.t("export.cut", "ko", shown=3, total=5)
    assert all(cut in one.html for one in kit.telegram.sent[-2:])
    monkeypatch.setattr(reports_module, "EXPORT_MAX_ROWS", 10)
    kit.clock.advance(seconds=EXPORT_COOLDOWN.total_seconds())
    assert await reports.export(busan, member(7), "actions") is None
    assert "⚠️" not in kit.telegram.sent[-1].html  # all of it: not said to be cut
    made = await reports.export_files(busan, "calendar")
    assert (made.rows, made.total) == (3, 3)
    monkeypatch.setattr(reports_module, "EXPORT_MAX_ROWS", 1)
    made = await reports.export_files(busan, "calendar")
    assert (made.rows, made.total) == (1, 3)


async def test_remembered_requests_are_bounded(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(kit)
    busan = await kit.here(BUSAN)
    reports = kit.services.reports
    monkeypatch.setattr(reports_module, "SENT_KEPT", 2)
    for what in ("actions", "indicators", "calendar"):
        assert await reports.export(busan, member(7), what) is None
        kit.clock.advance(seconds=1)
    assert len(reports._sent) == 2
    assert await reports.export(busan, member(7), "actions") is None  # forgotten first: made again
    notice = await reports.export(busan, member(7), "calendar")
    assert notice is not None and notice.key == "export.just_sent"
    assert timedelta(0) < REPORT_COOLDOWN and timedelta(0) < EXPORT_COOLDOWN
