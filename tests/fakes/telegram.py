"""Fakes of the outside world as bot/ports.py describes it (Telegram, recorded in memory) and a translator."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.ports import Buttons, DeliveryError, Person


@dataclass
class Sent:
    chat_id: int
    message_id: int
    html: str
    buttons: Buttons | None = None
    reply_to: int | None = None
    copied_from: tuple[int, int] | None = None
    edits: list[str] = field(default_factory=list)
    edited_buttons: list[Buttons | None] = field(default_factory=list)  # the buttons each edit left
    file: tuple[str, bytes, bool] | None = None  # (filename, data, photo) of a sent file


class FakeTelegram:
    """``Sender`` and ``Members``: what is sent is kept per chat; ``admins`` says who administers what."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.admins: dict[int, set[int]] = {}
        self.members: dict[int, set[int]] = {}
        self.unreadable: set[int] = set()
        self.failing: dict[int, DeliveryError] = {}
        self.admin_checks = 0
        self.names: dict[int, str] = {}  # user id → full name (administrators())
        self.files_kept: dict[str, bytes] = {}  # file id → content (download())
        self.downloads: list[str] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Until ``predicate()`` holds, checked after every send or edit; TimeoutError after ``timeout``."""

        async def until() -> None:
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(until(), timeout)

    def _record(self, sent: Sent) -> int:
        self.sent.append(sent)
        self._changed.set()
        return sent.message_id

    def make_admin(self, chat_id: int, user_id: int) -> None:
        self.admins.setdefault(chat_id, set()).add(user_id)

    def texts(self, chat_id: int) -> list[str]:
        return [s.html for s in self.sent if s.chat_id == chat_id]

    def last(self, chat_id: int) -> Sent:
        return [s for s in self.sent if s.chat_id == chat_id][-1]

    def _check(self, chat_id: int) -> None:
        error = self.failing.get(chat_id)
        if error is not None:
            raise error

    async def send_text(
        self, chat_id: int, html: str, *, reply_to: int | None = None, buttons: Buttons | None = None
    ) -> int:
        self._check(chat_id)
        return self._record(Sent(chat_id, next(self._ids), html, buttons, reply_to))

    async def copy(
        self, chat_id: int, from_chat_id: int, message_id: int, *, caption_html: str | None, reply_to: int | None
    ) -> int:
        self._check(chat_id)
        copied = Sent(chat_id, next(self._ids), caption_html or "", None, reply_to, (from_chat_id, message_id))
        return self._record(copied)

    async def send_file(
        self, chat_id: int, data: bytes, filename: str, *, caption_html: str | None = None, photo: bool = False
    ) -> int:
        self._check(chat_id)
        return self._record(Sent(chat_id, next(self._ids), caption_html or "", file=(filename, data, photo)))

    def files(self, chat_id: int) -> list[tuple[str, bytes, bool]]:
        return [s.file for s in self.sent if s.chat_id == chat_id and s.file is not None]

    async def edit_text(self, chat_id: int, message_id: int, html: str, *, buttons: Buttons | None = None) -> None:
        self._check(chat_id)
        edited = next(s for s in self.sent if s.message_id == message_id)
        edited.edits.append(html)
        edited.edited_buttons.append(buttons)
        self._changed.set()

    async def edit_caption(self, chat_id: int, message_id: int, html: str) -> None:
        await self.edit_text(chat_id, message_id, html)

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        self.admin_checks += 1
        return user_id in self.admins.get(chat_id, set())

    async def is_member(self, chat_id: int, user_id: int) -> bool:
        return user_id in self.members.get(chat_id, set()) or user_id in self.admins.get(chat_id, set())

    def make_member(self, chat_id: int, user_id: int) -> None:
        self.members.setdefault(chat_id, set()).add(user_id)

    async def bot_can_read(self, chat_id: int) -> bool:
        return chat_id not in self.unreadable

    async def administrators(self, chat_id: int) -> list[Person]:
        return [
            Person(user_id, self.names.get(user_id, f"user {user_id}"))
            for user_id in sorted(self.admins.get(chat_id, ()))
        ]

    async def download(self, file_id: str, max_bytes: int) -> bytes | None:
        self.downloads.append(file_id)
        data = self.files_kept.get(file_id)
        return data if data is not None and len(data) <= max_bytes else None


class FakeTranslator:
    """Translates by prefixing the target language, as the local translation server does for unknown text."""

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], str | None, str]] = []

    async def translate(self, texts: list[str], source: str | None, target: str) -> list[str]:
        self.calls.append((list(texts), source, target))
        return [f"[{target}] {text}" if text.strip() else text for text in texts]
