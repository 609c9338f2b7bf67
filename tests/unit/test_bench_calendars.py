"""The scale bench's calendar network (bench/scale.py): its groups' calendars are real ones (countries the holidays
library knows, in their own zones, valid working hours), days off fall where the docstring says, and
``calendar_sweep_ratio`` is the calendar sweep over the plain one of the same run."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.scale import COUNTRIES, LANGUAGES, T0, Minute, Network, ScaleResult, _calendar_row, _days_off, _working_time
from bot.domain.rules import work_hours_code, work_hours_of_code, workdays_of_code
from bot.language.calendars import country_name_ok, guess_country, regions_of


def test_every_group_of_the_calendar_network_has_a_real_calendar() -> None:
    rng = random.Random(1)
    rows = [(language, _calendar_row(language, rng)) for language in LANGUAGES for _ in range(200)]
    countries = Counter(row["country"] for _, row in rows)
    assert set(countries) == {"ID", "TH", "KR", "CN", "JP", "DE", "FR", "GB", "US", "AU"}
    for language, row in rows:
        assert (row["country"], row["region"], row["timezone"]) in COUNTRIES[language]
        assert country_name_ok(row["country"]) and guess_country(row["timezone"]) == row["country"]
        assert row["region"] is None or row["region"] in regions_of(row["country"])
        assert work_hours_code(*work_hours_of_code(row["work_hours"])) == row["work_hours"]  # read as written
        assert row["workdays"] is None or (
            row["country"] in ("ID", "TH") and len(workdays_of_code(row["workdays"])) == 6
        )
    assert any(row["workdays"] for _, row in rows)


def test_days_off_on_the_measured_day_and_later_and_reminders_inside_and_outside_working_time() -> None:
    rng = random.Random(2)
    chats: list[dict[str, Any]] = [
        {"id": -n, "timezone": zone, "country": country, "region": region, "work_hours": None, "workdays": None}
        for n, (country, region, zone) in enumerate(
            (entry for language in LANGUAGES for entry in COUNTRIES[language]), start=1
        )
    ]
    zones: dict[int, str] = {chat["id"] - 100 * k: chat["timezone"] for k in range(20) for chat in chats}
    off = _days_off(list(zones), zones, rng)
    assert 0.2 < len(off) / len(zones) < 0.6  # four in ten
    for chat_id, (first, last) in off.items():
        today = T0.astimezone(ZoneInfo(zones[chat_id])).date()
        assert first == last == today or (today < first <= last <= first + timedelta(days=2))
    on_the_day = sum(
        1 for chat_id, (first, _) in off.items() if first == T0.astimezone(ZoneInfo(zones[chat_id])).date()
    )
    assert 0 < on_the_day < len(off)  # a tenth of the groups on the measured day, the others later
    due = [{"chat_id": chat["id"], "due_at": T0 + timedelta(seconds=30)} for chat in chats]
    split = _working_time(due, chats, {})
    # At 03:00 UTC on a Wednesday it is working time in Asia and Australia, night in Europe and America.
    assert split == {"inside_working_time": 8, "outside_working_time": 5}
    everyone_off = {chat["id"]: (T0.date() - timedelta(days=1), T0.date() + timedelta(days=1)) for chat in chats}
    assert _working_time(due, chats, everyone_off) == {"inside_working_time": 0, "outside_working_time": 13}


def test_the_calendar_sweep_is_compared_with_the_plain_one_of_the_same_run() -> None:
    network = Network(groups=2, active=[], bridges=1, items=0, events=0, reminders_by_kind={}, digests_on=0)

    def result(*cpu: float) -> ScaleResult:
        minutes = [Minute(cpu_ms=c, wall_ms=c, sent=1, wakes=1, statements=3) for c in cpu]
        return ScaleResult(network, [1.0], 1.0, minutes, minutes[0])

    plain = result(50.0, 70.0)
    assert plain.calendar_sweep_ratio is None and plain.calendar_sweep_cpu_ms_per_min is None
    plain.calendar = result(66.0, 78.0)
    assert plain.calendar_sweep_cpu_ms_per_min == 72.0 and plain.calendar_sweep_ratio == 1.2
    assert "calendar" in plain.details() and "memory" not in plain.details()["calendar"]
