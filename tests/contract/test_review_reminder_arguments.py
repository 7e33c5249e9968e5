"""``remind`` and ``follow_reminders`` check their numbers before anything runs.

``remind(quiet_days=...)`` was not checked: -30 made every pair quiet at once (their
"quiet" reminders due before they last met), 10**10 ended in an OverflowError, True and
2.5 were taken for 1 and 2.5 days. ``within_days`` was checked only once the run had sent
again what an earlier run left unsent. ``follow_reminders(interval=0)`` (or a negative
or NaN interval) ran the reminders again without a pause until stopped. Now each is
:class:`InvalidValue` naming the argument and the value, and nothing is recorded or sent.
"""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.reminders import follow_reminders, remind

from .test_reminders import Inbox, reminder_events
from .test_service_contract import seed


@pytest.mark.parametrize("quiet_days", [-30, 0, 10**10, True, 2.5, "7"])
def test_quiet_days_outside_the_rule_is_refused_before_anything_runs(
    quiet_days: object,
) -> None:
    service = MentoringService("memory://")
    programme = seed(service).programme
    inbox = Inbox()
    with pytest.raises(InvalidValue, match=r"invalid quiet_days: .*; expected a whole number"):
        remind(service, inbox, programme_id=programme, actor="r", quiet_days=quiet_days)  # type: ignore[arg-type]
    assert inbox.received == [] and reminder_events(service, programme) == []


def test_within_days_outside_the_rule_is_refused_before_a_reminder_is_sent_again() -> None:
    service = MentoringService("memory://")
    programme = seed(service).programme
    remind(service, Inbox(refuse=True), programme_id=programme, actor="r")  # left unsent
    recorded = reminder_events(service, programme)
    inbox = Inbox()
    with pytest.raises(InvalidValue, match=r"invalid within_days: -1; expected a whole number"):
        remind(service, inbox, programme_id=programme, actor="r", within_days=-1)
    assert inbox.received == [] and reminder_events(service, programme) == recorded


@pytest.mark.parametrize(
    "now", [datetime(2026, 6, 1, 12), date(2026, 6, 1), "2026-06-01T12:00Z"], ids=str
)
def test_a_now_that_is_not_an_aware_moment_is_refused_before_a_reminder_is_sent_again(
    now: object,
) -> None:
    """A naive ``now`` was checked only by ``due``, once the run had sent again what an
    earlier run left unsent: the reminders went out, then the run failed."""
    service = MentoringService("memory://")
    programme = seed(service).programme
    remind(service, Inbox(refuse=True), programme_id=programme, actor="r")  # left unsent
    recorded = reminder_events(service, programme)
    assert recorded, "the seeded programme owes a reminder"
    inbox = Inbox()
    with pytest.raises(InvalidValue) as refused:
        remind(service, inbox, programme_id=programme, actor="r", now=now)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("now", now)
    assert inbox.received == [] and reminder_events(service, programme) == recorded


@pytest.mark.parametrize("actor", ["", " reminders", "remind\u200bers", 7])
def test_an_actor_no_event_could_record_is_refused_before_a_reminder_is_sent_again(
    actor: object,
) -> None:
    """The actor was checked only when the run recorded something: a reminder an earlier
    run left unsent went out again before the refusal, and so on every run."""
    service = MentoringService("memory://")
    programme = seed(service).programme
    remind(service, Inbox(refuse=True), programme_id=programme, actor="r")  # left unsent
    recorded = reminder_events(service, programme)
    inbox = Inbox()
    with pytest.raises(InvalidValue) as refused:
        remind(service, inbox, programme_id=programme, actor=actor)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == ("actor", actor)
    assert inbox.received == [] and reminder_events(service, programme) == recorded


@pytest.mark.parametrize("interval", [0, -1.0, float("nan"), float("inf"), True, "60"])
def test_an_interval_that_is_not_a_pause_is_refused(interval: object) -> None:
    service = MentoringService("memory://")
    programme = seed(service).programme
    stop = threading.Event()
    timer = threading.Timer(2.0, stop.set)  # ends a follow that does not refuse
    timer.start()
    try:
        with pytest.raises(
            InvalidValue, match=r"invalid interval: .*; expected a finite number of seconds above 0"
        ):
            follow_reminders(
                service,
                Inbox(),
                programme_id=programme,
                actor="r",
                stop=stop,
                interval=interval,  # type: ignore[arg-type]
            )
    finally:
        timer.cancel()
    assert reminder_events(service, programme) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("within_days", -1), ("quiet_days", 0), ("actor", " r"), ("interval", 0)],
)
def test_follow_checks_every_argument_even_when_stopped_before_it_starts(
    name: str, value: object
) -> None:
    """A follow given a ``stop`` already set returned without a word, whatever its
    arguments: a script whose stop came early never learnt they were wrong."""
    service = MentoringService("memory://")
    programme = seed(service).programme
    stop = threading.Event()
    stop.set()
    arguments: dict[str, object] = {"actor": "r", name: value}
    with pytest.raises(InvalidValue) as refused:
        follow_reminders(service, Inbox(), programme_id=programme, stop=stop, **arguments)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == (name, value)
