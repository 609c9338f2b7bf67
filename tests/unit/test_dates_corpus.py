"""The generated date corpus (tests/unit/dates/): per language at least 3,000 phrases composed from meanings, read
at six "now"s and judged against an independent reference. No phrase may be read wrongly; at least 97% must be
read right (the rest refused, never guessed). ``python -m tests.unit.dates.report`` prints the report by form."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.language.dates import Reading, read_date
from tests.unit.dates.corpus import (
    Day,
    Expected,
    Time,
    Zone,
    compose,
    compose_actions,
    expect,
    judge,
    judge_action,
    run,
)
from tests.unit.dates.report import CODES, grammar

PHRASES = 3000


@pytest.mark.parametrize("code", CODES)
def test_corpus(code: str) -> None:
    report = run(grammar(code), PHRASES)
    assert len(report.verdicts) >= PHRASES, report.summary()
    wrong = list(report.failures("wrong", 20))
    assert not wrong, report.summary() + "\n" + "\n".join(wrong)
    assert report.right_share >= 0.97, report.summary() + "\n" + "\n".join(report.failures("refused", 30))


@pytest.mark.parametrize("code", CODES)
def test_corpus_covers_every_form(code: str) -> None:
    """Every kind of day, the three kinds of time, zones, deadline words and full-width digits are generated."""
    forms = {phrase.form for phrase in compose(grammar(code), PHRASES)}
    kinds = {form.split("+", 1)[0] for form in forms}
    expected = {
        "offset", "weekday", "next_weekday", "week_weekday", "month_day", "numeric", "day_of_month",
        "next_month_day", "iso", "in_days", "in_weeks", "in_minutes", "end_week", "end_next_week", "end_month",
        "end_next_month", "weekday_range", "numeric_both", "vague",
    }  # fmt: skip
    assert expected <= kinds, expected - kinds
    extras = {extra for form in forms for extra in form.split("+")[2:]}
    assert {"zone", "lead", "fullwidth"} <= extras, extras
    times = {form.split("+")[1] for form in forms if form.count("+") >= 1 and not form.startswith("fused")}
    assert {"none", "exact", "bare", "midnight", "part"} <= times, times


# -- the reference itself, on known answers (so that a wrong reference cannot pass the corpus) ----------------------

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY_EVENING = datetime(2026, 10, 23, 18, 40, tzinfo=BERLIN)  # two days before the clocks go back


def local(expected: Expected | None) -> list[str]:
    assert expected is not None
    return sorted(w.astimezone(BERLIN).strftime("%a %Y-%m-%d %H:%M") for w in expected.when)


def test_reference_end_of_month_is_the_last_working_day() -> None:
    assert local(expect(Day("end_month"), Time("none"), BERLIN, FRIDAY_EVENING)) == ["Fri 2026-10-30 17:00"]
    assert local(expect(Day("end_next_month"), Time("none"), BERLIN, FRIDAY_EVENING)) == ["Mon 2026-11-30 17:00"]
    # a Sunday-Thursday week: the weekend is Friday and Saturday
    got = expect(Day("end_month"), Time("none"), BERLIN, FRIDAY_EVENING, weekend=frozenset({4, 5}))
    assert local(got) == ["Thu 2026-10-29 17:00"]


def test_reference_bare_hours_and_next_weekday() -> None:
    got = expect(Day("weekday", (3,)), Time("bare", 4 * 60 + 30), BERLIN, FRIDAY_EVENING)
    assert got is not None and local(got) == ["Thu 2026-10-29 16:30"]
    assert got.other is not None and got.other.astimezone(BERLIN).strftime("%H:%M") == "04:30"
    wednesday = datetime(2026, 10, 21, 9, 0, tzinfo=BERLIN)
    got = expect(Day("next_weekday", (4,)), Time("none"), BERLIN, wednesday)
    assert got is not None and local(got) == ["Fri 2026-10-23 17:00"]
    assert got.other is not None and got.other.astimezone(BERLIN).strftime("%a %d") == "Fri 30"


def test_reference_durations_keep_the_wall_clock_across_the_change() -> None:
    got = expect(Day("in_days", (3,)), Time("none"), BERLIN, FRIDAY_EVENING)
    assert "Mon 2026-10-26 18:40" in local(got)  # 18:40 on both sides of the change: 73 hours later
    got = expect(Day("in_minutes", (90,)), Time("none"), BERLIN, FRIDAY_EVENING)
    assert local(got) == ["Fri 2026-10-23 20:10"]
    assert expect(Day("in_minutes", (90,)), Time("exact", 600), BERLIN, FRIDAY_EVENING) is None


def test_reference_named_zone_and_week_after_next() -> None:
    seoul = Zone("Asia/Seoul").tz()
    got = expect(Day("week_weekday", (0, 2)), Time("exact", 9 * 60), seoul, FRIDAY_EVENING)
    # Friday 18:40 in Berlin is Saturday 01:40 in Seoul: the week after next starts on Monday 2 November
    assert got is not None
    assert [w.astimezone(seoul).strftime("%a %Y-%m-%d %H:%M") for w in got.when] == ["Mon 2026-11-02 09:00"]


def test_the_judge_counts_a_wrong_reading_as_wrong() -> None:
    """A reader that is one hour off is judged wrong on every phrase with a time; one that refuses, refused."""
    english = grammar("en")
    phrases = [p for p in compose(english, 200) if p.day.kind != "vague"][:50]

    def off_by_one(text: str, lang: str, tz: str, now: datetime) -> Reading | None:
        reading = read_date(text, lang, tz, now)
        if reading is None:
            return None
        return Reading(reading.when + timedelta(hours=1), reading.other, reading.kind)

    def refuse(text: str, lang: str, tz: str, now: datetime) -> Reading | None:
        return None

    outcomes = {judge(p, english, off_by_one).outcome for p in phrases}
    assert outcomes == {"wrong"}
    assert {judge(p, english, refuse).outcome for p in phrases} == {"refused"}


ACTIONS = 400


@pytest.mark.parametrize("code", CODES)
def test_action_corpus(code: str) -> None:
    """/action texts: title, owners, tag and a due phrase (with or without deadline words) in varied orders. No
    due phrase is silently lost or read wrongly; title, owners and tag come out intact."""
    language = grammar(code)
    verdicts = [judge_action(action, language) for action in compose_actions(language, ACTIONS)]
    assert len(verdicts) >= ACTIONS * 0.9
    counts = Counter(v.outcome for v in verdicts)
    bad = [f"{v.outcome}: {v.action.text!r} [{v.action.order}] {v.detail}" for v in verdicts if v.outcome != "right"]
    assert counts["lost"] == counts["wrong"] == counts["garbled"] == 0, "\n".join(bad[:30])
    assert counts["right"] >= 0.95 * len(verdicts), "\n".join(bad[:30])
