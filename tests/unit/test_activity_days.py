"""Activity days are each group's own days: a message counts for the local day of the group it was posted in
and of the group it was delivered to; "days since the last exchange" and the activity chart's dates are the
asking group's days (not UTC ones). Surabaya is in Jakarta's zone (UTC+7), Busan in Seoul's (UTC+9)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.domain.records import ActivityDay
from bot.relay.activity import ActivityCounter
from bot.relay.service import InboundMessage
from bot.reports import charts
from bot.reports.figures import figures
from bot.reports.model import ChartText, Period
from tests.fakes.memory import Memory
from tests.fakes.monitoring import FakeActivityRepository
from tests.kit import BUSAN, SURABAYA, Kit, eventually, member

SEOUL = ZoneInfo("Asia/Seoul")
# 05:15 on Wednesday 2 December in Busan (and 03:15 in Surabaya): 20:15 UTC on Tuesday 1 December.
BUSAN_MORNING = datetime(2026, 12, 1, 20, 15, tzinfo=UTC)
# 01:30 on 2 December in Busan, still 23:30 on 1 December in Surabaya.
BUSAN_NIGHT = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
TEXT = ChartText()


def test_the_counter_counts_on_the_groups_own_day() -> None:
    repository = FakeActivityRepository(Memory())
    counter = ActivityCounter(repository, clock=lambda: BUSAN_MORNING, flush_seconds=3600)
    counter.sent(BUSAN, "Asia/Seoul")
    counter.received(SURABAYA, "Asia/Jakarta")
    counter.received(-1005, None)  # no zone known: the UTC day
    counter.received(-1006, "Not/AZone")  # a zone that does not exist: the UTC day, not an error
    assert set(counter._counts) == {
        (BUSAN, date(2026, 12, 2)),
        (SURABAYA, date(2026, 12, 2)),
        (-1005, date(2026, 12, 1)),
        (-1006, date(2026, 12, 1)),
    }


def message(chat_id: int, number: int, when: datetime) -> InboundMessage:
    return InboundMessage(
        chat_id=chat_id,
        message_id=number,
        sender_id=7,
        sender_name="Kim",
        source_label="Busan",
        source_language="ko",
        text="안녕하세요",
        html="안녕하세요",
        media_kind=None,
        reply_to=None,
        version=0,
        date=int(when.timestamp()),
    )


async def exchanged(kit: Kit, expected: set[tuple[int, date, int, int]]) -> None:
    """Until the counts written are ``expected``: (chat, day, sent, received)."""

    async def counted() -> bool:
        await kit.services.activity.flush()
        days = await kit.services.activity.repository.between([SURABAYA, BUSAN], date(2026, 11, 1), date(2027, 1, 1))
        return {(d.chat_id, d.day, d.sent, d.received) for d in days} == expected

    await eventually(counted)


async def report_says(kit: Kit, chat_id: int, words: str = "") -> str:
    here = await kit.here(chat_id)
    assert await kit.services.reports.report(here, member(7), words) is None
    return next(t for t in reversed(kit.texts(chat_id)) if t.startswith("📊"))


async def test_a_message_at_0515_in_busan_counts_for_busans_day_and_the_report_says_0_days(
    kit: Kit, partners: object
) -> None:
    kit.clock.now = BUSAN_MORNING
    busan = await kit.here(BUSAN)
    assert busan.bridge is not None
    await kit.services.relay.submit(message(BUSAN, 500, kit.clock.now), busan.bridge)
    # 2 December in both cities, though it is still 1 December in UTC.
    await exchanged(kit, {(BUSAN, date(2026, 12, 2), 1, 0), (SURABAYA, date(2026, 12, 2), 0, 1)})
    summary = await report_says(kit, BUSAN)
    t = kit.services.catalog.t
    assert t("report.exchange", busan.ui, days=0) in summary
    assert t("report.exchange", busan.ui, days=1) not in summary


async def test_days_since_the_exchange_count_in_the_asking_groups_zone(kit: Kit, partners: object) -> None:
    kit.clock.now = BUSAN_NIGHT
    busan, surabaya = await kit.here(BUSAN), await kit.here(SURABAYA)
    assert busan.bridge is not None
    await kit.services.relay.submit(message(BUSAN, 501, kit.clock.now), busan.bridge)
    # Posted on 2 December in Busan, delivered on 1 December in Surabaya.
    await exchanged(kit, {(BUSAN, date(2026, 12, 2), 1, 0), (SURABAYA, date(2026, 12, 1), 0, 1)})
    t = kit.services.catalog.t
    assert t("report.exchange", busan.ui, days=0) in await report_says(kit, BUSAN)
    assert t("report.exchange", surabaya.ui, days=0) in await report_says(kit, SURABAYA)
    kit.clock.advance(hours=1)  # 00:30 on 2 December in Surabaya: its exchange was yesterday, Busan's today
    assert t("report.exchange", surabaya.ui, days=1) in await report_says(kit, SURABAYA)
    assert t("report.exchange", busan.ui, days=0) in await report_says(kit, BUSAN)


async def test_a_past_periods_report_counts_days_to_its_end(kit: Kit, partners: object) -> None:
    kit.clock.now = BUSAN_MORNING  # an exchange on 2 December in Busan
    busan = await kit.here(BUSAN)
    assert busan.bridge is not None
    await kit.services.relay.submit(message(BUSAN, 502, kit.clock.now), busan.bridge)
    await exchanged(kit, {(BUSAN, date(2026, 12, 2), 1, 0), (SURABAYA, date(2026, 12, 2), 0, 1)})
    # November, seen at its end: nothing was exchanged in it, and the December exchange is not "-1 days ago".
    summary = await report_says(kit, BUSAN, "2026-11-01 2026-11-30")
    assert kit.services.catalog.t("report.no_exchange", busan.ui) in summary


def test_figures_count_days_since_and_chart_days_in_the_asking_groups_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    now = BUSAN_MORNING  # 05:15 on 2 December in Busan
    period = Period(datetime(2026, 11, 30, 15, tzinfo=UTC), datetime(2026, 12, 31, 15, tzinfo=UTC))  # December
    days = [ActivityDay(BUSAN, date(2026, 12, 1), 3, 2), ActivityDay(BUSAN, date(2026, 12, 2), 1, 1)]
    found = figures(
        period=period,
        now=now,
        zone=SEOUL,
        items=[],
        events=[],
        indicators=[],
        values={},
        days=days,
        cities={BUSAN: "Busan"},
        last_exchange=date(2026, 12, 2),
    )
    assert found.days_since_exchange == 0
    assert found.activity[0].days == ((date(2026, 12, 1), 3), (date(2026, 12, 2), 1))
    labels: list[str] = []

    def capture(draw: Callable[[Figure, Axes], None]) -> bytes:
        figure = Figure()
        ax = figure.add_subplot()
        draw(figure, ax)
        labels.extend(label.get_text() for label in ax.get_xticklabels())
        return b""

    monkeypatch.setattr(charts, "_render", capture)
    charts.activity_chart(found.activity, TEXT)
    assert labels == ["1 Dec", "2 Dec"]  # the message of 05:15 is on 2 December, not UTC's 1 December
