"""The parse: what a text names, read by a language's rules (see the package docstring for the rules)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from bot.language.dates.rules import (
    DATEPARSER_LOCK,
    FILLER_PUNCTUATION,
    Rules,
    date_parser,
    int_value,
    number_value,
    zone_patterns,
)
from bot.language.dates.spec import (
    AM,
    CJK_DIGITS,
    COMING,
    END_MONTH,
    END_NEXT_WEEK,
    END_OF_WORKING_DAY,
    END_WEEK,
    MAX_YEARS_AWAY,
    NEXT,
    PM,
    RECENT_PAST_DAYS,
    REFUSE,
    THIS_WEEK,
    WEEK,
    WEEK_AFTER,
    WORKING_WEEK,
    NotADate,
    Period,
    Reading,
    checked_date,
    first_of_month,
    last_of_month,
    month_day,
)
from bot.language.dates.zones import ABBREVIATIONS, fixed_zone_key

# -- the parse ------------------------------------------------------------------------------------------------------


# hours east of UTC: each abbreviation names one fixed offset, summer time or not
_DAY_FIRST = re.compile(r"\d(?:st|nd|rd|th|\.)?\s+(?:of\s+)?\S+\s*$")  # "11th December ", "20. Nov. "
_NUMBERED = re.compile(rf"[\d{CJK_DIGITS}]")
_NONE: Final[list[re.Match[str]]] = []  # what _take answers when nothing matches (never changed)
_OFFSET_RE = re.compile(r"(?<![a-z])(?:utc|gmt)\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?::?(?P<m>[1-5]\d|0[1-9]))?(?!\d)")
_ZONE_RE = re.compile(rf"(?<![a-z])(?P<z>{'|'.join(sorted(ABBREVIATIONS, key=len, reverse=True))})(?![a-z])")
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
PAREN = re.compile(r"[(（]\s*([^()（）]{1,12}?)\s*[)）]")


@dataclass
class Parse:
    s: str
    rules: Rules
    zone: tzinfo
    now: datetime
    clock: tuple[int, int] | None = None  # (hour, minute) as written, 24 means midnight
    clock_minutes: int | None = None  # from a clock word (noon, midnight), minutes after midnight
    periods: list[Period] = field(default_factory=list)
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
    workdays: frozenset[int] = WORKING_WEEK
    off_days: Callable[[date], bool] | None = None  # public holidays and days off of the group's calendar
    places: tuple[tuple[str, str], ...] = ()  # extra place names (a bridge's cities) for zones named by place
    zone_key: str | None = None  # the zone the text named
    zone_label: str | None = None
    week_end: int | None = None  # 0: the end of this (working) week, 1: of next week
    next_month_day: int | None = None  # "the 5th of next month"
    range_end: int | None = None  # the weekday a range of weekdays ends on ("Mon-Wed")
    dated: bool = False  # a day was named (not only a time or a duration)

    # -- driver

    def run(self) -> Reading | None:
        self._deadline_words()
        self._zone_designator()
        # the steps whose patterns all need a number (a digit or a CJK numeral) are skipped without one
        numbered = _NUMBERED.search(self.s) is not None
        if numbered:
            self._calendar_weeks()
        self._durations()
        if numbered:
            self._numeric_dates_with_year()
            self._dated_day_month()  # "am 17.10 bis 10 Uhr": a date after "am", not a range from 17:10
            self._ranges()
        self._ends()
        if numbered:
            self._next_month_days()
        self._clock_words()
        self._clocks()
        if numbered:
            self._dates_without_year()
            self._bare_clock()
        self._relative_days()
        self._periods()
        self._week_phrases()
        self._weekday_ranges()
        self._weekdays()
        rest = self.rest()
        if rest is not None:
            if self.date_count or self.has_duration or self.week_mode or self.weekday is not None:
                return None
            parsed = self._dateparser(rest)
            if parsed is None:
                return None
            self._set_date(absolute=parsed)
        tod = self.time_of_day()
        when = self._combine(tod)
        if when is None:
            return None
        other, kind = self._other(when, tod)
        day = self._named_day(when)
        return Reading(
            when,
            other,
            kind if other is not None else None,
            zone=self.zone_key,
            zone_label=self.zone_label,
            off_day=day is not None and not self._working(day),
        )

    def _named_day(self, when: datetime) -> date | None:
        """The local day a date form named (None for a time alone or a duration of minutes and hours)."""
        if self.has_duration and not self.days:
            return None
        if not (self.date_count or self.weekday is not None or self.has_duration):
            return None
        if (self.clock is not None and self.clock[0] == 24) or self.clock_minutes == 24 * 60:
            return (when.astimezone(self.zone) - timedelta(minutes=1)).date()
        return when.astimezone(self.zone).date()

    def _other(self, when: datetime, tod: int | None) -> tuple[datetime | None, str | None]:
        """The other plausible reading and its kind; a date ambiguity wins over an hour ambiguity."""
        candidates: list[tuple[datetime | None, str]] = []
        if self.alt_month_day is not None:
            saved, self.month_day = self.month_day, self.alt_month_day
            try:
                candidates.append((self._combine(tod), "day_month"))
            except NotADate:
                pass
            finally:
                self.month_day = saved
        today = self._today()
        if (
            self.next_word in self.rules.spec.ambiguous_next
            and self.weekday_mode == NEXT
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
        if self.range_end is not None:
            start = self._combine(tod)
            if start is not None:
                start_day = start.astimezone(self.zone).date()
                end_day = start_day + timedelta(days=(self.range_end - start_day.weekday()) % 7 or 7)
                candidates.append((self._at(end_day, END_OF_WORKING_DAY if tod is None else tod), "range"))
        if self.alt_tod is not None:
            candidates.append((self._combine(self.alt_tod), "hour"))
        for other, kind in candidates:
            if other is not None and other != when and abs(other.year - self.now.year) <= MAX_YEARS_AWAY:
                return other, kind
        return None, None

    # -- extraction

    def _may(self, step: str) -> bool:
        """Whether any pattern of ``step`` can match (False only when its gate finds nothing)."""
        gate = self.rules.gates.get(step)
        return gate is None or gate.search(self.s) is not None

    def _take_clocks(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """Like :meth:`_take`, but an hour right after a month name is that month's day ("November 9 afternoon"),
        left for the dates (languages that write month names)."""
        if not self.rules.months:
            return self._take(pattern)
        found: list[re.Match[str]] = []
        position = 0
        while (match := pattern.search(self.s, position)) is not None and match.group(0).strip():
            before = self.s[: match.start()]
            words = before.split()
            bare_number = "h" in match.re.groupindex and match.start("h") == match.start()
            month_first = bool(words) and words[-1].rstrip(".") in self.rules.months and not _DAY_FIRST.search(before)
            if bare_number and month_first and not match.groupdict().get("ap"):
                position = match.end()
                continue
            found.append(match)
            self.s = f"{self.s[: match.start()]} {self.s[match.end() :]}"
            position = 0
        return found

    def _take(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        """All matches of ``pattern``, each removed from the text (replaced by a space)."""
        match = pattern.search(self.s)
        if match is None:
            return _NONE
        found: list[re.Match[str]] = []
        while True:
            match = pattern.search(self.s)
            if match is None or not match.group(0).strip():
                return found
            found.append(match)
            self.s = f"{self.s[: match.start()]} {self.s[match.end() :]}"

    def _deadline_words(self) -> None:
        if not self._may("deadline_words"):
            return
        for pattern in self.rules.deadline_words:
            self._take(pattern)

    def _zone_designator(self) -> None:
        """A zone named by abbreviation or offset (a fixed offset) or by place (its IANA zone); two names refuse
        unless they agree on the offset now ("首尔时间（UTC+9）")."""
        found: dict[str, str] = {}
        hint = self.rules.spec.zone_hint
        pattern, places = zone_patterns(self.rules.code, self.places)
        for match in self._take(pattern) if not hint or hint.search(self.s) else _NONE:
            written = next((v for name, v in match.groupdict().items() if name.startswith("z") and v), "")
            if written.strip() in places:
                found.setdefault(places[written.strip()], written.strip())
        if "utc" in self.s or "gmt" in self.s:  # an offset written out, before the abbreviations it starts with
            for match in self._take(_OFFSET_RE):
                hours = int(match["h"]) * (-1 if match["sign"] in "-−" else 1)
                if match["m"] or not -12 <= hours <= 14:
                    raise NotADate("an offset we do not name")
                found.setdefault(fixed_zone_key(hours), match.group(0).strip())
        for match in self._take(_ZONE_RE):
            written = match.group("z")
            found.setdefault(fixed_zone_key(ABBREVIATIONS[written]), written)
        if not found:
            return
        offsets = {self.now.astimezone(ZoneInfo(key)).utcoffset() for key in found}
        if len(offsets) > 1:
            raise NotADate("two zones")
        key, written = next(iter(found.items()))
        self.zone = ZoneInfo(key)
        self.zone_key, self.zone_label = key, written

    def _calendar_weeks(self) -> None:
        if not self._may("calendar_weeks"):
            return
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
                    raise NotADate("no such week")

    def _ranges(self) -> None:
        """A range of times is its start: the end is dropped, lending the start its unit ("9-11 Uhr" is "9 Uhr")."""
        if not self._may("ranges"):
            return
        for match in self.rules.time_range.finditer(self.s):
            has_unit = match["ss"] or match["es"]
            if match["pre"] or has_unit or match["sm"] or match["em"] or match["sap"] or match["eap"] or match["ep"]:
                break  # "8-10" alone is no time range, nor "一至三" (days) before "十点至十一点"
        else:
            return
        if match["eap"] and not match["sap"]:
            raise NotADate("does the am/pm of the end cover the start?")
        end_hour = int_value(match["eh"], self.rules.spec)
        end_minute = int(match["em"] or match["em2"] or 0)
        if end_hour > 24 or end_minute > 59:
            raise NotADate("no such end")
        if end_hour >= 13 or match["em"] or match["em2"]:
            self.range_24h = True
        unit = match["es"] if match["es"] and not match["ss"] else ""
        self.s = f"{self.s[: match.start()]} {match['pre']}{match['start']}{unit} {self.s[match.end() :]}"

    def _ends(self) -> None:
        if not self._may("ends"):
            return
        for pattern, kind in self.rules.ends:
            for _ in self._take(pattern):
                if kind == REFUSE:
                    raise NotADate("a weekend is not a deadline")
                if kind in (END_WEEK, END_NEXT_WEEK):
                    self._set_date(week_end=0 if kind == END_WEEK else 1)
                else:
                    self._set_date(month_end=0 if kind == END_MONTH else 1)

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
            self._set_date(month_day=month_day(month, day))
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
        if not self._may("durations"):
            return
        matches = [m for pattern in self.rules.durations for m in self._take(pattern)]
        if not matches:
            return
        if len(matches) > 1:
            raise NotADate("two durations")
        spec = self.rules.spec
        minutes = 0.0
        for pair in self.rules.unit.finditer(matches[0].group("body")):
            amount = number_value(pair.group("n"), spec)
            if amount > 100_000:
                raise NotADate("too far")
            kind = spec.units[pair.group("u")]
            if "+" in kind:  # a unit with a half: "2 hours and a half", "2時間半" are "h+0.5"
                kind, _, more = kind.partition("+")
                amount += float(more)
            if kind in ("d", "w"):
                days = amount * (7 if kind == "w" else 1)
                if days != int(days):
                    raise NotADate("fractional days")
                self.days += int(days)
            else:
                minutes += amount * (60 if kind == "h" else 1)
        self.exact = timedelta(minutes=minutes) if minutes else None
        self.has_duration = True

    def _numeric_dates_with_year(self) -> None:
        for match in self._take(_ISO_DATE) + self._take(_YMD_DATE):
            self._set_date(absolute=checked_date(int(match["y"]), int(match["mo"]), int(match["d"])))
        for match in self._take(_NUMERIC_DATE):
            if self.rules.spec.month_first and len(match["y"]) == 2:  # "26.03.30" is 2026-03-30 in ko, ja, zh
                self._set_date(absolute=checked_date(2000 + int(match["a"]), int(match["b"]), int(match["y"])))
                continue
            day, month = self._day_month(int(match["a"]), int(match["b"]))
            year = int(match["y"])
            self._set_date(absolute=checked_date(year + 2000 if year < 100 else year, month, day))
        for pattern in self.rules.cjk_dates:
            for match in self._take(pattern):
                day, month = int_value(match["d"], self.rules.spec), int_value(match["mo"], self.rules.spec)
                self._set_dated(match, month, day)

    def _set_dated(self, match: re.Match[str], month: int, day: int) -> None:
        """A day and month with the year the match wrote, if any: "2026年", or an era's ("令和8年": the era's year 1
        is eras[era] + 1; "元年" is its first year)."""
        era = match.groupdict().get("era")
        if era:
            year = self.rules.spec.eras[era] + (1 if match["ey"] == "元" else int(match["ey"]))
            self._set_date(absolute=checked_date(year, month, day))
        elif match["y"]:
            self._set_date(absolute=checked_date(int(match["y"]), month, day))
        else:
            self._set_date(month_day=month_day(month, day))

    def _day_month(self, a: int, b: int) -> tuple[int, int]:
        spec = self.rules.spec
        day, month = (b, a) if spec.month_first else (a, b)
        if month > 12 and day <= 12 and spec.swap_if_unambiguous:
            day, month = month, day
        return day, month

    def _clock_words(self) -> None:
        if not self._may("clock_words"):
            return
        for pattern, minutes in self.rules.clock_words:
            for _ in self._take(pattern):
                self._set_clock(minutes=minutes)

    def _clocks(self) -> None:
        if not self._may("clocks"):
            return
        spec = self.rules.spec
        for pattern in self.rules.clocks:
            for match in self._take_clocks(pattern):
                groups = match.groupdict()
                written_hour = groups.get("h")
                hour = int_value(written_hour, spec)
                written_minute = groups.get("m") or groups.get("m2")
                minute = 0 if written_minute is None else int_value(written_minute, spec)
                if groups.get("half"):
                    minute = 30
                if groups.get("qafter"):
                    minute = 15
                shift = 0
                if groups.get("prehalf") or groups.get("qbefore"):  # "halb 3" is 2:30, "Viertel vor 3" is 2:45
                    if minute or not 1 <= hour <= 24:
                        raise NotADate("half past what?")
                    shift = -30 if groups.get("prehalf") else -15
                ampm = groups.get("ap")
                if ampm:
                    if hour > 12 or hour == 0:
                        raise NotADate("13pm")
                    self.periods.append(AM if ampm.startswith("a") else PM)
                self._set_clock(hour=hour, minute=minute)
                self.clock_shift = shift
                leading_zero = written_hour is not None and len(written_hour) == 2 and written_hour.startswith("0")
                minutes_bare = written_minute is None or spec.minutes_bare
                self.clock_bare = not ampm and minutes_bare and not leading_zero

    def _dates_without_year(self) -> None:
        spec = self.rules.spec
        if spec.dotted_day_month:
            self._take_day_month(_DOTTED_DAY_MONTH)
        for match in self._take(_SLASH_DATE):
            day, month = self._day_month(int(match["a"]), int(match["b"]))
            self._set_date(month_day=month_day(month, day))
            self._offer_swap(month, day)
        for pattern in self.rules.month_dates:
            for match in self._take(pattern):
                month = self.rules.months[match["mon"].rstrip(".")]
                day = int(match["d"])
                self._set_dated(match, month, day)
        for pattern in self.rules.day_of_month:
            for match in self._take(pattern):
                day = int_value(match["d"], spec)
                if not 1 <= day <= 31:
                    raise NotADate("day of month")
                self._set_date(day_of_month=day)

    def _bare_clock(self) -> None:
        if not self.rules.spec.dotted_clock and (match := _BARE_CLOCK.search(self.s)) and "." in match.group(0):
            raise NotADate("a dotted pair: a date or a time?")
        for match in self._take(_BARE_CLOCK):
            self._set_clock(hour=int(match["h"]), minute=int(match["m"]))
            self.clock_bare = self.rules.spec.minutes_bare and not match["h"].startswith("0")

    def _relative_days(self) -> None:
        if not self._may("relative_days"):
            return
        for pattern, offset, period in self.rules.relative_days:
            for _ in self._take(pattern):
                self._set_date(day_offset=offset)
                if period is not None:
                    self.periods.append(period)

    def _periods(self) -> None:
        if not self._may("periods"):
            return
        for pattern, period in self.rules.periods:
            self.periods.extend(period for _ in self._take(pattern))

    def _week_phrases(self) -> None:
        if not self._may("week_phrases"):
            return
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
                mode = self.rules.spec.next_modes.get(following, NEXT)
                self.next_word = following
            if mode in (WEEK, THIS_WEEK, WEEK_AFTER):
                self._set_week(mode)
                mode = ""
            self._set_weekday(self.rules.weekday_names[name], mode)

    def read_time_only(self) -> None:
        """Only the parts of a time of day (for :func:`clock_minutes`)."""
        self._clock_words()
        self._clocks()
        self._bare_clock()
        self._periods()

    def rest(self) -> str | None:
        """What is left that is not filler, or None when nothing is."""
        meaningful = [
            token
            for token in self.s.split()
            if token.strip(FILLER_PUNCTUATION) and token.strip(FILLER_PUNCTUATION) not in self.rules.fillers
        ]
        return self.s.strip() if meaningful else None

    # -- setters with conflict checks

    def _working(self, day: date) -> bool:
        """A day of the group's working week that is no holiday or day off of its calendar."""
        return day.weekday() in self.workdays and not (self.off_days is not None and self.off_days(day))

    def _last_working(self, first: date, last: date) -> date:
        """The last working day from ``first`` to ``last`` (``last`` when none is)."""
        day = last
        while not self._working(day) and day > first:
            day -= timedelta(days=1)
        return day if self._working(day) else last

    def _next_month_days(self) -> None:
        if not self._may("next_month_days"):
            return
        for pattern in self.rules.next_month_days:
            for match in self._take(pattern):
                day = int_value(match["d"], self.rules.spec)
                if not 1 <= day <= 31:
                    raise NotADate("day of month")
                self._set_date(next_month_day=day)

    def _weekday_ranges(self) -> None:
        """Two weekdays joined by a range separator ("Mon-Wed", "月〜水", "周二到周四"): the start is read, the end
        kept for the other reading."""
        if not self._may("weekday_ranges"):
            return
        for first in self.rules.weekday.finditer(self.s):
            separator = self.rules.range_separator.match(self.s, first.end())
            if separator is None or separator.end() == first.end():
                continue
            second = self.rules.weekday.match(self.s, separator.end())
            if second is None or second.groupdict().get("next"):
                continue
            self.range_end = self.rules.weekday_names[second["wd"].rstrip(".")]
            self.s = f"{self.s[: first.end()]} {self.s[second.end() :]}"
            return

    def _set_clock(self, *, hour: int | None = None, minute: int = 0, minutes: int | None = None) -> None:
        if self.clock is not None or self.clock_minutes is not None:
            raise NotADate("two times")
        if minutes is not None:
            self.clock_minutes = minutes
            return
        assert hour is not None
        if not (0 <= hour <= 23 and 0 <= minute <= 59) and (hour, minute) != (24, 0):
            raise NotADate("no such time")
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
        week_end: int | None = None,
        next_month_day: int | None = None,
    ) -> None:
        self.date_count += 1
        if self.date_count > 1:
            raise NotADate("two dates")
        self.absolute, self.month_day, self.day_of_month, self.day_offset = (
            absolute,
            month_day,
            day_of_month,
            day_offset,
        )
        self.month_end, self.week_monday = month_end, week_monday
        self.week_end, self.next_month_day = week_end, next_month_day

    def _set_week(self, mode: str) -> None:
        if self.week_mode and self.week_mode != mode:
            raise NotADate("two weeks")
        self.week_mode = mode

    def _set_weekday(self, weekday: int, mode: str) -> None:
        if self.weekday is not None:
            raise NotADate("two weekdays")
        self.weekday, self.weekday_mode = weekday, mode

    # -- dateparser fallback

    def _dateparser(self, rest: str) -> date | None:
        """The date dateparser reads in ``rest``, when ``rest`` looks like a date at all."""
        tokens = rest.split()
        has_month = any(token.strip(FILLER_PUNCTUATION) in self.rules.months for token in tokens)
        has_digit = any(ch.isdigit() for ch in rest)
        if not has_month and (has_digit or self.rules.own):
            return None
        base = datetime.combine(self._today(), time())
        parser = date_parser(self.rules.code, self.rules.spec.dp_order, base)
        with DATEPARSER_LOCK:
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

    def time_of_day(self) -> int | None:
        """Minutes after local midnight (up to 24:59 for "midnight" forms), or None when no time was given."""
        if self.clock_minutes is not None:
            if self.periods:
                raise NotADate("noon in the evening")
            return self.clock_minutes
        if self.clock is None:
            if len(self.periods) > 1:
                raise NotADate("two periods")
            return self.periods[0].default if self.periods else None
        hour, minute = self.clock
        for index, period in enumerate(self.periods):
            converted = period.rule(hour)
            if converted is None or (index > 0 and converted != hour):
                raise NotADate("hour does not fit its period")
            hour = converted
        bare = self.working_hours and self.clock_bare and not self.periods and not self.range_24h
        if bare and (1 <= hour <= 11 or (hour == 12 and self.clock_shift)):
            # the working-hours rule on the time meant: "halb sieben" (6:30) is 18:30, "halb zwölf" 11:30 or 23:30
            meant = hour * 60 + minute + self.clock_shift
            if meant < 60:  # "halb eins": 12:30, or 00:30
                self.alt_tod = meant
                return meant + 12 * 60
            self.alt_tod = meant + 12 * 60 if meant >= 7 * 60 else meant
            return meant + 12 * 60 if meant < 7 * 60 else meant
        if hour == 24 and minute and not self.periods:
            raise NotADate("24:30")
        total = hour * 60 + minute + self.clock_shift
        if total < 0:
            raise NotADate("before midnight")
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
                raise NotADate("which week?")
            return self.week_monday + timedelta(days=self.weekday or 0)
        if self.month_end is not None:
            last = self._last_working(first_of_month(today, self.month_end), last_of_month(today, self.month_end))
            if self.month_end == 0 and self._at(last, END_OF_WORKING_DAY if tod is None else tod) <= self.now:
                last = self._last_working(first_of_month(today, 1), last_of_month(today, 1))
            return last
        if self.week_end is not None:
            if self.weekday is not None or self.week_mode:
                raise NotADate("which end of which week?")
            # the working week starts on its first day after the days off: Monday, or Sunday for Sunday–Thursday
            starts = [d for d in sorted(self.workdays) if (d - 1) % 7 not in self.workdays] or [0]
            first = today - timedelta(days=(today.weekday() - starts[0]) % 7) + timedelta(days=7 * self.week_end)
            last = self._last_working(first, first + timedelta(days=6))
            if self.week_end == 0 and self._at(last, END_OF_WORKING_DAY if tod is None else tod) <= self.now:
                last = self._last_working(first + timedelta(days=7), first + timedelta(days=13))
            return last
        if self.next_month_day is not None:
            first = first_of_month(today, 1)
            return checked_date(first.year, first.month, self.next_month_day)
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
            raise NotADate("no such day")
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
            raise NotADate("no such day")
        return None

    def _weekday_day(self, today: date, tod: int | None) -> date | None:
        if self.week_monday is not None:
            return None  # the weekday of a calendar week is read by _explicit_day
        if self.weekday is None:
            if self.week_mode:
                raise NotADate("which day of that week?")
            return None
        monday = today - timedelta(days=today.weekday())
        if self.week_mode == WEEK:
            return monday + timedelta(days=7 + self.weekday)
        if self.week_mode == WEEK_AFTER:
            return monday + timedelta(days=14 + self.weekday)
        if self.week_mode == THIS_WEEK:
            return monday + timedelta(days=self.weekday)
        ahead = (self.weekday - today.weekday()) % 7
        if self.weekday_mode in (NEXT, COMING):
            return today + timedelta(days=ahead or 7)
        candidate = today + timedelta(days=ahead)
        if ahead == 0 and self._at(candidate, END_OF_WORKING_DAY if tod is None else tod) <= self.now:
            candidate += timedelta(days=7)
        return candidate
