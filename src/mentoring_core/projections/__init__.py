"""The compliance read model and the reports built on it (the shell around ``reports``).

:func:`write_compliance_report` is what the ``mentoring report compliance``
command calls; :class:`ComplianceProjection` keeps the read model up to date on
demand and :class:`ComplianceFollower` in the background. ``docs/reports.md``
describes the figures; ``docs/architecture.md`` the stores. The read model's storage
(:class:`ComplianceView`) belongs to each store: ``service.store.compliance_view()``.
"""

from __future__ import annotations

from ..store import (
    FACTS_SCHEMA,
    ComplianceView,
    MemoryComplianceView,
    SQLiteComplianceView,
    StoredFacts,
)
from ._codec import FACTS_CONVERTER, encode_facts, make_facts_converter
from ._due import MAX_WINDOW_DAYS, due
from ._projection import (
    DEFAULT_BATCH_SIZE,
    ComplianceProjection,
    decode_facts,
)
from ._reports import (
    ComplianceFollower,
    build_compliance_report,
    facts_as_of,
    write_compliance_report,
)
from ._time import build_mentor_time_report, write_mentor_time_report

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FACTS_CONVERTER",
    "FACTS_SCHEMA",
    "MAX_WINDOW_DAYS",
    "ComplianceFollower",
    "ComplianceProjection",
    "ComplianceView",
    "MemoryComplianceView",
    "SQLiteComplianceView",
    "StoredFacts",
    "build_compliance_report",
    "build_mentor_time_report",
    "decode_facts",
    "due",
    "encode_facts",
    "facts_as_of",
    "make_facts_converter",
    "write_compliance_report",
    "write_mentor_time_report",
]
