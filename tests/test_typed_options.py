"""The command methods' keywords are typed: a misspelt one fails ``mypy --strict``."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

pytestmark = pytest.mark.slow

SNIPPET = """
from uuid import UUID
from mentoring_core import MentoringService, Role, commands

def record(service: MentoringService, pair: UUID, programme: UUID) -> None:
    service.pause(pair, "leave", actor="ana", expected_version=3)
    service.pause(pair, "leave", actor="ana", {option}=3)
    service.enrol(programme, "eve", Role.MENTEE, 1, actor="coord", {option}=3)
    service.execute(commands.ResumeRelationship(relationship_id=pair), actor="ana", {option}=3)
"""


def check(tmp_path: Path, option: str) -> tuple[str, int]:
    source = tmp_path / "embedding.py"
    source.write_text(SNIPPET.format(option=option), encoding="utf-8")
    cache = tmp_path / "mypy-cache"
    report, errors, status = api.run(
        ["--strict", "--cache-dir", str(cache), "--no-error-summary", str(source)]
    )
    return report + errors, status


def test_a_misspelt_keyword_is_a_type_error_and_the_right_one_is_not(tmp_path: Path) -> None:
    report, status = check(tmp_path, "expected_verison")
    assert status == 1
    assert report.count("error:") == 3, report
    assert report.count('Unexpected keyword argument "expected_verison"') == 3, report
    for line in (7, 8, 9):  # the named methods of both kinds, and execute()
        assert f"embedding.py:{line}:" in report
    report, status = check(tmp_path, "command_id")  # the right name, the wrong type
    assert status == 1 and report.count("error:") == 3 and "UUID" in report, report
