"""Bearer tokens (mentoring_http.tokens): what is accepted, and every way a token is refused.

Real keys and real signatures throughout; the JWKS URL is served by a real HTTPS
server on 127.0.0.1, its test certificate trusted through ``SSL_CERT_FILE``. Only the
verifier's clock for re-fetching the JWKS is driven by the test, so that "once a
minute" can be checked without waiting a minute.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import stat
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey
from mentoring_http.tokens import (
    MAX_TOKEN_BYTES,
    PRIVATE_KEY_FILE,
    PUBLIC_KEYS_FILE,
    REQUIRED_CLAIMS,
    KeySetError,
    TokenError,
    TokenSettings,
    TokenVerifier,
    generate_key_pair,
    issue_token,
)
from tls_certificate import Certificate, make_certificate, server_context
from token_mint import AUDIENCE, ISSUER, TokenMint, b64, segment

from mentoring_core.authorisation import Principal, Role


@pytest.fixture
def verifier(token_mint: TokenMint) -> TokenVerifier:
    return TokenVerifier(token_mint.settings())


def refused(verifier: TokenVerifier, header: str | None) -> str:
    """The reason ``header`` is refused (the test fails if it is accepted)."""
    with pytest.raises(TokenError) as raised:
        verifier.principal(header)
    reason = raised.value.reason
    token = (header or "").removeprefix("Bearer ")
    for part in token.split("."):
        assert len(part) < 8 or part not in reason, "a reason never repeats the token"
    return reason


def write_jwk(folder: Path, name: str, key: Key) -> Path:
    path = folder / name
    path.write_text(json.dumps(key.as_dict(private=True)))
    return path


def write_jwks(folder: Path, *keys: Key | dict[str, Any]) -> Path:
    path = folder / f"jwks-{uuid.uuid4().hex}.json"
    documents = [k if isinstance(k, dict) else k.as_dict(private=False) for k in keys]
    path.write_text(json.dumps({"keys": documents}))
    return path


# What is accepted.


@pytest.mark.parametrize(
    ("algorithm", "make_key"),
    [
        ("EdDSA", lambda: OKPKey.generate_key("Ed25519", auto_kid=True)),
        ("ES256", lambda: ECKey.generate_key("P-256", auto_kid=True)),
        ("RS256", lambda: RSAKey.generate_key(2048, auto_kid=True)),
    ],
)
def test_a_token_signed_by_a_published_key_gives_its_subject_and_roles(
    tmp_path: Path, algorithm: str, make_key: Any
) -> None:
    key = make_key()
    others = [OKPKey.generate_key("Ed25519", auto_kid=True), ECKey.generate_key("P-256")]
    jwks = write_jwks(tmp_path, *others, key)
    private = write_jwk(tmp_path, "private.jwk", key)
    token = issue_token(
        private, subject="coord.rhea", roles=["auditor"], issuer="https://id", audience="api"
    )
    header = json.loads(_decoded(token.split(".")[0]))
    assert header == {"alg": algorithm, "typ": "at+jwt", "kid": key.kid}
    verifier = TokenVerifier(TokenSettings(jwks=str(jwks), issuer="https://id", audience="api"))
    assert verifier.principal(f"Bearer {token}") == Principal(
        subject="coord.rhea", roles=frozenset({Role.AUDITOR})
    )


def test_a_verified_token_says_until_when_it_is_accepted(token_mint: TokenMint) -> None:
    """Its exp plus the leeway (a live stream ends then); an exp beyond any float is a
    far moment, not an OverflowError."""
    verifier = TokenVerifier(token_mint.settings(leeway_seconds=7))
    claims = token_mint.claims("someone", "auditor")
    verified = verifier.verify("Bearer " + token_mint.signed(claims))
    assert verified.expires_at == claims["exp"] + 7
    assert verified.principal == Principal(subject="someone", roles=frozenset({Role.AUDITOR}))
    far = verifier.verify("Bearer " + token_mint.signed({**claims, "exp": 10**400}))
    assert far.expires_at == 2**40 + 7


def _decoded(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ((), set()),
        (("administrator",), {Role.ADMINISTRATOR}),
        (("auditor", "administrator"), {Role.AUDITOR, Role.ADMINISTRATOR}),
        # coordinator, mentor and mentee come from the records, never from a token
        (("coordinator", "mentor", "mentee", "superuser", "Administrator"), set()),
        (("auditor", "no-such-role"), {Role.AUDITOR}),
    ],
)
def test_only_the_administrator_and_auditor_roles_come_from_the_token(
    token_mint: TokenMint, verifier: TokenVerifier, roles: tuple[str, ...], expected: set[Role]
) -> None:
    principal = verifier.principal(token_mint.bearer("someone", *roles))
    assert principal == Principal(subject="someone", roles=frozenset(expected))


def test_a_token_without_a_roles_claim_grants_no_role(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    claims = token_mint.claims("mentor.mo")
    del claims["roles"]
    assert verifier.principal("Bearer " + token_mint.signed(claims)).roles == frozenset()


@pytest.mark.parametrize("roles", ["administrator", {"administrator": True}, ["auditor", 7]])
def test_a_roles_claim_that_is_not_a_list_of_strings_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier, roles: object
) -> None:
    claims = {**token_mint.claims("someone"), "roles": roles}
    assert "roles claim is not a list of strings" in refused(
        verifier, "Bearer " + token_mint.signed(claims)
    )


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT"])
@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_scheme_and_the_access_token_type_are_compared_in_any_case(
    token_mint: TokenMint, verifier: TokenVerifier, typ: str, scheme: str
) -> None:
    token = token_mint.signed(token_mint.claims("mentee.mae"), {**token_mint.header(), "typ": typ})
    assert verifier.principal(f"{scheme} {token}").subject == "mentee.mae"


def test_an_audience_list_that_names_this_service_is_accepted(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    claims = {**token_mint.claims("someone"), "aud": ["other", token_mint.audience]}
    assert verifier.principal("Bearer " + token_mint.signed(claims)).subject == "someone"


def test_a_subject_of_the_longest_length_is_accepted(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    subject = "é" * 200
    assert verifier.principal(token_mint.bearer(subject)).subject == subject


# Times.


def test_an_expired_token_is_refused(token_mint: TokenMint, verifier: TokenVerifier) -> None:
    assert refused(verifier, "Bearer " + token_mint.expired("coord.rhea")) == (
        "the token has expired (its exp has passed)"
    )


def test_the_leeway_accepts_a_token_just_expired_and_no_later(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    now = datetime.now(UTC)
    just = token_mint.bearer("a", now=now - timedelta(seconds=3600 + 20), lifetime_seconds=3600)
    assert verifier.principal(just).subject == "a"
    late = token_mint.bearer("a", now=now - timedelta(seconds=3600 + 40), lifetime_seconds=3600)
    assert "expired" in refused(verifier, late)
    strict = TokenVerifier(token_mint.settings(leeway_seconds=0))
    assert "expired" in refused(strict, just)


def test_a_token_not_valid_yet_is_refused(token_mint: TokenMint, verifier: TokenVerifier) -> None:
    claims = token_mint.claims("someone")
    claims["nbf"] = claims["iat"] + 120
    assert refused(verifier, "Bearer " + token_mint.signed(claims)) == (
        "the token is not valid yet (its nbf is in the future)"
    )
    claims["nbf"] = claims["iat"] + 20  # within the leeway
    assert verifier.principal("Bearer " + token_mint.signed(claims)).subject == "someone"


def test_a_token_issued_in_the_future_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    future = token_mint.bearer("someone", now=datetime.now(UTC) + timedelta(minutes=5))
    assert refused(verifier, future) == "the token was issued in the future (its iat)"


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", ["1900000000", True, float("nan"), float("inf"), [1]])
def test_a_time_that_is_not_a_numeric_date_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier, claim: str, value: object
) -> None:
    """NaN and Infinity, which Python's ``json`` writes, are not JSON (RFC 8259): claims
    holding one are not read at all, naming it."""
    claims = {**token_mint.claims("someone"), claim: value}
    expected = (
        f"in the token's claims, {claim!r} is {json.dumps(value)}, which is not a JSON value"
        if isinstance(value, float)
        else f"the token's {claim} is not a NumericDate"
    )
    assert refused(verifier, "Bearer " + token_mint.signed(claims)) == expected


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_a_time_beyond_any_float_is_refused_as_in_the_future(
    token_mint: TokenMint, verifier: TokenVerifier, claim: str
) -> None:
    """An integer NumericDate too large for a float (JSON allows it) is a token refused,
    not an OverflowError (which the API answered as a 422 out-of-range)."""
    claims = {**token_mint.claims("someone"), claim: 10**400}
    assert refused(verifier, "Bearer " + token_mint.signed(claims)).endswith(
        "in the future (its iat)" if claim == "iat" else "(its nbf is in the future)"
    )


# Issuer, audience, claims, subject.


def test_a_token_for_another_audience_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    assert refused(verifier, "Bearer " + token_mint.wrong_audience("coord.rhea")) == (
        "the token is not meant for this service: its aud lacks 'mentoring-api'"
    )
    claims = {**token_mint.claims("x"), "aud": ["other", "mentoring-api-2", "MENTORING-API"]}
    assert "aud lacks" in refused(verifier, "Bearer " + token_mint.signed(claims))


def test_a_token_from_another_issuer_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    assert refused(verifier, "Bearer " + token_mint.wrong_issuer("coord.rhea")) == (
        "the token was not issued by the trusted issuer 'https://login.riverbend.test'"
    )
    claims = {**token_mint.claims("x"), "iss": "https://login.riverbend.test/"}
    assert "trusted issuer" in refused(verifier, "Bearer " + token_mint.signed(claims))


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
def test_a_token_without_a_required_claim_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier, claim: str
) -> None:
    claims = token_mint.claims("someone", "administrator")
    del claims[claim]
    assert refused(verifier, "Bearer " + token_mint.signed(claims)) == (
        f"the token lacks claims every access token has (RFC 9068): {claim}"
    )


def test_every_missing_claim_is_named(token_mint: TokenMint, verifier: TokenVerifier) -> None:
    claims = {"sub": "someone", "iss": None}
    assert refused(verifier, "Bearer " + token_mint.signed(claims)).endswith(
        ": iss, exp, aud, client_id, iat, jti"
    )


@pytest.mark.parametrize("claim", ["client_id", "jti"])
@pytest.mark.parametrize("value", ["", 42, ["x"]])
def test_a_client_id_or_jti_that_is_not_a_string_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier, claim: str, value: object
) -> None:
    claims = {**token_mint.claims("someone"), claim: value}
    assert refused(verifier, "Bearer " + token_mint.signed(claims)) == (
        f"the token's {claim} is not a non-empty string"
    )


@pytest.mark.parametrize(
    ("subject", "problem"),
    [
        ("", "is not a non-empty string"),
        (42, "is not a non-empty string"),
        (["coord.rhea"], "is not a non-empty string"),
        ("x" * 201, "is longer than 200 characters"),
        ("coord\nrhea", "holds unprintable characters"),
        ("coord\x00", "holds unprintable characters"),
        ("coord\u202erhea", "holds unprintable characters"),
        (" coord.rhea", "starts or ends with a space"),
        ("coord.rhea\t", "starts or ends with a space"),
        ("jose\u0301", "is not in Unicode normalization form C (as 'jos\u00e9': jos\\xe9, "),
    ],
)
def test_a_subject_that_cannot_name_an_actor_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier, subject: object, problem: str
) -> None:
    claims = {**token_mint.claims("x"), "sub": subject}
    reason = refused(verifier, "Bearer " + token_mint.signed(claims))
    assert reason.startswith("the token's subject (sub) ") and problem in reason


# Signatures, algorithms, keys.


def test_a_token_signed_by_another_key_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    assert refused(verifier, "Bearer " + token_mint.wrong_signature("coord.rhea")) == (
        "the token's signature does not verify with the issuer's key"
    )


def test_a_token_whose_claims_were_changed_after_signing_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    header, _, signature = token_mint.token("mentee.mae").split(".")
    forged = segment(token_mint.claims("mentee.mae", "administrator"))
    assert "signature does not verify" in refused(verifier, f"Bearer {header}.{forged}.{signature}")


def test_an_unsigned_token_is_refused(token_mint: TokenMint, verifier: TokenVerifier) -> None:
    assert refused(verifier, "Bearer " + token_mint.alg_none("admin.ada", "administrator")) == (
        "an unsigned token (alg 'none') is never accepted"
    )


def test_hmac_keyed_with_the_public_key_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    reason = refused(verifier, "Bearer " + token_mint.hmac_with_public_key("a", "administrator"))
    assert reason == (
        "the token's signing algorithm is not accepted: only EdDSA, ES256, RS256 are "
        "(never 'none' or an HMAC)"
    )


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512", "PS256", "ES384", "Ed25519", "NONE"])
def test_other_algorithms_are_refused_whatever_the_key(
    tmp_path: Path, token_mint: TokenMint, alg: str
) -> None:
    """Even when the JWKS holds a key the algorithm could use, the alg is refused first."""
    published = OKPKey.import_key(json.loads(token_mint.jwks.read_text())["keys"][0])
    raw = published.as_dict()["x"].encode()
    header = {**token_mint.header(), "alg": alg}
    signing_input = f"{segment(header)}.{segment(token_mint.claims('a', 'administrator'))}"
    mac = hmac.new(raw, signing_input.encode(), hashlib.sha256).digest()
    verifier = TokenVerifier(token_mint.settings())
    assert "signing algorithm is not accepted" in refused(
        verifier, f"Bearer {signing_input}.{b64(mac)}"
    )


@pytest.mark.parametrize(
    ("published", "alg_of_token"),
    [
        ({"use": "enc"}, "EdDSA"),  # a key for encryption
        ({"alg": "ES256"}, "EdDSA"),  # a key for another algorithm
    ],
)
def test_a_key_whose_use_or_alg_disagrees_with_the_token_is_refused(
    tmp_path: Path, token_mint: TokenMint, published: dict[str, str], alg_of_token: str
) -> None:
    key = OKPKey.generate_key("Ed25519", auto_kid=True)
    # with a key that can verify: a JWKS of none is refused at start
    jwks = write_jwks(tmp_path, {**key.as_dict(private=False), **published}, token_mint.key)
    verifier = TokenVerifier(TokenSettings(jwks=str(jwks), issuer=ISSUER, audience=AUDIENCE))
    token = token_mint.signed(
        token_mint.claims("a"), {"alg": alg_of_token, "typ": "at+jwt", "kid": key.kid}, key=key
    )
    assert refused(verifier, "Bearer " + token) == (
        "the issuer's key named by the token is not meant for its algorithm "
        "(the key's kty, crv, use or alg disagrees)"
    )


@pytest.mark.parametrize("signing_first", [False, True], ids=["enc-first", "sig-first"])
def test_a_kid_shared_by_an_encryption_key_still_verifies_with_its_signing_key(
    tmp_path: Path, token_mint: TokenMint, signing_first: bool
) -> None:
    """RFC 7517 (4.5) lets keys of different types share a kid, as a provider publishing
    a key to encrypt to beside its signing key may. The first key of a kid won, so when
    the encryption key came first every token signed under that kid was refused ("not
    meant for its algorithm"). The key that verifies the token's algorithm is taken."""
    signing = OKPKey.generate_key("Ed25519", {"kid": "k-2026"})
    encryption = {
        **ECKey.generate_key("P-256").as_dict(private=False),
        "kid": "k-2026",
        "use": "enc",
    }
    published = [signing, encryption] if signing_first else [encryption, signing]
    jwks = write_jwks(tmp_path, *published)
    verifier = TokenVerifier(TokenSettings(jwks=str(jwks), issuer=ISSUER, audience=AUDIENCE))
    token = token_mint.signed(
        token_mint.claims("coord.rhea"),
        {"alg": "EdDSA", "typ": "at+jwt", "kid": "k-2026"},
        key=signing,
    )
    assert verifier.principal("Bearer " + token).subject == "coord.rhea"


def test_an_ecdsa_token_naming_an_ed25519_key_is_refused(
    tmp_path: Path, token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    ec = ECKey.generate_key("P-256", auto_kid=True)
    token = issue_token(
        write_jwk(tmp_path, "ec.jwk", ec),
        subject="a",
        roles=[],
        issuer=token_mint.issuer,
        audience=token_mint.audience,
    )
    _, payload, signature = token.split(".")
    renamed = segment({"alg": "ES256", "typ": "at+jwt", "kid": token_mint.key.kid})
    assert "not meant for its algorithm" in refused(
        verifier, f"Bearer {renamed}.{payload}.{signature}"
    )


def test_a_token_naming_an_unknown_key_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    other = OKPKey.generate_key("Ed25519", auto_kid=True)
    token = token_mint.signed(
        token_mint.claims("a"), {**token_mint.header(), "kid": other.kid}, key=other
    )
    assert refused(verifier, "Bearer " + token) == (
        "the token's signing key (kid) is not one of the issuer's keys"
    )


@pytest.mark.parametrize("kid", [None, "", 7])
def test_a_token_that_names_no_key_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier, kid: object
) -> None:
    header = {**token_mint.header(), "kid": kid}
    if kid is None:
        del header["kid"]
    assert refused(verifier, "Bearer " + token_mint.signed(token_mint.claims("a"), header)) == (
        "the token does not name its signing key (the header's kid)"
    )


@pytest.mark.parametrize("typ", [None, "JWT", "jwt", "at+jwt2", "application/jwt", 1])
def test_a_token_that_is_not_an_access_token_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier, typ: object
) -> None:
    header = {**token_mint.header(), "typ": typ}
    if typ is None:
        del header["typ"]
    assert refused(verifier, "Bearer " + token_mint.signed(token_mint.claims("a"), header)) == (
        "the token is not an access token: its header's typ must be 'at+jwt'"
    )


def test_a_critical_header_extension_not_understood_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    header = {**token_mint.header(), "crit": ["exp-policy"], "exp-policy": 1}
    token = token_mint.signed(token_mint.claims("a"), header)
    assert refused(verifier, "Bearer " + token) == "the token's header is not valid (RFC 7515)"


# The header and the token's form.


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "no bearer token: send the header 'Authorization: Bearer <token>'"),
        ("", "no bearer token: send the header 'Authorization: Bearer <token>'"),
        ("   ", "no bearer token: send the header 'Authorization: Bearer <token>'"),
        ("Bearer", "the Authorization header is not 'Bearer <token>' (RFC 6750)"),
        ("Bearer ", "the Authorization header is not 'Bearer <token>' (RFC 6750)"),
        ("Basic YWRtaW46YWRtaW4=", "the Authorization header is not 'Bearer <token>' (RFC 6750)"),
        ("Bearer a b", "the Authorization header is not 'Bearer <token>' (RFC 6750)"),
        ("Bearer\ta.b.c", "the Authorization header is not 'Bearer <token>' (RFC 6750)"),
        ("Bearer a.b.c\u00e9", "the Authorization header is not 'Bearer <token>' (RFC 6750)"),
        ("Bearer a=b", "the Authorization header is not 'Bearer <token>' (RFC 6750)"),
        ("Token abc", "the Authorization header is not 'Bearer <token>' (RFC 6750)"),
        ("Bearer abc", "the token is not a signed JWT (a JWS in compact serialisation)"),
        ("Bearer a.b.c", "the token is not a signed JWT (a JWS in compact serialisation)"),
        ("Bearer a.b.c.d.e", "the token is not a signed JWT (a JWS in compact serialisation)"),
        ("Bearer ...", "the token is not a signed JWT (a JWS in compact serialisation)"),
        ("Bearer e30.e30.e30", "the token is not a signed JWT (a JWS in compact serialisation)"),
        ("Bearer WzFd.e30.", "the token is not a signed JWT (a JWS in compact serialisation)"),
        ("Bearer ImFsZyI.e30.", "the token is not a signed JWT (a JWS in compact serialisation)"),
    ],
)
def test_garbage_is_refused_with_a_reason(
    verifier: TokenVerifier, header: str | None, reason: str
) -> None:
    assert refused(verifier, header).startswith(reason)


def test_a_token_over_16_kib_is_refused_before_it_is_parsed(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    claims = {**token_mint.claims("a"), "padding": "x" * MAX_TOKEN_BYTES}
    huge = token_mint.signed(claims)
    assert (
        refused(verifier, f"Bearer {huge}") == f"the token is longer than {MAX_TOKEN_BYTES} bytes"
    )
    just_over = "Bearer " + "a" * (MAX_TOKEN_BYTES + 1)
    assert "longer than" in refused(verifier, just_over)
    megabyte = "Bearer " + "a" * 1_000_000
    assert "longer than" in refused(verifier, megabyte)


def test_claims_that_are_not_a_json_object_are_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    for payload in (b"[1]", b'"sub"', b"{", b"\xff\xfe", b"[" * 5000 + b"]" * 5000):
        signing_input = f"{segment(token_mint.header())}.{b64(payload)}"
        signature = token_mint.key.private_key.sign(signing_input.encode())  # type: ignore[union-attr]
        reason = refused(verifier, f"Bearer {signing_input}.{b64(signature)}")
        assert reason == "the token's claims are not a JSON object", payload


def _raw_signed(token_mint: TokenMint, header: bytes, payload: bytes) -> str:
    """A token whose header and claims are exactly these bytes, signed by the mint's key."""
    signing_input = f"{b64(header)}.{b64(payload)}"
    signature = token_mint.key.private_key.sign(signing_input.encode())  # type: ignore[union-attr]
    return f"Bearer {signing_input}.{b64(signature)}"


def test_a_name_given_twice_in_the_claims_or_the_header_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    """RFC 7519 lets a parser refuse a claim name given twice or take the last; a token
    naming two subjects, or two algorithms, may be read one way by a gateway and the other
    here. It was read by its last ``sub``; it is now refused, as is a header naming a
    member twice."""
    header = json.dumps(token_mint.header()).encode()
    claims = json.dumps(token_mint.claims("mentor.amara", "coordinator")).encode()
    assert verifier.principal(_raw_signed(token_mint, header, claims)).subject == "mentor.amara"
    twice = claims.replace(b'"sub":', b'"sub": "coord.rhea", "sub":', 1)
    assert json.loads(twice)["sub"] == "mentor.amara"  # last wins, for a lenient parser
    reason = refused(verifier, _raw_signed(token_mint, header, twice))
    assert reason == "the token's claims name 'sub' twice (RFC 7519, section 4)"
    nested = claims.replace(b'"roles":', b'"x": {"a": 1, "a": 2}, "roles":', 1)
    assert refused(verifier, _raw_signed(token_mint, header, nested)) == (
        "the token's claims name 'x.a' twice (RFC 7519, section 4)"
    )
    alg_twice = header.replace(b'"alg":', b'"alg": "none", "alg":', 1)
    assert refused(verifier, _raw_signed(token_mint, alg_twice, claims)) == (
        "the token's header names 'alg' twice (RFC 7515, section 4)"
    )


def test_a_number_readers_take_differently_in_the_claims_or_the_header_is_refused(
    token_mint: TokenMint, verifier: TokenVerifier
) -> None:
    """``json`` reads an ``exp`` of ``1e400`` as infinity: a token that never expires.
    Refused, naming the member, as is such a number in the header."""
    header = json.dumps(token_mint.header()).encode()
    claims = json.dumps(token_mint.claims("mentor.amara", "coordinator")).encode()
    forever = re.sub(rb'"exp": \d+', b'"exp": 1e400', claims)
    assert forever != claims
    why = "a number too large for a 64-bit float, which readers take as infinity or refuse"
    assert refused(verifier, _raw_signed(token_mint, header, forever)) == (
        f"in the token's claims, 'exp' is {why}"
    )
    odd = header.replace(b'"alg":', b'"x": [1e400], "alg":', 1)
    assert refused(verifier, _raw_signed(token_mint, odd, claims)) == (
        f"in the token's header, 'x[0]' is {why}"
    )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_changed_token_is_always_refused_with_a_token_error(
    token_mint: TokenMint, verifier: TokenVerifier, data: st.DataObject
) -> None:
    """Replacing, inserting or deleting bytes anywhere in a valid token never gives a
    principal, and never raises anything but TokenError."""
    token = token_mint.token("coord.rhea", "administrator").encode()
    changed = bytearray(token)
    for _ in range(data.draw(st.integers(1, 4), label="changes")):
        at = data.draw(st.integers(0, len(changed)), label="at")
        byte = data.draw(st.integers(0, 255), label="byte")
        match data.draw(st.sampled_from(["replace", "insert", "delete"]), label="how"):
            case "replace" if at < len(changed):
                changed[at] = byte
            case "delete" if at < len(changed):
                del changed[at]
            case _:
                changed.insert(at, byte)
    # spaces or tabs around a header's value are not part of it (RFC 9110, section 5.5)
    assume(bytes(changed).strip(b" \t") != token)
    with pytest.raises(TokenError):
        verifier.principal("Bearer " + changed.decode("latin-1"))


@pytest.mark.parametrize("around", ["\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u3000"])
def test_only_spaces_and_tabs_may_surround_a_token(
    token_mint: TokenMint, verifier: TokenVerifier, around: str
) -> None:
    """Other whitespace Python's ``strip`` takes off made another text the same token."""
    token = token_mint.token("coord.rhea", "administrator")
    assert verifier.principal(f" \tBearer {token}\t ").subject == "coord.rhea"
    for header in (f"Bearer {token}{around}", f"{around}Bearer {token}"):
        assert "is not 'Bearer <token>'" in refused(verifier, header)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(header=st.one_of(st.text(), st.text().map("Bearer ".__add__)))
def test_any_text_is_refused_with_a_token_error(verifier: TokenVerifier, header: str) -> None:
    with pytest.raises(TokenError):
        verifier.principal(header)


@pytest.mark.parametrize(
    "change", [{"jwks": ""}, {"issuer": ""}, {"audience": ""}, {"leeway_seconds": -1}]
)
def test_settings_that_would_accept_anything_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"'(jwks|issuer|audience|leeway_seconds)' must"):
        TokenSettings(**{"jwks": "keys.jwks", "issuer": "i", "audience": "a", **change})


# The JWKS: a file.


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "is not a JWKS"),
        (b"not json", "is not a JWKS"),
        (b"[]", "is not a JWKS"),
        (b'{"keys": {}}', "is not a JWKS"),
        (b'{"keys": []}', "holds a key that cannot be read"),
        (b'{"keys": [{"kty": "OKP", "crv": "Ed25519"}]}', "holds a key that cannot be read"),
        (b'{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', "holds a symmetric (oct) key"),
        (
            b'{"keys": [{"kty": "OKP", "kid": "a", "kid": "b"}]}',
            "names 'keys[0].kid' twice in one object, which readers take differently",
        ),
        (
            b'{"keys": [{"kty": "OKP", "kid": "a", "size": 1e400}]}',
            "'keys[0].size' is a number too large for a 64-bit float, which readers take as "
            "infinity or refuse",
        ),
    ],
)
def test_a_jwks_file_that_cannot_be_used_is_refused_at_start(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "jwks.json"
    path.write_bytes(content)
    with pytest.raises(KeySetError, match=re.escape(problem)):
        TokenVerifier(TokenSettings(jwks=str(path), issuer="i", audience="a"))


def test_a_jwks_holding_a_private_key_is_refused(tmp_path: Path, token_mint: TokenMint) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [json.loads(token_mint.private_key.read_text())]}))
    with pytest.raises(KeySetError, match="holds a private key"):
        TokenVerifier(TokenSettings(jwks=str(path), issuer="i", audience="a"))


SHORT_RSA = "ignore:Key size should be >= 2048 bits:joserfc.errors.SecurityWarning"
"""joserfc warns on making a 1024-bit RSA key, as the tests of refusing one do."""


def _with_prime(key: RSAKey) -> dict[str, Any]:
    """A public RSA JWK that also publishes p: anyone can factor n and sign with it."""
    return {**key.as_dict(private=False), "p": key.as_dict(private=True)["p"]}


_ED = OKPKey.generate_key("Ed25519", auto_kid=True)


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ([lambda: _with_prime(RSAKey.generate_key(2048, auto_kid=True))], "holds a private key"),
        ([lambda: RSAKey.generate_key(1024, auto_kid=True)], "an RSA key of 1024 bits"),
        ([lambda: ECKey.generate_key("P-384", auto_kid=True)], "holds no key"),
        ([lambda: OKPKey.generate_key("X25519", auto_kid=True)], "holds no key"),
        ([lambda: {**_ED.as_dict(private=False), "use": "enc"}], "holds no key"),
        ([lambda: {**_ED.as_dict(private=False), "alg": "RS256"}], "holds no key"),
        ([lambda: {**_ED.as_dict(private=False), "key_ops": ["encrypt"]}], "holds no key"),
    ],
)
@pytest.mark.filterwarnings(SHORT_RSA)
def test_a_jwks_with_no_key_fit_to_verify_or_with_a_weak_one_is_refused(
    tmp_path: Path, keys: list[Any], problem: str
) -> None:
    """A JWKS none of whose keys can verify an EdDSA, ES256 or RS256 token would make the
    API refuse every request; an RSA key under 2048 bits (RFC 7518, section 3.3) or one
    that publishes a private member (its prime p) can be forged with."""
    path = write_jwks(tmp_path, *(make() for make in keys))
    with pytest.raises(KeySetError, match=re.escape(problem)):
        TokenVerifier(TokenSettings(jwks=str(path), issuer="i", audience="a"))


def test_a_jwks_with_other_keys_besides_a_signing_key_is_accepted(
    tmp_path: Path, token_mint: TokenMint
) -> None:
    """A provider publishes its encryption keys too (Keycloak's RSA-OAEP key)."""
    encryption = {**RSAKey.generate_key(2048, auto_kid=True).as_dict(), "use": "enc"}
    path = write_jwks(tmp_path, encryption, token_mint.key)
    settings = attrs.evolve(token_mint.settings(), jwks=str(path))
    assert (
        TokenVerifier(settings).principal(token_mint.bearer("coord.rhea")).subject == "coord.rhea"
    )


def test_a_missing_or_huge_jwks_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KeySetError, match=r"cannot read the JWKS file .*No such file"):
        TokenVerifier(TokenSettings(jwks=str(tmp_path / "none.json"), issuer="i", audience="a"))
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * (1024 * 1024 + 1))
    with pytest.raises(KeySetError, match="is larger than"):
        TokenVerifier(TokenSettings(jwks=str(huge), issuer="i", audience="a"))


# The JWKS: a URL, served by a real HTTPS server.


class JwksServer:
    """Serves ``body`` at /jwks.json on 127.0.0.1, over TLS when given a certificate, and
    answers /old with a redirect to ``redirect`` (at first, its own /jwks.json); counts
    the requests."""

    def __init__(self, certificate: Certificate | None = None) -> None:
        self.body = b""
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                if self.path == "/old":
                    self.send_response(302)
                    self.send_header("Location", outer.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path != "/jwks.json" or not outer.body:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/jwk-set+json")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if certificate is not None:
            context = server_context(certificate)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        scheme = "http" if certificate is None else "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        self.old = self.url.replace("/jwks.json", "/old")
        self.redirect = self.url

    def publish(self, *keys: Key) -> None:
        self.body = json.dumps({"keys": [k.as_dict(private=False) for k in keys]}).encode()


@contextmanager
def serving(served: JwksServer) -> Iterator[JwksServer]:
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """The test HTTPS servers' certificate, trusted only where a test says so."""
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def jwks_server(certificate: Certificate, monkeypatch: pytest.MonkeyPatch) -> Iterator[JwksServer]:
    """An HTTPS server whose certificate the default SSL context trusts (SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.certificate))
    with serving(JwksServer(certificate)) as served:
        yield served


@pytest.fixture
def plain_http_server() -> Iterator[JwksServer]:
    """An HTTP server (no TLS) on 127.0.0.1, serving what anyone could."""
    with serving(JwksServer()) as served:
        yield served


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def signed_by(mint: TokenMint, key: OKPKey, subject: str) -> str:
    header = {"alg": "EdDSA", "typ": "at+jwt", "kid": key.kid}
    return "Bearer " + mint.signed(mint.claims(subject), header, key=key)


def test_keys_are_fetched_from_a_url_and_a_rotation_is_followed(
    jwks_server: JwksServer, token_mint: TokenMint
) -> None:
    old, new = (OKPKey.generate_key("Ed25519", auto_kid=True) for _ in range(2))
    jwks_server.publish(old)
    clock = Clock()
    settings_ = TokenSettings(jwks=jwks_server.url, issuer=token_mint.issuer, audience=AUDIENCE)
    verifier = TokenVerifier(settings_, clock=clock)
    assert jwks_server.requests == 1
    assert verifier.principal(signed_by(token_mint, old, "a")).subject == "a"
    assert jwks_server.requests == 1  # kept, not fetched again

    jwks_server.publish(old, new)  # the provider starts signing with a new key
    clock.now += 59  # less than a minute after the last fetch: not fetched again yet
    assert "not one of the issuer's keys" in refused(verifier, signed_by(token_mint, new, "b"))
    assert jwks_server.requests == 1
    clock.now += 1
    assert verifier.principal(signed_by(token_mint, new, "b")).subject == "b"
    assert jwks_server.requests == 2

    jwks_server.publish(new)  # and then withdraws the old one
    clock.now += 61
    assert verifier.principal(signed_by(token_mint, old, "c")).subject == "c"  # still known here
    stranger = OKPKey.generate_key("Ed25519", auto_kid=True)
    assert "not one of the issuer's keys" in refused(verifier, signed_by(token_mint, stranger, "d"))
    assert jwks_server.requests == 3
    assert "not one of the issuer's keys" in refused(verifier, signed_by(token_mint, old, "c"))
    assert verifier.principal(signed_by(token_mint, new, "e")).subject == "e"


def test_unknown_keys_make_the_url_be_fetched_at_most_once_a_minute(
    jwks_server: JwksServer, token_mint: TokenMint
) -> None:
    known = OKPKey.generate_key("Ed25519", auto_kid=True)
    jwks_server.publish(known)
    clock = Clock()
    settings_ = TokenSettings(jwks=jwks_server.url, issuer=token_mint.issuer, audience=AUDIENCE)
    verifier = TokenVerifier(settings_, clock=clock)
    strangers = [OKPKey.generate_key("Ed25519", auto_kid=True) for _ in range(5)]
    clock.now += 60
    for stranger in strangers:
        refused(verifier, signed_by(token_mint, stranger, "x"))
        clock.now += 10
    assert jwks_server.requests == 2  # at start, and once for the first stranger
    clock.now += 10  # 60 s after that fetch
    refused(verifier, signed_by(token_mint, strangers[0], "x"))
    assert jwks_server.requests == 3


def test_keys_already_fetched_are_kept_while_the_url_fails(
    jwks_server: JwksServer, token_mint: TokenMint
) -> None:
    known, rotated = (OKPKey.generate_key("Ed25519", auto_kid=True) for _ in range(2))
    jwks_server.publish(known)
    clock = Clock()
    settings_ = TokenSettings(jwks=jwks_server.url, issuer=token_mint.issuer, audience=AUDIENCE)
    verifier = TokenVerifier(settings_, clock=clock)
    jwks_server.body = b"<html>maintenance</html>"
    clock.now += 120
    assert "not one of the issuer's keys" in refused(verifier, signed_by(token_mint, rotated, "x"))
    assert jwks_server.requests == 2
    assert verifier.principal(signed_by(token_mint, known, "y")).subject == "y"
    jwks_server.publish(rotated)
    clock.now += 120
    assert verifier.principal(signed_by(token_mint, rotated, "z")).subject == "z"


def test_a_url_that_serves_no_jwks_is_refused_at_start(jwks_server: JwksServer) -> None:
    with pytest.raises(KeySetError, match=r"cannot fetch the JWKS from .*404"):
        TokenVerifier(TokenSettings(jwks=jwks_server.url, issuer="i", audience="a"))
    closed = jwks_server.url.replace("/jwks.json", "/").rsplit(":", 1)[0] + ":9/jwks.json"
    with pytest.raises(KeySetError, match="cannot fetch the JWKS from"):
        TokenVerifier(TokenSettings(jwks=closed, issuer="i", audience="a"))


def test_a_jwks_url_that_cannot_be_split_is_refused_at_start() -> None:
    """An unclosed '[' (urllib: Invalid IPv6 URL) is a KeySetError, as every other JWKS
    that cannot be used is ('mentoring serve' names --jwks), not a ValueError."""
    with pytest.raises(KeySetError, match=r"http://\[::1/jwks\.json.*Invalid IPv6 URL"):
        TokenVerifier(TokenSettings(jwks="http://[::1/jwks.json", issuer="i", audience="a"))


HTTPS_REQUIRED = "https:// is required"


def test_a_jwks_url_that_is_not_https_is_refused_before_anything_is_fetched(
    plain_http_server: JwksServer, tmp_path: Path
) -> None:
    """Keys fetched over plain HTTP (or FTP) could be replaced by anyone on the network
    path, who would then sign their own administrator tokens: such a URL is refused when
    the settings are made, on a loopback address too; a file is given by its path."""
    plain_http_server.publish(OKPKey.generate_key("Ed25519", auto_kid=True))
    jwks_file = write_jwks(tmp_path, OKPKey.generate_key("Ed25519", auto_kid=True))
    for url in (
        plain_http_server.url,
        plain_http_server.url.replace("http://127.0.0.1", "HTTP://localhost"),
        "http://[::1]:9/jwks.json",
        "http://login.riverbend.test/.well-known/jwks.json",
        "ftp://login.riverbend.test/jwks.json",
        f"file://{jwks_file}",
    ):
        with pytest.raises(KeySetError) as raised:
            TokenSettings(jwks=url, issuer="i", audience="a")
        assert str(raised.value).startswith(f"the JWKS URL {url} is refused: {HTTPS_REQUIRED}")
    assert plain_http_server.requests == 0
    with pytest.raises(KeySetError, match=r"the JWKS URL https:///jwks\.json names no host"):
        TokenSettings(jwks="https:///jwks.json", issuer="i", audience="a")


def test_a_jwks_url_redirecting_to_a_url_that_is_not_https_is_refused(
    jwks_server: JwksServer, plain_http_server: JwksServer, token_mint: TokenMint
) -> None:
    """urllib follows a redirect from https to http: each hop is checked, at start and at
    every later fetch, and the plain HTTP server is never asked; https to https is fine."""
    known, injected = (OKPKey.generate_key("Ed25519", auto_kid=True) for _ in range(2))
    jwks_server.publish(known)
    plain_http_server.publish(known, injected)
    clock = Clock()
    settings_ = TokenSettings(jwks=jwks_server.old, issuer=token_mint.issuer, audience=AUDIENCE)
    verifier = TokenVerifier(settings_, clock=clock)  # /old redirects to /jwks.json, https
    assert jwks_server.requests == 2
    assert verifier.principal(signed_by(token_mint, known, "a")).subject == "a"

    jwks_server.redirect = plain_http_server.url
    clock.now += 60
    assert "not one of the issuer's keys" in refused(verifier, signed_by(token_mint, injected, "b"))
    assert jwks_server.requests == 3
    with pytest.raises(KeySetError) as raised:
        TokenVerifier(settings_)
    assert str(raised.value) == (
        f"the JWKS URL {jwks_server.old} redirects to {plain_http_server.url}, which is"
        f" refused: {HTTPS_REQUIRED}"
        " (keys fetched otherwise could be replaced on the way; give a JWKS file by its path)"
    )
    assert plain_http_server.requests == 0


def test_a_jwks_server_whose_certificate_is_not_trusted_is_refused(
    certificate: Certificate,
) -> None:
    """The certificate is verified (Python's default SSL context): a server presenting
    one that no trusted authority signed is not believed."""
    with serving(JwksServer(certificate)) as untrusted:
        untrusted.publish(OKPKey.generate_key("Ed25519", auto_kid=True))
        with pytest.raises(KeySetError, match=r"cannot fetch the JWKS from .*CERTIFICATE_VERIFY"):
            TokenVerifier(TokenSettings(jwks=untrusted.url, issuer="i", audience="a"))


# Development keys and tokens.


def test_a_key_pair_is_written_owner_only_and_never_over_a_file(tmp_path: Path) -> None:
    private, public = generate_key_pair(tmp_path / "keys")
    assert (private.name, public.name) == (PRIVATE_KEY_FILE, PUBLIC_KEYS_FILE)
    for path in (private, public):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    published = json.loads(public.read_text())["keys"]
    assert len(published) == 1 and "d" not in published[0]
    assert published[0]["crv"] == "Ed25519" and published[0]["use"] == "sig"
    before = (private.read_bytes(), public.read_bytes())
    with pytest.raises(FileExistsError, match="never overwritten"):
        generate_key_pair(tmp_path / "keys")
    assert (private.read_bytes(), public.read_bytes()) == before
    public.unlink()
    with pytest.raises(FileExistsError):
        generate_key_pair(tmp_path / "keys")  # the private key alone is enough to refuse
    assert not public.exists()


CUT_SHORT = """
import resource, sys
from pathlib import Path
from mentoring_http.tokens import generate_key_pair
resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))  # every file ends at its 64th byte
generate_key_pair(Path(sys.argv[1]))
"""


def test_a_key_pair_cut_short_mid_write_leaves_no_key_file(tmp_path: Path) -> None:
    """A write that fails part way (here the file size limit, as a full disk would) once
    left the first 64 bytes of the private key at its name, which the next keygen then
    refused to replace: the keys are written beside them and linked into place whole."""
    keys = tmp_path / "keys"
    keys.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", CUT_SHORT, str(keys)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and "File too large" in done.stderr, done.stderr
    assert sorted(p.name for p in keys.iterdir()) == []  # no key, no temporary file
    private, public = generate_key_pair(keys)  # and the next keygen is not refused
    assert json.loads(private.read_text())["d"] and json.loads(public.read_text())["keys"]


def test_an_issued_token_carries_the_rfc_9068_claims(token_mint: TokenMint) -> None:
    now = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    token = token_mint.token("coord.rhea", "auditor", "auditor", now=now, lifetime_seconds=600)
    claims = json.loads(_decoded(token.split(".")[1]))
    assert claims.pop("jti")
    assert claims == {
        "iss": token_mint.issuer,
        "sub": "coord.rhea",
        "aud": token_mint.audience,
        "client_id": "mentoring-token",
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + 600,
        "roles": ["auditor"],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject": ""}, "the subject '' is not a non-empty string"),
        ({"subject": "a\nb"}, "holds unprintable characters"),
        ({"lifetime_seconds": 0}, "the lifetime 0 s is not between 1 and 86400 s"),
        ({"lifetime_seconds": 86401}, "not between 1 and 86400 s"),
        ({"issuer": ""}, "the issuer is empty"),
        ({"audience": ""}, "the audience is empty"),
    ],
)
def test_issuing_refuses_bad_values(
    token_mint: TokenMint, change: dict[str, Any], message: str
) -> None:
    options = {"subject": "a", "roles": [], "issuer": "i", "audience": "a", **change}
    with pytest.raises(ValueError, match=message):
        issue_token(token_mint.private_key, **options)


@pytest.mark.filterwarnings(SHORT_RSA)
def test_issuing_needs_a_private_signing_key(tmp_path: Path, token_mint: TokenMint) -> None:
    options: dict[str, Any] = {"subject": "a", "roles": [], "issuer": "i", "audience": "a"}
    with pytest.raises(ValueError, match="is not a private JWK"):
        issue_token(token_mint.jwks, **options)  # a JWKS, not a JWK
    public = tmp_path / "public.jwk"
    public.write_text(json.dumps(token_mint.key.as_dict(private=False)))
    with pytest.raises(ValueError, match="holds a public key"):
        issue_token(public, **options)
    p384 = write_jwk(tmp_path, "p384.jwk", ECKey.generate_key("P-384"))
    with pytest.raises(ValueError, match="is not an Ed25519, P-256 or RSA key"):
        issue_token(p384, **options)
    short = write_jwk(tmp_path, "short.jwk", RSAKey.generate_key(1024))
    with pytest.raises(ValueError, match="is an RSA key of 1024 bits"):
        issue_token(short, **options)
