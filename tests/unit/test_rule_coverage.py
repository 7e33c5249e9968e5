"""Every named domain rule is exercised by at least one unit test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mentoring_core import Rule

HERE = Path(__file__).parent
RULE_TESTS = (
    "test_programme.py",
    "test_pairing.py",
    "test_relationship.py",
    "test_timeline_rules.py",
    "test_participant_rules.py",
    "test_capacity_rules.py",
    "test_withdrawal_rules.py",
    "test_group_sessions.py",
    "test_reminder_rules.py",
)


def rules_named_in_tests() -> set[str]:
    text = "\n".join((HERE / name).read_text(encoding="utf-8") for name in RULE_TESTS)
    return set(re.findall(r"Rule\.([A-Z_]+)", text))


@pytest.mark.parametrize("rule", list(Rule), ids=lambda r: r.name)
def test_the_rule_is_tested(rule: Rule) -> None:
    assert rule.name in rules_named_in_tests()
