"""What the docs and the code's comments name exists: every file path (``bot/relay/delivery.py``), every
module, function or class (``bot.language.dates.read_date``) and every method named with its class
(``ActionRepository.overview``) — in README.md, every docs/*.md and every docstring and comment."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage", "tests", "bench")
PATH = re.compile(r"\b(?:bot|handlers|storage|tests|bench|locales|docs)/[A-Za-z0-9_/]+\.(?:py|md|toml)\b")
# ``name``, `name`, ``name()``, :meth:`name`, :func:`name` …: a dotted name quoted as code
QUOTED = re.compile(r"`+([A-Za-z_][\w.]*)(?:\(\))?`+|:(?:meth|func|class|mod|attr):`([\w.]+)`")


def sources() -> list[Path]:
    found = [p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(found)


@cache
def index() -> tuple[dict[str, set[str]], dict[str, list[tuple[set[str], set[str]]]]]:
    """Module → the names defined at its top; class name → (its attributes, its bases) for each class so named."""
    modules: dict[str, set[str]] = {}
    classes: dict[str, list[tuple[set[str], set[str]]]] = {}
    for path in sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        names: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            if isinstance(node, ast.ClassDef):
                attributes: set[str] = set()
                for inner in ast.walk(node):
                    if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                        attributes.add(inner.name)
                    elif isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
                        if inner.value.id == "self":
                            attributes.add(inner.attr)
                    elif isinstance(inner, ast.AnnAssign) and isinstance(inner.target, ast.Name):
                        attributes.add(inner.target.id)
                    elif isinstance(inner, ast.Assign):
                        attributes.update(t.id for t in inner.targets if isinstance(t, ast.Name))
                bases = {base.id for base in node.bases if isinstance(base, ast.Name)}
                classes.setdefault(node.name, []).append((attributes, bases))
        modules[module] = names
    return modules, classes


def has(cls: str, attribute: str, seen: frozenset[str] = frozenset()) -> bool:
    _, classes = index()
    for attributes, bases in classes.get(cls, []):
        if attribute in attributes:
            return True
        if any(has(base, attribute, seen | {cls}) for base in bases - seen):
            return True
    return False


def problems(text: str) -> list[str]:
    modules, classes = index()
    found = [f"{path}: no such file" for path in PATH.findall(text) if not (ROOT / path).exists()]
    for match in QUOTED.finditer(text):
        parts = (match.group(1) or match.group(2)).split(".")
        for cut in range(len(parts), 0, -1):
            module = ".".join(parts[:cut])
            if module in modules:
                rest = parts[cut:]
                if rest and rest[0] not in modules[module]:
                    found.append(f"{'.'.join(parts)}: {module} has no {rest[0]}")
                elif len(rest) > 1 and rest[0] in classes and not has(rest[0], rest[1]):
                    found.append(f"{'.'.join(parts)}: {rest[0]} has no {rest[1]}")
                break
        else:
            cls = parts[0]
            if len(parts) >= 2 and cls in classes and cls[0].isupper() and not parts[1][0].isupper():
                if not has(cls, parts[1]):
                    found.append(f"{'.'.join(parts)}: {cls} has no {parts[1]}")
    return found


@pytest.mark.parametrize(
    "path",
    [
        *(p for p in sources() if p != Path(__file__).resolve()),
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("*.md")),
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_what_the_text_names_exists(path: Path) -> None:
    assert problems(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_method_that_does_not_exist() -> None:
    assert problems("see ``ActionRepository.overview`` and ``bot.language.dates.read_date``") == []
    assert problems("see ``ActionRepository.no_such_method``") != []
    assert problems("see ``bot.language.dates.no_such_function``") != []
    assert problems("see bot/no_such_module.py") != []
