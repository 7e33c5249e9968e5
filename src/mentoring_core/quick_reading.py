"""The quick reader of stored events: a record's JSON parsed and type-checked in compiled
code, the event built from it, and anything it does not read exactly as the converter
would left to the converter.

Why this is its own code: reading events is most of the cost of every replay, report
and projection, and the strict converter (:mod:`mentoring_core.serialisation`, cattrs)
spends it in Python, one call per field. Here, for each event class, a ``msgspec``
structure is generated from the class's own fields, so that ``msgspec`` parses the JSON
and checks every value's JSON type in C (a text is a string, an int an integer and not
``true`` or ``1.0``, no key unknown, no key missing), and the event is built from the
parsed values with the converter's own hooks for times, dates, decimals and, where sealed
fields are opened, the event's id (kept as the text stored until then: they are bound
to it; elsewhere it is parsed as any other id). A sealed field's nonce and ciphertext are
read from base64 in C too, and its plaintext parsed there as a text or a list of texts,
once opened by the code the converter opens it with (``sealed_under``, ``decrypted``).
The event (and each value object in it) is made without its class's ``__init__``, each
field set straight into its slot, for a class whose ``__init__`` does nothing else.

It decides nothing alone. A record it does not read (any value it refuses, an older
``class_version`` to upcast, a class with a personal field inside a list of values or
whose ``__init__`` does more than set its fields, a sealed field that does not open or
whose parts or plaintext it reads otherwise, a snapshot) is read again by the converter, which gives
the event or the error naming every bad field, as it always did. Every type it admits
is admitted at least as strictly as the converter admits it (``msgspec`` refuses what
``json`` would parse loosely, such as ``NaN`` or lone surrogates), so what it does read
is the event the converter reads: ``tests/unit/test_quick_reading.py`` compares the two
on every event class and on damaged records, and the stored-record fuzzing on every
input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from types import NoneType, UnionType
from typing import Any, Union, cast, get_args, get_origin, get_type_hints
from uuid import UUID

import attrs
import msgspec

from .domain._building import maker, plain
from .domain.events import Event
from .domain.personal import PERSONAL_DATA
from .privacy.keys import CachedKeys
from .privacy.sealing import ENVELOPE_VERSION, MARK, decrypted, erased, sealed_under, unopened

Convert = Callable[[Any], Any]
"""One parsed value to the value the event holds (an id's text to a ``UUID``...)."""
_Build = Callable[[Any, UUID, int, dict[str, Any]], Event]
"""An event class's builder (see :func:`_builder`)."""


class _Unreadable(Exception):
    """A type this reader does not build (its class is left to the converter)."""


_Sealed = msgspec.defstruct(
    "SealedField",
    [("marker", int), ("key", str), ("nonce", bytes), ("ciphertext", bytes)],
    rename={"marker": MARK},
    forbid_unknown_fields=True,
)
"""A sealed field's stored form (``privacy.sealing``), all four keys present, its nonce
and ciphertext base64 texts that msgspec decodes in C (it admits no form that
``binascii.a2b_base64(strict_mode=True)``, the converter's reading, refuses or reads
otherwise: a form it refuses, such as padding past a whole group, is left to the
converter, as is anything else a closed reading of the converter would not check)."""

_TEXT = msgspec.json.Decoder(str)
_TEXTS = msgspec.json.Decoder(tuple[str, ...])
"""A sealed field's plaintext, a text (or a list of texts) as JSON, parsed in C: msgspec
refuses what the converter's reading (``parse_json`` of its UTF-8, then the field's type
checked) refuses, such as a lone surrogate or bytes that are not UTF-8, and reads the
rest alike."""


def _optional(convert: Convert | None) -> Convert | None:
    if convert is None:
        return None
    return lambda value: None if value is None else convert(value)


def _each(convert: Convert | None) -> Convert | None:
    if convert is None:
        return None  # msgspec gives the tuple itself
    return lambda values: tuple([convert(value) for value in values])


@attrs.frozen
class _Field:
    """How one field of a class is read: its JSON key, its ``__init__`` argument, and the
    conversion of its parsed value (None: taken as parsed)."""

    name: str
    argument: str
    convert: Convert | None
    many: bool = False
    """A tuple (a personal one is a list of texts, or ``[ERASED]`` once erased)."""
    personal: bool = False
    """Personal data: stored as its value, or sealed."""

    @property
    def closed(self) -> Any:
        """What the field reads as sealed, in a closed reading (as ``open_event`` reads
        it without opening it: its form checked as it was parsed, its version by the
        reader)."""
        return _CLOSED[self.many]

    @property
    def erased(self) -> Any:
        """What the field reads as sealed under a key that is gone."""
        return _ERASED[self.many]


@attrs.frozen
class _Plan:
    """How the events of one class are read: the parser of their stored form, the
    function that builds the event from what it parsed, and the personal fields."""

    decoder: msgspec.json.Decoder[Any]
    build: _Build
    """``build(parsed, aggregate_id, version, personal)``: the event, each value not
    personal taken from the parsed structure (converted where its field converts), the
    personal ones (by ``__init__`` argument) from ``personal``."""
    personal: tuple[_Field, ...]

    @classmethod
    def of(
        cls, event_class: type, decoder: msgspec.json.Decoder[Any], fields: list[_Field]
    ) -> _Plan:
        return cls(
            decoder=decoder,
            build=_builder(event_class, fields),
            personal=tuple(f for f in fields if f.personal),
        )


def _builder(event_class: type, fields: list[_Field]) -> _Build:
    """The function that builds an event of ``event_class`` from its parsed structure,
    written for the class and compiled once (:func:`~.domain._building.maker`), as attrs
    writes a class's ``__init__`` and cattrs its structuring functions: each value is read
    by name and set straight into its slot, as the class's own ``__init__`` sets it but
    without a call through ``object.__setattr__`` a field (a tenth of reading an event).
    The names are the class's own fields (identifiers), never text from a record."""
    namespace: dict[str, Any] = {}
    values = {"aggregate_id": "aggregate_id", "version": "version"}
    for number, field in enumerate(fields):
        if field.personal:
            values[field.name] = f"personal[{field.argument!r}]"
        else:
            values[field.name] = _read("parsed", field.name, field.convert, number, namespace)
    build = maker(event_class, "parsed, aggregate_id, version, personal", values, namespace)
    return cast(_Build, build)


def _read(
    source: str, name: str, convert: Convert | None, number: int, namespace: dict[str, Any]
) -> str:
    """The expression a builder reads field ``name`` of its parsed structure ``source``
    with: converted by ``convert`` (put in ``namespace`` under a name of its own, by the
    field's ``number``) where it has one."""
    if convert is None:
        return f"{source}.{name}"
    namespace[f"convert_{number}"] = convert
    return f"convert_{number}({source}.{name})"


class QuickReader:
    """Reads events of every class it can build, given the converter's hooks for the
    types JSON has no form of (``datetime``, ``date``, ``Decimal``: each parsed as a text
    and passed to its hook, which refuses as the converter refuses), and for a record's
    key (``UUID`` and ``int``: its aggregate id and version, as the recorder gives them)."""

    def __init__(self, hooks: Mapping[type, Convert]) -> None:
        self._hooks = dict(hooks)
        self._plans: tuple[dict[type[Event], _Plan | None], ...] = ({}, {})
        """The plans of each event class (None: left to the converter), read closed and
        with sealed fields opened (indexed by ``personal``)."""
        self._values: dict[type, tuple[type, Convert]] = {}

    def read(
        self,
        cls: type[Event],
        state: bytes,
        aggregate_id: Any,
        version: Any,
        keys: CachedKeys | None,
        *,
        personal: bool = True,
    ) -> Event | None:
        """The event of ``cls`` a record's ``state`` holds, as the converter reads it
        (its sealed fields opened, or with ``personal`` false read as ``SEALED``); None
        where this reader leaves the record to the converter."""
        plans = self._plans[personal]
        try:
            plan = plans[cls]
        except KeyError:
            plan = plans[cls] = self._plan(cls, personal)
        if plan is None:
            return None
        try:
            parsed = plan.decoder.decode(state)
            if parsed.class_version != cls.class_version:
                return None  # upcast by the converter
            if type(aggregate_id) is not UUID:
                aggregate_id = self._hooks[UUID](aggregate_id)
            if type(version) is not int:
                version = self._hooks[int](version)
            values: dict[str, Any] = {}
            for field in plan.personal:
                value = getattr(parsed, field.name)
                if type(value) is _Sealed:
                    form: Any = value  # a generated structure: its fields are not typed
                    if form.marker != ENVELOPE_VERSION:  # its keys and their types parsed
                        raise ValueError(f"{field.name}: not a sealed field of this version")
                    if personal:
                        value = _opened(field, form, parsed.event_id, keys)
                    else:
                        value = field.closed
                elif field.convert is not None:
                    value = field.convert(value)
                values[field.argument] = value
            return plan.build(parsed, aggregate_id, version, values)
        except Exception:  # the converter reads it again, and says what is wrong
            return None

    def _plan(self, cls: type, personal: bool) -> _Plan | None:
        """The plan of ``cls``'s events, read with their sealed fields opened (``personal``)
        or closed; None for a class whose ``__init__`` does more than set its fields (a
        validator, a converter...): its events are left to the converter."""
        if not plain(cls):
            return None
        hints = get_type_hints(cls)
        opened = personal and any(PERSONAL_DATA in field.metadata for field in attrs.fields(cls))
        specs: list[tuple[str, Any]] = []
        fields: list[_Field] = []
        try:
            for field in attrs.fields(cls):
                if field.name in ("aggregate_id", "version"):
                    continue  # the record's key columns
                parsed: Any
                convert: Convert | None
                if field.name == "event_id" and opened:
                    # as a text: sealed fields are bound to the event id's text as stored
                    # (open_event reads it), which a UUID parsed from it would not keep;
                    # where none is opened, parsed as any other id
                    parsed, convert = str, self._hooks[UUID]
                else:
                    parsed, convert = self._spec(hints[field.name])
                many = get_origin(hints[field.name]) is tuple
                personal = PERSONAL_DATA in field.metadata
                if personal:
                    parsed = parsed | _Sealed  # its value, or its sealed form
                specs.append((field.name, parsed))
                fields.append(_Field(field.name, field.alias, convert, many, personal))
        except _Unreadable:
            return None
        specs.append(("class_version", int))
        structure = msgspec.defstruct(f"Stored{cls.__name__}", specs, forbid_unknown_fields=True)
        return _Plan.of(cls, msgspec.json.Decoder(structure), fields)

    def _spec(self, hint: Any) -> tuple[Any, Convert | None]:
        """What msgspec parses for a field of type ``hint``, and its conversion."""
        if hint in (str, int, bool, UUID) or (isinstance(hint, type) and issubclass(hint, Enum)):
            # An enum by its value, as the converter reads it; a UUID only in its 32 hex
            # digits, with or without the four hyphens: forms UUID(text) reads alike (the
            # converter reads more, such as braces or "urn:uuid:": such a record is left
            # to it). A datetime is not among these: msgspec reads a lower-case "t" and
            # rounds a seventh digit of a second, where the converter's hook refuses and
            # truncates; it is parsed as a text and given to the hook.
            return hint, None
        if hint in self._hooks:
            return str, self._hooks[hint]
        origin, args = get_origin(hint), get_args(hint)
        if origin in (Union, UnionType) and len(args) == 2 and NoneType in args:
            (inner,) = [arg for arg in args if arg is not NoneType]
            parsed, convert = self._spec(inner)
            return parsed | None, _optional(convert)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            parsed, convert = self._spec(args[0])
            return tuple[parsed, ...], _each(convert)  # type: ignore[valid-type]
        if isinstance(hint, type) and attrs.has(hint):
            return self._value(hint)
        raise _Unreadable(hint)

    def _value(self, cls: type) -> tuple[type, Convert]:
        """A value object (a ``Rating``, a ``MeetingSchedule``...): its structure, and its
        building from it, each field set straight into its slot (:func:`_builder`). Every
        field must be stored (the converter would fill a missing one with its default:
        such a record is left to it), and its class's ``__init__`` must only set them."""
        known = self._values.get(cls)
        if known is not None:
            return known
        if not plain(cls):
            raise _Unreadable(cls)
        hints = get_type_hints(cls)
        specs: list[tuple[str, Any]] = []
        namespace: dict[str, Any] = {}
        values: dict[str, str] = {}
        for number, field in enumerate(attrs.fields(cls)):
            if PERSONAL_DATA in field.metadata:
                raise _Unreadable(cls)  # sealed inside a list: its place has an index
            parsed, convert = self._spec(hints[field.name])
            specs.append((field.name, parsed))
            values[field.name] = _read("value", field.name, convert, number, namespace)
        structure = msgspec.defstruct(f"Stored{cls.__name__}", specs, forbid_unknown_fields=True)
        known = self._values[cls] = (structure, maker(cls, "value", values, namespace))
        return known


def _held(value: Any) -> Any:
    """A value as an event holds it: a list of texts as a tuple."""
    return tuple(value) if isinstance(value, list) else value


_CLOSED = {many: _held(unopened(many=many)) for many in (False, True)}
_ERASED = {many: _held(erased(many=many)) for many in (False, True)}


def _opened(field: _Field, form: Any, event_id: str, keys: CachedKeys | None) -> Any:
    """The value of a sealed field, opened from its parsed parts by ``sealed_under`` and
    ``decrypted``, as ``open_event`` opens it for the converter (``ERASED`` under a key
    that is gone), its plaintext read as the field's type: a text, or a list of texts."""
    aead = sealed_under(keys, form.key, field.name)
    if aead is None:
        return field.erased
    plaintext = decrypted(aead, form.nonce, form.ciphertext, event_id, field.name, form.key)
    return (_TEXTS if field.many else _TEXT).decode(plaintext)
