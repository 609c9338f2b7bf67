"""Monitoring and evaluation: /indicator, /indicators, /report, /reports, /export."""

from __future__ import annotations

from handlers.common import Command, Handler, text_command

indicator = text_command(lambda services: services.indicators.indicator)
indicators = text_command(lambda services: services.indicators.listing)
report = text_command(lambda services: services.reports.report)
reports = text_command(lambda services: services.reports.history)
export = text_command(lambda services: services.reports.export)

COMMANDS = {
    "report": Command(report, "cmd.report"),
    "indicators": Command(indicators, "cmd.indicators"),
    "export": Command(export, "cmd.export"),
    "indicator": Command(indicator),
    "reports": Command(reports),
}
BUTTONS: dict[str, Handler] = {}
