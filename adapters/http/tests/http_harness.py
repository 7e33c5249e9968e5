"""What the HTTP tests share: keys and tokens, and a programme driven through the API."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
from mentoring_http.tokens import generate_key_pair, issue_token

ISSUER = "https://login.example.org"
AUDIENCE = "mentoring-api"


@attrs.frozen
class Keys:
    """A development key pair: the private JWK signs tokens, the JWKS verifies them."""

    private: Path
    jwks: Path

    @classmethod
    def generate(cls, folder: Path) -> Keys:
        private, jwks = generate_key_pair(folder)
        return cls(Path(private), Path(jwks))

    def token(
        self,
        subject: str,
        roles: Iterable[str] = (),
        *,
        audience: str = AUDIENCE,
        lifetime_seconds: int = 600,
    ) -> str:
        return issue_token(
            self.private,
            subject=subject,
            roles=list(roles),
            issuer=ISSUER,
            audience=audience,
            lifetime_seconds=lifetime_seconds,
        )

    def headers(self, subject: str, roles: Iterable[str] = (), **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(subject, roles)}", **extra}


def enrol(person: str, role: str, years: str) -> dict[str, Any]:
    return {"person_id": person, "role": role, "experience_years": years}
