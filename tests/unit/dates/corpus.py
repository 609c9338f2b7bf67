"""A generated corpus of date phrases with answers computed by an independent reference.

A phrase is composed from *meanings* — a day (:class:`Day`), a time of day (:class:`Time`), a zone, a leading or
trailing deadline word — each rendered by a language's grammar (:class:`Grammar`, one module per language in this
folder) in the forms people write. The expected instant is computed from the meanings here, by a few lines of
calendar arithmetic per form (:func:`expect`), never by the reader under test. The suite then reads every phrase at
several "now"s and counts right, refused and wrong, per language and per form.

The rules the reference encodes are the documented ones (``bot/language/dates/__init__.py``): a date alone is 17:00;
a bare hour 1–6 is 13–18 and 7–11 as said, the other reading offered; "next Friday" while Friday is still ahead this
week offers the Friday after; a deadline at the end of a week or a month is that period's last working day.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from bot.language.dates import Reading, read_date

EOD = 17 * 60
RECENT_PAST_DAYS = 62
WEEKEND = frozenset({5, 6})


# -- meanings ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """What day a phrase names.

    kinds and their arguments:
      ``none`` (a time alone) · ``offset`` (k: 0 today, 1 tomorrow, 2 the day after, -1 yesterday) ·
      ``weekday`` (w: 0 Monday … 6 Sunday, its next occurrence) · ``next_weekday`` (w: "next Friday", may mean the
      week after) · ``coming_weekday`` (w: "this coming Friday", never the week after) ·
      ``week_weekday`` (w, k: weekday w of the week k ahead — 0 this week, 1 next week, 2 the week after) ·
      ``month_day`` (m, d: "30 March") · ``numeric`` (m, d: "30/3", "3/30", "30.3." — the grammar writes each
      language's order; only unambiguous pairs are generated) · ``day_of_month`` (d: "the 5th") ·
      ``next_month_day`` (d: "the 5th of next month") · ``iso`` (y, m, d) · ``in_days`` (n) · ``in_weeks`` (n) ·
      ``in_minutes`` (n, exact time, no time of day) · ``end_week`` · ``end_next_week`` · ``end_month`` ·
      ``end_next_month`` · ``weekday_range`` (w1, w2, k: "Mon–Wed", k as in week_weekday or -1 for plain).
    """

    kind: str
    args: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind}{self.args if self.args else ''}"


@dataclass(frozen=True)
class Time:
    """What time of day a phrase names: ``none``; ``exact`` (minutes after midnight, one reading: "15:00", "3pm",
    "jam 3 sore"); ``bare`` (an hour without period, minutes or leading zero: the working-hours rule, minutes
    allowed for halves: "jam 4", "3시 반"); ``midnight`` (the end of the day named)."""

    kind: str
    minutes: int = 0

    def __str__(self) -> str:
        return (
            self.kind
            if self.kind in ("none", "midnight")
            else f"{self.kind}({self.minutes // 60:02}:{self.minutes % 60:02})"
        )


@dataclass(frozen=True)
class Zone:
    """A zone named in the phrase: an IANA name, or a fixed offset in hours (WIB, KST, CET …)."""

    iana: str | None = None
    hours: float | None = None

    def tz(self) -> tzinfo:
        if self.iana is not None:
            return ZoneInfo(self.iana)
        assert self.hours is not None
        return UTC if self.hours == 0 else timezone(timedelta(hours=self.hours))


@dataclass(frozen=True)
class Expected:
    when: frozenset[datetime]  # UTC instants counted as right for the reading taken
    other: datetime | None = None  # the other reading that must be offered (None: none must be, or any is fine)
    other_free: bool = False  # True: an other reading may or may not be offered


# -- the reference ----------------------------------------------------------------------------------------------


def _at(day: date, minutes: int, zone: tzinfo) -> datetime:
    local = datetime.combine(day, time()) + timedelta(minutes=minutes)
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def last_working_day(first: date, last: date, weekend: frozenset[int]) -> date:
    day = last
    while day.weekday() in weekend and day > first:
        day -= timedelta(days=1)
    return day


def _month_last(year: int, month: int) -> date:
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, 1) - timedelta(days=1)


def _add_months(day: date, months: int) -> tuple[int, int]:
    total = day.year * 12 + day.month - 1 + months
    return total // 12, total % 12 + 1


def _bare(minutes: int) -> tuple[int, int | None]:
    """The working-hours rule: (the reading taken, the other reading) in minutes after midnight."""
    hour, minute = divmod(minutes, 60)
    if 1 <= hour <= 6:
        return (hour + 12) * 60 + minute, minutes
    if 7 <= hour <= 11:
        return minutes, (hour + 12) * 60 + minute
    return minutes, None


def expect(day: Day, tod: Time, zone: tzinfo, now: datetime, weekend: frozenset[int] = WEEKEND) -> Expected | None:
    """What the reader must answer for ``day`` at ``tod`` said at ``now`` in ``zone``; None: it must refuse."""
    local_now = now.astimezone(zone)
    today = local_now.date()
    monday = today - timedelta(days=today.weekday())
    minutes: int | None
    other_minutes: int | None = None
    midnight = tod.kind == "midnight"
    if tod.kind == "none":
        minutes = None
    elif tod.kind == "exact":
        minutes = tod.minutes
    elif tod.kind == "bare":
        minutes, other_minutes = _bare(tod.minutes)
    else:
        minutes = 0
    kind, args = day.kind, day.args

    def on(d: date, m: int | None) -> datetime:
        if midnight:
            return _at(d + timedelta(days=1), 0, zone)
        return _at(d, EOD if m is None else m, zone)

    def plain_weekday(w: int, m: int | None) -> date:
        ahead = (w - today.weekday()) % 7
        candidate = today + timedelta(days=ahead)
        if ahead == 0 and on(candidate, m) <= now:
            candidate += timedelta(days=7)
        return candidate

    def single(m: int | None) -> datetime | None:
        if kind == "none":
            if m is None and not midnight:
                return None
            first = on(today, m)
            return first if first > now else on(today + timedelta(days=1), m)
        if kind == "offset":
            return on(today + timedelta(days=args[0]), m)
        if kind == "weekday":
            return on(plain_weekday(args[0], m), m)
        if kind in ("next_weekday", "coming_weekday"):
            ahead = (args[0] - today.weekday()) % 7 or 7
            return on(today + timedelta(days=ahead), m)
        if kind == "week_weekday":
            w, k = args
            return on(monday + timedelta(days=7 * k + w), m)
        if kind in ("month_day", "numeric", "numeric_both"):
            month, dom = args
            earliest = today - timedelta(days=RECENT_PAST_DAYS)
            for year in range(today.year - 1, today.year + 9):
                try:
                    candidate = date(year, month, dom)
                except ValueError:
                    continue
                if candidate >= earliest:
                    return on(candidate, m)
            return None
        if kind == "day_of_month":
            (dom,) = args
            year, month = today.year, today.month
            for _ in range(13):
                try:
                    found: date | None = date(year, month, dom)
                except ValueError:
                    found = None
                if found is not None and found >= today:
                    return on(found, m)
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            return None
        if kind == "next_month_day":
            year, month = _add_months(today, 1)
            try:
                return on(date(year, month, args[0]), m)
            except ValueError:
                return None
        if kind == "iso":
            return on(date(*args), m)
        if kind in ("end_week", "end_next_week"):
            start = monday + timedelta(days=7 if kind == "end_next_week" else 0)
            deadline = on(last_working_day(start, start + timedelta(days=6), weekend), m)
            if kind == "end_week" and deadline <= now:
                start += timedelta(days=7)
                deadline = on(last_working_day(start, start + timedelta(days=6), weekend), m)
            return deadline
        if kind in ("end_month", "end_next_month"):
            ahead = 1 if kind == "end_next_month" else 0
            year, month = _add_months(today, ahead)
            deadline = on(last_working_day(date(year, month, 1), _month_last(year, month), weekend), m)
            if kind == "end_month" and deadline <= now:
                year, month = _add_months(today, 1)
                deadline = on(last_working_day(date(year, month, 1), _month_last(year, month), weekend), m)
            return deadline
        if kind == "weekday_range":
            w1, _w2, k = args
            start_day = plain_weekday(w1, m) if k < 0 else monday + timedelta(days=7 * k + w1)
            return on(start_day, m)
        raise AssertionError(kind)

    if kind in ("in_days", "in_weeks"):
        days = args[0] * (7 if kind == "in_weeks" else 1)
        target = today + timedelta(days=days)
        if minutes is None and not midnight:
            same = (local_now.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=zone, fold=0)
            return Expected(frozenset({same.astimezone(UTC), _at(target, EOD, zone)}), other_free=True)
        if other_minutes is not None:
            return Expected(frozenset({on(target, minutes)}), on(target, other_minutes))
        return Expected(frozenset({on(target, minutes)}))
    if kind == "in_minutes":
        if tod.kind != "none":
            return None
        return Expected(frozenset({now.astimezone(UTC) + timedelta(minutes=args[0])}))
    when = single(minutes)
    if when is None:
        return None
    # the other reading: a day ambiguity wins over an hour ambiguity
    if kind == "next_weekday" and args[0] > today.weekday():
        named = today + timedelta(days=(args[0] - today.weekday()) % 7)
        return Expected(frozenset({when}), on(named + timedelta(days=7), minutes))
    if kind == "weekday_range":
        return Expected(frozenset({when}), other_free=True)
    if kind == "numeric_both":  # "4/5": the language's order is read, the swapped date offered
        swapped = expect(Day("month_day", (args[1], args[0])), tod, zone, now, weekend)
        return Expected(frozenset({when}), min(swapped.when) if swapped is not None else None)
    if other_minutes is not None:
        other = single(other_minutes)
        if other is not None and other != when:
            return Expected(frozenset({when}), other)
    return Expected(frozenset({when}))


# -- grammars ---------------------------------------------------------------------------------------------------


@dataclass
class Grammar:
    """How one language writes each meaning. Every method answers the surface variants ([] = no such form).

    ``join`` puts the parts of a phrase together (a space; for ja/zh/ko sometimes none), ``orders`` the
    permutations of (day, time) the language uses, ``leads`` and ``trails`` the deadline words written before or
    after a whole phrase, ``zones`` the zone names with their meaning, ``zone_place`` where a zone name goes.
    """

    code: str
    zone: str  # the group's zone
    leads: Sequence[str] = ()
    trails: Sequence[str] = ()
    zones: Sequence[tuple[str, Zone]] = ()
    vague: Sequence[str] = ()  # phrases that must be refused
    fused: Sequence[tuple[str, Day, Time]] = ()  # a day and a time in one word: "tonight", "今夜", "明早"
    parts: Sequence[tuple[str, int]] = ()  # period words alone with their documented default: ("pagi", 540)
    titles: Sequence[str] = ()  # /action titles
    owners: Sequence[tuple[str, tuple[str, ...]]] = ()  # /action owner forms and the owners they name
    action_leads: Sequence[str] = ()  # deadline words before a due phrase inside /action ("by", "tenggat")
    action_trails: Sequence[str] = ()  # after it ("까지", "までに", "之前")
    spaced: bool = True  # words separated by spaces
    month_first: bool = False  # a numeric date is month/day ("4/5" is 5 April in ko, ja, zh)

    def day(self, day: Day) -> list[str]:
        return []

    def day_forms(self, day: Day) -> list[str]:
        """The language's forms of ``day``; a date that reads both ways ("4/5") is written in its order."""
        if day.kind == "none":
            return [""]
        if day.kind == "numeric_both":
            month, dom = day.args
            return [f"{month}/{dom}"] if self.month_first else [f"{dom}/{month}"]
        return self.day(day)

    def time(self, tod: Time) -> list[str]:
        return []

    def with_zone(self, phrase: str, zone_name: str, rng: random.Random) -> str:
        """``phrase`` with a zone name: after it by default ("Monday 9am Berlin time")."""
        return f"{phrase} {zone_name}"

    def order(self, day: str, tod: str, rng: random.Random) -> str:
        """Day and time in one of the language's orders (day first by default)."""
        if not day:
            return tod
        if not tod:
            return day
        sep = " " if self.spaced or rng.random() < 0.5 else ""
        return f"{day}{sep}{tod}"


# -- composing --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    text: str
    form: str  # the kind of day, time and extras: what the report groups by
    day: Day
    tod: Time
    zone: Zone | None
    now: datetime


# Six "now"s in the group's zone: a Monday morning, a Friday evening before the EU clocks go back, the last days
# of a month and of a year (ISO week 53 of 2026), the Friday before the EU spring change, a Saturday of the autumn one.
NOWS_LOCAL = (
    "2026-11-16 08:30",
    "2026-10-23 18:40",
    "2026-08-31 16:00",
    "2026-12-30 15:00",
    "2027-03-26 17:30",
    "2026-10-24 10:00",
)

FULL_WIDTH = str.maketrans("0123456789:", "０１２３４５６７８９：")


def _days(rng: random.Random) -> Day:
    kind = rng.choice(
        (
            "none", "offset", "offset", "weekday", "weekday", "next_weekday", "coming_weekday", "week_weekday",
            "week_weekday", "month_day", "month_day", "numeric", "day_of_month", "next_month_day", "iso", "in_days",
            "in_weeks", "in_minutes", "end_week", "end_next_week", "end_month", "end_next_month", "weekday_range",
            "yesterday", "numeric_both",
        )
    )  # fmt: skip
    if kind == "offset":
        return Day("offset", (rng.choice((0, 1, 1, 2)),))
    if kind == "yesterday":
        return Day("offset", (-1,))
    if kind in ("weekday", "next_weekday", "coming_weekday"):
        return Day(kind, (rng.randrange(5) if rng.random() < 0.8 else rng.randrange(7),))
    if kind == "week_weekday":
        return Day(kind, (rng.randrange(5), rng.choice((0, 1, 1, 2))))
    if kind == "month_day":
        return Day(kind, (rng.randint(1, 12), rng.randint(1, 28)))
    if kind == "numeric":
        return Day(kind, (rng.randint(1, 12), rng.randint(13, 28)))
    if kind == "numeric_both":
        month, day = rng.sample(range(1, 13), 2)
        return Day(kind, (month, day))
    if kind in ("day_of_month", "next_month_day"):
        return Day(kind, (rng.randint(1, 28),))
    if kind == "iso":
        return Day(kind, (rng.choice((2026, 2027)), rng.randint(1, 12), rng.randint(1, 28)))
    if kind == "in_days":
        return Day(kind, (rng.randint(1, 10),))
    if kind == "in_weeks":
        return Day(kind, (rng.randint(1, 3),))
    if kind == "in_minutes":
        return Day(kind, (rng.choice((15, 30, 45, 60, 90, 120, 180, 24 * 60)),))
    if kind == "weekday_range":
        w1 = rng.randrange(4)
        return Day(kind, (w1, rng.randint(w1 + 1, 4), rng.choice((-1, 1))))
    return Day(kind)


def _times(rng: random.Random) -> Time:
    roll = rng.random()
    if roll < 0.3:
        return Time("none")
    if roll < 0.62:
        return Time("exact", rng.randrange(24) * 60 + rng.choice((0, 0, 0, 15, 30, 45)))
    if roll < 0.95:
        return Time("bare", rng.randint(1, 12) * 60 + rng.choice((0, 0, 0, 30)))
    return Time("midnight")


def _local(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def compose(grammar: Grammar, count: int, seed: int = 2026) -> list[Phrase]:
    """``count`` distinct phrases of ``grammar``'s language, each with the meaning it was made from."""
    rng = random.Random(f"{grammar.code}:{seed}")
    phrases: dict[tuple[str, datetime], Phrase] = {}
    nows = [_local(n, grammar.zone) for n in NOWS_LOCAL]
    attempts = 0
    while len(phrases) < count and attempts < count * 60:
        attempts += 1
        now = nows[attempts % len(nows)]
        extras: list[str] = []
        zone: Zone | None = None
        if rng.random() < 0.07 and grammar.vague:
            text = rng.choice(grammar.vague)
            day, tod, form = Day("vague"), Time("none"), "vague"
        elif rng.random() < 0.06 and grammar.fused:
            text, day, tod = rng.choice(grammar.fused)
            form = f"fused:{day.kind}"
        else:
            day = _days(rng)
            if rng.random() < 0.08 and grammar.parts and day.kind not in ("in_minutes", "in_days", "in_weeks"):
                part, minutes = rng.choice(grammar.parts)
                tod = Time("exact", minutes)
                day_forms = grammar.day_forms(day)
                if not day_forms:
                    continue
                text = grammar.order(rng.choice(day_forms), part, rng)
                form = f"{day.kind}+part"
            else:
                tod = _times(rng) if day.kind != "in_minutes" else Time("none")
                day_forms = grammar.day_forms(day)
                time_forms = grammar.time(tod) if tod.kind != "none" else [""]
                if not day_forms or not time_forms or (day.kind == "none" and tod.kind == "none"):
                    continue
                text = grammar.order(rng.choice(day_forms), rng.choice(time_forms), rng)
                form = f"{day.kind}+{tod.kind}"
            if grammar.zones and rng.random() < 0.15 and tod.kind != "none" and day.kind != "in_minutes":
                name, zone = rng.choice(grammar.zones)
                text = grammar.with_zone(text, name, rng)
                extras.append("zone")
        if form != "vague":
            roll = rng.random()
            if roll < 0.12 and grammar.leads:
                text = f"{rng.choice(grammar.leads)} {text}"
                extras.append("lead")
            elif roll < 0.24 and grammar.trails:
                trail = rng.choice(grammar.trails)
                text = f"{text}{' ' if grammar.spaced or rng.random() < 0.5 else ''}{trail}"
                extras.append("trail")
            if rng.random() < 0.08:
                text = text.translate(FULL_WIDTH)
                extras.append("fullwidth")
        if extras:
            form += "+" + "+".join(extras)
        key = (text, now)
        if key not in phrases:
            phrases[key] = Phrase(text, form, day, tod, zone, now)
    return list(phrases.values())


# -- judging ----------------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    phrase: Phrase
    expected: Expected | None
    got: Reading | None
    outcome: str  # right, refused, wrong


def judge(phrase: Phrase, grammar: Grammar, reader: Callable[..., Reading | None] = read_date) -> Verdict:
    zone: tzinfo = phrase.zone.tz() if phrase.zone is not None else ZoneInfo(grammar.zone)
    expected = None if phrase.day.kind == "vague" else expect(phrase.day, phrase.tod, zone, phrase.now)
    got = reader(phrase.text, grammar.code, grammar.zone, phrase.now)
    if expected is None:
        return Verdict(phrase, expected, got, "right" if got is None else "wrong")
    if got is None:
        return Verdict(phrase, expected, got, "refused")
    if got.when not in expected.when:
        return Verdict(phrase, expected, got, "wrong")
    if expected.other_free:
        return Verdict(phrase, expected, got, "right")
    return Verdict(phrase, expected, got, "right" if got.other == expected.other else "wrong")


@dataclass
class Report:
    code: str
    verdicts: list[Verdict] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for v in self.verdicts if v.outcome == outcome)

    @property
    def right_share(self) -> float:
        return self.count("right") / max(1, len(self.verdicts))

    def by_form(self) -> dict[str, Counter[str]]:
        forms: dict[str, Counter[str]] = defaultdict(Counter)
        for verdict in self.verdicts:
            base = verdict.phrase.form.split("+", 1)[0]
            forms[base][verdict.outcome] += 1
        return dict(forms)

    def failures(self, outcome: str, limit: int = 40) -> Iterator[str]:
        shown = 0
        for v in self.verdicts:
            if v.outcome != outcome or shown >= limit:
                continue
            shown += 1
            shown_zone: tzinfo = (
                ZoneInfo(v.phrase.zone.iana) if v.phrase.zone and v.phrase.zone.iana else ZoneInfo(self_zone(v))
            )

            def local(d: datetime, zone: tzinfo = shown_zone) -> str:
                return d.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")

            want = sorted(local(w) for w in v.expected.when) if v.expected else None
            other = local(v.expected.other) if v.expected and v.expected.other else None
            got = (local(v.got.when), local(v.got.other) if v.got.other else None) if v.got else None
            yield (
                f"{v.phrase.text!r} [{v.phrase.form}] now {local(v.phrase.now)}: want {want} other {other}, got {got}"
            )

    def summary(self) -> str:
        lines = [
            f"{self.code}: {len(self.verdicts)} phrases, right {self.count('right')} ({self.right_share:.1%}), "
            f"refused {self.count('refused')}, wrong {self.count('wrong')}"
        ]
        for form, counts in sorted(self.by_form().items()):
            total = sum(counts.values())
            lines.append(
                f"  {form:<16} {counts['right']:>5}/{total:<5} "
                f"refused {counts['refused']:>4} wrong {counts['wrong']:>4}"
            )
        return "\n".join(lines)


def self_zone(verdict: Verdict) -> str:
    tz = verdict.phrase.now.tzinfo
    return str(tz) if tz is not None else "UTC"


def run(grammar: Grammar, count: int = 3000) -> Report:
    report = Report(grammar.code)
    for phrase in compose(grammar, count):
        report.verdicts.append(judge(phrase, grammar))
    return report


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# -- /action texts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionText:
    text: str
    title: str
    owners: tuple[str, ...]
    tag: str | None
    phrase: Phrase  # the due phrase inside it, with its meaning
    order: str


TAGS = ("pendidikan", "education", "교육", "bildung", "教育")


def compose_actions(grammar: Grammar, count: int, seed: int = 7) -> list[ActionText]:
    """``/action`` texts: a title, maybe owners, maybe a #tag, and a due phrase (with the language's deadline words
    before or after it, or none) in varied orders."""
    rng = random.Random(f"{grammar.code}:actions:{seed}")
    phrases = [
        p
        for p in compose(grammar, count * 3, seed=seed)
        if p.day.kind not in ("vague", "none", "in_minutes") and "lead" not in p.form and "trail" not in p.form
    ]
    out: list[ActionText] = []
    for phrase in phrases[:count]:
        title = rng.choice(grammar.titles)
        owner_text, owners = rng.choice(grammar.owners) if rng.random() < 0.6 else ("", ())
        tag = rng.choice(TAGS) if rng.random() < 0.4 else None
        due = phrase.text
        roll = rng.random()
        if roll < 0.45 and grammar.action_leads:
            due = f"{rng.choice(grammar.action_leads)} {due}"
        elif roll < 0.9 and grammar.action_trails:
            trail = rng.choice(grammar.action_trails)
            due = f"{due}{' ' if grammar.spaced or rng.random() < 0.5 else ''}{trail}"
        order = rng.choice(("title owner due tag", "title due owner tag", "title owner tag due", "due title owner"))
        parts = {"title": title, "owner": owner_text, "due": due, "tag": f"#{tag}" if tag else ""}
        text = " ".join(parts[name] for name in order.split() if parts[name])
        if "tag" not in order:
            tag = None
        out.append(ActionText(text, title, owners, tag, phrase, order))
    return out


@dataclass
class ActionVerdict:
    action: ActionText
    outcome: str  # right, reported (not read, and the answer says so), lost (silently), wrong, garbled
    detail: str = ""


def judge_action(action: ActionText, grammar: Grammar) -> ActionVerdict:
    """The due phrase found where it was written, the title, owners and tag intact; a due phrase not read must
    at least be reported (left as date-like words or refused), never silently kept in the title or an owner."""
    from bot.features.action_text import find_due, parse_action_text

    phrase = action.phrase
    zone: tzinfo = phrase.zone.tz() if phrase.zone is not None else ZoneInfo(grammar.zone)

    def read(text: str) -> Reading | None:
        for lang in dict.fromkeys((grammar.code, "en")):
            reading = read_date(text, lang, grammar.zone, phrase.now)
            if reading is not None:
                return reading
        return None

    expected = expect(phrase.day, phrase.tod, zone, phrase.now)
    due = find_due(action.text, grammar.code, read)
    parsed = parse_action_text(due.rest, grammar.code)
    if due.reading is None:
        reported = due.unread is not None or due.unreadable is not None
        return ActionVerdict(action, "reported" if reported else "lost", f"rest {due.rest!r}")
    if expected is None or due.reading.when not in expected.when:
        return ActionVerdict(action, "wrong", f"read {due.phrase!r} as {due.reading.when}")
    intact = parsed.title == " ".join(action.title.split()) and parsed.owners == action.owners
    if not intact or parsed.programme != action.tag:
        detail = f"title {parsed.title!r} owners {parsed.owners} tag {parsed.programme}"
        return ActionVerdict(action, "garbled", detail)
    return ActionVerdict(action, "right")
