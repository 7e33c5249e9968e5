"""Inputs at the edge of what Python's types hold give the documented errors, not
OverflowError (issue 11: `report --to 9999-12-31`, `relationship(version=10**30)`)."""

from __future__ import annotations

from datetime import date

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.projections import build_compliance_report
from mentoring_core.values import Role


def test_a_version_beyond_any_store_is_refused_by_name(store_url: str) -> None:
    with MentoringService(store_url) as service:
        programme = service.create_programme("Edge", "Org", actor="coord").id
        service.enrol(programme, "ana", Role.MENTOR, 20, actor="coord")
        for version in (10**30, 0, -1):
            with pytest.raises(InvalidValue) as info:
                service.programme(programme, version=version)
            assert info.value.field == "version"
        assert service.programme(programme, version=1).version == 1


def test_a_report_ending_on_the_last_day_of_the_calendar_is_refused(store_url: str) -> None:
    with MentoringService(store_url) as service:
        programme = service.create_programme("Edge", "Org", actor="coord").id
        with pytest.raises(InvalidValue) as info:
            build_compliance_report(service, programme, end=date(9999, 12, 31))
        assert info.value.field == "end"
        report = build_compliance_report(service, programme, end=date(9999, 12, 30))
        assert report.period.end == date(9999, 12, 30)
