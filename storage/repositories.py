"""Every repository of ``bot.domain.repositories`` on one database: what a running Kembar is built from."""

from __future__ import annotations

from bot.domain.repositories import Repositories
from storage.actions import ActionRepository, ProgrammeRepository
from storage.approvals import ApprovalRepository
from storage.bridges import BridgeRepository
from storage.calendars import CalendarRepository
from storage.chatdata import ChatDataRepository
from storage.chats import ChatRepository
from storage.cluster import LeaseRepository
from storage.continuity import DecisionRepository, EvidenceRepository, HandoverRepository, RosterRepository
from storage.db import Database
from storage.glossary import GlossaryRepository
from storage.inbox import InboxRepository
from storage.joinrequests import JoinRequestRepository
from storage.linkcodes import LinkCodeRepository
from storage.meetings import MeetingRepository
from storage.messagelinks import MessageLinkRepository
from storage.monitoring import ActivityRepository, EventRepository, IndicatorRepository, ReportRepository
from storage.outbox import OutboxRepository
from storage.people import PeopleRepository
from storage.reminders import ReminderRepository, ReminderSettingsRepository
from storage.translation_cache import TranslationCacheRepository


def repositories(db: Database) -> Repositories:
    return Repositories(
        chats=ChatRepository(db),
        calendars=CalendarRepository(db),
        bridges=BridgeRepository(db),
        people=PeopleRepository(db),
        chat_data=ChatDataRepository(db),
        approvals=ApprovalRepository(db),
        link_codes=LinkCodeRepository(db),
        join_requests=JoinRequestRepository(db),
        glossary=GlossaryRepository(db),
        translation_cache=TranslationCacheRepository(db),
        message_links=MessageLinkRepository(db),
        outbox=OutboxRepository(db),
        inbox=InboxRepository(db),
        leases=LeaseRepository(db),
        actions=ActionRepository(db),
        programmes=ProgrammeRepository(db),
        reminders=ReminderRepository(db),
        reminder_settings=ReminderSettingsRepository(db),
        indicators=IndicatorRepository(db),
        events=EventRepository(db),
        activity=ActivityRepository(db),
        reports=ReportRepository(db),
        meetings=MeetingRepository(db),
        decisions=DecisionRepository(db),
        evidence=EvidenceRepository(db),
        roster=RosterRepository(db),
        handover=HandoverRepository(db),
    )
