"""Inline keyboards: the neutral ``Buttons`` of bot/ports.py as python-telegram-bot markup (used by the
handlers' answers and by the sender in bot/telegram/sender.py)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.ports import Buttons


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in buttons]
    )
