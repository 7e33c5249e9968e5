"""Timeline rules: every fact is dated inside the period in which it is possible.

Each rule is tested at its edge (accepted) and one second past it (refused with
``Rule.TIMELINE``, or ``Rule.NO_MEETINGS_WHILE_PAUSED`` inside the current pause). Ana and
Ben's pair was formed 30 days before the tests' clock (see ``scenarios.py``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from scenarios import (
    CREATED_AT,
    GOAL_ID,
    MEETING_ID,
    POLICY,
    RELATIONSHIP_ID,
    SET_LISTENING_GOAL,
    WEEKLY_HOUR,
    History,
    programme_history,
    relationship_history,
)
from strategies import NOW, decision_context

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.errors import Rule, RuleViolation
from mentoring_core.domain.pairing import decide_pairing
from mentoring_core.domain.relationship_state import RelationshipState
from mentoring_core.domain.values import (
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    ProgressStatus,
    Rating,
    RecognitionKind,
    ReminderReason,
    Role,
)

SECOND = timedelta(seconds=1)
FORMED = NOW - timedelta(days=30)
MET = NOW - timedelta(days=20)
PAUSED = NOW - timedelta(days=15)
RESUMED = NOW - timedelta(days=10)
OTHER_MEETING_ID = UUID("3ee70000-0000-4000-8000-0000000000aa")


def meeting(at: datetime | None, meeting_id: UUID = OTHER_MEETING_ID) -> cmd.RecordMeetingHeld:
    return cmd.RecordMeetingHeld(
        meeting_id=meeting_id,
        occurred_at=at,
        duration_minutes=60,
        format=MeetingFormat.ONE_ON_ONE,
        topics=("handover notes",),
    )


def missed(at: datetime | None) -> cmd.RecordMeetingMissed:
    return cmd.RecordMeetingMissed(
        meeting_id=OTHER_MEETING_ID, missed_by="ben", reason="Late", occurred_at=at
    )


def cancelled(at: datetime | None) -> cmd.RecordMeetingCancelled:
    return cmd.RecordMeetingCancelled(
        meeting_id=OTHER_MEETING_ID, cancelled_by="ana", reason="Ill", occurred_at=at
    )


def feedback(at: datetime | None, about: UUID | None = MEETING_ID) -> cmd.GiveFeedback:
    return cmd.GiveFeedback(
        feedback_id=UUID(int=0xF00D),
        from_person="ana",
        to_person="ben",
        kind=FeedbackKind.RECOGNITION,
        text="You let the family speak first.",
        about_meeting_id=about,
        occurred_at=at,
    )


def met() -> History:
    """Formed 30 days ago; a meeting 20 days ago."""
    history = relationship_history()
    history.record(meeting(MET, MEETING_ID))
    return history


def paused_and_resumed() -> History:
    """Met 20 days ago, paused 15 days ago, resumed 10 days ago."""
    history = met()
    history.record(cmd.PauseRelationship(reason="Leave", occurred_at=PAUSED))
    history.record(cmd.ResumeRelationship(occurred_at=RESUMED))
    return history


def paused_now() -> History:
    """Met 20 days ago, paused 15 days ago and still paused."""
    history = met()
    history.record(cmd.PauseRelationship(reason="Leave", occurred_at=PAUSED))
    return history


def accepted(history: History, command: Any) -> None:
    count = len(history.events)
    history.record(command)
    assert len(history.events) == count + 1


# --- Opening: not before the programme or either enrolment ------------------------------


def opening(at: datetime, mentee: str = "ben") -> cmd.OpenRelationship:
    return cmd.OpenRelationship(
        relationship_id=RELATIONSHIP_ID,
        mentor_id="ana",
        mentee_id=mentee,
        direct=True,
        occurred_at=at,
    )


def test_a_pair_is_formed_from_the_moment_the_programme_and_enrolments_exist() -> None:
    programme = programme_history()
    events = decide_pairing(
        opening(CREATED_AT), programme.state, RelationshipState(), programme.ctx
    )
    assert events[0].occurred_at == CREATED_AT


def test_a_pair_is_not_formed_before_the_programme_was_created() -> None:
    programme = programme_history()
    with pytest.raises(RuleViolation) as info:
        decide_pairing(
            opening(CREATED_AT - SECOND), programme.state, RelationshipState(), programme.ctx
        )
    assert info.value.rule is Rule.TIMELINE
    message = str(info.value)
    assert "PairFormed" in message
    assert (CREATED_AT - SECOND).isoformat() in message
    assert "was created" in message and CREATED_AT.isoformat() in message


def test_a_pair_is_not_formed_before_the_mentee_was_enrolled() -> None:
    programme = programme_history()
    enrolled = NOW - timedelta(days=5)
    programme.record(
        cmd.EnrolParticipant(
            person_id="fay", role=Role.MENTEE, experience_years=Decimal(0), occurred_at=enrolled
        )
    )
    ctx = programme.ctx
    assert decide_pairing(opening(enrolled, "fay"), programme.state, RelationshipState(), ctx)
    with pytest.raises(RuleViolation) as info:
        decide_pairing(opening(enrolled - SECOND, "fay"), programme.state, RelationshipState(), ctx)
    assert info.value.rule is Rule.TIMELINE
    assert "'fay' was enrolled" in str(info.value)
    assert f"allowed from {enrolled.isoformat()} on" in str(info.value)


# --- Answers to a proposal: not before it was proposed -----------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        lambda at: cmd.AcceptPairing(accepted_by="ben", occurred_at=at),
        lambda at: cmd.DeclinePairing(
            declined_by="ben",
            reason=DeclineReason.NOT_NEEDED,
            explanation="Settled in",
            occurred_at=at,
        ),
    ],
    ids=["accept", "decline"],
)
def test_a_proposal_is_answered_after_it_was_made(answer: Any) -> None:
    proposed_at = NOW - timedelta(days=30)
    relationship_history(direct=False).refuse(
        answer(proposed_at - SECOND),
        Rule.TIMELINE,
        (proposed_at - SECOND).isoformat(),
        f"before the pairing was proposed on {proposed_at.isoformat()}",
    )
    accepted(relationship_history(direct=False), answer(proposed_at))


# --- Every fact: not before the pair was formed ------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        lambda at: attrs.evolve(SET_LISTENING_GOAL, occurred_at=at),
        meeting,
        missed,
        cancelled,
        lambda at: feedback(at, about=None),
        lambda at: cmd.RecordReflection(
            reflection_id=UUID(int=0xC1),
            ratings=(Rating(focus_area=FocusArea.COMMUNICATION, score=3),),
            text="Calmer on the phone",
            occurred_at=at,
        ),
        lambda at: cmd.PauseRelationship(reason="Leave", occurred_at=at),
        lambda at: cmd.EndRelationship(
            reason=EndReason.COMPLETED, explanation="Done", occurred_at=at
        ),
    ],
    ids=["goal", "held", "missed", "cancelled", "feedback", "reflection", "pause", "end"],
)
def test_nothing_is_dated_before_the_pair_was_formed(command: Any) -> None:
    relationship_history().refuse(
        command(FORMED - SECOND),
        Rule.TIMELINE,
        type(command(FORMED)).__name__,
        (FORMED - SECOND).isoformat(),
        f"before the pair was formed on {FORMED.isoformat()}",
        f"allowed from {FORMED.isoformat()} on",
    )
    accepted(relationship_history(), command(FORMED))


def test_a_pair_proposed_then_accepted_is_formed_when_accepted() -> None:
    history = relationship_history(direct=False)
    formed = NOW - timedelta(days=3)
    history.record(cmd.AcceptPairing(accepted_by="ben", occurred_at=formed))
    history.refuse(meeting(formed - SECOND), Rule.TIMELINE, "before the pair was formed")
    accepted(history, meeting(formed))


# --- Meetings: not inside a pause ---------------------------------------------------------


@pytest.mark.parametrize("command", [meeting, missed, cancelled], ids=["held", "missed", "can"])
def test_no_meeting_is_dated_inside_an_earlier_pause(command: Any) -> None:
    for inside in (PAUSED + SECOND, RESUMED - SECOND):
        paused_and_resumed().refuse(
            command(inside),
            Rule.TIMELINE,
            inside.isoformat(),
            f"falls in the pause from {PAUSED.isoformat()} to {RESUMED.isoformat()}",
            f"allowed before {PAUSED.isoformat()} or from {RESUMED.isoformat()} on",
        )
    accepted(paused_and_resumed(), command(PAUSED))
    accepted(paused_and_resumed(), command(RESUMED))


@pytest.mark.parametrize("command", [meeting, missed, cancelled], ids=["held", "missed", "can"])
def test_a_meeting_before_the_current_pause_may_be_recorded_late(command: Any) -> None:
    accepted(paused_now(), command(PAUSED))
    paused_now().refuse(
        command(PAUSED + SECOND), Rule.NO_MEETINGS_WHILE_PAUSED, f"since {PAUSED.isoformat()}"
    )


def test_feedback_about_a_meeting_may_be_given_during_a_pause() -> None:
    accepted(paused_now(), feedback(PAUSED + SECOND))


# --- Feedback about a meeting: not before the meeting ------------------------------------


def test_feedback_about_a_meeting_follows_the_meeting() -> None:
    met().refuse(
        feedback(MET - SECOND),
        Rule.TIMELINE,
        f"broken: GiveFeedback dated {(MET - SECOND).isoformat()}",
        f"before meeting {MEETING_ID} on {MET.isoformat()}",
    )
    accepted(met(), feedback(MET))


# --- Life cycle: in order with the facts around it ---------------------------------------


def test_a_pause_does_not_begin_before_the_latest_meeting() -> None:
    met().refuse(
        cmd.PauseRelationship(reason="Leave", occurred_at=MET - SECOND),
        Rule.TIMELINE,
        f"before the latest recorded meeting on {MET.isoformat()}",
    )
    accepted(met(), cmd.PauseRelationship(reason="Leave", occurred_at=MET))


def test_a_pause_does_not_begin_before_the_last_one_ended() -> None:
    paused_and_resumed().refuse(
        cmd.PauseRelationship(reason="Leave", occurred_at=RESUMED - SECOND),
        Rule.TIMELINE,
        f"before the last pause ended on {RESUMED.isoformat()}",
    )
    accepted(paused_and_resumed(), cmd.PauseRelationship(reason="Leave", occurred_at=RESUMED))


def test_a_pause_does_not_end_before_it_began() -> None:
    paused_now().refuse(
        cmd.ResumeRelationship(occurred_at=PAUSED - SECOND),
        Rule.TIMELINE,
        "ResumeRelationship",
        f"before the pause began on {PAUSED.isoformat()}",
    )
    accepted(paused_now(), cmd.ResumeRelationship(occurred_at=PAUSED))


def ending(at: datetime) -> cmd.EndRelationship:
    return cmd.EndRelationship(reason=EndReason.COMPLETED, explanation="Done", occurred_at=at)


def test_an_ending_does_not_precede_a_recorded_meeting() -> None:
    met().refuse(
        ending(MET - SECOND),
        Rule.TIMELINE,
        "EndRelationship",
        f"before the latest recorded meeting on {MET.isoformat()}",
    )
    accepted(met(), ending(MET))


def test_an_ending_does_not_precede_any_recorded_fact() -> None:
    goal_at = NOW - timedelta(days=2)
    history = met()
    history.record(attrs.evolve(SET_LISTENING_GOAL, occurred_at=goal_at))
    history.refuse(
        ending(goal_at - SECOND),
        Rule.TIMELINE,
        f"before the latest recorded fact on {goal_at.isoformat()}",
    )
    accepted(history, ending(goal_at))


def test_an_ending_does_not_precede_a_resumption() -> None:
    paused_and_resumed().refuse(ending(RESUMED - SECOND), Rule.TIMELINE, RESUMED.isoformat())
    accepted(paused_and_resumed(), ending(RESUMED))


def test_a_pause_lasts_until_the_end() -> None:
    history = paused_now()
    ended_at = NOW - timedelta(days=5)
    history.record(ending(ended_at))
    assert history.state.pauses == ((PAUSED, ended_at),)
    assert history.state.paused_at is None


# --- Corrections move a meeting only where a meeting could be ----------------------------


def moved(at: datetime) -> cmd.CorrectMeetingRecord:
    return cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, held_at=at, reason="Wrong day")


def test_a_corrected_meeting_is_not_moved_before_the_pair_was_formed() -> None:
    met().refuse(
        moved(FORMED - SECOND),
        Rule.TIMELINE,
        f"the corrected meeting {MEETING_ID}",
        f"before the pair was formed on {FORMED.isoformat()}",
    )
    accepted(met(), moved(FORMED))


def test_a_corrected_meeting_is_not_moved_into_a_pause() -> None:
    paused_and_resumed().refuse(moved(PAUSED + SECOND), Rule.TIMELINE, "falls in the pause")
    paused_and_resumed().refuse(moved(RESUMED - SECOND), Rule.TIMELINE, "falls in the pause")
    accepted(paused_and_resumed(), moved(PAUSED))
    accepted(paused_and_resumed(), moved(RESUMED))


def test_a_corrected_meeting_is_not_moved_into_the_current_pause() -> None:
    paused_now().refuse(moved(PAUSED + SECOND), Rule.NO_MEETINGS_WHILE_PAUSED, "paused since")
    accepted(paused_now(), moved(PAUSED))


def test_a_corrected_meeting_is_not_moved_after_the_end() -> None:
    ended_at = NOW - timedelta(days=5)

    def ended() -> History:
        history = met()
        history.record(ending(ended_at))
        return history

    ended().refuse(
        moved(ended_at + SECOND),
        Rule.TIMELINE,
        f"the corrected meeting {MEETING_ID} dated {(ended_at + SECOND).isoformat()}",
        f"is after the relationship ended on {ended_at.isoformat()}",
        f"allowed from {FORMED.isoformat()} to {ended_at.isoformat()}",
    )
    accepted(ended(), moved(ended_at))


def test_a_corrected_meeting_is_not_moved_after_the_feedback_about_it() -> None:
    given = NOW - timedelta(days=19)

    def with_feedback() -> History:
        history = met()
        history.record(feedback(given))
        return history

    with_feedback().refuse(
        moved(given + SECOND),
        Rule.TIMELINE,
        f"the corrected meeting {MEETING_ID} dated {(given + SECOND).isoformat()} is after "
        f"the feedback given about it on {given.isoformat()}",
        f"up to {given.isoformat()}",
    )
    accepted(with_feedback(), moved(given))


def test_moving_a_meeting_later_moves_what_an_ending_may_not_precede() -> None:
    later = NOW - timedelta(days=3)
    history = met()
    history.record(moved(later))
    history.refuse(ending(later - SECOND), Rule.TIMELINE, "latest recorded meeting")
    accepted(history, ending(later))


# --- State and history --------------------------------------------------------------------


def test_the_state_keeps_the_pauses_that_are_over() -> None:
    state = paused_and_resumed().state
    assert state.pauses == ((PAUSED, RESUMED),)
    assert state.paused_during(PAUSED) is None
    assert state.paused_during(PAUSED + SECOND) == (PAUSED, RESUMED)
    assert state.paused_during(RESUMED - SECOND) == (PAUSED, RESUMED)
    assert state.paused_during(RESUMED) is None


def test_the_state_knows_the_latest_fact() -> None:
    state = paused_and_resumed().state
    assert state.latest_fact_at == RESUMED
    assert state.last_meeting_at == MET
    assert state.ended_at is None


def test_old_histories_that_break_the_rules_still_fold() -> None:
    """Events are facts: a meeting stored inside a pause before these rules still folds."""
    history = paused_and_resumed()
    (event,) = met().decide(meeting(MET, OTHER_MEETING_ID), met().state, decision_context())
    inside = attrs.evolve(event, occurred_at=PAUSED + SECOND, version=history.state.version + 1)
    history.apply(inside)
    assert history.state.meeting(OTHER_MEETING_ID) is not None
    assert history.refold() == history.state


# --- Goals, plan and milestones: closed no earlier than they were set ---------------------

SET_AT = NOW - timedelta(days=5)
ACTIVITY_ID = UUID("ac710000-0000-4000-8000-0000000000aa")
MILESTONE_ID = UUID("31e50000-0000-4000-8000-0000000000aa")


def planned() -> History:
    history = relationship_history()
    history.record(attrs.evolve(SET_LISTENING_GOAL, occurred_at=SET_AT))
    history.record(
        cmd.AddPlanActivity(
            activity_id=ACTIVITY_ID,
            description="Shadow Ana",
            due_date=SET_AT.date() + timedelta(days=30),
            occurred_at=SET_AT,
        )
    )
    history.record(
        cmd.SetMilestone(
            milestone_id=MILESTONE_ID,
            description="First meeting led",
            target_date=SET_AT.date() + timedelta(days=30),
            occurred_at=SET_AT,
        )
    )
    return history


@pytest.mark.parametrize(
    ("command", "fact"),
    [
        (
            lambda at: cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Led it", occurred_at=at),
            f"goal {GOAL_ID} was set",
        ),
        (
            lambda at: cmd.AbandonGoal(goal_id=GOAL_ID, reason="Moved", occurred_at=at),
            f"goal {GOAL_ID} was set",
        ),
        (
            lambda at: cmd.ReviseGoal(goal_id=GOAL_ID, reason="Later", title="T", occurred_at=at),
            f"goal {GOAL_ID} was set",
        ),
        (
            lambda at: cmd.CompletePlanActivity(activity_id=ACTIVITY_ID, notes="n", occurred_at=at),
            f"plan activity {ACTIVITY_ID} was added",
        ),
        (
            lambda at: cmd.ReachMilestone(milestone_id=MILESTONE_ID, notes="n", occurred_at=at),
            f"milestone {MILESTONE_ID} was set",
        ),
    ],
    ids=["achieve", "abandon", "revise", "complete", "reach"],
)
def test_nothing_is_closed_before_it_was_set(command: Any, fact: str) -> None:
    planned().refuse(
        command(SET_AT - SECOND),
        Rule.TIMELINE,
        f"broken: {type(command(SET_AT)).__name__} ",
        (SET_AT - SECOND).isoformat(),
        f"before {fact} on {SET_AT.isoformat()}",
    )
    accepted(planned(), command(SET_AT))


# --- the programme's own facts ---------------------------------------------------------

REMINDER_ID = UUID("4e3e0000-0000-4000-8000-0000000000aa")


def _programme_command(name: str, at: datetime) -> Any:
    """Each programme command after creation, dated ``at``."""
    return {
        "SetPolicy": lambda: cmd.SetPolicy(
            policy=attrs.evolve(POLICY, review_interval_days=60), occurred_at=at
        ),
        "EnrolParticipant": lambda: cmd.EnrolParticipant(
            person_id="gus", role=Role.MENTEE, experience_years=Decimal(1), occurred_at=at
        ),
        "AppointCoordinator": lambda: cmd.AppointCoordinator(person_id="cora", occurred_at=at),
        "RecogniseMentor": lambda: cmd.RecogniseMentor(
            person_id="ana",
            kind=RecognitionKind.CERTIFICATE,
            period_start=CREATED_AT.date(),
            period_end=CREATED_AT.date(),
            reason="First year",
            occurred_at=at,
        ),
        "IssueReminder": lambda: cmd.IssueReminder(
            reminder_id=REMINDER_ID,
            person_id="ana",
            relationship_id=RELATIONSHIP_ID,
            reason=ReminderReason.OVERDUE,
            item="meeting",
            due=NOW,
            channel="email",
            occurred_at=at,
        ),
    }[name]()


@pytest.mark.parametrize(
    "name",
    ["SetPolicy", "EnrolParticipant", "AppointCoordinator", "RecogniseMentor", "IssueReminder"],
)
def test_nothing_in_a_programme_is_dated_before_it_was_created(name: str) -> None:
    riverside().refuse(
        _programme_command(name, CREATED_AT - SECOND),
        Rule.TIMELINE,
        f"broken: {name} dated {(CREATED_AT - SECOND).isoformat()}",
        "before programme 'Riverside first-year mentoring' was created on "
        + CREATED_AT.isoformat(),
        f"allowed from {CREATED_AT.isoformat()} on",
    )
    accepted(riverside(), _programme_command(name, CREATED_AT))


def riverside() -> History:
    """Riverside's programme, with Ana and Ben's relationship opened in it (formed at the
    programme's creation: a reminder names a relationship of the programme)."""
    history = programme_history()
    _, registered = decide_pairing(
        opening(CREATED_AT), history.state, RelationshipState(), history.ctx
    )
    history.apply(registered)
    return history


ENROLLED_LATER = NOW - timedelta(days=5)


def enrolled_later() -> History:
    """Riverside's programme with Fay enrolled five days before the clock."""
    history = programme_history()
    history.record(
        cmd.EnrolParticipant(
            person_id="fay",
            role=Role.MENTEE,
            experience_years=Decimal(0),
            occurred_at=ENROLLED_LATER,
        )
    )
    return history


@pytest.mark.parametrize(
    "command",
    [
        lambda at: cmd.UpdateProfile(
            person_id="fay", development_needs=(FocusArea.COMMUNICATION,), occurred_at=at
        ),
        lambda at: cmd.WithdrawParticipant(person_id="fay", reason="Left", occurred_at=at),
    ],
    ids=["profile", "withdrawal"],
)
def test_an_enrolment_changes_no_earlier_than_it_began(command: Any) -> None:
    enrolled_later().refuse(
        command(ENROLLED_LATER - SECOND),
        Rule.TIMELINE,
        (ENROLLED_LATER - SECOND).isoformat(),
        f"before 'fay' was enrolled on {ENROLLED_LATER.isoformat()}",
    )
    accepted(enrolled_later(), command(ENROLLED_LATER))


def test_a_withdrawn_worker_enrols_again_no_earlier_than_the_withdrawal() -> None:
    withdrawn_at = NOW - timedelta(days=2)

    def withdrawn() -> History:
        history = enrolled_later()
        history.record(
            cmd.WithdrawParticipant(person_id="fay", reason="Left", occurred_at=withdrawn_at)
        )
        return history

    def again(at: datetime) -> cmd.EnrolParticipant:
        return cmd.EnrolParticipant(
            person_id="fay", role=Role.MENTOR, experience_years=Decimal(3), occurred_at=at
        )

    withdrawn().refuse(
        again(withdrawn_at - SECOND),
        Rule.TIMELINE,
        f"broken: EnrolParticipant dated {(withdrawn_at - SECOND).isoformat()} is before 'fay' "
        f"was withdrawn on {withdrawn_at.isoformat()}",
    )
    accepted(withdrawn(), again(withdrawn_at))


def test_a_reminder_is_sent_no_earlier_than_it_was_issued() -> None:
    issued_at = NOW - timedelta(days=1)

    def issued() -> History:
        history = riverside()
        history.record(_programme_command("IssueReminder", issued_at))
        return history

    def sent(at: datetime) -> cmd.RecordReminderSent:
        return cmd.RecordReminderSent(reminder_id=REMINDER_ID, occurred_at=at)

    issued().refuse(
        sent(issued_at - SECOND),
        Rule.TIMELINE,
        f"broken: RecordReminderSent dated {(issued_at - SECOND).isoformat()} is before "
        f"reminder {REMINDER_ID} was issued on {issued_at.isoformat()}",
    )
    accepted(issued(), sent(issued_at))


# --- facts that name a goal or correct a meeting -----------------------------------------


def goal_set() -> History:
    """Ana and Ben's relationship with the listening goal set five days before the clock."""
    history = relationship_history()
    history.record(attrs.evolve(SET_LISTENING_GOAL, occurred_at=SET_AT))
    return history


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (
            lambda at: cmd.AddPlanActivity(
                activity_id=ACTIVITY_ID,
                description="Shadow Ana",
                due_date=SET_AT.date(),
                goal_id=GOAL_ID,
                occurred_at=at,
            ),
            "goal_id",
        ),
        (
            lambda at: cmd.SetMilestone(
                milestone_id=MILESTONE_ID,
                description="Led one",
                target_date=SET_AT.date(),
                goal_id=GOAL_ID,
                occurred_at=at,
            ),
            "goal_id",
        ),
        (
            lambda at: cmd.GiveFeedback(
                feedback_id=UUID(int=0xF00D),
                from_person="ana",
                to_person="ben",
                kind=FeedbackKind.RECOGNITION,
                text="You let the family speak first.",
                about_goal_id=GOAL_ID,
                occurred_at=at,
            ),
            "about_goal_id",
        ),
        (
            lambda at: cmd.EvaluateProgress(
                evaluation_id=UUID(int=0xE7A1),
                goal_progress=(GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),),
                evidence="Two family meetings led",
                occurred_at=at,
            ),
            "goal_progress[0].goal_id",
        ),
    ],
    ids=["activity", "milestone", "feedback", "evaluation"],
)
def test_a_fact_naming_a_goal_is_dated_no_earlier_than_the_goal(command: Any, field: str) -> None:
    goal_set().refuse(
        command(SET_AT - SECOND),
        Rule.TIMELINE,
        f"{field} {GOAL_ID}",
        (SET_AT - SECOND).isoformat(),
        f"before goal {GOAL_ID} was set on {SET_AT.isoformat()}",
    )
    accepted(goal_set(), command(SET_AT))


def test_a_correction_is_dated_no_earlier_than_the_meeting_it_corrects() -> None:
    def met() -> History:
        history = relationship_history()
        history.record(meeting(MET, MEETING_ID))
        return history

    def correction(at: datetime) -> cmd.CorrectMeetingRecord:
        return cmd.CorrectMeetingRecord(
            meeting_id=MEETING_ID, reason="Typo", duration_minutes=45, occurred_at=at
        )

    met().refuse(
        correction(MET - SECOND),
        Rule.TIMELINE,
        (MET - SECOND).isoformat(),
        f"before meeting {MEETING_ID} was held on {MET.isoformat()}",
    )
    accepted(met(), correction(MET))
    moved_later = NOW - timedelta(days=12)
    met().refuse(
        attrs.evolve(correction(MET), held_at=moved_later),
        Rule.TIMELINE,
        f"before meeting {MEETING_ID} was held on {moved_later.isoformat()}",
    )
    accepted(met(), attrs.evolve(correction(moved_later), held_at=moved_later))


# --- what replaces an earlier fact: no earlier than it ----------------------------------

REVISED_AT = SET_AT + timedelta(days=2)


@pytest.mark.parametrize(
    "command",
    [
        lambda at: cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Led it", occurred_at=at),
        lambda at: cmd.AbandonGoal(goal_id=GOAL_ID, reason="Moved", occurred_at=at),
        lambda at: cmd.ReviseGoal(goal_id=GOAL_ID, reason="Again", title="T2", occurred_at=at),
    ],
    ids=["achieve", "abandon", "revise"],
)
def test_a_goal_changes_no_earlier_than_its_latest_revision(command: Any) -> None:
    def revised() -> History:
        history = planned()
        history.record(
            cmd.ReviseGoal(goal_id=GOAL_ID, reason="Later", title="T", occurred_at=REVISED_AT)
        )
        return history

    revised().refuse(
        command(REVISED_AT - SECOND),
        Rule.TIMELINE,
        f"broken: {type(command(REVISED_AT)).__name__} dated "
        f"{(REVISED_AT - SECOND).isoformat()} is before goal {GOAL_ID} was last revised on "
        f"{REVISED_AT.isoformat()}",
    )
    accepted(revised(), command(REVISED_AT))


# --- a goal's plan: planned while the goal is open, the goal closed after its plan -------

CLOSED_AT = SET_AT + timedelta(days=2)
GOAL_ACTIVITY_ID = UUID("ac710000-0000-4000-8000-0000000000bb")
GOAL_MILESTONE_ID = UUID("31e50000-0000-4000-8000-0000000000bb")


def _plan_for_goal(kind: str, at: datetime) -> Any:
    """A plan activity or milestone for the listening goal, dated ``at``."""
    if kind == "activity":
        return cmd.AddPlanActivity(
            activity_id=GOAL_ACTIVITY_ID,
            description="Shadow Ana at a family meeting",
            due_date=SET_AT.date() + timedelta(days=30),
            goal_id=GOAL_ID,
            occurred_at=at,
        )
    return cmd.SetMilestone(
        milestone_id=GOAL_MILESTONE_ID,
        description="First family meeting led",
        target_date=SET_AT.date() + timedelta(days=30),
        goal_id=GOAL_ID,
        occurred_at=at,
    )


def _closing(closing: str, at: datetime) -> Any:
    if closing == "achieved":
        return cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Led two meetings", occurred_at=at)
    return cmd.AbandonGoal(goal_id=GOAL_ID, reason="Moved to the night team", occurred_at=at)


def goal_closed(closing: str) -> History:
    """The listening goal set five days before the clock, achieved or abandoned two days
    later, with nothing planned for it."""
    history = goal_set()
    history.record(_closing(closing, CLOSED_AT))
    return history


@pytest.mark.parametrize("closing", ["achieved", "abandoned"])
@pytest.mark.parametrize("kind", ["activity", "milestone"])
def test_nothing_is_planned_for_a_goal_after_it_was_closed(kind: str, closing: str) -> None:
    """New work toward a goal already achieved or given up cannot be planned (a goal is
    not reopened: set a new one); planned while it was open, it may be recorded late."""
    late = CLOSED_AT + SECOND
    goal_closed(closing).refuse(
        _plan_for_goal(kind, late),
        Rule.TIMELINE,
        f"{type(_plan_for_goal(kind, late)).__name__} naming goal_id {GOAL_ID} dated "
        f"{late.isoformat()} is after goal {GOAL_ID} was {closing} on {CLOSED_AT.isoformat()}",
        f"allowed from {SET_AT.isoformat()} to {CLOSED_AT.isoformat()}",
    )
    accepted(goal_closed(closing), _plan_for_goal(kind, CLOSED_AT))
    accepted(goal_closed(closing), _plan_for_goal(kind, SET_AT + SECOND))


@pytest.mark.parametrize("closing", ["achieved", "abandoned"])
@pytest.mark.parametrize("kind", ["activity", "milestone"])
def test_a_goal_is_closed_no_earlier_than_the_plan_made_for_it(kind: str, closing: str) -> None:
    """A closing recorded late is dated no earlier than the plan already recorded for the
    goal, which would otherwise have been made for a goal already closed."""
    planned_at = CLOSED_AT

    def planned_for_goal() -> History:
        history = goal_set()
        history.record(_plan_for_goal(kind, planned_at))
        return history

    item = (
        f"plan activity {GOAL_ACTIVITY_ID} was added"
        if kind == "activity"
        else f"milestone {GOAL_MILESTONE_ID} was set"
    )
    planned_for_goal().refuse(
        _closing(closing, planned_at - SECOND),
        Rule.TIMELINE,
        f"{type(_closing(closing, planned_at)).__name__} dated "
        f"{(planned_at - SECOND).isoformat()} is before {item} for goal {GOAL_ID} on "
        f"{planned_at.isoformat()}",
    )
    accepted(planned_for_goal(), _closing(closing, planned_at))


@pytest.mark.parametrize("closing", ["achieved", "abandoned"])
def test_what_happened_after_a_goal_closed_stays_recordable(closing: str) -> None:
    """The plan made while the goal was open is carried out after it closed (an activity
    completed, a milestone reached: the only way they leave the due lists), and the goal
    is judged and discussed after it: none of these contradicts the closing."""
    after = CLOSED_AT + timedelta(days=1)
    history = goal_set()
    history.record(_plan_for_goal("activity", SET_AT))
    history.record(_plan_for_goal("milestone", SET_AT))
    history.record(_closing(closing, CLOSED_AT))
    for command in (
        cmd.CompletePlanActivity(activity_id=GOAL_ACTIVITY_ID, notes="Done", occurred_at=after),
        cmd.ReachMilestone(milestone_id=GOAL_MILESTONE_ID, notes="Led", occurred_at=after),
        cmd.EvaluateProgress(
            evaluation_id=UUID(int=0xE7A1),
            goal_progress=(GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),),
            evidence="Two family meetings led",
            occurred_at=after,
        ),
        attrs.evolve(feedback(after, about=None), about_goal_id=GOAL_ID),
    ):
        accepted(history, command)


def test_a_milestone_reached_before_its_goal_was_achieved_may_be_recorded_late() -> None:
    history = goal_set()
    history.record(_plan_for_goal("milestone", SET_AT))
    history.record(_closing("achieved", CLOSED_AT))
    reached = CLOSED_AT - timedelta(days=1)
    accepted(
        history,
        cmd.ReachMilestone(milestone_id=GOAL_MILESTONE_ID, notes="Led", occurred_at=reached),
    )
    milestone = history.state.milestone(GOAL_MILESTONE_ID)
    assert milestone is not None and milestone.reached_at == reached


def test_a_schedule_changes_no_earlier_than_it_was_agreed_or_last_changed() -> None:
    agreed_at, changed_at = NOW - timedelta(days=9), NOW - timedelta(days=4)

    def change(at: datetime, minutes: int = 30) -> cmd.ChangeSchedule:
        schedule = attrs.evolve(WEEKLY_HOUR, duration_minutes=minutes)
        return cmd.ChangeSchedule(schedule=schedule, reason="Rota", occurred_at=at)

    def agreed() -> History:
        history = relationship_history()
        history.record(cmd.AgreeSchedule(schedule=WEEKLY_HOUR, occurred_at=agreed_at))
        return history

    def changed() -> History:
        history = agreed()
        history.record(change(changed_at, minutes=45))
        return history

    agreed().refuse(
        change(agreed_at - SECOND),
        Rule.TIMELINE,
        f"is before the schedule was agreed on {agreed_at.isoformat()}",
    )
    changed().refuse(
        change(changed_at - SECOND),
        Rule.TIMELINE,
        f"is before the schedule was last changed on {changed_at.isoformat()}",
    )
    accepted(agreed(), change(agreed_at))
    accepted(changed(), change(changed_at))


def test_expectations_are_agreed_again_no_earlier_than_last_agreed() -> None:
    agreed_at = NOW - timedelta(days=6)

    def agree(at: datetime) -> cmd.AgreeExpectations:
        return cmd.AgreeExpectations(expectations=("Meet fortnightly",), occurred_at=at)

    def agreed() -> History:
        history = relationship_history()
        history.record(agree(agreed_at))
        return history

    agreed().refuse(
        agree(agreed_at - SECOND),
        Rule.TIMELINE,
        f"broken: AgreeExpectations dated {(agreed_at - SECOND).isoformat()} is before the "
        f"expectations in force were agreed on {agreed_at.isoformat()}",
    )
    history = agreed()
    accepted(history, agree(agreed_at))
    assert history.state.expectations_since == agreed_at


def test_a_profile_is_updated_again_no_earlier_than_last_updated() -> None:
    updated_at = NOW - timedelta(days=3)

    def update(at: datetime, need: FocusArea) -> cmd.UpdateProfile:
        return cmd.UpdateProfile(person_id="fay", development_needs=(need,), occurred_at=at)

    def updated() -> History:
        history = enrolled_later()
        history.record(update(updated_at, FocusArea.COMMUNICATION))
        return history

    updated().refuse(
        update(updated_at - SECOND, FocusArea.TEAMWORK),
        Rule.TIMELINE,
        f"broken: UpdateProfile dated {(updated_at - SECOND).isoformat()} is before the "
        f"profile of 'fay' was last updated on {updated_at.isoformat()}",
    )
    history = updated()
    accepted(history, update(updated_at, FocusArea.TEAMWORK))
    fay = history.state.participant("fay")
    assert fay is not None
    assert (fay.development_needs, fay.profile_updated_at) == ((FocusArea.TEAMWORK,), updated_at)


def test_a_withdrawal_is_dated_no_earlier_than_the_latest_profile_update() -> None:
    updated_at = NOW - timedelta(days=3)

    def updated() -> History:
        history = enrolled_later()
        history.record(
            cmd.UpdateProfile(
                person_id="fay", development_needs=(FocusArea.TEAMWORK,), occurred_at=updated_at
            )
        )
        return history

    def withdrawal(at: datetime) -> cmd.WithdrawParticipant:
        return cmd.WithdrawParticipant(person_id="fay", reason="Left", occurred_at=at)

    updated().refuse(
        withdrawal(updated_at - SECOND),
        Rule.TIMELINE,
        f"broken: WithdrawParticipant dated {(updated_at - SECOND).isoformat()} is before the "
        f"profile of 'fay' was last updated on {updated_at.isoformat()}",
    )
    accepted(updated(), withdrawal(updated_at))


def test_a_policy_replaces_the_one_in_force_no_earlier_than_it_was_set() -> None:
    later = CREATED_AT + timedelta(days=3)

    def replaced() -> History:
        history = programme_history()
        monthly_reviews = attrs.evolve(POLICY, review_interval_days=30)
        history.record(cmd.SetPolicy(policy=monthly_reviews, occurred_at=later))
        return history

    replaced().refuse(
        cmd.SetPolicy(policy=POLICY, occurred_at=later - SECOND),
        Rule.TIMELINE,
        f"broken: SetPolicy dated {(later - SECOND).isoformat()} is before the policy in "
        f"force was set on {later.isoformat()}",
    )
    accepted(replaced(), cmd.SetPolicy(policy=POLICY, occurred_at=later))


def test_a_coordinator_is_relieved_no_earlier_than_appointed() -> None:
    appointed_at = CREATED_AT + timedelta(days=4)

    def appointed() -> History:
        history = riverside()
        history.record(cmd.AppointCoordinator(person_id="cora", occurred_at=appointed_at))
        return history

    def relieved(at: datetime) -> cmd.RelieveCoordinator:
        return cmd.RelieveCoordinator(person_id="cora", reason="Moved team", occurred_at=at)

    appointed().refuse(
        relieved(appointed_at - SECOND),
        Rule.TIMELINE,
        f"broken: RelieveCoordinator dated {(appointed_at - SECOND).isoformat()} is before "
        f"'cora' was appointed on {appointed_at.isoformat()}",
    )
    history = appointed()
    accepted(history, relieved(appointed_at))
    assert history.state.coordinators == frozenset()
    (kept,) = history.state.appointments
    assert (kept.appointed_at, kept.relieved_at) == (appointed_at, appointed_at)


def test_a_coordinator_is_appointed_again_no_earlier_than_relieved() -> None:
    relieved_at = CREATED_AT + timedelta(days=9)

    def relieved() -> History:
        history = riverside()
        history.record(cmd.AppointCoordinator(person_id="cora", occurred_at=CREATED_AT))
        history.record(
            cmd.RelieveCoordinator(person_id="cora", reason="Leave", occurred_at=relieved_at)
        )
        return history

    def again(at: datetime) -> cmd.AppointCoordinator:
        return cmd.AppointCoordinator(person_id="cora", occurred_at=at)

    relieved().refuse(
        again(relieved_at - SECOND),
        Rule.TIMELINE,
        f"broken: AppointCoordinator dated {(relieved_at - SECOND).isoformat()} is before "
        f"'cora' was relieved on {relieved_at.isoformat()}",
    )
    history = relieved()
    accepted(history, again(relieved_at))
    accepted(history, cmd.RelieveCoordinator(person_id="cora", reason="Moved", occurred_at=NOW))
    assert [(a.appointed_at, a.relieved_at) for a in history.state.appointments] == [
        (CREATED_AT, relieved_at),
        (relieved_at, NOW),
    ]
