"""The pure domain of mentoring-core: values, events, commands, state, decide and evolve.

Nothing here performs I/O or imports ``eventsourcing``. Embedders use the service;
this package's names are for those who drive the deciders themselves (tests, their
own shell): each aggregate's ``decide`` and ``evolve``, and the context a decision takes.
Importing it registers every decider's handlers and event types.
"""

from . import recognition  # noqa: F401  (registers RecogniseMentor and MentorRecognised)
from .context import DecisionContext
from .decider import Decider
from .group import decide_group_session, session_meeting_id
from .kinds import KINDS, kind_named, kind_of, kind_of_command, kind_of_topic
from .pairing import decide_pairing
from .programme import PROGRAMME, decide_programme, evolve_programme
from .relationship import decide_relationship
from .relationship_state import RELATIONSHIP, evolve_relationship

__all__ = [
    "KINDS",
    "PROGRAMME",
    "RELATIONSHIP",
    "Decider",
    "DecisionContext",
    "decide_group_session",
    "decide_pairing",
    "decide_programme",
    "decide_relationship",
    "evolve_programme",
    "evolve_relationship",
    "kind_named",
    "kind_of",
    "kind_of_command",
    "kind_of_topic",
    "session_meeting_id",
]
