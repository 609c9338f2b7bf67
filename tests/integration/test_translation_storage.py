"""Translation storage on SQLite and PostgreSQL: the translation cache."""

from __future__ import annotations

import hashlib

from storage.db import Database
from storage.models import TranslationCacheRow
from storage.translation_cache import TranslationCacheRepository, normalise_text, text_hash

# -- translation cache ---------------------------------------------------------------------------------


async def test_translation_cache_round_trip_with_normalisation(db: Database) -> None:
    cache = TranslationCacheRepository(db)
    assert await cache.get_many("google", "id", "ko", []) == {}
    assert await cache.get_many("google", "id", "ko", ["Selamat pagi"]) == {}
    pairs = {"Selamat  pagi ": "좋은 아침", "Rapat besok\njam 10": "내일 회의\n10시"}
    await cache.put_many("google", "id", "ko", pairs)
    await cache.put_many("google", "id", "ko", {"Selamat pagi": "좋은 아침"})  # idempotent
    await cache.put_many("google", "id", "ko", {})

    decomposed = "Cafe\u0301"  # "Café" with a combining accent: NFC makes it the same text
    await cache.put_many("google", "id", "ko", {"Café": "카페"})
    hits = await cache.get_many(
        "google", "id", "ko", ["Selamat pagi", "\tSelamat   pagi\n", decomposed, "Rapat besok jam 10", "unknown"]
    )
    assert hits == {"Selamat pagi": "좋은 아침", "\tSelamat   pagi\n": "좋은 아침", decomposed: "카페"}
    # Line breaks are part of the text: a one-line variant is another text.
    assert await cache.get_many("google", "id", "ko", ["Rapat  besok \njam 10"]) == {
        "Rapat  besok \njam 10": "내일 회의\n10시"
    }
    # Keyed by provider, source and target.
    assert await cache.get_many("deepl", "id", "ko", ["Selamat pagi"]) == {}
    assert await cache.get_many("google", "id", "en", ["Selamat pagi"]) == {}
    assert await cache.get_many("google", "auto", "ko", ["Selamat pagi"]) == {}

    # An unknown source is "auto"; a new translation replaces the cached one.
    await cache.put_many("google", None, "en", {"Guten Morgen": "Good morning"})
    await cache.put_many("google", "auto", "en", {"Guten Morgen": "Good morning!"})
    assert await cache.get_many("google", None, "en", ["Guten Morgen"]) == {"Guten Morgen": "Good morning!"}

    async with db.session() as session:
        row = await session.get(TranslationCacheRow, ("google", "id", "ko", text_hash("Selamat pagi")))
        assert row is not None and row.text == "Selamat pagi"
    assert text_hash(" a \u00a0 b ") == hashlib.sha256(b"a b").hexdigest()
    assert normalise_text("  x \r\n  y  ") == "x\ny"
