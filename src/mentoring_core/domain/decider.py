"""The decider pattern: one aggregate's rules as an initial state, ``decide`` and ``evolve``.

A :class:`Decider` holds one small handler per command type (``decide``: command and
state in, new events out, or a raised error) and one small function per event type, its
fold (state and event in, the fields the event changes out, see :data:`Changes`), from
which :meth:`Decider.evolve` and :meth:`Decider.fold` build the next state. Each
aggregate's module registers its functions in one table each, :meth:`Decider.handles`
and :meth:`Decider.folds` (plain functions in a table, not decorators: mutation testing
reaches only undecorated functions); registering a fold also registers its event type
in :data:`.events.EVENT_TYPES`, the only classes a stored record may name.
``docs/architecture.md`` has the recipe for adding an event type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from operator import attrgetter
from typing import Any, Generic, TypeVar, cast
from uuid import UUID

import attrs

from ._collections import Places
from ._replace import replaced
from .commands import Command
from .context import DecisionContext
from .errors import InvalidValue
from .events import EVENT_TYPES, Event

S = TypeVar("S")
T = TypeVar("T")

Meta = dict[str, Any]
"""The fields every new event carries (see :func:`.context.event_metadata`)."""
Events = tuple[Event, ...]
"""What a handler decides: the new events, in order."""
Handler = Callable[[Any, S, Meta], Events]
"""Decides one command type: ``(command, state, metadata) -> events`` or raises."""
Changes = Mapping[str, Any]
"""What one event changes in a state: each changed field's new value, or :class:`Added`
or :class:`Replaced`."""
Evolver = Callable[[S, Any], Changes]
"""Folds one event type: ``(state, event) -> changes``; never validates (events are facts).
The state it reads is the state so far (in a :meth:`Decider.fold`, a draft that reads as
one: its fields, properties and methods); it changes nothing itself."""
Preparer = Callable[[Any, S, DecisionContext], Meta]
"""The checks every command of an aggregate passes first; returns the new events' metadata."""


# Not frozen (nor hashable), as Replaced: an instruction a fold makes for most events,
# read once by the draft and kept by nothing, where attrs' __init__ of a frozen class
# (object.__setattr__ for each field) was 8 per cent of a fold.
@attrs.define
class Added(Generic[T]):
    """A change that appends ``item`` to a tuple field, or adds it to a frozenset field:
    a fold of many events does it in place, and builds the tuple or set once."""

    item: T


@attrs.define  # not frozen: see Added
class Replaced(Generic[T]):
    """A change that replaces each item of a tuple field whose ``key`` field is
    ``item_id`` with ``change(item)`` (none matching: the field unchanged): a fold of many
    events does it in place, finding the items by an index of their ids, where a new
    tuple for each change read every item of the field: a plan's completions, each
    copying and reading the whole plan, were a third of folding a long relationship."""

    key: str
    item_id: UUID
    change: Callable[[T], T]


class _Growing:
    """A tuple or frozenset field being changed in place by a fold. Until an item is
    replaced: its value as last built and the items added since (built into one copy
    when read: a tuple joined, a frozenset's ``union``, which keeps its items' hashes and
    is ten times quicker for a set of 10,000 ids than copying it into a set and back).
    Once an item was replaced: all its items in a list, the tuple they were last built
    into (None once changed since), and the ``key`` field replaced by: the first change by
    a key reads every item's id in C (as a single change does, where finding the places
    of every id would cost twice as much for a plan of 1,000), the next ones look the ids
    up in their :class:`~._collections.Places`."""

    __slots__ = ("added", "built", "items", "key", "places")

    def __init__(self, value: tuple[Any, ...] | frozenset[Any]) -> None:
        self.built: tuple[Any, ...] | frozenset[Any] | None = value
        self.added: list[Any] = []
        self.items: list[Any] | None = None
        self.key = ""
        self.places: Places | None = None

    def replace(self, replaced: Replaced[Any]) -> None:
        key = replaced.key
        items = self.items
        if items is None:
            value = self.value()
            if isinstance(value, frozenset):
                raise TypeError(f"Replaced changes a tuple field, not a frozenset ({key})")
            items = self.items = list(value)
        wanted = replaced.item_id.int
        if self.key != key:  # the first by this key: the ids read in C, no places yet
            self.key, self.places = key, None
            found = _positions(list(map(attrgetter(f"{key}.int"), items)), wanted)
        else:
            if self.places is None:
                self.places = Places(key)
            found = self.places.of(items, replaced.item_id)
        for at in found:
            items[at] = new = replaced.change(items[at])
            if getattr(new, key).int != wanted:  # its id changed: its places are wrong
                self.places = None
        self.built = None

    def value(self) -> tuple[Any, ...] | frozenset[Any]:
        """The field's value, built once after each change."""
        built = self.built
        if self.items is not None:
            if built is None:
                built = self.built = tuple(self.items)
            return built
        assert built is not None
        if self.added:
            built = self.built = _grown(built, self.added)
            self.added = []
        return built


def _positions(ids: list[int], wanted: int) -> list[int]:
    """Where ``wanted`` is in ``ids``, found in C (``count``, then ``index`` from each)."""
    places, at = [], -1
    for _ in range(ids.count(wanted)):
        at = ids.index(wanted, at + 1)
        places.append(at)
    return places


def _grown(value: tuple[Any, ...] | frozenset[Any], added: list[Any]) -> Any:
    """A tuple or frozenset with ``added`` appended or added, in one copy."""
    return value.union(added) if isinstance(value, frozenset) else (*value, *added)


class _Draft:
    """A state being folded: the fields changed so far (a tuple or frozenset field that
    an :class:`Added` or :class:`Replaced` changed, as a :class:`_Growing`); reads as the
    state does (fields, properties, methods) and is built once.

    Made by :func:`_draft_of`, whose class for each state class reads every field
    through a property (:func:`_field`); the state's properties and methods are read
    through ``__getattr__``, which Python calls only once looking a name up has failed
    (in Python 3.11, after making an ``AttributeError``: a tenth of a fold, when fields
    were read that way too)."""

    __slots__ = ("_changed", "_state")

    def __init__(self, state: Any) -> None:
        self._state = state
        self._changed: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        member = getattr(type(self._state), name, None)
        if isinstance(member, property) or callable(member):
            return member.__get__(self)  # a property or method, reading the draft
        return getattr(self._state, name)

    def built(self) -> Any:
        fields = {
            name: value.value() if type(value) is _Growing else value
            for name, value in self._changed.items()
        }
        return replaced(self._state, **fields)


def _field(draft: _Draft, name: str) -> Any:
    """A draft's field ``name``: as changed so far, else the state's. Each draft class
    reads its fields through it (a property of ``partial(_field, name=...)`` per field,
    see :func:`_draft_of`)."""
    changed = draft._changed
    if name not in changed:
        return getattr(draft._state, name)
    value = changed[name]
    return value.value() if type(value) is _Growing else value


_DRAFT_TYPES: dict[type, type[_Draft]] = {}
_UNCHANGED: Changes = {}
"""What an event of a type with no fold changes (but the version)."""


def _draft_of(state: Any) -> _Draft:
    """A draft of ``state``, of the draft class of its class (made once per class)."""
    cls = type(state)
    draft_type = _DRAFT_TYPES.get(cls)
    if draft_type is None:
        fields = {
            field.name: property(partial(_field, name=field.name)) for field in attrs.fields(cls)
        }
        draft_type = _DRAFT_TYPES[cls] = type(
            f"_Draft{cls.__name__}", (_Draft,), {"__slots__": (), **fields}
        )
    return draft_type(state)


@attrs.frozen
class LatestFact:
    """A date field of a kind's states that every fold keeps at the latest ``occurred_at``
    of the kind's events, but those of the ``except_types`` (or of their subclasses): the
    relationship's ``latest_fact_at``, which a back-dated command may not precede. Kept
    by :meth:`Decider.fold` itself, not by a fold function of every event: reading the
    draft's field and merging a change for every event was a fifth of a fold. No fold
    function changes it: the fold holds its latest value as it goes."""

    field: str
    except_types: tuple[type[Event], ...] = ()


class Decider(Generic[S]):
    """One kind of aggregate (programme, relationship): its states, commands and events."""

    def __init__(
        self,
        name: str,
        *,
        initial: S,
        event_type: type[Event],
        command_type: type[Command],
        id_field: str,
        without_history: Changes | None = None,
        latest_fact: LatestFact | None = None,
    ) -> None:
        self.name = name
        """The kind's name, as errors, the event feed and exports call it."""
        self.initial = initial
        """The state before the first event."""
        self.event_type = event_type
        """The base class of this kind's events."""
        self.command_type = command_type
        """The base class of this kind's commands."""
        self.id_field = id_field
        """The field of its commands (and states) holding the aggregate's id."""
        self._without_history = without_history
        self._prepare: Preparer[S] | None = None
        self._history_rule: Callable[[Any], bool] | None = None
        self._deciders: dict[type[Command], Handler[S]] = {}
        self._evolvers: dict[type[Event], Evolver[S]] = {}
        self._latest_fact = latest_fact
        self._is_fact: dict[type[Event], bool] = {}
        """Whether events of each type read so far count for ``latest_fact``."""

    def __repr__(self) -> str:
        return f"Decider({self.name!r})"

    # --- registration ----------------------------------------------------------------

    def handles(
        self,
        handlers: Mapping[type[Command], Handler[S]],
        *,
        prepare: Preparer[S] | None = None,
        needs_history: Callable[[Any], bool] | None = None,
    ) -> None:
        """Register each command type's handler, and (once) the checks every command of the
        aggregate passes before its handler, which give the new events' metadata, and the
        rule saying which commands must be decided on the whole state."""
        if prepare is not None:
            self._prepare = prepare
        if needs_history is not None:
            self._history_rule = needs_history
        self._deciders.update(handlers)

    def folds(self, evolvers: Mapping[type[Event], Evolver[S]]) -> None:
        """Register how each event type changes the state; the types become readable from
        the store (:data:`.events.EVENT_TYPES`)."""
        for event_type, evolver in evolvers.items():
            self._evolvers[event_type] = evolver
            EVENT_TYPES[event_type.__name__] = event_type

    @property
    def command_types(self) -> tuple[type[Command], ...]:
        """The commands this kind decides, in the order they were registered."""
        return tuple(self._deciders)

    @property
    def event_types(self) -> tuple[type[Event], ...]:
        """This kind's event types, in the order they were registered."""
        return tuple(self._evolvers)

    @property
    def leaves_out_history(self) -> bool:
        """Whether snapshots and caches hold this kind's states :meth:`without_history`."""
        return self._without_history is not None

    def without_history(self, state: S) -> S:
        """``state`` with the records that grow with its history left out (the fields the
        kind's ``without_history`` changes set so), as snapshots and caches hold it, for
        deciding the commands :meth:`needs_history` says read none. ``state`` itself for
        a kind whose states are always whole, and for a state already without them (a
        cached one, reloaded with no new event, as most commands load theirs): states are
        frozen, and a copy costs a few per cent of a command."""
        left_out = self._without_history
        if left_out is None or all(getattr(state, n) == v for n, v in left_out.items()):
            return state
        return replaced(state, **left_out)

    def needs_history(self, command: Command) -> bool:
        """Whether ``command`` (with the ids its caller gave, before the service fills in
        the others) must be decided on the whole state, not one :meth:`without_history`
        (never for a kind whose states are always whole: that one is the whole state)."""
        return (
            self._without_history is not None
            and self._history_rule is not None
            and self._history_rule(command)
        )

    def owns(self, event: Event | type[Event]) -> bool:
        """Whether ``event`` (an event or an event class) is one of this kind's."""
        cls = event if isinstance(event, type) else type(event)
        return issubclass(cls, self.event_type)

    # --- the decider -----------------------------------------------------------------

    def decide(self, command: Command, state: S, ctx: DecisionContext) -> Events:
        """The events that record ``command``, or a raised error if it must be refused."""
        handler = self._deciders.get(type(command))
        if handler is None:
            raise InvalidValue("command", command, f"a {self.name} command")
        assert self._prepare is not None, f"{self.name}: no checks registered"
        return handler(command, state, self._prepare(command, state, ctx))

    def evolve(self, state: S, event: Event) -> S:
        """The state after ``event``; events are facts, so nothing is checked here."""
        return self.fold(state, (event,))

    def fold(self, state: S, events: Iterable[Event], *, without_history: bool = False) -> S:
        """The state after ``events``, in order: what :meth:`evolve` gives one event at a
        time, field for field, with the frozen state built once at the end (a tuple or set
        that grows with the history is grown in place, not copied for every event). Each
        event moves the version, then its type's fold changes the fields it names, then
        the kind's :class:`LatestFact` field, if it has one, moves on to its date. With
        ``without_history``, what :meth:`without_history` gives of that state, built once
        (as the service keeps the state after each command)."""
        draft = _draft_of(state)
        read = cast(S, draft)
        changed = draft._changed  # the draft is this module's own
        evolvers, is_fact = self._evolvers, self._is_fact
        latest = None if self._latest_fact is None else self._latest_fact.field
        latest_at = None if latest is None else getattr(state, latest)
        for event in events:
            changed["version"] = event.version  # an int: never Added
            cls = type(event)
            evolver = evolvers.get(cls)
            # changed here, not by a method of the draft, and the latest fact's date held
            # in latest_at, not read back from it: both were 7 per cent of a fold
            for name, value in (_UNCHANGED if evolver is None else evolver(read, event)).items():
                kind = type(value)
                if kind is not Added and kind is not Replaced:
                    changed[name] = value
                    continue
                growing = changed.get(name)
                if type(growing) is not _Growing:
                    growing = changed[name] = _Growing(
                        getattr(state, name) if growing is None else growing
                    )
                if kind is Replaced:
                    growing.replace(value)
                elif growing.items is None:  # added, made in place here: most events add
                    growing.added.append(value.item)
                else:
                    growing.items.append(value.item)
                    growing.built = None
            if latest is None:
                continue
            fact = is_fact.get(cls)
            if fact is None:
                fact = is_fact[cls] = self._is_latest_fact(cls)
            if fact:
                at = event.occurred_at
                if latest_at is None or at > latest_at:
                    latest_at = changed[latest] = at
        if without_history and self._without_history is not None:
            changed.update(self._without_history)
        built: S = draft.built()
        return built

    def _is_latest_fact(self, cls: type[Event]) -> bool:
        """Whether events of type ``cls`` move the :class:`LatestFact` field on."""
        assert self._latest_fact is not None
        return issubclass(cls, self.event_type) and not issubclass(
            cls, self._latest_fact.except_types
        )
