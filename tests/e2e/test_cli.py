"""Operator CLI: kembar bridges list | link | unlink."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.sandbox.emulator import BotApiEmulator
from storage.bridges import BridgeRepository
from storage.chats import ChatRepository
from storage.db import Database

TOKEN = "7777777777:AAE-cli_bridges_secret"


async def seed(url: str, chats: dict[int, tuple[str, str]]) -> None:
    db = Database(url)
    try:
        await db.upgrade()
        repo = ChatRepository(db)
        for chat_id, (title, language) in chats.items():
            await repo.ensure(chat_id, title=title, type="supergroup", default_language=language)
    finally:
        await db.dispose()


async def bridge_ids(url: str) -> list[list[int]]:
    db = Database(url)
    try:
        return [[c.id for c in b.members] for b in await BridgeRepository(db).all()]
    finally:
        await db.dispose()


def test_link_list_unlink_without_a_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    env = {"DATABASE_URL": url}
    asyncio.run(seed(url, {-1: ("Surabaya", "id"), -2: ("Busan", "ko"), -3: ("Braunschweig", "de")}))

    assert main(["bridges", "list"], env=env) == 0
    assert "no bridges" in capsys.readouterr().out
    assert main(["bridges", "link", "-1", "-2"], env=env) == 0
    out = capsys.readouterr().out
    assert "Surabaya (-1), Busan (-2)" in out and "not notified" in out
    assert main(["bridges", "link", "-1", "-3"], env=env) == 0
    capsys.readouterr()
    assert main(["bridges", "list"], env=env) == 0
    listing = capsys.readouterr().out
    assert "-3  Braunschweig  (de)" in listing
    assert asyncio.run(bridge_ids(url)) == [[-1, -2, -3]]

    assert main(["bridges", "link", "-2", "-3"], env=env) == 1
    assert "already in bridge" in capsys.readouterr().err
    assert main(["bridges", "link", "-1", "-99"], env=env) == 1
    assert "add the bot to that group first" in capsys.readouterr().err
    assert main(["bridges", "unlink", "-2"], env=env) == 0
    assert asyncio.run(bridge_ids(url)) == [[-1, -3]]
    assert main(["bridges", "unlink", "-2"], env=env) == 1


async def test_link_with_a_token_tells_the_groups(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    async with BotApiEmulator(token=TOKEN) as emu:
        surabaya, busan = emu.create_chat("Surabaya"), emu.create_chat("Busan")
        await seed(url, {surabaya.id: ("Surabaya", "id"), busan.id: ("Busan", "en")})
        env = {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": TOKEN, "KEMBAR_BOT_API_URL": emu.root_url}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "bridges",
            "link",
            str(surabaya.id),
            str(busan.id),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        told_id = await emu.wait_for_text(surabaya.id, "Busan telah bergabung dengan jaringan kota mitra")
        told_en = await emu.wait_for_text(busan.id, "Busan has joined the bridge")
    assert "Surabaya — bahasa Indonesia" in told_id["text"]
    assert "Busan — English" in told_en["text"]
    assert b"not notified" not in out


def test_operator_commands_for_approval_forgetting_and_cleaning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'k.db'}", "KEMBAR_APPROVAL": "on"}
    assert main(["chats", "approve", "-100123"], env) == 0
    assert main(["chats", "list"], env) == 0
    assert "-100123" in capsys.readouterr().out
    assert main(["chats", "revoke", "-100123"], env) == 0
    assert "no longer approved" in capsys.readouterr().out
    import asyncio

    async def seed() -> None:
        db = Database(env["DATABASE_URL"])
        try:
            await db.upgrade()
            await ChatRepository(db).ensure(-100123, title="Bandung", type="supergroup", default_language="id")
        finally:
            await db.dispose()

    asyncio.run(seed())
    assert main(["forget", "-100123"], env) == 0
    assert "rows deleted" in capsys.readouterr().out
    assert main(["forget", "-100123"], env) == 0
    assert "nothing stored" in capsys.readouterr().out
    assert main(["db", "clean"], env) == 0
    assert "relay_jobs: 0" in capsys.readouterr().out


async def seed_actions(url: str) -> None:
    from datetime import UTC, datetime

    from bot.domain.records import Scope
    from storage.actions import ActionRepository

    db = Database(url)
    try:
        actions = ActionRepository(db)
        await ChatRepository(db).set_language(-1, "ko")
        for n, title in enumerate(("교류 계획서 제출", "Kirim draf MoU"), 1):
            due = datetime(2027, 1, 8 + n, 6, 0, tzinfo=UTC)
            await actions.create(scope=Scope("chat", -1), bridge_id=None, chat_id=-1, title=title, language="ko",
                                 due_at=due)
    finally:
        await db.dispose()


def test_export_writes_the_groups_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    env = {"DATABASE_URL": url}
    asyncio.run(seed(url, {-1: ("Busan", "ko"), -2: ("Empty", "id")}))
    asyncio.run(seed_actions(url))
    out = tmp_path / "out"
    assert main(["export", "actions", "-1", "--out", str(out)], env=env) == 0
    written = sorted(p.name for p in out.iterdir())
    assert [name.rsplit(".", 1)[1] for name in written] == ["csv", "xlsx"]
    csv_text = next(out.glob("*.csv")).read_bytes()
    assert csv_text.startswith(b"\xef\xbb\xbf") and "교류 계획서 제출" in csv_text.decode("utf-8-sig")
    assert main(["export", "calendar", "-1", "--out", str(out)], env=env) == 0
    assert b"BEGIN:VEVENT" in next(out.glob("*.ics")).read_bytes()
    capsys.readouterr()
    assert main(["export", "indicators", "-2", "--out", str(out)], env=env) == 0
    assert "nothing to export" in capsys.readouterr().out
    assert main(["export", "actions", "-42", "--out", str(out)], env=env) == 1
    assert "no group -42" in capsys.readouterr().err
