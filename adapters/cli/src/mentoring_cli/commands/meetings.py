"""``mentoring schedule`` and ``meeting``: the agreed rhythm, and what became of each meeting."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer

from mentoring_core.values import Cadence, MeetingFormat, MeetingSchedule

from .._options import (
    CommandIdOpt,
    ExpectedVersionOpt,
    JsonOpt,
    ProgrammeArg,
    RelationshipArg,
    id_argument,
    new_id_option,
    number_option,
    when_option,
)
from .._parsing import (
    CADENCE_FORMS,
    WholeNumber,
    enum_names,
    enum_parser,
    parse_cadence,
    parse_moment,
    parse_uuid,
)
from .._session import new_id, record

schedule_app = typer.Typer(no_args_is_help=True)
meeting_app = typer.Typer(no_args_is_help=True)

CadenceOpt = Annotated[
    Cadence,
    typer.Option(
        "--cadence", parser=parse_cadence, metavar="CADENCE", help=f"One of {CADENCE_FORMS}."
    ),
]
DurationOpt = Annotated[
    int,
    number_option("--duration", WholeNumber(), "MINUTES", "In minutes."),
]
FORMAT_HELP = f"One of {enum_names(MeetingFormat)}."
FormatOpt = Annotated[
    MeetingFormat,
    typer.Option("--format", parser=enum_parser(MeetingFormat), metavar="NAME", help=FORMAT_HELP),
]
OutsideHoursOpt = Annotated[
    bool,
    typer.Option(
        "--outside-working-hours", help="Meetings are held outside working hours (default: in)."
    ),
]
WorkingHoursOpt = Annotated[
    bool | None,
    typer.Option(
        "--in-working-hours/--outside-working-hours",
        help="Whether it was held in paid working hours (default: as the schedule in force "
        "says; in working hours without a schedule).",
        show_default=False,
    ),
]
TopicOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic", metavar="TEXT", help="A topic discussed; repeat for each.", show_default=False
    ),
]
MeetingIdOpt = Annotated[UUID | None, new_id_option("meeting")]
ByOpt = Annotated[str, typer.Option("--by", help="Person id of who missed or cancelled it.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why.")]
DueAtOpt = Annotated[datetime | None, when_option("When the meeting was due")]


@schedule_app.command("agree")
def agree(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    cadence: CadenceOpt,
    duration: DurationOpt,
    format: FormatOpt,
    outside_working_hours: OutsideHoursOpt = False,
    occurred_at: Annotated[datetime | None, when_option("When it was agreed")] = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Agree the pair's first meeting schedule."""
    schedule = MeetingSchedule(
        cadence=cadence,
        duration_minutes=duration,
        format=format,
        in_working_hours=not outside_working_hours,
    )
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.agree_schedule(
            relationship_id,
            schedule,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@schedule_app.command("change")
def change(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    cadence: CadenceOpt,
    duration: DurationOpt,
    format: FormatOpt,
    reason: Annotated[str, typer.Option("--reason", help="Why the schedule changes.")],
    outside_working_hours: OutsideHoursOpt = False,
    occurred_at: Annotated[datetime | None, when_option("When it was changed")] = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Replace the agreed meeting schedule."""
    schedule = MeetingSchedule(
        cadence=cadence,
        duration_minutes=duration,
        format=format,
        in_working_hours=not outside_working_hours,
    )
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.change_schedule(
            relationship_id,
            schedule,
            reason,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )


@meeting_app.command("held")
def held(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    duration: DurationOpt,
    format: FormatOpt,
    topic: TopicOpt = None,
    attendee: Annotated[
        list[str] | None,
        typer.Option(
            "--attendee",
            metavar="PERSON",
            help="Person id of someone present besides the pair (group sessions); repeat.",
            show_default=False,
        ),
    ] = None,
    working_hours: WorkingHoursOpt = None,
    meeting_id: MeetingIdOpt = None,
    occurred_at: Annotated[datetime | None, when_option("When the meeting started")] = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record a meeting that took place; prints its id."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.record_meeting_held(
            relationship_id,
            duration,
            format,
            topic or (),
            attendees=attendee or (),
            in_working_hours=working_hours,
            meeting_id=meeting_id or new_id(command_id, "meeting"),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="meeting",
    )


_MentorOpt = Annotated[str, typer.Option("--mentor", help="The mentor who led the session.")]
_PairsOpt = Annotated[
    list[UUID],
    typer.Option(
        "--pair",
        parser=parse_uuid,
        metavar="RELATIONSHIP_ID",
        help="A relationship present (its mentee attended); repeat, at least two.",
    ),
]
_ReasonOpt = Annotated[str, typer.Option("--reason", help="What was wrong.")]
_HeldAtOpt = Annotated[
    datetime | None,
    typer.Option(
        "--held-at", parser=parse_moment, metavar="WHEN", help="The corrected start time."
    ),
]
_CorrectedDurationOpt = Annotated[
    int | None,
    number_option("--duration", WholeNumber(), "MINUTES", "The corrected duration."),
]
_CorrectedTopicsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        metavar="TEXT",
        help="The corrected topics (replace all); repeat.",
        show_default=False,
    ),
]
_FoundAtOpt = Annotated[datetime | None, when_option("When the mistake was found")]


@meeting_app.command("group")
def group(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    mentor: _MentorOpt,
    pair: _PairsOpt,
    duration: DurationOpt,
    topic: TopicOpt = None,
    working_hours: WorkingHoursOpt = None,
    session_id: Annotated[UUID | None, new_id_option("group session")] = None,
    occurred_at: Annotated[datetime | None, when_option("When the session started")] = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record a group session once, as a meeting of every relationship present; prints its id.

    Default working hours: in, unless the schedule in force of a relationship present says not.
    """
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.record_group_session(
            programme_id,
            mentor,
            pair,
            duration,
            topic or (),
            in_working_hours=working_hours,
            session_id=session_id or new_id(command_id, "session"),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
        ),
        created="session",
    )


@meeting_app.command("group-correct")
def group_correct(
    ctx: typer.Context,
    programme_id: ProgrammeArg,
    session_id: Annotated[UUID, id_argument("SESSION_ID", "The group session's id.")],
    mentor: _MentorOpt,
    pair: _PairsOpt,
    reason: _ReasonOpt,
    held_at: _HeldAtOpt = None,
    duration: _CorrectedDurationOpt = None,
    topic: _CorrectedTopicsOpt = None,
    occurred_at: _FoundAtOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Correct a group session's record on every relationship present at once (name them
    all); the original events stay in the history. A meeting of a session is not
    corrected alone: that would split the session."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.correct_group_session(
            programme_id,
            session_id,
            mentor,
            pair,
            reason,
            held_at=held_at,
            duration_minutes=duration,
            topics=topic,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
        ),
    )


@meeting_app.command("missed")
def missed(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    by: ByOpt,
    reason: ReasonOpt,
    meeting_id: MeetingIdOpt = None,
    occurred_at: DueAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record a meeting that did not happen and was not called off beforehand."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.record_meeting_missed(
            relationship_id,
            by,
            reason,
            meeting_id=meeting_id or new_id(command_id, "meeting"),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="meeting",
    )


@meeting_app.command("cancelled")
def cancelled(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    by: ByOpt,
    reason: ReasonOpt,
    meeting_id: MeetingIdOpt = None,
    occurred_at: DueAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Record a meeting called off beforehand."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.record_meeting_cancelled(
            relationship_id,
            by,
            reason,
            meeting_id=meeting_id or new_id(command_id, "meeting"),
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
        created="meeting",
    )


@meeting_app.command("correct")
def correct(
    ctx: typer.Context,
    relationship_id: RelationshipArg,
    meeting_id: Annotated[UUID, id_argument("MEETING_ID", "The held meeting's id.")],
    reason: _ReasonOpt,
    held_at: _HeldAtOpt = None,
    duration: _CorrectedDurationOpt = None,
    format: Annotated[
        MeetingFormat | None,
        typer.Option(
            "--format", parser=enum_parser(MeetingFormat), metavar="NAME", help=FORMAT_HELP
        ),
    ] = None,
    topic: _CorrectedTopicsOpt = None,
    occurred_at: _FoundAtOpt = None,
    expected_version: ExpectedVersionOpt = None,
    command_id: CommandIdOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Correct a held meeting's record; the original event stays in the history."""
    record(
        ctx,
        json_output,
        command_id,
        lambda s, actor, command_id: s.correct_meeting_record(
            relationship_id,
            meeting_id,
            reason,
            held_at=held_at,
            duration_minutes=duration,
            format=format,
            topics=topic or None,
            actor=actor,
            command_id=command_id,
            occurred_at=occurred_at,
            expected_version=expected_version,
        ),
    )
