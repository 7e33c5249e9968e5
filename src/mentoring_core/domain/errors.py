"""Every error mentoring-core raises, in one module.

Each error carries the values a caller needs to act on it as attributes, and
its message names them too, so a log line alone is enough to understand what
went wrong.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import attrs

SHOWN_MAX = 80
"""The most characters of a value a message shows (a longer one is cut, ending "...")."""


def shown(value: object) -> str:
    """``value`` as an error message shows it, as a user would have written it: a text
    quoted (as ``repr`` quotes it, so that a hidden character shows), an enumeration member
    by its value, a date, time or moment in ISO 8601, a tuple's items joined by ", "
    (values given together, such as a period's first and last days), a list's items
    likewise between brackets (an empty tuple or list is ``nothing``), an attrs instance
    (a command, a policy, a report's facts) by its type's name, anything else as ``str``
    gives it (a UUID, a Decimal, a number); cut to :data:`SHOWN_MAX` characters. The
    command line shows the values of its refusals by the same rule."""
    try:
        text = _whole(value, 0)
    except ValueError:  # an int of more digits than str gives (4,300)
        text = "a value too long to show"
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 3] + "..."


def _whole(value: object, depth: int) -> str:
    match value:
        case enum.Enum():  # before str: a StrEnum's member is a str too
            return str(value.value)
        case str():
            return repr(value)
        case datetime() | date() | time():
            return value.isoformat()
        case tuple() | list() if not value:
            return "nothing"
        case tuple() | list() if depth > 8:  # deeper than a message shows (or inside itself)
            return "..."
        case tuple():
            return _joined(value, depth + 1)
        case list():
            return f"[{_joined(value, depth + 1)}]"
        case _ if attrs.has(type(value)):
            return f"a {type(value).__name__}"
    return str(value)


def _joined(items: tuple[object, ...] | list[object], depth: int) -> str:
    """The items shown, joined by ", ": only as many as the message can show."""
    parts: list[str] = []
    length = 0
    for item in items:
        if length > SHOWN_MAX:
            parts.append("...")
            break
        parts.append(_whole(item, depth))
        length += len(parts[-1]) + 2
    return ", ".join(parts)


class MentoringError(Exception):
    """Base class of every error raised by mentoring-core."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole (to cross from a worker process: a replay's, a process pool of
        the program embedding the library): rebuilt from its arguments and attributes, not
        by calling ``__init__`` again with its message alone, which most errors' signatures
        refuse."""
        return _unpickled, (type(self), self.args), self.__dict__


def _unpickled(cls: type[MentoringError], args: tuple[Any, ...]) -> MentoringError:
    """An error of ``cls`` with ``args``, its ``__init__`` not called (its attributes are
    set next, from the pickle)."""
    error = cls.__new__(cls, *args)
    error.args = args
    return error


class InvalidValue(MentoringError, ValueError):
    """A command field holds a value the domain does not accept.

    The message names ``field``, the value as a user wrote it (:func:`shown`) and what is
    expected; ``value`` is the value as given. Nothing is recorded when this is raised.
    """

    def __init__(self, field: str, value: Any, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"invalid {field}: {shown(value)}; expected {expected}")


class Rule(enum.StrEnum):
    """The named domain rules that a command can break."""

    PROGRAMME_EXISTS = "programme-exists"
    PROGRAMME_ALREADY_CREATED = "programme-already-created"
    PARTICIPANT_ENROLLED = "participant-enrolled"
    PARTICIPANT_NOT_ALREADY_ENROLLED = "participant-not-already-enrolled"
    COORDINATOR_APPOINTED = "coordinator-appointed"
    """Only a coordinator of the programme can be relieved of the role."""
    COORDINATOR_NOT_ALREADY_APPOINTED = "coordinator-not-already-appointed"
    """Someone already a coordinator of the programme is not appointed again."""
    MENTOR_AND_MENTEE_DIFFER = "mentor-and-mentee-differ"
    PARTICIPANT_ROLE = "participant-role"
    EXPERIENCE_GAP = "experience-gap"
    RELATIONSHIP_ALREADY_STARTED = "relationship-already-started"
    PAIRING_PENDING = "pairing-pending"
    RELATIONSHIP_ACTIVE = "relationship-active"
    RELATIONSHIP_ENDED = "relationship-ended"
    NO_MEETINGS_WHILE_PAUSED = "no-meetings-while-paused"
    RELATIONSHIP_PAUSED = "relationship-paused"
    RELATIONSHIP_NOT_PAUSED = "relationship-not-paused"
    GOAL_EXISTS_AND_OPEN = "goal-exists-and-open"
    UNIQUE_ID = "unique-id"
    REFERENCE_EXISTS = "reference-exists"
    ACTIVITY_OPEN = "activity-open"
    MILESTONE_OPEN = "milestone-open"
    SCHEDULE_AGREED = "schedule-agreed"
    CORRECTION_TARGET = "correction-target"
    PERSON_IN_RELATIONSHIP = "person-in-relationship"
    """A person named in a relationship event must be its mentor or mentee."""
    ENDING_ROLE = "ending-role"
    """Who records an ending must fit its reason (the programme's ending is not a participant's)."""
    PAIR_ALREADY_OPEN = "pair-already-open"
    """The same mentor and mentee cannot have two open relationships."""
    MENTOR_CAPACITY = "mentor-capacity"
    """A mentor carries no more open relationships than the policy's max_mentees_per_mentor."""
    MENTEE_MENTORS = "mentee-mentors"
    """A mentee has no more open relationships than max_active_mentors_per_mentee."""
    NO_OPEN_RELATIONSHIPS = "no-open-relationships"
    """A participant is withdrawn only once their relationships in the programme are closed."""
    GROUP_SESSION = "group-session"
    """A group session names relationships of one programme and one mentor."""
    MENTOR_ENROLLED = "mentor-enrolled"
    """Only someone enrolled in the programme as a mentor (now or before) is recognised as one."""
    TIMELINE = "timeline"
    """A fact dated outside the period in which it is possible (see ``docs/events.md``)."""
    REMINDER_ISSUED = "reminder-issued"
    """Only an issued reminder, not yet recorded as sent, is recorded as sent (a reminder
    issued, or recorded as sent, again under its id is answered as already recorded)."""
    CHANGES_SOMETHING = "changes-something"
    """A revision, change or correction of something recorded changes at least one of its
    values: one giving each value as already recorded would record a change that is none."""


class RuleViolation(MentoringError):
    """A command breaks a domain rule given the current state.

    ``rule`` says which rule (a :class:`Rule`), ``detail`` the values involved.
    Nothing is recorded when this is raised.
    """

    def __init__(self, rule: Rule, detail: str) -> None:
        self.rule = rule
        self.detail = detail
        super().__init__(f"rule '{rule}' broken: {detail}")


def out_of_time(what: str, at: datetime, conflict: str, window: str) -> RuleViolation:
    """The refusal of a fact dated outside its window (:attr:`Rule.TIMELINE`): the fact, its
    date, the fact it conflicts with and the window in which it would be accepted."""
    return RuleViolation(
        Rule.TIMELINE, f"{what} dated {at.isoformat()} {conflict}; allowed {window}"
    )


def not_before(what: str, at: datetime, earliest: datetime | None, fact: str) -> None:
    """Refuse ``what``, dated ``at``, if it is before ``fact``, which happened at
    ``earliest`` (nothing to check if None); the very moment of ``fact`` is allowed."""
    if earliest is not None and at < earliest:
        raise out_of_time(
            what,
            at,
            f"is before {fact} on {earliest.isoformat()}",
            f"from {earliest.isoformat()} on",
        )


def changes_something(
    what: str, given: Mapping[str, object], recorded: Mapping[str, object]
) -> None:
    """Refuse ``what`` (:attr:`Rule.CHANGES_SOMETHING`) if each value it gives, by name in
    ``given``, is the one ``recorded`` under that name: it would record a change that is
    none. The message names each value given but those that are None (a limit not set)."""
    if all(recorded[name] == value for name, value in given.items()):
        values = ", ".join(
            f"{name} {shown(value)}" for name, value in given.items() if value is not None
        )
        detail = f"{what} changes nothing: it gives {values}, as already recorded"
        raise RuleViolation(Rule.CHANGES_SOMETHING, detail)


class NotFound(MentoringError, LookupError):
    """No programme or relationship is recorded under this id."""

    def __init__(self, kind: str, aggregate_id: UUID) -> None:
        self.kind = kind
        self.aggregate_id = aggregate_id
        super().__init__(f"no {kind} with id {aggregate_id} is recorded")


class NotAllowed(MentoringError):
    """The principal a command is executed for may not record it: the authorisation
    policy (:func:`mentoring_core.authorisation.may`) refused it, asked on the states the
    command was decided on.

    ``reason`` (the message) names the rule, the principal and the role they hold (or
    that they hold none); ``conceal``: they hold no role in the programme or relationship,
    so answer as if it were not recorded (HTTP 404) and keep ``reason`` for the logs.
    Nothing is recorded when this is raised.
    """

    def __init__(self, reason: str, *, conceal: bool) -> None:
        self.reason = reason
        self.conceal = conceal
        super().__init__(reason)


class UnknownPerson(MentoringError, LookupError):
    """No programme of the store names this person (enrolled or appointed, at any time)
    or holds personal data of theirs: there is no one to erase. Or, for subject access,
    no event names them or was recorded by them and no key of theirs is held: an empty
    document would say nothing is held about someone whose id may be mistyped. ``why``
    says which was looked for."""

    def __init__(
        self,
        person_id: str,
        why: str = "no programme of this store ever enrolled them or appointed them a "
        "coordinator, nor holds personal data of theirs",
    ) -> None:
        self.person_id = person_id
        super().__init__(f"no person {person_id!r} is recorded: {why}")


class ConcurrencyConflict(MentoringError):
    """Another writer recorded events on the same aggregate first.

    The command was not recorded; load the current state and decide again.
    """

    def __init__(
        self,
        kind: str,
        aggregate_id: UUID,
        expected_version: int,
        actual_version: int | None,
        *,
        read: bool = False,
        decided: bool = False,
    ) -> None:
        self.kind = kind
        self.aggregate_id = aggregate_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        self.read = read
        """Whether the aggregate that moved on is one the decision read, not the one it
        writes (a withdrawal reads the programme's relationships)."""
        self.decided = decided
        """Whether the command was decided on ``expected_version`` and the store refused
        what it decided (another writer stored first), rather than refused before any
        decision because the caller's expected version was not the stored one."""
        now = "unknown" if actual_version is None else str(actual_version)
        if read:
            expected = f"the decision read it at version {expected_version}"
        elif decided:
            expected = f"the command was decided on version {expected_version}"
        else:
            expected = f"the command expected version {expected_version}"
        super().__init__(
            f"conflict on {kind} {aggregate_id}: {expected} but the stored history is now "
            f"at version {now}; nothing was recorded, reload and retry"
        )


class ErasureUnfinished(MentoringError):
    """A person's erasure is recorded, but the store failed to destroy their data key: their
    personal data stays readable until erasing them again destroys it."""

    def __init__(self, person_id: str, command_id: UUID | None, reason: str) -> None:
        self.person_id = person_id
        self.command_id = command_id
        self.reason = reason
        again = "" if command_id is None else f" with command id {command_id}"
        super().__init__(
            f"the erasure of {person_id!r} is recorded, but their key was not destroyed "
            f"({reason}): their personal data stays readable until it is; erase them "
            f"again{again}, which destroys the key and records nothing again"
        )


class StoredEventError(MentoringError):
    """A stored record cannot be read back as one of this library's events."""

    def __init__(self, aggregate_id: object, version: int, topic: str, reason: str) -> None:
        self.aggregate_id = aggregate_id
        self.version = version
        self.topic = topic
        self.reason = reason
        super().__init__(
            f"stored event {topic!r} of aggregate {aggregate_id} at version {version} "
            f"cannot be read: {reason}"
        )


class ReadModelError(MentoringError):
    """A read model cannot be brought up to date without losing or repeating an event."""


class StoreConfigurationError(MentoringError, ValueError):
    """A store URL or its options are wrong, or the store's adapter is not installed."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting
        """The setting at fault, for a caller to name its own option: ``"cipher_key_file"``
        or ``"key_store_file"`` (the file, or its absence), else None (the store's URL or
        one of its options)."""
