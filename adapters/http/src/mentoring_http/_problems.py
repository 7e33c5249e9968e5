"""Every error as an RFC 9457 problem details document, and never a stack trace.

A handler raises :class:`Problem` (or lets a core error rise); the exception handlers
registered by :func:`exception_handlers` turn each into an ``application/problem+json``
response: ``type``, ``title``, ``status``, ``detail``, plus what the client can act on
(the broken rule and its values, the field and what was expected, the versions).
Anything unexpected becomes a bare 500 problem: what went wrong is logged, not shown.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_to_bytes

import attrs
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import ParameterKwarg
from litestar.types import ExceptionHandlersMap, Send

from mentoring_core import (
    ConcurrencyConflict,
    InvalidValue,
    NotFound,
    RuleViolation,
    UnknownPerson,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:mentoring:problem:"
"""Problem types are URNs: ``urn:mentoring:problem:rule-violation`` (docs/http.md)."""

_log = logging.getLogger(__name__)


@attrs.frozen(kw_only=True)
class ProblemDocument:
    """An RFC 9457 problem details document (the members this API uses)."""

    type: str
    """What kind of problem: a URN of this API, ``urn:mentoring:problem:<slug>``."""
    title: str
    """The kind of problem, in words; the same for every problem of a type."""
    status: int
    """The HTTP status code."""
    detail: str
    """This occurrence, in words: the rule or field and the values involved."""
    rule: str | None = None
    """For ``rule-violation``: the domain rule broken (e.g. ``experience-gap``)."""
    values: str | None = None
    """For ``rule-violation``: the values involved, as the domain states them."""
    field: str | None = None
    """For ``invalid-value``: the field refused; ``expected``: what it must hold."""
    expected: str | None = None
    expected_version: int | None = None
    """For ``version-mismatch`` and ``conflict``: the version the request expected."""
    actual_version: int | None = None
    """The version the history is at now (None when unknown)."""
    errors: tuple[dict[str, Any], ...] | None = None
    """For ``malformed-request``: each part of the request that could not be read."""


class Problem(Exception):
    """An error answered with a problem document (raised by the handlers)."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.document = ProblemDocument(
            type=TYPE_PREFIX + slug, title=title, status=status, detail=detail, **extra
        )
        self.headers = dict(headers or {})


def unauthenticated(reason: str | None) -> Problem:
    """401: no bearer token (``reason`` None: the challenge has no error code, RFC 6750
    3.1), or one that cannot be trusted, for ``reason`` (``error="invalid_token"``)."""
    if reason is None:
        challenge = 'Bearer realm="mentoring"'
        detail = "this request needs a bearer token (Authorization: Bearer <token>)"
    else:
        described = _error_description(reason)
        challenge = (
            f'Bearer realm="mentoring", error="invalid_token", error_description="{described}"'
        )
        detail = f"the bearer token was refused: {reason}"
    return Problem(
        401,
        "unauthenticated",
        "Authentication needed",
        detail,
        headers={"WWW-Authenticate": challenge},
    )


def _error_description(reason: str) -> str:
    """``reason`` as RFC 6750 (section 3) lets an ``error_description`` say it: printable
    ASCII without a quote or a backslash. A reason may repeat what the token says (a
    member its header names twice), which anyone sending one chooses: a euro sign cannot
    be sent in a header at all. A quote becomes an apostrophe, any other character
    outside the set a question mark; the problem's detail says the reason whole."""
    return "".join(
        c if " " <= c <= "~" and c not in '"\\' else "'" if c == '"' else "?" for c in reason
    )


def forbidden(reason: str) -> Problem:
    return Problem(403, "forbidden", "Not allowed", reason)


def not_found(detail: str) -> Problem:
    return Problem(404, "not-found", "Not found", detail)


def _body(problem: Problem) -> dict[str, Any]:
    return {k: v for k, v in attrs.asdict(problem.document).items() if v is not None}


def _response(problem: Problem) -> Response[Any]:
    return Response(
        _body(problem),
        status_code=problem.document.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=problem.headers,
    )


_ESCAPES = re.compile(rb"(?:%[0-9A-Fa-f]{2})+")


def bad_path(raw_path: bytes) -> Problem | None:
    """400 for a path whose percent-escapes are not UTF-8 (RFC 3986, 2.5), naming the
    first; None for any other. The server reads such an escape (``%ff``) as U+FFFD, the
    replacement character, so two paths would name one person or programme."""
    for run in _ESCAPES.finditer(raw_path):
        try:
            unquote_to_bytes(run.group()).decode("utf-8")
        except UnicodeDecodeError as error:  # each byte of a run is spelt in 3 characters
            escape = run.group()[3 * error.start : 3 * error.end].decode("ascii")
            return Problem(
                400,
                "bad-path",
                "Not a path of this API",
                f"the path's escape {escape!r} is not UTF-8: a path is percent-encoded "
                "UTF-8 (RFC 3986, 2.5); escape each byte of the text's UTF-8 encoding",
            )
    return None


async def send_problem(problem: Problem, send: Send) -> None:
    """``problem`` answered straight to the ASGI server, before any route is found."""
    body = json.dumps(_body(problem), separators=(",", ":")).encode()  # as Litestar writes it
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send(
        {"type": "http.response.start", "status": problem.document.status, "headers": headers}
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _from_problem(_: Request[Any, Any, Any], error: Problem) -> Response[Any]:
    return _response(error)


def _from_invalid_value(_: Request[Any, Any, Any], error: InvalidValue) -> Response[Any]:
    return _response(
        Problem(
            422,
            "invalid-value",
            "Invalid value",
            str(error),
            field=error.field,
            expected=error.expected,
        )
    )


def _from_rule_violation(_: Request[Any, Any, Any], error: RuleViolation) -> Response[Any]:
    return _response(
        Problem(
            409,
            "rule-violation",
            "A rule of the domain forbids this",
            str(error),
            rule=str(error.rule),
            values=error.detail,
        )
    )


def _from_not_found(_: Request[Any, Any, Any], error: NotFound | UnknownPerson) -> Response[Any]:
    return _response(not_found(str(error)))


def _from_conflict(_: Request[Any, Any, Any], error: ConcurrencyConflict) -> Response[Any]:
    return _response(conflict(error, conditional=False))


def conflict(error: ConcurrencyConflict, *, conditional: bool) -> Problem:
    """409, or 412 when the request's If-Match named the version that is no longer current.
    A conflict on another resource the decision read (a withdrawal reads the programme's
    relationships) is a 409 whatever If-Match said, without versions: they are not the
    requested resource's, and the detail names the one that moved on."""
    if error.read:
        return Problem(409, "conflict", "Another request changed the resource first", str(error))
    if conditional:
        return Problem(
            412,
            "version-mismatch",
            "The resource changed",
            f"If-Match named version {error.expected_version}; {error}",
            expected_version=error.expected_version,
            actual_version=error.actual_version,
        )
    return Problem(
        409,
        "conflict",
        "Another request changed the resource first",
        str(error),
        expected_version=error.expected_version,
        actual_version=error.actual_version,
    )


def _from_http(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    if isinstance(error, ValidationException):
        return _response(
            Problem(
                400,
                "malformed-request",
                "The request cannot be read",
                str(error.detail),
                errors=_unread(request, error),
            )
        )
    if isinstance(error, NotAuthorizedException):
        return _response(unauthenticated(None))
    if status >= 500:
        return _internal(error)
    slug = {
        400: "malformed-request",
        404: "not-found",
        405: "method-not-allowed",
        413: "request-too-large",
    }.get(status, "http-error")
    title = _TITLES.get(slug) or _phrase(status)
    problem = Problem(status, slug, title, str(error.detail))
    problem.headers.update(error.headers or {})
    return _response(problem)


def _unread(
    request: Request[Any, Any, Any], error: ValidationException
) -> tuple[dict[str, str], ...]:
    """Each part of the request Litestar could not read (``errors``), named as the client
    sends it and as this API's own refusals name it: a parameter by its name in the
    request (``from``, where the handler's is ``start``), its source ``query``, ``path``
    or ``header`` (Litestar says ``ParamType.QUERY``); and a required parameter left
    out, which Litestar names in its detail only."""
    extra = error.extra if isinstance(error.extra, list) else []
    found = [item for item in extra if isinstance(item, dict)]
    cause = error.__cause__
    if not found and isinstance(cause, KeyError) and cause.args:  # Litestar: "Missing required"
        found = [{"key": str(cause.args[0])}]
    named = _parameters(request)
    return tuple(_as_sent(item, named) for item in found)


def _parameters(request: Request[Any, Any, Any]) -> dict[str, tuple[str, str]]:
    """The handler's parameters, by its name and by their name in the request: for each,
    that name and where in the request it is (``query``...)."""
    signature = getattr(request.scope.get("route_handler"), "parsed_fn_signature", None)
    named: dict[str, tuple[str, str]] = {}
    for name, field in getattr(signature, "parameters", {}).items():
        if isinstance(kwarg := field.kwarg_definition, ParameterKwarg):
            sent = (kwarg.name or name, kwarg.param_type.value)
            named[name] = named[sent[0]] = sent
    return named


def _as_sent(item: dict[str, Any], named: dict[str, tuple[str, str]]) -> dict[str, str]:
    key, source = str(item.get("key", "")), item.get("source")
    if source != "body":
        key, source = named.get(key, (key, getattr(source, "value", source)))
    message = item.get("message") or f"Missing required {source} parameter {key!r}"
    shown = {"message": message, "key": key, "source": source}
    return {k: str(v) for k, v in shown.items() if v}


_TITLES = {"malformed-request": "The request cannot be read", "not-found": "Not found"}
"""The titles of the types this API's own problems have too (one title per type)."""


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _internal(error: Exception) -> Response[Any]:
    _log.error("internal error answering a request", exc_info=error)
    return _response(
        Problem(
            500,
            "internal-error",
            "Internal error",
            "the server could not answer this request; the error was logged",
        )
    )


def _from_overflow(_: Request[Any, Any, Any], error: OverflowError) -> Response[Any]:
    """A number or a moment beyond what Python or the store holds (0001-01-01T00:00+14:00
    is before the first moment in UTC): a value the client can change."""
    return _response(
        Problem(
            422,
            "out-of-range",
            "A value is out of range",
            f"a value given is out of range: {error}",
        )
    )


def _from_recursion(_: Request[Any, Any, Any], error: RecursionError) -> Response[Any]:
    """A body nested deeper than the JSON decoder goes (``[[[[...]]]]`` within the size
    limit): the request cannot be read."""
    return _response(
        Problem(
            400,
            "malformed-request",
            "The request cannot be read",
            "the request body is nested too deeply to be read",
        )
    )


def _from_anything(_: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    return _internal(error)


def exception_handlers() -> ExceptionHandlersMap:
    """The handlers for Litestar's ``exception_handlers``: every error is a problem document."""
    return {
        Problem: _from_problem,
        InvalidValue: _from_invalid_value,
        RuleViolation: _from_rule_violation,
        NotFound: _from_not_found,
        UnknownPerson: _from_not_found,
        ConcurrencyConflict: _from_conflict,
        HTTPException: _from_http,
        OverflowError: _from_overflow,
        RecursionError: _from_recursion,
        Exception: _from_anything,
    }


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI: each status answered with a problem document."""
    return {
        status: ResponseSpec(
            data_container=ProblemDocument,
            media_type=PROBLEM_MEDIA_TYPE,
            description=_phrase(status),
            generate_examples=False,
        )
        for status in statuses
    }
