"""The end-to-end test world: the Bot API emulator, the local translation server, the real application on
them, and helpers to drive them (the integration and e2e tiers use it)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.town import CODE_RE, Town, link_towns
from bot.sandbox.translate_server import TranslationServer
from bot.services import Services
from bot.telegram.app import build_application, running
from bot.telegram.polling import DurablePoller
from handlers.context import SERVICES_KEY

TOKEN = "5555555555:AAE-relay_world_secret_token"
__all__ = ["CODE_RE", "TOKEN", "World", "make_world", "services", "start_bot", "stop_bot"]


def services(poller: DurablePoller) -> Services:
    """The services of the application a poller runs."""
    found = poller.app.bot_data[SERVICES_KEY]
    assert isinstance(found, Services)
    return found


class World:
    def __init__(self, emu: BotApiEmulator, server: TranslationServer, database_url: str) -> None:
        self.emu = emu
        self.server = server
        self.database_url = database_url

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "token": TOKEN,
            "bot_api_url": self.emu.root_url,
            "database_url": self.database_url,
            "translator": "libre",
            "translator_url": self.server.root_url,
            "translator_timeout": 2.0,
            "send_rate": 10000.0,
            "group_rate": 100000.0,
        }
        values.update(overrides)
        return Settings(**values)

    def bot(
        self, *, clock: Callable[[], datetime] | None = None, reminder_jobs: bool = True, **overrides: Any
    ) -> AbstractAsyncContextManager[DurablePoller]:
        app = build_application(self.settings(**overrides), clock=clock, reminder_jobs=reminder_jobs)
        return running(app, poll_timeout=1)

    def town(self, city: str, language: str, *, basic_group: bool = False) -> Town:
        return Town(self.emu, city, language, basic_group=basic_group)

    def texts(self, town: Town) -> list[str]:
        return [str(m.get("text") or m.get("caption") or "") for m in self.emu.sent(town.id)]

    async def ask(self, town: Town, text: str, *, as_admin: bool = True) -> str:
        before = len(self.emu.sent(town.id))
        self.emu.post(town.id, town.admin.id if as_admin else town.member.id, text)
        sent = await self.emu.wait_for_sent(town.id, before + 1)
        return str(sent[before]["text"])

    async def setup(self, *towns: Town) -> None:
        """Set each town's language, then link them all into one bridge as coordinators do (a code sent
        privately, /link <code> in the partner group, approved with a button)."""
        for town in towns:
            if town.language != "en":
                await self.ask(town, f"/lang {town.language}")
        for other in towns[1:]:
            await link_towns(self.emu, towns[0], other)
            assert other.city in self.texts(other)[-1], self.texts(other)[-1]

    async def relayed(self, town: Town, substring: str, timeout: float = 10.0) -> dict[str, Any]:  # noqa: ASYNC109
        def found() -> dict[str, Any] | None:
            for message in self.emu.sent(town.id):
                if substring in str(message.get("text") or message.get("caption") or ""):
                    return message
            return None

        return await self.emu.wait_for(found, timeout, message=f"{substring!r} in {town.city}")


@asynccontextmanager
async def make_world(database_url: str) -> AsyncIterator[World]:
    async with BotApiEmulator(token=TOKEN) as emu, TranslationServer() as server:
        yield World(emu, server, database_url)


async def start_bot(
    world: World,
    data_dir: Path,
    log: Any,
    *,
    env: Mapping[str, str] | None = None,
    descriptors: tuple[int, int] | None = None,
) -> asyncio.subprocess.Process:
    """``kembar run`` as its own process against the world's emulator and translation server (``env``: more
    settings; ``descriptors``: its open-file limit, soft and hard, set before it starts)."""
    settings = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "KEMBAR_BOT_API_URL": world.emu.root_url,
        "DATABASE_URL": world.database_url,
        "KEMBAR_DATA_DIR": str(data_dir),
        "KEMBAR_TRANSLATOR": "libre",
        "KEMBAR_TRANSLATOR_URL": world.server.root_url,
        "KEMBAR_TRANSLATOR_TIMEOUT": "1",
        "KEMBAR_SEND_RATE": "off",
        **(env or {}),
    }
    if descriptors is None:
        command = [sys.executable, "-m", "bot.cli", "run"]
    else:
        limited = (
            "import os, resource, sys; "
            f"resource.setrlimit(resource.RLIMIT_NOFILE, {descriptors!r}); "
            "os.execv(sys.executable, [sys.executable, '-m', 'bot.cli', 'run'])"
        )
        command = [sys.executable, "-c", limited]
    return await asyncio.create_subprocess_exec(*command, env=settings, stdout=log, stderr=log)


async def stop_bot(proc: asyncio.subprocess.Process) -> None:
    """Stop a ``kembar run`` as an operator would (Ctrl-C), killed when it takes longer than 30 s."""
    if proc.returncode is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        proc.kill()
        await proc.wait()
