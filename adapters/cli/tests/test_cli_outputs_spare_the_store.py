"""No output replaces a file the command reads its store or its keys from.

``audit export --out mentoring.db`` used to write the export over the default store (exit
0): every event and every person's key were gone, the ``-wal`` and ``-shm`` files left
behind. An output that is the store file, its ``-wal``, ``-shm`` or ``-journal`` file,
the ``--key-store-file`` or the ``--cipher-key-file`` (by name, or the same file by a hard
link) is refused before anything is done (exit 2), naming the option, and the store still
opens and verifies.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_harness import Cli, Run
from store_state import HOSTILE_MENTOR, PROGRAMME, RELATIONSHIP, seed, store_state

WRITERS: dict[str, tuple[str, Callable[[str], list[str]]]] = {
    "audit export": ("--out", lambda out: ["audit", "export", "--out", out]),
    "audit export --relationship": (
        "--out",
        lambda out: ["audit", "export", "--relationship", str(RELATIONSHIP), "--out", out],
    ),
    "audit digest": ("--out", lambda out: ["audit", "digest", "--out", out]),
    "report compliance": (
        "--out",
        lambda out: ["report", "compliance", "--programme", str(PROGRAMME), "--out", out],
    ),
    "privacy export-person": (
        "--out",
        lambda out: ["privacy", "export-person", HOSTILE_MENTOR, "--out", out],
    ),
    "audit keygen --private": (
        "--private",
        lambda out: ["audit", "keygen", "--private", out, "--public", "new.pub.pem"],
    ),
    "audit keygen --public": (
        "--public",
        lambda out: ["audit", "keygen", "--private", "new.pem", "--public", out],
    ),
    "privacy cipher-keygen": ("--out", lambda out: ["privacy", "cipher-keygen", "--out", out]),
}


def _hard_link(folder: Path) -> str:
    os.link(folder / "mentoring.db", folder / "backup.db")
    return "backup.db"


STORE_FILES: dict[str, Callable[[Path], str]] = {
    "the store": lambda _: "mentoring.db",
    "its -wal": lambda _: "mentoring.db-wal",
    "its -journal": lambda _: "mentoring.db-journal",
    "a reminder run's lock file": lambda _: f"mentoring.db-reminders-{PROGRAMME}.lock",
    "a hard link to it": _hard_link,
}


def _refused(result: Run, option: str) -> None:
    assert result.code == 2, str(result)
    assert f"'{option}'" in result.stderr, str(result)
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr, str(result)


CASES = [(command, "the store") for command in WRITERS]
CASES += [("audit export", target) for target in STORE_FILES if target != "the store"]
"""Every writer against the store itself; the files beside it, and a link to it, against
one: every writer refuses through the one check of the files it keeps (``check_target``
given the session's ``kept_files``), so one is enough to try the others on."""


@pytest.mark.parametrize(("command", "target"), CASES)
def test_no_output_replaces_the_store_or_a_file_beside_it(
    sqlite_url: str, tmp_path: Path, command: str, target: str
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    seed(sqlite_url)
    out = STORE_FILES[target](tmp_path)  # relative to the folder the command runs in
    before = store_state(sqlite_url)
    option, args = WRITERS[command]
    result = cli.run(*args(out))
    _refused(result, option)
    assert "store" in result.stderr, str(result)
    assert store_state(sqlite_url) == before
    assert not (tmp_path / "new.pem").exists() and not (tmp_path / "new.pub.pem").exists()
    verified = cli.run("audit", "verify")
    assert verified.code == 0, str(verified)


def test_the_default_store_is_not_replaced_by_its_export(sqlite_url: str, tmp_path: Path) -> None:
    """The report's case: no --store, so sqlite:///mentoring.db in the current folder."""
    seed(sqlite_url)
    cli = Cli(sqlite_url, tmp_path)
    before = store_state(sqlite_url)
    result = cli.run("audit", "export", "--out", "mentoring.db", store=False)
    _refused(result, "--out")
    assert "mentoring.db is the store" in result.stderr, str(result)
    assert store_state(sqlite_url) == before
    assert cli.run("audit", "verify", store=False).code == 0


@pytest.mark.parametrize("command", ["audit export", "privacy cipher-keygen"])  # see CASES
def test_no_output_replaces_the_key_store_file_or_the_cipher_key_file(
    sqlite_url: str, tmp_path: Path, command: str
) -> None:
    cli = Cli(sqlite_url, tmp_path)
    assert cli.run("privacy", "cipher-keygen", "--out", "store.key").code == 0
    files = ("--cipher-key-file", "store.key", "--key-store-file", "keys.db")
    made = cli.run(*files, "programme", "create", "--name", "Pilot", "--organisation", "Org")
    assert made.code == 0, str(made)
    kept = {name: (tmp_path / name).read_bytes() for name in ("store.key", "keys.db")}
    before = store_state(sqlite_url)
    option, args = WRITERS[command]
    for out, named in (("keys.db", "--key-store-file"), ("store.key", "--cipher-key-file")):
        result = cli.run(*files, *args(out))
        _refused(result, option)
        if command != "privacy cipher-keygen":  # it makes key files: one there is never replaced
            assert named in result.stderr, str(result)
    assert {name: (tmp_path / name).read_bytes() for name in kept} == kept
    assert store_state(sqlite_url) == before
    verified = cli.run(*files, "audit", "verify")
    assert verified.code == 0, str(verified)


def test_a_digest_is_not_written_over_the_key_that_signs_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    """``audit digest --sign-key k.pem --out k.pem`` signed the digest, then wrote it over
    the private key."""
    cli = Cli(sqlite_url, tmp_path)
    seed(sqlite_url)
    assert cli.run("audit", "keygen", "--private", "k.pem", "--public", "k.pub.pem").code == 0
    key = (tmp_path / "k.pem").read_bytes()
    result = cli.run("audit", "digest", "--sign-key", "k.pem", "--out", "k.pem")
    _refused(result, "--out")
    assert "--sign-key" in result.stderr, str(result)
    assert (tmp_path / "k.pem").read_bytes() == key


def test_a_report_is_not_written_over_the_policy_file_it_checks(
    sqlite_url: str, tmp_path: Path
) -> None:
    """``report compliance --policy p.json --out p.json`` read the policy, then wrote the
    report over it: the policy a coordinator kept was gone."""
    cli = Cli(sqlite_url, tmp_path)
    seed(sqlite_url)
    shown = cli.run("programme", "show", str(PROGRAMME), "--json")
    assert shown.code == 0, str(shown)
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(shown.json()["policy"]), encoding="utf-8")
    kept = policy.read_bytes()
    report = ["report", "compliance", "--programme", str(PROGRAMME), "--format", "csv"]
    result = cli.run(*report, "--policy", "policy.json", "--out", "policy.json")
    _refused(result, "--out")
    assert "policy.json is the policy file (--policy)" in result.stderr, str(result)
    assert policy.read_bytes() == kept
    written = cli.run(*report, "--policy", "policy.json", "--out", "report.csv")
    assert written.code == 0 and (tmp_path / "report.csv").stat().st_size > 0, str(written)
