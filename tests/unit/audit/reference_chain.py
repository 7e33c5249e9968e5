"""The chain's canonical encodings written out again from docs/audit.md, for tests.

An independent reading of the documented encodings (hashlib only), so that the tests
of the chain and of verification do not take their expected hashes from the code
they test.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

ZERO = "0" * 64


def reference_hash(
    sequence: int,
    aggregate_id: UUID,
    version: int,
    topic: str,
    state: bytes,
    recorded_at: str,
    previous: str,
    aggregate_previous: str,
    *,
    position: int | None = None,
) -> str:
    """SHA-256 over the tag and the length-prefixed fields, as docs/audit.md says:
    encoding 1 (eight fields) without ``position``, encoding 2 (nine, the log position
    second) with it."""
    fields = [
        str(sequence).encode("ascii"),
        *([] if position is None else [str(position).encode("ascii")]),
        str(aggregate_id).encode("ascii"),
        str(version).encode("ascii"),
        topic.encode("utf-8"),
        state,
        recorded_at.encode("ascii"),
        previous.encode("ascii"),
        aggregate_previous.encode("ascii"),
    ]
    encoded = b"mentoring-core/chain/v1\n" if position is None else b"mentoring-core/chain/v2\n"
    for field in fields:
        encoded += len(field).to_bytes(8, byteorder="big", signed=False) + field
    return hashlib.sha256(encoded).hexdigest()
