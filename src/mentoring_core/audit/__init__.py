"""The auditor's toolkit: tamper evidence, digests, timelines, replay, export and import.

Everything an auditor uses from Python is re-exported here (see ``docs/audit.md``
for the guide and ``docs/api.md`` for the list). The hash chain's encoding is in
:mod:`mentoring_core.audit.chain`; the recorders that write it in
:mod:`mentoring_core.audit.recorders`.
"""

from typing import TYPE_CHECKING

from .._lazy import imported_on_use
from .chain import canonical_time, link_hash
from .digest import check_signature, generate_key_pair, sign
from .digest import dump as dump_digest
from .digest import load as load_digest
from .replay import (
    AUTO_EVENTS_PER_WORKER,
    MAX_AUTO_WORKERS,
    MAX_REPLAY_WORKERS,
    DecodeFailure,
    RebuildFailure,
    ReplayProgress,
    ReplayReport,
    VersionGap,
    replay,
)
from .timeline import Change, State, TimelineEntry, diff, happened_by, state_at, timeline
from .verify import Breach, Digest, DigestError, Finding, Verification, verify

if TYPE_CHECKING:  # imported on first use: see __getattr__ below
    from .export import (
        ExportError,
        ExportSummary,
        ImportSummary,
        StoreNotEmpty,
        cloud_events,
        export_events,
        import_events,
    )

__all__ = [
    "AUTO_EVENTS_PER_WORKER",
    "MAX_AUTO_WORKERS",
    "MAX_REPLAY_WORKERS",
    "Breach",
    "Change",
    "DecodeFailure",
    "Digest",
    "DigestError",
    "ExportError",
    "ExportSummary",
    "Finding",
    "ImportSummary",
    "RebuildFailure",
    "ReplayProgress",
    "ReplayReport",
    "State",
    "StoreNotEmpty",
    "TimelineEntry",
    "Verification",
    "VersionGap",
    "canonical_time",
    "check_signature",
    "cloud_events",
    "diff",
    "dump_digest",
    "export_events",
    "generate_key_pair",
    "happened_by",
    "import_events",
    "link_hash",
    "load_digest",
    "replay",
    "sign",
    "state_at",
    "timeline",
    "verify",
]

# The service imports this package for its recorders, so every command would import the
# export and import too, which only the auditor's commands use.
__getattr__ = imported_on_use(__name__, __all__, [".export"])
