"""Suggesting mentors for a mentee: the pure ranking behind
:meth:`MentoringService.suggest_mentors <mentoring_core.MentoringService.suggest_mentors>`.

The order of the rules is documented in ``docs/cli.md`` ("Matching") and in
:mod:`mentoring_core.domain.matching`.
"""

from .domain.matching import MentorSuggestion, rank_mentors

__all__ = ["MentorSuggestion", "rank_mentors"]
