"""The emulator's records: the public value types, the internal state of chats, messages,
stored files, callback queries and the webhook, and the Telegram limits the emulator enforces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from bot.sandbox.html_check import JsonDict

ChatType = Literal["private", "group", "supergroup", "channel"]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024

# Update types delivered when allowed_updates is not specified (or is an empty list).
_ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
_DEFAULT_UPDATE_TYPES = _ALL_UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}


# ------------------------------------------------------------------------------------------------
# Public value types
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    """A Telegram user (or the bot itself) known to the emulator."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> JsonDict:
        """The Bot API ``User`` object."""
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class Chat:
    """A chat known to the emulator: a group, supergroup, channel or a private chat with a user."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def to_api(self) -> JsonDict:
        """The Bot API ``Chat`` object as embedded in messages."""
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = self.first_name or ""
            if self.last_name:
                data["last_name"] = self.last_name
        else:
            data["title"] = self.title or ""
        if self.username:
            data["username"] = self.username
        return data


# The user Telegram shows as the sender of messages an anonymous administrator posts on behalf of a
# group (the group itself is the message's ``sender_chat``).
GROUP_ANONYMOUS_BOT = User(id=1087968824, first_name="Group", username="GroupAnonymousBot", is_bot=True)


class ApiCall(NamedTuple):
    """One request the bot made: canonical method name, decoded parameters, monotonic time, status."""

    method: str
    params: JsonDict
    time: float
    status: int


# ------------------------------------------------------------------------------------------------
# Internal state
# ------------------------------------------------------------------------------------------------


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    kind: Literal["photo", "document"]
    data: bytes | None
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    source_url: str | None = None
    sizes: list[JsonDict] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0

    def document_json(self) -> JsonDict:
        data: JsonDict = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        if self.data is not None:
            data["file_size"] = self.size
        return data


@dataclass
class _Message:
    chat_id: int
    message_id: int
    date: int
    sender: User | None
    content: JsonDict
    sender_chat: Chat | None = None
    reply_to: int | None = None
    external_reply: JsonDict | None = None
    quote: JsonDict | None = None
    forward_origin: JsonDict | None = None
    reply_markup: JsonDict | None = None
    edit_date: int | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    history: list[JsonDict] = field(default_factory=list)
    options: JsonDict = field(default_factory=dict)
    deleted: bool = False

    @property
    def is_service(self) -> bool:
        return not any(key in self.content for key in ("text", "photo", "document", "sticker"))

    @property
    def body_key(self) -> str:
        return "text" if "text" in self.content else "caption"


@dataclass
class _ChatState:
    chat: Chat
    members: list[int] = field(default_factory=list)
    admins: list[int] = field(default_factory=list)
    creator: int | None = None
    bot_status: Literal["member", "administrator", "left", "kicked"] = "member"
    bot_was_removed: bool = False
    private_started: bool = False
    messages: dict[int, _Message] = field(default_factory=dict)
    next_message_id: int = 1
    pinned: int | None = None
    menu_button: JsonDict | None = None
    bot_rights: dict[str, bool] | None = None
    migrated_to: int | None = None
    deleted: bool = False

    @property
    def inactive(self) -> bool:
        """Whether the chat is gone: upgraded to a supergroup or deleted."""
        return self.migrated_to is not None or self.deleted


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None
