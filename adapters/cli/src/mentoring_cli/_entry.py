"""The console script's entry point, kept light: an interrupt (Ctrl-C) while the command's
modules are still being imported (a few tenths of a second) ends it with the one line an
interrupt gets once they are loaded, not a traceback."""

from __future__ import annotations

import sys

_ABORTED = 1
"""The exit status of an aborted command (``EXIT_REFUSED`` in :mod:`mentoring_cli.app`,
not imported here: importing it is what may be interrupted)."""


def main() -> None:
    """Import the command line, then run it (:func:`mentoring_cli.app.main`)."""
    try:
        from .app import main as run
    except KeyboardInterrupt:
        sys.stderr.write("error: aborted\n")
        sys.exit(_ABORTED)
    run()
