"""Shared fixtures: databases (SQLite and PostgreSQL), the repositories (in memory, SQLite, PostgreSQL), the
catalogue, a test clock, and the end-to-end world
(the Bot API emulator and the local translation server, tests/world.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.domain.repositories import Repositories
from bot.language.catalog import Catalog
from storage.db import Database
from storage.repositories import repositories
from tests.fakes.memory import Memory
from tests.world import World, make_world

PG_URL = os.environ.get("KEMBAR_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


async def _pg_admin() -> asyncpg.Connection:
    try:
        return await asyncpg.connect(_asyncpg_dsn(PG_URL), timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable under CI: {exc}")
        pytest.skip(f"PostgreSQL unreachable ({exc}); set CI=true to make this a failure")


@asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    admin = await _pg_admin()
    name = f"kembar_t_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{(tmp_path / 'kembar.db').as_posix()}"


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{(tmp_path / 'kembar.db').as_posix()}"
    else:
        async with fresh_pg_database() as url:
            yield url


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def repos(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Repositories]:
    """Every repository, once in memory (tests/fakes: what the unit tier runs on), once on SQLite and once
    on PostgreSQL: a test that takes ``repos`` is the contract the fakes keep."""
    if request.param == "memory":
        yield Memory().repositories()
        return
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite+aiosqlite:///{(tmp_path / 'kembar.db').as_posix()}"
        else:
            url = await stack.enter_async_context(fresh_pg_database())
        database = Database(url)
        stack.push_async_callback(database.dispose)
        await database.upgrade()
        yield repositories(database)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.upgrade()
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


class Clock:
    """A clock the test moves by hand (services take ``clock`` callables)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
async def world(db_url: str) -> AsyncIterator[World]:
    """The end-to-end world, once on SQLite and once on PostgreSQL."""
    async with make_world(db_url) as w:
        yield w


@pytest.fixture
async def sqlite_world(sqlite_url: str) -> AsyncIterator[World]:
    async with make_world(sqlite_url) as w:
        yield w


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx and requests honour proxy variables; loopback traffic must never go through a proxy."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
