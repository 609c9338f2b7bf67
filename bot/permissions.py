"""Who may do what: decided on Telegram user ids (``Actor.user_id``), never on display names.

Administrators are asked of Telegram through the ``Members`` port each time (rosters change); an anonymous
administrator (posting as the group) and the person in a private chat count as administrators. The
README's permission table is checked row by row against the services (tests/unit/test_permissions.py).
"""

from __future__ import annotations

from bot.context import Actor, ChatContext, Refused
from bot.ports import Members


class Permissions:
    """Who may do what: decided on Telegram user ids, never on display names."""

    def __init__(self, members: Members) -> None:
        self.members = members

    async def is_admin(self, here: ChatContext, actor: Actor) -> bool:
        if here.is_private or actor.as_chat:
            return True
        if actor.user_id is None:
            return False
        return await self.members.is_admin(here.id, actor.user_id)

    async def require_admin(self, here: ChatContext, actor: Actor) -> None:
        if not await self.is_admin(here, actor):
            raise Refused("admin.only")
