"""``mentoring serve``: refused clearly, and before any store is created, when it cannot
serve (the HTTP server cannot be imported, keys that cannot be read or would be fetched
over plain HTTP, an empty issuer)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

WITHOUT_SERVER = (  # as if the HTTP adapter's server could not be imported
    "import sys; sys.modules['mentoring_http.serve'] = None; "
    "from mentoring_cli.app import main; main(sys.argv[1:])"
)
CLAIMS = ("--issuer", "i", "--audience", "a")


def _serve(
    tmp_path: Path, *options: str, code: str | None = None
) -> subprocess.CompletedProcess[str]:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    program = ["-c", code] if code else ["-m", "mentoring_cli"]
    return subprocess.run(
        [sys.executable, *program, "--store", store, "serve", *options],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_without_the_http_adapter_serve_says_how_to_install_it(tmp_path: Path) -> None:
    run = _serve(tmp_path, "--jwks", "k.jwks", *CLAIMS, code=WITHOUT_SERVER)
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.startswith("error: 'mentoring serve' needs the HTTP adapter")
    assert "pip install ./adapters/http" in run.stderr
    assert run.stderr.count("\n") == 1
    assert not (tmp_path / "store.db").exists()


def test_keys_that_cannot_be_read_are_a_usage_error_naming_jwks(tmp_path: Path) -> None:
    run = _serve(tmp_path, "--jwks", str(tmp_path / "missing.jwks"), *CLAIMS)
    assert run.returncode == 2, run.stderr
    assert "--jwks" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "store.db").exists()


def test_an_empty_issuer_is_a_usage_error(tmp_path: Path) -> None:
    run = _serve(tmp_path, "--jwks", "k.jwks", "--issuer", " ", "--audience", "a")
    assert run.returncode == 2
    assert "'--issuer'" in run.stderr and "must not be empty" in run.stderr


def test_an_empty_host_is_a_usage_error_not_every_interface(tmp_path: Path) -> None:
    """uvicorn listens on every interface (0.0.0.0 and ::) for an empty host: a slip that
    would put the API on the network, while the command said it serves http://:8000."""
    run = _serve(tmp_path, "--jwks", "k.jwks", *CLAIMS, "--host", "")
    assert run.returncode == 2
    assert "'--host'" in run.stderr and "must not be empty" in run.stderr
    assert not (tmp_path / "store.db").exists()


def _keys(tmp_path: Path) -> str:
    made = subprocess.run(
        [sys.executable, "-m", "mentoring_cli", "token", "keygen", "--out", str(tmp_path / "k")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    return str(tmp_path / "k" / "token-signing-keys.jwks")


def test_an_address_that_cannot_be_listened_on_is_refused_in_one_line(tmp_path: Path) -> None:
    """Before the store is opened: a host that is no address (a usage error naming --host)
    and a port another program holds (refused), not the server's log and status 3."""
    jwks = _keys(tmp_path)
    bad_host = _serve(tmp_path, "--jwks", jwks, *CLAIMS, "--host", "999.1.1.1")
    assert bad_host.returncode == 2, bad_host.stderr
    assert "'--host'" in bad_host.stderr and "999.1.1.1" in bad_host.stderr
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        taken = _serve(tmp_path, "--jwks", jwks, *CLAIMS, "--port", str(port))
    assert taken.returncode == 1, taken.stderr
    assert taken.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert taken.stderr.count("\n") == 1
    assert not (tmp_path / "store.db").exists()


def test_a_jwks_url_over_plain_http_is_a_usage_error_and_is_never_fetched(
    tmp_path: Path,
) -> None:
    """Keys fetched over plain HTTP could be replaced by anyone on the network path, who
    would then issue themselves administrator tokens: 'serve --jwks http://...' is
    refused (https is required), before the keys are fetched or the store is opened."""
    _keys(tmp_path)
    asked: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            asked.append(self.path)

    with ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=tmp_path / "k")) as keys:
        thread = threading.Thread(target=keys.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{keys.server_address[1]}/token-signing-keys.jwks"
        try:
            run = _serve(tmp_path, "--jwks", url, *CLAIMS)
        finally:
            keys.shutdown()
            thread.join()
    assert run.returncode == 2, run.stderr
    assert "'--jwks'" in run.stderr and url in run.stderr and "https:// is required" in run.stderr
    assert "Traceback" not in run.stderr
    assert asked == []
    assert not (tmp_path / "store.db").exists()


def test_a_jwks_with_no_key_to_verify_a_token_is_a_usage_error(tmp_path: Path) -> None:
    """A JWKS of keys for encryption only would make every request a 401: refused at
    start, naming --jwks, before the store is opened."""
    jwks = Path(_keys(tmp_path))
    document = json.loads(jwks.read_text())
    document["keys"][0]["use"] = "enc"
    jwks.write_text(json.dumps(document))
    run = _serve(tmp_path, "--jwks", str(jwks), *CLAIMS)
    assert run.returncode == 2, run.stderr
    assert "'--jwks'" in run.stderr and "holds no key to verify a token" in run.stderr
    assert not (tmp_path / "store.db").exists()


def test_the_address_said_at_start_is_a_url_an_ipv6_host_in_brackets(tmp_path: Path) -> None:
    """``http://::1:8000`` is no URL (the port reads as part of the address): an IPv6
    host is written in brackets, as a client must write it."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
            port = probe.getsockname()[1]
    except OSError as error:
        pytest.skip(f"this machine has no IPv6 loopback to listen on ({error})")
    store = f"sqlite:///{tmp_path / 'store.db'}"
    where = ("--host", "::1", "--port", str(port))
    command = [sys.executable, "-m", "mentoring_cli", "--store", store, "serve",
               "--jwks", _keys(tmp_path), *CLAIMS, *where]  # fmt: skip
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, cwd=tmp_path) as server:
        try:
            assert server.stderr is not None
            first = server.stderr.readline()
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert first.rstrip().endswith(f" on http://[::1]:{port}"), first
