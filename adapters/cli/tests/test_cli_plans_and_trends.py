"""Leavers of the organisation, late plan items and trends in ``mentoring report compliance``
(issue 14, item 7), from the real command.

Ana mentors Ben from 5 January 2026. Ben rates himself 2 and 3 on 10 January (2.50) and 4
on 10 February (4.00): change 1.50, improving. An activity due 1 February is never
completed and a milestone due 20 February is never reached: both late (the pair is
active). Carla mentors Dan from 6 January until Dan leaves the organisation on 1 March.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from cli_harness import Cli

PROGRAMME = "5a1e0000-0000-4000-8000-00000000c0de"
ANA_BEN = "a0a0b0b0-0000-4000-8000-00000000000a"
CARLA_DAN = "a0a0b0b0-0000-4000-8000-00000000000b"


def recorded(cli: Cli) -> None:
    steps = (
        ("programme", "create", "--name", "First year", "--organisation", "Riverside Care",
         "--id", PROGRAMME, "--occurred-at", "2026-01-01"),
        *(
            ("programme", "enrol", PROGRAMME, "--person", person, "--role", role,
             "--experience-years", years, "--occurred-at", "2026-01-01")
            for person, role, years in (
                ("ana", "mentor", "10"), ("carla", "mentor", "9"),
                ("ben", "mentee", "1"), ("dan", "mentee", "1"),
            )
        ),
        ("pair", "form", PROGRAMME, "--mentor", "ana", "--mentee", "ben", "--id", ANA_BEN,
         "--occurred-at", "2026-01-05"),
        ("pair", "form", PROGRAMME, "--mentor", "carla", "--mentee", "dan", "--id", CARLA_DAN,
         "--occurred-at", "2026-01-06"),
        ("reflection", "record", ANA_BEN, "--rating", "communication=2",
         "--rating", "wellbeing=3", "--text", "Finding my feet", "--occurred-at", "2026-01-10"),
        ("reflection", "record", ANA_BEN, "--rating", "communication=4", "--text", "Better",
         "--occurred-at", "2026-02-10"),
        ("plan", "add", ANA_BEN, "--description", "Shadow a review", "--due-date", "2026-02-01",
         "--occurred-at", "2026-01-10"),
        ("milestone", "set", ANA_BEN, "--description", "First review led",
         "--target-date", "2026-02-20", "--occurred-at", "2026-01-10"),
        ("pair", "end", CARLA_DAN, "--reason", "left_organisation",
         "--explanation", "Moved to another county", "--occurred-at", "2026-03-01"),
    )  # fmt: skip
    for step in steps:
        done = cli.run(*step)
        assert done.code == 0, str(done)


def test_the_report_carries_leavers_late_items_and_trends(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    recorded(cli)
    period = ("--programme", PROGRAMME, "--from", "2026-01-01", "--to", "2026-03-31")
    text = cli.run("report", "compliance", *period, "--format", "csv", "--out", "-")
    assert text.code == 0, str(text)
    rows = {r["relationship_id"]: r for r in csv.DictReader(io.StringIO(text.stdout))}
    ana_ben, carla_dan = rows[ANA_BEN], rows[CARLA_DAN]
    assert (ana_ben["activities_late"], ana_ben["milestones_late"]) == ("1", "1")
    assert (ana_ben["rating_first"], ana_ben["rating_latest"]) == ("2.50", "4.00")
    assert (ana_ben["rating_change"], ana_ben["rating_trend"]) == ("1.50", "improving")
    assert ana_ben["goal_progress_trend"] == ""
    assert carla_dan["end_reason"] == "left_organisation"

    out = tmp_path / "report.json"
    written = cli.run("report", "compliance", *period, "--format", "json", "--out", str(out))
    assert written.code == 0, str(written)
    programme = json.loads(out.read_text(encoding="utf-8"))["programme"]
    assert programme["relationships"]["left_organisation"] == 1
    assert programme["relationships"]["withdrawn"] == 0
    assert (programme["activities_late"], programme["milestones_late"]) == (1, 1)
    assert programme["rating_trends"]["improving"] == 1

    page = cli.run("report", "compliance", *period, "--format", "html", "--out", "-")
    assert page.code == 0, str(page)
    for ident in ("trends", "rating-chart", "goal-progress-chart", "trend-chart"):
        assert f"id='{ident}'" in page.stdout, ident
    assert "<script" not in page.stdout
