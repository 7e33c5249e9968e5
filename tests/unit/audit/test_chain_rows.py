"""Reading a link back never fails, whatever a store returned: a value the library never
writes makes a DamagedRow naming it, and only values it writes make a ChainRow."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st

from mentoring_core.audit.recorders import ChainRow, DamagedRow, chain_row

A = UUID("00000000-0000-4000-8000-00000000000a")
SOUND = (
    7,
    107,
    A.hex,
    3,
    "2026-06-01T09:00:00.000000+00:00",
    "ab" * 32,
    2,
    107,
    A.hex,
    3,
    "T",
    b"{}",
)
NAMES = [
    "link notification_id",
    "link originator_id",
    "link originator_version",
    "link recorded_at",
    "link hash",
    "link encoding",
    None,
    "event originator_id",
    "event originator_version",
    "event topic",
    "event state",
]
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=70),
    st.binary(max_size=70),
)


def hex_text(value: Any) -> UUID | None:
    return UUID(value) if isinstance(value, str) and value == A.hex else None


def test_the_values_the_library_writes_make_a_link() -> None:
    row = chain_row(SOUND, hex_text)
    assert isinstance(row, ChainRow)
    assert (row.sequence, row.notification_id, row.aggregate_id, row.version) == (7, 107, A, 3)
    assert row.event is not None and row.event.originator_id == A


def test_no_event_at_the_position_is_a_link_without_event() -> None:
    row = chain_row((*SOUND[:7], None, None, None, None, None), hex_text)
    assert isinstance(row, ChainRow) and row.event is None


@given(index=st.sampled_from([i for i, name in enumerate(NAMES) if name]), value=ANY_VALUE)
def test_any_other_value_in_any_column_is_damage_named_never_an_error(
    index: int, value: Any
) -> None:
    values = list(SOUND)
    values[index + 1] = value
    row = chain_row(values, hex_text)
    if isinstance(row, ChainRow):  # the value happened to be one the library writes
        assert type(value) is type(SOUND[index + 1]) or value == SOUND[index + 1]
        return
    assert isinstance(row, DamagedRow) and row.sequence == 7
    assert row.detail.startswith(f"its {NAMES[index]} is ")


def test_position_0_is_damage_as_no_record_is_stored_there() -> None:
    values = list(SOUND)
    values[1] = 0
    row = chain_row(values, hex_text)
    assert isinstance(row, DamagedRow)
    assert row.detail == "its link notification_id is 0 (int): not as the library writes it"


def test_damage_names_the_value_cut_to_80_characters_and_its_type() -> None:
    values = list(SOUND)
    values[5] = "z" * 100  # the hash
    row = chain_row(values, hex_text)
    assert row == DamagedRow(
        sequence=7,
        notification_id=107,
        detail=f"its link hash is {'z' * 80!r} (str): not as the library writes it",
    )
    values = list(SOUND)
    values[11] = 3.5  # the event's state, not bytes: shown whole
    assert chain_row(values, hex_text) == DamagedRow(
        sequence=7,
        notification_id=107,
        detail="its event state is 3.5 (float): not as the library writes it",
    )
