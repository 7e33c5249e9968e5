"""TEMPORARY: installs the stand-ins in a served process (PYTHONPATH includes this folder)."""

import http_standins  # noqa: F401
