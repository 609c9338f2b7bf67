"""Kembar's CallbackContext: typed access to the services and the chat context resolved for this update."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.context import ChatContext
from bot.services import Services

SERVICES_KEY = "kembar.services"


class KembarContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """One per update (shared by all handler groups), so the chat context loaded in group -1 is seen by
    the rest."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.here: ChatContext | None = None

    @property
    def services(self) -> Services:
        services = self.application.bot_data.get(SERVICES_KEY)
        if not isinstance(services, Services):
            raise RuntimeError("Kembar services are not started")
        return services
