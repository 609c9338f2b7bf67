"""Chinese date phrases: the rule tables the engine (:mod:`bot.language.dates.engine`) reads.

Simplified spellings first, the Traditional ones where they cost a character class (週/周, 點/点, 號/号, 後/后).
"""

from __future__ import annotations

import re

from bot.language.dates.spec import (
    CJK_NUM,
    DAWN,
    EARLY_EVENING,
    END_MONTH,
    END_NEXT_MONTH,
    END_NEXT_WEEK,
    END_WEEK,
    EOD,
    MORNING,
    NEXT,
    NIGHT,
    NOON,
    PM,
    REFUSE,
    THIS_WEEK,
    WEEK,
    WEEK_AFTER,
    Period,
    Spec,
)


def _forenoon(h: int) -> int | None:
    """上午: 0–11 as said ("上午12点" is left unread: noon or midnight?)."""
    return h if 0 <= h <= 11 else None


def _evening(h: int) -> int | None:
    """晚上: 4–11 → +12, 16–23 as said, 12 → midnight (the end of the day: "今晚12点")."""
    return h + 12 if 4 <= h <= 11 else 24 if h == 12 else h if 16 <= h <= 23 else None


FORENOON = Period(_forenoon, 9 * 60)
EVENING = Period(_evening, 19 * 60)

EXAMPLES = ("明天上午10点", "星期五下午2点", "2小时后", "3月30日 15:00")  # shown when a date is refused

_WEEK = r"(?:星期|周|週|礼拜|禮拜)"  # the word for "week" before a weekday: 星期五 周五 礼拜五
_WD_CHAR = "一二三四五六日天"
_DIGIT_WORDS = "〇零一二两兩三四五六七八九十"
# numbers in durations; a CJK number joins a one-character unit directly ("三天后", "两周后")
_NUMBERS = {"半": 0.5, "半个": 0.5, "半個": 0.5, "一个半": 1.5, "一個半": 1.5, "1个半": 1.5, "1個半": 1.5,
            "两个半": 2.5, "兩個半": 2.5, "2个半": 2.5, "俩": 2, "倆": 2, "一刻": 15, "三刻": 45}  # fmt: skip
_UNITS = {"分钟": "m", "分鐘": "m", "分": "m", "钟": "m", "小时": "h", "小時": "h", "个小时": "h", "個小時": "h",
          "钟头": "h", "鐘頭": "h", "个钟头": "h", "個鐘頭": "h", "个钟": "h", "天": "d", "日": "d", "周": "w",
          "週": "w", "星期": "w", "个星期": "w", "個星期": "w", "礼拜": "w", "个礼拜": "w", "禮拜": "w",
          "個禮拜": "w"}  # fmt: skip
_NUMBER_RE = (r"\d{1,3}[.,]\d(?!\d)|\d{1,4}|"
              + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + rf"|[{_DIGIT_WORDS}]{{1,3}}")  # fmt: skip
_UNIT_RE = "|".join(sorted(_UNITS, key=len, reverse=True))
_PAIR = rf"(?:{_NUMBER_RE})\s*(?:{_UNIT_RE})"
# "一刻钟" only as a duration: "钟" alone is no unit after another number
_BODY = rf"(?!(?:\d+|[{_DIGIT_WORDS}]+)\s*钟(?!头|頭))(?:{_PAIR})(?:\s*(?:{_PAIR}))*"
_AFTER = r"(?:之|以)?[后後内內]"  # "3天后"; "3天内" (within three days) is a deadline three days on

SPEC = Spec(
    numbers=_NUMBERS,
    units=_UNITS,
    durations=(
        rf"(?P<body>{_BODY})\s*{_AFTER}",
        # "过两天" / "过几天" is "in a couple of days": vague, not read
        rf"(?<![超经經不])[过過]\s*(?!(?:两|兩|俩|倆|几|幾)\s*天)(?P<body>{_BODY})(?!\s*{_AFTER})",
    ),
    duration_sep=r"\s*",
    hour=CJK_NUM,
    clocks=(
        # the hour does not start on a weekday's character ("周三四点半" is Wednesday 4:30, "星期五十点" Friday 10:00)
        r"(?<![周週])(?<!星期|礼拜|禮拜)(?<![周週]\d)(?<![一二三四五六日天][到至~\-–—])(?P<h>⟨H⟩)\s*(?:点|點|时|時)(?:钟|鐘)?(?!间|間)"
        r"(?:\s*(?P<half>半)|(?P<qafter>一刻)|(?P<m>\d{1,2}|[〇零一二三四五六七八九十]{1,3})(?:\s*分(?:钟|鐘)?)?"
        r"(?![\d〇零一二两兩三四五六七八九十号號日月天周週个個小时時点點分刻])|\s*整)?",
        r"(?<![\d:.])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])",
    ),
    clock_words=(
        (r"正午", 12 * 60),
        (r"(?:午夜|半夜)\s*(?:12|十二)\s*(?:点|點)(?:钟|鐘)?整?|午夜", 24 * 60),
        (r"下班(?:前|之前|以前)?|收工(?:前|之前)?|(?<![a-z])(?:eod|cob)(?![a-z])", EOD),
    ),
    # "早8点" / "晚8点" in chat (the clock is read first and leaves a space), "周五晚"; "早" and "晚" alone
    # ("早!" is a greeting, "晚点" is "later") are not read
    periods=(
        (r"上午", FORENOON),
        (r"下午", PM),
        (r"早上|早晨|(?<![周週])(?<!星期|礼拜|禮拜)一大?早|(?<![今明昨提迟遲])(?:早(?=\s)|(?<=.)早$)", MORNING),
        (r"中午", NOON),
        (r"傍晚", EARLY_EVENING),
        (r"晚上|(?<![今明昨傍])(?:晚(?=\s)|(?<=.)晚$)", EVENING),
        (r"夜里|夜裡|夜间|夜間", NIGHT),
        (r"凌晨", DAWN),
    ),
    relative_days=(
        (r"大[后後]天", 3, None),
        (r"今天|今日|今儿", 0, None),
        (r"明天|明日|明儿", 1, None),
        (r"[后後]天", 2, None),
        (r"昨天|昨日", -1, None),
        (r"今晚", 0, EVENING),
        (r"明晚", 1, EVENING),
        (r"昨晚", -1, EVENING),
        (r"今早", 0, MORNING),
        (r"明早", 1, MORNING),
    ),
    week_phrases=(
        (rf"下下(?:个|個)?{_WEEK}(?![{_WD_CHAR}\d])", WEEK_AFTER, None),
        (rf"(?<!下)下(?:一)?(?:个|個)?{_WEEK}(?![{_WD_CHAR}\d])", WEEK, None),
        (rf"(?:这|這|本)(?:个|個)?{_WEEK}(?![{_WD_CHAR}\d])", THIS_WEEK, None),
    ),
    # a weekday: 周五 星期五 礼拜五 週五 周5; after a range separator that follows a weekday also the bare
    # character ("周一至三", "下周二到四")
    weekday=(
        r"(?:(?P<next>下下(?:个|個)?|下一(?:个|個)|下(?:个|個)?|这(?:个)?|這(?:個)?|本)?" + _WEEK
        + rf"|(?<=[{_WD_CHAR}][到至~\-–—])(?=[一二三四五六日](?![\d{_DIGIT_WORDS}号號日月天周週个個小时時点點分]))"
        r")(?P<wd>⟨WD⟩)(?!(?<=\d)\d)"
    ),
    weekday_names={"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
                   "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5},
    next_modes={"下": WEEK, "下个": WEEK, "下個": WEEK, "下下": WEEK_AFTER, "下下个": WEEK_AFTER,
                "下下個": WEEK_AFTER, "这": THIS_WEEK, "这个": THIS_WEEK, "這": THIS_WEEK, "這個": THIS_WEEK,
                "本": THIS_WEEK, "下一个": NEXT, "下一個": NEXT},
    # "下一个周五" is the next Friday, or next week's ("下一个星期" + 五): the other reading is offered
    ambiguous_next=frozenset({"下一个", "下一個"}),
    cjk_dates=(
        rf"(?:(?P<y>\d{{4}})\s*年\s*)?(?P<mo>{CJK_NUM})\s*月\s*(?P<d>{CJK_NUM})\s*[日号號]",
        # "3月30" without 日/号, in chat
        rf"(?<![\d{_DIGIT_WORDS}])(?:(?P<y>\d{{4}})\s*年\s*)?(?P<mo>{CJK_NUM})\s*月\s*(?P<d>{CJK_NUM})"
        rf"(?![\d{_DIGIT_WORDS}日号號点點时時:.分天周週个個])",
    ),
    day_of_month=(
        rf"(?<![\d{_DIGIT_WORDS}月])(?P<d>{CJK_NUM})\s*(?:号|號)(?!\s*(?:之?[后後]|以[后後]))",
        # "5日前" is "five days ago", "5日内" "within five days": not the 5th
        rf"(?<![\d{_DIGIT_WORDS}月])(?P<d>{CJK_NUM})\s*日(?!之?[后後内內前]|以[后後内內前]|间|間|起)",
    ),
    next_month_days=(rf"下(?:一)?(?:个|個)?月(?:的)?\s*(?P<d>{CJK_NUM})\s*(?:号|號|日)",),
    fillers=frozenset({"的", "在", "前", "之前", "以前", "左右", "到", "为止", "為止", "于", "於", "内", "內", "之内",
                       "之內", "以内", "以內", "请", "請"}),
    dp_order="YMD",
    month_first=True,
    swap_if_unambiguous=True,
    word_boundaries=False,
    ends=(
        (rf"(?<!下)下(?:个|個)?{_WEEK}(?:末|之?内|之?內|以内|以內|结束|結束)", END_NEXT_WEEK),
        (rf"(?<!下)(?:(?:这|這|本)(?:个|個)?)?{_WEEK}末", END_WEEK),
        (rf"(?:这|這|本)(?:个|個)?{_WEEK}(?:之?内|之?內|以内|以內|结束|結束)", END_WEEK),
        (r"(?<!下)下(?:个|個)?月(?:月)?(?:底|末|之?内|之?內|以内|以內)", END_NEXT_MONTH),
        (r"(?:这|這|本)(?:个|個)?月(?:之?内|之?內|以内|以內|月底|月末)", END_MONTH),
        (r"(?:(?:这|這|本)(?:个|個)?)?(?<![\d〇零一二两兩三四五六七八九十上下月])月(?:底|末)", END_MONTH),
        # "3.30", "12.25" alone: a date (March 30) as often as a time; after a period word it is a time ("下午3.30")
        (r"(?<![\d.:午上晚早晨里])(?:[1-9]|1[0-2])\.(?:[0-2]\d|3[01])(?![\d.])", REFUSE),
    ),
    calendar_weeks=(r"第\s*(?P<n>\d{1,2})\s*(?:周|週|个星期|個星期|星期)",),
    deadline_words=(
        r"截[止至](?:至|到)?(?:日期|时间|時間|日)?\s*(?:为|為|是)?\s*[:：]?",
        r"(?:最晚|最迟|最遲|不晚于|不晚於|不迟于|不遲於|务必|務必|请|請)(?:于|於|在)?",
        r"(?:须|須|需|应|應)(?:于|於|在)",
        r"(?<![a-z])(?:ddl|deadline|due)(?![a-z])\s*[:：]?",
    ),
    range_separators=r"[-–—~〜]|到|至",
    places={
        "北京": "Asia/Shanghai", "上海": "Asia/Shanghai", "广州": "Asia/Shanghai", "廣州": "Asia/Shanghai",
        "深圳": "Asia/Shanghai", "中国": "Asia/Shanghai", "中國": "Asia/Shanghai", "东八区": "Asia/Shanghai",
        "東八區": "Asia/Shanghai",
        "首尔": "Asia/Seoul", "首爾": "Asia/Seoul", "釜山": "Asia/Seoul", "韩国": "Asia/Seoul", "韓國": "Asia/Seoul",
        "东京": "Asia/Tokyo", "東京": "Asia/Tokyo", "大阪": "Asia/Tokyo", "高知": "Asia/Tokyo", "日本": "Asia/Tokyo",
        "东九区": "Asia/Tokyo", "東九區": "Asia/Tokyo",
        "雅加达": "Asia/Jakarta", "雅加達": "Asia/Jakarta", "泗水": "Asia/Jakarta", "万隆": "Asia/Jakarta",
        "萬隆": "Asia/Jakarta", "印尼": "Asia/Jakarta", "印度尼西亚": "Asia/Jakarta", "印度尼西亞": "Asia/Jakarta",
        "东七区": "Asia/Jakarta", "東七區": "Asia/Jakarta",
        # China keeps UTC+8 all year: "北京时间（UTC+8）" names one zone
        **{f"{name}+{hours}": "Asia/Shanghai" if hours == 8 else f"Etc/GMT-{hours}" for name in ("utc", "gmt")
           for hours in (1, 2, 7, 8, 9)},
        "柏林": "Europe/Berlin", "慕尼黑": "Europe/Berlin", "不伦瑞克": "Europe/Berlin", "布伦瑞克": "Europe/Berlin",
        "不倫瑞克": "Europe/Berlin", "德国": "Europe/Berlin", "德國": "Europe/Berlin",
        "伦敦": "Europe/London", "倫敦": "Europe/London", "英国": "Europe/London", "英國": "Europe/London",
    },
    zone_hint=re.compile(r"时间|時間|区|區|utc|gmt"),
    zone_patterns=(
        r"(?:以|按)?\s*(?P<z>⟨Z⟩)\s*(?:时间|時間)(?:\s*(?:为准|為準))?",
        r"(?P<z>东[七八九]区|東[七九八]區)",
        # an offset written out: "UTC+8", "GMT+8" (the offsets of the partner countries)
        r"(?<![a-z])(?P<z>(?:utc|gmt)\+[12789])(?![\d:.])",
    ),
)  # fmt: skip
