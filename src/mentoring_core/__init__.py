"""mentoring-core: the complete, auditable history of mentoring relationships.

Open a :class:`MentoringService` on a store URL, record commands (the classes of
:mod:`mentoring_core.commands`) through :meth:`MentoringService.execute` or its named
methods, and read states and histories back. The top level holds the service, its
errors and the store URL; the modules ``commands``, ``events``, ``values`` and
``state`` hold what commands, events and states are made of; ``audit`` and
``reports`` the auditor's and the compliance officer's tools; ``extend`` what an
adapter author needs. See ``docs/api.md``.
"""

import logging

from . import commands, events, state, values
from ._command_methods import Recorded
from .application import Clock, MentoringService, TimeAxis, system_clock
from .domain.errors import (
    ConcurrencyConflict,
    ErasureUnfinished,
    InvalidValue,
    MentoringError,
    NotAllowed,
    NotFound,
    ReadModelError,
    Rule,
    RuleViolation,
    StoreConfigurationError,
    StoredEventError,
    UnknownPerson,
)
from .domain.events import Event
from .serialisation import event_to_dict
from .store import DEFAULT_STORE_URL, redact

__all__ = [
    "DEFAULT_STORE_URL",
    "Clock",
    "ConcurrencyConflict",
    "ErasureUnfinished",
    "Event",
    "InvalidValue",
    "MentoringError",
    "MentoringService",
    "NotAllowed",
    "NotFound",
    "ReadModelError",
    "Recorded",
    "Rule",
    "RuleViolation",
    "StoreConfigurationError",
    "StoredEventError",
    "TimeAxis",
    "UnknownPerson",
    "commands",
    "event_to_dict",
    "events",
    "redact",
    "state",
    "system_clock",
    "values",
]

# A library logs and lets the application decide what to show (docs/api.md, "Logging").
logging.getLogger(__name__).addHandler(logging.NullHandler())
