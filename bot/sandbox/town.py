"""A simulated city group on the emulator (the chat, an administrator and an ordinary member), and linking
towns as their coordinators would."""

from __future__ import annotations

import re

from bot.sandbox.emulator import BotApiEmulator, Chat, User


class Town:
    def __init__(
        self,
        emu: BotApiEmulator,
        city: str,
        language: str,
        *,
        chat_id: int | None = None,
        admin_name: str | None = None,
        member_name: str | None = None,
        basic_group: bool = False,
    ) -> None:
        self.city = city
        self.language = language
        self.chat: Chat = emu.create_chat(city, chat_id=chat_id, type="group" if basic_group else "supergroup")
        self.admin: User = emu.create_user(admin_name or f"{city} Admin", language_code=language)
        self.member: User = emu.create_user(member_name or f"{city} Member", language_code=language)
        emu.add_member(self.chat.id, self.member.id)
        emu.set_admin(self.chat.id, self.admin.id)

    @property
    def id(self) -> int:
        return self.chat.id

    def moved_to(self, chat: Chat) -> None:
        """The group became another chat (a basic group upgraded to a supergroup)."""
        self.chat = chat


CODE_RE = re.compile(r"\b([0-9A-Z]{5}-[0-9A-Z]{5})\b")


async def start_private_chat(emu: BotApiEmulator, user: User, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """The user opens a private chat with the bot and presses Start (so the bot may write to them)."""
    before = len(emu.sent(user.id)) if _has_private(emu, user) else 0
    emu.post(user.id, user.id, "/start")
    await emu.wait_for_sent(user.id, before + 1, timeout)


def _has_private(emu: BotApiEmulator, user: User) -> bool:
    try:
        emu.sent(user.id)
    except ValueError:
        return False
    return True


async def link_towns(emu: BotApiEmulator, first: Town, other: Town, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Join ``other`` to ``first``'s bridge as coordinators do: an administrator of ``first`` gets a code
    privately, an administrator of ``other`` sends ``/link <code>`` there, and ``first``'s administrator
    approves the request with its button."""
    if not _has_private(emu, first.admin):
        await start_private_chat(emu, first.admin, timeout)
    private_before = len(emu.sent(first.admin.id))
    emu.post(first.id, first.admin.id, "/link")
    sent = await emu.wait_for_sent(first.admin.id, private_before + 1, timeout)
    match = CODE_RE.search(str(sent[private_before].get("text")))
    if match is None:
        raise RuntimeError(f"no link code in {sent[private_before].get('text')!r}")
    asked_before = len(emu.sent(first.id))
    emu.post(other.id, other.admin.id, f"/link {match.group(1)}")

    def approval() -> dict[str, object] | None:
        for message in emu.sent(first.id)[asked_before:]:
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for row in rows:
                for button in row:
                    if str(button.get("callback_data", "")).startswith("lnk|ok|"):
                        return {"message_id": message["message_id"], "data": button["callback_data"]}
        return None

    found = await emu.wait_for(approval, timeout, message=f"a join request from {other.city} in {first.city}")
    joined_before = len(emu.sent(other.id))
    query = emu.press(first.id, int(str(found["message_id"])), first.admin.id, str(found["data"]))
    await emu.wait_for_callback_answer(query, timeout)
    await emu.wait_for_sent(other.id, joined_before + 1, timeout)
