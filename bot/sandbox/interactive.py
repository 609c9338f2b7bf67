"""``kembar sandbox``: the real bot against the local Bot API emulator, driven from a terminal.

A person posts as the coordinator of two or more simulated city groups (default: Surabaya in
Indonesian, Busan in Korean, Braunschweig in German), linked in one bridge, and sees everything the bot
sends to each group.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
import threading
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import Any, TextIO

from bot.app import KembarApp, build_application, running
from bot.config import ConfigError, Settings
from bot.i18n import is_language_code
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.town import Town
from bot.sandbox.translate_server import TranslationServer
from bot.services import Services
from handlers.context import SERVICES_KEY

SANDBOX_TOKEN = "1000000001:SANDBOX-local-emulator-token"
DEFAULT_GROUPS = ("Surabaya:id", "Busan:ko", "Braunschweig:de")

HELP = """Sandbox commands:
  <text>               post <text> in the current group as its coordinator (commands too: /start, /lang id)
  @<City> <text>       post in another group
  :group <City>        switch the current group          :groups   list the groups
  :member <text>       post as an ordinary (non-admin) member of the current group
  :reply <id> <text>   reply to message <id>              :edit <id> <text>   edit your message <id>
  :press <id> <n>      press button <n> under Kembar's message <id>
  :help                this text                          :quit     leave (also Ctrl-D)"""


def parse_groups(specs: Sequence[str] | None) -> list[tuple[str, str]]:
    parsed: list[tuple[str, str]] = []
    for spec in specs or DEFAULT_GROUPS:
        city, _, language = spec.partition(":")
        city, language = city.strip(), language.strip().lower()
        if not city or not is_language_code(language):
            raise ConfigError("--group", f"expected CITY:LANG with an ISO 639-1 code, got {spec!r}")
        parsed.append((city, language))
    if len(parsed) < 2:
        raise ConfigError("--group", "the sandbox needs at least two groups")
    if len({c.lower() for c, _ in parsed}) != len(parsed):
        raise ConfigError("--group", "city names must be different")
    return parsed


class Sandbox:
    """Emulator + (optional) local translation server + the real bot, and a line-oriented UI."""

    def __init__(
        self,
        settings: Settings,
        groups: Sequence[str] | None = None,
        *,
        local_translator: bool = False,
        link: bool = True,
        out: TextIO | None = None,
    ) -> None:
        self.link = link
        self.specs = parse_groups(groups)
        self.settings = settings
        self.local_translator = local_translator
        self.out = out or sys.stdout
        self.emu = BotApiEmulator(token=SANDBOX_TOKEN, on_bot_message=self._show_bot_message)
        self.translation_server: TranslationServer | None = None
        self.groups: list[Town] = []
        self.current = 0
        self._stack = contextlib.AsyncExitStack()
        self.app: KembarApp | None = None

    # ---- output ---------------------------------------------------------------------------------
    def write(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def _group_by_chat(self, chat_id: int) -> Town | None:
        return next((g for g in self.groups if g.chat.id == chat_id), None)

    def _show_bot_message(self, chat_id: int, message: dict[str, Any]) -> None:
        group = self._group_by_chat(chat_id)
        where = group.city if group else str(chat_id)
        if message.get("deleted"):
            self.write(f"[{where}] Kembar deleted #{message.get('message_id')}")
            return
        body = message.get("text") or message.get("caption") or "(media)"
        edited = " (edited)" if message.get("edit_date") else ""
        reply = message.get("reply_to_message")
        to = f" ↩#{reply['message_id']}" if isinstance(reply, dict) else ""
        self.write(f"[{where}] Kembar #{message.get('message_id')}{to}{edited}:\n  " + str(body).replace("\n", "\n  "))
        labels = [
            b.get("text", "?") for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
        ]
        if labels:
            self.write("  buttons: " + "  ".join(f"[{i}] {label}" for i, label in enumerate(labels, 1)))

    # ---- lifecycle ------------------------------------------------------------------------------
    async def __aenter__(self) -> Sandbox:
        try:
            return await self._start()
        except BaseException:
            await self._stack.aclose()
            raise

    async def _start(self) -> Sandbox:
        await self._stack.enter_async_context(self.emu)
        settings = dataclasses.replace(self.settings, token=SANDBOX_TOKEN, bot_api_url=self.emu.root_url)
        if self.local_translator:
            self.translation_server = TranslationServer()
            await self._stack.enter_async_context(self.translation_server)
            settings = dataclasses.replace(
                settings, translator="libre", translator_url=self.translation_server.root_url.rstrip("/")
            )
        for index, (city, language) in enumerate(self.specs):
            self.groups.append(
                Town(
                    self.emu,
                    city,
                    language,
                    chat_id=-1001000000001 - index,
                    admin_name=f"{city} coordinator",
                    member_name=f"{city} member",
                )
            )
        self.app = build_application(settings)
        await self._stack.enter_async_context(running(self.app, poll_timeout=5))
        services = self.app.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        for group in self.groups:  # seed each group's language and city label, as its admin would
            await services.chats.ensure(group.chat.id, title=group.city, type="supergroup", default_language="en")
            await services.chats.set_language(group.chat.id, group.language)
            await services.chats.set_city(group.chat.id, group.city)
        if self.link:  # link every group into one bridge, as /link codes would (kept from an earlier run)
            first = self.groups[0].chat.id
            for group in self.groups[1:]:
                if await services.bridges.bridge_of(group.chat.id) is None:
                    await services.bridges.link(first, group.chat.id)
        self.write(
            "Kembar sandbox: the real bot against a local Telegram emulator "
            f"(translator: {settings.translator}, database: {settings.database_url.split('://')[0]})."
        )
        if not self.local_translator:
            self.write("No internet for the translator? Run with --local-translator for offline phrase tables.")
        self.write("Groups: " + ", ".join(f"{g.city} ({g.language})" for g in self.groups))
        if self.link:
            self.write("They are linked in one bridge: what you post in one group appears, translated, in the others.")
        self.write(HELP)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stack.aclose()

    # ---- input ----------------------------------------------------------------------------------
    @property
    def prompt(self) -> str:
        return f"{self.groups[self.current].city}> "

    def _find(self, city: str) -> int | None:
        for index, group in enumerate(self.groups):
            if group.city.lower() == city.lower():
                return index
        return None

    def _post(self, index: int, text: str, *, as_member: bool = False, reply_to: int | None = None) -> None:
        group = self.groups[index]
        user = group.member if as_member else group.admin
        try:
            message = self.emu.post(group.chat.id, user.id, text, reply_to=reply_to)
        except (ValueError, KeyError) as exc:
            self.write(f"! {exc}")
            return
        self.write(f"[{group.city}] {user.first_name} #{message['message_id']}: {text}")

    def _press(self, rest: str) -> None:
        target, _, number = rest.partition(" ")
        group = self.groups[self.current]
        if not target.isdigit() or not number.strip().isdigit():
            self.write("! usage: :press <message id> <button number>")
            return
        try:
            message = self.emu.message(group.chat.id, int(target))
            buttons = [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
            button = buttons[int(number) - 1]
            self.emu.press(group.chat.id, int(target), group.admin.id, button["callback_data"])
        except (ValueError, KeyError, IndexError, LookupError) as exc:
            self.write(f"! cannot press that: {exc}")
            return
        self.write(f"[{group.city}] {group.admin.first_name} pressed {button.get('text')}")

    async def handle_line(self, line: str) -> bool:
        """Act on one input line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            command, _, rest = line[1:].partition(" ")
            rest = rest.strip()
            if command in ("quit", "q", "exit"):
                return False
            if command == "help":
                self.write(HELP)
            elif command == "groups":
                for i, g in enumerate(self.groups):
                    mark = "*" if i == self.current else " "
                    self.write(f"{mark} {g.city} ({g.language}) chat {g.chat.id}")
            elif command == "group":
                found = self._find(rest)
                if found is None:
                    self.write(f"! no group called {rest!r}; :groups lists them")
                else:
                    self.current = found
            elif command == "member" and rest:
                self._post(self.current, rest, as_member=True)
            elif command == "press":
                self._press(rest)
            elif command in ("reply", "edit"):
                target, _, text = rest.partition(" ")
                if not target.isdigit() or not text.strip():
                    self.write(f"! usage: :{command} <message id> <text>")
                elif command == "reply":
                    self._post(self.current, text.strip(), reply_to=int(target))
                else:
                    group = self.groups[self.current]
                    try:
                        self.emu.edit(group.chat.id, int(target), text.strip())
                        self.write(f"[{group.city}] edited #{target}: {text.strip()}")
                    except (ValueError, KeyError) as exc:
                        self.write(f"! {exc}")
            else:
                self.write(f"! unknown command :{command}; :help lists them")
            return True
        if line.startswith("@"):
            city, _, text = line[1:].partition(" ")
            found = self._find(city)
            if found is None or not text.strip():
                self.write(f"! usage: @<City> <text>, cities: {', '.join(g.city for g in self.groups)}")
            else:
                self._post(found, text.strip())
            return True
        self._post(self.current, line)
        return True


async def stdin_lines(prompt: Any) -> AsyncIterator[str]:
    """Lines from standard input, read on a daemon thread so the event loop never blocks on input()."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    interactive = sys.stdin.isatty()

    def reader() -> None:
        while True:
            line: str | None
            try:
                line = input(prompt()) if interactive else sys.stdin.readline()
            except (EOFError, KeyboardInterrupt):
                line = None
            if line is None or (not interactive and line == ""):  # end of input
                loop.call_soon_threadsafe(queue.put_nowait, None)
                return
            loop.call_soon_threadsafe(queue.put_nowait, line)

    threading.Thread(target=reader, name="sandbox-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


async def run_sandbox(
    settings: Settings, *, groups: Sequence[str] | None = None, local_translator: bool = False, link: bool = True
) -> None:
    async with Sandbox(settings, groups, local_translator=local_translator, link=link) as sandbox:
        async for line in stdin_lines(lambda: sandbox.prompt):
            if not await sandbox.handle_line(line):
                break
