"""The machine's own time zone set to another than UTC for one test: what the code must
not read (it works in UTC days and moments, whatever the machine's zone)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def local_time_zone(name: str) -> Iterator[None]:
    """The process's local time zone is ``name`` (``TZ``, applied with ``time.tzset``)
    inside the block, and as before after it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", name)
        time.tzset()
        try:
            yield
        finally:
            patch.undo()
            time.tzset()
