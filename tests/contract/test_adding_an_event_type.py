"""The recipe of ``docs/architecture.md`` ("Adding an event type"), followed in a test.

A throwaway event type (``CaseDiscussed``, recorded by a ``DiscussCase`` command) is
added in the four documented places only: the event class, the command and its
handler, its ``evolve``, and the generated catalogue. Nothing else in the library is
told about it, yet the service records it through ``execute``, the history, the event
feed, timelines, replay, export/import and the catalogue all handle it. The fixture
takes the registrations back afterwards, so no other test sees the new type.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from mentoring_cli import catalogue

from mentoring_core import MentoringService
from mentoring_core.audit import export_events, import_events, replay, timeline
from mentoring_core.authorisation import Principal, Refused, may
from mentoring_core.domain.commands import RelationshipCommand
from mentoring_core.domain.events import EVENT_TYPES, RelationshipEvent
from mentoring_core.domain.validation import check_label
from mentoring_core.extend import Changes, Decider, kind_of
from mentoring_core.state import RelationshipState
from mentoring_core.values import Role

RELATIONSHIP: Decider[RelationshipState] = kind_of(RelationshipEvent)


@pytest.fixture
def case_discussed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[type, type]]:
    """The recipe's steps 1 to 3, taken back when the test ends."""
    # The registries are the decider's own: the fixture swaps in copies, and marks the
    # new name in EVENT_TYPES as one to delete, so the registrations vanish with the test.
    monkeypatch.setattr(RELATIONSHIP, "_deciders", dict(RELATIONSHIP._deciders))
    monkeypatch.setattr(RELATIONSHIP, "_evolvers", dict(RELATIONSHIP._evolvers))
    monkeypatch.setitem(EVENT_TYPES, "CaseDiscussed", RelationshipEvent)

    # 1. The event class.
    @attrs.frozen(kw_only=True)
    class CaseDiscussed(RelationshipEvent):
        """The pair discussed a case in supervision."""

        topic: str
        """What the case was about, in a few words."""

    # 2. The command and its handler.
    @attrs.frozen(kw_only=True)
    class DiscussCase(RelationshipCommand):
        topic: str

    def _discuss(command: DiscussCase, state: RelationshipState, meta: dict[str, Any]) -> Any:
        return (CaseDiscussed(**meta, topic=check_label("topic", command.topic)),)

    RELATIONSHIP.handles({DiscussCase: _discuss})  # its line in the table

    # 3. Its evolve: this fact changes nothing in the state but its version.
    def _discussed(state: RelationshipState, event: CaseDiscussed) -> Changes:
        return {}

    RELATIONSHIP.folds({CaseDiscussed: _discussed})  # its line in the table

    yield CaseDiscussed, DiscussCase


def _pair(service: MentoringService) -> Any:
    programme = service.create_programme("Recipe", "Northside Care", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
    service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord")
    return service.form_pair(programme, "ana", "ben", actor="coord").id


def test_a_new_event_type_is_recorded_read_told_exported_and_catalogued(
    case_discussed: tuple[type, type], store_url: str, tmp_path: Path
) -> None:
    event_class, command_class = case_discussed
    with MentoringService(store_url) as service:
        pair = _pair(service)
        recorded = service.execute(
            command_class(relationship_id=pair, topic="a safeguarding referral"), actor="ana"
        )
        assert recorded.version == 2
        assert recorded.positions

        # the history and the state
        history = service.history(pair)
        assert type(history[-1]) is event_class
        assert history[-1].topic == "a safeguarding referral"
        assert service.relationship(pair).version == 2

        # the event feed, by kind
        fed = [e for _, e in service.read(kinds=["relationship"])]
        assert [type(e) for e in fed][-1] is event_class

        # the authorisation policy refuses it to everyone until it has its line
        decision = may(
            Principal(subject="ana"),
            command_class,
            programme=service.programme(service.relationship(pair).programme_id),
            relationship=service.relationship(pair),
        )
        assert isinstance(decision, Refused)
        assert decision.reason.startswith(
            "no rule of the authorisation policy lets anyone record DiscussCase; 'ana' is "
            "the mentor of relationship"
        )

        # the timeline: told by its type's name until someone writes a sentence for it
        assert timeline(history)[-1].description == "CaseDiscussed recorded by ana"

        # replay folds it with everything else
        report = replay(service)
        assert report.ok and report.by_type["CaseDiscussed"] == 1

        # export, then import into an empty store
        out = io.StringIO()
        assert export_events(service, out).records == len([e for _, e in service.read()])
        exported = tmp_path / "export.jsonl"
        exported.write_text(out.getvalue())
    with MentoringService("memory://") as target:
        assert import_events(target, exported).records > 0
        assert type(target.history(pair)[-1]) is event_class

    # the generated catalogue lists it under the relationship's events
    text = catalogue.render()
    section = text.split("## Relationship events", 1)[1].split("## Value types", 1)[0]
    assert "### CaseDiscussed" in section
    assert "The pair discussed a case in supervision." in section
    assert "`MentoringService.execute`" in section
