"""docs/http.md's table of resources names exactly the endpoints the app serves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

from mentoring_http._openapi import CREATORS
from mentoring_http.app import create_app

from mentoring_core import MentoringService

DOCS = Path(__file__).resolve().parents[3] / "docs" / "http.md"
_ROW = re.compile(r"^\| `(GET|POST|PUT) (/[^`?]*)[^`]*`(?: \(([^)]*)\))? \|")


def documented() -> set[tuple[str, str]]:
    found = set()
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        row = _ROW.match(line)
        if row is None:
            continue
        method, path, variants = row.groups()
        found.add((method, path))
        for suffix in re.findall(r"`(\.\w+)`", variants or ""):
            found.add((method, re.sub(r"\.\w+$", suffix, path)))
    return found


def document() -> dict[str, Any]:
    with MentoringService("memory://") as service:
        return create_app(service, cast(Any, None)).openapi_schema.to_schema()


def served() -> set[tuple[str, str]]:
    """Every operation of the document but the HEADs (the table says each GET has one)."""
    return {
        (method.upper(), re.sub(r"\{\w+_id\}", "{id}", path))
        for path, item in document()["paths"].items()
        for method in item
        if method != "head"
    }


def test_the_docs_table_names_every_endpoint_and_no_other() -> None:
    assert documented() == served()


def test_every_get_is_listed_with_its_head_and_no_other_path_has_one() -> None:
    """A HEAD is answered as its GET is: the same parameters, token and statuses, each
    answer's headers without its content."""
    paths = document()["paths"]
    assert {p for p, item in paths.items() if "head" in item} == {
        p for p, item in paths.items() if "get" in item
    }
    for path, item in paths.items():
        if "get" not in item:
            continue
        get, head = item["get"], item["head"]
        named = ("operationId", "summary", "responses")
        assert {k: v for k, v in head.items() if k not in named} == {
            k: v for k, v in get.items() if k not in named
        }, path  # parameters, security, tags, description
        assert head["operationId"] == f"{get['operationId']}Head"
        assert head["responses"].keys() == get["responses"].keys(), path
        for status, answer in head["responses"].items():
            assert "content" not in answer, (path, status)
            assert answer["description"] == get["responses"][status]["description"]


def test_the_links_lead_to_every_operation_on_what_was_created_the_heads_aside() -> None:
    """From each creating operation's 201 answer, a link to each operation on what it
    created, as the guide says: every one but the HEADs."""
    paths = document()["paths"]
    for (creator, creator_method), parameter in CREATORS.items():
        links = paths[creator][creator_method]["responses"]["201"]["links"]
        on_it = {
            operation["operationId"]
            for path, item in paths.items()
            for method, operation in item.items()
            if (path, method) != (creator, creator_method)
            and any(p["name"] == parameter for p in operation.get("parameters", ()))
        }
        assert set(links) == {o for o in on_it if not o.endswith("Head")}, creator
    guide = " ".join(DOCS.read_text(encoding="utf-8").split())
    assert "to every operation on the new programme or relationship, the `HEAD`s aside" in guide
