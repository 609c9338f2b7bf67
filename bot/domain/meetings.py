"""The repository protocol of meetings (``/meet``): what bot/features/meetings.py needs of storage/meetings.py.

Kept apart from bot/domain/repositories.py (which lists it in ``Repositories``) so that module stays within the size
every product module keeps to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.records import Meeting, MeetingPost, MeetingVote, NewMeeting, Scope


class MeetingRepository(Protocol):
    """Meetings proposed with ``/meet``, their votes and their proposal messages (storage/meetings.py)."""

    async def add(self, new: NewMeeting, *, open_max: int, now: datetime) -> Meeting:
        """Store a proposal, numbered next in its scope. ``LimitReached`` when the scope has ``open_max`` proposals
        still open (proposed, with a slot not over at ``now``), counted under the scope's counter lock; ValueError
        for a duration, title, language or slots beyond the rules (bot/domain/rules.py)."""

    async def get(self, meeting_id: int) -> Meeting | None: ...

    async def numbered(self, scope: Scope, number: int) -> Meeting | None:
        """The scope's meeting #``number`` in any state; None when there is none."""

    async def upcoming(self, scope: Scope, now: datetime, *, limit: int) -> list[Meeting]:
        """The scope's confirmed meetings not over at ``now`` (soonest first), then its proposals with a slot not
        over (by number); at most ``limit``."""

    async def count_upcoming(self, scope: Scope, now: datetime) -> int:
        """How many ``upcoming`` would return without a limit."""

    async def confirm(self, meeting_id: int, slot: int) -> Meeting | None:
        """A proposal becomes confirmed at its slot ``slot``; None when it is no longer a proposal (decided
        meanwhile) or has no such slot."""

    async def cancel(self, meeting_id: int) -> Meeting | None:
        """A proposal or confirmed meeting becomes cancelled; None when it was cancelled already."""

    async def set_reminders(self, meeting_id: int, reminder_ids: Sequence[int]) -> bool:
        """Keep the ids of a confirmed meeting's reminders; False when it is no longer confirmed (cancelled
        meanwhile: the caller cancels them)."""

    async def vote(self, meeting_id: int, slot: int, user_id: int, chat_id: int) -> bool:
        """Toggle the person's vote for the slot: True when it is counted now, False when it was taken back.
        ValueError for a slot the meeting does not have, LookupError for an unknown meeting."""

    async def votes(self, meeting_id: int) -> list[MeetingVote]:
        """The meeting's votes, by slot and then in the order they were given."""

    async def add_post(self, post: MeetingPost) -> None:
        """Keep the proposal message of a meeting in a group (one per group: a second replaces the first)."""

    async def posts(self, meeting_id: int) -> list[MeetingPost]:
        """The meeting's proposal messages, by group."""

    async def confirmed(self, scope: Scope, after: datetime) -> list[Meeting]:
        """The scope's confirmed meetings that end after ``after``, soonest first (the calendar export)."""

    async def purge_past(self, before: datetime) -> int:
        """Forget the meetings (their votes and posts with them) whose time — the confirmed slot's end, else the
        last proposed slot's end — was over before ``before``; how many."""
