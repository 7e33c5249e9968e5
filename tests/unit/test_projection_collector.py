"""A long catch-up sets what it holds apart from the garbage collector's full collections
while it runs (``gc.freeze``) and gives it back at its end (``gc.unfreeze``); a short one,
or one where the collector is off or someone else froze objects first, leaves the
collector alone. A report of facts folded from as many events does the same while it
computes its figures, and so does reading such facts from the read model or folding
them as of a moment."""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from report_scenario import MIDWAY, PROGRAMME, SettableClock, record

from mentoring_core import MentoringService
from mentoring_core.projections import ComplianceProjection, build_compliance_report, facts_as_of

COLLECTOR = importlib.import_module("mentoring_core._collector")
PROJECTION = importlib.import_module("mentoring_core.projections._projection")
REPORTS = importlib.import_module("mentoring_core.projections._reports")


@pytest.fixture
def service() -> Iterator[MentoringService]:
    clock = SettableClock()
    with MentoringService("memory://", clock=clock) as service:
        record(service, clock, until=MIDWAY)
        yield service


pytestmark = pytest.mark.usefixtures("nothing_frozen")


@pytest.fixture
def long(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every catch-up counts as long (the scenario has far fewer events than the bound)."""
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", 1)


def frozen_at_each_call(
    monkeypatch: pytest.MonkeyPatch,
    owner: Any,
    name: str,
    then: Callable[[], None] = lambda: None,
) -> list[int]:
    """How many objects were frozen each time ``owner.name`` was called; ``then`` runs
    next, before the call itself (it may fail, as a lost database would, or freeze
    objects, as another part of the process may)."""
    counts: list[int] = []
    function = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        counts.append(gc.get_freeze_count())
        then()
        return function(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return counts


def fail(error: BaseException) -> Callable[[], None]:
    """A ``then`` that raises ``error``."""

    def raising() -> None:
        raise error

    return raising


def frozen_at_each_save(
    projection: ComplianceProjection,
    monkeypatch: pytest.MonkeyPatch,
    then: Callable[[], None] = lambda: None,
) -> list[int]:
    """How many objects were frozen each time ``projection`` saved a batch (after folding
    its pages); ``then`` runs before the save."""
    return frozen_at_each_call(monkeypatch, projection.view, "save_facts", then)


@pytest.mark.usefixtures("long")
def test_a_catch_up_folds_with_what_it_holds_frozen_and_gives_it_back(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    projection = ComplianceProjection(service)
    counts = frozen_at_each_save(projection, monkeypatch)
    assert projection.catch_up() > 0
    assert len(counts) == 1 and counts[0] > 0
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("long")
def test_a_catch_up_that_fails_gives_back_what_it_froze(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    projection = ComplianceProjection(service)
    counts = frozen_at_each_save(projection, monkeypatch, fail(OSError("the database went away")))
    with pytest.raises(OSError, match="went away"):
        projection.catch_up()
    assert counts[0] > 0
    assert gc.get_freeze_count() == 0


@pytest.mark.usefixtures("long")
def test_objects_frozen_before_a_catch_up_stay_frozen_and_nothing_is_added(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.freeze()  # as a server does with its start-up state before it forks
    before = gc.get_freeze_count()
    projection = ComplianceProjection(service)
    counts = frozen_at_each_save(projection, monkeypatch)
    projection.catch_up()
    assert counts[0] <= before  # none added (some may have been freed meanwhile)
    assert 0 < gc.get_freeze_count() <= before  # and none given back


@pytest.mark.usefixtures("long")
def test_with_the_collector_off_a_catch_up_freezes_nothing(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    gc.disable()
    projection = ComplianceProjection(service)
    counts = frozen_at_each_save(projection, monkeypatch)
    projection.catch_up()
    assert counts == [0]
    assert not gc.isenabled()  # left as it was found


def test_a_short_catch_up_freezes_nothing_and_gives_back_nothing(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    folded = sum(1 for _ in service.store.records())
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", folded + 1)
    projection = ComplianceProjection(service)
    counts = frozen_at_each_save(projection, monkeypatch, gc.freeze)
    assert projection.catch_up() == folded
    assert counts == [0]
    assert gc.get_freeze_count() > 0  # what was frozen meanwhile is not given back


def test_the_bound_counts_the_events_folded_so_far(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch
) -> None:
    folded = sum(1 for _ in service.store.records())
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", folded)
    projection = ComplianceProjection(service)
    counts = frozen_at_each_save(projection, monkeypatch)
    projection.catch_up()
    assert counts[0] > 0
    assert gc.get_freeze_count() == 0


def frozen_while_reporting(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[], None] = lambda: None
) -> list[int]:
    """How many objects were frozen each time a report's figures were computed from its
    facts; ``then`` runs before the computation."""
    return frozen_at_each_call(monkeypatch, REPORTS, "compliance_report", then)


LATER = MIDWAY + timedelta(days=1)
"""After every event the service holds was recorded."""
LIVE_OR_AS_OF = pytest.mark.parametrize("as_of", [None, LATER], ids=["live", "as-of"])


@LIVE_OR_AS_OF
def test_a_report_of_many_events_computes_with_its_facts_frozen_and_gives_them_back(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch, as_of: Any
) -> None:
    expected = build_compliance_report(service, PROGRAMME, now=LATER, as_of=as_of)
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", 1)
    counts = frozen_while_reporting(monkeypatch)
    assert build_compliance_report(service, PROGRAMME, now=LATER, as_of=as_of) == expected
    assert len(counts) == 1 and counts[0] > 0
    assert gc.get_freeze_count() == 0


@LIVE_OR_AS_OF
def test_a_report_that_fails_gives_back_what_it_froze(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch, as_of: Any
) -> None:
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", 1)
    counts = frozen_while_reporting(monkeypatch, fail(MemoryError("no room for the figures")))
    with pytest.raises(MemoryError, match="no room"):
        build_compliance_report(service, PROGRAMME, now=LATER, as_of=as_of)
    assert counts[0] > 0
    assert gc.get_freeze_count() == 0


@LIVE_OR_AS_OF
def test_the_report_bound_counts_the_events_its_facts_were_folded_from(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch, as_of: Any
) -> None:
    events = sum(1 for _ in service.store.records())  # one programme: all of them are its
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", events + 1)
    counts = frozen_while_reporting(monkeypatch)
    build_compliance_report(service, PROGRAMME, now=LATER, as_of=as_of)
    assert counts == [0]
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", events)
    build_compliance_report(service, PROGRAMME, now=LATER, as_of=as_of)
    assert counts[1] > 0


READING = pytest.mark.parametrize(
    ("owner", "name", "read"),
    [
        (PROJECTION, "decode_facts", lambda s: ComplianceProjection(s).programme_facts(PROGRAMME)),
        (REPORTS, "fold_relationship_facts", lambda s: facts_as_of(s, PROGRAMME, LATER)),
    ],
    ids=["from-the-read-model", "as-of"],
)
"""A programme's facts read from the read model, a row at a time, or folded as of a
moment, a relationship at a time (the function each time it reads one)."""


@READING
def test_reading_facts_of_many_events_keeps_those_read_frozen_and_gives_them_back(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, read: Any
) -> None:
    ComplianceProjection(service).catch_up()
    expected = read(service)
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", 1)
    counts = frozen_at_each_call(monkeypatch, owner, name)
    assert read(service) == expected
    assert len(counts) >= len(expected[1]) > 1
    assert counts[0] == 0 and all(count > 0 for count in counts[1:])
    assert gc.get_freeze_count() == 0


@READING
def test_reading_facts_of_fewer_events_freezes_nothing(
    service: MentoringService, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, read: Any
) -> None:
    ComplianceProjection(service).catch_up()
    events = sum(1 for _ in service.store.records())
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", events + 1)
    counts = frozen_at_each_call(monkeypatch, owner, name)
    read(service)
    assert counts and set(counts) == {0}


@pytest.fixture
def thresholds_as_found() -> Iterator[tuple[int, int, int]]:
    found = gc.get_threshold()
    yield found
    gc.set_threshold(*found)


def test_spared_the_young_generation_is_collected_less_often_until_the_block_ends(
    thresholds_as_found: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of a thousand events lives and dies between two young collections."""
    monkeypatch.setattr(COLLECTOR, "SPARE_COLLECTOR_FROM", 5)
    gc.set_threshold(700, 10, 10)
    with COLLECTOR.collector_spared() as spare:
        spare(4)
        assert gc.get_threshold() == (700, 10, 10)  # not yet: a short computation
        spare(5)
        assert gc.get_threshold() == (COLLECTOR.YOUNG_THRESHOLD, 10, 10)
        spare(6)
        assert gc.get_threshold() == (COLLECTOR.YOUNG_THRESHOLD, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("young", [0, 20_000], ids=["collection off", "already higher"])
def test_a_threshold_of_zero_or_above_the_spared_one_is_left_as_it_is(
    thresholds_as_found: tuple[int, int, int], young: int
) -> None:
    gc.set_threshold(young, 10, 10)
    with COLLECTOR.collector_spared() as spare:
        spare(COLLECTOR.SPARE_COLLECTOR_FROM)
        assert gc.get_threshold() == (young, 10, 10)
    assert gc.get_threshold() == (young, 10, 10)


def test_a_threshold_changed_during_the_block_is_kept(
    thresholds_as_found: tuple[int, int, int],
) -> None:
    gc.set_threshold(700, 10, 10)
    with COLLECTOR.collector_spared() as spare:
        spare(COLLECTOR.SPARE_COLLECTOR_FROM)
        gc.set_threshold(5_000, 10, 10)  # another part of the process chose its own
    assert gc.get_threshold() == (5_000, 10, 10)


def test_the_threshold_is_set_back_when_the_block_fails(
    thresholds_as_found: tuple[int, int, int],
) -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(ZeroDivisionError), COLLECTOR.collector_spared() as spare:
        spare(COLLECTOR.SPARE_COLLECTOR_FROM)
        1 / 0  # noqa: B018
    assert gc.get_threshold() == (700, 10, 10)
