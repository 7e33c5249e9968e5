"""Group sessions, working hours per meeting and mentors' time from the real command
(issue 14, items 3 to 5): ``meeting group``, ``meeting held --outside-working-hours``,
``mentor recognise`` and ``report mentor-time``, hand-computed from docs/reports.md."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from cli_harness import Cli

from mentoring_core import MentoringService
from mentoring_core.values import Role

P = "7d3c2b1a-0000-4000-8000-000000000001"
R_BEN = "7d3c2b1a-0000-4000-8000-0000000000b1"
R_CY = "7d3c2b1a-0000-4000-8000-0000000000c1"


def _programme(tmp_path: Path) -> Cli:
    """Programme P: ana mentors ben and cy (formed on 2 January 2026); cy's schedule has
    the meetings outside working hours. Built through the Python API but for the schedule
    (agreed with --outside-working-hours): the commands these tests are about come after."""
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path, actor="coord.rhea")
    new_year, formed = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)
    with MentoringService(cli.store_url) as service:
        service.create_programme(
            "P", "Org", programme_id=UUID(P), actor=cli.actor, occurred_at=new_year
        )
        for person, role in (("ana", Role.MENTOR), ("ben", Role.MENTEE), ("cy", Role.MENTEE)):
            years = 10 if role is Role.MENTOR else 1
            service.enrol(UUID(P), person, role, years, actor=cli.actor, occurred_at=new_year)
        for mentee, rel in (("ben", R_BEN), ("cy", R_CY)):
            service.form_pair(
                UUID(P), "ana", mentee, relationship_id=UUID(rel), actor=cli.actor,
                occurred_at=formed,
            )  # fmt: skip
    # cy's schedule: meetings outside working hours (the default for cy's own meetings)
    cli.ok("schedule", "agree", R_CY, "--cadence", "weekly", "--duration", "60",
           "--format", "video", "--outside-working-hours",
           "--occurred-at", "2026-01-02")  # fmt: skip
    return cli


def test_a_group_session_is_one_record_on_each_pair_and_counts_once_for_the_mentor(
    tmp_path: Path,
) -> None:
    cli = _programme(tmp_path)
    session = cli.ok("meeting", "group", P, "--mentor", "ana", "--pair", R_BEN, "--pair", R_CY,
                     "--duration", "90", "--topic", "Handover", "--in-working-hours",
                     "--occurred-at", "2026-01-05T10:00Z", actor="ana")  # fmt: skip
    assert [e["aggregate_id"] for e in session["events"]] == [R_BEN, R_CY]
    assert {e["group_session_id"] for e in session["events"]} == {session["id"]}
    assert [e["attendees"] for e in session["events"]] == [["cy"], ["ben"]]
    # ben's one-on-one follows no schedule: in working hours unless told otherwise
    held = cli.ok("meeting", "held", R_BEN, "--duration", "60", "--format", "one_on_one",
                  "--outside-working-hours", "--occurred-at", "2026-01-06T18:00Z")  # fmt: skip
    assert held["events"][0]["in_working_hours"] is False
    # cy's follows the schedule in force: outside working hours
    cy = cli.ok("meeting", "held", R_CY, "--duration", "30", "--format", "video",
                "--occurred-at", "2026-01-07T18:00Z")  # fmt: skip
    assert cy["events"][0]["in_working_hours"] is False
    cli.ok("mentor", "recognise", P, "--mentor", "ana", "--kind", "allowance", "--amount", "40",
           "--from", "2026-01-01", "--to", "2026-01-31", "--reason", "January")  # fmt: skip
    cli.ok("mentor", "recognise", P, "--mentor", "ana", "--kind", "time_in_lieu",
           "--hours", "1.5", "--from", "2026-01-01", "--to", "2026-01-31",
           "--reason", "Evenings")  # fmt: skip

    text = cli.run("report", "mentor-time", "--programme", P, "--from", "2026-01-01",
                   "--to", "2026-01-31", "--format", "csv", "--out", "-")  # fmt: skip
    assert text.code == 0, text
    (row,) = csv.DictReader(io.StringIO(text.stdout))
    # hand-computed: one-on-ones 60 + 30 = 90 min; one session of 90 min (not 180);
    # total 180 min = 3.00 h; outside working hours: 60 + 30
    assert row == {
        "programme_id": P, "period_start": "2026-01-01", "period_end": "2026-01-31",
        "mentor_id": "ana", "one_on_one_meetings": "2", "one_on_one_minutes": "90",
        "group_sessions": "1", "group_minutes": "90", "total_minutes": "180",
        "total_hours": "3.00", "in_working_hours_minutes": "90",
        "outside_working_hours_minutes": "90", "mentees_carried": "2", "capacity": "",
        "free_capacity": "", "allowance_amount": "40", "time_in_lieu_hours": "1.5",
        "certificates": "0", "other_recognitions": "0",
    }  # fmt: skip

    out = tmp_path / "time.json"
    cli.ok("report", "mentor-time", "--programme", P, "--from", "2026-01-01", "--to",
           "2026-01-31", "--format", "json", "--out", str(out))  # fmt: skip
    report = json.loads(out.read_text())
    # programme: 3 meetings counted once (the session once): 90 of 180 min in working hours
    assert report["programme"] == {
        "meetings": 3, "minutes": 180, "in_working_hours_meetings": 1,
        "in_working_hours_minutes": 90, "in_working_hours_meetings_pct": 33.3,
        "in_working_hours_minutes_pct": 50.0,
    }  # fmt: skip
    ben, cy_row = report["relationships"]
    # each mentee's participation: the session counts once for each
    assert (ben["group_sessions"], ben["working_hours"]["meetings"]) == (1, 2)
    assert cy_row["working_hours"]["in_working_hours_meetings_pct"] == 50.0

    compliance = cli.run("report", "compliance", "--programme", P, "--format", "json",
                         "--out", "-")  # fmt: skip
    programme = json.loads(compliance.stdout)["programme"]
    assert (programme["meetings_held"], programme["mentoring_minutes"]) == (4, 180)


def test_a_group_session_of_another_mentors_pair_is_refused_and_records_nothing(
    tmp_path: Path,
) -> None:
    cli = _programme(tmp_path)
    cli.ok("programme", "enrol", P, "--person", "dee", "--role", "mentor",
           "--experience-years", "9", "--occurred-at", "2026-01-01")  # fmt: skip
    refused = cli.run("meeting", "group", P, "--mentor", "dee", "--pair", R_BEN, "--pair", R_CY,
                      "--duration", "60")  # fmt: skip
    assert refused.code == 1
    assert "group-session" in refused.stderr and "mentored by 'ana', not by 'dee'" in refused.stderr
    one = cli.run("meeting", "group", P, "--mentor", "ana", "--pair", R_BEN, "--duration", "60")
    assert one.code == 2 and "from 2 to 100 relationships" in one.stderr
    assert "'--pair'" in one.stderr
    backwards = cli.run("report", "mentor-time", "--programme", P, "--from", "2026-02-01",
                        "--to", "2026-01-01", "--out", "-")  # fmt: skip
    assert backwards.code == 2 and "'--to'" in backwards.stderr
    recognise = ("mentor", "recognise", P, "--kind", "allowance", "--from", "2026-01-01",
                 "--to", "2026-01-31", "--reason", "January")  # fmt: skip
    not_a_mentor = cli.run(*recognise, "--mentor", "ben", "--amount", "40")
    assert not_a_mentor.code == 1 and "rule 'mentor-enrolled' broken" in not_a_mentor.stderr
    no_amount = cli.run(*recognise, "--mentor", "ana")
    assert no_amount.code == 2 and "amount" in no_amount.stderr
    not_a_number = cli.run(*recognise, "--mentor", "ana", "--amount", "forty")
    assert not_a_number.code == 2 and "'forty' is not a number" in not_a_number.stderr
    with MentoringService(cli.store_url) as service:
        for rel in (R_BEN, R_CY):
            assert service.relationship(UUID(rel)).meetings == ()


def test_a_group_session_is_corrected_on_every_pair_by_the_command_not_one_alone(
    tmp_path: Path,
) -> None:
    cli = _programme(tmp_path)
    session = cli.ok("meeting", "group", P, "--mentor", "ana", "--pair", R_BEN, "--pair", R_CY,
                     "--duration", "90", "--topic", "Handover",
                     "--occurred-at", "2026-01-05T10:00Z", actor="ana")  # fmt: skip
    ben_meeting = session["events"][0]["meeting_id"]
    alone = cli.run("meeting", "correct", R_BEN, ben_meeting, "--reason", "Typo",
                    "--duration", "60")  # fmt: skip
    assert alone.code == 1 and "rule 'group-session' broken" in alone.stderr
    assert "meeting group-correct" not in alone.stderr  # the domain names the command
    assert "CorrectGroupSession" in alone.stderr
    fixed = cli.ok("meeting", "group-correct", P, session["id"], "--mentor", "ana",
                   "--pair", R_BEN, "--pair", R_CY, "--reason", "Typo", "--duration", "60",
                   actor="ana")  # fmt: skip
    assert [(e["type"], e["aggregate_id"], e["duration_minutes"]) for e in fixed["events"]] == [
        ("MeetingRecordCorrected", R_BEN, 60),
        ("MeetingRecordCorrected", R_CY, 60),
    ]
    compliance = cli.run("report", "compliance", "--programme", P, "--format", "json",
                         "--out", "-")  # fmt: skip
    assert json.loads(compliance.stdout)["programme"]["mentoring_minutes"] == 60
    missing = cli.run("meeting", "group-correct", P, session["id"], "--mentor", "ana",
                      "--pair", R_BEN, "--reason", "Typo", "--duration", "50")  # fmt: skip
    assert missing.code == 1 and "rule 'group-session' broken" in missing.stderr
    assert "name every relationship present" in missing.stderr


def test_a_group_session_in_text_names_each_relationship_and_its_version(tmp_path: Path) -> None:
    """A session is recorded on every relationship present: each one's new version is
    what a later command's --expected-version needs, so each is named, not the first
    alone."""
    cli = _programme(tmp_path)
    args = ("meeting", "group", P, "--mentor", "ana", "--pair", R_BEN, "--pair", R_CY,
            "--duration", "90", "--occurred-at", "2026-01-05T10:00Z",
            "--command-id", "7d3c2b1a-0000-4000-8000-00000000c0de")  # fmt: skip
    text = cli.run(*args, actor="ana")
    assert text.code == 0, str(text)
    versions = {r: cli.ok("pair", "show", r)["version"] for r in (R_BEN, R_CY)}
    assert text.stdout.startswith(
        f"Recorded MeetingHeld: relationship {R_BEN} is now at version {versions[R_BEN]}; "
        f"MeetingHeld: relationship {R_CY} is now at version {versions[R_CY]}.\n"
    ), str(text)
    again = cli.run(*args, actor="ana")
    assert again.stdout.startswith(
        f"Already recorded: MeetingHeld of this command id are in the history of relationship "
        f"{R_BEN} (version {versions[R_BEN]}); MeetingHeld of this command id are in the "
        f"history of relationship {R_CY} (version {versions[R_CY]}); nothing new was stored.\n"
    ), str(again)
