"""Fixtures of the HTTP adapter's tests: signing keys, tokens of each role, the app in
process (Litestar's TestClient) on a fresh SQLite store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "standins"))
import http_standins  # noqa: F401  TEMPORARY: until authorisation and tokens land
from http_harness import AUDIENCE, ISSUER, Keys
from litestar.testing import TestClient
from mentoring_http.app import create_app
from mentoring_http.tokens import TokenSettings, TokenVerifier

from mentoring_core import MentoringService


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    return Keys.generate(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def service(tmp_path: Path) -> Iterator[MentoringService]:
    with MentoringService(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


@pytest.fixture
def client(service: MentoringService, keys: Keys) -> Iterator[TestClient]:  # type: ignore[type-arg]
    settings = TokenSettings(jwks=str(keys.jwks), issuer=ISSUER, audience=AUDIENCE)
    with TestClient(create_app(service, TokenVerifier(settings))) as opened:
        yield opened
