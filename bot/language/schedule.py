"""Recurring reminders, quiet hours, local wall-clock times and durations (pure functions, no clock, no I/O).

Every function takes explicit aware instants and returns aware UTC datetimes; all calendar arithmetic happens on the
local wall clock of the group's IANA zone, so "every Monday at 09:00" in Europe/Berlin is 08:00Z in winter and 07:00Z
in summer.

Recurrences are stored as compact strings: ``"MO,FR@09:00"`` (weekday codes MO TU WE TH FR SA SU, in week order,
each once), ``"*@09:00"`` (every day) or ``"WD@09:00"`` (every working day: the working days of the group's calendar,
public holidays and days off skipped — :func:`next_occurrence` takes the calendar's ``is_working_day``).
:func:`parse_recurrence` reads what a group member wrote after ``/remind`` ("every monday 09:00 Submit report",
"setiap Senin dan Jumat jam 9 Rapat", "매주 월,금 오전 9시 회의",
"montags 9 Uhr Bericht") and :func:`bot.language.localise.describe_recurrence`
renders a rule back in the group's language.

The time of day is read with the rules of :mod:`bot.language.dates` (24-hour clock, am/pm, pagi/sore, 오전/오후, Uhr …),
a bare hour in working hours as there ("setiap Senin jam 4" is 16:00; "jam 04.00" is 04:00).

Rules chosen where the brief left a choice (also tested in tests/unit/test_dates_schedule.py):

* A recurrence needs a clock time ("jam 9", "9am", "noon"); a period word alone ("setiap hari pagi") is not enough.
* The reminder text is what follows the longest time phrase (at most 40 characters) that leaves a non-empty text;
  in Latin-script languages a trailing filler word is never part of the time ("9am at the office" keeps "at the
  office"), and punctuation between the time and the text (":", "-") is dropped.
* Midnight words ("midnight", "jam 12 malam", "Mitternacht", "자정") mean the end of the named day, as in
  :mod:`bot.language.dates`: "every monday at midnight" is ``TU@00:00``.
* Day lists take separators (",", "/", "&", and/dan/und, 와/과, と, 和 …) and ranges ("mon-fri", "Senin sampai
  Jumat", "montags bis freitags", "월~금"); a range may wrap ("fri-mon"). All seven days become ``*``.
* Indonesian "setiap minggu" alone means "every week" as often as "every Sunday", so it is rejected; "setiap hari
  Minggu" (or "Minggu" in a list) is Sunday.
* Occurrences: a non-existent local time (02:30 on the spring-forward day) moves forward by the gap (03:30 summer
  time); an ambiguous one (02:30 on the fall-back day) is its first occurrence -- the same rule as
  :mod:`bot.language.dates`.
* Quiet hours ``[start, end)`` are wall-clock windows (start inclusive, end exclusive, wrapping midnight when
  start > end, empty when start == end). Their end is the next instant the wall clock reaches ``end``: the first
  occurrence of an ambiguous end, and the clock change itself when ``end`` falls into a spring-forward gap (the wall
  clock leaves the window right then).
* Durations: "24h", "1d 2h 30m", "90m", "1h30m", "2w", "0" (0 = at the due time); a bare number other than 0 is
  not a duration; each one is at most 366 days. :func:`duration_parts` uses days only from 48 hours on
  ("24 h", "36 h", "2 d", "2 d 6 h").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from bot.language.dates import FILLER_PUNCTUATION, babel_locale, base_language, clock_minutes, normalise, rules_for

__all__ = [
    "DAY_CODES",
    "WORKING_DAYS",
    "after_quiet_hours",
    "duration_parts",
    "in_quiet_hours",
    "is_working_days",
    "next_local_time",
    "next_occurrence",
    "parse_durations",
    "parse_hhmm",
    "parse_recurrence",
    "parse_weekday_time",
    "recurrence_rule",
]

DAY_CODES: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ALL_DAYS: Final = frozenset(range(7))
WORKDAYS: Final = frozenset(range(5))
MAX_DURATION: Final = 366 * 86400
MAX_TIME_PHRASE: Final = 40  # characters of a time phrase in a recurrence

_DAILY, _WORKDAYS, _DAYS = "daily", "workdays", "days"
_DANGLING: Final = frozenset("-–—~〜～")
_MIDNIGHT = 24 * 60
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


# -- recurrences: the stored form ------------------------------------------------------------------------------------

_CODE = "|".join(DAY_CODES)
_RECURRENCE = re.compile(rf"(?P<days>\*|WD|(?:{_CODE})(?:,(?:{_CODE}))*)@(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d)")
WORKING_DAYS: Final = "WD"  # the stored code of "every working day": the group's calendar decides (else Mon–Fri)


class _Working(frozenset[int]):
    """The days of "every working day" as read: Monday to Friday unless a calendar says otherwise."""


@dataclass(frozen=True)
class _Rule:
    days: frozenset[int]  # Monday = 0
    at: time
    working: bool = False  # "WD": the working days of a calendar


def _decode(recurrence: str) -> _Rule:
    match = _RECURRENCE.fullmatch(recurrence.strip())
    if match is None:
        raise ValueError(f"not a recurrence: {recurrence!r}")
    codes = match["days"]
    at = time(int(match["h"]), int(match["m"]))
    if codes == WORKING_DAYS:
        return _Rule(WORKDAYS, at, working=True)
    days = ALL_DAYS if codes == "*" else frozenset(DAY_CODES.index(code) for code in codes.split(","))
    return _Rule(days, at)


def _encode(days: Iterable[int], minutes: int) -> str:
    """The stored form; ``minutes`` after midnight, 1440 (midnight at the end of the day) moves to the next day.
    "Every working day" (before midnight) is ``WD``: whose working days is decided when it fires."""
    chosen = frozenset(days)
    if isinstance(days, _Working) and minutes < _MIDNIGHT:
        return f"{WORKING_DAYS}@{minutes // 60:02d}:{minutes % 60:02d}"
    if minutes >= _MIDNIGHT:
        chosen, minutes = frozenset((day + 1) % 7 for day in chosen), minutes - _MIDNIGHT
    codes = "*" if chosen == ALL_DAYS else ",".join(DAY_CODES[day] for day in sorted(chosen))
    return f"{codes}@{minutes // 60:02d}:{minutes % 60:02d}"


# -- wall-clock arithmetic -------------------------------------------------------------------------------------------


def _aware(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return instant


def _utc_of(wall: datetime, zone: tzinfo, fold: int = 0) -> datetime:
    """A naive local wall-clock time as aware UTC. fold=0: a non-existent time is read with the offset before the
    gap, which lands after it (02:30 → 03:30 summer time); an ambiguous one is its first occurrence."""
    return wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)


def _wall(instant: datetime, zone: tzinfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _next_at(zone: tzinfo, days: frozenset[int], at: time, after: datetime) -> datetime:
    """The first instant strictly after ``after`` at local ``at`` on one of ``days``."""
    first = _wall(after, zone).date() - timedelta(days=1)
    for offset in range(9):  # yesterday (a zone change can pull it after ``after``) up to the same day next week
        day = first + timedelta(days=offset)
        if day.weekday() in days:
            candidate = _utc_of(datetime.combine(day, at), zone)
            if candidate > after:
                return candidate
    raise AssertionError("unreachable: every weekday set repeats within a week")


def _reaching(zone: tzinfo, wall: datetime, after: datetime) -> datetime:
    """The first instant after ``after`` at which the local wall clock reaches ``wall`` (naive, local).

    An ambiguous ``wall`` gives its first occurrence still ahead; a non-existent one the clock change that skips it.
    """
    candidates = [
        instant
        for instant in (_utc_of(wall, zone, 0), _utc_of(wall, zone, 1))
        if instant > after and _wall(instant, zone) == wall
    ]
    if candidates:
        return min(candidates)
    # ``wall`` is in a spring-forward gap: fold=1 reads it with the later offset (before the change), fold=0 with
    # the earlier one (after the change). Between them the wall clock only moves forward: find the change.
    low = int(_utc_of(wall, zone, 1).timestamp())
    high = int(_utc_of(wall, zone, 0).timestamp())
    while low < high:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), zone) >= wall:
            high = middle
        else:
            low = middle + 1
    return max(datetime.fromtimestamp(high, UTC), after)


# -- recurrences: public API -----------------------------------------------------------------------------------------


def next_occurrence(
    recurrence: str, tz: str, after: datetime, working: Callable[[date], bool] | None = None
) -> datetime:
    """The first occurrence of ``recurrence`` strictly after ``after``, on the local wall clock of ``tz``, as aware
    UTC. ``working`` says which days are working days for a ``WD`` ("every working day") recurrence (a calendar's
    ``is_working_day``; Monday to Friday without it). Raises ``ValueError`` for a malformed recurrence or a naive
    ``after``, and when no working day comes within a year."""
    rule = _decode(recurrence)
    zone, after = ZoneInfo(tz), _aware(after, "after")
    if not rule.working or working is None:
        return _next_at(zone, rule.days, rule.at, after)
    first = _wall(after, zone).date() - timedelta(days=1)
    for offset in range(400):
        day = first + timedelta(days=offset)
        if working(day):
            candidate = _utc_of(datetime.combine(day, rule.at), zone)
            if candidate > after:
                return candidate
    raise ValueError("no working day within a year")


def is_working_days(recurrence: str) -> bool:
    """Whether a stored recurrence is "every working day" (``WD``)."""
    return _decode(recurrence).working


def next_local_time(tz: str, hhmm: str, after: datetime, weekday: int | None = None) -> datetime:
    """The next instant strictly after ``after`` at local ``hhmm`` (any :func:`parse_hhmm` form) in ``tz``, on
    ``weekday`` (Monday = 0) when given; aware UTC. Raises ``ValueError`` for a bad time, weekday or naive ``after``."""
    normal = parse_hhmm(hhmm)
    if normal is None:
        raise ValueError(f"not a time of day: {hhmm!r}")
    if weekday is not None and weekday not in ALL_DAYS:
        raise ValueError(f"weekday must be 0-6, not {weekday!r}")
    days = ALL_DAYS if weekday is None else frozenset({weekday})
    return _next_at(ZoneInfo(tz), days, time.fromisoformat(normal), _aware(after, "after"))


def parse_recurrence(text: str, lang: str) -> tuple[str, str] | None:
    """``(recurrence, reminder text)`` from the start of ``/remind every …`` arguments, or ``None``.

    "every mon,fri 9am Standup" → ``("MO,FR@09:00", "Standup")``; "setiap hari jam 08.30 Apel" → ``("*@08:30",
    "Apel")``. The English forms ("every …", "daily …") work in every group language.
    """
    code = base_language(lang)
    for days, end in _day_phrases(text, code, single=False):
        if text[end:].lstrip()[:1] in _DANGLING:  # "every mon- 9am": an unfinished range
            continue
        split = _split_time(text[end:], code)
        if split is not None:
            minutes, message = split
            return _encode(days, minutes), message
    return None


def parse_weekday_time(text: str, lang: str) -> tuple[int, str] | None:
    """``(weekday, "HH:MM")`` from "monday 08:00", "Senin 08.00", "월요일 오전 8시", "Montag 8 Uhr" (Monday = 0), or
    ``None``. The whole text must be one weekday and one time; "every"/"jeden"/"setiap"/"매주" may come first."""
    code = base_language(lang)
    for days, end in _day_phrases(text, code, single=True):
        if len(days) != 1:
            continue
        minutes = _read_time(text[end:], code)
        if minutes is None:
            continue
        (weekday,) = days
        if minutes >= _MIDNIGHT:  # "Montag Mitternacht" is the end of Monday
            weekday, minutes = (weekday + 1) % 7, minutes - _MIDNIGHT
        return weekday, f"{minutes // 60:02d}:{minutes % 60:02d}"
    return None


def recurrence_rule(recurrence: str) -> tuple[frozenset[int], time]:
    """The weekdays (Monday = 0) and the local time of a stored recurrence; ``ValueError`` when malformed.
    Rendering it in a group's language is :func:`bot.language.localise.describe_recurrence`. "Every working day"
    gives Monday to Friday (:func:`is_working_days` tells it apart)."""
    rule = _decode(recurrence)
    return rule.days, rule.at


# -- recurrences: day phrases ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Syntax:
    """How one language writes recurring days. Placeholders: ⟨N⟩ a day name, ⟨DAYS⟩ a list or range of days,
    ⟨ADAYS⟩ a list or range of adverbial day names (German "montags und freitags")."""

    headers: tuple[tuple[str, str], ...]  # (regex, kind), tried in order
    day: str  # one day, with ⟨N⟩
    list_sep: str
    range_sep: str
    single: str  # optional words before one day in parse_weekday_time ("on", "jeden", "매주")
    latin: bool = True
    adverbs: Mapping[str, int] | None = None
    ambiguous: frozenset[str] = frozenset()  # whole day phrases rejected in recurrences


_LATIN_DAY = r"⟨N⟩\.?"

_EN_SYNTAX = _Syntax(
    headers=(
        (r"(?:every|each)\s+(?:single\s+)?day|everyday|daily", _DAILY),
        (r"(?:every|each)\s+(?:week\s?day|workday|working\s+day|business\s+day)|weekdays", _WORKDAYS),
        (r"(?:every|each)\s+⟨DAYS⟩", _DAYS),
    ),
    day=_LATIN_DAY,
    list_sep=r"\s*[,/&+]\s*(?:and\s+)?|\s+and\s+",
    range_sep=r"\s*[-–—]\s*|\s+(?:to|through|thru|till|until)\s+",
    single=r"(?:(?:every|each|on)\s+)?",
)

_ID_EVERY = r"(?:setiap|tiap(?:\s*-\s*tiap)?|saban)\s+"
_ID_SYNTAX = _Syntax(
    headers=(
        (rf"{_ID_EVERY}⟨DAYS⟩", _DAYS),
        (rf"{_ID_EVERY}hari\s+kerja", _WORKDAYS),
        (rf"{_ID_EVERY}hari", _DAILY),
    ),
    day=r"(?:hari\s+)?⟨N⟩\.?",
    list_sep=r"\s*[,/&+]\s*(?:dan\s+)?|\s+dan\s+",
    range_sep=r"\s*[-–—]\s*|\s+(?:sampai(?:\s+dengan)?|s/d|hingga)\s+",
    single=rf"(?:{_ID_EVERY}|pada\s+)?",
    ambiguous=frozenset({"minggu"}),  # "setiap minggu" is also "every week"
)

_DE_ADVERBS: Final[Mapping[str, int]] = {
    "montags": 0, "dienstags": 1, "mittwochs": 2, "donnerstags": 3, "freitags": 4, "samstags": 5, "sonnabends": 5,
    "sonntags": 6,
}  # fmt: skip
_DE_SYNTAX = _Syntax(
    headers=(
        (r"jeden\s+tag|tagtäglich|t(?:ä|ae)glich", _DAILY),
        (r"werktags|(?:jeden|an\s+jedem)\s+werktag|an\s+werktagen", _WORKDAYS),
        (r"(?:jeden|jede[mn]?|an\s+jedem)\s+⟨DAYS⟩", _DAYS),
        (r"(?:immer\s+)?⟨ADAYS⟩", _DAYS),
    ),
    day=_LATIN_DAY,
    list_sep=r"\s*[,/&+]\s*(?:und\s+)?|\s+und\s+",
    range_sep=r"\s*[-–—]\s*|\s+bis\s+",
    single=r"(?:(?:jeden|am|immer)\s+)?",
    adverbs=_DE_ADVERBS,
)

_KO_SYNTAX = _Syntax(
    headers=(
        (r"매일(?:\s*마다)?|날마다", _DAILY),
        (r"(?:매주\s*)?평일(?:\s*마다)?(?:\s*에)?|(?:매\s*)?(?:영업일|근무일)(?:\s*마다)?(?:\s*에)?", _WORKDAYS),
        (r"매주\s*⟨DAYS⟩(?:\s*까지)?(?:\s*마다)?(?:\s*에)?", _DAYS),
        (r"⟨DAYS⟩(?:\s*까지)?\s*마다(?:\s*에)?", _DAYS),
    ),
    day=r"⟨N⟩(?:요일)?",
    list_sep=r"\s*(?:[,，、·・/&+]|및|와|과|하고|이랑|랑)\s*",
    range_sep=r"\s*(?:[-–~〜～]|부터)\s*",
    single=r"(?:매주\s*)?",
    latin=False,
)

_JA_SYNTAX = _Syntax(
    headers=(
        (r"毎日", _DAILY),
        (r"(?:毎週\s*)?平日(?:\s*は)?|毎平日|毎営業日|営業日(?:\s*は)?", _WORKDAYS),
        (r"毎週\s*⟨DAYS⟩(?:\s*まで)?(?:\s*[のにはも])?", _DAYS),
    ),
    day=r"⟨N⟩(?:曜日?)?",
    list_sep=r"\s*(?:[,，、・/&+]|と|及び|および)\s*",
    range_sep=r"\s*(?:[-–~〜～]|から)\s*",
    single=r"(?:毎週\s*)?",
    latin=False,
)

_ZH_WEEK = r"(?:周|週|星期|礼拜|禮拜)"
_ZH_SYNTAX = _Syntax(
    headers=(
        (r"每天|每日|天天", _DAILY),
        (r"(?:每(?:个|個)?)?工作日", _WORKDAYS),
        (rf"每(?:个|個)?{_ZH_WEEK}⟨DAYS⟩", _DAYS),
    ),
    day=rf"{_ZH_WEEK}?⟨N⟩",
    list_sep=r"\s*(?:[,，、/&+]|和|及|与|與)\s*",
    range_sep=r"\s*(?:[-–~〜～至到])\s*",
    single=r"(?:每(?:个|個)?)?",
    latin=False,
)

_SYNTAXES: Final[Mapping[str, _Syntax]] = {
    "en": _EN_SYNTAX, "id": _ID_SYNTAX, "de": _DE_SYNTAX, "ko": _KO_SYNTAX, "ja": _JA_SYNTAX, "zh": _ZH_SYNTAX,
}  # fmt: skip
_CJK_NAMES: Final[Mapping[str, Mapping[str, int]]] = {
    "ko": {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6},
    "ja": {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6},
    "zh": {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6},
}
_NOT_AFTER_LETTER = r"(?<![^\W\d_])"
_NOT_BEFORE_LETTER = r"(?![^\W\d_])"
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})  # one character each: offsets stay valid
_SPACES = re.compile(r"\s+")


def _latin_names(code: str) -> dict[str, int]:
    """Weekday names of ``code`` (those :mod:`bot.language.dates` knows plus Babel's abbreviations) and the English
    ones."""
    names = dict(rules_for("en").weekday_names)
    names.update(rules_for(code).weekday_names)
    locale = babel_locale(code)
    for context in ("format", "stand-alone"):
        for number, name in locale.days.get(context, {}).get("abbreviated", {}).items():
            key = str(name).lower().rstrip(".")
            if len(key) >= 2 and key.isalpha():
                names.setdefault(key, int(number))
    return names


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(set(words), key=lambda word: (-len(word), word)))


@dataclass(frozen=True)
class _Compiled:
    headers: tuple[tuple[re.Pattern[str], str], ...]
    single: re.Pattern[str]  # one day, for parse_weekday_time
    finder: re.Pattern[str]  # groups n (a day name) and r (a range separator)
    names: Mapping[str, int]
    ambiguous: frozenset[str]


@lru_cache(maxsize=32)
def _compiled(code: str, syntax_code: str) -> _Compiled:
    """The day phrases of ``syntax_code`` with the day names of ``code`` (the English forms work in any language)."""
    syntax = _SYNTAXES[syntax_code]
    names: Mapping[str, int]
    if not syntax.latin:
        names = _CJK_NAMES[syntax_code]
    elif code in _CJK_NAMES:
        names = _latin_names("en")
    else:
        names = _latin_names(code)
    adverbs = syntax.adverbs or {}
    before, end = (_NOT_AFTER_LETTER, _NOT_BEFORE_LETTER) if syntax.latin else ("", "")
    name = f"{before}(?:{_alternation(names)}){end}"
    adverb = f"{before}(?:{_alternation(adverbs)}){end}" if adverbs else "(?!)"
    day = syntax.day.replace("⟨N⟩", name)
    separator = f"(?:{syntax.list_sep}|{syntax.range_sep})"

    def compile_header(pattern: str) -> re.Pattern[str]:
        filled = pattern.replace("⟨DAYS⟩", f"(?P<days>{day}(?:{separator}{day})*)")
        filled = filled.replace("⟨ADAYS⟩", f"(?P<days>{adverb}(?:{separator}{adverb})*)")
        return re.compile(rf"\s*(?:{filled}){end}", re.IGNORECASE)

    finder_day = syntax.day.replace("⟨N⟩", f"(?P<n>{name}|{adverb})")
    return _Compiled(
        headers=tuple((compile_header(pattern), kind) for pattern, kind in syntax.headers),
        single=re.compile(rf"\s*{syntax.single}(?P<days>{day}|{adverb}){end}", re.IGNORECASE),
        finder=re.compile(rf"{finder_day}|(?P<r>{syntax.range_sep})", re.IGNORECASE),
        names={**names, **adverbs},
        ambiguous=syntax.ambiguous,
    )


def _resolve(phrase: str, compiled: _Compiled, *, recurring: bool) -> frozenset[int] | None:
    """The weekdays a matched day phrase names ("mon, fri", "Senin sampai Jumat", "월~금"), or None."""
    if recurring and _SPACES.sub(" ", phrase.strip().lower()) in compiled.ambiguous:
        return None
    days: set[int] = set()
    previous: int | None = None
    in_range = False
    for match in compiled.finder.finditer(phrase):
        if match["r"] is not None:
            if previous is None or in_range:
                return None
            in_range = True
            continue
        day = compiled.names[match["n"].lower().rstrip(".")]
        if in_range and previous is not None:
            days.update((previous + step) % 7 for step in range((day - previous) % 7 + 1))
            in_range = False
        else:
            days.add(day)
        previous = day
    return frozenset(days) if days and not in_range else None


def _syntax_codes(code: str) -> tuple[str, ...]:
    return (code, "en") if code in _SYNTAXES and code != "en" else ("en",)


def _day_phrases(text: str, code: str, *, single: bool) -> Iterator[tuple[frozenset[int], int]]:
    """Every reading of the start of ``text`` as recurring days: ``(weekdays, end offset)``, best first."""
    s = text.translate(_QUOTES)
    for syntax_code in _syntax_codes(code):
        compiled = _compiled(code, syntax_code)
        patterns = ((compiled.single, _DAYS),) if single else compiled.headers
        for pattern, kind in patterns:
            match = pattern.match(s)
            if match is None:
                continue
            if kind == _DAILY:
                yield ALL_DAYS, match.end()
            elif kind == _WORKDAYS:
                yield _Working(WORKDAYS), match.end()
            else:
                days = _resolve(match["days"], compiled, recurring=not single)
                if days is not None:
                    yield days, match.end()


# -- times of day ----------------------------------------------------------------------------------------------------

_UTC_ZONE = ZoneInfo("UTC")
_LEADING_PUNCTUATION = re.compile(r"^[\s:,;\-–—]+")


def _read_time(text: str, code: str) -> int | None:
    """Minutes after midnight (1440 for the midnight words) when ``text`` is exactly a clock time, by the rules of
    :mod:`bot.language.dates` for ``code`` (then English); ``None`` otherwise, also for a period word without a
    clock."""
    s = normalise(text)
    if not s or len(s) > MAX_TIME_PHRASE:
        return None
    last = s.split()[-1].strip(FILLER_PUNCTUATION)
    for rules_code in dict.fromkeys((code, "en")):
        rules = rules_for(rules_code)
        if rules.spec.word_boundaries and last in rules.fillers:
            continue  # "9am at" is "9am" followed by the reminder text
        minutes = clock_minutes(s, rules_code)
        if minutes is not None:
            return minutes
    return None


def _latin_alnum(ch: str) -> bool:
    return ch.isalnum() and ord(ch) < 0x1100


def _split_time(rest: str, code: str) -> tuple[int, str] | None:
    """``(minutes, text)``: the longest time phrase at the start of ``rest`` that ends at a space and leaves a text.

    Japanese and Chinese may glue the text to the time ("9時に会議", "上午9点开会"); when no space works, the cut may
    fall between any two characters (never inside a Latin word or number), and the shortest phrase giving the same
    time wins, so a word starting with a period character stays whole ("9時朝礼" is 9:00 "朝礼"); a particle right
    after the time ("に", "的") is dropped.
    """
    rest = rest.lstrip()
    cuts = range(min(len(rest) - 1, MAX_TIME_PHRASE), 0, -1)
    for cut in cuts:
        if rest[cut].isspace() and (found := _time_then_text(rest, cut, code)) is not None:
            return found
    if code not in ("ja", "zh"):
        return None
    glued = [
        (cut, found)
        for cut in cuts
        if not (rest[cut].isspace() or (_latin_alnum(rest[cut - 1]) and _latin_alnum(rest[cut])))
        and (found := _time_then_text(rest, cut, code)) is not None
    ]
    if not glued:
        return None
    minutes = glued[0][1][0]
    _, (_, message) = min((cut, found) for cut, found in glued if found[0] == minutes)
    for particle in _PARTICLES[code]:
        if message.startswith(particle) and message[len(particle) :].strip():
            return minutes, message[len(particle) :].strip()
    return minutes, message


def _time_then_text(rest: str, cut: int, code: str) -> tuple[int, str] | None:
    message = _LEADING_PUNCTUATION.sub("", rest[cut:]).strip()
    if not message:
        return None
    minutes = _read_time(rest[:cut], code)
    return None if minutes is None else (minutes, message)


_PARTICLES: Final[Mapping[str, tuple[str, ...]]] = {
    "ja": ("までに", "まで", "ごろに", "頃に", "ごろ", "頃", "から", "に", "の", "は"),
    "zh": ("左右", "之前", "以前", "的", "在", "前"),
}


_HHMM = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?:(?P<ap>[ap])\.?\s?m\.?)?", re.IGNORECASE)


def parse_hhmm(text: str) -> str | None:
    """A time of day as "HH:MM" (24-hour) from "9", "9:00", "09.00", "9am", "9 p.m.", "21:30"; else ``None``."""
    match = _HHMM.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if match["ap"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ap"].lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


# -- quiet hours -----------------------------------------------------------------------------------------------------


def _window(start: str | None, end: str | None) -> tuple[time, time] | None:
    if start is None or end is None:
        return None
    first, last = parse_hhmm(start), parse_hhmm(end)
    if first is None or last is None:
        raise ValueError(f"not a quiet-hours window: {start!r}-{end!r}")
    if first == last:
        return None
    return time.fromisoformat(first), time.fromisoformat(last)


def _inside(clock: time, start: time, end: time) -> bool:
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def in_quiet_hours(instant: datetime, tz: str, start: str | None, end: str | None) -> bool:
    """True when the local time of ``instant`` in ``tz`` is inside ``[start, end)`` (wrapping midnight when
    start > end). No window (``None``) or an empty one (start == end) is never quiet."""
    window = _window(start, end)
    if window is None:
        return False
    return _inside(_wall(_aware(instant, "instant"), ZoneInfo(tz)).time(), *window)


def after_quiet_hours(instant: datetime, tz: str, start: str | None, end: str | None) -> datetime:
    """``instant`` unchanged when it is not inside the quiet hours, else the end of that window: the next instant the
    local wall clock reaches ``end`` (aware UTC)."""
    window = _window(start, end)
    if window is None:
        return instant
    zone = ZoneInfo(tz)
    wall = _wall(_aware(instant, "instant"), zone)
    if not _inside(wall.time(), *window):
        return instant
    found = instant.astimezone(UTC)
    for _ in range(3):
        day = wall.date() if wall.time() < window[1] else wall.date() + timedelta(days=1)
        found = _reaching(zone, datetime.combine(day, window[1]), found)
        wall = _wall(found, zone)
        if not _inside(wall.time(), *window):
            break
        # a spring-forward change skipped all of the time outside the window (quiet 02:01-02:00): the next day's end
    return found


# -- durations -------------------------------------------------------------------------------------------------------

_DURATION = re.compile(r"(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m(?:in)?)?")
_DURATION_SEPARATORS = re.compile(r"[\s,;]+")
_UNIT_SECONDS: Final[Mapping[str, int]] = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60}


def parse_durations(text: str) -> list[int] | None:
    """Seconds of each duration in "24h 1h", "1d 2h 30m", "2d", "0", "90m", "1h30m" (separated by spaces or commas),
    in the order given; ``None`` when there is none or any one is not a duration."""
    tokens = [t for t in _DURATION_SEPARATORS.split(unicodedata.normalize("NFKC", text).strip().lower()) if t]
    if not tokens:
        return None
    found: list[int] = []
    for token in tokens:
        if token.isdigit() and int(token) == 0:
            found.append(0)
            continue
        match = _DURATION.fullmatch(token)
        if match is None or not any(match.groups()):
            return None
        seconds = sum(int(match[unit]) * size for unit, size in _UNIT_SECONDS.items() if match[unit])
        if seconds > MAX_DURATION:
            return None
        found.append(seconds)
    return found


def duration_parts(seconds: int) -> list[tuple[int, str]]:
    """A duration as (amount, unit) parts, unit one of day/hour/minute/second; days only from 48 hours on, so the
    usual "24h before" reads as such. Raises ``ValueError`` when negative. Rendering it in a group's language is
    :func:`bot.language.localise.format_duration`."""
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    days, rest = divmod(seconds, 86400) if seconds >= 2 * 86400 else (0, seconds)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    amounts = zip((days, hours, minutes, secs), ("day", "hour", "minute", "second"), strict=True)
    parts = [(n, unit) for n, unit in amounts if n]
    return parts or [(0, "minute")]
