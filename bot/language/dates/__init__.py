"""Natural-language dates per language and time zone ("besok jam 10", "내일 오전 10시", "morgen um 10 Uhr").

``parse_when(text, lang, tz, now)`` turns what a group member wrote into an aware UTC instant, or ``None`` when the
text is not (exactly) a date. ``read_date`` answers the same instant as a :class:`Reading` that also carries the other
plausible reading, when there is one, so that a caller can offer it as a choice instead of guessing. dateparser
alone gets many of these wrong (it drops the hour of "besok jam 10" and reads "jam 10" as the 10th of the month), so
the work is split. The package: ``reading.py`` (:func:`read_date` and its kin), ``engine.py`` (the parse),
``rules.py`` (each language's compiled rules, numbers, normalisation), ``spec.py`` (what a language's rule table
holds), ``zones.py`` (zone abbreviations and places) and one module of rule tables per language (``id.py``,
``en.py``, ``ko.py``, ``de.py``, ``ja.py``, ``zh.py``), so that a native speaker can review and extend one language
in one file. The generated corpus in ``tests/unit/dates/`` checks every form in every language against an independent
reference.

0. Deadline words around the phrase ("paling lambat", "spätestens", "no later than", "までに", "〆切：", "截止") are
   dropped (``Spec.deadline_words``).
1. An explicit zone switches the zone. An abbreviation names one fixed offset: WIB +7, WITA +8, WIT +9, KST and
   JST +9, UTC/GMT 0, CET/MEZ +1 and CEST/MESZ +2, BST +1 whatever the date (they are what the writer's clock
   showed). A place names its IANA zone, summer time following the date: a city or a country in the language's
   frame ("jam 9 waktu Busan", "9 Uhr Berliner Zeit", "서울 시간 오후 3시", "ドイツ時間の月曜9時",
   "德国时间周一上午9点", "London time"), from ``zones.LATIN_PLACES``, the language's own spellings
   (``Spec.places``) and the bridge's own cities by their labels (``read_date(places=…)``). Two different zones
   refuse. The reading says which zone it read (``Reading.zone``, ``Reading.zone_label``); the date is that zone's
   ("besok" in Busan's tomorrow).
   A weekday in parentheses after a date ("8 April (Wed)", "4월 8일(수)", "4月8日(水)") is checked against it.
   Calendar weeks ("KW 20", "week 20", "minggu ke-20", "20주차", "第20周") are read next.
2. Relative durations ("dalam 2 jam", "2시간 후", "in 3 Tagen") are read by our own rules.
3. Numeric dates with a year (ISO "2026-12-01", "30.03.2026", "2026. 3. 30."), then ranges of times, of which only
   the start is kept, and end-of-period words ("end of the month", "akhir pekan", "월말", "Monatsende", "月末").
4. The time of day is read by per-language regexes ("jam 10", "pukul 09.00", "오후 3시 30분", "14.30 Uhr", "10am") and
   period words (pagi/siang/sore/malam, 오전/오후/아침/저녁/밤, morgens/nachmittags/abends, morning/evening …).
5. Dates without a year ("30 Maret", "3월 30일", "30. März", "30.03.", "25/12"), relative days (besok, lusa,
   내일, 모레, morgen, übermorgen, tomorrow …) and weekdays ("Jumat", "Senin depan", "다음 주 월요일").
6. Whatever is left must be filler words ("pada", "um", "at", "에", "까지" …). If something else is left and no date
   was found yet, dateparser gets the rest -- for the date part only -- and its answer is accepted only when the rest
   holds a date-like token (a month name; for languages without our own rules also digit-free words such as
   "après-demain", which dateparser must know entirely) and it names a whole day (period "day", no time of day,
   a plausible year). Anything else is ``None``: never a silently wrong date. dateparser runs with
   PREFER_DATES_FROM=future, REQUIRE_PARTS=day+month, DATE_ORDER per language and RELATIVE_BASE = local midnight of
   "today" in the group's zone (only the date is used, and a per-day base lets one parser per language and day be
   cached and reused).

Rules chosen where the brief left a choice (also tested in tests/unit/test_dates.py):

* A bare date ("besok", "30 Maret", "Freitag") means 17:00 local, the end of the working day. "Yesterday" forms
  (kemarin, 어제, gestern, 昨日, 昨天) are read as such: the instant is past, and callers refuse it as past.
* A bare time ("jam 10", "15:00", "10am") is its next occurrence: today if still ahead (strictly), else tomorrow.
* A bare hour -- no period word (pagi, 오후, am, nachmittags, 午後, 下午 …), no written minutes, no leading zero -- is
  read in working hours: 1–6 are 13–18 ("Rabu jam 4", "목요일 4시", "um 4", "4時", "4点" are 16:00), 7–12 as said.
  Spoken halves and quarters count as bare ("3시 반", "三点半", "halb vier" are 15:30, "Viertel vor 10" 09:45,
  "viertel nach 9" 09:15, "half past 2" 14:30). Minutes ("4:00", "jam 4.30", "4시 30분"), a leading zero ("04:00",
  "04시") or an hour of 13 and more keep the 24-hour clock. In English business writing a bare "4:30" is the
  afternoon too (``Spec.minutes_bare``): "Thursday 4:30" is 16:30, 04:30 offered; "04:30" and "4:30am" are 04:30.
  The other reading is offered (see below).
  Recurring reminders and the digest time (:mod:`bot.language.schedule`) read a bare hour the same way; only dates offer
  the other reading.
* A range of times is its start ("Kamis 13.00–15.00", "오전 9시~11시", "2pm-3pm", "午前9時〜11時", "下午2点到3点",
  "9 bis 11 Uhr"). Separators: - – — ~ 〜, "bis" (de), "から" (ja), "到"/"至" (zh); "sampai", "to" and
  "zwischen … und" are not (they also mean "until" or are unclear). The start lends the end's unit ("9–11 Uhr" is
  "9 Uhr"). A bare start follows the bare-hour rule unless the end shows the 24-hour clock (an end of 13 or more, or
  with minutes: "9–14 Uhr", "2–3:30" read the start as written). An am/pm written on the end only ("10-11am") is
  ``None``: does it cover the start? Without a clock word, unit, minutes or am/pm, "8-10" is no range.
* A plain weekday is its next occurrence; today's weekday means today if the time (17:00 when none) is still ahead,
  else the same weekday next week. "next friday" / "Jumat depan" / "nächsten Freitag" / "다음 금요일" is the first
  Friday strictly after today; when that Friday is still in the current ISO week, the same Friday a week later is
  offered as the other reading ("this coming Friday" / "kommenden Freitag" offer none). Japanese "次の金曜" is such a
  "next"; "来週金曜" names the week. Chinese has no such form: "下周五" always names the week. Forms naming the
  week ("Senin minggu depan", "다음 주 월요일", "담주 월욜", "nächste Woche Montag", "friday next week",
  "来週の金曜日", "下周五") are that weekday in the next ISO week (weeks start on Monday);
  "this week" forms (이번 주, diese Woche, 本周) are that weekday in the current week, even if already past.
  "next week" / "minggu depan" without a weekday is too vague and gives ``None``. The week after next
  ("Friday the week after next", "Jumat minggu depan lagi", "다다음 주 금요일", "übernächste Woche Freitag",
  "再来週の金曜日", "下下周五") is that weekday two ISO weeks ahead.
* A range of weekdays ("Mon-Wed", "Senin–Rabu", "월~수요일", "Mo–Mi", "月〜水", "下周二到周四") is its start, like a
  range of times; the end is offered as the other reading (kind ``"range"``).
* A day of next month ("the 5th of next month", "tgl 5 bulan depan", "다음 달 3일", "am 5. nächsten Monats",
  "来月5日", "下个月5号") is that day of the next calendar month (``None`` when it has no such day).
* Relative durations: minutes and hours are exact elapsed time from ``now``; days and weeks are calendar days in the
  group's zone at the same wall-clock time ("in 3 Tagen" at 10:00 is 10:00 three days later, also across a DST
  change). Only whole-day durations combine with a time ("3 hari lagi jam 10").
* Midnight words ("midnight", "tengah malam", "jam 12 malam", "밤 12시", "자정", "Mitternacht", "24:00") mean the end
  of the given day, i.e. 00:00 of the next day; "12am" / "오전 12시" is 00:00 at the start of the day.
* Period words convert the hour: pagi/morning/morgens/아침 0–11 as said; 오전/午前/上午/am 12 → 0;
  siang/mittags/낮 11–12 as said, 1–3 → 13–15; sore/afternoon/nachmittags 1–7 → 13–19; 저녁/evening/abends 4–11 → +12;
  malam/밤/nachts/night 6–11 → +12, 12 → midnight; a 24-hour value must agree with its period ("15.00 pagi" → None).
  A period word alone has a default hour (pagi 09:00, siang 12:00, sore 15:00, malam 19:00, 저녁 19:00, 밤 21:00 …).
* Numeric day/month: id and de read D/M strictly; en reads D/M unless only M/D is possible ("3/30"); ko, ja and zh
  read M/D (D/M when only that is possible). "30.03." with a trailing dot is a date in de and en; "10.30" is a time.
  After a date word or preposition a dotted pair is day.month ("tgl 8.4", "am 8.4", "bis 8.4.", "on 8.4"), when it
  is a valid one ("bis 8.30" stays a time). When both orders are real dates, the swapped one is offered as the other
  reading for slash forms in every language ("4/5") and for dotted forms in en ("04.05.", "on 8.4"); id and de read
  dotted forms strictly, without another reading.
* A date without a year is that date in the last 62 days (returned as past: callers refuse it and say so; today
  counts as today), else its next occurrence ("12 Maret" on 25 March is 12 March this year; "20 Januari" on 24 March,
  63 days later, is next year's); "29 Februari" is the next leap day. A lone day of the month ("tanggal 5", "30일")
  is still its next occurrence.
* End of the day ("EOD", "COB", "close of business", "akhir hari", "jam pulang kantor", "퇴근 전", "Feierabend",
  "終業", "定時", "下班前") is 17:00 of the day named, else the next 17:00. End of the week ("end of the week",
  "akhir pekan", "akhir minggu", "주말(까지)", "이번 주말", "Ende der Woche", "(bis zum) Wochenende", "週末", "周末")
  is the last working day of the current week at 17:00 (Friday in a Monday–Friday week; the group's working week
  decides: ``read_date(workdays=…)``), next week's once that has passed (a deadline's weekend starts after
  work; "am Wochenende" / "übers Wochenende" name the weekend itself and are ``None``; English "weekend" is
  ``None``). End of next week ("akhir minggu depan", "다음 주말", "Ende nächster Woche", "nächstes Wochenende",
  "来週末", "下周末") is the last working day of the next ISO week. End of the month ("akhir bulan", "월말",
  "이번 달 말", "Monatsende", "Ende des Monats", "月末", "月底") is the month's last working day at 17:00 (a month
  ending on a Saturday ends on Friday the 30th; next month's once past); "end of next month" ("akhir bulan depan",
  "다음 달 말", "Ende nächsten Monats", "来月末", "下个月底") is next month's. ``Reading.off_day`` says when the day
  named falls outside the working week (callers say so: "Saturday is outside this group's working week").
* A calendar week ("KW 20", "week 20", "minggu ke-20", "20주차", "第20週", "第20周") is the Monday of that ISO week
  at 17:00 (the earliest reading, so nothing is late), in the first ISO year where that Monday is not more than 62
  days ago; with a weekday ("Freitag KW 20") that weekday of the week.
* Everyday short forms and misspellings are read: id "bsk", "besuk", "bsok", "lsa", "hr ini", "sen", "sel", "rab",
  "kam", "jum", "sab"; en "tmrw", "tmr", "tommorow", "2moro", "tonite", "weds", "thurs", "tues", "fri" and common
  misspelt weekdays; ko "낼", "낼모레", "담주", "월욜"/"금욜"; de "Mo", "Di.", "Mi.", "Do", "Fr.", "Sa" (not "So":
  the word "so"), hours in words ("um vier"); ja "あした", "あす", "しあさって"; zh "周五", "礼拜五", "下礼拜一".

The other reading (:class:`Reading`, ``other`` and ``kind``) is set where two readings are both plausible:

* ``"hour"``: a bare hour 1–6 (default 13–18) has the other reading 01–06; a bare 7–11 has 19–23; 12 has none.
  The other reading is a time of day like any other: its next occurrence, or on the day named.
* ``"day_month"``: a numeric date without a year that is a real date both ways (see above).
* ``"next_weekday"``: "next Friday" said while Friday is still ahead this week (see above).
* When a date ambiguity and an hour ambiguity meet, the date one is offered (a wrong day is the worse mistake).
* A non-existent local time (02:30 on the spring-forward day in Europe/Berlin) moves forward by the gap (03:30 CEST);
  an ambiguous one (02:30 on the fall-back day) is the first occurrence (fold=0, still summer time).
* Texts longer than 200 characters are not dates. Emoji are ignored.
* A weekday next to an explicit date must agree with it ("Jumat, 4 Desember 2026" is fine, "Senin, 4 Desember 2026"
  is ``None``). Past dates are returned as such; callers decide (see :func:`is_past`).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.language.dates import de, en, id, ja, ko, zh
from bot.language.dates.reading import clock_minutes, format_when, is_past, parse_when, read_date
from bot.language.dates.rules import FILLER_PUNCTUATION, babel_locale, base_language, normalise, rules_for
from bot.language.dates.spec import Reading

__all__ = [
    "EXAMPLES",
    "FILLER_PUNCTUATION",
    "Reading",
    "babel_locale",
    "base_language",
    "clock_minutes",
    "format_when",
    "is_past",
    "normalise",
    "parse_when",
    "read_date",
    "rules_for",
]

EXAMPLES: Mapping[str, tuple[str, ...]] = {m.__name__.rsplit(".", 1)[1]: m.EXAMPLES for m in (id, en, ko, de, ja, zh)}
