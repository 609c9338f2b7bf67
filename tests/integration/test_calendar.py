"""Integration: /calendar and /holidays through the emulator (the real Application, storage and handlers)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Clock
from tests.world import World

# Thursday 12 August 2027, 09:00 in Jakarta, 11:00 in Seoul: Chuseok (14–16 September) is ahead.
AUGUST = datetime(2027, 8, 12, 2, 0, tzinfo=UTC)


async def test_an_administrator_sets_the_calendar_and_holidays_lists_it(world: World) -> None:
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    async with world.bot(clock=Clock(AUGUST), reminder_jobs=False):
        await world.setup(surabaya, busan)
        refused = await world.ask(busan, "/calendar country KR", as_admin=False)
        country = await world.ask(busan, "/calendar 국가 KR")
        added = await world.ask(surabaya, "/calendar libur 2027-09-20 2027-09-22 Cuti bersama")
        shown = await world.ask(surabaya, "/calendar")
        listed = await world.ask(busan, "/holidays")
    assert refused.startswith("죄송합니다. 이 기능은 이 그룹의 관리자만")
    assert country.startswith("완료: 이제 이 그룹은 대한민국(KR)의 공휴일을 따릅니다.")
    assert "hari libur 1 grup ini, Sen, 20 Sep–Rab, 22 Sep 2027: Cuti bersama" in added
    assert "1. Sen, 20 Sep–Rab, 22 Sep 2027 — Cuti bersama" in shown
    assert "Busan — 대한민국(KR)" in listed and "• 2027년 9월 15일 (수) — 추석" in listed
    assert "• 2027년 9월 20일 (월)~22일 (수) — Cuti bersama (그룹 휴무일)" in listed
    assert "Hari Kemerdekaan Republik Indonesia" in listed
