"""Digest files and their Ed25519 signatures."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentoring_core.audit.digest import (
    DigestError,
    check_signature,
    dump,
    generate_key_pair,
    load,
    sign,
)
from mentoring_core.audit.verify import Digest

DIGEST = Digest(sequence=42, hash="ab" * 32, recorded_at="2026-06-01T09:00:00.000000+00:00")


@pytest.fixture
def keys(tmp_path: Path) -> tuple[bytes, bytes]:
    generate_key_pair(tmp_path / "auditor.pem", tmp_path / "auditor.pub.pem")
    assert (tmp_path / "auditor.pem").stat().st_mode & 0o077 == 0
    return (tmp_path / "auditor.pem").read_bytes(), (tmp_path / "auditor.pub.pem").read_bytes()


def test_a_digest_file_round_trips_with_its_signature(keys: tuple[bytes, bytes]) -> None:
    private, public = keys
    signature = sign(DIGEST, private)
    digest, read_signature = load(dump(DIGEST, signature))
    assert digest == DIGEST
    assert read_signature == signature
    check_signature(digest, signature, public)


def test_an_altered_digest_fails_its_signature(keys: tuple[bytes, bytes]) -> None:
    private, public = keys
    signature = sign(DIGEST, private)
    altered = Digest(sequence=41, hash=DIGEST.hash, recorded_at=DIGEST.recorded_at)
    with pytest.raises(DigestError, match="record 41"):
        check_signature(altered, signature, public)


def test_another_key_does_not_verify(keys: tuple[bytes, bytes], tmp_path: Path) -> None:
    private, _ = keys
    generate_key_pair(tmp_path / "other.pem", tmp_path / "other.pub.pem")
    with pytest.raises(DigestError, match="does not match"):
        check_signature(DIGEST, sign(DIGEST, private), (tmp_path / "other.pub.pem").read_bytes())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "not a digest file"),
        ('{"format": "x"}', "format 'x'"),
        (
            '{"format": "mentoring-core-digest/1", "sequence": "4", "hash": "", "recorded_at": ""}',
            "sequence '4'",
        ),
        (
            '{"format": "mentoring-core-digest/1", "sequence": 4, "hash": "XY", "recorded_at": ""}',
            "hash 'XY'",
        ),
    ],
)
def test_bad_digest_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(DigestError, match=message):
        load(text)
