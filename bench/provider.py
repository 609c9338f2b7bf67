"""provider_calls_first / provider_calls_repeat: translation requests for one message in a 5-group bridge.

Groups in languages id, id, ko, ko, de. A new Indonesian message should cost one request per distinct
target language other than its own (ko, de: 2); the same text again should be served from the cache (0).
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.common import KembarWorld, kembar_world, progress, settle
from bot.sandbox.town import Town

TEXT = "Tolong kirim laporan kegiatan kota kembar sebelum rapat hari Jumat"


@dataclass(frozen=True)
class ProviderResult:
    first: int
    repeat: int


async def _post_and_count(world: KembarWorld, source: Town, others: list[Town]) -> int:
    await settle(world.emu)
    before_requests = len(world.server.requests)
    before = {town.id: len(world.emu.sent(town.id)) for town in others}
    world.emu.post(source.id, source.member.id, TEXT)

    def all_arrived() -> bool:
        return all(len(world.emu.sent(town.id)) > before[town.id] for town in others)

    await world.emu.wait_for(all_arrived, 30.0, poll_interval=0.05, message="a copy in every other group")
    await settle(world.emu)
    return len(world.server.requests) - before_requests


async def provider_calls(database_url: str | None) -> ProviderResult:
    async with kembar_world(database_url, latency=0.0) as world:
        towns = [
            world.town("Surabaya", "id"),
            world.town("Jakarta", "id"),
            world.town("Busan", "ko"),
            world.town("Seoul", "ko"),
            world.town("Braunschweig", "de"),
        ]
        async with world.bot():
            progress("provider: linking a bridge of id, id, ko, ko, de")
            await world.link(towns)
            first = await _post_and_count(world, towns[0], towns[1:])
            repeat = await _post_and_count(world, towns[0], towns[1:])
            progress(f"provider: {first} request(s) for a new message, {repeat} for the same again")
            return ProviderResult(first=first, repeat=repeat)
