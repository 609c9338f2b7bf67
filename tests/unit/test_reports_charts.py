"""Report charts: PNG bytes of the right size that are not blank, CJK labels drawn as glyphs (not boxes) and
without "Glyph ... missing" warnings, empty, long and odd inputs, and drawing from several threads at once."""

from __future__ import annotations

import io
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageStat

from bot.reports import charts
from bot.reports.charts import FONT_FAMILY, actions_chart, activity_chart, fonts_ready, indicator_chart
from bot.reports.model import Bucket, ChartText, CityActivity, IndicatorProgress

Chart = Callable[[Sequence[Any], ChartText], bytes]

# Two different characters of the same script and Unicode block each: drawn as real glyphs they differ; drawn
# as the missing-glyph box they are the same box.
SCRIPTS = {
    "ko": ("교", "육", "교육 교류"),
    "ja": ("の", "は", "文化の交流"),
    "zh": ("汉", "语", "经济合作"),
}

TEXT = ChartText(
    indicators_title="지표 · 指標 · 指标",
    target="목표",
    expected="予定",
    value="已完成",
    actions_title="Tindak lanjut",
    opened="dibuka",
    done="erledigt",
    activity_title="Weitergeleitete Nachrichten",
    extra={"empty": "표시할 내용 없음", "behind": "뒤처짐"},
)


def indicators(n: int = 4, label: str = "교육 교류") -> list[IndicatorProgress]:
    names = [label, "展覧会の来場者", "投资项目", "Schüleraustausch", "Pohon yang ditanam"]
    return [
        IndicatorProgress(
            programme=f"P{k}",
            name=names[k % len(names)],
            target=10.0 * (k + 1),
            period="year",
            value=7.0 * k,
            expected=5.0 * (k + 1),
            on_track=k % 2 == 0,
        )
        for k in range(n)
    ]


def buckets(n: int = 8) -> list[Bucket]:
    return [Bucket(date(2026, 1, 5) + timedelta(weeks=k), k % 5, k % 3) for k in range(n)]


def cities(n: int = 3, first: str = "서울") -> list[CityActivity]:
    names = [first, "大阪", "北京", "Surabaya", "München"]
    return [
        CityActivity(
            f"{names[k % len(names)]}{k // len(names) or ''}",
            tuple((date(2026, 3, 1) + timedelta(days=d), (d + k) % 6 + 1) for d in range(0, 28, 1 + k % 3)),
        )
        for k in range(n)
    ]


SAMPLES: list[tuple[str, Chart, Callable[[], Sequence[Any]]]] = [
    ("indicators", indicator_chart, indicators),
    ("actions", actions_chart, buckets),
    ("activity", activity_chart, cities),
]


def decode(png: bytes) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def assert_chart(png: bytes) -> Image.Image:
    assert len(png) <= 200_000
    image = decode(png)
    assert image.size == (1000, 600)
    stddev = ImageStat.Stat(image.convert("L")).stddev[0]
    assert stddev > 5, "the chart is blank"
    return image


def render_text(text: str, family: Sequence[str]) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """``text`` drawn alone in black on white, as a greyscale array."""
    fig = Figure(figsize=(1.6, 0.8), dpi=100, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, family=list(family), size=32, ha="center", va="center")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    del canvas
    return np.asarray(Image.open(buf).convert("L"))


def missing_glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------


def test_fonts_ready() -> None:
    assert fonts_ready()


def test_font_has_hangul_kana_and_han_glyphs() -> None:
    assert fonts_ready()
    path = font_manager.fontManager.findfont(charts.CJK_FONT_NAME, fallback_to_default=False)
    assert Path(path).is_file()
    font = FT2Font(path)
    for char in "교육の汉语漢字カ":
        assert font.get_char_index(ord(char)) != 0, char
    # and Latin with German and Indonesian letters comes from the first font in the list
    latin = FT2Font(font_manager.fontManager.findfont(FONT_FAMILY[0], fallback_to_default=False))
    for char in "äöüßÄ·":
        assert latin.get_char_index(ord(char)) != 0, char


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_cjk_text_is_drawn_as_glyphs_not_boxes(lang: str) -> None:
    assert fonts_ready()
    one, other, _ = SCRIPTS[lang]
    glyph_one, glyph_other = render_text(one, FONT_FAMILY), render_text(other, FONT_FAMILY)
    assert glyph_one.std() > 10, "nothing drawn"
    assert not np.array_equal(glyph_one, glyph_other), "two different characters drew the same (box) glyph"
    # The same characters in a font without them: the missing-glyph box, the same for both
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box_one, box_other = render_text(one, ["DejaVu Sans"]), render_text(other, ["DejaVu Sans"])
    assert np.array_equal(box_one, box_other), "the box reference is not a box"
    assert not np.array_equal(glyph_one, box_one)


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_no_missing_glyph_warning_for_cjk_labels(lang: str) -> None:
    _, _, label = SCRIPTS[lang]
    text = ChartText(
        indicators_title=label,
        target=label,
        expected=label,
        value=label,
        actions_title=label,
        opened=label,
        done=label,
        activity_title=label,
        extra={"empty": label, "behind": label},
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_chart(indicator_chart(indicators(3, label), text))
        assert_chart(actions_chart(buckets(), text))
        assert_chart(activity_chart(cities(2, label), text))
        decode(indicator_chart([], text))
    assert missing_glyph_warnings(caught) == []


def test_a_missing_glyph_would_be_seen() -> None:
    """The warning the test above looks for is what matplotlib says for a font without the glyph."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_text("교", ["DejaVu Sans"])
    assert missing_glyph_warnings(caught)


def test_korean_label_differs_from_boxes_in_a_chart() -> None:
    korean = indicator_chart(indicators(1, "교육 교류"), TEXT)
    boxes = indicator_chart(indicators(1, "□□ □□"), TEXT)
    assert_chart(korean)
    assert_chart(boxes)
    assert korean != boxes


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "chart", "sample"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_chart_is_a_1000x600_png_that_is_not_blank(
    name: str, chart: Chart, sample: Callable[[], Sequence[Any]]
) -> None:
    image = assert_chart(chart(sample(), TEXT))
    assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 8, f"{name}: too few colours for a chart"


@pytest.mark.parametrize(("name", "chart", "sample"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_empty_input_says_there_is_nothing(name: str, chart: Chart, sample: Callable[[], Sequence[Any]]) -> None:
    image = decode(chart([], TEXT))
    assert image.size == (1000, 600)
    assert ImageStat.Stat(image.convert("L")).stddev[0] > 1  # the title and the word
    decode(chart([], ChartText()))  # no word in the catalogue: a dash


def test_empty_word_is_drawn() -> None:
    plain = indicator_chart([], ChartText())
    worded = indicator_chart([], ChartText(extra={"empty": "Tidak ada data"}))
    assert plain != worded


def test_long_inputs_are_capped() -> None:
    assert_chart(indicator_chart(indicators(30), TEXT))
    assert_chart(activity_chart(cities(30), TEXT))
    assert_chart(actions_chart(buckets(110), TEXT))
    # a year of daily counts for a dozen cities
    year = [
        CityActivity(f"C{k}", tuple((date(2026, 1, 1) + timedelta(days=d), (d * k) % 9) for d in range(365)))
        for k in range(14)
    ]
    assert_chart(activity_chart(year, TEXT))


def test_more_than_twelve_are_summarised() -> None:
    twelve = indicator_chart(indicators(12), TEXT)
    thirteen = indicator_chart(indicators(13), TEXT)
    assert twelve != thirteen  # the same rows, and "+1"


def test_monthly_buckets_and_a_single_bucket() -> None:
    months = [Bucket(date(2025, m, 1), m, m // 2) for m in range(1, 13)] + [Bucket(date(2026, 1, 1), 3, 3)]
    assert_chart(actions_chart(months, TEXT))
    assert_chart(actions_chart([Bucket(date(2026, 3, 2), 0, 0)], TEXT))


def test_odd_values_do_not_raise() -> None:
    odd = [
        IndicatorProgress("", "", 0.0, "year", 0.0, 0.0, True),
        IndicatorProgress("P", "zero target, some value", 0.0, "by", 5.0, 0.0, True),
        IndicatorProgress("P", "negative value", 10.0, "year", -40.0, 5.0, False),
        IndicatorProgress("P", "negative target", -5.0, "year", 3.0, -1.0, False),
        IndicatorProgress("P", "way over", 1.0, "year", 1e9, 0.5, True),
        IndicatorProgress("P", "nan and inf", float("nan"), "year", float("inf"), float("-inf"), False),
        IndicatorProgress("$x^2$ cost", "$ budget $ \\frac{", 3.0, "quarter", 1.5, 2.0, True),
        IndicatorProgress("P" * 200, "名" * 200, 7.0, "year", 3.3333, 2.5, True),
    ]
    assert_chart(indicator_chart(odd, TEXT))
    assert_chart(indicator_chart([odd[0]], TEXT))
    odd_buckets = [Bucket(date(2026, 3, 9), -3, 2), Bucket(date(2026, 3, 2), 0, -1), Bucket(date(2026, 3, 2), 1, 1)]
    assert_chart(actions_chart(odd_buckets, TEXT))
    decode(actions_chart([Bucket(date(2026, 3, 2), 0, 0)] * 3, TEXT))
    stamp = datetime(2026, 3, 4, 10, tzinfo=UTC)
    odd_cities = [
        CityActivity("$Kota$", ((date(2026, 3, 2), 4), (date(2026, 3, 2), 1), (stamp, 2))),  # type: ignore[arg-type]
        CityActivity("", ((date(2026, 3, 1), -2),)),
        CityActivity("quiet", ()),
        CityActivity("ancient", ((date(1, 1, 1), 1), (date(2026, 3, 3), 1))),
    ]
    assert_chart(activity_chart(odd_cities, TEXT))
    decode(activity_chart([CityActivity("quiet", ())], TEXT))


def test_charts_drawn_concurrently_in_threads_are_valid_and_the_same_as_serial() -> None:
    jobs: list[tuple[Chart, Sequence[Any]]] = [
        (indicator_chart, indicators(5)),
        (actions_chart, buckets(10)),
        (activity_chart, cities(4)),
        (indicator_chart, indicators(14, "文化の交流")),
    ] * 2
    serial = [chart(data, TEXT) for chart, data in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda job: job[0](job[1], TEXT), jobs))
    for png in concurrent:
        assert_chart(png)
    assert concurrent == serial


def test_each_chart_is_quick() -> None:
    """Well under the budget of 0.3 s CPU a chart (measured ~0.1 s); the bound here is loose for slow CI."""
    for _, chart, sample in SAMPLES:
        data = sample()
        chart(data, TEXT)  # warm the font caches
        start = time.process_time()
        chart(data, TEXT)
        assert time.process_time() - start < 1.0


# --------------------------------------------------------------------------------------------
# What a chart says on its own: whose, when, dates in the group's language, lines told apart
# --------------------------------------------------------------------------------------------


def drawn_figure(monkeypatch: pytest.MonkeyPatch, chart: Chart, data: Sequence[Any], text: ChartText) -> Figure:
    """The figure ``chart`` draws, as it is just before it is saved (every text in place)."""
    kept: list[Figure] = []
    original = charts._png

    def keep(fig: Figure, canvas: FigureCanvasAgg) -> bytes:
        kept.append(fig)
        return original(fig, canvas)

    monkeypatch.setattr(charts, "_png", keep)
    png = chart(data, text)
    if data:
        assert_chart(png)
    else:
        decode(png)
    (fig,) = kept
    return fig


def heading_of(fig: Figure) -> str:
    suptitle = fig.get_suptitle()
    return str(suptitle)


def x_labels(fig: Figure) -> list[str]:
    (ax,) = fig.axes
    return [label.get_text() for label in ax.get_xticklabels()]


def first(values: object) -> float:
    return float(np.asarray(values, dtype=float)[0])


HEADING = "Busan, Braunschweig: 1 Dec 2026 – 7 Dec 2026"


@pytest.mark.parametrize(("name", "chart", "sample"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_every_chart_is_headed_with_the_partnership_and_the_period(
    monkeypatch: pytest.MonkeyPatch, name: str, chart: Chart, sample: Callable[[], Sequence[Any]]
) -> None:
    text = ChartText(heading=HEADING, language="en")
    fig = drawn_figure(monkeypatch, chart, sample(), text)
    assert heading_of(fig) == HEADING
    assert fig.axes[0].get_title() in (text.indicators_title, text.actions_title, text.activity_title)
    assert heading_of(drawn_figure(monkeypatch, chart, [], text)) == HEADING  # an empty chart too
    assert heading_of(drawn_figure(monkeypatch, chart, sample(), ChartText())) == ""  # none given: none drawn


@pytest.mark.parametrize(
    ("language", "day", "year"),
    [
        ("en", "7 Dec", "2026"),
        ("id", "7 Des", "2026"),
        ("de", "7. Dez.", "2026"),
        ("ko", "12월 7일", "2026년"),
        ("ja", "12月7日", "2026年"),
        ("zh", "12月7日", "2026年"),
    ],
)
def test_axis_dates_are_written_as_the_language_writes_them(
    monkeypatch: pytest.MonkeyPatch, language: str, day: str, year: str
) -> None:
    text = ChartText(language=language)
    week = [CityActivity("Busan", tuple((date(2026, 12, 1) + timedelta(days=d), d + 1) for d in range(7)))]
    fig = drawn_figure(monkeypatch, activity_chart, week, text)
    assert x_labels(fig)[-1] == day and fig.axes[0].get_xlabel() == year
    assert "12-07" not in x_labels(fig)
    weeks = [Bucket(date(2026, 11, 30) + timedelta(weeks=k), 1, 1) for k in range(2)]
    fig = drawn_figure(monkeypatch, actions_chart, weeks, text)
    assert x_labels(fig)[-1] == day and fig.axes[0].get_xlabel() == year
    across = [Bucket(date(2026, 12, 28), 1, 0), Bucket(date(2027, 1, 4), 0, 1)]  # two years: each label has its own
    labels = x_labels(drawn_figure(monkeypatch, actions_chart, across, text))
    assert "2026" in labels[0] and "2027" in labels[1]


def test_lines_of_one_day_stay_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five cities with the same count on the only day of the period: five points, not one."""
    names = ["Busan", "Braunschweig", "Surabaya", "Kyoto", "Suzhou"]
    same = [CityActivity(name, ((date(2026, 12, 7), 3),)) for name in names]
    fig = drawn_figure(monkeypatch, activity_chart, same, ChartText(language="ko"))
    lines = fig.axes[0].get_lines()
    assert len(lines) == 5
    points = {(first(line.get_xdata()), first(line.get_ydata())) for line in lines}
    assert len(points) == 5, "the points sit on top of each other"
    assert all(abs(x) < 0.5 for x, _ in points)  # each still within its day
    assert len({line.get_marker() for line in lines}) == 5  # and each has a shape of its own
    legend = fig.axes[0].get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == [f"{n} (3)" for n in names]
    assert x_labels(fig) == ["12월 7일"]
    # a long period: plain lines on their days
    year = [CityActivity(n, tuple((date(2026, 1, 1) + timedelta(days=d), 1) for d in range(200))) for n in names]
    lines = drawn_figure(monkeypatch, activity_chart, year, ChartText()).axes[0].get_lines()
    assert all(line.get_marker() in ("None", None, "") for line in lines)
    assert all(first(line.get_xdata()) == 0.0 for line in lines)


def test_a_cjk_heading_is_drawn_with_glyphs() -> None:
    heading = "釜山、ブラウンシュヴァイク：2026/12/01～2026/12/07"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = activity_chart(cities(3), ChartText(language="ja", heading=heading))
    assert missing_glyph_warnings(caught) == []
    assert_chart(png)
    assert png != activity_chart(cities(3), ChartText(language="ja"))
