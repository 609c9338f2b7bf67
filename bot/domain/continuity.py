"""Continuity when people change (``/brief``, ``/decision``, ``/evidence``, ``/handover``, ``/welcome``): the records
and repository protocols bot/features/decisions.py, evidence.py, handover.py and brief.py need of storage/continuity.py.

Kept apart from bot/domain/records.py and bot/domain/repositories.py (which lists these in ``Repositories``) so those
modules stay within the size every product module keeps to.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.records import Indicator, Reminder, Scope

EVIDENCE_KINDS = ("photo", "video", "document")


@dataclass(frozen=True, slots=True)
class NewDecision:
    """A decision of a scope (``/decision``): its text as said, in its language, with who, city and when."""

    scope: Scope
    chat_id: int
    user_id: int | None
    by: str  # how the person was named when they said it
    city: str  # the group's label then
    text: str
    language: str
    programme: str | None = None  # the programme's name as stored (a #tag), when tagged
    message_id: int | None = None  # the message that states it, in ``chat_id`` (a reply to it)


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    scope: Scope
    number: int  # 1, 2, … per scope
    chat_id: int | None  # the group it was said in (a forgotten group's decisions go with it: ``/forget``)
    user_id: int | None
    by: str
    city: str
    text: str
    language: str
    programme: str | None
    message_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewEvidence:
    """A photo, video or document posted in a group as evidence of a programme: Telegram's file id (the file itself
    stays in Telegram), its caption as posted, who, city and when."""

    scope: Scope
    chat_id: int
    message_id: int
    user_id: int | None
    by: str
    city: str
    kind: str  # one of EVIDENCE_KINDS
    file_id: str
    file_unique_id: str
    programme: str
    language: str  # of the caption (or of the group when it has none)
    file_name: str | None = None
    file_size: int | None = None
    caption: str | None = None
    note: str | None = None  # what ``/evidence #tag <note>`` added


@dataclass(frozen=True, slots=True)
class Evidence:
    id: int
    scope: Scope
    number: int  # 1, 2, … per scope
    chat_id: int
    message_id: int
    user_id: int | None
    by: str
    city: str
    kind: str
    file_id: str
    file_unique_id: str
    programme: str
    language: str
    file_name: str | None
    file_size: int | None
    caption: str | None
    note: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SeenPerson:
    """Someone seen posting (or pressing) in a group: their Telegram user id, how they were named, when last."""

    chat_id: int
    user_id: int
    name: str
    username: str | None
    seen_at: datetime


class DecisionRepository(Protocol):
    """Decisions of a scope (storage/continuity.py)."""

    async def add(self, new: NewDecision, *, kept_max: int) -> Decision:
        """Store a decision, numbered next in its scope. ``LimitReached`` when the scope keeps ``kept_max`` already;
        ValueError for a text, name, city or language beyond the rules (bot/domain/rules.py)."""

    async def numbered(self, scope: Scope, number: int) -> Decision | None: ...

    async def page(
        self,
        scope: Scope,
        *,
        programme: str | None = None,
        since: datetime | None = None,
        offset: int = 0,
        limit: int,
    ) -> builtins.list[Decision]:
        """The scope's decisions (of ``programme``, compared case-insensitively; made at or after ``since``),
        newest first, ``limit`` of them from ``offset``."""

    async def count(self, scope: Scope, *, programme: str | None = None, since: datetime | None = None) -> int:
        """How many ``page`` would return without offset and limit."""


class EvidenceRepository(Protocol):
    """Evidence of a scope's programmes (storage/continuity.py)."""

    async def add(self, new: NewEvidence, *, kept_max: int) -> tuple[Evidence, bool]:
        """Store evidence, numbered next in its scope: (it, True); a message recorded already (same chat and message
        id): (the stored one, False), unchanged. ``LimitReached`` when the scope keeps ``kept_max`` already;
        ValueError for a kind, caption, note, name or file beyond the rules."""

    async def numbered(self, scope: Scope, number: int) -> Evidence | None: ...

    async def page(
        self, scope: Scope, *, programme: str | None = None, offset: int = 0, limit: int
    ) -> builtins.list[Evidence]:
        """The scope's evidence (of ``programme``, case-insensitive), newest first, ``limit`` of them from
        ``offset``."""

    async def count(self, scope: Scope, *, programme: str | None = None) -> int: ...

    async def counts(
        self, scope: Scope, *, start: datetime | None = None, end: datetime | None = None
    ) -> dict[str, int]:
        """How much evidence each programme of the scope has (recorded from ``start`` inclusive to ``end``
        exclusive, when given), by programme name as stored."""


class RosterRepository(Protocol):
    """Who was seen in which group, and when last (storage/continuity.py): the people a handover may go to, the
    brief's "who is who", the bridges a person's private ``/brief`` covers."""

    async def seen_many(self, people: Sequence[SeenPerson]) -> None:
        """Remember each (group, person) with its name and instant; a later instant replaces an earlier one."""

    async def get(self, chat_id: int, user_id: int) -> SeenPerson | None: ...

    async def recent(
        self, chat_ids: Collection[int], *, since: datetime | None = None, limit: int
    ) -> builtins.list[SeenPerson]:
        """The people seen in these groups (at or after ``since``), the latest first, at most ``limit``."""

    async def chats_of(self, user_id: int) -> builtins.list[int]:
        """The groups the person was seen in."""

    async def gone(self, chat_id: int, user_id: int) -> None:
        """The person left the group: no longer among its people."""

    async def purge(self, before: datetime) -> int:
        """Forget who was last seen before ``before``; how many."""


class HandoverRepository(Protocol):
    """What a person holds in a scope besides action items, and moving it to another (storage/continuity.py)."""

    async def reminders_of(self, scope: Scope, user_id: int) -> builtins.list[Reminder]:
        """The scope's pending numbered reminders the person set (``/remind``), by number."""

    async def reassign_reminders(self, scope: Scope, old: int, new: int) -> int:
        """Those reminders are the new person's now; how many."""

    async def indicators_of(self, scope: Scope, user_id: int) -> builtins.list[Indicator]:
        """The scope's indicators the person created (and keeps up to date), by programme and name."""

    async def reassign_indicators(self, scope: Scope, old: int, new: int) -> int:
        """Those indicators are the new person's now; how many."""

    async def welcome(self, chat_id: int) -> bool:
        """Whether the group greets newcomers (``/welcome``; off unless set)."""

    async def set_welcome(self, chat_id: int, on: bool) -> None: ...
