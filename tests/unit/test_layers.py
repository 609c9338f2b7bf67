"""The layers, checked as folder rules (docs/architecture.md §1 states them once):

- only ``bot/telegram/`` and ``handlers/`` import python-telegram-bot;
- ``bot/domain/`` imports nothing of Kembar but itself; ``storage/`` imports nothing from ``bot/`` but
  ``bot.domain``;
- the core — ``bot/features/``, ``bot/relay/``, ``bot/translation/``, ``bot/language/``, ``bot/reports/``
  and the loose core modules — imports neither ``telegram`` nor ``storage``; ``handlers/`` imports no
  ``storage``;
- nothing outside the sandbox and the ``kembar`` command imports the sandbox (the runtime path never does);
- between the rooms of the house (the folders of ``bot/``, its loose modules, ``handlers/``, ``storage/``)
  imports run one way: no circle;
- at most 10 loose modules in ``bot/``, and no product module longer than ~800 lines (except the per-language
  date rules).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LONG_ALLOWED: set[str] = set()
LINE_LIMIT = 800
LOOSE_MAX = 10
# The loose modules of bot/ that belong to the core (the wiring, bot/services.py, and the command line,
# bot/cli.py, stand above everything).
CORE_LOOSE = {"bot/chats.py", "bot/config.py", "bot/context.py", "bot/permissions.py", "bot/ports.py", "bot/signals.py"}
CORE_FOLDERS = ("bot/features", "bot/relay", "bot/translation", "bot/language", "bot/reports", "bot/domain")


def modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (imports inside functions count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def from_package(names: set[str], package: str) -> list[str]:
    return sorted(n for n in names if n == package or n.startswith(package + "."))


def product() -> list[Path]:
    return modules("bot", "handlers", "storage")


@pytest.mark.parametrize(
    "path", [p for p in product() if not rel(p).startswith(("bot/telegram/", "handlers/"))], ids=rel
)
def test_only_the_telegram_edge_and_the_handlers_import_telegram(path: Path) -> None:
    assert from_package(imported(path), "telegram") == []


@pytest.mark.parametrize("path", modules("bot/domain"), ids=rel)
def test_the_domain_imports_nothing_of_kembar_but_itself(path: Path) -> None:
    names = imported(path)
    outside = [n for n in from_package(names, "bot") if not n.startswith("bot.domain")]
    assert outside + from_package(names, "storage") + from_package(names, "handlers") == []


@pytest.mark.parametrize("path", modules("storage"), ids=rel)
def test_storage_imports_nothing_from_bot_but_the_domain(path: Path) -> None:
    names = imported(path)
    assert [n for n in from_package(names, "bot") if not n.startswith("bot.domain")] == []
    assert from_package(names, "handlers") == []


@pytest.mark.parametrize(
    "path", [*modules(*CORE_FOLDERS), *(ROOT / p for p in sorted(CORE_LOOSE) if (ROOT / p).exists())], ids=rel
)
def test_the_core_imports_neither_telegram_nor_storage(path: Path) -> None:
    names = imported(path)
    assert from_package(names, "telegram") + from_package(names, "storage") == []
    assert from_package(names, "handlers") == []


@pytest.mark.parametrize("path", modules("handlers"), ids=rel)
def test_handlers_import_nothing_from_storage(path: Path) -> None:
    assert from_package(imported(path), "storage") == []


@pytest.mark.parametrize(
    "path", [p for p in product() if not rel(p).startswith("bot/sandbox/") and rel(p) != "bot/cli.py"], ids=rel
)
def test_the_runtime_path_never_imports_the_sandbox(path: Path) -> None:
    assert from_package(imported(path), "bot.sandbox") == []


def room(module: str) -> str | None:
    """The room of the house a dotted module name is in: a folder of bot/, a loose module of bot/, or a
    top-level package of Kembar (None for anything else)."""
    parts = module.split(".")
    if parts[0] in ("handlers", "storage"):
        return parts[0]
    if parts[0] != "bot" or len(parts) < 2:
        return None
    folder = ROOT / "bot" / parts[1]
    if folder.is_dir():
        return f"bot/{parts[1]}"
    return f"bot/{parts[1]}.py" if (ROOT / "bot" / f"{parts[1]}.py").exists() else None


def arrows() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for path in product():
        source = room(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if source is None or source == "bot/sandbox":
            continue
        for name in imported(path):
            target = room(name)
            if target is not None and target != source:
                graph[source].add(target)
    return graph


def test_imports_between_rooms_run_one_way() -> None:
    graph = arrows()
    circles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                circles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node, [node])
    assert circles == []
    assert "bot/features" in graph["bot/services.py"]  # the graph is read at all


def test_at_most_ten_loose_modules_in_bot() -> None:
    loose = sorted(p.name for p in (ROOT / "bot").glob("*.py") if p.name != "__init__.py")
    assert len(loose) <= LOOSE_MAX, loose


@pytest.mark.parametrize("path", [p for p in product() if rel(p) not in LONG_ALLOWED], ids=rel)
def test_no_product_module_is_too_long(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= LINE_LIMIT


def test_the_bot_starts_without_loading_the_chart_and_export_libraries() -> None:
    """matplotlib (~45 MB), openpyxl and icalendar are loaded by the first report or export, not at start-up."""
    heavy = "{'matplotlib', 'openpyxl', 'icalendar'}"
    code = f"import sys, bot.telegram.app, bot.services; print(sorted({heavy} & set(sys.modules)))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert found.stdout.strip() == "[]", found.stdout + found.stderr
