"""The chats Kembar knows, as ``ChatContext`` values: loaded once per update, and for any chat a scope reaches."""

from __future__ import annotations

import logging
from collections import OrderedDict

from bot.context import ChatContext
from bot.domain.records import Bridge, Chat, Scope
from bot.domain.repositories import BridgeRepository, ChatDataRepository, ChatRepository, PeopleRepository
from bot.language.catalog import Catalog
from bot.signals import Signal

logger = logging.getLogger(__name__)

PEOPLE_REMEMBERED = 10_000  # users whose username is known to be stored (beyond: written again when seen)


class ChatDirectory:
    def __init__(
        self,
        chats: ChatRepository,
        bridges: BridgeRepository,
        people: PeopleRepository,
        data: ChatDataRepository,
        catalog: Catalog,
    ) -> None:
        self.chats = chats
        self.bridges = bridges
        self.people = people
        self.data = data
        self.catalog = catalog
        # (old id, new id) after a group became a supergroup and everything moved (delivery listens).
        self.moved: Signal[[int, int]] = Signal("chat moves")
        self._stored_people: OrderedDict[int, str | None] = OrderedDict()

    async def arrive(
        self,
        chat_id: int,
        *,
        title: str,
        type: str,
        user_language: str | None,
        user: tuple[int, str | None] | None = None,
    ) -> ChatContext:
        """The context of a chat an update came from; a chat seen for the first time is stored, in the
        language of the user who brought the bot there (when Kembar has a catalogue for it). ``user``
        (id, username) is who sent the update: remembered to resolve "@username" owners."""
        chat = await self.chats.ensure(
            chat_id, title=title, type=type, default_language=self.catalog.resolve(user_language)
        )
        if user is not None:
            await self.seen(*user)
        return await self.context(chat)

    async def seen(self, user_id: int, username: str | None) -> None:
        """Store a user's username when it is new or changed (not on every message)."""
        if user_id in self._stored_people and self._stored_people[user_id] == username:
            self._stored_people.move_to_end(user_id)
            return
        await self.people.seen(user_id, username)
        self._stored_people[user_id] = username
        self._stored_people.move_to_end(user_id)
        while len(self._stored_people) > PEOPLE_REMEMBERED:
            self._stored_people.popitem(last=False)

    async def context(self, chat: Chat) -> ChatContext:
        return self.of(chat, await self.bridges.bridge_of(chat.id))

    def of(self, chat: Chat, bridge: Bridge | None) -> ChatContext:
        return ChatContext(chat, self.catalog.resolve(chat.language), bridge)

    async def migrated(self, old: int, new: int) -> bool:
        """A group became supergroup ``new`` (Telegram said so in a service message, or answered a send
        with the new id): everything about it moves there. False when it had moved already."""
        moved = await self.data.move(old, new)
        if moved:
            logger.info("chat %s became %s; its settings, bridge, items and reminders moved", old, new)
            self.moved.emit(old, new)
        return moved

    async def get(self, chat_id: int) -> Chat | None:
        return await self.chats.get(chat_id)

    async def members_of(self, scope: Scope, fallback_chat_id: int) -> tuple[Chat, ...]:
        """The groups a scope reaches now: a bridge's members, else the one group."""
        if scope.bridge_id is not None:
            bridge = await self.bridges.get(scope.bridge_id)
            if bridge is not None and bridge.members:
                return bridge.members
        chat = await self.chats.get(scope.chat_id if scope.chat_id is not None else fallback_chat_id)
        return (chat,) if chat else ()

    async def all(self) -> list[Chat]:
        return await self.chats.all()
