"""``mentoring token``: a key pair and access tokens for development and the demo only.

In production the organisation's identity provider issues the tokens and the HTTP API
trusts its published keys (``docs/http-tokens.md``); these commands stand in for it
on a developer's machine, and say so on stderr every time.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from mentoring_http.token_profile import (
    MAX_LIFETIME_SECONDS,
    PRIVATE_KEY_FILE,
    PUBLIC_KEYS_FILE,
    TOKEN_ROLES,
    subject_problem,
)

from .._files import check_source, check_target
from .._options import JsonOpt, number_option
from .._parsing import WholeNumber, parse_name
from .._session import Output, kept_files

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(no_args_is_help=True)

WARNING = (
    "warning: for development and the demo only, NOT for production. In production the "
    "organisation's identity provider issues the tokens and the API trusts its JWKS."
)


def _warn() -> None:
    sys.stderr.write(WARNING + "\n")


def _token_role(text: str) -> str:
    return parse_name(
        TOKEN_ROLES,
        text,
        f"{', '.join(TOKEN_ROLES)} (a coordinator, mentor or mentee is one because the "
        "records say so, not because of a token)",
    )


@app.command("keygen")
def keygen(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="DIR",
            help=f"The folder to write {PRIVATE_KEY_FILE} (the private key) and "
            f"{PUBLIC_KEYS_FILE} (the JWKS the API trusts) in; created if needed.",
        ),
    ],
    json_output: JsonOpt = False,
) -> None:
    """Write a new Ed25519 signing key pair for development tokens (readable by you only).

    No file is ever replaced.
    """
    from mentoring_http.tokens import generate_key_pair  # joserfc: only when used

    _warn()
    if out.exists():
        for name in (PRIVATE_KEY_FILE, PUBLIC_KEYS_FILE):
            check_target(out / name, "--out", keep=kept_files(ctx), replace=False)
    try:
        private, public = generate_key_pair(out)
    except OSError as error:
        message = f"cannot write the keys in {out}: {error.strerror or error}"
        raise typer.BadParameter(message, param_hint="'--out'") from None

    def show(console: Console) -> None:
        console.print(f"Wrote the private key {private} and the JWKS {public}.", markup=False)

    Output(json_output).emit(
        lambda: {"private_key": str(private), "jwks": str(public), "warning": WARNING}, show
    )


_KeyOpt = Annotated[
    Path,
    typer.Option("--key", metavar="FILE", dir_okay=False, help="The private JWK ('token keygen')."),
]
_SubOpt = Annotated[
    str, typer.Option("--sub", metavar="ID", help="Who the token speaks for: the actor.")
]
_IssuerOpt = Annotated[
    str, typer.Option("--issuer", metavar="URL", help="The iss the API is configured with.")
]
_AudienceOpt = Annotated[
    str, typer.Option("--audience", metavar="AUD", help="The aud the API is configured with.")
]
_RoleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--role",
        metavar="ROLE",
        parser=_token_role,
        help="administrator or auditor; repeat for both.",
        show_default=False,
    ),
]
_LifetimeOpt = Annotated[
    int,
    number_option(
        "--lifetime",
        WholeNumber(1, MAX_LIFETIME_SECONDS),
        "SECONDS",
        "How long the token is valid.",
    ),
]


def _check_claims(subject: str, issuer: str, audience: str) -> None:
    problem = subject_problem(subject)
    if problem is not None:
        raise typer.BadParameter(f"{subject!r} {problem}", param_hint="'--sub'")
    for option, value in (("--issuer", issuer), ("--audience", audience)):
        if not value.strip():
            raise typer.BadParameter("must not be empty", param_hint=f"'{option}'")


@app.command("issue")
def issue(
    key: _KeyOpt,
    subject: _SubOpt,
    issuer: _IssuerOpt,
    audience: _AudienceOpt,
    roles: _RoleOpt = None,
    lifetime: _LifetimeOpt = 3600,
    json_output: JsonOpt = False,
) -> None:
    """Print a signed access token (RFC 9068) for the HTTP API's Authorization header."""
    from mentoring_http.tokens import issue_token  # joserfc: only when used

    _warn()
    _check_claims(subject, issuer, audience)
    check_source(key, "--key")
    now = datetime.now(UTC)
    try:
        token = issue_token(
            key,
            subject=subject,
            roles=roles or [],
            issuer=issuer,
            audience=audience,
            lifetime_seconds=lifetime,
            now=now,
        )
    except OSError as error:
        message = f"cannot read {key}: {error.strerror or error}"
        raise typer.BadParameter(message, param_hint="'--key'") from None
    except ValueError as error:  # the rest is checked above: the key is not one to sign with
        raise typer.BadParameter(str(error), param_hint="'--key'") from None
    expires = (now + timedelta(seconds=lifetime)).replace(microsecond=0)
    Output(json_output).emit(
        lambda: {
            "token": token,
            "subject": subject,
            "roles": sorted(set(roles or [])),
            "expires_at": expires.isoformat(),
            "warning": WARNING,
        },
        lambda console: console.out(token, highlight=False),
    )
