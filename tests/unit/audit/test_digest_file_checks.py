"""Digest files are read strictly, keys must be Ed25519 PEM, signatures strict base64.

docs/audit.md fixes the digest file (one JSON object, written indented as `audit
digest` shows it) and its signature; every field that is not what it says is
refused with a DigestError naming it, before any store is read.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mentoring_core.audit.digest import (
    DigestError,
    check_signature,
    dump,
    generate_key_pair,
    load,
    sign,
)
from mentoring_core.audit.verify import Digest

HASH = "07c3769dab0112458b1c7ac7d7211bb79584586304d8069e677e0b361e3e72a6"
RECORDED_AT = "2026-11-23T16:38:12.386773+00:00"
DIGEST = Digest(sequence=330, hash=HASH, recorded_at=RECORDED_AT)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    folder = tmp_path_factory.mktemp("keys")
    generate_key_pair(folder / "audit.pem", folder / "audit.pub.pem")
    return (folder / "audit.pem").read_bytes(), (folder / "audit.pub.pem").read_bytes()


@pytest.fixture(scope="module")
def ec_keys() -> tuple[bytes, bytes]:
    """A valid PEM key pair of another kind (NIST P-256), not Ed25519."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def file_text(**fields: object) -> str:
    document: dict[str, object] = {
        "format": "mentoring-core-digest/1",
        "sequence": 330,
        "hash": HASH,
        "recorded_at": RECORDED_AT,
        "signature": None,
    }
    document.update(fields)
    return json.dumps(document)


# --- the file ------------------------------------------------------------------------


def test_a_digest_file_is_the_documented_indented_json() -> None:
    assert dump(DIGEST, "c2lnbmF0dXJl") == (
        "{\n"
        '  "format": "mentoring-core-digest/1",\n'
        '  "sequence": 330,\n'
        f'  "hash": "{HASH}",\n'
        f'  "recorded_at": "{RECORDED_AT}",\n'
        '  "signature": "c2lnbmF0dXJl"\n'
        "}"
    )


def test_an_unsigned_digest_file_has_a_null_signature() -> None:
    assert json.loads(dump(DIGEST))["signature"] is None
    assert load(dump(DIGEST)) == (DIGEST, None)


def test_a_digest_of_the_first_record_is_read() -> None:
    digest, signature = load(file_text(sequence=1))
    assert digest.sequence == 1
    assert signature is None


@pytest.mark.parametrize("sequence", [0, -1, 1.0, True, "1", None])
def test_a_sequence_that_is_not_a_positive_whole_number_is_refused(sequence: object) -> None:
    with pytest.raises(DigestError) as refused:
        load(file_text(sequence=sequence))
    assert str(refused.value) == f"digest sequence {sequence!r} is not a positive whole number"


@pytest.mark.parametrize(
    "hash_",
    [
        pytest.param(HASH[:-2], id="62-hex"),
        pytest.param(HASH + "00", id="66-hex"),
        pytest.param(HASH.upper(), id="upper-case"),
        pytest.param("XY" + HASH[2:], id="not-hex"),
        pytest.param("0x" + HASH[2:], id="0x-prefixed"),
        pytest.param("0X" + HASH[2:], id="0X-prefixed"),
        pytest.param(64, id="a-number"),
        pytest.param(None, id="null"),
    ],
)
def test_a_hash_that_is_not_64_lower_case_hex_is_refused(hash_: object) -> None:
    with pytest.raises(DigestError) as refused:
        load(file_text(hash=hash_))
    assert str(refused.value) == f"digest hash {hash_!r} is not 64 lower-case hex characters"


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"recorded_at": 20261123}, id="recorded_at-a-number"),
        pytest.param({"recorded_at": None}, id="recorded_at-null"),
        pytest.param({"signature": 12}, id="signature-a-number"),
        pytest.param({"signature": ["c2ln"]}, id="signature-a-list"),
    ],
)
def test_recorded_at_and_signature_must_be_texts(fields: dict[str, object]) -> None:
    with pytest.raises(DigestError) as refused:
        load(file_text(**fields))
    assert str(refused.value) == "digest recorded_at and signature must be texts"


def test_a_missing_field_is_refused_as_not_a_digest_file() -> None:
    document = json.loads(file_text())
    del document["recorded_at"]
    with pytest.raises(DigestError, match=r"^not a digest file: 'recorded_at'$"):
        load(json.dumps(document))


# --- keys and signatures -------------------------------------------------------------


def test_signing_with_a_key_that_is_not_pem_is_refused() -> None:
    with pytest.raises(DigestError, match=r"^not an unencrypted PEM private key: ."):
        sign(DIGEST, b"not a key")


def test_signing_with_a_key_that_is_not_ed25519_is_refused(ec_keys: tuple[bytes, bytes]) -> None:
    with pytest.raises(DigestError) as refused:
        sign(DIGEST, ec_keys[0])
    assert str(refused.value) == "the private key is not an Ed25519 key"


def test_checking_with_a_public_key_that_is_not_pem_is_refused(
    keys: tuple[bytes, bytes],
) -> None:
    with pytest.raises(DigestError, match=r"^not a PEM public key: ."):
        check_signature(DIGEST, sign(DIGEST, keys[0]), b"not a key")


def test_checking_with_a_public_key_that_is_not_ed25519_is_refused(
    keys: tuple[bytes, bytes], ec_keys: tuple[bytes, bytes]
) -> None:
    with pytest.raises(DigestError) as refused:
        check_signature(DIGEST, sign(DIGEST, keys[0]), ec_keys[1])
    assert str(refused.value) == "the public key is not an Ed25519 key"


def test_a_signature_with_characters_outside_base64_does_not_match(
    keys: tuple[bytes, bytes],
) -> None:
    private, public = keys
    signature = sign(DIGEST, private)
    check_signature(DIGEST, signature, public)  # the signature itself is good
    with pytest.raises(DigestError) as refused:
        check_signature(DIGEST, "*" + signature[:20] + "*" + signature[20:], public)
    assert str(refused.value) == (
        f"the digest's signature does not match (record 330, hash {HASH}): "
        "the digest was altered or signed with another key"
    )


def test_signing_without_the_cryptography_package_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives", None)
    with pytest.raises(DigestError) as refused:
        generate_key_pair(tmp_path / "audit.pem", tmp_path / "audit.pub.pem")
    assert str(refused.value) == (
        "signing digests needs the cryptography package: pip install 'mentoring-core[signing]'"
    )
    assert not (tmp_path / "audit.pem").exists()


def test_a_field_named_twice_is_refused() -> None:
    """An auditor's tool reading the first ``hash`` of a file naming it twice would check
    another digest than this library (which read the last): refused, naming it."""
    text = file_text().replace('"hash":', '"hash": "00", "hash":', 1)
    with pytest.raises(DigestError) as refused:
        load(text)
    assert str(refused.value) == (
        "not a digest file: 'hash' appears twice in one JSON object, which readers take differently"
    )


@pytest.mark.parametrize(
    ("number", "why"),
    [
        (
            "1e400",
            "a number too large for a 64-bit float, which readers take as infinity or refuse",
        ),
        ("9" * 5000, "an integer of 5000 digits, more than the 4300 Python converts"),
    ],
)
def test_a_number_readers_take_differently_is_refused_naming_it(number: str, why: str) -> None:
    """``json`` read a ``sequence`` of ``1e400`` as infinity, and refused one of 5,000
    digits with its own error, naming no field."""
    text = re.sub(r'"sequence": \d+', f'"sequence": {number}', file_text(), count=1)
    with pytest.raises(DigestError) as refused:
        load(text)
    assert str(refused.value) == f"not a digest file: 'sequence' is {why}"
