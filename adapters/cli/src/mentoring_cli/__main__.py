"""``python -m mentoring_cli``: the same as the ``mentoring`` command."""

from .app import main

main()
