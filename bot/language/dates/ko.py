"""Korean date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

from bot.language.dates.spec import (
    AM,
    DAWN,
    END_MONTH,
    END_NEXT_MONTH,
    END_NEXT_WEEK,
    END_WEEK,
    EOD,
    EVENING,
    KO_NATIVE,
    MORNING,
    NIGHT,
    NOON,
    PM,
    THIS_WEEK,
    WEEK,
    Spec,
)

EXAMPLES = ("내일 오전 10시", "금요일 오후 2시", "2시간 후", "3월 30일 오후 3시")  # shown when a date is refused

SPEC = Spec(
    numbers={**KO_NATIVE},
    units={"분": "m", "시간": "h", "일": "d", "주일": "w", "주": "w"},
    durations=(r"(?P<body>⟨B⟩)\s*(?:후|뒤|이후|있다가)",),
    duration_sep=r"\s*",
    hour=r"\d{1,2}|" + "|".join(sorted(KO_NATIVE, key=len, reverse=True)),
    clocks=(r"(?P<h>⟨H⟩)\s*시(?!간)(?:\s*(?P<m>\d{1,2})\s*분|\s*(?P<half>반))?",),
    clock_words=(
        (r"정오", 12 * 60),
        (r"자정", 24 * 60),
        (r"퇴근\s*(?:전|시간)?|업무\s*(?:종료|마감)\s*(?:시간|전)?|(?<![a-z])(?:eod|cob)(?![a-z])", EOD),
    ),
    periods=(
        (r"오전", AM),
        (r"오후", PM),
        (r"아침", MORNING),
        (r"점심|낮", NOON),
        (r"저녁", EVENING),
        (r"밤", NIGHT),
        (r"새벽", DAWN),
    ),
    relative_days=((r"(?:내일|낼)\s*모레", 2, None), (r"오늘", 0, None), (r"내일|낼", 1, None), (r"모레", 2, None),
                   (r"글피", 3, None)),
    week_phrases=((r"다음\s*주|담주|차주", WEEK, None), (r"이번\s*주|금주", THIS_WEEK, None)),
    weekday=r"(?:(?P<next>다음)\s*)?(?P<wd>⟨WD⟩)(?:요일|욜)",
    weekday_names={"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6},
    cjk_dates=(r"(?:(?P<y>\d{4})\s*년\s*)?(?P<mo>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일",),
    day_of_month=(r"(?<!\d)(?P<d>\d{1,2})\s*일(?!\s*(?:후|뒤))",),
    fillers=frozenset({"에", "까지", "에는", "엔", "쯤", "경", "께", "이번", "오는", "중", "날", "까지는"}),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (r"(?:다음\s*주|담주|차주)\s*말", END_NEXT_WEEK),
        (r"(?:이번\s*|금)?주말", END_WEEK),
        (r"(?:다음\s*달|담달|내달)\s*(?:말일?|말경)", END_NEXT_MONTH),
        (r"(?:이번\s*달|이달)\s*(?:말일?|말경)|월말", END_MONTH),
    ),
    calendar_weeks=(r"(?<!\d)(?P<n>\d{1,2})\s*주\s*차",),
    ambiguous_next=frozenset({"다음"}),
)  # fmt: skip
