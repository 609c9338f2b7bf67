"""The open-file limit (bot.ops.connections): raised to the hard limit, never lowered, logged; and the share of
it the HTTP listener may take. Each limit is tried in a child process, so this one's stays as it was."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.ops.connections import Limit, connection_budget, current_limit

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_NOFILE is POSIX")

CHILD = """
import logging, resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard}))
logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
from bot.ops.connections import raise_limit
found = raise_limit({target})
print(found.before, found.soft, found.hard, found.raised)
print(*resource.getrlimit(resource.RLIMIT_NOFILE))
"""


def raised_in_a_child(soft: int, hard: int, target: int | None = None) -> list[str]:
    """What ``raise_limit(target)`` logs and returns, then the limit, in a process started at (soft, hard)."""
    code = CHILD.format(soft=soft, hard=hard, target=target)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.splitlines()


def usable_hard_limit() -> int:
    hard = current_limit().hard
    if hard is not None and hard < 2048:
        pytest.skip(f"the hard open-file limit here is {hard}")
    return 2048


def test_the_soft_limit_is_raised_to_the_hard_limit_and_logged() -> None:
    hard = usable_hard_limit()
    assert raised_in_a_child(256, hard) == [
        f"open files: soft limit raised from 256 to {hard} (hard limit {hard})",
        f"256 {hard} {hard} True",
        f"{hard} {hard}",
    ]


def test_at_the_hard_limit_nothing_changes_and_the_log_says_what_it_is() -> None:
    found = raised_in_a_child(512, 512)
    assert found == ["open files: soft limit 512 (hard limit 512)", "512 512 512 False", "512 512"]


def test_a_target_is_reached_and_the_limit_is_never_lowered() -> None:
    hard = usable_hard_limit()
    assert raised_in_a_child(256, hard, 1000)[1:] == [f"256 1000 {hard} True", f"1000 {hard}"]
    assert raised_in_a_child(1500, hard, 1000)[1:] == [f"1500 1500 {hard} False", f"1500 {hard}"]


def test_the_listener_takes_at_most_half_the_limit() -> None:
    assert connection_budget(256, 1024) == 256
    assert connection_budget(2000, 1024) == 512
    assert connection_budget(256, 200) == 100
    assert connection_budget(256, 10) == 8  # never less than a few
    assert connection_budget(256, None) == 256  # unlimited
    assert Limit(1024, 4096, 4096).raised and not Limit(1024, 1024, 1024).raised
