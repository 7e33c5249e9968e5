"""Messages read as sentences: a name shown quoted (``{name!r}``) is never followed by
``'s``, which reads ``'ana''s key``."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_message_follows_a_quoted_name_with_an_apostrophe_s() -> None:
    sources = [*ROOT.glob("src/**/*.py"), *ROOT.glob("adapters/*/src/**/*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "!r}'s" in line
    ]
    assert found == []
