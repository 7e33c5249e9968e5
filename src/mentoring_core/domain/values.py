"""Value objects and enumerations of the mentoring domain.

All are immutable; enumerations are string enums so that their stored form
is their readable name.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from uuid import UUID

import attrs

from .personal import RELATIONSHIP_MENTEE, PersonalData, personal


class Role(enum.StrEnum):
    """The part a participant plays in a programme."""

    MENTOR = "mentor"
    MENTEE = "mentee"


class ReminderReason(enum.StrEnum):
    """Why someone is reminded (``docs/cli.md``, "Reminders")."""

    DUE_SOON = "due soon"
    """Something is due within the reminder window."""
    OVERDUE = "overdue"
    """Something was due and is not done."""
    QUIET = "quiet"
    """No meeting has been held in the relationship for the quiet period."""


class Participation(enum.StrEnum):
    """Whether taking part in the programme is required of its workers."""

    COMPULSORY = "compulsory"
    VOLUNTARY = "voluntary"


class FocusArea(enum.StrEnum):
    """What a goal (or a self-assessment rating) is about."""

    COMMUNICATION = "communication"
    PROBLEM_SOLVING = "problem_solving"
    TEAMWORK = "teamwork"
    PROFESSIONAL_DEVELOPMENT = "professional_development"
    PERFORMANCE = "performance"
    WELLBEING = "wellbeing"
    OTHER = "other"


class CadenceKind(enum.StrEnum):
    """How often meetings are expected."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    EVERY_N_DAYS = "every_n_days"


class MeetingFormat(enum.StrEnum):
    """How a meeting took place."""

    ONE_ON_ONE = "one_on_one"
    GROUP = "group"
    PHONE = "phone"
    VIDEO = "video"


class RecognitionKind(enum.StrEnum):
    """How a mentor's time was recognised."""

    ALLOWANCE = "allowance"
    TIME_IN_LIEU = "time_in_lieu"
    CERTIFICATE = "certificate"
    OTHER = "other"


class MeetingOutcome(enum.StrEnum):
    """What became of a planned meeting."""

    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"


class FeedbackKind(enum.StrEnum):
    """Whether feedback points at something to improve or recognises something done well."""

    CONSTRUCTIVE = "constructive"
    RECOGNITION = "recognition"


class ProgressStatus(enum.StrEnum):
    """An evaluator's judgement of one goal at a progress review."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


class GoalStatus(enum.StrEnum):
    """Where a goal stands."""

    OPEN = "open"
    ACHIEVED = "achieved"
    ABANDONED = "abandoned"


class DeclineReason(enum.StrEnum):
    """Why a proposed pairing was declined."""

    SCHEDULE_CONFLICT = "schedule_conflict"
    EXPERIENCE_MISMATCH = "experience_mismatch"
    PERSONAL_CONFLICT = "personal_conflict"
    MENTOR_CAPACITY = "mentor_capacity"
    NOT_NEEDED = "not_needed"
    OTHER = "other"


class EndReason(enum.StrEnum):
    """How a relationship ended."""

    COMPLETED = "completed"
    COMPLETED_EARLY = "completed_early"
    WITHDRAWN_BY_MENTEE = "withdrawn_by_mentee"
    WITHDRAWN_BY_MENTOR = "withdrawn_by_mentor"
    CANCELLED_BY_PROGRAMME = "cancelled_by_programme"
    REMATCHED = "rematched"
    LEFT_ORGANISATION = "left_organisation"
    """The mentor or the mentee left the organisation (not only the programme)."""


class RelationshipStatus(enum.StrEnum):
    """The life-cycle stage of a relationship."""

    NEW = "new"
    PROPOSED = "proposed"
    DECLINED = "declined"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


@attrs.frozen(kw_only=True)
class Cadence:
    """A meeting frequency: weekly, fortnightly, monthly or every ``every_days`` days."""

    kind: CadenceKind
    """Weekly, fortnightly, monthly or every N days."""
    every_days: int | None = None
    """Only for ``EVERY_N_DAYS``: the number of days between meetings."""

    @classmethod
    def weekly(cls) -> Cadence:
        return cls(kind=CadenceKind.WEEKLY)

    @classmethod
    def fortnightly(cls) -> Cadence:
        return cls(kind=CadenceKind.FORTNIGHTLY)

    @classmethod
    def monthly(cls) -> Cadence:
        return cls(kind=CadenceKind.MONTHLY)

    @classmethod
    def every(cls, days: int) -> Cadence:
        return cls(kind=CadenceKind.EVERY_N_DAYS, every_days=days)

    def describe(self) -> str:
        if self.kind is CadenceKind.EVERY_N_DAYS:
            return f"every {self.every_days} days"
        return str(self.kind)


@attrs.frozen(kw_only=True)
class CadenceTier:
    """The cadence in force while a relationship is younger than ``until_age_days``.

    The last tier of a policy has ``until_age_days=None``: it applies from the
    end of the previous tier onwards.
    """

    cadence: Cadence
    """The cadence in force for this tier."""
    until_age_days: int | None = None
    """The tier applies while the relationship is younger than this many days; None: from
    the end of the previous tier onwards."""

    def describe(self) -> str:
        """The tier in words: ``weekly until day 28``, or its cadence alone for the last."""
        end = "" if self.until_age_days is None else f" until day {self.until_age_days}"
        return self.cadence.describe() + end


MAX_RETENTION_YEARS = 100
"""The longest retention period a policy or the retention command takes, in years."""


@attrs.frozen(kw_only=True)
class ProgrammePolicy:
    """What a programme expects of its relationships."""

    cadence: tuple[CadenceTier, ...]
    """Meeting cadence by the relationship's age in days, youngest tier first."""
    minimum_meeting_minutes: int
    """Meetings shorter than this count as held but are flagged in reports."""
    participation: Participation
    """Whether workers must take part."""
    minimum_experience_gap_years: Decimal
    """How many more years of experience a mentor must have than their mentee."""
    review_interval_days: int
    """How often progress must be evaluated."""
    max_mentees_per_mentor: int | None = None
    """How many open relationships (proposed, active or paused) a mentor may carry at once;
    None (the default, and policies recorded before the limit existed): no limit."""
    max_active_mentors_per_mentee: int | None = 1
    """How many open relationships (proposed, active or paused) a mentee may have at once
    (default 1); None (policies recorded before the limit existed): no limit."""
    retain_personal_data_years: int | None = None
    """How many whole years (1 to 100) a person's personal data is kept after their last
    role in the programme ended (a relationship ended, they withdrew, or they were relieved
    as a coordinator), before it is due for erasure;
    None (the default, and policies recorded before the field existed): no period, so no
    one of the programme is due (see docs/privacy.md, Retention)."""

    def cadence_at_age(self, age_days: int) -> Cadence:
        """The cadence in force for a relationship ``age_days`` days after it formed."""
        for tier in self.cadence:
            if tier.until_age_days is None or age_days < tier.until_age_days:
                return tier.cadence
        return self.cadence[-1].cadence


@attrs.frozen(kw_only=True)
class MeetingSchedule:
    """The meeting rhythm a mentor and mentee agreed on."""

    cadence: Cadence
    """How often the pair meets."""
    duration_minutes: int
    """How long a meeting is planned to last."""
    format: MeetingFormat
    """How the pair usually meets."""
    in_working_hours: bool = True
    """Whether meetings are held in paid working hours."""


@attrs.frozen(kw_only=True)
class Rating:
    """A mentee's self-assessment score (1 to 5) in one focus area."""

    focus_area: FocusArea
    """What is rated."""
    score: int
    """From 1 (needs much support) to 5 (confident and independent)."""


@attrs.frozen(kw_only=True)
class GoalProgress:
    """An evaluator's judgement of one goal."""

    goal_id: UUID
    """The goal judged."""
    status: ProgressStatus
    """On track, at risk or off track."""


@attrs.frozen(kw_only=True)
class StakeholderFeedback:
    """What someone outside the pair (team leader, colleague, client's family) said."""

    source: str
    """Who said it, by role (team leader, colleague, client's family)."""
    text: str = personal(PersonalData.FREE_TEXT, about=RELATIONSHIP_MENTEE)
    """What they said."""
