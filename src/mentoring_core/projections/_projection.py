"""The incremental compliance projection: pull new events, fold them, store facts and position.

Pull, not push: eventsourcing's SQLite recorder cannot push (its ``subscribe`` is not
implemented), and
pulling in batches lets one transaction carry many events. Each batch is read from
the store's log after the stored position (the records a page at a time, each event
decoded just before it is folded), folded onto the stored (or cached) facts of the
aggregates it touches, and written back with its last notification id in one
transaction. A restart resumes from the stored
position; nothing is counted twice (the fold passes over versions it already
has) and nothing is skipped (a version gap stops the projection).

The facts keep no personal data, so events are read without opening their personal
fields (each sealed field's form is checked, and it reads as ``SEALED``): the read model
never decrypts a person's texts, and needs none of their keys.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from itertools import islice
from typing import Any, cast
from uuid import UUID

import attrs
from eventsourcing.persistence import IntegrityError, Notification, Tracking

from .._collector import collector_spared
from ..application import MentoringService
from ..audit.recorders import record_aggregate_id
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
"""Events per transaction at most. Each transaction rewrites the facts of every aggregate
its events touch, so larger batches rewrite less often: a first catch-up of 1,104,102
events over 2,000 relationships took 38 s in batches of 250,000 where it took 46 s in
batches of 100,000, and 37 s in batches of 500,000 (one process, one after the other).
A batch is also the work done again after a crash, or dropped by a projector that
another overtook, and the facts of the aggregates it touches are held until it commits
(events are read a page at a time)."""
PAGE_SIZE = 1000
"""Notifications read (and decoded) at a time."""
DEFAULT_CACHE_SIZE = 20_000
"""Aggregates whose facts are kept decoded between batches (least recently used go first)."""

Facts = ProgrammeFacts | RelationshipFacts


@attrs.frozen
class _Kept:
    """An aggregate's facts as last stored, and their tuple fields' items as encoded then
    (whose texts the next batch's row reuses)."""

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
    into a draft (changed in place, built into facts at the end of the batch)."""
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
    a batch that lost a race is rolled back and the projection carries on from
    the position the winner stored.
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
        # aggregate: it looks each event's aggregate up, and a UUID's hash and == are
        # Python code.
        self._cache: OrderedDict[int, _Kept] = OrderedDict()
        self._cached_at: int | None = None

    @property
    def position(self) -> int | None:
        """The id of the last notification folded into the read model (None before the first)."""
        return self.view.max_tracking_id(self._name)

    def catch_up(self, *, limit: int | None = None) -> int:
        """Fold every event recorded after the stored position; return how many were folded.

        Events are read a page at a time and committed every ``batch_size`` events
        (and at the end). ``limit`` stops after that many events, as a process
        stopped midway would. Past
        :data:`~mentoring_core._collector.SPARE_COLLECTOR_FROM` events, what the process
        holds is kept from the garbage collector's full collections until it returns (see
        :func:`~mentoring_core._collector.collector_spared`).
        """
        with collector_spared() as spare:
            return self._catch_up(limit, spare)

    def _catch_up(self, limit: int | None, spare: Callable[[int], None]) -> int:
        position = self.position
        if position != self._cached_at:
            self._cache.clear()
        done = pending_count = 0
        pending: dict[int, Facts | RelationshipDraft] = {}
        folded_to = position
        while True:
            wanted = min(PAGE_SIZE, self.batch_size - pending_count)
            if limit is not None:
                wanted = min(wanted, limit - done - pending_count)
            page = self._page(folded_to or 0, wanted) if wanted > 0 else []
            if page:
                self._fold(page, pending)
                folded_to, pending_count = page[-1].id, pending_count + len(page)
                spare(done + pending_count)
            if pending_count and (not page or pending_count >= self.batch_size):
                assert folded_to is not None
                built = {key: self._kept(key, _built(facts)) for key, facts in pending.items()}
                rows = [
                    _row(UUID(int=key), kept.facts, text) for key, (kept, text) in built.items()
                ]
                try:
                    self.view.save_facts(rows, Tracking(self._name, folded_to))
                except IntegrityError:
                    # Another projector stored this stretch first: go on from where it got to.
                    self._cache.clear()
                    pending, pending_count = {}, 0
                    overtaken_at, folded_to = folded_to, self.position
                    self._cached_at = folded_to
                    _log.info(
                        "another projection stored the read model up to %s first; "
                        "dropped this one's batch up to %s and went on from there",
                        folded_to,
                        overtaken_at,
                    )
                    continue
                self._remember(built)
                self._cached_at = folded_to
                done, pending, pending_count = done + pending_count, {}, 0
            if not page:
                return done

    def _page(self, after: int, limit: int) -> list[Notification]:
        """The next ``limit`` records of the log after ``after``, not decoded yet."""
        return list(islice(self._service.store.records(after, page_size=limit), limit))

    def _fold(
        self, records: Sequence[Notification], pending: dict[int, Facts | RelationshipDraft]
    ) -> None:
        """Decode ``records`` and fold their events into ``pending``, starting from cached
        or stored facts (those of a page's aggregates read in one query).

        Each event is decoded just before it is folded, and dropped after: a page of
        decoded events held at once outlived the garbage collector's young generations,
        and the full collections that followed walked every fact held, more of them the
        longer the log (at 276,000 events, a quarter of the projection's time)."""
        store, cache = self._service.store, self._cache
        keys = {key.int for key in map(record_aggregate_id, records)}
        self._load({key for key in keys if key not in pending and key not in cache}, pending)
        for record in records:
            event = store.decode(record, personal=False)  # the facts hold no personal data
            key = event.aggregate_id.int
            current = pending.get(key)
            if current is None:
                kept = cache.get(key)
                if kept is None:  # not the record's own id
                    self._load({key}, pending)
                    current = pending.get(key)
                else:
                    current = kept.facts
            folded = _fold_into(current, event)
            if folded is not current:  # a relationship's draft is changed in place
                pending[key] = folded

    def _load(self, keys: set[int], pending: dict[int, Facts | RelationshipDraft]) -> None:
        """The stored facts of ``keys`` into ``pending``."""
        ids = [UUID(int=key) for key in keys]
        for row in self.view.select_facts(ids) if ids else ():
            pending[row.aggregate_id.int] = decode_facts(row)

    def _kept(self, aggregate_id: int, facts: Facts) -> tuple[_Kept, str]:
        """``facts`` to keep, and their JSON text, reusing what was encoded of the
        aggregate's cached facts."""
        cached = self._cache.get(aggregate_id)
        encoded = encoded_facts(facts, None if cached is None else cached.listed)
        return _Kept(facts, encoded.listed), encoded.text

    def _remember(self, changed: dict[int, tuple[_Kept, str]]) -> None:
        for aggregate_id, (kept, _) in changed.items():
            self._cache[aggregate_id] = kept
            self._cache.move_to_end(aggregate_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

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
