"""``read_json``: JSON read as every reader reads it (``mentoring_core.extend``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring_core import _strict_json as strict_json
from mentoring_core.extend import NamedTwice, UnreadableNumber, read_json

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(VALUES)
def test_what_names_each_member_once_is_read_as_json_reads_it(value: Any) -> None:
    text = json.dumps(value)
    assert read_json(text) == json.loads(text)
    assert read_json(text.encode()) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"a": 1, "a": 1}', "a"),
        ('{"s": {"c": "weekly", "c": "monthly"}}', "s.c"),
        ('{"keys": [{"k": 1}, {"kid": "a", "b": 2, "kid": "b"}]}', "keys[1].kid"),
        ('[0, {"x": {"y": 1, "y": 2}}]', "[1].x.y"),
        ('{"a": {"b": 1, "b": 2}, "a": 3}', "a"),  # the first in document order
        ('{"a": {"b": 1, "b": 2}, "c": {"d": 1, "d": 2}}', "a.b"),
        ('{"": 1, "": 2}', ""),
    ],
)
def test_a_member_named_twice_is_refused_naming_where(text: str, path: str) -> None:
    with pytest.raises(NamedTwice) as refused:
        read_json(text)
    assert refused.value.path == path
    assert str(refused.value) == (
        f"{path!r} appears twice in one JSON object, which readers take differently"
    )


def test_a_member_named_twice_deep_down_is_found_without_recursion() -> None:
    depth = 900
    text = '{"a": ' * depth + '{"b": 1, "b": 2}' + "}" * depth
    with pytest.raises(NamedTwice) as refused:
        read_json(text)
    assert refused.value.path == ".".join(["a"] * depth + ["b"])


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_what_rfc_8259_does_not_allow_is_refused_naming_where(constant: str) -> None:
    with pytest.raises(UnreadableNumber) as refused:
        read_json(f'{{"a": [1, {constant}]}}')
    assert refused.value.path == "a[1]"
    assert str(refused.value) == f"'a[1]' is {constant}, which is not a JSON value"


TOO_LARGE = "a number too large for a 64-bit float, which readers take as infinity or refuse"
DIGITS = "9" * 5000
TOO_LONG = "an integer of 5000 digits, more than the 4300 Python converts"


@pytest.mark.parametrize(
    ("text", "path", "why"),
    [
        ('{"amount": 1e400}', "amount", TOO_LARGE),
        ('{"s": {"d": -1e400}}', "s.d", TOO_LARGE),
        ('{"s": [0, 1.7976931348623159e308]}', "s[1]", TOO_LARGE),
        ('{"k": [{"n": 1E400}]}', "k[0].n", TOO_LARGE),
        (f'{{"amount": {DIGITS}}}', "amount", TOO_LONG),
        (f'{{"a": [-{DIGITS}]}}', "a[0]", TOO_LONG),
    ],
)
def test_a_number_no_reader_takes_alike_is_refused_naming_where(
    text: str, path: str, why: str
) -> None:
    """``json`` read ``1e400`` as infinity (msgspec refuses it: the HTTP API answered
    "Number out of range" without naming the member) and raised its own ValueError, naming
    nothing, for an integer of more digits than Python converts (4300)."""
    with pytest.raises(UnreadableNumber) as refused:
        read_json(text)
    assert (refused.value.path, refused.value.why) == (path, why)
    assert str(refused.value) == f"{path!r} is {why}"


def test_a_number_no_reader_takes_alike_as_the_whole_text_is_named_so() -> None:
    with pytest.raises(UnreadableNumber) as refused:
        read_json("1e400")
    assert refused.value.path == ""
    assert str(refused.value) == f"the JSON text is {TOO_LARGE}"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.7976931348623157e308", 1.7976931348623157e308),
        ("-1.7976931348623157e308", -1.7976931348623157e308),
        ("1e-400", 0.0),  # underflows to 0.0, as every reader takes it
        ("9" * 4300, int("9" * 4300)),
        ("-" + "9" * 4300, -int("9" * 4300)),
    ],
)
def test_a_number_at_the_edge_of_what_readers_take_is_read(text: str, value: Any) -> None:
    assert read_json(f'{{"a": [{text}]}}') == {"a": [value]}


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ('[{"a": 1, "a": 2}, NaN]', "'[0].a' appears twice"),
        ('[NaN, {"a": 1, "a": 2}]', "'[0]' is NaN"),
        (f'[{{"a": 1, "a": 2}}, {DIGITS}]', "'[0].a' appears twice"),
        ('[1e400, {"a": 1, "a": 2}]', "'[0]' is a number too large"),
        ("[1e400, NaN]", "'[0]' is a number too large"),
        ("[NaN, 1e400]", "'[0]' is NaN"),
        ("[1.5, NaN]", "'[1]' is NaN"),  # a number read well is no fault
    ],
)
def test_of_two_faults_the_first_in_document_order_is_refused(text: str, first: str) -> None:
    """A member named twice before a ``NaN`` is refused as named twice, as a ``NaN``
    before a member named twice is refused as a ``NaN``: the reading after the quick one,
    which only says where the fault is, reads the faults the quick one never reached (an
    integer too long for ``json`` raised its own error there, naming nothing)."""
    with pytest.raises(ValueError, match=f"^{re.escape(first)}"):
        read_json(text)


def test_what_is_not_json_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(ValueError, match="Expecting"):
        read_json("{")


def test_an_object_of_many_members_naming_its_last_twice_is_refused_naming_it() -> None:
    """The walk that names the member counts each object's names once: it counted them
    again for each name (list.count), so an object of 6,000 members, a 64 KiB request
    body, took 0.3 s of the server's loop to refuse, and a policy file of 16 MiB hours."""
    many = 100_000
    text = "{" + ",".join(f'"k{i}":1' for i in range(many)) + f',"k{many - 1}":2' + "}"
    with pytest.raises(NamedTwice) as refused:
        read_json(text)
    assert refused.value.path == f"k{many - 1}"


@pytest.mark.parametrize("number", ["NaN", "1e400"])
def test_a_document_of_many_refused_numbers_marks_them_alike_and_names_only_the_first(
    number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy file (16 MiB at most) holding two million ``NaN`` took 7 s to refuse, and
    one of 1.6 million ``1e400`` 5 s, where a single one is refused at once: the reading
    that says where made an exception object of each number, and the walk a path for
    every item of the list before it looked at the first. Each kind now has one marker,
    and the walk names a member only when it reaches it."""
    text = "[" + ",".join([number] * 100_000) + "]"
    marked = json.loads(
        text,
        parse_constant=strict_json._NOT_VALUES.__getitem__,
        parse_float=strict_json._float_or_unread,
    )
    assert len({id(item) for item in marked}) == 1
    named: list[str] = []
    members = strict_json._members

    def counted(path: str, value: Any) -> Iterator[tuple[str, Any]]:
        for member in members(path, value):
            named.append(member[0])
            yield member

    monkeypatch.setattr(strict_json, "_members", counted)
    with pytest.raises(UnreadableNumber) as refused:
        read_json(text)
    assert refused.value.path == "[0]"
    assert named == ["[0]"]
