"""The demo session keeps a newcomer's terminal clean (issue 14, item 7): the headless
Chromium that takes the report's screenshot prints pages of D-Bus errors on stderr, so
the nox session runs it silently (its output is shown only if it fails)."""

from __future__ import annotations

import ast
from pathlib import Path

NOXFILE = Path(__file__).resolve().parent.parent / "noxfile.py"


def _runs_of(program: str) -> list[ast.Call]:
    tree = ast.parse(NOXFILE.read_text(encoding="utf-8"))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "run"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == program
    ]


def test_chromium_runs_silently_in_the_demo() -> None:
    runs = _runs_of("chromium")
    assert runs, "the demo no longer takes a screenshot with chromium: update this test"
    for call in runs:
        silent = {k.arg: k.value for k in call.keywords}.get("silent")
        assert isinstance(silent, ast.Constant) and silent.value is True
