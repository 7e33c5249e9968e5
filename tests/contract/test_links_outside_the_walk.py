"""A chain link numbered below 1 is never reached by the walk along the chain, which
starts at 1: ``verify`` names it, and it covers no stored event.

Reproduced before the fix: an event put into the store at the next log position, its
link stored at sequence 0, passed ``verify`` against a signed digest taken before
("0 records were added since"), while it showed in every history and report; a link
at sequence -1 holding the next log position passed too, and every write failed after.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from mentoring_core import MentoringError, MentoringService
from mentoring_core.audit.digest import check_signature, dump, generate_key_pair, load, sign
from mentoring_core.audit.recorders import ChainedPOPOApplicationRecorder, Link
from mentoring_core.audit.verify import Breach, Digest, Finding
from mentoring_core.values import MeetingFormat

from .test_service_contract import FIRST_MEETING, seed, stored_count
from .test_tamper_evidence import RawStore


def _edit_links(service: MentoringService, url: str, edit: Callable[[list[Link]], None]) -> None:
    """Change the store's chain links around the library: ``edit`` is given them as
    :data:`Link` tuples in order, and the store is made to hold what it leaves."""
    recorder = service.store.recorder
    if isinstance(recorder, ChainedPOPOApplicationRecorder):
        edit(recorder.chain)
        return
    raw = RawStore(url)
    with raw.sql() as run:
        rows = run(
            "SELECT sequence, notification_id, originator_id, originator_version, "
            f"recorded_at, hash, encoding FROM {raw.chain} ORDER BY sequence"
        )
        edited: list[Link] = [tuple(row) for row in rows]
        edit(edited)
        run(f"DELETE FROM {raw.chain}")
        for link in edited:
            run(
                f"INSERT INTO {raw.chain} (sequence, notification_id, originator_id, "
                "originator_version, recorded_at, hash, encoding) VALUES (?,?,?,?,?,?,?)",
                *link,
            )


def _signed_digest(service: MentoringService, keys: Path) -> Digest:
    """The store's digest, signed, written out, read back and its signature checked: what
    an auditor keeps outside the store."""
    digest = service.verify().digest
    assert digest is not None
    generate_key_pair(keys / "a.pem", keys / "a.pub.pem")
    text = dump(digest, sign(digest, (keys / "a.pem").read_bytes()))
    kept, signature = load(text)
    assert signature is not None
    check_signature(kept, signature, (keys / "a.pub.pem").read_bytes())
    return kept


def _outside(finding: Finding | None, sequence: int) -> Finding:
    assert finding is not None
    assert finding.breach is Breach.INSERTED, finding
    assert finding.sequence == sequence
    assert f"chain link {sequence} " in finding.detail, finding.detail
    assert "numbered below 1" in finding.detail, finding.detail
    return finding


def test_an_event_behind_a_link_numbered_0_is_named_against_a_signed_digest(
    store_url: str, tmp_path: Path
) -> None:
    with MentoringService(store_url) as service:
        seeded = seed(service)
        kept = _signed_digest(service, tmp_path)
        forged = service.record_meeting_held(
            seeded.relationship,
            240,
            MeetingFormat.ONE_ON_ONE,
            ["Forged"],
            actor="ana",
            occurred_at=FIRST_MEETING + timedelta(days=60),
        )

        def renumber_last(links: list[Link]) -> None:
            links[-1] = (0, *links[-1][1:])

        _edit_links(service, store_url, renumber_last)
        outcome = service.verify(against=kept)
        position = stored_count(service)
    finding = _outside(outcome.finding, 0)
    assert finding.notification_id == position
    assert (finding.aggregate_id, finding.version) == (seeded.relationship, forged.version)
    assert outcome.records == kept.sequence


def test_a_link_numbered_minus_1_at_the_next_log_position_is_named(store_url: str) -> None:
    with MentoringService(store_url) as service:
        seed(service)
        following = stored_count(service) + 1

        def add_ghost(links: list[Link]) -> None:
            links.append((-1, following, links[0][2], 999, *links[0][4:]))

        _edit_links(service, store_url, add_ghost)
        finding = _outside(service.verify().finding, -1)
    assert finding.notification_id == following
    assert "where no event is stored" in finding.detail


def test_a_write_the_store_refuses_for_a_stray_link_says_so_and_is_not_a_conflict(
    store_url: str, store_kind: str
) -> None:
    """A link numbered -1 at the next log position makes a SQLite store refuse the next
    write (the link's position is taken). That was told as a concurrency conflict "now at
    version unknown ... reload and retry", which no retry could get past. (In memory,
    and on PostgreSQL when its next position is not the one the link took, the write is
    recorded; verify names the link either way.)"""
    with MentoringService(store_url) as service:
        seeded = seed(service)
        following = stored_count(service) + 1

        def add_ghost(links: list[Link]) -> None:
            links.append((-1, following, links[0][2], 999, *links[0][4:]))

        _edit_links(service, store_url, add_ghost)
        before = stored_count(service)
        try:
            service.record_meeting_held(
                seeded.relationship, 60, MeetingFormat.VIDEO, ["x"], actor="ana"
            )
        except MentoringError as error:
            refused: MentoringError | None = error
        else:
            refused = None
        after = stored_count(service)
        finding = _outside(service.verify().finding, -1)
    assert finding.notification_id == following
    if refused is None:  # the store's next position was not the link's
        assert store_kind != "sqlite" and after == before + 1
        return
    assert type(refused) is MentoringError, refused  # no retry gets past it: not a conflict
    assert after == before
    message = str(refused)
    assert f"relationship {seeded.relationship} from version 7" in message, message
    assert "no other writer" in message and "audit verify" in message, message
    assert "nothing was recorded" in message, message
