"""Delivery: per-destination workers that send relay jobs in order, retrying until Telegram takes them.

The outbox (relay_jobs) is the truth: a job is marked done only after its messages were sent and their
links stored, so a crash re-sends at most the one job that was in flight. Each destination has its own
worker, so a slow or rate-limited chat never holds up the others; within a destination jobs go strictly
in outbox order, which is the order the source groups sent them.

With several instances on one database, a worker first takes the destination's lease (storage.cluster):
one instance at a time delivers to a chat, so the order holds across instances; a gone instance's
leases are taken over (:meth:`Delivery.resume`), re-sending at most the job it had in flight. The lease
fences the worker: a job is marked done only while its instance still holds the lease
(``OutboxRepository.complete`` with ``live``, checked in the commit), and a worker reads the lease again
before the first send of each round and before sending again after a wait; refused or lost, it stops
before its next send. So an instance that is taken for gone while it still runs (its coordination
connection lost) sends at most the job it had in flight after its successor took over. Before each
send the destination's membership of the job's bridge is read from the database (no cache): a chat
that left a bridge gets nothing more from it, whatever any instance had cached.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from bot.context import zone_of
from bot.domain.records import Liveness, MessageLink, RelayJob
from bot.domain.repositories import (
    BridgeRepository,
    ChatRepository,
    LeaseRepository,
    MessageLinkRepository,
    OutboxRepository,
)
from bot.language.htmltext import escape, strip_tags
from bot.ops import metrics
from bot.ports import (
    DeliveryError,
    DestinationGone,
    Migrated,
    NotAllowed,
    NotModified,
    Rejected,
    RetryLater,
    Sender,
    Transient,
)
from bot.relay.activity import ActivityCounter
from bot.relay.rendering import Renderer
from bot.relay.service import CAPTION_MEDIA, InboundMessage
from bot.translation.service import TranslationService

logger = logging.getLogger(__name__)

OnGone = Callable[[int, str], Awaitable[None]]
OnMigrated = Callable[[int, int], Awaitable[object]]
MAX_ATTEMPTS = 8  # failed sends of one job (network trouble, server errors, surprises) before it is failed
FAILURE_NOTICE_SECONDS = 3600.0  # at most one "could not deliver" notice per route and hour


class Delivery:
    def __init__(
        self,
        *,
        outbox: OutboxRepository,
        links: MessageLinkRepository,
        chats: ChatRepository,
        translations: TranslationService,
        renderer: Renderer,
        sender: Sender,
        on_gone: OnGone,
        on_migrated: OnMigrated,
        max_backoff: float = 30.0,
        idle_timeout: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        activity: ActivityCounter | None = None,
        bridges: BridgeRepository | None = None,
        leases: LeaseRepository | None = None,
        live: Liveness | None = None,
    ) -> None:
        self.activity = activity
        self.bridges = bridges  # membership read at send time (None: not checked, in unit tests)
        self.leases = leases
        self.live = live
        self.outbox = outbox
        self.links = links
        self.chats = chats
        self.translations = translations
        self.renderer = renderer
        self.sender = sender
        self.on_gone = on_gone
        self.on_migrated = on_migrated
        self.max_backoff = max_backoff
        self.idle_timeout = idle_timeout
        self.clock = clock
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._wake: dict[int, asyncio.Event] = {}
        self._noticed: dict[tuple[int, int], float] = {}
        self._zones: dict[int, str] = {}  # each destination's time zone, as last read when sending to it
        self._stopping = False
        self.restarts = 0

    # ---- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        """Resume every destination with pending work (after a restart or a crash)."""
        await self.resume()

    async def resume(self) -> int:
        """Start the destinations with pending work that no live instance delivers to (after a restart, or
        when another instance is gone); how many."""
        destinations = await self.outbox.pending_destinations(self.live)
        for dst in destinations:
            self.notify(dst)
        return len(destinations)

    def notify_many(self, destinations: list[int]) -> None:
        for dst in destinations:
            self.notify(dst)

    async def stop(self) -> None:
        self._stopping = True
        tasks = list(self._workers.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers.clear()
        await self.outbox.drain()  # what was sent is recorded before the database closes

    def notify(self, dst_chat_id: int) -> None:
        """New work for a destination: wake its worker, starting one if needed."""
        if self._stopping:
            return
        event = self._wake.setdefault(dst_chat_id, asyncio.Event())
        event.set()
        task = self._workers.get(dst_chat_id)
        if task is None or task.done():
            self._workers[dst_chat_id] = asyncio.create_task(self._worker(dst_chat_id), name=f"delivery:{dst_chat_id}")

    @property
    def busy(self) -> bool:
        return any(not t.done() for t in self._workers.values())

    # ---- the worker -----------------------------------------------------------------------------
    async def _worker(self, dst: int) -> None:
        """Sends the destination's jobs in order; idles out after a while without work. An unexpected
        error (the database away, a bug) restarts it after a back-off, so no destination is left behind
        until its next message."""
        event = self._wake[dst]
        failures = 0
        leased = False
        try:
            while not self._stopping:
                if not leased:
                    try:
                        leased = await self._acquire(dst)
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        logger.warning("the delivery lease of chat %s could not be read; trying later", dst)
                        leased = False
                        await asyncio.sleep(self.max_backoff / 4)
                        continue
                    if not leased:
                        return  # another live instance delivers to this chat

                try:
                    if not await self._work(dst, event):
                        if leased:  # idle (or the chat gone): let another instance deliver from now on
                            await self._release(dst)
                            leased = False
                        if event.is_set() and not self._stopping:
                            continue  # work came meanwhile: take the lease again
                        # No await between here and the worker's end: work notified from now on starts a
                        # new worker.
                        return
                    failures = 0
                except asyncio.CancelledError:
                    raise
                except LeaseLost:
                    # Another instance took this chat over (this one was taken for gone): it sends what is
                    # pending, the job in flight included; this worker sends nothing more.
                    logger.warning("chat %s is delivered to by another instance now; this one stops", dst)
                    return
                except Exception:
                    failures += 1
                    self.restarts += 1
                    delay = min(self.max_backoff, 0.5 * 2 ** min(failures, 8))
                    logger.exception("delivery worker for chat %s failed; restarting in %.1fs", dst, delay)
                    await asyncio.sleep(delay)
        finally:
            if self._workers.get(dst) is asyncio.current_task():  # forget idle destinations
                self._workers.pop(dst, None)
                self._wake.pop(dst, None)
                self._zones.pop(dst, None)

    async def _acquire(self, dst: int) -> bool:
        if self.leases is None or self.live is None:
            return True
        return await self.leases.acquire(dst, self.live)

    async def _hold(self, dst: int) -> None:
        """Raise LeaseLost unless this instance still holds the destination's lease (before a send)."""
        if self.leases is not None and self.live is not None and not await self.leases.holds(dst, self.live):
            raise LeaseLost(dst)

    async def _release(self, dst: int) -> None:
        if self.leases is None or self.live is None:
            return
        with contextlib.suppress(Exception):  # a lease left behind is taken over once this instance is gone
            await self.leases.release(dst, self.live)

    async def _work(self, dst: int, event: asyncio.Event) -> bool:
        """One round: send what is pending; False when the worker should end (idle, or the chat gone)."""
        event.clear()
        jobs = await self.outbox.pending(dst, limit=50)
        if not jobs:
            try:
                await asyncio.wait_for(event.wait(), self.idle_timeout)
            except TimeoutError:
                return False
            return True
        await self._hold(dst)  # the lease may have gone while this worker waited
        messages = [InboundMessage.from_payload(job.payload) for job in jobs]
        await self._translate_ahead(dst, jobs, messages)
        for job, message in zip(jobs, messages, strict=True):
            if not await self._deliver(job, message):
                return False  # the destination is gone, or moved
        return True

    async def _translate_ahead(self, dst_chat_id: int, jobs: list[RelayJob], messages: list[InboundMessage]) -> None:
        """Start the translations of the jobs about to be sent, so they go to the provider as one batch."""
        dst = await self.chats.get(dst_chat_id)
        if dst is None:
            return
        for job, message in zip(jobs, messages, strict=True):
            text = message.translatable
            if text:
                self.translations.start(text, message.source_language, dst.language, bridge_id=job.bridge_id)

    async def _deliver(self, job: RelayJob, message: InboundMessage) -> bool:
        """Send one job until it is done or given up; False when the worker must stop (the destination
        is gone, or moved to a new id whose worker takes over)."""
        attempt = job.attempts
        plain = False
        links: list[MessageLink] = []
        again = False
        while True:
            if again:  # sending again, maybe after a wait: only while the lease is still this instance's
                await self._hold(job.dst_chat_id)
            again = True
            try:
                links = await self._send(job, message, plain=plain)
            except RetryLater as exc:
                metrics.DELIVERIES_RETRIED.inc()
                await asyncio.sleep(exc.seconds)  # Telegram's flood control tells us how long
                continue
            except NotModified:
                pass
            except LeftBridge as exc:
                await self.outbox.mark_failed(job.id, str(exc))
                return True
            except Migrated as exc:
                logger.warning("chat %s became %s: moving it", job.dst_chat_id, exc.new_chat_id)
                await self.on_migrated(job.dst_chat_id, exc.new_chat_id)
                self.notify(exc.new_chat_id)  # its pending jobs moved with it
                return False
            except DestinationGone as exc:
                logger.warning("chat %s is gone (%s): leaving its bridge", job.dst_chat_id, exc)
                await self.outbox.fail_pending_for(job.dst_chat_id, str(exc))
                await self.on_gone(job.dst_chat_id, str(exc))
                return False
            except NotAllowed as exc:
                logger.warning("chat %s does not let the bot send job %s (%s)", job.dst_chat_id, job.id, exc)
                metrics.DELIVERIES_FAILED.inc()
                await self.outbox.mark_failed(job.id, _reason(exc))
                return True
            except Rejected as exc:
                if not plain:
                    logger.warning("job %s rejected (%s); retrying as plain text", job.id, exc)
                    plain = True
                    continue
                logger.error("job %s to %s rejected twice (%s); giving up on it", job.id, job.dst_chat_id, exc)
                metrics.DELIVERIES_FAILED.inc()
                await self.outbox.mark_failed(job.id, _reason(exc))
                await self._report(job)
                return True
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Transient, or a surprise: retried with back-off, then failed
                attempt = await self.outbox.record_attempt(job.id, _reason(exc))
                if attempt >= MAX_ATTEMPTS:
                    logger.error("job %s to %s failed %d times (%s); giving up", job.id, job.dst_chat_id, attempt, exc)
                    metrics.DELIVERIES_FAILED.inc()
                    await self.outbox.mark_failed(job.id, _reason(exc))
                    await self._report(job)
                    return True
                metrics.DELIVERIES_RETRIED.inc()
                delay = min(self.max_backoff, 0.25 * 2 ** min(attempt, 10))
                log = logger.warning if isinstance(exc, Transient) else logger.exception
                log("sending job %s to %s failed (%s); retry %s in %.1fs", job.id, job.dst_chat_id, exc, attempt, delay)
                await asyncio.sleep(delay)
                continue
            # The links (for later replies and edits) and "done" in one transaction, fenced by the lease.
            fence = self.live if self.leases is not None else None
            if not await self.outbox.complete(job.id, links, fence):
                raise LeaseLost(job.dst_chat_id)
            if not message.is_edit:
                metrics.RELAY_LAG.observe(max(0.0, time.time() - message.date))  # the post's date → its copy
                if self.activity is not None:  # on the destination's own day
                    self.activity.received(job.dst_chat_id, self._zones.get(job.dst_chat_id))
            return True

    async def _send(self, job: RelayJob, message: InboundMessage, *, plain: bool) -> list[MessageLink]:
        """Send one job (``message`` is its payload); the links of the messages it produced."""
        dst = await self.chats.get(job.dst_chat_id)
        if dst is None:
            raise DestinationGone("destination chat is not known")
        self._zones[dst.id] = zone_of(dst)
        if self.bridges is not None and job.bridge_id is not None:
            if not await self.bridges.is_member(job.bridge_id, job.dst_chat_id):
                raise LeftBridge(f"chat {job.dst_chat_id} is no longer in bridge {job.bridge_id}")
        translated = None
        text = message.translatable
        if text:
            translated = await self.translations.translate(
                text, message.source_language, dst.language, bridge_id=job.bridge_id
            )
        rendered = self.renderer.render(message, dst, translated)
        parts = [escape(strip_tags(p)) for p in rendered.parts] if plain else rendered.parts
        if message.is_edit:
            await self._edit(job, message, parts)
            return []
        reply_to = None
        if message.reply_to is not None:
            reply_to = await self.links.resolve_reply(message.chat_id, message.reply_to, job.dst_chat_id)
        sent: list[int] = []
        if message.media_kind is None:
            for part in parts:
                sent.append(await self.sender.send_text(job.dst_chat_id, part, reply_to=sent[0] if sent else reply_to))
        elif message.media_kind in CAPTION_MEDIA:
            try:
                first = await self.sender.copy(
                    job.dst_chat_id, message.chat_id, message.message_id, caption_html=parts[0], reply_to=reply_to
                )
            except NotAllowed:  # the group does not take this kind of media: its text, with a note
                note = self.renderer.media_refused(dst)
                first = await self.sender.send_text(job.dst_chat_id, f"{parts[0]}\n{note}", reply_to=reply_to)
            sent.append(first)
            for part in parts[1:]:
                sent.append(await self.sender.send_text(job.dst_chat_id, part, reply_to=first))
        else:  # stickers, video notes and the like carry no caption: the header goes first
            header = await self.sender.send_text(job.dst_chat_id, parts[0], reply_to=reply_to)
            sent.append(header)
            try:
                sent.append(
                    await self.sender.copy(
                        job.dst_chat_id, message.chat_id, message.message_id, caption_html=None, reply_to=header
                    )
                )
            except NotAllowed:
                note = self.renderer.media_refused(dst)
                sent.append(await self.sender.send_text(job.dst_chat_id, note, reply_to=header))
        return [
            MessageLink(message.chat_id, message.message_id, job.dst_chat_id, dst_message_id) for dst_message_id in sent
        ]

    async def _report(self, job: RelayJob) -> None:
        """Tell the group a message came from that it did not reach a partner (once an hour per route)."""
        key = (job.src_chat_id, job.dst_chat_id)
        now = self.clock()
        if now - self._noticed.get(key, -FAILURE_NOTICE_SECONDS) < FAILURE_NOTICE_SECONDS:
            return
        self._noticed[key] = now
        for stale in [k for k, at in self._noticed.items() if now - at >= FAILURE_NOTICE_SECONDS]:
            del self._noticed[stale]
        source, dst = await self.chats.get(job.src_chat_id), await self.chats.get(job.dst_chat_id)
        if source is None or dst is None:
            return
        text = self.renderer.undelivered(source, dst)
        try:
            await self.sender.send_text(source.id, text)
        except DeliveryError as exc:
            logger.warning("could not tell chat %s about an undelivered message: %s", source.id, exc)

    async def _edit(self, job: RelayJob, message: InboundMessage, parts: list[str]) -> None:
        copies = [
            link
            for link in await self.links.copies_of(message.chat_id, message.message_id)
            if link.dst_chat_id == job.dst_chat_id
        ]
        if not copies:
            return  # the original never reached this chat: nothing to edit
        copies.sort(key=lambda link: link.dst_message_id)
        first = copies[0].dst_message_id
        if message.media_kind in CAPTION_MEDIA:
            await self.sender.edit_caption(job.dst_chat_id, first, parts[0])
        elif message.media_kind is None:
            await self.sender.edit_text(job.dst_chat_id, first, parts[0])
        # Further parts of a long message: edit the copies that exist; extra text goes out as new replies.
        if message.media_kind is None or message.media_kind in CAPTION_MEDIA:
            rest = copies[1:]
            for index, part in enumerate(parts[1:]):
                if index < len(rest):
                    with contextlib.suppress(NotModified):
                        await self.sender.edit_text(job.dst_chat_id, rest[index].dst_message_id, part)
                else:
                    await self.sender.send_text(job.dst_chat_id, part, reply_to=first)


class LeaseLost(Exception):
    """Another instance holds the destination's lease now: this worker stops before its next send."""


class LeftBridge(Exception):
    """The destination left the job's bridge after the job was stored: it is not sent."""


def _reason(exc: BaseException) -> str:
    """What is stored as a job's last error: the error's kind and message, bounded."""
    return f"{type(exc).__name__}: {exc}"[:500]
