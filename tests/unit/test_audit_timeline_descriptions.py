"""Every event type told in the timeline's domain words, exactly.

``describe`` is what ``audit timeline`` prints in its "what happened" column
(docs/audit.md, section 5). Each test builds one event and states the whole
sentence an auditor reads; goals and meetings are named from the state the event
applied to (a goal by its title, a meeting by the day it happened), and by their id
when that state does not hold them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from scenarios import (
    GOAL_ID,
    HOUR_ONE_ON_ONE,
    MEETING_ID,
    POLICY,
    PROGRAMME_ID,
    RELATIONSHIP_ID,
    SET_LISTENING_GOAL,
    UNKNOWN_ID,
    relationship_history,
)
from strategies import NOW

from mentoring_core.audit.timeline import describe, timeline
from mentoring_core.domain import events as ev
from mentoring_core.state import ProgrammeState, RelationshipState
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
)

EVENT_ID = UUID("e0e00000-0000-4000-8000-000000000001")
OTHER_ID = UUID("0f0f0000-0000-4000-8000-000000000009")
TITLE = "Run a family meeting without taking over"


def event(cls: type[Any], **fields: Any) -> Any:
    """One ``cls`` event recorded by coordinator.cleo, with ``fields``."""
    base: dict[str, Any] = {
        "event_id": EVENT_ID,
        "aggregate_id": PROGRAMME_ID if issubclass(cls, ev.ProgrammeEvent) else RELATIONSHIP_ID,
        "version": 7,
        "occurred_at": NOW,
        "recorded_at": NOW,
        "actor": "coordinator.cleo",
    }
    return cls(**{**base, **fields})


@pytest.fixture(scope="module")
def lived() -> RelationshipState:
    """Ana and Ben's relationship holding the listening goal and yesterday's meeting."""
    history = relationship_history()
    history.record(SET_LISTENING_GOAL)
    history.record(HOUR_ONE_ON_ONE)
    state: RelationshipState = history.state
    return state


EMPTY = RelationshipState()
PROGRAMME = ProgrammeState()


class TestProgrammeEvents:
    def test_a_programme_created_names_it_and_its_organisation(self) -> None:
        created = event(
            ev.ProgrammeCreated, name="Riverside first-year", organisation="Riverside Care"
        )
        assert describe(created, PROGRAMME) == (
            "Programme 'Riverside first-year' of Riverside Care created by coordinator.cleo"
        )

    def test_a_policy_tells_its_cadence_tiers_and_every_threshold(self) -> None:
        assert describe(event(ev.PolicySet, policy=POLICY), PROGRAMME) == (
            "Policy set by coordinator.cleo: meetings weekly until day 90, then fortnightly, "
            "at least 30 minutes, voluntary, experience gap 3 years, reviews every 90 days"
        )

    def test_a_policy_of_one_open_ended_tier(self) -> None:
        policy = ProgrammePolicy(
            cadence=(CadenceTier(cadence=Cadence.every(10)),),
            minimum_meeting_minutes=45,
            participation=Participation.COMPULSORY,
            minimum_experience_gap_years=Decimal("2.5"),
            review_interval_days=60,
        )
        assert describe(event(ev.PolicySet, policy=policy), PROGRAMME) == (
            "Policy set by coordinator.cleo: meetings every 10 days, at least 45 minutes, "
            "compulsory, experience gap 2.5 years, reviews every 60 days"
        )

    def test_an_enrolment_names_the_role_and_experience(self) -> None:
        enrolled = event(
            ev.ParticipantEnrolled,
            person_id="elif",
            role=Role.MENTEE,
            experience_years=Decimal("4.5"),
        )
        assert describe(enrolled, PROGRAMME) == (
            "elif enrolled as mentee with 4.5 years of experience by coordinator.cleo"
        )

    def test_a_withdrawal_names_the_person_not_the_reason(self) -> None:
        withdrawn = event(ev.ParticipantWithdrawn, person_id="diego", reason="moved away")
        assert describe(withdrawn, PROGRAMME) == (
            "diego withdrawn from the programme by coordinator.cleo"
        )

    def test_an_appointment_and_a_relief_name_the_coordinator_not_the_reason(self) -> None:
        appointed = event(ev.CoordinatorAppointed, person_id="coord.rhea")
        assert describe(appointed, PROGRAMME) == (
            "coord.rhea appointed a coordinator of the programme by coordinator.cleo"
        )
        relieved = event(ev.CoordinatorRelieved, person_id="coord.rhea", reason="burnt out")
        assert describe(relieved, PROGRAMME) == (
            "coord.rhea relieved as a coordinator of the programme by coordinator.cleo"
        )

    def test_a_profile_update_lists_expertise_and_needs_or_says_none(self) -> None:
        mentor = event(
            ev.ParticipantProfileUpdated,
            person_id="ana",
            expertise=(FocusArea.COMMUNICATION, FocusArea.TEAMWORK),
            development_needs=(),
        )
        assert describe(mentor, PROGRAMME) == (
            "ana's profile updated by coordinator.cleo: expertise communication, teamwork; "
            "development needs none"
        )
        mentee = event(
            ev.ParticipantProfileUpdated,
            person_id="ben",
            expertise=(),
            development_needs=(FocusArea.WELLBEING, FocusArea.PROBLEM_SOLVING),
        )
        assert describe(mentee, PROGRAMME) == (
            "ben's profile updated by coordinator.cleo: expertise none; "
            "development needs wellbeing, problem_solving"
        )

    def test_a_reminder_sent_says_whether_a_later_run_sent_it(self) -> None:
        sent = event(
            ev.ReminderSent, reminder_id=OTHER_ID, person_id="ben", after_interruption=False
        )
        assert describe(attrs.evolve(sent, after_interruption=False), PROGRAMME) == (
            f"Reminder {OTHER_ID} to ben sent by coordinator.cleo"
        )
        assert describe(attrs.evolve(sent, after_interruption=True), PROGRAMME) == (
            f"Reminder {OTHER_ID} to ben sent again (after an interruption) by coordinator.cleo"
        )

    def test_a_relationship_opened_names_it_and_the_pair(self) -> None:
        opened = event(
            ev.RelationshipOpened,
            relationship_id=RELATIONSHIP_ID,
            mentor_id="ana",
            mentee_id="ben",
        )
        assert describe(opened, PROGRAMME) == (
            f"Relationship {RELATIONSHIP_ID} of ana and ben opened by coordinator.cleo"
        )


def pairing(cls: type[Any], override: str | None = None) -> Any:
    return event(
        cls,
        programme_id=PROGRAMME_ID,
        mentor_id="carla",
        mentee_id="elif",
        mentor_experience_years=Decimal(7),
        mentee_experience_years=Decimal(4),
        gap_override_reason=override,
    )


class TestPairing:
    def test_a_proposal_and_a_direct_pairing_differ_by_their_verb(self) -> None:
        assert describe(pairing(ev.PairingProposed), EMPTY) == (
            "Pair of mentor carla and mentee elif proposed by coordinator.cleo"
        )
        assert describe(pairing(ev.PairFormed), EMPTY) == (
            "Pair of mentor carla and mentee elif formed by coordinator.cleo"
        )

    def test_an_experience_gap_override_is_told_with_its_reason(self) -> None:
        reason = "Carla has run this team for years"
        assert describe(pairing(ev.PairFormed, reason), EMPTY) == (
            "Pair of mentor carla and mentee elif formed by coordinator.cleo "
            f"(experience-gap override: {reason})"
        )
        assert describe(pairing(ev.PairingProposed, reason), EMPTY) == (
            "Pair of mentor carla and mentee elif proposed by coordinator.cleo "
            f"(experience-gap override: {reason})"
        )

    def test_acceptance_and_decline_name_who_answered_and_who_recorded(self) -> None:
        assert describe(event(ev.PairingAccepted, accepted_by="elif"), EMPTY) == (
            "Pairing accepted by elif, recorded by coordinator.cleo"
        )
        declined = event(
            ev.PairingDeclined,
            declined_by="carla",
            reason=DeclineReason.MENTOR_CAPACITY,
            explanation="three mentees already",
        )
        assert describe(declined, EMPTY) == (
            "Pairing declined by carla (mentor_capacity), recorded by coordinator.cleo"
        )

    def test_expectations_are_counted_not_quoted(self) -> None:
        agreed = event(ev.ExpectationsAgreed, expectations=("punctual", "honest", "prepared"))
        assert describe(agreed, EMPTY) == "3 expectations agreed, recorded by coordinator.cleo"


def goal_event(cls: type[Any], **fields: Any) -> Any:
    return event(cls, goal_id=GOAL_ID, **fields)


class TestGoals:
    def test_a_goal_set_quotes_its_title_focus_and_due_date(self) -> None:
        goal = goal_event(
            ev.GoalSet,
            title="Lead a handover",
            focus_area=FocusArea.TEAMWORK,
            success_measure="Ben leads one",
            target_date=date(2025, 9, 1),
        )
        assert describe(goal, EMPTY) == (
            "Goal 'Lead a handover' (teamwork, due 2025-09-01) set by coordinator.cleo"
        )

    def test_a_revision_names_the_goal_as_it_was_and_as_it_is_now(
        self, lived: RelationshipState
    ) -> None:
        revised = goal_event(
            ev.GoalRevised,
            title="Chair a family meeting",
            focus_area=FocusArea.COMMUNICATION,
            success_measure="Ben chairs one",
            target_date=date(2025, 7, 31),
            reason="sooner than planned",
        )
        assert describe(revised, lived) == (
            f"Goal {TITLE!r} revised by coordinator.cleo: "
            "now 'Chair a family meeting', due 2025-07-31"
        )

    def test_achieved_and_abandoned_goals_are_named_by_their_title(
        self, lived: RelationshipState
    ) -> None:
        achieved = goal_event(ev.GoalAchieved, evidence="Led two")
        abandoned = goal_event(ev.GoalAbandoned, reason="No longer relevant")
        assert describe(achieved, lived) == (
            f"Goal {TITLE!r} achieved, recorded by coordinator.cleo"
        )
        assert describe(abandoned, lived) == (
            f"Goal {TITLE!r} abandoned, recorded by coordinator.cleo"
        )

    def test_a_goal_the_state_does_not_hold_is_named_by_its_id(
        self, lived: RelationshipState
    ) -> None:
        unknown = event(ev.GoalAchieved, goal_id=UNKNOWN_ID, evidence="-")
        assert describe(unknown, lived) == (
            f"Goal {UNKNOWN_ID} achieved, recorded by coordinator.cleo"
        )
        # A programme's state holds no goals at all.
        assert describe(goal_event(ev.GoalAbandoned, reason="-"), PROGRAMME) == (
            f"Goal {GOAL_ID} abandoned, recorded by coordinator.cleo"
        )


class TestPlanAndMilestones:
    def test_plan_activities_added_and_completed(self) -> None:
        added = event(
            ev.PlanActivityAdded,
            activity_id=OTHER_ID,
            description="Shadow a family meeting",
            due_date=date(2025, 4, 1),
            goal_id=None,
        )
        completed = event(ev.PlanActivityCompleted, activity_id=OTHER_ID, notes="done")
        assert describe(added, EMPTY) == (
            "Plan activity added (due 2025-04-01) by coordinator.cleo"
        )
        assert describe(completed, EMPTY) == (
            f"Plan activity {OTHER_ID} completed, recorded by coordinator.cleo"
        )

    def test_milestones_set_and_reached(self) -> None:
        set_ = event(
            ev.MilestoneSet,
            milestone_id=OTHER_ID,
            description="First solo visit",
            target_date=date(2025, 5, 2),
            goal_id=None,
        )
        reached = event(ev.MilestoneReached, milestone_id=OTHER_ID, notes="went well")
        assert describe(set_, EMPTY) == "Milestone set for 2025-05-02 by coordinator.cleo"
        assert describe(reached, EMPTY) == (
            f"Milestone {OTHER_ID} reached, recorded by coordinator.cleo"
        )


class TestMeetings:
    def test_a_schedule_agreed_and_changed(self) -> None:
        schedule = MeetingSchedule(
            cadence=Cadence.fortnightly(), duration_minutes=45, format=MeetingFormat.VIDEO
        )
        assert describe(event(ev.ScheduleAgreed, schedule=schedule), EMPTY) == (
            "Meeting schedule agreed by coordinator.cleo: fortnightly, 45 minutes, video"
        )
        changed = event(ev.ScheduleChanged, schedule=schedule, reason="night shifts")
        assert describe(changed, EMPTY) == (
            "Meeting schedule changed by coordinator.cleo: fortnightly, 45 minutes, video"
        )

    def test_meetings_held_missed_and_cancelled(self) -> None:
        held = event(
            ev.MeetingHeld,
            meeting_id=OTHER_ID,
            duration_minutes=40,
            format=MeetingFormat.PHONE,
            topics=("rotas",),
            attendees=(),
        )
        missed = event(ev.MeetingMissed, meeting_id=OTHER_ID, missed_by="ben", reason="ill")
        cancelled = event(
            ev.MeetingCancelled, meeting_id=OTHER_ID, cancelled_by="ana", reason="storm"
        )
        assert describe(held, EMPTY) == (
            "Meeting held (40 minutes, phone), recorded by coordinator.cleo"
        )
        assert describe(missed, EMPTY) == "Meeting missed by ben, recorded by coordinator.cleo"
        assert describe(cancelled, EMPTY) == (
            "Meeting cancelled by ana, recorded by coordinator.cleo"
        )

    def correction(self, meeting_id: UUID) -> Any:
        return event(
            ev.MeetingRecordCorrected,
            corrects_event_id=OTHER_ID,
            meeting_id=meeting_id,
            held_at=datetime(2025, 3, 12, 15, 0, tzinfo=UTC),
            duration_minutes=75,
            format=MeetingFormat.GROUP,
            topics=(),
            reason="wrong day",
        )

    def test_a_correction_names_the_meeting_by_the_day_it_was_recorded_for(
        self, lived: RelationshipState
    ) -> None:
        # The meeting was recorded as held yesterday, 13 March 2025.
        assert describe(self.correction(MEETING_ID), lived) == (
            "Record of the meeting of 2025-03-13 corrected by coordinator.cleo: "
            "75 minutes, group, held 2025-03-12T15:00:00+00:00"
        )

    def test_a_correction_of_a_meeting_the_state_does_not_hold_names_its_id(
        self, lived: RelationshipState
    ) -> None:
        assert describe(self.correction(UNKNOWN_ID), lived) == (
            f"Record of the meeting of {UNKNOWN_ID} corrected by coordinator.cleo: "
            "75 minutes, group, held 2025-03-12T15:00:00+00:00"
        )
        assert describe(self.correction(MEETING_ID), PROGRAMME).startswith(
            f"Record of the meeting of {MEETING_ID} corrected"
        )


class TestFeedbackReflectionsAndReviews:
    def test_feedback_tells_its_kind_and_who_gave_it_to_whom(self) -> None:
        feedback = event(
            ev.FeedbackGiven,
            feedback_id=OTHER_ID,
            from_person="ana",
            to_person="ben",
            kind=FeedbackKind.RECOGNITION,
            about_goal_id=None,
            about_meeting_id=None,
            text="calm with the family",
        )
        assert describe(feedback, EMPTY) == (
            "Recognition feedback from ana to ben, recorded by coordinator.cleo"
        )
        assert describe(attrs.evolve(feedback, private=True), EMPTY) == (
            "Private recognition feedback from ana to ben, recorded by coordinator.cleo"
        )

    def test_a_reflection_lists_its_scores_out_of_five(self) -> None:
        reflection = event(
            ev.ReflectionRecorded,
            reflection_id=OTHER_ID,
            ratings=(
                Rating(focus_area=FocusArea.COMMUNICATION, score=3),
                Rating(focus_area=FocusArea.WELLBEING, score=5),
            ),
            text="better week",
        )
        assert describe(reflection, EMPTY) == (
            "Reflection recorded by coordinator.cleo (communication 3/5, wellbeing 5/5)"
        )
        assert describe(attrs.evolve(reflection, private=True), EMPTY) == (
            "Private reflection recorded by coordinator.cleo (communication 3/5, wellbeing 5/5)"
        )

    def test_a_review_judges_each_goal_by_its_title(self, lived: RelationshipState) -> None:
        review = event(
            ev.ProgressEvaluated,
            evaluation_id=OTHER_ID,
            goal_progress=(
                GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.AT_RISK),
                GoalProgress(goal_id=UNKNOWN_ID, status=ProgressStatus.ON_TRACK),
            ),
            evidence="-",
            stakeholder_feedback=(),
        )
        assert describe(review, lived) == (
            f"Progress evaluated by coordinator.cleo: {TITLE!r} at_risk, {UNKNOWN_ID} on_track"
        )

    def test_a_review_of_no_goal_ends_with_who_recorded_it(self) -> None:
        review = event(
            ev.ProgressEvaluated,
            evaluation_id=OTHER_ID,
            goal_progress=(),
            evidence="-",
            stakeholder_feedback=(),
        )
        assert describe(review, EMPTY) == "Progress evaluated by coordinator.cleo"


class TestRelationshipLifecycle:
    def test_paused_resumed_and_ended(self) -> None:
        paused = event(ev.RelationshipPaused, reason="parental leave")
        ended = event(ev.RelationshipEnded, reason=EndReason.COMPLETED_EARLY, explanation="-")
        assert describe(paused, EMPTY) == "Relationship paused by coordinator.cleo"
        assert describe(event(ev.RelationshipResumed), EMPTY) == (
            "Relationship resumed by coordinator.cleo"
        )
        assert describe(ended, EMPTY) == (
            "Relationship ended (completed_early) by coordinator.cleo"
        )


def test_the_timeline_names_a_goal_from_the_state_before_each_event() -> None:
    """Each entry is told against the state its event applied to, not the final one."""
    history = relationship_history()
    history.record(SET_LISTENING_GOAL)
    entries = timeline(history.events)
    assert [(e.version, e.event_type, e.actor) for e in entries] == [
        (1, "PairFormed", "coordinator.cleo"),
        (2, "GoalSet", "coordinator.cleo"),
    ]
    assert entries[1].occurred_at == history.events[1].occurred_at
    assert entries[0].occurred_at == NOW - timedelta(days=30)


@attrs.frozen(kw_only=True)
class NotYetTold(ev.RelationshipEvent):
    """An event type added to the library after ``describe`` last learnt a sentence."""


def test_an_event_type_without_a_sentence_is_told_by_its_type_name() -> None:
    assert describe(event(NotYetTold), EMPTY) == "NotYetTold recorded by coordinator.cleo"
