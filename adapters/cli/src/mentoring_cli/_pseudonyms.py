"""A warning when a person id looks like it identifies someone by itself.

Person ids are kept through erasure (docs/privacy.md): they must be opaque codes, not
e-mail addresses or names, which would survive every erasure in clear.
"""

from __future__ import annotations

import re

import typer

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def identifying(person_id: str) -> str | None:
    """What ``person_id`` looks like, if it looks like it names someone; else None."""
    if _EMAIL.fullmatch(person_id.strip()):
        return "an e-mail address"
    if len(person_id.split()) > 1:
        return "a name (it has spaces)"
    return None


def warn_if_identifying(person_id: str) -> None:
    """Print a warning to stderr when ``person_id`` looks like it names someone."""
    looks = identifying(person_id)
    if looks is not None:
        typer.echo(
            f"warning: person id {person_id!r} looks like {looks}; person ids are kept when "
            "personal data is erased, so use opaque codes (staff numbers), not names or "
            "e-mail addresses (see docs/privacy.md)",
            err=True,
        )
