"""Indonesian date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

import re

from bot.language.dates.spec import (
    AFTERNOON,
    COMING,
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
    NOON,
    REFUSE,
    THIS_WEEK,
    WEEK,
    WEEK_AFTER,
    Spec,
)

EXAMPLES = ("besok jam 10", "Jumat jam 14.00", "dalam 2 jam", "30 Maret pukul 09.00")  # shown when a date is refused

# Weekday names a following "besok" belongs to ("Jumat besok": the coming Friday, Javanese-influenced everyday use).
# "minggu besok" alone is "next week" (not a day); Sunday is "hari Minggu besok" / "Ahad besok".
_BESOK_AFTER = ("senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "hari minggu", "ahad")
_NOT_AFTER_WEEKDAY = "".join(rf"(?<!{name}\s)" for name in _BESOK_AFTER) + r"(?<!minggu\s)"
_WEEK = r"(?:minggu|pekan|mgg|mg)"
_AHEAD = r"(?:depan|dpn)"
_MONTH = r"(?:bulan|bln)"
_DATE_WORD = r"(?:tanggal|tgl)\.?"
_LATER = r"(?:nanti|ntar|entar|ntr|nnti)"  # "nanti malam": tonight
# "s.d." / "s/d" (sampai dengan) between two times or days is the written range; "sampai" and "hingga" alone also
# mean "until" (a deadline word, "paling lambat"'s neighbour in /action texts) and are no range separators
_RANGE_WORD = r"(?:s\.\s?d\.|s\.?d\b|s/d)"

SPEC = Spec(
    numbers={"se": 1, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
             "sembilan": 9, "sepuluh": 10, "setengah": 0.5, "seperempat": 0.25, "tiga perempat": 0.75,
             "satu setengah": 1.5, "dua setengah": 2.5, "tiga setengah": 3.5,
             # "dalam 1x24 jam" (within 24 hours), the formal notice's way; not "7x24 jam", which is "24/7"
             "1x24": 24, "2x24": 48, "3x24": 72, "1 x 24": 24, "2 x 24": 48, "3 x 24": 72},
    units={"menit": "m", "mnt": "m", "jam": "h", "hari": "d", "hr": "d", "minggu": "w", "mgg": "w", "pekan": "w"},
    durations=(
        r"\b(?:dalam|dlm)(?:\s+(?:waktu|wkt))?\s+(?P<body>⟨B⟩)",
        r"\b(?P<body>⟨B⟩)\s+(?:lagi|lg|lgi|dari\s+sekarang|kemudian)\b",
        r"(?<![\w.,])(?P<body>[1-3]\s?x\s?24\s*jam)\b",  # "1x24 jam" is itself "within 24 hours"
    ),
    duration_sep=r"(?:\s*(?:,|dan)\s*|\s+)",
    hour=LATIN_HOUR,
    clocks=(
        r"\b(?:jam|jm|pukul|pkl|pk)\.?\s*(?:(?P<prehalf>setengah)\s+)?(?P<h>⟨H⟩)(?:\s*[.:]\s*(?P<m>\d{2}))?(?!\d)",
        # "3 sore", "9.30 pagi": not the day of "tgl 18 sore" or "13/3 pagi"
        r"(?<![\d./:-])(?<!tanggal\s)(?<!tgl\s)(?<!tgl\.\s)(?<!tgl)(?<!tgl\.)"
        r"\b(?P<h>⟨H⟩)(?:[.:](?P<m>\d{2}))?(?=\s(?:pagi|pgi|siang|sore|petang|malam|mlm|dini\s+hari)\b)",
    ),
    clock_words=(
        (r"\btengah\s+malam\b", 24 * 60),
        (r"\btengah\s+hari\b", 12 * 60),
        (r"\b(?:akhir\s+hari(?:\s+kerja)?|jam\s+pulang(?:\s+kantor)?|eod|cob)\b", EOD),
    ),
    periods=(
        (r"\b(?:pagi|pgi)\b", MORNING),
        (r"\bsiang\b", NOON),
        (r"\bsore\b", AFTERNOON),
        (r"\bpetang\b", EARLY_EVENING),
        (r"\b(?:malam|mlm)\b", MALAM),
        (r"\bdini\s+hari\b", DAWN),
    ),
    relative_days=(
        (r"\b(?:hari|hr|hri)\s+ini\b", 0, None),
        # a period of today: "nanti malam", "sore ini" (today, even once that part of the day has passed)
        (rf"\b(?:{_LATER}\s+(?:malam|mlm)|(?:malam|mlm)\s+ini)\b", 0, MALAM),
        (rf"\b(?:{_LATER}\s+sore|sore\s+ini)\b", 0, AFTERNOON),
        (rf"\b(?:{_LATER}\s+siang|siang\s+ini)\b", 0, NOON),
        (r"\b(?:pagi|pgi)\s+ini\b", 0, MORNING),
        (rf"{_NOT_AFTER_WEEKDAY}\b(?:besok|esok|bsk|besuk|bsok|bsuk|besoknya)\b", 1, None),
        (r"\b(?:lusa|lsa)\b", 2, None),
        (r"\b(?:kemarin|kemaren|kmrn|kmarin|kemarén)\b", -1, None),
    ),
    week_phrases=(
        (rf"\b{_WEEK}\s+{_AHEAD}(?:nya)?\s+(?:lagi|lg)\b", WEEK_AFTER, None),  # "Jumat minggu depannya lagi"
        # "hari Minggu depan" is a weekday with "depan", read by ``weekday``; "minggu besok", "minggu mendatang" are
        # "next week"
        (rf"(?<!hari\s)\b{_WEEK}\s+(?:{_AHEAD}|besok|mendatang|yang\s+akan\s+datang)\b", WEEK, None),
        (rf"(?<!hari\s)\b{_WEEK}\s+ini\b", THIS_WEEK, None),
    ),
    weekday=r"\b(?:hari\s+)?(?P<wd>⟨WD⟩)\b(?:\s+(?P<next>depan|dpn|mendatang|yang\s+akan\s+datang|besok))?(?![\w'])",
    weekday_names={"senin": 0, "sen": 0, "snn": 0, "selasa": 1, "sel": 1, "slasa": 1, "rabu": 2, "rab": 2,
                   "rebo": 2, "kamis": 3, "kam": 3, "kemis": 3, "jumat": 4, "jum'at": 4, "jumaat": 4, "jum": 4,
                   "jmt": 4, "sabtu": 5, "sab": 5, "sbtu": 5, "minggu": 6, "ahad": 6},
    next_modes={"mendatang": COMING, "yang akan datang": COMING, "besok": COMING},
    ambiguous_next=frozenset({"depan", "dpn"}),
    months={"agt": 8, "ags": 8, "agus": 8, "sept": 9, "nop": 11, "nopember": 11, "pebruari": 2, "peb": 2},
    month_dates=LATIN_MONTH_DATES,
    day_of_month=(rf"\b{_DATE_WORD}\s*(?P<d>\d{{1,2}})\b(?![.:/-]\d)",),
    fillers=frozenset({"pada", "pd", "tanggal", "tgl", "hari", "hr", "ini", "nanti", "sampai", "paling", "lambat",
                       "sekitar", "di", "tgl.", "sebelum", "sblm", "max", "maks", "deadline", "ya", "tepat", "juga",
                       "ntar", "entar", "ntr", "nnti"}),
    ends=(
        # "malam Minggu" is Saturday night, "malam Jumat" Thursday night: the evening before the day named; refused
        # rather than read as the day named ("Jumat malam" is Friday night and is read; so is "Sabtu malam minggu
        # depan")
        (r"\b(?:malam|mlm)\s+(?:hari\s+)?(?:senin|selasa|rabu|rebo|kamis|kemis|jumat|jum'at|jumaat|jum|sabtu|ahad"
         r"|minggu(?!\s+(?:depan|dpn|ini|mendatang|yang|besok|lalu|ke)\b))(?![\w'])", REFUSE),
        (rf"\bakhir\s+{_WEEK}\s+{_AHEAD}\b", END_NEXT_WEEK),
        (rf"\bakhir\s+{_WEEK}(?:\s+ini)?\b", END_WEEK),
        (rf"\bakhir\s+{_MONTH}\s+{_AHEAD}\b", END_NEXT_MONTH),
        (rf"\bakhir\s+{_MONTH}(?:\s+ini)?\b", END_MONTH),
    ),
    # "minggu ke-20" is a calendar week; "minggu ke-2" is as often the second week of a month: refused (left over)
    calendar_weeks=(r"\b(?:minggu|pekan)\s+ke\s*-?\s*(?P<n>[6-9]|[1-5]\d)\b",),
    dated_day_month=(rf"\b{_DATE_WORD}\s*(?P<d>\d{{1,2}})\.(?P<mo>\d{{1,2}})\.?(?!\d|[.:]\d)",),
    next_month_days=(
        rf"\b{_DATE_WORD}\s*(?P<d>\d{{1,2}})\s+{_MONTH}\s+{_AHEAD}\b",
        rf"\b{_MONTH}\s+{_AHEAD}\s+(?:pada\s+)?{_DATE_WORD}\s*(?P<d>\d{{1,2}})\b(?![.:/-]\d)",
    ),
    deadline_words=(
        # before the phrase: "paling lambat besok", "Batas waktu: 5 Mei", "s.d. Jumat", "DL besok"
        r"^(?:paling\s+(?:lambat|telat)|selambat-lambatnya|deadline|dl|batas\s+waktu|tenggat(?:\s+waktu)?"
        r"|maks(?:imal)?|max|sebelum|sblm|sampai(?:\s+dengan)?|s\.\s?d\.|s\.?d|s/d|hingga)(?![\w/'-])\s*:?",
        # the labels of a formal invitation's lines: "Hari/tanggal: Rabu, 16 September 2026", "Waktu: 09.00 WIB"
        r"\b(?:hari\s*/\s*(?:tanggal|tgl)|waktu)\s*:",
        # after it: "besok jam 10 paling lambat", "Jumat ya", "besok ya kak"
        r"(?<![\w'-])(?:paling\s+(?:lambat|telat)|selambat-lambatnya|maks(?:imal)?|max"
        r"|ya+(?:\s+(?:kak|pak|bu|mas|mbak))?)$",
        # "jam 9 s.d. selesai", "09.00 WIB s.d. selesai": from 9, until it is over
        rf"(?:(?<=\d)|(?<=\d\swib)|(?<=\d\swit)|(?<=\d\swita))\s*{_RANGE_WORD}\s+selesai(?![\w/'-])",
        # the end of a range of clock times, both with minutes (the start is read): "pukul 09.00 s.d. 12.00 WIB"
        rf"(?:(?<=\d[.:]\d\d)|(?<=\d[.:]\d\d\swib)|(?<=\d[.:]\d\d\swit)|(?<=\d[.:]\d\d\swita))\s*{_RANGE_WORD}\s*"
        rf"\d{{1,2}}[.:]\d{{2}}(?![\d.:])(?![\w/'-])",
    ),
    range_separators=rf"[-–—~]|{_RANGE_WORD}",
    places={"indonesia barat": "Asia/Jakarta", "indonesia bagian barat": "Asia/Jakarta",
            "indonesia tengah": "Asia/Makassar", "indonesia bagian tengah": "Asia/Makassar",
            "indonesia timur": "Asia/Jayapura", "indonesia bagian timur": "Asia/Jayapura",
            "korea selatan": "Asia/Seoul", "korsel": "Asia/Seoul", "jepang": "Asia/Tokyo",
            "tiongkok": "Asia/Shanghai", "cina": "Asia/Shanghai", "rrt": "Asia/Shanghai", "jerman": "Europe/Berlin",
            "inggris": "Europe/London", "belanda": "Europe/Amsterdam", "prancis": "Europe/Paris",
            "perancis": "Europe/Paris", "singapura": "Asia/Singapore"},
    zone_hint=re.compile(r"waktu|wkt|time"),
    zone_patterns=(r"\b(?:waktu|wkt)\s+(?P<z>⟨Z⟩)(?![\w'-])", r"\b(?P<z>⟨Z⟩)\s+time\b"),
)  # fmt: skip
