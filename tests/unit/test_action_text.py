"""What a member types for /action: the due phrase found wherever it is written (after a deadline word, before one,
or at the end or start of a part of the text), title, owners and tag intact, and date-like words that were not read
reported instead of silently kept in the title."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.features.action_text import find_due, parse_action_text
from bot.language.dates import Reading, read_date

ZONE = {"id": "Asia/Jakarta", "en": "Europe/London", "ko": "Asia/Seoul", "de": "Europe/Berlin",
        "ja": "Asia/Tokyo", "zh": "Asia/Shanghai"}  # fmt: skip
# Wednesday 2 December 2026, 09:00 in each group's zone
NOW = {lang: datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo(zone)) for lang, zone in ZONE.items()}


def reader(lang: str):  # type: ignore[no-untyped-def]
    def read(text: str) -> Reading | None:
        for code in dict.fromkeys((lang, "en")):
            reading = read_date(text, code, ZONE[lang], NOW[lang])
            if reading is not None:
                return reading
        return None

    return read


def local(reading: Reading | None, lang: str) -> str | None:
    return reading.when.astimezone(ZoneInfo(ZONE[lang])).strftime("%a %d %b %H:%M") if reading else None


@pytest.mark.parametrize(
    ("text", "lang", "title", "due", "owners", "programme"),
    [
        ("Busan sends the MoU draft @kim_ms due Friday 14:00 #education", "en", "Busan sends the MoU draft",
         "Fri 04 Dec 14:00", ("@kim_ms",), "education"),
        ("Kirim laporan SDM tenggat besok jam 10", "id", "Kirim laporan SDM", "Thu 03 Dec 10:00", (), None),
        ("Kirim laporan sebelum rapat tenggat Jumat", "id", "Kirim laporan sebelum rapat", "Fri 04 Dec 17:00", (),
         None),
        ("교류 계획서 제출 마감 금요일 오후 2시", "ko", "교류 계획서 제출", "Fri 04 Dec 14:00", (), None),
        ("Bericht schicken bis Freitag 14 Uhr", "de", "Bericht schicken", "Fri 04 Dec 14:00", (), None),
        ("報告書を送る 金曜日まで", "ja", "報告書を送る", "Fri 04 Dec 17:00", (), None),
        ("Plan the visit", "en", "Plan the visit", None, (), None),
        ("Kirim draf MoU pj: Budi Santoso, Kim tenggat Jumat", "id", "Kirim draf MoU", "Fri 04 Dec 17:00",
         ("Budi Santoso", "Kim"), None),
        ("Send the MoU draft owner: @kim_ms, Budi Santoso due Friday #education", "en", "Send the MoU draft",
         "Fri 04 Dec 17:00", ("@kim_ms", "Budi Santoso"), "education"),
        ("MoU 초안 보내기 담당: 김민수 마감 금요일", "ko", "MoU 초안 보내기", "Fri 04 Dec 17:00", ("김민수",), None),
        # the review's texts: the due phrase where people put it, after the owner, with every language's markers
        ("교류 계획서 제출 담당: 김민수 다음 주 금요일까지", "ko", "교류 계획서 제출", "Fri 11 Dec 17:00", ("김민수",),
         None),
        ("发送代表团名单 负责人: 王丽 下周五之前", "zh", "发送代表团名单", "Fri 11 Dec 17:00", ("王丽",), None),
        ("发送代表团名单 截止 下周五", "zh", "发送代表团名单", "Fri 11 Dec 17:00", (), None),
        ("发送代表团名单 下周五前", "zh", "发送代表团名单", "Fri 11 Dec 17:00", (), None),
        ("发送代表团名单 截止12月18日下午3点", "zh", "发送代表团名单", "Fri 18 Dec 15:00", (), None),
        ("发送代表团名单下周五之前", "zh", "发送代表团名单", "Fri 11 Dec 17:00", (), None),
        ("发送代表团名单 本周内", "zh", "发送代表团名单", "Fri 04 Dec 17:00", (), None),
        ("資料を送る 来週の金曜日までに", "ja", "資料を送る", "Fri 11 Dec 17:00", (), None),
        ("資料を送る 今週中", "ja", "資料を送る", "Fri 04 Dec 17:00", (), None),
        ("계획서 제출 12월 18일까지", "ko", "계획서 제출", "Fri 18 Dec 17:00", (), None),
        ("Kirim laporan paling lambat Jumat", "id", "Kirim laporan", "Fri 04 Dec 17:00", (), None),
        ("Send the draft Friday 5pm", "en", "Send the draft", "Fri 04 Dec 17:00", (), None),
        ("Send the draft owner: Budi Santoso Friday 5pm", "en", "Send the draft", "Fri 04 Dec 17:00",
         ("Budi Santoso",), None),
        ("Termin vorbereiten Do bis 13:45 Uhr", "de", "Termin vorbereiten", "Thu 03 Dec 13:45", (), None),
        ("发送MoU草案 负责人：张伟，李娜 3月30日 15:00截止", "zh", "发送MoU草案", "Tue 30 Mar 15:00", ("张伟", "李娜"),
         None),
        ("資料送付 担当：田中、佐藤 期限 金曜日", "ja", "資料送付", "Fri 04 Dec 17:00", ("田中", "佐藤"), None),
        ("報告書 担当：田中 4月8日 15:00まで", "ja", "報告書", "Thu 08 Apr 15:00", ("田中",), None),
    ],
)  # fmt: skip
def test_the_due_phrase_is_found_where_people_write_it(
    text: str, lang: str, title: str, due: str | None, owners: tuple[str, ...], programme: str | None
) -> None:
    found = find_due(text, lang, reader(lang))
    parsed = parse_action_text(found.rest, lang)
    assert local(found.reading, lang) == due
    assert (parsed.title, parsed.owners, parsed.programme) == (title, owners, programme)
    assert found.unread is None and found.unreadable is None


@pytest.mark.parametrize(
    ("text", "lang", "unread"),
    [
        ("Prepare the Monday meeting agenda", "en", "the Monday"),
        ("Siapkan agenda rapat Senin pagi untuk delegasi", "id", "Senin pagi"),
    ],
)
def test_date_words_that_are_not_the_due_date_are_reported(text: str, lang: str, unread: str) -> None:
    found = find_due(text, lang, reader(lang))
    assert found.reading is None
    assert found.unread == unread


def test_a_strict_deadline_word_without_a_date_is_unreadable() -> None:
    found = find_due("Kirim laporan tenggat kapan-kapan", "id", reader("id"))
    assert found.reading is None and found.unreadable == "kapan-kapan"


def test_yesterday_is_read_as_past_not_as_unreadable() -> None:
    found = find_due("Kirim laporan tenggat kemarin", "id", reader("id"))
    assert found.reading is not None and found.reading.when < NOW["id"]


def test_a_text_longer_than_any_title_is_not_searched() -> None:
    text = "Kirim laporan tenggat Jumat " + "x" * 1000
    found = find_due(text, "id", reader("id"))
    assert found.reading is None and found.rest == text.strip()
