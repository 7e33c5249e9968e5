"""The tamper-evident hash chain over stored records: its canonical encoding, nothing else.

Pure (hashlib only), so that a third party can check it from ``docs/audit.md`` alone.

Every stored event gets a chain link, numbered ``sequence`` = 1, 2, 3... in the
order the store recorded it (the global order). Its hash is SHA-256 over::

    b"mentoring-core/chain/v1\\n"
    then, for each field below in this order, its length in bytes as an
    8-byte big-endian unsigned integer followed by the bytes themselves:
      1. sequence            decimal ASCII, e.g. b"42"
      2. aggregate_id        the UUID, lower-case hex with dashes (36 bytes)
      3. version             decimal ASCII
      4. topic               UTF-8, e.g. b"MeetingHeld"
      5. state               the stored state bytes exactly as stored
      6. recorded_at         the link's recording time, ISO 8601 in UTC with
                             microseconds: b"2026-06-01T09:00:00.000000+00:00"
      7. previous            hex hash of link ``sequence - 1`` (64 zeros for the first)
      8. aggregate_previous  hex hash of the same aggregate's link for ``version - 1``
                             (64 zeros for version 1)

The hash is written as 64 lower-case hex characters. A link thus fixes its record,
every record before it in the store, and every earlier record of its aggregate.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from uuid import UUID

import attrs

DOMAIN_TAG = b"mentoring-core/chain/v1\n"
GENESIS = "0" * 64
"""The ``previous`` of the first link, and the ``aggregate_previous`` of every version 1."""


def canonical_time(moment: datetime) -> str:
    """A recording time as the chain encodes it: UTC, microseconds, ``+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@attrs.frozen(kw_only=True)
class Record:
    """What one link covers: a stored record and its place in the store."""

    sequence: int
    aggregate_id: UUID
    version: int
    topic: str
    state: bytes
    recorded_at: str
    """Already in :func:`canonical_time` form."""


def encode(record: Record, previous: str, aggregate_previous: str) -> bytes:
    """The canonical bytes a link's hash is computed over."""
    fields = (
        str(record.sequence).encode(),
        str(record.aggregate_id).encode(),
        str(record.version).encode(),
        record.topic.encode(),
        record.state,
        record.recorded_at.encode(),
        previous.encode(),
        aggregate_previous.encode(),
    )
    return DOMAIN_TAG + b"".join(len(f).to_bytes(8, "big") + f for f in fields)


def link_hash(record: Record, previous: str, aggregate_previous: str) -> str:
    """The hex SHA-256 of a record's canonical encoding."""
    return hashlib.sha256(encode(record, previous, aggregate_previous)).hexdigest()
