"""Per-user rate limits on commands and button presses: one member cannot flood a group (or Kembar)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW_SECONDS = 60.0
ANONYMOUS = 0  # the key of whoever posts as the group itself (Telegram user ids are positive)
KEYS_KEPT = 10_000  # (kind, chat, user) windows kept; the oldest are forgotten beyond


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    told: bool = False  # the user was told to slow down in this window


class UserLimits:
    def __init__(
        self,
        *,
        commands_per_minute: int = 20,
        presses_per_minute: int = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = {"command": commands_per_minute, "press": presses_per_minute}
        self.clock = clock
        self._windows: dict[tuple[str, int, int], _Window] = {}

    def allow(self, kind: str, chat_id: int, user_id: int | None) -> tuple[bool, bool]:
        """Whether the user may go on, and (when not) whether to tell them (once per window). ``user_id`` None
        is someone posting as the group itself (an anonymous administrator): they cannot be told apart, so
        they share one window of the group, with the same limit."""
        now = self.clock()
        key = (kind, chat_id, ANONYMOUS if user_id is None else user_id)
        window = self._windows.pop(key, None) or _Window()
        self._windows[key] = window  # most recently used last
        while window.times and now - window.times[0] >= WINDOW_SECONDS:
            window.times.popleft()
        if not window.times:
            window.told = False
        if len(window.times) >= self.limits[kind]:
            tell = not window.told
            window.told = True
            return False, tell
        window.times.append(now)
        while len(self._windows) > KEYS_KEPT:
            del self._windows[next(iter(self._windows))]
        return True, False
