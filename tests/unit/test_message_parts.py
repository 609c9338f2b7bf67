"""Messages built from parts of the catalogue (issue 29): the ↔ other-reading button says what it moved, the
reminder-settings line reads as one phrase in every language, counts agree with their nouns, and a figure
shows the same digits in every language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.features.indicators import show_change, show_number
from bot.features.reminders import lead_text
from bot.features.when import choice_data
from bot.language.catalog import Catalog
from bot.language.dates import Reading, format_when
from bot.language.numbers import entered, rounded, show_count, show_figure, show_short
from bot.reports.charts import _num
from bot.reports.exports import _number_text
from bot.reports.model import ChartText
from tests.kit import SURABAYA, Kit, member

ALL_SIX = ("id", "en", "ko", "de", "ja", "zh")


# ---- 1. the ↔ button says what happened ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ALL_SIX)
async def test_the_other_reading_of_a_due_date_says_where_it_moved(kit: Kit, catalog: Catalog, lang: str) -> None:
    here = await kit.group(SURABAYA, "Surabaya", lang)
    actions = kit.services.actions
    await actions.create(here, member(1), "Kirim draf MoU tenggat Jumat jam 14:00")
    [item] = await actions.actions.list(here.scope, statuses=("open",))
    assert item.due_at is not None
    other = item.due_at + timedelta(hours=12)
    answer = await actions.take_other(here, member(1), choice_data("a", item.scope, 1, Reading(item.due_at, other)))
    assert answer is not None and answer.key == "when.due_taken"
    shown = format_when(other, here.ui, here.timezone)
    text = kit.render(answer, here)
    assert text == catalog.t("when.due_taken", lang, number=1, when=shown)
    assert shown in text and "#1" in text
    assert text != catalog.t("reminder.done_ack", lang)  # it moved the date; nothing was marked done
    moved = await actions.actions.get(here.scope, 1)
    assert moved is not None and moved.due_at == other


@pytest.mark.parametrize("lang", ALL_SIX)
async def test_the_other_reading_of_a_reminder_says_where_it_moved(kit: Kit, catalog: Catalog, lang: str) -> None:
    here = await kit.group(SURABAYA, "Surabaya", lang)
    reminders = kit.services.reminders
    await reminders.remind(here, member(1), "2026-12-03 09:00 Siapkan agenda")
    found = await reminders.stored.numbered(here.scope, 1)
    assert found is not None
    taken = found.due_at
    other = taken + timedelta(hours=12)
    answer = await reminders.take_other(here, member(1), choice_data("r", here.scope, 1, Reading(taken, other)))
    assert answer is not None and answer.key == "when.reminder_taken"
    shown = format_when(other, here.ui, here.timezone)
    text = kit.render(answer, here)
    assert text == catalog.t("when.reminder_taken", lang, number=1, when=shown) and shown in text
    assert text != catalog.t("reminder.done_ack", lang)
    moved = await reminders.stored.numbered(here.scope, 1)
    assert moved is not None and moved.due_at == other


# ---- 2. the reminder-settings line ---------------------------------------------------------------------------

LEADS: dict[str, dict[tuple[int, ...], str]] = {
    "en": {
        (86400, 0): "24 hours before the deadline and at the deadline",
        (3600,): "1 hour before the deadline",
        (0,): "at the deadline",
        (604800, 86400, 3600): "7 days, 24 hours and 1 hour before the deadline",
    },
    "id": {
        (86400, 0): "24 jam sebelum tenggat dan saat tenggat",
        (3600,): "1 jam sebelum tenggat",
        (0,): "saat tenggat",
        (604800, 86400, 3600): "7 hari, 24 jam, dan 1 jam sebelum tenggat",
    },
    "ko": {
        (86400, 0): "마감 24시간 전과 마감 시각에",
        (3600,): "마감 1시간 전에",
        (0,): "마감 시각에",
        (604800, 86400, 3600): "마감 7일, 24시간 및 1시간 전에",
    },
    "de": {
        (86400, 0): "24 Stunden vor der Frist und bei Fälligkeit",
        (3600,): "1 Stunde vor der Frist",
        (0,): "bei Fälligkeit",
        (604800, 86400, 3600): "7 Tage, 24 Stunden und 1 Stunde vor der Frist",
    },
    "ja": {  # CLDR writes a space between the number and the unit (24 時間)
        (86400, 0): "期限の24 時間前と期限時刻に",
        (3600,): "期限の1 時間前に",
        (0,): "期限時刻に",
        (604800, 86400, 3600): "期限の7 日、24 時間、1 時間前に",
    },
    "zh": {
        (86400, 0): "截止前24小时及截止时",
        (3600,): "截止前1小时",
        (0,): "截止时",
        (604800, 86400, 3600): "截止前7天、24小时和1小时",
    },
}


@pytest.mark.parametrize("lang", ALL_SIX)
def test_the_lead_times_read_as_one_phrase(catalog: Catalog, lang: str) -> None:
    for leads, expected in LEADS[lang].items():
        assert lead_text(catalog, leads, lang) == expected, (lang, leads)
    assert lead_text(catalog, (0, 86400), lang) == LEADS[lang][(86400, 0)]  # in any order


@pytest.mark.parametrize("lang", ALL_SIX)
async def test_the_reminders_overview_shows_the_phrase(kit: Kit, catalog: Catalog, lang: str) -> None:
    here = await kit.group(SURABAYA, "Surabaya", lang)
    await kit.services.reminders.settings.set_lead(here.scope, (86400, 0))
    text = kit.render(await kit.services.reminders.reminders(here, member(1), ""), here)
    assert LEADS[lang][(86400, 0)] in text
    garbled = ("0 minutes", "0 (bei Fälligkeit)", "0분", "0分钟", "tepat saat tenggat sebelum tenggat")
    assert not any(g in text for g in garbled), text


# ---- 3. counts agree with their nouns ------------------------------------------------------------------------


def test_counts_agree_with_their_nouns(catalog: Catalog) -> None:
    t = catalog.t
    assert t("report.city", "de", city="Braunschweig", open=1, did=0, count=1).startswith(
        "🏙 <b>Braunschweig</b>: 1 dort festgehaltene offene Aufgabe,"
    )
    assert "2 dort festgehaltene offene Aufgaben," in t("report.city", "de", city="B", open=2, did=0, count=2)
    assert t("report.exchange", "en", days=1, count=1) == "Last exchange between the cities: 1 day ago."
    assert t("report.exchange", "en", days=0, count=0) == "Last exchange between the cities: 0 days ago."
    assert t("handover.held_reminders", "de", count=1, numbers="3") == "• 1 Erinnerung: 3"
    assert t("action.overdue_by", "de", days=2, count=2) == "⚠️ seit 2 Arbeitstagen überfällig"
    assert t("report.done_late", "en", late=3, days="1.5", count=1.5).endswith("1.5 working days")
    assert t("report.exchange", "ko", days=1, count=1) == t("report.exchange", "ko", days=1, count=2)


async def test_a_page_past_the_last_says_page_or_pages(kit: Kit) -> None:
    here = await kit.group(SURABAYA, "Surabaya", "en")
    key, text = await kit.refusal(kit.services.reminders.reminders(here, member(1), "3"), here)
    assert key == "list.no_page" and text.endswith("the list has 1 page.")


# ---- 4. one rounding rule per quantity -----------------------------------------------------------------------


def test_a_figure_shows_the_same_digits_in_every_language() -> None:
    expected = 46.73456  # an expected-by-now value: target 80 × 58.4 % of the year
    shown = {lang: show_figure(expected, lang) for lang in ("id", "en", "de")}
    assert shown == {"id": "46,7", "en": "46.7", "de": "46,7"}
    assert {lang: show_number(expected, lang) for lang in shown} == shown  # the indicators' name for it
    assert {lang: show_short(expected, lang) for lang in shown} == shown  # the charts' labels
    assert [show_figure(v, "en") for v in (46.75, 46.25, 2.0, 0.04, -0.04, -2.35)] == [
        "46.8",
        "46.3",
        "2",
        "0",
        "0",
        "-2.4",
    ]
    assert show_figure(12500.55, "en") == "12,500.6" and show_figure(12500.55, "de") == "12.500,6"
    assert show_change(2.46, "id") == "+2,5"
    assert show_count(1250, "id") == "1.250" and show_count(3, "de") == "3"
    assert show_short(1_250_000, "en") == "1.3M" and show_short(1_250_000, "de") == "1,3\xa0Mio."
    assert str(rounded(1200.0)) == "1200" and str(rounded(0.1 + 0.2)) == "0.3"


def test_an_export_keeps_the_digits_entered_without_float_noise() -> None:
    assert _number_text(0.1 + 0.2, ".") == "0.3"
    assert _number_text(2.75, ",") == "2,75" and _number_text(12.0, ".") == "12" and _number_text(3, ".") == "3"
    assert str(entered(1.23456)) == "1.2346"


def test_a_chart_labels_its_figures_in_the_reports_language() -> None:
    assert [_num(46.73456, lang) for lang in ("id", "en", "de")] == ["46,7", "46.7", "46,7"]
    assert ChartText(language="id").language == "id" and ChartText().language == "en"
