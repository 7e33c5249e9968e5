"""The demo session keeps a newcomer's terminal clean (issue 14, item 7): the headless
Chromium that takes the report's screenshot prints pages of D-Bus errors on stderr, so
the nox session runs it silently (its output is shown only if it fails). Besides the
seeded story (with its group session) it shows what is due, mentors suggested for a
mentee and a reminder run against a local mail server (issue 14, "Done when")."""

from __future__ import annotations

import ast
from pathlib import Path

NOXFILE = Path(__file__).resolve().parent.parent / "noxfile.py"


def _demo_session() -> ast.FunctionDef:
    tree = ast.parse(NOXFILE.read_text(encoding="utf-8"))
    return next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "demo")


def _runs_of(program: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(_demo_session())
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


def _words(call: ast.Call) -> list[str]:
    """The literal words of a ``session.run`` call (names such as DEMO_STORE left out)."""
    return [a.value for a in call.args if isinstance(a, ast.Constant)]


def test_the_demo_shows_what_is_due_suggestions_and_reminders_sent() -> None:
    commands = [_words(call)[2:] for call in _runs_of("mentoring")]  # after --store
    assert ["due", "--programme"] in commands
    assert ["match", "suggest", "--programme", "--mentee"] in commands
    assert ["reminders", "list"] in commands
    scripts = [_words(call)[1:] for call in _runs_of("python")]
    assert scripts == [["tools/demo_reminders.py"]]
    assert (NOXFILE.parent / "tools" / "demo_reminders.py").exists()
    installs = [
        _words(node)
        for node in ast.walk(_demo_session())
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "install_project"
    ]
    assert any(w.startswith("aiosmtpd") for words in installs for w in words)
