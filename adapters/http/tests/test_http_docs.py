"""docs/http.md's table of resources names exactly the endpoints the app serves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

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
