"""What adapter authors get (``mentoring_core.extend.__all__``) is what docs/api.md's
"Extending" section describes."""

from __future__ import annotations

import re
from pathlib import Path

import mentoring_core.extend

ROOT = Path(__file__).resolve().parent.parent


def test_every_name_for_adapter_authors_is_documented() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    section = page.split("## Extending", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)", section))
    assert sorted(set(mentoring_core.extend.__all__) - documented) == []
