"""German date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

import re

from bot.language.dates.spec import (
    AFTERNOON,
    COMING,
    END_MONTH,
    END_NEXT_MONTH,
    END_NEXT_WEEK,
    END_WEEK,
    EOD,
    EVENING,
    FORENOON,
    LATIN_MONTH_DATES,
    MORNING,
    NOON,
    REFUSE,
    THIS_WEEK,
    WEEK,
    WEEK_AFTER,
    Period,
    Spec,
)

_COMPOUND = r"(?:\b|(?<=tag)|(?<=woch))"  # "Freitagabend", "Mittwochmorgen"


def _nachts(h: int) -> int | None:
    """The hour of "… Uhr nachts": 3 is 03:00, 11 is 23:00, 12 midnight; 6 only for "halb 6 nachts" (05:30);
    7–9 are no night hours."""
    return h if 0 <= h <= 6 or 22 <= h <= 23 else h + 12 if h in (10, 11) else 24 if h in (12, 24) else None


NACHTS = Period(_nachts, 21 * 60)
_NEXT = r"(?:nächste[nrsm]?|naechste[nrsm]?|kommende[nrsm]?)"
_AFTER_NEXT = r"(?:übernächste[nrsm]?|uebernaechste[nrsm]?|uebernächste[nrsm]?)"
# the places a zone may be named by, as German writes them: "9 Uhr deutscher Zeit", "Ortszeit Tokio", "Jakarta-Zeit"
_PLACES = {
    **{f"deutsche{e}": "Europe/Berlin" for e in ("", "r", "n")},
    "dt.": "Europe/Berlin",
    **{f"mitteleuropäische{e}": "Europe/Berlin" for e in ("", "r", "n")},
    "berliner": "Europe/Berlin", "münchner": "Europe/Berlin", "münchener": "Europe/Berlin",
    "muenchner": "Europe/Berlin", "braunschweiger": "Europe/Berlin", "hamburger": "Europe/Berlin",
    "frankfurter": "Europe/Berlin", "kölner": "Europe/Berlin",
    **{f"britische{e}": "Europe/London" for e in ("", "r", "n")},
    "londoner": "Europe/London", "großbritannien": "Europe/London", "grossbritannien": "Europe/London",
    "england": "Europe/London",
    **{f"{w}e{e}": "Asia/Seoul" for w in ("koreanisch", "südkoreanisch", "suedkoreanisch") for e in ("", "r", "n")},
    "seouler": "Asia/Seoul", "südkorea": "Asia/Seoul", "suedkorea": "Asia/Seoul",
    **{f"japanische{e}": "Asia/Tokyo" for e in ("", "r", "n")},
    "tokio": "Asia/Tokyo", "tokioter": "Asia/Tokyo",
    **{f"chinesische{e}": "Asia/Shanghai" for e in ("", "r", "n")},
    "peking": "Asia/Shanghai", "pekinger": "Asia/Shanghai", "schanghai": "Asia/Shanghai",
    "shanghaier": "Asia/Shanghai",
    **{f"indonesische{e}": "Asia/Jakarta" for e in ("", "r", "n")},
    "indonesien": "Asia/Jakarta",
}  # fmt: skip
EXAMPLES = ("morgen um 10 Uhr", "Freitag 14 Uhr", "in 2 Stunden", "30.03. 14:30")  # shown when a date is refused

SPEC = Spec(
    numbers={"ein": 1, "eine": 1, "einer": 1, "einem": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
             "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "zwoelf": 12,
             "eins": 1, "fuenf": 5, "einer halben": 0.5, "einer halbe": 0.5, "ner": 1, "'ner": 1, "ner halben": 0.5,
             "'ner halben": 0.5, "anderthalb": 1.5, "eineinhalb": 1.5, "einer dreiviertel": 0.75,
             "einer viertel": 0.25, "ner dreiviertel": 0.75, "ner viertel": 0.25},  # "in einer Viertelstunde"
    units={"minute": "m", "minuten": "m", "min": "m", "min.": "m", "stunde": "h", "stunden": "h", "std": "h",
           "std.": "h", "h": "h", "tag": "d", "tage": "d", "tagen": "d", "tg": "d", "tg.": "d", "woche": "w",
           "wochen": "w"},
    # "heute in einer Woche" is a week from today; "innerhalb von 3 Tagen", "binnen 14 Tagen": by then
    durations=(r"\b(?:heute\s+)?in\s+(?P<body>⟨B⟩)", r"\b(?:innerhalb\s+(?:von\s+)?|binnen\s+)(?P<body>⟨B⟩)"),
    duration_sep=r"(?:\s*(?:,|und)\s*|\s+)",
    hour=r"\d{1,2}|zwölf|zwoelf|zehn|neun|acht|sieben|sechs|fünf|fuenf|vier|drei|zwei|eins|elf|ein",
    clocks=(
        r"\b(?:um\s+)?(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?\s*uhr\b(?:\s*(?P<m2>\d{1,2})(?![\d/]|[.:]\d))?",
        r"\b(?:um\s+)?(?P<prehalf>halb)\s+(?P<h>⟨H⟩)(?![\d.:/])",
        r"\b(?:um\s+)?(?P<qafter>viertel)\s+nach\s+(?P<h>⟨H⟩)(?![\d.:/])",
        r"\b(?:um\s+)?(?P<qbefore>viertel\s+vor|dreiviertel|drei\s+viertel)\s+(?P<h>⟨H⟩)(?![\d.:/])",
        r"\b(?:um|gegen|(?:um\s+)?punkt)\s+(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?(?![\d/-]|[.:]\d)",
        r"(?<![\d.:/-])(?P<h>\d{1,2})[:.](?P<m>\d{2})h\b",  # "14:00h" (not "2h": two hours)
        # "bis 3", "bis zwölf": an hour (a dotted pair after "bis" is a date, "bis 12." a day: neither is read here)
        r"\bbis\s+(?P<h>⟨H⟩)(?![\d/.:]|\s*-|\s*(?:⟨MON⟩)(?![a-zà-ÿ]))",
        # "9.30 vormittags", not the dotted date of "am 26.10 vormittags"
        r"(?<![\d.:/-])(?<!am\s)(?<!zum\s)(?<!vom\s)\b(?!(?:2[5-9]|[3-9]\d)\b)(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?"
        r"(?=\s(?:morgens|vormittags|mittags|nachmittags|abends|nachts|früh|frueh)\b)",
    ),
    clock_words=(
        (r"\b(?:um\s+)?mitternacht\b", 24 * 60),
        (r"\b(?:feierabend|dienstschluss|geschäftsschluss|geschaeftsschluss|büroschluss|bueroschluss|tagesende"
         r"|ende\s+des\s+(?:arbeits)?tages|eod|cob)\b", EOD),
    ),
    periods=(
        (r"\b(?:am\s+)?morgens\b|\bam\s+morgen\b|(?:(?<=tag)|(?<=woch))morgen\b|\b(?:in\s+der\s+)?fr(?:ü|ue)h\b",
         MORNING),
        (_COMPOUND + r"(?:am\s+)?vormittags?\b", FORENOON),
        (_COMPOUND + r"(?:am\s+|zu\s+)?mittags?\b", NOON),
        (_COMPOUND + r"(?:am\s+)?nachmittags?\b", AFTERNOON),
        (_COMPOUND + r"(?:am\s+)?abends?\b", EVENING),
        (_COMPOUND + r"(?:in\s+der\s+)?nachts?\b", NACHTS),
    ),
    relative_days=(
        (r"\b(?:übermorgen|uebermorgen)\b", 2, None),
        (r"\bheute\s+morgen\b", 0, MORNING),
        (r"\bheut(?:e|')?(?![a-zà-ÿ])", 0, None),
        (r"(?<!am )\bmorgen\b", 1, None),
        (r"\bgestern\b", -1, None),
    ),
    week_phrases=(
        (rf"\b(?:der\s+)?{_AFTER_NEXT}\s+woche\b", WEEK_AFTER, None),
        (rf"\b(?:der\s+)?{_NEXT}\s+woche\b", WEEK, None),
        (r"\b(?:diese[rn]?)\s+woche\b", THIS_WEEK, None),
    ),
    weekday=(r"\b(?:(?P<next>nächste[nrsm]?|naechste[nrsm]?|kommende[nrsm]?)\s+)?(?P<wd>⟨WD⟩)"
             r"(?=\b|morgen|vormittag|mittag|nachmittag|abend|nacht)"),
    weekday_names={"montag": 0, "mo": 0, "dienstag": 1, "di": 1, "mittwoch": 2, "mi": 2, "mitwoch": 2,
                   "donnerstag": 3, "do": 3, "freitag": 4, "fr": 4, "samstag": 5, "sa": 5, "sonnabend": 5,
                   "sonntag": 6},
    next_modes={f"kommende{e}": COMING for e in ("", "n", "r", "s", "m")},
    ambiguous_next=frozenset({f"{w}{e}" for w in ("nächste", "naechste") for e in ("", "n", "r", "s", "m")}),
    months={"maerz": 3, "mrz": 3, "jänner": 1, "jaenner": 1, "sept": 9, "sep": 9},
    month_dates=LATIN_MONTH_DATES,
    day_of_month=(r"\b(?:am|zum|den|bis\s+zum)\s+(?P<d>\d{1,2})\.(?!\d)(?:\s+des\s+monats\b)?",),
    fillers=frozenset({"am", "um", "bis", "zum", "zur", "den", "dem", "der", "diesen", "dieser", "diesem",
                       "spätestens", "gegen", "ca", "etwa", "ab", "von", "fällig", "noch", "bitte"}),
    dotted_day_month=True,
    ends=(
        (r"\bende\s+(?:der\s+)?(?:nächste[nr]?|naechste[nr]?|kommende[nr]?)\s+woche\b"
         r"|\b(?:nächstes|naechstes|kommendes)\s+wochenende\b", END_NEXT_WEEK),
        (r"\b(?:am|übers|uebers|über\s+das|ueber\s+das)\s+wochenende\b", REFUSE),
        (r"\bende\s+(?:der\s+|dieser\s+)?(?:arbeits)?woche\b|\bwochenende\b", END_WEEK),
        (r"\bende\s+(?:des\s+)?(?:nächsten|naechsten|kommenden)\s+monats?\b", END_NEXT_MONTH),
        (r"\bmonatsende\b|\bende\s+(?:des|dieses)\s+monats\b|\bende\s+monat\b", END_MONTH),
    ),
    calendar_weeks=(r"\b(?:in\s+(?:der\s+)?)?(?:kw|kalenderwoche)\s*\.?\s*(?P<n>\d{1,2})(?!\d|[.:/]\d)",),
    dated_day_month=(
        r"\b(?:am|bis|zum|ab|vom|bis\s+zum|bis\s+spätestens)\s+(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.?(?!\d|[.:]\d)",
    ),
    next_month_days=(
        r"(?<![\d.:])(?P<d>\d{1,2})\.\s*(?:des\s+)?(?:nächsten|naechsten|kommenden)\s+monats?\b",
        r"\b(?:nächsten|naechsten|kommenden)\s+monat\s+(?:am|zum|den)\s+(?P<d>\d{1,2})\.(?!\d)",
    ),
    deadline_words=(
        r"\b(?:ist|als)\s+(?:die\s+)?(?:deadline|abgabe|frist|abgabetermin|stichtag)\b",
        r"\b(?:aller)?sp(?:ä|ae)testens\b",  # "bis" stays: "bis spätestens 8.4" is a date
        r"\b(?:deadline|frist|abgabe|abgabetermin|stichtag|einsendeschluss|termin)\b",
    ),
    range_separators=r"\.?\s*[-–—~]|\.?\s+bis\b",
    places=_PLACES,
    zone_hint=re.compile(r"zeit"),
    zone_patterns=(
        r"\b(?:nach\s+)?(?P<z>⟨Z⟩)(?:\s+|-)zeit\b",
        r"\b(?:nach\s+)?ortszeit\s+(?:in\s+)?(?P<z>⟨Z⟩)\b",
    ),
)  # fmt: skip
