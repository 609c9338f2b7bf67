"""Indonesian date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

from bot.language.dates.spec import (
    AFTERNOON,
    DAWN,
    EARLY_EVENING,
    END_MONTH,
    END_NEXT_MONTH,
    END_NEXT_WEEK,
    END_WEEK,
    EOD,
    LATIN_HOUR,
    LATIN_MONTH_DATES,
    MALAM,
    MORNING,
    NEXT,
    NOON,
    THIS_WEEK,
    WEEK,
    Spec,
)

EXAMPLES = ("besok jam 10", "Jumat jam 14.00", "dalam 2 jam", "30 Maret pukul 09.00")  # shown when a date is refused

SPEC = Spec(
    numbers={"se": 1, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
             "sembilan": 9, "sepuluh": 10, "setengah": 0.5},
    units={"menit": "m", "mnt": "m", "jam": "h", "hari": "d", "minggu": "w", "pekan": "w"},
    durations=(r"\b(?:dalam|dlm)\s+(?P<body>⟨B⟩)", r"\b(?P<body>⟨B⟩)\s+(?:lagi|dari\s+sekarang|kemudian)\b"),
    duration_sep=r"(?:\s*(?:,|dan)\s*|\s+)",
    hour=LATIN_HOUR,
    clocks=(
        r"\b(?:jam|jm|pukul|pkl|pk)\.?\s*(?:(?P<prehalf>setengah)\s+)?(?P<h>⟨H⟩)(?:\s*[.:]\s*(?P<m>\d{2}))?(?!\d)",
        r"\b(?P<h>⟨H⟩)(?:[.:](?P<m>\d{2}))?(?=\s+(?:pagi|siang|sore|malam|dini\s+hari)\b)",
    ),
    clock_words=(
        (r"\btengah\s+malam\b", 24 * 60),
        (r"\btengah\s+hari\b", 12 * 60),
        (r"\b(?:akhir\s+hari(?:\s+kerja)?|jam\s+pulang(?:\s+kantor)?|eod|cob)\b", EOD),
    ),
    periods=(
        (r"\bpagi\b", MORNING),
        (r"\bsiang\b", NOON),
        (r"\bsore\b", AFTERNOON),
        (r"\bpetang\b", EARLY_EVENING),
        (r"\bmalam\b", MALAM),
        (r"\bdini\s+hari\b", DAWN),
    ),
    relative_days=(
        (r"\b(?:hari|hr)\s+ini\b", 0, None),
        (r"\b(?:besok|esok|bsk|besuk|bsok|bsuk|besoknya)\b", 1, None),
        (r"\b(?:lusa|lsa)\b", 2, None),
    ),
    week_phrases=(
        (r"\bhari\s+minggu\s+depan\b", NEXT, 6),
        (r"\bhari\s+minggu\s+ini\b", "", 6),
        (r"\b(?:minggu|pekan)\s+depan\b", WEEK, None),
        (r"\b(?:minggu|pekan)\s+ini\b", THIS_WEEK, None),
    ),
    weekday=r"\b(?:hari\s+)?(?P<wd>⟨WD⟩)\b(?:\s+(?P<next>depan)\b)?",
    weekday_names={"senin": 0, "sen": 0, "snn": 0, "selasa": 1, "sel": 1, "slasa": 1, "rabu": 2, "rab": 2,
                   "kamis": 3, "kam": 3, "kemis": 3, "jumat": 4, "jum'at": 4, "jumaat": 4, "jum": 4, "jmt": 4,
                   "sabtu": 5, "sab": 5, "sbtu": 5, "minggu": 6, "ahad": 6},
    ambiguous_next=frozenset({"depan"}),
    months={"agt": 8, "ags": 8, "agus": 8, "sept": 9, "nop": 11, "nopember": 11, "pebruari": 2, "peb": 2},
    month_dates=LATIN_MONTH_DATES,
    day_of_month=(r"\b(?:tanggal|tgl)\.?\s*(?P<d>\d{1,2})\b(?![.:/-]\d)",),
    fillers=frozenset({"pada", "pd", "tanggal", "tgl", "hari", "hr", "ini", "nanti", "sampai", "paling", "lambat",
                       "sekitar", "di", "tgl.", "sebelum", "sblm", "max", "maks", "deadline"}),
    ends=(
        (r"\bakhir\s+(?:minggu|pekan|mgg)\s+depan\b", END_NEXT_WEEK),
        (r"\bakhir\s+(?:minggu|pekan|mgg)(?:\s+ini)?\b", END_WEEK),
        (r"\bakhir\s+bulan\s+depan\b", END_NEXT_MONTH),
        (r"\bakhir\s+bulan(?:\s+ini)?\b", END_MONTH),
    ),
    calendar_weeks=(r"\b(?:minggu|pekan)\s+ke\s*-?\s*(?P<n>\d{1,2})\b",),
    dated_day_month=(r"\b(?:tanggal|tgl)\.?\s*(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.?(?!\d|[.:]\d)",),
)  # fmt: skip
