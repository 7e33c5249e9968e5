"""Bad input: one line on stderr naming what was wrong, the documented exit status, no change.

Exit status 2 is a usage error (bad value, missing option, unknown name, bad or
future date); 1 is a refusal (a broken domain rule, an unknown relationship, a
version conflict, a missing store). Either way stdout stays empty, nothing is
recorded (the store's event count is compared before and after), and no
traceback is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest
from cli_harness import Cli, event_count
from store_state import PROGRAMME, RELATIONSHIP, pilot_programme

from mentoring_core import MentoringService
from mentoring_core.values import FocusArea
from mentoring_core.values import Role as R

UNKNOWN = UUID(int=99)
GOAL_ID = UUID(int=0x60A1)
TODAY = datetime.now(UTC).date()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    """A store with a programme (minimum gap 3 years) and one active relationship."""
    folder = tmp_path_factory.mktemp("errors")
    url = f"sqlite:///{folder / 'mentoring.db'}"
    with MentoringService(url) as service:
        pilot_programme(service)
        service.enrol(PROGRAMME, "ana", R.MENTOR, 10, actor="c")
        service.enrol(PROGRAMME, "ben", R.MENTEE, 1, actor="c")
        service.enrol(PROGRAMME, "cy", R.MENTEE, 8, actor="c")
        service.enrol(PROGRAMME, "eli", R.MENTOR, 9, actor="c")  # a second mentor for Ben?
        service.form_pair(PROGRAMME, "ana", "ben", actor="c", relationship_id=RELATIONSHIP)
        service.set_goal(
            RELATIONSHIP, "Lead a huddle", FocusArea.TEAMWORK, "Four", date(2026, 6, 30),
            goal_id=GOAL_ID, actor="ana",
        )  # fmt: skip
    yield Cli(url, folder)


GOAL = (
    "goal", "set", str(RELATIONSHIP), "--title", "Lead a huddle", "--success-measure", "Four",
)  # fmt: skip

CASES = {
    "unknown enum": (
        [*GOAL, "--focus-area", "leadership", "--target-date", "2026-06-30"],
        2,
        ["'--focus-area'", "'leadership'", "communication, problem_solving, teamwork"],
    ),
    "bad date": (
        [*GOAL, "--focus-area", "teamwork", "--target-date", "2026-02-30"],
        2,
        ["'--target-date'", "'2026-02-30'", "ISO 8601"],
    ),
    "future date": (
        [*GOAL, "--focus-area", "teamwork", "--target-date", "2026-06-30",
         "--occurred-at", "2999-01-01"],
        2,
        ["'--occurred-at'", "2999-01-01", "not after now"],
    ),
    "date and time without a time zone": (
        [*GOAL, "--focus-area", "teamwork", "--target-date", "2026-06-30",
         "--occurred-at", "2026-03-04T10:00"],
        2,
        ["'--occurred-at'", "'2026-03-04T10:00'", "no time zone", "+11:00"],
    ),
    "missing required option": (
        ["goal", "set", str(RELATIONSHIP), "--focus-area", "teamwork", "--success-measure", "x",
         "--target-date", "2026-06-30"],
        2,
        ["Missing option '--title'", "mentoring goal set --help"],
    ),
    "not an id": (
        ["pair", "show", "not-an-id"],
        2,
        ["'RELATIONSHIP_ID'", "'not-an-id'", "UUID"],
    ),
    "value out of range": (
        ["programme", "enrol", str(PROGRAMME), "--person", "dee", "--role", "mentor",
         "--experience-years", "99"],
        2,
        ["'--experience-years'", "99", "from 0 to 80"],
    ),
    "a tier without its end": (
        ["programme", "policy", str(PROGRAMME), "--cadence", "weekly", "--cadence", "monthly"],
        2,
        ["Missing --cadence (item 1) until=DAYS", "whole number from 1 to 3660"],
    ),
    "a last tier with an end": (
        ["programme", "policy", str(PROGRAMME), "--cadence", "weekly,until=28"],
        2,
        ["'--cadence (item 1) until=DAYS'", "28", "no end for the last tier"],
    ),
    "an allowance without its amount": (
        ["mentor", "recognise", str(PROGRAMME), "--mentor", "ana", "--kind", "allowance",
         "--from", str(TODAY), "--to", str(TODAY), "--reason", "March"],
        2,
        ["Missing --amount", "the amount of the allowance recognised"],
    ),
    "a recognition ending before it starts": (
        ["mentor", "recognise", str(PROGRAMME), "--mentor", "ana", "--kind", "certificate",
         "--from", str(TODAY), "--to", str(TODAY - timedelta(days=1)), "--reason", "March"],
        2,
        ["'--to'", str(TODAY - timedelta(days=1)), f"not before the period's first day ({TODAY})"],
    ),
    "a profile with nothing to change": (
        ["programme", "profile", str(PROGRAMME), "--person", "ben"],
        2,
        ["--expertise (a mentor's) or --need (a mentee's)"],
    ),
    "a revision with nothing to change": (
        ["goal", "revise", str(RELATIONSHIP), str(GOAL_ID), "--reason", "Again"],
        2,
        ["Missing --title/--focus-area/--success-measure/--target-date",
         "at least one revised value"],
    ),
    "a revision that changes nothing": (
        ["goal", "revise", str(RELATIONSHIP), str(GOAL_ID), "--reason", "Again",
         "--title", "Lead a huddle", "--target-date", "2026-06-30"],
        1,
        ["rule 'changes-something' broken", f"ReviseGoal of goal {GOAL_ID} changes nothing",
         "title 'Lead a huddle', target_date 2026-06-30, as already recorded"],
    ),
    "unknown relationship": (
        ["goal", "set", str(UNKNOWN), "--title", "x", "--focus-area", "teamwork",
         "--success-measure", "x", "--target-date", "2026-06-30"],
        1,
        [f"no relationship with id {UNKNOWN}"],
    ),
    "rule broken": (
        ["pair", "form", str(PROGRAMME), "--mentor", "ana", "--mentee", "cy"],
        1,
        ["rule 'experience-gap' broken", "'ana'", "'cy'", "minimum of 3"],
    ),
    "timeline": (
        ["meeting", "held", str(RELATIONSHIP), "--occurred-at", "2020-01-06T10:00Z",
         "--duration", "60", "--format", "video"],
        1,
        ["rule 'timeline' broken", "RecordMeetingHeld dated 2020-01-06T10:00:00+00:00",
         "before the pair was formed on", "allowed from"],
    ),
    "person not in the relationship": (
        ["meeting", "missed", str(RELATIONSHIP), "--by", "cy", "--reason", "Late"],
        1,
        ["rule 'person-in-relationship' broken", "missed_by 'cy'", "neither the mentor"],
    ),
    "attendee not enrolled": (
        ["meeting", "held", str(RELATIONSHIP), "--duration", "60", "--format", "group",
         "--attendee", "zoe"],
        1,
        ["rule 'participant-enrolled' broken", "attendee 'zoe'"],
    ),
    "pair already open": (
        ["pair", "form", str(PROGRAMME), "--mentor", "ana", "--mentee", "ben"],
        1,
        ["rule 'pair-already-open' broken", "'ana'", "'ben'", str(RELATIONSHIP)],
    ),
    "a second mentor at once": (
        ["pair", "form", str(PROGRAMME), "--mentor", "eli", "--mentee", "ben"],
        1,
        ["rule 'mentee-mentors' broken", "mentee 'ben'", "(1 mentors at once)"],
    ),
    "withdrawal with an open relationship": (
        ["programme", "withdraw", str(PROGRAMME), "--person", "ben", "--reason", "Left"],
        1,
        ["rule 'no-open-relationships' broken", "'ben'", str(RELATIONSHIP)],
    ),
    "version conflict": (
        ["pair", "pause", str(RELATIONSHIP), "--reason", "Leave", "--expected-version", "0"],
        1,
        ["expected version 0", "now at version 2", "nothing was recorded"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_refused_with_one_line_and_nothing_recorded(seeded: Cli, case: str) -> None:
    args, status, phrases = CASES[case]
    before = event_count(seeded.store_url)
    result = seeded.run(*args, "--json")
    assert result.code == status, str(result)
    assert result.stdout == "", str(result)
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, str(result)
    assert "Traceback" not in result.stderr
    assert "None" not in result.stderr, str(result)  # Python's word for a value not given
    for phrase in phrases:
        assert phrase in result.stderr, str(result)
    assert event_count(seeded.store_url) == before


def test_a_missing_sqlite_store_is_not_created_by_reading_it(tmp_path: Path) -> None:
    missing = tmp_path / "elsewhere.db"
    result = Cli(f"sqlite:///{missing}", tmp_path).run("history", str(RELATIONSHIP))
    assert result.code == 1, str(result)
    assert f"no store at {missing}" in result.stderr
    assert not missing.exists()


def test_an_unknown_store_scheme_is_a_usage_error(tmp_path: Path) -> None:
    result = Cli("nowhere://x", tmp_path).run("programme", "list")
    assert result.code == 2, str(result)
    assert result.stderr.startswith("error: Invalid value for '--store'")
    assert "nowhere://" in result.stderr


def test_an_unreachable_postgresql_server_is_the_store_failing(tmp_path: Path) -> None:
    """It exited 2, the status of a bad store URL, which a script reads as "fix the
    command": the URL was fine and the server down. Now 1, the store failing, naming
    the host and port and not the password; a URL that cannot be read stays a 2."""
    url = "postgresql://postgres:hunter2@127.0.0.1:1/test?connect_timeout=5"
    result = Cli(url, tmp_path).run("programme", "list")
    assert (result.code, result.stdout) == (1, ""), str(result)
    assert result.stderr.startswith(
        "error: the store failed: cannot connect to PostgreSQL at 127.0.0.1:1 database 'test': "
    ), str(result)
    assert result.stderr.count("\n") == 1 and "hunter2" not in result.stderr, str(result)
    for malformed in ("postgresql://postgres@127.0.0.1:99999/test", "postgresql://db.example"):
        refused = Cli(malformed, tmp_path).run("programme", "list")
        assert refused.code == 2, str(refused)
        assert refused.stderr.startswith("error: Invalid value for '--store': "), str(refused)


@pytest.mark.parametrize("query", ["?connect_timeout=5", "?connect_timeout=5&schema=copy"])
def test_an_unreachable_copy_keys_target_is_the_store_failing(seeded: Cli, query: str) -> None:
    """With a ``?schema=``, the target's server down exited 2, "Invalid value for
    '--to'", as if the URL were wrong; without one, 1. Both are the store failing."""
    url = f"postgresql://postgres:hunter2@127.0.0.1:1/test{query}"
    result = seeded.run("privacy", "copy-keys", "--to", url)
    assert (result.code, result.stdout) == (1, ""), str(result)
    assert result.stderr.startswith(
        "error: the store failed: cannot connect to PostgreSQL at 127.0.0.1:1 database 'test': "
    ), str(result)
    assert "hunter2" not in result.stderr, str(result)


def test_people_get_readable_tables(seeded: Cli) -> None:
    history = seeded.run("history", str(RELATIONSHIP))
    assert history.code == 0, str(history)
    for text in ("History of", "PairFormed", "occurred", "recorded", "actor", "mentor_id: ana"):
        assert text in history.stdout
    shown = seeded.run("pair", "show", str(RELATIONSHIP))
    assert shown.code == 0, str(shown)
    assert "ana (10 years)" in shown.stdout and "active" in shown.stdout


def test_an_ending_recorded_by_the_wrong_participant_is_one_line(seeded: Cli) -> None:
    before = event_count(seeded.store_url)
    args = ["pair", "end", str(RELATIONSHIP), "--reason", "cancelled_by_programme"]
    result = seeded.run(*args, "--explanation", "Budget", actor="ben")
    assert result.code == 1, str(result)
    assert result.stdout == "" and result.stderr.count("\n") == 1, str(result)
    assert "rule 'ending-role' broken: 'ben' is the mentee" in result.stderr
    assert event_count(seeded.store_url) == before


@pytest.mark.parametrize("debug", ["0", "no", "false", "", "1"])
def test_only_mentoring_debug_1_shows_a_traceback(seeded: Cli, debug: str) -> None:
    """MENTORING_DEBUG=0 (any value that was not empty) showed a traceback."""
    result = seeded.run("pair", "show", str(UNKNOWN), env={"MENTORING_DEBUG": debug})
    assert result.code == 1 and result.stdout == "", str(result)
    if debug == "1":
        assert result.stderr.startswith("Traceback") and "NotFound" in result.stderr
    else:
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, str(result)


@pytest.mark.parametrize("given", ["--actor", "MENTORING_ACTOR"])
@pytest.mark.parametrize("actor", ["coord.rhea ", " coord.rhea", "\tcoord.rhea"])
def test_an_actor_with_spaces_around_is_refused(seeded: Cli, given: str, actor: str) -> None:
    """'coord.rhea ' was recorded as another actor than coord.rhea (whose subject access
    export then left those events out): refused, as a person id with spaces around is."""
    before = event_count(seeded.store_url)
    enrol = ("programme", "enrol", str(PROGRAMME), "--person", "dan", "--role", "mentee",
             "--experience-years", "1")  # fmt: skip
    if given == "--actor":
        result = seeded.run(*enrol, actor=actor)
    else:
        result = seeded.run(*enrol, env={"MENTORING_ACTOR": actor})
    assert (result.code, result.stdout) == (2, ""), str(result)
    assert result.stderr.startswith(f"error: Invalid value for '--actor': {actor!r}; "), str(result)
    assert result.stderr.count("\n") == 1
    assert event_count(seeded.store_url) == before
