"""Rendering of relayed copies: the attribution header, the translated text with its formatting, the
original on request, and parts that fit Telegram's limits.

The sender's name and the city in the header are each wrapped in a bidirectional isolate (U+2068 FIRST
STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE), with any explicit direction controls of their own
(embeddings, overrides, isolates: U+202A–U+202E, U+2066–U+2069) removed first. So an Arabic or Hebrew name
shows right to left inside its isolate without reordering the words around it, and a name carrying a
right-to-left override cannot run on over the city or the message to disguise who wrote it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.records import Chat
from bot.language.catalog import Catalog, Markup
from bot.language.htmltext import escape, mask_tags, split_html, strip_tag_marks, unmask_tags
from bot.relay.service import CAPTION_MEDIA, InboundMessage
from bot.translation.service import Translated

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
FSI = "\u2068"  # FIRST STRONG ISOLATE
PDI = "\u2069"  # POP DIRECTIONAL ISOLATE
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def isolated(text: str) -> str:
    """``text`` as a bidirectional isolate, its own explicit direction controls removed (the module's docstring)."""
    return FSI + _DIRECTION_CONTROLS.sub("", text) + PDI


@dataclass(frozen=True)
class Rendered:
    """What one destination receives for one job: HTML parts (the first is the caption for media)."""

    parts: list[str]
    header: str


class Renderer:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def media_refused(self, dst: Chat) -> str:
        """The note under a copy whose media the destination group does not take."""
        return self.catalog.t("relay.media_refused", dst.language)

    def undelivered(self, source: Chat, dst: Chat) -> str:
        """What the source group is told when its message did not reach ``dst``."""
        return self.catalog.t("relay.undelivered", source.language, city=dst.label)

    def render(self, message: InboundMessage, dst: Chat, translated: Translated | None) -> Rendered:
        lang = dst.language
        name = message.sender_name or self.catalog.t("sender.unknown", lang)
        header = self.catalog.t("relay.header", lang, name=isolated(name), city=isolated(message.source_label))
        if message.is_edit:
            header = self.catalog.t("relay.edited", lang, header=Markup(header))
        if not message.text or translated is None:
            return Rendered(parts=[header], header=header)
        if translated.status != "translated" and message.html:
            body = message.html  # untranslated: keep the sender's formatting
        elif message.formatted and message.html:
            # Formatting travels as markers through translation; if the engine lost or reordered
            # any, the text still goes out, without formatting.
            tags = mask_tags(message.html)[1]
            body = unmask_tags(translated.text, tags) or escape(strip_tag_marks(translated.text))
        else:
            body = escape(translated.text)
        out = f"{header}\n{body}"
        if translated.status == "failed":
            out += "\n" + self.catalog.t("relay.untranslated", lang)
        elif translated.status == "translated" and dst.show_original:
            out += "\n<blockquote expandable>" + escape(message.text) + "</blockquote>"
        limit = CAPTION_LIMIT if message.media_kind in CAPTION_MEDIA else TEXT_LIMIT
        first, *rest = split_html(out, limit) or [out]
        parts = [first]
        for part in rest:  # overflow of a caption goes on in text messages
            parts.extend(split_html(part, TEXT_LIMIT) if limit != TEXT_LIMIT else [part])
        return Rendered(parts=parts, header=header)
