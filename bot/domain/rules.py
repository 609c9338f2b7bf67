"""The limits and formats of what Kembar keeps, each defined once: the features refuse input beyond them (in
the group's language), storage refuses to store it (``ValueError``), and the column sizes fit them."""

from __future__ import annotations

import re
from datetime import timedelta

# Action items
ACTION_STATUSES = ("open", "done", "dropped")
TITLE_MAX = 500  # characters of an item's title
OWNER_NAME_MAX = 64  # characters of one owner as shown ("@kim_ms", "Budi Santoso")
LANGUAGE_CODE_MAX = 16  # characters of a stored language code ("id", "zh-CN" …)

# Programmes and indicators are named like #tags: letters, digits, '-' and '_'.
TAG_NAME = re.compile(r"[\w-]+")
PROGRAMME_NAME_MAX = 64
GOAL_MAX = 500  # characters of a programme's goal
INDICATOR_NAME_MAX = 64
INDICATOR_NOTE_MAX = 300  # characters of the note on an indicator update
EVENT_DETAIL_MAX = 500  # characters of an event's detail in the history (a longer one is cut)
REPORT_SUMMARY_MAX = 16_000  # characters of a stored report's summary (Telegram HTML)
REPORTS_KEPT = 100  # reports kept per group: adding one forgets the oldest beyond

# Reminders of action items: at most this many lead times, each at most this long before the due instant.
REMINDER_LEADS_MAX = 5
REMINDER_LEAD_SECONDS_MAX = 30 * 86400

# Settings
CITY_MAX = 64  # characters of a group's city name
GLOSSARY_TERM_MAX = 64  # characters of a glossary term and of each of its renderings

# The working week (/workweek): weekdays 0 (Monday) … 6 (Sunday), at least one of them; stored as seven
# characters, Monday first, "1" for a working day ("1111100"). What a member types to set it is at most
# WORKWEEK_INPUT_MAX characters.
DEFAULT_WORKDAYS = frozenset(range(5))  # Monday to Friday
WORKWEEK_INPUT_MAX = 100


def workdays_code(days: frozenset[int]) -> str:
    """The stored form of a working week ("1111100" for Monday to Friday); ValueError when it has no day or a
    day outside 0–6."""
    if not days or not all(isinstance(day, int) and 0 <= day <= 6 for day in days):
        raise ValueError(f"not a working week: {sorted(days)!r}")
    return "".join("1" if day in days else "0" for day in range(7))


def workdays_of_code(code: str | None) -> frozenset[int]:
    """The working week a stored form names; the default (Monday to Friday) for none or a malformed one."""
    if code is None or len(code) != 7 or set(code) - {"0", "1"} or "1" not in code:
        return DEFAULT_WORKDAYS
    return frozenset(day for day, flag in enumerate(code) if flag == "1")


# Calendars (/calendar): working hours "HH:MM-HH:MM" on the local wall clock (start before end), Monday to Friday
# 08:00–17:00 unless set; a country is an ISO 3166 alpha-2 code, a region the holidays library's subdivision code.
DEFAULT_WORK_HOURS = (8 * 60, 17 * 60)  # minutes after local midnight
COUNTRY_MAX = 2
REGION_MAX = 16
DAYS_OFF_MAX = 100  # extra days off (periods) kept per group
DAY_OFF_SPAN_MAX = 31  # days one extra period off may cover
DAY_OFF_NAME_MAX = 100  # characters of its name


def work_hours_code(start: int, end: int) -> str:
    """The stored form of working hours ("08:00-17:00"); ValueError unless 0 <= start < end <= 24:00."""
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= 24 * 60):
        raise ValueError(f"not working hours: {start!r}-{end!r}")
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def work_hours_of_code(code: str | None) -> tuple[int, int]:
    """The working hours a stored form names; the default (08:00–17:00) for none or a malformed one."""
    match = re.fullmatch(r"(\d\d):(\d\d)-(\d\d):(\d\d)", code or "")
    if match is None:
        return DEFAULT_WORK_HOURS
    start = int(match[1]) * 60 + int(match[2])
    end = int(match[3]) * 60 + int(match[4])
    return (start, end) if 0 <= start < end <= 24 * 60 else DEFAULT_WORK_HOURS


# Linking: a code is valid this long, once; a code for several groups (/link <n>) admits up to n of them, from
# LINK_CODE_USES_MIN to LINK_CODE_USES_MAX, within LINK_CODE_MULTI_TTL (each join still approved).
LINK_CODE_TTL = timedelta(minutes=30)
LINK_CODE_MULTI_TTL = timedelta(hours=24)
LINK_CODE_USES_MIN = 2
LINK_CODE_USES_MAX = 10

# Meetings (/meet): a duration of 15 minutes to 8 hours, searched on a 30-minute grid within at most 31 days;
# up to MEETING_SLOTS proposed slots, at most MEETINGS_OPEN_MAX open proposals per bridge (or lone group), a
# title of at most MEETING_TITLE_MAX characters. Kept until MEETINGS_KEPT_DAYS after the meeting (or its last
# proposed slot) is over.
MEETING_DURATION_MIN = 15  # minutes
MEETING_DURATION_MAX = 8 * 60
MEETING_GRID_MINUTES = 30
MEETING_WINDOW_DAYS_MAX = 31
MEETING_SLOTS = 3
MEETINGS_OPEN_MAX = 5
MEETING_TITLE_MAX = 200
MEETING_STATES = ("proposed", "confirmed", "cancelled")
MEETINGS_KEPT_DAYS = 30

# Continuity (/decision, /evidence, the people seen): a decision's text at most DECISION_TEXT_MAX characters, at most
# DECISIONS_MAX kept per bridge (or lone group); evidence's caption (Telegram's own limit) and note, at most
# EVIDENCE_MAX items per bridge; the people seen in a group are forgotten PEOPLE_SEEN_KEPT_DAYS after they were
# last seen there.
DECISION_TEXT_MAX = 1000
DECISIONS_MAX = 2000
EVIDENCE_CAPTION_MAX = 1024
EVIDENCE_NOTE_MAX = 300
EVIDENCE_FILE_NAME_MAX = 255
FILE_ID_MAX = 255  # characters of a Telegram file id as stored
EVIDENCE_MAX = 5000
PERSON_NAME_MAX = 128  # characters of a person's display name as stored
PEOPLE_SEEN_KEPT_DAYS = 180
