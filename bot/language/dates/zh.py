"""Chinese date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads."""

from __future__ import annotations

from bot.language.dates.spec import (
    AM,
    CJK_NUM,
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
    Spec,
)

EXAMPLES = ("明天上午10点", "星期五下午2点", "2小时后", "3月30日 15:00")  # shown when a date is refused

SPEC = Spec(
    numbers={"半": 0.5, "半个": 0.5, "半個": 0.5},
    units={"分钟": "m", "分鐘": "m", "分": "m", "小时": "h", "小時": "h", "个小时": "h", "個小時": "h", "钟头": "h",
           "个钟头": "h", "天": "d", "日": "d", "周": "w", "週": "w", "星期": "w", "个星期": "w", "個星期": "w",
           "礼拜": "w", "个礼拜": "w", "禮拜": "w"},
    durations=(r"(?P<body>⟨B⟩)\s*(?:之?[后後]|以[后後])", r"[过過]\s*(?P<body>⟨B⟩)"),
    duration_sep=r"\s*",
    hour=CJK_NUM,
    clocks=(r"(?P<h>⟨H⟩)\s*(?:点|點|时|時)(?:钟|鐘)?(?!间|間)(?:\s*(?P<half>半)|\s*(?P<m>⟨H⟩)\s*分?)?",),
    clock_words=(
        (r"正午", 12 * 60),
        (r"午夜", 24 * 60),
        (r"下班(?:前|之前|以前)?|收工(?:前|之前)?|(?<![a-z])(?:eod|cob)(?![a-z])", EOD),
    ),
    periods=(
        (r"上午", AM),
        (r"下午", PM),
        (r"早上|早晨", MORNING),
        (r"中午", NOON),
        (r"傍晚", EARLY_EVENING),
        (r"晚上", EVENING),
        (r"夜里|夜裡|夜间|夜間", NIGHT),
        (r"凌晨", DAWN),
    ),
    relative_days=(
        (r"大[后後]天", 3, None),
        (r"今天|今日", 0, None),
        (r"明天|明日", 1, None),
        (r"[后後]天", 2, None),
        (r"今晚", 0, EVENING),
        (r"明晚", 1, EVENING),
        (r"今早", 0, MORNING),
        (r"明早", 1, MORNING),
    ),
    week_phrases=(
        (r"下(?:个|個)?(?:星期|周|週|礼拜|禮拜)(?![一二三四五六日天])", WEEK, None),
        (r"(?:这|這|本)(?:个|個)?(?:星期|周|週|礼拜|禮拜)(?![一二三四五六日天])", THIS_WEEK, None),
    ),
    weekday=r"(?P<next>下(?:个|個)?|这(?:个)?|這(?:個)?|本)?(?:星期|周|週|礼拜|禮拜)(?P<wd>⟨WD⟩)",
    weekday_names={"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6},
    next_modes={"下": WEEK, "下个": WEEK, "下個": WEEK, "这": THIS_WEEK, "这个": THIS_WEEK,
                "這": THIS_WEEK, "這個": THIS_WEEK, "本": THIS_WEEK},
    cjk_dates=(rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<mo>{CJK_NUM})\s*月\s*(?P<d>{CJK_NUM})\s*[日号號]",),
    day_of_month=(rf"(?P<d>{CJK_NUM})\s*[号號]",),
    fillers=frozenset({"的", "在", "前", "之前", "以前", "左右", "到", "为止", "為止"}),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (r"下(?:个|個)?(?:周|週|星期|礼拜|禮拜)末", END_NEXT_WEEK),
        (r"(?:(?:这|這|本)(?:个|個)?)?(?:周|週|星期|礼拜|禮拜)末", END_WEEK),
        (r"下(?:个|個)?月(?:底|末)", END_NEXT_MONTH),
        (r"(?:(?:这|這|本)(?:个|個)?)?(?<![\d〇零一二两兩三四五六七八九十上下])月(?:底|末)", END_MONTH),
    ),
    calendar_weeks=(r"第\s*(?P<n>\d{1,2})\s*(?:周|週|个星期|個星期|星期)",),
)  # fmt: skip
