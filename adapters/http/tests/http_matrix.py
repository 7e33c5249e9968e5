"""The authorisation matrix's cases: every endpoint of the API, a valid request for each
on a seeded programme, and who calls it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs

from mentoring_core import MentoringService
from mentoring_core import commands as c
from mentoring_core.values import Cadence, FocusArea, MeetingFormat, MeetingSchedule, Role

ADMIN = "admin.ada"


@attrs.frozen
class Seeded:
    """The ids of a programme seeded for one case."""

    programme: UUID
    active: UUID
    """ana (mentor) and ben (mentee), active: a goal, an activity, a milestone, a meeting."""
    proposed: UUID
    """ana (mentor) proposed to cy (mentee)."""
    other: UUID
    """dee (mentor) and eve (mentee): someone else's relationship."""
    goal: UUID
    activity: UUID
    milestone: UUID
    meeting: UUID
    second: UUID
    """ana (mentor) and ivy (mentee), active: with ``active``, a group session's pairs."""
    person: str
    """Someone enrolled in this programme only (named after it), for erasure and subject
    access: erasing them changes no other case."""
    session: UUID
    """ana's group session with ben (``active``) and ivy (``second``)."""


def _today() -> str:
    """Today (UTC): a recognition's period overlaps the mentor's enrolment, made today."""
    return datetime.now(UTC).date().isoformat()


def seed(service: MentoringService) -> Seeded:
    run = service.execute
    programme = run(c.CreateProgramme(name="Pilot", organisation="Care"), actor=ADMIN).id
    hal = f"hal.{programme.hex[:12]}"
    hal_enrolled = c.EnrolParticipant(programme_id=programme, person_id=hal, role=Role.MENTEE,
                                      experience_years=Decimal(1), display_name="Hal")  # fmt: skip
    run(hal_enrolled, actor=ADMIN)
    for coordinator in ("coord.rhea", "coord.sam"):
        run(c.AppointCoordinator(programme_id=programme, person_id=coordinator), actor=ADMIN)
    for person, role, years in (("ana", Role.MENTOR, "12"), ("ben", Role.MENTEE, "1"),
                                ("cy", Role.MENTEE, "2"), ("dee", Role.MENTOR, "10"),
                                ("eve", Role.MENTEE, "1"), ("gus", Role.MENTEE, "1"),
                                ("ivy", Role.MENTEE, "1")):  # fmt: skip
        run(c.EnrolParticipant(programme_id=programme, person_id=person, role=role,
                               experience_years=Decimal(years)), actor=ADMIN)  # fmt: skip

    def pair(mentor: str, mentee: str, direct: bool) -> UUID:
        command = c.OpenRelationship(programme_id=programme, mentor_id=mentor, mentee_id=mentee,
                                     direct=direct)  # fmt: skip
        return run(command, actor=ADMIN).id

    active, proposed, other, second = (
        pair("ana", "ben", True),
        pair("ana", "cy", False),
        pair("dee", "eve", True),
        pair("ana", "ivy", True),
    )
    goal = run(c.SetGoal(relationship_id=active, title="Chair", success_measure="Once",
                         focus_area=FocusArea.COMMUNICATION, target_date=date(2030, 1, 1)),
               actor="ana").id  # fmt: skip
    activity = run(c.AddPlanActivity(relationship_id=active, description="Observe",
                                     due_date=date(2030, 1, 1)), actor="ana").id  # fmt: skip
    milestone = run(c.SetMilestone(relationship_id=active, description="Half",
                                   target_date=date(2030, 1, 1)), actor="ana").id  # fmt: skip
    schedule = MeetingSchedule(cadence=Cadence.weekly(), duration_minutes=60,
                               format=MeetingFormat.ONE_ON_ONE)  # fmt: skip
    run(c.AgreeSchedule(relationship_id=active, schedule=schedule), actor="ana")
    meeting = run(c.RecordMeetingHeld(relationship_id=active, duration_minutes=60,
                                      format=MeetingFormat.ONE_ON_ONE, topics=("caseload",)),
                  actor="ana").id  # fmt: skip
    session = run(c.RecordGroupSession(programme_id=programme, mentor_id="ana",
                                       relationship_ids=(active, second), duration_minutes=45,
                                       topics=("handover",)), actor="ana").id  # fmt: skip
    return Seeded(programme, active, proposed, other, goal, activity, milestone, meeting, second,
                  hal, session)  # fmt: skip


@attrs.frozen
class Endpoint:
    """One endpoint and a request to it that the domain accepts on a seeded programme."""

    name: str
    method: str
    path: Callable[[Seeded], str]
    body: Callable[[Seeded], dict[str, Any] | None] = lambda s: None
    on: str = "active"
    """Which relationship it is on (``proposed`` for accepting or declining), for who its
    mentor and mentee are."""


SCHEDULE = {"cadence": {"kind": "weekly"}, "duration_minutes": 60, "format": "one_on_one"}
CHANGED_SCHEDULE = {**SCHEDULE, "duration_minutes": 45}
"""Another schedule than the one agreed (the same again changes nothing: a 409)."""
POLICY = {"cadence": [{"cadence": {"kind": "fortnightly"}}], "minimum_meeting_minutes": 30,
          "participation": "voluntary", "minimum_experience_gap_years": "2",
          "review_interval_days": 90}  # fmt: skip


def _p(tail: str = "") -> Callable[[Seeded], str]:
    return lambda s: f"/programmes/{s.programme}{tail}"


def _r(tail: str = "", on: str = "active") -> Callable[[Seeded], str]:
    return lambda s: f"/relationships/{getattr(s, on)}{tail}"


ENDPOINTS = (
    Endpoint("create programme", "POST", lambda s: "/programmes",
             lambda s: {"name": "Second", "organisation": "Care"}),
    Endpoint("list programmes", "GET", lambda s: "/programmes"),
    Endpoint("read programme", "GET", _p()),
    Endpoint("programme history", "GET", _p("/history")),
    Endpoint("appoint coordinator", "POST", _p("/coordinators"),
             lambda s: {"person_id": "coord.tam"}),
    Endpoint("relieve coordinator", "POST", _p("/relieved-coordinators"),
             lambda s: {"person_id": "coord.sam", "reason": "Moved team"}),
    Endpoint("set policy", "PUT", _p("/policy"), lambda s: {"policy": POLICY}),
    Endpoint("enrol", "POST", _p("/participants"),
             lambda s: {"person_id": "fay", "role": "mentee", "experience_years": "1"}),
    Endpoint("update profile", "POST", _p("/profiles"),
             lambda s: {"person_id": "gus", "development_needs": ["teamwork"]}),
    Endpoint("withdraw", "POST", _p("/withdrawals"),
             lambda s: {"person_id": "gus", "reason": "Left"}),  # gus has no relationship
    Endpoint("open relationship", "POST", _p("/relationships"),
             lambda s: {"mentor_id": "dee", "mentee_id": "cy", "direct": False}),
    Endpoint("group session", "POST", _p("/group-sessions"),
             lambda s: {"mentor_id": "ana", "relationship_ids": [str(s.active), str(s.second)],
                        "duration_minutes": 60, "topics": ["handover"]}),
    Endpoint("correct group session", "POST", _p("/group-session-corrections"),
             lambda s: {"session_id": str(s.session), "mentor_id": "ana",
                        "relationship_ids": [str(s.active), str(s.second)],
                        "reason": "Wrong length", "duration_minutes": 50}),
    Endpoint("recognise mentor", "POST", _p("/mentor-recognitions"),
             lambda s: {"person_id": "ana", "kind": "certificate", "period_start": _today(),
                        "period_end": _today(), "reason": "A day of mentoring"}),
    Endpoint("list relationships", "GET", _p("/relationships")),
    Endpoint("suggest mentors", "GET", _p("/suggestions?mentee=gus")),
    Endpoint("due", "GET", _p("/due?within=30")),
    Endpoint("report json", "GET", _p("/reports/compliance.json")),
    Endpoint("report csv", "GET", _p("/reports/compliance.csv")),
    Endpoint("report html", "GET", _p("/reports/compliance.html")),
    Endpoint("read relationship", "GET", _r()),
    Endpoint("relationship history", "GET", _r("/history")),
    Endpoint("timeline", "GET", _r("/timeline")),
    Endpoint("state as of", "GET", _r("/state?at=2026-01-01T00:00:00Z")),
    Endpoint("accept", "POST", _r("/acceptance", "proposed"), lambda s: {"accepted_by": "cy"},
             on="proposed"),
    Endpoint("decline", "POST", _r("/declining", "proposed"),
             lambda s: {"declined_by": "cy", "reason": "not_needed", "explanation": "Fine"},
             on="proposed"),
    Endpoint("expectations", "PUT", _r("/expectations"), lambda s: {"expectations": ["Weekly"]}),
    Endpoint("set goal", "POST", _r("/goals"),
             lambda s: {"title": "Lead", "focus_area": "teamwork", "success_measure": "Leads",
                        "target_date": "2030-02-01"}),
    Endpoint("revise goal", "POST", _r("/goal-revisions"),
             lambda s: {"goal_id": str(s.goal), "reason": "Clearer", "title": "Chair twice"}),
    Endpoint("achieve goal", "POST", _r("/achieved-goals"),
             lambda s: {"goal_id": str(s.goal), "evidence": "Chaired"}),
    Endpoint("abandon goal", "POST", _r("/abandoned-goals"),
             lambda s: {"goal_id": str(s.goal), "reason": "Moved"}),
    Endpoint("add activity", "POST", _r("/plan"),
             lambda s: {"description": "Shadow", "due_date": "2030-01-01"}),
    Endpoint("complete activity", "POST", _r("/completed-activities"),
             lambda s: {"activity_id": str(s.activity), "notes": "Done"}),
    Endpoint("set milestone", "POST", _r("/milestones"),
             lambda s: {"description": "Most", "target_date": "2030-01-01"}),
    Endpoint("reach milestone", "POST", _r("/reached-milestones"),
             lambda s: {"milestone_id": str(s.milestone), "notes": "Reached"}),
    Endpoint("agree schedule", "PUT", _r("/schedule"), lambda s: {"schedule": SCHEDULE}),
    Endpoint("change schedule", "POST", _r("/schedule-changes"),
             lambda s: {"schedule": CHANGED_SCHEDULE, "reason": "Rota"}),
    Endpoint("meeting held", "POST", _r("/meetings"),
             lambda s: {"duration_minutes": 45, "format": "video", "topics": ["rota"]}),
    Endpoint("meeting missed", "POST", _r("/missed-meetings"),
             lambda s: {"missed_by": "ben", "reason": "Ill"}),
    Endpoint("meeting cancelled", "POST", _r("/cancelled-meetings"),
             lambda s: {"cancelled_by": "ana", "reason": "Training"}),
    Endpoint("correct meeting", "POST", _r("/meeting-corrections"),
             lambda s: {"meeting_id": str(s.meeting), "reason": "Typo", "duration_minutes": 50}),
    Endpoint("feedback", "POST", _r("/feedback"),
             lambda s: {"from_person": "ben", "to_person": "ana", "kind": "recognition",
                        "text": "Helpful"}),
    Endpoint("reflection", "POST", _r("/reflections"),
             lambda s: {"ratings": [{"focus_area": "communication", "score": 3}], "text": "Ok"}),
    Endpoint("evaluation", "POST", _r("/evaluations"),
             lambda s: {"goal_progress": [{"goal_id": str(s.goal), "status": "on_track"}],
                        "evidence": "Going well"}),
    Endpoint("pause", "POST", _r("/pause"), lambda s: {"reason": "Leave"}),
    Endpoint("resume", "POST", _r("/resumption"), lambda s: {}),  # refused: not paused (409)
    Endpoint("end", "POST", _r("/ending"),
             lambda s: {"reason": "cancelled_by_programme", "explanation": "Funding"}),
    Endpoint("audit verification", "GET", lambda s: "/audit/verification"),
    Endpoint("audit digest", "GET", lambda s: "/audit/digest"),
    Endpoint("event feed", "GET", lambda s: "/events"),
    Endpoint("event stream", "GET", lambda s: "/events/stream"),
    Endpoint("erase person", "POST", lambda s: f"/people/{s.person}/erasure",
             lambda s: {"reason": "DSAR-2026-020"}),
    Endpoint("personal data", "GET", lambda s: f"/people/{s.person}/personal-data"),
)  # fmt: skip
