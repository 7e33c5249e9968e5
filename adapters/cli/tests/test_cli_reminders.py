"""``mentoring reminders`` (issue 14, item 2), end to end: the real command sending to a
real SMTP server (aiosmtpd) and a real webhook receiver on 127.0.0.1 that checks the
Standard Webhooks signature; killed with SIGKILL mid-run and started again, no reminder
is lost, and one is received twice only if it was in flight, under the same id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from cli_harness import Cli, mentoring_executable
from mentoring_cli.notifiers import webhook_key, webhook_signature
from smtp_sink import Mailbox, free_port

from mentoring_core import MentoringService
from mentoring_core.events import ReminderIssued, ReminderSent
from mentoring_core.projections import due
from mentoring_core.reminders import owed, quiet
from mentoring_core.values import Cadence, CadenceTier, Participation, ProgrammePolicy, Role

SECRET = "whsec_" + base64.b64encode(b"a reminder signing key, 32 bytes").decode()
POLICY = ProgrammePolicy(
    cadence=(CadenceTier(cadence=Cadence.weekly()),),
    minimum_meeting_minutes=30,
    participation=Participation.VOLUNTARY,
    minimum_experience_gap_years=Decimal(2),
    review_interval_days=60,
)


def seed(
    url: str, pairs: int, *, contact: bool = True, contacts: Mapping[str, str] | None = None
) -> UUID:
    """A programme whose ``pairs`` pairs were formed 100 days ago and never met: each
    owes its mentor and mentee an overdue meeting and review (and they are quiet). Each
    person's contact is ``person@northside.test`` (none for every fifth pair, and none
    at all without ``contact``), or as ``contacts`` gives it for that person."""
    long_ago = datetime.now(UTC) - timedelta(days=200)
    with MentoringService(url) as service:
        programme = service.create_programme(
            "Northside", "Northside Care", actor="coord", occurred_at=long_ago
        ).id
        service.set_policy(programme, POLICY, actor="coord", occurred_at=long_ago)
        for n in range(pairs):
            for person, role, years in (
                (f"mentor{n}", Role.MENTOR, 12),
                (f"mentee{n}", Role.MENTEE, 1),
            ):
                address = f"{person}@northside.test" if contact and n % 5 != 4 else None
                address = (contacts or {}).get(person, address)
                service.enrol(
                    programme,
                    person,
                    role,
                    years,
                    contact=address,
                    actor="coord",
                    occurred_at=long_ago,
                )
            service.form_pair(
                programme,
                f"mentor{n}",
                f"mentee{n}",
                actor="coord",
                occurred_at=long_ago + timedelta(days=100),
            )
    return programme


def owed_ids(url: str, programme: UUID, quiet_days: int | None = None) -> set[UUID]:
    with MentoringService(url) as service:
        now = datetime.now(UTC)
        items = due(service, programme_id=programme, within_days=2, now=now)
        relationships = quiet(service.relationships(programme))
        found = owed(items, relationships, now=now, within_days=2, quiet_days=quiet_days)
        return {r.reminder_id for r in found}


def logged(url: str, programme: UUID) -> tuple[list[ReminderIssued], list[ReminderSent]]:
    with MentoringService(url) as service:
        history = service.history(programme)
    return (
        [e for e in history if isinstance(e, ReminderIssued)],
        [e for e in history if isinstance(e, ReminderSent)],
    )


class Receiver:
    """A webhook receiver: verifies each request's signature (by the Standard Webhooks
    rules, written out here again), keeps the ids, answers 204 (401 if not signed)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.ids: list[str] = []
        self.bodies: list[dict[str, Any]] = []
        self.refused = 0
        self.delay = delay
        self.lock = threading.Lock()
        self.gate: threading.Event | None = None
        """If set, each request, once its id is kept, waits for it (up to 8 s) before it
        is answered."""

    def verified(self, headers: Any, body: bytes) -> bool:
        key = base64.b64decode(SECRET.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        fresh = abs(time.time() - int(headers["webhook-timestamp"])) < 300
        offered = [s.partition(",")[2] for s in headers["webhook-signature"].split()]
        return fresh and any(hmac.compare_digest(expected, s) for s in offered)


@pytest.fixture
def webhook() -> Iterator[tuple[str, Receiver]]:
    receiver = Receiver(delay=0.05)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(receiver.delay)  # a slow receiver: the run takes a while
            with receiver.lock:
                if not receiver.verified(self.headers, body):
                    receiver.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.ids.append(self.headers["webhook-id"])
                receiver.bodies.append(json.loads(body))
            if receiver.gate is not None:  # the sender held mid-run, on a slow machine too
                receiver.gate.wait(timeout=8)  # within the sender's 10 s
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield f"{url}/hooks", receiver


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering with ``handler``, until the block ends; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_signer_agrees_with_the_standard_webhooks_example() -> None:
    # The example of the Standard Webhooks reference libraries' tests.
    key = webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    signature = webhook_signature(
        key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_reminders_by_email_reach_each_contact_once_under_a_stable_message_id(
    tmp_path: Path, smtp: tuple[int, Mailbox]
) -> None:
    port, mailbox = smtp
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 5)  # pair 4 has no contact recorded
    expected = owed_ids(cli.store_url, programme, quiet_days=30)
    run = cli.ok(
        *("reminders", "run", str(programme), "--quiet-days", "30"),
        *("--smtp", f"127.0.0.1:{port}", "--from", "Reminders <reminders@northside.test>"),
    )
    assert run["unreachable"] == ["mentee4", "mentor4"] and run["failed"] == []
    assert len(run["sent"]) == len(mailbox.messages) == len(expected) * 4 // 5
    ids = {UUID(i) for i in run["sent"]}
    assert ids < expected
    for recipients, message in mailbox.messages:
        assert message["Message-ID"].startswith("<reminder-")
        assert message["Message-ID"].endswith("@northside.test>")
        person = recipients[0].partition("@")[0]
        assert message["To"] == recipients[0] == f"{person}@northside.test"
        assert f"Hello {person}," in message.get_payload()
    assert {m["Message-ID"] for _, m in mailbox.messages} == {
        f"<reminder-{i}@northside.test>" for i in ids
    }
    assert {m["Subject"].split(":")[0] for _, m in mailbox.messages} == {
        "Reminder (overdue)",
        "Reminder (quiet)",
    }
    second = cli.ok(
        *("reminders", "run", str(programme), "--quiet-days", "30", "--once"),
        *("--smtp", f"127.0.0.1:{port}", "--from", "reminders@northside.test"),
    )
    assert second["issued"] == second["sent"] == []
    assert len(mailbox.messages) == len(ids)
    listed = cli.ok("reminders", "list", str(programme))["reminders"]
    assert {UUID(r["reminder_id"]) for r in listed} == ids
    assert all(
        r["sent_at"] and r["channel"] == "email" and r["issued_by"] == "tester" for r in listed
    )
    shown = cli.run("reminders", "list", str(programme))
    assert shown.code == 0 and "mentor0" in shown.stdout and "overdue" in shown.stdout


def test_a_mail_server_that_is_down_leaves_the_reminders_to_the_next_run(
    tmp_path: Path, smtp: tuple[int, Mailbox]
) -> None:
    port, mailbox = smtp
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    down = cli.run(
        *("reminders", "run", str(programme), "--smtp", f"127.0.0.1:{free_port()}"),
        *("--from", "reminders@northside.test"),
    )
    assert down.code == 1 and "could not be sent" in down.stderr, str(down)
    assert "Not sent (the next run tries again)" in down.stdout
    up = cli.ok(
        *("reminders", "run", str(programme), "--smtp", f"127.0.0.1:{port}"),
        *("--from", "reminders@northside.test"),
    )
    assert up["issued"] == [] and sorted(up["sent_again"]) == sorted(up["sent"])
    assert len(mailbox.messages) == len(up["sent"]) == 4


def test_signed_webhooks_are_verified_by_the_receiver(
    tmp_path: Path, webhook: tuple[str, Receiver]
) -> None:
    url, receiver = webhook
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 2, contact=False)
    secret = tmp_path / "webhook.secret"
    secret.write_text(SECRET + "\n")
    run = cli.ok(
        "reminders", "run", str(programme), "--webhook", url, "--webhook-secret-file", str(secret)
    )
    assert receiver.refused == 0
    assert sorted(receiver.ids) == sorted(run["sent"]) and len(receiver.ids) == 8
    assert {UUID(i) for i in receiver.ids} == owed_ids(cli.store_url, programme)
    body = receiver.bodies[0]
    assert body["type"] == "reminder" and body["reminder_id"] == receiver.ids[0]
    assert body["person_id"] in (body["mentor_id"], body["mentee_id"])
    wrong = tmp_path / "wrong.secret"
    wrong.write_text("whsec_" + base64.b64encode(b"another key of thirty-two bytes!").decode())
    seed_more = seed(cli.store_url, 1, contact=False)
    refused = cli.run(
        "reminders", "run", str(seed_more), "--webhook", url, "--webhook-secret-file", str(wrong)
    )
    assert refused.code == 1 and "answered 401" in refused.stdout
    assert receiver.refused == 4


def test_reminders_left_unsent_by_a_webhook_run_wait_for_the_next_webhook_run(
    tmp_path: Path, smtp: tuple[int, Mailbox], webhook: tuple[str, Receiver]
) -> None:
    """A reminder is recorded with its channel: an e-mail run neither sends by e-mail what
    a webhook run issued and could not send, nor fails on it; the next webhook run does."""
    port, mailbox = smtp
    url, receiver = webhook
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 1)
    secret = tmp_path / "webhook.secret"
    secret.write_text(SECRET + "\n")
    hook = ("--webhook-secret-file", str(secret))
    down = cli.run("reminders", "run", str(programme), "--webhook", "http://127.0.0.1:9/x", *hook)
    assert down.code == 1 and "could not be sent" in down.stderr, str(down)
    mailed = cli.run(
        *("reminders", "run", str(programme), "--smtp", f"127.0.0.1:{port}"),
        *("--from", "reminders@northside.test"),
    )
    assert mailed.code == 0 and mailbox.messages == [], str(mailed)
    assert "Left unsent: 4 reminder(s) issued on another channel" in mailed.stdout
    up = cli.ok("reminders", "run", str(programme), "--webhook", url, *hook)
    assert up["issued"] == [] and len(up["sent_again"]) == len(receiver.ids) == 4
    listed = cli.ok("reminders", "list", str(programme))["reminders"]
    assert {r["channel"] for r in listed} == {"webhook"} and all(r["sent_at"] for r in listed)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "give one of --smtp or --webhook"),
        (("--smtp", "nowhere"), "is not HOST:PORT"),
        (("--smtp", "127.0.0.1:25"), "--smtp needs --from"),
        (("--webhook", "file:///etc/passwd", "--webhook-secret-file", "x"), "not an http(s) URL"),
        # URLs no request can be made to: refused before a reminder is issued for them
        (("--webhook", "http://127.0.0.1:9/a\r\nX: y", "--webhook-secret-file", "x"), "'\\r'"),
        (("--webhook", "http://127.0.0.1:9/a b", "--webhook-secret-file", "x"), "' '"),
        (("--webhook", "http://127.0.0.1:9/\u00fc", "--webhook-secret-file", "x"), "'\u00fc'"),
        (("--webhook", "http://127.0.0.1:abc/x", "--webhook-secret-file", "x"), "port"),
        (("--webhook", "http://127.0.0.1:99999/x", "--webhook-secret-file", "x"), "port"),
        (("--webhook", "http://:9/x", "--webhook-secret-file", "x"), "no host"),
        (("--webhook", "http://127.0.0.1:9/"), "needs --webhook-secret-file"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    refused = cli.run("reminders", "run", str(UUID(int=1)), *args)  # refused before any store
    assert refused.code == 2 and said in refused.stderr, str(refused)


def test_killed_mid_run_and_started_again_no_reminder_is_lost_and_none_sent_twice_unseen(
    tmp_path: Path, webhook: tuple[str, Receiver]
) -> None:
    url, receiver = webhook
    store = tmp_path / "store.db"
    programme = seed(f"sqlite:///{store}", 12, contact=False)
    expected = owed_ids(f"sqlite:///{store}", programme)
    assert len(expected) == 48
    secret = tmp_path / "webhook.secret"
    secret.write_text(SECRET)
    args = [
        *(mentoring_executable(), "--store", f"sqlite:///{store}", "--actor", "reminders"),
        *("reminders", "run", str(programme), "--webhook", url),
        *("--webhook-secret-file", str(secret), "--json"),
    ]
    environment = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        args, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while len(receiver.ids) < 10 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    before = len(receiver.ids)
    assert 10 <= before < 48, "killed mid-run"
    again = subprocess.run(
        args, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert again.returncode == 0, again.stderr
    received = Counter(UUID(i) for i in receiver.ids)
    assert set(received) == expected  # none lost
    issued, sent = logged(f"sqlite:///{store}", programme)
    assert sorted(e.reminder_id for e in issued) == sorted(expected)  # each issued once
    assert sorted(e.reminder_id for e in sent) == sorted(expected)  # and marked sent once
    twice = {i for i, n in received.items() if n > 1}
    assert all(n <= 2 for n in received.values())
    resent = {e.reminder_id for e in sent if e.after_interruption}
    assert twice <= resent and len(resent) <= 1  # only the one in flight, and visibly


def start_following(
    tmp_path: Path, store: str, programme: UUID, url: str, **popen: Any
) -> subprocess.Popen[str]:
    """``reminders run --follow`` on the webhook at ``url``, with a clock too slow to
    matter (``popen``: more of :class:`subprocess.Popen`'s arguments)."""
    secret = tmp_path / "webhook.secret"
    secret.write_text(SECRET)
    args = [
        *(mentoring_executable(), "--store", store, "--actor", "reminders"),
        *("reminders", "run", str(programme), "--webhook", url),
        *("--webhook-secret-file", str(secret), "--follow", "--interval", "300", "--json"),
    ]
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )


@contextmanager
def killed_on_failure(process: subprocess.Popen[str]) -> Iterator[None]:
    """A failure inside is reported as it is, with the command's stderr (the command
    killed first), not hidden behind a stop that then does not come."""
    try:
        yield
    except BaseException as failure:
        process.kill()
        failure.add_note(f"the command's stderr:\n{process.communicate()[1]}")
        raise


def stopped(process: subprocess.Popen[str], signum: signal.Signals) -> list[dict[str, Any]]:
    """Send ``signum``: the command ends within 30 s, with status 0 and nothing on
    stderr; the JSON documents of its runs."""
    process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running 30 s after {signum.name}: {process.communicate()[1]}")
    assert (process.returncode, err) == (0, "")
    return [json.loads(doc) for doc in out.replace("}\n{", "}\x00{").split("\x00")]


def wait_for(receiver: Receiver, count: int, deadline: float) -> None:
    while len(receiver.ids) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_following_the_feed_a_new_pair_is_reminded_at_once_not_at_the_next_tick(
    tmp_path: Path, webhook: tuple[str, Receiver]
) -> None:
    url, receiver = webhook
    receiver.delay = 0.0
    store = f"sqlite:///{tmp_path / 'store.db'}"
    programme = seed(store, 1, contact=False)
    process = start_following(tmp_path, store, programme, url)
    with killed_on_failure(process):
        deadline = time.monotonic() + 60
        wait_for(receiver, 4, deadline)
        assert len(receiver.ids) == 4
        # received is not yet recorded sent: writing on the programme before the first run
        # is over would meet its last ReminderSent (a ConcurrencyConflict)
        while len(logged(store, programme)[1]) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        long_ago = datetime.now(UTC) - timedelta(days=200)
        with MentoringService(store) as service:  # another writer, meanwhile
            for person, role, years in (("cy", Role.MENTOR, 9), ("dee", Role.MENTEE, 1)):
                service.enrol(programme, person, role, years, actor="coord", occurred_at=long_ago)
            service.form_pair(
                programme, "cy", "dee", actor="coord", occurred_at=long_ago + timedelta(days=100)
            )
        wait_for(receiver, 8, deadline)
        assert {b["person_id"] for b in receiver.bodies[4:]} == {"cy", "dee"}
        runs = stopped(process, signal.SIGINT)
    assert len(receiver.ids) == len(set(receiver.ids)) == 8
    assert sum(len(r["sent"]) for r in runs) == 8


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_following_stops_on_sigint_or_sigterm_after_the_reminder_in_hand(
    tmp_path: Path, webhook: tuple[str, Receiver], signum: signal.Signals
) -> None:
    """Ctrl-C, or a service manager's SIGTERM, mid-run: the reminder being sent is
    recorded sent, the rest is left to the next run, and the command exits with 0."""
    url, receiver = webhook
    receiver.delay = 0.2  # 20 reminders: a run of 4 seconds at least
    store = f"sqlite:///{tmp_path / 'store.db'}"
    programme = seed(store, 5, contact=False)
    process = start_following(tmp_path, store, programme, url)
    with killed_on_failure(process):
        wait_for(receiver, 1, time.monotonic() + 60)
        assert receiver.ids
        runs = stopped(process, signum)
    assert 1 <= len(receiver.ids) < 20
    issued, sent = logged(store, programme)
    assert [e.reminder_id for e in issued] == [e.reminder_id for e in sent]
    assert [str(e.reminder_id) for e in sent] == receiver.ids == runs[0]["sent"]


def _ignoring_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_a_follow_started_with_sigint_ignored_keeps_it_ignored(
    tmp_path: Path, webhook: tuple[str, Receiver]
) -> None:
    """A shell runs a command started with ``&`` in a script with SIGINT ignored, so that
    a Ctrl-C at the terminal (which reaches every process of the script's group) ends the
    script and not the jobs it left running; every command keeps it so
    (``_interruptible``). ``--follow`` put its own handler in place whatever was there:
    such a Ctrl-C stopped it, and nothing was sent until someone started it again. A
    signal ignored when the follow starts now stays ignored; SIGTERM still stops it."""
    url, receiver = webhook
    receiver.delay = 0.0
    store = f"sqlite:///{tmp_path / 'store.db'}"
    programme = seed(store, 1, contact=False)
    process = start_following(tmp_path, store, programme, url, preexec_fn=_ignoring_sigint)
    with killed_on_failure(process):
        deadline = time.monotonic() + 60
        while len(logged(store, programme)[1]) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)  # the first run over: its 4 reminders sent and recorded so
        assert len(receiver.ids) == 4
        process.send_signal(signal.SIGINT)
        long_ago = datetime.now(UTC) - timedelta(days=200)
        with MentoringService(store) as service:  # a new pair: the follow reminds it
            for person, role, years in (("cy", Role.MENTOR, 9), ("dee", Role.MENTEE, 1)):
                service.enrol(programme, person, role, years, actor="coord", occurred_at=long_ago)
            service.form_pair(
                programme, "cy", "dee", actor="coord", occurred_at=long_ago + timedelta(days=100)
            )
        while len(receiver.ids) < 8 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the follow ended on a SIGINT it was started ignoring"
        assert {b["person_id"] for b in receiver.bodies[4:]} == {"cy", "dee"}
        runs = stopped(process, signal.SIGTERM)
    assert sum(len(r["sent"]) for r in runs) == 8


def test_a_run_started_while_another_sends_does_nothing_and_says_so(
    tmp_path: Path, webhook: tuple[str, Receiver]
) -> None:
    """Two `--once` runs at once (cron, a slow receiver outlasting the period): the
    second finds the programme's run in progress and exits 1 having sent nothing, where
    it sent again every reminder the first had issued and not yet marked."""
    url, receiver = webhook
    receiver.delay = 0.3
    receiver.gate = threading.Event()  # the first run held at its first reminder
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    programme = seed(cli.store_url, 3, contact=False)
    secret = tmp_path / "webhook.secret"
    secret.write_text(SECRET)
    args = ("reminders", "run", str(programme), "--webhook", url, "--webhook-secret-file")
    first = subprocess.Popen(
        [mentoring_executable(), "--store", cli.store_url, *args, str(secret), "--json"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not receiver.ids and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.ids, "the first run sent nothing"
        second = cli.run(*args, str(secret))
        document = cli.run(*args, str(secret), "--json")
        receiver.gate.set()
        first_out, _ = first.communicate(timeout=120)
    finally:
        receiver.gate.set()
        first.kill()
        first.wait(timeout=30)
    assert second.code == 1 and "in progress" in second.stderr, str(second)
    assert "Nothing done: another reminder run" in second.stdout
    assert document.code == 1 and json.loads(document.stdout)["busy"] is True
    assert first.returncode == 0
    sent = json.loads(first_out)["sent"]
    assert len(sent) == 12 and sorted(receiver.ids) == sorted(sent)  # each once
    issued, marked = logged(cli.store_url, programme)
    assert len(issued) == len(marked) == 12
    assert not any(m.after_interruption for m in marked)
