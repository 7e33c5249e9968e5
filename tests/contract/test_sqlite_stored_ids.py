"""The SQLite recorder reads a stored id as ``UUID(text)`` does, or keeps it as found,
whatever it read before: it gives the last text's value again without parsing it (an
aggregate's rows come in runs), and that must never leak from one id to another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring_core import MentoringService
from mentoring_core.audit.recorders import ChainedSQLiteApplicationRecorder

IDS = [UUID(int=n * 0x1234_5678_9ABC_DEF0) for n in range(1, 4)]


def as_found_or_uuid(stored: Any) -> Any:
    """What a stored id reads as, parsed afresh."""
    try:
        return UUID(stored)
    except (ValueError, TypeError, AttributeError):
        return stored


stored_ids = st.one_of(
    st.sampled_from(IDS).map(str),
    st.sampled_from(IDS).map(lambda u: u.hex),
    st.sampled_from(IDS).map(lambda u: str(u).upper()),
    st.sampled_from(["", "not-a-uuid", "1", str(IDS[0])[:-1]]),
    st.none(),
    st.integers(0, 2),
    st.just(1.0),
    st.binary(max_size=16),
)


@pytest.fixture(scope="module")
def recorder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path: Path = tmp_path_factory.mktemp("ids") / "store.db"
    with MentoringService(f"sqlite:///{path}") as service:
        assert isinstance(service.store.recorder, ChainedSQLiteApplicationRecorder)
        yield service.store.recorder


@given(st.lists(stored_ids, min_size=1, max_size=12))
def test_each_stored_id_reads_as_if_it_were_the_first(recorder: Any, stored: list[Any]) -> None:
    for value in stored:
        read = recorder.convert_originator_id(value)
        expected = as_found_or_uuid(value)
        assert (type(read), read) == (type(expected), expected)
