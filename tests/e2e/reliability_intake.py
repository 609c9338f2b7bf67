"""Database errors before an update's work is stored: ``db_faults`` (issue 21, point 3).

A real Application (the durable poller, and the webhook) against the Bot API emulator, whose repositories are
wrapped so that a chosen call raises a database error once — at every step that comes before an update's work
is stored:

- ``chat``, ``bridge``, ``people``: loading the chat's context (``ChatRepository.ensure``,
  ``BridgeRepository.bridge_of``, ``PeopleRepository.seen`` for a member seen for the first time), only
  while ``ChatDirectory.arrive`` runs;
- ``inbox``: storing the updates that run after their acknowledgement (``InboxRepository.store``);
- ``claim``: a lane claiming its updates (``InboxRepository.start``);
- ``outbox``: storing a batch's relay jobs (``OutboxRepository.enqueue``, every one of relay's attempts,
  so that the batch fails as a whole).

Updates go in bursts of four from one group (a message, a message of a member never seen before, an
``/action`` command, a message queued behind it in the group's lane); before each burst two steps are armed.
Once everything is quiet (nothing unacknowledged, no lane busy, no relay job pending) every message must have
been relayed exactly once and every command must have run exactly once (one action item stored per
command: its card may wait, announcements into a group are rationed).

``python -m tests.e2e.reliability_intake`` prints the figures as JSON; ``tests/e2e/test_reliability_intake.py``
runs it small.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bench.cluster import free_port
from bot.relay.service import STORE_ATTEMPTS
from bot.sandbox.emulator import User
from bot.services import Services
from bot.telegram.app import build_application, serving_webhook
from bot.telegram.intake import Intake
from handlers.context import SERVICES_KEY
from tests.kit import eventually
from tests.world import World, make_world, services

STEPS = ("chat", "bridge", "people", "inbox", "claim", "outbox")
MODES = ("polling", "webhook")
BURST = 4  # updates per burst
MEMBERS = 8  # members who send the commands (each under the per-member command limit)
SECRET = "reliability-intake-secret_0123"
WAIT_SECONDS = 20.0  # for a burst to be relayed and run (a few retries take well under a second)
STARTED = time.monotonic()


def progress(text: str) -> None:
    print(f"[db faults {time.monotonic() - STARTED:6.1f}s] {text}", file=sys.stderr, flush=True)


class Faults:
    """Database errors raised from chosen repository calls of a running bot: ``arm(step, times)`` makes the
    next ``times`` calls of that step raise; ``injected`` counts the errors raised, per step."""

    def __init__(self) -> None:
        self.armed: dict[str, int] = dict.fromkeys(STEPS, 0)
        self.injected: Counter[str] = Counter()
        self._loading: ContextVar[bool] = ContextVar("kembar-db-faults-loading", default=False)

    def arm(self, step: str, times: int = 1) -> None:
        self.armed[step] = times

    def disarm(self) -> None:
        self.armed = dict.fromkeys(STEPS, 0)

    def install(self, found: Services) -> None:
        directory = found.chats
        arrive = directory.arrive
        loading = self._loading

        async def loading_chat(*args: Any, **kwargs: Any) -> Any:
            token = loading.set(True)
            try:
                return await arrive(*args, **kwargs)
            finally:
                loading.reset(token)

        _replace(directory, "arrive", loading_chat)
        self._wrap("chat", directory.chats, "ensure", loading.get)
        self._wrap("bridge", directory.bridges, "bridge_of", loading.get)
        self._wrap("people", directory.people, "seen", loading.get)
        self._wrap("inbox", found.inbox, "store")
        self._wrap("claim", found.inbox, "start")
        self._wrap("outbox", found.outbox, "enqueue")

    def _wrap(self, step: str, owner: object, name: str, when: Callable[[], bool] = lambda: True) -> None:
        real: Callable[..., Awaitable[Any]] = getattr(owner, name)

        async def faulty(*args: Any, **kwargs: Any) -> Any:
            if self.armed[step] > 0 and when():
                self.armed[step] -= 1
                self.injected[step] += 1
                raise OperationalError(name, {}, Exception(f"injected: {step}"))
            return await real(*args, **kwargs)

        _replace(owner, name, faulty)


def _replace(owner: object, name: str, value: object) -> None:
    setattr(owner, name, value)  # on the instance: the running bot's repository (or directory) only


def _counted(texts: list[str], marker: str) -> Counter[int]:
    """How often each N of ``<marker>N`` occurs in ``texts``."""
    found: Counter[int] = Counter()
    for line in texts:
        if marker in line:
            found[int(line.split(marker, 1)[1].split()[0])] += 1
    return found


class Drive:
    """The bursts of one mode, and what came of them."""

    def __init__(self, world: World, mode: str, intake: Intake, found: Services, faults: Faults) -> None:
        self.world, self.mode, self.intake, self.services, self.faults = world, mode, intake, found, faults
        self.surabaya, self.busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
        self.members: list[User] = []
        self.messages: list[int] = []
        self.commands: list[int] = []

    @property
    def updates(self) -> int:
        return len(self.messages) + len(self.commands)

    def relayed(self) -> Counter[int]:
        return _counted(self.world.texts(self.busan), f"msg-{self.mode}-")

    async def ran(self) -> Counter[int]:
        """How often each command ran: the action items it stored."""
        async with self.services.database.session() as session:
            titles = [str(title) for title in (await session.scalars(text("SELECT title FROM action_items"))).all()]
        return _counted(titles, f"Tugas {self.mode} nomor ")

    async def setup(self) -> None:
        await self.world.setup(self.surabaya, self.busan)
        emu = self.world.emu
        for n in range(MEMBERS):
            user = emu.create_user(f"Anggota {n}", username=f"anggota_{self.mode}_{n}", language_code="id")
            emu.add_member(self.surabaya.id, user.id, by_user_id=self.surabaya.admin.id)
            self.members.append(user)
        await self.quiet()

    async def burst(self, index: int, steps: tuple[str, ...]) -> None:
        emu, town = self.world.emu, self.surabaya
        for step in steps:
            self.faults.arm(step, STORE_ATTEMPTS if step == "outbox" else 1)
        first = index * BURST
        newcomer = emu.create_user(f"Tamu {index}", username=f"tamu_{self.mode}_{index}", language_code="id")
        emu.post(town.id, town.member.id, f"msg-{self.mode}-{first} laporan kegiatan")
        emu.post(town.id, newcomer.id, f"msg-{self.mode}-{first + 1} salam kenal")
        emu.post(town.id, self.members[index % MEMBERS].id, f"/action Tugas {self.mode} nomor {first + 2}")
        emu.post(town.id, town.member.id, f"msg-{self.mode}-{first + 3} terima kasih")  # behind the command
        self.messages += [first, first + 1, first + 3]
        self.commands.append(first + 2)

        async def done() -> bool:
            relayed = self.relayed()
            return all(relayed[n] for n in (first, first + 1, first + 3)) and bool((await self.ran())[first + 2])

        try:
            await eventually(done, timeout=WAIT_SECONDS)
        except TimeoutError:  # counted as lost at the end, unless it comes after all
            progress(f"{self.mode}: burst {index} is not complete after {WAIT_SECONDS:.0f}s")
        self.faults.disarm()  # an armed step this burst never reached

    async def quiet(self) -> None:
        """Until nothing could still come: every update acknowledged, no lane busy, no relay job pending."""

        async def still() -> bool:
            if self.world.emu.pending_updates or self.intake.busy:
                return False
            return (await self.services.outbox.counts())["pending"] == 0

        try:
            await eventually(still, timeout=WAIT_SECONDS)
        except TimeoutError:
            progress(f"{self.mode}: still busy after {WAIT_SECONDS:.0f}s; counting what came")

    async def outcome(self) -> tuple[int, int]:
        """(lost, ran twice) over the messages and the commands."""
        relayed, ran = self.relayed(), await self.ran()
        lost = sum(1 for n in self.messages if not relayed[n]) + sum(1 for n in self.commands if not ran[n])
        twice = sum(max(0, relayed[n] - 1) for n in self.messages) + sum(max(0, ran[n] - 1) for n in self.commands)
        return lost, twice


@asynccontextmanager
async def _running(world: World, mode: str) -> AsyncIterator[tuple[Intake, Services]]:
    """The bot in ``mode``, its retry pauses short (the faults are many)."""
    if mode == "polling":
        async with world.bot() as poller:
            poller.max_backoff = 0.2
            poller.intake.max_backoff = 0.05
            found = services(poller)
            found.relay.retry_delay = 0.001
            yield poller.intake, found
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    settings = world.settings(webhook_url=url, webhook_secret=SECRET, listen=("127.0.0.1", port))
    app = build_application(settings)
    async with serving_webhook(app, settings) as server:
        intake = getattr(server.intake, "__self__", None)
        assert isinstance(intake, Intake)
        intake.max_backoff = 0.05
        found = app.bot_data[SERVICES_KEY]
        assert isinstance(found, Services)
        found.relay.retry_delay = 0.001
        yield intake, found


async def _mode(mode: str, bursts: int, database_url: str) -> tuple[int, Counter[str], int, int]:
    async with make_world(database_url) as world, _running(world, mode) as (intake, found):
        faults = Faults()
        drive = Drive(world, mode, intake, found, faults)
        await drive.setup()
        faults.install(found)
        for index in range(bursts):
            # Two steps a burst, every pair of steps in turn: each step meets each other one.
            steps = (STEPS[index % len(STEPS)], STEPS[(index + 1 + index // len(STEPS)) % len(STEPS)])
            await drive.burst(index, tuple(dict.fromkeys(steps)))
        await drive.quiet()
        lost, twice = await drive.outcome()
        progress(f"{mode}: {drive.updates} updates, {sum(faults.injected.values())} errors, lost {lost}, twice {twice}")
        return drive.updates, faults.injected, lost, twice


async def db_faults(
    updates: int = 200,
    *,
    modes: tuple[str, ...] = MODES,
    database_url: Callable[[Path], str] | None = None,
) -> dict[str, Any]:
    """At least ``updates`` updates (split between ``modes``), database errors injected before their work is
    stored; ``database_url`` gives the database in a temporary directory (default: a SQLite file there)."""
    bursts = max(1, -(-updates // (BURST * len(modes))))
    total, lost, twice = 0, 0, 0
    injected: Counter[str] = Counter()
    for mode in modes:
        with tempfile.TemporaryDirectory() as tmp:
            url = database_url(Path(tmp)) if database_url else f"sqlite+aiosqlite:///{Path(tmp) / 'kembar.db'}"
            count, errors, mode_lost, mode_twice = await _mode(mode, bursts, url)
        total += count
        injected.update(errors)
        lost += mode_lost
        twice += mode_twice
    return {
        "db_faults_updates": total,
        "db_faults_injected": sum(injected.values()),
        "db_faults_lost": lost,
        "db_faults_ran_twice": twice,
        "db_faults_by_step": {step: injected[step] for step in STEPS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.reliability_intake", description=__doc__)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.CRITICAL)
    print(json.dumps(asyncio.run(db_faults(args.updates)), indent=2))


if __name__ == "__main__":
    main()
