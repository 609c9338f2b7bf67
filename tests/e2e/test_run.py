"""`kembar run` as an operator starts it: a real process, configured only through the environment, against
the Bot API emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.emulator import BotApiEmulator

TOKEN = "4343434343:AAE-kembar_run_secret_xyz"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emulator:
        yield emulator


async def test_kembar_run_answers_against_any_bot_api_server(emu: BotApiEmulator, tmp_path: Path) -> None:
    """`kembar run` as an operator starts it: a subprocess, configured only through the environment."""
    chat = emu.create_chat("Surabaya")
    admin = emu.create_user("Admin Surabaya", language_code="id")
    emu.set_admin(chat.id, admin.id)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "KEMBAR_BOT_API_URL": emu.root_url,
        "KEMBAR_DATA_DIR": str(tmp_path),
        "KEMBAR_LOG_LEVEL": "DEBUG",
    }
    env.pop("DATABASE_URL", None)
    log_path = tmp_path / "kembar.log"
    log_file = log_path.open("wb")  # a file, not a pipe: DEBUG logging would fill a pipe nobody reads
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, stdout=log_file, stderr=log_file
    )
    try:
        emu.post(chat.id, admin.id, "/start")
        first = await emu.wait_for_text(chat.id, "Kembar menghubungkan", timeout=30)
        emu.post(chat.id, admin.id, "/help")
        second = await emu.wait_for_text(chat.id, "Perintah Kembar", timeout=10)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 30)
        log_file.close()
    log = log_path.read_text()
    assert first["chat"]["id"] == second["chat"]["id"] == chat.id
    assert code == 0, log[-2000:]
    assert (tmp_path / "kembar.db").exists(), "kembar run migrates the database on start"
    assert "getUpdates" in log  # DEBUG logging really logged the requests...
    assert TOKEN not in log and TOKEN.split(":")[1] not in log  # ...without the token


async def test_kembar_run_with_a_rejected_token_says_so_without_the_token(emu: BotApiEmulator, tmp_path: Path) -> None:
    wrong = "1111111111:AAE-wrong_secret_value_abc"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": wrong,
        "KEMBAR_BOT_API_URL": emu.root_url,
        "KEMBAR_DATA_DIR": str(tmp_path),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    text = (out + err).decode()
    assert proc.returncode == 1
    assert "InvalidToken" in text and "rejected" in text
    assert "wrong_secret_value" not in text
