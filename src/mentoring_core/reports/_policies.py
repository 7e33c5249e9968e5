"""Named policy presets: starting points drawn from published supervision guidance.

A preset is a template for :class:`~mentoring_core.ProgrammePolicy`: the cadence
tiers, the minimum meeting length and the review interval. Participation and
the minimum experience gap are the organisation's own choices, so they are
arguments of :meth:`PolicyPreset.policy`. Organisations with other rules build
a ``ProgrammePolicy`` themselves; presets are a convenience, not a register.

Each preset says where each number comes from, and which numbers are
illustrations rather than taken from its source (``docs/reports.md`` repeats it).
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from ..domain.errors import InvalidValue
from ..domain.values import Cadence, CadenceTier, Participation, ProgrammePolicy


@attrs.frozen(kw_only=True)
class PolicyPreset:
    """A named policy template and the guidance it comes from."""

    name: str
    title: str
    cadence: tuple[CadenceTier, ...]
    minimum_meeting_minutes: int
    review_interval_days: int
    source: str
    """Where the numbers come from, and which of them are illustrations."""
    illustrative: bool
    """True when the preset as a whole is an illustration, not drawn from a publication."""

    def policy(
        self,
        *,
        participation: Participation = Participation.COMPULSORY,
        minimum_experience_gap_years: Decimal = Decimal(0),
    ) -> ProgrammePolicy:
        """The programme policy of this preset with the organisation's own choices."""
        return ProgrammePolicy(
            cadence=self.cadence,
            minimum_meeting_minutes=self.minimum_meeting_minutes,
            participation=participation,
            minimum_experience_gap_years=minimum_experience_gap_years,
            review_interval_days=self.review_interval_days,
        )


ASYE = PolicyPreset(
    name="asye-newly-qualified-social-worker",
    title="Newly qualified social workers, England (ASYE)",
    cadence=(
        CadenceTier(cadence=Cadence.weekly(), until_age_days=42),
        CadenceTier(cadence=Cadence.fortnightly(), until_age_days=182),
        CadenceTier(cadence=Cadence.monthly()),
    ),
    minimum_meeting_minutes=90,
    review_interval_days=91,
    source=(
        "Supervision rhythm of the Assessed and Supported Year in Employment (ASYE) for newly "
        "qualified social workers in England, as employers publish it under the Skills for Care "
        "(adults) and Department for Education (children and families) programmes: weekly for "
        "the first six weeks, at least fortnightly to the end of the first six months, at least "
        "monthly thereafter. The 90-minute minimum is our recollection of the earlier NQSW "
        "programme guidance (sessions of at least an hour and a half), not checked against the "
        "current ASYE documents. The 91-day review interval follows the reviews at three, six "
        "and (at some employers) nine months before the 12-month final assessment. Our summary, "
        "not a quotation: check the current edition before relying on it."
    ),
    illustrative=False,
)

CARE_STAFF_SIX_A_YEAR = PolicyPreset(
    name="care-staff-six-a-year",
    title="Care staff: formal supervision at least six times a year",
    cadence=(CadenceTier(cadence=Cadence.every(61)),),
    minimum_meeting_minutes=60,
    review_interval_days=182,
    source=(
        "Frequency from England's National Minimum Standards for care homes for older people "
        "(Department of Health, 2001-2003, staff supervision standard): care staff receive "
        "formal supervision at least six times a year, here every 61 days. Those standards "
        "were replaced in 2010 by registration requirements that set no frequency; the preset "
        "keeps the old minimum as a benchmark. Quoted from memory: check the text before "
        "relying on it. The 60-minute minimum and the 182-day review interval are "
        "illustrations, not from the source."
    ),
    illustrative=False,
)

NEW_WORKER_WEEKLY_THEN_FORTNIGHTLY = PolicyPreset(
    name="new-worker-weekly-then-fortnightly",
    title="New support workers: weekly for six months, then fortnightly",
    cadence=(
        CadenceTier(cadence=Cadence.weekly(), until_age_days=182),
        CadenceTier(cadence=Cadence.fortnightly()),
    ),
    minimum_meeting_minutes=60,
    review_interval_days=90,
    source=(
        "An illustration of a tiered policy for workers in their first months of practice "
        "(weekly sessions of at least an hour for the first six months, then fortnightly, a "
        "progress review every 90 days). It is not quoted from any published standard."
    ),
    illustrative=True,
)

MONTHLY = PolicyPreset(
    name="monthly-supervision",
    title="Established workers: monthly supervision",
    cadence=(CadenceTier(cadence=Cadence.monthly()),),
    minimum_meeting_minutes=60,
    review_interval_days=182,
    source=(
        "An illustration of a common organisational default for experienced workers (an hour "
        "a month, a progress review every six months). Not quoted from a publication."
    ),
    illustrative=True,
)

PRESETS: dict[str, PolicyPreset] = {
    preset.name: preset
    for preset in (ASYE, CARE_STAFF_SIX_A_YEAR, NEW_WORKER_WEEKLY_THEN_FORTNIGHTLY, MONTHLY)
}
"""Every preset by name."""


def preset(name: str) -> PolicyPreset:
    """The preset called ``name``, or an error listing the known names."""
    found = PRESETS.get(name)
    if found is None:
        raise InvalidValue("preset", name, f"one of {', '.join(sorted(PRESETS))}")
    return found
