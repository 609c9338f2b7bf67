"""Bridges storage: chats in bridges, link codes, join requests, the operator's approvals.

The tests that take ``repos`` run in memory, on SQLite and on PostgreSQL (the contract of tests/fakes); those
that take ``db`` need the database itself (what is stored, concurrent transactions)."""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, insert, inspect, select, table
from sqlalchemy.engine import Connection

from bot.domain import repositories as domain
from bot.domain.errors import (
    AlreadyBridged,
    CodeExpired,
    CodeNotFound,
    CodeOwnChat,
    CodeUsed,
    LimitReached,
    LinkCodeError,
)
from bot.domain.records import Bridge, Chat, JoinRequest
from bot.domain.repositories import Repositories
from storage.bridges import BridgeRepository
from storage.chats import ChatRepository
from storage.db import Database
from storage.linkcodes import CODE_ALPHABET, CODE_BITS, CODE_LENGTH, LinkCodeRepository, hash_code, normalise_code
from storage.migrate import current_revision, downgrade, upgrade
from storage.models import Base, ChatRow, LinkCodeRow, UTCDateTime, utcnow
from storage.repositories import repositories

CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


async def make_chats(chats: domain.ChatRepository, *ids: int) -> None:
    for chat_id in ids:
        await chats.ensure(chat_id, title=f"group {chat_id}", type="supergroup", default_language="en")


def member_ids(bridge: Bridge | None) -> list[int]:
    assert bridge is not None
    return [chat.id for chat in bridge.members]


async def assert_bridges_consistent(repository: domain.BridgeRepository) -> list[Bridge]:
    """Every chat in at most one bridge, and no bridge left without members."""
    bridges = await repository.all()
    seen = [chat.id for bridge in bridges for chat in bridge.members]
    assert len(seen) == len(set(seen))
    assert all(bridge.members for bridge in bridges)
    return bridges


# -- chats.show_original -----------------------------------------------------------------------------


async def test_show_original_flag(repos: Repositories) -> None:
    chats = repos.chats
    chat = await chats.ensure(-1, title="Surabaya", type="supergroup", default_language="id")
    assert chat.show_original is False
    on = await chats.set_show_original(-1, True)
    assert on.show_original is True
    assert (await chats.get(-1)) == on
    assert (await chats.ensure(-1, title="Surabaya", type="supergroup", default_language="en")).show_original
    assert (await chats.set_show_original(-1, False)).show_original is False
    with pytest.raises(LookupError):
        await chats.set_show_original(-999, True)
    # Existing constructors keep working: the new field comes last, with a default.
    now = utcnow()
    assert Chat(1, "t", "group", "en", None, None, True, now, now).show_original is False


# -- chats.workdays ----------------------------------------------------------------------------------------


async def test_workdays_default_set_and_refused(repos: Repositories) -> None:
    chats = repos.chats
    chat = await chats.ensure(-1, title="Surabaya", type="supergroup", default_language="id")
    assert chat.workdays == frozenset(range(5))  # Monday to Friday until set
    for days in (frozenset({6, 0, 1, 2, 3}), frozenset({5}), frozenset(range(7)), frozenset({0, 2, 4})):
        stored = await chats.set_workdays(-1, days)
        assert stored.workdays == days
        assert (await chats.get(-1)) == stored
        assert (await chats.all())[0].workdays == days
    assert (await chats.ensure(-1, title="Surabaya baru", type="supergroup", default_language="en")).workdays == {
        0,
        2,
        4,
    }
    for bad in (frozenset(), frozenset({7}), frozenset({-1, 0})):
        with pytest.raises(ValueError):
            await chats.set_workdays(-1, bad)
    assert (await chats.get(-1)).workdays == frozenset({0, 2, 4})  # type: ignore[union-attr]
    with pytest.raises(LookupError):
        await chats.set_workdays(-999, frozenset({0}))
    other = await chats.ensure(-2, title="Busan", type="supergroup", default_language="ko")
    assert other.workdays == frozenset(range(5))  # each chat has its own


async def test_workdays_are_stored_as_seven_characters(db: Database) -> None:
    chats = ChatRepository(db)
    await chats.ensure(-1, title="Surabaya", type="supergroup", default_language="id")
    async with db.session() as session:
        assert (await session.get(ChatRow, -1)).workdays is None  # type: ignore[union-attr]
    await chats.set_workdays(-1, frozenset({6, 0, 1, 2, 3}))
    async with db.session() as session:
        assert (await session.get(ChatRow, -1)).workdays == "1111001"  # type: ignore[union-attr]


# -- bridges -------------------------------------------------------------------------------------------


async def test_link_builds_n_way_bridges_in_join_order(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3, -4, -5, -6)
    bridges = repos.bridges
    assert await bridges.bridge_of(-1) is None
    assert await bridges.all() == []

    first = await bridges.link(-1, -2)
    assert member_ids(first) == [-1, -2]
    assert first.created_at.utcoffset() == timedelta(0)
    three = await bridges.link(-1, -3)
    assert three.id == first.id
    assert member_ids(three) == [-1, -2, -3]
    four = await bridges.link(-3, -4)  # any member can bring in the next partner
    assert member_ids(four) == [-1, -2, -3, -4]
    assert [c.id for c in four.others(-3)] == [-1, -2, -4]
    assert four.others(-99) == four.members

    assert await bridges.bridge_of(-4) == four
    assert await bridges.get(four.id) == four
    assert await bridges.get(four.id + 100) is None
    other = await bridges.link(-6, -5)  # chat_a first
    assert member_ids(other) == [-6, -5]
    assert [b.id for b in await bridges.all()] == [four.id, other.id]
    assert [member_ids(b) for b in await bridges.all()] == [[-1, -2, -3, -4], [-6, -5]]
    # Members are full chat records.
    await repos.chats.set_language(-2, "ko")
    refreshed = await bridges.bridge_of(-1)
    assert refreshed is not None and refreshed.members[1].language == "ko"


async def test_link_refuses_chats_already_bridged_and_bad_input(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3, -4, -5)
    bridges = repos.bridges
    bridge = await bridges.link(-1, -2)
    other = await bridges.link(-4, -5)

    with pytest.raises(AlreadyBridged) as info:
        await bridges.link(-1, -2)  # already in A's own bridge
    assert (info.value.chat_id, info.value.bridge_id) == (-2, bridge.id)
    with pytest.raises(AlreadyBridged) as info:
        await bridges.link(-3, -1)  # B in a bridge, A in none
    assert (info.value.chat_id, info.value.bridge_id) == (-1, bridge.id)
    with pytest.raises(AlreadyBridged) as info:
        await bridges.link(-1, -4)  # B in another bridge
    assert (info.value.chat_id, info.value.bridge_id) == (-4, other.id)
    with pytest.raises(ValueError):
        await bridges.link(-3, -3)
    with pytest.raises(LookupError):
        await bridges.link(-3, -999)
    with pytest.raises(LookupError):
        await bridges.link(-999, -3)
    assert [member_ids(b) for b in await assert_bridges_consistent(bridges)] == [[-1, -2], [-4, -5]]


async def test_leave_keeps_a_bridge_with_one_member_and_deletes_an_empty_one(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3, -4)
    bridges = repos.bridges
    glossary = repos.glossary
    bridge = await bridges.link(-1, -2)
    await bridges.link(-2, -3)
    await glossary.add(bridge.id, "MoU", {"id": "nota kesepahaman"})

    assert await bridges.leave(-4) is None  # in no bridge

    after = await bridges.leave(-2)
    assert after is not None and after.id == bridge.id and member_ids(after) == [-1, -3]
    assert await bridges.bridge_of(-2) is None

    after = await bridges.leave(-1)
    assert member_ids(after) == [-3]
    assert await bridges.get(bridge.id) == after  # one member keeps the bridge …
    assert [e.term for e in await glossary.list(bridge.id)] == ["MoU"]  # … and its glossary

    rejoined = await bridges.link(-3, -4)
    assert rejoined.id == bridge.id and member_ids(rejoined) == [-3, -4]
    await bridges.leave(-3)
    emptied = await bridges.leave(-4)
    assert emptied is not None and emptied.id == bridge.id and emptied.members == ()
    assert await bridges.get(bridge.id) is None
    assert await bridges.all() == []
    assert await glossary.list(bridge.id) == []  # the glossary goes with its bridge
    assert await bridges.leave(-4) is None


async def test_concurrent_links_of_one_chat_leave_it_in_exactly_one_bridge(db: Database) -> None:
    await make_chats(ChatRepository(db), -1, -2, -3, -4, -5)
    bridges = BridgeRepository(db)
    # -2 invited into two different new bridges at once.
    results = await asyncio.gather(bridges.link(-1, -2), bridges.link(-3, -2), return_exceptions=True)
    won = [r for r in results if isinstance(r, Bridge)]
    lost = [r for r in results if isinstance(r, AlreadyBridged)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].chat_id == -2 and lost[0].bridge_id == won[0].id
    assert await bridges.bridge_of(-2) == won[0]
    assert [member_ids(b) for b in await assert_bridges_consistent(bridges)] == [member_ids(won[0])]

    # The same inviter bringing in two partners at once: both join one bridge.
    await make_chats(ChatRepository(db), -10, -11, -12)
    first, second = await asyncio.gather(bridges.link(-10, -11), bridges.link(-10, -12))
    assert first.id == second.id
    final = await bridges.bridge_of(-10)
    assert final is not None and member_ids(final)[0] == -10 and set(member_ids(final)) == {-10, -11, -12}
    await assert_bridges_consistent(bridges)


async def test_link_storm_stays_consistent(db: Database) -> None:
    ids = list(range(-20, -30, -1))
    await make_chats(ChatRepository(db), *ids)
    bridges = BridgeRepository(db)
    pairs = [(a, b) for a in ids[:5] for b in ids[5:]]
    calls = [bridges.link(a, b) for a, b in pairs] + [bridges.link(b, a) for a, b in pairs]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, Bridge | AlreadyBridged) for r in results), results
    current = await assert_bridges_consistent(bridges)
    assert sum(len(b.members) for b in current) >= 2
    for result in results:
        if isinstance(result, AlreadyBridged):
            assert await bridges.bridge_of(result.chat_id) is not None


async def test_concurrent_leaves_of_the_last_members_delete_the_bridge(db: Database) -> None:
    await make_chats(ChatRepository(db), -1, -2)
    bridges = BridgeRepository(db)
    bridge = await bridges.link(-1, -2)
    results = await asyncio.gather(bridges.leave(-1), bridges.leave(-2))
    assert sorted(len(r.members) for r in results if r is not None) == [0, 1]
    assert await bridges.get(bridge.id) is None
    assert await bridges.all() == []


# -- link codes ----------------------------------------------------------------------------------------


async def test_link_code_format_and_entropy(repos: Repositories) -> None:
    await make_chats(repos.chats, -1)
    codes = repos.link_codes
    assert len(set(CODE_ALPHABET)) == 32 and not set("ILOU") & set(CODE_ALPHABET)
    assert CODE_LENGTH == 10 and math.log2(len(CODE_ALPHABET) ** CODE_LENGTH) >= 50 == CODE_BITS
    issued = [await codes.create(-1, created_by=7) for _ in range(40)]
    assert all(CODE_RE.match(code) for code in issued), issued
    assert len(set(issued)) == len(issued)
    # All symbols show up across the codes (they are drawn from the whole alphabet).
    assert len(set("".join(issued).replace("-", ""))) > 24
    with pytest.raises(LookupError):
        await codes.create(-999, created_by=None)
    with pytest.raises(ValueError):
        await codes.create(-1, created_by=None, ttl=timedelta(0))


async def test_only_the_hash_of_a_link_code_is_stored(db: Database) -> None:
    await make_chats(ChatRepository(db), -1)
    code = await LinkCodeRepository(db).create(-1, created_by=42, ttl=timedelta(minutes=5))
    plain = code.replace("-", "")
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(LinkCodeRow.__table__))).all()
    assert len(rows) == 1
    values = [str(value) for value in rows[0]]
    for value in values:
        assert plain not in value.upper() and code not in value.upper()
    assert rows[0].code_hash == hashlib.sha256(plain.encode()).hexdigest() == hash_code(code)
    assert rows[0].chat_id == -1 and rows[0].created_by == 42 and rows[0].used_at is None


def test_normalise_code() -> None:
    assert normalise_code("  abcde-fghjk ") == "ABCDEFGHJK"
    assert normalise_code("abcde fghjk") == "ABCDEFGHJK"
    assert normalise_code("ab cd e - fg hj k") == "ABCDEFGHJK"
    assert normalise_code("O0o0O-IiLl1") == "00000" + "11111"
    assert normalise_code("uuvvw") == "VVVVW"
    assert normalise_code("ABCDE–FGHJK") == "ABCDEFGHJK"  # an en dash from a phone keyboard
    assert hash_code("abcde fghjk") == hash_code("ABCDE-FGHJK")


async def test_redeem_accepts_sloppy_typing_and_is_single_use(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3)
    codes = repos.link_codes
    code = await codes.create(-1, created_by=None)
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert await codes.redeem(f"  {sloppy} ", by_chat_id=-2) == -1
    with pytest.raises(CodeUsed):
        await codes.redeem(code, by_chat_id=-3)
    with pytest.raises(CodeNotFound):
        await codes.redeem("ZZZZZ-ZZZZZ", by_chat_id=-2)
    with pytest.raises(CodeNotFound):
        await codes.redeem("hello", by_chat_id=-2)
    assert issubclass(CodeNotFound, LinkCodeError) and issubclass(CodeOwnChat, LinkCodeError)


async def test_a_redeemed_code_records_where_it_was_used(db: Database) -> None:
    await make_chats(ChatRepository(db), -1, -2, -3)
    codes = LinkCodeRepository(db)
    code = await codes.create(-1, created_by=None)
    assert await codes.redeem(code, by_chat_id=-2) == -1
    with pytest.raises(CodeUsed):
        await codes.redeem(code, by_chat_id=-3)
    async with db.session() as session:
        row = (await session.scalars(select(LinkCodeRow))).one()
        assert row.used_by_chat == -2 and row.used_at is not None


async def test_redeem_in_the_issuing_chat_does_not_consume_the_code(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2)
    codes = repos.link_codes
    code = await codes.create(-1, created_by=None)
    with pytest.raises(CodeOwnChat):
        await codes.redeem(code, by_chat_id=-1)
    assert await codes.redeem(code, by_chat_id=-2) == -1


async def test_link_codes_expire_and_are_purged(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2)
    codes = repos.link_codes
    code = await codes.create(-1, created_by=None, ttl=timedelta(minutes=30))
    fresh = await codes.create(-1, created_by=None, ttl=timedelta(hours=2))
    later = utcnow() + timedelta(minutes=31)
    with pytest.raises(CodeExpired):
        await codes.redeem(code, by_chat_id=-2, now=later)
    assert await codes.purge_expired(later) == 1
    with pytest.raises(CodeNotFound):
        await codes.redeem(code, by_chat_id=-2)
    assert await codes.redeem(fresh, by_chat_id=-2, now=later) == -1
    assert await codes.purge_expired() == 0


async def test_concurrent_redemptions_have_exactly_one_winner(db: Database) -> None:
    contenders = list(range(-2, -10, -1))
    await make_chats(ChatRepository(db), -1, *contenders)
    codes = LinkCodeRepository(db)
    code = await codes.create(-1, created_by=None)
    results = await asyncio.gather(*(codes.redeem(code, by_chat_id=c) for c in contenders), return_exceptions=True)
    assert results.count(-1) == 1, results
    assert all(isinstance(r, CodeUsed) for r in results if r != -1), results


async def test_link_codes_are_revoked_one_at_a_time_or_all_of_a_chat(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3)
    codes = repos.link_codes
    one, two, used = [await codes.create(-1, created_by=None) for _ in range(3)]
    elsewhere = await codes.create(-3, created_by=None)
    assert await codes.redeem(used, by_chat_id=-2) == -1

    assert await codes.revoke_code(one) is True
    with pytest.raises(CodeExpired):
        await codes.redeem(one, by_chat_id=-2)
    assert await codes.revoke_code(used) is False  # used: not open any more
    assert await codes.revoke_code("ZZZZZ-ZZZZZ") is False  # no such code
    with pytest.raises(CodeUsed):
        await codes.redeem(used, by_chat_id=-3)

    assert await codes.revoke(-1) == 1  # the one still open
    with pytest.raises(CodeExpired):
        await codes.redeem(two, by_chat_id=-2)
    assert await codes.revoke(-1) == 0
    assert await codes.revoke(-999) == 0
    assert await codes.redeem(elsewhere, by_chat_id=-2) == -3  # another chat's codes stay valid
    assert await codes.purge_expired() == 2  # the two revoked; the used ones expire in their time
    with pytest.raises(CodeNotFound):
        await codes.redeem(two, by_chat_id=-2)


# -- link codes for several groups (/link <n>) ------------------------------------------------------------

DAY = timedelta(hours=24)


async def test_a_code_for_several_groups_admits_each_use_once_then_is_spent(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3, -4, -5)
    codes = repos.link_codes
    code = await codes.create(-1, created_by=7, ttl=DAY, uses=3)
    assert CODE_RE.match(code)
    assert await codes.redeem(code, by_chat_id=-2) == -1
    with pytest.raises(CodeOwnChat):  # leaves every use that is left
        await codes.redeem(code, by_chat_id=-1)
    assert await codes.redeem(code.lower(), by_chat_id=-3) == -1
    assert await codes.revoke_code("ZZZZZ-ZZZZZ") is False
    assert await codes.redeem(code, by_chat_id=-4) == -1  # the third and last use
    with pytest.raises(CodeUsed):
        await codes.redeem(code, by_chat_id=-5)
    assert await codes.revoke(-1) == 0  # spent: nothing open to revoke
    assert await codes.revoke_code(code) is False
    later = utcnow() + DAY + timedelta(minutes=1)
    assert await codes.purge_expired(later) == 1


async def test_a_code_with_uses_left_expires_and_is_revoked_as_one_code(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3)
    codes = repos.link_codes
    lapsing = await codes.create(-1, created_by=None, ttl=DAY, uses=5)
    assert await codes.redeem(lapsing, by_chat_id=-2) == -1
    with pytest.raises(CodeExpired):
        await codes.redeem(lapsing, by_chat_id=-3, now=utcnow() + DAY + timedelta(seconds=1))
    revoked = await codes.create(-1, created_by=None, ttl=DAY, uses=4)
    assert await codes.redeem(revoked, by_chat_id=-2) == -1
    assert await codes.revoke(-1) == 2  # each code counted once, whatever uses it has left
    for code in (lapsing, revoked):
        with pytest.raises(CodeExpired):
            await codes.redeem(code, by_chat_id=-3)


@pytest.mark.parametrize("uses", [0, -1, 11, 100])
async def test_a_code_admits_one_to_ten_groups(repos: Repositories, uses: int) -> None:
    await make_chats(repos.chats, -1)
    with pytest.raises(ValueError, match="1 to 10"):
        await repos.link_codes.create(-1, created_by=None, ttl=DAY, uses=uses)
    assert await repos.link_codes.revoke(-1) == 0  # nothing was stored
    assert CODE_RE.match(await repos.link_codes.create(-1, created_by=None, ttl=DAY, uses=10))


async def test_groups_redeeming_the_last_uses_at_once_never_pass_them(repos: Repositories) -> None:
    contenders = list(range(-2, -12, -1))
    await make_chats(repos.chats, -1, *contenders)
    codes = repos.link_codes
    code = await codes.create(-1, created_by=None, ttl=DAY, uses=3)
    results = await asyncio.gather(*(codes.redeem(code, by_chat_id=c) for c in contenders), return_exceptions=True)
    assert results.count(-1) == 3, results
    assert all(isinstance(r, CodeUsed) for r in results if r != -1), results
    last = await codes.create(-1, created_by=None, ttl=DAY, uses=2)
    assert await codes.redeem(last, by_chat_id=-2) == -1
    pair = await asyncio.gather(
        codes.redeem(last, by_chat_id=-3), codes.redeem(last, by_chat_id=-4), return_exceptions=True
    )
    assert pair.count(-1) == 1, pair  # two groups, one last use: one gets in
    assert sum(isinstance(r, CodeUsed) for r in pair) == 1, pair


async def test_a_code_for_several_groups_records_the_latest_and_counts_down(db: Database) -> None:
    repos = repositories(db)
    await make_chats(repos.chats, -1, -2, -3, -4)
    code = await repos.link_codes.create(-1, created_by=None, ttl=DAY, uses=2)

    async def stored() -> tuple[int, int | None, bool]:
        async with db.session() as session:
            row = (await session.scalars(select(LinkCodeRow))).one()
            return row.uses_left, row.used_by_chat, row.used_at is not None

    assert await stored() == (2, None, False)
    await repos.link_codes.redeem(code, by_chat_id=-2)
    assert await stored() == (1, -2, False)  # still open
    await repos.link_codes.redeem(code, by_chat_id=-3)
    assert await stored() == (0, -3, True)  # spent
    await repos.chat_data.forget(-3)
    assert await stored() == (0, None, True)  # a forgotten group is no longer recorded
    single = await repos.link_codes.create(-1, created_by=None)
    await repos.link_codes.redeem(single, by_chat_id=-4)
    async with db.session() as session:
        row = await session.get(LinkCodeRow, hash_code(single))
        assert row is not None and (row.uses_left, row.used_by_chat) == (0, -4) and row.used_at is not None


# -- join requests -------------------------------------------------------------------------------------


async def test_a_join_request_is_decided_once(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3)
    requests = repos.join_requests
    request = await requests.create(-1, -2, 7, timedelta(hours=1))
    assert (request.issuer_chat_id, request.requester_chat_id, request.requested_by, request.state) == (
        -1,
        -2,
        7,
        JoinRequest.PENDING,
    )
    assert request.created_at.utcoffset() == timedelta(0)
    assert request.expires_at - request.created_at == timedelta(hours=1)
    assert await requests.get(request.id) == request
    assert await requests.get(request.id + 100) is None

    with pytest.raises(ValueError):
        await requests.decide(request.id, JoinRequest.REVOKED, 8)
    with pytest.raises(ValueError):
        await requests.decide(request.id, JoinRequest.PENDING, 8)
    assert await requests.decide(request.id, JoinRequest.APPROVED, 8) is True
    assert await requests.decide(request.id, JoinRequest.DECLINED, 9) is False  # only one decision wins
    assert await requests.decide(request.id + 100, JoinRequest.DECLINED, 9) is False
    decided = await requests.get(request.id)
    assert decided is not None and decided.state == JoinRequest.APPROVED

    late = await requests.create(-1, -3, None, timedelta(minutes=5))
    assert late.id != request.id and late.requested_by is None
    assert await requests.decide(late.id, JoinRequest.DECLINED, 8, now=late.expires_at) is False  # expired
    assert await requests.decide(late.id, JoinRequest.DECLINED, 8, now=late.created_at) is True


async def test_join_requests_are_revoked_and_purged(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3, -4)
    requests = repos.join_requests
    hour = timedelta(hours=1)
    approved = await requests.create(-1, -2, None, hour)
    stale = await requests.create(-1, -3, None, hour)
    waiting = await requests.create(-1, -4, None, hour)
    lapsed = await requests.create(-4, -3, None, hour)  # another issuer's, left to expire
    fresh = await requests.create(-2, -4, None, timedelta(days=1))
    assert await requests.decide(approved.id, JoinRequest.APPROVED, 8)

    revoked_at = stale.expires_at + hour
    assert await requests.revoke(-1, now=revoked_at) == 2  # the pending ones, expired or not
    assert await requests.revoke(-1) == 0
    states = [await requests.get(r.id) for r in (approved, stale, waiting, lapsed, fresh)]
    assert [r.state if r else None for r in states] == [
        JoinRequest.APPROVED,
        JoinRequest.REVOKED,
        JoinRequest.REVOKED,
        JoinRequest.PENDING,
        JoinRequest.PENDING,
    ]
    assert await requests.decide(waiting.id, JoinRequest.APPROVED, 8, now=waiting.created_at) is False

    assert await requests.purge_finished(approved.created_at) == 0  # decided, or expiring, later
    # The approved one (decided before) and the one that expired undecided go; the revoked ones were
    # decided at that very instant, and a pending one that has not expired stays.
    assert await requests.purge_finished(revoked_at) == 2
    gone = [await requests.get(r.id) is None for r in (approved, stale, waiting, lapsed, fresh)]
    assert gone == [True, False, False, True, False]
    assert await requests.purge_finished(revoked_at + timedelta(microseconds=1)) == 2
    assert await requests.get(fresh.id) is not None


# -- approvals by the operator -------------------------------------------------------------------------


async def test_the_operator_approves_and_revokes_groups(repos: Repositories) -> None:
    approvals = repos.approvals
    assert await approvals.all() == []
    assert await approvals.is_approved(-1) is False
    await approvals.approve(-1)
    await approvals.approve(-2)
    await approvals.approve(-1)  # again: nothing changes
    await approvals.approve(-999)  # a group not seen yet can be approved ahead
    assert await approvals.all() == [-999, -2, -1]
    assert await approvals.is_approved(-1) is True
    assert await approvals.revoke(-1) is True
    assert await approvals.revoke(-1) is False
    assert await approvals.is_approved(-1) is False
    assert await approvals.all() == [-999, -2]


async def test_a_bridge_takes_no_more_groups_than_its_limit(repos: Repositories) -> None:
    await make_chats(repos.chats, -1, -2, -3, -4)
    bridge = await repos.bridges.link(-1, -2, members_max=3)
    await repos.bridges.link(-1, -3, members_max=3)
    with pytest.raises(LimitReached) as refused:
        await repos.bridges.link(-2, -4, members_max=3)
    assert refused.value.limit == 3
    assert await repos.bridges.bridge_of(-4) is None
    full = await repos.bridges.get(bridge.id)
    assert full is not None and member_ids(full) == [-1, -2, -3]


async def test_concurrent_joins_never_pass_the_bridge_limit(db: Database) -> None:
    repos = repositories(db)
    await make_chats(repos.chats, -1, -2, *range(-10, -3))
    await repos.bridges.link(-1, -2)
    outcomes = await asyncio.gather(
        *(repos.bridges.link(-1, chat, members_max=4) for chat in range(-10, -3)), return_exceptions=True
    )
    assert sum(isinstance(o, Bridge) for o in outcomes) == 2
    assert sum(isinstance(o, LimitReached) for o in outcomes) == 5
    bridge = await repos.bridges.bridge_of(-1)
    assert bridge is not None and len(bridge.members) == 4


# -- migration 0017 ------------------------------------------------------------------------------------


def _link_codes_only(name: str | None, type_: str, *_: object) -> bool:
    return type_ != "table" or name == "link_codes"


def _link_codes_drift(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "include_name": _link_codes_only,
            "include_object": lambda obj, name, type_, *rest: _link_codes_only(name, type_),
        },
    )
    return list(compare_metadata(context, Base.metadata))


def _link_code_columns(conn: Connection) -> set[str]:
    return {column["name"] for column in inspect(conn).get_columns("link_codes")}


async def test_migration_0017_matches_the_models_spends_used_codes_and_downgrades(db: Database) -> None:
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_link_codes_drift) == []
    repos = repositories(db)
    await make_chats(repos.chats, -1, -2)
    await downgrade(db.engine, "0016")
    assert await current_revision(db.engine) == "0016"
    async with db.engine.connect() as conn:
        assert "uses_left" not in await conn.run_sync(_link_code_columns)
    now = utcnow()
    before = table(  # link_codes as 0016 left it (the model has a column more)
        "link_codes",
        column("code_hash"),
        column("chat_id"),
        column("created_at", UTCDateTime()),
        column("expires_at", UTCDateTime()),
        column("used_at", UTCDateTime()),
    )
    rows = [("a" * 64, now), ("b" * 64, None)]  # a used code and an open one, stored before 0017
    async with db.session() as session:
        for key, used_at in rows:
            values = {"code_hash": key, "chat_id": -1, "created_at": now, "expires_at": now + DAY, "used_at": used_at}
            await session.execute(insert(before).values(**values))
    await upgrade(db.engine)
    async with db.engine.connect() as conn:
        assert await conn.run_sync(_link_codes_drift) == []
    async with db.session() as session:
        left = {
            key: uses
            for key, uses in (await session.execute(select(LinkCodeRow.code_hash, LinkCodeRow.uses_left))).all()
        }
    assert left == {"a" * 64: 0, "b" * 64: 1}
    code = await repos.link_codes.create(-1, created_by=None, ttl=DAY, uses=2)
    assert await repos.link_codes.redeem(code, by_chat_id=-2) == -1
