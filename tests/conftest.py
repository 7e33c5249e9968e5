"""Hypothesis profiles: "dev" (fast, the default), "ci" (thorough, selected when CI is set),
"oldest" (the dev count without a deadline, for the run on the oldest eventsourcing
release, ``nox -s tests``) and "mutants" (few examples, the same ones each run, for
``nox -s mutants``).

HYPOTHESIS_PROFILE names a profile explicitly, e.g. ``HYPOTHESIS_PROFILE=ci pytest``.
"""

import gc
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=50)
settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.register_profile("oldest", max_examples=50, deadline=None, print_blob=True)
# A mutant's verdict must not depend on the examples drawn: derandomised, no database.
# mutmut forks a process per mutant after a clean run, so a hypothesis test that is a
# method sees another executor than the one it first ran with: that is not a failure.
settings.register_profile(
    "mutants",
    max_examples=30,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.differing_executors],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture
def nothing_frozen() -> Iterator[None]:
    """The garbage collector as a fresh process has it, before and after the test: on,
    nothing frozen. The library leaves the collector alone where a process froze objects
    before it (``mentoring_core._collector``), and a process forked from one that did
    (mutmut runs each mutant in one: its fork server calls ``gc.freeze``) would make every
    test of the collector fail whatever the code, so counting every mutant it reaches as
    killed."""
    gc.enable()
    gc.unfreeze()
    yield
    gc.enable()
    gc.unfreeze()
