"""Natural-language dates per language and time zone ("besok jam 10", "내일 오전 10시", "morgen um 10 Uhr").

``parse_when(text, lang, tz, now)`` turns what a group member wrote into an aware UTC instant, or ``None`` when the
text is not (exactly) a date. ``read_date`` answers the same instant as a :class:`Reading` that also carries the other
plausible reading, when there is one, so that a caller can offer it as a choice instead of guessing. dateparser
alone gets many of these wrong (it drops the hour of "besok jam 10" and reads "jam 10" as the 10th of the month), so
the work is split:

1. An explicit zone designator switches the zone; each names one fixed offset: WIB +7, WITA +8, WIT +9, KST and
   JST +9, UTC/GMT 0, CET/MEZ +1 and CEST/MESZ +2 whatever the date (they are what the writer's clock showed).
   A weekday in parentheses after a date ("8 April (Wed)", "4월 8일(수)", "4月8日(水)") is checked against it.
   Calendar weeks ("KW 20", "week 20", "minggu ke-20", "20주차", "第20周") are read next.
2. Relative durations ("dalam 2 jam", "2시간 후", "in 3 Tagen") are read by our own rules.
3. Numeric dates with a year (ISO "2026-12-01", "30.03.2026", "2026. 3. 30."), then ranges of times, of which only
   the start is kept, and end-of-period words ("end of the month", "akhir pekan", "월말", "Monatsende", "月末").
4. The time of day is read by per-language regexes ("jam 10", "pukul 09.00", "오후 3시 30분", "14.30 Uhr", "10am") and
   period words (pagi/siang/sore/malam, 오전/오후/아침/저녁/밤, morgens/nachmittags/abends, morning/evening …).
5. Dates without a year ("30 Maret", "3월 30일", "30. März", "30.03.", "25/12"), relative days (besok, lusa,
   내일, 모레, morgen, übermorgen, tomorrow …) and weekdays ("Jumat", "Senin depan", "다음 주 월요일").
6. Whatever is left must be filler words ("pada", "um", "at", "에", "까지" …). If something else is left and no date
   was found yet, dateparser gets the rest -- for the date part only -- and its answer is accepted only when the rest
   holds a date-like token (a month name; for languages without our own rules also digit-free words such as
   "après-demain", which dateparser must know entirely) and it names a whole day (period "day", no time of day,
   a plausible year). Anything else is ``None``: never a silently wrong date. dateparser runs with
   PREFER_DATES_FROM=future, REQUIRE_PARTS=day+month, DATE_ORDER per language and RELATIVE_BASE = local midnight of
   "today" in the group's zone (only the date is used, and a per-day base lets one parser per language and day be
   cached and reused).

Rules chosen where the brief left a choice (also tested in tests/unit/test_dates.py):

* A bare date ("besok", "30 Maret", "Freitag") means 17:00 local, the end of the working day.
* A bare time ("jam 10", "15:00", "10am") is its next occurrence: today if still ahead (strictly), else tomorrow.
* A bare hour -- no period word (pagi, 오후, am, nachmittags, 午後, 下午 …), no written minutes, no leading zero -- is
  read in working hours: 1–6 are 13–18 ("Rabu jam 4", "목요일 4시", "um 4", "4時", "4点" are 16:00), 7–12 as said.
  Spoken halves and quarters count as bare ("3시 반", "三点半", "halb vier" are 15:30, "Viertel vor 10" 09:45,
  "viertel nach 9" 09:15, "half past 2" 14:30). Minutes ("4:00", "jam 4.30", "4시 30분"), a leading zero ("04:00",
  "04시") or an hour of 13 and more keep the 24-hour clock. The other reading is offered (see below).
  Recurring reminders and the digest time (:mod:`bot.language.schedule`) read a bare hour the same way; only dates offer
  the other reading.
* A range of times is its start ("Kamis 13.00–15.00", "오전 9시~11시", "2pm-3pm", "午前9時〜11時", "下午2点到3点",
  "9 bis 11 Uhr"). Separators: - – — ~ 〜, "bis" (de), "から" (ja), "到"/"至" (zh); "sampai", "to" and
  "zwischen … und" are not (they also mean "until" or are unclear). The start lends the end's unit ("9–11 Uhr" is
  "9 Uhr"). A bare start follows the bare-hour rule unless the end shows the 24-hour clock (an end of 13 or more, or
  with minutes: "9–14 Uhr", "2–3:30" read the start as written). An am/pm written on the end only ("10-11am") is
  ``None``: does it cover the start? Without a clock word, unit, minutes or am/pm, "8-10" is no range.
* A plain weekday is its next occurrence; today's weekday means today if the time (17:00 when none) is still ahead,
  else the same weekday next week. "next friday" / "Jumat depan" / "nächsten Freitag" / "다음 금요일" is the first
  Friday strictly after today; when that Friday is still in the current ISO week, the same Friday a week later is
  offered as the other reading ("this coming Friday" / "kommenden Freitag" offer none). Japanese "次の金曜" is such a
  "next"; "来週金曜" names the week. Chinese has no such form: "下周五" always names the week. Forms naming the
  week ("Senin minggu depan", "다음 주 월요일", "담주 월욜", "nächste Woche Montag", "friday next week",
  "来週の金曜日", "下周五") are that weekday in the next ISO week (weeks start on Monday);
  "this week" forms (이번 주, diese Woche, 本周) are that weekday in the current week, even if already past.
  "next week" / "minggu depan" without a weekday is too vague and gives ``None``.
* Relative durations: minutes and hours are exact elapsed time from ``now``; days and weeks are calendar days in the
  group's zone at the same wall-clock time ("in 3 Tagen" at 10:00 is 10:00 three days later, also across a DST
  change). Only whole-day durations combine with a time ("3 hari lagi jam 10").
* Midnight words ("midnight", "tengah malam", "jam 12 malam", "밤 12시", "자정", "Mitternacht", "24:00") mean the end
  of the given day, i.e. 00:00 of the next day; "12am" / "오전 12시" is 00:00 at the start of the day.
* Period words convert the hour: pagi/morning/morgens/아침 0–11 as said; 오전/午前/上午/am 12 → 0;
  siang/mittags/낮 11–12 as said, 1–3 → 13–15; sore/afternoon/nachmittags 1–7 → 13–19; 저녁/evening/abends 4–11 → +12;
  malam/밤/nachts/night 6–11 → +12, 12 → midnight; a 24-hour value must agree with its period ("15.00 pagi" → None).
  A period word alone has a default hour (pagi 09:00, siang 12:00, sore 15:00, malam 19:00, 저녁 19:00, 밤 21:00 …).
* Numeric day/month: id and de read D/M strictly; en reads D/M unless only M/D is possible ("3/30"); ko, ja and zh
  read M/D (D/M when only that is possible). "30.03." with a trailing dot is a date in de and en; "10.30" is a time.
  After a date word or preposition a dotted pair is day.month ("tgl 8.4", "am 8.4", "bis 8.4.", "on 8.4"), when it
  is a valid one ("bis 8.30" stays a time). When both orders are real dates, the swapped one is offered as the other
  reading for slash forms in every language ("4/5") and for dotted forms in en ("04.05.", "on 8.4"); id and de read
  dotted forms strictly, without another reading.
* A date without a year is that date in the last 62 days (returned as past: callers refuse it and say so; today
  counts as today), else its next occurrence ("12 Maret" on 25 March is 12 March this year; "20 Januari" on 24 March,
  63 days later, is next year's); "29 Februari" is the next leap day. A lone day of the month ("tanggal 5", "30일")
  is still its next occurrence.
* End of the day ("EOD", "COB", "close of business", "akhir hari", "jam pulang kantor", "퇴근 전", "Feierabend",
  "終業", "定時", "下班前") is 17:00 of the day named, else the next 17:00. End of the week ("end of the week",
  "akhir pekan", "akhir minggu", "주말(까지)", "이번 주말", "Ende der Woche", "(bis zum) Wochenende", "週末", "周末")
  is Friday 17:00 of the current week, next week's Friday once that has passed (a deadline's weekend starts after
  work on Friday; "am Wochenende" / "übers Wochenende" name the weekend itself and are ``None``; English "weekend"
  is ``None``). End of next week ("akhir minggu depan", "다음 주말", "Ende nächster Woche", "nächstes Wochenende",
  "来週末", "下周末") is Friday 17:00 of the next ISO week. End of the month ("akhir bulan", "월말", "이번 달 말",
  "Monatsende", "Ende des Monats", "月末", "月底") is the month's last day at 17:00 (next month's once past); "end of
  next month" ("akhir bulan depan", "다음 달 말", "Ende nächsten Monats", "来月末", "下个月底") is next month's.
* A calendar week ("KW 20", "week 20", "minggu ke-20", "20주차", "第20週", "第20周") is the Monday of that ISO week
  at 17:00 (the earliest reading, so nothing is late), in the first ISO year where that Monday is not more than 62
  days ago; with a weekday ("Freitag KW 20") that weekday of the week.
* Everyday short forms and misspellings are read: id "bsk", "besuk", "bsok", "lsa", "hr ini", "sen", "sel", "rab",
  "kam", "jum", "sab"; en "tmrw", "tmr", "tommorow", "2moro", "tonite", "weds", "thurs", "tues", "fri" and common
  misspelt weekdays; ko "낼", "낼모레", "담주", "월욜"/"금욜"; de "Mo", "Di.", "Mi.", "Do", "Fr.", "Sa" (not "So":
  the word "so"), hours in words ("um vier"); ja "あした", "あす", "しあさって"; zh "周五", "礼拜五", "下礼拜一".

The other reading (:class:`Reading`, ``other`` and ``kind``) is set where two readings are both plausible:

* ``"hour"``: a bare hour 1–6 (default 13–18) has the other reading 01–06; a bare 7–11 has 19–23; 12 has none.
  The other reading is a time of day like any other: its next occurrence, or on the day named.
* ``"day_month"``: a numeric date without a year that is a real date both ways (see above).
* ``"next_weekday"``: "next Friday" said while Friday is still ahead this week (see above).
* When a date ambiguity and an hour ambiguity meet, the date one is offered (a wrong day is the worse mistake).
* A non-existent local time (02:30 on the spring-forward day in Europe/Berlin) moves forward by the gap (03:30 CEST);
  an ambiguous one (02:30 on the fall-back day) is the first occurrence (fold=0, still summer time).
* Texts longer than 200 characters are not dates. Emoji are ignored.
* A weekday next to an explicit date must agree with it ("Jumat, 4 Desember 2026" is fine, "Senin, 4 Desember 2026"
  is ``None``). Past dates are returned as such; callers decide (see :func:`is_past`).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from dateparser.date import DateDataParser

__all__ = ["EXAMPLES", "Reading", "format_when", "is_past", "parse_when", "read_date"]

END_OF_WORKING_DAY: Final = 17 * 60  # minutes after local midnight, for a date without a time
MAX_YEARS_AWAY: Final = 100  # "0001-01-01" is not a date anyone plans with
RECENT_PAST_DAYS: Final = 62  # a date without a year up to this many days ago is that (past) date

EXAMPLES: Mapping[str, tuple[str, ...]] = {
    "id": ("besok jam 10", "Jumat jam 14.00", "dalam 2 jam", "30 Maret pukul 09.00"),
    "en": ("tomorrow 10am", "friday 2pm", "in 2 hours", "30 March 14:00"),
    "ko": ("내일 오전 10시", "금요일 오후 2시", "2시간 후", "3월 30일 오후 3시"),
    "de": ("morgen um 10 Uhr", "Freitag 14 Uhr", "in 2 Stunden", "30.03. 14:30"),
    "ja": ("明日 午前10時", "金曜日 午後2時", "2時間後", "3月30日 15時"),
    "zh": ("明天上午10点", "星期五下午2点", "2小时后", "3月30日 15:00"),
}


# -- public API -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What a text names: the documented default reading and, when another one is as plausible, that one too."""

    when: datetime  # aware UTC: the documented default reading
    other: datetime | None = None  # aware UTC: the other plausible reading, when there is one
    kind: str | None = None  # why there is another reading: "hour", "day_month" or "next_weekday"


def read_date(text: str, lang: str, tz: str, now: datetime) -> Reading | None:
    """The instant ``text`` names with the other plausible reading, if any; ``None`` when it is not a date.

    ``lang`` is the group's language (unknown ones use the English rules plus dateparser), ``tz`` its IANA zone,
    ``now`` an aware datetime in any zone. Past dates are not rejected here (see :func:`is_past`).
    Raises ``ValueError`` for a naive ``now`` and ``ZoneInfoNotFoundError`` for an unknown ``tz``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    zone = ZoneInfo(tz)
    if len(text) > 400:
        return None
    code = _base_language(lang)
    paren_weekday = None
    if (paren := _PAREN.search(text)) is not None:
        names = _paren_weekdays(code)
        key = _normalise(paren.group(1)).rstrip(".")
        if key in names:
            paren_weekday = names[key]
            text = f"{text[: paren.start()]} {text[paren.end() :]}"
    s = _normalise(text)
    if not s or len(s) > 200:
        return None
    try:
        parse = _Parse(s, _rules(code), zone, now, working_hours=True, paren_weekday=paren_weekday)
        reading = parse.run()
    except (_NotADate, OverflowError):
        return None
    if reading is None or abs(reading.when.year - now.year) > MAX_YEARS_AWAY:
        return None
    return reading


def parse_when(text: str, lang: str, tz: str, now: datetime) -> datetime | None:
    """The instant ``text`` names, as an aware UTC datetime, or ``None`` when it is not a date.

    The default reading of :func:`read_date`; same arguments and errors.
    """
    reading = read_date(text, lang, tz, now)
    return reading.when if reading is not None else None


def is_past(when: datetime, now: datetime) -> bool:
    """True when ``when`` is not strictly in the future of ``now`` (both aware; an instant equal to now is past)."""
    if when.utcoffset() is None or now.utcoffset() is None:
        raise ValueError("both datetimes must be aware")
    return when <= now


def format_when(when: datetime, lang: str, tz: str) -> str:
    """``when`` in the group's zone, localised with Babel: weekday, date and 24-hour time.

    id "Jum, 4 Des 2026 14.00", en "Fri, 4 Dec 2026, 14:00", de "Fr., 4. Dez. 2026, 14:00",
    ko "2026년 12월 4일 (금) 14:00". English uses the international (en_001) conventions, not the US ones.
    """
    if when.utcoffset() is None:
        raise ValueError("when must be an aware datetime")
    zone = ZoneInfo(tz)
    locale = _babel_locale(lang)
    day = format_skeleton("yMMMEd", when, tzinfo=zone, locale=locale)
    clock = format_skeleton("Hm", when, tzinfo=zone, locale=locale)
    pattern = str(locale.datetime_formats.get("medium", "{1} {0}")).replace("'", "")
    return pattern.replace("{1}", day).replace("{0}", clock)


# -- helpers: languages, Babel, dateparser --------------------------------------------------------------------------


def _base_language(lang: str) -> str:
    return (lang or "en").strip().lower().replace("_", "-").split("-", 1)[0] or "en"


@lru_cache(maxsize=32)
def _babel_locale(lang: str) -> Locale:
    base = _base_language(lang)
    if base == "en":
        return Locale.parse("en_001")
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        pass
    try:
        return Locale.parse(base)
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse("en_001")


def _babel_names(lang: str) -> tuple[dict[str, int], dict[str, int]]:
    """Month (1-12) and weekday (0-6) names of ``lang`` from Babel, lower-cased, without trailing dots."""
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError, TypeError):
        return months, weekdays
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for number, name in locale.months.get(context, {}).get(width, {}).items():
                key = str(name).lower().rstrip(".")
                if len(key) >= 3 and not any(ch.isdigit() for ch in key):
                    months[key] = int(number)
        for number, name in locale.days.get(context, {}).get("wide", {}).items():
            key = str(name).lower().rstrip(".")
            if len(key) >= 3:
                weekdays[key] = int(number)
    return months, weekdays


_DATEPARSER_LOCK = threading.Lock()


@lru_cache(maxsize=64)
def _date_parser(lang: str, order: str, base: datetime) -> DateDataParser:
    """A reusable dateparser for one language and one local day (``base`` is local midnight, naive)."""
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": base,
        "DATE_ORDER": order,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month"],
        "PARSERS": ["relative-time", "absolute-time"],
    }
    parser = DateDataParser(languages=[lang], settings=settings, try_previous_locales=False)
    try:
        parser.get_date_data("1")
    except ValueError:  # a language dateparser does not know
        parser = DateDataParser(languages=["en"], settings=settings, try_previous_locales=False)
    return parser


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
class _Period:
    rule: Callable[[int], int | None]
    default: int  # minutes after midnight when no clock time is given


_AM = _Period(_am, 9 * 60)
_PM = _Period(_pm, 15 * 60)
_MORNING = _Period(_morning, 9 * 60)
_FORENOON = _Period(_morning, 10 * 60)
_NOON = _Period(_noon, 12 * 60)
_AFTERNOON = _Period(_afternoon, 15 * 60)
_EARLY_EVENING = _Period(_evening, 18 * 60)
_EVENING = _Period(_evening, 19 * 60)
_MALAM = _Period(_night, 19 * 60)
_NIGHT = _Period(_night, 21 * 60)
_DAWN = _Period(_dawn, 5 * 60)

# -- language rules -------------------------------------------------------------------------------------------------

_LATIN_HOUR = r"\d{1,2}"
_CJK_DIGITS = "〇零一二两兩三四五六七八九十"
_CJK_NUM = rf"\d{{1,2}}|[{_CJK_DIGITS}]{{1,3}}"
_KO_NATIVE: Final[Mapping[str, int]] = {
    "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
    "열한": 11, "열두": 12,
}  # fmt: skip
_WEEK = "next_week"
_THIS_WEEK = "this_week"
_NEXT = "next"
_COMING = "coming"  # "this coming Friday", "kommenden Freitag": the first one, never the week after
_END_WEEK, _END_NEXT_WEEK, _END_MONTH, _END_NEXT_MONTH, _REFUSE = "week", "next_week", "month", "next_month", "refuse"
_EOD = 17 * 60  # "EOD", "COB", "Feierabend", "퇴근 전", "終業", "下班前"


@dataclass(frozen=True)
class _Spec:
    """Raw per-language rules; the placeholders ⟨B⟩, ⟨H⟩, ⟨WD⟩ and ⟨MON⟩ are filled in by :func:`_rules`."""

    numbers: Mapping[str, float]  # number words in durations
    units: Mapping[str, str]  # unit word -> m(inute) h(our) d(ay) w(eek)
    durations: tuple[str, ...]  # with ⟨B⟩, the body of number-unit pairs
    duration_sep: str
    hour: str  # regex of an hour number
    clocks: tuple[str, ...]  # groups: h, m, m2, half, prehalf, ap
    clock_words: tuple[tuple[str, int], ...]
    periods: tuple[tuple[str, _Period], ...]
    relative_days: tuple[tuple[str, int, _Period | None], ...]
    week_phrases: tuple[tuple[str, str, int | None], ...]  # (regex, mode, weekday or None)
    weekday: str  # with ⟨WD⟩; groups wd and optional next
    weekday_names: Mapping[str, int]
    next_modes: Mapping[str, str] = field(default_factory=dict)  # "next" group text -> mode (default _NEXT)
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


_EN_MONTHS: Final[Mapping[str, int]] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_EN_WEEKDAYS_FULL: Final[Mapping[str, int]] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}  # fmt: skip
_LATIN_MONTH_DATES = (
    r"\b(?P<d>\d{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>⟨MON⟩)(?![a-zà-ÿ])\.?(?:\s+(?P<y>\d{4})(?!\d))?",
    r"\b(?P<mon>⟨MON⟩)(?![a-zà-ÿ])\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d|[.:]\d)(?:\s+(?P<y>\d{4})(?!\d))?",
)

_EN = _Spec(
    numbers={"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "half a": 0.5, "half an": 0.5},
    units={"minute": "m", "minutes": "m", "min": "m", "mins": "m", "m": "m", "hour": "h", "hours": "h", "hr": "h",
           "hrs": "h", "h": "h", "day": "d", "days": "d", "d": "d", "week": "w", "weeks": "w", "wk": "w",
           "wks": "w", "w": "w"},
    durations=(r"\bin\s+(?P<body>⟨B⟩)", r"\b(?P<body>⟨B⟩)\s+(?:from\s+now|later)\b"),
    duration_sep=r"(?:\s*(?:,|and)\s*|\s+)",
    hour=_LATIN_HOUR,
    clocks=(
        r"\b(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?\s*(?P<ap>a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])",
        r"\b(?P<h>⟨H⟩)(?::(?P<m>\d{2}))?\s*o'?clock\b",
        r"\bat\s+(?P<h>⟨H⟩)(?:[:.](?P<m>\d{2}))?(?![\d/-]|[.:]\d)",
        r"\b(?P<h>⟨H⟩)(?::(?P<m>\d{2}))?(?=\s+(?:in\s+the\s+)?(?:morning|afternoon|evening|night)\b)",
        r"\b(?:at\s+)?(?:(?P<half>half)|(?P<qafter>(?:a\s+)?quarter))\s+past\s+(?P<h>⟨H⟩)(?![\d.:/])",
        r"\b(?:at\s+)?(?P<qbefore>(?:a\s+)?quarter)\s+to\s+(?P<h>⟨H⟩)(?![\d.:/])",
    ),
    clock_words=(
        (r"\b(?:12\s+)?(?:noon|midday)\b", 12 * 60),
        (r"\b(?:12\s+)?midnight\b", 24 * 60),
        (r"\b(?:eod|cob|eob|close\s+of\s+(?:business|play)|end\s+of\s+(?:the\s+)?(?:business\s+|working\s+|work\s+)?"
         r"day)\b", _EOD),
    ),
    periods=(
        (r"\b(?:in\s+the\s+)?morning\b", _MORNING),
        (r"\b(?:in\s+the\s+)?afternoon\b", _AFTERNOON),
        (r"\b(?:in\s+the\s+)?evening\b", _EVENING),
        (r"\b(?:at\s+)?night\b", _NIGHT),
    ),
    relative_days=(
        (r"\b(?:the\s+)?day\s+after\s+tomorrow\b", 2, None),
        (r"\b(?:tomorrow|tmrw|tmr|tmrw?|tmrow|tomorow|tommorow|tommorrow|tomorrw|tomoro|tomorro|2moro|2morow|2morrow"
         r"|2mrw|tmw)\b", 1, None),
        (r"\b(?:today|2day|tdy)\b", 0, None),
        (r"\b(?:tonight|tonite|2nite)\b", 0, _EVENING),
    ),
    week_phrases=((r"\bnext\s+week\b", _WEEK, None), (r"\bthis\s+week\b", _THIS_WEEK, None)),
    weekday=r"\b(?:(?P<next>next|coming|this\s+coming)\s+)?(?P<wd>⟨WD⟩)(?![a-z])\.?",
    weekday_names={**_EN_WEEKDAYS_FULL, "mon": 0, "mondy": 0, "monady": 0, "tue": 1, "tues": 1, "tuseday": 1,
                   "tusday": 1, "teusday": 1, "wed": 2, "weds": 2, "wednes": 2, "wensday": 2, "wendsday": 2,
                   "wednsday": 2, "wedensday": 2, "wednesay": 2, "thu": 3, "thur": 3, "thurs": 3, "thr": 3,
                   "thrusday": 3, "thursdy": 3, "thurday": 3, "fri": 4, "firday": 4, "fryday": 4, "fridy": 4,
                   "sat": 5, "saturady": 5, "saterday": 5, "satruday": 5, "sun": 6, "sundy": 6, "sunady": 6},
    next_modes={"coming": _COMING, "this coming": _COMING},
    months=_EN_MONTHS,
    month_dates=_LATIN_MONTH_DATES,
    day_of_month=(r"\bthe\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b",),
    fillers=frozenset({"at", "on", "the", "by", "until", "till", "til", "this", "of", "around", "due", "before"}),
    swap_if_unambiguous=True,
    dotted_day_month=True,
    dotted_other=True,
    ends=(
        (r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?next\s+week\b", _END_NEXT_WEEK),
        (r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:work\s*|working\s+)?week\b|\beow\b", _END_WEEK),
        (r"\b(?:the\s+)?end\s+of\s+(?:the\s+)?next\s+month\b", _END_NEXT_MONTH),
        (r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month\b|\beom\b", _END_MONTH),
    ),
    calendar_weeks=(r"(?<!next\s)(?<!this\s)\b(?:in\s+|by\s+)?(?:calendar\s+week|cw|kw|wk|week)\s*#?\s*(?P<n>\d{1,2})"
                    r"(?!\d|[.:/]\d|\s*[ap]\.?\s?m\b|\s*o'?clock)",),
    dated_day_month=(r"\bon\s+(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.?(?!\d|[.:]\d)",),
    ambiguous_next=frozenset({"next"}),
)  # fmt: skip

_ID = _Spec(
    numbers={"se": 1, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
             "sembilan": 9, "sepuluh": 10, "setengah": 0.5},
    units={"menit": "m", "mnt": "m", "jam": "h", "hari": "d", "minggu": "w", "pekan": "w"},
    durations=(r"\b(?:dalam|dlm)\s+(?P<body>⟨B⟩)", r"\b(?P<body>⟨B⟩)\s+(?:lagi|dari\s+sekarang|kemudian)\b"),
    duration_sep=r"(?:\s*(?:,|dan)\s*|\s+)",
    hour=_LATIN_HOUR,
    clocks=(
        r"\b(?:jam|jm|pukul|pkl|pk)\.?\s*(?:(?P<prehalf>setengah)\s+)?(?P<h>⟨H⟩)(?:\s*[.:]\s*(?P<m>\d{2}))?(?!\d)",
        r"\b(?P<h>⟨H⟩)(?:[.:](?P<m>\d{2}))?(?=\s+(?:pagi|siang|sore|malam|dini\s+hari)\b)",
    ),
    clock_words=(
        (r"\btengah\s+malam\b", 24 * 60),
        (r"\btengah\s+hari\b", 12 * 60),
        (r"\b(?:akhir\s+hari(?:\s+kerja)?|jam\s+pulang(?:\s+kantor)?|eod|cob)\b", _EOD),
    ),
    periods=(
        (r"\bpagi\b", _MORNING),
        (r"\bsiang\b", _NOON),
        (r"\bsore\b", _AFTERNOON),
        (r"\bpetang\b", _EARLY_EVENING),
        (r"\bmalam\b", _MALAM),
        (r"\bdini\s+hari\b", _DAWN),
    ),
    relative_days=(
        (r"\b(?:hari|hr)\s+ini\b", 0, None),
        (r"\b(?:besok|esok|bsk|besuk|bsok|bsuk|besoknya)\b", 1, None),
        (r"\b(?:lusa|lsa)\b", 2, None),
    ),
    week_phrases=(
        (r"\bhari\s+minggu\s+depan\b", _NEXT, 6),
        (r"\bhari\s+minggu\s+ini\b", "", 6),
        (r"\b(?:minggu|pekan)\s+depan\b", _WEEK, None),
        (r"\b(?:minggu|pekan)\s+ini\b", _THIS_WEEK, None),
    ),
    weekday=r"\b(?:hari\s+)?(?P<wd>⟨WD⟩)\b(?:\s+(?P<next>depan)\b)?",
    weekday_names={"senin": 0, "sen": 0, "snn": 0, "selasa": 1, "sel": 1, "slasa": 1, "rabu": 2, "rab": 2,
                   "kamis": 3, "kam": 3, "kemis": 3, "jumat": 4, "jum'at": 4, "jumaat": 4, "jum": 4, "jmt": 4,
                   "sabtu": 5, "sab": 5, "sbtu": 5, "minggu": 6, "ahad": 6},
    ambiguous_next=frozenset({"depan"}),
    months={"agt": 8, "ags": 8, "agus": 8, "sept": 9, "nop": 11, "nopember": 11, "pebruari": 2, "peb": 2},
    month_dates=_LATIN_MONTH_DATES,
    day_of_month=(r"\b(?:tanggal|tgl)\.?\s*(?P<d>\d{1,2})\b(?![.:/-]\d)",),
    fillers=frozenset({"pada", "pd", "tanggal", "tgl", "hari", "hr", "ini", "nanti", "sampai", "paling", "lambat",
                       "sekitar", "di", "tgl.", "sebelum", "sblm", "max", "maks", "deadline"}),
    ends=(
        (r"\bakhir\s+(?:minggu|pekan|mgg)\s+depan\b", _END_NEXT_WEEK),
        (r"\bakhir\s+(?:minggu|pekan|mgg)(?:\s+ini)?\b", _END_WEEK),
        (r"\bakhir\s+bulan\s+depan\b", _END_NEXT_MONTH),
        (r"\bakhir\s+bulan(?:\s+ini)?\b", _END_MONTH),
    ),
    calendar_weeks=(r"\b(?:minggu|pekan)\s+ke\s*-?\s*(?P<n>\d{1,2})\b",),
    dated_day_month=(r"\b(?:tanggal|tgl)\.?\s*(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.?(?!\d|[.:]\d)",),
)  # fmt: skip

_DE_COMPOUND = r"(?:\b|(?<=tag)|(?<=woch))"  # "Freitagabend", "Mittwochmorgen"
_DE = _Spec(
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
         r"|ende\s+des\s+(?:arbeits)?tages|eod|cob)\b", _EOD),
    ),
    periods=(
        (r"\b(?:am\s+)?morgens\b|\bam\s+morgen\b|(?:(?<=tag)|(?<=woch))morgen\b|\b(?:in\s+der\s+)?fr(?:ü|ue)h\b",
         _MORNING),
        (_DE_COMPOUND + r"(?:am\s+)?vormittags?\b", _FORENOON),
        (_DE_COMPOUND + r"(?:am\s+|zu\s+)?mittags?\b", _NOON),
        (_DE_COMPOUND + r"(?:am\s+)?nachmittags?\b", _AFTERNOON),
        (_DE_COMPOUND + r"(?:am\s+)?abends?\b", _EVENING),
        (_DE_COMPOUND + r"(?:in\s+der\s+)?nachts?\b", _NIGHT),
    ),
    relative_days=(
        (r"\b(?:übermorgen|uebermorgen)\b", 2, None),
        (r"\bheute\s+morgen\b", 0, _MORNING),
        (r"\bheute\b", 0, None),
        (r"(?<!am )\bmorgen\b", 1, None),
    ),
    week_phrases=(
        (r"\b(?:nächste|naechste|kommende)\s+woche\b", _WEEK, None),
        (r"\bdiese\s+woche\b", _THIS_WEEK, None),
    ),
    weekday=(r"\b(?:(?P<next>nächste[nrsm]?|naechste[nrsm]?|kommende[nrsm]?)\s+)?(?P<wd>⟨WD⟩)"
             r"(?=\b|morgen|vormittag|mittag|nachmittag|abend|nacht)"),
    weekday_names={"montag": 0, "mo": 0, "dienstag": 1, "di": 1, "mittwoch": 2, "mi": 2, "donnerstag": 3, "do": 3,
                   "freitag": 4, "fr": 4, "samstag": 5, "sa": 5, "sonnabend": 5, "sonntag": 6},
    next_modes={f"kommende{e}": _COMING for e in ("", "n", "r", "s", "m")},
    ambiguous_next=frozenset({f"{w}{e}" for w in ("nächste", "naechste") for e in ("", "n", "r", "s", "m")}),
    months={"maerz": 3, "mrz": 3, "jänner": 1, "jaenner": 1, "sept": 9, "sep": 9},
    month_dates=_LATIN_MONTH_DATES,
    fillers=frozenset({"am", "um", "bis", "zum", "zur", "den", "dem", "der", "diesen", "dieser", "diesem",
                       "spätestens", "gegen", "ca", "etwa", "ab", "von", "fällig"}),
    dotted_day_month=True,
    ends=(
        (r"\bende\s+(?:der\s+)?(?:nächste[nr]?|naechste[nr]?|kommende[nr]?)\s+woche\b"
         r"|\b(?:nächstes|naechstes|kommendes)\s+wochenende\b", _END_NEXT_WEEK),
        (r"\b(?:am|übers|uebers|über\s+das|ueber\s+das)\s+wochenende\b", _REFUSE),
        (r"\bende\s+(?:der|dieser)\s+woche\b|\bwochenende\b", _END_WEEK),
        (r"\bende\s+(?:des\s+)?(?:nächsten|naechsten|kommenden)\s+monats\b", _END_NEXT_MONTH),
        (r"\bmonatsende\b|\bende\s+(?:des|dieses)\s+monats\b|\bende\s+monat\b", _END_MONTH),
    ),
    calendar_weeks=(r"\b(?:in\s+(?:der\s+)?)?(?:kw|kalenderwoche)\s*\.?\s*(?P<n>\d{1,2})(?!\d|[.:/]\d)",),
    dated_day_month=(
        r"\b(?:am|bis|zum|ab|vom|bis\s+zum|bis\s+spätestens)\s+(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.?(?!\d|[.:]\d)",
    ),
)  # fmt: skip

_KO = _Spec(
    numbers={**_KO_NATIVE},
    units={"분": "m", "시간": "h", "일": "d", "주일": "w", "주": "w"},
    durations=(r"(?P<body>⟨B⟩)\s*(?:후|뒤|이후|있다가)",),
    duration_sep=r"\s*",
    hour=r"\d{1,2}|" + "|".join(sorted(_KO_NATIVE, key=len, reverse=True)),
    clocks=(r"(?P<h>⟨H⟩)\s*시(?!간)(?:\s*(?P<m>\d{1,2})\s*분|\s*(?P<half>반))?",),
    clock_words=(
        (r"정오", 12 * 60),
        (r"자정", 24 * 60),
        (r"퇴근\s*(?:전|시간)?|업무\s*(?:종료|마감)\s*(?:시간|전)?|(?<![a-z])(?:eod|cob)(?![a-z])", _EOD),
    ),
    periods=(
        (r"오전", _AM),
        (r"오후", _PM),
        (r"아침", _MORNING),
        (r"점심|낮", _NOON),
        (r"저녁", _EVENING),
        (r"밤", _NIGHT),
        (r"새벽", _DAWN),
    ),
    relative_days=((r"(?:내일|낼)\s*모레", 2, None), (r"오늘", 0, None), (r"내일|낼", 1, None), (r"모레", 2, None),
                   (r"글피", 3, None)),
    week_phrases=((r"다음\s*주|담주|차주", _WEEK, None), (r"이번\s*주|금주", _THIS_WEEK, None)),
    weekday=r"(?:(?P<next>다음)\s*)?(?P<wd>⟨WD⟩)(?:요일|욜)",
    weekday_names={"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6},
    cjk_dates=(r"(?:(?P<y>\d{4})\s*년\s*)?(?P<mo>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일",),
    day_of_month=(r"(?<!\d)(?P<d>\d{1,2})\s*일(?!\s*(?:후|뒤))",),
    fillers=frozenset({"에", "까지", "에는", "엔", "쯤", "경", "께", "이번", "오는", "중", "날", "까지는"}),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (r"(?:다음\s*주|담주|차주)\s*말", _END_NEXT_WEEK),
        (r"(?:이번\s*|금)?주말", _END_WEEK),
        (r"(?:다음\s*달|담달|내달)\s*(?:말일?|말경)", _END_NEXT_MONTH),
        (r"(?:이번\s*달|이달)\s*(?:말일?|말경)|월말", _END_MONTH),
    ),
    calendar_weeks=(r"(?<!\d)(?P<n>\d{1,2})\s*주\s*차",),
    ambiguous_next=frozenset({"다음"}),
)  # fmt: skip

_CJK_UNITS_JA = {"分": "m", "分間": "m", "時間": "h", "日": "d", "日間": "d", "週間": "w"}
_JA = _Spec(
    numbers={"半": 0.5},
    units=_CJK_UNITS_JA,
    durations=(r"(?P<body>⟨B⟩)\s*(?:後|ご)", r"あと\s*(?P<body>⟨B⟩)"),
    duration_sep=r"\s*",
    hour=_CJK_NUM,
    clocks=(r"(?P<h>⟨H⟩)\s*時(?!間)(?:\s*(?P<m>⟨H⟩)\s*分|\s*(?P<half>半))?",),
    clock_words=((r"正午", 12 * 60), (r"終業(?:時間|時刻)?|定時|業務終了|(?<![a-z])(?:eod|cob)(?![a-z])", _EOD)),
    periods=(
        (r"午前", _AM),
        (r"午後", _PM),
        (r"朝", _MORNING),
        (r"昼", _NOON),
        (r"夕方", _EARLY_EVENING),
        (r"晩", _EVENING),
        (r"夜", _NIGHT),
    ),
    relative_days=(
        (r"明明後日|明々後日|しあさって", 3, None),
        (r"明後日|あさって", 2, None),
        (r"今日|きょう|本日", 0, None),
        (r"明日|あした|あす", 1, None),
        (r"今夜|今晩", 0, _EVENING),
        (r"今朝", 0, _MORNING),
        (r"明朝", 1, _MORNING),
    ),
    week_phrases=((r"来週の?", _WEEK, None), (r"今週の?", _THIS_WEEK, None)),
    weekday=r"(?:(?P<next>次の)\s*)?(?P<wd>⟨WD⟩)曜日?",
    weekday_names={"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6},
    cjk_dates=(rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<mo>{_CJK_NUM})\s*月\s*(?P<d>{_CJK_NUM})\s*日",),
    day_of_month=(rf"(?P<d>{_CJK_NUM})\s*日(?!間|曜)",),
    fillers=frozenset({"に", "まで", "までに", "の", "は", "ごろ", "頃", "今度の", "今度", "この", "で", "中"}),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (r"来週の?週?末", _END_NEXT_WEEK),
        (r"今週の?末|週末", _END_WEEK),
        (r"来月の?末", _END_NEXT_MONTH),
        (r"今月の?末|(?<![\d〇零一二两兩三四五六七八九十来])月末", _END_MONTH),
    ),
    calendar_weeks=(r"第\s*(?P<n>\d{1,2})\s*週目?",),
    ambiguous_next=frozenset({"次の"}),
)  # fmt: skip

_ZH = _Spec(
    numbers={"半": 0.5, "半个": 0.5, "半個": 0.5},
    units={"分钟": "m", "分鐘": "m", "分": "m", "小时": "h", "小時": "h", "个小时": "h", "個小時": "h", "钟头": "h",
           "个钟头": "h", "天": "d", "日": "d", "周": "w", "週": "w", "星期": "w", "个星期": "w", "個星期": "w",
           "礼拜": "w", "个礼拜": "w", "禮拜": "w"},
    durations=(r"(?P<body>⟨B⟩)\s*(?:之?[后後]|以[后後])", r"[过過]\s*(?P<body>⟨B⟩)"),
    duration_sep=r"\s*",
    hour=_CJK_NUM,
    clocks=(r"(?P<h>⟨H⟩)\s*(?:点|點|时|時)(?:钟|鐘)?(?!间|間)(?:\s*(?P<half>半)|\s*(?P<m>⟨H⟩)\s*分?)?",),
    clock_words=(
        (r"正午", 12 * 60),
        (r"午夜", 24 * 60),
        (r"下班(?:前|之前|以前)?|收工(?:前|之前)?|(?<![a-z])(?:eod|cob)(?![a-z])", _EOD),
    ),
    periods=(
        (r"上午", _AM),
        (r"下午", _PM),
        (r"早上|早晨", _MORNING),
        (r"中午", _NOON),
        (r"傍晚", _EARLY_EVENING),
        (r"晚上", _EVENING),
        (r"夜里|夜裡|夜间|夜間", _NIGHT),
        (r"凌晨", _DAWN),
    ),
    relative_days=(
        (r"大[后後]天", 3, None),
        (r"今天|今日", 0, None),
        (r"明天|明日", 1, None),
        (r"[后後]天", 2, None),
        (r"今晚", 0, _EVENING),
        (r"明晚", 1, _EVENING),
        (r"今早", 0, _MORNING),
        (r"明早", 1, _MORNING),
    ),
    week_phrases=(
        (r"下(?:个|個)?(?:星期|周|週|礼拜|禮拜)(?![一二三四五六日天])", _WEEK, None),
        (r"(?:这|這|本)(?:个|個)?(?:星期|周|週|礼拜|禮拜)(?![一二三四五六日天])", _THIS_WEEK, None),
    ),
    weekday=r"(?P<next>下(?:个|個)?|这(?:个)?|這(?:個)?|本)?(?:星期|周|週|礼拜|禮拜)(?P<wd>⟨WD⟩)",
    weekday_names={"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6},
    next_modes={"下": _WEEK, "下个": _WEEK, "下個": _WEEK, "这": _THIS_WEEK, "这个": _THIS_WEEK,
                "這": _THIS_WEEK, "這個": _THIS_WEEK, "本": _THIS_WEEK},
    cjk_dates=(rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<mo>{_CJK_NUM})\s*月\s*(?P<d>{_CJK_NUM})\s*[日号號]",),
    day_of_month=(rf"(?P<d>{_CJK_NUM})\s*[号號]",),
    fillers=frozenset({"的", "在", "前", "之前", "以前", "左右", "到", "为止", "為止"}),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (r"下(?:个|個)?(?:周|週|星期|礼拜|禮拜)末", _END_NEXT_WEEK),
        (r"(?:(?:这|這|本)(?:个|個)?)?(?:周|週|星期|礼拜|禮拜)末", _END_WEEK),
        (r"下(?:个|個)?月(?:底|末)", _END_NEXT_MONTH),
        (r"(?:(?:这|這|本)(?:个|個)?)?(?<![\d〇零一二两兩三四五六七八九十上下])月(?:底|末)", _END_MONTH),
    ),
    calendar_weeks=(r"第\s*(?P<n>\d{1,2})\s*(?:周|週|个星期|個星期|星期)",),
)  # fmt: skip

_SPECS: Final[Mapping[str, _Spec]] = {"en": _EN, "id": _ID, "de": _DE, "ko": _KO, "ja": _JA, "zh": _ZH}


@dataclass(frozen=True)
class _Rules:
    code: str
    own: bool  # a language with its own rules (not the English fallback)
    spec: _Spec
    durations: tuple[re.Pattern[str], ...]
    unit: re.Pattern[str]
    clocks: tuple[re.Pattern[str], ...]
    clock_words: tuple[tuple[re.Pattern[str], int], ...]
    periods: tuple[tuple[re.Pattern[str], _Period], ...]
    relative_days: tuple[tuple[re.Pattern[str], int, _Period | None], ...]
    week_phrases: tuple[tuple[re.Pattern[str], str, int | None], ...]
    weekday: re.Pattern[str]
    weekday_names: Mapping[str, int]
    months: Mapping[str, int]
    month_dates: tuple[re.Pattern[str], ...]
    cjk_dates: tuple[re.Pattern[str], ...]
    day_of_month: tuple[re.Pattern[str], ...]
    fillers: frozenset[str]
    ends: tuple[tuple[re.Pattern[str], str], ...]
    calendar_weeks: tuple[re.Pattern[str], ...]
    dated_day_month: tuple[re.Pattern[str], ...]
    time_range: re.Pattern[str]


def _alternation(words: Iterable[object]) -> str:
    return "|".join(re.escape(str(w)) for w in sorted({str(w) for w in words}, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=32)
def _rules(code: str) -> _Rules:
    spec = _SPECS.get(code, _EN)
    own = code in _SPECS
    weekday_names = dict(spec.weekday_names)
    months = dict(spec.months)
    if spec.word_boundaries:
        babel_months, babel_weekdays = _babel_names(code)
        months = {**_EN_MONTHS, **babel_months, **months}
        weekday_names = {**_EN_WEEKDAYS_FULL, **babel_weekdays, **weekday_names}

    def fill(pattern: str) -> str:
        return (
            pattern.replace("⟨H⟩", spec.hour)
            .replace("⟨WD⟩", _alternation(weekday_names))
            .replace("⟨MON⟩", _alternation(months))
        )

    number = rf"\d{{1,4}}|{_alternation(spec.numbers)}" if spec.numbers else r"\d{1,4}"
    if not spec.word_boundaries:
        number = rf"{number}|[{_CJK_DIGITS}]{{1,3}}" if code != "ko" else number
    units = _alternation(spec.units)
    end = r"(?![a-zà-ÿ])" if spec.word_boundaries else ""
    pair = rf"(?:{number})\s*(?:{units}){end}"
    body = rf"{pair}(?:{spec.duration_sep}{pair})*"
    return _Rules(
        code=code,
        own=own,
        spec=spec,
        durations=tuple(re.compile(p.replace("⟨B⟩", body)) for p in spec.durations),
        unit=re.compile(rf"(?P<n>{number})\s*(?P<u>{units}){end}"),
        clocks=tuple(re.compile(fill(p)) for p in spec.clocks),
        clock_words=tuple((re.compile(p), minutes) for p, minutes in spec.clock_words),
        periods=tuple((re.compile(p), period) for p, period in spec.periods),
        relative_days=tuple((re.compile(p), n, period) for p, n, period in spec.relative_days),
        week_phrases=tuple((re.compile(p), mode, wd) for p, mode, wd in spec.week_phrases),
        weekday=re.compile(fill(spec.weekday)),
        weekday_names=weekday_names,
        months=months,
        month_dates=tuple(re.compile(fill(p)) for p in spec.month_dates),
        cjk_dates=tuple(re.compile(p) for p in spec.cjk_dates),
        day_of_month=tuple(re.compile(p) for p in spec.day_of_month),
        fillers=spec.fillers,
        ends=tuple((re.compile(p), kind) for p, kind in spec.ends),
        calendar_weeks=tuple(re.compile(p) for p in spec.calendar_weeks),
        dated_day_month=tuple(re.compile(p) for p in spec.dated_day_month),
        time_range=_time_range(code),
    )


_AMPM = r"a\.?\s?m\.?|p\.?\s?m\.?"


def _time_range(code: str) -> re.Pattern[str]:
    """A range of clock times ("13.00-15.00", "9-11 Uhr", "오전 9시~11시", "下午2点到3点"); the end is dropped."""
    hour = _CJK_NUM if code in ("ja", "zh") else r"\d{1,2}"
    sep = {"de": r"[-–—~]|bis", "ja": r"[-–—~〜]|から", "zh": r"[-–—~〜]|到|至", "ko": r"[-–—~〜]"}.get(code, r"[-–—~]")
    unit = r"uhr|시|時|点|點"
    return re.compile(
        rf"(?<![\d./:-])(?P<pre>(?:\b(?:jam|jm|pukul|pkl|um|at|von|dari|from)\s*)?)"
        rf"(?P<start>(?:{hour})(?:\s*[:.]\s*(?P<sm>\d{{2}}))?(?P<ss>\s*(?:{unit}))?(?:\s*\d{{1,2}}\s*(?:분|分))?"
        rf"(?:\s*(?:반|半))?(?P<sap>\s*(?:{_AMPM})(?![a-z]))?)"
        rf"\s*(?:{sep})\s*(?P<ep>(?:오전|오후|午前|午後|上午|下午)\s*)?(?P<eh>{hour})(?:\s*[:.]\s*(?P<em>\d{{2}}))?"
        rf"(?P<es>\s*(?:{unit})(?:钟|鐘)?)?(?:\s*(?P<em2>\d{{1,2}})\s*(?:분|分))?(?:\s*(?:반|半))?"
        rf"(?P<eap>\s*(?:{_AMPM})(?![a-z]))?"
        rf"(?![\d/]|[.:]\d|\s*(?:월|일|月|日|号|號|年|년))"
    )


@lru_cache(maxsize=32)
def _paren_weekdays(code: str) -> Mapping[str, int]:
    """Weekday names that may stand in parentheses after a date: "(Rab)", "(Wed)", "(Mi.)", "(수)", "(水)", "(三)"."""
    names: dict[str, int] = dict(_rules(code).weekday_names)
    locale = _babel_locale(code)
    widths = ("wide", "abbreviated", "short") + (("narrow",) if code in ("ko", "ja", "zh") else ())
    for context in ("format", "stand-alone"):
        for width in widths:
            for number, name in locale.days.get(context, {}).get(width, {}).items():
                key = _normalise(str(name)).rstrip(".")
                if key:
                    names.setdefault(key, int(number))
    if code in ("zh", "ja", "ko"):
        for prefix in ("星期", "周", "週", "礼拜", "禮拜") if code == "zh" else ("",):
            for char, number in _rules(code).weekday_names.items():
                names.setdefault(f"{prefix}{char}", number)
                names.setdefault(f"{prefix}{char}{'曜日' if code == 'ja' else '요일' if code == 'ko' else ''}", number)
    return names


# -- numbers, normalisation -----------------------------------------------------------------------------------------

_CJK_VALUES: Final[Mapping[str, int]] = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
    "九": 9,
}  # fmt: skip


def _cjk_int(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 三十 → 30 (up to 99)."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones:
            return None
        t = 1 if not tens else _CJK_VALUES.get(tens)
        o = 0 if not ones else _CJK_VALUES.get(ones)
        if t is None or o is None or len(tens) > 1 or len(ones) > 1:
            return None
        return t * 10 + o
    if len(text) == 1:
        return _CJK_VALUES.get(text)
    return None


def _number(text: str, spec: _Spec) -> float:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if text in spec.numbers:
        return spec.numbers[text]
    if text in _KO_NATIVE:
        return _KO_NATIVE[text]
    value = _cjk_int(text)
    if value is None:
        raise _NotADate(text)
    return value


def _int(text: str | None, spec: _Spec) -> int:
    if text is None:
        raise _NotADate("missing number")
    value = _number(text, spec)
    if value != int(value):
        raise _NotADate(text)
    return int(value)


_PUNCTUATION = re.compile(r"[,;!?()\[\]{}\"“”„«»、。]")
_SPACES = re.compile(r"\s+")
_DECORATION = frozenset({"So", "Sk", "Cf"})


def _normalise(text: str) -> str:
    for quote in ("’", "‘", "`", "´"):  # before NFKC, which turns "´" into a space and a combining accent
        text = text.replace(quote, "'")
    s = unicodedata.normalize("NFKC", text).lower()
    # emoji (with skin tones), other symbols, variation selectors and zero-width joiners are decoration, not words
    s = "".join(" " if unicodedata.category(ch) in _DECORATION or "\ufe00" <= ch <= "\ufe0f" else ch for ch in s)
    s = _PUNCTUATION.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


# -- the parse ------------------------------------------------------------------------------------------------------


class _NotADate(Exception):
    """Raised inside a parse to give up (the public function answers None)."""


# hours east of UTC: each abbreviation names one fixed offset, summer time or not
_ZONES: Final[Mapping[str, int]] = {
    "wib": 7, "wita": 8, "wit": 9, "kst": 9, "jst": 9, "utc": 0, "gmt": 0, "cet": 1, "mez": 1, "cest": 2,
    "mesz": 2,
}  # fmt: skip
_ZONE_RE = re.compile(rf"\b(?P<z>{'|'.join(_ZONES)})\b")
_ISO_DATE = re.compile(r"(?<![\d./-])(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?:t(?=\d)|(?!\d|-\d))")
_YMD_DATE = re.compile(
    r"(?<![\d./-])(?P<y>\d{4})\s*(?P<sep>[./])\s*(?P<mo>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?!\d)\.?"
)
_NUMERIC_DATE = re.compile(
    r"(?<![\d./:-])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?!\d|[./:-]\d)"
)
_DOTTED_DAY_MONTH = re.compile(r"(?<![\d./:-])(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.(?!\d)")
_SLASH_DATE = re.compile(r"(?<![\d./:-])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/]|[.:]\d)")
_BARE_CLOCK = re.compile(r"(?<![\d./:-])(?P<h>\d{1,2})[:.](?P<m>\d{2})(?!\d|[./:-]\d)")
_FILLER_PUNCTUATION = ".:-/'@~"
_PAREN = re.compile(r"[(（]\s*([^()（）]{1,12}?)\s*[)）]")


@dataclass
class _Parse:
    s: str
    rules: _Rules
    zone: tzinfo
    now: datetime
    clock: tuple[int, int] | None = None  # (hour, minute) as written, 24 means midnight
    clock_minutes: int | None = None  # from a clock word (noon, midnight), minutes after midnight
    periods: list[_Period] = field(default_factory=list)
    days: int = 0  # calendar days of a relative duration
    exact: timedelta | None = None  # exact part of a relative duration
    has_duration: bool = False
    day_offset: int | None = None
    weekday: int | None = None
    weekday_mode: str = ""
    week_mode: str = ""
    absolute: date | None = None
    month_day: tuple[int, int] | None = None
    day_of_month: int | None = None
    date_count: int = 0
    working_hours: bool = False  # a bare hour 1-6 is 13-18 (read_date and schedule; off for the plain rules)
    clock_bare: bool = False  # the hour was written without minutes, period, am/pm or leading zero
    clock_shift: int = 0  # minutes added to the named hour: -30 for "halb 4", -15 for "Viertel vor 4"
    range_24h: bool = False  # the end of a range shows the 24-hour clock ("9-14 Uhr")
    month_end: int | None = None  # 0: the end of this month, 1: of next month
    week_monday: date | None = None  # Monday of a calendar week ("KW 20")
    paren_weekday: int | None = None  # "(Wed)" after a date
    next_word: str = ""  # the word that made a weekday "next" ("next", "depan", "nächsten", "다음", "次の")
    week_shift: int = 0  # days added to the day (the other reading of "next Friday")
    alt_tod: int | None = None  # the other reading of a bare hour
    alt_month_day: tuple[int, int] | None = None  # the other reading of a numeric day/month

    # -- driver

    def run(self) -> Reading | None:
        self._zone_designator()
        self._calendar_weeks()
        self._durations()
        self._numeric_dates_with_year()
        self._ranges()
        self._ends()
        self._clock_words()
        self._clocks()
        self._dated_day_month()
        self._dates_without_year()
        self._bare_clock()
        self._relative_days()
        self._periods()
        self._week_phrases()
        self._weekdays()
        rest = self._rest()
        if rest is not None:
            if self.date_count or self.has_duration or self.week_mode or self.weekday is not None:
                return None
            parsed = self._dateparser(rest)
            if parsed is None:
                return None
            self._set_date(absolute=parsed)
        tod = self._time_of_day()
        when = self._combine(tod)
        if when is None:
            return None
        other, kind = self._other(when, tod)
        return Reading(when, other, kind if other is not None else None)

    def _other(self, when: datetime, tod: int | None) -> tuple[datetime | None, str | None]:
        """The other plausible reading and its kind; a date ambiguity wins over an hour ambiguity."""
        candidates: list[tuple[datetime | None, str]] = []
        if self.alt_month_day is not None:
            saved, self.month_day = self.month_day, self.alt_month_day
            try:
                candidates.append((self._combine(tod), "day_month"))
            except _NotADate:
                pass
            finally:
                self.month_day = saved
        today = self._today()
        if (
            self.next_word in self.rules.spec.ambiguous_next
            and self.weekday_mode == _NEXT
            and not self.week_mode
            and self.date_count == 0
            and self.weekday is not None
            and self.weekday > today.weekday()
        ):
            self.week_shift = 7
            try:
                candidates.append((self._combine(tod), "next_weekday"))
            finally:
                self.week_shift = 0
        if self.alt_tod is not None:
            candidates.append((self._combine(self.alt_tod), "hour"))
        for other, kind in candidates:
            if other is not None and other != when and abs(other.year - self.now.year) <= MAX_YEARS_AWAY:
                return other, kind
        return None, None

    # -- extraction

    def _take(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """All matches of ``pattern``, each removed from the text (replaced by a space)."""
        found: list[re.Match[str]] = []
        while True:
            match = pattern.search(self.s)
            if match is None or not match.group(0).strip():
                return found
            found.append(match)
            self.s = f"{self.s[: match.start()]} {self.s[match.end() :]}"

    def _zone_designator(self) -> None:
        matches = self._take(_ZONE_RE)
        names = {_ZONES[m.group("z")] for m in matches}
        if len(names) > 1:
            raise _NotADate("two zones")
        if names:
            hours = names.pop()
            self.zone = UTC if hours == 0 else timezone(timedelta(hours=hours))

    def _calendar_weeks(self) -> None:
        for pattern in self.rules.calendar_weeks:
            for match in self._take(pattern):
                number = int(match["n"])
                today = self._today()
                earliest = today - timedelta(days=RECENT_PAST_DAYS)
                for year in range(today.isocalendar().year - 1, today.isocalendar().year + 3):
                    try:
                        monday = date.fromisocalendar(year, number, 1)
                    except ValueError:
                        continue
                    if monday >= earliest:
                        self._set_date(week_monday=monday)
                        break
                else:
                    raise _NotADate("no such week")

    def _ranges(self) -> None:
        """A range of times is its start: the end is dropped, lending the start its unit ("9-11 Uhr" is "9 Uhr")."""
        match = self.rules.time_range.search(self.s)
        if match is None:
            return
        has_unit = match["ss"] or match["es"]
        if not (match["pre"] or has_unit or match["sm"] or match["em"] or match["sap"] or match["eap"] or match["ep"]):
            return  # "8-10" alone is no time range
        if match["eap"] and not match["sap"]:
            raise _NotADate("does the am/pm of the end cover the start?")
        end_hour = _int(match["eh"], self.rules.spec)
        end_minute = int(match["em"] or match["em2"] or 0)
        if end_hour > 24 or end_minute > 59:
            raise _NotADate("no such end")
        if end_hour >= 13 or match["em"] or match["em2"]:
            self.range_24h = True
        unit = match["es"] if match["es"] and not match["ss"] else ""
        self.s = f"{self.s[: match.start()]} {match['pre']}{match['start']}{unit} {self.s[match.end() :]}"

    def _ends(self) -> None:
        for pattern, kind in self.rules.ends:
            for _ in self._take(pattern):
                if kind == _REFUSE:
                    raise _NotADate("a weekend is not a deadline")
                if kind in (_END_WEEK, _END_NEXT_WEEK):
                    if kind == _END_NEXT_WEEK:
                        self._set_week(_WEEK)
                    self._set_weekday(4, "")
                else:
                    self._set_date(month_end=0 if kind == _END_MONTH else 1)

    def _dated_day_month(self) -> None:
        for pattern in self.rules.dated_day_month:
            self._take_day_month(pattern)

    def _take_day_month(self, pattern: re.Pattern[str]) -> None:
        """Dotted day.month matches that are a valid day and month; others stay (a time such as "10.30." may)."""
        position = 0
        while (match := pattern.search(self.s, position)) is not None:
            day, month = int(match["d"]), int(match["mo"])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                position = match.end()
                continue
            self.s = f"{self.s[: match.start()]} {self.s[match.end() :]}"
            self._set_date(month_day=_month_day(month, day))
            if self.rules.spec.dotted_other:
                self._offer_swap(month, day)

    def _offer_swap(self, month: int, day: int) -> None:
        """Offer day/month swapped as the other reading when that is a real date too."""
        if month == day or day > 12:
            return
        try:
            date(2028, day, month)
        except ValueError:
            return
        self.alt_month_day = (day, month)

    def _durations(self) -> None:
        matches = [m for pattern in self.rules.durations for m in self._take(pattern)]
        if not matches:
            return
        if len(matches) > 1:
            raise _NotADate("two durations")
        spec = self.rules.spec
        minutes = 0.0
        for pair in self.rules.unit.finditer(matches[0].group("body")):
            amount = _number(pair.group("n"), spec)
            if amount > 100_000:
                raise _NotADate("too far")
            kind = spec.units[pair.group("u")]
            if kind in ("d", "w"):
                days = amount * (7 if kind == "w" else 1)
                if days != int(days):
                    raise _NotADate("fractional days")
                self.days += int(days)
            else:
                minutes += amount * (60 if kind == "h" else 1)
        self.exact = timedelta(minutes=minutes) if minutes else None
        self.has_duration = True

    def _numeric_dates_with_year(self) -> None:
        for match in self._take(_ISO_DATE) + self._take(_YMD_DATE):
            self._set_date(absolute=_date(int(match["y"]), int(match["mo"]), int(match["d"])))
        for match in self._take(_NUMERIC_DATE):
            day, month = self._day_month(int(match["a"]), int(match["b"]))
            year = int(match["y"])
            self._set_date(absolute=_date(year + 2000 if year < 100 else year, month, day))
        for pattern in self.rules.cjk_dates:
            for match in self._take(pattern):
                day, month = _int(match["d"], self.rules.spec), _int(match["mo"], self.rules.spec)
                if match["y"]:
                    self._set_date(absolute=_date(int(match["y"]), month, day))
                else:
                    self._set_date(month_day=_month_day(month, day))

    def _day_month(self, a: int, b: int) -> tuple[int, int]:
        spec = self.rules.spec
        day, month = (b, a) if spec.month_first else (a, b)
        if month > 12 and day <= 12 and spec.swap_if_unambiguous:
            day, month = month, day
        return day, month

    def _clock_words(self) -> None:
        for pattern, minutes in self.rules.clock_words:
            for _ in self._take(pattern):
                self._set_clock(minutes=minutes)

    def _clocks(self) -> None:
        spec = self.rules.spec
        for pattern in self.rules.clocks:
            for match in self._take(pattern):
                groups = match.groupdict()
                written_hour = groups.get("h")
                hour = _int(written_hour, spec)
                written_minute = groups.get("m") or groups.get("m2")
                minute = 0 if written_minute is None else _int(written_minute, spec)
                if groups.get("half"):
                    minute = 30
                if groups.get("qafter"):
                    minute = 15
                shift = 0
                if groups.get("prehalf") or groups.get("qbefore"):  # "halb 3" is 2:30, "Viertel vor 3" is 2:45
                    if minute or not 1 <= hour <= 24:
                        raise _NotADate("half past what?")
                    shift = -30 if groups.get("prehalf") else -15
                ampm = groups.get("ap")
                if ampm:
                    if hour > 12 or hour == 0:
                        raise _NotADate("13pm")
                    self.periods.append(_AM if ampm.startswith("a") else _PM)
                self._set_clock(hour=hour, minute=minute)
                self.clock_shift = shift
                leading_zero = written_hour is not None and len(written_hour) == 2 and written_hour.startswith("0")
                self.clock_bare = not ampm and written_minute is None and not leading_zero

    def _dates_without_year(self) -> None:
        spec = self.rules.spec
        if spec.dotted_day_month:
            self._take_day_month(_DOTTED_DAY_MONTH)
        for match in self._take(_SLASH_DATE):
            day, month = self._day_month(int(match["a"]), int(match["b"]))
            self._set_date(month_day=_month_day(month, day))
            self._offer_swap(month, day)
        for pattern in self.rules.month_dates:
            for match in self._take(pattern):
                month = self.rules.months[match["mon"].rstrip(".")]
                day = int(match["d"])
                if match["y"]:
                    self._set_date(absolute=_date(int(match["y"]), month, day))
                else:
                    self._set_date(month_day=_month_day(month, day))
        for pattern in self.rules.day_of_month:
            for match in self._take(pattern):
                day = _int(match["d"], spec)
                if not 1 <= day <= 31:
                    raise _NotADate("day of month")
                self._set_date(day_of_month=day)

    def _bare_clock(self) -> None:
        for match in self._take(_BARE_CLOCK):
            self._set_clock(hour=int(match["h"]), minute=int(match["m"]))

    def _relative_days(self) -> None:
        for pattern, offset, period in self.rules.relative_days:
            for _ in self._take(pattern):
                self._set_date(day_offset=offset)
                if period is not None:
                    self.periods.append(period)

    def _periods(self) -> None:
        for pattern, period in self.rules.periods:
            self.periods.extend(period for _ in self._take(pattern))

    def _week_phrases(self) -> None:
        for pattern, mode, weekday in self.rules.week_phrases:
            for _ in self._take(pattern):
                if weekday is None:
                    self._set_week(mode)
                else:
                    self._set_weekday(weekday, mode)

    def _weekdays(self) -> None:
        for match in self._take(self.rules.weekday):
            name = match["wd"].rstrip(".")
            following = match.groupdict().get("next")
            mode = ""
            if following:
                mode = self.rules.spec.next_modes.get(following, _NEXT)
                self.next_word = following
            if mode in (_WEEK, _THIS_WEEK):
                self._set_week(mode)
                mode = ""
            self._set_weekday(self.rules.weekday_names[name], mode)

    def _rest(self) -> str | None:
        """What is left that is not filler, or None when nothing is."""
        meaningful = [
            token
            for token in self.s.split()
            if token.strip(_FILLER_PUNCTUATION) and token.strip(_FILLER_PUNCTUATION) not in self.rules.fillers
        ]
        return self.s.strip() if meaningful else None

    # -- setters with conflict checks

    def _set_clock(self, *, hour: int | None = None, minute: int = 0, minutes: int | None = None) -> None:
        if self.clock is not None or self.clock_minutes is not None:
            raise _NotADate("two times")
        if minutes is not None:
            self.clock_minutes = minutes
            return
        assert hour is not None
        if not (0 <= hour <= 23 and 0 <= minute <= 59) and (hour, minute) != (24, 0):
            raise _NotADate("no such time")
        self.clock = (hour, minute)

    def _set_date(
        self,
        *,
        absolute: date | None = None,
        month_day: tuple[int, int] | None = None,
        day_of_month: int | None = None,
        day_offset: int | None = None,
        month_end: int | None = None,
        week_monday: date | None = None,
    ) -> None:
        self.date_count += 1
        if self.date_count > 1:
            raise _NotADate("two dates")
        self.absolute, self.month_day, self.day_of_month, self.day_offset = (
            absolute,
            month_day,
            day_of_month,
            day_offset,
        )
        self.month_end, self.week_monday = month_end, week_monday

    def _set_week(self, mode: str) -> None:
        if self.week_mode and self.week_mode != mode:
            raise _NotADate("two weeks")
        self.week_mode = mode

    def _set_weekday(self, weekday: int, mode: str) -> None:
        if self.weekday is not None:
            raise _NotADate("two weekdays")
        self.weekday, self.weekday_mode = weekday, mode

    # -- dateparser fallback

    def _dateparser(self, rest: str) -> date | None:
        """The date dateparser reads in ``rest``, when ``rest`` looks like a date at all."""
        tokens = rest.split()
        has_month = any(token.strip(_FILLER_PUNCTUATION) in self.rules.months for token in tokens)
        has_digit = any(ch.isdigit() for ch in rest)
        if not has_month and (has_digit or self.rules.own):
            return None
        base = datetime.combine(self._today(), time())
        parser = _date_parser(self.rules.code, self.rules.spec.dp_order, base)
        with _DATEPARSER_LOCK:
            data = parser.get_date_data(rest)
        found = data.date_obj
        if found is None or data.period != "day" or found.time() != time():
            return None
        if not base.year - 1 <= found.year <= base.year + 10 and str(found.year) not in rest:
            return None
        return found.date()

    # -- the answer

    def _local_now(self) -> datetime:
        return self.now.astimezone(self.zone).replace(tzinfo=None)

    def _today(self) -> date:
        return self._local_now().date()

    def _utc(self, local: datetime) -> datetime:
        # fold=0: an ambiguous time is its first occurrence, a non-existent one is read with the offset before the
        # gap, which lands after it (02:30 on the spring-forward day becomes 03:30 summer time).
        return local.replace(tzinfo=self.zone, fold=0).astimezone(UTC)

    def _time_of_day(self) -> int | None:
        """Minutes after local midnight (up to 24:59 for "midnight" forms), or None when no time was given."""
        if self.clock_minutes is not None:
            if self.periods:
                raise _NotADate("noon in the evening")
            return self.clock_minutes
        if self.clock is None:
            if len(self.periods) > 1:
                raise _NotADate("two periods")
            return self.periods[0].default if self.periods else None
        hour, minute = self.clock
        for index, period in enumerate(self.periods):
            converted = period.rule(hour)
            if converted is None or (index > 0 and converted != hour):
                raise _NotADate("hour does not fit its period")
            hour = converted
        if self.working_hours and self.clock_bare and not self.periods and not self.range_24h and 1 <= hour <= 11:
            said = hour
            hour = said + 12 if said <= 6 else said
            self.alt_tod = (said if said <= 6 else said + 12) * 60 + minute + self.clock_shift
        if hour == 24 and minute and not self.periods:
            raise _NotADate("24:30")
        total = hour * 60 + minute + self.clock_shift
        if total < 0:
            raise _NotADate("before midnight")
        return total

    def _at(self, day: date, minutes: int) -> datetime:
        return self._utc(datetime.combine(day, time()) + timedelta(minutes=minutes))

    def _combine(self, tod: int | None) -> datetime | None:
        today = self._today()
        if self.has_duration:
            if self.date_count or self.weekday is not None or self.week_mode:
                return None
            if self.exact is not None and tod is not None:
                return None
            if tod is not None:
                return self._at(today + timedelta(days=self.days), tod)
            start = self._utc(self._local_now() + timedelta(days=self.days)) if self.days else self.now.astimezone(UTC)
            return start + (self.exact or timedelta())
        day = self._explicit_day(today, tod)
        weekday_day = self._weekday_day(today, tod)
        if day is not None and weekday_day is not None and day.weekday() != weekday_day.weekday():
            return None
        day = day or weekday_day
        if self.paren_weekday is not None and (day is None or day.weekday() != self.paren_weekday):
            return None
        if day is not None:
            return self._at(day + timedelta(days=self.week_shift), END_OF_WORKING_DAY if tod is None else tod)
        if tod is None:
            return None
        when = self._at(today, tod)
        return when if when > self.now else self._at(today + timedelta(days=1), tod)

    def _explicit_day(self, today: date, tod: int | None) -> date | None:
        if self.absolute is not None:
            return self.absolute
        if self.day_offset is not None:
            return today + timedelta(days=self.day_offset)
        if self.week_monday is not None:
            if self.week_mode:
                raise _NotADate("which week?")
            return self.week_monday + timedelta(days=self.weekday or 0)
        if self.month_end is not None:
            last = _last_of_month(today, self.month_end)
            if self.month_end == 0 and self._at(last, END_OF_WORKING_DAY if tod is None else tod) <= self.now:
                last = _last_of_month(today, 1)
            return last
        if self.month_day is not None:
            month, day = self.month_day
            earliest = today - timedelta(days=RECENT_PAST_DAYS)  # a recent past date is that date, not next year's
            for year in range(today.year - 1, today.year + 9):
                try:
                    candidate = date(year, month, day)
                except ValueError:
                    continue
                if candidate >= earliest:
                    return candidate
            raise _NotADate("no such day")
        if self.day_of_month is not None:
            year, month = today.year, today.month
            for _ in range(13):
                try:
                    candidate = date(year, month, self.day_of_month)
                except ValueError:
                    pass
                else:
                    if candidate >= today:
                        return candidate
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            raise _NotADate("no such day")
        return None

    def _weekday_day(self, today: date, tod: int | None) -> date | None:
        if self.week_monday is not None:
            return None  # the weekday of a calendar week is read by _explicit_day
        if self.weekday is None:
            if self.week_mode:
                raise _NotADate("which day of that week?")
            return None
        monday = today - timedelta(days=today.weekday())
        if self.week_mode == _WEEK:
            return monday + timedelta(days=7 + self.weekday)
        if self.week_mode == _THIS_WEEK:
            return monday + timedelta(days=self.weekday)
        ahead = (self.weekday - today.weekday()) % 7
        if self.weekday_mode in (_NEXT, _COMING):
            return today + timedelta(days=ahead or 7)
        candidate = today + timedelta(days=ahead)
        if ahead == 0 and self._at(candidate, END_OF_WORKING_DAY if tod is None else tod) <= self.now:
            candidate += timedelta(days=7)
        return candidate


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise _NotADate(f"{year}-{month}-{day}") from exc


def _last_of_month(today: date, months_ahead: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 + months_ahead + 1, 12)
    return date(year, month + 1, 1) - timedelta(days=1)


def _month_day(month: int, day: int) -> tuple[int, int]:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise _NotADate(f"{month}/{day}")
    return month, day
