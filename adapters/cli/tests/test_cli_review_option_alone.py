"""An option that only applies with another is refused without it.

``reminders run --interval 5`` without ``--follow`` ran once and exited, ignoring
``--interval`` without a word: whoever started it believed a loop was running. So did
``pair show --axis occurred`` without ``--as-of`` (the state now, whatever the axis),
``audit state-at --version N --axis occurred`` and ``audit diff`` between two versions
with ``--axis`` (the axis is for moments), and ``reminders run`` given ``--from`` with a
webhook or ``--webhook-secret-file`` with SMTP. Each is now bad usage (exit 2), one line
naming the option and the one it needs, before the store is opened or anything sent.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from cli_harness import Cli

ID = str(UUID(int=1))
SMTP = ("--smtp", "127.0.0.1:9", "--from", "reminders@northside.test")
WEBHOOK = ("--webhook", "http://127.0.0.1:9/hook", "--webhook-secret-file", "webhook.secret")

CASES = {
    "an interval without --follow": (
        ["reminders", "run", ID, *SMTP, "--interval", "5"], "--interval", "--follow"
    ),
    "an interval with --once": (
        ["reminders", "run", ID, *SMTP, "--once", "--interval", "60"], "--interval", "--follow"
    ),
    "a sender with a webhook": (
        ["reminders", "run", ID, *WEBHOOK, "--from", "reminders@northside.test"],
        "--from",
        "--smtp",
    ),
    "a webhook secret with SMTP": (
        ["reminders", "run", ID, *SMTP, "--webhook-secret-file", "webhook.secret"],
        "--webhook-secret-file",
        "--webhook",
    ),
    "an axis without --as-of": (
        ["pair", "show", ID, "--axis", "occurred"], "--axis", "--as-of"
    ),
    "an axis with a version": (
        ["audit", "state-at", ID, "--version", "3", "--axis", "occurred"], "--axis", "--at"
    ),
    "an axis between versions": (
        ["audit", "diff", ID, "--from", "1", "--to", "3", "--axis", "recorded"],
        "--axis",
        "a moment in --from or --to",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_an_option_given_without_the_one_it_needs_is_bad_usage(tmp_path: Path, case: str) -> None:
    args, option, needed = CASES[case]
    (tmp_path / "webhook.secret").write_text("whsec_" + "A" * 44 + "\n")
    store = tmp_path / "absent.db"  # opened, it would be refused: no store there (exit 1)
    refused = Cli(f"sqlite:///{store}", tmp_path).run(*args)
    assert (refused.code, refused.stdout) == (2, ""), str(refused)
    assert refused.stderr.startswith(f"error: Invalid value for '{option}': needs {needed};")
    assert refused.stderr.count("\n") == 1, str(refused)
    assert not store.exists()
