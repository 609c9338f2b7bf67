"""report_seconds: the CPU time of one yearly report for a bridge with 5 programmes, 2,000 actions and a year
of history (events, 5 indicators with weekly updates, daily activity of two groups).

The database is seeded first (not measured); then ``/report year``'s work is timed with ``time.process_time``
(all threads of this process: the database driver's and the charts' too): reading the history, computing the
figures, writing the summary in Korean and drawing the three charts. The figures are checked against the seed
(a report that computed nothing would be fast).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, update

from bench.common import PrefixingTranslator, QuietTelegram, fresh_database, progress

PROGRAMMES = ("education", "tourism", "trade", "environment", "culture")
SURABAYA, BUSAN = -1001700000001, -1001700000002
NOW = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ReportCost:
    seconds: float
    actions: int
    events: int
    opened_in_year: int
    charts: int
    summary_chars: int

    def details(self) -> dict[str, Any]:
        return {
            "actions": self.actions,
            "events": self.events,
            "opened_in_year": self.opened_in_year,
            "charts": self.charts,
            "summary_chars": self.summary_chars,
        }


async def report_cost(database_url: str | None, actions: int = 2000) -> ReportCost:
    from bot.config import Settings
    from bot.language.catalog import Catalog
    from bot.reports import periods
    from bot.services import Services
    from storage.models import ActionItemRow, ActivityDayRow, EventRow, IndicatorUpdateRow

    async with fresh_database(database_url) as url:
        quiet = QuietTelegram()
        clock = lambda: NOW  # noqa: E731
        services = Services.create(
            Settings(database_url=url), Catalog.load(), quiet, quiet, translator=PrefixingTranslator(), clock=clock
        )
        await services.start()
        try:
            chats = services.chats.chats
            await chats.ensure(SURABAYA, title="Surabaya", type="supergroup", default_language="id")
            await chats.ensure(BUSAN, title="Busan", type="supergroup", default_language="ko")
            await chats.set_city(SURABAYA, "Surabaya")
            await chats.set_city(BUSAN, "Busan")
            await chats.set_language(BUSAN, "ko")
            await services.chats.bridges.link(SURABAYA, BUSAN)
            chat = await services.chats.get(BUSAN)
            assert chat is not None
            here = await services.chats.context(chat)
            scope = here.scope
            progress(f"report: seeding {actions} actions and a year of history")
            rng = random.Random(20261201)
            programme_ids = []
            for name in PROGRAMMES:
                programme_ids.append((await services.programmes.programmes.add(scope, name, None)).id)
            start = NOW - timedelta(days=365)
            events: list[dict[str, Any]] = []
            created_at: list[dict[str, Any]] = []
            for n in range(actions):
                opened = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
                due = opened + timedelta(days=rng.randrange(3, 60))
                programme = rng.randrange(len(PROGRAMMES))
                source = rng.choice((SURABAYA, BUSAN))
                item = await services.actions.actions.create(
                    scope=scope,
                    bridge_id=here.bridge_id,
                    chat_id=source,
                    title=f"Action {n} for the partnership",
                    language="en",
                    programme_id=programme_ids[programme],
                    due_at=due,
                )
                created_at.append({"id": item.id, "created_at": opened})
                common = {"scope": scope, "chat_id": source, "by_name": "Coordinator", "city": "Busan"}
                events.append(
                    {
                        **common,
                        "at": opened,
                        "kind": "created",
                        "item_number": item.number,
                        "programme": PROGRAMMES[programme],
                    }
                )
                closed = opened + timedelta(days=rng.randrange(1, 90))
                if closed < NOW and rng.random() < 0.7:
                    await services.actions.actions.set_status(scope, item.number, "done", closed)
                    events.append(
                        {
                            **common,
                            "at": closed,
                            "kind": "done",
                            "item_number": item.number,
                            "programme": PROGRAMMES[programme],
                        }
                    )
            updates = []
            for index, name in enumerate(PROGRAMMES):
                indicator = await services.indicators.indicators.add(
                    scope, programme_ids[index], f"{name}-visits", 100, "year", None, None
                )
                value = 0.0
                for week in range(52):
                    change = float(rng.randrange(0, 4))
                    value += change
                    updates.append(
                        {
                            "indicator_id": indicator.id,
                            "at": start + timedelta(days=7 * week),
                            "change": change,
                            "value_after": value,
                            "by_name": "Coordinator",
                            "chat_id": BUSAN,
                            "city": "Busan",
                        }
                    )
            async with services.database.session() as session:
                await session.execute(update(ActionItemRow), created_at)
                await session.execute(insert(EventRow), events)
                await session.execute(insert(IndicatorUpdateRow), updates)
                days = [
                    {
                        "chat_id": chat_id,
                        "day": (start + timedelta(days=d)).date(),
                        "sent": rng.randrange(0, 40),
                        "received": rng.randrange(0, 40),
                    }
                    for chat_id in (SURABAYA, BUSAN)
                    for d in range(365)
                ]
                await session.execute(insert(ActivityDayRow), days)
            period = periods.current("year", NOW, ZoneInfo(here.timezone))
            progress("report: measuring one yearly report")
            began = time.process_time()
            found = await services.reports._figures(here, period)
            summary = await services.reports.summary(here, found, "manual")
            drawn = services.reports.draw(found, here.ui)
            seconds = time.process_time() - began
            opened_in_year = sum(p.opened for p in found.programmes)
            assert opened_in_year > actions // 2, "the report did not see the seeded history"
            assert len(drawn) == 3 and all(png.startswith(b"\x89PNG") for _, png in drawn)
            return ReportCost(
                seconds=seconds,
                actions=actions,
                events=len(events),
                opened_in_year=opened_in_year,
                charts=len(drawn),
                summary_chars=len(summary),
            )
        finally:
            await services.close()
