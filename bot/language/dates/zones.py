"""Zones a phrase may name: abbreviations (fixed offsets), and places — cities and countries — by name.

An abbreviation names one fixed offset whatever the date (what the writer's clock showed): WIB +7, WITA +8, WIT +9,
KST and JST +9, UTC/GMT 0, CET/MEZ +1, CEST/MESZ +2, BST +1. A place names its IANA zone, so summer time follows the
date ("9 Uhr Berliner Zeit" in July is 09:00 CEST). The Latin spellings below are known in every language; each
language's rule table adds its own spellings (``Spec.places``: "독일", "ベルリン", "柏林") and says how it frames a
zone (``Spec.zone_patterns``: "waktu ⟨Z⟩", "⟨Z⟩ time", "⟨Z⟩ 시간"); a bridge's own cities come at run time, by the
labels its groups gave themselves (``read_date(places=…)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

# hours east of UTC: each abbreviation names one fixed offset, summer time or not
ABBREVIATIONS: Final[Mapping[str, int]] = {
    "wib": 7, "wita": 8, "wit": 9, "kst": 9, "jst": 9, "utc": 0, "gmt": 0, "cet": 1, "mez": 1, "cest": 2,
    "mesz": 2, "bst": 1, "hkt": 8, "sgt": 8,
}  # fmt: skip

# Cities and countries of the partner countries (and a few hubs) in Latin script, lower case.
LATIN_PLACES: Final[Mapping[str, str]] = {
    # Indonesia
    "indonesia": "Asia/Jakarta", "jakarta": "Asia/Jakarta", "surabaya": "Asia/Jakarta", "bandung": "Asia/Jakarta",
    "semarang": "Asia/Jakarta", "medan": "Asia/Jakarta", "yogyakarta": "Asia/Jakarta", "jogja": "Asia/Jakarta",
    "jogjakarta": "Asia/Jakarta", "palembang": "Asia/Jakarta", "pontianak": "Asia/Pontianak",
    "makassar": "Asia/Makassar", "denpasar": "Asia/Makassar", "bali": "Asia/Makassar", "manado": "Asia/Makassar",
    "balikpapan": "Asia/Makassar", "jayapura": "Asia/Jayapura", "ambon": "Asia/Jayapura",
    # Korea
    "korea": "Asia/Seoul", "south korea": "Asia/Seoul", "seoul": "Asia/Seoul", "busan": "Asia/Seoul",
    "pusan": "Asia/Seoul", "incheon": "Asia/Seoul", "daegu": "Asia/Seoul", "daejeon": "Asia/Seoul",
    "gwangju": "Asia/Seoul", "ulsan": "Asia/Seoul", "suwon": "Asia/Seoul", "jeju": "Asia/Seoul",
    # Japan
    "japan": "Asia/Tokyo", "tokyo": "Asia/Tokyo", "osaka": "Asia/Tokyo", "kochi": "Asia/Tokyo", "kyoto": "Asia/Tokyo",
    "yokohama": "Asia/Tokyo", "nagoya": "Asia/Tokyo", "kobe": "Asia/Tokyo", "fukuoka": "Asia/Tokyo",
    "sapporo": "Asia/Tokyo", "hiroshima": "Asia/Tokyo", "kitakyushu": "Asia/Tokyo",
    # China
    "china": "Asia/Shanghai", "beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai", "guangzhou": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai", "chengdu": "Asia/Shanghai", "wuhan": "Asia/Shanghai", "hangzhou": "Asia/Shanghai",
    "nanjing": "Asia/Shanghai", "tianjin": "Asia/Shanghai", "xiamen": "Asia/Shanghai", "hong kong": "Asia/Hong_Kong",
    # Germany
    "germany": "Europe/Berlin", "deutschland": "Europe/Berlin", "berlin": "Europe/Berlin", "munich": "Europe/Berlin",
    "münchen": "Europe/Berlin", "muenchen": "Europe/Berlin", "hamburg": "Europe/Berlin", "frankfurt": "Europe/Berlin",
    "cologne": "Europe/Berlin", "köln": "Europe/Berlin", "koeln": "Europe/Berlin", "braunschweig": "Europe/Berlin",
    "brunswick": "Europe/Berlin", "stuttgart": "Europe/Berlin", "düsseldorf": "Europe/Berlin",
    "duesseldorf": "Europe/Berlin", "leipzig": "Europe/Berlin", "dresden": "Europe/Berlin", "bremen": "Europe/Berlin",
    "hannover": "Europe/Berlin", "hanover": "Europe/Berlin", "freiburg": "Europe/Berlin",
    # hubs
    "london": "Europe/London", "uk": "Europe/London", "britain": "Europe/London", "paris": "Europe/Paris",
    "france": "Europe/Paris", "amsterdam": "Europe/Amsterdam", "netherlands": "Europe/Amsterdam",
    "singapore": "Asia/Singapore", "bangkok": "Asia/Bangkok", "kuala lumpur": "Asia/Kuala_Lumpur",
    "malaysia": "Asia/Kuala_Lumpur", "manila": "Asia/Manila", "hanoi": "Asia/Bangkok", "sydney": "Australia/Sydney",
}  # fmt: skip


def fixed_zone_key(hours: int) -> str:
    """The IANA key of a fixed offset: +7 is "Etc/GMT-7" (POSIX signs are reversed)."""
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
