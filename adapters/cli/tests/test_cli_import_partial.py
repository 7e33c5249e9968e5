"""``mentoring audit import`` of a partial (one relationship's) export: an edited line
whose trailer was recomputed, and what the command says such a file proves.

docs/audit.md, section 7, "What a partial export's trailer proves": its trailer is an
unkeyed SHA-256; a line's chain hash is recomputed only where the record before it in
the source is a line of the file; tamper evidence is a whole-store export checked
against a signed digest.

Issue (the reviewers' tamper/forge.py): a relationship export with an actor changed in
its fourth line and the trailer's SHA-256 recomputed imported with exit 0.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cli_harness import Cli
from test_cli_import_leaves_nothing import RELATIONSHIP, seed

from mentoring_core import MentoringService
from mentoring_core.values import MeetingFormat


@pytest.fixture
def partial(tmp_path: Path) -> Path:
    """The relationship's export: PairFormed (record 4, after the programme's record 3),
    MeetingHeld (record 6, after the programme's RelationshipOpened) and MeetingHeld
    (record 7, right after the line before it)."""
    source = Cli(f"sqlite:///{tmp_path / 'source.db'}", tmp_path)
    seed(source.store_url)
    with MentoringService(source.store_url) as service:
        service.record_meeting_held(
            RELATIONSHIP, 45, MeetingFormat.VIDEO, ["second visit"], actor="ana"
        )
    path = tmp_path / "pair.jsonl"
    only = ("--relationship", str(RELATIONSHIP))
    assert source.ok("audit", "export", *only, "--out", str(path))["records"] == 3
    sequences = [json.loads(line).get("chainsequence") for line in path.read_text().split()]
    assert sequences == [4, 6, 7, None]
    return path


def forge(export: Path, index: int, out: Path) -> Path:
    """As tamper/forge.py does: the actor of line ``index`` changed, the trailer's
    SHA-256 recomputed."""
    *lines, trailer_text = export.read_text().splitlines()
    doc = json.loads(lines[index])
    doc["data"]["actor"] = "mallory"
    lines[index] = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    trailer = json.loads(trailer_text)
    sha256 = hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()
    trailer["data"]["sha256"] = trailer["id"] = sha256
    out.write_text("\n".join([*lines, json.dumps(trailer, separators=(",", ":"))]) + "\n")
    return out


def test_an_edited_line_after_the_record_before_it_is_refused(
    partial: Path, tmp_path: Path
) -> None:
    forged = forge(partial, 2, tmp_path / "forged.jsonl")  # record 7, after record 6
    refused = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path).run("audit", "import", str(forged))
    assert refused.code == 1, str(refused)
    said = " ".join(refused.stderr.split())
    assert said.startswith("error: line 3: its chainhash is not the hash of its record"), said
    assert not (tmp_path / "copy.db").exists()


def test_an_edited_line_after_another_aggregates_record_is_not_detected(
    partial: Path, tmp_path: Path
) -> None:
    """Record 6's hash binds record 5's, which is not in the file: what docs/audit.md
    says a partial export's trailer does not prove."""
    forged = forge(partial, 1, tmp_path / "forged.jsonl")
    done = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path).run("audit", "import", str(forged))
    assert done.code == 0, str(done)


def test_a_partial_import_says_its_trailer_is_no_evidence_against_an_edit(
    partial: Path, tmp_path: Path
) -> None:
    copy = Cli(f"sqlite:///{tmp_path / 'copy.db'}", tmp_path)
    done = copy.run("audit", "import", str(partial))
    assert done.code == 0, str(done)
    said = " ".join(done.stdout.split())
    assert "A partial export starts a new chain" in said
    assert (
        "Its trailer guards against damage, not against an edit by someone who recomputes "
        "it: for that, export the whole store and verify the copy against a signed digest"
    ) in said
