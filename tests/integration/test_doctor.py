"""``kembar doctor``: every check passing, and each failing once, against the Bot API emulator, the local
translation server and real databases (a SQLite file, and PostgreSQL through the conftest fixtures).

The CLI runs in a worker thread (it starts its own event loop with ``asyncio.run``) while the emulator
and the translation server serve from the test's loop.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from sqlalchemy.engine import make_url
from telegram import Bot

from bot.cli import main
from bot.config import load_settings
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.translate_server import TranslationServer
from bot.telegram.doctor import Check, exit_status, format, run_checks
from storage.db import Database
from storage.migrate import head_revision, upgrade

TOKEN = "4242424242:AAF-doctor_secret_token"
WEBHOOK_SECRET = "doctor-webhook-secret-0123"
NAMES = ["token", "privacy", "updates", "database", "translator", "clock"]


@pytest.fixture(autouse=True)
def _loopback_only(loopback_only: None) -> None:
    """Every test here talks to loopback servers (tests/conftest.py: loopback_only)."""


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(TOKEN) as emulator:
        yield emulator


@pytest.fixture
async def translation_server() -> AsyncIterator[TranslationServer]:
    async with TranslationServer() as server:
        yield server


async def migrated(url: str, revision: str = "head") -> str:
    db = Database(url)
    try:
        await upgrade(db.engine, revision)
    finally:
        await db.dispose()
    return url


@pytest.fixture
async def database(sqlite_url: str) -> str:
    """A SQLite file at the latest migration."""
    return await migrated(sqlite_url)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def environment(emu: BotApiEmulator, server: TranslationServer, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        "TELEGRAM_BOT_TOKEN": emu.token,
        "KEMBAR_BOT_API_URL": emu.root_url,
        "DATABASE_URL": database_url,
        "KEMBAR_TRANSLATOR": "libre",
        "KEMBAR_TRANSLATOR_URL": server.root_url,
    }
    env.update(extra)
    return env


async def doctor_cli(env: Mapping[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, str], str]:
    """``kembar doctor`` with ``env``: its exit status, its lines by check name, and all it printed."""
    status = await asyncio.to_thread(main, ["doctor"], env)
    out, err = capsys.readouterr()
    lines = out.splitlines()
    by_name = {line[5:].split(":", 1)[0]: line for line in lines[:-1]}
    assert list(by_name) == NAMES, out
    return status, by_name, out + err


async def checks_for(env: Mapping[str, str]) -> dict[str, Check]:
    checks = await run_checks(load_settings(env))
    assert [check.name for check in checks] == NAMES
    return {check.name: check for check in checks}


async def set_webhook(emu: BotApiEmulator, url: str) -> None:
    """Another deployment (or an earlier run) sets a webhook."""
    async with Bot(emu.token, base_url=emu.base_url) as bot:
        assert await bot.set_webhook(url, secret_token=WEBHOOK_SECRET)


# -- all well --------------------------------------------------------------------------------------


async def test_everything_passes(
    emu: BotApiEmulator, translation_server: TranslationServer, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = await migrated(db_url)  # once on a SQLite file, once on PostgreSQL
    status, lines, printed = await doctor_cli(environment(emu, translation_server, url), capsys)

    assert status == 0, printed
    assert all(line.startswith("ok   ") for line in lines.values()), printed
    assert lines["token"] == "ok   token: @kembar_bot (id 4242424242)"
    assert f"migration {head_revision()} (latest)" in lines["database"]
    assert "'hello' → '[id] hello'" in lines["translator"]
    assert "within 1 s" in lines["clock"]
    assert printed.splitlines()[len(NAMES)] == "all 6 checks passed"
    assert TOKEN not in printed and TOKEN.split(":")[1] not in printed
    if "@" in url:  # PostgreSQL: named by user, host and database
        parts = make_url(url)
        assert f"postgresql {parts.username}@{parts.host}:{parts.port}/{parts.database}," in lines["database"]
    assert translation_server.translate_count == 1


async def test_the_report_is_all_it_prints_no_alembic_info(
    emu: BotApiEmulator, translation_server: TranslationServer, sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh SQLite database: reading its migration level logs alembic's "Context impl" and "Will assume
    … DDL" at INFO, which must not reach the operator's terminal; alembic's warnings still would."""
    await migrated(sqlite_url)
    capsys.readouterr()  # what migrating it logged here
    status, _, printed = await doctor_cli(environment(emu, translation_server, sqlite_url), capsys)

    assert status == 0, printed
    assert "alembic" not in printed and " INFO " not in printed, printed
    assert len(printed.splitlines()) == len(NAMES) + 1, printed  # the checks and the summary, nothing else
    assert logging.getLogger("alembic").isEnabledFor(logging.WARNING)


def test_the_report_reads_one_line_per_check() -> None:
    checks = [
        Check("token", "ok", "@kembar_bot (id 1)"),
        Check("updates", "warn", "webhook https://x/hook, 3 updates waiting", "is kembar run up?"),
        Check("database", "FAIL", "SQLite k.db is at migration 0001, this Kembar needs 0010", "run kembar db upgrade"),
    ]

    assert format(checks).splitlines() == [
        "ok   token: @kembar_bot (id 1)",
        "warn updates: webhook https://x/hook, 3 updates waiting — is kembar run up?",
        "FAIL database: SQLite k.db is at migration 0001, this Kembar needs 0010 — run kembar db upgrade",
        "1 of 3 checks failed, 1 warned",
    ]
    assert exit_status(checks) == 1
    assert exit_status(checks[:2]) == 0
    assert format(checks[:2]).splitlines()[-1] == "all 2 checks passed (1 with a warning)"


# -- token and privacy -----------------------------------------------------------------------------


async def test_a_refused_token_fails_and_skips_what_needs_it(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = "4242424242:AAF-a_revoked_token"
    env = environment(emu, translation_server, database, TELEGRAM_BOT_TOKEN=wrong)
    status, lines, printed = await doctor_cli(env, capsys)

    assert status == 1
    assert lines["token"].startswith("FAIL token: the token was refused")
    assert "@BotFather" in lines["token"] and "TELEGRAM_BOT_TOKEN" in lines["token"]
    assert lines["privacy"] == "skip privacy: not checked: the token was refused"
    assert lines["updates"] == "skip updates: not checked: the token was refused"
    assert lines["database"].startswith("ok") and lines["translator"].startswith("ok")
    assert lines["clock"].startswith("ok")  # Telegram answered (401), with its time
    assert wrong not in printed and "a_revoked_token" not in printed
    assert [call.method for call in emu.calls] == []  # refused before any method ran


async def test_without_a_token_nothing_asks_telegram(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = environment(emu, translation_server, database)
    del env["TELEGRAM_BOT_TOKEN"]
    status, lines, _ = await doctor_cli(env, capsys)

    assert status == 1
    assert lines["token"].startswith("FAIL token: TELEGRAM_BOT_TOKEN not set (the sandbox needs none; a real bot does)")
    for name in ("privacy", "updates", "clock"):
        assert lines[name] == f"skip {name}: not checked: no token"
    assert lines["database"].startswith("ok") and lines["translator"].startswith("ok")
    assert emu.calls == []


async def test_an_unreachable_bot_api_is_named_without_the_token(
    translation_server: TranslationServer, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    api = f"http://127.0.0.1:{closed_port()}"
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "KEMBAR_BOT_API_URL": api,
        "DATABASE_URL": database,
        "KEMBAR_TRANSLATOR": "libre",
        "KEMBAR_TRANSLATOR_URL": translation_server.root_url,
    }
    status, lines, printed = await doctor_cli(env, capsys)

    assert status == 1
    assert lines["token"].startswith(f"FAIL token: Bot API unreachable at {api} (")
    for name in ("privacy", "updates", "clock"):
        assert lines[name] == f"skip {name}: not checked: the Bot API is unreachable"
    assert TOKEN.split(":")[1] not in printed


async def test_privacy_mode_on_fails_with_the_botfather_steps(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str
) -> None:
    emu.privacy_mode = True
    checks = await checks_for(environment(emu, translation_server, database))

    privacy = checks["privacy"]
    assert privacy.level == "FAIL" and "group privacy is on" in privacy.detail
    assert "/setprivacy" in privacy.advice and "Disable" in privacy.advice and "add it again" in privacy.advice
    assert [c.name for c in checks.values() if c.level != "ok"] == ["privacy"]


# -- updates: polling and webhook ------------------------------------------------------------------


async def test_a_webhook_set_while_polling_fails(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = f"http://127.0.0.1:{closed_port()}/hook"
    await set_webhook(emu, hook)
    status, lines, _ = await doctor_cli(environment(emu, translation_server, database), capsys)

    assert status == 1
    assert lines["updates"].startswith(f"FAIL updates: polling is configured, but a webhook is set ({hook})")
    assert "kembar run removes it on start" in lines["updates"] and "another deployment" in lines["updates"]


async def test_webhook_mode_fails_without_the_configured_webhook(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str
) -> None:
    port = closed_port()
    configured = f"http://127.0.0.1:{port}/kembar"
    env = environment(
        emu, translation_server, database, KEMBAR_WEBHOOK_URL=configured, KEMBAR_WEBHOOK_SECRET=WEBHOOK_SECRET
    )

    updates = (await checks_for(env))["updates"]
    assert updates.level == "FAIL" and "no webhook is set" in updates.detail
    assert "kembar run sets it on start" in updates.advice

    await set_webhook(emu, f"http://127.0.0.1:{port}/elsewhere")
    updates = (await checks_for(env))["updates"]
    assert updates.level == "FAIL"
    assert updates.detail == f"the webhook is http://127.0.0.1:{port}/elsewhere, not KEMBAR_WEBHOOK_URL ({configured})"
    assert "another deployment" in updates.advice


async def test_webhook_mode_reports_telegrams_last_delivery_error(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configured = f"http://127.0.0.1:{closed_port()}/kembar"  # nothing listens: deliveries fail
    await set_webhook(emu, configured)
    emu.inject_raw_update({"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}})
    error = await emu.wait_for(lambda: emu.webhook_last_error)
    env = environment(
        emu, translation_server, database, KEMBAR_WEBHOOK_URL=configured, KEMBAR_WEBHOOK_SECRET=WEBHOOK_SECRET
    )
    status, lines, printed = await doctor_cli(env, capsys)

    assert status == 1
    assert lines["updates"].startswith("FAIL updates: Telegram's last delivery failed ")
    assert f" s ago: {error} (1 update waiting)" in lines["updates"]
    assert f"check that {configured} reaches kembar run" in lines["updates"]
    assert WEBHOOK_SECRET not in printed


async def test_webhook_mode_warns_of_waiting_updates_and_passes_when_delivered(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str
) -> None:
    release = asyncio.Event()
    delivered: list[bytes] = []

    class Hook(tornado.web.RequestHandler):
        async def post(self) -> None:
            await release.wait()  # the bot is busy: the update stays pending, without an error
            delivered.append(self.request.body)
            self.finish("")

    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/kembar", Hook)]))
    server.add_sockets(sockets)
    configured = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/kembar"
    env = environment(
        emu, translation_server, database, KEMBAR_WEBHOOK_URL=configured, KEMBAR_WEBHOOK_SECRET=WEBHOOK_SECRET
    )
    try:
        await set_webhook(emu, configured)
        emu.inject_raw_update({"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}})
        checks = await checks_for(env)
        release.set()
        await emu.wait_for(lambda: not emu.pending_updates)
        after = await checks_for(env)
    finally:
        release.set()
        server.stop()
        await server.close_all_connections()

    assert checks["updates"].level == "warn"
    assert checks["updates"].detail == f"webhook {configured}, 1 update waiting"
    assert exit_status(list(checks.values())) == 0  # a warning is not a failure
    assert after["updates"] == Check("updates", "ok", f"webhook {configured}, nothing waiting")
    assert len(delivered) == 1


# -- database --------------------------------------------------------------------------------------


async def test_an_unreachable_database_is_named_without_its_password(
    emu: BotApiEmulator, translation_server: TranslationServer, capsys: pytest.CaptureFixture[str]
) -> None:
    port = closed_port()
    url = f"postgresql://kembar:hunter2-Pa55word@127.0.0.1:{port}/kembar"
    status, lines, printed = await doctor_cli(environment(emu, translation_server, url), capsys)

    assert status == 1
    assert lines["database"].startswith(f"FAIL database: postgresql kembar@127.0.0.1:{port}/kembar unreachable: ")
    assert "check DATABASE_URL" in lines["database"]
    assert "hunter2" not in printed and "Pa55word" not in printed
    assert [name for name, line in lines.items() if not line.startswith("ok")] == ["database"]


async def test_a_postgresql_error_is_shown_without_the_password(
    emu: BotApiEmulator, translation_server: TranslationServer, pg_url: str
) -> None:
    missing = make_url(pg_url).set(password="hunter2-Pa55word", database=f"{make_url(pg_url).database}_missing")
    checks = await checks_for(environment(emu, translation_server, missing.render_as_string(hide_password=False)))

    database = checks["database"]
    assert database.level == "FAIL"
    assert f'database "{missing.database}" does not exist' in database.detail
    assert "hunter2" not in database.detail + database.advice


async def test_a_database_behind_the_migrations_fails(
    emu: BotApiEmulator, translation_server: TranslationServer, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = await migrated(db_url, "0001")  # once on a SQLite file, once on PostgreSQL
    status, lines, _ = await doctor_cli(environment(emu, translation_server, url), capsys)

    assert status == 1
    assert f"is at migration 0001, this Kembar needs {head_revision()} — run kembar db upgrade" in lines["database"]
    assert lines["database"].startswith("FAIL database: ")

    assert await asyncio.to_thread(main, ["db", "upgrade"], {"DATABASE_URL": url}) == 0
    capsys.readouterr()
    status, lines, _ = await doctor_cli(environment(emu, translation_server, url), capsys)
    assert status == 0 and lines["database"].startswith("ok")


async def test_an_empty_or_missing_database_fails_and_is_not_created(
    emu: BotApiEmulator, translation_server: TranslationServer, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "kembar.db"
    checks = await checks_for(environment(emu, translation_server, f"sqlite+aiosqlite:///{missing}"))
    assert checks["database"] == Check(
        "database", "FAIL", f"no file at {missing}", "kembar run creates it, or kembar db upgrade"
    )
    assert not missing.exists() and not missing.parent.exists()

    empty = tmp_path / "empty.db"
    empty.touch()
    checks = await checks_for(environment(emu, translation_server, f"sqlite+aiosqlite:///{empty}"))
    assert checks["database"].level == "FAIL" and checks["database"].detail.endswith("has no tables yet")


# -- translator --------------------------------------------------------------------------------------


async def test_an_unreachable_translator_fails_with_what_to_check(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = environment(emu, translation_server, database)
    await translation_server.stop()
    status, lines, _ = await doctor_cli(env, capsys)

    assert status == 1
    assert lines["translator"] == (
        "FAIL translator: libre unavailable: network error (ConnectionError) — "
        f"check KEMBAR_TRANSLATOR_URL ({translation_server.root_url}) and that the server is up"
    )
    assert [name for name, line in lines.items() if not line.startswith("ok")] == ["translator"]


async def test_a_refused_translator_key_fails_without_showing_it(
    emu: BotApiEmulator, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with TranslationServer(api_key="the-right-key") as server:
        env = environment(emu, server, database, KEMBAR_TRANSLATOR_API_KEY="a-wrong-key-1234")
        status, lines, printed = await doctor_cli(env, capsys)

    assert status == 1
    assert lines["translator"].startswith("FAIL translator: libre API key refused: ")
    assert lines["translator"].endswith("— check KEMBAR_TRANSLATOR_API_KEY")
    assert "a-wrong-key-1234" not in printed


# -- clock ---------------------------------------------------------------------------------------------


async def test_clock_skew_warns_then_fails(
    emu: BotApiEmulator, translation_server: TranslationServer, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    env = environment(emu, translation_server, database)
    emu.clock_offset = 20.0  # Telegram's clock ahead of ours
    status, lines, _ = await doctor_cli(env, capsys)
    assert status == 0
    warned = re.fullmatch(
        r"warn clock: this machine is (\d+) s behind Telegram — sync the clock \(NTP.*", lines["clock"]
    )
    assert warned is not None, lines["clock"]
    assert 19 <= int(warned[1]) <= 21  # the Date header has whole seconds

    emu.clock_offset = -120.0
    status, lines, _ = await doctor_cli(env, capsys)
    assert status == 1
    failed = re.fullmatch(
        r"FAIL clock: this machine is (\d+) s ahead of Telegram: reminders and due dates fire early or late"
        r" — sync the clock \(NTP.*",
        lines["clock"],
    )
    assert failed is not None, lines["clock"]
    assert 119 <= int(failed[1]) <= 121
    assert [name for name, line in lines.items() if not line.startswith("ok")] == ["clock"]
