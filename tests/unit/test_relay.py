"""RelayService and Delivery with a fake Telegram: jobs stored, copies sent in order, replies and edits."""

from __future__ import annotations

from bot.context import ChatContext
from bot.domain.records import RelayJob
from bot.ports import Migrated, NotAllowed, Rejected, Transient
from bot.relay.service import InboundMessage
from tests.kit import BUSAN, SURABAYA, Kit, eventually

Partners = tuple[ChatContext, ChatContext]


def inbound(
    text: str, message_id: int, *, html: str | None = None, reply_to: int | None = None, version: int = 0
) -> InboundMessage:
    return InboundMessage(
        chat_id=SURABAYA,
        message_id=message_id,
        sender_id=7,
        sender_name="Ani",
        source_label="Surabaya",
        source_language="id",
        text=text,
        html=html or text,
        media_kind=None,
        reply_to=reply_to,
        version=version,
        date=1_800_000_000,
    )


async def test_messages_reach_the_partner_translated_in_order_with_replies_and_edits(
    kit: Kit, partners: Partners
) -> None:
    surabaya, _ = partners
    assert surabaya.bridge is not None
    relay = kit.services.relay
    async with relay.batch():  # as the poller does for one getUpdates response
        for n in range(1, 6):
            await relay.submit(inbound(f"Pesan nomor {n}", n), surabaya.bridge)
    await kit.telegram.wait_for(lambda: len(kit.texts(BUSAN)) == 5)
    texts = kit.texts(BUSAN)
    assert [t.split("\n")[1] for t in texts] == [f"[ko] Pesan nomor {n}" for n in range(1, 6)]
    assert texts[0].startswith("<b>\u2068Ani\u2069</b> · \u2068Surabaya\u2069")  # isolates (bot.relay.rendering)
    await relay.submit(inbound("Balasan", 6, reply_to=2), surabaya.bridge)
    await kit.telegram.wait_for(lambda: len(kit.texts(BUSAN)) == 6)
    second_copy = kit.telegram.sent[1]
    assert kit.telegram.last(BUSAN).reply_to == second_copy.message_id
    await relay.submit(inbound("Pesan nomor 2 (diperbaiki)", 2, version=1_800_000_100), surabaya.bridge)
    await kit.telegram.wait_for(lambda: bool(second_copy.edits))
    assert "[ko] Pesan nomor 2 (diperbaiki)" in second_copy.edits[0] and "✏️" in second_copy.edits[0]

    async def all_done() -> bool:
        return await kit.services.outbox.pending_destinations() == []

    await eventually(all_done)  # every job recorded as sent


async def test_formatting_survives_translation_and_a_refused_message_goes_as_plain_text(
    kit: Kit, partners: Partners
) -> None:
    surabaya, _ = partners
    assert surabaya.bridge is not None
    html = '<b>Agenda</b> ada di <a href="https://x.id">sini</a>'
    await kit.services.relay.submit(inbound("Agenda ada di sini", 1, html=html), surabaya.bridge)
    await kit.telegram.wait_for(lambda: len(kit.texts(BUSAN)) == 1)
    assert '[ko] <b>Agenda</b> ada di <a href="https://x.id">sini</a>' in kit.texts(BUSAN)[0]

    class RejectOnce:
        def __init__(self) -> None:
            self.done = False

    once = RejectOnce()
    original = kit.telegram.send_text

    async def reject_formatted_once(chat_id: int, text: str, **kwargs: object) -> int:
        if not once.done and "<b>" in text.split("\n", 1)[1]:
            once.done = True
            raise Rejected("can't parse entities")
        return await original(chat_id, text, **kwargs)  # type: ignore[arg-type]

    kit.telegram.send_text = reject_formatted_once  # type: ignore[method-assign,assignment]
    await kit.services.relay.submit(inbound("Agenda", 2, html="<b>Agenda</b>"), surabaya.bridge)
    await kit.telegram.wait_for(lambda: len(kit.texts(BUSAN)) == 2)
    assert once.done and kit.texts(BUSAN)[1] == "\u2068Ani\u2069 · \u2068Surabaya\u2069\n[ko] Agenda"
    assert SURABAYA not in {s.chat_id for s in kit.telegram.sent}  # never back to its source


async def test_a_destination_that_moved_gets_its_messages_at_the_new_id(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    assert surabaya.bridge is not None
    kit.telegram.failing[BUSAN] = Migrated(-100777)
    await kit.services.relay.submit(inbound("Halo", 1), surabaya.bridge)
    await kit.telegram.wait_for(lambda: len(kit.texts(-100777)) == 1)
    assert "[ko] Halo" in kit.texts(-100777)[0]
    moved = await kit.here(-100777)
    assert moved.bridge is not None and moved.language == "ko" and moved.label == "Busan"
    assert (await kit.here(SURABAYA)).bridge is not None


async def test_a_group_that_mutes_the_bot_stays_linked_and_failures_are_capped_and_reported(
    kit: Kit, partners: Partners
) -> None:
    surabaya, _ = partners
    assert surabaya.bridge is not None
    kit.services.delivery.max_backoff = 0.001
    kit.telegram.failing[BUSAN] = NotAllowed("Bad Request: not enough rights to send text messages to the chat")
    await kit.services.relay.submit(inbound("Satu", 1), surabaya.bridge)

    async def failed(count: int) -> bool:
        return (await kit.services.outbox.counts()).get("failed") == count

    await eventually(lambda: failed(1))  # given up at once: the group does not let the bot write
    kit.telegram.failing[BUSAN] = Transient("Bad Gateway")
    await kit.services.relay.submit(inbound("Dua", 2), surabaya.bridge)
    await kit.telegram.wait_for(lambda: any("tidak dapat disampaikan ke" in t for t in kit.texts(SURABAYA)))
    del kit.telegram.failing[BUSAN]
    await kit.services.relay.submit(inbound("Tiga", 3), surabaya.bridge)
    await kit.telegram.wait_for(lambda: any("[ko] Tiga" in t for t in kit.texts(BUSAN)))
    assert (await kit.here(BUSAN)).bridge is not None  # never unlinked


    async def one_done() -> bool:
        return (await kit.services.outbox.counts()).get("done") == 1

    await eventually(one_done)
    assert await failed(2)


async def test_a_delivery_worker_restarts_after_an_unexpected_error(kit: Kit, partners: Partners) -> None:
    surabaya, _ = partners
    assert surabaya.bridge is not None
    delivery, outbox = kit.services.delivery, kit.services.outbox
    delivery.max_backoff = 0.001
    real_pending = outbox.pending
    broken = {"times": 2}

    async def flaky_pending(dst: int | None = None, limit: int = 100) -> list[RelayJob]:
        if broken["times"]:
            broken["times"] -= 1
            raise RuntimeError("database hiccup")
        return await real_pending(dst, limit)

    outbox.pending = flaky_pending  # type: ignore[method-assign,assignment]
    await kit.services.relay.submit(inbound("Masih sampai", 1), surabaya.bridge)
    await kit.telegram.wait_for(lambda: any("[ko] Masih sampai" in t for t in kit.texts(BUSAN)))
    assert delivery.restarts == 2
