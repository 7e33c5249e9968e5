"""Digests an auditor keeps outside the store, optionally signed with an Ed25519 key.

A digest file is one JSON object::

    {"format": "mentoring-core-digest/1", "sequence": 42, "hash": "<64 hex>",
     "recorded_at": "2026-06-01T09:00:00.000000+00:00", "signature": "<base64>" | null}

The signature (when present) is Ed25519 over the UTF-8 bytes of
``"mentoring-core/digest/v1\\n{sequence}\\n{hash}\\n{recorded_at}\\n"``. The private
key is a PEM file that must live outside the store it protects: nothing here ever
writes a key, or anything derived from one, to the database. Signing needs the
``cryptography`` package (``pip install 'mentoring-core[signing]'``).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from .._new_files import check_path, create_file
from .._strict_json import read_json
from .verify import Digest, DigestError

FORMAT = "mentoring-core-digest/1"


def signed_message(digest: Digest) -> bytes:
    """The exact bytes an Ed25519 signature of a digest covers."""
    text = f"mentoring-core/digest/v1\n{digest.sequence}\n{digest.hash}\n{digest.recorded_at}\n"
    return text.encode()


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # pragma: no cover - depends on the installation
        raise DigestError(
            "signing digests needs the cryptography package: pip install 'mentoring-core[signing]'"
        ) from None
    return serialization, ed25519


def generate_key_pair(
    private_path: str | os.PathLike[str], public_path: str | os.PathLike[str]
) -> None:
    """Write a new Ed25519 private key and its public key (PEM), each readable by its owner
    only and written whole (:func:`~mentoring_core._new_files.create_file`: a write cut
    short leaves no file); a file already at either name is never replaced
    (FileExistsError), and the private key is removed again if the public one fails.
    Each path is a text or a path object, else :class:`~mentoring_core.InvalidValue`."""
    private_path = check_path("private_path", private_path)
    public_path = check_path("public_path", public_path)
    serialization, ed25519 = _crypto()
    key = ed25519.Ed25519PrivateKey.generate()
    create_file(
        private_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    try:
        create_file(
            public_path,
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ),
        )
    except BaseException:
        private_path.unlink()
        raise


def sign(digest: Digest, private_key_pem: bytes) -> str:
    """The base64 Ed25519 signature of ``digest``."""
    serialization, ed25519 = _crypto()
    try:
        key = serialization.load_pem_private_key(private_key_pem, password=None)
    except (ValueError, TypeError) as error:
        raise DigestError(f"not an unencrypted PEM private key: {error}") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise DigestError("the private key is not an Ed25519 key")
    return base64.b64encode(key.sign(signed_message(digest))).decode()


def check_signature(digest: Digest, signature: str, public_key_pem: bytes) -> None:
    """Raise :class:`DigestError` unless ``signature`` is the key's signature of ``digest``."""
    serialization, ed25519 = _crypto()
    from cryptography.exceptions import InvalidSignature

    try:
        key = serialization.load_pem_public_key(public_key_pem)
    except (ValueError, TypeError) as error:
        raise DigestError(f"not a PEM public key: {error}") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise DigestError("the public key is not an Ed25519 key")
    try:
        key.verify(base64.b64decode(signature, validate=True), signed_message(digest))
    except (InvalidSignature, ValueError):
        raise DigestError(
            f"the digest's signature does not match (record {digest.sequence}, "
            f"hash {digest.hash}): the digest was altered or signed with another key"
        ) from None


def dump(digest: Digest, signature: str | None = None) -> str:
    """A digest as the JSON text of a digest file."""
    return json.dumps(
        {
            "format": FORMAT,
            "sequence": digest.sequence,
            "hash": digest.hash,
            "recorded_at": digest.recorded_at,
            "signature": signature,
        },
        indent=2,
    )


def load(text: str) -> tuple[Digest, str | None]:
    """A digest and its signature (or None) from a digest file's JSON text."""
    try:
        data = read_json(text)
        if data.get("format") != FORMAT:
            raise DigestError(
                f"not a digest file (format {data.get('format')!r}, expected {FORMAT!r})"
            )
        sequence, hash_, recorded_at = data["sequence"], data["hash"], data["recorded_at"]
        signature = data.get("signature")
    except (ValueError, KeyError, AttributeError, RecursionError) as error:
        raise DigestError(f"not a digest file: {error}") from None
    if type(sequence) is not int or sequence < 1:
        raise DigestError(f"digest sequence {sequence!r} is not a positive whole number")
    if (
        not isinstance(hash_, str)
        or len(hash_) != 64
        or not all(c in "0123456789abcdef" for c in hash_)
    ):
        raise DigestError(f"digest hash {hash_!r} is not 64 lower-case hex characters")
    if not isinstance(recorded_at, str) or (
        signature is not None and not isinstance(signature, str)
    ):
        raise DigestError("digest recorded_at and signature must be texts")
    return Digest(sequence=sequence, hash=hash_, recorded_at=recorded_at), signature
