"""The unit tier: no database and no network. The services run on repositories in memory (tests/fakes) with
a fake Telegram and translator (tests/kit.py); opening a database or a network connection fails the test."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any, NoReturn

import pytest

from bot.context import ChatContext
from bot.language.catalog import Catalog
from storage.db import Database
from tests.kit import BUSAN, SURABAYA, Kit, make_kit


@pytest.fixture(autouse=True)
def no_database_and_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tier's promise, kept: any attempt to open a database or connect a socket raises."""

    def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
        raise AssertionError("the unit tier opens no database and no network connection")

    monkeypatch.setattr(Database, "__init__", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
async def kit(catalog: Catalog) -> AsyncIterator[Kit]:
    async with make_kit(catalog) as made:
        yield made


@pytest.fixture
async def partners(kit: Kit) -> tuple[ChatContext, ChatContext]:
    """Surabaya (id) and Busan (ko), linked in one bridge."""
    await kit.group(SURABAYA, "Surabaya", "id")
    await kit.group(BUSAN, "Busan", "ko")
    await kit.link(SURABAYA, BUSAN)
    return await kit.here(SURABAYA), await kit.here(BUSAN)
