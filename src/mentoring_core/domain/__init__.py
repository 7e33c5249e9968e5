"""The pure domain of mentoring-core: values, events, commands, state, decide and evolve.

Nothing here performs I/O or imports ``eventsourcing``. The public names are
re-exported once, from :mod:`mentoring_core`.
"""
