"""The programme aggregate: its state, its :data:`PROGRAMME` decider, one handler per command
and one fold per event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs

from ._building import builder
from ._collections import find, replace_where
from ._replace import replaced
from .commands import (
    AbandonReminder,
    AppointCoordinator,
    CreateProgramme,
    EnrolParticipant,
    IssueReminder,
    ProgrammeCommand,
    RecordReminderSent,
    RelieveCoordinator,
    SetPolicy,
    UpdateProfile,
    WithdrawParticipant,
)
from .context import DecisionContext, RelationshipRef, event_metadata
from .decider import Added, Changes, Decider, Events, Meta
from .errors import (
    InvalidValue,
    Rule,
    RuleViolation,
    changes_something,
    not_before,
    out_of_time,
)
from .events import (
    CoordinatorAppointed,
    CoordinatorRelieved,
    ParticipantEnrolled,
    ParticipantProfileUpdated,
    ParticipantWithdrawn,
    PolicySet,
    ProgrammeCreated,
    ProgrammeEvent,
    RelationshipOpened,
    ReminderAbandoned,
    ReminderIssued,
    ReminderSent,
)
from .validation import (
    check_aware,
    check_bool,
    check_enum,
    check_int,
    check_label,
    check_new_person_id,
    check_optional_uuid,
    check_sequence,
    check_text,
    check_title,
    check_uuid,
    check_years,
)
from .values import (
    MAX_RETENTION_YEARS,
    Cadence,
    CadenceKind,
    CadenceTier,
    FocusArea,
    Participation,
    ProgrammePolicy,
    RelationshipStatus,
    ReminderReason,
    Role,
)


@attrs.frozen(kw_only=True, weakref_slot=False)
class Participant:
    """A worker's enrolment in a programme."""

    person_id: str
    role: Role
    experience_years: Decimal
    enrolled_at: datetime
    withdrawn_at: datetime | None = None
    display_name: str | None = None
    """The name they are shown by, if given at enrolment (``[erased]`` once erased)."""
    contact: str | None = None
    """How to reach them, if given at enrolment (``[erased]`` once erased)."""
    expertise: tuple[FocusArea, ...] = ()
    """A mentor's areas of expertise, as enrolled."""
    development_needs: tuple[FocusArea, ...] = ()
    """A mentee's development needs, as enrolled or last updated."""
    profile_updated_at: datetime | None = None
    """When the profile was last updated (None if never): it is updated again, and the
    person withdrawn, no earlier."""
    recognised_from: date | None = None
    """The latest first day of a period recognised (``MentorRecognised``) while this
    enrolment lasted (None if none): the person is withdrawn no earlier, by day."""

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


@attrs.frozen(kw_only=True, weakref_slot=False)
class Appointment:
    """A coordinator's appointment."""

    person_id: str
    appointed_at: datetime
    relieved_at: datetime | None = None
    """When they were relieved of it; None while it lasts."""


# The folds build the items through builders, as the relationship's build theirs (see
# relationship_state.py): which is why the items keep no __weakref__ slot.
_new_participant = builder(Participant)
_new_appointment = builder(Appointment)


# Fields in a __dict__, not slots: every command copies its state with changes twice
# (see domain/_replace.py), which a __dict__ allows in two calls.
@attrs.frozen(kw_only=True, slots=False)
class ProgrammeState:
    """A programme as its events so far describe it."""

    programme_id: UUID | None = None
    version: int = 0
    name: str = ""
    organisation: str = ""
    created_at: datetime | None = None
    policy: ProgrammePolicy | None = None
    policy_set_at: datetime | None = None
    """When the policy in force was set: a policy replacing it is dated no earlier."""
    participants: tuple[Participant, ...] = ()
    """Every enrolment, in order; a person enrolled again appears again."""
    relationship_ids: tuple[UUID, ...] = ()
    coordinators: frozenset[str] = frozenset()
    """The person ids of the programme's coordinators now (appointed and not relieved)."""
    appointments: tuple[Appointment, ...] = ()
    """Every appointment of a coordinator, in the order appointed (as ``participants`` keeps
    every enrolment): a coordinator is relieved no earlier than appointed, and appointed
    again no earlier than relieved."""
    reminders_unsent: tuple[ReminderIssued, ...] = ()
    """The reminders issued and not yet recorded as sent, in the order issued."""

    @property
    def exists(self) -> bool:
        return self.version > 0

    def participant(self, person_id: str) -> Participant | None:
        """The person's current (active) enrolment, or None."""
        return find(self.participants, lambda p: p.person_id == person_id and p.active)

    @property
    def minimum_experience_gap_years(self) -> Decimal:
        return Decimal(0) if self.policy is None else self.policy.minimum_experience_gap_years


PROGRAMME: Decider[ProgrammeState] = Decider(
    "programme",
    initial=ProgrammeState(),
    event_type=ProgrammeEvent,
    command_type=ProgrammeCommand,
    id_field="programme_id",
)
"""The programme aggregate: its rules and folds below."""

decide_programme = PROGRAMME.decide
"""The events that record a programme command, or a raised error if it must be refused."""
evolve_programme = PROGRAMME.evolve
"""The state after an event; events are facts, so nothing is checked here."""


def _prepare(
    command: ProgrammeCommand, state: ProgrammeState, ctx: DecisionContext
) -> dict[str, Any]:
    """Creating needs no programme yet; every other command needs the programme it names."""
    if isinstance(command, CreateProgramme):
        if state.exists:
            raise RuleViolation(
                Rule.PROGRAMME_ALREADY_CREATED,
                f"programme id {state.programme_id} is already in use; give another (or "
                "none, for a new one)",
            )
        created = check_uuid("programme_id", command.programme_id)
        return event_metadata(ctx, created, 1, command.occurred_at)
    if not state.exists or state.programme_id is None:
        raise RuleViolation(Rule.PROGRAMME_EXISTS, "the programme has not been created")
    named = check_optional_uuid("programme_id", command.programme_id)
    if named is not None and named != state.programme_id:
        raise InvalidValue("programme_id", named, f"the programme decided on, {state.programme_id}")
    meta = event_metadata(ctx, state.programme_id, state.version + 1, command.occurred_at)
    not_before(
        type(command).__name__,
        meta["occurred_at"],
        state.created_at,
        f"programme {state.name!r} was created",
    )
    if isinstance(command, WithdrawParticipant):
        _check_relationships(state, command.person_id, meta["occurred_at"], ctx)
    if isinstance(command, IssueReminder):
        _check_recipient(command, meta["occurred_at"], ctx)
    return meta


def _check_recipient(command: IssueReminder, at: datetime, ctx: DecisionContext) -> None:
    """A reminder about a relationship goes to its mentor or its mentee, and is dated no
    earlier than the relationship was opened (checked when the service gave the
    relationship, :attr:`DecisionContext.relationships`)."""
    person_id = check_label("person_id", command.person_id)
    for r in ctx.relationships or ():
        if r.relationship_id != command.relationship_id:
            continue
        not_before("IssueReminder", at, r.opened_at, f"relationship {r.relationship_id} was opened")
        if person_id not in (r.mentor_id, r.mentee_id):
            raise RuleViolation(
                Rule.PERSON_IN_RELATIONSHIP,
                f"person_id {person_id!r} is neither the mentor ({r.mentor_id!r}) nor the "
                f"mentee ({r.mentee_id!r}) of relationship {r.relationship_id}, which the "
                "reminder is about",
            )


def _closing(held: Sequence[RelationshipRef]) -> str:
    """What closes the open relationships ``held``: a proposal is declined, an active or
    paused relationship ended."""
    proposed = sum(r.status == RelationshipStatus.PROPOSED for r in held)
    if proposed == len(held):
        return "decline it" if proposed == 1 else "decline them"
    if not proposed:
        return "end it" if len(held) == 1 else "end them"
    return "end the active and paused ones and decline the proposed ones"


def _check_relationships(
    state: ProgrammeState, person_id: object, at: datetime, ctx: DecisionContext
) -> None:
    """Withdrawing someone with open relationships is refused, naming them: each must be
    ended first, with its own reason and explanation (docs/events.md, "Withdrawal"); and
    a withdrawal is not dated while a relationship of theirs, closed since, was open."""
    if ctx.relationships is None or not isinstance(person_id, str):
        return
    if state.participant(person_id) is None:
        return  # refused by the handler as not enrolled
    theirs = [r for r in ctx.relationships if person_id in (r.mentor_id, r.mentee_id)]
    held = [r for r in theirs if r.closed_at is None]
    if held:
        listed = ", ".join(
            f"{r.relationship_id} ({r.status}, {r.mentor_id!r} mentoring {r.mentee_id!r})"
            for r in held
        )
        raise RuleViolation(
            Rule.NO_OPEN_RELATIONSHIPS,
            f"{person_id!r} still has {len(held)} open relationship(s) in programme "
            f"{state.name!r}: {listed}; {_closing(held)} before withdrawing {person_id!r}",
        )
    last = max(theirs, key=lambda r: r.closed_at or at, default=None)
    if last is not None:
        not_before(
            "WithdrawParticipant",
            at,
            last.closed_at,
            f"relationship {last.relationship_id} of {person_id!r} was {last.status}",
        )
    _check_attended(ctx.relationships, person_id, at)


def _check_attended(relationships: Sequence[RelationshipRef], person_id: str, at: datetime) -> None:
    """A withdrawal is dated after every meeting the person attended as an attendee of
    another pair's: an attendee is named only while enrolled, from the enrolment's moment
    to before the withdrawal's (docs/events.md, "Withdrawal")."""
    attended = [
        (a, r.relationship_id)
        for r in relationships
        if (a := r.last_attended.get(person_id)) is not None
    ]
    if not attended:
        return
    last, relationship_id = max(attended, key=lambda item: item[0].held_at)
    if at <= last.held_at:
        held = last.held_at.isoformat()
        raise out_of_time(
            "WithdrawParticipant",
            at,
            f"is not after meeting {last.meeting_id} of relationship {relationship_id}, "
            f"which {person_id!r} attended on {held}",
            f"after {held}",
        )


def _create(command: CreateProgramme, state: ProgrammeState, meta: Meta) -> Events:
    return (
        ProgrammeCreated(
            **meta,
            name=check_title("name", command.name),
            organisation=check_title("organisation", command.organisation),
        ),
    )


def _set_policy(command: SetPolicy, state: ProgrammeState, meta: Meta) -> Events:
    not_before("SetPolicy", meta["occurred_at"], state.policy_set_at, "the policy in force was set")
    policy = check_policy(command.policy)
    if state.policy is not None:
        changes_something("SetPolicy", _policy_values(policy), _policy_values(state.policy))
    return (PolicySet(**meta, policy=policy),)


def _policy_values(policy: ProgrammePolicy) -> dict[str, object]:
    """Each value of ``policy`` by its field's name, its cadence tiers in words."""
    return attrs.asdict(policy, recurse=False) | {
        "cadence": tuple(tier.describe() for tier in policy.cadence)
    }


def _enrol(command: EnrolParticipant, state: ProgrammeState, meta: Meta) -> Events:
    person_id = check_new_person_id("person_id", command.person_id)
    enrolled = state.participant(person_id)
    if enrolled is not None:
        raise RuleViolation(
            Rule.PARTICIPANT_NOT_ALREADY_ENROLLED,
            f"{person_id!r} is already enrolled in programme {state.name!r} as {enrolled.role}",
        )
    ended = [p.withdrawn_at for p in state.participants if p.person_id == person_id]
    not_before(
        type(command).__name__,
        meta["occurred_at"],
        max((at for at in ended if at is not None), default=None),  # none is active now
        f"{person_id!r} was withdrawn",
    )
    role = check_enum("role", command.role, Role)
    return (
        ParticipantEnrolled(
            **meta,
            person_id=person_id,
            role=role,
            experience_years=check_years("experience_years", command.experience_years),
            display_name=_optional_title("display_name", command.display_name),
            contact=_optional_title("contact", command.contact),
            expertise=_focus_areas("expertise", command.expertise, role, Role.MENTOR),
            development_needs=_focus_areas(
                "development_needs", command.development_needs, role, Role.MENTEE
            ),
        ),
    )


def _focus_areas(field: str, values: object, role: Role, held_by: Role) -> tuple[FocusArea, ...]:
    """Distinct focus areas, given only for the role that holds them (expertise for a
    mentor, development needs for a mentee)."""
    items = check_sequence(field, values, allow_empty=True)
    if items and role is not held_by:
        given = ", ".join(map(str, items))
        raise InvalidValue(field, given, f"nothing for a {role} (only a {held_by} has {field})")
    areas = tuple(check_enum(f"{field}[{i}]", v, FocusArea) for i, v in enumerate(items))
    if len(set(areas)) != len(areas):
        raise InvalidValue(field, ", ".join(map(str, areas)), "each focus area at most once")
    return areas


def _optional_title(field: str, value: object) -> str | None:
    """A title (:func:`check_title`), or None (not given)."""
    return None if value is None else check_title(field, value)


def _enrolled_then(
    command: UpdateProfile | WithdrawParticipant, state: ProgrammeState, meta: Meta
) -> Participant:
    """The current enrolment of the person ``command`` names, which must have begun, and
    its profile last been updated, by the command's ``occurred_at``."""
    person_id = check_label("person_id", command.person_id)
    enrolled = state.participant(person_id)
    if enrolled is None:
        raise RuleViolation(
            Rule.PARTICIPANT_ENROLLED, f"{person_id!r} is not enrolled in programme {state.name!r}"
        )
    not_before(
        type(command).__name__,
        meta["occurred_at"],
        enrolled.enrolled_at,
        f"{person_id!r} was enrolled",
    )
    not_before(
        type(command).__name__,
        meta["occurred_at"],
        enrolled.profile_updated_at,
        f"the profile of {person_id!r} was last updated",
    )
    return enrolled


def _update_profile(command: UpdateProfile, state: ProgrammeState, meta: Meta) -> Events:
    enrolled = _enrolled_then(command, state, meta)
    person_id = enrolled.person_id
    if command.expertise is None and command.development_needs is None:
        raise InvalidValue("expertise", None, "the expertise or development needs to record")
    given = {
        field: _focus_areas(field, new, enrolled.role, held_by)
        for field, new, held_by in (
            ("expertise", command.expertise, Role.MENTOR),
            ("development_needs", command.development_needs, Role.MENTEE),
        )
        if new is not None
    }
    now = {"expertise": enrolled.expertise, "development_needs": enrolled.development_needs}
    changes_something(f"UpdateProfile of {person_id!r}", given, now)
    after = now | given
    return (
        ParticipantProfileUpdated(
            **meta,
            person_id=person_id,
            expertise=after["expertise"],
            development_needs=after["development_needs"],
        ),
    )


def _withdraw(command: WithdrawParticipant, state: ProgrammeState, meta: Meta) -> Events:
    enrolled = _enrolled_then(command, state, meta)
    person_id, at, recognised = enrolled.person_id, meta["occurred_at"], enrolled.recognised_from
    if recognised is not None and at.date() < recognised:
        raise out_of_time(
            "WithdrawParticipant",
            at,
            f"is before the period from {recognised} recognised for {person_id!r}",
            f"from {recognised} on",
        )
    return (
        ParticipantWithdrawn(
            **meta, person_id=person_id, reason=check_text("reason", command.reason)
        ),
    )


def _appoint(command: AppointCoordinator, state: ProgrammeState, meta: Meta) -> Events:
    person_id = check_new_person_id("person_id", command.person_id)
    if person_id in state.coordinators:
        raise RuleViolation(
            Rule.COORDINATOR_NOT_ALREADY_APPOINTED,
            f"{person_id!r} is already a coordinator of programme {state.name!r}",
        )
    relieved = [a.relieved_at for a in state.appointments if a.person_id == person_id]
    not_before(
        "AppointCoordinator",
        meta["occurred_at"],
        max((at for at in relieved if at is not None), default=None),  # none lasts now
        f"{person_id!r} was relieved",
    )
    return (CoordinatorAppointed(**meta, person_id=person_id),)


def _relieve(command: RelieveCoordinator, state: ProgrammeState, meta: Meta) -> Events:
    person_id = check_label("person_id", command.person_id)
    if person_id not in state.coordinators:
        now = ", ".join(repr(p) for p in sorted(state.coordinators)) or "nobody"
        raise RuleViolation(
            Rule.COORDINATOR_APPOINTED,
            f"{person_id!r} is not a coordinator of programme {state.name!r} "
            f"(its coordinators: {now})",
        )
    appointed = find(
        state.appointments, lambda a: a.person_id == person_id and a.relieved_at is None
    )
    not_before(
        "RelieveCoordinator",
        meta["occurred_at"],
        None if appointed is None else appointed.appointed_at,
        f"{person_id!r} was appointed",
    )
    return (
        CoordinatorRelieved(
            **meta, person_id=person_id, reason=check_text("reason", command.reason)
        ),
    )


def _issue_reminder(command: IssueReminder, state: ProgrammeState, meta: Meta) -> Events:
    reminder_id = check_uuid("reminder_id", command.reminder_id)
    relationship_id = check_uuid("relationship_id", command.relationship_id)
    if relationship_id not in state.relationship_ids:
        raise RuleViolation(
            Rule.REFERENCE_EXISTS,
            f"relationship {relationship_id} is not in programme {state.name!r}",
        )
    return (
        ReminderIssued(
            **meta,
            reminder_id=reminder_id,
            person_id=check_label("person_id", command.person_id),
            relationship_id=relationship_id,
            reason=check_enum("reason", command.reason, ReminderReason),
            item=check_label("item", command.item),
            due=check_aware("due", command.due),
            channel=check_label("channel", command.channel),
        ),
    )


def _record_reminder_sent(command: RecordReminderSent, state: ProgrammeState, meta: Meta) -> Events:
    issued = _unsent(command, state, meta)
    return (
        ReminderSent(
            **meta,
            reminder_id=issued.reminder_id,
            person_id=issued.person_id,
            after_interruption=check_bool("after_interruption", command.after_interruption),
        ),
    )


def _abandon_reminder(command: AbandonReminder, state: ProgrammeState, meta: Meta) -> Events:
    reason = check_text("reason", command.reason)
    issued = _unsent(command, state, meta)
    return (
        ReminderAbandoned(
            **meta, reminder_id=issued.reminder_id, person_id=issued.person_id, reason=reason
        ),
    )


def _unsent(
    command: RecordReminderSent | AbandonReminder, state: ProgrammeState, meta: Meta
) -> ReminderIssued:
    """The issued reminder ``command`` names, waiting to be sent, and dated before it."""
    reminder_id = check_uuid("reminder_id", command.reminder_id)
    issued = find(state.reminders_unsent, lambda r: r.reminder_id == reminder_id)
    if issued is None:
        raise RuleViolation(
            Rule.REMINDER_ISSUED,
            f"reminder {reminder_id} is not waiting to be sent in {state.name!r}: it was "
            "never issued, or was already recorded as sent or abandoned",
        )
    not_before(
        type(command).__name__,
        meta["occurred_at"],
        issued.occurred_at,
        f"reminder {reminder_id} was issued",
    )
    return issued


def check_cadence(field: str, cadence: object) -> Cadence:
    if not isinstance(cadence, Cadence):
        raise InvalidValue(field, cadence, "a Cadence")
    kind = check_enum(f"{field}.kind", cadence.kind, CadenceKind)
    if kind is CadenceKind.EVERY_N_DAYS:
        check_int(f"{field}.every_days", cadence.every_days, 1, 366)
    elif cadence.every_days is not None:
        raise InvalidValue(
            f"{field}.every_days", cadence.every_days, f"nothing for a {kind} cadence"
        )
    return cadence


def check_policy(policy: object) -> ProgrammePolicy:
    """A policy whose cadence tiers are in increasing age order and end open-ended."""
    if not isinstance(policy, ProgrammePolicy):
        raise InvalidValue("policy", policy, "a ProgrammePolicy")
    tiers = check_sequence("policy.cadence", policy.cadence)
    previous = 0
    for i, tier in enumerate(tiers):
        field = f"policy.cadence[{i}]"
        if not isinstance(tier, CadenceTier):
            raise InvalidValue(field, tier, "a CadenceTier")
        check_cadence(f"{field}.cadence", tier.cadence)
        last = i == len(tiers) - 1
        if last and tier.until_age_days is not None:
            raise InvalidValue(
                f"{field}.until_age_days",
                tier.until_age_days,
                "no end for the last tier, which holds from then on",
            )
        if not last:
            previous = check_int(f"{field}.until_age_days", tier.until_age_days, previous + 1, 3660)
    check_int("policy.minimum_meeting_minutes", policy.minimum_meeting_minutes, 1, 1440)
    check_enum("policy.participation", policy.participation, Participation)
    gap = check_years(
        "policy.minimum_experience_gap_years", policy.minimum_experience_gap_years, 50
    )
    check_int("policy.review_interval_days", policy.review_interval_days, 1, 730)
    for field in ("max_mentees_per_mentor", "max_active_mentors_per_mentee"):
        limit = getattr(policy, field)
        if limit is not None:
            check_int(f"policy.{field}", limit, 1, 1000)
    if policy.retain_personal_data_years is not None:
        check_int(
            "policy.retain_personal_data_years",
            policy.retain_personal_data_years,
            1,
            MAX_RETENTION_YEARS,
        )
    return attrs.evolve(policy, cadence=tuple(policy.cadence), minimum_experience_gap_years=gap)


def _created(state: ProgrammeState, event: ProgrammeCreated) -> Changes:
    return {
        "programme_id": event.aggregate_id,
        "name": event.name,
        "organisation": event.organisation,
        "created_at": event.occurred_at,
    }


def _policy_set(state: ProgrammeState, event: PolicySet) -> Changes:
    return {"policy": event.policy, "policy_set_at": event.occurred_at}


def _enrolled(state: ProgrammeState, event: ParticipantEnrolled) -> Changes:
    participant = _new_participant(
        person_id=event.person_id,
        role=event.role,
        experience_years=event.experience_years,
        enrolled_at=event.occurred_at,
        display_name=event.display_name,
        contact=event.contact,
        expertise=event.expertise,
        development_needs=event.development_needs,
    )
    return {"participants": Added(participant)}


def with_active(state: ProgrammeState, person_id: str, **changes: Any) -> Changes:
    """``changes`` made to the person's active enrolment (none if they have none)."""
    return {
        "participants": replace_where(
            state.participants,
            lambda p: p.person_id == person_id and p.active,
            lambda p: replaced(p, **changes),
        )
    }


def _profile_updated(state: ProgrammeState, event: ParticipantProfileUpdated) -> Changes:
    return with_active(
        state,
        event.person_id,
        expertise=event.expertise,
        development_needs=event.development_needs,
        profile_updated_at=event.occurred_at,
    )


def _withdrawn(state: ProgrammeState, event: ParticipantWithdrawn) -> Changes:
    return with_active(state, event.person_id, withdrawn_at=event.occurred_at)


def _coordinator_appointed(state: ProgrammeState, event: CoordinatorAppointed) -> Changes:
    return {
        "coordinators": Added(event.person_id),
        "appointments": Added(
            _new_appointment(person_id=event.person_id, appointed_at=event.occurred_at)
        ),
    }


def _coordinator_relieved(state: ProgrammeState, event: CoordinatorRelieved) -> Changes:
    person_id = event.person_id
    return {
        "coordinators": state.coordinators - {person_id},
        "appointments": replace_where(
            state.appointments,
            lambda a: a.person_id == person_id and a.relieved_at is None,
            lambda a: replaced(a, relieved_at=event.occurred_at),
        ),
    }


def _relationship_opened(state: ProgrammeState, event: RelationshipOpened) -> Changes:
    return {"relationship_ids": Added(event.relationship_id)}


def _reminder_issued(state: ProgrammeState, event: ReminderIssued) -> Changes:
    return {"reminders_unsent": Added(event)}


def _no_longer_waiting(state: ProgrammeState, event: ReminderSent | ReminderAbandoned) -> Changes:
    """A reminder sent or abandoned: no longer waiting to be sent."""
    unsent = tuple(r for r in state.reminders_unsent if r.reminder_id != event.reminder_id)
    return {"reminders_unsent": unsent}


PROGRAMME.handles(
    {
        CreateProgramme: _create,
        SetPolicy: _set_policy,
        EnrolParticipant: _enrol,
        UpdateProfile: _update_profile,
        WithdrawParticipant: _withdraw,
        AppointCoordinator: _appoint,
        RelieveCoordinator: _relieve,
        IssueReminder: _issue_reminder,
        RecordReminderSent: _record_reminder_sent,
        AbandonReminder: _abandon_reminder,
    },
    prepare=_prepare,
)
PROGRAMME.folds(
    {
        ProgrammeCreated: _created,
        PolicySet: _policy_set,
        ParticipantEnrolled: _enrolled,
        ParticipantProfileUpdated: _profile_updated,
        ParticipantWithdrawn: _withdrawn,
        RelationshipOpened: _relationship_opened,
        CoordinatorAppointed: _coordinator_appointed,
        CoordinatorRelieved: _coordinator_relieved,
        ReminderIssued: _reminder_issued,
        ReminderSent: _no_longer_waiting,
        ReminderAbandoned: _no_longer_waiting,
    }
)
