"""reminders_memory_ratio and start-up times: a started bot with many pending reminders in its database.

Only measured when ``storage.reminders`` provides a ``ReminderRepository``; otherwise the results are null.
For each size a fresh database is seeded by one subprocess (``python -m bench.reminders seed URL N``),
then another subprocess starts the bot on it (``python -m bench.reminders start URL``) and reports, as
one JSON line on its stdout:

* ``startup_s``: from ``build_application`` until the running bot has answered a ``/start`` posted as
  soon as polling began (post_init, migrations check, reminder jobs, first update handled);
* ``maxrss_kb``: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after the bot has run ``settle`` seconds
  (its first reminder sweep runs 0.5 s after start-up).

The reminders are due 30 days ahead, so none fires during the measurement.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import resource
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import TOKEN, fresh_database, progress, run_child

SEED_CHAT = -1001999000001
SEED_CHUNK = 5000


def reminders_available() -> str | None:
    """None when storage.reminders.ReminderRepository exists (and imports); else why not."""
    try:
        module = importlib.import_module("storage.reminders")
    except ModuleNotFoundError:
        return "storage.reminders does not exist"
    except Exception as exc:  # a module being written may not import yet
        return f"storage.reminders does not import: {type(exc).__name__}: {exc}"
    if not hasattr(module, "ReminderRepository"):
        return "storage.reminders has no ReminderRepository"
    return None


@dataclass(frozen=True)
class StartSample:
    pending: int
    startup_s: float
    maxrss_kb: int
    seed_s: float


@dataclass(frozen=True)
class RemindersResult:
    small: StartSample
    large: StartSample

    @property
    def memory_ratio(self) -> float:
        return self.large.maxrss_kb / self.small.maxrss_kb

    def details(self) -> dict[str, Any]:
        return {
            str(sample.pending): {
                "startup_s": round(sample.startup_s, 3),
                "maxrss_mb": round(sample.maxrss_kb / 1024, 1),
                "seed_s": round(sample.seed_s, 1),
            }
            for sample in (self.small, self.large)
        }


def _child(*args: str, timeout: float) -> dict[str, Any]:
    return run_child("bench.reminders", *args, timeout=timeout)


async def _sample(database_url: str | None, pending: int, settle: float) -> StartSample:
    async with fresh_database(database_url) as url:
        progress(f"reminders: seeding {pending} pending reminders")
        started = time.perf_counter()
        await asyncio.to_thread(_child, "seed", url, str(pending), timeout=3600)
        seed_s = time.perf_counter() - started
        progress(f"reminders: starting a bot on {pending} pending reminders")
        measured = await asyncio.to_thread(_child, "start", url, str(settle), timeout=600)
        if int(measured["pending"]) < pending:  # the bot may add its own (a weekly digest per group)
            raise RuntimeError(f"the bot saw {measured['pending']} pending reminders, {pending} were seeded")
        return StartSample(
            pending=pending, startup_s=float(measured["startup_s"]), maxrss_kb=int(measured["maxrss_kb"]), seed_s=seed_s
        )


async def reminders_memory(database_url: str | None, small: int, large: int, settle: float) -> RemindersResult:
    first = await _sample(database_url, small, settle)
    second = await _sample(database_url, large, settle)
    result = RemindersResult(small=first, large=second)
    progress(f"reminders: maxrss {first.maxrss_kb // 1024} MB → {second.maxrss_kb // 1024} MB")
    return result


# ------------------------------------------------------------------------------------------------
# The subprocesses
# ------------------------------------------------------------------------------------------------


async def _seed(url: str, count: int) -> None:
    from bot.domain.records import NewReminder, Scope
    from storage.chats import ChatRepository
    from storage.db import Database
    from storage.reminders import ReminderRepository

    db = Database(url)
    try:
        await db.upgrade()
        await ChatRepository(db).ensure(SEED_CHAT, title="Bench", type="supergroup", default_language="id")
        repo = ReminderRepository(db)
        base = datetime.now(UTC) + timedelta(days=30)
        for start in range(0, count, SEED_CHUNK):
            await repo.add_many(
                [
                    NewReminder(
                        scope=Scope.of(None, SEED_CHAT),
                        chat_id=SEED_CHAT,
                        kind="adhoc",
                        due_at=base + timedelta(seconds=i),
                        text=f"Pengingat {i}: kirim laporan kegiatan kota kembar",
                        language="id",
                    )
                    for i in range(start, min(count, start + SEED_CHUNK))
                ]
            )
    finally:
        await db.dispose()


async def _start(url: str, settle: float) -> dict[str, Any]:
    from bot.config import Settings
    from bot.sandbox.emulator import BotApiEmulator
    from bot.sandbox.translate_server import TranslationServer
    from bot.telegram.app import build_application, running
    from storage.db import Database
    from storage.reminders import ReminderRepository

    async with BotApiEmulator(token=TOKEN) as emu, TranslationServer() as server:
        chat = emu.create_chat("Bench")
        user = emu.create_user("Bench Member", language_code="id")
        emu.add_member(chat.id, user.id)
        settings = Settings(
            token=TOKEN,
            bot_api_url=emu.root_url,
            database_url=url,
            translator="libre",
            translator_url=server.root_url,
            log_level="WARNING",
        )
        started = time.perf_counter()
        async with running(build_application(settings), poll_timeout=1):
            emu.post(chat.id, user.id, "/start")
            await emu.wait_for_sent(chat.id, 1, timeout=300.0)
            startup_s = time.perf_counter() - started
            await asyncio.sleep(settle)
            # And still responsive after the first sweep.
            emu.post(chat.id, user.id, "/start")
            await emu.wait_for_sent(chat.id, 2, timeout=300.0)
            maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Read after the measurement: the bot really had them pending.
    db = Database(url)
    try:
        pending = await ReminderRepository(db).pending_count()
    finally:
        await db.dispose()
    return {"startup_s": startup_s, "maxrss_kb": maxrss_kb, "pending": pending}


def _main(argv: list[str]) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if len(argv) != 3 or argv[0] not in ("seed", "start"):
        print("usage: python -m bench.reminders seed URL COUNT | start URL SETTLE_SECONDS", file=sys.stderr)
        return 2
    command, url, number = argv
    if command == "seed":
        asyncio.run(_seed(url, int(number)))
        print(json.dumps({"seeded": int(number)}))
    else:
        print(json.dumps(asyncio.run(_start(url, float(number)))))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
