"""What an adapter author needs beyond the public API (``docs/api.md``, "Extending").

A storage adapter (such as ``mentoring-core-postgres``) stores the hash chain in its
own table, in the same transaction as the events, and names its tables after the
application. These are the pieces it shares with the core's own stores. An interface
adapter (the command line, an HTTP API) tells programmes from relationships, and lists
each kind's events, through :data:`KINDS` and :func:`kind_of`.
"""

from .audit.recorders import CHAIN_TABLE, ChainLinker, ChainRow
from .domain.decider import Decider
from .domain.kinds import KINDS, kind_named, kind_of
from .stores import APPLICATION_NAME

__all__ = [
    "APPLICATION_NAME",
    "CHAIN_TABLE",
    "KINDS",
    "ChainLinker",
    "ChainRow",
    "Decider",
    "kind_named",
    "kind_of",
]
