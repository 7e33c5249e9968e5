"""TEMPORARY (until mentoring_core.authorisation and mentoring_http.tokens land on main):
registers stand-ins for both modules, in tests and in the served process."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def _install() -> None:
    try:
        import mentoring_core.authorisation  # noqa: F401
    except ImportError:
        import standin_authorisation

        sys.modules["mentoring_core.authorisation"] = standin_authorisation
    try:
        import mentoring_http.tokens  # noqa: F401
    except ImportError:
        import standin_tokens

        sys.modules["mentoring_http.tokens"] = standin_tokens


_install()
