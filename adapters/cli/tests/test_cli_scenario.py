"""A whole programme through the real ``mentoring`` command, checked event by event.

Runs on SQLite, and on PostgreSQL when it is available (see conftest.py). Every
command is given ``--json`` and the events it reports are checked against the
catalogue (docs/events.md says which command records which event); then
``history --json`` of the relationship and of the programme is checked event by
event: type, version, when it occurred, who recorded it, and the values given.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from uuid import UUID

from cli_harness import Cli
from mentoring_cli.catalogue import RECORDED_BY


def _id(n: int) -> str:
    return str(UUID(int=n))


PROGRAMME = _id(1)
R1, R2, R3 = _id(11), _id(12), _id(13)
GOAL_1, GOAL_2 = _id(21), _id(22)
ACTIVITY, MILESTONE = _id(31), _id(32)
HELD, MISSED, CANCELLED = _id(41), _id(42), _id(43)
FEEDBACK, REFLECTION, EVALUATION = _id(51), _id(52), _id(53)

COORDINATOR, MENTOR, MENTEE = "coord.rhea", "ana", "ben"


def _record(cli: Cli, actor: str, *args: str) -> dict[str, Any]:
    """Run one recording command; check what it reports against the event catalogue."""
    doc: dict[str, Any] = cli.ok(*args, actor=actor)
    command = " ".join(args[:2])
    for event in doc["events"]:
        recorded_by = [c for c, _ in RECORDED_BY[event["type"]]]
        assert command in recorded_by, (command, event["type"])
        assert event["actor"] == actor
    return doc


def _other_pairings(cli: Cli) -> None:
    """Proposals accepted and declined, and a withdrawal: run beside the main relationship."""
    c = COORDINATOR
    proposed = _record(
        cli, c, "pair", "propose", PROGRAMME, "--mentor", "cy", "--mentee", "ben", "--id", R2,
        "--gap-override-reason", "Cy knows the youth service; a second voice for Ben",
        "--occurred-at", "2026-01-12T10:00Z",
    )  # fmt: skip
    assert proposed["events"][0]["gap_override_reason"].startswith("Cy knows")
    _record(cli, MENTEE, "pair", "accept", R2, "--by", "ben", "--occurred-at", "2026-01-13")
    # Cy leaves the pair before being proposed again (a pair is not open twice at once),
    # and before being withdrawn (no one is withdrawn with an open relationship).
    _record(
        cli, c, "pair", "end", R2, "--reason", "withdrawn_by_mentor", "--explanation",
        "Cy is moving away", "--occurred-at", "2026-01-14",
    )  # fmt: skip
    _record(
        cli, c, "pair", "propose", PROGRAMME, "--mentor", "cy", "--mentee", "ben", "--id", R3,
        "--gap-override-reason", "Cy could stay after all", "--occurred-at", "2026-01-15T11:00Z",
    )  # fmt: skip
    _record(
        cli, MENTEE, "pair", "decline", R3, "--by", "ben", "--reason", "not-needed",
        "--explanation", "Already paired with Ana", "--occurred-at", "2026-01-16",
    )  # fmt: skip
    _record(
        cli, c, "programme", "withdraw", PROGRAMME, "--person", "cy", "--reason", "Moved away",
        "--occurred-at", "2026-06-01",
    )  # fmt: skip


def test_a_programme_and_its_relationships_through_the_cli(cli: Cli) -> None:
    c = COORDINATOR
    _record(
        cli, c, "programme", "create", "--id", PROGRAMME, "--name", "Pilot 2026",
        "--organisation", "Northside Care", "--occurred-at", "2026-01-05",
    )  # fmt: skip
    _record(
        cli, c, "programme", "policy", PROGRAMME, "--cadence", "weekly,until=28",
        "--cadence", "fortnightly", "--participation", "COMPULSORY",
        "--minimum-experience-gap", "3", "--review-interval-days", "42",
        "--minimum-meeting-minutes", "45", "--max-mentors-per-mentee", "2",
        "--occurred-at", "2026-01-05T12:30+11:00",
    )  # fmt: skip
    for person, role, years in (
        ("ana", "mentor", "12"),
        ("cy", "Mentor", "4"),
        ("ben", "mentee", "1.5"),
    ):
        _record(
            cli, c, "programme", "enrol", PROGRAMME, "--person", person, "--role", role,
            "--experience-years", years, "--occurred-at", "2026-01-06",
        )  # fmt: skip

    formed = _record(
        cli, c, "pair", "form", PROGRAMME, "--mentor", "ana", "--mentee", "ben", "--id", R1,
        "--occurred-at", "2026-01-12T09:00Z",
    )  # fmt: skip
    assert formed["id"] == R1 and formed["version"] == 1
    assert [e["type"] for e in formed["events"]] == ["PairFormed", "RelationshipOpened"]
    # Commands on different aggregates may run side by side to save time. Not on
    # PostgreSQL: there every process opening the store re-runs eventsourcing's
    # CREATE OR REPLACE FUNCTION, and two at once can fail ("tuple concurrently updated").
    workers = 4 if cli.store_url.startswith("sqlite") else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        others = pool.submit(_other_pairings, cli) if workers > 1 else None
        _main_relationship(cli)
        if others is None:
            _other_pairings(cli)
        else:
            others.result()
        relationship = pool.submit(cli.ok, "history", R1)
        programme = pool.submit(cli.ok, "history", PROGRAMME)
        queries = pool.submit(_check_queries, cli)
        _check_relationship_history(relationship.result()["events"])
        _check_programme_history(programme.result()["events"])
        queries.result()


def _main_relationship(cli: Cli) -> None:
    c, m, e = COORDINATOR, MENTOR, MENTEE
    steps: list[tuple[str, tuple[str, ...]]] = [
        (m, ("expectations", "agree", R1, "--expectation", "Meet fortnightly",
             "--expectation", "Ben brings one case each time", "--occurred-at", "2026-01-19")),
        (m, ("schedule", "agree", R1, "--cadence", "fortnightly", "--duration", "60",
             "--format", "one_on_one", "--occurred-at", "2026-01-19")),
        (m, ("goal", "set", R1, "--id", GOAL_1, "--title", "Chair a family conference",
             "--focus-area", "Communication", "--success-measure", "Chairs two conferences",
             "--target-date", "2026-06-30", "--occurred-at", "2026-01-19")),
        (m, ("goal", "set", R1, "--id", GOAL_2, "--title", "Lead the team huddle",
             "--focus-area", "teamwork", "--success-measure", "Leads four huddles",
             "--target-date", "2026-05-31", "--occurred-at", "2026-01-19")),
        (m, ("goal", "revise", R1, GOAL_1, "--reason", "Leave in March",
             "--target-date", "2026-07-31", "--occurred-at", "2026-02-02")),
        (m, ("plan", "add", R1, "--id", ACTIVITY, "--description", "Observe Ana chairing",
             "--due-date", "2026-02-20", "--goal", GOAL_1, "--occurred-at", "2026-01-19")),
        (e, ("plan", "complete", R1, ACTIVITY, "--notes", "Observed on 18 February",
             "--occurred-at", "2026-02-18")),
        (m, ("milestone", "set", R1, "--id", MILESTONE, "--description", "First conference",
             "--target-date", "2026-04-30", "--goal", GOAL_1, "--occurred-at", "2026-01-19")),
        (e, ("milestone", "reach", R1, MILESTONE, "--notes", "Chaired on 22 April",
             "--occurred-at", "2026-04-22")),
        (m, ("meeting", "held", R1, "--id", HELD, "--duration", "15", "--format", "group",
             "--topic", "Introductions", "--topic", "Goals", "--attendee", "cy",
             "--occurred-at", "2026-01-19T10:00+11:00")),
        (m, ("meeting", "correct", R1, HELD, "--reason", "Typed 15 instead of 50",
             "--duration", "50", "--occurred-at", "2026-01-20")),
        (m, ("meeting", "missed", R1, "--id", MISSED, "--by", "ben",
             "--reason", "Urgent home visit", "--occurred-at", "2026-02-02T10:00Z")),
        (m, ("meeting", "cancelled", R1, "--id", CANCELLED, "--by", "ana",
             "--reason", "Sick leave", "--occurred-at", "2026-02-16T10:00Z")),
        (m, ("feedback", "give", R1, "--id", FEEDBACK, "--from", "ana", "--to", "ben",
             "--kind", "recognition", "--text", "Calm and clear", "--goal", GOAL_1,
             "--meeting", HELD, "--occurred-at", "2026-01-19T12:00Z")),
        (e, ("reflection", "record", R1, "--id", REFLECTION, "--rating", "communication=3",
             "--rating", "wellbeing=4", "--text", "Finding my feet", "--private",
             "--occurred-at", "2026-02-27")),
        (c, ("evaluation", "record", R1, "--id", EVALUATION, "--progress", f"{GOAL_1}=on_track",
             "--progress", f"{GOAL_2}=AT_RISK", "--evidence", "Six-week review",
             "--stakeholder", "team leader=More confident on calls",
             "--occurred-at", "2026-03-02")),
        (m, ("schedule", "change", R1, "--cadence", "every_n_days=10", "--duration", "45",
             "--format", "video", "--outside-working-hours", "--reason", "Ben moved office",
             "--occurred-at", "2026-03-03")),
        (m, ("goal", "achieve", R1, GOAL_1, "--evidence", "Chaired two conferences",
             "--occurred-at", "2026-05-11")),
        (m, ("goal", "abandon", R1, GOAL_2, "--reason", "Teams merged",
             "--occurred-at", "2026-04-20")),
        (c, ("pair", "pause", R1, "--reason", "Annual leave", "--occurred-at", "2026-05-12")),
        (c, ("pair", "resume", R1, "--occurred-at", "2026-05-26")),
    ]  # fmt: skip
    version = 1
    for actor, args in steps:
        doc = _record(cli, actor, *args)
        version += 1
        assert doc["aggregate_id"] == R1 and doc["version"] == version
    ended = _record(
        cli, c, "pair", "end", R1, "--reason", "completed", "--explanation", "Goals met",
        "--expected-version", str(version), "--occurred-at", "2026-05-29",
    )  # fmt: skip
    assert ended["version"] == version + 1


def _check_relationship_history(events: list[dict[str, Any]]) -> None:
    expected: list[tuple[str, str, str, dict[str, Any]]] = [
        ("PairFormed", "2026-01-12T09:00:00+00:00", COORDINATOR, {
            "programme_id": PROGRAMME, "mentor_id": "ana", "mentee_id": "ben",
            "mentor_experience_years": "12", "mentee_experience_years": "1.5",
            "gap_override_reason": None}),
        ("ExpectationsAgreed", "2026-01-19T00:00:00+00:00", MENTOR, {
            "expectations": ["Meet fortnightly", "Ben brings one case each time"]}),
        ("ScheduleAgreed", "2026-01-19T00:00:00+00:00", MENTOR, {"schedule": {
            "cadence": {"kind": "fortnightly", "every_days": None}, "duration_minutes": 60,
            "format": "one_on_one", "in_working_hours": True}}),
        ("GoalSet", "2026-01-19T00:00:00+00:00", MENTOR, {
            "goal_id": GOAL_1, "title": "Chair a family conference",
            "focus_area": "communication", "success_measure": "Chairs two conferences",
            "target_date": "2026-06-30"}),
        ("GoalSet", "2026-01-19T00:00:00+00:00", MENTOR, {
            "goal_id": GOAL_2, "focus_area": "teamwork", "target_date": "2026-05-31"}),
        ("GoalRevised", "2026-02-02T00:00:00+00:00", MENTOR, {
            "goal_id": GOAL_1, "title": "Chair a family conference",
            "target_date": "2026-07-31", "reason": "Leave in March"}),
        ("PlanActivityAdded", "2026-01-19T00:00:00+00:00", MENTOR, {
            "activity_id": ACTIVITY, "description": "Observe Ana chairing",
            "due_date": "2026-02-20", "goal_id": GOAL_1}),
        ("PlanActivityCompleted", "2026-02-18T00:00:00+00:00", MENTEE, {
            "activity_id": ACTIVITY, "notes": "Observed on 18 February"}),
        ("MilestoneSet", "2026-01-19T00:00:00+00:00", MENTOR, {
            "milestone_id": MILESTONE, "description": "First conference",
            "target_date": "2026-04-30", "goal_id": GOAL_1}),
        ("MilestoneReached", "2026-04-22T00:00:00+00:00", MENTEE, {
            "milestone_id": MILESTONE, "notes": "Chaired on 22 April"}),
        ("MeetingHeld", "2026-01-18T23:00:00+00:00", MENTOR, {
            "meeting_id": HELD, "duration_minutes": 15, "format": "group",
            "topics": ["Introductions", "Goals"], "attendees": ["cy"]}),
        ("MeetingRecordCorrected", "2026-01-20T00:00:00+00:00", MENTOR, {
            "meeting_id": HELD, "held_at": "2026-01-18T23:00:00+00:00", "duration_minutes": 50,
            "format": "group", "topics": ["Introductions", "Goals"],
            "reason": "Typed 15 instead of 50"}),
        ("MeetingMissed", "2026-02-02T10:00:00+00:00", MENTOR, {
            "meeting_id": MISSED, "missed_by": "ben", "reason": "Urgent home visit"}),
        ("MeetingCancelled", "2026-02-16T10:00:00+00:00", MENTOR, {
            "meeting_id": CANCELLED, "cancelled_by": "ana", "reason": "Sick leave"}),
        ("FeedbackGiven", "2026-01-19T12:00:00+00:00", MENTOR, {
            "feedback_id": FEEDBACK, "from_person": "ana", "to_person": "ben",
            "kind": "recognition", "about_goal_id": GOAL_1, "about_meeting_id": HELD,
            "text": "Calm and clear", "private": False}),
        ("ReflectionRecorded", "2026-02-27T00:00:00+00:00", MENTEE, {
            "reflection_id": REFLECTION, "text": "Finding my feet", "private": True, "ratings": [
                {"focus_area": "communication", "score": 3},
                {"focus_area": "wellbeing", "score": 4}]}),
        ("ProgressEvaluated", "2026-03-02T00:00:00+00:00", COORDINATOR, {
            "evaluation_id": EVALUATION, "evidence": "Six-week review",
            "goal_progress": [{"goal_id": GOAL_1, "status": "on_track"},
                              {"goal_id": GOAL_2, "status": "at_risk"}],
            "stakeholder_feedback": [
                {"source": "team leader", "text": "More confident on calls"}]}),
        ("ScheduleChanged", "2026-03-03T00:00:00+00:00", MENTOR, {"schedule": {
            "cadence": {"kind": "every_n_days", "every_days": 10}, "duration_minutes": 45,
            "format": "video", "in_working_hours": False}, "reason": "Ben moved office"}),
        ("GoalAchieved", "2026-05-11T00:00:00+00:00", MENTOR, {
            "goal_id": GOAL_1, "evidence": "Chaired two conferences"}),
        ("GoalAbandoned", "2026-04-20T00:00:00+00:00", MENTOR, {
            "goal_id": GOAL_2, "reason": "Teams merged"}),
        ("RelationshipPaused", "2026-05-12T00:00:00+00:00", COORDINATOR, {
            "reason": "Annual leave"}),
        ("RelationshipResumed", "2026-05-26T00:00:00+00:00", COORDINATOR, {}),
        ("RelationshipEnded", "2026-05-29T00:00:00+00:00", COORDINATOR, {
            "reason": "completed", "explanation": "Goals met"}),
    ]  # fmt: skip
    assert [e["type"] for e in events] == [t for t, *_ in expected]
    for version, (event, (kind, occurred, actor, fields)) in enumerate(
        zip(events, expected, strict=True), start=1
    ):
        where = f"event {version} ({kind})"
        assert event["version"] == version, where
        assert event["aggregate_id"] == R1, where
        assert event["occurred_at"] == occurred, where
        assert event["actor"] == actor, where
        recorded = datetime.fromisoformat(event["recorded_at"])
        assert recorded.utcoffset() is not None and recorded >= datetime.fromisoformat(occurred)
        assert {k: event[k] for k in fields} == fields, where
    assert len({e["event_id"] for e in events}) == len(events)
    recorded_times = [e["recorded_at"] for e in events]
    assert recorded_times == sorted(recorded_times)
    held, corrected = events[10], events[11]
    assert corrected["corrects_event_id"] == held["event_id"]


def _check_programme_history(events: list[dict[str, Any]]) -> None:
    assert [(e["version"], e["type"]) for e in events] == [
        (1, "ProgrammeCreated"),
        (2, "PolicySet"),
        (3, "ParticipantEnrolled"),
        (4, "ParticipantEnrolled"),
        (5, "ParticipantEnrolled"),
        (6, "RelationshipOpened"),
        (7, "RelationshipOpened"),
        (8, "RelationshipOpened"),
        (9, "ParticipantWithdrawn"),
    ]
    created, policy = events[0], events[1]["policy"]
    assert created["name"] == "Pilot 2026" and created["organisation"] == "Northside Care"
    assert policy == {
        "cadence": [
            {"cadence": {"kind": "weekly", "every_days": None}, "until_age_days": 28},
            {"cadence": {"kind": "fortnightly", "every_days": None}, "until_age_days": None},
        ],
        "minimum_meeting_minutes": 45,
        "participation": "compulsory",
        "minimum_experience_gap_years": "3",
        "review_interval_days": 42,
        "max_mentees_per_mentor": None,
        "max_active_mentors_per_mentee": 2,
        "retain_personal_data_years": None,
    }
    assert events[1]["occurred_at"] == "2026-01-05T01:30:00+00:00"
    assert [(e["person_id"], e["role"], e["experience_years"]) for e in events[2:5]] == [
        ("ana", "mentor", "12"),
        ("cy", "mentor", "4"),
        ("ben", "mentee", "1.5"),
    ]
    assert [e["relationship_id"] for e in events[5:8]] == [R1, R2, R3]
    assert events[8]["person_id"] == "cy" and events[8]["reason"] == "Moved away"


def _check_queries(cli: Cli) -> None:
    listed = cli.ok("programme", "list")["programmes"]
    assert [(p["programme_id"], p["name"], p["relationships"]) for p in listed] == [
        (PROGRAMME, "Pilot 2026", 3)
    ]
    programme = cli.ok("programme", "show", PROGRAMME)
    assert programme["version"] == 9
    assert [p["person_id"] for p in programme["participants"]] == ["ana", "cy", "ben"]
    assert programme["participants"][1]["withdrawn_at"] == "2026-06-01T00:00:00+00:00"
    relationships = cli.ok("pair", "list", PROGRAMME)["relationships"]
    assert [(r["relationship_id"], r["status"]) for r in relationships] == [
        (R1, "ended"),
        (R2, "ended"),
        (R3, "declined"),
    ]
    shown = cli.ok("pair", "show", R1)
    assert shown == relationships[0]
    assert shown["ended"]["reason"] == "completed"
    assert [(g["goal_id"], g["status"]) for g in shown["goals"]] == [
        (GOAL_1, "achieved"),
        (GOAL_2, "abandoned"),
    ]
    assert [(m["meeting_id"], m["outcome"], m["duration_minutes"]) for m in shown["meetings"]] == [
        (HELD, "held", 50),
        (MISSED, "missed", None),
        (CANCELLED, "cancelled", None),
    ]


def test_coordinators_are_appointed_relieved_and_shown(cli: Cli) -> None:
    admin = "admin.ida"
    _record(cli, admin, "programme", "create", "--id", PROGRAMME, "--name", "Pilot",
            "--organisation", "Northside Care")  # fmt: skip
    for person in ("coord.rhea", "coord.sol"):
        _record(cli, admin, "programme", "appoint", PROGRAMME, "--person", person)
    relieved = _record(
        cli, admin, "programme", "relieve", PROGRAMME, "--person", "coord.sol",
        "--reason", "Moved to training",
    )  # fmt: skip
    assert relieved["events"][0]["person_id"] == "coord.sol"
    assert relieved["events"][0]["reason"] == "Moved to training"
    assert cli.ok("programme", "show", PROGRAMME)["coordinators"] == ["coord.rhea"]
    again = cli.run("programme", "relieve", PROGRAMME, "--person", "coord.sol", "--reason", "x")
    assert again.code != 0
    assert "coordinator-appointed" in again.stderr
    assert "'coord.sol' is not a coordinator of programme 'Pilot'" in again.stderr
