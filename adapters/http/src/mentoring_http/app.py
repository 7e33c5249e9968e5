"""The Litestar application: every resource, the token check, problem details, OpenAPI.

``create_app(service, verifier)`` builds it over an open
:class:`~mentoring_core.MentoringService`; :mod:`mentoring_http.serve` runs it under
uvicorn (``mentoring serve``). See ``docs/http.md``.
"""

from __future__ import annotations

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from mentoring_core import MentoringService
from mentoring_http.tokens import TokenVerifier

from ._access import Gate, authenticator
from ._commands import command_handlers
from ._feed import Streams, read_events, stream_events
from ._problems import exception_handlers
from ._reads import read_handlers

MAX_BODY_BYTES = 64 * 1024
"""The largest request body accepted (413 beyond): commands are small."""
OPENAPI_PATH = "/schema"
"""The OpenAPI 3.1 document is served at ``/schema/openapi.json``."""


def create_app(
    service: MentoringService,
    verifier: TokenVerifier,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Litestar:
    """The HTTP API over ``service``: who asks is the subject of ``verifier``'s token."""
    gate = Gate(service)
    streams = Streams()
    return Litestar(
        # One router, registered at once: Litestar registers the handlers of a path again
        # for each handler added to it separately, wrapping sync handlers for threads twice.
        route_handlers=[
            Router(
                "/",
                route_handlers=[*command_handlers(), *read_handlers(), read_events, stream_events],
            )
        ],
        dependencies={
            "principal": Provide(authenticator(verifier), sync_to_thread=True),
            "gate": Provide(lambda: gate, sync_to_thread=False, use_cache=True),
            "streams": Provide(lambda: streams, sync_to_thread=False, use_cache=True),
        },
        exception_handlers=exception_handlers(),
        request_max_body_size=max_body_bytes,
        on_shutdown=[streams.close],
        openapi_config=_openapi(),
        debug=False,
    )


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="mentoring-core",
        version="1",
        description="Record and read mentoring programmes and relationships: who did what "
        "comes from the bearer token, what each person may do and see from the core's "
        "authorisation policy (docs/http.md).",
        path=OPENAPI_PATH,
        render_plugins=[JsonRenderPlugin()],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="An OAuth 2.0 access token (JWT, RFC 9068 profile).",
                )
            }
        ),
        security=[{"bearer": []}],
    )
