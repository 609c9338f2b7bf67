"""The partnership glossary of a bridge: terms and how each language renders them."""

from __future__ import annotations

import builtins
import unicodedata
from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.domain.records import GlossaryEntry
from bot.domain.rules import GLOSSARY_TERM_MAX
from storage._shared import rowcount, upsert
from storage.db import Database
from storage.models import GlossaryTermRow, utcnow


def term_key(term: str) -> str:
    """The identity of a term within its bridge: NFC, whitespace collapsed, case-folded."""
    return " ".join(unicodedata.normalize("NFC", term).split()).casefold()


def checked_term(term: str, renderings: Mapping[str, str]) -> tuple[str, str, dict[str, str]]:
    """A term as shown, its key and its renderings, if they may be kept: each at most ``GLOSSARY_TERM_MAX``
    characters; ValueError otherwise (the repositories in memory of the unit tests check with it too)."""
    shown = " ".join(unicodedata.normalize("NFC", term).split())
    if not shown:
        raise ValueError("a glossary term cannot be empty")
    key = term_key(shown)
    if len(key) > GLOSSARY_TERM_MAX or len(shown) > GLOSSARY_TERM_MAX:
        raise ValueError(f"a glossary term is at most {GLOSSARY_TERM_MAX} characters")
    values = dict(renderings)
    if any(len(rendering) > GLOSSARY_TERM_MAX for rendering in values.values()):
        raise ValueError(f"a term's rendering is at most {GLOSSARY_TERM_MAX} characters")
    return shown, key, values


def _entry(row: GlossaryTermRow) -> GlossaryEntry:
    return GlossaryEntry(term=row.term, renderings=dict(row.renderings))


class GlossaryRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, bridge_id: int, term: str, renderings: Mapping[str, str]) -> GlossaryEntry:
        """Add a term, or replace the spelling and renderings of the same term in any case."""
        shown, key, values = checked_term(term, renderings)
        now = utcnow()
        statement = upsert(self.db, GlossaryTermRow).values(
            bridge_id=bridge_id,
            term_key=key,
            term=shown,
            renderings=values,
            created_at=now,
            updated_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["bridge_id", "term_key"],
            set_={"term": statement.excluded.term, "renderings": statement.excluded.renderings, "updated_at": now},
        )
        try:
            async with self.db.session() as session:
                await session.execute(statement)
        except IntegrityError as exc:
            raise LookupError(f"bridge {bridge_id} is not known") from exc
        return GlossaryEntry(term=shown, renderings=values)

    async def remove(self, bridge_id: int, term: str) -> bool:
        """Remove a term (in any case); False if the bridge had no such term."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(GlossaryTermRow)
                .where(GlossaryTermRow.bridge_id == bridge_id, GlossaryTermRow.term_key == term_key(term))
                .execution_options(synchronize_session=False)
            )
            return rowcount(result) > 0

    async def list(self, bridge_id: int) -> builtins.list[GlossaryEntry]:
        """The bridge's terms, sorted case-insensitively."""
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(GlossaryTermRow)
                    .where(GlossaryTermRow.bridge_id == bridge_id)
                    .order_by(GlossaryTermRow.term_key)
                )
            ).all()
            return [_entry(row) for row in rows]

    async def as_mapping(self, bridge_id: int) -> dict[str, dict[str, str]]:
        """term → {language: rendering}, for the translation layer."""
        return {entry.term: entry.renderings for entry in await self.list(bridge_id)}
