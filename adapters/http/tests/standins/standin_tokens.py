"""TEMPORARY stand-in for mentoring_http.tokens (the agreed interface) on joserfc."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import attrs
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey
from mentoring_core.authorisation import Principal, Role


class TokenError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@attrs.frozen
class TokenSettings:
    jwks: str
    issuer: str
    audience: str
    leeway_seconds: int = 30


class TokenVerifier:
    def __init__(self, settings: TokenSettings) -> None:
        self.settings = settings
        self.keys = KeySet.import_key_set(json.loads(Path(settings.jwks).read_text()))

    def principal(self, authorization_header: str | None) -> Principal:
        if not authorization_header:
            raise TokenError("no bearer token")
        scheme, _, token = authorization_header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise TokenError("not a bearer token")
        try:
            decoded = jwt.decode(token.strip(), self.keys, algorithms=["EdDSA", "ES256", "RS256"])
            jwt.JWTClaimsRegistry(
                leeway=self.settings.leeway_seconds,
                iss={"essential": True, "value": self.settings.issuer},
                aud={"essential": True, "value": self.settings.audience},
                exp={"essential": True},
                sub={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise TokenError(f"{type(error).__name__}") from None
        roles = frozenset(
            Role(r) for r in decoded.claims.get("roles", ()) if r in ("administrator", "auditor")
        )
        return Principal(subject=str(decoded.claims["sub"]), roles=roles)


def issue_token(
    private_jwk_path: Any,
    *,
    subject: str,
    roles: Any,
    issuer: str,
    audience: str,
    lifetime_seconds: int,
) -> str:
    key = OKPKey.import_key(json.loads(Path(private_jwk_path).read_text()))
    now = int(time.time())
    claims = {
        "sub": subject,
        "roles": list(roles),
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_seconds,
        "jti": str(now),
    }
    return jwt.encode(
        {"alg": "EdDSA", "typ": "at+jwt", "kid": key.kid}, claims, key, algorithms=["EdDSA"]
    )


def generate_key_pair(folder: Any) -> tuple[Path, Path]:
    key = OKPKey.generate_key("Ed25519", private=True, auto_kid=True)
    private = Path(folder) / "private.jwk"
    public = Path(folder) / "jwks.json"
    private.write_text(json.dumps(key.as_dict(private=True)))
    public.write_text(json.dumps({"keys": [key.as_dict(private=False)]}))
    private.chmod(0o600)
    public.chmod(0o600)
    return private, public
