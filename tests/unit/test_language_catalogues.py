"""Every locale has every key, with the same placeholders; the catalogue falls back sensibly."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.language.catalog import (
    Catalog,
    Markup,
    is_language_code,
    language_name,
    logical_keys,
    plural_categories,
    plural_variants,
)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


LOCALES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "locales").glob("*.toml"))


def test_english_and_indonesian_exist() -> None:
    assert {"en", "id"} <= set(LOCALES)


@pytest.mark.parametrize("lang", LOCALES)
def test_every_locale_has_every_key_with_the_same_placeholders(catalog: Catalog, lang: str) -> None:
    """Every key, a pluralised one (``key.one``, ``key.other`` …) counted once, with the plural categories
    the language's CLDR rules have (only ``.other`` in Indonesian, Korean, Japanese and Chinese; ``.one`` and
    ``.other`` in English and German) and no others."""
    reference, table = catalog.messages["en"], catalog.messages[lang]
    expected, found = logical_keys(reference), logical_keys(table)
    assert found == expected, f"{lang}: missing {expected - found}, extra {found - expected}"
    variants, english = plural_variants(table), plural_variants(reference)
    for key in expected - set(english):
        assert placeholders(table[key]) == placeholders(reference[key]), f"{lang}:{key}"
        assert table[key].strip(), f"{lang}:{key} is empty"
    for key in english:
        assert variants.get(key) == set(plural_categories(lang)), f"{lang}:{key} has {variants.get(key)}"
        shown = placeholders(reference[f"{key}.other"])
        assert placeholders(table[f"{key}.other"]) == shown, f"{lang}:{key}.other"
        for category in variants[key]:  # "one" may spell the number out ("eine offene Aufgabe")
            text = table[f"{key}.{category}"]
            assert text.strip() and placeholders(text) <= shown, f"{lang}:{key}.{category}"


# Keys that show a count next to the noun it counts: in English and German the noun follows the number.
COUNTED = {
    "report.exchange": "days",
    "report.city": "open",
    "report.overdue_longest": "days",
    "report.done_late": "days",
    "action.overdue_by": "days",
    "list.no_page": "pages",
    "handover.held_reminders": "count",
    "handover.held_indicators": "count",
    "announce.more": "count",
}


@pytest.mark.parametrize("key", sorted(COUNTED))
def test_a_count_shown_with_its_noun_has_plural_forms(catalog: Catalog, key: str) -> None:
    for lang in ("en", "de"):
        assert plural_variants(catalog.messages[lang]).get(key) == {"one", "other"}, f"{lang}:{key}"
        one = catalog.t(key, lang, **{**dummy(catalog, key), "count": 1, COUNTED[key]: 1})
        many = catalog.t(key, lang, **{**dummy(catalog, key), "count": 2, COUNTED[key]: 2})
        assert one != many.replace("2", "1"), f"{lang}:{key}: the noun does not change ({one!r})"
    assert key not in catalog.messages["en"]  # no unpluralised form left beside the variants


def dummy(catalog: Catalog, key: str) -> dict[str, object]:
    names = placeholders(catalog.messages["en"][f"{key}.other"]) - {"count", COUNTED[key]}
    return {name: "x" for name in names}


def test_the_count_picks_the_plural_form(tmp_path: Path) -> None:
    cat = Catalog(
        {
            "en": {"n.one": "{count} day", "n.other": "{count} days", "plain": "{count} of them"},
            "de": {"n.one": "ein Tag", "n.other": "{count} Tage"},
            "ko": {"n.other": "{count}일"},
        }
    )
    assert [cat.t("n", "en", count=n) for n in (0, 1, 2, 1.5)] == ["0 days", "1 day", "2 days", "1.5 days"]
    assert [cat.t("n", "de", count=n) for n in (1, 3)] == ["ein Tag", "3 Tage"]
    assert [cat.t("n", "ko", count=n) for n in (1, 3)] == ["1일", "3일"]  # Korean: "other" for every number
    assert cat.t("n", "xx", count=1) == "1 day"  # an unknown language: English, with English rules
    assert cat.t("plain", "de", count=1) == "1 of them"  # not pluralised: the key itself
    assert plural_categories("en") == {"one", "other"} and plural_categories("id") == {"other"}
    assert logical_keys(cat.messages["en"]) == {"n", "plain"}


def test_adding_a_language_is_one_file(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "locales"
    for p in src.glob("*.toml"):
        (tmp_path / p.name).write_bytes(p.read_bytes())
    (tmp_path / "xx.toml").write_text('"admin.only" = "XX only admins"\n', encoding="utf-8")
    cat = Catalog.load(tmp_path)
    assert "xx" in cat.languages
    assert cat.t("admin.only", "xx") == "XX only admins"
    assert cat.t("error.generic", "xx") == cat.t("error.generic", "en")  # missing key falls back


def test_resolve_and_escaping(catalog: Catalog) -> None:
    assert catalog.resolve("id") == "id"
    assert catalog.resolve("id-ID") == "id"
    assert catalog.resolve("ko") == "en" or "ko" in catalog.languages
    assert catalog.resolve(None) == "en"
    text = catalog.t("lang.invalid", "en", code="<b>", choices=Markup("<code>id</code>"))
    assert "&lt;b&gt;" in text and "<code>id</code>" in text


def test_language_codes() -> None:
    assert all(is_language_code(c) for c in ("id", "en", "ko", "de", "ja", "zh"))
    assert not any(is_language_code(c) for c in ("", "xx", "ID", "eng", "k0", "<b"))
    assert language_name("ko", "id") == "bahasa Korea"
    assert language_name("zh", "id") == "bahasa Mandarin"
    assert language_name("id", "en") == "Indonesian"


ALL_SIX = ("id", "en", "ko", "de", "ja", "zh")
WORDS = ("open", "mine", "overdue", "done", "all", "lead", "quiet", "on", "off", "add", "remove", "list", "revoke")
SHOWN_IN_HELP = ("open", "mine", "overdue", "done", "all", "lead", "quiet", "on", "off", "add", "remove", "list")


def test_all_six_interface_languages_exist(catalog: Catalog) -> None:
    assert set(ALL_SIX) <= set(catalog.languages)


@pytest.mark.parametrize("lang", ALL_SIX)
def test_sub_command_words_are_distinct_and_shown_in_help(catalog: Catalog, lang: str) -> None:
    owner: dict[str, str] = {}
    for canonical in WORDS:
        for word in catalog.words(canonical, lang):
            assert word and " " not in word, f"{lang}: word.{canonical} has {word!r}"
            meant = owner.setdefault(word, canonical)
            assert meant == canonical, f"{lang}: {word!r} means {canonical} and {meant}"
    help_text = catalog.t("help.text", lang).casefold()
    for canonical in SHOWN_IN_HELP:
        assert catalog.word(canonical, lang) in help_text, f"{lang}: help does not show {catalog.word(canonical, lang)}"


@pytest.mark.parametrize("lang", ALL_SIX)
def test_a_typed_word_is_understood_in_its_language_and_in_english(catalog: Catalog, lang: str) -> None:
    for canonical in WORDS:
        shown = catalog.word(canonical, lang)
        assert catalog.choose(shown.upper(), lang, WORDS) == canonical
        assert catalog.choose(canonical, lang, WORDS) == canonical
    assert catalog.choose("nonsense", lang, WORDS) is None
    assert catalog.choose("", lang, WORDS) is None


@pytest.mark.parametrize("lang", ALL_SIX)
def test_every_key_is_translated_not_copied(catalog: Catalog, lang: str) -> None:
    """A catalogue that repeats English beyond names, codes and symbols was not written for its readers."""
    if lang == "en":
        return
    english = catalog.messages["en"]

    def words(text: str) -> bool:  # anything to translate once placeholders and tags are gone
        return re.search(r"[^\W\d_]{3,}", re.sub(r"\{[^}]*\}|<[^>]*>", "", text)) is not None

    copied = [key for key, text in catalog.messages[lang].items() if text == english[key] and words(text)]
    copied = [key for key in copied if key != "meta.name" and not key.startswith("word.")]
    assert not copied, f"{lang}: English left in {copied}"


# Left as typed: <code>…</code>, tags, entities, {placeholders}, URLs. What remains is prose.
NOT_PROSE = re.compile(r"<code>.*?</code>|</?[A-Za-z][^>]*>|&#?\w+;|\{[^{}]*\}|https?://\S+", re.S)
ASCII_PUNCTUATION = re.compile(
    r"[,()!?;]"  # ， （ ） ！ ？ ；
    r"|(?<!\d):|:(?!\d)"  # ： (a time such as 09:00 keeps its colon)
    r"|(?<=[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef])\.(?=\s|$)"  # 。 after Chinese or Japanese text
)


def ascii_punctuation(text: str) -> list[str]:
    """The ASCII marks in the prose of ``text``."""
    return ASCII_PUNCTUATION.findall(NOT_PROSE.sub(" ", text))


def test_the_punctuation_check_sees_ascii_marks_in_prose_only() -> None:
    assert ascii_punctuation("🔔 已设置 4 号提醒,时间为{when}:确认代表团名单") == [",", ":"]
    assert ascii_punctuation("抱歉(请稍后)!真的?好;完成.") == ["(", ")", "!", "?", ";", "."]
    assert ascii_punctuation("请使用 <code>/remind 明天 9:00 会议, 好</code>。时间 09:00，{n:>3}，&lt;编号&gt;。") == []
    assert ascii_punctuation('<a href="https://example.org/a?b=1">链接</a>：1.5 倍，1. 第一') == []


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_chinese_and_japanese_prose_uses_full_width_punctuation(catalog: Catalog, lang: str) -> None:
    """，：（）！？；。 — and in Japanese 、 for a comma; typed words (word.*) and column lists are not prose."""
    found = {
        key: marks
        for key, text in catalog.messages[lang].items()
        if not key.startswith(("word.", "export.headers."))
        if (marks := ascii_punctuation(text))
    }
    assert not found, f"{lang}: ASCII punctuation in {found}"
    if lang == "ja":
        assert not [key for key, text in catalog.messages[lang].items() if "，" in NOT_PROSE.sub(" ", text)]
