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
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from cli_harness import Cli

from mentoring_core import MentoringService
from mentoring_core.values import FocusArea as F
from mentoring_core.values import Rating, Role

PROGRAMME = "5a1e0000-0000-4000-8000-00000000c0de"
ANA_BEN = "a0a0b0b0-0000-4000-8000-00000000000a"
CARLA_DAN = "a0a0b0b0-0000-4000-8000-00000000000b"


def recorded(cli: Cli) -> None:
    """The history above, recorded through the Python API (the report is what is tested)
    but for the leaver: the one ``pair end --reason left_organisation`` of the CLI tests."""
    programme, ana_ben = UUID(PROGRAMME), UUID(ANA_BEN)

    def on(day: str) -> dict[str, Any]:
        return {"actor": cli.actor, "occurred_at": datetime.fromisoformat(day + "T00:00Z")}

    with MentoringService(cli.store_url) as s:
        s.create_programme(
            "First year", "Riverside Care", programme_id=programme, **on("2026-01-01")
        )
        for person, role, years in (
            ("ana", Role.MENTOR, 10), ("carla", Role.MENTOR, 9),
            ("ben", Role.MENTEE, 1), ("dan", Role.MENTEE, 1),
        ):  # fmt: skip
            s.enrol(programme, person, role, years, **on("2026-01-01"))
        s.form_pair(programme, "ana", "ben", relationship_id=ana_ben, **on("2026-01-05"))
        s.form_pair(programme, "carla", "dan", relationship_id=UUID(CARLA_DAN), **on("2026-01-06"))
        first = [
            Rating(focus_area=F.COMMUNICATION, score=2),
            Rating(focus_area=F.WELLBEING, score=3),
        ]
        s.record_reflection(ana_ben, first, "Finding my feet", **on("2026-01-10"))
        then = [Rating(focus_area=F.COMMUNICATION, score=4)]
        s.record_reflection(ana_ben, then, "Better", **on("2026-02-10"))
        s.add_plan_activity(ana_ben, "Shadow a review", date(2026, 2, 1), **on("2026-01-10"))
        s.set_milestone(ana_ben, "First review led", date(2026, 2, 20), **on("2026-01-10"))
    done = cli.run(
        "pair", "end", CARLA_DAN, "--reason", "left_organisation",
        "--explanation", "Moved to another county", "--occurred-at", "2026-03-01",
    )  # fmt: skip
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
