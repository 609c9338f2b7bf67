"""Two figures of the fault and abuse suite, on the services with repositories in memory (tests/kit.py):

- ``job_faults_max_attempts``: an automatic report, a reminder and a weekly digest that raise on every run
  stop after their capped attempts, each group told once; the other reminders due at the same moment go
  out on time (``job_faults_others_late``: how many of them did not go out in the first run).
- ``announcement_share_max``: two members send ``/indicator … +1`` every three seconds for a minute (the
  most the per-member limit lets them) while the partners talk; the largest share of one group's sending
  budget (20 messages a minute) that announcements take in any minute.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from bot.domain.records import Reminder
from bot.features.announce import WINDOW
from bot.language.catalog import Catalog
from bot.ports import Buttons, Sender
from bot.relay.service import InboundMessage
from tests.fakes.telegram import FakeTelegram
from tests.kit import BUSAN, SURABAYA, Kit, make_kit, member

GROUP_BUDGET = 20  # messages a minute Telegram lets a bot post into one group


async def job_faults() -> dict[str, Any]:
    catalog = Catalog.load()
    async with make_kit(catalog) as kit:
        with pytest.MonkeyPatch.context() as patch:
            return await _job_faults(kit, patch)


async def _job_faults(kit: Kit, patch: pytest.MonkeyPatch) -> dict[str, Any]:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    await kit.group(BUSAN, "Busan", "ko")
    await kit.link(SURABAYA, BUSAN)
    surabaya = await kit.here(SURABAYA)
    services, engine = kit.services, kit.services.reminder_engine
    admin = kit.admin(SURABAYA, 1)
    # Monday 4 January 2027, 09:00 in Jakarta (the first working day of the year): the monthly report, a digest
    # moved there, a broken reminder and ten sound ones are all due at once.
    await services.reports.report(surabaya, admin, "monthly on")
    await engine.settings.set_digest(SURABAYA, 0, "09:00")
    await engine.ensure_digests()
    await services.actions.create(surabaya, member(1), "Kirim laporan tenggat 20 Januari 2027")  # the digest has news
    await services.reminders.remind(surabaya, member(1), "4 Januari 2027 jam 09.00 RUSAK pengingat")
    for n in range(10):
        await services.reminders.remind(surabaya, member(1), f"4 Januari 2027 jam 09.00 Pengingat biasa {n}")

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("made to fail")

    render = engine._render

    async def render_or_break(reminder: Reminder, chat: Any, late: bool) -> tuple[str | None, Buttons | None, bool]:
        if reminder.kind == "digest" or "RUSAK" in (reminder.text or ""):
            raise RuntimeError("made to fail")
        return await render(reminder, chat, late)

    patch.setattr(services.reports, "produce", broken)
    patch.setattr(engine, "_render", render_or_break)
    attempts: Counter[int] = Counter()
    claim = engine.reminders.claim

    async def counting_claim(reminder_id: int, now: datetime, claimer: str) -> bool:
        claimed = await claim(reminder_id, now, claimer)
        if claimed:
            attempts[reminder_id] += 1
        return claimed

    patch.setattr(engine.reminders, "claim", counting_claim)
    kit.clock.now = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    await engine.run_due()
    sound = [t for t in kit.texts(SURABAYA) if "Pengingat biasa" in t]
    others_late = 10 - len(sound)
    # Let the back-off pass: every wake-up until nothing of these is pending any more (a day at most).
    for _ in range(100):
        pending = await engine.reminders.due(kit.clock.now + timedelta(days=1))
        pending = [r for r in pending if r.kind != "digest" or r.attempts > 0]
        if not pending:
            break
        kit.clock.now = max(kit.clock.now, min(r.due_at for r in pending))
        await engine.run_due()
    texts = kit.texts(SURABAYA)
    told = {
        "report": sum("Laporan otomatis" in t for t in texts),
        "reminder": sum("Pengingat #" in t and "gagal disiapkan" in t for t in texts),
        "digest": sum("Ringkasan minggu ini gagal disiapkan" in t for t in texts),
    }
    failed_ids = [rid for rid, count in attempts.items() if count > 1]
    return {
        "job_faults_max_attempts": max(attempts.values(), default=0),
        "job_faults_jobs": len(failed_ids),
        "job_faults_groups_told": told,
        "job_faults_others_late": others_late,
    }


class _Counting:
    """The announcer's sender, counting what it posts per group and (test) minute."""

    def __init__(self, telegram: FakeTelegram, clock: Any) -> None:
        self.telegram = telegram
        self.clock = clock
        self.sent: list[tuple[float, int]] = []

    async def send_text(
        self, chat_id: int, html: str, *, reply_to: int | None = None, buttons: Buttons | None = None
    ) -> int:
        self.sent.append((self.clock(), chat_id))
        return await self.telegram.send_text(chat_id, html, reply_to=reply_to, buttons=buttons)


class _Monotonic:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def announcement_share(minutes: int = 3) -> dict[str, Any]:
    catalog = Catalog.load()
    async with make_kit(catalog) as kit:
        surabaya = await kit.group(SURABAYA, "Surabaya", "id")
        await kit.group(BUSAN, "Busan", "ko")
        await kit.link(SURABAYA, BUSAN)
        surabaya, busan = await kit.here(SURABAYA), await kit.here(BUSAN)
        admin = kit.admin(SURABAYA, 1)
        await kit.services.programmes.programme(surabaya, admin, "add pendidikan")
        await kit.services.indicators.indicator(surabaya, admin, "add pendidikan pertukaran target 500 per year")
        clock = _Monotonic()
        announcer = kit.services.announcer
        counting = _Counting(kit.telegram, clock)
        announcer.monotonic, announcer.sender = clock, cast(Sender, counting)  # only send_text is used
        assert surabaya.bridge is not None and busan.bridge is not None
        relayed = 0
        for second in range(0, 60 * minutes, 3):  # two members, each at the per-member limit (20 a minute)
            clock.now = float(second)
            for spammer in (7, 8):
                await kit.services.indicators.indicator(surabaya, member(spammer), "pendidikan pertukaran +1")
            await announcer.flush()
            if second % 6 == 0:  # the partners talk meanwhile
                relayed += 1
                message = InboundMessage(
                    BUSAN, 1000 + second, 3, "Kim", "Busan", "ko", f"대화 {second}", f"대화 {second}",
                    None, None, 0, 1_800_000_000 + second,
                )
                async with kit.services.relay.batch():
                    await kit.services.relay.submit(message, busan.bridge)
        clock.now = float(60 * minutes + WINDOW)
        await announcer.flush()
        worst = 0
        for chat_id in (SURABAYA, BUSAN):
            times = sorted(t for t, chat in counting.sent if chat == chat_id)
            for i, start in enumerate(times):
                in_window = sum(1 for t in times[i:] if t < start + WINDOW)
                worst = max(worst, in_window)
        updates = 2 * len(range(0, 60 * minutes, 3))
        return {
            "announcement_share_max": round(worst / GROUP_BUDGET, 3),
            "announcement_updates": updates,
            "announcements_waiting_at_the_end": announcer.waiting(SURABAYA) + announcer.waiting(BUSAN),
            "announcement_partner_messages": relayed,
        }
