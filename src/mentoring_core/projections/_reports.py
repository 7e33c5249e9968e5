"""Compliance reports of a service's programme, live or as of a past moment, in a file.

The entry point for the ``mentoring report compliance`` command and for
embedding products: :func:`write_compliance_report`.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast
from uuid import UUID

from .._collector import collector_spared
from ..application import MentoringService
from ..domain.errors import InvalidValue, NotFound, StoredEventError
from ..domain.events import ProgrammeEvent, RelationshipEvent
from ..domain.programme import PROGRAMME, check_policy
from ..domain.validation import check_not_future, check_now, check_seconds, check_uuid
from ..domain.values import ProgrammePolicy
from ..privacy.retention import past_due, sets_period
from ..reports import (
    ComplianceReport,
    PolicyFact,
    ProgrammeFacts,
    RelationshipFacts,
    ReportFormat,
    compliance_report,
    fold_programme_facts,
    fold_relationship_facts,
    recorded_by,
    render,
)
from ..reports._render import report_format
from ..store import ComplianceView, Waker
from ._projection import DEFAULT_BATCH_SIZE, ComplianceProjection


def facts_as_of(
    service: MentoringService, programme_id: UUID, as_of: datetime
) -> tuple[ProgrammeFacts, tuple[RelationshipFacts, ...]]:
    """The facts from the events recorded by ``as_of``: a straight fold of each history,
    read without opening personal fields (the facts hold none). Once the facts folded
    hold 10,000 events, those folded are kept from the garbage collector's full
    collections until it returns (see
    :func:`~mentoring_core._collector.collector_spared`). A programme recorded only after
    ``as_of`` is refused as an invalid ``as_of``, naming
    when it was created; an id no programme was ever recorded under, as not found."""
    history = service.history(check_uuid("programme_id", programme_id), personal=False)
    if not PROGRAMME.owns(history[0]):
        raise NotFound(PROGRAMME.name, programme_id)
    programme_events = recorded_by(history, as_of)
    if not programme_events:
        raise _not_yet_created(programme_id, as_of, history[0].recorded_at)
    programme = fold_programme_facts(cast(tuple[ProgrammeEvent, ...], programme_events))
    relationships = []
    folded = programme.version
    with collector_spared() as spare:
        for relationship_id in programme.relationship_ids:
            events = recorded_by(service.history(relationship_id, personal=False), as_of)
            facts = fold_relationship_facts(cast(tuple[RelationshipEvent, ...], events))
            relationships.append(facts)
            folded += facts.version
            spare(folded)
    return programme, tuple(r for r in relationships if r.version > 0)


def _not_yet_created(programme_id: UUID, as_of: datetime, created: datetime) -> InvalidValue:
    """The refusal of a report as of ``as_of``, before the programme's creation was
    recorded (at ``created``): the programme is recorded, only later."""
    return InvalidValue(
        "as_of",
        as_of,
        f"a moment on or after the programme's creation: programme {programme_id} was not "
        f"yet created as of {as_of.isoformat()} (created {created.isoformat()})",
    )


def build_compliance_report(
    service: MentoringService,
    programme_id: UUID,
    *,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    now: datetime | None = None,
    policy: ProgrammePolicy | None = None,
    projection: ComplianceProjection | None = None,
) -> ComplianceReport:
    """The compliance report of a programme.

    Without ``as_of``: the read model is brought up to date, then read; the
    report describes ``now`` (default: the service's clock, read after catching up); a
    ``now`` before a record of the store was recorded is read as ``as_of``
    (:func:`recorded_after`), since the read model holds that record too.
    With ``as_of``: exactly the report that would have been produced at that
    moment, from the events recorded by then (a fold of the programme's
    histories; the read model is not used). ``start``/``end``: the period, in
    UTC days, both included. ``policy``: check this policy instead of the
    recorded ones. The count of people past their retention period
    (:func:`~mentoring_core.privacy.retention.past_due`) reads the service's states, now
    or as recorded by ``as_of``, not the read model.
    """
    if policy is not None:  # checked as SetPolicy checks it: a report of a bad one is no report
        policy = check_policy(policy)
    if now is not None:
        now = check_now(now)
        if as_of is None and recorded_after(service, now):  # the read model holds it too
            as_of = now
    return report_at(
        service,
        programme_id,
        start=start,
        end=end,
        as_of=as_of,
        now=now,
        policy=policy,
        projection=projection,
    )


def report_at(
    service: MentoringService,
    programme_id: UUID,
    *,
    start: date | None,
    end: date | None,
    as_of: datetime | None,
    now: datetime | None,
    policy: ProgrammePolicy | None,
    projection: ComplianceProjection | None,
) -> ComplianceReport:
    """:func:`build_compliance_report` once ``now`` (aware) and ``policy`` are checked and
    the choice between the read model and ``as_of`` is made: for a caller that made it
    itself (:func:`~mentoring_core.projections.due`, once for every programme)."""
    if as_of is not None:
        check_not_future("as_of", as_of, now if now is not None else service.now())
    programme, relationships = facts_at(service, programme_id, as_of, projection)
    moment = as_of or now or check_now(service.now())  # the clock read after catching up
    due = _past_due(service, programme_id, programme.policies, moment, as_of)
    with collector_spared() as spare:
        spare(programme.version + sum(r.version for r in relationships))
        return compliance_report(
            programme,
            relationships,
            as_of=moment,
            start=start,
            end=end,
            policy=policy,
            personal_data_past_due=due,
        )


def _past_due(
    service: MentoringService,
    programme_id: UUID,
    policies: tuple[PolicyFact, ...],
    moment: datetime,
    as_of: datetime | None,
) -> int | None:
    """The report's count of people past their retention period (:func:`past_due`), read
    from the states only once the policy recorded last (of ``policies``, the programme's
    facts') sets a period: a report of a programme that sets none opens no one's personal
    data, as its figures do not."""
    if not policies or not sets_period(policies[-1].policy):
        return None
    return past_due(service, programme_id, moment.astimezone(UTC).date(), at=as_of)


def facts_at(
    service: MentoringService,
    programme_id: UUID,
    as_of: datetime | None,
    projection: ComplianceProjection | None,
) -> tuple[ProgrammeFacts, tuple[RelationshipFacts, ...]]:
    """The programme's facts as recorded by ``as_of`` (:func:`facts_as_of`); without it,
    from the read model (``projection``'s, else a new one's) brought up to date."""
    if as_of is not None:
        return facts_as_of(service, programme_id, as_of)
    projection = projection or ComplianceProjection(service)
    projection.catch_up()
    return projection.programme_facts(programme_id)


def recorded_after(service: MentoringService, moment: datetime) -> bool:
    """Whether the store holds an event recorded after ``moment`` (the last event's
    ``recorded_at``, the time ``as_of`` reads: one record read and decoded, its personal
    fields left closed): a report or a due list judged at ``moment`` then reads the states
    as recorded by it, where the read model would count what came since. A ``now`` read
    from the clock an instant before is no such moment: nothing was recorded after it.

    Not the last link's time: the store stamps links with the machine's clock, a service
    given a clock of its own (a simulation, a scenario replayed) records its events at
    that clock's times, and a report at a ``now`` after every event recorded was folded
    again for nothing."""
    if moment >= service.now():
        return False
    recorder = service.store.recorder
    last = recorder.max_notification_id()
    records = recorder.select_notifications(last, 1) if last else []
    if not records:
        return False
    try:
        event = service.store.decode(records[0], personal=False)
    except StoredEventError:  # a damaged record: the states as recorded by then tell
        return True
    return event.recorded_at > moment


def write_compliance_report(
    service: MentoringService,
    programme_id: UUID,
    *,
    format: ReportFormat | str,
    out: str | os.PathLike[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    now: datetime | None = None,
    policy: ProgrammePolicy | None = None,
) -> str:
    """Produce the report (see :func:`build_compliance_report`), render it in ``format``
    (``html``, ``csv`` or ``json``, else :class:`InvalidValue` naming ``format``, before the
    report is made), write it to ``out`` (UTF-8) if given, and return the text."""
    chosen = report_format(format)
    report = build_compliance_report(
        service, programme_id, start=start, end=end, as_of=as_of, now=now, policy=policy
    )
    text = render(report, chosen)
    if out is not None:
        Path(out).write_text(text, encoding="utf-8", newline="")
    return text


class ComplianceFollower:
    """Keeps the read model up to date in a background thread, so reports need not wait.

    It catches up every ``poll_interval`` seconds and, where the store pushes
    (PostgreSQL's NOTIFY on each insert, see :meth:`~mentoring_core.store.Store.listener`),
    at once on each write; should the listening connection be lost, that is logged and
    polling goes on (:class:`~mentoring_core.store.Waker`). ``wait(notification_id)``
    blocks until the read model has folded that notification.
    """

    def __init__(
        self,
        service: MentoringService,
        *,
        view: ComplianceView | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        poll_interval: float = 1.0,
    ) -> None:
        self._poll_interval = check_seconds("poll_interval", poll_interval)
        self.projection = ComplianceProjection(service, view=view, batch_size=batch_size)
        self._store = service.store
        self._name = service.store.name
        self._stopping = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="compliance-follower", daemon=True)

    def start(self) -> ComplianceFollower:
        self._thread.start()
        return self

    def __enter__(self) -> ComplianceFollower:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop following; re-raise anything that stopped the thread."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def wait(self, notification_id: int | None, timeout: float = 5.0) -> None:
        """Block until the read model has folded ``notification_id`` (TimeoutError if not)."""
        self.projection.view.wait(self._name, notification_id, timeout, interrupt=self._stopping)

    def _work(self) -> None:
        self.projection.catch_up()

    def _run(self) -> None:
        try:
            with Waker(self._store.listener(), self._poll_interval) as waker:
                while not self._stopping.is_set():
                    self._work()
                    waker.wait(self._stopping)
        except BaseException as error:
            self._error = error
            self._stopping.set()
