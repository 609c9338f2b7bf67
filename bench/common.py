"""Shared machinery: progress output, fresh databases, timing relayed copies, a Kembar world to drive."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench.profiling import Profile
from bot.config import Settings
from bot.ports import Person
from bot.sandbox.emulator import BotApiEmulator, JsonDict
from bot.sandbox.town import Town, link_towns
from bot.sandbox.translate_server import TranslationServer
from bot.telegram.app import build_application, running
from bot.telegram.polling import DurablePoller

TOKEN = "5555555555:AAE-kembar_bench_secret_token"

_STARTED = time.perf_counter()


def progress(text: str) -> None:
    """One line of progress on stderr (stdout carries only the final JSON)."""
    print(f"[bench {time.perf_counter() - _STARTED:7.1f}s] {text}", file=sys.stderr, flush=True)


def percentile(sorted_values: Sequence[float], share: float) -> float | None:
    """Linear-interpolated percentile (``share`` in 0..1) of already sorted values; None when empty."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * share
    low = math.floor(position)
    high = math.ceil(position)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


# ------------------------------------------------------------------------------------------------
# Telegram and a translator on this process, for suites that drive the services directly
# ------------------------------------------------------------------------------------------------


class PrefixingTranslator:
    """A translator on this process (no network): texts are "translated" by a prefix."""

    name = "bench"

    async def translate(self, texts: list[str], source: str | None, target: str) -> list[str]:
        return [f"[{target}] {text}" if text.strip() else text for text in texts]


class QuietTelegram:
    """Sender and Members for work that is only measured: everything succeeds; texts are kept (and counted per
    chat), files only counted."""

    def __init__(self) -> None:
        self.files = 0
        self.texts: list[str] = []
        self.chats: list[int] = []

    async def send_text(self, chat_id: int, html: str, **_: Any) -> int:
        self.texts.append(html)
        self.chats.append(chat_id)
        return len(self.texts)

    async def send_file(self, chat_id: int, data: bytes, filename: str, **_: Any) -> int:
        self.files += 1
        return self.files

    async def copy(self, *args: Any, **kwargs: Any) -> int:
        return 0

    async def edit_text(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def edit_caption(self, *args: Any) -> None:
        return None

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        return True

    async def is_member(self, chat_id: int, user_id: int) -> bool:
        return True

    async def bot_can_read(self, chat_id: int) -> bool:
        return True

    async def download(self, file_id: str, max_bytes: int) -> bytes | None:
        return None

    async def administrators(self, chat_id: int) -> list[Person]:
        return []


def run_child(module: str, *args: str, timeout: float) -> dict[str, Any]:
    """``python -m <module> <args>`` in a fresh process (memory is measured there); the JSON object on the
    last line of its output."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path.cwd()), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{module} {args[0]} failed ({done.returncode}): {tail}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# ------------------------------------------------------------------------------------------------
# Databases
# ------------------------------------------------------------------------------------------------


def is_postgres(database_url: str | None) -> bool:
    return database_url is not None and make_url(database_url).get_backend_name() == "postgresql"


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_database(database_url: str | None) -> AsyncIterator[str]:
    """A fresh, empty database for one bot: a SQLite file in a temporary directory, or (for a
    ``postgresql`` URL) a new database on that server created with asyncpg and dropped afterwards."""
    if not is_postgres(database_url):
        with tempfile.TemporaryDirectory(prefix="kembar-bench-", ignore_cleanup_errors=True) as tmp:
            yield f"sqlite+aiosqlite:///{(Path(tmp) / 'kembar.db').as_posix()}"
        return
    assert database_url is not None
    admin = await asyncpg.connect(_asyncpg_dsn(database_url), timeout=10)
    name = f"kembar_bench_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(database_url).set(drivername="postgresql+asyncpg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


# ------------------------------------------------------------------------------------------------
# Posting marked messages and timing their relayed copies
# ------------------------------------------------------------------------------------------------

MARK_RE = re.compile(r"Pesan ([a-z0-9]+)-(\d+)-(\d+):")


def marked_text(run: str, source: int, seq: int) -> str:
    """An Indonesian message carrying (run, source index, sequence number); the marker survives translation."""
    return f"Pesan {run}-{source}-{seq}: tolong kirim laporan kegiatan kota kembar minggu ini"


@dataclass(frozen=True)
class Route:
    """Messages posted by ``user`` into ``src_chat`` must reach every chat of ``dsts``."""

    src_chat: int
    user: int
    dsts: tuple[int, ...]


@dataclass
class RunResult:
    run: str
    posts: int
    copies: int
    seconds: float  # first post → last relayed copy
    post_seconds: float  # how long posting itself took (the emulator's side, same for every bot)
    latencies_ms: list[float] = field(repr=False)  # sorted, one per copy
    order_violations: int
    arrivals_s: list[float] = field(repr=False)  # sorted, seconds from the first post, one per copy

    @property
    def msgs_per_s(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else math.inf

    def latency(self, share: float) -> float | None:
        value = percentile(self.latencies_ms, share)
        return None if value is None else round(value, 2)

    def summary(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "copies": self.copies,
            "seconds": round(self.seconds, 3),
            "post_seconds": round(self.post_seconds, 3),
            "msgs_per_s": round(self.msgs_per_s, 2),
            "latency_ms_p50": self.latency(0.50),
            "latency_ms_p95": self.latency(0.95),
            "latency_ms_p99": self.latency(0.99),
            "latency_ms_max": round(self.latencies_ms[-1], 2) if self.latencies_ms else None,
            "order_violations": self.order_violations,
            # When a quarter, half ... of the copies had arrived: shows throughput changing during the run.
            "arrived_s_by_quarter": [
                round(self.arrivals_s[max(0, math.ceil(len(self.arrivals_s) * q / 4) - 1)], 3) for q in (1, 2, 3, 4)
            ]
            if self.arrivals_s
            else None,
        }


class Tracker:
    """The emulator's ``on_bot_message`` hook: times the first copy of each marked post in each destination.

    An order violation is a copy that reaches a destination after a copy of a *later* message of the
    same source (its sequence number is below the highest one that destination has seen from that source).
    """

    def __init__(self) -> None:
        self._run: str | None = None
        self._routes: dict[int, frozenset[int]] = {}
        self._posted: dict[tuple[int, int], float] = {}
        self._arrived: dict[tuple[int, int, int], float] = {}
        self._highest: dict[tuple[int, int], int] = {}
        self._expected = 0
        self._done = asyncio.Event()
        self._step = asyncio.Event()
        self.violations = 0
        self.last_arrival = 0.0

    def begin(self, run: str, routes: Sequence[Route], expected: int) -> None:
        self._run = run
        self._routes = {index: frozenset(route.dsts) for index, route in enumerate(routes)}
        self._posted = {}
        self._arrived = {}
        self._highest = {}
        self._expected = expected
        self._done = asyncio.Event()
        self.violations = 0
        self.last_arrival = 0.0

    def posted(self, source: int, seq: int) -> None:
        self._posted[(source, seq)] = time.perf_counter()

    @property
    def arrived(self) -> int:
        return len(self._arrived)

    def hook(self, chat_id: int, message: JsonDict) -> None:
        if self._run is None:
            return
        text = message.get("text") or message.get("caption")
        if not isinstance(text, str):
            return
        match = MARK_RE.search(text)
        if match is None or match.group(1) != self._run:
            return
        source, seq = int(match.group(2)), int(match.group(3))
        key = (chat_id, source, seq)
        if key in self._arrived or chat_id not in self._routes.get(source, ()) or (source, seq) not in self._posted:
            return  # an edit of a copy, or not a copy we wait for
        now = time.perf_counter()
        self._arrived[key] = now
        self.last_arrival = now
        stream = (chat_id, source)
        if seq < self._highest.get(stream, -1):
            self.violations += 1
        else:
            self._highest[stream] = seq
        self._step.set()
        if len(self._arrived) >= self._expected:
            self._done.set()

    async def wait_for_count(self, count: int, timeout: float) -> None:  # noqa: ASYNC109
        """Until ``count`` copies of this run have arrived (used to pace posts one at a time)."""
        deadline = time.perf_counter() + timeout
        while len(self._arrived) < count:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"run {self._run}: {self.arrived}/{count} relayed copies after {timeout:g}s")
            self._step = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._step.wait(), remaining)

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        deadline = time.perf_counter() + timeout
        while not self._done.is_set():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(
                    f"run {self._run}: {self.arrived}/{self._expected} relayed copies after {timeout:g}s"
                )
            try:
                await asyncio.wait_for(self._done.wait(), min(remaining, 10.0))
            except TimeoutError:
                progress(f"  run {self._run}: {self.arrived}/{self._expected} copies so far")

    def latencies_ms(self) -> list[float]:
        return sorted((t - self._posted[(source, seq)]) * 1000 for (_, source, seq), t in self._arrived.items())

    def arrivals_since(self, start: float) -> list[float]:
        return sorted(t - start for t in self._arrived.values())

    def end(self) -> None:
        self._run = None


async def run_posts(
    emu: BotApiEmulator,
    tracker: Tracker,
    run: str,
    routes: Sequence[Route],
    per_route: int,
    *,
    timeout: float,  # noqa: ASYNC109
    profile: Profile | None = None,
    paced: bool = False,
) -> RunResult:
    """Post ``per_route`` marked messages into each route's source (interleaved across sources, as one
    burst), then wait until every destination has its copy of each. Timed with ``perf_counter``.

    ``paced``: post the next message only once every copy of the previous one has arrived (latency
    without queueing: the cost of one message's trip through the bot)."""
    fan_out = sum(len(route.dsts) for route in routes)
    expected = per_route * fan_out
    tracker.begin(run, routes, expected)
    if profile is not None:
        profile.start()
    start = time.perf_counter()
    for seq in range(per_route):
        for source, route in enumerate(routes):
            tracker.posted(source, seq)
            emu.post(route.src_chat, route.user, marked_text(run, source, seq))
        if paced:
            await tracker.wait_for_count((seq + 1) * fan_out, timeout)
    posted = time.perf_counter()
    try:
        await tracker.wait(timeout)
    finally:
        if profile is not None:
            profile.stop()
        tracker.end()
    return RunResult(
        run=run,
        posts=per_route * len(routes),
        copies=expected,
        seconds=tracker.last_arrival - start,
        post_seconds=posted - start,
        latencies_ms=tracker.latencies_ms(),
        order_violations=tracker.violations,
        arrivals_s=tracker.arrivals_since(start),
    )


async def settle(emu: BotApiEmulator, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Until the bot has taken every pending update and is waiting in a long poll again."""
    await emu.wait_for(
        lambda: not emu.pending_updates and emu.active_polls >= 1,
        timeout,
        poll_interval=0.05,
        message="the bot idle in a long poll",
    )


# ------------------------------------------------------------------------------------------------
# A Kembar world: emulator + translation server + fresh database, groups linked with /lang and /link
# ------------------------------------------------------------------------------------------------


class KembarWorld:
    def __init__(self, emu: BotApiEmulator, server: TranslationServer, tracker: Tracker, database_url: str) -> None:
        self.emu = emu
        self.server = server
        self.tracker = tracker
        self.database_url = database_url

    def settings(self) -> Settings:
        return Settings(
            token=TOKEN,
            bot_api_url=self.emu.root_url,
            database_url=self.database_url,
            translator="libre",
            translator_url=self.server.root_url,
            translator_timeout=30.0,
            log_level="WARNING",
            send_rate=0.0,  # KEMBAR_SEND_RATE=off: no rate limiter, as the relay_ratio asks
            group_rate=100000.0,
        )

    def bot(self) -> AbstractAsyncContextManager[DurablePoller]:
        return running(build_application(self.settings()), poll_timeout=10)

    def town(self, city: str, language: str) -> Town:
        return Town(self.emu, city, language)

    async def ask(self, town: Town, text: str) -> str:
        before = len(self.emu.sent(town.id))
        self.emu.post(town.id, town.admin.id, text)
        sent = await self.emu.wait_for_sent(town.id, before + 1, timeout=30.0)
        return str(sent[before].get("text"))

    async def link(self, towns: Sequence[Town]) -> None:
        """Set each town's language, then join them all into the first town's bridge with /link codes."""
        for town in towns:
            await self.ask(town, f"/lang {town.language}")
        for other in towns[1:]:
            await link_towns(self.emu, towns[0], other, timeout=30.0)

    async def run_posts(
        self,
        run: str,
        routes: Sequence[Route],
        per_route: int,
        *,
        timeout: float,  # noqa: ASYNC109
        profile: Profile | None = None,
        paced: bool = False,
    ) -> RunResult:
        await settle(self.emu)
        return await run_posts(
            self.emu, self.tracker, run, routes, per_route, timeout=timeout, profile=profile, paced=paced
        )


@asynccontextmanager
async def kembar_world(database_url: str | None, *, latency: float = 0.0) -> AsyncIterator[KembarWorld]:
    tracker = Tracker()
    async with (
        fresh_database(database_url) as url,
        BotApiEmulator(token=TOKEN, on_bot_message=tracker.hook) as emu,
        TranslationServer(latency=latency) as server,
    ):
        yield KembarWorld(emu, server, tracker, url)


def pair_routes(pairs: Iterable[tuple[Town, Town]]) -> list[Route]:
    return [Route(a.id, a.member.id, (b.id,)) for a, b in pairs]
