"""The tamper-evident hash chain over stored records: its canonical encodings, nothing else.

Pure (hashlib and re only), so that a third party can check it from ``docs/audit.md`` alone.

Every stored event gets a chain link, numbered ``sequence`` = 1, 2, 3... in the
order the store recorded it (the global order). Each link records the encoding its
hash uses; new links use :data:`ENCODING` (2). Its hash is SHA-256 over the
encoding's tag, then, for each of its fields in order, the field's length in bytes
as an 8-byte big-endian unsigned integer followed by the bytes themselves.

Encoding 2, tag ``b"mentoring-core/chain/v2\\n"``, nine fields:

  1. sequence            decimal ASCII, e.g. b"42"
  2. notification_id     the event's position in the store's log, decimal ASCII
  3. aggregate_id        the UUID, lower-case hex with dashes (36 bytes)
  4. version             decimal ASCII
  5. topic               UTF-8, e.g. b"MeetingHeld"
  6. state               the stored state bytes exactly as stored
  7. recorded_at         the link's recording time, ISO 8601 in UTC with
                         microseconds: b"2026-06-01T09:00:00.000000+00:00"
  8. previous            hex hash of link ``sequence - 1`` (64 zeros for the first)
  9. aggregate_previous  hex hash of the same aggregate's link for ``version - 1``
                         (64 zeros for version 1)

Encoding 1, tag ``b"mentoring-core/chain/v1\\n"`` (links written before encoding 2
existed): the same fields without ``notification_id``, eight in all.

The hash is written as 64 lower-case hex characters. A link thus fixes its record,
every record before it in the store, and every earlier record of its aggregate.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from uuid import UUID

import attrs

DOMAIN_TAGS = {1: b"mentoring-core/chain/v1\n", 2: b"mentoring-core/chain/v2\n"}
"""Each encoding's tag, by encoding number."""
ENCODING = 2
"""The encoding of every new link."""
GENESIS = "0" * 64
"""The ``previous`` of the first link, and the ``aggregate_previous`` of every version 1."""


def canonical_time(moment: datetime) -> str:
    """A recording time as the chain encodes it: UTC, microseconds, ``+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


_CANONICAL_TIME = re.compile(
    "[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-9]{2}:[0-9]{2}[.][0-9]{6}[+]00:00"
)
"""The layout :func:`canonical_time` writes, in ASCII digits; ``fromisoformat`` then
refuses what is not a moment (month 13, minute 60...). Hours stop at 23 here, as newer
Pythons read ``24:00`` as the next day's midnight (CPython issue 102450), which is not
written back as read."""
_HASH = re.compile("[0-9a-f]{64}")


def parse_canonical_time(text: str) -> datetime | None:
    """The moment ``text`` names if it is exactly in :func:`canonical_time` form, else None.

    Checked by the form's pattern, then read: a moment read from a text of that form is
    written back as the same text (a test compares this with writing it back)."""
    if _CANONICAL_TIME.fullmatch(text) is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:  # not a date (month 13, 30 February...)
        return None


def is_hash(text: object) -> bool:
    """True if ``text`` is a hash as the chain writes it: 64 lower-case hex characters."""
    return isinstance(text, str) and _HASH.fullmatch(text) is not None


@attrs.frozen(kw_only=True)
class Record:
    """What one link covers: a stored record and its place in the store."""

    sequence: int
    notification_id: int
    """The event's position in the store's log (encoding 2 binds it; encoding 1 does not)."""
    aggregate_id: UUID
    version: int
    topic: str
    state: bytes
    recorded_at: str
    """Already in :func:`canonical_time` form."""


def encode(
    record: Record, previous: str, aggregate_previous: str, encoding: int = ENCODING
) -> bytes:
    """The canonical bytes a link's hash is computed over, in ``encoding`` (1 or 2)."""
    position = (str(record.notification_id).encode(),) if encoding >= 2 else ()
    fields = (
        str(record.sequence).encode(),
        *position,
        str(record.aggregate_id).encode(),
        str(record.version).encode(),
        record.topic.encode(),
        record.state,
        record.recorded_at.encode(),
        previous.encode(),
        aggregate_previous.encode(),
    )
    return DOMAIN_TAGS[encoding] + b"".join(len(f).to_bytes(8, "big") + f for f in fields)


def link_hash(
    record: Record, previous: str, aggregate_previous: str, encoding: int = ENCODING
) -> str:
    """The hex SHA-256 of a record's canonical encoding in ``encoding`` (1 or 2)."""
    return hashlib.sha256(encode(record, previous, aggregate_previous, encoding)).hexdigest()
