"""``reminders run`` refuses, before a reminder is issued, a host no connection can be
made to, and a webhook URL holding a user name or password.

A host name with an empty label or one of more than 63 characters (``hooks..example``,
``.example``: a typo) passed the checks of ``--webhook`` and ``--smtp``; the run issued
its first reminder, and then the name's encoding for the resolver failed
(``UnicodeError``, neither a refused send nor an ``OSError``): the run ended at it
("unexpected UnicodeError", exit 1), the reminder issued and unsent, every later run
the same, and a ``--follow`` ended. A webhook URL with ``user:password@`` was taken
too, though no request can carry it (urllib has no login here: the name and password
were taken for part of the host): each reminder was issued, then refused, with the
password printed in every run's output. Now both are a usage error (exit 2, naming the
option, the password hidden), with nothing issued, and a notifier made by a program
refuses them when made.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import Cli
from smtp_sink import Mailbox
from test_cli_reminders import SECRET, logged, seed

pytestmark = pytest.mark.sqlite_only

UNRESOLVABLE = ["hooks..northside.test", ".northside.test", "a" * 64 + ".northside.test"]


def _secret(tmp_path: Path) -> tuple[str, str]:
    secret = tmp_path / "webhook.secret"
    secret.write_text(SECRET + "\n")
    return "--webhook-secret-file", str(secret)


def _refused_before_anything_is_issued(tmp_path: Path, option: str, *args: str) -> str:
    """What the run said on stderr, having refused ``option`` and issued nothing."""
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    run = cli.run("reminders", "run", str(programme), *args)
    assert run.code == 2, str(run)
    assert run.stderr.startswith(f"error: Invalid value for '{option}'"), str(run)
    assert len(run.stderr.splitlines()) == 1, str(run)
    assert logged(cli.store_url, programme) == ([], []), "a reminder was issued"
    return run.stderr


@pytest.mark.parametrize("host", UNRESOLVABLE)
def test_a_webhook_host_that_is_no_host_name_is_refused_before_anything_is_issued(
    tmp_path: Path, host: str
) -> None:
    url = f"http://{host}:9/hooks"
    said = _refused_before_anything_is_issued(
        tmp_path, "--webhook", "--webhook", url, *_secret(tmp_path)
    )
    assert "an empty label or one longer than 63 characters" in said


@pytest.mark.parametrize("host", UNRESOLVABLE)
def test_a_mail_server_that_is_no_host_name_is_refused_before_anything_is_issued(
    tmp_path: Path, host: str
) -> None:
    said = _refused_before_anything_is_issued(
        tmp_path, "--smtp", "--smtp", f"{host}:25", "--from", "reminders@northside.test"
    )
    assert "an empty label or one longer than 63 characters" in said


@pytest.mark.parametrize("login", ["hook:s3cr3t-token@", "hook@", ":s3cr3t-token@"])
def test_a_webhook_url_with_a_login_is_refused_and_its_password_not_shown(
    tmp_path: Path, login: str
) -> None:
    url = f"http://{login}127.0.0.1:9/hooks"
    said = _refused_before_anything_is_issued(
        tmp_path, "--webhook", "--webhook", url, *_secret(tmp_path)
    )
    assert "user name or password" in said and "s3cr3t-token" not in said


def test_a_host_name_that_is_one_still_reaches_its_server(
    tmp_path: Path, smtp: tuple[int, Mailbox]
) -> None:
    """The check refuses only what the resolver cannot take: a host name
    (``localhost``), not only an address, still reaches its server."""
    port, mailbox = smtp
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    run = cli.ok(
        *("reminders", "run", str(programme), "--smtp", f"localhost:{port}"),
        *("--from", "reminders@northside.test"),
    )
    assert run["failed"] == [] and len(run["sent"]) == len(mailbox.messages) == 4


@pytest.mark.parametrize(
    "url", [f"http://{host}:9/hooks" for host in UNRESOLVABLE] + ["http://hook:pw@127.0.0.1:9/"]
)
def test_a_webhook_notifier_made_by_a_program_refuses_them_too(url: str) -> None:
    from mentoring_cli.notifiers import WebhookNotifier

    with pytest.raises(ValueError, match="is not an http\\(s\\) URL") as refused:
        WebhookNotifier(url=url, key=b"k" * 32)
    assert ":pw@" not in str(refused.value)


@pytest.mark.parametrize("host", UNRESOLVABLE)
def test_a_mail_notifier_made_by_a_program_refuses_them_too(host: str) -> None:
    from mentoring_cli.notifiers import SmtpNotifier

    with pytest.raises(ValueError, match="an empty label or one longer than 63 characters"):
        SmtpNotifier(host=host, port=25, sender="reminders@northside.test")
