"""mentoring-core: the complete, auditable history of mentoring relationships.

Open a :class:`MentoringService` on a store URL, record commands through its
methods, and read states and histories back. Everything below is re-exported
from the modules that define it; see ``docs/api.md``.
"""

import logging

from ._command_methods import Recorded
from .application import Clock, MentoringService, TimeAxis, system_clock
from .domain import commands, events
from .domain.context import DecisionContext
from .domain.errors import (
    ConcurrencyConflict,
    InvalidValue,
    MentoringError,
    NotFound,
    ReadModelError,
    Rule,
    RuleViolation,
    StoreConfigurationError,
    StoredEventError,
)
from .domain.events import EVENT_TYPES, Event, ProgrammeEvent, RelationshipEvent
from .domain.pairing import decide_pairing
from .domain.personal import PersonalData, personal_fields
from .domain.programme import Participant, ProgrammeState, decide_programme, evolve_programme
from .domain.relationship import decide_relationship
from .domain.relationship_state import (
    Declining,
    Ending,
    Evaluation,
    Feedback,
    Goal,
    Meeting,
    Milestone,
    PlanActivity,
    Reflection,
    RelationshipState,
    evolve_relationship,
)
from .domain.values import (
    Cadence,
    CadenceKind,
    CadenceTier,
    DeclineReason,
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    GoalStatus,
    MeetingFormat,
    MeetingOutcome,
    MeetingSchedule,
    Participation,
    ProgrammePolicy,
    ProgressStatus,
    Rating,
    RelationshipStatus,
    Role,
    StakeholderFeedback,
)
from .serialisation import CONVERTER, EventMapper, Snapshot, event_to_dict, make_event_converter
from .store import DEFAULT_STORE_URL, redact, store_environment

__all__ = [
    "CONVERTER",
    "DEFAULT_STORE_URL",
    "EVENT_TYPES",
    "Cadence",
    "CadenceKind",
    "CadenceTier",
    "Clock",
    "ConcurrencyConflict",
    "DecisionContext",
    "DeclineReason",
    "Declining",
    "EndReason",
    "Ending",
    "Evaluation",
    "Event",
    "EventMapper",
    "Feedback",
    "FeedbackKind",
    "FocusArea",
    "Goal",
    "GoalProgress",
    "GoalStatus",
    "InvalidValue",
    "Meeting",
    "MeetingFormat",
    "MeetingOutcome",
    "MeetingSchedule",
    "MentoringError",
    "MentoringService",
    "Milestone",
    "NotFound",
    "Participant",
    "Participation",
    "PersonalData",
    "PlanActivity",
    "ProgrammeEvent",
    "ProgrammePolicy",
    "ProgrammeState",
    "ProgressStatus",
    "Rating",
    "ReadModelError",
    "Recorded",
    "Reflection",
    "RelationshipEvent",
    "RelationshipState",
    "RelationshipStatus",
    "Role",
    "Rule",
    "RuleViolation",
    "Snapshot",
    "StakeholderFeedback",
    "StoreConfigurationError",
    "StoredEventError",
    "TimeAxis",
    "commands",
    "decide_pairing",
    "decide_programme",
    "decide_relationship",
    "event_to_dict",
    "events",
    "evolve_programme",
    "evolve_relationship",
    "make_event_converter",
    "personal_fields",
    "redact",
    "store_environment",
    "system_clock",
]

# A library logs and lets the application decide what to show (docs/api.md, "Logging").
logging.getLogger(__name__).addHandler(logging.NullHandler())
