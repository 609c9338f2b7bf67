"""People, operator approvals, link codes, join requests, the glossary and the translation cache in memory
(storage/people.py, approvals.py, linkcodes.py, joinrequests.py, glossary.py, translation_cache.py)."""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain.errors import CodeNotFound
from bot.domain.records import GlossaryEntry, JoinRequest
from bot.domain.rules import LINK_CODE_TTL
from storage.glossary import checked_term, term_key
from storage.linkcodes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    _is_well_formed,
    check_redeemable,
    check_uses,
    format_code,
    hash_code,
    normalise_code,
)
from storage.people import MAX_USERNAME_LENGTH
from storage.translation_cache import AUTO_SOURCE, normalise_text, text_hash

if TYPE_CHECKING:
    from tests.fakes.memory import Memory

_CREATE_ATTEMPTS = 3  # as storage.linkcodes


# -- people ----------------------------------------------------------------------------------------------


@dataclass
class _Person:
    username: str | None
    seen_at: datetime


class FakePeopleRepository:
    """Not about chats: neither moved nor forgotten with a group."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, _Person] = {}

    async def seen(self, user_id: int, username: str | None) -> None:
        name = username.casefold()[:MAX_USERNAME_LENGTH] if username else None
        if name is not None:  # whoever had the username before no longer does
            for person_id, person in self.rows.items():
                if person.username == name and person_id != user_id:
                    person.username = None
        self.rows[user_id] = _Person(username=name, seen_at=self.memory.now())

    async def by_username(self, username: str) -> int | None:
        wanted = username.casefold()
        return next((person_id for person_id, p in self.rows.items() if p.username == wanted), None)

    async def forget_unseen(self, before: datetime) -> int:
        gone = [person_id for person_id, person in self.rows.items() if person.seen_at < before]
        for person_id in gone:
            del self.rows[person_id]
        return len(gone)


# -- approvals ---------------------------------------------------------------------------------------------


class FakeApprovalRepository:
    """``approved_chats`` has no foreign key: it moves with a chat and is deleted when the chat is forgotten."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, datetime] = {}  # chat id → approved_at

    async def approve(self, chat_id: int) -> None:
        self.rows.setdefault(chat_id, self.memory.now())  # approving again changes nothing

    async def revoke(self, chat_id: int) -> bool:
        return self.rows.pop(chat_id, None) is not None

    async def is_approved(self, chat_id: int) -> bool:
        return chat_id in self.rows

    async def all(self) -> builtins.list[int]:
        return sorted(self.rows)

    def _move_chat(self, old: int, new: int) -> None:
        if old in self.rows:  # the old group's approval replaces whatever the new one got
            self.rows[new] = self.rows.pop(old)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        return {"approved_chats": int(self.rows.pop(chat_id, None) is not None)}


# -- link codes --------------------------------------------------------------------------------------------


@dataclass
class _LinkCode:
    chat_id: int
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None  # set when the last use is taken
    used_by_chat: int | None = None  # the group that took the latest use
    uses_left: int = 1


class FakeLinkCodeRepository:
    """Stored by hash only, as storage does. ``chat_id`` refers to chats (ON DELETE CASCADE); ``used_by_chat``
    is a plain column (cleared when that chat is forgotten, not moved with it)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[str, _LinkCode] = {}  # code hash → code

    async def create(
        self, chat_id: int, created_by: int | None, ttl: timedelta = LINK_CODE_TTL, *, uses: int = 1
    ) -> str:
        if ttl <= timedelta(0):
            raise ValueError("a link code needs a positive lifetime")
        check_uses(uses)
        for _ in range(_CREATE_ATTEMPTS):
            normal = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if not self.memory.chats.known(chat_id):
                raise LookupError(f"chat {chat_id} is not known")
            key = hash_code(normal)
            if key in self.rows:  # a 2**-50 collision with a stored code
                continue
            now = self.memory.now()
            self.rows[key] = _LinkCode(
                chat_id=chat_id, created_by=created_by, created_at=now, expires_at=now + ttl, uses_left=uses
            )
            return format_code(normal)
        raise RuntimeError("could not store a new link code")

    async def redeem(self, code: str, by_chat_id: int, now: datetime | None = None) -> int:
        now = now or self.memory.now()
        normal = normalise_code(code)
        if not _is_well_formed(normal):
            raise CodeNotFound("no such link code")
        row = self.rows.get(hash_code(normal))
        if row is None:
            raise CodeNotFound("no such link code")
        check_redeemable(row.chat_id, row.used_at, row.expires_at, by_chat_id, now)
        row.uses_left -= 1  # no await since the check: nothing runs in between, as storage's conditional update
        row.used_by_chat = by_chat_id
        if row.uses_left == 0:
            row.used_at = now
        return row.chat_id

    async def revoke_code(self, code: str, now: datetime | None = None) -> bool:
        now = now or self.memory.now()
        row = self.rows.get(hash_code(code))
        if row is None or row.used_at is not None:
            return False
        row.expires_at = now  # as storage: an unused code that had expired already counts too
        return True

    async def revoke(self, chat_id: int, now: datetime | None = None) -> int:
        now = now or self.memory.now()
        open_codes = [
            row for row in self.rows.values() if row.chat_id == chat_id and row.used_at is None and row.expires_at > now
        ]
        for row in open_codes:
            row.expires_at = now
        return len(open_codes)

    async def purge_expired(self, now: datetime | None = None) -> int:
        now = now or self.memory.now()
        expired = [key for key, row in self.rows.items() if row.expires_at <= now]
        for key in expired:
            del self.rows[key]
        return len(expired)

    def _move_chat(self, old: int, new: int) -> None:
        for row in self.rows.values():  # only the issuing chat moves; ``used_by_chat`` stays as it was
            if row.chat_id == old:
                row.chat_id = new

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        issued = [key for key, row in self.rows.items() if row.chat_id == chat_id]
        for key in issued:
            del self.rows[key]
        for row in self.rows.values():
            if row.used_by_chat == chat_id:
                row.used_by_chat = None
        return {"link_codes": len(issued)}

    def _chats_deleted(self, chat_ids: set[int]) -> None:
        for key in [key for key, row in self.rows.items() if row.chat_id in chat_ids]:
            del self.rows[key]


# -- join requests -----------------------------------------------------------------------------------------


@dataclass
class _JoinRequestRow:
    id: int
    issuer_chat_id: int
    requester_chat_id: int
    requested_by: int | None
    state: str
    created_at: datetime
    expires_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None

    def record(self) -> JoinRequest:
        return JoinRequest(
            id=self.id,
            issuer_chat_id=self.issuer_chat_id,
            requester_chat_id=self.requester_chat_id,
            requested_by=self.requested_by,
            state=self.state,
            created_at=self.created_at,
            expires_at=self.expires_at,
        )


class FakeJoinRequestRepository:
    """Both chats refer to chats (ON DELETE CASCADE)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, _JoinRequestRow] = {}

    async def create(self, issuer: int, requester: int, requested_by: int | None, ttl: timedelta) -> JoinRequest:
        for chat_id in (issuer, requester):
            if not self.memory.chats.known(chat_id):  # storage: the foreign key's IntegrityError
                raise LookupError(f"chat {chat_id} is not known")
        now = self.memory.now()
        row = _JoinRequestRow(
            id=self.memory.next_id("join_requests"),
            issuer_chat_id=issuer,
            requester_chat_id=requester,
            requested_by=requested_by,
            state=JoinRequest.PENDING,
            created_at=now,
            expires_at=now + ttl,
        )
        self.rows[row.id] = row
        return row.record()

    async def get(self, request_id: int) -> JoinRequest | None:
        row = self.rows.get(request_id)
        return row.record() if row is not None else None

    async def decide(self, request_id: int, state: str, by: int | None, now: datetime | None = None) -> bool:
        if state not in (JoinRequest.APPROVED, JoinRequest.DECLINED):
            raise ValueError(f"a decision is {JoinRequest.APPROVED} or {JoinRequest.DECLINED}, not {state!r}")
        now = now or self.memory.now()
        row = self.rows.get(request_id)
        if row is None or row.state != JoinRequest.PENDING or row.expires_at <= now:
            return False
        row.state, row.decided_by, row.decided_at = state, by, now
        return True

    async def revoke(self, issuer: int, now: datetime | None = None) -> int:
        now = now or self.memory.now()
        pending = [r for r in self.rows.values() if r.issuer_chat_id == issuer and r.state == JoinRequest.PENDING]
        for row in pending:  # expired or not
            row.state, row.decided_at = JoinRequest.REVOKED, now
        return len(pending)

    async def purge_finished(self, before: datetime) -> int:
        finished = [
            request_id
            for request_id, row in self.rows.items()
            if (row.state != JoinRequest.PENDING or row.expires_at <= before)
            and (row.decided_at is None or row.decided_at < before)
        ]
        for request_id in finished:
            del self.rows[request_id]
        return len(finished)

    def _move_chat(self, old: int, new: int) -> None:
        for row in self.rows.values():
            if row.issuer_chat_id == old:
                row.issuer_chat_id = new
            if row.requester_chat_id == old:
                row.requester_chat_id = new

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        before = len(self.rows)
        self._chats_deleted({chat_id})
        return {"join_requests": before - len(self.rows)}

    def _chats_deleted(self, chat_ids: set[int]) -> None:
        for request_id in [
            request_id
            for request_id, row in self.rows.items()
            if row.issuer_chat_id in chat_ids or row.requester_chat_id in chat_ids
        ]:
            del self.rows[request_id]


# -- glossary ----------------------------------------------------------------------------------------------


@dataclass
class _Term:
    term: str
    renderings: dict[str, str]
    created_at: datetime
    updated_at: datetime


class FakeGlossaryRepository:
    """Terms of a bridge (``bridge_id`` refers to bridges, ON DELETE CASCADE)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[tuple[int, str], _Term] = {}  # (bridge id, term key) → term

    async def add(self, bridge_id: int, term: str, renderings: Mapping[str, str]) -> GlossaryEntry:
        shown, key, values = checked_term(term, renderings)
        if bridge_id not in self.memory.bridges.created:  # storage: the foreign key refuses it
            raise LookupError(f"bridge {bridge_id} is not known")
        now = self.memory.now()
        stored = self.rows.get((bridge_id, key))
        created = stored.created_at if stored is not None else now
        self.rows[(bridge_id, key)] = _Term(term=shown, renderings=dict(values), created_at=created, updated_at=now)
        return GlossaryEntry(term=shown, renderings=values)

    async def remove(self, bridge_id: int, term: str) -> bool:
        return self.rows.pop((bridge_id, term_key(term)), None) is not None

    async def list(self, bridge_id: int) -> builtins.list[GlossaryEntry]:
        return [
            GlossaryEntry(term=row.term, renderings=dict(row.renderings))
            for (bid, _key), row in sorted(self.rows.items())
            if bid == bridge_id
        ]

    async def as_mapping(self, bridge_id: int) -> dict[str, dict[str, str]]:
        return {entry.term: entry.renderings for entry in await self.list(bridge_id)}

    def _bridges_deleted(self, bridge_ids: set[int]) -> None:
        for key in [key for key in self.rows if key[0] in bridge_ids]:
            del self.rows[key]


# -- translation cache -------------------------------------------------------------------------------------


@dataclass
class _Translation:
    text: str
    translation: str
    created_at: datetime
    bridge_id: int | None


class FakeTranslationCacheRepository:
    """Translations, each saying the bridge it was stored for; ``marks``: (chat id, bridge id) → when the
    group was last marked as one whose texts that bridge's entries may hold (``translation_cache_chats``).
    A moved group's marks follow it; forgetting a group is ``_forget_translations``, asked by the chat data
    fake (tests/fakes/chatdata.py), which knows the bridges."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[tuple[str, str, str, str], _Translation] = {}  # (provider, source, target, hash) → …
        self.marks: dict[tuple[int, int], datetime] = {}

    async def get_many(self, provider: str, source: str | None, target: str, texts: Sequence[str]) -> dict[str, str]:
        hashes = {text: text_hash(text) for text in texts}
        found = {
            text: row.translation
            for text, key in hashes.items()
            if (row := self.rows.get((provider, source or AUTO_SOURCE, target, key))) is not None
        }
        return found

    async def purge(self, before: datetime, keep_at_most: int) -> int:
        old = [key for key, row in self.rows.items() if row.created_at < before]
        for key in old:
            del self.rows[key]
        self._unmark(lambda at: at < before)
        removed = len(old)
        newest_first = sorted((row.created_at for row in self.rows.values()), reverse=True)
        offset = max(keep_at_most, 0)  # SQLite reads a negative OFFSET as 0 (PostgreSQL refuses it)
        if offset < len(newest_first):  # the oldest beyond the limit, and every one as old as the cut-off
            cutoff = newest_first[offset]
            beyond = [key for key, row in self.rows.items() if row.created_at <= cutoff]
            for key in beyond:
                del self.rows[key]
            self._unmark(lambda at: at <= cutoff)
            removed += len(beyond)
        return removed

    def _unmark(self, old: Callable[[datetime], bool]) -> None:
        for key in [key for key, at in self.marks.items() if old(at)]:
            del self.marks[key]

    async def put_many(
        self, provider: str, source: str | None, target: str, bridge_id: int | None, pairs: Mapping[str, str]
    ) -> None:
        if not pairs:
            return
        now = self.memory.now()
        for text, translation in pairs.items():
            key = (provider, source or AUTO_SOURCE, target, text_hash(text))
            self.rows[key] = _Translation(normalise_text(text), translation, now, bridge_id)
        if bridge_id is not None:
            for chat_id, (member_of, _joined) in self.memory.bridges.membership.items():
                if member_of == bridge_id:
                    self.marks[(chat_id, bridge_id)] = now

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        for (chat_id, bridge_id), at in sorted(self.marks.items()):
            if chat_id == old:
                del self.marks[(chat_id, bridge_id)]
                self.marks[(new, bridge_id)] = max(at, self.marks.get((new, bridge_id), at))

    def _forget_translations(self, chat_id: int, bridge_ids: Collection[int]) -> dict[str, int]:
        """The entries of ``bridge_ids`` and of no bridge, the chat's marks and those of ``bridge_ids``."""
        entries = [key for key, row in self.rows.items() if row.bridge_id is None or row.bridge_id in bridge_ids]
        for key in entries:
            del self.rows[key]
        marks = [mark for mark in self.marks if mark[0] == chat_id or mark[1] in bridge_ids]
        for mark in marks:
            del self.marks[mark]
        return {"translation_cache": len(entries), "translation_cache_chats": len(marks)}
