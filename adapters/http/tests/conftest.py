"""Fixtures of the HTTP adapter's tests."""

from __future__ import annotations

import pytest
from token_mint import TokenMint


@pytest.fixture(scope="session")
def token_mint(tmp_path_factory: pytest.TempPathFactory) -> TokenMint:
    """A local identity provider for the whole run: ``token_mint.bearer("coord.rhea")``,
    ``token_mint.bearer("admin.ada", "administrator")``, ``token_mint.expired(...)``...
    Its verifier is configured with ``token_mint.settings()``."""
    return TokenMint.create(tmp_path_factory.mktemp("token-mint"))
