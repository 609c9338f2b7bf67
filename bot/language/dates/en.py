"""English date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from bot.language.dates.spec import (
    AFTERNOON,
    COMING,
    END_MONTH,
    END_NEXT_MONTH,
    END_NEXT_WEEK,
    END_WEEK,
    EOD,
    EVENING,
    LATIN_MONTH_DATES,
    MORNING,
    NIGHT,
    THIS_WEEK,
    WEEK,
    WEEK_AFTER,
    Spec,
)

EN_MONTHS: Final[Mapping[str, int]] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
EN_WEEKDAYS: Final[Mapping[str, int]] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip

EXAMPLES = ("tomorrow 10am", "friday 2pm", "in 2 hours", "30 March 14:00")  # shown when a date is refused

SPEC = Spec(
    numbers={"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "half a": 0.5, "half an": 0.5,
             "a quarter of an": 0.25, "quarter of an": 0.25, "three quarters of an": 0.75},
    units={"minute": "m", "minutes": "m", "min": "m", "mins": "m", "m": "m", "hour": "h", "hours": "h", "hr": "h",
           "hrs": "h", "h": "h", "day": "d", "days": "d", "d": "d", "week": "w", "weeks": "w", "wk": "w",
           "wks": "w", "w": "w", "hour and a half": "h+0.5", "hours and a half": "h+0.5"},
    durations=(r"\bin\s+(?P<body>⟨B⟩)", r"\b(?P<body>⟨B⟩)\s+(?:from\s+now|later)\b"),
    duration_sep=r"(?:\s*(?:,|and)\s*|\s+)",
    hour=r"\d{1,2}|twelve|eleven|ten|nine|eight|seven|six|five|four|three|two|one",  # "half past four"
    clocks=(
        r"(?<![/.:-])\b(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?\s*(?P<ap>a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])",
        r"(?<![/.:-])\b(?:at\s+)?(?P<h>⟨H⟩)(?::(?P<m>\d{2}))?\s*o'?clock\b",
        r"\bat\s+(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?(?![\d/-]|[.:]\d)",
        r"(?<![/.:-])\b(?P<h>1[0-2]|0?[1-9]|twelve|eleven|ten|nine|eight|seven|six|five|four|three|two|one)"
        r"(?::(?P<m>\d{2}))?(?=\s(?:in\s+the\s+)?(?:morning|afternoon|evening|night)\b)",
        r"\b(?:at\s+)?(?:(?P<half>half)|(?P<qafter>(?:a\s+)?quarter))\s+past\s+(?P<h>⟨H⟩)(?![\d.:/])",
        r"\b(?:at\s+)?(?P<qbefore>(?:a\s+)?quarter)\s+to\s+(?P<h>⟨H⟩)(?![\d.:/])",
    ),
    clock_words=(
        (r"\b(?:at\s+)?(?:(?<![\d/.:-])12\s+)?(?:noon|midday)\b", 12 * 60),
        (r"\b(?:(?:(?<![\d/.:-])12\s+)?midnight\s+tonight|tonight\s+at\s+midnight)\b", 24 * 60),
        (r"\b(?:at\s+)?(?:(?<![\d/.:-])12\s+)?midnight\b", 24 * 60),
        (r"\b(?:(?:at\s+)?first\s+thing(?:\s+in\s+the\s+morning)?)\b", 9 * 60),
        (r"\b(?:eod|cob|eob|close\s+of\s+(?:business|play)|end\s+of\s+(?:the\s+)?(?:business\s+|working\s+|work\s+)?"
         r"day)\b", EOD),
    ),
    periods=(
        (r"\b(?:in\s+the\s+)?morning\b", MORNING),
        (r"\b(?:in\s+the\s+)?afternoon\b", AFTERNOON),
        (r"\b(?:in\s+the\s+)?evening\b", EVENING),
        (r"\b(?:at\s+)?night\b", NIGHT),
    ),
    relative_days=(
        (r"\b(?:the\s+)?day\s+after\s+tomorrow\b", 2, None),
        (r"\b(?:tomorrow|tmrw|tmr|tmrw?|tmrow|tomorow|tommorow|tommorrow|tomorrw|tomoro|tomorro|2moro|2morow|2morrow"
         r"|2mrw|tmw)\b", 1, None),
        (r"\b(?:today|2day|tdy)\b", 0, None),
        (r"\b(?:yesterday|yday|ystd)\b", -1, None),
        (r"\b(?:tonight|tonite|2nite)\b", 0, EVENING),
    ),
    week_phrases=(
        (r"\b(?:the\s+)?week\s+after\s+next\b", WEEK_AFTER, None),
        (r"\bnext\s+week\b", WEEK, None),
        (r"\bthis\s+week\b", THIS_WEEK, None),
    ),
    weekday=r"\b(?:(?P<next>next|coming|this\s+coming)\s+)?(?P<wd>⟨WD⟩)(?![a-z])\.?",
    weekday_names={**EN_WEEKDAYS, "mon": 0, "mondy": 0, "monady": 0, "tue": 1, "tues": 1, "tuseday": 1,
                   "tusday": 1, "teusday": 1, "wed": 2, "weds": 2, "wednes": 2, "wensday": 2, "wendsday": 2,
                   "wednsday": 2, "wedensday": 2, "wednesay": 2, "thu": 3, "thur": 3, "thurs": 3, "thr": 3,
                   "thrusday": 3, "thursdy": 3, "thurday": 3, "fri": 4, "firday": 4, "fryday": 4, "fridy": 4,
                   "sat": 5, "saturady": 5, "saterday": 5, "satruday": 5, "sun": 6, "sundy": 6, "sunady": 6},
    next_modes={"coming": COMING, "this coming": COMING},
    months=EN_MONTHS,
    month_dates=LATIN_MONTH_DATES,
    day_of_month=(r"\bthe\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b",),
    fillers=frozenset({"at", "on", "the", "by", "until", "till", "til", "this", "of", "around", "due", "before"}),
    swap_if_unambiguous=True,
    dotted_day_month=True,
    dotted_other=True,
    ends=(
        (r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?next\s+week\b", END_NEXT_WEEK),
        (r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:work\s*|working\s+)?week\b|\beow\b", END_WEEK),
        (r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?next\s+month\b", END_NEXT_MONTH),
        (r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month\b|\beom\b", END_MONTH),
    ),
    calendar_weeks=(r"(?<!next\s)(?<!this\s)(?<!\ba\s)(?<!\d\s)(?<!of\s)(?<!the\s)\b(?:in\s+|by\s+)?(?:calendar\s+week|cw|kw|wk|week)\s*#?\s*(?P<n>\d{1,2})"
                    r"(?!\d|[.:/]\d|\s*[ap]\.?\s?m\b|\s*o'?clock|\s*(?:noon|midday|midnight)\b)",),
    dated_day_month=(r"\bon\s+(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.?(?!\d|[.:]\d)",),
    ambiguous_next=frozenset({"next"}),
    next_month_days=(
        r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+of\s+next\s+month\b",
        r"\bnext\s+month\s+on\s+the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b",
        r"\b(?:on\s+)?the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\s+next\s+month\b",
    ),
    deadline_words=(r"\bno\s+later\s+than\b", r"\bat\s+the\s+latest\b", r"\bdeadline\b", r"\bdue\s+(?:by|on)\b"),
    places={"german": "Europe/Berlin", "korean": "Asia/Seoul", "japanese": "Asia/Tokyo", "chinese": "Asia/Shanghai",
            "western indonesian": "Asia/Jakarta", "indonesian": "Asia/Jakarta", "british": "Europe/London",
            "central european": "Europe/Berlin"},
    zone_hint=re.compile(r"time"),
    zone_patterns=(r"\b(?:in\s+)?(?P<z>⟨Z⟩)\s+(?:local\s+)?time\b",),
    minutes_bare=True,
)  # fmt: skip
