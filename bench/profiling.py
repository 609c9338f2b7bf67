"""Optional pyinstrument profiling of a measured run (``--profile DIR``); pyinstrument is not a dependency.

Install it into the virtualenv by hand (``.venv/bin/pip install pyinstrument``) to use it. The whole
event-loop thread is sampled (``async_mode="disabled"``), so the report shows the bot, the emulator
and the translation server side by side; time in aiosqlite's and the translator's worker threads shows
up only as the main thread waiting for them.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any


class Profile:
    def __init__(self, path: Path, *, interval: float = 0.0005) -> None:
        try:
            module = importlib.import_module("pyinstrument")
        except ImportError as exc:
            raise SystemExit("--profile needs pyinstrument: .venv/bin/pip install pyinstrument") from exc
        self.path = path
        self._profiler: Any = module.Profiler(interval=interval, async_mode="disabled")

    def start(self) -> None:
        self._profiler.start()

    def stop(self) -> None:
        self._profiler.stop()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.with_suffix(".txt").write_text(
            self._profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total"),
            encoding="utf-8",
        )
        self.path.with_suffix(".flat.txt").write_text(
            self._profiler.output_text(color=False, flat=True, time="percent_of_total"), encoding="utf-8"
        )
        self.path.with_suffix(".html").write_text(self._profiler.output_html(), encoding="utf-8")


def maybe_profile(directory: Path | None, name: str) -> Profile | None:
    return None if directory is None else Profile(directory / name)
