"""Who is asking (the bearer token) and whether they may (the core's authorisation policy).

Every request that touches the records goes through here: :func:`authenticator` makes
the Litestar guard that turns the ``Authorization`` header into a
:class:`~mentoring_http.tokens.VerifiedToken` (401 otherwise) before anything else of
the request is read, and :func:`verified_token` and :func:`principal` the dependencies
that hand it (and its :class:`~mentoring_core.authorisation.Principal`) to the
handlers; :class:`Gate` loads the programme or relationship an action is on and asks
:func:`mentoring_core.authorisation.may`: a refusal is a 403 naming the rule, or a 404
indistinguishable from "no such thing" when the principal may not learn that it exists
(:func:`refusal`). For a command this is the early answer only: the core asks the policy
again on the states it decides on (``MentoringService.execute(..., principal=...)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from mentoring_core import MentoringService, NotFound
from mentoring_core.authorisation import Action, Principal, Read, Refused, may
from mentoring_core.state import ProgrammeState, RelationshipState
from mentoring_http.tokens import TokenError, TokenVerifier, VerifiedToken

from ._problems import Problem, forbidden, not_found, unauthenticated

_VERIFIED = "mentoring.verified_token"
"""Where the guard leaves the request's verified token, in its ASGI scope."""

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def authenticator(verifier: TokenVerifier) -> Guard:
    """The guard authenticating each request from its bearer token only, before its body
    or parameters are read (a request without a trusted token learns nothing of what
    they should have been: 401, whatever they are). ``OPTIONS``, which only lists a
    path's methods, needs no token."""

    def authenticate(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return
        header = connection.headers.get("authorization")
        try:
            verified = verifier.verify(header)
        except TokenError as error:
            raise unauthenticated(error.reason if bearer_sent(header) else None) from None
        cast(dict[str, Any], connection.scope)[_VERIFIED] = verified

    return authenticate


def bearer_sent(header: str | None) -> bool:
    """Whether the ``Authorization`` header carries credentials in the bearer scheme. A
    request without them (no header, a blank one, ``Bearer`` alone, another scheme such
    as ``Basic``) lacks authentication, and RFC 6750 (3.1) says its challenge carries
    no error code: ``error="invalid_token"`` is for a bearer token refused."""
    parts = (header or "").split(None, 1)
    return len(parts) == 2 and parts[0].lower() == "bearer"


def refusal(reason: str, *, conceal: bool, hidden: str) -> Problem:
    """The answer to a refusal of the policy: a 404 saying ``hidden`` (what an id never
    recorded is answered) when it conceals, else a 403 naming the rule."""
    return not_found(hidden) if conceal else forbidden(reason)


def verified_token(request: Request[Any, Any, Any]) -> VerifiedToken:
    """The dependency giving the request's token, as the guard verified it."""
    return cast(VerifiedToken, cast(dict[str, Any], request.scope)[_VERIFIED])


def principal(request: Request[Any, Any, Any]) -> Principal:
    """The dependency giving who sent the request: its verified token's subject and roles."""
    return verified_token(request).principal


class Gate:
    """Loads what an action is on and lets it through only if the policy allows it."""

    def __init__(self, service: MentoringService) -> None:
        self.service = service

    def check(
        self,
        principal: Principal,
        action: Action,
        *,
        programme: ProgrammeState | None = None,
        relationship: RelationshipState | None = None,
        hidden: str = "",
    ) -> None:
        """Raise a 403 problem (a 404 saying ``hidden`` when the refusal conceals) unless
        ``principal`` may do ``action``."""
        answer = may(principal, action, programme=programme, relationship=relationship)
        if isinstance(answer, Refused):
            raise refusal(answer.reason, conceal=answer.conceal, hidden=hidden)

    def programme(self, principal: Principal, programme_id: UUID, action: Action) -> ProgrammeState:
        """The programme, if ``principal`` may do ``action`` in it."""
        programme = self.service.programme(programme_id)
        self.check(
            principal, action, programme=programme, hidden=str(NotFound("programme", programme_id))
        )
        return programme

    def relationship(
        self, principal: Principal, relationship_id: UUID, action: Action
    ) -> tuple[ProgrammeState | None, RelationshipState]:
        """The relationship and its programme, if ``principal`` may do ``action`` on it."""
        relationship = self.service.relationship(relationship_id)
        programme = (
            None
            if relationship.programme_id is None
            else self.service.programme(relationship.programme_id)
        )
        self.check(
            principal,
            action,
            programme=programme,
            relationship=relationship,
            hidden=str(NotFound("relationship", relationship_id)),
        )
        return programme, relationship

    def readable(self, principal: Principal, relationship_ids: Iterable[UUID]) -> None:
        """Answer each relationship a command names (a group session's) that ``principal``
        may not read exactly as an id never recorded is answered (404), before the command
        is decided: its refusal would say who mentors the relationship, or in which
        programme it is."""
        for relationship_id in relationship_ids:
            self.relationship(principal, relationship_id, Read.RELATIONSHIP)
