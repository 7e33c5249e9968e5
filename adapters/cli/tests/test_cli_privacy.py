"""``mentoring privacy erase`` end to end: the person's texts read as erased, the chain
still verifies against a digest taken before, and a second erasure is told so."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_harness import Cli
from test_cli_audit import PROGRAMME, RELATIONSHIP, START, seed

from mentoring_core import MentoringService
from mentoring_core.events import ERASED
from mentoring_core.values import EndReason, Role

TWO_YEARS_EARLIER = START.replace(year=START.year - 2)
"""The retention tests' store starts here, so that periods of two years have run out
before today and --apply, which erases only people due by today, erases them."""


def test_erasing_a_person_through_the_command_line(cli: Cli, tmp_path: Path) -> None:
    seed(cli.store_url)
    before = cli.ok("history", str(RELATIONSHIP))
    digest = tmp_path / "digest.json"
    assert cli.run("audit", "digest", "--out", str(digest)).code == 0

    erased = cli.ok("privacy", "erase", "ben", "--reason", "DSAR-2026-014", actor="dpo")

    assert erased["key_destroyed"] and erased["complete"] and len(erased["recorded"]) == 1
    after = cli.ok("history", str(RELATIONSHIP))
    texts = [e.get("title") for e in after["events"] if e["type"] == "GoalSet"]
    assert texts == ["[erased]"]
    assert [e.get("title") for e in before["events"] if e["type"] == "GoalSet"] != texts
    assert cli.run("audit", "verify", "--against", str(digest)).code == 0
    again = cli.run("privacy", "erase", "ben", "--reason", "DSAR-2026-014")
    assert again.code == 0 and "none live here (erased before" in again.stdout


def test_erasing_again_a_person_whose_key_row_was_lost_names_the_erasure_it_finishes(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Ben's key row lost after his erasure (a key store restored from an older backup),
    erasing him again finishes the erasure recorded, which keeps its rule and reason: the
    command said "by an earlier attempt with this command id", of a run given none, and
    reported the rule asked for now, not the one recorded."""
    cli = Cli(sqlite_url, tmp_path)
    seed(sqlite_url)
    assert cli.ok("privacy", "erase", "ben", "--reason", "DSAR-2026-014")["key_destroyed"]
    args = ("privacy", "erase", "ben", "--reason", "DSAR-2026-099", "--rule", "retention")
    _lose_key_row(sqlite_url, "ben")
    again = cli.ok(*args)
    assert again["already_recorded"] and again["rule"] == "request"
    _lose_key_row(sqlite_url, "ben")  # the tombstone the finished erasure wrote
    shown = cli.run(*args)
    assert shown.code == 0, str(shown)
    assert "with this command id" not in shown.stdout
    assert (
        "Already recorded: the erasure of ben under the rule request (DSAR-2026-014) was "
        "recorded before; it is finished now." in shown.stdout
    ), shown.stdout


def _lose_key_row(sqlite_url: str, person_id: str) -> None:
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as db:
        db.execute("DELETE FROM mentoring_keys WHERE person_id = ?", (person_id,))


def test_a_person_enrolled_nowhere_is_refused_in_one_line(cli: Cli) -> None:
    seed(cli.store_url)
    refused = cli.run("privacy", "erase", "nobody", "--reason", "DSAR-2026-015")
    assert refused.code == 1
    assert refused.stderr == (
        "error: no person 'nobody' is recorded: no programme of this store ever enrolled them "
        "or appointed them a coordinator, nor holds personal data of theirs\n"
    )


def test_a_facilitator_enrolled_nowhere_who_cancelled_a_meeting_is_erased(cli: Cli) -> None:
    seed(cli.store_url)
    reason = "Jo off for treatment this week"
    cli.ok("meeting", "cancelled", str(RELATIONSHIP), "--by", "fac.jo", "--reason", reason)

    erased = cli.ok("privacy", "erase", "fac.jo", "--reason", "DSAR-77", actor="dpo")

    assert erased["key_destroyed"] and erased["complete"]
    assert erased["recorded"] == [str(PROGRAMME)]
    history = cli.ok("history", str(RELATIONSHIP))["events"]
    assert [e["reason"] for e in history if e["type"] == "MeetingCancelled"] == ["[erased]"]
    assert cli.run("audit", "verify").code == 0


def test_a_subject_access_export_holds_the_persons_texts_and_no_key(cli: Cli) -> None:
    seed(cli.store_url)
    out = cli.cwd / "ben.json"
    written = cli.run("privacy", "export-person", "ben", "--out", str(out))
    assert written.code == 0, str(written)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    document = json.loads(out.read_text())
    assert document["format"] == "mentoring-core-subject-access/1"
    assert document["key"]["destroyed_at"] is None and set(document["key"]) == {
        "created_at",
        "destroyed_at",
    }
    types = {e["type"] for e in document["events"]}
    assert {"ParticipantEnrolled", "PairFormed", "GoalSet"} <= types
    goal = next(e for e in document["events"] if e["type"] == "GoalSet")
    assert goal["title"] != "[erased]" and goal["about"] == ["mentee"]
    assert cli.run("privacy", "export-person", "ben", "--out", str(out)).code == 2  # no replace

    cli.ok("privacy", "erase", "ben", "--reason", "DSAR-2026-014")
    printed = cli.run("privacy", "export-person", "ben")
    assert printed.code == 0, str(printed)
    after = json.loads(printed.stdout)
    assert after["key"]["destroyed_at"] is not None
    assert [e["title"] for e in after["events"] if e["type"] == "GoalSet"] == ["[erased]"]


def test_a_subject_access_export_of_an_id_no_event_names_is_refused(cli: Cli) -> None:
    """A mistyped id (bne) exited 0 with an empty document: "nothing is held" about a
    person of whom much may be. Refused as an unknown person, and no file written."""
    seed(cli.store_url)
    out = cli.cwd / "bne.json"
    refused = cli.run("privacy", "export-person", "bne", "--out", str(out))
    assert (refused.code, refused.stdout) == (1, ""), str(refused)
    assert refused.stderr == (
        "error: no person 'bne' is recorded: no event of this store names them or was "
        "recorded by them, and it holds no key of theirs\n"
    )
    assert not out.exists()


def _policy_keeping(cli: Cli, years: str) -> None:
    cli.ok(
        "programme", "policy", str(PROGRAMME), "--cadence", "weekly", "--participation",
        "voluntary", "--minimum-experience-gap", "3", "--review-interval-days", "42",
        "--minimum-meeting-minutes", "45", "--retain-personal-data-years", years,
    )  # fmt: skip


def test_retention_apply_says_whose_recorded_erasure_it_only_finished(sqlite_url: str) -> None:
    """Cy, erased under retention, then his key row lost (a key store restored from an
    older backup), enrolled again (nothing personal) and withdrawn: due again, and
    --apply finishes his recorded erasure, recording no new one; the command said
    "Erased" of him as of anyone, its JSON no different."""
    cli = Cli(sqlite_url, Path(sqlite_url.removeprefix("sqlite:///")).parent)
    seed(sqlite_url, start=TWO_YEARS_EARLIER)
    _policy_keeping(cli, "2")
    march, april = datetime(2024, 3, 2, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    with MentoringService(sqlite_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTOR, 4, actor=cli.actor, occurred_at=march)
        service.withdraw(PROGRAMME, "cy", "Moved away", actor=cli.actor, occurred_at=april)
    first = cli.ok("privacy", "retention", "--as-of", "2026-04-01", "--apply")
    assert [d["person_id"] for d in first["due"]] == ["cy"] and first["finished"] == []
    _lose_key_row(sqlite_url, "cy")
    may, june = datetime(2024, 5, 2, tzinfo=UTC), datetime(2024, 6, 3, tzinfo=UTC)
    with MentoringService(sqlite_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTOR, 4, actor=cli.actor, occurred_at=may)
        service.withdraw(PROGRAMME, "cy", ERASED, actor=cli.actor, occurred_at=june)
    again = cli.ok("privacy", "retention", "--as-of", "2026-06-03", "--apply")
    assert [d["person_id"] for d in again["due"]] == ["cy"] and again["finished"] == ["cy"]
    history = cli.ok("history", str(PROGRAMME))["events"]
    assert [e["person_id"] for e in history if e["type"] == "PersonalDataErased"] == ["cy"]
    _lose_key_row(sqlite_url, "cy")
    shown = cli.run("privacy", "retention", "--as-of", "2026-06-03", "--apply")
    assert shown.code == 0, str(shown)
    assert "  cy: an erasure recorded before, finished now; none recorded again" in shown.stdout


def test_retention_reads_the_policy_and_apply_erases_exactly_those_due(cli: Cli) -> None:
    """Ana and Ben are paired (open); Cy withdrew on 1 April 2024; Dee is enrolled, never
    paired nor withdrawn. Under a 2-year policy only Cy is due, from 1 April 2026."""
    seed(cli.store_url, start=TWO_YEARS_EARLIER)
    listed = cli.ok("privacy", "retention", "--as-of", "2031-01-01")
    assert listed["years"] is None and listed["due"] == []  # no period set yet
    _policy_keeping(cli, "2")
    march, april = datetime(2024, 3, 2, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    with MentoringService(cli.store_url) as service:  # the other set-up: the Python API
        for person, role in (("cy", Role.MENTOR), ("dee", Role.MENTEE)):
            service.enrol(PROGRAMME, person, role, 4, actor=cli.actor, occurred_at=march)
        service.withdraw(PROGRAMME, "cy", "Moved away", actor=cli.actor, occurred_at=april)
    assert cli.ok("privacy", "retention", "--as-of", "2026-03-31")["due"] == []
    due = [{"person_id": "cy", "last_ended": "2024-04-01", "years": 2, "due_on": "2026-04-01"}]
    assert cli.ok("privacy", "retention", "--as-of", "2026-04-01")["due"] == due
    applied = cli.ok("privacy", "retention", "--as-of", "2026-04-01", "--apply", actor="dpo")
    assert applied["applied"] and applied["due"] == due
    keys = {
        person: json.loads(cli.run("privacy", "export-person", person).stdout)["key"]
        for person in ("ana", "ben", "cy")
    }
    assert keys["cy"]["destroyed_at"] is not None  # the withdrawal reason sealed under it
    assert keys["ben"]["destroyed_at"] is None and keys["ana"] is None  # ana: no texts
    assert cli.ok("privacy", "retention", "--as-of", "2040-01-01")["due"] == []  # cy: erased
    history = cli.ok("history", str(PROGRAMME))["events"]
    erased = [e for e in history if e["type"] == "PersonalDataErased"]
    assert [(e["person_id"], e["rule"], e["reason"]) for e in erased] == [
        ("cy", "retention", "retention: 2 years after 2024-04-01")
    ]


def test_a_retention_period_outside_1_to_100_years_is_refused_by_the_policy(cli: Cli) -> None:
    seed(cli.store_url)
    refused = cli.run(
        "programme", "policy", str(PROGRAMME), "--cadence", "weekly", "--participation",
        "voluntary", "--minimum-experience-gap", "3", "--review-interval-days", "42",
        "--minimum-meeting-minutes", "45", "--retain-personal-data-years", "101",
    )  # fmt: skip
    assert (refused.code, refused.stderr) == (
        2,
        "error: Invalid value for '--retain-personal-data-years': 101; "
        "expected a whole number from 1 to 100.\n",
    )


def test_retention_lists_nobody_while_the_pair_is_open(cli: Cli) -> None:
    seed(cli.store_url)
    listed = cli.ok("privacy", "retention", "--years", "2", "--as-of", "2031-01-01")
    assert listed == {
        "as_of": "2031-01-01",
        "years": 2,
        "applied": False,
        "due": [],
        "finished": [],
        "unsealed": [],
        "notes": [],
    }
    refused = cli.run("privacy", "retention", "--years", "0", "--as-of", "2031-01-01")
    assert refused.code == 2 and "years" in refused.stderr


def test_apply_with_a_day_still_to_come_erases_no_one(cli: Cli) -> None:
    """Cy withdrew on 1 April 2026, due on 1 April 2028 under a 2-year policy: listed as of
    that day, but --apply then (a mistyped year would do it) is refused naming --as-of,
    and her key stays: an erasure cannot be undone."""
    seed(cli.store_url)
    _policy_keeping(cli, "2")
    april = datetime(2026, 4, 1, tzinfo=UTC)
    with MentoringService(cli.store_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTOR, 4, actor=cli.actor, occurred_at=april)
        service.withdraw(PROGRAMME, "cy", "Moved away", actor=cli.actor, occurred_at=april)
    assert [
        d["person_id"] for d in cli.ok("privacy", "retention", "--as-of", "2028-04-01")["due"]
    ] == ["cy"]
    refused = cli.run("privacy", "retention", "--as-of", "2028-04-01", "--apply", actor="dpo")
    assert refused.code == 2 and refused.stdout == "", str(refused)
    assert "--as-of" in refused.stderr and "2028-04-01" in refused.stderr, str(refused)
    assert "not after today" in refused.stderr, str(refused)
    key = json.loads(cli.run("privacy", "export-person", "cy").stdout)["key"]
    assert key["destroyed_at"] is None


def test_retention_spares_a_coordinator_and_counts_from_their_relief(cli: Cli) -> None:
    """Cy withdrew as a mentor on 2 April 2024 and was appointed a coordinator on 2 May;
    Kim, never enrolled, coordinated from 2 March. Under a 2-year policy neither is due
    while a coordinator; relieved (Cy on 10 October 2024, Kim on 1 June 2024), each is
    due two years after, and --apply erases them."""
    seed(cli.store_url, start=TWO_YEARS_EARLIER)
    _policy_keeping(cli, "2")
    march, april, may = (datetime(2024, m, 2, tzinfo=UTC) for m in (3, 4, 5))
    with MentoringService(cli.store_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTOR, 4, actor=cli.actor, occurred_at=march)
        service.withdraw(PROGRAMME, "cy", "Moved away", actor=cli.actor, occurred_at=april)
        service.appoint_coordinator(PROGRAMME, "cy", actor=cli.actor, occurred_at=may)
        service.appoint_coordinator(PROGRAMME, "kim", actor=cli.actor, occurred_at=march)
    assert cli.ok("privacy", "retention", "--as-of", "2040-01-01")["due"] == []
    with MentoringService(cli.store_url) as service:
        for person, on in (
            ("cy", datetime(2024, 10, 10, tzinfo=UTC)),
            ("kim", datetime(2024, 6, 1, tzinfo=UTC)),
        ):
            service.relieve_coordinator(PROGRAMME, person, "Left", actor=cli.actor, occurred_at=on)
    kim = {"person_id": "kim", "last_ended": "2024-06-01", "years": 2, "due_on": "2026-06-01"}
    assert cli.ok("privacy", "retention", "--as-of", "2026-10-09")["due"] == [kim]
    cy = {"person_id": "cy", "last_ended": "2024-10-10", "years": 2, "due_on": "2026-10-10"}
    applied = cli.ok("privacy", "retention", "--as-of", "2026-10-10", "--apply", actor="dpo")
    assert applied["due"] == [cy, kim]
    assert cli.ok("privacy", "retention", "--as-of", "2040-01-01")["due"] == []
    history = cli.ok("history", str(PROGRAMME))["events"]
    relieved = [e["reason"] for e in history if e["type"] == "CoordinatorRelieved"]
    assert relieved == ["[erased]", "[erased]"]


def test_an_id_that_names_someone_is_enrolled_with_a_warning(cli: Cli) -> None:
    created = cli.ok("programme", "create", "--name", "Pilot", "--organisation", "Northside")
    programme = created["id"]
    for person, looks in (("ana.lopez@example.org", "e-mail"), ("Ana Lopez", "name")):
        done = cli.run(
            "programme",
            "enrol",
            programme,
            "--person",
            person,
            "--role",
            "mentor",
            "--experience-years",
            "5",
        )
        assert done.code == 0, str(done)
        assert done.stderr.startswith(f"warning: person id {person!r} looks like")
        assert looks in done.stderr
    quiet = cli.run(
        "programme",
        "enrol",
        programme,
        "--person",
        "S-1042",
        "--role",
        "mentee",
        "--experience-years",
        "1",
    )
    assert quiet.code == 0 and quiet.stderr == ""


def test_an_imported_copy_reads_the_texts_once_the_keys_are_copied(
    cli: Cli, tmp_path: Path
) -> None:
    seed(cli.store_url)
    export = tmp_path / "export.jsonl"
    assert cli.run("audit", "export", "--out", str(export)).code == 0
    copy = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path)
    assert copy.run("audit", "import", str(export)).code == 0

    def titles(of: Cli) -> list[str]:
        history = of.ok("history", str(RELATIONSHIP))
        return [e["title"] for e in history["events"] if e["type"] == "GoalSet"]

    assert titles(copy) == ["[erased]"]
    copied = cli.ok("privacy", "copy-keys", "--to", copy.store_url)
    assert copied["copied"] == 1  # Ben's: his goal is the only text
    assert titles(copy) == titles(cli) != ["[erased]"]
    missing = cli.run("privacy", "copy-keys", "--to", f"sqlite:///{tmp_path / 'none.db'}")
    assert missing.code == 1 and "does not exist" in missing.stderr


def test_retention_spares_a_mentor_still_enrolled_after_the_pair_ended(cli: Cli) -> None:
    """Ana and Ben's relationship ended on 2 April 2026 and Ben withdrew then; Ana stays
    enrolled (a mentor waiting for another mentee): only Ben is ever due."""
    seed(cli.store_url)
    _policy_keeping(cli, "2")
    april = datetime(2026, 4, 2, tzinfo=UTC)
    with MentoringService(cli.store_url) as service:
        service.end(RELATIONSHIP, EndReason.COMPLETED, "Done", actor=cli.actor, occurred_at=april)
        service.withdraw(PROGRAMME, "ben", "Moved away", actor=cli.actor, occurred_at=april)
    due = [{"person_id": "ben", "last_ended": "2026-04-02", "years": 2, "due_on": "2028-04-02"}]
    assert cli.ok("privacy", "retention", "--as-of", "2040-01-01")["due"] == due


def test_retention_in_a_copy_without_keys_lists_and_erases_the_withheld(
    cli: Cli, tmp_path: Path
) -> None:
    """Cy withdrew on 2 April 2024 (her reason sealed under her key). A copy imported
    without the keys withholds her key: she is due there as in the source, --apply
    erases her there, and copying the keys in afterwards does not open her reason."""
    seed(cli.store_url, start=TWO_YEARS_EARLIER)
    _policy_keeping(cli, "2")
    march, april = datetime(2024, 3, 2, tzinfo=UTC), datetime(2024, 4, 2, tzinfo=UTC)
    with MentoringService(cli.store_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTOR, 4, actor=cli.actor, occurred_at=march)
        service.withdraw(PROGRAMME, "cy", "Moved away", actor=cli.actor, occurred_at=april)
    export = tmp_path / "export.jsonl"
    assert cli.run("audit", "export", "--out", str(export)).code == 0
    copy = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path)
    assert copy.run("audit", "import", str(export)).code == 0
    due = [{"person_id": "cy", "last_ended": "2024-04-02", "years": 2, "due_on": "2026-04-02"}]
    assert cli.ok("privacy", "retention", "--as-of", "2026-04-02")["due"] == due
    assert copy.ok("privacy", "retention", "--as-of", "2026-04-02")["due"] == due
    applied = copy.ok("privacy", "retention", "--as-of", "2026-04-02", "--apply", actor="dpo")
    assert applied["due"] == due and applied["notes"] == []
    cli.ok("privacy", "copy-keys", "--to", copy.store_url)

    def reasons(of: Cli) -> list[str]:
        history = of.ok("history", str(PROGRAMME))["events"]
        return [e["reason"] for e in history if e["type"] == "ParticipantWithdrawn"]

    assert (reasons(cli), reasons(copy)) == (["Moved away"], ["[erased]"])
    assert copy.ok("privacy", "retention", "--as-of", "2040-01-01")["due"] == []


def test_erasing_a_person_whose_key_an_import_withheld_says_so(cli: Cli, tmp_path: Path) -> None:
    """A copy imported without the keys holds cy's key withheld: erasing her there marks
    the row erased. The output said "key already gone", as of someone erased before."""
    seed(cli.store_url)
    with MentoringService(cli.store_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTOR, 4, actor=cli.actor)
    export = tmp_path / "export.jsonl"
    assert cli.run("audit", "export", "--out", str(export)).code == 0
    copy = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path)
    assert copy.run("audit", "import", str(export)).code == 0
    erased = copy.run("privacy", "erase", "cy", "--reason", "DSAR-7", actor="dpo")
    assert erased.code == 0, str(erased)
    assert "already gone" not in erased.stdout
    assert "withheld by an import" in " ".join(erased.stdout.split())


def test_a_name_and_a_contact_are_shown_sealed_and_erased(cli: Cli) -> None:
    programme = cli.ok("programme", "create", "--name", "Pilot", "--organisation", "Northside")[
        "id"
    ]
    enrol = ("programme", "enrol", programme, "--person", "S-1042", "--role", "mentee")
    details = ("--name", "Ben Ashworth", "--contact", "ben.ashworth@example.org")
    cli.ok(*enrol, "--experience-years", "1", *details)
    shown = cli.run("programme", "show", programme)
    assert shown.code == 0, str(shown)
    assert "Ben Ashworth" in shown.stdout and "ben.ashworth@example.org" in shown.stdout
    (person,) = cli.ok("programme", "show", programme)["participants"]
    assert (person["display_name"], person["contact"]) == (
        "Ben Ashworth",
        "ben.ashworth@example.org",
    )

    cli.ok("privacy", "erase", "S-1042", "--reason", "DSAR-2026-016")
    (person,) = cli.ok("programme", "show", programme)["participants"]
    assert (person["display_name"], person["contact"]) == ("[erased]", "[erased]")
    other = ("programme", "enrol", programme, "--person", "S-2000", "--role", "mentor")
    refused = cli.run(*other, "--experience-years", "9", "--name", "Ana\tLopez")
    assert refused.code == 2 and "Invalid value for '--name'" in refused.stderr


def test_a_key_store_file_keeps_the_keys_apart_and_is_needed_to_read(cli: Cli) -> None:
    keys = cli.cwd / "keys.db"
    keyed = ("--key-store-file", str(keys))
    created = cli.run(*keyed, "programme", "create", "--name", "Keys", "--organisation", "Org")
    assert created.code == 0, str(created)
    programme = cli.ok(*keyed, "programme", "list")["programmes"][0]["programme_id"]
    enrolled = cli.run(
        *("programme", "enrol", programme, "--person", "ben", "--role", "mentee"),
        *("--experience-years", "1", "--name", "Ben Okafor"),
        env={"MENTORING_KEY_STORE_FILE": str(keys)},
    )
    assert enrolled.code == 0, str(enrolled)
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    found = cli.run(*keyed, "privacy", "export-person", "ben")
    assert found.code == 0 and "Ben Okafor" in found.stdout, str(found)
    keyless = cli.run("privacy", "export-person", "ben")
    assert keyless.code != 0 and "without its key store file" in keyless.stderr
    assert "Traceback" not in keyless.stderr
    keys.unlink()
    lost = cli.run(*keyed, "programme", "list")
    assert lost.code == 2 and "does not exist" in lost.stderr, str(lost)


def test_an_erasure_a_reader_kept_from_finishing_fails_and_is_finished_again(
    cli: Cli,
) -> None:
    """A connection reading the SQLite file keeps the write-ahead log (and so the freed
    pages of the key and the snapshots in the file) from being rewritten: the erasure is
    not done, the command says so and exits 1 (a scheduled erasure must not pass for
    done); erased again with its command id once the reader is gone, it is."""
    if not cli.store_url.startswith("sqlite"):
        pytest.skip("the write-ahead log is SQLite's")
    seed(cli.store_url)
    reader = sqlite3.connect(cli.store_url.removeprefix("sqlite:///"))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a read snapshot held
    command_id = "0f0e0d0c-0b0a-4909-8807-060504030201"
    args = ("privacy", "erase", "ben", "--reason", "DSAR-2026-016", "--command-id", command_id)
    held = cli.run(*args)
    assert held.code == 1, str(held)
    assert "Not done: " in held.stdout and "while other connections read" in held.stdout
    assert held.stderr.startswith("error: the erasure of 'ben' is not finished"), str(held)
    assert command_id in held.stderr
    reader.rollback()
    reader.close()
    done = cli.run(*args)
    assert done.code == 0 and "Not done" not in done.stdout, str(done)
    assert (
        "Already recorded: the erasure of ben under the rule request (DSAR-2026-016)" in done.stdout
    )


def test_a_retention_run_a_reader_kept_from_finishing_fails(cli: Cli) -> None:
    if not cli.store_url.startswith("sqlite"):
        pytest.skip("the write-ahead log is SQLite's")
    seed(cli.store_url, start=TWO_YEARS_EARLIER)
    _policy_keeping(cli, "2")
    april = datetime(2024, 4, 1, tzinfo=UTC)
    with MentoringService(cli.store_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTOR, 4, actor=cli.actor, occurred_at=april)
        service.withdraw(PROGRAMME, "cy", "Moved away", actor=cli.actor, occurred_at=april)
    reader = sqlite3.connect(cli.store_url.removeprefix("sqlite:///"))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
    held = cli.run("privacy", "retention", "--as-of", "2026-04-01", "--apply", actor="dpo")
    reader.rollback()
    reader.close()
    assert held.code == 1 and "Not done: " in held.stdout, str(held)
    assert "the store's clean-up is not finished" in held.stderr, str(held)
