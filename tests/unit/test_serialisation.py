"""Events and snapshots through the one converter: round trips, strict reading, upcasting."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

import attrs
import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from hypothesis import example, given
from hypothesis import strategies as st
from scenarios import (
    GOAL_ID,
    HOUR_ONE_ON_ONE,
    MEETING_ID,
    PROGRAMME_ID,
    RELATIONSHIP_ID,
    SET_LISTENING_GOAL,
    WEEKLY_HOUR,
    YESTERDAY,
    programme_history,
    relationship_history,
)
from strategies import (
    EVENT_FIELDS,
    EVENT_STRATEGIES,
    NOW,
    aware_datetimes,
    events,
    programme_policies,
)

from mentoring_core import StoredEventError, event_to_dict, serialisation
from mentoring_core.domain import commands as cmd
from mentoring_core.domain import evolve_programme, evolve_relationship
from mentoring_core.domain.events import (
    Event,
    FeedbackGiven,
    GoalSet,
    MeetingHeld,
    PairFormed,
    PairingProposed,
    ParticipantEnrolled,
    PolicySet,
    ReflectionRecorded,
    RelationshipEnded,
    RelationshipEvent,
)
from mentoring_core.domain.kinds import PROGRAMME, RELATIONSHIP
from mentoring_core.events import EVENT_TYPES
from mentoring_core.serialisation import EventMapper, Snapshot
from mentoring_core.state import ProgrammeState, RelationshipState
from mentoring_core.values import (
    CadenceKind,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    ProgressStatus,
    Rating,
    Role,
    StakeholderFeedback,
)

MAPPER = EventMapper(transcoder=JSONTranscoder())

BASE_FIELDS = {
    "event_id",
    "aggregate_id",
    "version",
    "occurred_at",
    "recorded_at",
    "actor",
    "command_id",
}


def round_trip(item: Any, mapper: EventMapper = MAPPER) -> Any:
    return mapper.to_domain_event(mapper.to_stored_event(item))


def meeting_held() -> MeetingHeld:
    return MeetingHeld(
        event_id=UUID(int=41),
        aggregate_id=RELATIONSHIP_ID,
        version=7,
        occurred_at=YESTERDAY,
        recorded_at=NOW,
        actor="ana",
        meeting_id=MEETING_ID,
        duration_minutes=60,
        format=MeetingFormat.ONE_ON_ONE,
        topics=("handover notes",),
        attendees=(),
    )


def stored_with(stored: StoredEvent, change: Any) -> StoredEvent:
    """``stored`` with its JSON state changed by ``change(data)`` (which edits in place)."""
    data = json.loads(stored.state)
    change(data)
    return with_state(stored, json.dumps(data).encode())


def with_state(stored: StoredEvent, state: bytes, topic: str | None = None) -> StoredEvent:
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic if topic is None else topic,
        state=state,
    )


def read_error(stored: StoredEvent) -> StoredEventError:
    with pytest.raises(StoredEventError) as info:
        MAPPER.to_domain_event(stored)
    error = info.value
    assert error.aggregate_id == stored.originator_id
    assert error.version == stored.originator_version
    assert error.topic == stored.topic
    message = str(error)
    assert str(stored.originator_id) in message
    assert f"version {stored.originator_version}" in message
    assert repr(stored.topic) in message
    return error


class TestTheStrategiesCoverEveryEvent:
    def test_every_event_class_has_a_strategy(self) -> None:
        assert set(EVENT_STRATEGIES) == set(EVENT_TYPES)

    def test_every_event_type_is_programme_or_relationship(self) -> None:
        assert set(EVENT_TYPES.values()) == {*PROGRAMME.event_types, *RELATIONSHIP.event_types}

    @pytest.mark.parametrize("name", sorted(EVENT_TYPES))
    def test_every_field_is_drawn_explicitly(self, name: str) -> None:
        fields = {f.name for f in attrs.fields(EVENT_TYPES[name])}
        assert fields - BASE_FIELDS == set(EVENT_FIELDS[name])


class TestRoundTrip:
    @pytest.mark.parametrize("name", sorted(EVENT_TYPES))
    @given(data=st.data())
    def test_every_event_type_reads_back_equal(self, name: str, data: st.DataObject) -> None:
        event = data.draw(EVENT_STRATEGIES[name])
        back = round_trip(event)
        assert type(back) is type(event)
        assert back == event

    @given(events())
    def test_any_event_reads_back_equal(self, event: Event) -> None:
        assert round_trip(event) == event

    @given(events())
    def test_the_stored_record_keys_the_event(self, event: Event) -> None:
        stored = MAPPER.to_stored_event(event)
        assert stored.originator_id == event.aggregate_id
        assert stored.originator_version == event.version
        assert stored.topic == type(event).__name__
        data = json.loads(stored.state)
        assert "aggregate_id" not in data and "version" not in data
        assert data["class_version"] == type(event).class_version

    @given(events(), st.integers(-12 * 60, 14 * 60))
    def test_an_offset_moment_reads_back_as_the_same_instant(
        self, event: Event, offset_minutes: int
    ) -> None:
        zone = timezone(timedelta(minutes=offset_minutes))
        shifted = attrs.evolve(event, occurred_at=event.occurred_at.astimezone(zone))
        back = round_trip(shifted)
        assert back.occurred_at == event.occurred_at
        assert back.occurred_at.utcoffset() == timedelta(minutes=offset_minutes)

    def test_the_stored_form_is_readable_json(self) -> None:
        data = json.loads(MAPPER.to_stored_event(meeting_held()).state)
        assert data == {
            "event_id": str(UUID(int=41)),
            "occurred_at": YESTERDAY.isoformat(),
            "recorded_at": NOW.isoformat(),
            "actor": "ana",
            "command_id": None,
            "meeting_id": str(MEETING_ID),
            "duration_minutes": 60,
            "format": "one_on_one",
            "topics": ["handover notes"],
            "attendees": [],
            "in_working_hours": None,
            "group_session_id": None,
            "class_version": 3,
        }

    def test_decimals_keep_their_digits(self) -> None:
        (event,) = [e for e in programme_history().events if type(e).__name__ == "PolicySet"]
        stored = json.loads(MAPPER.to_stored_event(event).state)
        assert stored["policy"]["minimum_experience_gap_years"] == "3"
        assert round_trip(event).policy.minimum_experience_gap_years == Decimal(3)

    @given(events())
    def test_compressed_records_read_back_equal(self, event: Event) -> None:
        mapper = EventMapper(transcoder=JSONTranscoder(), compressor=ZlibCompressor())
        assert round_trip(event, mapper) == event

    @pytest.mark.parametrize("reason", ["withdrawn_by_mentee", "left_organisation"])
    def test_an_ending_reads_back_with_its_stored_reason(self, reason: str) -> None:
        """``left_organisation`` is a new value of the same event version: records of the
        older values (free text saying who left) read back unchanged, as before."""
        ending = RelationshipEnded(
            event_id=UUID(int=42),
            aggregate_id=RELATIONSHIP_ID,
            version=9,
            occurred_at=YESTERDAY,
            recorded_at=NOW,
            actor="coordinator.cleo",
            reason=EndReason(reason),
            explanation="Left the organisation",
        )
        stored = MAPPER.to_stored_event(ending)
        assert json.loads(stored.state)["reason"] == reason
        assert round_trip(ending).reason == EndReason(reason)

    def test_event_to_dict_is_json_safe_and_complete(self) -> None:
        data = event_to_dict(meeting_held())
        assert json.loads(json.dumps(data)) == data
        assert data["aggregate_id"] == str(RELATIONSHIP_ID)
        assert data["version"] == 7
        assert data["format"] == "one_on_one"


def assert_read_as_uuid_reads(text: str) -> None:
    """The converter reads ``text`` as the UUID ``UUID(text)`` gives, exactly (its text,
    hash and safety), or refuses it as ``UUID(text)`` does."""
    try:
        expected: object = UUID(text)
    except ValueError:
        expected = ValueError
    try:
        read: object = serialisation.structure(text, UUID)
    except ValueError:
        read = ValueError
    assert read == expected
    if isinstance(read, UUID) and isinstance(expected, UUID):
        assert type(read) is UUID
        assert (str(read), hash(read), read.is_safe) == (
            str(expected),
            hash(expected),
            expected.is_safe,
        )


class TestStrictReading:
    def test_an_unknown_topic(self) -> None:
        stored = with_state(
            MAPPER.to_stored_event(meeting_held()), b"{}", topic="MeetingTeleported"
        )
        assert "unknown event type" in read_error(stored).reason

    def test_a_missing_field(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.pop("duration_minutes")
        )
        assert "duration_minutes" in read_error(stored).reason

    def test_an_extra_field(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.update(mood="cheerful")
        )
        assert "mood" in read_error(stored).reason

    def test_a_digit_string_where_a_whole_number_is_expected(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.update(duration_minutes="3")
        )
        assert "duration_minutes" in read_error(stored).reason

    def test_true_where_a_whole_number_is_expected(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.update(duration_minutes=True)
        )
        assert "duration_minutes" in read_error(stored).reason

    def test_a_string_where_a_list_is_expected(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.update(topics="handover notes")
        )
        assert "topics" in read_error(stored).reason

    def test_every_bad_field_is_named_though_the_quick_reader_stops_at_the_first(self) -> None:
        def spoil(data: dict[str, Any]) -> None:
            data.update(duration_minutes="3", actor=7)

        reason = read_error(stored_with(MAPPER.to_stored_event(meeting_held()), spoil)).reason
        assert "duration_minutes" in reason and "actor" in reason

    def test_a_sound_record_is_read_without_the_detailed_converter(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        stored = MAPPER.to_stored_event(meeting_held())

        def refuse(*_: Any) -> Any:
            raise AssertionError("the detailed converter ran on a sound record")

        monkeypatch.setattr(serialisation.CONVERTER, "structure", refuse)
        assert MAPPER.to_domain_event(stored) == meeting_held()

    def test_a_number_where_a_text_is_expected(self) -> None:
        stored = stored_with(MAPPER.to_stored_event(meeting_held()), lambda d: d.update(actor=7))
        assert "actor" in read_error(stored).reason

    def test_a_naive_datetime(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()),
            lambda d: d.update(occurred_at="2025-03-13T09:30:00"),
        )
        assert "occurred_at" in read_error(stored).reason

    def test_an_unknown_enum_value(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.update(format="carrier_pigeon")
        )
        assert "format" in read_error(stored).reason

    @pytest.mark.parametrize("value", [["one_on_one"], {"kind": "video"}, 1, None])
    def test_an_enum_value_of_another_type(self, value: object) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.update(format=value)
        )
        assert "format" in read_error(stored).reason

    @pytest.mark.parametrize(
        "text",
        [
            "0000000g-0000-0000-0000-000000000029",
            "00000000-0000-0000-0000-00000000002-",
            "00000000-0000-0000-0000-0000000000",
            "00000000-0000-0000-0000-00000000002Z",
        ],
    )
    def test_an_event_id_that_is_not_a_uuid(self, text: str) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.update(event_id=text)
        )
        assert "event_id" in read_error(stored).reason

    @given(
        st.uuids().map(str),
        st.integers(0, 35),
        st.sampled_from("-_+ x{}:ABCDEFabcdef0123456789g"),
        st.booleans(),
    )
    def test_a_uuid_reads_exactly_as_uuid_reads_it(
        self, canonical: str, at: int, char: str, upper: bool
    ) -> None:
        """The quick path for the canonical form gives what ``UUID(text)`` gives, or
        refuses what it refuses (one character of a canonical form changed)."""
        text = canonical[:at] + char + canonical[at + 1 :]
        assert_read_as_uuid_reads(text.upper() if upper else text)

    @given(
        st.one_of(
            st.text(max_size=50),
            st.uuids().flatmap(
                lambda u: st.sampled_from(
                    [
                        u.hex,
                        u.hex.upper(),
                        str(u).upper(),
                        f"{{{u}}}",
                        f"urn:uuid:{u}",
                        f" {u}",
                        f"{u}\n",
                        str(u).replace("-", "", 1),
                        f"{u.hex[:8]}--{u.hex[8:]}",
                        "0x" + u.hex[2:],
                    ]
                )
            ),
        )
    )
    @example("")
    @example("{12345678-1234-5678-1234-567812345678}")  # UUID reads it, msgspec does not
    def test_any_text_reads_as_uuid_reads_it(self, text: str) -> None:
        """Every form ``UUID(text)`` reads (braces, "urn:uuid:", hyphens anywhere) gives
        its UUID, exactly (its text, hash and safety), and every form it refuses is
        refused."""
        assert_read_as_uuid_reads(text)

    def test_a_decimal_stored_as_a_float(self) -> None:
        event = next(e for e in programme_history().events if isinstance(e, PolicySet))
        stored = stored_with(
            MAPPER.to_stored_event(event),
            lambda d: d["policy"].update(minimum_experience_gap_years=3.0),
        )
        assert "minimum_experience_gap_years" in read_error(stored).reason

    def test_a_future_class_version(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.update(class_version=4)
        )
        assert "class_version 4" in read_error(stored).reason

    @pytest.mark.parametrize("escape", [b"\\udc80", b"\\ud800", b"\\ud83dx"])
    def test_a_lone_surrogate_escape_is_refused_by_name(self, escape: bytes) -> None:
        """``"actor":"far\\udc80id"`` read as a text that is not Unicode, which ``history
        --json``, the timeline and a subject access export then failed to write
        (UnicodeEncodeError)."""
        stored = MAPPER.to_stored_event(meeting_held())
        state = stored.state.replace(b'"actor":"', b'"actor":"far' + escape, 1)
        assert state != stored.state
        reason = read_error(with_state(stored, state)).reason
        assert "lone surrogate" in reason and escape[:6].decode() in reason

    @pytest.mark.parametrize("state", [b"not json at all", b"\xff\xfe", b'["a", "list"]', b""])
    def test_a_state_that_is_not_a_json_object(self, state: bytes) -> None:
        stored = with_state(MAPPER.to_stored_event(meeting_held()), state)
        assert read_error(stored).reason

    def test_a_missing_class_version_means_version_one(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(meeting_held()), lambda d: d.pop("class_version")
        )
        assert MAPPER.to_domain_event(stored) == meeting_held()

    def test_a_version_one_record_predates_command_ids(self) -> None:
        """Records stored before command ids existed read back with command_id None."""
        stored = stored_with(
            MAPPER.to_stored_event(attrs.evolve(meeting_held(), command_id=UUID(int=9))),
            lambda d: (d.pop("command_id"), d.update(class_version=1)),
        )
        assert MAPPER.to_domain_event(stored) == meeting_held()


# --- Snapshots -----------------------------------------------------------------------


def rich_relationship() -> RelationshipState:
    """Ana and Ben after a month: a goal, a plan, meetings, a correction, feedback, an end."""
    history = relationship_history()
    for command in (
        cmd.AgreeExpectations(expectations=("Meet weekly in paid hours", "Ben brings a case")),
        SET_LISTENING_GOAL,
        cmd.AddPlanActivity(
            activity_id=UUID(int=501),
            description="Shadow Ana at a family meeting",
            due_date=date(2025, 4, 1),
            goal_id=GOAL_ID,
        ),
        cmd.SetMilestone(
            milestone_id=UUID(int=502),
            description="First family meeting led",
            target_date=date(2025, 5, 1),
            goal_id=GOAL_ID,
        ),
        cmd.AgreeSchedule(schedule=WEEKLY_HOUR),
        HOUR_ONE_ON_ONE,
        cmd.CorrectMeetingRecord(meeting_id=MEETING_ID, duration_minutes=45, reason="typo"),
        cmd.RecordMeetingMissed(
            meeting_id=UUID(int=503), missed_by="ben", reason="Called out to a client"
        ),
        cmd.GiveFeedback(
            feedback_id=UUID(int=504),
            from_person="ana",
            to_person="ben",
            kind=FeedbackKind.RECOGNITION,
            text="You let the family speak first.",
            about_meeting_id=MEETING_ID,
        ),
        cmd.RecordReflection(
            reflection_id=UUID(int=505),
            ratings=(Rating(focus_area=FocusArea.COMMUNICATION, score=3),),
            text="I still rush to fill silences.",
        ),
        cmd.EvaluateProgress(
            evaluation_id=UUID(int=506),
            goal_progress=(GoalProgress(goal_id=GOAL_ID, status=ProgressStatus.ON_TRACK),),
            evidence="Two meetings observed",
            stakeholder_feedback=(
                StakeholderFeedback(source="team leader", text="Calmer on the phone"),
            ),
        ),
        cmd.PauseRelationship(reason="Ana on annual leave"),
        cmd.ResumeRelationship(),
        cmd.AchieveGoal(goal_id=GOAL_ID, evidence="Led two family meetings"),
        cmd.EndRelationship(reason=EndReason.COMPLETED, explanation="Goals met"),
    ):
        history.record(command)
    return history.state


class TestSnapshots:
    def test_a_relationship_snapshot_reads_back_equal(self) -> None:
        state = rich_relationship()
        assert state.meetings and state.goals and state.ended is not None
        snapshot = Snapshot(
            aggregate_id=RELATIONSHIP_ID,
            version=state.version,
            taken_at=NOW,
            state=state,
            chain_hash="ab" * 32,
        )
        stored = MAPPER.to_stored_event(snapshot)
        assert stored.topic == "Snapshot:RelationshipState:9"
        assert round_trip(snapshot) == snapshot

    def test_a_snapshot_of_schema_1_without_a_chain_hash_is_refused(self) -> None:
        snapshot = Snapshot(
            aggregate_id=RELATIONSHIP_ID, version=1, taken_at=NOW, state=RelationshipState()
        )
        stored = MAPPER.to_stored_event(snapshot)
        old = with_state(stored, stored.state, topic="Snapshot:RelationshipState:1")
        assert "older state schema" in read_error(old).reason

    def test_a_chain_hash_that_is_not_text_is_refused(self) -> None:
        snapshot = Snapshot(
            aggregate_id=RELATIONSHIP_ID, version=1, taken_at=NOW, state=RelationshipState()
        )
        stored = stored_with(MAPPER.to_stored_event(snapshot), lambda d: d.update(chain_hash=7))
        assert "chain hash" in read_error(stored).reason

    def test_a_programme_snapshot_reads_back_equal(self) -> None:
        state = programme_history().state
        assert state.policy is not None and len(state.participants) == 5
        snapshot = Snapshot(
            aggregate_id=state.programme_id, version=state.version, taken_at=NOW, state=state
        )
        assert round_trip(snapshot) == snapshot

    @given(st.lists(events(*RELATIONSHIP.event_types), max_size=8), aware_datetimes())
    def test_any_folded_relationship_reads_back_equal(
        self, history: list[RelationshipEvent], taken_at: datetime
    ) -> None:
        state = RelationshipState()
        for version, event in enumerate(history, start=1):
            state = evolve_relationship(state, attrs.evolve(event, version=version))
        snapshot = Snapshot(
            aggregate_id=RELATIONSHIP_ID, version=state.version, taken_at=taken_at, state=state
        )
        assert round_trip(snapshot) == snapshot

    @given(st.lists(events(*PROGRAMME.event_types), max_size=8), programme_policies())
    def test_any_folded_programme_reads_back_equal(self, history: list[Event], policy: Any) -> None:
        state = ProgrammeState()
        for event in history:
            state = evolve_programme(state, event)  # type: ignore[arg-type]
        state = attrs.evolve(state, policy=policy)
        snapshot = Snapshot(aggregate_id=UUID(int=9), version=1, taken_at=NOW, state=state)
        assert round_trip(snapshot) == snapshot

    def test_a_snapshot_of_an_older_schema_is_refused(self) -> None:
        snapshot = Snapshot(
            aggregate_id=RELATIONSHIP_ID, version=1, taken_at=NOW, state=RelationshipState()
        )
        stored = MAPPER.to_stored_event(snapshot)
        old = with_state(stored, stored.state, topic="Snapshot:RelationshipState:0")
        assert "older state schema" in read_error(old).reason

    def test_a_snapshot_with_a_naive_time_is_refused(self) -> None:
        snapshot = Snapshot(
            aggregate_id=RELATIONSHIP_ID, version=1, taken_at=NOW, state=RelationshipState()
        )
        stored = stored_with(
            MAPPER.to_stored_event(snapshot), lambda d: d.update(taken_at="2025-03-14T09:30:00")
        )
        assert "no time zone" in read_error(stored).reason


# --- Upcasting -----------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class GoalSetV3(RelationshipEvent):
    """A test-only fourth version of GoalSet: v3 added ``priority``, v4 ``review_weeks``.

    (Version 2, which added ``command_id`` to every event, comes from ``Event``.)
    """

    class_version: ClassVar[int] = 4

    goal_id: UUID
    title: str
    focus_area: FocusArea
    success_measure: str
    target_date: date
    priority: str
    review_weeks: int

    @staticmethod
    def upcast_v2_v3(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "priority": "normal"}

    @staticmethod
    def upcast_v3_v4(data: dict[str, Any]) -> dict[str, Any]:
        return {**data, "review_weeks": 6 if data["priority"] == "normal" else 2}


def goal_set_v1() -> GoalSet:
    return GoalSet(
        event_id=UUID(int=42),
        aggregate_id=RELATIONSHIP_ID,
        version=2,
        occurred_at=YESTERDAY,
        recorded_at=NOW,
        actor="ana",
        goal_id=GOAL_ID,
        title="Run a family meeting",
        focus_area=FocusArea.COMMUNICATION,
        success_measure="Two meetings led",
        target_date=date(2025, 6, 30),
    )


def as_v3(event: GoalSet, *, priority: str, review_weeks: int) -> GoalSetV3:
    return GoalSetV3(
        **attrs.asdict(event, recurse=False), priority=priority, review_weeks=review_weeks
    )


class TestUpcasting:
    def test_a_v1_record_is_read_as_the_current_version(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(goal_set_v1()),
            lambda d: (d.pop("command_id"), d.update(class_version=1)),
        )
        monkeypatch.setitem(EVENT_TYPES, "GoalSet", GoalSetV3)
        back = MAPPER.to_domain_event(stored)
        assert back == as_v3(goal_set_v1(), priority="normal", review_weeks=6)

    def test_a_v3_record_goes_through_the_rest_of_the_chain(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(goal_set_v1()),
            lambda d: d.update(class_version=3, priority="urgent"),
        )
        monkeypatch.setitem(EVENT_TYPES, "GoalSet", GoalSetV3)
        back = MAPPER.to_domain_event(stored)
        assert back == as_v3(goal_set_v1(), priority="urgent", review_weeks=2)

    def test_a_current_record_is_not_upcast(self, monkeypatch: pytest.MonkeyPatch) -> None:
        event = as_v3(goal_set_v1(), priority="urgent", review_weeks=9)
        monkeypatch.setitem(EVENT_TYPES, "GoalSetV3", GoalSetV3)
        stored = MAPPER.to_stored_event(event)
        assert json.loads(stored.state)["class_version"] == 4
        assert MAPPER.to_domain_event(stored) == event

    @pytest.mark.parametrize("class_version", [0, 5, "1", None, 1.0])
    def test_a_class_version_outside_the_chain_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, class_version: object
    ) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(goal_set_v1()), lambda d: d.update(class_version=class_version)
        )
        monkeypatch.setitem(EVENT_TYPES, "GoalSet", GoalSetV3)
        assert "class_version" in read_error(stored).reason


def test_the_policy_cadence_kind_is_stored_by_name() -> None:
    event = next(e for e in programme_history().events if isinstance(e, PolicySet))
    data = json.loads(MAPPER.to_stored_event(event).state)
    assert [tier["cadence"]["kind"] for tier in data["policy"]["cadence"]] == [
        CadenceKind.WEEKLY.value,
        CadenceKind.FORTNIGHTLY.value,
    ]
    assert data["occurred_at"] == event.occurred_at.isoformat()
    assert datetime.fromisoformat(data["occurred_at"]).tzinfo == UTC


def private_entries() -> tuple[FeedbackGiven, ReflectionRecorded]:
    base: dict[str, Any] = {
        "aggregate_id": RELATIONSHIP_ID,
        "occurred_at": YESTERDAY,
        "recorded_at": NOW,
        "actor": "ben",
        "command_id": None,
    }
    feedback = FeedbackGiven(
        **base,
        event_id=UUID(int=51),
        version=8,
        feedback_id=UUID(int=0xF1),
        from_person="ben",
        to_person="ana",
        kind=FeedbackKind.CONSTRUCTIVE,
        about_goal_id=None,
        about_meeting_id=None,
        text="I need more time to talk",
        private=True,
    )
    reflection = ReflectionRecorded(
        **base,
        event_id=UUID(int=52),
        version=9,
        reflection_id=UUID(int=0xC1),
        ratings=(Rating(focus_area=FocusArea.WELLBEING, score=2),),
        text="A hard week",
        private=True,
    )
    return feedback, reflection


class TestPrivateEntries:
    """Feedback and reflections gained ``private`` in class version 3; older records
    (version 2, and version 1 before command ids) read back as not private."""

    @pytest.mark.parametrize("index", [0, 1], ids=["FeedbackGiven", "ReflectionRecorded"])
    def test_a_private_entry_is_stored_as_version_3_and_reads_back_private(
        self, index: int
    ) -> None:
        entry = private_entries()[index]
        data = json.loads(MAPPER.to_stored_event(entry).state)
        assert (data["class_version"], data["private"]) == (3, True)
        assert round_trip(entry) == entry

    @pytest.mark.parametrize("index", [0, 1], ids=["FeedbackGiven", "ReflectionRecorded"])
    @pytest.mark.parametrize("stored_version", [1, 2])
    def test_an_older_record_reads_back_as_not_private(
        self, index: int, stored_version: int
    ) -> None:
        entry = private_entries()[index]

        def as_stored_then(data: dict[str, Any]) -> None:
            del data["private"]
            data["class_version"] = stored_version
            if stored_version == 1:
                del data["command_id"]

        back = MAPPER.to_domain_event(stored_with(MAPPER.to_stored_event(entry), as_stored_then))
        assert back == attrs.evolve(entry, private=False)

    def test_a_current_record_without_private_is_damaged(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(private_entries()[0]), lambda d: d.pop("private")
        )
        assert "private" in read_error(stored).reason

    def test_private_is_a_json_boolean(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(private_entries()[1]), lambda d: d.update(private=1)
        )
        assert read_error(stored).reason == "invalid value for type, expected bool @ $.private"


class TestEnrolmentsWithNames:
    """ParticipantEnrolled gained ``display_name`` and ``contact`` in class version 3;
    older records (version 2, and version 1 before command ids) read back with neither."""

    def enrolment(self) -> ParticipantEnrolled:
        return ParticipantEnrolled(
            event_id=UUID(int=61),
            aggregate_id=PROGRAMME_ID,
            version=3,
            occurred_at=YESTERDAY,
            recorded_at=NOW,
            actor="coord",
            person_id="p-17",
            role=Role.MENTEE,
            experience_years=Decimal("1.5"),
            display_name="Ben Ashworth",
            contact="ben@example.org",
        )

    def test_a_named_enrolment_is_stored_as_version_4_and_reads_back_equal(self) -> None:
        data = json.loads(MAPPER.to_stored_event(self.enrolment()).state)
        assert data["class_version"] == 4
        assert round_trip(self.enrolment()) == self.enrolment()

    @pytest.mark.parametrize("stored_version", [1, 2])
    def test_an_older_record_reads_back_without_a_name_or_contact(
        self, stored_version: int
    ) -> None:
        def as_stored_then(data: dict[str, Any]) -> None:
            del data["display_name"], data["contact"]
            del data["expertise"], data["development_needs"]
            data["class_version"] = stored_version
            if stored_version == 1:
                del data["command_id"]

        stored = stored_with(MAPPER.to_stored_event(self.enrolment()), as_stored_then)
        back = MAPPER.to_domain_event(stored)
        assert back == attrs.evolve(self.enrolment(), display_name=None, contact=None)

    def test_a_current_record_without_contact_is_damaged(self) -> None:
        stored = stored_with(MAPPER.to_stored_event(self.enrolment()), lambda d: d.pop("contact"))
        assert "contact" in read_error(stored).reason


class TestEnrolmentsWithFocusAreas:
    """ParticipantEnrolled gained ``expertise`` and ``development_needs`` in class version 4;
    older records read back with neither."""

    def enrolment(self) -> ParticipantEnrolled:
        return attrs.evolve(
            TestEnrolmentsWithNames().enrolment(),
            development_needs=(FocusArea.COMMUNICATION, FocusArea.WELLBEING),
        )

    def test_needs_are_stored_by_name_and_read_back_in_order(self) -> None:
        data = json.loads(MAPPER.to_stored_event(self.enrolment()).state)
        assert (data["class_version"], data["development_needs"]) == (
            4,
            ["communication", "wellbeing"],
        )
        assert round_trip(self.enrolment()) == self.enrolment()

    def test_a_version_3_record_reads_back_with_no_expertise_and_no_needs(self) -> None:
        def as_stored_then(data: dict[str, Any]) -> None:
            del data["expertise"], data["development_needs"]
            data["class_version"] = 3

        stored = stored_with(MAPPER.to_stored_event(self.enrolment()), as_stored_then)
        assert MAPPER.to_domain_event(stored) == attrs.evolve(
            self.enrolment(), development_needs=()
        )

    def test_an_unknown_focus_area_is_damaged(self) -> None:
        stored = stored_with(
            MAPPER.to_stored_event(self.enrolment()),
            lambda d: d.update(development_needs=["juggling"]),
        )
        assert "development_needs" in read_error(stored).reason


class TestOpeningsWithSuggestionRanks:
    """PairFormed and PairingProposed gained ``suggestion_rank`` and
    ``suggestion_override_reason`` in class version 3; older records read back with neither."""

    def opening(self, cls: type[PairFormed | PairingProposed]) -> PairFormed | PairingProposed:
        return cls(
            event_id=UUID(int=71),
            aggregate_id=UUID(int=72),
            version=1,
            occurred_at=YESTERDAY,
            recorded_at=NOW,
            actor="coord",
            programme_id=PROGRAMME_ID,
            mentor_id="cy",
            mentee_id="ben",
            mentor_experience_years=Decimal(8),
            mentee_experience_years=Decimal(1),
            gap_override_reason=None,
            suggestion_rank=2,
            suggestion_override_reason="Same site as Ben",
        )

    @pytest.mark.parametrize("cls", [PairFormed, PairingProposed], ids=lambda c: c.__name__)
    def test_a_rank_and_reason_are_stored_as_version_3(self, cls: type[PairFormed]) -> None:
        data = json.loads(MAPPER.to_stored_event(self.opening(cls)).state)
        assert (data["class_version"], data["suggestion_rank"]) == (3, 2)
        assert round_trip(self.opening(cls)) == self.opening(cls)

    @pytest.mark.parametrize("cls", [PairFormed, PairingProposed], ids=lambda c: c.__name__)
    @pytest.mark.parametrize("stored_version", [1, 2])
    def test_an_older_record_reads_back_without_a_rank(
        self, cls: type[PairFormed], stored_version: int
    ) -> None:
        def as_stored_then(data: dict[str, Any]) -> None:
            del data["suggestion_rank"], data["suggestion_override_reason"]
            data["class_version"] = stored_version
            if stored_version == 1:
                del data["command_id"]

        stored = stored_with(MAPPER.to_stored_event(self.opening(cls)), as_stored_then)
        assert MAPPER.to_domain_event(stored) == attrs.evolve(
            self.opening(cls), suggestion_rank=None, suggestion_override_reason=None
        )
