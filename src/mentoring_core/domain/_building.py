"""Frozen attrs instances made without their class's ``__init__``: what ``cls(...)``
gives, quicker, for the items a fold builds for nearly every event (a meeting, a
feedback...).

attrs' ``__init__`` of a frozen class sets each field through ``object.__setattr__``
(about 600 machine instructions a field): a 9-field item took about 1 µs, a third of
folding its event. A class's *twin* (:func:`twin_of`: the same slots, no ``__setattr__``
of its own) takes plain attribute stores, each a direct write of its slot, and its
instance is then made one of the class by ``__class__`` assignment: about 0.3 µs for the
same item, exactly what ``cls(...)`` gives, frozen as well. :func:`builder` writes such a
function once per class, taking what ``cls`` takes; ``replaced`` (:mod:`._replace`)
copies an instance through the twin too; :func:`maker` writes both. Python allows the
assignment only between classes of one layout, which a ``__weakref__`` slot (attrs'
default) breaks: hence the state items' ``weakref_slot=False``. A class that is not
frozen, has a base class, or whose ``__init__`` does more than set its fields
(:func:`plain`) has no twin, and is built by its ``__init__``.
``tests/unit/test_building.py`` compares the builders with the classes.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, ParamSpec, TypeVar, cast

import attrs

P = ParamSpec("P")
T = TypeVar("T")


@attrs.frozen
class _Frozen:
    """Only for its ``__setattr__``, the one attrs gives every frozen class."""


_TWINS: dict[type, type | None] = {}


def plain(cls: type) -> bool:
    """Whether ``cls``'s ``__init__`` only sets each field from the argument of its name:
    the one attrs writes (not one of the class's own), with no hook, validator, converter
    or alias."""
    code = getattr(vars(cls).get("__init__"), "__code__", None)  # its own, not a base's
    return (
        code is not None
        and code.co_filename.startswith("<attrs generated")
        and not (
            hasattr(cls, "__attrs_pre_init__")
            or hasattr(cls, "__attrs_post_init__")
            or "_attrs_cached_hash" in getattr(cls, "__slots__", ())
            or any(
                not f.init
                or f.validator is not None
                or f.converter is not None
                or f.alias != f.name
                for f in attrs.fields(cls)
            )
        )
    )


def twin_of(cls: type) -> type | None:
    """A class of ``cls``'s layout whose instances take plain attribute stores, and become
    instances of ``cls`` by ``__class__`` assignment; None unless ``cls`` is a frozen attrs
    class, with slots, without a base class, whose ``__init__`` only sets its fields."""
    if cls in _TWINS:
        return _TWINS[cls]
    twin = None
    slots = vars(cls).get("__slots__")
    if (
        attrs.has(cls)
        and cls.__bases__ == (object,)
        and cls.__setattr__ is _Frozen.__setattr__
        and slots is not None
        and plain(cls)
    ):
        candidate = type(f"{cls.__name__}Twin", (), {"__slots__": slots})
        probe: Any = object.__new__(candidate)
        try:  # Python refuses a layout that differs (a __weakref__ slot, say)
            probe.__class__ = cls
            twin = candidate
        except TypeError:
            pass
    _TWINS[cls] = twin
    return twin


def _slot(cls: type, name: str) -> MemberDescriptorType | None:
    """The slot of ``cls`` (or of a base) that keeps the field ``name``; None where it is
    kept in the instance's ``__dict__``."""
    for base in cls.__mro__:
        found = vars(base).get(name)
        if found is not None:
            return found if type(found) is MemberDescriptorType else None
    return None


def maker(
    cls: type, parameters: str, values: dict[str, str], namespace: dict[str, Any]
) -> Callable[..., Any]:
    """A function of ``parameters`` returning a new instance of ``cls`` whose fields are
    set to the expressions ``values`` gives by name (read in ``namespace``): stored into a
    twin (:func:`twin_of`); else each set into its slot by the slot's own setter (a base
    class's slot too: an event's), where attrs' ``__init__`` goes through
    ``object.__setattr__``, which looks the slot up by name (about half the time a field),
    or set as that ``__init__`` sets it where the field is kept in the ``__dict__``.
    Written for the class, as attrs writes its ``__init__``: the names are its fields',
    identifiers, never data; its own names start with ``_``."""
    twin = twin_of(cls)
    setters: dict[str, Any] = {}
    if twin is None:
        filled = []
        for number, (name, value) in enumerate(values.items()):
            slot = _slot(cls, name)
            if slot is None:
                filled.append(f"    _set(_new, {name!r}, {value})")
            else:
                setters[f"_set_{number}"] = slot.__set__
                filled.append(f"    _set_{number}(_new, {value})")
    else:
        filled = [f"    _new.{name} = {value}" for name, value in values.items()]
        filled.append("    _new.__class__ = _cls")
    lines = [
        f"def _make({parameters}):",
        f"    _new = _new_instance({'_cls' if twin is None else '_twin'})",
        *filled,
        "    return _new",
    ]
    namespace = {
        **namespace,
        "_cls": cls,
        "_twin": twin,
        "_new_instance": object.__new__,
        "_set": object.__setattr__,
        **setters,
    }
    exec(compile("\n".join(lines), f"<made for {cls.__name__}>", "exec"), namespace)
    return cast(Callable[..., Any], namespace["_make"])


def builder(cls: Callable[P, T]) -> Callable[P, T]:
    """A function taking the arguments ``cls`` takes and returning what ``cls(...)``
    returns, quicker (see the module); ``cls`` itself for a class without a twin, with a
    ``Factory`` default (made for each instance: left to ``__init__``) or a field named
    with a leading ``_`` (it could be one of the function's own names)."""
    kind = cast(type, cls)
    if twin_of(kind) is None:
        return cls
    defaults: dict[str, Any] = {}
    positional: list[str] = []
    keywords: list[str] = []
    for number, field in enumerate(attrs.fields(kind)):
        if isinstance(field.default, attrs.Factory) or field.name.startswith("_"):  # type: ignore[arg-type]
            return cls
        parameter = field.name
        if field.default is not attrs.NOTHING:
            defaults[f"_default_{number}"] = field.default
            parameter += f"=_default_{number}"
        (keywords if field.kw_only else positional).append(parameter)
    parameters = ", ".join([*positional, *(["*", *keywords] if keywords else [])])
    values = {field.name: field.name for field in attrs.fields(kind)}
    build = maker(kind, parameters, values, defaults)
    build.__name__, build.__qualname__ = kind.__name__, kind.__qualname__  # its refusals name it
    return cast(Callable[P, T], build)
