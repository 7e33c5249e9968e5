"""The report's three forms, the documentation of their fields, and the package's purity."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path
from typing import Any, cast

import attrs
import pytest
from report_scenario import AS_OF, PAIR_A, PROGRAMME, SettableClock, record

import mentoring_core.reports
from mentoring_core import MentoringService
from mentoring_core.events import ProgrammeEvent, RelationshipEvent
from mentoring_core.reports import (
    CSV_COLUMNS,
    ComplianceReport,
    ReportFormat,
    compliance_report,
    fold_programme_facts,
    fold_relationship_facts,
    render,
    report_to_dict,
)

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
REPORTS = Path(mentoring_core.reports.__file__).parent


@pytest.fixture(scope="module")
def report() -> ComplianceReport:
    clock = SettableClock()
    with MentoringService("memory://", clock=clock) as service:
        record(service, clock)
        programme = fold_programme_facts(cast(list[ProgrammeEvent], service.history(PROGRAMME)))
        relationships = [
            fold_relationship_facts(cast(list[RelationshipEvent], service.history(r)))
            for r in programme.relationship_ids
        ]
    return compliance_report(programme, relationships, as_of=AS_OF)


def documented() -> set[str]:
    return set(re.findall(r"`([a-z_0-9]+)`", DOC))


def field_names(cls: type) -> set[str]:
    """Every field name of an attrs class and of the attrs classes it holds."""
    names: set[str] = set()
    for field in attrs.fields(cls):
        names.add(field.name)
        for inner in re.findall(r"[A-Z][A-Za-z]+", str(field.type)):
            found = getattr(mentoring_core.reports, inner, None)
            if attrs.has(found) and found is not cls:
                names |= field_names(found)
    return names


class TestCsv:
    def test_one_row_per_relationship_under_the_documented_header(
        self, report: ComplianceReport
    ) -> None:
        rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
        assert len(rows) == 3
        a = next(r for r in rows if r["relationship_id"] == str(PAIR_A))
        assert (a["expected_meetings"], a["met_meetings"], a["adherence_pct"]) == ("7", "5", "71.4")
        assert (a["mentoring_hours"], a["meeting_overdue"], a["end_reason"]) == ("5.25", "true", "")
        assert a["next_meeting_due"] == "2026-04-09T00:00:00+00:00"  # by the end of 8 April

    def test_lines_end_with_crlf(self, report: ComplianceReport) -> None:
        text = render(report, ReportFormat.CSV)
        assert text.count("\r\n") == 4 and "\n" not in text.replace("\r\n", "")

    def test_every_column_is_defined_in_the_docs(self) -> None:
        missing = [name for name, _ in CSV_COLUMNS if name not in documented()]
        assert missing == []


class TestJson:
    def test_round_trips_through_json_with_numbers_as_numbers(
        self, report: ComplianceReport
    ) -> None:
        data = json.loads(render(report, "json"))
        assert data == json.loads(json.dumps(report_to_dict(report)))
        a = next(r for r in data["relationships"] if r["relationship_id"] == str(PAIR_A))
        assert a["adherence_pct"] == 71.4 and a["longest_gap"]["days"] == 29.0
        assert data["as_of"] == "2026-04-15T12:00:00+00:00"
        assert data["programme"]["retention"][0]["retained_pct"] == 50.0

    def test_every_field_is_defined_in_the_docs(self) -> None:
        missing = sorted(field_names(ComplianceReport) - documented())
        assert missing == []


class TestHtml:
    def test_is_self_contained(self, report: ComplianceReport) -> None:
        page = render(report, "html")
        assert "<script" not in page
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
        assert "@import" not in page and "url(" not in page

    def test_has_the_tables_and_charts(self, report: ComplianceReport) -> None:
        page = render(report, "html")
        for anchor in ("id='summary'", "id='relationships'", "id='adherence-chart'",
                       "id='hours-chart'", "id='retention'", "id='mentor-load'"):  # fmt: skip
            assert anchor in page
        assert page.count("<svg class='timeline'") == 2  # the proposal has no timeline
        assert page.count("class='flag'>OVERDUE") == 2  # pair A's meeting and review

    def test_escapes_what_it_shows(self, report: ComplianceReport) -> None:
        hostile = attrs.evolve(
            report, programme=attrs.evolve(report.programme, name="<b>x</b> & co")
        )
        page = render(hostile, "html")
        assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt; &amp; co" in page

    def test_an_unknown_format_is_refused(self, report: ComplianceReport) -> None:
        with pytest.raises(ValueError, match="pdf"):
            render(report, "pdf")


ALLOWED = frozenset(
    {"__future__", "attrs", "bisect", "calendar", "cattrs", "cattrs.preconf.json",
     "collections", "collections.abc", "csv", "datetime", "decimal", "enum", "functools",
     "html", "io", "itertools", "json", "math", "msgspec", "operator", "typing", "uuid"}
)  # fmt: skip
"""What the report modules may import: pure standard modules, attrs, cattrs and msgspec
(its JSON formatter, text in and text out)."""


@pytest.mark.parametrize("path", sorted(REPORTS.glob("*.py")), ids=lambda p: p.name)
def test_report_modules_are_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    levels: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                imported.add(node.module or "")
            elif node.level == 2:  # the domain, or the package's names imported on use
                levels.add(2)
                assert node.module == "_lazy" or (node.module or "").startswith("domain"), path.name
    assert imported <= ALLOWED, sorted(imported - ALLOWED)
    calls: set[Any] = {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert not calls & {"open", "print", "input"}
