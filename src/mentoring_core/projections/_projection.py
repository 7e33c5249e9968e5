"""The incremental compliance projection: pull new events, fold them, store facts and position.

Pull, not push: eventsourcing's SQLite recorder cannot push (its ``subscribe`` is not
implemented). A catch-up reads a stretch of the log after the stored position without the
records' states (:meth:`~mentoring_core.extend.ChainedRecorder.select_heads`), for the
aggregates it touches and their last versions there; it then folds each of those
aggregates in turn, from its stored row (or the facts this projection kept) to its last
version, reading its own records a page at a time as loading it does, and drops its facts
before the next. So it holds one aggregate's facts at a time, however long the log.

Each row moved on is written ahead of the position (a row never goes back to a lower
version), and the stretch's end is stored with the last rows, in one transaction. A row
may so stand past the position, never behind it: a crash or a projector that lost a race
leaves rows that the next catch-up finds as far as they are (the fold passes over versions
it already has), and nothing is skipped (a version gap stops the projection).

The facts keep no personal data, so events are read without opening their personal
fields (each sealed field's form is checked, and it reads as ``SEALED``): the read model
never decrypts a person's texts, and needs none of their keys.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, Tracking

from .._collector import collector_spared
from ..application import MentoringService
from ..audit.recorders import record_uuid
from ..domain.decider import Decider
from ..domain.errors import InvalidValue, NotFound, ReadModelError
from ..domain.events import Event, RelationshipEvent
from ..domain.kinds import kind_of
from ..domain.programme import PROGRAMME
from ..domain.relationship_state import RELATIONSHIP
from ..domain.validation import MAX_NUMBER, check_int, check_uuid
from ..reports import (
    ProgrammeFacts,
    RelationshipFacts,
    evolve_programme_facts,
    evolve_relationship_facts,
)
from ..reports._facts import RelationshipDraft
from ..store import ComplianceView, StoredFacts
from ._codec import ListedItems, encoded_facts
from ._codec import decode_facts as decode_json

_log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 250_000
"""Records of the log a catch-up reads at a time (without their states) for the aggregates
they touch, whose end it stores as the position once those are folded: the work read again
after a crash, and the most aggregates it notes at once (an int and a version each)."""
PAGE_SIZE = 1000
"""Records read at a time: heads of the log, or an aggregate's records (decoded one by one)."""
ROWS_BYTES = 2**20
"""The text of the rows a catch-up writes in one transaction, about (at least one row)."""
DEFAULT_CACHE_SIZE = 20_000
"""Aggregates whose facts are kept decoded between catch-ups (least recently used go first)."""
CACHE_EVENTS = 20_000
"""The events the kept facts may hold in all: past it, the least recently used go first,
so what a projection keeps is bounded however long the relationships it folded."""

Facts = ProgrammeFacts | RelationshipFacts


@attrs.define
class _Stretch:
    """A stretch of the log read for a catch-up: how many records, the last one's
    position, and the last version of each aggregate they touch (by its id's int, in the
    order first touched)."""

    end: int
    records: int = 0
    last_version: dict[int, int] = attrs.Factory(dict)


@attrs.define
class _Counted:
    """The events a catch-up has folded so far, told to the collector's bound."""

    spare: Callable[[int], None]
    events: int = 0

    def add(self, count: int) -> None:
        self.events += count
        self.spare(self.events)


@attrs.frozen
class _Kept:
    """An aggregate's facts as last stored, and their tuple fields' items as encoded then
    (whose texts the aggregate's next row reuses)."""

    facts: Facts
    listed: dict[str, ListedItems]


@attrs.frozen
class _FactsOf:
    """The read model's side of one kind of aggregate: its facts, their fold, and the
    programme its rows belong to."""

    kind: Decider[Any]
    type: type[Facts]
    evolve: Callable[[Any, Any], Facts]
    programme_id: Callable[[UUID, Any], UUID | None]
    """The programme of an aggregate's row, from its id and facts (None: not known yet)."""


_FACTS: dict[Decider[Any], _FactsOf] = {
    facts.kind: facts
    for facts in (
        _FactsOf(PROGRAMME, ProgrammeFacts, evolve_programme_facts, lambda own_id, _: own_id),
        _FactsOf(
            RELATIONSHIP,
            RelationshipFacts,
            evolve_relationship_facts,
            lambda _, facts: facts.programme_id,
        ),
    )
}
"""Every kind of :data:`~mentoring_core.domain.kinds.KINDS`, as the read model keeps it."""


def decode_facts(row: StoredFacts) -> Facts:
    """A read model row's facts."""
    # A kind no decider has is read as a relationship's facts, as it always was.
    kinds = [facts.type for kind, facts in _FACTS.items() if kind.name == row.kind]
    return decode_json(row.facts, kinds[0] if kinds else RelationshipFacts)


_FACTS_OF_TYPE: dict[type[Event], _FactsOf] = {}


def _facts_of(event: Event) -> _FactsOf:
    """The read model's side of ``event``'s kind (looked up once per event type)."""
    of = _FACTS_OF_TYPE.get(type(event))
    if of is None:
        try:
            of = _FACTS_OF_TYPE[type(event)] = _FACTS[kind_of(event)]
        except InvalidValue:
            raise ReadModelError(
                f"cannot project {type(event).__name__} of {event.aggregate_id}"
            ) from None
    return of


def _fold(facts: Facts | None, event: Event) -> Facts:
    """``event`` folded onto ``facts``; refuses to pass over a missing version."""
    of = _facts_of(event)
    current = facts if isinstance(facts, of.type) else of.type()
    _check_next(current.version, event)
    return of.evolve(current, event)


def _fold_into(
    current: Facts | RelationshipDraft | None, event: Event
) -> Facts | RelationshipDraft:
    """``event`` folded onto ``current`` as :func:`_fold` does, a relationship's facts
    into a draft (changed in place, built into facts once the aggregate is folded)."""
    if _facts_of(event).type is not RelationshipFacts:
        return _fold(None if current is None else _built(current), event)
    if not isinstance(current, RelationshipDraft):
        current = RelationshipDraft(
            current if isinstance(current, RelationshipFacts) else RelationshipFacts()
        )
    _check_next(current.version, event)
    current.add(cast(RelationshipEvent, event))
    return current


def _built(facts: Facts | RelationshipDraft) -> Facts:
    return facts.facts() if isinstance(facts, RelationshipDraft) else facts


def _check_next(version: int, event: Event) -> None:
    if event.version > version + 1:
        raise ReadModelError(
            f"the read model has {event.aggregate_id} at version {version} but the next event "
            f"read is version {event.version}: events would be skipped"
        )


def _row(aggregate_id: UUID, facts: Facts, text: str) -> StoredFacts:
    """The read model's row of ``facts``, whose JSON text is ``text``."""
    (of,) = (of for of in _FACTS.values() if isinstance(facts, of.type))
    programme_id = of.programme_id(aggregate_id, facts)
    if programme_id is None:
        raise ReadModelError(f"{of.kind.name} {aggregate_id} has no opening event")
    return StoredFacts(
        aggregate_id=aggregate_id,
        programme_id=programme_id,
        kind=of.kind.name,
        version=facts.version,
        facts=text,
    )


class ComplianceProjection:
    """Keeps a service's compliance read model up to date, on demand.

    ``catch_up()`` processes every event recorded since the stored position;
    ``programme_facts()`` reads a programme's facts from the read model. Any
    number of projections (in any number of processes) may share a read model:
    rows never go back to a lower version, and a position that lost a race is
    refused, the projection carrying on from the position the winner stored.
    """

    def __init__(
        self,
        service: MentoringService,
        *,
        view: ComplianceView | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        check_int("batch_size", batch_size, 1, MAX_NUMBER)
        check_int("cache_size", cache_size, 0, MAX_NUMBER)
        self._service = service
        self._name = service.store.name
        self.view = view if view is not None else service.store.compliance_view()
        self.batch_size = batch_size
        self._cache_size = cache_size
        # Kept facts by their aggregate id's int, as is everything a catch-up holds by
        # aggregate: a UUID's hash and == are Python code. Each is the facts of a row this
        # projection stored, trusted while the position is where it left it.
        self._cache: OrderedDict[int, _Kept] = OrderedDict()
        self._cached_events = 0
        self._cached_at: int | None = None

    @property
    def position(self) -> int | None:
        """The id of the last notification folded into the read model (None before the first)."""
        return self.view.max_tracking_id(self._name)

    def catch_up(self, *, limit: int | None = None) -> int:
        """Fold every event recorded after the stored position; return how many were folded.

        A stretch of up to ``batch_size`` records of the log is read without their
        states, for the aggregates it touches; each of those is then folded in turn, from
        its row (or kept facts) to its last version, and its row written, ahead of the
        position, with others in transactions of about :data:`ROWS_BYTES`; the last rows
        are written with the stretch's end as the position. ``limit`` stops after that
        many records, as a process stopped midway would. Past
        :data:`~mentoring_core._collector.SPARE_COLLECTOR_FROM` events, what the process
        holds is kept from the garbage collector's full collections until it returns (see
        :func:`~mentoring_core._collector.collector_spared`).
        """
        with collector_spared() as spare:
            return self._catch_up(limit, spare)

    def _catch_up(self, limit: int | None, spare: Callable[[int], None]) -> int:
        position = self.position
        if position != self._cached_at:  # another projector moved it, or it was reset
            self._forget()
        after = position or 0
        done = 0
        folded: dict[int, int] = {}  # the version each aggregate was folded to, this catch-up
        counted = _Counted(spare)
        while True:
            wanted = self.batch_size if limit is None else min(self.batch_size, limit - done)
            stretch = self._stretch(after, wanted) if wanted > 0 else None
            if stretch is None:
                return done
            try:
                self._fold_stretch(stretch, folded, counted)
            except IntegrityError:
                # Another projector stored this stretch first: go on from where it got to,
                # folding again what this one folded but did not store (the other's rows
                # of those may be behind it).
                folded.clear()
                self._cached_at = self.position
                overtaken_at, after = stretch.end, self._cached_at or 0
                _log.info(
                    "another projection stored the read model up to %s first; "
                    "dropped this one's position %s (its rows stand) and went on from there",
                    after,
                    overtaken_at,
                )
                continue
            done, after = done + stretch.records, stretch.end
            self._cached_at = after

    def _stretch(self, after: int, wanted: int) -> _Stretch | None:
        """The aggregates touched by the next ``wanted`` records of the log after ``after``
        (read without their states), or None where there are none."""
        recorder = self._service.store.recorder
        stretch = _Stretch(after)
        ids: dict[Any, int] = {}  # each stored id parsed once a stretch
        while wanted > stretch.records:
            heads = recorder.select_heads(stretch.end, min(PAGE_SIZE, wanted - stretch.records))
            if not heads:
                break
            for _, stored_id, version, topic in heads:
                key = ids.get(stored_id)
                if key is None:
                    key = ids[stored_id] = record_uuid(stored_id, version, topic).int
                seen = stretch.last_version.get(key, 0)
                if type(version) is int and version > seen:
                    seen = version
                stretch.last_version[key] = seen
            stretch.records += len(heads)
            stretch.end = heads[-1][0]
        return stretch if stretch.records else None

    def _fold_stretch(self, stretch: _Stretch, folded: dict[int, int], counted: _Counted) -> None:
        """Fold each aggregate ``stretch`` touches to its last version (unless this catch-up
        did already), write the rows that moved on, and the position with the last. Facts
        are kept as they are folded; should a write fail, all are forgotten: kept facts
        never stand past their row."""
        rows: list[StoredFacts] = []
        size = 0
        try:
            for key, seen in stretch.last_version.items():
                kept = self._cache.get(key)
                if max(folded.get(key, 0), 0 if kept is None else kept.facts.version) >= seen:
                    continue
                aggregate_id = UUID(int=key)
                facts, row = self._fold_aggregate(key, aggregate_id, kept, counted)
                if facts.version < seen:
                    raise ReadModelError(
                        f"the log holds version {seen} of {aggregate_id}, but its events read "
                        f"by its id end at version {facts.version}: events would be skipped"
                    )
                folded[key] = facts.version
                if row is not None:
                    rows.append(row)
                    size += len(row.facts)
                if size >= ROWS_BYTES:
                    self.view.save_rows(rows)
                    rows, size = [], 0
            self.view.save_facts(rows, Tracking(self._name, stretch.end))
        except BaseException:
            self._forget()
            raise

    def _fold_aggregate(
        self, key: int, aggregate_id: UUID, kept: _Kept | None, counted: _Counted
    ) -> tuple[Facts, StoredFacts | None]:
        """An aggregate's facts folded to its last version, from its kept facts, else its
        row, and its new row (None: the row stored is as far on); the facts are kept."""
        current: Facts | RelationshipDraft | None = None
        row = None
        if kept is not None:
            current = kept.facts
        else:
            stored = self.view.select_facts([aggregate_id])
            row = stored[0] if stored else None
            current = None if row is None else decode_facts(row)
        store = self._service.store
        after = 0 if current is None else current.version
        while page := store.recorder.select_events(aggregate_id, gt=after, limit=PAGE_SIZE):
            for record in page:
                # The facts hold no personal data: sealed fields are left closed.
                current = _fold_into(current, store.decode(record, personal=False))
            after = page[-1].originator_version
            counted.add(len(page))
        if current is None:
            raise ReadModelError(f"the log names {aggregate_id}, but it has no events")
        facts = _built(current)
        if row is not None and facts.version <= row.version:
            self._remember(key, _Kept(facts, {}))
            return facts, None
        kept_now, text = self._kept(key, facts)
        self._remember(key, kept_now)
        return facts, _row(aggregate_id, facts, text)

    def _kept(self, aggregate_id: int, facts: Facts) -> tuple[_Kept, str]:
        """``facts`` to keep, and their JSON text, reusing what was encoded of the
        aggregate's cached facts."""
        cached = self._cache.get(aggregate_id)
        encoded = encoded_facts(facts, None if cached is None else cached.listed)
        return _Kept(facts, encoded.listed), encoded.text

    def _forget(self) -> None:
        self._cache.clear()
        self._cached_events = 0

    def _remember(self, key: int, kept: _Kept) -> None:
        """Keep ``kept``, the least recently used going first past ``cache_size``
        aggregates or :data:`CACHE_EVENTS` events."""
        cache = self._cache
        gone = cache.pop(key, None)
        self._cached_events += kept.facts.version - (0 if gone is None else gone.facts.version)
        cache[key] = kept
        while cache and (len(cache) > self._cache_size or self._cached_events > CACHE_EVENTS):
            self._cached_events -= cache.popitem(last=False)[1].facts.version

    def _facts_in(self, row: StoredFacts) -> Facts:
        """A row's facts: those this projection built and stored in it, while the row is at
        their version (the same events give the same facts), else decoded from the row."""
        cached = self._cache.get(row.aggregate_id.int)
        if cached is not None and cached.facts.version == row.version:
            return cached.facts
        return decode_facts(row)

    def programme_facts(
        self, programme_id: UUID
    ) -> tuple[ProgrammeFacts, tuple[RelationshipFacts, ...]]:
        """A programme's facts and its relationships' facts, as the read model holds them
        (a row this projection just stored is not decoded again: see :meth:`_facts_in`).
        The programme's facts are read from its own row only, and relationships' facts
        from the other rows only: any other row filed under the programme (written around
        the library, which ``audit verify`` names) is passed over, with a warning.
        Once the facts read were folded from
        :data:`~mentoring_core._collector.SPARE_COLLECTOR_FROM` events, those read are
        kept from the garbage collector's full collections until it returns (see
        :func:`~mentoring_core._collector.collector_spared`)."""
        programme_id = check_uuid("programme_id", programme_id)
        programme: Any = None
        relationships: list[RelationshipFacts] = []
        folded = 0
        with collector_spared() as spare:
            for row in self.view.select_programme_facts(programme_id):
                facts = self._facts_in(row)
                if (row.aggregate_id == programme_id) is not isinstance(facts, ProgrammeFacts):
                    _log.warning(
                        "read model row of %s (%s) under programme %s passed over: only the "
                        "programme's own row holds its facts (audit verify names it)",
                        row.aggregate_id,
                        row.kind,
                        programme_id,
                    )
                    continue
                if isinstance(facts, ProgrammeFacts):
                    programme = facts
                else:
                    relationships.append(facts)
                folded += facts.version
                spare(folded)
        if not isinstance(programme, ProgrammeFacts):
            raise NotFound(PROGRAMME.name, programme_id)
        return programme, tuple(relationships)
