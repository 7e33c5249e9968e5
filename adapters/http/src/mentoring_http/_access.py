"""Who is asking (the bearer token) and whether they may (the core's authorisation policy).

Every request that touches the records goes through here: :func:`authenticator` makes
the Litestar dependency that turns the ``Authorization`` header into a
:class:`~mentoring_core.authorisation.Principal` (401 otherwise); :class:`Gate` loads
the programme or relationship an action is on and asks
:func:`mentoring_core.authorisation.may`: a refusal is a 403 naming the rule, or a 404
indistinguishable from "no such thing" when the principal may not learn that it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from litestar import Request

from mentoring_core import MentoringService, NotFound
from mentoring_core.authorisation import Action, Principal, Refused, may
from mentoring_core.state import ProgrammeState, RelationshipState
from mentoring_http.tokens import TokenError, TokenVerifier

from ._problems import forbidden, not_found, unauthenticated


def authenticator(verifier: TokenVerifier) -> Callable[[Request[Any, Any, Any]], Principal]:
    """The dependency giving each request's principal, from its bearer token only."""

    def principal(request: Request[Any, Any, Any]) -> Principal:
        header = request.headers.get("authorization")
        try:
            return verifier.principal(header)
        except TokenError as error:
            raise unauthenticated(None if header is None else error.reason) from None

    return principal


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
        if not isinstance(answer, Refused):
            return
        if answer.conceal:
            raise not_found(hidden)
        raise forbidden(answer.reason)

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
