"""Translations cached per (provider, source language, target language, normalised text).

An entry is shared by every bridge (a hit may come from another bridge's entry), and says which bridge
it was stored for; each group of that bridge is marked then (``translation_cache_chats``) as one whose
texts the bridge's entries may hold. Forgetting a group deletes the entries of its bridges
(storage/chatdata.py); the retention run deletes old entries and the marks older than any entry they
could cover.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Integer, delete, literal, select
from sqlalchemy.engine import Connection

from storage._shared import rowcount, upsert
from storage.db import Database
from storage.models import BridgeMemberRow, TranslationCacheChatRow, TranslationCacheRow, UTCDateTime, utcnow

AUTO_SOURCE = "auto"  # the source language when it is not known


def normalise_text(text: str) -> str:
    """The cache's view of a text: NFC, runs of whitespace collapsed to one space within each line, stripped.

    Line breaks are kept: a translation keeps the line structure of its text, so texts that differ in
    their lines must not share a cache entry.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()


def text_hash(text: str) -> str:
    """SHA-256 (hex) of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


class TranslationCacheRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_many(self, provider: str, source: str | None, target: str, texts: Sequence[str]) -> dict[str, str]:
        """text → cached translation, for the texts that are cached (one query)."""
        hashes = {text: text_hash(text) for text in texts}
        if not hashes:
            return {}
        query = select(TranslationCacheRow.text_hash, TranslationCacheRow.translation).where(
            TranslationCacheRow.provider == provider,
            TranslationCacheRow.source == (source or AUTO_SOURCE),
            TranslationCacheRow.target == target,
            TranslationCacheRow.text_hash.in_(set(hashes.values())),
        )
        found = await self.db.run_sync(lambda conn: {key: translation for key, translation in conn.execute(query)})
        return {text: found[key] for text, key in hashes.items() if key in found}

    async def purge(self, before: datetime, keep_at_most: int) -> int:
        """Drop translations stored before ``before``, and the oldest beyond ``keep_at_most``; how many.
        The marks of groups no remaining entry could hold the texts of go too (not counted)."""
        marks = TranslationCacheChatRow
        async with self.db.session() as session:
            removed = rowcount(
                await session.execute(delete(TranslationCacheRow).where(TranslationCacheRow.created_at < before))
            )
            await session.execute(delete(marks).where(marks.at < before))
            cutoff = await session.scalar(
                select(TranslationCacheRow.created_at)
                .order_by(TranslationCacheRow.created_at.desc())
                .offset(keep_at_most)
                .limit(1)
            )
            if cutoff is not None:
                removed += rowcount(
                    await session.execute(delete(TranslationCacheRow).where(TranslationCacheRow.created_at <= cutoff))
                )
                await session.execute(delete(marks).where(marks.at <= cutoff))
            return removed

    async def put_many(
        self, provider: str, source: str | None, target: str, bridge_id: int | None, pairs: Mapping[str, str]
    ) -> None:
        """Store text → translation pairs translated for bridge ``bridge_id`` (None: for a group in no
        bridge); a text cached already gets the new translation and is that bridge's from now on. Every
        group of the bridge is marked as one whose texts the bridge's entries may hold."""
        by_hash: dict[str, dict[str, object]] = {}
        now = utcnow()
        for text, translation in pairs.items():
            key = text_hash(text)
            by_hash[key] = {
                "provider": provider,
                "source": source or AUTO_SOURCE,
                "target": target,
                "text_hash": key,
                "text": normalise_text(text),
                "translation": translation,
                "created_at": now,
                "bridge_id": bridge_id,
            }
        if not by_hash:
            return
        # One statement for every row (an executemany): compiled once, not per batch of values. In key
        # order (the rows share provider, source and target), as other writes and forgetting a group lock
        # them: no deadlock between them. The marks too, in key order.
        statement = upsert(self.db, TranslationCacheRow)
        statement = statement.on_conflict_do_update(
            index_elements=["provider", "source", "target", "text_hash"],
            set_={
                "translation": statement.excluded.translation,
                "created_at": statement.excluded.created_at,
                "bridge_id": statement.excluded.bridge_id,
            },
        )
        rows = [by_hash[key] for key in sorted(by_hash)]
        marks = None
        if bridge_id is not None:
            members = (
                select(
                    BridgeMemberRow.chat_id,
                    literal(bridge_id, Integer()),
                    literal(now, UTCDateTime()),
                )
                .where(BridgeMemberRow.bridge_id == bridge_id)
                .order_by(BridgeMemberRow.chat_id)
            )
            insert = upsert(self.db, TranslationCacheChatRow).from_select(["chat_id", "bridge_id", "at"], members)
            marks = insert.on_conflict_do_update(
                index_elements=["chat_id", "bridge_id"], set_={"at": insert.excluded.at}
            )

        def write(conn: Connection) -> None:
            conn.execute(statement, rows)
            if marks is not None:  # in the same transaction: an entry is never stored without its marks
                conn.execute(marks)

        await self.db.run_sync(write)
