"""The operator's command line in process, on a real SQLite file (tests/e2e/test_cli.py runs it as a process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


def test_cli_db_upgrade_migrates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["db", "upgrade"], env={"KEMBAR_DATA_DIR": str(tmp_path)})
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "kembar.db").exists()
    assert "up to date" in capsys.readouterr().out
