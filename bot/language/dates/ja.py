"""Japanese date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

from bot.language.dates.spec import (
    AM,
    CJK_NUM,
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
    Spec,
)

_UNITS = {"分": "m", "分間": "m", "時間": "h", "日": "d", "日間": "d", "週間": "w"}
EXAMPLES = ("明日 午前10時", "金曜日 午後2時", "2時間後", "3月30日 15時")  # shown when a date is refused

SPEC = Spec(
    numbers={"半": 0.5},
    units=_UNITS,
    durations=(r"(?P<body>⟨B⟩)\s*(?:後|ご)", r"あと\s*(?P<body>⟨B⟩)"),
    duration_sep=r"\s*",
    hour=CJK_NUM,
    clocks=(r"(?P<h>⟨H⟩)\s*時(?!間)(?:\s*(?P<m>⟨H⟩)\s*分|\s*(?P<half>半))?",),
    clock_words=((r"正午", 12 * 60), (r"終業(?:時間|時刻)?|定時|業務終了|(?<![a-z])(?:eod|cob)(?![a-z])", EOD)),
    periods=(
        (r"午前", AM),
        (r"午後", PM),
        (r"朝", MORNING),
        (r"昼", NOON),
        (r"夕方", EARLY_EVENING),
        (r"晩", EVENING),
        (r"夜", NIGHT),
    ),
    relative_days=(
        (r"明明後日|明々後日|しあさって", 3, None),
        (r"明後日|あさって", 2, None),
        (r"今日|きょう|本日", 0, None),
        (r"明日|あした|あす", 1, None),
        (r"今夜|今晩", 0, EVENING),
        (r"今朝", 0, MORNING),
        (r"明朝", 1, MORNING),
    ),
    week_phrases=((r"来週の?", WEEK, None), (r"今週の?", THIS_WEEK, None)),
    weekday=r"(?:(?P<next>次の)\s*)?(?P<wd>⟨WD⟩)曜日?",
    weekday_names={"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6},
    cjk_dates=(rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<mo>{CJK_NUM})\s*月\s*(?P<d>{CJK_NUM})\s*日",),
    day_of_month=(rf"(?P<d>{CJK_NUM})\s*日(?!間|曜)",),
    fillers=frozenset({"に", "まで", "までに", "の", "は", "ごろ", "頃", "今度の", "今度", "この", "で", "中"}),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (r"来週の?週?末", END_NEXT_WEEK),
        (r"今週の?末|週末", END_WEEK),
        (r"来月の?末", END_NEXT_MONTH),
        (r"今月の?末|(?<![\d〇零一二两兩三四五六七八九十来])月末", END_MONTH),
    ),
    calendar_weeks=(r"第\s*(?P<n>\d{1,2})\s*週目?",),
    ambiguous_next=frozenset({"次の"}),
)  # fmt: skip
