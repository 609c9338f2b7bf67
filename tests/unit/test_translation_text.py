"""The placeholder scheme, protection of untranslatable spans, Telegram HTML tags and splitting messages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.language import htmltext, markers
from bot.language.htmltext import escape, mask_tags, split_html, split_message, strip_tag_marks, unmask_tags, utf16_len
from bot.sandbox.html_check import FormattedText, parse_html
from bot.sandbox.html_check import utf16_len as reference_utf16_len
from bot.translation.protect import Protected, is_all_protected, protect, restore

# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

EMOJI = (
    "👍",
    "👍🏽",
    "😀",
    "☕",
    "✅",
    "❤️",
    "❤️‍🔥",
    "👨‍👩‍👧‍👦",
    "🧑🏽‍💻",
    "🏳️‍🌈",
    "🇮🇩",
    "🇰🇷",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "1️⃣",
    "#️⃣",
)
LOWER = "abcdefghijklmnopqrstuvwxyz"

words = st.text(alphabet=LOWER, min_size=1, max_size=8)
urls = st.builds(
    lambda scheme, host, tld, path: f"{scheme}{host}.{tld}{path}",
    st.sampled_from(["https://", "http://", "www."]),
    st.text(alphabet=LOWER, min_size=1, max_size=10),
    st.sampled_from(["com", "go.id", "kr", "de"]),
    st.one_of(st.just(""), st.text(alphabet=LOWER + "0123456789/_-", min_size=1, max_size=12).map("/{}".format)),
)
emails = st.builds(
    lambda user, host, tld: f"{user}@{host}.{tld}",
    st.text(alphabet=LOWER + "0123456789._+", min_size=1, max_size=8).filter(lambda u: u[0] not in "._+"),
    st.text(alphabet=LOWER, min_size=1, max_size=8),
    st.sampled_from(["com", "go.kr", "org"]),
)
mentions = st.text(alphabet=LOWER + "0123456789_", min_size=2, max_size=12).map("@x{}".format)
hashtags = st.text(alphabet=LOWER + "0123456789_", min_size=1, max_size=12).map("#k{}".format)
emoji = st.lists(st.sampled_from(EMOJI), min_size=1, max_size=3).map("".join)
code = st.one_of(
    st.text(st.characters(exclude_characters="`\n"), min_size=1, max_size=10).map("`{}`".format),
    st.text(st.characters(exclude_characters="`"), min_size=0, max_size=20).map("```{}```".format),
)
amounts = st.sampled_from(["5 km", "Rp 50.000", "10.000 m²", "₩1,000", "3,5 kg", "25 °C"])
literal_placeholders = st.sampled_from(["[[0]]", "[[12]]", "[ [3] ]"])
protected_pieces = st.one_of(urls, emails, mentions, hashtags, emoji, code, amounts, literal_placeholders)
separators = st.sampled_from([" ", "\n", ", ", ". ", " - ", "! ", "\n\n"])
components = st.lists(
    st.one_of(words.map(lambda w: ("word", w)), protected_pieces.map(lambda p: ("span", p))),
    min_size=1,
    max_size=12,
)


def join(parts: list[tuple[str, str]], seps: list[str]) -> str:
    pieces: list[str] = []
    for index, (_, text) in enumerate(parts):
        if index:
            pieces.append(seps[(index - 1) % len(seps)])
        pieces.append(text)
    return "".join(pieces)


PLACEHOLDER = re.compile(r"\[\[(\d+)\]\]")


def fake_translator(masked: str) -> str:
    """Upper-cases everything except placeholders and puts spaces inside the placeholders."""
    pieces: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(masked):
        pieces.append(masked[position : match.start()].upper())
        pieces.append(f"[ [ {match.group(1)} ] ]")
        position = match.end()
    pieces.append(masked[position:].upper())
    return "".join(pieces)


# --------------------------------------------------------------------------------------------
# protect / restore
# --------------------------------------------------------------------------------------------


@given(st.text())
def test_round_trip_of_any_text(text: str) -> None:
    protected = protect(text)
    assert restore(protected.text, protected) == text


@given(components, st.lists(separators, min_size=1, max_size=4), st.text(max_size=20))
def test_round_trip_of_mixed_text(parts: list[tuple[str, str]], seps: list[str], noise: str) -> None:
    text = join(parts, seps) + noise + join(list(reversed(parts)), seps)
    protected = protect(text)
    assert restore(protected.text, protected) == text
    assert len(PLACEHOLDER.findall(protected.text)) == len(protected.spans)


@given(components, st.lists(separators, min_size=1, max_size=4))
def test_spans_survive_a_translator_that_changes_everything_else(parts: list[tuple[str, str]], seps: list[str]) -> None:
    text = join(parts, seps)
    protected = protect(text)
    for kind, piece in parts:
        if kind == "span":
            assert any(piece in span for span in protected.spans), (piece, protected)
    restored = restore(fake_translator(protected.text), protected)
    expected = join(
        [(kind, piece.upper() if kind == "word" else piece) for kind, piece in parts], [s.upper() for s in seps]
    )
    assert restored == expected
    # Every protected span is there exactly once, in order.
    position = 0
    for span in protected.spans:
        found = restored.find(span, position)
        assert found >= 0
        position = found + len(span)


def test_kinds_of_spans() -> None:
    text = (
        "Halo @budi_s, lihat https://surabaya.go.id/berita?id=5). Tulis ke info@busan.go.kr, "
        "#SisterCity /start@kembar_bot `pip install` 👨‍👩‍👧‍👦 🇮🇩 ❤️‍🔥 1️⃣ jarak 5 km."
    )
    protected = protect(text)
    assert protected.spans == (
        "@budi_s",
        "https://surabaya.go.id/berita?id=5",
        "info@busan.go.kr",
        "#SisterCity /start@kembar_bot `pip install` 👨‍👩‍👧‍👦 🇮🇩 ❤️‍🔥 1️⃣",
        "5 km",
    )
    assert protected.text == "Halo [[0]], lihat [[1]]). Tulis ke [[2]], [[3]] jarak [[4]]."


def test_url_keeps_balanced_brackets_and_drops_sentence_punctuation() -> None:
    protected = protect("Lihat (https://en.wikipedia.org/wiki/Busan_(city)). Atau www.example.com!")
    assert protected.spans == ("https://en.wikipedia.org/wiki/Busan_(city)", "www.example.com")


def test_urls_stop_before_non_latin_text_and_ignore_case() -> None:
    assert protect("링크는 https://x.com/a입니다").spans == ("https://x.com/a",)
    assert protect("Buka HTTPS://X.COM/A atau t.me/kembar_bot").spans == ("HTTPS://X.COM/A", "t.me/kembar_bot")
    assert protect("연락처info@busan.go.kr 으로").spans == ("info@busan.go.kr",)
    assert protect("Ketik www. atau https://. saja").spans == ()


def test_spans_on_separate_lines_get_separate_placeholders() -> None:
    protected = protect("Halo 😀\n\n😀 apa kabar @ana @budi")
    assert protected.spans == ("😀", "😀", "@ana @budi")


def test_text_without_spans_is_unchanged() -> None:
    text = "Rapat koordinasi besok pagi, jam sembilan."
    protected = protect(text)
    assert protected == Protected(text, ())
    assert restore("Coordination meeting tomorrow morning.", protected) == "Coordination meeting tomorrow morning."


def test_text_that_looks_like_a_placeholder_is_protected() -> None:
    protected = protect("Lihat catatan [[0]] dan @ana")
    assert protected.spans == ("[[0]]", "@ana")
    assert restore("See note [[0]] and [[1]]", protected) == "See note [[0]] and @ana"


@pytest.mark.parametrize(
    "mangled",
    [
        "[[0]] [[1]]",
        "[ [0] ] [ [ 1 ] ]",
        "[[ 0 ]] [[1 ]]",
        "［［０］］ ［［１］］",
        "[\u200b[0]\u200b] [[1]]",
        "[[٠]] [[١]]",
    ],
)
def test_restore_tolerates_what_engines_do_to_placeholders(mangled: str) -> None:
    protected = protect("https://x.com\n@ana")
    assert restore(f"Lihat {mangled} ya", protected) == "Lihat https://x.com @ana ya"


def test_restore_repeats_a_duplicated_placeholder_and_ignores_unknown_ones() -> None:
    protected = protect("Tanya @ana")
    assert restore("Ask [[0]], yes [[0]] [[7]]", protected) == "Ask @ana, yes @ana [[7]]"


def test_missing_placeholder_is_appended_not_lost() -> None:
    protected = protect("Lihat https://surabaya.go.id dan hubungi @budi, lalu 👍")
    assert protected.spans == ("https://surabaya.go.id", "@budi", "👍")
    translated = "See [[0]] and contact, then [[2]]"
    assert restore(translated, protected) == "See https://surabaya.go.id and contact, then 👍 @budi"
    assert restore("", protected) == "https://surabaya.go.id @budi 👍"
    block = protect("Jalankan ```\nmake test\n``` sekarang")
    assert restore("Run now.", block) == "Run now.\n```\nmake test\n```"


GLOSSARY = {"MoU": {}, "SDM": {"en": "HR", "ko": "인적자원"}}


def test_glossary_terms() -> None:
    text = "Kerja sama Surabaya–Busan tentang MoU dan SDM"
    protected = protect(text, GLOSSARY, target="en")
    assert protected.text == "Kerja sama Surabaya–Busan tentang [[0]] dan [[1]]"
    assert protected.spans == ("MoU", "SDM")
    translated = "Surabaya–Busan cooperation on [[0]] and [[1]]"
    assert restore(translated, protected) == "Surabaya–Busan cooperation on MoU and HR"
    assert restore(translated, protected, target="ko") == "Surabaya–Busan cooperation on MoU and 인적자원"
    assert restore(translated, protected, target="de") == "Surabaya–Busan cooperation on MoU and SDM"
    # Without a target, the original spelling comes back.
    assert restore(translated, protect(text, GLOSSARY)) == "Surabaya–Busan cooperation on MoU and SDM"


def test_glossary_matching_rules() -> None:
    glossary = {
        "Surabaya": {},
        "Kota Surabaya": {"en": "Surabaya City"},
        "SDM": {"en": "HR"},
        "부산": {"en": "Busan"},
    }
    protected = protect("kota  surabaya, Surabaya, sdm, SDMnya, SDM-nya, 부산시와", glossary, target="en-US")
    assert protected.spans == ("kota  surabaya", "Surabaya", "sdm", "SDM", "부산")
    assert restore(protected.text, protected) == "Surabaya City, Surabaya, HR, SDMnya, HR-nya, Busan시와"


def test_glossary_never_matches_inside_other_spans() -> None:
    protected = protect("Lihat https://surabaya.go.id/SDM dan SDM", {"SDM": {"en": "HR"}}, target="en")
    assert protected.spans == ("https://surabaya.go.id/SDM", "SDM")
    assert restore(protected.text, protected) == "Lihat https://surabaya.go.id/SDM dan HR"


def test_placeholder_format() -> None:
    assert markers.span_marker(3) == "[[3]]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("👍", True),
        ("👍🏽 ❤️‍🔥!!", True),
        ("https://surabaya.go.id", True),
        ("@budi https://x.com 🙂 123", True),
        ("", True),
        ("  ", True),
        ("ok 👍", False),
        ("Lihat https://x.com", False),
    ],
)
def test_is_all_protected(text: str, expected: bool) -> None:
    assert is_all_protected(text) is expected


def test_is_all_protected_with_glossary() -> None:
    assert is_all_protected("MoU 👍", {"MoU": {}})
    assert not is_all_protected("MoU 👍")


# --------------------------------------------------------------------------------------------
# utf16_len / escape
# --------------------------------------------------------------------------------------------


@given(st.text())
def test_utf16_len_matches_reference(text: str) -> None:
    assert utf16_len(text) == reference_utf16_len(text)


def test_utf16_len_examples() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("한국어") == 3
    assert utf16_len("👍") == 2
    assert utf16_len("👨‍👩‍👧‍👦") == 11


def test_escape() -> None:
    assert escape("a < b && c > d \"q\" 'q'") == "a &lt; b &amp;&amp; c &gt; d \"q\" 'q'"
    assert parse_html(escape("<b>&amp;</b>")).text == "<b>&amp;</b>"


# --------------------------------------------------------------------------------------------
# split_message
# --------------------------------------------------------------------------------------------


def assert_pieces_of(text: str, parts: list[str], limit: int) -> None:
    """Every part fits, none is empty, and text == g0 + p1 + g1 + ... + pn + gn (g: whitespace)."""
    assert parts
    position = 0
    for part in parts:
        assert part
        assert utf16_len(part) <= limit
        if len(parts) > 1:
            assert part == part.strip()
        gap_start = position
        while not text.startswith(part, position):
            assert text[position].isspace(), (text, parts)
            position += 1
        assert text[gap_start:position].strip() == ""
        position += len(part)
    assert text[position:].strip() == ""


GRAPHEMES = ["a", "b", "kata", " ", " ", "\n", "\n\n", ".", "!", "?", "。", ",", "한", "語", *EMOJI, "é", "ñ"]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(GRAPHEMES), max_size=200), st.integers(min_value=14, max_value=120))
def test_split_message_properties(graphemes: list[str], limit: int) -> None:
    text = "".join(graphemes)
    parts = split_message(text, limit)
    if not text.strip():
        assert parts == []
        return
    assert_pieces_of(text, parts, limit)
    if utf16_len(text) <= limit:
        assert parts == [text]
    # Cuts fall between graphemes (the longest here, a tag-sequence flag, has 14 UTF-16 units).
    boundaries = {0}
    for grapheme in graphemes:
        end = max(boundaries)
        if grapheme in EMOJI:
            boundaries.add(end + len(grapheme))
        else:  # words may be cut between letters
            boundaries.update(range(end + 1, end + len(grapheme) + 1))
    position = 0
    for part in parts:
        start = text.index(part, position)
        assert start in boundaries
        assert start + len(part) in boundaries
        position = start + len(part)


@given(st.text(min_size=1), st.integers(min_value=2, max_value=50))
def test_split_message_any_text(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    if not text.strip():
        assert parts == []
    else:
        assert_pieces_of(text, parts, limit)


def test_split_message_small_cases() -> None:
    assert split_message("", 10) == []
    assert split_message(" \n ", 10) == []
    assert split_message("  fits  ", 10) == ["  fits  "]
    assert split_message("one two three", 7) == ["one two", "three"]
    with pytest.raises(ValueError):
        split_message("abc", 0)
    with pytest.raises(ValueError):
        split_message("👍👍", 1)


SENTENCES = [
    "Kami akan bertemu dengan delegasi Busan besok pagi.",
    "Apakah dokumen MoU sudah siap?",
    "Terima kasih banyak!",
    "The delegation arrives on Tuesday (not Monday).",
    "Bitte bestätigen Sie die Teilnahme bis Freitag.",
    "회의는 내일 오전 10시에 시작합니다.",
    "「来週会いましょう。」",
    "我们下周见！",
]


def test_split_message_prefers_sentence_ends() -> None:
    sentences: list[str] = []
    while sum(len(sentence) + 1 for sentence in sentences) < 9000:
        sentences.append(SENTENCES[len(sentences) % len(SENTENCES)] + f" Nomor {len(sentences)}.")
    text = " ".join(sentences)
    assert 9000 <= len(text) < 9100
    parts = split_message(text, 4096)
    assert len(parts) == 3
    assert_pieces_of(text, parts, 4096)
    ends = (".", "?", "!", "。", "！", "」")
    position = 0
    for part in parts:
        start = text.index(part, position)
        assert part.endswith(ends)
        assert start == 0 or text[:start].rstrip().endswith(ends)
        position = start + len(part)


def test_split_message_cjk_sentences_without_spaces() -> None:
    text = "これは長い文章です。" * 600 + "終わり！"
    parts = split_message(text, 1024)
    assert_pieces_of(text, parts, 1024)
    assert all(part.endswith(("。", "！")) for part in parts)
    assert "".join(parts) == text


def test_split_message_prefers_paragraphs() -> None:
    paragraphs = [f"Paragraf {i}. " + "Kalimat pendek sekali. " * (5 + i % 7) for i in range(40)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_message(text, 1024)
    assert_pieces_of(text, parts, 1024)
    for part in parts:
        assert part.startswith("Paragraf")
        assert part.endswith("Kalimat pendek sekali.")


def test_split_message_never_cuts_an_emoji() -> None:
    family = "👨‍👩‍👧‍👦"
    parts = split_message(family * 100, 50)
    assert all(part == family * (utf16_len(part) // 11) for part in parts)
    assert "".join(parts) == family * 100
    flags = "🇮🇩🇰🇷" * 50
    parts = split_message(flags, 9)
    assert all(len(part) % 2 == 0 for part in parts)
    assert "".join(parts) == flags
    # Only a grapheme longer than the limit itself is cut (at a code point, never a surrogate pair).
    parts = split_message(family, 4)
    assert "".join(parts) == family
    assert all(utf16_len(part) <= 4 for part in parts)


# --------------------------------------------------------------------------------------------
# split_html
# --------------------------------------------------------------------------------------------


def char_styles(formatted: FormattedText) -> list[frozenset[str]]:
    """For every character of the text, the formatting applied to it."""
    unit_to_char: list[int] = []
    for index, char in enumerate(formatted.text):
        unit_to_char.extend([index] * utf16_len(char))
    unit_to_char.append(len(formatted.text))
    styles: list[set[str]] = [set() for _ in formatted.text]
    for entity in formatted.entities:
        first = unit_to_char[entity["offset"]]
        last = unit_to_char[entity["offset"] + entity["length"]]
        label = f"{entity['type']}:{entity.get('url', '')}"
        for index in range(first, last):
            styles[index].add(label)
    return [frozenset(s) for s in styles]


TEXT_ALPHABET = ["kata", "word", " ", " ", "\n", ".", "&", "<", ">", '"', "한", "👍", "👨‍👩‍👧‍👦", "é"]
TAGS = {
    "b": ("<b>", "</b>"),
    "i": ("<i>", "</i>"),
    "u": ("<u>", "</u>"),
    "s": ("<s>", "</s>"),
    "code": ("<code>", "</code>"),
    "a": ('<a href="https://example.com/?a=1&amp;b=2">', "</a>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "spoiler": ("<tg-spoiler>", "</tg-spoiler>"),
}


@st.composite
def html_documents(draw: st.DrawFn, used: frozenset[str] = frozenset(), depth: int = 0) -> str:
    pieces: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        available = sorted(set(TAGS) - used)
        if depth < 3 and available and draw(st.booleans()):
            tag = draw(st.sampled_from(available))
            opening, closing = TAGS[tag]
            pieces.append(opening + draw(html_documents(used | {tag}, depth + 1)) + closing)
        else:
            pieces.append(escape("".join(draw(st.lists(st.sampled_from(TEXT_ALPHABET), max_size=30)))))
    return "".join(pieces)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(html_documents(), st.integers(min_value=11, max_value=80))
def test_split_html_properties(html: str, limit: int) -> None:
    whole = parse_html(html)
    parts = split_html(html, limit)
    if not whole.text.strip():
        assert parts == []
        return
    if reference_utf16_len(whole.text) <= limit:
        assert parts == [html]
    whole_styles = char_styles(whole)
    position = 0
    for part in parts:
        parsed = parse_html(part)  # raises if a part is not valid Telegram HTML
        assert parsed.text.strip()
        assert reference_utf16_len(parsed.text) <= limit
        gap_start = position
        while not whole.text.startswith(parsed.text, position):
            position += 1
        assert whole.text[gap_start:position].strip() == ""
        # The same formatting on every character as in the whole text.
        for offset, style in enumerate(char_styles(parsed)):
            assert style == whole_styles[position + offset], (html, part)
        position += len(parsed.text)
    assert whole.text[position:].strip() == ""


def test_split_html_closes_and_reopens_tags() -> None:
    html = (
        "<b>Bold <i>both</i> " + "kata " * 10 + '</b><a href="https://x.com/?a=1&amp;b=2">link ' + "teks " * 10 + "</a>"
    )
    parts = split_html(html, 40)
    assert parts[0].startswith("<b>Bold <i>both</i>")
    assert all(part.count("<b>") == part.count("</b>") for part in parts)
    assert any(part.startswith('<a href="https://x.com/?a=1&amp;b=2">') for part in parts[1:])
    for part in parts:
        assert reference_utf16_len(parse_html(part).text) <= 40


def test_split_html_never_cuts_an_entity_or_tag() -> None:
    html = "<code>" + "&amp;&lt;&gt;&quot;&#128077;" * 300 + "</code>"
    parts = split_html(html, 100)
    text = "".join(parse_html(part).text for part in parts)
    assert text == '&<>"👍' * 300
    assert all(part.startswith("<code>") and part.endswith("</code>") for part in parts)
    assert all(reference_utf16_len(parse_html(part).text) <= 100 for part in parts)


def test_split_html_counts_visible_length_only() -> None:
    html = '<a href="https://example.com/a/very/long/path/indeed">x</a> ' * 10
    assert split_html(html, 20) == [html]
    assert split_html("<b> </b>", 5) == []
    with pytest.raises(ValueError):
        split_html("x", 0)


_HTML_PIECES = st.sampled_from(
    ["<b>", "</b>", "<i>", "</i>", " ", "\n", "\u00a0", "a", "é", "😀", "&amp;", "&#32;", "&#x20;", "&#160;", "&nbsp;",
     "&", "&lt;", "<", ">", "'", '"', '<a href="x>y">', '<a href="https://a.b/">', "</a>", "&#10", "<br>"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(_HTML_PIECES, max_size=14), limit=st.sampled_from([1, 5, 20, 4096]))
def test_split_html_shortcut_gives_what_the_full_parse_gives(pieces: list[str], limit: int) -> None:
    html = "".join(pieces)

    def outcome(split: Callable[[str, int], list[str]]) -> object:
        try:
            return split(html, limit)
        except ValueError as exc:
            return str(exc)

    assert outcome(htmltext.split_html) == outcome(htmltext._split_parsed)


# --------------------------------------------------------------------------------------------
# The marker ranges and formatting tags through translation
# --------------------------------------------------------------------------------------------


def test_marker_ranges_do_not_overlap_and_refuse_indexes_outside_them() -> None:
    assert markers.span_marker(0) == "[[0]]" and markers.span_marker(6999) == "[[6999]]"
    assert markers.pack_marker(0) == "[[7000]]" and markers.pack_marker(1999) == "[[8999]]"
    assert markers.tag_marker(0) == "[[9000]]" and markers.tag_marker(999) == "[[9999]]"
    for make, bad in ((markers.span_marker, 7000), (markers.pack_marker, 2000), (markers.tag_marker, 1000)):
        with pytest.raises(ValueError):
            make(bad)
        with pytest.raises(ValueError):
            make(-1)
    assert markers.pack_index("7003") == 3 and markers.pack_index("9000") is None and markers.pack_index(6999) is None
    assert markers.tag_index("9002") == 2 and markers.tag_index("7000") is None


def test_formatting_tags_travel_as_markers_and_come_back_only_complete_and_in_order() -> None:
    masked, tags = mask_tags('<b>Rapat</b> &amp; <a href="https://x.id">MoU</a>')
    assert masked == "[[9000]]Rapat[[9001]] & [[9002]]MoU[[9003]]"
    assert tags == ["<b>", "</b>", '<a href="https://x.id">', "</a>"]
    assert (
        unmask_tags(masked.replace("Rapat", "Meeting"), tags) == '<b>Meeting</b> &amp; <a href="https://x.id">MoU</a>'
    )
    assert unmask_tags("[[9001]]x[[9000]][[9002]][[9003]]", tags) is None  # reordered: no formatting
    assert unmask_tags("Meeting & MoU", tags) is None  # lost
    assert strip_tag_marks("[[9000]]Meeting[[9001]] [[7000]] [[3]]") == "Meeting [[7000]] [[3]]"


def test_tag_markers_survive_protection_as_single_spans() -> None:
    masked, tags = mask_tags("<i>Lihat</i> https://x.id <b>besok</b>")
    protected = protect(masked)
    assert "[[9" not in protected.text  # every marker-like text became a span placeholder
    back = restore(protected.text.replace("Lihat", "See").replace("besok", "tomorrow"), protected)
    assert unmask_tags(back, tags) == "<i>See</i> https://x.id <b>tomorrow</b>"


def test_more_tags_than_the_range_holds_fall_back_to_plain_text() -> None:
    html = "<b>x</b>" * 600  # 1,200 tags
    masked, tags = mask_tags(html)
    assert tags == [] and masked == "x" * 600


def test_shorten_html_counts_what_is_written_and_cuts_where_html_allows() -> None:
    short = "<b>Laporan</b> &amp; catatan"
    assert htmltext.shorten_html(short, len(short)) == short  # fits: unchanged
    long = " ".join(f"<b>baris {n}</b> &amp;" for n in range(500))
    cut = htmltext.shorten_html(long, 300, "\n<i>…</i>")
    assert len(cut) <= 300 and cut.endswith("\n<i>…</i>") and cut.startswith("<b>baris 0</b> &amp;")
    assert cut.count("<b>") == cut.count("</b>")  # still valid HTML: every tag closed
    assert "&am" not in cut.replace("&amp;", "")
    with pytest.raises(ValueError):
        htmltext.shorten_html(long, 5, "\n<i>…</i>")
