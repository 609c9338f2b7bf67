"""Japanese date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

import re

from bot.language.dates.spec import (
    AM,
    CJK_NUM,
    COMING,
    DAWN,
    EARLY_EVENING,
    END_MONTH,
    END_NEXT_MONTH,
    END_NEXT_WEEK,
    END_WEEK,
    EOD,
    EVENING,
    MORNING,
    NIGHT,
    NOON,
    PM,
    THIS_WEEK,
    WEEK,
    WEEK_AFTER,
    Spec,
)

_UNITS = {"分": "m", "分間": "m", "時間": "h", "時間半": "h+0.5", "日": "d", "日間": "d", "週間": "w"}
EXAMPLES = ("明日 午前10時", "金曜日 午後2時", "2時間後", "3月30日 15時")  # shown when a date is refused

# 午後0時 is noon in formal Japanese ("午後0時30分" is 12:30); the 午後 rule reads 1–11 only
_PM_ZERO = r"午後\s*(?:0|〇|零)\s*時"
_NOON_WORDS = (
    (rf"{_PM_ZERO}\s*半", 12 * 60 + 30),
    *((rf"{_PM_ZERO}\s*0?{m}\s*分", 12 * 60 + m) for m in range(59, -1, -1)),
    (rf"{_PM_ZERO}(?!\s*\d)", 12 * 60),
)
# a weekday without 曜 ("月〜水", "来週金まで", "金 15時") only after a space, 週, の, で or a range separator and
# before a space, の, a deadline word or a range: "毎月", "月末", "日本", "土日", "日ごろ" stay unread
_WD_CHAR = "[月火水木金土日]"
_SEP = r"(?:[-–—~〜]|から)"
_DEADLINE = r"(?:提出|回答|申込み?|申し込み|応募|返信|報告)?\s*(?:締切り?|締め切り|〆切り?|期限|期日|納期)(?:日時|日)?"

SPEC = Spec(
    numbers={"半": 0.5},
    units=_UNITS,
    durations=(r"(?P<body>⟨B⟩)\s*(?:後|ご)", r"あと\s*(?P<body>⟨B⟩)"),
    duration_sep=r"\s*",
    hour=CJK_NUM,
    clocks=(r"(?P<h>⟨H⟩)\s*時(?!間)(?:\s*(?P<m>⟨H⟩)\s*分|\s*(?P<half>半))?",),
    clock_words=(
        (r"正午", 12 * 60),
        (r"今夜\s*(?:の\s*)?(?:24\s*時|24:00|(?:夜\s*)?12\s*時)(?!\s*\d|\s*半)", 24 * 60),
        *_NOON_WORDS,
        (r"朝\s*(?:イチ|いち|一番|一)(?!\s*[時\d〇一二三四五六七八九十])", 9 * 60),
        (r"終業(?:時間|時刻)?|定時|業務終了|(?<![a-z])(?:eod|cob)(?![a-z])", EOD),
    ),
    periods=(
        (r"午前", AM),
        (r"午後", PM),
        (r"早朝|明け方", DAWN),
        (r"朝", MORNING),
        (r"お?昼", NOON),
        (r"夕方", EARLY_EVENING),
        (r"晩", EVENING),
        (r"夜", NIGHT),
    ),
    relative_days=(
        (r"明明後日|明々後日|しあさって", 3, None),
        (r"明後日|あさって", 2, None),
        (r"一昨日|おととい", -2, None),
        (r"今日|きょう|本日", 0, None),
        (r"明日|あした|あす", 1, None),
        (r"昨日|きのう", -1, None),
        (r"今夜|今晩", 0, EVENING),
        (r"今朝", 0, MORNING),
        (r"明朝", 1, MORNING),
        (r"明晩", 1, EVENING),
    ),
    week_phrases=(
        (r"(?:再来週|さ来週)の?", WEEK_AFTER, None),
        (r"来週の?", WEEK, None),
        (r"今週の?", THIS_WEEK, None),
    ),
    weekday=(
        r"(?:(?P<next>次の|今度の|こんどの)\s*)?(?P<wd>⟨WD⟩)"
        rf"(?:曜日?|(?<![^\s週の~〜\-–—らで].)(?=\s|$|の|まで|迄|〆|締|必着|厳守|{_SEP}\s*{_WD_CHAR}))"
    ),
    weekday_names={"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6},
    next_modes={"今度の": COMING, "こんどの": COMING},
    cjk_dates=(
        rf"(?:(?:(?P<era>令和|平成)\s*(?P<ey>\d{{1,2}}|元)|(?P<y>\d{{4}}))\s*年\s*)?(?P<mo>{CJK_NUM})\s*月\s*"
        rf"(?P<d>{CJK_NUM})\s*日",
    ),
    eras={"令和": 2018, "平成": 1988},
    day_of_month=(rf"(?P<d>{CJK_NUM})\s*日(?!間|曜)",),
    fillers=frozenset({
        "に", "まで", "までに", "の", "は", "ごろ", "頃", "今度の", "今度", "この", "で", "中",
        # deadline words before or after a date: 締切: 明日 / 明日15時〆 / 3月30日必着
        "迄", "迄に", "〆", "締め", "〆で", "締めで", "〆切", "〆切り", "〆切日", "締切", "締切り", "締め切り",
        "締切日", "締め切り日", "期限", "期日", "納期", "提出期限", "回答期限", "申込期限", "必着", "厳守",
        "まで厳守", "までに必着", "締切は", "期限は", "〆切は", "締め切りは", "期日は", "納期は", "【締切】",
        "【締め切り】", "【〆切】", "【期限】", "【期日】", "【提出期限】", "【回答期限】",
    }),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (r"来週(?:の?週?末|中|いっぱい)", END_NEXT_WEEK),
        (r"今週(?:の?週?末|中|いっぱい)|週末", END_WEEK),
        (r"来月(?:の?末|中|いっぱい)", END_NEXT_MONTH),
        (r"今月(?:の?末|中|いっぱい)|(?<![\d〇零一二两兩三四五六七八九十来])月末", END_MONTH),
    ),
    calendar_weeks=(r"第\s*(?P<n>\d{1,2})\s*週目?",),
    ambiguous_next=frozenset({"次の"}),
    next_month_days=(rf"来月\s*の?\s*(?P<d>{CJK_NUM})\s*日(?!間|曜|後)",),
    range_separators=r"[-–—~〜]|から",
    deadline_words=(
        rf"【\s*{_DEADLINE}\s*】",  # 【締切】 【提出期限】
        rf"{_DEADLINE}\s*(?::|は)",  # 締切: / 提出期限： / 締切日は
    ),
    places={
        "ジャカルタ": "Asia/Jakarta", "スラバヤ": "Asia/Jakarta", "バンドン": "Asia/Jakarta",
        "インドネシア": "Asia/Jakarta", "西部インドネシア": "Asia/Jakarta", "ソウル": "Asia/Seoul",
        "釜山": "Asia/Seoul", "プサン": "Asia/Seoul", "韓国": "Asia/Seoul", "日本": "Asia/Tokyo",
        "東京": "Asia/Tokyo", "大阪": "Asia/Tokyo", "高知": "Asia/Tokyo", "北京": "Asia/Shanghai",
        "ペキン": "Asia/Shanghai", "上海": "Asia/Shanghai", "シャンハイ": "Asia/Shanghai", "広州": "Asia/Shanghai",
        "中国": "Asia/Shanghai", "ドイツ": "Europe/Berlin", "ベルリン": "Europe/Berlin", "ミュンヘン": "Europe/Berlin",
        "ブラウンシュヴァイク": "Europe/Berlin", "ブラウンシュバイク": "Europe/Berlin",
        "中央ヨーロッパ": "Europe/Berlin",
        "ロンドン": "Europe/London", "イギリス": "Europe/London", "英国": "Europe/London",
    },
    zone_hint=re.compile(r"時"),
    zone_patterns=(r"(?<![a-z])(?P<z>⟨Z⟩)\s*(?:標準時間?|時間)",),
)  # fmt: skip
