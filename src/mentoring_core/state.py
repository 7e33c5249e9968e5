"""The states the service returns: a programme's and a relationship's, and their parts."""

from .domain.programme import Appointment, Participant, ProgrammeState
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
)

__all__ = [
    "Appointment",
    "Declining",
    "Ending",
    "Evaluation",
    "Feedback",
    "Goal",
    "Meeting",
    "Milestone",
    "Participant",
    "PlanActivity",
    "ProgrammeState",
    "Reflection",
    "RelationshipState",
]
