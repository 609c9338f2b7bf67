"""Message links, the outbox, the inbox and delivery leases in memory (storage/messagelinks.py, outbox.py,
inbox.py, cluster.py).

Who is alive (``Liveness``): storage asks PostgreSQL (the instances' advisory locks) and, on SQLite, takes
everything not held by ``me`` for an earlier run of it. In memory:

- ``shared=False``: as on SQLite, a holder other than ``live.me`` (or no holder) is gone;
- ``shared=True``: the instances alive are ``memory.leases.alive`` (a set of instance ids the test fills in,
  as starting and stopping instances does on PostgreSQL), and ``live.me`` itself (an instance that asks is
  running). A holder that is in neither is gone.

``gone(memory, live, holder)`` below is that rule, for any fake that takes over a gone instance's work.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain.records import InboxItem, Liveness, MessageLink, NewRelayJob, RelayJob

if TYPE_CHECKING:
    from tests.fakes.memory import Memory

PENDING, DONE, FAILED = "pending", "done", "failed"
STATES = (PENDING, DONE, FAILED)
STARTED, ABANDONED, QUARANTINED = "started", "abandoned", "quarantined"
MAX_FAILED_ERROR_LENGTH = 500  # storage/outbox.py mark_failed
MAX_QUARANTINE_ERROR_LENGTH = 1000  # storage/inbox.py

_Key = tuple[int, int, int, int]


def gone(memory: Memory, live: Liveness, holder: str | None) -> bool:
    """True when ``holder`` names no live instance (or nobody), as storage.cluster.gone tells in SQL."""
    if holder is None:
        return True
    if live.shared:
        return holder != live.me and holder not in memory.leases.alive
    return holder != live.me


def _json(value: Any) -> Any:
    """What a JSON column gives back for ``value`` (a copy: what is stored is not the caller's object)."""
    return json.loads(json.dumps(value))


def _key(job: NewRelayJob | RelayJob) -> _Key:
    return (job.src_chat_id, job.src_message_id, job.dst_chat_id, job.version)


class FakeMessageLinkRepository:
    """Links in insertion (id) order, unique per (src chat, src message, dst chat, dst message)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[MessageLink, tuple[int, datetime]] = {}  # link → (id, created_at)

    def insert(self, links: Iterable[MessageLink]) -> None:
        """Store links, ignoring ones stored already (``add_many``, and ``complete`` of the outbox)."""
        now = self.memory.now()
        for link in dict.fromkeys(links):
            if link not in self.rows:
                self.rows[link] = (self.memory.next_id("message_links"), now)

    async def add_many(self, links: Iterable[MessageLink]) -> None:
        self.insert(links)

    async def purge_older(self, before: datetime) -> int:
        old = [link for link, (_id, created) in self.rows.items() if created < before]
        for link in old:
            del self.rows[link]
        return len(old)

    async def copies_of(self, src_chat_id: int, src_message_id: int) -> list[MessageLink]:
        return sorted(
            (link for link in self.rows if (link.src_chat_id, link.src_message_id) == (src_chat_id, src_message_id)),
            key=lambda link: (link.dst_chat_id, link.dst_message_id),
        )

    async def resolve_reply(self, chat_id: int, message_id: int, dst_chat_id: int) -> int | None:
        if chat_id == dst_chat_id:
            return message_id
        original = self._original_of(chat_id, message_id)
        if original is None:
            return self._first_copy(chat_id, message_id, dst_chat_id)
        src_chat_id, src_message_id = original
        if src_chat_id == dst_chat_id:
            return src_message_id
        return self._first_copy(src_chat_id, src_message_id, dst_chat_id)

    def _original_of(self, chat_id: int, message_id: int) -> tuple[int, int] | None:
        for link in self.rows:  # in id order: the first stored wins, as storage's ORDER BY id LIMIT 1
            if (link.dst_chat_id, link.dst_message_id) == (chat_id, message_id):
                return link.src_chat_id, link.src_message_id
        return None

    def _first_copy(self, src_chat_id: int, src_message_id: int, dst_chat_id: int) -> int | None:
        wanted = (src_chat_id, src_message_id, dst_chat_id)
        return min(
            (
                link.dst_message_id
                for link in self.rows
                if (link.src_chat_id, link.src_message_id, link.dst_chat_id) == wanted
            ),
            default=None,
        )

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------
    # Moving: links are not moved (copies sent into the old group keep its id and its message ids).

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        gone_links = [link for link in self.rows if chat_id in (link.src_chat_id, link.dst_chat_id)]
        for link in gone_links:
            del self.rows[link]
        return {"message_links": len(gone_links)} if gone_links else {}


class FakeOutboxRepository:
    """Relay jobs in their global order (``id``); ``complete`` is immediate (no group commit to wait for) and
    ``drain`` has nothing to wait for."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.jobs: dict[int, RelayJob] = {}  # id → job, in id order
        self.keys: dict[_Key, int] = {}  # (src chat, src message, dst chat, version) → id

    @staticmethod
    def _out(job: RelayJob) -> RelayJob:
        return replace(job, payload=copy.deepcopy(job.payload))

    async def enqueue(self, jobs: Sequence[NewRelayJob], *, read_back: bool = True) -> list[RelayJob]:
        first: dict[_Key, NewRelayJob] = {}
        for job in jobs:
            first.setdefault(_key(job), job)
        if not first:
            return []
        payloads = [_json(job.payload) for job in first.values()]  # as one transaction: all or nothing
        now = self.memory.now()
        for (key, job), payload in zip(first.items(), payloads, strict=True):
            if key in self.keys:
                continue
            job_id = self.memory.next_id("relay_jobs")
            self.keys[key] = job_id
            self.jobs[job_id] = RelayJob(
                id=job_id,
                bridge_id=job.bridge_id,
                src_chat_id=job.src_chat_id,
                src_message_id=job.src_message_id,
                dst_chat_id=job.dst_chat_id,
                version=job.version,
                payload=payload,
                state=PENDING,
                attempts=0,
                created_at=now,
            )
        if not read_back:
            return []
        return [self._out(self.jobs[self.keys[key]]) for key in first]

    def _pending(self, dst_chat_id: int | None = None) -> Iterable[RelayJob]:
        return (
            job
            for job in self.jobs.values()
            if job.state == PENDING and (dst_chat_id is None or job.dst_chat_id == dst_chat_id)
        )

    async def pending(self, dst_chat_id: int | None = None, limit: int = 100) -> list[RelayJob]:
        return [self._out(job) for job in itertools.islice(self._pending(dst_chat_id), limit)]

    async def pending_destinations(self, live: Liveness | None = None) -> list[int]:
        destinations: dict[int, None] = {}  # in the order of each one's oldest pending job
        for job in self._pending():
            destinations.setdefault(job.dst_chat_id)
        if live is not None and live.shared:
            leases = self.memory.leases.rows
            return [
                dst
                for dst in destinations
                if dst not in leases or leases[dst][0] == live.me or gone(self.memory, live, leases[dst][0])
            ]
        return list(destinations)

    async def get(self, job_id: int) -> RelayJob | None:
        job = self.jobs.get(job_id)
        return self._out(job) if job is not None else None

    async def complete(self, job_id: int, links: Iterable[MessageLink] = (), live: Liveness | None = None) -> bool:
        links = tuple(links)
        job = self.jobs.get(job_id)
        if job is not None and live is not None and live.shared:
            lease = self.memory.leases.rows.get(job.dst_chat_id)
            if lease is None or lease[0] != live.me:  # the fence: another instance delivers there now
                return False
        self._update(job_id, state=DONE, done_at=self.memory.now(), payload={})  # the text is not kept
        self.memory.message_links.insert(links)
        return True

    async def drain(self) -> None:
        return None

    async def mark_failed(self, job_id: int, error: str) -> None:
        self._update(
            job_id, state=FAILED, last_error=error[:MAX_FAILED_ERROR_LENGTH], done_at=self.memory.now(), payload={}
        )

    async def record_attempt(self, job_id: int, error: str) -> int:
        job = self.jobs.get(job_id)
        attempts = job.attempts + 1 if job is not None else 0
        return self._update(job_id, attempts=attempts, last_error=error).attempts

    async def fail_pending_for(self, dst_chat_id: int, error: str) -> int:
        ids = [job.id for job in self._pending(dst_chat_id)]
        now = self.memory.now()
        for job_id in ids:  # the payload stays, as storage leaves it
            self._update(job_id, state=FAILED, last_error=error, done_at=now)
        return len(ids)

    async def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for job in self.jobs.values():
            counts[job.state] = counts.get(job.state, 0) + 1
        return counts

    async def purge_finished(self, before: datetime) -> int:
        finished = [
            job
            for job in self.jobs.values()
            if job.state in (DONE, FAILED) and job.done_at is not None and job.done_at < before
        ]
        for job in finished:
            self._delete(job)
        return len(finished)

    def _update(self, job_id: int, **values: Any) -> RelayJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise LookupError(f"relay job {job_id} is not known")
        job = self.jobs[job_id] = replace(job, **values)
        return job

    def _delete(self, job: RelayJob) -> None:
        del self.jobs[job.id]
        del self.keys[_key(job)]

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        """Pending jobs to the old id go to the new one (sent and failed ones stay as they were)."""
        moving = list(self._pending(old))
        moved = {job.id: (job.src_chat_id, job.src_message_id, new, job.version) for job in moving}
        taken = [self.keys[key] for key in moved.values() if key in self.keys]
        if taken:  # the unique constraint on (src chat, src message, dst chat, version) fails the move
            raise ValueError(f"relay jobs {taken} to chat {new} exist already: moving jobs of chat {old} conflicts")
        for job in moving:
            del self.keys[_key(job)]
            self.keys[moved[job.id]] = job.id
            self.jobs[job.id] = replace(job, dst_chat_id=new)

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        jobs = [job for job in self.jobs.values() if chat_id in (job.src_chat_id, job.dst_chat_id)]
        for job in jobs:
            self._delete(job)
        return {"relay_jobs": len(jobs)} if jobs else {}


@dataclass(slots=True)
class InboxRow:
    update_id: int
    chat_key: int
    state: str
    payload: dict[str, Any] | None
    received_at: datetime
    holder: str | None = None
    error: str | None = None
    done_at: datetime | None = None


class FakeInboxRepository:
    """Updates by id: pending → started → done; abandoned when their holder is gone mid-run; quarantined."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.rows: dict[int, InboxRow] = {}

    def _of(self, update_ids: Sequence[int], *states: str) -> list[InboxRow]:
        rows = (self.rows.get(update_id) for update_id in dict.fromkeys(update_ids))
        return [row for row in rows if row is not None and (not states or row.state in states)]

    async def store(self, items: Sequence[InboxItem], holder: str | None = None) -> list[int]:
        if not items:
            return []
        fresh = [item for item in items if item.update_id not in self.rows]  # a repeat in the list counts twice
        payloads = [_json(item.payload) for item in fresh]
        now = self.memory.now()
        for item, payload in zip(fresh, payloads, strict=True):
            if item.update_id not in self.rows:
                self.rows[item.update_id] = InboxRow(item.update_id, item.chat_key, PENDING, payload, now, holder)
        return [item.update_id for item in fresh]

    async def known(self, update_ids: Sequence[int]) -> set[int]:
        return {row.update_id for row in self._of(update_ids)}

    async def start(self, update_ids: Sequence[int]) -> set[int]:
        claimed = self._of(update_ids, PENDING)
        for row in claimed:
            row.state = STARTED
        return {row.update_id for row in claimed}

    async def release(self, update_ids: Sequence[int]) -> None:
        for row in self._of(update_ids, STARTED):
            row.state = PENDING

    async def finish(self, update_ids: Sequence[int]) -> None:
        now = self.memory.now()
        for row in self._of(update_ids):  # whatever their state, as storage
            row.state, row.payload, row.done_at = DONE, None, now

    async def adopt(self, live: Liveness) -> tuple[int, list[InboxItem]]:
        now = self.memory.now()
        abandoned = 0
        for row in self.rows.values():
            if row.state == STARTED and gone(self.memory, live, row.holder):
                row.state, row.payload, row.done_at = ABANDONED, None, now
                abandoned += 1
        taken: list[InboxItem] = []
        for update_id in sorted(self.rows):
            row = self.rows[update_id]
            if row.state == PENDING and gone(self.memory, live, row.holder):
                row.holder = live.me
                taken.append(InboxItem(update_id, row.chat_key, copy.deepcopy(row.payload or {})))
        return abandoned, taken

    async def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows.values():
            counts[row.state] = counts.get(row.state, 0) + 1
        return counts

    async def quarantine(self, update_id: int, payload: dict[str, Any], error: str) -> None:
        row = self.rows.get(update_id)
        if row is not None:  # one not finished is set aside too; one finished or set aside stays as it is
            if row.state in (PENDING, STARTED):
                row.state, row.payload, row.error = QUARANTINED, _json(payload), error[:MAX_QUARANTINE_ERROR_LENGTH]
            return
        self.rows[update_id] = InboxRow(
            update_id=update_id,
            chat_key=0,
            state=QUARANTINED,
            payload=_json(payload),
            received_at=self.memory.now(),
            error=error[:MAX_QUARANTINE_ERROR_LENGTH],
        )

    async def quarantined(self) -> list[tuple[int, dict[str, Any], str]]:
        return [
            (row.update_id, copy.deepcopy(row.payload or {}), row.error or "")
            for update_id in sorted(self.rows)
            if (row := self.rows[update_id]).state == QUARANTINED
        ]

    async def purge_finished(self, before: datetime, quarantined_before: datetime | None = None) -> int:
        """By when they were received (as storage), not when they were done."""
        set_aside = before if quarantined_before is None else quarantined_before
        old = [
            row.update_id
            for row in self.rows.values()
            if (row.state in (DONE, ABANDONED) and row.received_at < before)
            or (row.state == QUARANTINED and row.received_at < set_aside)
        ]
        for update_id in old:
            del self.rows[update_id]
        return len(old)


class FakeLeaseRepository:
    """One deliverer per destination chat. ``alive`` holds the instances alive on this "database" when they
    share it (``Liveness.shared``; see the module's docstring); with ``shared=False`` there is one instance,
    so every lease is its own and none is stored (as storage does on SQLite)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.alive: set[str] = set()
        self.rows: dict[int, tuple[str, datetime]] = {}  # destination chat → (holder, taken_at)

    async def acquire(self, dst_chat_id: int, live: Liveness) -> bool:
        if not live.shared:
            return True
        lease = self.rows.get(dst_chat_id)
        if lease is not None and lease[0] != live.me and not gone(self.memory, live, lease[0]):
            return False
        self.rows[dst_chat_id] = (live.me, self.memory.now())
        return True

    async def holds(self, dst_chat_id: int, live: Liveness) -> bool:
        if not live.shared:
            return True
        lease = self.rows.get(dst_chat_id)
        return lease is not None and lease[0] == live.me

    async def release(self, dst_chat_id: int, live: Liveness) -> None:
        if not live.shared:
            return
        lease = self.rows.get(dst_chat_id)
        if lease is not None and lease[0] == live.me:
            del self.rows[dst_chat_id]

    async def held(self, live: Liveness) -> list[int]:
        return [dst for dst, (holder, _taken) in self.rows.items() if holder == live.me]

    async def live_instances(self) -> list[str]:
        return sorted(self.alive)

    # -- what moving and forgetting a group does here (storage/chatdata.py) ------------------------------

    def _move_chat(self, old: int, new: int) -> None:
        self.rows.pop(old, None)  # whoever delivered to the old id lets go

    def _forget_chat(self, chat_id: int) -> dict[str, int]:
        return {"delivery_leases": 1} if self.rows.pop(chat_id, None) is not None else {}
