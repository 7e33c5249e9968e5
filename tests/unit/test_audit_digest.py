"""Digest files and their Ed25519 signatures."""

from __future__ import annotations

import stat
import subprocess
import sys
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


CUT_SHORT = """
import resource, sys
from pathlib import Path
from mentoring_core.audit.digest import generate_key_pair
resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))  # every file ends at its 64th byte
generate_key_pair(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def test_a_key_pair_cut_short_mid_write_leaves_no_key_file(tmp_path: Path) -> None:
    """A write that fails part way (the file size limit here, a full disk elsewhere) left
    the first 64 bytes of the private key at its name, under the usual umask until it
    was made owner-only: each key is written beside its name, owner-only, and linked
    into place whole, the private one removed again if the public one fails."""
    private, public = tmp_path / "auditor.pem", tmp_path / "auditor.pub.pem"
    done = subprocess.run(
        [sys.executable, "-c", CUT_SHORT, str(private), str(public)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "File too large" in done.stderr, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no key, no temporary file


def test_a_key_pair_never_replaces_a_file(tmp_path: Path) -> None:
    private, public = tmp_path / "auditor.pem", tmp_path / "auditor.pub.pem"
    public.write_text("someone's key\n")
    with pytest.raises(FileExistsError):
        generate_key_pair(private, public)
    assert public.read_text() == "someone's key\n" and not private.exists()
    generate_key_pair(private, tmp_path / "other.pub.pem")
    assert {stat.S_IMODE(p.stat().st_mode) for p in (private, tmp_path / "other.pub.pem")} == {
        0o600
    }
