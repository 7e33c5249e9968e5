"""The chain's hash is the documented encoding, and recording times are always UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

from machine_zone import local_time_zone
from reference_chain import ZERO, reference_hash

from mentoring_core.audit.chain import GENESIS, Record, canonical_time, encode, link_hash

AGGREGATE = UUID("2885d94c-e905-5eaf-8b27-15283d428b42")
RECORD = Record(
    sequence=181,
    notification_id=4181,
    aggregate_id=AGGREGATE,
    version=16,
    topic="MeetingHeld",
    state=b'{"duration_minutes":60}',
    recorded_at="2026-04-06T14:00:00.000000+00:00",
)


def test_genesis_is_sixty_four_zeros() -> None:
    assert GENESIS == ZERO


def test_the_encoding_is_the_tag_then_length_prefixed_fields() -> None:
    encoded = encode(RECORD, "a" * 64, "b" * 64)
    tag = b"mentoring-core/chain/v2\n"
    assert encoded.startswith(tag)
    # The first field, the sequence "181", is three bytes: a big-endian 8-byte length;
    # the second, the log position "4181", four.
    assert encoded[len(tag) : len(tag) + 23] == (
        b"\x00\x00\x00\x00\x00\x00\x00\x03181\x00\x00\x00\x00\x00\x00\x00\x044181"
    )
    # The last field, aggregate_previous, is 64 ASCII characters.
    assert encoded.endswith(b"\x00\x00\x00\x00\x00\x00\x00\x40" + b"b" * 64)


def test_encoding_1_has_its_own_tag_and_leaves_the_log_position_out() -> None:
    encoded = encode(RECORD, "a" * 64, "b" * 64, encoding=1)
    tag = b"mentoring-core/chain/v1\n"
    assert encoded.startswith(tag)
    assert encoded[len(tag) : len(tag) + 19] == (
        b"\x00\x00\x00\x00\x00\x00\x00\x03181\x00\x00\x00\x00\x00\x00\x00\x24"
    )  # then the 36-byte aggregate id
    assert b"4181" not in encoded
    assert len(encoded) == len(encode(RECORD, "a" * 64, "b" * 64)) - 12


def test_a_link_hash_is_the_documented_sha256() -> None:
    expected = reference_hash(
        181,
        AGGREGATE,
        16,
        "MeetingHeld",
        b'{"duration_minutes":60}',
        "2026-04-06T14:00:00.000000+00:00",
        "a" * 64,
        "b" * 64,
        position=4181,
    )
    assert link_hash(RECORD, "a" * 64, "b" * 64) == expected


def test_an_encoding_1_link_hash_is_the_documented_sha256() -> None:
    expected = reference_hash(
        181,
        AGGREGATE,
        16,
        "MeetingHeld",
        b'{"duration_minutes":60}',
        "2026-04-06T14:00:00.000000+00:00",
        "a" * 64,
        "b" * 64,
    )
    assert link_hash(RECORD, "a" * 64, "b" * 64, encoding=1) == expected


def test_recording_times_are_encoded_in_utc_whatever_the_local_zone() -> None:
    moment = datetime(2026, 6, 1, 19, 0, 0, 5, tzinfo=timezone(timedelta(hours=10)))
    with local_time_zone("Australia/Sydney"):  # the machine's zone: UTC+10/+11
        assert canonical_time(moment) == "2026-06-01T09:00:00.000005+00:00"
    assert canonical_time(datetime(2026, 6, 1, 9, tzinfo=UTC)) == (
        "2026-06-01T09:00:00.000000+00:00"
    )
