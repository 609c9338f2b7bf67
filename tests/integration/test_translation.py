"""Translation providers: the real deep-translator LibreTranslator against the local TranslationServer.

Everything runs over 127.0.0.1; other providers are exercised with their ``translate`` method patched
out, so no test touches the network. Slowness is always the server's (``latency``), never the test's.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import requests
from deep_translator import DeeplTranslator, GoogleTranslator, MicrosoftTranslator
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.translate_server import DEFAULT_PHRASES, PHRASE_ROWS, TranslationServer, build_phrase_table
from bot.translation import (
    DEFAULT_MAX_CHARS,
    PACK_MAX,
    PROVIDERS,
    CircuitBreaker,
    CircuitOpenError,
    DeepTranslator,
    TranslationAuthError,
    TranslationError,
    TranslationRejected,
    TranslationTimeout,
    TranslationUnavailable,
    Translator,
    UnsupportedLanguage,
    build_translator,
    map_language,
    split_text,
    utf8_length,
)

# --------------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _loopback_only(loopback_only: None) -> None:
    """Every test here talks to loopback servers (tests/conftest.py: loopback_only)."""


@pytest.fixture
async def server() -> AsyncIterator[TranslationServer]:
    async with TranslationServer() as srv:
        yield srv


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def libre(
    server: TranslationServer,
    *,
    timeout: float = 5.0,
    retries: int = 2,
    max_concurrency: int = 4,
    api_key: str | None = None,
    failure_threshold: int = 5,
    reset_timeout: float = 30.0,
    max_chars: int | None = None,
    pack_max: int = PACK_MAX,
    clock: Callable[[], float] | None = None,
) -> DeepTranslator:
    """A LibreTranslate provider for ``server`` with tiny back-off delays."""
    extra: dict[str, Any] = {} if clock is None else {"clock": clock}
    return build_translator(
        "libre",
        url=server.root_url,
        api_key=api_key,
        timeout=timeout,
        max_concurrency=max_concurrency,
        retries=retries,
        backoff=0.001,
        max_backoff=0.005,
        failure_threshold=failure_threshold,
        reset_timeout=reset_timeout,
        max_chars=max_chars,
        pack_max=pack_max,
        **extra,
    )


def state_of(translator: DeepTranslator) -> str:
    return translator.breaker.state


def statuses(server: TranslationServer) -> list[int | None]:
    return [r["status"] for r in server.requests]


# --------------------------------------------------------------------------------------------------
# Translating through the real LibreTranslator
# --------------------------------------------------------------------------------------------------


async def test_phrase_table_id_to_en(server: TranslationServer) -> None:
    translator = libre(server)
    assert await translator.translate(["Selamat pagi"], "id", "en") == ["Good morning"]
    assert server.requests == [
        {
            "q": "Selamat pagi",
            "source": "id",
            "target": "en",
            "format": "text",
            "api_key": True,  # deep-translator insists on a key: the placeholder is sent
            "status": 200,
        }
    ]


async def test_phrase_table_id_to_ko(server: TranslationServer) -> None:
    translator = libre(server)
    result = await translator.translate(["Rapat besok jam 10", "Terima kasih"], "id", "ko")
    assert result == ["내일 10시에 회의", "감사합니다"]
    assert {(r["source"], r["target"]) for r in server.requests} == {("id", "ko")}


async def test_unknown_text_gets_the_visible_fallback(server: TranslationServer) -> None:
    translator = libre(server)
    assert await translator.translate(["Halo semuanya"], "id", "de") == ["[de] Halo semuanya"]


async def test_refusing_server_answers_unknown_text_as_a_rejection_neither_retried_nor_counted() -> None:
    async with TranslationServer(unknown="refuse") as server:
        translator = libre(server, retries=3, failure_threshold=1)
        with pytest.raises(TranslationRejected):
            await translator.translate(["Halo semuanya"], "id", "de")
        assert statuses(server) == [400] and state_of(translator) == "closed"
        # Known phrases, lines without a letter and the pack's separator lines translate as before.
        assert await translator.translate(["Terima kasih", "Selamat pagi\n10:00", "42"], "id", "de") == [
            "Danke",
            "Guten Morgen\n10:00",
            "42",
        ]
        with pytest.raises(TranslationRejected):  # a batch fails as a whole, as with any provider
            await translator.translate(["Terima kasih", "Terima kasih\nHalo semuanya"], "id", "de")
        assert statuses(server) == [400, 200, 400]
    with pytest.raises(ValueError):
        TranslationServer(unknown="drop")  # type: ignore[arg-type]


async def test_source_none_asks_the_server_to_detect(server: TranslationServer) -> None:
    translator = libre(server)
    result = await translator.translate(["좋은 아침", "자매도시"], None, "en")
    assert result == ["Good morning", "Sister city"]
    assert {r["source"] for r in server.requests} == {"auto"}


async def test_batch_keeps_order_and_whitespace_and_skips_empty_texts(server: TranslationServer) -> None:
    translator = libre(server)
    texts = ["Selamat pagi", "", "   ", "  Terima kasih\n", "Halo", "Selamat pagi", "Sampai jumpa"]
    result = await translator.translate(texts, "id", "en")
    assert result == ["Good morning", "", "   ", "  Thank you\n", "[en] Halo", "Good morning", "See you"]
    # One request for the distinct non-blank texts, joined by separator lines; blanks and the
    # duplicate cost nothing.
    assert [r["q"] for r in server.requests] == [
        "Selamat pagi\n[[7000]]\nTerima kasih\n[[7001]]\nHalo\n[[7002]]\nSampai jumpa"
    ]


async def test_one_request_per_text_when_packing_is_off(server: TranslationServer) -> None:
    translator = libre(server, pack_max=1)
    result = await translator.translate(["Selamat pagi", "Halo", "Sampai jumpa"], "id", "en")
    assert result == ["Good morning", "[en] Halo", "See you"]
    assert sorted(str(r["q"]) for r in server.requests) == ["Halo", "Sampai jumpa", "Selamat pagi"]


async def test_a_batch_that_does_not_come_back_whole_is_translated_one_by_one() -> None:
    joined = "Selamat pagi\n[[7000]]\nHalo"
    # An engine that merged the lines (the separator is gone): the answer cannot be split back.
    phrases = build_phrase_table(PHRASE_ROWS)
    phrases[("id", "en")] = {**phrases[("id", "en")], joined: "Good morning, hello"}
    async with TranslationServer(phrases=phrases) as srv:
        result = await libre(srv).translate(["Selamat pagi", "Halo"], "id", "en")
        assert result == ["Good morning", "[en] Halo"]
        assert [r["q"] for r in srv.requests] == [joined, "Selamat pagi", "Halo"] or [r["q"] for r in srv.requests] == [
            joined,
            "Halo",
            "Selamat pagi",
        ]


async def test_batches_respect_the_limit_and_texts_like_separators_go_alone(server: TranslationServer) -> None:
    translator = libre(server, max_chars=80)
    texts = [f"Pesan nomor {i} untuk kota kembar" for i in range(6)] + ["lihat [[7000]] ini"]
    result = await translator.translate(texts, "id", "en")
    assert result == [f"[en] {t}" for t in texts]
    sent = [str(r["q"]) for r in server.requests]
    assert all(len(q) <= 80 for q in sent)
    assert "lihat [[7000]] ini" in sent  # could be taken for a separator: never joined
    assert len(sent) == 4  # two texts (31 chars each + a separator) per request, and the odd one alone


async def test_texts_of_unknown_language_are_not_joined(server: TranslationServer) -> None:
    """Joined texts would share one language detection: with source None each goes alone."""
    result = await libre(server).translate(["좋은 아침", "Selamat pagi"], None, "en")
    assert result[0] == "Good morning"
    assert {r["source"] for r in server.requests} == {"auto"}
    assert sorted(str(r["q"]) for r in server.requests) == ["Selamat pagi", "좋은 아침"]


def test_pack_max_must_be_positive() -> None:
    with pytest.raises(ValueError, match="pack_max"):
        build_translator("google", pack_max=0)


async def test_empty_batch_and_same_language_make_no_request(server: TranslationServer) -> None:
    translator = libre(server)
    assert await translator.translate([], "id", "en") == []
    assert await translator.translate(["   ", ""], "id", "en") == ["   ", ""]
    assert await translator.translate(["Selamat pagi"], "id", "ID") == ["Selamat pagi"]
    assert await translator.translate(["Good morning"], "en-GB", "en") == ["Good morning"]
    assert server.requests == []


async def test_long_text_is_split_on_sentences_and_joined(server: TranslationServer) -> None:
    translator = libre(server)
    text = "".join(
        f"Delegasi {i} dari kota kembar akan tiba minggu depan untuk rapat koordinasi program. " for i in range(140)
    )  # about 12 000 characters, over the 4 500 limit
    assert len(text) > 2 * DEFAULT_MAX_CHARS["libre"]

    [result] = await translator.translate([text], "id", "en")

    sent = [r["q"] for r in server.requests]
    assert len(sent) == 3
    assert all(isinstance(q, str) and len(q) <= DEFAULT_MAX_CHARS["libre"] for q in sent)
    assert all(isinstance(q, str) and q.endswith("program.") for q in sent)  # cut between sentences
    assert result.count("[en] ") == 3
    assert result.replace("[en] ", "") == text  # every piece came back, in order, spacing intact


async def test_split_pieces_respect_the_servers_limit(server: TranslationServer) -> None:
    server.char_limit = 300
    text = " ".join(f"Kalimat nomor {i} tentang kerja sama kota." for i in range(40))

    with pytest.raises(TranslationRejected):
        await libre(server, retries=3).translate([text], "id", "en")
    assert statuses(server) == [400]  # refused once, not retried

    server.requests.clear()
    [result] = await libre(server, max_chars=300).translate([text], "id", "en")
    assert len(server.requests) > 1
    assert set(statuses(server)) == {200}
    assert result.replace("[en] ", "") == text


# --------------------------------------------------------------------------------------------------
# Timeouts, retries, circuit breaker, concurrency, event loop
# --------------------------------------------------------------------------------------------------


async def test_slow_server_gives_a_timeout_error(server: TranslationServer) -> None:
    server.latency = 2.0
    translator = libre(server, timeout=0.2, retries=0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TranslationTimeout) as caught:
        await translator.translate(["Selamat pagi"], "id", "en")
    assert isinstance(caught.value, TranslationError)
    assert loop.time() - started < 1.5  # the timeout fired, not the server's answer
    assert len(server.requests) == 1


async def test_timed_out_request_is_retried(server: TranslationServer) -> None:
    server.latency = 2.0
    translator = libre(server, timeout=0.2, retries=2)
    with pytest.raises(TranslationTimeout):
        await translator.translate(["Selamat pagi"], "id", "en")
    assert len(server.requests) == 3


async def test_timed_out_worker_holds_its_slot_until_its_request_ends(server: TranslationServer) -> None:
    server.latency = 60.0
    translator = libre(server, timeout=0.3, retries=0, max_concurrency=1)
    with pytest.raises(TranslationTimeout):
        await translator.translate(["Selamat pagi"], "id", "en")

    server.latency = 0.0
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await translator.translate(["Terima kasih"], "id", "en") == ["Thank you"]
    # The abandoned request ended through the HTTP read timeout, long before the server's 60 s...
    assert loop.time() - started < 5.0
    # ...and the second request only went out after it: never two at once.
    assert server.max_concurrent == 1
    assert statuses(server) == [499, 200]


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_transient_error_is_retried(server: TranslationServer, status: int) -> None:
    server.fail_next(1, status=status)
    translator = libre(server, retries=2)
    assert await translator.translate(["Selamat pagi"], "id", "en") == ["Good morning"]
    assert statuses(server) == [status, 200]


async def test_retries_are_bounded(server: TranslationServer) -> None:
    server.fail_next(10, status=500)
    with pytest.raises(TranslationUnavailable) as caught:
        await libre(server, retries=2).translate(["Selamat pagi"], "id", "en")
    assert not isinstance(caught.value, CircuitOpenError)
    assert statuses(server) == [500, 500, 500]


async def test_unsupported_language_is_rejected_without_retry(server: TranslationServer) -> None:
    with pytest.raises(TranslationRejected):
        await libre(server, retries=3).translate(["Selamat pagi"], "id", "fr")
    assert statuses(server) == [400]


async def test_malformed_language_code_fails_before_any_request(server: TranslationServer) -> None:
    with pytest.raises(UnsupportedLanguage):
        await libre(server).translate(["Selamat pagi"], "id", "english!")
    assert server.requests == []


async def test_circuit_breaker_opens_then_fails_fast_then_recovers(server: TranslationServer) -> None:
    clock = FakeClock()
    translator = libre(server, retries=0, failure_threshold=3, reset_timeout=30.0, clock=clock)
    server.fail_share = 1.0

    for _ in range(3):
        with pytest.raises(TranslationUnavailable) as caught:
            await translator.translate(["Selamat pagi"], "id", "en")
        assert not isinstance(caught.value, CircuitOpenError)
    assert len(server.requests) == 3
    assert state_of(translator) == "open"

    # Open: fails fast, the server is not called at all.
    with pytest.raises(CircuitOpenError):
        await translator.translate(["Selamat pagi", "Terima kasih"], "id", "en")
    assert len(server.requests) == 3

    # After the cool-down one trial goes out; the server has recovered, so the circuit closes.
    server.fail_share = 0.0
    clock.now += 30.0
    assert state_of(translator) == "half-open"
    assert await translator.translate(["Selamat pagi"], "id", "en") == ["Good morning"]
    assert len(server.requests) == 4
    assert state_of(translator) == "closed"


async def test_failed_trial_reopens_the_circuit(server: TranslationServer) -> None:
    clock = FakeClock()
    translator = libre(server, retries=0, failure_threshold=2, reset_timeout=10.0, clock=clock)
    server.fail_share = 1.0
    for _ in range(2):
        with pytest.raises(TranslationUnavailable):
            await translator.translate(["Selamat pagi"], "id", "en")

    clock.now += 10.0
    with pytest.raises(TranslationUnavailable) as caught:  # the trial reaches the server and fails
        await translator.translate(["Selamat pagi"], "id", "en")
    assert not isinstance(caught.value, CircuitOpenError)
    assert len(server.requests) == 3

    with pytest.raises(CircuitOpenError):  # open again for another cool-down
        await translator.translate(["Selamat pagi"], "id", "en")
    assert len(server.requests) == 3


def test_circuit_breaker_allows_a_single_half_open_trial() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=5.0, clock=clock)
    assert breaker.claim() == "normal"
    breaker.record_failure()
    assert str(breaker.state) == "closed"  # one failure is below the threshold
    breaker.record_failure()
    assert str(breaker.state) == "open"
    assert breaker.claim() is None
    assert breaker.consecutive_failures == 2
    clock.now += 5.0
    assert breaker.claim() == "trial"
    assert breaker.claim() is None  # nobody else while the trial is out
    breaker.abandon("normal")  # another request's cancellation does not hand the trial back...
    assert breaker.claim() is None
    breaker.abandon("trial")  # ...the trial's own cancellation does
    assert breaker.claim() == "trial"
    breaker.record_failure("trial")  # a failed trial reopens at once
    assert str(breaker.state) == "open"
    clock.now += 5.0
    assert breaker.claim() == "trial"
    breaker.record_success("trial")
    assert breaker.consecutive_failures == 0
    assert str(breaker.state) == "closed"


async def test_event_loop_keeps_running_during_a_slow_translation(server: TranslationServer) -> None:
    server.latency = 0.5
    translator = libre(server)
    loop = asyncio.get_running_loop()
    ticks: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            ticks.append(loop.time())
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    try:
        result = await translator.translate(["Selamat pagi"], "id", "en")
    finally:
        done.set()
        await ticking
    assert result == ["Good morning"]
    assert len(ticks) >= 10
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.25


async def test_concurrency_limit_is_respected(server: TranslationServer) -> None:
    server.latency = 0.2
    translator = libre(server, max_concurrency=2, pack_max=1)
    texts = [f"Pesan nomor {i}" for i in range(6)]
    result = await translator.translate(texts, "id", "en")
    assert result == [f"[en] {t}" for t in texts]
    assert len(server.requests) == 6
    assert server.max_concurrent == 2


async def test_limit_is_shared_by_concurrent_batches(server: TranslationServer) -> None:
    server.latency = 0.1
    translator = libre(server, max_concurrency=3, pack_max=1)
    batches = [[f"Batch {b} pesan {i}" for i in range(3)] for b in range(3)]
    results = await asyncio.gather(*(translator.translate(b, "id", "ko") for b in batches))
    assert results == [[f"[ko] {t}" for t in b] for b in batches]
    assert server.max_concurrent == 3


# --------------------------------------------------------------------------------------------------
# API keys
# --------------------------------------------------------------------------------------------------

CLIENT_KEY = "client-S3CRET/key+="  # characters that URL quoting changes, to catch encoded leaks
CLIENT_KEY_FORMS = (CLIENT_KEY, "client-S3CRET%2Fkey%2B%3D", "S3CRET")


def assert_no_key(text: str) -> None:
    for form in CLIENT_KEY_FORMS:
        assert form not in text


async def test_api_key_is_sent_and_accepted() -> None:
    async with TranslationServer(api_key=CLIENT_KEY) as srv:
        translator = libre(srv, api_key=CLIENT_KEY)
        assert await translator.translate(["Kota kembar"], "id", "de") == ["Partnerstadt"]
        assert srv.requests[0]["api_key"] is True


async def test_api_key_never_appears_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with TranslationServer(api_key="the-right-key") as srv:
        translator = libre(srv, api_key=CLIENT_KEY, retries=0)
        with pytest.raises(TranslationAuthError) as caught:
            await translator.translate(["Selamat pagi"], "id", "en")
        assert statuses(srv) == [403]
    error = caught.value
    # deep-translator's own message would be "Unauthorized access with the api key <key>".
    assert_no_key(str(error))
    assert_no_key(repr(error))
    assert error.__cause__ is None and error.__context__ is None
    assert_no_key(repr(translator))
    request_lines = [
        r.getMessage() for r in caplog.records if r.name == "urllib3.connectionpool" and "/translate" in r.getMessage()
    ]
    assert request_lines  # urllib3 logs every request line at DEBUG...
    assert all("/translate?…" in line for line in request_lines)  # ...with the query string removed
    for record in caplog.records:
        assert_no_key(record.getMessage())


async def test_missing_api_key_is_an_auth_error() -> None:
    async with TranslationServer(api_key="the-right-key") as srv:
        with pytest.raises(TranslationAuthError):
            await libre(srv, retries=2).translate(["Selamat pagi"], "id", "en")
        assert statuses(srv) == [403]  # not retried


async def test_connection_error_hides_key_and_query(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with TranslationServer() as srv:
        translator = libre(srv, api_key=CLIENT_KEY, retries=1)
    # The server is gone: the connection is refused and requests' message quotes the URL.
    with pytest.raises(TranslationUnavailable) as caught:
        await translator.translate(["Rahasia rapat direksi"], "id", "en")
    message = str(caught.value)
    assert "network error" in message
    assert_no_key(message)
    assert "Rahasia" not in message  # user text stays out of errors too
    assert caught.value.__context__ is None
    retry_logs = [r.getMessage() for r in caplog.records if r.name == "bot.translation.providers"]
    assert len(retry_logs) == 1 and "retry 1/1" in retry_logs[0]
    for record in caplog.records:
        assert_no_key(record.getMessage())


# --------------------------------------------------------------------------------------------------
# Factory and provider wiring (no network: the clients' translate() is patched)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "setting"),
    [
        ("yandex", {}, "provider"),
        ("", {}, "provider"),
        ("deepl", {}, "api_key"),
        ("deepl", {"api_key": "   "}, "api_key"),
        ("microsoft", {"url": "http://x/"}, "api_key"),
        ("libre", {"api_key": "sekret-value"}, "url"),
        ("libre", {"url": "ftp://127.0.0.1/", "api_key": "sekret-value"}, "url"),
        ("google", {"timeout": 0}, "timeout"),
        ("google", {"max_concurrency": 0}, "max_concurrency"),
        ("google", {"retries": -1}, "retries"),
    ],
)
def test_build_translator_validation(name: str, kwargs: dict[str, Any], setting: str) -> None:
    with pytest.raises(ValueError, match=setting) as caught:
        build_translator(name, **kwargs)
    assert "sekret" not in str(caught.value)


def test_build_translator_builds_every_provider_without_network() -> None:
    settings_for: dict[str, dict[str, Any]] = {
        "deepl": {"api_key": "dk-sekret"},
        "microsoft": {"api_key": "ms-sekret", "region": "westeurope"},
        "libre": {"url": "http://127.0.0.1:9"},
    }
    for name in PROVIDERS:
        translator = build_translator(name.upper(), **settings_for.get(name, {}))
        assert isinstance(translator, Translator)
        assert translator.name == name
        assert "sekret" not in repr(translator)
    assert PROVIDERS == ("google", "deepl", "microsoft", "libre", "mymemory")


@pytest.mark.parametrize(
    ("provider", "code", "role", "expected"),
    [
        ("google", "zh", "target", "zh-CN"),
        ("google", "zh_TW", "target", "zh-TW"),
        ("google", "en-GB", "target", "en"),
        ("google", None, "source", "auto"),
        ("libre", "auto", "source", "auto"),
        ("libre", "zh-TW", "target", "zt"),
        ("deepl", "en", "target", "EN-US"),
        ("deepl", "ko", "target", "KO"),
        ("deepl", "en-GB", "source", "EN"),
        ("deepl", None, "source", None),
        ("microsoft", "zh", "target", "zh-Hans"),
        ("microsoft", None, "source", None),
        ("mymemory", "zh", "target", "zh-CN"),
        ("mymemory", "ID", "source", "id"),
    ],
)
def test_map_language(provider: str, code: str | None, role: Any, expected: str | None) -> None:
    assert map_language(provider, code, role=role) == expected


def test_map_language_refusals() -> None:
    with pytest.raises(UnsupportedLanguage):
        map_language("mymemory", None, role="source")
    with pytest.raises(UnsupportedLanguage):
        map_language("google", None, role="target")
    with pytest.raises(UnsupportedLanguage):
        map_language("google", "en; DROP", role="target")


Call = dict[str, Any]


def record_calls(monkeypatch: pytest.MonkeyPatch, cls: type, answer: Callable[[str], str | None]) -> list[Call]:
    calls: list[Call] = []
    lock = threading.Lock()

    def fake_translate(self: Any, text: str, **kwargs: Any) -> str | None:
        with lock:
            calls.append(
                {
                    "client": id(self),
                    "object": self,
                    "thread": threading.get_ident(),
                    "source": self.source,
                    "target": self.target,
                    "api_key": getattr(self, "api_key", None),
                    "base_url": getattr(self, "_base_url", None),
                    "text": text,
                }
            )
        return answer(text)

    monkeypatch.setattr(cls, "translate", fake_translate)
    return calls


async def test_google_uses_one_fresh_client_per_request_in_worker_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = record_calls(monkeypatch, GoogleTranslator, lambda text: text.upper())
    translator = build_translator("google", pack_max=1)
    assert await translator.translate(["satu", "dua", "tiga"], "id", "zh") == ["SATU", "DUA", "TIGA"]
    assert len({c["client"] for c in calls}) == 3  # never shared
    assert threading.get_ident() not in {c["thread"] for c in calls}  # never on the event loop
    assert {(c["source"], c["target"]) for c in calls} == {("id", "zh-CN")}


async def test_google_none_for_emoji_only_text_returns_the_original(monkeypatch: pytest.MonkeyPatch) -> None:
    record_calls(monkeypatch, GoogleTranslator, lambda text: None)
    translator = build_translator("google")
    assert await translator.translate(["🎉🎉", " 👍 "], None, "en") == ["🎉🎉", " 👍 "]


async def test_deepl_gets_its_key_explicitly_and_detects_by_omitting_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEEPL_API_KEY", "from-the-environment")
    calls = record_calls(monkeypatch, DeeplTranslator, lambda text: f"<{text}>")
    translator = build_translator("deepl", api_key="abc:fx")
    assert await translator.translate(["Hallo"], None, "en") == ["<Hallo>"]
    [call] = calls
    assert call["api_key"] == "abc:fx"
    assert call["source"] is None  # requests leaves None parameters out: DeepL detects
    assert call["target"] == "EN-US"
    assert "api-free.deepl.com" in call["base_url"]  # ":fx" keys belong to the free API


async def test_microsoft_client_is_built_without_a_network_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("unexpected HTTP request")

    monkeypatch.setattr(requests, "get", no_network)  # MicrosoftTranslator() would GET /languages
    calls = record_calls(monkeypatch, MicrosoftTranslator, lambda text: f"<{text}>")
    translator = build_translator("microsoft", api_key="ms-key", region="westeurope")
    assert await translator.translate(["Halo"], "id", "zh") == ["<Halo>"]
    [call] = calls
    assert (call["source"], call["target"], call["api_key"]) == ("id", "zh-Hans", "ms-key")
    assert call["object"].headers["Ocp-Apim-Subscription-Region"] == "westeurope"


async def test_mymemory_needs_a_source_and_splits_by_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    from deep_translator import MyMemoryTranslator

    calls = record_calls(monkeypatch, MyMemoryTranslator, lambda text: text)
    translator = build_translator("mymemory")
    with pytest.raises(UnsupportedLanguage):
        await translator.translate(["Halo"], None, "en")
    korean = "대표단은 월요일에 도착합니다. " * 40  # ~ 40 * 42 bytes
    assert await translator.translate([korean], "ko", "en") == [korean]
    assert len(calls) > 1
    assert all(utf8_length(c["text"]) <= DEFAULT_MAX_CHARS["mymemory"] for c in calls)


async def test_cancelled_batch_releases_every_slot(server: TranslationServer) -> None:
    server.latency = 60.0
    translator = libre(server, max_concurrency=2, timeout=30.0, pack_max=1)
    task = asyncio.create_task(translator.translate(["a", "b", "c"], "id", "en"))
    await asyncio.wait_for(server.wait_for_in_flight(2), 10)  # both slots taken, "c" waits for one
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert state_of(translator) == "closed"

    # Restart the server on the same port: the abandoned requests end (their worker threads see
    # the shutdown), which must hand both slots back, so the same translator works again.
    port = server.port
    await server.stop()
    async with TranslationServer(port=port, latency=0.2) as again:
        result = await asyncio.wait_for(translator.translate(["x", "y"], "id", "en"), 10)
        assert result == ["[en] x", "[en] y"]
        assert again.max_concurrent == 2  # both slots are back: the two requests overlapped


# --------------------------------------------------------------------------------------------------
# split_text
# --------------------------------------------------------------------------------------------------


def test_split_prefers_sentence_boundaries() -> None:
    text = "Satu dua tiga. Empat lima enam! Tujuh delapan sembilan? Sepuluh."
    pieces = split_text(text, 35)
    assert pieces == ["Satu dua tiga. Empat lima enam! ", "Tujuh delapan sembilan? Sepuluh."]


def test_split_cjk_and_line_breaks() -> None:
    assert split_text("会议明天开始。请准时到达。谢谢。", 8) == ["会议明天开始。", "请准时到达。", "谢谢。"]
    assert split_text("baris pertama\nbaris kedua", 20) == ["baris pertama\n", "baris kedua"]


def test_split_falls_back_to_whitespace_then_hard_cuts() -> None:
    assert split_text("kata kata kata kata", 10) == ["kata kata ", "kata kata"]
    assert split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert split_text("pendek", 100) == ["pendek"]
    assert split_text("", 10) == [""]
    with pytest.raises(ValueError):
        split_text("x", 0)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab .!?。\n가😀")), max_size=300),
    limit=st.integers(min_value=1, max_value=60),
    in_bytes=st.booleans(),
)
def test_split_round_trips_within_the_limit(text: str, limit: int, in_bytes: bool) -> None:
    measure = utf8_length if in_bytes else len
    pieces = split_text(text, limit, measure=measure)
    assert "".join(pieces) == text
    assert all(piece for piece in pieces) or pieces == [""]
    # A single character may exceed a tiny byte limit; nothing else may.
    assert all(measure(p) <= limit or len(p) == 1 for p in pieces)


# --------------------------------------------------------------------------------------------------
# The server's own API (as LibreTranslate)
# --------------------------------------------------------------------------------------------------


async def http(method: str, url: str, **kwargs: Any) -> requests.Response:
    return await asyncio.to_thread(requests.request, method, url, timeout=5, **kwargs)


async def test_server_accepts_json_and_form_bodies(server: TranslationServer) -> None:
    url = server.root_url + "translate"
    as_json = await http("POST", url, json={"q": ["Selamat pagi", "Halo"], "source": "id", "target": "en"})
    assert as_json.status_code == 200
    assert as_json.json() == {"translatedText": ["Good morning", "[en] Halo"]}

    as_form = await http("POST", url, data={"q": "Guten Morgen", "source": "auto", "target": "ko"})
    assert as_form.status_code == 200
    assert as_form.json() == {
        "translatedText": "좋은 아침",
        "detectedLanguage": {"confidence": 90.0, "language": "de"},
    }
    assert [r["q"] for r in server.requests] == [["Selamat pagi", "Halo"], "Guten Morgen"]


async def test_server_languages_and_detect(server: TranslationServer) -> None:
    languages = (await http("GET", server.root_url + "languages")).json()
    assert [lang["code"] for lang in languages] == ["id", "en", "ko", "de", "ja", "zh"]
    korean = next(lang for lang in languages if lang["code"] == "ko")
    assert korean["name"] == "Korean" and "ko" not in korean["targets"] and "id" in korean["targets"]

    detected = await http("POST", server.root_url + "detect", data={"q": "안녕하세요 여러분"})
    assert detected.json() == [{"confidence": 90.0, "language": "ko"}]
    assert server.requests == []  # only /translate calls are recorded


def test_server_translates_line_by_line_and_leaves_lines_without_words() -> None:
    server = TranslationServer()
    assert server.translate_text("Selamat pagi", "id", "en") == "Good morning"
    assert server.translate_text("Halo semua", "id", "en") == "[en] Halo semua"
    # Several lines: each on its own, as translation engines keep line breaks.
    assert (
        server.translate_text("  Halo\nSelamat pagi\n[[7000]]\n\n12:30 ✅\nTerima kasih ", "id", "en")
        == "  [en] Halo\nGood morning\n[[7000]]\n\n12:30 ✅\nThank you "
    )


async def test_server_errors_look_like_libretranslate() -> None:
    async with TranslationServer(api_key="k") as srv:
        url = srv.root_url + "translate"
        unsupported = await http("POST", url, data={"q": "x", "source": "id", "target": "fr", "api_key": "k"})
        assert (unsupported.status_code, unsupported.json()) == (400, {"error": "fr is not supported"})
        missing_q = await http("POST", url, data={"source": "id", "target": "en", "api_key": "k"})
        assert missing_q.status_code == 400 and "missing q" in missing_q.json()["error"]
        no_key = await http("POST", url, data={"q": "x", "source": "id", "target": "en"})
        assert no_key.status_code == 403 and "API key" in no_key.json()["error"]
        bad_key = await http("POST", url, data={"q": "x", "source": "id", "target": "en", "api_key": "no"})
        assert (bad_key.status_code, bad_key.json()) == (403, {"error": "Invalid API key"})
        srv.fail_next(1, status=429)
        limited = await http("POST", url, data={"q": "x", "source": "id", "target": "en", "api_key": "k"})
        assert limited.status_code == 429 and "error" in limited.json()
        unknown = await http("GET", srv.root_url + "nope")
        assert unknown.status_code == 404 and json.loads(unknown.text) == {"error": "Not Found"}


async def test_server_fail_share_is_deterministic() -> None:
    async def run() -> list[int | None]:
        async with TranslationServer(fail_share=0.5, seed=7) as srv:
            for i in range(20):
                await http("POST", srv.root_url + "translate", data={"q": f"t{i}", "source": "id", "target": "en"})
            return statuses(srv)

    first, second = await run(), await run()
    assert first == second
    assert set(first) == {200, 500}


def test_default_phrase_table_covers_every_pair() -> None:
    languages = ("id", "en", "ko", "de")
    for source in languages:
        for target in languages:
            if source != target:
                assert DEFAULT_PHRASES[(source, target)]
    assert DEFAULT_PHRASES[("de", "id")]["Guten Morgen"] == "Selamat pagi"
    assert build_phrase_table([{"id": "Ya", "en": "Yes"}]) == {("id", "en"): {"Ya": "Yes"}, ("en", "id"): {"Yes": "Ya"}}


async def test_root_url_has_a_trailing_slash_and_needs_a_running_server() -> None:
    srv = TranslationServer()
    with pytest.raises(RuntimeError):
        _ = srv.root_url
    async with srv:
        assert srv.root_url.startswith("http://127.0.0.1:") and srv.root_url.endswith("/")
        assert srv.port > 0
