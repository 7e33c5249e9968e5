"""The names and limits of access tokens that need no JOSE library to state.

Split from :mod:`mentoring_http.tokens` so that the ``mentoring`` command, which names
these in its options' help, does not import joserfc (about 0.2 s) on every start; only
``mentoring token`` and ``mentoring serve`` load :mod:`mentoring_http.tokens`.
"""

from __future__ import annotations

import unicodedata

from mentoring_core.authorisation import Role
from mentoring_core.extend import composed_spelling

MAX_SUBJECT_LENGTH = 200
MAX_LIFETIME_SECONDS = 24 * 3600
"""The longest lifetime :func:`mentoring_http.tokens.issue_token` gives a development token."""
TOKEN_ROLES = {"administrator": Role.ADMINISTRATOR, "auditor": Role.AUDITOR}
"""The roles a token's ``roles`` claim can grant; the others come from the records."""
PRIVATE_KEY_FILE = "token-signing-key.private.jwk"
PUBLIC_KEYS_FILE = "token-signing-keys.jwks"


def subject_problem(subject: object) -> str | None:
    """Why ``subject`` cannot name an actor, or None if it can."""
    if not isinstance(subject, str) or not subject:
        return "is not a non-empty string"
    if len(subject) > MAX_SUBJECT_LENGTH:
        return f"is longer than {MAX_SUBJECT_LENGTH} characters"
    if not subject.isprintable() or subject != subject.strip():
        return "holds unprintable characters or starts or ends with a space"
    if not unicodedata.is_normalized("NFC", subject):  # as a new person id must be
        return f"is not in {composed_spelling(subject)}"
    return None
