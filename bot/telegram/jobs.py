"""The reminder wake-ups on python-telegram-bot's JobQueue: one job at the next due instant, and a sweep
every minute that plans digests and catches anything missed (also right after start-up, for reminders
missed while the bot was down). The database is the truth; these jobs only wake the engine up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram.ext import CallbackContext, Job, JobQueue

from bot.features.privacy import PrivacyService
from bot.features.reminder_engine import ReminderEngine, Wakeups

logger = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0
WAKE_JOB = "kembar-reminders-wake"
SWEEP_JOB = "kembar-reminders-sweep"


RETENTION_SECONDS = 6 * 3600.0
RETENTION_JOB = "kembar-retention"


def _always() -> bool:
    return True


def start_retention(queue: JobQueue[Any], privacy: PrivacyService, leading: Callable[[], bool] = _always) -> Job[Any]:
    """The data retention run (bot.features.privacy): a minute after start, then every six hours; with
    several instances, by the leader only."""

    async def run(_context: CallbackContext[Any, Any, Any, Any]) -> None:
        if not leading():
            return
        try:
            await privacy.run_retention()
        except Exception:
            logger.exception("the retention run failed; it runs again later")

    return queue.run_repeating(
        run,
        RETENTION_SECONDS,
        first=60.0,
        name=RETENTION_JOB,
        job_kwargs={"misfire_grace_time": None, "coalesce": True},
    )


class ReminderJobs:
    def __init__(
        self, queue: JobQueue[Any], engine: ReminderEngine, wakeups: Wakeups, leading: Callable[[], bool] = _always
    ) -> None:
        self.leading = leading  # digests are planned by the leader; every instance sends what is due
        self.queue = queue
        self.engine = engine
        self.wakeups = wakeups
        self._pending: set[asyncio.Task[None]] = set()

    def start(self) -> list[Job[Any]]:
        """Called once the services exist (inside the running loop)."""
        loop = asyncio.get_running_loop()

        def changed() -> None:
            task = loop.create_task(self.schedule_wake())
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

        self.wakeups.listen(changed)
        return [
            self.queue.run_repeating(
                self._sweep,
                SWEEP_SECONDS,
                first=0.5,
                name=SWEEP_JOB,
                job_kwargs={"misfire_grace_time": None, "coalesce": True},
            )
        ]

    async def schedule_wake(self) -> None:
        """One job at the next due instant (the database knows it); the sweep catches the rest."""
        nxt = await self.engine.next_due_at()
        for job in self.queue.get_jobs_by_name(WAKE_JOB):
            job.schedule_removal()
        if nxt is None:
            return
        delay = max(0.0, (nxt - self.engine.now()).total_seconds())
        if delay < SWEEP_SECONDS:
            self.queue.run_once(self._fire, delay, name=WAKE_JOB, job_kwargs={"misfire_grace_time": None})

    async def fire(self) -> None:
        """The wake-up job: send what is due, then move the wake-up to the next due instant."""
        try:
            await self.engine.run_due()
        except Exception:
            logger.exception("firing reminders failed; the sweep retries")
        await self.schedule_wake()

    async def sweep(self) -> None:
        """The sweep every minute: plan the digests that need it, then what the wake-up job does. It asks the
        database for what is due and never walks every chat: nothing to do costs a few queries, however many
        groups there are."""
        try:
            if self.leading():
                await self.engine.ensure_digests()
        except Exception:
            logger.exception("planning digests failed")
        await self.fire()

    async def _fire(self, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        await self.fire()

    async def _sweep(self, _context: CallbackContext[Any, Any, Any, Any]) -> None:
        await self.sweep()
