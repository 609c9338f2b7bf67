"""scale: a national network (issue 15). Its figures come from one run:

The network: ``groups`` groups (1,000) in two-group bridges (500), in Indonesian, Korean, German, Japanese and
English, in their languages' time zones or one they set (Makassar, Jayapura, Vienna, New York, Sydney …);
``items`` action items (20,000) spread over the bridges, with owners, due dates and programmes, some done and
some overdue, with their history; ``reminders`` pending reminders (100,000) due over the next four months in a
realistic mix (the due-date reminders of open items, overdue follow-ups, users' one-off and recurring reminders,
snoozes, monthly reports and the weekly digests); the digest is on for about two groups in three (some by a
stored schedule, some by the defaults) and off for the rest. The database is made by the migrations
(``Database.upgrade``) and filled in bulk with SQLAlchemy Core executemany through the real tables; the digests
are planned by the engine itself, as the bot's first sweep does. A few reminders are placed in each simulated
minute, at random seconds, so that every minute has a handful to send. On PostgreSQL the tables are analysed
after the bulk load, as autovacuum would do within a minute.

* ``status_p95_ms``: the 95th percentile (wall clock) of ``StatusService.text(ChatContext)`` — /status as the
  handlers call it, the context made by ``ChatDirectory.context`` — for ``renders`` random groups, after one
  unmeasured render in each language (the first loads that language's locale data, once per process).
* ``calendar_sweep_cpu_ms_per_min``: the same minutes measured the same way (after the same unmeasured /status
  renders) on a second network, seeded from the same seed — the same groups, bridges, items and reminders, the
  same handful due in each minute — whose groups have calendars: 10 countries (ID, TH, KR, CN, JP, DE, FR, GB, US,
  AU; some with a region) in their zones, working hours, a few with a six-day week, and extra days off
  (``CalendarRepository.add_day_off``: a tenth of the groups are off on the measured day, some more later), so that
  reminders fall inside and outside working time. ``calendar_sweep_ratio`` is it over ``sweep_cpu_ms_per_min``
  of the same run: the two Kembars run side by side and their measured minutes alternate (:func:`measure`).
* ``sweep_cpu_ms_per_min``: the CPU time of this process (``time.process_time``: every thread, the SQLite or
  asyncpg driver's included; on PostgreSQL the server's own CPU is not counted) of one minute of reminder work
  as bot/telegram/jobs.py does it: the sweep (``ReminderJobs.sweep``: the digests, then what is due, then the next
  wake-up), then the wake-up job (``ReminderJobs.fire``) at each due instant of that minute — with a Telegram
  that records what is sent — averaged over ``minutes`` simulated minutes (the clock is moved, nothing waits).
* ``scale_memory_ratio``: the peak resident memory of a fresh process that runs Kembar on the network —
  ``Services.create`` and ``start``, one /status, one minute of sweep — over the same for a network of
  ``small_groups`` groups in the same proportions; each side in its own subprocess (``python -m bench.scale
  memory URL MINUTE``), so nothing of the seeding or of the other side is counted. The peak is the high-water
  mark of the process's own address space (``VmHWM`` in /proc/self/status). Not ``ru_maxrss``: Linux carries
  the parent's high-water mark over into a child at ``exec``, so a child of this (large, seeding) process
  would report the parent's peak on both sides; ``ru_maxrss`` is the fallback where /proc is missing, and is
  given in the details.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from bench.common import PrefixingTranslator, QuietTelegram, fresh_database, percentile, progress, run_child

if TYPE_CHECKING:
    from bot.context import ChatContext
    from bot.services import Services
    from bot.telegram.jobs import ReminderJobs
    from storage.db import Database

# A Wednesday: 10:00 in Jakarta, 12:00 in Seoul and Tokyo, 04:00 in Berlin. The simulated minutes start here.
T0 = datetime(2027, 3, 3, 3, 0, tzinfo=UTC)
GROUP_BASE = -1003000000000  # group k is GROUP_BASE - k; group 0 is active and in the first bridge
PER_MINUTE = 5  # reminders placed in each simulated minute
INSERT_CHUNK = 5000

LANGUAGES = ("id", "ko", "de", "ja", "en")
ZONES: dict[str, tuple[str, ...]] = {
    "id": ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"),
    "ko": ("Asia/Seoul",),
    "de": ("Europe/Berlin", "Europe/Vienna"),
    "ja": ("Asia/Tokyo",),
    "en": ("Europe/London", "America/New_York", "Australia/Sydney"),
}
CITIES: dict[str, tuple[str, ...]] = {
    "id": ("Surabaya", "Bandung", "Medan", "Makassar", "Semarang", "Denpasar", "Pontianak"),
    "ko": ("Busan", "Daegu", "Gwangju", "Incheon", "Ulsan", "Suwon"),
    "de": ("Braunschweig", "Kiel", "Freiburg", "Leipzig", "Bremen"),
    "ja": ("Kochi", "Sendai", "Kanazawa", "Nagasaki", "Matsuyama"),
    "en": ("Bristol", "Leeds", "Perth", "Austin", "Glasgow"),
}
TITLES: dict[str, tuple[str, ...]] = {
    "id": (
        "Kirim draf MoU ke mitra",
        "Siapkan agenda kunjungan delegasi",
        "Tulis laporan pertukaran pelajar",
        "Undang mitra ke festival budaya",
        "Terjemahkan proposal anggaran",
    ),
    "ko": (
        "MoU 초안 보내기",
        "대표단 방문 일정 준비",
        "학생 교류 보고서 작성",
        "문화 축제에 파트너 초대",
        "예산 제안서 번역",
    ),
    "de": (
        "MoU-Entwurf an die Partner schicken",
        "Programm für den Delegationsbesuch vorbereiten",
        "Bericht zum Schüleraustausch schreiben",
        "Partner zum Kulturfest einladen",
        "Budgetantrag übersetzen",
    ),
    "ja": (
        "覚書の草案を送る",
        "代表団訪問の日程を準備する",
        "学生交流の報告書を書く",
        "文化祭に相手を招待する",
        "予算案を翻訳する",
    ),
    "en": (
        "Send the draft MoU to the partners",
        "Prepare the delegation visit agenda",
        "Write the student exchange report",
        "Invite the partners to the culture festival",
        "Translate the budget proposal",
    ),
}
REMINDER_TEXTS: dict[str, str] = {
    "id": "Rapat koordinasi kota kembar",
    "ko": "자매도시 조정 회의",
    "de": "Koordinationstreffen der Partnerstädte",
    "ja": "姉妹都市の調整会議",
    "en": "Sister city coordination meeting",
}
OWNERS = ("@budi", "@kim_ms", "Sari", "Jonas", "@tanaka", "Dewi", "Park Ji-woo", "Emma", "Lukas", "Aiko")
PROGRAMMES = ("education", "tourism", "trade", "environment", "culture", "health", "youth")
RECURRENCES = ("MO@09:00", "MO,TH@10:00", "FR@15:00", "*@08:30", "TU@13:00")
# The calendar network: per language, the countries its groups are in (country, region, zone).
COUNTRIES: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    "id": (("ID", None, "Asia/Jakarta"), ("ID", None, "Asia/Makassar"), ("TH", None, "Asia/Bangkok")),
    "ko": (("KR", None, "Asia/Seoul"), ("CN", None, "Asia/Shanghai")),
    "de": (("DE", "NI", "Europe/Berlin"), ("DE", None, "Europe/Berlin"), ("FR", None, "Europe/Paris")),
    "ja": (("JP", None, "Asia/Tokyo"), ("CN", None, "Asia/Shanghai")),
    "en": (("GB", None, "Europe/London"), ("US", "NY", "America/New_York"), ("AU", "NSW", "Australia/Sydney")),
}
WORK_HOURS = ((8 * 60, 17 * 60), (8 * 60, 17 * 60), (9 * 60, 18 * 60), (7 * 60 + 30, 16 * 60), (8 * 60, 16 * 60))
DAY_OFF_NAMES = {
    "id": "Cuti bersama",
    "ko": "재량 휴무일",
    "de": "Betriebsausflug",
    "ja": "創立記念日",
    "en": "Staff training day",
}


@dataclass(frozen=True)
class ScaleSizes:
    groups: int = 1000
    items: int = 20_000
    reminders: int = 100_000
    renders: int = 200
    minutes: int = 10
    small_groups: int = 10

    def scaled(self, groups: int) -> ScaleSizes:
        """The same network in the same proportions with ``groups`` groups."""
        return replace(
            self,
            groups=groups,
            items=self.items * groups // self.groups,
            reminders=self.reminders * groups // self.groups,
        )


@dataclass
class Network:
    """What was seeded (what the measurements need to know of it)."""

    groups: int
    active: list[int]
    bridges: int
    items: int
    events: int
    reminders_by_kind: dict[str, int]
    digests_on: int
    seed_s: float = 0.0
    calendars: dict[str, Any] = field(default_factory=dict)  # the calendar network: what its calendars are

    def details(self) -> dict[str, Any]:
        return {
            "groups": self.groups,
            "active_groups": len(self.active),
            "bridges": self.bridges,
            "action_items": self.items,
            "events": self.events,
            "pending_reminders": sum(self.reminders_by_kind.values()),
            "pending_by_kind": dict(sorted(self.reminders_by_kind.items())),
            "groups_with_digest": self.digests_on,
            "seed_s": round(self.seed_s, 1),
            **({"calendars": self.calendars} if self.calendars else {}),
        }


@dataclass(frozen=True)
class Minute:
    cpu_ms: float
    wall_ms: float
    sent: int
    wakes: int
    statements: int


@dataclass
class ScaleResult:
    network: Network
    status_ms: list[float]  # sorted
    status_statements: float
    minutes: list[Minute]
    idle_minute: Minute
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)
    calendar: ScaleResult | None = None  # the same measurements on the calendar network

    @property
    def status_p95_ms(self) -> float:
        value = percentile(self.status_ms, 0.95)
        assert value is not None
        return value

    @property
    def sweep_cpu_ms_per_min(self) -> float:
        return sum(m.cpu_ms for m in self.minutes) / len(self.minutes)

    @property
    def calendar_sweep_cpu_ms_per_min(self) -> float | None:
        return None if self.calendar is None else self.calendar.sweep_cpu_ms_per_min

    @property
    def calendar_sweep_ratio(self) -> float | None:
        calendar = self.calendar_sweep_cpu_ms_per_min
        return None if calendar is None else calendar / self.sweep_cpu_ms_per_min

    @property
    def memory_ratio(self) -> float:
        return float(self.memory["large"]["peak_kb"]) / float(self.memory["small"]["peak_kb"])

    def details(self) -> dict[str, Any]:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value, 2)

        return {
            "network": self.network.details(),
            "status_renders": len(self.status_ms),
            "status_ms_p50": ms(percentile(self.status_ms, 0.5)),
            "status_ms_p95": ms(self.status_p95_ms),
            "status_ms_max": ms(self.status_ms[-1]),
            "status_statements_per_render": round(self.status_statements, 1),
            "sweep_minutes": [
                {
                    "cpu_ms": ms(m.cpu_ms),
                    "wall_ms": ms(m.wall_ms),
                    "sent": m.sent,
                    "wake_ups": m.wakes,
                    "statements": m.statements,
                }
                for m in self.minutes
            ],
            "sweep_idle_minute": {
                "cpu_ms": ms(self.idle_minute.cpu_ms),
                "statements": self.idle_minute.statements,
                "sent": self.idle_minute.sent,
            },
            **({"memory": self.memory} if self.memory else {}),
            **({"calendar": self.calendar.details()} if self.calendar is not None else {}),
        }


# ------------------------------------------------------------------------------------------------
# Building the network
# ------------------------------------------------------------------------------------------------


def _partner_language(bridge: int) -> tuple[str, str]:
    first = LANGUAGES[bridge % len(LANGUAGES)]
    second = LANGUAGES[(bridge + 1 + (bridge // len(LANGUAGES)) % (len(LANGUAGES) - 1)) % len(LANGUAGES)]
    return first, second


def _zone(language: str, timezone: str | None) -> str:
    from bot.language.catalog import default_timezone

    return timezone or default_timezone(language)


def _reminder(**values: Any) -> dict[str, Any]:
    """A reminder row with every column given (executemany wants the same keys in every row)."""
    row: dict[str, Any] = {
        "number": None,
        "action_item_id": None,
        "text": None,
        "language": None,
        "recurrence": None,
        "timezone": None,
        "lead_seconds": None,
        "state": "pending",
        "late": False,
        "attempts": 0,
        "created_by": None,
        "created_at": T0 - timedelta(days=1),
    }
    row.update(values)
    row.setdefault("nominal_at", row["due_at"])
    return row


async def _insert(db: Database, model: Any, rows: Sequence[dict[str, Any]], *, ids: bool = False) -> list[int]:
    """Insert in chunks with executemany; the new ids in row order when ``ids``."""
    from sqlalchemy import insert

    found: list[int] = []
    async with db.session() as session:
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = list(rows[start : start + INSERT_CHUNK])
            if ids:
                statement = insert(model).returning(model.id, sort_by_parameter_order=True)
                found.extend((await session.execute(statement, chunk)).scalars().all())
            else:
                await session.execute(insert(model), chunk)
    return found


def _calendar_row(language: str, rng: random.Random) -> dict[str, Any]:
    """A group's calendar columns in the calendar network: a country of its language (with its zone, some with a
    region), working hours, and a six-day week for a fifth of the groups in Indonesia and Thailand."""
    from bot.domain.rules import work_hours_code, workdays_code

    country, region, zone = rng.choice(COUNTRIES[language])
    start, end = rng.choice(WORK_HOURS)
    week = workdays_code(frozenset(range(6))) if country in ("ID", "TH") and rng.random() < 0.2 else None
    return {
        "timezone": zone,
        "country": country,
        "region": region,
        "work_hours": work_hours_code(start, end),
        "workdays": week,
    }


def _days_off(chat_ids: Sequence[int], zones: dict[int, str], rng: random.Random) -> dict[int, tuple[date, date]]:
    """The calendar network's extra days off: a tenth of the groups are off on the measured day (their own date
    at ``T0``), three in ten take one to three days off later in the four months of reminders."""
    found: dict[int, tuple[date, date]] = {}
    for chat_id in chat_ids:
        roll = rng.random()
        if roll < 0.1:
            today = T0.astimezone(ZoneInfo(zones[chat_id])).date()
            found[chat_id] = (today, today)
        elif roll < 0.4:
            first = T0.date() + timedelta(days=rng.randrange(1, 120))
            found[chat_id] = (first, first + timedelta(days=rng.randrange(3)))
    return found


def _working_time(
    rows: Sequence[dict[str, Any]], chats: Sequence[dict[str, Any]], off: dict[int, tuple[date, date]]
) -> dict[str, int]:
    """How many of the reminders ``rows`` are due inside the working time of the group they go to, and outside."""
    from bot.domain.records import DayOff
    from bot.domain.rules import work_hours_of_code, workdays_of_code
    from bot.language.calendars import WorkCalendar

    calendars: dict[int, WorkCalendar] = {}
    for chat in chats:
        start, end = work_hours_of_code(chat["work_hours"])
        period = off.get(chat["id"])
        calendars[chat["id"]] = WorkCalendar(
            zone=chat["timezone"],
            workdays=workdays_of_code(chat["workdays"]),
            start=start,
            end=end,
            country=chat["country"],
            region=chat["region"],
            extra=() if period is None else (DayOff(1, period[0], period[1], "off"),),
        )
    inside = sum(1 for row in rows if calendars[row["chat_id"]].working_at(row["due_at"]))
    return {"inside_working_time": inside, "outside_working_time": len(rows) - inside}


async def seed_network(
    url: str, sizes: ScaleSizes, window: Sequence[int], *, seed: int = 20270303, calendars: bool = False
) -> Network:
    """Build the network in the (empty) database at ``url``; see the module's docstring. ``PER_MINUTE``
    reminders are due in each minute after ``T0`` that ``window`` lists (0: the first). With ``calendars``, the
    calendar network: the same network from the same seed, its groups with countries, zones, working hours and
    days off (drawn from a generator of their own, so that everything else is drawn the same)."""
    from bot.config import Settings
    from bot.domain.records import Scope
    from bot.domain.rules import DAYS_OFF_MAX
    from bot.language.catalog import Catalog
    from bot.language.schedule import next_local_time, next_occurrence
    from bot.reports import periods
    from bot.services import Services
    from storage.db import Database
    from storage.models import (
        ActionCounterRow,
        ActionItemRow,
        BridgeMemberRow,
        BridgeRow,
        ChatRow,
        ChatScheduleRow,
        EventRow,
        ProgrammeRow,
        ReminderCounterRow,
        ReminderRow,
    )

    started = time.perf_counter()
    rng = random.Random(seed)
    calendar_rng = random.Random(seed + 25)
    db = Database(url)
    try:
        await db.upgrade()
        bridges = sizes.groups // 2
        # -- groups, bridges, schedules ------------------------------------------------------------------------
        chats: list[dict[str, Any]] = []
        languages: dict[int, str] = {}
        zones: dict[int, str] = {}
        cities: dict[int, str] = {}
        for k in range(sizes.groups):
            chat_id = GROUP_BASE - k
            language = _partner_language(k // 2)[k % 2]
            timezone = rng.choice(ZONES[language]) if rng.random() < 0.4 else None
            city = rng.choice(CITIES[language])
            calendar: dict[str, Any] = {"country": None, "region": None, "work_hours": None, "workdays": None}
            if calendars:
                calendar = _calendar_row(language, calendar_rng)
                timezone = calendar["timezone"]
            languages[chat_id], zones[chat_id], cities[chat_id] = language, _zone(language, timezone), city
            chats.append(
                {
                    "id": chat_id,
                    "title": f"Kota kembar {city} {k}",
                    "type": "supergroup",
                    "language": language,
                    "city": city,
                    "active": k == 0 or rng.random() >= 0.02,  # a few groups removed the bot
                    "created_at": T0 - timedelta(days=400),
                    "updated_at": T0 - timedelta(days=400),
                    "show_original": False,
                    **calendar,
                    "timezone": timezone,
                }
            )
        await _insert(db, ChatRow, chats)
        active = [row["id"] for row in chats if row["active"]]
        bridge_ids = await _insert(
            db, BridgeRow, [{"name": None, "created_at": T0 - timedelta(days=390)}] * bridges, ids=True
        )
        pairs = {bridge_ids[b]: (GROUP_BASE - 2 * b, GROUP_BASE - 2 * b - 1) for b in range(bridges)}
        bridge_of = {chat_id: bridge_id for bridge_id, members in pairs.items() for chat_id in members}
        await _insert(
            db,
            BridgeMemberRow,
            [
                {"bridge_id": bridge_id, "chat_id": chat_id, "joined_at": T0 - timedelta(days=390, seconds=-n)}
                for bridge_id, members in pairs.items()
                for n, chat_id in enumerate(members)
            ],
        )
        schedules: list[dict[str, Any]] = []
        digest_on: set[int] = set()
        for row in chats:
            share = rng.random()
            if share < 0.4:  # no stored schedule: the defaults (the digest on Monday 08:00, quiet 21:00-07:00)
                digest_on.add(row["id"])
                continue
            hours = rng.choice((("21:00", "07:00"), ("21:00", "07:00"), (None, None), ("22:00", "06:00")))
            weekday = rng.randrange(7) if share < 0.65 else None
            if weekday is not None:
                digest_on.add(row["id"])
            schedules.append(
                {
                    "chat_id": row["id"],
                    "quiet_start": hours[0],
                    "quiet_end": hours[1],
                    "digest_weekday": weekday,
                    "digest_time": rng.choice(("08:00", "09:00", "16:30", "17:00")),
                    "updated_at": T0 - timedelta(days=100),
                }
            )
        await _insert(db, ChatScheduleRow, schedules)
        digests = len(digest_on & set(active))

        # -- programmes, action items and their history -------------------------------------------------------
        programmes: list[dict[str, Any]] = []
        for bridge_id in bridge_ids:
            for name in rng.sample(PROGRAMMES, 3):
                programmes.append(
                    {
                        "scope": Scope.of(bridge_id, 0),
                        "name": name,
                        "name_key": name,
                        "goal": None,
                        "created_at": T0 - timedelta(days=380),
                    }
                )
        programme_ids = await _insert(db, ProgrammeRow, programmes, ids=True)
        by_bridge: dict[int, list[tuple[int, str]]] = {}
        for pid, stored in zip(programme_ids, programmes, strict=True):
            by_bridge.setdefault(stored["scope"].id, []).append((pid, stored["name"]))
        items: list[dict[str, Any]] = []
        for n in range(sizes.items):
            b = n % bridges
            bridge_id = bridge_ids[b]
            number = n // bridges + 1
            source = pairs[bridge_id][rng.randrange(2)]
            language = languages[source]
            due: datetime | None = None
            if rng.random() < 0.85:
                due = (T0 + timedelta(days=rng.uniform(-60, 120))).replace(minute=0, second=0, microsecond=0)
            created = min(due or T0, T0) - timedelta(days=rng.uniform(1, 60))
            roll = rng.random()
            if due is not None and due <= T0:
                status = "done" if roll < 0.55 else "dropped" if roll < 0.6 else "open"  # the open ones are overdue
            elif due is not None:
                status = "done" if roll < 0.1 else "dropped" if roll < 0.13 else "open"
            else:
                status = "done" if roll < 0.5 else "open"
            done_at = min(T0 - timedelta(minutes=5), created + timedelta(days=rng.uniform(0.5, 40)))
            owners = rng.sample(OWNERS, rng.choice((0, 1, 1, 2)))
            programme: tuple[int | None, str | None] = rng.choice([*by_bridge[bridge_id], (None, None)])
            items.append(
                {
                    "scope": Scope.of(bridge_id, source),
                    "number": number,
                    "bridge_id": bridge_id,
                    "programme_id": programme[0],
                    "chat_id": source,
                    "title": f"{rng.choice(TITLES[language])} {number}",
                    "language": language,
                    "owners": owners,
                    "owner_ids": [
                        (7_000_000 + OWNERS.index(o)) if o.startswith("@") and rng.random() < 0.7 else None
                        for o in owners
                    ],
                    "due_at": due,
                    "status": status,
                    "created_by": 8_000_000 + rng.randrange(5000),
                    "created_at": created,
                    "updated_at": done_at if status != "open" else created,
                    "done_at": done_at if status == "done" else None,
                    "_programme": programme[1],
                }
            )
        item_ids = await _insert(
            db, ActionItemRow, [{k: v for k, v in i.items() if k != "_programme"} for i in items], ids=True
        )
        events: list[dict[str, Any]] = []
        for item in items:
            common = {
                "scope": item["scope"],
                "item_number": item["number"],
                "indicator_id": None,
                "programme": item["_programme"],
                "user_id": item["created_by"],
                "by_name": "Koordinator",
                "chat_id": item["chat_id"],
                "city": cities[item["chat_id"]],
                "detail": None,
            }
            events.append({**common, "at": item["created_at"], "kind": "created"})
            if item["status"] in ("done", "dropped"):
                events.append({**common, "at": item["updated_at"], "kind": item["status"]})
        await _insert(db, EventRow, events)
        await _insert(
            db,
            ActionCounterRow,
            [
                {"scope": Scope.of(bridge_id, 0), "last_number": (sizes.items - b + bridges - 1) // bridges}
                for b, bridge_id in enumerate(bridge_ids)
                if b < sizes.items
            ],
        )

        # -- reminders -------------------------------------------------------------------------------------------
        budget = sizes.reminders - digests  # the engine plans the digests below
        reminders: list[dict[str, Any]] = []
        for item, item_id in zip(items, item_ids, strict=True):
            if item["status"] != "open" or item["due_at"] is None:
                continue
            for chat_id in pairs[item["bridge_id"]]:
                if item["due_at"] > T0:
                    for lead in (86400, 0):
                        nominal = item["due_at"] - timedelta(seconds=lead)
                        if nominal > T0:
                            reminders.append(
                                _reminder(
                                    scope=item["scope"],
                                    chat_id=chat_id,
                                    kind="due",
                                    action_item_id=item_id,
                                    due_at=nominal,
                                    lead_seconds=lead,
                                )
                            )
                else:
                    first = next_local_time(zones[chat_id], "09:00", T0)
                    reminders.append(
                        _reminder(
                            scope=item["scope"], chat_id=chat_id, kind="overdue", action_item_id=item_id, due_at=first
                        )
                    )
        for row in chats:
            if rng.random() < 0.1:
                chat_id = row["id"]
                due = periods.next_automatic("month", T0, ZoneInfo(zones[chat_id]))
                reminders.append(
                    _reminder(
                        scope=Scope.of(bridge_of.get(chat_id), chat_id),
                        chat_id=chat_id,
                        kind="report",
                        due_at=due,
                        text="monthly",
                        language=languages[chat_id] if languages[chat_id] != "ja" else "en",
                    )
                )
        rng.shuffle(reminders)
        del reminders[budget:]
        numbers: dict[int, int] = {}
        while len(reminders) < budget:
            bridge_id = bridge_ids[rng.randrange(bridges)]
            members = pairs[bridge_id]
            source = members[rng.randrange(2)]
            language = languages[source]
            scope = Scope.of(bridge_id, source)
            roll = rng.random()
            if roll < 0.05:  # a snooze of a reminder, in one group
                reminders.append(
                    _reminder(
                        scope=scope,
                        chat_id=source,
                        kind="snooze",
                        due_at=T0 + timedelta(hours=1, seconds=rng.randrange(2 * 86400)),
                        text=REMINDER_TEXTS[language],
                        language=language,
                    )
                )
                continue
            number = numbers[bridge_id] = numbers.get(bridge_id, 0) + 1
            recurrence, zone = None, None
            if roll < 0.35:
                recurrence, zone = rng.choice(RECURRENCES), zones[source]
                due = next_occurrence(recurrence, zone, T0 + timedelta(hours=1))
            else:
                due = T0 + timedelta(hours=1, minutes=rng.randrange(120 * 24 * 60))
            for chat_id in members[: budget - len(reminders)]:
                reminders.append(
                    _reminder(
                        scope=scope,
                        chat_id=chat_id,
                        kind="recurring" if recurrence else "adhoc",
                        number=number,
                        due_at=due,
                        text=f"{REMINDER_TEXTS[language]} {number}",
                        language=language,
                        recurrence=recurrence,
                        timezone=zone,
                        created_by=8_000_000 + rng.randrange(5000),
                    )
                )
        # A handful in each simulated minute.
        movable = [r for r in reminders if r["kind"] != "report"]
        placed: list[dict[str, Any]] = []
        for minute in window:
            for row in rng.sample(movable, min(PER_MINUTE, len(movable))):
                row["due_at"] = row["nominal_at"] = T0 + timedelta(minutes=minute, seconds=rng.randrange(1, 60))
                movable.remove(row)
                placed.append(row)
        await _insert(db, ReminderRow, reminders)
        await _insert(
            db, ReminderCounterRow, [{"scope": Scope.of(b, 0), "last_number": last} for b, last in numbers.items()]
        )
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load: the planner's statistics of the new rows.
            async with db.engine.begin() as conn:
                await conn.exec_driver_sql("ANALYZE")
    finally:
        await db.dispose()

    # The digests: planned by the engine, as the first sweep after start-up does.
    clock = _Clock(T0 - timedelta(minutes=10))
    quiet = QuietTelegram()
    services = Services.create(
        Settings(database_url=url), Catalog.load(), quiet, quiet, translator=PrefixingTranslator(), clock=clock
    )
    await services.start()
    try:
        off = _days_off([row["id"] for row in chats], zones, calendar_rng) if calendars else {}
        for chat_id, (first_off, last_off) in off.items():
            name = DAY_OFF_NAMES[languages[chat_id]]
            await services.calendars.stored.add_day_off(chat_id, first_off, last_off, name, None, limit=DAYS_OFF_MAX)
        planned = await services.reminder_engine.ensure_digests()
        pending = await services.reminder_engine.reminders.pending_count()
    finally:
        await services.close()
    if planned != digests or pending != sizes.reminders:
        raise RuntimeError(f"seeded {pending} pending reminders ({planned} digests), not {sizes.reminders}")
    kinds: dict[str, int] = {"digest": planned}
    for row in reminders:
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + 1
    described: dict[str, Any] = {}
    if calendars:
        countries: dict[str, int] = {}
        for row in chats:
            countries[row["country"]] = countries.get(row["country"], 0) + 1
        described = {
            "groups_per_country": dict(sorted(countries.items())),
            "groups_with_a_region": sum(1 for row in chats if row["region"]),
            "groups_with_a_six_day_week": sum(1 for row in chats if row["workdays"]),
            "groups_with_days_off": len(off),
            "groups_off_on_the_measured_day": sum(
                1
                for chat_id, (first_off, last_off) in off.items()
                if first_off <= T0.astimezone(ZoneInfo(zones[chat_id])).date() <= last_off
            ),
            "measured_reminders": _working_time(placed, chats, off),
        }
    return Network(
        groups=sizes.groups,
        active=active,
        bridges=bridges,
        items=len(items),
        events=len(events),
        reminders_by_kind=kinds,
        digests_on=planned,
        seed_s=time.perf_counter() - started,
        calendars=described,
    )


# ------------------------------------------------------------------------------------------------
# Driving Kembar
# ------------------------------------------------------------------------------------------------


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class _WakeQueue:
    """The part of python-telegram-bot's JobQueue that ReminderJobs uses for its wake-up job: the one wake-up
    pending, as an instant of the simulated clock. The simulation runs it; nothing waits for a timer."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self.wake: datetime | None = None

    def get_jobs_by_name(self, _name: str) -> list[_WakeQueue]:
        return [self] if self.wake is not None else []

    def schedule_removal(self) -> None:
        self.wake = None

    def run_once(self, _callback: Any, when: float, **_kwargs: Any) -> None:
        self.wake = self.clock() + timedelta(seconds=when)


@contextmanager
def _counting(db: Database) -> Iterator[list[int]]:
    """Counts the statements sent to the database meanwhile (in the one-element list)."""
    from sqlalchemy import Engine, event

    count = [0]

    def grab(*_args: Any) -> None:
        count[0] += 1

    # The async engine, and the synchronous one a SQLite file also has (Database.run_sync uses it).
    engines = [db.engine.sync_engine, *[e for e in [getattr(db, "_sync_engine", None)] if isinstance(e, Engine)]]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", grab)
    try:
        yield count
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", grab)


async def _cache_writes_done(services: Services) -> None:
    """Wait for the translation cache writes started meanwhile (they run behind the messages)."""
    writes: set[asyncio.Task[None]] = getattr(services.translations, "_writes", set())
    await asyncio.gather(*list(writes), return_exceptions=True)


def _services(url: str, clock: _Clock, telegram: QuietTelegram) -> Services:
    from bot.config import Settings
    from bot.language.catalog import Catalog
    from bot.services import Services

    return Services.create(
        Settings(database_url=url), Catalog.load(), telegram, telegram, translator=PrefixingTranslator(), clock=clock
    )


def _jobs(services: Services, clock: _Clock) -> tuple[ReminderJobs, _WakeQueue]:
    from telegram.ext import JobQueue

    from bot.telegram.jobs import ReminderJobs

    queue = _WakeQueue(clock)
    return ReminderJobs(cast(JobQueue[Any], queue), services.reminder_engine, services.wakeups), queue


async def run_minute(
    services: Services, jobs: ReminderJobs, queue: _WakeQueue, clock: _Clock, telegram: QuietTelegram, start: datetime
) -> Minute:
    """One minute of reminder work as bot/telegram/jobs.py does it: the sweep at ``start``, then the wake-up job at
    each due instant before the minute ends."""
    clock.now = start
    end = start + timedelta(minutes=1)
    sent_before = len(telegram.texts)
    wakes = 0
    with _counting(services.database) as statements:
        cpu, wall = time.process_time(), time.perf_counter()
        await jobs.sweep()
        while queue.wake is not None and queue.wake < end:
            clock.now = max(clock.now, queue.wake)
            queue.wake = None
            await jobs.fire()
            wakes += 1
            if wakes > 1000:
                raise RuntimeError("the wake-up job keeps firing within one minute")
        await _cache_writes_done(services)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return Minute(
        cpu_ms=cpu * 1000,
        wall_ms=wall * 1000,
        sent=len(telegram.texts) - sent_before,
        wakes=wakes,
        statements=statements[0],
    )


@dataclass
class _Side:
    """One network being measured: its Kembar, its clock and Telegram, and what was measured on it."""

    network: Network
    name: str
    clock: _Clock
    telegram: QuietTelegram
    services: Services
    timings: list[float] = field(default_factory=list)
    statements: int = 0
    minutes: list[Minute] = field(default_factory=list)
    idle: Minute | None = None

    def result(self, min_sent: int) -> ScaleResult:
        sent = sum(m.sent for m in self.minutes)
        if sent < min_sent:
            raise RuntimeError(f"only {sent} reminders went out in {len(self.minutes)} minutes{self.name}")
        assert self.idle is not None
        progress(
            f"scale{self.name}: sweeps {sum(m.cpu_ms for m in self.minutes) / len(self.minutes):.1f} ms CPU per "
            f"minute ({sent} sent in {len(self.minutes)} minutes; an idle minute {self.idle.cpu_ms:.1f} ms, "
            f"{self.idle.statements} statements)"
        )
        return ScaleResult(
            network=self.network,
            status_ms=sorted(self.timings),
            status_statements=self.statements / max(1, len(self.timings)),
            minutes=self.minutes,
            idle_minute=self.idle,
        )


async def _status_renders(side: _Side, sizes: ScaleSizes, rng: random.Random) -> None:
    """``sizes.renders`` timed /status of random groups, after one unmeasured in each language (each loads its
    locale data once per process)."""
    services, network = side.services, side.network
    warm: dict[str, ChatContext] = {}
    for chat_id in network.active:
        chat = await services.chats.get(chat_id)
        if chat is not None and chat.language not in warm:
            warm[chat.language] = await services.chats.context(chat)
        if len(warm) == len(LANGUAGES):
            break
    for here in warm.values():
        await services.status.text(here)
    for chat_id in (rng.choice(network.active) for _ in range(sizes.renders)):
        chat = await services.chats.get(chat_id)
        assert chat is not None
        here = await services.chats.context(chat)
        with _counting(services.database) as counted:
            began = time.perf_counter()
            text = await services.status.text(here)
            elapsed = time.perf_counter() - began
        if len(text) < 80:
            raise RuntimeError(f"/status of group {chat_id} is too short to be real: {text!r}")
        side.timings.append(elapsed * 1000)
        side.statements += counted[0]
    await _cache_writes_done(services)
    p95 = percentile(sorted(side.timings), 0.95) or 0
    progress(f"scale{side.name}: /status p95 {p95:.1f} ms over {len(side.timings)} groups")


async def measure(
    url: str, network: Network, sizes: ScaleSizes, *, seed: int = 15, calendar: tuple[str, Network] | None = None
) -> ScaleResult:
    """status_p95_ms and sweep_cpu_ms_per_min on the network at ``url``. With ``calendar`` (the calendar
    network's URL and network) the same on it too, as its ``calendar`` result: both Kembars run side by side,
    the same groups' /status is rendered on each, and their measured minutes alternate (the first minute here
    first, the next there first, and so on), so that this shared machine's drift in speed falls on both alike.
    Half the reminders due must go out here; on the calendar network at least one (it moves those due outside
    a group's working time)."""
    plans = [(url, network, "")] + ([(calendar[0], calendar[1], " (calendars)")] if calendar is not None else [])
    sides: list[_Side] = []
    try:
        for side_url, side_network, name in plans:
            clock, telegram = _Clock(T0 - timedelta(minutes=5)), QuietTelegram()
            side = _Side(side_network, name, clock, telegram, _services(side_url, clock, telegram))
            await side.services.start()
            sides.append(side)
        for side in sides:
            await _status_renders(side, sizes, random.Random(seed))
        queues = [_jobs(side.services, side.clock) for side in sides]
        for side, (jobs, queue) in zip(sides, queues, strict=True):
            # An unmeasured minute first (nothing is due before T0), then the measured ones.
            for before in (2, 1):
                side.idle = await run_minute(
                    side.services, jobs, queue, side.clock, side.telegram, T0 - timedelta(minutes=before)
                )
        for m in range(sizes.minutes):
            turn = list(zip(sides, queues, strict=True))
            for side, (jobs, queue) in turn if m % 2 == 0 else reversed(turn):
                side.minutes.append(
                    await run_minute(side.services, jobs, queue, side.clock, side.telegram, T0 + timedelta(minutes=m))
                )
    finally:
        for side in sides:
            await side.services.close()
    result = sides[0].result(PER_MINUTE * sizes.minutes // 2)
    if len(sides) > 1:
        result.calendar = sides[1].result(1)
    return result


# ------------------------------------------------------------------------------------------------
# Memory: a fresh process per side
# ------------------------------------------------------------------------------------------------


def _child(*args: str, timeout: float) -> dict[str, Any]:
    return run_child("bench.scale", *args, timeout=timeout)


def _peak_kb() -> tuple[int, str]:
    """The process's peak resident memory, and how it was read (see the module's docstring)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]), "VmHWM"
    except (OSError, IndexError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss"


def _resident_kb() -> int | None:
    """The resident memory now (Linux), for the details; None elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


async def _running_kembar(url: str, minute: int) -> dict[str, Any]:
    """In the subprocess: Kembar's services started on the database, one /status, one minute of sweep."""
    clock, telegram = _Clock(T0 + timedelta(minutes=minute)), QuietTelegram()
    services = _services(url, clock, telegram)
    await services.start()
    started_kb = _resident_kb()
    try:
        chat = await services.chats.get(GROUP_BASE)
        assert chat is not None
        status = await services.status.text(await services.chats.context(chat))
        jobs, queue = _jobs(services, clock)
        swept = await run_minute(services, jobs, queue, clock, telegram, T0 + timedelta(minutes=minute))
        peak_kb, peak_from = _peak_kb()
        maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        end_kb = _resident_kb()
        pending = await services.reminder_engine.reminders.pending_count()
    finally:
        await services.close()
    return {
        "peak_kb": peak_kb,
        "peak_from": peak_from,
        "maxrss_kb": maxrss_kb,
        "resident_kb_started": started_kb,
        "resident_kb_end": end_kb,
        "status_chars": len(status),
        "sent": swept.sent,
        "pending": pending,
    }


def _mb(kb: int | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


async def memory_sample(url: str, network: Network, minute: int) -> dict[str, Any]:
    measured = await asyncio.to_thread(_child, "memory", url, str(minute), timeout=900)
    if measured["sent"] < 1:
        raise RuntimeError(f"the memory run's sweep sent nothing ({measured})")
    return {
        "groups": network.groups,
        "pending_reminders": sum(network.reminders_by_kind.values()),
        "peak_kb": measured["peak_kb"],
        "peak_mb": _mb(measured["peak_kb"]),
        "peak_from": measured["peak_from"],
        # The resident memory (not the peak) once started, and after the /status and the sweep.
        "resident_mb_started": _mb(measured["resident_kb_started"]),
        "resident_mb_end": _mb(measured["resident_kb_end"]),
        "sweep_sent": measured["sent"],
        # Includes the high-water mark of the process that started it (see the module's docstring).
        "ru_maxrss_mb": _mb(measured["maxrss_kb"]),
    }


async def scale_suite(database_url: str | None, sizes: ScaleSizes) -> ScaleResult:
    async with fresh_database(database_url) as url, fresh_database(database_url) as calendar_url:
        progress(
            f"scale: building {sizes.groups} groups, {sizes.items} action items, {sizes.reminders} pending reminders"
        )
        # The measured minutes, and one more for the memory measurement.
        network = await seed_network(url, sizes, range(sizes.minutes + 1))
        progress(f"scale: built in {network.seed_s:.1f} s; the same network with calendars in 10 countries")
        calendar_network = await seed_network(calendar_url, sizes, range(sizes.minutes), calendars=True)
        progress(f"scale: built in {calendar_network.seed_s:.1f} s; measuring /status and the sweeps on both")
        result = await measure(url, network, sizes, calendar=(calendar_url, calendar_network))
        progress(
            f"scale: calendar sweeps {result.calendar_sweep_cpu_ms_per_min or 0:.1f} ms against "
            f"{result.sweep_cpu_ms_per_min:.1f} ms: {result.calendar_sweep_ratio or 0:.2f}×"
        )
        progress(f"scale: memory of a fresh process on {sizes.groups} groups")
        result.memory["large"] = await memory_sample(url, network, sizes.minutes)
    small_sizes = sizes.scaled(sizes.small_groups)
    async with fresh_database(database_url) as url:
        progress(f"scale: memory of a fresh process on {small_sizes.groups} groups ({small_sizes.reminders} reminders)")
        small = await seed_network(url, small_sizes, [sizes.minutes])
        result.memory["small"] = await memory_sample(url, small, sizes.minutes)
    progress(
        f"scale: peak memory {result.memory['small']['peak_mb']} MB ({small_sizes.groups} groups) → "
        f"{result.memory['large']['peak_mb']} MB ({sizes.groups} groups)"
    )
    return result


def _main(argv: list[str]) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if len(argv) != 3 or argv[0] != "memory":
        print("usage: python -m bench.scale memory URL MINUTE", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(_running_kembar(argv[1], int(argv[2])))))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
