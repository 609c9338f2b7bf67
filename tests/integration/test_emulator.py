"""Tests of the Bot API emulator, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from email.utils import parsedate_to_datetime

import httpx
import pytest
import tornado.httpserver
import tornado.netutil
import tornado.web
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    MessageOriginChat,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.sandbox import html_check
from bot.sandbox.emulator import GROUP_ANONYMOUS_BOT, BotApiEmulator, JsonDict
from bot.sandbox.html_check import EntityParseError, finalize, parse_html

TOKEN = "123456:TEST-token"


def _png(width: int, height: int) -> bytes:
    """A valid PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _retry_after_seconds(error: RetryAfter) -> int:
    # PTB 22 announces that retry_after becomes a timedelta; accept both representations.
    value = error.retry_after
    return int(value.total_seconds()) if isinstance(value, dtm.timedelta) else value


async def _raw(emu: BotApiEmulator, method: str, **params: object) -> JsonDict:
    """One call over plain HTTP: Telegram's JSON answer as it is, description and parameters."""
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}") as client:
        response = await client.post(f"/{method}", json=params)
    body: JsonDict = response.json()
    assert body.get("error_code", 200) == response.status_code
    return body


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(TOKEN) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as client:
        yield client


# -- identity, auth, routing ----------------------------------------------------------------------


async def test_get_me_describes_the_configured_bot(emu: BotApiEmulator, bot: Bot) -> None:
    me = await bot.get_me()

    assert me.id == 123456
    assert me.is_bot
    assert me.username == "kembar_bot"
    assert me.first_name == "Kembar"
    assert me.can_read_all_group_messages is True
    assert emu.root_url.startswith("http://127.0.0.1:")
    assert emu.base_url == f"{emu.root_url}/bot"


async def test_wrong_token_raises_invalid_token(emu: BotApiEmulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong-token", base_url=emu.base_url):
            pass

    assert emu.calls == []  # rejected before any method ran


async def test_method_names_are_case_insensitive_and_unknown_ones_are_404(emu: BotApiEmulator, bot: Bot) -> None:
    me = await bot.do_api_request("GETME")
    assert me["username"] == "kembar_bot"

    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")

    assert [call.method for call in emu.calls][-1] == "getMe"


async def test_json_bodies_and_query_strings_are_accepted_like_telegram(emu: BotApiEmulator) -> None:
    chat = emu.create_chat("Twins")
    async with httpx.AsyncClient(base_url=f"{emu.base_url}{TOKEN}") as client:
        by_json = (await client.post("/sendMessage", json={"chat_id": chat.id, "text": "json body"})).json()
        by_query = (await client.get("/sendMessage", params={"chat_id": chat.id, "text": "query"})).json()
        bad_token = await client.post(f"{emu.root_url}/bot1:nope/getMe")

    assert by_json["ok"] and by_json["result"]["text"] == "json body"
    assert by_query["ok"] and by_query["result"]["message_id"] == by_json["result"]["message_id"] + 1
    assert bad_token.status_code == 401
    assert bad_token.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


# -- updates -------------------------------------------------------------------------------------


async def test_get_updates_redelivers_until_acknowledged_by_offset(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice", username="alice", language_code="en")
    emu.post(chat.id, alice.id, "hello")
    emu.post(chat.id, alice.id, "world")

    first = await bot.get_updates()
    again = await bot.get_updates()

    assert [u.message.text for u in first if u.message] == ["hello", "world"]
    assert [u.update_id for u in again] == [u.update_id for u in first]
    assert first[0].message is not None and first[0].message.from_user is not None
    assert first[0].message.from_user.language_code == "en"
    assert first[0].effective_chat is not None and first[0].effective_chat.id == chat.id

    after = await bot.get_updates(offset=first[-1].update_id + 1)
    assert after == ()
    assert emu.pending_updates == []

    emu.post(chat.id, alice.id, "third")
    latest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in latest if u.message] == ["third"]


async def test_negative_offset_keeps_only_the_latest_updates(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")
    for text in ("one", "two", "three"):
        emu.post(chat.id, alice.id, text)

    updates = await bot.get_updates(offset=-1)

    assert [u.message.text for u in updates if u.message] == ["three"]
    assert len(emu.pending_updates) == 1


async def test_long_poll_returns_as_soon_as_an_update_arrives(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for(lambda: emu.active_polls == 1)

    emu.post(chat.id, alice.id, "wake up")
    updates = await asyncio.wait_for(poll, timeout=5)

    assert [u.message.text for u in updates if u.message] == ["wake up"]
    assert loop.time() - started < 5
    assert emu.active_polls == 0


async def test_a_second_poller_terminates_the_first_with_conflict(emu: BotApiEmulator, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for(lambda: emu.active_polls == 1)

    async with Bot(TOKEN, base_url=emu.base_url) as second_instance:
        second = await second_instance.get_updates(timeout=0)

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, timeout=5)
    assert second == ()


async def test_allowed_updates_filters_update_types(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Approve", callback_data="approve:1")]])
    sent = await bot.send_message(chat.id, "Proposal", reply_markup=keyboard)

    assert await bot.get_updates(allowed_updates=["callback_query"]) == ()
    emu.post(chat.id, alice.id, "ignored: not an allowed type")
    query_id = emu.press(chat.id, sent.message_id, alice.id, "approve:1")
    updates = await bot.get_updates()

    assert len(updates) == 1
    assert updates[0].callback_query is not None
    assert updates[0].callback_query.id == query_id
    assert updates[0].callback_query.data == "approve:1"


async def test_webhook_blocks_polling_and_delivers_updates(emu: BotApiEmulator, bot: Bot) -> None:
    received: list[JsonDict] = []
    secrets: list[str | None] = []

    class Hook(tornado.web.RequestHandler):
        def post(self) -> None:
            received.append(json.loads(self.request.body))
            secrets.append(self.request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
            self.finish("")

    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    server = tornado.httpserver.HTTPServer(tornado.web.Application([(r"/hook", Hook)]))
    server.add_sockets(sockets)
    url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook"
    try:
        chat = emu.create_chat("Twins")
        alice = emu.create_user("Alice")
        emu.post(chat.id, alice.id, "before the webhook")

        assert await bot.set_webhook(url, secret_token="s3cret", drop_pending_updates=True)
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        emu.post(chat.id, alice.id, "via webhook")
        await emu.wait_for(lambda: len(received) == 1)
        info = await bot.get_webhook_info()
    finally:
        server.stop()
        await server.close_all_connections()

    assert [update["message"]["text"] for update in received] == ["via webhook"]
    assert secrets == ["s3cret"]
    assert info.url == url
    await emu.wait_for(lambda: emu.pending_updates == [])
    assert await bot.delete_webhook()
    assert emu.webhook_url == ""
    assert await bot.get_updates() == ()


async def test_a_failed_webhook_delivery_is_reported_with_telegrams_time(emu: BotApiEmulator, bot: Bot) -> None:
    sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
    closed_port = sockets[0].getsockname()[1]
    sockets[0].close()  # nothing listens there
    emu.clock_offset = -3600.0  # Telegram's clock an hour behind ours
    assert await bot.set_webhook(f"http://127.0.0.1:{closed_port}/hook")
    assert emu.webhook_last_error is None
    emu.inject_raw_update({"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}})

    error = await emu.wait_for(lambda: emu.webhook_last_error)
    info = await bot.get_webhook_info()

    assert error.startswith("Connection failed")
    assert info.last_error_message == error and info.pending_update_count == 1
    assert info.last_error_date is not None
    age = dtm.datetime.now(dtm.UTC) - info.last_error_date
    assert dtm.timedelta(minutes=59) < age < dtm.timedelta(minutes=61)


async def test_the_date_header_and_message_dates_follow_the_emulators_clock(emu: BotApiEmulator) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")
    emu.clock_offset = 90.0
    async with httpx.AsyncClient() as client:
        before = dtm.datetime.now(dtm.UTC)
        response = await client.get(f"{emu.base_url}{TOKEN}/getMe")
        after = dtm.datetime.now(dtm.UTC)
        missing = await client.get(f"{emu.root_url}/no/such/path")
    emu.post(chat.id, alice.id, "hello")

    date = parsedate_to_datetime(response.headers["Date"])
    ahead = dtm.timedelta(seconds=90)
    assert before + ahead - dtm.timedelta(seconds=1) <= date <= after + ahead  # the header has whole seconds
    assert parsedate_to_datetime(missing.headers["Date"]) >= before + ahead - dtm.timedelta(seconds=1)
    message_date = dtm.datetime.fromtimestamp(emu.messages(chat.id)[-1]["date"], dtm.UTC)
    assert message_date >= before + ahead - dtm.timedelta(seconds=1)


async def test_delete_webhook_can_drop_pending_updates(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")
    emu.post(chat.id, alice.id, "stale")

    assert await bot.delete_webhook(drop_pending_updates=True)

    assert await bot.get_updates() == ()


async def test_stop_releases_a_pending_long_poll(emu: BotApiEmulator, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for(lambda: emu.active_polls == 1)

    await asyncio.wait_for(emu.stop(), timeout=5)

    try:
        updates = await asyncio.wait_for(poll, timeout=5)
    except NetworkError:
        updates = ()
    assert updates == ()
    assert emu.active_polls == 0


async def test_raw_updates_are_served_as_given_even_when_ptb_cannot_parse_them(emu: BotApiEmulator, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await emu.wait_for(lambda: emu.active_polls == 1)
    chatless = emu.inject_raw_update({"message": {"message_id": 7, "date": 0, "text": "no chat"}})
    woken = await asyncio.wait_for(poll, timeout=5)
    broken: JsonDict = {
        "message": {"message_id": 8, "date": "yesterday", "chat": {"id": -4000000001, "type": "group", "title": "T"}}
    }
    unparsable = emu.inject_raw_update(broken)

    with pytest.raises(TypeError):  # PTB fails to build the Message from a string date
        await bot.get_updates(offset=chatless + 1)
    served = await _raw(emu, "getUpdates")
    acknowledged = await bot.get_updates(offset=unparsable + 1)
    with pytest.raises(ValueError, match="update_id"):
        emu.inject_raw_update({"update_id": 99, "message": {}})

    assert [u.update_id for u in woken] == [chatless]
    assert woken[0].message is not None and woken[0].message.text == "no chat"
    assert served == {"ok": True, "result": [{"update_id": unparsable, **broken}]}
    assert acknowledged == ()
    assert emu.pending_updates == []


# -- sending and formatting ------------------------------------------------------------------------


async def test_message_ids_are_per_chat_and_shared_with_users(emu: BotApiEmulator, bot: Bot) -> None:
    twins = emu.create_chat("Twins")
    other = emu.create_chat("Other")
    alice = emu.create_user("Alice")

    first = emu.post(twins.id, alice.id, "hi")
    reply = await bot.send_message(twins.id, "hello")
    second = emu.post(twins.id, alice.id, "again")
    elsewhere = await bot.send_message(other.id, "first in other chat")

    assert [first["message_id"], reply.message_id, second["message_id"]] == [1, 2, 3]
    assert elsewhere.message_id == 1
    assert twins.id < 0 and twins.id != other.id
    assert [m["message_id"] for m in emu.messages(twins.id)] == [1, 2, 3]
    assert [m["text"] for m in emu.sent(twins.id)] == ["hello"]


async def test_html_is_parsed_into_text_and_entities(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    html = '<b>Leeds</b> &amp; <i>Dortmund</i> — <a href="https://example.org">twinning</a> &lt;3'

    message = await bot.send_message(chat.id, html, parse_mode=ParseMode.HTML)

    assert message.text == "Leeds & Dortmund — twinning <3"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        (MessageEntity.BOLD, 0, 5),
        (MessageEntity.ITALIC, 8, 8),
        (MessageEntity.TEXT_LINK, 19, 8),
    ]
    assert message.entities[2].url == "https://example.org/"
    assert message.text_html.startswith("<b>Leeds</b> &amp; <i>Dortmund</i>")
    stored = emu.sent(chat.id)[0]
    assert stored["html"] == html
    assert stored["text"] == message.text


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("<p>paragraph</p>", 'unsupported start tag "p" at byte offset 0'),
        ("<b>never closed", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b>crossed</i>", 'unmatched end tag at byte offset 10, expected "</b>", found "</i>"'),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("stray </b>", "unexpected end tag at byte offset 6"),
        ('<a href="x', "unclosed start tag at byte offset 0"),
    ],
)
async def test_invalid_html_is_rejected_like_telegram(emu: BotApiEmulator, bot: Bot, html: str, error: str) -> None:
    chat = emu.create_chat("Twins")

    with pytest.raises(BadRequest) as raised:
        await bot.send_message(chat.id, html, parse_mode=ParseMode.HTML)

    assert raised.value.message.lower() == f"can't parse entities: {error}".lower()
    assert emu.sent(chat.id) == []
    assert emu.calls[-1].status == 400


async def test_explicit_entities_are_validated_and_stored(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")

    message = await bot.send_message(chat.id, "Action items", entities=[MessageEntity(MessageEntity.UNDERLINE, 0, 6)])

    assert [(e.type, e.offset, e.length) for e in message.entities] == [(MessageEntity.UNDERLINE, 0, 6)]
    assert emu.sent(chat.id)[0]["html"] is None


async def test_text_length_limit_applies_after_entity_parsing(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")

    longest = await bot.send_message(chat.id, "a" * 4096)
    wrapped = await bot.send_message(chat.id, "<b>" + "b" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(chat.id, "c" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(chat.id, "<b> </b>\n", parse_mode=ParseMode.HTML)

    assert longest.text == "a" * 4096
    assert wrapped.text == "b" * 4096
    assert len(emu.sent(chat.id)) == 2


async def test_caption_length_limit(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    photo = _png(40, 30)

    ok = await bot.send_photo(chat.id, photo, caption="x" * 1024)
    with pytest.raises(BadRequest, match=r"(?i)message caption is too long"):
        await bot.send_photo(chat.id, photo, caption="<i>" + "y" * 1025 + "</i>", parse_mode=ParseMode.HTML)

    assert ok.caption == "x" * 1024
    assert ok.photo[-1].width == 40 and ok.photo[-1].height == 30
    assert len(emu.sent(chat.id)) == 1


async def test_surrounding_whitespace_is_trimmed_and_entities_detected(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")

    message = await bot.send_message(chat.id, "\n  Try /help or visit https://kembar.example.org  \n")

    assert message.text == "Try /help or visit https://kembar.example.org"
    assert [(e.type, message.parse_entity(e)) for e in message.entities] == [
        (MessageEntity.BOT_COMMAND, "/help"),
        (MessageEntity.URL, "https://kembar.example.org"),
    ]


async def test_reply_parameters(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")
    question = emu.post(chat.id, alice.id, "When is the next exchange?")

    answer = await bot.send_message(chat.id, "In May", reply_parameters=ReplyParameters(question["message_id"]))
    legacy = await bot.send_message(chat.id, "Also June", reply_to_message_id=question["message_id"])
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(chat.id, "lost", reply_parameters=ReplyParameters(999))
    lenient = await bot.send_message(
        chat.id, "anyway", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )

    assert answer.reply_to_message is not None
    assert answer.reply_to_message.message_id == question["message_id"]
    assert answer.reply_to_message.text == "When is the next exchange?"
    assert legacy.reply_to_message is not None
    assert legacy.reply_to_message.message_id == question["message_id"]
    assert lenient.reply_to_message is None
    assert [m["text"] for m in emu.sent(chat.id)] == ["In May", "Also June", "anyway"]


async def test_bot_commands_posted_by_users_get_entities(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")

    plain = emu.post(chat.id, alice.id, "/status")
    addressed = emu.post(chat.id, alice.id, "/status@kembar_bot now")

    assert plain["entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]
    assert addressed["entities"] == [{"type": "bot_command", "offset": 0, "length": 18}]
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["/status", "/status@kembar_bot now"]


# -- editing, copying, deleting ----------------------------------------------------------------------


async def test_edit_message_text_and_not_modified(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")
    original = await bot.send_message(chat.id, "<b>Draft</b>", parse_mode=ParseMode.HTML)

    edited = await bot.edit_message_text("<b>Final</b>", chat.id, original.message_id, parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest) as not_modified:
        await bot.edit_message_text("<b>Final</b>", chat.id, original.message_id, parse_mode=ParseMode.HTML)
    user_message = emu.post(chat.id, alice.id, "mine")
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("hijack", chat.id, user_message["message_id"])
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("ghost", chat.id, 999)

    assert isinstance(edited, Message)
    assert not_modified.value.message == (
        "Message is not modified: specified new message content and reply markup are exactly the same "
        "as a current content and reply markup of the message"
    )
    assert edited.text == "Final"
    assert edited.edit_date is not None
    current = emu.sent(chat.id)
    assert [m["text"] for m in current] == ["Final"]
    assert current[0]["html"] == "<b>Final</b>"
    assert [h["text"] for h in current[0]["edit_history"]] == ["Draft"]


async def test_editing_without_markup_removes_the_inline_keyboard(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done")]])
    sent = await bot.send_message(chat.id, "Task", reply_markup=keyboard)

    edited = await bot.edit_message_text("Task", chat.id, sent.message_id)

    assert sent.reply_markup == keyboard
    assert isinstance(edited, Message)
    assert edited.reply_markup is None
    assert "reply_markup" not in emu.sent(chat.id)[0]


async def test_copy_message_with_caption_override(emu: BotApiEmulator, bot: Bot) -> None:
    source = emu.create_chat("Leeds")
    target = emu.create_chat("Dortmund")
    alice = emu.create_user("Alice")
    photo = emu.post(source.id, alice.id, photo=True, caption="Town hall")
    text = emu.post(source.id, alice.id, "Minutes attached")

    copied = await bot.copy_message(
        target.id, source.id, photo["message_id"], caption="<b>Rathaus</b>", parse_mode=ParseMode.HTML
    )
    copied_text = await bot.copy_message(target.id, source.id, text["message_id"])
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(target.id, source.id, 999)

    copies = emu.sent(target.id)
    assert [copied.message_id, copied_text.message_id] == [m["message_id"] for m in copies]
    assert copies[0]["caption"] == "Rathaus"
    assert copies[0]["caption_entities"] == [{"type": "bold", "offset": 0, "length": 7}]
    assert copies[0]["photo"] == photo["photo"]
    assert "forward_origin" not in copies[0]
    assert copies[1]["text"] == "Minutes attached"


async def test_forward_and_delete(emu: BotApiEmulator, bot: Bot) -> None:
    source = emu.create_chat("Leeds")
    target = emu.create_chat("Dortmund")
    alice = emu.create_user("Alice")
    original = emu.post(source.id, alice.id, "Greetings from Leeds")

    forwarded = await bot.forward_message(target.id, source.id, original["message_id"])
    assert await bot.delete_message(target.id, forwarded.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(target.id, forwarded.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await bot.delete_message(source.id, original["message_id"])

    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user.id == alice.id  # type: ignore[attr-defined]
    assert emu.sent(target.id) == []
    assert emu.sent(target.id, include_deleted=True)[0]["deleted"] is True


# -- files ------------------------------------------------------------------------------------------


async def test_document_upload_download_and_reuse(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")

    message = await bot.send_document(chat.id, b"agenda: twinning", filename="agenda.txt", caption="Agenda")
    assert message.document is not None
    again = await bot.send_document(chat.id, message.document.file_id)
    file = await bot.get_file(message.document.file_id)
    content = await file.download_as_bytearray()
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_document(chat.id, "not-a-file-id")

    assert message.document.file_name == "agenda.txt"
    assert message.document.mime_type == "text/plain"
    assert message.document.file_size == len(b"agenda: twinning")
    assert message.caption == "Agenda"
    assert again.document is not None
    assert again.document.file_unique_id == message.document.file_unique_id
    assert bytes(content) == b"agenda: twinning"
    assert emu.calls_to("sendDocument")[0].params["document"]["file_name"] == "agenda.txt"


async def test_photo_upload_is_checked_like_telegram(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")

    message = await bot.send_photo(chat.id, _png(1600, 1200))
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(chat.id, b"definitely not an image")
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type photo as document"):
        await bot.send_document(chat.id, message.photo[-1].file_id)

    sizes = [(size.width, size.height) for size in message.photo]
    assert sizes[0] == (90, 68)
    assert sizes[-1] == (1280, 960)
    assert len({size.file_unique_id for size in message.photo}) == len(sizes)


# -- callback queries -----------------------------------------------------------------------------


async def test_callback_queries_can_be_answered_once(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Vote", callback_data="vote")]])
    sent = await bot.send_message(chat.id, "Vote?", reply_markup=keyboard)
    query_id = emu.press(chat.id, sent.message_id, alice.id, "vote")

    assert await bot.answer_callback_query(query_id, text="Counted", show_alert=True)
    with pytest.raises(BadRequest) as too_old:
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await bot.answer_callback_query("12345")
    with pytest.raises(ValueError, match="no button"):
        emu.press(chat.id, sent.message_id, alice.id, "not-a-button")

    answer = emu.callback_answer(query_id)
    assert too_old.value.message == (
        "Query is too old and response timeout expired or query id is invalid"  # PTB lower-cases
    )
    assert answer is not None
    assert (answer["text"], answer["show_alert"], answer["user_id"]) == ("Counted", True, alice.id)


# -- faults ---------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_fault_raises_retry_after_and_drops_the_message(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    emu.faults.add("sendMessage", "429", retry_after=7, times=1)

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(chat.id, "flood")
    assert emu.sent(chat.id) == []
    retried = await bot.send_message(chat.id, "flood")

    assert _retry_after_seconds(raised.value) == 7
    assert [m["text"] for m in emu.sent(chat.id)] == ["flood"]
    assert retried.message_id == 1
    assert [call.status for call in emu.calls_to("sendMessage")] == [429, 200]


async def test_server_error_faults_raise_network_errors(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    emu.faults.add("sendMessage", "500", times=1)
    emu.faults.add("sendMessage", "502", times=1)
    emu.faults.add("sendMessage", "network_drop", times=1)

    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(chat.id, "a")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(chat.id, "b")
    with pytest.raises(NetworkError):
        await bot.send_message(chat.id, "c")
    await bot.send_message(chat.id, "d")

    assert [m["text"] for m in emu.sent(chat.id)] == ["d"]
    assert [call.status for call in emu.calls_to("sendMessage")] == [500, 502, 0, 200]


async def test_lost_response_executes_the_request(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    emu.faults.add(None, "lost_response", times=1, chat_id=chat.id)

    with pytest.raises(NetworkError):
        await bot.send_message(chat.id, "delivered, but the bot never learns it")

    assert [m["text"] for m in emu.sent(chat.id)] == ["delivered, but the bot never learns it"]


async def test_fault_share_is_reproducible_with_a_seed() -> None:
    def hits(seed: int) -> list[bool]:
        emulator = BotApiEmulator(seed=seed)
        emulator.faults.add("sendMessage", "500", share=0.3)
        return [emulator.faults.pick("sendMessage", None) is not None for _ in range(200)]

    first, second = hits(7), hits(7)

    assert first == second
    assert 30 < sum(first) < 90
    with pytest.raises(ValueError, match="unknown fault kind"):
        BotApiEmulator().faults.add("sendMessage", 418)


async def test_slow_fault_delays_the_answer(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    emu.faults.add("sendMessage", "slow", delay=0.3, times=1)
    loop = asyncio.get_running_loop()
    started = loop.time()

    await bot.send_message(chat.id, "late")

    assert loop.time() - started >= 0.3
    assert [m["text"] for m in emu.sent(chat.id)] == ["late"]


# -- chats and members ------------------------------------------------------------------------------


async def test_get_chat_member_follows_the_admin_roster(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    owner = emu.create_user("Olga")
    admin = emu.create_user("Adam")
    member = emu.create_user("Mia")
    stranger = emu.create_user("Stan")
    emu.set_creator(chat.id, owner.id)
    emu.set_admin(chat.id, admin.id)
    emu.post(chat.id, member.id, "hi")

    statuses = [(await bot.get_chat_member(chat.id, u.id)).status for u in (owner, admin, member, stranger)]
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_chat_member(chat.id, 424242)
    admins = await bot.get_chat_administrators(chat.id)
    bot_before = (await bot.get_chat_member(chat.id, bot.id)).status
    emu.set_admin(chat.id, bot.id)
    bot_after = (await bot.get_chat_member(chat.id, bot.id)).status
    emu.set_admin(chat.id, admin.id, admin=False)
    demoted = (await bot.get_chat_member(chat.id, admin.id)).status
    full = await bot.get_chat(chat.id)

    assert statuses == ["creator", "administrator", "member", "left"]
    assert [a.user.id for a in admins] == [owner.id, admin.id]
    assert (bot_before, bot_after, demoted) == ("member", "administrator", "member")
    assert (full.id, full.type, full.title) == (chat.id, "supergroup", "Twins")
    assert await bot.get_chat_member_count(chat.id) == 4  # Olga, Adam, Mia and the bot


async def test_bot_added_and_removed_from_a_chat(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins", with_bot=False)
    alice = emu.create_user("Alice")
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(chat.id, "not yet")

    emu.add_bot_to_chat(chat.id, alice.id)
    await bot.send_message(chat.id, "hello, twins")
    emu.remove_bot_from_chat(chat.id, alice.id)
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(chat.id, "still here?")
    updates = await bot.get_updates()

    changes = [
        (u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
        if u.my_chat_member
    ]
    assert changes == [("left", "member"), ("member", "left")]
    joined = [u.message for u in updates if u.message]
    assert joined and joined[0].new_chat_members[0].id == bot.id
    assert [m["text"] for m in emu.sent(chat.id)] == ["hello, twins"]


async def test_private_chats_need_the_user_to_start_the_bot(emu: BotApiEmulator, bot: Bot) -> None:
    alice = emu.create_user("Alice", language_code="id")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(alice.id, "hi")

    emu.post(alice.id, alice.id, "/start")
    greeting = await bot.send_message(alice.id, "Selamat datang")
    bob = emu.create_user("Bob")
    opened = emu.create_chat("ignored", type="private", chat_id=bob.id)
    to_bob = await bot.send_message(bob.id, "Hi Bob")
    emu.block_bot(alice.id)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "are you there?")

    assert greeting.chat.type == "private"
    assert greeting.message_id == 2
    assert (opened.id, opened.type, opened.first_name) == (bob.id, "private", "Bob")
    assert to_bob.chat.id == bob.id and to_bob.message_id == 1


async def test_privacy_mode_only_delivers_commands_and_replies() -> None:
    async with BotApiEmulator(TOKEN, privacy_mode=True) as emulator:
        chat = emulator.create_chat("Twins")
        alice = emulator.create_user("Alice")
        async with Bot(TOKEN, base_url=emulator.base_url) as client:
            question = await client.send_message(chat.id, "Which date?")
            emulator.post(chat.id, alice.id, "chatter the bot must not see")
            emulator.post(chat.id, alice.id, "/status@other_bot")
            emulator.post(chat.id, alice.id, "/status")
            emulator.post(chat.id, alice.id, "May 5", reply_to=question.message_id)
            updates = await client.get_updates()

    assert [u.message.text for u in updates if u.message] == ["/status", "May 5"]


# -- groups: upgrades, deletion, restrictions, anonymous administrators -----------------------------


async def test_a_group_upgraded_to_a_supergroup_answers_chat_migrated(emu: BotApiEmulator, bot: Bot) -> None:
    group = emu.create_chat("Twins", type="group")
    alice = emu.create_user("Alice")
    bob = emu.create_user("Bob")
    emu.set_creator(group.id, alice.id)
    emu.set_admin(group.id, bob.id)
    emu.set_admin(group.id, bot.id)
    before = await bot.send_message(group.id, "before the upgrade")

    new_id = emu.migrate_to_supergroup(group.id)
    updates = await bot.get_updates()
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: bot.send_message(group.id, "hello?"),
        lambda: bot.send_photo(group.id, _png(4, 4)),
        lambda: bot.copy_message(group.id, group.id, before.message_id),
        lambda: bot.edit_message_text("edited", chat_id=group.id, message_id=before.message_id),
        lambda: bot.delete_message(group.id, before.message_id),
        lambda: bot.send_chat_action(group.id, "typing"),
        lambda: bot.get_chat_member(group.id, alice.id),
        lambda: bot.get_chat_administrators(group.id),
    ]
    migrated_to = []
    for attempt in attempts:
        with pytest.raises(ChatMigrated) as caught:
            await attempt()
        migrated_to.append(caught.value.new_chat_id)
    raw = await _raw(emu, "sendMessage", chat_id=group.id, text="raw")
    # What the Bot API server checks with read access only still answers.
    old_chat = await bot.get_chat(group.id)
    bot_in_old = await bot.get_chat_member(group.id, bot.id)
    copied = await bot.copy_message(new_id, group.id, before.message_id)
    with pytest.raises(BadRequest, match="Chat is deactivated"):
        await bot.leave_chat(group.id)
    with pytest.raises(ValueError, match="upgraded"):
        emu.post(group.id, alice.id, "anyone here?")
    emu.post(new_id, alice.id, "moved in")
    supergroup = await bot.get_chat(new_id)
    admins = await bot.get_chat_administrators(new_id)

    assert str(new_id).startswith("-100")
    assert migrated_to == [new_id] * len(attempts)
    assert raw == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": new_id},
    }
    service = [
        u.message for u in updates if u.message and (u.message.migrate_to_chat_id or u.message.migrate_from_chat_id)
    ]
    assert [(m.chat.id, m.migrate_to_chat_id, m.migrate_from_chat_id) for m in service] == [
        (group.id, new_id, None),
        (new_id, None, group.id),
    ]
    to_message, from_message = service
    assert to_message.from_user is not None and to_message.from_user.id == alice.id
    assert from_message.message_id == 1
    assert from_message.from_user is not None and from_message.from_user.username == "GroupAnonymousBot"
    assert from_message.sender_chat is not None and from_message.sender_chat.id == new_id
    assert (old_chat.type, bot_in_old.status) == ("group", "administrator")
    assert (supergroup.type, supergroup.title) == ("supergroup", "Twins")
    assert [(a.user.id, a.status) for a in admins] == [
        (alice.id, "creator"),
        (bob.id, "administrator"),
        (bot.id, "administrator"),
    ]
    assert [m["text"] for m in emu.sent(new_id)] == ["before the upgrade"]
    assert copied.message_id == 2  # after the service message
    assert [m["text"] for m in emu.sent(group.id)] == ["before the upgrade"]


async def test_only_a_live_basic_group_can_be_upgraded(emu: BotApiEmulator) -> None:
    supergroup = emu.create_chat("Big")
    group = emu.create_chat("Small", type="group", with_bot=False)
    alice = emu.create_user("Alice")
    with pytest.raises(ValueError, match="basic group"):
        emu.migrate_to_supergroup(supergroup.id)
    with pytest.raises(ValueError, match="no other chat has"):
        emu.migrate_to_supergroup(group.id, new_chat_id=supergroup.id)

    new_id = emu.migrate_to_supergroup(group.id, new_chat_id=-1009876543210, by_user_id=alice.id)

    with pytest.raises(ValueError, match="upgraded"):
        emu.migrate_to_supergroup(group.id)
    assert new_id == -1009876543210
    assert emu.pending_updates == []  # the bot is not in the group
    assert [(m["from"]["id"], m["migrate_to_chat_id"]) for m in emu.messages(group.id)] == [(alice.id, new_id)]
    assert [m["migrate_from_chat_id"] for m in emu.messages(new_id)] == [group.id]
    assert emu.chat(new_id).type == "supergroup"


# What a user posts in a source chat for each kind of content, and how the bot sends it directly.
_CONTENT_KINDS: dict[str, tuple[JsonDict, Callable[[Bot, int], Awaitable[object]] | None]] = {
    "text": ({"text": "hello"}, lambda bot, chat_id: bot.send_message(chat_id, "hello")),
    "photo": ({"photo": True}, lambda bot, chat_id: bot.send_photo(chat_id, _png(4, 4))),
    "document": ({"document": True}, lambda bot, chat_id: bot.send_document(chat_id, b"notes", filename="n.txt")),
    "sticker": ({"sticker": True}, None),  # the emulator has no sendSticker; copyMessage sends one
}


@pytest.mark.parametrize(
    ("kind", "right", "noun"),
    [
        ("text", "can_send_messages", "text messages"),
        ("photo", "can_send_photos", "photos"),
        ("document", "can_send_documents", "documents"),
        ("sticker", "can_send_other_messages", "stickers"),
    ],
)
async def test_a_restricted_bot_is_refused_what_it_lacks_the_right_for(
    emu: BotApiEmulator, bot: Bot, kind: str, right: str, noun: str
) -> None:
    chat = emu.create_chat("Twins")
    source = emu.create_chat("Source")
    alice = emu.create_user("Alice")
    originals = {
        name: emu.post(source.id, alice.id, **post)["message_id"] for name, (post, _) in _CONTENT_KINDS.items()
    }
    emu.restrict_bot(chat.id, **{right: False})

    _, send = _CONTENT_KINDS[kind]
    if send is not None:
        with pytest.raises(BadRequest, match=f"^Not enough rights to send {noun} to the chat$"):
            await send(bot, chat.id)
    raw = await _raw(emu, "copyMessage", chat_id=chat.id, from_chat_id=source.id, message_id=originals[kind])
    others = [
        await bot.copy_message(chat.id, source.id, message_id) for name, message_id in originals.items() if name != kind
    ]
    emu.unrestrict_bot(chat.id)
    lifted = await bot.copy_message(chat.id, source.id, originals[kind])

    assert raw == {
        "ok": False,
        "error_code": 400,
        "description": f"Bad Request: not enough rights to send {noun} to the chat",
    }
    assert len(others) == len(_CONTENT_KINDS) - 1
    assert lifted.message_id == len(_CONTENT_KINDS)  # refused sends took no message id


async def test_a_restricted_bot_shows_in_get_chat_member_and_my_chat_member(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    group = emu.create_chat("Small", type="group")
    emu.restrict_bot(chat.id, can_send_messages=False, can_send_photos=False)
    emu.restrict_bot(group.id, can_send_messages=False)

    restricted = await bot.get_chat_member(chat.id, bot.id)
    in_group = await bot.get_chat_member(group.id, bot.id)
    with pytest.raises(BadRequest, match="Not enough rights to send text messages"):
        await bot.send_message(group.id, "hi")
    emu.unrestrict_bot(chat.id)
    lifted = await bot.get_chat_member(chat.id, bot.id)
    emu.restrict_bot(chat.id, can_send_photos=False)
    emu.set_admin(chat.id, bot.id)  # promotion lifts restrictions
    photo = await bot.send_photo(chat.id, _png(4, 4))
    with pytest.raises(ValueError, match="demote"):
        emu.restrict_bot(chat.id, can_send_messages=False)
    emu.restrict_bot(group.id)  # every right: no restriction left
    greeting = await bot.send_message(group.id, "hi")
    updates = await bot.get_updates()

    assert isinstance(restricted, ChatMemberRestricted)
    assert restricted.is_member
    assert restricted.until_date.timestamp() == 0  # Telegram's 0: restricted until lifted
    assert (restricted.can_send_messages, restricted.can_send_photos) == (False, False)
    assert (restricted.can_send_documents, restricted.can_send_other_messages) == (True, True)
    assert in_group.status == "member"  # basic groups restrict through their default permissions
    assert lifted.status == "member"
    assert photo.photo and greeting.text == "hi"
    changes = [
        (u.my_chat_member.chat.id, u.my_chat_member.old_chat_member.status, u.my_chat_member.new_chat_member.status)
        for u in updates
        if u.my_chat_member
    ]
    assert changes == [
        (chat.id, "member", "restricted"),
        (chat.id, "restricted", "member"),
        (chat.id, "member", "restricted"),
        (chat.id, "restricted", "administrator"),
    ]


async def test_an_anonymous_admin_posts_on_behalf_of_the_group(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    group = emu.create_chat("Small", type="group")
    alice = emu.create_user("Alice")
    bob = emu.create_user("Bob")
    emu.set_admin(chat.id, alice.id)
    emu.set_admin(group.id, alice.id)
    emu.post(chat.id, bob.id, "hi")

    posted = emu.post(chat.id, alice.id, "/status", as_chat=True)
    with pytest.raises(ValueError, match="not an administrator"):
        emu.post(chat.id, bob.id, "me too", as_chat=True)
    with pytest.raises(ValueError, match="only supergroups"):
        emu.post(group.id, alice.id, "in a basic group", as_chat=True)
    updates = await bot.get_updates()
    message = [u.message for u in updates if u.message][-1]
    forwarded = await bot.forward_message(chat.id, chat.id, message.message_id)

    assert posted["from"] == GROUP_ANONYMOUS_BOT.to_api()
    sender = message.from_user
    assert sender is not None
    assert (sender.id, sender.is_bot, sender.first_name, sender.username) == (
        1087968824,
        True,
        "Group",
        "GroupAnonymousBot",
    )
    assert message.sender_chat is not None
    assert (message.sender_chat.id, message.sender_chat.type) == (chat.id, "supergroup")
    assert message.text == "/status" and message.entities[0].type == "bot_command"
    assert isinstance(forwarded.forward_origin, MessageOriginChat)
    assert forwarded.forward_origin.sender_chat.id == chat.id


async def test_deleted_groups_answer_like_telegram(emu: BotApiEmulator, bot: Bot) -> None:
    group = emu.create_chat("Small", type="group")
    supergroup = emu.create_chat("Big")
    alice = emu.create_user("Alice")
    emu.post(group.id, alice.id, "bye")

    emu.delete_chat(group.id)
    emu.delete_chat(supergroup.id)

    raw = await _raw(emu, "sendMessage", chat_id=group.id, text="hello?")
    with pytest.raises(Forbidden, match="the group chat was deleted"):
        await bot.get_chat_member_count(group.id)
    with pytest.raises(BadRequest, match="Chat is deactivated"):
        await bot.leave_chat(group.id)
    group_info = await bot.get_chat(group.id)  # read access still answers
    supergroup_answers = [
        await _raw(emu, "sendMessage", chat_id=supergroup.id, text="hello?"),
        await _raw(emu, "getChat", chat_id=supergroup.id),
        await _raw(emu, "getChatMember", chat_id=supergroup.id, user_id=bot.id),
    ]
    with pytest.raises(ValueError, match="deleted"):
        emu.post(group.id, alice.id, "anyone?")
    with pytest.raises(ValueError, match="deleted"):
        emu.delete_chat(supergroup.id)

    assert raw == {"ok": False, "error_code": 403, "description": "Forbidden: the group chat was deleted"}
    assert group_info.title == "Small"
    assert supergroup_answers == [{"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}] * 3


# -- bot settings -----------------------------------------------------------------------------------


async def test_set_my_commands_per_scope_and_language(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    english = [BotCommand("status", "Partnership status"), BotCommand("todo", "Action items")]
    indonesian = [BotCommand("status", "Status kemitraan")]

    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(indonesian, language_code="id")
    assert await bot.set_my_commands([BotCommand("link", "Link chats")], scope=BotCommandScopeAllGroupChats())
    assert await bot.set_my_commands([BotCommand("help", "Help")], scope=BotCommandScopeChat(chat.id))
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Status", "capital letters are not allowed")])

    assert await bot.get_my_commands() == tuple(english)
    assert await bot.get_my_commands(language_code="id") == tuple(indonesian)
    assert await bot.get_my_commands(language_code="de") == ()
    assert [c["command"] for c in emu.commands()] == ["status", "todo"]
    assert emu.commands("id") == [{"command": "status", "description": "Status kemitraan"}]
    assert [c["command"] for c in emu.commands(scope="all_group_chats")] == ["link"]
    assert [c["command"] for c in emu.commands(scope={"type": "chat", "chat_id": chat.id})] == ["help"]

    assert await bot.delete_my_commands(language_code="id")
    assert emu.commands("id") == []
    assert [c["command"] for c in emu.commands()] == ["status", "todo"]


async def test_bot_profile_texts_per_language(emu: BotApiEmulator, bot: Bot) -> None:
    assert await bot.set_my_description("Sister-city partnerships")
    assert await bot.set_my_description("Kemitraan kota kembar", language_code="id")

    assert (await bot.get_my_description(language_code="id")).description == "Kemitraan kota kembar"
    assert emu.profile("description") == "Sister-city partnerships"
    assert (await bot.get_my_name()).name == "Kembar"


# -- a real Application ----------------------------------------------------------------------------


async def test_application_polling_end_to_end(emu: BotApiEmulator) -> None:
    chat = emu.create_chat("Twins")
    alice = emu.create_user("Alice", username="alice")
    seen: list[JsonDict] = []
    emu.on_bot_message = lambda chat_id, message: seen.append({"chat_id": chat_id, "text": message.get("text")})

    async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Refresh", callback_data="refresh")]])
        await update.effective_message.reply_html("<b>Status</b>: 3 open items", reply_markup=keyboard)

    async def refresh(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Refreshed")
        await query.edit_message_text("<b>Status</b>: 2 open items", parse_mode=ParseMode.HTML)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    app = Application.builder().token(TOKEN).base_url(emu.base_url).base_file_url(emu.base_file_url).build()
    app.add_handler(CommandHandler("status", status))
    app.add_handler(CallbackQueryHandler(refresh, pattern="^refresh$"))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        try:
            command = emu.post(chat.id, alice.id, "/status")
            reply = await emu.wait_for_text(chat.id, "open items")
            query_id = emu.press(chat.id, reply["message_id"], alice.id, "refresh")
            answer = await emu.wait_for_callback_answer(query_id)
            edited = await emu.wait_for_text(chat.id, "2 open items")
            emu.post(chat.id, alice.id, "ping")
            echoed = await emu.wait_for_text(chat.id, "echo: ping")
            await emu.wait_until_delivered()
        finally:
            await app.updater.stop()
            await app.stop()

    assert reply["reply_to_message"]["message_id"] == command["message_id"]
    assert reply["html"] == "<b>Status</b>: 3 open items"
    assert answer["text"] == "Refreshed"
    assert edited["message_id"] == reply["message_id"]
    assert edited["edit_history"][0]["text"] == "Status: 3 open items"
    assert "reply_markup" not in edited
    assert echoed["text"] == "echo: ping"
    assert [entry["text"] for entry in seen] == [
        "Status: 3 open items",
        "Status: 2 open items",
        "echo: ping",
    ]
    assert {entry["chat_id"] for entry in seen} == {chat.id}


# -- waiting ------------------------------------------------------------------------------------------


async def test_wait_for_times_out_with_a_summary(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")
    await bot.send_message(chat.id, "something else")

    with pytest.raises(TimeoutError) as raised:
        await emu.wait_for_text(chat.id, "never sent", timeout=0.2)

    text = str(raised.value)
    assert "'never sent'" in text
    assert "bot sent 1 message(s)" in text
    assert "something else" in text


async def test_wait_for_returns_the_predicate_value(emu: BotApiEmulator, bot: Bot) -> None:
    chat = emu.create_chat("Twins")

    async def send_later() -> None:
        await emu.wait_for(lambda: emu.active_polls == 0)
        await bot.send_message(chat.id, "one")
        await bot.send_message(chat.id, "two")

    sender = asyncio.create_task(send_later())
    messages = await emu.wait_for_sent(chat.id, count=2)
    await sender

    assert [m["text"] for m in messages] == ["one", "two"]


# -- the HTML validator on its own ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("&lt;&gt;&amp;&quot;&laquo;&#12345678;", '<>&"&laquo;&#12345678;', []),
        ("Tom & Jerry, a > b", "Tom & Jerry, a > b", []),
        ("&#65;&#x42;&#67", "ABC", []),
        ("<b>😀</b>", "😀", [("bold", 0, 2)]),
        ("<a>telegram.org</a>", "telegram.org", [("text_link", 0, 12)]),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
        (
            "<tg-spoiler>s</tg-spoiler><blockquote expandable>q</blockquote>",
            "sq",
            [
                ("spoiler", 0, 1),
                ("expandable_blockquote", 1, 1),
            ],
        ),
    ],
)
def test_parse_html_matches_tdlib(html: str, text: str, entities: list[tuple[str, int, int]]) -> None:
    parsed = parse_html(html)

    assert parsed.text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == entities


def test_parse_html_reports_utf8_byte_offsets() -> None:
    with pytest.raises(EntityParseError, match='Unsupported start tag "br" at byte offset 13'):
        parse_html("привет <br>")


def test_finalize_rejects_blank_text_and_keeps_inner_whitespace() -> None:
    formatted = finalize("  line one\n\nline two  ", [])

    assert formatted.text == "line one\n\nline two"
    with pytest.raises(ValueError, match="empty"):
        finalize(" \n\t ", [])


# ---- the emulator's text normalisation: fast paths agree with the general one ----------------

_TEXT_CHARS = st.sampled_from(["a", "b", " ", "\n", "\r", "\u2028", "\u202e", "é", "한", "😀", "\U0001f1ee", "#"])


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(_TEXT_CHARS, max_size=20).map("".join),
    spans=st.lists(st.tuples(st.integers(0, 45), st.integers(0, 45)), max_size=4),
)
def test_remap_fast_path_matches_the_general_one(text: str, spans: list[tuple[int, int]]) -> None:
    entities: list[JsonDict] = [{"type": "bold", "offset": offset, "length": length} for offset, length in spans]
    keep = [True] * len(text)
    assert html_check._remap(text, entities, keep) == html_check._remap_each(text, entities, keep)
    by_unit = [position for position, char in enumerate(text) for _ in range(2 if ord(char) > 0xFFFF else 1)]
    assert html_check._char_index_by_unit(text) == [*by_unit, len(text)]


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(_TEXT_CHARS | st.sampled_from(["/start", "@kembar_bot", "www.example.org"]), max_size=12).map("".join)
)
def test_detected_entities_are_counted_in_utf16_units(text: str) -> None:
    for entity in html_check.find_entities(text):
        covered = html_check.entity_text(text, entity)
        assert covered and covered.strip() == covered
        assert entity["offset"] + entity["length"] <= len(text.encode("utf-16-le")) // 2
