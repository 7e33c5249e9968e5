"""The deciders and the registry of kinds: routing commands and events to their aggregate.

A command may name the aggregate it is for (the service needs it); the pure deciders
take the aggregate's state and refuse a command naming another one.
"""

from __future__ import annotations

from datetime import timedelta
from functools import reduce
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scenarios import (
    PROGRAMME_ID,
    RELATIONSHIP_ID,
    SET_LISTENING_GOAL,
    programme_history,
    relationship_history,
)
from strategies import NOW

from mentoring_core import InvalidValue
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import decide_pairing
from mentoring_core.domain import decider as decider_module
from mentoring_core.domain.decider import Added, Changes, Decider, LatestFact, Replaced
from mentoring_core.domain.events import (
    EVENT_TYPES,
    GoalSet,
    ProgrammeCreated,
    ProgrammeEvent,
    RelationshipEvent,
)
from mentoring_core.domain.kinds import (
    KINDS,
    PROGRAMME,
    RELATIONSHIP,
    kind_named,
    kind_of,
    kind_of_command,
    kind_of_topic,
)
from mentoring_core.state import Participant, PlanActivity, ProgrammeState, RelationshipState
from mentoring_core.values import Role

OTHER = UUID("0ddba11a-0000-4000-8000-000000000000")


def _named(command: cmd.SetGoal, relationship_id: UUID) -> cmd.SetGoal:
    return attrs.evolve(command, relationship_id=relationship_id)


def test_a_command_naming_its_own_relationship_is_decided() -> None:
    history = relationship_history()
    events = history.record(_named(SET_LISTENING_GOAL, RELATIONSHIP_ID))
    assert events[0].aggregate_id == RELATIONSHIP_ID


def test_a_command_naming_another_relationship_is_refused() -> None:
    history = relationship_history()
    error = history.reject(_named(SET_LISTENING_GOAL, OTHER), "relationship_id", OTHER)
    assert str(RELATIONSHIP_ID) in str(error)


def test_a_command_naming_another_programme_is_refused() -> None:
    history = programme_history()
    command = cmd.EnrolParticipant(
        programme_id=OTHER, person_id="fay", role=Role.MENTEE, experience_years=1
    )
    error = history.reject(command, "programme_id", OTHER)
    assert str(PROGRAMME_ID) in str(error)
    named = cmd.EnrolParticipant(
        programme_id=PROGRAMME_ID, person_id="fay", role=Role.MENTEE, experience_years=1
    )
    assert history.record(named)[0].person_id == "fay"


def test_opening_in_another_programme_is_refused() -> None:
    programme = programme_history()
    command = cmd.OpenRelationship(
        programme_id=OTHER,
        relationship_id=RELATIONSHIP_ID,
        mentor_id="ana",
        mentee_id="ben",
        direct=True,
    )
    with pytest.raises(InvalidValue) as info:
        decide_pairing(command, programme.state, RelationshipState(), programme.ctx)
    assert info.value.field == "programme_id" and str(PROGRAMME_ID) in str(info.value)
    assert info.value.value == OTHER
    assert info.value.expected == f"the programme decided on, {PROGRAMME_ID}"
    not_an_id = attrs.evolve(command, programme_id="riverside")
    with pytest.raises(InvalidValue) as info:
        decide_pairing(not_an_id, programme.state, RelationshipState(), programme.ctx)
    assert (info.value.field, info.value.value) == ("programme_id", "riverside")


def test_each_kind_has_its_name_state_and_events() -> None:
    assert KINDS == (PROGRAMME, RELATIONSHIP)
    assert (PROGRAMME.name, RELATIONSHIP.name) == ("programme", "relationship")
    assert PROGRAMME.initial == ProgrammeState() and RELATIONSHIP.initial == RelationshipState()
    assert all(issubclass(t, ProgrammeEvent) for t in PROGRAMME.event_types)
    assert all(issubclass(t, RelationshipEvent) for t in RELATIONSHIP.event_types)
    assert set(EVENT_TYPES.values()) == {*PROGRAMME.event_types, *RELATIONSHIP.event_types}
    assert PROGRAMME.event_types[0] is ProgrammeCreated
    assert repr(RELATIONSHIP) == "Decider('relationship')"
    assert cmd.SetGoal in RELATIONSHIP.command_types
    assert cmd.SetPolicy in PROGRAMME.command_types


def test_events_and_commands_find_their_kind() -> None:
    assert kind_of(GoalSet) is RELATIONSHIP and kind_of(ProgrammeCreated) is PROGRAMME
    assert kind_named("programme") is PROGRAMME and kind_named("relationship") is RELATIONSHIP
    assert kind_of_command(SET_LISTENING_GOAL) is RELATIONSHIP
    assert kind_of_command(cmd.SetPolicy(policy=None)) is PROGRAMME  # type: ignore[arg-type]


NO_COMMAND = cmd.Command()


@pytest.mark.parametrize(
    ("call", "field", "value", "expected"),
    [
        (lambda: kind_named("meeting"), "kind", "meeting", "one of programme, relationship"),
        (
            lambda: kind_of(object),  # type: ignore[arg-type]
            "event",
            object,
            "a programme or relationship event",
        ),
        (
            lambda: kind_of_command(NO_COMMAND),
            "command",
            NO_COMMAND,
            "a programme or relationship command",
        ),
    ],
)
def test_what_belongs_to_no_kind_is_refused(
    call: object, field: str, value: object, expected: str
) -> None:
    with pytest.raises(InvalidValue) as info:
        call()  # type: ignore[operator]
    assert (info.value.field, info.value.value, info.value.expected) == (field, value, expected)


def test_a_command_no_handler_decides_is_refused() -> None:
    history = relationship_history()
    history.reject(cmd.RelationshipCommand(), "command", "a relationship command")


def test_created_fields_are_declared_on_the_commands() -> None:
    assert cmd.created_field(cmd.SetGoal) == "goal_id"
    assert cmd.created_field(cmd.CreateProgramme) == "programme_id"
    assert cmd.created_field(cmd.OpenRelationship) == "relationship_id"
    assert cmd.created_field(cmd.RecordMeetingMissed) == "meeting_id"
    assert cmd.created_field(cmd.AchieveGoal) is None
    assert cmd.created_field(cmd.SetPolicy) is None


def test_an_event_type_with_no_fold_only_moves_the_version() -> None:
    history = relationship_history()
    before = history.state
    unknown = RelationshipEvent(**{**_fields(history.events[0]), "version": 2})
    after = RELATIONSHIP.evolve(before, unknown)
    assert after.version == 2
    assert after == type(before)(**{**_state_fields(before), "version": 2})


def _fields(event: object) -> dict[str, object]:
    return {f.name: getattr(event, f.name) for f in attrs.fields(RelationshipEvent)}


def _state_fields(state: object) -> dict[str, object]:
    return attrs.asdict(state, recurse=False)


def test_an_aggregate_id_that_is_not_a_uuid_is_refused_by_name() -> None:
    relationship = relationship_history()
    relationship.reject(
        attrs.evolve(SET_LISTENING_GOAL, relationship_id="pair-1"), "relationship_id", "pair-1"
    )
    programme = programme_history()
    enrol = cmd.EnrolParticipant(
        programme_id="riverside",  # type: ignore[arg-type]
        person_id="fay",
        role=Role.MENTEE,
        experience_years=1,
    )
    programme.reject(enrol, "programme_id", "riverside")


@attrs.frozen(kw_only=True)
class _Noted(RelationshipEvent):
    note: str


def note_decider(initial: Any = None, **options: Any) -> Decider[Any]:
    """A kind built at run time (as the module tables build theirs at import), so that
    mutants of building one can be seen; its state a relationship's unless given."""
    return Decider(
        "note",
        initial=RelationshipState() if initial is None else initial,
        event_type=RelationshipEvent,
        command_type=cmd.RelationshipCommand,
        id_field="relationship_id",
        **options,
    )


def test_a_decider_built_and_filled_at_run_time_decides_and_folds() -> None:
    """What the module tables do at import, done in a test (so mutants of it can be seen)."""
    decider = note_decider()
    assert (decider.name, decider.initial, decider.id_field) == (
        "note",
        RelationshipState(),
        "relationship_id",
    )
    assert decider.event_type is RelationshipEvent
    assert decider.command_type is cmd.RelationshipCommand
    seen: list[object] = []

    def prepare(command: object, state: object, ctx: object) -> dict[str, object]:
        seen.append(command)
        return {"prepared": True}

    def handle(command: object, state: object, meta: dict[str, object]) -> tuple[object, ...]:
        return (meta,)

    decider.handles({cmd.PauseRelationship: handle}, prepare=prepare)
    decider.handles({cmd.ResumeRelationship: handle})  # keeps the checks registered first
    resume = cmd.ResumeRelationship()
    assert decider.decide(resume, RelationshipState(), None) == ({"prepared": True},)  # type: ignore[arg-type]
    assert seen == [resume]
    assert decider.command_types == (cmd.PauseRelationship, cmd.ResumeRelationship)

    def fold(state: RelationshipState, event: _Noted) -> Changes:
        return {"expectations": (event.note,)}

    decider.folds({_Noted: fold})
    event = _Noted(**{**_fields(relationship_history().events[0]), "version": 3}, note="hi")
    assert decider.evolve(RelationshipState(), event).expectations == ("hi",)
    assert decider.event_types == (_Noted,)
    assert EVENT_TYPES.pop("_Noted") is _Noted  # registered as readable; taken back here


@attrs.frozen(kw_only=True)
class _Cleared(RelationshipEvent):
    pass


@attrs.frozen(kw_only=True)
class _ClearedToo(_Cleared):
    pass


@attrs.frozen(kw_only=True)
class _NotedLater(_Noted):
    pass


def test_a_fold_grows_a_field_in_place_and_a_value_given_replaces_what_was_added() -> None:
    decider = note_decider()

    def noted(state: RelationshipState, event: _Noted) -> Changes:
        return {"expectations": Added(event.note)}

    def cleared(state: RelationshipState, event: _Cleared) -> Changes:
        return {"expectations": ("cleared",)}

    decider.folds({_Noted: noted, _Cleared: cleared})
    base = _fields(relationship_history().events[0])
    history = [
        _Noted(**{**base, "version": 1}, note="a"),
        _Noted(**{**base, "version": 2}, note="b"),
        _Cleared(**{**base, "version": 3}),
        _Noted(**{**base, "version": 4}, note="c"),
    ]
    for upto in (2, 3, 4):
        one_by_one = reduce(decider.evolve, history[:upto], RelationshipState())
        assert decider.fold(RelationshipState(), history[:upto]) == one_by_one
    assert one_by_one.expectations == ("cleared", "c")
    assert one_by_one.version == 4
    assert EVENT_TYPES.pop("_Noted") is _Noted  # registered as readable; taken back here
    assert EVENT_TYPES.pop("_Cleared") is _Cleared


_STEPS = st.lists(
    st.tuples(st.sampled_from(("add", "done", "renumber", "set", "read")), st.integers(0, 3)),
    max_size=30,
)


def _activity(number: int, version: int) -> PlanActivity:
    return PlanActivity(
        activity_id=UUID(int=number), description=f"added at {version}", due_date=NOW.date(),
        goal_id=None,
    )  # fmt: skip


def _marked(activity: PlanActivity) -> PlanActivity:
    return attrs.evolve(activity, notes=f"{activity.notes}+")


def _renumbered(number: int) -> Any:
    return lambda activity: attrs.evolve(activity, activity_id=UUID(int=number + 1))


def _plan_folds(state: RelationshipState, event: _Noted) -> Changes:
    """Each note one step on the plan: ``add n``, ``done n`` (the items of id n marked
    once more), ``renumber n`` (their id moved to n + 1), ``set n`` (the plan replaced
    by its first n items, as read), ``read n`` (the plan's length kept)."""
    step, number = event.note.split()
    n, item_id = int(number), UUID(int=int(number))
    if step == "add":
        return {"plan": Added(_activity(n, event.version))}
    if step == "done":
        return {
            "plan": Replaced("activity_id", item_id, lambda a: attrs.evolve(a, notes=f"{a.notes}+"))
        }
    if step == "renumber":
        moved = UUID(int=n + 1)
        return {
            "plan": Replaced("activity_id", item_id, lambda a: attrs.evolve(a, activity_id=moved))
        }
    if step == "set":
        return {"plan": state.plan[:n]}
    return {"expectations": Added(str(len(state.plan)))}


def _plan_model(steps: list[tuple[str, int]]) -> tuple[tuple[PlanActivity, ...], tuple[str, ...]]:
    """What the steps give, with plain lists."""
    plan: list[PlanActivity] = []
    read: list[str] = []
    for version, (step, n) in enumerate(steps, start=1):
        if step == "add":
            plan.append(_activity(n, version))
        elif step == "done":
            plan = [
                attrs.evolve(a, notes=f"{a.notes}+") if a.activity_id.int == n else a for a in plan
            ]
        elif step == "renumber":
            plan = [
                attrs.evolve(a, activity_id=UUID(int=n + 1)) if a.activity_id.int == n else a
                for a in plan
            ]
        elif step == "set":
            plan = plan[:n]
        else:
            read.append(str(len(plan)))
    return tuple(plan), tuple(read)


@settings(max_examples=400)
@given(steps=_STEPS, split=st.integers(0, 30))
# the places of ids found after a key's first change, then an item added, then an id moved
@example(steps=[("add", 0), ("done", 0), ("done", 0), ("add", 0), ("done", 0)], split=0)
@example(steps=[("add", 0), ("done", 0), ("renumber", 0), ("done", 0)], split=0)
def test_items_added_and_replaced_by_id_in_place_give_what_new_tuples_give(
    steps: list[tuple[str, int]], split: int
) -> None:
    """A fold changes a growing field in place (its items in a list, found by an index of
    their ids): any mix of items added, replaced by id (an id changed too), the field
    set whole and read, folded at once, in two folds or one event at a time, gives what
    plain tuples give."""
    decider = note_decider()
    decider.folds({_Noted: _plan_folds})
    base = _fields(relationship_history().events[0])
    history = [
        _Noted(**{**base, "version": version}, note=f"{step} {n}")
        for version, (step, n) in enumerate(steps, start=1)
    ]
    at_once = decider.fold(RelationshipState(), history)
    in_two = decider.fold(decider.fold(RelationshipState(), history[:split]), history[split:])
    one_by_one = reduce(decider.evolve, history, RelationshipState())
    plan, read = _plan_model(steps)
    for state in (at_once, in_two, one_by_one):
        assert (state.plan, state.expectations) == (plan, read)
        assert type(state.plan) is tuple
    assert EVENT_TYPES.pop("_Noted") is _Noted  # registered as readable; taken back here


def test_items_of_one_field_are_found_by_whichever_key_each_change_names() -> None:
    decider = note_decider()
    goals = UUID(int=10), UUID(int=20)
    first, second = (
        attrs.evolve(_activity(n, 1), goal_id=goal) for n, goal in zip((1, 2), goals, strict=True)
    )

    def noted(state: RelationshipState, event: _Noted) -> Changes:
        if event.note == "add":
            return {"plan": (first, second)}
        key, number = event.note.split()
        return {"plan": Replaced(key, UUID(int=int(number)), _marked)}

    decider.folds({_Noted: noted})
    base = _fields(relationship_history().events[0])
    # each key's first change reads the ids, its second makes an index of them
    notes = ("add", "activity_id 1", "activity_id 2", "goal_id 20", "goal_id 10", "activity_id 2")
    history = [_Noted(**{**base, "version": v}, note=n) for v, n in enumerate(notes, start=1)]
    assert decider.fold(RelationshipState(), history).plan == (
        _marked(_marked(first)),
        _marked(_marked(_marked(second))),
    )
    assert EVENT_TYPES.pop("_Noted") is _Noted


def test_replacing_items_of_a_frozenset_field_is_refused() -> None:
    decider = note_decider(ProgrammeState())

    def noted(state: ProgrammeState, event: _Noted) -> Changes:
        return {"coordinators": Replaced("person_id", UUID(int=1), lambda item: item)}

    decider.folds({_Noted: noted})
    event = _Noted(**{**_fields(relationship_history().events[0]), "version": 1}, note="x")
    with pytest.raises(TypeError, match="a tuple field, not a frozenset"):
        decider.evolve(ProgrammeState(coordinators=frozenset({"ana"})), event)
    assert EVENT_TYPES.pop("_Noted") is _Noted


def test_a_decider_leaves_out_history_decides_by_its_rule_and_folds_every_event() -> None:
    """The options of a kind whose states grow with their history (as the relationship's
    do), built in a test so that mutants of them can be seen."""

    decider = note_decider(
        without_history={"expectations": ()},
        latest_fact=LatestFact("latest_fact_at", except_types=(GoalSet,)),
    )
    whole = RelationshipState(expectations=("listen",))
    assert decider.leaves_out_history
    assert decider.without_history(whole).expectations == ()
    pause, resume = cmd.PauseRelationship(reason="leave"), cmd.ResumeRelationship()
    assert not decider.needs_history(resume)  # no rule registered yet: none needs it
    always_whole = note_decider()
    always_whole.handles({}, needs_history=lambda command: True)
    assert not always_whole.needs_history(pause)  # its cached states are whole already
    decider.handles({}, needs_history=lambda command: command is pause)
    decider.handles({})  # keeps the rule registered first
    assert decider.needs_history(pause)
    assert not decider.needs_history(resume)
    event = relationship_history().events[0]
    folded = decider.fold(RelationshipState(), [event])
    assert folded.latest_fact_at == event.occurred_at
    assert decider.evolve(RelationshipState(), event) == folded
    kept = decider.fold(whole, [event], without_history=True)  # as the service keeps it
    assert kept == decider.without_history(decider.fold(whole, [event]))
    assert (kept.expectations, kept.version) == ((), event.version)
    stripped = decider.without_history(whole)
    assert decider.without_history(stripped) is stripped  # already without: itself
    assert always_whole.fold(whole, [event], without_history=True).expectations == ("listen",)
    assert always_whole.without_history(whole) is whole


def test_the_latest_fact_moves_on_only_to_later_dates_of_the_types_it_counts() -> None:
    """:class:`LatestFact`: a later date moves it on, an earlier or equal one does not, an
    event of a type left out (or of a subclass of one) or of another kind never does."""
    decider = note_decider(latest_fact=LatestFact("latest_fact_at", except_types=(_Cleared,)))
    base = _fields(relationship_history().events[0])
    start = base["occurred_at"]

    def noted(version: int, days: int, cls: type[RelationshipEvent] = _Noted) -> Any:
        fields = {**base, "version": version, "occurred_at": start + timedelta(days=days)}
        return cls(**fields, note="n") if cls is _Noted or cls is _NotedLater else cls(**fields)

    history = [
        noted(1, 2),
        noted(2, 1),
        noted(3, 2),
        noted(4, 9, _Cleared),
        noted(5, 8, _ClearedToo),
    ]
    for upto, latest in ((1, 2), (2, 2), (3, 2), (4, 2), (5, 2)):
        expected = start + timedelta(days=latest)
        assert decider.fold(RelationshipState(), history[:upto]).latest_fact_at == expected
        assert (
            reduce(decider.evolve, history[:upto], RelationshipState()).latest_fact_at == expected
        )
    later = noted(6, 3, _NotedLater)  # a subclass of a type counted
    moved = decider.fold(RelationshipState(), [*history, later])
    assert moved.latest_fact_at == start + timedelta(days=3)
    foreign = attrs.evolve(programme_history().events[0], occurred_at=start + timedelta(days=30))
    assert decider.fold(moved, [foreign]).latest_fact_at == moved.latest_fact_at
    assert note_decider().fold(RelationshipState(), history).latest_fact_at is None


def test_a_fold_reads_the_state_so_far_through_its_methods_and_properties() -> None:
    """Within one fold, a later event's fold that asks the state a question (a method, a
    property) is answered from the fields the earlier events changed."""
    decider = note_decider(ProgrammeState())

    def noted(state: ProgrammeState, event: _Noted) -> Changes:
        if state.participant(event.note) is None:  # a method
            return {"coordinators": state.coordinators | {event.note}}
        return {"name": f"{event.note} enrolled, gap {state.minimum_experience_gap_years}"}

    def cleared(state: ProgrammeState, event: _Cleared) -> Changes:
        ana = Participant(
            person_id="ana", role=Role.MENTOR, experience_years=9, enrolled_at=event.occurred_at
        )
        return {"participants": Added(ana)}

    decider.folds({_Noted: noted, _Cleared: cleared})
    base = _fields(relationship_history().events[0])
    history = [_Cleared(**{**base, "version": 1}), _Noted(**{**base, "version": 2}, note="ana")]
    folded = decider.fold(ProgrammeState(), history)
    assert folded == reduce(decider.evolve, history, ProgrammeState())
    assert (folded.name, folded.coordinators) == ("ana enrolled, gap 0", frozenset())
    assert EVENT_TYPES.pop("_Noted") is _Noted  # registered as readable; taken back here
    assert EVENT_TYPES.pop("_Cleared") is _Cleared


def test_a_fold_reads_the_fields_so_far_without_the_draft_falling_back_to_getattr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A draft's fields are properties of its class: reading one never fails first (in
    Python 3.11 a failed lookup makes an AttributeError before ``__getattr__`` is asked,
    a tenth of a fold); ``__getattr__`` is left to the state's methods and properties."""
    decider = note_decider()
    asked: list[str] = []
    fallback = decider_module._Draft.__getattr__

    def counted(draft: Any, name: str) -> Any:
        asked.append(name)
        return fallback(draft, name)

    monkeypatch.setattr(decider_module._Draft, "__getattr__", counted)

    def noted(state: RelationshipState, event: _Noted) -> Changes:
        return {"expectations": (*state.expectations, f"{event.note}{len(state.open_goals)}")}

    decider.folds({_Noted: noted})
    base = _fields(relationship_history().events[0])
    history = [_Noted(**{**base, "version": v}, note=n) for v, n in ((1, "a"), (2, "b"))]
    folded = decider.fold(RelationshipState(expectations=("x",)), history)
    assert folded.expectations == ("x", "a0", "b0")
    assert asked == ["open_goals", "open_goals"]  # the property, not the fields it reads
    assert EVENT_TYPES.pop("_Noted") is _Noted  # registered as readable; taken back here


def test_a_fold_reading_what_the_state_has_not_fails_as_reading_the_state_would() -> None:
    decider = note_decider()

    def noted(state: RelationshipState, event: _Noted) -> Changes:
        return {"expectations": (getattr(state, event.note),)}

    decider.folds({_Noted: noted})
    base = _fields(relationship_history().events[0])
    with pytest.raises(AttributeError, match="'RelationshipState' object has no attribute 'nope'"):
        decider.fold(RelationshipState(), [_Noted(**{**base, "version": 1}, note="nope")])
    assert EVENT_TYPES.pop("_Noted") is _Noted  # registered as readable; taken back here


def test_a_field_declared_with_creates_is_found_and_defaults_to_none() -> None:
    made = attrs.make_class(
        "MakeThing", {"thing_id": cmd.creates(), "other": attrs.field(default=None)}
    )
    assert cmd.created_field(made) == "thing_id"
    assert made().thing_id is None


def test_a_stored_topic_names_its_kind_or_none() -> None:
    assert kind_of_topic("GoalSet") is RELATIONSHIP
    assert kind_of_topic("ProgrammeCreated") is PROGRAMME
    assert kind_of_topic("NoSuchEvent") is None
    assert kind_of_topic("Snapshot:RelationshipState:2") is None
