"""The domain stays pure: standard-library value modules and attrs only, no I/O, no clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mentoring_core.domain

DOMAIN = Path(mentoring_core.domain.__file__).parent
MODULES = sorted(DOMAIN.glob("*.py"))

ALLOWED = frozenset(
    {
        "__future__",
        "attrs",
        "collections.abc",
        "datetime",
        "decimal",
        "enum",
        "functools",
        "itertools",
        "math",
        "operator",
        "re",
        "types",
        "typing",
        "unicodedata",
        "uuid",
    }
)
"""Modules the domain may import: pure standard-library modules, and attrs."""

FORBIDDEN_CALLS = frozenset(
    {"now", "utcnow", "today", "uuid1", "uuid4", "open", "print", "input", "getenv"}
)
"""Calls that read a clock, draw a random id or do I/O: these come in from outside."""


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports, with its relative level (0 for absolute imports)."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def called_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def test_the_domain_has_modules_to_check() -> None:
    names = {path.stem for path in MODULES}
    assert {"events", "commands", "relationship", "programme", "validation"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_a_domain_module_imports_only_pure_modules(path: Path) -> None:
    absolute = {module for module, level in imports(path) if level == 0}
    assert absolute <= ALLOWED, f"{path.name} imports {sorted(absolute - ALLOWED)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_relative_imports_stay_inside_the_domain(path: Path) -> None:
    levels = {level for _, level in imports(path) if level > 0}
    assert levels <= {1}, f"{path.name} reaches outside the domain package"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_nothing_imports_eventsourcing(path: Path) -> None:
    assert not any(module.startswith("eventsourcing") for module, _ in imports(path))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_clock_random_id_or_io_is_called(path: Path) -> None:
    assert not called_names(path) & FORBIDDEN_CALLS, path.name


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "leaky.py"
    module.write_text(
        "import os\nfrom eventsourcing.domain import Aggregate\nfrom ..adapters import db\n"
        "from datetime import datetime\nstamp = datetime.now()\n",
        encoding="utf-8",
    )
    assert imports(module) == [
        ("os", 0),
        ("eventsourcing.domain", 0),
        ("adapters", 2),
        ("datetime", 0),
    ]
    assert "now" in called_names(module)
