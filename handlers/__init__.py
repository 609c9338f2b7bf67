"""Telegram handlers: thin adapters from an update to one use case of bot/features and back.

Each command module lists what it offers in ``COMMANDS`` (and ``BUTTONS``: callback-data pattern →
handler); bot/app.py registers them all, and the command menu follows the order below.
"""

from __future__ import annotations

from handlers import actions, basic, bridge, reminders, reports, settings
from handlers.common import Command, Handler

MODULES = (basic, actions, reminders, reports, bridge, settings)


def commands() -> dict[str, Command]:
    found: dict[str, Command] = {}
    for module in MODULES:
        for name, command in module.COMMANDS.items():
            if name in found:
                raise ValueError(f"/{name} is offered twice")
            found[name] = command
    return found


def buttons() -> dict[str, Handler]:
    return {
        pattern: handler
        for module in (actions, reminders, bridge, settings)
        for pattern, handler in module.BUTTONS.items()
    }
