"""A simulated city group on the emulator: the chat, an administrator and an ordinary member."""

from __future__ import annotations

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
    ) -> None:
        self.city = city
        self.language = language
        self.chat: Chat = emu.create_chat(city, chat_id=chat_id)
        self.admin: User = emu.create_user(admin_name or f"{city} Admin", language_code=language)
        self.member: User = emu.create_user(member_name or f"{city} Member", language_code=language)
        emu.add_member(self.chat.id, self.member.id)
        emu.set_admin(self.chat.id, self.admin.id)

    @property
    def id(self) -> int:
        return self.chat.id
