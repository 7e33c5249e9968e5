"""A store encrypted at rest through the command line: ``privacy cipher-keygen``, then
``--cipher-key-file`` (or ``MENTORING_CIPHER_KEY_FILE``) on every command."""

from __future__ import annotations

import os

from cli_harness import Cli

NAME = "Cipher-pilot-4e1d"


def test_an_encrypted_store_end_to_end(cli: Cli) -> None:
    key = cli.cwd / "store.key"
    made = cli.run("privacy", "cipher-keygen", "--out", str(key))
    assert made.code == 0, str(made)
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    again = cli.run("privacy", "cipher-keygen", "--out", str(key))
    assert again.code == 2 and "never overwritten" in again.stderr

    keyed = ("--cipher-key-file", str(key))
    created = cli.run(*keyed, "programme", "create", "--name", NAME, "--organisation", "Org")
    assert created.code == 0, str(created)
    listed = cli.run("programme", "list", "--json", env={"MENTORING_CIPHER_KEY_FILE": str(key)})
    assert listed.code == 0 and NAME in listed.stdout, str(listed)
    if cli.store_url.startswith("sqlite:///"):
        assert NAME.encode() not in (cli.cwd / "mentoring.db").read_bytes()

    assert cli.run(*keyed, "audit", "verify").code == 0
    keyless_verify = cli.run("audit", "verify")  # the chain needs only the stored bytes
    assert keyless_verify.code == 0 and "Derived data NOT checked" in keyless_verify.stdout
    document = cli.ok("audit", "verify")
    assert document["ok"] and document["derived"].startswith("derived data NOT checked")
    keyless = cli.run("programme", "list")
    assert keyless.code != 0 and "no cipher key file was given" in keyless.stderr
    assert "Invalid value for '--cipher-key-file': " in keyless.stderr, str(keyless)
    assert "Traceback" not in keyless.stderr


def test_a_key_file_others_can_read_is_refused_in_one_line(cli: Cli) -> None:
    key = cli.cwd / "store.key"
    assert cli.run("privacy", "cipher-keygen", "--out", str(key)).code == 0
    key.chmod(0o644)
    refused = cli.run(
        "--cipher-key-file", str(key), "programme", "create", "--name", NAME, "--organisation", "O"
    )
    assert refused.code != 0 and "has mode 0644" in refused.stderr, str(refused)
    assert "Invalid value for '--cipher-key-file'" in refused.stderr, str(refused)
    assert len(refused.stderr.strip().splitlines()) == 1
    if cli.store_url.startswith("sqlite:///"):
        assert not (cli.cwd / "mentoring.db").exists()  # refused before the store was created


def test_a_device_or_a_fifo_as_the_key_file_is_refused_without_reading_it(cli: Cli) -> None:
    """/dev/zero was read until the memory ran out, and a FIFO nobody writes to waited
    for ever: the file's kind is checked first."""
    pipe = cli.cwd / "key.pipe"
    os.mkfifo(pipe)
    for key in ("/dev/zero", str(pipe)):
        refused = cli.run(
            "--cipher-key-file", key, "programme", "create", "--name", NAME, "--organisation", "O"
        )
        assert refused.code == 2 and "must be a regular file" in refused.stderr, str(refused)
        assert len(refused.stderr.strip().splitlines()) == 1 and key in refused.stderr
        # it used to say "has mode 0600 ... run chmod 600", and name --store
        assert refused.stderr.startswith(
            f"error: Invalid value for '--cipher-key-file': the cipher key file {key} is not "
            "a regular file: "
        ), str(refused)
        assert "chmod" not in refused.stderr and "--store" not in refused.stderr
        if cli.store_url.startswith("sqlite:///"):
            assert not (cli.cwd / "mentoring.db").exists()
