"""An erasure recorded whose person's key is live is named by the derived-data check
(``audit verify``): the erasure stopped between recording it and destroying the key (a
process killed there), or the key store file was restored from a copy taken before it;
either way the person's texts read again, while the history says they were erased.
Erasing them again destroys the key, and records no second erasure."""

from __future__ import annotations

import shutil
from pathlib import Path

from mentoring_core import MentoringService
from mentoring_core.audit.derived import check_derived
from mentoring_core.events import PersonalDataErased
from mentoring_core.values import Role


def _files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]


def test_a_key_store_restored_from_before_an_erasure_is_named(tmp_path: Path) -> None:
    keys, backup = tmp_path / "keys.db", tmp_path / "backup"
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with MentoringService(url, key_store_file=keys) as service:
        programme = service.create_programme("P", "Org", actor="coord").id
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben Ode")
    backup.mkdir()
    for file in _files(keys):
        if file.exists():
            shutil.copy(file, backup / file.name)
    with MentoringService(url, key_store_file=keys) as service:
        service.erase_person("ben", "DSAR-1", actor="dpo")
        assert check_derived(service).ok
    for file in _files(keys):
        file.unlink(missing_ok=True)
        if (backup / file.name).exists():
            shutil.copy(backup / file.name, file)
    with MentoringService(url, key_store_file=keys) as service:
        assert service.programme(programme).participants[0].display_name == "Ben Ode"
        found = check_derived(service)
        assert [(d.what, d.aggregate_id) for d in found.differences] == [("erasure", programme)]
        said = "the erasure of 'ben' is recorded here, but their key is live"
        assert said in str(found.differences[0])
        again = service.erase_person("ben", "DSAR-1, again: a key store restored", actor="dpo")
        assert check_derived(service).ok
        # the erasure finished, not recorded a second time
        assert again.already_recorded and again.key_destroyed
        erased = [e for e in service.history(programme) if isinstance(e, PersonalDataErased)]
        assert [(e.person_id, e.reason) for e in erased] == [("ben", "DSAR-1")]
        assert again.recorded == tuple(erased)
