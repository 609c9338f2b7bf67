"""Integration: reminders against the emulator with an injected clock (no real waiting)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from bot.ops.cluster import AlreadyRunning
from bot.sandbox.town import Town
from bot.services import Services
from bot.telegram.app import build_application
from bot.telegram.polling import DurablePoller
from handlers.context import SERVICES_KEY
from tests.conftest import Clock
from tests.world import World, services

# Wednesday 2 December 2026, 09:00 in Jakarta, 11:00 in Seoul, 03:00 in Berlin.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


def texts_with(world: World, town: Town, marker: str) -> list[str]:
    return [t for t in world.texts(town) if marker in t]


async def fire(world: World, poller: DurablePoller) -> int:
    """What the wake-up job does at a due instant (tests drive the clock, so they call it themselves)."""
    return await services(poller).reminder_engine.run_due()


async def test_lead_times_overdue_follow_ups_and_done(world: World) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/action Kirim draf MoU @kim_ms tenggat Jumat jam 14:00")
        await world.relayed(busan, "새 과제 #1")
        assert await fire(world, poller) == 0
        clock.now = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)  # Thursday 14:00 Jakarta: due - 24 h
        assert await fire(world, poller) == 2  # one per group
        soon_id = await world.relayed(surabaya, "⏰ Pengingat: #1 Kirim draf MoU — tenggat")
        soon_ko = await world.relayed(busan, "⏰ 알림: #1 [ko] Kirim draf MoU — 마감")
        clock.now = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # Friday 14:00 Jakarta: due
        assert await fire(world, poller) == 2
        await world.relayed(surabaya, "⏰ Tenggat tiba: #1")
        clock.now = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # Saturday 09:00 Jakarta, 11:00 Seoul
        assert await fire(world, poller) == 0  # the weekend: the follow-up waits for the working week
        clock.now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday 09:00 Jakarta, 11:00 Seoul
        assert await fire(world, poller) == 2  # overdue follow-up in both groups (each at its 08:00 start)
        await world.relayed(surabaya, "⚠️ Melewati tenggat sejak")
        clock.now = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # Tuesday: again, once a day
        assert await fire(world, poller) == 2
        assert len(texts_with(world, surabaya, "⚠️ Melewati tenggat")) == 2
        await world.ask(surabaya, "/done 1")
        clock.now = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)
        assert await fire(world, poller) == 0  # done cancels every reminder of the item
    assert "@kim_ms" in soon_id["text"] and "@kim_ms" in soon_ko["text"]
    assert "Jum, 4 Des 2026 14.00" in soon_id["text"] and "2026년 12월 4일 (금) 16:00" in soon_ko["text"]


async def test_lead_setting_and_due_edit_move_reminders(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(surabaya, busan)
        lead = await world.ask(surabaya, "/reminders lead 2h")
        await world.ask(surabaya, "/action Siapkan ruang rapat tenggat besok jam 15:00")
        clock.now = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)  # Thursday 13:00 Jakarta = due - 2 h
        assert await fire(world, poller) == 2
        await world.ask(surabaya, "/due 1 Jumat jam 15:00")
        clock.now = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # the old due time: nothing any more
        assert await fire(world, poller) == 0
        clock.now = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)  # Friday 13:00: the moved reminder
        assert await fire(world, poller) == 2
        refused = await world.ask(busan, "/reminders lead 1h", as_admin=False)
    assert "2 jam" in lead
    assert refused.startswith("죄송합니다. 이 기능은 이 그룹의 관리자만")


async def test_snooze_buttons_and_adhoc_reminders_translated(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(surabaya, busan)
        created = await world.ask(surabaya, "/remind besok jam 10 Terima kasih")
        listed = await world.ask(busan, "/reminders")
        clock.now = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # Thursday 10:00 Jakarta
        assert await fire(world, poller) == 2
        in_busan = await world.relayed(busan, "🔔 감사합니다")
        data = {b["text"]: b["callback_data"] for row in in_busan["reply_markup"]["inline_keyboard"] for b in row}
        query = world.emu.press(busan.id, in_busan["message_id"], busan.member.id, data["⏰ 1시간 뒤"])
        assert (await world.emu.wait_for_callback_answer(query))["text"] == "알림을 1시간 뒤로 미뤘습니다."
        clock.advance(minutes=59)
        assert await fire(world, poller) == 0
        clock.advance(minutes=2)
        assert await fire(world, poller) == 1  # only Busan snoozed
        assert len(texts_with(world, busan, "🔔 감사합니다")) == 2
        assert len(texts_with(world, surabaya, "🔔 Terima kasih")) == 1
        gone = await world.ask(surabaya, "/unremind 1")
    assert created.startswith("🔔 Pengingat 1 dijadwalkan pada Kam, 3 Des 2026 10.00: Terima kasih")
    assert "1. " in listed and "Terima kasih" in listed
    assert gone.startswith("Pengingat mendatang nomor 1 tidak ditemukan")  # it already fired


async def test_recurring_across_the_daylight_saving_change(sqlite_world: World) -> None:
    world = sqlite_world
    bs, bandung = world.town("Braunschweig", "de"), world.town("Bandung", "id")
    clock = Clock(datetime(2026, 10, 20, 12, 0, tzinfo=UTC))  # Tuesday, summer time in Berlin
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(bs, bandung)
        created = await world.ask(bs, "/remind every monday 09:00 Koordinationsrunde")
        listed = await world.ask(bs, "/reminders")
        clock.now = datetime(2026, 10, 26, 7, 59, tzinfo=UTC)  # 08:59 CET: not yet (09:00 CET = 08:00 UTC)
        assert await fire(world, poller) == 0
        clock.now = datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
        assert await fire(world, poller) == 2
        clock.now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # the next Monday
        assert await fire(world, poller) == 2
        removed = await world.ask(bs, "/unremind 1")
        clock.now = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
        assert await fire(world, poller) == 0
    assert created == "🔁 Erinnerung 1 eingerichtet (jeden Montag um 09:00 Uhr): Koordinationsrunde"
    assert "1. " in listed and "Koordinationsrunde" in listed
    assert removed == "Erinnerung 1 gelöscht."
    assert len(texts_with(world, bandung, "Koordinationsrunde")) == 2


async def test_quiet_and_working_hours_hold_automatic_reminders_but_not_explicit_ones(sqlite_world: World) -> None:
    """An automatic reminder waits for the group's working time (08:00–17:00 by default, quiet hours too); an
    explicit /remind time is kept in the group that set it, and reaches the partner at its next working start."""
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/reminders lead 0")
        await world.ask(surabaya, "/action Cek laporan tenggat hari ini jam 22:00")  # 22:00 Jakarta is quiet
        await world.relayed(surabaya, "di luar jam kerja di Surabaya")  # the deadline's note: outside working time
        await world.ask(surabaya, "/remind hari ini jam 22:30 Telepon Busan")
        said = str((await world.relayed(surabaya, "↪️"))["text"])
        clock.now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 22:00 Jakarta, 00:00 Seoul
        assert await fire(world, poller) == 0
        clock.now = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)  # 22:30: the explicit reminder, in Surabaya only
        assert await fire(world, poller) == 1
        clock.now = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)  # 07:00 Seoul: quiet hours over, not yet at work
        assert await fire(world, poller) == 0
        clock.now = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # 08:00 Seoul: Busan's copy and its due reminder
        assert await fire(world, poller) == 2
        clock.now = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # 09:00 Seoul: Busan's overdue follow-up
        assert await fire(world, poller) == 1
        clock.now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 08:00 Jakarta: Surabaya's held due reminder
        assert await fire(world, poller) == 1
        quiet = await world.ask(busan, "/reminders quiet 22:00-06:00")
    assert len(texts_with(world, surabaya, "⏰ Tenggat tiba: #1")) == 1
    assert len(texts_with(world, busan, "🔔 [ko] Telepon Busan")) == 1
    assert "Busan" in said and "06.00" in said  # when the partner gets it (08:00 in Seoul), in Jakarta time
    assert quiet.startswith("방해 금지 시간을 설정했습니다: 22:00~06:00")


async def test_restart_after_downtime_fires_each_missed_reminder_once_marked_late(world: World) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False):
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/reminders lead 0")
        await world.ask(surabaya, "/action Kirim laporan tenggat besok jam 10")
        await world.ask(surabaya, "/remind every day 08:00 Rapat pagi")
    clock.now = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # down for five days, back on Monday 11:00 in Jakarta
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await fire(world, poller)
        assert await fire(world, poller) == 0  # nothing fires twice
    assert len(texts_with(world, surabaya, "⏰ Tenggat tiba: #1")) == 1
    assert len(texts_with(world, surabaya, "⚠️ Melewati tenggat")) == 1
    assert len(texts_with(world, surabaya, "🔔 Rapat pagi")) == 1  # once for the missed period
    late = [t for t in world.texts(surabaya) if "tertunda" in t]
    assert len(late) == 3


async def test_two_bot_processes_on_one_database_send_each_reminder_once(world: World) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False):
        await world.setup(surabaya, busan)
        for n in range(10):
            await world.ask(surabaya, f"/remind besok jam 10 Pengingat nomor {n}")
    clock.now = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    apps = [build_application(world.settings(), clock=clock, reminder_jobs=False) for _ in range(2)]
    sqlite = world.database_url.startswith("sqlite")
    started: list[Any] = []
    try:
        for app in apps:
            await app.initialize()
            started.append(app)
            assert app.post_init is not None
            if sqlite and len(started) == 2:  # several instances need PostgreSQL: the second refuses
                with pytest.raises(AlreadyRunning, match="several instances need PostgreSQL"):
                    await app.post_init(app)
                return
            await app.post_init(app)
        pair: list[Any] = [app.bot_data[SERVICES_KEY].reminder_engine for app in apps]
        import asyncio

        counts = await asyncio.gather(pair[0].run_due(), pair[1].run_due())
    finally:
        for app in started:
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)
    assert sum(counts) == 20
    for n in range(10):
        assert len(texts_with(world, surabaya, f"🔔 Pengingat nomor {n}")) == 1
        assert len(texts_with(world, busan, f"🔔 [ko] Pengingat nomor {n}")) == 1


async def test_weekly_digest(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/action Kirim draf MoU tenggat Jumat jam 14:00")
        await world.relayed(busan, "새 과제 #1")
        changed = await world.ask(busan, "/digest friday 16:30")
        await services(poller).reminder_engine.ensure_digests()
        clock.now = datetime(2026, 12, 4, 7, 30, tzinfo=UTC)  # Friday 16:30 Seoul
        await fire(world, poller)
        digest_ko = await world.relayed(busan, "🗓 주간 요약")
        clock.now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 08:00 Jakarta (the default)
        await fire(world, poller)
        digest_id = await world.relayed(surabaya, "Ringkasan mingguan")
        off = await world.ask(surabaya, "/digest off")
    assert changed.startswith("주간 요약은 매주 금요일 16:30에 발송됩니다")
    assert "#1 [ko] Kirim draf MoU" in digest_ko["text"]
    assert "#1 Kirim draf MoU" in digest_id["text"]
    assert off == "Ringkasan mingguan dinonaktifkan."


async def test_the_wake_up_job_fires_at_the_next_due_instant(sqlite_world: World) -> None:
    """With the real job queue: the job is scheduled for the next due reminder and fires it."""
    from bot.telegram.app import JOBS_KEY
    from bot.telegram.jobs import WAKE_JOB, ReminderJobs

    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    async with world.bot(clock=clock) as poller:
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/remind besok jam 10 Siapkan agenda")
        due = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
        clock.now = due - timedelta(seconds=1)  # one (real) second before it is due
        jobs = poller.app.bot_data[JOBS_KEY]
        assert isinstance(jobs, ReminderJobs)
        await jobs.schedule_wake()
        assert poller.app.job_queue is not None
        assert poller.app.job_queue.get_jobs_by_name(WAKE_JOB)
        clock.now = due
        await world.relayed(busan, "🔔 [ko] Siapkan agenda", timeout=10)
        await world.relayed(surabaya, "🔔 Siapkan agenda", timeout=10)


class _NoJobQueue:
    """Enough of a JobQueue for ReminderJobs.sweep(): wake-ups are recorded, not run."""

    def __init__(self) -> None:
        self.wakes: list[float] = []

    def get_jobs_by_name(self, _name: str) -> list[Any]:
        return []

    def run_once(self, _callback: Any, when: float, **_kwargs: Any) -> None:
        self.wakes.append(when)


async def _add_groups(services: Services, first: int, count: int) -> None:
    """``count`` groups from id ``first`` down, in two-group bridges, in several languages; every third has
    the digest off, every fifth its own digest day, every seventh is inactive; each has a reminder pending
    for later (none due)."""
    chats, settings = services.chats.chats, services.reminder_engine.settings
    languages = ("id", "ko", "de", "ja", "en")
    ids = [first - n for n in range(count)]
    for n, chat_id in enumerate(ids):
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language=languages[n % 5])
        if n % 3 == 0:
            await settings.set_digest(chat_id, None)
        elif n % 5 == 0:
            await settings.set_digest(chat_id, n % 7, "17:30")
        if n % 7 == 6:
            await chats.set_active(chat_id, False)
    for a, b in zip(ids[::2], ids[1::2], strict=False):
        await services.chats.bridges.link(a, b)
    engine = services.reminder_engine
    for chat_id in ids:
        chat = await chats.get(chat_id)
        assert chat is not None
        here = await services.chats.context(chat)
        await engine.add_adhoc(chat, here.scope, NOW + timedelta(days=3), "Rapat", None)


async def test_a_sweep_with_nothing_to_do_costs_the_same_few_statements_for_10_or_200_groups(db_url: str) -> None:
    """The sweep asks the database for what is due (digests to plan or cancel, reminders due); it never walks
    the chats, so the statements of a sweep with nothing to do do not grow with the number of groups."""
    from sqlalchemy import event
    from telegram.ext import JobQueue

    from bot.config import Settings
    from bot.language.catalog import Catalog
    from bot.telegram.jobs import ReminderJobs
    from tests.fakes.telegram import FakeTelegram, FakeTranslator

    clock, telegram = Clock(NOW), FakeTelegram()
    made = Services.create(
        Settings(database_url=db_url), Catalog.load(), telegram, telegram, translator=FakeTranslator(), clock=clock
    )
    await made.start()
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    async def idle_sweep() -> list[str]:
        await jobs.sweep()  # plans the digests of the groups just added
        planned = await made.reminder_engine.reminders.pending_count()
        statements.clear()
        event.listen(made.database.engine.sync_engine, "before_cursor_execute", count)
        try:
            await jobs.sweep()
        finally:
            event.remove(made.database.engine.sync_engine, "before_cursor_execute", count)
        assert await made.reminder_engine.reminders.pending_count() == planned  # nothing was done
        return list(statements)

    try:
        queue = _NoJobQueue()
        jobs = ReminderJobs(cast(JobQueue[Any], queue), made.reminder_engine, made.wakeups)
        await _add_groups(made, -1001000, 10)
        small = await idle_sweep()
        pending_small = await made.reminder_engine.reminders.pending_count()
        await _add_groups(made, -1002000, 190)
        large = await idle_sweep()
        pending_large = await made.reminder_engine.reminders.pending_count()
    finally:
        await made.close()
    # The first sweeps did plan: 10 groups in 5 bridges, an ad hoc reminder each fanned out to both groups (20
    # rows), and a digest for the 6 with it on (off: n = 0, 3, 6, 9; the inactive one, n = 6, is among them).
    assert pending_small == 26 and pending_large > pending_small + 2 * 190 + 100
    assert len(large) == len(small) <= 6, (small, large)
    assert telegram.sent == []
