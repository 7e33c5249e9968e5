"""The HTML report in a real browser: Debian's chromium, headless, offline.

The test loads the file with every host name unresolvable, dumps the DOM the
browser built and looks for the tables and charts; it also takes a screenshot.
Without ``/usr/bin/chromium`` it skips (``apt-get install -y chromium``), except
when CI is set, where it fails: the browser check must run there.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_scenario import AS_OF, PROGRAMME, SettableClock, record

from mentoring_core import MentoringService
from mentoring_core.projections import write_compliance_report

CHROMIUM = Path("/usr/bin/chromium")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = (
            f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason}, and CI is set: the browser test must run")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "compliance.html"
    clock = SettableClock()
    with MentoringService("memory://", clock=clock) as service:
        record(service, clock)
        write_compliance_report(service, PROGRAMME, format="html", out=out, now=AS_OF)
    return out


def run(chromium: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    command = [
        str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}", "--host-resolver-rules=MAP * ~NOTFOUND",
        *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


class Elements(HTMLParser):
    """Counts the elements of a DOM by tag, by id and by (tag, class)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.ids: Counter[str] = Counter()
        self.classes: Counter[tuple[str, str]] = Counter()
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1
            if name == "class" and value:
                for cls in value.split():
                    self.classes[(tag, cls)] += 1

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def test_the_browser_finds_the_tables_and_the_charts(
    chromium: Path, report_file: Path, tmp_path: Path
) -> None:
    dom = run(chromium, tmp_path, "--dump-dom", report_file.as_uri()).stdout.decode("utf-8")
    found = Elements()
    found.feed(dom)
    for table in ("summary", "relationships", "trends", "retention", "mentor-load"):
        assert found.ids[table] == 1, table
    assert found.tags["table"] == 5
    for chart in ("adherence-chart", "hours-chart", "rating-chart", "goal-progress-chart"):
        assert found.ids[chart] == 1, chart
    assert found.ids["trend-chart"] == 1
    # Ten adherence buckets, four months of hours, one month with a self-assessment (Ben's
    # in January), no month with a goal judged, six trend bars.
    assert found.classes[("rect", "bar")] == 10 + 4 + 1 + 0 + 6
    # Two formed pairs, two timelines: A's 5 held meetings, B's 2; 7 + 4 expected dates.
    assert found.classes[("svg", "timeline")] == 2
    assert found.classes[("circle", "held")] == 7
    assert found.classes[("path", "missed")] == 1
    assert found.classes[("circle", "cancelled")] == 1
    assert found.classes[("path", "expected")] == 11
    assert found.classes[("rect", "pause")] == 1
    assert found.classes[("tr", "flagged")] == 3  # two summary lines and pair A's row
    assert "OVERDUE" in "".join(found.texts)
    assert found.tags["script"] == 0


def test_the_browser_renders_a_screenshot(
    chromium: Path, report_file: Path, tmp_path: Path
) -> None:
    shot = tmp_path / "report.png"
    run(chromium, tmp_path, "--window-size=1280,2400", f"--screenshot={shot}",
        report_file.as_uri())  # fmt: skip
    image = shot.read_bytes()
    assert image.startswith(PNG_SIGNATURE)
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    assert (width, height) == (1280, 2400)
    assert len(image) > 20_000  # a blank page compresses to a few kilobytes
