"""``mentoring token``: development keys and tokens that the HTTP API's verifier accepts.

The real command runs in a subprocess; its token is checked with the real verifier.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from cli_harness import Cli
from joserfc.jwk import RSAKey
from mentoring_http.tokens import (
    PRIVATE_KEY_FILE,
    PUBLIC_KEYS_FILE,
    TokenError,
    TokenSettings,
    TokenVerifier,
)

from mentoring_core.authorisation import Principal, Role

WARNING = "for development and the demo only, NOT for production"
ISSUER, AUDIENCE = "https://login.riverbend.test", "mentoring-api"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli("memory://", tmp_path)


@pytest.fixture
def keys(cli: Cli, tmp_path: Path) -> Path:
    result = cli.run("token", "keygen", "--out", str(tmp_path / "keys"), store=False)
    assert result.code == 0, str(result)
    return tmp_path / "keys"


def issue(cli: Cli, keys: Path, *args: str) -> tuple[int, str, str]:
    result = cli.run(
        "token",
        "issue",
        "--key",
        str(keys / PRIVATE_KEY_FILE),
        "--issuer",
        ISSUER,
        "--audience",
        AUDIENCE,
        *args,
        store=False,
    )
    return result.code, result.stdout, result.stderr


def test_keygen_writes_a_private_key_and_a_jwks_owner_only_and_warns(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli.run(
        "token", "keygen", "--out", str(tmp_path / "new" / "keys"), "--json", store=False
    )
    assert result.code == 0, str(result)
    assert WARNING in result.stderr
    made = result.json()
    assert made["private_key"] == str(tmp_path / "new" / "keys" / PRIVATE_KEY_FILE)
    assert made["jwks"] == str(tmp_path / "new" / "keys" / PUBLIC_KEYS_FILE)
    for path in (made["private_key"], made["jwks"]):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "d" not in json.loads(Path(made["jwks"]).read_text())["keys"][0]


FILES_END_AT_64_BYTES = (
    sys.executable,
    "-c",
    "import os, resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64)); "
    "os.execv(sys.argv[1], sys.argv[1:])",
)
"""A ``wrapper`` of :meth:`Cli.run`: the command's files cannot grow past 64 bytes, so a
write fails part way, as it would on a full disk. Run with ``NO_BYTECODE``: Python would
cache a module it compiles then cut short, and fail to import it in the next run."""
NO_BYTECODE = {"PYTHONDONTWRITEBYTECODE": "1"}


def test_keygen_cut_short_mid_write_leaves_no_key_and_can_be_run_again(
    cli: Cli, tmp_path: Path
) -> None:
    """It left the first 64 bytes of the private key at its name, and the next keygen was
    then refused: "exists already; it is never overwritten"."""
    out = tmp_path / "keys"
    out.mkdir()
    cut = cli.run(
        "token",
        "keygen",
        "--out",
        str(out),
        store=False,
        env=NO_BYTECODE,
        wrapper=FILES_END_AT_64_BYTES,
    )
    assert cut.code == 2, str(cut)
    assert f"error: Invalid value for '--out': cannot write the keys in {out}: File too large" in (
        " ".join(cut.stderr.split())
    ), str(cut)
    assert sorted(p.name for p in out.iterdir()) == []  # no key, no temporary file
    again = cli.run("token", "keygen", "--out", str(out), store=False)
    assert again.code == 0, str(again)
    assert sorted(p.name for p in out.iterdir()) == [PRIVATE_KEY_FILE, PUBLIC_KEYS_FILE]


def test_keygen_never_replaces_a_key(cli: Cli, keys: Path) -> None:
    before = (keys / PRIVATE_KEY_FILE).read_bytes()
    result = cli.run("token", "keygen", "--out", str(keys), store=False)
    assert result.code == 2
    assert "exists already; it is never overwritten" in result.stderr
    assert (keys / PRIVATE_KEY_FILE).read_bytes() == before


def test_an_issued_token_is_accepted_by_the_verifier_with_its_roles(cli: Cli, keys: Path) -> None:
    code, stdout, stderr = issue(cli, keys, "--sub", "admin.ada", "--role", "administrator")
    assert code == 0, stderr
    assert WARNING in stderr
    token = stdout.strip()
    assert stdout == token + "\n", "only the token on stdout, for $(...)"
    settings = TokenSettings(jwks=str(keys / PUBLIC_KEYS_FILE), issuer=ISSUER, audience=AUDIENCE)
    assert TokenVerifier(settings).principal(f"Bearer {token}") == Principal(
        subject="admin.ada", roles=frozenset({Role.ADMINISTRATOR})
    )
    other = TokenSettings(jwks=str(keys / PUBLIC_KEYS_FILE), issuer=ISSUER, audience="other")
    with pytest.raises(TokenError):
        TokenVerifier(other).principal(f"Bearer {token}")


def test_issue_with_json_tells_the_roles_and_expiry(cli: Cli, keys: Path) -> None:
    code, stdout, stderr = issue(
        cli, keys, "--sub", "audit.otto", "--role", "auditor", "--lifetime", "60", "--json"
    )
    assert code == 0, stderr
    document = json.loads(stdout)
    assert document["subject"] == "audit.otto" and document["roles"] == ["auditor"]
    assert document["token"].count(".") == 2 and WARNING in document["warning"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sub", "x", "--role", "coordinator"), "Invalid value for '--role': 'coordinator'"),
        (("--sub", " x"), "Invalid value for '--sub': ' x' holds unprintable characters"),
        (("--sub", ""), "Invalid value for '--sub': '' is not a non-empty string"),
        (("--sub", "x", "--lifetime", "0"), "Invalid value for '--lifetime'"),
        (("--sub", "x", "--lifetime", "86401"), "Invalid value for '--lifetime'"),
        (("--sub", "x", "--audience", " "), "Invalid value for '--audience': must not be empty"),
    ],
)
def test_issue_refuses_bad_values_naming_the_option(
    cli: Cli, keys: Path, args: tuple[str, ...], message: str
) -> None:
    code, stdout, stderr = issue(cli, keys, *args)
    assert (code, stdout) == (2, "")
    assert message in stderr


def _deep(folder: Path) -> Path:
    """JSON nested deeper than Python's decoder goes."""
    path = folder / "deep.jwk"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return path


def test_issue_refuses_a_key_it_cannot_sign_with(cli: Cli, keys: Path, tmp_path: Path) -> None:
    for key, message in (
        (keys / PUBLIC_KEYS_FILE, "is not a private JWK"),
        (tmp_path / "missing.jwk", "cannot read"),
        (Path("/dev/zero"), "is a character device; only a regular file is read"),  # endless
        (_deep(tmp_path), "is not a private JWK"),
    ):
        result = cli.run(
            "token", "issue", "--key", str(key), "--sub", "x", "--issuer", ISSUER,
            "--audience", AUDIENCE, store=False,
        )  # fmt: skip
        assert result.code == 2 and result.stdout == ""
        assert "Invalid value for '--key': " in result.stderr
        assert str(key) in result.stderr and message in result.stderr


@pytest.mark.parametrize("role", ["Administrator", "ADMINISTRATOR", " administrator"])
def test_a_role_is_named_in_any_case_as_every_enumeration(cli: Cli, keys: Path, role: str) -> None:
    """docs/cli.md: names of enumerations (roles...) are case-insensitive."""
    code, stdout, stderr = issue(cli, keys, "--sub", "admin.ada", "--role", role)
    assert code == 0, stderr
    settings = TokenSettings(jwks=str(keys / PUBLIC_KEYS_FILE), issuer=ISSUER, audience=AUDIENCE)
    principal = TokenVerifier(settings).principal(f"Bearer {stdout.strip()}")
    assert principal.roles == frozenset({Role.ADMINISTRATOR})


@pytest.mark.filterwarnings("ignore:Key size should be >= 2048 bits")  # joserfc, making it
def test_issue_refuses_an_rsa_key_too_short_to_trust(cli: Cli, tmp_path: Path) -> None:
    key = tmp_path / "short.jwk"  # RFC 7518, section 3.3: RS256 needs 2048 bits at least
    key.write_text(json.dumps(RSAKey.generate_key(1024).as_dict(private=True)))
    result = cli.run(
        "token", "issue", "--key", str(key), "--sub", "x", "--issuer", ISSUER,
        "--audience", AUDIENCE, store=False,
    )  # fmt: skip
    assert (result.code, result.stdout) == (2, ""), result.stderr
    assert "Invalid value for '--key': " in result.stderr
    assert "is an RSA key of 1024 bits" in result.stderr
    assert "Warning" not in result.stderr  # joserfc's, naming its own source file
