"""Report charts as PNG bytes: indicators against their targets, actions opened and done, messages relayed.

Drawn with matplotlib's object API (``Figure`` + ``FigureCanvasAgg``), never pyplot, so nothing here touches
pyplot's global figure state and no rcParams are changed: every text gets its font family explicitly. The one
global change is registering the CJK font file with matplotlib's font manager, done once under a lock. Charts
are drawn from worker threads; matplotlib does not promise thread safety (its text layout and font caches are
shared), so drawing and saving one figure holds ``_DRAW_LOCK``. A chart takes well under 0.3 s, so the lock
costs little, and the GIL would serialise most of that work anyway.

Fonts. Labels come in Korean, Japanese, Chinese, Indonesian and German. Latin text is set in DejaVu Sans
(shipped inside matplotlib); every glyph DejaVu lacks falls back, glyph by glyph, to Noto Sans CJK JP (the list
in ``FONT_FAMILY``; matplotlib >= 3.6 does per-glyph fallback through a family list). The Noto file comes from
the PyPI package ``noto-cjk-sans-jp-regular`` (the Google Noto Sans CJK JP Regular OTF, SIL OFL 1.1, 16 MB), a
project dependency. One font covers all three scripts: all 11,172 Hangul syllables, all kana and the 3,755
commonest simplified Chinese characters (GB2312 level 1) as well as the Japanese and traditional ones. The
matplotlib-specific packages were checked and left out: ``koreanize-matplotlib`` (NanumGothic) has no kana, and
``matplotlib-fontja`` (IPAexGothic) has no Hangul; even both together miss 1,183 of those 3,755 simplified
Chinese characters (爱, 办, 报 ...). ``mplfonts`` ships Noto Sans CJK SC but weighs 85 MB with extra
dependencies. The JP flavour draws Han characters that differ by region in their Japanese forms, which readers of
Chinese still read without trouble.
"""

from __future__ import annotations

import io
import logging
import math
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

from babel.dates import format_skeleton
from matplotlib import colormaps, font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter
from PIL import Image

from bot.language.catalog import babel_locale
from bot.language.numbers import show_short
from bot.reports.model import Bucket, ChartText, CityActivity, IndicatorProgress

logger = logging.getLogger(__name__)

__all__ = ["FONT_FAMILY", "actions_chart", "activity_chart", "fonts_ready", "indicator_chart"]

CJK_FONT_PACKAGE = "noto_cjk_sans_jp_regular"
CJK_FONT_NAME = "Noto Sans CJK JP"
#: Tried glyph by glyph, in this order.
FONT_FAMILY: tuple[str, ...] = ("DejaVu Sans", CJK_FONT_NAME)
#: One character of each script that must have a glyph: Hangul, kana, simplified Han.
PROBE_CHARS = "교の汉"

MAX_ROWS = 12  # indicators or cities drawn; the rest are summarised as "+N"
WIDTH_IN, HEIGHT_IN, DPI = 10.0, 6.0, 100  # 1000 × 600 px
LABEL_CHARS = 40
TITLE_CHARS = 80
HEADING_CHARS = 110

ON_TRACK = "#2e7d32"
BEHIND = "#c62828"
TARGET = "#424242"
OPENED = "#1f77b4"
DONE = "#2ca02c"

_FONT_LOCK = threading.Lock()
_DRAW_LOCK = threading.Lock()
_font_state: bool | None = None  # None: not tried yet


def _cjk_font_path() -> Path | None:
    try:
        folder = resources.files(CJK_FONT_PACKAGE)
    except ModuleNotFoundError:
        return None
    candidates = sorted(Path(str(folder)).glob("*.[ot]tf"))
    return candidates[0] if candidates else None


def _has_glyphs(path: Path, chars: str) -> bool:
    font = FT2Font(str(path))
    return all(font.get_char_index(ord(c)) != 0 for c in chars)


def _register_fonts() -> bool:
    """Add the CJK font file to matplotlib's font manager, once. True when it is there and has the glyphs."""
    global _font_state
    with _FONT_LOCK:
        if _font_state is None:
            path = _cjk_font_path()
            ok = False
            if path is None:
                logger.warning("charts: font package %s is not installed; CJK labels will show boxes", CJK_FONT_PACKAGE)
            else:
                try:
                    font_manager.fontManager.addfont(str(path))
                    ok = _has_glyphs(path, PROBE_CHARS)
                except (OSError, RuntimeError, ValueError) as exc:  # an unreadable or broken font file
                    logger.warning("charts: cannot use the font %s: %s", path, exc)
                if path is not None and not ok:
                    logger.warning("charts: the font %s lacks Hangul, kana or Han glyphs", path)
            _font_state = ok
        return _font_state


def fonts_ready() -> bool:
    """True when a font with Hangul, kana and Han glyphs is registered with matplotlib and found by name."""
    if not _register_fonts():
        return False
    try:
        found = font_manager.fontManager.findfont(CJK_FONT_NAME, fallback_to_default=False)
    except ValueError:
        return False
    return _has_glyphs(Path(found), PROBE_CHARS)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _finite(x: float) -> float:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) else 0.0


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(x: float, language: str) -> str:
    """A number as the chart's language writes it, with the digits the report's text shows (at most one
    decimal): 12, 2.5 / 2,5, 12,500 / 12.500, 1.2M / 1,2 Mio."""
    return show_short(x, language)


def _png(fig: Figure, canvas: FigureCanvasAgg) -> bytes:
    # Every text (titles, tick labels, legends, notes) gets the fallback family, and "$" in a label is text,
    # not mathtext. Set per text rather than in rcParams, which are global.
    for item in fig.findobj(Text):
        if isinstance(item, Text):
            item.set_fontfamily(list(FONT_FAMILY))
            item.set_parse_math(False)
    raw = io.BytesIO()
    fig.savefig(raw, format="raw", dpi=DPI)  # RGBA pixels, row by row
    # Reduced to a 256-colour palette: a busy chart (a dozen antialiased lines) is ~240 KB as an RGBA PNG and
    # ~100 KB as a palette PNG, with no visible difference.
    image = Image.frombytes("RGBA", canvas.get_width_height(), raw.getvalue())
    buf = io.BytesIO()
    image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(buf, format="PNG")
    return buf.getvalue()


def _render(draw: Callable[[Figure, Axes], None]) -> bytes:
    _register_fonts()
    with _DRAW_LOCK:
        fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained", facecolor="white")
        canvas = FigureCanvasAgg(fig)
        draw(fig, fig.add_subplot())
        return _png(fig, canvas)


def _titles(fig: Figure, ax: Axes, title: str, text: ChartText) -> None:
    """The chart's own title over the plot, and above it the heading that says whose and when (the partnership's
    cities and the period), so that a chart forwarded alone still says what it shows."""
    ax.set_title(_short(title, TITLE_CHARS), fontsize=14)
    if text.heading.strip():
        fig.suptitle(_short(text.heading, HEADING_CHARS), fontsize=12, color="#424242")


def _empty(fig: Figure, ax: Axes, title: str, text: ChartText) -> None:
    _titles(fig, ax, title, text)
    ax.text(
        0.5,
        0.5,
        _short(text.extra.get("empty", "—"), TITLE_CHARS),
        ha="center",
        va="center",
        fontsize=18,
        color="#757575",
        transform=ax.transAxes,
    )
    ax.set_axis_off()


def _more_note(fig: Figure, hidden: int) -> None:
    if hidden > 0:
        fig.text(0.005, 0.005, f"+{hidden}", ha="left", va="bottom", fontsize=11, color="#616161")


def _date_labels(days: Sequence[date], language: str, monthly: bool = False) -> tuple[list[str], str]:
    """The x labels of ``days`` as the language writes a short date (CLDR skeletons: "7 Dec", "7. Dez.", "12월 7일",
    "12月7日"; months "Dec 2026", "2026년 12월"), and an axis label: the year once when every date shares it."""
    locale = babel_locale(language)
    years = {d.year for d in days}
    if monthly:
        skeleton = "MMM" if len(years) == 1 else "yMMM"
    else:
        skeleton = "MMMd" if len(years) == 1 else "yMMMd"
    labels = [format_skeleton(skeleton, d, locale=locale) for d in days]
    axis = format_skeleton("y", days[0], locale=locale) if len(years) == 1 and days else ""
    return labels, axis


def _day(value: object) -> date | None:
    """A plain date (a datetime gives its date; anything else none), so dates always compare."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


# --------------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------------


def _ratio(value: float, target: float) -> float:
    """The value as a share of the target; a target of zero (or an odd negative one) counts as met or not."""
    if target > 0:
        return value / target
    return 1.0 if value >= target else 0.0


def indicator_chart(indicators: Sequence[IndicatorProgress], text: ChartText) -> bytes:
    """Horizontal bars, one per indicator ("programme · name"): the value as a share of its target (100 %), a
    diamond where the pace expects it to be by now, green when on track and red when behind, and "value /
    target" beside each bar. At most ``MAX_ROWS`` rows; the rest are counted as "+N"."""

    def draw(fig: Figure, ax: Axes) -> None:
        if not indicators:
            _empty(fig, ax, text.indicators_title, text)
            return
        shown = list(indicators[:MAX_ROWS])
        values = [_finite(i.value) for i in shown]
        targets = [_finite(i.target) for i in shown]
        ratios = [_ratio(v, t) for v, t in zip(values, targets, strict=True)]
        expected = [_ratio(_finite(i.expected), t) for i, t in zip(shown, targets, strict=True)]
        hi = min(max([1.0, *ratios, *expected]) * 1.12, 3.0)
        lo = max(min([0.0, *ratios, *expected]) * 1.12, -1.0)
        drawn = [min(max(r, lo), hi) for r in ratios]  # past 300 % a bar stops at the edge
        ys = list(range(len(shown)))
        colours = [ON_TRACK if i.on_track else BEHIND for i in shown]
        ax.barh(ys, drawn, height=0.6, color=colours, zorder=2)
        ax.scatter([min(max(e, lo), hi) for e in expected], ys, marker="D", s=42, color="black", zorder=3)
        ax.axvline(1.0, color=TARGET, linestyle="--", linewidth=1.2, zorder=1)
        # "value / target" in a column right of the plot, clear of the bars and diamonds
        column = ax.get_yaxis_transform()  # x in axes fractions, y in data
        for y, value, target in zip(ys, values, targets, strict=True):
            ax.text(
                1.01,
                y,
                f"{_num(value, text.language)} / {_num(target, text.language)}",
                transform=column,
                va="center",
                fontsize=9,
                color="#212121",
            )
        ax.set_yticks(ys, [_short(f"{i.programme} · {i.name}") for i in shown])
        ax.invert_yaxis()
        ax.set_xlim(lo, hi)
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.grid(axis="x", color="#e0e0e0", zorder=0)
        _titles(fig, ax, text.indicators_title, text)
        handles = [
            Patch(color=ON_TRACK, label=_short(text.value)),
            Line2D([], [], marker="D", color="black", linestyle="", label=_short(text.expected)),
            Line2D([], [], color=TARGET, linestyle="--", label=_short(text.target)),
        ]
        if "behind" in text.extra:
            handles.insert(1, Patch(color=BEHIND, label=_short(text.extra["behind"])))
        ax.legend(handles=handles, loc="lower right", fontsize=9, framealpha=0.9)
        _more_note(fig, len(indicators) - len(shown))

    return _render(draw)


# --------------------------------------------------------------------------------------------
# Actions
# --------------------------------------------------------------------------------------------


def actions_chart(buckets: Sequence[Bucket], text: ChartText) -> bytes:
    """Grouped bars per week or month: actions opened and done. X labels are the buckets' start dates as the
    chart's language writes them, short: "Mar 2026" for months, "2 Mar" / "3월 2일" for weeks (within one year the
    year is said once, under the axis)."""

    def draw(fig: Figure, ax: Axes) -> None:
        rows = sorted(((day, b) for b in buckets if (day := _day(b.start)) is not None), key=lambda r: r[0])
        if not rows:
            _empty(fig, ax, text.actions_title, text)
            return
        starts = [day for day, _ in rows]
        monthly = len(rows) > 1 and all(d.day == 1 for d in starts)
        labels, axis_label = _date_labels(starts, text.language, monthly)
        xs = list(range(len(rows)))
        width = 0.4
        opened = [int(_finite(b.opened)) for _, b in rows]
        done = [int(_finite(b.done)) for _, b in rows]
        ax.bar([x - width / 2 for x in xs], opened, width, color=OPENED, label=_short(text.opened), zorder=2)
        ax.bar([x + width / 2 for x in xs], done, width, color=DONE, label=_short(text.done), zorder=2)
        step = max(1, math.ceil(len(rows) / 16))  # at most ~16 date labels
        ax.set_xticks(
            xs[::step],
            labels[::step],
            rotation=45 if len(xs[::step]) > 8 else 0,
            ha="right" if len(xs[::step]) > 8 else "center",
        )
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if max([*opened, *done, 0]) <= 0 and min([*opened, *done, 0]) >= 0:
            ax.set_ylim(0, 1)
        ax.grid(axis="y", color="#e0e0e0", zorder=0)
        ax.set_xlabel(axis_label)
        _titles(fig, ax, text.actions_title, text)
        ax.legend(loc="upper left", fontsize=10)

    return _render(draw)


# --------------------------------------------------------------------------------------------
# Activity
# --------------------------------------------------------------------------------------------

MAX_DAYS = 800  # a longer span is cut to its last MAX_DAYS days
MARKED_DAYS = 45  # up to this many days each city's points are drawn, each city with a shape of its own
#: One shape per line (MAX_ROWS of them), so that cities with the same count on a day stay apart in black and white.
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")
#: Of a day: lines are set side by side across this much of it (a period of a few days, and a longer one).
SPREAD_FEW, SPREAD_MANY = 0.7, 0.3


def activity_chart(activity: Sequence[CityActivity], text: ChartText) -> bytes:
    """One line per city: messages relayed per day over the period (days without any count as 0), legend
    "city (total)". The ``MAX_ROWS`` busiest cities are drawn; the others together as one line "+N". Over at most
    ``MARKED_DAYS`` days each line marks its points with a shape of its own and the lines stand slightly apart
    within each day, so that cities with the same counts (or a period of a single day, where each line is one
    point) are still told apart."""

    def draw(fig: Figure, ax: Axes) -> None:
        series: list[tuple[str, dict[date, int]]] = []
        for city in activity:
            counts: dict[date, int] = {}
            for when, count in city.days:
                if (day := _day(when)) is not None:
                    counts[day] = counts.get(day, 0) + int(_finite(count))
            if counts:
                series.append((str(city.city), counts))
        if not series:
            _empty(fig, ax, text.activity_title, text)
            return
        series.sort(key=lambda s: -sum(s[1].values()))
        if len(series) > MAX_ROWS:
            rest = series[MAX_ROWS - 1 :]
            merged: dict[date, int] = {}
            for _, counts in rest:
                for day, count in counts.items():
                    merged[day] = merged.get(day, 0) + count
            series = [*series[: MAX_ROWS - 1], (f"+{len(rest)}", merged)]
        last = max(max(counts) for _, counts in series)
        first = max(min(min(counts) for _, counts in series), last - timedelta(days=MAX_DAYS - 1))
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        xs = list(range(len(days)))
        palette = colormaps["tab20"] if len(series) > 10 else colormaps["tab10"]
        marked = len(days) <= MARKED_DAYS
        spread = SPREAD_FEW if len(days) <= 3 else SPREAD_MANY
        gap = min(0.12, spread / len(series)) if marked and len(series) > 1 else 0.0
        size = 8 if len(days) <= 3 else 5
        for n, (name, counts) in enumerate(series):
            ys = [counts.get(d, 0) for d in days]
            label = f"{_short(name, 28)} ({sum(ys)})"
            shift = (n - (len(series) - 1) / 2) * gap
            ax.plot(
                [x + shift for x in xs],
                ys,
                marker=MARKERS[n % len(MARKERS)] if marked else None,
                markersize=size,
                linewidth=1.8,
                color=palette(n % palette.N),
                label=label,
            )
        labels, axis_label = _date_labels(days, text.language)
        step = max(1, math.ceil(len(days) / 12))
        ax.set_xticks(
            xs[::step], labels[::step], rotation=30 if len(days) > 1 else 0, ha="right" if len(days) > 1 else "center"
        )
        ax.set_xlim(-0.5, len(days) - 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: _num(v, text.language)))
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
        ax.grid(color="#eeeeee", zorder=0)
        ax.set_xlabel(axis_label)
        _titles(fig, ax, text.activity_title, text)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, borderaxespad=0)

    return _render(draw)
