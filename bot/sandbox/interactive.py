"""``kembar sandbox``: the real bot against the local Bot API emulator, driven from a terminal.

A person posts as the coordinator of two or more simulated city groups (default: Surabaya in
Indonesian, Busan in Korean, Braunschweig in German), linked in one bridge, and sees everything the bot
sends to each group.

At a terminal, Kembar's messages appear as they arrive. With input piped in (``< script.txt``), each
line is handled in turn: the sandbox waits until the bot is idle (:meth:`Sandbox.wait_idle`), then
prints what every group received, group by group, and at the end of the input it leaves by itself.
From the same database, the transcript is the same on every run. Logs never go to the terminal (the
CLI writes them to a file).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from bot.config import ConfigError, Settings
from bot.language.catalog import is_language_code
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.town import Town
from bot.sandbox.translate_server import TranslationServer
from bot.services import Services
from bot.telegram.app import KembarApp, build_application, running
from bot.telegram.polling import DurablePoller
from handlers.context import SERVICES_KEY

SANDBOX_TOKEN = "1000000001:SANDBOX-local-emulator-token"
DEFAULT_GROUPS = ("Surabaya:id", "Busan:ko", "Braunschweig:de")
IDLE_TIMEOUT = 60.0  # seconds a piped line may keep Kembar busy (a slow online translator included)
# The outbox lives in the database, which announces nothing: while relay jobs are pending it is looked at
# again on every change in the emulator, and at the latest after this many seconds.
IDLE_RECHECK = 0.05

HELP = """Sandbox commands:
  <text>               post <text> in the current group as its coordinator (commands too: /start, /lang id)
  @<City> <text>       post in another group (also a command there: @Busan :press 7 2)
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
        ordered: bool = False,
        log_file: Path | None = None,
    ) -> None:
        """``ordered``: hold Kembar's messages until :meth:`flush` and print them group by group (in the
        order of ``groups``), so that a transcript does not depend on which group's delivery was faster.
        ``log_file`` is only shown at start (the CLI configured logging)."""
        self.link = link
        self.specs = parse_groups(groups)
        self.settings = settings
        self.local_translator = local_translator
        self.out = out or sys.stdout
        self.log_file = log_file
        # (group index, line) of the bot's messages not printed yet, in arrival order; None: print at once
        self._held: list[tuple[int, str]] | None = [] if ordered else None
        self.emu = BotApiEmulator(token=SANDBOX_TOKEN, on_bot_message=self._show_bot_message)
        self.translation_server: TranslationServer | None = None
        self.groups: list[Town] = []
        self.current = 0
        self._stack = contextlib.AsyncExitStack()
        self.app: KembarApp | None = None
        self.poller: DurablePoller | None = None
        self.services: Services | None = None

    # ---- output ---------------------------------------------------------------------------------
    def write(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def _group_by_chat(self, chat_id: int) -> Town | None:
        return next((g for g in self.groups if g.chat.id == chat_id), None)

    def _private_label(self, chat_id: int) -> str:
        """A private chat with one of the simulated people, by name (a link code goes there)."""
        for group in self.groups:
            for person in (group.admin, group.member):
                if person.id == chat_id:
                    return f"to {person.first_name}, privately"
        return str(chat_id)

    def _show_bot_message(self, chat_id: int, message: dict[str, Any]) -> None:
        group = self._group_by_chat(chat_id)
        where = group.city if group else self._private_label(chat_id)
        if message.get("deleted"):
            self._show(group, f"[{where}] Kembar deleted #{message.get('message_id')}")
            return
        body = message.get("text") or message.get("caption") or "(media)"
        edited = " (edited)" if message.get("edit_date") else ""
        reply = message.get("reply_to_message")
        to = f" ↩#{reply['message_id']}" if isinstance(reply, dict) else ""
        lines = [f"[{where}] Kembar #{message.get('message_id')}{to}{edited}:\n  " + str(body).replace("\n", "\n  ")]
        labels = [
            b.get("text", "?") for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
        ]
        if labels:
            lines.append("  buttons: " + "  ".join(f"[{i}] {label}" for i, label in enumerate(labels, 1)))
        saved = self._save_file(where, message)
        if saved is not None:
            lines.append(f"  file: {saved}")
        self._show(group, "\n".join(lines))

    def _save_file(self, where: str, message: dict[str, Any]) -> Path | None:
        """A chart or an export the bot sent, written under KEMBAR_DATA_DIR/files so the user can open it."""
        photos = message.get("photo")
        document = message.get("document")
        if isinstance(photos, list) and photos:
            file_id, default = str(photos[-1].get("file_id", "")), "photo.png"
        elif isinstance(document, dict):
            file_id, default = str(document.get("file_id", "")), "document"
        else:
            return None
        found = self.emu.file_bytes(file_id)
        if found is None:
            return None
        data, name = found
        safe = re.sub(r"[^\w.-]+", "_", f"{where}-{message.get('message_id')}-{name or default}")
        folder = (self.settings.data_dir / "files").resolve()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe
        path.write_bytes(data)
        return path

    def _show(self, group: Town | None, text: str) -> None:
        if self._held is None:
            self.write(text)
        else:
            self._held.append((self.groups.index(group) if group else len(self.groups), text))

    def flush(self) -> None:
        """Print the bot's messages held so far, group by group; in a group, in the order they came."""
        if self._held:
            held, self._held = self._held, []
            for _, text in sorted(held, key=lambda item: item[0]):  # a stable sort keeps each group's order
                self.write(text)

    # ---- lifecycle ------------------------------------------------------------------------------
    async def __aenter__(self) -> Sandbox:
        try:
            return await self._start()
        except BaseException:
            await self._stack.aclose()
            raise

    async def _start(self) -> Sandbox:
        self._stack.callback(self.flush)  # on the way out, once all is stopped: what is still held
        await self._stack.enter_async_context(self.emu)
        # Kembar's inbox remembers the updates it processed (two days): a run on the database of an earlier run
        # numbers its updates past any id that run can have used (the milliseconds of the clock), or the first
        # commands typed would be taken for ones already done.
        self.emu.start_updates_at(1 + int(time.time() * 1000) % (2**31 - 2**24))
        settings = dataclasses.replace(self.settings, token=SANDBOX_TOKEN, bot_api_url=self.emu.root_url)
        if self.local_translator:
            # Text the phrase table does not know is refused, so it shows as a provider failure would: the
            # original, marked untranslated (not as "[de] …").
            self.translation_server = TranslationServer(unknown="refuse")
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
        self.poller = await self._stack.enter_async_context(running(self.app, poll_timeout=5))
        services = self.app.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        self.services = services
        for group in self.groups:  # seed each group's language and city label, as its admin would
            chats = services.chats.chats  # the repository: seeded directly, no one is told
            await chats.ensure(group.chat.id, title=group.city, type="supergroup", default_language="en")
            await chats.set_language(group.chat.id, group.language)
            await chats.set_city(group.chat.id, group.city)
        if self.link:  # link every group into one bridge, as /link codes would (kept from an earlier run)
            first = self.groups[0].chat.id
            for group in self.groups[1:]:
                if await services.chats.bridges.bridge_of(group.chat.id) is None:
                    await services.chats.bridges.link(first, group.chat.id)
        self.write(
            "Kembar sandbox: the real bot against a local Telegram emulator "
            f"(translator: {settings.translator}, database: {settings.database_url.split('://')[0]})."
        )
        if not self.local_translator:
            self.write("No internet for the translator? Run with --local-translator for offline phrase tables.")
        self.write("Groups: " + ", ".join(f"{g.city} ({g.language})" for g in self.groups))
        if self.link:
            self.write("They are linked in one bridge: what you post in one group appears, translated, in the others.")
        if self.log_file is not None:
            self.write(f"Logs: {self.log_file}")
        self.write(HELP)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._stack.aclose()

    # ---- idleness ---------------------------------------------------------------------------------
    def _polling_idle(self) -> bool:
        """Every update the emulator queued was processed: none is left unacknowledged, the poller is
        back in a long poll and no chat's lane has commands left."""
        lanes_idle = self.poller is None or not self.poller.busy
        return not self.emu.pending_updates and self.emu.active_polls > 0 and lanes_idle

    def _activity(self) -> tuple[int, int]:
        """Grows with every Bot API call the emulator answered and every update the poller processed."""
        return len(self.emu.calls), self.poller.processed if self.poller is not None else 0

    def _moved_since(self, seen: tuple[int, int]) -> Callable[[], bool]:
        return lambda: self._activity() != seen

    async def _busy(self) -> list[str]:
        """What Kembar is still doing (nothing: an empty list)."""
        if self.services is None:
            raise RuntimeError("the sandbox is not running")
        busy: list[str] = []
        pending = len(self.emu.pending_updates)
        if pending:
            busy.append(f"{pending} update(s) not processed yet")
        elif not self.emu.active_polls:
            busy.append("the poller is not back in getUpdates")
        if self.poller is not None and self.poller.busy:
            busy.append("commands still being processed")
        if in_flight := self.services.translations.in_flight:
            busy.append(f"{in_flight} translation(s) in flight")
        if destinations := await self.services.outbox.pending_destinations():
            busy.append(f"relay jobs pending for {len(destinations)} chat(s)")
        return busy

    async def wait_idle(self, timeout: float = IDLE_TIMEOUT) -> None:  # noqa: ASYNC109
        """Until Kembar has nothing left to do, or raise :class:`TimeoutError` after ``timeout`` seconds.

        Idle: every update the emulator queued was fetched and processed (the poller waits in a long
        poll again, nothing unacknowledged), no translation is in flight and no relay job is pending in
        the outbox, and no Bot API call or update came meanwhile (the emulator's call log and the
        poller's count did not move while the outbox was read). A Bot API call in flight is covered by
        these: a handler's calls end before its update is acknowledged, a delivery's before its job is
        marked done (the emulator does not count calls in flight itself). The emulator's change
        notification wakes the wait; the outbox, in the database, is read again at each change and at
        least every ``IDLE_RECHECK`` seconds. Reminders that fall due later are not waited for.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with contextlib.suppress(TimeoutError):  # reported below, with what is still going on
                await self.emu.wait_for(self._polling_idle, max(0.0, deadline - loop.time()), poll_interval=None)
            seen = self._activity()
            busy = await self._busy()
            if not busy and self._polling_idle() and self._activity() == seen:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"Kembar was still busy after {timeout:g}s: " + "; ".join(busy or ["still moving"]))
            with contextlib.suppress(TimeoutError):  # a change in the emulator, or time to read the outbox again
                await self.emu.wait_for(self._moved_since(seen), min(remaining, IDLE_RECHECK), poll_interval=None)

    async def settle(self, timeout: float = IDLE_TIMEOUT) -> bool:  # noqa: ASYNC109
        """Wait until Kembar is idle and print what it sent meanwhile; False (and a note) on a timeout."""
        try:
            await self.wait_idle(timeout)
        except TimeoutError as exc:
            self.flush()
            self.write(f"! {exc}")
            return False
        self.flush()
        return True

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

    async def _press(self, rest: str) -> None:
        target, _, number = rest.partition(" ")
        group = self.groups[self.current]
        if not target.isdigit() or not number.strip().isdigit():
            self.write("! usage: :press <message id> <button number>")
            return
        try:
            message = self.emu.message(group.chat.id, int(target))
            buttons = [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
            button = buttons[int(number) - 1]
            query = self.emu.press(group.chat.id, int(target), group.admin.id, button["callback_data"])
        except (ValueError, KeyError, IndexError, LookupError) as exc:
            self.write(f"! cannot press that: {exc}")
            return
        self.write(f"[{group.city}] {group.admin.first_name} pressed {button.get('text')}")
        try:  # the notice Telegram shows the presser alone (a link code shown on demand, a refusal)
            answer = await self.emu.wait_for_callback_answer(query, timeout=IDLE_TIMEOUT)
        except TimeoutError:
            return
        if answer.get("text"):
            shown = str(answer["text"]).replace("\n", "\n  ")
            self.write(f"[{group.city}] only {group.admin.first_name} sees:\n  {shown}")

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
                await self._press(rest)
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
            elif text.strip().startswith(":"):  # a sandbox command in that group: "@Busan :press 7 2"
                here, self.current = self.current, found
                try:
                    return await self.handle_line(text)
                finally:
                    if not text.strip().startswith(":group"):
                        self.current = here
            else:
                self._post(found, text.strip())
            return True
        self._post(self.current, line)
        return True


async def stdin_lines(prompt: Callable[[], str], interactive: bool) -> AsyncIterator[str]:
    """Lines from standard input, read on a daemon thread so the event loop never blocks on input()."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

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
    settings: Settings,
    *,
    groups: Sequence[str] | None = None,
    local_translator: bool = False,
    link: bool = True,
    log_file: Path | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
) -> int:
    """The sandbox on standard input; the exit status (1: Kembar did not become idle after a piped line).

    At a terminal, lines are handled as they are typed and Kembar's messages shown as they arrive. Piped
    in, each line is handled once Kembar is idle after the one before, and what the groups received is
    printed group by group; the sandbox leaves at the end of the input, once Kembar is idle.
    """
    interactive = sys.stdin.isatty()
    settled = True
    async with Sandbox(
        settings, groups, local_translator=local_translator, link=link, ordered=not interactive, log_file=log_file
    ) as sandbox:
        if not interactive:
            settled = await sandbox.settle(idle_timeout)
        async for line in stdin_lines(lambda: sandbox.prompt, interactive):
            go_on = await sandbox.handle_line(line)
            if not interactive:
                settled = await sandbox.settle(idle_timeout) and settled
            if not go_on:
                break
    return 0 if settled else 1
