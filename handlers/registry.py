"""The one registry of handler modules: their commands (in the command menu's order) and their buttons,
registered on the application together with the chat loader, the relay, membership changes and the error
handler."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import actions, basic, bridge, calendar, continuity, meetings, relay, reminders, reports, settings
from handlers.common import Command, Handler
from handlers.errors import on_error

# Every module that offers commands or buttons, each with ``COMMANDS`` and ``BUTTONS`` (either may be empty).
MODULES: tuple[ModuleType, ...] = (
    basic,
    actions,
    reminders,
    meetings,
    reports,
    continuity,
    bridge,
    settings,
    calendar,
)


def _table(module: ModuleType, name: str) -> Mapping[str, Any]:
    table = getattr(module, name, None)
    if not isinstance(table, Mapping):
        raise TypeError(f"{module.__name__} has no {name} table")
    return table


def commands() -> dict[str, Command]:
    found: dict[str, Command] = {}
    for module in MODULES:
        for name, command in _table(module, "COMMANDS").items():
            if name in found:
                raise ValueError(f"/{name} is offered twice")
            found[name] = command
    return found


def buttons() -> dict[str, Handler]:
    found: dict[str, Handler] = {}
    for module in MODULES:
        for pattern, handler in _table(module, "BUTTONS").items():
            if pattern in found:
                raise ValueError(f"the button pattern {pattern!r} is offered twice")
            found[pattern] = handler
    return found


COMMANDS = commands()
# (command, catalogue key of its description) for the command menu, in the modules' order.
MENU = tuple((name, command.menu) for name, command in COMMANDS.items() if command.menu)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Every handler of Kembar on ``app``: group -1 resolves the chat's context once per update."""
    app.add_handler(TypeHandler(Update, basic.load_chat), group=-1)
    new_messages = filters.UpdateType.MESSAGE
    for name, command in COMMANDS.items():
        app.add_handler(CommandHandler(name, command.handler, filters=new_messages))
    content = (filters.TEXT | filters.CAPTION | filters.ATTACHMENT) & ~filters.COMMAND & filters.ChatType.GROUPS
    app.add_handler(
        MessageHandler(content & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE), relay.relay_message)
    )
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, bridge.chat_migrated))
    app.add_handler(ChatMemberHandler(bridge.my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(ChatMemberHandler(continuity.membership, ChatMemberHandler.CHAT_MEMBER))
    people = (
        filters.StatusUpdate.LEFT_CHAT_MEMBER
        | filters.StatusUpdate.NEW_CHAT_MEMBERS
        | filters.StatusUpdate.CHAT_OWNER_LEFT
        | filters.StatusUpdate.CHAT_OWNER_CHANGED
    )
    app.add_handler(MessageHandler(people, continuity.membership))
    # A second group: the relay (group 0) takes the same message; evidence is recorded besides.
    captioned = (filters.PHOTO | filters.VIDEO | filters.Document.ALL) & filters.CAPTION & filters.ChatType.GROUPS
    app.add_handler(MessageHandler(captioned & filters.UpdateType.MESSAGE, continuity.posted_evidence), group=1)
    for pattern, handler in buttons().items():
        app.add_handler(CallbackQueryHandler(handler, pattern=pattern))
    app.add_error_handler(on_error)
