"""What is checked of a request before its handler reads it (once the token is trusted).

Litestar reads a body whatever its ``Content-Type`` says, drops the fields an attrs
class does not have, and reads values as msgspec's lax mode does: a moment given as a
number, or a number in a string (``1764000000``), as Unix seconds; ``"60"`` as 60,
``"true"`` or ``1`` as true. The API takes none of these: :func:`checked_body` (a
command's or an erasure's ``before_request`` hook) refuses a body not sent as JSON (415),
a field the command does not have, a moment that is not ISO 8601 text and a value of
another JSON type than its field's (400); :func:`checked_query` refuses such a moment in
a query; the guard :func:`query_as_documented` refuses a query parameter the request
does not take or given twice, and
:func:`checked_body` a body naming a member twice in one object or holding a number
readers take differently (``1e400``), naming where.
"""

from __future__ import annotations

import contextlib
import functools
import re
import types
import typing
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, cast

import attrs
import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import SerializationException
from litestar.handlers import BaseRouteHandler
from litestar.openapi.spec import OpenAPI, Parameter
from litestar.types import HTTPScope

from mentoring_core import InvalidValue
from mentoring_core.extend import NamedTwice, UnreadableNumber, read_json, shown

from ._problems import Problem

Hook = Callable[[Request[Any, Any, Any]], Awaitable[None]]
"""A ``before_request`` hook: it refuses by raising a :class:`Problem`."""

MOMENT_EXAMPLE = "2026-03-04T10:00:00+11:00"
_JSON = re.compile(r"application/json|[\w!#$&^.+-]+/[\w!#$&^.+-]+\+json")
"""The media types of a JSON body: ``application/json``, and every ``+json`` type."""


def checked_body(body: type) -> Hook:
    """A hook reading a request's body as the attrs class ``body`` (a command, or an
    erasure's request) will: refused unless sent as JSON; then, if it is JSON, refused
    if it holds a field ``body`` (or a value in it: a schedule, a rating) does not have
    (a misspelt ``privat`` or ``rul`` would be recorded as if not given) or lacks one
    it requires (each named, where Litestar names the first alone), a moment
    that is not ISO 8601 text, or a value of another JSON type than its field's; and a
    request without a body (a JSON object, ``{}`` at least, is needed). The body is
    read once: Litestar keeps it for the handler."""

    async def check(request: Request[Any, Any, Any]) -> None:
        json_media_type(request)
        if not await request.body():
            raise Problem(
                400,
                "malformed-request",
                "The request cannot be read",
                "the request has no body: send a JSON object, {} at least, "
                "as Content-Type: application/json",
            )
        _read_alike(await request.body())
        try:
            data = await request.json()
        except SerializationException:
            return  # not JSON: the handler's own reading answers it
        found = list(members(body, data))
        unknown = [path for path, hint, _ in found if hint is None]
        if unknown:
            raise _unknown_fields(body, unknown)
        given = [(path, hint, v) for path, hint, v in found if v is not _LEFT_OUT]
        wrong = [(path, v) for path, hint, v in given if _not_a_moment(hint, v)]
        if wrong:
            raise not_moments(wrong, "body")
        mistyped = [(path, why) for path, hint, v in given if (why := _mistyped(hint, v))]
        if mistyped:
            raise _wrong_types(mistyped)
        missing = [path for path, _, v in found if v is _LEFT_OUT]
        if missing:
            raise _missing_fields(body, missing)

    return check


def checked_query(*names: str) -> Hook:
    """A hook refusing each query parameter of ``names`` (a moment) whose value is not
    ISO 8601 text."""

    async def check(request: Request[Any, Any, Any]) -> None:
        found = [
            (name, value)
            for name in names
            for value in request.query_params.getall(name, [])
            if not is_moment(value)
        ]
        if found:
            raise not_moments(found, "query")

    return check


def json_media_type(request: Request[Any, Any, Any]) -> None:
    """Refuse (415) a request whose body is not sent as JSON: ``application/json`` or a
    ``+json`` type (RFC 6839), parameters (a charset) allowed. A request without a body
    is left to the handler's reading."""
    headers = request.headers
    if headers.get("content-length", "0").strip() == "0" and "transfer-encoding" not in headers:
        return
    sent = headers.get("content-type")
    if _JSON.fullmatch((sent or "").split(";", 1)[0].strip().lower()):
        return
    received = "no Content-Type" if sent is None else f"Content-Type {sent[:80]!r}"
    raise Problem(
        415,
        "unsupported-media-type",
        "Unsupported media type",
        f"the body was sent with {received}; send it as application/json "
        "(or another JSON type, such as application/merge-patch+json)",
        headers={"Accept": "application/json"},
    )


_LEFT_OUT = object()
"""The value :func:`members` gives a required field the JSON object does not hold."""


def members(cls: type, value: object, at: str = "") -> Iterator[tuple[str, Any, object]]:
    """Each member of the JSON object ``value`` read as the attrs class ``cls``: its path
    (``schedule.cadense``, ``ratings[0].scor``), the type ``cls`` gives it (None when
    ``cls`` has no such field) and its value; each required field it lacks, with the
    value ``_LEFT_OUT``; and so on into the members of the attrs classes among the
    fields' types."""
    if not isinstance(value, dict):
        return
    hints = _hints(cls)
    for name in _required(cls):
        if name not in value:
            yield f"{at}{name}", hints[name], _LEFT_OUT
    for key, item in value.items():
        hint = hints.get(key)
        yield f"{at}{key}", hint, item
        for inner in () if hint is None else _attrs_classes(hint):
            if isinstance(item, list):
                for i, element in enumerate(item):
                    yield from members(inner, element, f"{at}{key}[{i}].")
            else:
                yield from members(inner, item, f"{at}{key}.")


def is_moment(value: object) -> bool:
    """``value`` is a moment as the API takes one: RFC 3339 text (ISO 8601), which
    msgspec's strict mode reads, and never a number."""
    if not isinstance(value, str):
        return False
    try:
        msgspec.convert(value, datetime, strict=True)
    except msgspec.ValidationError:
        return False
    return True


def not_moments(found: list[tuple[str, object]], source: str) -> Problem:
    """400: each of ``found`` (where, what was given) should have been a moment."""
    said = [
        f"{where} is a moment, ISO 8601 with an offset such as {MOMENT_EXAMPLE}, not {shown(value)}"
        for where, value in found
    ]
    return _unreadable(
        "; ".join(said), [(m, where) for m, (where, _) in zip(said, found, strict=True)], source
    )


QUERY_NAMES = "query_names"
"""The key, in the app's state, of each operation's query parameters: a dict from the path
template and method to the names the OpenAPI document gives it (:func:`query_names`)."""


def query_names(document: OpenAPI) -> dict[tuple[str, str], tuple[str, ...]]:
    """Each operation of ``document`` (its path template, its method in capitals) and the
    names of the query parameters it takes, in the document's order."""
    return {
        (path, method.upper()): tuple(
            p.name
            for p in operation.parameters or ()
            if isinstance(p, Parameter) and p.param_in == "query"
        )
        for path, item in (document.paths or {}).items()
        for method in ("get", "head", "post", "put", "patch", "delete")
        if (operation := getattr(item, method, None)) is not None
    }


def query_as_documented(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """The guard refusing (400) a query parameter the request does not take (one the
    OpenAPI document does not give its operation: a misspelt ``asof`` would be dropped
    and the report given as of today) or one given more than once (each of this API's
    takes one value, and Litestar would take the last without a word)."""
    given = Counter(name for name, _ in connection.query_params.multi_items())
    scope = cast("HTTPScope", connection.scope)  # the API takes no websocket
    operation = (scope["path_template"], scope["method"])
    takes = connection.app.state[QUERY_NAMES].get(operation, ())
    unknown = [name for name in given if name not in takes]
    if unknown:
        raise _unreadable(
            f"{connection.url.path} takes no query parameter "
            f"{', '.join(map(repr, unknown))}; it takes "
            f"{', '.join(map(repr, takes)) if takes else 'none'}",
            [(f"unknown query parameter {name!r}", name) for name in unknown],
            "query",
        )
    repeated = [(name, times) for name, times in given.items() if times > 1]
    if repeated:
        raise _unreadable(
            "; ".join(f"the query parameter {name!r} is given {n} times" for name, n in repeated)
            + ": each takes one value",
            [(f"given {n} times: give it once", name) for name, n in repeated],
            "query",
        )


@contextlib.contextmanager
def named_as_queried(names: Mapping[str, str]) -> Iterator[None]:
    """Within it, a value the core refuses (422) under the name of its argument (a
    report's ``start``, ``end`` or ``period``, a mentee's ``mentee_id``) is named as the
    request's query names it (``from``, ``to``, ``from/to``, ``mentee``): ``names``."""
    try:
        yield
    except InvalidValue as error:
        if error.field not in names:
            raise
        raise InvalidValue(names[error.field], error.value, error.expected) from None


def _not_a_moment(hint: Any, value: object) -> bool:
    """Whether ``hint`` is a moment (``datetime``, or a union holding it) and ``value``
    is neither null nor a moment."""
    takes_moment = hint is datetime or (
        typing.get_origin(hint) in (typing.Union, types.UnionType)
        and datetime in typing.get_args(hint)
    )
    return takes_moment and value is not None and not is_moment(value)


def _mistyped(hint: Any, value: object) -> str:
    """Why ``value`` is not of the type ``hint`` as msgspec's strict mode reads JSON (a
    string for a number, a number for a boolean...), or "" when it is. Litestar reads a
    body in lax mode, where ``"60"`` is 60 and ``"true"`` or ``1`` is true. A type holding
    attrs classes is left to their own members."""
    if _attrs_classes(hint):
        return ""
    try:
        msgspec.convert(value, hint, strict=True)
    except msgspec.ValidationError as error:
        return str(error)
    return ""


def _read_alike(text: bytes) -> None:
    """Refuse (400) a body naming a member twice in one object (Litestar, as msgspec,
    reads the last, a gateway or a log before the API may read the first), or holding a
    number readers take differently or not at all (``NaN``, ``1e400``, an integer of
    5,000 digits: msgspec refuses it, naming no member), naming where. What is not JSON
    at all is left to the handler's reading."""
    try:
        read_json(text)
    except NamedTwice as twice:
        raise _body_problem(
            f"the body names {twice.path!r} twice in one JSON object, which readers take "
            "differently: name each member once",
            [("named twice in one JSON object: name it once", twice.path)],
        ) from None
    except UnreadableNumber as number:
        raise _body_problem(f"in the body, {number}", [(number.why, number.path)]) from None
    except (ValueError, RecursionError):
        return


def _wrong_types(mistyped: list[tuple[str, str]]) -> Problem:
    return _body_problem(
        "; ".join(f"{where}: {why}" for where, why in mistyped),
        [(why, where) for where, why in mistyped],
    )


def _unknown_fields(body: type, unknown: list[str]) -> Problem:
    return _body_problem(
        f"{body.__name__} has no field {', '.join(map(repr, unknown))}; its "
        f"fields: {', '.join(f.name for f in attrs.fields(body))}",
        [(f"unknown field {name!r}", name) for name in unknown],
    )


def _missing_fields(body: type, missing: list[str]) -> Problem:
    return _body_problem(
        f"{body.__name__} needs the field(s) {', '.join(map(repr, missing))}, left out",
        [(f"missing required field {name!r}", name) for name in missing],
    )


def _body_problem(detail: str, errors: list[tuple[str, str]]) -> Problem:
    """400: the body cannot be read, for ``detail``; ``errors``: each (message, where)."""
    return _unreadable(detail, errors, "body")


def _unreadable(detail: str, errors: list[tuple[str, str]], source: str) -> Problem:
    """400: the request cannot be read, for ``detail``; ``errors``: each (message, where)
    in the request's ``source`` (``body``, ``query``...)."""
    return Problem(
        400,
        "malformed-request",
        "The request cannot be read",
        detail,
        errors=tuple({"message": m, "key": where, "source": source} for m, where in errors),
    )


@functools.cache
def _required(cls: type) -> tuple[str, ...]:
    """The fields of the attrs class ``cls`` without a default: a body must hold them."""
    return tuple(f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """The attrs fields of ``cls`` and their types, resolved."""
    types_ = typing.get_type_hints(cls)
    return {f.name: types_[f.name] for f in attrs.fields(cls)}


def _attrs_classes(annotation: Any) -> tuple[type, ...]:
    """The attrs classes a field's type holds: itself, or in a union, tuple or sequence."""
    if isinstance(annotation, type) and attrs.has(annotation):
        return (annotation,)
    return tuple(c for arg in typing.get_args(annotation) for c in _attrs_classes(arg))
