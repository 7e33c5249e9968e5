"""``mentoring serve``: the HTTP API (the distribution mentoring-http) on this store."""

from __future__ import annotations

import socket
from contextlib import suppress
from typing import Annotated

import typer

from mentoring_core import redact

from .._options import number_option
from .._parsing import WholeNumber
from .._session import Interrupted, Refused, open_service


def serve(
    ctx: typer.Context,
    jwks: Annotated[
        str,
        typer.Option(
            "--jwks",
            metavar="FILE|URL",
            help="The keys that sign access tokens: a JWKS file, or an https URL serving one.",
        ),
    ],
    issuer: Annotated[
        str, typer.Option("--issuer", metavar="ISS", help="The tokens' issuer (their iss claim).")
    ],
    audience: Annotated[
        str,
        typer.Option("--audience", metavar="AUD", help="This API's name in the tokens' aud claim."),
    ],
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int,
        number_option("--port", WholeNumber(1, 65535), "PORT", "The TCP port to listen on."),
    ] = 8000,
) -> None:
    """Serve the HTTP API on this store until interrupted (docs/http.md).

    Who records is the subject of each request's bearer token, checked against the
    JWKS, issuer and audience given; what each person may do is the core's
    authorisation policy.
    """
    try:
        from mentoring_http.serve import serve as run
        from mentoring_http.tokens import KeySetError, TokenSettings, TokenVerifier
    except ImportError as error:
        raise Refused(
            f"'mentoring serve' needs the HTTP adapter, which is not installed ({error}); "
            "install it with: pip install ./adapters/http"
        ) from None
    given = (("--jwks", jwks), ("--issuer", issuer), ("--audience", audience), ("--host", host))
    for option, value in given:  # an empty host would be every interface
        if not value.strip():
            raise typer.BadParameter("must not be empty", param_hint=f"'{option}'")
    try:  # the keys are read before the store is opened: a mistake costs nothing
        verifier = TokenVerifier(TokenSettings(jwks=jwks, issuer=issuer, audience=audience))
    except KeySetError as error:
        raise typer.BadParameter(str(error), param_hint="'--jwks'") from None
    _check_listenable(host, port)
    with open_service(ctx, create=True, writes=True) as service:
        where = f"[{host}]" if ":" in host else host  # an IPv6 address, as a URL writes it
        typer.echo(f"serving {redact(service.store_url)} on http://{where}:{port}", err=True)
        # the server stops gracefully on SIGINT or SIGTERM, then raises it again: a server
        # stopped as asked is done, not aborted
        with suppress(Interrupted):
            run(service, verifier, host=host, port=port)


def _check_listenable(host: str, port: int) -> None:
    """Refuse, before the store is opened, an address this machine cannot listen on: a
    host that is no address (a usage error), or a port another program holds. The server
    would otherwise log its error and exit with status 3, after saying it serves there."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise typer.BadParameter(
            f"{host!r} is not an address to listen on ({reason})", param_hint="'--host'"
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(address)
        except OSError as error:
            raise Refused(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
