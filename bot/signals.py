"""A signal: one part says "this happened", parts built later listen (no wiring by assignment)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")
logger = logging.getLogger(__name__)


class Signal(Generic[P]):
    """Listeners are called in the order they listened; one failing listener does not stop the others."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[P, None]] = []

    def listen(self, listener: Callable[P, None]) -> None:
        self._listeners.append(listener)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for listener in self._listeners:
            try:
                listener(*args, **kwargs)
            except Exception:
                logger.exception("a listener of %s failed", self.name)
