"""``heavy_command_max_stall_ms`` and ``heavy_unrelated_relay_p95_added_ms``: members of one bridge with a long
history (``actions`` action items with their events, 100 indicators with ``updates`` updates between them, each
with its event) run ``/indicators``, ``/report`` and ``/export`` through the services, on a real SQLite file
(``make_sql_kit``: the services as the bot runs them, with a fake Telegram), while an unrelated bridge relays
messages.

* The stall: a task wakes every ``TICK`` seconds and records how late it woke; the longest lateness while a
  command runs is that command's stall (``heavy_stall_ms``, per command), the longest of all the figure.
* The relay: messages of the unrelated bridge are submitted one after another through ``RelayService`` and
  timed until the fake Telegram has the copy in the partner group; the 95th percentile while the heavy
  commands run, less the same without them.

The history is written in bulk (SQLAlchemy Core executemany through the real tables), as ``bench/scale.py``
builds its network. ``python -m tests.e2e.reliability_heavy [--pg URL]`` prints the full-size figures as JSON;
``tests/e2e/test_reliability_heavy.py`` runs it smaller.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import random
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bot.config import Settings
from bot.context import Actor, ChatContext
from bot.domain.records import Scope
from bot.language.catalog import Catalog
from bot.relay.service import InboundMessage
from bot.services import Services
from storage.models import ActionCounterRow, ActionItemRow, EventRow, IndicatorUpdateRow
from tests.conftest import Clock
from tests.fakes.telegram import FakeTelegram, FakeTranslator
from tests.kit import BUSAN, NOW, SURABAYA, Kit, make_sql_kit, migrated_sqlite

TICK = 0.002  # seconds between the lag monitor's wake-ups
KOCHI, BRISTOL = -1011, -1012  # the unrelated bridge
PROGRAMMES = ("pendidikan", "pariwisata", "perdagangan", "lingkungan", "budaya")
INDICATORS = 100
CHUNK = 5000
TITLES = {
    "id": ("Kirim draf MoU ke mitra", "Siapkan agenda kunjungan delegasi", "Tulis laporan pertukaran pelajar"),
    "ko": ("MoU 초안 보내기", "대표단 방문 일정 준비", "학생 교류 보고서 작성"),
}
COMMANDS: tuple[tuple[str, str, str], ...] = (
    # (what is measured, service method, text): each once computed, then once more (the cooldown's answer)
    ("indicators", "indicators", ""),
    ("indicators_again", "indicators", ""),
    ("report_month", "report", ""),
    ("report_quarter", "report", "quarter"),
    ("report_again", "report", "quarter"),
    ("export_actions", "export", "actions"),
    ("export_indicators", "export", "indicators"),
    ("export_calendar", "export", "calendar"),
    ("export_again", "export", "actions"),
)


class LagMonitor:
    """Wakes every ``tick`` seconds and keeps, since the last :meth:`reset`, the longest lateness (``peak``); the
    longest full collection of Python's cyclic garbage collector (``gc_peak``: it stops every thread, the event
    loop's too, for a pass over the whole heap, whoever triggered it); and the longest lateness less the full
    collections inside it (``own_peak``: what the loop's own work and the threads' hold on the interpreter
    cost)."""

    def __init__(self, tick: float = TICK) -> None:
        self.tick = tick
        self.peak = 0.0
        self.own_peak = 0.0
        self.gc_peak = 0.0
        self.wakes = 0
        self._task: asyncio.Task[None] | None = None
        self._woke = asyncio.Event()
        self._collecting: float | None = None  # when the full collection under way began
        self._pauses: list[tuple[float, float]] = []  # full collections lately, (start, end)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._collecting = time.perf_counter()
        elif self._collecting is not None:
            ended = time.perf_counter()
            self._pauses.append((self._collecting, ended))
            self.gc_peak = max(self.gc_peak, ended - self._collecting)
            self._collecting = None

    async def _run(self) -> None:
        while True:
            due = time.perf_counter() + self.tick
            await asyncio.sleep(self.tick)  # the measurement itself: how late this wakes
            woke = time.perf_counter()
            late = max(0.0, woke - due)
            collected = sum(max(0.0, min(end, woke) - max(start, due)) for start, end in self._pauses)
            # A collection can let the loop run before it ends (while it runs finalizers): its part so far.
            if self._collecting is not None:
                collected += max(0.0, woke - max(self._collecting, due))
            self._pauses = [pause for pause in self._pauses if pause[1] > due]
            self.peak = max(self.peak, late)
            self.own_peak = max(self.own_peak, late - collected)
            self.wakes += 1
            self._woke.set()

    def reset(self) -> None:
        self.peak = self.own_peak = self.gc_peak = 0.0

    async def settle(self) -> None:
        """Until the monitor has woken twice more: a stall at the very end of a command is counted."""
        for _ in range(2):
            self._woke.clear()
            await self._woke.wait()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[LagMonitor]:
        self._task = asyncio.create_task(self._run())
        gc.callbacks.append(self._gc)
        try:
            yield self
        finally:
            gc.callbacks.remove(self._gc)
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class RelayProbe:
    """Messages of the unrelated bridge, one at a time: the latency of each, from submit to the copy."""

    def __init__(self, kit: Kit, here: ChatContext, partner: int, pause: float) -> None:
        self.kit = kit
        self.here = here
        self.partner = partner
        self.pause = pause
        self.latencies: list[float] = []
        self.sent = 0

    def _arrived(self, marker: str) -> bool:
        return any(marker in s.html for s in reversed(self.kit.telegram.sent[-20:]) if s.chat_id == self.partner)

    async def one(self) -> float:
        self.sent += 1
        marker = f"probe-{self.sent}"
        bridge = self.here.bridge
        assert bridge is not None
        message = InboundMessage(
            chat_id=self.here.id,
            message_id=10_000 + self.sent,
            sender_id=42,
            sender_name="Tanaka",
            source_label=self.here.label,
            source_language=self.here.language,
            text=f"Hello {marker}",
            html=f"Hello {marker}",
            media_kind=None,
            reply_to=None,
            version=0,
            date=int(self.kit.clock.now.timestamp()),
        )
        started = time.perf_counter()
        await self.kit.services.relay.submit(message, bridge)
        await self.kit.telegram.wait_for(lambda: self._arrived(marker), timeout=60)
        return time.perf_counter() - started

    async def run(self, count: int | None = None, stop: asyncio.Event | None = None) -> list[float]:
        """``count`` messages, or until ``stop`` is set; their latencies."""
        found: list[float] = []
        while (count is None or len(found) < count) and not (stop is not None and stop.is_set()):
            found.append(await self.one())
            await asyncio.sleep(self.pause)  # pacing: a steady trickle, not a flood
        return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


async def seed(kit: Kit, here: ChatContext, actions: int, updates: int, *, seed: int = 21) -> dict[str, int]:
    """The heavy bridge's history, written in bulk: programmes and indicators through the repositories, action
    items, their events, indicator updates and their events through the real tables."""
    rng = random.Random(seed)
    services = kit.services
    db = services.database
    scope = here.scope
    programme_ids = []
    for name in PROGRAMMES:
        programme = await services.programmes.programmes.add(scope, name)
        programme_ids.append(programme.id)
    indicators = []
    for k in range(INDICATORS):
        period = ("year", "quarter", "by")[k % 3]
        by_date = NOW + timedelta(days=200) if period == "by" else None
        indicator = await services.indicators.indicators.add(
            scope, programme_ids[k % len(programme_ids)], f"indikator{k}", 1000.0, period, by_date, 1
        )
        indicators.append(indicator)
    chats = {SURABAYA: ("id", "Surabaya"), BUSAN: ("ko", "Busan")}
    start = NOW - timedelta(days=400)
    items: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for number in range(1, actions + 1):
        chat_id = rng.choice((SURABAYA, BUSAN))
        language, city = chats[chat_id]
        created = start + timedelta(seconds=rng.uniform(0, 400 * 86400))
        due = created + timedelta(days=rng.uniform(1, 90)) if rng.random() < 0.8 else None
        roll = rng.random()
        status = "done" if roll < 0.5 else "dropped" if roll < 0.55 else "open"
        done_at = min(NOW, created + timedelta(days=rng.uniform(0.5, 60))) if status == "done" else None
        programme_id = rng.choice(programme_ids) if rng.random() < 0.9 else None
        items.append(
            {
                "scope": scope,
                "number": number,
                "bridge_id": here.bridge_id,
                "programme_id": programme_id,
                "chat_id": chat_id,
                "title": f"{rng.choice(TITLES[language])} {number}",
                "language": language,
                "owners": ["@budi"] if rng.random() < 0.5 else [],
                "owner_ids": [None] if rng.random() < 0.5 else [],
                "due_at": due,
                "status": status,
                "created_by": 7,
                "created_at": created,
                "updated_at": done_at or created,
                "done_at": done_at,
            }
        )
        items[-1]["owner_ids"] = [None] * len(items[-1]["owners"])
        named = PROGRAMMES[programme_ids.index(programme_id)] if programme_id is not None else None
        for kind, at in (("created", created), ("done", done_at)):
            if at is not None:
                events.append(_event(scope, at, kind, chat_id, city, named, item_number=number))
    rows: list[dict[str, Any]] = []
    values = [0.0] * len(indicators)
    instants = sorted(start + timedelta(seconds=rng.uniform(0, 400 * 86400 - 60)) for _ in range(updates))
    for at in instants:
        k = rng.randrange(len(indicators))
        change = float(rng.choice((1, 1, 2, 3, 5, -1)))
        if values[k] + change < 0:
            change = 1.0
        values[k] += change
        chat_id = rng.choice((SURABAYA, BUSAN))
        rows.append(
            {
                "indicator_id": indicators[k].id,
                "at": at,
                "change": change,
                "value_after": values[k],
                "user_id": 7,
                "by_name": "Kim",
                "chat_id": chat_id,
                "city": chats[chat_id][1],
                "note": None,
            }
        )
        events.append(
            _event(
                scope, at, "indicator", chat_id, chats[chat_id][1], indicators[k].programme,
                indicator_id=indicators[k].id, detail=f"{change:+g} → {values[k]:g}",
            )
        )
    async with db.session() as session:
        for table, batch in ((ActionItemRow, items), (IndicatorUpdateRow, rows), (EventRow, events)):
            for first in range(0, len(batch), CHUNK):
                await session.execute(insert(table), batch[first : first + CHUNK])
        await session.execute(insert(ActionCounterRow).values(scope=scope, last_number=actions))
    if db.engine.dialect.name == "postgresql":  # as autovacuum would within a minute of a bulk load
        async with db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("ANALYZE"))
    return {"action_items": len(items), "indicator_updates": len(rows), "events": len(events)}


def _event(
    scope: Scope,
    at: datetime,
    kind: str,
    chat_id: int,
    city: str,
    programme: str | None,
    *,
    item_number: int | None = None,
    indicator_id: int | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    return {
        "scope": scope,
        "at": at,
        "kind": kind,
        "item_number": item_number,
        "indicator_id": indicator_id,
        "programme": programme,
        "user_id": 7,
        "by_name": "Kim",
        "chat_id": chat_id,
        "city": city,
        "detail": detail,
    }


@asynccontextmanager
async def _kit(folder: Path, catalog: Catalog, database_url: str | None) -> AsyncIterator[Kit]:
    """The services on a SQLite file in ``folder`` (``make_sql_kit``), or on a fresh database of the
    PostgreSQL server at ``database_url``, with the same fake Telegram and translator."""
    if database_url is None:
        template = await migrated_sqlite(folder / "template.db")
        async with make_sql_kit(folder, template, catalog) as kit:
            yield kit
        return
    from tests.conftest import fresh_pg_database

    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(fresh_pg_database()) if database_url == "test" else database_url
        telegram, translator, clock = FakeTelegram(), FakeTranslator(), Clock(NOW)
        services = Services.create(
            Settings(database_url=url), catalog, telegram, telegram, translator=translator, clock=clock
        )
        await services.start()
        try:
            yield Kit(services, telegram, translator, clock)
        finally:
            await services.close()


async def heavy_commands(
    actions: int = 5000,
    updates: int = 200_000,
    *,
    baseline_messages: int = 40,
    pause: float = 0.02,
    database_url: str | None = None,
) -> dict[str, Any]:
    """The figures (see the module's docstring) on a SQLite file in a temporary directory, or with
    ``database_url`` on PostgreSQL ("test": a fresh database on the tests' server, ``KEMBAR_TEST_PG_URL``)."""
    with tempfile.TemporaryDirectory(prefix="kembar-heavy-") as scratch:
        try:
            return await _measure(Path(scratch), actions, updates, baseline_messages, pause, database_url)
        finally:
            gc.unfreeze()  # what the run froze may go again (a test process goes on after it)


async def _measure(
    folder: Path, actions: int, updates: int, baseline_messages: int, pause: float, database_url: str | None
) -> dict[str, Any]:
    catalog = Catalog.load()
    async with _kit(folder, catalog, database_url) as kit:
        surabaya = await kit.group(SURABAYA, "Surabaya", "id")
        await kit.group(BUSAN, "Busan", "ko")
        await kit.link(SURABAYA, BUSAN)
        await kit.group(KOCHI, "Kochi", "ja")
        await kit.group(BRISTOL, "Bristol", "en")
        await kit.link(KOCHI, BRISTOL)
        surabaya, busan, kochi = await kit.here(SURABAYA), await kit.here(BUSAN), await kit.here(KOCHI)
        started = time.perf_counter()
        seeded = await seed(kit, surabaya, actions, updates)
        seed_s = time.perf_counter() - started
        gc.collect()  # the bulk load's own garbage (hundreds of thousands of row dicts) is no bot's
        probe = RelayProbe(kit, kochi, BRISTOL, pause)
        await probe.run(5)  # warm: the first messages load what relaying needs once per process
        gc.collect()
        gc.freeze()  # as kembar run does once started (bot/telegram/app.py)
        member = Actor(user_id=7, name="Kim")
        calls: dict[str, Callable[[ChatContext, Actor, str], Awaitable[object]]] = {
            "indicators": kit.services.indicators.listing,
            "report": kit.services.reports.report,
            "export": kit.services.reports.export,
        }
        stalls: dict[str, tuple[float, float, float]] = {}  # per command: stall, its own part, full collections
        durations: dict[str, float] = {}
        async with LagMonitor().running() as monitor:
            await monitor.settle()
            monitor.reset()
            baseline = await probe.run(baseline_messages)
            idle = (monitor.peak, monitor.own_peak, monitor.gc_peak)
            stop = asyncio.Event()
            during = asyncio.create_task(probe.run(stop=stop))
            for label, method, text in COMMANDS:
                where = busan if label.startswith(("report", "export")) else surabaya
                await monitor.settle()
                monitor.reset()
                began = time.perf_counter()
                await calls[method](where, member, text)
                durations[label] = time.perf_counter() - began
                await monitor.settle()
                stalls[label] = (monitor.peak, monitor.own_peak, monitor.gc_peak)
            stop.set()
            loaded = await during

        def ms(seconds: float) -> float:
            return round(1000 * seconds, 1)

        return {
            "heavy_command_max_stall_ms": ms(max(stall for stall, _, _ in stalls.values())),
            "heavy_unrelated_relay_p95_added_ms": ms(p95(loaded) - p95(baseline)),
            "heavy_command_max_own_stall_ms": ms(max(own for _, own, _ in stalls.values())),
            "heavy_full_gc_max_ms": ms(max(collected for _, _, collected in stalls.values())),
            "heavy_stall_ms": {k: [ms(v) for v in found] for k, found in stalls.items()},
            "heavy_idle_stall_ms": [ms(v) for v in idle],
            "heavy_command_s": {k: round(v, 3) for k, v in durations.items()},
            "heavy_relay_p95_ms": {"without": ms(p95(baseline)), "with": ms(p95(loaded))},
            "heavy_relay_messages": {"without": len(baseline), "with": len(loaded)},
            "heavy_seeded": {**seeded, "seed_s": round(seed_s, 1), "postgresql": database_url is not None},
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--updates", type=int, default=200_000)
    parser.add_argument("--pg", metavar="URL", help='a PostgreSQL URL ("test": a fresh database on the tests\' server)')
    args = parser.parse_args()
    found = asyncio.run(heavy_commands(args.actions, args.updates, database_url=args.pg))
    print(json.dumps(found, ensure_ascii=False))


if __name__ == "__main__":
    main()
