"""The documents that promise things stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import mentoring_core
from mentoring_core.authorisation import permission_table

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


def test_the_http_page_holds_the_permission_table_generated_from_the_policy() -> None:
    page = (ROOT / "docs" / "http.md").read_text()
    section = page.split("## Who may do what\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    assert permission_table() in section, (
        "docs/http.md's table is out of date: paste "
        "`python -c 'from mentoring_core.authorisation import permission_table; "
        "print(permission_table())'` under 'Who may do what'"
    )


class _Refusal(Exception):
    pass


def test_the_api_pages_authorisation_example_runs() -> None:
    """The example of docs/api.md, "Authorisation", against a real service: the mentee
    records a private reflection, the coordinator sees the relationship without it, and
    a mentor of another pair is told nothing."""
    from types import SimpleNamespace

    from mentoring_core import MentoringService
    from mentoring_core.authorisation import Role
    from mentoring_core.values import FocusArea, Rating
    from mentoring_core.values import Role as Enrolled

    page = (ROOT / "docs" / "api.md").read_text()
    section = page.split("## Authorisation\n", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    names: dict[str, object] = {
        "NotFoundError": type("NotFoundError", (_Refusal,), {}),
        "ForbiddenError": type("ForbiddenError", (_Refusal,), {}),
    }
    exec(compile(example, "docs/api.md", "exec"), names)
    reflect, show = names["reflect"], names["show"]

    def user(name: str, *roles: Role) -> SimpleNamespace:
        return SimpleNamespace(id=name, organisation_roles=frozenset(roles))

    with MentoringService("memory://") as service:
        programme = service.create_programme("Pilot", "Northside", actor="admin").id
        service.appoint_coordinator(programme, "coord.rhea", actor="admin")
        for person, role in (("ana", Enrolled.MENTOR), ("ben", Enrolled.MENTEE)):
            service.enrol(programme, person, role, 3 if role is Enrolled.MENTOR else 0, actor="c")
        pair = service.form_pair(programme, "ana", "ben", actor="coord.rhea").id
        service.record_reflection(
            pair, [Rating(focus_area=FocusArea.WELLBEING, score=2)], "hard", actor="ben",
            private=True,
        )  # fmt: skip
        ratings = [Rating(focus_area=FocusArea.WELLBEING, score=4)]
        assert reflect(service, pair, ratings, "better", user=user("ben")).version == 3  # type: ignore[operator]
        with pytest.raises(_Refusal, match="only the mentee records reflections") as refused:
            reflect(service, pair, ratings, "x", user=user("coord.rhea"))  # type: ignore[operator]
        assert type(refused.value).__name__ == "ForbiddenError"
        seen, history = show(service, pair, user=user("coord.rhea"))  # type: ignore[operator]
        assert [r.text for r in seen.reflections] == ["better"]
        assert len(history) == 2  # formed, "better"; the private reflection is withheld
        mine, history = show(service, pair, user=user("ben"))  # type: ignore[operator]
        assert [r.text for r in mine.reflections] == ["hard", "better"]
        assert len(history) == 3
        with pytest.raises(_Refusal) as hidden:
            show(service, pair, user=user("cy"))  # type: ignore[operator]
        assert type(hidden.value).__name__ == "NotFoundError"


def test_the_replays_automatic_workers_are_told_as_the_code_chooses_them() -> None:
    from mentoring_core.audit import AUTO_EVENTS_PER_WORKER, MAX_AUTO_WORKERS

    told = (
        f"one worker for each {AUTO_EVENTS_PER_WORKER:,} events of the log",
        f"and {MAX_AUTO_WORKERS} (`MAX_AUTO_WORKERS`)",
        f"Below {2 * AUTO_EVENTS_PER_WORKER:,} events\nno worker is started",
    )
    page = (ROOT / "docs" / "audit.md").read_text()
    assert [t for t in told if t not in page] == []
    api = (ROOT / "docs" / "api.md").read_text()
    assert f"`AUTO_EVENTS_PER_WORKER` ({AUTO_EVENTS_PER_WORKER:,})" in api
    assert f"`MAX_AUTO_WORKERS` ({MAX_AUTO_WORKERS})" in api


def logged_levels() -> set[tuple[str, str]]:
    """Each (logger, level) the core logs at: its modules' ``_log.<level>(...)`` calls."""
    import ast

    found = set()
    source = ROOT / "src"
    for path in sorted((source / "mentoring_core").rglob("*.py")):
        module = ".".join(path.relative_to(source).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "_log"
            ):
                found.add((module, node.func.attr.upper()))
    return found


def test_the_logging_table_names_every_logger_and_level_the_core_logs_at() -> None:
    page = (ROOT / "docs" / "api.md").read_text()
    section = page.split("## Logging", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_.]+)` \| ([A-Z]+) \|", section, re.M))
    assert logged_levels()
    assert sorted(logged_levels() - listed) == []


def test_the_stored_form_names_the_snapshot_topic_as_written() -> None:
    from mentoring_core.serialisation import SNAPSHOT_SCHEMA, SNAPSHOT_TOPIC_PREFIX

    page = (ROOT / "docs" / "architecture.md").read_text()
    row = next(line for line in page.splitlines() if line.startswith("| `topic` |"))
    assert f"`{SNAPSHOT_TOPIC_PREFIX}RelationshipState:{SNAPSHOT_SCHEMA}`" in row
