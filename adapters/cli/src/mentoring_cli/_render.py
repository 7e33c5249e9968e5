"""Rich views of programmes, relationships and histories, for people at a terminal.

Times are shown in the local time zone with their offset (the store keeps UTC);
machine-readable output is the ``--json`` of each command, never this text.
Rich is imported inside the functions, so that ``--json`` runs never load it.
"""

from __future__ import annotations

import enum
import functools
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

import attrs

from mentoring_core import Event
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    GoalProgress,
    GoalStatus,
    MeetingOutcome,
    MeetingSchedule,
    ProgrammePolicy,
    Rating,
    StakeholderFeedback,
)

if TYPE_CHECKING:  # rich is imported only when something is shown to people, and the
    # matching and reports packages only by the commands that use them
    from rich.console import Console, RenderableType
    from rich.table import Table

    from mentoring_core.matching import MentorSuggestion
    from mentoring_core.reports import DueItem
    from mentoring_core.state import ProgrammeState, RelationshipState

BASE_FIELDS = frozenset(a.name for a in attrs.fields(Event))
TEXT_WIDTH = 70
_UNBOUNDED = 1_000_000
"""A width no row of a table reaches: the table is measured at it."""


def when(moment: datetime | None) -> str:
    """A moment in local time with its offset, to the minute (in UTC, said once on stderr,
    when the local zone's offset is one Python cannot hold: ``TZ=UTC+24``)."""
    if moment is None:
        return "-"
    try:
        local = moment.astimezone()
    except ValueError:  # "offset must be a timedelta strictly between" +-24 hours
        _unusable_zone()
        local = moment.astimezone(UTC)
    return local.isoformat(sep=" ", timespec="minutes")


def due_when(kind: str, due: datetime) -> str:
    """When an item (a ``DueKind`` value) is due, in a cell: the day it falls due on (it
    falls due at that day's end, UTC, the moment ``due`` holds, whose local time may fall
    on the next day or read as one); another moment in local time (:func:`when`)."""
    from mentoring_core.reports import dated_day

    day = dated_day(kind, due)
    return when(due) if day is None else day.isoformat()


@functools.cache
def _unusable_zone() -> None:
    sys.stderr.write(
        "warning: the local time zone's offset is a day or more, which cannot be shown; "
        "times are shown in UTC\n"
    )


def describe(value: object, clip: bool = True) -> str:
    """A compact, one-line rendering of any event field value; long texts clipped if ``clip``."""
    match value:
        case None:
            return "-"
        case enum.Enum():
            return str(value.value)
        case datetime():
            return when(value)
        case date() | UUID() | Decimal() | int():
            return str(value)
        case str():
            text = " ".join(value.split())
            return _clip(text) if clip else text
        case tuple() | list():
            return "; ".join(describe(v, clip) for v in value) or "-"
        case Cadence():
            return value.describe()
        case CadenceTier():
            until = value.until_age_days
            return value.cadence.describe() + ("" if until is None else f" until day {until}")
        case MeetingSchedule():
            hours = "in working hours" if value.in_working_hours else "outside working hours"
            return (
                f"{value.cadence.describe()}, {value.duration_minutes} min, "
                f"{value.format.value}, {hours}"
            )
        case ProgrammePolicy():
            return (
                f"{describe(value.cadence)}; meetings of at least "
                f"{value.minimum_meeting_minutes} min; {value.participation.value}; mentor at "
                f"least {value.minimum_experience_gap_years} years more experienced; progress "
                f"reviewed every {value.review_interval_days} days"
            )
        case Rating():
            return f"{value.focus_area.value}={value.score}"
        case GoalProgress():
            return f"{value.goal_id}={value.status.value}"
        case StakeholderFeedback():
            return f"{value.source}: {describe(value.text, clip)}"
    cls = type(value)
    if attrs.has(cls):
        return ", ".join(f"{a.name}={describe(getattr(value, a.name))}" for a in attrs.fields(cls))
    return _clip(str(value))


def add_texts(table: Table, *cells: str) -> None:
    """Add a row of texts shown as written, however the table is printed: Rich would read
    a stored ``[erased]`` (or any ``[word]``) in a plain string as markup, and drop it."""
    from rich.text import Text

    table.add_row(*(Text(cell) for cell in cells))


def keep_whole(table: Table, *headers: str) -> Table:
    """``table``, its columns ``headers`` showing their values whole: never cut to ``…``,
    split or wrapped (ids, person ids, contacts, statuses: values copied into another
    command, or read as one). Its other columns wrap, a word too long folded, not cut.
    Print it with :func:`print_whole`, which leaves room for the whole values."""
    from rich.cells import cell_len
    from rich.text import Text

    for column in table.columns:
        if column.header in headers:
            values = [cell.plain if isinstance(cell, Text) else str(cell) for cell in column.cells]
            column.no_wrap = True
            column.min_width = max(map(cell_len, [str(column.header), *values]))
        else:
            column.overflow = "fold"
    return table


def print_whole(console: Console, renderable: RenderableType) -> None:
    """Print ``renderable`` (holding tables made by :func:`keep_whole`, or whose columns
    fold, as ``history``'s) with every value whole: piped (not a terminal), each row on
    one line (each line of a cell), however wide, for ``grep``; on a terminal at its
    width, or wider when the whole values need more (the terminal then wraps the lines),
    never leaving out a column."""
    from rich.measure import Measurement

    needed = Measurement.get(console, console.options.update_width(_UNBOUNDED), renderable)
    width = console.width
    console.width = max(width, needed.minimum if console.is_terminal else needed.maximum)
    try:
        console.print(renderable, markup=False)
    finally:
        console.width = width


def _clip(text: str, width: int = TEXT_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def event_details(event: Event) -> str:
    """The fields particular to an event's type, one per line."""
    lines = [
        f"{a.name}: {describe(getattr(event, a.name), clip=False)}"
        for a in attrs.fields(type(event))
        if a.name not in BASE_FIELDS
    ]
    return "\n".join(lines)


def history_table(aggregate_id: UUID, events: Sequence[Event]) -> Table:
    from rich.table import Table

    table = Table(title=f"History of {aggregate_id}", title_justify="left", show_lines=True)
    table.add_column("v", justify="right")
    for column in ("event", "occurred", "recorded", "actor", "details"):
        table.add_column(column, overflow="fold")
    for e in events:
        add_texts(
            table,
            str(e.version),
            type(e).__name__,
            when(e.occurred_at),
            when(e.recorded_at),
            e.actor,
            event_details(e),
        )
    return table


def programme_list(programmes: Sequence[ProgrammeState]) -> Table:
    from rich.table import Table

    table = Table(title="Programmes", title_justify="left")
    table.add_column("id", no_wrap=True)
    for column in ("name", "organisation"):
        table.add_column(column, overflow="fold")
    table.add_column("created", no_wrap=True)
    for column in ("participants", "relationships"):
        table.add_column(column, justify="right", no_wrap=True)
    for state in programmes:
        add_texts(
            table,
            str(state.programme_id),
            state.name,
            state.organisation,
            "" if state.created_at is None else when(state.created_at)[:10],
            str(sum(1 for p in state.participants if p.active)),
            str(len(state.relationship_ids)),
        )
    return table


def _facts(rows: Iterable[tuple[str, str]]) -> Table:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for key, value in rows:
        add_texts(grid, key, value)
    return grid


def programme_view(state: ProgrammeState) -> RenderableType:
    from rich.console import Group
    from rich.table import Table

    facts = _facts(
        [
            ("programme", str(state.programme_id)),
            ("name", state.name),
            ("organisation", state.organisation),
            ("created", when(state.created_at)),
            ("policy", describe(state.policy) if state.policy else "not set"),
            ("coordinators", ", ".join(sorted(state.coordinators)) or "none appointed"),
            ("version", str(state.version)),
        ]
    )
    people = Table(title="Participants", title_justify="left")
    columns = (
        "person",
        "name",
        "contact",
        "role",
        "experience (years)",
        "expertise / needs",
        "enrolled",
        "withdrawn",
    )
    for column in columns:
        people.add_column(column)
    for p in state.participants:
        add_texts(
            people,
            p.person_id,
            p.display_name or "",
            p.contact or "",
            p.role.value,
            str(p.experience_years),
            ", ".join(p.expertise or p.development_needs),
            when(p.enrolled_at),
            when(p.withdrawn_at) if p.withdrawn_at else "",
        )
    keep_whole(people, "person", "contact", "role")
    relationships = _facts(
        (f"relationship {i}", str(r)) for i, r in enumerate(state.relationship_ids, start=1)
    )
    return Group(facts, people, relationships)


def suggestion_table(suggestions: Sequence[MentorSuggestion]) -> Table:
    """Mentor suggestions, best first, each with the figures and words of its rank: the
    mentor ids (given to ``pair form --mentor``) and figures whole, the words wrapped."""
    from rich.table import Table

    table = Table()
    whole = ("rank", "mentor", "needs covered", "gap (years)", "open mentees")
    for column in (*whole, "why"):
        table.add_column(column)
    for s in suggestions:
        add_texts(
            table,
            str(s.rank),
            s.mentor_id,
            f"{len(s.covered_needs)}/{s.needs}",
            str(s.experience_gap_years),
            str(s.open_mentees) if s.capacity is None else f"{s.open_mentees}/{s.capacity}",
            s.explanation,
        )
    return keep_whole(table, *whole)


def meeting_counts(state: RelationshipState) -> dict[str, int]:
    """How many meetings were held, missed and cancelled."""
    counts = {outcome.value: 0 for outcome in MeetingOutcome}
    for meeting in state.meetings:
        counts[meeting.outcome.value] += 1
    return counts


def due_text(item: DueItem | None) -> str:
    """The next thing due, in a cell: ``OVERDUE`` first when it is."""
    if item is None:
        return ""
    flag = "OVERDUE " if item.overdue else ""
    return f"{flag}{item.kind.value} {due_when(item.kind, item.due)}"


_MEETING_COUNTS = ("achieved", "held", "missed", "cancelled")


def relationship_list(
    states: Sequence[RelationshipState], next_due: Mapping[UUID, DueItem]
) -> Table:
    from rich.box import SIMPLE
    from rich.table import Table

    table = Table(title="Relationships", title_justify="left", box=SIMPLE, pad_edge=False)
    names, numbers = ("id", "mentor", "mentee", "status", "formed"), _MEETING_COUNTS
    for column in names:
        table.add_column(column)
    for column in numbers:
        table.add_column(column, justify="right")
    table.add_column("next due")
    for s in states:
        achieved = sum(1 for g in s.goals if g.status is GoalStatus.ACHIEVED)
        counts = meeting_counts(s)
        add_texts(
            table,
            str(s.relationship_id),
            s.mentor_id,
            s.mentee_id,
            s.status.value,
            when(s.formed_at)[:10],
            f"{achieved}/{len(s.goals)}",
            str(counts["held"]),
            str(counts["missed"]),
            str(counts["cancelled"]),
            due_text(next_due.get(s.relationship_id) if s.relationship_id else None),
        )
    return keep_whole(table, *names, *numbers)


def due_table(items: Sequence[DueItem]) -> Table:
    """What is due, most urgent first (``mentoring due``)."""
    from rich.box import SIMPLE
    from rich.table import Table

    table = Table(title="Due", title_justify="left", box=SIMPLE, pad_edge=False)
    for column in ("due", "", "kind", "what", "mentor", "mentee", "relationship"):
        table.add_column(column, no_wrap=column != "what")
    for item in items:
        add_texts(
            table,
            due_when(item.kind, item.due),
            "OVERDUE" if item.overdue else "",
            item.kind.value,
            item.what,
            item.mentor_id,
            item.mentee_id,
            str(item.relationship_id),
        )
    return table


def goals_table(state: RelationshipState, title: str = "Goals") -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("goal", no_wrap=True)
    for column in ("title", "focus area", "target", "status"):
        table.add_column(column, overflow="fold")
    for g in state.goals:
        add_texts(
            table, str(g.goal_id), g.title, g.focus_area.value, str(g.target_date), g.status.value
        )
    return table


def relationship_view(state: RelationshipState) -> RenderableType:
    from rich.console import Group

    counts = meeting_counts(state)
    held_minutes = sum(m.duration_minutes or 0 for m in state.meetings)
    in_sessions = sum(m.group_session_id is not None for m in state.meetings)
    outside = sum(m.in_working_hours is False for m in state.meetings)
    rows = [
        ("relationship", str(state.relationship_id)),
        ("programme", str(state.programme_id)),
        ("status", state.status.value),
        ("mentor", f"{state.mentor_id} ({state.mentor_experience_years} years)"),
        ("mentee", f"{state.mentee_id} ({state.mentee_experience_years} years)"),
        ("proposed", when(state.proposed_at)),
        ("formed", when(state.formed_at)),
        ("schedule", describe(state.schedule) if state.schedule else "not agreed"),
        ("expectations", describe(state.expectations)),
        (
            "meetings",
            f"{counts['held']} held ({held_minutes} min; {in_sessions} in group sessions, "
            f"{outside} outside working hours), {counts['missed']} missed, "
            f"{counts['cancelled']} cancelled",
        ),
        ("plan", f"{sum(1 for a in state.plan if a.completed_at)}/{len(state.plan)} done"),
        (
            "milestones",
            f"{sum(1 for m in state.milestones if m.reached_at)}/{len(state.milestones)} reached",
        ),
        ("feedback", str(len(state.feedback))),
        ("reflections", str(len(state.reflections))),
        ("evaluations", str(len(state.evaluations))),
        ("version", str(state.version)),
    ]
    if state.gap_override_reason:
        rows.append(("gap override", state.gap_override_reason))
    if state.paused_at:
        rows.append(("paused since", when(state.paused_at)))
    if state.declined:
        d = state.declined
        rows.append(("declined", f"by {d.declined_by} ({d.reason.value}): {d.explanation}"))
    if state.ended:
        ended = state.ended
        rows.append(
            ("ended", f"{when(ended.ended_at)} ({ended.reason.value}): {ended.explanation}")
        )
    if not state.goals:
        return _facts(rows)
    return Group(_facts(rows), goals_table(state))
