"""Every repository in memory, as one "database": each fake sees the others (as SQL tables see each other)
through the ``Memory`` that holds them.

Conventions every fake follows:

- it keeps the promises of its protocol in bot/domain/repositories.py and behaves as its storage/
  counterpart does (same records, same order, same errors: ``ValueError``, ``LookupError``,
  ``AlreadyBridged`` …), which the storage tests check by running against it too;
- instants it stamps itself come from ``memory.now()`` (real time by default, as storage's ``utcnow``, but
  strictly increasing);
- ids come from ``memory.next_id(table)``, counting from 1 per table;
- what forgetting or moving a group does (``ChatDataRepository``) is asked of each fake through the hooks
  below, each following what storage/chatdata.py does to that fake's tables:

  - ``_move_chat(old, new)``: rows that name chat ``old`` now name ``new``;
  - ``_rescope(old, new)``: rows of scope ``old`` now belong to scope ``new``;
  - ``_forget_chat(chat_id) -> dict[str, int]``: rows about the chat deleted (or made nameless), rows
    deleted per SQL table name;
  - ``_forget_scope(scope) -> dict[str, int]``: rows of the scope deleted, per SQL table name;

- what the database's foreign keys do when a row goes (ON DELETE CASCADE or SET NULL in storage/models.py)
  is asked of each fake through ``memory.cascade(hook, ids)``, with the hooks ``_bridges_deleted``,
  ``_chats_deleted``, ``_items_deleted``, ``_programmes_deleted`` and ``_indicators_deleted``: a fake whose
  table refers to those rows deletes its own (CASCADE) or clears the reference (SET NULL). The fake that
  deletes the rows calls ``cascade`` (bridges.leave an empty bridge, chat data forgetting a group …).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.domain.records import Scope
from bot.domain.repositories import Repositories
from tests.fakes.actions import FakeActionRepository, FakeProgrammeRepository
from tests.fakes.calendars import FakeCalendarRepository
from tests.fakes.chatdata import FakeChatDataRepository
from tests.fakes.chats import FakeBridgeRepository, FakeChatRepository
from tests.fakes.continuity import (
    FakeDecisionRepository,
    FakeEvidenceRepository,
    FakeHandoverRepository,
    FakeRosterRepository,
)
from tests.fakes.groups import (
    FakeApprovalRepository,
    FakeGlossaryRepository,
    FakeJoinRequestRepository,
    FakeLinkCodeRepository,
    FakePeopleRepository,
    FakeTranslationCacheRepository,
)
from tests.fakes.meetings import FakeMeetingRepository
from tests.fakes.monitoring import (
    FakeActivityRepository,
    FakeEventRepository,
    FakeIndicatorRepository,
    FakeReportRepository,
)
from tests.fakes.relay import FakeInboxRepository, FakeLeaseRepository, FakeMessageLinkRepository, FakeOutboxRepository
from tests.fakes.reminders import FakeReminderRepository, FakeReminderSettingsRepository


class ChatData(Protocol):
    """What a fake may do when a group is moved or forgotten (every hook is optional)."""

    def _move_chat(self, old: int, new: int) -> None: ...

    def _rescope(self, old: Scope, new: Scope) -> None: ...

    def _forget_chat(self, chat_id: int) -> dict[str, int]: ...

    def _forget_scope(self, scope: Scope) -> dict[str, int]: ...


class MemoryStore:
    """The ``Store`` of a Kembar in memory: nothing to migrate, always ready, nothing to close."""

    async def upgrade(self) -> None:
        return None

    async def ready(self) -> tuple[bool, str]:
        return True, "in memory"

    async def dispose(self) -> None:
        return None


class Memory:
    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = now
        self._last = datetime.min.replace(tzinfo=UTC)
        self._ids: dict[str, Iterator[int]] = {}
        self.chats = FakeChatRepository(self)
        self.calendars = FakeCalendarRepository(self)
        self.bridges = FakeBridgeRepository(self)
        self.people = FakePeopleRepository(self)
        self.approvals = FakeApprovalRepository(self)
        self.link_codes = FakeLinkCodeRepository(self)
        self.join_requests = FakeJoinRequestRepository(self)
        self.glossary = FakeGlossaryRepository(self)
        self.translation_cache = FakeTranslationCacheRepository(self)
        self.message_links = FakeMessageLinkRepository(self)
        self.outbox = FakeOutboxRepository(self)
        self.inbox = FakeInboxRepository(self)
        self.leases = FakeLeaseRepository(self)
        self.actions = FakeActionRepository(self)
        self.programmes = FakeProgrammeRepository(self)
        self.reminders = FakeReminderRepository(self)
        self.reminder_settings = FakeReminderSettingsRepository(self)
        self.indicators = FakeIndicatorRepository(self)
        self.events = FakeEventRepository(self)
        self.activity = FakeActivityRepository(self)
        self.reports = FakeReportRepository(self)
        self.meetings = FakeMeetingRepository(self)
        self.decisions = FakeDecisionRepository(self)
        self.evidence = FakeEvidenceRepository(self)
        self.roster = FakeRosterRepository(self)
        self.handover = FakeHandoverRepository(self)
        self.chat_data = FakeChatDataRepository(self)

    def now(self) -> datetime:
        """The instant of a write: the clock's, but always after the previous one (a database's clock may
        give two writes the same instant; tests that order by time must not depend on that luck)."""
        self._last = max(self._clock(), self._last + timedelta(microseconds=1))
        return self._last

    def next_id(self, table: str) -> int:
        """The next id of ``table`` (1, 2, 3 …; never reused, like the database's sequences)."""
        return next(self._ids.setdefault(table, itertools.count(1)))

    def cascade(self, hook: str, ids: Collection[int]) -> None:
        """Rows were deleted: every fake with ``hook`` does what its foreign keys do (see above)."""
        if not ids:
            return
        for fake in self.fakes():
            react = getattr(fake, hook, None)
            if react is not None:
                react(set(ids))

    def each(self, hook: str, *args: object) -> dict[str, int]:
        """Ask every fake with ``hook`` (a chat data hook); the rows per table they report, added up."""
        counts: dict[str, int] = {}
        for fake in self.fakes():
            act = getattr(fake, hook, None)
            if act is None:
                continue
            for table, count in (act(*args) or {}).items():
                counts[table] = counts.get(table, 0) + count
        return counts

    def fakes(self) -> list[object]:
        """Every fake repository except the chat data one (the hooks above are asked of these)."""
        return [
            self.chats,
            self.calendars,
            self.bridges,
            self.people,
            self.approvals,
            self.link_codes,
            self.join_requests,
            self.glossary,
            self.translation_cache,
            self.message_links,
            self.outbox,
            self.inbox,
            self.leases,
            self.actions,
            self.programmes,
            self.reminders,
            self.reminder_settings,
            self.indicators,
            self.events,
            self.activity,
            self.reports,
            self.meetings,
            self.decisions,
            self.evidence,
            self.roster,
            self.handover,
        ]

    def repositories(self) -> Repositories:
        return Repositories(
            chats=self.chats,
            calendars=self.calendars,
            bridges=self.bridges,
            people=self.people,
            chat_data=self.chat_data,
            approvals=self.approvals,
            link_codes=self.link_codes,
            join_requests=self.join_requests,
            glossary=self.glossary,
            translation_cache=self.translation_cache,
            message_links=self.message_links,
            outbox=self.outbox,
            inbox=self.inbox,
            leases=self.leases,
            actions=self.actions,
            programmes=self.programmes,
            reminders=self.reminders,
            reminder_settings=self.reminder_settings,
            indicators=self.indicators,
            events=self.events,
            activity=self.activity,
            reports=self.reports,
            meetings=self.meetings,
            decisions=self.decisions,
            evidence=self.evidence,
            roster=self.roster,
            handover=self.handover,
        )
