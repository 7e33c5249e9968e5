"""``replaced`` gives what ``attrs.evolve`` gives, on every kind of class it copies."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import ANY_VALUE, item_arguments, state_item_classes

from mentoring_core.domain._building import twin_of
from mentoring_core.domain._replace import replaced
from mentoring_core.domain.programme import ProgrammeState
from mentoring_core.domain.relationship_state import Goal, RelationshipState
from mentoring_core.domain.values import FocusArea

AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def same(a: Any, b: Any) -> None:
    assert type(a) is type(b) and a == b
    for field in attrs.fields(type(a)):
        assert getattr(a, field.name) is getattr(b, field.name)  # each value itself, not a copy


def goal() -> Goal:
    return Goal(  # a slotted class
        goal_id=UUID(int=1),
        title="Lead a huddle",
        focus_area=FocusArea.COMMUNICATION,
        success_measure="Leads four",
        target_date=AT.date(),
        set_at=AT,
    )


@given(version=st.integers(0, 10**6), complete=st.booleans(), name=st.text(max_size=5))
def test_a_state_is_copied_with_its_changes_as_attrs_evolve_copies_it(
    version: int, complete: bool, name: str
) -> None:
    relationship = RelationshipState(mentor_id="ana", latest_fact_at=AT)
    same(
        replaced(relationship, version=version, complete=complete),
        attrs.evolve(relationship, version=version, complete=complete),
    )
    assert relationship == RelationshipState(mentor_id="ana", latest_fact_at=AT)  # unchanged
    programme = ProgrammeState(name="P")
    same(replaced(programme, name=name), attrs.evolve(programme, name=name))
    slotted = goal()
    same(replaced(slotted, title=name), attrs.evolve(slotted, title=name))
    same(replaced(relationship), relationship)


@attrs.frozen(weakref_slot=False)
class Made:
    """A class with a twin whose default is made for each instance (``builder`` leaves it
    to ``__init__``), and fields named as the written function's own things."""

    _new: Any = attrs.field(alias="_new")
    _cls: Any = attrs.field(alias="_cls", default=None)
    items: tuple[int, ...] = attrs.Factory(tuple)


@given(data=st.data(), cls=st.sampled_from((*state_item_classes(), Made)))
def test_an_item_is_copied_through_its_twin_as_attrs_evolve_copies_it(
    data: st.DataObject, cls: type
) -> None:
    assert twin_of(cls) is not None  # the twin's stores are what is compared
    inst = cls(**data.draw(item_arguments(cls)))
    before = attrs.asdict(inst, recurse=False)
    names = data.draw(st.lists(st.sampled_from([f.name for f in attrs.fields(cls)])))
    changes = {name: data.draw(ANY_VALUE) for name in names}
    copy, expected = replaced(inst, **changes), attrs.evolve(inst, **changes)
    same(copy, expected)
    assert hash(copy) == hash(expected)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        copy.__setattr__(names[0] if names else attrs.fields(cls)[0].name, None)
    assert attrs.asdict(inst, recurse=False) == before  # the original unchanged


@pytest.mark.parametrize("inst", [RelationshipState(), goal()], ids=["in a dict", "in slots"])
def test_a_name_that_is_not_a_field_is_refused_as_attrs_evolve_refuses_it(inst: Any) -> None:
    with pytest.raises(TypeError):
        attrs.evolve(inst, no_such_field=1)
    with pytest.raises(TypeError, match="has no field no_such_field"):
        replaced(inst, no_such_field=1, version=2)


@attrs.frozen
class Checked:
    count: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen
class Converted:
    count: int = attrs.field(converter=int)


@attrs.frozen(slots=False)
class Remembering:
    count: int

    @cached_property
    def doubled(self) -> int:
        return self.count * 2


@attrs.frozen(slots=False, cache_hash=True)
class Hashed:
    count: int


def test_a_class_whose_init_does_more_than_set_its_fields_is_left_to_attrs_evolve() -> None:
    with pytest.raises(ValueError):
        replaced(Checked(1), count=-1)  # the validator ran
    assert replaced(Converted(1), count="7") == Converted(7)  # type: ignore[arg-type]
    remembering = Remembering(1)
    assert remembering.doubled == 2
    assert replaced(remembering, count=5).doubled == 10  # not the value cached by the first
    hashed = Hashed(1)
    assert hash(replaced(hashed, count=2)) == hash(Hashed(2)) != hash(hashed)
