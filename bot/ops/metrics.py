"""Kembar's Prometheus metrics, in a registry of their own (``REGISTRY``), served at ``/metrics`` (bot.telegram.web).

A registry of its own, not prometheus-client's global default one: what ``/metrics`` shows is exactly
what Kembar defines here (no process or platform collectors registered behind its back by a library),
and tests can read values with ``REGISTRY.get_sample_value``.

The metrics are module constants; code records them where the thing happens:

* ``UPDATES`` — Telegram updates processed, ``how``: ``inline`` (handled at once) or ``queued`` (stored
  in the inbox and handled from there).
* ``RELAY_LAG`` — seconds from a message's Telegram date to its copy being sent in a partner group.
* ``OUTBOX`` — relay jobs per ``state`` (pending, done, failed); set at scrape time (``set_outbox``).
* ``TRANSLATION_CALLS`` / ``TRANSLATION_FAILURES`` / ``TRANSLATION_SECONDS`` — requests to the translation
  provider (bot.translation.providers), per ``provider``. A request the circuit breaker refuses at once
  counts as a call and as a failure of kind ``CircuitOpenError``, so failures never exceed calls;
  the latency is that of requests really made (failed ones included). ``kind`` is the class name of
  Kembar's translation error (``TranslationTimeout``, ``TranslationUnavailable``, ``TranslationRejected``,
  ``TranslationAuthError``, ``UnsupportedLanguage``, ``CircuitOpenError``, ``TranslationError``): few values.
* ``REMINDER_LAG`` — seconds from a reminder's due time to its sending (bot.features.reminder_engine).
* ``DELIVERIES_RETRIED`` / ``DELIVERIES_FAILED`` — sends to Telegram retried, and given up.
* ``LEADER`` — 1 while this instance leads (polls in polling mode, runs housekeeping), else 0.
* ``INSTANCE`` — ``kembar_instance_info{instance, mode}`` 1 (``set_instance``).
* ``WEBHOOK_REFUSED`` — webhook requests answered with an error, per ``reason`` (bot.telegram.web).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

__all__ = [
    "DELIVERIES_FAILED",
    "DELIVERIES_RETRIED",
    "INSTANCE",
    "LEADER",
    "OUTBOX",
    "OUTBOX_STATES",
    "REFUSAL_REASONS",
    "REGISTRY",
    "RELAY_LAG",
    "REMINDER_LAG",
    "TRANSLATION_CALLS",
    "TRANSLATION_FAILURES",
    "TRANSLATION_SECONDS",
    "UPDATES",
    "WEBHOOK_REFUSED",
    "set_instance",
    "set_outbox",
]

REGISTRY: Final = CollectorRegistry()

UPDATES: Final = Counter(
    "kembar_updates_processed_total",
    "Telegram updates processed: inline (at once) or queued (through the inbox).",
    ["how"],
    registry=REGISTRY,
)

# From the Telegram date of the posted message to its copy being sent: 0.1 s to 10 minutes.
RELAY_LAG: Final = Histogram(
    "kembar_relay_lag_seconds",
    "Seconds from a message's Telegram date to its copy being sent in a partner group.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
    registry=REGISTRY,
)

OUTBOX_STATES: Final = ("pending", "done", "failed")
OUTBOX: Final = Gauge(
    "kembar_outbox_jobs",
    "Relay jobs in the outbox per state (read from the database when /metrics is scraped).",
    ["state"],
    registry=REGISTRY,
)

TRANSLATION_CALLS: Final = Counter(
    "kembar_translation_calls_total",
    "Requests to the translation provider (including those the circuit breaker refused at once).",
    ["provider"],
    registry=REGISTRY,
)
TRANSLATION_FAILURES: Final = Counter(
    "kembar_translation_failures_total",
    "Failed requests to the translation provider, by kind of error.",
    ["provider", "kind"],
    registry=REGISTRY,
)
TRANSLATION_SECONDS: Final = Histogram(
    "kembar_translation_seconds",
    "Seconds one request to the translation provider took (failed ones included).",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)

# The engine wakes at the due instant and sweeps every minute; after downtime the lag is hours.
REMINDER_LAG: Final = Histogram(
    "kembar_reminder_lag_seconds",
    "Seconds from a reminder's due time to its sending.",
    buckets=(1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0, 14400.0, 86400.0),
    registry=REGISTRY,
)

DELIVERIES_RETRIED: Final = Counter(
    "kembar_deliveries_retried_total",
    "Sends to Telegram that failed and were scheduled again.",
    registry=REGISTRY,
)
DELIVERIES_FAILED: Final = Counter(
    "kembar_deliveries_failed_total",
    "Sends to Telegram given up after their retries (or refused for good).",
    registry=REGISTRY,
)

LEADER: Final = Gauge(
    "kembar_leader",
    "1 while this instance leads (polls in polling mode, runs housekeeping), else 0.",
    registry=REGISTRY,
)
INSTANCE: Final = Info(
    "kembar_instance",
    "This Kembar process: its instance name and mode (webhook or polling).",
    registry=REGISTRY,
)

REFUSAL_REASONS: Final = ("secret", "too_large", "bad_request", "unavailable")
WEBHOOK_REFUSED: Final = Counter(
    "kembar_webhook_refused_total",
    "Webhook requests not accepted: secret (missing or wrong token), too_large, bad_request (not a JSON "
    "object), unavailable (the update's work could not be made durable; Telegram retries).",
    ["reason"],
    registry=REGISTRY,
)

# Every labelled series exists from the start (at 0), so rates and alerts work before the first event.
for _reason in REFUSAL_REASONS:
    WEBHOOK_REFUSED.labels(_reason)
for _how in ("inline", "queued"):
    UPDATES.labels(_how)
for _state in OUTBOX_STATES:
    OUTBOX.labels(_state)


def set_outbox(counts: Mapping[str, int]) -> None:
    """Set ``kembar_outbox_jobs`` from jobs per state (e.g. ``OutboxRepository.counts()``); a state
    missing from ``counts`` is 0."""
    for state in OUTBOX_STATES:
        OUTBOX.labels(state).set(counts.get(state, 0))


def set_instance(instance: str, mode: str) -> None:
    """Set ``kembar_instance_info{instance=…, mode=…} 1`` (mode: ``webhook`` or ``polling``)."""
    INSTANCE.info({"instance": instance, "mode": mode})
