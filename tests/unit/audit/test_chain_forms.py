"""The forms a link's values must have, read by patterns: the same answers as the
definitions they stand for, for any text (a link's time is a moment written back exactly
as it was read; a hash is 64 lower-case hex digits; a SQLite store's id is a UUID's
``hex``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

from hypothesis import example, given
from hypothesis import strategies as st

from mentoring_core.audit.chain import canonical_time, is_hash, parse_canonical_time
from mentoring_core.audit.recorders import _hex_text

CANONICAL = "2026-06-01T09:00:00.000000+00:00"


def written_back(text: str) -> datetime | None:
    """The definition: a moment read from ``text``, with an offset, written back as
    ``text`` by canonical_time."""
    try:
        moment = datetime.fromisoformat(text)
        if moment.utcoffset() is None or canonical_time(moment) != text:
            return None
    except (ValueError, OverflowError):  # OverflowError: year 1 moved into UTC
        return None
    return moment


def edited(text: str, at: int, by: str) -> str:
    return text[:at] + by + text[at + 1 :]


MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
)
CANONICAL_TEXTS = MOMENTS.map(canonical_time)
TIMES = st.one_of(
    CANONICAL_TEXTS,
    st.builds(edited, CANONICAL_TEXTS, st.integers(0, 31), st.characters()),
    MOMENTS.map(lambda m: m.isoformat()),  # other offsets, no microseconds...
    st.text(max_size=40),
)


@given(TIMES)
@example(CANONICAL)
@example("2026-06-01T24:00:00.000000+00:00")  # hour 24
@example("2026-02-30T09:00:00.000000+00:00")  # not a date
@example("2026-06-01T09:00:00.000000Z")
@example("2026-06-01T09:00:00.000000-00:00")
@example("2026-06-01T09:00:00.000+00:00")
@example("2026-06-01T09:00:00+00:00")
@example("2026-06-01T09:00:00.000000+00:00\n")
@example("٢٠٢٦-06-01T09:00:00.000000+00:00")  # digits, but not ASCII ones
@example("0001-01-01T00:00:00.000000+01:00")  # before year 1 in UTC
def test_a_time_is_read_exactly_when_it_is_written_back_as_read(text: str) -> None:
    assert parse_canonical_time(text) == written_back(text)


@given(st.one_of(st.binary(min_size=32, max_size=32).map(bytes.hex), st.text(max_size=70)))
@example("ab" * 32)
@example("AB" * 32)
@example("ab" * 32 + "\n")
@example("ab" * 31 + "a")
def test_a_hash_is_64_lower_case_hex_digits(text: str) -> None:
    assert is_hash(text) == (len(text) == 64 and set(text) <= set("0123456789abcdef"))


@given(
    st.one_of(
        st.uuids().map(lambda u: u.hex),
        st.uuids().map(str),
        st.uuids().map(lambda u: u.hex.upper()),
        st.text(max_size=40),
        st.integers(),
    )
)
@example("0123456789abcdef0123456789abcdef\n")
@example("{0123456789abcdef0123456789abcde}")
def test_a_sqlite_id_is_exactly_a_uuids_hex(value: object) -> None:
    expected = None
    if isinstance(value, str) and len(value) == 32 and set(value) <= set("0123456789abcdef"):
        expected = UUID(hex=value)
    assert _hex_text(value) == expected
