"""Korean as coordinators write it in chat and in formal deadline lines (the group's zone: Asia/Seoul)."""

from __future__ import annotations

import random
from datetime import date

from tests.unit.dates.corpus import Day, Grammar, Time, Zone

WEEKDAYS = ("월", "화", "수", "목", "금", "토", "일")
NATIVE_HOURS = {1: "한", 2: "두", 3: "세", 4: "네", 5: "다섯", 6: "여섯", 7: "일곱", 8: "여덟", 9: "아홉", 10: "열",
                11: "열한", 12: "열두"}  # fmt: skip
NATIVE_DAYS = {1: "하루", 2: "이틀", 3: "사흘", 4: "나흘", 5: "닷새", 6: "엿새", 7: "이레", 8: "여드레", 9: "아흐레",
               10: "열흘"}  # fmt: skip
AFTER = ("후", "뒤", "후에", "뒤에")
# "말" (end), "내/내로/안에" (within), "중으로" (in the course of): a deadline at the end of the week or month
END_WEEK = ("이번 주말", "이번주 말", "이번 주 말", "금주 말", "주말", "이번 주 내", "이번 주 내로",
            "이번 주 안에", "금주 내")  # fmt: skip
END_NEXT_WEEK = ("다음 주 말", "다음주 말", "담주 말", "차주 말", "다음 주말", "다음 주 내로", "다음주 안에")
END_MONTH = ("이번 달 말", "이달 말", "월말", "이번 달 내", "이번 달 안에", "이달 내로", "이번 달 중으로", "금월 말")
END_NEXT_MONTH = ("다음 달 말", "다음달 말", "담달 말", "내달 말", "익월 말", "다음 달 내로", "다음달 안에")
# no day a reader could name: refused
VAGUE = ("다음 주", "나중에", "곧", "조만간", "다음 달", "언젠가", "다음 주 중에", "빠른 시일 내", "최대한 빨리",
         "이따가", "내주", "담주", "주중에", "asap", "월초", "연말", "이번 주 중", "추후", "다음 분기",
         "하반기")  # fmt: skip


def weekday_forms(w: int) -> list[str]:
    """The full name, the everyday short form ("금욜") and the name with a particle ("금요일에", "금요일날")."""
    c = WEEKDAYS[w]
    return [f"{c}요일", f"{c}욜", f"{c}요일에", f"{c}요일날"]


def weekday_names(w: int) -> list[str]:
    """The weekday as it stands after another word ("다음 주 금요일", "담주 금욜")."""
    c = WEEKDAYS[w]
    return [f"{c}요일", f"{c}욜"]


def hour12(h: int) -> int:
    return h % 12 or 12


class Korean(Grammar):
    def day(self, day: Day) -> list[str]:
        kind, a = day.kind, day.args
        if kind == "offset":
            return {
                -1: ["어제", "어저께"],
                0: ["오늘", "금일"],
                1: ["내일", "낼", "명일"],
                2: ["모레", "내일모레", "낼모레", "내일 모레"],
            }[a[0]]
        if kind == "weekday":
            return weekday_forms(a[0])
        if kind == "next_weekday":
            return [f"다음 {n}" for n in weekday_names(a[0])] + [f"다음{WEEKDAYS[a[0]]}요일"]
        if kind == "coming_weekday":
            return [f"{lead} {n}" for lead in ("오는", "돌아오는", "다가오는") for n in weekday_names(a[0])]
        if kind == "week_weekday":
            w, k = a
            names = weekday_names(w)
            weeks = {
                0: ("이번 주", "이번주", "금주"),
                1: ("다음 주", "다음주", "담주", "차주", "내주"),
                2: ("다다음 주", "다다음주", "다담주"),
            }[k]
            forms = [f"{week} {name}" for week in weeks for name in names]
            return [*forms, f"{weeks[0]} {names[0]}에"]
        if kind == "month_day":
            m, d = a
            return [f"{m}월 {d}일", f"{m}월{d}일", f"{m}월 {d}일에", f"{m}월 {d}일날"]
        if kind == "numeric":
            m, d = a
            return [f"{m}/{d}", f"{m:02}/{d:02}", f"{m}. {d}.", f"{m:02}. {d:02}."]
        if kind == "day_of_month":
            d = a[0]
            return [f"{d}일", f"{d}일에", f"{d}일날", f"오는 {d}일"]
        if kind == "next_month_day":
            d = a[0]
            return [f"{month} {d}일" for month in ("다음 달", "다음달", "담달", "내달", "익월")] + [f"다음 달 {d}일에"]
        if kind == "iso":
            y, m, d = a
            wd = WEEKDAYS[date(y, m, d).weekday()]
            return [
                f"{y}년 {m}월 {d}일({wd})",
                f"{y}. {m}. {d}.({wd})",
                f"{y}년 {m}월 {d}일 {wd}요일",
                f"{y}-{m:02}-{d:02}",
                f"{y}년 {m}월 {d}일",
                f"{y}. {m}. {d}.",
                f"{y}.{m:02}.{d:02}",
                f"{y}/{m:02}/{d:02}",
                f"{y}년{m}월{d}일",
            ]
        if kind == "in_days":
            n = a[0]
            forms = [f"{n}일 {after}" for after in AFTER] + [f"{n}일후", f"{n}일 있다가", f"{n}일 안에", f"{n}일 이내"]
            forms.append(f"{NATIVE_DAYS[n]} {'후' if n % 2 else '뒤'}")
            if n == 7:
                forms += ["일주일 후", "1주일 뒤"]
            return forms
        if kind == "in_weeks":
            n = a[0]
            forms = [f"{n}주 후", f"{n}주 뒤", f"{n}주일 후", f"{n}주후", f"{n}주 안에", f"{n}주 이내"]
            if n == 1:
                forms += ["일주일 후", "일주일 뒤", "한 주 뒤", "일주일 안에", "일주일 이내"]
            if n == 2:
                forms.append("두 주 뒤")
            return forms
        if kind == "in_minutes":
            n = a[0]
            return {
                15: ["15분 후", "15분 뒤", "15분후", "15분 안에"],
                30: ["30분 후", "30분 뒤", "30분 있다가", "30분후에", "30분 안에", "30분 이내"],
                45: ["45분 후", "45분 뒤"],
                60: ["1시간 후", "한 시간 후", "한시간 뒤", "1시간 뒤", "1시간 안에", "한 시간 이내"],
                90: ["1시간 30분 후", "90분 후", "한 시간 반 후", "1시간 반 뒤"],
                120: ["2시간 후", "두 시간 후", "두시간 뒤"],
                180: ["3시간 후", "세 시간 뒤", "3시간 뒤"],
                1440: ["24시간 후", "24시간 뒤"],
            }[n]
        if kind == "end_week":
            return list(END_WEEK)
        if kind == "end_next_week":
            return list(END_NEXT_WEEK)
        if kind == "end_month":
            return list(END_MONTH)
        if kind == "end_next_month":
            return list(END_NEXT_MONTH)
        if kind == "weekday_range":
            w1, w2, k = a
            c1, c2 = WEEKDAYS[w1], WEEKDAYS[w2]
            forms = [f"{c1}~{c2}", f"{c1}-{c2}", f"{c1}요일~{c2}요일", f"{c1}요일-{c2}요일", f"{c1}~{c2}요일"]
            if k < 0:
                return forms
            return [f"{week} {form}" for week in ("다음 주", "다음주", "담주") for form in forms[:3]]
        return []

    def time(self, tod: Time) -> list[str]:
        h, m = divmod(tod.minutes, 60)
        if tod.kind == "midnight":
            return ["자정", "밤 12시", "밤12시", "24시", "24:00"]
        if tod.kind == "bare":
            native = NATIVE_HOURS[h]
            if m == 30:
                return [f"{h}시 반", f"{h}시반", f"{native} 시 반", f"{h}시 반에"]
            return [f"{h}시", f"{h}시에", f"{native} 시", f"{native}시", f"{h}시쯤", f"{h}시경"]
        if tod.kind != "exact":
            return []
        twelve = hour12(h)
        mins = [f" {m}분", f"{m}분"] if m else [""]
        if m == 30:
            mins.append(" 반")
        forms = [f"{h:02}:{m:02}"]
        if h >= 10 or m:
            forms.append(f"{h}:{m:02}")
        if h >= 13:
            forms += [f"{h}시{mm}" for mm in mins[:1]]
        elif h < 10:
            forms.append(f"{h:02}시" + (f" {m:02}분" if m else ""))
        if h == 0:
            forms += ["0시" + (f" {m}분" if m else ""), "오전 0시" + (f" {m}분" if m else "")]
            return forms
        if h == 12 and not m:
            forms += ["정오", "낮 12시", "오후 12시", "점심 12시"]
            return forms
        period = "오전" if h < 12 else "오후"
        forms += [f"{period} {twelve}시{mm}" for mm in mins] + [f"{period}{twelve}시{mins[0]}"]
        forms.append(f"{period} {twelve}:{m:02}")
        if not m:
            forms.append(f"{period} {NATIVE_HOURS[twelve]} 시")
        extra = []
        if 1 <= h <= 5:
            extra.append("새벽")
        if 6 <= h <= 9:
            extra.append("아침")
        if 13 <= h <= 14:
            extra.append("낮")
        if 17 <= h <= 20:
            extra.append("저녁")
        if 20 <= h <= 23:
            extra.append("밤")
        for word in extra:
            forms += [f"{word} {twelve}시{mins[0]}", f"{word}{twelve}시{mins[-1]}"]
        if h:
            ap = "AM" if h < 12 else "PM"
            forms += [f"{twelve}{f':{m:02}' if m else ''}{ap}", f"{ap} {twelve}:{m:02}", f"{ap} {twelve}시{mins[0]}"]
        if (h, m) == (17, 0):
            forms += ["퇴근 전", "업무 종료 전", "퇴근 시간"]
        return forms

    def with_zone(self, phrase: str, zone_name: str, rng: random.Random) -> str:
        roll = rng.random()
        if roll < 0.4:
            return f"{zone_name} {phrase}"
        if roll < 0.7:
            return f"{phrase} ({zone_name})"
        return f"{phrase} {zone_name}"

    def order(self, day: str, tod: str, rng: random.Random) -> str:
        if not day:
            return tod
        if not tod:
            return day
        # no space between a day and a time only where Koreans drop it: "내일오후 3시", "금요일3시", "5일 오전"
        glued = day[-1] in "일욜늘레제께" and not day.endswith(("말일", "내"))
        return f"{day}{'' if glued and rng.random() < 0.2 else ' '}{tod}"


def _zones() -> tuple[tuple[str, Zone], ...]:
    places = {
        "한국": "Asia/Seoul", "서울": "Asia/Seoul", "부산": "Asia/Seoul", "일본": "Asia/Tokyo", "도쿄": "Asia/Tokyo",
        "오사카": "Asia/Tokyo", "고치": "Asia/Tokyo", "중국": "Asia/Shanghai", "베이징": "Asia/Shanghai",
        "북경": "Asia/Shanghai", "상하이": "Asia/Shanghai", "광저우": "Asia/Shanghai", "독일": "Europe/Berlin",
        "베를린": "Europe/Berlin", "뮌헨": "Europe/Berlin", "브라운슈바이크": "Europe/Berlin",
        "영국": "Europe/London", "런던": "Europe/London", "인도네시아": "Asia/Jakarta", "자카르타": "Asia/Jakarta",
        "수라바야": "Asia/Jakarta", "반둥": "Asia/Jakarta", "인니": "Asia/Jakarta", "광주": "Asia/Seoul",
        "상해": "Asia/Shanghai",
    }  # fmt: skip
    zones: list[tuple[str, Zone]] = []
    for place, iana in places.items():
        zones += [(f"{place} 시간", Zone(iana)), (f"{place}시간", Zone(iana))]
    zones += [
        ("한국 시간 기준", Zone("Asia/Seoul")),
        ("한국시간으로", Zone("Asia/Seoul")),
        ("한국 시각", Zone("Asia/Seoul")),
        ("독일 현지 시간", Zone("Europe/Berlin")),
        ("자카르타 현지시간", Zone("Asia/Jakarta")),
        ("베를린 기준", Zone("Europe/Berlin")),
        ("서울 기준", Zone("Asia/Seoul")),
        ("KST", Zone(hours=9)),
        ("JST", Zone(hours=9)),
        ("WIB", Zone(hours=7)),
        ("CET", Zone(hours=1)),
        ("CEST", Zone(hours=2)),
        ("UTC", Zone(hours=0)),
    ]
    return tuple(zones)


GRAMMAR = Korean(
    code="ko",
    zone="Asia/Seoul",
    spaced=False,
    month_first=True,
    leads=("마감:", "마감", "기한:", "기한", "마감일:", "늦어도", "데드라인:", "~"),
    trails=("까지", "까지는", "까지 마감", "마감", "까지요"),
    zones=_zones(),
    vague=VAGUE,
    fused=(
        ("오늘 밤", Day("offset", (0,)), Time("exact", 21 * 60)),
        ("오늘밤", Day("offset", (0,)), Time("exact", 21 * 60)),
        ("오늘 저녁", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("오늘저녁", Day("offset", (0,)), Time("exact", 19 * 60)),
        ("내일 아침", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("내일아침", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("낼 아침", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("내일 오전", Day("offset", (1,)), Time("exact", 9 * 60)),
        ("내일 오후", Day("offset", (1,)), Time("exact", 15 * 60)),
        ("내일 점심", Day("offset", (1,)), Time("exact", 12 * 60)),
        ("오늘 자정", Day("offset", (0,)), Time("midnight")),
        ("오늘 퇴근 전", Day("offset", (0,)), Time("exact", 17 * 60)),
        ("월요일 아침", Day("weekday", (0,)), Time("exact", 9 * 60)),
        ("금요일 퇴근 전", Day("weekday", (4,)), Time("exact", 17 * 60)),
        ("모레 오전", Day("offset", (2,)), Time("exact", 9 * 60)),
        ("내일 새벽", Day("offset", (1,)), Time("exact", 5 * 60)),
        ("금일 자정", Day("offset", (0,)), Time("midnight")),
        ("오늘 밤 12시", Day("offset", (0,)), Time("midnight")),
    ),
    parts=(
        ("오전", 9 * 60),
        ("오후", 15 * 60),
        ("아침", 9 * 60),
        ("점심", 12 * 60),
        ("낮", 12 * 60),
        ("저녁", 19 * 60),
        ("밤", 21 * 60),
        ("새벽", 5 * 60),
        ("퇴근 전", 17 * 60),
    ),
    titles=("MOU 초안 송부", "대표단 명단 확정", "회의실 예약", "예산안 공유", "통역사 섭외", "방문 일정표 작성"),
    owners=(
        ("담당: 김민수", ("김민수",)),
        ("담당자: 이지은, 박준호", ("이지은", "박준호")),
        ("담당: 최유진", ("최유진",)),
        ("@kim_busan", ("@kim_busan",)),
    ),
    action_leads=("마감", "마감:", "기한"),
    action_trails=("까지", "까지는"),
)
