"""Two real Kembar processes on one PostgreSQL database, against the emulator; one is killed with
``kill -9`` in the middle of a burst (bench.cluster does the run; ``make bench`` reports the same figures).

What must hold: nothing lost, each destination's copies in the order of their messages, at most one copy
twice per destination (the one the killed instance had sent but not yet recorded), every reminder due
meanwhile sent once to each of its groups, and the survivor relaying again within 15 seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cluster import SECRET, TOKEN, ClusterResult, Mode, kill_mid_burst

FAILOVER_GOAL = 15.0


def check(result: ClusterResult) -> None:
    assert result.lost == 0, result
    assert result.order_violations == 0, result
    assert result.duplicates_max_per_destination <= 1, result
    assert result.reminders_expected > 0 and result.reminders_missing == 0, result
    assert result.reminders_duplicated == 0, result
    assert result.failover_seconds <= FAILOVER_GOAL, result
    assert result.survivor_leads and result.survivor_ready, result  # /metrics and /readyz of the survivor


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_an_instance_killed_mid_burst_loses_nothing(mode: Mode, pg_url: str, tmp_path: Path) -> None:
    result = await kill_mid_burst(pg_url, mode, tmp_path, messages=120, reminders=4)
    check(result)
    logs = [(tmp_path / f"{name}.log").read_text(encoding="utf-8") for name in "AB"]
    # Both really ran as one cluster: each joined, and the survivor led after the kill.
    assert all("joined the cluster" in log for log in logs)
    survivor = logs[1] if result.killed == "A" else logs[0]
    assert " leads" in survivor
    if mode == "webhook":
        assert all("listening on 127.0.0.1:" in log for log in logs)
    assert not [log for log in logs if SECRET in log or TOKEN.split(":")[1] in log]  # secrets never logged
