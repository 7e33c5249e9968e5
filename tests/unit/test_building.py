"""``builder(cls)`` gives what ``cls(...)`` gives (``domain/_building.py``), for every
state item the folds build and for classes of other shapes, and is ``cls`` itself for a
class it cannot build so; the folds build no item through its ``__init__``."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import ANY_VALUE, histories, item_arguments, state_item_classes

from mentoring_core.domain import PROGRAMME, RELATIONSHIP
from mentoring_core.domain._building import builder, maker, twin_of
from mentoring_core.domain.decider import Decider

ITEMS = state_item_classes()
# What a twin needs: each class below built with it lacks only what its name says.
frozen = partial(attrs.frozen, weakref_slot=False)


def made_alike(built: Any, made: Any) -> None:
    """``built`` is what ``made`` is: type, fields (each value itself), hash, frozen."""
    cls = type(made)
    assert type(built) is cls and built == made
    assert attrs.asdict(built) == attrs.asdict(made)
    assert hash(built) == hash(made)
    for field in attrs.fields(cls):
        assert getattr(built, field.name) is getattr(made, field.name)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(built, field.name, None)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            delattr(built, field.name)
    assert built == made  # unchanged by the refused changes


def test_the_state_items_are_found() -> None:
    names = {cls.__name__ for cls in ITEMS}
    assert {"Goal", "Meeting", "Ending", "Participant", "Appointment"} <= names
    assert not names & {"RelationshipState", "ProgrammeState"}


@pytest.mark.parametrize("cls", ITEMS, ids=lambda cls: cls.__name__)
def test_every_state_item_has_a_builder_of_its_own(cls: type) -> None:
    """A validator, a converter or a __weakref__ slot (attrs' default) added to an item
    would quietly bring its __init__ back into every fold: the speed is pinned here."""
    assert twin_of(cls) is not None
    assert builder(cls) is not cls


@given(data=st.data(), cls=st.sampled_from(ITEMS))
def test_a_state_item_is_built_as_its_class_builds_it(data: st.DataObject, cls: type) -> None:
    arguments = data.draw(item_arguments(cls))
    built, made = builder(cls)(**arguments), cls(**arguments)
    made_alike(built, made)
    copy = pickle.loads(pickle.dumps(built))
    assert type(copy) is cls and copy == made
    field = data.draw(st.sampled_from(attrs.fields(cls)))
    value = data.draw(ANY_VALUE)
    made_alike(
        attrs.evolve(built, **{field.name: value}), attrs.evolve(made, **{field.name: value})
    )


@pytest.mark.parametrize("cls", ITEMS, ids=lambda cls: cls.__name__)
def test_a_default_left_out_is_the_classs_own(cls: type) -> None:
    required = {f.name: f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
    made_alike(builder(cls)(**required), cls(**required))


@contextmanager
def refused_inits() -> Iterator[None]:
    """Every state item's ``__init__`` raising while in the block."""

    def refuse(self: Any, *args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"{type(self).__name__} built by its __init__")

    with pytest.MonkeyPatch.context() as patch:
        for cls in ITEMS:
            patch.setattr(cls, "__init__", refuse)
        yield


@settings(max_examples=100)
@given(data=st.data(), kind=st.sampled_from((RELATIONSHIP, PROGRAMME)))
def test_the_folds_build_and_change_no_item_through_its_init(
    data: st.DataObject, kind: Decider[Any]
) -> None:
    history = data.draw(histories(kind))
    expected = kind.fold(kind.initial, history)
    with refused_inits():
        assert kind.fold(kind.initial, history) == expected


def test_an_init_refused_is_seen() -> None:
    """The test above can fail: an item built by its class while inits are refused."""
    goal = ITEMS[0]
    with refused_inits(), pytest.raises(AssertionError, match="built by its __init__"):
        goal(**{f.name: None for f in attrs.fields(goal)})


# --- Classes of other shapes -------------------------------------------------------------


@frozen
class Point:
    x: Any
    y: Any = 0
    z: Any = attrs.field(default=5, kw_only=True)
    w: Any = attrs.field(kw_only=True)


@frozen
class Shadowing:
    """Fields named as what the written functions could have named their own things."""

    cls: Any
    new: Any = None
    twin: Any = None
    default_0: Any = None


def outcome(make: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return make(*args, **kwargs)
    except TypeError:
        return TypeError


@given(
    cls=st.sampled_from((Point, Shadowing)),
    args=st.lists(st.integers(), max_size=5).map(tuple),
    kwargs=st.dictionaries(st.sampled_from(["x", "y", "z", "w", "q", "cls", "new"]), st.integers()),
)
def test_a_positional_class_takes_and_refuses_what_its_init_takes_and_refuses(
    cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    assert builder(cls) is not cls
    built, made = outcome(builder(cls), args, kwargs), outcome(cls, args, kwargs)
    if made is TypeError:
        assert built is TypeError
    else:
        made_alike(built, made)


def test_a_positional_class_s_arguments() -> None:
    build = builder(Point)
    made_alike(build(1, w=2), Point(1, w=2))
    made_alike(build(1, 2, z=3, w=4), Point(1, 2, z=3, w=4))
    made_alike(build(x=1, y=2, w=3), Point(x=1, y=2, w=3))
    for args, kwargs in [((), {"w": 1}), ((1,), {}), ((1, 2, 3), {"w": 4}), ((1,), {"x": 1})]:
        with pytest.raises(TypeError):
            Point(*args, **kwargs)
        with pytest.raises(TypeError):
            build(*args, **kwargs)


@frozen
class Validated:
    count: int = attrs.field(validator=attrs.validators.ge(0))


@frozen
class Converted:
    count: int = attrs.field(converter=int)


@frozen
class Aliased:
    count: int = attrs.field(alias="number")


@frozen
class Finished:
    count: int

    def __attrs_post_init__(self) -> None:
        pass


@frozen
class Prepared:
    count: int

    def __attrs_pre_init__(self) -> None:
        pass


@frozen
class NotInInit:
    count: int = attrs.field(init=False, default=0)


@frozen(cache_hash=True)
class CachedHash:
    count: int


@frozen
class Base:
    count: int


@frozen
class Derived(Base):
    more: int = 0


@attrs.frozen  # a __weakref__ slot: the layout of a twin would differ
class WeaklyReferable:
    count: int


@frozen(slots=False)
class InADict:
    count: int


@attrs.define(weakref_slot=False)
class Mutable:
    count: int


class NotAttrs:
    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


@pytest.mark.parametrize(
    "cls",
    [
        Validated,
        Converted,
        Aliased,
        Finished,
        Prepared,
        NotInInit,
        CachedHash,
        Derived,
        WeaklyReferable,
        InADict,
        Mutable,
        NotAttrs,
    ],
    ids=lambda cls: cls.__name__,
)
def test_a_class_with_no_twin_is_its_own_builder(cls: type) -> None:
    assert twin_of(cls) is None
    assert builder(cls) is cls


@frozen
class Made:
    items: list[int] = attrs.Factory(list)


@frozen
class Underscored:
    _new: Any = attrs.field(alias="_new")
    _cls: Any = attrs.field(alias="_cls", default=None)


@pytest.mark.parametrize("cls", [Made, Underscored], ids=lambda cls: cls.__name__)
def test_a_class_with_a_twin_that_builder_leaves_to_its_init(cls: type) -> None:
    """A default made for each instance; a field that could be one of the builder's own
    names. ``replaced`` still copies these through the twin (tests/unit/test_replace.py)."""
    assert twin_of(cls) is not None
    assert builder(cls) is cls


def test_a_plain_class_of_the_same_shape_has_a_builder() -> None:
    """The classes above lack a builder for what their names say, nothing else."""

    @frozen
    class Counted:
        count: int

    assert builder(Counted) is not Counted
    made_alike(builder(Counted)(3), Counted(3))


@frozen(slots=False)
class InADictDerived(InADict):
    more: int = 0


@pytest.mark.parametrize(
    "cls", [Derived, WeaklyReferable, InADict, InADictDerived], ids=lambda cls: cls.__name__
)
def test_a_class_with_no_twin_is_made_as_its_init_makes_it(cls: type) -> None:
    """``maker`` without a twin (as ``replaced`` and the quick reader of events use it):
    each field set into its slot, a base class's too, or into the ``__dict__``."""
    names = [field.name for field in attrs.fields(cls)]
    make = maker(cls, ", ".join(names), {name: name for name in names}, {})
    values = {name: tuple([number]) for number, name in enumerate(names)}  # each its own
    made_alike(make(*values.values()), cls(**values))
