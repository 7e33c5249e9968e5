"""The demo programme: four months of a realistic mentoring programme, always the same.

``seed`` records, through :class:`~mentoring_core.MentoringService` only, what a
coordinator, six mentors and ten mentees of Riverbend Community Care would have
recorded between February and May 2026: a compulsory fortnightly programme with
a three-year minimum experience gap, everyone enrolled with an e-mail contact,
one pairing refused under that rule, one proposal declined, three months of
meetings (some missed or cancelled, one logged late, one corrected, one a group
session), goals in several focus areas, plans, milestones, feedback, reflections,
progress reviews, one relationship paused and resumed, one ended and re-matched,
and one completed; an eleventh mentee joins in late May and waits for a mentor.

Every id comes from :func:`demo_id` (UUIDv5 of a name, or of a counter for
event ids) and every recording time from :class:`DemoClock`, which moves
forward to each step's recording time, so two runs store identical content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from mentoring_core import MentoringService, NotFound, RuleViolation
from mentoring_core.domain import session_meeting_id
from mentoring_core.state import RelationshipState
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    ProgrammePolicy,
    ProgressStatus,
    Rating,
    Role,
    StakeholderFeedback,
)

from ._session import Refused

DEMO_NAMESPACE = UUID("3c5a1d52-8f0e-4b7a-9a43-6d656e746f72")
"""Fixed namespace of every demo id (UUIDv5)."""

ORGANISATION = "Riverbend Community Care"
PROGRAMME_NAME = "Early Career Mentoring 2026"
COORDINATOR = "coord.rhea"
ADMINISTRATOR = "admin.ada"
"""Who creates the programme and appoints its coordinator (an administrator's decisions)."""
DEMO_END = datetime(2026, 5, 29, 18, 0, tzinfo=UTC)
"""The end of the story: no meeting, reflection or review is due after this."""
START = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)

MENTORS = {"amara": "14", "bruno": "9", "chloe": "11", "dev": "7", "elena": "18", "farid": "6"}
"""Mentors' person ids and years of experience."""
MENTEES = {
    "grace": "0.5",
    "hiro": "1",
    "isla": "2",
    "jonah": "0",
    "kiri": "1.5",
    "liam": "3",
    "maya": "0.5",
    "noah": "2.5",
    "olivia": "1",
    "priya": "4",
}
"""Mentees' person ids and years of experience."""
WAITING = ("quinn", "1", (FocusArea.WELLBEING, FocusArea.COMMUNICATION))
"""A mentee who joins in late May (person id, years, development needs) and is not
paired yet: the one ``mentoring match suggest`` ranks mentors for."""
WAITING_ENROLLED = datetime(2026, 5, 26, 9, 0, tzinfo=UTC)
EMAIL_DOMAIN = "riverbend.example"
"""Everyone's contact is ``person@riverbend.example`` (a reserved domain), so reminders
can be e-mailed to a local mail server."""
MINIMUM_GAP_YEARS = Decimal(3)
REVIEW_INTERVAL_DAYS = 42
MEETING_MINUTES = 60


def demo_id(name: str) -> UUID:
    """The demo's id for a named thing: the same in every run."""
    return uuid5(DEMO_NAMESPACE, name)


PROGRAMME_ID = demo_id("programme")


class DemoClock:
    """The service's clock during the demo: set forward to each step's recording time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


class DemoIds:
    """Event ids from a counter: the n-th id is the same in every run."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> UUID:
        self.count += 1
        return demo_id(f"event-{self.count}")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


# --- what each relationship went through ----------------------------------------------


@dataclass(frozen=True)
class GoalStory:
    key: str
    title: str
    focus: FocusArea
    measure: str
    target: date
    activity: str
    activity_due: date
    achieved: tuple[date, str] | None = None
    abandoned: tuple[date, str] | None = None
    revised: tuple[date, date, str] | None = None
    """(when, new target date, reason)."""
    reviews: tuple[ProgressStatus, ...] = (ProgressStatus.ON_TRACK, ProgressStatus.ON_TRACK)
    """The evaluator's judgement at the first and second progress review, while open."""

    @property
    def closed_on(self) -> date | None:
        outcome = self.achieved or self.abandoned
        return None if outcome is None else outcome[0]


@dataclass(frozen=True)
class PairStory:
    key: str
    mentor: str
    mentee: str
    opened: datetime
    first_meeting: datetime
    format: MeetingFormat
    goals: tuple[GoalStory, ...]
    milestone: tuple[str, date, date | None]
    """(description, target date, date reached or None)."""
    proposed: bool = False
    """Proposed and accepted by the mentee the next day, rather than formed directly."""
    missed: dict[date, tuple[str, str]] = field(default_factory=dict)
    cancelled: dict[date, tuple[str, str]] = field(default_factory=dict)
    group: dict[date, tuple[str, ...]] = field(default_factory=dict)
    """Days the meeting was a group session the mentor led, with the keys of the mentor's
    other relationships present (recorded once, on every relationship present)."""
    late_logged: frozenset[date] = frozenset()
    corrected: date | None = None
    """A held meeting first recorded as 15 minutes, corrected the next day."""
    schedule_change: tuple[date, MeetingFormat, str] | None = None
    paused: tuple[date, str, date] | None = None
    """(paused on, reason, resumed on)."""
    ended: tuple[datetime, EndReason, str] | None = None

    @property
    def relationship_id(self) -> UUID:
        return demo_id(f"relationship/{self.key}")

    @property
    def last_moment(self) -> datetime:
        return self.ended[0] if self.ended else DEMO_END

    def meeting_days(self) -> Iterator[date]:
        """The fortnightly meeting days before the relationship's end, except while paused."""
        day = self.first_meeting.date()
        while datetime.combine(day, self.first_meeting.time(), UTC) < self.last_moment:
            if not (self.paused and self.paused[0] <= day < self.paused[2]):
                yield day
            day += timedelta(days=14)


def _d(month: int, day: int) -> date:
    return date(2026, month, day)


FC = FocusArea
STORIES: tuple[PairStory, ...] = (
    PairStory(
        key="amara-grace",
        mentor="amara",
        mentee="grace",
        opened=_at(_d(2, 23), 9),
        first_meeting=_at(_d(3, 2), 10),
        format=MeetingFormat.ONE_ON_ONE,
        goals=(
            GoalStory(
                "conference",
                "Chair a family case conference with confidence",
                FC.COMMUNICATION,
                "Chairs two family conferences; the team leader confirms clear, respectful "
                "facilitation",
                _d(5, 15),
                "Observe Amara chairing a family conference and debrief afterwards",
                _d(3, 20),
                achieved=(
                    _d(5, 11),
                    "Chaired the conferences of 22 April and 6 May; "
                    "team leader's feedback positive",
                ),
            ),
            GoalStory(
                "debrief",
                "Build a sustainable debrief routine after difficult visits",
                FC.WELLBEING,
                "Uses a structured debrief after every critical incident for eight weeks",
                _d(6, 30),
                "Draft a personal debrief checklist",
                _d(4, 10),
            ),
        ),
        milestone=("First family conference chaired", _d(4, 30), _d(4, 22)),
        missed={_d(4, 13): ("grace", "Called out to an urgent home visit for a client in crisis")},
        group={_d(4, 27): ("amara-hiro",)},
    ),
    PairStory(
        key="amara-hiro",
        mentor="amara",
        mentee="hiro",
        opened=_at(_d(2, 23), 9, 15),
        first_meeting=_at(_d(3, 3), 14),
        format=MeetingFormat.VIDEO,
        proposed=True,
        goals=(
            GoalStory(
                "certificate",
                "Complete the trauma-informed practice certificate",
                FC.PROFESSIONAL_DEVELOPMENT,
                "Certificate awarded",
                _d(5, 31),
                "Enrol in the trauma-informed practice course",
                _d(3, 13),
                achieved=(_d(5, 20), "Certificate awarded on 19 May"),
            ),
            GoalStory(
                "risk",
                "Write risk assessments that pass first review",
                FC.PROBLEM_SOLVING,
                "Three consecutive risk assessments approved without rework",
                _d(5, 31),
                "Review two exemplary risk assessments with Amara",
                _d(3, 27),
                achieved=(_d(5, 26), "Assessments of 28 April, 12 and 21 May approved first time"),
            ),
        ),
        milestone=("Course mid-point assessment passed", _d(4, 15), _d(4, 10)),
        cancelled={
            _d(4, 28): ("amara", "Hiro joined Grace's group session of 27 April instead"),
        },
        ended=(
            _at(_d(5, 29), 17),
            EndReason.COMPLETED,
            "Both goals achieved; Hiro finished the three-month plan and moves on to peer "
            "supervision",
        ),
    ),
    PairStory(
        key="bruno-isla",
        mentor="bruno",
        mentee="isla",
        opened=_at(_d(2, 24), 9),
        first_meeting=_at(_d(3, 4), 10),
        format=MeetingFormat.ONE_ON_ONE,
        goals=(
            GoalStory(
                "huddle",
                "Co-facilitate the weekly team huddle",
                FC.TEAMWORK,
                "Co-facilitates four huddles",
                _d(5, 29),
                "Prepare a huddle agenda with the team leader",
                _d(3, 25),
                achieved=(_d(5, 27), "Co-facilitated the huddles of 5, 12, 19 and 26 May"),
            ),
            GoalStory(
                "notes",
                "Complete case notes within 48 hours",
                FC.PERFORMANCE,
                "95% of case notes completed within 48 hours over a month",
                _d(4, 30),
                "Block 30 minutes at the end of each shift for notes",
                _d(3, 11),
                revised=(
                    _d(4, 29),
                    _d(5, 31),
                    "Three weeks of leave in April; target moved by a month",
                ),
                reviews=(ProgressStatus.AT_RISK, ProgressStatus.ON_TRACK),
            ),
        ),
        milestone=("First huddle co-facilitated", _d(5, 8), _d(5, 5)),
        paused=(_d(4, 6), "Isla on three weeks of annual leave", _d(4, 27)),
    ),
    PairStory(
        key="bruno-liam",
        mentor="bruno",
        mentee="liam",
        opened=_at(_d(2, 24), 9, 30),
        first_meeting=_at(_d(3, 5), 14),
        format=MeetingFormat.ONE_ON_ONE,
        goals=(
            GoalStory(
                "deescalation",
                "De-escalate conflicts at the youth drop-in without calling for backup",
                FC.PROBLEM_SOLVING,
                "Handles three escalations with the de-escalation model, reviewed in supervision",
                _d(6, 30),
                "Role-play the de-escalation model with Bruno",
                _d(3, 19),
                reviews=(ProgressStatus.AT_RISK, ProgressStatus.AT_RISK),
            ),
            GoalStory(
                "forum",
                "Present a case at the monthly practice forum",
                FC.COMMUNICATION,
                "Presents one case and answers peers' questions",
                _d(4, 30),
                "Draft the case presentation",
                _d(4, 16),
                achieved=(_d(4, 29), "Presented a complex youth case at the April forum"),
            ),
        ),
        milestone=("Case presentation drafted", _d(4, 17), _d(4, 16)),
        missed={_d(5, 14): ("bruno", "Double-booked with a case conference")},
    ),
    PairStory(
        key="chloe-jonah",
        mentor="chloe",
        mentee="jonah",
        opened=_at(_d(2, 25), 9),
        first_meeting=_at(_d(3, 2), 14),
        format=MeetingFormat.ONE_ON_ONE,
        goals=(
            GoalStory(
                "notes",
                "Write clear, person-centred case notes",
                FC.COMMUNICATION,
                "The team leader's audit finds no notes needing rework for a month",
                _d(5, 31),
                "Review three of Jonah's case notes together",
                _d(3, 20),
            ),
            GoalStory(
                "fatigue",
                "Manage night-shift fatigue",
                FC.WELLBEING,
                "A rest plan around night shifts, kept for a month",
                _d(5, 31),
                "Agree a rest plan around night shifts",
                _d(4, 3),
            ),
        ),
        milestone=("Case note audit passed", _d(5, 15), None),
        missed={_d(3, 30): ("jonah", "A shift swap was not passed on to Jonah")},
        ended=(
            _at(_d(4, 8), 9),
            EndReason.REMATCHED,
            "Chloe moved to the after-hours crisis team and her roster no longer overlaps "
            "with Jonah's shifts; Jonah re-matched with Elena",
        ),
    ),
    PairStory(
        key="elena-jonah",
        mentor="elena",
        mentee="jonah",
        opened=_at(_d(4, 9), 9),
        first_meeting=_at(_d(4, 13), 10),
        format=MeetingFormat.ONE_ON_ONE,
        goals=(
            GoalStory(
                "notes",
                "Write clear, person-centred case notes",
                FC.COMMUNICATION,
                "The team leader's audit finds no notes needing rework for a month",
                _d(5, 31),
                "Weekly case-note review with Elena",
                _d(5, 8),
                achieved=(_d(5, 25), "May audit: no notes needing rework"),
            ),
            GoalStory(
                "planreview",
                "Learn the disability support plan review process",
                FC.PROFESSIONAL_DEVELOPMENT,
                "Prepares two plan reviews that the coordinator signs off",
                _d(6, 30),
                "Shadow Elena at a plan review meeting",
                _d(5, 15),
            ),
        ),
        milestone=("Case note audit passed", _d(5, 29), _d(5, 22)),
    ),
    PairStory(
        key="chloe-maya",
        mentor="chloe",
        mentee="maya",
        opened=_at(_d(2, 26), 9),
        first_meeting=_at(_d(3, 3), 10),
        format=MeetingFormat.VIDEO,
        goals=(
            GoalStory(
                "trauma",
                "Recognise and report signs of vicarious trauma early",
                FC.WELLBEING,
                "Uses the wellbeing check-in each fortnight and raises concerns in supervision",
                _d(6, 30),
                "Complete the vicarious trauma e-learning",
                _d(3, 27),
            ),
            GoalStory(
                "visits",
                "Plan safe home visits independently",
                FC.PROBLEM_SOLVING,
                "Plans five home visits with complete risk checks",
                _d(5, 15),
                "Walk through the home-visit safety checklist with Chloe",
                _d(3, 17),
                achieved=(
                    _d(5, 12),
                    "Five visits planned independently in April and May, all checks complete",
                ),
            ),
        ),
        milestone=("First independent home-visit plan signed off", _d(4, 10), _d(4, 9)),
        cancelled={_d(4, 28): ("maya", "Mandatory manual-handling training day")},
    ),
    PairStory(
        key="dev-kiri",
        mentor="dev",
        mentee="kiri",
        opened=_at(_d(2, 26), 9, 30),
        first_meeting=_at(_d(3, 4), 14),
        format=MeetingFormat.ONE_ON_ONE,
        goals=(
            GoalStory(
                "huddle",
                "Lead the Tuesday team huddle",
                FC.TEAMWORK,
                "Leads four huddles",
                _d(5, 31),
                "Co-plan a huddle with Dev",
                _d(4, 24),
                abandoned=(
                    _d(4, 20),
                    "Teams merged; huddles are now led by the senior practitioner",
                ),
            ),
            GoalStory(
                "callbacks",
                "Bring missed client callbacks down to zero",
                FC.PERFORMANCE,
                "No missed callbacks for four consecutive weeks",
                _d(5, 31),
                "Set up a callback tracker",
                _d(3, 13),
                achieved=(_d(5, 27), "No missed callbacks since 27 April"),
            ),
        ),
        milestone=("Callback tracker in use", _d(3, 20), _d(3, 18)),
        cancelled={_d(4, 1): ("dev", "Dev on sick leave")},
    ),
    PairStory(
        key="dev-noah",
        mentor="dev",
        mentee="noah",
        opened=_at(_d(2, 26), 10),
        first_meeting=_at(_d(3, 5), 10),
        format=MeetingFormat.ONE_ON_ONE,
        goals=(
            GoalStory(
                "senior",
                "Prepare an application for senior support worker",
                FC.PROFESSIONAL_DEVELOPMENT,
                "Application submitted with Dev's reference",
                _d(6, 30),
                "Map experience against the senior role's criteria",
                _d(4, 17),
            ),
            GoalStory(
                "sbar",
                "Give structured handovers using SBAR",
                FC.COMMUNICATION,
                "The team leader observes three SBAR handovers",
                _d(4, 30),
                "Practise SBAR handovers in role-play",
                _d(3, 19),
                achieved=(_d(4, 28), "Three SBAR handovers observed in April"),
            ),
        ),
        milestone=("Criteria mapping reviewed with Dev", _d(5, 1), _d(4, 30)),
        corrected=_d(3, 19),
        schedule_change=(_d(4, 16), MeetingFormat.VIDEO, "Noah moved to the regional office"),
    ),
    PairStory(
        key="elena-priya",
        mentor="elena",
        mentee="priya",
        opened=_at(_d(2, 23), 11, 30),
        first_meeting=_at(_d(3, 6), 10),
        format=MeetingFormat.VIDEO,
        goals=(
            GoalStory(
                "supervisor",
                "Get ready to supervise a student on placement",
                FC.PROFESSIONAL_DEVELOPMENT,
                "Completes supervisor training and co-supervises one student",
                _d(6, 30),
                "Complete the student supervisor training",
                _d(4, 24),
            ),
            GoalStory(
                "formulation",
                "Bring complex cases to supervision prepared",
                FC.PERFORMANCE,
                "Uses the case-formulation template for every complex case",
                _d(4, 30),
                "Adopt the case-formulation template",
                _d(3, 20),
                achieved=(_d(4, 17), "Template used for all six complex cases since March"),
            ),
        ),
        milestone=("Supervisor training completed", _d(5, 15), _d(5, 14)),
    ),
    PairStory(
        key="farid-olivia",
        mentor="farid",
        mentee="olivia",
        opened=_at(_d(2, 25), 10),
        first_meeting=_at(_d(3, 6), 14),
        format=MeetingFormat.ONE_ON_ONE,
        proposed=True,
        goals=(
            GoalStory(
                "limits",
                "Hold difficult conversations with families about care limits",
                FC.COMMUNICATION,
                "Leads three such conversations, Farid observing one",
                _d(6, 30),
                "Role-play a care-limits conversation",
                _d(3, 20),
                reviews=(ProgressStatus.AT_RISK, ProgressStatus.ON_TRACK),
            ),
            GoalStory(
                "casereview",
                "Contribute a case to the weekly case review",
                FC.TEAMWORK,
                "Presents at two case reviews",
                _d(5, 31),
                "Choose a case with the team leader",
                _d(4, 3),
                achieved=(_d(5, 15), "Presented at the case reviews of 28 April and 12 May"),
            ),
        ),
        milestone=("First care-limits conversation led", _d(5, 15), _d(5, 13)),
        late_logged=frozenset({_d(4, 3)}),
    ),
)

REFUSED = ("farid", "priya", _at(_d(2, 23), 11))
"""A pairing the experience-gap rule refuses: Farid (6 years) and Priya (4 years)."""
DECLINED = (
    "bruno",
    "maya",
    _at(_d(2, 24), 10),
    _at(_d(2, 25), 16),
    "Bruno works the night roster and Maya works days; their shifts never overlap",
)

TOPICS = (
    ("Introductions and expectations", "Goals for the next three months"),
    ("How the first fortnight went", "Caseload and priorities"),
    ("Reflective practice: a difficult visit", "Professional boundaries"),
    ("Progress on the goals", "Workload and saying no"),
    ("Feedback from the team leader", "Self-care after hard weeks"),
    ("Preparing for the progress review", "Next steps"),
    ("Looking back over three months", "Plans after the programme"),
)
DURATIONS = (60, 55, 60, 50, 60, 45, 60)
RECOGNITION = (
    "You kept the conversation calm and centred on the client's own goals. Well done.",
    "Your case notes this fortnight were clear, specific and on time.",
    "You asked for help early, exactly as we agreed. That is good practice.",
)
CONSTRUCTIVE = (
    "Next time, summarise the agreed actions before the family leaves the room.",
    "Try structuring your handover with SBAR so the evening shift gets the key risk first.",
    "Block time for notes straight after visits rather than at the end of the day.",
)
REFLECTIONS = (
    "Still finding my feet. Talking things through with {mentor} helps me slow down before "
    "difficult visits.",
    "I plan my week better now. The hardest part is still: {goal}.",
    "Looking back, I feel more confident. I want to keep working on: {goal}.",
)
STAKEHOLDERS = (
    ("team leader", "Noticeably more confident on the phone with families."),
    ("team leader", "Case notes are timely and clear."),
    ("senior practitioner", "Still needs support with escalations on busy evenings."),
    ("colleague", "A reliable, calm presence on shift."),
)
REFLECTION_DAYS = (_d(3, 31), _d(4, 30), _d(5, 29))


# --- the script: steps at fixed moments -------------------------------------------------

Action = Callable[[MentoringService, str, datetime], object]


@dataclass(frozen=True)
class Step:
    """One thing someone recorded: when it happened, how long before it was recorded."""

    occurred_at: datetime
    delay: timedelta
    actor: str
    label: str
    action: Action

    @property
    def recorded_at(self) -> datetime:
        return self.occurred_at + self.delay


@dataclass(frozen=True)
class RefusedPairing:
    mentor: str
    mentee: str
    rule: str
    message: str


@dataclass
class Script:
    steps: list[Step] = field(default_factory=list)
    refused: list[RefusedPairing] = field(default_factory=list)

    def add(
        self, occurred_at: datetime, actor: str, label: str, action: Action, delay_minutes: int = 5
    ) -> None:
        self.steps.append(Step(occurred_at, timedelta(minutes=delay_minutes), actor, label, action))

    def ordered(self) -> list[Step]:
        """The steps in the order they were recorded (ties keep the order they were added)."""
        return sorted(self.steps, key=lambda s: s.recorded_at)


def build_script() -> Script:
    """Every step of the demo, in the order it is recorded."""
    script = Script()
    _programme(script)
    for story in STORIES:
        _pairing(script, story)
        _relationship(script, story)
    return script


def _created(script: Script, day: date) -> None:
    """The programme created, and its coordinator appointed, by an administrator."""
    script.add(
        _at(day, 9),
        ADMINISTRATOR,
        "programme created",
        lambda s, a, t: s.create_programme(
            PROGRAMME_NAME, ORGANISATION, actor=a, programme_id=PROGRAMME_ID, occurred_at=t
        ),
    )
    script.add(
        _at(day, 9, 15),
        ADMINISTRATOR,
        "coordinator appointed",
        lambda s, a, t: s.appoint_coordinator(PROGRAMME_ID, COORDINATOR, actor=a, occurred_at=t),
    )


def _programme(script: Script) -> None:
    day = START.date()
    _created(script, day)
    policy = ProgrammePolicy(
        cadence=(CadenceTier(cadence=Cadence.fortnightly()),),
        minimum_meeting_minutes=45,
        participation=Participation.COMPULSORY,
        minimum_experience_gap_years=MINIMUM_GAP_YEARS,
        review_interval_days=REVIEW_INTERVAL_DAYS,
    )
    script.add(
        _at(day, 9, 30),
        COORDINATOR,
        "policy set",
        lambda s, a, t: s.set_policy(PROGRAMME_ID, policy, actor=a, occurred_at=t),
    )
    people = [(p, Role.MENTOR, y, 3) for p, y in MENTORS.items()]
    people += [(p, Role.MENTEE, y, 4) for p, y in MENTEES.items()]
    for i, (person, role, years, on) in enumerate(people):
        _enrolment(script, _at(_d(2, on), 9) + timedelta(minutes=10 * i), person, role, years)
    waiting, years, needs = WAITING
    _enrolment(script, WAITING_ENROLLED, waiting, Role.MENTEE, years, needs)

    mentor, mentee, when = REFUSED

    def refused(service: MentoringService, actor: str, moment: datetime) -> None:
        try:
            service.form_pair(PROGRAMME_ID, mentor, mentee, actor=actor, occurred_at=moment)
        except RuleViolation as refusal:
            script.refused.append(RefusedPairing(mentor, mentee, str(refusal.rule), str(refusal)))
        else:  # pragma: no cover - the policy guarantees the refusal
            raise AssertionError("the demo's refused pairing was accepted")

    script.add(when, COORDINATOR, f"{mentor} and {mentee} refused", refused)

    d_mentor, d_mentee, proposed_at, declined_at, why = DECLINED
    declined_id = demo_id(f"relationship/{d_mentor}-{d_mentee}")
    script.add(
        proposed_at,
        COORDINATOR,
        f"{d_mentor} proposed to {d_mentee}",
        lambda s, a, t: s.propose_pairing(
            PROGRAMME_ID, d_mentor, d_mentee, actor=a, relationship_id=declined_id, occurred_at=t
        ),
    )
    script.add(
        declined_at,
        d_mentee,
        f"{d_mentee} declined {d_mentor}",
        lambda s, a, t: s.decline_pairing(
            declined_id, d_mentee, DeclineReason.SCHEDULE_CONFLICT, why, actor=a, occurred_at=t
        ),
    )


def _enrolment(
    script: Script,
    moment: datetime,
    person: str,
    role: Role,
    years: str,
    needs: tuple[FocusArea, ...] = (),
) -> None:
    """Enrol ``person`` with a name, an e-mail contact and, for a mentor, as expertise the
    focus areas of the goals they mentor."""
    expertise = tuple(
        dict.fromkeys(g.focus for story in STORIES if story.mentor == person for g in story.goals)
    )
    script.add(
        moment,
        COORDINATOR,
        f"{person} enrolled",
        lambda s, a, t: s.enrol(
            PROGRAMME_ID,
            person,
            role,
            years,
            display_name=person.capitalize(),
            contact=f"{person}@{EMAIL_DOMAIN}",
            expertise=expertise,
            development_needs=needs,
            actor=a,
            occurred_at=t,
        ),
    )


def _pairing(script: Script, story: PairStory) -> None:
    rid = story.relationship_id
    if story.proposed:
        script.add(
            story.opened,
            COORDINATOR,
            f"{story.key} proposed",
            lambda s, a, t: s.propose_pairing(
                PROGRAMME_ID,
                story.mentor,
                story.mentee,
                actor=a,
                relationship_id=rid,
                occurred_at=t,
            ),
        )
        script.add(
            story.opened + timedelta(days=1),
            story.mentee,
            f"{story.key} accepted",
            lambda s, a, t: s.accept_pairing(rid, story.mentee, actor=a, occurred_at=t),
        )
    else:
        script.add(
            story.opened,
            COORDINATOR,
            f"{story.key} formed",
            lambda s, a, t: s.form_pair(
                PROGRAMME_ID,
                story.mentor,
                story.mentee,
                actor=a,
                relationship_id=rid,
                occurred_at=t,
            ),
        )


def _goal_id(story: PairStory, goal: GoalStory) -> UUID:
    return demo_id(f"{story.key}/goal/{goal.key}")


def _relationship(script: Script, story: PairStory) -> None:
    kickoff = story.first_meeting + timedelta(minutes=60)
    _ground_rules(script, story, kickoff)
    for goal in story.goals:
        _goal(script, story, goal, kickoff)
    _milestone(script, story, kickoff)
    _meetings(script, story)
    _reflections(script, story)
    _evaluations(script, story)
    _life_cycle(script, story)


def _ground_rules(script: Script, story: PairStory, kickoff: datetime) -> None:
    """The expectations and the meeting schedule the pair agree at their first meeting."""
    rid = story.relationship_id
    mentor, mentee = story.mentor, story.mentee
    expectations = (
        f"Meet fortnightly for {MEETING_MINUTES} minutes in working hours",
        f"{mentee} brings one real case to each meeting",
        f"{mentor} answers urgent questions by phone within a working day",
        "What we discuss stays between us unless someone's safety is at risk",
    )
    script.add(
        kickoff,
        mentor,
        f"{story.key} expectations",
        lambda s, a, t: s.agree_expectations(rid, expectations, actor=a, occurred_at=t),
        135,
    )
    schedule = MeetingSchedule(
        cadence=Cadence.fortnightly(), duration_minutes=MEETING_MINUTES, format=story.format
    )
    script.add(
        kickoff,
        mentor,
        f"{story.key} schedule",
        lambda s, a, t: s.agree_schedule(rid, schedule, actor=a, occurred_at=t),
        135,
    )


def _milestone(script: Script, story: PairStory, kickoff: datetime) -> None:
    """The pair's milestone, set at the first meeting, and reached if it ever is."""
    rid = story.relationship_id
    mentor, mentee = story.mentor, story.mentee
    description, target, reached = story.milestone
    milestone_id = demo_id(f"{story.key}/milestone")
    script.add(
        kickoff,
        mentor,
        f"{story.key} milestone",
        lambda s, a, t: s.set_milestone(
            rid,
            description,
            target,
            goal_id=_goal_id(story, story.goals[0]),
            milestone_id=milestone_id,
            actor=a,
            occurred_at=t,
        ),
        140,
    )
    if reached is not None:
        script.add(
            _at(reached, 16, 30),
            mentee,
            f"{story.key} milestone reached",
            lambda s, a, t: s.reach_milestone(
                rid,
                milestone_id,
                f"Reached on {reached.isoformat()}; discussed with {mentor}",
                actor=a,
                occurred_at=t,
            ),
            10,
        )


def _goal(script: Script, story: PairStory, goal: GoalStory, kickoff: datetime) -> None:
    _goal_set(script, story, goal, kickoff)
    _plan_activity(script, story, goal, kickoff)
    if goal.revised is not None:
        _goal_revised(script, story, goal, goal.revised)
    if goal.achieved is not None:
        _goal_achieved(script, story, goal, goal.achieved)
    if goal.abandoned is not None:
        _goal_abandoned(script, story, goal, goal.abandoned)


def _goal_set(script: Script, story: PairStory, goal: GoalStory, kickoff: datetime) -> None:
    rid = story.relationship_id
    goal_id = _goal_id(story, goal)
    script.add(
        kickoff,
        story.mentor,
        f"{story.key} goal {goal.key}",
        lambda s, a, t: s.set_goal(
            rid,
            goal.title,
            goal.focus,
            goal.measure,
            goal.target,
            goal_id=goal_id,
            actor=a,
            occurred_at=t,
        ),
        135,
    )


def _plan_activity(script: Script, story: PairStory, goal: GoalStory, kickoff: datetime) -> None:
    """The goal's plan activity, added at the first meeting, and done when it falls due
    (unless the story ends first or the goal was abandoned before then)."""
    rid = story.relationship_id
    goal_id = _goal_id(story, goal)
    activity_id = demo_id(f"{story.key}/activity/{goal.key}")
    script.add(
        kickoff,
        story.mentor,
        f"{story.key} plan {goal.key}",
        lambda s, a, t: s.add_plan_activity(
            rid,
            goal.activity,
            goal.activity_due,
            goal_id=goal_id,
            activity_id=activity_id,
            actor=a,
            occurred_at=t,
        ),
        140,
    )
    due = _at(goal.activity_due, 16)
    if due < story.last_moment and (
        goal.abandoned is None or goal.activity_due < goal.abandoned[0]
    ):
        script.add(
            due,
            story.mentee,
            f"{story.key} plan {goal.key} done",
            lambda s, a, t: s.complete_plan_activity(
                rid, activity_id, f"Done: {goal.activity.lower()}", actor=a, occurred_at=t
            ),
            10,
        )


def _goal_revised(
    script: Script, story: PairStory, goal: GoalStory, revised: tuple[date, date, str]
) -> None:
    rid, goal_id = story.relationship_id, _goal_id(story, goal)
    on, new_target, reason = revised
    script.add(
        _at(on, 15),
        story.mentor,
        f"{story.key} goal {goal.key} revised",
        lambda s, a, t: s.revise_goal(
            rid, goal_id, reason, target_date=new_target, actor=a, occurred_at=t
        ),
        10,
    )


def _goal_achieved(
    script: Script, story: PairStory, goal: GoalStory, achieved: tuple[date, str]
) -> None:
    rid, goal_id = story.relationship_id, _goal_id(story, goal)
    on, evidence = achieved
    script.add(
        _at(on, 16, 45),
        story.mentor,
        f"{story.key} goal {goal.key} achieved",
        lambda s, a, t: s.achieve_goal(rid, goal_id, evidence, actor=a, occurred_at=t),
        10,
    )


def _goal_abandoned(
    script: Script, story: PairStory, goal: GoalStory, abandoned: tuple[date, str]
) -> None:
    rid, goal_id = story.relationship_id, _goal_id(story, goal)
    on, reason = abandoned
    script.add(
        _at(on, 16, 45),
        story.mentor,
        f"{story.key} goal {goal.key} abandoned",
        lambda s, a, t: s.abandon_goal(rid, goal_id, reason, actor=a, occurred_at=t),
        10,
    )


def _meetings(script: Script, story: PairStory) -> None:
    held = 0
    for index, day in enumerate(story.meeting_days()):
        moment = datetime.combine(day, story.first_meeting.time(), tzinfo=UTC)
        meeting_id = demo_id(f"{story.key}/meeting/{day.isoformat()}")
        if day in story.missed:
            by, reason = story.missed[day]
            _missed(script, story, moment, meeting_id, by, reason)
        elif day in story.cancelled:
            by, reason = story.cancelled[day]
            _cancelled(script, story, moment, meeting_id, by, reason)
        else:
            if day in story.group:
                session = demo_id(f"{story.key}/session/{day.isoformat()}")
                meeting_id = session_meeting_id(session, story.relationship_id)
                delay = _group_session(script, story, index, moment, session)
            else:
                delay = _held(script, story, index, moment, meeting_id)
            if held % 2 == 1:
                _feedback(script, story, held, moment, delay + 60, meeting_id)
            held += 1


def _missed(
    script: Script, story: PairStory, moment: datetime, meeting_id: UUID, by: str, reason: str
) -> None:
    script.add(
        moment,
        story.mentor,
        f"{story.key} meeting missed {moment.date()}",
        lambda s, a, t: s.record_meeting_missed(
            story.relationship_id, by, reason, meeting_id=meeting_id, actor=a, occurred_at=t
        ),
        240,
    )


def _cancelled(
    script: Script, story: PairStory, moment: datetime, meeting_id: UUID, by: str, reason: str
) -> None:
    script.add(
        moment,
        story.mentor,
        f"{story.key} meeting cancelled {moment.date()}",
        lambda s, a, t: s.record_meeting_cancelled(
            story.relationship_id, by, reason, meeting_id=meeting_id, actor=a, occurred_at=t
        ),
        60,
    )


def _group_session(
    script: Script, story: PairStory, index: int, moment: datetime, session: UUID
) -> int:
    """Record a group session once, on this relationship and the others present; the minutes
    until it was logged."""
    present = [
        story.relationship_id,
        *(demo_id(f"relationship/{k}") for k in story.group[moment.date()]),
    ]
    topics = TOPICS[index % len(TOPICS)]
    script.add(
        moment,
        story.mentor,
        f"{story.key} group session {moment.date()}",
        lambda s, a, t: s.record_group_session(
            PROGRAMME_ID,
            story.mentor,
            present,
            90,
            topics,
            session_id=session,
            actor=a,
            occurred_at=t,
        ),
        120,
    )
    return 120


def _held(script: Script, story: PairStory, index: int, moment: datetime, meeting_id: UUID) -> int:
    """Record a held meeting (and its correction, if any); the minutes until it was logged."""
    rid = story.relationship_id
    day = moment.date()
    delay = 3 * 24 * 60 if day in story.late_logged else 120
    meeting_format = story.format
    if story.schedule_change and day >= story.schedule_change[0]:
        meeting_format = story.schedule_change[1]
    duration = DURATIONS[index % len(DURATIONS)]
    typed = 15 if day == story.corrected else duration
    topics = TOPICS[index % len(TOPICS)]
    script.add(
        moment,
        story.mentor,
        f"{story.key} meeting held {day}",
        lambda s, a, t: s.record_meeting_held(
            rid,
            typed,
            meeting_format,
            topics,
            meeting_id=meeting_id,
            actor=a,
            occurred_at=t,
        ),
        delay,
    )
    if day == story.corrected:
        script.add(
            _at(day + timedelta(days=1), 9),
            story.mentor,
            f"{story.key} meeting corrected {day}",
            lambda s, a, t: s.correct_meeting_record(
                rid,
                meeting_id,
                f"Duration typed as {typed} instead of {duration} minutes",
                duration_minutes=duration,
                actor=a,
                occurred_at=t,
            ),
        )
    return delay


def _feedback(
    script: Script, story: PairStory, held: int, moment: datetime, delay: int, meeting_id: UUID
) -> None:
    rid = story.relationship_id
    goal = story.goals[(held // 2) % len(story.goals)]
    goal_id = _goal_id(story, goal)
    closed = goal.closed_on
    about_goal = goal_id if closed is None or moment.date() <= closed else None
    after = moment + timedelta(minutes=70)
    if held == 3:
        script.add(
            after,
            story.mentee,
            f"{story.key} feedback to mentor",
            lambda s, a, t: s.give_feedback(
                rid,
                story.mentee,
                story.mentor,
                FeedbackKind.RECOGNITION,
                f"Thank you, {story.mentor}: walking through a real case together made it "
                "finally make sense.",
                about_meeting_id=meeting_id,
                feedback_id=demo_id(f"{story.key}/feedback/{held}m"),
                actor=a,
                occurred_at=t,
            ),
            delay,
        )
    kind = FeedbackKind.RECOGNITION if (held // 2) % 2 == 0 else FeedbackKind.CONSTRUCTIVE
    pool = RECOGNITION if kind is FeedbackKind.RECOGNITION else CONSTRUCTIVE
    text = pool[(held // 2) % len(pool)]
    script.add(
        after,
        story.mentor,
        f"{story.key} feedback {held}",
        lambda s, a, t: s.give_feedback(
            rid,
            story.mentor,
            story.mentee,
            kind,
            text,
            about_goal_id=about_goal,
            about_meeting_id=meeting_id,
            feedback_id=demo_id(f"{story.key}/feedback/{held}"),
            actor=a,
            occurred_at=t,
        ),
        delay,
    )


def _reflections(script: Script, story: PairStory) -> None:
    for month, day in enumerate(REFLECTION_DAYS):
        moment = _at(day, 16)
        if story.first_meeting < moment < story.last_moment:
            _reflection(script, story, month, moment)


def _reflection(script: Script, story: PairStory, month: int, moment: datetime) -> None:
    """The mentee's monthly self-assessment: scores in the goals' areas, rising over time."""
    ratings = [Rating(focus_area=g.focus, score=min(5, 2 + month)) for g in story.goals]
    if FocusArea.WELLBEING not in {r.focus_area for r in ratings}:
        ratings.append(Rating(focus_area=FocusArea.WELLBEING, score=3 + month // 2))
    goal = story.goals[month % len(story.goals)]
    text = REFLECTIONS[month].format(mentor=story.mentor, goal=goal.title.lower())
    reflection_id = demo_id(f"{story.key}/reflection/{moment.date()}")
    script.add(
        moment,
        story.mentee,
        f"{story.key} reflection {moment.date()}",
        lambda s, a, t: s.record_reflection(
            story.relationship_id,
            ratings,
            text,
            reflection_id=reflection_id,
            actor=a,
            occurred_at=t,
        ),
    )


def _evaluations(script: Script, story: PairStory) -> None:
    for review in (1, 2):
        day = story.first_meeting.date() + timedelta(days=REVIEW_INTERVAL_DAYS * review)
        if _at(day, 15) < story.last_moment:
            _evaluation(script, story, review, day)


def _evaluation(script: Script, story: PairStory, review: int, day: date) -> None:
    """The coordinator's progress review: each goal still open, and a stakeholder's view."""
    progress = tuple(
        GoalProgress(goal_id=_goal_id(story, g), status=g.reviews[review - 1])
        for g in story.goals
        if g.closed_on is None or g.closed_on > day
    )
    held = sum(1 for d in story.meeting_days() if d < day and _was_held(story, d))
    evidence = (
        f"{REVIEW_INTERVAL_DAYS * review // 7}-week review with {story.mentor} and "
        f"{story.mentee}: goals checked against their success measures; {held} meetings "
        "held so far."
    )
    source, said = STAKEHOLDERS[(review + len(story.key)) % len(STAKEHOLDERS)]
    stakeholders = (StakeholderFeedback(source=source, text=said),)
    evaluation_id = demo_id(f"{story.key}/evaluation/{review}")
    script.add(
        _at(day, 15),
        COORDINATOR,
        f"{story.key} review {review}",
        lambda s, a, t: s.evaluate_progress(
            story.relationship_id,
            progress,
            evidence,
            stakeholder_feedback=stakeholders,
            evaluation_id=evaluation_id,
            actor=a,
            occurred_at=t,
        ),
        10,
    )


def _was_held(story: PairStory, day: date) -> bool:
    return day not in story.missed and day not in story.cancelled


def _life_cycle(script: Script, story: PairStory) -> None:
    rid = story.relationship_id
    if story.schedule_change is not None:
        on, meeting_format, reason = story.schedule_change
        schedule = MeetingSchedule(
            cadence=Cadence.fortnightly(), duration_minutes=MEETING_MINUTES, format=meeting_format
        )
        script.add(
            _at(on, 8),
            story.mentor,
            f"{story.key} schedule changed",
            lambda s, a, t: s.change_schedule(rid, schedule, reason, actor=a, occurred_at=t),
        )
    if story.paused is not None:
        paused_on, reason, resumed_on = story.paused
        script.add(
            _at(paused_on, 9),
            COORDINATOR,
            f"{story.key} paused",
            lambda s, a, t: s.pause(rid, reason, actor=a, occurred_at=t),
        )
        script.add(
            _at(resumed_on, 9),
            COORDINATOR,
            f"{story.key} resumed",
            lambda s, a, t: s.resume(rid, actor=a, occurred_at=t),
        )
    if story.ended is not None:
        moment, end_reason, explanation = story.ended
        script.add(
            moment,
            COORDINATOR,
            f"{story.key} ended",
            lambda s, a, t: s.end(rid, end_reason, explanation, actor=a, occurred_at=t),
        )


# --- running it --------------------------------------------------------------------------


class DemoAlreadySeeded(Refused):
    """The store already holds the demo programme; nothing was recorded."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"the store {url} already holds the demo programme {PROGRAMME_ID}; nothing was "
            "recorded (the demo is seeded once per store: use another --store, or delete the "
            "store to start over)"
        )


EVENTS = 333
"""How many events the whole demo records (its programme's and its relationships')."""


class DemoIncomplete(Refused):
    """The store holds part of the demo (a demo cut off in a store that was there before
    it, which the demo cannot delete); nothing was recorded."""

    def __init__(self, url: str, events: int) -> None:
        super().__init__(
            f"the store {url} holds an incomplete demo ({events} of {EVENTS} events): "
            "use another --store or delete it"
        )


def refuse_a_seeded_store(service: MentoringService, url: str) -> None:
    """Refuse the store ``url`` if it holds the demo programme, whole or in part."""
    try:
        programme = service.programme(PROGRAMME_ID)
    except NotFound:
        return
    events = programme.version + sum(s.version for s in relationship_states(service))
    if events < EVENTS:
        raise DemoIncomplete(url, events)
    raise DemoAlreadySeeded(url)


def run(
    service: MentoringService,
    clock: DemoClock,
    script: Script,
    on_step: Callable[[Step], None] = lambda step: None,
) -> None:
    """Record every step of ``script`` with ``service`` (whose clock is ``clock``)."""
    for step in script.ordered():
        clock.advance_to(step.recorded_at)
        step.action(service, step.actor, step.occurred_at)
        on_step(step)


def demo_options() -> tuple[DemoClock, dict[str, Any]]:
    """The demo's clock, and the service's options that give it the demo's clock and ids
    (the same in every run)."""
    clock = DemoClock(START)
    return clock, {"clock": clock, "new_id": DemoIds()}


def relationship_states(service: MentoringService) -> tuple[RelationshipState, ...]:
    return service.relationships(PROGRAMME_ID)
