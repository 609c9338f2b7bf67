"""Translation storage: the translation cache, in memory, on SQLite and on PostgreSQL (``repos``); what a row
keeps, on the databases (``db``)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from bot.domain.repositories import Repositories
from storage.db import Database
from storage.models import TranslationCacheRow, utcnow
from storage.translation_cache import TranslationCacheRepository, normalise_text, text_hash

# -- translation cache ---------------------------------------------------------------------------------


async def test_translation_cache_round_trip_with_normalisation(repos: Repositories) -> None:
    cache = repos.translation_cache
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

    assert text_hash(" a \u00a0 b ") == hashlib.sha256(b"a b").hexdigest()
    assert normalise_text("  x \r\n  y  ") == "x\ny"


async def test_the_cache_keeps_the_normalised_text(db: Database) -> None:
    cache = TranslationCacheRepository(db)
    await cache.put_many("google", "id", "ko", {"Selamat  pagi ": "좋은 아침"})
    async with db.session() as session:
        row = await session.get(TranslationCacheRow, ("google", "id", "ko", text_hash("Selamat pagi")))
        assert row is not None and row.text == "Selamat pagi"


async def test_translation_cache_purge_drops_the_old_and_the_oldest_beyond_the_limit(repos: Repositories) -> None:
    cache = repos.translation_cache
    texts = ["satu", "dua", "tiga", "empat", "lima"]
    assert await cache.purge(utcnow(), keep_at_most=10) == 0  # nothing cached
    await cache.put_many("google", "id", "ko", {"satu": "하나"})
    await cache.put_many("google", "id", "ko", {"dua": "둘"})
    await cache.put_many("deepl", None, "en", {"tiga": "three", "empat": "four"})  # one batch, one instant
    await cache.put_many("google", "id", "ko", {"lima": "다섯"})
    yesterday = utcnow() - timedelta(days=1)
    assert await cache.purge(yesterday, keep_at_most=5) == 0
    assert await cache.purge(yesterday, keep_at_most=4) == 1  # the oldest beyond four
    assert await cache.get_many("google", "id", "ko", texts) == {"dua": "둘", "lima": "다섯"}
    # A cut-off inside a batch takes the whole batch: rows as old as the cut-off go with it.
    assert await cache.purge(yesterday, keep_at_most=2) == 3
    assert await cache.get_many("deepl", None, "en", texts) == {}
    assert await cache.get_many("google", "id", "ko", texts) == {"lima": "다섯"}
    await cache.put_many("google", "id", "ko", {"satu": "하나"})
    assert await cache.purge(utcnow() + timedelta(seconds=1), keep_at_most=10) == 2  # stored before `before`
    assert await cache.get_many("google", "id", "ko", texts) == {}
