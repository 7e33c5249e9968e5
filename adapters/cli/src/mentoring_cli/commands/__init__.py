"""The command groups of ``mentoring``, one module per part of the domain."""
