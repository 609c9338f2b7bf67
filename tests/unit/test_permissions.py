"""The README's permission table ("Who may do what"), checked row by row against the services.

The table is read from README.md, so the README and the code cannot drift apart: a row without a check
here, or a ✓/✗ the services disagree with, fails.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.context import Actor, ChatContext, Refused
from bot.domain.records import ActionItem, Reminder
from bot.features.when import choice_data
from bot.language.dates import Reading
from tests.kit import BRAUNSCHWEIG, BUSAN, SURABAYA, Kit

JAKARTA, SEOUL = -1004, -1005
ROLES = ("creator", "owner", "member", "admin", "another bridge", "a group that left")
USER = {"creator": 1, "owner": 2, "member": 3, "admin": 4, "another bridge": 5, "a group that left": 6}
# Refusals that say "not you" (or "not here", for the other groups): anything else would be a test bug.
REFUSALS = {
    "action.not_allowed",
    "action.drop_not_allowed",
    "action.take_owned",
    "admin.only",
    "action.not_found",
    "action.button_other_bridge",
    "reminder.button_other_chat",
    "unremind.not_found",
    "link.request_gone",
    "meet.other_bridge",
    "meet.not_found",
    "handover.gone",
}


def readme_table() -> list[tuple[str, dict[str, str]]]:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("### Who may do what", 1)[1].split("\n\n|", 1)[1]
    lines = ("|" + section).split("\n")
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["command or button", *ROLES], header
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows.append((cells[0], dict(zip(ROLES, cells[1:], strict=True))))
    return rows


@dataclass
class World:
    kit: Kit
    surabaya: ChatContext
    jakarta: ChatContext
    left: ChatContext
    left_item: ActionItem  # an item (and its reminders) from when Braunschweig was still in the bridge

    def actor(self, role: str) -> Actor:
        user_id = USER[role]
        return Actor(user_id=user_id, name=role.title(), username=role.replace(" ", "_"))

    def here(self, role: str) -> ChatContext:
        return {"another bridge": self.jakarta, "a group that left": self.left}.get(role, self.surabaya)

    async def item(self, *, owned: bool = True, due: bool = False, status: str = "open") -> ActionItem:
        text = "Kirim draf MoU" + (" @owner" if owned else "") + (" tenggat Jumat jam 14:00" if due else "")
        actions = self.kit.services.actions
        await actions.create(self.surabaya, self.actor("creator"), text)
        items = await actions.actions.list(self.surabaya.scope, statuses=("open",))
        item = max(items, key=lambda i: i.number)
        if status != "open":
            item = await actions.actions.set_status(item.scope, item.number, status, self.kit.clock())
        return item

    async def reminder_for(self, item: ActionItem, chat_id: int) -> Reminder:
        states = ("pending", "claimed", "sent", "cancelled")  # a group that left had its rows cancelled
        found = await self.kit.services.reminder_engine.reminders.for_item(item.id, states=states)
        return next(r for r in found if r.chat_id == chat_id)


async def build(kit: Kit) -> World:
    surabaya = await kit.group(SURABAYA, "Surabaya", "id")
    await kit.group(BUSAN, "Busan", "ko")
    await kit.group(BRAUNSCHWEIG, "Braunschweig", "de")
    await kit.group(JAKARTA, "Jakarta", "id")
    await kit.group(SEOUL, "Seoul", "ko")
    await kit.link(SURABAYA, BUSAN, BRAUNSCHWEIG)
    await kit.link(JAKARTA, SEOUL)
    await kit.services.chats.seen(2, "owner")  # the owner has been seen, so "@owner" names user 2
    kit.telegram.make_admin(SURABAYA, USER["admin"])
    kit.telegram.make_admin(JAKARTA, USER["another bridge"])
    kit.telegram.make_admin(BRAUNSCHWEIG, USER["a group that left"])
    world = World(kit, await kit.here(SURABAYA), await kit.here(JAKARTA), surabaya, None)  # type: ignore[arg-type]
    world.left_item = await world.item(due=True)
    await kit.services.bridges.leave(await kit.here(BRAUNSCHWEIG), world.actor("a group that left"), "")
    world.surabaya, world.left = await kit.here(SURABAYA), await kit.here(BRAUNSCHWEIG)
    return world


Attempt = Callable[[World, str], Awaitable[object]]


def command_on_item(method: str, extra: str = "", *, status: str = "open") -> Attempt:
    async def attempt(world: World, role: str) -> object:
        item = world.left_item if role == "a group that left" else await world.item(status=status)
        call = getattr(world.kit.services.actions, method)
        return await call(world.here(role), world.actor(role), f"{item.number} {extra}".strip())

    return attempt


def item_button(op: str, *, owned: bool = True) -> Attempt:
    async def attempt(world: World, role: str) -> object:
        item = world.left_item if role == "a group that left" else await world.item(owned=owned)
        data = f"act|{item.scope.key}|{item.number}|{op}"
        return await world.kit.services.actions.press(world.here(role), world.actor(role), data)

    return attempt


def reminder_button(op: str) -> Attempt:
    async def attempt(world: World, role: str) -> object:
        if role == "a group that left":
            reminder = await world.reminder_for(world.left_item, BRAUNSCHWEIG)
        else:
            reminder = await world.reminder_for(await world.item(due=True), SURABAYA)
        return await world.kit.services.reminders.press(world.here(role), world.actor(role), f"rem|{reminder.id}|{op}")

    return attempt


async def unremind(world: World, role: str) -> object:
    reminders = world.kit.services.reminders
    made = await reminders.remind(world.surabaya, world.actor("creator"), "besok jam 09.00 Siapkan agenda")
    return await reminders.unremind(world.here(role), world.actor(role), str(made.values["number"]))


async def other_due_reading(world: World, role: str) -> object:
    """↔ under a due date read two ways: the same people as /due."""
    item = world.left_item if role == "a group that left" else await world.item(due=True)
    assert item.due_at is not None
    data = choice_data("a", item.scope, item.number, Reading(item.due_at, item.due_at + timedelta(hours=12)))
    return await world.kit.services.actions.take_other(world.here(role), world.actor(role), data)


async def other_reminder_reading(world: World, role: str) -> object:
    """↔ under a new reminder whose time reads two ways: its creator or an administrator."""
    reminders = world.kit.services.reminders
    made = await reminders.remind(world.surabaya, world.actor("creator"), "besok jam 4 Siapkan agenda")
    assert made.key == "when.choice" and made.buttons is not None
    return await reminders.take_other(world.here(role), world.actor(role), made.buttons[0][0][1])


async def proposed(world: World) -> str:
    """A meeting proposed in Surabaya by the creator; the data of its first 🗳 button."""
    await world.kit.services.meetings.meet(world.surabaya, world.actor("creator"), "1h")
    posted = [s for s in world.kit.telegram.sent if s.chat_id == SURABAYA and s.buttons]
    return posted[-1].buttons[0][0][1] if posted[-1].buttons else ""


def meeting_button(op: str) -> Attempt:
    """🗳 (v) or ✅ (c) under a meeting proposal."""

    async def attempt(world: World, role: str) -> object:
        data = (await proposed(world)).replace("|v|", f"|{op}|")
        return await world.kit.services.meetings.press(world.here(role), world.actor(role), data)

    return attempt


async def meet_cancel(world: World, role: str) -> object:
    meetings = world.kit.services.meetings
    meeting = await meetings.meetings.get(int((await proposed(world)).split("|")[1]))
    assert meeting is not None
    return await meetings.meet(world.here(role), world.actor(role), f"cancel {meeting.number}")


async def indicator_add(world: World, role: str) -> object:
    name = f"programme{USER[role]}"
    await world.kit.services.programmes.programme(world.surabaya, world.actor("admin"), f"add {name}")
    indicators = world.kit.services.indicators
    return await indicators.indicator(world.here(role), world.actor(role), f"add {name} visits target 10")


async def indicator_total(world: World, role: str) -> object:
    """``= <n>`` replaces an indicator's total: for administrators."""
    name = f"programme{USER[role]}"
    await world.kit.services.programmes.programme(world.surabaya, world.actor("admin"), f"add {name}")
    indicators = world.kit.services.indicators
    await indicators.indicator(world.surabaya, world.actor("admin"), f"add {name} visits target 10")
    return await indicators.indicator(world.here(role), world.actor(role), f"{name} visits = 4")


async def indicator_undo(world: World, role: str) -> object:
    """Undoing an indicator's last update (a member's): for administrators."""
    name = f"programme{USER[role]}"
    await world.kit.services.programmes.programme(world.surabaya, world.actor("admin"), f"add {name}")
    indicators = world.kit.services.indicators
    await indicators.indicator(world.surabaya, world.actor("admin"), f"add {name} visits target 10")
    await indicators.indicator(world.surabaya, world.actor("member"), f"{name} visits +3")
    return await indicators.indicator(world.here(role), world.actor(role), f"undo {name} visits")


def admin_command(*calls: tuple[str, str, str]) -> Attempt:
    async def attempt(world: World, role: str) -> object:
        for service, method, text in calls:
            await getattr(getattr(world.kit.services, service), method)(world.here(role), world.actor(role), text)
        return None

    return attempt


async def join_request(world: World, role: str) -> object:
    """A new group asks to join Surabaya's bridge; the role decides on it."""
    newcomer = await world.kit.group(-2000 - len(world.kit.telegram.sent), "Bandung", "id")
    bridges = world.kit.services.bridges
    await bridges.link_command(world.surabaya, world.actor("admin"), "")
    code = re.search(r"[0-9A-Z]{5}-[0-9A-Z]{5}", world.kit.texts(USER["admin"])[-1])
    assert code is not None
    await bridges.link_command(newcomer, world.kit.admin(newcomer.id, 99), code.group())
    approval = world.kit.telegram.last(SURABAYA).buttons
    assert approval is not None
    return await bridges.press(world.here(role), world.actor(role), approval[0][0][1])


async def handover_command(world: World, role: str) -> object:
    """``/handover @owner @creator``: what the owner holds goes to the creator (administrators)."""
    await world.item()
    await world.kit.services.chats.seen(USER["creator"], "creator")
    return await world.kit.services.handover.command(world.here(role), world.actor(role), "@owner @creator")


async def handover_button(world: World, role: str) -> object:
    """➡️ under the notice that the owner left Surabaya: their items go to the creator."""
    await world.item()
    data = f"ho|{world.surabaya.scope.key}|{USER['owner']}|{USER['creator']}"
    return await world.kit.services.handover.press(world.here(role), world.actor(role), data, None)


CHECKS: dict[str, Attempt] = {
    "`/done <n>`": command_on_item("done"),
    "`/reopen <n>`": command_on_item("reopen", status="done"),
    "`/assign <n> …`": command_on_item("assign", "@lee"),
    "`/due <n> …`": command_on_item("due", "Sabtu jam 10"),
    "`/rename <n> …`": command_on_item("rename", "Judul baru"),
    "`/drop <n>`": command_on_item("drop"),
    "✅ under an item": item_button("done"),
    "📅 +1 day under an item": item_button("plus1d"),
    "🙋 under an item nobody owns": item_button("take", owned=False),
    "🙋 under an item with an owner": item_button("take"),
    "✅ under a due reminder": reminder_button("done"),
    "⏰ under a reminder": reminder_button("h1"),
    "`/unremind <n>`": unremind,
    "↔ the other reading of a due date": other_due_reading,
    "↔ the other reading of a new reminder": other_reminder_reading,
    "🗳 under a meeting proposal": meeting_button("v"),
    "✅ under a meeting proposal": meeting_button("c"),
    "`/meet cancel <n>`": meet_cancel,
    "`/programme add …`": admin_command(("programmes", "programme", "add pendidikan")),
    "`/reminders lead\\|overdue\\|quiet …`": admin_command(
        ("reminders", "reminders", "lead 1h"),
        ("reminders", "reminders", "overdue off"),
        ("reminders", "reminders", "quiet 22:00-06:00"),
    ),
    "`/digest …`": admin_command(("reminders", "digest", "friday 17:00")),
    "`/indicator add …`": indicator_add,
    "`/indicator … = <n>`": indicator_total,
    "`/indicator undo …`": indicator_undo,
    "`/report monthly\\|quarterly on\\|off`": admin_command(
        ("reports", "report", "monthly on"), ("reports", "report", "quarterly off")
    ),
    "`/lang <code>`, `/city <name>`, `/tz <zone>`, `/original on\\|off`": admin_command(
        ("chat_settings", "city", "Kota Surabaya"),
        ("chat_settings", "timezone", "Asia/Jakarta"),
        ("chat_settings", "original", "on"),
        ("chat_settings", "language", "en"),
    ),
    "`/workweek <days>`": admin_command(("chat_settings", "workweek", "sun-thu")),
    "`/calendar country\\|region\\|hours\\|off\\|remove …`": admin_command(
        ("calendar_settings", "calendar", "country DE"),
        ("calendar_settings", "calendar", "hours mon-fri 08:00-16:00"),
        ("calendar_settings", "calendar", "off 2027-04-05 2027-04-09 Cuti bersama"),
        ("calendar_settings", "calendar", "remove 1"),
    ),
    "`/glossary add\\|remove …`": admin_command(
        ("chat_settings", "glossary_command", "add MoU"), ("chat_settings", "glossary_command", "remove MoU")
    ),
    "`/link`, `/unlink`": admin_command(("bridges", "link_command", ""), ("bridges", "leave", "")),
    "✅ or ❌ under a join request": join_request,
    "`/handover @old @new`": handover_command,
    "➡️ or 🚫 under a handover notice": handover_button,
    "`/welcome on\\|off`": admin_command(("handover", "welcome", "on")),
    "`/forget` and its confirmation": admin_command(("privacy", "forget_command", ""), ("privacy", "press", "fgt|yes")),
}
ROWS = readme_table()


def test_every_row_of_the_table_is_checked() -> None:
    assert [label for label, _ in ROWS] == list(CHECKS)


@pytest.mark.parametrize(("label", "expected"), ROWS, ids=[label for label, _ in ROWS])
async def test_permission_row(kit: Kit, label: str, expected: dict[str, str]) -> None:
    world = await build(kit)
    found: dict[str, str] = {}
    for role in ROLES:
        if expected[role] == "—":
            found[role] = "—"
            continue
        try:
            await CHECKS[label](world, role)
        except Refused as refused:
            assert refused.key in REFUSALS, f"{label} as {role}: refused for another reason: {refused.key}"
            found[role] = "✗"
        else:
            found[role] = "✓"
    assert found == expected
