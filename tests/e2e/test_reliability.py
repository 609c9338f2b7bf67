"""The fault and abuse suite's checks (tests/e2e/reliability.py), at sizes fit for every test run."""

from __future__ import annotations

from tests.e2e import reliability, reliability_jobs


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
    assert found["commands_ran"] == found["commands"]  # every command ran…
    assert found["commands_run_twice"] == 0  # …once


async def test_relayed_messages_leave_almost_nothing_once_the_windows_pass() -> None:
    found = await reliability.retained(messages=300)
    assert found["grown_bytes_per_message_before_retention"] > 100  # the database did grow with them
    assert found["retained_bytes_per_message"] <= 1.0


async def test_jobs_that_keep_failing_stop_after_their_attempts_and_hold_up_nothing() -> None:
    found = await reliability_jobs.job_faults()
    assert found["job_faults_jobs"] >= 3  # the report, the reminder and the digest did fail
    assert found["job_faults_max_attempts"] <= 5
    assert found["job_faults_groups_told"] == {"report": 1, "reminder": 1, "digest": 1}
    assert found["job_faults_others_late"] == 0


async def test_announcements_take_at_most_a_share_of_a_groups_budget() -> None:
    found = await reliability_jobs.announcement_share(minutes=2)
    assert found["announcement_share_max"] <= 0.3
    assert found["announcements_waiting_at_the_end"] == 0  # everything was said, merged
