"""What the ``/export actions`` and ``/export indicators`` files are written from (:class:`ActionSheet`,
:class:`IndicatorSheet`) and the functions that write them in the workshop's worker process
(:func:`action_files`, :func:`indicator_files`), with the words they need from the group's catalogue: each
indicator's period as the group reads it, the XLSX header form that names the zone of the datetimes, and which
due dates are whole days (:func:`deadline_day`, for the calendar export). Moved out of ``bot.features.reports``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from bot.domain.records import ActionItem, Indicator, IndicatorUpdate
from bot.language.catalog import Catalog, Markup, babel_locale
from bot.language.htmltext import strip_tags
from bot.reports.model import ActionRow, IndicatorRow

__all__ = [
    "ActionSheet",
    "IndicatorSheet",
    "action_files",
    "deadline_day",
    "indicator_files",
    "period_words",
    "zone_form",
]

#: The default time of a date said without one (``bot.language.dates.spec.END_OF_WORKING_DAY``, 17:00), in
#: minutes after midnight; kept here so that the workshop's worker does not load the date reader.
END_OF_WORKING_DAY = 17 * 60
DAY_END = 23 * 60 + 59  # 23:59 and later close the day too


@dataclass(frozen=True)
class ActionSheet:
    """What the actions export is written from, in the workshop's worker: the items (by number), their titles in
    the group's language, their owners as the group writes a list, the status words, the groups' cities, and the
    instant that decides what is late."""

    items: Sequence[ActionItem]
    titles: Sequence[str]
    owners: Sequence[str]
    status: Mapping[str, str]
    cities: Mapping[int, str]
    now: datetime

    def rows(self) -> list[ActionRow]:
        return [
            ActionRow(
                number=i.number,
                title=title,
                original=i.title,
                programme=i.programme or "",
                owners=owners,
                city=self.cities.get(i.chat_id, ""),
                status=self.status.get(i.status, i.status),
                created_at=i.created_at,
                due_at=i.due_at,
                done_at=i.done_at,
                late=i.due_at is not None
                and ((i.done_at is not None and i.done_at > i.due_at) or i.is_overdue(self.now)),
            )
            for i, title, owners in zip(self.items, self.titles, self.owners, strict=True)
        ]


@dataclass(frozen=True)
class IndicatorSheet:
    """What the indicators export is written from, in the workshop's worker: the indicators, then their updates;
    ``periods`` each indicator's period in the group's words (by id; the stored word when missing) and ``created``
    the note of the row that says when an indicator was set up."""

    indicators: Sequence[Indicator]
    updates: Sequence[IndicatorUpdate]
    periods: Mapping[int, str] = field(default_factory=dict)
    created: str = ""

    @property
    def size(self) -> int:
        return len(self.indicators) + len(self.updates)

    def rows(self) -> list[IndicatorRow]:
        """One row per indicator at its creation (its target and period, no change and no value: nothing was
        counted yet), and one per update; in time order, each indicator's own row before its updates."""
        by_id = {i.id: i for i in self.indicators}

        def word(i: Indicator) -> str:
            return self.periods.get(i.id, i.period)

        note = self.created
        found = [
            (
                i.created_at,
                0,
                IndicatorRow(i.programme, i.name, i.target, word(i), i.created_at, None, None, "", "", note),
            )
            for i in self.indicators
        ]
        for u in self.updates:
            i = by_id[u.indicator_id]
            row = (i.programme, i.name, i.target, word(i), u.at, u.change, u.value_after)
            found.append((u.at, 1, IndicatorRow(*row, u.by, u.city, u.note or "")))
        found.sort(key=lambda entry: (entry[0], entry[1]))  # stable: updates at one instant keep their order
        return [row for _, _, row in found]


def action_files(sheet: ActionSheet, headers: list[str], tz: str, title: str, form: str = "") -> tuple[bytes, bytes]:
    """The actions export as CSV and XLSX: in the workshop's worker. ``form``: the XLSX datetime headers' form
    (:func:`zone_form`; the exports' default when empty)."""
    from bot.reports import exports  # openpyxl and icalendar are loaded by the first export

    rows = sheet.rows()
    xlsx = exports.actions_xlsx(rows, headers, tz, title, zone_form=form or exports.ZONE_FORM)
    return exports.actions_csv(rows, headers, tz), xlsx


def indicator_files(
    sheet: IndicatorSheet, headers: list[str], tz: str, title: str, form: str = ""
) -> tuple[bytes, bytes]:
    """The indicators export as CSV and XLSX: in the workshop's worker."""
    from bot.reports import exports

    rows = sheet.rows()
    xlsx = exports.indicators_xlsx(rows, headers, tz, title, zone_form=form or exports.ZONE_FORM)
    return exports.indicators_csv(rows, headers, tz), xlsx


def zone_form(catalog: Catalog, language: str) -> str:
    """The group's form of an XLSX header naming the zone of its datetimes: "{header} ({zone})",
    "{header}（{zone}）" (plain text, the placeholders kept for :func:`bot.reports.exports.zoned_headers`)."""
    return strip_tags(catalog.t("export.zoned", language, header=Markup("{header}"), zone=Markup("{zone}")))


def period_words(indicators: Sequence[Indicator], catalog: Catalog, language: str, tz: str) -> dict[int, str]:
    """Each indicator's period as the group reads it, by id: "per year", "pro Quartal", "bis 30.06.2027"."""
    zone, locale = ZoneInfo(tz), babel_locale(language)
    found: dict[int, str] = {}
    for i in indicators:
        if i.period == "by" and i.by_date is not None:
            day = format_date(i.by_date.astimezone(zone).date(), "medium", locale=locale)
            found[i.id] = strip_tags(catalog.t("indicator.period.by", language, date=day))
        elif i.period in ("year", "quarter"):
            found[i.id] = strip_tags(catalog.t(f"indicator.period.{i.period}", language))
    return found


def deadline_day(due_at: datetime, tz: str) -> date | None:
    """The day a due date stands for when it is a whole day in ``tz`` (the zone of the group that set it): due at
    17:00 (what a date said without a time means), at 23:59 or later, or at midnight (the end of the day before);
    None when it is a time of its own (a calendar shows it as a moment, not a day)."""
    local = due_at.astimezone(ZoneInfo(tz))
    minutes = local.hour * 60 + local.minute
    if minutes == 0 and local.second == 0:
        return local.date() - timedelta(days=1)
    if minutes in (END_OF_WORKING_DAY, DAY_END) and local.second in (0, 59):
        return local.date()
    return None
