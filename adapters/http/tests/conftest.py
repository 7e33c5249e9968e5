"""Fixtures of the HTTP adapter's tests: tokens (a local identity provider), and the app
in process (Litestar's TestClient) on a fresh SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from http_harness import Keys
from litestar.testing import TestClient
from mentoring_http.app import create_app
from mentoring_http.tokens import TokenVerifier
from token_mint import TokenMint

from mentoring_core import MentoringService


@pytest.fixture(scope="session")
def token_mint(tmp_path_factory: pytest.TempPathFactory) -> TokenMint:
    """A local identity provider for the whole run: ``token_mint.bearer("coord.rhea")``,
    ``token_mint.bearer("admin.ada", "administrator")``, ``token_mint.expired(...)``...
    Its verifier is configured with ``token_mint.settings()``."""
    return TokenMint.create(tmp_path_factory.mktemp("token-mint"))


@pytest.fixture(scope="session")
def keys(token_mint: TokenMint) -> Keys:
    return Keys(token_mint)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[MentoringService]:
    with MentoringService(f"sqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


@pytest.fixture
def client(service: MentoringService, keys: Keys) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """The app in process, on a fresh SQLite store, trusting ``token_mint``'s tokens."""
    with TestClient(create_app(service, TokenVerifier(keys.mint.settings()))) as opened:
        yield opened
