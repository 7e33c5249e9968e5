"""A frozen attrs instance with some fields changed: what ``attrs.evolve`` gives, quicker.

Why this is its own code: ``attrs.evolve`` reads every field of the instance in a Python
loop, then calls the class's ``__init__``, which sets every field again: for the
relationship state (27 fields) that is about 66,000 machine instructions, and every
command built two such states (its fold's result, then that result without its
history) and two commands (dated, given its new ids): a tenth of recording a command.
:func:`replaced` writes, once per class, a function that sets each field of a new
instance straight from the old one or the changes: through the class's twin for a
frozen class with slots (plain stores into an instance of its layout, then made one of
the class: see :mod:`._building`), else through each slot's own setter (a state kept
in slots that have no twin took about 42,000 instructions through ``object.__setattr__``,
as attrs' own ``__init__`` of a frozen class sets them). The states (relationship and
programme) keep their fields in a ``__dict__`` instead, which is copied in two calls: 15,000. A
class whose ``__init__`` does more than set its fields (a validator, a converter, a
field set by another name or not by ``__init__``, a ``__attrs_pre_init__`` or
``__attrs_post_init__``, a cached hash) is left to ``attrs.evolve``.
``tests/unit/test_replace.py`` compares the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import attrs

from ._building import maker, plain

T = TypeVar("T")

_Replace = Callable[[Any, dict[str, Any]], Any]
"""Copies an instance with the changes given (their names already checked)."""
_REPLACERS: dict[type, tuple[frozenset[str], _Replace]] = {}


def replaced(inst: T, **changes: Any) -> T:
    """``inst`` with the fields named in ``changes`` set to their values, every other field
    as it is: equal to ``attrs.evolve(inst, **changes)``; a name that is not one of the
    class's fields is refused with :class:`TypeError`, as ``attrs.evolve`` refuses it."""
    cls = type(inst)
    known = _REPLACERS.get(cls)
    if known is None:
        known = _REPLACERS[cls] = _replacer(cls)
    names, replace = known
    if not changes.keys() <= names:
        unknown = ", ".join(sorted(changes.keys() - names))
        raise TypeError(f"{cls.__name__} has no field {unknown}")
    return cast(T, replace(inst, changes))


def _evolve(inst: Any, changes: dict[str, Any]) -> Any:
    return attrs.evolve(inst, **changes)


def _replacer(cls: type) -> tuple[frozenset[str], _Replace]:
    """The names ``replaced`` takes for ``cls`` (its ``__init__``'s), and the function
    that copies an instance of it with changes made (:func:`._building.maker`);
    ``attrs.evolve`` for a class whose ``__init__`` does more than set its fields."""
    fields = attrs.fields(cls)
    if not plain(cls):
        return frozenset(f.alias for f in fields if f.init), _evolve
    names = [field.name for field in fields]
    if not any("__slots__" in vars(base) for base in cls.__mro__[:-1]):
        return frozenset(names), _dict_replacer(cls, len(names))
    values = {name: f"changes[{name!r}] if {name!r} in changes else inst.{name}" for name in names}
    return frozenset(names), maker(cls, "inst, changes", values, {})


def _dict_replacer(cls: type, count: int) -> _Replace:
    """For a class whose instances keep their ``count`` fields in their ``__dict__`` (not
    slots): the new instance's ``__dict__`` filled in two calls, as attrs' own ``__init__``
    of a frozen class of this kind fills it (straight into the ``__dict__``). An instance
    holding anything else there (a value cached by a property, say) is left to
    ``attrs.evolve``: that would not be the new instance's."""

    def replace(inst: Any, changes: dict[str, Any]) -> Any:
        held = inst.__dict__
        if len(held) != count:
            return _evolve(inst, changes)
        new: Any = object.__new__(cls)
        kept = new.__dict__
        kept.update(held)
        kept.update(changes)
        return new

    return replace
