"""Chinese (Simplified, mainland usage; a few Traditional spellings) as coordinators write it (zone Asia/Shanghai).

"下周五" / "下个星期五" always name next week's Friday: they are week_weekday forms. The ambiguous "next Friday" is
"下一个周五" (the next Friday, or "下一个星期" + 五, next week's): next_weekday, with the other reading offered.
There is no everyday "this coming Friday" form (coming_weekday has none).
"""

from __future__ import annotations

import random
from datetime import date

from tests.unit.dates.corpus import Day, Grammar, Time, Zone

CN = ("零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")  # hours: 2 is 两
WD_CHARS = ("一", "二", "三", "四", "五", "六", "日")
PREFIXES = ("周", "星期", "礼拜", "週", "禮拜")


IN_MINUTES = {
    15: ["15分钟后", "15分钟之后", "过15分钟", "一刻钟后", "十五分钟后", "15分鐘後", "15分钟内"],
    30: ["30分钟后", "半小时后", "半个小时后", "过半小时", "半个钟头后", "三十分钟后", "半小時後", "半小时内"],
    45: ["45分钟后", "四十五分钟后", "45分钟之后", "三刻钟后"],
    60: ["1小时后", "一小时后", "一个小时后", "1个小时后", "一个钟头后", "过一个小时", "一個小時後", "一小时内"],
    90: ["90分钟后", "一个半小时后", "1个半小时后", "1.5小时后", "九十分钟后"],
    120: ["2小时后", "两小时后", "两个小时后", "2个小时后", "过两个小时", "两个钟头后", "俩小时后", "两小时内"],
    180: ["3小时后", "三小时后", "三个小时后", "3个小时后"],
    1440: ["24小时后", "二十四小时后", "24小時後"],
}  # "within half an hour" (半小时内) is a deadline half an hour on


def cn_number(n: int, two: str = "二") -> str:
    """1 → 一, 2 → 二 (or 两), 15 → 十五, 20 → 二十, 28 → 二十八 (up to 99)."""
    digits = "零一二三四五六七八九"
    if n == 2:
        return two
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"


def weekdays(w: int) -> list[str]:
    """Every everyday name of weekday ``w``: 周五 星期五 礼拜五 週五 禮拜五 周5 星期5; Sunday 周日 星期天 …"""
    if w == 6:
        return ["周日", "星期日", "星期天", "礼拜天", "礼拜日", "週日", "禮拜天", "周天"]
    return [*(f"{p}{WD_CHARS[w]}" for p in PREFIXES), f"周{w + 1}", f"星期{w + 1}"]


def short_weekday(w: int) -> str:
    """The one-character name used after a separator: 周一至三 (三)."""
    return WD_CHARS[w]


def hour_names(h: int) -> list[str]:
    """An hour 1–12 as digits and as a word: 3 / 三, 2 / 两."""
    return [str(h), CN[h]]


class Chinese(Grammar):
    def day(self, day: Day) -> list[str]:
        kind, a = day.kind, day.args
        if kind == "offset":
            return {
                -1: ["昨天", "昨日"],
                0: ["今天", "今日", "今天内"],
                1: ["明天", "明日", "明天", "明儿"],
                2: ["后天", "後天", "后天"],
            }[a[0]]
        if kind == "weekday":
            return weekdays(a[0])
        if kind == "next_weekday":
            # "下一个周五": the next Friday, or next week's ("下一个星期" + 五): the reader offers both
            names = weekdays(a[0])
            return [f"下一个{names[0]}", f"下一个{names[1]}", f"下一個{names[3]}", f"下一个{names[2]}"]
        if kind == "coming_weekday":
            return []  # "下周五" names the week (week_weekday); there is no "this coming" form people use
        if kind == "week_weekday":
            w, k = a
            names = weekdays(w)
            if k == 0:
                return [f"{p}{n}" for p in ("本", "这", "這", "这个") for n in names[:3]] + [f"本周 {names[0]}"]
            if k == 1:
                return [
                    f"下{names[0]}", f"下{names[1]}", f"下{names[2]}", f"下个{names[1]}", f"下個{names[1]}",
                    f"下{names[3]}", f"下个{names[0]}", f"下周 {names[0]}", f"下周的{names[0]}", f"下{names[5]}",
                    f"下个礼拜{WD_CHARS[w]}", f"下周{names[1]}",
                ]  # fmt: skip
            return [
                f"下下{names[0]}", f"下下{names[1]}", f"下下个{names[1]}", f"下下{names[2]}",
                f"下下周 {names[0]}", f"下下个礼拜{WD_CHARS[w]}",
            ]  # fmt: skip
        if kind == "month_day":
            m, d = a
            return [
                f"{m}月{d}日", f"{m}月{d}号", f"{m}月{d}號", f"{cn_number(m)}月{cn_number(d)}日",
                f"{cn_number(m)}月{cn_number(d)}号", f"{m}月{d}", f"{m} 月 {d} 日", f"{m:02}月{d:02}日",
            ]  # fmt: skip
        if kind == "numeric":
            m, d = a
            return [f"{m}/{d}", f"{m:02}/{d:02}", f"{m}/{d:02}"]
        if kind == "day_of_month":
            d = a[0]
            return [f"{d}号", f"{d}號", f"{d}日", f"{cn_number(d)}号", f"{d} 号"]
        if kind == "next_month_day":
            d = a[0]
            return [
                f"下个月{d}号", f"下月{d}号", f"下月{d}日", f"下个月{d}日", f"下個月{d}號",
                f"下个月{cn_number(d)}号", f"下个月的{d}号",
            ]  # fmt: skip
        if kind == "iso":
            y, m, d = a
            wd = WD_CHARS[date(y, m, d).weekday()]
            return [
                f"{y}-{m:02}-{d:02}", f"{y}年{m}月{d}日", f"{y}/{m}/{d}", f"{y}.{m:02}.{d:02}",
                f"{y}年{m}月{d}号", f"{y}年{m:02}月{d:02}日", f"{y}年{m}月{d}日（周{wd}）",
                f"{y}年{m}月{d}日(星期{wd})", f"{y}/{m:02}/{d:02}",
            ]  # fmt: skip
        if kind == "in_days":
            n = a[0]
            word = cn_number(n, "两")
            forms = [f"{n}天后", f"{word}天后", f"{n}天之后", f"{word}天以后", f"{n}天後", f"{word}天之后"]
            if n >= 3:
                forms.append(f"过{n}天")
            if n == 3:
                forms += ["大后天", "大後天"]
            forms += [f"{n}天内", f"{word}天之内"]  # "within n days": the deadline is n days on
            return forms
        if kind == "in_weeks":
            n = a[0]
            word = cn_number(n, "两")
            return [
                f"{n}周后", f"{word}周后", f"{word}个星期后", f"{n}个星期后", f"{word}个礼拜后", f"{word}週後",
                f"{word}周之后", f"{n}個星期後", f"{word}周内", f"{word}个星期之内",
            ]  # fmt: skip
        if kind == "in_minutes":
            return IN_MINUTES[a[0]]
        if kind == "end_week":
            return ["本周内", "这周内", "本周末", "这周之内", "这个星期内", "本週內", "周末", "这周末"]  # + trail 前
        if kind == "end_next_week":
            return ["下周内", "下周之内", "下个星期内", "下周末", "下週內", "下个周末"]
        if kind == "end_month":
            return ["月底", "本月底", "这个月底", "月末", "本月内", "这个月内", "本月末", "这个月月底"]
        if kind == "end_next_month":
            return ["下个月底", "下月底", "下月末", "下个月内", "下个月月底", "下個月底"]
        if kind == "weekday_range":
            w1, w2, k = a
            first, last = weekdays(w1), weekdays(w2)
            plain = [
                f"{first[0]}到{last[0]}", f"{first[0]}至{last[0]}", f"{first[1]}到{last[1]}", f"{first[0]}~{last[0]}",
                f"{first[0]}-{last[0]}", f"{first[0]}至{short_weekday(w2)}", f"{first[0]}—{last[0]}",
                f"{first[2]}到{last[2]}", f"{first[0]}到{short_weekday(w2)}",
            ]  # fmt: skip
            if k < 0:
                return plain
            return [
                f"下{first[0]}到{last[0]}", f"下{first[0]}至{short_weekday(w2)}", f"下周 {first[0]}到{last[0]}",
                f"下{first[1]}到{last[1]}", f"下{first[0]}到{short_weekday(w2)}", f"下周{first[0]}至{last[0]}",
            ]  # fmt: skip
        return []

    def time(self, tod: Time) -> list[str]:
        h, m = divmod(tod.minutes, 60)
        if tod.kind == "midnight":
            return ["午夜", "晚上12点", "夜里12点", "半夜12点", "24点", "24:00", "午夜12点", "晚上十二点", "晚上12點"]
        if tod.kind == "bare":
            forms: list[str] = []
            for name in hour_names(h):
                halves = [f"{name}点半", f"{name}點半"]
                forms += halves if m == 30 else [f"{name}点", f"{name}点钟", f"{name}點", f"{name}点整"]
            if m == 0 and h < 11:
                forms += [f"{h}点到{h + 1}点", f"{CN[h]}点至{CN[h + 1]}点"]  # a range is its start
            return forms
        if tod.kind == "exact":
            return self._exact(h, m)
        return []

    @staticmethod
    def _exact(h: int, m: int) -> list[str]:
        forms = [f"{h:02}:{m:02}", f"{h}:{m:02}"]
        if h >= 13:
            forms += [f"{h}点{m}分" if m else f"{h}点", f"{h}时{m}分" if m else f"{h}时"]
            if m == 30:
                forms.append(f"{h}点半")
            elif m:
                forms.append(f"{h}点{m}")
            else:
                forms.append(f"{h}点整")
        twelve = h % 12 or 12
        periods: list[str] = []
        if h <= 5:
            periods = ["凌晨"]
        elif h == 6:
            periods = ["早上", "凌晨"]
        elif 7 <= h <= 9:
            periods = ["早上", "上午", "早晨"]
        elif h in (10, 11):
            periods = ["上午"]
        elif h == 12:
            periods = ["中午"]
        elif h == 13:
            periods = ["下午", "中午"]
        elif 14 <= h <= 16:
            periods = ["下午"]
        elif h == 17:
            periods = ["下午", "傍晚"]
        elif h == 18:
            periods = ["傍晚", "晚上", "下午"]
        elif 19 <= h <= 20:
            periods = ["晚上"]
        else:
            periods = ["晚上", "夜里"]
        hour = 0 if h == 0 else twelve
        for period in periods:
            words = [str(hour)] if hour == 0 else hour_names(hour)
            for word in words:
                if m == 0:
                    forms += [f"{period}{word}点", f"{period}{word}点整" if word.isdigit() else f"{period}{word}点钟"]
                elif m == 30:
                    forms.append(f"{period}{word}点半")
                elif m == 15 and not word.isdigit():
                    forms.append(f"{period}{word}点一刻")
                else:
                    forms.append(f"{period}{word}点{m}分" if word.isdigit() else f"{period}{word}点{cn_number(m)}分")
            forms += [f"{period}{hour}:{m:02}", f"{period}{hour}时{m}分" if m else f"{period}{hour}时"]
            if m:
                forms.append(f"{period}{hour}点{m}")
        if 18 <= h <= 22 and m in (0, 30):
            forms.append(f"晚{twelve}点{'半' if m else ''}")  # chat: "晚8点"
        if 6 <= h <= 9 and m in (0, 30):
            forms.append(f"早{CN[h]}点{'半' if m else ''}")  # chat: "早八点"
        if 13 <= h <= 21 and m == 0:
            forms += [f"{h}:00-{h + 2}:00", f"下午{twelve}点到{twelve + 1}点" if h <= 17 else f"{h}:00~{h + 1}:00"]
        if 18 <= h <= 23:
            forms.append(f"晚上{h}:{m:02}")
        if (h, m) == (12, 0):
            forms += ["正午", "中午12点", "中午十二点"]
        if (h, m) == (17, 0):
            forms += ["下班前", "下班之前"]
        mm = f":{m:02}" if m else ""
        forms.append(f"{twelve}{mm}pm" if h >= 12 else f"{twelve}{mm}am")  # "3pm": some write it
        return forms

    def with_zone(self, phrase: str, zone_name: str, rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.4:
            glued = rng.random() < 0.5 and not (zone_name[-1].isdigit() and phrase[0].isdigit())
            return f"{zone_name}{phrase}" if glued else f"{zone_name} {phrase}"
        if roll < 0.7 and "（" not in zone_name:
            return f"{phrase}（{zone_name}）" if rng.random() < 0.5 else f"{phrase}({zone_name})"
        return f"{phrase} {zone_name}"

    def order(self, day: str, tod: str, rng: random.Random) -> str:
        numeral = f"0123456789{''.join(CN[1:])}二"
        if day and tod and day[-1] in numeral and tod[0] in numeral:
            return f"{day} {tod}"  # "2026-12-05 15:00", "3/30 15:00", "3月30 六点": a space always
        return super().order(day, tod, rng)


LEADS = (
        "截止", "截止到", "截至", "截止日期：", "截止时间：", "最晚", "最迟", "不晚于", "请于", "请在", "务必于", "在",
        "于", "到", "DDL", "ddl:", "deadline:", "截止時間：", "不迟于", "须于", "应于", "截止至", "Deadline：",
)  # fmt: skip
# must be refused: vague, past, or counted in working days (which the reference does not do)
VAGUE = (
        "下周", "下个月", "尽快", "改天", "过几天", "过两天", "最近", "这两天", "回头", "晚点", "稍后", "月初", "月中",
        "年底", "近期", "下周某天", "有空再说", "年前", "节后", "下半年", "下个星期", "本周", "这几天", "上周五",
        "3个工作日内", "五个工作日内", "晚点", "早点", "3天前", "两周前",
)  # fmt: skip


GRAMMAR = Chinese(
    code="zh",
    zone="Asia/Shanghai",
    spaced=False,
    month_first=True,
    leads=LEADS,
    trails=("前", "之前", "以前", "截止", "为止", "前截止", "之前截止"),
    zones=(
        ("北京时间", Zone("Asia/Shanghai")),
        ("北京時間", Zone("Asia/Shanghai")),
        ("以北京时间为准", Zone("Asia/Shanghai")),
        ("中国时间", Zone("Asia/Shanghai")),
        ("上海时间", Zone("Asia/Shanghai")),
        ("广州时间", Zone("Asia/Shanghai")),
        ("东八区", Zone("Asia/Shanghai")),
        ("东八区时间", Zone("Asia/Shanghai")),
        ("首尔时间", Zone("Asia/Seoul")),
        ("首爾時間", Zone("Asia/Seoul")),
        ("韩国时间", Zone("Asia/Seoul")),
        ("釜山时间", Zone("Asia/Seoul")),
        ("东京时间", Zone("Asia/Tokyo")),
        ("日本时间", Zone("Asia/Tokyo")),
        ("大阪时间", Zone("Asia/Tokyo")),
        ("高知时间", Zone("Asia/Tokyo")),
        ("东九区", Zone("Asia/Tokyo")),
        ("雅加达时间", Zone("Asia/Jakarta")),
        ("印尼时间", Zone("Asia/Jakarta")),
        ("印度尼西亚时间", Zone("Asia/Jakarta")),
        ("泗水时间", Zone("Asia/Jakarta")),
        ("万隆时间", Zone("Asia/Jakarta")),
        ("柏林时间", Zone("Europe/Berlin")),
        ("德国时间", Zone("Europe/Berlin")),
        ("德國時間", Zone("Europe/Berlin")),
        ("慕尼黑时间", Zone("Europe/Berlin")),
        ("不伦瑞克时间", Zone("Europe/Berlin")),
        ("伦敦时间", Zone("Europe/London")),
        ("英国时间", Zone("Europe/London")),
        ("KST", Zone(hours=9)),
        ("JST", Zone(hours=9)),
        ("CET", Zone(hours=1)),
        ("CEST", Zone(hours=2)),
        ("WIB", Zone(hours=7)),
        ("UTC", Zone(hours=0)),
        ("GMT", Zone(hours=0)),
        ("UTC+8", Zone(hours=8)),
        ("GMT+8", Zone(hours=8)),
        ("UTC+9", Zone(hours=9)),
        ("UTC+7", Zone(hours=7)),
        ("北京时间（UTC+8）", Zone("Asia/Shanghai")),
    ),
    vague=VAGUE,
    fused=(
        ("今晚", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("明晚", Day("offset", (1,)), Time("exact", 19 * 60)),
        ("今早", Day("offset", (0,)), Time("exact", 9 * 60)),
        ("明早", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("明天一早", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("今晚12点", Day("offset", (0,)), Time("midnight")),
        ("今晚十二点", Day("offset", (0,)), Time("midnight")),
        ("今天下班前", Day("offset", (0,)), Time("exact", 17 * 60)),
        ("明天下班前", Day("offset", (1,)), Time("exact", 17 * 60)),
        ("今晚8点", Day("offset", (0,)), Time("exact", 20 * 60)),
        ("明晚7点半", Day("offset", (1,)), Time("exact", 19 * 60 + 30)),
        ("明早9点", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("昨晚", Day("offset", (-1,)), Time("exact", 19 * 60)),
        ("明天中午", Day("offset", (1,)), Time("exact", 12 * 60)),
        ("周一一早", Day("weekday", (0,)), Time("exact", 9 * 60)),
        ("明儿一早", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("今儿晚上", Day("offset", (0,)), Time("exact", 19 * 60)),
    ),
    parts=(
        ("上午", 9 * 60),
        ("下午", 15 * 60),
        ("早上", 9 * 60),
        ("中午", 12 * 60),
        ("傍晚", 18 * 60),
        ("晚上", 19 * 60),
        ("夜里", 21 * 60),
        ("下班前", 17 * 60),
        ("下班之前", 17 * 60),
        ("一早", 9 * 60),
        ("凌晨", 5 * 60),
    ),
    titles=("发送谅解备忘录草案", "确认代表团名单", "预订会议室", "分享预算计划", "提交意向书", "翻译合作计划"),
    owners=(
        ("负责人: 王丽", ("王丽",)),
        ("负责人：张伟", ("张伟",)),
        ("负责人：张伟，李娜", ("张伟", "李娜")),
        ("@li_shanghai", ("@li_shanghai",)),
    ),
    action_leads=("due",),
    action_trails=("截止",),
)
