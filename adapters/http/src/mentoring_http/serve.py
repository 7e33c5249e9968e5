"""Serve the HTTP API under uvicorn: what ``mentoring serve`` runs.

The service (opened by the caller on its store URL) and the token verifier (its JWKS,
issuer and audience) are all it needs; it answers until interrupted (Ctrl-C or SIGTERM),
then finishes the requests under way within :data:`GRACE_SECONDS`.
"""

from __future__ import annotations

import uvicorn

from mentoring_core import MentoringService
from mentoring_http.tokens import TokenVerifier

from .app import create_app

GRACE_SECONDS = 5
"""How long, at shutdown, requests under way (and live streams) may take to finish."""


def serve(
    service: MentoringService,
    verifier: TokenVerifier,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "info",
) -> None:
    """Answer HTTP requests on ``host``:``port`` until interrupted."""
    app = create_app(service, verifier)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        server_header=False,
        timeout_graceful_shutdown=GRACE_SECONDS,
    )
