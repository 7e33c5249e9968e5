"""The OpenAPI 3.1 document's configuration, and the links between its operations.

Litestar builds the document from the route handlers (every request and response
schema, the problem documents, the bearer security scheme); :func:`add_links` then adds
OpenAPI links from the operations that create a programme or open a relationship to
every operation on it, with the new id from the answer (``$response.body#/id``): what
a client (and schemathesis's stateful tests) may call next; :func:`add_heads` lists
the ``HEAD`` the API answers beside every ``GET``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from litestar import Router
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import (
    Components,
    Link,
    OpenAPI,
    OpenAPIResponse,
    Operation,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.routes import BaseRoute
from litestar.types import ControllerRouterHandler

OPENAPI_PATH = "/schema"
"""The OpenAPI 3.1 document is served at ``/schema/openapi.json``."""

CREATORS = {
    ("/programmes", "post"): "programme_id",
    ("/programmes/{programme_id}/relationships", "post"): "relationship_id",
}
"""The operations whose answer's ``id`` is a new programme or relationship, and the path
parameter it fills."""


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="mentoring-core",
        version="1",
        description="Record and read mentoring programmes and relationships: who did what "
        "comes from the bearer token, what each person may do and see from the core's "
        "authorisation policy (docs/http.md).",
        openapi_router=_DocumentRouter(OPENAPI_PATH, route_handlers=[], include_in_schema=False),
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


class _DocumentRouter(Router):
    """The router serving the OpenAPI document, and nothing else. Litestar adds to it a
    route answering every other path under it (``/schema/swagger``: no documentation
    page is served) with an HTML page of its own, and OPTIONS there with ``GET``: left
    out, such a path is one where nothing is served, answered as all are, with a 404
    problem document whatever the method."""

    def register(self, value: ControllerRouterHandler) -> list[BaseRoute]:
        if isinstance(value, HTTPRouteHandler) and value.paths == {_ANY_PAGE}:
            return []
        return super().register(value)


_ANY_PAGE = "/{path:str}"
"""The path of Litestar's route for any other page under the document's router."""


def add_links(document: OpenAPI) -> None:
    """Link each creating operation's 201 answer to every operation on what it created."""
    paths = document.paths or {}
    for (creator_path, creator_method), parameter in CREATORS.items():
        creator: Operation = getattr(paths[creator_path], creator_method)
        links: dict[str, Link | Reference] = {
            operation.operation_id: Link(
                operation_id=operation.operation_id,
                parameters={parameter: "$response.body#/id"},
            )
            for path, item in sorted(paths.items())
            for method in ("get", "post", "put")
            if (operation := getattr(item, method)) is not None
            and operation.operation_id is not None
            and (path, method) != (creator_path, creator_method)
            and any(getattr(p, "name", None) == parameter for p in operation.parameters or ())
        }
        response = (creator.responses or {})["201"]
        if isinstance(response, OpenAPIResponse):
            response.links = links


def add_heads(document: OpenAPI) -> None:
    """Beside each ``GET``, the ``HEAD`` the API answers as it answers the ``GET`` (the
    same parameters, token and statuses, each answer's headers without its content)."""
    for item in (document.paths or {}).values():
        get = item.get
        if get is None or item.head is not None:
            continue
        item.head = replace(
            get,
            operation_id=f"{get.operation_id}Head" if get.operation_id else None,
            summary=f"{get.summary} (headers only)" if get.summary else None,
            responses={
                status: (
                    replace(answer, content=None, links=None)
                    if isinstance(answer, OpenAPIResponse)
                    else answer
                )
                for status, answer in (get.responses or {}).items()
            },
        )


def close_bodies(document: OpenAPI, names: Iterable[str]) -> None:
    """Say of each request body's schema (a command's, an erasure's; named ``names``),
    and of each value's schema it holds (a schedule, a rating, a policy...), what the API
    enforces: no member beyond its fields (``additionalProperties: false``; a misspelt
    field, ``privat`` or ``schedule.in_working_hour``, is a 400, not dropped)."""
    schemas = document.components.schemas if document.components else {}
    pending, closed = set(names), set()
    while pending:
        name = pending.pop()
        closed.add(name)
        schema = schemas.get(name)
        if isinstance(schema, Schema) and schema.properties is not None:
            schema.additional_properties = False
            pending |= schema_references(schema.to_schema()) - closed


def schema_references(value: object) -> set[str]:
    """The names of the schemas a part of the document (as JSON) refers to."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        own = {ref.rsplit("/", 1)[-1]} if isinstance(ref, str) else set()
        return own.union(*(schema_references(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(schema_references(v) for v in value))
    return set()
