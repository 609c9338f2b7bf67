"""English as coordinators write it (the group's zone: Europe/London)."""

from __future__ import annotations

import random

from tests.unit.dates.corpus import Day, Grammar, Time, Zone

WEEKDAYS = (
    ("Monday", "Mon", "monday", "Mon."),
    ("Tuesday", "Tue", "Tues", "tuesday"),
    ("Wednesday", "Wed", "Weds", "wednesday"),
    ("Thursday", "Thu", "Thurs", "thursday"),
    ("Friday", "Fri", "friday", "Fri."),
    ("Saturday", "Sat", "saturday"),
    ("Sunday", "Sun", "sunday"),
)
MONTHS = (
    ("January", "Jan"), ("February", "Feb"), ("March", "Mar"), ("April", "Apr"), ("May",), ("June", "Jun"),
    ("July", "Jul"), ("August", "Aug"), ("September", "Sep", "Sept"), ("October", "Oct"), ("November", "Nov"),
    ("December", "Dec"),
)  # fmt: skip
NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
           10: "ten"}  # fmt: skip


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class English(Grammar):
    def day(self, day: Day) -> list[str]:
        kind, a = day.kind, day.args
        if kind == "offset":
            return {
                -1: ["yesterday"],
                0: ["today"],
                1: ["tomorrow", "tmrw", "Tomorrow"],
                2: ["the day after tomorrow", "day after tomorrow"],
            }[a[0]]
        if kind == "weekday":
            return [*WEEKDAYS[a[0]], f"on {WEEKDAYS[a[0]][0]}"]
        if kind == "next_weekday":
            return [f"next {w}" for w in WEEKDAYS[a[0]][:2]]
        if kind == "coming_weekday":
            return [f"this coming {WEEKDAYS[a[0]][0]}", f"coming {WEEKDAYS[a[0]][0]}"]
        if kind == "week_weekday":
            w, k = a
            name = WEEKDAYS[w][0]
            return {
                0: [f"{name} this week"],
                1: [f"{name} next week", f"next week {name}", f"next week on {name}"],
                2: [f"{name} the week after next", f"the week after next on {name}"],
            }[k]
        if kind == "month_day":
            m, d = a
            forms = []
            for month in MONTHS[m - 1]:
                forms += [f"{d} {month}", f"{month} {d}", f"{ordinal(d)} {month}", f"{month} {ordinal(d)}"]
            return [*forms, f"the {ordinal(d)} of {MONTHS[m - 1][0]}"]
        if kind == "numeric":
            m, d = a
            return [f"{d}/{m}", f"{d}/{m:02}", f"{m}/{d}"]
        if kind == "day_of_month":
            return [f"the {ordinal(a[0])}", f"on the {ordinal(a[0])}"]
        if kind == "next_month_day":
            nth = ordinal(a[0])
            return [f"the {nth} of next month", f"{nth} of next month", f"next month on the {nth}"]
        if kind == "iso":
            y, m, d = a
            return [f"{y}-{m:02}-{d:02}", f"{d} {MONTHS[m - 1][0]} {y}", f"{MONTHS[m - 1][0]} {d}, {y}"]
        if kind == "in_days":
            n = a[0]
            forms = [f"in {n} days", f"{n} days from now"] if n > 1 else ["in a day", "in 1 day"]
            if n in NUMBERS and n > 1:
                forms.append(f"in {NUMBERS[n]} days")
            return forms
        if kind == "in_weeks":
            n = a[0]
            return [f"in {n} weeks", f"{n} weeks from now"] if n > 1 else ["in a week", "a week from now", "in 1 week"]
        if kind == "in_minutes":
            n = a[0]
            return {
                15: ["in 15 minutes", "in 15 mins", "in a quarter of an hour"],
                30: ["in 30 minutes", "in half an hour", "in 30 min"],
                45: ["in 45 minutes", "in 45 mins"],
                60: ["in an hour", "in 1 hour", "in one hour", "an hour from now"],
                90: ["in an hour and a half", "in 90 minutes", "in 1.5 hours", "in 1 hour 30 minutes"],
                120: ["in 2 hours", "in two hours", "2 hours from now"],
                180: ["in 3 hours", "in three hours"],
                1440: ["in 24 hours"],
            }[n]
        if kind == "end_week":
            return ["end of the week", "end of week", "the end of this week", "EOW"]
        if kind == "end_next_week":
            return ["end of next week", "the end of next week"]
        if kind == "end_month":
            return ["end of the month", "end of month", "the end of this month", "EOM"]
        if kind == "end_next_month":
            return ["end of next month", "the end of next month"]
        if kind == "weekday_range":
            w1, w2, k = a
            short = f"{WEEKDAYS[w1][1]}-{WEEKDAYS[w2][1]}"
            long = f"{WEEKDAYS[w1][0]}–{WEEKDAYS[w2][0]}"
            return [short, long] if k < 0 else [f"{short} next week", f"next week {long}"]
        return []

    def time(self, tod: Time) -> list[str]:
        h, m = divmod(tod.minutes, 60)
        if tod.kind == "midnight":
            return ["midnight", "at midnight"]
        if tod.kind == "bare":
            forms = [f"at {h}" if not m else f"at {h}:{m:02}"]
            if not m:
                forms.append(f"{h} o'clock")
            words = {**NUMBERS, 11: "eleven", 12: "twelve"}
            if m == 30 and h != 12:
                forms += [f"half past {h}", f"{h}:30", f"half past {words[h]}"]
            if not m:
                forms += [f"at {words[h]}", f"{words[h]} o'clock"]
            elif m == 0:
                forms.append(f"at {h} o'clock")
            return forms
        if tod.kind == "exact":
            twelve = h % 12 or 12
            ap = "am" if h < 12 else "pm"
            mm = f":{m:02}" if m else ""
            forms = [f"{twelve}{mm}{ap}", f"{twelve}{mm} {ap}", f"{twelve}{mm} {ap.upper()}"]
            if not 10 <= h <= 11:  # "10:30" is a bare hour (the working-hours rule): "09:30" and "14:30" are not
                forms.append(f"{h:02}:{m:02}")
            if h >= 13:
                forms.append(f"{h}:{m:02}")
            if (h, m) == (12, 0):
                forms += ["noon", "midday", "12 noon"]
            if 13 <= h <= 17 and not m:
                forms.append(f"{twelve} in the afternoon")
            if 18 <= h <= 22 and not m:
                forms.append(f"{twelve} in the evening")
            if 7 <= h <= 11 and not m:
                forms.append(f"{h} in the morning")
            if (h, m) == (17, 0):
                forms += ["EOD", "COB", "close of business"]
            if (h, m) == (9, 0):
                forms.append("first thing")
            return forms
        return []

    def order(self, day: str, tod: str, rng: random.Random) -> str:
        if day and tod and rng.random() < 0.25:
            return f"{tod} {'on ' if day[0].isupper() and rng.random() < 0.5 else ''}{day}"
        return super().order(day, tod, rng)


GRAMMAR = English(
    code="en",
    zone="Europe/London",
    leads=("by", "until", "no later than", "before", "deadline:", "due"),
    trails=("at the latest",),
    zones=(
        ("Berlin time", Zone("Europe/Berlin")),
        ("London time", Zone("Europe/London")),
        ("Seoul time", Zone("Asia/Seoul")),
        ("Busan time", Zone("Asia/Seoul")),
        ("Jakarta time", Zone("Asia/Jakarta")),
        ("Surabaya time", Zone("Asia/Jakarta")),
        ("Tokyo time", Zone("Asia/Tokyo")),
        ("Beijing time", Zone("Asia/Shanghai")),
        ("German time", Zone("Europe/Berlin")),
        ("Korean time", Zone("Asia/Seoul")),
        ("Japan time", Zone("Asia/Tokyo")),
        ("China time", Zone("Asia/Shanghai")),
        ("UK time", Zone("Europe/London")),
        ("CET", Zone(hours=1)),
        ("CEST", Zone(hours=2)),
        ("KST", Zone(hours=9)),
        ("JST", Zone(hours=9)),
        ("WIB", Zone(hours=7)),
        ("UTC", Zone(hours=0)),
        ("GMT", Zone(hours=0)),
    ),
    vague=("next week", "soon", "later", "next month", "sometime next week", "asap", "in a while", "weekend"),
    fused=(
        ("tonight", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("midnight tonight", Day("offset", (0,)), Time("midnight")),
        ("tomorrow first thing", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("first thing Monday", Day("weekday", (0,)), Time("exact", 9 * 60)),
        ("first thing tomorrow", Day("offset", (1,)), Time("exact", 9 * 60)),
    ),
    parts=(("morning", 9 * 60), ("afternoon", 15 * 60), ("evening", 19 * 60), ("EOD", 17 * 60), ("COB", 17 * 60)),
    titles=("Send the MoU draft", "Confirm the delegation list", "Book the meeting room", "Share the budget plan"),
    owners=(("@kim_busan", ("@kim_busan",)), ("owner: Budi Santoso", ("Budi Santoso",))),
    action_leads=("by", "due", "no later than", "before"),
)
