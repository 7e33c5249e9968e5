"""A report format the library does not write (``format="pdf"``) is refused with an
``InvalidValue`` naming ``format`` and listing the formats it writes; it was Python's
``ValueError: 'pdf' is not a valid ReportFormat`` (review finding, defect 5). Nothing is
written to ``out`` when the format is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.projections import write_compliance_report, write_mentor_time_report
from mentoring_core.reports import (
    ReportFormat,
    compliance_report,
    fold_programme_facts,
    render,
    render_mentor_time,
)
from mentoring_core.reports import mentor_time_report as mentor_time
from mentoring_core.values import Role

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
DAY = NOW.date()


@pytest.fixture
def service() -> Any:
    with MentoringService("memory://", clock=lambda: NOW) as service:
        yield service


def _programme(service: MentoringService) -> Any:
    programme = service.create_programme("P", "Org", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
    return programme


@pytest.mark.parametrize("given", ["pdf", "HTML", "", None, 3, ["csv"]])
def test_an_unknown_compliance_report_format_is_refused_listing_the_three(
    service: MentoringService, tmp_path: Path, given: Any
) -> None:
    programme = _programme(service)
    out = tmp_path / "report.pdf"
    with pytest.raises(InvalidValue) as refused:
        write_compliance_report(service, programme, format=given, out=out)
    assert (refused.value.field, refused.value.value) == ("format", given)
    assert refused.value.expected == "one of html, csv, json"
    assert str(refused.value).endswith("; expected one of html, csv, json")
    assert not out.exists()


def test_render_refuses_it_too() -> None:
    with MentoringService("memory://", clock=lambda: NOW) as service:
        programme = _programme(service)
        facts = fold_programme_facts(service.history(programme))  # type: ignore[arg-type]
    report = compliance_report(facts, (), as_of=NOW)
    with pytest.raises(InvalidValue) as refused:
        render(report, "pdf")
    assert str(refused.value) == "invalid format: 'pdf'; expected one of html, csv, json"
    assert render(report, "csv") == render(report, ReportFormat.CSV)


@pytest.mark.parametrize("given", ["pdf", "html", ReportFormat.HTML, None])
def test_the_mentor_time_report_lists_the_two_it_is_written_in(
    service: MentoringService, tmp_path: Path, given: Any
) -> None:
    programme = _programme(service)
    out = tmp_path / "time.out"
    with pytest.raises(InvalidValue) as refused:
        write_mentor_time_report(service, programme, start=DAY, end=DAY, format=given, out=out)
    assert (refused.value.field, refused.value.value) == ("format", given)
    assert refused.value.expected == "one of csv, json"
    assert not out.exists()


def test_render_mentor_time_refuses_an_unknown_format() -> None:
    with MentoringService("memory://", clock=lambda: NOW) as service:
        programme = _programme(service)
        facts = fold_programme_facts(service.history(programme))  # type: ignore[arg-type]
    report = mentor_time(facts, (), start=date(2026, 4, 1), end=DAY, as_of=NOW)
    with pytest.raises(InvalidValue, match=r"^invalid format: 'pdf'; expected one of csv, json$"):
        render_mentor_time(report, "pdf")
    assert render_mentor_time(report, "json") == render_mentor_time(report, ReportFormat.JSON)
