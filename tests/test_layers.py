"""The shape of the code, checked: handlers never reach storage, the use cases never see Telegram, and no
product module grows past ~800 lines (except the per-language date rules)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Where python-telegram-bot may be imported: the edge of bot/, the handlers and the sandbox.
TELEGRAM_EDGE = {
    "bot/telegram/app.py",
    "bot/telegram/jobs.py",
    "bot/telegram/polling.py",
    "bot/telegram/intake.py",
    "bot/telegram/ratelimit.py",
    "bot/telegram/sender.py",
    "bot/cli.py",
    "bot/telegram/health.py",  # the readiness check asks Telegram's getMe
    "bot/telegram/doctor.py",  # kembar doctor asks getMe and getWebhookInfo
}
LONG_ALLOWED = {"bot/language/dates.py"}  # per-language rule tables
LINE_LIMIT = 800


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", modules("handlers"), ids=rel)
def test_handlers_import_nothing_from_storage(path: Path) -> None:
    assert not [name for name in imported(path) if name == "storage" or name.startswith("storage.")]


@pytest.mark.parametrize(
    "path", [p for p in modules("bot") if "sandbox" not in p.parts and rel(p) not in TELEGRAM_EDGE], ids=rel
)
def test_the_core_never_imports_telegram(path: Path) -> None:
    assert not [name for name in imported(path) if name == "telegram" or name.startswith("telegram.")]


@pytest.mark.parametrize("path", modules("bot/features"), ids=rel)
def test_use_cases_do_not_reach_handlers_or_the_app(path: Path) -> None:
    assert not [n for n in imported(path) if n.startswith(("handlers", "bot.telegram.app", "bot.telegram.jobs", "bot.telegram.sender"))]


@pytest.mark.parametrize(
    "path", [p for p in modules("bot", "handlers", "storage") if rel(p) not in LONG_ALLOWED], ids=rel
)
def test_no_product_module_is_too_long(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= LINE_LIMIT


def test_the_bot_starts_without_loading_the_chart_and_export_libraries() -> None:
    """matplotlib (~45 MB), openpyxl and icalendar are loaded by the first report or export, not at start-up."""
    import subprocess
    import sys

    heavy = "{'matplotlib', 'openpyxl', 'icalendar'}"
    code = f"import sys, bot.telegram.app, bot.services; print(sorted({heavy} & set(sys.modules)))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert found.stdout.strip() == "[]", found.stdout + found.stderr
