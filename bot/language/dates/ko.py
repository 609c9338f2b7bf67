"""Korean date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

import re

from bot.language.dates.spec import (
    AM,
    COMING,
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
    WEEK_AFTER,
    Spec,
)

EXAMPLES = ("내일 오전 10시", "금요일 오후 2시", "2시간 후", "3월 30일 오후 3시")  # shown when a date is refused

_WD = "월화수목금토일"
_AFTER = r"\s*(?:후|뒤|있다가)"
_WITHIN_TIME = r"\s*(?:안에|안으로|내에|내로|이내에?|이내로)"  # "30분 안에", "3일 이내": a deadline that far ahead
# native day counts: "이틀 후" is two days later (read like "모레": a day, 17:00 unless a time is given)
_NATIVE_DAYS = {"하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7, "여드레": 8, "아흐레": 9,
                "열흘": 10}  # fmt: skip
# "월~수", "월-금": a range of one-syllable weekdays is its start; bare syllables count only in such a range
_BARE_RANGES = tuple(
    (rf"(?<![\d가-힣]){name}\s*[-–~〜]\s*[{_WD}](?:요일|욜)?(?![가-힣\d])", "", number)
    for number, name in enumerate(_WD)
)
_THIS_WEEK = r"(?:이번\s*주|금주)"
_NEXT_WEEK = r"(?:다음\s*주|담주|차주|내주)"
_WITHIN = r"(?:말|내(?![일가-힣])|내로|안에|안으로|중으로)"

SPEC = Spec(
    dotted_clock=False,  # "3.30" is a date as often as a time in Korean: refused, never guessed
    numbers={**KO_NATIVE, "일": 1},  # "일주일" is one week
    units={"분": "m", "시간": "h", "시간 반": "h+0.5", "시간반": "h+0.5", "일": "d", "주일": "w", "주": "w"},
    durations=(rf"(?<![가-힣])(?P<body>⟨B⟩)(?:{_AFTER}|{_WITHIN_TIME})",),
    duration_sep=r"\s*",
    hour=r"\d{1,2}|" + "|".join(sorted(KO_NATIVE, key=len, reverse=True)),
    clocks=(
        r"(?<![\d:.])(?P<h>⟨H⟩)\s*시(?!간)(?:\s*(?P<m>\d{1,2})\s*분|\s*(?P<half>반)(?!둥))?",
        r"(?<![\d:./])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>[ap]\.?m\.?)(?![a-z])",
    ),
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
        (r"(?<![a-z])a\.?m\.?(?![a-z])", AM),  # "AM 10:00", "PM 3시"
        (r"(?<![a-z])p\.?m\.?(?![a-z])", PM),
    ),
    relative_days=(
        *((rf"{word}{_AFTER}", n, None) for word, n in _NATIVE_DAYS.items()),
        (r"(?:내일|낼)\s*모레", 2, None),
        (r"오늘|금일", 0, None),
        (r"내일|낼|명일", 1, None),
        (r"모레", 2, None),
        (r"글피", 3, None),
        (r"어제|어저께", -1, None),
    ),
    week_phrases=(
        (r"다다음\s*주|다담주", WEEK_AFTER, None),
        (_NEXT_WEEK, WEEK, None),
        (_THIS_WEEK, THIS_WEEK, None),
        *_BARE_RANGES,
    ),
    weekday=r"(?:(?P<next>다음|돌아오는|다가오는|오는)\s*)?(?P<wd>⟨WD⟩)(?:요일|욜)",
    weekday_names={name: number for number, name in enumerate(_WD)},
    next_modes={"오는": COMING, "돌아오는": COMING, "다가오는": COMING},
    cjk_dates=(r"(?:(?P<y>\d{4})\s*년\s*)?(?P<mo>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일",),
    day_of_month=(r"(?<!\d)(?P<d>\d{1,2})\s*일(?!\s*(?:후|뒤|있다가|안에|안으로|내에|내로|이내))",),
    fillers=frozenset({"에", "까지", "에는", "엔", "쯤", "경", "께", "이번", "오는", "중", "날", "까지는", "요"}),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (rf"{_NEXT_WEEK}\s*{_WITHIN}", END_NEXT_WEEK),
        (rf"(?:{_THIS_WEEK}\s*|금)?주말|{_THIS_WEEK}\s*{_WITHIN}", END_WEEK),
        (rf"(?:다음\s*달|담달|내달|익월)\s*(?:말일?|말경|{_WITHIN})", END_NEXT_MONTH),
        (rf"(?:이번\s*달|이달|금월)\s*(?:말일?|말경|{_WITHIN})|(?<![\d가-힣])(?<!\d\s)월말", END_MONTH),
    ),
    calendar_weeks=(r"(?<!\d)(?P<n>\d{1,2})\s*주\s*차",),
    # "3. 30." (the formal month. day. without a year)
    dated_day_month=(r"(?<![\d.])(?<!\.\s)(?P<mo>\d{1,2})\.\s(?P<d>\d{1,2})\.(?!\d)",),
    ambiguous_next=frozenset({"다음"}),
    next_month_days=(r"(?:다음\s*달|담달|내달|익월)\s*(?P<d>\d{1,2})\s*일(?!\s*(?:후|뒤|있다가))",),
    deadline_words=(
        # "3시 전까지" is "by 3"; "금요일 전까지" (before Friday: by Thursday?) and "3시 10분 전까지" (2:50?) keep
        # their "전" and are refused
        r"(?:(?<=[시반])|(?<=[시반]\s)|(?<=:\d\d)|(?<=:\d\d\s)|(?<=정오)|(?<=정오\s)|(?<=자정)|(?<=자정\s))이?전까지"
        r"(?:는|요)?",
        r"까지(?:는|요)?",
        r"(?<!업무)(?<!업무\s)마감(?:일|\s*기한)?\s*:?",
        r"(?:제출\s*)?기한\s*:?",
        r"데드라인\s*:?",
        r"늦어도",
    ),
    range_separators=r"[-–—~〜]|부터",
    places={
        "한국": "Asia/Seoul", "대한민국": "Asia/Seoul", "서울": "Asia/Seoul", "부산": "Asia/Seoul",
        "인천": "Asia/Seoul", "대구": "Asia/Seoul", "대전": "Asia/Seoul", "광주": "Asia/Seoul", "울산": "Asia/Seoul",
        "수원": "Asia/Seoul", "제주": "Asia/Seoul",
        "일본": "Asia/Tokyo", "도쿄": "Asia/Tokyo", "오사카": "Asia/Tokyo", "고치": "Asia/Tokyo",
        "중국": "Asia/Shanghai", "베이징": "Asia/Shanghai", "북경": "Asia/Shanghai", "상하이": "Asia/Shanghai",
        "상해": "Asia/Shanghai", "광저우": "Asia/Shanghai",
        "독일": "Europe/Berlin", "베를린": "Europe/Berlin", "뮌헨": "Europe/Berlin", "브라운슈바이크": "Europe/Berlin",
        "영국": "Europe/London", "런던": "Europe/London",
        "인도네시아": "Asia/Jakarta", "인니": "Asia/Jakarta", "자카르타": "Asia/Jakarta", "수라바야": "Asia/Jakarta",
        "반둥": "Asia/Jakarta",
    },
    zone_hint=re.compile(r"시간|시각|기준"),
    zone_patterns=(
        r"(?<![가-힣])(?P<z>⟨Z⟩)\s*(?:현지\s*)?(?:시간|시각)(?:\s*기준)?(?:\s*으로)?",
        r"(?<![가-힣])(?P<z>⟨Z⟩)\s*기준(?:\s*으로)?",
    ),
)  # fmt: skip
