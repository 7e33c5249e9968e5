"""The read resources: programmes, relationships, histories, timelines, states as of a time,
compliance reports and the audit's verification and digest.

Each asks the policy first (a read refused with ``conceal`` is a 404 like a missing
one) and shows only what the reader may see: relationships through
:func:`~mentoring_core.authorisation.redact`, histories and timelines without the
events :func:`~mentoring_core.authorisation.may_read_event` refuses.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, QueryParameter

from mentoring_core import Event, TimeAxis
from mentoring_core.audit import Digest, dump_digest, timeline
from mentoring_core.authorisation import (
    Principal,
    Read,
    may,
    may_read_event,
    redact,
    redact_programme,
)
from mentoring_core.matching import MentorSuggestion
from mentoring_core.projections import MAX_WINDOW_DAYS, due, write_compliance_report
from mentoring_core.reports import DueItem
from mentoring_core.state import ProgrammeState, RelationshipState

from ._access import Gate
from ._documents import (
    DigestDocument,
    FindingDocument,
    HistoryDocument,
    TimelineEntryDocument,
    VerificationDocument,
    event_document,
)
from ._problems import Problem, problem_responses
from ._reading import checked_query, named_as_queried

READ_ERRORS = problem_responses(400, 401, 403, 404)


def _etag(version: int) -> dict[str, str]:
    return {"ETag": f'"{version}"'}


@get(
    "/programmes",
    sync_to_thread=True,
    operation_id="ListProgrammes",
    responses=READ_ERRORS,
    tags=["programmes"],
)
def list_programmes(
    principal: NamedDependency[Principal], gate: NamedDependency[Gate]
) -> list[ProgrammeState]:
    """Every programme the caller may read, oldest first."""
    gate.check(principal, Read.PROGRAMMES)
    return [
        redact_programme(principal, p)
        for p in gate.service.programmes()
        if may(principal, Read.PROGRAMME, programme=p)
    ]


@get(
    "/programmes/{programme_id:uuid}",
    sync_to_thread=True,
    operation_id="ReadProgramme",
    responses=READ_ERRORS,
    tags=["programmes"],
)
def read_programme(
    principal: NamedDependency[Principal], gate: NamedDependency[Gate], programme_id: FromPath[UUID]
) -> Response[ProgrammeState]:
    """A programme: its policy, participants, coordinators and relationships' ids (a
    participant reads only their own contact details and unsent reminders)."""
    programme = gate.programme(principal, programme_id, Read.PROGRAMME)
    return Response(redact_programme(principal, programme), headers=_etag(programme.version))


@get(
    "/programmes/{programme_id:uuid}/history",
    sync_to_thread=True,
    operation_id="ProgrammeHistory",
    responses=READ_ERRORS,
    tags=["programmes"],
)
def programme_history(
    principal: NamedDependency[Principal], gate: NamedDependency[Gate], programme_id: FromPath[UUID]
) -> HistoryDocument:
    """Every event of a programme, in order, with all its metadata."""
    programme = gate.programme(principal, programme_id, Read.PROGRAMME)
    events = gate.service.history(programme_id)
    shown = [e for e in events if may_read_event(principal, e, programme=programme)]
    return _history(programme_id, events, shown)


@get(
    "/programmes/{programme_id:uuid}/relationships",
    sync_to_thread=True,
    operation_id="ListRelationships",
    responses=READ_ERRORS,
    tags=["programmes"],
)
def list_relationships(
    principal: NamedDependency[Principal], gate: NamedDependency[Gate], programme_id: FromPath[UUID]
) -> list[RelationshipState]:
    """The relationships of a programme the caller may read, oldest first."""
    programme = gate.programme(principal, programme_id, Read.RELATIONSHIPS)
    return [
        redact(principal, r, programme=programme)
        for r in gate.service.relationships(programme_id)
        if may(principal, Read.RELATIONSHIP, programme=programme, relationship=r)
    ]


@get(
    "/programmes/{programme_id:uuid}/suggestions",
    sync_to_thread=True,
    operation_id="SuggestMentors",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
    tags=["programmes"],
)
def suggest_mentors(
    principal: NamedDependency[Principal],
    gate: NamedDependency[Gate],
    programme_id: FromPath[UUID],
    mentee: Annotated[str, QueryParameter(description="The mentee's person id (enrolled).")],
) -> list[MentorSuggestion]:
    """The programme's mentors who could be paired with the mentee, best first, each rank
    explained (docs/cli.md, "Matching"); a coordinator's question."""
    gate.programme(principal, programme_id, Read.SUGGESTIONS)
    with named_as_queried({"mentee_id": "mentee"}):
        return list(gate.service.suggest_mentors(programme_id, mentee))


@get(
    "/programmes/{programme_id:uuid}/due",
    sync_to_thread=True,
    operation_id="ProgrammeDue",
    responses=READ_ERRORS,
    tags=["programmes"],
)
def programme_due(
    principal: NamedDependency[Principal],
    gate: NamedDependency[Gate],
    programme_id: FromPath[UUID],
    within: Annotated[
        int,
        QueryParameter(
            ge=0,
            le=MAX_WINDOW_DAYS,
            description="Also list what falls due in the next this many days.",
        ),
    ] = 14,
) -> list[DueItem]:
    """What is overdue now, then what falls due within ``within`` days, most urgent first
    (``mentoring due``; docs/reports.md, "What is due"), in the relationships the caller
    may read."""
    programme = gate.programme(principal, programme_id, Read.RELATIONSHIPS)
    readable = {
        r.relationship_id
        for r in gate.service.relationships(programme_id)
        if may(principal, Read.RELATIONSHIP, programme=programme, relationship=r)
    }
    items = due(gate.service, programme_id=programme_id, within_days=within)
    return [item for item in items if item.relationship_id in readable]


@get(
    "/relationships/{relationship_id:uuid}",
    sync_to_thread=True,
    operation_id="ReadRelationship",
    responses=READ_ERRORS,
    tags=["relationships"],
)
def read_relationship(
    principal: NamedDependency[Principal],
    gate: NamedDependency[Gate],
    relationship_id: FromPath[UUID],
) -> Response[RelationshipState]:
    """A relationship now: people, status, schedule, goals, meetings, feedback..."""
    programme, relationship = gate.relationship(principal, relationship_id, Read.RELATIONSHIP)
    return Response(
        redact(principal, relationship, programme=programme),
        headers=_etag(relationship.version),
    )


@get(
    "/relationships/{relationship_id:uuid}/history",
    sync_to_thread=True,
    operation_id="RelationshipHistory",
    responses=READ_ERRORS,
    tags=["relationships"],
)
def relationship_history(
    principal: NamedDependency[Principal],
    gate: NamedDependency[Gate],
    relationship_id: FromPath[UUID],
) -> HistoryDocument:
    """Every event of a relationship the caller may read, in order, with all metadata."""
    events, shown = _readable_history(principal, gate, relationship_id)
    return _history(relationship_id, events, [events[i] for i in shown])


@get(
    "/relationships/{relationship_id:uuid}/timeline",
    sync_to_thread=True,
    operation_id="RelationshipTimeline",
    responses=READ_ERRORS,
    tags=["relationships"],
)
def relationship_timeline(
    principal: NamedDependency[Principal],
    gate: NamedDependency[Gate],
    relationship_id: FromPath[UUID],
) -> list[TimelineEntryDocument]:
    """A relationship's history told in domain words, one entry per event the caller may read."""
    events, shown = _readable_history(principal, gate, relationship_id)
    entries = timeline(events)
    return [
        TimelineEntryDocument(
            version=entries[i].version,
            event_type=entries[i].event_type,
            occurred_at=entries[i].occurred_at,
            recorded_at=entries[i].recorded_at,
            actor=entries[i].actor,
            description=entries[i].description,
        )
        for i in shown
    ]


@get(
    "/relationships/{relationship_id:uuid}/state",
    before_request=checked_query("at"),
    sync_to_thread=True,
    operation_id="RelationshipAsOf",
    responses=problem_responses(400, 401, 403, 404, 422),
    tags=["relationships"],
)
def relationship_as_of(
    principal: NamedDependency[Principal],
    gate: NamedDependency[Gate],
    relationship_id: FromPath[UUID],
    at: Annotated[datetime, QueryParameter(description="The moment, ISO 8601 with an offset.")],
    axis: Annotated[
        TimeAxis,
        QueryParameter(
            description="recorded: as the records stood then; occurred: what had "
            "happened by then, including facts recorded later."
        ),
    ] = TimeAxis.RECORDED,
) -> RelationshipState:
    """A relationship as it stood at a moment (before its first event: status ``new``)."""
    programme, _ = gate.relationship(principal, relationship_id, Read.RELATIONSHIP)
    state = gate.service.relationship_as_of(relationship_id, at, axis=axis)
    return redact(principal, state, programme=programme)


def _readable_history(
    principal: Principal, gate: Gate, relationship_id: UUID
) -> tuple[tuple[Event, ...], list[int]]:
    """A relationship's events, and the indexes of those the principal may read."""
    programme, relationship = gate.relationship(principal, relationship_id, Read.RELATIONSHIP)
    events = gate.service.history(relationship_id)
    return events, [
        i
        for i, e in enumerate(events)
        if may_read_event(principal, e, programme=programme, relationship=relationship)
    ]


def _history(aggregate_id: UUID, events: tuple[Event, ...], shown: list[Event]) -> HistoryDocument:
    return HistoryDocument(
        aggregate_id=aggregate_id,
        version=events[-1].version,
        events=tuple(event_document(e) for e in shown),
    )


_REPORT_MEDIA = {"json": "application/json", "csv": "text/csv", "html": "text/html"}


def _report_handler(report_format: str) -> HTTPRouteHandler:
    def handler(
        principal: NamedDependency[Principal],
        gate: NamedDependency[Gate],
        programme_id: FromPath[UUID],
        start: Annotated[
            date | None, QueryParameter(name="from", description="First day (UTC), included.")
        ] = None,
        end: Annotated[
            date | None, QueryParameter(name="to", description="Last day (UTC), included.")
        ] = None,
        as_of: Annotated[
            datetime | None,
            QueryParameter(description="Exactly as the report stood at this moment."),
        ] = None,
    ) -> Response[Any]:
        gate.programme(principal, programme_id, Read.REPORT)
        with named_as_queried({"start": "from", "end": "to", "period": "from/to"}):
            text = write_compliance_report(
                gate.service, programme_id, format=report_format, start=start, end=end, as_of=as_of
            )
        return Response(text, media_type=_REPORT_MEDIA[report_format])

    handler.__doc__ = (
        f"A programme's compliance report in {report_format.upper()} (docs/reports.md)."
    )
    return get(
        f"/programmes/{{programme_id:uuid}}/reports/compliance.{report_format}",
        before_request=checked_query("as_of"),
        sync_to_thread=True,
        operation_id=f"ComplianceReport{report_format.upper()}",
        media_type=_REPORT_MEDIA[report_format],
        responses=problem_responses(400, 401, 403, 404, 422),
        tags=["reports"],
    )(handler)


@get(
    "/audit/verification",
    sync_to_thread=True,
    operation_id="AuditVerify",
    responses=READ_ERRORS,
    tags=["audit"],
)
def audit_verification(
    principal: NamedDependency[Principal], gate: NamedDependency[Gate]
) -> VerificationDocument:
    """Re-read the whole store's hash chain (docs/audit.md): ok, or the first broken record."""
    gate.check(principal, Read.AUDIT)
    result = gate.service.verify()
    digest = result.digest
    finding = result.finding
    return VerificationDocument(
        ok=result.ok,
        records=result.records,
        digest=None if digest is None else _digest(digest),
        finding=None
        if finding is None
        else FindingDocument(
            breach=str(finding.breach),
            sequence=finding.sequence,
            notification_id=finding.notification_id,
            aggregate_id=finding.aggregate_id,
            version=finding.version,
            detail=finding.detail,
        ),
    )


@get(
    "/audit/digest",
    sync_to_thread=True,
    operation_id="AuditDigest",
    responses=problem_responses(400, 401, 403, 404, 409),
    tags=["audit"],
)
def audit_digest(
    principal: NamedDependency[Principal], gate: NamedDependency[Gate]
) -> Response[Any]:
    """The digest of the whole store, as a digest file holds it (``mentoring audit verify
    --against`` checks a later store against it)."""
    gate.check(principal, Read.AUDIT)
    result = gate.service.verify()
    if result.digest is None or not result.ok:
        raise Problem(
            409,
            "no-digest",
            "No digest can be given",
            "the store is empty" if result.ok else f"the chain is broken: {result.finding}",
        )
    return Response(dump_digest(result.digest), media_type="application/json")


def _digest(digest: Digest) -> DigestDocument:
    return DigestDocument(
        sequence=digest.sequence, hash=digest.hash, recorded_at=digest.recorded_at
    )


def read_handlers() -> list[HTTPRouteHandler]:
    return [
        list_programmes,
        read_programme,
        programme_history,
        list_relationships,
        suggest_mentors,
        programme_due,
        read_relationship,
        relationship_history,
        relationship_timeline,
        relationship_as_of,
        *(_report_handler(f) for f in _REPORT_MEDIA),
        audit_verification,
        audit_digest,
    ]
