"""``mentoring programme``: programmes, their policy and their participants."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

import attrs
import typer

from mentoring_core import MentoringService, Recorded
from mentoring_core.extend import CONVERTER
from mentoring_core.reports import PRESETS, preset
from mentoring_core.state import ProgrammeState
from mentoring_core.values import CadenceTier, FocusArea, Participation, ProgrammePolicy, Role

from .._options import (
    CommandIdOpt,
    ExpectedVersionOpt,
    JsonOpt,
    OccurredAtOpt,
    ProgrammeArg,
    new_id_option,
    number_option,
)
from .._parsing import (
    WholeNumber,
    enum_names,
    enum_parser,
    parse_cadence_tier,
    parse_name,
    parse_years,
)
from .._pseudonyms import warn_if_identifying
from .._render import print_whole, programme_list, programme_view
from .._session import Output, new_id, open_service, record

app = typer.Typer(no_args_is_help=True)

NOTIFICATION_PAGE = 500


def _preset_name(text: str) -> str:
    return parse_name(PRESETS, text, ", ".join(sorted(PRESETS)))


_PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--preset",
        metavar="NAME",
        parser=_preset_name,
        help=f"Start from a policy preset ({', '.join(sorted(PRESETS))}): its cadence, "
        "minimum meeting length and review interval (see docs/reports.md, Policy presets).",
    ),
]


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The programme's name.")],
    organisation: Annotated[
        str, typer.Option("--organisation", help="The organisation that runs it.")
    ],
    programme_id: Annotated[UUID | None, new_id_option("programme")] = None,
    preset_name: _PresetOpt = None,
    occurred_at: OccurredAtOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Create a programme; prints its id. Creates the SQLite store if needed. With --preset,
    its policy is set at once from the preset (compulsory, no minimum experience gap:
    change them with 'programme policy')."""
    chosen = None if preset_name is None else changed_policy(None, preset_name, {})

    def create(s: MentoringService, actor: str, command_id: UUID) -> Recorded:
        created = s.create_programme(
            name,
            organisation,
            actor=actor,
            command_id=command_id,
            programme_id=programme_id or new_id(command_id, "programme"),
            occurred_at=occurred_at,
        )
        if chosen is None:
            return created
        policy_set = s.set_policy(
            created.id,
            chosen,
            actor=actor,
            command_id=new_id(command_id, "policy"),
            occurred_at=occurred_at,
        )
        return attrs.evolve(
            policy_set,
            events=created.events + policy_set.events,
            positions=created.positions + policy_set.positions,
            command_id=command_id,
            already_recorded=created.already_recorded and policy_set.already_recorded,
        )

    record(ctx, json_output, command_id, create, created="programme", create=True)


_CadenceOpt = Annotated[
    list[CadenceTier] | None,
    typer.Option(
        "--cadence",
        parser=parse_cadence_tier,
        metavar="CADENCE[,until=DAYS]",
        help="Meeting cadence (weekly, fortnightly, monthly, every_n_days=N); repeat for "
        "tiers by the relationship's age, e.g. --cadence weekly,until=90 --cadence "
        "fortnightly.",
        show_default=False,
    ),
]
_ParticipationOpt = Annotated[
    Participation | None,
    typer.Option(
        "--participation",
        parser=enum_parser(Participation),
        metavar="NAME",
        help=f"One of {enum_names(Participation)}.",
    ),
]
_MinimumGapOpt = Annotated[
    Decimal | None,
    typer.Option(
        "--minimum-experience-gap",
        parser=parse_years,
        metavar="YEARS",
        help="How many more years of experience a mentor must have than their mentee "
        "(0-50, at most two decimals).",
    ),
]
_ReviewIntervalOpt = Annotated[
    int | None,
    number_option(
        "--review-interval-days", WholeNumber(), "DAYS", "How often progress is evaluated."
    ),
]
_MinimumMinutesOpt = Annotated[
    int | None,
    number_option(
        "--minimum-meeting-minutes", WholeNumber(), "MINUTES", "Shortest meeting that counts."
    ),
]


def _limit_option(flag: str, help_text: str) -> Any:
    return typer.Option(flag, metavar="N|none", help=f"{help_text}; 'none': no limit.")


_MaxMenteesOpt = Annotated[
    str | None,
    _limit_option("--max-mentees-per-mentor", "Most open relationships a mentor may carry at once"),
]
_MaxMentorsOpt = Annotated[
    str | None,
    _limit_option("--max-mentors-per-mentee", "Most open relationships a mentee may have at once"),
]
_RetentionOpt = Annotated[
    str | None,
    _limit_option(
        "--retain-personal-data-years",
        "Years (1 to 100) personal data is kept after a person's last role ended (a "
        "relationship ended, they withdrew, or were relieved as a coordinator), then due "
        "for erasure",
    ),
]

_REQUIRED = {
    "cadence": "--cadence",
    "minimum_meeting_minutes": "--minimum-meeting-minutes",
    "participation": "--participation",
    "minimum_experience_gap_years": "--minimum-experience-gap",
    "review_interval_days": "--review-interval-days",
}
"""What a policy cannot do without, by the option that gives it."""


def _limit(flag: str, text: str | None) -> int | Literal["keep"] | None:
    """A limit option: a whole number, 'none' (no limit), or not given ('keep')."""
    if text is None:
        return "keep"
    if text.strip().lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a whole number or 'none'", param_hint=f"'{flag}'"
        ) from None


def changed_policy(
    current: ProgrammePolicy | None, preset_name: str | None, changes: dict[str, Any]
) -> ProgrammePolicy:
    """The policy in force (if any), then the preset (if named), then the options given
    (``changes``: field name to value, ``"keep"`` or absent for an option not given)."""
    fields: dict[str, Any] = {} if current is None else attrs.asdict(current, recurse=False)
    if preset_name is not None:  # one of PRESETS: the option's parser made sure
        template = preset(preset_name).policy()
        for name in ("cadence", "minimum_meeting_minutes", "review_interval_days"):
            fields[name] = getattr(template, name)
        fields.setdefault("participation", template.participation)
        fields.setdefault("minimum_experience_gap_years", template.minimum_experience_gap_years)
    fields.update({k: v for k, v in changes.items() if v is not None and v != "keep"})
    fields.update({k: None for k, v in changes.items() if v is None and k in _LIMITS})
    missing = [flag for name, flag in _REQUIRED.items() if name not in fields]
    if missing:
        raise typer.BadParameter(
            f"the programme has no policy in force to change: give {', '.join(missing)}, or "
            "--preset NAME"
        )
    return ProgrammePolicy(**fields)


_LIMITS = frozenset(
    {"max_mentees_per_mentor", "max_active_mentors_per_mentee", "retain_personal_data_years"}
)


@app.command("policy")
def policy(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    preset_name: _PresetOpt = None,
    cadence: _CadenceOpt = None,
    participation: _ParticipationOpt = None,
    minimum_gap: _MinimumGapOpt = None,
    review_interval_days: _ReviewIntervalOpt = None,
    minimum_meeting_minutes: _MinimumMinutesOpt = None,
    max_mentees_per_mentor: _MaxMenteesOpt = None,
    max_mentors_per_mentee: _MaxMentorsOpt = None,
    retain_personal_data_years: _RetentionOpt = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Set or change the programme's policy: each option given replaces that one value of
    the policy in force (or of --preset), the others are kept."""
    changes: dict[str, Any] = {
        "cadence": tuple(cadence) if cadence else None,
        "minimum_meeting_minutes": minimum_meeting_minutes,
        "participation": participation,
        "minimum_experience_gap_years": minimum_gap,
        "review_interval_days": review_interval_days,
        "max_mentees_per_mentor": _limit("--max-mentees-per-mentor", max_mentees_per_mentor),
        "max_active_mentors_per_mentee": _limit("--max-mentors-per-mentee", max_mentors_per_mentee),
        "retain_personal_data_years": _limit(
            "--retain-personal-data-years", retain_personal_data_years
        ),
    }

    def change(s: MentoringService, actor: str, command_id: UUID) -> Recorded:
        state = s.programme(programme_id)
        return s.set_policy(
            programme_id,
            changed_policy(state.policy, preset_name, changes),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        )

    record(ctx, json_output, command_id, change)


def _focus_areas_option(flag: str, what: str) -> Any:
    return typer.Option(
        flag,
        parser=enum_parser(FocusArea),
        metavar="AREA",
        help=f"{what}; repeat for more. One of {enum_names(FocusArea)}.",
    )


_ExpertiseOpt = Annotated[
    list[FocusArea] | None, _focus_areas_option("--expertise", "A mentor's area of expertise")
]
_NeedOpt = Annotated[
    list[FocusArea] | None, _focus_areas_option("--need", "A mentee's development need")
]


@app.command("enrol")
def enrol(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    person: Annotated[str, typer.Option("--person", help="The worker's id in your organisation.")],
    role: Annotated[
        Role,
        typer.Option(
            "--role", parser=enum_parser(Role), metavar="NAME", help=f"One of {enum_names(Role)}."
        ),
    ],
    experience_years: Annotated[
        Decimal,
        typer.Option(
            "--experience-years",
            parser=parse_years,
            metavar="YEARS",
            help="Years of experience in the field (0-80, at most two decimals).",
        ),
    ],
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="The name they are shown by (personal data: sealed, erasable)."
        ),
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(
            "--contact",
            help="How to reach them, e.g. an e-mail address (personal data: sealed, erasable).",
        ),
    ] = None,
    expertise: _ExpertiseOpt = None,
    needs: _NeedOpt = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Enrol a worker as a mentor (with their expertise) or a mentee (with their needs)."""
    warn_if_identifying(person)
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.enrol(
            programme_id,
            person,
            role,
            experience_years,
            display_name=name,
            contact=contact,
            expertise=expertise or (),
            development_needs=needs or (),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@app.command("profile")
def profile(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    person: Annotated[str, typer.Option("--person", help="The enrolled worker's id.")],
    expertise: _ExpertiseOpt = None,
    needs: _NeedOpt = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Replace a mentor's expertise (--expertise...) or a mentee's needs (--need...)."""
    if expertise is None and needs is None:
        raise typer.BadParameter("give --expertise (a mentor's) or --need (a mentee's)")
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.update_profile(
            programme_id,
            person,
            expertise=expertise,
            development_needs=needs,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    person: Annotated[str, typer.Option("--person", help="The enrolled worker's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why they leave the programme.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Withdraw a worker from the programme."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.withdraw(
            programme_id,
            person,
            reason,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@app.command("appoint")
def appoint(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    person: Annotated[
        str, typer.Option("--person", help="The new coordinator's id in your organisation.")
    ],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Appoint someone a coordinator of the programme."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.appoint_coordinator(
            programme_id,
            person,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@app.command("relieve")
def relieve(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    person: Annotated[str, typer.Option("--person", help="The coordinator's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why they are relieved of the role.")],
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Relieve a coordinator of the programme of the role."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.relieve_coordinator(
            programme_id,
            person,
            reason,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@app.command("list")
def list_(ctx: typer.Context, json_output: JsonOpt = False) -> None:
    """List every programme in the store."""
    out = Output(json_output)
    with open_service(ctx) as service:
        rows = service.programmes()
    out.emit(
        lambda: {
            "programmes": [
                {
                    "programme_id": str(state.programme_id),
                    "name": state.name,
                    "organisation": state.organisation,
                    "created_at": None
                    if state.created_at is None
                    else state.created_at.isoformat(),
                    "version": state.version,
                    "active_participants": sum(1 for p in state.participants if p.active),
                    "relationships": len(state.relationship_ids),
                }
                for state in rows
            ]
        },
        lambda console: print_whole(
            console,
            programme_list(rows) if rows else "No programme is recorded in this store yet.",
        ),
    )


@app.command("show")
def show(ctx: typer.Context, programme_id: ProgrammeArg, json_output: JsonOpt = False) -> None:
    """Show a programme: policy, participants and relationships."""
    out = Output(json_output)
    with open_service(ctx) as service:
        state = service.programme(programme_id)
    out.emit(
        lambda: _state_document(state),
        lambda console: print_whole(console, programme_view(state)),
    )


def _state_document(state: ProgrammeState) -> object:
    return CONVERTER.unstructure(state)
