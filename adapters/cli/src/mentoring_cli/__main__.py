"""``python -m mentoring_cli``: the same as the ``mentoring`` command."""

from ._entry import main

main()
