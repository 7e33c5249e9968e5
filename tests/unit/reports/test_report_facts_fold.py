"""The facts a report is computed from, folded from each kind of event, checked field by field.

Riverside Care's scenario (``tests/report_scenario.py``) is recorded in a memory
store and folded; every fact is written out here from the scenario's story. A
second, smaller story covers the events the scenario does not have: a declined
proposal, a goal revised then abandoned, a meeting moved by a correction, and a
relationship ended while paused; a third, the kinds of event the facts pass over.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import Any, cast
from uuid import UUID

import attrs
import pytest
from report_scenario import (
    CORRECTED_MEETING,
    FORTNIGHTLY,
    GOAL_1,
    GOAL_2,
    PAIR_A,
    PAIR_B,
    PAIR_C,
    POLICY,
    PROGRAMME,
    WEEKLY,
    SettableClock,
    at,
    record,
)

from mentoring_core import MentoringService
from mentoring_core.domain.events import ProgrammeEvent, RelationshipEvent
from mentoring_core.reports import (
    EvaluationFact,
    GoalFact,
    PauseFact,
    PlanItemFact,
    PolicyFact,
    ProgrammeFacts,
    RelationshipFacts,
    ScheduleFact,
    SelfAssessmentFact,
    compliance_report,
    evolve_programme_facts,
    evolve_relationship_facts,
    fold_programme_facts,
    fold_relationship_facts,
    recorded_by,
)
from mentoring_core.values import (
    Cadence,
    DeclineReason,
    EndReason,
    FocusArea,
    GoalStatus,
    MeetingFormat,
    MeetingOutcome,
    RelationshipStatus,
)

HOUR = timedelta(hours=1)
PAIR_D = UUID("a0a0b0b0-0000-4000-8000-00000000000d")
PAIR_E = UUID("a0a0b0b0-0000-4000-8000-00000000000e")
GOAL_3 = UUID("60a10000-0000-4000-8000-000000000003")
MOVED_MEETING = UUID("3ee70000-0000-4000-8000-000000000020")


def _second_story(service: MentoringService, clock: SettableClock) -> None:
    """Carla is proposed to Eve on 1 April, who declines on the 2nd; Carla and Ben form a
    second pair on 3 April, set a goal, revise it, pause on the 5th and resume on the 6th,
    log a meeting on the 6th that really took place on the 4th, abandon the goal, pause
    again on the 8th and end on the 10th."""

    def on(day: int) -> dict[str, Any]:
        clock.now = datetime(2026, 4, day, 11, tzinfo=UTC)
        return {"actor": "coord", "occurred_at": datetime(2026, 4, day, 10, tzinfo=UTC)}

    service.propose_pairing(PROGRAMME, "carla", "eve", relationship_id=PAIR_D, **on(1))
    service.decline_pairing(PAIR_D, "eve", DeclineReason.NOT_NEEDED, "Settled", **on(2))
    service.form_pair(PROGRAMME, "carla", "ben", relationship_id=PAIR_E, **on(3))
    service.set_goal(
        PAIR_E, "Chair a review", FocusArea.PERFORMANCE, "Chaired one", date(2026, 5, 1),
        goal_id=GOAL_3, **on(3),
    )  # fmt: skip
    service.revise_goal(PAIR_E, GOAL_3, "More time", target_date=date(2026, 6, 1), **on(4))
    service.pause(PAIR_E, "Training week", **on(5))
    service.resume(PAIR_E, **on(6))
    service.record_meeting_held(
        PAIR_E, 50, MeetingFormat.ONE_ON_ONE, ["reviews"], meeting_id=MOVED_MEETING, **on(6)
    )
    service.correct_meeting_record(
        PAIR_E, MOVED_MEETING, "Held on the 4th", held_at=datetime(2026, 4, 4, 15, tzinfo=UTC),
        duration_minutes=75, **on(7),
    )  # fmt: skip
    service.abandon_goal(PAIR_E, GOAL_3, "Role changed", **on(7))
    service.pause(PAIR_E, "Ben on leave", **on(8))
    service.end(PAIR_E, EndReason.REMATCHED, "Moved team", **on(10))


@pytest.fixture(scope="module")
def histories() -> Iterator[dict[UUID, tuple[object, ...]]]:
    clock = SettableClock()
    with MentoringService("memory://", clock=clock) as service:
        record(service, clock)
        _second_story(service, clock)
        ids = (PROGRAMME, PAIR_A, PAIR_B, PAIR_C, PAIR_D, PAIR_E)
        yield {i: service.history(i) for i in ids}


def relationship(histories: dict[UUID, tuple[object, ...]], pair: UUID) -> RelationshipFacts:
    return fold_relationship_facts(cast(list[RelationshipEvent], histories[pair]))


def meetings(facts: RelationshipFacts) -> list[tuple[MeetingOutcome, datetime, int | None]]:
    return [(m.outcome, m.at, m.minutes) for m in facts.meetings]


HELD, MISSED, CANCELLED = MeetingOutcome.HELD, MeetingOutcome.MISSED, MeetingOutcome.CANCELLED


def test_ana_and_ben(histories: dict[UUID, tuple[object, ...]]) -> None:
    facts = relationship(histories, PAIR_A)
    assert attrs.evolve(facts, meetings=()) == RelationshipFacts(
        relationship_id=PAIR_A,
        version=len(histories[PAIR_A]),
        programme_id=PROGRAMME,
        mentor_id="ana",
        mentee_id="ben",
        status=RelationshipStatus.ACTIVE,
        proposed_at=at(1, 5),
        formed_at=at(1, 5),
        schedules=(
            ScheduleFact(at=at(1, 5), cadence=WEEKLY.cadence),
            ScheduleFact(at=at(2, 9), cadence=FORTNIGHTLY.cadence),
        ),
        pauses=(PauseFact(paused_at=at(2, 20), resumed_at=at(3, 6)),),
        goals=(
            GoalFact(
                goal_id=GOAL_1,
                set_at=at(1, 12),
                target_date=date(2026, 3, 31),
                status=GoalStatus.ACHIEVED,
                closed_at=at(3, 25),
            ),
            GoalFact(goal_id=GOAL_2, set_at=at(2, 10), target_date=date(2026, 4, 1)),
        ),
        feedback=(at(1, 15), at(2, 10), at(3, 25)),
        reflections=(at(1, 29),),
        reviews=(at(2, 16),),
        self_assessments=(SelfAssessmentFact(at=at(1, 29), scores=(3,)),),
        evaluations=(EvaluationFact(at=at(2, 16), judgements=()),),
    )
    # The meeting of 10 February was logged as 30 minutes, then corrected to 60.
    assert meetings(facts) == [
        (HELD, at(1, 8), 60),
        (HELD, at(1, 15), 60),
        (MISSED, at(1, 22), None),
        (HELD, at(1, 29), 45),
        (HELD, at(2, 10), 60),
        (CANCELLED, at(3, 12), None),
        (HELD, at(3, 25), 90),
    ]
    assert facts.meetings[4].meeting_id == CORRECTED_MEETING


def test_a_pair_formed_directly_is_active_from_its_formation(
    histories: dict[UUID, tuple[object, ...]],
) -> None:
    formed = fold_relationship_facts(cast(list[RelationshipEvent], histories[PAIR_A][:1]))
    assert formed == RelationshipFacts(
        relationship_id=PAIR_A,
        version=1,
        programme_id=PROGRAMME,
        mentor_id="ana",
        mentee_id="ben",
        status=RelationshipStatus.ACTIVE,
        proposed_at=at(1, 5),
        formed_at=at(1, 5),
    )


def test_carla_and_dan_proposed_accepted_then_withdrawn(
    histories: dict[UUID, tuple[object, ...]],
) -> None:
    facts = relationship(histories, PAIR_B)
    assert attrs.evolve(facts, meetings=()) == RelationshipFacts(
        relationship_id=PAIR_B,
        version=len(histories[PAIR_B]),
        programme_id=PROGRAMME,
        mentor_id="carla",
        mentee_id="dan",
        status=RelationshipStatus.ENDED,
        proposed_at=at(1, 10),
        formed_at=at(1, 12),
        ended_at=at(2, 20),
        end_reason=EndReason.WITHDRAWN_BY_MENTEE,
    )
    assert meetings(facts) == [(HELD, at(1, 13), 60), (HELD, at(1, 27), 60)]


def test_a_proposal_not_answered_has_no_formation(
    histories: dict[UUID, tuple[object, ...]],
) -> None:
    assert relationship(histories, PAIR_C) == RelationshipFacts(
        relationship_id=PAIR_C,
        version=len(histories[PAIR_C]),
        programme_id=PROGRAMME,
        mentor_id="ana",
        mentee_id="eve",
        status=RelationshipStatus.PROPOSED,
        proposed_at=at(3, 30),
    )


def test_a_declined_proposal(histories: dict[UUID, tuple[object, ...]]) -> None:
    assert relationship(histories, PAIR_D) == RelationshipFacts(
        relationship_id=PAIR_D,
        version=len(histories[PAIR_D]),
        programme_id=PROGRAMME,
        mentor_id="carla",
        mentee_id="eve",
        status=RelationshipStatus.DECLINED,
        proposed_at=at(4, 1),
        declined_at=at(4, 2),
    )


def test_a_revised_and_abandoned_goal_a_moved_meeting_and_an_ending_while_paused(
    histories: dict[UUID, tuple[object, ...]],
) -> None:
    facts = relationship(histories, PAIR_E)
    assert attrs.evolve(facts, meetings=()) == RelationshipFacts(
        relationship_id=PAIR_E,
        version=len(histories[PAIR_E]),
        programme_id=PROGRAMME,
        mentor_id="carla",
        mentee_id="ben",
        status=RelationshipStatus.ENDED,
        proposed_at=at(4, 3),
        formed_at=at(4, 3),
        ended_at=at(4, 10),
        end_reason=EndReason.REMATCHED,
        # The pause under way when the relationship ended closes at the ending; the
        # earlier one stays as it was.
        pauses=(
            PauseFact(paused_at=at(4, 5), resumed_at=at(4, 6)),
            PauseFact(paused_at=at(4, 8), resumed_at=at(4, 10)),
        ),
        goals=(
            GoalFact(
                goal_id=GOAL_3,
                set_at=at(4, 3),
                target_date=date(2026, 6, 1),
                status=GoalStatus.ABANDONED,
                closed_at=at(4, 7),
            ),
        ),
    )
    # Held on the 4th at 15:00 for 75 minutes, as corrected; logged on the 6th for 50.
    assert meetings(facts) == [(HELD, datetime(2026, 4, 4, 15, tzinfo=UTC), 75)]
    assert facts.meetings[0].meeting_id == MOVED_MEETING


def test_the_programme(histories: dict[UUID, tuple[object, ...]]) -> None:
    facts = fold_programme_facts(cast(list[ProgrammeEvent], histories[PROGRAMME]))
    assert facts == ProgrammeFacts(
        programme_id=PROGRAMME,
        version=len(histories[PROGRAMME]),
        name="Riverside first-year",
        organisation="Riverside Care",
        created_at=at(1, 1),
        policies=(PolicyFact(at=at(1, 1), policy=POLICY),),
        relationship_ids=(PAIR_A, PAIR_B, PAIR_C, PAIR_D, PAIR_E),
    )


def test_folding_a_history_again_changes_nothing(
    histories: dict[UUID, tuple[object, ...]],
) -> None:
    programme = cast(list[ProgrammeEvent], histories[PROGRAMME])
    once = fold_programme_facts(programme)
    assert reduce(evolve_programme_facts, programme, once) == once
    pair = cast(list[RelationshipEvent], histories[PAIR_A])
    folded = fold_relationship_facts(pair)
    assert reduce(evolve_relationship_facts, pair, folded) == folded


def test_recorded_by_keeps_the_history_up_to_the_first_event_recorded_later(
    histories: dict[UUID, tuple[object, ...]],
) -> None:
    pair = cast(list[RelationshipEvent], histories[PAIR_B])
    # Each event is recorded an hour after it happened: the meeting of 13 January is
    # recorded at 11:00 that day, and an event recorded exactly at the moment counts.
    kept = recorded_by(pair, at(1, 13) + HOUR)
    assert [e.occurred_at for e in kept] == [at(1, 10), at(1, 12), at(1, 13)]
    assert recorded_by(pair, at(1, 13) + HOUR - timedelta(microseconds=1)) == kept[:2]
    # An event recorded earlier than one before it is not reached past the later one.
    shuffled = [pair[0], attrs.evolve(pair[1], recorded_at=at(3, 1)), pair[2]]
    assert recorded_by(shuffled, at(2, 1)) == (pair[0],)


def test_a_schedule_fact_keeps_the_cadence_agreed() -> None:
    assert ScheduleFact(at=at(1, 5), cadence=Cadence.weekly()).cadence == WEEKLY.cadence


def test_the_figures_read_each_relationships_facts(
    histories: dict[UUID, tuple[object, ...]],
) -> None:
    programme = fold_programme_facts(cast(list[ProgrammeEvent], histories[PROGRAMME]))
    pairs = [relationship(histories, p) for p in programme.relationship_ids]
    report = compliance_report(programme, pairs, as_of=datetime(2026, 4, 15, 12, tzinfo=UTC))
    figures = {f.relationship_id: f for f in report.relationships}
    a, e, d = figures[PAIR_A], figures[PAIR_E], figures[PAIR_D]
    # Ana and Ben: active; goal 1 achieved on 25 March, goal 2 (due 1 April) still open.
    assert (a.status, a.end_reason, a.proposed_at, a.formed_at, a.ended_at) == (
        RelationshipStatus.ACTIVE, None, at(1, 5), at(1, 5), None,
    )  # fmt: skip
    assert (a.goals_set, a.goals_achieved, a.goals_abandoned, a.goals_overdue) == (2, 1, 0, 1)
    assert (a.feedback_given, a.reflections_recorded) == (3, 1)
    # Carla and Ben: rematched on 10 April; the abandoned goal is neither achieved nor overdue.
    assert (e.status, e.end_reason, e.proposed_at, e.formed_at, e.ended_at) == (
        RelationshipStatus.ENDED, EndReason.REMATCHED, at(4, 3), at(4, 3), at(4, 10),
    )  # fmt: skip
    assert (e.goals_set, e.goals_achieved, e.goals_abandoned, e.goals_overdue) == (1, 0, 1, 0)
    assert (e.feedback_given, e.reflections_recorded) == (0, 0)
    # Carla and Eve: declined, never formed.
    assert (d.status, d.proposed_at, d.formed_at) == (RelationshipStatus.DECLINED, at(4, 1), None)


def test_plans_and_milestones_are_folded_and_expectations_change_only_the_version() -> None:
    """Plan activities and milestones keep their due dates, the goal they are toward and
    when they were done; the reports count no expectations: folding them only moves the
    facts' version on."""
    activity, milestone = UUID(int=1), UUID(int=2)
    clock = SettableClock()
    with MentoringService("memory://", clock=clock) as service:
        record(service, clock)
        before = len(service.history(PAIR_A))

        def on(day: int) -> dict[str, Any]:
            clock.now = datetime(2026, 4, day, 11, tzinfo=UTC)
            return {"actor": "ana", "occurred_at": datetime(2026, 4, day, 10, tzinfo=UTC)}

        service.agree_expectations(PAIR_A, ["Meet fortnightly"], **on(20))
        service.add_plan_activity(
            PAIR_A, "Shadow a review", date(2026, 5, 1), goal_id=GOAL_2, activity_id=activity,
            **on(20),
        )  # fmt: skip
        service.complete_plan_activity(PAIR_A, activity, "Shadowed one", **on(21))
        service.set_milestone(
            PAIR_A, "First review led", date(2026, 5, 10), goal_id=GOAL_2,
            milestone_id=milestone, **on(21),
        )  # fmt: skip
        service.reach_milestone(PAIR_A, milestone, "Led one", **on(22))
        history = cast(list[RelationshipEvent], service.history(PAIR_A))
    assert len(history) == before + 5
    folded = fold_relationship_facts(history[:before])
    assert fold_relationship_facts(history) == attrs.evolve(
        folded,
        version=before + 5,
        activities=(
            PlanItemFact(
                item_id=activity, due_date=date(2026, 5, 1), done_at=at(4, 21), goal_id=GOAL_2
            ),
        ),
        milestones=(
            PlanItemFact(
                item_id=milestone, due_date=date(2026, 5, 10), done_at=at(4, 22), goal_id=GOAL_2
            ),
        ),
    )


def test_a_change_to_an_item_reaches_every_item_of_that_id_and_no_other() -> None:
    """Ids repeated (events are facts: an imported history may hold such a plan), an id
    no item has, and items added after the draft first looked for one."""
    from mentoring_core.domain.events import PlanActivityAdded, PlanActivityCompleted
    from mentoring_core.reports._facts import RelationshipDraft

    one, other = UUID(int=1), UUID(int=2)
    base = {"aggregate_id": PAIR_A, "recorded_at": at(4, 1), "actor": "cleo"}
    versions = iter(range(1, 100))

    def added(item_id: UUID, day: int) -> PlanActivityAdded:
        version = next(versions)
        return PlanActivityAdded(
            **base, event_id=UUID(int=100 + version), version=version, occurred_at=at(4, 1),
            activity_id=item_id, description="d", due_date=date(2026, 5, day), goal_id=None,
        )  # fmt: skip

    def completed(item_id: UUID, day: int) -> PlanActivityCompleted:
        version = next(versions)
        return PlanActivityCompleted(
            **base, event_id=UUID(int=100 + version), version=version,
            occurred_at=at(4, day), activity_id=item_id, notes="n",
        )  # fmt: skip

    draft = RelationshipDraft(RelationshipFacts())
    for event in (added(one, 1), added(other, 2), completed(one, 10), completed(UUID(int=3), 11)):
        draft.add(event)
    for event in (added(one, 3), added(other, 4), completed(other, 12)):
        draft.add(event)
    facts = draft.facts()
    assert [(i.item_id, i.due_date.day) for i in facts.activities] == [
        (one, 1), (other, 2), (one, 3), (other, 4)
    ]  # fmt: skip
    # the first completion of ``one`` came before the second item of that id was added
    assert [i.done_at for i in facts.activities] == [at(4, 10), at(4, 12), None, at(4, 12)]
    assert type(facts.activities) is tuple


def test_a_meeting_without_its_own_flag_takes_the_schedule_in_force_at_its_moment() -> None:
    """Before any schedule: in working hours. From the very moment a schedule is agreed
    on, what it says (its own moment included)."""
    from mentoring_core.domain.events import MeetingHeld, ScheduleAgreed
    from mentoring_core.reports._facts import RelationshipDraft

    base = {"aggregate_id": PAIR_A, "recorded_at": at(4, 1), "actor": "cleo"}
    outside = attrs.evolve(WEEKLY, in_working_hours=False)

    def held(version: int, moment: datetime) -> MeetingHeld:
        return MeetingHeld(
            **base, event_id=UUID(int=200 + version), version=version, occurred_at=moment,
            meeting_id=UUID(int=300 + version), duration_minutes=30,
            format=WEEKLY.format, topics=(), attendees=(),
        )  # fmt: skip

    draft = RelationshipDraft(RelationshipFacts())
    draft.add(held(1, at(4, 2)))
    draft.add(
        ScheduleAgreed(
            **base, event_id=UUID(int=202), version=2, occurred_at=at(4, 3), schedule=outside
        )
    )
    draft.add(held(3, at(4, 3)))  # at the schedule's own moment
    assert [m.in_working_hours for m in draft.facts().meetings] == [True, False]
