"""The workshop (bot/features/reports.py): charts and export files are made in a worker process of their own,
which a job past its time takes down with it and which is replaced after it dies; where no worker can be started,
the work runs in a thread."""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

import pytest

from bot.features.reports import Workshop, calendar_file
from bot.reports.model import CalendarItem


def unstamped(ics: bytes) -> bytes:
    """An iCalendar file without its DTSTAMP (the instant it was made)."""
    return re.sub(rb"DTSTAMP:[0-9TZ]+", b"", ics)


def where() -> int:
    return os.getpid()


def niceness() -> int:
    return os.nice(0)


def blocked() -> None:
    """Never returns (until its worker is killed)."""
    threading.Event().wait()


def dies_in_a_worker(parent: int) -> str:
    if os.getpid() != parent:
        os._exit(3)
    return "made here"


ITEMS = [
    CalendarItem(
        uid="kembar-b1-1@kembar",
        title="#1 Kirim draf MoU",
        description="@budi",
        due_at=datetime(2026, 12, 4, 7, 0, tzinfo=UTC),
        timezone="Asia/Jakarta",
    )
]


async def test_the_work_is_done_in_a_worker_process_kept_for_the_next_job() -> None:
    workshop = Workshop()
    try:
        first = await workshop.run(60, where)
        assert first != os.getpid()
        assert await workshop.run(60, where) == first  # the same worker, started once
        made = await workshop.run(60, calendar_file, ITEMS, [3600], "Kembar: Surabaya")
        here = await Workshop(processes=False).run(60, calendar_file, ITEMS, [3600], "Kembar: Surabaya")
        assert unstamped(made) == unstamped(here) and b"Kirim draf MoU" in made
        assert await workshop.run(60, niceness) >= min(os.nice(0) + 10, 19)  # it yields the processor to the bot
    finally:
        workshop.close()


async def test_a_job_past_its_time_is_killed_and_the_next_gets_a_new_worker() -> None:
    workshop = Workshop()
    try:
        first = await workshop.run(60, where)
        with pytest.raises(TimeoutError):
            await workshop.run(0.5, blocked)
        second = await workshop.run(60, where)
        assert second not in (first, os.getpid())
    finally:
        workshop.close()


async def test_a_worker_that_dies_is_replaced_and_its_job_fails() -> None:
    workshop = Workshop()
    try:
        first = await workshop.run(60, where)
        with pytest.raises(BrokenProcessPool):
            await workshop.run(60, dies_in_a_worker, os.getpid())
        assert await workshop.run(60, where) not in (first, os.getpid())
        assert workshop.processes
    finally:
        workshop.close()


async def test_where_no_worker_can_start_the_work_runs_in_a_thread() -> None:
    assert await Workshop(processes=False).run(60, where) == os.getpid()
    workshop = Workshop()
    try:  # the first worker dies before it has done anything: taken as workers that cannot start
        assert await workshop.run(60, dies_in_a_worker, os.getpid()) == "made here"
        assert not workshop.processes
        assert await workshop.run(60, where) == os.getpid()
    finally:
        workshop.close()
