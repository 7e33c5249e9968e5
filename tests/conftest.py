"""Hypothesis profiles: "dev" (fast, the default) and "ci" (thorough, selected when CI is set).

HYPOTHESIS_PROFILE names a profile explicitly, e.g. ``HYPOTHESIS_PROFILE=ci pytest``.
"""

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=50)
settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
