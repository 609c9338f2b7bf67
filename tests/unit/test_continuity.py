"""Continuity when people change, on repositories in memory with a fake Telegram: decisions (/decision, /decisions),
evidence (captions, /evidence, counts), the handover (a member leaves → the notice and its buttons, /handover), the
welcome, the brief (in a group and in a private chat), and the status, report and export lines they add."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.context import Actor, ChatContext
from bot.domain.records import NewReminder, Owner
from bot.features.decisions import Stated
from bot.features.evidence import Media
from bot.language.catalog import Catalog
from bot.ports import DestinationGone, Person
from tests.fakes.memory import Memory
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit, make_kit, member

KIM, BUDI, LEE, ANNA = 7, 8, 9, 10
ADMIN_S, ADMIN_B = 100, 200
Three = tuple[ChatContext, ChatContext, ChatContext]


@pytest.fixture
def memory() -> Memory:
    return Memory()


@pytest.fixture
async def kit(catalog: Catalog, memory: Memory) -> AsyncIterator[Kit]:
    async with make_kit(catalog, memory) as made:
        yield made


@pytest.fixture
async def bridge(kit: Kit) -> Three:
    """Surabaya (id), Busan (ko) and Braunschweig (en, to read the words), one bridge, a programme #pendidikan."""
    await kit.group(SURABAYA, "Surabaya", "id")
    await kit.group(BUSAN, "Busan", "ko")
    await kit.group(BRAUNSCHWEIG, "Braunschweig", "en")
    await kit.link(SURABAYA, BUSAN, BRAUNSCHWEIG)
    here = await kit.here(SURABAYA)
    await kit.services.programmes.add(here, kit.admin(SURABAYA, ADMIN_S), "pendidikan", "Pertukaran pelajar")
    kit.telegram.sent.clear()
    return await kit.here(SURABAYA), await kit.here(BUSAN), await kit.here(BRAUNSCHWEIG)


def photo(message_id: int, caption: str | None) -> Media:
    return Media(message_id, "photo", f"file-{message_id}", f"unique-{message_id}", caption, None, 1234)


# ---- decisions ----------------------------------------------------------------------------------------------
async def test_a_decision_is_kept_announced_in_every_group_and_written_to_the_history(
    kit: Kit, bridge: Three, memory: Memory
) -> None:
    surabaya, _busan, braunschweig = bridge
    answer = await kit.services.decisions.decide(
        surabaya, member(BUDI, "Budi"), "Pertukaran pemuda pindah ke Agustus #pendidikan"
    )
    assert kit.render(answer, braunschweig).startswith("🏛 Decision D1 recorded")
    [in_braunschweig] = kit.texts(BRAUNSCHWEIG)
    assert "<b>Decision D1</b> · Surabaya · Budi #pendidikan" in in_braunschweig
    assert "[en] Pertukaran pemuda pindah ke Agustus" in in_braunschweig
    [in_busan] = kit.texts(BUSAN)
    assert "[ko] Pertukaran pemuda pindah ke Agustus" in in_busan
    assert len(kit.texts(SURABAYA)) == 1
    [event] = [e for e in memory.events.rows if e.kind == "decision"]
    assert (event.by, event.city, event.programme, event.user_id) == ("Budi", "Surabaya", "pendidikan", BUDI)
    assert event.detail == "Pertukaran pemuda pindah ke Agustus"


async def test_a_decision_as_a_reply_takes_the_stated_text_and_unknown_tags_are_said(kit: Kit, bridge: Three) -> None:
    surabaya, _, braunschweig = bridge
    decisions = kit.services.decisions
    await decisions.decide(surabaya, member(BUDI), "#pendidikan", Stated(55, "MoU  ditandatangani\nbulan depan"))
    [kept] = await decisions.decisions.page(surabaya.scope, limit=5)
    assert (kept.text, kept.message_id, kept.programme) == ("MoU ditandatangani bulan depan", 55, "pendidikan")
    key, _ = await kit.refusal(decisions.decide(surabaya, member(BUDI), "#olahraga"), surabaya)
    assert key == "decision.no_programme"
    # A hashtag inside a sentence that names no programme is part of the text.
    await decisions.decide(surabaya, member(BUDI), "We celebrate #friendship day")
    assert (await decisions.decisions.page(surabaya.scope, limit=1))[0].text == "We celebrate #friendship day"
    assert (await kit.refusal(decisions.decide(surabaya, member(BUDI), ""), surabaya))[0] == "decision.usage"
    key, text = await kit.refusal(decisions.decide(braunschweig, member(BUDI), "x" * 1001), braunschweig)
    assert key == "decision.too_long" and "1001" in text and "1000" in text


async def test_decisions_are_listed_newest_first_in_pages_and_by_programme(kit: Kit, bridge: Three) -> None:
    surabaya, _, braunschweig = bridge
    decisions = kit.services.decisions
    for n in range(12):
        kit.clock.advance(minutes=1)
        await decisions.decide(surabaya, member(BUDI), f"keputusan {n}" + (" #pendidikan" if n % 3 == 0 else ""))
    first = kit.render(await decisions.listing(braunschweig, member(ANNA), ""), braunschweig)
    assert "<b>Decisions</b> (12)" in first
    assert first.index("<b>D12</b>") < first.index("<b>D3</b>") and "<b>D2</b>" not in first
    assert "Shown 1–10 of 12" in first and "/decisions 2" in first
    second = kit.render(await decisions.listing(braunschweig, member(ANNA), "2"), braunschweig)
    assert "<b>D2</b>" in second and "<b>D1</b>" in second and "<b>D3</b>" not in second
    tagged = kit.render(await decisions.listing(braunschweig, member(ANNA), "#PENDIDIKAN"), braunschweig)
    assert "(4)" in tagged and all(f"<b>D{n}</b>" in tagged for n in (1, 4, 7, 10))
    assert (await kit.refusal(decisions.listing(braunschweig, member(ANNA), "3"), braunschweig))[0] == "list.no_page"


async def test_the_decision_limit_is_said(kit: Kit, bridge: Three) -> None:
    surabaya, _, _ = bridge
    kit.services.decisions.kept_max = 2
    for n in range(2):
        await kit.services.decisions.decide(surabaya, member(BUDI), f"d{n}")
    key, text = await kit.refusal(kit.services.decisions.decide(surabaya, member(BUDI), "d3"), surabaya)
    assert key == "decision.limit" and "2" in text


# ---- evidence -----------------------------------------------------------------------------------------------
async def test_a_captioned_photo_is_evidence_and_its_caption_is_read_in_each_language(kit: Kit, bridge: Three) -> None:
    surabaya, busan, braunschweig = bridge
    evidence = kit.services.evidence
    answer = await evidence.posted(surabaya, member(BUDI, "Budi"), photo(31, "Kunjungan siswa #pendidikan"))
    assert (
        answer is not None
        and answer.quote
        and kit.render(answer, braunschweig).startswith("📎 Recorded as evidence E1 of #pendidikan")
    )
    # Posted again (the update came twice): the same record.
    again = await evidence.posted(surabaya, member(BUDI, "Budi"), photo(31, "Kunjungan siswa #pendidikan"))
    assert again is not None and again.key == "evidence.already"
    # A hashtag that names no programme, or no caption: not evidence, and nothing said.
    assert await evidence.posted(surabaya, member(BUDI), photo(32, "Liburan #pantai")) is None
    assert await evidence.posted(surabaya, member(BUDI), photo(33, None)) is None
    listed = kit.render(await evidence.command(busan, member(LEE), "", None, reply_to=False), busan)
    assert "<b>E1</b> 🖼" in listed and "[ko] Kunjungan siswa #pendidikan" in listed and "Surabaya" in listed
    assert await evidence.counts(braunschweig) == {"pendidikan": 1}


async def test_evidence_by_reply_with_a_note_and_what_is_refused(kit: Kit, bridge: Three) -> None:
    surabaya, _, braunschweig = bridge
    evidence = kit.services.evidence
    doc = Media(40, "document", "f40", "u40", None, "daftar-hadir.pdf", 2048)
    answer = await evidence.command(surabaya, member(BUDI), "#pendidikan daftar hadir rapat", doc, reply_to=True)
    assert answer.key == "evidence.recorded"
    [kept] = await evidence.evidence.page(surabaya.scope, limit=5)
    assert (kept.kind, kept.note, kept.file_name, kept.caption) == (
        "document",
        "daftar hadir rapat",
        "daftar-hadir.pdf",
        None,
    )
    refuse = kit.refusal
    assert (await refuse(evidence.command(surabaya, member(1), "#pendidikan", None, reply_to=True), surabaya))[
        0
    ] == "evidence.not_media"
    assert (await refuse(evidence.command(surabaya, member(1), "#sport", photo(41, None), reply_to=True), surabaya))[
        0
    ] == "evidence.no_programme"
    assert (await refuse(evidence.command(surabaya, member(1), "", photo(41, None), reply_to=True), surabaya))[
        0
    ] == "evidence.usage"
    long_note = "#pendidikan " + "n" * 301
    assert (await refuse(evidence.command(surabaya, member(1), long_note, photo(42, None), reply_to=True), surabaya))[
        0
    ] == "evidence.note_too_long"
    listed = kit.render(
        await evidence.command(braunschweig, member(1), "#pendidikan", None, reply_to=False), braunschweig
    )
    assert "📄 document" in listed and "[en] daftar hadir rapat" in listed


# ---- handover -----------------------------------------------------------------------------------------------
async def held_by_kim(kit: Kit, bridge: Three) -> None:
    """Kim (Busan, @kim) owns #1 and #2 and set reminder 1; Budi owns #3; Lee and Anna were seen lately."""
    surabaya, busan, _ = bridge
    services = kit.services
    await services.chats.seen(KIM, "kimms")
    for chat_id, user_id, name, username in (
        (BUSAN, KIM, "Kim Min-su", "kimms"),
        (BUSAN, LEE, "Lee Ji-eun", "leeje"),
        (SURABAYA, BUDI, "Budi Santoso", None),
        (BRAUNSCHWEIG, ANNA, "Anna Weber", None),
    ):
        await services.roster.seen(chat_id, user_id, name, username)
    await services.actions.create(busan, member(KIM, "Kim Min-su", "kimms"), "MoU draft @kimms #pendidikan")
    await services.actions.create(surabaya, member(BUDI), "Daftar peserta @kimms")
    await services.actions.create(surabaya, member(BUDI), "Jadwal kunjungan owner: Budi")
    await services.reminder_engine.reminders.add(
        NewReminder(
            scope=busan.scope,
            chat_id=BUSAN,
            kind="adhoc",
            due_at=kit.clock() + timedelta(days=3),
            text="서류 확인",
            created_by=KIM,
            numbered=True,
        )
    )
    kit.telegram.sent.clear()


async def test_a_leaving_owner_is_reported_to_the_group_with_buttons_and_nothing_moves_until_a_tap(
    kit: Kit, bridge: Three, memory: Memory
) -> None:
    await held_by_kim(kit, bridge)
    _, busan, _ = bridge
    handover = kit.services.handover
    await handover.left(busan, Person(KIM, "Kim Min-su", "kimms"))
    await handover.left(busan, Person(KIM, "Kim Min-su", "kimms"))  # the chat_member update and the service message
    [notice] = [s for s in kit.telegram.sent if s.chat_id == BUSAN]
    assert "#1" in notice.html and "#2" in notice.html and "#3" not in notice.html
    assert notice.buttons is not None
    data = [d for row in notice.buttons for _, d in row]
    scope = busan.scope.key
    assert f"ho|{scope}|{KIM}|{LEE}" in data and f"ho|{scope}|{KIM}|{BUDI}" in data and f"ho|{scope}|{KIM}|0" in data
    assert f"ho|{scope}|{KIM}|{KIM}" not in data and len(data) <= 9
    assert all(len(d.encode()) <= 64 for d in data)
    assert not [s for s in kit.telegram.sent if s.chat_id != BUSAN]
    # Nothing moved yet; a member who is not an administrator cannot move it.
    assert all(o.user_id == KIM for i in memory.actions.rows.values() for o in i.owners if o.name == "@kimms")
    key, _ = await kit.refusal(handover.press(busan, member(LEE), f"ho|{scope}|{KIM}|{LEE}", notice.message_id), busan)
    assert key == "admin.only"


async def test_a_tap_hands_everything_over_announces_it_everywhere_and_briefs_the_new_owner(
    kit: Kit, bridge: Three, memory: Memory
) -> None:
    await held_by_kim(kit, bridge)
    _surabaya, busan, _ = bridge
    handover = kit.services.handover
    await handover.left(busan, Person(KIM, "Kim Min-su", "kimms"))
    [notice] = [s for s in kit.telegram.sent if s.chat_id == BUSAN]
    answer = await handover.press(
        busan, kit.admin(BUSAN, ADMIN_B), f"ho|{busan.scope.key}|{KIM}|{LEE}", notice.message_id
    )
    assert answer.values["count"] == 3  # two items and a reminder
    items = {i.number: i for i in memory.actions.rows.values()}
    assert items[1].owners == (Owner("@leeje", LEE),) and items[2].owners == (Owner("@leeje", LEE),)
    assert items[3].owners == (Owner("Budi", None),)
    [reminder] = [r for r in memory.reminders.rows.values() if r.kind == "adhoc"]
    assert reminder.created_by == LEE
    for chat_id in (SURABAYA, BUSAN, BRAUNSCHWEIG):
        assert any("#1, #2" in text for text in kit.texts(chat_id)), chat_id
    assert any("now belongs to @leeje" in t for t in kit.texts(BRAUNSCHWEIG))
    assert notice.edits and "@leeje" in notice.edits[-1] and notice.edited_buttons[-1] is None
    # The brief went to Lee privately, in Busan's language.
    assert kit.texts(LEE) and "Busan" in kit.texts(LEE)[0]
    history = [e for e in memory.events.rows if e.kind == "assigned"]
    assert {e.item_number for e in history} == {1, 2}
    # The notice's buttons no longer do anything once Kim holds nothing (pressed again: nothing moves).
    again = await handover.press(busan, kit.admin(BUSAN, ADMIN_B), f"ho|{busan.scope.key}|{KIM}|{BUDI}", None)
    assert again.values["count"] == 0


async def test_leave_unowned_and_a_brief_in_the_group_when_the_new_owner_never_started_the_bot(
    kit: Kit, bridge: Three, memory: Memory
) -> None:
    await held_by_kim(kit, bridge)
    _surabaya, busan, _ = bridge
    handover = kit.services.handover
    await handover.press(busan, kit.admin(BUSAN, ADMIN_B), f"ho|{busan.scope.key}|{KIM}|0", None)
    items = {i.number: i for i in memory.actions.rows.values()}
    assert items[1].owners == () and items[2].owners == ()
    [reminder] = [r for r in memory.reminders.rows.values() if r.kind == "adhoc"]
    assert reminder.created_by == KIM  # only the items are left unowned
    assert any("left unowned" in t for t in kit.texts(BRAUNSCHWEIG))
    # /handover to someone who has not started the bot: the brief comes in the group (once in a while).
    await kit.services.chats.seen(BUDI, "budis")
    kit.telegram.failing[BUDI] = DestinationGone("not started")
    kit.telegram.sent.clear()
    answer = await handover.command(busan, kit.admin(BUSAN, ADMIN_B), "@kimms @budis")  # the reminder still is Kim's
    assert answer.key == "handover.command_done" and answer.values["count"] == 1
    [reminder] = [r for r in memory.reminders.rows.values() if r.kind == "adhoc"]
    assert reminder.created_by == BUDI
    assert [t for t in kit.texts(BUSAN) if t.startswith("📋")], kit.texts(BUSAN)
    assert not kit.texts(BUDI)


async def test_handover_command_refusals(kit: Kit, bridge: Three) -> None:
    await held_by_kim(kit, bridge)
    _, busan, _ = bridge
    handover = kit.services.handover
    admin = kit.admin(BUSAN, ADMIN_B)
    assert (await kit.refusal(handover.command(busan, admin, "@kimms"), busan))[0] == "handover.usage"
    assert (await kit.refusal(handover.command(busan, admin, "@kimms @nobody_here"), busan))[0] == "handover.unknown"
    assert (await kit.refusal(handover.command(busan, admin, "@kimms @kimms"), busan))[0] == "handover.same"
    await kit.services.chats.seen(LEE, "leeje")
    assert (await kit.refusal(handover.command(busan, member(LEE), "@kimms @leeje"), busan))[0] == "admin.only"
    assert (await kit.refusal(handover.command(busan, admin, "@leeje @kimms"), busan))[0] == "handover.nothing"
    # A forged button of another bridge moves nothing.
    assert (await kit.refusal(handover.press(busan, admin, f"ho|b999|{KIM}|{LEE}", None), busan))[0] == "handover.gone"


async def test_someone_who_held_nothing_leaves_quietly(kit: Kit, bridge: Three) -> None:
    _, busan, _ = bridge
    await kit.services.handover.left(busan, Person(LEE, "Lee"))
    assert kit.telegram.sent == []


# ---- welcome and the brief ----------------------------------------------------------------------------------
async def test_welcome_is_off_until_an_administrator_turns_it_on(kit: Kit, bridge: Three) -> None:
    _, busan, braunschweig = bridge
    handover = kit.services.handover
    await handover.joined(busan, Person(LEE, "Lee", "leeje"))
    assert kit.texts(BUSAN) == []
    assert (await kit.refusal(handover.welcome(busan, member(LEE), "on"), busan))[0] == "admin.only"
    assert (await handover.welcome(busan, kit.admin(BUSAN, ADMIN_B), "on")).key == "welcome.set_on"
    assert (await handover.welcome(busan, member(LEE), "")).key == "welcome.state_on"
    await handover.joined(busan, Person(ANNA, "Anna"))
    [greeting] = kit.telegram.sent
    assert greeting.chat_id == BUSAN and greeting.buttons is not None and greeting.buttons[0][0][1] == "br|"
    answer = await handover.brief_me(busan, member(ANNA, "Anna"))
    assert answer.key == "brief.sent_private" and kit.texts(ANNA)
    assert (await kit.refusal(handover.welcome(braunschweig, member(1), "maybe"), braunschweig))[0] == "welcome.usage"


async def test_the_brief_shows_the_partnership_in_the_readers_language(kit: Kit, bridge: Three) -> None:
    await held_by_kim(kit, bridge)
    surabaya, _, braunschweig = bridge
    kit.telegram.names[ADMIN_S] = "Sri Admin"
    kit.telegram.make_admin(SURABAYA, ADMIN_S)
    await kit.services.decisions.decide(surabaya, member(BUDI, "Budi"), "Kunjungan bulan Maret #pendidikan")
    await kit.services.evidence.posted(surabaya, member(BUDI), photo(5, "Foto #pendidikan"))
    text = kit.render(await kit.services.brief.brief(braunschweig, member(ANNA), ""), braunschweig)
    for part in (
        "Brief: Surabaya, Busan and Braunschweig",
        "<b>Surabaya</b> — Surabaya group",
        "#pendidikan — Pertukaran pelajar — open 1, overdue 0, done 0, evidence 1",
        "<b>@kimms</b>",
        "#1 [en] MoU draft",
        "<b>Budi</b>",
        "[en] Kunjungan bulan Maret",
        "서류 확인",
        "Administrators: Sri Admin",
        "Kim Min-su (",
    ):
        assert part in text, part
    assert text.index("<b>Cities</b>") < text.index("<b>Programmes</b>") < text.index("<b>Who is who</b>")
    assert (await kit.refusal(kit.services.brief.brief(braunschweig, member(1), "now"), braunschweig))[
        0
    ] == "brief.usage"


async def test_a_private_brief_covers_the_bridges_the_person_still_belongs_to(kit: Kit, bridge: Three) -> None:
    await held_by_kim(kit, bridge)
    brief = kit.services.brief
    await kit.services.chats.chats.ensure(LEE, title="Lee", type="private", default_language="en")
    private = await kit.here(LEE)
    # Lee was seen in Busan; Telegram does not say they are a member any more: nothing.
    assert (await kit.refusal(brief.brief(private, member(LEE), ""), private))[0] == "brief.private_none"
    kit.telegram.make_member(BUSAN, LEE)
    text = kit.render(await brief.brief(private, member(LEE), ""), private)
    assert "Brief: Surabaya, Busan and Braunschweig" in text and "#1 [en] MoU draft" in text


# ---- status, reports and exports ----------------------------------------------------------------------------
async def test_status_and_reports_count_decisions_and_evidence(kit: Kit, bridge: Three) -> None:
    surabaya, _, braunschweig = bridge
    assert "Decisions in the last" not in await kit.services.status.text(braunschweig)
    await kit.services.decisions.decide(surabaya, member(BUDI), "A #pendidikan")
    await kit.services.evidence.posted(surabaya, member(BUDI), photo(5, "Foto #pendidikan"))
    await kit.services.evidence.posted(surabaya, member(BUDI), photo(6, "Foto 2 #pendidikan"))
    status = await kit.services.status.text(braunschweig)
    assert "Decisions in the last 90 days: 1" in status and "evidence: 2 (#pendidikan 2)" in status
    [decided] = await kit.services.decisions.decisions.page(surabaya.scope, limit=1)
    now = decided.created_at  # the instant the memory "database" stamped
    records = kit.services.reports.records
    assert records is not None
    lines = await records.report_lines(braunschweig, now - timedelta(days=1), now + timedelta(hours=1))
    joined = "\n".join(lines)
    assert "Decisions in this period</b>: 1" in joined and "[en] A" in joined and "Evidence recorded</b>: 2" in joined
    before = await records.report_lines(braunschweig, now - timedelta(days=9), now - timedelta(days=8))
    assert before == []


async def test_decisions_export_as_csv_and_xlsx(kit: Kit, bridge: Three) -> None:
    surabaya, _, braunschweig = bridge
    await kit.services.decisions.decide(surabaya, member(BUDI, "Budi"), "=cmd|' /C calc'!A0 #pendidikan")
    await kit.services.decisions.decide(surabaya, member(BUDI, "Budi"), "Kedua")
    made = await kit.services.reports.export_files(braunschweig, "decisions")
    assert [name.rsplit(".", 1)[1] for name, _ in made.files] == ["csv", "xlsx"] and (made.rows, made.total) == (2, 2)
    rows = list(csv.reader(io.StringIO(made.files[0][1].decode("utf-8-sig"))))
    assert rows[0][:3] == ["Number", "Recorded", "City"]
    assert rows[1][0] == "1" and rows[1][5].startswith("'=") and rows[1][4] == "pendidikan"
    assert rows[2][6] == "[en] Kedua" and rows[2][7] == "id"


async def test_evidence_export_is_a_zip_with_an_index_and_the_files_that_fit(kit: Kit, bridge: Three) -> None:
    surabaya, busan, _ = bridge
    kit.telegram.files_kept["file-5"] = b"\x89PNG fake"
    await kit.services.evidence.posted(surabaya, member(BUDI, "Budi"), photo(5, "Foto #pendidikan"))
    await kit.services.evidence.posted(surabaya, member(BUDI, "Budi"), photo(6, "Hilang #pendidikan"))
    made = await kit.services.reports.export_files(busan, "evidence")
    [(name, data)] = made.files
    assert name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["files/0001-photo.jpg", "index.csv"]
    assert archive.read("files/0001-photo.jpg") == b"\x89PNG fake"
    index = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert len(index) == 3 and index[1][6] == "files/0001-photo.jpg" and index[1][10] == "[ko] Foto #pendidikan"
    assert index[2][6] != "" and not index[2][6].startswith("files/")
    assert index[2][12] == ""  # a basic group's message has no link (the kit's ids are short)
    assert kit.telegram.downloads == ["file-5", "file-6"]


async def test_anonymous_and_private_uses_are_refused(kit: Kit, bridge: Three) -> None:
    await kit.services.chats.chats.ensure(ANNA, title="Anna", type="private", default_language="en")
    private = await kit.here(ANNA)
    for call, key in (
        (kit.services.decisions.decide(private, member(ANNA), "x"), "decision.private"),
        (kit.services.evidence.command(private, member(ANNA), "", None, reply_to=False), "evidence.private"),
        (kit.services.handover.command(private, member(ANNA), "@a @b"), "handover.private"),
    ):
        assert (await kit.refusal(call, private))[0] == key
    anonymous = Actor(user_id=None, name="Busan", as_chat=True)
    _, busan, _ = bridge
    assert (await kit.refusal(kit.services.handover.brief_me(busan, anonymous), busan))[0] == "brief.private_none"


def test_message_links_exist_for_supergroups_only() -> None:
    from bot.features.record_exports import message_link

    assert message_link(-1001234567890, 42) == "https://t.me/c/1234567890/42"
    assert message_link(-4123456789, 42) == ""


async def test_the_new_holder_reads_the_brief_in_the_language_of_the_group_they_were_seen_in(
    kit: Kit, bridge: Three, catalog: Catalog
) -> None:
    await held_by_kim(kit, bridge)
    surabaya, _, _ = bridge
    await kit.services.chats.seen(LEE, "leeje")
    await kit.services.handover.command(surabaya, kit.admin(SURABAYA, ADMIN_S), "@kimms @leeje")
    [brief] = kit.texts(LEE)
    assert catalog.t("brief.cities", "ko", lines="").strip() in brief  # Lee was seen in Busan
    assert catalog.t("brief.cities", "id", lines="").strip() not in brief
