"""Japanese as coordinators write it (the group's zone: Asia/Tokyo).

Chat and formal deadline lines: 明日15時, 金曜の午後3時, 来週月曜10時, 3/30, 2026年3月30日, 来月5日, 3日後, 今週中,
月末まで, 【締切】, 〆切, 必着 … Hours of 1–6 with minutes are written with 午前 or a leading zero only ("3時30分" is
said for 15:30 as often as for 03:30), and 深夜/夜中 are left out ("月曜深夜2時" may be Tuesday 02:00).
"""

from __future__ import annotations

import random
from datetime import date

from tests.unit.dates.corpus import Day, Grammar, Time, Zone

WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")
KANJI = ("", "一", "二", "三", "四", "五", "六", "七", "八", "九")


def kanji(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 30 → 三十, 24 → 二十四 (up to 99)."""
    tens, ones = divmod(n, 10)
    if not tens:
        return KANJI[ones]
    return f"{KANJI[tens] if tens > 1 else ''}十{KANJI[ones]}"


def weekday_names(w: int) -> list[str]:
    c = WEEKDAYS[w]
    return [f"{c}曜日", f"{c}曜", f"{c}曜日", f"{c}曜"]


class Japanese(Grammar):
    def day(self, day: Day) -> list[str]:
        kind, a = day.kind, day.args
        if kind == "offset":
            return {
                -1: ["昨日", "きのう"],
                0: ["今日", "きょう", "本日", "今日"],
                1: ["明日", "あした", "あす", "明日"],
                2: ["明後日", "あさって"],
            }[a[0]]
        if kind == "weekday":
            return weekday_names(a[0])
        if kind == "next_weekday":
            c = WEEKDAYS[a[0]]
            return [f"次の{c}曜日", f"次の{c}曜"]
        if kind == "coming_weekday":
            c = WEEKDAYS[a[0]]
            return [f"今度の{c}曜日", f"今度の{c}曜", f"こんどの{c}曜"]
        if kind == "week_weekday":
            w, k = a
            c = WEEKDAYS[w]
            week = {0: ("今週",), 1: ("来週", "来週"), 2: ("再来週", "さ来週")}[k]
            forms = []
            for word in week:
                forms += [f"{word}{c}曜日", f"{word}の{c}曜日", f"{word}{c}曜", f"{word}の{c}曜", f"{word} {c}曜"]
            return forms
        if kind == "month_day":
            m, d = a
            return [f"{m}月{d}日", f"{m}月{d}日", f"{m} 月 {d} 日", f"{kanji(m)}月{kanji(d)}日", f"{m:02}月{d:02}日"]
        if kind == "numeric":
            m, d = a
            return [f"{m}/{d}", f"{m:02}/{d:02}", f"{m}/{d}", f"{m}／{d}"]
        if kind == "day_of_month":
            d = a[0]
            return [f"{d}日", f"{d}日", f"{d:02}日" if d < 10 else f"{d}日"]
        if kind == "next_month_day":
            d = a[0]
            return [f"来月{d}日", f"来月の{d}日", f"来月 {d}日"]
        if kind == "iso":
            y, m, d = a
            reiwa = y - 2018
            return [
                f"{y}年{m}月{d}日",
                f"{y}/{m}/{d}",
                f"{y}/{m:02}/{d:02}",
                f"{y}-{m:02}-{d:02}",
                f"{y}.{m}.{d}",
                f"{y}年{m:02}月{d:02}日",
                f"令和{reiwa}年{m}月{d}日",
                f"{y}年{m}月{d}日({WEEKDAYS[date(y, m, d).weekday()]})",
                f"{y}/{m:02}/{d:02}（{WEEKDAYS[date(y, m, d).weekday()]}）",
            ]
        if kind == "in_days":
            n = a[0]
            return [f"{n}日後", f"{kanji(n)}日後", f"あと{n}日", f"{n}日後"]
        if kind == "in_weeks":
            n = a[0]
            return [f"{n}週間後", f"{kanji(n)}週間後", f"{n}週間後"]
        if kind == "in_minutes":
            return {
                15: ["15分後", "あと15分"],
                30: ["30分後", "あと30分", "三十分後"],
                45: ["45分後", "あと45分"],
                60: ["1時間後", "一時間後", "あと1時間"],
                90: ["1時間半後", "90分後", "1時間30分後", "あと1時間半"],
                120: ["2時間後", "二時間後", "あと2時間"],
                180: ["3時間後", "三時間後", "あと3時間"],
                1440: ["24時間後"],
            }[a[0]]
        if kind == "end_week":
            return ["週末", "今週末", "今週中", "今週いっぱい", "今週の週末"]
        if kind == "end_next_week":
            return ["来週末", "来週中", "来週いっぱい", "来週の週末"]
        if kind == "end_month":
            return ["月末", "今月末", "今月中", "今月いっぱい", "今月の末"]
        if kind == "end_next_month":
            return ["来月末", "来月中", "来月いっぱい", "来月の末"]
        if kind == "weekday_range":
            w1, w2, k = a
            x, z = WEEKDAYS[w1], WEEKDAYS[w2]
            plain = [f"{x}〜{z}", f"{x}～{z}", f"{x}曜〜{z}曜", f"{x}曜日から{z}曜日", f"{x}曜から{z}曜", f"{x}-{z}"]
            if k < 0:
                return plain
            return [f"来週{x}〜{z}", f"来週の{x}曜〜{z}曜", f"来週{x}曜から{z}曜", f"来週の{x}曜日から{z}曜日"]
        return []

    def time(self, tod: Time) -> list[str]:
        h, m = divmod(tod.minutes, 60)
        if tod.kind == "midnight":
            return ["24時", "24:00", "夜12時", "24時"]
        if tod.kind == "bare":
            return [f"{h}時"] if not m else [f"{h}時半"]
        if tod.kind != "exact":
            return []
        colon = [f"{h}:{m:02}", f"{h:02}:{m:02}"]
        half = "半" if m == 30 else f"{m}分" if m else ""
        if h == 0:
            return [f"0時{half}", f"午前0時{half}", *colon]
        padded = f"{h:02}時{m:02}分" if m or h >= 10 else f"{h:02}時"  # system and form style: "09時30分"
        if 1 <= h <= 6:
            forms = [f"午前{h}時{half}", f"{h:02}:{m:02}", f"午前{h}時{half}", padded]
            if h >= 5:
                forms.append(f"朝{h}時{half}")
            return forms
        if 7 <= h <= 11:
            forms = [f"午前{h}時{half}", f"朝{h}時{half}" if h <= 10 else f"午前{h}時{half}", *colon, padded]
            if m in (0, 30):
                forms.append(f"午前{kanji(h)}時{half}")
            if m:
                forms.append(f"{h}時{m}分")
            return forms
        if h == 12:
            forms = [f"12時{half}", f"午後0時{half}", f"昼12時{half}", *colon]
            if not m:
                forms += ["正午", "昼の12時"]
            return forms
        twelve = h - 12
        forms = [f"{h}時{half}", f"{h}時{half}", f"午後{twelve}時{half}", *colon[:1], f"午後{twelve}:{m:02}"]
        if m:
            forms.append(f"{h}時{m}分" if m != 30 else f"{h}時30分")
        if m in (0, 30):
            forms.append(f"午後{kanji(twelve)}時{half}")
        if 16 <= h <= 18:
            forms.append(f"夕方{twelve}時{half}")
        if 19 <= h <= 23:
            forms += [f"夜{twelve}時{half}", f"夜の{twelve}時{half}"]
        if h == 13:
            forms.append(f"昼1時{half}")
        if (h, m) == (17, 0):
            forms += ["定時", "終業時間", "終業"]
        return forms

    def order(self, day: str, tod: str, rng: random.Random) -> str:
        if not day or not tod:
            return day or tod
        # "あと3日" (three more days) and "今月中" (within this month) take no time of day:
        # "3日後の15時", "今月末の15時"
        if day.startswith("あと"):
            day = f"{day[2:]}後"
        for within in ("中", "いっぱい"):
            if day.endswith(within):
                day = f"{day.removesuffix(within)}末"
        if day[-1].isdigit() and tod[0].isdigit():  # "3/30 15時", never "3/3015時"
            return f"{day}{rng.choice((' ', 'の'))}{tod}"
        return f"{day}{rng.choice(('', ' ', 'の', '', ' '))}{tod}"

    def with_zone(self, phrase: str, zone_name: str, rng: random.Random) -> str:
        ascii_name = zone_name.isascii()
        roll = rng.random()
        if roll < 0.35:
            return f"{phrase}({zone_name})" if not ascii_name or roll < 0.15 else f"{phrase}（{zone_name}）"
        if roll < 0.65:
            return f"{zone_name} {phrase}" if ascii_name else f"{zone_name}{rng.choice(('', ' ', 'で', 'の'))}{phrase}"
        return f"{phrase} {zone_name}"


PLACES = (
    ("ジャカルタ", "Asia/Jakarta"), ("スラバヤ", "Asia/Jakarta"), ("バンドン", "Asia/Jakarta"),
    ("インドネシア", "Asia/Jakarta"), ("ソウル", "Asia/Seoul"), ("釜山", "Asia/Seoul"), ("プサン", "Asia/Seoul"),
    ("韓国", "Asia/Seoul"), ("日本", "Asia/Tokyo"), ("東京", "Asia/Tokyo"), ("大阪", "Asia/Tokyo"),
    ("高知", "Asia/Tokyo"), ("北京", "Asia/Shanghai"), ("上海", "Asia/Shanghai"), ("広州", "Asia/Shanghai"),
    ("中国", "Asia/Shanghai"), ("ドイツ", "Europe/Berlin"), ("ベルリン", "Europe/Berlin"),
    ("ミュンヘン", "Europe/Berlin"), ("ブラウンシュヴァイク", "Europe/Berlin"), ("ブラウンシュバイク", "Europe/Berlin"),
    ("ロンドン", "Europe/London"), ("イギリス", "Europe/London"), ("英国", "Europe/London"),
)  # fmt: skip

LEADS = (
    "締切:", "締切：", "締め切り:", "〆切:", "期限:", "期限：", "【締切】", "【期限】", "提出期限:",
    "回答期限：", "期日:", "納期:", "締切は", "期限は", "締切日：", "提出締切:", "【提出期限】", "〆切日は",
    "申込締切：",
)  # fmt: skip
TRAILS = (
    "まで", "までに", "まで", "までに", "迄", "迄に", "〆", "〆切", "締切", "締め切り", "締め", "必着", "厳守",
    "に",
)  # fmt: skip
VAGUE = (
    "来週", "来月", "そのうち", "近いうちに", "あとで", "後ほど", "なるはやで", "至急", "近日中", "いつか",
    "年内", "年末", "来年", "今度", "早めに", "来週のどこか", "週明け", "月初", "来月頭", "年明け", "近々",
    "今週のどこか",
)  # fmt: skip
PARTS = (
    ("朝", 9 * 60), ("午前", 9 * 60), ("昼", 12 * 60), ("お昼", 12 * 60), ("午後", 15 * 60),
    ("夕方", 18 * 60), ("晩", 19 * 60), ("夜", 21 * 60), ("定時", 17 * 60), ("終業時間", 17 * 60),
    ("朝イチ", 9 * 60),
)  # fmt: skip

GRAMMAR = Japanese(
    code="ja",
    zone="Asia/Tokyo",
    leads=LEADS,
    trails=TRAILS,
    zones=(
        *((f"{place}時間", Zone(iana)) for place, iana in PLACES),
        ("日本標準時", Zone("Asia/Tokyo")),
        ("JST", Zone(hours=9)),
        ("KST", Zone(hours=9)),
        ("WIB", Zone(hours=7)),
        ("CET", Zone(hours=1)),
        ("CEST", Zone(hours=2)),
        ("UTC", Zone(hours=0)),
        ("GMT", Zone(hours=0)),
        ("北京時間", Zone(hours=8)),
    ),
    vague=VAGUE,
    fused=(
        ("今夜", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("今晩", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("明朝", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("明晩", Day("offset", (1,)), Time("exact", 19 * 60)),
        ("明日朝イチ", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("明日の朝イチ", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("あしたの朝一", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("明日の朝一番", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("月曜朝イチ", Day("weekday", (0,)), Time("exact", 9 * 60)),
        ("今夜24時", Day("offset", (0,)), Time("midnight")),
        ("今夜12時", Day("offset", (0,)), Time("midnight")),
        ("今日の定時", Day("offset", (0,)), Time("exact", 17 * 60)),
    ),
    parts=PARTS,
    titles=("MoU案の送付", "訪問団名簿の確認", "会議室の予約", "予算案の共有", "通訳の手配", "議事録の提出"),
    owners=(
        ("担当: 田中", ("田中",)),
        ("担当：佐藤花子", ("佐藤花子",)),
        ("担当者: 鈴木一郎", ("鈴木一郎",)),
        ("@tanaka_kochi", ("@tanaka_kochi",)),
    ),
    action_leads=("期限:", "締切:", "〆切:", "期日:"),
    action_trails=("まで", "までに", "〆", "締切"),
    spaced=False,
    month_first=True,
)
