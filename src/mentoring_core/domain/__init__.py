"""The pure domain of mentoring-core: values, events, commands, state, decide and evolve.

Nothing here performs I/O or imports ``eventsourcing``. The public names are
re-exported once, from :mod:`mentoring_core`.
"""

from . import kinds as _kinds  # noqa: F401 (registers every decider's handlers and event types)
