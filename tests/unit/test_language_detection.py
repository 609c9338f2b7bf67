"""Offline language detection restricted to the configured languages."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.language.langdetect import LanguageDetector, model_languages

SIX = ("id", "en", "ko", "de", "ja", "zh")

SAMPLES: dict[str, list[str]] = {
    "id": [
        "Kami akan mengadakan rapat koordinasi dengan tim dari Busan minggu depan.",
        "Terima kasih atas kerja samanya, sampai jumpa besok di balai kota.",
        "Mohon dikirim dokumennya sebelum hari Jumat ya.",
        "Selamat pagi semua",
    ],
    "en": [
        "We will hold a coordination meeting with the team from Busan next week.",
        "Thanks for your cooperation, see you tomorrow at city hall.",
        "Please send the documents before Friday.",
        "Good morning everyone",
    ],
    "ko": [
        "다음 주에 부산 팀과 조정 회의를 개최할 예정입니다.",
        "협력해 주셔서 감사합니다. 내일 시청에서 뵙겠습니다.",
        "MoU 체결 관련 회의",
    ],
    "de": [
        "Wir werden nächste Woche ein Koordinierungstreffen mit dem Team aus Busan abhalten.",
        "Vielen Dank für die Zusammenarbeit, bis morgen im Rathaus.",
        "Guten Morgen zusammen",
    ],
    "ja": [
        "来週、釜山のチームと調整会議を開催する予定です。",
        "ご協力ありがとうございます。明日市役所でお会いしましょう。",
    ],
    "zh": [
        "我们下周将与釜山团队举行协调会议。",
        "感谢您的合作，明天在市政厅见。",
    ],
}


@pytest.fixture(scope="module")
def six() -> LanguageDetector:
    return LanguageDetector(SIX)


@pytest.mark.parametrize(("language", "text"), [(lang, text) for lang, texts in SAMPLES.items() for text in texts])
def test_detects_the_six_languages(six: LanguageDetector, language: str, text: str) -> None:
    assert six.detect(text) == language
    assert six.is_in_language(text, language)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("id", "Lihat https://surabaya.go.id/berita dan hubungi @budi_santoso 👍 untuk jadwal rapat"),
        ("en", "THE MEETING IS TOMORROW AT NINE"),
        ("en", "Check #SisterCity and mail info@busan.go.kr about the 2025 exchange programme"),
        ("de", "Die Delegation kommt am 12.03.2025 um 14:30 Uhr an 🇩🇪"),
    ],
)
def test_ignores_urls_mentions_emoji_and_digits(six: LanguageDetector, language: str, text: str) -> None:
    assert six.detect(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "ok",
        "👍",
        "👍🏽🎉❤️‍🔥",
        "https://surabaya.go.id/berita/2025/kerja-sama-busan",
        "@budi_santoso",
        "#SisterCity",
        "1234567 89",
        "!!! ???",
        "네",
        "谢谢",
        "hmm",
    ],
)
def test_nothing_to_detect_gives_none(six: LanguageDetector, text: str) -> None:
    assert six.detect(text) is None


def test_restricted_set_is_respected() -> None:
    detector = LanguageDetector(["id", "en"])
    german = "Wir werden nächste Woche ein Koordinierungstreffen mit dem Team aus Busan abhalten."
    assert detector.detect(german) != "de"
    assert detector.detect(german) is None  # German is a decoy here, not forced to be English
    assert detector.detect(SAMPLES["ko"][0]) is None
    assert detector.detect(SAMPLES["ja"][0]) is None
    assert detector.detect(SAMPLES["zh"][0]) is None
    assert detector.detect(SAMPLES["id"][0]) == "id"
    assert detector.detect(SAMPLES["en"][0]) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour à tous, merci beaucoup pour votre coopération et à demain.",
        "La reunión es mañana a las nueve en el ayuntamiento.",
        "Goedemorgen allemaal, bedankt voor de goede samenwerking.",
        "Привет всем, встреча завтра в девять часов.",
    ],
)
def test_other_languages_are_not_forced_into_a_configured_one(six: LanguageDetector, text: str) -> None:
    assert six.detect(text) is None


def test_close_relatives_are_not_decoys() -> None:
    # Malay is so close to Indonesian that it must not steal Indonesian texts.
    detector = LanguageDetector(["id", "ko"])
    for text in SAMPLES["id"]:
        assert detector.detect(text) == "id"


def test_unknown_codes_are_ignored_and_regional_codes_kept() -> None:
    detector = LanguageDetector(["id", "xx", "tlh", "zh-CN", "EN"])
    assert detector.languages == frozenset({"id", "zh-CN", "EN"})
    assert detector.detect(SAMPLES["zh"][0]) == "zh-CN"
    assert detector.detect(SAMPLES["en"][0]) == "EN"
    assert "xx" not in model_languages()
    assert set(SIX) <= model_languages()


def test_no_language_at_all() -> None:
    detector = LanguageDetector(["xx"])
    assert detector.languages == frozenset()
    assert detector.detect(SAMPLES["en"][0]) is None
    assert detector.detect(SAMPLES["ko"][0]) is None


def test_han_only_text_needs_a_han_language() -> None:
    assert LanguageDetector(["ja"]).detect(SAMPLES["zh"][0]) is None
    assert LanguageDetector(["zh"]).detect(SAMPLES["zh"][0]) == "zh"
    assert LanguageDetector(["ko", "ja"]).detect(SAMPLES["ja"][0]) == "ja"


MIXED = [
    "Rapat MoU 회의 besok pagi",  # Latin with some Hangul
    "부산 팀 meeting 다음 주에 개최",  # Hangul with some Latin
    "東京 Tokyo 会議",
    "ok",
    "",
    "https://example.org 12:30",
]


@pytest.mark.parametrize(
    "codes", [SIX, ("id", "ko"), ("id", "zh-CN", "EN"), ("ja",), ("zh",), ("ko", "ja"), ("de",)]
)
def test_is_in_language_answers_as_detect_does(codes: tuple[str, ...]) -> None:
    # is_in_language skips the model when the script already decides: the answers must not change.
    detector = LanguageDetector(codes)
    texts = [text for texts in SAMPLES.values() for text in texts] + MIXED
    asked = [*codes, *SIX, "zh-CN", "zh", "EN", "en", "ko-KR", "xx"]
    for text in texts:
        detected = detector.detect(text)
        for lang in asked:
            assert detector.is_in_language(text, lang) == (detected == lang), (codes, text, lang)


def test_thresholds() -> None:
    with pytest.raises(ValueError):
        LanguageDetector(SIX, min_confidence=1.5)
    strict = LanguageDetector(SIX, min_letters=30)
    assert strict.detect("Good morning everyone") is None
    assert strict.detect(SAMPLES["en"][0]) == "en"


def test_thread_safe(six: LanguageDetector) -> None:
    texts = [text for texts in SAMPLES.values() for text in texts] * 20
    expected = [six.detect(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(six.detect, texts)) == expected

