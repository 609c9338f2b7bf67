"""What the database keeps of relayed messages, and what the retention run leaves: the services on a real
SQLite file (tests/kit.py: make_sql_kit), the rows counted in the database itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.language.catalog import Catalog
from bot.relay.service import InboundMessage
from storage.models import Base, MessageLinkRow, RelayJobRow, TranslationCacheRow
from tests.kit import BUSAN, SURABAYA, Kit, eventually, make_sql_kit, migrated_sqlite


def message(n: int) -> InboundMessage:
    text = f"Pesan rahasia nomor {n}"
    return InboundMessage(SURABAYA, n, 7, "Ani", "Surabaya", "id", text, text, None, None, 0, 1_800_000_000)


@pytest.fixture
async def kit(tmp_path: Path, catalog: Catalog) -> AsyncIterator[Kit]:
    template = await migrated_sqlite(tmp_path / "template.db")
    async with make_sql_kit(tmp_path, template, catalog) as made:
        await made.group(SURABAYA, "Surabaya", "id")
        await made.group(BUSAN, "Busan", "ko")
        await made.link(SURABAYA, BUSAN)
        yield made


async def rows(kit: Kit, model: type[Base]) -> int:
    async with kit.services.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_retention_run_leaves_almost_nothing_of_relayed_messages(kit: Kit) -> None:
    surabaya = await kit.here(SURABAYA)
    assert surabaya.bridge is not None
    async with kit.services.relay.batch():
        for n in range(20):
            await kit.services.relay.submit(message(n), surabaya.bridge)
    await kit.telegram.wait_for(lambda: len(kit.texts(BUSAN)) == 20)

    async def delivered() -> bool:
        return (await kit.services.outbox.counts()).get("done") == 20

    await eventually(delivered)
    async with kit.services.database.session() as session:  # the texts are gone once delivered
        payloads: list[object] = list((await session.scalars(select(RelayJobRow.payload))).all())
    assert payloads and all(payload == {} for payload in payloads)
    assert await rows(kit, MessageLinkRow) == 20 and await rows(kit, TranslationCacheRow) > 0
    now = datetime.now(UTC)  # what the rows were stamped with
    kept = await kit.services.privacy.run_retention(now + timedelta(days=1))
    assert kept["relay_jobs"] == 0 and kept["message_links"] == 0  # still within their windows
    later = await kit.services.privacy.run_retention(now + timedelta(days=31))
    assert later["relay_jobs"] == 20 and later["message_links"] == 20
    assert await rows(kit, RelayJobRow) == 0 and await rows(kit, MessageLinkRow) == 0
    assert await rows(kit, TranslationCacheRow) == 0


