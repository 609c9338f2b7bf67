"""A kit for testing the services without Telegram: Kembar assembled with a fake Telegram and translator
(tests/fakes/telegram.py), on repositories in memory (``make_kit``: the unit tier) or on a real SQLite
file (``make_sql_kit``: tests that look at what the database keeps)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.context import Actor, ChatContext, Refused, Reply, render
from bot.language.catalog import Catalog
from bot.ops.cluster import SoloCluster
from bot.services import Services
from storage.db import Database
from tests.conftest import Clock
from tests.fakes.memory import Memory, MemoryStore
from tests.fakes.telegram import FakeTelegram, FakeTranslator

# Wednesday 2 December 2026, 09:00 in Jakarta, 11:00 in Seoul.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
SURABAYA, BUSAN, BRAUNSCHWEIG = -1001, -1002, -1003
IN_MEMORY = "sqlite+aiosqlite:///:memory:"  # the settings' database URL of a kit in memory (never opened)


@dataclass
class Kit:
    services: Services
    telegram: FakeTelegram
    translator: FakeTranslator
    clock: Clock

    async def group(self, chat_id: int, city: str, language: str) -> ChatContext:
        repo = self.services.chats.chats
        await repo.ensure(chat_id, title=f"{city} group", type="supergroup", default_language="en")
        await repo.set_language(chat_id, language)
        await repo.set_city(chat_id, city)
        return await self.here(chat_id)

    async def link(self, *chat_ids: int) -> None:
        for other in chat_ids[1:]:
            await self.services.chats.bridges.link(chat_ids[0], other)

    async def here(self, chat_id: int) -> ChatContext:
        chat = await self.services.chats.get(chat_id)
        assert chat is not None
        return await self.services.chats.context(chat)

    def admin(self, chat_id: int, user_id: int, name: str = "Admin", username: str | None = None) -> Actor:
        self.telegram.make_admin(chat_id, user_id)
        return Actor(user_id=user_id, name=name, username=username)

    def texts(self, chat_id: int) -> list[str]:
        return self.telegram.texts(chat_id)

    def render(self, answer: Reply | None, here: ChatContext) -> str:
        """What the handler would post for ``answer`` in that chat."""
        assert answer is not None
        return render(self.services.catalog, answer, here.language)

    async def refusal(self, call: Awaitable[object], here: ChatContext) -> tuple[str, str]:
        """The key and the rendered text of the ``Refused`` that ``call`` raises."""
        try:
            await call
        except Refused as refused:
            return refused.key, self.render(refused.reply, here)
        raise AssertionError("not refused")


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Until ``check()`` holds (for state with no change notification, such as a database row), re-checked
    every few milliseconds; TimeoutError after ``timeout``."""

    async def until() -> None:
        while not await check():  # noqa: ASYNC110 (a database row has no change notification to wait on)
            await asyncio.sleep(0.005)

    await asyncio.wait_for(until(), timeout)


def member(user_id: int, name: str = "Member", username: str | None = None) -> Actor:
    return Actor(user_id=user_id, name=name, username=username)


@asynccontextmanager
async def make_kit(catalog: Catalog, memory: Memory | None = None, **settings: Any) -> AsyncIterator[Kit]:
    """A kit on repositories in memory (a new ``Memory`` unless one is given: the same one again is the same
    "database" after a restart); ``settings`` override the defaults."""
    telegram, translator, clock = FakeTelegram(), FakeTranslator(), Clock(NOW)
    services = Services.assemble(
        Settings(database_url=IN_MEMORY, **settings),
        catalog,
        telegram,
        telegram,
        (memory or Memory()).repositories(),
        store=MemoryStore(),
        cluster=SoloCluster(IN_MEMORY),
        translator=translator,
        clock=clock,
    )
    async with _running(services) as running:
        yield Kit(running, telegram, translator, clock)


@asynccontextmanager
async def make_sql_kit(directory: Path, template: Path, catalog: Catalog, **settings: Any) -> AsyncIterator[Kit]:
    """A kit on a fresh copy of a migrated SQLite file (``migrated_sqlite``); ``settings`` override the
    defaults."""
    path = directory / "kembar.db"
    shutil.copyfile(template, path)
    telegram, translator, clock = FakeTelegram(), FakeTranslator(), Clock(NOW)
    services = Services.create(
        Settings(database_url=f"sqlite+aiosqlite:///{path.as_posix()}", **settings),
        catalog,
        telegram,
        telegram,
        translator=translator,
        clock=clock,
    )
    async with _running(services) as running:
        yield Kit(running, telegram, translator, clock)


@asynccontextmanager
async def _running(services: Services) -> AsyncIterator[Services]:
    await services.start()
    try:
        yield services
    finally:
        await services.close()


async def migrated_sqlite(path: Path) -> Path:
    """A SQLite file at ``path`` with every migration applied (to be copied by ``make_sql_kit``)."""
    db = Database(f"sqlite+aiosqlite:///{path.as_posix()}")
    try:
        await db.upgrade()
    finally:
        await db.dispose()
    return path
