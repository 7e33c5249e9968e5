"""A local time zone Python cannot use never crashes a command.

``TZ=UTC+24`` (an offset of a whole day: POSIX allows up to 24:59:59, Python's
datetime only less than 24 hours) made every text view end in "error: unexpected
ValueError: offset must be a timedelta strictly between...". Times are then shown in
UTC (with their ``+00:00``), and stderr says so once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import Cli
from store_state import PROGRAMME, RELATIONSHIP, seed


@pytest.mark.parametrize("zone", ["UTC+24", "UTC-24:30", "<+25>-25"])
@pytest.mark.parametrize(
    "args",
    [
        ["history", str(RELATIONSHIP)],
        ["pair", "show", str(RELATIONSHIP)],
        ["programme", "show", str(PROGRAMME)],
        ["audit", "timeline", str(RELATIONSHIP)],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_times_fall_back_to_utc_when_the_local_zone_cannot_be_used(
    tmp_path: Path, sqlite_url: str, zone: str, args: list[str]
) -> None:
    seed(sqlite_url)
    run = Cli(sqlite_url, tmp_path).run(*args, env={"TZ": zone})
    assert run.code == 0, str(run)
    assert "+00:00" in run.stdout, str(run)
    warnings = run.stderr.splitlines()
    assert len(warnings) == 1 and "UTC" in warnings[0] and "time zone" in warnings[0], str(run)


def test_a_usable_zone_is_used_without_a_word(tmp_path: Path, sqlite_url: str) -> None:
    seed(sqlite_url)
    run = Cli(sqlite_url, tmp_path).run("history", str(RELATIONSHIP), env={"TZ": "UTC-11"})
    assert run.code == 0 and run.stderr == "", str(run)
    assert "+11:00" in run.stdout and "+00:00" not in run.stdout
