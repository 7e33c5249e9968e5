"""A store and its key store file (``--key-store-file``) belong together, end to end.

A command run once without the key file, a key file of another store, an emptied key
file: each is refused in one line (exit 2), naming the cause, before anything is written;
never a key store split in two, a key file taken for tampered ciphertext, or keys written
into an emptied (or world-readable) file.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cli_harness import Cli, Run


def created(cli: Cli, *files: str) -> str:
    """A new programme's id."""
    made = cli.run(*files, "programme", "create", "--name", "P", "--organisation", "Org", "--json")
    assert made.code == 0, str(made)
    return str(made.json()["id"])


def seeded(cli: Cli, *files: str) -> str:
    """A programme with one person enrolled with a name (a sealed field); its id."""
    programme = created(cli, *files)
    enrolled = cli.run(*files, *enrol(programme, "ben", "Ben Okafor"))
    assert enrolled.code == 0, str(enrolled)
    return programme


def enrol(programme: str, person: str, name: str) -> tuple[str, ...]:
    return (
        *("programme", "enrol", programme, "--person", person, "--role", "mentee"),
        *("--experience-years", "1", "--name", name),
    )


def refused_in_one_line(run: Run, said: str) -> None:
    """Refused as a usage error naming the option to mend, ``--key-store-file``."""
    assert run.code == 2 and said in run.stderr, str(run)
    assert "Invalid value for '--key-store-file': " in run.stderr, str(run)
    assert len(run.stderr.splitlines()) == 1, str(run)
    assert "altered" not in run.stderr and "AESGCM" not in run.stderr, str(run)


@pytest.mark.parametrize("encrypted", [False, True], ids=["clear", "encrypted-at-rest"])
def test_a_command_run_without_the_key_store_file_is_refused_and_splits_nothing(
    cli: Cli, encrypted: bool
) -> None:
    files: tuple[str, ...] = ("--key-store-file", str(cli.cwd / "keys.db"))
    if encrypted:
        key = cli.cwd / "at-rest.key"
        assert cli.run("privacy", "cipher-keygen", "--out", str(key)).code == 0
        files += ("--cipher-key-file", str(key))
    seeded(cli, *files)
    programme = created(cli, *files)  # no one enrolled there yet: nothing sealed to read
    forgot = cli.run(*files[2:], *enrol(programme, "zed", "Zed Zorn"))
    refused_in_one_line(forgot, "--key-store-file")
    shown = cli.run(*files, "programme", "show", programme)
    assert shown.code == 0 and "zed" not in shown.stdout, str(shown)
    erased = cli.run(*files, "privacy", "erase", "ben", "--reason", "DSAR-2026-040")
    assert erased.code == 0, str(erased)
    verified = cli.run(*files, "audit", "verify")
    assert verified.code == 0, str(verified)


def test_another_stores_key_store_file_is_named_not_taken_for_tampering(
    cli: Cli, tmp_path: Path
) -> None:
    programme = seeded(cli, "--key-store-file", str(tmp_path / "keys.db"))
    other = Cli(f"sqlite:///{tmp_path / 'other.db'}", tmp_path)
    seeded(other, "--key-store-file", str(tmp_path / "other-keys.db"))
    key = tmp_path / "at-rest.key"
    assert cli.run("privacy", "cipher-keygen", "--out", str(key)).code == 0
    encrypted = Cli(f"sqlite:///{tmp_path / 'encrypted.db'}", tmp_path)
    seeded(encrypted, "--cipher-key-file", str(key), "--key-store-file", str(tmp_path / "e.db"))
    for wrong in ("other-keys.db", "e.db"):
        for command in (("programme", "show", programme), ("audit", "verify")):
            run = cli.run("--key-store-file", str(tmp_path / wrong), *command)
            refused_in_one_line(run, f"{wrong} is the key store of another store")


def test_an_emptied_key_store_file_is_refused_and_a_touched_one_made_owner_only(
    cli: Cli, tmp_path: Path
) -> None:
    keys = tmp_path / "keys.db"
    programme = seeded(cli, "--key-store-file", str(keys))
    keys.write_bytes(b"")  # a restore that failed half-way
    emptied = cli.run("--key-store-file", str(keys), *enrol(programme, "zed", "Zed Zorn"))
    refused_in_one_line(emptied, "keys.db is empty")
    assert keys.stat().st_size == 0
    touched = tmp_path / "touched.db"
    touched.touch()
    touched.chmod(0o644)
    new = Cli(f"sqlite:///{tmp_path / 'new.db'}", tmp_path)
    seeded(new, "--key-store-file", str(touched))
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("touched.db*")}
    assert touched.stat().st_size > 0 and set(modes.values()) == {0o600}, modes
