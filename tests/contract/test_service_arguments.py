"""The service's own arguments are checked before anything is opened: a value of the wrong
kind is refused as ``InvalidValue`` naming the argument, and no store file is created.
Before, ``trust_snapshots="no"`` (a truthy text) trusted snapshots, ``clock=5`` and
``snapshot_interval=1.5`` were taken and failed later, and a bad ``key_store_file``
left a new store file behind its ``TypeError``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.audit import export_events, generate_key_pair, import_events

WRONG: list[tuple[str, Any]] = [
    ("store_url", 5),
    ("store_url", b"sqlite:///x.db"),
    ("clock", 5),
    ("new_id", "x"),
    ("snapshot_interval", 1.5),
    ("snapshot_interval", True),
    ("snapshot_interval", "5"),
    ("snapshot_interval", 0),
    ("snapshot_interval", 2**62 + 1),
    ("trust_snapshots", "no"),
    ("trust_snapshots", 0),
    ("cipher_key_file", 5),
    ("key_store_file", b"keys.db"),
]


@pytest.mark.parametrize(("name", "value"), WRONG, ids=[f"{n}={v!r}"[:40] for n, v in WRONG])
def test_a_wrong_argument_is_refused_by_name_before_anything_is_opened(
    tmp_path: Path, name: str, value: Any
) -> None:
    arguments: dict[str, Any] = {"store_url": f"sqlite:///{tmp_path / 'store.db'}", name: value}
    with pytest.raises(InvalidValue) as refused:
        MentoringService(**arguments)
    assert (refused.value.field, refused.value.value) == (name, value)
    assert list(tmp_path.iterdir()) == []


def test_paths_may_be_texts_or_path_objects(tmp_path: Path) -> None:
    with MentoringService(
        f"sqlite:///{tmp_path / 'store.db'}", key_store_file=tmp_path / "keys.db"
    ) as service:
        service.create_programme("P", "Org", actor="coord")
    with MentoringService(
        f"sqlite:///{tmp_path / 'store.db'}", key_store_file=str(tmp_path / "keys.db")
    ) as service:
        assert len(service.programmes()) == 1


def test_an_import_and_a_key_pair_take_texts_as_paths_and_refuse_other_kinds_by_name(
    tmp_path: Path,
) -> None:
    private, public = tmp_path / "digest.key", tmp_path / "digest.pub"
    generate_key_pair(str(private), str(public))
    assert private.exists() and public.exists()
    with pytest.raises(InvalidValue) as refused:
        generate_key_pair(5, public)  # type: ignore[arg-type]
    assert refused.value.field == "private_path"
    export = tmp_path / "store.jsonl"
    with MentoringService("memory://") as source:
        source.create_programme("P", "Org", actor="coord")
        with export.open("w", encoding="utf-8") as out:
            export_events(source, out)
    with MentoringService("memory://") as copy:
        with pytest.raises(InvalidValue) as refused:
            import_events(copy, b"store.jsonl")  # type: ignore[arg-type]
        assert refused.value.field == "path"
        assert import_events(copy, str(export)).records == 1
