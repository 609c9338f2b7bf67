"""What a restricted bot may send: the permissions :meth:`restrict_bot` sets, the kind of message
content each one governs, and the error Telegram gives when one is missing.

The errors are TDLib's ``can_send_message_content`` ones as the Bot API server reports them
(``Bad Request: `` and the first letter lowered): ``not enough rights to send text messages to the
chat``, ``... photos ...``, ``... documents ...``, ``... videos ...``, ``... music ...`` (audio
files), ``... voice notes ...``, ``... video notes ...``, ``... stickers ...``, ``... animations
...`` and ``... games ...`` (the last three under ``can_send_other_messages``).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.sandbox.html_check import JsonDict

# The send permissions restrict_bot() takes, in the Bot API's ChatPermissions names.
BOT_RIGHTS = (
    "can_send_messages",
    "can_send_photos",
    "can_send_documents",
    "can_send_videos",
    "can_send_audios",
    "can_send_voice_notes",
    "can_send_video_notes",
    "can_send_other_messages",
)

# Message content key -> (the permission that governs it, TDLib's word for it in the error). An
# animation message also carries a "document", so animations are looked at first.
_CONTENT_RIGHTS: dict[str, tuple[str, str]] = {
    "animation": ("can_send_other_messages", "animations"),
    "game": ("can_send_other_messages", "games"),
    "sticker": ("can_send_other_messages", "stickers"),
    "text": ("can_send_messages", "text messages"),
    "photo": ("can_send_photos", "photos"),
    "document": ("can_send_documents", "documents"),
    "video": ("can_send_videos", "videos"),
    "audio": ("can_send_audios", "music"),
    "voice": ("can_send_voice_notes", "voice notes"),
    "video_note": ("can_send_video_notes", "video notes"),
}


def missing_right(rights: Mapping[str, bool] | None, content: Mapping[str, object]) -> str | None:
    """The error (without ``Bad Request: ``) for sending ``content`` with ``rights``, or ``None``."""
    if rights is None:
        return None
    for key, (permission, noun) in _CONTENT_RIGHTS.items():
        if key in content:
            return None if rights[permission] else f"not enough rights to send {noun} to the chat"
    return None


def restricted_member_fields(rights: Mapping[str, bool]) -> JsonDict:
    """The fields of a ``ChatMemberRestricted`` beyond status and user, for the bot.

    The rights :meth:`restrict_bot` does not model are those of a typical restricted member: polls,
    link previews and reactions allowed; chat info, invitations, pins, topics and tags not.
    """
    return {
        "is_member": True,
        **rights,
        "can_send_polls": True,
        "can_add_web_page_previews": True,
        "can_react_to_messages": True,
        "can_change_info": False,
        "can_invite_users": False,
        "can_pin_messages": False,
        "can_manage_topics": False,
        "can_edit_tag": False,
        "until_date": 0,
    }
