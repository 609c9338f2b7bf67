"""Database errors before an update's work is stored (tests/e2e/reliability_intake.py), at a size fit for every
test run: nothing lost, nothing run twice."""

from __future__ import annotations

from tests.e2e import reliability_intake


async def test_database_errors_before_the_work_is_stored_lose_nothing_and_run_nothing_twice() -> None:
    found = await reliability_intake.db_faults(updates=48)
    assert found["db_faults_updates"] >= 48
    assert all(found["db_faults_by_step"][step] >= 1 for step in reliability_intake.STEPS), found
    assert found["db_faults_injected"] >= 12  # two steps armed a burst, nearly all reached
    assert found["db_faults_lost"] == 0
    assert found["db_faults_ran_twice"] == 0
