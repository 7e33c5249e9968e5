"""The documents that promise things stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mentoring_core

ROOT = Path(__file__).resolve().parent.parent


def quick_start_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return block.strip().splitlines()


def test_every_public_name_is_documented_in_the_api_page() -> None:
    page = (ROOT / "docs" / "api.md").read_text()
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", page))
    missing = sorted(set(mentoring_core.__all__) - documented)
    assert missing == []


def test_the_api_page_lists_exactly_the_top_level_names() -> None:
    """The first table of docs/api.md is mentoring_core.__all__, no more, no less."""
    page = (ROOT / "docs" / "api.md").read_text()
    table = page.split("| name | what it is |", 1)[1].split("\n\n", 1)[0]
    listed = {
        name
        for row in table.splitlines()[1:]
        for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", row.split(" | ")[0])
    }
    assert listed == set(mentoring_core.__all__)
    assert f"holds {len(mentoring_core.__all__)} names" in page


def test_the_quick_start_has_exactly_a_demo_line_and_a_test_line() -> None:
    demo, tests = quick_start_lines()
    assert demo.endswith("nox -s demo")
    assert tests.endswith("nox -s tests")


def test_ci_runs_the_readmes_test_command() -> None:
    ci_script = (ROOT / ".ci" / "run").read_text()
    assert quick_start_lines()[1] in ci_script.splitlines()
    assert "export CI=true" in ci_script


def test_the_readme_python_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text()
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    store = f"sqlite:///{tmp_path / 'readme.db'}"
    exec(compile(example.replace("sqlite:///mentoring.db", store), "README.md", "exec"), {})
    # Formed, goal set, meeting held.
    assert capsys.readouterr().out == "active 3\n"
