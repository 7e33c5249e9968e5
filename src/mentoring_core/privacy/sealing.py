"""Sealing personal fields: each is stored encrypted under the key of the person it is about.

A sealed field's stored form (in the event's JSON state, in place of its value)::

    {"$personal": 1, "key": "<person id>", "nonce": "<base64, 12 bytes>",
     "ciphertext": "<base64: AES-256-GCM of the value's compact JSON, tag at the end>"}

The associated data binds the ciphertext to its place: the UTF-8 bytes of
``"mentoring-core/personal/v1\\n{event_id}\\n{path}\\n{person id}"``, where ``path`` is
the field's name, or ``field[i].name`` inside a list of values (``stakeholder_feedback[0].text``).
A ciphertext moved to another event, field or person's key does not open.

Fields marked personal (see :mod:`mentoring_core.domain.personal`) are sealed when an
event is stored; a value that holds nothing (``None``, ``ERASED``, a list of texts empty
or of ``ERASED`` only: :func:`holds_nothing`) is stored as it is. On reading, a field
under a destroyed key reads as :data:`~mentoring_core.domain.personal.ERASED` (a list
field as ``[ERASED]``), and so does one under a withheld key (the events were imported
without their keys: see ``docs/privacy.md``); a field under a key the key store does not
hold at all is refused (``StoreConfigurationError``: the keys were lost) unless the store
records the person's erasure; a plain value (a store written before sealing) is read as
it is.
"""

from __future__ import annotations

import _json
import base64
import binascii
import json
import json.scanner
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast, get_args, get_origin, get_type_hints

import attrs

from ..domain.errors import InvalidValue, StoreConfigurationError
from ..domain.personal import (
    ERASED,
    PERSONAL_DATA,
    PERSONAL_OWNER,
    RELATIONSHIP_MENTEE,
    SEALED,
)
from ..domain.validation import LONE_SURROGATE
from .keys import CachedKeys, KeyStore, PersonKey, missing_key_message

if TYPE_CHECKING:  # imported by the key cache, which builds the ciphers (CachedKeys.aead)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MARK = "$personal"
ENVELOPE_VERSION = 1
NONCE_BYTES = 12
_AAD_PREFIX = "mentoring-core/personal/v1"
_ENVELOPE_KEYS = frozenset((MARK, "key", "nonce", "ciphertext"))


@attrs.frozen
class PersonalPath:
    """Where a personal field sits in an event's stored state, and whose it is."""

    field: str
    """The event's field."""
    inner: str | None
    """For a list of values: the field of each value that is personal; else None."""
    owner: str
    """An event field naming the person, or ``RELATIONSHIP_MENTEE``."""
    many: bool
    """The personal value is a list of texts (erased as ``[ERASED]``)."""


def _is_tuple(hint: Any) -> bool:
    return get_origin(hint) is tuple


_PATHS: dict[type, tuple[PersonalPath, ...]] = {}


def personal_paths(cls: type) -> tuple[PersonalPath, ...]:
    """Every personal field of an event class: its own, and those of the values in its
    lists (``tuple[Value, ...]`` fields); found once per class."""
    found = _PATHS.get(cls)
    if found is None:
        found = _PATHS[cls] = _find_paths(cls)
    return found


def _find_paths(cls: type) -> tuple[PersonalPath, ...]:
    hints = get_type_hints(cls)
    paths: list[PersonalPath] = []
    for field in attrs.fields(cls):
        hint = hints[field.name]
        if PERSONAL_DATA in field.metadata:
            owner = field.metadata[PERSONAL_OWNER]
            paths.append(PersonalPath(field.name, None, owner, _is_tuple(hint)))
            continue
        inner_cls = get_args(hint)[0] if _is_tuple(hint) else None
        if inner_cls is None or not attrs.has(inner_cls):
            continue
        inner_hints = get_type_hints(inner_cls)
        for inner in attrs.fields(inner_cls):
            if PERSONAL_DATA in inner.metadata:
                many = _is_tuple(inner_hints[inner.name])
                paths.append(
                    PersonalPath(field.name, inner.name, inner.metadata[PERSONAL_OWNER], many)
                )
    return tuple(paths)


def slots(data: dict[str, Any], path: PersonalPath) -> list[tuple[str, dict[str, Any], str]]:
    """``(path text, container, key)`` for each place ``path`` names in ``data`` (a list,
    not a generator: most paths name one place, and every read of an event walks them)."""
    field, inner = path.field, path.inner
    if inner is None:
        return [(field, data, field)]
    items = data.get(field)
    if not isinstance(items, list):
        return []
    return [
        (f"{field}[{index}].{inner}", item, inner)
        for index, item in enumerate(items)
        if isinstance(item, dict)
    ]


def associated_data(event_id: str, where: str, person_id: str) -> bytes:
    """The bytes a sealed field is bound to: its event, its place and its person."""
    return f"{_AAD_PREFIX}\n{event_id}\n{where}\n{person_id}".encode()


_SCAN = json.scanner.make_scanner(cast(Any, json.JSONDecoder()))  # json.loads's own
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
# json.dumps's own C encoder (JSONEncoder.iterencode makes it so, with these options), made
# once: JSONEncoder.encode makes it anew for every value, which cost more than encoding a
# small one (2.5 against 0.8 microseconds for a meeting's six values). Made without the
# check for a list or dict that holds itself (JSONEncoder's "markers", state kept between
# calls): what the library writes is built afresh from frozen values, never circular.
_ENCODE = _json.make_encoder(
    None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
)


def compact_text(value: Any) -> str:
    """``value`` as the library writes JSON: compact, as ``json.dumps(value,
    separators=(",", ":"), ensure_ascii=False)`` writes it, by the same C encoder made
    once, where ``json.dumps`` makes one per call (a text: by its own C function, as
    ``json.dumps`` does)."""
    if isinstance(value, str):
        return json.encoder.encode_basestring(value)
    return "".join(_ENCODE(value, 0))


def compact_json(value: Any) -> bytes:
    """``value`` as the library stores JSON: :func:`compact_text`, in UTF-8."""
    return compact_text(value).encode()


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""An escape that may be half of a surrogate pair (or an escaped backslash before a ``u``:
what was read is looked at to tell)."""


class LoneSurrogate(ValueError):
    """A JSON text escapes half of a surrogate pair alone (``"\\udc80"``): JSON's syntax
    allows it, but what it reads is no Unicode text (UTF-8 cannot hold it, so nothing could
    write it out again), and it is refused wherever the library reads JSON text."""

    def __init__(self, char: str) -> None:
        super().__init__(
            f"the escape \\u{ord(char):04x} is a lone surrogate (half of a pair), which is no "
            "Unicode character: UTF-8 cannot hold it"
        )


def check_unicode(text: str, value: Any) -> Any:
    """``value``, read from the JSON ``text``, unless a text in it (a key too) holds a lone
    surrogate, which raises :class:`LoneSurrogate`. Only a value whose text has an escape
    that may be one is looked at (written out again and searched)."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return value
    found = LONE_SURROGATE.search(compact_text(value))
    if found is not None:
        raise LoneSurrogate(found.group())
    return value


def parse_json(text: str) -> Any:
    """``json.loads(text)``, the same value or error, quicker for the compact JSON the
    library writes (no whitespace around the value): the decoder's scanner is called
    directly, and ``json.loads`` only for anything else (which it then reads or refuses).
    A lone surrogate, which ``json.loads`` reads, is refused (:func:`check_unicode`)."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        value, end = json.loads(text), len(text)  # raises the error json.loads gives
    if end != len(text):
        value = json.loads(text)
    return check_unicode(text, value)


def seal_value(
    value: Any, person_id: str, aead: AESGCM, event_id: str, where: str
) -> dict[str, Any]:
    """A JSON value sealed under ``aead``, the person's key (see the module's docstring
    for the form)."""
    plaintext = compact_json(value)
    nonce = os.urandom(NONCE_BYTES)
    aad = associated_data(event_id, where, person_id)
    ciphertext = aead.encrypt(nonce, plaintext, aad)
    return {
        MARK: ENVELOPE_VERSION,
        "key": person_id,
        "nonce": base64.b64encode(nonce).decode(),
        "ciphertext": base64.b64encode(ciphertext).decode(),
    }


def holds_nothing(value: Any) -> bool:
    """Whether a personal field's value holds no personal data: ``None``, the placeholder
    ``ERASED``, or a list of texts that is empty or holds only ``ERASED`` (a meeting with
    no topics; one recorded after its mentee's erasure). Such a value is stored as it is,
    under no key, about anyone (an erased person too), and is no text left in clear."""
    if isinstance(value, list | tuple):
        return all(item == ERASED for item in value)
    return value is None or value == ERASED


OwnerOf = Callable[[str, dict[str, Any]], str]
"""``owner_of(owner, data)``: the person id an owner names in an event's unstructured data."""


def seal_event(cls: type, data: dict[str, Any], keys: CachedKeys, owner_of: OwnerOf) -> None:
    """Seal every personal field of ``data`` (an event of ``cls``, unstructured) in place.

    Raises ``InvalidValue`` for personal data about a person whose key was destroyed:
    nothing more is recorded about an erased person, but the fact itself can be, with
    the text given as ``ERASED``. A value that holds nothing (:func:`holds_nothing`) is
    stored as it is."""
    for path in personal_paths(cls):
        person_id: str | None = None
        for where, container, name in slots(data, path):
            value = container.get(name)
            if holds_nothing(value):
                continue
            person_id = person_id or owner_of(path.owner, data)
            row = keys.create(person_id)
            if row.key is not None:
                container[name] = seal_value(
                    value, person_id, keys.aead(row), str(data["event_id"]), where
                )
            elif row.destroyed_at is not None:
                raise InvalidValue(
                    f"{cls.__name__}.{where}",
                    "personal data",
                    f"none about {person_id!r}, whose personal data was erased at "
                    f"{row.destroyed_at.isoformat()}: give the text as {ERASED!r} to record "
                    "the fact",
                )
            else:  # withheld
                raise StoreConfigurationError(
                    f"{cls.__name__}.{where}: the key of {person_id!r} was not copied into this "
                    "store with the events it imported: copy the source's keys "
                    "(mentoring privacy copy-keys) before recording personal data about them"
                )


def _b64(text: Any, name: str, where: str) -> bytes:
    try:
        if not isinstance(text, str) or not text.isascii():
            raise binascii.Error
        return binascii.a2b_base64(text, strict_mode=True)  # base64.b64decode(validate=True)
    except binascii.Error:
        raise ValueError(f"{where}: the sealed field's {name} is not base64 text") from None


def _sealer(envelope: dict[str, Any], where: str) -> str:
    """The person a sealed field is sealed under, once its envelope's form is checked."""
    person_id = envelope.get("key")
    marker = envelope.get(MARK)  # an int: JSON's true and 1.0 equal 1 in Python, and are not it
    if type(marker) is not int or marker != ENVELOPE_VERSION or not isinstance(person_id, str):
        raise ValueError(f"{where}: not a sealed field of version {ENVELOPE_VERSION}")
    if envelope.keys() != _ENVELOPE_KEYS:
        raise ValueError(f"{where}: a sealed field with keys {sorted(envelope)}")
    return person_id


def open_sealed(
    keys: CachedKeys | None,
    person_id: str,
    nonce: Any,
    ciphertext: Any,
    event_id: str,
    where: str,
    *,
    many: bool,
) -> Any:
    """The value of the sealed field at ``where`` in the event ``event_id``, sealed under
    ``person_id``'s key with the base64 texts ``nonce`` and ``ciphertext`` (the parts of
    its stored form, checked by the caller); ``ERASED`` (``[ERASED]`` for a list of
    texts, ``many``) if the person's key was destroyed or is not in this store's key
    store."""
    aead = sealed_under(keys, person_id, where)
    if aead is None:
        return erased(many=many)
    plaintext = decrypted(
        aead,
        _b64(nonce, "nonce", where),
        _b64(ciphertext, "ciphertext", where),
        event_id,
        where,
        person_id,
    )
    return parse_json(plaintext.decode())  # UTF-8, as sealed: no guessing of encodings


def sealed_under(keys: CachedKeys | None, person_id: str, where: str) -> AESGCM | None:
    """The cipher that opens the fields sealed under ``person_id``'s key (the field at
    ``where`` is one); None if their key was destroyed or is not in this store's key
    store (withheld, or erased), where each such field reads as :func:`erased`. Refused
    (:class:`StoreConfigurationError`) without a key store, or where the key is missing
    from it and the store records no erasure of the person. The quick reader
    (:mod:`mentoring_core.quick_reading`) opens the parts it parsed with this and
    :func:`decrypted`, as :func:`open_sealed` does."""
    if keys is None:
        raise StoreConfigurationError(
            f"{where} is sealed under the key of {person_id!r}, but no key store was given"
        )
    row = keys.get(person_id)
    if row is None:
        if not keys.erased(person_id):  # else a key backup older than the key, restored after it
            raise StoreConfigurationError(missing_key_message(person_id))
        return None
    if row.key is None:  # destroyed, or withheld (a copy imported without its keys)
        return None
    return keys.aead(row)


def decrypted(
    aead: AESGCM, nonce: bytes, ciphertext: bytes, event_id: str, where: str, person_id: str
) -> bytes:
    """The plaintext of the field at ``where`` in the event ``event_id``, sealed under
    ``person_id``'s key (``aead``), from its nonce and ciphertext; refused if it does not
    open (altered, or moved from another event or field)."""
    try:
        return aead.decrypt(nonce, ciphertext, associated_data(event_id, where, person_id))
    except Exception as error:
        from cryptography.exceptions import InvalidTag  # loaded with the cipher: see above

        if not isinstance(error, InvalidTag):
            raise
        raise ValueError(
            f"{where}: the sealed field does not open with the key of {person_id!r}: its "
            "ciphertext was altered, or moved from another event or field"
        ) from None


def erased(*, many: bool) -> Any:
    """What a sealed field reads as once its person's key is gone: ``ERASED``, or
    ``[ERASED]`` for a list of texts."""
    return [ERASED] if many else ERASED


def unopened(*, many: bool) -> Any:
    """What a sealed field reads as in a closed reading: ``SEALED``, or ``[SEALED]`` for a
    list of texts."""
    return [SEALED] if many else SEALED


def open_event(
    cls: type, data: dict[str, Any], keys: CachedKeys | None, *, personal: bool = True
) -> None:
    """Open every sealed field of ``data`` (an event of ``cls``, as stored) in place; a
    field whose key was destroyed becomes ``ERASED`` (``[ERASED]`` for a list of texts).

    With ``personal`` false, no field is opened: each sealed field's envelope is checked
    and the field becomes ``SEALED`` (``[SEALED]``), for a reader that keeps no personal
    data (the compliance read model). Its ciphertext is neither decrypted nor checked,
    and its person's key is not looked up."""
    paths = personal_paths(cls)
    if not paths:
        return
    event_id = str(data.get("event_id"))
    for path in paths:
        for where, container, name in slots(data, path):
            value = container.get(name)
            if not isinstance(value, dict):
                continue  # a plain value, stored before sealing (or damaged: cattrs says)
            if personal:
                opened = open_sealed(
                    keys,
                    _sealer(value, where),
                    value.get("nonce"),
                    value.get("ciphertext"),
                    event_id,
                    where,
                    many=path.many,
                )
            else:
                _sealer(value, where)  # its form checked; not opened
                opened = unopened(many=path.many)
            container[name] = opened


def relationship_owner(mentee_of: Callable[[str], str | None]) -> OwnerOf:
    """The owner resolver of a store: an event field's person id, or the relationship's
    mentee as ``mentee_of(relationship id)`` finds them (the id as the event's data holds
    it, a text)."""

    def owner_of(owner: str, data: dict[str, Any]) -> str:
        if owner == RELATIONSHIP_MENTEE:
            mentee = data.get("mentee_id")
            if not isinstance(mentee, str):
                mentee = mentee_of(str(data["aggregate_id"]))
            if mentee is None:
                raise InvalidValue(
                    "aggregate_id", data["aggregate_id"], "a relationship with a recorded mentee"
                )
            return mentee
        person = data.get(owner)
        if not isinstance(person, str):
            raise InvalidValue(owner, person, "a person id naming whose personal data it is")
        return person

    return owner_of


def _sealed_people(value: Any) -> Iterator[str]:
    """The person ids of every sealed field in a stored event's JSON ``value``."""
    if isinstance(value, dict):
        if MARK in value and isinstance(value.get("key"), str):
            yield value["key"]
            return
        for item in value.values():
            yield from _sealed_people(item)
    elif isinstance(value, list):
        for item in value:
            yield from _sealed_people(item)


def sealed_people(state: bytes) -> set[str]:
    """The person ids of every sealed field in a stored event's JSON ``state``."""
    return set(_sealed_people(json.loads(state)))


def withhold_keys(store: KeyStore, people: Iterable[str]) -> int:
    """Write a withheld row (no key, not destroyed) for each of ``people`` that ``store``
    holds no row of; returns how many rows were written. A row written meanwhile by
    another process is kept (:meth:`~.keys.KeyStore.restore`), so this may run again."""
    missing = sorted(p for p in set(people) if store.get(p) is None)
    for person_id in missing:
        store.restore(PersonKey(person_id=person_id, key=None, created_at=datetime.now(UTC)))
    return len(missing)


def withhold_missing_keys(store: KeyStore, states: Iterable[bytes]) -> int:
    """Write a withheld row (no key, not destroyed) for every person a sealed field of
    ``states`` (stored events' JSON, as an import brings them) is under and ``store``
    holds no row of: their fields read as erased until their keys are copied
    (:func:`~.keys.copy_keys`), where a missing row is refused as a lost key. Returns how
    many rows were written."""
    return withhold_keys(store, (person for state in states for person in sealed_people(state)))
