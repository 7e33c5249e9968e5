"""Writers at once, each with its own service, none giving an expected version: none is
told of a conflict (review of the CLI, t_two_writers.sh; see test_unconditional_retry)."""

from __future__ import annotations

import threading

import pytest

from mentoring_core import MentoringService

from .test_service_contract import seed
from .test_unconditional_retry import held

WRITERS = 4
ROUNDS = 12


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Writers in threads, each with its own service: a memory store is one service's."""
    return str(request.param)


@pytest.mark.parametrize("cached", [False, True], ids=["a service per command", "one each"])
def test_writers_at_once_without_an_expected_version_never_see_a_conflict(
    store_url: str, cached: bool
) -> None:
    with MentoringService(store_url) as service:
        relationship = seed(service).relationship
        base = service.relationship(relationship).version
    start = threading.Barrier(WRITERS)
    failures: list[str] = []

    def write(writer: int) -> None:
        kept = MentoringService(store_url) if cached else None
        try:
            for n in range(ROUNDS):
                start.wait()
                service = kept or MentoringService(store_url)
                try:
                    held(service, relationship, f"{writer}/{n}")
                except Exception as error:  # every failure is reported, not only conflicts
                    failures.append(f"{type(error).__name__}: {error}")
                finally:
                    if kept is None:
                        service.close()
        finally:
            if kept is not None:
                kept.close()

    threads = [threading.Thread(target=write, args=(k,)) for k in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with MentoringService(store_url) as service:
        history = service.history(relationship)
        verified = service.verify()
    topics = [t for e in history[base:] for t in e.topics]  # type: ignore[attr-defined]
    assert failures == []
    assert sorted(topics) == sorted(f"{k}/{n}" for k in range(WRITERS) for n in range(ROUNDS))
    assert [e.version for e in history] == list(range(1, len(history) + 1))
    assert verified.ok, verified.finding
