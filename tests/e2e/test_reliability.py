"""The fault and abuse suite's checks (tests/e2e/reliability.py), at sizes fit for every test run."""

from __future__ import annotations

from tests.e2e import reliability


async def test_hostile_input_to_every_command_and_button_raises_nothing_unhandled() -> None:
    found = await reliability.bad_inputs(generated_per_command=4)
    assert found["bad_inputs"] >= 500
    assert found["unhandled_exceptions"] == 0, found["unhandled_examples"]


async def test_nothing_lost_across_a_kill_a_429_storm_and_a_translator_outage() -> None:
    found = await reliability.crash_storm_outage(per_phase=25)
    assert found["lost"] == 0
    assert found["duplicates_max_per_destination"] <= 1


async def test_commands_in_redelivered_responses_run_once() -> None:
    found = await reliability.redelivered(commands=12)
    assert found["acknowledgements_lost"] >= 1  # the fault did happen
    assert found["commands_run_twice"] == 0


async def test_relayed_messages_leave_almost_nothing_once_the_windows_pass() -> None:
    found = await reliability.retained(messages=300)
    assert found["grown_bytes_per_message_before_retention"] > 100  # the database did grow with them
    assert found["retained_bytes_per_message"] <= 1.0
