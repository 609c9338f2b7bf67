"""Monitoring and evaluation against the services: indicators and pace, the event history, activity counts,
reports with charts, automatic reports (once, also across a restart), report history and exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import icalendar
import openpyxl
import pytest
from PIL import Image

from bot.domain.rules import REPORT_SUMMARY_MAX
from bot.language.catalog import Catalog
from bot.relay.service import InboundMessage
from tests.fakes.memory import Memory
from tests.kit import BUSAN, SURABAYA, Kit, eventually, make_kit, member

Partners = tuple[object, object]


async def programme(kit: Kit, name: str = "pendidikan") -> None:
    here = await kit.here(SURABAYA)
    await kit.services.programmes.programme(here, kit.admin(SURABAYA, 1), f"add {name}")


async def test_indicators_progress_pace_and_announcements(kit: Kit, partners: Partners) -> None:
    await programme(kit)
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    indicators = kit.services.indicators
    admin = kit.admin(SURABAYA, 1)
    key, _ = await kit.refusal(
        indicators.indicator(surabaya, member(2), "add pendidikan pertukaran target 40"), surabaya
    )
    assert key == "admin.only"
    word = kit.services.catalog.word
    said = (
        f"{word('add', 'id')} pendidikan pertukaran {word('target', 'id')} 40 {word('per', 'id')} {word('year', 'id')}"
    )
    added = kit.render(await indicators.indicator(surabaya, admin, said), surabaya)
    assert "pertukaran" in added and "40" in added
    for text, refusal in (
        ("add pendidikan pertukaran target 40", "indicator.exists"),
        ("add budaya festival target 3", "programme.not_found"),
        ("add pendidikan festival target -3", "indicator.bad_number"),
        ("add pendidikan festival target 3 per minggu", "indicator.bad_period"),
        ("pendidikan pertukaran tiga", "indicator.bad_number"),
        ("pendidikan pertukaran +0", "indicator.bad_number"),
        ("pendidikan lain +3", "indicator.not_found"),
    ):
        found, _ = await kit.refusal(indicators.indicator(surabaya, admin, text), surabaya)
        assert found == refusal, text
    # Anyone in the bridge records progress; it is announced in every group in its language.
    await indicators.indicator(busan, member(7, "Kim"), "pendidikan pertukaran +30")
    await indicators.indicator(surabaya, member(8, "Budi"), "pendidikan pertukaran +5 mahasiswa dari Busan")
    assert any("📈" in t and "+5" in t and "35" in t and "[ko] mahasiswa dari Busan" in t for t in kit.texts(BUSAN))
    # 2 December, 09:00 in Jakarta: 91.9 % of the year has passed, so 40 a year expects 36.75 by now.
    listing = kit.render(await indicators.listing(surabaya, member(2), ""), surabaya)
    assert "35" in listing and "36,75" not in listing and kit.services.catalog.t("indicator.behind", "id") in listing
    await indicators.indicator(surabaya, admin, "pendidikan pertukaran = 40")  # setting the total: administrators
    listing = kit.render(await indicators.listing(surabaya, member(2), "pendidikan"), surabaya)
    assert "40" in listing and kit.services.catalog.t("indicator.on_track", "id") in listing
    history = await kit.services.reports.indicators.updates(
        [i.id for i in await kit.services.reports.indicators.list(surabaya.scope)]
    )
    assert [(u.change, u.value_after, u.city) for u in history] == [
        (30, 30, "Busan"),
        (5, 35, "Surabaya"),
        (5, 40, "Surabaya"),
    ]


async def test_every_change_to_an_action_is_in_the_history(kit: Kit, partners: Partners) -> None:
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    actions = kit.services.actions
    await actions.create(surabaya, member(1, "Budi"), "Kirim draf MoU tenggat Jumat jam 14.00")
    await actions.assign(busan, member(1, "Budi"), "1 @lee")
    await actions.due(surabaya, member(1, "Budi"), "1 Sabtu jam 10.00")
    await actions.done(busan, kit.admin(BUSAN, 9, "Kim"), "1")
    await actions.reopen(busan, kit.admin(BUSAN, 9, "Kim"), "1")
    await actions.drop(surabaya, member(1, "Budi"), "1")
    events = await kit.services.reports.events.between(
        surabaya.scope, kit.clock.now - timedelta(days=1), kit.clock.now + timedelta(days=1)
    )
    assert [(e.kind, e.item_number, e.city, e.user_id) for e in events] == [
        ("created", 1, "Surabaya", 1),
        ("assigned", 1, "Busan", 1),
        ("due", 1, "Surabaya", 1),
        ("done", 1, "Busan", 9),
        ("reopened", 1, "Busan", 9),
        ("dropped", 1, "Surabaya", 1),
    ]


async def test_activity_is_counted_per_group_and_day_without_text(kit: Kit, partners: Partners) -> None:
    surabaya = await kit.here(SURABAYA)
    assert surabaya.bridge is not None
    for n in range(3):
        message = InboundMessage(
            chat_id=SURABAYA,
            message_id=100 + n,
            sender_id=5,
            sender_name="Budi",
            source_label="Surabaya",
            source_language="id",
            text=f"Halo {n}",
            html=f"Halo {n}",
            media_kind=None,
            reply_to=None,
            version=0,
            date=int(kit.clock.now.timestamp()),
        )
        await kit.services.relay.submit(message, surabaya.bridge)
    today = kit.clock.now.date()

    async def counted() -> bool:  # delivery counts a message once it is recorded as delivered
        await kit.services.activity.flush()
        days = await kit.services.activity.repository.between([SURABAYA, BUSAN], today, today + timedelta(days=1))
        return {(d.chat_id, d.sent, d.received) for d in days} == {(SURABAYA, 3, 0), (BUSAN, 0, 3)}

    await eventually(counted)
    assert await kit.services.activity.repository.last_exchange([SURABAYA, BUSAN]) == today


async def test_a_report_has_a_summary_and_charts_in_the_groups_language(kit: Kit, partners: Partners) -> None:
    await programme(kit)
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    actions = kit.services.actions
    await actions.create(surabaya, member(1), "Kirim draf MoU #pendidikan tenggat Jumat jam 14.00")
    await actions.create(surabaya, member(1), "Rapat koordinasi #pendidikan")
    await actions.done(surabaya, member(1), "2")
    await kit.services.indicators.indicator(surabaya, kit.admin(SURABAYA, 1), "add pendidikan pertukaran target 10")
    await kit.services.indicators.indicator(busan, member(7), "pendidikan pertukaran +4")
    assert busan.bridge is not None
    await kit.services.relay.submit(
        InboundMessage(
            chat_id=BUSAN,
            message_id=300,
            sender_id=7,
            sender_name="Kim",
            source_label="Busan",
            source_language="ko",
            text="감사합니다",
            html="감사합니다",
            media_kind=None,
            reply_to=None,
            version=0,
            date=int(kit.clock.now.timestamp()),
        ),
        busan.bridge,
    )
    assert await kit.services.reports.report(busan, member(7), kit.services.catalog.word("quarter", "ko")) is None
    texts = kit.texts(BUSAN)
    summary = next(t for t in texts if t.startswith("📊"))
    assert "pendidikan" in summary and "pertukaran" in summary and "2026" in summary
    pictures = [f for f in kit.telegram.files(BUSAN) if f[2]]
    assert [name for name, _, _ in pictures] == ["indicators.png", "actions.png", "activity.png"]
    for _, data, _ in pictures:
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.width >= 600 and image.height >= 300
    listed = kit.render(await kit.services.reports.history(busan, member(7), ""), busan)
    assert "1." in listed
    before = len(kit.telegram.files(BUSAN))
    assert await kit.services.reports.history(busan, member(7), "1") is None
    assert len(kit.telegram.files(BUSAN)) == before + 3
    for text, refusal in (
        ("kapan-kapan", "report.usage"),
        ("kemarin entah", "report.bad_period"),
        ("2026-05-01 2026-01-01", "report.bad_period"),
        ("2010-01-01 2026-01-01", "report.bad_period"),
    ):
        found, _ = await kit.refusal(kit.services.reports.report(surabaya, member(1), text), surabaya)
        assert found == refusal, text
    found, _ = await kit.refusal(kit.services.reports.history(busan, member(7), "9"), busan)
    assert found == "reports.not_found"


async def test_exports_open_in_excel_and_in_calendars(kit: Kit, partners: Partners, catalog: Catalog) -> None:
    surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
    await kit.services.actions.create(surabaya, member(1), "Kirim draf MoU tenggat Jumat jam 14.00")
    await kit.services.actions.create(busan, member(2), "교류 계획서 제출 마감 금요일 오후 3시")
    assert await kit.services.reports.export(busan, member(2), "actions") is None
    files = {name.rsplit(".", 1)[1]: data for name, data, photo in kit.telegram.files(BUSAN) if not photo}
    assert files["csv"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert rows[0] == catalog.t("export.headers.actions", "ko").split("|")
    assert (
        [r[0] for r in rows[1:]] == ["1", "2"] and rows[2][1] == "교류 계획서 제출" and rows[1][2] == "Kirim draf MoU"
    )
    assert rows[1][8] == "2026-12-04T16:00:00+09:00"  # 14.00 in Jakarta, in Busan's zone
    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"])).active
    assert sheet is not None and sheet.cell(3, 2).value == "교류 계획서 제출"
    assert await kit.services.reports.export(busan, member(2), "calendar") is None
    ics = next(data for name, data, _ in kit.telegram.files(BUSAN) if name.endswith(".ics"))
    events = [c for c in icalendar.Calendar.from_ical(ics).walk("VEVENT")]
    assert sorted(str(e["UID"]) for e in events) == [
        f"kembar-{surabaya.scope.key}-1@kembar",
        f"kembar-{surabaya.scope.key}-2@kembar",
    ]
    starts = sorted(e.decoded("DTSTART") for e in events)
    assert starts == [datetime(2026, 12, 4, 6, 0, tzinfo=UTC), datetime(2026, 12, 4, 7, 0, tzinfo=UTC)]
    found, _ = await kit.refusal(kit.services.reports.export(busan, member(2), "everything"), busan)
    assert found == "export.usage"


async def test_an_automatic_report_fires_once_even_across_a_restart(catalog: Catalog) -> None:
    kept = Memory()  # what the database keeps across the restart
    async with make_kit(catalog, kept) as kit:
        await kit.group(SURABAYA, "Surabaya", "id")
        surabaya = await kit.here(SURABAYA)
        said = f"{catalog.word('monthly', 'id')} {catalog.word('on', 'id')}"
        member_only, _ = await kit.refusal(kit.services.reports.report(surabaya, member(2), said), surabaya)
        assert member_only == "admin.only"
        on = kit.render(await kit.services.reports.report(surabaya, kit.admin(SURABAYA, 1), "monthly on"), surabaya)
        assert "Jum, 1 Jan 2027 09.00" in on  # the first working day of January, 09:00 in Jakarta
        kit.clock.now = datetime(2027, 1, 4, 3, 0, tzinfo=UTC)  # the bot was down over New Year
        assert await kit.services.reminder_engine.run_due() == 1
        summaries = [t for t in kit.texts(SURABAYA) if t.startswith("📊")]
        assert len(summaries) == 1 and "1 Des 2026" in summaries[0] and "31 Des 2026" in summaries[0]
    async with make_kit(catalog, kept) as again:
        again.clock.now = datetime(2027, 1, 20, 3, 0, tzinfo=UTC)
        assert await again.services.reminder_engine.run_due() == 0
        assert not [t for t in again.texts(SURABAYA) if t.startswith("📊")]
        again.clock.now = datetime(2027, 2, 1, 3, 0, tzinfo=UTC)  # Monday 1 February, 10:00 in Jakarta
        assert await again.services.reminder_engine.run_due() == 1
        assert len([t for t in again.texts(SURABAYA) if t.startswith("📊")]) == 1


async def test_only_the_bridges_groups_see_its_report_and_exports(kit: Kit, partners: Partners) -> None:
    surabaya = await kit.here(SURABAYA)
    await kit.services.actions.create(surabaya, member(1), "Rahasia kerja sama tenggat Jumat jam 14.00")
    jakarta = await kit.group(-1009, "Jakarta", "id")
    assert await kit.services.reports.report(jakarta, member(5), "") is None
    assert not any("Rahasia" in t for t in kit.texts(-1009))
    assert await kit.services.reports.export(jakarta, member(5), "actions") is not None  # nothing of theirs
    assert kit.telegram.files(-1009) == []
    await kit.services.chats.chats.ensure(77, title="Someone", type="private", default_language="id")
    private = await kit.here(77)
    for call in (
        kit.services.reports.report(private, member(77), ""),
        kit.services.reports.export(private, member(77), "actions"),
        kit.services.reports.history(private, member(77), ""),
    ):
        found, _ = await kit.refusal(call, private)
        assert found == "report.private"


async def test_an_automatic_report_that_keeps_failing_stops_after_its_attempts_and_the_group_is_told_once(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only a refused send: a report that cannot be made counts as a failed attempt, with back-off and a
    cap; the other reminders of the same batch go out on time."""
    surabaya = await kit.here(SURABAYA)
    await kit.services.reports.report(surabaya, kit.admin(SURABAYA, 1), "monthly on")
    await kit.services.reminders.remind(surabaya, member(1), "4 Januari 2027 jam 09.00 Rapat tahun baru")
    engine, reports = kit.services.reminder_engine, kit.services.reports
    made = 0

    async def broken(*_args: object, **_kwargs: object) -> None:
        nonlocal made
        made += 1
        raise RuntimeError("the report cannot be made")

    monkeypatch.setattr(reports, "produce", broken)
    # The first working Monday of January (1 January is a holiday in both cities), 09:00 in Jakarta: the
    # report (due on the 1st, held for the working day) and the reminder.
    kit.clock.now = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    assert await engine.run_due() == 3  # the report (Surabaya) and the reminder in both groups
    assert any("🔔 Rapat tahun baru" in t for t in kit.texts(SURABAYA))  # not held up by the broken report
    attempts = 1
    while pending := await engine.reminders.due(kit.clock.now + timedelta(days=1)):
        [row] = pending
        assert row.kind == "report"
        kit.clock.now = row.due_at
        await engine.run_due()
        attempts += 1
    assert made == attempts == 5  # MAX_ATTEMPTS, then stopped
    told = [t for t in kit.texts(SURABAYA) if "Laporan otomatis" in t]
    assert len(told) == 1 and "setiap bulan" in told[0]
    assert await engine.reminders.find(SURABAYA, "report", states=("pending", "claimed")) is None


async def test_a_report_longer_than_a_stored_summary_is_sent_whole_and_kept_shortened(
    kit: Kit, partners: Partners, monkeypatch: pytest.MonkeyPatch
) -> None:
    surabaya = await kit.here(SURABAYA)
    reports = kit.services.reports
    long = "\n".join(f"<b>Baris {n}</b> &amp; &lt;catatan&gt;" for n in range(1200))  # ~40,000 characters
    assert len(long) > REPORT_SUMMARY_MAX

    async def very_long(*_args: object, **_kwargs: object) -> str:
        return long

    monkeypatch.setattr(reports, "summary", very_long)
    assert await reports.report(surabaya, member(1), "") is None  # not refused
    sent = "".join(t for t in kit.texts(SURABAYA) if "Baris" in t)
    assert "Baris 0" in sent and "Baris 1199" in sent  # every line went out, in parts
    [stored] = await kit.services.reports.reports.recent(SURABAYA, 10)
    assert len(stored.summary) <= REPORT_SUMMARY_MAX and "Baris 0" in stored.summary
    assert "Baris 1199" not in stored.summary and "dipersingkat" in stored.summary


def test_japanese_and_chinese_write_a_number_and_its_unit_together() -> None:
    from bot.features.reports import cjk_unit

    assert cjk_unit("0 日", "ja") == "0日" and cjk_unit("2 天", "zh") == "2天"
    assert cjk_unit("2 Tage", "de") == "2 Tage" and cjk_unit("2 hari", "id") == "2 hari"
