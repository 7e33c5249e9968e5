"""The registry of aggregate kinds: which decider a command, an event or a name belongs to.

Everything that must tell a programme from a relationship (the service, the event
feed, timelines, replay, export, the read model, the command line) asks here.
Importing this module registers every handler and event type of the domain.
"""

from __future__ import annotations

from typing import Any

from . import erasure as _erasure  # noqa: F401 (registers the erasure fact with programmes)
from . import relationship as _relationship  # noqa: F401 (registers the relationship's rules)
from .commands import Command, CorrectGroupSession, RecordGroupSession
from .decider import Decider
from .errors import InvalidValue
from .events import EVENT_TYPES, Event
from .group import needs_history as _group_needs_history
from .programme import PROGRAMME
from .relationship_state import RELATIONSHIP

KINDS: tuple[Decider[Any], ...] = (PROGRAMME, RELATIONSHIP)
"""Every kind of aggregate, programme first (a relationship is opened in a programme)."""


def kind_named(name: object) -> Decider[Any]:
    """The kind called ``name`` (``"programme"`` or ``"relationship"``)."""
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise InvalidValue("kind", name, f"one of {', '.join(k.name for k in KINDS)}")


def kind_of(event: Event | type[Event]) -> Decider[Any]:
    """The kind an event (or event class) belongs to."""
    for kind in KINDS:
        if kind.owns(event):
            return kind
    raise InvalidValue("event", event, "a programme or relationship event")


def kind_of_topic(topic: str) -> Decider[Any] | None:
    """The kind whose events a stored record's topic names; None if no kind's (an unknown
    type, as a damaged or foreign record may name)."""
    event_type = EVENT_TYPES.get(topic)
    owners = [kind for kind in KINDS if event_type is not None and kind.owns(event_type)]
    return owners[0] if owners else None


def kind_of_command(command: Command) -> Decider[Any]:
    """The kind whose aggregate ``command`` changes (opening a relationship: the relationship)."""
    for kind in KINDS:
        if isinstance(command, kind.command_type):
            return kind
    raise InvalidValue("command", command, "a programme or relationship command")


def needs_history(command: Command) -> bool:
    """Whether ``command``, as its caller gave it (before the service fills in new ids),
    must be decided on whole states, history and all: for a group session, the
    relationships present (a programme command whose programme cannot answer for them;
    always to correct one, whose meetings they hold); for any other, the aggregate it
    changes (:meth:`Decider.needs_history`)."""
    if isinstance(command, CorrectGroupSession):
        return True
    if isinstance(command, RecordGroupSession):
        return _group_needs_history(command)
    return kind_of_command(command).needs_history(command)
