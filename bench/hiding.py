"""latency_hiding_ratio: throughput with a slow translator over throughput with an instant one.

One bot, ``bridges`` two-group bridges (id → ko), ``per_group`` messages posted into each source group
(interleaved across sources, as one burst). The same world runs at 0 ms and then at the translator
latency; every run uses its own texts, so no run is served by another's translation cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.common import RunResult, kembar_world, pair_routes, progress


@dataclass(frozen=True)
class HidingSizes:
    bridges: int
    per_group: int
    latency_s: float

    def timeout(self) -> float:
        return 120.0 + self.bridges * self.per_group * (0.1 + self.latency_s)


@dataclass
class HidingResult:
    zero: RunResult
    slow: RunResult

    @property
    def ratio(self) -> float:
        return self.slow.msgs_per_s / self.zero.msgs_per_s

    @property
    def order_violations(self) -> int:
        return self.zero.order_violations + self.slow.order_violations

    def details(self) -> dict[str, Any]:
        return {"latency_0ms": self.zero.summary(), "latency_slow": self.slow.summary()}


async def latency_hiding(sizes: HidingSizes, database_url: str | None) -> HidingResult:
    async with kembar_world(database_url, latency=0.0) as world:
        pairs = [(world.town(f"Kota {i}", "id"), world.town(f"Dosi {i}", "ko")) for i in range(sizes.bridges)]
        async with world.bot():
            progress(f"hiding: linking {len(pairs)} bridges")
            for a, b in pairs:
                await world.link([a, b])
            routes = pair_routes(pairs)
            await world.run_posts("hw", routes, 1, timeout=sizes.timeout())  # warm-up: every worker started
            progress(f"hiding: {len(routes)} × {sizes.per_group} messages, translator latency 0 ms")
            zero = await world.run_posts("hz", routes, sizes.per_group, timeout=sizes.timeout())
            progress(f"hiding: {zero.msgs_per_s:.1f} msg/s at 0 ms")
            world.server.latency = sizes.latency_s
            progress(f"hiding: same at {sizes.latency_s * 1000:.0f} ms")
            slow = await world.run_posts("hs", routes, sizes.per_group, timeout=sizes.timeout())
            progress(f"hiding: {slow.msgs_per_s:.1f} msg/s at {sizes.latency_s * 1000:.0f} ms")
            return HidingResult(zero=zero, slow=slow)
