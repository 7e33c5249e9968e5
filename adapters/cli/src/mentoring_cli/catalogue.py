"""The event catalogue, ``docs/events.md``, generated from the event classes.

Run ``python -m mentoring_cli.catalogue > docs/events.md`` after changing an
event class; ``adapters/cli/tests/test_cli_docs.py`` fails while the file and
the code disagree. Each event's meaning is its class docstring, each field's
meaning the docstring written under it in the source, each field's personal
data kind comes from :func:`mentoring_core.events.personal_fields`, and which command
records each event from :data:`RECORDED_BY` (checked against the CLI and the
service by the same tests).
"""

from __future__ import annotations

import ast
import enum
import inspect
import itertools
import sys
import textwrap
import types
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Union, get_args, get_origin, get_type_hints
from uuid import UUID

import attrs

from mentoring_core import Event
from mentoring_core.events import personal_fields, personal_owners
from mentoring_core.extend import KINDS
from mentoring_core.privacy import RELATIONSHIP_MENTEE

RECORDED_BY: dict[str, tuple[tuple[str, str], ...]] = {
    "ProgrammeCreated": (("programme create", "create_programme"),),
    "PolicySet": (("programme policy", "set_policy"),),
    "ParticipantEnrolled": (("programme enrol", "enrol"),),
    "ParticipantWithdrawn": (("programme withdraw", "withdraw"),),
    "PersonalDataErased": (("privacy erase", "erase_person"),),
    "CoordinatorAppointed": (("programme appoint", "appoint_coordinator"),),
    "CoordinatorRelieved": (("programme relieve", "relieve_coordinator"),),
    "ParticipantProfileUpdated": (("programme profile", "update_profile"),),
    "MentorRecognised": (("mentor recognise", "recognise_mentor"),),
    "ReminderIssued": (("reminders run", "issue_reminder"),),
    "ReminderSent": (("reminders run", "record_reminder_sent"),),
    "ReminderAbandoned": (("reminders abandon", "abandon_reminder"),),
    "RelationshipOpened": (("pair propose", "propose_pairing"), ("pair form", "form_pair")),
    "PairingProposed": (("pair propose", "propose_pairing"),),
    "PairingAccepted": (("pair accept", "accept_pairing"),),
    "PairingDeclined": (("pair decline", "decline_pairing"),),
    "PairFormed": (("pair form", "form_pair"),),
    "ExpectationsAgreed": (("expectations agree", "agree_expectations"),),
    "GoalSet": (("goal set", "set_goal"),),
    "GoalRevised": (("goal revise", "revise_goal"),),
    "GoalAchieved": (("goal achieve", "achieve_goal"),),
    "GoalAbandoned": (("goal abandon", "abandon_goal"),),
    "PlanActivityAdded": (("plan add", "add_plan_activity"),),
    "PlanActivityCompleted": (("plan complete", "complete_plan_activity"),),
    "MilestoneSet": (("milestone set", "set_milestone"),),
    "MilestoneReached": (("milestone reach", "reach_milestone"),),
    "ScheduleAgreed": (("schedule agree", "agree_schedule"),),
    "ScheduleChanged": (("schedule change", "change_schedule"),),
    "MeetingHeld": (
        ("meeting held", "record_meeting_held"),
        ("meeting group", "record_group_session"),
    ),
    "MeetingMissed": (("meeting missed", "record_meeting_missed"),),
    "MeetingCancelled": (("meeting cancelled", "record_meeting_cancelled"),),
    "MeetingRecordCorrected": (
        ("meeting correct", "correct_meeting_record"),
        ("meeting group-correct", "correct_group_session"),
    ),
    "FeedbackGiven": (("feedback give", "give_feedback"),),
    "ReflectionRecorded": (("reflection record", "record_reflection"),),
    "ProgressEvaluated": (("evaluation record", "evaluate_progress"),),
    "RelationshipPaused": (("pair pause", "pause"),),
    "RelationshipResumed": (("pair resume", "resume"),),
    "RelationshipEnded": (("pair end", "end"),),
}
"""Which ``mentoring`` command, and which MentoringService method, records each event type."""

_SCALARS: dict[type, str] = {
    str: "text",
    int: "integer",
    bool: "boolean",
    Decimal: "decimal (a string in JSON)",
    UUID: "UUID",
    datetime: "datetime (ISO 8601 with offset)",
    date: "date (ISO 8601)",
}


def field_docs(cls: type) -> dict[str, str]:
    """The docstrings written under the fields of ``cls`` and its bases, by field name."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not attrs.has(klass):
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
        for statement, following in itertools.pairwise(body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[statement.target.id] = " ".join(following.value.value.split())
    return docs


def _anchor(cls: type) -> str:
    return f"[{cls.__name__}](#{cls.__name__.lower()})"


def type_text(tp: Any) -> str:
    """A field's type in words, linking enumerations and value types to their section."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        inner = " or ".join(type_text(a) for a in args)
        return f"{inner}, optional" if len(args) < len(get_args(tp)) else inner
    if origin is tuple:
        return f"list of {type_text(get_args(tp)[0])}"
    if isinstance(tp, type) and (issubclass(tp, enum.Enum) or attrs.has(tp)):
        return _anchor(tp)
    if tp in _SCALARS:
        return _SCALARS[tp]
    return str(tp)


def _referenced(tp: Any) -> Iterator[type]:
    """The enumerations and value types a field type mentions, nested ones included."""
    if get_origin(tp) is not None:
        for arg in get_args(tp):
            yield from _referenced(arg)
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        yield tp
    elif isinstance(tp, type) and attrs.has(tp):
        yield tp
        for hint in get_type_hints(tp).values():
            yield from _referenced(hint)


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def fields_table(cls: type, *, skip: frozenset[str] = frozenset()) -> list[str]:
    """A Markdown table of the fields of ``cls`` (less ``skip``)."""
    hints = get_type_hints(cls)
    docs = field_docs(cls)
    personal = personal_fields(cls)
    owners = personal_owners(cls)
    rows = [
        "| field | type | personal data | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for a in attrs.fields(cls):
        if a.name in skip:
            continue
        kind = personal.get(a.name)
        marked = "no" if kind is None else f"yes ({kind.value}, {_owner(owners[a.name])})"
        rows.append(
            f"| `{a.name}` | {type_text(hints[a.name])} | {marked} | "
            f"{_escape(docs.get(a.name, ''))} |"
        )
    return rows


def _owner(owner: str) -> str:
    return "the mentee's" if owner == RELATIONSHIP_MENTEE else f"`{owner}`'s"


def _doc(cls: type) -> str:
    return " ".join(inspect.cleandoc(cls.__doc__ or "").split())


RULES = (
    "## Rules a new fact must keep",
    "",
    "A command is refused (`RuleViolation`, nothing recorded; on the command line one",
    "line and exit status 1) when the fact it records could not be true given the",
    "history already recorded. The rule is named in the error (`Rule` member in",
    "brackets).",
    "",
    "### Timeline (`timeline`)",
    "",
    "Every fact is dated (`occurred_at`) inside the period in which it is possible; the",
    "refusal names the fact, its date, the fact it conflicts with and the window in which",
    "it would be accepted. The edges are included: a fact may be dated at the very moment",
    "of the fact that bounds it.",
    "",
    "- Every fact of a programme after its creation (a policy, an enrolment, a profile",
    "  update, a withdrawal, a coordinator appointed or relieved, a reminder, a mentor's",
    "  recognition) is dated no earlier than the programme was created.",
    "- A profile update or a withdrawal is dated no earlier than the person's current",
    "  enrolment and its latest profile update; a person withdrawn is enrolled again no",
    "  earlier than the withdrawal.",
    "- A reminder is issued no earlier than the relationship it is about was opened (the",
    "  service reads that relationship to decide), and recorded as sent no earlier than",
    "  it was issued.",
    "- A pair is proposed or formed no earlier than the programme was created and both",
    "  people were enrolled.",
    "- A proposal is accepted or declined no earlier than it was proposed.",
    "- Every other relationship fact is dated no earlier than the pair was formed.",
    "- A meeting (held, missed or cancelled) is dated outside every pause: a pause covers",
    "  the time strictly between its start and its resumption (or the end), so a meeting",
    "  may be dated at the very moment of either. While the relationship is paused, a",
    "  meeting dated before the pause began may still be recorded (a late record);",
    "  one dated after it is refused with `no-meetings-while-paused`.",
    "- Feedback about a meeting is dated no earlier than that meeting. It may be given",
    "  during a pause: only the meeting itself needed an active relationship.",
    "- A pause begins no earlier than the latest recorded meeting and the end of the",
    "  previous pause; a relationship resumes no earlier than its pause began.",
    "- An ending is dated no earlier than any fact already recorded (every event, meetings",
    "  at their corrected dates), so no recorded fact falls after the end.",
    "- A fact naming a goal (a plan activity or milestone for it, feedback about it, a",
    "  progress evaluation judging it) is dated no earlier than the goal was set.",
    "- Work is planned toward a goal while it is open: a plan activity or milestone for",
    "  a goal is dated no later than the goal was achieved or abandoned (a closed goal is",
    "  not reopened; set a new one), and a goal is achieved or abandoned no earlier than",
    "  the latest plan activity or milestone for it. What happened after the closing",
    "  stays recordable: an activity or milestone planned before it is completed or",
    "  reached after it, feedback and progress evaluations may name a closed goal, and",
    "  each of these may be recorded late.",
    "- A goal is revised, achieved or abandoned no earlier than it was set and last",
    "  revised; a plan activity is completed no earlier than it was added, a milestone",
    "  reached no earlier than it was set.",
    "- A schedule is changed no earlier than it was agreed or last changed, expectations",
    "  are agreed again no earlier than those in force were agreed; a policy",
    "  replaces the one in force no earlier than that one was set; a coordinator is",
    "  relieved no earlier than appointed, and appointed again no earlier than relieved.",
    "- A correction (`MeetingRecordCorrected`) that moves a meeting (`held_at`) is held to",
    "  the rules of a new meeting: after formation, outside pauses, not after the end, its",
    "  attendees enrolled at the new date (`participant-enrolled`); and not after feedback",
    "  already given about that meeting. A correction is dated no",
    "  earlier than the meeting it corrects, at its recorded date and at its new one.",
    "",
    "**What may be recorded late, after the end.** Only corrections of meeting records,",
    "as before these rules. A reflection, a progress evaluation or feedback written after",
    "the last session must be recorded before the ending is recorded (it may be dated up",
    "to the moment of the ending, which is then dated no earlier). Reason: the ending is",
    "what an auditor signs off as the close of the record; a history that keeps growing",
    "after it cannot be reviewed once, and reports (reviews done, reflections per month)",
    "would change for a relationship already counted as closed. A correction is",
    "different: it repairs a record made during the relationship, names the event it",
    "corrects, and cannot move a meeting after the end.",
    "",
    "### Participants (`person-in-relationship`, `participant-enrolled`, `ending-role`)",
    "",
    "- Who accepted or declined a proposal (`accepted_by`, `declined_by`), who missed a",
    "  meeting (`missed_by`), who gave and who received feedback (`from_person`,",
    "  `to_person`) must be the relationship's mentor or mentee. Feedback goes from one",
    "  to the other (a self-assessment is a reflection); what people outside the pair said",
    "  belongs in a progress evaluation's stakeholder feedback.",
    "- A reminder (`ReminderIssued`) goes to the mentor or the mentee of the relationship",
    "  it is about (`person_id`); the service reads that relationship to decide.",
    "- `cancelled_by` is not checked: a coordinator or a facilitator may cancel a session.",
    "- Meeting attendees (`attendees`, named in group sessions) must be the mentor, the",
    "  mentee or someone actively enrolled in the relationship's programme; the service",
    "  reads the programme's enrolments to decide; a new meeting names each of them once.",
    "- An ending records its `reason`; the `actor` recording it must fit: the programme's",
    "  ending (`cancelled_by_programme`) is recorded by someone who is not a participant",
    "  (a coordinator), a mentor's withdrawal not by the mentee, a mentee's withdrawal not",
    "  by the mentor. Any other reason may be recorded by either participant or a",
    "  coordinator.",
    "",
    "### Capacity and duplicates (`pair-already-open`, `mentor-capacity`, `mentee-mentors`)",
    "",
    "Checked when a pair is proposed or formed, against the programme's open",
    "relationships (proposed, active or paused; a pending proposal reserves its place),",
    "and against those that were still open at the pairing's date (ended or declined",
    "after it): a pairing dated back inside an earlier relationship would be open",
    "alongside it. The limits are those of the policy in force now.",
    "",
    "- The same mentor and mentee cannot have two open relationships; they may be paired",
    "  again once the first is declined or ended.",
    "- A mentor carries at most the policy's `max_mentees_per_mentor` open relationships",
    "  (default: no limit, so that programmes where mentors carry several mentees keep",
    "  working; a programme sets one in its policy).",
    "- A mentee has at most `max_active_mentors_per_mentee` open relationships (default",
    "  1: a second mentor at once is refused unless the programme allows it).",
    "- There is no per-pairing override: a programme that needs more raises the limit",
    "  with a new policy (`PolicySet`), itself a recorded fact with its actor.",
    "  A programme without a policy has no limits (duplicates are still refused).",
    "- Policies recorded before the limits existed (`PolicySet` class version 2) are read",
    "  with no limits: a stored policy keeps meaning what it meant. Likewise those recorded",
    "  before the retention period (class version 3 and earlier) set none",
    "  (`retain_personal_data_years` is null; see docs/privacy.md, Retention).",
    "",
    "### Expertise, needs and suggestions",
    "",
    "An enrolment records a mentor's `expertise` and a mentee's `development_needs`,",
    "distinct focus areas; the other role's field stays empty (giving it is refused).",
    "`PairFormed` and `PairingProposed` record `suggestion_rank`, the chosen mentor's",
    "place in the ranking of `suggest_mentors` for the mentee when the pairing was",
    'decided (docs/cli.md, "Matching"), and `suggestion_override_reason` if given.',
    "Enrolments recorded before class version 4 read back with neither field (empty);",
    "openings recorded before class version 3 with `suggestion_rank` null.",
    "",
    "### Withdrawal (`no-open-relationships`)",
    "",
    "Withdrawing a participant (`ParticipantWithdrawn`) who still has open relationships",
    "in the programme (proposed, active or paused) is refused, naming each of them. End",
    "them first (`withdrawn_by_mentee`, `withdrawn_by_mentor`, `rematched`...; for someone",
    "who left the organisation, `left_organisation`, which the compliance report's retention",
    "counts apart), and decline a proposal, then withdraw; the refusal says which to do.",
    "Why refuse rather than end them in the same decision:",
    "an ending carries its own reason and explanation and follows the ending rules above,",
    "which a programme command cannot choose for every pair at once; and a refusal keeps",
    "each history whole (a relationship never ends by a fact recorded elsewhere). Reports",
    "agree by construction: a withdrawn participant has no relationship still counted as",
    "open, so none shows as overdue. For the same reason a withdrawal is dated no earlier",
    "than the end (or the declining) of each of the person's relationships in the",
    "programme (`timeline`): dated back, it would fall while one was still open. Nor is",
    "it dated at or before a meeting the person attended as an attendee of another pair",
    "(`timeline`, naming the meeting, its relationship and its date, as corrected): an",
    "attendee is named only while enrolled, so the meeting would have them attend",
    "withdrawn. The service finds such meetings without reading every relationship whole:",
    "each relationship keeps a bound no meeting with attendees is later than",
    "(`attended_until`, in the state snapshots hold), and only those whose bound reaches",
    "the withdrawal's date are read whole.",
    "",
    "### Coordinators (`coordinator-not-already-appointed`, `coordinator-appointed`)",
    "",
    "A programme records its coordinators (`CoordinatorAppointed`, `CoordinatorRelieved`;",
    "`ProgrammeState.coordinators`). Someone already a coordinator is not appointed again,",
    "and only a coordinator is relieved; the refusal names the person, the programme and",
    "its coordinators. A coordinator need not be enrolled: coordinating is not mentoring.",
    "Who may record what is not a rule of the history but of access: the authorisation",
    "policy (`mentoring_core.authorisation`, the table in `docs/http.md`) decides it",
    "before a command reaches the service.",
    "",
    "### Group sessions and working hours (`group-session`)",
    "",
    "A group session (`mentoring meeting group`) is recorded once, by one command in one",
    "transaction, as a `MeetingHeld` of format `group` on every relationship present, all",
    "with its `group_session_id`; each meeting's `attendees` are the other mentees present.",
    "It names at least two relationships, each once, all of the programme and all of the",
    "named mentor (`group-session`), and each must admit a meeting then (its own rules:",
    "active, not paused, within its timeline; a refusal names the relationship and its",
    "mentee); its meeting id in each relationship is",
    "derived from the session's id, so the same session is not recorded twice",
    "(`unique-id`). Each held meeting records `in_working_hours`: as given, else as the",
    "schedule in force when it was held says, however late it is recorded (in working",
    "hours before any schedule; a group session: unless the schedule then of a",
    "relationship present says not); a correction keeps the flag recorded. Meetings",
    "recorded before class version 3 carry neither: read as the schedule in force then,",
    "and no group session.",
    "",
    "A group session is corrected the same way, once for every relationship present",
    "(`mentoring meeting group-correct`, `CorrectGroupSession`): a `MeetingRecordCorrected`",
    "on each, in one transaction, each held to its relationship's rules. Every relationship",
    "of the session must be named, and only those (`group-session`). A correction of one",
    "of its meetings alone (`meeting correct`) is refused (`group-session`): the session's",
    "meetings would then disagree on its time, length or topics.",
    "",
    "### Recognition of mentors' time (`mentor-enrolled`)",
    "",
    "`MentorRecognised` names someone enrolled in the programme as a mentor (now or",
    "before); an `allowance` states its `amount`, `time_in_lieu` its `hours` (each at most",
    "two decimals), and no other kind states either; the period's last day is not before",
    "its first, and the whole period lies within one of the person's enrolments as a",
    "mentor up to the recognition's date, by day, from the day enrolled to the day",
    "withdrawn or the recognition's (`timeline`, naming those enrolments): a recognition",
    "is of time already given, not of time before the mentor joined, after they left or",
    "still to come, and it is not dated before the enrolment. In the other order, a",
    "mentor is withdrawn no earlier, by day, than the first day of a period recognised",
    "while the enrolment lasted (`timeline`). The same recognition (kind, period,",
    "quantity) may be recorded twice: a second payment is a fact of its own, and a retry",
    "of one command is recorded once by its command id.",
    "",
    "### Reminders (`reminder-issued`)",
    "",
    "Reminders are recorded on the programme, as its reminder log: `ReminderIssued` before",
    "a reminder is sent, `ReminderSent` once its channel accepted it (`mentoring reminders",
    'run`; `docs/cli.md`, "Reminders"). A reminder\'s id is derived from the person, the',
    "reason and the due item, and is issued once and marked sent once: each is recorded",
    "under a command id made from the reminder's id (`reminder_command_id`), so a second",
    "`ReminderIssued` or `ReminderSent` for an id is answered as already recorded and",
    "nothing is stored again; a `ReminderSent` for a reminder not waiting to be sent (never",
    "issued, or already marked) is refused (`reminder-issued`). The programme's state keeps",
    "the reminders not yet marked sent (`ProgrammeState.reminders_unsent`), not every id",
    "ever issued, which would grow with every reminder. A reminder names only ids,",
    "the reason, the kind of item and its date, never a goal's title or a contact: the",
    "message is built from these fields, so a reminder sent again is the same message.",
    "Participants read their own reminders only (a programme fact about someone else).",
    "",
    "### Private entries",
    "",
    "Feedback and reflections may be recorded `private` (`FeedbackGiven.private`,",
    "`ReflectionRecorded.private`): private to the pair (feedback's author is one of",
    "them). The history keeps them like any fact; readers that apply the authorisation",
    "policy (`redact`, `may_read_event`) withhold them from the programme's coordinators;",
    "administrators and auditors read everything. No compliance report counts them or",
    "their scores, whoever reads it (`docs/reports.md`). Entries recorded before class",
    "version 3 are read as not private.",
    "",
    "### Events recorded before these rules",
    "",
    "The rules apply to new commands only. Events are facts: stored histories that break",
    "a rule (for example a meeting dated inside a pause, recorded by an earlier release)",
    "still load, fold, report, export and verify unchanged; folding never validates. A",
    "command on such a relationship is checked against the history as recorded.",
    "Snapshots taken by an earlier release are derived data and are passed over (the",
    "state is folded from the events again, and the next command recorded on the",
    "aggregate takes a new one).",
    "",
)
"""The rules text of the catalogue (docs/events.md): what a new fact must keep."""


def _event_section(cls: type, base: frozenset[str], referenced: dict[type, None]) -> list[str]:
    """One event type's section; the value types its fields use are added to ``referenced``."""
    name = cls.__name__
    recorded_by = (
        ", ".join(
            f"`mentoring {command}` (`MentoringService.{method}`)"
            for command, method in RECORDED_BY.get(name, ())
        )
        or "`MentoringService.execute` (no command of its own yet)"
    )
    lines = [f"### {name}", "", _doc(cls), "", f"Recorded by: {recorded_by}.", ""]
    if getattr(cls, "class_version", 1) != 1:
        lines += [f"Class version: {getattr(cls, 'class_version', 1)}.", ""]
    own = [a for a in attrs.fields(cls) if a.name not in base]
    if own:
        lines += [*fields_table(cls, skip=base), ""]
    else:
        lines += ["No fields besides those of every event.", ""]
    hints = get_type_hints(cls)
    for a in own:
        referenced.update(dict.fromkeys(_referenced(hints[a.name])))
    return lines


def render() -> str:
    """The whole catalogue, as Markdown."""
    base = frozenset(a.name for a in attrs.fields(Event))
    lines = [
        "# Event catalogue",
        "",
        "<!-- Generated by `python -m mentoring_cli.catalogue > docs/events.md` from the event",
        "     classes in mentoring_core; do not edit by hand. adapters/cli/tests/test_cli_docs.py",
        "     fails while this file and the code disagree. -->",
        "",
        "Every fact mentoring-core records is one of the events below. Events are never",
        "changed or deleted; a correction is a new event. In JSON (`mentoring history ID",
        "--json`, `mentoring_core.event_to_dict`) every field appears under its name;",
        "`mentoring history` adds the event's `type`.",
        "",
        "*Personal data* marks the fields that may hold personal data about people, by kind",
        "(`name`, `free_text`, `contact`), as `mentoring_core.events.personal_fields` reports",
        "them, and whose data it is: the person named by a field of the event, or the",
        "relationship's mentee (`mentoring_core.events.personal_owners`). Each is stored",
        "sealed under that person's key, in place of its value:",
        '`{"$personal": 1, "key": "<person id>", "nonce": ..., "ciphertext": ...}`; once the',
        "person's data is erased it reads as `[erased]` (see [privacy.md](privacy.md)).",
        "Person ids are pseudonymous keys and are not marked.",
        "",
        "## Fields of every event",
        "",
        *fields_table(Event),
        "",
        *RULES,
    ]
    referenced: dict[type, None] = {}
    for kind in KINDS:
        lines += [f"## {kind.name.capitalize()} events", ""]
        for cls in kind.event_types:
            lines += _event_section(cls, base, referenced)
    values = [t for t in referenced if attrs.has(t)]
    enums = [t for t in referenced if not attrs.has(t)]
    lines += ["## Value types", ""]
    for value_type in values:
        lines += [f"### {value_type.__name__}", "", _doc(value_type), "", *fields_table(value_type)]
        lines.append("")
    lines += ["## Enumerations", "", "Given by name on the command line, case-insensitive.", ""]
    for enum_type in sorted(enums, key=lambda t: t.__name__):
        assert issubclass(enum_type, enum.Enum)
        names = ", ".join(f"`{m.value}`" for m in enum_type)
        lines += [f"### {enum_type.__name__}", "", _doc(enum_type), "", f"Values: {names}.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    """Print the catalogue on stdout."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
