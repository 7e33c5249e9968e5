"""Hostile input never reaches a user as "unexpected ..." or a traceback (issue 11, item 2).

Each case runs the real ``mentoring`` executable on a seeded store (SQLite and
PostgreSQL), expects one ``error:`` line naming the input and the documented exit
status (2: a bad value; 1: a refusal), nothing on stdout, and the store exactly as it
was: the same files (SQLite) or tables and rows (PostgreSQL), and the same digest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_harness import Cli
from store_state import PROGRAMME, RELATIONSHIP, seed, store_state

pytestmark = pytest.mark.sqlite_only  # the input and files are the command's: see conftest

Case = tuple[Callable[[Path, Cli], list[str]], int, list[str]]

ENROL = ("programme", "enrol", str(PROGRAMME), "--person", "zed", "--role", "mentor",
         "--experience-years", "10")  # fmt: skip
REPORT = ("report", "compliance", "--programme", str(PROGRAMME), "--out", "-")
CORRECT = ("meeting", "correct", str(RELATIONSHIP), str(RELATIONSHIP), "--reason", "typo")
SERVE = ("serve", "--jwks", "keys.jwks", "--issuer", "i", "--audience", "a")
PG = "postgresql://postgres@127.0.0.1:5432/test"
UNCLOSED_BRACKET = "postgresql://postgres:secret@[::1:5432/test"


def _binary(folder: Path) -> str:
    path = folder / "binary.dat"
    path.write_bytes(bytes(range(256)) * 4)
    return str(path)


def _sparse(folder: Path) -> str:
    """A file of 4 GiB that takes no room on disk: read whole, it fills the memory."""
    path = folder / "huge.json"
    with path.open("wb") as file:
        file.truncate(4 * 1024**3)
    return str(path)


def _deep(folder: Path) -> str:
    """JSON nested deeper than Python's decoder goes (within any size limit)."""
    path = folder / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000 + "\n")
    return str(path)


def _named_twice(folder: Path) -> str:
    """A policy naming a member twice: Python reads the last value, other readers the
    first (a review every 90 days here, every 30 for a reviewer's own tool)."""
    path = folder / "twice.json"
    path.write_text('{"review_interval_days": 30, "review_interval_days": 90}\n')
    return str(path)


def _huge_number(folder: Path, number: str) -> str:
    """A policy holding a number no reader takes alike: ``json`` read ``1e400`` as
    infinity, and refused an integer of 5,000 digits naming no member."""
    path = folder / "number.json"
    path.write_text(f'{{"review_interval_days": {number}}}\n')
    return str(path)


def _digest_number(folder: Path, cli: Cli) -> str:
    """The store's digest with a sequence of 1e400 (``json`` read infinity)."""
    path = Path(_digest(folder, cli))
    digest = json.loads(path.read_text())
    path.write_text(
        json.dumps(digest).replace(f'"sequence": {digest["sequence"]}', '"sequence": 1e400')
    )
    return str(path)


def _fifo(folder: Path) -> str:
    """A named pipe nobody writes to: reading it would wait for ever."""
    path = folder / "pipe"
    os.mkfifo(path)
    return str(path)


def _digest(folder: Path, cli: Cli) -> str:
    path = folder / "digest.json"
    path.write_text(cli.run("audit", "digest").stdout)
    return str(path)


def _edited_digest(folder: Path, cli: Cli) -> str:
    """The store's digest with its recording time changed, its hash kept."""
    path = Path(_digest(folder, cli))
    digest = json.loads(path.read_text())
    digest["recorded_at"] = "2020-01-01T00:00:00.000000+00:00"
    path.write_text(json.dumps(digest))
    return str(path)


def _signed_digest(folder: Path, cli: Cli) -> str:
    private, public = folder / "k.pem", folder / "k.pub.pem"
    if not private.exists():
        cli.run("audit", "keygen", "--private", str(private), "--public", str(public))
    path = folder / "signed.json"
    path.write_text(cli.run("audit", "digest", "--sign-key", str(private)).stdout)
    return str(path)


CASES: dict[str, Case] = {
    "a moment before year 1 in UTC": (
        lambda d, c: [*ENROL, "--occurred-at", "0001-01-01T00:00+14:00"],
        2,
        ["'--occurred-at'", "'0001-01-01T00:00+14:00'", "out of range"],
    ),
    "a moment after year 9999 in UTC": (
        lambda d, c: [*ENROL, "--occurred-at", "9999-12-31T23:59-14:00"],
        2,
        ["'--occurred-at'", "'9999-12-31T23:59-14:00'", "out of range"],
    ),
    "pair show as of a moment before year 1": (
        lambda d, c: ["pair", "show", str(RELATIONSHIP), "--as-of", "0001-01-01T00:00+14:00"],
        2,
        ["'--as-of'", "out of range"],
    ),
    "pair show as of a moment after now": (
        lambda d, c: ["pair", "show", str(RELATIONSHIP), "--as-of", "2999-01-01T00:00Z"],
        2,
        ["'--as-of'", "2999-01-01T00:00:00+00:00", "a moment not after now"],
    ),
    "state-at a moment before year 1": (
        lambda d, c: ["audit", "state-at", str(RELATIONSHIP), "--at", "0001-01-01T00:00+14:00"],
        2,
        ["'--at'", "out of range"],
    ),
    "state-at a moment after now": (
        lambda d, c: ["audit", "state-at", str(RELATIONSHIP), "--at", "2999-01-01T00:00Z"],
        2,
        ["'--at'", "2999-01-01T00:00:00+00:00", "a moment not after now"],
    ),
    "diff to a moment after now": (
        lambda d, c: ["audit", "diff", str(RELATIONSHIP), "--from", "1", "--to", "2999-01-01"],
        2,
        ["'--to'", "2999-01-01T00:00:00+00:00", "a moment not after now"],
    ),
    "a report to the last day of the calendar": (
        lambda d, c: [*REPORT, "--to", "9999-12-31"],
        2,
        ["'--to'", "'9999-12-31'", "last day of the calendar"],
    ),
    "a report from the last day of the calendar": (
        lambda d, c: [*REPORT, "--from", "9999-12-31"],
        2,
        ["'--from'", "'9999-12-31'"],
    ),
    "an expected version beyond 64 bits": (
        lambda d, c: [*ENROL, "--expected-version", str(10**30)],
        2,
        ["'--expected-version'", f"'{10**30}'", "a whole number from 0 to 9223372036854775807"],
    ),
    "a digest whose recording time was edited": (
        lambda d, c: ["audit", "verify", "--against", _edited_digest(d, c)],
        1,
        ["recorded_at 2020-01-01T00:00:00.000000+00:00", "the digest was edited"],
    ),
    "an expected version that is not a number": (
        lambda d, c: [*ENROL, "--expected-version", "abc"],
        2,
        ["'--expected-version'", "'abc'", "a whole number from 0 to 9223372036854775807"],
    ),
    "a due window below zero": (
        lambda d, c: ["due", "--programme", str(PROGRAMME), "--within", "-3"],
        2,
        ["'--within'", "'-3'", "a whole number from 0 to 3660"],
    ),
    "a meeting duration in decimals": (
        lambda d, c: [*CORRECT, "--duration", "1.5"],
        2,
        ["'--duration'", "'1.5'", "a whole number"],
    ),
    "a port of zero": (
        lambda d, c: [*SERVE, "--port", "0"],
        2,
        ["'--port'", "'0'", "a whole number from 1 to 65535"],
    ),
    "a follow interval of no time": (
        lambda d, c: ["reminders", "run", str(PROGRAMME), "--follow", "--interval", "0"],
        2,
        ["'--interval'", "'0'", "a number of seconds from 0.1"],
    ),
    "a state at a version beyond 64 bits": (
        lambda d, c: ["audit", "state-at", str(RELATIONSHIP), "--version", str(10**30)],
        1,
        [str(RELATIONSHIP), "there is no version"],
    ),
    "a binary file as the digest": (
        lambda d, c: ["audit", "verify", "--against", _binary(d)],
        2,
        ["'--against'", "binary.dat", "not UTF-8 text"],
    ),
    "a JSON file that is not a digest": (
        lambda d, c: ["audit", "verify", "--against", str(_json(d))],
        2,
        ["'--against'", "other.json", "not a digest file"],
    ),
    "a missing digest file": (
        lambda d, c: ["audit", "verify", "--against", str(d / "missing.json")],
        2,
        ["'--against'", "missing.json", "does not exist"],
    ),
    "a binary file as the public key": (
        lambda d, c: [
            *("audit", "verify", "--against", _signed_digest(d, c)),
            *("--public-key", _binary(d)),
        ],
        2,
        ["'--public-key'", "binary.dat", "not a PEM public key"],
    ),
    "a binary file as the signing key": (
        lambda d, c: ["audit", "digest", "--sign-key", _binary(d)],
        2,
        ["'--sign-key'", "binary.dat", "PEM private key"],
    ),
    "a missing signing key": (
        lambda d, c: ["audit", "digest", "--sign-key", str(d / "missing.pem")],
        2,
        ["'--sign-key'", "missing.pem", "does not exist"],
    ),
    "a missing export to import": (
        lambda d, c: ["audit", "import", str(d / "missing.jsonl")],
        2,
        ["missing.jsonl", "does not exist"],
    ),
    "a pool size that is not a number": (
        lambda d, c: ["--store", f"{PG}?pool_size=abc", "programme", "list"],
        2,
        ["'--store'", "POOL_SIZE", "'abc'"],
    ),
    "a copy-keys target whose pool size is not a number": (
        lambda d, c: ["privacy", "copy-keys", "--to", f"{PG}?pool_size=abc"],
        2,
        ["'--to'", "POOL_SIZE", "'abc'"],
    ),
    "a port out of range": (
        lambda d, c: ["--store", "postgresql://postgres@127.0.0.1:99999/test", "programme", "list"],
        2,
        ["'--store'", "Port out of range"],
    ),
    "a store URL with an unclosed IPv6 bracket (and a password)": (
        lambda d, c: ["--store", UNCLOSED_BRACKET, "programme", "list"],
        2,
        ["'--store'", "Invalid IPv6 URL", "postgres:***@[::1:5432/test"],
    ),
    "a connect timeout that is not a number": (
        lambda d, c: ["--store", f"{PG}?connect_timeout=abc", "programme", "list"],
        2,
        ["'--store'", "connect_timeout", "'abc'"],
    ),
    "a negative connect timeout": (
        lambda d, c: ["--store", f"{PG}?connect_timeout=-5", "programme", "list"],
        2,
        ["'--store'", "connect_timeout", "'-5'"],
    ),
    "a report period that ends before it starts": (
        lambda d, c: [*REPORT, "--from", "2026-03-01", "--to", "2026-01-01"],
        2,
        ["'--from/--to'", "2026-03-01, 2026-01-01", "a start on or before the end"],
    ),
    "an endless device as the digest": (
        lambda d, c: ["audit", "verify", "--against", "/dev/zero"],
        2,
        ["'--against'", "/dev/zero", "character device"],
    ),
    "a FIFO as the digest": (
        lambda d, c: ["audit", "verify", "--against", _fifo(d)],
        2,
        ["'--against'", "pipe", "FIFO"],
    ),
    "an endless device as the public key": (
        lambda d, c: [
            *("audit", "verify", "--against", _signed_digest(d, c)),
            *("--public-key", "/dev/zero"),
        ],
        2,
        ["'--public-key'", "/dev/zero", "character device"],
    ),
    "an endless device as the signing key": (
        lambda d, c: ["audit", "digest", "--sign-key", "/dev/zero"],
        2,
        ["'--sign-key'", "/dev/zero", "character device"],
    ),
    "a FIFO as the export to import": (
        lambda d, c: ["audit", "import", _fifo(d)],
        2,
        ["pipe", "FIFO"],
    ),
    "a FIFO as the webhook secret": (
        lambda d, c: [
            *("reminders", "run", str(PROGRAMME)),
            *("--webhook", "https://hooks.example.test/x", "--webhook-secret-file", _fifo(d)),
        ],
        2,
        ["'--webhook-secret-file'", "pipe", "FIFO"],
    ),
    "a webhook URL with an unclosed IPv6 bracket": (
        lambda d, c: [
            *("reminders", "run", str(PROGRAMME), "--webhook", "https://[::1/hook"),
            *("--webhook-secret-file", _binary(d)),
        ],
        2,
        ["'--webhook'", "https://[::1/hook", "not an http(s) URL"],
    ),
    "a deeply nested JSON file as the digest": (
        lambda d, c: ["audit", "verify", "--against", _deep(d)],
        2,
        ["'--against'", "deep.json", "not a digest file"],
    ),
    "a deeply nested JSON file as the policy": (
        lambda d, c: [*REPORT, "--policy", _deep(d)],
        2,
        ["'--policy'", "deep.json"],
    ),
    "a policy file naming a member twice": (
        lambda d, c: [*REPORT, "--policy", _named_twice(d)],
        2,
        ["'--policy'", "twice.json", "'review_interval_days' appears twice in one JSON object"],
    ),
    "a policy file with a number beyond any float": (
        lambda d, c: [*REPORT, "--policy", _huge_number(d, "1e400")],
        2,
        [
            "'--policy'",
            "number.json",
            "'review_interval_days' is a number too large for a 64-bit float",
        ],
    ),
    "a policy file with an integer of 5,000 digits": (
        lambda d, c: [*REPORT, "--policy", _huge_number(d, "9" * 5000)],
        2,
        ["'--policy'", "number.json", "'review_interval_days' is an integer of 5000 digits"],
    ),
    "a digest file with a sequence beyond any float": (
        lambda d, c: ["audit", "verify", "--against", _digest_number(d, c)],
        2,
        ["'--against'", "digest.json", "'sequence' is a number too large for a 64-bit float"],
    ),
    "a policy file larger than any policy": (
        lambda d, c: [*REPORT, "--policy", _sparse(d)],
        2,
        ["'--policy'", "huge.json", "larger than 16777216 bytes"],
    ),
    "a deeply nested JSON file to import": (
        lambda d, c: ["--store", f"sqlite:///{d / 'new.db'}", "audit", "import", _deep(d)],
        1,
        ["line 1", "not JSON"],
    ),
    "a SQLite store in a missing folder": (
        lambda d, c: [
            *("--store", f"sqlite:///{d / 'nowhere' / 'x.db'}"),
            *("programme", "create", "--name", "P", "--organisation", "O"),
        ],
        1,
        ["nowhere", "does not exist"],
    ),
    "a command id that is not a UUID": (
        lambda d, c: [*ENROL, "--command-id", "1"],
        2,
        ["'--command-id'", "'1'"],
    ),
}


def _json(folder: Path) -> Path:
    path = folder / "other.json"
    path.write_text('{"format": "something else"}\n')
    return path


@pytest.fixture
def seeded(cli: Cli) -> Cli:
    seed(cli.store_url)
    return cli


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_a_clear_error_and_changes_nothing(
    seeded: Cli, tmp_path: Path, case: str
) -> None:
    build, code, words = CASES[case]
    files = tmp_path / "files"
    files.mkdir()
    args = build(files, seeded)
    digest_before = seeded.run("audit", "digest", "--json").stdout
    before = store_state(seeded.store_url)
    own_store = args[0] == "--store"
    result = seeded.run(*args, store=not own_store)
    assert result.code == code, str(result)
    assert result.stdout == "", str(result)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, str(result)
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr, str(result)
    for word in words:
        assert word in result.stderr, (word, str(result))
    assert store_state(seeded.store_url) == before
    assert seeded.run("audit", "digest", "--json").stdout == digest_before
    assert not (files / "nowhere").exists()
