"""HTTP API for mentoring-core (``docs/http.md``).

A Litestar application over a :class:`mentoring_core.MentoringService`, in which who did
what is established by a verified bearer token and what each person may do and see is
decided by the core's authorisation policy.
"""
