"""Webhook mode in one process, end to end: the real Application behind Kembar's own webhook endpoint,
the emulator posting updates to it as Telegram does."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.cluster import free_port
from bot.telegram.app import build_application, serving_webhook
from bot.telegram.intake import Intake
from handlers.context import SERVICES_KEY
from tests.world import World

SECRET = "webhook-test-secret_0123456789"


async def test_webhook_mode_answers_once_the_work_is_stored(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    settings = world.settings(webhook_url=url, webhook_secret=SECRET, listen=("127.0.0.1", port))
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    app = build_application(settings)
    async with serving_webhook(app, settings) as server:
        assert server.port == port
        info = await app.bot.get_webhook_info()
        # One update at a time, in order, each answered after its work is stored (docs/operations.md).
        assert info.url == url and info.max_connections == 1
        await world.setup(surabaya, busan)  # commands and buttons come through the webhook
        world.emu.post(surabaya.id, surabaya.member.id, "Rapat nomor 41")
        await world.relayed(busan, "41")

        # The relay jobs of the next message cannot be stored: 503, and the update comes again.
        services = app.bot_data[SERVICES_KEY]
        services.relay.retry_delay = 0.001
        real = services.outbox.enqueue
        failures = {"left": 5}  # every attempt of the first delivery

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            if failures["left"] > 0:
                failures["left"] -= 1
                raise OSError("database away")
            return await real(*args, **kwargs)

        monkeypatch.setattr(services.outbox, "enqueue", flaky)
        world.emu.post(surabaya.id, surabaya.member.id, "Rapat nomor 42")
        await world.relayed(busan, "42")
        assert "503" in (world.emu.webhook_last_error or "")

        # Anything without the secret is refused, and logged without its body or the header.
        with caplog.at_level(logging.WARNING):
            async with httpx.AsyncClient() as client:
                body = {"update_id": 1, "message": {"text": "forged-body-text"}}
                refused = await client.post(url, json=body, headers={"X-Telegram-Bot-Api-Secret-Token": "guess-1234"})
                missing = await client.post(url, json=body)
                health = await client.get(f"http://127.0.0.1:{port}/healthz")
                ready = await client.get(f"http://127.0.0.1:{port}/readyz")
                scraped = await client.get(f"http://127.0.0.1:{port}/metrics")
    assert refused.status_code == missing.status_code == 403
    assert "forged-body-text" not in caplog.text and "guess-1234" not in caplog.text
    assert "refused" in caplog.text
    assert health.status_code == 200
    assert ready.status_code == 200 and ready.json()["database"]["ok"] and ready.json()["telegram"]["ok"]
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
    }
    # Relay messages go inline unless their chat's lane is busy; commands and buttons are queued.
    assert samples[("kembar_updates_processed_total", (("how", "inline"),))] >= 1
    assert samples[("kembar_updates_processed_total", (("how", "queued"),))] >= 3
    assert samples[("kembar_relay_lag_seconds_count", ())] >= 2
    assert samples[("kembar_outbox_jobs", (("state", "done"),))] >= 2
    assert samples[("kembar_leader", ())] == 1
    assert sum(1 for t in world.texts(busan) if "42" in t) == 1  # the retried update ran once


async def test_webhook_answers_503_when_the_chat_cannot_be_loaded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database is away while a relay message's chat is loaded: nothing of it ran, so it is not answered
    200 (before, the error handler took it and the message was dropped); Telegram sends it again."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    settings = world.settings(webhook_url=url, webhook_secret=SECRET, listen=("127.0.0.1", port))
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    app = build_application(settings)
    failures = {"left": 1}
    async with serving_webhook(app, settings) as server:
        await world.setup(surabaya, busan)
        intake = getattr(server.intake, "__self__", None)
        assert isinstance(intake, Intake)
        await world.emu.wait_for(lambda: not intake.busy, timeout=5)  # no lane busy: relay messages go inline
        chats = app.bot_data[SERVICES_KEY].chats.chats
        real = chats.ensure

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            if failures["left"] > 0:
                failures["left"] -= 1
                raise OSError("database away")
            return await real(*args, **kwargs)

        monkeypatch.setattr(chats, "ensure", flaky)
        world.emu.post(surabaya.id, surabaya.member.id, "Rapat nomor 43")
        world.emu.post(surabaya.id, surabaya.member.id, "Rapat nomor 44")
        await world.relayed(busan, "44")
        await world.emu.wait_until_delivered()
    assert failures["left"] == 0
    assert "503" in (world.emu.webhook_last_error or "")
    assert [t.split("nomor ")[1][:2] for t in world.texts(busan) if "nomor" in t] == ["43", "44"]
