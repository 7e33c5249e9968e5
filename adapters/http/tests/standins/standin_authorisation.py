"""TEMPORARY stand-in for mentoring_core.authorisation (the agreed interface, simple rules)."""

from __future__ import annotations

import enum
from typing import Any

import attrs

from mentoring_core import commands as c


class Role(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    AUDITOR = "auditor"
    COORDINATOR = "coordinator"
    MENTOR = "mentor"
    MENTEE = "mentee"


@attrs.frozen(kw_only=True)
class Principal:
    subject: str
    roles: frozenset[Role] = frozenset()


class Read(enum.StrEnum):
    PROGRAMMES = "list programmes"
    PROGRAMME = "read a programme"
    RELATIONSHIPS = "list a programme's relationships"
    RELATIONSHIP = "read a relationship"
    REPORT = "compliance report"
    AUDIT = "audit verify and digest"
    FEED = "event feed"


@attrs.frozen
class Allowed:
    def __bool__(self) -> bool:
        return True


@attrs.frozen(kw_only=True)
class Refused:
    reason: str
    conceal: bool

    def __bool__(self) -> bool:
        return False


def roles_of(
    principal: Principal, *, programme: Any = None, relationship: Any = None
) -> frozenset[Role]:
    roles = set(principal.roles)
    if programme is not None and principal.subject in getattr(programme, "coordinators", ()):
        roles.add(Role.COORDINATOR)
    if relationship is not None:
        if relationship.mentor_id == principal.subject:
            roles.add(Role.MENTOR)
        if relationship.mentee_id == principal.subject:
            roles.add(Role.MENTEE)
    return frozenset(roles)


def may(
    principal: Principal, action: Any, *, programme: Any = None, relationship: Any = None
) -> Any:
    roles = roles_of(principal, programme=programme, relationship=relationship)
    if Role.ADMINISTRATOR in roles:
        return Allowed()
    if isinstance(action, Read):
        if Role.AUDITOR in roles or action is Read.PROGRAMMES:
            return Allowed()
        if relationship is not None and roles & {Role.MENTOR, Role.MENTEE}:
            return Allowed()
        return Refused(reason=f"{principal.subject} may not {action}", conceal=True)
    if relationship is not None and roles & {Role.MENTOR, Role.MENTEE}:
        if action in (c.EndRelationship,):
            return Refused(reason="only a coordinator ends", conceal=False)
        return Allowed()
    conceal = relationship is not None and Role.AUDITOR not in roles
    return Refused(reason=f"{principal.subject} may not {action.__name__}", conceal=conceal)


def redact(principal: Principal, relationship: Any, *, programme: Any = None) -> Any:
    return relationship


def may_read_event(
    principal: Principal, event: Any, *, programme: Any = None, relationship: Any = None
) -> bool:
    return True


def permission_table() -> str:
    return ""


Action = type[c.Command] | Read
