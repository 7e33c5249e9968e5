"""The pure domain of mentoring-core: values, events, commands, state, decide and evolve.

Nothing here performs I/O or imports ``eventsourcing``.
"""

from . import commands, events, values
from .context import DecisionContext
from .errors import (
    ConcurrencyConflict,
    InvalidValue,
    MentoringError,
    NotFound,
    Rule,
    RuleViolation,
    StoreConfigurationError,
    StoredEventError,
)
from .pairing import decide_pairing
from .personal import PersonalData, personal_fields
from .programme import Participant, ProgrammeState, decide_programme, evolve_programme
from .relationship import decide_relationship
from .relationship_state import (
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

__all__ = [
    "ConcurrencyConflict",
    "DecisionContext",
    "Declining",
    "Ending",
    "Evaluation",
    "Feedback",
    "Goal",
    "InvalidValue",
    "Meeting",
    "MentoringError",
    "Milestone",
    "NotFound",
    "Participant",
    "PersonalData",
    "PlanActivity",
    "ProgrammeState",
    "Reflection",
    "RelationshipState",
    "Rule",
    "RuleViolation",
    "StoreConfigurationError",
    "StoredEventError",
    "commands",
    "decide_pairing",
    "decide_programme",
    "decide_relationship",
    "events",
    "evolve_programme",
    "evolve_relationship",
    "personal_fields",
    "values",
]
