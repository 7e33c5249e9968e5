"""The compliance views are eventsourcing tracking recorders: they pass its own test case.

``eventsourcing.tests.persistence`` imports ``eventsourcing.cipher``, which needs the
``eventsourcing[crypto]`` extra (pycryptodome); without it these tests skip, saying so.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import ClassVar

import pytest

pytest.importorskip(
    "Crypto", reason="eventsourcing's recorder test cases need eventsourcing[crypto]"
)

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from eventsourcing.tests.persistence import TrackingRecorderTestCase
from mentoring_core_postgres.testing import postgres_store_url

from mentoring_core import MentoringService
from mentoring_core.projections import (
    ComplianceView,
    MemoryComplianceView,
    StoredFacts,
)


class _ViewCase(TrackingRecorderTestCase):
    store: ClassVar[str] = ""

    def setUp(self) -> None:
        self._stack = ExitStack()
        self.addCleanup(self._stack.close)

    def service_url(self) -> str:
        raise NotImplementedError

    def create_recorder(self) -> TrackingRecorder:
        service = self._stack.enter_context(MentoringService(self.service_url()))
        return service.store.compliance_view()

    def test_facts_and_position_are_written_together_or_not_at_all(self) -> None:
        from uuid import UUID

        view = self.create_recorder()
        assert isinstance(view, ComplianceView)
        row = StoredFacts(
            aggregate_id=UUID(int=2), programme_id=UUID(int=1), kind="relationship", version=3,
            facts="{}",
        )  # fmt: skip
        view.save_facts([row], Tracking("mentoring", 5))
        stale = StoredFacts(
            aggregate_id=UUID(int=2), programme_id=UUID(int=1), kind="relationship", version=9,
            facts="{\"stale\": true}",
        )  # fmt: skip
        with self.assertRaises(IntegrityError):
            view.save_facts([stale], Tracking("mentoring", 5))
        self.assertEqual(view.select_facts([UUID(int=2), UUID(int=3)]), [row])
        older = StoredFacts(
            aggregate_id=UUID(int=2), programme_id=UUID(int=1), kind="relationship", version=2,
            facts="{}",
        )  # fmt: skip
        view.save_facts([older], Tracking("mentoring", 6))
        self.assertEqual(view.select_programme_facts(UUID(int=1)), [row])
        self.assertEqual(view.max_tracking_id("mentoring"), 6)

    def test_rows_saved_ahead_of_the_position_leave_it_as_it_is(self) -> None:
        from uuid import UUID

        view = self.create_recorder()
        assert isinstance(view, ComplianceView)
        view.save_facts([], Tracking("mentoring", 5))
        ahead = StoredFacts(
            aggregate_id=UUID(int=2), programme_id=UUID(int=1), kind="relationship", version=7,
            facts="{}",
        )  # fmt: skip
        view.save_rows([ahead])
        self.assertEqual(view.max_tracking_id("mentoring"), 5)
        self.assertEqual(view.select_facts([UUID(int=2)]), [ahead])
        behind = StoredFacts(
            aggregate_id=UUID(int=2), programme_id=UUID(int=1), kind="relationship", version=6,
            facts="{\"behind\": true}",
        )  # fmt: skip
        view.save_rows([behind])
        view.save_facts([behind], Tracking("mentoring", 6))
        self.assertEqual(view.select_programme_facts(UUID(int=1)), [ahead])
        self.assertEqual(view.max_tracking_id("mentoring"), 6)


class TestMemoryView(_ViewCase):
    def create_recorder(self) -> TrackingRecorder:
        return MemoryComplianceView()


class TestSQLiteView(_ViewCase):
    def service_url(self) -> str:
        folder = self._stack.enter_context(TemporaryDirectory())
        return f"sqlite:///{Path(folder) / 'views.db'}"


@pytest.mark.postgres
class TestPostgresView(_ViewCase):
    def service_url(self) -> str:
        return self._stack.enter_context(postgres_store_url("views"))


del _ViewCase, TrackingRecorderTestCase
