"""relay_ratio: Kembar relaying a burst into a two-group bridge, against a minimal python-telegram-bot relay.

Both bots run side by side in one run, each on its own emulator: Kembar on a fresh database with the
bridge id → ko set up through /lang and /link, translator latency 0; the baseline a minimal
python-telegram-bot application (default Updater polling, one ``send_message`` per update, no
database, no translation, no rate limiter). The burst is measured in ``rounds`` alternating rounds
(baseline, Kembar, Kembar, baseline, ...), so both see the same machine; each side's figure is its
median round, and every round is reported too.
"""

from __future__ import annotations

import statistics
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import TOKEN, Route, RunResult, Tracker, kembar_world, progress, run_posts, settle
from bench.profiling import maybe_profile
from bot.sandbox.emulator import BotApiEmulator


@dataclass(frozen=True)
class RelaySizes:
    messages: int
    warmup: int
    paced: int  # messages sent one at a time after the bursts (latency without queueing)
    rounds: int = 3

    def timeout(self) -> float:
        return 120.0 + self.messages * 0.25


@dataclass(frozen=True)
class RelayRun:
    burst: RunResult  # the median round
    rounds: list[RunResult]  # every measured burst, in the order run
    paced: RunResult | None  # then messages one at a time

    def details(self) -> dict[str, Any]:
        out = self.burst.summary() | {
            "rounds_msgs_per_s": [round(r.msgs_per_s, 2) for r in self.rounds],
            "median_round": self.rounds.index(self.burst) + 1,
        }
        if self.paced is not None:
            out["paced"] = {
                "messages": self.paced.posts,
                "latency_ms_p50": self.paced.latency(0.50),
                "latency_ms_p95": self.paced.latency(0.95),
                "latency_ms_max": self.paced.latency(1.0),
            }
        return out


def median_run(runs: list[RunResult]) -> RunResult:
    """The round with the median throughput (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r.msgs_per_s)
    return ordered[(len(ordered) - 1) // 2]


@dataclass(frozen=True)
class RelayComparison:
    kembar: RelayRun
    baseline: RelayRun

    @property
    def ratio(self) -> float:
        return self.kembar.burst.msgs_per_s / self.baseline.burst.msgs_per_s

    def round_ratios(self) -> list[float]:
        return [
            round(k.msgs_per_s / b.msgs_per_s, 4) for k, b in zip(self.kembar.rounds, self.baseline.rounds, strict=True)
        ]


class _Side:
    """One bot under test: how to post a burst into it and wait for the copies."""

    def __init__(self, name: str, emu: BotApiEmulator, tracker: Tracker, routes: list[Route]) -> None:
        self.name = name
        self.emu = emu
        self.tracker = tracker
        self.routes = routes

    async def burst(
        self,
        run: str,
        count: int,
        timeout: float,  # noqa: ASYNC109
        *,
        profile_dir: Path | None = None,
        paced: bool = False,
    ) -> RunResult:
        await settle(self.emu)
        return await run_posts(
            self.emu,
            self.tracker,
            run,
            self.routes,
            count,
            timeout=timeout,
            paced=paced,
            profile=maybe_profile(profile_dir, self.name),
        )


@asynccontextmanager
async def _kembar(database_url: str | None) -> AsyncIterator[_Side]:
    async with kembar_world(database_url, latency=0.0) as world:
        surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
        async with world.bot():
            await world.link([surabaya, busan])
            yield _Side("kembar", world.emu, world.tracker, [Route(surabaya.id, surabaya.member.id, (busan.id,))])


@asynccontextmanager
async def _baseline() -> AsyncIterator[_Side]:
    tracker = Tracker()
    async with BotApiEmulator(token=TOKEN, on_bot_message=tracker.hook) as emu:
        source = emu.create_chat("Surabaya")
        dest = emu.create_chat("Busan")
        member = emu.create_user("Surabaya Member", language_code="id")
        emu.add_member(source.id, member.id)
        app = ApplicationBuilder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.base_file_url).build()

        async def relay(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            message = update.effective_message
            if message is not None and message.text is not None:
                await context.bot.send_message(dest.id, message.text)

        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, relay))
        async with app:
            updater = app.updater
            assert updater is not None
            await updater.start_polling()
            await app.start()
            try:
                yield _Side("baseline", emu, tracker, [Route(source.id, member.id, (dest.id,))])
            finally:
                await updater.stop()
                await app.stop()


async def relay_comparison(sizes: RelaySizes, database_url: str | None, profile_dir: Path | None) -> RelayComparison:
    async with AsyncExitStack() as stack:
        baseline = await stack.enter_async_context(_baseline())
        kembar = await stack.enter_async_context(_kembar(database_url))
        sides = (baseline, kembar)
        if sizes.warmup:
            for side in sides:
                await side.burst(f"{side.name[0]}w", sizes.warmup, sizes.timeout())
        runs: dict[str, list[RunResult]] = {"baseline": [], "kembar": []}
        for number in range(sizes.rounds):
            order = sides if number % 2 == 0 else sides[::-1]
            for side in order:
                progress(f"round {number + 1}/{sizes.rounds}: {side.name} relaying {sizes.messages} messages")
                result = await side.burst(
                    f"{side.name[0]}r{number}",
                    sizes.messages,
                    sizes.timeout(),
                    profile_dir=profile_dir if number == 0 else None,
                )
                progress(f"  {side.name}: {result.msgs_per_s:.1f} msg/s over {result.seconds:.2f}s")
                runs[side.name].append(result)
        paced: dict[str, RunResult | None] = {"baseline": None, "kembar": None}
        if sizes.paced > 0:
            for side in sides:
                paced[side.name] = await side.burst(f"{side.name[0]}p", sizes.paced, sizes.timeout(), paced=True)
        out = {
            name: RelayRun(burst=median_run(results), rounds=results, paced=paced[name])
            for name, results in runs.items()
        }
        progress(
            "relay: median "
            f"{out['kembar'].burst.msgs_per_s:.1f} vs {out['baseline'].burst.msgs_per_s:.1f} msg/s; "
            f"spread of the rounds {statistics.pstdev([r.msgs_per_s for r in runs['kembar']]):.1f} / "
            f"{statistics.pstdev([r.msgs_per_s for r in runs['baseline']]):.1f}"
        )
        return RelayComparison(kembar=out["kembar"], baseline=out["baseline"])
