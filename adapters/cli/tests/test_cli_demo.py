"""``mentoring demo``: realistic, identical on every run, seeded once per store."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from cli_harness import ON_A_TERMINAL, Cli, event_count, interrupted, mentoring_executable
from mentoring_cli import _demo

from mentoring_core import MentoringService


def _stored(url: str) -> list[tuple[object, ...]]:
    """Every stored event, exactly as stored."""
    with MentoringService(url) as service:
        recorder = service.store.recorder
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, _unsealed(n.state))
            for n in recorder.select_notifications(start=1, limit=10_000)
        ]


def _unsealed(state: bytes) -> object:
    """A stored state with each sealed field's nonce and ciphertext left out: those are
    random (each run has its own keys), everything else is the same."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            if "$personal" in value:
                return {"$personal": value["$personal"], "key": value["key"]}
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(state))


def _seed(url: str) -> None:
    clock, options = _demo.demo_options()
    with MentoringService(url, **options) as service:
        _demo.run(service, clock, _demo.build_script())


def test_two_runs_store_identical_events(tmp_path: Path) -> None:
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("one.db", "two.db"))
    _seed(first)
    _seed(second)
    assert _stored(first) == _stored(second)


def test_the_demo_tells_a_whole_programme_story(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path)
    result = cli.run("demo", "--json")
    assert result.code == 0, str(result)
    assert "Seeding" not in result.stdout + result.stderr  # no progress bar when piped
    summary = json.loads(result.stdout)
    relationships = summary["relationships"]
    assert summary["events_recorded"] == event_count(cli.store_url) == _demo.EVENTS

    assert summary["refused_pairings"] == [
        {
            "mentor": "farid",
            "mentee": "priya",
            "rule": "experience-gap",
            "message": summary["refused_pairings"][0]["message"],
        }
    ]
    assert Counter(r["mentor"] for r in relationships if r["status"] != "declined").keys() == set(
        _demo.MENTORS
    )
    assert {r["mentee"] for r in relationships} == set(_demo.MENTEES)
    waiting = _demo.WAITING[0]  # enrolled in late May, not paired: mentors are suggested
    programme = summary["programme_id"]
    suggested = cli.ok("match", "suggest", "--programme", programme, "--mentee", waiting)
    assert [s["mentor_id"] for s in suggested["suggestions"]][:2] == ["amara", "chloe"]
    assert Counter((r["status"], r["ended"]) for r in relationships) == {
        ("active", None): 9,
        ("ended", "completed"): 1,
        ("ended", "rematched"): 1,
        ("declined", None): 1,
    }
    meetings = Counter()  # type: Counter[str]
    for r in relationships:
        meetings.update(r["meetings"])
    assert meetings["held"] > 50 and meetings["missed"] >= 2 and meetings["cancelled"] >= 2
    goals = [g for r in relationships for g in r["goals"]]
    assert len({g["focus_area"] for g in goals}) >= 5
    assert {g["status"] for g in goals} == {"open", "achieved", "abandoned"}
    active = [r for r in relationships if r["status"] != "declined"]
    assert all(r["feedback"] and r["reflections"] for r in active)
    assert sum(r["evaluations"] for r in active) >= 15

    # its coordinator is appointed before she records anything, so that her token reads
    # and writes the programme over HTTP, as the README suggests serving the demo
    shown = cli.ok("programme", "show", programme)
    assert shown["coordinators"] == [_demo.COORDINATOR]
    programme_history = cli.ok("history", programme)["events"]
    by_her = [e for e in programme_history if e["actor"] == _demo.COORDINATOR]
    appointed = next(e for e in programme_history if e["type"] == "CoordinatorAppointed")
    assert appointed["actor"] == _demo.ADMINISTRATOR == programme_history[0]["actor"]
    assert by_her and all(e["version"] > appointed["version"] for e in by_her)

    isla = next(r for r in relationships if r["mentee"] == "isla")
    history = cli.ok("history", isla["relationship_id"])["events"]
    kinds = [e["type"] for e in history]
    assert kinds.index("RelationshipPaused") < kinds.index("RelationshipResumed")

    again = cli.run("demo")
    assert again.code == 1, str(again)
    assert "already holds the demo programme" in again.stderr
    assert event_count(cli.store_url) == summary["events_recorded"]


def _on_a_terminal(*args: str) -> str:
    """Run ``mentoring`` with stdout and stderr on a pseudo-terminal; what it wrote there."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORING_")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "120", "TZ": "UTC"})
    env.pop("NO_COLOR", None)
    command = [mentoring_executable(), "--store", "memory://", *args]
    ran = subprocess.run(
        [sys.executable, "-c", ON_A_TERMINAL, *command],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran
    return ran.stdout.decode(errors="replace")


def test_a_progress_bar_on_a_terminal_only_without_json() -> None:
    shown = _on_a_terminal("demo")
    assert "Seeding the demo" in shown
    assert "amara → grace" in shown
    as_json = _on_a_terminal("demo", "--json")
    assert "Seeding" not in as_json
    assert json.loads(as_json)["programme"] == _demo.PROGRAMME_NAME


def test_the_demo_reminders_reach_everyone_through_a_local_mail_server(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    _seed(url)
    script = Path(__file__).resolve().parents[3] / "tools" / "demo_reminders.py"
    ran = subprocess.run(
        [sys.executable, str(script), url, str(_demo.PROGRAMME_ID)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    counts = re.search(r"Issued (\d+) reminder\(s\); sent \1\.", ran.stdout)
    assert counts is not None, ran.stdout
    sent = int(counts[1])
    received = re.findall(r"^  (\S+)@riverbend\.example: Reminder ", ran.stdout, re.MULTILINE)
    assert len(received) == sent > 0
    assert {"amara", "grace"} <= set(received)
    recorded = Cli(url, tmp_path).ok("reminders", "list", str(_demo.PROGRAMME_ID))["reminders"]
    assert len(recorded) == sent and all(r["sent_at"] for r in recorded)


def test_the_demo_keeps_the_stores_key_files(tmp_path: Path) -> None:
    """The global --cipher-key-file and --key-store-file hold for the demo as for every
    command: its store is encrypted at rest, its people's keys kept apart, and the
    commands it suggests name both files (it wrote a store in clear, keys inside)."""
    cli = Cli(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path)
    key, keys = tmp_path / "at-rest.key", tmp_path / "keys.db"
    assert cli.run("privacy", "cipher-keygen", "--out", str(key)).code == 0
    files = ("--cipher-key-file", str(key), "--key-store-file", str(keys))
    seeded = cli.run(*files, "demo")
    assert seeded.code == 0, str(seeded)
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    clear = cli.run("--key-store-file", str(keys), "programme", "list")
    assert clear.code == 2 and "no cipher key file was given" in clear.stderr, str(clear)
    keyless = cli.run("--cipher-key-file", str(key), "privacy", "export-person", "grace")
    assert keyless.code != 0 and "without its key store file" in keyless.stderr, str(keyless)
    found = cli.run(*files, "privacy", "export-person", "grace")
    assert found.code == 0, str(found)
    hint = next(line for line in seeded.stdout.splitlines() if " history " in line)
    assert hint.split()[:7] == ["mentoring", "--store", cli.store_url, *files]
    suggested = cli.run(*hint.split()[1:], store=False)
    assert suggested.code == 0 and "History of" in suggested.stdout, str(suggested)


def test_the_demo_refuses_a_key_file_it_cannot_read(tmp_path: Path) -> None:
    cli = Cli(f"sqlite:///{tmp_path / 'demo.db'}", tmp_path)
    missing = cli.run("--cipher-key-file", str(tmp_path / "nowhere.key"), "demo")
    assert missing.code == 2 and "cannot read the cipher key file" in missing.stderr, str(missing)
    assert "Traceback" not in missing.stderr
    assert not (tmp_path / "demo.db").exists()


def _stored_so_far(path: Path) -> int:
    """How many events the SQLite store at ``path`` holds now (0 before it has its table)."""
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM stored_events").fetchone()[0])
    except sqlite3.Error:
        return 0


def _demo_interrupted(cli: Cli, path: Path, signum: signal.Signals, *options: str) -> str:
    """Run ``mentoring [OPTIONS] demo`` on the SQLite store at ``path`` and send ``signum``
    once the store holds some of the demo's events, well before its end: stderr."""
    command = [mentoring_executable(), "--store", cli.store_url, *options, "demo"]
    code, err = interrupted(command, cli.cwd, lambda: _stored_so_far(path) >= 30, signum)
    assert code == (1 if signum == signal.SIGINT else -signal.SIGTERM), err
    return err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_a_demo_interrupted_removes_the_store_it_created(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """A store the demo was seeding was left half-seeded (130 to 269 of its events), and
    every later demo refused it as "already holds the demo ...; nothing was recorded"."""
    folder = tmp_path / "stores"
    folder.mkdir()
    path = folder / "demo.db"
    cli = Cli(f"sqlite:///{path}", tmp_path)
    err = _demo_interrupted(cli, path, signum, "--key-store-file", str(folder / "keys.db"))
    assert err.lstrip("\n") in {"error: aborted\n", "error: terminated\n"}
    assert sorted(folder.iterdir()) == []
    again = cli.run("--key-store-file", str(folder / "keys.db"), "demo", "--json")
    assert again.code == 0, str(again)
    assert (
        again.json()["events_recorded"]
        == _demo.EVENTS
        == event_count(cli.store_url, folder / "keys.db")
    )


def test_a_store_that_holds_an_incomplete_demo_is_named_so(tmp_path: Path) -> None:
    """A store that was there before the demo is kept when the demo is interrupted: the
    next demo says what it holds, not that it "already holds the demo programme"."""
    path = tmp_path / "kept.db"
    cli = Cli(f"sqlite:///{path}", tmp_path)
    cli.ok("programme", "create", "--name", "Ours", "--organisation", "O")
    before = event_count(cli.store_url)
    _demo_interrupted(cli, path, signal.SIGINT)
    partial = event_count(cli.store_url) - before
    assert 0 < partial < _demo.EVENTS
    again = cli.run("demo")
    assert (again.code, again.stderr) == (
        1,
        f"error: the store {cli.store_url} holds an incomplete demo ({partial} of "
        f"{_demo.EVENTS} events): use another --store or delete it\n",
    ), str(again)
    assert event_count(cli.store_url) - before == partial
