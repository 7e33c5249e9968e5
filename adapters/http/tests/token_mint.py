"""Access tokens for the HTTP adapter's tests: good ones of every role, and the bad kinds.

A :class:`TokenMint` is a local identity provider: a fresh Ed25519 key pair (made by
:func:`mentoring_http.tokens.generate_key_pair`), the JWKS its verifier trusts, and
tokens issued with :func:`mentoring_http.tokens.issue_token` or, for the malformed
and hostile ones, put together here byte by byte and signed with real keys.

Roles: a token grants only ``administrator`` and ``auditor``; a coordinator, mentor
or mentee is any subject that the records name so (``mint.bearer("coord.rhea")``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from joserfc.jwk import OKPKey
from mentoring_http.tokens import (
    DEVELOPMENT_CLIENT_ID,
    TokenSettings,
    generate_key_pair,
    issue_token,
)

ISSUER = "https://login.riverbend.test"
AUDIENCE = "mentoring-api"


def b64(data: bytes) -> str:
    """base64url without padding (RFC 7515, section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(document: object) -> str:
    """A JSON document as a JWS header or payload segment."""
    return b64(json.dumps(document, separators=(",", ":")).encode())


@dataclass(frozen=True)
class TokenMint:
    """A test identity provider: its key files, issuer and audience."""

    private_key: Path
    jwks: Path
    issuer: str = ISSUER
    audience: str = AUDIENCE

    @classmethod
    def create(cls, folder: Path) -> TokenMint:
        private_key, jwks = generate_key_pair(folder)
        return cls(private_key=private_key, jwks=jwks)

    def settings(self, leeway_seconds: int = 30) -> TokenSettings:
        """What a verifier that trusts this mint is configured with."""
        return TokenSettings(
            jwks=str(self.jwks),
            issuer=self.issuer,
            audience=self.audience,
            leeway_seconds=leeway_seconds,
        )

    def token(self, subject: str, *roles: str, **options: Any) -> str:
        """A valid token (``options``: issue_token's issuer, audience, lifetime_seconds, now)."""
        chosen = {"issuer": self.issuer, "audience": self.audience, **options}
        return issue_token(self.private_key, subject=subject, roles=roles, **chosen)

    def bearer(self, subject: str, *roles: str, **options: Any) -> str:
        """The ``Authorization`` header carrying :meth:`token`."""
        return "Bearer " + self.token(subject, *roles, **options)

    @property
    def key(self) -> OKPKey:
        return OKPKey.import_key(json.loads(self.private_key.read_text()))

    def claims(self, subject: str, *roles: str) -> dict[str, Any]:
        """The claims of a valid token, to change before :meth:`signed`."""
        now = int(datetime.now(UTC).timestamp())
        return {
            "iss": self.issuer,
            "sub": subject,
            "aud": self.audience,
            "client_id": DEVELOPMENT_CLIENT_ID,
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
            "roles": list(roles),
        }

    def header(self) -> dict[str, Any]:
        """The header of a valid token, to change before :meth:`signed`."""
        return {"alg": "EdDSA", "typ": "at+jwt", "kid": self.key.kid}

    def signed(
        self,
        claims: dict[str, Any],
        header: dict[str, Any] | None = None,
        key: OKPKey | None = None,
    ) -> str:
        """``claims`` under ``header``, signed (Ed25519) with ``key`` (default: the mint's)."""
        signing_input = f"{segment(self.header() if header is None else header)}.{segment(claims)}"
        signer = (key or self.key).private_key
        assert signer is not None
        return f"{signing_input}.{b64(signer.sign(signing_input.encode()))}"

    # The bad tokens every endpoint must refuse (401).

    def expired(self, subject: str, *roles: str) -> str:
        """Valid an hour, issued two hours ago."""
        return self.token(subject, *roles, now=datetime.now(UTC) - timedelta(hours=2))

    def wrong_audience(self, subject: str, *roles: str) -> str:
        return self.token(subject, *roles, audience="another-service")

    def wrong_issuer(self, subject: str, *roles: str) -> str:
        return self.token(subject, *roles, issuer="https://login.elsewhere.test")

    def wrong_signature(self, subject: str, *roles: str) -> str:
        """Names this mint's key, but is signed by another Ed25519 key."""
        other = OKPKey.generate_key("Ed25519")
        return self.signed(self.claims(subject, *roles), key=other)

    def alg_none(self, subject: str, *roles: str) -> str:
        """Unsigned (``alg: none``, empty signature)."""
        header = {**self.header(), "alg": "none"}
        return f"{segment(header)}.{segment(self.claims(subject, *roles))}."

    def hmac_with_public_key(self, subject: str, *roles: str) -> str:
        """HS256 keyed with the published JWKS's bytes (the key-confusion attack)."""
        header = {**self.header(), "alg": "HS256"}
        signing_input = f"{segment(header)}.{segment(self.claims(subject, *roles))}"
        mac = hmac.new(self.jwks.read_bytes(), signing_input.encode(), hashlib.sha256)
        return f"{signing_input}.{b64(mac.digest())}"
