"""The adapter's own statements, tried again on a new connection after a cut one.

As eventsourcing retries its own inserts and reads: when the server or the network cut
the connection a statement was on (eventsourcing's ``OperationalError`` or
``InterfaceError``), the pool drops it and the call is made again on another, up to
:data:`ATTEMPTS` times, :data:`WAIT` seconds apart. Every method so marked (the
recorder's, the key store's, the read model's) is safe to run again after an attempt
whose commit may have happened before the cut: a read; an insert that meets its own
first attempt (the recorder's: see the service); or a write that leaves the same rows
however often it runs (a key made only if none is there, a key destroyed, a row kept
unless the stored one wins, the read model's rows never over a higher version and its
position refused as stale once stored).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from eventsourcing.persistence import InterfaceError, OperationalError

ATTEMPTS = 10
"""How many times a call is made before its last error is raised."""
WAIT = 0.2
"""Seconds between two attempts (read at each wait: a test may lower it)."""

_P = ParamSpec("_P")
_T = TypeVar("_T")


def retried_after_a_cut(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """``method``, made again after a connection cut under it (see the module)."""

    @functools.wraps(method)
    def retried(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        attempt = 1
        while True:
            try:
                return method(*args, **kwargs)
            except (InterfaceError, OperationalError):
                if attempt >= ATTEMPTS:
                    raise
            attempt += 1
            time.sleep(WAIT)

    return retried
