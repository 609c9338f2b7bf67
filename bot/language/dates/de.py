"""German date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

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
    NIGHT,
    NOON,
    REFUSE,
    THIS_WEEK,
    WEEK,
    Spec,
)

_COMPOUND = r"(?:\b|(?<=tag)|(?<=woch))"  # "Freitagabend", "Mittwochmorgen"
EXAMPLES = ("morgen um 10 Uhr", "Freitag 14 Uhr", "in 2 Stunden", "30.03. 14:30")  # shown when a date is refused

SPEC = Spec(
    numbers={"ein": 1, "eine": 1, "einer": 1, "einem": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
             "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11, "zwölf": 12, "zwoelf": 12,
             "eins": 1, "fuenf": 5, "einer halben": 0.5, "einer halbe": 0.5},
    units={"minute": "m", "minuten": "m", "min": "m", "min.": "m", "stunde": "h", "stunden": "h", "std": "h",
           "std.": "h", "tag": "d", "tage": "d", "tagen": "d", "woche": "w", "wochen": "w"},
    durations=(r"\bin\s+(?P<body>⟨B⟩)",),
    duration_sep=r"(?:\s*(?:,|und)\s*|\s+)",
    hour=r"\d{1,2}|zwölf|zwoelf|zehn|neun|acht|sieben|sechs|fünf|fuenf|vier|drei|zwei|eins|elf|ein",
    clocks=(
        r"\b(?:um\s+)?(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?\s*uhr\b(?:\s*(?P<m2>\d{1,2})(?![\d/]|[.:]\d))?",
        r"\b(?:um\s+)?(?P<prehalf>halb)\s+(?P<h>⟨H⟩)(?![\d.:/])",
        r"\b(?:um\s+)?(?P<qafter>viertel)\s+nach\s+(?P<h>⟨H⟩)(?![\d.:/])",
        r"\b(?:um\s+)?(?P<qbefore>viertel\s+vor|dreiviertel|drei\s+viertel)\s+(?P<h>⟨H⟩)(?![\d.:/])",
        r"\bum\s+(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?(?![\d/-]|[.:]\d)",
        r"\b(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?(?=\s+(?:morgens|vormittags|mittags|nachmittags|abends|nachts)\b)",
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
        (_COMPOUND + r"(?:in\s+der\s+)?nachts?\b", NIGHT),
    ),
    relative_days=(
        (r"\b(?:übermorgen|uebermorgen)\b", 2, None),
        (r"\bheute\s+morgen\b", 0, MORNING),
        (r"\bheute\b", 0, None),
        (r"(?<!am )\bmorgen\b", 1, None),
    ),
    week_phrases=(
        (r"\b(?:nächste|naechste|kommende)\s+woche\b", WEEK, None),
        (r"\bdiese\s+woche\b", THIS_WEEK, None),
    ),
    weekday=(r"\b(?:(?P<next>nächste[nrsm]?|naechste[nrsm]?|kommende[nrsm]?)\s+)?(?P<wd>⟨WD⟩)"
             r"(?=\b|morgen|vormittag|mittag|nachmittag|abend|nacht)"),
    weekday_names={"montag": 0, "mo": 0, "dienstag": 1, "di": 1, "mittwoch": 2, "mi": 2, "donnerstag": 3, "do": 3,
                   "freitag": 4, "fr": 4, "samstag": 5, "sa": 5, "sonnabend": 5, "sonntag": 6},
    next_modes={f"kommende{e}": COMING for e in ("", "n", "r", "s", "m")},
    ambiguous_next=frozenset({f"{w}{e}" for w in ("nächste", "naechste") for e in ("", "n", "r", "s", "m")}),
    months={"maerz": 3, "mrz": 3, "jänner": 1, "jaenner": 1, "sept": 9, "sep": 9},
    month_dates=LATIN_MONTH_DATES,
    fillers=frozenset({"am", "um", "bis", "zum", "zur", "den", "dem", "der", "diesen", "dieser", "diesem",
                       "spätestens", "gegen", "ca", "etwa", "ab", "von", "fällig"}),
    dotted_day_month=True,
    ends=(
        (r"\bende\s+(?:der\s+)?(?:nächste[nr]?|naechste[nr]?|kommende[nr]?)\s+woche\b"
         r"|\b(?:nächstes|naechstes|kommendes)\s+wochenende\b", END_NEXT_WEEK),
        (r"\b(?:am|übers|uebers|über\s+das|ueber\s+das)\s+wochenende\b", REFUSE),
        (r"\bende\s+(?:der|dieser)\s+woche\b|\bwochenende\b", END_WEEK),
        (r"\bende\s+(?:des\s+)?(?:nächsten|naechsten|kommenden)\s+monats\b", END_NEXT_MONTH),
        (r"\bmonatsende\b|\bende\s+(?:des|dieses)\s+monats\b|\bende\s+monat\b", END_MONTH),
    ),
    calendar_weeks=(r"\b(?:in\s+(?:der\s+)?)?(?:kw|kalenderwoche)\s*\.?\s*(?P<n>\d{1,2})(?!\d|[.:/]\d)",),
    dated_day_month=(
        r"\b(?:am|bis|zum|ab|vom|bis\s+zum|bis\s+spätestens)\s+(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.?(?!\d|[.:]\d)",
    ),
)  # fmt: skip
