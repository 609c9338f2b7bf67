"""The README's two set-up commands as make runs them (a dry run, ``make -n``): `make run` installs the runtime
dependencies only and passes ``ARGS`` to the sandbox; `make test` installs the development tools too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(target: str, tmp_path: Path, *extra: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    venv = tmp_path / "venv"  # a fresh place: every install step is due
    done = subprocess.run(
        [make, "-n", "-C", str(ROOT), target, f"VENV={venv}", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    return done.stdout


def test_make_run_installs_the_runtime_only_and_passes_args_to_the_sandbox(tmp_path: Path) -> None:
    steps = dry_run("run", tmp_path, "ARGS=--local-translator")
    assert "install --quiet -e . " in steps + " " and "[dev]" not in steps, steps
    assert "kembar sandbox --local-translator" in steps
    assert 'PYTHONWARNINGS="ignore:Editable installation"' in steps


def test_make_test_installs_the_development_tools(tmp_path: Path) -> None:
    steps = dry_run("test", tmp_path)
    assert "-e '.[dev]'" in steps and "-m pytest" in steps, steps


def test_the_readme_keeps_exactly_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Set-up: two commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
