"""The fault and abuse suite: ``make reliability`` prints one JSON object (progress on stderr).

- ``bad_inputs`` / ``unhandled_exceptions``: hostile or broken input to every command and button use
  case (a corpus of real-world oddities plus Hypothesis-generated text and callback data);
- ``lost`` / ``duplicates_max_per_destination``: a burst relayed across a ``kill -9`` of the bot, a
  storm of 429 answers and a translator outage (a real bot process against the emulator);
- ``commands_run_twice``: commands in getUpdates responses whose acknowledgement is lost (redelivered);
- ``retained_bytes_per_message``: database growth per relayed message once the retention windows
  have passed;
- ``slow_clients…`` (tests/e2e/reliability_web.py), ``heavy_command_max_stall_ms``
  (tests/e2e/reliability_heavy.py), ``db_faults_lost`` (tests/e2e/reliability_intake.py), ``job_faults_max_attempts``,
  ``announcement_share_max`` (tests/e2e/reliability_jobs.py) and ``hidden_list_items``
  (tests/e2e/reliability_lists.py).

``tests/e2e/test_reliability.py`` runs the same checks, smaller, in ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sqlite3
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import NonInteractiveExampleWarning

from bot.context import Actor, ChatContext, Refused
from bot.domain.records import Scope
from bot.language.catalog import Catalog
from bot.relay.service import InboundMessage
from bot.sandbox.town import Town
from bot.telegram.polling import DurablePoller
from tests.e2e import (
    reliability_heavy,
    reliability_intake,
    reliability_jobs,
    reliability_lists,
    reliability_web,
)
from tests.kit import BUSAN, SURABAYA, Kit, eventually, make_sql_kit, migrated_sqlite
from tests.world import World, make_world, services, start_bot, stop_bot

CORPUS = (
    "",
    " ",
    "\u200f\u200eمرحبا\u200f",  # right-to-left marks
    "\u200b\u200c\u200d\ufeff",  # zero-width characters only
    "x" * 4096,
    "ㅋ" * 5000,
    "<b>tebal</b> <script>alert(1)</script> &amp; &lt;i&gt;",
    "</b></i><a href='javascript:x'>",
    "🎉🎉🎉",
    "👨‍👩‍👧‍👦" * 300,
    "@",
    "#",
    "/",
    "1",
    "-1",
    "0",
    "#1",
    "99999999999999999999999999",
    "１２",
    "٣",
    "1 " + "y" * 5000,
    "\n\n\n",
    "\x00\x01\x7f",
    "'; DROP TABLE chats; --",
    "%s %d {0} {name} {{}}",
    "every monday 25:99 x",
    "setiap Senin 09:00",
    "besok jam 99 rapat",
    "lead 99999d 1s -5m",
    "quiet 25:00-26:00",
    "add = ko:",
    "add " + "T" * 200 + " = en:" + "U" * 200,
    "Asia/Nowhere",
    "xx",
    "in 100000000 days Rapat",
    "2026-02-30 10:00 Rapat",
    "ZZZZZ-ZZZZZ",
    "AAAAA-AAAAA BBBBB-BBBBB",
    "add pendidikan — " + "g" * 600,
)
FORGED_DATA = (
    "",
    "act|",
    "act|b1|1|done|extra",
    "act|b999|1|done",
    "act|c-1|1|take",
    "act|b1|999999999|plus1d",
    "act|x1|1|done",
    "act|b1|-1|done",
    "rem|0|done",
    "rem|999999999999999999|h1",
    "rem|1|explode",
    "lnk|ok|0",
    "lnk|no|999",
    "lnk|code",
    "fgt|yes",
    "fgt|no",
    "prg|add",
    "\u200b",
    "a" * 64,
)


def progress(text: str) -> None:
    print(f"[reliability {time.monotonic() - STARTED:6.1f}s] {text}", file=sys.stderr, flush=True)


STARTED = time.monotonic()


def generated(count: int, seed: int) -> list[str]:
    """Hypothesis-generated text: any Unicode, mostly short, some long; reproducible per seed."""
    strategy = st.one_of(
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=400),
        st.from_regex(r"[0-9#@/ -]{0,12}[a-z ]{0,20}", fullmatch=True),
    )
    rng = random.Random(seed)
    found: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        while len(found) < count:
            found.append(strategy.example())
    rng.shuffle(found)
    return found


# ---- bad inputs -------------------------------------------------------------------------------------


async def bad_inputs(generated_per_command: int) -> dict[str, Any]:
    """Every command use case and every button, with hostile input, as an administrator and as a member."""
    with tempfile.TemporaryDirectory() as tmp:
        template = await migrated_sqlite(Path(tmp) / "template.db")
        async with make_sql_kit(Path(tmp), template, Catalog.load()) as kit:
            return await _bad_inputs(kit, generated_per_command)


async def _bad_inputs(kit: Kit, generated_per_command: int) -> dict[str, Any]:
    await kit.group(SURABAYA, "Surabaya", "id")
    await kit.group(BUSAN, "Busan", "ko")
    await kit.link(SURABAYA, BUSAN)
    here = await kit.here(SURABAYA)
    services = kit.services
    await services.actions.create(here, Actor(1, "Ani"), "Kirim draf MoU tenggat besok jam 10")
    admin, member = kit.admin(SURABAYA, 9, "Admin", "admin"), Actor(3, "Member", "member")
    commands: dict[str, Callable[[ChatContext, Actor, str], Awaitable[object]]] = {
        "action": services.actions.create,
        "actions": services.actions.listing,
        "done": services.actions.done,
        "reopen": services.actions.reopen,
        "drop": services.actions.drop,
        "assign": services.actions.assign,
        "due": services.actions.due,
        "rename": services.actions.rename,
        "programme": services.programmes.programme,
        "programmes": services.programmes.listing,
        "status": services.status.status,
        "remind": services.reminders.remind,
        "reminders": services.reminders.reminders,
        "unremind": services.reminders.unremind,
        "digest": services.reminders.digest,
        "lang": services.chat_settings.language,
        "city": services.chat_settings.city,
        "tz": services.chat_settings.timezone,
        "workweek": services.chat_settings.workweek,
        "original": services.chat_settings.original,
        "glossary": services.chat_settings.glossary_command,
        "link": services.bridges.link_command,
        "bridge": services.bridges.show,
    }
    buttons: dict[str, Callable[[ChatContext, Actor, str], Awaitable[object]]] = {
        "action buttons": services.actions.press,
        "reminder buttons": services.reminders.press,
        "link buttons": services.bridges.press,
        "forget buttons": services.privacy.press,
    }
    tried, failures = 0, []
    inputs = list(CORPUS) + generated(generated_per_command, seed=12)
    for name, use_case in commands.items():
        for text in inputs:
            for actor in (admin, member):
                tried += 1
                here = await kit.here(SURABAYA)
                if here.language != "id":  # a /lang input changed it: back, so every input meets the same chat
                    await services.chats.chats.set_language(SURABAYA, "id")
                    here = await kit.here(SURABAYA)
                try:
                    await use_case(here, actor, text)
                except Refused:
                    pass
                except Exception as exc:
                    failures.append(f"/{name} {text[:40]!r}: {type(exc).__name__}: {exc}"[:200])
    data_inputs = list(FORGED_DATA) + generated(generated_per_command, seed=13)
    for name, press in buttons.items():
        for data in data_inputs:
            tried += 1
            try:
                await press(await kit.here(SURABAYA), member, data)  # a member: forged data must never act
            except Refused:
                pass
            except Exception as exc:
                failures.append(f"{name} {data[:40]!r}: {type(exc).__name__}: {exc}"[:200])
    for text in inputs:  # relayed text of every kind
        tried += 1
        bridge = (await kit.here(SURABAYA)).bridge
        assert bridge is not None
        try:
            message = InboundMessage(
                SURABAYA, 10_000 + tried, 3, "Member", "Surabaya", "id", text, text, None, None, 0, 1
            )
            await services.relay.submit(message, bridge)
        except Exception as exc:
            failures.append(f"relay {text[:40]!r}: {type(exc).__name__}: {exc}"[:200])
    return {"bad_inputs": tried, "unhandled_exceptions": len(failures), "unhandled_examples": failures[:10]}


# ---- crash, storm, outage ---------------------------------------------------------------------------


def numbers(world: World, town: Town, tag: str) -> list[int]:
    """The burst numbers ``burst-<tag>-<n>`` the bot relayed into ``town``, in the order they arrived."""
    found: list[int] = []
    for message in world.emu.sent(town.id):
        text = str(message.get("text") or "")
        if f"burst-{tag}-" in text:
            found.append(int(text.split(f"burst-{tag}-", 1)[1].split()[0]))
    return found


async def crash_storm_outage(per_phase: int) -> dict[str, Any]:
    """Three bursts in both directions: the bot killed with SIGKILL in the middle of the first, Telegram
    answering 429 to half the sends of the second, the translator down during the third."""
    with tempfile.TemporaryDirectory() as tmp:
        async with make_world(f"sqlite+aiosqlite:///{Path(tmp) / 'kembar.db'}") as world:
            surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
            with (Path(tmp) / "bot.log").open("wb") as log:
                proc = await start_bot(world, Path(tmp), log)
                try:
                    await world.setup(surabaya, busan)
                    total = 0

                    async def burst(phase: str) -> None:
                        nonlocal total
                        for n in range(total, total + per_phase):
                            world.emu.post(surabaya.id, surabaya.member.id, f"burst-sby-{n} {phase}")
                            world.emu.post(busan.id, busan.member.id, f"burst-pus-{n} {phase}")
                        total += per_phase

                    def arrived() -> bool:
                        return (
                            len(set(numbers(world, busan, "sby"))) >= total
                            and len(set(numbers(world, surabaya, "pus"))) >= total
                        )

                    progress(f"burst 1: SIGKILL after a fifth of {per_phase} messages each way")
                    world.server.latency = 0.02
                    await burst("kill")
                    await world.emu.wait_for(lambda: len(numbers(world, busan, "sby")) >= per_phase // 5, timeout=60)
                    proc.send_signal(signal.SIGKILL)
                    await proc.wait()
                    world.server.latency = 0.0
                    proc = await start_bot(world, Path(tmp), log)
                    await world.emu.wait_for(arrived, timeout=120)
                    progress("burst 2: a storm of 429 answers")
                    world.emu.faults.add("sendMessage", "429", retry_after=1, share=0.5, times=per_phase)
                    await burst("storm")
                    await world.emu.wait_for(arrived, timeout=180)
                    progress("burst 3: the translator is down")
                    world.server.fail_share = 1.0
                    await burst("outage")
                    await world.emu.wait_for(arrived, timeout=180)
                    world.server.fail_share = 0.0
                finally:
                    await stop_bot(proc)
            lost, duplicates = 0, 0
            for town, tag in ((busan, "sby"), (surabaya, "pus")):
                seen = Counter(numbers(world, town, tag))
                lost += sum(1 for n in range(total) if n not in seen)
                duplicates = max(duplicates, max(seen.values(), default=1) - 1)
            return {"lost": lost, "duplicates_max_per_destination": duplicates, "relayed_each_way": total}


# ---- redelivered commands ---------------------------------------------------------------------------


class _LosesEveryOtherAcknowledgement(DurablePoller):
    lost = 0

    def _advance(self, offset: int) -> None:
        self.lost += 1
        if self.lost % 2:
            return  # this acknowledgement never reached Telegram: the response comes again
        super()._advance(offset)


async def redelivered(commands: int) -> dict[str, Any]:
    """/action commands from several members while every other acknowledgement is lost. What ran is read
    from the stored items (the announcements of a burst are merged within the group's budget)."""
    from bot.telegram import app as bot_app

    with tempfile.TemporaryDirectory() as tmp:
        async with make_world(f"sqlite+aiosqlite:///{Path(tmp) / 'kembar.db'}") as world:
            surabaya = world.town("Surabaya", "id")
            users = [world.emu.create_user(f"Member {n}", language_code="id") for n in range(max(1, commands // 10))]
            for user in users:
                world.emu.add_member(surabaya.id, user.id)
            original = getattr(bot_app, "DurablePoller")  # noqa: B009 (swapped for the run, like monkeypatch)
            setattr(bot_app, "DurablePoller", _LosesEveryOtherAcknowledgement)  # noqa: B010
            try:
                async with world.bot() as poller:
                    actions = services(poller).actions.actions
                    for n in range(commands):
                        world.emu.post(surabaya.id, users[n % len(users)].id, f"/action Tugas nomor {n}")

                    async def all_ran() -> bool:
                        scope = await _scope(poller, surabaya)
                        return len(await actions.list(scope, statuses=("open",))) >= commands

                    await eventually(all_ran, timeout=120)
                    # Let whatever would come twice come: a last command, and its answer, after them all.
                    answer = await world.ask(surabaya, "/actions all")
                    assert isinstance(poller, _LosesEveryOtherAcknowledgement)
                    lost_acks = (poller.lost + 1) // 2
                    scope = await _scope(poller, surabaya)
                    titles = [item.title for item in await actions.list(scope, statuses=("open",))]
            finally:
                setattr(bot_app, "DurablePoller", original)  # noqa: B010
            ran = Counter(title.split("Tugas nomor ")[1] for title in titles if "Tugas nomor " in title)
            twice = sum(count - 1 for count in ran.values())
            return {
                "commands_run_twice": twice,
                "commands": commands,
                "commands_ran": len(ran),
                "acknowledgements_lost": lost_acks,
                "listed_once_each": all(answer.count(f"Tugas nomor {n}\n") <= 1 for n in range(commands)),
            }


async def _scope(poller: DurablePoller, town: Town) -> Scope:
    """Whose items a group sees (its own scope until it is stored: the chat is not known yet)."""
    chat = await services(poller).chats.get(town.id)
    return Scope.of(None, town.id) if chat is None else (await services(poller).chats.context(chat)).scope


# ---- retention --------------------------------------------------------------------------------------


def _sent_at_least(kit: Kit, count: int) -> Callable[[], bool]:
    return lambda: len(kit.texts(BUSAN)) >= count


def _database_bytes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int(pages) * int(size)


async def retained(messages: int) -> dict[str, Any]:
    """Relay ``messages`` messages (a fake Telegram), let the retention windows pass, measure what is left."""
    with tempfile.TemporaryDirectory() as tmp:
        template = await migrated_sqlite(Path(tmp) / "template.db")
        work = Path(tmp) / "work"
        work.mkdir()
        async with make_sql_kit(work, template, Catalog.load()) as kit:
            await kit.group(SURABAYA, "Surabaya", "id")
            await kit.group(BUSAN, "Busan", "ko")
            await kit.link(SURABAYA, BUSAN)
            bridge = (await kit.here(SURABAYA)).bridge
            assert bridge is not None
            await kit.services.outbox.drain()
            before = _database_bytes(work / "kembar.db")
            for start in range(0, messages, 100):
                async with kit.services.relay.batch():
                    for n in range(start, min(messages, start + 100)):
                        text = f"Pesan {n}: laporan kegiatan minggu ini untuk mitra di Busan"
                        message = InboundMessage(
                            SURABAYA, n + 1, 3, "Ani", "Surabaya", "id", text, text, None, None, 0, 1
                        )
                        await kit.services.relay.submit(message, bridge)
                await kit.telegram.wait_for(_sent_at_least(kit, min(messages, start + 100)), timeout=60)

            async def all_sent() -> bool:  # every job recorded as sent (group commits trail the sends)
                return (await kit.services.outbox.counts()).get("done", 0) >= messages

            await eventually(all_sent, timeout=60)
            grown = _database_bytes(work / "kembar.db")
            purged = await kit.services.privacy.run_retention(datetime.now(UTC) + timedelta(days=60))
            after = _database_bytes(work / "kembar.db")
        return {
            "retained_bytes_per_message": round(max(0, after - before) / messages, 3),
            "grown_bytes_per_message_before_retention": round((grown - before) / messages, 1),
            "messages": messages,
            "purged": purged,
        }


async def run(quick: bool) -> dict[str, Any]:
    results: dict[str, Any] = {}
    progress("bad inputs")
    results.update(await bad_inputs(4 if quick else 12))
    progress("commands in redelivered responses")
    results.update(await redelivered(10 if quick else 40))
    progress("retention")
    results.update(await retained(500 if quick else 10_000))
    progress("crash, storm and outage")
    results.update(await crash_storm_outage(30 if quick else 100))
    progress("database errors before an update's work is stored")
    results.update(await reliability_intake.db_faults(60 if quick else 200))
    progress("slow clients against the HTTP listener")
    results.update(await reliability_web.slow_clients(300 if quick else 2000, duration=10.0 if quick else 30.0))
    progress("heavy commands beside an unrelated bridge")
    results.update(
        await reliability_heavy.heavy_commands(1000, 20_000) if quick else await reliability_heavy.heavy_commands()
    )
    progress("jobs that keep failing")
    results.update(await reliability_jobs.job_faults())
    progress("announcements within the budget")
    results.update(await reliability_jobs.announcement_share(2 if quick else 5))
    progress("lists in pages")
    results.update(await reliability_lists.hidden_list_items())
    results["targets"] = {
        "bad_inputs": {">=": 500},
        "unhandled_exceptions": {"==": 0},
        "lost": {"==": 0},
        "duplicates_max_per_destination": {"<=": 1},
        "commands_run_twice": {"==": 0},
        "retained_bytes_per_message": {"<=": 1.0},
        "db_faults_lost": {"==": 0},
        "slow_clients": {">=": 2000},
        "slow_clients_healthz_p99_ms": {"<=": 1000},
        "slow_clients_log_bytes": {"<=": 1_000_000},
        "heavy_command_max_stall_ms": {"<=": 100},
        "heavy_unrelated_relay_p95_added_ms": {"<=": 200},
        "job_faults_max_attempts": {"<=": 5},
        "announcement_share_max": {"<=": 0.3},
        "hidden_list_items": {"==": 0},
    }
    results["elapsed_s"] = round(time.monotonic() - STARTED, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.reliability", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.CRITICAL)
    print(json.dumps(asyncio.run(run(args.quick)), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
