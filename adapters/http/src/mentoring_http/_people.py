"""People's personal data: erasure and subject access, for administrators only.

``POST /people/{person_id}/erasure`` runs
:meth:`~mentoring_core.MentoringService.erase_person` as the token's subject (with
``Idempotency-Key`` as its command id, as for every command); ``GET
/people/{person_id}/personal-data`` answers the subject-access document of
:func:`~mentoring_core.privacy.access.subject_access`, as ``mentoring privacy
export-person`` writes it. Both ask the policy first (``Act.ERASE_PERSON``,
``Read.PERSONAL_DATA``): anyone else gets a 403 naming the rule.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import attrs
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from mentoring_core import ConcurrencyConflict
from mentoring_core.authorisation import Act, Principal, Read
from mentoring_core.privacy import Erasure, ErasureRule
from mentoring_core.privacy.access import subject_access

from ._access import Gate
from ._commands import IdempotencyKey, command_id, no_if_match
from ._problems import conflict, problem_responses
from ._reading import checked_body


@attrs.frozen(kw_only=True)
class ErasureRequest:
    """Why a person's personal data is erased, and under which rule."""

    reason: str
    """Why: a reference such as the request's number (kept: not itself personal data)."""
    rule: ErasureRule = ErasureRule.REQUEST
    """The person's request (the default) or the retention period."""


@attrs.frozen(kw_only=True)
class ErasureDocument:
    """What an erasure did (``mentoring privacy erase --json`` prints the same)."""

    person_id: str
    rule: ErasureRule
    recorded: tuple[UUID, ...]
    """The programmes on which ``PersonalDataErased`` was recorded."""
    key_destroyed: bool
    """False when the person had no live key here (erased before, or withheld by an import)."""
    unsealed: tuple[str, ...]
    """Fields about them stored in clear before sealing existed, which stay readable."""
    notes: tuple[str, ...]
    """What could not be made unrecoverable from the store's files."""
    complete: bool
    """No plaintext about them is left anywhere the library writes."""
    command_id: UUID | None
    already_recorded: bool
    """A repeat with the same Idempotency-Key: nothing was recorded again."""

    @classmethod
    def of(cls, erasure: Erasure, rule: ErasureRule) -> ErasureDocument:
        return cls(
            person_id=erasure.person_id,
            rule=rule,
            recorded=tuple(e.aggregate_id for e in erasure.recorded),
            key_destroyed=erasure.key_destroyed,
            unsealed=erasure.unsealed,
            notes=erasure.notes,
            complete=erasure.complete,
            command_id=erasure.command_id,
            already_recorded=erasure.already_recorded,
        )


@post(
    "/people/{person_id:str}/erasure",
    before_request=checked_body(ErasureRequest),
    sync_to_thread=True,
    status_code=200,
    operation_id="ErasePerson",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422),
    tags=["people"],
)
def erase_person(
    principal: NamedDependency[Principal],
    gate: NamedDependency[Gate],
    person_id: FromPath[str],
    data: JSONBody[ErasureRequest],
    request: Request[Any, Any, Any],
    idempotency_key: IdempotencyKey = None,
) -> Response[ErasureDocument]:
    """Erase a person's personal data (docs/privacy.md): recorded on every programme that
    names them, their key destroyed, so every text about them reads as "[erased]"; ids,
    dates and figures stay and the audit chain still verifies."""
    gate.check(principal, Act.ERASE_PERSON)
    no_if_match(request.headers.get("if-match"), "an erasure: a person's data")
    try:
        erasure = gate.service.erase_person(
            person_id,
            data.reason,
            actor=principal.subject,
            rule=data.rule,
            command_id=command_id(principal, idempotency_key, f"POST /people/{person_id}/erasure"),
        )
    except ConcurrencyConflict as error:
        raise conflict(error, conditional=False) from None
    headers = {"Idempotent-Replayed": "true"} if erasure.already_recorded else {}
    return Response(ErasureDocument.of(erasure, data.rule), headers=headers)


@get(
    "/people/{person_id:str}/personal-data",
    sync_to_thread=True,
    operation_id="SubjectAccess",
    responses=problem_responses(400, 401, 403, 404, 422),
    tags=["people"],
)
def personal_data(
    principal: NamedDependency[Principal], gate: NamedDependency[Gate], person_id: FromPath[str]
) -> dict[str, Any]:
    """Everything the store holds about one person, opened (a subject access request):
    the document ``mentoring privacy export-person`` writes (docs/privacy.md)."""
    gate.check(principal, Read.PERSONAL_DATA)
    return subject_access(gate.service, person_id, gate.service.now())


def people_handlers() -> list[HTTPRouteHandler]:
    """The route handlers for people's personal data."""
    return [erase_person, personal_data]
