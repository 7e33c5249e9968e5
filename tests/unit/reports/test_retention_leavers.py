"""Leavers of the organisation, counted apart from other endings, worked out by hand.

The period is 2025; the report describes 1 April 2026 (``AS_OF``), so every mentee
below is in the 3-, 6- and 12-month cohorts (their checkpoints 10 April 2025, 10 July
2025 and 10 January 2026; gus's 1 May, 1 August 2025 and 1 February 2026). Times are
10:00 UTC.

- amy: paired 10 Jan, left the organisation 10 Feb.
- bob: paired 10 Jan, withdrew 10 Feb.
- cal: paired 10 Jan, left the organisation 1 Feb; paired again 1 Mar, that mentor
  withdrew 1 May: at 6 and 12 months the last ending is a withdrawal.
- dee: paired 10 Jan, still active.
- eve: paired 10 Jan, withdrew 1 Feb; paired again 1 Mar, left the organisation 1 Jun.
- fay: paired 10 Jan, left the organisation 1 Aug (after her 6-month checkpoint).
- gus: paired 1 Feb, left the organisation 1 May, exactly at his 3-month checkpoint:
  not retained then (the ending counts at its moment).

Retained (in mentoring, or completed): at 3 months cal, dee, eve, fay (4 of 7, 57.1%);
leavers amy and gus (2), so 4 of the 5 who stayed (80.0%). At 6 months dee and fay (2 of
7, 28.6%); leavers amy, eve, gus (3): 2 of 4 (50.0%). At 12 months dee (1 of 7, 14.3%);
leavers amy, eve, fay, gus (4): 1 of 3 (33.3%).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from uuid import UUID

from html_page import retention

from mentoring_core.reports import (
    ComplianceReport,
    ProgrammeFacts,
    RelationshipFacts,
    StatusCounts,
    compliance_report,
)
from mentoring_core.values import EndReason, RelationshipStatus

PROGRAMME = UUID(int=0xC0DE)
AS_OF = datetime(2026, 4, 1, tzinfo=UTC)
LEFT, WITHDREW = EndReason.LEFT_ORGANISATION, EndReason.WITHDRAWN_BY_MENTEE
_ids = count(1)


def at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 10, tzinfo=UTC)


def rel(
    mentee: str, formed: datetime, ended: datetime | None = None, reason: EndReason | None = None
) -> RelationshipFacts:
    return RelationshipFacts(
        relationship_id=UUID(int=next(_ids)),
        version=1,
        programme_id=PROGRAMME,
        mentor_id="ana",
        mentee_id=mentee,
        status=RelationshipStatus.ACTIVE if ended is None else RelationshipStatus.ENDED,
        proposed_at=formed,
        formed_at=formed,
        ended_at=ended,
        end_reason=reason,
    )


RELATIONSHIPS = (
    rel("amy", at(1, 10), at(2, 10), LEFT),
    rel("bob", at(1, 10), at(2, 10), WITHDREW),
    rel("cal", at(1, 10), at(2, 1), LEFT),
    rel("cal", at(3, 1), at(5, 1), EndReason.WITHDRAWN_BY_MENTOR),
    rel("dee", at(1, 10)),
    rel("eve", at(1, 10), at(2, 1), WITHDREW),
    rel("eve", at(3, 1), at(6, 1), LEFT),
    rel("fay", at(1, 10), at(8, 1), LEFT),
    rel("gus", at(2, 1), at(5, 1), LEFT),
)


def report() -> ComplianceReport:
    programme = ProgrammeFacts(
        programme_id=PROGRAMME,
        version=1,
        name="Northfield",
        organisation="Northfield Care",
        created_at=at(1, 1),
    )
    return compliance_report(
        programme, RELATIONSHIPS, as_of=AS_OF, start=date(2025, 1, 1), end=date(2025, 12, 31)
    )


def test_retention_shows_the_leavers_of_the_organisation_apart() -> None:
    assert report().programme.retention == (
        retention(3, 7, 4, Decimal("57.1"), left=2, stayers_pct=Decimal("80.0")),
        retention(6, 7, 2, Decimal("28.6"), left=3, stayers_pct=Decimal("50.0")),
        retention(12, 7, 1, Decimal("14.3"), left=4, stayers_pct=Decimal("33.3")),
    )


def test_endings_for_leaving_the_organisation_are_not_withdrawals() -> None:
    assert report().programme.relationships == StatusCounts(
        active=1, withdrawn=3, left_organisation=5, total=9
    )
