"""Integration: the real python-telegram-bot Application (long polling) against the Bot API emulator."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager

import pytest

from bot.config import Settings
from bot.language.catalog import Catalog
from bot.ops.logsetup import install_redaction
from bot.sandbox.emulator import BotApiEmulator, Chat, User
from bot.telegram.app import MENU, build_application, running
from bot.telegram.polling import DurablePoller
from storage.chats import ChatRepository
from storage.db import Database

TOKEN = "4242424242:AAE-kembar_integration_secret_xyz"


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emulator:
        yield emulator


@pytest.fixture
def redacted_logs() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    install_redaction([TOKEN])
    yield
    logging.setLogRecordFactory(factory)


def make_settings(emu: BotApiEmulator, database_url: str) -> Settings:
    return Settings(token=TOKEN, bot_api_url=emu.root_url, database_url=database_url)


def bot_running(emu: BotApiEmulator, database_url: str) -> AbstractAsyncContextManager[DurablePoller]:
    return running(build_application(make_settings(emu, database_url)), poll_timeout=1)


class Town:
    """A simulated group with an administrator and an ordinary member."""

    def __init__(self, emu: BotApiEmulator, title: str, language: str) -> None:
        self.chat: Chat = emu.create_chat(title)
        self.admin: User = emu.create_user(f"Admin {title}", language_code=language)
        self.member: User = emu.create_user(f"Member {title}", language_code=language)
        emu.add_member(self.chat.id, self.member.id)
        emu.set_admin(self.chat.id, self.admin.id)


async def ask(emu: BotApiEmulator, town: Town, text: str, *, as_admin: bool = True) -> str:
    """Post ``text`` as a user of ``town`` and return the text of the bot's next message there."""
    before = len(emu.sent(town.chat.id))
    emu.post(town.chat.id, town.admin.id if as_admin else town.member.id, text)
    sent = await emu.wait_for_sent(town.chat.id, before + 1)
    return str(sent[before]["text"])


async def test_start_and_help_in_english_and_indonesian(emu: BotApiEmulator, db_url: str, catalog: Catalog) -> None:
    braunschweig = Town(emu, "Braunschweig", "en")
    surabaya = Town(emu, "Surabaya", "id")
    async with bot_running(emu, db_url):
        en_start = await ask(emu, braunschweig, "/start")
        id_start = await ask(emu, surabaya, "/start")
        en_help = await ask(emu, braunschweig, "/help@kembar_bot")
        id_help = await ask(emu, surabaya, "/help")
    assert "Kembar links the groups of partner cities" in en_start
    assert "This group's language: English" in en_start
    assert "Kembar menghubungkan grup-grup kota mitra" in id_start
    assert "Bahasa grup ini: bahasa Indonesia" in id_start
    assert en_help.startswith("Kembar commands") and "/lang <code> sets it" in en_help
    assert id_help.startswith("Perintah Kembar") and "/lang <kode> untuk mengubahnya" in id_help
    # The answers were sent as validated HTML (the emulator rejects malformed HTML with 400).
    assert all(m.get("parse_mode") == "HTML" for m in emu.sent(surabaya.chat.id))


async def test_lang_shows_sets_and_refuses_non_admins(emu: BotApiEmulator, db_url: str) -> None:
    busan = Town(emu, "Busan", "en")
    async with bot_running(emu, db_url):
        shown = await ask(emu, busan, "/lang")
        refused = await ask(emu, busan, "/lang id", as_admin=False)
        invalid = await ask(emu, busan, "/lang xx")
        changed = await ask(emu, busan, "/lang id")
        # From now on the group is Indonesian: the refusal comes in Indonesian.
        refused_id = await ask(emu, busan, "/lang en", as_admin=False)
        unchanged = await ask(emu, busan, "/lang id")
        start = await ask(emu, busan, "/start")
    assert "This group's language is English (en)" in shown
    assert refused == "Sorry, only an administrator of this group can do that."
    assert invalid.startswith("xx is not a language code I know")
    assert changed == (  # the zone moved too, from English's UTC (which names no place), and it says so
        "Bahasa grup ini telah diubah menjadi bahasa Indonesia (id). Zona waktunya sekarang Asia/Jakarta, zona yang "
        "lazim untuk bahasa ini; gunakan /tz untuk mengubahnya."
    )
    assert refused_id == "Mohon maaf, hanya administrator grup ini yang dapat melakukan hal tersebut."
    assert unchanged.startswith("Bahasa grup ini sudah bahasa Indonesia")
    assert "Kembar menghubungkan" in start
    # The refusals came from a real getChatMember check.
    assert any(call.method == "getChatMember" for call in emu.calls)

    db = Database(db_url)
    try:
        chat = await ChatRepository(db).get(busan.chat.id)
    finally:
        await db.dispose()
    assert chat is not None and chat.language == "id" and chat.title == "Busan"


async def test_lang_accepts_languages_without_a_ui_catalogue(emu: BotApiEmulator, sqlite_url: str) -> None:
    chiang_mai = Town(emu, "Chiang Mai", "en")
    async with bot_running(emu, sqlite_url):
        answer = await ask(emu, chiang_mai, "/lang th")
        start = await ask(emu, chiang_mai, "/start")
    assert answer == (
        "Done: this group's language is now Thai (th). Its time zone is now Asia/Bangkok, the usual one for this "
        "language; /tz changes it."
    )
    # No Thai UI catalogue: the UI falls back to English, naming the stored language.
    assert "This group's language: Thai" in start


async def test_settings_survive_a_restart(emu: BotApiEmulator, db_url: str) -> None:
    bandung = Town(emu, "Bandung", "en")
    async with bot_running(emu, db_url):
        changed = await ask(emu, bandung, "/lang id")
        assert changed.startswith("Bahasa grup ini telah diubah menjadi bahasa Indonesia (id).")
    async with bot_running(emu, db_url):
        start = await ask(emu, bandung, "/start")
    assert "Bahasa grup ini: bahasa Indonesia" in start


async def test_command_menu_is_set_per_language(emu: BotApiEmulator, sqlite_url: str, catalog: Catalog) -> None:
    town = Town(emu, "Jakarta", "id")
    async with bot_running(emu, sqlite_url):
        await ask(emu, town, "/help")
    default = {c["command"]: c["description"] for c in emu.commands()}
    indonesian = {c["command"]: c["description"] for c in emu.commands(language_code="id")}
    english = {c["command"]: c["description"] for c in emu.commands(language_code="en")}
    assert set(default) == {name for name, _ in MENU}
    assert {"start", "help", "lang", "link", "bridge", "unlink"} <= set(default)
    assert default == english
    assert indonesian["help"] == catalog.t("cmd.help", "id") == "Petunjuk penggunaan Kembar"


async def test_failing_set_my_commands_is_logged_not_fatal(
    emu: BotApiEmulator, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    town = Town(emu, "Medan", "en")
    emu.faults.add(method="setMyCommands", kind="500")
    with caplog.at_level(logging.WARNING, logger="bot.telegram.app"):
        async with bot_running(emu, sqlite_url):
            start = await ask(emu, town, "/start")
    assert "Kembar links" in start
    assert "setMyCommands(language_code=None) failed" in caplog.text
    assert emu.commands() == []


async def test_error_handler_logs_and_tells_the_user(
    emu: BotApiEmulator, sqlite_url: str, caplog: pytest.LogCaptureFixture, redacted_logs: None
) -> None:
    town = Town(emu, "Surabaya", "id")
    emu.faults.add(method="sendMessage", kind="500", times=1)
    with caplog.at_level(logging.DEBUG):
        async with bot_running(emu, sqlite_url):
            emu.post(town.chat.id, town.admin.id, "/help")
            sent = await emu.wait_for_sent(town.chat.id, 1)
    assert sent[0]["text"] == "Mohon maaf, terjadi kesalahan pada sistem kami. Silakan coba beberapa saat lagi."
    assert "Error while handling an update" in caplog.text
    assert TOKEN not in caplog.text
    assert "kembar_integration_secret" not in caplog.text


async def test_rate_limited_replies_are_retried_not_lost(emu: BotApiEmulator, sqlite_url: str) -> None:
    town = Town(emu, "Bandung", "id")
    emu.faults.add(method="sendMessage", kind="429", retry_after=1, times=1)
    async with bot_running(emu, sqlite_url):
        answer = await ask(emu, town, "/help")
    assert answer.startswith("Perintah Kembar")
    statuses = [c.status for c in emu.calls if c.method == "sendMessage"]
    assert statuses == [429, 200]


async def test_token_never_appears_in_debug_logs(
    emu: BotApiEmulator, sqlite_url: str, caplog: pytest.LogCaptureFixture, redacted_logs: None
) -> None:
    town = Town(emu, "Semarang", "en")
    with caplog.at_level(logging.DEBUG):
        async with bot_running(emu, sqlite_url):
            await ask(emu, town, "/start")
    assert "getUpdates" in caplog.text or "get_updates" in caplog.text.lower()
    assert caplog.records, "expected python-telegram-bot/httpx debug records"
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text
