"""``mentoring due`` and the next due item in ``pair list`` / ``pair show`` (issue 14,
item 1): the same items as ``mentoring_core.projections.due``, from the real command."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

from cli_harness import Cli
from store_state import PROGRAMME, RELATIONSHIP, seed

from mentoring_core import MentoringService
from mentoring_core.extend import CONVERTER
from mentoring_core.projections import due
from mentoring_core.values import (
    Cadence,
    CadenceKind,
    FocusArea,
    MeetingFormat,
    MeetingSchedule,
    ReminderReason,
    Role,
)


def _cli(tmp_path: Path) -> Cli:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    seed(url)
    return Cli(url, tmp_path)


def test_due_lists_what_the_library_lists_most_urgent_first(tmp_path: Path) -> None:
    cli = _cli(tmp_path)
    listed = cli.ok("due", "--within", "30")["due"]
    with MentoringService(cli.store_url) as service:
        expected = due(service, within_days=30)
    assert listed, "the seeded relationship has something due"
    # the command judges by its own clock, a moment later: the same items, in order
    assert [(i["kind"], i["what"], i["overdue"]) for i in listed] == [
        (i.kind.value, i.what, i.overdue) for i in expected
    ]
    assert listed == [CONVERTER.unstructure(i) for i in expected]


def test_due_for_a_stranger_is_empty_and_a_bad_window_is_a_usage_error(tmp_path: Path) -> None:
    cli = _cli(tmp_path)
    assert cli.ok("due", "--person", "nobody.here")["due"] == []
    refused = cli.run("due", "--within", "-1")
    assert refused.code == 2 and "--within" in refused.stderr


def test_pair_list_and_show_carry_the_most_urgent_item(tmp_path: Path) -> None:
    cli = _cli(tmp_path)
    with MentoringService(cli.store_url) as service:
        first = due(service, programme_id=PROGRAMME, within_days=3660)[0]
    assert first.relationship_id == RELATIONSHIP
    listed = cli.ok("pair", "list", str(PROGRAMME))["relationships"]
    row = next(r for r in listed if UUID(r["relationship_id"]) == RELATIONSHIP)
    assert row["next_due"] == CONVERTER.unstructure(first)
    shown = cli.ok("pair", "show", str(RELATIONSHIP))
    assert shown["next_due"] == CONVERTER.unstructure(first)
    text = cli.run("pair", "show", str(RELATIONSHIP)).stdout
    assert f"next due: {'OVERDUE ' if first.overdue else ''}{first.kind.value}" in text


def test_an_item_is_shown_on_the_day_it_falls_due_in_any_zone(tmp_path: Path) -> None:
    """A goal, plan activity or milestone set for 5 February falls due at the end of that
    day (UTC): 6 February 00:00 UTC, which ``due``, ``pair show`` and ``reminders list``
    showed as ``2025-02-06 00:00+00:00`` in London and ``2025-02-06 14:00+14:00`` at
    Kiritimati, a day nobody set. They show the day set; a meeting, due by the end of the
    day a week after the pairing, on that day too (the JSON keeps the moment)."""
    cli = Cli(f"sqlite:///{tmp_path / 'store.db'}", tmp_path, actor="coord")
    with MentoringService(cli.store_url) as service:
        at = datetime(2025, 1, 2, 9, tzinfo=UTC)
        programme = service.create_programme("P", "Org", actor="coord", occurred_at=at).id
        for person, role in (("ana", Role.MENTOR), ("ben", Role.MENTEE)):
            service.enrol(programme, person, role, 9 if person == "ana" else 1,
                          actor="coord", occurred_at=at)  # fmt: skip
        pair = service.form_pair(programme, "ana", "ben", actor="coord", occurred_at=at).id
        service.agree_schedule(pair, MeetingSchedule(
            cadence=Cadence(kind=CadenceKind.WEEKLY), duration_minutes=60,
            format=MeetingFormat.ONE_ON_ONE), actor="coord", occurred_at=at)  # fmt: skip
        service.set_goal(pair, "Chair a conference", FocusArea.COMMUNICATION, "Chairs one",
                         date(2025, 2, 5), actor="coord", occurred_at=at)  # fmt: skip
        service.add_plan_activity(pair, "Observe one", date(2025, 2, 5), actor="coord",
                                  occurred_at=at)  # fmt: skip
        service.issue_reminder(programme, UUID(int=7), "ana", pair, ReminderReason.OVERDUE,
                               "goal", datetime(2025, 2, 6, tzinfo=UTC), "email",
                               actor="coord")  # fmt: skip
    meeting_due = datetime(2025, 1, 10, tzinfo=UTC)  # by the end of 9 January
    for zone in ("Pacific/Kiritimati", "America/New_York", "Europe/London"):
        env = {"TZ": zone}
        rows = cli.run("due", env=env).stdout.splitlines()
        dated = [r for r in rows if "Chair a conference" in r or "Observe one" in r]
        assert len(dated) == 2 and all(r.split()[0] == "2025-02-05" for r in dated), rows
        assert "2025-02-06" not in "\n".join(rows)
        (weekly,) = (r for r in rows if " weekly " in r)
        assert weekly.split()[0] == "2025-01-09", (zone, weekly)
        listed = cli.run("reminders", "list", str(programme), env=env).stdout
        assert " goal " in listed and "2025-02-05" in listed and "2025-02-06" not in listed
    items = cli.ok("due")["due"]
    assert {i["due"] for i in items if i["kind"] != "meeting" and i["kind"] != "review"} == {
        "2025-02-06T00:00:00+00:00"
    }
    assert meeting_due.isoformat() in {i["due"] for i in items}
