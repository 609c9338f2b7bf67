"""Two real Kembar processes on one PostgreSQL database, one killed (``kill -9``) in the middle of a burst.

Used by ``make bench`` (figures ``failover_seconds``, ``multi_instance_lost``, ``multi_instance_order_violations``,
``multi_instance_duplicates``) and by tests/e2e/test_cluster.py. The Bot API emulator and the local translation
server run in this process; the two instances are ``kembar run`` subprocesses talking to them over loopback:

- **polling**: both poll; only the leader does, the other stands by. The leader is killed.
- **webhook**: both serve the webhook behind a round-robin load balancer (here, in this process, as a
  load balancer in front of two machines would); the emulator posts each update to it, one at a time,
  as Telegram does with ``max_connections=1``. One instance is killed; the load balancer then finds it
  refusing connections and answers 502, and the emulator posts the update again, to the other.

Messages are marked (bench.common.marked_text) so that every copy can be traced to its source message.
Reminders due during the run are stored beforehand; each must reach each of its groups exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

from bench.common import MARK_RE, marked_text, progress
from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.town import Town, link_towns
from bot.sandbox.translate_server import TranslationServer
from bot.telegram.app import build_application, running
from handlers.context import SERVICES_KEY

TOKEN = "5555555555:AAE-kembar_cluster_secret_token"
SECRET = "cluster-webhook-secret-0123456789"
Mode = Literal["polling", "webhook"]
START_TIMEOUT = 60.0
DRAIN_TIMEOUT = 90.0


@dataclass
class ClusterResult:
    mode: str
    posted: int  # source messages posted
    expected_copies: int
    lost: int  # copies that never arrived
    order_violations: int  # copies that arrived before a copy of a message posted earlier in the same group
    duplicates_max_per_destination: int  # copies that arrived twice, in the worst destination
    failover_seconds: float  # kill -9 → every destination receiving copies of new messages again
    reminders_expected: int  # (reminder, group) pairs due during the run
    reminders_missing: int
    reminders_duplicated: int
    killed: str = ""
    survivor_leads: bool = False  # the survivor's /metrics says kembar_leader 1
    survivor_ready: bool = False  # the survivor's /readyz answers 200
    notes: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {
            "failover_seconds": round(self.failover_seconds, 2),
            "multi_instance_lost": self.lost,
            "multi_instance_order_violations": self.order_violations,
            "multi_instance_duplicates": self.duplicates_max_per_destination,
            "multi_instance_reminders_missing": self.reminders_missing,
            "multi_instance_reminders_duplicated": self.reminders_duplicated,
        }


# ------------------------------------------------------------------------------------------------
# A round-robin load balancer (webhook mode)
# ------------------------------------------------------------------------------------------------


class _Forward(tornado.web.RequestHandler):
    def initialize(self, balancer: LoadBalancer) -> None:
        self.balancer = balancer

    async def post(self, path: str) -> None:
        status, body = await self.balancer.forward(path, self.request.body, dict(self.request.headers))
        self.set_status(status)
        self.finish(body)


class LoadBalancer:
    """Sends each request to the next backend in turn; when a backend refuses the connection, the request
    goes to the next one (as nginx's ``proxy_next_upstream error`` does); 502 when none takes it."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._turn = itertools.cycle(range(len(backends)))
        self._server: tornado.httpserver.HTTPServer | None = None
        self._client = httpx.AsyncClient(timeout=30.0)
        self.port = 0
        self.forwarded = [0] * len(backends)

    async def forward(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        keep = {k: v for k, v in headers.items() if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        for _ in self.backends:
            index = next(self._turn)
            try:
                response = await self._client.post(f"{self.backends[index]}/{path}", content=body, headers=keep)
            except httpx.ConnectError:
                continue  # nothing listens there (any more): the next backend
            except httpx.HTTPError:
                return 502, b""  # it took the request and did not answer: the sender tries again
            self.forwarded[index] += 1
            return response.status_code, response.content
        return 502, b""

    async def __aenter__(self) -> LoadBalancer:
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        application = tornado.web.Application(
            [(r"/(.*)", _Forward, {"balancer": self})], log_function=lambda _handler: None
        )
        self._server = tornado.httpserver.HTTPServer(application)
        self._server.add_sockets(sockets)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
        await self._client.aclose()


# ------------------------------------------------------------------------------------------------
# Kembar processes
# ------------------------------------------------------------------------------------------------


def free_port() -> int:
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    port = int(sockets[0].getsockname()[1])
    for sock in sockets:
        sock.close()
    return port


class Instance:
    """``kembar run`` in a subprocess; its log in a file."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.env = env
        self.log = log
        self.process: asyncio.subprocess.Process | None = None
        listen = env.get("KEMBAR_LISTEN") or env.get("KEMBAR_METRICS_LISTEN") or ":0"
        self.port = int(listen.rsplit(":", 1)[1])  # where /healthz, /readyz and /metrics answer

    async def start(self) -> None:
        handle = self.log.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", env=self.env, stdout=handle, stderr=handle
            )
        finally:
            handle.close()

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    @property
    def leads(self) -> bool:
        return " leads" in self.text()

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)

    async def stop(self) -> int | None:
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()


def instance_env(world: ClusterWorld, *, mode: Mode, listen: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEMBAR_", "TELEGRAM_", "DATABASE_URL"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "KEMBAR_BOT_API_URL": world.emu.root_url,
            "DATABASE_URL": world.database_url,
            "KEMBAR_TRANSLATOR": "libre",
            "KEMBAR_TRANSLATOR_URL": world.server.root_url,
            "KEMBAR_TRANSLATOR_TIMEOUT": "5",
            "KEMBAR_SEND_RATE": "off",
            "KEMBAR_GROUP_RATE": "100000",
            "KEMBAR_LOG_LEVEL": "INFO",
            "KEMBAR_DATA_DIR": str(world.workdir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if mode == "webhook":
        assert listen is not None and world.balancer is not None
        env["KEMBAR_WEBHOOK_URL"] = f"http://127.0.0.1:{world.balancer.port}/telegram"
        env["KEMBAR_WEBHOOK_SECRET"] = SECRET
        env["KEMBAR_LISTEN"] = f"127.0.0.1:{listen}"
    else:
        env["KEMBAR_METRICS_LISTEN"] = f"127.0.0.1:{free_port()}"
    return env


# ------------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------------


@dataclass
class ClusterWorld:
    emu: BotApiEmulator
    server: TranslationServer
    database_url: str
    workdir: Path
    balancer: LoadBalancer | None = None


async def _set_up(world: ClusterWorld, reminders: int) -> tuple[list[tuple[Town, Town]], dict[str, list[int]]]:
    """Two bridges, linked as coordinators do, by an in-process Kembar on the same database; reminders due
    over the coming half minute stored through its reminder engine. Returns the bridges (source,
    destination) and, per reminder marker, the groups it must reach."""
    emu = world.emu
    pairs = [
        (Town(emu, "Surabaya", "id"), Town(emu, "Busan", "ko")),
        (Town(emu, "Bandung", "id"), Town(emu, "Braunschweig", "de")),
    ]
    settings = Settings(
        token=TOKEN,
        bot_api_url=emu.root_url,
        database_url=world.database_url,
        translator="libre",
        translator_url=world.server.root_url,
        send_rate=0.0,
        group_rate=100000.0,
    )
    expected: dict[str, list[int]] = {}
    async with running(build_application(settings, reminder_jobs=False), poll_timeout=1) as poller:
        services = poller.app.bot_data[SERVICES_KEY]
        for source, destination in pairs:
            for town in (source, destination):
                before = len(emu.sent(town.id))
                emu.post(town.id, town.admin.id, f"/lang {town.language}")
                await emu.wait_for_sent(town.id, before + 1)
                # At work around the clock, no public holidays ("ZZ" has none), no quiet hours, set before the bridge
                # is made (its members are cached with it): the run checks fail-over at whatever real time it runs, not
                # the groups' calendars.
                await services.chats.chats.set_workdays(town.id, frozenset(range(7)))
                await services.chats.chats.set_work_hours(town.id, 0, 24 * 60)
                await services.chats.chats.set_calendar(town.id, "ZZ", None)
                await services.reminder_engine.settings.set_quiet(town.id, None, None)  # and no quiet hours
            await link_towns(emu, source, destination)
        now = datetime.now(UTC)
        for n in range(reminders):
            source, destination = pairs[n % len(pairs)]
            chat = await services.chats.get(source.id)
            assert chat is not None
            scope = (await services.chats.context(chat)).scope
            marker = f"R{n}x{uuid.uuid4().hex[:4]}"
            when = now + timedelta(seconds=12 + 3 * n)
            await services.reminder_engine.add_adhoc(chat, scope, when, f"{marker} laporan", source.admin.id)
            expected[marker] = [source.id, destination.id]
    return pairs, expected


def _copies(emu: BotApiEmulator, chat_id: int, run: str) -> list[tuple[int, int]]:
    """(source index, sequence) of every marked copy in a chat, in the order they were sent."""
    found = []
    for message in emu.sent(chat_id):
        match = MARK_RE.search(str(message.get("text") or message.get("caption") or ""))
        if match and match.group(1) == run:
            found.append((int(match.group(2)), int(match.group(3))))
    return found


async def kill_mid_burst(
    database_url: str, mode: Mode, workdir: Path, *, messages: int = 160, reminders: int = 6
) -> ClusterResult:
    """Two instances, a burst of ``messages`` (half before the kill, half after), one instance killed."""
    async with contextlib.AsyncExitStack() as stack:
        emu = await stack.enter_async_context(BotApiEmulator(token=TOKEN))
        server = await stack.enter_async_context(TranslationServer(latency=0.01))
        world = ClusterWorld(emu, server, database_url, workdir)
        pairs, expected_reminders = await _set_up(world, reminders)
        instances: list[Instance] = []
        if mode == "webhook":
            ports = [free_port(), free_port()]
            world.balancer = await stack.enter_async_context(LoadBalancer([f"http://127.0.0.1:{p}" for p in ports]))
            for name, port in zip("AB", ports, strict=True):
                instances.append(Instance(name, instance_env(world, mode=mode, listen=port), workdir / f"{name}.log"))
        else:
            for name in "AB":
                instances.append(Instance(name, instance_env(world, mode=mode, listen=None), workdir / f"{name}.log"))
        stack.push_async_callback(_stop_all, instances)
        for instance in instances:
            await instance.start()
        victim = await _ready(world, instances, mode)
        progress(f"cluster {mode}: both instances up; instance {victim.name} will be killed")

        run = uuid.uuid4().hex[:6]
        routes = [(source, destination) for source, destination in pairs] + [(d, s) for s, d in pairs]
        half = messages // 2

        def post(seq: int) -> None:
            index = seq % len(routes)
            source, _ = routes[index]
            emu.post(source.id, source.member.id, marked_text(run, index, seq))

        for seq in range(half):
            post(seq)
        # Kill once some of the first half has been relayed, but not all of it.
        total_first = half
        await emu.wait_for(
            lambda: sum(len(_copies(emu, d.id, run)) for _, d in routes) >= max(4, total_first // 4) or None,
            START_TIMEOUT,
            message="the first copies",
        )
        killed_at = time.monotonic()
        victim.kill()
        for seq in range(half, messages):
            post(seq)

        expected = {i: [seq for seq in range(messages) if seq % len(routes) == i] for i in range(len(routes))}

        def complete() -> bool | None:
            for index, (_, destination) in enumerate(routes):
                got = {seq for src, seq in _copies(emu, destination.id, run) if src == index}
                if not set(expected[index]) <= got:
                    return None
            return True

        with contextlib.suppress(TimeoutError):
            await emu.wait_for(complete, DRAIN_TIMEOUT, message="every copy")
        # Fail-over: from the kill until every destination got a copy of a message posted after the kill.
        recovered: list[float] = []
        for index, (_, destination) in enumerate(routes):
            firsts = [
                call.time
                for call in emu.calls
                if call.time > killed_at
                and call.status == 200
                and call.method in ("sendMessage", "copyMessage")
                and str(call.params.get("chat_id")) == str(destination.id)
                and _is_after_kill_copy(call.params, run, index, half)
            ]
            recovered.append(min(firsts) - killed_at if firsts else float("inf"))

        lost = order = 0
        per_destination: dict[int, int] = {}  # copies that came twice, per destination chat
        for index, (_, destination) in enumerate(routes):
            seen = [seq for src, seq in _copies(emu, destination.id, run) if src == index]
            lost += len(set(expected[index]) - set(seen))
            firsts = list(dict.fromkeys(seen))
            order += sum(1 for a, b in itertools.pairwise(firsts) if b < a)
            per_destination[destination.id] = per_destination.get(destination.id, 0) + len(seen) - len(set(seen))
        duplicates = max(per_destination.values(), default=0)

        missing, duplicated = await _reminders_sent(emu, expected_reminders)
        survivor = next(i for i in instances if i is not victim)
        leads, ready = await _survivor_state(survivor)
        return ClusterResult(
            mode=mode,
            posted=messages,
            expected_copies=sum(len(v) for v in expected.values()),
            lost=lost,
            order_violations=order,
            duplicates_max_per_destination=duplicates,
            failover_seconds=max(recovered),
            reminders_expected=sum(len(v) for v in expected_reminders.values()),
            reminders_missing=missing,
            reminders_duplicated=duplicated,
            killed=victim.name,
            survivor_leads=leads,
            survivor_ready=ready,
            notes=[f"forwarded {world.balancer.forwarded}" if world.balancer else ""],
        )
    raise AssertionError("unreachable")


def _is_after_kill_copy(params: dict[str, Any], run: str, index: int, half: int) -> bool:
    match = MARK_RE.search(str(params.get("text") or params.get("caption") or ""))
    return bool(match and match.group(1) == run and int(match.group(2)) == index and int(match.group(3)) >= half)


async def _ready(world: ClusterWorld, instances: list[Instance], mode: Mode) -> Instance:
    """Wait until both instances run; the one to kill: the leader (polling), else the first."""
    if mode == "polling":
        await world.emu.wait_for(
            lambda: any(i.leads for i in instances) or None, START_TIMEOUT, message="an instance leading"
        )
        await world.emu.wait_for(
            lambda: all("joined the cluster" in i.text() for i in instances) or None,
            START_TIMEOUT,
            message="both instances joined",
        )
        await _listening(instances)
        return next(i for i in instances if i.leads)
    await _listening(instances)
    await world.emu.wait_for(lambda: bool(world.emu.webhook_url) or None, START_TIMEOUT, message="the webhook set")
    return instances[0]


async def _listening(instances: list[Instance]) -> None:
    """Until each instance answers /healthz (it started, or failed to: then its log is shown)."""
    async with httpx.AsyncClient(timeout=2.0) as client:
        for instance in instances:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"http://127.0.0.1:{instance.port}/healthz")).status_code == 200:
                        break
                if time.monotonic() > deadline or (instance.process and instance.process.returncode is not None):
                    raise RuntimeError(f"instance {instance.name} did not start:\n{instance.text()[-3000:]}")
                await asyncio.sleep(0.1)


async def _survivor_state(survivor: Instance) -> tuple[bool, bool]:
    """Whether the survivor says, over HTTP, that it leads (``kembar_leader 1``) and is ready."""
    async with httpx.AsyncClient(timeout=10.0) as client:
        scraped = await client.get(f"http://127.0.0.1:{survivor.port}/metrics")
        ready = await client.get(f"http://127.0.0.1:{survivor.port}/readyz")
    leads = any(line.strip() == "kembar_leader 1.0" for line in scraped.text.splitlines())
    return leads, ready.status_code == 200


async def _reminders_sent(emu: BotApiEmulator, expected: dict[str, list[int]]) -> tuple[int, int]:
    """Wait for each reminder in each of its groups; (missing, sent more than once)."""

    def counts() -> dict[tuple[str, int], int]:
        found: dict[tuple[str, int], int] = {}
        for marker, chats in expected.items():
            for chat in chats:
                found[(marker, chat)] = sum(1 for m in emu.sent(chat) if marker in str(m.get("text") or ""))
        return found

    with contextlib.suppress(TimeoutError):
        await emu.wait_for(lambda: all(counts().values()) or None, 120.0, message="every reminder")
    final = counts()
    return sum(1 for c in final.values() if c == 0), sum(1 for c in final.values() if c > 1)


async def _stop_all(instances: list[Instance]) -> None:
    for instance in instances:
        await instance.stop()


@contextlib.asynccontextmanager
async def temporary_directory() -> AsyncIterator[Path]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kembar-cluster-") as tmp:
        yield Path(tmp)


DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


@dataclass
class ClusterFigures:
    figures: dict[str, Any]
    details: dict[str, Any]
    note: str = ""


async def cluster_suite(database_url: str | None, messages: int) -> ClusterFigures | None:
    """Both modes, each on a fresh PostgreSQL database: ``database_url`` when it is one, else the local
    server (several instances need PostgreSQL; on SQLite a second instance refuses to start)."""
    from bench.common import fresh_database, is_postgres

    note = ""
    server = (
        database_url
        if database_url is not None and is_postgres(database_url)
        else os.environ.get("KEMBAR_BENCH_PG_URL", DEFAULT_PG_URL)
    )
    if not is_postgres(database_url):
        note = f"several instances need PostgreSQL: measured on {server.split('@')[-1]}, not on SQLite"
    results: dict[str, ClusterResult] = {}
    for mode in ("polling", "webhook"):
        progress(f"cluster: {mode} mode, two instances, one killed mid-burst")
        async with fresh_database(server) as url, temporary_directory() as workdir:
            results[mode] = await kill_mid_burst(url, mode, workdir, messages=messages)
    figures = {
        "failover_seconds": round(max(r.failover_seconds for r in results.values()), 2),
        "multi_instance_lost": sum(r.lost for r in results.values()),
        "multi_instance_order_violations": sum(r.order_violations for r in results.values()),
        "multi_instance_duplicates": max(r.duplicates_max_per_destination for r in results.values()),
    }
    details = {
        mode: {**r.figures(), "posted": r.posted, "reminders_expected": r.reminders_expected,
               "survivor_leads": r.survivor_leads, "survivor_ready": r.survivor_ready}
        for mode, r in results.items()
    }  # fmt: skip
    return ClusterFigures(figures, details, note)
