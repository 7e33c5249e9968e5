"""Every command of the core as a resource: one table, one handler factory.

A request's body is the command itself (the class of :mod:`mentoring_core.commands`,
which Litestar reads and documents); the programme or relationship it is for comes from
the path. The handler loads that aggregate, asks the policy (the early answer), and calls
:meth:`MentoringService.execute` with the token's principal (its subject the actor), which
the core authorises again on the states it decides on, ``If-Match`` as the expected
version and ``Idempotency-Key`` as the command id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, cast
from uuid import UUID, uuid5

import attrs
from litestar import Request, Response, route
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, HeaderParameter, JSONBody

from mentoring_core import ConcurrencyConflict, InvalidValue, MentoringService, NotAllowed, NotFound
from mentoring_core import commands as c
from mentoring_core.authorisation import Principal

from ._access import Gate, refusal
from ._documents import RecordedDocument
from ._problems import Problem, conflict, problem_responses
from ._reading import checked_body

IDEMPOTENCY_NAMESPACE = UUID("6d1f5b0e-2f43-5c6b-9a55-1b7c0e6a4d21")
"""Command ids are ``uuid5(IDEMPOTENCY_NAMESPACE, subject + NUL + Idempotency-Key)``: one
person's key never collides with another's."""

_KEY = re.compile(r"[\x21-\x7e]{1,200}")
_ETAG = re.compile(r'"(\d{1,18})"')

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description='The ETag last read ("7"): refused with 412 if the resource has moved on.',
        required=False,
    ),
]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="Any 1 to 200 visible ASCII characters; repeating a request with the same "
        "key records nothing again and returns the first answer.",
        required=False,
    ),
]

COMMAND_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415, 422)


@attrs.frozen
class CommandRoute:
    """One command's resource: ``POST``/``PUT`` ``<aggregate path>/<path>``."""

    path: str
    command: type[c.Command]
    method: Literal["POST", "PUT"] = "POST"


PROGRAMME_COMMANDS = (
    CommandRoute("coordinators", c.AppointCoordinator),
    CommandRoute("relieved-coordinators", c.RelieveCoordinator),
    CommandRoute("policy", c.SetPolicy, "PUT"),
    CommandRoute("participants", c.EnrolParticipant),
    CommandRoute("profiles", c.UpdateProfile),
    CommandRoute("withdrawals", c.WithdrawParticipant),
    CommandRoute("relationships", c.OpenRelationship),
    CommandRoute("group-sessions", c.RecordGroupSession),
    CommandRoute("group-session-corrections", c.CorrectGroupSession),
    CommandRoute("mentor-recognitions", c.RecogniseMentor),
)
"""Under ``/programmes/{programme_id}/``."""

RELATIONSHIP_COMMANDS = (
    CommandRoute("acceptance", c.AcceptPairing),
    CommandRoute("declining", c.DeclinePairing),
    CommandRoute("expectations", c.AgreeExpectations, "PUT"),
    CommandRoute("goals", c.SetGoal),
    CommandRoute("goal-revisions", c.ReviseGoal),
    CommandRoute("achieved-goals", c.AchieveGoal),
    CommandRoute("abandoned-goals", c.AbandonGoal),
    CommandRoute("plan", c.AddPlanActivity),
    CommandRoute("completed-activities", c.CompletePlanActivity),
    CommandRoute("milestones", c.SetMilestone),
    CommandRoute("reached-milestones", c.ReachMilestone),
    CommandRoute("schedule", c.AgreeSchedule, "PUT"),
    CommandRoute("schedule-changes", c.ChangeSchedule),
    CommandRoute("meetings", c.RecordMeetingHeld),
    CommandRoute("missed-meetings", c.RecordMeetingMissed),
    CommandRoute("cancelled-meetings", c.RecordMeetingCancelled),
    CommandRoute("meeting-corrections", c.CorrectMeetingRecord),
    CommandRoute("feedback", c.GiveFeedback),
    CommandRoute("reflections", c.RecordReflection),
    CommandRoute("evaluations", c.EvaluateProgress),
    CommandRoute("pause", c.PauseRelationship),
    CommandRoute("resumption", c.ResumeRelationship),
    CommandRoute("ending", c.EndRelationship),
)
"""Under ``/relationships/{relationship_id}/``."""


COMMAND_NAMES = frozenset(
    s.command.__name__ for s in (*PROGRAMME_COMMANDS, *RELATIONSHIP_COMMANDS)
) | {c.CreateProgramme.__name__}
"""The commands' names: their body schemas' names in the OpenAPI document."""


def command_id(principal: Principal, key: str | None, target: str) -> UUID | None:
    """The command id an ``Idempotency-Key`` stands for (None without one): of the
    subject, the key and the ``target`` (the request's method and path), so that a key
    names one request to one resource; the same key sent elsewhere is another command."""
    if key is None:
        return None
    if not _KEY.fullmatch(key):
        raise malformed_header(
            "Idempotency-Key",
            f"Idempotency-Key {key[:40]!r} is not 1 to 200 visible ASCII characters",
        )
    return uuid5(IDEMPOTENCY_NAMESPACE, f"{principal.subject}\x00{target}\x00{key}")


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` names: ``"7"`` -> 7; ``*`` or none -> None."""
    if if_match is None or if_match.strip() == "*":
        return None
    found = _ETAG.fullmatch(if_match.strip())
    if found is None:
        raise malformed_header(
            "If-Match", f'If-Match {if_match[:40]!r} is not one ETag of this API, such as "7"'
        )
    return int(found.group(1))


def no_if_match(if_match: str | None, on: str) -> None:
    """Refuse an ``If-Match`` sent ``on`` what has no version to match (``"a creation: a
    new programme"``, ``"an erasure: a person's data"``), whatever it says (``*`` too;
    docs/http.md, "Versions"): ignoring it would do what the client made conditional."""
    if if_match is None:
        return
    message = f"If-Match is not taken on {on} has no version to match"
    raise malformed_header("If-Match", message, advice="send the request without it")


def malformed_header(header: str, message: str, *, advice: str = "") -> Problem:
    """400: the request header ``header`` cannot be taken, for ``message``; ``errors``
    names it (``source: header``), as docs/http.md's 400 row says."""
    return Problem(
        400,
        "malformed-request",
        "The request cannot be read",
        f"{message}; {advice}" if advice else message,
        errors=({"message": message, "key": header, "source": "header"},),
    )


def named_relationships(command: c.Command) -> tuple[UUID, ...]:
    """The relationships a programme's command names in its body (a group session's,
    or its correction's): each must be one the caller may read, or is answered as an
    id never recorded (:meth:`Gate.readable`)."""
    if isinstance(command, c.RecordGroupSession | c.CorrectGroupSession):
        return command.relationship_ids
    return ()


def aimed(command: c.Command, field: str, aggregate_id: UUID) -> c.Command:
    """``command`` for the aggregate the path names (a body naming another is refused)."""
    given = getattr(command, field)
    if given is not None and given != aggregate_id:
        raise InvalidValue(field, given, f"the id the path names, {aggregate_id}, or nothing")
    changes: dict[str, Any] = {field: aggregate_id}
    return attrs.evolve(command, **changes)


def execute(
    service: MentoringService,
    principal: Principal,
    command: c.Command,
    *,
    if_match: str | None,
    idempotency_key: str | None,
    target: str,
    hidden: str = "",
) -> Response[RecordedDocument]:
    """Record ``command`` as the principal, if the policy allows them on the states it is
    decided on (else 403, or 404 saying ``hidden`` when the refusal conceals); the answer
    carries the new version as ETag. ``target``: the request's method and path, which
    scope its ``Idempotency-Key``."""
    expected = expected_version(if_match)
    try:
        recorded = service.execute(
            command,
            actor=principal.subject,
            expected_version=expected,
            command_id=command_id(principal, idempotency_key, target),
            principal=principal,
        )
    except ConcurrencyConflict as error:
        raise conflict(error, conditional=expected is not None) from None
    except NotAllowed as refused:
        raise refusal(refused.reason, conceal=refused.conceal, hidden=hidden) from None
    headers = {"ETag": f'"{recorded.version}"'}
    if recorded.already_recorded:
        headers["Idempotent-Replayed"] = "true"
    if isinstance(command, c.CreateProgramme):
        headers["Location"] = f"/programmes/{recorded.id}"
    elif isinstance(command, c.OpenRelationship):
        headers["Location"] = f"/relationships/{recorded.id}"
    return Response(
        RecordedDocument.of(recorded),
        status_code=_status(type(command)),
        headers=headers,
    )


def _status(command: type[c.Command]) -> int:
    return 200 if c.created_field(command) is None else 201


def _operation(
    command: type[c.Command],
    handler: Callable[..., Any],
    path: str,
    method: Literal["POST", "PUT"],
) -> HTTPRouteHandler:
    handler.__annotations__ = {**handler.__annotations__, "data": cast(Any, JSONBody)[command]}
    doc = (command.__doc__ or "").strip()
    generated = doc.startswith(command.__name__ + "(")  # attrs' signature, not a description
    return route(
        path,
        before_request=checked_body(command),
        http_method=method,
        sync_to_thread=True,
        status_code=_status(command),
        operation_id=command.__name__,
        summary=re.sub(r"(?<!^)(?=[A-Z])", " ", command.__name__).capitalize(),
        description=None if generated else doc,
        responses=problem_responses(*COMMAND_ERRORS),
        tags=["programmes" if path.startswith("/programmes") else "relationships"],
    )(handler)


def _programme_command(spec: CommandRoute) -> HTTPRouteHandler:
    def handler(
        principal: NamedDependency[Principal],
        gate: NamedDependency[Gate],
        programme_id: FromPath[UUID],
        data: JSONBody[Any],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[RecordedDocument]:
        command = aimed(data, "programme_id", programme_id)
        gate.programme(principal, programme_id, command)
        gate.readable(principal, named_relationships(command))
        return execute(
            gate.service,
            principal,
            command,
            if_match=if_match,
            idempotency_key=idempotency_key,
            target=f"{spec.method} /programmes/{programme_id}/{spec.path}",
            hidden=str(NotFound("programme", programme_id)),
        )

    path = "/programmes/{programme_id:uuid}/" + spec.path
    return _operation(spec.command, handler, path, spec.method)


def _relationship_command(spec: CommandRoute) -> HTTPRouteHandler:
    def handler(
        principal: NamedDependency[Principal],
        gate: NamedDependency[Gate],
        relationship_id: FromPath[UUID],
        data: JSONBody[Any],
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[RecordedDocument]:
        command = aimed(data, "relationship_id", relationship_id)
        gate.relationship(principal, relationship_id, command)
        return execute(
            gate.service,
            principal,
            command,
            if_match=if_match,
            idempotency_key=idempotency_key,
            target=f"{spec.method} /relationships/{relationship_id}/{spec.path}",
            hidden=str(NotFound("relationship", relationship_id)),
        )

    path = "/relationships/{relationship_id:uuid}/" + spec.path
    return _operation(spec.command, handler, path, spec.method)


def _create_programme() -> HTTPRouteHandler:
    def handler(
        principal: NamedDependency[Principal],
        gate: NamedDependency[Gate],
        request: Request[Any, Any, Any],
        data: JSONBody[Any],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[RecordedDocument]:
        gate.check(principal, data)
        no_if_match(request.headers.get("if-match"), "a creation: a new programme")
        return execute(
            gate.service,
            principal,
            data,
            if_match=None,
            idempotency_key=idempotency_key,
            target="POST /programmes",
        )

    return _operation(c.CreateProgramme, handler, "/programmes", "POST")


def command_handlers() -> list[HTTPRouteHandler]:
    """A route handler for every command."""
    return [
        _create_programme(),
        *(_programme_command(spec) for spec in PROGRAMME_COMMANDS),
        *(_relationship_command(spec) for spec in RELATIONSHIP_COMMANDS),
    ]
