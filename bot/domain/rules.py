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


# Linking: a code is valid this long, once.
LINK_CODE_TTL = timedelta(minutes=30)
