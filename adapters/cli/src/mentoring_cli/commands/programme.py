"""``mentoring programme``: programmes, their policy and their participants."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

import typer

from mentoring_core.extend import CONVERTER
from mentoring_core.state import ProgrammeState
from mentoring_core.values import CadenceTier, FocusArea, Participation, ProgrammePolicy, Role

from .._options import (
    CommandIdOpt,
    ExpectedVersionOpt,
    JsonOpt,
    OccurredAtOpt,
    ProgrammeArg,
    new_id_option,
)
from .._parsing import enum_names, enum_parser, parse_cadence_tier, parse_years
from .._pseudonyms import warn_if_identifying
from .._render import programme_list, programme_view
from .._session import Output, new_id, open_service, record

app = typer.Typer(
    help="Set up programmes, their policy and their participants.", no_args_is_help=True
)

NOTIFICATION_PAGE = 500


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The programme's name.")],
    organisation: Annotated[
        str, typer.Option("--organisation", help="The organisation that runs it.")
    ],
    programme_id: Annotated[UUID | None, new_id_option("programme")] = None,
    occurred_at: OccurredAtOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Create a programme; prints its id. Creates the SQLite store if needed."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.create_programme(
            name,
            organisation,
            actor=actor,
            command_id=command_id,
            programme_id=programme_id or new_id(command_id, "programme"),
            occurred_at=occurred_at,
        ),
        created="programme",
        create=True,
    )


_CadenceOpt = Annotated[
    list[CadenceTier],
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
    Participation,
    typer.Option(
        "--participation",
        parser=enum_parser(Participation),
        metavar="NAME",
        help=f"One of {enum_names(Participation)}.",
    ),
]
_MinimumGapOpt = Annotated[
    Decimal,
    typer.Option(
        "--minimum-experience-gap",
        parser=parse_years,
        metavar="YEARS",
        help="How many more years of experience a mentor must have than their mentee.",
    ),
]
_ReviewIntervalOpt = Annotated[
    int,
    typer.Option("--review-interval-days", metavar="DAYS", help="How often progress is evaluated."),
]
_MinimumMinutesOpt = Annotated[
    int,
    typer.Option(
        "--minimum-meeting-minutes", metavar="MINUTES", help="Shortest meeting that counts."
    ),
]

_RetentionOpt = Annotated[
    int | None,
    typer.Option(
        "--retain-personal-data-years",
        metavar="YEARS",
        help="Years (1 to 100) personal data is kept after a person's last relationship "
        "ended or they withdrew, then due for erasure (default: no period).",
    ),
]


@app.command("policy")
def policy(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    cadence: _CadenceOpt,
    participation: _ParticipationOpt,
    minimum_gap: _MinimumGapOpt,
    review_interval_days: _ReviewIntervalOpt,
    minimum_meeting_minutes: _MinimumMinutesOpt,
    max_mentees_per_mentor: Annotated[
        int | None,
        typer.Option(
            "--max-mentees-per-mentor",
            metavar="N",
            help="Most open relationships a mentor may carry at once (default: no limit).",
        ),
    ] = None,
    max_mentors_per_mentee: Annotated[
        int,
        typer.Option(
            "--max-mentors-per-mentee",
            metavar="N",
            help="Most open relationships a mentee may have at once.",
        ),
    ] = 1,
    retain_personal_data_years: _RetentionOpt = None,
    occurred_at: OccurredAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Set (or replace as a whole) the programme's policy."""
    policy = ProgrammePolicy(
        cadence=tuple(cadence),
        minimum_meeting_minutes=minimum_meeting_minutes,
        participation=participation,
        minimum_experience_gap_years=minimum_gap,
        review_interval_days=review_interval_days,
        max_mentees_per_mentor=max_mentees_per_mentor,
        max_active_mentors_per_mentee=max_mentors_per_mentee,
        retain_personal_data_years=retain_personal_data_years,
    )
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.set_policy(
            programme_id,
            policy,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


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
            help="Years of experience in the field (0-80).",
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
    expertise: Annotated[
        list[FocusArea] | None,
        typer.Option(
            "--expertise",
            parser=enum_parser(FocusArea),
            metavar="AREA",
            help=f"A mentor's area of expertise; repeat for more. One of {enum_names(FocusArea)}.",
        ),
    ] = None,
    needs: Annotated[
        list[FocusArea] | None,
        typer.Option(
            "--need",
            parser=enum_parser(FocusArea),
            metavar="AREA",
            help=f"A mentee's development need; repeat for more. One of {enum_names(FocusArea)}.",
        ),
    ] = None,
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
        lambda console: console.print(
            programme_list(rows) if rows else "No programme is recorded in this store yet."
        ),
    )


@app.command("show")
def show(ctx: typer.Context, programme_id: ProgrammeArg, json_output: JsonOpt = False) -> None:
    """Show a programme: policy, participants and relationships."""
    out = Output(json_output)
    with open_service(ctx) as service:
        state = service.programme(programme_id)
    out.emit(lambda: _state_document(state), lambda console: console.print(programme_view(state)))


def _state_document(state: ProgrammeState) -> object:
    return CONVERTER.unstructure(state)
