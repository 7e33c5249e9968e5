"""The Litestar application: every resource, the token check, problem details, OpenAPI.

``create_app(service, verifier)`` builds it over an open
:class:`~mentoring_core.MentoringService`; :mod:`mentoring_http.serve` runs it under
uvicorn (``mentoring serve``). See ``docs/http.md``.
"""

from __future__ import annotations

import functools
from typing import Any, cast

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.routes import HTTPRoute
from litestar.types import LifeSpanReceive, LifeSpanScope, LifeSpanSend, Receive, Scope, Send

from mentoring_core import MentoringService
from mentoring_http.tokens import TokenVerifier

from ._access import Gate, authenticator, principal, verified_token
from ._commands import COMMAND_NAMES, command_handlers
from ._feed import Streams, read_events, stream_events
from ._openapi import add_heads, add_links, close_bodies, openapi_config
from ._people import ErasureRequest, people_handlers
from ._problems import bad_path, exception_handlers, send_problem
from ._reading import QUERY_NAMES, query_as_documented, query_names
from ._reads import read_handlers

MAX_BODY_BYTES = 64 * 1024
"""The largest request body accepted (413 beyond): commands are small."""

EVERY_ANSWER = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
        b"form-action 'none'; frame-ancestors 'none'",
    ),
)
"""The headers of every answer, a problem included. Each read answers with personal data
(names, contacts, feedback and reflections, opened) or about it: no cache on the way, nor
a browser on a shared computer, keeps it (a 404 kept would also hide what is recorded
after it). A browser reads no JSON answer as a page (a name such as ``<script>``), and
runs, loads or frames nothing in one: the HTML report holds its style and its charts
(inline SVG), and no script."""

_REPLACED = frozenset(name for name, _ in EVERY_ANSWER)
"""The names of :data:`EVERY_ANSWER`'s headers: any an answer had of them is dropped."""


class _Api(Litestar):
    """Litestar, answering HEAD as it answers GET, without the body (RFC 9110, 9.3.2:
    servers must), and saying so in every ``Allow`` header. Litestar routes HEAD only
    to handlers declared for it, whose responses must have no body: each read would need
    a twin. Here the request is handled as a GET (the same token check, status and
    headers, Content-Length included), the headers are sent with an empty body, and the
    rest is dropped; a stream is then told its client has gone, so it ends."""

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        if scope["type"] != ScopeType.HTTP:
            await super().__call__(scope, receive, send)
        elif problem := bad_path(cast(Scope, scope).get("raw_path", b"")):  # optional in ASGI
            await send_problem(problem, self._headed(scope, cast(Send, send)))
        elif scope.get("method") == "HEAD":
            await self._head(cast(Scope, scope), cast(Receive, receive), cast(Send, send))
        else:
            await super().__call__(scope, receive, self._headed(scope, cast(Send, send)))

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = False

        async def headers_only(message: Any) -> None:
            nonlocal answered
            if answered:
                return
            if message["type"] == "http.response.start":
                answered = True
                await send(message)
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        async def gone_once_answered() -> Any:
            if answered:
                return {"type": "http.disconnect"}
            return await receive()

        as_get: Any = {**scope, "method": "GET"}
        await super().__call__(as_get, gone_once_answered, self._headed(as_get, headers_only))

    def _headed(self, scope: Any, send: Send) -> Send:
        """``send``, each answer with the headers of :data:`EVERY_ANSWER` (in place of
        any it had of those names), and each ``Allow`` header listing exactly the methods
        the path answers: its own, HEAD beside GET, and OPTIONS. Litestar lists neither
        HEAD nor, in its OPTIONS answer for a path whose handlers were registered in two
        steps (``/programmes``: a command's, then a read's), the later ones."""

        async def send_headed(message: Any) -> None:
            if message["type"] == "http.response.start":
                template = scope.get("path_template")
                headers = [
                    (name, self._allow(value, template) if name.lower() == b"allow" else value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _REPLACED
                ]
                message = {**message, "headers": [*headers, *EVERY_ANSWER]}
            await send(message)

        return send_headed

    def _allow(self, listed: bytes, template: str | None) -> bytes:
        methods = {m.strip() for m in listed.decode("latin-1").split(",") if m.strip()}
        methods |= self._methods.get(template or "", frozenset())
        if "GET" in methods:
            methods.add("HEAD")
        return ", ".join(sorted(methods)).encode("latin-1")

    @functools.cached_property
    def _methods(self) -> dict[str, frozenset[str]]:
        """Each route's path template (as routing leaves it in the ASGI scope) and the
        methods its handlers take."""
        return {
            route.path_format: frozenset(route.methods)
            for route in self.routes
            if isinstance(route, HTTPRoute)
        }


def create_app(
    service: MentoringService,
    verifier: TokenVerifier,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Litestar:
    """The HTTP API over ``service``: who asks is the subject of ``verifier``'s token."""
    gate = Gate(service)
    streams = Streams()
    app = _Api(
        # One router, registered at once: Litestar registers the handlers of a path again
        # for each handler added to it separately, wrapping sync handlers for threads twice.
        route_handlers=[
            Router(
                "/",
                route_handlers=[
                    *command_handlers(),
                    *read_handlers(),
                    *people_handlers(),
                    read_events,
                    stream_events,
                ],
                guards=[authenticator(verifier), query_as_documented],  # in this order
            )
        ],
        dependencies={
            "principal": Provide(principal, sync_to_thread=False),
            "verified_token": Provide(verified_token, sync_to_thread=False),
            "gate": Provide(lambda: gate, sync_to_thread=False, use_cache=True),
            "streams": Provide(lambda: streams, sync_to_thread=False, use_cache=True),
        },
        exception_handlers=exception_handlers(),
        request_max_body_size=max_body_bytes,
        on_shutdown=[streams.close],
        openapi_config=openapi_config(),
        debug=False,
    )
    add_links(app.openapi_schema)
    add_heads(app.openapi_schema)
    close_bodies(app.openapi_schema, COMMAND_NAMES | {ErasureRequest.__name__})
    app.state[QUERY_NAMES] = query_names(app.openapi_schema)
    return app
