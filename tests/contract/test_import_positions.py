"""An import checks the log positions it will store, naming the line, before storing.

docs/audit.md, section 7: a whole-store export is stored at its exported log positions
(``chainposition``), which encoding-2 links bind. An export writes them on every line,
ascending with the chain records (or, from before they existed, on none). A forger can
recompute the chain and the trailer (the encoding is public), so these rules are the
import's own checks: a file that breaks one is refused by line, with nothing stored,
rather than stored and then found to hold other hashes than the file's (positions on
some lines only are not used at all) or refused by the store without a line named.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit import cloud_events, import_events

from .test_export_attributes import copied, rechain, refused, sealed_lines, write
from .test_service_contract import seed

Doc = dict[str, Any]


def seeded_docs(url: str) -> list[Doc]:
    with MentoringService(url) as source:
        seed(source)
        return copied(list(cloud_events(source)))


@pytest.mark.parametrize(
    ("bare", "message"),
    [
        (0, "line 2: it carries chainposition and chainencoding, and line 1 does not"),
        (1, "line 2: it carries no chainposition and chainencoding, and line 1 does"),
    ],
    ids=["first-line-bare", "second-line-bare"],
)
def test_positions_on_some_lines_only_are_refused_by_the_first_that_differs(
    store_url: str, fresh_url: str, tmp_path: Path, bare: int, message: str
) -> None:
    docs = seeded_docs(store_url)
    for doc in docs:
        doc["chainposition"] += 10  # a gap, as a PostgreSQL store's refused inserts leave
    del docs[bare]["chainposition"], docs[bare]["chainencoding"]  # a line of encoding 1
    if bare:  # encodings only rise: the lines before it are of encoding 1 too
        docs[0]["chainencoding"] = 1
    rechain(docs)
    message += ": an export writes them on every line or on none, so the line was edited"
    refused(write(tmp_path / "mixed.jsonl", sealed_lines(docs)), message, fresh_url)


def test_positions_that_do_not_ascend_are_refused_by_line(
    store_url: str, fresh_url: str, tmp_path: Path
) -> None:
    docs = seeded_docs(store_url)
    docs[4]["chainposition"], docs[5]["chainposition"] = 6, 5
    rechain(docs)
    message = (
        "line 6: chainposition 5 does not follow line 5's 6: an export's log positions "
        "ascend with its chain records"
    )
    refused(write(tmp_path / "swapped.jsonl", sealed_lines(docs)), message, fresh_url)


def test_a_position_no_store_can_hold_is_refused_by_line(
    store_url: str, fresh_url: str, tmp_path: Path
) -> None:
    docs = seeded_docs(store_url)
    docs[-1]["chainposition"] = 2**63  # one above the largest SQLite rowid, PostgreSQL bigint
    rechain(docs)
    message = f"line {len(docs)}: a bad chainposition or chainencoding"
    refused(write(tmp_path / "huge.jsonl", sealed_lines(docs)), message, fresh_url)


def test_positions_rising_with_a_gap_on_every_line_import_where_a_store_can_keep_them(
    store_url: str, fresh_url: str, tmp_path: Path
) -> None:
    """The rules above refuse no export a store writes: ascending positions, gaps and all."""
    docs = seeded_docs(store_url)
    for doc in docs[3:]:
        doc["chainposition"] += 10
    rechain(docs)
    path = write(tmp_path / "gap.jsonl", sealed_lines(docs))
    if fresh_url.startswith("memory:"):  # numbers its events 1, 2, 3... only
        return
    with MentoringService(fresh_url) as imported:
        summary = import_events(imported, path)
        assert (summary.records, summary.hashes_match) == (11, True)
        assert imported.verify().ok
