"""Adapters import only what the core offers: names in some ``__all__`` of ``mentoring_core``."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "adapters").glob("*/src/**/*.py"))


def core_imports(path: Path) -> list[tuple[str, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        module = node.module if isinstance(node, ast.ImportFrom) else None
        if module is not None and (module + ".").startswith("mentoring_core."):
            found.extend((module, alias.name) for alias in node.names)  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_an_adapter_imports_only_names_the_core_offers(path: Path) -> None:
    private = [
        f"{module}.{name}"
        for module, name in core_imports(path)
        if name not in getattr(importlib.import_module(module), "__all__", ())
    ]
    assert private == [], f"{path.name} imports names in no __all__ of the core"


def test_the_adapters_are_found() -> None:
    assert any(p.parent.name == "mentoring_cli" for p in SOURCES)
    assert any(p.parent.name == "mentoring_core_postgres" for p in SOURCES)
