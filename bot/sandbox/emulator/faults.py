"""Injected failures: flood waits, server errors, latency and dropped connections."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, cast, get_args

FaultKind = Literal["429", "500", "502", "slow", "network_drop", "lost_response"]
_FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))


@dataclass
class Fault:
    """An injected failure; see :meth:`FaultInjector.add`."""

    kind: FaultKind
    method: str | None = None
    retry_after: int = 1
    delay: float = 0.5
    times: int | None = None
    share: float = 1.0
    chat_id: int | str | None = None
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        """Whether the fault already fired ``times`` times."""
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, chat_id: str | None) -> bool:
        """Whether a call of ``method`` for ``chat_id`` is subject to this fault."""
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == chat_id


class FaultInjector:
    """Injected failures, consulted on every API call (after token and method checks).

    Kinds: ``"429"`` (flood wait with ``retry_after``; the request is not executed), ``"500"`` and
    ``"502"`` (server errors; not executed; the 502 body is nginx's HTML page like Telegram's),
    ``"slow"`` (``delay`` seconds of latency before executing), ``"network_drop"`` (the connection
    is closed without a response and the request is not executed) and ``"lost_response"`` (the
    request *is* executed, then the connection is closed without a response).
    """

    def __init__(self, seed: int = 0) -> None:
        self._faults: list[Fault] = []
        self._random = random.Random(seed)

    def add(
        self,
        method: str | None = None,
        kind: FaultKind | int = "429",
        *,
        retry_after: int = 1,
        delay: float = 0.5,
        times: int | None = None,
        share: float = 1.0,
        chat_id: int | str | None = None,
    ) -> Fault:
        """Register a fault for ``method`` (case-insensitive; ``None`` means every method).

        ``times`` limits how often it fires (``None``: forever); ``share`` is the probability that a
        matching call is hit, drawn from a seeded generator so runs are reproducible; ``chat_id``
        restricts it to calls whose ``chat_id`` parameter matches.
        """
        kind_name = str(kind)
        if kind_name not in _FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(_FAULT_KINDS)}")
        if not 0.0 <= share <= 1.0:
            raise ValueError("share must be between 0 and 1")
        if times is not None and times < 0:
            raise ValueError("times must be non-negative")
        if retry_after < 1:
            raise ValueError("retry_after must be at least 1 second")
        if delay < 0:
            raise ValueError("delay must be non-negative")
        fault = Fault(
            kind=cast(FaultKind, kind_name),
            method=method,
            retry_after=retry_after,
            delay=delay,
            times=times,
            share=share,
            chat_id=chat_id,
        )
        self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Unregister one fault."""
        self._faults.remove(fault)

    def clear(self) -> None:
        """Unregister every fault."""
        self._faults.clear()

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._faults))

    def __len__(self) -> int:
        return len(self._faults)

    def pick(self, method: str, chat_id: str | None) -> Fault | None:
        """The fault that fires for this call, if any (counts it as fired)."""
        for fault in self._faults:
            if fault.exhausted or not fault.matches(method, chat_id):
                continue
            if fault.share < 1.0 and self._random.random() >= fault.share:
                continue
            fault.fired += 1
            return fault
        return None
