"""The service container: every service of a running bot, built once, in one place, on the repositories of
bot.domain (storage's on a database, or the unit tests' in memory), each collaborator passed through its
constructor (no wiring after construction)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.chats import ChatDirectory
from bot.config import Settings
from bot.domain.repositories import InboxRepository, OutboxRepository, Repositories, Store
from bot.features.actions import ActionService, ItemTitles
from bot.features.announce import Announcer, per_minute
from bot.features.bridges import BridgeService
from bot.features.brief import BriefService
from bot.features.calendar_settings import CalendarService
from bot.features.calendars import Calendars
from bot.features.deadlines import Deadlines
from bot.features.decisions import DecisionService
from bot.features.evidence import EvidenceService
from bot.features.handover import HandoverService
from bot.features.indicators import IndicatorService
from bot.features.meetings import MeetingService
from bot.features.privacy import PrivacyService
from bot.features.programmes import ProgrammeService
from bot.features.record_exports import RecordExports
from bot.features.reminder_engine import ReminderEngine, Wakeups
from bot.features.reminders import ReminderService
from bot.features.reports import ReportService
from bot.features.roster import Roster
from bot.features.settings import SettingsService
from bot.features.status import StatusService
from bot.language.catalog import SUGGESTED_LANGUAGES, Catalog
from bot.language.langdetect import LanguageDetector
from bot.ops.cluster import Cluster, make_cluster
from bot.ops.limits import UserLimits
from bot.permissions import Permissions
from bot.ports import Members, Sender
from bot.relay.activity import ActivityCounter
from bot.relay.delivery import Delivery
from bot.relay.rendering import Renderer
from bot.relay.service import RelayService
from bot.signals import Signal
from bot.translation import Translator, build_translator
from bot.translation.service import TranslationService
from storage.db import Database
from storage.repositories import repositories

logger = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    store: Store
    cluster: Cluster
    chats: ChatDirectory
    calendars: Calendars
    outbox: OutboxRepository
    inbox: InboxRepository
    translator: Translator
    translations: TranslationService
    relay: RelayService
    delivery: Delivery
    bridges: BridgeService
    chat_settings: SettingsService
    calendar_settings: CalendarService
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
    announcer: Announcer
    meetings: MeetingService
    decisions: DecisionService
    evidence: EvidenceService
    roster: Roster
    brief: BriefService
    handover: HandoverService

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
        """Kembar on the database of ``settings`` (its repositories from storage/, its cluster of instances)."""
        db = Database(settings.database_url)
        translator = translator or build_translator(
            settings.translator,
            url=settings.translator_url,
            api_key=settings.translator_api_key,
            timeout=settings.translator_timeout,
            max_concurrency=settings.translator_concurrency,
        )
        return cls.assemble(
            settings,
            catalog,
            sender,
            members,
            repositories(db),
            store=db,
            cluster=make_cluster(db),
            translator=translator,
            clock=clock,
            detector_languages=detector_languages,
        )

    @classmethod
    def assemble(
        cls,
        settings: Settings,
        catalog: Catalog,
        sender: Sender,
        members: Members,
        repos: Repositories,
        *,
        store: Store,
        cluster: Cluster,
        translator: Translator,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        detector_languages: tuple[str, ...] = SUGGESTED_LANGUAGES,
    ) -> Services:
        """Every service on ``repos``, each collaborator passed through its constructor (the unit tests
        assemble Kembar on repositories in memory)."""
        chats = ChatDirectory(repos.chats, repos.bridges, repos.people, repos.chat_data, catalog)
        permissions = Permissions(members)
        calendars = Calendars(repos.calendars)
        translations = TranslationService(
            translator, repos.translation_cache, repos.glossary, LanguageDetector(detector_languages)
        )
        titles = ItemTitles(translations)
        wakeups: Wakeups = Signal("reminder wake-ups")
        announcer = Announcer(sender, catalog, per_minute=per_minute(settings.group_rate))
        decisions = DecisionService(
            decisions=repos.decisions,
            programmes=repos.programmes,
            translations=translations,
            announcer=announcer,
            catalog=catalog,
            history=repos.events,
            clock=clock,
        )
        evidence = EvidenceService(
            evidence=repos.evidence,
            programmes=repos.programmes,
            translations=translations,
            catalog=catalog,
            history=repos.events,
            clock=clock,
        )
        records = RecordExports(
            decisions=repos.decisions,
            evidence=repos.evidence,
            decision_texts=decisions,
            evidence_texts=evidence,
            sender=sender,
            catalog=catalog,
            clock=clock,
        )
        # The engine plans reminders around items (actions tell it of every change) and sends the digest,
        # which is the status; bridges stop a leaving group's reminders; delivery unlinks a chat that is
        # gone: status, engine, bridges, delivery, then actions.
        status = StatusService(
            actions=repos.actions,
            titles=titles,
            catalog=catalog,
            clock=clock,
            history=repos.events,
            calendars=calendars,
            records=records,
        )
        activity = ActivityCounter(repos.activity, clock=clock)
        reports = ReportService(
            actions=repos.actions,
            titles=titles,
            events=repos.events,
            indicators=repos.indicators,
            activity=activity,
            reports=repos.reports,
            reminders=repos.reminders,
            reminder_settings=repos.reminder_settings,
            catalog=catalog,
            sender=sender,
            permissions=permissions,
            clock=clock,
            on_schedule_change=wakeups.emit,
            calendars=calendars,
            meetings=repos.meetings,
            records=records,
        )
        engine = ReminderEngine(
            reminders=repos.reminders,
            settings=repos.reminder_settings,
            actions=repos.actions,
            chats=chats,
            status=status,
            translations=translations,
            catalog=catalog,
            sender=sender,
            clock=clock,
            on_schedule_change=wakeups.emit,
            reports=reports,
            live=cluster.live,
            calendars=calendars,
        )
        bridges = BridgeService(
            bridges=repos.bridges,
            codes=repos.link_codes,
            joins=repos.join_requests,
            chats=repos.chats,
            catalog=catalog,
            sender=sender,
            members=members,
            permissions=permissions,
            reminders=engine,
            approvals=repos.approvals,
            approval_required=settings.approval,
            allowed_chats=settings.allowed_chats,
            max_groups=settings.max_groups_per_bridge,
        )
        delivery = Delivery(
            outbox=repos.outbox,
            links=repos.message_links,
            chats=repos.chats,
            translations=translations,
            renderer=Renderer(catalog),
            sender=sender,
            on_gone=bridges.destination_gone,
            on_migrated=chats.migrated,
            activity=activity,
            bridges=repos.bridges,
            leases=repos.leases,
            live=cluster.live,
        )
        cluster.on_jobs(delivery.notify_many)  # another instance stored jobs for these chats
        chats.moved.listen(lambda _old, new: delivery.notify(new))  # pending jobs moved to the new id
        actions = ActionService(
            actions=repos.actions,
            programmes=repos.programmes,
            people=repos.people,
            titles=titles,
            catalog=catalog,
            announcer=announcer,
            permissions=permissions,
            planner=engine,
            deadlines=Deadlines(calendars, members, catalog),
            clock=clock,
            max_open_items=settings.max_open_items,
            history=repos.events,
        )
        indicators = IndicatorService(
            indicators=repos.indicators,
            events=repos.events,
            programmes=repos.programmes,
            translations=translations,
            catalog=catalog,
            announcer=announcer,
            permissions=permissions,
            clock=clock,
        )
        roster = Roster(repos.roster, clock=clock)
        brief = BriefService(
            chats=chats,
            actions=repos.actions,
            programmes=repos.programmes,
            reminders=repos.reminders,
            titles=titles,
            indicators=indicators,
            decisions=decisions,
            evidence=evidence,
            roster=roster,
            members=members,
            catalog=catalog,
            clock=clock,
        )
        return cls(
            settings=settings,
            catalog=catalog,
            store=store,
            cluster=cluster,
            chats=chats,
            calendars=calendars,
            outbox=repos.outbox,
            inbox=repos.inbox,
            translator=translator,
            translations=translations,
            relay=RelayService(repos.outbox, translations, delivery.notify, activity=activity),
            delivery=delivery,
            bridges=bridges,
            chat_settings=SettingsService(
                chats=repos.chats,
                glossary=repos.glossary,
                translations=translations,
                permissions=permissions,
                catalog=catalog,
                clock=clock,
            ),
            calendar_settings=CalendarService(
                chats=repos.chats,
                stored=repos.calendars,
                calendars=calendars,
                engine=engine,
                permissions=permissions,
                catalog=catalog,
                clock=clock,
            ),
            actions=actions,
            programmes=ProgrammeService(
                programmes=repos.programmes,
                items=repos.actions,
                actions=actions,
                catalog=catalog,
                permissions=permissions,
                clock=clock,
            ),
            status=status,
            reminder_engine=engine,
            reminders=ReminderService(
                engine=engine,
                stored=repos.reminders,
                settings=repos.reminder_settings,
                actions=actions,
                catalog=catalog,
                permissions=permissions,
                calendars=calendars,
                max_reminders=settings.max_reminders,
            ),
            privacy=PrivacyService(
                settings=settings,
                data=repos.chat_data,
                bridges=bridges,
                outbox=repos.outbox,
                links=repos.message_links,
                translations=repos.translation_cache,
                codes=repos.link_codes,
                joins=repos.join_requests,
                reminders=repos.reminders,
                inbox=repos.inbox,
                people=repos.people,
                meetings=repos.meetings,
                roster=repos.roster,
                catalog=catalog,
                sender=sender,
                permissions=permissions,
                clock=clock,
            ),
            wakeups=wakeups,
            limits=UserLimits(),
            activity=activity,
            reports=reports,
            indicators=indicators,
            announcer=announcer,
            meetings=MeetingService(
                meetings=repos.meetings,
                calendars=calendars,
                sender=sender,
                announcer=announcer,
                translations=translations,
                permissions=permissions,
                catalog=catalog,
                engine=engine,
                reminders=repos.reminders,
                clock=clock,
            ),
            decisions=decisions,
            evidence=evidence,
            roster=roster,
            brief=brief,
            handover=HandoverService(
                actions=repos.actions,
                action_service=actions,
                titles=titles,
                handover=repos.handover,
                roster=roster,
                people=repos.people,
                brief=brief,
                announcer=announcer,
                sender=sender,
                permissions=permissions,
                members=members,
                catalog=catalog,
                clock=clock,
            ),
        )

    @property
    def database(self) -> Database:
        """The SQL database behind the repositories, for the tests and benchmarks that look at its statements;
        TypeError when Kembar runs on repositories in memory."""
        if not isinstance(self.store, Database):
            raise TypeError("these services run on repositories in memory, not on a database")
        return self.store

    async def start(self) -> None:
        """Join the cluster (on SQLite: make sure no other instance runs), migrate, resume deliveries."""
        await self.cluster.start()
        try:
            await self.cluster.try_lead()  # the first instance leads at once (the others keep trying)
            await self.store.upgrade()
            await self.delivery.start()
        except BaseException:
            await self.cluster.stop()
            raise

    async def close(self) -> None:
        await self.actions.close()
        await self.announcer.close()  # after the merged changes the actions still had
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
        await self.store.dispose()
