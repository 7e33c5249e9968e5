"""``mentoring privacy erase`` end to end: the person's texts read as erased, the chain
still verifies against a digest taken before, and a second erasure is told so."""

from __future__ import annotations

from pathlib import Path

from cli_harness import Cli
from test_cli_audit import RELATIONSHIP, seed


def test_erasing_a_person_through_the_command_line(cli: Cli, tmp_path: Path) -> None:
    seed(cli.store_url)
    before = cli.ok("history", str(RELATIONSHIP))
    digest = tmp_path / "digest.json"
    assert cli.run("audit", "digest", "--out", str(digest)).code == 0

    erased = cli.ok("privacy", "erase", "ben", "--reason", "DSAR-2026-014", actor="dpo")

    assert erased["key_destroyed"] and erased["complete"] and len(erased["recorded"]) == 1
    after = cli.ok("history", str(RELATIONSHIP))
    texts = [e.get("title") for e in after["events"] if e["type"] == "GoalSet"]
    assert texts == ["[erased]"]
    assert [e.get("title") for e in before["events"] if e["type"] == "GoalSet"] != texts
    assert cli.run("audit", "verify", "--against", str(digest)).code == 0
    again = cli.run("privacy", "erase", "ben", "--reason", "DSAR-2026-014")
    assert again.code == 0 and "already gone" in again.stdout


def test_a_person_enrolled_nowhere_is_refused_in_one_line(cli: Cli) -> None:
    seed(cli.store_url)
    refused = cli.run("privacy", "erase", "nobody", "--reason", "DSAR-2026-015")
    assert refused.code == 1
    assert refused.stderr == (
        "error: 'nobody' cannot be erased here: expected a person enrolled in a programme "
        "of this store\n"
    )
