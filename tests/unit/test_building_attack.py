"""Attack on domain/_building.py: where ``builder(cls)(...)`` is not ``cls(...)``."""

from __future__ import annotations

import re
from typing import Any

import attrs
import pytest

from mentoring_core.domain._building import builder, twin_of
from mentoring_core.domain.programme import Appointment, Participant
from mentoring_core.domain.relationship_state import Ending, Goal, Meeting


def message(make: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(TypeError) as refused:
        make(*args, **kwargs)
    return str(refused.value)


@pytest.mark.parametrize("cls", [Goal, Meeting, Ending, Participant, Appointment])
def test_a_builders_refusal_names_the_class_as_the_class_does(cls: type) -> None:
    for args, kwargs in [((), {}), ((1,), {}), ((), {"nope": 1})]:
        made, built = message(cls, *args, **kwargs), message(builder(cls), *args, **kwargs)
        assert cls.__name__ in built, (made, built)


@attrs.frozen(init=False, weakref_slot=False)
class Doubled:
    """A frozen attrs class with its own __init__ (attrs writes none: init=False)."""

    x: int

    def __init__(self, x: int) -> None:
        self.__attrs_init__(x * 2)


def test_a_class_with_its_own_init_is_built_by_it() -> None:
    """A class "whose __init__ does more than set its fields (plain) has no twin, and is
    built by its __init__": plain() asks whether __init__ is the one attrs wrote."""
    assert twin_of(Doubled) is None
    assert builder(Doubled)(x=1) == Doubled(x=1)
    assert builder(Doubled)(x=1).x == 2


def test_the_state_items_have_attrs_own_init() -> None:
    """What the latent defect above needs: no state item has a hand-written __init__."""
    for cls in (Goal, Meeting, Ending, Participant, Appointment):
        assert re.match(r"<attrs generated (init|methods)", cls.__init__.__code__.co_filename)


from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SHARED: list[int] = []

FIELD_SHAPES = st.lists(
    st.tuples(st.booleans(), st.sampled_from(["none", "int", "shared_list"])),
    min_size=1,  # a class of no field has no twin (attrs gives it no frozen __setattr__)
    max_size=5,
)


@given(
    shapes=FIELD_SHAPES,
    args=st.lists(st.integers(), max_size=6).map(tuple),
    kwargs=st.dictionaries(st.sampled_from(["f0", "f1", "f2", "f3", "f4", "f9"]), st.integers()),
)
def test_generated_shapes_take_refuse_and_share_as_their_class(
    shapes: list[tuple[bool, str]], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Classes of any mix of positional and keyword-only fields, with no default, an
    int's, or a shared list (not a Factory: attrs shares it between instances too)."""
    body: dict[str, Any] = {}
    for number, (kw_only, default) in enumerate(shapes):
        value = {"none": attrs.NOTHING, "int": number, "shared_list": SHARED}[default]
        body[f"f{number}"] = attrs.field(default=value, kw_only=kw_only)
    try:
        cls = attrs.make_class("Generated", body, frozen=True, slots=True, weakref_slot=False)
    except ValueError:  # a positional field without a default after one with
        assume(False)
    make = builder(cls)
    assert make is not cls

    def outcome(f: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except TypeError:
            return TypeError

    made, built = outcome(cls), outcome(make)
    if made is TypeError:
        assert built is TypeError
        return
    assert type(built) is cls and built == made and repr(built) == repr(made)
    if "shared_list" not in {default for _, default in shapes}:
        assert hash(built) == hash(made)
    for field in attrs.fields(cls):
        assert getattr(built, field.name) is getattr(made, field.name)
