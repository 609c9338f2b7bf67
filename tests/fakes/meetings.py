"""Meetings, their votes and proposal messages in memory (storage/meetings.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.domain.errors import LimitReached
from bot.domain.records import Meeting, MeetingPost, MeetingVote, NewMeeting, Scope
from storage.meetings import checked_meeting, span

if TYPE_CHECKING:
    from tests.fakes.memory import Memory


class FakeMeetingRepository:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, Meeting] = {}
        self.counters: dict[Scope, int] = {}
        self.kept_votes: list[tuple[int, MeetingVote]] = []  # (order given, vote)
        self.kept_posts: dict[tuple[int, int], MeetingPost] = {}

    def _ends(self, meeting: Meeting) -> datetime:
        return span(meeting, meeting.confirmed_slot if meeting.state == "confirmed" else None)[1]

    def _starts(self, meeting: Meeting) -> datetime:
        return span(meeting, meeting.confirmed_slot if meeting.state == "confirmed" else None)[0]

    async def add(self, new: NewMeeting, *, open_max: int, now: datetime) -> Meeting:
        new = checked_meeting(new)
        number = self.counters.get(new.scope, 0) + 1
        open_now = [m for m in self.rows.values() if m.scope == new.scope and m.state == "proposed"]
        if len([m for m in open_now if self._ends(m) > now]) >= open_max:
            raise LimitReached(open_max)
        self.counters[new.scope] = number
        meeting = Meeting(
            id=self.memory.next_id("meetings"),
            scope=new.scope,
            number=number,
            chat_id=new.chat_id,
            created_by=new.created_by,
            duration_minutes=new.duration_minutes,
            title=new.title,
            language=new.language,
            slots=tuple(slot.astimezone(UTC) for slot in new.slots),
            state="proposed",
            confirmed_slot=None,
            created_at=self.memory.now(),
        )
        self.rows[meeting.id] = meeting
        return meeting

    async def get(self, meeting_id: int) -> Meeting | None:
        return self.rows.get(meeting_id)

    async def numbered(self, scope: Scope, number: int) -> Meeting | None:
        return next((m for m in self.rows.values() if m.scope == scope and m.number == number), None)

    def _upcoming(self, scope: Scope, now: datetime) -> list[Meeting]:
        mine = [m for m in self.rows.values() if m.scope == scope and self._ends(m) > now]
        confirmed = sorted((m for m in mine if m.state == "confirmed"), key=lambda m: (self._starts(m), m.number))
        return confirmed + sorted((m for m in mine if m.state == "proposed"), key=lambda m: m.number)

    async def upcoming(self, scope: Scope, now: datetime, *, limit: int) -> list[Meeting]:
        return self._upcoming(scope, now)[: max(0, limit)]

    async def count_upcoming(self, scope: Scope, now: datetime) -> int:
        return len(self._upcoming(scope, now))

    async def confirm(self, meeting_id: int, slot: int) -> Meeting | None:
        meeting = self.rows.get(meeting_id)
        if meeting is None or meeting.state != "proposed" or not 0 <= slot < len(meeting.slots):
            return None
        self.rows[meeting_id] = replace(meeting, state="confirmed", confirmed_slot=slot)
        return self.rows[meeting_id]

    async def cancel(self, meeting_id: int) -> Meeting | None:
        meeting = self.rows.get(meeting_id)
        if meeting is None or meeting.state not in ("proposed", "confirmed"):
            return None
        self.rows[meeting_id] = replace(meeting, state="cancelled")
        return self.rows[meeting_id]

    async def set_reminders(self, meeting_id: int, reminder_ids: Sequence[int]) -> bool:
        meeting = self.rows.get(meeting_id)
        if meeting is None or meeting.state != "confirmed":
            return False
        self.rows[meeting_id] = replace(meeting, reminder_ids=tuple(int(i) for i in reminder_ids))
        return True

    async def vote(self, meeting_id: int, slot: int, user_id: int, chat_id: int) -> bool:
        for index, (_, vote) in enumerate(self.kept_votes):
            if (vote.meeting_id, vote.slot, vote.user_id) == (meeting_id, slot, user_id):
                del self.kept_votes[index]
                return False
        meeting = self.rows.get(meeting_id)
        if meeting is None:
            raise LookupError(f"meeting {meeting_id} is not known")
        if not 0 <= slot < len(meeting.slots):
            raise ValueError(f"meeting {meeting_id} has no slot {slot}")
        self.kept_votes.append((self.memory.next_id("meeting_votes"), MeetingVote(meeting_id, slot, user_id, chat_id)))
        return True

    async def votes(self, meeting_id: int) -> list[MeetingVote]:
        mine = sorted((v.slot, order, v) for order, v in self.kept_votes if v.meeting_id == meeting_id)
        return [vote for _, _, vote in mine]

    async def add_post(self, post: MeetingPost) -> None:
        self.kept_posts[(post.meeting_id, post.chat_id)] = post

    async def posts(self, meeting_id: int) -> list[MeetingPost]:
        return sorted((p for p in self.kept_posts.values() if p.meeting_id == meeting_id), key=lambda p: p.chat_id)

    async def confirmed(self, scope: Scope, after: datetime) -> list[Meeting]:
        found = [m for m in self.rows.values() if m.scope == scope and m.state == "confirmed" and self._ends(m) > after]
        return sorted(found, key=lambda m: (self._starts(m), m.number))

    async def purge_past(self, before: datetime) -> int:
        return self._delete({m.id for m in self.rows.values() if self._ends(m) < before})

    def _delete(self, ids: set[int]) -> int:
        """Delete these meetings, their votes and posts with them (ON DELETE CASCADE); how many meetings."""
        for meeting_id in ids:
            del self.rows[meeting_id]
        self.kept_votes = [(order, v) for order, v in self.kept_votes if v.meeting_id not in ids]
        self.kept_posts = {key: p for key, p in self.kept_posts.items() if p.meeting_id not in ids}
        return len(ids)

    # ---- what storage/chatdata.py does to these tables -------------------------------------------------------
    def _move_chat(self, old: int, new: int) -> None:
        for meeting in [m for m in self.rows.values() if m.chat_id == old]:
            self.rows[meeting.id] = replace(meeting, chat_id=new)
        self.kept_votes = [(o, replace(v, chat_id=new) if v.chat_id == old else v) for o, v in self.kept_votes]
        self.kept_posts = {key: p for key, p in self.kept_posts.items() if p.chat_id != old}

    def _rescope(self, old: Scope, new: Scope) -> None:
        if old == new:
            return
        if old in self.counters and new in self.counters:  # storage: meeting_counters' primary key
            raise ValueError(f"scope {new} has meetings of its own; {old}'s cannot move there")
        for meeting in [m for m in self.rows.values() if m.scope == old]:
            self.rows[meeting.id] = replace(meeting, scope=new)
        if old in self.counters:
            self.counters[new] = self.counters.pop(old)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        votes = len([v for _, v in self.kept_votes if v.chat_id == chat_id])
        self.kept_votes = [(o, v) for o, v in self.kept_votes if v.chat_id != chat_id]
        posts = len([p for p in self.kept_posts.values() if p.chat_id == chat_id])
        self.kept_posts = {key: p for key, p in self.kept_posts.items() if p.chat_id != chat_id}
        for meeting in [m for m in self.rows.values() if m.chat_id == chat_id]:
            self.rows[meeting.id] = replace(meeting, chat_id=None, created_by=None)
        return {"meeting_votes": votes, "meeting_posts": posts}

    def _forget_scope(self, scope: Scope) -> dict[str, int]:
        deleted = self._delete({m.id for m in self.rows.values() if m.scope == scope})
        counters = 1 if self.counters.pop(scope, None) is not None else 0
        return {"meetings": deleted, "meeting_counters": counters}
