"""The programme policy's retention period: what it accepts, and how older records read.

``ProgrammePolicy.retain_personal_data_years`` arrived with ``PolicySet`` class version 4;
records of versions 1 to 3 read back with no period (None).
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from scenarios import POLICY, programme_history
from strategies import NOW

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.errors import InvalidValue
from mentoring_core.domain.events import PolicySet
from mentoring_core.serialisation import EventMapper, Snapshot

MAPPER = EventMapper(transcoder=JSONTranscoder())


@pytest.mark.parametrize("years", [1, 7, 100])
def test_a_whole_number_of_years_up_to_100_is_kept(years: int) -> None:
    history = programme_history(policy=None)
    history.record(cmd.SetPolicy(policy=attrs.evolve(POLICY, retain_personal_data_years=years)))
    assert history.state.policy is not None
    assert history.state.policy.retain_personal_data_years == years


@pytest.mark.parametrize("years", [0, -1, 101, True, "2", 2.0])
def test_anything_else_is_refused_naming_the_field_and_the_range(years: Any) -> None:
    history = programme_history(policy=None)
    with pytest.raises(InvalidValue) as refused:
        history.record(cmd.SetPolicy(policy=attrs.evolve(POLICY, retain_personal_data_years=years)))
    assert refused.value.field == "policy.retain_personal_data_years"
    assert refused.value.value == years
    assert str(refused.value).endswith("expected a whole number from 1 to 100")


def _stored_as(event: PolicySet, version: int) -> StoredEvent:
    """``event`` as a record of class ``version`` held it (fields added later left out)."""
    stored = MAPPER.to_stored_event(event)
    data = json.loads(stored.state)
    assert data["class_version"] == 4
    del data["policy"]["retain_personal_data_years"]
    if version <= 2:
        del data["policy"]["max_mentees_per_mentor"]
        del data["policy"]["max_active_mentors_per_mentee"]
    if version == 1:
        del data["command_id"]
    data["class_version"] = version
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(data).encode(),
    )


def _policy_set(years: int | None) -> PolicySet:
    history = programme_history(policy=attrs.evolve(POLICY, retain_personal_data_years=years))
    return next(e for e in history.events if isinstance(e, PolicySet))


def test_a_version_4_record_keeps_the_period() -> None:
    event = _policy_set(6)
    assert (
        json.loads(MAPPER.to_stored_event(event).state)["policy"]["retain_personal_data_years"] == 6
    )
    assert MAPPER.to_domain_event(MAPPER.to_stored_event(event)) == event


@pytest.mark.parametrize("version", [1, 2, 3])
def test_an_older_record_reads_back_with_no_period(version: int) -> None:
    event = _policy_set(None)
    read = MAPPER.to_domain_event(_stored_as(event, version))
    assert isinstance(read, PolicySet)
    assert read.policy.retain_personal_data_years is None
    if version == 3:
        assert read == event
    else:  # versions 1 and 2 also predate the capacity limits
        assert read.policy.max_active_mentors_per_mentee is None


def test_a_snapshot_taken_before_the_period_existed_reads_back_with_none() -> None:
    """Snapshot schema 2 is kept: a programme state stored without the field held a policy
    of class version 3 or earlier, which set no period; it reads back as such."""
    state = programme_history().state
    snapshot = Snapshot(
        aggregate_id=state.programme_id, version=state.version, taken_at=NOW, state=state
    )
    stored = MAPPER.to_stored_event(snapshot)
    data = json.loads(stored.state)
    del data["state"]["policy"]["retain_personal_data_years"]
    older = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(data).encode(),
    )
    assert MAPPER.to_domain_event(older) == snapshot
