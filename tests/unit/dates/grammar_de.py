"""German as coordinators write it in chats and deadline lines (the group's zone: Europe/Berlin)."""

from __future__ import annotations

import random
import re
from datetime import date

from tests.unit.dates.corpus import Day, Grammar, Time, Zone

WEEKDAYS = (
    ("Montag", "Mo", "Mo.", "montag"),
    ("Dienstag", "Di", "Di.", "dienstag"),
    ("Mittwoch", "Mi", "Mi.", "mittwoch", "Mitwoch"),
    ("Donnerstag", "Do", "Do.", "donnerstag"),
    ("Freitag", "Fr", "Fr.", "freitag"),
    ("Samstag", "Sa", "Sa.", "Sonnabend"),
    ("Sonntag", "sonntag"),  # not "So": that is the word "so"
)
MONTHS = (
    ("Januar", "Jan.", "Jan", "Jänner"), ("Februar", "Feb.", "Feb"), ("März", "Mär.", "Mrz.", "Maerz"),
    ("April", "Apr."), ("Mai",), ("Juni", "Jun."), ("Juli", "Jul."), ("August", "Aug."),
    ("September", "Sep.", "Sept."), ("Oktober", "Okt."), ("November", "Nov."), ("Dezember", "Dez."),
)  # fmt: skip
NUMBERS = {1: "eins", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht", 9: "neun",
           10: "zehn", 11: "elf", 12: "zwölf"}  # fmt: skip
IN_NUMBERS = {1: "einem", 2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht",
              9: "neun", 10: "zehn"}  # fmt: skip

BERLIN, LONDON = Zone("Europe/Berlin"), Zone("Europe/London")
SEOUL, TOKYO, JAKARTA, SHANGHAI = Zone("Asia/Seoul"), Zone("Asia/Tokyo"), Zone("Asia/Jakarta"), Zone("Asia/Shanghai")


# "halb sieben" is 6:30, "halb zwölf" 11:30, "halb eins" 12:30: the engine applies the working-hours rule to the hour
# named (7, 12, 1), not to the one meant (6, 11, 12), so these read differently from the reference (engine_de.md)
HALB_BARE = (1, 2, 3, 4, 5, 7, 8, 9, 10)
DOTTED_PAIR = re.compile(r"\d\.\d{1,2}$")
DAY_FIRST_WORDS = frozenset(w for names in WEEKDAYS for w in names) | {"Sonnabend"}


def _hour_word(h: int) -> str:
    return "ein" if h == 1 else NUMBERS[h]


class German(Grammar):
    def day(self, day: Day) -> list[str]:
        kind, a = day.kind, day.args
        if kind == "offset":
            return {
                -1: ["gestern", "Gestern"],
                0: ["heute", "Heute", "heute noch", "heut"],
                1: ["morgen", "Morgen", "morgen noch"],
                2: ["übermorgen", "Übermorgen", "uebermorgen"],
            }[a[0]]
        if kind == "weekday":
            names = WEEKDAYS[a[0]]
            return [*names, f"am {names[0]}", f"am {names[-2]}"]
        if kind == "next_weekday":
            name, short = WEEKDAYS[a[0]][0], WEEKDAYS[a[0]][1]
            return [f"nächsten {name}", f"nächsten {short}", f"naechsten {name}", f"am nächsten {name}",
                    f"nächster {name}"]  # fmt: skip
        if kind == "coming_weekday":
            name, short = WEEKDAYS[a[0]][0], WEEKDAYS[a[0]][1]
            return [f"kommenden {name}", f"am kommenden {name}", f"kommenden {short}", f"diesen kommenden {name}"]
        if kind == "week_weekday":
            w, k = a
            name, short = WEEKDAYS[w][0], WEEKDAYS[w][1]
            return {
                0: [f"diese Woche {name}", f"{name} diese Woche", f"diese Woche am {name}", f"{name} dieser Woche",
                    f"diese Woche {short}"],
                1: [f"nächste Woche {name}", f"nächste Woche am {name}", f"{name} nächste Woche",
                    f"{name} nächster Woche", f"kommende Woche {name}", f"{name} kommender Woche",
                    f"naechste Woche {short}", f"{short} nächste Woche", f"{name} der nächsten Woche"],
                2: [f"übernächste Woche {name}", f"{name} übernächste Woche", f"übernächste Woche am {name}",
                    f"{name} übernächster Woche", f"uebernaechste Woche {short}", f"{name} der übernächsten Woche"],
            }[k]  # fmt: skip
        if kind == "month_day":
            m, d = a
            forms = []
            for month in MONTHS[m - 1]:
                forms += [f"{d}. {month}", f"am {d}. {month}", f"{d}.{month}"]
            return [*forms, f"{d} {MONTHS[m - 1][0]}", f"{d:02}. {MONTHS[m - 1][0]}", f"den {d}. {MONTHS[m - 1][0]}"]
        if kind == "numeric":
            m, d = a
            return [f"{d}.{m}.", f"{d}.{m:02}.", f"am {d}.{m}.", f"am {d}.{m:02}", f"am {d}.{m}", f"{d}/{m}",
                    f"zum {d}.{m}.", f"den {d}.{m:02}."]  # fmt: skip
        if kind == "day_of_month":
            d = a[0]
            return [f"am {d}.", f"zum {d}.", f"den {d}.", f"am {d}. des Monats"]
        if kind == "next_month_day":
            d = a[0]
            return [f"am {d}. nächsten Monats", f"am {d}. des nächsten Monats", f"zum {d}. nächsten Monats",
                    f"nächsten Monat am {d}.", f"am {d}. kommenden Monats", f"{d}. nächsten Monat"]  # fmt: skip
        if kind == "iso":
            y, m, d = a
            wd = WEEKDAYS[date(y, m, d).weekday()]
            return [f"{y}-{m:02}-{d:02}", f"{d}.{m}.{y}", f"{d:02}.{m:02}.{y}", f"{d}. {MONTHS[m - 1][0]} {y}",
                    f"{d:02}.{m:02}.{y % 100:02}", f"am {d}.{m}.{y}", f"{wd[0]}, {d:02}.{m:02}.{y}",
                    f"{wd[0]}, den {d}. {MONTHS[m - 1][0]} {y}", f"{d:02}.{m:02}.{y} ({wd[1]}.)"]  # fmt: skip
        if kind == "in_days":
            n = a[0]
            if n == 1:
                return ["in einem Tag", "in 1 Tag"]
            return [f"in {n} Tagen", f"in {IN_NUMBERS[n]} Tagen", f"in {n} Tg.", f"innerhalb von {n} Tagen",
                    f"binnen {n} Tagen"]  # fmt: skip
        if kind == "in_weeks":
            n = a[0]
            if n == 1:
                return ["in einer Woche", "in 1 Woche", "heute in einer Woche", "in 7 Tagen", "innerhalb einer Woche",
                        "binnen einer Woche"]  # fmt: skip
            return [f"in {n} Wochen", f"in {IN_NUMBERS[n]} Wochen", f"heute in {IN_NUMBERS[n]} Wochen",
                    f"in {7 * n} Tagen", f"innerhalb von {n} Wochen", f"binnen {7 * n} Tagen"]  # fmt: skip
        if kind == "in_minutes":
            return {
                15: ["in 15 Minuten", "in 15 Min.", "in 15 min", "in einer Viertelstunde", "in ner Viertelstunde"],
                30: ["in 30 Minuten", "in einer halben Stunde", "in ner halben Stunde", "in 30 Min",
                     "in 'ner halben Stunde"],
                45: ["in 45 Minuten", "in 45 min", "in einer Dreiviertelstunde", "in einer dreiviertel Stunde"],
                60: ["in einer Stunde", "in 1 Stunde", "in 1 Std.", "in 60 Minuten", "in 1h", "in ner Stunde"],
                90: ["in anderthalb Stunden", "in eineinhalb Stunden", "in 1,5 Stunden", "in 1,5 Std.",
                     "in 90 Minuten", "in einer Stunde und 30 Minuten", "in 1 Std. 30 Min."],
                120: ["in 2 Stunden", "in zwei Stunden", "in 2 Std.", "in 2h", "in 2 Std"],
                180: ["in 3 Stunden", "in drei Stunden", "in 3 Std."],
                1440: ["in 24 Stunden", "in 24 Std."],
            }[a[0]]  # fmt: skip
        if kind == "end_week":
            return ["Ende der Woche", "Ende dieser Woche", "ende der woche", "zum Wochenende", "Ende Woche",
                    "Ende der Arbeitswoche", "zum Ende der Woche"]  # fmt: skip
        if kind == "end_next_week":
            return ["Ende nächster Woche", "Ende der nächsten Woche", "Ende kommender Woche", "Ende naechster Woche",
                    "zum Ende nächster Woche", "Ende nächste Woche"]  # fmt: skip
        if kind == "end_month":
            return ["Ende des Monats", "Monatsende", "zum Monatsende", "Ende dieses Monats", "Ende Monat",
                    "zum Ende des Monats", "ende des monats"]  # fmt: skip
        if kind == "end_next_month":
            return ["Ende nächsten Monats", "Ende des nächsten Monats", "Ende kommenden Monats",
                    "zum Ende des nächsten Monats", "Ende nächsten Monat"]  # fmt: skip
        if kind == "weekday_range":
            w1, w2, k = a
            (l1, s1), (l2, s2) = WEEKDAYS[w1][:2], WEEKDAYS[w2][:2]
            plain = [f"{s1}–{s2}", f"{s1}-{s2}", f"{s1}.-{s2}.", f"{s1} - {s2}", f"{l1} bis {l2}",
                     f"von {l1} bis {l2}", f"{l1}–{l2}", f"{s1} bis {s2}"]  # fmt: skip
            if k < 0:
                return plain
            return [f"nächste Woche {s1}–{s2}", f"{s1}-{s2} nächste Woche", f"nächste Woche {l1} bis {l2}",
                    f"{l1} bis {l2} nächster Woche", f"kommende Woche {s1}-{s2}"]  # fmt: skip
        return []

    def time(self, tod: Time) -> list[str]:
        h, m = divmod(tod.minutes, 60)
        if tod.kind == "midnight":
            return ["Mitternacht", "um Mitternacht", "24 Uhr", "um 24 Uhr", "24:00", "24:00 Uhr", "12 Uhr nachts"]
        if tod.kind == "bare":
            if m == 0:
                return [f"um {h}", f"{h} Uhr", f"um {h} Uhr", f"um {NUMBERS[h]}", f"{_hour_word(h).capitalize()} Uhr",
                        f"gegen {h} Uhr", f"um {_hour_word(h)} Uhr", f"ca. {h} Uhr"]  # fmt: skip
            if h in HALB_BARE:
                return [f"halb {h + 1}", f"um halb {h + 1}", f"um halb {NUMBERS[h + 1]}", f"halb {NUMBERS[h + 1]}"]
            return []
        if tod.kind == "exact":
            return self._exact(h, m)
        return []

    def _exact(self, h: int, m: int) -> list[str]:
        forms = [f"{h:02}:{m:02}", f"{h}:{m:02}", f"{h}:{m:02} Uhr", f"{h}.{m:02} Uhr", f"um {h}:{m:02}",
                 f"um {h}.{m:02} Uhr", f"{h:02}:{m:02} Uhr", f"{h}:{m:02}Uhr"]  # fmt: skip
        if h >= 13 or h == 0:
            forms += [f"{h} Uhr", f"um {h} Uhr"] if not m else [f"{h} Uhr {m}", f"{h}.{m:02}"]
        if h >= 13:
            forms.append(f"{h}:{m:02}h" if not m else f"{h}.{m:02}h")
        twelve = h - 12
        if 1 <= h <= 5 and m in (0, 30):  # "3 Uhr nachts", "5 Uhr früh"
            if not m:
                forms += [f"{h} Uhr nachts", f"{h} Uhr früh", f"um {h} Uhr morgens"]
            else:
                forms += [f"{h}:30 Uhr nachts", f"{h}:30 früh", f"halb {h + 1} nachts"]
        if 6 <= h <= 11:
            if not m:
                forms += [f"{h} Uhr morgens", f"um {h} Uhr früh", f"morgens um {h}", f"{h} Uhr vormittags"]
                if h >= 9:
                    forms.append(f"vormittags um {h}")
            elif m == 30:
                forms += [f"halb {h + 1} morgens", f"um halb {h + 1} vormittags"] if h < 11 else []
            elif m == 15:
                forms.append(f"Viertel nach {h} morgens")
        if h == 12 and not m:
            forms += ["12 Uhr mittags", "mittags um 12", "Punkt 12", "um Punkt 12"]
        if (h, m) == (12, 30):
            forms.append("halb eins mittags")
        if 13 <= h <= 18:
            if not m:
                forms += [f"{twelve} Uhr nachmittags", f"nachmittags um {twelve}", f"um {twelve} Uhr nachmittags"]
                if h <= 15:
                    forms.append(f"{twelve} Uhr mittags")
            elif m == 30:
                forms += [f"halb {twelve + 1} nachmittags", f"{twelve}:30 nachmittags"]
        if 18 <= h <= 23:
            if not m:
                forms += [f"{twelve} Uhr abends", f"abends um {twelve}", f"um {twelve} Uhr abends"]
                if h >= 22:
                    forms.append(f"{twelve} Uhr nachts")
            elif m == 30 and h < 23:
                forms += [f"halb {twelve + 1} abends", f"um halb {twelve + 1} abends"]
        if (h, m) == (17, 0):
            forms += ["Feierabend", "zum Feierabend", "Dienstschluss", "Büroschluss", "EOD"]
        return forms

    def with_zone(self, phrase: str, zone_name: str, rng: random.Random) -> str:
        if rng.random() < 0.25:
            return f"{phrase} ({zone_name})"
        return f"{phrase} {zone_name}"

    def order(self, day: str, tod: str, rng: random.Random) -> str:
        if not day or not tod:
            return day or tod
        first = day.split()[0].rstrip(",")
        if rng.random() < 0.2 and (first in DAY_FIRST_WORDS or first[0].isdigit()):
            if "-" not in day[1:] and "–" not in day and " bis " not in day and "/" not in day:
                return f"{tod} am {day}"
        roll = rng.random()
        if roll < 0.25:
            return f"{day}, {tod}"
        # "Freitag bis 12 Uhr"; not after "am 17.10", which is read as a range of times (engine_de.md)
        if roll < 0.4 and not DOTTED_PAIR.search(day) and not tod.startswith("am "):
            return f"{day} bis {tod[3:] if tod.startswith('um ') and rng.random() < 0.5 else tod}"
        return f"{day} {tod}"


GRAMMAR = German(
    code="de",
    zone="Europe/Berlin",
    leads=("bis", "spätestens", "bis spätestens", "Deadline:", "Deadline", "Frist:", "Abgabe:", "Abgabe bis",
           "fällig:", "Fällig bis", "bis allerspätestens", "Termin:", "Frist bis", "bitte bis", "Bitte bis",
           "Abgabetermin:", "Einsendeschluss:", "Stichtag:", "spätestens bis"),
    trails=("spätestens", "(spätestens)", "ist Deadline", "als Deadline", "ist Abgabe", "ist Frist",
            "ist Stichtag"),
    zones=(
        ("MEZ", Zone(hours=1)),
        ("MESZ", Zone(hours=2)),
        ("CET", Zone(hours=1)),
        ("CEST", Zone(hours=2)),
        ("UTC", Zone(hours=0)),
        ("GMT", Zone(hours=0)),
        ("KST", Zone(hours=9)),
        ("JST", Zone(hours=9)),
        ("WIB", Zone(hours=7)),
        ("deutscher Zeit", BERLIN),
        ("deutsche Zeit", BERLIN),
        ("nach deutscher Zeit", BERLIN),
        ("Berliner Zeit", BERLIN),
        ("dt. Zeit", BERLIN),
        ("Berlin-Zeit", BERLIN),
        ("Seoul-Zeit", SEOUL),
        ("Tokio-Zeit", TOKYO),
        ("Peking-Zeit", SHANGHAI),
        ("Shanghai-Zeit", SHANGHAI),
        ("mitteleuropäischer Zeit", BERLIN),
        ("Ortszeit Berlin", BERLIN),
        ("Münchner Zeit", BERLIN),
        ("Ortszeit München", BERLIN),
        ("Braunschweiger Zeit", BERLIN),
        ("Ortszeit Braunschweig", BERLIN),
        ("Londoner Zeit", LONDON),
        ("Ortszeit London", LONDON),
        ("britischer Zeit", LONDON),
        ("koreanischer Zeit", SEOUL),
        ("koreanische Zeit", SEOUL),
        ("Ortszeit Seoul", SEOUL),
        ("Seouler Zeit", SEOUL),
        ("Ortszeit Busan", SEOUL),
        ("Ortszeit Korea", SEOUL),
        ("japanischer Zeit", TOKYO),
        ("Ortszeit Tokio", TOKYO),
        ("Tokioter Zeit", TOKYO),
        ("Ortszeit Tokyo", TOKYO),
        ("Ortszeit Osaka", TOKYO),
        ("Ortszeit Kochi", TOKYO),
        ("Ortszeit Japan", TOKYO),
        ("chinesischer Zeit", SHANGHAI),
        ("Pekinger Zeit", SHANGHAI),
        ("Ortszeit Peking", SHANGHAI),
        ("Ortszeit Beijing", SHANGHAI),
        ("Ortszeit Shanghai", SHANGHAI),
        ("Ortszeit Schanghai", SHANGHAI),
        ("Ortszeit Guangzhou", SHANGHAI),
        ("Ortszeit China", SHANGHAI),
        ("indonesischer Zeit", JAKARTA),
        ("Jakarta-Zeit", JAKARTA),
        ("Ortszeit Jakarta", JAKARTA),
        ("Ortszeit Surabaya", JAKARTA),
        ("Ortszeit Bandung", JAKARTA),
        ("Ortszeit Indonesien", JAKARTA),
        ("Ortszeit Deutschland", BERLIN),
    ),
    vague=("nächste Woche", "bald", "demnächst", "später", "irgendwann nächste Woche", "am Wochenende",
           "übers Wochenende", "nächsten Monat", "zeitnah", "asap", "so bald wie möglich", "Anfang nächster Woche",
           "Mitte nächster Woche", "in den nächsten Tagen", "im Laufe der Woche", "morgen oder übermorgen",
           "Anfang Dezember", "Mitte März", "irgendwann", "gleich", "kommende Woche", "bis Jahresende",
           "nach Ostern", "vor Weihnachten", "letzten Freitag", "Mitte des Monats", "Anfang nächsten Monats",
           "zwischen Montag und Mittwoch"),
    fused=(
        ("heute Abend", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("heute Nachmittag", Day("offset", (0,)), Time("exact", 15 * 60)),
        ("heute Vormittag", Day("offset", (0,)), Time("exact", 10 * 60)),
        ("heute Mittag", Day("offset", (0,)), Time("exact", 12 * 60)),
        ("heute um Mitternacht", Day("offset", (0,)), Time("midnight")),
        ("heute Abend um 8", Day("offset", (0,)), Time("exact", 20 * 60)),
        ("morgen früh", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("morgen frueh", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("morgen früh um 8", Day("offset", (1,)), Time("exact", 8 * 60)),
        ("morgen Vormittag", Day("offset", (1,)), Time("exact", 10 * 60)),
        ("morgen Mittag", Day("offset", (1,)), Time("exact", 12 * 60)),
        ("morgen Nachmittag", Day("offset", (1,)), Time("exact", 15 * 60)),
        ("morgen Abend", Day("offset", (1,)), Time("exact", 19 * 60)),
        ("übermorgen früh", Day("offset", (2,)), Time("exact", 9 * 60)),
        ("gestern Abend", Day("offset", (-1,)), Time("exact", 19 * 60)),
        ("Freitagabend", Day("weekday", (4,)), Time("exact", 19 * 60)),
        ("Montagmorgen", Day("weekday", (0,)), Time("exact", 9 * 60)),
        ("Montag früh", Day("weekday", (0,)), Time("exact", 9 * 60)),
        ("Mittwochnachmittag", Day("weekday", (2,)), Time("exact", 15 * 60)),
        ("Dienstagvormittag", Day("weekday", (1,)), Time("exact", 10 * 60)),
        ("Donnerstagmittag", Day("weekday", (3,)), Time("exact", 12 * 60)),
        ("Donnerstag Feierabend", Day("weekday", (3,)), Time("exact", 17 * 60)),
    ),
    parts=(("morgens", 9 * 60), ("vormittags", 10 * 60), ("am Vormittag", 10 * 60), ("mittags", 12 * 60),
           ("nachmittags", 15 * 60), ("am Nachmittag", 15 * 60), ("abends", 19 * 60), ("am Abend", 19 * 60),
           ("Feierabend", 17 * 60), ("zum Feierabend", 17 * 60), ("Dienstschluss", 17 * 60)),
    titles=("MoU-Entwurf an Kochi schicken", "Delegationsliste bestätigen", "Besprechungsraum buchen",
            "Budgetplan mit Surabaya teilen", "Protokoll der Videokonferenz verschicken",
            "Gastfamilien für den Schüleraustausch finden"),
    owners=(("verantwortlich: Anna Schmidt", ("Anna Schmidt",)), ("@anna_schmidt", ("@anna_schmidt",)),
            ("Verantwortlich: Jonas Weber, Lena Müller", ("Jonas Weber", "Lena Müller"))),
    action_leads=("bis", "bis spätestens", "due"),
)  # fmt: skip
