"""Bearer access tokens: who a request comes from (``docs/http-tokens.md``).

A request carries ``Authorization: Bearer <token>`` (RFC 6750), where the token is a
JWT access token of the RFC 9068 profile, signed by the organisation's identity
provider. :class:`TokenVerifier` checks it locally, with joserfc, against the
provider's published keys (a JWKS file or ``https://`` URL), its issuer and the
audience of this service, and turns it into a
:class:`~mentoring_core.authorisation.Principal`: the token's subject is the actor,
and its ``roles`` claim may make them an administrator or an auditor. Every token it
cannot accept raises :class:`TokenError`, whose reason names the rule broken and
never repeats the token.

:func:`generate_key_pair` and :func:`issue_token` stand in for an identity provider
during development and the demo (``mentoring token``); they are not for production.
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import re
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import attrs
from joserfc import jws
from joserfc.errors import (
    ClaimError,
    ExpiredTokenError,
    InvalidKeyCurveError,
    JoseError,
    KeyParameterError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import ECKey, JWKRegistry, Key, KeySet, OKPKey, RSAKey
from joserfc.jwt import JWTClaimsRegistry

from mentoring_core.authorisation import Principal, Role
from mentoring_core.extend import NamedTwice, UnreadableNumber, create_file, read_json
from mentoring_http.token_profile import (
    MAX_LIFETIME_SECONDS,
    PRIVATE_KEY_FILE,
    PUBLIC_KEYS_FILE,
    TOKEN_ROLES,
    subject_problem,
)

MAX_TOKEN_BYTES = 16 * 1024
"""A longer token is refused before it is parsed."""
MAX_KEY_SET_BYTES = 1024 * 1024
"""A longer JWKS (file or response) is refused."""
REFETCH_INTERVAL_SECONDS = 60.0
"""A JWKS URL is fetched again, for a token signed by a key it did not have, at most this often."""
FETCH_TIMEOUT_SECONDS = 5.0

ACCEPTED_ALGORITHMS = ("EdDSA", "ES256", "RS256")
ACCESS_TOKEN_TYPES = frozenset({"at+jwt", "application/at+jwt"})
REQUIRED_CLAIMS = ("iss", "exp", "aud", "sub", "client_id", "iat", "jti")
"""The claims RFC 9068 (section 2.2) requires of every access token."""
DEVELOPMENT_CLIENT_ID = "mentoring-token"
"""The ``client_id`` of the tokens :func:`issue_token` makes."""

_LATEST_EXP = 2**40
"""An ``exp`` beyond any real time (2**40 s: the year 36812) is taken as this one."""
_BEARER = re.compile(r"bearer +([A-Za-z0-9._~+/-]+=*)", re.IGNORECASE | re.ASCII)
"""RFC 6750, section 2.1: the scheme (any case), then the token (b64token)."""
_OWS = " \t"
"""What may surround a header's value (RFC 9110, section 5.5: spaces and tabs), and
nothing else: no other character makes another text the same token."""


class TokenError(Exception):
    """A request's token cannot be accepted; ``reason`` may be shown to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@attrs.frozen
class VerifiedToken:
    """A bearer token :class:`TokenVerifier` accepted: who sent it, and until when."""

    principal: Principal
    expires_at: float
    """The moment (POSIX seconds) after which the verifier refuses the token: its ``exp``
    plus the leeway. A request answered over time (a live stream) ends then."""


class KeySetError(Exception):
    """The configured JWKS cannot be read, or holds something it must not."""


class _Registry(jws.JWSRegistry):
    """joserfc's JWS registry, allowing only the accepted algorithms.

    joserfc warns at every use of ``EdDSA`` that RFC 9864 names a fully specified
    ``Ed25519`` algorithm instead; identity providers still sign with ``EdDSA``, and
    the algorithm is chosen here on purpose, so the warning is not raised.
    """

    def get_alg(self, name: str) -> Any:
        if name not in ACCEPTED_ALGORITHMS:
            raise UnsupportedAlgorithmError(f"Algorithm of '{name}' is not allowed")
        return self.algorithms[name]


_REGISTRY = _Registry(algorithms=ACCEPTED_ALGORITHMS, strict_check_header=False)


@attrs.frozen(kw_only=True)
class TokenSettings:
    """Whom to trust: the provider's keys, its issuer name and this service's audience."""

    jwks: str = attrs.field(validator=attrs.validators.min_len(1))
    """A JWKS file's path, or an ``https://`` URL serving the JWKS; any other URL
    (``http://``, ``ftp://``, ``file://``...) raises :class:`KeySetError` here."""
    issuer: str = attrs.field(validator=attrs.validators.min_len(1))
    """The ``iss`` every token must carry, exactly."""
    audience: str = attrs.field(validator=attrs.validators.min_len(1))
    """The ``aud`` every token must carry (or list), exactly."""
    leeway_seconds: int = attrs.field(default=30, validator=attrs.validators.ge(0))
    """Clock skew allowed when checking ``exp``, ``nbf`` and ``iat``."""

    @jwks.validator
    def _check_jwks(self, attribute: attrs.Attribute[str], jwks: str) -> None:
        _jwks_url(jwks)


class TokenVerifier:
    """Checks bearer tokens against one issuer's keys (see the module's documentation).

    A JWKS file is read once, here. A JWKS URL (https only, as is every redirect it
    answers with) is fetched here and kept; a token signed by a key it does not hold
    makes it fetch the set again (so that a provider can rotate its keys), at most
    once every :data:`REFETCH_INTERVAL_SECONDS`. ``clock`` (monotonic seconds) paces
    those fetches. Raises :class:`KeySetError` when the JWKS cannot be read, holds a
    private, symmetric or short RSA key or no key to verify a token with, or its URL is
    not https.
    """

    def __init__(
        self, settings: TokenSettings, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._url = _jwks_url(settings.jwks)
        self._lock = threading.Lock()
        self._fetched_at = clock()
        self._keys = _load_key_set(settings.jwks, self._url)

    def principal(self, authorization_header: str | None) -> Principal:
        """Who sent the ``Authorization`` header; raises :class:`TokenError` if not accepted."""
        return self.verify(authorization_header).principal

    def verify(self, authorization_header: str | None) -> VerifiedToken:
        """The ``Authorization`` header's token, accepted: who sent it and until when;
        raises :class:`TokenError` if not accepted."""
        token = _bearer_token(authorization_header)
        signed = _extract(token)
        _names_once_in_header(token)
        header = signed.headers()
        kid = _check_header(header)
        key = _for_algorithm(self._keys_named(kid), header["alg"])
        _check_signature(signed, key)
        claims = _claims(signed.payload)
        _check_claims(claims, self._settings)
        return VerifiedToken(
            principal=Principal(subject=claims["sub"], roles=_roles(claims.get("roles"))),
            expires_at=float(min(claims["exp"], _LATEST_EXP)) + self._settings.leeway_seconds,
        )

    def _keys_named(self, kid: str) -> tuple[Key, ...]:
        keys = self._keys.get(kid)
        if keys is None and self._url is not None:
            self._refetch(self._url)
            keys = self._keys.get(kid)
        if keys is None:
            raise TokenError("the token's signing key (kid) is not one of the issuer's keys")
        return keys

    def _refetch(self, url: str) -> None:
        with self._lock:
            now = self._clock()
            if now - self._fetched_at < REFETCH_INTERVAL_SECONDS:
                return
            self._fetched_at = now
            try:
                self._keys = _index(_fetch(url), url)
            except KeySetError:
                return  # the provider is unreachable or broken: keep the keys known


def _jwks_url(jwks: str) -> str | None:
    """``jwks`` if it is a URL (``scheme://...``), None if it is a file's path; raises
    :class:`KeySetError` for a URL the keys may not be fetched from."""
    if _URL.match(jwks) is None:
        return None
    try:
        problem = _fetch_problem(jwks)
    except ValueError as error:  # an unclosed '[' (Invalid IPv6 URL)
        raise KeySetError(f"the JWKS {jwks} is neither a file nor a URL: {error}") from None
    if problem is not None:
        raise KeySetError(f"the JWKS URL {jwks} {problem}")
    return jwks


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")
"""A URL's beginning (RFC 3986: a scheme, then an authority); no path of a file starts so
(a Windows drive, ``C:\\``, has a one-letter scheme and no ``//``)."""


def _fetch_problem(url: str) -> str | None:
    """Why the keys may not be fetched from ``url`` (None: they may). Over anything but
    TLS (plain http, ftp), anyone on the network path could replace them with their own
    and sign any token: https only, even to a loopback address, where the keys' own
    file can be given instead. Raises ValueError for a URL urllib cannot split."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "https":
        return (
            f"is refused: {_HTTPS_REQUIRED} (keys fetched otherwise could be replaced on the"
            " way; give a JWKS file by its path)"
        )
    if not parts.hostname:
        return "names no host"
    return None


_HTTPS_REQUIRED = "https:// is required"


def _bearer_token(authorization_header: str | None) -> str:
    if authorization_header is not None and len(authorization_header) > MAX_TOKEN_BYTES + 64:
        raise TokenError(f"the token is longer than {MAX_TOKEN_BYTES} bytes")
    value = (authorization_header or "").strip(_OWS)
    if not value:
        raise TokenError("no bearer token: send the header 'Authorization: Bearer <token>'")
    match = _BEARER.fullmatch(value)
    if match is None:
        raise TokenError("the Authorization header is not 'Bearer <token>' (RFC 6750)")
    token = match.group(1)
    if len(token) > MAX_TOKEN_BYTES:
        raise TokenError(f"the token is longer than {MAX_TOKEN_BYTES} bytes")
    return token


def _extract(token: str) -> jws.CompactSignature:
    try:
        signed = jws.extract_compact(token.encode("ascii"), registry=_REGISTRY)
    except (JoseError, ValueError, TypeError, RecursionError):
        signed = None
    if signed is None or not isinstance(signed.headers(), dict):
        raise TokenError("the token is not a signed JWT (a JWS in compact serialisation)")
    return signed


def _names_once_in_header(token: str) -> None:
    """Refuse a header naming a member twice (joserfc reads the last)."""
    segment = token.split(".", 1)[0]
    try:
        read_json(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except NamedTwice as twice:
        raise TokenError(
            f"the token's header names {twice.path!r} twice (RFC 7515, section 4)"
        ) from None
    except UnreadableNumber as number:  # 1e400: joserfc read infinity
        raise TokenError(f"in the token's header, {number}") from None
    except (ValueError, RecursionError):  # joserfc read it: never here, but never let through
        raise TokenError("the token is not a signed JWT (a JWS in compact serialisation)") from None


def _check_header(header: dict[str, Any]) -> str:
    """The token's key id, once its header shows a signed access token."""
    alg = header.get("alg")
    if alg == "none":
        raise TokenError("an unsigned token (alg 'none') is never accepted")
    if alg not in ACCEPTED_ALGORITHMS:
        raise TokenError(
            f"the token's signing algorithm is not accepted: only {', '.join(ACCEPTED_ALGORITHMS)}"
            " are (never 'none' or an HMAC)"
        )
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower() not in ACCESS_TOKEN_TYPES:
        raise TokenError("the token is not an access token: its header's typ must be 'at+jwt'")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenError("the token does not name its signing key (the header's kid)")
    return kid


def _for_algorithm(keys: tuple[Key, ...], algorithm: str) -> Key:
    """The first of a kid's ``keys`` that verifies tokens of ``algorithm``: keys of
    different types may share a kid (RFC 7517, 4.5), such as a key to encrypt to beside
    the signing key; else the first, whose check then names what disagrees."""
    return next((k for k in keys if _algorithm_of(k) == algorithm and _verifies(k)), keys[0])


def _check_signature(signed: jws.CompactSignature, key: Key) -> None:
    try:
        valid = jws.validate_compact(signed, key, registry=_REGISTRY)
    except (KeyParameterError, InvalidKeyCurveError):
        raise TokenError(
            "the issuer's key named by the token is not meant for its algorithm "
            "(the key's kty, crv, use or alg disagrees)"
        ) from None
    except (JoseError, ValueError, TypeError):
        raise TokenError("the token's header is not valid (RFC 7515)") from None
    if not valid:
        raise TokenError("the token's signature does not verify with the issuer's key")


def _claims(payload: bytes | None) -> dict[str, Any]:
    try:
        claims = read_json(payload or b"")
    except NamedTwice as twice:
        raise TokenError(
            f"the token's claims name {twice.path!r} twice (RFC 7519, section 4)"
        ) from None
    except UnreadableNumber as number:  # an exp of 1e400 would never come
        raise TokenError(f"in the token's claims, {number}") from None
    except (ValueError, RecursionError):
        claims = None
    if not isinstance(claims, dict):
        raise TokenError("the token's claims are not a JSON object")
    return claims


def _check_claims(claims: dict[str, Any], settings: TokenSettings) -> None:
    missing = [name for name in REQUIRED_CLAIMS if claims.get(name) is None]
    if missing:
        raise TokenError(
            f"the token lacks claims every access token has (RFC 9068): {', '.join(missing)}"
        )
    if claims["iss"] != settings.issuer:
        raise TokenError(f"the token was not issued by the trusted issuer {settings.issuer!r}")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if settings.audience not in audiences:
        raise TokenError(
            f"the token is not meant for this service: its aud lacks {settings.audience!r}"
        )
    _check_times(claims, settings.leeway_seconds)
    problem = subject_problem(claims["sub"])
    if problem is not None:
        raise TokenError(f"the token's subject (sub) {problem}")
    for name in ("client_id", "jti"):
        if not isinstance(claims[name], str) or not claims[name]:
            raise TokenError(f"the token's {name} is not a non-empty string")


def _check_times(claims: dict[str, Any], leeway_seconds: int) -> None:
    times: dict[str, Any] = {n: claims[n] for n in ("exp", "nbf", "iat") if n in claims}
    try:
        JWTClaimsRegistry(leeway=leeway_seconds).validate(times)
    except ExpiredTokenError:
        raise TokenError("the token has expired (its exp has passed)") from None
    except ClaimError as error:
        value = times[error.claim]
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        # An int is finite (and math.isfinite raises OverflowError for one beyond a float).
        finite = numeric and (isinstance(value, int) or math.isfinite(value))
        if finite and error.claim in _IN_THE_FUTURE:
            raise TokenError(_IN_THE_FUTURE[error.claim]) from None
        raise TokenError(f"the token's {error.claim} is not a NumericDate") from None


_IN_THE_FUTURE = {
    "nbf": "the token is not valid yet (its nbf is in the future)",
    "iat": "the token was issued in the future (its iat)",
}


def _roles(claim: object) -> frozenset[Role]:
    if claim is None:
        return frozenset()
    if not isinstance(claim, list) or not all(isinstance(name, str) for name in claim):
        raise TokenError("the token's roles claim is not a list of strings (RFC 9068, 2.2.3.1)")
    return frozenset(TOKEN_ROLES[name] for name in claim if name in TOKEN_ROLES)


def _load_key_set(jwks: str, url: str | None) -> dict[str, tuple[Key, ...]]:
    if url is not None:
        return _index(_fetch(url), url)
    try:
        with Path(jwks).open("rb") as stream:
            body = stream.read(MAX_KEY_SET_BYTES + 1)
    except OSError as error:
        raise KeySetError(f"cannot read the JWKS file {jwks}: {error.strerror or error}") from None
    return _index(body, jwks)


def _fetch(url: str) -> bytes:
    request = urllib.request.Request(
        url, headers={"Accept": "application/jwk-set+json, application/json"}
    )
    try:
        with _https_opener().open(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            body: bytes = response.read(MAX_KEY_SET_BYTES + 1)
    except (OSError, ValueError, http.client.HTTPException) as error:
        raise KeySetError(f"cannot fetch the JWKS from {url}: {error}") from None
    return body


class _HttpsRedirectsOnly(urllib.request.HTTPRedirectHandler):
    """urllib's redirect handler, following a redirect only to a URL the keys may be
    fetched from: urllib's own follows one from https to plain http."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        problem = _fetch_problem(newurl)
        if problem is None:
            return super().redirect_request(req, fp, code, msg, headers, newurl)
        fp.close()
        raise KeySetError(f"the JWKS URL {req.full_url} redirects to {newurl}, which {problem}")


def _https_opener() -> urllib.request.OpenerDirector:
    """An opener of ``https`` URLs only (urllib's ``build_opener`` adds its http, file,
    data and FTP handlers too), through the proxy the environment names (a tunnel: TLS
    stays end to end), checking the server's certificate (Python's default SSL context)
    and every redirect (:class:`_HttpsRedirectsOnly`); any other URL is refused."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _HttpsRedirectsOnly(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _index(body: bytes, where: str) -> dict[str, tuple[Key, ...]]:
    """The keys of a JWKS document by their kid, in the document's order."""
    if len(body) > MAX_KEY_SET_BYTES:
        raise KeySetError(f"the JWKS {where} is larger than {MAX_KEY_SET_BYTES} bytes")
    try:
        document = read_json(body)
    except NamedTwice as twice:
        raise KeySetError(
            f"the JWKS {where} names {twice.path!r} twice in one object, which readers "
            "take differently"
        ) from None
    except UnreadableNumber as number:
        raise KeySetError(f"in the JWKS {where}, {number}") from None
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeySetError(f"{where} is not a JWKS (a JSON object with a list of keys)")
    _check_key_documents([key for key in document["keys"] if isinstance(key, dict)], where)
    try:
        keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as error:
        raise KeySetError(f"the JWKS {where} holds a key that cannot be read: {error}") from None
    if not any(_verifies(key) for key in keys):
        raise KeySetError(
            f"the JWKS {where} holds no key to verify a token with: an Ed25519, P-256 or RSA "
            "key whose use, alg and key_ops (if given) allow signatures of EdDSA, ES256 or RS256"
        )
    indexed: dict[str, tuple[Key, ...]] = {}
    for key in keys.keys:
        indexed[str(key.kid)] = (*indexed.get(str(key.kid), ()), key)
    return indexed


_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth")
"""The members of a private JWK (RFC 7518, section 6): one of them in a published key
(an RSA prime ``p``, which factors ``n``) gives the private key away."""
MIN_RSA_BITS = 2048
"""RFC 7518, section 3.3: a shorter RSA key MUST NOT be used with RS256."""


def _check_key_documents(keys: list[dict[str, Any]], where: str) -> None:
    """Refuse, before joserfc reads them, keys no JWKS may publish: symmetric keys,
    private members, and RSA keys too short to trust."""
    if any(key.get("kty") == "oct" for key in keys):
        raise KeySetError(f"the JWKS {where} holds a symmetric (oct) key: give public keys only")
    if any(name in key for key in keys for name in _PRIVATE_MEMBERS):
        raise KeySetError(f"the JWKS {where} holds a private key: give the public keys only")
    for key in keys:
        problem = _rsa_problem(key)
        if problem is not None:
            raise KeySetError(f"the JWKS {where} holds {problem}")


def _rsa_problem(key: dict[str, Any]) -> str | None:
    """Why an RSA JWK is too short to trust (None: it is not one, or is long enough, or
    joserfc will refuse its ``n``)."""
    modulus = key.get("n")
    if key.get("kty") != "RSA" or not isinstance(modulus, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(modulus + "=" * (-len(modulus) % 4))
    except ValueError:
        return None
    bits = int.from_bytes(raw, "big").bit_length()
    if bits >= MIN_RSA_BITS:
        return None
    return f"an RSA key of {bits} bits: RS256 needs at least {MIN_RSA_BITS} (RFC 7518, section 3.3)"


def _verifies(key: Key) -> bool:
    """Whether ``key`` can verify a token of an accepted algorithm."""
    algorithm = _algorithm_of(key)
    if algorithm is None:
        return False
    try:
        key.check_use("sig")
        key.check_alg(algorithm)
        key.check_key_op("verify")
    except JoseError:
        return False
    return True


def issue_token(
    private_jwk_path: Path,
    *,
    subject: str,
    roles: Iterable[str],
    issuer: str,
    audience: str,
    lifetime_seconds: int = 3600,
    now: datetime | None = None,
) -> str:
    """DEVELOPMENT ONLY: an access token signed with a local key, as a provider would issue.

    The key (a private JWK: Ed25519, P-256 or RSA of 2048 bits at least) decides the
    algorithm (EdDSA, ES256 or RS256). Raises ValueError naming the rule a value breaks,
    OSError if the key cannot be read.
    """
    key = _private_key(private_jwk_path)
    problem = subject_problem(subject)
    if problem is not None:
        raise ValueError(f"the subject {subject!r} {problem}")
    if not 0 < lifetime_seconds <= MAX_LIFETIME_SECONDS:
        raise ValueError(
            f"the lifetime {lifetime_seconds} s is not between 1 and {MAX_LIFETIME_SECONDS} s"
        )
    for name, value in (("issuer", issuer), ("audience", audience)):
        if not value:
            raise ValueError(f"the {name} is empty")
    issued_at = int((now or datetime.now(UTC)).timestamp())
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "client_id": DEVELOPMENT_CLIENT_ID,
        "iat": issued_at,
        "exp": issued_at + lifetime_seconds,
        "jti": uuid.uuid4().hex,
        "roles": sorted(set(roles)),
    }
    algorithm = _algorithm_of(key)
    if algorithm is None:
        raise ValueError(
            f"{private_jwk_path} is not an Ed25519, P-256 or RSA key: tokens are signed with "
            "EdDSA, ES256 or RS256"
        )
    header = {"alg": algorithm, "typ": "at+jwt", "kid": key.kid}
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False)
    try:
        return jws.serialize_compact(header, payload, key, registry=_REGISTRY)
    except JoseError as error:
        raise ValueError(f"{private_jwk_path} cannot sign a token: {error}") from None


def _private_key(path: Path) -> Key:
    try:
        document = read_json(path.read_bytes())
        problem = _rsa_problem(document) if isinstance(document, dict) else None
        key = None if problem else JWKRegistry.import_key(document)
    except NamedTwice as twice:
        raise ValueError(f"{path}: {twice}") from None
    except (JoseError, ValueError, TypeError, AttributeError, RecursionError):
        raise ValueError(f"{path} is not a private JWK (a JSON object)") from None
    if key is None:
        raise ValueError(f"{path} is {problem}")
    if not key.is_private:
        raise ValueError(f"{path} holds a public key; a token is signed with the private key")
    key.ensure_kid()
    return key


def _algorithm_of(key: Key) -> str | None:
    """The accepted algorithm that signs with a key of this type, if any."""
    match key:
        case OKPKey() if key.curve_name == "Ed25519":
            return "EdDSA"
        case ECKey() if key.curve_name == "P-256":
            return "ES256"
        case RSAKey():
            return "RS256"
    return None


def generate_key_pair(folder: Path) -> tuple[Path, Path]:
    """DEVELOPMENT ONLY: a new Ed25519 key in ``folder``: (private JWK, public JWKS).

    Both files are readable by their owner only (0600) and written whole, or not at all
    (:func:`~mentoring_core.extend.create_file`: a write cut short leaves no file); a file
    already there is never replaced (FileExistsError) and ``folder`` is created if it does
    not exist.
    """
    private_path, public_path = folder / PRIVATE_KEY_FILE, folder / PUBLIC_KEYS_FILE
    for path in (private_path, public_path):
        if path.is_symlink() or path.exists():
            raise FileExistsError(f"{path} exists already; it is never overwritten")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = OKPKey.generate_key("Ed25519", {"use": "sig", "alg": "EdDSA"}, auto_kid=True)
    _create_owner_only(private_path, key.as_dict(private=True))
    try:
        _create_owner_only(public_path, {"keys": [key.as_dict(private=False)]})
    except BaseException:
        private_path.unlink()
        raise
    return private_path, public_path


def _create_owner_only(path: Path, document: object) -> None:
    create_file(path, (json.dumps(document, indent=2) + "\n").encode())
