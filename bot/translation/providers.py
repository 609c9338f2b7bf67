"""Translation providers built on deep-translator (Google, DeepL, Microsoft, LibreTranslate, MyMemory).

deep-translator is synchronous ``requests`` code without timeouts whose client instances are mutated
by ``translate()``, so every request here:

* builds a NEW client instance (never shared between threads or calls),
* runs in a worker thread (``asyncio.to_thread``) under ``asyncio.wait_for(timeout)``, with the same
  timeout handed to ``requests`` so that a hung connection also ends the thread (see
  ``_install_request_timeouts``),
* holds a slot of a per-provider ``asyncio.Semaphore`` until the worker thread has really finished,
  so the number of requests in flight never exceeds ``max_concurrency``, even after timeouts,
* is retried with exponential back-off on rate limits, network errors, 5xx answers and timeouts,
* goes through a circuit breaker that fails fast after repeated failures.

API keys are passed explicitly to the client constructors (deep-translator reads its environment
variables once, at import time), and exception texts are rebuilt and sanitised so that no key, URL
query string or user text reaches errors or logs.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, Literal
from urllib.parse import quote, quote_plus, urlsplit

import requests
from deep_translator import (
    DeeplTranslator,
    GoogleTranslator,
    LibreTranslator,
    MicrosoftTranslator,
    MyMemoryTranslator,
)
from deep_translator.exceptions import (
    ApiKeyException,
    AuthorizationException,
    InvalidSourceOrTargetLanguage,
    LanguageNotSupportedException,
    MicrosoftAPIerror,
    NotValidLength,
    NotValidPayload,
    RequestError,
    ServerException,
    TooManyRequests,
    TranslationNotFound,
)

from bot.language.markers import PACK_SEPARATOR, pack_index, pack_marker
from bot.ops.metrics import TRANSLATION_CALLS, TRANSLATION_FAILURES, TRANSLATION_SECONDS
from bot.translation.base import (
    CircuitOpenError,
    TranslationAuthError,
    TranslationError,
    TranslationRejected,
    TranslationTimeout,
    TranslationUnavailable,
    UnsupportedLanguage,
    split_text,
    utf8_length,
)

__all__ = [
    "DEFAULT_MAX_CHARS",
    "LIBRE_PLACEHOLDER_KEY",
    "PACK_MAX",
    "PROVIDERS",
    "CircuitBreaker",
    "DeepTranslator",
    "build_translator",
    "map_language",
]

logger = logging.getLogger(__name__)

PROVIDERS: Final[tuple[str, ...]] = ("google", "deepl", "microsoft", "libre", "mymemory")

# Conservative per-request limits. Google refuses 5000 characters and more; MyMemory refuses 500
# and its API counts UTF-8 bytes, so it is measured in bytes (see _MEASURED_IN_BYTES).
DEFAULT_MAX_CHARS: Final[dict[str, int]] = {
    "google": 4500,
    "deepl": 4500,
    "microsoft": 4500,
    "libre": 4500,
    "mymemory": 480,
}
_MEASURED_IN_BYTES: Final = frozenset({"mymemory"})

# deep-translator's LibreTranslator refuses an empty api_key even when the server needs none.
LIBRE_PLACEHOLDER_KEY: Final = "kembar"

Role = Literal["source", "target"]
Ticket = Literal["normal", "trial"]

# --------------------------------------------------------------------------------------------------
# Language codes
# --------------------------------------------------------------------------------------------------

_CODE_RE: Final = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")

# Full (normalised, lower-case) codes that a provider spells differently; anything else is sent as
# its primary subtag ("en-GB" → "en"), upper-cased for DeepL.
_SPECIAL_CODES: Final[dict[str, dict[str, str]]] = {
    "google": {
        "zh": "zh-CN",
        "zh-cn": "zh-CN",
        "zh-sg": "zh-CN",
        "zh-hans": "zh-CN",
        "zh-tw": "zh-TW",
        "zh-hk": "zh-TW",
        "zh-hant": "zh-TW",
        "he": "iw",
        "jv": "jw",
        "fil": "tl",
        "mni-mtei": "mni-Mtei",
    },
    "microsoft": {
        "zh": "zh-Hans",
        "zh-cn": "zh-Hans",
        "zh-sg": "zh-Hans",
        "zh-hans": "zh-Hans",
        "zh-tw": "zh-Hant",
        "zh-hk": "zh-Hant",
        "zh-hant": "zh-Hant",
        "pt-pt": "pt-pt",
        "fr-ca": "fr-ca",
        "no": "nb",
        "tl": "fil",
    },
    "libre": {
        "zh-cn": "zh",
        "zh-sg": "zh",
        "zh-hans": "zh",
        "zh-tw": "zt",
        "zh-hk": "zt",
        "zh-hant": "zt",
    },
    "mymemory": {
        "zh": "zh-CN",
        "zh-cn": "zh-CN",
        "zh-sg": "zh-CN",
        "zh-hans": "zh-CN",
        "zh-tw": "zh-TW",
        "zh-hant": "zh-TW",
        "zh-hk": "zh-HK",
    },
    # DeepL target codes (upper case); DeepL source codes are always the bare primary subtag.
    "deepl": {
        "en": "EN-US",
        "en-us": "EN-US",
        "en-gb": "EN-GB",
        "pt": "PT-BR",
        "pt-br": "PT-BR",
        "pt-pt": "PT-PT",
        "zh": "ZH-HANS",
        "zh-cn": "ZH-HANS",
        "zh-sg": "ZH-HANS",
        "zh-hans": "ZH-HANS",
        "zh-tw": "ZH-HANT",
        "zh-hk": "ZH-HANT",
        "zh-hant": "ZH-HANT",
    },
}

# How each provider is asked to detect the source language: a code, or None to leave it out of the
# request (DeepL and Microsoft detect when the parameter is absent; "auto" is an error there).
_AUTO_SOURCE: Final[dict[str, str | None]] = {
    "google": "auto",
    "libre": "auto",
    "deepl": None,
    "microsoft": None,
}


def _normalise_code(code: str) -> str:
    norm = code.strip().replace("_", "-").lower()
    if not _CODE_RE.match(norm):
        raise UnsupportedLanguage(f"malformed language code {code[:16]!r}")
    return norm


def _same_language(source: str, target: str) -> bool:
    a, b = _normalise_code(source), _normalise_code(target)
    if a == b:
        return True
    primary = a.split("-")[0]
    # Chinese variants differ in script, so zh-TW → zh-CN is a real translation.
    return primary == b.split("-")[0] and primary != "zh"


def map_language(provider: str, code: str | None, *, role: Role = "target") -> str | None:
    """The code ``provider`` expects for ``code``; ``None`` as a source means "detect".

    For a source, ``None``/``"auto"`` maps to the provider's way of asking for detection, which is
    ``None`` (parameter left out) for DeepL and Microsoft. Raises ``UnsupportedLanguage`` for a
    malformed code, a missing target, or detection on a provider that cannot detect (MyMemory).
    """
    if provider not in PROVIDERS:
        raise ValueError(f"unknown translation provider {provider!r}")
    if code is None or code.strip().lower() in ("", "auto"):
        if role == "target":
            raise UnsupportedLanguage("a target language is required")
        if provider not in _AUTO_SOURCE:
            raise UnsupportedLanguage(f"{provider} cannot detect the source language; pass it explicitly")
        return _AUTO_SOURCE[provider]
    norm = _normalise_code(code)
    primary = norm.split("-")[0]
    if provider == "deepl":
        if role == "source":
            return primary.upper()
        return _SPECIAL_CODES["deepl"].get(norm, primary.upper())
    return _SPECIAL_CODES[provider].get(norm, primary)


# Sanitising: a URL query string (deep-translator sends API keys and user text there), key=value
# pairs that look like credentials, and user:password@ in URLs.
_QUERY_RE: Final = re.compile(r"\?[\w.~%+\-]+=[^\s'\"<>]*")
_SECRET_PARAM_RE: Final = re.compile(
    r"(?i)\b(api[_-]?key|auth[_-]?key|key|token|subscription-key|ocp-apim-subscription-key)([=:]\s*)"
    r"[^&\s'\",}]+"
)
_USERINFO_RE: Final = re.compile(r"(?i)\b(https?://)[^/\s@]+@")


# --------------------------------------------------------------------------------------------------
# Timeouts for deep-translator's requests calls
# --------------------------------------------------------------------------------------------------

_REQUEST_TIMEOUT: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "kembar_translation_request_timeout", default=None
)


class _RequestsWithTimeout:
    """Stands in for the ``requests`` module inside deep-translator's provider modules.

    deep-translator calls ``requests.get``/``requests.post`` without a timeout, so a hung server
    would keep a worker thread blocked for ever after ``asyncio.wait_for`` gave up. Inside our
    worker threads ``_REQUEST_TIMEOUT`` is set and becomes the default ``timeout``; everywhere else
    it is ``None`` and the calls behave exactly as before. Everything else is the real module.
    """

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, url: str, params: Any = None, **kwargs: Any) -> requests.Response:
        timeout = _REQUEST_TIMEOUT.get()
        if timeout is not None:
            kwargs.setdefault("timeout", timeout)
        return requests.get(url, params=params, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> requests.Response:
        timeout = _REQUEST_TIMEOUT.get()
        if timeout is not None:
            kwargs.setdefault("timeout", timeout)
        return requests.post(url, data=data, json=json, **kwargs)


class _RedactUrlsFilter(logging.Filter):
    """Removes query strings (deep-translator puts API keys and user text there) from log records.

    urllib3 logs every request line at DEBUG level, e.g. ``"POST /translate?q=...&api_key=... HTTP/1.1"``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix
            return True
        redacted = _SECRET_PARAM_RE.sub(r"\1\2***", _QUERY_RE.sub("?…", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_REQUESTS_PROXY: Final = _RequestsWithTimeout()
_install_lock = threading.Lock()
_installed = False


def _install_request_timeouts() -> None:
    """Point deep-translator's provider modules at ``_REQUESTS_PROXY`` and keep query strings out of
    urllib3's debug log (idempotent; done when the first provider is built, not at import)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        import deep_translator.deepl
        import deep_translator.google
        import deep_translator.libre
        import deep_translator.microsoft
        import deep_translator.mymemory

        for module in (
            deep_translator.google,
            deep_translator.deepl,
            deep_translator.microsoft,
            deep_translator.libre,
            deep_translator.mymemory,
        ):
            if getattr(module, "requests", None) is requests:
                module.requests = _REQUESTS_PROXY
        logging.getLogger("urllib3.connectionpool").addFilter(_RedactUrlsFilter())
        _installed = True


# --------------------------------------------------------------------------------------------------
# Circuit breaker
# --------------------------------------------------------------------------------------------------


class CircuitBreaker:
    """Closed → (``failure_threshold`` consecutive failures) → open → (``reset_timeout``) → half-open.

    Every request first calls ``claim()``: ``None`` means fail fast (open, or half-open with the
    trial already out), ``"trial"`` means this request is the single half-open trial, ``"normal"``
    means the circuit is closed. Its outcome is then reported with the ticket: success closes the
    circuit, a failure of the trial opens it again for another ``reset_timeout``.
    """

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_timeout < 0:
            raise ValueError("reset_timeout must not be negative")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> Literal["closed", "open", "half-open"]:
        if self._opened_at is None:
            return "closed"
        if self._trial_in_flight or self._clock() - self._opened_at >= self.reset_timeout:
            return "half-open"
        return "open"

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def claim(self) -> Ticket | None:
        """May a request go out now? In half-open state this claims the single trial."""
        if self._opened_at is None:
            return "normal"
        if self._trial_in_flight or self._clock() - self._opened_at < self.reset_timeout:
            return None
        self._trial_in_flight = True
        return "trial"

    def record_success(self, ticket: Ticket = "normal") -> None:
        """The provider answered: close the circuit."""
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def record_failure(self, ticket: Ticket = "normal") -> None:
        self._failures += 1
        if ticket == "trial" or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
        if ticket == "trial":
            self._trial_in_flight = False

    def abandon(self, ticket: Ticket) -> None:
        """The request was cancelled before its outcome was known: hand a trial back."""
        if ticket == "trial":
            self._trial_in_flight = False


# --------------------------------------------------------------------------------------------------
# Error classification and sanitising
# --------------------------------------------------------------------------------------------------

_SERVER_EXCEPTION_STATUS: Final[dict[str, int]] = {
    message: status for status, message in ServerException.errors.items()
}
_MS_CODE_RE: Final = re.compile(r"['\"]code['\"]\s*:\s*(\d{3})")


class _ClientFailure(Exception):
    """Internal: deep-translator returned something we cannot use."""


class _MicrosoftClient(MicrosoftTranslator):  # type: ignore[misc]
    """MicrosoftTranslator without the network round trip to /languages in its constructor.

    Codes are mapped by ``map_language`` and set through the public ``source``/``target`` setters,
    so the language list is only needed to get through the constructor.
    """

    def _get_supported_languages(self) -> dict[str, str]:
        return {"english": "en"}


def _retry_delay(attempt: int, base: float, cap: float) -> float:
    delay: float = min(cap, base * (2**attempt))
    return delay * random.uniform(0.5, 1.0)


# Several texts go to the provider in one request, separated by PACK marker lines "[[7000]]", "[[7001]]" …
# (bot.language.markers; left alone by translation engines, as the SPAN placeholders are).
PACK_MAX = 50
_PACK_SEPARATOR_COST = len("\n" + pack_marker(0) + "\n")


def _has_separator(text: str) -> bool:
    return "[[" in text and PACK_SEPARATOR.search(text) is not None


def _unpack(text: str, count: int) -> list[str] | None:
    """The texts of a joined translation; None unless every separator came back once, in order."""
    pieces = PACK_SEPARATOR.split(text)
    if len(pieces) != 2 * count - 1:
        return None
    texts = [piece.strip() for piece in pieces[0::2]]
    marks = [pack_index(mark) for mark in pieces[1::2]]
    if marks != list(range(count - 1)) or not all(texts):
        return None
    return texts


class DeepTranslator:
    """A ``Translator`` over one deep-translator provider; see the module docstring."""

    def __init__(
        self,
        name: str,
        *,
        url: str | None = None,
        api_key: str | None = None,
        region: str | None = None,
        timeout: float = 10.0,
        max_concurrency: int = 4,
        retries: int = 2,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        max_chars: int | None = None,
        pack_max: int = PACK_MAX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        provider = name.strip().lower() if isinstance(name, str) else ""
        if provider not in PROVIDERS:
            raise ValueError(
                f"unknown translation provider {str(name)[:32]!r}; expected one of: {', '.join(PROVIDERS)}"
            )
        api_key = api_key.strip() if api_key else None
        if provider in ("deepl", "microsoft") and not api_key:
            raise ValueError(f"translation provider {provider!r} needs an API key (setting: api_key)")
        if provider == "libre":
            if not url:
                raise ValueError("translation provider 'libre' needs a server URL (setting: url)")
            parts = urlsplit(url.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("the 'libre' setting url must be an http:// or https:// URL")
            url = url.strip()
            if not url.endswith("/"):
                url += "/"
        if not timeout > 0:
            raise ValueError("timeout must be positive")
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if retries < 0:
            raise ValueError("retries must not be negative")
        if backoff < 0 or max_backoff < 0:
            raise ValueError("backoff and max_backoff must not be negative")
        if max_chars is not None and max_chars < 1:
            raise ValueError("max_chars must be at least 1")
        if pack_max < 1:
            raise ValueError("pack_max must be at least 1")
        self.pack_max = pack_max  # texts sent in one request (1: one request per text)

        self.name: str = provider
        self._url = url if provider == "libre" else None
        self._api_key = api_key
        self._region = region.strip() if region and region.strip() else None
        self._timeout = float(timeout)
        self._retries = retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self.max_chars: int = max_chars if max_chars is not None else DEFAULT_MAX_CHARS[provider]
        self._measure: Callable[[str], int] = utf8_length if provider in _MEASURED_IN_BYTES else len
        self.max_concurrency: int = max_concurrency
        self._slots = asyncio.Semaphore(max_concurrency)
        # Our own threads, as many as requests may be in flight: the loop's default executor is small
        # (min(32, cpus + 4)) and shared, and would cap concurrency below max_concurrency.
        self._executor = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix=f"translate-{name}")
        self.breaker = CircuitBreaker(failure_threshold, reset_timeout, clock=clock)
        self._workers: set[asyncio.Future[str]] = set()
        _install_request_timeouts()

    def __repr__(self) -> str:
        return f"DeepTranslator(name={self.name!r}, timeout={self._timeout}, retries={self._retries})"

    # -- public ----------------------------------------------------------------------------------

    async def translate(self, texts: list[str], source: str | None, target: str) -> list[str]:
        if not all(isinstance(text, str) for text in texts):
            raise TypeError("texts must be a list of str")
        if not texts:
            return []
        source_code = map_language(self.name, source, role="source")
        target_code = map_language(self.name, target, role="target")
        assert target_code is not None  # a target always maps to a code
        if source is not None and source.strip().lower() != "auto" and _same_language(source, target):
            return list(texts)

        # Every text becomes pieces within the provider's limit; each piece is sent without its
        # surrounding whitespace (Google strips it), which is put back afterwards.
        layout: list[list[tuple[str, str, str]]] = []
        cores: dict[str, None] = {}
        for text in texts:
            parts: list[tuple[str, str, str]] = []
            for piece in split_text(text, self.max_chars, measure=self._measure):
                core = piece.strip()
                start = piece.find(core) if core else len(piece)
                parts.append((piece[:start], core, piece[start + len(core) :]))
                if core:
                    cores[core] = None
            layout.append(parts)
        if not cores:
            return list(texts)

        translated = await self._translate_all(list(cores), source_code, target_code)
        return [
            "".join(lead + (translated[core] if core else "") + trail for lead, core, trail in parts)
            for parts in layout
        ]

    # -- internals -------------------------------------------------------------------------------

    async def _translate_all(self, cores: list[str], source: str | None, target: str) -> dict[str, str]:
        # Joined texts share one language detection: with no source language given, one text per request.
        packs = self._packs(cores) if source not in (None, "auto") else [[core] for core in cores]
        tasks = [asyncio.ensure_future(self._translate_pack(pack, source, target)) for pack in packs]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        merged: dict[str, str] = {}
        for result in results:
            merged.update(result)
        return merged

    def _packs(self, cores: list[str]) -> list[list[str]]:
        """Cores grouped into requests: as many as fit the provider's limit with the separators between."""
        packs: list[list[str]] = []
        current: list[str] = []
        size = 0
        for core in cores:
            cost = self._measure(core)
            if _has_separator(core):  # could be taken for a separator: alone
                packs.append([core])
                continue
            if current and (len(current) >= self.pack_max or size + _PACK_SEPARATOR_COST + cost > self.max_chars):
                packs.append(current)
                current, size = [], 0
            size += cost + (_PACK_SEPARATOR_COST if current else 0)
            current.append(core)
        if current:
            packs.append(current)
        return packs

    async def _translate_pack(self, pack: list[str], source: str | None, target: str) -> dict[str, str]:
        """One request for several texts, joined by numbered separator lines; if the answer does not
        split back into as many texts, each is translated on its own."""
        if len(pack) == 1:
            return {pack[0]: await self._translate_one(pack[0], source, target)}
        joined = pack[0] + "".join(f"\n{pack_marker(index)}\n{core}" for index, core in enumerate(pack[1:]))
        parts = _unpack(await self._translate_one(joined, source, target), len(pack))
        if parts is None:
            logger.info("translation via %s: a batch of %d did not come back whole; one by one", self.name, len(pack))
            singles = await asyncio.gather(*(self._translate_one(core, source, target) for core in pack))
            return dict(zip(pack, singles, strict=True))
        return dict(zip(pack, parts, strict=True))

    async def _translate_one(self, text: str, source: str | None, target: str) -> str:
        attempt = 0
        while True:
            await self._slots.acquire()
            # The breaker is asked once a slot is free, so requests queued behind the concurrency
            # limit fail fast too when the circuit opened while they waited.
            ticket = self.breaker.claim()
            TRANSLATION_CALLS.labels(self.name).inc()
            if ticket is None:
                self._slots.release()
                TRANSLATION_FAILURES.labels(self.name, CircuitOpenError.__name__).inc()
                raise CircuitOpenError(f"{self.name}: failing fast after repeated failures; circuit open")
            error: TranslationError
            started = time.perf_counter()
            try:
                result = await self._run_in_worker(text, source, target)
            except Exception as exc:
                error = self._classify(exc)
            except BaseException:
                self.breaker.abandon(ticket)
                raise
            else:
                TRANSLATION_SECONDS.labels(self.name).observe(time.perf_counter() - started)
                self.breaker.record_success(ticket)
                return result
            TRANSLATION_SECONDS.labels(self.name).observe(time.perf_counter() - started)
            TRANSLATION_FAILURES.labels(self.name, type(error).__name__).inc()
            # Raised outside the except block, so the original exception (whose text or traceback
            # may carry the API key) is neither chained nor kept as __context__.
            if isinstance(error, TranslationUnavailable):
                self.breaker.record_failure(ticket)
            else:
                self.breaker.record_success(ticket)  # the provider is up: it answered
            if not isinstance(error, TranslationUnavailable) or attempt >= self._retries:
                raise error
            delay = _retry_delay(attempt, self._backoff, self._max_backoff)
            attempt += 1
            logger.warning(
                "translation via %s failed (%s); retry %d/%d in %.2fs", self.name, error, attempt, self._retries, delay
            )
            await asyncio.sleep(delay)

    async def _run_in_worker(self, text: str, source: str | None, target: str) -> str:
        """One request in a worker thread. The caller holds a concurrency slot; it is released when
        the thread finishes, not when we stop waiting for it, so after a timeout the limit still
        counts the abandoned request until its HTTP timeout ends it."""
        loop = asyncio.get_running_loop()
        call = functools.partial(contextvars.copy_context().run, self._translate_blocking, text, source, target)
        worker = asyncio.ensure_future(loop.run_in_executor(self._executor, call))
        self._workers.add(worker)
        worker.add_done_callback(self._worker_done)
        try:
            return await asyncio.wait_for(asyncio.shield(worker), self._timeout)
        except TimeoutError:
            raise TranslationTimeout(f"{self.name}: no answer within {self._timeout:g}s") from None

    def close(self) -> None:
        """Let the worker threads go (requests still running finish on their own timeout)."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _worker_done(self, worker: asyncio.Future[str]) -> None:
        self._workers.discard(worker)
        self._slots.release()
        if not worker.cancelled():
            worker.exception()  # mark as retrieved: nobody may be waiting any more after a timeout

    def _translate_blocking(self, text: str, source: str | None, target: str) -> str:
        """Runs in a worker thread: build a fresh client, translate one piece."""
        token = _REQUEST_TIMEOUT.set(self._timeout)
        try:
            client = self._new_client()
            client.source = source
            client.target = target
            result = client.translate(text)
        finally:
            _REQUEST_TIMEOUT.reset(token)
        if result is None:
            # Google answers None when there is nothing to translate (emoji only, punctuation).
            return text
        if not isinstance(result, str):
            raise _ClientFailure(f"unexpected result of type {type(result).__name__}")
        if self.name == "mymemory" and result.startswith("MYMEMORY WARNING"):
            raise TranslationUnavailable("mymemory: the daily free quota is used up")
        stripped = result.strip()
        return stripped if stripped else text

    def _new_client(self) -> Any:
        if self.name == "google":
            return GoogleTranslator(source="auto", target="en")
        if self.name == "deepl":
            key = self._api_key or ""
            return DeeplTranslator(source="de", target="en", api_key=key, use_free_api=key.endswith(":fx"))
        if self.name == "microsoft":
            return _MicrosoftClient(source="auto", target="en", api_key=self._api_key, region=self._region)
        if self.name == "libre":
            return LibreTranslator(
                source="en",
                target="es",
                api_key=self._api_key or LIBRE_PLACEHOLDER_KEY,
                custom_url=self._url,
            )
        return MyMemoryTranslator(source="auto", target="en-GB")

    def _sanitise(self, text: str) -> str:
        if self._api_key:
            for secret in {self._api_key, quote(self._api_key, safe=""), quote_plus(self._api_key)}:
                text = text.replace(secret, "***")
        text = _USERINFO_RE.sub(r"\1***@", text)
        text = _QUERY_RE.sub("?…", text)
        text = _SECRET_PARAM_RE.sub(r"\1\2***", text)
        text = " ".join(text.split())
        return text[:200] + ("…" if len(text) > 200 else "")

    def _describe(self, exc: BaseException) -> str:
        detail = self._sanitise(str(exc))
        return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__

    def _classify(self, exc: Exception) -> TranslationError:
        """Map a deep-translator/requests exception to our errors, without secrets or user text."""
        name = self.name
        if isinstance(exc, TranslationError):
            return type(exc)(self._sanitise(str(exc)))
        if isinstance(exc, AuthorizationException | ApiKeyException):
            # AuthorizationException's text is "Unauthorized access with the api key <key>".
            return TranslationAuthError(f"{name}: the provider rejected the API key")
        if isinstance(exc, TooManyRequests):
            return TranslationUnavailable(f"{name}: rate limited by the provider (HTTP 429)")
        if isinstance(exc, RequestError):
            return TranslationUnavailable(f"{name}: the provider answered with an error status")
        if isinstance(exc, requests.Timeout | TimeoutError):
            return TranslationTimeout(f"{name}: no answer within {self._timeout:g}s ({type(exc).__name__})")
        if isinstance(exc, requests.RequestException | OSError):
            return TranslationUnavailable(f"{name}: network error ({self._describe(exc)})")
        if isinstance(exc, ServerException):
            status = _SERVER_EXCEPTION_STATUS.get(str(exc.args[0]) if exc.args else "")
            label = f"HTTP {status}" if status is not None else "an unexpected HTTP status"
            if status in (401, 402, 403):
                return TranslationAuthError(f"{name}: the provider rejected the API key ({label})")
            if status is None or status == 429 or status >= 500:
                return TranslationUnavailable(f"{name}: the provider failed ({label})")
            return TranslationRejected(f"{name}: the provider refused the request ({label})")
        if isinstance(exc, MicrosoftAPIerror):
            match = _MS_CODE_RE.search(exc.api_message)
            status = int(match.group(1)) if match else None
            if status in (401, 403):
                return TranslationAuthError(f"{name}: the provider rejected the API key (HTTP {status})")
            if status is not None and status < 500 and status != 429:
                return TranslationRejected(f"{name}: the provider refused the request (HTTP {status})")
            return TranslationUnavailable(f"{name}: the provider failed (HTTP {status or 'unknown'})")
        if isinstance(exc, LanguageNotSupportedException | InvalidSourceOrTargetLanguage):
            return UnsupportedLanguage(f"{name}: language not supported")
        if isinstance(exc, NotValidPayload | NotValidLength):
            return TranslationRejected(f"{name}: text refused by the client library (length or type)")
        if isinstance(exc, TranslationNotFound):
            return TranslationError(f"{name}: no translation found in the provider's answer")
        if name == "microsoft" and isinstance(exc, AttributeError):
            # deep-translator swallows the network error and then calls .json() on None.
            return TranslationUnavailable(f"{name}: network error")
        return TranslationError(f"{name}: unexpected {self._describe(exc)}")


def build_translator(
    name: str,
    *,
    url: str | None = None,
    api_key: str | None = None,
    timeout: float = 10.0,
    max_concurrency: int = 4,
    retries: int = 2,
    region: str | None = None,
    backoff: float = 0.5,
    max_backoff: float = 8.0,
    failure_threshold: int = 5,
    reset_timeout: float = 30.0,
    max_chars: int | None = None,
    pack_max: int = PACK_MAX,
    clock: Callable[[], float] = time.monotonic,
) -> DeepTranslator:
    """Build the translator for provider ``name`` (one of ``PROVIDERS``).

    Raises ``ValueError`` for an unknown provider or a missing/invalid setting (DeepL and Microsoft
    need ``api_key``; LibreTranslate needs ``url``); messages name the setting, never its value.
    No network request is made here.
    """
    return DeepTranslator(
        name,
        url=url,
        api_key=api_key,
        region=region,
        timeout=timeout,
        max_concurrency=max_concurrency,
        retries=retries,
        backoff=backoff,
        max_backoff=max_backoff,
        failure_threshold=failure_threshold,
        reset_timeout=reset_timeout,
        max_chars=max_chars,
        pack_max=pack_max,
        clock=clock,
    )
