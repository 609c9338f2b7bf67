"""The HTTP side (bot.telegram.web, bot.telegram.health, bot.ops.metrics): the webhook, /healthz, /readyz,
/metrics, over loopback.

Every server binds 127.0.0.1 on an ephemeral port and is driven with httpx (or a raw socket where the
connection itself matters). Metrics live in one process-wide registry, so tests compare values before and
after (``delta``) instead of expecting absolute numbers.
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import resource
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from telegram import Bot

from bot.ops import metrics
from bot.ops.metrics import REGISTRY
from bot.sandbox.emulator import BotApiEmulator
from bot.sandbox.translate_server import TranslationServer
from bot.telegram.health import readiness, telegram_ready
from bot.telegram.web import MAX_BODY, SECRET_HEADER, Intake, Readiness, Refresh, WebServer, webhook_path
from bot.translation import TranslationUnavailable, build_translator
from storage.db import Database
from tests.conftest import Clock
from tests.world import World, services

SECRET = "Kembar_webhook-secret_0123456789"
UPDATE = {"update_id": 7001, "message": {"message_id": 1, "text": "BODY-TEXT-never-logged"}}


@pytest.fixture(autouse=True)
def _loopback_only(loopback_only: None) -> None:
    """Every test here talks to loopback servers (tests/conftest.py: loopback_only)."""


class FakeIntake:
    """Records updates; raises for the first ``fail`` calls; may hold each call until ``release`` is set."""

    def __init__(self, *, fail: int = 0, hold: bool = False) -> None:
        self.updates: list[dict[str, Any]] = []
        self.fail = fail
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        if not hold:
            self.release.set()

    async def __call__(self, update: dict[str, Any]) -> None:
        self.entered.set()
        await self.release.wait()
        if self.fail > 0:
            self.fail -= 1
            raise RuntimeError("database is locked: INSERT … 'BODY-TEXT-never-logged'")
        self.updates.append(update)


async def all_ok() -> dict[str, tuple[bool, str]]:
    return {"database": (True, "schema at revision x"), "telegram": (True, "@kembar_bot")}


@asynccontextmanager
async def serving(
    *,
    intake: Intake | None = None,
    readiness: Readiness = all_ok,
    refresh: Refresh | None = None,
    **kwargs: Any,
) -> AsyncIterator[tuple[WebServer, httpx.AsyncClient]]:
    secret = kwargs.pop("secret", SECRET if intake is not None else None)
    web = WebServer(
        host="127.0.0.1", port=0, readiness=readiness, refresh=refresh, intake=intake, secret=secret, **kwargs
    )
    await web.start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{web.port}", trust_env=False, timeout=10) as client:
            yield web, client
    finally:
        await web.stop()


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def delta(name: str, **labels: str) -> Callable[[], float]:
    """How much a sample grew since this call."""
    before = sample(name, **labels)
    return lambda: sample(name, **labels) - before


def assert_clean(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing logged shows the secret token or the update's content."""
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert SECRET not in text, text
        assert "BODY-TEXT" not in text, text


# ------------------------------------------------------------------------------------------------
# The webhook
# ------------------------------------------------------------------------------------------------


async def test_right_secret_hands_the_update_to_intake_and_answers_200(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    intake = FakeIntake()
    async with serving(intake=intake) as (_, client):
        response = await client.post("/telegram", json=UPDATE, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 200
    assert response.json() == {}
    assert intake.updates == [UPDATE]
    assert_clean(caplog)


async def test_intake_failure_is_503_without_details_and_the_retry_is_accepted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    intake = FakeIntake(fail=1)
    unavailable = delta("kembar_webhook_refused_total", reason="unavailable")
    async with serving(intake=intake) as (_, client):
        first = await client.post("/telegram", json=UPDATE, headers={SECRET_HEADER: SECRET})
        retry = await client.post("/telegram", json=UPDATE, headers={SECRET_HEADER: SECRET})
    assert first.status_code == 503
    assert "database" not in first.text and "BODY" not in first.text and "RuntimeError" not in first.text
    assert retry.status_code == 200
    assert intake.updates == [UPDATE]
    assert unavailable() == 1
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert lines == ["webhook update 7001 not accepted (RuntimeError); answered 503, Telegram retries"]
    assert_clean(caplog)


@pytest.mark.parametrize(("given", "word"), [(None, "missing"), ("wrong-token-0123456789", "wrong")])
async def test_missing_or_wrong_secret_is_403_and_logged_without_body_or_secret(
    caplog: pytest.LogCaptureFixture, given: str | None, word: str
) -> None:
    caplog.set_level(logging.DEBUG)
    intake = FakeIntake()
    refused = delta("kembar_webhook_refused_total", reason="secret")
    headers = {} if given is None else {SECRET_HEADER: given}
    async with serving(intake=intake) as (_, client):
        response = await client.post("/telegram", json=UPDATE, headers=headers)
    assert response.status_code == 403
    assert intake.updates == [] and not intake.entered.is_set()
    assert refused() == 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [f"webhook request refused: {word} secret token (from 127.0.0.1)"]
    assert_clean(caplog)
    assert given is None or given not in caplog.text


async def test_refused_tokens_are_all_counted_but_logged_at_most_every_ten_seconds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refused = delta("kembar_webhook_refused_total", reason="secret")
    async with serving(intake=FakeIntake()) as (_, client):
        for _ in range(5):
            assert (await client.post("/telegram", json=UPDATE, headers={SECRET_HEADER: "x"})).status_code == 403
    assert refused() == 5
    assert len([r for r in caplog.records if "secret token" in r.getMessage()]) == 1


async def test_the_secret_is_compared_exactly() -> None:
    intake = FakeIntake()
    async with serving(intake=intake) as (_, client):
        for near in (SECRET[:-1], SECRET + "x", SECRET.upper(), "ü" + SECRET[1:]):
            response = await client.post("/telegram", json=UPDATE, headers={SECRET_HEADER.encode(): near.encode()})
            assert response.status_code == 403, near
    assert intake.updates == []


def padded_update(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    empty = json.dumps({"update_id": 1, "pad": ""}).encode()
    body = json.dumps({"update_id": 1, "pad": "x" * (size - len(empty))}).encode()
    assert len(body) == size
    return body


async def test_a_body_of_the_limit_is_accepted_and_one_byte_more_is_413(caplog: pytest.LogCaptureFixture) -> None:
    intake = FakeIntake()
    too_large = delta("kembar_webhook_refused_total", reason="too_large")
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with serving(intake=intake) as (_, client):
        at_limit = await client.post("/telegram", content=padded_update(MAX_BODY), headers=headers)
        over = await client.post("/telegram", content=padded_update(MAX_BODY + 1), headers=headers)
    assert (at_limit.status_code, over.status_code) == (200, 413)
    assert len(intake.updates) == 1
    assert too_large() == 1
    assert any(f"body of {MAX_BODY + 1} bytes over the limit" in r.getMessage() for r in caplog.records)
    assert not any("xxxx" in r.getMessage() for r in caplog.records)


async def test_an_oversized_chunked_body_is_413_too() -> None:
    intake = FakeIntake()

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"update_id": 1, "pad": "'
        for _ in range(24):
            yield b"x" * 65536  # 1.5 MB in all, without a Content-Length
        yield b'"}'

    async with serving(intake=intake) as (_, client):
        response = await client.post("/telegram", content=chunks(), headers={SECRET_HEADER: SECRET})
        after = await client.post("/telegram", json=UPDATE, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 413
    assert after.status_code == 200  # the server is fine afterwards
    assert intake.updates == [UPDATE]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"", b"\xff\xfe{", b"[" * 100_000])
async def test_a_body_that_is_not_a_json_object_is_400(body: bytes, caplog: pytest.LogCaptureFixture) -> None:
    intake = FakeIntake()
    bad = delta("kembar_webhook_refused_total", reason="bad_request")
    async with serving(intake=intake) as (_, client):
        response = await client.post("/telegram", content=body, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 400
    assert intake.updates == []
    assert bad() == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "webhook request refused: the body is not a JSON object (from 127.0.0.1)"
    ]


async def test_the_webhook_is_served_at_the_path_of_the_url() -> None:
    intake = FakeIntake()
    path = webhook_path("https://bot.example.org/kembar/tg-hook?ignored=1")
    async with serving(intake=intake, webhook_path=path) as (_, client):
        there = await client.post("/kembar/tg-hook", json=UPDATE, headers={SECRET_HEADER: SECRET})
        default = await client.post("/telegram", json=UPDATE, headers={SECRET_HEADER: SECRET})
        prefix = await client.post("/kembar/tg-hook/x", json=UPDATE, headers={SECRET_HEADER: SECRET})
    assert path == "/kembar/tg-hook"
    assert (there.status_code, default.status_code, prefix.status_code) == (200, 404, 404)
    assert intake.updates == [UPDATE]


def test_webhook_path_of_a_url_without_one_is_the_root() -> None:
    assert webhook_path("https://bot.example.org") == "/"
    assert webhook_path("https://bot.example.org/") == "/"
    assert webhook_path("https://bot.example.org:8443/a.b/c") == "/a.b/c"


def test_a_webhook_needs_a_secret_and_a_free_path() -> None:
    with pytest.raises(ValueError, match="secret"):
        WebServer(host="127.0.0.1", port=0, readiness=all_ok, intake=FakeIntake())
    with pytest.raises(ValueError, match="taken"):
        WebServer(
            host="127.0.0.1", port=0, readiness=all_ok, intake=FakeIntake(), secret=SECRET, webhook_path="/metrics"
        )
    with pytest.raises(RuntimeError, match="not been started"):
        _ = WebServer(host="127.0.0.1", port=0, readiness=all_ok).port


async def test_other_paths_and_methods_are_404_and_no_webhook_without_intake() -> None:
    async with serving() as (_, client):
        no_webhook = await client.post("/telegram", json=UPDATE, headers={SECRET_HEADER: SECRET})
        unknown = await client.get("/nothing")
        wrong_method = await client.post("/healthz")
        head = await client.head("/metrics")
    async with serving(intake=FakeIntake()) as (_, client):
        get_webhook = await client.get("/telegram", headers={SECRET_HEADER: SECRET})
    statuses = [r.status_code for r in (no_webhook, unknown, wrong_method, head, get_webhook)]
    assert statuses == [404, 404, 404, 404, 404]


async def raw_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 exchange on an open connection: the status and the body."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    lines = head.split(b"\r\n")
    length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length"))
    return status, await reader.readexactly(length)


async def test_stop_lets_updates_in_progress_finish_and_refuses_new_ones() -> None:
    intake = FakeIntake(hold=True)
    web = WebServer(host="127.0.0.1", port=0, readiness=all_ok, intake=intake, secret=SECRET)
    await web.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
    try:
        # A keep-alive connection, open before the server stops.
        assert await raw_request(reader, writer, b"GET /healthz HTTP/1.1\r\nHost: k\r\n\r\n") == (200, b"ok\n")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{web.port}", trust_env=False) as client:
            posting = asyncio.ensure_future(client.post("/telegram", json=UPDATE, headers={SECRET_HEADER: SECRET}))
            await asyncio.wait_for(intake.entered.wait(), 5)
            stopping = asyncio.ensure_future(web.stop())
            await asyncio.wait_for(web.closing.wait(), 5)
            # A new update on the open connection while stopping: 503, Telegram will retry.
            body = json.dumps({"update_id": 7002}).encode()
            late = await raw_request(
                reader,
                writer,
                b"POST /telegram HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
                + f"{SECRET_HEADER}: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body,
            )
            assert late[0] == 503
            assert not stopping.done()  # still waiting for the update in progress
            intake.release.set()
            response = await asyncio.wait_for(posting, 5)
            await asyncio.wait_for(stopping, 5)
    finally:
        writer.close()
        await web.stop()
    assert response.status_code == 200
    assert intake.updates == [UPDATE]


# ------------------------------------------------------------------------------------------------
# /healthz and /readyz
# ------------------------------------------------------------------------------------------------


async def test_healthz_answers_ok() -> None:
    async with serving() as (_, client):
        response = await client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok\n")


async def test_readyz_200_when_every_check_is_ok() -> None:
    async with serving() as (_, client):
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "database": {"ok": True, "detail": "schema at revision x"},
        "telegram": {"ok": True, "detail": "@kembar_bot"},
    }


async def test_readyz_503_when_a_check_is_not_ok() -> None:
    async def telegram_down() -> dict[str, tuple[bool, str]]:
        return {"database": (True, "fine"), "telegram": (False, "getMe failed: NetworkError")}

    async with serving(readiness=telegram_down) as (_, client):
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["telegram"] == {"ok": False, "detail": "getMe failed: NetworkError"}
    assert response.json()["database"]["ok"] is True


async def test_readyz_503_when_the_checks_raise_or_hang() -> None:
    async def raising() -> dict[str, tuple[bool, str]]:
        raise ConnectionError("postgresql://kembar:pw@db/kembar refused")

    never = asyncio.Event()

    async def hanging() -> dict[str, tuple[bool, str]]:
        await never.wait()
        return {}

    async with serving(readiness=raising) as (_, client):
        raised = await client.get("/readyz")
        healthy = await client.get("/healthz")  # the server lives on
    async with serving(readiness=hanging, timeout=0.2) as (_, client):
        hung = await client.get("/readyz")
    assert raised.status_code == 503 and healthy.status_code == 200
    assert raised.json() == {"readiness": {"ok": False, "detail": "failed: ConnectionError"}}
    assert "pw" not in raised.text
    assert hung.status_code == 503
    assert hung.json() == {"readiness": {"ok": False, "detail": "no answer within 0.2s"}}


async def test_readyz_503_when_the_checks_answer_nonsense() -> None:
    async def short() -> dict[str, tuple[bool, str]]:
        return {"database": (True,)}  # type: ignore[dict-item]

    async def nothing() -> dict[str, tuple[bool, str]]:
        return None  # type: ignore[return-value]

    async def no_checks() -> dict[str, tuple[bool, str]]:
        return {}

    bodies = []
    for check in (short, nothing, no_checks):
        async with serving(readiness=check) as (_, client):
            response = await client.get("/readyz")
        assert response.status_code == 503, check
        bodies.append(response.json())
    assert bodies == [
        {"database": {"ok": False, "detail": "malformed check result"}},
        {"readiness": {"ok": False, "detail": "malformed readiness result"}},
        {"readiness": {"ok": False, "detail": "no checks"}},
    ]


async def test_readiness_combines_checks_each_with_its_timeout() -> None:
    never = asyncio.Event()

    async def ok() -> tuple[bool, str]:
        return True, "fine"

    async def broken() -> tuple[bool, str]:
        raise OSError("secret-laden message")

    async def hanging() -> tuple[bool, str]:
        await never.wait()
        return True, "late"

    check = readiness({"a": ok, "b": broken, "c": hanging}, timeout=0.2)
    assert await check() == {
        "a": (True, "fine"),
        "b": (False, "failed: OSError"),
        "c": (False, "no answer within 0.2s"),
    }


# ------------------------------------------------------------------------------------------------
# Database.ready and telegram_ready
# ------------------------------------------------------------------------------------------------


async def test_database_ready_on_sqlite(sqlite_url: str, tmp_path: Any) -> None:
    migrated = Database(sqlite_url)
    fresh = Database(f"sqlite+aiosqlite:///{(tmp_path / 'fresh.db').as_posix()}")
    try:
        await migrated.upgrade()
        ok = await migrated.ready()
        not_migrated = await fresh.ready()
    finally:
        await migrated.dispose()
        await fresh.dispose()
    assert ok[0] is True and ok[1].startswith("schema at revision ")
    assert not_migrated[0] is False
    assert not_migrated[1].startswith("schema at revision none, expected ")


async def test_database_ready_on_postgresql(pg_url: str) -> None:
    db = Database(pg_url)
    try:
        before = await db.ready()
        await db.upgrade()
        after = await db.ready()
    finally:
        await db.dispose()
    assert before[0] is False and "revision none" in before[1]
    assert after[0] is True


async def test_database_ready_when_the_database_does_not_answer() -> None:
    db = Database("postgresql+asyncpg://kembar:pw-not-shown@127.0.0.1:1/kembar")
    try:
        ok, detail = await db.ready()
    finally:
        await db.dispose()
    assert ok is False
    assert detail.startswith("unreachable: ") and "pw-not-shown" not in detail


async def test_telegram_ready_asks_getme_and_reuses_the_answer() -> None:
    token = "123456:TEST-token"
    async with BotApiEmulator(token) as emu, Bot(token, base_url=emu.base_url) as bot:
        calls = len(emu.calls_to("getMe"))
        first = await telegram_ready(bot)
        again = await asyncio.gather(*(telegram_ready(bot) for _ in range(5)))
        assert len(emu.calls_to("getMe")) == calls + 1  # one call for six checks
        emu.faults.add("getMe", 500)
        cached = await telegram_ready(bot)
        failed = await telegram_ready(bot, max_age=0)
    assert first == (True, "@kembar_bot")
    assert again == [first] * 5 and cached == first
    assert failed[0] is False and failed[1].startswith("getMe failed: ")


async def test_readyz_with_the_real_checks(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    await db.upgrade()
    token = "123456:TEST-token"
    try:
        async with BotApiEmulator(token) as emu, Bot(token, base_url=emu.base_url) as bot:
            checks = readiness({"database": db.ready, "telegram": lambda: telegram_ready(bot)})
            async with serving(readiness=checks) as (_, client):
                response = await client.get("/readyz")
    finally:
        await db.dispose()
    assert response.status_code == 200, response.text
    assert response.json()["telegram"] == {"ok": True, "detail": "@kembar_bot"}
    assert response.json()["database"]["ok"] is True


# ------------------------------------------------------------------------------------------------
# /metrics
# ------------------------------------------------------------------------------------------------


async def test_metrics_are_served_after_the_scrape_time_refresh(caplog: pytest.LogCaptureFixture) -> None:
    async def refresh() -> None:
        metrics.set_outbox({"pending": 7, "failed": 2})

    metrics.set_instance("kembar-a", "webhook")
    async with serving(refresh=refresh) as (_, client):
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    text = response.text
    assert 'kembar_outbox_jobs{state="pending"} 7.0' in text
    assert 'kembar_outbox_jobs{state="done"} 0.0' in text
    assert 'kembar_outbox_jobs{state="failed"} 2.0' in text
    assert 'kembar_instance_info{instance="kembar-a",mode="webhook"} 1.0' in text
    for name in (
        "kembar_updates_processed_total",
        "kembar_relay_lag_seconds_bucket",
        "kembar_translation_calls_total",
        "kembar_translation_failures_total",
        "kembar_translation_seconds",
        "kembar_reminder_lag_seconds_bucket",
        "kembar_deliveries_retried_total",
        "kembar_deliveries_failed_total",
        "kembar_leader",
        'kembar_webhook_refused_total{reason="secret"}',
    ):
        assert name in text, name
    assert "python_gc" not in text and "process_cpu" not in text  # Kembar's registry only


async def test_metrics_are_served_when_the_refresh_fails_or_hangs(caplog: pytest.LogCaptureFixture) -> None:
    async def failing() -> None:
        raise OSError("database gone")

    never = asyncio.Event()

    async def hanging() -> None:
        await never.wait()

    async with serving(refresh=failing) as (_, client):
        failed = await client.get("/metrics")
    async with serving(refresh=hanging, timeout=0.2) as (_, client):
        hung = await client.get("/metrics")
    assert failed.status_code == 200 and "kembar_leader" in failed.text
    assert hung.status_code == 200 and "kembar_leader" in hung.text
    messages = [r.getMessage() for r in caplog.records]
    assert "metrics refresh failed (OSError); serving the last values" in messages
    assert "metrics refresh took longer than 0.2s; serving the last values" in messages


async def test_translation_calls_failures_and_latency_are_measured_at_the_provider() -> None:
    calls = delta("kembar_translation_calls_total", provider="libre")
    seconds = delta("kembar_translation_seconds_count", provider="libre")
    unavailable = delta("kembar_translation_failures_total", provider="libre", kind="TranslationUnavailable")
    circuit = delta("kembar_translation_failures_total", provider="libre", kind="CircuitOpenError")
    async with TranslationServer() as server:
        translator = build_translator(
            "libre", url=server.root_url, timeout=5.0, retries=1, backoff=0.001, max_backoff=0.002, failure_threshold=2
        )
        try:
            assert await translator.translate(["Selamat pagi"], "id", "en") == ["Good morning"]
            assert (calls(), seconds(), unavailable()) == (1, 1, 0)
            server.fail_next(2, status=503)
            with pytest.raises(TranslationUnavailable):
                await translator.translate(["Terima kasih"], "id", "en")  # tried twice, failed twice
            assert (calls(), seconds(), unavailable()) == (3, 3, 2)
            with pytest.raises(TranslationUnavailable):  # the breaker opened: refused without a request
                await translator.translate(["Terima kasih"], "id", "en")
            assert (calls(), seconds(), circuit()) == (4, 3, 1)
            assert server.translate_count == 3
        finally:
            translator.close()
        async with serving() as (_, client):
            text = (await client.get("/metrics")).text
    assert 'kembar_translation_calls_total{provider="libre"}' in text
    assert 'kembar_translation_failures_total{kind="TranslationUnavailable",provider="libre"}' in text
    assert 'kembar_translation_seconds_bucket{le="0.05",provider="libre"}' in text


# Wednesday 2 December 2026, 09:00 in Jakarta.
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


async def test_reminder_lag_is_observed_when_a_reminder_is_sent(sqlite_world: World) -> None:
    world = sqlite_world
    surabaya, busan = world.town("Surabaya", "id"), world.town("Busan", "ko")
    clock = Clock(NOW)
    count = delta("kembar_reminder_lag_seconds_count")
    total = delta("kembar_reminder_lag_seconds_sum")
    under_two_minutes = delta("kembar_reminder_lag_seconds_bucket", le="120.0")
    async with world.bot(clock=clock, reminder_jobs=False) as poller:
        await world.setup(surabaya, busan)
        await world.ask(surabaya, "/remind besok jam 10 Terima kasih")
        clock.now = datetime(2026, 12, 3, 3, 1, 30, tzinfo=UTC)  # Thursday 10:01:30 in Jakarta: 90 s late
        assert count() == 0
        assert await services(poller).reminder_engine.run_due() == 2  # one per group
    assert count() == 2
    assert total() == pytest.approx(180.0)
    assert under_two_minutes() == 2


# ------------------------------------------------------------------------------------------------
# The connections (bot.ops.connections): loopback by default, a cap, header and idle timeouts, accept failures
# ------------------------------------------------------------------------------------------------

HALF_HEADER = b"GET /healthz HTTP/1.1\r\nHost: k\r\nX-Slow: "
HEALTHZ_AND_CLOSE = b"GET /healthz HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n"


async def until(check: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    """Until ``check()`` holds (the server's bookkeeping has no change notification), re-checked every few ms."""

    async def poll() -> None:
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout)


async def connect(web: WebServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", web.port)


async def closed_without_answer(reader: asyncio.StreamReader, timeout: float = 5.0) -> bool:  # noqa: ASYNC109
    """The server closed the connection without sending anything (within ``timeout`` seconds)."""
    return await asyncio.wait_for(reader.read(), timeout) == b""


async def healthz_on_a_new_connection(web: WebServer) -> bytes:
    reader, writer = await connect(web)
    try:
        writer.write(HEALTHZ_AND_CLOSE)
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


def closed_delta(reason: str) -> Callable[[], float]:
    return delta("kembar_http_connections_closed_total", reason=reason)


async def test_the_listener_binds_loopback_unless_told_otherwise() -> None:
    from bot.config import load_settings

    host, _ = load_settings({}).listen
    web = WebServer(host=host, port=0, readiness=all_ok)
    await web.start()
    try:
        assert web.guard is not None
        assert [sock.getsockname()[0] for sock in web.guard.sockets] == ["127.0.0.1"]
        assert (await healthz_on_a_new_connection(web)).startswith(b"HTTP/1.1 200")
    finally:
        await web.stop()


async def test_beyond_the_cap_a_stalled_connection_then_the_oldest_new_one_makes_room() -> None:
    evicted = closed_delta("evicted")
    async with serving(max_connections=3) as (web, _):
        guard = web.guard
        assert guard is not None
        slow_reader, slow_writer = await connect(web)
        slow_writer.write(HALF_HEADER)  # part of a header, never the rest
        first_reader, first_writer = await connect(web)  # connected, silent
        second_reader, second_writer = await connect(web)
        await until(lambda: len(guard.stalled) == 1 and len(guard.fresh) == 2)
        assert sample("kembar_http_connections") == 3
        # At the cap: a health probe still gets its answer; the stalled connection made room.
        assert (await healthz_on_a_new_connection(web)).startswith(b"HTTP/1.1 200")
        assert await closed_without_answer(slow_reader)
        # No stalled one left: the oldest silent one makes room next; the younger one stays.
        _, third_writer = await connect(web)
        await until(lambda: len(guard.fresh) == 3)
        assert (await healthz_on_a_new_connection(web)).startswith(b"HTTP/1.1 200")
        assert await closed_without_answer(first_reader)
        assert await raw_request(second_reader, second_writer, b"GET /healthz HTTP/1.1\r\nHost: k\r\n\r\n") == (
            200,
            b"ok\n",
        )
        for writer in (slow_writer, first_writer, second_writer, third_writer):
            writer.close()
    assert evicted() == 2  # the slow one, then the first silent one


async def test_a_new_connection_whose_request_has_arrived_is_passed_over_when_making_room() -> None:
    async with serving(max_connections=4) as (web, _):
        guard = web.guard
        assert guard is not None
        early = socket.create_connection(("127.0.0.1", web.port))
        try:
            await until(lambda: len(guard.fresh) == 1)
            late_reader, late_writer = await connect(web)
            await until(lambda: len(guard.fresh) == 2)
            # On loopback the request is in the server's socket when sendall returns; the server reads it on
            # its next turn. Room is made before that turn, as for a newcomer accepted first in it.
            early.sendall(HEALTHZ_AND_CLOSE)
            assert guard._evict("evicted")
            assert await closed_without_answer(late_reader)  # the younger one, silent, made room
            early.setblocking(False)
            answer = b""
            while chunk := await asyncio.wait_for(asyncio.get_running_loop().sock_recv(early, 4096), 5):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            late_writer.close()
        finally:
            early.close()


async def test_when_every_connection_is_busy_a_new_one_is_closed_at_once() -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    calls = 0

    async def held() -> dict[str, tuple[bool, str]]:
        nonlocal calls
        calls += 1
        entered.set()
        await release.wait()
        return await all_ok()

    refused = closed_delta("refused")
    async with serving(readiness=held, max_connections=2) as (web, _):
        guard = web.guard
        assert guard is not None
        busy = [await connect(web) for _ in range(2)]
        for _, writer in busy:
            writer.write(b"GET /readyz HTTP/1.1\r\nHost: k\r\n\r\n")
        await asyncio.wait_for(entered.wait(), 5)
        await until(lambda: len(guard.open) == 2 and guard.waiting == 0)  # both handlers are running
        assert await healthz_on_a_new_connection(web) == b""  # closed at once, without an answer
        assert refused() == 1
        release.set()
        for reader, writer in busy:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            assert head.startswith(b"HTTP/1.1 200")
            writer.close()
    assert calls == 1  # the two requests shared one computation


async def test_a_header_sent_a_byte_at_a_time_is_cut_off_at_the_header_timeout() -> None:
    timed_out = closed_delta("header_timeout")
    async with serving(header_timeout=0.5, idle_timeout=30.0) as (web, _):
        reader, writer = await connect(web)
        started = time.monotonic()
        writer.write(HALF_HEADER)
        while True:  # the slow client's pace: a byte every tenth of a second, until the server hangs up
            try:
                data = await asyncio.wait_for(reader.read(100), 0.1)
                break
            except TimeoutError:
                writer.write(b"x")
        elapsed = time.monotonic() - started
        writer.close()
    assert data == b""
    assert 0.45 <= elapsed < 3.0, elapsed  # tornado's own limit was the 75 s idle timeout
    assert timed_out() == 1


async def test_an_idle_keep_alive_connection_is_closed_at_the_idle_timeout() -> None:
    idle = closed_delta("idle_timeout")
    async with serving(header_timeout=30.0, idle_timeout=0.5) as (web, _):
        reader, writer = await connect(web)
        assert await raw_request(reader, writer, b"GET /healthz HTTP/1.1\r\nHost: k\r\n\r\n") == (200, b"ok\n")
        answered = time.monotonic()
        assert await closed_without_answer(reader)
        elapsed = time.monotonic() - answered
        writer.close()
    assert 0.45 <= elapsed < 3.0, elapsed
    assert idle() == 1


async def test_a_silent_new_connection_is_closed_at_the_header_timeout() -> None:
    timed_out = closed_delta("header_timeout")
    async with serving(header_timeout=0.3, idle_timeout=30.0) as (web, _):
        reader, writer = await connect(web)
        assert await closed_without_answer(reader)
        writer.close()
    assert timed_out() == 1


async def test_a_webhook_update_on_its_way_is_never_pushed_out() -> None:
    intake = FakeIntake()
    body = json.dumps(UPDATE).encode()
    async with serving(intake=intake, max_connections=2) as (web, _):
        guard = web.guard
        assert guard is not None
        reader, writer = await connect(web)
        writer.write(
            b"POST /telegram HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
            + f"{SECRET_HEADER}: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body[:10]
        )
        await until(lambda: len(guard.open) == 1 and guard.waiting == 0)  # its header is in: exempt
        idle_reader, idle_writer = await connect(web)
        await until(lambda: guard.waiting == 1)
        for _ in range(3):  # at the cap: newcomers make room among themselves
            assert (await healthz_on_a_new_connection(web)).startswith(b"HTTP/1.1 200")
        assert await closed_without_answer(idle_reader)
        writer.write(body[10:])
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        writer.close()
        idle_writer.close()
    assert head.startswith(b"HTTP/1.1 200")
    assert intake.updates == [UPDATE]


async def test_readyz_and_metrics_answers_are_shared_and_reused_for_a_moment() -> None:
    from bot.telegram.web import CACHE_SECONDS

    checks: list[float] = []
    refreshes: list[float] = []
    release = asyncio.Event()

    async def counted() -> dict[str, tuple[bool, str]]:
        checks.append(time.monotonic())
        await release.wait()
        return await all_ok()

    async def refresh() -> None:
        refreshes.append(time.monotonic())
        await release.wait()

    assert CACHE_SECONDS == 1.0
    assert WebServer(host="127.0.0.1", port=0, readiness=all_ok).ready_answers.ttl == CACHE_SECONDS
    async with serving(readiness=counted, refresh=refresh, cache_seconds=0.3) as (web, client):
        # A flood while the first computation runs: every request waits for that one.
        ready = [asyncio.ensure_future(client.get("/readyz")) for _ in range(30)]
        scraped = [asyncio.ensure_future(client.get("/metrics")) for _ in range(30)]
        await until(lambda: bool(checks) and bool(refreshes))
        release.set()
        answers = await asyncio.gather(*ready, *scraped)
        assert [r.status_code for r in answers] == [200] * 60
        assert (len(checks), len(refreshes)) == (1, 1)
        # Within the period: the same answer, not computed again.
        assert (await client.get("/readyz")).json()["telegram"]["ok"] is True
        assert len(checks) == 1 and web.ready_answers.computed == 1
        # After it: computed again.
        while len(checks) < 2:
            assert (await client.get("/readyz")).status_code == 200
            assert time.monotonic() - checks[0] < 5
        while len(refreshes) < 2:
            assert (await client.get("/metrics")).status_code == 200
            assert time.monotonic() - refreshes[0] < 5
    assert checks[1] - checks[0] >= 0.3
    assert refreshes[1] - refreshes[0] >= 0.3


async def test_malformed_requests_are_logged_at_most_once_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with serving() as (web, _):
        for n in range(3):
            reader, writer = await connect(web)
            writer.write(b"NONSENSE %d\r\n\r\n" % n)
            assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.1 400")
            writer.close()
    lines = [r for r in caplog.records if r.name == "tornado.general" and "Malformed HTTP" in r.getMessage()]
    assert len(lines) <= 1  # tornado logs each; at most one a minute gets through


async def test_throttled_logs_once_a_period_and_then_how_many_were_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.ops.connections import Throttled

    throttled = Throttled(logging.WARNING, every=0.2)
    for n in range(5):
        throttled(f"accept() failed ({n})")
    assert [r.getMessage() for r in caplog.records] == ["accept() failed (0)"]
    await until(lambda: len(caplog.records) == 2)
    assert caplog.records[1].getMessage() == "accept() failed (4) (4 more like this in the last 0.2 s)"
    throttled("accept() failed (5)")  # within the period the summary opened: counted, not logged
    assert len(caplog.records) == 2 and throttled.skipped == 1
    throttled.flush()
    assert caplog.records[2].getMessage() == "accept() failed (5) (1 more like this in the last 0.2 s)"


@contextmanager
def descriptors_used_up() -> Iterator[Callable[[], None]]:
    """Every descriptor number below a lowered soft limit in use, so the next socket or accept() fails with
    EMFILE; yields a function that gives them back. The limit is restored afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    highest = max(int(name) for name in os.listdir("/proc/self/fd"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (highest + 16, hard))
    fillers: list[int] = []

    def give_back() -> None:
        while fillers:
            os.close(fillers.pop())

    try:
        while True:
            try:
                fillers.append(os.open(os.devnull, os.O_RDONLY))
            except OSError as exc:
                assert exc.errno == errno.EMFILE
                break
        yield give_back
    finally:
        give_back()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def raw_healthz(sock: socket.socket, port: int) -> bytes:
    """GET /healthz on a socket created beforehand (no descriptor needed now), the answer up to the close."""
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, ("127.0.0.1", port))
    await loop.sock_sendall(sock, HEALTHZ_AND_CLOSE)
    answer = b""
    while chunk := await loop.sock_recv(sock, 4096):
        answer += chunk
    return answer


def new_socket() -> socket.socket:
    sock = socket.socket()
    sock.setblocking(False)
    return sock


needs_linux = pytest.mark.skipif(sys.platform != "linux", reason="counts descriptors in /proc/self/fd")


@needs_linux
async def test_out_of_descriptors_the_listener_pauses_instead_of_spinning_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    emfile = delta("kembar_http_accept_errors_total", error="EMFILE")
    async with serving() as (web, _):
        probe = new_socket()
        try:
            with descriptors_used_up() as give_back:
                answer = asyncio.ensure_future(raw_healthz(probe, web.port))
                await until(lambda: emfile() >= 3)  # tried again every ACCEPT_PAUSE (0.1 s), not in a loop
                assert emfile() < 20
                give_back()  # descriptors are back: the waiting connection is accepted and answered
                assert (await asyncio.wait_for(answer, 5)).startswith(b"HTTP/1.1 200")
        finally:
            probe.close()
        lines = [r.getMessage() for r in caplog.records if "accept() failed" in r.getMessage()]
        assert len(lines) == 1, lines
        assert "Too many open files (EMFILE); not accepting for 0.1 s" in lines[0]
    summary = [r.getMessage() for r in caplog.records if "accept() failed" in r.getMessage()][1:]
    assert len(summary) == 1 and "more like this in the last 60 s" in summary[0]  # flushed at stop


@needs_linux
async def test_out_of_descriptors_an_idle_connection_makes_room_for_a_new_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    evicted = closed_delta("evicted")
    async with serving() as (web, _):
        idle_reader, idle_writer = await connect(web)
        await until(lambda: web.guard is not None and len(web.guard.fresh) == 1)
        probe = new_socket()
        try:
            with descriptors_used_up():
                # accept() fails; the idle connection is closed, which frees the descriptor the probe gets.
                answer = await asyncio.wait_for(raw_healthz(probe, web.port), 5)
        finally:
            probe.close()
            idle_writer.close()
        assert answer.startswith(b"HTTP/1.1 200")
        assert await closed_without_answer(idle_reader)
    assert evicted() == 1
    lines = [r.getMessage() for r in caplog.records if "accept() failed" in r.getMessage()]
    assert lines and "(EMFILE); closed a connection waiting for its request header; not accepting" in lines[0]


@needs_linux
async def test_a_full_accept_queue_is_noticed_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    full = delta("kembar_http_accept_errors_total", error="queue_full")
    async with serving(backlog=2) as (web, _):
        crowd = [new_socket() for _ in range(12)]
        try:
            for sock in crowd:  # all at once, before the server's next turn: the queue overflows
                sock.connect_ex(("127.0.0.1", web.port))
            await until(lambda: full() >= 1)
        finally:
            for sock in crowd:
                sock.close()
    lines = [r.getMessage() for r in caplog.records if "accept queue is full" in r.getMessage()]
    assert len(lines) == 1, lines
    assert "room for 2" in lines[0]
