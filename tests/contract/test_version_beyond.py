"""A state asked for as of a version the history has not reached is refused.

``programme(id, version=99)`` and ``relationship(id, version=99)`` on a shorter history
answered the current state, as if version 99 were it; they are refused now with
:class:`InvalidValue` naming ``version`` and the versions there are.
"""

from __future__ import annotations

import pytest

from mentoring_core import InvalidValue, MentoringService

from .test_service_contract import Seeded


@pytest.mark.parametrize("trusted", [True, False], ids=["snapshots trusted", "events folded"])
@pytest.mark.parametrize("kind", ["programme", "relationship"])
def test_a_version_beyond_the_last_is_refused_naming_the_last(
    seeded: tuple[MentoringService, Seeded], kind: str, trusted: bool
) -> None:
    service, s = seeded
    service.trust_snapshots = trusted
    read = getattr(service, kind)
    aggregate = s.programme if kind == "programme" else s.relationship
    last = read(aggregate).version
    assert read(aggregate, version=last).version == last
    assert read(aggregate, version=1).version == 1
    for beyond in (last + 1, 99):
        with pytest.raises(InvalidValue) as refused:
            read(aggregate, version=beyond)
        assert refused.value.field == "version" and refused.value.value == beyond
        assert refused.value.expected == f"a version from 1 to {last}"
    service._forget_states()  # nothing cached: the same from the store alone
    with pytest.raises(InvalidValue, match=f"a version from 1 to {last}"):
        read(aggregate, version=last + 1)
