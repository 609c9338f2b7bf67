"""A group's calendar: /calendar (country, region, working week and hours, its own days off) and /holidays (the
days off of every city of the bridge)."""

from __future__ import annotations

from handlers.common import Command, Handler, text_command

calendar = text_command(lambda services: services.calendar_settings.calendar)
holidays = text_command(lambda services: services.calendar_settings.holidays)

COMMANDS = {
    "calendar": Command(calendar, "cmd.calendar"),
    "holidays": Command(holidays, "cmd.holidays"),
}
BUTTONS: dict[str, Handler] = {}
