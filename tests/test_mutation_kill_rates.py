"""The kill-rate tool counts what mutmut recorded, leaves out listed equivalents, and never
takes a partial run for a whole one."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "mutation_kill_rates", ROOT / "tools" / "mutation_kill_rates.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = load_tool()
A = "mentoring_core.audit.chain.x_encode__mutmut_"
B = "mentoring_core.domain.values.x_weekly__mutmut_"


def test_verdicts_are_read_from_every_meta_file(tmp_path: Path) -> None:
    for name, codes in (("chain", {A + "1": 1, A + "2": 0}), ("values", {B + "1": None})):
        meta = tmp_path / "src" / f"{name}.py.meta"
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"exit_code_by_key": codes}), encoding="utf-8")
    assert tool.verdicts(tmp_path) == {A + "1": 1, A + "2": 0, B + "1": None}


def test_only_the_equivalent_mutants_section_lists_equivalents(tmp_path: Path) -> None:
    page = tmp_path / "testing.md"
    page.write_text(
        f"# Testing\n\nSee `{A}9` for an example.\n\n## Equivalent mutants\n\n"
        f"| `{A}2` | a reason |\n\n## Later\n\n`{A}3`\n",
        encoding="utf-8",
    )
    assert tool.equivalent_mutants(page) == {A + "2"}
    assert tool.equivalent_mutants(tmp_path / "missing.md") == set()


def test_rates_leave_out_equivalents_and_unchecked_mutants() -> None:
    found = {A + "1": 1, A + "2": 0, A + "3": 36, A + "4": 0, A + "5": 33, B + "1": None}
    counts = tool.tally(found, {A + "4"})
    chain, values = counts["mentoring_core.audit.chain"], counts["mentoring_core.domain.values"]
    assert (chain["killed"], chain["survived"], chain["equivalent"]) == (2, 2, 1)
    assert tool.rate(chain) == 50.0  # a timeout kills; "no tests" survives
    assert values["unchecked"] == 1 and tool.rate(values) is None


def test_a_partial_run_is_marked_and_not_judged_against_the_minimum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    meta = tmp_path / "mutants" / "chain.py.meta"
    meta.parent.mkdir()
    meta.write_text(
        json.dumps({"exit_code_by_key": {A + "1": 1, A + "2": 0, A + "3": None, B + "1": None}}),
        encoding="utf-8",
    )
    monkeypatch.setattr(tool, "MUTANTS", tmp_path / "mutants")
    monkeypatch.setattr(tool, "TESTING_PAGE", tmp_path / "none.md")
    assert tool.main(["--min", "95"]) == 0
    meta.write_text(json.dumps({"exit_code_by_key": {A + "1": 1, A + "2": 0}}), "utf-8")
    assert tool.main(["--min", "95"]) == 1
    assert tool.main(["--min", "50"]) == 0
    out = capsys.readouterr().out
    assert "50.0%*" in out and "1 module(s) not run yet: mentoring_core.domain.values" in out
    assert "below 95.0%: mentoring_core.audit.chain" in out
