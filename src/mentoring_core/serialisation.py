"""The one converter between events (and snapshots) and their stored JSON form.

Stored records name their type by the event class name only, resolved through
:data:`~mentoring_core.domain.events.EVENT_TYPES`: a stored row can never make the
reader import a module. Every field is type-checked strictly on load (a stored
``"3"`` is not an int, a list of characters is not a text), and anything that
fails is reported as one :class:`~mentoring_core.domain.errors.StoredEventError`
naming the aggregate, version and type.

Stored form of an event: ``topic`` = class name; ``state`` = UTF-8 JSON of the
event's fields except ``aggregate_id`` and ``version`` (those are the record's
key columns), plus ``class_version``. Datetimes are ISO 8601 with offset, dates
ISO 8601, UUIDs canonical hex strings, Decimals strings, enums their values.

Personal data: every field marked personal is sealed (encrypted under a key of the
person it is about, :mod:`mentoring_core.privacy.sealing`) before the state is encoded,
and opened after it is decoded and upcast; a field whose key was destroyed reads as
erased. A mapper given no key store (``keys=None``) stores personal fields in clear,
the form of stores written before sealing (stores always give it one).

Upcasting: an event class with ``class_version = N > 1`` defines static methods
``upcast_v1_v2(data: dict) -> dict`` ... ``upcast_v{N-1}_v{N}``; a stored record
of an older version is passed through the chain before it is structured.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from types import NoneType, UnionType
from typing import Any, TypeVar, Union, cast, get_args, get_origin
from uuid import UUID

import attrs
import cattrs
import msgspec
from cattrs.preconf.json import make_converter
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DataError,
    IntegrityError,
    Mapper,
    PersistenceError,
    StoredEvent,
)

from .domain.errors import InvalidValue, StoreConfigurationError, StoredEventError
from .domain.events import EVENT_TYPES, Event, RelationshipEvent
from .domain.programme import ProgrammeState
from .domain.relationship_state import RelationshipState
from .privacy.keys import CachedKeys
from .privacy.sealing import (
    OwnerOf,
    compact_json,
    open_event,
    parse_json,
    relationship_owner,
    seal_event,
)
from .quick_reading import QuickReader

SNAPSHOT_SCHEMA = 9
"""Raised whenever the stored snapshots change shape; older snapshots are then refused.
2: a snapshot records the chain hash of the event it was taken at, and a relationship's
state its pauses and the date of its latest fact. 3: each held meeting of a relationship's
state records its working-hours flag and group session. 4: a relationship's snapshot holds
its state without its history (no meetings, feedback, reflections or evaluations, and
``complete`` false), so that reading one costs the same whatever the relationship's length.
5: a programme's state no longer holds the ids of every reminder issued (each is found by
the id it was recorded under), so that it does not grow with every reminder. 6: the
states keep the dates the timeline rules need (a goal's ``revised_at``, a relationship's
``schedule_since``, a programme's ``policy_set_at``). 7: a relationship's state keeps
``attended_until``, the bound a withdrawal's date is checked against first. 8: the
states keep when the expectations in force were agreed (``expectations_since``) and when
each participant's profile was last updated (``profile_updated_at``) and the latest
first day recognised while they are enrolled (``recognised_from``). 9: a relationship's
state keeps each schedule's working-hours flag with its date (``working_hours_since``), so
that a meeting recorded late takes the flag of the schedule in force when it was held."""
SNAPSHOT_TOPIC_PREFIX = "Snapshot:"
STATE_TYPES: dict[str, type[RelationshipState | ProgrammeState]] = {
    cls.__name__: cls for cls in (RelationshipState, ProgrammeState)
}
MAX_EVENT_BYTES = 1_000_000
"""Largest stored event state (after decompression) the reader accepts; commands'
bounds keep real events far below it."""
MAX_SNAPSHOT_BYTES = 256_000_000
"""Largest stored snapshot the reader accepts (a 10,000-meeting state is about 3.5 MB)."""


@attrs.frozen(kw_only=True)
class Snapshot:
    """The folded state of an aggregate at a version, stored to shorten later loads."""

    aggregate_id: UUID
    version: int
    taken_at: datetime
    state: RelationshipState | ProgrammeState
    chain_hash: str | None = None
    """The hash of the chain link of the event at ``version``: a snapshot whose hash is not
    the stored link's belongs to no stored history and is refused on load."""

    @property
    def originator_id(self) -> UUID:
        """eventsourcing's name for ``aggregate_id`` (its repository reads it)."""
        return self.aggregate_id

    @property
    def originator_version(self) -> int:
        """eventsourcing's name for ``version`` (its repository reads it)."""
        return self.version


_MEMBERS: dict[type[Enum], dict[Any, Enum]] = {}


def _member(cls: type[Enum], value: Any) -> Enum:
    """``cls(value)``, by a dict from value to member built once per enum (``cls(value)``
    searches through the enum's machinery on every call); anything the dict does not
    hold (an unknown or unhashable value) is left to ``cls(value)``, which refuses it."""
    members = _MEMBERS.get(cls)
    if members is None:
        members = _MEMBERS[cls] = {member.value: member for member in cls}
    try:
        found = members.get(value)
    except TypeError:
        found = None
    return cls(value) if found is None else found


def _strict(expected: type) -> Callable[[Any, Any], Any]:
    def structure(value: Any, cls: Any) -> Any:
        if cls is not expected:  # a str- or int-based enum reaches the hook of its base
            return _member(cls, value)
        if type(value) is not expected:
            raise TypeError(f"expected {expected.__name__}, got {type(value).__name__}")
        return value

    return structure


def _structure_uuid(value: Any, _: Any = None) -> UUID:
    if isinstance(value, UUID):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a UUID string, got {type(value).__name__}")
    try:
        # msgspec parses, in C, the forms the library writes (32 hex digits, with or
        # without the four hyphens, either case) to the UUID that UUID(value) gives, in a
        # third of its time; it refuses the other forms UUID(value) reads (braces,
        # "urn:uuid:", hyphens elsewhere), which UUID(value) then reads, or refuses.
        return msgspec.convert(value, UUID)
    except msgspec.ValidationError:
        return UUID(value)


def _structure_datetime(value: Any, _: Any = None) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 datetime string, got {type(value).__name__}")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # fromisoformat's zones are fixed offsets: never a None offset
        raise ValueError(f"datetime {value!r} has no time zone")
    return moment


def _structure_date(value: Any, _: Any = None) -> date:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 date string, got {type(value).__name__}")
    return date.fromisoformat(value)


def _structure_decimal(value: Any, _: Any = None) -> Decimal:
    if not isinstance(value, str):
        raise TypeError(f"expected a decimal string, got {type(value).__name__}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _is_tuple(cls: Any) -> bool:
    return get_origin(cls) is tuple


def _is_frozenset(cls: Any) -> bool:
    return get_origin(cls) is frozenset


def _is_optional(cls: Any) -> bool:
    """``X | None`` (or ``Optional[X]``) of one type ``X``."""
    args = get_args(cls)
    return get_origin(cls) in (Union, UnionType) and len(args) == 2 and NoneType in args


def _fixed_tuple_hook(
    converter: cattrs.Converter, types: tuple[Any, ...]
) -> Callable[[Any, Any], tuple[Any, ...]]:
    """Structures a tuple of ``len(types)`` items, each of its own type (``tuple[A, B]``)."""
    hooks = [converter.get_structure_hook(item_type) for item_type in types]

    def structure(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, list) or len(value) != len(types):
            raise TypeError(f"expected a list of {len(types)} items, got {value!r:.40}")
        return tuple([hook(item, t) for hook, t, item in zip(hooks, types, value, strict=True)])

    return structure


def make_event_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """The converter for events, value objects and states; every hook is registered here.

    ``detailed_validation=False`` gives the same checks without collecting every error
    (faster): :func:`structure` reads with it, and with the detailed one on a failure."""
    converter = make_converter(forbid_extra_keys=True, detailed_validation=detailed_validation)
    for simple in (str, int, bool):
        converter.register_structure_hook(simple, _strict(simple))
    converter.register_unstructure_hook(UUID, str)
    converter.register_structure_hook(UUID, _structure_uuid)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(date, _structure_date)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, _structure_decimal)

    def tuple_hook(cls: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        (item_type, *rest) = get_args(cls)
        if rest != [Ellipsis]:  # a fixed number of items, each of its own type
            return _fixed_tuple_hook(converter, get_args(cls))
        item_hook = converter.get_structure_hook(item_type)

        def structure(value: Any, _: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return tuple([item_hook(item, item_type) for item in value])

        return structure

    def set_hook(cls: Any) -> Callable[[Any], list[Any]]:
        (item_type,) = get_args(cls)

        def unstructure(value: Any) -> list[Any]:
            # sorted, so that equal states have one stored form and diffs show no reordering
            return sorted(converter.unstructure(item, item_type) for item in value)

        return unstructure

    def optional_hook(cls: Any) -> Callable[[Any, Any], Any]:
        # cattrs's own hook for optionals looks the inner type's hook up on every value
        (item_type,) = [a for a in get_args(cls) if a is not NoneType]
        item_hook = converter.get_structure_hook(item_type)

        def structure(value: Any, _: Any) -> Any:
            return None if value is None else item_hook(value, item_type)

        return structure

    converter.register_structure_hook_factory(_is_tuple, tuple_hook)
    converter.register_structure_hook_factory(_is_optional, optional_hook)
    converter.register_unstructure_hook_factory(_is_frozenset, set_hook)
    return converter


CONVERTER = make_event_converter()
"""The library's one converter instance."""
_QUICK = make_event_converter(detailed_validation=False)
"""The same hooks and checks as :data:`CONVERTER`, stopping at the first failure."""

_STRICT_INT = _strict(int)
QUICK_READER = QuickReader(
    {
        int: lambda value: _STRICT_INT(value, int),
        UUID: _structure_uuid,
        datetime: _structure_datetime,
        date: _structure_date,
        Decimal: _structure_decimal,
    }
)
"""Reads most events in compiled code, exactly as :data:`CONVERTER` would; what it does
not read, the converter does (see :mod:`mentoring_core.quick_reading`)."""

T = TypeVar("T")


_HOOKS: dict[Any, Callable[[Any, Any], Any]] = {}
"""The quick converter's structuring function of each class read so far (looked up once,
not dispatched on every call)."""


def structure(data: Any, cls: type[T]) -> T:
    """``data`` structured as ``cls``, as strictly as :data:`CONVERTER` does.

    The hot path of every read: tried first with a converter that stops at the first
    failure (no per-field error collection); on any failure the detailed converter
    runs again, so the error raised names every bad field."""
    hook = _HOOKS.get(cls)
    if hook is None:
        hook = _HOOKS[cls] = _QUICK.get_structure_hook(cls)
    try:
        return cast(T, hook(data, cls))
    except Exception:
        CONVERTER.structure(data, cls)  # raises the detailed error (the same hooks fail)
        raise


def store_failed(error: BaseException) -> bool:
    """Whether ``error`` is the store failing (a connection cut, the server gone, a table
    missing: eventsourcing's persistence errors, from any store), not a fault of the record
    being read: the store's ``DataError`` and ``IntegrityError`` are about a record itself."""
    return isinstance(error, PersistenceError) and not isinstance(error, DataError | IntegrityError)


def event_to_dict(event: Event) -> dict[str, Any]:
    """An event as a JSON-safe dict, all fields included (for export and display)."""
    return cast(dict[str, Any], CONVERTER.unstructure(event))


def _upcast(cls: type[Event], data: dict[str, Any]) -> dict[str, Any]:
    stored_version = data.pop("class_version", 1)
    if type(stored_version) is int and stored_version == cls.class_version:
        return data  # the current version: nothing to upcast
    if type(stored_version) is not int or not 1 <= stored_version <= cls.class_version:
        raise ValueError(
            f"class_version {stored_version!r} is not one this library reads for "
            f"{cls.__name__} (1 to {cls.class_version})"
        )
    for version in range(stored_version, cls.class_version):
        data = getattr(cls, f"upcast_v{version}_v{version + 1}")(data)
    return data


_FIELD_NAMES: dict[type[Event], frozenset[str]] = {}


def _field_names(cls: type[Event]) -> frozenset[str]:
    """Every field must be stored, even one with a default: a missing key is a damaged record."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in attrs.fields(cls))
    return names


def _describe(error: Exception) -> str:
    if isinstance(error, cattrs.BaseValidationError):
        return "; ".join(cattrs.transform_error(error))
    return f"{type(error).__name__}: {error}"


def _size_limit(topic: str) -> int:
    """The reader's limit on a stored state of this topic, in bytes (decompressed)."""
    return MAX_SNAPSHOT_BYTES if topic.startswith(SNAPSHOT_TOPIC_PREFIX) else MAX_EVENT_BYTES


def _check_size(topic: str, state: bytes) -> None:
    """Refuse to store what the reader would refuse to read back (the same limit)."""
    limit = _size_limit(topic)
    if len(state) > limit:
        raise InvalidValue(
            "event",
            f"{topic} of {len(state):,} bytes",
            f"at most {limit:,} bytes once encoded (what the store can read back): "
            "shorten the longest texts or lists",
        )


class EventMapper(Mapper[UUID]):
    """Maps events and snapshots to eventsourcing's ``StoredEvent`` records and back.

    Selected by :class:`~mentoring_core.application.MentoringService`; keeps the
    base class's compress-then-encrypt order when a compressor or cipher is set. The
    store gives it its key store with :meth:`use_keys`.
    """

    keys: CachedKeys | None = None
    _mentee_of: Callable[[UUID], str | None] | None = None

    def use_keys(self, keys: CachedKeys, mentee_of: Callable[[UUID], str | None]) -> None:
        """Seal personal fields under the keys of ``keys``; ``mentee_of(relationship id)``
        names a stored relationship's mentee (whose key seals its goals, meetings...)."""
        self.keys = keys
        self._mentees: dict[str, str] = {}
        """Each relationship's mentee, by its id as events' data hold it (the text is
        looked up as it is: parsing it for every event sealed was 0.3 % of a command)."""
        self._mentee_of = mentee_of
        self._owner_of = relationship_owner(self._mentee)

    def _mentee(self, relationship_id: str) -> str | None:
        mentee = self._mentees.get(relationship_id)
        if mentee is None and self._mentee_of is not None:
            mentee = self._mentee_of(UUID(relationship_id))
            if mentee is not None:
                self._mentees[relationship_id] = mentee
        return mentee

    @property
    def owner_of(self) -> OwnerOf:
        """Who a personal field is about, given its owner and its event's data (once the
        store gave its keys, :meth:`use_keys`, as every store does on opening)."""
        return self._owner_of

    def _seal(self, event: Event, data: dict[str, Any]) -> None:
        if self.keys is None:
            return
        mentee = getattr(event, "mentee_id", None)
        if isinstance(event, RelationshipEvent) and isinstance(mentee, str):
            self._mentees[data["aggregate_id"]] = mentee  # later events of its batch need it
        seal_event(type(event), data, self.keys, self._owner_of)

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        item = cast(Event | Snapshot, domain_event)
        if isinstance(item, Snapshot):
            topic = f"{SNAPSHOT_TOPIC_PREFIX}{type(item.state).__name__}:{SNAPSHOT_SCHEMA}"
            data = {
                "taken_at": item.taken_at.isoformat(),
                "chain_hash": item.chain_hash,
                "state": CONVERTER.unstructure(item.state),
            }
        else:
            topic = type(item).__name__
            data = CONVERTER.unstructure(item)
            self._seal(item, data)
            del data["aggregate_id"], data["version"]
            data["class_version"] = type(item).class_version
        state = compact_json(data)
        _check_size(topic, state)
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=item.aggregate_id,
            originator_version=item.version,
            topic=topic,
            state=state,
        )

    def to_domain_event(
        self, stored_event: StoredEvent, *, personal: bool = True
    ) -> DomainEventProtocol[UUID]:
        """The event a record holds; with ``personal`` false, its sealed fields are not
        opened but read as ``SEALED`` (see :func:`~.privacy.sealing.open_event`)."""
        try:
            return cast("DomainEventProtocol[UUID]", self._decode(stored_event, personal))
        except (StoredEventError, StoreConfigurationError):
            raise
        except Exception as error:
            if store_failed(error):  # the key store's, while a sealed field was opened
                raise
            raise StoredEventError(
                stored_event.originator_id,
                stored_event.originator_version,
                stored_event.topic,
                _describe(error),
            ) from error

    def _decode(self, stored: StoredEvent, personal: bool) -> Event | Snapshot:
        # A stored state as it was written (no cipher, no compressor) is given to the
        # quick reader as it is, checked against an event's size limit (a topic naming an
        # event class is not a snapshot's): most of a whole-log read's records, spared
        # the stages below (a few per cent of a read).
        as_written = not (self.cipher or self.compressor)
        state = stored.state if as_written else self.stored_bytes(stored)
        cls = EVENT_TYPES.get(stored.topic)
        if cls is not None and len(state) <= MAX_EVENT_BYTES:
            event = QUICK_READER.read(
                cls,
                state,
                stored.originator_id,
                stored.originator_version,
                self.keys,
                personal=personal,
            )
            if event is not None:
                return event
        if as_written:
            state = self.stored_bytes(stored)  # refused above its topic's limit
        data = self.stored_state(stored, state)
        if stored.topic.startswith(SNAPSHOT_TOPIC_PREFIX):
            return self._decode_snapshot(stored, data)
        cls, data = self.opened_state(stored, data, personal=personal)
        return self.structured_event(stored, cls, data)

    # The stages of reading an event by the converter, apart so that
    # ``benchmarks/bench_reports.py --stages`` can time each: the stored bytes, those bytes
    # to JSON, sealed fields opened, the event structured. ``_decode`` tries the quick
    # reader first (mentoring_core.quick_reading), which reads what the converter would.

    def stored_bytes(self, stored: StoredEvent) -> bytes:
        """A record's state (decrypted and decompressed if the store is), refused above
        its topic's size limit."""
        state = stored.state
        if self.cipher:
            state = self.cipher.decrypt(state)
        if self.compressor:
            state = self.compressor.decompress(state)
        limit = _size_limit(stored.topic)
        if len(state) > limit:
            raise ValueError(f"state of {len(state)} bytes exceeds the limit of {limit}")
        return state

    def stored_state(self, stored: StoredEvent, state: bytes | None = None) -> dict[str, Any]:
        """The JSON object a record's state holds (``state``: its :meth:`stored_bytes`,
        if already read)."""
        if state is None:
            state = self.stored_bytes(stored)
        data = parse_json(state.decode())  # UTF-8, as written: no guessing of encodings
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object, got {type(data).__name__}")
        return data

    def opened_state(
        self, stored: StoredEvent, data: dict[str, Any], *, personal: bool = True
    ) -> tuple[type[Event], dict[str, Any]]:
        """The event class of a record, and its state ``data`` upcast to the class's
        version with its sealed fields opened (``personal``), or checked and closed."""
        cls = EVENT_TYPES.get(stored.topic)
        if cls is None:
            raise StoredEventError(
                stored.originator_id, stored.originator_version, stored.topic, "unknown event type"
            )
        data = _upcast(cls, data)
        if "aggregate_id" in data or "version" in data:
            raise ValueError("the stored state repeats the record's key (aggregate_id, version)")
        open_event(cls, data, self.keys, personal=personal)
        return cls, data

    def structured_event(
        self, stored: StoredEvent, cls: type[Event], data: dict[str, Any]
    ) -> Event:
        """The event of ``cls`` an opened state ``data`` holds, given the record's key."""
        data["aggregate_id"] = stored.originator_id
        data["version"] = stored.originator_version
        event = structure(data, cls)
        names = _field_names(cls)
        if len(data) != len(names):  # no extra key passed cattrs: cattrs filled a default
            missing = names - data.keys()  # still a damaged record
            raise ValueError(f"the stored state lacks {', '.join(sorted(missing))}")
        return event

    def of_an_older_snapshot_schema(self, stored: StoredEvent) -> bool:
        """Whether ``stored`` is a snapshot of a schema older than :data:`SNAPSHOT_SCHEMA`,
        as the library wrote them (a topic naming a state type and such a schema, a
        state holding a JSON object), which loading passes over (it cannot be read);
        any other record among the snapshots that cannot be read was not written by
        the library."""
        topic = stored.topic
        if not isinstance(topic, str) or not topic.startswith(SNAPSHOT_TOPIC_PREFIX):
            return False
        name, _, schema = topic.removeprefix(SNAPSHOT_TOPIC_PREFIX).partition(":")
        if name not in STATE_TYPES or schema not in {str(n) for n in range(1, SNAPSHOT_SCHEMA)}:
            return False
        try:
            self.stored_state(stored)
        except Exception:  # any failure to read it: not as the library wrote it
            return False
        return True

    def _decode_snapshot(self, stored: StoredEvent, data: dict[str, Any]) -> Snapshot:
        name, _, schema = stored.topic.removeprefix(SNAPSHOT_TOPIC_PREFIX).partition(":")
        cls = STATE_TYPES.get(name)
        if cls is None or schema != str(SNAPSHOT_SCHEMA):
            raise ValueError(
                "a snapshot of an unknown or older state schema; snapshots are derived data: "
                "delete the snapshots table and they will be taken again"
            )
        chain_hash = data.get("chain_hash")
        if chain_hash is not None and not isinstance(chain_hash, str):
            raise TypeError(f"expected a chain hash string, got {type(chain_hash).__name__}")
        return Snapshot(
            aggregate_id=_structure_uuid(stored.originator_id, UUID),
            chain_hash=chain_hash,
            version=stored.originator_version,
            taken_at=_structure_datetime(data.get("taken_at"), datetime),
            state=structure(data.get("state"), cls),
        )
