"""latency_hiding_ratio: throughput with a slow translator over throughput with an instant one.

One bot, ``bridges`` two-group bridges (id → ko), ``per_group`` messages posted into each source group
(interleaved across sources, as one burst). The same world runs at 0 ms and at the translator latency
in ``rounds`` alternating rounds (0 ms, slow, slow, 0 ms, ...): a single burst of about a second swings
by ±15 % from run to run on a shared machine, so each side's figure is its median round. Every run
uses its own texts, so no run is served by another's translation cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.common import RunResult, kembar_world, pair_routes, progress
from bench.relay import median_run


@dataclass(frozen=True)
class HidingSizes:
    bridges: int
    per_group: int
    latency_s: float
    rounds: int = 3

    def timeout(self) -> float:
        return 120.0 + self.bridges * self.per_group * (0.1 + self.latency_s)


@dataclass
class HidingResult:
    zero_rounds: list[RunResult]
    slow_rounds: list[RunResult] = field(default_factory=list)

    @property
    def zero(self) -> RunResult:
        return median_run(self.zero_rounds)

    @property
    def slow(self) -> RunResult:
        return median_run(self.slow_rounds)

    @property
    def ratio(self) -> float:
        return self.slow.msgs_per_s / self.zero.msgs_per_s

    @property
    def order_violations(self) -> int:
        return sum(run.order_violations for run in [*self.zero_rounds, *self.slow_rounds])

    def details(self) -> dict[str, Any]:
        return {
            "latency_0ms": self.zero.summary(),
            "latency_slow": self.slow.summary(),
            "rounds_msgs_per_s_0ms": [round(run.msgs_per_s, 2) for run in self.zero_rounds],
            "rounds_msgs_per_s_slow": [round(run.msgs_per_s, 2) for run in self.slow_rounds],
        }


async def latency_hiding(sizes: HidingSizes, database_url: str | None) -> HidingResult:
    async with kembar_world(database_url, latency=0.0) as world:
        pairs = [(world.town(f"Kota {i}", "id"), world.town(f"Dosi {i}", "ko")) for i in range(sizes.bridges)]
        async with world.bot():
            progress(f"hiding: linking {len(pairs)} bridges")
            for a, b in pairs:
                await world.link([a, b])
            routes = pair_routes(pairs)
            await world.run_posts("hw", routes, 1, timeout=sizes.timeout())  # warm-up: every worker started
            result = HidingResult(zero_rounds=[])
            for number in range(sizes.rounds):
                for latency in (0.0, sizes.latency_s) if number % 2 == 0 else (sizes.latency_s, 0.0):
                    world.server.latency = latency
                    label = f"{latency * 1000:.0f} ms"
                    progress(f"hiding: round {number + 1}/{sizes.rounds}, {len(routes)} × {sizes.per_group} at {label}")
                    run = await world.run_posts(
                        f"h{'s' if latency else 'z'}{number}", routes, sizes.per_group, timeout=sizes.timeout()
                    )
                    progress(f"  {run.msgs_per_s:.1f} msg/s at {label}")
                    (result.slow_rounds if latency else result.zero_rounds).append(run)
            return result
