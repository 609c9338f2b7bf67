"""What a language's rule table holds (:class:`Spec`), the period words' hour rules and shared patterns."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final

END_OF_WORKING_DAY: Final = 17 * 60  # minutes after local midnight, for a date without a time
MAX_YEARS_AWAY: Final = 100  # "0001-01-01" is not a date anyone plans with
RECENT_PAST_DAYS: Final = 62  # a date without a year up to this many days ago is that (past) date


# -- period words ---------------------------------------------------------------------------------------------------


def _am(h: int) -> int | None:
    return 0 if h == 12 else h if 0 <= h <= 11 else None


def _pm(h: int) -> int | None:
    return h + 12 if 1 <= h <= 11 else h if 12 <= h <= 23 else None


def _morning(h: int) -> int | None:
    return h if 0 <= h <= 11 else None


def _noon(h: int) -> int | None:
    return h if h in (11, 12) or 13 <= h <= 15 else h + 12 if 1 <= h <= 3 else None


def _afternoon(h: int) -> int | None:
    return h + 12 if 1 <= h <= 7 else h if 12 <= h <= 19 else None


def _evening(h: int) -> int | None:
    return h + 12 if 4 <= h <= 11 else h if 16 <= h <= 23 else None


def _night(h: int) -> int | None:
    return h + 12 if 6 <= h <= 11 else 24 if h == 12 else h if 18 <= h <= 23 else None


def _dawn(h: int) -> int | None:
    return h if 0 <= h <= 6 else None


@dataclass(frozen=True)
class Period:
    rule: Callable[[int], int | None]
    default: int  # minutes after midnight when no clock time is given


AM = Period(_am, 9 * 60)
PM = Period(_pm, 15 * 60)
MORNING = Period(_morning, 9 * 60)
FORENOON = Period(_morning, 10 * 60)
NOON = Period(_noon, 12 * 60)
AFTERNOON = Period(_afternoon, 15 * 60)
EARLY_EVENING = Period(_evening, 18 * 60)
EVENING = Period(_evening, 19 * 60)
MALAM = Period(_night, 19 * 60)
NIGHT = Period(_night, 21 * 60)
DAWN = Period(_dawn, 5 * 60)

# -- language rules -------------------------------------------------------------------------------------------------

LATIN_HOUR = r"\d{1,2}"
CJK_DIGITS = "〇零一二两兩三四五六七八九十"
CJK_NUM = rf"\d{{1,2}}|[{CJK_DIGITS}]{{1,3}}"
KO_NATIVE: Final[Mapping[str, int]] = {
    "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
    "열한": 11, "열두": 12,
}  # fmt: skip
WEEK = "next_week"
THIS_WEEK = "this_week"
WEEK_AFTER = "week_after_next"  # "übernächste Woche", "再来週", "下下周", "다다음 주", "minggu depan lagi"
NEXT = "next"
COMING = "coming"  # "this coming Friday", "kommenden Freitag": the first one, never the week after
END_WEEK, END_NEXT_WEEK, END_MONTH, END_NEXT_MONTH, REFUSE = "week", "next_week", "month", "next_month", "refuse"
EOD = 17 * 60  # "EOD", "COB", "Feierabend", "퇴근 전", "終業", "下班前"


@dataclass(frozen=True)
class Spec:
    """Raw per-language rules; the placeholders ⟨B⟩, ⟨H⟩, ⟨WD⟩ and ⟨MON⟩ are filled in by :func:`rules_for`."""

    numbers: Mapping[str, float]  # number words in durations
    units: Mapping[str, str]  # unit word -> m(inute) h(our) d(ay) w(eek); "h+0.5": an hour and a half per count
    durations: tuple[str, ...]  # with ⟨B⟩, the body of number-unit pairs
    duration_sep: str
    hour: str  # regex of an hour number
    clocks: tuple[str, ...]  # groups: h, m, m2, half, prehalf, ap
    clock_words: tuple[tuple[str, int], ...]
    periods: tuple[tuple[str, Period], ...]
    relative_days: tuple[tuple[str, int, Period | None], ...]
    week_phrases: tuple[tuple[str, str, int | None], ...]  # (regex, mode, weekday or None)
    weekday: str  # with ⟨WD⟩; groups wd and optional next
    weekday_names: Mapping[str, int]
    next_modes: Mapping[str, str] = field(default_factory=dict)  # "next" group text -> mode (default NEXT)
    months: Mapping[str, int] = field(default_factory=dict)
    month_dates: tuple[str, ...] = ()  # with ⟨MON⟩; groups d, mon, y
    cjk_dates: tuple[str, ...] = ()  # groups y (optional), mo, d
    day_of_month: tuple[str, ...] = ()  # group d
    fillers: frozenset[str] = frozenset()
    dp_order: str = "DMY"
    month_first: bool = False  # numeric a/b is month/day
    swap_if_unambiguous: bool = False  # accept the other order when only it is possible
    dotted_day_month: bool = False  # "30.03." is a date
    word_boundaries: bool = True
    ends: tuple[tuple[str, str], ...] = ()  # (regex, _END_* kind): end of the week / month
    calendar_weeks: tuple[str, ...] = ()  # group n: an ISO week number
    dated_day_month: tuple[str, ...] = ()  # groups d, mo: "tgl 8.4", "am 8.4" (day.month after a date word)
    dotted_other: bool = False  # a dotted day.month also offers the swapped reading (en)
    ambiguous_next: frozenset[str] = frozenset()  # "next" words whose weekday may mean the week after
    next_month_days: tuple[str, ...] = ()  # group d: "the 5th of next month", "来月5日", "다음 달 3일"
    deadline_words: tuple[str, ...] = ()  # removed before reading: "paling lambat", "spätestens", "までに", "〆切"
    range_separators: str = r"[-–—~〜]"  # between two weekdays of a range ("Mon-Wed", "月〜水", "周二到周四")
    places: Mapping[str, str] = field(default_factory=dict)  # place or country as written -> IANA zone
    zone_patterns: tuple[str, ...] = ()  # with ⟨Z⟩ (the places' alternation) and group z: "waktu ⟨Z⟩", "⟨Z⟩ time"
    eras: Mapping[str, int] = field(default_factory=dict)  # era -> the year before its first ("令和": 2018)
    dotted_clock: bool = True  # "9.30" alone is a time (False: refused as a date or a time, ko)
    zone_hint: re.Pattern[str] | None = None  # a word every zone frame has ("time", "waktu"): else not looked for
    minutes_bare: bool = False  # "4:30" follows the working-hours rule like "4" (English business writing)


LATIN_MONTH_DATES = (
    r"(?<!\d[:.])\b(?P<d>\d{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>⟨MON⟩)(?![a-zà-ÿ])\.?(?:\s+(?P<y>\d{4})(?!\d))?",
    r"\b(?P<mon>⟨MON⟩)(?![a-zà-ÿ])\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d|[.:]\d)(?:\s+(?P<y>\d{4})(?!\d))?",
)


class NotADate(Exception):
    """Raised inside a parse to give up (the public function answers None)."""


@dataclass(frozen=True)
class Reading:
    """What a text names: the documented default reading and, when another one is as plausible, that one too."""

    when: datetime  # aware UTC: the documented default reading
    other: datetime | None = None  # aware UTC: the other plausible reading, when there is one
    kind: str | None = None  # why there is another reading: "hour", "day_month", "next_weekday" or "range"
    zone: str | None = None  # the zone the text named (an IANA key; fixed offsets as "Etc/GMT-7"), if any
    zone_label: str | None = None  # that zone as written ("berlin", "waktu busan" → "busan", "kst")
    off_day: bool = False  # the day named falls on the group's weekend (a date, not a time or a duration)


WORKING_WEEK: Final = frozenset({0, 1, 2, 3, 4})  # Monday to Friday


# -- calendar helpers of the parse ---------------------------------------------------------------------------------


def checked_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise NotADate(f"{year}-{month}-{day}") from exc


def first_of_month(today: date, months_ahead: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 + months_ahead, 12)
    return date(year, month + 1, 1)


def last_of_month(today: date, months_ahead: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 + months_ahead + 1, 12)
    return date(year, month + 1, 1) - timedelta(days=1)


def month_day(month: int, day: int) -> tuple[int, int]:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise NotADate(f"{month}/{day}")
    return month, day
