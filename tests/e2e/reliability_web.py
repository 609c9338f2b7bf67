"""Slow clients against the HTTP listener (``make reliability``'s ``slow_clients`` figures; issue 21).

A real ``kembar run`` (long polling, ``/healthz`` ``/readyz`` ``/metrics`` on ``KEMBAR_METRICS_LISTEN``) runs
in its own process against the Bot API emulator and the local translation server, with its open-file limit
set to 1,024 — soft and hard, so raising it at start (bot.ops.connections) cannot help and the listener's
cap and timeouts are what hold. Then ``connections`` slow clients (a process of their own) connect to the
listener, each sending half a request header and then one byte every ``trickle_every`` seconds, and coming
back ``reconnect_after`` seconds after the listener closes it (so the crowd keeps pressing the whole time).
Meanwhile a health probe asks ``GET /healthz`` every ``probe_every`` seconds on a fresh connection, as a
supervisor does, and members post messages that must reach the partner group.

``slow_clients`` returns:

* ``slow_clients``: slow connections that were established (each of ``connections`` at least once);
* ``slow_clients_healthz_p99_ms``: the 99th percentile of the probe's answer time (a probe with no ``200``
  within ``probe_timeout`` counts as that timeout); also ``…_max_ms``, ``…_probes``, ``…_failed`` and
  ``…_failures`` (why: ``timeout``, ``closed without an answer`` …);
* ``slow_clients_relay_ok``: every message posted during the attack reached the partner group;
* ``slow_clients_log_bytes``: how much the bot's log grew during the attack;
* ``slow_clients_fd_limit``, ``slow_clients_fds_max`` (the bot's descriptors in use at most, Linux),
  ``slow_clients_reconnects`` (connections the listener closed and the client opened again),
  ``slow_clients_closed_by_reason`` (the bot's ``kembar_http_connections_closed_total``),
  ``slow_clients_open_max`` (slow connections open at once, from the clients' side), ``…_seconds``.

``python -m tests.e2e.reliability_web [--connections N] [--duration S]`` prints them as JSON;
``tests/e2e/test_reliability_web.py`` runs it at a small size.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.ops.connections import current_limit, raise_limit
from bot.sandbox.town import Town
from tests.world import World, make_world, start_bot, stop_bot

HOST = "127.0.0.1"
HALF_HEADER = b"GET /healthz HTTP/1.1\r\nHost: kembar\r\nUser-Agent: slow\r\nX-Slow: "
TARGETS = {
    "slow_clients": {">=": 2000},
    "slow_clients_healthz_p99_ms": {"<=": 1000},
    "slow_clients_relay_ok": {"==": True},
    "slow_clients_log_bytes": {"<=": 1_000_000},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


async def start_limited_bot(
    world: World,
    data_dir: Path,
    log: Any,
    port: int,
    descriptors: tuple[int, int],
    max_connections: int | None = None,
) -> asyncio.subprocess.Process:
    """``kembar run`` (polling, its listener on ``port``) with ``RLIMIT_NOFILE`` set to ``descriptors``
    (soft, hard) before it starts."""
    env = {"KEMBAR_TRANSLATOR_TIMEOUT": "2", "KEMBAR_METRICS_LISTEN": f"{HOST}:{port}"}
    if max_connections is not None:
        env["KEMBAR_MAX_CONNECTIONS"] = str(max_connections)
    return await start_bot(world, data_dir, log, env=env, descriptors=descriptors)


async def healthz(port: int, timeout: float) -> float | str:  # noqa: ASYNC109
    """Seconds until a fresh connection's ``GET /healthz`` is answered ``200``, or why it was not."""
    started = time.perf_counter()
    writer: asyncio.StreamWriter | None = None
    answer = b""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
            answer = await reader.read()
    except TimeoutError:
        return "timeout"
    except OSError as exc:
        return type(exc).__name__
    finally:
        if writer is not None:
            writer.close()
    if not answer.startswith(b"HTTP/1.1 200"):
        return f"answered {answer[:12]!r}" if answer else "closed without an answer"
    return time.perf_counter() - started


async def until(check: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:g} s for {what}")
        await asyncio.sleep(0.05)  # another process's listener: nothing to wait on but asking


async def _closed_by_reason(port: int) -> dict[str, float]:
    """``kembar_http_connections_closed_total`` of the bot, per reason (from its /metrics)."""
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
            text = (await client.get(f"http://{HOST}:{port}/metrics")).text
    except httpx.HTTPError:
        return {}  # the listener does not answer (the figures above say so)
    return {
        sample.labels["reason"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "kembar_http_connections_closed_total"
    }


def _size(path: Path) -> int:
    return path.stat().st_size


def _open_descriptors(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


class _Crowd:
    """``size`` slow clients, each holding one connection open for as long as the listener lets it."""

    def __init__(self, port: int, size: int, trickle_every: float, reconnect_after: float) -> None:
        self.port = port
        self.size = size
        self.trickle_every = trickle_every
        self.reconnect_after = reconnect_after
        self.stop = asyncio.Event()
        self.connected: set[int] = set()
        self.open = 0
        self.open_max = 0
        self.reconnects = 0
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self._client(n)) for n in range(self.size)]

    def figures(self) -> dict[str, int]:
        return {
            "connected": len(self.connected),
            "open": self.open,
            "open_max": self.open_max,
            "reconnects": self.reconnects,
        }

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop.wait(), seconds)

    async def _client(self, n: int) -> None:
        rng = random.Random(n)
        while not self.stop.is_set():
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, self.port), 30)
            except (OSError, TimeoutError):
                await self._pause(self.reconnect_after)
                continue
            self.connected.add(n)
            self.open += 1
            self.open_max = max(self.open_max, self.open)
            try:
                writer.write(HALF_HEADER)
                while not self.stop.is_set():
                    try:  # anything read (the end, or an answer) means the listener is done with us
                        await asyncio.wait_for(reader.read(4096), self.trickle_every * rng.uniform(0.8, 1.2))
                        break
                    except TimeoutError:
                        writer.write(b"x")  # one more byte of a header that never ends
            except OSError:
                pass
            finally:
                self.open -= 1
                writer.close()
            if not self.stop.is_set():
                self.reconnects += 1
                await self._pause(self.reconnect_after)


async def slow_clients(
    connections: int = 2000,
    *,
    duration: float = 30.0,
    trickle_every: float = 5.0,
    reconnect_after: float = 1.0,
    probe_every: float = 0.1,
    probe_timeout: float = 5.0,
    messages: int = 10,
    descriptors: int = 1024,
    max_connections: int | None = None,
) -> dict[str, Any]:
    """Measure the listener of a real bot under ``connections`` slow clients (the module's docstring)."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        async with make_world(f"sqlite+aiosqlite:///{Path(tmp) / 'kembar.db'}") as world:
            surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
            port = free_port()
            log_path = Path(tmp) / "bot.log"
            with log_path.open("wb") as log:
                proc = await start_limited_bot(world, Path(tmp), log, port, (descriptors, descriptors), max_connections)
                try:

                    async def up() -> bool:
                        if proc.returncode is not None:
                            raise RuntimeError(f"kembar run ended ({proc.returncode}): {log_path.read_text()[-2000:]}")
                        return not isinstance(await healthz(port, 1.0), str)

                    await until(up, 60, "the bot's /healthz")
                    await world.setup(surabaya, busan)
                    return await _attack(
                        world,
                        surabaya,
                        busan,
                        proc,
                        log_path,
                        port,
                        connections=connections,
                        duration=duration,
                        trickle_every=trickle_every,
                        reconnect_after=reconnect_after,
                        probe_every=probe_every,
                        probe_timeout=probe_timeout,
                        messages=messages,
                        descriptors=descriptors,
                        started=started,
                    )
                finally:
                    await stop_bot(proc)


async def _attack(
    world: World,
    surabaya: Town,
    busan: Town,
    proc: asyncio.subprocess.Process,
    log_path: Path,
    port: int,
    *,
    connections: int,
    duration: float,
    trickle_every: float,
    reconnect_after: float,
    probe_every: float,
    probe_timeout: float,
    messages: int,
    descriptors: int,
    started: float,
) -> dict[str, Any]:
    log_before = _size(log_path)
    latencies: list[float] = []
    failures: Counter[str] = Counter()
    fds_max = 0
    done = asyncio.Event()

    async def probe() -> None:
        while not done.is_set():
            answered = await healthz(port, probe_timeout)
            if isinstance(answered, str):
                failures[answered] += 1
                latencies.append(probe_timeout)
            else:
                latencies.append(answered)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), probe_every)

    async def count_descriptors() -> None:
        nonlocal fds_max
        while not done.is_set():
            fds_max = max(fds_max, _open_descriptors(proc.pid) or 0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.25)

    crowd = _CrowdProcess(port, connections, trickle_every, reconnect_after)
    watchers = [asyncio.create_task(probe()), asyncio.create_task(count_descriptors())]
    await crowd.start()
    attack_started = time.monotonic()
    relay_ok = False
    try:
        # Everyone in, then the members talk while the crowd keeps pressing.
        async def all_in() -> bool:
            if crowd.proc is not None and crowd.proc.returncode is not None:
                raise RuntimeError(f"the slow clients' process ended ({crowd.proc.returncode})")
            return crowd.figures["connected"] >= connections

        with contextlib.suppress(TimeoutError):
            await until(all_in, max(duration, 30.0), "every slow client to connect once")
        posted: list[str] = []
        gap = max(0.0, duration - (time.monotonic() - attack_started)) / max(1, messages)
        for n in range(messages):
            text = f"slow-clients-{n} kabar dari Surabaya"
            world.emu.post(surabaya.id, surabaya.member.id, text)
            posted.append(f"slow-clients-{n}")
            await asyncio.sleep(gap)  # the attack goes on between the messages: its duration, not a wait

        def relayed() -> bool:
            texts = world.texts(busan)
            return all(any(tag in t for t in texts) for tag in posted)

        try:
            await world.emu.wait_for(relayed, timeout=60)
            relay_ok = True
        except TimeoutError:
            relay_ok = False
        # The attack lasts at least `duration`.
        rest = duration - (time.monotonic() - attack_started)
        if rest > 0:
            await asyncio.sleep(rest)  # the attack's duration, not a wait for a condition
        log_bytes = _size(log_path) - log_before
        closed = await _closed_by_reason(port)
    finally:
        await crowd.stop()
        done.set()
        await asyncio.gather(*watchers, return_exceptions=True)
    ordered = sorted(latencies)
    p99 = ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)] if ordered else probe_timeout
    return {
        "slow_clients": crowd.figures["connected"],
        "slow_clients_healthz_p99_ms": round(1000 * p99, 1),
        "slow_clients_relay_ok": relay_ok,
        "slow_clients_log_bytes": log_bytes,
        "slow_clients_healthz_max_ms": round(1000 * (ordered[-1] if ordered else probe_timeout), 1),
        "slow_clients_healthz_probes": len(ordered),
        "slow_clients_healthz_failed": sum(failures.values()),
        "slow_clients_healthz_failures": dict(failures),
        "slow_clients_reconnects": crowd.figures["reconnects"],
        "slow_clients_closed_by_reason": closed,
        "slow_clients_open_max": crowd.figures["open_max"],
        "slow_clients_fd_limit": descriptors,
        "slow_clients_fds_max": fds_max,
        "slow_clients_seconds": round(time.monotonic() - started, 1),
    }


async def _crowd_process(port: int, size: int, trickle_every: float, reconnect_after: float) -> None:
    """The crowd in a process of its own (so the probe's process is not the one busy with 2,000 sockets):
    a line of figures on standard output every quarter second, until SIGTERM or SIGINT, then a last one."""
    needed = size + 256
    limit = current_limit()
    if limit.soft is not None and limit.soft < needed:
        limit = raise_limit(needed)
        if limit.soft is not None and limit.soft < needed:
            raise SystemExit(f"{size} slow clients need {needed} open files; the limit is {limit.soft}")
    crowd = _Crowd(port, size, trickle_every, reconnect_after)
    ending = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, ending.set)
    crowd.start()
    while not ending.is_set():
        print(json.dumps(crowd.figures()), flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ending.wait(), 0.25)
    await crowd.close()
    print(json.dumps(crowd.figures()), flush=True)


class _CrowdProcess:
    """``_crowd_process`` run as ``python -m tests.e2e.reliability_web --crowd …``; ``figures`` are its last."""

    def __init__(self, port: int, size: int, trickle_every: float, reconnect_after: float) -> None:
        self.args = [str(port), str(size), str(trickle_every), str(reconnect_after)]
        self.figures: dict[str, int] = {"connected": 0, "open": 0, "open_max": 0, "reconnects": 0}
        self.proc: asyncio.subprocess.Process | None = None
        self._reading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.e2e.reliability_web", "--crowd", *self.args, stdout=asyncio.subprocess.PIPE
        )
        self._reading = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        async for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                self.figures = json.loads(line)

    async def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 60)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        if self._reading is not None:
            await self._reading


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.reliability_web", description=__doc__)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--max-connections", type=int, default=None, help="KEMBAR_MAX_CONNECTIONS of the bot")
    parser.add_argument("--crowd", nargs=4, metavar=("PORT", "SIZE", "TRICKLE", "RECONNECT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.crowd:
        port, size, trickle, reconnect = args.crowd
        asyncio.run(_crowd_process(int(port), int(size), float(trickle), float(reconnect)))
        return
    import logging

    logging.basicConfig(level=logging.CRITICAL)
    found = asyncio.run(slow_clients(args.connections, duration=args.duration, max_connections=args.max_connections))
    print(json.dumps({**found, "targets": TARGETS}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
