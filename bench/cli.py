"""``python -m bench``: run the suite, print one JSON object on stdout."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bench.common import is_postgres, progress

SUITES = ("relay", "hiding", "provider", "reminders", "report", "scale", "cluster", "dates")

# The targets: metric → (comparison, value).
TARGETS: dict[str, tuple[str, float]] = {
    "relay_ratio": (">=", 0.9),
    "latency_hiding_ratio": (">=", 0.8),
    "order_violations": ("==", 0),
    "provider_calls_first": ("==", 2),
    "provider_calls_repeat": ("==", 0),
    "reminders_memory_ratio": ("<=", 1.2),
    "report_seconds": ("<=", 1.0),
    "status_p95_ms": ("<=", 50.0),
    "sweep_cpu_ms_per_min": ("<=", 100.0),
    # calendar_sweep_cpu_ms_per_min within 1.2× of sweep_cpu_ms_per_min measured in the same run
    "calendar_sweep_ratio": ("<=", 1.2),
    "scale_memory_ratio": ("<=", 1.5),
    "failover_seconds": ("<=", 15.0),
    "multi_instance_lost": ("==", 0),
    "multi_instance_order_violations": ("==", 0),
    "multi_instance_duplicates": ("<=", 1),
    "dates_us_per_phrase": ("<=", 60.0),
}

_T = TypeVar("_T")


@dataclass(frozen=True)
class Sizes:
    messages: int
    rounds: int
    warmup: int
    paced: int
    bridges: int
    per_group: int
    latency_ms: float
    reminders_small: int
    reminders_large: int
    reminders_settle_s: float
    scale_groups: int
    scale_renders: int
    scale_minutes: int


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, Sizes]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small smoke run (about 30 s)")
    parser.add_argument("--messages", type=int, help="relay_ratio: messages posted (default 2000; quick 100)")
    parser.add_argument(
        "--rounds",
        type=int,
        help="relay_ratio and latency hiding: alternating measured rounds per side (default 3; quick 1)",
    )
    parser.add_argument("--warmup", type=int, help="relay_ratio: unmeasured messages first (default 20; quick 5)")
    parser.add_argument("--paced", type=int, help="relay: messages then sent one at a time (default 50; quick 10)")
    parser.add_argument("--bridges", type=int, help="latency hiding: two-group bridges (default 10)")
    parser.add_argument("--per-group", type=int, help="latency hiding: messages per source group (default 50; quick 5)")
    parser.add_argument("--latency-ms", type=float, default=300.0, help="latency hiding: translator latency")
    parser.add_argument("--reminders", type=int, nargs=2, metavar=("SMALL", "LARGE"), help="default 1000 100000")
    parser.add_argument(
        "--scale-groups",
        type=int,
        help="scale: groups of the national network, with 20 action items and 100 reminders per group "
        "(default 1000; quick 100)",
    )
    parser.add_argument(
        "--database-url",
        help="run Kembar on PostgreSQL (a fresh database per bot is created on that server), e.g. "
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test; default: a fresh SQLite file per bot",
    )
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(SUITES)}")
    parser.add_argument("--profile", type=Path, metavar="DIR", help="pyinstrument reports of the relay runs into DIR")
    parser.add_argument("-v", "--verbose", action="store_true", help="INFO logging of the bot on stderr")
    args = parser.parse_args(argv)
    for name in ("messages", "rounds", "warmup", "paced", "bridges", "per_group", "scale_groups"):
        value = getattr(args, name)
        if value is not None and value < (0 if name in ("warmup", "paced") else 1):
            parser.error(f"--{name.replace('_', '-')} is too small: {value}")
    quick = args.quick
    small, large = args.reminders or ((200, 2000) if quick else (1000, 100_000))
    sizes = Sizes(
        messages=args.messages or (100 if quick else 2000),
        rounds=args.rounds or (1 if quick else 3),
        warmup=args.warmup if args.warmup is not None else (5 if quick else 20),
        paced=args.paced if args.paced is not None else (10 if quick else 50),
        bridges=args.bridges or 10,
        per_group=args.per_group or (5 if quick else 50),
        latency_ms=args.latency_ms,
        reminders_small=small,
        reminders_large=large,
        reminders_settle_s=1.0 if quick else 3.0,
        scale_groups=args.scale_groups or (100 if quick else 1000),
        scale_renders=50 if quick else 200,
        scale_minutes=3 if quick else 10,
    )
    only = set(SUITES) if not args.only else {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - set(SUITES)
    if unknown:
        parser.error(f"unknown suite(s) {', '.join(sorted(unknown))}; choose from {', '.join(SUITES)}")
    args.only = only
    if args.database_url and not is_postgres(args.database_url):
        parser.error("--database-url must be a postgresql URL (SQLite is the default, a fresh file per bot)")
    if args.database_url and args.database_url.startswith(("postgresql://", "postgres://")):
        args.database_url = "postgresql+asyncpg://" + args.database_url.split("://", 1)[1]
    return args, sizes


def _met(value: Any, target: tuple[str, float]) -> bool | None:
    if value is None:
        return None
    op, bound = target
    if op == ">=":
        return bool(value >= bound)
    if op == "<=":
        return bool(value <= bound)
    return bool(value == bound)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


async def _guard(name: str, errors: dict[str, str], work: Callable[[], Awaitable[_T]]) -> _T | None:
    """Run one suite; a failure is reported in the JSON (and on stderr), never aborts the others."""
    try:
        return await work()
    except Exception as exc:
        errors[name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
        progress(f"{name} FAILED: {errors[name]}")
        traceback.print_exc(file=sys.stderr)
        return None


async def run(args: argparse.Namespace, sizes: Sizes) -> dict[str, Any]:
    from bench.hiding import HidingSizes, latency_hiding
    from bench.provider import provider_calls
    from bench.relay import RelaySizes, relay_comparison
    from bench.reminders import reminders_available, reminders_memory

    started = time.perf_counter()
    errors: dict[str, str] = {}
    notes: dict[str, str] = {}
    details: dict[str, Any] = {}
    out: dict[str, Any] = dict.fromkeys(
        [
            "relay_msgs_per_s",
            "baseline_msgs_per_s",
            "relay_ratio",
            "latency_ms_p50",
            "latency_ms_p95",
            "latency_ms_p99",
            "latency_hiding_ratio",
            "order_violations",
            "provider_calls_first",
            "provider_calls_repeat",
            "reminders_memory_ratio",
            "reminders_startup_s_1k",
            "reminders_startup_s_100k",
            "report_seconds",
            "status_p95_ms",
            "sweep_cpu_ms_per_min",
            "calendar_sweep_cpu_ms_per_min",
            "calendar_sweep_ratio",
            "scale_memory_ratio",
            "failover_seconds",
            "multi_instance_lost",
            "multi_instance_order_violations",
            "multi_instance_duplicates",
            "dates_us_per_phrase",
        ]
    )
    db = args.database_url
    violations: dict[str, int] = {}

    if "relay" in args.only:
        relay_sizes = RelaySizes(messages=sizes.messages, warmup=sizes.warmup, paced=sizes.paced, rounds=sizes.rounds)
        comparison = await _guard("relay", errors, lambda: relay_comparison(relay_sizes, db, args.profile))
        if comparison is not None:
            baseline, kembar = comparison.baseline, comparison.kembar
            out["baseline_msgs_per_s"] = round(baseline.burst.msgs_per_s, 2)
            details["baseline"] = baseline.details()
            burst = kembar.burst
            out["relay_msgs_per_s"] = round(burst.msgs_per_s, 2)
            out["latency_ms_p50"] = burst.latency(0.50)
            out["latency_ms_p95"] = burst.latency(0.95)
            out["latency_ms_p99"] = burst.latency(0.99)
            details["relay"] = kembar.details()
            details["relay_ratio_by_round"] = comparison.round_ratios()
            violations["relay"] = sum(r.order_violations for r in kembar.rounds) + (
                kembar.paced.order_violations if kembar.paced else 0
            )
            out["relay_ratio"] = round(comparison.ratio, 4)
        notes["latency"] = (
            "relay_ratio: median Kembar round over median baseline round (rounds alternate, same run); "
            "latency_ms_*: post → relayed copy for every message of Kembar's median round, all posted as one "
            "burst, so queueing behind earlier messages dominates; details.relay.paced: messages posted one "
            "at a time after the rounds (no queueing)"
        )

    if "hiding" in args.only:
        hiding_sizes = HidingSizes(
            bridges=sizes.bridges, per_group=sizes.per_group, latency_s=sizes.latency_ms / 1000, rounds=sizes.rounds
        )
        hiding = await _guard("hiding", errors, lambda: latency_hiding(hiding_sizes, db))
        if hiding is not None:
            out["latency_hiding_ratio"] = round(hiding.ratio, 4)
            details["hiding"] = hiding.details()
            violations["hiding"] = hiding.order_violations
    if violations:
        out["order_violations"] = sum(violations.values())
        details["order_violations_by_run"] = violations

    if "provider" in args.only:
        provider = await _guard("provider", errors, lambda: provider_calls(db))
        if provider is not None:
            out["provider_calls_first"] = provider.first
            out["provider_calls_repeat"] = provider.repeat

    if "reminders" in args.only:
        missing = reminders_available()
        if missing is not None:
            notes["reminders"] = f"not measured: {missing}"
            progress(f"reminders: {notes['reminders']}")
        else:
            reminders = await _guard(
                "reminders",
                errors,
                lambda: reminders_memory(db, sizes.reminders_small, sizes.reminders_large, sizes.reminders_settle_s),
            )
            if reminders is not None:
                out["reminders_memory_ratio"] = round(reminders.memory_ratio, 4)
                out["reminders_startup_s_1k"] = _round(reminders.small.startup_s)
                out["reminders_startup_s_100k"] = _round(reminders.large.startup_s)
                details["reminders"] = reminders.details()

    if "report" in args.only:
        from bench.report import report_cost

        cost = await _guard("report", errors, lambda: report_cost(db, 200 if args.quick else 2000))
        if cost is not None:
            out["report_seconds"] = round(cost.seconds, 3)
            details["report"] = cost.details()
        notes["report"] = (
            "report_seconds: CPU seconds (all threads) of one yearly report in Korean for a bridge with 5 "
            "programmes, 2,000 actions and a year of history: reading it, the figures, the summary and 3 charts"
        )

    if "dates" in args.only:
        from bench.dates import date_cost

        dates = await _guard("dates", errors, lambda: asyncio.to_thread(date_cost, 500 if args.quick else 3000))
        if dates is not None:
            out["dates_us_per_phrase"] = dates.us_per_phrase
            details["dates"] = dates.details()
        notes["dates"] = (
            "dates_us_per_phrase: the date reader's mean time per phrase over the generated corpus (3,000 phrases "
            "in each of six languages, six 'now's), the fastest of five passes after a warm-up"
        )

    scale_sizes = None
    if "scale" in args.only:
        from bench.scale import ScaleSizes, scale_suite

        scale_sizes = ScaleSizes(renders=sizes.scale_renders, minutes=sizes.scale_minutes).scaled(sizes.scale_groups)
        scaled = await _guard("scale", errors, lambda: scale_suite(db, scale_sizes))
        if scaled is not None:
            out["status_p95_ms"] = round(scaled.status_p95_ms, 2)
            out["sweep_cpu_ms_per_min"] = round(scaled.sweep_cpu_ms_per_min, 2)
            out["calendar_sweep_cpu_ms_per_min"] = _round(scaled.calendar_sweep_cpu_ms_per_min, 2)
            out["calendar_sweep_ratio"] = _round(scaled.calendar_sweep_ratio, 4)
            out["scale_memory_ratio"] = round(scaled.memory_ratio, 4)
            details["scale"] = scaled.details()
        notes["scale"] = (
            "a national network (groups in two-group bridges, 20 action items and 100 pending reminders per group). "
            "status_p95_ms: wall-clock p95 of StatusService.text for random groups; sweep_cpu_ms_per_min: "
            "time.process_time of this process (all its threads; on PostgreSQL the server's CPU is not counted) for "
            "one simulated minute of ReminderJobs.sweep plus the wake-ups in it, a handful of reminders due each "
            "minute, averaged; calendar_sweep_cpu_ms_per_min: the same on the same network seeded again with "
            "calendars (10 countries, working hours, days off; reminders due inside and outside working time), its "
            "minutes alternating with the plain network's, and calendar_sweep_ratio it over sweep_cpu_ms_per_min; "
            "scale_memory_ratio: peak RSS "
            "(VmHWM) of a fresh subprocess running the services (start, one /status, one minute of sweep) on the "
            "network over the same on a 10-group network"
        )

    if "cluster" in args.only:
        from bench.cluster import cluster_suite

        messages = 120 if args.quick else 400
        cluster = await _guard("cluster", errors, lambda: cluster_suite(db, messages))
        if cluster is not None:
            out.update(cluster.figures)
            details["cluster"] = cluster.details
            if cluster.note:
                notes["cluster_database"] = cluster.note
        notes["cluster"] = (
            f"two kembar run processes on one PostgreSQL database, {messages} messages over four routes of two "
            "bridges, one instance killed with SIGKILL after a quarter of the first half was relayed; once in "
            "polling mode (the leader killed) and once in webhook mode (behind a round-robin load balancer); "
            "failover_seconds: kill → every destination receiving copies of messages posted after the kill "
            "(the worse mode); lost and order violations summed, duplicates the worst destination of either mode"
        )

    out["targets"] = {name: {op: bound} for name, (op, bound) in TARGETS.items()}
    out["met"] = {name: _met(out[name], target) for name, target in TARGETS.items()}
    out["sizes"] = {
        "quick": bool(args.quick),
        "relay_messages": sizes.messages,
        "relay_rounds": sizes.rounds,
        "hiding_rounds": sizes.rounds,
        "relay_warmup_messages": sizes.warmup,
        "relay_paced_messages": sizes.paced,
        "hiding_bridges": sizes.bridges,
        "hiding_groups": 2 * sizes.bridges,
        "hiding_messages_per_group": sizes.per_group,
        "hiding_translator_latency_ms": sizes.latency_ms,
        "provider_bridge_languages": ["id", "id", "ko", "ko", "de"],
        "reminders_pending": [sizes.reminders_small, sizes.reminders_large],
        "scale_groups": [scale_sizes.small_groups, scale_sizes.groups] if scale_sizes else None,
        "scale_action_items": scale_sizes.items if scale_sizes else None,
        "scale_reminders": scale_sizes.reminders if scale_sizes else None,
        "scale_status_renders": scale_sizes.renders if scale_sizes else None,
        "scale_minutes": scale_sizes.minutes if scale_sizes else None,
    }
    out["database"] = "postgresql" if db else "sqlite"
    out["machine"] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }
    out["details"] = details
    out["notes"] = notes
    out["errors"] = errors
    out["elapsed_s"] = round(time.perf_counter() - started, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    args, sizes = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "tornado.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stdout = sys.stdout
    # Whatever else would print to stdout goes to stderr: stdout carries exactly one JSON object.
    with contextlib.redirect_stdout(sys.stderr):
        result = asyncio.run(run(args, sizes))
    stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    stdout.flush()
    return 1 if result["errors"] else 0
