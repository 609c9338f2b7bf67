"""Forgetting a group, and keeping only what the features need for as long as they need it.

- ``/forget`` (administrators, with a confirmation button): everything Kembar stored about the group is
  deleted (storage/chatdata.py lists what); its partners are told it left.
- ``kembar forget CHAT_ID``: the same, by the operator.
- The retention run (daily, bot/telegram/jobs.py) clears what has served its purpose: relayed texts once
  delivered, finished relay work and message links after their windows, old translations, expired
  codes and requests, finished reminders, updates processed, people not seen for long (also who was seen in
  which group), meetings 30 days
  after they were over (or their last proposed slot was), and groups the bot was removed from some days ago.
  The README's "Data" section lists the periods.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.context import Actor, ChatContext, Reply
from bot.domain.continuity import RosterRepository
from bot.domain.meetings import MeetingRepository
from bot.domain.repositories import (
    ChatDataRepository,
    InboxRepository,
    JoinRequestRepository,
    LinkCodeRepository,
    MessageLinkRepository,
    OutboxRepository,
    PeopleRepository,
    ReminderRepository,
    TranslationCacheRepository,
)
from bot.domain.rules import MEETINGS_KEPT_DAYS, PEOPLE_SEEN_KEPT_DAYS
from bot.features.bridges import BridgeService
from bot.language.catalog import Catalog
from bot.permissions import Permissions
from bot.ports import DeliveryError, Sender

logger = logging.getLogger(__name__)

CONFIRM, CANCEL = "fgt|yes", "fgt|no"
FINISHED_REMINDERS = timedelta(days=7)
PROCESSED_UPDATES = timedelta(days=2)  # Telegram redelivers for at most a day
QUARANTINED_UPDATES = timedelta(days=30)
DECIDED_REQUESTS = timedelta(days=7)
PEOPLE_UNSEEN = timedelta(days=180)
PAST_MEETINGS = timedelta(days=MEETINGS_KEPT_DAYS)
PEOPLE_SEEN = timedelta(days=PEOPLE_SEEN_KEPT_DAYS)  # who was seen in which group (handover, the brief)


class PrivacyService:
    def __init__(
        self,
        *,
        settings: Settings,
        data: ChatDataRepository,
        bridges: BridgeService,
        outbox: OutboxRepository,
        links: MessageLinkRepository,
        translations: TranslationCacheRepository,
        codes: LinkCodeRepository,
        joins: JoinRequestRepository,
        reminders: ReminderRepository,
        inbox: InboxRepository,
        people: PeopleRepository,
        meetings: MeetingRepository,
        roster: RosterRepository | None = None,
        catalog: Catalog,
        sender: Sender,
        permissions: Permissions,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.data = data
        self.bridges = bridges
        self.outbox = outbox
        self.links = links
        self.translations = translations
        self.codes = codes
        self.joins = joins
        self.reminders = reminders
        self.inbox = inbox
        self.people = people
        self.meetings = meetings
        self.roster = roster
        self.catalog = catalog
        self.sender = sender
        self.permissions = permissions
        self.clock = clock

    # ---- /forget ------------------------------------------------------------------------------------
    async def forget_command(self, here: ChatContext, actor: Actor, text: str) -> Reply:
        """``/forget``: asks an administrator to confirm with a button."""
        await self.permissions.require_admin(here, actor)
        buttons = [
            [
                (self.catalog.t("btn.forget", here.language), CONFIRM),
                (self.catalog.t("btn.cancel", here.language), CANCEL),
            ]
        ]
        return Reply("forget.confirm", {"city": here.label}, buttons=buttons)

    async def press(self, here: ChatContext, actor: Actor, data: str) -> Reply | None:
        if data not in (CONFIRM, CANCEL):
            return None
        await self.permissions.require_admin(here, actor)
        if data == CANCEL:
            return Reply("forget.cancelled")
        await self.forget(here.id)
        try:
            await self.sender.send_text(here.id, self.catalog.t("forget.done", here.language))
        except DeliveryError as exc:
            logger.warning("could not confirm forgetting in chat %s: %s", here.id, exc)
        return Reply("forget.done_alert", alert=True)

    async def forget(self, chat_id: int) -> int:
        """Everything about the chat deleted; its partners told it left. How many rows went."""
        await self.bridges.tell_partners(chat_id, "bridge.other_forgot")
        forgotten = await self.data.forget(chat_id)
        logger.info("forgot chat %s: %d rows", chat_id, forgotten.total)
        return forgotten.total

    # ---- retention ----------------------------------------------------------------------------------
    async def run_retention(self, now: datetime | None = None) -> dict[str, int]:
        """Delete what has served its purpose (see the module docstring); rows deleted per kind."""
        now = now or self.clock()
        settings = self.settings
        done: dict[str, int] = {
            "relay_jobs": await self.outbox.purge_finished(now - timedelta(days=settings.keep_relayed_days)),
            "message_links": await self.links.purge_older(now - timedelta(days=settings.keep_links_days)),
            "translations": await self.translations.purge(
                now - timedelta(days=settings.keep_translations_days), settings.translation_cache_max
            ),
            "link_codes": await self.codes.purge_expired(now - timedelta(days=1)),
            "join_requests": await self.joins.purge_finished(now - DECIDED_REQUESTS),
            "reminders": await self.reminders.purge_finished(now - FINISHED_REMINDERS),
            "updates": await self.inbox.purge_finished(now - PROCESSED_UPDATES, now - QUARANTINED_UPDATES),
            "people": await self.people.forget_unseen(now - PEOPLE_UNSEEN),
            "meetings": await self.meetings.purge_past(now - PAST_MEETINGS),
            "people_seen": await self.roster.purge(now - PEOPLE_SEEN) if self.roster is not None else 0,
        }
        removed = await self.data.inactive_since(now - timedelta(days=settings.forget_removed_days))
        done["removed_groups"] = len(removed)
        for chat_id in removed:
            await self.data.forget(chat_id)
        logger.info("retention: %s", ", ".join(f"{kind} {count}" for kind, count in done.items() if count))
        return done
