"""Crash safety: SIGKILL the bot process in the middle of a burst, restart it: nothing lost, order kept."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.reliability import numbers
from tests.world import World, make_world, start_bot, stop_bot


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with make_world(f"sqlite+aiosqlite:///{tmp_path / 'kembar.db'}") as w:
        yield w


def dedupe_adjacent(seq: list[int]) -> tuple[list[int], int]:
    out: list[int] = []
    duplicates = 0
    for n in seq:
        if out and out[-1] == n:
            duplicates += 1
            continue
        out.append(n)
    return out, duplicates


async def test_sigkill_mid_burst_then_restart_loses_nothing(world: World, tmp_path: Path) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    total = 120
    with (tmp_path / "bot.log").open("wb") as log:
        proc = await start_bot(world, tmp_path, log)
        try:
            await world.setup(surabaya, busan)
            world.server.latency = 0.02  # each translation takes a moment: the burst is still going at the kill
            for n in range(total):
                world.emu.post(surabaya.id, surabaya.member.id, f"burst-sby-{n}")
                world.emu.post(busan.id, busan.member.id, f"burst-pus-{n}")
            await world.emu.wait_for(lambda: len(numbers(world, busan, "sby")) >= 15, timeout=60)
            proc.send_signal(signal.SIGKILL)
            await asyncio.wait_for(proc.wait(), 30)
            at_kill = (len(numbers(world, busan, "sby")), len(numbers(world, surabaya, "pus")))
            assert at_kill[0] < total and at_kill[1] < total, "the kill should land mid-burst"
            print("delivered at the kill:", at_kill)

            proc = await start_bot(world, tmp_path, log)
            await world.emu.wait_for(
                lambda: (
                    len(set(numbers(world, busan, "sby"))) >= total
                    and len(set(numbers(world, surabaya, "pus"))) >= total
                ),
                timeout=120,
            )
        finally:
            await stop_bot(proc)
    for town, tag in ((busan, "sby"), (surabaya, "pus")):
        seq, duplicates = dedupe_adjacent(numbers(world, town, tag))
        assert seq == list(range(total)), f"{town.city}: lost or reordered messages"
        assert duplicates <= 1, f"{town.city}: {duplicates} duplicates"
