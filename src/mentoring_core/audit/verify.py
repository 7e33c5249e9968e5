"""Checking a store's hash chain, optionally against a digest kept outside the store.

The walk reads the chain in pages (constant memory but for one hash per aggregate),
recomputes every link, and stops at the first record that breaks it, saying what
kind of change it shows.
"""

from __future__ import annotations

import enum
from uuid import UUID

import attrs
from eventsourcing.persistence import StoredEvent

from ..domain.errors import MentoringError
from .chain import GENESIS, Record, link_hash
from .recorders import ChainedRecorder, ChainRow, DamagedRow

PAGE_SIZE = 1000


class Breach(enum.StrEnum):
    """What kind of change a verification found."""

    CHANGED = "changed"
    """A record's type, state or recording time differs from what was chained."""
    DELETED = "deleted"
    """A chained record, or a chain link, is gone."""
    INSERTED = "inserted"
    """A stored event is not covered by any chain link, or a chain link is numbered below
    1, outside the chain: either was written around the library."""
    REORDERED = "reordered"
    """A record is not where the chain puts it (swapped or moved records)."""
    TRUNCATED = "truncated"
    """The store ends before the digest's position: records were removed from the end."""
    REWRITTEN = "rewritten"
    """The chain is consistent but differs from the digest: the history was rewritten."""
    DOWNGRADED = "downgraded"
    """A link uses an older encoding than a link before it: it was re-chained so as
    not to bind what the newer encoding binds (the log position)."""


@attrs.frozen(kw_only=True)
class Digest:
    """A small proof of the whole history up to ``sequence``, to keep outside the store."""

    sequence: int
    hash: str
    recorded_at: str
    """When the last covered record was recorded (canonical UTC)."""


class DigestError(MentoringError):
    """A digest file or key cannot be read, a signature does not match, or the digest's
    recording time is not that of the record whose hash it has (it was edited)."""


@attrs.frozen(kw_only=True)
class Finding:
    """The first record that breaks the chain."""

    breach: Breach
    sequence: int | None
    notification_id: int | None
    aggregate_id: UUID | None
    version: int | None
    detail: str

    def __str__(self) -> str:
        return f"{self.breach}: {self.detail}"


@attrs.frozen(kw_only=True)
class Verification:
    """The outcome of :func:`verify`."""

    records: int
    """How many chained records were checked."""
    digest: Digest | None
    """The digest of the store as verified (None for an empty store)."""
    finding: Finding | None
    against: Digest | None

    @property
    def ok(self) -> bool:
        return self.finding is None


class _Broken(Exception):
    def __init__(self, finding: Finding) -> None:
        self.finding = finding


def _finding(breach: Breach, row: ChainRow | DamagedRow, detail: str) -> _Broken:
    whole = row if isinstance(row, ChainRow) else None
    return _Broken(
        Finding(
            breach=breach,
            sequence=row.sequence,
            notification_id=row.notification_id,
            aggregate_id=None if whole is None else whole.aggregate_id,
            version=None if whole is None else whole.version,
            detail=detail,
        )
    )


def _stray(row: ChainRow | DamagedRow) -> _Broken:
    """The finding of a link numbered below 1, which the walk from 1 never checks."""
    if isinstance(row, DamagedRow):
        what = f"at notification id {row.notification_id}"
    else:
        there = "" if row.event is not None else ", where no event is stored"
        what = (
            f"for aggregate {row.aggregate_id} version {row.version}, "
            f"at notification id {row.notification_id}{there}"
        )
    return _finding(
        Breach.INSERTED,
        row,
        f"chain link {row.sequence} ({what}) is numbered below 1: the library numbers "
        "its links from 1, so it was written around the library, and nothing it covers "
        "is checked",
    )


class _Walk:
    """The state of one walk along the chain."""

    def __init__(self, against: Digest | None) -> None:
        self.against = against
        self.previous = GENESIS
        self.sequence = 0
        self.last: ChainRow | None = None
        self.aggregates: dict[UUID, tuple[int, str]] = {}
        self.encoding = 1
        """The newest encoding seen: a link of an older one after it is a downgrade."""

    def check(self, row: ChainRow | DamagedRow) -> None:
        if row.sequence < 1:
            raise _stray(row)
        if row.sequence != self.sequence + 1:
            first, last = self.sequence + 1, row.sequence - 1
            gone = (
                f"chain link {first} is" if first == last else f"chain links {first} to {last} are"
            )
            raise _Broken(
                Finding(
                    breach=Breach.DELETED,
                    sequence=first,
                    notification_id=None,
                    aggregate_id=None,
                    version=None,
                    detail=f"{gone} gone (the chain goes from record {self.sequence} "
                    f"to record {row.sequence})",
                )
            )
        if isinstance(row, DamagedRow):
            raise _finding(Breach.CHANGED, row, f"record {row.sequence}: {row.detail}")
        where = f"record {row.sequence} (aggregate {row.aggregate_id} version {row.version})"
        event = row.event
        if event is None:
            raise _finding(
                Breach.DELETED, row, f"{where} is gone from notification id {row.notification_id}"
            )
        found = (event.originator_id, event.originator_version)
        if found != (row.aggregate_id, row.version):
            raise _finding(
                Breach.REORDERED,
                row,
                f"{where} was expected at notification id {row.notification_id}, "
                f"but aggregate {found[0]} version {found[1]} is there",
            )
        if row.encoding < self.encoding:
            raise _finding(
                Breach.DOWNGRADED,
                row,
                f"{where} is chained in encoding {row.encoding} after links of encoding "
                f"{self.encoding}: it was re-chained so that its log position is not bound",
            )
        self._check_hash(row, event, where)
        self.previous = row.hash
        self.sequence = row.sequence
        self.encoding = row.encoding
        self.aggregates[row.aggregate_id] = (row.version, row.hash)
        self.last = row

    def _check_hash(self, row: ChainRow, event: StoredEvent, where: str) -> None:
        known = self.aggregates.get(row.aggregate_id)
        if row.version == 1:
            aggregate_previous = GENESIS
        elif known is not None and known[0] == row.version - 1:
            aggregate_previous = known[1]
        else:
            seen = "no earlier version" if known is None else f"version {known[0]}"
            raise _finding(
                Breach.REORDERED, row, f"{where} follows {seen} of its aggregate in the chain"
            )
        record = Record(
            sequence=row.sequence,
            notification_id=row.notification_id,
            aggregate_id=row.aggregate_id,
            version=row.version,
            topic=event.topic,
            state=event.state,
            recorded_at=row.recorded_at,
        )
        if link_hash(record, self.previous, aggregate_previous, row.encoding) != row.hash:
            moved = ", log position" if row.encoding >= 2 else ""
            raise _finding(
                Breach.CHANGED,
                row,
                f"{where} ({event.topic}) differs from what was chained: its type, state"
                f"{moved} or recording time was changed, or its link was",
            )
        if self.against is not None and row.sequence == self.against.sequence:
            _check_against(row, self.against)


def _check_against(row: ChainRow, against: Digest) -> None:
    """The digest's record ``row``: the same hash, else the history was rewritten; and
    the same recording time (which the hash binds), else the digest was edited."""
    if row.hash != against.hash:
        raise _finding(
            Breach.REWRITTEN,
            row,
            f"the chain is consistent, but record {row.sequence} has hash {row.hash} where "
            f"the digest has {against.hash}: the history up to the digest was rewritten",
        )
    if row.recorded_at != against.recorded_at:
        raise DigestError(
            f"the digest's recorded_at {against.recorded_at} is not the recording time of "
            f"record {row.sequence} ({row.recorded_at}), whose hash it has: the digest was "
            "edited"
        )


def verify(recorder: ChainedRecorder, against: Digest | None = None) -> Verification:
    """Re-read the whole chain; with ``against``, also prove it extends that digest."""
    walk = _Walk(against)
    finding: Finding | None = None
    try:
        while rows := recorder.select_chain(walk.sequence, PAGE_SIZE):
            for row in rows:
                walk.check(row)
        if against is not None and against.sequence > walk.sequence:
            raise _Broken(
                Finding(
                    breach=Breach.TRUNCATED,
                    sequence=walk.sequence,
                    notification_id=None,
                    aggregate_id=None,
                    version=None,
                    detail=f"the store's chain ends at record {walk.sequence} but the digest "
                    f"covers {against.sequence}: records were removed from the end",
                )
            )
        for row in recorder.select_stray_links(1):
            raise _stray(row)
        for notification_id, event in recorder.select_unchained(1):
            raise _Broken(
                Finding(
                    breach=Breach.INSERTED,
                    sequence=None,
                    notification_id=notification_id,
                    aggregate_id=event.originator_id
                    if isinstance(event.originator_id, UUID)
                    else None,
                    version=event.originator_version,
                    detail=f"{event.topic} of aggregate {event.originator_id} version "
                    f"{event.originator_version} at notification id {notification_id} is "
                    "covered by no chain link: it was written around the library, or its link "
                    "was removed",
                )
            )
    except _Broken as broken:
        finding = broken.finding
    last = walk.last
    digest = (
        None
        if last is None
        else Digest(sequence=last.sequence, hash=last.hash, recorded_at=last.recorded_at)
    )
    return Verification(records=walk.sequence, digest=digest, finding=finding, against=against)
