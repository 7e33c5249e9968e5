"""TEMPORARY (until mentoring_http.tokens lands on main):
registers a stand-in for it, in tests and in the served process."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _install() -> None:
    try:
        import mentoring_http.tokens  # noqa: F401
    except ImportError:
        import standin_tokens

        sys.modules["mentoring_http.tokens"] = standin_tokens


_install()
