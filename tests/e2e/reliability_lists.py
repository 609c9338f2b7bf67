"""``hidden_list_items``: every list command, with 0, 20, 21 and 500 entries, read page by page the way a
member would (following "Next page: …" under each page): how many entries could not be reached. Runs the
services on repositories in memory (tests/kit.py), in English so the pages can be read."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import Actor, ChatContext, Reply
from bot.language.catalog import Catalog
from tests.kit import BUSAN, SURABAYA, Kit, make_kit

SIZES = (0, 20, 21, 500)
NEXT = re.compile(r"Next page: (/\S+(?: \S+)*? \d+)</i>")
Ask = Callable[[ChatContext, Actor, str], Awaitable[Reply | None]]


async def _read_all(kit: Kit, here: ChatContext, ask: Ask, command: str, text: str) -> str:
    """Every page of a list, from the first, following the footers."""
    seen: list[str] = []
    pages = 0
    while True:
        pages += 1
        if pages > 1000:
            raise AssertionError(f"{command}: the pages do not end")
        answer = await ask(here, Actor(user_id=1, name="Admin"), text)
        rendered = kit.render(answer, here) if answer is not None else ""
        seen.append(rendered)
        found = NEXT.search(rendered)
        if found is None:
            return "\n".join(seen)
        typed = found.group(1)
        assert typed.startswith(command), (command, typed)
        text = typed[len(command) :].strip()


async def _hidden(kit: Kit, here: ChatContext, ask: Ask, command: str, text: str, marks: list[str]) -> int:
    shown = await _read_all(kit, here, ask, command, text)
    return sum(1 for mark in marks if mark not in shown)


async def _one_size(catalog: Catalog, size: int) -> dict[str, int]:
    hidden: dict[str, int] = {}
    async with make_kit(catalog, max_reminders=size + 10, max_open_items=size + 10) as kit:
        here = await kit.group(SURABAYA, "Surabaya", "en")
        await kit.group(BUSAN, "Busan", "en")
        await kit.link(SURABAYA, BUSAN)
        here = await kit.here(SURABAYA)
        admin = kit.admin(SURABAYA, 1)
        services = kit.services
        memory_scope = here.scope
        # Action items, all in one programme.
        await services.programmes.programme(here, admin, "add everything")
        programme = await services.programmes.programmes.get(memory_scope, "everything")
        assert programme is not None
        for n in range(size):
            await services.actions.actions.create(
                scope=memory_scope, bridge_id=here.bridge_id, chat_id=SURABAYA, title=f"item-{n:04d}",
                language="en", programme_id=programme.id,
            )
        hidden["/actions"] = await _hidden(
            kit, here, services.actions.listing, "/actions", "", [f"item-{n:04d}" for n in range(size)]
        )
        hidden["/programme"] = await _hidden(
            kit, here, services.programmes.programme, "/programme", "everything",
            [f"item-{n:04d}" for n in range(size)],
        )
        # Programmes (the one above counts as one of them).
        for n in range(max(0, size - 1)):
            await services.programmes.programmes.add(memory_scope, f"programme-{n:04d}")
        names = ["everything", *(f"programme-{n:04d}" for n in range(max(0, size - 1)))] if size else []
        if size == 0:  # no programme at all
            hidden["/programmes"] = 0
        else:
            hidden["/programmes"] = await _hidden(kit, here, services.programmes.listing, "/programmes", "", names)
        # Reminders.
        start = datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
        for n in range(size):
            when = start + timedelta(hours=n)
            await services.reminder_engine.add_adhoc(here.chat, memory_scope, when, f"reminder-{n:04d}", 1)
        hidden["/reminders"] = await _hidden(
            kit, here, services.reminders.reminders, "/reminders", "", [f"reminder-{n:04d}" for n in range(size)]
        )
        # Glossary terms.
        assert here.bridge_id is not None
        for n in range(size):
            await services.chat_settings.glossary.add(here.bridge_id, f"term-{n:04d}", {})
        hidden["/glossary list"] = 0 if size == 0 else await _hidden(
            kit, here, services.chat_settings.glossary_command, "/glossary", "list",
            [f"term-{n:04d}" for n in range(size)],
        )
        # Reports: the list names the last ones and how many are kept; each is reachable by its number.
        for n in range(size):
            day = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=n)
            await services.reports.reports.add(
                memory_scope, SURABAYA, "manual", day, day + timedelta(days=1), f"report-{n:04d}", "en", day
            )
        listing = await services.reports.history(here, Actor(user_id=1, name="Admin"), "")
        rendered = kit.render(listing, here) if listing is not None else ""
        kept = await services.reports.reports.count(SURABAYA)
        said = re.search(r"of the (\d+) reports kept", rendered)
        listed = len(re.findall(r"^\d+\. ", rendered, flags=re.MULTILINE))
        hidden["/reports"] = 0 if (said and int(said.group(1)) == kept) or listed == kept else kept - listed
    return hidden


async def hidden_list_items(sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    catalog = Catalog.load()
    by_command: dict[str, int] = {}
    for size in sizes:
        for command, count in (await _one_size(catalog, size)).items():
            by_command[command] = by_command.get(command, 0) + count
    return {"hidden_list_items": sum(by_command.values()), "hidden_list_items_by_command": by_command}
