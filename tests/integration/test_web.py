"""The HTTP side (bot.telegram.web, bot.telegram.health, bot.ops.metrics): the webhook, /healthz, /readyz,
/metrics, over loopback.

Every server binds 127.0.0.1 on an ephemeral port and is driven with httpx (or a raw socket where the
connection itself matters). Metrics live in one process-wide registry, so tests compare values before and
after (``delta``) instead of expecting absolute numbers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
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
