"""The attribution header of a relayed copy (bot.relay.rendering): the sender's name and the city are
bidirectional isolates, so a name's own direction controls cannot disguise who wrote the message."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from bot.domain.records import Chat
from bot.language.catalog import Catalog
from bot.language.htmltext import strip_tags
from bot.relay.rendering import FSI, PDI, Renderer, isolated
from bot.relay.service import InboundMessage
from bot.translation.service import Translated

RLO, PDF, LRI, RLI = "\u202e", "\u202c", "\u2066", "\u2067"
NOW = datetime(2026, 12, 2, tzinfo=UTC)
BUSAN_CHAT = Chat(-1002, "Busan", "supergroup", "ko", "Asia/Seoul", "Busan", True, NOW, NOW)


def message(name: str, city: str = "Surabaya", *, version: int = 0) -> InboundMessage:
    return InboundMessage(
        chat_id=-1001,
        message_id=1,
        sender_id=7,
        sender_name=name,
        source_label=city,
        source_language="id",
        text="Rapat besok",
        html="Rapat besok",
        media_kind=None,
        reply_to=None,
        version=version,
        date=1_800_000_000,
    )


def header(catalog: Catalog, name: str, city: str = "Surabaya", *, version: int = 0) -> str:
    rendered = Renderer(catalog).render(message(name, city, version=version), BUSAN_CHAT, Translated("x", "same"))
    return rendered.header


def test_the_name_and_the_city_are_isolated(catalog: Catalog) -> None:
    assert header(catalog, "Ani") == f"<b>{FSI}Ani{PDI}</b> · {FSI}Surabaya{PDI}"
    assert header(catalog, "Ani", version=1) == f"✏️ <b>{FSI}Ani{PDI}</b> · {FSI}Surabaya{PDI}"
    assert header(catalog, "") == f"<b>{FSI}{catalog.t('sender.unknown', 'ko')}{PDI}</b> · {FSI}Surabaya{PDI}"
    assert header(catalog, "عائشة", "الرباط") == f"<b>{FSI}عائشة{PDI}</b> · {FSI}الرباط{PDI}"


@pytest.mark.parametrize(
    "name",
    [
        f"Ani {RLO}ayabaruS · lanigirO",  # an override meant to run over the rest of the line
        f"Ani{PDI}{RLO} evil",  # a pop meant to close our isolate early, then an override outside it
        f"{LRI}{RLI}Ani",  # isolates left open to swallow the city
        f"Ani{PDF}{PDF}",
    ],
)
def test_a_name_s_own_direction_controls_are_taken_out(catalog: Catalog, name: str) -> None:
    shown = strip_tags(header(catalog, name))
    inner, city = shown.rsplit(" · ", 1)
    assert inner.startswith(FSI) and inner.endswith(PDI) and city == f"{FSI}Surabaya{PDI}"
    controls = [c for c in inner[1:-1] if unicodedata.bidirectional(c) in ("RLO", "LRO", "RLE", "LRE", "PDF")]
    controls += [c for c in inner[1:-1] if unicodedata.bidirectional(c) in ("LRI", "RLI", "FSI", "PDI")]
    assert controls == []
    assert "evil" in inner or "Ani" in inner  # the visible letters stay


def test_isolated_keeps_marks_and_text() -> None:
    assert isolated("Ani\u200f") == f"{FSI}Ani\u200f{PDI}"  # a right-to-left mark has no scope: kept
    assert isolated(f"{RLO}x{PDF}") == f"{FSI}x{PDI}"
