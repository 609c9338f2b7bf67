"""Heavy commands on a bridge with a long history (tests/e2e/reliability_heavy.py), at a size fit for every test
run: the event loop keeps its pace while members run /indicators, /report and /export, and an unrelated bridge's
messages are not held up."""

from __future__ import annotations

from tests.e2e import reliability_heavy


async def test_heavy_commands_keep_the_event_loop_and_other_bridges_moving() -> None:
    found = await reliability_heavy.heavy_commands(actions=600, updates=20_000, baseline_messages=30)
    stalls = found["heavy_stall_ms"]
    assert set(stalls) == {label for label, _, _ in reliability_heavy.COMMANDS}
    # The longest stall of the loop, everything counted (its start-up heap frozen, as kembar run does, the
    # collector's full passes are short), and the part that is the commands' own work.
    assert found["heavy_command_max_stall_ms"] <= 100, found
    assert found["heavy_command_max_own_stall_ms"] <= 100, found
    assert found["heavy_unrelated_relay_p95_added_ms"] <= 200, found
    # The cooldowns: the same request again is answered at once.
    for again in ("indicators_again", "report_again", "export_again"):
        assert found["heavy_command_s"][again] < 0.05, found
    assert found["heavy_relay_messages"]["with"] >= 10, found
