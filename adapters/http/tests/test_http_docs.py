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


def served() -> set[tuple[str, str]]:
    with MentoringService("memory://") as service:
        document = create_app(service, cast(Any, None)).openapi_schema.to_schema()
    return {
        (method.upper(), re.sub(r"\{\w+_id\}", "{id}", path))
        for path, item in document["paths"].items()
        for method in item
    }


def test_the_docs_table_names_every_endpoint_and_no_other() -> None:
    assert documented() == served()
