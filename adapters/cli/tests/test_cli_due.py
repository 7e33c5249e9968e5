"""``mentoring due`` and the next due item in ``pair list`` / ``pair show`` (issue 14,
item 1): the same items as ``mentoring_core.projections.due``, from the real command."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from cli_harness import Cli
from store_state import PROGRAMME, RELATIONSHIP, seed

from mentoring_core import MentoringService
from mentoring_core.extend import CONVERTER
from mentoring_core.projections import due


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
