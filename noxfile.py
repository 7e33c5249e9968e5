"""Tasks for mentoring-core: ``nox -l`` lists them, ``nox -s NAME`` runs one."""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.options.default_venv_backend = "venv"
nox.options.sessions = ["lint", "tests"]

PACKAGES = [
    "-e",
    ".[test]",
    "-e",
    "./adapters/postgres",
    "-e",
    "./adapters/cli",
    "-e",
    "./adapters/http",
]
HTTP_TEST_EXTRA = ["-e", "./adapters/http[test]"]
"""Installed in a second step: pip 23's resolver cannot match the CLI's plain
``mentoring-http`` requirement to an editable given with extras in the same command."""
TYPED_SOURCES = ["src", "adapters/postgres/src", "adapters/cli/src", "adapters/http/src"]
DEMO_STORE = "sqlite:///demo.db"
DEMO_RELATIONSHIP = "4e951bbd-d97a-5ecf-95e8-4dda2de624bb"
"""Amara and Grace: the demo's ids are fixed, so this one is there after every run."""
DEMO_PROGRAMME = "fa27e7c3-34cf-584c-935d-d1dfaee35a6f"
DEMO_WAITING_MENTEE = "quinn"
"""The demo's mentee who joined in late May and has no mentor yet."""


def install_project(session: nox.Session, *extra: str) -> None:
    """The core and every adapter, editable, plus ``extra`` packages."""
    session.install(*PACKAGES, *extra)
    session.install(*HTTP_TEST_EXTRA)


def cache_bytecode(session: nox.Session) -> None:
    """Let Python keep compiled modules, in the session's own virtualenv folder.

    Editable installs leave the project's modules uncompiled, and where the environment
    sets ``PYTHONDONTWRITEBYTECODE`` (some containers do) every ``mentoring`` the tests
    start compiled its 100-odd modules from source again: about 0.3 s of each run. The
    prefix keeps every ``__pycache__`` out of the source tree."""
    session.env["PYTHONPYCACHEPREFIX"] = str(Path(session.virtualenv.location) / "pycache")
    session.env["PYTHONDONTWRITEBYTECODE"] = ""  # empty: Python writes bytecode again


NEWEST_EVENTSOURCING = "9.5.6"
OLDEST_EVENTSOURCING = "9.5.0"
"""The newest and the oldest release of the series the project supports (>=9.5.0,<9.6)."""
PARALLEL = ["-n", "2", "--dist", "worksteal"]
"""Two workers, each taking the next test when it is free (``worksteal``): the suite ran
in 17 min 41 s on one and 10 min 19 s on two on a 2-core machine. Fixed at two rather
than one per core: every worker opens its own PostgreSQL connections and starts its own
``mentoring`` processes."""
STORE_FACING_TESTS = ["tests/unit", "tests/contract", "tests/e2e", "adapters/postgres/tests"]
"""What meets eventsourcing itself: the core, every store and the PostgreSQL adapter.
The command line and the HTTP API reach eventsourcing only through the core, so they
run once, on the newest release; so do the project's own checks in ``tests/test_*.py``
(docs, function lengths, the benchmarks' and the mutation run's smoke tests)."""


@nox.session
@nox.parametrize("eventsourcing", [NEWEST_EVENTSOURCING, OLDEST_EVENTSOURCING])
def tests(session: nox.Session, eventsourcing: str) -> None:
    """Run the whole test suite on the newest eventsourcing release, and the tests that
    meet eventsourcing on the oldest (PostgreSQL tests must run when CI is set)."""
    install_project(session)
    session.install(f"eventsourcing[crypto,postgres]=={eventsourcing}")
    cache_bytecode(session)
    paths: list[str] = []
    if eventsourcing == OLDEST_EVENTSOURCING:
        paths = STORE_FACING_TESTS
        # The properties are searched at the full count on the newest release; here they
        # check that the same code runs on the oldest, at a quarter of it (tests/conftest.py).
        session.env["HYPOTHESIS_PROFILE"] = "oldest"
    session.run("pytest", *PARALLEL, *(session.posargs or paths))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format check), mypy --strict, and import-linter's layer contracts."""
    install_project(session, "ruff", "mypy", "import-linter")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", *TYPED_SOURCES)
    session.run("lint-imports")


@nox.session
def demo(session: nox.Session) -> None:
    """Seed a realistic programme in demo.db; show one relationship's history, what is
    due, mentors suggested for a waiting mentee, the compliance report, and a reminder
    run against a local mail server."""
    install_project(session, "aiosmtpd>=1.4")
    cache_bytecode(session)
    session.run("rm", "-f", "demo.db", "demo.db-wal", "demo.db-shm", external=True)
    session.run("mentoring", "--store", DEMO_STORE, "demo", *session.posargs)
    session.run("mentoring", "--store", DEMO_STORE, "history", DEMO_RELATIONSHIP)
    # `due` has no as-of: it lists what is overdue today, long after the story's end.
    session.run("mentoring", "--store", DEMO_STORE, "due", "--programme", DEMO_PROGRAMME)
    session.run(
        "mentoring",
        "--store",
        DEMO_STORE,
        "match",
        "suggest",
        "--programme",
        DEMO_PROGRAMME,
        "--mentee",
        DEMO_WAITING_MENTEE,
    )
    session.run(
        "mentoring",
        "--store",
        DEMO_STORE,
        "report",
        "compliance",
        "--programme",
        DEMO_PROGRAMME,
        "--format",
        "html",
        "--out",
        "demo-report.html",
        # The demo's story runs from February to June 2026: report as of then, not today.
        "--to",
        "2026-06-30",
        "--as-of",
        "2026-07-01T12:00+00:00",
    )
    if shutil.which("chromium"):
        # silent: chromium writes pages of D-Bus and GPU warnings to stderr even when the
        # screenshot succeeds; they are shown only if it fails.
        session.run(
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--disable-background-networking",
            "--window-size=1280,2400",
            f"--screenshot={Path('demo-report.png').resolve()}",
            Path("demo-report.html").resolve().as_uri(),
            external=True,
            silent=True,
        )
        session.log("screenshot of demo-report.html written to demo-report.png")
    else:
        session.log("chromium is not installed: no screenshot of demo-report.html taken")
    session.run("python", "tools/demo_reminders.py", DEMO_STORE, DEMO_PROGRAMME)
    session.run("mentoring", "--store", DEMO_STORE, "reminders", "list", DEMO_PROGRAMME)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks, each against a baseline run in the same process (about 45 minutes).

    Recording and loading (bench.py), the compliance projection of 1,000,000 events
    and its memory as the log grows (bench_reports.py), reading and decoding against the
    code of the day issue 15 was filed, in turns in the same hour (bench_against.py), the
    constant-memory replay (bench_replay.py), the cost of sealing personal data
    (bench_sealing.py) and recording and reading through the HTTP API against the Python
    API (bench_http.py), and how the store grows, with the times of recording, reading
    and reporting on a PostgreSQL store grown to 1,000,000 events (bench_scale.py;
    ``python benchmarks/bench_scale.py --events 10000000`` for the figures at
    10,000,000), and the ``mentoring`` command's start-up against plain Python
    (bench_cli_start_up.py), and the instructions per event of reading, replaying and
    projecting, counted by valgrind's callgrind: ratios that do not move with the
    machine's load (bench_instructions.py). Pass a script's name to run only that one,
    e.g. ``nox -s bench -- bench.py``.
    """
    install_project(session)
    scripts = [
        "bench.py",
        "bench_reports.py",
        "bench_against.py",
        "bench_replay.py",
        "bench_sealing.py",
        "bench_http.py",
        "bench_scale.py",
        "bench_cli_start_up.py",
        "bench_instructions.py",
    ]
    for script in session.posargs or scripts:
        session.run("python", f"benchmarks/{script}")


@nox.session
def stress(session: nox.Session) -> None:
    """Concurrency, crash and tamper tests at full size; figures go to
    docs/stress-figures.jsonl (the tamper campaign's are in docs/reliability.md)."""
    install_project(session)
    cache_bytecode(session)
    figures = "docs/stress-figures.jsonl"
    session.run("rm", "-f", figures, external=True)
    session.env.update(
        MENTORING_STRESS_WRITERS="16",
        MENTORING_STRESS_MEETINGS="100",
        MENTORING_STRESS_KILLS="20",
        MENTORING_STRESS_TAMPER_ROUNDS="10",
        MENTORING_STRESS_FIGURES=figures,
        CI="true",
    )
    session.run(
        "pytest",
        "-q",
        "tests/contract/test_concurrency.py",
        "tests/contract/test_crashes.py",
        "tests/contract/test_tamper_campaign.py",
        *session.posargs,
    )


@nox.session
def mutants(session: nox.Session) -> None:
    """Mutation testing with mutmut over domain/, reports/, audit/, authorisation.py and
    the reminders' rules, the strict JSON reader, the due list, retention and subject
    access (``only_mutate`` in pyproject.toml).

    Prints the kill rate per module (docs/testing.md). Pass mutant names or globs to
    run part of it, e.g. ``nox -s mutants -- "mentoring_core.audit.chain*"``; results
    of unchanged functions are kept in ``mutants/`` between runs.
    """
    install_project(session, "mutmut==3.8.1")
    session.env["HYPOTHESIS_PROFILE"] = "mutants"
    session.run("mutmut", "run", "--max-children", "2", *session.posargs)
    session.run("python", "tools/mutation_kill_rates.py", "--min", "95", success_codes=[0, 1])


@nox.session
def fuzz(session: nox.Session) -> None:
    """Fuzz the stored-record reader with atheris; pass libFuzzer flags after --."""
    install_project(session, "atheris")
    session.chdir("tests/fuzz")
    session.run("python", "atheris_stored_records.py", *(session.posargs or ["-max_total_time=60"]))
