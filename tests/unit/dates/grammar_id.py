"""Indonesian as coordinators write it, in chat and in formal deadline lines (the group's zone: Asia/Jakarta)."""

from __future__ import annotations

import random
from datetime import date

from tests.unit.dates.corpus import Day, Grammar, Time, Zone

# full, lower case, the short form, everyday spellings
WEEKDAYS: tuple[tuple[str, ...], ...] = (
    ("Senin", "senin", "Sen", "Snn"),
    ("Selasa", "selasa", "Sel", "Slasa"),
    ("Rabu", "rabu", "Rab", "Rebo"),
    ("Kamis", "kamis", "Kam", "Kemis"),
    ("Jumat", "jumat", "Jum", "Jum'at", "Jumaat"),
    ("Sabtu", "sabtu", "Sab"),
    ("Minggu", "minggu", "Min", "Ahad"),  # "minggu" is also "week": Sunday is written "hari Minggu" or "Ahad"
)
MONTHS = (
    ("Januari", "Jan"), ("Februari", "Feb", "Pebruari"), ("Maret", "Mar"), ("April", "Apr"), ("Mei",),
    ("Juni", "Jun"), ("Juli", "Jul"), ("Agustus", "Agu", "Agt", "Ags"), ("September", "Sep", "Sept"),
    ("Oktober", "Okt"), ("November", "Nov", "Nop"), ("Desember", "Des"),
)  # fmt: skip
NUMBERS = {1: "satu", 2: "dua", 3: "tiga", 4: "empat", 5: "lima", 6: "enam", 7: "tujuh", 8: "delapan",
           9: "sembilan", 10: "sepuluh"}  # fmt: skip


def _weekday(w: int) -> list[str]:
    """A weekday alone: "Minggu" is also the word for week, so Sunday is mostly "hari Minggu"."""
    names = list(WEEKDAYS[w])
    if w == 6:
        return ["hari Minggu", "hari minggu", "Ahad", "hari Ahad"]
    return [*names, f"hari {names[0]}", f"pada hari {names[0]}", f"hr {names[1]}"]


def _long(w: int) -> list[str]:
    """Full names for the weekday in longer phrases ("Jumat minggu depan")."""
    return ["hari Minggu", "Ahad"] if w == 6 else [WEEKDAYS[w][0], WEEKDAYS[w][1], f"hari {WEEKDAYS[w][0]}"]


class Indonesian(Grammar):
    def day(self, day: Day) -> list[str]:
        kind, a = day.kind, day.args
        if kind == "offset":
            return {
                -1: ["kemarin", "kmrn", "kemaren", "Kemarin"],
                0: ["hari ini", "hr ini", "Hari ini", "hri ini", "hari ini juga"],
                1: ["besok", "Besok", "bsk", "besuk", "esok", "esok hari", "bsok"],
                2: ["lusa", "Lusa", "lsa"],
            }[a[0]]
        if kind == "weekday":
            return _weekday(a[0])
        if kind == "next_weekday":
            # "Jumat depan" said early in the week may mean this week's Friday or the next one: offered both ways
            names = _long(a[0])
            return [*(f"{n} depan" for n in names), f"{names[0]} dpn", *(["Jum'at depan"] if a[0] == 4 else [])]
        if kind == "coming_weekday":
            name = _long(a[0])
            return [f"{name[0]} mendatang", f"{name[-1]} yang akan datang", f"{name[1]} besok"]
        if kind == "week_weekday":
            w, k = a
            names = _long(w)
            if k == 0:
                return [f"{n} {week} ini" for n in names for week in ("minggu", "pekan")]
            if k == 1:
                return [
                    *(f"{n} minggu depan" for n in names),
                    f"{names[0]} pekan depan",
                    f"{names[0]} pekan mendatang",
                    f"{names[1]} mgg depan",
                    f"minggu depan hari {names[0].removeprefix('hari ')}",
                    f"pekan depan {names[0]}",
                    f"{names[0]} minggu dpn",
                ]
            return [
                f"{names[0]} minggu depannya lagi",
                f"{names[1]} pekan depannya lagi",
                f"{names[0]} minggu depan lagi",
            ]
        if kind == "month_day":
            m, d = a
            forms = []
            for month in MONTHS[m - 1]:
                forms += [f"{d} {month}", f"tgl {d} {month}", f"tanggal {d} {month}"]
            return [*forms, f"{d:02} {MONTHS[m - 1][0]}", f"tgl. {d} {MONTHS[m - 1][0].lower()}"]
        if kind == "numeric":
            m, d = a
            return [f"{d}/{m}", f"{d}/{m:02}", f"tgl {d}/{m}", f"tanggal {d}/{m:02}", f"tgl {d}.{m}"]
        if kind == "day_of_month":
            d = a[0]
            return [f"tanggal {d}", f"tgl {d}", f"tgl. {d}", f"pada tanggal {d}", f"Tgl {d:02}"]
        if kind == "next_month_day":
            d = a[0]
            return [
                f"tanggal {d} bulan depan",
                f"tgl {d} bulan depan",
                f"tgl {d} bln depan",
                f"bulan depan tanggal {d}",
                f"bulan depan tgl {d}",
            ]
        if kind == "iso":
            y, m, d = a
            wd = WEEKDAYS[date(y, m, d).weekday()][0]
            return [
                f"{wd}, {d} {MONTHS[m - 1][0]} {y}",
                f"Hari/tanggal: {wd}, {d} {MONTHS[m - 1][0]} {y}",
                f"{y}-{m:02}-{d:02}",
                f"{d} {MONTHS[m - 1][0]} {y}",
                f"{d} {MONTHS[m - 1][-1]} {y}",
                f"tanggal {d} {MONTHS[m - 1][0]} {y}",
                f"{d:02}/{m:02}/{y}",
                f"{d}/{m}/{y}",
                f"{d:02}-{m:02}-{y}",
                f"{d:02}.{m:02}.{y}",
                f"{d} {MONTHS[m - 1][0]} {y} ({wd})",
            ]
        if kind == "in_days":
            n = a[0]
            if n == 1:
                return ["sehari lagi", "dalam 1 hari", "1 hari lagi", "dalam sehari"]
            forms = [f"dalam {n} hari", f"{n} hari lagi", f"dlm {n} hari", f"{n} hari dari sekarang", f"{n} hr lg"]
            if n in NUMBERS:
                forms += [f"{NUMBERS[n]} hari lagi", f"dalam waktu {NUMBERS[n]} hari"]
            return forms
        if kind == "in_weeks":
            n = a[0]
            if n == 1:
                return [
                    "seminggu lagi",
                    "dalam seminggu",
                    "sepekan lagi",
                    "dalam 1 minggu",
                    "1 minggu lagi",
                    "seminggu lg",
                ]
            return [f"dalam {n} minggu", f"{n} minggu lagi", f"{NUMBERS[n]} minggu lagi", f"{n} pekan lagi",
                    f"dalam waktu {NUMBERS[n]} minggu", f"{n} mgg lg"]  # fmt: skip
        if kind == "in_minutes":
            n = a[0]
            return {
                15: ["dalam 15 menit", "15 menit lagi", "15 mnt lagi", "seperempat jam lagi", "15 mnt lg"],
                30: ["setengah jam lagi", "dalam 30 menit", "30 menit lagi", "dalam setengah jam"],
                45: ["45 menit lagi", "dalam 45 menit", "dlm 45 mnt"],
                60: ["sejam lagi", "satu jam lagi", "dalam 1 jam", "1 jam lagi", "dalam satu jam", "sejam lg"],
                90: ["satu setengah jam lagi", "dalam 90 menit", "1 jam 30 menit lagi", "90 menit lagi",
                     "1,5 jam lagi"],
                120: ["2 jam lagi", "dua jam lagi", "dalam 2 jam", "dalam dua jam", "2 jam lg"],
                180: ["3 jam lagi", "tiga jam lagi", "dalam 3 jam"],
                1440: ["24 jam lagi", "dalam 24 jam", "dalam waktu 24 jam", "dalam 1x24 jam", "1 x 24 jam"],
            }[n]  # fmt: skip
        if kind == "end_week":
            return ["akhir minggu", "akhir minggu ini", "akhir pekan", "akhir pekan ini", "akhir mgg ini"]
        if kind == "end_next_week":
            return ["akhir minggu depan", "akhir pekan depan", "akhir mgg depan"]
        if kind == "end_month":
            return ["akhir bulan", "akhir bulan ini", "akhir bln", "akhir bln ini"]
        if kind == "end_next_month":
            return ["akhir bulan depan", "akhir bln depan"]
        if kind == "weekday_range":
            w1, w2, k = a
            full = f"{WEEKDAYS[w1][0]}-{WEEKDAYS[w2][0]}"
            short = f"{WEEKDAYS[w1][2]}–{WEEKDAYS[w2][2]}"
            formal = f"{WEEKDAYS[w1][0]} s.d. {WEEKDAYS[w2][0]}"
            slash = f"{WEEKDAYS[w1][0]} s/d {WEEKDAYS[w2][0]}"
            if k < 0:
                return [full, short, formal, slash, f"hari {full}"]
            return [f"{full} minggu depan", f"{short} pekan depan", f"minggu depan {formal}", f"{slash} minggu depan"]
        return []

    def time(self, tod: Time) -> list[str]:
        h, m = divmod(tod.minutes, 60)
        if tod.kind == "midnight":
            return ["tengah malam", "jam 12 malam", "pukul 24.00", "jam 24.00", "pkl 24.00"]
        if tod.kind == "bare":
            if m:
                # "setengah 5" is half past four; the working-hours rule reads the hour named (5), so only where
                # that hour and the one before it fall on the same side of the rule
                return [f"jam setengah {h + 1}", f"pukul setengah {h + 1}"] if 1 <= h <= 5 or 7 <= h <= 10 else []
            return [f"jam {h}", f"pukul {h}", f"jm {h}", f"pkl {h}", f"Jam {h}"]
        if tod.kind == "exact":
            dot = f"{h:02}.{m:02}"
            forms = [f"jam {dot}", f"pukul {dot}", f"pkl. {dot}", dot, f"{h:02}:{m:02}", f"jam {h:02}:{m:02}"]
            if h >= 13 and not m:
                forms += [f"jam {h}", f"pukul {h}"]
            if h >= 10 and not m:
                forms.append(f"pk {h}.00")
            if h <= 21:  # a range of times (a meeting's start): "pukul 09.00 - 11.00", "09.00 s.d. selesai"
                end = f"{h + 2:02}.{m:02}"
                forms += [f"pukul {dot}-{end}", f"{dot} - {end}", f"pukul {dot} s.d. {end}", f"jam {dot} s/d {end}",
                          f"pukul {dot} s.d. selesai", f"tepat pukul {dot}"]  # fmt: skip
            twelve = h % 12 or 12
            clock = f"{twelve}" if not m else f"{twelve}.{m:02}"
            half = f"setengah {twelve % 12 + 1}" if m == 30 else None
            words: list[str] = []
            if 1 <= h <= 4:
                words += ["dini hari", "pagi"] if h <= 4 else []
            elif 5 <= h <= 10:
                words.append("pagi")
            elif h == 11:
                words += ["pagi", "siang"]
            elif h == 12:
                words.append("siang")
            elif 13 <= h <= 14:
                words += ["siang", "sore"]
            elif h == 15 and not m:
                words += ["siang", "sore"]
            elif 15 <= h <= 17:
                words.append("sore")
            elif h == 18:
                words += ["sore", "petang", "malam"]
            elif 19 <= h <= 23:
                words += ["malam", "mlm"]
            if "pagi" in words:
                words.append("pgi")
            for word in words:
                forms += [f"jam {clock} {word}", f"pukul {clock} {word}", f"{clock} {word}", f"pukul {dot} {word}"]
                if half is not None and h not in (0, 11, 12):
                    forms.append(f"jam {half} {word}")
            if (h, m) == (12, 0):
                forms += ["tengah hari", "jam 12 siang"]
            if (h, m) == (17, 0):
                forms += ["jam pulang kantor", "akhir hari kerja", "EOD"]
            return forms
        return []

    def with_zone(self, phrase: str, zone_name: str, rng: random.Random) -> str:
        """After the phrase; an abbreviation sometimes in parentheses ("pukul 10.00 (WIB)")."""
        if zone_name.isupper() and rng.random() < 0.25:
            return f"{phrase} ({zone_name})"
        return f"{phrase} {zone_name}"

    def order(self, day: str, tod: str, rng: random.Random) -> str:
        # not "jam 7 malam Jumat": "malam Jumat" is Thursday night
        if day and tod and not tod.endswith(("malam", "mlm")) and rng.random() < 0.3:
            return f"{tod} {day}"
        return super().order(day, tod, rng)


_PLACES = (
    ("Jakarta", "Asia/Jakarta"), ("Surabaya", "Asia/Jakarta"), ("Bandung", "Asia/Jakarta"),
    ("Seoul", "Asia/Seoul"), ("Busan", "Asia/Seoul"), ("Korea", "Asia/Seoul"), ("Korea Selatan", "Asia/Seoul"),
    ("Korsel", "Asia/Seoul"), ("Tokyo", "Asia/Tokyo"), ("Osaka", "Asia/Tokyo"), ("Kochi", "Asia/Tokyo"),
    ("Jepang", "Asia/Tokyo"), ("Beijing", "Asia/Shanghai"), ("Shanghai", "Asia/Shanghai"),
    ("Guangzhou", "Asia/Shanghai"), ("Tiongkok", "Asia/Shanghai"), ("China", "Asia/Shanghai"),
    ("Cina", "Asia/Shanghai"), ("Berlin", "Europe/Berlin"), ("Munich", "Europe/Berlin"),
    ("München", "Europe/Berlin"), ("Braunschweig", "Europe/Berlin"), ("Jerman", "Europe/Berlin"),
    ("London", "Europe/London"), ("Inggris", "Europe/London"), ("Indonesia Barat", "Asia/Jakarta"),
)  # fmt: skip

GRAMMAR = Indonesian(
    code="id",
    zone="Asia/Jakarta",
    leads=(
        "paling lambat",
        "paling telat",
        "deadline",
        "deadline:",
        "Deadline:",
        "batas waktu",
        "Batas waktu:",
        "tenggat",
        "tenggat:",
        "tenggat waktu",
        "maks",
        "maksimal",
        "max",
        "sebelum",
        "sblm",
        "sampai",
        "s.d.",
        "s/d",
        "selambat-lambatnya",
        "DL",
        "Waktu:",
        "max.",
    ),
    trails=(
        "paling lambat",
        "paling telat",
        "ya",
        "yaa",
        "selambat-lambatnya",
        "maksimal",
        "max",
        "ya kak",
        "ya pak",
        "ya bu",
    ),
    zones=(
        *((f"waktu {name}", Zone(iana)) for name, iana in _PLACES),
        ("wkt Seoul", Zone("Asia/Seoul")),
        ("WIB", Zone(hours=7)),
        ("wib", Zone(hours=7)),
        ("WITA", Zone(hours=8)),
        ("WIT", Zone(hours=9)),
        ("KST", Zone(hours=9)),
        ("JST", Zone(hours=9)),
        ("CET", Zone(hours=1)),
        ("CEST", Zone(hours=2)),
        ("UTC", Zone(hours=0)),
        ("GMT", Zone(hours=0)),
    ),
    vague=(
        "minggu depan",
        "pekan depan",
        "bulan depan",
        "secepatnya",
        "nanti",
        "kapan-kapan",
        "segera",
        "dalam waktu dekat",
        "ASAP",
        "kapan2",
        "akhir tahun",
        "awal bulan",
        "pertengahan bulan",
        "minggu ini",
        "tahun depan",
        "sebentar lagi",
        "nanti aja",
        "besok-besok",
        "lain kali",
        "secepatnya ya",
        "awal minggu depan",
        "pertengahan minggu",
        "H-3",
        "ba'da isya",
        "habis maghrib",
        "setelah lebaran",
        "sehabis rapat",
    ),
    fused=(
        ("nanti malam", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("ntar malam", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("nanti mlm", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("mlm ini", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("ntar sore", Day("offset", (0,)), Time("exact", 15 * 60)),
        ("besok pgi", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("bsk mlm", Day("offset", (1,)), Time("exact", 19 * 60)),
        ("malam ini", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("nanti sore", Day("offset", (0,)), Time("exact", 15 * 60)),
        ("sore ini", Day("offset", (0,)), Time("exact", 15 * 60)),
        ("nanti siang", Day("offset", (0,)), Time("exact", 12 * 60)),
        ("siang ini", Day("offset", (0,)), Time("exact", 12 * 60)),
        ("pagi ini", Day("offset", (0,)), Time("exact", 9 * 60)),
        ("besok pagi", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("bsk pagi", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("besok sore", Day("offset", (1,)), Time("exact", 15 * 60)),
        ("besok malam", Day("offset", (1,)), Time("exact", 19 * 60)),
        ("tengah malam nanti", Day("offset", (0,)), Time("midnight")),
        ("nanti tengah malam", Day("offset", (0,)), Time("midnight")),
        ("besok jam pulang kantor", Day("offset", (1,)), Time("exact", 17 * 60)),
        ("hari ini jam pulang kantor", Day("offset", (0,)), Time("exact", 17 * 60)),
    ),
    parts=(
        ("pagi", 9 * 60),
        ("siang", 12 * 60),
        ("sore", 15 * 60),
        ("malam", 19 * 60),
        ("mlm", 19 * 60),
        ("petang", 18 * 60),
        ("dini hari", 5 * 60),
        ("EOD", 17 * 60),
        ("jam pulang kantor", 17 * 60),
    ),
    titles=(
        "Kirim draf MoU",
        "Konfirmasi daftar delegasi",
        "Pesan ruang rapat",
        "Siapkan rencana anggaran",
        "Terjemahkan surat undangan",
    ),
    owners=(
        ("PJ: Budi", ("Budi",)),
        ("penanggung jawab: Siti Rahmawati", ("Siti Rahmawati",)),
        ("@budi_sby", ("@budi_sby",)),
        ("PJ: Dewi, Andi", ("Dewi", "Andi")),
        ("pj: Budi Santoso", ("Budi Santoso",)),
    ),
    action_leads=("paling lambat", "tenggat", "deadline", "batas waktu", "sebelum", "maks"),
    action_trails=("paling lambat", "selambat-lambatnya"),
)
