"""What the command line can now do that was Python-only (issue 14, item 7): policy
presets, partial policy changes, a report against a given policy, and ``--out -``."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import uuid4

from cli_harness import Cli

from mentoring_core.extend import CONVERTER
from mentoring_core.reports import PRESETS

FULL_POLICY = (
    "--cadence", "weekly,until=28", "--cadence", "fortnightly", "--participation", "voluntary",
    "--minimum-experience-gap", "3", "--review-interval-days", "60",
    "--minimum-meeting-minutes", "45", "--max-mentees-per-mentor", "2",
)  # fmt: skip


def _policy(cli: Cli, programme: str) -> dict[str, object]:
    policy: dict[str, object] = cli.ok("programme", "show", programme)["policy"]
    return policy


def _programme(cli: Cli, *options: str) -> str:
    created = cli.ok(
        "programme", "create", "--name", "Riverside", "--organisation", "Care", *options
    )
    return str(created["id"])


def test_create_with_a_preset_sets_its_policy_once_even_when_retried(
    sqlite_url: str, tmp_path: Path
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    command = str(uuid4())
    options = ("--preset", "monthly-supervision", "--command-id", command)
    first = cli.ok("programme", "create", "--name", "R", "--organisation", "C", *options)
    assert [e["type"] for e in first["events"]] == ["ProgrammeCreated", "PolicySet"]
    again = cli.ok("programme", "create", "--name", "R", "--organisation", "C", *options)
    assert again["already_recorded"] and again["id"] == first["id"]
    expected = CONVERTER.unstructure(PRESETS["monthly-supervision"].policy())
    assert _policy(cli, first["id"]) == expected
    assert cli.ok("programme", "show", first["id"])["version"] == 2


def test_one_option_changes_only_that_value_of_the_policy_in_force(
    sqlite_url: str, tmp_path: Path
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    programme = _programme(cli)
    cli.ok("programme", "policy", programme, *FULL_POLICY)
    before = _policy(cli, programme)
    cli.ok("programme", "policy", programme, "--cadence", "every_n_days=14")
    after = _policy(cli, programme)
    assert after["cadence"] == [
        {"cadence": {"kind": "every_n_days", "every_days": 14}, "until_age_days": None}
    ]
    assert {k: v for k, v in after.items() if k != "cadence"} == {
        k: v for k, v in before.items() if k != "cadence"
    }
    cli.ok("programme", "policy", programme, "--max-mentees-per-mentor", "none")
    assert _policy(cli, programme) == {**after, "max_mentees_per_mentor": None}


def test_a_preset_replaces_its_values_and_keeps_the_organisations_own(
    sqlite_url: str, tmp_path: Path
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    programme = _programme(cli)
    cli.ok("programme", "policy", programme, *FULL_POLICY)
    cli.ok("programme", "policy", programme, "--preset", "care-staff-six-a-year")
    policy = _policy(cli, programme)
    preset = PRESETS["care-staff-six-a-year"]
    assert (policy["minimum_meeting_minutes"], policy["review_interval_days"]) == (
        preset.minimum_meeting_minutes,
        preset.review_interval_days,
    )
    assert (policy["participation"], policy["minimum_experience_gap_years"]) == ("voluntary", "3")
    assert policy["max_mentees_per_mentor"] == 2


def test_a_partial_change_without_a_policy_in_force_names_what_is_missing(
    sqlite_url: str, tmp_path: Path
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    programme = _programme(cli)
    refused = cli.run("programme", "policy", programme, "--review-interval-days", "30")
    assert refused.code == 2 and refused.stdout == ""
    assert "no policy in force to change: give --cadence, --minimum-meeting-minutes" in (
        refused.stderr
    )
    assert cli.run("programme", "policy", programme, "--preset", "nope").code == 2


def test_report_compliance_writes_to_stdout_by_default_against_a_given_policy(
    sqlite_url: str, tmp_path: Path
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    programme = _programme(cli, "--preset", "monthly-supervision")
    base = ("report", "compliance", "--programme", programme, "--format", "json")
    recorded = json.loads(cli.run(*base).stdout)
    assert recorded["policy_given"] is False
    by_preset = json.loads(cli.run(*base, "--policy", "care-staff-six-a-year").stdout)
    assert by_preset["policy_given"] is True
    assert "every 61 days" in by_preset["programme"]["policy"]
    policy_file = tmp_path / "policy.json"
    policy_file.write_text(json.dumps(_policy(cli, programme)))
    by_file = json.loads(cli.run(*base, "--policy", str(policy_file)).stdout)
    assert by_file["policy_given"] is True
    assert by_file["programme"]["policy"] == recorded["programme"]["policy"]
    policy_file.write_text(json.dumps({**_policy(cli, programme), "review_interval_days": 0}))
    refused = cli.run(*base, "--policy", str(policy_file))
    assert refused.code == 2 and "policy.review_interval_days" in refused.stderr


def test_out_dash_writes_exports_and_digests_to_stdout(sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(sqlite_url, tmp_path)
    _programme(cli, "--preset", "monthly-supervision")
    exported = tmp_path / "export.jsonl"
    assert cli.run("audit", "export", "--out", str(exported)).code == 0
    to_stdout = cli.run("audit", "export", "--out", "-")
    assert to_stdout.code == 0 and to_stdout.stdout == exported.read_text()
    digest = cli.run("audit", "digest", "--out", "-")
    assert digest.code == 0 and json.loads(digest.stdout)["sequence"] == 2
    assert not (tmp_path / "-").exists()


def test_preset_names_follow_the_rule_of_every_enumeration(sqlite_url: str, tmp_path: Path) -> None:
    """docs/cli.md: names are case-insensitive and '-' may stand for '_' (and here '_'
    for '-'); '--preset Monthly-Supervision' and 'monthly_supervision' were refused."""
    cli = Cli(sqlite_url, tmp_path)
    expected = CONVERTER.unstructure(PRESETS["monthly-supervision"].policy())
    for name in ("Monthly-Supervision", "monthly_supervision", "MONTHLY_SUPERVISION"):
        assert _policy(cli, _programme(cli, "--preset", name)) == expected
    programme = _programme(cli, "--preset", "monthly-supervision")
    base = ("report", "compliance", "--programme", programme, "--format", "json")
    by_preset = cli.run(*base, "--policy", "Care-Staff-Six-A-Year")
    assert by_preset.code == 0, str(by_preset)
    assert "every 61 days" in json.loads(by_preset.stdout)["programme"]["policy"]
    refused = cli.run("programme", "policy", programme, "--preset", "monthly")
    assert refused.code == 2 and "Invalid value for '--preset': 'monthly'; expected one of " in (
        refused.stderr
    ), str(refused)
