"""The service container: every repository and service of a running bot, built once, in one place, each
collaborator passed through its constructor (no wiring after construction)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.chats import ChatDirectory
from bot.config import Settings
from bot.context import Permissions
from bot.features.actions import ActionService, ItemTitles
from bot.features.bridges import BridgeService
from bot.features.indicators import IndicatorService
from bot.features.privacy import PrivacyService
from bot.features.programmes import ProgrammeService
from bot.features.reminder_engine import ReminderEngine, Wakeups
from bot.features.reminders import ReminderService
from bot.features.reports import ReportService
from bot.features.settings import SettingsService
from bot.features.status import StatusService
from bot.language.catalog import SUGGESTED_LANGUAGES, Catalog
from bot.language.langdetect import LanguageDetector
from bot.ops.cluster import Cluster, make_cluster
from bot.ops.limits import UserLimits
from bot.ports import Members, Sender
from bot.relay.activity import ActivityCounter
from bot.relay.delivery import Delivery
from bot.relay.rendering import Renderer
from bot.relay.service import RelayService
from bot.signals import Signal
from bot.translation import Translator, build_translator
from bot.translation.service import TranslationService
from storage.approvals import ApprovalRepository
from storage.chatdata import ChatDataRepository
from storage.cluster import LeaseRepository
from storage.db import Database
from storage.inbox import InboxRepository
from storage.linkcodes import JoinRequestRepository
from storage.monitoring import ActivityRepository, EventRepository, IndicatorRepository, ReportRepository
from storage.people import PeopleRepository
from storage.repos import (
    ActionRepository,
    BridgeRepository,
    ChatRepository,
    GlossaryRepository,
    LinkCodeRepository,
    MessageLinkRepository,
    OutboxRepository,
    ProgrammeRepository,
    ReminderRepository,
    ReminderSettingsRepository,
    TranslationCacheRepository,
)

logger = logging.getLogger(__name__)

@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    db: Database
    cluster: Cluster
    chats: ChatDirectory
    outbox: OutboxRepository
    inbox: InboxRepository
    translator: Translator
    translations: TranslationService
    relay: RelayService
    delivery: Delivery
    bridges: BridgeService
    chat_settings: SettingsService
    actions: ActionService
    programmes: ProgrammeService
    status: StatusService
    reminder_engine: ReminderEngine
    reminders: ReminderService
    wakeups: Wakeups
    activity: ActivityCounter
    reports: ReportService
    indicators: IndicatorService
    limits: UserLimits
    privacy: PrivacyService

    @classmethod
    def create(
        cls,
        settings: Settings,
        catalog: Catalog,
        sender: Sender,
        members: Members,
        *,
        translator: Translator | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        detector_languages: tuple[str, ...] = SUGGESTED_LANGUAGES,
    ) -> Services:
        db = Database(settings.database_url)
        cluster = make_cluster(db)
        chat_repo, bridge_repo, glossary = ChatRepository(db), BridgeRepository(db), GlossaryRepository(db)
        outbox = OutboxRepository(db)
        people = PeopleRepository(db)
        chats = ChatDirectory(chat_repo, bridge_repo, people, ChatDataRepository(db), catalog)
        permissions = Permissions(members)
        translator = translator or build_translator(
            settings.translator,
            url=settings.translator_url,
            api_key=settings.translator_api_key,
            timeout=settings.translator_timeout,
            max_concurrency=settings.translator_concurrency,
        )
        cache, links, codes, joins = (
            TranslationCacheRepository(db),
            MessageLinkRepository(db),
            LinkCodeRepository(db),
            JoinRequestRepository(db),
        )
        inbox = InboxRepository(db)
        translations = TranslationService(translator, cache, glossary, LanguageDetector(detector_languages))
        action_repo, programme_repo = ActionRepository(db), ProgrammeRepository(db)
        titles = ItemTitles(translations)
        wakeups: Wakeups = Signal("reminder wake-ups")
        # The engine plans reminders around items (actions tell it of every change) and sends the digest,
        # which is the status; bridges stop a leaving group's reminders; delivery unlinks a chat that is
        # gone: status, engine, bridges, delivery, then actions.
        events, indicator_repo = EventRepository(db), IndicatorRepository(db)
        status = StatusService(actions=action_repo, titles=titles, catalog=catalog, clock=clock, history=events)
        reminder_repo, reminder_settings = ReminderRepository(db), ReminderSettingsRepository(db)
        activity = ActivityCounter(ActivityRepository(db), clock=clock)
        reports = ReportService(
            actions=action_repo,
            titles=titles,
            events=events,
            indicators=indicator_repo,
            activity=activity,
            reports=ReportRepository(db),
            reminders=reminder_repo,
            reminder_settings=reminder_settings,
            catalog=catalog,
            sender=sender,
            permissions=permissions,
            clock=clock,
            on_schedule_change=wakeups.emit,
        )
        engine = ReminderEngine(
            reminders=reminder_repo,
            settings=reminder_settings,
            actions=action_repo,
            chats=chats,
            status=status,
            translations=translations,
            catalog=catalog,
            sender=sender,
            clock=clock,
            on_schedule_change=wakeups.emit,
            reports=reports,
            live=cluster.live,
        )
        bridges = BridgeService(
            bridges=bridge_repo,
            codes=codes,
            joins=joins,
            chats=chat_repo,
            catalog=catalog,
            sender=sender,
            members=members,
            permissions=permissions,
            reminders=engine,
            approvals=ApprovalRepository(db),
            approval_required=settings.approval,
            allowed_chats=settings.allowed_chats,
            max_groups=settings.max_groups_per_bridge,
        )
        delivery = Delivery(
            outbox=outbox,
            links=links,
            chats=chat_repo,
            translations=translations,
            renderer=Renderer(catalog),
            sender=sender,
            on_gone=bridges.destination_gone,
            on_migrated=chats.migrated,
            activity=activity,
            bridges=bridge_repo,
            leases=LeaseRepository(db),
            live=cluster.live,
        )
        cluster.on_jobs(delivery.notify_many)  # another instance stored jobs for these chats
        chats.moved.listen(lambda _old, new: delivery.notify(new))  # pending jobs moved to the new id
        actions = ActionService(
            actions=action_repo,
            programmes=programme_repo,
            people=people,
            titles=titles,
            catalog=catalog,
            sender=sender,
            permissions=permissions,
            planner=engine,
            clock=clock,
            max_open_items=settings.max_open_items,
            history=events,
        )
        return cls(
            settings=settings,
            catalog=catalog,
            db=db,
            cluster=cluster,
            chats=chats,
            outbox=outbox,
            inbox=inbox,
            translator=translator,
            translations=translations,
            relay=RelayService(outbox, translations, delivery.notify, activity=activity),
            delivery=delivery,
            bridges=bridges,
            chat_settings=SettingsService(
                chats=chat_repo,
                glossary=glossary,
                translations=translations,
                permissions=permissions,
                catalog=catalog,
                clock=clock,
            ),
            actions=actions,
            programmes=ProgrammeService(
                programmes=programme_repo, actions=actions, catalog=catalog, permissions=permissions
            ),
            status=status,
            reminder_engine=engine,
            reminders=ReminderService(
                engine=engine,
                actions=actions,
                catalog=catalog,
                permissions=permissions,
                max_reminders=settings.max_reminders,
            ),
            privacy=PrivacyService(
                settings=settings,
                data=chats.data,
                bridges=bridges,
                outbox=outbox,
                links=links,
                translations=cache,
                codes=codes,
                joins=joins,
                reminders=engine.reminders,
                inbox=inbox,
                people=people,
                catalog=catalog,
                sender=sender,
                permissions=permissions,
                clock=clock,
            ),
            wakeups=wakeups,
            limits=UserLimits(),
            activity=activity,
            reports=reports,
            indicators=IndicatorService(
                indicators=indicator_repo,
                events=events,
                programmes=programme_repo,
                translations=translations,
                catalog=catalog,
                sender=sender,
                permissions=permissions,
                clock=clock,
            ),
        )

    async def start(self) -> None:
        """Join the cluster (on SQLite: make sure no other instance runs), migrate, resume deliveries."""
        await self.cluster.start()
        try:
            await self.cluster.try_lead()  # the first instance leads at once (the others keep trying)
            await self.db.upgrade()
            await self.delivery.start()
        except BaseException:
            await self.cluster.stop()
            raise

    async def close(self) -> None:
        await self.actions.close()
        await self.delivery.stop()
        try:
            await self.activity.flush()
        except Exception:
            logger.warning("activity counts could not be written at shutdown", exc_info=True)
        await self.translations.close()
        close = getattr(self.translator, "close", None)
        if callable(close):
            close()
        await self.cluster.stop()  # after the last write: the locks go with the coordination connection
        await self.db.dispose()
