"""The HTTP listener of a real ``kembar run`` under slow clients (tests/e2e/reliability_web.py), small, and the
open-file limit raised at its start."""

from __future__ import annotations

import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e import reliability_web
from tests.world import World, make_world


async def test_slow_clients_leave_healthz_and_the_relay_alone() -> None:
    # 300 slow clients against a cap of 64 (KEMBAR_MAX_CONNECTIONS): most are pushed out and come back a
    # second later, for eight seconds; the bot's open-file limit is 1,024.
    found = await reliability_web.slow_clients(300, duration=8.0, trickle_every=1.0, messages=3, max_connections=64)
    assert found["slow_clients"] >= 300, found
    assert found["slow_clients_closed_by_reason"]["evicted"] > 0, found  # the cap did act
    assert found["slow_clients_healthz_p99_ms"] <= 1000, found
    assert found["slow_clients_healthz_failed"] == 0, found
    assert found["slow_clients_relay_ok"], found
    assert found["slow_clients_log_bytes"] <= 1_000_000, found
    assert 0 < found["slow_clients_fds_max"] < 1024, found


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with make_world(f"sqlite+aiosqlite:///{tmp_path / 'kembar.db'}") as w:
        yield w


def _max_open_files(pid: int) -> list[str]:
    limits = Path(f"/proc/{pid}/limits").read_text(encoding="utf-8")
    return next(line for line in limits.splitlines() if line.startswith("Max open files")).split()[3:5]


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/<pid>/limits")
async def test_kembar_run_raises_its_open_file_limit_to_the_hard_limit(world: World, tmp_path: Path) -> None:
    port = reliability_web.free_port()
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        proc = await reliability_web.start_limited_bot(world, tmp_path, log, port, (256, 2048))
        try:

            async def up() -> bool:
                assert proc.returncode is None, "kembar run ended"
                return not isinstance(await reliability_web.healthz(port, 1.0), str)

            await reliability_web.until(up, 60, "the bot's /healthz")
            limits = _max_open_files(proc.pid)
        finally:
            proc.send_signal(signal.SIGINT)
            await proc.wait()
    assert limits == ["2048", "2048"]
    assert "open files: soft limit raised from 256 to 2048 (hard limit 2048)" in log_path.read_text(encoding="utf-8")
