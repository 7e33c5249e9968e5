"""The store layer is the only part of the core that sees eventsourcing's Application or
PostgreSQL; import-linter cannot name an external package's submodules, so this does."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mentoring_core

CORE = Path(mentoring_core.__file__).parent
STORE = CORE / "store"
MODULES = sorted(CORE.rglob("*.py"))


def imported_names(path: Path) -> set[str]:
    """``module`` and ``module.name`` for every ``import`` and ``from module import name``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CORE)))
def test_no_core_module_imports_postgresql(path: Path) -> None:
    names = imported_names(path)
    assert not {n for n in names if n.startswith(("eventsourcing.postgres", "psycopg"))}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CORE)))
def test_only_the_store_layer_imports_eventsourcings_application(path: Path) -> None:
    if STORE in path.parents:
        return
    assert "eventsourcing.application.Application" not in imported_names(path)


def test_the_store_layer_is_found() -> None:
    assert any(
        "eventsourcing.application.Application" in imported_names(p)
        for p in MODULES
        if STORE in p.parents
    )
