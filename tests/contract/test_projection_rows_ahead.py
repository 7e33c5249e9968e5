"""A catch-up writes each aggregate's row as it folds it, ahead of the position, and the
position with its last rows: rows may stand past the position, never behind it.

A catch-up stopped between its rows and its position leaves rows that ``audit verify``
accepts and that the next catch-up finishes from; facts a projection keeps never stand
past their row, even when another projector stored the position first.
"""

from __future__ import annotations

import importlib
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import cast

import pytest
from eventsourcing.persistence import Tracking
from report_scenario import PAIR_A, PROGRAMME, SettableClock, record

from mentoring_core import MentoringService, ReadModelError
from mentoring_core.audit.derived import check_derived
from mentoring_core.events import ProgrammeEvent, RelationshipEvent
from mentoring_core.projections import (
    ComplianceProjection,
    MemoryComplianceView,
    StoredFacts,
    encode_facts,
)
from mentoring_core.reports import (
    ProgrammeFacts,
    RelationshipFacts,
    fold_programme_facts,
    fold_relationship_facts,
)
from mentoring_core.values import FeedbackKind

PROJECTION = importlib.import_module("mentoring_core.projections._projection")


@pytest.fixture
def service(store_url: str) -> Iterator[MentoringService]:
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        record(service, clock)
        yield service


def folded(service: MentoringService) -> tuple[ProgrammeFacts, list[RelationshipFacts]]:
    programme = fold_programme_facts(cast(list[ProgrammeEvent], service.history(PROGRAMME)))
    relationships = [
        fold_relationship_facts(cast(list[RelationshipEvent], service.history(r)))
        for r in programme.relationship_ids
    ]
    return programme, sorted(relationships, key=lambda r: str(r.relationship_id))


def read(projection: ComplianceProjection) -> tuple[ProgrammeFacts, list[RelationshipFacts]]:
    programme, relationships = projection.programme_facts(PROGRAMME)
    return programme, sorted(relationships, key=lambda r: str(r.relationship_id))


class Stopped(Exception):
    """The process stopped between writing rows and writing the position."""


def test_a_catch_up_stopped_before_its_position_leaves_rows_ahead_that_verify_accepts(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PROJECTION, "ROWS_BYTES", 1)  # each row in a transaction of its own
    stopped = ComplianceProjection(service)

    def stop(rows: Sequence[StoredFacts], tracking: Tracking) -> None:
        raise Stopped

    monkeypatch.setattr(stopped.view, "save_facts", stop)
    with pytest.raises(Stopped):
        stopped.catch_up()
    assert stopped.position is None
    written = stopped.view.select_programme_facts(PROGRAMME)
    assert len(written) == 1 + len(folded(service)[1])  # every row but the last aggregate's
    assert check_derived(service).ok
    monkeypatch.undo()
    resumed = ComplianceProjection(service, view=stopped.view)
    assert resumed.catch_up() == service.store.recorder.max_notification_id()
    assert read(resumed) == folded(service)
    assert check_derived(service).ok


def test_kept_facts_never_stand_past_their_row_when_another_stored_the_position_first(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first projection folds PAIR_A to its last version; another stores a position
    past the first's, with PAIR_A's row one version behind (its event recorded after that
    position). The first's position is refused; it must not take the facts it folded for
    stored, or the next catch-up would move the position past a row behind it."""
    first = ComplianceProjection(service)
    first.catch_up()
    service.give_feedback(PAIR_A, "ana", "ben", FeedbackKind.RECOGNITION, "One", actor="ana")
    behind_at = service.store.recorder.max_notification_id()
    behind = fold_relationship_facts(cast(list[RelationshipEvent], service.history(PAIR_A)))
    service.give_feedback(PAIR_A, "ana", "ben", FeedbackKind.RECOGNITION, "Two", actor="ana")
    save = first.view.save_facts

    def overtaken(rows: Sequence[StoredFacts], tracking: Tracking) -> None:
        monkeypatch.setattr(first.view, "save_facts", save)
        row = StoredFacts(
            aggregate_id=PAIR_A, programme_id=PROGRAMME, kind="relationship",
            version=behind.version, facts=encode_facts(behind),
        )  # fmt: skip
        save([row], Tracking(service.store.name, behind_at))  # as another projector would
        save(rows, tracking)

    monkeypatch.setattr(first.view, "save_facts", overtaken)
    # PAIR_A folded to its last version, the position refused; then the next record
    # (PAIR_A's last event) folded from the other's row, and its position stored
    assert first.catch_up(limit=1) == 1
    assert first.position == service.store.recorder.max_notification_id() == behind_at + 1
    assert check_derived(service).ok
    assert read(ComplianceProjection(service, view=first.view, cache_size=0)) == folded(service)


def test_a_version_the_log_holds_that_the_aggregate_does_not_reach_stops_the_catch_up(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record in the log that reading its aggregate by id does not give (stored around
    the library under another spelling of the id, say) is named, not passed over."""
    last = service.relationship(PAIR_A).version
    recorder = service.store.recorder
    heads = recorder.select_heads

    def one_more(after: int, limit: int) -> list[tuple[int, object, int, str]]:
        found = list(heads(after, limit))
        for index, (position, stored_id, version, topic) in enumerate(found):
            if version == last and str(stored_id).replace("-", "") == PAIR_A.hex:
                found[index] = (position, stored_id, last + 1, topic)
        return found

    monkeypatch.setattr(recorder, "select_heads", one_more)
    with pytest.raises(ReadModelError) as raised:
        ComplianceProjection(service).catch_up()
    assert str(raised.value) == (
        f"the log holds version {last + 1} of {PAIR_A}, but its events read by its id end "
        f"at version {last}: events would be skipped"
    )


def test_a_projection_whose_read_model_was_emptied_writes_every_row_again(
    service: MentoringService,
) -> None:
    """The facts it kept are of rows it stored: trusted only while the position is where
    it left it."""
    projection = ComplianceProjection(service)
    projection.catch_up()
    projection.view = MemoryComplianceView()  # a read model emptied, position and rows
    assert projection.catch_up() == service.store.recorder.max_notification_id()
    assert read(ComplianceProjection(service, view=projection.view, cache_size=0)) == folded(
        service
    )


PROJECTOR = """
import sys
from mentoring_core import MentoringService
from mentoring_core.projections import ComplianceProjection
import mentoring_core.projections._projection as projection

projection.ROWS_BYTES = int(sys.argv[2])  # 1: a transaction for each row


def told(write):
    def written(*args):
        write(*args)
        print("wrote", flush=True)
        sys.stdin.readline()  # the test answers, or kills this process here
    return written


with MentoringService(sys.argv[1]) as service:
    catching_up = ComplianceProjection(service, batch_size=7)
    view = catching_up.view
    view.save_rows, view.save_facts = told(view.save_rows), told(view.save_facts)
    catching_up.catch_up()
    print("done", flush=True)
"""


def test_projectors_killed_after_any_write_leave_a_read_model_verify_accepts(
    store_url: str, store_kind: str
) -> None:
    """Projector processes are killed (SIGKILL) right after one of their writes (rows ahead
    of the position, or the position with the last rows), chosen at random, while a writer
    records between them: whatever each left, ``audit verify``
    accepts, and a last catch-up gives the facts of the events."""
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its process")
    clock = SettableClock()
    rng = random.Random(20261207)
    kills = 0
    rows_bytes = (1, 2**20)  # each row written apart, or the rows of a stretch with its end
    with MentoringService(store_url, clock=clock) as service:
        record(service, clock)
        for round_ in range(8):
            for note in range(4):
                service.give_feedback(
                    PAIR_A, "ana", "ben", FeedbackKind.RECOGNITION, f"{round_}.{note}", actor="ana"
                )
            projector = subprocess.Popen(
                [sys.executable, "-c", PROJECTOR, store_url, str(rows_bytes[round_ % 2])],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            assert projector.stdin is not None and projector.stdout is not None
            killed_after = rng.randint(1, 6)
            writes = 0
            while (line := projector.stdout.readline().strip()) == "wrote":
                writes += 1
                if writes == killed_after:
                    projector.send_signal(signal.SIGKILL)
                    kills += 1
                    break
                projector.stdin.write("\n")
                projector.stdin.flush()
            else:
                assert line == "done"
            projector.wait(timeout=30)
            assert check_derived(service).ok  # no row behind a version the position covers
        assert kills >= 4  # most rounds stopped mid catch-up
        last = ComplianceProjection(service)
        last.catch_up()
        assert last.position == service.store.recorder.max_notification_id()
        assert check_derived(service).ok
        assert read(ComplianceProjection(service, view=last.view, cache_size=0)) == folded(service)


def test_projections_racing_beside_writers_agree_with_the_fold(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two projections catch up over and over in threads while a writer records: rows run
    ahead of positions, positions are refused, and at the end every row stands at its
    aggregate's last version."""
    monkeypatch.setattr(PROJECTION, "ROWS_BYTES", 1)
    projections = [ComplianceProjection(service, batch_size=size) for size in (3, 5)]
    writing = threading.Event()
    writing.set()
    failures: list[BaseException] = []

    def follow(projection: ComplianceProjection) -> None:
        try:
            while writing.is_set():
                projection.catch_up()
        except BaseException as error:  # reported below, with the test's own failure
            failures.append(error)

    threads = [threading.Thread(target=follow, args=(p,)) for p in projections]
    for thread in threads:
        thread.start()
    for note in range(20):
        service.give_feedback(
            PAIR_A, "ana", "ben", FeedbackKind.RECOGNITION, str(note), actor="ana"
        )
    writing.clear()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    for projection in projections:
        projection.catch_up()
        assert projection.position == service.store.recorder.max_notification_id()
    assert check_derived(service).ok
    assert read(projections[0]) == read(projections[1]) == folded(service)
