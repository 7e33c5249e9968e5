"""Hostile or corrupt stored records: the reader only ever returns a valid event or raises
StoredEventError naming aggregate, version and type (never another exception)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import events

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
from stored_records import TOPICS, encode, mapper, mutate, read

from mentoring_core.events import EVENT_TYPES

MAPPER = mapper()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
# Thousands of cases in CI (three tests of 2,000); a quick pass locally.
FUZZ = settings(
    max_examples=2000 if os.environ.get("CI") else 200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(topic=st.sampled_from(TOPICS) | st.text(max_size=30), state=st.binary(max_size=300))
def test_arbitrary_bytes_under_any_topic(topic: str, state: bytes) -> None:
    read(MAPPER, topic, state)


@FUZZ
@given(
    event=events(),
    path=st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=4),
    replacement=JSON_VALUES,
    topic=st.none() | st.sampled_from(TOPICS),
)
def test_near_valid_records_with_one_value_replaced(
    event: Any, path: list[int], replacement: Any, topic: str | None
) -> None:
    stored = MAPPER.to_stored_event(event)
    document = json.loads(stored.state)
    forged = encode(mutate(document, path, replacement))
    read(MAPPER, topic or stored.topic, forged, stored.originator_version)


@FUZZ
@given(event=events(), drop=st.integers(min_value=0, max_value=50), extra=st.text(max_size=8))
def test_records_missing_a_field_or_with_an_extra_one_are_refused(
    event: Any, drop: int, extra: str
) -> None:
    stored = MAPPER.to_stored_event(event)
    document = json.loads(stored.state)
    keys = [k for k in document if k != "class_version"]
    missing = dict(document)
    del missing[keys[drop % len(keys)]]
    assert read(MAPPER, stored.topic, encode(missing)) is None
    if extra not in document:
        assert read(MAPPER, stored.topic, encode({**document, extra: 1})) is None


def test_every_event_type_is_fuzzed() -> None:
    assert set(EVENT_TYPES) <= set(TOPICS)
