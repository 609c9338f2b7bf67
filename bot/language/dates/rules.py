"""Compiled rules per language, numbers and normalisation, Babel and dateparser helpers."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Final

from babel import Locale, UnknownLocaleError
from dateparser.date import DateDataParser

from bot.language.dates import de, en, id, ja, ko, zh
from bot.language.dates.spec import CJK_DIGITS, CJK_NUM, KO_NATIVE, NotADate, Period, Spec
from bot.language.dates.zones import LATIN_PLACES

# -- helpers: languages, Babel, dateparser --------------------------------------------------------------------------


def base_language(lang: str) -> str:
    return (lang or "en").strip().lower().replace("_", "-").split("-", 1)[0] or "en"


@lru_cache(maxsize=32)
def babel_locale(lang: str) -> Locale:
    base = base_language(lang)
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


DATEPARSER_LOCK = threading.Lock()


@lru_cache(maxsize=64)
def date_parser(lang: str, order: str, base: datetime) -> DateDataParser:
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


SPECS: Final[Mapping[str, Spec]] = {
    "en": en.SPEC,
    "id": id.SPEC,
    "de": de.SPEC,
    "ko": ko.SPEC,
    "ja": ja.SPEC,
    "zh": zh.SPEC,
}


@dataclass(frozen=True)
class Rules:
    code: str
    own: bool  # a language with its own rules (not the English fallback)
    spec: Spec
    durations: tuple[re.Pattern[str], ...]
    unit: re.Pattern[str]
    clocks: tuple[re.Pattern[str], ...]
    clock_words: tuple[tuple[re.Pattern[str], int], ...]
    periods: tuple[tuple[re.Pattern[str], Period], ...]
    relative_days: tuple[tuple[re.Pattern[str], int, Period | None], ...]
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
    next_month_days: tuple[re.Pattern[str], ...]
    deadline_words: tuple[re.Pattern[str], ...]
    range_separator: re.Pattern[str]
    places: Mapping[str, str]
    gates: Mapping[str, re.Pattern[str]]  # per step: one pattern that matches where any of the step's does


def _alternation(words: Iterable[object]) -> str:
    return "|".join(re.escape(str(w)) for w in sorted({str(w) for w in words}, key=lambda w: (-len(w), w)))


_INLINE_FLAGS = re.compile(r"\(\?[aiLmsux]+[):]")  # "(?i)" may not stand inside a joined pattern
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _gates(**steps: tuple[str, ...]) -> dict[str, re.Pattern[str]]:
    """One pattern per step that matches where any of its patterns does (their groups unnamed), so that a step
    none of whose patterns can match costs one search instead of one per pattern. A step whose patterns cannot be
    joined (a backreference, inline flags) gets no gate."""
    gates: dict[str, re.Pattern[str]] = {}
    for name, patterns in steps.items():
        if not patterns or any("(?P=" in p or _INLINE_FLAGS.match(p) for p in patterns):
            continue
        try:
            gates[name] = re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', p)})" for p in patterns))
        except re.error:
            continue
    return gates


@lru_cache(maxsize=32)
def rules_for(code: str) -> Rules:
    spec = SPECS.get(code, en.SPEC)
    own = code in SPECS
    weekday_names = dict(spec.weekday_names)
    months = dict(spec.months)
    if spec.word_boundaries:
        babel_months, babel_weekdays = _babel_names(code)
        months = {**en.EN_MONTHS, **babel_months, **months}
        weekday_names = {**en.EN_WEEKDAYS, **babel_weekdays, **weekday_names}

    def fill(pattern: str) -> str:
        return (
            pattern.replace("⟨H⟩", spec.hour)
            .replace("⟨WD⟩", _alternation(weekday_names))
            .replace("⟨MON⟩", _alternation(months))
        )

    digits = r"\d{1,3}[.,]\d(?!\d)|\d{1,4}"  # "1.5 hours", "1,5 Stunden"
    words = _alternation(spec.numbers) if spec.numbers else ""
    if not spec.word_boundaries and code != "ko":
        words = rf"{words}|[{CJK_DIGITS}]{{1,3}}" if words else rf"[{CJK_DIGITS}]{{1,3}}"
    number = rf"{digits}|{words}" if words else digits
    units = _alternation(spec.units)
    end = r"(?![a-zà-ÿ])" if spec.word_boundaries else ""
    # a number word joins a one-letter unit only across a space: "am" is not "a m(inute)", "sejam" is "se jam"
    long_units = _alternation(u for u in spec.units if len(u) > 1)
    if not spec.word_boundaries:  # "三日後", "三天后": no spaces in these languages
        worded = rf"|(?:{words})\s*(?:{units})" if words else ""
    else:
        worded = rf"|(?:{words})(?:\s*(?:{long_units})|\s+(?:{units}))" if words else ""
    pair = rf"(?:(?:{digits})\s*(?:{units}){worded}){end}"
    body = rf"{pair}(?:{spec.duration_sep}{pair})*"
    return Rules(
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
        next_month_days=tuple(re.compile(fill(p)) for p in spec.next_month_days),
        deadline_words=tuple(re.compile(p) for p in spec.deadline_words),
        range_separator=re.compile(rf"\s*(?:{spec.range_separators})\s*"),
        places={**LATIN_PLACES, **{normalise(k): v for k, v in spec.places.items()}},
        gates=_gates(
            ranges=(_RANGE_SEPARATORS.get(code, r"[-–—~]"),),
            weekday_ranges=(spec.range_separators,),
            deadline_words=spec.deadline_words,
            calendar_weeks=spec.calendar_weeks,
            durations=tuple(p.replace("⟨B⟩", body) for p in spec.durations),
            clock_words=tuple(p for p, _ in spec.clock_words),
            clocks=tuple(fill(p) for p in spec.clocks),
            relative_days=tuple(p for p, _, _ in spec.relative_days),
            periods=tuple(p for p, _ in spec.periods),
            week_phrases=tuple(p for p, _, _ in spec.week_phrases),
            ends=tuple(p for p, _ in spec.ends),
            next_month_days=tuple(fill(p) for p in spec.next_month_days),
        ),
    )


_AMPM = r"a\.?\s?m\.?|p\.?\s?m\.?"


_RANGE_SEPARATORS: Final[Mapping[str, str]] = {
    "de": r"[-–—~]|bis", "ja": r"[-–—~〜]|から", "zh": r"[-–—~〜]|到|至", "ko": r"[-–—~〜]",
}  # fmt: skip


def _time_range(code: str) -> re.Pattern[str]:
    """A range of clock times ("13.00-15.00", "9-11 Uhr", "오전 9시~11시", "下午2点到3点"); the end is dropped."""
    hour = CJK_NUM if code in ("ja", "zh") else r"\d{1,2}"
    sep = _RANGE_SEPARATORS.get(code, r"[-–—~]")
    unit = r"uhr|시|時|点|點"
    return re.compile(
        rf"(?<![\d./:-])(?P<pre>(?:(?<![\w'])(?:jam|jm|pukul|pkl|um|at|von|dari|from)\s*)?)"
        rf"(?P<start>(?:{hour})(?:\s*[:.]\s*(?P<sm>\d{{2}}))?(?P<ss>\s*(?:{unit}))?(?:\s*\d{{1,2}}\s*(?:분|分))?"
        rf"(?:\s*(?:반|半))?(?P<sap>\s*(?:{_AMPM})(?![a-z]))?)"
        rf"\s*(?:{sep})\s*(?P<ep>(?:오전|오후|午前|午後|上午|下午)\s*)?(?P<eh>{hour})(?:\s*[:.]\s*(?P<em>\d{{2}}))?"
        rf"(?P<es>\s*(?:{unit})(?:钟|鐘)?)?(?:\s*(?P<em2>\d{{1,2}})\s*(?:분|分))?(?:\s*(?:반|半))?"
        rf"(?P<eap>\s*(?:{_AMPM})(?![a-z]))?"
        rf"(?![\d/]|[.:]\d|\s*(?:월|일|月|日|号|號|年|년))"
    )


@lru_cache(maxsize=32)
def paren_weekdays(code: str) -> Mapping[str, int]:
    """Weekday names that may stand in parentheses after a date: "(Rab)", "(Wed)", "(Mi.)", "(수)", "(水)", "(三)"."""
    names: dict[str, int] = dict(rules_for(code).weekday_names)
    locale = babel_locale(code)
    widths = ("wide", "abbreviated", "short") + (("narrow",) if code in ("ko", "ja", "zh") else ())
    for context in ("format", "stand-alone"):
        for width in widths:
            for number, name in locale.days.get(context, {}).get(width, {}).items():
                key = normalise(str(name)).rstrip(".")
                if key:
                    names.setdefault(key, int(number))
    if code in ("zh", "ja", "ko"):
        for prefix in ("星期", "周", "週", "礼拜", "禮拜") if code == "zh" else ("",):
            for char, number in rules_for(code).weekday_names.items():
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


def number_value(text: str, spec: Spec) -> float:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if len(text) >= 3 and text[-2] in ".," and text[:-2].isdigit() and text[-1].isdigit():
        return float(text.replace(",", "."))
    if text in spec.numbers:
        return spec.numbers[text]
    if text in KO_NATIVE:
        return KO_NATIVE[text]
    value = _cjk_int(text)
    if value is None:
        raise NotADate(text)
    return value


def int_value(text: str | None, spec: Spec) -> int:
    if text is None:
        raise NotADate("missing number")
    value = number_value(text, spec)
    if value != int(value):
        raise NotADate(text)
    return int(value)


_PLAIN = re.compile(r"[\w\s.,:;!?()\[\]{}\"'“”„«»、。・/@~+\-−–—〜～#&%*=（）：，．！？【】「」『』〆々ー]*")
_PUNCTUATION = re.compile(r"[;!?()\[\]{}\"“”„«»、。]|(?<!\d),|,(?!\d)")  # "1,5 Stunden" keeps its comma
_SPACES = re.compile(r"\s+")
_DECORATION = frozenset({"So", "Sk", "Cf"})


def normalise(text: str) -> str:
    for quote in ("’", "‘", "`", "´"):  # before NFKC, which turns "´" into a space and a combining accent
        text = text.replace(quote, "'")
    s = unicodedata.normalize("NFKC", text).lower()
    # emoji (with skin tones), other symbols, variation selectors and zero-width joiners are decoration, not words
    if s.isascii():  # the only decoration in ASCII is "^" (Sk): no need to look at each character
        s = s.replace("^", " ")
    elif _PLAIN.fullmatch(s) is None:  # letters of any script, digits and punctuation need no look either
        s = "".join(" " if unicodedata.category(ch) in _DECORATION or "\ufe00" <= ch <= "\ufe0f" else ch for ch in s)
    s = _PUNCTUATION.sub(" ", s)
    return _SPACES.sub(" ", s).strip()


FILLER_PUNCTUATION = ".:-/'@~"


_DEFAULT_ZONE_PATTERNS = (r"\b(?:in\s+)?(?P<z>⟨Z⟩)\s+time\b",)


@lru_cache(maxsize=256)
def zone_patterns(code: str, extra: tuple[tuple[str, str], ...] = ()) -> tuple[re.Pattern[str], Mapping[str, str]]:
    """One pattern for the zones ``code`` frames by place ("waktu Busan", "Berlin time", "서울 시간"), with the
    places it knows plus ``extra`` (a bridge's own cities: label -> IANA zone), and the place table it reads."""
    rules = rules_for(code)
    places = {**rules.places, **{normalise(k): v for k, v in extra if normalise(k)}}
    frames = rules.spec.zone_patterns or _DEFAULT_ZONE_PATTERNS
    alternation = _alternation(places)
    # one group per frame (z0, z1 …): a pattern may not repeat a group name
    numbered = []
    for index, frame in enumerate(frames):
        numbered.append("(?:" + frame.replace("⟨Z⟩", alternation).replace("(?P<z>", f"(?P<z{index}>") + ")")
    return re.compile("|".join(numbered)), places
