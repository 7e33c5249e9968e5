"""TEMPORARY stand-in (tokens branch only, reverted before merge): Role and Principal
as agreed in the authorisation interface, until the real module lands on main."""

from __future__ import annotations

import enum

import attrs


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
